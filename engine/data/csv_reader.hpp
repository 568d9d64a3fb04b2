#pragma once
/// Streaming reader of delimited text (CSV/TSV, RFC-4180 quoting), plain or gzip-compressed.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace knntune::engine {

class InputStream;

/// Reads a delimited file record by record, in large blocks, without allocating per field.
///
/// - gzip input is detected from its magic bytes and inflated as a stream, each member checked
///   against its trailer (InputStream): a truncated or corrupt file is an error, never a
///   shorter log.
/// - Fields may be quoted with `"`; a quoted field may contain the delimiter, newlines and
///   doubled quotes (`""` → `"`). A quote that is not followed by a delimiter or the end of the
///   record, or a quoted field left open at the end of the file, is a malformed row.
/// - `\r\n` and `\n` line ends are accepted; blank lines are skipped.
/// - Every record must have the same number of fields as the first one (the header when
///   there is one).
/// - A UTF-8 byte order mark (EF BB BF) at the start of the data is skipped; a UTF-16 one
///   (FF FE or FE FF) is an error: the file must be converted to UTF-8 first.
/// - Bytes are returned as they are; `check_id` and `label` apply the rules for the text
///   that is stored (docs/prepared-data.md, "Text in the input").
///
/// Errors throw `InputError` with `path:line: ...`.
class CsvReader {
  public:
    /// Opens `path`; throws InputError when it cannot be opened.
    CsvReader(std::string path, char delimiter);
    ~CsvReader();
    CsvReader(const CsvReader&) = delete;
    CsvReader& operator=(const CsvReader&) = delete;

    /// Reads the next record into `fields`; returns false at the end of the file. The views
    /// stay valid until the next call.
    bool next(std::vector<std::string_view>& fields);

    /// Accepts records with fewer fields than the first one, down to `n` (trailing optional
    /// columns, e.g. a value that defaults to 1). By default every record must be complete.
    void set_min_fields(std::size_t n) { min_fields_ = n; }

    /// Line number (1-based) where the last record returned by `next` starts.
    [[nodiscard]] long line() const { return record_line_; }
    [[nodiscard]] const std::string& path() const { return path_; }

    /// Throws InputError "path:line: message" for the current record.
    [[noreturn]] void fail(const std::string& message) const;

    /// Checks a field of the current record that is stored as an id: it must not hold a NUL
    /// byte and must be well-formed UTF-8. Fails with "path:line: WHAT holds a NUL byte at
    /// byte K: 'VALUE'" or "... is not valid UTF-8 (byte K): 'VALUE'; ...", VALUE escaped
    /// (`printable`). `what` names the field, e.g. "item id in column 'item' (field 2)".
    void check_id(std::string_view field, const std::string& what) const;

    /// A display text of the current record (an item name, an attribute) as it is stored: a
    /// NUL byte fails as in `check_id`; ill-formed UTF-8 is replaced by U+FFFD.
    [[nodiscard]] std::string label(std::string_view field, const std::string& what) const;

  private:
    bool fill();  // reads more bytes; returns false at end of file
    void skip_byte_order_mark();
    /// Where the record starting at begin_ ends in the buffer (npos when it is not complete
    /// yet), whether it holds a quote, whether a quote is open at the end of the buffer, and
    /// how many newlines its quoted fields hold.
    struct RecordScan {
        std::size_t end;
        bool has_quote;
        bool in_quotes;
        long newlines;
    };
    [[nodiscard]] RecordScan scan_record() const;
    /// Splits [begin, end) of the buffer into fields: plain, or with RFC 4180 quotes
    /// (unescaped in place).
    void split_plain(std::size_t begin, std::size_t end, std::vector<std::string_view>& fields);
    void split_quoted(std::size_t begin, std::size_t end, std::vector<std::string_view>& fields);
    /// Fails when a record's field count disagrees with the first record's.
    void check_field_count(std::size_t n);

    std::string path_;
    char delim_;
    std::unique_ptr<InputStream> source_;
    std::vector<char> buf_;
    std::size_t begin_ = 0;  // first unparsed byte
    std::size_t end_ = 0;    // one past the last valid byte
    bool eof_ = false;
    bool started_ = false;  ///< the start of the data has been checked for a byte order mark
    long next_line_ = 1;
    long record_line_ = 0;
    std::size_t expected_fields_ = 0;
    std::size_t min_fields_ = 0;  ///< 0: records must have expected_fields_
};

/// Picks the delimiter for `format` ("csv", "tsv") or, for "auto", from the file name:
/// `.tsv`/`.tab`/`.data` (optionally followed by `.gz`) means tab, anything else comma.
[[nodiscard]] char delimiter_for(std::string_view format, std::string_view path);

}  // namespace knntune::engine
