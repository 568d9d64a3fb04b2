#pragma once
/// Non-personalised baselines: recommendation lists that use no neighbourhood, the floor that
/// a KNN model has to beat. They return what `recommend` returns (engine/recommend.hpp), so
/// `evaluate_metrics` scores them unchanged.
///
/// | baseline | list of user u                                                              |
/// |----------|-----------------------------------------------------------------------------|
/// | top_pop  | the items with the most interactions in `user_item` (its column counts),    |
/// |          | most first, ties by lower item index; items with no interaction are never   |
/// |          | recommended. Score: the item's count.                                       |
/// | random   | items drawn uniformly without replacement by `Rng(seed, u)`; score 1/rank.  |
///
/// The random draw, exactly: let c be the candidate items (the items u has not interacted
/// with, or every item when `exclude_seen` is false) in ascending index order, m = |c| and
/// n = min(top_n, m). For i = 0 .. n-1: j = i + rng.below(m - i), swap c[i] and c[j]. The
/// list is c[0], ..., c[n-1] in that order (a partial Fisher–Yates shuffle, Durstenfeld
/// 1964), so it depends on the seed and the user's row alone: the same at any thread count,
/// and the top-k of a longer list is the list of length k.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/csr.hpp"
#include "engine/recommend.hpp"

namespace knntune::engine {

/// A registered baseline.
enum class Baseline { TopPop, Random };

/// One entry of the baseline table.
struct BaselineInfo {
    Baseline id;
    std::string_view name;  ///< "top_pop", as on the command line and in result files
    std::string_view help;  ///< one line for --help
};

/// Every baseline, in table order.
[[nodiscard]] std::span<const BaselineInfo> baseline_table();

/// The baseline called `name`; throws ParamError listing the valid names.
[[nodiscard]] Baseline baseline_from_name(std::string_view name);

/// The name of `b` ("top_pop", "random").
[[nodiscard]] std::string_view baseline_name(Baseline b);

/// The baseline names, in table order.
[[nodiscard]] std::vector<std::string_view> baseline_names();

/// True when `name` is the name of a baseline.
[[nodiscard]] bool is_baseline(std::string_view name);

/// Training popularity order: the items with at least one stored entry in `user_item`
/// (users × items), by count descending, then index ascending.
[[nodiscard]] std::vector<Index> popularity_order(const CsrMatrix& user_item);

/// top_pop lists for every user of `user_item` (users × items): CSR users × items, rows ranked
/// as `recommend` ranks them, values the column counts. Respects `top_n`, `exclude_seen` and
/// `user_mask`; throws ParamError as `recommend` does.
[[nodiscard]] CsrMatrix recommend_top_pop(const CsrMatrix& user_item,
                                          const RecommendParams& params);

/// random lists for every user of `user_item` (users × items), drawn as described above with
/// `seed`: CSR users × items, rows in draw order, value 1/rank. Respects `top_n`,
/// `exclude_seen` and `user_mask`; throws ParamError as `recommend` does.
[[nodiscard]] CsrMatrix recommend_random(const CsrMatrix& user_item, std::uint64_t seed,
                                         const RecommendParams& params);

/// The lists of `baseline` (`seed` is used by random only).
[[nodiscard]] CsrMatrix recommend_baseline(const CsrMatrix& user_item, Baseline baseline,
                                           std::uint64_t seed, const RecommendParams& params);

/// "top_pop", "random seed=42": the baseline and the settings it uses.
[[nodiscard]] std::string describe_baseline(Baseline baseline, std::uint64_t seed);

}  // namespace knntune::engine
