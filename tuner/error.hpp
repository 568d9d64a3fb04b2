#pragma once
/// Error hierarchy of the tuner library.
///
/// User errors (a bad search space, an unreadable or mismatched trial log, a misuse of the
/// study API) throw `tuner::Error` or a subclass; the message says what is wrong and where
/// (parameter name, JSON path, file). Programmer invariants use `KNNTUNE_ASSERT`
/// (common/assert.hpp), which aborts: user input must never reach it.

#include <cstdint>
#include <string>

#include "common/assert.hpp"
#include "common/error.hpp"

namespace knntune::tuner {

/// Base of every user-facing tuner error. `main` prints `what()` and exits with status 2.
class Error : public UserError {
  public:
    using UserError::UserError;
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

/// A study stopped because its trials keep failing the same way (`OptimizeParams::max_failures`):
/// `count` failed trials of one kind with no trial completed since, the last with `last_error`.
class FailuresError : public StudyError {
  public:
    FailuresError(const std::string& what, std::int64_t count, std::string last_error)
        : StudyError(what), count_(count), last_error_(std::move(last_error)) {}
    [[nodiscard]] std::int64_t count() const { return count_; }
    [[nodiscard]] const std::string& last_error() const { return last_error_; }

  private:
    std::int64_t count_;
    std::string last_error_;
};

}  // namespace knntune::tuner
