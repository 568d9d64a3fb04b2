#pragma once
/// Experiment configuration: YAML loading with line-numbered errors, `--set` overrides,
/// unknown-key detection, and conversion to the engine's and tuner's spec structs.

#include <stdexcept>
#include <string>

namespace knntune::exp {

/// A problem in an experiment config: unknown key, wrong type, value out of range, schema
/// version mismatch. The message names the file, line and dotted key.
class ConfigError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

}  // namespace knntune::exp
