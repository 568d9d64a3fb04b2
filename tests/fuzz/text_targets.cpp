/// Fuzz targets of the text readers: the interaction CSV, the interaction log (with the
/// preparation that follows it) and the experiment config.

#include <unistd.h>

#include <algorithm>
#include <string>
#include <string_view>

#include "engine/data/log_reader.hpp"
#include "engine/data/prepare.hpp"
#include "engine/interactions_csv.hpp"
#include "experiments/config/experiment_config.hpp"
#include "tests/fuzz/fuzz_input.hpp"

namespace knntune::fuzz {

namespace {

/// A log spec that fits the input's first line, so that mutations of the header explore the
/// reader's options: a tab there means TSV; a first field `user` means a header, read by the
/// names user, item, time, value, name (those present); otherwise columns by position
/// (user 1, item 2, and time 3 when the line has three fields).
engine::LogSpec spec_for(std::string_view text, const std::string& path) {
    const std::string_view first = text.substr(0, text.find('\n'));
    engine::LogSpec spec;
    spec.path = path;
    spec.delimiter = first.find('\t') != std::string_view::npos ? '\t' : ',';
    spec.header = first.substr(0, 4) == "user";
    if (!spec.header) {
        spec.user = {"", 1};
        spec.item = {"", 2};
        if (std::count(first.begin(), first.end(), spec.delimiter) >= 2) spec.timestamp = {"", 3};
        return spec;
    }
    const auto has = [&](std::string_view name) { return first.find(name) != first.npos; };
    spec.user = {"user", 0};
    spec.item = {"item", 0};
    if (has("time")) spec.timestamp = {"time", 0};
    if (has("value")) {
        spec.value = {"value", 0};
        spec.filters.push_back({{"value", 0}, engine::FilterOp::Gt, 0.0, ""});
    }
    if (has("name")) {
        spec.item_name = {"name", 0};
        spec.filters.push_back({{"name", 0}, engine::FilterOp::NotStartsWith, 0.0, "C"});
    }
    return spec;
}

/// Makes `dir` the working folder for its lifetime, then restores the previous one.
class WorkingFolder {
  public:
    explicit WorkingFolder(const std::filesystem::path& dir)
        : previous_(std::filesystem::current_path()) {
        std::filesystem::current_path(dir);
    }
    ~WorkingFolder() { std::filesystem::current_path(previous_); }
    WorkingFolder(const WorkingFolder&) = delete;
    WorkingFolder& operator=(const WorkingFolder&) = delete;

  private:
    std::filesystem::path previous_;
};

}  // namespace

int interactions_csv(const std::uint8_t* data, std::size_t size) {
    const std::string path = write_input("interactions.csv", data, size);
    return run_reader([&] { (void)engine::read_interactions_csv(path); });
}

int log_reader(const std::uint8_t* data, std::size_t size) {
    const std::string path = write_input("log.csv", data, size);
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    return run_reader([&] {
        engine::RawLog log = engine::read_log(spec_for(text, path));
        engine::PrepareSpec prepare;
        prepare.split.test_window = prepare.split.valid_window = {1, 0};
        prepare.split.train_val_window = {1, 0};
        if (!log.has_timestamps) prepare.split.method = engine::SplitMethod::RandomHoldout;
        if (!log.value.empty()) prepare.feedback = engine::Feedback::Value;
        (void)engine::prepare(std::move(log), prepare);
    });
}

int config(const std::uint8_t* data, std::size_t size) {
    // The configs name their input files relative to the working folder: the seeds read
    // log.csv (user, item, time) and items.csv (id, name, group), which exist in `dir`.
    static const std::filesystem::path dir = [] {
        const auto d = scratch_dir() / "config";
        std::filesystem::create_directories(d);
        std::ofstream(d / "log.csv") << "user,item,time\nu1,i1,2020-01-02\nu2,i2,2020-02-03\n";
        std::ofstream(d / "items.csv") << "id,name,group\ni1,Mug,a\ni2,Plate,b\n";
        return d;
    }();
    const std::string path = write_input("config/fuzz.yaml", data, size);
    // NOTE: the working folder is restored after each input: libFuzzer opens its corpus and
    // writes its findings by the paths it was given, relative ones included.
    const WorkingFolder in_dir(dir);
    return run_reader([&] { (void)exp::load_experiment_config(path, {}); });
}

}  // namespace knntune::fuzz
