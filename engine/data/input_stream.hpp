#pragma once
/// The bytes of an input file, plain or gzip-compressed, read block by block.

#include <cstddef>
#include <memory>
#include <string>

namespace knntune::engine {

/// Reads a file whose format is told by its first bytes: the gzip magic (1f 8b) means gzip
/// (RFC 1952), anything else is passed through unchanged.
///
/// A gzip file is checked whole as it is read: each member must end with its 8-byte trailer,
/// and the trailer's CRC-32 and length (ISIZE) must match the inflated bytes. Members may be
/// concatenated (`cat a.gz b.gz`, RFC 1952 §2.2); they are read one after the other. Bytes
/// after the last member that do not start another member are corrupt data.
///
/// Errors throw `InputError` naming the file: "PATH: truncated gzip stream (...)" when the
/// file ends inside a member, "PATH: corrupt gzip data (CRC mismatch)" and the like when a
/// member does not decode or does not match its trailer.
class InputStream {
  public:
    /// Opens `path`; throws InputError "PATH: cannot open: REASON".
    explicit InputStream(std::string path);
    ~InputStream();
    InputStream(const InputStream&) = delete;
    InputStream& operator=(const InputStream&) = delete;

    /// Reads up to `n` bytes into `dst` and returns how many; 0 only at the end of the data,
    /// and (for gzip) only once the last member has been checked against its trailer.
    std::size_t read(char* dst, std::size_t n);

    /// Reads and discards the rest of the file, so that a damaged gzip file is reported as
    /// such (throws as `read` does) before an error about its content.
    void check_rest();

    /// True when the file is gzip-compressed.
    [[nodiscard]] bool gzip() const;

  private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace knntune::engine
