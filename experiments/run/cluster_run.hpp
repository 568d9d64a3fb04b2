#pragma once
/// The ranks of a distributed run as the stages see them. A run of one process has none
/// (`RunContext::cluster()` is null) and the stages do the work themselves; under an MPI
/// launcher, rank 0 runs the stages and hands trials and similarity rows to the other ranks
/// through this interface (implemented in experiments/cluster/, docs/distributed.md).

#include "engine/csr.hpp"
#include "engine/data/prepare.hpp"
#include "engine/similarity/common_params.hpp"
#include "experiments/knn_study.hpp"

namespace knntune::exp {

class ClusterRun {
  public:
    virtual ~ClusterRun() = default;
    /// Ranks that evaluate trials (every rank but 0).
    [[nodiscard]] virtual int workers() const = 0;
    /// Evaluates `config` as a tuning trial (fit on train_val, score valid) on a free worker
    /// rank and returns what the trial keeps; blocks until a worker is free and done.
    /// Thread-safe. Throws std::runtime_error with the worker's message when the evaluation
    /// failed there, so the trial fails with the same text as in one process.
    [[nodiscard]] virtual TrialResult evaluate_trial(engine::similarity::Orientation orientation,
                                                     const KnnConfig& config,
                                                     const std::string& objective,
                                                     bool per_unit) = 0;
    /// The similarity of `config` on `period`, its rows split across every rank (this one
    /// included); equal to `fit_knn` on that period.
    /// What distributing the trials cost so far, per trial: bytes each way and the time a
    /// trial took on rank 0 beyond its evaluation on the worker (median and mean), e.g.
    /// "24 trials on 2 workers: per trial 0.4 KiB sent, 1.1 KiB received; 0.61 ms (median)
    /// beyond the evaluation, mean 0.70 ms".
    [[nodiscard]] virtual std::string describe_traffic() const = 0;
    [[nodiscard]] virtual engine::CsrMatrix fit(engine::Period period,
                                                engine::similarity::Orientation orientation,
                                                const KnnConfig& config) = 0;
};

}  // namespace knntune::exp
