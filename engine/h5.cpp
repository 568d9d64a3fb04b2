#include "engine/h5.hpp"

#include <cmath>
#include <filesystem>
#include <limits>
#include <string_view>
#include <vector>

#include "common/atomic_file.hpp"
#include "common/file_checksum.hpp"
#include "engine/error.hpp"

namespace knntune::engine::h5 {

namespace {

/// NOTE: deflate cannot compress by more than about 1032:1, so a dataset declaring more
/// elements than 1100 times its stored bytes can hold is damaged (or has unwritten chunks,
/// which knntune never leaves); refusing it keeps a forged length from allocating terabytes.
constexpr double kMaxCompression = 1100.0;

Handle vlen_string_type() {
    Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
    check(H5Tset_size(type, H5T_VARIABLE), "set string type");
    check(H5Tset_cset(type, H5T_CSET_UTF8), "set string charset");
    return type;
}

[[noreturn]] void fail_attr(hid_t obj, const char* name, const std::string& problem) {
    throw InputError(file_name(obj) + ": " + object_path(obj, "") + " attribute '" + name +
                     "': " + problem);
}

/// Opens attribute `name` of `obj`, which must be a scalar of class `type_class`.
Handle open_scalar_attr(hid_t obj, const char* name, H5T_class_t type_class) {
    Handle attr(H5Aopen(obj, name, H5P_DEFAULT), H5Aclose);
    if (!attr.ok()) fail_attr(obj, name, "cannot open (damaged?)");
    const Handle space(H5Aget_space(attr), H5Sclose);
    const Handle type(H5Aget_type(attr), H5Tclose);
    const std::string problem = knntune::h5::layout_problem(
        space, type, {.scalar = true, .type_class = type_class, .type_size = 0});
    if (!problem.empty()) fail_attr(obj, name, problem);
    return attr;
}

std::string csr_problem(const CsrMatrix& m, bool sorted_rows, std::string& object) {
    const auto rows = static_cast<std::size_t>(m.rows);
    if (m.indptr.size() != rows + 1) {
        object = "indptr";
        return "has " + std::to_string(m.indptr.size()) +
               " entries, expected rows + 1 = " + std::to_string(rows + 1);
    }
    object = "indptr";
    if (m.indptr.front() != 0) return "starts at " + std::to_string(m.indptr.front()) + ", not 0";
    for (std::size_t r = 0; r < rows; ++r) {
        if (m.indptr[r + 1] < m.indptr[r]) {
            return "decreases at entry " + std::to_string(r + 1) + " (" +
                   std::to_string(m.indptr[r]) + " then " + std::to_string(m.indptr[r + 1]) + ")";
        }
    }
    if (static_cast<std::uint64_t>(m.indptr.back()) != m.indices.size()) {
        return "ends at " + std::to_string(m.indptr.back()) + " but indices has " +
               std::to_string(m.indices.size()) + " entries";
    }
    object = "data";
    if (m.values.size() != m.indices.size()) {
        return "has " + std::to_string(m.values.size()) + " entries, indices has " +
               std::to_string(m.indices.size());
    }
    for (std::size_t p = 0; p < m.values.size(); ++p) {
        if (!std::isfinite(m.values[p])) return "entry " + std::to_string(p) + " is not finite";
    }
    object = "indices";
    for (std::size_t r = 0; r < rows; ++r) {
        for (Offset p = m.indptr[r]; p < m.indptr[r + 1]; ++p) {
            const Index c = m.indices[static_cast<std::size_t>(p)];
            if (c < 0 || c >= m.cols) {
                return "entry " + std::to_string(p) + " is " + std::to_string(c) +
                       ", outside [0, " + std::to_string(m.cols) + ") (the number of columns)";
            }
            if (sorted_rows && p > m.indptr[r] && c <= m.indices[static_cast<std::size_t>(p - 1)]) {
                return "row " + std::to_string(r) + " is not strictly increasing at entry " +
                       std::to_string(p);
            }
        }
    }
    return {};
}

}  // namespace

void check(herr_t status, const std::string& what) {
    if (status < 0) throw InputError("HDF5: cannot " + what);
}

std::string file_name(hid_t obj) {
    const ssize_t len = H5Fget_name(obj, nullptr, 0);
    if (len <= 0) return "(unnamed HDF5 file)";
    std::string name(static_cast<std::size_t>(len), '\0');
    H5Fget_name(obj, name.data(), name.size() + 1);
    return name;
}

std::string object_path(hid_t loc, const char* name) { return knntune::h5::object_path(loc, name); }

void fail(hid_t loc, const char* name, const std::string& problem) {
    throw InputError(file_name(loc) + ": " + object_path(loc, name) + ": " + problem);
}

void write_string_attr(hid_t obj, const char* name, const std::string& value) {
    const Handle type = vlen_string_type();
    Handle space(H5Screate(H5S_SCALAR), H5Sclose);
    Handle attr(H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
    const char* p = value.c_str();
    check(H5Awrite(attr, type, &p), std::string("write attribute ") + name);
}

std::string read_string_attr(hid_t obj, const char* name) {
    const htri_t exists = H5Aexists(obj, name);
    if (exists < 0) fail_attr(obj, name, "cannot look it up (damaged?)");
    if (exists == 0) return {};
    const Handle attr = open_scalar_attr(obj, name, H5T_STRING);
    const Handle type = vlen_string_type();
    char* p = nullptr;
    if (H5Aread(attr, type, &p) < 0) fail_attr(obj, name, "cannot read (damaged?)");
    std::string out = p != nullptr ? p : "";
    H5free_memory(p);
    return out;
}

void write_int_attr(hid_t obj, const char* name, long long value) {
    Handle space(H5Screate(H5S_SCALAR), H5Sclose);
    Handle attr(H5Acreate2(obj, name, H5T_STD_I64LE, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
    check(H5Awrite(attr, H5T_NATIVE_LLONG, &value), std::string("write attribute ") + name);
}

long long read_int_attr(hid_t obj, const char* name) {
    const htri_t exists = H5Aexists(obj, name);
    if (exists < 0) fail_attr(obj, name, "cannot look it up (damaged?)");
    if (exists == 0) return 0;
    const Handle attr = open_scalar_attr(obj, name, H5T_INTEGER);
    long long v = 0;
    if (H5Aread(attr, H5T_NATIVE_LLONG, &v) < 0) fail_attr(obj, name, "cannot read (damaged?)");
    return v;
}

void write_strings(hid_t group, const char* name, const std::vector<std::string>& v) {
    const Handle type = vlen_string_type();
    const hsize_t dims[1] = {v.size()};
    Handle space(H5Screate_simple(1, dims, nullptr), H5Sclose);
    Handle ds(H5Dcreate2(group, name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
              H5Dclose);
    check(ds.ok() ? 0 : -1, std::string("create dataset ") + name);
    std::vector<const char*> ptrs;
    ptrs.reserve(v.size());
    for (const auto& s : v) ptrs.push_back(s.c_str());
    if (!v.empty()) check(H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()), name);
}

std::vector<std::string> read_strings(hid_t group, const char* name,
                                      [[maybe_unused]] const std::string& path) {
    const htri_t exists = H5Lexists(group, name, H5P_DEFAULT);
    if (exists < 0) fail(group, name, "cannot look it up (damaged?)");
    if (exists == 0) return {};
    std::size_t n = 0;
    const Handle ds = open_array(group, name, H5T_STRING, sizeof(char*), n);
    const Handle type = vlen_string_type();
    std::vector<char*> ptrs(n, nullptr);
    std::vector<std::string> out;
    if (ptrs.empty()) return out;
    if (H5Dread(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()) < 0) {
        fail(group, name, "cannot read the strings (damaged?)");
    }
    out.reserve(ptrs.size());
    for (char* p : ptrs) out.emplace_back(p != nullptr ? p : "");
    const Handle space(H5Dget_space(ds), H5Sclose);
    H5Dvlen_reclaim(type, space, H5P_DEFAULT, ptrs.data());
    return out;
}

Handle open_array(hid_t group, const char* name, H5T_class_t type_class, std::size_t type_size,
                  std::size_t& n) {
    const htri_t exists = H5Lexists(group, name, H5P_DEFAULT);
    if (exists <= 0) fail(group, name, exists < 0 ? "cannot look it up (damaged?)" : "missing");
    Handle ds(H5Dopen2(group, name, H5P_DEFAULT), H5Dclose);
    if (!ds.ok()) fail(group, name, "not a dataset, or damaged");
    const Handle space(H5Dget_space(ds), H5Sclose);
    const Handle type(H5Dget_type(ds), H5Tclose);
    const std::string problem =
        knntune::h5::layout_problem(space, type,
                                    {.scalar = false,
                                     .type_class = type_class,
                                     .type_size = type_class == H5T_STRING ? 0 : type_size});
    if (!problem.empty()) fail(group, name, problem);
    const std::size_t size = H5Tget_size(type);
    hsize_t dims[1] = {0};
    H5Sget_simple_extent_dims(space, dims, nullptr);
    const double stored = static_cast<double>(H5Dget_storage_size(ds));
    if (static_cast<double>(dims[0]) * static_cast<double>(size) > stored * kMaxCompression + 64) {
        fail(group, name,
             "declares " + std::to_string(dims[0]) + " elements but stores only " +
                 std::to_string(static_cast<unsigned long long>(stored)) + " bytes (damaged?)");
    }
    n = static_cast<std::size_t>(dims[0]);
    return ds;
}

void write_csr(hid_t parent, const char* name, const CsrMatrix& m) {
    Handle g(H5Gcreate2(parent, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
    check(g.ok() ? 0 : -1, std::string("create group ") + name);
    write_array(g, "indptr", H5T_STD_I64LE, H5T_NATIVE_INT64, m.indptr);
    write_array(g, "indices", H5T_STD_I32LE, H5T_NATIVE_INT32, m.indices);
    write_array(g, "data", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, m.values);
    const std::vector<long long> shape = {m.rows, m.cols};
    write_array(g, "shape", H5T_STD_I64LE, H5T_NATIVE_LLONG, shape);
}

CsrMatrix read_csr(hid_t parent, const char* name, bool sorted_rows) {
    const Handle g = open_group(parent, name);
    const auto shape = read_array<long long>(g, "shape", H5T_NATIVE_LLONG, {});
    if (shape.size() != 2) {
        fail(g, "shape", "has " + std::to_string(shape.size()) + " entries, expected 2");
    }
    constexpr long long kMaxIndex = std::numeric_limits<Index>::max();
    if (shape[0] < 0 || shape[1] < 0 || shape[0] >= kMaxIndex || shape[1] >= kMaxIndex) {
        fail(g, "shape",
             "[" + std::to_string(shape[0]) + ", " + std::to_string(shape[1]) +
                 "] is outside [0, 2^31 - 1)");
    }
    CsrMatrix m;
    m.rows = static_cast<Index>(shape[0]);
    m.cols = static_cast<Index>(shape[1]);
    m.indptr = read_array<Offset>(g, "indptr", H5T_NATIVE_INT64, {});
    m.indices = read_array<Index>(g, "indices", H5T_NATIVE_INT32, {});
    m.values = read_array<Score>(g, "data", H5T_NATIVE_FLOAT, {});
    std::string object;
    const std::string problem = csr_problem(m, sorted_rows, object);
    if (!problem.empty()) fail(g, object.c_str(), problem);
    return m;
}

Handle open_group(hid_t parent, const char* name) {
    const htri_t exists = H5Lexists(parent, name, H5P_DEFAULT);
    if (exists <= 0) {
        fail(parent, name, exists < 0 ? "cannot look it up (damaged?)" : "missing group");
    }
    Handle g(H5Gopen2(parent, name, H5P_DEFAULT), H5Gclose);
    if (!g.ok()) fail(parent, name, "not a group, or damaged");
    return g;
}

void write_atomically(const std::string& path, void (*write)(hid_t file, const void* ctx),
                      const void* ctx) {
    const QuietErrors quiet;
    // NOTE: HDF5 builds the file in memory and knntune writes its bytes. When HDF5 itself wrote
    // to a full or failing disk, its H5Fclose failed too and left a half-closed file that HDF5's
    // exit handler then crashed on (SIGSEGV after the error message); now HDF5 never meets an
    // I/O error, and the write reports its cause.
    std::vector<unsigned char> image;
    {
        const Handle fcpl = knntune::h5::checksum_block_creation();
        const Handle fapl = knntune::h5::in_memory_access();
        check(fcpl.ok() && fapl.ok() ? 0 : -1, "set up the file " + path);
        Handle file(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, fcpl, fapl), H5Fclose);
        if (!file.ok()) throw InputError(path + ": cannot create file");
        write(file, ctx);
        image = knntune::h5::file_image(file);
        check(file.close() < 0 || image.empty() ? -1 : 0, "build the file " + path);
    }
    write_checksum_block(image);
    write_file_atomic(path, {reinterpret_cast<const char*>(image.data()), image.size()});
}

hid_t open_read_only(const std::string& path, const std::string& regenerate) {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) throw InputError(path + ": no such file");
    const ChecksumCheck c = verify_file_checksum(path);
    using Status = ChecksumCheck::Status;
    if (c.status == Status::Mismatch) {
        throw InputError(path + ": " + c.problem + (regenerate.empty() ? "" : "; " + regenerate));
    }
    if (c.status == Status::NotHdf5) throw InputError(path + ": not an HDF5 file");
    if (c.status == Status::Unreadable) throw InputError(path + ": cannot read: " + c.problem);
    const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) throw InputError(path + ": not an HDF5 file, or damaged");
    return f;
}

}  // namespace knntune::engine::h5
