#include <filesystem>

#include "common/atomic_file.hpp"
#include "experiments/run/stages.hpp"

namespace knntune::exp {

namespace fs = std::filesystem;

void prepare_stage(const RunContext& ctx) {
    const RunFolder& folder = ctx.folder();
    const fs::path config = folder.config();
    const bool same = fs::exists(config) && read_file(config) == ctx.config().resolved_text;
    if (fs::exists(config) && !same && !ctx.options().resume) {
        throw ConfigError(folder.dir().string() + ": holds a run of a different config (" +
                          config.filename().string() +
                          " differs); use another --out folder, continue it with --resume, or "
                          "delete the folder to start again");
    }
    (void)ctx.data();
    if (!same) write_file_atomic(config, ctx.config().resolved_text);
}

}  // namespace knntune::exp
