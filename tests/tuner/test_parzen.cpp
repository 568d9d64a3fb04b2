// Parity of the Parzen estimator with Optuna 3.1.0: every vector file (vendored in
// tests/fixtures/reference/tpe) is loaded and compared within the tolerances of
// tests/fixtures/README.md.

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <sstream>
#include <string>

#include "tests/support/reference.hpp"
#include "tuner/parzen.hpp"

namespace json = boost::json;
using namespace knntune::tuner;

namespace {

json::value load(const std::string& name) {
    return json::parse(knntune::test::read_text(knntune::test::fixture("tpe/" + name)));
}

double num(const json::value& v) { return v.is_null() ? 0.0 : json::value_to<double>(v); }

std::vector<double> nums(const json::value& v) {
    std::vector<double> out;
    for (const json::value& x : v.as_array()) out.push_back(num(x));
    return out;
}

Distribution parse_dist(const json::object& o) {
    const std::string type(o.at("type").as_string());
    if (type == "categorical") {
        std::vector<std::string> ch;
        for (const json::value& c : o.at("choices").as_array()) ch.emplace_back(c.as_string());
        return Distribution::make_categorical(ch);
    }
    const double step = o.at("step").is_null() ? 0.0 : num(o.at("step"));
    if (type == "int") {
        return Distribution::make_int(static_cast<std::int64_t>(num(o.at("low"))),
                                      static_cast<std::int64_t>(num(o.at("high"))),
                                      o.at("log").as_bool(), static_cast<std::int64_t>(step));
    }
    return Distribution::make_float(num(o.at("low")), num(o.at("high")), o.at("log").as_bool(),
                                    step);
}

KernelSettings parse_settings(const json::object& o) {
    KernelSettings s = o.at("multivariate").as_bool() ? KernelSettings::optuna31_multivariate()
                                                      : KernelSettings::optuna31();
    s.prior_weight = num(o.at("prior_weight"));
    s.magic_clip = o.at("consider_magic_clip").as_bool();
    s.consider_endpoints = o.at("consider_endpoints").as_bool();
    REQUIRE(o.at("consider_prior").as_bool());
    return s;
}

bool within(double got, double ref, double rtol, double atol) {
    return std::abs(got - ref) <= atol + rtol * std::abs(ref);
}

// Checks ln p(x) of `est` at the case's queries against the case's list `key`; returns the
// number of compared values.
int check_log_pdf(const ParzenEstimator& est, const json::object& c,
                  const std::vector<std::string>& names, const std::string& key) {
    const std::vector<double> ref = nums(c.at(key));
    for (std::size_t q = 0; q < ref.size(); ++q) {
        std::vector<double> x(names.size());
        for (std::size_t d = 0; d < names.size(); ++d) {
            x[d] = num(c.at("queries").at(names[d]).as_array()[q]);
        }
        INFO(key << " query " << q);
        CHECK(within(est.log_pdf(x), ref[q], 1e-6, 1e-9));
    }
    return static_cast<int>(ref.size());
}

// Checks one case; returns the number of compared values.
int check_case(const json::object& c) {
    const std::string id(c.at("id").as_string());
    INFO("case " << id);
    const KernelSettings s = parse_settings(c.at("settings").as_object());
    const bool stable_ties = c.contains("tie_order_matters") && c.at("tie_order_matters").as_bool();
    std::vector<std::string> names;
    std::vector<Distribution> dims;
    std::vector<std::vector<double>> obs;
    for (const auto& kv : c.at("search_space").as_object()) {
        names.emplace_back(kv.key());
        dims.push_back(parse_dist(kv.value().as_object()));
        obs.push_back(nums(c.at("observations").at(kv.key())));
    }
    const std::size_t n = static_cast<std::size_t>(c.at("n_observations").as_int64());
    const std::vector<double> raw = ramp_weights(n);
    const ParzenEstimator est(dims, obs, raw, s);
    int compared = 0;

    const std::vector<double> ref_w = nums(c.at("mixture_weights"));
    REQUIRE(est.weights().size() == ref_w.size());
    for (std::size_t i = 0; i < ref_w.size(); ++i) {
        CHECK(within(est.weights()[i], ref_w[i], 1e-12, 0.0));
        ++compared;
    }
    for (std::size_t d = 0; d < names.size(); ++d) {
        INFO("param " << names[d]);
        const json::object& p = c.at("params").at(names[d]).as_object();
        if (dims[d].is_categorical()) {
            const json::array& rows = p.at("probabilities").as_array();
            REQUIRE(est.kernels(d).cat().size() == rows.size());
            for (std::size_t i = 0; i < rows.size(); ++i) {
                const std::vector<double> row = nums(rows[i]);
                for (std::size_t k = 0; k < row.size(); ++k) {
                    CHECK(within(est.kernels(d).cat().probability(i, k), row[k], 1e-12, 0.0));
                    ++compared;
                }
            }
            continue;
        }
        const NumericKernels& k = est.kernels(d).numeric();
        CHECK(within(k.low(), num(p.at("low_internal")), 1e-12, 1e-15));
        CHECK(within(k.high(), num(p.at("high_internal")), 1e-12, 1e-15));
        const std::vector<double> mus = nums(p.at("mus"));
        const std::vector<double> sigmas = nums(stable_ties && c.contains("sigmas_stable_ties")
                                                    ? c.at("sigmas_stable_ties").at(names[d])
                                                    : p.at("sigmas"));
        REQUIRE(k.size() == mus.size());
        for (std::size_t i = 0; i < mus.size(); ++i) {
            CHECK(within(k.mus()[i], mus[i], 1e-12, 1e-15));
            CHECK(within(k.sigmas()[i], sigmas[i], 1e-12, 1e-15));
            compared += 2;
        }
    }
    const std::string lp_key = stable_ties ? "log_pdf_stable_ties" : "log_pdf";
    compared += check_log_pdf(est, c, names, lp_key);
    // The same mixture with properly normalised continuous kernels (Optuna ≥ 3.5).
    const std::string lpn_key =
        stable_ties ? "log_pdf_normalized_kernels_stable_ties" : "log_pdf_normalized_kernels";
    if (c.contains(lpn_key)) {
        KernelSettings sn = s;
        sn.normalized = true;
        compared += check_log_pdf(ParzenEstimator(dims, obs, raw, sn), c, names, lpn_key);
    }
    return compared;
}

}  // namespace

