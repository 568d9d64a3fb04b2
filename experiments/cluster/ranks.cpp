#include "experiments/cluster/ranks.hpp"

#include <oneapi/tbb/task_arena.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <memory>
#include <numeric>
#include <stdexcept>
#include <thread>

#include "common/atomic_file.hpp"
#include "common/text.hpp"
#include "engine/data/prepared_io.hpp"
#include "engine/error.hpp"
#include "engine/metrics.hpp"
#include "engine/similarity/params.hpp"
#include "experiments/cluster/split.hpp"
#include "experiments/cluster/wire.hpp"
#include "experiments/error.hpp"

namespace knntune::exp::cluster {

namespace fs = std::filesystem;
namespace sim = engine::similarity;

namespace {

std::atomic<bool> g_workers_stopped{false};

/// The kind of a Request, its first byte.
enum class Job : std::uint8_t { Evaluate = 1, Fit = 2, Stop = 3 };

void put_config(Writer& w, const KnnConfig& c) {
    w.put_string(c.measure);
    w.put_string(boost::json::serialize(params_to_json(c.params)));
}

KnnConfig get_config(Reader& r) {
    KnnConfig c;
    c.measure = r.get_string();
    c.params = params_from_json(boost::json::parse(r.get_string()).as_object());
    return c;
}

/// A prepared file in the temporary folder, named after this process and rank, removed when
/// it goes out of scope (also when reading or writing it failed).
class TempPrepared {
  public:
    TempPrepared()
        : path_(fs::temp_directory_path() / ("knntune-" + std::to_string(::getpid()) + "-rank" +
                                             std::to_string(rank()) + "-prepared.h5")) {}
    ~TempPrepared() {
        std::error_code ec;
        fs::remove(path_, ec);
    }
    TempPrepared(const TempPrepared&) = delete;
    TempPrepared& operator=(const TempPrepared&) = delete;
    [[nodiscard]] const fs::path& path() const { return path_; }

