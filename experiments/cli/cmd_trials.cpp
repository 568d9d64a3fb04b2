/// `knntune trials LOG_OR_RUN_DIR [--format table|csv] [--importance]`: prints the trial table
/// of a study's HDF5 trial log, finished or still running (the log is read as a consistent
/// snapshot), or with --importance each parameter's PED-ANOVA importance, overall and per value
/// of the root categorical `algorithm`. A run folder holds one log per study; all of them are
/// shown.

#include <algorithm>
#include <boost/program_options.hpp>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "common/text.hpp"
#include "experiments/cli/commands.hpp"
#include "experiments/error.hpp"
#include "experiments/run/run_folder.hpp"
#include "tuner/error.hpp"
#include "tuner/hdf5_storage.hpp"
#include "tuner/importance.hpp"

namespace po = boost::program_options;
namespace kt = knntune::tuner;

namespace knntune::cli {

namespace {

// A run folder holds one log per study; any other path is taken as the log itself.
std::vector<std::string> resolve_logs(const std::string& arg) {
    namespace fs = std::filesystem;
    if (!fs::exists(arg)) throw kt::StorageError("'" + arg + "' does not exist");
    if (!fs::is_directory(arg)) return {arg};
    std::vector<std::string> logs;
    for (const fs::path& p : exp::RunFolder(arg).trial_logs()) logs.push_back(p.string());
    if (logs.empty())
        throw kt::StorageError("run folder '" + arg + "' has no trial log (trials*.h5)");
    return logs;
}

std::string number_text(double x, int precision = 10) {
    if (std::isnan(x)) return "";
    std::ostringstream s;
    s << std::setprecision(precision) << x;
    return s.str();
}

std::string csv_field(const std::string& s) {
    if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
    std::string out = "\"";
    for (char c : s) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

/// One study's trial table: a summary line, a header and rows of text cells.
struct TrialTable {
    std::string study;    ///< the study's name
    std::string summary;  ///< one line for the table format
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;
    std::string race;  ///< the race record as text, empty unless the study is a race
};

/// The race record: one line of settings, then one line per measure.
std::string race_text(const kt::RaceRecord& race) {
    if (race.empty()) return {};
    std::string out = "race over '" + race.key + "': " + std::to_string(race.n_tests) +
                      " tests, alpha " + significant(race.alpha, 3) + ", min_trials " +
                      std::to_string(race.min_trials) + ", check_every " +
                      std::to_string(race.check_every) + " (" + race.test + ")\n";
    for (const kt::RaceArm& a : race.arms) {
        out += "  " + a.label + ": ";
        if (!a.racing) {
            out += "stopped after trial " + std::to_string(a.stopped_at) + " with " +
                   std::to_string(a.n_trials) + " trials: best " + significant(a.value, 5) +
                   " against " + a.leader + "'s " + significant(a.leader_value, 5) +
                   ", Holm p = " + significant(a.p_value, 3) + " (raw " + significant(a.p_raw, 3) +
                   ")";
        } else if (std::isnan(a.p_value)) {
            out += a.leader == a.label ? "racing, leader at the last test" : "racing";
        } else {
            out +=
                "racing; last test against " + a.leader + ": Holm p = " + significant(a.p_value, 3);
        }
        out += "\n";
    }
    return out;
}

TrialTable build_table(const std::string& path, bool csv) {
    const kt::TrialLog log = kt::read_trial_log(path);
    const int digits = csv ? 17 : 6;  // CSV round-trips doubles; the table stays narrow
    const kt::SearchSpace& space = log.space;
    TrialTable t;
    t.study = log.info.name;
    std::size_t complete = 0;
    for (const kt::FrozenTrial& tr : log.trials) complete += tr.state == kt::TrialState::Complete;
    t.summary = "study '" + log.info.name + "' (" + path +
                "): " + std::string(kt::direction_name(log.info.direction)) + ", sampler " +
                log.info.sampler + ", seed " + std::to_string(log.info.seed) + ", " +
                std::to_string(log.trials.size()) + " trials (" + std::to_string(complete) +
                " complete)";
    t.header = {"number", "state", "value"};
    for (const kt::Param& p : space.params()) t.header.push_back(p.key);
    for (const std::string& m : log.metric_names) t.header.push_back(m);
    for (const char* c : {"start_time", "end_time", "duration", "error"}) t.header.emplace_back(c);
    for (const kt::FrozenTrial& tr : log.trials) {
        std::vector<std::string> r = {std::to_string(tr.number),
                                      std::string(kt::state_name(tr.state)),
                                      number_text(tr.value, digits)};
        for (std::size_t p = 0; p < space.size(); ++p) {
            r.push_back(space.param(p).distribution.format(tr.params[p]));
        }
        for (const std::string& m : log.metric_names) {
            auto it = tr.metrics.find(m);
            r.push_back(it == tr.metrics.end() ? "" : number_text(it->second, digits));
        }
        r.push_back(number_text(tr.start_time, 16));
        r.push_back(number_text(tr.end_time, 16));
        r.push_back(number_text(tr.duration(), 6));
        r.push_back(tr.error);
        t.rows.push_back(std::move(r));
    }
    t.race = race_text(log.race);
    return t;
}

std::string percent(double share) {
    std::ostringstream s;
    s << std::fixed << std::setprecision(1) << 100.0 * share << "%";
    return s.str();
}

// The rows of one PED-ANOVA analysis, parameters in decreasing importance. With `per_subset`
// (a measure's analysis) the parameters never active in it are left out, and a subset where
// nothing could be evaluated is one row.
void add_importance_rows(TrialTable& t, const std::string& subset,
                         const std::vector<kt::ParamImportance>& result, bool csv,
                         bool per_subset) {
    const bool any = std::any_of(result.begin(), result.end(),
                                 [](const kt::ParamImportance& r) { return r.evaluated; });
    if (per_subset && !any) {
        // The root parameters are active in every trial of the subset: the largest count.
        const auto most =
            std::max_element(result.begin(), result.end(),
                             [](const auto& a, const auto& b) { return a.n_trials < b.n_trials; });
        if (most != result.end() && most->n_trials > 0) {
            t.rows.push_back({subset, "", "", "", std::to_string(most->n_trials),
                              std::to_string(most->n_local), "too few trials"});
        }
        return;
    }
    for (const kt::ParamImportance& r : result) {
        if (per_subset && r.n_trials == 0) continue;
        const std::string share = csv ? number_text(r.share, 17) : percent(r.share);
        t.rows.push_back({subset, r.key, r.evaluated ? share : "",
                          r.evaluated ? number_text(r.raw, csv ? 17 : 4) : "",
                          std::to_string(r.n_trials), std::to_string(r.n_local),
                          r.evaluated ? "" : "too few trials"});
    }
}

// PED-ANOVA importance of every parameter of one log: over all trials, then per choice of a
// root categorical `algorithm` (one subset per measure) when it has several.
TrialTable build_importance(const std::string& path, const kt::PedAnovaParams& params, bool csv) {
    const kt::TrialLog log = kt::read_trial_log(path);
    const kt::Direction dir = log.info.direction;
    TrialTable t;
    t.study = log.info.name;
    std::size_t complete = 0;
    for (const kt::FrozenTrial& tr : log.trials) {
        complete += tr.state == kt::TrialState::Complete && !std::isnan(tr.value);
    }
    t.summary = "study '" + log.info.name + "' (" + path +
                "): " + std::string(kt::direction_name(dir)) + ", " + std::to_string(complete) +
                " complete trials; PED-ANOVA importance of reaching the best " +
                significant(100.0 * params.local_quantile, 3) + "% within the best " +
                significant(100.0 * params.global_quantile, 3) + "%";
    t.header = {"subset", "parameter", "share", "importance", "trials", "local", "note"};
    add_importance_rows(t, "all", kt::ped_anova(log.space, log.trials, dir, params), csv, false);
    const auto root = log.space.find("algorithm");
    if (!root || log.space.param(*root).condition) return t;
    const kt::Distribution& d = log.space.param(*root).distribution;
    if (!d.is_categorical() || d.n_choices() < 2) return t;
    for (const std::string& choice : d.choices) {
        kt::PedAnovaParams p = params;
        p.where_key = "algorithm";
        p.where_choice = choice;
        add_importance_rows(t, "algorithm=" + choice, kt::ped_anova(log.space, log.trials, dir, p),
                            csv, true);
    }
    return t;
}

void print_csv(const std::vector<TrialTable>& tables) {
    // Several studies: one CSV with a leading `study` column over the union of the columns.
    const bool many = tables.size() > 1;
    std::vector<std::string> header;
    if (many) header.emplace_back("study");
    for (const auto& t : tables) {
        for (const auto& h : t.header) {
            if (std::find(header.begin(), header.end(), h) == header.end()) header.push_back(h);
        }
    }
    for (std::size_t i = 0; i < header.size(); ++i)
        std::cout << (i ? "," : "") << csv_field(header[i]);
    std::cout << "\n";
    for (const auto& t : tables) {
        std::vector<std::ptrdiff_t> column(header.size(), -1);
        for (std::size_t i = 0; i < header.size(); ++i) {
            const auto it = std::find(t.header.begin(), t.header.end(), header[i]);
            if (it != t.header.end()) column[i] = it - t.header.begin();
        }
        for (const auto& r : t.rows) {
            for (std::size_t i = 0; i < header.size(); ++i) {
                const std::string cell = (many && i == 0) ? t.study
                                         : column[i] >= 0 ? r[static_cast<std::size_t>(column[i])]
                                                          : std::string();
                std::cout << (i ? "," : "") << csv_field(cell);
            }
            std::cout << "\n";
        }
    }
}

void print_table(TrialTable t) {
    // Table: drop the raw timestamps, keep the duration; one-line error text.
    std::cout << t.summary << "\n";
    std::vector<std::size_t> keep;
    for (std::size_t i = 0; i < t.header.size(); ++i) {
        if (t.header[i] != "start_time" && t.header[i] != "end_time") keep.push_back(i);
    }
    for (auto& r : t.rows) {
        std::string& e = r.back();
        for (char& c : e) c = (c == '\n' || c == '\r') ? ' ' : c;
        if (e.size() > 60) e = e.substr(0, 57) + "...";
    }
    std::vector<std::size_t> width(t.header.size(), 0);
    for (std::size_t i : keep) {
        width[i] = t.header[i].size();
        for (const auto& r : t.rows) width[i] = std::max(width[i], r[i].size());
    }
    const auto print = [&](const std::vector<std::string>& r) {
        std::string line;
        for (std::size_t i : keep) {
            std::string cell = r[i];
            cell.resize(width[i], ' ');
            line += cell + "  ";
        }
        while (!line.empty() && line.back() == ' ') line.pop_back();
        std::cout << line << "\n";
    };
    print(t.header);
    for (const auto& r : t.rows) print(r);
    if (!t.race.empty()) std::cout << "\n" << t.race;
}

}  // namespace

int run_trials(const Command& self, const Args& args) {
    CommandLine line(self);
    std::string format = "table";
    std::string path;
    bool importance = false;
    kt::PedAnovaParams ped;
    line.options().add_options()("format", po::value(&format)->default_value("table"),
                                 "table or csv")(
        "importance", po::bool_switch(&importance),
        "print each parameter's PED-ANOVA importance instead of the trials")(
        "local-quantile",
        po::value(&ped.local_quantile)
            ->default_value(ped.local_quantile, short_number(ped.local_quantile)),
        "with --importance: share of the best trials to explain, in (0, 1)")(
        "global-quantile",
        po::value(&ped.global_quantile)
            ->default_value(ped.global_quantile, short_number(ped.global_quantile)),
        "with --importance: share of the best trials taken as reference, in (local, 1]");
    if (!line.parse(args, {{"LOG_OR_RUN_DIR", &path}})) return 0;
    if (format != "table" && format != "csv") {
        throw exp::UsageError("--format must be 'table' or 'csv', got '" + format + "'");
    }
    if (importance) ped.validate();
    const bool csv = format == "csv";
    std::vector<TrialTable> tables;
    for (const std::string& log : resolve_logs(path)) {
        tables.push_back(importance ? build_importance(log, ped, csv) : build_table(log, csv));
    }
    if (csv) {
        print_csv(tables);
        return 0;
    }
    for (std::size_t t = 0; t < tables.size(); ++t) {
        if (t > 0) std::cout << "\n";
        print_table(std::move(tables[t]));
    }
    return 0;
}

const Command kTrials{"trials",
                      "print the trial table of a study's trial log, or its parameter importance",
                      R"(Usage: knntune trials LOG_OR_RUN_DIR [--format table|csv] [--importance]

Prints one row per trial of a trial log (a .h5 file, or a run folder: every log in it,
trials-MODEL[-MEASURE].h5): number, state, value, every parameter (empty when
inactive; categoricals by label), every extra metric, start and end time (seconds since
the Unix epoch), duration in seconds and the error text. With several logs the CSV has a
leading `study` column. For a race (tuner.strategy: race) the table format ends with the
race record: per measure, racing or stopped, after which trial, and the test's p-value
against the leader (docs/race.md). Works on a study that is still running.

With --importance, prints instead how much each parameter mattered for reaching the best
trials, by PED-ANOVA (docs/importance.md): over the Complete trials, the values a parameter
took in the best --local-quantile of them are compared with those in the best
--global-quantile (1: all of them). A parameter is analysed on the trials where it is active,
so a measure's own parameters are judged among that measure's trials. Rows are by decreasing
importance: subset (`all`, then `algorithm=MEASURE` for each measure of the study), parameter,
share (the importances of a subset sum to 100%), importance (the raw Pearson divergence),
trials (Complete trials where it is active), local (how many of them are the best ones). A
parameter with fewer than 2 best trials is listed with the note `too few trials`, and so is a
measure none of whose parameters has enough.)",
                      run_trials};

}  // namespace knntune::cli
