#include "experiments/config.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/data/csv_reader.hpp"
#include "engine/data/timestamp.hpp"
#include "common/text.hpp"

namespace knntune::exp {
namespace {

// NOTE: this table is the single declaration of the config keys. Unknown-key detection walks
// the YAML tree against it, and tests check configs/README.md documents every entry.
constexpr KeyDoc kSchema[] = {
    {"schema_version", "int", "1", "1", "config schema version; other values are refused"},
    {"data", "map", "", "", "where the interaction log is and how to read it"},
    {"data.path", "string", "", "existing file", "interaction log (CSV/TSV, plain or .gz); relative paths are resolved against the current directory"},
    {"data.format", "string", "auto", "auto|csv|tsv", "auto picks tab for .tsv/.tab/.data (optionally .gz), else comma"},
    {"data.delimiter", "string", "", "one character", "overrides format; e.g. ';'"},
    {"data.header", "bool", "true", "", "first row holds column names"},
    {"data.columns", "map", "", "", "column mapping; a string names a header column, an integer is a 1-based position"},
    {"data.columns.user", "column", "", "", "user id column (required)"},
    {"data.columns.item", "column", "", "", "item key column: interactions are grouped into items by it (required)"},
    {"data.columns.timestamp", "column", "", "", "event time: YYYY-MM-DD[ HH:MM[:SS]], ISO-8601 or unix seconds; needed by split.method chronological"},
    {"data.columns.value", "column", "", "", "numeric value, summed by feedback: value"},
    {"data.columns.item_name", "column", "", "", "item display name (first non-empty one per item)"},
    {"data.filters", "list", "[]", "", "row filters; a row is kept only when it passes all"},
    {"data.filters[]", "map", "", "", "one filter: {column, op, value}"},
    {"data.filters[].column", "column", "", "", "column tested"},
    {"data.filters[].op", "string", "", "not_empty|empty|gt|ge|lt|le|eq|ne|equals|not_equals|starts_with|not_starts_with", "comparison; gt..ne are numeric"},
    {"data.filters[].value", "scalar", "", "", "operand (not for not_empty/empty)"},
    {"data.item_metadata", "map", "", "", "optional item file joined on the log's item column"},
    {"data.item_metadata.path", "string", "", "existing file", "item file"},
    {"data.item_metadata.format", "string", "auto", "auto|csv|tsv", "as data.format"},
    {"data.item_metadata.header", "bool", "true", "", "as data.header"},
    {"data.item_metadata.delimiter", "string", "", "one character", "as data.delimiter"},
    {"data.item_metadata.id", "column", "", "", "column matching the log's item column (required)"},
    {"data.item_metadata.key", "column", "", "", "group items by this column instead of the id (e.g. a product name)"},
    {"data.item_metadata.name", "column", "", "", "item display name"},
    {"data.item_metadata.attribute", "column", "", "", "item attribute used to colour plots"},
    {"data.feedback", "string", "binary", "binary|count|value", "matrix value: 1, number of events, or summed value column (events inside the window of the pair's first event)"},
    {"split", "map", "", "", "how the log is cut into train_val, valid, train and test"},
    {"split.method", "string", "chronological", "chronological|random_holdout", "date windows, or a seeded per-user holdout for logs without timestamps"},
    {"split.end", "timestamp", "midnight after the last event", "", "exclusive end of the test window"},
    {"split.window", "duration", "3 months", "N months|weeks|days|hours", "default length of every window"},
    {"split.train_val_window", "duration", "split.window", "", "length of train_val"},
    {"split.valid_window", "duration", "split.window", "", "length of valid (and of train)"},
    {"split.test_window", "duration", "split.window", "", "length of test"},
    {"split.periods", "map", "", "train_val|valid|train|test", "explicit windows that override the layout"},
    {"split.periods.*", "map", "", "", "one period's window {start, end}"},
    {"split.periods.*.start", "timestamp", "", "", "inclusive start"},
    {"split.periods.*.end", "timestamp", "", "", "exclusive end"},
    {"split.valid_fraction", "float", "0.1", "[0, 1)", "random_holdout: share of each user's train interactions held out as valid"},
    {"split.test_fraction", "float", "0.1", "[0, 1)", "random_holdout: share of each user's interactions held out as test"},
    {"split.seed", "int", "42", ">= 0", "random_holdout: seed"},
    {"split.min_user_interactions", "int", "1", ">= 1", "users with fewer interactions in a training period are dropped from it"},
    {"split.min_item_interactions", "int", "1", ">= 1", "items with fewer interactions in a training period are dropped from it"},
    {"split.k_core", "bool", "false", "", "repeat the two minimum filters until nothing changes"},
    {"split.remove_cold_start", "bool", "true", "", "drop valid/test users and items absent from their training period"},
    {"models", "list", "[item_knn, user_knn]", "item_knn|user_knn", "which neighbourhood models are tuned, tested and reported"},
    {"search", "map", "", "", "the conditional search space"},
    {"search.measures", "list", "all nine", "dot_product|cosine|asymmetric_cosine|jaccard|dice|tversky|p3alpha|rp3beta|s_plus", "similarity measures taking part (the categorical `algorithm`)"},
    {"search.k", "range", "{low: 5, high: 1000, log: true}", "1 <= low <= high", "neighbours kept per row, shared by every measure (int); a number fixes it"},
    {"search.shrink", "range", "{low: 0, high: 500}", "low >= 0", "shrinkage, shared by every measure; a number fixes it"},
    {"search.*", "range", "", "", "a range {low, high, log, step} or a fixed number for a shared parameter"},
    {"search.*.low", "float", "", "", "lower bound"},
    {"search.*.high", "float", "", "", "upper bound"},
    {"search.*.log", "bool", "false", "low > 0", "sample on a log scale"},
    {"search.*.step", "float", "", "divides high - low", "grid step"},
    {"search.params", "map", "measure defaults", "", "per-measure ranges: search.params.MEASURE.PARAM"},
    {"search.params.*", "map", "", "a measure name", "ranges of one measure's own parameters (alpha, beta, l, t1, t2, c)"},
    {"search.params.*.*", "range", "see configs/README.md", "", "a range {low, high, log, step} or a fixed number"},
    {"search.params.*.*.low", "float", "", "", "lower bound"},
    {"search.params.*.*.high", "float", "", "", "upper bound"},
    {"search.params.*.*.log", "bool", "false", "", "log scale"},
    {"search.params.*.*.step", "float", "", "", "grid step"},
    {"search.fixed", "map", "{}", "similarity parameter names", "parameters given to every trial, e.g. {threshold: 0, binary: true, shrink_type: stabilized}"},
    {"search.fixed.*", "scalar", "", "", "one fixed similarity parameter"},
    {"search.enqueue", "list", "[]", "", "configurations evaluated first, e.g. {algorithm: rp3beta, k: 100, shrink: 0, alpha: 0.8, beta: 0.4}"},
    {"search.enqueue[]", "map", "", "", "one configuration: algorithm plus any parameter values"},
    {"search.enqueue[].*", "scalar", "", "", "a parameter value"},
    {"tuner", "map", "", "", "the sampler and the budget"},
    {"tuner.sampler", "string", "tpe", "tpe|random|grid", "search strategy"},
    {"tuner.n_trials", "int", "100", ">= 1", "finished trials per model (per measure with per_measure)"},
    {"tuner.timeout", "duration", "none", "N hours|minutes|seconds", "stop asking for trials after this long, per study"},
    {"tuner.seed", "int", "42", ">= 0", "seed of the sampler"},
    {"tuner.parallel_trials", "int", "1", "1..64", "trials evaluated concurrently (batch size; results depend on it, not on thread timing)"},
    {"tuner.patience", "int", "0", ">= 0", "stop after this many finished trials without improvement (0: off)"},
    {"tuner.per_measure", "bool", "false", "", "one study per measure instead of one conditional study"},
    {"tuner.cache_max_pairs", "int", "50000000", ">= 0", "size limit of the co-occurrence cache reused across trials, in stored pairs (8 bytes each); 0 turns it off"},
    {"tuner.settings", "map", "{}", "", "sampler settings (tpe: mode, n_startup_trials, n_ei_candidates, gamma, prior_weight, ...)"},
    {"tuner.settings.*", "any", "", "", "one sampler setting; unknown names are rejected by the sampler"},
    {"objective", "map", "", "", "what is optimised"},
    {"objective.metric", "string", "precision@10", "precision|recall|ndcg|map|hit_rate|mrr|coverage|arp @k", "metric on the valid period; its direction sets the study's"},
    {"objective.extra", "list", "[recall@10, ndcg@10, map@10, hit_rate@10, mrr@10, coverage@10, arp@10]", "metric names", "further metrics logged with each trial"},
    {"report", "map", "", "", "the report"},
    {"report.plots", "bool", "true", "", "render plots with gnuplot"},
    {"report.test", "string", "wilcoxon", "wilcoxon|bootstrap", "paired test of the best measure against each other one (Holm-corrected)"},
    {"report.bootstrap_samples", "int", "2000", "100..100000", "resamples for confidence intervals and the bootstrap test"},
    {"report.seed", "int", "7", ">= 0", "seed of the bootstrap"},
    {"report.embedding", "bool", "true", "", "draw a 2-D map of item embeddings (PCA of the best item-item matrix's columns)"},
    {"report.embedding_points", "int", "1500", "10..100000", "items drawn on the map (most popular first)"},
    {"output", "map", "", "", "where results go"},
    {"output.dir", "string", "results/<config name>", "", "run folder"},
    {"output.save_prepared", "bool", "true", "", "write prepared.h5 into the run folder"},
};

std::vector<std::string> split_dotted(const std::string& s) {
    std::vector<std::string> out;
    std::string cur;
    for (char c : s) {
        if (c == '.') {
            out.push_back(cur);
            cur.clear();
        } else {
            cur += c;
        }
    }
    out.push_back(cur);
    return out;
}

bool matches(const std::string& pattern, const std::string& path) {
    const auto p = split_dotted(pattern);
    const auto q = split_dotted(path);
    if (p.size() != q.size()) return false;
    for (std::size_t i = 0; i < p.size(); ++i) {
        if (p[i] != "*" && p[i] != q[i]) return false;
    }
    return true;
}

bool known(const std::string& path) {
    return std::any_of(std::begin(kSchema), std::end(kSchema),
                       [&](const KeyDoc& k) { return matches(k.key, path); });
}


std::string suggestion(const std::string& path) {
    const std::string parent = path.substr(0, path.rfind('.') == std::string::npos ? 0 : path.rfind('.'));
    const std::string leaf = path.substr(path.rfind('.') == std::string::npos ? 0 : path.rfind('.') + 1);
    std::string best;
    std::size_t best_d = 3;
    std::vector<std::string> siblings;
    for (const KeyDoc& k : kSchema) {
        const std::string key = k.key;
        const auto dot = key.rfind('.');
        const std::string kp = dot == std::string::npos ? "" : key.substr(0, dot);
        const std::string kl = dot == std::string::npos ? key : key.substr(dot + 1);
        if (!(kp == parent || matches(kp, parent))) continue;
        siblings.push_back(kl);
        const std::size_t d = edit_distance(leaf, kl);
        if (d < best_d) {
            best_d = d;
            best = kl;
        }
    }
    if (!best.empty()) return " (did you mean '" + best + "'?)";
    if (siblings.empty()) return "";
    std::string list;
    for (const auto& s : siblings) list += (list.empty() ? "" : ", ") + s;
    return " (valid keys here: " + list + ")";
}

void check_unknown(const ConfigDoc& doc, const YAML::Node& node, const std::string& path) {
    if (node.IsMap()) {
        std::vector<std::string> seen;
        for (auto it = node.begin(); it != node.end(); ++it) {
            const std::string key = it->first.as<std::string>();
            const std::string child = path.empty() ? key : path + "." + key;
            // NOTE: YAML forbids repeated keys, but the parser silently keeps one of them.
            if (std::find(seen.begin(), seen.end(), key) != seen.end()) {
                throw ConfigError(doc.where(child, it->first) + ": duplicate key '" + child + "'");
            }
            seen.push_back(key);
            if (!known(child)) {
                throw ConfigError(doc.where(child, it->first) + ": unknown key '" + child + "'" +
                                  suggestion(child));
            }
            check_unknown(doc, it->second, child);
        }
    } else if (node.IsSequence()) {
        for (const auto& el : node) {
            if (known(path + "[]")) check_unknown(doc, el, path + "[]");
        }
    }
}

void apply_override(YAML::Node& root, const std::string& assignment, std::vector<std::string>& keys) {
    const auto eq = assignment.find('=');
    if (eq == std::string::npos || eq == 0) {
        throw ConfigError("--set '" + assignment + "': expected key=value, e.g. --set split.window='2 months'");
    }
    const std::string dotted = assignment.substr(0, eq);
    const std::string value = assignment.substr(eq + 1);
    const auto segs = split_dotted(dotted);
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
    if (!parsed || parsed.IsNull()) parsed = YAML::Node(value);
    cur[segs.back()] = parsed;
    keys.push_back(dotted);
}

}  // namespace

std::span<const KeyDoc> config_schema() { return kSchema; }

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
    } catch (const YAML::ParserException& e) {
        throw ConfigError(name + ":" + std::to_string(e.mark.line + 1) + ": YAML syntax error: " + e.msg);
    }
    if (!doc.root_ || doc.root_.IsNull()) doc.root_ = YAML::Node(YAML::NodeType::Map);
    if (!doc.root_.IsMap()) throw ConfigError(name + ":1: the config must be a mapping of sections");
    for (const auto& o : overrides) apply_override(doc.root_, o, doc.overridden_);
    check_unknown(doc, doc.root_, "");
    if (doc.root_["schema_version"]) {
        int v = 0;
        try {
            v = doc.root_["schema_version"].as<int>();
        } catch (const YAML::Exception&) {
            throw ConfigError(doc.where("schema_version", doc.root_["schema_version"]) +
                              ": key 'schema_version': expected an integer");
        }
        if (v != kSchemaVersion) {
            throw ConfigError(doc.where("schema_version", doc.root_["schema_version"]) +
                              ": this config is written for schema version " + std::to_string(v) +
                              ", but this knntune reads version " + std::to_string(kSchemaVersion) +
                              "; see configs/README.md for the current schema");
        }
    }
    return doc;
}

