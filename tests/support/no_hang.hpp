#pragma once
/// The time bound of the tests that check that bad input is refused rather than read without
/// end: damaged files (one read per mutant) and nested YAML aliases (one parse).

#include <chrono>

namespace knntune::test {

/// NOTE: 5 s of wall time per read. Such reads take milliseconds; one that loops or expands
/// without bound (the nested aliases would build 10^10 YAML nodes, hours of work) still fails
/// it, while a read slowed down by a loaded machine (up to four times here) or by the sanitizer
/// build, where a CLI run starts in about half a second, does not. It was 1 s, close enough to
/// those to fail for no fault of the code.
inline constexpr std::chrono::seconds kNoHangBound{5};

}  // namespace knntune::test
