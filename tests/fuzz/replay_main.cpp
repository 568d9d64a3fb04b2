/// Runs fuzz targets over files without libFuzzer, so that any compiler can build them: the
/// default test suite replays the seed corpora and the saved regression inputs this way (under
/// ASan and UBSan in the `dev` preset).
///
/// Usage: knntune_fuzz_replay TARGET PATH...; each PATH is a file or a folder of files.
/// Prints how many inputs ran; a finding aborts, as it would under libFuzzer.

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "tests/fuzz/fuzz_input.hpp"

namespace {

using Target = int (*)(const std::uint8_t*, std::size_t);

struct NamedTarget {
    std::string_view name;
    Target run;
};

constexpr NamedTarget kTargets[] = {
    {"interactions_csv", knntune::fuzz::interactions_csv},
    {"log_reader", knntune::fuzz::log_reader},
    {"config", knntune::fuzz::config},
    {"model", knntune::fuzz::model},
    {"prepared", knntune::fuzz::prepared},
    {"trial_log", knntune::fuzz::trial_log},
    {"trial_journal", knntune::fuzz::trial_journal},
};

std::vector<std::filesystem::path> inputs_of(const std::filesystem::path& p) {
    std::vector<std::filesystem::path> files;
    if (!std::filesystem::is_directory(p)) return {p};
    for (const auto& e : std::filesystem::directory_iterator(p)) {
        if (e.is_regular_file()) files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    return files;
}

}  // namespace

int main(int argc, char** argv) {
    const auto* target = argc < 3 ? std::end(kTargets)
                                  : std::find_if(std::begin(kTargets), std::end(kTargets),
                                                 [&](const auto& t) { return t.name == argv[1]; });
    if (target == std::end(kTargets)) {
        std::fprintf(stderr, "usage: knntune_fuzz_replay TARGET PATH...\n");
        return 2;
    }
    std::vector<std::filesystem::path> files;
    for (int i = 2; i < argc; ++i) {
        for (auto& f : inputs_of(argv[i])) files.push_back(std::filesystem::absolute(f));
    }
    for (const auto& f : files) {
        std::ifstream in(f, std::ios::binary);
        const std::string bytes((std::istreambuf_iterator<char>(in)), {});
        target->run(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    }
    std::printf("%s: %zu inputs replayed\n", argv[1], files.size());
    return files.empty() ? 1 : 0;
}
