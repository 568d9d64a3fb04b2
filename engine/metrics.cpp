#include "engine/metrics.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

#include "common/text.hpp"
#include "engine/error.hpp"

namespace knntune::engine {

namespace {

/// Hits among the first n ranks.
Index hits_of(const UserRanking& u) {
    Index hits = 0;
    for (Index i = 1; i <= u.n; ++i) hits += u.hit[i];
    return hits;
}

double precision(const UserRanking& u) { return hits_of(u) / static_cast<double>(u.cutoff); }

double recall(const UserRanking& u) { return hits_of(u) / u.relevant; }

double hit_rate(const UserRanking& u) { return hits_of(u) > 0 ? 1.0 : 0.0; }

double mrr(const UserRanking& u) {
    for (Index i = 1; i <= u.n; ++i) {
        if (u.hit[i] != 0) return 1.0 / i;
    }
    return 0;
}

double ndcg(const UserRanking& u) {
    double dcg = 0;
    for (Index i = 1; i <= u.n; ++i) dcg += u.hit[i] * u.discount[i];
    const auto n_ideal = static_cast<size_t>(std::min<double>(u.cutoff, u.relevant));
    return dcg / u.ideal[n_ideal];
}

double average_precision(const UserRanking& u) {
    Index hits = 0;
    double sum = 0;
    for (Index i = 1; i <= u.n; ++i) {
        if (u.hit[i] != 0) {
            ++hits;
            sum += static_cast<double>(hits) / i;
        }
    }
    return sum / std::min<double>(u.cutoff, u.relevant);
}

double average_popularity(const UserRanking& u) {
    double pop = 0;
    for (Index i = 0; i < u.n; ++i) pop += static_cast<double>(u.item_popularity[u.items[i]]);
    return u.n > 0 ? pop / u.n : 0.0;
}

double coverage(const AllRankings& all) {
    Offset covered = 0;
    for (Index br : all.best_rank) covered += (br != 0 && br <= all.cutoff) ? 1 : 0;
    const auto items = static_cast<double>(all.best_rank.size());
    return all.best_rank.empty() ? 0.0 : static_cast<double>(covered) / items;
}

constexpr double kUnbounded = std::numeric_limits<double>::infinity();

// NOTE: arp@k (average recommended popularity) is a popularity-bias measure; lower is read
// as better, so a study optimising it alone would push towards the long tail.
// clang-format off
constexpr MetricFamily kMetrics[] = {
    {"precision", Direction::Maximize, "hits in the top k / k", 0, 1, &precision},
    {"recall", Direction::Maximize, "hits in the top k / relevant items", 0, 1, &recall},
    {"ndcg", Direction::Maximize, "DCG / ideal DCG of the top k, binary gains", 0, 1, &ndcg},
    {"map", Direction::Maximize, "mean of precision@i over the hits i <= k / min(k, relevant)",
     0, 1, &average_precision},
    {"hit_rate", Direction::Maximize, "1 when the top k holds a relevant item", 0, 1, &hit_rate},
    {"mrr", Direction::Maximize, "1 / rank of the first hit in the top k", 0, 1, &mrr},
    {"coverage", Direction::Maximize, "distinct items in all top-k lists / catalogue size",
     0, 1, &coverage},
    {"arp", Direction::Minimize, "mean training popularity of the top k", 0, kUnbounded,
     &average_popularity},
};
// clang-format on

/// "precision@k, recall@k, ...": the valid names, for error messages.
std::string families_text() {
    std::vector<std::string> names;
    for (const MetricFamily& m : kMetrics) names.push_back(std::string(m.name) + "@k");
    return join(names);
}

const MetricFamily& family_of(const MetricSpec& spec) {
    for (const MetricFamily& m : kMetrics) {
        if (m.name == spec.family) return m;
    }
    throw ParamError("unknown metric '" + spec.name + "'; valid metrics: " + families_text());
}

}  // namespace

std::span<const MetricFamily> metric_table() { return kMetrics; }

std::vector<std::string_view> metric_families() {
    std::vector<std::string_view> out;
    for (const MetricFamily& m : kMetrics) out.push_back(m.name);
    return out;
}

MetricSpec parse_metric(std::string_view name) {
    const size_t at = name.find('@');
    const std::string_view family = name.substr(0, at);
    for (const MetricFamily& m : kMetrics) {
        if (m.name != family) continue;
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
        spec.family = m.name;
        spec.cutoff = static_cast<Index>(cutoff);
        spec.name = std::string(family) + "@" + std::to_string(cutoff);
        spec.direction = m.direction;
        return spec;
    }
    throw ParamError("unknown metric '" + std::string(name) +
                     "'; valid metrics: " + families_text());
}

namespace {

/// The users with at least one relevant item, ascending; checks the shapes first.
std::vector<UserIndex> evaluated_users(const CsrMatrix& recommended, const CsrMatrix& relevant,
                                       std::span<const Offset> item_popularity) {
    if (recommended.rows != relevant.rows || recommended.cols != relevant.cols) {
        throw ParamError("evaluate_metrics: recommendations and relevant items differ in shape");
    }
    if (item_popularity.size() != static_cast<size_t>(recommended.cols)) {
        throw ParamError("evaluate_metrics: item_popularity has " +
                         std::to_string(item_popularity.size()) + " entries for " +
                         std::to_string(recommended.cols) + " items");
    }
    std::vector<UserIndex> users;
    for (Index u = 0; u < relevant.rows; ++u) {
        if (relevant.row_nnz(u) > 0) users.push_back(u);
    }
    if (users.empty()) throw DataError("evaluate_metrics: no user has a relevant item");
    return users;
}

/// A per-user metric of the request, with the slot its values go to.
struct UserMetric {
    UserMetricFn fn;
    Index cutoff;
    std::vector<double>* out;
};

}  // namespace

Evaluation evaluate_metrics(const CsrMatrix& recommended, const CsrMatrix& relevant,
                            std::span<const Offset> item_popularity,
                            std::span<const MetricSpec> metrics) {
    Evaluation ev;
    ev.users = evaluated_users(recommended, relevant, item_popularity);

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
    std::vector<UserMetric> per_user;
    for (size_t j = 0; j < metrics.size(); ++j) {
        ev.metrics[j].spec = metrics[j];
        if (const auto* fn = std::get_if<UserMetricFn>(&family_of(metrics[j]).compute)) {
            ev.metrics[j].per_user.reserve(ev.users.size());
            per_user.push_back({*fn, metrics[j].cutoff, &ev.metrics[j].per_user});
        }
    }
    std::vector<std::uint8_t> is_relevant(static_cast<size_t>(relevant.cols), 0);
    std::vector<std::uint8_t> hit(static_cast<size_t>(max_cutoff) + 1, 0);
    // best_rank[i] = smallest rank at which item i appears in any list (0 = never).
    std::vector<Index> best_rank(static_cast<size_t>(recommended.cols), 0);

    UserRanking view;
    view.hit = hit;
    view.item_popularity = item_popularity;
    view.discount = discount;
    view.ideal = ideal;
    for (UserIndex u : ev.users) {
        for (Index i : relevant.row_indices(u)) is_relevant[i] = 1;
        const auto list = recommended.row_indices(u);
        const Index len = std::min<Index>(static_cast<Index>(list.size()), max_cutoff);
        for (Index i = 0; i < len; ++i) {
            hit[i + 1] = is_relevant[list[i]];
            Index& br = best_rank[list[i]];
            if (br == 0 || i + 1 < br) br = i + 1;
        }
        view.items = list;
        view.relevant = static_cast<double>(relevant.row_nnz(u));
        for (const UserMetric& m : per_user) {
            view.cutoff = m.cutoff;
            view.n = std::min(m.cutoff, len);
            m.out->push_back(m.fn(view));
        }
        for (Index i : relevant.row_indices(u)) is_relevant[i] = 0;
    }

    for (MetricResult& res : ev.metrics) {
        const MetricFamily& family = family_of(res.spec);
        if (const auto* fn = std::get_if<GlobalMetricFn>(&family.compute)) {
            res.mean = (*fn)(AllRankings{best_rank, res.spec.cutoff});
            continue;
        }
        double sum = 0;
        for (double v : res.per_user) sum += v;
        res.mean = sum / static_cast<double>(res.per_user.size());
    }
    return ev;
}

}  // namespace knntune::engine
