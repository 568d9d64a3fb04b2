// The trial log reader on damaged and malformed logs: byte flips and cuts are refused by the
// whole-file checksum, objects of a wrong shape, type or value by the reader's validation,
// each with one message naming the log and the object; a log without a checksum block (the
// older writer) still reads and resumes.

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "support/h5_mutants.hpp"
#include "support/no_hang.hpp"
#include "support/temp_dir.hpp"
#include "tuner/error.hpp"
#include "tuner/hdf5_storage.hpp"

using namespace knntune;
using namespace knntune::tuner;
namespace fs = std::filesystem;

namespace {

SearchSpace small_space() {
    return SearchSpace::from_json_text(R"({"params": [
        {"name": "algorithm", "type": "categorical", "choices": ["cosine", "jaccard"]},
        {"name": "k", "type": "int", "low": 1, "high": 100}]})");
}

StudyInfo small_info(const SearchSpace& space) {
    StudyInfo info;
    info.name = "damage";
    info.direction = Direction::Maximize;
    info.seed = 9;
    info.search_space = space.to_json_text();
    info.sampler = "random";
    info.sampler_settings = "{}";
    info.config = "seed: 9\n";
    info.data_fingerprint = "fp";
    info.software_version = "0.1.0";
    return info;
}

std::vector<FrozenTrial> small_trials() {
    std::vector<FrozenTrial> out;
    for (std::int64_t n = 0; n < 3; ++n) {
        FrozenTrial t;
        t.number = n;
        t.state = n == 2 ? TrialState::Fail : TrialState::Complete;
        t.value = 0.1 * static_cast<double>(n);
        t.params = {static_cast<double>(n % 2), 10.0 + static_cast<double>(n)};
        t.metrics = {{"recall@10", 0.5}};
        t.start_time = 100.0 + static_cast<double>(n);
        t.end_time = 101.0 + static_cast<double>(n);
        t.error = n == 2 ? "boom" : "";
        out.push_back(t);
    }
    return out;
}

RaceRecord small_race() {
    RaceRecord r;
    r.key = "algorithm";
    r.test = "Wilcoxon";
    r.min_trials = 2;
    r.check_every = 2;
    r.next_check = 4;
    r.n_tests = 1;
    RaceArm cosine;
    cosine.label = "cosine";
    RaceArm jaccard;
    jaccard.label = "jaccard";
    jaccard.racing = false;
    jaccard.stopped_at = 2;
    r.arms = {cosine, jaccard};
    return r;
}

void write_small_log(const fs::path& path) {
    const SearchSpace space = small_space();
    write_trial_log(path.string(), small_info(space), space, small_trials(), small_race());
}

bool same_log(const TrialLog& log) {
    const auto want = small_trials();
    if (log.trials.size() != want.size() || log.info.name != "damage") return false;
    for (std::size_t i = 0; i < want.size(); ++i) {
        const FrozenTrial& a = log.trials[i];
        if (a.number != want[i].number || a.state != want[i].state || a.params != want[i].params ||
            a.metrics != want[i].metrics || a.error != want[i].error) {
            return false;
        }
    }
    return log.race.arms.size() == 2 && log.race.arms[1].stopped_at == 2 &&
           log.race.check_every == 2;
}

std::string refusal(const fs::path& path) {
    try {
        (void)read_trial_log(path.string());
    } catch (const UserError& e) {
        return e.what();
    }
    FAIL("the reader accepted the log");
    return {};
}

}  // namespace

TEST_CASE("trial log damage: checksummed logs round-trip; logs without one still read",
          "[tuner][storage][h5]") {
    test::TempDir dir;
    const fs::path log = dir.path() / "trials.h5";
    write_small_log(log);
    CHECK(verify_file_checksum(log).status == ChecksumCheck::Status::Verified);
    CHECK(same_log(read_trial_log(log.string())));
    const fs::path old = dir.path() / "old.h5";
    test::copy_without_checksum(log, old);
    CHECK(verify_file_checksum(old).status == ChecksumCheck::Status::NoChecksum);
    CHECK(same_log(read_trial_log(old.string())));
    // Resuming an old log rewrites it with a checksum.
    {
        Hdf5Storage s(old.string(), Hdf5Options{false});
        const SearchSpace space = small_space();
        CHECK(s.open(small_info(space), space, OpenMode{true, false}).size() == 3);
    }
    CHECK(verify_file_checksum(old).status == ChecksumCheck::Status::Verified);
    CHECK(same_log(read_trial_log(old.string())));
}

