#include "common/file_checksum.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <string_view>
#include <vector>

#include "common/assert.hpp"
#include "common/error.hpp"

namespace knntune {

namespace {

using Tables = std::array<std::array<std::uint32_t, 256>, 8>;

// Slicing-by-8 tables (Kounavis and Berry, "A Systematic Approach to Building High Performance
// Software-Based CRC Generators", 2005): table k advances a byte through k further zero bytes.
constexpr Tables make_tables() {
    Tables t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
        std::uint32_t c = i;
        for (int b = 0; b < 8; ++b) c = (c & 1U) != 0 ? (c >> 1) ^ 0x82F63B78U : c >> 1;
        t[0][i] = c;
    }
    for (std::size_t k = 1; k < 8; ++k) {
        for (std::size_t i = 0; i < 256; ++i)
            t[k][i] = (t[k - 1][i] >> 8) ^ t[0][t[k - 1][i] & 0xFF];
    }
    return t;
}

constexpr Tables kTables = make_tables();

constexpr std::string_view kMagic = "knntune-checksum 1\ncrc32c ";
constexpr std::string_view kHdf5Signature = "\x89HDF\r\n\x1a\n";

/// An open file descriptor, closed on scope exit.
struct Fd {
    int fd;
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
};

/// Reads up to `n` bytes at `offset`; the count read, or -1 with errno set.
long long read_at(int fd, unsigned char* buf, std::size_t n, std::uint64_t offset) {
    std::size_t done = 0;
    while (done < n) {
        const ssize_t r = ::pread(fd, buf + done, n - done, static_cast<off_t>(offset + done));
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return -1;
        if (r == 0) break;
        done += static_cast<std::size_t>(r);
    }
    return static_cast<long long>(done);
}

/// The CRC and count the block records, or nullopt when it is not a well-formed block.
struct Recorded {
    std::uint32_t crc = 0;
    std::uint64_t bytes = 0;
};

bool parse_block(std::string_view block, Recorded& out) {
    if (block.substr(0, kMagic.size()) != kMagic) return false;
    std::size_t at = kMagic.size();
    const auto hex = block.substr(at, 8);
    for (const char c : hex) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    }
    if (std::from_chars(hex.data(), hex.data() + 8, out.crc, 16).ptr != hex.data() + 8)
        return false;
    at += 8;
    constexpr std::string_view kBytes = "\nbytes ";
    if (block.substr(at, kBytes.size()) != kBytes) return false;
    at += kBytes.size();
    const std::size_t digits_end = block.find('\n', at);
    if (digits_end == std::string_view::npos || digits_end == at || digits_end - at > 19)
        return false;
    if (block[at] == '0' && digits_end - at > 1) return false;  // one spelling per number
    const auto [ptr, ec] = std::from_chars(block.data() + at, block.data() + digits_end, out.bytes);
    if (ec != std::errc() || ptr != block.data() + digits_end) return false;
    for (std::size_t i = digits_end + 1; i < block.size(); ++i) {
        if (block[i] != '\0') return false;
    }
    return true;
}

/// CRC-32C and count of the bytes from `offset` to the end of `fd`; false on a read error.
bool checksum_from(int fd, std::uint64_t offset, std::uint32_t& crc, std::uint64_t& count) {
    std::vector<unsigned char> buf(1U << 20);
    crc = 0;
    count = 0;
    for (;;) {
        const long long n = read_at(fd, buf.data(), buf.size(), offset + count);
        if (n < 0) return false;
        if (n == 0) return true;
        crc = crc32c({buf.data(), static_cast<std::size_t>(n)}, crc);
        count += static_cast<std::uint64_t>(n);
    }
}

std::string hex8(std::uint32_t v) {
    char buf[9] = {};
    const auto r = std::to_chars(buf, buf + 8, v, 16);
    const std::string s(buf, r.ptr);
    return std::string(8 - s.size(), '0') + s;
}

}  // namespace