std::string ConfigDoc::resolved_text() const {
    YAML::Emitter out;
    out << root_;
    return std::string(out.c_str()) + "\n";
}

std::string ConfigDoc::where(const std::string& dotted, const YAML::Node& node) const {
    for (const auto& k : overridden_) {
        if (k == dotted || dotted.rfind(k + ".", 0) == 0) return name_ + ": --set " + k;
    }
    const YAML::Mark m = node.Mark();
    if (m.is_null()) return name_;
    return name_ + ":" + std::to_string(m.line + 1);
}

Section::Section(const ConfigDoc& doc, YAML::Node node, std::string dotted)
    : doc_(&doc), node_(std::move(node)), dotted_(std::move(dotted)) {}

bool Section::has(const std::string& key) const {
    return node_ && node_.IsMap() && node_[key] && !node_[key].IsNull();
}

std::string Section::where(const std::string& key) const {
    const std::string full = dotted_.empty() ? key : dotted_ + "." + key;
    if (node_ && node_.IsMap()) {
        for (auto it = node_.begin(); it != node_.end(); ++it) {
            if (it->first.as<std::string>() == key) return doc_->where(full, it->first);
        }
    }
    return doc_->where(full, node_);
}

void Section::fail(const std::string& key, const std::string& message) const {
    const std::string full = dotted_.empty() ? key : dotted_ + "." + key;
    throw ConfigError(where(key) + ": key '" + full + "': " + message);
}

