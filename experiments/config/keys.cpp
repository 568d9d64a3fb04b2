#include "experiments/config/keys.hpp"

#include <algorithm>

#include "common/text.hpp"
#include "engine/metrics.hpp"
#include "engine/similarity/params.hpp"
#include "experiments/config/key_readers.hpp"
#include "tuner/sampler.hpp"

namespace knntune::exp {

namespace {

using EC = ExperimentConfig;
using DC = DataConfig;
using engine::ColumnRef;
using engine::FilterSpec;
using engine::ItemMetadataSpec;
using engine::LogSpec;
using engine::PrepareSpec;
using engine::SplitSpec;

constexpr double kSeedMax = 4611686018427387904.0;  // 2^62
constexpr double kCountMax = 1099511627776.0;       // 2^40

// ---- entry builders: one per kind of key -----------------------------------------------------

/// A key read by `read` whose default, `show`, is a YAML value.
constexpr ConfigKey value_key(std::string_view key, std::string_view type, Bounds bounds,
                              std::string_view allowed, std::string_view help, KeyReader read,
                              KeyText show) {
    return {key, type, Shape::Leaf, bounds, allowed, help, read, show, nullptr, false, true};
}

template <auto... Ms>
constexpr ConfigKey int_key(std::string_view key, Bounds b, std::string_view help) {
    return value_key(key, "int", b, {}, help, keys::read_int<Ms...>, keys::show<Ms...>);
}

template <auto... Ms>
constexpr ConfigKey float_key(std::string_view key, Bounds b, std::string_view help) {
    return value_key(key, "float", b, {}, help, keys::read_float<Ms...>, keys::show<Ms...>);
}

template <auto... Ms>
constexpr ConfigKey bool_key(std::string_view key, std::string_view help) {
    return value_key(key, "bool", {}, {}, help, keys::read_bool<Ms...>, keys::show<Ms...>);
}

/// A string member restricted to `choices`.
template <auto... Ms>
constexpr ConfigKey text_choice_key(std::string_view key, std::string_view choices,
                                    std::string_view help) {
    return value_key(key, "string", {}, choices, help, keys::read_choice_text<Ms...>,
                     keys::show<Ms...>);
}

/// An enum member whose values follow `choices`.
template <auto... Ms>
constexpr ConfigKey enum_key(std::string_view key, std::string_view choices,
                             std::string_view help) {
    return value_key(key, "string", {}, choices, help, keys::read_choice_enum<Ms...>,
                     keys::show_choice<Ms...>);
}

/// A column (never defaulted); `required` within its mapping.
template <auto... Ms>
constexpr ConfigKey column_key(std::string_view key, std::string_view help, bool required = false) {
    return {key,     "column", Shape::Leaf, {},   {}, help, keys::read_column<Ms...>,
            nullptr, nullptr,  required,    false};
}

/// An existing file, required within its mapping.
template <auto... Ms>
constexpr ConfigKey path_key(std::string_view key, std::string_view help) {
    return {key,     "path",  Shape::Leaf, {},   "existing file", help, keys::read_path<Ms...>,
            nullptr, nullptr, true,        false};
}

/// A duration whose default, `default_text`, names the key it follows.
template <auto... Ms>
constexpr ConfigKey duration_key(std::string_view key, std::string_view help,
                                 KeyText default_text) {
    return {key,
            "duration",
            Shape::Leaf,
            {},
            "N months|weeks|days|hours",
            help,
            keys::read_duration<Ms...>,
            default_text,
            nullptr,
            false,
            false};
}

/// A mapping of declared keys.
constexpr ConfigKey section(std::string_view key, std::string_view help, KeyReader read = nullptr,
                            bool required = false) {
    return {key, "map", Shape::Section, {}, {}, help, read, nullptr, nullptr, required, false};
}

/// A key read by the reader of an enclosing key (documented and checked here).
constexpr ConfigKey part(std::string_view key, std::string_view type, std::string_view allowed,
                         std::string_view help, bool required = false) {
    return {key, type, Shape::Leaf, {}, allowed, help, nullptr, nullptr, nullptr, required, false};
}

/// A key with its own reader.
constexpr ConfigKey custom(std::string_view key, std::string_view type, std::string_view help,
                           KeyReader read, KeyText default_text = nullptr,
                           bool literal_default = false) {
    return {key,     type,  Shape::Leaf,    {}, {}, help, read, default_text,
            nullptr, false, literal_default};
}

template <const char* Text>
std::string text(const ConfigKey&) {
    return Text;
}

std::string measure_names_text(const ConfigKey&) {
    return join(engine::similarity::measure_names(), "|");
}
std::string default_measures_text(const ConfigKey&) {
    return "[" + join(SearchConfig::default_measures()) + "]";
}
/// The engine's bounds of a shared similarity parameter (the key's last segment).
std::string engine_bounds_text(const ConfigKey& k) {
    const std::string_view name = k.key.substr(k.key.rfind('.') + 1);
    for (const KeyInfo& info : engine::similarity::common_keys()) {
        if (info.name == name) return bounds_text(info);
    }
    return {};
}
std::string sampler_names_text(const ConfigKey&) { return join(tuner::sampler_names(), "|"); }
std::string metric_names_text(const ConfigKey&) {
    return join(engine::metric_families(), "|") + " @k";
}
std::string range_text(const RangeSpec& r) {
    std::string out = "{low: " + short_number(r.low) + ", high: " + short_number(r.high);
    if (r.log) out += ", log: true";
    if (r.step) out += ", step: " + short_number(*r.step);
    return out + "}";
}
std::string default_k_text(const ConfigKey&) { return range_text(SearchConfig{}.shared.at("k")); }
std::string default_shrink_text(const ConfigKey&) {
    return range_text(SearchConfig{}.shared.at("shrink"));
}
std::string default_metric_text(const ConfigKey&) { return ObjectiveConfig{}.metric.name; }

constexpr char kEmptyList[] = "[]";
constexpr char kEmptyMap[] = "{}";
constexpr char kModels[] = "[item_knn, user_knn]";
constexpr char kSplitWindow[] = "split.window";
constexpr char kSplitEnd[] = "midnight after the last event";
constexpr char kNone[] = "none";
constexpr char kOwnRanges[] = "each measure's declared ranges";
constexpr char kExtra[] = "every metric at the objective's cut-off";
constexpr char kOutputDir[] = "results/<config file name>";
constexpr char kSchema[] = "1";

template <auto... Ms>
std::string show_window(const ConfigKey& k) {
    return keys::show<Ms...>(k);
}

// clang-format off
const ConfigKey kKeys[] = {
    {.key = "schema_version", .type = "int", .bounds = {1, 1},
     .help = "config schema version; other values are refused",
     .default_text = text<kSchema>, .literal_default = true},

    section("data", "where the interaction log is and how to read it", nullptr, true),
    path_key<&EC::data, &DC::log, &LogSpec::path>(
        "data.path", "interaction log (CSV/TSV, plain or .gz); a relative path is resolved "
                     "against the current folder"),
    text_choice_key<&EC::data, &DC::format>(
        "data.format", "auto|csv|tsv", "auto picks tab for .tsv/.tab/.data (optionally .gz), "
                                       "else comma"),
    custom("data.delimiter", "string", "one character, overriding format; e.g. ';' or tab",
           keys::read_part<keys::read_delimiter, &EC::data, &DC::delimiter>),
    bool_key<&EC::data, &DC::log, &LogSpec::header>("data.header", "first row holds column names"),
    section("data.columns", "column mapping; a string names a header column, an unquoted "
                            "integer is a 1-based position", nullptr, true),
    column_key<&EC::data, &DC::log, &LogSpec::user>("data.columns.user", "user id column", true),
    column_key<&EC::data, &DC::log, &LogSpec::item>(
        "data.columns.item", "item key column: interactions are grouped into items by it", true),
    column_key<&EC::data, &DC::log, &LogSpec::timestamp>(
        "data.columns.timestamp", "event time: YYYY-MM-DD[ HH:MM[:SS]], ISO-8601 or unix "
                                  "seconds; needed by split.method chronological"),
    column_key<&EC::data, &DC::log, &LogSpec::value>(
        "data.columns.value", "numeric value, summed by feedback: value"),
    column_key<&EC::data, &DC::log, &LogSpec::item_name>(
        "data.columns.item_name", "item display name (first non-empty one per item)"),
    {.key = "data.filters", .type = "list", .shape = Shape::List,
     .help = "row filters; a row is kept only when it passes all", .read = keys::read_filters,
     .default_text = text<kEmptyList>, .literal_default = true},
    {.key = "data.filters[]", .type = "map", .shape = Shape::Section,
     .help = "one filter: {column, op, value}"},
    part("data.filters[].column", "column", "", "column tested", true),
    part("data.filters[].op", "string",
         keys::kFilterOps,
         "comparison; gt..ne are numeric", true),
    part("data.filters[].value", "scalar", "", "operand (not for not_empty and empty)"),
    section("data.item_metadata", "optional item file joined on the log's item column",
            keys::read_item_metadata),
    path_key<&EC::data, &DC::metadata, &ItemMetadataSpec::path>("data.item_metadata.path",
                                                                 "item file"),
    text_choice_key<&EC::data, &DC::metadata_format>("data.item_metadata.format", "auto|csv|tsv",
                                                     "as data.format"),
    bool_key<&EC::data, &DC::metadata, &ItemMetadataSpec::header>("data.item_metadata.header",
                                                                  "as data.header"),
    custom("data.item_metadata.delimiter", "string", "as data.delimiter",
           keys::read_part<keys::read_delimiter, &EC::data, &DC::metadata_delimiter>),
    column_key<&EC::data, &DC::metadata, &ItemMetadataSpec::id>(
        "data.item_metadata.id", "column matching the log's item column", true),
    column_key<&EC::data, &DC::metadata, &ItemMetadataSpec::key>(
        "data.item_metadata.key", "group items by this column instead of the id (e.g. a "
                                  "product name)"),
    column_key<&EC::data, &DC::metadata, &ItemMetadataSpec::name>("data.item_metadata.name",
                                                                  "item display name"),
    column_key<&EC::data, &DC::metadata, &ItemMetadataSpec::attribute>(
        "data.item_metadata.attribute", "item attribute used to colour plots"),
    enum_key<&EC::data, &DC::prepare, &PrepareSpec::feedback>(
        "data.feedback", "binary|count|value", "matrix value: 1, number of events, or summed "
                                               "value column (events inside the window of the "
                                               "pair's first event)"),

    section("split", "how the log is cut into train_val, valid, train and test"),
    enum_key<&EC::data, &DC::prepare, &PrepareSpec::split, &SplitSpec::method>(
        "split.method", "chronological|random_holdout",
        "date windows, or a seeded per-user holdout for logs without timestamps"),
    {.key = "split.end", .type = "timestamp", .help = "exclusive end of the test window",
     .read = keys::read_timestamp<&EC::data, &DC::prepare, &PrepareSpec::split, &SplitSpec::end>,
     .default_text = text<kSplitEnd>},
    {.key = "split.window", .type = "duration", .allowed = "N months|weeks|days|hours",
     .help = "default length of every window", .read = keys::read_window,
     .default_text = show_window<&EC::data, &DC::window>, .literal_default = true},
    duration_key<&EC::data, &DC::prepare, &PrepareSpec::split, &SplitSpec::train_val_window>(
        "split.train_val_window", "length of train_val", text<kSplitWindow>),
    duration_key<&EC::data, &DC::prepare, &PrepareSpec::split, &SplitSpec::valid_window>(
        "split.valid_window", "length of valid (and of train)", text<kSplitWindow>),
    duration_key<&EC::data, &DC::prepare, &PrepareSpec::split, &SplitSpec::test_window>(
        "split.test_window", "length of test", text<kSplitWindow>),
    {.key = "split.periods", .type = "map", .shape = Shape::Section,
     .allowed = "train_val|valid|train|test",
     .help = "explicit windows that override the layout", .read = keys::read_periods},
    {.key = "split.periods.*", .type = "map", .shape = Shape::Section,
     .help = "one period's window {start, end}"},
    part("split.periods.*.start", "timestamp", "", "inclusive start", true),
    part("split.periods.*.end", "timestamp", "", "exclusive end", true),
    float_key<&EC::data, &DC::prepare, &PrepareSpec::split, &SplitSpec::valid_fraction>(
        "split.valid_fraction", {0, 1, false, true},
        "random_holdout: share of each user's train interactions held out as valid"),
    float_key<&EC::data, &DC::prepare, &PrepareSpec::split, &SplitSpec::test_fraction>(
        "split.test_fraction", {0, 1, false, true},
        "random_holdout: share of each user's interactions held out as test"),
    int_key<&EC::data, &DC::prepare, &PrepareSpec::split, &SplitSpec::seed>(
        "split.seed", {0, kSeedMax}, "random_holdout: seed"),
    int_key<&EC::data, &DC::prepare, &PrepareSpec::filter, &FilterSpec::min_user_interactions>(
        "split.min_user_interactions", {1, kCountMax},
        "users with fewer interactions in a training period are dropped from it"),
    int_key<&EC::data, &DC::prepare, &PrepareSpec::filter, &FilterSpec::min_item_interactions>(
        "split.min_item_interactions", {1, kCountMax},
        "items with fewer interactions in a training period are dropped from it"),
    bool_key<&EC::data, &DC::prepare, &PrepareSpec::filter, &FilterSpec::k_core>(
        "split.k_core", "repeat the two minimum filters until nothing changes"),
    bool_key<&EC::data, &DC::prepare, &PrepareSpec::filter, &FilterSpec::remove_cold_start>(
        "split.remove_cold_start", "drop valid/test users and items absent from their training "
                                   "period"),

    {.key = "models", .type = "list", .allowed = "item_knn|user_knn",
     .help = "which neighbourhood models are tuned, tested and reported",
     .read = keys::read_models, .default_text = text<kModels>, .literal_default = true},

    section("search", "the conditional search space"),
    {.key = "search.measures", .type = "list",
     .help = "similarity measures taking part (the categorical `algorithm`)",
     .read = keys::read_part<read_search_measures, &EC::search>,
     .default_text = default_measures_text, .allowed_text = measure_names_text,
     .literal_default = true, .doc_default = "every registered measure",
     .doc_allowed = "the measures of `knntune similarity --help`"},
    {.key = "search.k", .type = "range",
     .help = "neighbours kept per row, shared by every measure (integer); a number fixes it",
     .read = keys::read_part<read_search_range, &EC::search>, .default_text = default_k_text,
     .allowed_text = engine_bounds_text, .literal_default = true},
    {.key = "search.shrink", .type = "range",
     .help = "shrinkage, shared by every measure; a number fixes it",
     .read = keys::read_part<read_search_range, &EC::search>,
     .default_text = default_shrink_text, .allowed_text = engine_bounds_text,
     .literal_default = true},
    {.key = "search.threshold", .type = "range",
     .help = "score threshold, shared by every measure: tuned when a range, fixed when a number",
     .read = keys::read_part<read_search_range, &EC::search>},
    custom("search.params", "map",
           "per-measure ranges of each measure's own parameters: search.params.MEASURE.PARAM "
           "(a range {low, high, log, step}, or a fixed value: a number, or the value of a "
           "choice or boolean such as rp3beta.variant: literature)",
           keys::read_part<read_search_params, &EC::search>, text<kOwnRanges>),
    custom("search.fixed", "map",
           "similarity parameters given to every trial, e.g. {binary: true, shrink_type: "
           "bayesian}; any parameter of `knntune similarity --help`",
           keys::read_part<read_search_fixed, &EC::search>, text<kEmptyMap>, true),
    custom("search.enqueue", "list",
           "configurations evaluated first, e.g. {algorithm: rp3beta, k: 100, shrink: 0, "
           "alpha: 0.8, beta: 0.4}; every value must lie in its search range",
           keys::read_part<read_search_enqueue, &EC::search>, text<kEmptyList>, true),

    section("tuner", "the sampler and the budget"),
    {.key = "tuner.sampler", .type = "string", .help = "search strategy",
     .read = keys::read_sampler, .default_text = keys::show<&EC::tuner, &TunerConfig::sampler>,
     .allowed_text = sampler_names_text, .literal_default = true,
     .doc_allowed = "a sampler of docs/samplers.md"},
    int_key<&EC::tuner, &TunerConfig::n_trials>(
        "tuner.n_trials", {1, 1e7},
        "finished trials per model (per measure with strategy per_measure)"),
    {.key = "tuner.timeout", .type = "duration", .allowed = "N hours|minutes|seconds",
     .help = "stop asking for trials after this long, per study", .read = keys::read_timeout,
     .default_text = text<kNone>},
    int_key<&EC::tuner, &TunerConfig::seed>("tuner.seed", {0, kSeedMax}, "seed of the sampler"),
    int_key<&EC::tuner, &TunerConfig::parallel_trials>(
        "tuner.parallel_trials", {1, 64},
        "trials evaluated concurrently (the batch size; results depend on it, not on thread "
        "timing)"),
    int_key<&EC::tuner, &TunerConfig::patience>(
        "tuner.patience", {0, 1e7},
        "stop after this many finished trials without improvement (0: off)"),
    int_key<&EC::tuner, &TunerConfig::max_failures>(
        "tuner.max_failures", {0, 1e7},
        "stop with an error once this many trials failed with the same error and none finished "
        "otherwise since (0: never; docs/trial-log.md)"),
    enum_key<&EC::tuner, &TunerConfig::strategy>(
        "tuner.strategy", "race|joint|per_measure",
        "how the budget is spent: race (each measure its own trials, significantly worse "
        "measures stop; docs/race.md), joint (one conditional study), per_measure (one study "
        "per measure, each with n_trials)"),
    int_key<&EC::tuner, &TunerConfig::repeats>(
        "tuner.repeats", {1, 100},
        "whole studies per model, seeds tuner.seed + r (docs/race.md); test takes the best"),
    section("tuner.race", "settings of tuner.strategy: race (docs/race.md)"),
    int_key<&EC::tuner, &TunerConfig::race, &RaceConfig::min_trials>(
        "tuner.race.min_trials", {0, 1e7},
        "trials of every measure before the first test (0: max(8, n_trials / (4 · measures)))"),
    int_key<&EC::tuner, &TunerConfig::race, &RaceConfig::check_every>(
        "tuner.race.check_every", {0, 1e7},
        "trials per measure between two tests (0: min_trials)"),
    float_key<&EC::tuner, &TunerConfig::race, &RaceConfig::alpha>(
        "tuner.race.alpha", {0, 1, true, true},
        "level of the one-sided, Holm-adjusted test that stops a measure"),
    int_key<&EC::tuner, &TunerConfig::race, &RaceConfig::confirm>(
        "tuner.race.confirm", {1, 100},
        "consecutive significant tests that stop a measure (2: one more chance after a miss)"),
    text_choice_key<&EC::tuner, &TunerConfig::race, &RaceConfig::allocation>(
        "tuner.race.allocation", "equal|dimension",
        "trials per round of a racing measure: equal, or in proportion to its number of tuned "
        "parameters"),
    bool_key<&EC::tuner, &TunerConfig::race, &RaceConfig::share>(
        "tuner.race.share", "k and shrink also learn from the other measures' trials"),
    float_key<&EC::tuner, &TunerConfig::race, &RaceConfig::prune_first>(
        "tuner.race.prune_first", {0, 1, false, true},
        "prune trials on nested subsets of validation users: share of the users at the first "
        "check, doubled at each next one (0: off; docs/race.md)"),
    float_key<&EC::tuner, &TunerConfig::race, &RaceConfig::prune_alpha>(
        "tuner.race.prune_alpha", {0, 1, true, true},
        "level of the one-sided paired test that prunes a trial worse than its measure's best"),
    int_key<&EC::tuner, &TunerConfig::cache_max_pairs>(
        "tuner.cache_max_pairs", {0, kCountMax},
        "size limit of the co-occurrence cache reused across trials, in stored pairs (8 bytes "
        "each); 0 turns it off"),
    custom("tuner.settings", "map",
           "sampler settings, checked by the sampler when the config is read; `knntune "
           "config-keys --sampler NAME` and docs/samplers.md list them",
           keys::read_settings, text<kEmptyMap>, true),

    section("objective", "what is optimised"),
    {.key = "objective.metric", .type = "string",
     .help = "metric on the valid period; its direction sets the study's",
     .read = keys::read_metric, .default_text = default_metric_text,
     .allowed_text = metric_names_text, .literal_default = true,
     .doc_allowed = "METRIC@k, METRIC from the table of engine/metrics.hpp"},
    {.key = "objective.extra", .type = "list", .allowed = "metric names",
     .help = "further metrics logged with each trial", .read = keys::read_extra_metrics,
     .default_text = text<kExtra>},

    section("report", "the report"),
    bool_key<&EC::report, &ReportConfig::plots>("report.plots", "render plots with gnuplot"),
    text_choice_key<&EC::report, &ReportConfig::test>(
        "report.test", "wilcoxon|bootstrap",
        "paired test of the best measure against each other one (Holm-corrected)"),
    int_key<&EC::report, &ReportConfig::bootstrap_samples>(
        "report.bootstrap_samples", {100, 100000},
        "resamples for confidence intervals and the bootstrap test"),
    int_key<&EC::report, &ReportConfig::seed>("report.seed", {0, kSeedMax},
                                              "seed of the bootstrap"),
    bool_key<&EC::report, &ReportConfig::embedding>(
        "report.embedding",
        "draw a 2-D map of item embeddings (PCA of the best item-item matrix's columns)"),
    int_key<&EC::report, &ReportConfig::embedding_points>(
        "report.embedding_points", {10, 100000}, "items drawn on the map (most popular first)"),

    section("output", "where results go"),
    {.key = "output.dir", .type = "string", .help = "run folder",
     .read = keys::read_string<&EC::output, &OutputConfig::dir>,
     .default_text = text<kOutputDir>},
    bool_key<&EC::output, &OutputConfig::save_prepared>(
        "output.save_prepared", "write prepared.h5 into the run folder"),
};
// clang-format on

std::string markdown_cell(std::string text) {
    std::string out;
    for (char c : text) {
        if (c == '|') {
            out += " \\| ";
        } else {
            out += c;
        }
    }
    return out.empty() ? "—" : out;
}

}  // namespace

std::span<const ConfigKey> config_keys() { return kKeys; }

std::string key_default(const ConfigKey& k) {
    return k.default_text != nullptr ? k.default_text(k) : std::string();
}

std::string key_allowed(const ConfigKey& k) {
    if (k.allowed_text != nullptr) return k.allowed_text(k);
    if (!k.allowed.empty()) return std::string(k.allowed);
    if (k.type == "int") return int_bounds_text(k.bounds);
    if (k.type == "float") {
        return bounds_text({.name = k.key, .type = KeyType::Real, .bounds = k.bounds});
    }
    return {};
}

std::string config_keys_markdown() {
    std::string out = "| key | type | default | allowed | meaning |\n|---|---|---|---|---|\n";
    for (const ConfigKey& k : kKeys) {
        const std::string def = k.doc_default.empty() ? key_default(k) : std::string(k.doc_default);
        const std::string allowed =
            k.doc_allowed.empty() ? key_allowed(k) : std::string(k.doc_allowed);
        out += "| `" + std::string(k.key) + "` | " + std::string(k.type) + " | " +
               markdown_cell(def) + " | " + markdown_cell(allowed) + " | " + std::string(k.help) +
               (k.required ? " (required)" : "") + " |\n";
    }
    return out;
}

}  // namespace knntune::exp
