#include "experiments/cli/knn_common.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <numeric>

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

engine::similarity::ParamMap parse_sets(const std::vector<std::string>& sets) {
    engine::similarity::ParamMap map;
    for (const std::string& s : sets) {
        const size_t eq = s.find('=');
        if (eq == std::string::npos || eq == 0) {
            throw engine::ParamError("--set expects NAME=VALUE, got '" + s + "'");
        }
        const std::string name = s.substr(0, eq);
        if (!map.emplace(name, s.substr(eq + 1)).second) {
            throw engine::ParamError("--set " + name + " is given twice");
        }
    }
    return map;
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

void write_text_file(const std::string& path, const std::string& text) {
    if (path == "-") {
        std::cout << text;
        std::cout.flush();
        return;
    }
    std::ofstream out(path, std::ios::binary);
    if (!out) throw engine::InputError(path + ": cannot open for writing");
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    out.close();
    if (!out) throw engine::InputError(path + ": write failed");
}

}  // namespace knntune::cli
