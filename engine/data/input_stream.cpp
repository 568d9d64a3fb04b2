#include "engine/data/input_stream.hpp"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <new>
#include <string_view>
#include <vector>

#include "engine/error.hpp"

namespace knntune::engine {

namespace {

constexpr std::size_t kRawBlock = 1 << 20;  // 1 MiB reads from the file
constexpr unsigned char kGzipMagic[2] = {0x1f, 0x8b};
constexpr int kGzipWindowBits = 16 + MAX_WBITS;  // a gzip wrapper only, no zlib or raw deflate

/// What zlib's message for a bad member means to the user.
std::string describe_zlib(const char* message) {
    const std::string_view m = message != nullptr ? message : "";
    if (m == "incorrect data check") return "CRC mismatch";
    if (m == "incorrect length check") return "length mismatch: ISIZE differs from the data";
    if (m == "header crc mismatch") return "header CRC mismatch";
    return m.empty() ? "undecodable data" : std::string(m);
}

}  // namespace

struct InputStream::State {
    std::string path;
    std::FILE* file = nullptr;
    std::vector<unsigned char> raw = std::vector<unsigned char>(kRawBlock);
    z_stream zs{};             ///< next_in/avail_in: the unread part of `raw`, plain files too
    bool gzip = false;         ///< zs is an initialised inflate stream
    bool between = false;      ///< after the trailer of a member
    bool done = false;         ///< the last member has been read and checked
    long long member = 1;      ///< the member being read, 1-based
    long long file_bytes = 0;  ///< bytes read from the file so far

    ~State() {
        if (gzip) inflateEnd(&zs);
        if (file != nullptr) std::fclose(file);
    }

    [[noreturn]] void fail(const std::string& message) const {
        throw InputError(path + ": " + message);
    }

    /// Replaces the consumed input with the next block of the file (none at its end).
    void fill_raw() {
        const std::size_t got = std::fread(raw.data(), 1, raw.size(), file);
        if (got == 0 && std::ferror(file) != 0) fail(std::string("read error: ") + strerror(errno));
        file_bytes += static_cast<long long>(got);
        zs.next_in = raw.data();
        zs.avail_in = static_cast<uInt>(got);
    }

    std::size_t read_plain(char* dst, std::size_t n) {
        if (zs.avail_in > 0) {
            const std::size_t k = std::min<std::size_t>(n, zs.avail_in);
            std::memcpy(dst, zs.next_in, k);
            zs.next_in += k;
            zs.avail_in -= static_cast<uInt>(k);
            return k;
        }
        const std::size_t got = std::fread(dst, 1, n, file);
        if (got == 0 && std::ferror(file) != 0) fail(std::string("read error: ") + strerror(errno));
        return got;
    }

    /// Starts the next member after a trailer; the input holds at least one byte.
    void next_member() {
        if (zs.next_in[0] != kGzipMagic[0]) {
            fail("corrupt gzip data (unexpected bytes after the end of member " +
                 std::to_string(member) + ")");
        }
        inflateReset(&zs);
        between = false;
        ++member;
    }

    std::size_t read_gzip(char* dst, std::size_t n) {
        if (done) return 0;
        zs.next_out = reinterpret_cast<Bytef*>(dst);
        zs.avail_out = static_cast<uInt>(std::min<std::size_t>(n, UINT_MAX));
        const uInt want = zs.avail_out;
        while (zs.avail_out == want) {
            if (zs.avail_in == 0) fill_raw();
            if (zs.avail_in == 0) {  // the end of the file
                if (between) {
                    done = true;
                    break;
                }
                fail("truncated gzip stream (the file ends inside member " +
                     std::to_string(member) + ", after " + std::to_string(file_bytes) + " bytes)");
            }
            if (between) next_member();
            const int rc = inflate(&zs, Z_NO_FLUSH);
            if (rc == Z_STREAM_END) {
                between = true;  // inflate has checked the trailer's CRC-32 and ISIZE
            } else if (rc == Z_MEM_ERROR) {
                throw std::bad_alloc();
            } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
                fail("corrupt gzip data (" + describe_zlib(zs.msg) + ")");
            }
        }
        return want - zs.avail_out;
    }
};

InputStream::InputStream(std::string path) : state_(std::make_unique<State>()) {
    State& s = *state_;
    s.path = std::move(path);
    s.file = std::fopen(s.path.c_str(), "rb");
    if (s.file == nullptr) s.fail(std::string("cannot open: ") + strerror(errno));
    s.fill_raw();
    if (s.zs.avail_in >= 2 && s.raw[0] == kGzipMagic[0] && s.raw[1] == kGzipMagic[1]) {
        if (inflateInit2(&s.zs, kGzipWindowBits) != Z_OK) throw std::bad_alloc();
        s.gzip = true;
    }
}

InputStream::~InputStream() = default;

std::size_t InputStream::read(char* dst, std::size_t n) {
    return state_->gzip ? state_->read_gzip(dst, n) : state_->read_plain(dst, n);
}

void InputStream::check_rest() {
    if (!state_->gzip) return;
    std::vector<char> scratch(1 << 16);
    for (std::size_t got = 1; got > 0;) got = read(scratch.data(), scratch.size());
}

bool InputStream::gzip() const { return state_->gzip; }

}  // namespace knntune::engine
