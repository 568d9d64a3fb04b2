#include "engine/interactions_csv.hpp"

#include <zlib.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <memory>
#include <numeric>
#include <string_view>
#include <unordered_map>

#include "engine/error.hpp"

namespace knntune::engine {

namespace {

struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

/// Assigns dense ids in first-appearance order; remapped to byte order at the end.
class Interner {
  public:
    Index intern(std::string_view id) {
        if (id == last_) return last_index_;
        auto it = map_.find(id);
        if (it == map_.end()) {
            it = map_.emplace(std::string(id), static_cast<Index>(names_.size())).first;
            names_.emplace_back(id);
        }
        last_ = it->first;
        last_index_ = it->second;
        return it->second;
    }
    /// Sorts the names; returns old index → new index.
    std::vector<Index> finish(std::vector<std::string>& sorted) {
        std::vector<Index> order(names_.size());
        std::iota(order.begin(), order.end(), 0);
        std::sort(order.begin(), order.end(),
                  [&](Index a, Index b) { return names_[a] < names_[b]; });
        std::vector<Index> remap(names_.size());
        sorted.resize(names_.size());
        for (size_t i = 0; i < order.size(); ++i) {
            remap[order[i]] = static_cast<Index>(i);
            sorted[i] = std::move(names_[order[i]]);
        }
        map_.clear();
        return remap;
    }

