#pragma once
/// Error type of the report toolkit (statistics, plots, embedding map, document writer).

#include "experiments/error.hpp"

namespace knntune::exp::report {

/// A report building block could not do its job: invalid input to a statistic, gnuplot
/// missing or failing, a malformed CSR matrix, an unwritable output folder. The message names
/// the function and the offending argument, file or command.
class ReportError : public Error {
  public:
    using Error::Error;
};

}  // namespace knntune::exp::report
