#pragma once
/// The small trial log of the fuzz seeds (make_seeds.cpp) and the log beside which the
/// `trial_journal` target reads its input as the journal (h5_targets.cpp).

#include <limits>
#include <vector>

#include "tuner/hdf5_storage.hpp"

namespace knntune::fuzz {

/// Identity of the seed log, shared with the seed journal.
inline constexpr const char* kSeedLogId = "fuzz-seed";

inline tuner::SearchSpace seed_space() {
    return tuner::SearchSpace::from_json_text(R"({"params": [
      {"name": "algorithm", "type": "categorical", "choices": ["cosine", "rp3beta"]},
      {"name": "k", "type": "int", "low": 5, "high": 500, "log": true},
      {"name": "alpha", "type": "float", "low": 0, "high": 2, "parent": "algorithm",
       "when": ["rp3beta"]}]})");
}

inline tuner::StudyInfo seed_info(const tuner::SearchSpace& space) {
    tuner::StudyInfo info;
    info.name = "item_knn";
    info.direction = Direction::Maximize;
    info.seed = 42;
    info.search_space = space.to_json_text();
    info.sampler = "tpe";
    info.sampler_settings = "{}";
    info.config = "tuner: {n_trials: 3}\n";
    info.data_fingerprint = "sha256:0";
    info.software_version = "0.1.0";
    return info;
}

/// A Complete, a Fail and a Running trial.
inline std::vector<tuner::FrozenTrial> seed_trials() {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    std::vector<tuner::FrozenTrial> trials(3);
    trials[0] = {0, tuner::TrialState::Complete, 0.25, {0, 10, nan}, {{"ndcg@10", 0.3}}, 1, 2, ""};
    trials[1] = {1, tuner::TrialState::Fail, nan, {1, 20, 0.5}, {}, 2, 3, "objective threw"};
    trials[2] = {2, tuner::TrialState::Running, nan, {1, 7, 1.5}, {}, 3, nan, ""};
    return trials;
}

/// A race over `algorithm` with one arm stopped.
inline tuner::RaceRecord seed_race() {
    tuner::RaceRecord race;
    race.key = "algorithm";
    race.test = "one-sided Wilcoxon signed-rank";
    race.check_every = 5;
    race.arms.resize(2);
    race.arms[0].label = "cosine";
    race.arms[1].label = "rp3beta";
    race.arms[1].racing = false;
    race.arms[1].stopped_at = 1;
    return race;
}

}  // namespace knntune::fuzz
