#include "engine/metrics.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>

#include "engine/error.hpp"

namespace knntune::engine {

namespace {

struct MetricInfo {
    MetricKind kind;
    std::string_view family;
    Direction direction;
};

// NOTE: arp@k (average recommended popularity) is a popularity-bias measure; lower is read
// as better, so a study optimising it alone would push towards the long tail.
constexpr MetricInfo kMetrics[] = {
    {MetricKind::Precision, "precision", Direction::Maximize},
    {MetricKind::Recall, "recall", Direction::Maximize},
    {MetricKind::Ndcg, "ndcg", Direction::Maximize},
    {MetricKind::Map, "map", Direction::Maximize},
    {MetricKind::HitRate, "hit_rate", Direction::Maximize},
    {MetricKind::Mrr, "mrr", Direction::Maximize},
    {MetricKind::Coverage, "coverage", Direction::Maximize},
    {MetricKind::Arp, "arp", Direction::Minimize},
};

std::string families_text() {
    std::string out;
    for (const MetricInfo& m : kMetrics) {
        if (!out.empty()) out += ", ";
        out += std::string(m.family) + "@k";
    }
    return out;
}

}  // namespace

std::vector<std::string_view> metric_families() {
    std::vector<std::string_view> out;
    for (const MetricInfo& m : kMetrics) out.push_back(m.family);
    return out;
}

MetricSpec parse_metric(std::string_view name) {
    const size_t at = name.find('@');
    const std::string_view family = name.substr(0, at);
    for (const MetricInfo& m : kMetrics) {
        if (m.family != family) continue;
        if (at == std::string_view::npos) {
            throw ParamError("metric '" + std::string(name) + "' needs a cut-off, e.g. '" +
                             std::string(family) + "@10'");
        }
        const std::string_view digits = name.substr(at + 1);
        long cutoff = 0;
        auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), cutoff);
        if (ec != std::errc() || ptr != digits.data() + digits.size() || cutoff < 1 ||
            cutoff > 1000000000L) {
            throw ParamError("metric '" + std::string(name) +
                             "': the cut-off must be an integer >= 1");
        }
        MetricSpec spec;
        spec.kind = m.kind;
        spec.cutoff = static_cast<Index>(cutoff);
        spec.name = std::string(family) + "@" + std::to_string(cutoff);
        spec.direction = m.direction;
        return spec;
    }
    throw ParamError("unknown metric '" + std::string(name) +
                     "'; valid metrics: " + families_text());
}

