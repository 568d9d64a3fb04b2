#pragma once
/// Error hierarchy of the engine library.
///
/// User errors (a bad file, row, key or parameter) throw `engine::Error` or a subclass, and
/// the message names the file and line or the parameter. Programmer invariants use
/// `KNNTUNE_ASSERT` (common/assert.hpp), which aborts: user input must never reach it.

#include <string>

#include "common/assert.hpp"
#include "common/error.hpp"

namespace knntune::engine {

/// Base of every user-facing engine error. `main` prints `what()` and exits with status 2.
class Error : public UserError {
  public:
    using UserError::UserError;
};

/// A problem with an input file: missing, unreadable, malformed row, bad timestamp.
class InputError : public Error {
  public:
    using Error::Error;
};

/// A parameter out of range, an unknown measure or metric name, an inconsistent option.
class ParamError : public Error {
  public:
    using Error::Error;
};

/// The data is readable but the requested operation selects nothing (e.g. an empty period).
class DataError : public Error {
  public:
    using Error::Error;
};

}  // namespace knntune::engine
