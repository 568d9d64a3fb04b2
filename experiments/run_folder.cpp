#include "experiments/run_folder.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "experiments/config.hpp"

namespace knntune::exp {

void write_file_atomic(const std::string& path, const std::string& text) {
    const std::filesystem::path p(path);
    std::error_code ec;
    if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path(), ec);
    if (ec) throw ConfigError(path + ": cannot create folder: " + ec.message());
    const std::string tmp = path + ".tmp." + std::to_string(::getpid());
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) throw ConfigError(path + ": cannot write");
        out << text;
        out.flush();
        if (!out) {
            std::filesystem::remove(tmp, ec);
            throw ConfigError(path + ": write failed");
        }
    }
    std::filesystem::rename(tmp, p, ec);
    if (ec) {
        std::filesystem::remove(tmp, ec);
        throw ConfigError(path + ": cannot rename temporary file");
    }
}

}  // namespace knntune::exp
