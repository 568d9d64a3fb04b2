/// The `knntune._core` extension module: the engine (and the framework) for Python.

#include <pybind11/pybind11.h>

#include <exception>

#include "common/error.hpp"
#include "python/src/bindings.hpp"

PYBIND11_MODULE(_core, m) {
    m.doc() = "knntune's C++ engine, used by the knntune package";
    // A problem the caller can fix becomes a ValueError with the engine's message.
    pybind11::register_exception_translator([](std::exception_ptr p) {
        try {
            if (p) std::rethrow_exception(p);
        } catch (const knntune::UserError& e) {
            PyErr_SetString(PyExc_ValueError, e.what());
        }
    });
    knntune::python::bind_similarity(m);
    knntune::python::bind_framework(m);
}
