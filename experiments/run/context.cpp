#include "experiments/run/context.hpp"

#include <filesystem>

#include "engine/data/log_reader.hpp"
#include "engine/data/prepared_io.hpp"

namespace knntune::exp {

namespace fs = std::filesystem;

RunContext::RunContext(ExperimentConfig config, RunFolder folder, Progress& progress,
                       RunOptions options)
    : config_(std::move(config)),
      folder_(std::move(folder)),
      progress_(&progress),
      options_(options) {}

const engine::PreparedData& RunContext::data() const {
    if (data_) return *data_;
    const fs::path p = folder_.prepared();
    if (fs::exists(p)) {
        engine::PreparedMeta meta;
        auto loaded =
            std::make_shared<engine::PreparedData>(engine::load_prepared(p.string(), &meta));
        if (meta.config_text == config_.data.source_text) {
            progress_->note("data     " + p.string() + " (prepared earlier; fingerprint " +
                            loaded->fingerprint() + ")");
            data_ = std::move(loaded);
            data_file_ = p.string();
            return *data_;
        }
        progress_->note("data     " + p.string() +
                        " was prepared from other data/split settings: preparing again");
    }
    engine::RawLog log = engine::read_log(config_.data.log);
    auto prepared = std::make_shared<engine::PreparedData>(
        engine::prepare(std::move(log), config_.data.prepare));
    if (config_.output.save_prepared) {
        engine::save_prepared(*prepared, {config_.data.log.path, config_.data.source_text},
                              p.string());
        data_file_ = p.string();
    }
    progress_->note("data     " + std::to_string(prepared->user_keys.size()) + " users, " +
                    std::to_string(prepared->item_keys.size()) + " items; fingerprint " +
                    prepared->fingerprint() + "\n\n" + engine::format_stats_table(*prepared));
    data_ = std::move(prepared);
    return *data_;
}

ExperimentConfig load_run_config(const RunFolder& folder) {
    const fs::path p = folder.config();
    if (!fs::exists(p)) {
        throw ConfigError(folder.dir().string() + ": not a run folder (no " +
                          p.filename().string() +
                          "; start one with 'knntune run CONFIG' or 'knntune tune CONFIG')");
    }
    ExperimentConfig cfg = load_experiment_config(p.string(), {});
    cfg.output.dir = folder.dir().string();
    return cfg;
}

}  // namespace knntune::exp
