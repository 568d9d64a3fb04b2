#include "experiments/config/config_doc.hpp"

#include <yaml-cpp/eventhandler.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <optional>
#include <sstream>

#include "common/text.hpp"
#include "experiments/config/keys.hpp"

namespace knntune::exp {

namespace {

/// Counts the nodes of `root` as a reader sees them, an alias once per use, and returns where
/// the count passes kMaxConfigNodes (nothing when it never does). Iterative, so that a deeply
/// nested document cannot exhaust the stack.
// NOTE: yaml-cpp shares an anchored node between its aliases, so a few lines of nested
// aliases ("billion laughs") load at once but expand exponentially for every later walk.
std::optional<YAML::Mark> oversized(const YAML::Node& root) {
    std::vector<YAML::Node> pending{root};
    std::size_t count = 0;
    while (!pending.empty()) {
        const YAML::Node node = pending.back();
        pending.pop_back();
        if (++count > kMaxConfigNodes) return node.Mark();
        if (node.IsMap()) {
            for (auto it = node.begin(); it != node.end(); ++it) {
                pending.push_back(it->first);
                pending.push_back(it->second);
            }
        } else if (node.IsSequence()) {
            for (auto it = node.begin(); it != node.end(); ++it) pending.push_back(*it);
        }
    }
    return std::nullopt;
}

/// The first mapping key that is not a name: a mapping or a list (`? [a, b]: 1`, `{x: 1}: 2`),
/// or empty or null (`: 1`, `~: 1`; no reader could look such a key up again). Keys are names,
/// and every reader takes them as text. An empty key has no position of its own, so its
/// value's is given. Walked after `oversized`, so it visits at most kMaxConfigNodes nodes.
std::optional<YAML::Mark> complex_key(const YAML::Node& root) {
    std::vector<YAML::Node> pending{root};
    while (!pending.empty()) {
        const YAML::Node node = pending.back();
        pending.pop_back();
        if (node.IsMap()) {
            for (auto it = node.begin(); it != node.end(); ++it) {
                if (!it->first.IsScalar()) {
                    return it->first.Mark().is_null() ? it->second.Mark() : it->first.Mark();
                }
                pending.push_back(it->second);
            }
        } else if (node.IsSequence()) {
            for (auto it = node.begin(); it != node.end(); ++it) pending.push_back(*it);
        }
    }
    return std::nullopt;
}

constexpr const char* kComplexKeyText =
    "a key must be a name, not empty, null, a mapping or a list";

std::string oversized_text(std::string_view what) {
    return std::string(what) + " expands to more than " + std::to_string(kMaxConfigNodes) +
           " YAML nodes (anchors and aliases nested too deep?)";
}

void apply_override(YAML::Node& root, const std::string& assignment,
                    std::vector<std::string>& keys) {
    const auto eq = assignment.find('=');
    if (eq == std::string::npos || eq == 0) {
        throw ConfigError("--set '" + assignment +
                          "': expected key=value, e.g. --set split.window='2 months'");
    }
    const std::string dotted = assignment.substr(0, eq);
    const std::string value = assignment.substr(eq + 1);
    const auto segs = split(dotted, '.');
    YAML::Node cur(root);
    for (std::size_t i = 0; i + 1 < segs.size(); ++i) {
        if (segs[i].empty()) throw ConfigError("--set '" + assignment + "': empty key segment");
        YAML::Node next = cur[segs[i]];
        if (!next || next.IsNull()) {
            cur[segs[i]] = YAML::Node(YAML::NodeType::Map);
            next = cur[segs[i]];
        } else if (!next.IsMap()) {
            throw ConfigError("--set " + dotted + ": '" + segs[i] + "' is not a mapping");
        }
        cur.reset(next);
    }
    YAML::Node parsed;
    try {
        parsed = YAML::Load(value);
    } catch (const YAML::Exception& e) {
        throw ConfigError("--set " + dotted + ": cannot parse value '" + value + "': " + e.msg);
    }
    if (oversized(parsed))
        throw ConfigError("--set " + dotted + ": " + oversized_text("the value"));
    if (complex_key(parsed)) throw ConfigError("--set " + dotted + ": " + kComplexKeyText);
    // An empty value is the empty string; `~` or `null` stays a null, which the key check
    // refuses like a key written without a value.
    if (!parsed || (parsed.IsNull() && value.empty())) parsed = YAML::Node(value);
    cur[segs.back()] = parsed;
    keys.push_back(dotted);
}

void check_schema_version(const ConfigDoc& doc) {
    const YAML::Node v = doc.root()["schema_version"];
    if (!v) return;
    int version = 0;
    try {
        version = v.as<int>();
    } catch (const YAML::Exception&) {
        throw ConfigError(doc.where("schema_version", v) +
                          ": key 'schema_version': expected an integer");
    }
    if (version != kSchemaVersion) {
        throw ConfigError(doc.where("schema_version", v) +
                          ": this config is written for schema version " + std::to_string(version) +
                          ", but this knntune reads version " + std::to_string(kSchemaVersion) +
                          "; see configs/README.md for the current schema");
    }
}

}  // namespace

std::string int_bounds_text(const Bounds& b) {
    auto end = [](double v) {
        return std::isinf(v) ? short_number(v) : std::to_string(static_cast<long long>(v));
    };
    return std::string(b.low_open || std::isinf(b.low) ? "(" : "[") + end(b.low) + ", " +
           end(b.high) + (b.high_open || std::isinf(b.high) ? ")" : "]");
}

std::string node_text(const YAML::Node& n) {
    if (n.IsScalar()) return printable(n.Scalar(), kEchoBytes);
    if (n.IsSequence()) return "a list";
    if (n.IsMap()) return "a mapping";
    return "nothing";
}

namespace {

/// Records where each document starts and ignores its content.
class DocumentStarts final : public YAML::EventHandler {
  public:
    std::vector<YAML::Mark> starts;
    void OnDocumentStart(const YAML::Mark& mark) override { starts.push_back(mark); }
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
    void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
    void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  const std::string&) override {}
    void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                         YAML::EmitterStyle::value) override {}
    void OnSequenceEnd() override {}
    void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                    YAML::EmitterStyle::value) override {}
    void OnMapEnd() override {}
};

