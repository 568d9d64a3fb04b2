#include "experiments/cli/options.hpp"

#include <algorithm>
#include <charconv>

#include "common/text.hpp"
#include "engine/error.hpp"
#include "engine/similarity/registry.hpp"
#include "experiments/error.hpp"

namespace po = boost::program_options;

namespace knntune::cli {

void ConfigOptions::add(po::options_description& d) {
    // NOTE: an empty --out (an unset shell variable) names no folder; it is refused rather
    // than taken for "not given".
    auto* out_value = po::value(&out)->notifier([](const std::string& v) {
        if (v.empty()) throw exp::UsageError("--out: the run folder name is empty");
    });
    d.add_options()("set", po::value(&sets)->composing(),
                    "override a config key: --set tuner.n_trials=20 (repeatable; keys in "
                    "configs/README.md)")("out", out_value,
                                          "run folder (default: the config's output.dir)");
}

void ProgressOptions::add(po::options_description& d) {
    d.add_options()("progress", po::value(&mode),
                    "auto | bar | lines: a bar on a terminal, else one line per trial")(
        "quiet,q", po::bool_switch(&quiet), "print nothing but errors");
}

exp::ProgressMode ProgressOptions::progress_mode() const {
    if (quiet) return exp::ProgressMode::Quiet;
    if (mode == "auto") return exp::ProgressMode::Auto;
    if (mode == "bar") return exp::ProgressMode::Bar;
    if (mode == "lines") return exp::ProgressMode::Lines;
    throw exp::UsageError("--progress takes auto, bar or lines, got '" + mode + "'");
}

void KnnOptions::add(po::options_description& d, const std::string& default_orientation,
                     MeasureUse use) {
    orientation_default = default_orientation;
    auto* m = po::value(&measure);
    auto* o = po::value(&orientation);
    std::string orientation_help = "item (item-KNN: item × item) or user (user-KNN: user × user)";
    if (use == MeasureUse::Required) {
        m->required();
        if (default_orientation.empty()) {
            o->required();
        } else {
            o->default_value(default_orientation);
        }
    } else {
        // NOTE: no boost default, so that an --orientation given with a baseline is seen.
        orientation_help += default_orientation.empty()
                                ? "; required with --measure"
                                : " (default " + default_orientation + ", with --measure)";
    }
    const char* measure_help = use == MeasureUse::Required
                                   ? "similarity measure (see below)"
                                   : "similarity measure (see below); or give --baseline";
    d.add_options()("measure", m, measure_help)("orientation", o, orientation_help.c_str())(
        "param", po::value(&params)->composing(),
        "a similarity parameter, NAME=VALUE (repeatable; see below)")(
        "threads", po::value(&threads)->default_value(0), "worker threads, 0 = all cores");
}

engine::similarity::Measure KnnOptions::measure_id() const {
    if (engine::is_baseline(measure)) {
        throw exp::UsageError("'" + measure +
                              "' is a baseline, not a similarity measure: give --baseline " +
                              measure + " (knntune recommend and evaluate take one)");
    }
    return engine::similarity::measure_from_name(measure);
}

engine::similarity::Orientation KnnOptions::orientation_id() const {
    const std::string& name = orientation.empty() ? orientation_default : orientation;
    if (name.empty())
        throw exp::UsageError("the option '--orientation' is required with --measure");
    return engine::similarity::orientation_from_name(name);
}

engine::similarity::ParamMap KnnOptions::param_map() const {
    engine::similarity::ParamMap map;
    for (const std::string& s : params) {
        const size_t eq = s.find('=');
        if (eq == std::string::npos || eq == 0) {
            throw exp::UsageError("--param expects NAME=VALUE, got '" + s + "'");
        }
        const std::string name = s.substr(0, eq);
        if (!map.emplace(name, s.substr(eq + 1)).second) {
            throw exp::UsageError("--param " + name + " is given twice");
        }
    }
    return map;
}

std::unique_ptr<tbb::global_control> KnnOptions::thread_limit() const {
    if (threads < 0) throw exp::UsageError("--threads must be >= 0");
    if (threads == 0) return nullptr;
    return std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism,
                                                 static_cast<size_t>(threads));
}

void BaselineOptions::add(po::options_description& d, const std::string& seed_default) {
    d.add_options()("baseline", po::value(&baseline),
                    ("a non-personalised baseline in place of --measure: " +
                     join(engine::baseline_names(), " or ") + " (see below)")
                        .c_str())(
        "seed", po::value(&seed),
        ("seed of --baseline random (default " + seed_default + ")").c_str());
}