TEST_CASE("Parzen estimator reproduces the Optuna 3.1 reference vectors", "[tuner][parzen]") {
    const char* files[] = {"parzen_float_linear.json",    "parzen_float_log.json",
                           "parzen_int_linear.json",      "parzen_int_log.json",
                           "parzen_float_step.json",      "parzen_categorical.json",
                           "parzen_multivariate_2d.json", "parzen_root_block_3d.json"};
    int total_cases = 0;
    for (const char* f : files) {
        DYNAMIC_SECTION(f) {
            const json::value doc = load(f);
            const json::array& cases = doc.at("cases").as_array();
            REQUIRE(!cases.empty());
            int compared = 0;
            for (const json::value& c : cases) compared += check_case(c.as_object());
            CHECK(compared > 100);
            total_cases += static_cast<int>(cases.size());
        }
    }
    CHECK(total_cases > 0);
}

TEST_CASE("default weights and split sizes match Optuna 3.1", "[tuner][parzen]") {
    const json::value doc = load("weights_gamma.json");
    for (const auto& kv : doc.at("default_weights").as_object()) {
        const std::size_t n = std::stoul(std::string(kv.key()));
        const std::vector<double> ref = nums(kv.value());
        const std::vector<double> got = ramp_weights(n);
        REQUIRE(got.size() == ref.size());
        for (std::size_t i = 0; i < ref.size(); ++i) CHECK(within(got[i], ref[i], 1e-15, 0.0));
    }
    for (const auto& kv : doc.at("mixture_weights_with_prior").as_object()) {
        const std::size_t n = std::stoul(std::string(kv.key()));
        const std::vector<double> ref = nums(kv.value());
        std::vector<double> w = ramp_weights(n);
        w.push_back(1.0);
        double total = 0.0;
        for (double x : w) total += x;
        for (std::size_t i = 0; i < ref.size(); ++i)
            CHECK(within(w[i] / total, ref[i], 1e-12, 0.0));
    }
    const SplitRule optuna;
    const SplitRule hyperopt{0.25, 25, true};
    const json::array& g = doc.at("default_gamma").as_array();
    const json::array& h = doc.at("hyperopt_default_gamma").as_array();
    REQUIRE(g.size() > 250);
    for (std::size_t n = 0; n < g.size(); ++n) {
        INFO("n = " << n);
        CHECK(optuna.n_below(n) == static_cast<std::size_t>(g[n].as_int64()));
        CHECK(hyperopt.n_below(n) == static_cast<std::size_t>(h[n].as_int64()));
    }
}

TEST_CASE("the vendored Parzen vectors equal ../shared/reference/tpe", "[tuner][parzen]") {
    if (!knntune::test::shared_present()) return;
    for (const char* name :
         {"parzen_float_linear.json", "parzen_float_log.json", "parzen_int_linear.json",
          "parzen_int_log.json", "parzen_float_step.json", "parzen_categorical.json",
          "parzen_multivariate_2d.json", "parzen_root_block_3d.json", "weights_gamma.json",
          "benchmark_check_values.json"}) {
        INFO(name);
        CHECK(knntune::test::matches_shared(std::string("tpe/") + name));
    }
}
