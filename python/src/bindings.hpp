#pragma once
/// The parts of the `knntune._core` extension module, each adding its functions.

#include <pybind11/pybind11.h>

namespace knntune::python {

/// similarity(), weight(), measure_names(): the engine's similarity kernel and weighting.
void bind_similarity(pybind11::module_& m);

/// run_stages(), trial_columns(), trial_logs(), prepared() and the Model class: the
/// framework's run stages, trial logs, prepared data and tuned models.
void bind_framework(pybind11::module_& m);

}  // namespace knntune::python