namespace {

std::uint64_t parse_seed(const std::string& text) {
    std::uint64_t v = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || ptr != text.data() + text.size()) {
        throw exp::UsageError("--seed takes an integer in [0, 2^64), got '" + text + "'");
    }
    return v;
}

}  // namespace

ModelChoice choose_model(const KnnOptions& knn, const BaselineOptions& b,
                         std::uint64_t default_seed) {
    const std::string names = join(engine::baseline_names());
    if (b.baseline.empty()) {
        if (knn.measure.empty()) {
            throw exp::UsageError(
                "give --measure NAME (a similarity measure) or --baseline NAME (" + names + ")");
        }
        if (!b.seed.empty()) throw exp::UsageError("--seed applies to --baseline random only");
        return {};
    }
    if (!knn.measure.empty()) throw exp::UsageError("give --measure or --baseline, not both");
    const std::vector<std::string_view> measures = engine::similarity::measure_names();
    if (std::find(measures.begin(), measures.end(), b.baseline) != measures.end()) {
        throw exp::UsageError("'" + b.baseline +
                              "' is a similarity measure, not a baseline: give --measure " +
                              b.baseline + " (baselines: " + names + ")");
    }
    ModelChoice c;
    c.baseline = engine::baseline_from_name(b.baseline);
    if (!knn.orientation.empty()) {
        throw exp::UsageError("--orientation does not apply to --baseline " + b.baseline);
    }
    if (!knn.params.empty()) {
        throw exp::UsageError("--param does not apply to --baseline " + b.baseline +
                              ": baselines have no parameters");
    }
    if (*c.baseline != engine::Baseline::Random && !b.seed.empty()) {
        throw exp::UsageError("--seed applies to --baseline random only");
    }
    c.seed = b.seed.empty() ? default_seed : parse_seed(b.seed);
    return c;
}

std::string baselines_help() {
    std::string out =
        "Baselines (--baseline NAME, in place of --measure, --orientation and --param):\n";
    for (const auto& info : engine::baseline_table()) {
        std::string line = "  " + std::string(info.name);
        line.resize(22, ' ');
        out += line + std::string(info.help) + "\n";
    }
    return out;
}

void TopOption::add(po::options_description& d, const std::string& what) {
    d.add_options()("top", po::value(&top)->default_value(top), (what + ", N >= 1").c_str());
}

int TopOption::checked() const {
    if (top < 1) throw exp::UsageError("--top must be >= 1, got " + std::to_string(top));
    return top;
}

namespace {

/// "a, b or c".
std::string or_list(const std::vector<std::string>& names) {
    std::string out;
    for (std::size_t i = 0; i < names.size(); ++i) {
        out += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + names[i];
    }
    return out;
}

}  // namespace

FormatOption::FormatOption(std::vector<std::string> names)
    : allowed(std::move(names)), format(allowed.front()) {}

void FormatOption::add(po::options_description& d) {
    const std::string names = or_list(allowed);
    d.add_options()("format", po::value(&format),
                    (names + " (default " + allowed.front() + ")").c_str());
}

const std::string& FormatOption::checked() const {
    if (std::find(allowed.begin(), allowed.end(), format) != allowed.end()) return format;
    const std::string names = or_list(allowed);
    throw exp::UsageError("--format takes " + names + ", got '" + printable(format, kEchoBytes) +
                          "'");
}

void InputOptions::add(po::options_description& d) {
    d.add_options()("input", po::value(&input)->required(),
                    "user,item[,value] CSV (.gz allowed), or a prepared-data .h5 file")(
        "period", po::value(&period)->default_value("train"),
        "matrix of a prepared-data file: train_val, valid, train or test")(
        "output", po::value(&output)->required(),
        "output CSV, '-' for standard output; replaced atomically (a failed run leaves the old "
        "file)");
}

KnnJob validate(const KnnOptions& knn) {
    const engine::similarity::Measure m = knn.measure_id();
    const engine::similarity::Orientation o = knn.orientation_id();
    return {m, o, engine::similarity::parse_params(m, knn.param_map()), knn.thread_limit()};
}

std::string measures_and_params_help() {
    std::string out = "Measures:\n";
    for (const auto& info : engine::similarity::measure_table()) {
        std::string line = "  " + std::string(info.name);
        line.resize(22, ' ');
        out += line + std::string(info.formula) + "\n";
    }
    return out + "\nParameters (--param NAME=VALUE):\n" + engine::similarity::params_help();
}

}  // namespace knntune::cli
