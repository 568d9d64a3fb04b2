#include "engine/similarity/registry.hpp"

#include "engine/error.hpp"

namespace knntune::engine::similarity {

namespace {

/// The single place where a runtime measure becomes a compile-time type.
template <class M>
CsrMatrix run_measure(const CsrMatrix& a, const CsrMatrix& b, const SideStats& stats,
                      const SimilarityParams& params, const KernelOptions& options) {
    const M measure(stats, params);
    return sparse_topk(a, b, measure, options);
}

template <class M>
StatsNeeds needs_of(const SimilarityParams& p) {
    return M::needs(p);
}

// clang-format off
constexpr MeasureInfo kMeasures[] = {
    {Measure::DotProduct, "dot_product", "xy",
     needs_of<DotProduct>, run_measure<DotProduct>},
    {Measure::Cosine, "cosine", "xy / (sqrt(X2)·sqrt(Y2) + shrink)",
     needs_of<Cosine>, run_measure<Cosine>},
    {Measure::AsymmetricCosine, "asymmetric_cosine", "xy / (X2^alpha · Y2^(1-alpha) + shrink)",
     needs_of<AsymmetricCosine>, run_measure<AsymmetricCosine>},
    {Measure::Jaccard, "jaccard", "xy / (X2 + Y2 - xy + shrink)",
     needs_of<Jaccard>, run_measure<Jaccard>},
    {Measure::Dice, "dice", "xy / (X2/2 + Y2/2 + shrink)",
     needs_of<Dice>, run_measure<Dice>},
    {Measure::Tversky, "tversky", "xy / (alpha(X2-xy) + beta(Y2-xy) + xy + shrink)",
     needs_of<TverskyForm>, run_measure<Tversky>},
    {Measure::P3alpha, "p3alpha", "sum_u P1[r,u]^alpha · P2[u,c]^alpha (row-stochastic P1, P2)",
     needs_of<P3alpha>, run_measure<P3alpha>},
    {Measure::Rp3beta, "rp3beta", "p3alpha / (pop(c)^beta + shrink)",
     needs_of<Rp3beta>, run_measure<Rp3beta>},
    {Measure::SPlus, "s_plus", "xy^alpha / (l1·Tversky + l2·cosine + l3·popularity + shrink)",
     needs_of<SPlus>, run_measure<SPlus>},
};
// clang-format on

}  // namespace

std::span<const MeasureInfo> measure_table() { return kMeasures; }

const MeasureInfo& measure_info(Measure m) {
    for (const MeasureInfo& info : kMeasures) {
        if (info.id == m) return info;
    }
    KNNTUNE_ASSERT(false);
    return kMeasures[0];
}

}  // namespace knntune::engine::similarity