Section Section::child(const std::string& key) const {
    YAML::Node n = has(key) ? node_[key] : YAML::Node(YAML::NodeType::Undefined);
    if (has(key) && !n.IsMap()) fail(key, "expected a mapping");
    return Section(*doc_, n, dotted_.empty() ? key : dotted_ + "." + key);
}

std::string Section::get_string(const std::string& key, const std::string& def) const {
    if (!has(key)) return def;
    const YAML::Node n = node_[key];
    if (!n.IsScalar()) fail(key, "expected a string");
    return n.as<std::string>();
}

std::string Section::require_string(const std::string& key) const {
    if (!has(key)) {
        throw ConfigError(doc_->where(dotted_, node_) + ": missing required key '" +
                          (dotted_.empty() ? key : dotted_ + "." + key) + "'");
    }
    return get_string(key, "");
}

long long Section::get_int(const std::string& key, long long def, long long lo, long long hi) const {
    if (!has(key)) return def;
    const YAML::Node n = node_[key];
    long long v = 0;
    try {
        if (!n.IsScalar()) throw YAML::Exception(YAML::Mark::null_mark(), "");
        v = n.as<long long>();
    } catch (const YAML::Exception&) {
        fail(key, "expected an integer, got '" + (n.IsScalar() ? n.Scalar() : std::string("a non-scalar")) + "'");
    }
    if (v < lo || v > hi) {
        fail(key, std::to_string(v) + " is out of range [" + std::to_string(lo) + ", " +
                      std::to_string(hi) + "]");
    }
    return v;
}

