/// Conditions of the machine through the command line: an output path that is a file or lies
/// under one, a write that fails mid-file (a full disk), a read-only or full file system, and
/// running out of memory. Each is one line naming the path, exit status 2 (3 for memory), no
/// crash and no temporary left behind.

#include <sys/mount.h>
#include <zlib.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

#include "common/atomic_file.hpp"
#include "support/temp_dir.hpp"
#include "support/tiny_experiment.hpp"

using knntune::test::run_cli;
using knntune::test::RunResult;
using knntune::test::TempDir;
namespace fs = std::filesystem;

namespace {

/// True when a file of the folder's tree is a temporary `NAME.tmp.PID`.
bool has_temporary(const fs::path& dir) {
    std::error_code ec;
    for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        if (it->path().filename().string().find(".tmp.") != std::string::npos) return true;
    }
    return false;
}

void check_one_line(const RunResult& r, int status, const std::string& expected) {
    INFO("stderr: " << r.err);
    CHECK(r.status == status);
    CHECK_THAT(r.err, Catch::Contains(expected));
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
}

/// A tiny experiment in `dir`: log.csv and cfg.yaml (output in run/).
void write_tiny(const TempDir& dir) {
    dir.write("log.csv", knntune::test::tiny_log());
    dir.write("cfg.yaml", knntune::test::tiny_config({.n_trials = 2, .parallel_trials = 1}));
}

/// A write(2) beyond `kib` KiB fails with EFBIG, as one on a full disk fails with ENOSPC
/// (SIGXFSZ ignored, so that the write fails instead of killing the process).
std::string file_size_limit(int kib) {
    return "trap '' XFSZ; ulimit -f " + std::to_string(kib * 2) + "; ";  // 512-byte blocks
}

}  // namespace

TEST_CASE("write faults CLI: an output path that is a file, or under one, is refused",
          "[experiments][cli][faults]") {
    TempDir dir;
    write_tiny(dir);
    dir.write("somefile", "keep me\n");
    check_one_line(run_cli("prepare cfg.yaml --out somefile", dir.path()), 2,
                   "error: somefile/prepared.h5: cannot create folder: Not a directory");
    check_one_line(run_cli("run cfg.yaml --out somefile/sub", dir.path()), 2,
                   "error: somefile/sub/prepared.h5: cannot create folder: Not a directory");
    // /proc takes no new folders, for root either.
    check_one_line(run_cli("prepare cfg.yaml --out /proc/knntune-run", dir.path()), 2,
                   "error: /proc/knntune-run/prepared.h5: cannot create folder");
    CHECK(dir.count_files() == 3);
}

TEST_CASE("write faults CLI: a write that fails mid-file is status 2, without a crash",
          "[experiments][cli][faults]") {
    // NOTE: before the fix, prepare printed the error and then died of SIGSEGV (status 139)
    // in HDF5's exit handler, and so did a trial log write.
    TempDir dir;
    write_tiny(dir);
    const RunResult prepare = run_cli("prepare cfg.yaml -q", dir.path(), file_size_limit(8));
    check_one_line(prepare, 2, "error: run/prepared.h5: write failed: File too large");
    CHECK_FALSE(fs::exists(dir.path() / "run" / "prepared.h5"));
    CHECK_FALSE(has_temporary(dir.path()));
    knntune::test::run_cli_ok("prepare cfg.yaml -q", dir.path());
    const RunResult tune = run_cli("tune cfg.yaml -q", dir.path(), file_size_limit(2));
    INFO(tune.err);
    CHECK(tune.status == 2);
    CHECK_THAT(tune.err, Catch::Contains("trial log"));
    CHECK(std::count(tune.err.begin(), tune.err.end(), '\n') == 1);
    CHECK_FALSE(has_temporary(dir.path()));
}

