#pragma once
/// The ranks of a distributed `knntune run`, `tune` or `test`: rank 0 runs the stages with a
/// `Coordinator` as the run's `ClusterRun`, every other rank runs `serve_worker` until rank 0
/// stops it. Protocol (docs/distributed.md):
///
///  1. On first use rank 0 sends each worker a Setup message: the metrics, the co-occurrence
///     cache bound, the data's fingerprint, and the prepared data, as the path of a prepared
///     file on a shared file system (`DataMode::Shared`) or the bytes of one (`Broadcast`, or
///     when rank 0 saved no prepared file). A worker whose data has another fingerprint ends
///     the job.
///  2. Per trial, rank 0 sends one Request (measure, parameters, orientation, objective) to a
///     free worker and receives one Reply (`TrialResult`, or the error text).
///  3. For a fit split by rows, rank 0 sends every worker a Request and all ranks run
///     `split_similarity`.
///  4. At the end (also when rank 0 fails) rank 0 sends every worker a Stop request.

#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>

#include "experiments/cluster/comm.hpp"
#include "experiments/run/context.hpp"

namespace knntune::exp::cluster {

/// How the worker ranks get the prepared data (`--mpi-data`).
enum class DataMode { Shared, Broadcast };

/// Rank 0's side. Construct it before anything can fail, so that its destructor stops the
/// workers whatever happens.
class Coordinator final : public ClusterRun {
  public:
    explicit Coordinator(DataMode mode);
    ~Coordinator() override;
    Coordinator(const Coordinator&) = delete;
    Coordinator& operator=(const Coordinator&) = delete;

    /// The context whose config and data the workers get; set before the first job.
    void attach(const RunContext& ctx) { ctx_ = &ctx; }

    [[nodiscard]] int workers() const override { return size() - 1; }
    [[nodiscard]] TrialResult evaluate_trial(engine::similarity::Orientation orientation,
                                             const KnnConfig& config, const std::string& objective,
                                             bool per_unit) override;
    [[nodiscard]] engine::CsrMatrix fit(engine::Period period,
                                        engine::similarity::Orientation orientation,
                                        const KnnConfig& config) override;

  private:
    void start();
    int acquire();
    void release(int worker);
    DataMode mode_;
    const RunContext* ctx_ = nullptr;
    std::mutex start_mu_;
    bool started_ = false;
    std::mutex mu_;
    std::condition_variable free_cv_;
    std::deque<int> free_;
};

/// A worker rank's part: serves rank 0's requests until it sends Stop. Throws on a setup
/// failure (the caller ends the job).
void serve_worker();

/// Whether rank 0 has told every worker to stop (so an error on rank 0 can end the process
/// normally instead of aborting the job).
[[nodiscard]] bool workers_stopped();

}  // namespace knntune::exp::cluster
