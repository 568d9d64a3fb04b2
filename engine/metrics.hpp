#pragma once
/// Ranking metrics of recommendation lists, computed in one pass, with per-user vectors.
///
/// Names carry their cut-off, e.g. "precision@10", and each metric declares whether higher
/// is better. Definitions (spec section 10); U is the set of evaluated users, i.e. the rows of
/// `relevant` with at least one item; L_u is u's ranked list, rel_u its relevant items and
/// hit(i) = 1 when the i-th recommended item is in rel_u:
///
/// | metric       | per-user value                                                         |
/// |--------------|------------------------------------------------------------------------|
/// | precision@k  | Σ_{i≤k} hit(i) / k (k even when fewer than k items were recommended)   |
/// | recall@k     | Σ_{i≤k} hit(i) / |rel_u|                                               |
/// | hit_rate@k   | 1 if some hit(i) = 1 with i ≤ k, else 0                                |
/// | mrr@k        | 1/i for the first hit at rank i ≤ k, else 0                             |
/// | ndcg@k       | DCG/IDCG, binary gains: DCG = Σ_{i≤k} hit(i)/log2(i+1),                 |
/// |              | IDCG = Σ_{i≤min(k,|rel_u|)} 1/log2(i+1)                                 |
/// | map@k        | Σ_{i≤k} hit(i)·precision@i / min(k, |rel_u|)                            |
/// | arp@k        | mean training popularity (interaction count) of u's top-k items; 0 for |
/// |              | an empty list. Lower means less popularity bias.                       |
/// | coverage@k   | distinct items in the top-k lists of the users in U / catalogue size   |
///
/// Every metric is the mean of its per-user vector over U, except coverage@k, which is one
/// number over all lists (its per-user vector is empty).
///
/// The families are one table in metrics.cpp (name, direction, help, range, function):
/// adding a metric is its function plus its table line, and a row in the table above.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/direction.hpp"
#include "engine/csr.hpp"
#include "engine/types.hpp"

namespace knntune::engine {

/// Whether a study should maximise or minimise a metric.
using knntune::Direction;

/// What a per-user metric sees of one evaluated user u and one cut-off k.
struct UserRanking {
    /// hit[i] = 1 when the item at rank i (1-based) is relevant, for i = 1..n; hit[0] is unused.
    std::span<const std::uint8_t> hit;
    std::span<const Index> items;  ///< u's ranked list L_u, best first (at least n items)
    Index cutoff = 0;              ///< k ≥ 1
    Index n = 0;                   ///< ranks that count: min(k, |L_u|)
    double relevant = 0;           ///< |rel_u| ≥ 1
    std::span<const Offset> item_popularity;  ///< training interaction count per item
    std::span<const double> discount;         ///< discount[i] = 1/log2(i+1), for i = 1..k
    std::span<const double> ideal;            ///< ideal[i] = Σ_{j≤i} discount[j], ideal[0] = 0
};

/// What a global metric sees: the lists of every evaluated user at once.
struct AllRankings {
    /// Per item: the best (smallest) rank at which it appears in a list, 0 when in none.
    std::span<const Index> best_rank;
    Index cutoff = 0;  ///< k ≥ 1
};

/// A metric computed per user; its value is the mean over U.
using UserMetricFn = double (*)(const UserRanking&);

/// A metric computed once over all lists.
using GlobalMetricFn = double (*)(const AllRankings&);

/// One registered metric family.
struct MetricFamily {
    std::string_view name;  ///< "precision": names are "precision@k"
    Direction direction;    ///< which way is better
    std::string_view help;  ///< one-line definition
    double low = 0;         ///< every value lies in [low, high]
    double high = 1;
    std::variant<UserMetricFn, GlobalMetricFn> compute;
};

/// Every registered metric family, in table order.
[[nodiscard]] std::span<const MetricFamily> metric_table();

/// A metric with its cut-off, parsed from a name like "ndcg@10".
struct MetricSpec {
    std::string_view family = "precision";  ///< a name of `metric_table()`
    Index cutoff = 10;                      ///< k ≥ 1
    std::string name;                       ///< canonical name, "ndcg@10"
    Direction direction = Direction::Maximize;
};

/// Parses "family@k"; throws ParamError listing the valid families on an unknown family or a
/// missing or invalid cut-off.
[[nodiscard]] MetricSpec parse_metric(std::string_view name);

/// The registered family names ("precision", "recall", ...), in table order.
[[nodiscard]] std::vector<std::string_view> metric_families();

/// One metric's result.
struct MetricResult {
    MetricSpec spec;
    double mean = 0.0;             ///< the metric value
    std::vector<double> per_user;  ///< aligned with `Evaluation::users`; empty for coverage
};

/// All metrics of one evaluation.
struct Evaluation {
    std::vector<UserIndex> users;       ///< the evaluated users U, ascending
    std::vector<MetricResult> metrics;  ///< in the order requested
};

/// Evaluates ranked lists against relevant items.
///
/// `recommended`: users × items, rows ranked best first (as returned by `recommend`).
/// `relevant`: users × items with the same shape; its pattern is the relevant set.
/// `item_popularity`: training interaction count per item (length items), used by arp@k.
/// The catalogue size of coverage@k is the number of columns. Throws ParamError on a shape
/// mismatch or when U is empty.
[[nodiscard]] Evaluation evaluate_metrics(const CsrMatrix& recommended, const CsrMatrix& relevant,
                                          std::span<const Offset> item_popularity,
                                          std::span<const MetricSpec> metrics);

}  // namespace knntune::engine
