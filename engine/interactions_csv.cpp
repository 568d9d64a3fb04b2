#include "engine/interactions_csv.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <numeric>
#include <string_view>

#include "common/text.hpp"
#include "engine/data/csv_reader.hpp"
#include "engine/data/interner.hpp"
#include "engine/error.hpp"

namespace knntune::engine {

namespace {

/// Renumbers interned ids in byte order of their keys: fills `sorted` with the keys and
/// returns old id → new id.
std::vector<Index> sort_ids(const StringInterner& ids, std::vector<std::string>& sorted) {
    sorted = ids.keys();
    std::vector<Index> order(sorted.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](Index a, Index b) { return sorted[a] < sorted[b]; });
    std::vector<Index> remap(sorted.size());
    std::vector<std::string> by_key(sorted.size());
    for (size_t i = 0; i < order.size(); ++i) {
        remap[order[i]] = static_cast<Index>(i);
        by_key[i] = std::move(sorted[order[i]]);
    }
    sorted = std::move(by_key);
    return remap;
}

/// Reads and checks the header: `user,item` or `user,item,value`.
void read_header(CsvReader& reader, const std::string& path) {
    std::vector<std::string_view> fields;
    if (!reader.next(fields)) throw InputError(path + ": empty file (no header)");
    const std::string_view first = fields.empty() ? std::string_view() : fields[0];
    const bool has_value_column = fields.size() == 3 && fields[2] == "value";
    if (first != "user" || fields.size() < 2 || fields[1] != "item" ||
        (fields.size() == 3 && !has_value_column) || fields.size() > 3) {
        std::string got;
        for (size_t i = 0; i < fields.size(); ++i) got += (i ? "," : "") + std::string(fields[i]);
        throw InputError(path + ":1: expected the header 'user,item' or 'user,item,value', got '" +
                         printable(got, kEchoBytes) + "'");
    }
    if (has_value_column) reader.set_min_fields(2);
}

/// The rows as parallel columns of interned ids.
struct Rows {
    StringInterner users;
    StringInterner items;
    std::vector<Index> row_of;
    std::vector<Index> col_of;
    std::vector<Score> value_of;  // stays empty while every value is 1
    bool weighted = false;        // some value differs from 1
};

void read_rows(CsvReader& reader, Rows& rows) {
    std::vector<std::string_view> fields;
    while (reader.next(fields)) {
        if (fields[0].empty() || fields[1].empty()) reader.fail("empty user or item id");
        rows.row_of.push_back(rows.users.intern(fields[0]));
        rows.col_of.push_back(rows.items.intern(fields[1]));
        // A new id is checked once, when it is first seen.
        if (rows.row_of.back() + 1 == rows.users.size()) {
            reader.check_id(fields[0], "user id in column 'user' (field 1)");
        }
        if (rows.col_of.back() + 1 == rows.items.size()) {
            reader.check_id(fields[1], "item id in column 'item' (field 2)");
        }
        Score value = 1;
        if (fields.size() == 3 && !fields[2].empty()) {
            const std::string_view v = fields[2];
            float parsed = 0;
            auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), parsed);
            if (ec != std::errc() || ptr != v.data() + v.size() || !std::isfinite(parsed)) {
                reader.fail("bad value '" + printable(v, kEchoBytes) +
                            "' in column 'value' (field 3)");
            }
            value = parsed;
        }
        if (value != 1 && !rows.weighted) {
            rows.value_of.assign(rows.row_of.size() - 1, Score{1});
            rows.weighted = true;
        }
        if (rows.weighted) rows.value_of.push_back(value);
    }
}

/// Counting sort by user into `m` (shape already set), without an intermediate triplet copy.
void fill_matrix(Rows& rows, const std::vector<Index>& user_map, const std::vector<Index>& item_map,
                 CsrMatrix& m) {
    for (Index& r : rows.row_of) {
        r = user_map[r];
        ++m.indptr[r + 1];
    }
    for (Index r = 0; r < m.rows; ++r) m.indptr[r + 1] += m.indptr[r];
    m.indices.resize(rows.col_of.size());
    m.values.assign(rows.col_of.size(), Score{1});
    std::vector<Offset> next(m.indptr.begin(), m.indptr.end() - 1);
    for (size_t e = 0; e < rows.row_of.size(); ++e) {
        const Offset q = next[rows.row_of[e]]++;
        m.indices[q] = item_map[rows.col_of[e]];
        if (rows.weighted) m.values[q] = rows.value_of[e];
    }
}

/// Sorts each row by item and refuses a repeated (user, item) pair.
void sort_rows(const std::string& path, Interactions& out) {
    CsrMatrix& m = out.matrix;
    std::vector<std::pair<Index, Score>> row;
    for (Index r = 0; r < m.rows; ++r) {
        const Offset begin = m.indptr[r];
        const Offset end = m.indptr[r + 1];
        if (!std::is_sorted(m.indices.begin() + begin, m.indices.begin() + end)) {
            row.clear();
            for (Offset q = begin; q < end; ++q) row.emplace_back(m.indices[q], m.values[q]);
            std::sort(row.begin(), row.end(),
                      [](const auto& a, const auto& b) { return a.first < b.first; });
            for (Offset q = begin; q < end; ++q) {
                m.indices[q] = row[q - begin].first;
                m.values[q] = row[q - begin].second;
            }
        }
        for (Offset q = begin + 1; q < end; ++q) {
            if (m.indices[q] == m.indices[q - 1]) {
                throw InputError(path + ": repeated interaction of user '" +
                                 printable(out.user_ids[r], kEchoBytes) + "' with item '" +
                                 printable(out.item_ids[m.indices[q]], kEchoBytes) + "'");
            }
        }
    }
}

}  // namespace

Interactions read_interactions_csv(const std::string& path) {
    // NOTE: the general log reader's CSV parser and interner, with this contract's fixed
    // header; a row may omit its value (it then counts as 1).
    CsvReader reader(path, ',');
    read_header(reader, path);
    Rows rows;
    read_rows(reader, rows);
    Interactions out;
    const std::vector<Index> user_map = sort_ids(rows.users, out.user_ids);
    const std::vector<Index> item_map = sort_ids(rows.items, out.item_ids);
    out.matrix =
        CsrMatrix(static_cast<Index>(out.user_ids.size()), static_cast<Index>(out.item_ids.size()));
    fill_matrix(rows, user_map, item_map, out.matrix);
    rows = Rows{};
    sort_rows(path, out);
    return out;
}

}  // namespace knntune::engine
