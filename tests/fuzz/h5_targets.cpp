/// Fuzz targets of the HDF5 readers: the model file, the prepared data and the trial log. The
/// readers take a path, so the input is written to a file first.

#include "engine/data/prepared_io.hpp"
#include "engine/model_io.hpp"
#include "tests/fuzz/fuzz_input.hpp"
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

}  // namespace knntune::fuzz
