#include "engine/similarity/params.hpp"

#include <array>
#include <string>
#include <utility>

#include "common/text.hpp"
#include "engine/error.hpp"

namespace knntune::engine::similarity {

namespace {

// NOTE: choice lists are spelled in enum order (choice_key maps a choice's index to the enum
// value); the defaults are the initialisers of CommonParams.
// clang-format off
constexpr std::array kCommonKeys = {
    int_key<&CommonParams::k>("k", {1, 1e9}, "neighbours kept per row"),
    real_key<&CommonParams::shrink>("shrink", {0, kInf},
        "shrink term; where it enters is set by shrink_type"),
    choice_key<&CommonParams::shrink_type>("shrink_type", "stabilized|bayesian|additive",
        "stabilized: added to the denominator; bayesian: s·num/(num+shrink); additive: added to "
        "the squared norms of the cosine factors"),
    real_key<&CommonParams::threshold>("threshold", {},
        "keep scores >= threshold, tested before top-k (the default drops negative scores)"),
    bool_key<&CommonParams::binary>("binary",
        "treat every stored non-zero as 1 (before weighting and normalisation)"),
    bool_key<&CommonParams::exclude_self>("exclude_self",
        "drop the self-pair s(r,r) before top-k; by default it is kept and takes one of the k "
        "places"),
    choice_key<&CommonParams::weighting>("weighting", "none|tfidf|bm25|bm25plus",
        "term weighting of the compared rows (item × user for item-KNN) before the similarity"),
    choice_key<&CommonParams::tf_mode>("tf_mode", "auto|binary|raw|sqrt|freq|log",
        "term frequency: auto (tfidf: sqrt, bm25: raw), binary, raw, sqrt, freq, log"),
    choice_key<&CommonParams::idf_mode>("idf_mode", "auto|unary|base|smooth|prob|bm25",
        "inverse document frequency: auto (tfidf: smooth, bm25: bm25), unary, base, smooth, "
        "prob, bm25"),
    real_key<&CommonParams::bm25_k1>("bm25_k1", {0, kInf},
        "BM25 term saturation k1 (bm25, bm25plus)"),
    real_key<&CommonParams::bm25_b>("bm25_b", {0, 1},
        "BM25 length normalisation b (bm25, bm25plus)"),
    real_key<&CommonParams::bm25_delta>("bm25_delta", {0, kInf},
        "BM25+ lower bound delta (bm25plus)"),
    real_key<&CommonParams::logbase>("logbase", {.low = 1, .low_open = true},
        "base of the logarithms in tf/idf (default e)"),
    choice_key<&CommonParams::normalize>("normalize", "none|l1|l2|max",
        "row normalisation after weighting: none, l1, l2, max"),
};
// clang-format on

/// A key that only matters for some weightings: giving it with another one is an error.
///
/// NOTE: the weightings are nested (tfidf uses tf/idf modes and logbase, bm25 adds k1 and b,
/// bm25plus adds delta), so a key needs its first weighting or a later one, in the order of
/// the `weighting` choices.
struct WeightingRule {
    std::string_view key;
    Weighting first;
};

constexpr WeightingRule kWeightingRules[] = {
    {"tf_mode", Weighting::Tfidf},       {"idf_mode", Weighting::Tfidf},
    {"bm25_k1", Weighting::Bm25},        {"bm25_b", Weighting::Bm25},
    {"bm25_delta", Weighting::Bm25Plus}, {"logbase", Weighting::Tfidf},
};

/// "tfidf, bm25 or bm25plus": the weightings from `first` on.
std::string weightings_from(Weighting first) {
    const auto all = split_choices(find_key<CommonParams>(kCommonKeys, "weighting")->info.choices);
    const std::span<const std::string_view> from =
        std::span(all).subspan(static_cast<std::size_t>(first));
    if (from.size() == 1) return std::string(from.front());
    return join(from.first(from.size() - 1)) + " or " + std::string(from.back());
}

void check_weighting_keys(const CommonParams& p, const ParamMap& values) {
    for (const WeightingRule& rule : kWeightingRules) {
        if (p.weighting < rule.first && values.contains(rule.key)) {
            // Without any weighting the message names every weighting, as every one of these
            // keys needs one first.
            const Weighting from = p.weighting == Weighting::None ? Weighting::Tfidf : rule.first;
            throw ParamError("parameter '" + std::string(rule.key) +
                             "' needs weighting = " + weightings_from(from));
        }
    }
}

constexpr auto kCommonInfos = key_infos(kCommonKeys);

std::vector<std::string_view> names_of(std::span<const KeyInfo> keys) {
    std::vector<std::string_view> out;
    for (const KeyInfo& k : keys) out.push_back(k.name);
    return out;
}

const KeyInfo* find_info(std::span<const KeyInfo> keys, std::string_view name) {
    for (const KeyInfo& k : keys) {
        if (k.name == name) return &k;
    }
    return nullptr;
}

/// The error for a key that `measure` does not accept: one of another measure, or unknown.
ParamError not_accepted(Measure measure, const std::string& name) {
    bool known = false;
    for (const MeasureInfo& info : measure_table()) {
        known = known || find_info(info.keys, name) != nullptr;
    }
    std::vector<std::string_view> valid = names_of(common_keys());
    for (std::string_view n : names_of(own_keys(measure))) valid.push_back(n);
    const std::string m(measure_name(measure));
    return ParamError((known ? "parameter '" + name + "' does not apply to " + m
                             : "unknown parameter '" + name + "' for " + m) +
                      "; valid parameters: " + join(valid));
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
    return visit_measure(measure, [&]<class M>(std::type_identity<M>) -> SimilarityParams {
        using Own = typename M::Params;
        SimilarityParams p{CommonParams{}, MeasureParams(std::in_place_index<kMeasureIndex<M>>)};
        Own& own = std::get<kMeasureIndex<M>>(p.own);
        for (const auto& [name, value] : values) {
            const std::string where = "parameter '" + name + "' of " + std::string(M::kName);
            if (const Key<CommonParams>* key = find_key<CommonParams>(kCommonKeys, name)) {
                key->set(p, parse_value<ParamError>(key->info, value, where));
            } else if (const Key<Own>* own_key = find_key<Own>(M::kKeys, name)) {
                own_key->set(own, parse_value<ParamError>(own_key->info, value, where));
            } else {
                throw not_accepted(measure, name);
            }
        }
        if constexpr (requires { M::validate(values); }) M::validate(values);
        check_weighting_keys(p, values);
        if constexpr (requires { M::check(p, own); }) M::check(p, own);
        return p;
    });
}

void check_params(Measure measure, const SimilarityParams& p) {
    const auto check = [&](const KeyInfo& info, const Value& v) {
        // A choice reads back as its index; it is checked by its label.
        const Value given = info.type == KeyType::Choice ? Value(value_text(info, v)) : v;
        (void)parse_value<ParamError>(
            info, given,
            "parameter '" + std::string(info.name) + "' of " + std::string(measure_name(measure)));
    };
    for (const Key<CommonParams>& key : kCommonKeys) check(key.info, key.get(p));
    visit_measure(measure, [&]<class M>(std::type_identity<M>) {
        const typename M::Params& own = own_params<M>(p);
        for (const auto& key : M::kKeys) check(key.info, key.get(own));
        if constexpr (requires { M::check(p, own); }) M::check(p, own);
    });
}

std::string params_help(std::optional<Measure> measure) {
    std::string out = keys_help<CommonParams>(kCommonKeys);
    for (const MeasureInfo& info : measure_table()) {
        if (measure && info.id != *measure) continue;
        out += visit_measure(info.id, []<class M>(std::type_identity<M>) -> std::string {
            return keys_help<typename M::Params>(M::kKeys, M::kName);
        });
    }
    return out;
}

std::span<const KeyInfo> common_keys() { return kCommonInfos; }

std::span<const KeyInfo> own_keys(Measure measure) { return measure_info(measure).keys; }

Value key_default(Measure measure, std::string_view name) {
    if (const Key<CommonParams>* key = find_key<CommonParams>(kCommonKeys, name)) {
        return key->get(CommonParams{});
    }
    return visit_measure(measure, [&]<class M>(std::type_identity<M>) -> Value {
        using Own = typename M::Params;
        if (const Key<Own>* key = find_key<Own>(M::kKeys, name)) return key->get(Own{});
        throw not_accepted(measure, std::string(name));
    });
}

std::string key_default_text(Measure measure, std::string_view name) {
    const Value v = key_default(measure, name);
    const KeyInfo* info = find_info(common_keys(), name);
    return value_text(info != nullptr ? *info : *find_info(own_keys(measure), name), v);
}

}  // namespace knntune::engine::similarity
