#pragma once
/// One configuration (or a baseline) scored on one period, as `knntune evaluate` and the
/// Python package's `evaluate` report it (docs/cli.md, "evaluate").

#include <boost/json/object.hpp>
#include <string>

#include "engine/data/prepare.hpp"
#include "experiments/knn_study.hpp"

namespace knntune::exp {

/// The matrices of an evaluation period: "valid" fits on train_val and scores valid, as a
/// tuning trial does; "test" fits on train and scores test.
struct EvaluationPeriod {
    const engine::CsrMatrix& train;
    const engine::CsrMatrix& target;
};

/// Throws UsageError naming `option` unless `period` is "valid" or "test".
void check_evaluation_period(const std::string& period, const std::string& option);

/// The fit and scored matrices of `period` ("valid" or "test", checked before).
[[nodiscard]] EvaluationPeriod evaluation_period(const engine::PreparedData& data,
                                                 const std::string& period);

/// One evaluation with what names it.
struct EvaluationRecord {
    std::string model;          ///< item_knn / user_knn, or the baseline's name
    std::string period;         ///< valid | test
    std::string configuration;  ///< the KNN configuration or the baseline, described
    std::string fingerprint;    ///< the prepared data's fingerprint
    KnnResult result;
};

/// The JSON object of an evaluation: model, period, configuration, metrics (name → mean),
/// objective, value, users, fit_seconds, eval_seconds, data_fingerprint.
[[nodiscard]] boost::json::object evaluation_json(const EvaluationRecord& e);

}  // namespace knntune::exp