TEST_CASE("trial log damage: objects of a wrong shape, type or value are refused, naming them",
          "[tuner][storage][h5]") {
    test::TempDir dir;
    const fs::path log = dir.path() / "trials.h5";
    write_small_log(log);
    const fs::path bad = dir.path() / "bad.h5";
    const std::string b = "trial log '" + bad.string() + "': ";
    const auto refused = [&](const std::function<void(const test::H5Edit&)>& edit) {
        fs::copy_file(log, bad, fs::copy_options::overwrite_existing);
        {
            const test::H5Edit e(bad);
            edit(e);
        }
        std::string message = refusal(bad);
        CHECK(H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL) == 0);  // nothing left open
        return message;
    };
    // A string attribute stored as an array wrote past a one-pointer buffer before.
    CHECK(refused([](const test::H5Edit& e) {
              e.string_array_attr("/", "study_name", {"a", "b", "c"});
          }) == b + "/ attribute 'study_name': expected a single value, found a 1-D array of 3");
    CHECK(refused([](const test::H5Edit& e) {
              e.string_array_attr("/race", "allocation", {"equal", "dimension"});
          }) == b + "/race attribute 'allocation': expected a single value, found a 1-D array "
                    "of 2");
    CHECK(refused([](const test::H5Edit& e) {
              e.scalar_attr("/", "seed", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 9.0);
          }) == b + "/ attribute 'seed': expected integers, found 64-bit floating-point numbers");
    CHECK(refused([](const test::H5Edit& e) {
              e.replace_numbers("/trials/value", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE,
                                std::vector<double>{0, 0.1, 0.2, 0.3, 0.4, 0.5}, {3, 2});
          }) == b + "/trials/value: expected a 1-D array, found 2-D");
    CHECK(refused([](const test::H5Edit& e) {
              e.replace_numbers("/trials/start_time", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT,
                                std::vector<float>{1, 2, 3});
          }) == b + "/trials/start_time: expected 64-bit floating-point numbers, found 32-bit "
                    "floating-point numbers");
    CHECK(refused([](const test::H5Edit& e) {
              e.replace_numbers("/trials/end_time", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE,
                                std::vector<double>{1, 2});
          }) == b + "/trials/end_time: has 2 rows, expected 3");
    CHECK(refused([](const test::H5Edit& e) {
              e.replace_numbers("/trials/params/algorithm", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE,
                                std::vector<double>{0, 1, 7});
          }) == b + "/trials/params/algorithm: row 2 is 7.000000, outside categorical {cosine, "
                    "jaccard}");
    CHECK(refused([](const test::H5Edit& e) {
              e.replace_numbers("/trials/params/k", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE,
                                std::vector<double>{10, -5, 12});
          }) == b + "/trials/params/k: row 1 is -5.000000, outside int [1, 100]");
    CHECK(refused([](const test::H5Edit& e) {
              e.scalar_attr("/race", "check_every", H5T_STD_I64LE, H5T_NATIVE_INT64, 0LL);
          }) == b + "/race attribute 'check_every': is 0, outside [1, 2^40]");
    CHECK(refused([](const test::H5Edit& e) {
              e.replace_numbers("/race/strikes", H5T_STD_I64LE, H5T_NATIVE_INT64,
                                std::vector<std::int64_t>{0, -3});
          }) == b + "/race/strikes: row 1 is -3, outside [0, 2^40]");
    CHECK(refused([](const test::H5Edit& e) {
              const h5::Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
              H5Tset_size(type.get(), H5T_VARIABLE);
              std::vector<const char*> v = {"Complete", "Exploded", "Fail"};
              e.replace_dataset("/trials/state", type.get(), {3}, type.get(), v.data());
          }) == b + "/trials/state: row 1: unknown trial state 'Exploded'");
    CHECK(refused([](const test::H5Edit& e) { e.remove("/trials/metrics"); }) ==
          b + "/trials/metrics: missing group");
}

