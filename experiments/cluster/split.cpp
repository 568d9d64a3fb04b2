#include "experiments/cluster/split.hpp"

#include <algorithm>
#include <chrono>
#include <numeric>
#include <string>

#include "common/text.hpp"
#include "engine/similarity/similarity.hpp"
#include "experiments/cluster/comm.hpp"
#include "experiments/cluster/wire.hpp"

namespace knntune::exp::cluster {

namespace sim = engine::similarity;
using engine::CsrMatrix;
using engine::Index;
using engine::Offset;

std::vector<double> row_costs(const CsrMatrix& user_item, sim::Orientation orientation) {
    const bool item = orientation == sim::Orientation::Item;
    std::vector<double> cost(static_cast<std::size_t>(item ? user_item.cols : user_item.rows), 1.0);
    if (item) {
        for (Index u = 0; u < user_item.rows; ++u) {
            const auto deg = static_cast<double>(user_item.row_nnz(u));
            for (const Index i : user_item.row_indices(u)) cost[static_cast<std::size_t>(i)] += deg;
        }
    } else {
        const std::vector<Offset> counts = engine::column_counts(user_item);
        for (Index u = 0; u < user_item.rows; ++u) {
            double c = 0.0;
            for (const Index i : user_item.row_indices(u))
                c += static_cast<double>(counts[static_cast<std::size_t>(i)]);
            cost[static_cast<std::size_t>(u)] += c;
        }
    }
    return cost;
}

std::vector<Index> balanced_blocks(std::span<const double> costs, int parts) {
    const auto n = static_cast<Index>(costs.size());
    const double total = std::accumulate(costs.begin(), costs.end(), 0.0);
    std::vector<Index> bounds(static_cast<std::size_t>(parts) + 1, n);
    bounds[0] = 0;
    double running = 0.0;
    Index row = 0;
    for (int b = 1; b < parts; ++b) {
        const double goal = total * b / parts;
        while (row < n && running + costs[static_cast<std::size_t>(row)] <= goal) {
            running += costs[static_cast<std::size_t>(row)];
            ++row;
        }
        // NOTE: the row that crosses the goal goes to whichever side leaves the smaller gap.
        if (row < n && goal - running > running + costs[static_cast<std::size_t>(row)] - goal) {
            running += costs[static_cast<std::size_t>(row)];
            ++row;
        }
        bounds[static_cast<std::size_t>(b)] = row;
    }
    return bounds;
}

double SplitReport::balance() const {
    if (seconds.empty()) return 1.0;
    const double mean =
        std::accumulate(seconds.begin(), seconds.end(), 0.0) / static_cast<double>(seconds.size());
    return mean > 0.0 ? *std::max_element(seconds.begin(), seconds.end()) / mean : 1.0;
}

std::string SplitReport::describe() const {
    std::string rows;
    std::string secs;
    for (std::size_t r = 0; r + 1 < bounds.size(); ++r) {
        rows += " " + std::to_string(bounds[r]) + ".." + std::to_string(bounds[r + 1]);
        secs += " " + significant(seconds[r], 3);
    }
    return std::to_string(seconds.size()) + " ranks: rows" + rows + "; seconds" + secs +
           "; slowest/mean " + significant(balance(), 3);
}

namespace {

using Clock = std::chrono::steady_clock;

/// Rows [begin, end) of `s` with the seconds they took, as a Rows message.
std::string encode_block(double seconds, const CsrMatrix& s, Index begin, Index end) {
    Writer w;
    w.put(seconds);
    std::vector<Offset> counts;
    for (Index r = begin; r < end; ++r) counts.push_back(s.row_nnz(r));
    const Offset from = begin < end ? s.indptr[begin] : 0;
    const Offset to = begin < end ? s.indptr[end] : 0;
    w.put_vector(counts);
    w.put_vector(std::vector<Index>(s.indices.begin() + from, s.indices.begin() + to));
    w.put_vector(std::vector<engine::Score>(s.values.begin() + from, s.values.begin() + to));
    return w.take();
}

/// Appends the block of rank `r`, rows [b, e), to `s` (rows before b already filled);
/// returns its seconds.
double append_block(CsrMatrix& s, std::string_view bytes, int r, Index b, Index e) {
    Reader in(bytes);
    const auto seconds = in.get<double>();
    const auto counts = in.get_vector<Offset>();
    const auto idx = in.get_vector<Index>();
    const auto val = in.get_vector<engine::Score>();
    if (counts.size() != static_cast<std::size_t>(e - b) || idx.size() != val.size()) {
        throw std::logic_error("rank " + std::to_string(r) + " sent " +
                               std::to_string(counts.size()) + " similarity rows, not " +
                               std::to_string(e - b));
    }
    for (Index row = b; row < e; ++row)
        s.indptr[row + 1] = s.indptr[row] + counts[static_cast<std::size_t>(row - b)];
    s.indices.insert(s.indices.end(), idx.begin(), idx.end());
    s.values.insert(s.values.end(), val.begin(), val.end());
    return seconds;
}

/// The block boundaries of every rank: balanced, or everything on rank 0 for a configuration
/// that takes no row selection.
std::vector<Index> block_bounds(std::span<const double> costs, int ranks, bool splits) {
    if (splits) return balanced_blocks(costs, ranks);
    std::vector<Index> bounds(static_cast<std::size_t>(ranks) + 1,
                              static_cast<Index>(costs.size()));
    bounds[0] = 0;
    return bounds;
}

}  // namespace

CsrMatrix split_similarity(const CsrMatrix& user_item, sim::Orientation orientation,
                           sim::Measure measure, const sim::SimilarityParams& params,
                           SplitReport* report) {
    const int ranks = size();
    if (ranks == 1) {
        const auto t0 = Clock::now();
        CsrMatrix s = sim::compute_similarity(user_item, orientation, measure, params);
        if (report) {
            *report = {{0, s.rows}, {std::chrono::duration<double>(Clock::now() - t0).count()}};
        }
        return s;
    }
    const std::vector<double> costs = row_costs(user_item, orientation);
    const auto n = static_cast<Index>(costs.size());
    const std::vector<Index> bounds =
        block_bounds(costs, ranks, sim::takes_selection(measure, params));
    const auto me = static_cast<std::size_t>(rank());
    const Index begin = bounds[me];
    const Index end = bounds[me + 1];

    const auto t0 = Clock::now();
    CsrMatrix mine;
    if (begin < end) {
        std::vector<std::uint8_t> mask(static_cast<std::size_t>(n), 0);
        std::fill(mask.begin() + begin, mask.begin() + end, std::uint8_t{1});
        sim::Selection sel;
        if (begin > 0 || end < n) sel.row_mask = &mask;
        mine = sim::compute_similarity(user_item, orientation, measure, params, sel);
    }
    std::string own =
        encode_block(std::chrono::duration<double>(Clock::now() - t0).count(), mine, begin, end);
    mine = {};
    if (me != 0) {
        send(0, Tag::Rows, own);
        return {};
    }
    // Rank 0: its own rows first, then every other rank's block in rank order.
    CsrMatrix s(n, n);  // S is square: items × items or users × users
    std::vector<double> secs(static_cast<std::size_t>(ranks), 0.0);
    for (int r = 0; r < ranks; ++r) {
        const std::string bytes = r == 0 ? std::move(own) : receive(r, Tag::Rows).bytes;
        const auto ru = static_cast<std::size_t>(r);
        secs[ru] = append_block(s, bytes, r, bounds[ru], bounds[ru + 1]);
    }
    if (report) {
        report->bounds = bounds;
        report->seconds = secs;
    }
    return s;
}

}  // namespace knntune::exp::cluster