  private:
    fs::path path_;
};

}  // namespace

bool workers_stopped() { return g_workers_stopped.load(); }

Coordinator::Coordinator(DataMode mode) : mode_(mode) {}

Coordinator::~Coordinator() {
    // NOTE: every job has ended by now (the stages wait for their trials), so every worker
    // is waiting for a request; one that never got Setup takes Stop as its first message.
    try {
        Writer w;
        w.put(Job::Stop);
        for (int r = 1; r < size(); ++r) send(r, Tag::Request, w.bytes());
        g_workers_stopped = true;
    } catch (...) {
        abort_all(1);
    }
}

void Coordinator::start() {
    std::lock_guard lock(start_mu_);
    if (started_) return;
    if (ctx_ == nullptr) throw std::logic_error("Coordinator used before attach()");
    const ExperimentConfig& cfg = ctx_->config();
    const engine::PreparedData& d = ctx_->data();
    Writer w;
    std::vector<std::string> metrics;
    for (const engine::MetricSpec& m : cfg.objective.all()) metrics.push_back(m.name);
    w.put<std::uint64_t>(metrics.size());
    for (const auto& m : metrics) w.put_string(m);
    w.put<std::int64_t>(cfg.tuner.cache_max_pairs);
    w.put_string(d.fingerprint());
    const bool shared = mode_ == DataMode::Shared && !ctx_->data_file().empty();
    w.put<std::uint8_t>(shared ? 1 : 0);
    if (shared) {
        w.put_string(fs::absolute(ctx_->data_file()).string());
    } else if (!ctx_->data_file().empty()) {
        w.put_string(knntune::read_file(ctx_->data_file()));
    } else {
        // NOTE: nothing was saved (output.save_prepared: false); a temporary prepared file
        // is written to send its bytes.
        const TempPrepared tmp;
        engine::save_prepared(d, {cfg.data.log.path, cfg.data.source_text}, tmp.path().string());
        w.put_string(knntune::read_file(tmp.path()));
    }
    for (int r = 1; r < size(); ++r) send(r, Tag::Setup, w.bytes());
    std::vector<int> slots(static_cast<std::size_t>(size()), 0);
    int most = 0;
    for (int r = 1; r < size(); ++r) {
        Reader in(receive(r, Tag::Ready).bytes);
        slots[static_cast<std::size_t>(r)] = in.get<std::int32_t>();
        most = std::max(most, slots[static_cast<std::size_t>(r)]);
    }
    // NOTE: one slot of every worker first, then a second of each, so that a batch smaller
    // than all slots spreads over the workers.
    std::lock_guard pool(mu_);
    for (int s = 0; s < most; ++s) {
        for (int r = 1; r < size(); ++r) {
            if (s < slots[static_cast<std::size_t>(r)]) free_.push_back({r, s});
        }
    }
    slots_ = free_.size();
    started_ = true;
}

Coordinator::Slot Coordinator::acquire() {
    std::unique_lock lock(mu_);
    free_cv_.wait(lock, [&] { return !free_.empty(); });
    const Slot s = free_.front();
    free_.pop_front();
    return s;
}

void Coordinator::release(Slot s) {
    {
        std::lock_guard lock(mu_);
        free_.push_back(s);
    }
    free_cv_.notify_all();
}

TrialResult Coordinator::evaluate_trial(sim::Orientation orientation, const KnnConfig& config,
                                        const std::string& objective, bool per_unit) {
    start();
    Writer w;
    w.put(Job::Evaluate);
    w.put(orientation);
    w.put_string(objective);
    w.put<std::uint8_t>(per_unit ? 1 : 0);
    put_config(w, config);
    const Slot slot = acquire();
    w.put<std::int32_t>(slot.slot);
    const auto t0 = std::chrono::steady_clock::now();
    Message m;
    try {
        send(slot.rank, Tag::Request, w.bytes());
        m = receive(slot.rank, reply_tag(slot.slot));
    } catch (...) {
        release(slot);
        throw;
    }
    const double round_trip =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    release(slot);
    Reader in(m.bytes);
    if (in.get<std::uint8_t>() == 0) throw std::runtime_error(in.get_string());
    TrialResult r;
    r.value = in.get<double>();
    const auto n = in.get<std::uint64_t>();
    for (std::uint64_t i = 0; i < n; ++i) {
        std::string name = in.get_string();
        r.metrics.emplace_back(std::move(name), in.get<double>());
    }
    r.per_unit = in.get_vector<double>();
    r.fit_seconds = in.get<double>();
    r.eval_seconds = in.get<double>();
    r.cache_hit = in.get<std::uint8_t>() != 0;
    std::lock_guard lock(traffic_mu_);
    request_bytes_ += static_cast<std::int64_t>(w.bytes().size());
    reply_bytes_ += static_cast<std::int64_t>(m.bytes.size());
    overhead_.push_back(round_trip - r.fit_seconds - r.eval_seconds);
    return r;
}

std::string Coordinator::describe_traffic() const {
    std::lock_guard lock(traffic_mu_);
    const auto n = static_cast<std::int64_t>(overhead_.size());
    if (n == 0) return "no trial ran on a worker";
    std::vector<double> sorted = overhead_;
    std::sort(sorted.begin(), sorted.end());
    const double median = n % 2 == 1 ? sorted[static_cast<std::size_t>(n / 2)]
                                     : 0.5 * (sorted[static_cast<std::size_t>(n / 2 - 1)] +
                                              sorted[static_cast<std::size_t>(n / 2)]);
    const double mean = std::accumulate(sorted.begin(), sorted.end(), 0.0) / static_cast<double>(n);
    const auto kib = [&](std::int64_t bytes) {
        return significant(static_cast<double>(bytes) / static_cast<double>(n) / 1024.0, 3);
    };
    return std::to_string(n) + " trials on " + std::to_string(workers()) + " workers: per trial " +
           kib(request_bytes_) + " KiB sent, " + kib(reply_bytes_) + " KiB received; " +
           significant(median * 1e3, 3) + " ms (median) beyond the evaluation, mean " +
           significant(mean * 1e3, 3) + " ms";
}

engine::CsrMatrix Coordinator::fit(engine::Period period, sim::Orientation orientation,
                                   const KnnConfig& config) {
    start();
    // Every worker takes part: wait until every slot is free.
    std::vector<Slot> all;
    for (std::size_t i = 0; i < slots_; ++i) all.push_back(acquire());
    Writer w;
    w.put(Job::Fit);
    w.put(period);
    w.put(orientation);
    put_config(w, config);
    const sim::Measure m = sim::measure_from_name(config.measure);
    const sim::SimilarityParams p = sim::parse_params(m, config.params);
    engine::CsrMatrix s;
    try {
        for (int r = 1; r < size(); ++r) send(r, Tag::Request, w.bytes());
        SplitReport report;
        s = split_similarity(ctx_->data().matrix(period), orientation, m, p, &report);
        ctx_->progress().note(model_name(orientation) + " " + config.measure +
                              ": similarity split over " + report.describe());
    } catch (...) {
        for (const Slot& x : all) release(x);
        throw;
    }
    for (const Slot& x : all) release(x);
    return s;
}

namespace {

/// What a worker keeps of rank 0's Setup message.
struct WorkerSetup {
    std::vector<engine::MetricSpec> metrics;
    std::size_t cache_max_pairs = 0;
    engine::PreparedData data;
};

/// The prepared data sent as bytes, read through a temporary file.
engine::PreparedData load_sent_data(const std::string& bytes) {
    const TempPrepared tmp;
    knntune::write_file_atomic(tmp.path(), bytes, {.durable = false});
    return engine::load_prepared(tmp.path().string());
}

WorkerSetup read_setup(const std::string& bytes) {
    Reader in(bytes);
    WorkerSetup w;
    const auto n_metrics = in.get<std::uint64_t>();
    for (std::uint64_t i = 0; i < n_metrics; ++i)
        w.metrics.push_back(engine::parse_metric(in.get_string()));
    w.cache_max_pairs = static_cast<std::size_t>(in.get<std::int64_t>());
    const std::string fingerprint = in.get_string();
    const bool shared = in.get<std::uint8_t>() != 0;
    w.data = shared ? engine::load_prepared(in.get_string()) : load_sent_data(in.get_string());
    if (w.data.fingerprint() != fingerprint) {
        throw engine::InputError(
            "rank " + std::to_string(rank()) + ": the prepared data has fingerprint " +
            w.data.fingerprint() + ", rank 0's has " + fingerprint +
            " (a stale file on this machine's path? use --mpi-data broadcast)");
    }
    return w;
}

/// One trial to evaluate, as rank 0 asked it.
struct TrialRequest {
    sim::Orientation orientation = sim::Orientation::Item;
    std::string objective;
    bool per_unit = false;
    KnnConfig config;
    std::int32_t slot = 0;
};

TrialRequest read_trial(Reader& in) {
    TrialRequest t;
    t.orientation = in.get<sim::Orientation>();
    t.objective = in.get_string();
    t.per_unit = in.get<std::uint8_t>() != 0;
    t.config = get_config(in);
    t.slot = in.get<std::int32_t>();
    return t;
}

/// Evaluates one trial; the Reply's bytes (the result, or the error text).
std::string answer_trial(const TrialRequest& t, const KnnEvaluator& evaluator) {
    Writer w;
    try {
        const TrialResult r = trial_result(evaluator.evaluate(t.config), t.objective, t.per_unit);
        w.put<std::uint8_t>(1);
        w.put(r.value);
        w.put<std::uint64_t>(r.metrics.size());
        for (const auto& [name, mean] : r.metrics) w.put_string(name).put(mean);
        w.put_vector(r.per_unit);
        w.put(r.fit_seconds);
        w.put(r.eval_seconds);
        w.put<std::uint8_t>(r.cache_hit ? 1 : 0);
    } catch (const std::exception& e) {
        w = Writer();
        w.put<std::uint8_t>(0);
        w.put_string(e.what());
    }
    return w.take();
}

/// The trials a worker runs at once: one thread per slot, all in one TBB arena, so that the
/// trials and the kernels inside them share the rank's cores as in one process.
class TrialSlots {
  public:
    explicit TrialSlots(const WorkerSetup& setup) : setup_(setup) {
        for (int i = 0; i < arena_.max_concurrency(); ++i)
            threads_.emplace_back([this] { work(); });
    }
    ~TrialSlots() {
        {
            std::lock_guard lock(mu_);
            stop_ = true;
        }
        cv_.notify_all();
        for (auto& t : threads_) t.join();
    }
    TrialSlots(const TrialSlots&) = delete;
    TrialSlots& operator=(const TrialSlots&) = delete;

