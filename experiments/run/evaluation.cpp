#include "experiments/run/evaluation.hpp"

#include <cstdint>

#include "experiments/error.hpp"

namespace knntune::exp {

void check_evaluation_period(const std::string& period, const std::string& option) {
    if (period != "valid" && period != "test") {
        throw UsageError(option + " takes valid or test, got '" + period + "'");
    }
}

EvaluationPeriod evaluation_period(const engine::PreparedData& data, const std::string& period) {
    using engine::Period;
    const bool valid = period == "valid";
    return {data.matrix(valid ? Period::TrainVal : Period::Train),
            data.matrix(valid ? Period::Valid : Period::Test)};
}

boost::json::object evaluation_json(const EvaluationRecord& e) {
    const engine::Evaluation& ev = e.result.evaluation;
    boost::json::object o;
    o["model"] = e.model;
    o["period"] = e.period;
    o["configuration"] = e.configuration;
    boost::json::object m;
    for (const auto& mr : ev.metrics) m[mr.spec.name] = mr.mean;
    o["metrics"] = m;
    o["objective"] = ev.metrics.front().spec.name;
    o["value"] = ev.metrics.front().mean;
    o["users"] = static_cast<std::int64_t>(ev.users.size());
    o["fit_seconds"] = e.result.fit_seconds;
    o["eval_seconds"] = e.result.eval_seconds;
    o["data_fingerprint"] = e.fingerprint;
    return o;
}

}  // namespace knntune::exp
