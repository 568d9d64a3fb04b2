#include "python/src/arrays.hpp"

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <string>
#include <type_traits>

#include "engine/error.hpp"

namespace knntune::python {
namespace {

using engine::CsrMatrix;
using engine::Index;
using engine::InputError;
using engine::Offset;
using engine::Score;

/// Sorts the entries of row r by column and sums repeated columns; returns the kept count.
Offset canonical_row(CsrMatrix& m, Offset begin, Offset end, Offset out) {
    std::vector<Offset> order(static_cast<size_t>(end - begin));
    std::iota(order.begin(), order.end(), begin);
    std::stable_sort(order.begin(), order.end(),
                     [&](Offset x, Offset y) { return m.indices[x] < m.indices[y]; });
    std::vector<Index> cols;
    std::vector<Score> vals;
    for (const Offset e : order) {
        if (!cols.empty() && cols.back() == m.indices[e]) {
            vals.back() += m.values[e];
        } else {
            cols.push_back(m.indices[e]);
            vals.push_back(m.values[e]);
        }
    }
    std::copy(cols.begin(), cols.end(), m.indices.begin() + out);
    std::copy(vals.begin(), vals.end(), m.values.begin() + out);
    return static_cast<Offset>(cols.size());
}

/// Makes every row's columns strictly increasing (rows that already are stay untouched).
void make_canonical(CsrMatrix& m) {
    Offset out = 0;
    Offset begin = 0;  // the row's start in the original layout
    for (Index r = 0; r < m.rows; ++r) {
        const Offset end = m.indptr[r + 1];
        bool sorted = true;
        for (Offset e = begin + 1; e < end && sorted; ++e) sorted = m.indices[e - 1] < m.indices[e];
        if (!sorted) {
            out += canonical_row(m, begin, end, out);
        } else if (out != begin) {
            std::copy(m.indices.begin() + begin, m.indices.begin() + end, m.indices.begin() + out);
            std::copy(m.values.begin() + begin, m.values.begin() + end, m.values.begin() + out);
            out += end - begin;
        } else {
            out = end;
        }
        m.indptr[r + 1] = out;
        begin = end;
    }
    m.indices.resize(static_cast<size_t>(out));
    m.values.resize(static_cast<size_t>(out));
}

template <class To, class From>
void copy_as(const py::array& a, std::vector<To>& out) {
    const auto view = a.unchecked<From, 1>();
    const auto n = static_cast<size_t>(view.shape(0));
    if constexpr (std::is_same_v<To, From>) {
        if (a.flags() & py::array::c_style) {  // the common case: one block copy
            const auto* first = static_cast<const To*>(a.data());
            out.assign(first, first + n);
            return;
        }
    }
    out.resize(n);
    for (py::ssize_t i = 0; i < view.shape(0); ++i) out[static_cast<size_t>(i)] = To(view(i));
}

/// Copies a 1-d integer array (int32 or int64) or float array into `out`.
template <class To>
void copy_array(const py::array& a, std::vector<To>& out, const std::string& what) {
    if (a.ndim() != 1) throw InputError(what + " must be a 1-d array");
    if constexpr (std::is_floating_point_v<To>) {
        if (py::isinstance<py::array_t<float>>(a)) return copy_as<To, float>(a, out);
        if (py::isinstance<py::array_t<double>>(a)) return copy_as<To, double>(a, out);
        throw InputError(what + " must be float32 or float64");
    } else {
        if (py::isinstance<py::array_t<std::int32_t>>(a)) return copy_as<To, std::int32_t>(a, out);
        if (py::isinstance<py::array_t<std::int64_t>>(a)) return copy_as<To, std::int64_t>(a, out);
        throw InputError(what + " must be int32 or int64");
    }
}

/// Checks that `m` is a CSR of its shape; returns whether every row's columns increase (one
/// pass over the columns does both).
bool check_structure(const CsrMatrix& m, const std::string& what) {
    if (m.indptr.size() != static_cast<size_t>(m.rows) + 1 || m.indptr.front() != 0) {
        throw InputError(what + ": indptr must have rows + 1 entries and start at 0");
    }
    for (Index r = 0; r < m.rows; ++r) {
        if (m.indptr[r + 1] < m.indptr[r]) throw InputError(what + ": indptr is not increasing");
    }
    if (m.indices.size() < static_cast<size_t>(m.indptr.back()) ||
        m.values.size() < static_cast<size_t>(m.indptr.back())) {
        throw InputError(what + ": indices or data shorter than indptr[-1]");
    }
    bool canonical = true;
    for (Index r = 0; r < m.rows; ++r) {
        Index previous = -1;
        for (Offset e = m.indptr[r]; e < m.indptr[r + 1]; ++e) {
            const Index c = m.indices[static_cast<size_t>(e)];
            if (c < 0 || c >= m.cols) {
                throw InputError(what + ": column index " + std::to_string(c) + " outside [0, " +
                                 std::to_string(m.cols) + ")");
            }
            canonical = canonical && c > previous;
            previous = c;
        }
    }
    return canonical;
}

}  // namespace

CsrMatrix csr_from_arrays(const py::array& indptr, const py::array& indices, const py::array& data,
                          Index rows, Index cols, const char* what) {
    const std::string name(what);
    if (rows < 0 || cols < 0) throw InputError(name + ": negative shape");
    CsrMatrix m(rows, cols);
    copy_array(indptr, m.indptr, name + ".indptr");
    copy_array(indices, m.indices, name + ".indices");
    copy_array(data, m.values, name + ".data");
    const bool canonical = check_structure(m, name);
    m.indices.resize(static_cast<size_t>(m.indptr.back()));
    m.values.resize(static_cast<size_t>(m.indptr.back()));
    if (!canonical) make_canonical(m);
    return m;
}

py::tuple csr_to_numpy(CsrMatrix&& m) {
    return py::make_tuple(to_numpy(std::move(m.indptr)), to_numpy(std::move(m.indices)),
                          to_numpy(std::move(m.values)));
}

}  // namespace knntune::python
