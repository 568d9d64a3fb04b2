#include "engine/data/csv_reader.hpp"

#include <algorithm>
#include <cstring>

#include "common/text.hpp"
#include "engine/data/input_stream.hpp"
#include "engine/error.hpp"

namespace knntune::engine {

namespace {
constexpr std::size_t kBlock = 1 << 22;  // 4 MiB reads
}

CsvReader::CsvReader(std::string path, char delimiter)
    : path_(std::move(path)), delim_(delimiter), source_(std::make_unique<InputStream>(path_)) {
    buf_.resize(kBlock);
}

CsvReader::~CsvReader() = default;

void CsvReader::fail(const std::string& message) const {
    // NOTE: a damaged gzip file can inflate to bytes that break a row before its trailer is
    // reached; the damage is the error to report, not the row.
    source_->check_rest();
    throw InputError(path_ + ":" + std::to_string(record_line_) + ": " + message);
}

namespace {

/// NOTE: HDF5 stores a string up to its first NUL, so a NUL byte would silently cut an id
/// (and merge `i\0AAA` with `i\0BBB`); it is refused wherever text is stored.
void check_no_nul(const CsvReader& reader, std::string_view field, const std::string& what) {
    const std::size_t nul = field.find('\0');
    if (nul != std::string_view::npos) {
        reader.fail(what + " holds a NUL byte at byte " + std::to_string(nul + 1) + ": '" +
                    printable(field, kEchoBytes) + "'");
    }
}

}  // namespace

void CsvReader::check_id(std::string_view field, const std::string& what) const {
    check_no_nul(*this, field, what);
    const std::size_t bad = invalid_utf8_at(field);
    if (bad != std::string_view::npos) {
        fail(what + " is not valid UTF-8 (byte " + std::to_string(bad + 1) + "): '" +
             printable(field, kEchoBytes) +
             "'; ids are stored as UTF-8, so convert the file first (e.g. iconv -f latin1 -t "
             "utf-8)");
    }
}

std::string CsvReader::label(std::string_view field, const std::string& what) const {
    check_no_nul(*this, field, what);
    return invalid_utf8_at(field) == std::string_view::npos ? std::string(field)
                                                            : replace_invalid_utf8(field);
}

void CsvReader::skip_byte_order_mark() {
    started_ = true;
    while (end_ - begin_ < 3 && fill()) {
    }
    const std::string_view head(buf_.data() + begin_, std::min<std::size_t>(end_ - begin_, 3));
    if (head == "\xEF\xBB\xBF") {
        begin_ += 3;
    } else if (head.starts_with("\xFF\xFE") || head.starts_with("\xFE\xFF")) {
        record_line_ = 1;
        fail(
            "the file is UTF-16 (it starts with a UTF-16 byte order mark); knntune reads "
            "UTF-8: convert it first (e.g. iconv -f utf-16 -t utf-8)");
    }
}

bool CsvReader::fill() {
    if (eof_) return false;
    // Move the unparsed tail to the front, grow when a single record fills the buffer.
    if (begin_ > 0) {
        std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
        end_ -= begin_;
        begin_ = 0;
    }
    if (buf_.size() - end_ < kBlock / 2) buf_.resize(buf_.size() * 2);
    const std::size_t got = source_->read(buf_.data() + end_, buf_.size() - end_);
    if (got == 0) {
        eof_ = true;
        return false;
    }
    end_ += got;
    return true;
}

CsvReader::RecordScan CsvReader::scan_record() const {
    std::size_t pos = begin_;
    RecordScan scan{std::string::npos, false, false, 0};
    const char* data = buf_.data();
    while (pos < end_) {
        if (!scan.in_quotes) {
            const void* nl = std::memchr(data + pos, '\n', end_ - pos);
            const std::size_t stop = nl != nullptr ? static_cast<const char*>(nl) - data : end_;
            const void* q = std::memchr(data + pos, '"', stop - pos);
            if (q == nullptr) {
                if (nl != nullptr) scan.end = stop;
                return scan;
            }
            scan.has_quote = true;
            scan.in_quotes = true;
            pos = static_cast<const char*>(q) - data + 1;
        } else {
            const void* q = std::memchr(data + pos, '"', end_ - pos);
            const std::size_t stop = q != nullptr ? static_cast<const char*>(q) - data : end_;
            for (std::size_t i = pos; i < stop; ++i) scan.newlines += data[i] == '\n';
            if (q == nullptr) return scan;
            scan.in_quotes = false;
            pos = stop + 1;
        }
    }
    return scan;
}

void CsvReader::split_plain(std::size_t begin, std::size_t end,
                            std::vector<std::string_view>& fields) {
    const char* data = buf_.data();
    std::size_t f = begin;
    for (;;) {
        const void* d = std::memchr(data + f, delim_, end - f);
        if (d == nullptr) {
            fields.emplace_back(data + f, end - f);
            return;
        }
        const std::size_t dpos = static_cast<const char*>(d) - data;
        fields.emplace_back(data + f, dpos - f);
        f = dpos + 1;
    }
}

void CsvReader::split_quoted(std::size_t begin, std::size_t end,
                             std::vector<std::string_view>& fields) {
    char* data = buf_.data();
    std::size_t p = begin;
    for (;;) {
        if (p < end && data[p] == '"') {
            // Quoted field: unescape in place (the output never outgrows the input).
            const std::size_t start = p + 1;
            std::size_t w = start;
            std::size_t r = start;
            for (;;) {
                if (r >= end) fail("malformed row: quoted field is not closed");
                if (data[r] == '"') {
                    if (r + 1 < end && data[r + 1] == '"') {
                        data[w++] = '"';
                        r += 2;
                        continue;
                    }
                    ++r;
                    break;
                }
                data[w++] = data[r++];
            }
            fields.emplace_back(data + start, w - start);
            if (r == end) return;
            if (data[r] != delim_) {
                fail("malformed row: unexpected character after closing quote in field " +
                     std::to_string(fields.size()));
            }
            p = r + 1;
        } else {
            std::size_t e = p;
            while (e < end && data[e] != delim_) ++e;
            fields.emplace_back(data + p, e - p);
            if (e == end) return;
            p = e + 1;
        }
    }
}

void CsvReader::check_field_count(std::size_t n) {
    if (expected_fields_ == 0) {
        expected_fields_ = n;
    } else if (n != expected_fields_ &&
               (min_fields_ == 0 || n < min_fields_ || n > expected_fields_)) {
        fail("malformed row: expected " + std::to_string(expected_fields_) + " fields, found " +
             std::to_string(n));
    }
}

bool CsvReader::next(std::vector<std::string_view>& fields) {
    if (!started_) skip_byte_order_mark();
    for (;;) {
        // 1. Find the end of the next record, tracking quote state, so that a record is only
        //    split into fields once it is complete in the buffer.
        RecordScan scan = scan_record();
        if (scan.end == std::string::npos) {
            if (fill()) continue;
            // End of file: the rest (if any) is the last record, without a trailing newline.
            if (begin_ >= end_) return false;
            if (scan.in_quotes) {
                record_line_ = next_line_;
                fail("malformed row: quoted field is not closed before the end of the file");
            }
            scan.end = end_;
        }
        record_line_ = next_line_;
        next_line_ += 1 + scan.newlines;
        const std::size_t rec_begin = begin_;
        std::size_t rec_end = scan.end;
        begin_ = scan.end < end_ ? scan.end + 1 : end_;
        if (rec_end > rec_begin && buf_[rec_end - 1] == '\r') --rec_end;
        if (rec_end == rec_begin) continue;  // blank line

        // 2. Split into fields.
        fields.clear();
        if (scan.has_quote) {
            split_quoted(rec_begin, rec_end, fields);
        } else {
            split_plain(rec_begin, rec_end, fields);
        }
        check_field_count(fields.size());
        return true;
    }
}

char delimiter_for(std::string_view format, std::string_view path) {
    if (format == "csv") return ',';
    if (format == "tsv") return '\t';
    std::string_view p = path;
    if (p.ends_with(".gz")) p.remove_suffix(3);
    if (p.ends_with(".tsv") || p.ends_with(".tab") || p.ends_with(".data")) return '\t';
    return ',';
}

}  // namespace knntune::engine
