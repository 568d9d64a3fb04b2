#include "engine/h5.hpp"

#include <filesystem>
#include <string_view>
#include <vector>

#include "common/atomic_file.hpp"
#include "engine/error.hpp"

namespace knntune::engine::h5 {

void check(herr_t status, const std::string& what) {
    if (status < 0) throw InputError("HDF5: cannot " + what);
}

void write_string_attr(hid_t obj, const char* name, const std::string& value) {
    Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
    check(H5Tset_size(type, H5T_VARIABLE), "set string type");
    check(H5Tset_cset(type, H5T_CSET_UTF8), "set string charset");
    Handle space(H5Screate(H5S_SCALAR), H5Sclose);
    Handle attr(H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
    const char* p = value.c_str();
    check(H5Awrite(attr, type, &p), std::string("write attribute ") + name);
}

std::string read_string_attr(hid_t obj, const char* name) {
    if (H5Aexists(obj, name) <= 0) return {};
    Handle attr(H5Aopen(obj, name, H5P_DEFAULT), H5Aclose);
    Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(type, H5T_VARIABLE);
    H5Tset_cset(type, H5T_CSET_UTF8);
    char* p = nullptr;
    check(H5Aread(attr, type, &p), std::string("read attribute ") + name);
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
    long long v = 0;
    if (H5Aexists(obj, name) <= 0) return 0;
    Handle attr(H5Aopen(obj, name, H5P_DEFAULT), H5Aclose);
    check(H5Aread(attr, H5T_NATIVE_LLONG, &v), std::string("read attribute ") + name);
    return v;
}

void write_strings(hid_t group, const char* name, const std::vector<std::string>& v) {
    Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(type, H5T_VARIABLE);
    H5Tset_cset(type, H5T_CSET_UTF8);
    const hsize_t dims[1] = {v.size()};
    Handle space(H5Screate_simple(1, dims, nullptr), H5Sclose);
    Handle ds(H5Dcreate2(group, name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
              H5Dclose);
    std::vector<const char*> ptrs;
    ptrs.reserve(v.size());
    for (const auto& s : v) ptrs.push_back(s.c_str());
    if (!v.empty()) check(H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()), name);
}

std::vector<std::string> read_strings(hid_t group, const char* name, const std::string& path) {
    if (H5Lexists(group, name, H5P_DEFAULT) <= 0) return {};
    Handle ds(H5Dopen2(group, name, H5P_DEFAULT), H5Dclose);
    if (!ds.ok()) throw InputError(path + ": missing dataset " + name);
    Handle space(H5Dget_space(ds), H5Sclose);
    hsize_t dims[1] = {0};
    H5Sget_simple_extent_dims(space, dims, nullptr);
    Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(type, H5T_VARIABLE);
    H5Tset_cset(type, H5T_CSET_UTF8);
    std::vector<char*> ptrs(dims[0], nullptr);
    std::vector<std::string> out;
    if (ptrs.empty()) return out;
    check(H5Dread(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()), name);
    out.reserve(ptrs.size());
    for (char* p : ptrs) out.emplace_back(p != nullptr ? p : "");
    H5Dvlen_reclaim(type, space, H5P_DEFAULT, ptrs.data());
    return out;
}

void write_atomically(const std::string& path, void (*write)(hid_t file, const void* ctx),
                      const void* ctx) {
    const QuietErrors quiet;
    // NOTE: HDF5 builds the file in memory (the core driver, no backing store) and knntune
    // writes its bytes. When HDF5 itself wrote to a full or failing disk, its H5Fclose failed
    // too and left a half-closed file that HDF5's exit handler then crashed on (SIGSEGV after
    // the error message); now HDF5 never meets an I/O error, and the write reports its cause.
    Handle fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
    check(H5Pset_fapl_core(fapl, std::size_t{1} << 24, 0), "set the in-memory file driver");
    std::vector<char> image;
    {
        Handle file(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl), H5Fclose);
        if (!file.ok()) throw InputError(path + ": cannot create file");
        write(file, ctx);
        check(H5Fflush(file, H5F_SCOPE_GLOBAL), "flush " + path);
        const ssize_t size = H5Fget_file_image(file, nullptr, 0);
        check(size < 0 ? -1 : 0, "build the file image of " + path);
        image.resize(static_cast<std::size_t>(size));
        check(H5Fget_file_image(file, image.data(), image.size()) == size ? 0 : -1,
              "build the file image of " + path);
    }
    write_file_atomic(path, std::string_view(image.data(), image.size()));
}

hid_t open_read_only(const std::string& path) {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    if (!std::filesystem::exists(path)) throw InputError(path + ": no such file");
    const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) throw InputError(path + ": not an HDF5 file");
    return f;
}

}  // namespace knntune::engine::h5
