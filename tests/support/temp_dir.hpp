#pragma once
/// Test helpers: a self-deleting temporary folder, file writing, running the CLI.

#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace knntune::test {

/// A fresh folder under the system temp dir, removed with its content on destruction.
class TempDir {
  public:
    TempDir() {
        static std::atomic<int> counter{0};
        path_ = std::filesystem::temp_directory_path() /
                ("knntune-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
        std::filesystem::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    [[nodiscard]] const std::filesystem::path& path() const { return path_; }
    /// Writes `text` to `name` inside the folder and returns the full path.
    std::string write(const std::string& name, const std::string& text) const {
        const auto p = path_ / name;
        std::filesystem::create_directories(p.parent_path());
        std::ofstream(p, std::ios::binary) << text;
        return p.string();
    }
    /// Number of entries below the folder (recursively).
    [[nodiscard]] std::size_t count_files() const {
        std::size_t n = 0;
        for ([[maybe_unused]] const auto& e : std::filesystem::recursive_directory_iterator(path_))
            ++n;
        return n;
    }

  private:
    std::filesystem::path path_;
};

/// Result of running a command.
struct RunResult {
    int status = -1;
    std::string out;
    std::string err;
};

/// The bundled quickstart config with its data path made absolute, as `knntune` arguments.
inline std::string quickstart_args() {
    const std::string src = KNNTUNE_SOURCE_DIR;
    return "'" + src + "/configs/online-retail.yaml' --set data.path='" + src +
           "/data/online-retail/online_retail.csv.gz'";
}

/// Runs `knntune ARGS` (shell syntax) with `cwd` as working directory, after the shell
/// commands `before` when given (e.g. "ulimit -v 2000000 &&").
inline RunResult run_cli(const std::string& args, const std::filesystem::path& cwd,
                         const std::string& before = "") {
    static std::atomic<int> counter{0};
    const auto tag = std::to_string(::getpid()) + "-" + std::to_string(counter++);
    const auto out = std::filesystem::temp_directory_path() / ("knntune-cli-out-" + tag);
    const auto err = std::filesystem::temp_directory_path() / ("knntune-cli-err-" + tag);
    const std::string cmd = "cd '" + cwd.string() + "' && " + before + " '" + KNNTUNE_CLI + "' " +
                            args + " >'" + out.string() + "' 2>'" + err.string() + "'";
    RunResult r;
    const int raw = std::system(cmd.c_str());
    r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    auto slurp = [](const std::filesystem::path& p) {
        std::ifstream in(p);
        std::stringstream ss;
        ss << in.rdbuf();
        return ss.str();
    };
    r.out = slurp(out);
    r.err = slurp(err);
    std::filesystem::remove(out);
    std::filesystem::remove(err);
    return r;
}

/// `run_cli` that requires exit status 0 (showing standard error when it is not).
inline RunResult run_cli_ok(const std::string& args, const std::filesystem::path& cwd) {
    RunResult r = run_cli(args, cwd);
    INFO("knntune " << args << "\n" << r.err);
    REQUIRE(r.status == 0);
    return r;
}

}  // namespace knntune::test
