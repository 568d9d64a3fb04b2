#pragma once
/// Error hierarchy of the experiments library (the integrator and the command-line tool).
///
/// Every user-facing error of knntune derives from `knntune::UserError` (common/error.hpp):
/// those of the engine, of the tuner, and the ones below. The tool maps them to exit status 2
/// and anything else to 1 (`exit_status` in cli/main.cpp, the only such mapping).

#include "common/error.hpp"

namespace knntune::exp {

/// Base of the experiments library's own user errors.
class Error : public UserError {
  public:
    using UserError::UserError;
};

/// A problem in an experiment config or a run folder: unknown key, wrong type, value out of
/// range, schema version mismatch, a folder holding another run. The message names the file,
/// line and dotted key.
class ConfigError : public Error {
  public:
    using Error::Error;
};

/// A study stopped because its trials kept failing the same way (`tuner.max_failures`); the
/// failed trials stay in the trial log and `--resume` continues it.
class TrialsFailedError : public Error {
  public:
    using Error::Error;
};

/// A bad command line: a missing argument, an unknown or malformed option.
class UsageError : public Error {
  public:
    using Error::Error;
};

}  // namespace knntune::exp
