#include "experiments/config/experiment_config.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <filesystem>
#include <variant>

#include "common/text.hpp"
#include "engine/data/timestamp.hpp"
#include "engine/error.hpp"
#include "experiments/config/key_readers.hpp"
#include "tuner/error.hpp"
#include "tuner/sampler.hpp"

namespace knntune::exp {

namespace sim = engine::similarity;

std::string model_name(sim::Orientation o) {
    return o == sim::Orientation::Item ? "item_knn" : "user_knn";
}

std::optional<sim::Orientation> model_from_name(std::string_view name) {
    if (name == "item_knn") return sim::Orientation::Item;
    if (name == "user_knn") return sim::Orientation::User;
    return std::nullopt;
}

std::vector<engine::MetricSpec> ObjectiveConfig::all() const {
    std::vector<engine::MetricSpec> out{metric};
    for (const auto& m : extra) {
        if (std::none_of(out.begin(), out.end(), [&](const auto& o) { return o.name == m.name; })) {
            out.push_back(m);
        }
    }
    return out;
}

namespace keys {

void read_models(const ConfigKey&, const Section& s, const std::string& key,
                 ExperimentConfig& cfg) {
    cfg.models.clear();
    for (const std::string& name : s.get_names(key, "item_knn, user_knn")) {
        const auto o = model_from_name(name);
        if (!o) s.fail(key, "'" + name + "' is not one of: item_knn, user_knn");
        cfg.models.push_back(*o);
    }
}

void read_sampler(const ConfigKey&, const Section& s, const std::string& key,
                  ExperimentConfig& cfg) {
    const std::vector<std::string> names = tuner::sampler_names();
    const std::vector<std::string_view> views(names.begin(), names.end());
    cfg.tuner.sampler = names[s.get_choice(key, views)];
}

void read_timeout(const ConfigKey&, const Section& s, const std::string& key,
                  ExperimentConfig& cfg) {
    const std::string text = s.get_string(key);
    const auto d = engine::parse_duration(text);
    if (!d || d->months != 0 || d->seconds <= 0) {
        s.fail(key, "expected a duration like '2 hours' or '30 minutes', got '" + text + "'");
    }
    cfg.tuner.timeout_seconds = static_cast<double>(d->seconds);
}

/// A YAML scalar as the JSON value a sampler setting takes: a boolean, an integer, a number
/// or a string (a quoted scalar is always a string).
boost::json::value setting_value(const YAML::Node& v) {
    bool b = false;
    double num = 0;
    if (v.Tag() != "!" && YAML::convert<bool>::decode(v, b)) return b;
    if (v.Tag() != "!" && YAML::convert<double>::decode(v, num)) {
        if (num == std::floor(num) && std::abs(num) < 1e15) return static_cast<std::int64_t>(num);
        return num;
    }
    return boost::json::string(v.Scalar());
}

/// A YAML value as JSON: mappings and lists recursively, scalars as in `setting_value`.
boost::json::value json_value(const YAML::Node& v) {
    if (v.IsMap()) {
        boost::json::object o;
        for (auto it = v.begin(); it != v.end(); ++it) {
            o[it->first.as<std::string>()] = json_value(it->second);
        }
        return o;
    }
    if (v.IsSequence()) {
        boost::json::array a;
        for (const auto& e : v) a.push_back(json_value(e));
        return a;
    }
    return setting_value(v);
}

void read_settings(const ConfigKey&, const Section& s, const std::string& key,
                   ExperimentConfig& cfg) {
    const Section settings = s.child(key);
    for (auto it = settings.node().begin(); it != settings.node().end(); ++it) {
        if (it->second.IsNull()) settings.fail(it->first.as<std::string>(), "expected a value");
        cfg.tuner.settings[it->first.as<std::string>()] = json_value(it->second);
    }
}

void read_metric(const ConfigKey&, const Section& s, const std::string& key,
                 ExperimentConfig& cfg) {
    try {
        cfg.objective.metric = engine::parse_metric(s.get_string(key));
    } catch (const engine::ParamError& e) {
        s.fail(key, e.what());
    }
}

void read_extra_metrics(const ConfigKey&, const Section& s, const std::string& key,
                        ExperimentConfig& cfg) {
    const YAML::Node list = s.node(key);
    if (!list.IsSequence()) s.fail(key, "expected a list of metric names");
    cfg.objective.extra.clear();
    for (const auto& m : list) {
        try {
            cfg.objective.extra.push_back(engine::parse_metric(m.IsScalar() ? m.Scalar() : ""));
        } catch (const engine::ParamError& e) {
            s.fail(key, e.what());
        }
    }
}

}  // namespace keys

namespace {

/// Every metric family at the objective's cut-off.
std::vector<engine::MetricSpec> default_extra(const engine::MetricSpec& objective) {
    std::vector<engine::MetricSpec> out;
    for (std::string_view family : engine::metric_families()) {
        out.push_back(
            engine::parse_metric(std::string(family) + "@" + std::to_string(objective.cutoff)));
    }
    return out;
}

/// Builds one sampler per study, so that a bad sampler setting is found before any work.
void check_sampler(const ConfigDoc& doc, const ExperimentConfig& cfg) {
    std::vector<std::vector<std::string>> groups;
    if (cfg.tuner.per_measure()) {
        for (const auto& m : cfg.search.measures) groups.push_back({m});
    } else {
        groups.push_back(cfg.search.measures);
    }
    const Section tuner = Section(doc, doc.root(), "").child("tuner");
    for (const auto& g : groups) {
        const tuner::SearchSpace space = cfg.search.space(g);
        try {
            (void)tuner::make_sampler(cfg.tuner.sampler, cfg.tuner.settings, cfg.tuner.seed, space);
        } catch (const tuner::Error& e) {
            if (!tuner.has("settings")) tuner.fail("sampler", e.what());
            // The error is reported at the one setting that fails alone, when there is one,
            // so that it names that setting's line (or its --set option).
            const Section settings = tuner.child("settings");
            for (const auto& [name, value] : cfg.tuner.settings) {
                try {
                    (void)tuner::make_sampler(cfg.tuner.sampler, {{name, value}}, cfg.tuner.seed,
                                              space);
                } catch (const tuner::Error& alone) {
                    settings.fail(std::string(name), alone.what());
                }
            }
            tuner.fail("settings", e.what());
        }
    }
}

/// The race compares measures user by user, so its objective needs a value per user (a global
/// metric such as coverage would fail every trial).
void check_race_objective(const ConfigDoc& doc, const ExperimentConfig& cfg) {
    if (cfg.tuner.strategy != TuneStrategy::Race) {
        if (cfg.tuner.race.prune_first > 0.0) {
            Section(doc, doc.root(), "")
                .child("tuner")
                .child("race")
                .fail("prune_first",
                      "prunes the trials of a race only; set tuner.strategy: race, or remove it");
        }
        return;
    }
    for (const engine::MetricFamily& f : engine::metric_table()) {
        if (f.name != cfg.objective.metric.family ||
            !std::holds_alternative<engine::GlobalMetricFn>(f.compute)) {
            continue;
        }
        const Section objective = Section(doc, doc.root(), "").child("objective");
        objective.fail("metric", "'" + cfg.objective.metric.name +
                                     "' has no value per user, which tuner.strategy race needs "
                                     "(it compares measures user by user); use strategy joint "
                                     "or per_measure");
    }
}

/// The YAML of the config with input paths made absolute and every absent key with a plain
/// default filled in (inside the sections that are present or top-level).
YAML::Node resolved_node(const ConfigDoc& doc, const ExperimentConfig& cfg) {
    YAML::Node root = YAML::Clone(doc.root());
    root["data"]["path"] = cfg.data.log.path;
    if (cfg.data.has_metadata) root["data"]["item_metadata"]["path"] = cfg.data.metadata.path;
    for (const ConfigKey& k : config_keys()) {
        if (!k.literal_default || k.key.find_first_of("*[") != std::string_view::npos) continue;
        const std::vector<std::string> path = split(k.key, '.');
        YAML::Node node = root;
        bool present = true;
        for (std::size_t i = 0; i + 1 < path.size() && present; ++i) {
            // Top-level sections are created; nested optional mappings are not.
            if (!node[path[i]] || node[path[i]].IsNull()) {
                if (i > 0) present = false;
                if (i == 0) node[path[i]] = YAML::Node(YAML::NodeType::Map);
            }
            if (present) node.reset(node[path[i]]);
        }
        if (!present || (node[path.back()] && !node[path.back()].IsNull())) continue;
        node[path.back()] = YAML::Load(key_default(k));
    }
    return root;
}

std::string emit(const YAML::Node& node) {
    YAML::Emitter out;
    out << node;
    return std::string(out.c_str()) + "\n";
}

}  // namespace

ExperimentConfig read_experiment_config(const ConfigDoc& doc) {
    ExperimentConfig cfg;
    cfg.source = doc.name();
    read_keys(doc, cfg);
    keys::finish_data(doc, cfg);
    if (!Section(doc, doc.root(), "").child("objective").has("extra")) {
        cfg.objective.extra = default_extra(cfg.objective.metric);
    }
    check_sampler(doc, cfg);
    check_race_objective(doc, cfg);
    if (cfg.output.dir.empty()) {
        cfg.output.dir = "results/" + std::filesystem::path(doc.name()).stem().string();
    }
    const YAML::Node resolved = resolved_node(doc, cfg);
    YAML::Node source(YAML::NodeType::Map);
    source["data"] = resolved["data"];
    if (resolved["split"]) source["split"] = resolved["split"];
    cfg.data.source_text = emit(source);
    cfg.resolved_text = emit(resolved);
    return cfg;
}

ExperimentConfig load_experiment_config(const std::string& path,
                                        const std::vector<std::string>& overrides) {
    return read_experiment_config(ConfigDoc::load(path, overrides));
}

}  // namespace knntune::exp