double Section::get_float(const std::string& key, double def, double lo, double hi) const {
    if (!has(key)) return def;
    const YAML::Node n = node_[key];
    double v = 0.0;
    try {
        if (!n.IsScalar()) throw YAML::Exception(YAML::Mark::null_mark(), "");
        v = n.as<double>();
    } catch (const YAML::Exception&) {
        fail(key, "expected a number, got '" + (n.IsScalar() ? n.Scalar() : std::string("a non-scalar")) + "'");
    }
    if (!(v >= lo && v <= hi)) {
        std::ostringstream msg;
        msg << v << " is out of range [" << lo << ", " << hi << "]";
        fail(key, msg.str());
    }
    return v;
}

bool Section::get_bool(const std::string& key, bool def) const {
    if (!has(key)) return def;
    const YAML::Node n = node_[key];
    try {
        if (!n.IsScalar()) throw YAML::Exception(YAML::Mark::null_mark(), "");
        return n.as<bool>();
    } catch (const YAML::Exception&) {
        fail(key, "expected true or false, got '" + (n.IsScalar() ? n.Scalar() : std::string("a non-scalar")) + "'");
    }
}

std::string Section::get_choice(const std::string& key, const std::string& def,
                                const std::vector<std::string>& choices) const {
    const std::string v = get_string(key, def);
    if (std::find(choices.begin(), choices.end(), v) == choices.end()) {
        std::string list;
        for (const auto& c : choices) list += (list.empty() ? "" : ", ") + c;
        fail(key, "'" + v + "' is not one of: " + list);
    }
    return v;
}

