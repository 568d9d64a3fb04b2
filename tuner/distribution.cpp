#include "tuner/distribution.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <set>
#include <sstream>

#include "tuner/error.hpp"

namespace knntune::tuner {

namespace {

// NOTE: a step "divides" a range when (high − low)/step is within 1e-9 of an integer; exact
// equality would reject 0.1-steps on [0, 1] because of binary rounding.
bool divides(double range, double step) {
    const double m = range / step;
    return std::abs(m - std::round(m)) <= 1e-9 * std::max(1.0, std::abs(m));
}

std::string fmt(double x) {
    std::ostringstream s;
    s.precision(15);
    s << x;
    return s.str();
}

}  // namespace

std::string_view kind_name(DistributionKind kind) {
    // Index = DistributionKind.
    constexpr std::string_view kNames[] = {"float", "int", "categorical"};
    static_assert(std::size(kNames) == static_cast<std::size_t>(DistributionKind::Categorical) + 1);
    return kNames[static_cast<std::size_t>(kind)];
}

Distribution Distribution::make_float(double low, double high, bool log, double step) {
    Distribution d;
    d.kind = DistributionKind::Float;
    d.low = low;
    d.high = high;
    d.log = log;
    d.step = step;
    return d;
}

Distribution Distribution::make_int(std::int64_t low, std::int64_t high, bool log,
                                    std::int64_t step) {
    Distribution d;
    d.kind = DistributionKind::Int;
    d.low = static_cast<double>(low);
    d.high = static_cast<double>(high);
    d.log = log;
    d.step = static_cast<double>(step);
    return d;
}

Distribution Distribution::make_categorical(std::vector<std::string> choices) {
    Distribution d;
    d.kind = DistributionKind::Categorical;
    d.low = 0.0;
    d.high = choices.empty() ? 0.0 : static_cast<double>(choices.size() - 1);
    d.choices = std::move(choices);
    return d;
}

void Distribution::validate(std::string_view where) const {
    const std::string at = " in " + std::string(where);
    if (kind == DistributionKind::Categorical) {
        if (choices.empty()) throw SpaceError("categorical with no choices" + at);
        std::set<std::string> seen;
        for (const std::string& c : choices) {
            if (c.empty()) throw SpaceError("empty choice label" + at);
            if (!seen.insert(c).second) throw SpaceError("duplicate choice '" + c + "'" + at);
        }
        return;
    }
    if (!std::isfinite(low) || !std::isfinite(high)) {
        throw SpaceError("bounds must be finite numbers" + at);
    }
    if (low > high) {
        throw SpaceError("empty range: low " + fmt(low) + " > high " + fmt(high) + at);
    }
    if (log && low <= 0.0) {
        throw SpaceError("log scale needs low > 0, got low " + fmt(low) + at);
    }
    if (!std::isfinite(step) || step < 0.0) throw SpaceError("step must be ≥ 0" + at);
    if (kind == DistributionKind::Int) {
        if (low != std::floor(low) || high != std::floor(high)) {
            throw SpaceError("int bounds must be integers, got [" + fmt(low) + ", " + fmt(high) +
                             "]" + at);
        }
        if (step < 1.0 || step != std::floor(step)) {
            throw SpaceError("int step must be an integer ≥ 1, got " + fmt(step) + at);
        }
        if (log && step != 1.0) throw SpaceError("log scale needs step 1 for an int" + at);
    } else if (log && step > 0.0) {
        throw SpaceError("a float cannot have both log scale and a step" + at);
    }
    if (step > 0.0 && !divides(high - low, step)) {
        throw SpaceError("step " + fmt(step) + " does not divide the range [" + fmt(low) + ", " +
                         fmt(high) + "]" + at);
    }
}

std::int64_t Distribution::n_grid_points() const {
    if (is_categorical()) return static_cast<std::int64_t>(choices.size());
    if (!is_stepped()) return 0;
    return static_cast<std::int64_t>(std::llround((high - low) / step)) + 1;
}

double Distribution::internal_low() const {
    if (is_categorical()) return 0.0;
    if (kind == DistributionKind::Int && log) return std::log(low - 0.5);
    if (log) return std::log(low);
    if (is_stepped()) return low - 0.5 * step;
    return low;
}

double Distribution::internal_high() const {
    if (is_categorical()) return static_cast<double>(choices.size()) - 1.0;
    if (kind == DistributionKind::Int && log) return std::log(high + 0.5);
    if (log) return std::log(high);
    if (is_stepped()) return high + 0.5 * step;
    return high;
}

double Distribution::to_internal(double external) const {
    return (log && !is_categorical()) ? std::log(external) : external;
}

double Distribution::to_external(double internal) const {
    if (is_categorical()) {
        return std::clamp(std::round(internal), 0.0, static_cast<double>(choices.size() - 1));
    }
    double x = log ? std::exp(internal) : internal;
    if (is_stepped()) {
        const double m = std::round((x - low) / step);
        x = low + std::clamp(m, 0.0, static_cast<double>(n_grid_points() - 1)) * step;
    }
    return std::clamp(x, low, high);
}

bool Distribution::contains(double external) const {
    if (!std::isfinite(external)) return false;
    if (is_categorical()) {
        return external >= 0.0 && external == std::floor(external) &&
               external < static_cast<double>(choices.size());
    }
    if (external < low || external > high) return false;
    if (is_stepped()) return divides(external - low, step);
    return true;
}

bool Distribution::in_range(double external) const {
    if (is_categorical()) {
        return external >= 0 && external < static_cast<double>(choices.size()) &&
               external == std::floor(external);
    }
    return external >= low && external <= high;
}

std::string Distribution::describe() const {
    std::ostringstream s;
    s << kind_name(kind);
    if (is_categorical()) {
        s << " {";
        for (std::size_t i = 0; i < choices.size(); ++i) s << (i ? ", " : "") << choices[i];
        s << "}";
        return s.str();
    }
    s << " [" << fmt(low) << ", " << fmt(high) << "]";
    if (log) s << " log";
    if (step > 0.0 && !(kind == DistributionKind::Int && step == 1.0)) s << " step " << fmt(step);
    return s.str();
}

std::string Distribution::format(double external) const {
    if (std::isnan(external)) return "";
    if (is_categorical()) {
        const auto i = static_cast<std::size_t>(external);
        return i < choices.size() ? choices[i] : fmt(external);
    }
    if (kind == DistributionKind::Int) return std::to_string(std::llround(external));
    return fmt(external);
}

}  // namespace knntune::tuner
