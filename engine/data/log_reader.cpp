#include "engine/data/log_reader.hpp"

#include <charconv>
#include <unordered_map>

#include "engine/data/csv_reader.hpp"
#include "engine/data/interner.hpp"
#include "engine/error.hpp"

namespace knntune::engine {

std::string ColumnRef::describe() const {
    return name.empty() ? "column " + std::to_string(position) : "column '" + name + "'";
}

namespace {

/// Resolves a column reference to a 0-based field index, from the header when there is one.
int resolve(const ColumnRef& ref, const std::vector<std::string>& header, std::size_t n_fields,
            const std::string& path, const char* role) {
    if (ref.empty()) return -1;
    if (!ref.name.empty()) {
        for (std::size_t i = 0; i < header.size(); ++i) {
            if (header[i] == ref.name) return static_cast<int>(i);
        }
        std::string have;
        for (const auto& h : header) have += (have.empty() ? "" : ", ") + h;
        if (header.empty()) {
            throw InputError(path + ": " + role + " column '" + ref.name +
                             "' named, but the file has no header (use a 1-based position)");
        }
        throw InputError(path + ":1: " + role + " column '" + ref.name +
                         "' not found in header (columns: " + have + ")");
    }
    if (ref.position < 1 || static_cast<std::size_t>(ref.position) > n_fields) {
        throw InputError(path + ":1: " + role + " column " + std::to_string(ref.position) +
                         " out of range: rows have " + std::to_string(n_fields) + " fields");
    }
    return ref.position - 1;
}

bool parse_number(std::string_view s, double& out) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    if (!s.empty() && s.front() == '+') s.remove_prefix(1);
    if (s.empty()) return false;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && ptr == s.data() + s.size();
}

struct ResolvedFilter {
    int field;
    const RowFilter* filter;
};

bool passes(const ResolvedFilter& rf, std::string_view field, const CsvReader& reader) {
    const RowFilter& f = *rf.filter;
    switch (f.op) {
        case FilterOp::NotEmpty:
            return !field.empty();
        case FilterOp::Empty:
            return field.empty();
        case FilterOp::Equals:
            return field == f.text;
        case FilterOp::NotEquals:
            return field != f.text;
        case FilterOp::StartsWith:
            return field.starts_with(f.text);
        case FilterOp::NotStartsWith:
            return !field.starts_with(f.text);
        default:
            break;
    }
    double v = 0.0;
    if (!parse_number(field, v)) {
        // NOTE: an empty field cannot satisfy a numeric comparison; it is dropped, not an error.
        if (field.empty()) return false;
        reader.fail("filter on " + f.column.describe() + ": '" + std::string(field) +
                    "' is not a number");
    }
    switch (f.op) {
        case FilterOp::Gt:
            return v > f.number;
        case FilterOp::Ge:
            return v >= f.number;
        case FilterOp::Lt:
            return v < f.number;
        case FilterOp::Le:
            return v <= f.number;
        case FilterOp::Eq:
            return v == f.number;
        case FilterOp::Ne:
            return v != f.number;
        default:
            return true;
    }
}

struct ItemMeta {
    std::string key;
    std::string name;
    std::string attribute;
};

std::unordered_map<std::string, ItemMeta> read_item_metadata(const ItemMetadataSpec& spec) {
    CsvReader reader(spec.path, spec.delimiter);
    std::vector<std::string_view> fields;
    std::vector<std::string> header;
    if (!reader.next(fields)) throw InputError(spec.path + ": item metadata file is empty");
    if (spec.header) {
        header.assign(fields.begin(), fields.end());
    }
    const std::size_t n = fields.size();
    const int id = resolve(spec.id, header, n, spec.path, "item id");
    const int key = resolve(spec.key, header, n, spec.path, "item key");
    const int name = resolve(spec.name, header, n, spec.path, "item name");
    const int attr = resolve(spec.attribute, header, n, spec.path, "item attribute");
    std::unordered_map<std::string, ItemMeta> out;
    bool first = !spec.header;
    while (first || reader.next(fields)) {
        first = false;
        ItemMeta m;
        if (key >= 0) m.key = fields[key];
        if (name >= 0) m.name = fields[name];
        if (attr >= 0) m.attribute = fields[attr];
        out.emplace(std::string(fields[id]), std::move(m));
    }
    return out;
}

}  // namespace

