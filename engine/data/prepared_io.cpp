#include "engine/data/prepared_io.hpp"

#include <hdf5.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "engine/error.hpp"

namespace knntune::engine {
namespace {

constexpr const char* kFormat = "knntune-prepared";
constexpr int kFormatVersion = 1;

/// Closes an HDF5 handle on scope exit.
class Handle {
public:
    Handle(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
    ~Handle() {
        if (id_ >= 0) close_(id_);
    }
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;
    operator hid_t() const { return id_; }  // NOLINT: implicit by design, used as hid_t
    [[nodiscard]] bool ok() const { return id_ >= 0; }

private:
    hid_t id_;
    herr_t (*close_)(hid_t);
};

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

template <class T>
void write_array(hid_t group, const char* name, hid_t file_type, hid_t mem_type,
                 const std::vector<T>& v) {
    const hsize_t dims[1] = {v.size()};
    Handle space(H5Screate_simple(1, dims, nullptr), H5Sclose);
    Handle plist(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
    if (!v.empty()) {
        const hsize_t chunk[1] = {std::min<hsize_t>(v.size(), 1 << 18)};
        H5Pset_chunk(plist, 1, chunk);
        H5Pset_deflate(plist, 1);
    }
    Handle ds(H5Dcreate2(group, name, file_type, space, H5P_DEFAULT, plist, H5P_DEFAULT),
              H5Dclose);
    if (!ds.ok()) throw InputError(std::string("HDF5: cannot create dataset ") + name);
    if (!v.empty()) check(H5Dwrite(ds, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()), name);
}

template <class T>
std::vector<T> read_array(hid_t group, const char* name, hid_t mem_type, const std::string& path) {
    Handle ds(H5Dopen2(group, name, H5P_DEFAULT), H5Dclose);
    if (!ds.ok()) throw InputError(path + ": missing dataset " + name);
    Handle space(H5Dget_space(ds), H5Sclose);
    hsize_t dims[1] = {0};
    H5Sget_simple_extent_dims(space, dims, nullptr);
    std::vector<T> v(dims[0]);
    if (!v.empty()) check(H5Dread(ds, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()), name);
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

}  // namespace

void save_prepared(const PreparedData& data, const PreparedMeta& meta, const std::string& path) {
    const std::string tmp = path + ".tmp." + std::to_string(::getpid());
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    try {
        Handle file(H5Fcreate(tmp.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose);
        if (!file.ok()) throw InputError(path + ": cannot create file");
        write_string_attr(file, "format", kFormat);
        write_int_attr(file, "format_version", kFormatVersion);
        write_string_attr(file, "fingerprint", data.fingerprint());
        write_string_attr(file, "source", meta.source);
        write_string_attr(file, "config", meta.config_text);
        write_int_attr(file, "rows_read", data.rows_read);
        write_int_attr(file, "rows_filtered", data.rows_filtered);
        write_int_attr(file, "unique_pairs", data.unique_pairs);
        {
            Handle g(H5Gcreate2(file, "users", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
            write_strings(g, "keys", data.user_keys);
        }
        {
            Handle g(H5Gcreate2(file, "items", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
            write_strings(g, "keys", data.item_keys);
            write_strings(g, "names", data.item_names);
            if (!data.item_attributes.empty()) write_strings(g, "attributes", data.item_attributes);
        }
        Handle periods(H5Gcreate2(file, "periods", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                       H5Gclose);
        for (Period p : kPeriods) {
            const CsrMatrix& m = data.matrix(p);
            const PeriodStats& s = data.stats[static_cast<int>(p)];
            Handle g(H5Gcreate2(periods, period_name(p), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                     H5Gclose);
            write_array(g, "indptr", H5T_STD_I64LE, H5T_NATIVE_INT64, m.indptr);
            write_array(g, "indices", H5T_STD_I32LE, H5T_NATIVE_INT32, m.indices);
            write_array(g, "data", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, m.values);
            const std::vector<long long> shape = {m.rows, m.cols};
            write_array(g, "shape", H5T_STD_I64LE, H5T_NATIVE_LLONG, shape);
            write_string_attr(g, "start", s.window ? format_timestamp(s.window->start) : "");
            write_string_attr(g, "end", s.window ? format_timestamp(s.window->end) : "");
            write_int_attr(g, "start_unix", s.window ? s.window->start : 0);
            write_int_attr(g, "end_unix", s.window ? s.window->end : 0);
            write_int_attr(g, "has_window", s.window ? 1 : 0);
        }
        check(H5Fflush(file, H5F_SCOPE_GLOBAL), "flush " + tmp);
    } catch (...) {
        std::remove(tmp.c_str());
        throw;
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
        std::remove(tmp.c_str());
        throw InputError(path + ": cannot rename temporary file: " + ec.message());
    }
}

PreparedData load_prepared(const std::string& path, PreparedMeta* meta) {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    if (!std::filesystem::exists(path)) throw InputError(path + ": no such file");
    Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
    if (!file.ok()) throw InputError(path + ": not an HDF5 file");
    if (read_string_attr(file, "format") != kFormat) {
        throw InputError(path + ": not a knntune prepared-data file (attribute 'format')");
    }
    if (read_int_attr(file, "format_version") != kFormatVersion) {
        throw InputError(path + ": unsupported prepared-data format version");
    }
    PreparedData data;
    data.rows_read = read_int_attr(file, "rows_read");
    data.rows_filtered = read_int_attr(file, "rows_filtered");
    data.unique_pairs = read_int_attr(file, "unique_pairs");
    if (meta != nullptr) {
        meta->source = read_string_attr(file, "source");
        meta->config_text = read_string_attr(file, "config");
    }
    {
        Handle g(H5Gopen2(file, "users", H5P_DEFAULT), H5Gclose);
        data.user_keys = read_strings(g, "keys", path);
    }
    {
        Handle g(H5Gopen2(file, "items", H5P_DEFAULT), H5Gclose);
        data.item_keys = read_strings(g, "keys", path);
        data.item_names = read_strings(g, "names", path);
        data.item_attributes = read_strings(g, "attributes", path);
    }
    Handle periods(H5Gopen2(file, "periods", H5P_DEFAULT), H5Gclose);
    if (!periods.ok()) throw InputError(path + ": missing group /periods");
    for (Period p : kPeriods) {
        Handle g(H5Gopen2(periods, period_name(p), H5P_DEFAULT), H5Gclose);
        if (!g.ok()) throw InputError(path + ": missing group /periods/" + period_name(p));
        CsrMatrix& m = data.matrices[static_cast<int>(p)];
        const auto shape = read_array<long long>(g, "shape", H5T_NATIVE_LLONG, path);
        m.rows = static_cast<Index>(shape.at(0));
        m.cols = static_cast<Index>(shape.at(1));
        m.indptr = read_array<Offset>(g, "indptr", H5T_NATIVE_INT64, path);
        m.indices = read_array<Index>(g, "indices", H5T_NATIVE_INT32, path);
        m.values = read_array<Score>(g, "data", H5T_NATIVE_FLOAT, path);
        if (m.indptr.size() != static_cast<std::size_t>(m.rows) + 1 ||
            m.indices.size() != static_cast<std::size_t>(m.nnz()) ||
            m.values.size() != m.indices.size()) {
            throw InputError(path + ": inconsistent CSR arrays in /periods/" + period_name(p));
        }
        PeriodStats& s = data.stats[static_cast<int>(p)];
        s = compute_period_stats(m);
        if (read_int_attr(g, "has_window") != 0) {
            s.window = Window{read_int_attr(g, "start_unix"), read_int_attr(g, "end_unix")};
        }
    }
    return data;
}

}  // namespace knntune::engine
