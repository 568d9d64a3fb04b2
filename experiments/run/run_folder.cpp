#include "experiments/run/run_folder.hpp"

#include <algorithm>

#include "common/atomic_file.hpp"
#include "experiments/error.hpp"
#include "tuner/error.hpp"
#include "tuner/hdf5_storage.hpp"

namespace knntune::exp {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kTrialsPrefix = "trials-";

}  // namespace

std::string RunFolder::name() const {
    fs::path p = fs::absolute(dir_).lexically_normal();
    if (p.filename().empty()) p = p.parent_path();
    return p.filename().string();
}

fs::path RunFolder::trials(std::string_view model, std::string_view measure,
                           std::int64_t repeat) const {
    std::string name = std::string(kTrialsPrefix) + std::string(model);
    if (!measure.empty()) name += "-" + std::string(measure);
    if (repeat > 0) name += ".r" + std::to_string(repeat);
    return dir_ / (name + ".h5");
}

std::vector<fs::path> RunFolder::model_logs(std::string_view model, bool per_measure,
                                            const std::vector<std::string>& measures,
                                            std::int64_t repeats) const {
    std::vector<fs::path> out;
    for (std::int64_t r = 0; r < repeats; ++r) {
        if (!per_measure) out.push_back(trials(model, {}, r));
        for (const std::string& m : per_measure ? measures : std::vector<std::string>{}) {
            out.push_back(trials(model, m, r));
        }
    }
    return out;
}

fs::path RunFolder::test(std::string_view model) const {
    return dir_ / ("test-" + std::string(model) + ".json");
}

fs::path RunFolder::model(std::string_view model) const {
    return dir_ / ("model-" + std::string(model) + ".h5");
}

ReportPaths RunFolder::report() const {
    return {dir_ / "report.md", dir_ / "report.html", dir_ / "figures"};
}

std::vector<fs::path> RunFolder::trial_logs() const {
    std::vector<fs::path> out;
    std::error_code ec;
    if (!fs::is_directory(dir_, ec)) return out;
    for (const auto& e : fs::directory_iterator(dir_, ec)) {
        const std::string name = e.path().filename().string();
        const bool log_name = name == "trials.h5" || name.rfind(kTrialsPrefix, 0) == 0;
        if (log_name && e.path().extension() == ".h5") {
            out.push_back(e.path());
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

bool RunFolder::is_run(const fs::path& path) {
    std::error_code ec;
    return fs::is_directory(path, ec) && fs::exists(RunFolder(path).config(), ec);
}

std::vector<fs::path> RunFolder::results() const {
    std::vector<fs::path> out;
    for (const fs::path& log : trial_logs()) {
        if (holds_trials(log)) out.push_back(log);
    }
    std::error_code ec;
    if (!fs::is_directory(dir_, ec)) return out;
    const ReportPaths report = this->report();
    for (const auto& e : fs::directory_iterator(dir_, ec)) {
        const fs::path& p = e.path();
        const std::string name = p.filename().string();
        const bool test = name.starts_with("test-") && p.extension() == ".json";
        const bool model = name.starts_with("model-") && p.extension() == ".h5";
        if (test || model || p == report.markdown || p == report.html) out.push_back(p);
    }
    std::sort(out.begin(), out.end());
    return out;
}

void RunFolder::check_config_change(const std::string& resolved_text,
                                    std::string_view remedy) const {
    const fs::path resolved = config();
    if (!fs::exists(resolved) || read_file(resolved) == resolved_text) return;
    const std::vector<fs::path> found = results();
    if (found.empty()) return;
    std::string names;
    for (std::size_t i = 0; i < found.size() && i < 3; ++i) {
        names += (i == 0 ? "" : ", ") + found[i].filename().string();
    }
    if (found.size() > 3) names += ", ...";
    throw ConfigError(dir_.string() + ": holds a run of a different config (" +
                      resolved.filename().string() + " differs) with results (" + names + "); " +
                      std::string(remedy));
}

bool holds_trials(const fs::path& path) {
    try {
        return !tuner::read_trial_log(path.string()).trials.empty();
    } catch (const tuner::Error&) {
        return true;
    }
}

}  // namespace knntune::exp
