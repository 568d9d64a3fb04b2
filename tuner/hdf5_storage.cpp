#include "tuner/hdf5_storage.hpp"

#include <fcntl.h>
#include <hdf5.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <set>

#include "common/atomic_file.hpp"
#include "common/file_checksum.hpp"
#include "common/h5_handle.hpp"
#include "tuner/error.hpp"
#include "tuner/hdf5_columns.hpp"
#include "tuner/trial_journal.hpp"

namespace knntune::tuner {

namespace {

constexpr const char* kFormat = "knntune-trial-log";
constexpr std::int64_t kFormatVersion = 1;

using h5log::check;
using h5log::check_id;
using h5log::Reader;
using h5log::Writer;
using knntune::h5::Handle;
using knntune::h5::QuietErrors;

constexpr knntune::h5::Layout kNumberColumn{
    .scalar = false, .type_class = H5T_INTEGER, .type_size = 8};
constexpr knntune::h5::Layout kLabelColumn{.scalar = false, .type_class = H5T_STRING};

// ---- the parts of a log --------------------------------------------------------------------

void write_study_attributes(const Writer& w, hid_t root, const StudyInfo& info,
                            const LogMark& mark) {
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
    w.string_attr(root, "journal_id", mark.log_id);
    w.scalar_attr(root, "journal_sequence", H5T_NATIVE_UINT64, mark.sequence);
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
    w.scalar_attr(g.get(), "round_start", H5T_NATIVE_INT64, race.round_start);
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

// NOTE: counts beyond 2^40 cannot come from a study; bounding them keeps the race's
// `next_check += check_every` from overflowing on a forged log.
constexpr std::int64_t kMaxCount = std::int64_t{1} << 40;

// The race's settings: throws naming the attribute unless each is in its writer's range.
void read_race_settings(const Reader& r, hid_t g, RaceRecord& race) {
    const auto count = [&](const char* name, std::int64_t low) {
        const auto v = r.scalar_attr<std::int64_t>(g, name, H5T_NATIVE_INT64);
        if (v < low || v > kMaxCount) {
            r.fail_attr(
                g, name,
                "is " + std::to_string(v) + ", outside [" + std::to_string(low) + ", 2^40]");
        }
        return v;
    };
    race.key = r.string_attr(g, "key");
    race.test = r.string_attr(g, "test");
    race.alpha = r.scalar_attr<double>(g, "alpha", H5T_NATIVE_DOUBLE);
    if (!(race.alpha > 0.0 && race.alpha < 1.0)) {
        r.fail_attr(g, "alpha", "is " + std::to_string(race.alpha) + ", not in (0, 1)");
    }
    race.min_trials = count("min_trials", 0);
    race.check_every = count("check_every", 1);
    race.confirm = count("confirm", 1);
    race.allocation = r.string_attr(g, "allocation");
    if (race.allocation != "equal" && race.allocation != "dimension") {
        r.fail_attr(g, "allocation", "is '" + race.allocation + "', expected equal or dimension");
    }
    race.next_check = count("next_check", 0);
    race.n_tests = count("n_tests", 0);
    // NOTE: logs written before pruning existed have no round_start.
    if (r.has_attr(g, "round_start")) race.round_start = count("round_start", -1);
}

RaceRecord read_race(const Reader& r, hid_t root) {
    RaceRecord race;
    const htri_t exists = H5Lexists(root, "race", H5P_DEFAULT);
    if (exists < 0) r.fail(root, "race", "cannot look it up (damaged?)");
    if (exists == 0) return race;
    const Handle g = r.group(root, "race");
    read_race_settings(r, g.get(), race);
    const std::size_t n = r.rows(g.get(), "arm", kLabelColumn);
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
    const auto check_range = [&](const char* column, std::size_t i, std::int64_t v,
                                 std::int64_t low) {
        if (v < low || v > kMaxCount) {
            r.fail(g.get(), column,
                   "row " + std::to_string(i) + " is " + std::to_string(v) + ", outside [" +
                       std::to_string(low) + ", 2^40]");
        }
    };
    for (std::size_t i = 0; i < n; ++i) {
        if (state[i] != "racing" && state[i] != "stopped") {
            r.fail(
                g.get(), "state",
                "row " + std::to_string(i) + " is '" + state[i] + "', expected racing or stopped");
        }
        check_range("stopped_at", i, stopped_at[i], -1);
        check_range("n_trials", i, n_trials[i], 0);
        check_range("strikes", i, strikes[i], 0);
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

// The study's attributes of the root group, the search space parsed.
void read_study_info(const Reader& r, hid_t root, TrialLog& log) {
    if (r.string_attr(root, "format") != kFormat) {
        throw StorageError("'" + r.path + "' is an HDF5 file but not a knntune trial log");
    }
    const auto version = r.scalar_attr<std::int64_t>(root, "format_version", H5T_NATIVE_INT64);
    if (version != kFormatVersion) {
        throw StorageError("trial log '" + r.path + "' has format version " +
                           std::to_string(version) + "; this knntune reads version " +
                           std::to_string(kFormatVersion));
    }
    log.info.name = r.string_attr(root, "study_name");
    const std::string direction = r.string_attr(root, "direction");
    try {
        log.info.direction = parse_direction(direction);
    } catch (const SettingsError& e) {
        r.fail_attr(root, "direction", e.what());
    }
    log.info.seed = r.scalar_attr<std::uint64_t>(root, "seed", H5T_NATIVE_UINT64);
    log.info.search_space = r.string_attr(root, "search_space");
    log.info.sampler = r.string_attr(root, "sampler");
    log.info.sampler_settings = r.string_attr(root, "sampler_settings");
    log.info.config = r.string_attr(root, "config");
    log.info.data_fingerprint = r.string_attr(root, "data_fingerprint");
    log.info.software_version = r.string_attr(root, "software_version");
    // NOTE: logs written before the journal existed have neither; they match no journal.
    if (r.has_attr(root, "journal_id")) log.log_id = r.string_attr(root, "journal_id");
    if (r.has_attr(root, "journal_sequence")) {
        log.sequence = r.scalar_attr<std::uint64_t>(root, "journal_sequence", H5T_NATIVE_UINT64);
    }
    try {
        log.space = SearchSpace::from_json_text(log.info.search_space);
    } catch (const Error& e) {
        throw StorageError("trial log '" + r.path + "' holds an invalid search space: " + e.what());
    }
}

// Column `col` of parameter `param`: throws naming the row unless each value is NaN
// (inactive) or in the distribution's range (a valid index for a categorical).
void check_param_column(const Reader& r, hid_t pg, const Param& param,
                        const std::vector<double>& col) {
    const Distribution& d = param.distribution;
    for (std::size_t i = 0; i < col.size(); ++i) {
        const double v = col[i];
        if (std::isnan(v)) continue;
        if (!d.in_range(v)) {
            r.fail(pg, param.key,
                   "row " + std::to_string(i) + " is " + std::to_string(v) + ", outside " +
                       d.describe());
        }
    }
}

// Group `trials`: the per-trial columns, the parameters and the metrics.
void read_trials(const Reader& r, hid_t root, TrialLog& log) {
    const Handle g = r.group(root, "trials");
    const std::size_t n = r.rows(g.get(), "number", kNumberColumn);
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
        try {
            t.state = parse_state(state[i]);
        } catch (const StorageError& e) {
            r.fail(g.get(), "state", "row " + std::to_string(i) + ": " + e.what());
        }
        t.value = value[i];
        t.start_time = start[i];
        t.end_time = end[i];
        t.error = error[i];
        t.params.assign(log.space.size(), kInactive);
    }
    const Handle pg = r.group(g.get(), "params");
    for (std::size_t p = 0; p < log.space.size(); ++p) {
        const auto col = r.doubles(pg.get(), log.space.param(p).key, n);
        check_param_column(r, pg.get(), log.space.param(p), col);
        for (std::size_t i = 0; i < n; ++i) log.trials[i].params[p] = col[i];
    }
    const Handle mg = r.group(g.get(), "metrics");
    log.metric_names = r.children(mg.get());
    for (const std::string& m : log.metric_names) {
        const auto col = r.doubles(mg.get(), m, n);
        for (std::size_t i = 0; i < n; ++i) {
            if (!std::isnan(col[i])) log.trials[i].metrics[m] = col[i];
        }
    }
}

}  // namespace

void write_trial_log(const std::string& path, const StudyInfo& info, const SearchSpace& space,
                     std::span<const FrozenTrial> trials, const RaceRecord& race,
                     const LogMark& mark) {
    QuietErrors quiet;
    const Writer w{path};
    // NOTE: the 1.8 file format stores large attributes (a long resolved config) densely (the
    // oldest format caps an object header's attributes at 64 KiB) and checksums its object
    // headers; the 512-byte user block holds the whole-file checksum (common/file_checksum.hpp).
    const Handle fcpl = knntune::h5::checksum_block_creation();
    Handle fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
    check(fcpl.ok() ? 0 : -1, "set up the file", path);
    check(H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_V18, H5F_LIBVER_V18), "set the file format",
          path);
    check(H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_STRONG), "set the close degree", path);
    Handle file(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, fcpl.get(), fapl.get()), H5Fclose);
    if (!file.ok()) throw StorageError("cannot create trial log '" + path + "'");
    write_study_attributes(w, file.get(), info, mark);
    {
        const Handle g = w.group(file.get(), "trials", "trials");
        write_trial_columns(w, g.get(), trials);
        write_param_columns(w, w.group(g.get(), "params", "trials/params").get(), space, trials);
        write_metric_columns(w, w.group(g.get(), "metrics", "trials/metrics").get(), trials);
    }
    if (!race.empty()) write_race(w, file.get(), race);
    check(file.close(), "close", path);
    try {
        write_file_checksum(path);
    } catch (const IoError& e) {
        throw StorageError(std::string("trial log: ") + e.what());
    }
}

