// One storage contract, run on the in-memory and the HDF5 storage, plus HDF5-specific tests.

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <functional>

#include "common/atomic_file.hpp"
#include "tests/tuner/fixtures.hpp"
#include "tuner/error.hpp"
#include "tuner/hdf5_storage.hpp"
#include "tuner/storage.hpp"

using namespace knntune::tuner;
using knntune::tuner::testing::knn_space;
using knntune::tuner::testing::scratch_dir;

namespace {

StudyInfo info_for(const SearchSpace& space, std::uint64_t seed = 5) {
    StudyInfo info;
    info.name = "contract";
    info.direction = Direction::Maximize;
    info.seed = seed;
    info.search_space = space.to_json_text();
    info.sampler = "tpe";
    info.sampler_settings = R"({"mode":"joint"})";
    info.config = "seed: 5\nalgorithms: [cosine]\n";
    info.data_fingerprint = "sha256:abc";
    info.software_version = "0.1.0";
    return info;
}

FrozenTrial make_trial(std::int64_t number, const SearchSpace& space) {
    FrozenTrial t;
    t.number = number;
    t.params.assign(space.size(), kInactive);
    t.params[0] = 5;  // tversky
    t.params[1] = 40 + static_cast<double>(number);
    t.params[2] = 12.5;
    t.params[4] = 0.25;
    t.params[5] = 1.5;
    t.start_time = 1.7e9 + static_cast<double>(number);
    return t;
}

void same_trial(const FrozenTrial& a, const FrozenTrial& b) {
    CHECK(a.number == b.number);
    CHECK(a.state == b.state);
    CHECK(((a.value == b.value) || (std::isnan(a.value) && std::isnan(b.value))));
    REQUIRE(a.params.size() == b.params.size());
    for (std::size_t i = 0; i < a.params.size(); ++i) {
        CHECK(
            ((a.params[i] == b.params[i]) || (std::isnan(a.params[i]) && std::isnan(b.params[i]))));
    }
    CHECK(a.metrics == b.metrics);
    CHECK(a.error == b.error);
    CHECK(
        ((a.start_time == b.start_time) || (std::isnan(a.start_time) && std::isnan(b.start_time))));
    CHECK(((a.end_time == b.end_time) || (std::isnan(a.end_time) && std::isnan(b.end_time))));
}

// The contract every storage passes.
void storage_contract(const std::function<std::unique_ptr<Storage>()>& make) {
    const SearchSpace space = knn_space();
    std::unique_ptr<Storage> s = make();
    CHECK(s->open(info_for(space), space, {}).empty());
    FrozenTrial t0 = make_trial(0, space);
    FrozenTrial t1 = make_trial(1, space);
    s->write(std::vector<FrozenTrial>{t0, t1});
    REQUIRE(s->trials().size() == 2);
    CHECK(s->trials()[1].state == TrialState::Running);
    // Updating by number replaces the row.
    t1.state = TrialState::Complete;
    t1.value = 0.125;
    t1.metrics = {{"recall@10", 0.5}, {"ndcg@10", 0.25}};
    t1.end_time = t1.start_time + 2.0;
    t0.state = TrialState::Fail;
    t0.error = "objective threw: bad k 'x'\nsecond line";
    t0.end_time = t0.start_time + 1.0;
    s->write(std::vector<FrozenTrial>{t1});
    s->write(std::vector<FrozenTrial>{t0});
    const auto rows = s->trials();
    REQUIRE(rows.size() == 2);
    same_trial(rows[0], t0);
    same_trial(rows[1], t1);
}

}  // namespace

TEST_CASE("storage contract: in-memory", "[tuner][storage]") {
    storage_contract([] { return std::make_unique<InMemoryStorage>(); });
}

TEST_CASE("storage contract: HDF5", "[tuner][storage]") {
    const auto dir = scratch_dir("contract");
    storage_contract([&] { return std::make_unique<Hdf5Storage>((dir / "t.h5").string()); });
    std::filesystem::remove_all(dir);
}