TEST_CASE("write faults CLI: running out of memory is status 3 with one line",
          "[experiments][cli][faults]") {
#if defined(__SANITIZE_ADDRESS__)
    WARN("skipped under AddressSanitizer, which needs more address space than the limit");
#else
    // One 160 MiB field (gzip: under 1 MB) against a 100 MB address-space limit: the reader's
    // buffer cannot grow to hold the record.
    TempDir dir;
    gzFile f = gzopen((dir.path() / "huge.csv.gz").c_str(), "wb1");
    const std::string head = "user,item,time\n";
    gzwrite(f, head.data(), static_cast<unsigned>(head.size()));
    const std::string block(1 << 20, 'a');
    for (int i = 0; i < 160; ++i) gzwrite(f, block.data(), static_cast<unsigned>(block.size()));
    const std::string tail = ",x,2020-01-01\n";
    gzwrite(f, tail.data(), static_cast<unsigned>(tail.size()));
    gzclose(f);
    dir.write("cfg.yaml", knntune::test::tiny_config(2));
    const RunResult r = run_cli("prepare cfg.yaml --set data.path=huge.csv.gz --no-save",
                                dir.path(), "ulimit -v 100000; ");
    check_one_line(r, 3, "knntune prepare: error: out of memory");
    const auto help = run_cli("--help", dir.path());
    CHECK_THAT(help.out, Catch::Contains("3 out of memory"));
#endif
}

TEST_CASE("write faults CLI: a full and a read-only file system (mounts a tmpfs; root only)",
          "[.mount][experiments][cli][faults]") {
    TempDir dir;
    write_tiny(dir);
    const fs::path small = dir.path() / "small";
    fs::create_directories(small);
    if (::mount("tmpfs", small.c_str(), "tmpfs", 0, "size=100k") != 0) {
        WARN("cannot mount a tmpfs here (needs root); skipped");
        return;
    }
    // 100 KiB fill up during the trial logs, 300 KiB during the figures: a stage on a full
    // disk at each kind of file.
    for (const char* size : {"size=100k", "size=300k", "size=600k"}) {
        ::umount(small.c_str());
        REQUIRE(::mount("tmpfs", small.c_str(), "tmpfs", 0, size) == 0);
        const RunResult r =
            run_cli("run cfg.yaml -q --out '" + small.string() + "/run'", dir.path());
        INFO(size);
        check_one_line(r, 2, "knntune run: error: ");
        CHECK_FALSE(has_temporary(small));
    }
    ::umount(small.c_str());
    REQUIRE(::mount("tmpfs", small.c_str(), "tmpfs", MS_RDONLY, "size=100k") == 0);
    check_one_line(
        run_cli("prepare cfg.yaml --out '" + small.string() + "/run'", dir.path()), 2,
        small.string() + "/run/prepared.h5: cannot create folder: Read-only file system");
    ::umount(small.c_str());
}

TEST_CASE("write faults CLI: similarity and recommend --output fail mid-file without a part",
          "[experiments][cli][faults]") {
    // NOTE: the CSV used to be written in place, so a full disk left the start of the new
    // output where the old one had been.
    TempDir dir;
    write_tiny(dir);
    knntune::test::run_cli_ok("prepare cfg.yaml -q", dir.path());
    const std::string old_text = "user,item,score,rank\nold,old,1,1\n";
    const std::string input = " --input run/prepared.h5 --measure cosine --orientation item ";
    for (const std::string& cmd :
         {"similarity" + input + "--param k=50 --output out.csv",
          "recommend" + input + "--param k=50 --top 20 --output out.csv"}) {
        INFO(cmd);
        dir.write("out.csv", old_text);
        (void)knntune::test::run_cli_ok(cmd, dir.path());
        const std::string full = knntune::read_file(dir.path() / "out.csv");
        REQUIRE(full.size() > 2048);  // the 1 KiB limit below cuts it
        dir.write("out.csv", old_text);
        check_one_line(run_cli(cmd, dir.path(), file_size_limit(1)), 2,
                       "error: out.csv: write failed");
        CHECK(knntune::read_file(dir.path() / "out.csv") == old_text);
        CHECK_FALSE(has_temporary(dir.path()));
        (void)knntune::test::run_cli_ok(cmd, dir.path());
        CHECK(knntune::read_file(dir.path() / "out.csv") == full);
    }
}
