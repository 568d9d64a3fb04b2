#pragma once
/// Conversions between NumPy arrays and the engine's CSR matrix, for the Python module.

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <memory>
#include <utility>
#include <vector>

#include "engine/csr.hpp"

namespace knntune::python {

namespace py = pybind11;

/// Copies a CSR given as NumPy arrays (indptr int32/int64, indices int32/int64, data
/// float32/float64; shape rows × cols) into the engine's CSR: the one copy of the input. Rows
/// whose columns are not increasing are sorted and repeated columns summed (a scipy matrix's
/// value is the sum of its duplicates). Throws engine::InputError naming `what` on arrays that
/// do not describe a CSR matrix of that shape.
[[nodiscard]] engine::CsrMatrix csr_from_arrays(const py::array& indptr, const py::array& indices,
                                                const py::array& data, engine::Index rows,
                                                engine::Index cols, const char* what);

/// Hands a vector's buffer to NumPy without a copy: the array owns the moved vector.
template <class T>
[[nodiscard]] py::array_t<T> to_numpy(std::vector<T>&& v) {
    auto owner = std::make_unique<std::vector<T>>(std::move(v));
    // NOTE: the capsule takes the ownership over; its destructor rebuilds the unique_ptr.
    py::capsule free_when_done(owner.get(), [](void* p) {
        std::unique_ptr<std::vector<T>>(static_cast<std::vector<T>*>(p)).reset();
    });
    const auto size = static_cast<py::ssize_t>(owner->size());
    T* data = owner.release()->data();
    return py::array_t<T>({size}, {static_cast<py::ssize_t>(sizeof(T))}, data, free_when_done);
}

/// The three arrays of `m` as (indptr int64, indices int32, data float32), moved out of `m`.
[[nodiscard]] py::tuple csr_to_numpy(engine::CsrMatrix&& m);

}  // namespace knntune::python