namespace {

// The log file alone, without its journal.
TrialLog read_log_file(const std::string& path) {
    QuietErrors quiet;
    if (!std::filesystem::exists(path))
        throw StorageError("trial log '" + path + "' does not exist");
    using Status = ChecksumCheck::Status;
    const ChecksumCheck c = verify_file_checksum(path);
    if (c.status == Status::Mismatch) {
        throw StorageError("trial log '" + path + "': " + c.problem +
                           "; restore a copy, or delete it and run the study again");
    }
    if (c.status == Status::NotHdf5 || c.status == Status::Unreadable) {
        throw StorageError("cannot open trial log '" + path + "': " + c.problem);
    }
    Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
    if (!file.ok()) throw StorageError("cannot open trial log '" + path + "': not an HDF5 file?");
    const Reader r{path};
    TrialLog log;
    read_study_info(r, file.get(), log);
    read_trials(r, file.get(), log);
    log.race = read_race(r, file.get());
    return log;
}

}  // namespace

std::string journal_path(const std::string& path) { return path + ".journal"; }

TrialLog read_trial_log(const std::string& path) {
    const std::string journal = journal_path(path);
    // NOTE: a writer compacting between the two reads below leaves a journal that starts after
    // the log file read first; reading both again then finds them in step.
    for (int attempt = 0;; ++attempt) {
        TrialLog log = read_log_file(path);
        if (!std::filesystem::exists(journal)) return log;
        const Journal j = read_journal(journal);
        if (j.log_id != log.log_id) {
            throw StorageError("trial log '" + path + "': the journal '" + journal +
                               "' belongs to another log (the log was replaced); delete the "
                               "journal to use the log alone, or put back the log it belongs to");
        }
        if (j.base > log.sequence) {
            if (attempt < 5) continue;
            throw StorageError("trial log '" + path + "' holds events up to " +
                               std::to_string(log.sequence) + " but its journal '" + journal +
                               "' starts after event " + std::to_string(j.base) +
                               " (the log was replaced by an older copy); put back the newer "
                               "log, or delete the journal to use the log alone");
        }
        merge_journal(log, j, journal);
        return log;
    }
}

