#pragma once
/// Small RAII and I/O helpers over the HDF5 C API, shared by the engine's file formats.
/// Strings are variable-length UTF-8; arrays are 1-D, chunked and deflate-compressed.

#include <hdf5.h>

#include <string>
#include <vector>

#include "common/h5_handle.hpp"

namespace knntune::engine::h5 {

using knntune::h5::Handle;
using knntune::h5::QuietErrors;

/// Throws InputError "HDF5: cannot WHAT" when `status` < 0.
void check(herr_t status, const std::string& what);

void write_string_attr(hid_t obj, const char* name, const std::string& value);
/// Empty when the attribute does not exist.
[[nodiscard]] std::string read_string_attr(hid_t obj, const char* name);
void write_int_attr(hid_t obj, const char* name, long long value);
/// 0 when the attribute does not exist.
[[nodiscard]] long long read_int_attr(hid_t obj, const char* name);

void write_strings(hid_t group, const char* name, const std::vector<std::string>& v);
/// Empty when the dataset does not exist.
[[nodiscard]] std::vector<std::string> read_strings(hid_t group, const char* name,
                                                    const std::string& path);

/// Writes a 1-D numeric dataset.
template <class T>
void write_array(hid_t group, const char* name, hid_t file_type, hid_t mem_type,
                 const std::vector<T>& v) {
    const hsize_t dims[1] = {v.size()};
    Handle space(H5Screate_simple(1, dims, nullptr), H5Sclose);
    Handle plist(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
    if (!v.empty()) {
        const hsize_t chunk[1] = {v.size() < (1U << 18) ? v.size() : (1U << 18)};
        H5Pset_chunk(plist, 1, chunk);
        H5Pset_deflate(plist, 1);
    }
    Handle ds(H5Dcreate2(group, name, file_type, space, H5P_DEFAULT, plist, H5P_DEFAULT), H5Dclose);
    check(ds.ok() ? 0 : -1, std::string("create dataset ") + name);
    if (!v.empty()) check(H5Dwrite(ds, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()), name);
}

/// Reads a 1-D numeric dataset; throws InputError naming `path` when it is missing.
template <class T>
std::vector<T> read_array(hid_t group, const char* name, hid_t mem_type, const std::string& path) {
    Handle ds(H5Dopen2(group, name, H5P_DEFAULT), H5Dclose);
    check(ds.ok() ? 0 : -1, "open dataset " + std::string(name) + " in " + path);
    Handle space(H5Dget_space(ds), H5Sclose);
    hsize_t dims[1] = {0};
    H5Sget_simple_extent_dims(space, dims, nullptr);
    std::vector<T> v(dims[0]);
    if (!v.empty()) check(H5Dread(ds, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()), name);
    return v;
}

/// Writes `path` atomically (common/atomic_file.hpp): `write` receives the open temporary
/// file; on any exception the temporary is removed and an older `path` is untouched.
void write_atomically(const std::string& path, void (*write)(hid_t file, const void* ctx),
                      const void* ctx);

/// Opens an existing file read-only; throws InputError when missing or not HDF5.
[[nodiscard]] hid_t open_read_only(const std::string& path);

}  // namespace knntune::engine::h5
