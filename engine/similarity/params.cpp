#include "engine/similarity/params.hpp"

#include <charconv>
#include <cmath>
#include <limits>
#include <set>
#include <sstream>

#include "engine/error.hpp"
#include "engine/similarity/registry.hpp"

namespace knntune::engine::similarity {

namespace {

enum class Kind { Integer, Real, Bool, Choice };

using MeasureMask = unsigned;

constexpr MeasureMask bit(Measure m) { return 1U << static_cast<unsigned>(m); }
constexpr MeasureMask kAll = 0x1FFU;
constexpr MeasureMask kP3 = bit(Measure::P3alpha) | bit(Measure::Rp3beta);
constexpr MeasureMask kSPlus = bit(Measure::SPlus);
constexpr double kInf = std::numeric_limits<double>::infinity();

/// One declared parameter. The table below drives defaults, validation and help text.
struct ParamSpec {
    std::string_view name;
    MeasureMask measures;  ///< the measures that accept it
    Kind kind;
    double def;   ///< default for numbers and booleans (0/1)
    double low;   ///< inclusive lower bound (exclusive when `low_open`)
    double high;  ///< inclusive upper bound
    bool low_open;
    std::string_view choices;  ///< for Kind::Choice: "a|b|c", the first is the default
    std::string_view help;
    void (*set)(SimilarityParams&, double number, std::string_view choice);
};

template <class E>
E pick(std::string_view choice, std::string_view choices) {
    int i = 0;
    size_t start = 0;
    while (start <= choices.size()) {
        const size_t end = std::min(choices.find('|', start), choices.size());
        if (choices.substr(start, end - start) == choice) return static_cast<E>(i);
        ++i;
        start = end + 1;
    }
    KNNTUNE_ASSERT(false);
    return E{};
}

// NOTE: choice lists are spelled in enum order, so `pick` maps a validated choice to the enum;
// the first choice is the default.
constexpr std::string_view kShrinkTypes = "stabilized|bayesian|additive";
constexpr std::string_view kWeightings = "none|tfidf|bm25|bm25plus";
constexpr std::string_view kTfModes = "auto|binary|raw|sqrt|freq|log";
constexpr std::string_view kIdfModes = "auto|unary|base|smooth|prob|bm25";
constexpr std::string_view kRowNorms = "none|l1|l2|max";
constexpr std::string_view kPopModes = "none|sum";

// clang-format off
const ParamSpec kParams[] = {
    {"k", kAll, Kind::Integer, 100, 1, 1e9, false, {},
     "neighbours kept per row",
     [](SimilarityParams& p, double v, std::string_view) { p.k = static_cast<Index>(v); }},
    {"shrink", kAll, Kind::Real, 0, 0, kInf, false, {},
     "shrink term; where it enters is set by shrink_type",
     [](SimilarityParams& p, double v, std::string_view) { p.shrink = v; }},
    {"shrink_type", kAll, Kind::Choice, 0, 0, 0, false, kShrinkTypes,
     "stabilized: added to the denominator; bayesian: s·num/(num+shrink); additive: added to "
     "the squared norms of the cosine factors",
     [](SimilarityParams& p, double, std::string_view c) {
         p.shrink_type = pick<ShrinkType>(c, kShrinkTypes); }},
    {"threshold", kAll, Kind::Real, 0, -kInf, kInf, false, {},
     "keep scores >= threshold, tested before top-k (the default drops negative scores)",
     [](SimilarityParams& p, double v, std::string_view) { p.threshold = v; }},
    {"binary", kAll, Kind::Bool, 0, 0, 1, false, {},
     "treat every stored non-zero as 1 (before weighting and normalisation)",
     [](SimilarityParams& p, double v, std::string_view) { p.binary = v != 0; }},
    {"exclude_self", kAll, Kind::Bool, 0, 0, 1, false, {},
     "drop the self-pair s(r,r) before top-k; by default it is kept and takes one of the k places",
     [](SimilarityParams& p, double v, std::string_view) { p.exclude_self = v != 0; }},

    {"alpha", bit(Measure::AsymmetricCosine), Kind::Real, 0.5, 0, 1, false, {},
     "weight of the row side: xy / (X2^alpha · Y2^(1-alpha))",
     [](SimilarityParams& p, double v, std::string_view) { p.alpha = v; }},
    {"alpha", bit(Measure::Tversky), Kind::Real, 1, 0, kInf, false, {},
     "Tversky coefficient of the row side",
     [](SimilarityParams& p, double v, std::string_view) { p.alpha = v; }},
    {"beta", bit(Measure::Tversky), Kind::Real, 1, 0, kInf, false, {},
     "Tversky coefficient of the column side",
     [](SimilarityParams& p, double v, std::string_view) { p.beta = v; }},
    {"alpha", kP3, Kind::Real, 1, 0, kInf, false, {},
     "exponent applied to the L1-normalised transition probabilities",
     [](SimilarityParams& p, double v, std::string_view) { p.alpha = v; }},
    {"beta", bit(Measure::Rp3beta), Kind::Real, 1, 0, kInf, false, {},
     "popularity penalty: divide by pop(col)^beta",
     [](SimilarityParams& p, double v, std::string_view) { p.beta = v; }},

    {"l", kSPlus, Kind::Real, 0.5, 0, 1, false, {},
     "classic form: l1 = l, l2 = 1 - l",
     [](SimilarityParams& p, double v, std::string_view) { p.l1 = v; p.l2 = 1 - v; }},
    {"c", kSPlus, Kind::Real, 0.5, 0, 1, false, {},
     "classic form: c1 = c, c2 = 1 - c",
     [](SimilarityParams& p, double v, std::string_view) { p.c1 = v; p.c2 = 1 - v; }},
    {"t1", kSPlus, Kind::Real, 1, 0, kInf, false, {},
     "Tversky coefficient of the row side",
     [](SimilarityParams& p, double v, std::string_view) { p.t1 = v; }},
    {"t2", kSPlus, Kind::Real, 1, 0, kInf, false, {},
     "Tversky coefficient of the column side",
     [](SimilarityParams& p, double v, std::string_view) { p.t2 = v; }},
    {"l1", kSPlus, Kind::Real, 0.5, 0, kInf, false, {},
     "general form: weight of the Tversky term",
     [](SimilarityParams& p, double v, std::string_view) { p.l1 = v; }},
    {"l2", kSPlus, Kind::Real, 0.5, 0, kInf, false, {},
     "general form: weight of the cosine term",
     [](SimilarityParams& p, double v, std::string_view) { p.l2 = v; }},
    {"l3", kSPlus, Kind::Real, 0, 0, kInf, false, {},
     "general form: weight of the popularity term pop1^beta1 · pop2^beta2",
     [](SimilarityParams& p, double v, std::string_view) { p.l3 = v; }},
    {"c1", kSPlus, Kind::Real, 0.5, 0, kInf, false, {},
     "general form: cosine exponent of the row side",
     [](SimilarityParams& p, double v, std::string_view) { p.c1 = v; }},
    {"c2", kSPlus, Kind::Real, 0.5, 0, kInf, false, {},
     "general form: cosine exponent of the column side",
     [](SimilarityParams& p, double v, std::string_view) { p.c2 = v; }},
    {"pop1", kSPlus, Kind::Choice, 0, 0, 0, false, kPopModes,
     "popularity of the row side: none (1) or sum (row sums of the input)",
     [](SimilarityParams& p, double, std::string_view c) { p.pop1 = pick<PopMode>(c, kPopModes); }},
    {"pop2", kSPlus, Kind::Choice, 0, 0, 0, false, kPopModes,
     "popularity of the column side: none (1) or sum (column sums of the input)",
     [](SimilarityParams& p, double, std::string_view c) { p.pop2 = pick<PopMode>(c, kPopModes); }},
    {"alpha", kSPlus, Kind::Real, 1, 0, kInf, true, {},
     "power applied to the co-occurrence xy in the numerator",
     [](SimilarityParams& p, double v, std::string_view) { p.alpha = v; }},
    {"beta1", kSPlus, Kind::Real, 0, 0, kInf, false, {},
     "popularity exponent of the row side",
     [](SimilarityParams& p, double v, std::string_view) { p.beta1 = v; }},
    {"beta2", kSPlus, Kind::Real, 0, 0, kInf, false, {},
     "popularity exponent of the column side",
     [](SimilarityParams& p, double v, std::string_view) { p.beta2 = v; }},

    {"weighting", kAll, Kind::Choice, 0, 0, 0, false, kWeightings,
     "term weighting of the compared rows (item × user for item-KNN) before the similarity",
     [](SimilarityParams& p, double, std::string_view c) {
         p.weighting = pick<Weighting>(c, kWeightings); }},
    {"tf_mode", kAll, Kind::Choice, 0, 0, 0, false, kTfModes,
     "term frequency: auto (tfidf: sqrt, bm25: raw), binary, raw, sqrt, freq, log",
     [](SimilarityParams& p, double, std::string_view c) { p.tf_mode = pick<TfMode>(c, kTfModes); }},
    {"idf_mode", kAll, Kind::Choice, 0, 0, 0, false, kIdfModes,
     "inverse document frequency: auto (tfidf: smooth, bm25: bm25), unary, base, smooth, prob, bm25",
     [](SimilarityParams& p, double, std::string_view c) {
         p.idf_mode = pick<IdfMode>(c, kIdfModes); }},
    {"bm25_k1", kAll, Kind::Real, 1.2, 0, kInf, false, {},
     "BM25 term saturation k1 (bm25, bm25plus)",
     [](SimilarityParams& p, double v, std::string_view) { p.bm25_k1 = v; }},
    {"bm25_b", kAll, Kind::Real, 0.75, 0, 1, false, {},
     "BM25 length normalisation b (bm25, bm25plus)",
     [](SimilarityParams& p, double v, std::string_view) { p.bm25_b = v; }},
    {"bm25_delta", kAll, Kind::Real, 1, 0, kInf, false, {},
     "BM25+ lower bound delta (bm25plus)",
     [](SimilarityParams& p, double v, std::string_view) { p.bm25_delta = v; }},
    {"logbase", kAll, Kind::Real, 2.718281828459045, 1, kInf, true, {},
     "base of the logarithms in tf/idf (default e)",
     [](SimilarityParams& p, double v, std::string_view) { p.logbase = v; }},
    {"normalize", kAll, Kind::Choice, 0, 0, 0, false, kRowNorms,
     "row normalisation after weighting: none, l1, l2, max",
     [](SimilarityParams& p, double, std::string_view c) { p.normalize = pick<RowNorm>(c, kRowNorms); }},
};
// clang-format on

std::vector<std::string_view> split_choices(std::string_view choices) {
    std::vector<std::string_view> out;
    size_t start = 0;
    while (start <= choices.size()) {
        const size_t end = std::min(choices.find('|', start), choices.size());
        out.push_back(choices.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

std::string join(const std::vector<std::string_view>& names) {
    std::string out;
    for (std::string_view n : names) {
        if (!out.empty()) out += ", ";
        out += n;
    }
    return out;
}

std::string format_number(double v) {
    if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
    std::ostringstream s;
    s << v;
    return s.str();
}

std::string bounds_text(const ParamSpec& spec) {
    switch (spec.kind) {
        case Kind::Bool:
            return "true|false";
        case Kind::Choice:
            return std::string(spec.choices);
        case Kind::Integer:
        case Kind::Real: {
            std::string text = spec.low_open ? "(" : "[";
            text += format_number(spec.low) + ", " + format_number(spec.high);
            text += std::isinf(spec.high) ? ")" : "]";
            return text;
        }
    }
    return {};
}

std::string default_text(const ParamSpec& spec) {
    switch (spec.kind) {
        case Kind::Bool:
            return spec.def != 0 ? "true" : "false";
        case Kind::Choice:
            return std::string(split_choices(spec.choices).front());
        case Kind::Integer:
        case Kind::Real:
            return format_number(spec.def);
    }
    return {};
}

const ParamSpec* find_spec(Measure m, std::string_view name) {
    for (const ParamSpec& spec : kParams) {
        if (spec.name == name && (spec.measures & bit(m)) != 0) return &spec;
    }
    return nullptr;
}

std::vector<std::string_view> names_for(Measure m) {
    std::vector<std::string_view> out;
    for (const ParamSpec& spec : kParams) {
        if ((spec.measures & bit(m)) != 0) out.push_back(spec.name);
    }
    return out;
}

bool parse_double(std::string_view text, double& out) {
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, out);
    return ec == std::errc() && ptr == end;
}

/// Applies one user value to `p`, validating type and range.
void apply(const ParamSpec& spec, Measure m, const ParamValue& value, SimilarityParams& p) {
    const std::string where =
        "parameter '" + std::string(spec.name) + "' of " + std::string(measure_name(m));
    const std::string* text = std::get_if<std::string>(&value);
    switch (spec.kind) {
        case Kind::Choice: {
            const auto choices = split_choices(spec.choices);
            if (text != nullptr) {
                for (size_t i = 0; i < choices.size(); ++i) {
                    if (choices[i] == *text) {
                        spec.set(p, 0, choices[i]);
                        return;
                    }
                }
            }
            throw ParamError(where + ": expected one of " + join(choices));
        }
        case Kind::Bool: {
            double v = 0;
            if (text != nullptr) {
                if (*text == "true" || *text == "1")
                    v = 1;
                else if (*text == "false" || *text == "0")
                    v = 0;
                else
                    throw ParamError(where + ": expected true or false, got '" + *text + "'");
            } else {
                v = std::get<double>(value);
                if (v != 0 && v != 1) throw ParamError(where + ": expected true or false");
            }
            spec.set(p, v, {});
            return;
        }
        case Kind::Integer:
        case Kind::Real: {
            double v = 0;
            if (text != nullptr) {
                if (!parse_double(*text, v)) {
                    throw ParamError(where + ": expected a number, got '" + *text + "'");
                }
            } else {
                v = std::get<double>(value);
            }
            if (std::isnan(v)) throw ParamError(where + ": value is NaN");
            if (spec.kind == Kind::Integer && v != std::floor(v)) {
                throw ParamError(where + ": expected an integer, got " + format_number(v));
            }
            const bool below = spec.low_open ? v <= spec.low : v < spec.low;
            if (below || v > spec.high) {
                throw ParamError(where + " = " + format_number(v) + " is out of range " +
                                 bounds_text(spec));
            }
            spec.set(p, v, {});
            return;
        }
    }
}

}  // namespace

Measure measure_from_name(std::string_view name) {
    for (const MeasureInfo& info : measure_table()) {
        if (info.name == name) return info.id;
    }
    throw ParamError("unknown similarity measure '" + std::string(name) +
                     "'; valid measures: " + join(measure_names()));
}

std::string_view measure_name(Measure m) { return measure_info(m).name; }

std::vector<std::string_view> measure_names() {
    std::vector<std::string_view> out;
    for (const MeasureInfo& info : measure_table()) out.push_back(info.name);
    return out;
}

Orientation orientation_from_name(std::string_view name) {
    if (name == "item") return Orientation::Item;
    if (name == "user") return Orientation::User;
    throw ParamError("unknown orientation '" + std::string(name) + "'; valid: item, user");
}

SimilarityParams parse_params(Measure measure, const ParamMap& values) {
    SimilarityParams p;
    // Defaults first, from the same table.
    for (const ParamSpec& spec : kParams) {
        if ((spec.measures & bit(measure)) == 0) continue;
        if (spec.kind == Kind::Choice) {
            spec.set(p, 0, split_choices(spec.choices).front());
        } else if (spec.name != "l" && spec.name != "c") {
            spec.set(p, spec.def, {});
        }
    }
    for (const auto& [name, value] : values) {
        const ParamSpec* spec = find_spec(measure, name);
        if (spec == nullptr) {
            bool known = false;
            for (const ParamSpec& s : kParams) known = known || s.name == name;
            throw ParamError(std::string(known ? "parameter '" : "unknown parameter '") + name +
                             (known ? "' does not apply to " : "' for ") +
                             std::string(measure_name(measure)) +
                             "; valid parameters: " + join(names_for(measure)));
        }
        apply(*spec, measure, value, p);
    }
    // NOTE: the classic S-plus form (l, c) and the general one (l1, l2, c1, c2) set the same
    // weights; giving both is ambiguous, so it is an error rather than a silent override.
    if (measure == Measure::SPlus) {
        const bool classic = values.contains("l") || values.contains("c");
        const bool general = values.contains("l1") || values.contains("l2") ||
                             values.contains("c1") || values.contains("c2");
        if (classic && general) {
            throw ParamError(
                "s_plus: give either the classic form (l, c) or the general form (l1, l2, c1, "
                "c2), not both");
        }
    }
    // Keys that only matter for some weightings: an unused key is an error.
    const auto given = [&](std::string_view n) { return values.find(n) != values.end(); };
    if (p.weighting == Weighting::None) {
        for (std::string_view n :
             {"tf_mode", "idf_mode", "bm25_k1", "bm25_b", "bm25_delta", "logbase"}) {
            if (given(n)) {
                throw ParamError("parameter '" + std::string(n) +
                                 "' needs weighting = tfidf, bm25 or bm25plus");
            }
        }
    } else if (p.weighting == Weighting::Tfidf) {
        for (std::string_view n : {"bm25_k1", "bm25_b", "bm25_delta"}) {
            if (given(n)) {
                throw ParamError("parameter '" + std::string(n) +
                                 "' needs weighting = bm25 or bm25plus");
            }
        }
    } else if (p.weighting == Weighting::Bm25 && given("bm25_delta")) {
        throw ParamError("parameter 'bm25_delta' needs weighting = bm25plus");
    }
    return p;
}

std::string params_help(std::optional<Measure> measure) {
    std::ostringstream out;
    std::set<std::pair<std::string_view, std::string_view>> seen;
    for (const ParamSpec& spec : kParams) {
        if (measure && (spec.measures & bit(*measure)) == 0) continue;
        std::string scope;
        if (spec.measures != kAll) {
            std::vector<std::string_view> ms;
            for (const MeasureInfo& info : measure_table()) {
                if ((spec.measures & bit(info.id)) != 0) ms.push_back(info.name);
            }
            scope = " (" + join(ms) + ")";
        }
        if (!seen.insert({spec.name, spec.help}).second) continue;
        std::string head = "  " + std::string(spec.name) + "=" + default_text(spec);
        if (head.size() < 26) head.resize(26, ' ');
        out << head << ' ' << bounds_text(spec) << scope << "\n"
            << std::string(27, ' ') << spec.help << "\n";
    }
    return out.str();
}

}  // namespace knntune::engine::similarity
