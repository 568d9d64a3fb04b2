#include "engine/data/log_reader.hpp"

#include <charconv>
#include <cmath>
#include <limits>
#include <unordered_map>

#include "common/text.hpp"
#include "engine/data/csv_reader.hpp"
#include "engine/data/interner.hpp"
#include "engine/error.hpp"

namespace knntune::engine {

std::string ColumnRef::describe() const {
    return name.empty() ? "column " + std::to_string(position)
                        : "column '" + printable(name, kEchoBytes) + "'";
}

namespace {

/// The header's names, escaped for a message.
std::string header_text(const std::vector<std::string>& header) {
    std::string have;
    for (const auto& h : header) have += (have.empty() ? "" : ", ") + printable(h, kEchoBytes);
    return have;
}

/// Resolves a column reference to a 0-based field index, from the header when there is one.
/// A name must appear in the header exactly once.
int resolve(const ColumnRef& ref, const std::vector<std::string>& header, std::size_t n_fields,
            const std::string& path, const char* role) {
    if (ref.empty()) return -1;
    if (!ref.name.empty()) {
        if (header.empty()) {
            throw InputError(path + ": " + role + " " + ref.describe() +
                             " named, but the file has no header (use a 1-based position)");
        }
        int found = -1;
        for (std::size_t i = 0; i < header.size(); ++i) {
            if (header[i] != ref.name) continue;
            // NOTE: a repeated name would silently resolve to its first column.
            if (found >= 0) {
                throw InputError(path + ":1: " + role + " " + ref.describe() +
                                 " appears twice in the header (fields " +
                                 std::to_string(found + 1) + " and " + std::to_string(i + 1) +
                                 "); rename one, or give the column by its 1-based position");
            }
            found = static_cast<int>(i);
        }
        if (found >= 0) return found;
        throw InputError(path + ":1: " + role + " " + ref.describe() +
                         " not found in header (columns: " + header_text(header) + ")");
    }
    if (ref.position < 1 || static_cast<std::size_t>(ref.position) > n_fields) {
        throw InputError(path + ":1: " + role + " column " + std::to_string(ref.position) +
                         " out of range: rows have " + std::to_string(n_fields) + " fields");
    }
    return ref.position - 1;
}

/// Names a field in messages: "item id in column 'item' (field 2)".
std::string field_name(const char* what, const ColumnRef& ref, int index) {
    std::string out = std::string(what) + " in " + ref.describe();
    if (!ref.name.empty()) out += " (field " + std::to_string(index + 1) + ")";
    return out;
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
        reader.fail("filter on " + f.column.describe() + ": '" + printable(field, kEchoBytes) +
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
        if (key >= 0) {
            reader.check_id(fields[key], field_name("item key", spec.key, key));
            m.key = fields[key];
        }
        if (name >= 0)
            m.name = reader.label(fields[name], field_name("item name", spec.name, name));
        if (attr >= 0) {
            m.attribute = reader.label(fields[attr], field_name("attribute", spec.attribute, attr));
        }
        out.emplace(std::string(fields[id]), std::move(m));
    }
    return out;
}

/// The resolved column positions of a log and its filters.
struct Columns {
    int user = -1;
    int item = -1;
    int time = -1;
    int value = -1;
    int name = -1;
    std::vector<ResolvedFilter> filters;
};

Columns resolve_columns(const LogSpec& spec, const std::vector<std::string>& header,
                        std::size_t n) {
    Columns c;
    c.user = resolve(spec.user, header, n, spec.path, "user");
    c.item = resolve(spec.item, header, n, spec.path, "item");
    c.time = resolve(spec.timestamp, header, n, spec.path, "timestamp");
    c.value = resolve(spec.value, header, n, spec.path, "value");
    c.name = resolve(spec.item_name, header, n, spec.path, "item name");
    for (const RowFilter& f : spec.filters) {
        c.filters.push_back({resolve(f.column, header, n, spec.path, "filter"), &f});
    }
    return c;
}

/// Builds the RawLog row by row.
class LogBuilder {
  public:
    LogBuilder(const LogSpec& spec, Columns columns)
        : spec_(spec),
          c_(std::move(columns)),
          meta_key_(spec.item_metadata && !spec.item_metadata->key.empty()) {
        if (spec.item_metadata) meta_ = read_item_metadata(*spec.item_metadata);
        log_.has_timestamps = c_.time >= 0;
    }

