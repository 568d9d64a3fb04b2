#include "engine/similarity/similarity.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "engine/error.hpp"
#include "engine/similarity/kernel.hpp"
#include "engine/similarity/registry.hpp"
#include "engine/similarity/weighting.hpp"
#include "engine/topk.hpp"

namespace knntune::engine::similarity {

namespace {

bool has_explicit_zeros(const CsrMatrix& m) {
    for (Score v : m.values) {
        if (v == 0) return true;
    }
    return false;
}

CsrMatrix drop_zeros(const CsrMatrix& m) {
    CsrMatrix out(m.rows, m.cols);
    for (Index r = 0; r < m.rows; ++r) {
        for (Offset q = m.indptr[r]; q < m.indptr[r + 1]; ++q) {
            if (m.values[q] == 0) continue;
            out.indices.push_back(m.indices[q]);
            out.values.push_back(m.values[q]);
        }
        out.indptr[r + 1] = static_cast<Offset>(out.indices.size());
    }
    return out;
}

/// Raises every stored value to `power` (skipped when power is 1).
void power_values(CsrMatrix& m, double power) {
    if (power == 1.0) return;
    // NOTE: after an L1 normalisation of binary rows a row holds one value many times, so the
    // last power is reused for an equal value (same input, same result).
    Score last_in = 1;
    Score last_out = 1;
    for (Score& v : m.values) {
        if (v != last_in) {
            last_in = v;
            last_out = static_cast<Score>(std::pow(static_cast<double>(v), power));
        }
        v = last_out;
    }
}

/// When every row of `b` holds a single value (the p3 transform of binary data does), moves
/// that value into the entries of `a` and sets those of `b` to 1. A·B is unchanged bit for
/// bit: each product a·b is rounded once per entry of A instead of once per multiply-add, the
/// same rounding (builds use -ffp-contract=off), and the kernel then takes its unit-value path,
/// the one cosine takes on binary data.
void fold_row_constants(CsrMatrix& a, CsrMatrix& b) {
    KNNTUNE_ASSERT(a.cols == b.rows);
    std::vector<Score> constant(static_cast<size_t>(b.rows), Score{1});
    for (Index r = 0; r < b.rows; ++r) {
        const Offset begin = b.indptr[r];
        const Offset end = b.indptr[r + 1];
        if (begin == end) continue;
        const Score v = b.values[begin];
        for (Offset q = begin + 1; q < end; ++q) {
            if (b.values[q] != v) return;
        }
        constant[r] = v;
    }
    for (Offset q = 0; q < a.nnz(); ++q) a.values[q] *= constant[a.indices[q]];
    std::fill(b.values.begin(), b.values.end(), Score{1});
}

std::vector<double> row_sums(const CsrMatrix& m, bool squared) {
    std::vector<double> out(static_cast<size_t>(m.rows), 0.0);
    for (Index r = 0; r < m.rows; ++r) {
        double s = 0;
        for (Offset q = m.indptr[r]; q < m.indptr[r + 1]; ++q) {
            s += squared ? double{m.values[q]} * m.values[q] : m.values[q];
        }
        out[r] = s;
    }
    return out;
}

std::vector<double> col_sums(const CsrMatrix& m, bool squared) {
    std::vector<double> out(static_cast<size_t>(m.cols), 0.0);
    for (Offset q = 0; q < m.nnz(); ++q) {
        const double v = m.values[q];
        out[m.indices[q]] += squared ? v * v : v;
    }
    return out;
}

std::vector<double> col_counts(const CsrMatrix& m) {
    const std::vector<Offset> counts = column_counts(m);
    return {counts.begin(), counts.end()};
}

std::vector<Score> to_scores(const std::vector<double>& v) { return {v.begin(), v.end()}; }

void binarize(CsrMatrix& m) { std::fill(m.values.begin(), m.values.end(), Score{1}); }

void validate(Measure measure, const SimilarityParams& p) {
    if (parsed_for(p) != measure) {
        throw ParamError("similarity: the parameters were parsed for " +
                         std::string(measure_name(parsed_for(p))) + ", not for " +
                         std::string(measure_name(measure)));
    }
    check_params(measure, p);
}

/// A matrix that is either borrowed or owned, so unmodified inputs are never copied.
class MaybeOwned {
  public:
    explicit MaybeOwned(const CsrMatrix& borrowed) : ptr_(&borrowed) {}
    explicit MaybeOwned(CsrMatrix&& owned) : owned_(std::move(owned)), ptr_(&*owned_) {}
    MaybeOwned(const MaybeOwned&) = delete;
    MaybeOwned& operator=(const MaybeOwned&) = delete;
    [[nodiscard]] const CsrMatrix& get() const { return *ptr_; }
    /// Mutable access; copies a borrowed matrix first.
    CsrMatrix& mutable_ref() {
        if (!owned_) {
            owned_ = *ptr_;
            ptr_ = &*owned_;
        }
        return *owned_;
    }

