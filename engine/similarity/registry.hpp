#pragma once
/// The one list of similarity measures. Everything else is derived from it at compile time:
/// the table of names and formulas, parameter validation and help text, the default search
/// ranges, the kernel dispatch, the side statistics and the co-occurrence re-scoring.
///
/// Adding a measure means writing its header under `measures/` (see measures/tversky.hpp for
/// what a measure declares) and adding it to `MeasureTypes` below; the contract tests pick it
/// up from the table.

#include <cstddef>
#include <span>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

#include "common/assert.hpp"
#include "common/key_table.hpp"
#include "engine/similarity/measures/asymmetric_cosine.hpp"
#include "engine/similarity/measures/cosine.hpp"
#include "engine/similarity/measures/dice.hpp"
#include "engine/similarity/measures/dot_product.hpp"
#include "engine/similarity/measures/jaccard.hpp"
#include "engine/similarity/measures/p3alpha.hpp"
#include "engine/similarity/measures/rp3beta.hpp"
#include "engine/similarity/measures/s_plus.hpp"
#include "engine/similarity/measures/tversky.hpp"

namespace knntune::engine::similarity {

/// A list of measure types.
template <class... Ms>
struct MeasureList {
    static constexpr std::size_t kSize = sizeof...(Ms);
};

/// The registered measures, in table order (help text, `measure_names()`, error messages).
using MeasureTypes = MeasureList<DotProduct, Cosine, AsymmetricCosine, Jaccard, Dice, Tversky,
                                 P3alpha, Rp3beta, SPlus>;

/// A registered measure: its index in `MeasureTypes`. Get one from `measure_from_name` or,
/// in code that names the type, `measure_of<Cosine>()`.
class Measure {
  public:
    /// The measure at `index` of the registry (< MeasureTypes::kSize).
    constexpr explicit Measure(std::size_t index) : index_(index) {
        KNNTUNE_ASSERT(index < MeasureTypes::kSize);
    }
    /// Position in the registry, and the index of its parameters in `MeasureParams`.
    [[nodiscard]] constexpr std::size_t index() const { return index_; }
    friend constexpr bool operator==(Measure, Measure) = default;

  private:
    std::size_t index_;
};

namespace detail {

template <class M, class... Ms>
consteval std::size_t index_in(MeasureList<Ms...>) {
    constexpr bool kSame[] = {std::is_same_v<M, Ms>...};
    for (std::size_t i = 0; i < sizeof...(Ms); ++i) {
        if (kSame[i]) return i;
    }
    throw "not a registered measure";  // a compile-time error: index_in is consteval
}

template <class... Ms>
std::variant<typename Ms::Params...> params_variant(MeasureList<Ms...>);

template <class... Ms>
consteval bool unique_names(MeasureList<Ms...>) {
    constexpr std::string_view kNames[] = {Ms::kName...};
    for (std::size_t i = 0; i < sizeof...(Ms); ++i) {
        for (std::size_t j = 0; j < i; ++j) {
            if (kNames[i] == kNames[j]) return false;
        }
    }
    return true;
}
static_assert(unique_names(MeasureTypes{}), "two registered measures share a name");

template <class R, class M, class F>
R call_as(F& f) {
    return f(std::type_identity<M>{});
}

template <class F, class M0, class... Ms>
decltype(auto) visit(std::size_t index, F& f, MeasureList<M0, Ms...>) {
    using R = decltype(f(std::type_identity<M0>{}));
    static constexpr R (*kCalls[])(F&) = {&call_as<R, M0, F>, &call_as<R, Ms, F>...};
    return kCalls[index](f);
}

}  // namespace detail

/// The registry index of measure type `M`.
template <class M>
inline constexpr std::size_t kMeasureIndex = detail::index_in<M>(MeasureTypes{});

/// The handle of measure type `M`.
template <class M>
[[nodiscard]] constexpr Measure measure_of() {
    return Measure(kMeasureIndex<M>);
}

/// The own parameters of the chosen measure: alternative i belongs to the i-th registered
/// measure (alternatives may repeat a type, so use the index, never the type, to pick one).
using MeasureParams = decltype(detail::params_variant(MeasureTypes{}));

/// Calls `f(std::type_identity<M>{})` with the type M of measure `m` and returns its result
/// (every instantiation must return the same type).
///
/// NOTE: this is the single place where a runtime measure becomes a compile-time type, so
/// that each use (parsing, side statistics, the kernel, the co-occurrence re-scoring) is
/// monomorphic and the registry stays the only list of measures (faiss's dispatch switch).
template <class F>
decltype(auto) visit_measure(Measure m, F&& f) {
    return detail::visit(m.index(), f, MeasureTypes{});
}

/// One registered measure, as help text and the experiment config see it.
struct MeasureInfo {
    Measure id;
    std::string_view name;          ///< the name used in configs and on the command line
    std::string_view formula;       ///< one-line definition for help text
    std::span<const KeyInfo> keys;  ///< its own parameters, in table order
    bool cooccurrence = false;      ///< the co-occurrence cache can re-score it
};

/// Every registered measure, in registry order (entry i has id Measure(i)).
[[nodiscard]] std::span<const MeasureInfo> measure_table();

/// The table entry of `m`.
[[nodiscard]] const MeasureInfo& measure_info(Measure m);

}  // namespace knntune::engine::similarity