    /// Adds one data row, or counts it as filtered.
    void add(const std::vector<std::string_view>& fields, const CsvReader& reader) {
        ++log_.rows_read;
        for (const ResolvedFilter& rf : c_.filters) {
            if (!passes(rf, fields[rf.field], reader)) {
                ++log_.rows_filtered;
                return;
            }
        }
        const std::string_view u = fields[c_.user];
        if (u.empty()) {
            reader.fail("empty user id in " + spec_.user.describe() +
                        " (add a not_empty filter to drop such rows)");
        }
        // Consecutive rows often share the user: skip the hash lookup then.
        if (last_user_id_ < 0 || u != last_user_) {
            last_user_id_ = users_.intern(u);
            last_user_.assign(u);
            // A new key is checked once, when it is first seen.
            if (last_user_id_ + 1 == users_.size()) {
                reader.check_id(u, field_name("user id", spec_.user, c_.user));
            }
        }
        log_.user.push_back(last_user_id_);
        log_.item.push_back(add_item(fields, reader));
        if (c_.time >= 0) log_.timestamp.push_back(timestamp(fields[c_.time], reader));
        if (c_.value >= 0) log_.value.push_back(value(fields[c_.value], reader));
    }

    RawLog finish() {
        log_.path = spec_.path;
        log_.user_keys = users_.keys();
        log_.item_keys = items_.keys();
        return std::move(log_);
    }

  private:
    std::int32_t add_item(const std::vector<std::string_view>& fields, const CsvReader& reader) {
        std::string_view it = fields[c_.item];
        if (it.empty()) {
            reader.fail("empty item id in " + spec_.item.describe() +
                        " (add a not_empty filter to drop such rows)");
        }
        const ItemMeta* m = nullptr;
        if (spec_.item_metadata) {
            const auto found = meta_.find(std::string(it));
            if (found == meta_.end()) {
                reader.fail("item '" + printable(it, kEchoBytes) +
                            "' is not in the item metadata file " + spec_.item_metadata->path);
            }
            m = &found->second;
            if (meta_key_) it = m->key;
        }
        const std::int32_t id = items_.intern(it);
        if (static_cast<std::size_t>(id) == log_.item_names.size()) {
            if (!meta_key_) reader.check_id(it, field_name("item id", spec_.item, c_.item));
            log_.item_names.emplace_back();
            if (spec_.item_metadata && !spec_.item_metadata->attribute.empty()) {
                log_.item_attributes.emplace_back(m != nullptr ? m->attribute : "");
            }
        }
        if (log_.item_names[id].empty()) {
            if (c_.name >= 0) {
                log_.item_names[id] = reader.label(
                    fields[c_.name], field_name("item name", spec_.item_name, c_.name));
            } else if (m != nullptr && !m->name.empty()) {
                log_.item_names[id] = m->name;
            }
        }
        return id;
    }

    Timestamp timestamp(std::string_view field, const CsvReader& reader) const {
        const ParsedTimestamp t = parse_timestamp_checked(field);
        if (t.status == TimestampStatus::OutOfRange) {
            reader.fail("timestamp '" + printable(field, kEchoBytes) + "' in " +
                        spec_.timestamp.describe() + " is out of range (" + timestamp_range_text() +
                        ")");
        }
        if (t.status != TimestampStatus::Ok) {
            reader.fail("cannot parse timestamp '" + printable(field, kEchoBytes) + "' in " +
                        spec_.timestamp.describe() +
                        " (expected YYYY-MM-DD[ HH:MM[:SS]], ISO-8601 or unix seconds)");
        }
        return t.value;
    }

    float value(std::string_view field, const CsvReader& reader) const {
        double v = 0.0;
        if (!parse_number(field, v)) {
            reader.fail("value '" + printable(field, kEchoBytes) + "' in " +
                        spec_.value.describe() + " is not a number");
        }
        // NOTE: a value is stored as a float; converting one beyond its range is undefined.
        if (!std::isfinite(v) || std::fabs(v) > std::numeric_limits<float>::max()) {
            reader.fail("value '" + printable(field, kEchoBytes) + "' in " +
                        spec_.value.describe() +
                        " is out of range (a finite number of magnitude at most 3.4e38)");
        }
        return static_cast<float>(v);
    }

    const LogSpec& spec_;
    Columns c_;
    bool meta_key_;
    std::unordered_map<std::string, ItemMeta> meta_;
    RawLog log_;
    StringInterner users_;
    StringInterner items_;
    std::string last_user_;
    std::int32_t last_user_id_ = -1;
};

}  // namespace

RawLog read_log(const LogSpec& spec) {
    if (spec.user.empty() || spec.item.empty()) {
        throw InputError(spec.path + ": the user and item columns must be configured");
    }
    CsvReader reader(spec.path, spec.delimiter);
    std::vector<std::string_view> fields;
    if (!reader.next(fields)) throw InputError(spec.path + ": the file is empty");
    std::vector<std::string> header;
    if (spec.header) header.assign(fields.begin(), fields.end());
    LogBuilder builder(spec, resolve_columns(spec, header, fields.size()));
    // Without a header the first record is already a data row.
    if (!spec.header) builder.add(fields, reader);
    while (reader.next(fields)) builder.add(fields, reader);
    return builder.finish();
}

}  // namespace knntune::engine
