#include "experiments/cli/knn_common.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <iostream>
#include <numeric>

#include "common/atomic_file.hpp"
#include "engine/data/prepared_io.hpp"
#include "engine/error.hpp"
#include "engine/interactions_csv.hpp"

namespace knntune::cli {

KnnInput load_knn_input(const std::string& path, const std::string& period) {
    const bool prepared = path.size() > 3 && path.compare(path.size() - 3, 3, ".h5") == 0;
    if (!prepared) {
        engine::Interactions data = engine::read_interactions_csv(path);
        return {std::move(data.matrix), std::move(data.user_ids), std::move(data.item_ids)};
    }
    engine::PreparedData data = engine::load_prepared(path);
    for (engine::Period p : engine::kPeriods) {
        if (period == engine::period_name(p)) {
            return {std::move(data.matrices[static_cast<int>(p)]), std::move(data.user_keys),
                    std::move(data.item_keys)};
        }
    }
    throw engine::ParamError("unknown period '" + period +
                             "'; valid: train_val, valid, train, test");
}

std::vector<engine::Index> order_by_id(const std::vector<std::string>& ids) {
    std::vector<engine::Index> order(ids.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(),
              [&](engine::Index a, engine::Index b) { return ids[a] < ids[b]; });
    return order;
}

void append_csv_field(std::string& out, const std::string& id) {
    if (id.find_first_of(",\"\n\r") == std::string::npos) {
        out += id;
        return;
    }
    out += '"';
    for (char ch : id) {
        if (ch == '"') out += '"';
        out += ch;
    }
    out += '"';
}

void append_score(std::string& out, engine::Score score) {
    char buf[32];
    const auto res = std::to_chars(buf, buf + sizeof buf, score, std::chars_format::general, 9);
    out.append(buf, res.ptr);
}

std::string similarity_csv(const engine::CsrMatrix& s, const std::vector<std::string>& ids) {
    std::string text = "row,col,score\n";
    text.reserve(static_cast<size_t>(s.nnz()) * 24 + 16);
    std::vector<std::pair<engine::Score, engine::Index>> row;
    for (engine::Index r : order_by_id(ids)) {
        row.clear();
        for (engine::Offset q = s.indptr[r]; q < s.indptr[r + 1]; ++q) {
            row.emplace_back(s.values[q], s.indices[q]);
        }
        // NOTE: rows are ranked by column index already; re-sort by id so that prepared data,
        // whose indices need not follow id order, is written in the same documented order.
        std::sort(row.begin(), row.end(), [&](const auto& a, const auto& b) {
            return a.first > b.first || (a.first == b.first && ids[a.second] < ids[b.second]);
        });
        for (const auto& [score, c] : row) {
            append_csv_field(text, ids[r]);
            text += ',';
            append_csv_field(text, ids[c]);
            text += ',';
            append_score(text, score);
            text += '\n';
        }
    }
    return text;
}

std::string recommendations_csv(const engine::CsrMatrix& recs, const KnnInput& data) {
    std::string text = "user,item,score,rank\n";
    text.reserve(static_cast<size_t>(recs.nnz()) * 28 + 24);
    for (engine::Index u : order_by_id(data.user_ids)) {
        engine::Index rank = 0;
        for (engine::Offset q = recs.indptr[u]; q < recs.indptr[u + 1]; ++q) {
            append_csv_field(text, data.user_ids[u]);
            text += ',';
            append_csv_field(text, data.item_ids[recs.indices[q]]);
            text += ',';
            append_score(text, recs.values[q]);
            text += ',';
            text += std::to_string(++rank);
            text += '\n';
        }
    }
    return text;
}

void write_text_file(const std::string& path, const std::string& text) {
    if (path == "-") {
        std::cout << text;
        std::cout.flush();
        return;
    }
    // A reader, or a rerun after a kill, sees the old file or the whole new one, never a part.
    write_file_atomic(path, text);
}

}  // namespace knntune::cli
