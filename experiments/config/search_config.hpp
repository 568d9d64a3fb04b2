#pragma once
/// The `search` section: the conditional search space over similarity measures, built
/// straight into the tuner's SearchSpace, and the configurations enqueued before sampling.

#include <boost/json/object.hpp>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/similarity/params.hpp"
#include "tuner/search_space.hpp"

namespace knntune::exp {

/// A tuned parameter's domain, or a fixed value.
struct RangeSpec {
    /// Set: the parameter is not tuned. A number, or the text of a choice or boolean
    /// parameter of a measure (`search.params.rp3beta.variant: literature`).
    std::optional<Value> fixed{};
    double low = 0.0;
    double high = 0.0;
    bool log = false;
    std::optional<double> step{};
    bool is_int = false;  ///< k is an integer parameter
    /// The tuner's distribution of this range (not for a fixed value).
    [[nodiscard]] tuner::Distribution distribution() const;
};

/// The conditional search space over similarity measures.
struct SearchConfig {
    /// The categorical `algorithm`, in config order; every registered measure by default.
    std::vector<std::string> measures = default_measures();
    /// Parameters shared by every measure (k, shrink, optionally threshold), by name.
    std::map<std::string, RangeSpec> shared = {
        {"k", {.low = 5, .high = 1000, .log = true, .is_int = true}},
        {"shrink", {.low = 0, .high = 500}},
    };
    /// measure → its own parameters → range; defaults from each measure's declared search
    /// ranges (engine/similarity/measures/).
    std::map<std::string, std::map<std::string, RangeSpec>> own;
    engine::similarity::ParamMap fixed;  ///< given to every trial
    /// Configurations evaluated first, validated, keyed like the search space
    /// ({"algorithm": "rp3beta", "k": 100, "rp3beta.alpha": 0.8}).
    std::vector<boost::json::object> enqueue;

    /// The search space over `measures` (a subset of `this->measures`): `algorithm` first,
    /// then the tuned shared parameters by name, then each measure's tuned own parameters
    /// under it, by name.
    [[nodiscard]] tuner::SearchSpace space(const std::vector<std::string>& measures) const;
    /// The enqueued configurations whose algorithm is one of `measures`.
    [[nodiscard]] std::vector<boost::json::object> enqueued(
        const std::vector<std::string>& measures) const;
    /// The ranges of `measure`'s own parameters: as configured, else the measure's defaults.
    [[nodiscard]] std::map<std::string, RangeSpec> own_ranges(const std::string& measure) const;
    /// The fixed value of a shared parameter, when it is fixed.
    [[nodiscard]] std::optional<double> fixed_shared(const std::string& name) const;

    static std::vector<std::string> default_measures();
};

/// The default search ranges of `measure`'s own parameters (those its header declares as
/// tuned by default).
[[nodiscard]] std::map<std::string, RangeSpec> default_own_ranges(const std::string& measure);

class Section;
struct ConfigKey;

/// Readers of the search keys, used by the key table.
void read_search_measures(const ConfigKey&, const Section& s, const std::string& key,
                          SearchConfig& search);
void read_search_range(const ConfigKey&, const Section& s, const std::string& key,
                       SearchConfig& search);
void read_search_params(const ConfigKey&, const Section& s, const std::string& key,
                        SearchConfig& search);
void read_search_fixed(const ConfigKey&, const Section& s, const std::string& key,
                       SearchConfig& search);
void read_search_enqueue(const ConfigKey&, const Section& s, const std::string& key,
                         SearchConfig& search);

}  // namespace knntune::exp