namespace {

// A new log's identity: the time in nanoseconds and the process, unique on one machine.
std::string new_log_id() {
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
    return std::to_string(ns) + "-" + std::to_string(::getpid());
}

}  // namespace

Hdf5Storage::Hdf5Storage(std::string path, Hdf5Options options)
    : path_(std::move(path)), options_(options) {}

Hdf5Storage::~Hdf5Storage() {
    // NOTE: best effort; the journal keeps every event when this fails, and readers merge it.
    if (opened_ && pending_ > 0) {
        try {
            compact();
        } catch (...) {
        }
    }
    journal_.reset();
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
        mark_ = {log.log_id.empty() ? new_log_id() : log.log_id, log.sequence};
    } else {
        // NOTE: a journal without its log cannot belong to a log (the log is written first);
        // it is what is left when a log was deleted to run the study again.
        std::error_code ignored;
        std::filesystem::remove(journal_path(path_), ignored);
        mark_ = {new_log_id(), 0};
    }
    opened_ = true;
    compact();  // records the (possibly updated) study attributes, starts an empty journal
    return trials();
}

void Hdf5Storage::write(std::span<const FrozenTrial> trials) {
    if (!opened_) throw StorageError("trial log '" + path_ + "' is not open");
    append(journal_record(mark_.sequence + 1, trials));
    for (const FrozenTrial& t : trials) trials_[t.number] = t;
    if (pending_ >= std::max(options_.compact_min_records,
                             trials_.size() / std::max<std::size_t>(options_.compact_divisor, 1))) {
        compact();
    }
}

