#pragma once
/// A whole-file checksum kept in the first 512 bytes of a file (HDF5's user block), checked
/// before any parser reads the file.
///
/// Layout of the block (docs/model-file.md, "Damage"): the text
/// `knntune-checksum 1\ncrc32c HHHHHHHH\nbytes N\n` followed by zero bytes up to offset 512,
/// where HHHHHHHH is the CRC-32C (Castagnoli) of bytes 512 .. end, in 8 lowercase hex digits,
/// and N is their count in decimal. HDF5 skips a user block and finds its superblock at offset
/// 512, so h5py and the HDF5 tools read such a file as usual.
///
/// NOTE: the CRC-32C detects every change of up to 32 consecutive bits (any single damaged
/// byte) and every cut or appended byte (the count), so libhdf5 never walks damaged
/// metadata: its own checks do not cover every structure and it can crash or loop on some.

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>

namespace knntune {

/// Bytes reserved at the start of the file for the checksum block.
inline constexpr std::uint64_t kChecksumBlockSize = 512;

/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) of `bytes`, continuing from `crc`
/// (0 for the first piece).
[[nodiscard]] std::uint32_t crc32c(std::span<const unsigned char> bytes, std::uint32_t crc = 0);

/// What `verify_file_checksum` found.
struct ChecksumCheck {
    enum class Status {
        Verified,    ///< the block is intact and the rest of the file matches it
        NoChecksum,  ///< an HDF5 file without a block (written before checksums existed)
        Mismatch,    ///< damaged, cut or changed; `problem` says how
        NotHdf5,     ///< neither a block nor an HDF5 signature at offset 0
        Unreadable,  ///< cannot be opened or read; `problem` gives the system's reason
    };
    Status status = Status::Unreadable;
    std::string problem;  ///< empty when Verified or NoChecksum
};

/// Checks `path` against its checksum block. Reads the whole file once; throws nothing.
[[nodiscard]] ChecksumCheck verify_file_checksum(const std::filesystem::path& path);

/// Writes the checksum block over the first 512 bytes of `image`, the bytes of a whole file
/// that reserves them (an HDF5 file created with a 512-byte user block).
void write_checksum_block(std::span<unsigned char> image);

/// `write_checksum_block` on the file `path`, in place. Throws IoError naming `path`.
void write_file_checksum(const std::filesystem::path& path);

}  // namespace knntune
