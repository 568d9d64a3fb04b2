#pragma once
/// Small RAII and I/O helpers over the HDF5 C API, shared by the engine's file formats.
/// Strings are variable-length UTF-8; arrays are 1-D, chunked, deflate-compressed and
/// Fletcher32-checksummed; files carry a whole-file checksum (common/file_checksum.hpp).
///
/// Every reader validates before it reads: an object's rank, shape and type class and size
/// are checked against the documented layout, and a problem throws InputError
/// "FILE: /OBJECT: what is wrong" (the file name is the one the file was opened with).

#include <hdf5.h>

#include <string>
#include <type_traits>
#include <vector>

#include "common/h5_handle.hpp"
#include "engine/csr.hpp"

namespace knntune::engine::h5 {

using knntune::h5::Handle;
using knntune::h5::QuietErrors;

/// Throws InputError "HDF5: cannot WHAT" when `status` < 0.
void check(herr_t status, const std::string& what);

/// The name `obj`'s file was opened with.
[[nodiscard]] std::string file_name(hid_t obj);
/// "/GROUP/NAME": the path of `name` below `loc` ("/NAME" when `name` is empty: `loc` itself).
[[nodiscard]] std::string object_path(hid_t loc, const char* name);
/// Throws InputError "FILE: /GROUP/NAME: PROBLEM".
[[noreturn]] void fail(hid_t loc, const char* name, const std::string& problem);

void write_string_attr(hid_t obj, const char* name, const std::string& value);
/// Empty when the attribute does not exist; throws InputError naming the file and the
/// attribute when it is not a scalar variable-length string.
[[nodiscard]] std::string read_string_attr(hid_t obj, const char* name);
void write_int_attr(hid_t obj, const char* name, long long value);
/// 0 when the attribute does not exist; throws InputError when it is not a scalar integer.
[[nodiscard]] long long read_int_attr(hid_t obj, const char* name);

void write_strings(hid_t group, const char* name, const std::vector<std::string>& v);
/// Empty when the dataset does not exist; throws InputError naming the file and the dataset
/// when it is not a 1-D array of variable-length strings.
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
        H5Pset_fletcher32(plist);
    }
    Handle ds(H5Dcreate2(group, name, file_type, space, H5P_DEFAULT, plist, H5P_DEFAULT), H5Dclose);
    check(ds.ok() ? 0 : -1, std::string("create dataset ") + name);
    if (!v.empty()) check(H5Dwrite(ds, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()), name);
}

/// Opens the 1-D dataset `name` of `group` whose elements are of class `type_class` and
/// `type_size` bytes, and sets `n` to its length. Throws InputError naming the file and the
/// dataset when it is missing, of another rank, class or size, or declares more elements than
/// its stored bytes can hold.
[[nodiscard]] Handle open_array(hid_t group, const char* name, H5T_class_t type_class,
                                std::size_t type_size, std::size_t& n);

/// Reads a 1-D numeric dataset whose file type has T's class (integer or floating point) and
/// size; throws InputError naming the file and the dataset otherwise (see `open_array`).
template <class T>
std::vector<T> read_array(hid_t group, const char* name, hid_t mem_type,
                          [[maybe_unused]] const std::string& path) {
    static_assert(std::is_arithmetic_v<T>);
    std::size_t n = 0;
    const Handle ds = open_array(group, name, std::is_floating_point_v<T> ? H5T_FLOAT : H5T_INTEGER,
                                 sizeof(T), n);
    std::vector<T> v(n);
    if (!v.empty()) {
        if (H5Dread(ds, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()) < 0) {
            fail(group, name, "cannot read the dataset (damaged?)");
        }
    }
    return v;
}

/// Writes a CSR matrix as the group `name` of `parent`: datasets indptr (int64), indices
/// (int32), data (float32) and shape (int64[2]).
void write_csr(hid_t parent, const char* name, const CsrMatrix& m);

/// Reads and validates a group written by `write_csr`: shape [rows, cols] within the Index
/// range, indptr of rows+1 entries from 0 to nnz and never decreasing, indices and data of nnz
/// entries, every column index in [0, cols) (strictly increasing within a row when
/// `sorted_rows`), every value finite. Throws InputError naming the file and the object.
[[nodiscard]] CsrMatrix read_csr(hid_t parent, const char* name, bool sorted_rows);

/// Opens the group `name` of `parent`; throws InputError naming the file when it is missing.
[[nodiscard]] Handle open_group(hid_t parent, const char* name);

/// Writes `path` atomically (common/atomic_file.hpp): `write` receives a new file built in
/// memory (common/h5_handle.hpp, `in_memory_access`), whose bytes, with their whole-file
/// checksum block, are then written through a temporary and renamed over `path`. On any
/// exception an older `path` is untouched; a write error (a full disk) throws IoError.
void write_atomically(const std::string& path, void (*write)(hid_t file, const void* ctx),
                      const void* ctx);

/// Opens an existing file read-only after checking its whole-file checksum; throws InputError
/// when it is missing, not HDF5, or damaged (the message ends with `regenerate`, a hint on how
/// to write the file again). A file without a checksum block (written before knntune had
/// them) is opened without that check.
[[nodiscard]] hid_t open_read_only(const std::string& path, const std::string& regenerate = {});

}  // namespace knntune::engine::h5
