#pragma once
/// Test helpers that damage knntune's HDF5 files on purpose: byte flips and cuts, datasets and
/// attributes replaced by ones of another shape, type or value (written with the HDF5 C API,
/// then given a fresh checksum block so that the readers' own validation is what is tested),
/// and copies without a checksum block, as files written before knntune had them.

#include <hdf5.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "common/error.hpp"
#include "common/file_checksum.hpp"
#include "common/h5_handle.hpp"

namespace knntune::test {

inline std::string file_bytes(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void write_bytes(const std::filesystem::path& p, const std::string& bytes) {
    std::ofstream(p, std::ios::binary | std::ios::trunc) << bytes;
}

/// Rewrites the checksum block of `path` for its current content.
inline void restamp(const std::filesystem::path& path) { write_file_checksum(path); }

/// Opens `path` read-write for an edit, then closes it and restamps the checksum.
class H5Edit {
  public:
    explicit H5Edit(std::filesystem::path path)
        : path_(std::move(path)),
          file_(H5Fopen(path_.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), H5Fclose) {
        REQUIRE(file_.ok());
    }
    ~H5Edit() {
        file_.close();
        restamp(path_);
    }
    H5Edit(const H5Edit&) = delete;
    H5Edit& operator=(const H5Edit&) = delete;
    [[nodiscard]] hid_t file() const { return file_.get(); }

    /// Replaces dataset `object` ("/a/b") by one of `type` and shape `dims` holding `data`
    /// (given in `mem_type`).
    void replace_dataset(const std::string& object, hid_t type, const std::vector<hsize_t>& dims,
                         hid_t mem_type, const void* data) const {
        if (H5Lexists(file_.get(), object.c_str(), H5P_DEFAULT) > 0) {
            REQUIRE(H5Ldelete(file_.get(), object.c_str(), H5P_DEFAULT) >= 0);
        }
        const h5::Handle space(
            dims.empty() ? H5Screate(H5S_SCALAR)
                         : H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr),
            H5Sclose);
        const h5::Handle ds(H5Dcreate2(file_.get(), object.c_str(), type, space.get(), H5P_DEFAULT,
                                       H5P_DEFAULT, H5P_DEFAULT),
                            H5Dclose);
        REQUIRE(ds.ok());
        REQUIRE(H5Dwrite(ds.get(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) >= 0);
    }
    template <class T>
    void replace_numbers(const std::string& object, hid_t type, hid_t mem_type,
                         const std::vector<T>& v, std::vector<hsize_t> dims = {}) const {
        if (dims.empty()) dims = {v.size()};
        replace_dataset(object, type, dims, mem_type, v.data());
    }
    /// Replaces attribute `name` of `object` by an array of variable-length strings.
    void string_array_attr(const std::string& object, const char* name,
                           const std::vector<std::string>& values) const {
        const h5::Handle obj(H5Oopen(file_.get(), object.c_str(), H5P_DEFAULT), H5Oclose);
        REQUIRE(obj.ok());
        if (H5Aexists(obj.get(), name) > 0) REQUIRE(H5Adelete(obj.get(), name) >= 0);
        const h5::Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
        H5Tset_size(type.get(), H5T_VARIABLE);
        const hsize_t n = values.size();
        const h5::Handle space(H5Screate_simple(1, &n, nullptr), H5Sclose);
        const h5::Handle a(
            H5Acreate2(obj.get(), name, type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
            H5Aclose);
        std::vector<const char*> ptrs;
        for (const auto& s : values) ptrs.push_back(s.c_str());
        REQUIRE(H5Awrite(a.get(), type.get(), ptrs.data()) >= 0);
    }
    /// Replaces attribute `name` of `object` by a scalar variable-length string.
    void string_attr(const std::string& object, const char* name, const std::string& value) const {
        const h5::Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
        H5Tset_size(type.get(), H5T_VARIABLE);
        const char* p = value.c_str();
        scalar_attr(object, name, type.get(), type.get(), p);
    }
    /// Replaces attribute `name` of `object` by a scalar of `type` holding `value`.
    template <class T>
    void scalar_attr(const std::string& object, const char* name, hid_t type, hid_t mem_type,
                     T value) const {
        const h5::Handle obj(H5Oopen(file_.get(), object.c_str(), H5P_DEFAULT), H5Oclose);
        REQUIRE(obj.ok());
        if (H5Aexists(obj.get(), name) > 0) REQUIRE(H5Adelete(obj.get(), name) >= 0);
        const h5::Handle space(H5Screate(H5S_SCALAR), H5Sclose);
        const h5::Handle a(H5Acreate2(obj.get(), name, type, space.get(), H5P_DEFAULT, H5P_DEFAULT),
                           H5Aclose);
        REQUIRE(H5Awrite(a.get(), mem_type, &value) >= 0);
    }
    /// Removes `object`.
    void remove(const std::string& object) const {
        REQUIRE(H5Ldelete(file_.get(), object.c_str(), H5P_DEFAULT) >= 0);
    }

  private:
    std::filesystem::path path_;
    h5::Handle file_;
};

/// Copies `src` to `dst` without the checksum block, as the writers before it made them: the
/// HDF5 data from offset 512 on, which HDF5 reads with its superblock at offset 0.
inline void copy_without_checksum(const std::filesystem::path& src,
                                  const std::filesystem::path& dst) {
    const std::string bytes = file_bytes(src);
    REQUIRE(bytes.substr(kChecksumBlockSize, 4) == "\x89HDF");
    write_bytes(dst, bytes.substr(kChecksumBlockSize));
}

/// A small deterministic generator (SplitMix64) for choosing mutation sites.
struct SiteGenerator {
    std::uint64_t state;
    std::uint64_t next() {
        std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }
};

/// The byte-level mutants of a file of `original` bytes: `n_flips` single bytes XORed with a
/// non-zero mask (every position when `n_flips` >= the size), and `n_cuts` truncations.
struct ByteMutant {
    std::string bytes;
    std::string what;
};

inline std::vector<ByteMutant> byte_mutants(const std::string& original, std::size_t n_flips,
                                            std::size_t n_cuts, std::uint64_t seed) {
    std::vector<ByteMutant> out;
    SiteGenerator gen{seed};
    const std::size_t size = original.size();
    for (std::size_t k = 0; k < n_flips; ++k) {
        const std::size_t at = n_flips >= size ? k % size : gen.next() % size;
        const auto mask = static_cast<unsigned char>(1 + gen.next() % 255);
        std::string b = original;
        b[at] = static_cast<char>(static_cast<unsigned char>(b[at]) ^ mask);
        out.push_back({std::move(b), "byte " + std::to_string(at) + " ^= " + std::to_string(mask)});
    }
    for (std::size_t k = 0; k < n_cuts; ++k) {
        const std::size_t len = gen.next() % size;
        out.push_back({original.substr(0, len), "cut to " + std::to_string(len) + " bytes"});
    }
    return out;
}

/// How a reader ended on one mutant, run in a child process (`isolated`).
enum class Outcome {
    Equal,       ///< read what was written
    Refused,     ///< a UserError
    Different,   ///< read something else without an error
    OtherError,  ///< another exception (an internal error: exit status 1 in the tool)
    Crash,       ///< killed by a signal (SIGSEGV, SIGABRT, SIGFPE, ...)
    Hang,        ///< still running after the time limit, then killed
};

/// Runs `read` (true when it read what was written) in a forked child and classifies its end;
/// a child running longer than `limit` is killed and counted as a hang.
inline Outcome isolated(const std::function<bool()>& read, std::chrono::milliseconds limit) {
    std::fflush(nullptr);  // so that the child does not repeat buffered output
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        // NOTE: the child inherits Catch's fatal-signal handlers, which would report a crash
        // of the reader as a failed test (and print a summary) before the child dies; with the
        // default actions the child just dies by the signal, and the parent counts a crash.
        for (const int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) ::signal(sig, SIG_DFL);
        int code = 4;
        try {
            code = read() ? 0 : 3;
        } catch (const UserError&) {
            code = 2;
        } catch (...) {
            code = 4;
        }
        ::_exit(code);  // no atexit handlers: the parent owns the HDF5 library state
    }
    const auto deadline = std::chrono::steady_clock::now() + limit;
    int status = 0;
    while (::waitpid(pid, &status, WNOHANG) == 0) {
        if (std::chrono::steady_clock::now() > deadline) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, &status, 0);
            return Outcome::Hang;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    if (WIFSIGNALED(status)) return Outcome::Crash;
    switch (WEXITSTATUS(status)) {
        case 0:
            return Outcome::Equal;
        case 2:
            return Outcome::Refused;
        case 3:
            return Outcome::Different;
        default:
            return WEXITSTATUS(status) == 4 ? Outcome::OtherError : Outcome::Crash;
    }
}

/// Counts of each outcome over a set of mutants.
struct OutcomeCounts {
    std::size_t equal = 0, refused = 0, different = 0, other = 0, crash = 0, hang = 0;
    void add(Outcome o) {
        switch (o) {
            case Outcome::Equal:
                ++equal;
                break;
            case Outcome::Refused:
                ++refused;
                break;
            case Outcome::Different:
                ++different;
                break;
            case Outcome::OtherError:
                ++other;
                break;
            case Outcome::Crash:
                ++crash;
                break;
            case Outcome::Hang:
                ++hang;
                break;
        }
    }
    [[nodiscard]] std::size_t total() const {
        return equal + refused + different + other + crash + hang;
    }
};

inline std::ostream& operator<<(std::ostream& os, const OutcomeCounts& c) {
    return os << c.total() << " mutants: " << c.equal << " read equal, " << c.refused
              << " refused, " << c.different << " read different data, " << c.other
              << " other errors, " << c.crash << " crashes, " << c.hang << " hangs";
}

}  // namespace knntune::test
