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

TEST_CASE("replace_file removes the folder's temporaries of dead processes only", "[common]") {
    TempDir dir;
    const std::string dead = std::to_string(dead_pid());
    const std::string mine = std::to_string(::getpid());
    const std::string parent = std::to_string(::getppid());
    // Left by a kill during a model write and by SIGXFSZ during a prepared-data write.
    const std::string stale_model = dir.write("model-item_knn.h5.tmp." + dead, "x");
    const std::string stale_prepared = dir.write("prepared.h5.tmp." + dead, "x");
    const std::string stale_same = dir.write("log.h5.tmp." + dead, "x");
    // Left by a kill while a trial log's journal was replaced by an empty one.
    const std::string stale_journal = dir.write("trials-item_knn.h5.journal.tmp." + dead, "x");
    const std::string stale_journal2 = dir.write("trials.h5.journal.tmp." + dead, "x");
    // Writes in progress: this process's own and its parent's.
    const std::string own = dir.write("prepared.h5.tmp." + mine, "x");
    const std::string alive = dir.write("trials-item_knn.h5.tmp." + parent, "x");
    // Not temporaries, or not in the folder written to.
    const std::string plain = dir.write("notes.tmp", "x");
    const std::string no_pid = dir.write("notes.tmp.12ab", "x");
    const std::string no_name = dir.write(".tmp." + dead, "x");
    const std::string nested = dir.write("sub/model-item_knn.h5.tmp." + dead, "x");
    // A user's own file that only looks like a temporary of a dead process.
    const std::string user_file = dir.write("notes.csv.tmp." + dead, "x");

    knntune::write_file_atomic(dir.path() / "log.h5", "new");
    CHECK_FALSE(fs::exists(stale_model));
    CHECK_FALSE(fs::exists(stale_prepared));
    CHECK_FALSE(fs::exists(stale_same));
    CHECK_FALSE(fs::exists(stale_journal));
    CHECK_FALSE(fs::exists(stale_journal2));
    for (const std::string& kept : {own, alive, plain, no_pid, no_name, nested, user_file}) {
        INFO(kept);
        CHECK(fs::exists(kept));
    }
    CHECK(knntune::read_file(dir.path() / "log.h5") == "new");
}

TEST_CASE("file errors are user errors naming the path", "[common]") {
    CHECK_THROWS_AS(knntune::write_file_atomic("/proc/knntune-no/such/file", "x"),
                    knntune::IoError);
    CHECK_THROWS_WITH(knntune::read_file("/nonexistent/knntune.txt"),
                      "/nonexistent/knntune.txt: cannot open");
}

namespace {

/// The waits on the disk since `before`.
knntune::SyncCounts waits_since(const knntune::SyncCounts& before) {
    const knntune::SyncCounts now = knntune::sync_counts();
    return {now.files - before.files, now.folders - before.folders};
}

}  // namespace

TEST_CASE("a durable write waits on the disk once; a batch syncs each folder once at its end",
          "[common][sync]") {
    TempDir dir;
    SECTION("alone, a write syncs its file and its folder; a non-durable one neither") {
        const knntune::SyncCounts before = knntune::sync_counts();
        knntune::write_file_atomic(dir.path() / "a.txt", "a");
        CHECK(waits_since(before).files == 1);
        CHECK(waits_since(before).folders == 1);
        knntune::write_file_atomic(dir.path() / "b.txt", "b", {.durable = false});
        CHECK(waits_since(before).files == 1);
        CHECK(waits_since(before).folders == 1);
    }
    SECTION("in a batch, one sync per file, then one per folder") {
        const knntune::SyncCounts before = knntune::sync_counts();
        {
            knntune::FolderSyncBatch batch;
            for (const char* name : {"config.resolved.yaml", "prepared.h5", "test-a.json"}) {
                knntune::write_file_atomic(dir.path() / name, name);
            }
            knntune::write_file_atomic(dir.path() / "figures" / "figure-1.svg", "<svg/>");
            knntune::replace_file(dir.path() / "trials.h5", [](const fs::path& tmp) {
                knntune::write_file_atomic(tmp, "log", {.durable = false});
            });
            knntune::write_file_atomic(dir.path() / "." / "report.md", "# report");
            CHECK(waits_since(before).files == 6);
            CHECK(waits_since(before).folders == 0);
            batch.sync();
            CHECK(waits_since(before).folders == 2);  // the run folder and figures/
            batch.sync();
            CHECK(waits_since(before).folders == 2);
            knntune::write_file_atomic(dir.path() / "report.html", "<p>");
        }
        // The batch's end syncs what came after its last `sync`.
        CHECK(waits_since(before).files == 7);
        CHECK(waits_since(before).folders == 3);
        CHECK(knntune::read_file(dir.path() / "trials.h5") == "log");
    }
}

TEST_CASE("a batch's sync names the folder it cannot sync", "[common][sync]") {
    TempDir dir;
    knntune::FolderSyncBatch batch;
    knntune::write_file_atomic(dir.path() / "sub" / "a.txt", "a");
    fs::remove_all(dir.path() / "sub");
    CHECK_THROWS_WITH(batch.sync(),
                      Catch::Contains((dir.path() / "sub").string() + ": cannot open to sync"));
}