/// The 0-based line where a second document starts, if the text has one.
/// NOTE: asks the parser for at most two documents. `YAML::LoadAll` is not used: on some
/// malformed inputs the parser reports an empty document at the same place forever, and
/// LoadAll then loops until memory runs out (found by the `config` fuzz target).
std::optional<int> second_document_line(const std::string& text) {
    std::istringstream in(text);
    YAML::Parser parser(in);
    DocumentStarts starts;
    if (!parser.HandleNextDocument(starts) || !parser.HandleNextDocument(starts)) {
        return std::nullopt;
    }
    return starts.starts.size() > 1 ? starts.starts[1].line : 0;
}

}  // namespace

ConfigDoc ConfigDoc::load(const std::string& path, const std::vector<std::string>& overrides) {
    std::ifstream in(path);
    if (!in) throw ConfigError(path + ": cannot open config file");
    std::stringstream ss;
    ss << in.rdbuf();
    return parse(ss.str(), path, overrides);
}

ConfigDoc ConfigDoc::parse(const std::string& text, const std::string& name,
                           const std::vector<std::string>& overrides) {
    ConfigDoc doc;
    doc.name_ = name;
    try {
        doc.root_ = YAML::Load(text);
        if (const auto line = second_document_line(text)) {
            throw ConfigError(
                name + ":" + std::to_string(*line + 1) +
                ": a second YAML document ('---') or text after the end of the first; "
                "a config is one document");
        }
    } catch (const YAML::ParserException& e) {
        throw ConfigError(name + ":" + std::to_string(e.mark.line + 1) +
                          ": YAML syntax error: " + e.msg);
    }
    if (!doc.root_ || doc.root_.IsNull()) doc.root_ = YAML::Node(YAML::NodeType::Map);
    if (const auto mark = oversized(doc.root_)) {
        throw ConfigError(name + (mark->is_null() ? "" : ":" + std::to_string(mark->line + 1)) +
                          ": " + oversized_text("the config"));
    }
    if (!doc.root_.IsMap()) {
        throw ConfigError(name + ":1: the config must be a mapping of sections");
    }
    if (const auto mark = complex_key(doc.root_)) {
        throw ConfigError(name + ":" + std::to_string(mark->line + 1) + ": " + kComplexKeyText);
    }
    for (const auto& o : overrides) apply_override(doc.root_, o, doc.overridden_);
    check_keys(doc);
    check_schema_version(doc);
    return doc;
}

std::string ConfigDoc::text() const {
    YAML::Emitter out;
    out << root_;
    return std::string(out.c_str()) + "\n";
}

namespace {

/// True when dotted key `inner` is `outer` or lies inside it (a key or a list element of it).
bool within(const std::string& inner, const std::string& outer) {
    return inner == outer || inner.rfind(outer + ".", 0) == 0 || inner.rfind(outer + "[", 0) == 0;
}

}  // namespace

