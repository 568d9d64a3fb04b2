#include <filesystem>

#include "common/atomic_file.hpp"
#include "experiments/run/stages.hpp"

namespace knntune::exp {

namespace fs = std::filesystem;

void prepare_stage(const RunContext& ctx) {
    const RunFolder& folder = ctx.folder();
    const fs::path config = folder.config();
    const bool same = fs::exists(config) && read_file(config) == ctx.config().resolved_text;
    if (!same && !ctx.options().resume) {
        folder.check_config_change(ctx.config().resolved_text,
                                   "use another --out folder, continue it with --resume, or "
                                   "delete the folder to start again");
    }
    (void)ctx.data();
    if (!same) write_file_atomic(config, ctx.config().resolved_text);
}

}  // namespace knntune::exp
