#pragma once
/// The one table of similarity measures: name, formula and the kernel instantiation.
///
/// Adding a measure means writing its struct in `measures.hpp`, adding one line to the table
/// in `registry.cpp` (and one enumerator), and extending the contract test.

#include <span>
#include <string_view>

#include "engine/csr.hpp"
#include "engine/similarity/kernel.hpp"
#include "engine/similarity/measures.hpp"
#include "engine/similarity/params.hpp"

namespace knntune::engine::similarity {

/// One registered measure.
struct MeasureInfo {
    Measure id;
    std::string_view name;     ///< the name used in configs and on the command line
    std::string_view formula;  ///< one-line definition for help text
    /// Side statistics and input transform the measure needs for these parameters.
    StatsNeeds (*needs)(const SimilarityParams&);
    /// Runs the shared kernel instantiated for this measure on prepared inputs.
    CsrMatrix (*run)(const CsrMatrix& a, const CsrMatrix& b, const SideStats& stats,
                     const SimilarityParams& params, const KernelOptions& options);
};

/// Every registered measure, in a fixed order.
[[nodiscard]] std::span<const MeasureInfo> measure_table();

/// The table entry of `m`.
[[nodiscard]] const MeasureInfo& measure_info(Measure m);

}  // namespace knntune::engine::similarity
