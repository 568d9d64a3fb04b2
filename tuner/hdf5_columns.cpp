#include "tuner/hdf5_columns.hpp"

namespace knntune::tuner::h5log {

namespace {

using knntune::h5::Layout;

constexpr Layout kStringColumn{.scalar = false, .type_class = H5T_STRING};
constexpr Layout kDoubleColumn{.scalar = false, .type_class = H5T_FLOAT, .type_size = 8};
constexpr Layout kInt64Column{.scalar = false, .type_class = H5T_INTEGER, .type_size = 8};

/// NOTE: the log's columns are contiguous and uncompressed, so a column holds at least its
/// rows' bytes; one declaring more rows than its stored bytes hold is damaged, and refusing it
/// keeps a forged length from allocating terabytes.
bool length_fits_storage(hid_t dataset, hid_t type, std::size_t n) {
    const double need = static_cast<double>(n) * static_cast<double>(H5Tget_size(type));
    return need <= static_cast<double>(H5Dget_storage_size(dataset));
}

}  // namespace

void check(herr_t status, const std::string& what, const std::string& path) {
    if (status < 0) throw StorageError("HDF5 failed to " + what + " in trial log '" + path + "'");
}

hid_t check_id(hid_t id, const std::string& what, const std::string& path) {
    if (id < 0) throw StorageError("HDF5 failed to " + what + " in trial log '" + path + "'");
    return id;
}

Handle vlen_string_type() {
    Handle t(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(t.get(), H5T_VARIABLE);
    H5Tset_cset(t.get(), H5T_CSET_UTF8);
    return t;
}

// ---- writing ----------------------------------------------------------------------------

void Writer::string_attr(hid_t loc, const char* name, const std::string& value) const {
    Handle type = vlen_string_type();
    Handle space(H5Screate(H5S_SCALAR), H5Sclose);
    Handle a(check_id(H5Acreate2(loc, name, type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
                      std::string("create attribute ") + name, path),
             H5Aclose);
    const char* p = value.c_str();
    check(H5Awrite(a.get(), type.get(), &p), std::string("write attribute ") + name, path);
}

void Writer::strings_attr(hid_t loc, const char* name,
                          const std::vector<std::string>& values) const {
    Handle type = vlen_string_type();
    const hsize_t n = values.size();
    Handle space(H5Screate_simple(1, &n, nullptr), H5Sclose);
    Handle a(check_id(H5Acreate2(loc, name, type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
                      std::string("create attribute ") + name, path),
             H5Aclose);
    std::vector<const char*> ptrs;
    for (const std::string& s : values) ptrs.push_back(s.c_str());
    if (n > 0) check(H5Awrite(a.get(), type.get(), ptrs.data()), "write attribute", path);
}

Handle Writer::group(hid_t loc, const char* name, const std::string& what) const {
    return {check_id(H5Gcreate2(loc, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                     "create group " + what, path),
            H5Gclose};
}

void Writer::doubles(hid_t group, const std::string& name, const std::vector<double>& v) const {
    column(group, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, v);
}

void Writer::int64s(hid_t group, const std::string& name,
                    const std::vector<std::int64_t>& v) const {
    column(group, name, H5T_STD_I64LE, H5T_NATIVE_INT64, v);
}

void Writer::strings(hid_t group, const std::string& name,
                     const std::vector<std::string>& v) const {
    Handle type = vlen_string_type();
    std::vector<const char*> ptrs;
    for (const std::string& s : v) ptrs.push_back(s.c_str());
    column(group, name, type.get(), type.get(), ptrs);
}

// ---- reading ----------------------------------------------------------------------------

void Reader::fail(hid_t loc, const std::string& name, const std::string& problem) const {
    throw StorageError("trial log '" + path + "': " + knntune::h5::object_path(loc, name.c_str()) +
                       ": " + problem);
}

void Reader::fail_attr(hid_t loc, const char* name, const std::string& problem) const {
    throw StorageError("trial log '" + path + "': " + knntune::h5::object_path(loc, "") +
                       " attribute '" + name + "': " + problem);
}

bool Reader::has_attr(hid_t loc, const char* name) const {
    const htri_t exists = H5Aexists(loc, name);
    if (exists < 0) fail_attr(loc, name, "cannot look it up (damaged?)");
    return exists > 0;
}

Handle Reader::open_attr(hid_t loc, const char* name, const Layout& want) const {
    if (!has_attr(loc, name)) {
        throw StorageError("trial log '" + path + "' has no attribute '" + name + "' in " +
                           knntune::h5::object_path(loc, "") + "; is it a knntune trial log?");
    }
    Handle a(H5Aopen(loc, name, H5P_DEFAULT), H5Aclose);
    if (!a.ok()) fail_attr(loc, name, "cannot open (damaged?)");
    const Handle space(H5Aget_space(a.get()), H5Sclose);
    const Handle type(H5Aget_type(a.get()), H5Tclose);
    const std::string problem = knntune::h5::layout_problem(space.get(), type.get(), want);
    if (!problem.empty()) fail_attr(loc, name, problem);
    return a;
}

std::string Reader::string_attr(hid_t loc, const char* name) const {
    const Handle a = open_attr(loc, name, {.scalar = true, .type_class = H5T_STRING});
    Handle type = vlen_string_type();
    char* p = nullptr;
    if (H5Aread(a.get(), type.get(), &p) < 0) fail_attr(loc, name, "cannot read (damaged?)");
    std::string out = p ? p : "";
    H5free_memory(p);
    return out;
}

std::vector<std::string> Reader::strings_attr(hid_t loc, const char* name) const {
    const Handle a = open_attr(loc, name, kStringColumn);
    Handle space(H5Aget_space(a.get()), H5Sclose);
    const hssize_t n = H5Sget_simple_extent_npoints(space.get());
    if (n < 0) fail_attr(loc, name, "cannot read its length (damaged?)");
    std::vector<char*> ptrs(static_cast<std::size_t>(n), nullptr);
    Handle type = vlen_string_type();
    if (n > 0 && H5Aread(a.get(), type.get(), ptrs.data()) < 0) {
        fail_attr(loc, name, "cannot read (damaged?)");
    }
    std::vector<std::string> out;
    for (char* p : ptrs) {
        out.emplace_back(p ? p : "");
        H5free_memory(p);
    }
    return out;
}

Handle Reader::group(hid_t loc, const char* name) const {
    const htri_t exists = H5Lexists(loc, name, H5P_DEFAULT);
    if (exists <= 0) fail(loc, name, exists < 0 ? "cannot look it up (damaged?)" : "missing group");
    Handle g(H5Gopen2(loc, name, H5P_DEFAULT), H5Gclose);
    if (!g.ok()) fail(loc, name, "not a group, or damaged");
    return g;
}

std::pair<Handle, std::size_t> Reader::open_dataset(hid_t group, const std::string& name,
                                                    const Layout& want) const {
    const htri_t exists = H5Lexists(group, name.c_str(), H5P_DEFAULT);
    if (exists <= 0) fail(group, name, exists < 0 ? "cannot look it up (damaged?)" : "missing");
    Handle d(H5Dopen2(group, name.c_str(), H5P_DEFAULT), H5Dclose);
    if (!d.ok()) fail(group, name, "not a dataset, or damaged");
    const Handle space(H5Dget_space(d.get()), H5Sclose);
    const Handle type(H5Dget_type(d.get()), H5Tclose);
    const std::string problem = knntune::h5::layout_problem(space.get(), type.get(), want);
    if (!problem.empty()) fail(group, name, problem);
    const hssize_t n = H5Sget_simple_extent_npoints(space.get());
    if (n < 0 || !length_fits_storage(d.get(), type.get(), static_cast<std::size_t>(n))) {
        fail(group, name,
             "declares " + std::to_string(n) + " rows but stores only " +
                 std::to_string(H5Dget_storage_size(d.get())) + " bytes (damaged?)");
    }
    return {std::move(d), static_cast<std::size_t>(n)};
}

std::size_t Reader::rows(hid_t group, const std::string& name, const Layout& want) const {
    return open_dataset(group, name, want).second;
}

std::vector<double> Reader::doubles(hid_t group, const std::string& name, std::size_t n) const {
    return column<double>(group, name, n, H5T_NATIVE_DOUBLE, kDoubleColumn);
}

std::vector<std::int64_t> Reader::int64s(hid_t group, const std::string& name,
                                         std::size_t n) const {
    return column<std::int64_t>(group, name, n, H5T_NATIVE_INT64, kInt64Column);
}

std::vector<std::string> Reader::strings(hid_t group, const std::string& name,
                                         std::size_t n) const {
    Handle type = vlen_string_type();
    std::vector<std::string> out;
    for (char* p : column<char*>(group, name, n, type.get(), kStringColumn)) {
        out.emplace_back(p ? p : "");
        H5free_memory(p);
    }
    return out;
}

std::vector<std::string> Reader::children(hid_t group) const {
    H5G_info_t info;
    if (H5Gget_info(group, &info) < 0) fail(group, "", "cannot list the group (damaged?)");
    std::vector<std::string> names;
    for (hsize_t i = 0; i < info.nlinks; ++i) {
        const ssize_t len =
            H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
        if (len < 0) fail(group, "", "cannot read the name of link " + std::to_string(i));
        std::string name(static_cast<std::size_t>(len), '\0');
        H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(),
                           static_cast<std::size_t>(len) + 1, H5P_DEFAULT);
        names.push_back(name);
    }
    return names;
}

}  // namespace knntune::tuner::h5log
