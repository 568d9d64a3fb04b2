#pragma once
/// Reading a raw interaction log into columnar rows with interned user and item keys.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/data/timestamp.hpp"

namespace knntune::engine {

/// A column chosen by header name, or by 1-based position for files without a header.
struct ColumnRef {
    std::string name;  ///< header name; empty when chosen by position
    int position = 0;  ///< 1-based position; 0 when chosen by name
    [[nodiscard]] bool empty() const { return name.empty() && position == 0; }
    [[nodiscard]] std::string describe() const;
};

/// Comparison applied by a row filter.
enum class FilterOp {
    NotEmpty,  ///< keep rows whose field is non-empty
    Empty,     ///< keep rows whose field is empty
    Gt,
    Ge,
    Lt,
    Le,
    Eq,
    Ne,  ///< numeric comparison with `number`
    Equals,
    NotEquals,  ///< string (in)equality with `text`
    StartsWith,
    NotStartsWith,  ///< string prefix test with `text`
};

/// Keeps a row only when `column op value` holds. Rows failing any filter are dropped.
struct RowFilter {
    ColumnRef column;
    FilterOp op = FilterOp::NotEmpty;
    double number = 0.0;  ///< operand of numeric ops
    std::string text;     ///< operand of string ops
};

/// A separate item file: maps the log's item id to a grouping key, a display name and an
/// attribute (e.g. a product category used to colour plots).
struct ItemMetadataSpec {
    std::string path;
    char delimiter = ',';
    bool header = true;
    ColumnRef id;         ///< matches the log's item column
    ColumnRef key;        ///< optional: items are grouped by this column instead of the id
    ColumnRef name;       ///< optional display name
    ColumnRef attribute;  ///< optional attribute
};

/// How to read one interaction log.
struct LogSpec {
    std::string path;
    char delimiter = ',';
    bool header = true;
    ColumnRef user;
    ColumnRef item;       ///< the item key: interactions are grouped into items by this column
    ColumnRef timestamp;  ///< optional: no timestamp means only a random holdout split works
    ColumnRef value;      ///< optional numeric value (summed by `feedback: value`)
    ColumnRef item_name;  ///< optional display name column
    std::vector<RowFilter> filters;
    std::optional<ItemMetadataSpec> item_metadata;
};

/// The rows that passed the filters, as parallel columns. Ids index `user_keys`/`item_keys`,
/// numbered in order of first appearance.
struct RawLog {
    std::string path;  ///< the file read, named in errors about its rows
    std::vector<std::string> user_keys;
    std::vector<std::string> item_keys;
    std::vector<std::string> item_names;       ///< per item key; empty when unknown
    std::vector<std::string> item_attributes;  ///< per item key; empty vector when none configured
    std::vector<std::int32_t> user;            ///< one per row
    std::vector<std::int32_t> item;            ///< one per row
    std::vector<Timestamp> timestamp;          ///< one per row, or empty when the log has none
    std::vector<float> value;                  ///< one per row, or empty when no value column
    std::int64_t rows_read = 0;                ///< data rows in the file
    std::int64_t rows_filtered = 0;            ///< rows dropped by the row filters

    [[nodiscard]] std::size_t size() const { return user.size(); }
    bool has_timestamps = false;  ///< true when a timestamp column was configured
};

/// Reads the log. Throws InputError naming the file and line for a missing file, a missing
/// column or one the header names twice, a malformed row, an unparseable timestamp or number,
/// an empty user/item key, or an id (user, item, item key) holding a NUL byte or bytes that
/// are not UTF-8. Ill-formed UTF-8 in an item name or attribute becomes U+FFFD
/// (docs/prepared-data.md, "Text in the input").
[[nodiscard]] RawLog read_log(const LogSpec& spec);

}  // namespace knntune::engine