RawLog read_log(const LogSpec& spec) {
    if (spec.user.empty() || spec.item.empty()) {
        throw InputError(spec.path + ": the user and item columns must be configured");
    }
    std::unordered_map<std::string, ItemMeta> meta;
    if (spec.item_metadata) meta = read_item_metadata(*spec.item_metadata);
    const bool meta_key = spec.item_metadata && !spec.item_metadata->key.empty();

    CsvReader reader(spec.path, spec.delimiter);
    std::vector<std::string_view> fields;
    std::vector<std::string> header;
    RawLog log;
    if (!reader.next(fields)) throw InputError(spec.path + ": the file is empty");
    if (spec.header) header.assign(fields.begin(), fields.end());
    const std::size_t n = fields.size();
    const int c_user = resolve(spec.user, header, n, spec.path, "user");
    const int c_item = resolve(spec.item, header, n, spec.path, "item");
    const int c_time = resolve(spec.timestamp, header, n, spec.path, "timestamp");
    const int c_value = resolve(spec.value, header, n, spec.path, "value");
    const int c_name = resolve(spec.item_name, header, n, spec.path, "item name");
    std::vector<ResolvedFilter> filters;
    for (const RowFilter& f : spec.filters) {
        filters.push_back({resolve(f.column, header, n, spec.path, "filter"), &f});
    }

    log.has_timestamps = c_time >= 0;
    StringInterner users;
    StringInterner items;
    std::string last_user_copy;
    std::int32_t last_user_id = -1;
    bool first = !spec.header;
    while (first || reader.next(fields)) {
        first = false;
        ++log.rows_read;
        bool keep = true;
        for (const ResolvedFilter& rf : filters) {
            if (!passes(rf, fields[rf.field], reader)) {
                keep = false;
                break;
            }
        }
        if (!keep) {
            ++log.rows_filtered;
            continue;
        }
        const std::string_view u = fields[c_user];
        std::string_view it = fields[c_item];
        if (u.empty())
            reader.fail("empty user id in " + spec.user.describe() +
                        " (add a not_empty filter to drop such rows)");
        if (it.empty())
            reader.fail("empty item id in " + spec.item.describe() +
                        " (add a not_empty filter to drop such rows)");
        const ItemMeta* m = nullptr;
        if (spec.item_metadata) {
            auto found = meta.find(std::string(it));
            if (found == meta.end()) {
                reader.fail("item '" + std::string(it) + "' is not in the item metadata file " +
                            spec.item_metadata->path);
            }
            m = &found->second;
            if (meta_key) it = m->key;
        }
        // Consecutive rows often share the user: skip the hash lookup then.
        if (last_user_id < 0 || u != last_user_copy) {
            last_user_id = users.intern(u);
            last_user_copy.assign(u);
        }
        const std::int32_t item_id = items.intern(it);
        if (static_cast<std::size_t>(item_id) == log.item_names.size()) {
            log.item_names.emplace_back();
            if (spec.item_metadata && !spec.item_metadata->attribute.empty()) {
                log.item_attributes.emplace_back(m != nullptr ? m->attribute : "");
            }
        }
        if (log.item_names[item_id].empty()) {
            if (c_name >= 0) {
                log.item_names[item_id] = fields[c_name];
            } else if (m != nullptr && !m->name.empty()) {
                log.item_names[item_id] = m->name;
            }
        }
        log.user.push_back(last_user_id);
        log.item.push_back(item_id);
        if (c_time >= 0) {
            const auto t = parse_timestamp(fields[c_time]);
            if (!t) {
                reader.fail("cannot parse timestamp '" + std::string(fields[c_time]) + "' in " +
                            spec.timestamp.describe() +
                            " (expected YYYY-MM-DD[ HH:MM[:SS]], ISO-8601 or unix seconds)");
            }
            log.timestamp.push_back(*t);
        }
        if (c_value >= 0) {
            double v = 0.0;
            if (!parse_number(fields[c_value], v)) {
                reader.fail("value '" + std::string(fields[c_value]) + "' in " +
                            spec.value.describe() + " is not a number");
            }
            log.value.push_back(static_cast<float>(v));
        }
    }
    log.user_keys = users.keys();
    log.item_keys = items.keys();
    return log;
}

}  // namespace knntune::engine
