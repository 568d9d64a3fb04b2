#pragma once
/// Declared keys: every knob of a component (the common similarity parameters, each measure's
/// own parameters, each sampler's settings) is one entry of one table, giving its name, type,
/// bounds and one line of help. The table drives parsing and validation, `--help` text and
/// the generated docs.
///
/// The default of a key is not written in the table: it is read from a default-constructed
/// target (`get(T{})`), so it lives in exactly one place, the target struct's initialiser.
///
///     struct TverskyParams {
///         double alpha = 1.0;
///         double beta = 1.0;
///     };
///     constexpr Key<TverskyParams> kTverskyKeys[] = {
///         real_key<&TverskyParams::alpha>("alpha", {0, kInf}, "row-side coefficient"),
///         real_key<&TverskyParams::beta>("beta", {0, kInf}, "column-side coefficient"),
///     };
///     TverskyParams p;
///     const Key<TverskyParams>& k = kTverskyKeys[0];
///     k.set(p, parse_value<ParamError>(k.info, Value(0.7), "parameter 'alpha' of tversky"));

#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

namespace knntune {

inline constexpr double kInf = std::numeric_limits<double>::infinity();

/// A value as given by a config file, the command line or a JSON object: a number, or text
/// (which may also spell a number or a boolean).
using Value = std::variant<double, std::string>;

/// Name → value, as given.
using ValueMap = std::map<std::string, Value, std::less<>>;

enum class KeyType { Int, Real, Bool, Choice };

/// Allowed numbers: [low, high], either end open on request.
struct Bounds {
    double low = -kInf;
    double high = kInf;
    bool low_open = false;
    bool high_open = false;
    [[nodiscard]] constexpr bool contains(double v) const {
        return (low_open ? v > low : v >= low) && (high_open ? v < high : v <= high);
    }
};

/// The range a key is tuned over when the experiment config gives none.
struct SearchRange {
    double low = 0;
    double high = 1;
    bool log = false;
};

/// The part of a key that does not depend on its target struct.
struct KeyInfo {
    std::string_view name;
    KeyType type = KeyType::Real;
    Bounds bounds{};
    std::string_view choices{};  ///< Choice only: "a|b|c", in the order of the enum's values
    std::string_view help{};
    std::optional<SearchRange> search{};  ///< tuned by default over this range
};

/// A validated value: the number (Int, Real; Bool as 0 or 1) or the choice's index.
struct Parsed {
    double number = 0;
    std::size_t choice = 0;
};

/// One key bound to a field of `T` (or to several, for an alias).
template <class T>
struct Key {
    KeyInfo info;
    void (*set)(T&, const Parsed&);
    Value (*get)(const T&);
};

/// The choices of a Choice key, in order.
[[nodiscard]] std::vector<std::string_view> split_choices(std::string_view choices);

/// "0.5", "true", "bayesian": how `value` of `info` reads in help text and docs. A Choice
/// value may be given as its label or as its index.
[[nodiscard]] std::string value_text(const KeyInfo& info, const Value& value);

/// "[0, inf)", "(0, 1]", "true|false", "a|b|c".
[[nodiscard]] std::string bounds_text(const KeyInfo& info);

/// The message of a bad value, or nothing when `value` is valid for `info`. `where` starts
/// the message, e.g. "parameter 'alpha' of tversky".
[[nodiscard]] std::optional<std::string> check_value(const KeyInfo& info, const Value& value,
                                                     std::string_view where, Parsed& out);

/// `check_value`, throwing `E(message)` on a bad value.
template <class E>
Parsed parse_value(const KeyInfo& info, const Value& value, std::string_view where) {
    Parsed out;
    if (auto message = check_value(info, value, where, out)) throw E(*message);
    return out;
}

/// The key called `name`, or null.
template <class T>
const Key<T>* find_key(std::span<const Key<T>> keys, std::string_view name) {
    for (const Key<T>& k : keys) {
        if (k.info.name == name) return &k;
    }
    return nullptr;
}

/// The names of `keys`, in table order.
template <class T>
std::vector<std::string_view> key_names(std::span<const Key<T>> keys) {
    std::vector<std::string_view> out;
    for (const Key<T>& k : keys) out.push_back(k.info.name);
    return out;
}

/// The KeyInfo part of each key, in table order: the view of a table that needs no target
/// struct (help, docs, search ranges).
template <class T, std::size_t N>
constexpr std::array<KeyInfo, N> key_infos(const std::array<Key<T>, N>& keys) {
    std::array<KeyInfo, N> out{};
    for (std::size_t i = 0; i < N; ++i) out[i] = keys[i].info;
    return out;
}

/// The default of `key`, as text.
template <class T>
std::string default_text(const Key<T>& key) {
    return value_text(key.info, key.get(T{}));
}

/// "tuned over [0, 2]" (", log scale" when so) for a key with a default search range, else "".
[[nodiscard]] std::string search_text(const KeyInfo& info);

/// One help entry per key: "  name=default  bounds (scope); tuned over [a, b]\n      help\n".
template <class T>
std::string keys_help(std::span<const Key<T>> keys, std::string_view scope = {}) {
    std::string out;
    for (const Key<T>& k : keys) {
        std::string head = "  " + std::string(k.info.name) + "=" + default_text(k);
        if (head.size() < 26) head.resize(26, ' ');
        out += head + ' ' + bounds_text(k.info);
        if (!scope.empty()) out += " (" + std::string(scope) + ")";
        if (k.info.search) out += "; " + search_text(k.info);
        out += "\n" + std::string(27, ' ') + std::string(k.info.help) + "\n";
    }
    return out;
}

// ---- declaring keys ------------------------------------------------------------------------

namespace detail {
template <class M>
struct MemberOf;
template <class C, class F>
struct MemberOf<F C::*> {
    using Class = C;
    using Field = F;
};
}  // namespace detail

/// The struct that member pointer `Member` belongs to.
template <auto Member>
using ClassOf = typename detail::MemberOf<decltype(Member)>::Class;

/// A key bound to `Member`: a bool member reads 0/1, an enum member the choice's index, an
/// arithmetic member the number.
template <auto Member>
constexpr Key<ClassOf<Member>> make_key(KeyInfo info) {
    using T = ClassOf<Member>;
    using F = typename detail::MemberOf<decltype(Member)>::Field;
    return {info,
            [](T& t, const Parsed& p) {
                if constexpr (std::is_same_v<F, bool>) {
                    t.*Member = p.number != 0;
                } else if constexpr (std::is_enum_v<F>) {
                    t.*Member = static_cast<F>(p.choice);
                } else {
                    t.*Member = static_cast<F>(p.number);
                }
            },
            [](const T& t) { return Value(static_cast<double>(t.*Member)); }};
}

/// A real-valued key stored in a double (or float) member.
template <auto Member>
constexpr Key<ClassOf<Member>> real_key(std::string_view name, Bounds bounds, std::string_view help,
                                        std::optional<SearchRange> search = std::nullopt) {
    return make_key<Member>({name, KeyType::Real, bounds, {}, help, search});
}

/// An integer key stored in an integral member.
template <auto Member>
constexpr Key<ClassOf<Member>> int_key(std::string_view name, Bounds bounds, std::string_view help,
                                       std::optional<SearchRange> search = std::nullopt) {
    return make_key<Member>({name, KeyType::Int, bounds, {}, help, search});
}

/// A boolean key stored in a bool member.
template <auto Member>
constexpr Key<ClassOf<Member>> bool_key(std::string_view name, std::string_view help) {
    return make_key<Member>({name, KeyType::Bool, {0, 1}, {}, help, std::nullopt});
}

/// A choice key stored in an enum member whose values are 0, 1, ... in `choices` order. Its
/// getter gives the value's index (as a number), which `value_text` turns into the label.
template <auto Member>
constexpr Key<ClassOf<Member>> choice_key(std::string_view name, std::string_view choices,
                                          std::string_view help) {
    return make_key<Member>({name, KeyType::Choice, {}, choices, help, std::nullopt});
}

}  // namespace knntune
