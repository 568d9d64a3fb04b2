#pragma once
/// Error hierarchy of the tuner library.
///
/// User errors (a bad search space, an unreadable or mismatched trial log, a misuse of the
/// study API) throw `tuner::Error` or a subclass; the message says what is wrong and where
/// (parameter name, JSON path, file). Programmer invariants use `KNNTUNE_TUNER_ASSERT`, which
/// aborts: user input must never reach it.

#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>

namespace knntune::tuner {

/// Base of every user-facing tuner error. `main` prints `what()` and exits with status 2.
class Error : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

/// An invalid search space or distribution: empty range, bad step, unknown parent, ...
class SpaceError : public Error {
  public:
    using Error::Error;
};

/// An invalid sampler or study setting, or a parameter value outside its distribution.
class SettingsError : public Error {
  public:
    using Error::Error;
};

/// A trial log that cannot be created, opened, read or resumed.
class StorageError : public Error {
  public:
    using Error::Error;
};

/// A misuse of the study API (telling an unknown trial, asking a best trial of an empty study).
class StudyError : public Error {
  public:
    using Error::Error;
};

}  // namespace knntune::tuner

/// Aborts with file and line when a tuner invariant fails. Active in every build type.
#define KNNTUNE_TUNER_ASSERT(cond)                                                         \
    do {                                                                                   \
        if (!(cond)) {                                                                     \
            std::fprintf(stderr, "knntune: internal error: %s (%s:%d)\n", #cond, __FILE__, \
                         __LINE__);                                                        \
            std::abort();                                                                  \
        }                                                                                  \
    } while (false)
