// Readers of the data, split and output keys that need more than a typed value, and the
// completion of the data part once every key is read.

#include <algorithm>
#include <filesystem>

#include "engine/data/csv_reader.hpp"
#include "experiments/config/key_readers.hpp"

namespace knntune::exp::keys {

namespace {

bool is_numeric(engine::FilterOp op) {
    using engine::FilterOp;
    return op == FilterOp::Gt || op == FilterOp::Ge || op == FilterOp::Lt || op == FilterOp::Le ||
           op == FilterOp::Eq || op == FilterOp::Ne;
}

engine::RowFilter read_filter(const Section& f) {
    engine::RowFilter rf;
    rf.column = parse_column_key(f, "column");
    if (!f.has("op")) {
        throw ConfigError(f.where() + ": missing required key '" + f.dotted("op") + "'");
    }
    rf.op = static_cast<engine::FilterOp>(f.get_choice("op", split_choices(kFilterOps)));
    const bool unary = rf.op == engine::FilterOp::NotEmpty || rf.op == engine::FilterOp::Empty;
    if (is_numeric(rf.op)) {
        if (!f.has("value")) f.fail("value", "required for a numeric comparison");
        rf.number = f.get_float("value", {-1e300, 1e300});
    } else if (!unary) {
        rf.text = f.require_string("value");
    } else if (f.has("value")) {
        f.fail("value", "not used by op '" + f.get_string("op") + "'");
    }
    return rf;
}

/// "split at FILE:LINE", quoted by the engine in its errors about the split.
std::string split_origin(const ConfigDoc& doc) {
    const Section root(doc, doc.root(), "");
    return "split at " + (root.has("split") ? root.where("split") : doc.name());
}

}  // namespace

engine::Duration parse_duration_key(const Section& s, const std::string& key) {
    const std::string text = s.get_string(key);
    const auto d = engine::parse_duration(text);
    if (!d) s.fail(key, "cannot parse '" + text + "' as a duration (e.g. '3 months', '90 days')");
    return *d;
}

engine::Timestamp parse_timestamp_key(const Section& s, const std::string& key) {
    const std::string text = s.get_string(key);
    const engine::ParsedTimestamp t = engine::parse_timestamp_checked(text);
    if (t.status == engine::TimestampStatus::OutOfRange) {
        s.fail(key, "'" + text + "' is out of range (" + engine::timestamp_range_text() + ")");
    }
    if (t.status != engine::TimestampStatus::Ok) {
        s.fail(key, "cannot parse '" + text + "' as a date (YYYY-MM-DD[ HH:MM[:SS]])");
    }
    return t.value;
}

engine::ColumnRef parse_column_key(const Section& s, const std::string& key) {
    if (!s.has(key)) {
        throw ConfigError(s.where() + ": missing required key '" + s.dotted(key) + "'");
    }
    const YAML::Node n = s.node(key);
    if (!n.IsScalar()) s.fail(key, "expected a column name or a 1-based position");
    const std::string text = n.Scalar();
    const bool numeric = !text.empty() && std::all_of(text.begin(), text.end(), ::isdigit) &&
                         n.Tag() != "!";  // a quoted number is a name
    engine::ColumnRef ref;
    if (!numeric) {
        ref.name = text;
        return ref;
    }
    if (text.size() > 9) s.fail(key, "column position " + text + " is too large");
    ref.position = std::stoi(text);
    if (ref.position < 1) s.fail(key, "column positions start at 1");
    return ref;
}

std::string parse_path_key(const Section& s, const std::string& key) {
    const std::string p = s.require_string(key);
    // The error_code forms: a path the system refuses to look up (a name longer than the
    // system's limit, a loop of links, a folder without search permission) is a config error
    // naming the key, like a missing file, not a filesystem exception.
    std::error_code ec;
    const auto st = std::filesystem::status(p, ec);
    if (ec && ec != std::errc::no_such_file_or_directory && ec != std::errc::not_a_directory) {
        s.fail(key, "cannot look up file '" + p + "': " + ec.message());
    }
    if (!std::filesystem::exists(st)) s.fail(key, "file '" + p + "' does not exist");
    const auto abs = std::filesystem::absolute(p, ec);
    if (ec) s.fail(key, "cannot resolve file '" + p + "': " + ec.message());
    return abs.lexically_normal().string();
}

std::string duration_text(const engine::Duration& d) {
    if (d.months != 0 && d.seconds == 0) return std::to_string(d.months) + " months";
    if (d.months == 0 && d.seconds % 86400 == 0) return std::to_string(d.seconds / 86400) + " days";
    if (d.months == 0) return std::to_string(d.seconds) + " seconds";
    return std::to_string(d.months) + " months " + std::to_string(d.seconds) + " seconds";
}

void read_delimiter(const ConfigKey&, const Section& s, const std::string& key, std::string& out) {
    std::string d = s.get_string(key);
    if (d == "\\t" || d == "tab") d = "\t";
    if (d.size() != 1) s.fail(key, "expected one character, got '" + d + "'");
    out = d;
}

void read_filters(const ConfigKey&, const Section& s, const std::string& key,
                  ExperimentConfig& cfg) {
    const YAML::Node list = s.node(key);
    for (std::size_t i = 0; i < list.size(); ++i) {
        const Section f(s.doc(), list[i], s.dotted(key) + "[" + std::to_string(i) + "]");
        cfg.data.log.filters.push_back(read_filter(f));
    }
}

void read_item_metadata(const ConfigKey&, const Section&, const std::string&,
                        ExperimentConfig& cfg) {
    cfg.data.has_metadata = true;
}

void read_window(const ConfigKey&, const Section& s, const std::string& key,
                 ExperimentConfig& cfg) {
    // NOTE: the three windows read after this one override it (table order).
    cfg.data.window = parse_duration_key(s, key);
    engine::SplitSpec& split = cfg.data.prepare.split;
    split.train_val_window = split.valid_window = split.test_window = cfg.data.window;
}

void read_periods(const ConfigKey&, const Section& s, const std::string& key,
                  ExperimentConfig& cfg) {
    const Section periods = s.child(key);
    for (auto it = periods.node().begin(); it != periods.node().end(); ++it) {
        const std::string name = it->first.as<std::string>();
        const auto p = std::find_if(engine::kPeriods.begin(), engine::kPeriods.end(),
                                    [&](engine::Period x) { return name == period_name(x); });
        if (p == engine::kPeriods.end()) {
            periods.fail(name, "unknown period (valid: train_val, valid, train, test)");
        }
        const Section w = periods.child(name);
        if (!w.has("start") || !w.has("end")) {
            w.fail(w.has("start") ? "end" : "start", "both start and end are required");
        }
        const engine::Window win{parse_timestamp_key(w, "start"), parse_timestamp_key(w, "end")};
        if (win.end <= win.start) w.fail("end", "must be after start");
        cfg.data.prepare.split.explicit_windows[static_cast<int>(*p)] = win;
    }
}

void finish_data(const ConfigDoc& doc, ExperimentConfig& cfg) {
    DataConfig& d = cfg.data;
    const Section data = Section(doc, doc.root(), "").child("data");
    d.log.delimiter =
        d.delimiter.empty() ? engine::delimiter_for(d.format, d.log.path) : d.delimiter.front();
    if (d.has_metadata) {
        d.metadata.delimiter = d.metadata_delimiter.empty()
                                   ? engine::delimiter_for(d.metadata_format, d.metadata.path)
                                   : d.metadata_delimiter.front();
        d.log.item_metadata = d.metadata;
    }
    if (d.prepare.feedback == engine::Feedback::Value && d.log.value.empty()) {
        data.fail("feedback", "'value' needs data.columns.value");
    }
    d.prepare.split.origin = split_origin(doc);
    d.prepare.filter.origin = split_origin(doc);
}

}  // namespace knntune::exp::keys
