#include "tuner/hdf5_storage.hpp"

#include <fcntl.h>
#include <hdf5.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <set>

#include "common/atomic_file.hpp"
#include "common/h5_handle.hpp"
#include "tuner/error.hpp"

namespace knntune::tuner {

namespace {

constexpr const char* kFormat = "knntune-trial-log";
constexpr std::int64_t kFormatVersion = 1;

using knntune::h5::Handle;
using knntune::h5::QuietErrors;

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

struct Writer {
    std::string path;

    void string_attr(hid_t loc, const char* name, const std::string& value) const {
        Handle type = vlen_string_type();
        Handle space(H5Screate(H5S_SCALAR), H5Sclose);
        Handle a(check_id(H5Acreate2(loc, name, type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
                          std::string("create attribute ") + name, path),
                 H5Aclose);
        const char* p = value.c_str();
        check(H5Awrite(a.get(), type.get(), &p), std::string("write attribute ") + name, path);
    }
    void strings_attr(hid_t loc, const char* name, const std::vector<std::string>& values) const {
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
    template <class T>
    void scalar_attr(hid_t loc, const char* name, hid_t type, T value) const {
        Handle space(H5Screate(H5S_SCALAR), H5Sclose);
        Handle a(check_id(H5Acreate2(loc, name, type, space.get(), H5P_DEFAULT, H5P_DEFAULT),
                          std::string("create attribute ") + name, path),
                 H5Aclose);
        check(H5Awrite(a.get(), type, &value), std::string("write attribute ") + name, path);
    }
    Handle group(hid_t loc, const char* name, const std::string& what) const {
        return {check_id(H5Gcreate2(loc, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                         "create group " + what, path),
                H5Gclose};
    }
    hid_t dataset(hid_t group, const std::string& name, hid_t type, hsize_t n) const {
        Handle space(H5Screate_simple(1, &n, nullptr), H5Sclose);
        return check_id(H5Dcreate2(group, name.c_str(), type, space.get(), H5P_DEFAULT, H5P_DEFAULT,
                                   H5P_DEFAULT),
                        "create dataset " + name, path);
    }
    // One column of `v.size()` rows, stored as `file_type`, given in memory as `mem_type`.
    template <class T>
    void column(hid_t group, const std::string& name, hid_t file_type, hid_t mem_type,
                const std::vector<T>& v) const {
        Handle d(dataset(group, name, file_type, v.size()), H5Dclose);
        if (!v.empty()) {
            check(H5Dwrite(d.get(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()),
                  "write dataset " + name, path);
        }
    }
    void doubles(hid_t group, const std::string& name, const std::vector<double>& v) const {
        column(group, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, v);
    }
    void int64s(hid_t group, const std::string& name, const std::vector<std::int64_t>& v) const {
        column(group, name, H5T_STD_I64LE, H5T_NATIVE_INT64, v);
    }
    void strings(hid_t group, const std::string& name, const std::vector<std::string>& v) const {
        Handle type = vlen_string_type();
        std::vector<const char*> ptrs;
        for (const std::string& s : v) ptrs.push_back(s.c_str());
        column(group, name, type.get(), type.get(), ptrs);
    }
};

// ---- reading ----------------------------------------------------------------------------

struct Reader {
    std::string path;

    bool has_attr(hid_t loc, const char* name) const { return H5Aexists(loc, name) > 0; }
    std::string string_attr(hid_t loc, const char* name) const {
        if (!has_attr(loc, name)) {
            throw StorageError("trial log '" + path + "' has no attribute '" + name +
                               "'; is it a knntune trial log?");
        }
        Handle a(
            check_id(H5Aopen(loc, name, H5P_DEFAULT), std::string("open attribute ") + name, path),
            H5Aclose);
        Handle type = vlen_string_type();
        char* p = nullptr;
        check(H5Aread(a.get(), type.get(), &p), std::string("read attribute ") + name, path);
        std::string out = p ? p : "";
        H5free_memory(p);
        return out;
    }
    std::vector<std::string> strings_attr(hid_t loc, const char* name) const {
        Handle a(
            check_id(H5Aopen(loc, name, H5P_DEFAULT), std::string("open attribute ") + name, path),
            H5Aclose);
        Handle space(H5Aget_space(a.get()), H5Sclose);
        const hssize_t n = H5Sget_simple_extent_npoints(space.get());
        std::vector<char*> ptrs(static_cast<std::size_t>(n), nullptr);
        Handle type = vlen_string_type();
        if (n > 0) check(H5Aread(a.get(), type.get(), ptrs.data()), "read attribute", path);
        std::vector<std::string> out;
        for (char* p : ptrs) {
            out.emplace_back(p ? p : "");
            H5free_memory(p);
        }
        return out;
    }
    template <class T>
    T scalar_attr(hid_t loc, const char* name, hid_t mem_type) const {
        Handle a(
            check_id(H5Aopen(loc, name, H5P_DEFAULT), std::string("open attribute ") + name, path),
            H5Aclose);
        T v{};
        check(H5Aread(a.get(), mem_type, &v), std::string("read attribute ") + name, path);
        return v;
    }
    // A dataset and its number of rows.
    std::pair<Handle, std::size_t> open_dataset(hid_t group, const std::string& name) const {
        Handle d(check_id(H5Dopen2(group, name.c_str(), H5P_DEFAULT), "open dataset " + name, path),
                 H5Dclose);
        Handle space(H5Dget_space(d.get()), H5Sclose);
        const auto n = static_cast<std::size_t>(H5Sget_simple_extent_npoints(space.get()));
        return {std::move(d), n};
    }
    std::size_t rows(hid_t group, const std::string& name) const {
        return open_dataset(group, name).second;
    }
    // One column of `n` rows, read as `mem_type`.
    template <class T>
    std::vector<T> column(hid_t group, const std::string& name, std::size_t n,
                          hid_t mem_type) const {
        auto [d, n_rows] = open_dataset(group, name);
        if (n_rows != n) {
            throw StorageError("trial log '" + path + "': dataset " + name + " has " +
                               std::to_string(n_rows) + " rows, expected " + std::to_string(n));
        }
        std::vector<T> v(n);
        if (n) {
            check(H5Dread(d.get(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()),
                  "read dataset " + name, path);
        }
        return v;
    }
    std::vector<double> doubles(hid_t group, const std::string& name, std::size_t n) const {
        return column<double>(group, name, n, H5T_NATIVE_DOUBLE);
    }
    std::vector<std::int64_t> int64s(hid_t group, const std::string& name, std::size_t n) const {
        return column<std::int64_t>(group, name, n, H5T_NATIVE_INT64);
    }
    std::vector<std::string> strings(hid_t group, const std::string& name, std::size_t n) const {
        Handle type = vlen_string_type();
        std::vector<std::string> out;
        for (char* p : column<char*>(group, name, n, type.get())) {
            out.emplace_back(p ? p : "");
            H5free_memory(p);
        }
        return out;
    }
    std::vector<std::string> children(hid_t group) const {
        H5G_info_t info;
        check(H5Gget_info(group, &info), "list group", path);
        std::vector<std::string> names;
        for (hsize_t i = 0; i < info.nlinks; ++i) {
            const ssize_t len = H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, i,
                                                   nullptr, 0, H5P_DEFAULT);
            std::string name(static_cast<std::size_t>(len), '\0');
            H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(),
                               static_cast<std::size_t>(len) + 1, H5P_DEFAULT);
            names.push_back(name);
        }
        return names;
    }
};

// ---- the parts of a log --------------------------------------------------------------------

void write_study_attributes(const Writer& w, hid_t root, const StudyInfo& info) {
    w.string_attr(root, "format", kFormat);
    w.scalar_attr(root, "format_version", H5T_NATIVE_INT64, kFormatVersion);
    w.string_attr(root, "study_name", info.name);
    w.string_attr(root, "direction", std::string(direction_name(info.direction)));
    w.scalar_attr(root, "seed", H5T_NATIVE_UINT64, info.seed);
    w.string_attr(root, "search_space", info.search_space);
    w.string_attr(root, "sampler", info.sampler);
    w.string_attr(root, "sampler_settings", info.sampler_settings);
    w.string_attr(root, "config", info.config);
    w.string_attr(root, "data_fingerprint", info.data_fingerprint);
    w.string_attr(root, "software_version", info.software_version);
}

// The per-trial columns of group `trials` other than parameters and metrics.
void write_trial_columns(const Writer& w, hid_t g, std::span<const FrozenTrial> trials) {
    const std::size_t n = trials.size();
    std::vector<std::int64_t> number(n);
    std::vector<std::string> state(n), error(n);
    std::vector<double> value(n), start(n), end(n), duration(n);
    for (std::size_t r = 0; r < n; ++r) {
        const FrozenTrial& t = trials[r];
        number[r] = t.number;
        state[r] = std::string(state_name(t.state));
        error[r] = t.error;
        value[r] = t.value;
        start[r] = t.start_time;
        end[r] = t.end_time;
        duration[r] = t.duration();
    }
    w.int64s(g, "number", number);
    w.strings(g, "state", state);
    w.doubles(g, "value", value);
    w.doubles(g, "start_time", start);
    w.doubles(g, "end_time", end);
    w.doubles(g, "duration", duration);
    w.strings(g, "error", error);
}

// One column per parameter in group `trials/params`, carrying its distribution as attributes.
void write_param_columns(const Writer& w, hid_t pg, const SearchSpace& space,
                         std::span<const FrozenTrial> trials) {
    for (std::size_t p = 0; p < space.size(); ++p) {
        const Param& param = space.param(p);
        std::vector<double> col(trials.size());
        for (std::size_t r = 0; r < trials.size(); ++r) col[r] = trials[r].params[p];
        w.doubles(pg, param.key, col);
        Handle d(H5Dopen2(pg, param.key.c_str(), H5P_DEFAULT), H5Dclose);
        const Distribution& dist = param.distribution;
        w.string_attr(d.get(), "type", std::string(kind_name(dist.kind)));
        if (dist.is_categorical()) {
            w.strings_attr(d.get(), "choices", dist.choices);
        } else {
            w.scalar_attr(d.get(), "low", H5T_NATIVE_DOUBLE, dist.low);
            w.scalar_attr(d.get(), "high", H5T_NATIVE_DOUBLE, dist.high);
            w.scalar_attr(d.get(), "log", H5T_NATIVE_INT8, static_cast<std::int8_t>(dist.log));
            w.scalar_attr(d.get(), "step", H5T_NATIVE_DOUBLE, dist.step);
        }
    }
}

// One column per metric name in group `trials/metrics`, NaN where a trial lacks it.
void write_metric_columns(const Writer& w, hid_t mg, std::span<const FrozenTrial> trials) {
    std::set<std::string> metric_names;
    for (const FrozenTrial& t : trials) {
        for (const auto& [name, v] : t.metrics) metric_names.insert(name);
    }
    for (const std::string& m : metric_names) {
        std::vector<double> col(trials.size(), std::nan(""));
        for (std::size_t r = 0; r < trials.size(); ++r) {
            if (auto it = trials[r].metrics.find(m); it != trials[r].metrics.end())
                col[r] = it->second;
        }
        w.doubles(mg, m, col);
    }
}

// Group `race`: one row per arm, the race's settings as attributes.
void write_race(const Writer& w, hid_t root, const RaceRecord& race) {
    const Handle g = w.group(root, "race", "race");
    w.string_attr(g.get(), "key", race.key);
    w.string_attr(g.get(), "test", race.test);
    w.scalar_attr(g.get(), "alpha", H5T_NATIVE_DOUBLE, race.alpha);
    w.scalar_attr(g.get(), "min_trials", H5T_NATIVE_INT64, race.min_trials);
    w.scalar_attr(g.get(), "check_every", H5T_NATIVE_INT64, race.check_every);
    w.scalar_attr(g.get(), "confirm", H5T_NATIVE_INT64, race.confirm);
    w.string_attr(g.get(), "allocation", race.allocation);
    w.scalar_attr(g.get(), "next_check", H5T_NATIVE_INT64, race.next_check);
    w.scalar_attr(g.get(), "n_tests", H5T_NATIVE_INT64, race.n_tests);
    std::vector<std::string> arm, state, leader;
    std::vector<std::int64_t> stopped_at, n_trials, strikes;
    std::vector<double> p_value, p_raw, value, leader_value;
    for (const RaceArm& a : race.arms) {
        arm.push_back(a.label);
        state.emplace_back(a.racing ? "racing" : "stopped");
        leader.push_back(a.leader);
        stopped_at.push_back(a.stopped_at);
        n_trials.push_back(a.n_trials);
        strikes.push_back(a.strikes);
        p_value.push_back(a.p_value);
        p_raw.push_back(a.p_raw);
        value.push_back(a.value);
        leader_value.push_back(a.leader_value);
    }
    w.strings(g.get(), "arm", arm);
    w.strings(g.get(), "state", state);
    w.int64s(g.get(), "stopped_at", stopped_at);
    w.int64s(g.get(), "n_trials", n_trials);
    w.int64s(g.get(), "strikes", strikes);
    w.doubles(g.get(), "p_value", p_value);
    w.doubles(g.get(), "p_raw", p_raw);
    w.strings(g.get(), "leader", leader);
    w.doubles(g.get(), "value", value);
    w.doubles(g.get(), "leader_value", leader_value);
}

RaceRecord read_race(const Reader& r, hid_t root) {
    RaceRecord race;
    if (H5Lexists(root, "race", H5P_DEFAULT) <= 0) return race;
    Handle g(check_id(H5Gopen2(root, "race", H5P_DEFAULT), "open group race", r.path), H5Gclose);
    race.key = r.string_attr(g.get(), "key");
    race.test = r.string_attr(g.get(), "test");
    race.alpha = r.scalar_attr<double>(g.get(), "alpha", H5T_NATIVE_DOUBLE);
    race.min_trials = r.scalar_attr<std::int64_t>(g.get(), "min_trials", H5T_NATIVE_INT64);
    race.check_every = r.scalar_attr<std::int64_t>(g.get(), "check_every", H5T_NATIVE_INT64);
    race.confirm = r.scalar_attr<std::int64_t>(g.get(), "confirm", H5T_NATIVE_INT64);
    race.allocation = r.string_attr(g.get(), "allocation");
    race.next_check = r.scalar_attr<std::int64_t>(g.get(), "next_check", H5T_NATIVE_INT64);
    race.n_tests = r.scalar_attr<std::int64_t>(g.get(), "n_tests", H5T_NATIVE_INT64);
    const std::size_t n = r.rows(g.get(), "arm");
    const auto arm = r.strings(g.get(), "arm", n);
    const auto state = r.strings(g.get(), "state", n);
    const auto stopped_at = r.int64s(g.get(), "stopped_at", n);
    const auto n_trials = r.int64s(g.get(), "n_trials", n);
    const auto strikes = r.int64s(g.get(), "strikes", n);
    const auto p_value = r.doubles(g.get(), "p_value", n);
    const auto p_raw = r.doubles(g.get(), "p_raw", n);
    const auto leader = r.strings(g.get(), "leader", n);
    const auto value = r.doubles(g.get(), "value", n);
    const auto leader_value = r.doubles(g.get(), "leader_value", n);
    for (std::size_t i = 0; i < n; ++i) {
        if (state[i] != "racing" && state[i] != "stopped") {
            throw StorageError("trial log '" + r.path + "': race/state[" + std::to_string(i) +
                               "] is '" + state[i] + "', expected racing or stopped");
        }
        race.arms.push_back({.label = arm[i],
                             .racing = state[i] == "racing",
                             .stopped_at = stopped_at[i],
                             .n_trials = n_trials[i],
                             .strikes = strikes[i],
                             .p_value = p_value[i],
                             .p_raw = p_raw[i],
                             .leader = leader[i],
                             .value = value[i],
                             .leader_value = leader_value[i]});
    }
    return race;
}

}  // namespace

void write_trial_log(const std::string& path, const StudyInfo& info, const SearchSpace& space,
                     std::span<const FrozenTrial> trials, const RaceRecord& race) {
    QuietErrors quiet;
    const Writer w{path};
    // NOTE: the 1.8 file format stores large attributes (a long resolved config) densely; the
    // oldest format caps an object header's attributes at 64 KiB.
    Handle fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
    check(H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_V18, H5F_LIBVER_V18), "set the file format",
          path);
    Handle file(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()), H5Fclose);
    if (!file.ok()) throw StorageError("cannot create trial log '" + path + "'");
    write_study_attributes(w, file.get(), info);
    const Handle g = w.group(file.get(), "trials", "trials");
    write_trial_columns(w, g.get(), trials);
    write_param_columns(w, w.group(g.get(), "params", "trials/params").get(), space, trials);
    write_metric_columns(w, w.group(g.get(), "metrics", "trials/metrics").get(), trials);
    if (!race.empty()) write_race(w, file.get(), race);
    check(H5Fflush(file.get(), H5F_SCOPE_GLOBAL), "flush", path);
}

TrialLog read_trial_log(const std::string& path) {
    QuietErrors quiet;
    if (!std::filesystem::exists(path))
        throw StorageError("trial log '" + path + "' does not exist");
    Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
    if (!file.ok()) throw StorageError("cannot open trial log '" + path + "': not an HDF5 file?");
    const Reader r{path};
    const hid_t root = file.get();
    if (r.string_attr(root, "format") != kFormat) {
        throw StorageError("'" + path + "' is an HDF5 file but not a knntune trial log");
    }
    const auto version = r.scalar_attr<std::int64_t>(root, "format_version", H5T_NATIVE_INT64);
    if (version != kFormatVersion) {
        throw StorageError("trial log '" + path + "' has format version " +
                           std::to_string(version) + "; this knntune reads version " +
                           std::to_string(kFormatVersion));
    }
    TrialLog log;
    log.info.name = r.string_attr(root, "study_name");
    log.info.direction = parse_direction(r.string_attr(root, "direction"));
    log.info.seed = r.scalar_attr<std::uint64_t>(root, "seed", H5T_NATIVE_UINT64);
    log.info.search_space = r.string_attr(root, "search_space");
    log.info.sampler = r.string_attr(root, "sampler");
    log.info.sampler_settings = r.string_attr(root, "sampler_settings");
    log.info.config = r.string_attr(root, "config");
    log.info.data_fingerprint = r.string_attr(root, "data_fingerprint");
    log.info.software_version = r.string_attr(root, "software_version");
    try {
        log.space = SearchSpace::from_json_text(log.info.search_space);
    } catch (const SpaceError& e) {
        throw StorageError("trial log '" + path + "' holds an invalid search space: " + e.what());
    }

    Handle g(check_id(H5Gopen2(root, "trials", H5P_DEFAULT), "open group trials", path), H5Gclose);
    const std::size_t n = r.rows(g.get(), "number");
    const auto number = r.int64s(g.get(), "number", n);
    const auto state = r.strings(g.get(), "state", n);
    const auto value = r.doubles(g.get(), "value", n);
    const auto start = r.doubles(g.get(), "start_time", n);
    const auto end = r.doubles(g.get(), "end_time", n);
    const auto error = r.strings(g.get(), "error", n);
    log.trials.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        FrozenTrial& t = log.trials[i];
        t.number = number[i];
        t.state = parse_state(state[i]);
        t.value = value[i];
        t.start_time = start[i];
        t.end_time = end[i];
        t.error = error[i];
        t.params.assign(log.space.size(), kInactive);
    }
    Handle pg(check_id(H5Gopen2(g.get(), "params", H5P_DEFAULT), "open group trials/params", path),
              H5Gclose);
    for (std::size_t p = 0; p < log.space.size(); ++p) {
        const auto col = r.doubles(pg.get(), log.space.param(p).key, n);
        for (std::size_t i = 0; i < n; ++i) log.trials[i].params[p] = col[i];
    }
    Handle mg(
        check_id(H5Gopen2(g.get(), "metrics", H5P_DEFAULT), "open group trials/metrics", path),
        H5Gclose);
    log.metric_names = r.children(mg.get());
    for (const std::string& m : log.metric_names) {
        const auto col = r.doubles(mg.get(), m, n);
        for (std::size_t i = 0; i < n; ++i) {
            if (!std::isnan(col[i])) log.trials[i].metrics[m] = col[i];
        }
    }
    log.race = read_race(r, root);
    return log;
}

Hdf5Storage::Hdf5Storage(std::string path, Hdf5Options options)
    : path_(std::move(path)), options_(options) {}

Hdf5Storage::~Hdf5Storage() {
    if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the flock
}

std::vector<FrozenTrial> Hdf5Storage::open(const StudyInfo& info, const SearchSpace& space,
                                           OpenMode mode) {
    if (opened_) throw StorageError("trial log '" + path_ + "' is already open in this storage");
    const std::string lock_path = path_ + ".lock";
    lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (lock_fd_ < 0) {
        throw StorageError("cannot create lock file '" + lock_path + "': " + std::strerror(errno));
    }
    if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
        ::close(lock_fd_);
        lock_fd_ = -1;
        throw StorageError("trial log '" + path_ +
                           "' is open for writing by another process "
                           "(lock '" +
                           lock_path + "' is held)");
    }
    info_ = info;
    space_ = space;
    if (std::filesystem::exists(path_)) {
        if (!mode.resume) {
            throw StorageError("trial log '" + path_ +
                               "' already exists; resume it or choose "
                               "another path");
        }
        TrialLog log = read_trial_log(path_);
        check_resumable(log.info, info, mode.force, "trial log '" + path_ + "'");
        if (mode.force && !(log.space == space)) {
            throw StorageError("cannot resume trial log '" + path_ +
                               "' with a different search "
                               "space, even with force: its columns would not match");
        }
        for (FrozenTrial& t : log.trials) trials_[t.number] = std::move(t);
        race_ = std::move(log.race);
    }
    opened_ = true;
    checkpoint();  // records the (possibly updated) study attributes
    return trials();
}

void Hdf5Storage::write(std::span<const FrozenTrial> trials) {
    if (!opened_) throw StorageError("trial log '" + path_ + "' is not open");
    for (const FrozenTrial& t : trials) trials_[t.number] = t;
    checkpoint();
}

void Hdf5Storage::write_race(const RaceRecord& race) {
    if (!opened_) throw StorageError("trial log '" + path_ + "' is not open");
    race_ = race;
    checkpoint();
}

std::vector<FrozenTrial> Hdf5Storage::trials() const {
    std::vector<FrozenTrial> out;
    out.reserve(trials_.size());
    for (const auto& [n, t] : trials_) out.push_back(t);
    return out;
}

void Hdf5Storage::checkpoint() {
    const std::vector<FrozenTrial> rows = trials();
    try {
        replace_file(path_,
                     [&](const std::filesystem::path& tmp) {
                         write_trial_log(tmp.string(), info_, space_, rows, race_);
                     },
                     {.durable = options_.fsync});
    } catch (const IoError& e) {
        throw StorageError(std::string("trial log: ") + e.what());
    }
}

}  // namespace knntune::tuner
