/// Writes the seed corpus of the HDF5 fuzz targets: small valid files made by knntune's own
/// writers, so that the seeds follow the formats as they change (nothing binary is committed).
///
/// Usage: fuzz_make_seeds DIR; writes DIR/model/, DIR/prepared/, DIR/trial_log/ and
/// DIR/trial_journal/.

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "engine/data/log_reader.hpp"
#include "engine/data/prepare.hpp"
#include "engine/data/prepared_io.hpp"
#include "engine/model_io.hpp"
#include "tests/fuzz/trial_log_seed.hpp"
#include "tuner/hdf5_storage.hpp"
#include "tuner/trial_journal.hpp"

namespace fs = std::filesystem;
using namespace knntune;

namespace {

void write_models(const fs::path& dir) {
    engine::SimilarityModel m;
    m.model = "item_knn";
    m.measure = "cosine";
    m.params_json = R"({"k": 3, "shrink": 0})";
    m.similarity = engine::csr_from_triplets(
        3, 3, std::vector<engine::Triplet>{{0, 0, 1}, {0, 1, 0.5F}, {1, 1, 1}, {2, 0, 0.25F}});
    m.train = engine::csr_from_triplets(
        2, 3, std::vector<engine::Triplet>{{0, 0, 1}, {0, 1, 1}, {1, 2, 1}});
    m.user_keys = {"u1", "u2"};
    m.item_keys = {"A1", "B2", "C3"};
    m.item_names = {"Red Mug", "", "Blue Plate"};
    m.fingerprint = "sha256:0";
    engine::save_model(m, (dir / "plain.h5").string());
    m.model = "user_knn";
    m.measure = "rp3beta";
    m.params_json = R"({"k": 2, "shrink": 1, "alpha": 0.5, "beta": 0.3})";
    m.similarity = engine::csr_from_triplets(2, 2, std::vector<engine::Triplet>{{0, 1, 0.7F}});
    m.item_attributes = {"red", "red", "blue"};
    engine::save_model(m, (dir / "attributes.h5").string());
}

void write_prepared(const fs::path& dir) {
    const fs::path log_path = dir / "log.csv.tmp";
    std::ofstream(log_path) << "user,item,time,name\n"
                               "u1,a,2020-01-02,Apple\nu2,b,2020-01-03,Ball\nu1,b,2020-02-02,\n"
                               "u2,a,2020-02-05,\nu1,c,2020-03-02,Cup\nu2,c,2020-03-03,\n";
    engine::LogSpec spec;
    spec.path = log_path.string();
    spec.user = {"user", 0};
    spec.item = {"item", 0};
    spec.timestamp = {"time", 0};
    spec.item_name = {"name", 0};
    engine::PrepareSpec p;
    p.split.train_val_window = p.split.valid_window = p.split.test_window = {1, 0};
    p.filter.remove_cold_start = false;
    const engine::PreparedData d = engine::prepare(engine::read_log(spec), p);
    engine::save_prepared(d, {spec.path, "data: {path: log.csv}\n"},
                          (dir / "prepared.h5").string());
    fs::remove(log_path);
}

void write_trial_logs(const fs::path& dir) {
    const tuner::SearchSpace space = fuzz::seed_space();
    const tuner::StudyInfo info = fuzz::seed_info(space);
    tuner::write_trial_log((dir / "empty.h5").string(), info, space, {});
    tuner::write_trial_log((dir / "trials.h5").string(), info, space, fuzz::seed_trials(),
                           fuzz::seed_race());
}

// Journals for the log of the `trial_journal` target: only a header, and one with every kind
// of record (the seed trials one by one, then the first told, and a race record).
void write_journals(const fs::path& dir) {
    const auto put = [&](const char* name, const std::vector<unsigned char>& bytes) {
        std::ofstream(dir / name, std::ios::binary)
            .write(reinterpret_cast<const char*>(bytes.data()),
                   static_cast<std::streamsize>(bytes.size()));
    };
    std::vector<unsigned char> j = tuner::journal_header(fuzz::kSeedLogId, 0);
    put("header-only.journal", j);
    std::uint64_t seq = 0;
    for (const tuner::FrozenTrial& t : fuzz::seed_trials()) {
        const auto r = tuner::journal_record(++seq, std::span<const tuner::FrozenTrial>(&t, 1));
        j.insert(j.end(), r.begin(), r.end());
    }
    const auto all = fuzz::seed_trials();
    const auto batch = tuner::journal_record(++seq, all);
    j.insert(j.end(), batch.begin(), batch.end());
    const auto race = tuner::journal_record(++seq, fuzz::seed_race());
    j.insert(j.end(), race.begin(), race.end());
    put("events.journal", j);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: fuzz_make_seeds DIR\n");
        return 2;
    }
    const fs::path root = argv[1];
    for (const char* sub : {"model", "prepared", "trial_log", "trial_journal"}) {
        fs::create_directories(root / sub);
    }
    write_models(root / "model");
    write_prepared(root / "prepared");
    write_trial_logs(root / "trial_log");
    write_journals(root / "trial_journal");
    return 0;
}