std::string ConfigDoc::where(const std::string& dotted, const YAML::Node& node) const {
    std::string inside;  // the overrides of keys inside `dotted` (--set search.k.high)
    for (const auto& k : overridden_) {
        if (within(dotted, k)) return name_ + ": --set " + k;
        if (within(k, dotted)) inside += (inside.empty() ? "" : ", --set ") + k;
    }
    const YAML::Mark m = node.Mark();
    if (m.is_null()) return name_ + (inside.empty() ? "" : ": --set " + inside);
    return name_ + ":" + std::to_string(m.line + 1) +
           (inside.empty() ? "" : " (with --set " + inside + ")");
}

Section::Section(const ConfigDoc& doc, YAML::Node node, std::string dotted)
    : doc_(&doc), node_(std::move(node)), dotted_(std::move(dotted)) {}

bool Section::has(const std::string& key) const {
    return node_ && node_.IsMap() && node_[key] && !node_[key].IsNull();
}

std::string Section::dotted(const std::string& key) const {
    return dotted_.empty() ? key : dotted_ + "." + key;
}

std::string Section::where(const std::string& key) const {
    if (node_ && node_.IsMap()) {
        for (auto it = node_.begin(); it != node_.end(); ++it) {
            if (it->first.as<std::string>() == key) return doc_->where(dotted(key), it->first);
        }
    }
    return doc_->where(dotted(key), node_);
}

std::string Section::where() const { return doc_->where(dotted_, node_); }

void Section::fail(const std::string& key, const std::string& message) const {
    throw ConfigError(where(key) + ": key '" + dotted(key) + "': " + message);
}

Section Section::child(const std::string& key) const {
    YAML::Node n = has(key) ? node_[key] : YAML::Node(YAML::NodeType::Undefined);
    if (has(key) && !n.IsMap()) fail(key, "expected a mapping");
    return {*doc_, n, dotted(key)};
}

std::string Section::get_string(const std::string& key) const {
    const YAML::Node n = node_[key];
    if (!n.IsScalar()) fail(key, "expected a string");
    return n.as<std::string>();
}

std::string Section::require_string(const std::string& key) const {
    if (!has(key)) {
        throw ConfigError(where() + ": missing required key '" + dotted(key) + "'");
    }
    return get_string(key);
}

long long Section::get_int(const std::string& key, const Bounds& bounds) const {
    const YAML::Node n = node_[key];
    long long v = 0;
    try {
        if (!n.IsScalar()) throw YAML::Exception(YAML::Mark::null_mark(), "");
        v = n.as<long long>();
    } catch (const YAML::Exception&) {
        fail(key, "expected an integer, got '" + node_text(n) + "'");
    }
    if (!bounds.contains(static_cast<double>(v))) {
        fail(key, std::to_string(v) + " is out of range " + int_bounds_text(bounds));
    }
    return v;
}

double Section::get_float(const std::string& key, const Bounds& bounds) const {
    const YAML::Node n = node_[key];
    double v = 0.0;
    try {
        if (!n.IsScalar()) throw YAML::Exception(YAML::Mark::null_mark(), "");
        v = n.as<double>();
    } catch (const YAML::Exception&) {
        fail(key, "expected a number, got '" + node_text(n) + "'");
    }
    if (!bounds.contains(v)) {
        fail(key, short_number(v) + " is out of range " +
                      bounds_text({.name = key, .type = KeyType::Real, .bounds = bounds}));
    }
    return v;
}

bool Section::get_bool(const std::string& key) const {
    const YAML::Node n = node_[key];
    try {
        if (!n.IsScalar()) throw YAML::Exception(YAML::Mark::null_mark(), "");
        return n.as<bool>();
    } catch (const YAML::Exception&) {
        fail(key, "expected true or false, got '" + node_text(n) + "'");
    }
}

std::vector<std::string> Section::get_names(const std::string& key, const std::string& what) const {
    const YAML::Node list = node_[key];
    if (!list.IsSequence() || list.size() == 0) fail(key, "expected a non-empty list of " + what);
    std::vector<std::string> names;
    for (const auto& n : list) {
        const std::string name = n.IsScalar() ? n.Scalar() : node_text(n);
        if (std::find(names.begin(), names.end(), name) != names.end()) {
            fail(key, "'" + printable(name, kEchoBytes) + "' is listed twice");
        }
        names.push_back(name);
    }
    return names;
}

std::size_t Section::get_choice(const std::string& key,
                                const std::vector<std::string_view>& choices) const {
    const std::string v = get_string(key);
    const auto it = std::find(choices.begin(), choices.end(), v);
    if (it == choices.end()) fail(key, "'" + v + "' is not one of: " + join(choices));
    return static_cast<std::size_t>(it - choices.begin());
}

}  // namespace knntune::exp
