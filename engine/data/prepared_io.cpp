#include "engine/data/prepared_io.hpp"

#include "engine/error.hpp"
#include "engine/h5.hpp"

namespace knntune::engine {

using h5::Handle;
using h5::read_array;
using h5::read_int_attr;
using h5::read_string_attr;
using h5::read_strings;
using h5::write_array;
using h5::write_int_attr;
using h5::write_string_attr;
using h5::write_strings;
namespace {

constexpr const char* kFormat = "knntune-prepared";
constexpr int kFormatVersion = 1;

}  // namespace

namespace {

struct SaveContext {
    const PreparedData* data;
    const PreparedMeta* meta;
};

void write_prepared(hid_t file, const void* ctx_ptr) {
    const auto& ctx = *static_cast<const SaveContext*>(ctx_ptr);
    const PreparedData& data = *ctx.data;
    const PreparedMeta& meta = *ctx.meta;
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
    Handle periods(H5Gcreate2(file, "periods", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
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
}

}  // namespace

void save_prepared(const PreparedData& data, const PreparedMeta& meta, const std::string& path) {
    const SaveContext ctx{&data, &meta};
    h5::write_atomically(path, write_prepared, &ctx);
}

PreparedData load_prepared(const std::string& path, PreparedMeta* meta) {
    Handle file(h5::open_read_only(path), H5Fclose);
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
