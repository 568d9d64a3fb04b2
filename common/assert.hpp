#pragma once
/// The one assert macro of knntune: programmer invariants, active in every build type.
///
/// User input must never reach it: a bad file, row, key or value throws a `UserError`
/// (common/error.hpp) instead. A failed assert prints the condition with file and line and
/// aborts.

#include <cstdio>
#include <cstdlib>

#define KNNTUNE_ASSERT(cond)                                                               \
    do {                                                                                   \
        if (!(cond)) {                                                                     \
            std::fprintf(stderr, "knntune: internal error: %s (%s:%d)\n", #cond, __FILE__, \
                         __LINE__);                                                        \
            std::abort();                                                                  \
        }                                                                                  \
    } while (false)