TEST_CASE("HDF5 log: round trip through the file, resume checks and the writer lock",
          "[tuner][storage]") {
    const auto dir = scratch_dir("roundtrip");
    const std::string path = (dir / "trials.h5").string();
    const SearchSpace space = knn_space();
    StudyInfo info = info_for(space);
    info.config = std::string(200000, 'x');  // beyond the 64 KiB compact-attribute limit
    {
        Hdf5Storage big((dir / "big.h5").string(), Hdf5Options{false});
        big.open(info, space, {});
    }
    CHECK(read_trial_log((dir / "big.h5").string()).info.config == info.config);
    FrozenTrial done = make_trial(0, space);
    done.state = TrialState::Complete;
    done.value = 0.75;
    done.metrics = {{"recall@10", 0.5}};
    done.end_time = done.start_time + 3.0;
    const FrozenTrial running = make_trial(1, space);
    {
        Hdf5Storage s(path, Hdf5Options{false});
        s.open(info_for(space), space, {});
        s.write(std::vector<FrozenTrial>{done, running});

        SECTION("a second writer is refused while the first is open") {
            Hdf5Storage other(path);
            CHECK_THROWS_WITH(other.open(info_for(space), space, OpenMode{true, false}),
                              Catch::Contains("is open for writing by another process"));
        }
    }
    const TrialLog log = read_trial_log(path);
    CHECK(log.info.name == "contract");
    CHECK(log.info.direction == Direction::Maximize);
    CHECK(log.info.seed == 5);
    CHECK(log.info.config == "seed: 5\nalgorithms: [cosine]\n");
    CHECK(log.info.data_fingerprint == "sha256:abc");
    CHECK(log.info.sampler_settings == R"({"mode":"joint"})");
    CHECK(log.space == space);
    CHECK(log.metric_names == std::vector<std::string>{"recall@10"});
    REQUIRE(log.trials.size() == 2);
    same_trial(log.trials[0], done);
    same_trial(log.trials[1], running);

    // Without resume an existing log is refused; a changed seed or space is refused on resume.
    CHECK_THROWS_WITH(Hdf5Storage(path).open(info_for(space), space, {}),
                      Catch::Contains("already exists"));
    CHECK_THROWS_WITH(Hdf5Storage(path).open(info_for(space, 6), space, OpenMode{true, false}),
                      Catch::Contains("it was run with seed 5, the configuration says 6"));
    const SearchSpace other = SearchSpace::from_json_text(
        R"({"params": [{"name": "x", "type": "float", "low": 0, "high": 1}]})");
    CHECK_THROWS_WITH(Hdf5Storage(path).open(info_for(other), other, OpenMode{true, false}),
                      Catch::Contains("its search space differs"));
    {
        Hdf5Storage forced(path);
        CHECK(forced.open(info_for(space, 6), space, OpenMode{true, true}).size() == 2);
    }
    CHECK(read_trial_log(path).info.seed == 6);
    {
        Hdf5Storage resumed(path);
        const auto trials = resumed.open(info_for(space, 6), space, OpenMode{true, false});
        REQUIRE(trials.size() == 2);
        same_trial(trials[0], done);
    }
    CHECK_THROWS_WITH(read_trial_log((dir / "missing.h5").string()),
                      Catch::Contains("does not exist"));
    std::filesystem::remove_all(dir);
}

TEST_CASE("HDF5 log: a journal append waits on the disk at most once; a compaction once per file",
          "[tuner][storage][sync]") {
    const auto dir = scratch_dir("syncs");
    const SearchSpace space = knn_space();
    {
        knntune::FolderSyncBatch batch;
        // A sync interval of 0 flushes the journal at every event: the most waits there can be.
        Hdf5Storage s((dir / "trials.h5").string(), {.sync_interval_seconds = 0.0});
        s.open(info_for(space), space, {});
        batch.sync();
        const knntune::SyncCounts before = knntune::sync_counts();
        FrozenTrial t = make_trial(0, space);
        for (int i = 0; i < 3; ++i) {
            t.number = i;
            s.write(std::vector<FrozenTrial>{t});
        }
        CHECK(knntune::sync_counts().files - before.files == 3);
        CHECK(knntune::sync_counts().folders - before.folders == 0);
        // The compaction at the end writes the log and an empty journal (one wait each); both
        // renames are in one folder, synced once by the batch.
        s.flush();
        CHECK(knntune::sync_counts().files - before.files == 5);
        CHECK(knntune::sync_counts().folders - before.folders == 0);
        batch.sync();
        CHECK(knntune::sync_counts().folders - before.folders == 1);
    }
    CHECK(read_trial_log((dir / "trials.h5").string()).trials.size() == 3);
    std::filesystem::remove_all(dir);
}
