#pragma once
/// The experiment configuration: every section of the YAML file, validated.
///
/// Each field's default is its initialiser below, and nowhere else: the key table
/// (keys.cpp) reads defaults from a default-constructed `ExperimentConfig` for the docs, the
/// help text and the resolved config.

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/data/log_reader.hpp"
#include "engine/data/prepare.hpp"
#include "engine/metrics.hpp"
#include "engine/similarity/params.hpp"
#include "experiments/config/config_doc.hpp"
#include "experiments/config/search_config.hpp"
#include "tuner/race.hpp"
#include "tuner/study.hpp"

namespace knntune::exp {

/// The `data` and `split` sections: how the log is read and cut.
struct DataConfig {
    engine::LogSpec log;
    std::string format = "auto";           ///< data.format, resolved into log.delimiter
    std::string delimiter;                 ///< data.delimiter; empty: from the format
    engine::ItemMetadataSpec metadata;     ///< data.item_metadata.*, used when has_metadata
    bool has_metadata = false;             ///< the config has a data.item_metadata section
    std::string metadata_format = "auto";  ///< data.item_metadata.format
    std::string metadata_delimiter;        ///< data.item_metadata.delimiter
    engine::PrepareSpec prepare;
    /// split.window: the default length of each of the three windows.
    engine::Duration window = engine::SplitSpec{}.valid_window;
    std::string source_text;  ///< the resolved data and split sections (YAML): what the
                              ///< prepared data depends on
};

/// The `tuner` section. The budget and batch defaults are the tuner library's own
/// (tuner::OptimizeParams), so they are written once.
/// How the trial budget of a model is spent (`tuner.strategy`).
enum class TuneStrategy {
    Race,        ///< every measure its own trials; significantly worse ones stop (tuner/race.hpp)
    Joint,       ///< one conditional study over all measures
    PerMeasure,  ///< one study per measure, each with the whole budget
};

/// `tuner.race.*`: the race's settings (tuner::RaceParams).
struct RaceConfig {
    std::int64_t min_trials = 0;   ///< 0: max(8, n_trials / (4 · measures))
    std::int64_t check_every = 0;  ///< 0: min_trials
    double alpha = tuner::RaceParams{}.alpha;
    std::int64_t confirm = tuner::RaceParams{}.confirm;
    /// "dimension" and `share` are the experiment's defaults (the tuner library's race defaults
    /// to "equal" and no sharing): on Online Retail and MovieLens they gave the better study
    /// best and, on two of the three tasks, lower per-measure regret (docs/benchmarks.md).
    std::string allocation = "dimension";
    bool share = true;  ///< k and shrink learn from every measure's trials (make_arm_sampler)
    /// Share of the validation users of the first pruning check (each next check doubles
    /// it); 0: no pruning (docs/race.md, "Pruning trials").
    double prune_first = 0.0;
    double prune_alpha = 0.05;  ///< level of the one-sided test that prunes a trial
};

struct TunerConfig {
    std::string sampler = "tpe";
    std::int64_t n_trials = tuner::OptimizeParams{}.n_trials;
    double timeout_seconds = tuner::OptimizeParams{}.timeout_seconds;  ///< 0: none
    std::uint64_t seed = 42;
    std::int64_t parallel_trials =
        static_cast<std::int64_t>(tuner::OptimizeParams{}.parallel_trials);
    std::int64_t patience = tuner::OptimizeParams{}.patience;  ///< 0: off
    /// Failed trials of one kind, none finished otherwise since, that stop a study (0: never).
    // NOTE: the tuner library never stops by default; a run of the tool does, so that trials
    // that cannot succeed (out of memory) do not fill the budget with failures.
    std::int64_t max_failures = 10;
    TuneStrategy strategy = TuneStrategy::Race;
    RaceConfig race;
    /// Whole studies run per model, repeat r with seed + r; the test stage takes each
    /// measure's best over all of them.
    std::int64_t repeats = 1;
    std::int64_t cache_max_pairs = 50'000'000;  ///< co-occurrence cache size limit (0: off)
    boost::json::object settings;               ///< passed to the sampler
    /// One study per measure, with a trial log each.
    [[nodiscard]] bool per_measure() const { return strategy == TuneStrategy::PerMeasure; }
};

struct ObjectiveConfig {
    engine::MetricSpec metric = engine::parse_metric("precision@10");
    /// Further metrics; when the config gives none, every registered metric family at the
    /// objective's cut-off.
    std::vector<engine::MetricSpec> extra;
    /// The objective first, then the extras without duplicates.
    [[nodiscard]] std::vector<engine::MetricSpec> all() const;
};

struct ReportConfig {
    bool plots = true;
    std::string test = "wilcoxon";  ///< "wilcoxon" | "bootstrap"
    std::int64_t bootstrap_samples = 2000;
    std::uint64_t seed = 7;
    bool embedding = true;
    std::int64_t embedding_points = 1500;
};

struct OutputConfig {
    std::string dir;  ///< empty in the config: results/<config file stem>
    bool save_prepared = true;
};

/// Everything an experiment run needs, validated.
struct ExperimentConfig {
    DataConfig data;
    std::vector<engine::similarity::Orientation> models = {engine::similarity::Orientation::Item,
                                                           engine::similarity::Orientation::User};
    SearchConfig search;
    TunerConfig tuner;
    ObjectiveConfig objective;
    ReportConfig report;
    OutputConfig output;
    std::string resolved_text;  ///< the resolved YAML (defaults filled in, input paths absolute)
    std::string source;         ///< config file name
};

/// "item_knn" / "user_knn".
[[nodiscard]] std::string model_name(engine::similarity::Orientation o);
/// Inverse of `model_name`; nothing for another name.
[[nodiscard]] std::optional<engine::similarity::Orientation> model_from_name(std::string_view name);

/// Reads and validates every section: nothing is left to be found out once work has
/// started (the search space, the enqueued configurations and the sampler settings are
/// checked here too). Throws ConfigError naming file, line and key.
[[nodiscard]] ExperimentConfig read_experiment_config(const ConfigDoc& doc);

/// `read_experiment_config` of a file with `--set` overrides.
[[nodiscard]] ExperimentConfig load_experiment_config(const std::string& path,
                                                      const std::vector<std::string>& overrides);

}  // namespace knntune::exp
