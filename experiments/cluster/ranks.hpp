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
///     Each worker answers Ready with its slots: the trials it runs at once (the cores its TBB
///     sees), as one process runs `parallel_trials` trials in one arena.
///  2. Per trial, rank 0 sends one Request (slot, measure, parameters, orientation, objective)
///     to a free slot of a worker and receives one Reply on that slot's tag (`TrialResult`,
///     or the error text). Free slots are taken one per worker in turn.
///  3. For a fit split by rows, rank 0 sends every worker a Request and all ranks run
///     `split_similarity`.
///  4. At the end (also when rank 0 fails) rank 0 sends every worker a Stop request.

#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

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
    [[nodiscard]] std::string describe_traffic() const override;
    [[nodiscard]] engine::CsrMatrix fit(engine::Period period,
                                        engine::similarity::Orientation orientation,
                                        const KnnConfig& config) override;

  private:
    /// A worker rank and one of its slots (trials it runs at once).
    struct Slot {
        int rank;
        int slot;
    };
    void start();
    Slot acquire();
    void release(Slot s);
    DataMode mode_;
    const RunContext* ctx_ = nullptr;
    std::mutex start_mu_;
    bool started_ = false;
    std::mutex mu_;
    std::condition_variable free_cv_;
    std::deque<Slot> free_;
    std::size_t slots_ = 0;  ///< of every worker together
    // Per trial: bytes of the request and the reply, and seconds beyond the evaluation.
    mutable std::mutex traffic_mu_;
    std::int64_t request_bytes_ = 0;
    std::int64_t reply_bytes_ = 0;
    std::vector<double> overhead_;
};

/// A worker rank's part: serves rank 0's requests until it sends Stop. Throws on a setup
/// failure (the caller ends the job).
void serve_worker();

/// Whether rank 0 has told every worker to stop (so an error on rank 0 can end the process
/// normally instead of aborting the job).
[[nodiscard]] bool workers_stopped();

}  // namespace knntune::exp::cluster
