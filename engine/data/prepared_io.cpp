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
constexpr const char* kRegenerate =
    "delete it and run `knntune prepare` (or any later stage) again to rewrite it";

/// Throws InputError naming `path` unless names (and attributes, when present) are one per
/// item.
void check_id_maps(const PreparedData& d, const std::string& path) {
    if (d.item_names.size() != d.item_keys.size()) {
        throw InputError(path + ": /items/names has " + std::to_string(d.item_names.size()) +
                         " entries, /items/keys " + std::to_string(d.item_keys.size()));
    }
    if (!d.item_attributes.empty() && d.item_attributes.size() != d.item_keys.size()) {
        throw InputError(path + ": /items/attributes has " +
                         std::to_string(d.item_attributes.size()) + " entries, /items/keys " +
                         std::to_string(d.item_keys.size()));
    }
}

/// The window [start_unix, end_unix) of a period group; throws InputError naming `path` and
/// the group unless both ends are timestamps in range (timestamp.hpp) and start <= end.
Window read_window(hid_t g, const std::string& path, const char* period) {
    const Window w{read_int_attr(g, "start_unix"), read_int_attr(g, "end_unix")};
    const auto in_range = [](Timestamp t) { return t >= kMinTimestamp && t <= kMaxTimestamp; };
    if (!in_range(w.start) || !in_range(w.end) || w.start > w.end) {
        throw InputError(path + ": /periods/" + period + " attributes start_unix, end_unix (" +
                         std::to_string(w.start) + ", " + std::to_string(w.end) +
                         ") are not a window of timestamps in " + timestamp_range_text());
    }
    return w;
}

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
        h5::write_csr(periods, period_name(p), m);
        Handle g(H5Gopen2(periods, period_name(p), H5P_DEFAULT), H5Gclose);
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
    Handle file(h5::open_read_only(path, kRegenerate), H5Fclose);
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
    const std::string source = read_string_attr(file, "source");
    const std::string config = read_string_attr(file, "config");
    if (meta != nullptr) *meta = {source, config};
    data.user_keys = read_strings(h5::open_group(file, "users"), "keys", path);
    {
        const Handle g = h5::open_group(file, "items");
        data.item_keys = read_strings(g, "keys", path);
        data.item_names = read_strings(g, "names", path);
        data.item_attributes = read_strings(g, "attributes", path);
    }
    check_id_maps(data, path);
    const Handle periods = h5::open_group(file, "periods");
    for (Period p : kPeriods) {
        CsrMatrix& m = data.matrices[static_cast<int>(p)];
        m = h5::read_csr(periods, period_name(p), true);
        if (m.rows != static_cast<Index>(data.user_keys.size()) ||
            m.cols != static_cast<Index>(data.item_keys.size())) {
            throw InputError(
                path + ": /periods/" + period_name(p) + "/shape is [" + std::to_string(m.rows) +
                ", " + std::to_string(m.cols) + "], expected [users, items] = [" +
                std::to_string(data.user_keys.size()) + ", " +
                std::to_string(data.item_keys.size()) + "] (/users/keys, /items/keys)");
        }
        const Handle g = h5::open_group(periods, period_name(p));
        PeriodStats& s = data.stats[static_cast<int>(p)];
        s = compute_period_stats(m);
        if (read_int_attr(g, "has_window") != 0) {
            s.window = read_window(g, path, period_name(p));
        }
    }
    return data;
}

}  // namespace knntune::engine
