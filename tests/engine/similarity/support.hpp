#pragma once
// Helpers shared by the similarity and recommendation tests: reference-case loading and the
// tie-insensitive comparison rule of ../shared/reference/similarity/README.md.

#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "engine/csr.hpp"
#include "engine/interactions_csv.hpp"
#include "tests/support/reference.hpp"

namespace knntune::test {

/// Splits one CSV line with double-quoted fields ("" escapes a quote).
inline std::vector<std::string> csv_fields(const std::string& line) {
    std::vector<std::string> out(1);
    bool quoted = false;
    for (size_t i = 0; i < line.size(); ++i) {
        const char ch = line[i];
        if (quoted) {
            if (ch == '"' && i + 1 < line.size() && line[i + 1] == '"') {
                out.back() += '"';
                ++i;
            } else if (ch == '"') {
                quoted = false;
            } else {
                out.back() += ch;
            }
        } else if (ch == '"') {
            quoted = true;
        } else if (ch == ',') {
            out.emplace_back();
        } else if (ch != '\r') {
            out.back() += ch;
        }
    }
    return out;
}

/// One (id → score) entry of a ranked row.
struct RowEntry {
    std::string col;
    double score;
};

/// Rows keyed by row id.
using RowsById = std::map<std::string, std::vector<RowEntry>>;

/// Reads a `row,col,score` (or `user,item,score[,rank]`) file.
inline RowsById read_rows(const std::string& path) {
    std::istringstream in(read_text(path));
    RowsById rows;
    std::string line;
    std::getline(in, line);
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        const auto f = csv_fields(line);
        rows[f[0]].push_back({f[1], std::stod(f[2])});
    }
    return rows;
}

/// Rows of a ranked CSR result, with ids.
inline RowsById rows_of(const engine::CsrMatrix& m, const std::vector<std::string>& row_ids,
                        const std::vector<std::string>& col_ids) {
    RowsById rows;
    for (engine::Index r = 0; r < m.rows; ++r) {
        for (engine::Offset q = m.indptr[r]; q < m.indptr[r + 1]; ++q) {
            rows[row_ids[r]].push_back({col_ids[m.indices[q]], m.values[q]});
        }
    }
    return rows;
}

inline bool close_rel(double a, double b, double rtol) {
    return std::abs(a - b) <= rtol * std::max(std::abs(a), std::abs(b));
}

/// Result of a tie-insensitive comparison: an empty string when equal, else the first
/// difference, readable in a failure message.
inline std::string compare_rows(const RowsById& expected, const RowsById& actual, size_t k,
                                const std::set<std::string>& tied_rows, double rtol = 1e-4) {
    std::set<std::string> ids;
    for (const auto& [id, row] : expected) ids.insert(id);
    for (const auto& [id, row] : actual) ids.insert(id);
    for (const std::string& id : ids) {
        static const std::vector<RowEntry> kEmpty;
        const auto e_it = expected.find(id);
        const auto a_it = actual.find(id);
        const auto& e = e_it == expected.end() ? kEmpty : e_it->second;
        const auto& a = a_it == actual.end() ? kEmpty : a_it->second;
        std::vector<double> es;
        std::vector<double> as;
        for (const auto& x : e) es.push_back(x.score);
        for (const auto& x : a) as.push_back(x.score);
        std::sort(es.rbegin(), es.rend());
        std::sort(as.rbegin(), as.rend());
        if (es.size() != as.size()) {
            return "row " + id + ": expected " + std::to_string(es.size()) + " entries, got " +
                   std::to_string(as.size());
        }
        for (size_t i = 0; i < es.size(); ++i) {
            if (!close_rel(es[i], as[i], rtol)) {
                std::ostringstream msg;
                msg.precision(9);
                msg << "row " << id << " rank " << i + 1 << ": expected score " << es[i] << ", got "
                    << as[i];
                return msg.str();
            }
        }
        if (e.size() == k && tied_rows.contains(id)) continue;
        std::set<std::string> ec;
        std::set<std::string> ac;
        for (const auto& x : e) ec.insert(x.col);
        for (const auto& x : a) ac.insert(x.col);
        if (ec != ac) return "row " + id + ": column sets differ";
    }
    return {};
}

/// Path of the shared folder.
inline std::filesystem::path shared_dir() { return KNNTUNE_SHARED_DIR; }

/// The reference result of case `id`: vendored for the synthetic inputs, from
/// ../shared/reference for MovieLens (empty when absent).
inline std::string case_file(const std::string& id) {
    return id.rfind("movielens", 0) == 0 ? shared_reference("similarity/cases/" + id + ".csv")
                                         : fixture("similarity/cases/" + id + ".csv");
}

/// The boundary-tie list: ../shared's (MovieLens rows included) when present, else the
/// vendored one of the synthetic cases.
inline std::string ties_file() {
    const std::string shared = shared_reference("similarity/boundary_ties.csv");
    return shared.empty() ? fixture("similarity/boundary_ties.csv") : shared;
}

/// Writes MovieLens 100K (tab-separated, no header) as a binarised `user,item` CSV once and
/// returns its path; an empty path when the data is absent.
inline std::string movielens_csv() {
    const auto src = shared_dir() / "data/movielens-100k/u.data";
    if (!std::filesystem::exists(src)) return {};
    const auto dst = std::filesystem::temp_directory_path() / "knntune_test_ml100k.csv";
    if (!std::filesystem::exists(dst)) {
        std::ifstream in(src);
        const auto tmp = dst.string() + ".tmp" + std::to_string(::getpid());
        std::ofstream out(tmp);
        out << "user,item\n";
        std::string user, item, rating, ts;
        while (in >> user >> item >> rating >> ts) out << user << ',' << item << '\n';
        out.close();
        std::filesystem::rename(tmp, dst);
    }
    return dst.string();
}

}  // namespace knntune::test
