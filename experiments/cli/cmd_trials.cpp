/// `knntune trials LOG_OR_RUN_DIR [--format table|csv|json] [--importance]`: prints the trial table
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
#include "experiments/cli/json_output.hpp"
#include "experiments/cli/options.hpp"
#include "experiments/cli/trial_logs.hpp"
#include "experiments/error.hpp"
#include "experiments/run/run_folder.hpp"
#include "tuner/error.hpp"
#include "tuner/hdf5_storage.hpp"
#include "tuner/importance.hpp"

namespace po = boost::program_options;
namespace kt = knntune::tuner;

namespace knntune::cli {

namespace {

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

/// One row of the importance view: a parameter of a subset, or (empty key) a subset none of
/// whose parameters could be evaluated.
struct ImportanceRow {
    std::string subset;  ///< "all" or "algorithm=MEASURE"
    std::string key;     ///< the parameter; empty for a subset row
    bool evaluated = false;
    double share = std::nan("");
    double raw = std::nan("");
    std::size_t n_trials = 0;
    std::size_t n_local = 0;
};

/// The PED-ANOVA importance of one log, rows as printed.
struct ImportanceView {
    std::string study;
    kt::Direction direction = kt::Direction::Minimize;
    std::size_t complete = 0;  ///< Complete trials with a value
    std::vector<ImportanceRow> rows;
};

// The rows of one PED-ANOVA analysis, parameters in decreasing importance. With `per_subset`
// (a measure's analysis) the parameters never active in it are left out, and a subset where
// nothing could be evaluated is one row.
void add_importance_rows(std::vector<ImportanceRow>& rows, const std::string& subset,
                         const std::vector<kt::ParamImportance>& result, bool per_subset) {
    const bool any = std::any_of(result.begin(), result.end(),
                                 [](const kt::ParamImportance& r) { return r.evaluated; });
    if (per_subset && !any) {
        // The root parameters are active in every trial of the subset: the largest count.
        const auto most =
            std::max_element(result.begin(), result.end(),
                             [](const auto& a, const auto& b) { return a.n_trials < b.n_trials; });
        if (most != result.end() && most->n_trials > 0) {
            rows.push_back(
                {subset, "", false, std::nan(""), std::nan(""), most->n_trials, most->n_local});
        }
        return;
    }
    for (const kt::ParamImportance& r : result) {
        if (per_subset && r.n_trials == 0) continue;
        rows.push_back({subset, r.key, r.evaluated, r.share, r.raw, r.n_trials, r.n_local});
    }
}

// PED-ANOVA importance of every parameter of one log: over all trials, then per choice of a
// root categorical `algorithm` (one subset per measure) when it has several.
ImportanceView build_importance(const std::string& path, const kt::PedAnovaParams& params) {
    const kt::TrialLog log = kt::read_trial_log(path);
    ImportanceView v;
    v.study = log.info.name;
    v.direction = log.info.direction;
    for (const kt::FrozenTrial& tr : log.trials) {
        v.complete += tr.state == kt::TrialState::Complete && !std::isnan(tr.value);
    }
    add_importance_rows(v.rows, "all", kt::ped_anova(log.space, log.trials, v.direction, params),
                        false);
    const auto root = log.space.find("algorithm");
    if (!root || log.space.param(*root).condition) return v;
    const kt::Distribution& d = log.space.param(*root).distribution;
    if (!d.is_categorical() || d.n_choices() < 2) return v;
    for (const std::string& choice : d.choices) {
        kt::PedAnovaParams p = params;
        p.where_key = "algorithm";
        p.where_choice = choice;
        add_importance_rows(v.rows, "algorithm=" + choice,
                            kt::ped_anova(log.space, log.trials, v.direction, p), true);
    }
    return v;
}

/// The importance view as a table of text cells.
TrialTable importance_table(const ImportanceView& v, const std::string& path,
                            const kt::PedAnovaParams& params, bool csv) {
    TrialTable t;
    t.study = v.study;
    t.summary = "study '" + v.study + "' (" + path +
                "): " + std::string(kt::direction_name(v.direction)) + ", " +
                std::to_string(v.complete) +
                " complete trials; PED-ANOVA importance of reaching the best " +
                significant(100.0 * params.local_quantile, 3) + "% within the best " +
                significant(100.0 * params.global_quantile, 3) + "%";
    t.header = {"subset", "parameter", "share", "importance", "trials", "local", "note"};
    for (const ImportanceRow& r : v.rows) {
        const std::string share = csv ? number_text(r.share, 17) : percent(r.share);
        t.rows.push_back({r.subset, r.key, r.evaluated ? share : "",
                          r.evaluated ? number_text(r.raw, csv ? 17 : 4) : "",
                          std::to_string(r.n_trials), std::to_string(r.n_local),
                          r.evaluated ? "" : "too few trials"});
    }
    return t;
}

/// The importance view as JSON.
boost::json::object importance_json(const ImportanceView& v, const std::string& path,
                                    const kt::PedAnovaParams& params) {
    boost::json::object o;
    o["study"] = v.study;
    o["path"] = path;
    o["direction"] = kt::direction_name(v.direction);
    o["complete_trials"] = static_cast<std::int64_t>(v.complete);
    o["local_quantile"] = params.local_quantile;
    o["global_quantile"] = params.global_quantile;
    boost::json::array rows;
    for (const ImportanceRow& r : v.rows) {
        rows.push_back({{"subset", r.subset},
                        {"parameter", json_text(r.key)},
                        {"evaluated", r.evaluated},
                        {"share", json_number(r.share)},
                        {"importance", json_number(r.raw)},
                        {"trials", static_cast<std::int64_t>(r.n_trials)},
                        {"local", static_cast<std::int64_t>(r.n_local)}});
    }
    o["importance"] = std::move(rows);
    return o;
}

/// A trial parameter as JSON: null when inactive (NaN), a categorical's label, an integer
/// distribution's value as an integer, a float's as a number.
boost::json::value param_json(const kt::Distribution& d, double x) {
    if (std::isnan(x)) return nullptr;
    if (d.is_categorical()) return boost::json::string(d.format(x));
    if (d.kind == kt::DistributionKind::Int) return static_cast<std::int64_t>(x);
    return x;
}

/// The race record as JSON (null when the study is not a race).
boost::json::value race_json(const kt::RaceRecord& race) {
    if (race.empty()) return nullptr;
    boost::json::array arms;
    for (const kt::RaceArm& a : race.arms) {
        arms.push_back({{"label", a.label},
                        {"racing", a.racing},
                        {"stopped_at", a.racing ? boost::json::value(nullptr) : a.stopped_at},
                        {"trials", a.n_trials},
                        {"value", json_number(a.value)},
                        {"leader", json_text(a.leader)},
                        {"leader_value", json_number(a.leader_value)},
                        {"p_value", json_number(a.p_value)},
                        {"p_raw", json_number(a.p_raw)}});
    }
    return boost::json::object{{"key", race.key},
                               {"test", race.test},
                               {"alpha", race.alpha},
                               {"min_trials", race.min_trials},
                               {"check_every", race.check_every},
                               {"tests", race.n_tests},
                               {"arms", std::move(arms)}};
}

/// One log's trials as JSON: the study, then one object per trial, in trial order.
boost::json::object trials_json(const std::string& path) {
    const kt::TrialLog log = kt::read_trial_log(path);
    boost::json::object o;
    o["study"] = log.info.name;
    o["path"] = path;
    o["direction"] = kt::direction_name(log.info.direction);
    o["sampler"] = log.info.sampler;
    o["seed"] = log.info.seed;
    boost::json::array trials;
    for (const kt::FrozenTrial& tr : log.trials) {
        boost::json::object params;
        for (std::size_t p = 0; p < log.space.size(); ++p) {
            params[log.space.param(p).key] =
                param_json(log.space.param(p).distribution, tr.params[p]);
        }
        boost::json::object metrics;
        for (const std::string& m : log.metric_names) {
            const auto it = tr.metrics.find(m);
            metrics[m] = it == tr.metrics.end() ? nullptr : json_number(it->second);
        }
        trials.push_back({{"number", tr.number},
                          {"state", kt::state_name(tr.state)},
                          {"value", json_number(tr.value)},
                          {"params", std::move(params)},
                          {"metrics", std::move(metrics)},
                          {"start_time", json_number(tr.start_time)},
                          {"end_time", json_number(tr.end_time)},
                          {"duration", json_number(tr.duration())},
                          {"error", json_text(tr.error)}});
    }
    o["trials"] = std::move(trials);
    o["race"] = race_json(log.race);
    return o;
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
    FormatOption format({"table", "csv", "json"});
    std::string path;
    bool importance = false;
    kt::PedAnovaParams ped;
    format.add(line.options());
    line.options().add_options()(
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
    const std::string& chosen = format.checked();
    if (importance) ped.validate();
    const bool csv = chosen == "csv";
    if (chosen == "json") {
        boost::json::array studies;
        for (const std::string& log : resolve_trial_logs(path)) {
            studies.push_back(importance ? importance_json(build_importance(log, ped), log, ped)
                                         : trials_json(log));
        }
        print_json(boost::json::object{{"studies", std::move(studies)}});
        return 0;
    }
    std::vector<TrialTable> tables;
    for (const std::string& log : resolve_trial_logs(path)) {
        tables.push_back(importance ? importance_table(build_importance(log, ped), log, ped, csv)
                                    : build_table(log, csv));
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

const Command kTrials{
    "trials", "print the trial table of a study's trial log, or its parameter importance",
    R"(Usage: knntune trials LOG_OR_RUN_DIR [--format table|csv|json] [--importance]

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
measure none of whose parameters has enough.

--format json prints either view as one JSON object with one entry per log (fields in
docs/cli.md): numbers as numbers, categoricals by label, missing values as null.)",
    run_trials};

}  // namespace knntune::cli