std::uint32_t crc32c(std::span<const unsigned char> bytes, std::uint32_t crc) {
    std::uint32_t c = ~crc;
    const unsigned char* p = bytes.data();
    std::size_t n = bytes.size();
    for (; n >= 8; n -= 8, p += 8) {
        const std::uint32_t lo =
            c ^ (static_cast<std::uint32_t>(p[0]) | static_cast<std::uint32_t>(p[1]) << 8 |
                 static_cast<std::uint32_t>(p[2]) << 16 | static_cast<std::uint32_t>(p[3]) << 24);
        c = kTables[7][lo & 0xFF] ^ kTables[6][(lo >> 8) & 0xFF] ^ kTables[5][(lo >> 16) & 0xFF] ^
            kTables[4][lo >> 24] ^ kTables[3][p[4]] ^ kTables[2][p[5]] ^ kTables[1][p[6]] ^
            kTables[0][p[7]];
    }
    for (; n > 0; --n, ++p) c = (c >> 8) ^ kTables[0][(c ^ *p) & 0xFF];
    return ~c;
}

ChecksumCheck verify_file_checksum(const std::filesystem::path& path) {
    using Status = ChecksumCheck::Status;
    const Fd f{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
    if (f.fd < 0) return {Status::Unreadable, std::strerror(errno)};
    std::array<unsigned char, kChecksumBlockSize + kHdf5Signature.size()> head{};
    const long long got = read_at(f.fd, head.data(), head.size(), 0);
    if (got < 0) return {Status::Unreadable, std::strerror(errno)};
    const std::string_view text(reinterpret_cast<const char*>(head.data()),
                                static_cast<std::size_t>(got));
    if (text.substr(0, kHdf5Signature.size()) == kHdf5Signature) return {Status::NoChecksum, {}};
    Recorded rec;
    if (got < static_cast<long long>(kChecksumBlockSize) ||
        !parse_block(text.substr(0, kChecksumBlockSize), rec)) {
        // The block's own text, or HDF5's signature right after it, says what the file was.
        if (text.substr(0, 8) == kMagic.substr(0, 8) ||
            (text.size() == head.size() && text.substr(kChecksumBlockSize) == kHdf5Signature)) {
            return {Status::Mismatch, "damaged checksum block (the first 512 bytes)"};
        }
        return {Status::NotHdf5, "not an HDF5 file"};
    }
    std::uint32_t crc = 0;
    std::uint64_t count = 0;
    if (!checksum_from(f.fd, kChecksumBlockSize, crc, count)) {
        return {Status::Unreadable, std::strerror(errno)};
    }
    if (count != rec.bytes) {
        return {Status::Mismatch, "the file is " + std::to_string(count + kChecksumBlockSize) +
                                      " bytes long, its checksum block says " +
                                      std::to_string(rec.bytes + kChecksumBlockSize) +
                                      " (cut short or appended to)"};
    }
    if (crc != rec.crc) {
        return {Status::Mismatch, "checksum mismatch (CRC-32C " + hex8(crc) + ", recorded " +
                                      hex8(rec.crc) + "): damaged, or changed by another program"};
    }
    return {Status::Verified, {}};
}

void write_checksum_block(std::span<unsigned char> image) {
    KNNTUNE_ASSERT(image.size() >= kChecksumBlockSize);
    const auto body = image.subspan(kChecksumBlockSize);
    const std::string text =
        std::string(kMagic) + hex8(crc32c(body)) + "\nbytes " + std::to_string(body.size()) + "\n";
    std::memset(image.data(), 0, kChecksumBlockSize);
    std::memcpy(image.data(), text.data(), text.size());
}

void write_file_checksum(const std::filesystem::path& path) {
    const Fd f{::open(path.c_str(), O_RDWR | O_CLOEXEC)};
    const auto fail = [&](const std::string& what) {
        throw IoError(path.string() + ": cannot " + what + ": " + std::strerror(errno));
    };
    if (f.fd < 0) fail("open to write its checksum");
    std::uint32_t crc = 0;
    std::uint64_t count = 0;
    if (!checksum_from(f.fd, kChecksumBlockSize, crc, count)) fail("read it");
    std::string block = std::string(kMagic) + hex8(crc) + "\nbytes " + std::to_string(count) + "\n";
    block.resize(kChecksumBlockSize, '\0');
    std::size_t done = 0;
    while (done < block.size()) {
        const ssize_t w =
            ::pwrite(f.fd, block.data() + done, block.size() - done, static_cast<off_t>(done));
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) fail("write its checksum");
        done += static_cast<std::size_t>(w);
    }
}

}  // namespace knntune
