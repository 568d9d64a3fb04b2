#include "experiments/cluster/ranks.hpp"

#include <unistd.h>

#include <atomic>
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <stdexcept>

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

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in)
        throw engine::InputError(p.string() +
                                 ": cannot read the prepared data to send to the ranks");
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

bool workers_stopped() { return g_workers_stopped.load(); }

Coordinator::Coordinator(DataMode mode) : mode_(mode) {
    for (int r = 1; r < size(); ++r) free_.push_back(r);
}

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
        w.put_string(read_file(ctx_->data_file()));
    } else {
        // NOTE: nothing was saved (output.save_prepared: false); a temporary prepared file
        // is written to send its bytes, and removed.
        const fs::path tmp =
            fs::temp_directory_path() / ("knntune-" + std::to_string(::getpid()) + "-prepared.h5");
        engine::save_prepared(d, {cfg.data.log.path, cfg.data.source_text}, tmp.string());
        std::string bytes = read_file(tmp);
        fs::remove(tmp);
        w.put_string(bytes);
    }
    for (int r = 1; r < size(); ++r) send(r, Tag::Setup, w.bytes());
    started_ = true;
}

int Coordinator::acquire() {
    std::unique_lock lock(mu_);
    free_cv_.wait(lock, [&] { return !free_.empty(); });
    const int w = free_.front();
    free_.pop_front();
    return w;
}

void Coordinator::release(int worker) {
    {
        std::lock_guard lock(mu_);
        free_.push_back(worker);
    }
    free_cv_.notify_one();
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
    const int worker = acquire();
    Message m;
    try {
        send(worker, Tag::Request, w.bytes());
        m = receive(worker, Tag::Reply);
    } catch (...) {
        release(worker);
        throw;
    }
    release(worker);
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
    return r;
}

engine::CsrMatrix Coordinator::fit(engine::Period period, sim::Orientation orientation,
                                   const KnnConfig& config) {
    start();
    // Every worker takes part: wait until all are free.
    std::vector<int> all;
    for (int r = 1; r < size(); ++r) all.push_back(acquire());
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
        for (const int r : all) release(r);
        throw;
    }
    for (const int r : all) release(r);
    return s;
}

namespace {

/// What a worker keeps of rank 0's Setup message.
struct WorkerSetup {
    std::vector<engine::MetricSpec> metrics;
    std::size_t cache_max_pairs = 0;
    engine::PreparedData data;
};

/// The prepared data sent as bytes, read through a temporary file (removed again).
engine::PreparedData load_sent_data(const std::string& bytes) {
    const fs::path tmp =
        fs::temp_directory_path() / ("knntune-" + std::to_string(::getpid()) + "-rank" +
                                     std::to_string(rank()) + "-prepared.h5");
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        if (!out.flush()) {
            std::error_code ec;
            fs::remove(tmp, ec);
            throw engine::InputError(tmp.string() + ": cannot write the prepared data");
        }
    }
    try {
        engine::PreparedData d = engine::load_prepared(tmp.string());
        fs::remove(tmp);
        return d;
    } catch (...) {
        std::error_code ec;
        fs::remove(tmp, ec);
        throw;
    }
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

/// Evaluates one trial request; the Reply's bytes (the result, or the error text).
std::string answer_trial(Reader& in, const WorkerSetup& setup,
                         std::unique_ptr<KnnEvaluator>& evaluator,
                         sim::Orientation& evaluator_orientation) {
    const auto orientation = in.get<sim::Orientation>();
    const std::string objective = in.get_string();
    const bool per_unit = in.get<std::uint8_t>() != 0;
    Writer w;
    try {
        const KnnConfig c = get_config(in);
        // One evaluator at a time: the trials of one model (orientation) come in a row.
        if (!evaluator || evaluator_orientation != orientation) {
            evaluator.reset();
            evaluator =
                std::make_unique<KnnEvaluator>(setup.data.matrix(engine::Period::TrainVal),
                                               setup.data.matrix(engine::Period::Valid),
                                               orientation, setup.metrics, setup.cache_max_pairs);
            evaluator_orientation = orientation;
        }
        const TrialResult r = trial_result(evaluator->evaluate(c), objective, per_unit);
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

}  // namespace

void serve_worker() {
    // Setup, or Stop when rank 0 failed before it had anything to hand out.
    const Message first = receive_any_tag(0);
    if (first.tag == Tag::Request) return;
    if (first.tag != Tag::Setup) throw std::logic_error("rank 0 sent no setup");
    const WorkerSetup setup = read_setup(first.bytes);
    std::unique_ptr<KnnEvaluator> evaluator;
    sim::Orientation evaluator_orientation = sim::Orientation::Item;
    while (true) {
        const Message m = receive(0, Tag::Request);
        Reader in(m.bytes);
        const auto job = in.get<Job>();
        if (job == Job::Stop) return;
        if (job == Job::Evaluate) {
            send(0, Tag::Reply, answer_trial(in, setup, evaluator, evaluator_orientation));
        } else if (job == Job::Fit) {
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