void Hdf5Storage::write_race(const RaceRecord& race) {
    if (!opened_) throw StorageError("trial log '" + path_ + "' is not open");
    append(journal_record(mark_.sequence + 1, race));
    race_ = race;
}

void Hdf5Storage::flush() {
    if (opened_ && pending_ > 0) compact();
}

std::vector<FrozenTrial> Hdf5Storage::trials() const {
    std::vector<FrozenTrial> out;
    out.reserve(trials_.size());
    for (const auto& [n, t] : trials_) out.push_back(t);
    return out;
}

void Hdf5Storage::append(const std::vector<unsigned char>& record) {
    if (!journal_) {
        throw StorageError("trial log journal '" + journal_path(path_) +
                           "' could not be opened after the last compaction");
    }
    try {
        journal_->append(record);
        ++mark_.sequence;
        ++pending_;
        const auto now = std::chrono::steady_clock::now();
        if (options_.fsync && std::chrono::duration<double>(now - last_sync_).count() >=
                                  options_.sync_interval_seconds) {
            journal_->sync();
            last_sync_ = now;
        }
    } catch (const IoError& e) {
        throw StorageError(std::string("trial log journal: ") + e.what());
    }
}

void Hdf5Storage::compact() {
    // NOTE: the order keeps every event whenever the process dies: the new log (holding events
    // up to mark_.sequence) replaces the old one first; the journal, whose records are then
    // all at or below that sequence and skipped by readers, is replaced by an empty one after.
    const std::vector<FrozenTrial> rows = trials();
    const std::string journal = journal_path(path_);
    const std::vector<unsigned char> header = journal_header(mark_.log_id, mark_.sequence);
    try {
        replace_file(path_,
                     [&](const std::filesystem::path& tmp) {
                         write_trial_log(tmp.string(), info_, space_, rows, race_, mark_);
                     },
                     {.durable = options_.fsync});
        write_file_atomic(
            journal, std::string_view(reinterpret_cast<const char*>(header.data()), header.size()),
            {.durable = options_.fsync});
        journal_.reset();  // the old journal is gone: no append may reach it
        journal_ = std::make_unique<AppendFile>(journal);
    } catch (const IoError& e) {
        throw StorageError(std::string("trial log: ") + e.what());
    }
    pending_ = 0;
    ++compactions_;
    last_sync_ = std::chrono::steady_clock::now();
}

}  // namespace knntune::tuner
