#pragma once
// The input matrix of the benchmark programs: an interaction CSV, or one period of a knntune
// prepared.h5, the very matrix that ../shared/baselines/similaripy_prep.py gives similaripy.

#include <algorithm>
#include <stdexcept>
#include <string>

#include "engine/csr.hpp"
#include "engine/data/prepared_io.hpp"
#include "engine/interactions_csv.hpp"

namespace knntune::bench {

/// The users × items matrix of `input`: a user,item CSV (`read_interactions_csv`), or
/// `PATH.h5:PERIOD` (PERIOD train_val, valid, train or test), that period of a prepared file
/// read with the engine's reader, every value set to 1 as similaripy_prep.py does. Throws the
/// readers' InputError for a bad file, std::invalid_argument for an unknown period.
inline engine::CsrMatrix load_bench_input(const std::string& input) {
    const auto colon = input.rfind(':');
    if (colon == std::string::npos || input.find(".h5:") == std::string::npos) {
        return std::move(engine::read_interactions_csv(input).matrix);
    }
    const std::string period = input.substr(colon + 1);
    for (const engine::Period p : engine::kPeriods) {
        if (period != engine::period_name(p)) continue;
        engine::PreparedData data = engine::load_prepared(input.substr(0, colon));
        engine::CsrMatrix m = std::move(data.matrices[static_cast<int>(p)]);
        std::fill(m.values.begin(), m.values.end(), engine::Score{1});
        return m;
    }
    throw std::invalid_argument(input + ": unknown period '" + period +
                                "' (train_val, valid, train or test)");
}

}  // namespace knntune::bench
