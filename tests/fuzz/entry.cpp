/// libFuzzer's entry point for the target named by KNNTUNE_FUZZ_TARGET (one executable per
/// target, tests/fuzz/CMakeLists.txt).

#include "tests/fuzz/fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    return knntune::fuzz::KNNTUNE_FUZZ_TARGET(data, size);
}
