#include <pybind11/stl.h>
#include <tbb/global_control.h>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/error.hpp"
#include "engine/similarity/params.hpp"
#include "engine/similarity/similarity.hpp"
#include "engine/similarity/weighting.hpp"
#include "python/src/arrays.hpp"
#include "python/src/bindings.hpp"

namespace knntune::python {
namespace {

using engine::CsrMatrix;
using engine::Index;
namespace sim = engine::similarity;

/// A sparse operand as the Python layer passes it: (indptr, indices, data, rows, cols, csc).
/// With csc set the arrays are the CSC form of a rows × cols matrix, that is the CSR of its
/// transpose (cols × rows), as scipy stores `R.T` of a CSR `R`.
struct Operand {
    CsrMatrix csr;  ///< the arrays as given (the transpose when `csc`)
    bool csc = false;
};

Operand operand_from(const py::tuple& t, const char* what) {
    if (t.size() != 6) throw engine::InputError(std::string(what) + ": expected 6 fields");
    Operand o;
    o.csc = t[5].cast<bool>();
    const auto rows = t[3].cast<Index>();
    const auto cols = t[4].cast<Index>();
    o.csr = csr_from_arrays(t[0].cast<py::array>(), t[1].cast<py::array>(), t[2].cast<py::array>(),
                            o.csc ? cols : rows, o.csc ? rows : cols, what);
    return o;
}

/// Python keyword values → the engine's parameter map (bools as "true"/"false").
sim::ParamMap param_map(const py::dict& params) {
    sim::ParamMap out;
    for (const auto& [key, value] : params) {
        const auto name = key.cast<std::string>();
        if (py::isinstance<py::bool_>(value)) {
            out[name] = std::string(value.cast<bool>() ? "true" : "false");
        } else if (py::isinstance<py::str>(value)) {
            out[name] = value.cast<std::string>();
        } else {
            out[name] = value.cast<double>();
        }
    }
    return out;
}

std::unique_ptr<tbb::global_control> thread_limit(int num_threads) {
    if (num_threads <= 0) return nullptr;
    return std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism,
                                                 static_cast<size_t>(num_threads));
}

/// similarity(measure, a, b, params, row_mask, exclude, num_threads) → (indptr, indices, data):
/// the n × p result of A·B (B = Aᵀ when `b` is None), rows ranked.
py::tuple similarity(const std::string& measure_name, const py::tuple& a_in,
                     const std::optional<py::tuple>& b_in, const py::dict& params,
                     const std::optional<py::array_t<std::uint8_t>>& row_mask_in,
                     const std::optional<py::tuple>& exclude_in, int num_threads) {
    const sim::Measure measure = sim::measure_from_name(measure_name);
    const sim::SimilarityParams p = sim::parse_params(measure, param_map(params));
    Operand a = operand_from(a_in, "matrix1");
    std::optional<Operand> b;
    if (b_in) b = operand_from(*b_in, "matrix2");
    std::vector<std::uint8_t> row_mask;
    if (row_mask_in) {
        const auto view = row_mask_in->unchecked<1>();
        row_mask.assign(view.data(0), view.data(0) + view.shape(0));
    }
    std::optional<CsrMatrix> exclude;
    if (exclude_in) {
        const py::tuple& t = *exclude_in;
        const py::array data = py::array_t<float>(t[1].cast<py::array>().size());
        exclude = csr_from_arrays(t[0].cast<py::array>(), t[1].cast<py::array>(), data,
                                  t[2].cast<Index>(), t[3].cast<Index>(), "column selection");
    }
    CsrMatrix s;
    {
        py::gil_scoped_release release;
        const auto limit = thread_limit(num_threads);
        // NOTE: a CSC operand is the CSR of the operand's transpose; for A it is then exactly
        // the B = Aᵀ the kernel needs, so the common call cosine(R.T) makes no second copy.
        CsrMatrix a_csr = a.csc ? engine::transpose(a.csr) : std::move(a.csr);
        CsrMatrix b_csr;
        if (b) {
            b_csr = b->csc ? engine::transpose(b->csr) : std::move(b->csr);
        } else {
            b_csr = a.csc ? std::move(a.csr) : engine::transpose(a_csr);
        }
        sim::Selection selection;
        selection.row_mask = row_mask_in ? &row_mask : nullptr;
        selection.exclude = exclude ? &*exclude : nullptr;
        s = sim::compute_similarity_ab(a_csr, b_csr, measure, p, selection);
    }
    return csr_to_numpy(std::move(s));
}

/// weight(a, params) → (indptr, indices, data): the rows of A re-weighted and normalised with
/// the engine's weighting keys (weighting, tf_mode, idf_mode, bm25_*, logbase, normalize).
py::tuple weight(const py::tuple& a_in, const py::dict& params) {
    const sim::SimilarityParams p =
        sim::parse_params(sim::measure_from_name("dot_product"), param_map(params));
    Operand a = operand_from(a_in, "X");
    CsrMatrix m = a.csc ? engine::transpose(a.csr) : std::move(a.csr);
    {
        py::gil_scoped_release release;
        if (p.weighting != sim::Weighting::None) {
            sim::WeightingParams w;
            w.weighting = p.weighting;
            w.tf_mode = p.tf_mode;
            w.idf_mode = p.idf_mode;
            w.k1 = p.bm25_k1;
            w.b = p.bm25_b;
            w.delta = p.bm25_delta;
            w.logbase = p.logbase;
            sim::apply_weighting(m, w);
        }
        if (p.normalize != sim::RowNorm::None) sim::normalize_rows(m, p.normalize);
    }
    return csr_to_numpy(std::move(m));
}

}  // namespace

void bind_similarity(py::module_& m) {
    m.def("similarity", &similarity, py::arg("measure"), py::arg("a"), py::arg("b"),
          py::arg("params"), py::arg("row_mask"), py::arg("exclude"), py::arg("num_threads"),
          "Top-k similarity of the rows of A with the columns of B (engine kernel).");
    m.def("weight", &weight, py::arg("a"), py::arg("params"),
          "Term weighting and row normalisation of a CSR matrix.");
    m.def("measure_names", [] {
        std::vector<std::string> out;
        for (const auto n : sim::measure_names()) out.emplace_back(n);
        return out;
    });
}

}  // namespace knntune::python
