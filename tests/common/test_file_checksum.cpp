// The whole-file checksum block (common/file_checksum.hpp): the CRC-32C check value, and
// every verdict on intact, damaged, cut, extended and foreign files.

#include <catch2/catch.hpp>
#include <string>

#include "common/error.hpp"
#include "common/file_checksum.hpp"
#include "support/h5_mutants.hpp"
#include "support/temp_dir.hpp"

using namespace knntune;
using Status = ChecksumCheck::Status;

namespace {

std::uint32_t crc_of(const std::string& s) {
    return crc32c({reinterpret_cast<const unsigned char*>(s.data()), s.size()});
}

}  // namespace

TEST_CASE("file checksum: CRC-32C matches its published check values", "[common][checksum]") {
    // RFC 3720 (iSCSI), appendix B.4, and the "123456789" check value of the CRC catalogue.
    CHECK(crc_of("123456789") == 0xE3069283U);
    CHECK(crc_of(std::string(32, '\0')) == 0x8A9136AAU);
    CHECK(crc_of(std::string(32, '\xff')) == 0x62A8AB43U);
    std::string inc;
    for (int i = 0; i < 32; ++i) inc += static_cast<char>(i);
    CHECK(crc_of(inc) == 0x46DD794EU);
    CHECK(crc_of("") == 0U);
    // In pieces, at every split (the 8-byte loop and the byte tail meet everywhere).
    const std::string text = "The quick brown fox jumps over the lazy dog, twice over.";
    for (std::size_t cut = 0; cut <= text.size(); ++cut) {
        const auto* p = reinterpret_cast<const unsigned char*>(text.data());
        CHECK(crc32c({p + cut, text.size() - cut}, crc32c({p, cut})) == crc_of(text));
    }
}

TEST_CASE("file checksum: verdicts on intact, damaged, cut and foreign files",
          "[common][checksum]") {
    test::TempDir dir;
    const std::string body = "\x89HDF\r\n\x1a\n and then some bytes of a file";
    const std::string path = dir.write("f.h5", std::string(kChecksumBlockSize, '\0') + body);
    write_file_checksum(path);
    const std::string good = test::file_bytes(path);
    CHECK(good.rfind("knntune-checksum 1\ncrc32c ", 0) == 0);
    CHECK(good.substr(34, 12 + std::to_string(body.size()).size()) ==
          "\nbytes " + std::to_string(body.size()) + std::string("\n\0\0\0\0", 5));
    CHECK(verify_file_checksum(path).status == Status::Verified);

    // Every single-byte change anywhere is caught: in the block and in the body.
    for (std::size_t at = 0; at < good.size(); ++at) {
        std::string b = good;
        b[at] = static_cast<char>(b[at] ^ 0x01);
        test::write_bytes(path, b);
        INFO("byte " << at);
        CHECK(verify_file_checksum(path).status == Status::Mismatch);
    }
    test::write_bytes(path, good + "x");
    CHECK_THAT(verify_file_checksum(path).problem, Catch::Contains("cut short or appended to"));
    test::write_bytes(path, good.substr(0, good.size() - 1));
    CHECK_THAT(verify_file_checksum(path).problem, Catch::Contains("cut short or appended to"));
    test::write_bytes(path, good.substr(0, 300));
    CHECK(verify_file_checksum(path).problem == "damaged checksum block (the first 512 bytes)");

    test::write_bytes(path, body);  // an HDF5 signature at 0: a file of the older writers
    CHECK(verify_file_checksum(path).status == Status::NoChecksum);
    test::write_bytes(path, "plain text");
    CHECK(verify_file_checksum(path).status == Status::NotHdf5);
    CHECK(verify_file_checksum(dir.path() / "missing").status == Status::Unreadable);
}