Evaluation evaluate_metrics(const CsrMatrix& recommended, const CsrMatrix& relevant,
                            std::span<const Offset> item_popularity,
                            std::span<const MetricSpec> metrics) {
    if (recommended.rows != relevant.rows || recommended.cols != relevant.cols) {
        throw ParamError("evaluate_metrics: recommendations and relevant items differ in shape");
    }
    if (item_popularity.size() != static_cast<size_t>(recommended.cols)) {
        throw ParamError("evaluate_metrics: item_popularity has " +
                         std::to_string(item_popularity.size()) + " entries for " +
                         std::to_string(recommended.cols) + " items");
    }
    Evaluation ev;
    for (Index u = 0; u < relevant.rows; ++u) {
        if (relevant.row_nnz(u) > 0) ev.users.push_back(u);
    }
    if (ev.users.empty()) throw DataError("evaluate_metrics: no user has a relevant item");

    Index max_cutoff = 0;
    for (const MetricSpec& m : metrics) max_cutoff = std::max(max_cutoff, m.cutoff);
    // Discount 1/log2(i+1) for rank i = 1..max_cutoff, and its prefix sums (IDCG).
    std::vector<double> discount(static_cast<size_t>(max_cutoff) + 1, 0.0);
    std::vector<double> ideal(static_cast<size_t>(max_cutoff) + 1, 0.0);
    for (Index i = 1; i <= max_cutoff; ++i) {
        discount[i] = 1.0 / std::log2(static_cast<double>(i) + 1.0);
        ideal[i] = ideal[i - 1] + discount[i];
    }

    ev.metrics.resize(metrics.size());
    for (size_t j = 0; j < metrics.size(); ++j) {
        ev.metrics[j].spec = metrics[j];
        if (metrics[j].kind != MetricKind::Coverage)
            ev.metrics[j].per_user.reserve(ev.users.size());
    }
    std::vector<std::uint8_t> is_relevant(static_cast<size_t>(relevant.cols), 0);
    std::vector<std::uint8_t> hit(static_cast<size_t>(max_cutoff) + 1, 0);
    // best_rank[i] = smallest rank at which item i appears in any list (0 = never).
    std::vector<Index> best_rank(static_cast<size_t>(recommended.cols), 0);

    for (UserIndex u : ev.users) {
        for (Index i : relevant.row_indices(u)) is_relevant[i] = 1;
        const auto list = recommended.row_indices(u);
        const auto n_rel = static_cast<double>(relevant.row_nnz(u));
        const Index len = std::min<Index>(static_cast<Index>(list.size()), max_cutoff);
        for (Index i = 0; i < len; ++i) {
            hit[i + 1] = is_relevant[list[i]];
            Index& br = best_rank[list[i]];
            if (br == 0 || i + 1 < br) br = i + 1;
        }
        for (MetricResult& res : ev.metrics) {
            const Index k = res.spec.cutoff;
            const Index n = std::min(k, len);
            double v = 0;
            switch (res.spec.kind) {
                case MetricKind::Precision:
                case MetricKind::Recall:
                case MetricKind::HitRate: {
                    Index hits = 0;
                    for (Index i = 1; i <= n; ++i) hits += hit[i];
                    if (res.spec.kind == MetricKind::Precision) v = hits / static_cast<double>(k);
                    if (res.spec.kind == MetricKind::Recall) v = hits / n_rel;
                    if (res.spec.kind == MetricKind::HitRate) v = hits > 0 ? 1.0 : 0.0;
                    break;
                }
                case MetricKind::Mrr:
                    for (Index i = 1; i <= n; ++i) {
                        if (hit[i] != 0) {
                            v = 1.0 / i;
                            break;
                        }
                    }
                    break;
                case MetricKind::Ndcg: {
                    double dcg = 0;
                    for (Index i = 1; i <= n; ++i) dcg += hit[i] * discount[i];
                    const auto n_ideal = static_cast<size_t>(std::min<double>(k, n_rel));
                    v = dcg / ideal[n_ideal];
                    break;
                }
                case MetricKind::Map: {
                    Index hits = 0;
                    double sum = 0;
                    for (Index i = 1; i <= n; ++i) {
                        if (hit[i] != 0) {
                            ++hits;
                            sum += static_cast<double>(hits) / i;
                        }
                    }
                    v = sum / std::min<double>(k, n_rel);
                    break;
                }
                case MetricKind::Arp: {
                    double pop = 0;
                    for (Index i = 0; i < n; ++i)
                        pop += static_cast<double>(item_popularity[list[i]]);
                    v = n > 0 ? pop / n : 0.0;
                    break;
                }
                case MetricKind::Coverage:
                    continue;
            }
            res.per_user.push_back(v);
        }
        for (Index i : relevant.row_indices(u)) is_relevant[i] = 0;
    }

    for (MetricResult& res : ev.metrics) {
        if (res.spec.kind == MetricKind::Coverage) {
            Offset covered = 0;
            for (Index br : best_rank) covered += (br != 0 && br <= res.spec.cutoff) ? 1 : 0;
            res.mean = recommended.cols > 0
                           ? static_cast<double>(covered) / static_cast<double>(recommended.cols)
                           : 0.0;
            continue;
        }
        double sum = 0;
        for (double v : res.per_user) sum += v;
        res.mean = sum / static_cast<double>(res.per_user.size());
    }
    return ev;
}

}  // namespace knntune::engine