  private:
    std::optional<CsrMatrix> owned_;
    const CsrMatrix* ptr_;
};

/// The side statistics of `needs`, after the p3 transform of `a` and `b` when it is asked for.
SideStats side_stats(MaybeOwned& a, MaybeOwned& b, const StatsNeeds& needs, double h_add) {
    SideStats stats;
    if (needs.row_pop) {
        stats.row_pop = powered_stat(row_sums(a.get(), false), 0.0, needs.row_pop_exp);
    }
    if (needs.col_pop) {
        // NOTE: rp3beta's popularity is taken before the L1 normalisation below (spec 3). The
        // literature variant counts the stored entries, as its framework does.
        const std::vector<double> pop =
            needs.p3_literature ? col_counts(b.get()) : col_sums(b.get(), false);
        stats.col_pop = powered_stat(pop, 0.0, needs.col_pop_exp);
    }
    if (needs.p3) {
        // NOTE: `binary` was already applied, before this normalisation (spec 9.2), so
        // binary=true keeps p3alpha a random walk instead of a co-occurrence count.
        CsrMatrix& am = a.mutable_ref();
        // The literature variant's first step follows A's 0/1 pattern (its framework walks
        // from the items through the boolean matrix); only B's values weigh the second step.
        if (needs.p3_literature) binarize(am);
        normalize_rows(am, RowNorm::L1);
        power_values(am, needs.p3_alpha);
        CsrMatrix& bm = b.mutable_ref();
        normalize_rows(bm, RowNorm::L1);
        power_values(bm, needs.p3_alpha);
        // NOTE: valid because no statistic below is taken from the transformed values: the
        // p3 measures need none (checked here).
        KNNTUNE_ASSERT(!needs.norms && !needs.cosine);
        fold_row_constants(am, bm);
    }
    if (needs.norms || needs.cosine) {
        const std::vector<double> x2 = row_sums(a.get(), true);
        const std::vector<double> y2 = col_sums(b.get(), true);
        if (needs.norms) {
            stats.row_norm2 = to_scores(x2);
            stats.col_norm2 = to_scores(y2);
        }
        if (needs.cosine) {
            stats.row_cos = powered_stat(x2, h_add, needs.c1);
            stats.col_cos = powered_stat(y2, h_add, needs.c2);
        }
    }
    return stats;
}

/// The literature variant's steps after the kernel (measures/p3_variant.hpp): `w` is the
/// kernel's result W (self-pair dropped, top-k per row); its rows are L1-normalised when
/// `normalize`, then S = Wᵀ keeps the top-k of each row, ranked.
///
/// NOTE: the second top-k is the framework's top-k per column of W. After the first one a
/// column of W may hold more than k entries, so it drops some; with `normalize` it compares
/// values that were divided by different row sums, so it may keep others than without.
CsrMatrix literature_steps(CsrMatrix w, bool normalize, Index k) {
    if (normalize) normalize_rows(w, RowNorm::L1);
    const CsrMatrix t = transpose(w);
    CsrMatrix s(t.rows, t.cols);
    std::vector<ScoredIndex> row;
    for (Index r = 0; r < t.rows; ++r) {
        row.clear();
        for (Offset q = t.indptr[r]; q < t.indptr[r + 1]; ++q) {
            // As everywhere, an exact 0 (here an underflow of the normalisation) is not kept.
            if (t.values[q] != 0) row.push_back({t.values[q], t.indices[q]});
        }
        select_top_k(row, static_cast<std::size_t>(k));
        for (const ScoredIndex& e : row) {
            s.indices.push_back(e.index);
            s.values.push_back(e.score);
        }
        s.indptr[r + 1] = static_cast<Offset>(s.indices.size());
    }
    return s;
}

/// Checks that `selection` fits A (n × m) and B (m × p); `literature` forbids any selection.
void check_selection(const CsrMatrix& a, const CsrMatrix& b, const Selection& selection,
                     bool literature) {
    if (selection.row_mask == nullptr && selection.exclude == nullptr) return;
    if (literature) throw ParamError("variant = literature takes no row or column selection");
    if (selection.row_mask != nullptr &&
        selection.row_mask->size() != static_cast<size_t>(a.rows)) {
        throw ParamError("similarity: the row selection has " +
                         std::to_string(selection.row_mask->size()) + " entries but A has " +
                         std::to_string(a.rows) + " rows");
    }
    const CsrMatrix* ex = selection.exclude;
    if (ex == nullptr) return;
    if (ex->rows != a.rows || ex->cols != b.cols) {
        throw ParamError("similarity: the column selection is " + std::to_string(ex->rows) + " × " +
                         std::to_string(ex->cols) + " but the result is " + std::to_string(a.rows) +
                         " × " + std::to_string(b.cols));
    }
    for (const Index c : ex->indices) {
        if (c < 0 || c >= b.cols) {
            throw ParamError("similarity: the column selection names column " + std::to_string(c) +
                             " of a result with " + std::to_string(b.cols) + " columns");
        }
    }
}

/// True when `measure` with `p` drops the self-pair: `exclude_self`, or the literature variant.
bool drops_self(Measure measure, const SimilarityParams& p) {
    return p.exclude_self || visit_measure(measure, [&]<class M>(std::type_identity<M>) {
               return M::needs(own_params<M>(p)).p3_literature;
           });
}

/// Shared tail: p3 transform, side statistics, kernel, and the literature variant's steps
/// after it. `a` and `b` are kernel inputs that have already been through orientation,
/// binary and weighting.
CsrMatrix run(MaybeOwned& a, MaybeOwned& b, Measure measure, const SimilarityParams& p,
              const Selection& selection = {}) {
    KernelOptions opt;
    opt.row_mask = selection.row_mask;
    opt.exclude = selection.exclude;
    opt.ranked = selection.ranked;
    opt.k = p.k;
    opt.threshold = static_cast<Score>(p.threshold);
    opt.shrink_stabilized =
        p.shrink_type == ShrinkType::Stabilized ? static_cast<Score>(p.shrink) : 0;
    opt.shrink_bayesian = p.shrink_type == ShrinkType::Bayesian ? static_cast<Score>(p.shrink) : 0;
    opt.exclude_self = p.exclude_self;
    const double h_add = p.shrink_type == ShrinkType::Additive ? p.shrink : 0.0;
    return visit_measure(measure, [&]<class M>(std::type_identity<M>) -> CsrMatrix {
        const typename M::Params& own = own_params<M>(p);
        const StatsNeeds needs = M::needs(own);
        const SideStats stats = side_stats(a, b, needs, h_add);
        if (!needs.p3_literature) return sparse_topk(a.get(), b.get(), M(stats, own), opt);
        KernelOptions first = opt;
        first.exclude_self = true;
        first.ranked = true;
        return literature_steps(sparse_topk(a.get(), b.get(), M(stats, own), first),
                                needs.p3_normalize_rows, p.k);
    });
}

}  // namespace

std::vector<Score> powered_stat(const std::vector<double>& v, double add, double power) {
    std::vector<Score> out(v.size());
    for (size_t i = 0; i < v.size(); ++i) {
        const double x = v[i] + add;
        out[i] = static_cast<Score>(power == 0.5   ? std::sqrt(x)
                                    : power == 1.0 ? x
                                                   : std::pow(x, power));
    }
    return out;
}

CsrMatrix compute_similarity(const CsrMatrix& user_item, Orientation orientation, Measure measure,
                             const SimilarityParams& p) {
    return compute_similarity(user_item, orientation, measure, p, Selection{});
}

bool takes_selection(Measure measure, const SimilarityParams& p) {
    return !visit_measure(measure, [&]<class M>(std::type_identity<M>) {
        return M::needs(own_params<M>(p)).p3_literature;
    });
}

CsrMatrix compute_similarity(const CsrMatrix& user_item, Orientation orientation, Measure measure,
                             const SimilarityParams& p, const Selection& selection) {
    validate(measure, p);
    const bool item = orientation == Orientation::Item;
    MaybeOwned a = item ? MaybeOwned(transpose(user_item)) : MaybeOwned(user_item);
    bool modified = false;
    if (has_explicit_zeros(a.get())) {
        a.mutable_ref() = drop_zeros(a.get());
        modified = true;
    }
    if (p.binary) {
        binarize(a.mutable_ref());
        modified = true;
    }
    if (p.weighting != Weighting::None) {
        WeightingParams w;
        w.weighting = p.weighting;
        w.tf_mode = p.tf_mode;
        w.idf_mode = p.idf_mode;
        w.k1 = p.bm25_k1;
        w.b = p.bm25_b;
        w.delta = p.bm25_delta;
        w.logbase = p.logbase;
        apply_weighting(a.mutable_ref(), w);
        modified = true;
    }
    if (p.normalize != RowNorm::None) {
        normalize_rows(a.mutable_ref(), p.normalize);
        modified = true;
    }
    // NOTE: for item-KNN with untouched values B = R itself, so no second transpose is made.
    MaybeOwned b = (item && !modified) ? MaybeOwned(user_item) : MaybeOwned(transpose(a.get()));
    check_selection(a.get(), b.get(), selection, !takes_selection(measure, p));
    return run(a, b, measure, p, selection);
}

CsrMatrix compute_similarity_ab(const CsrMatrix& a_in, const CsrMatrix& b_in, Measure measure,
                                const SimilarityParams& p, const Selection& selection) {
    validate(measure, p);
    if (a_in.cols != b_in.rows) {
        throw ParamError("similarity: A has " + std::to_string(a_in.cols) + " columns but B has " +
                         std::to_string(b_in.rows) + " rows");
    }
    if (drops_self(measure, p) && a_in.rows != b_in.cols) {
        throw ParamError(p.exclude_self ? "exclude_self needs a square result"
                                        : "variant = literature needs a square result");
    }
    check_selection(a_in, b_in, selection, drops_self(measure, p) && !p.exclude_self);
    MaybeOwned a(a_in);
    MaybeOwned b(b_in);
    if (has_explicit_zeros(a.get())) a.mutable_ref() = drop_zeros(a.get());
    if (has_explicit_zeros(b.get())) b.mutable_ref() = drop_zeros(b.get());
    if (p.binary) {
        binarize(a.mutable_ref());
        binarize(b.mutable_ref());
    }
    return run(a, b, measure, p, selection);
}

}  // namespace knntune::engine::similarity