  private:
    std::unordered_map<std::string, Index, StringHash, std::equal_to<>> map_;
    std::vector<std::string> names_;
    std::string_view last_;  // points into a map key (stable: node-based map)
    Index last_index_ = -1;
};

struct GzCloser {
    void operator()(gzFile f) const { gzclose(f); }
};

/// Splits one CSV line into fields; handles double-quoted fields. Returns false on a bad quote.
bool split_fields(std::string_view line, std::vector<std::string_view>& fields,
                  std::string& scratch) {
    fields.clear();
    scratch.clear();
    // Unquoted fast path.
    if (line.find('"') == std::string_view::npos) {
        size_t start = 0;
        while (true) {
            const size_t comma = line.find(',', start);
            if (comma == std::string_view::npos) {
                fields.push_back(line.substr(start));
                return true;
            }
            fields.push_back(line.substr(start, comma - start));
            start = comma + 1;
        }
    }
    // Quoted fields are unescaped into `scratch`; reserve so views stay valid.
    scratch.reserve(line.size());
    size_t i = 0;
    while (true) {
        const size_t begin = scratch.size();
        if (i < line.size() && line[i] == '"') {
            ++i;
            while (true) {
                if (i >= line.size()) return false;
                if (line[i] == '"') {
                    if (i + 1 < line.size() && line[i + 1] == '"') {
                        scratch.push_back('"');
                        i += 2;
                        continue;
                    }
                    ++i;
                    break;
                }
                scratch.push_back(line[i++]);
            }
            if (i < line.size() && line[i] != ',') return false;
        } else {
            while (i < line.size() && line[i] != ',') scratch.push_back(line[i++]);
        }
        fields.emplace_back(scratch.data() + begin, scratch.size() - begin);
        if (i >= line.size()) return true;
        ++i;  // skip the comma
    }
}

}  // namespace

Interactions read_interactions_csv(const std::string& path) {
    std::unique_ptr<gzFile_s, GzCloser> file(gzopen(path.c_str(), "rb"));
    if (!file) throw InputError(path + ": cannot open file");
    gzbuffer(file.get(), 1 << 18);

    Interner users;
    Interner items;
    std::vector<Index> row_of;
    std::vector<Index> col_of;
    std::vector<Score> value_of;  // stays empty while every value is 1
    bool weighted = false;        // some value differs from 1
    bool has_value_column = false;
    bool header_done = false;
    Offset line_no = 0;

    std::vector<std::string_view> fields;
    std::string scratch;
    std::string pending;  // a partial line carried between chunks
    std::vector<char> chunk(1 << 20);

    const auto handle_line = [&](std::string_view line) {
        ++line_no;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (!header_done) {
            if (!line.empty() && static_cast<unsigned char>(line[0]) == 0xEF &&
                line.substr(0, 3) == "\xEF\xBB\xBF") {
                line.remove_prefix(3);
            }
            if (line == "user,item") {
                has_value_column = false;
            } else if (line == "user,item,value") {
                has_value_column = true;
            } else {
                throw InputError(path +
                                 ":1: expected the header 'user,item' or "
                                 "'user,item,value', got '" +
                                 std::string(line) + "'");
            }
            header_done = true;
            return;
        }
        if (line.empty()) return;
        if (!split_fields(line, fields, scratch)) {
            throw InputError(path + ":" + std::to_string(line_no) + ": bad quoting");
        }
        const size_t expected = has_value_column ? 3 : 2;
        if (fields.size() != expected && !(has_value_column && fields.size() == 2)) {
            throw InputError(path + ":" + std::to_string(line_no) + ": expected " +
                             std::to_string(expected) + " fields, got " +
                             std::to_string(fields.size()));
        }
        if (fields[0].empty() || fields[1].empty()) {
            throw InputError(path + ":" + std::to_string(line_no) + ": empty user or item id");
        }
        row_of.push_back(users.intern(fields[0]));
        col_of.push_back(items.intern(fields[1]));
        Score value = 1;
        if (fields.size() == 3 && !fields[2].empty()) {
            const std::string_view v = fields[2];
            float parsed = 0;
            auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), parsed);
            if (ec != std::errc() || ptr != v.data() + v.size() || !std::isfinite(parsed)) {
                throw InputError(path + ":" + std::to_string(line_no) + ": bad value '" +
                                 std::string(v) + "'");
            }
            value = parsed;
        }
        if (value != 1 && !weighted) {
            value_of.assign(row_of.size() - 1, Score{1});
            weighted = true;
        }
        if (weighted) value_of.push_back(value);
    };

    while (true) {
        const int got = gzread(file.get(), chunk.data(), static_cast<unsigned>(chunk.size()));
        if (got < 0) {
            int err = 0;
            throw InputError(path + ": read error: " + gzerror(file.get(), &err));
        }
        if (got == 0) break;
        std::string_view data(chunk.data(), static_cast<size_t>(got));
        size_t start = 0;
        while (true) {
            const size_t nl = data.find('\n', start);
            if (nl == std::string_view::npos) {
                pending.append(data.substr(start));
                break;
            }
            if (!pending.empty()) {
                pending.append(data.substr(start, nl - start));
                handle_line(pending);
                pending.clear();
            } else {
                handle_line(data.substr(start, nl - start));
            }
            start = nl + 1;
        }
    }
    if (!pending.empty()) handle_line(pending);
    if (!header_done) throw InputError(path + ": empty file (no header)");

    Interactions out;
    const std::vector<Index> user_map = users.finish(out.user_ids);
    const std::vector<Index> item_map = items.finish(out.item_ids);
    const auto n_users = static_cast<Index>(out.user_ids.size());
    const auto n_items = static_cast<Index>(out.item_ids.size());

    // Counting sort by user, then sort each row by item; no intermediate triplet copy.
    CsrMatrix& m = out.matrix;
    m = CsrMatrix(n_users, n_items);
    for (Index& r : row_of) {
        r = user_map[r];
        ++m.indptr[r + 1];
    }
    for (Index r = 0; r < n_users; ++r) m.indptr[r + 1] += m.indptr[r];
    m.indices.resize(col_of.size());
    m.values.assign(col_of.size(), Score{1});
    {
        std::vector<Offset> next(m.indptr.begin(), m.indptr.end() - 1);
        for (size_t e = 0; e < row_of.size(); ++e) {
            const Offset q = next[row_of[e]]++;
            m.indices[q] = item_map[col_of[e]];
            if (weighted) m.values[q] = value_of[e];
        }
    }
    row_of = {};
    col_of = {};
    value_of = {};
    std::vector<std::pair<Index, Score>> row;
    for (Index r = 0; r < n_users; ++r) {
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
                throw InputError(path + ": repeated interaction of user '" + out.user_ids[r] +
                                 "' with item '" + out.item_ids[m.indices[q]] + "'");
            }
        }
    }
    return out;
}

}  // namespace knntune::engine
