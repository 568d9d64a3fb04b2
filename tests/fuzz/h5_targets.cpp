/// Fuzz targets of the HDF5 readers: the model file, the prepared data and the trial log, and of
/// the trial log's journal. The readers take a path, so the input is written to a file first.

#include "engine/data/prepared_io.hpp"
#include "engine/model_io.hpp"
#include "tests/fuzz/fuzz_input.hpp"
#include "tests/fuzz/trial_log_seed.hpp"
#include "tuner/hdf5_storage.hpp"

namespace knntune::fuzz {

int model(const std::uint8_t* data, std::size_t size) {
    const std::string path = write_input("model.h5", data, size);
    return run_reader([&] { (void)engine::load_model(path); });
}

int prepared(const std::uint8_t* data, std::size_t size) {
    const std::string path = write_input("prepared.h5", data, size);
    return run_reader([&] {
        engine::PreparedMeta meta;
        (void)engine::load_prepared(path, &meta);
    });
}

int trial_log(const std::uint8_t* data, std::size_t size) {
    const std::string path = write_input("trials.h5", data, size);
    return run_reader([&] { (void)tuner::read_trial_log(path); });
}

int trial_journal(const std::uint8_t* data, std::size_t size) {
    // The input is the journal beside a fixed valid log (its identity and space those of the
    // seed journals), read as every reader of the log reads it.
    static const std::string log = [] {
        const std::string p = (scratch_dir() / "journal-base.h5").string();
        const tuner::SearchSpace space = seed_space();
        tuner::write_trial_log(p, seed_info(space), space, seed_trials(), seed_race(),
                               {.log_id = kSeedLogId, .sequence = 0});
        return p;
    }();
    (void)write_input("journal-base.h5.journal", data, size);
    return run_reader([&] { (void)tuner::read_trial_log(log); });
}

}  // namespace knntune::fuzz