namespace {

engine::ColumnRef read_column(const Section& s, const std::string& key, bool required) {
    engine::ColumnRef ref;
    if (!s.has(key)) {
        if (required) {
            throw ConfigError(s.where(key) + ": missing required key '" + s.dotted() + "." + key + "'");
        }
        return ref;
    }
    const YAML::Node n = s.node(key);
    if (!n.IsScalar()) s.fail(key, "expected a column name or a 1-based position");
    const std::string text = n.Scalar();
    const bool numeric = !text.empty() && std::all_of(text.begin(), text.end(), ::isdigit) &&
                         n.Tag() != "!";  // a quoted number is a name
    if (numeric) {
        ref.position = std::stoi(text);
        if (ref.position < 1) s.fail(key, "column positions start at 1");
    } else {
        ref.name = text;
    }
    return ref;
}

engine::Timestamp read_timestamp(const Section& s, const std::string& key) {
    const std::string text = s.get_string(key, "");
    const auto t = engine::parse_timestamp(text);
    if (!t) s.fail(key, "cannot parse '" + text + "' as a date (YYYY-MM-DD[ HH:MM[:SS]])");
    return *t;
}

engine::Duration read_duration(const Section& s, const std::string& key, engine::Duration def) {
    if (!s.has(key)) return def;
    const std::string text = s.get_string(key, "");
    const auto d = engine::parse_duration(text);
    if (!d) s.fail(key, "cannot parse '" + text + "' as a duration (e.g. '3 months', '90 days')");
    return *d;
}

std::string existing_path(const Section& s, const std::string& key) {
    const std::string p = s.require_string(key);
    if (!std::filesystem::exists(p)) s.fail(key, "file '" + p + "' does not exist");
    return std::filesystem::absolute(p).lexically_normal().string();
}

char read_delimiter(const Section& s, const std::string& path) {
    const std::string format = s.get_choice("format", "auto", {"auto", "csv", "tsv"});
    if (s.has("delimiter")) {
        std::string d = s.get_string("delimiter", ",");
        if (d == "\\t" || d == "tab") d = "\t";
        if (d.size() != 1) s.fail("delimiter", "expected one character, got '" + d + "'");
        return d[0];
    }
    return engine::delimiter_for(format, path);
}

engine::FilterOp read_op(const Section& s, const std::string& key) {
    static const std::vector<std::pair<std::string, engine::FilterOp>> kOps = {
        {"not_empty", engine::FilterOp::NotEmpty}, {"empty", engine::FilterOp::Empty},
        {"gt", engine::FilterOp::Gt}, {"ge", engine::FilterOp::Ge},
        {"lt", engine::FilterOp::Lt}, {"le", engine::FilterOp::Le},
        {"eq", engine::FilterOp::Eq}, {"ne", engine::FilterOp::Ne},
        {"equals", engine::FilterOp::Equals}, {"not_equals", engine::FilterOp::NotEquals},
        {"starts_with", engine::FilterOp::StartsWith},
        {"not_starts_with", engine::FilterOp::NotStartsWith},
    };
    std::vector<std::string> names;
    for (const auto& [n, op] : kOps) names.push_back(n);
    const std::string v = s.get_choice(key, "", names);
    for (const auto& [n, op] : kOps) {
        if (n == v) return op;
    }
    return engine::FilterOp::NotEmpty;
}

}  // namespace

