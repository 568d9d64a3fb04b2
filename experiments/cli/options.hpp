#pragma once
/// Option groups shared by the subcommands, so that an option means the same everywhere:
///
/// - `--set KEY=VALUE` always overrides a config key (a dotted key of configs/README.md);
/// - `--param NAME=VALUE` always sets a similarity parameter (`knntune similarity --help`);
/// - `--measure`, `--orientation` and `--threads` are spelled and checked once;
/// - `--baseline NAME` (with `--seed N`) takes the place of `--measure` where a list of
///   recommendations is scored or written (recommend, evaluate).

#include <tbb/global_control.h>

#include <boost/program_options.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/baselines.hpp"
#include "engine/similarity/params.hpp"
#include "experiments/cli/commands.hpp"
#include "experiments/progress.hpp"

namespace knntune::cli {

/// `--set` and `--out` of the commands that read a config.
struct ConfigOptions {
    std::vector<std::string> sets;
    std::string out;
    void add(boost::program_options::options_description& d);
};

/// `--progress` and `--quiet`.
struct ProgressOptions {
    std::string mode = "auto";
    bool quiet = false;
    void add(boost::program_options::options_description& d);
    /// Throws UsageError for an unknown mode.
    [[nodiscard]] exp::ProgressMode progress_mode() const;
};

/// Whether a command takes a baseline in place of `--measure`.
enum class MeasureUse {
    Required,    ///< --measure and (without a default) --orientation are required
    OrBaseline,  ///< --measure or --baseline (BaselineOptions); checked by `choose_model`
};

/// `--measure`, `--orientation`, `--param` and `--threads` of similarity, recommend and
/// evaluate.
struct KnnOptions {
    std::string measure;
    std::string orientation;
    std::vector<std::string> params;
    int threads = 0;
    std::string orientation_default{};  ///< used when --orientation is not given
    /// `orientation_default`: the default of --orientation; empty makes it required (with
    /// --measure, under MeasureUse::OrBaseline).
    void add(boost::program_options::options_description& d,
             const std::string& orientation_default = {}, MeasureUse use = MeasureUse::Required);
    /// Throws ParamError listing the measures for an unknown name, UsageError for a baseline.
    [[nodiscard]] engine::similarity::Measure measure_id() const;
    /// --orientation, or its default; throws UsageError when neither is there.
    [[nodiscard]] engine::similarity::Orientation orientation_id() const;
    /// The `--param NAME=VALUE` values; throws UsageError on a missing '=' or a repeat.
    [[nodiscard]] engine::similarity::ParamMap param_map() const;
    /// Limits TBB to `--threads` workers while the returned object lives (none for 0).
    [[nodiscard]] std::unique_ptr<tbb::global_control> thread_limit() const;
};

/// `--baseline NAME` and `--seed N` of recommend and evaluate (engine/baselines.hpp).
struct BaselineOptions {
    std::string baseline;
    std::string seed;  ///< as given; empty: the command's default
    /// `seed_default`: what the help says the default seed is.
    void add(boost::program_options::options_description& d, const std::string& seed_default);
};

/// What recommend and evaluate score: a similarity measure (the KnnOptions) or a baseline.
struct ModelChoice {
    std::optional<engine::Baseline> baseline;  ///< set: a baseline in place of a measure
    std::uint64_t seed = 0;                    ///< the random baseline's seed
};

/// Checks that exactly one of --measure and --baseline is given, that a baseline comes without
/// --orientation and --param, and that --seed comes with --baseline random only; the seed is
/// `default_seed` unless --seed gives one. Throws UsageError, or ParamError listing the
/// baselines for an unknown name.
[[nodiscard]] ModelChoice choose_model(const KnnOptions& knn, const BaselineOptions& b,
                                       std::uint64_t default_seed);

/// Help text of the baselines, after the measures of recommend and evaluate.
[[nodiscard]] std::string baselines_help();

/// `--top N`, N >= 1.
struct TopOption {
    int top = 10;
    void add(boost::program_options::options_description& d, const std::string& what);
    /// The value; throws UsageError when it is below 1.
    [[nodiscard]] int checked() const;
};

/// `--format NAME`: how a command prints its result; the first allowed name is the default.
struct FormatOption {
    std::vector<std::string> allowed;  ///< e.g. {"text", "json"}
    std::string format;
    explicit FormatOption(std::vector<std::string> names);
    void add(boost::program_options::options_description& d);
    /// The value; throws UsageError naming --format and the allowed names for another one.
    [[nodiscard]] const std::string& checked() const;
    [[nodiscard]] bool json() const { return checked() == "json"; }
};

/// `--input`, `--period` and `--output` of similarity and recommend.
struct InputOptions {
    std::string input;
    std::string period = "train";
    std::string output;
    void add(boost::program_options::options_description& d);
};

/// A validated similarity job: everything is checked before the data is read.
struct KnnJob {
    engine::similarity::Measure measure;
    engine::similarity::Orientation orientation;
    engine::similarity::SimilarityParams params;
    std::unique_ptr<tbb::global_control> thread_limit;
};

/// The job of `knn`; throws on a bad measure, orientation, parameter or thread count.
[[nodiscard]] KnnJob validate(const KnnOptions& knn);

/// Help text after the options of similarity and recommend: the measures and every parameter.
[[nodiscard]] std::string measures_and_params_help();

}  // namespace knntune::cli
