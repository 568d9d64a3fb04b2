// The walk of a document against the key table (keys.cpp): unknown keys, keys without a value
// and wrong shapes, then the reading of every key present, in table order.
#include <algorithm>

#include "common/text.hpp"
#include "experiments/config/config_doc.hpp"
#include "experiments/config/experiment_config.hpp"
#include "experiments/config/keys.hpp"

namespace knntune::exp {

namespace {

bool matches(std::string_view pattern, std::string_view path) {
    const auto p = split(pattern, '.');
    const auto q = split(path, '.');
    if (p.size() != q.size()) return false;
    for (std::size_t i = 0; i < p.size(); ++i) {
        if (p[i] == q[i]) continue;
        // "*" matches a segment, "*[]" a list element under any key.
        if (p[i] == "*" || (p[i] == "*[]" && q[i].size() > 2 && q[i].ends_with("[]"))) continue;
        return false;
    }
    return true;
}

std::string parent_of(std::string_view key) {
    const auto dot = key.rfind('.');
    return dot == std::string_view::npos ? std::string() : std::string(key.substr(0, dot));
}

std::string leaf_of(std::string_view key) {
    const auto dot = key.rfind('.');
    return std::string(dot == std::string_view::npos ? key : key.substr(dot + 1));
}

std::string suggestion(const std::string& path) {
    const std::string parent = parent_of(path);
    std::vector<std::string> siblings;
    for (const ConfigKey& k : config_keys()) {
        if (matches(parent_of(k.key), parent) || parent_of(k.key) == parent) {
            const std::string leaf = leaf_of(k.key);
            if (leaf != "*" && !leaf.ends_with("[]")) siblings.push_back(leaf);
        }
    }
    const std::vector<std::string_view> names(siblings.begin(), siblings.end());
    if (const auto best = nearest_name(names, leaf_of(path))) {
        return " (did you mean '" + std::string(*best) + "'?)";
    }
    if (siblings.empty()) return "";
    return " (valid keys here: " + join(siblings) + ")";
}

void check_map(const ConfigDoc& doc, const YAML::Node& node, const std::string& path);

[[noreturn]] void fail_no_value(const ConfigDoc& doc, const YAML::Node& key_node,
                                const std::string& path) {
    throw ConfigError(doc.where(path, key_node) + ": key '" + path +
                      "' has no value; give one, or remove the key to use the default");
}

/// Refuses a null anywhere inside a value read as a whole (a range's `low: ~`, a list element
/// `~`): it would read as absent and silently give the default.
void check_no_null(const ConfigDoc& doc, const YAML::Node& key_node, const YAML::Node& value,
                   const std::string& path) {
    if (value.IsNull()) fail_no_value(doc, key_node, path);
    if (value.IsMap()) {
        for (auto it = value.begin(); it != value.end(); ++it) {
            check_no_null(doc, it->first, it->second, path + "." + it->first.as<std::string>());
        }
    } else if (value.IsSequence()) {
        // NOTE: the mark of an empty element ("-" alone) points past it, so an element is
        // reported at its list's key.
        for (std::size_t i = 0; i < value.size(); ++i) {
            check_no_null(doc, key_node, value[i], path + "[" + std::to_string(i) + "]");
        }
    }
}

void check_value(const ConfigDoc& doc, const ConfigKey& k, const YAML::Node& key_node,
                 const YAML::Node& value, const std::string& path) {
    if (value.IsNull()) {
        if (k.shape == Shape::Section) return;  // an empty section
        fail_no_value(doc, key_node, path);
    }
    if (k.shape == Shape::Leaf) {
        check_no_null(doc, key_node, value, path);
    } else if (k.shape == Shape::Section) {
        if (!value.IsMap()) {
            throw ConfigError(doc.where(path, key_node) + ": key '" + path +
                              "': expected a mapping");
        }
        check_map(doc, value, path);
    } else if (k.shape == Shape::List) {
        if (!value.IsSequence()) {
            throw ConfigError(doc.where(path, key_node) + ": key '" + path + "': expected a list");
        }
        const ConfigKey* element = find_config_key(path + "[]");
        for (const auto& el : value) {
            if (element != nullptr) check_value(doc, *element, key_node, el, path + "[]");
        }
        if (element == nullptr) check_no_null(doc, key_node, value, path);
    }
}

void check_map(const ConfigDoc& doc, const YAML::Node& node, const std::string& path) {
    std::vector<std::string> seen;
    for (auto it = node.begin(); it != node.end(); ++it) {
        const std::string key = it->first.as<std::string>();
        const std::string child = path.empty() ? key : path + "." + key;
        // NOTE: YAML forbids repeated keys, but the parser silently keeps one of them.
        if (std::find(seen.begin(), seen.end(), key) != seen.end()) {
            throw ConfigError(doc.where(child, it->first) + ": duplicate key '" + child + "'");
        }
        seen.push_back(key);
        const ConfigKey* k = find_config_key(child);
        if (k == nullptr) {
            throw ConfigError(doc.where(child, it->first) + ": unknown key '" + child + "'" +
                              suggestion(child));
        }
        check_value(doc, *k, it->first, it->second, child);
    }
}

/// The mapping at dotted `path` of the document (undefined when absent); no wildcards.
Section section_at(const ConfigDoc& doc, const std::string& path) {
    if (path.empty()) return {doc, doc.root(), ""};
    const std::string parent = parent_of(path);
    return section_at(doc, parent).child(leaf_of(path));
}

}  // namespace

const ConfigKey* find_config_key(std::string_view dotted) {
    for (const ConfigKey& k : config_keys()) {
        if (k.key == dotted) return &k;
    }
    for (const ConfigKey& k : config_keys()) {
        if (matches(k.key, dotted)) return &k;
    }
    return nullptr;
}

void check_keys(const ConfigDoc& doc) { check_map(doc, doc.root(), ""); }

void read_keys(const ConfigDoc& doc, ExperimentConfig& cfg) {
    for (const ConfigKey& k : config_keys()) {
        if (k.key.find('*') != std::string_view::npos || k.key.find("[]") != std::string_view::npos)
            continue;
        const std::string key(k.key);
        const std::string parent_path = parent_of(key);
        const std::string leaf = leaf_of(key);
        // A key is read (or required) only when its mapping is in the document.
        if (!parent_path.empty() &&
            !section_at(doc, parent_of(parent_path)).has(leaf_of(parent_path))) {
            continue;
        }
        const Section parent = section_at(doc, parent_path);
        if (!parent.has(leaf)) {
            if (k.required) {
                throw ConfigError((parent_path.empty() ? doc.name() : parent.where()) +
                                  ": missing required key '" + key + "'");
            }
            continue;
        }
        if (k.read != nullptr) k.read(k, parent, leaf, cfg);
    }
}

}  // namespace knntune::exp
