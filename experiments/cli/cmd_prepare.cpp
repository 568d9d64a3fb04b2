/// `knntune prepare CONFIG`: read, dedup, split, filter and map a log; print period statistics.

#include <boost/program_options.hpp>
#include <chrono>
#include <filesystem>
#include <iostream>

#include "common/atomic_file.hpp"
#include "engine/data/log_reader.hpp"
#include "engine/data/prepare.hpp"
#include "engine/data/prepared_io.hpp"
#include "engine/data/timestamp.hpp"
#include "experiments/cli/commands.hpp"
#include "experiments/cli/json_output.hpp"
#include "experiments/cli/options.hpp"
#include "experiments/config/experiment_config.hpp"
#include "experiments/run/run_folder.hpp"

namespace po = boost::program_options;

namespace knntune::cli {

namespace {

/// Seconds of each step of `knntune prepare`.
struct PrepareTimes {
    double read = 0;
    double prepare = 0;
    double save = 0;
};

/// The JSON of `knntune prepare --format json`: the log, the ids and one object per period;
/// `saved` is the prepared file written, empty when none.
boost::json::object prepare_json(const exp::ExperimentConfig& cfg, std::int64_t read,
                                 std::int64_t filtered, const engine::PreparedData& data,
                                 const std::string& saved, const PrepareTimes& t) {
    boost::json::object o;
    o["log"] = {{"path", cfg.data.log.path},
                {"rows", read},
                {"dropped_by_filters", filtered},
                {"unique_pairs", data.unique_pairs}};
    o["users"] = static_cast<std::int64_t>(data.user_keys.size());
    o["items"] = static_cast<std::int64_t>(data.item_keys.size());
    o["fingerprint"] = data.fingerprint();
    o["memory_bytes"] = static_cast<std::int64_t>(data.memory_bytes());
    boost::json::array periods;
    for (engine::Period p : engine::kPeriods) {
        const engine::PeriodStats& s = data.stats[static_cast<int>(p)];
        boost::json::object e;
        e["period"] = engine::period_name(p);
        e["start"] = s.window ? boost::json::value(engine::format_timestamp(s.window->start))
                              : boost::json::value(nullptr);
        e["end"] = s.window ? boost::json::value(engine::format_timestamp(s.window->end))
                            : boost::json::value(nullptr);
        e["start_unix"] = s.window ? boost::json::value(s.window->start) : nullptr;
        e["end_unix"] = s.window ? boost::json::value(s.window->end) : nullptr;
        e["rows"] = s.rows;
        e["users"] = s.users;
        e["items"] = s.items;
        e["density"] = json_number(s.density());
        periods.push_back(std::move(e));
    }
    o["periods"] = std::move(periods);
    o["saved"] = json_text(saved);
    o["seconds"] = {{"read", t.read}, {"prepare", t.prepare}, {"save", t.save}};
    return o;
}

}  // namespace

int run_prepare(const Command& self, const Args& args) {
    CommandLine line(self);
    std::string config;
    ConfigOptions config_options;
    bool no_save = false;
    bool quiet = false;
    FormatOption format({"text", "json"});
    config_options.add(line.options());
    format.add(line.options());
    line.options().add_options()("no-save", po::bool_switch(&no_save),
                                 "print the statistics only; write nothing")(
        "quiet,q", po::bool_switch(&quiet), "print only the statistics table");
    if (!line.parse(args, {{"CONFIG", &config}})) return 0;
    const bool json = format.json();
    quiet = quiet || json;

    const auto t0 = std::chrono::steady_clock::now();
    exp::ExperimentConfig cfg = exp::load_experiment_config(config, config_options.sets);
    if (!config_options.out.empty()) cfg.output.dir = config_options.out;
    const exp::RunFolder folder(cfg.output.dir);
    const bool save = !no_save && cfg.output.save_prepared;
    if (save) {
        folder.check_config_change(cfg.resolved_text,
                                   "use another --out folder, --no-save, or delete the folder");
    }
    engine::RawLog log = engine::read_log(cfg.data.log);
    const auto t1 = std::chrono::steady_clock::now();
    const std::int64_t read = log.rows_read;
    const std::int64_t filtered = log.rows_filtered;
    engine::PreparedData data = engine::prepare(std::move(log), cfg.data.prepare);
    const auto t2 = std::chrono::steady_clock::now();
    auto secs = [](auto a, auto b) { return std::chrono::duration<double>(b - a).count(); };

    if (!quiet) {
        std::cout << "log      " << cfg.data.log.path << ": " << read << " rows, " << filtered
                  << " dropped by filters, " << data.unique_pairs << " unique (user, item) pairs\n"
                  << "ids      " << data.user_keys.size() << " users, " << data.item_keys.size()
                  << " items over all periods; fingerprint " << data.fingerprint() << "\n"
                  << "memory   matrices + id maps " << data.memory_bytes() / 1e6 << " MB\n\n";
    }
    if (!json) std::cout << engine::format_stats_table(data);
    if (save) {
        engine::save_prepared(data, {cfg.data.log.path, cfg.data.source_text},
                              folder.prepared().string());
        write_file_atomic(folder.config(), cfg.resolved_text);
        if (!quiet) std::cout << "\nwrote    " << folder.prepared().string() << "\n";
    }
    const auto t3 = std::chrono::steady_clock::now();
    if (json) {
        print_json(prepare_json(cfg, read, filtered, data, save ? folder.prepared().string() : "",
                                {secs(t0, t1), secs(t1, t2), secs(t2, t3)}));
    }
    if (!quiet) {
        std::cout << "time     read " << secs(t0, t1) << " s, prepare " << secs(t1, t2)
                  << " s, save " << secs(t2, t3) << " s\n";
    }
    return 0;
}

const Command kPrepare{"prepare",
                       "read, split, filter and map an interaction log; print period statistics",
                       R"(Usage: knntune prepare CONFIG [--set key=value]... [--out DIR] [--no-save]
                       [--quiet] [--format text|json]

Reads the interaction log named in CONFIG's data section, keeps the first interaction
of every (user, item) pair, splits it into train_val/valid/train/test, applies the
minimum-interaction filters and cold-start removal, maps ids, and prints one line of
statistics per period. Unless --no-save is given, writes prepared.h5 (layout in
docs/prepared-data.md) and config.resolved.yaml into the run folder. The whole config
is validated first. With --format json, prints one JSON object instead of the text
(fields in docs/cli.md).)",
                       run_prepare};

}  // namespace knntune::cli
