#include "experiments/report/input.hpp"

#include <filesystem>
#include <utility>

#include "engine/data/prepared_io.hpp"
#include "experiments/error.hpp"
#include "experiments/run/context.hpp"

namespace knntune::exp::report {
namespace {

namespace fs = std::filesystem;

/// config.resolved.yaml of `folder`.
ExperimentConfig load_config(const RunFolder& folder) { return load_run_config(folder); }

DataSummary summarise(const engine::PreparedData& d) {
    // NOTE: the prepared matrices are users × items (engine/data/prepare.hpp), so a user's
    // train interactions are the entries of its row.
    const engine::CsrMatrix& train = d.matrix(engine::Period::Train);
    std::vector<std::int64_t> train_interactions(d.user_keys.size(), 0);
    for (engine::Index u = 0; u < train.rows && static_cast<std::size_t>(u) < d.user_keys.size();
         ++u) {
        train_interactions[static_cast<std::size_t>(u)] = train.row_nnz(u);
    }
    return {.rows_read = d.rows_read,
            .rows_filtered = d.rows_filtered,
            .unique_pairs = d.unique_pairs,
            .n_users = static_cast<std::int64_t>(d.user_keys.size()),
            .n_items = static_cast<std::int64_t>(d.item_keys.size()),
            .stats = d.stats,
            .item_keys = d.item_keys,
            .item_names = d.item_names,
            .item_attributes = d.item_attributes,
            .train_interactions = std::move(train_interactions)};
}

DataSummary load_data(const RunFolder& folder, const PreparedSource& data) {
    if (data) return summarise(data());
    const fs::path path = folder.prepared();
    if (!fs::exists(path)) {
        throw ConfigError(path.string() + ": no prepared data (run 'knntune test' first)");
    }
    return summarise(engine::load_prepared(path.string()));
}

ModelResult load_test_result(const RunFolder& folder, const std::string& model) {
    const fs::path path = folder.test(model);
    if (!fs::exists(path)) {
        throw ConfigError(path.string() + ": no test result (run 'knntune test' first)");
    }
    return load_model_result(path);
}

}  // namespace

ReportInput load_report_input(const RunFolder& folder, const PreparedSource& data) {
    ReportInput in;
    in.run_name = folder.name();
    in.config = load_config(folder);
    const ExperimentConfig& cfg = in.config;
    // NOTE: the test results first: without them there is no report, and their error says
    // which stage to run.
    std::vector<ModelResult> results;
    for (const auto o : cfg.models) results.push_back(load_test_result(folder, model_name(o)));
    in.data = load_data(folder, data);
    for (std::size_t i = 0; i < cfg.models.size(); ++i) {
        const std::string model = model_name(cfg.models[i]);
        ModelTrials trials =
            read_model_trials(cfg, folder.model_logs(model, cfg.tuner.per_measure(),
                                                     cfg.search.measures, cfg.tuner.repeats));
        in.models.push_back(analyse_model(cfg, model, std::move(results[i]), std::move(trials)));
    }
    const fs::path item_model = folder.model("item_knn");
    if (cfg.report.plots && cfg.report.embedding && fs::exists(item_model)) {
        in.item_model = engine::load_model(item_model.string());
    }
    return in;
}

std::optional<double> fixed_search_value(const ExperimentConfig& cfg, const std::string& name) {
    return cfg.search.fixed_shared(name);
}

}  // namespace knntune::exp::report
