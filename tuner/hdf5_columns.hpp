#pragma once
/// Column and attribute I/O of the HDF5 trial log (tuner/hdf5_storage.cpp; layout in
/// docs/trial-log.md). Internal to the tuner.
///
/// The reader validates each object before it reads it: attributes are scalars of the
/// documented class, columns 1-D arrays of the documented class and size with the expected
/// number of rows; a problem throws StorageError "trial log 'PATH': /OBJECT: what is wrong".

#include <hdf5.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "common/h5_handle.hpp"
#include "tuner/error.hpp"

namespace knntune::tuner::h5log {

using knntune::h5::Handle;

/// Throws StorageError "HDF5 failed to WHAT in trial log 'PATH'" when `status` < 0.
void check(herr_t status, const std::string& what, const std::string& path);
/// `id`, or throws as `check` when it is negative.
hid_t check_id(hid_t id, const std::string& what, const std::string& path);
/// A variable-length UTF-8 string type.
Handle vlen_string_type();

/// Writes attributes, groups and columns of one trial log.
struct Writer {
    std::string path;

    void string_attr(hid_t loc, const char* name, const std::string& value) const;
    void strings_attr(hid_t loc, const char* name, const std::vector<std::string>& values) const;
    template <class T>
    void scalar_attr(hid_t loc, const char* name, hid_t type, T value) const {
        Handle space(H5Screate(H5S_SCALAR), H5Sclose);
        Handle a(check_id(H5Acreate2(loc, name, type, space.get(), H5P_DEFAULT, H5P_DEFAULT),
                          std::string("create attribute ") + name, path),
                 H5Aclose);
        check(H5Awrite(a.get(), type, &value), std::string("write attribute ") + name, path);
    }
    [[nodiscard]] Handle group(hid_t loc, const char* name, const std::string& what) const;
    /// One column of `v.size()` rows, stored as `file_type`, given in memory as `mem_type`.
    template <class T>
    void column(hid_t group, const std::string& name, hid_t file_type, hid_t mem_type,
                const std::vector<T>& v) const {
        const hsize_t n = v.size();
        Handle space(H5Screate_simple(1, &n, nullptr), H5Sclose);
        Handle d(check_id(H5Dcreate2(group, name.c_str(), file_type, space.get(), H5P_DEFAULT,
                                     H5P_DEFAULT, H5P_DEFAULT),
                          "create dataset " + name, path),
                 H5Dclose);
        if (!v.empty()) {
            check(H5Dwrite(d.get(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()),
                  "write dataset " + name, path);
        }
    }
    void doubles(hid_t group, const std::string& name, const std::vector<double>& v) const;
    void int64s(hid_t group, const std::string& name, const std::vector<std::int64_t>& v) const;
    void strings(hid_t group, const std::string& name, const std::vector<std::string>& v) const;
};

/// Reads and validates attributes, groups and columns of one trial log.
struct Reader {
    std::string path;

    /// Throws StorageError "trial log 'PATH': /OBJECT: PROBLEM" (`name` below `loc`).
    [[noreturn]] void fail(hid_t loc, const std::string& name, const std::string& problem) const;
    /// Throws StorageError "trial log 'PATH': /OBJECT attribute 'NAME': PROBLEM".
    [[noreturn]] void fail_attr(hid_t loc, const char* name, const std::string& problem) const;
    [[nodiscard]] bool has_attr(hid_t loc, const char* name) const;
    /// A scalar variable-length string; throws when missing.
    [[nodiscard]] std::string string_attr(hid_t loc, const char* name) const;
    /// A 1-D array of variable-length strings.
    [[nodiscard]] std::vector<std::string> strings_attr(hid_t loc, const char* name) const;
    /// A scalar integer or floating-point attribute (`mem_type`'s class) read as `mem_type`.
    template <class T>
    T scalar_attr(hid_t loc, const char* name, hid_t mem_type) const {
        const Handle a =
            open_attr(loc, name, {.scalar = true, .type_class = H5Tget_class(mem_type)});
        T v{};
        if (H5Aread(a.get(), mem_type, &v) < 0) fail_attr(loc, name, "cannot read (damaged?)");
        return v;
    }
    /// A group below `loc`; throws when it is missing or not a group.
    [[nodiscard]] Handle group(hid_t loc, const char* name) const;
    /// Number of rows of the 1-D column `name` of class `want`.
    [[nodiscard]] std::size_t rows(hid_t group, const std::string& name,
                                   const knntune::h5::Layout& want) const;
    /// One column of `n` rows, read as `mem_type`.
    template <class T>
    std::vector<T> column(hid_t group, const std::string& name, std::size_t n, hid_t mem_type,
                          const knntune::h5::Layout& want) const {
        auto [d, n_rows] = open_dataset(group, name, want);
        if (n_rows != n) {
            fail(group, name,
                 "has " + std::to_string(n_rows) + " rows, expected " + std::to_string(n));
        }
        std::vector<T> v(n);
        if (n > 0 && H5Dread(d.get(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()) < 0) {
            fail(group, name, "cannot read the column (damaged?)");
        }
        return v;
    }
    [[nodiscard]] std::vector<double> doubles(hid_t group, const std::string& name,
                                              std::size_t n) const;
    [[nodiscard]] std::vector<std::int64_t> int64s(hid_t group, const std::string& name,
                                                   std::size_t n) const;
    [[nodiscard]] std::vector<std::string> strings(hid_t group, const std::string& name,
                                                   std::size_t n) const;
    /// Names of the links of `group`, by name.
    [[nodiscard]] std::vector<std::string> children(hid_t group) const;

  private:
    [[nodiscard]] Handle open_attr(hid_t loc, const char* name,
                                   const knntune::h5::Layout& want) const;
    [[nodiscard]] std::pair<Handle, std::size_t> open_dataset(
        hid_t group, const std::string& name, const knntune::h5::Layout& want) const;
};

}  // namespace knntune::tuner::h5log