    [[nodiscard]] int slots() const { return static_cast<int>(threads_.size()); }

    /// Queues a trial; a trial of the other model (orientation) first waits for the running
    /// ones and builds its evaluator (and co-occurrence cache).
    void submit(TrialRequest t) {
        if (!evaluator_ || orientation_ != t.orientation) {
            drain();
            evaluator_.reset();
            evaluator_ = std::make_unique<KnnEvaluator>(
                setup_.data.matrix(engine::Period::TrainVal),
                setup_.data.matrix(engine::Period::Valid), t.orientation, setup_.metrics,
                setup_.cache_max_pairs);
            orientation_ = t.orientation;
        }
        {
            std::lock_guard lock(mu_);
            queue_.push_back(std::move(t));
        }
        cv_.notify_one();
    }

    /// Waits until no trial is queued or running; rethrows a failed reply.
    void drain() {
        std::unique_lock lock(mu_);
        idle_cv_.wait(lock, [&] { return queue_.empty() && busy_ == 0; });
        if (error_) std::rethrow_exception(error_);
    }

  private:
    void work() {
        while (true) {
            TrialRequest t;
            {
                std::unique_lock lock(mu_);
                cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
                if (queue_.empty()) return;
                t = std::move(queue_.front());
                queue_.pop_front();
                ++busy_;
            }
            try {
                std::string reply;
                arena_.execute([&] { reply = answer_trial(t, *evaluator_); });
                send(0, reply_tag(t.slot), reply);
            } catch (...) {
                std::lock_guard lock(mu_);
                error_ = std::current_exception();
            }
            {
                std::lock_guard lock(mu_);
                --busy_;
            }
            idle_cv_.notify_all();
        }
    }

