#include "engine/data/prepare.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <numeric>

#include "common/random.hpp"
#include "engine/error.hpp"

namespace knntune::engine {

const char* period_name(Period p) {
    constexpr const char* kNames[] = {"train_val", "valid", "train", "test"};  // Period order
    return kNames[static_cast<int>(p)];
}

double PeriodStats::density() const {
    if (users == 0 || items == 0) return 0.0;
    return static_cast<double>(rows) / (static_cast<double>(users) * static_cast<double>(items));
}

namespace {

constexpr std::int64_t kDay = 86400;
using Mask = std::uint8_t;
constexpr Mask bit(Period p) { return static_cast<Mask>(1U << static_cast<unsigned>(p)); }

std::string window_text(const Window& w) {
    return "[" + format_timestamp(w.start) + ", " + format_timestamp(w.end) + ")";
}

/// Resolves the four windows of a chronological split.
std::array<Window, 4> layout_windows(const SplitSpec& s, Timestamp last_event) {
    std::array<Window, 4> w{};
    const Timestamp end =
        s.end
            ? *s.end
            : (last_event >= 0 ? last_event / kDay : (last_event - kDay + 1) / kDay) * kDay + kDay;
    auto at = [&](Period p) -> Window& { return w[static_cast<int>(p)]; };
    auto expl = [&](Period p) { return s.explicit_windows[static_cast<int>(p)]; };
    at(Period::Test) = expl(Period::Test).value_or(Window{subtract(end, s.test_window), end});
    const Timestamp test_start = at(Period::Test).start;
    at(Period::Valid) =
        expl(Period::Valid).value_or(Window{subtract(test_start, s.valid_window), test_start});
    at(Period::Train) = expl(Period::Train).value_or(at(Period::Valid));
    const Timestamp valid_start = at(Period::Valid).start;
    at(Period::TrainVal) =
        expl(Period::TrainVal)
            .value_or(Window{subtract(valid_start, s.train_val_window), valid_start});
    for (Period p : kPeriods) {
        if (at(p).end <= at(p).start) {
            throw DataError(std::string("split: period '") + period_name(p) + "' window " +
                            window_text(at(p)) + " is empty" +
                            (s.origin.empty() ? "" : " (" + s.origin + ")"));
        }
    }
    return w;
}

/// Deduplicated interactions with the set of periods each belongs to.
struct Pairs {
    std::vector<std::int32_t> user;
    std::vector<std::int32_t> item;
    std::vector<float> value;
    std::vector<Mask> mask;
    [[nodiscard]] std::size_t size() const { return user.size(); }
};

/// Row indices grouped by user (counting sort, stable in file order).
std::vector<std::uint32_t> group_by_user(const RawLog& log, std::vector<std::int64_t>& starts) {
    const auto n_users = log.user_keys.size();
    starts.assign(n_users + 1, 0);
    for (const std::int32_t u : log.user) ++starts[u + 1];
    for (std::size_t u = 0; u < n_users; ++u) starts[u + 1] += starts[u];
    std::vector<std::uint32_t> order(log.size());
    std::vector<std::int64_t> next(starts.begin(), starts.end() - 1);
    for (std::size_t r = 0; r < log.size(); ++r)
        order[next[log.user[r]]++] = static_cast<std::uint32_t>(r);
    return order;
}

/// Keeps the first event of every (user, item) pair and assigns it to periods.
Pairs dedup_and_assign(const RawLog& log, const PrepareSpec& spec,
                       const std::array<Window, 4>* windows, std::int64_t& unique_pairs) {
    unique_pairs = 0;
    std::vector<std::int64_t> starts;
    std::vector<std::uint32_t> order = group_by_user(log, starts);
    const bool timed = windows != nullptr;
    Pairs pairs;
    pairs.user.reserve(log.size());
    pairs.item.reserve(log.size());
    pairs.value.reserve(log.size());
    pairs.mask.reserve(log.size());
    const auto n_users = static_cast<std::int32_t>(log.user_keys.size());
    for (std::int32_t u = 0; u < n_users; ++u) {
        auto first = order.begin() + starts[u];
        auto last = order.begin() + starts[u + 1];
        // NOTE: within an item, events are ordered by time and then by file position, so the
        // first interaction is the earliest one and, on equal times, the earliest row.
        std::sort(first, last, [&](std::uint32_t a, std::uint32_t b) {
            if (log.item[a] != log.item[b]) return log.item[a] < log.item[b];
            if (timed && log.timestamp[a] != log.timestamp[b])
                return log.timestamp[a] < log.timestamp[b];
            return a < b;
        });
        for (auto g = first; g != last;) {
            auto g_end = g;
            while (g_end != last && log.item[*g_end] == log.item[*g]) ++g_end;
            ++unique_pairs;
            if (!timed) {
                float v = 1.0F;
                if (spec.feedback == Feedback::Count) v = static_cast<float>(g_end - g);
                if (spec.feedback == Feedback::Value) {
                    v = 0.0F;
                    for (auto e = g; e != g_end; ++e) v += log.value[*e];
                }
                pairs.user.push_back(u);
                pairs.item.push_back(log.item[*g]);
                pairs.value.push_back(v);
                pairs.mask.push_back(0);
            } else {
                const Timestamp t0 = log.timestamp[*g];
                bool emitted = false;
                for (Period p : kPeriods) {
                    const Window& w = (*windows)[static_cast<int>(p)];
                    if (t0 < w.start || t0 >= w.end) continue;
                    float v = 1.0F;
                    if (spec.feedback != Feedback::Binary) {
                        v = 0.0F;
                        for (auto e = g; e != g_end; ++e) {
                            const Timestamp t = log.timestamp[*e];
                            if (t < w.start || t >= w.end) continue;
                            v += spec.feedback == Feedback::Count ? 1.0F : log.value[*e];
                        }
                    }
                    // Pairs are emitted once; a pair in several periods with different values
                    // (possible only with explicit, partly overlapping windows) keeps the first.
                    if (!emitted) {
                        emitted = true;
                        pairs.user.push_back(u);
                        pairs.item.push_back(log.item[*g]);
                        pairs.value.push_back(v);
                        pairs.mask.push_back(0);
                    }
                    pairs.mask.back() |= bit(p);
                }
            }
            g = g_end;
        }
    }
    return pairs;
}

/// Random holdout: assigns every deduplicated pair of a user to periods.
void assign_holdout(Pairs& pairs, const SplitSpec& s) {
    SplitMix64 rng{s.seed};
    std::vector<std::size_t> idx;
    for (std::size_t b = 0; b < pairs.size();) {
        std::size_t e = b;
        while (e < pairs.size() && pairs.user[e] == pairs.user[b]) ++e;
        idx.resize(e - b);
        std::iota(idx.begin(), idx.end(), b);
        for (std::size_t i = idx.size(); i > 1; --i) std::swap(idx[i - 1], idx[rng.below(i)]);
        const auto n = static_cast<double>(idx.size());
        const auto n_test = static_cast<std::size_t>(std::llround(s.test_fraction * n));
        const auto n_valid = static_cast<std::size_t>(
            std::llround(s.valid_fraction * static_cast<double>(idx.size() - n_test)));
        for (std::size_t i = 0; i < idx.size(); ++i) {
            Mask m = 0;
            if (i < n_test) {
                m = bit(Period::Test);
            } else if (i < n_test + n_valid) {
                m = bit(Period::Valid) | bit(Period::Train);
            } else {
                m = bit(Period::TrainVal) | bit(Period::Train);
            }
            pairs.mask[idx[i]] = m;
        }
        b = e;
    }
}

/// Applies the minimum-interaction filters within period `p`; returns the entries removed.
std::int64_t min_filter(Pairs& pairs, Period p, const FilterSpec& f, std::size_t n_users,
                        std::size_t n_items) {
    const Mask b = bit(p);
    std::int64_t removed_total = 0;
    std::vector<std::int64_t> uc(n_users);
    std::vector<std::int64_t> ic(n_items);
    for (;;) {
        std::fill(uc.begin(), uc.end(), 0);
        std::fill(ic.begin(), ic.end(), 0);
        for (std::size_t i = 0; i < pairs.size(); ++i) {
            if ((pairs.mask[i] & b) == 0) continue;
            ++uc[pairs.user[i]];
            ++ic[pairs.item[i]];
        }
        std::int64_t removed = 0;
        for (std::size_t i = 0; i < pairs.size(); ++i) {
            if ((pairs.mask[i] & b) == 0) continue;
            if (uc[pairs.user[i]] < f.min_user_interactions ||
                ic[pairs.item[i]] < f.min_item_interactions) {
                pairs.mask[i] &= static_cast<Mask>(~b);
                ++removed;
            }
        }
        removed_total += removed;
        if (!f.k_core || removed == 0) break;
    }
    return removed_total;
}

/// Drops entries of `target` whose user or item has no entry in `source`.
void remove_cold_start(Pairs& pairs, Period target, Period source, std::size_t n_users,
                       std::size_t n_items) {
    const Mask s = bit(source);
    const Mask t = bit(target);
    std::vector<char> known_user(n_users, 0);
    std::vector<char> known_item(n_items, 0);
    for (std::size_t i = 0; i < pairs.size(); ++i) {
        if ((pairs.mask[i] & s) == 0) continue;
        known_user[pairs.user[i]] = 1;
        known_item[pairs.item[i]] = 1;
    }
    for (std::size_t i = 0; i < pairs.size(); ++i) {
        if ((pairs.mask[i] & t) != 0 &&
            (!known_user[pairs.user[i]] || !known_item[pairs.item[i]])) {
            pairs.mask[i] &= static_cast<Mask>(~t);
        }
    }
}

/// Global ids: used keys sorted in byte order. Returns raw → global (-1 when unused).
std::vector<std::int32_t> global_ids(const std::vector<std::string>& keys,
                                     const std::vector<char>& used,
                                     std::vector<std::int32_t>& raw_of_global) {
    raw_of_global.clear();
    for (std::size_t r = 0; r < keys.size(); ++r) {
        if (used[r]) raw_of_global.push_back(static_cast<std::int32_t>(r));
    }
    std::sort(raw_of_global.begin(), raw_of_global.end(),
              [&](std::int32_t a, std::int32_t b) { return keys[a] < keys[b]; });
    std::vector<std::int32_t> global(keys.size(), -1);
    for (std::size_t g = 0; g < raw_of_global.size(); ++g) {
        global[raw_of_global[g]] = static_cast<std::int32_t>(g);
    }
    return global;
}

CsrMatrix build_matrix(const Pairs& pairs, Mask b, const std::vector<std::int32_t>& gu,
                       const std::vector<std::int32_t>& gi, Index n_users, Index n_items) {
    CsrMatrix m(n_users, n_items);
    for (std::size_t i = 0; i < pairs.size(); ++i) {
        if (pairs.mask[i] & b) ++m.indptr[gu[pairs.user[i]] + 1];
    }
    for (Index r = 0; r < n_users; ++r) m.indptr[r + 1] += m.indptr[r];
    m.indices.resize(m.indptr.back());
    m.values.resize(m.indptr.back());
    std::vector<Offset> next(m.indptr.begin(), m.indptr.end() - 1);
    for (std::size_t i = 0; i < pairs.size(); ++i) {
        if ((pairs.mask[i] & b) == 0) continue;
        const Offset p = next[gu[pairs.user[i]]]++;
        m.indices[p] = gi[pairs.item[i]];
        m.values[p] = pairs.value[i];
    }
    // Sort each row by column: pairs arrive per user in raw item order.
    std::vector<std::pair<Index, Score>> row;
    for (Index r = 0; r < n_users; ++r) {
        const Offset a = m.indptr[r];
        const Offset e = m.indptr[r + 1];
        row.clear();
        for (Offset p = a; p < e; ++p) row.emplace_back(m.indices[p], m.values[p]);
        std::sort(row.begin(), row.end());
        for (Offset p = a; p < e; ++p) {
            m.indices[p] = row[p - a].first;
            m.values[p] = row[p - a].second;
        }
    }
    return m;
}

std::int64_t count_with(const Pairs& pairs, Mask b) {
    std::int64_t n = 0;
    for (const Mask m : pairs.mask) n += (m & b) != 0 ? 1 : 0;
    return n;
}

/// The four windows of a chronological split (none for a random holdout), with the checks
/// that a window selects some event.
std::optional<std::array<Window, 4>> split_windows(const RawLog& log, const SplitSpec& s,
                                                   const std::string& origin) {
    if (s.method != SplitMethod::Chronological) {
        if (s.valid_fraction < 0 || s.valid_fraction >= 1 || s.test_fraction < 0 ||
            s.test_fraction >= 1) {
            throw DataError("split: valid_fraction and test_fraction must lie in [0, 1)" + origin);
        }
        return std::nullopt;
    }
    if (!log.has_timestamps) {
        throw DataError(
            "a chronological split needs a timestamp column; configure "
            "data.columns.timestamp or use split.method: random_holdout" +
            origin);
    }
    const Timestamp last = *std::max_element(log.timestamp.begin(), log.timestamp.end());
    const std::array<Window, 4> windows = layout_windows(s, last);
    // A window that selects no event at all is a configuration mistake worth naming.
    for (Period p : kPeriods) {
        const Window& w = windows[static_cast<int>(p)];
        const bool any = std::any_of(log.timestamp.begin(), log.timestamp.end(),
                                     [&](Timestamp t) { return t >= w.start && t < w.end; });
        if (!any) {
            const Timestamp first = *std::min_element(log.timestamp.begin(), log.timestamp.end());
            throw DataError(std::string("split: period '") + period_name(p) + "' window " +
                            window_text(w) + " selects no rows; the log spans [" +
                            format_timestamp(first) + ", " + format_timestamp(last) + "]" + origin);
        }
    }
    return windows;
}

/// The minimum filters and cold-start removal, with a named error for an emptied period.
void filter_pairs(Pairs& pairs, const PrepareSpec& spec, std::size_t n_users, std::size_t n_items,
                  const std::string& origin) {
    for (Period p : kPeriods) {
        if (count_with(pairs, bit(p)) == 0) {
            throw DataError(std::string("period '") + period_name(p) +
                            "' has no interactions after keeping the first interaction of each "
                            "(user, item) pair" +
                            origin);
        }
    }
    const FilterSpec& f = spec.filter;
    min_filter(pairs, Period::TrainVal, f, n_users, n_items);
    min_filter(pairs, Period::Train, f, n_users, n_items);
    if (f.remove_cold_start) {
        remove_cold_start(pairs, Period::Valid, Period::TrainVal, n_users, n_items);
        remove_cold_start(pairs, Period::Test, Period::Train, n_users, n_items);
    }
    for (Period p : kPeriods) {
        if (count_with(pairs, bit(p)) == 0) {
            throw DataError(std::string("period '") + period_name(p) +
                            "' is empty after filtering (min_user_interactions=" +
                            std::to_string(f.min_user_interactions) +
                            ", min_item_interactions=" + std::to_string(f.min_item_interactions) +
                            (f.remove_cold_start ? ", cold-start removal" : "") + ")" +
                            (f.origin.empty() ? "" : " (" + f.origin + ")"));
        }
    }
}

/// Global ids of the users and items left in some period, the id maps, names and matrices.
void build_output(RawLog& log, const Pairs& pairs,
                  const std::optional<std::array<Window, 4>>& windows, PreparedData& out) {
    std::vector<char> used_users(log.user_keys.size(), 0);
    std::vector<char> used_items(log.item_keys.size(), 0);
    for (std::size_t i = 0; i < pairs.size(); ++i) {
        if (pairs.mask[i] == 0) continue;
        used_users[pairs.user[i]] = 1;
        used_items[pairs.item[i]] = 1;
    }
    std::vector<std::int32_t> raw_users;
    std::vector<std::int32_t> raw_items;
    const auto gu = global_ids(log.user_keys, used_users, raw_users);
    const auto gi = global_ids(log.item_keys, used_items, raw_items);
    for (const auto r : raw_users) out.user_keys.push_back(std::move(log.user_keys[r]));
    for (const auto r : raw_items) {
        out.item_keys.push_back(std::move(log.item_keys[r]));
        out.item_names.push_back(std::move(log.item_names[r]));
        if (!log.item_attributes.empty()) {
            out.item_attributes.push_back(std::move(log.item_attributes[r]));
        }
    }
    const auto nu = static_cast<Index>(out.user_keys.size());
    const auto ni = static_cast<Index>(out.item_keys.size());
    for (Period p : kPeriods) {
        const int k = static_cast<int>(p);
        out.matrices[k] = build_matrix(pairs, bit(p), gu, gi, nu, ni);
        out.stats[k] = compute_period_stats(out.matrices[k]);
        if (windows) out.stats[k].window = (*windows)[k];
    }
}

}  // namespace

PreparedData prepare(RawLog&& log, const PrepareSpec& spec) {
    const SplitSpec& s = spec.split;
    const std::string origin = s.origin.empty() ? "" : " (" + s.origin + ")";
    if (log.size() == 0) {
        throw DataError((log.path.empty() ? "" : log.path + ": ") +
                        "no rows left after the row filters: " + std::to_string(log.rows_read) +
                        " read, " + std::to_string(log.rows_filtered) + " filtered out");
    }
    const std::optional<std::array<Window, 4>> windows = split_windows(log, s, origin);
    std::int64_t unique_pairs = 0;
    Pairs pairs = dedup_and_assign(log, spec, windows ? &*windows : nullptr, unique_pairs);
    if (!windows) assign_holdout(pairs, s);

    PreparedData out;
    out.rows_read = log.rows_read;
    out.rows_filtered = log.rows_filtered;
    out.unique_pairs = unique_pairs;
    // The raw rows are no longer needed: release them before the matrices are built.
    std::vector<std::int32_t>().swap(log.user);
    std::vector<std::int32_t>().swap(log.item);
    std::vector<Timestamp>().swap(log.timestamp);
    std::vector<float>().swap(log.value);
    filter_pairs(pairs, spec, log.user_keys.size(), log.item_keys.size(), origin);
    build_output(log, pairs, windows, out);
    return out;
}

PeriodStats compute_period_stats(const CsrMatrix& m) {
    PeriodStats s;
    s.rows = m.nnz();
    for (Index r = 0; r < m.rows; ++r) s.users += m.row_nnz(r) > 0 ? 1 : 0;
    std::vector<char> seen(m.cols, 0);
    for (const Index c : m.indices) seen[c] = 1;
    s.items = std::count(seen.begin(), seen.end(), 1);
    return s;
}

std::string PreparedData::fingerprint() const {
    std::uint64_t h = 0x6a09e667f3bcc909ULL;
    auto mix = [&h](std::uint64_t v) {
        h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
        h *= 0xff51afd7ed558ccdULL;
        h ^= h >> 32;
    };
    auto mix_bytes = [&](const void* data, std::size_t n) {
        const auto* p = static_cast<const unsigned char*>(data);
        std::size_t i = 0;
        for (; i + 8 <= n; i += 8) {
            std::uint64_t w;
            std::memcpy(&w, p + i, 8);
            mix(w);
        }
        std::uint64_t tail = 0;
        std::memcpy(&tail, p + i, n - i);
        mix(tail ^ (static_cast<std::uint64_t>(n) << 56));
    };
    for (const auto& k : user_keys) mix_bytes(k.data(), k.size());
    for (const auto& k : item_keys) mix_bytes(k.data(), k.size());
    for (const CsrMatrix& m : matrices) {
        mix(static_cast<std::uint64_t>(m.rows));
        mix(static_cast<std::uint64_t>(m.cols));
        mix_bytes(m.indptr.data(), m.indptr.size() * sizeof(Offset));
        mix_bytes(m.indices.data(), m.indices.size() * sizeof(Index));
        mix_bytes(m.values.data(), m.values.size() * sizeof(Score));
    }
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return buf;
}

std::size_t PreparedData::memory_bytes() const {
    std::size_t b = 0;
    for (const CsrMatrix& m : matrices) b += m.memory_bytes();
    for (const auto* keys : {&user_keys, &item_keys, &item_names, &item_attributes}) {
        for (const auto& k : *keys) b += sizeof(std::string) + (k.size() > 15 ? k.size() + 1 : 0);
    }
    return b;
}

std::string format_stats_table(const PreparedData& data) {
    std::string out;
    char line[256];
    std::snprintf(line, sizeof line, "%-10s %-19s %-19s %10s %8s %8s %9s\n", "period", "start",
                  "end (exclusive)", "rows", "users", "items", "density");
    out += line;
    for (Period p : kPeriods) {
        const PeriodStats& s = data.stats[static_cast<int>(p)];
        const std::string start = s.window ? format_timestamp(s.window->start) : "-";
        const std::string end = s.window ? format_timestamp(s.window->end) : "-";
        std::snprintf(line, sizeof line, "%-10s %-19s %-19s %10lld %8lld %8lld %8.4f%%\n",
                      period_name(p), start.c_str(), end.c_str(), static_cast<long long>(s.rows),
                      static_cast<long long>(s.users), static_cast<long long>(s.items),
                      100.0 * s.density());
        out += line;
    }
    return out;
}

}  // namespace knntune::engine
