#include <pybind11/stl.h>

#include <boost/json/serialize.hpp>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "engine/baselines.hpp"
#include "engine/data/prepared_io.hpp"
#include "engine/model_io.hpp"
#include "experiments/config/experiment_config.hpp"
#include "experiments/error.hpp"
#include "experiments/knn_study.hpp"
#include "experiments/model_tools.hpp"
#include "experiments/progress.hpp"
#include "experiments/report/embedding.hpp"
#include "experiments/run/context.hpp"
#include "experiments/run/evaluation.hpp"
#include "experiments/run/run_folder.hpp"
#include "experiments/run/stages.hpp"
#include "python/src/arrays.hpp"
#include "python/src/bindings.hpp"
#include "tuner/hdf5_storage.hpp"
#include "tuner/trial.hpp"

namespace knntune::python {
namespace {

using engine::CsrMatrix;
using engine::Index;

/// The stages a stage command runs, as `knntune run|tune|test|report` does.
struct StagePlan {
    std::string_view command;
    bool from_config;  ///< CONFIG (with overrides, out, resume) or RUN_DIR
    std::string_view first;
    std::string_view last;
};

constexpr StagePlan kPlans[] = {
    {"run", true, "prepare", "report"},
    {"tune", true, "prepare", "tune"},
    {"test", false, "test", "test"},
    {"report", false, "report", "report"},
};

/// run_stages(command, target, sets, out, resume, force, quiet) → the run folder: the stages
/// of `knntune COMMAND`, with `sets` as its `--set KEY=VALUE` list.
std::string run_stages(const std::string& command, const std::string& target,
                       const std::vector<std::string>& sets, const std::string& out, bool resume,
                       bool force, bool quiet) {
    const StagePlan* plan = nullptr;
    for (const StagePlan& p : kPlans) {
        if (p.command == command) plan = &p;
    }
    if (plan == nullptr) throw exp::UsageError("no stage command '" + command + "'");
    exp::ExperimentConfig cfg;
    std::string dir = target;
    if (plan->from_config) {
        cfg = exp::load_experiment_config(target, sets);
        dir = out.empty() ? cfg.output.dir : out;
        cfg.output.dir = dir;
    } else {
        cfg = exp::load_run_config(exp::RunFolder(dir));
    }
    py::gil_scoped_release release;
    exp::Progress progress(quiet ? exp::ProgressMode::Quiet : exp::ProgressMode::Lines);
    exp::RunOptions options;
    options.resume = resume;
    options.force = force;
    const exp::RunContext ctx(std::move(cfg), exp::RunFolder(dir), progress, options);
    bool on = false;
    for (const exp::Stage& stage : exp::stages()) {
        on = on || stage.name == plan->first;
        if (on) stage.run(ctx);
        if (stage.name == plan->last) break;
    }
    return dir;
}

/// A trial log's table as columns: {name: list}, parameters as their labels (categoricals)
/// or numbers, None where a parameter is inactive or a value missing.
py::dict trial_columns(const std::string& path) {
    const tuner::TrialLog log = tuner::read_trial_log(path);
    py::dict cols;
    py::list number, state, value, start, end, error;
    std::vector<py::list> params(log.space.size());
    std::vector<py::list> metrics(log.metric_names.size());
    auto number_or_none = [](double x) {
        return std::isnan(x) ? py::object(py::none()) : py::float_(x);
    };
    for (const tuner::FrozenTrial& t : log.trials) {
        number.append(t.number);
        state.append(std::string(tuner::state_name(t.state)));
        value.append(number_or_none(t.value));
        start.append(number_or_none(t.start_time));
        end.append(number_or_none(t.end_time));
        error.append(t.error);
        for (std::size_t i = 0; i < params.size(); ++i) {
            const double v = i < t.params.size() ? t.params[i] : NAN;
            const tuner::Distribution& d = log.space.param(i).distribution;
            if (std::isnan(v)) {
                params[i].append(py::none());
            } else if (d.is_categorical()) {
                params[i].append(d.choices[static_cast<std::size_t>(v)]);
            } else if (d.kind == tuner::DistributionKind::Int) {
                params[i].append(static_cast<long long>(std::llround(v)));
            } else {
                params[i].append(v);
            }
        }
        for (std::size_t i = 0; i < metrics.size(); ++i) {
            const auto it = t.metrics.find(log.metric_names[i]);
            metrics[i].append(it == t.metrics.end() ? py::object(py::none())
                                                    : py::object(py::float_(it->second)));
        }
    }
    cols["number"] = number;
    cols["state"] = state;
    cols["value"] = value;
    for (std::size_t i = 0; i < params.size(); ++i)
        cols[py::str("params_" + log.space.param(i).key)] = params[i];
    for (std::size_t i = 0; i < metrics.size(); ++i)
        cols[py::str("metric_" + log.metric_names[i])] = metrics[i];
    cols["start_time"] = start;
    cols["end_time"] = end;
    cols["error"] = error;
    return cols;
}

/// The trial logs of a run folder, or the one file given.
std::vector<std::string> trial_logs(const std::string& path) {
    if (!std::filesystem::is_directory(path)) return {path};
    std::vector<std::string> out;
    for (const auto& p : exp::RunFolder(path).trial_logs()) out.push_back(p.string());
    return out;
}

py::tuple csr_copy(const CsrMatrix& m) {
    CsrMatrix c = m;
    const Index rows = c.rows;
    const Index cols = c.cols;
    py::tuple arrays = csr_to_numpy(std::move(c));
    return py::make_tuple(arrays[0], arrays[1], arrays[2], rows, cols);
}

/// prepared(path) → {period: (indptr, indices, data, rows, cols), "user_keys": [...], ...}.
py::dict prepared(const std::string& path) {
    const std::filesystem::path file = std::filesystem::is_directory(path)
                                           ? exp::RunFolder(path).prepared()
                                           : std::filesystem::path(path);
    const engine::PreparedData data = engine::load_prepared(file.string());
    py::dict out;
    for (const engine::Period p : engine::kPeriods) {
        out[engine::period_name(p)] = csr_copy(data.matrix(p));
    }
    out["user_keys"] = data.user_keys;
    out["item_keys"] = data.item_keys;
    out["item_names"] = data.item_names;
    return out;
}

py::list ranked(const engine::SimilarityModel& m, const std::vector<exp::RankedItem>& items) {
    py::list out;
    for (const exp::RankedItem& r : items) {
        out.append(py::make_tuple(m.item_keys[static_cast<std::size_t>(r.item)],
                                  m.item_names[static_cast<std::size_t>(r.item)],
                                  static_cast<double>(r.score)));
    }
    return out;
}

py::array_t<double> embeddings(const engine::SimilarityModel& m, int dims, std::uint64_t seed) {
    const CsrMatrix& s = m.similarity;
    const int max_dims = std::min(s.rows, s.cols) - 1;
    if (dims < 1 || dims > max_dims) {
        throw exp::UsageError("dims must lie in [1, " + std::to_string(max_dims) + "]");
    }
    const auto emb = exp::report::embed_columns({s.rows, s.cols, s.indptr, s.indices, s.values},
                                                {.n_components = dims, .seed = seed});
    py::array_t<double> out({static_cast<py::ssize_t>(s.cols), static_cast<py::ssize_t>(dims)});
    auto view = out.mutable_unchecked<2>();
    for (Index j = 0; j < s.cols; ++j) {
        for (int d = 0; d < dims; ++d) view(j, d) = emb.coords(j, d);
    }
    return out;
}

void bind_model(py::module_& m) {
    using engine::SimilarityModel;
    py::class_<SimilarityModel>(m, "Model", "A tuned KNN model (model file or run folder).")
        .def(py::init([](const std::string& path) { return exp::load_model_or_run(path); }),
             py::arg("path"))
        .def_readonly("model", &SimilarityModel::model)
        .def_readonly("measure", &SimilarityModel::measure)
        .def_readonly("params_json", &SimilarityModel::params_json)
        .def_readonly("item_keys", &SimilarityModel::item_keys)
        .def_readonly("item_names", &SimilarityModel::item_names)
        .def_readonly("user_keys", &SimilarityModel::user_keys)
        .def("similarity_arrays", [](const SimilarityModel& s) { return csr_copy(s.similarity); })
        .def("train_arrays", [](const SimilarityModel& s) { return csr_copy(s.train); })
        .def(
            "similar",
            [](const SimilarityModel& s, const std::string& query, Index n) {
                return ranked(s, exp::similar_items(s.similarity, exp::find_item(s, query), n));
            },
            py::arg("item"), py::arg("n") = 10)
        .def(
            "recommend",
            [](const SimilarityModel& s, const std::vector<std::string>& items, Index n) {
                std::vector<Index> ids;
                for (const std::string& q : items) ids.push_back(exp::find_item(s, q));
                return ranked(s, exp::recommend_for_items(s.similarity, ids, n));
            },
            py::arg("items"), py::arg("n") = 10)
        .def("embeddings", &embeddings, py::arg("dims") = 32, py::arg("seed") = 1);
}

/// evaluate(config, sets, out, measure, params, orientation, period, baseline, seed) → dict:
/// one configuration scored as `knntune evaluate` scores it: its JSON text (the Python side
/// parses it), from the same experiments function as the CLI's.
/// `params` maps parameter names to numbers or text, as `--param NAME=VALUE`; a baseline
/// (non-empty `baseline`) replaces the measure; `seed` < 0 takes the config's tuner.seed.
std::string evaluate(const std::string& config, const std::vector<std::string>& sets,
                     const std::string& out, const std::string& measure,
                     const std::map<std::string, std::variant<double, std::string>>& params,
                     const std::string& orientation, const std::string& period,
                     const std::string& baseline, std::int64_t seed) {
    exp::check_evaluation_period(period, "period");
    if (measure.empty() == baseline.empty()) {
        throw exp::UsageError("evaluate takes a measure or a baseline (one of the two)");
    }
    exp::ExperimentConfig cfg = exp::load_experiment_config(config, sets);
    if (!out.empty()) cfg.output.dir = out;
    std::optional<engine::Baseline> base;
    std::optional<exp::KnnConfig> knn;
    auto orient = engine::similarity::Orientation::Item;
    const std::uint64_t base_seed = seed < 0 ? cfg.tuner.seed : static_cast<std::uint64_t>(seed);
    if (!baseline.empty()) {
        base = engine::baseline_from_name(baseline);
    } else {
        engine::similarity::ParamMap map;
        for (const auto& [name, value] : params) {
            map.emplace(name, std::visit([](const auto& v) { return Value(v); }, value));
        }
        knn = exp::config_from_values(cfg.search, measure, map);
        orient = engine::similarity::orientation_from_name(orientation);
    }
    const auto metrics = cfg.objective.all();
    py::gil_scoped_release release;
    exp::Progress progress(exp::ProgressMode::Quiet);
    const exp::RunFolder folder(cfg.output.dir);
    const exp::RunContext ctx(std::move(cfg), folder, progress);
    const engine::PreparedData& d = ctx.data();
    const auto [train, target] = exp::evaluation_period(d, period);
    exp::EvaluationRecord e;
    e.period = period;
    e.fingerprint = d.fingerprint();
    if (base) {
        e.model = engine::baseline_name(*base);
        e.configuration = engine::describe_baseline(*base, base_seed);
        e.result = exp::evaluate_baseline(train, target, *base, base_seed, metrics);
    } else {
        e.model = exp::model_name(orient);
        e.configuration = knn->describe();
        e.result = exp::evaluate_knn(train, target, orient, *knn, metrics);
    }
    return boost::json::serialize(exp::evaluation_json(e));
}

}  // namespace

void bind_framework(py::module_& m) {
    m.def("run_stages", &run_stages, py::arg("command"), py::arg("target"), py::arg("sets"),
          py::arg("out"), py::arg("resume"), py::arg("force"), py::arg("quiet"));
    m.def("trial_columns", &trial_columns, py::arg("path"));
    m.def("trial_logs", &trial_logs, py::arg("path"));
    m.def("prepared", &prepared, py::arg("path"));
    m.def("evaluate", &evaluate, py::arg("config"), py::arg("sets"), py::arg("out"),
          py::arg("measure"), py::arg("params"), py::arg("orientation"), py::arg("period"),
          py::arg("baseline"), py::arg("seed"));
    bind_model(m);
}

}  // namespace knntune::python