    const WorkerSetup& setup_;
    tbb::task_arena arena_;
    std::unique_ptr<KnnEvaluator> evaluator_;
    sim::Orientation orientation_ = sim::Orientation::Item;
    std::mutex mu_;
    std::condition_variable cv_;
    std::condition_variable idle_cv_;
    std::deque<TrialRequest> queue_;
    int busy_ = 0;
    bool stop_ = false;
    std::exception_ptr error_;
    std::vector<std::thread> threads_;
};

}  // namespace

void serve_worker() {
    // Setup, or Stop when rank 0 failed before it had anything to hand out.
    const Message first = receive_any_tag(0);
    if (first.tag == Tag::Request) return;
    if (first.tag != Tag::Setup) throw std::logic_error("rank 0 sent no setup");
    const WorkerSetup setup = read_setup(first.bytes);
    TrialSlots slots(setup);
    Writer ready;
    ready.put<std::int32_t>(slots.slots());
    send(0, Tag::Ready, ready.bytes());
    while (true) {
        const Message m = receive(0, Tag::Request);
        Reader in(m.bytes);
        const auto job = in.get<Job>();
        if (job == Job::Stop) {
            slots.drain();
            return;
        }
        if (job == Job::Evaluate) {
            slots.submit(read_trial(in));
        } else if (job == Job::Fit) {
            slots.drain();
            const auto period = in.get<engine::Period>();
            const auto orientation = in.get<sim::Orientation>();
            const KnnConfig c = get_config(in);
            const sim::Measure measure = sim::measure_from_name(c.measure);
            (void)split_similarity(setup.data.matrix(period), orientation, measure,
                                   sim::parse_params(measure, c.params));
        } else {
            throw std::logic_error("unknown request from rank 0");
        }
    }
}

}  // namespace knntune::exp::cluster
