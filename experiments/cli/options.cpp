#include "experiments/cli/options.hpp"

#include "engine/error.hpp"
#include "engine/similarity/registry.hpp"
#include "experiments/error.hpp"

namespace po = boost::program_options;

namespace knntune::cli {

void ConfigOptions::add(po::options_description& d) {
    d.add_options()("set", po::value(&sets)->composing(),
                    "override a config key: --set tuner.n_trials=20 (repeatable; keys in "
                    "configs/README.md)")("out", po::value(&out),
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

void KnnOptions::add(po::options_description& d, const std::string& orientation_default) {
    auto* o = po::value(&orientation);
    if (orientation_default.empty()) {
        o->required();
    } else {
        o->default_value(orientation_default);
    }
    d.add_options()("measure", po::value(&measure)->required(), "similarity measure (see below)")(
        "orientation", o, "item (item-KNN: item × item) or user (user-KNN: user × user)")(
        "param", po::value(&params)->composing(),
        "a similarity parameter, NAME=VALUE (repeatable; see below)")(
        "threads", po::value(&threads)->default_value(0), "worker threads, 0 = all cores");
}

engine::similarity::Measure KnnOptions::measure_id() const {
    return engine::similarity::measure_from_name(measure);
}

engine::similarity::Orientation KnnOptions::orientation_id() const {
    return engine::similarity::orientation_from_name(orientation);
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

void TopOption::add(po::options_description& d, const std::string& what) {
    d.add_options()("top", po::value(&top)->default_value(top), (what + ", N >= 1").c_str());
}

int TopOption::checked() const {
    if (top < 1) throw exp::UsageError("--top must be >= 1, got " + std::to_string(top));
    return top;
}

void InputOptions::add(po::options_description& d) {
    d.add_options()("input", po::value(&input)->required(),
                    "user,item[,value] CSV (.gz allowed), or a prepared-data .h5 file")(
        "period", po::value(&period)->default_value("train"),
        "matrix of a prepared-data file: train_val, valid, train or test")(
        "output", po::value(&output)->required(), "output CSV, '-' for standard output");
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
