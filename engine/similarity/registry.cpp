#include "engine/similarity/registry.hpp"

#include <array>

namespace knntune::engine::similarity {

namespace {

template <class M>
constexpr auto kKeyInfos = key_infos(M::kKeys);

template <class... Ms>
constexpr std::array<MeasureInfo, sizeof...(Ms)> make_table(MeasureList<Ms...>) {
    return {MeasureInfo{measure_of<Ms>(), Ms::kName, Ms::kFormula, kKeyInfos<Ms>,
                        Ms::kCooccurrence}...};
}

constexpr auto kMeasures = make_table(MeasureTypes{});

}  // namespace

std::span<const MeasureInfo> measure_table() { return kMeasures; }

const MeasureInfo& measure_info(Measure m) { return kMeasures[m.index()]; }

}  // namespace knntune::engine::similarity
