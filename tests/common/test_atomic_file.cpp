// Atomic file replacement: complete or untouched, never a part; stale temporaries removed.

#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <stdexcept>

#include "common/atomic_file.hpp"
#include "common/error.hpp"
#include "support/temp_dir.hpp"

using knntune::test::TempDir;
namespace fs = std::filesystem;

namespace {

/// A process id that no longer runs: a child that has exited and been reaped.
pid_t dead_pid() {
    const pid_t pid = ::fork();
    if (pid == 0) ::_exit(0);
    int status = 0;
    ::waitpid(pid, &status, 0);
    return pid;
}

}  // namespace

TEST_CASE("write_file_atomic creates folders and replaces a file whole", "[common]") {
    TempDir dir;
    const fs::path p = dir.path() / "a" / "b" / "file.txt";
    knntune::write_file_atomic(p, "first");
    CHECK(knntune::read_file(p) == "first");
    knntune::write_file_atomic(p, "second, longer", {.durable = true});
    CHECK(knntune::read_file(p) == "second, longer");
    // Only the file itself is left in its folder.
    CHECK(std::distance(fs::directory_iterator(p.parent_path()), fs::directory_iterator()) == 1);
}

TEST_CASE("replace_file leaves the old file and no temporary when writing fails", "[common]") {
    TempDir dir;
    const fs::path p = dir.path() / "file.txt";
    knntune::write_file_atomic(p, "saved");
    fs::path seen_tmp;
    CHECK_THROWS_WITH(knntune::replace_file(p,
                                            [&](const fs::path& tmp) {
                                                seen_tmp = tmp;
                                                knntune::write_file_atomic(tmp, "half");
                                                throw std::runtime_error("disk full");
                                            }),
                      "disk full");
    CHECK(seen_tmp.filename().string() == "file.txt.tmp." + std::to_string(::getpid()));
    CHECK_FALSE(fs::exists(seen_tmp));
    CHECK(knntune::read_file(p) == "saved");
}

TEST_CASE("replace_file removes temporaries of dead processes only", "[common]") {
    TempDir dir;
    const fs::path p = dir.path() / "log.h5";
    const std::string stale = dir.write("log.h5.tmp." + std::to_string(dead_pid()), "x");
    const std::string alive = dir.write("log.h5.tmp." + std::to_string(::getppid()), "x");
    const std::string other = dir.write("other.h5.tmp.1", "x");
    knntune::write_file_atomic(p, "new");
    CHECK_FALSE(fs::exists(stale));
    CHECK(fs::exists(alive));  // its writer may still be at work
    CHECK(fs::exists(other));  // another file's
}

TEST_CASE("file errors are user errors naming the path", "[common]") {
    CHECK_THROWS_AS(knntune::write_file_atomic("/proc/knntune-no/such/file", "x"),
                    knntune::IoError);
    CHECK_THROWS_WITH(knntune::read_file("/nonexistent/knntune.txt"),
                      "/nonexistent/knntune.txt: cannot open");
}