DataConfig read_data_config(const ConfigDoc& doc) {
    DataConfig cfg;
    const Section root(doc, doc.root(), "");
    const Section data = root.child("data");
    if (!root.has("data")) throw ConfigError(doc.name() + ": missing required section 'data'");
    engine::LogSpec& log = cfg.log;
    log.path = existing_path(data, "path");
    log.delimiter = read_delimiter(data, log.path);
    log.header = data.get_bool("header", true);
    const Section cols = data.child("columns");
    if (!data.has("columns")) throw ConfigError(data.where("columns") + ": missing required key 'data.columns'");
    log.user = read_column(cols, "user", true);
    log.item = read_column(cols, "item", true);
    log.timestamp = read_column(cols, "timestamp", false);
    log.value = read_column(cols, "value", false);
    log.item_name = read_column(cols, "item_name", false);
    if (data.has("filters")) {
        const YAML::Node list = data.node("filters");
        if (!list.IsSequence()) data.fail("filters", "expected a list of {column, op, value}");
        for (std::size_t i = 0; i < list.size(); ++i) {
            const Section f(doc, list[i], "data.filters[" + std::to_string(i) + "]");
            if (!list[i].IsMap()) data.fail("filters", "element " + std::to_string(i) + " is not a mapping");
            engine::RowFilter rf;
            rf.column = read_column(f, "column", true);
            rf.op = read_op(f, "op");
            using engine::FilterOp;
            const bool numeric = rf.op == FilterOp::Gt || rf.op == FilterOp::Ge ||
                                 rf.op == FilterOp::Lt || rf.op == FilterOp::Le ||
                                 rf.op == FilterOp::Eq || rf.op == FilterOp::Ne;
            const bool unary = rf.op == FilterOp::NotEmpty || rf.op == FilterOp::Empty;
            if (numeric) {
                if (!f.has("value")) f.fail("value", "required for a numeric comparison");
                rf.number = f.get_float("value", 0.0, -1e300, 1e300);
            } else if (!unary) {
                rf.text = f.require_string("value");
            } else if (f.has("value")) {
                f.fail("value", "not used by op '" + f.get_string("op", "") + "'");
            }
            log.filters.push_back(std::move(rf));
        }
    }
    if (data.has("item_metadata")) {
        const Section m = data.child("item_metadata");
        engine::ItemMetadataSpec spec;
        spec.path = existing_path(m, "path");
        spec.delimiter = read_delimiter(m, spec.path);
        spec.header = m.get_bool("header", true);
        spec.id = read_column(m, "id", true);
        spec.key = read_column(m, "key", false);
        spec.name = read_column(m, "name", false);
        spec.attribute = read_column(m, "attribute", false);
        log.item_metadata = spec;
    }
    const std::string fb = data.get_choice("feedback", "binary", {"binary", "count", "value"});
    engine::PrepareSpec& prep = cfg.prepare;
    prep.feedback = fb == "binary" ? engine::Feedback::Binary
                    : fb == "count" ? engine::Feedback::Count
                                    : engine::Feedback::Value;
    if (prep.feedback == engine::Feedback::Value && log.value.empty()) {
        data.fail("feedback", "'value' needs data.columns.value");
    }

    const Section split = root.child("split");
    engine::SplitSpec& s = prep.split;
    const std::string method =
        split.get_choice("method", "chronological", {"chronological", "random_holdout"});
    s.method = method == "chronological" ? engine::SplitMethod::Chronological
                                         : engine::SplitMethod::RandomHoldout;
    s.origin = "split at " + (root.has("split") ? root.where("split") : doc.name());
    if (split.has("end")) s.end = read_timestamp(split, "end");
    const engine::Duration window = read_duration(split, "window", {3, 0});
    s.train_val_window = read_duration(split, "train_val_window", window);
    s.valid_window = read_duration(split, "valid_window", window);
    s.test_window = read_duration(split, "test_window", window);
    if (split.has("periods")) {
        const Section periods = split.child("periods");
        for (engine::Period p : engine::kPeriods) {
            const std::string name = engine::period_name(p);
            if (!periods.has(name)) continue;
            const Section w = periods.child(name);
            if (!w.has("start") || !w.has("end")) {
                w.fail(w.has("start") ? "end" : "start", "both start and end are required");
            }
            const engine::Window win{read_timestamp(w, "start"), read_timestamp(w, "end")};
            if (win.end <= win.start) w.fail("end", "must be after start");
            s.explicit_windows[static_cast<int>(p)] = win;
        }
        const YAML::Node pn = split.node("periods");
        for (auto it = pn.begin(); it != pn.end(); ++it) {
            const std::string k = it->first.as<std::string>();
            if (k != "train_val" && k != "valid" && k != "train" && k != "test") {
                periods.fail(k, "unknown period (valid: train_val, valid, train, test)");
            }
        }
    }
    s.valid_fraction = split.get_float("valid_fraction", 0.1, 0.0, 0.999999);
    s.test_fraction = split.get_float("test_fraction", 0.1, 0.0, 0.999999);
    s.seed = static_cast<std::uint64_t>(split.get_int("seed", 42, 0, (1LL << 62)));
    engine::FilterSpec& f = prep.filter;
    f.min_user_interactions = split.get_int("min_user_interactions", 1, 1, 1LL << 40);
    f.min_item_interactions = split.get_int("min_item_interactions", 1, 1, 1LL << 40);
    f.k_core = split.get_bool("k_core", false);
    f.remove_cold_start = split.get_bool("remove_cold_start", true);
    f.origin = "split at " + (root.has("split") ? root.where("split") : doc.name());

    // NOTE: the resolved config names its input files by absolute path, so the stages that
    // read it back from the run folder work from any working directory.
    YAML::Node resolved = YAML::Clone(doc.root());
    resolved["data"]["path"] = log.path;
    if (log.item_metadata) resolved["data"]["item_metadata"]["path"] = log.item_metadata->path;
    YAML::Node source(YAML::NodeType::Map);
    source["data"] = resolved["data"];
    if (root.has("split")) source["split"] = resolved["split"];
    YAML::Emitter emitter;
    emitter << source;
    cfg.source_text = std::string(emitter.c_str()) + "\n";
    YAML::Emitter full;
    full << resolved;
    cfg.resolved_text = std::string(full.c_str()) + "\n";

    const Section out = root.child("output");
    std::string stem = std::filesystem::path(doc.name()).stem().string();
    cfg.output_dir = out.get_string("dir", "results/" + stem);
    cfg.save_prepared = out.get_bool("save_prepared", true);
    return cfg;
}

}  // namespace knntune::exp