TEST_CASE("trial log damage: byte flips and cuts never crash or hang", "[tuner][storage][h5]") {
    test::TempDir dir;
    const fs::path log = dir.path() / "trials.h5";
    write_small_log(log);
    const std::string bytes = test::file_bytes(log);
    const fs::path bad = dir.path() / "mutant.h5";
    std::size_t refused = 0;
    const auto mutants = test::byte_mutants(bytes, 150, 30, 4);
    for (const auto& m : mutants) {
        INFO(m.what);
        test::write_bytes(bad, m.bytes);
        const auto start = std::chrono::steady_clock::now();
        try {
            const bool equal = same_log(read_trial_log(bad.string()));  // outside REQUIRE
            REQUIRE(equal);
        } catch (const UserError& e) {
            REQUIRE_THAT(e.what(), Catch::Contains(bad.string()));
            ++refused;
        }
        CHECK(std::chrono::steady_clock::now() - start < test::kNoHangBound);
        CHECK(H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL) == 0);  // nothing left open
    }
    CHECK(refused == mutants.size());
}

TEST_CASE("trial log damage: every single-byte flip (fuzz)", "[tuner][storage][h5][.fuzz]") {
    test::TempDir dir;
    const fs::path log = dir.path() / "trials.h5";
    write_small_log(log);
    const std::string bytes = test::file_bytes(log);
    const fs::path bad = dir.path() / "mutant.h5";
    std::size_t refused = 0;
    const auto mutants = test::byte_mutants(bytes, bytes.size(), 2000, 5);
    for (const auto& m : mutants) {
        INFO(m.what);
        test::write_bytes(bad, m.bytes);
        try {
            const bool equal = same_log(read_trial_log(bad.string()));  // outside REQUIRE
            REQUIRE(equal);
        } catch (const UserError& e) {
            REQUIRE_THAT(e.what(), Catch::Contains(bad.string()));
            ++refused;
        }
    }
    WARN("trial log of " << bytes.size() << " bytes: " << mutants.size() << " mutants, " << refused
                         << " refused");
    CHECK(refused == mutants.size());
}

TEST_CASE(
    "trial log damage: byte flips of a log without a checksum block, each in a child "
    "process (fuzz)",
    "[tuner][storage][h5][.fuzz]") {
    test::TempDir dir;
    const fs::path log = dir.path() / "trials.h5";
    write_small_log(log);
    const fs::path old = dir.path() / "old.h5";
    test::copy_without_checksum(log, old);
    const fs::path bad = dir.path() / "mutant.h5";
    test::OutcomeCounts c;
    for (const auto& m : test::byte_mutants(test::file_bytes(old), 2500, 250, 12)) {
        test::write_bytes(bad, m.bytes);
        c.add(test::isolated([&] { return same_log(read_trial_log(bad.string())); },
                             std::chrono::milliseconds(5000)));
    }
    WARN("trial log without checksum: " << c);
    CHECK(c.other == 0);
}

TEST_CASE("trial log damage: a refused log leaves no HDF5 object open", "[tuner][storage][h5]") {
    test::TempDir dir;
    const fs::path log = dir.path() / "trials.h5";
    // Reading: every refusal closes what it opened.
    write_small_log(log);
    const fs::path bad = dir.path() / "bad.h5";
    fs::copy_file(log, bad);
    {
        const test::H5Edit e(bad);
        e.replace_numbers("/trials/value", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE,
                          std::vector<double>{1, 2});
    }
    CHECK_THROWS_AS(read_trial_log(bad.string()), StorageError);
    CHECK(H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL) == 0);
}
