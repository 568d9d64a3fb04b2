#pragma once
/// The full experiment configuration: data + split (config.hpp), models, search space,
/// tuner, objective and report sections.

#include <boost/json/object.hpp>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/metrics.hpp"
#include "engine/similarity/params.hpp"
#include "experiments/config.hpp"

namespace knntune::exp {

/// A tuned parameter's domain, or a fixed value.
struct RangeSpec {
    std::optional<double> fixed;  ///< set: the parameter is not tuned
    double low = 0.0;
    double high = 0.0;
    bool log = false;
    std::optional<double> step;
    bool is_int = false;          ///< k is an integer parameter
};

/// The conditional search space over similarity measures.
struct SearchConfig {
    std::vector<std::string> measures;  ///< the categorical `algorithm`, in config order
    /// Parameters shared by every measure ("k", "shrink", optionally "threshold").
    std::map<std::string, RangeSpec> shared;
    /// measure → its own parameters (alpha, beta, l, t1, t2, c) → range.
    std::map<std::string, std::map<std::string, RangeSpec>> own;
    engine::similarity::ParamMap fixed;  ///< given to every trial
    std::vector<std::map<std::string, std::string>> enqueue;  ///< raw values as written
};

struct TunerConfig {
    std::string sampler = "tpe";
    std::int64_t n_trials = 100;
    double timeout_seconds = 0.0;
    std::uint64_t seed = 42;
    std::size_t parallel_trials = 1;
    std::int64_t patience = 0;
    bool per_measure = false;
    std::size_t cache_max_pairs = 50'000'000;  ///< co-occurrence cache size limit (0: off)
    boost::json::object settings;  ///< passed to the sampler
};

struct ObjectiveConfig {
    engine::MetricSpec metric;
    std::vector<engine::MetricSpec> extra;
    /// The objective first, then the extras without duplicates.
    [[nodiscard]] std::vector<engine::MetricSpec> all() const;
};

struct ReportConfig {
    bool plots = true;
    std::string test = "wilcoxon";  ///< "wilcoxon" | "bootstrap"
    int bootstrap_samples = 2000;
    std::uint64_t seed = 7;
    bool embedding = true;
    int embedding_points = 1500;
};

/// Everything an experiment run needs, validated.
struct ExperimentConfig {
    DataConfig data;
    std::vector<engine::similarity::Orientation> models;  ///< item and/or user
    SearchConfig search;
    TunerConfig tuner;
    ObjectiveConfig objective;
    ReportConfig report;
    std::string resolved_text;  ///< the resolved YAML, saved in the run folder
    std::string source;         ///< config file name
};

/// "item_knn" / "user_knn".
[[nodiscard]] std::string model_name(engine::similarity::Orientation o);

/// Reads and validates every section. Throws ConfigError naming file, line and key.
[[nodiscard]] ExperimentConfig read_experiment_config(const ConfigDoc& doc);

/// Default range of a measure's own parameter (used when the config gives none).
[[nodiscard]] std::map<std::string, RangeSpec> default_own_ranges(const std::string& measure);

}  // namespace knntune::exp
