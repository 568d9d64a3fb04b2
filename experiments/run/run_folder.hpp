#pragma once
/// The run folder: the one object that knows where each file of a run lives
/// (docs/run-folder.md).
///
///   config.resolved.yaml       the resolved config (overrides applied, defaults filled in)
///   prepared.h5                prepared data (docs/prepared-data.md)
///   trials-MODEL.h5            one trial log per model (MODEL = item_knn | user_knn); with
///                              tuner.strategy: per_measure, trials-MODEL-MEASURE.h5 per measure
///   test-MODEL.json            validation winners per measure retrained on train, test scores
///                              and per-user metric vectors
///   model-item_knn.h5          the best item-item similarity (docs/model-file.md)
///   report.md, report.html     the report, with its figures in figures/

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace knntune::exp {

/// Where the report's files go.
struct ReportPaths {
    std::filesystem::path markdown;
    std::filesystem::path html;
    std::filesystem::path figures;  ///< folder of the SVG figures, beside the two documents
};

class RunFolder {
  public:
    explicit RunFolder(std::filesystem::path dir) : dir_(std::move(dir)) {}

    [[nodiscard]] const std::filesystem::path& dir() const { return dir_; }
    /// The folder's own name ("online-retail" for results/online-retail/).
    [[nodiscard]] std::string name() const;

    [[nodiscard]] std::filesystem::path config() const { return dir_ / "config.resolved.yaml"; }
    [[nodiscard]] std::filesystem::path prepared() const { return dir_ / "prepared.h5"; }
    /// The trial log of `model`, or of one of its measures with tuner.strategy: per_measure;
    /// repeat r > 0 of `tuner.repeats` adds ".rR" before ".h5" (trials-item_knn.r1.h5).
    [[nodiscard]] std::filesystem::path trials(std::string_view model,
                                               std::string_view measure = {},
                                               std::int64_t repeat = 0) const;
    /// The trial logs of `model`, repeat by repeat: per repeat one per measure of `measures`
    /// when `per_measure`, else one.
    [[nodiscard]] std::vector<std::filesystem::path> model_logs(
        std::string_view model, bool per_measure, const std::vector<std::string>& measures,
        std::int64_t repeats = 1) const;
    [[nodiscard]] std::filesystem::path test(std::string_view model) const;
    [[nodiscard]] std::filesystem::path model(std::string_view model) const;
    [[nodiscard]] ReportPaths report() const;

    /// Every trial log in the folder (trials-*.h5, and trials.h5 as a study written through the
    /// tuner library names it), sorted by name.
    [[nodiscard]] std::vector<std::filesystem::path> trial_logs() const;
    /// True when `path` names a run folder (it holds a resolved config).
    [[nodiscard]] static bool is_run(const std::filesystem::path& path);

    /// The files that hold results of a run, sorted by name: trial logs holding a trial
    /// (finished or running; a log that cannot be read counts too), test results, model files
    /// and the report. Not results: the resolved config, the prepared data (made again from
    /// the log when the data or split settings differ) and trial logs without a trial, which
    /// is all a run that failed before its first trial leaves behind.
    [[nodiscard]] std::vector<std::filesystem::path> results() const;

    /// Refuses to start a run of a different config in a folder that holds results: throws
    /// ConfigError naming the folder and its first results when the folder's resolved config
    /// exists, differs from `resolved_text` and results() is not empty. `remedy` ends the
    /// message ("use another --out folder, ...").
    void check_config_change(const std::string& resolved_text, std::string_view remedy) const;

  private:
    std::filesystem::path dir_;
};

/// True when the trial log at `path` holds at least one trial, or cannot be read (so that
/// a damaged log is never taken for an empty one).
[[nodiscard]] bool holds_trials(const std::filesystem::path& path);

}  // namespace knntune::exp
