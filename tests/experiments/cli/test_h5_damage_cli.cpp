// The command line on malformed and damaged HDF5 files: `knntune similar`, `knntune trials`
// and `knntune similarity --input prepared.h5` each give one line on standard error naming the
// file and the object, exit status 2, and no output file. Before the readers validated, the
// first cases aborted (status 134), segfaulted or read past the end of a buffer.

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "engine/data/prepared_io.hpp"
#include "engine/model_io.hpp"
#include "support/h5_mutants.hpp"
#include "support/temp_dir.hpp"
#include "tuner/hdf5_storage.hpp"

using namespace knntune;
namespace fs = std::filesystem;
using engine::Triplet;

namespace {

engine::SimilarityModel cli_model() {
    engine::SimilarityModel m;
    m.model = "item_knn";
    m.measure = "cosine";
    m.params_json = R"({"k": 3, "shrink": 0})";
    m.similarity = engine::csr_from_triplets(
        3, 3, std::vector<Triplet>{{0, 1, 0.5F}, {1, 0, 0.5F}, {1, 2, 0.25F}, {2, 1, 0.25F}});
    m.train = engine::csr_from_triplets(
        2, 3, std::vector<Triplet>{{0, 0, 1}, {0, 1, 1}, {1, 1, 1}, {1, 2, 1}});
    m.user_keys = {"u1", "u2"};
    m.item_keys = {"A", "B", "C"};
    m.item_names = {"Mug", "Plate", "Bowl"};
    return m;
}

/// Requires status 2 and exactly one line on standard error: `command`'s error `line`.
void refused_with(const test::RunResult& r, const std::string& command, const std::string& line) {
    INFO(r.err);
    CHECK(r.status == 2);
    CHECK(r.err == "knntune " + command + ": error: " + line + "\n");
    CHECK(r.out.empty());
}

}  // namespace

TEST_CASE("h5 damage CLI: malformed model objects give one line and status 2",
          "[experiments][cli][h5]") {
    test::TempDir dir;
    const fs::path good = dir.path() / "model.h5";
    engine::save_model(cli_model(), good.string());
    const test::RunResult ok = test::run_cli("similar '" + good.string() + "' Mug", dir.path());
    REQUIRE(ok.status == 0);
    CHECK_THAT(ok.out, Catch::Contains("Plate"));

    const fs::path bad = dir.path() / "bad.h5";
    const std::string b = bad.string();
    const auto edited = [&](const std::function<void(const test::H5Edit&)>& edit) {
        fs::copy_file(good, bad, fs::copy_options::overwrite_existing);
        {
            const test::H5Edit e(bad);
            edit(e);
        }
        return test::run_cli("similar '" + b + "' Mug", dir.path());
    };
    refused_with(edited([](const test::H5Edit& e) {
                     e.replace_numbers("/similarity/data", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT,
                                       std::vector<float>{0.5F, 0.5F, 0.25F, 0.25F}, {2, 2});
                 }),
                 "similar", b + ": /similarity/data: expected a 1-D array, found 2-D");
    refused_with(edited([](const test::H5Edit& e) {
                     e.string_array_attr("/", "measure", {"cosine", "dice"});
                 }),
                 "similar",
                 b + ": / attribute 'measure': expected a single value, found a 1-D array of 2");
    refused_with(edited([](const test::H5Edit& e) {
                     e.replace_numbers("/similarity/indices", H5T_STD_I32LE, H5T_NATIVE_INT32,
                                       std::vector<std::int32_t>{1, 2000000000, 2, 1});
                 }),
                 "similar",
                 b + ": /similarity/indices: entry 1 is 2000000000, outside [0, 3) (the "
                     "number of columns)");
    refused_with(edited([](const test::H5Edit& e) {
                     const h5::Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
                     H5Tset_size(type.get(), H5T_VARIABLE);
                     const char* p = "A";
                     e.replace_dataset("/items/keys", type.get(), {1}, type.get(), &p);
                 }),
                 "similar",
                 b + ": /train/shape is [2, 3] but /users/keys has 2 entries and /items/keys 1");
    refused_with(edited([](const test::H5Edit& e) {
                     e.replace_numbers("/train/indices", H5T_STD_I32LE, H5T_NATIVE_INT32,
                                       std::vector<std::int32_t>{0, 1, 1, -5});
                 }),
                 "similar",
                 b + ": /train/indices: entry 3 is -5, outside [0, 3) (the number of columns)");

    // One flipped byte: refused by the checksum before HDF5 reads the file.
    std::string bytes = test::file_bytes(good);
    bytes[bytes.size() / 3] ^= 0x40;
    test::write_bytes(bad, bytes);
    const test::RunResult flipped = test::run_cli("similar '" + b + "' Mug", dir.path());
    CHECK(flipped.status == 2);
    CHECK_THAT(flipped.err,
               Catch::StartsWith("knntune similar: error: " + b + ": checksum mismatch"));
    CHECK(std::count(flipped.err.begin(), flipped.err.end(), '\n') == 1);
}

TEST_CASE("h5 damage CLI: a malformed trial log or prepared file gives one line and status 2",
          "[experiments][cli][h5]") {
    test::TempDir dir;
    const fs::path log = dir.path() / "trials.h5";
    const tuner::SearchSpace space = tuner::SearchSpace::from_json_text(
        R"({"params": [{"name": "k", "type": "int", "low": 1, "high": 10}]})");
    tuner::StudyInfo info;
    info.name = "cli";
    info.search_space = space.to_json_text();
    tuner::FrozenTrial t;
    t.state = tuner::TrialState::Complete;
    t.value = 0.5;
    t.params = {3};
    tuner::write_trial_log(log.string(), info, space, std::vector<tuner::FrozenTrial>{t});
    REQUIRE(test::run_cli("trials '" + log.string() + "'", dir.path()).status == 0);
    {
        const test::H5Edit e(log);
        e.string_array_attr("/", "sampler", {"tpe", "random"});
    }
    refused_with(test::run_cli("trials '" + log.string() + "'", dir.path()), "trials",
                 "trial log '" + log.string() +
                     "': / attribute 'sampler': expected a single value, found a 1-D array of 2");

    engine::PreparedData d;
    d.user_keys = {"u1", "u2"};
    d.item_keys = {"A", "B"};
    d.item_names = {"", ""};
    for (auto& m : d.matrices) {
        m = engine::csr_from_triplets(2, 2, std::vector<Triplet>{{0, 0, 1}, {1, 1, 1}});
    }
    const fs::path prepared = dir.path() / "prepared.h5";
    engine::save_prepared(d, {}, prepared.string());
    {
        const test::H5Edit e(prepared);
        e.replace_numbers("/periods/train/data", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT,
                          std::vector<float>{1, 1}, {1, 2});
    }
    const fs::path out = dir.path() / "s.csv";
    refused_with(
        test::run_cli("similarity --input '" + prepared.string() +
                          "' --measure cosine --orientation item --output '" + out.string() + "'",
                      dir.path()),
        "similarity", prepared.string() + ": /periods/train/data: expected a 1-D array, found 2-D");
    CHECK_FALSE(fs::exists(out));
}
