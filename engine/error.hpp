#pragma once
/// Error hierarchy of the engine library.
///
/// User errors (a bad file, row, key or parameter) throw `engine::Error` or a subclass, and
/// the message names the file and line or the parameter. Programmer invariants use
/// `KNNTUNE_ASSERT`, which aborts: user input must never reach it.

#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>

namespace knntune::engine {

/// Base of every user-facing engine error. `main` prints `what()` and exits with status 2.
class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
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

/// Aborts with file and line when a programmer invariant fails. Active in every build type.
#define KNNTUNE_ASSERT(cond)                                                             \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            std::fprintf(stderr, "knntune: internal error: %s (%s:%d)\n", #cond, __FILE__, \
                         __LINE__);                                                      \
            std::abort();                                                                \
        }                                                                                \
    } while (false)
