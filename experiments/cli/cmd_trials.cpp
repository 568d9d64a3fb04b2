/// `knntune trials LOG_OR_RUN_DIR [--format table|csv]`: prints the trial table of a study's
/// HDF5 trial log, finished or still running (the log is read as a consistent snapshot).

#include <boost/program_options.hpp>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <set>
#include <sstream>

#include "experiments/cli/commands.hpp"
#include "tuner/error.hpp"
#include "tuner/hdf5_storage.hpp"

namespace po = boost::program_options;
namespace kt = knntune::tuner;

namespace knntune::cli {

namespace {

// A run folder holds its log as trials.h5; any other path is taken as the log itself.
std::string resolve_log(const std::string& arg) {
    namespace fs = std::filesystem;
    if (!fs::exists(arg)) throw kt::StorageError("'" + arg + "' does not exist");
    if (!fs::is_directory(arg)) return arg;
    const fs::path log = fs::path(arg) / "trials.h5";
    if (fs::exists(log)) return log.string();
    throw kt::StorageError("run folder '" + arg + "' has no trials.h5");
}

std::string number_text(double x, int precision = 10) {
    if (std::isnan(x)) return "";
    std::ostringstream s;
    s << std::setprecision(precision) << x;
    return s.str();
}

std::string csv_field(const std::string& s) {
    if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
    std::string out = "\"";
    for (char c : s) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

}  // namespace

int cmd_trials(const Args& args) {
    po::options_description opts(
        "Usage: knntune trials LOG_OR_RUN_DIR [--format table|csv]\n\n"
        "Prints one row per trial of a trial log (a .h5 file, or a run folder holding\n"
        "trials.h5): number, state, value, every parameter (empty when inactive; categoricals\n"
        "by label), every extra metric, start and end time (seconds since the Unix epoch),\n"
        "duration in seconds and the error text. Works on a study that is still running.\n\n"
        "Options");
    std::string format = "table";
    std::string path;
    opts.add_options()("help,h", "show this help")(
        "format", po::value(&format)->default_value("table"), "table or csv");
    po::options_description hidden;
    hidden.add_options()("log", po::value(&path));
    po::options_description all;
    all.add(opts).add(hidden);
    po::positional_options_description pos;
    pos.add("log", 1);
    po::variables_map vm;
    po::store(po::command_line_parser(args).options(all).positional(pos).run(), vm);
    if (vm.count("help") != 0U) {
        std::cout << opts << "\n";
        return 0;
    }
    po::notify(vm);
    if (path.empty()) throw po::error("missing LOG_OR_RUN_DIR argument");
    if (format != "table" && format != "csv") {
        throw po::error("--format must be 'table' or 'csv', got '" + format + "'");
    }
    const kt::TrialLog log = kt::read_trial_log(resolve_log(path));
    const bool csv = format == "csv";
    const int digits = csv ? 17 : 6;  // CSV round-trips doubles; the table stays narrow
    const kt::SearchSpace& space = log.space;

    std::vector<std::string> header = {"number", "state", "value"};
    for (const kt::Param& p : space.params()) header.push_back(p.key);
    for (const std::string& m : log.metric_names) header.push_back(m);
    for (const char* c : {"start_time", "end_time", "duration", "error"}) header.emplace_back(c);

    std::vector<std::vector<std::string>> rows;
    for (const kt::FrozenTrial& t : log.trials) {
        std::vector<std::string> r = {std::to_string(t.number),
                                      std::string(kt::state_name(t.state)),
                                      number_text(t.value, digits)};
        for (std::size_t p = 0; p < space.size(); ++p) {
            r.push_back(space.param(p).distribution.format(t.params[p]));
        }
        for (const std::string& m : log.metric_names) {
            auto it = t.metrics.find(m);
            r.push_back(it == t.metrics.end() ? "" : number_text(it->second, digits));
        }
        r.push_back(number_text(t.start_time, 16));
        r.push_back(number_text(t.end_time, 16));
        r.push_back(number_text(t.duration(), 6));
        r.push_back(t.error);
        rows.push_back(std::move(r));
    }

    if (csv) {
        for (std::size_t i = 0; i < header.size(); ++i)
            std::cout << (i ? "," : "") << csv_field(header[i]);
        std::cout << "\n";
        for (const auto& r : rows) {
            for (std::size_t i = 0; i < r.size(); ++i)
                std::cout << (i ? "," : "") << csv_field(r[i]);
            std::cout << "\n";
        }
        return 0;
    }

    // Table: drop the raw timestamps, keep the duration; one-line error text.
    std::size_t complete = 0;
    for (const kt::FrozenTrial& t : log.trials) complete += t.state == kt::TrialState::Complete;
    std::cout << "study '" << log.info.name << "': " << kt::direction_name(log.info.direction)
              << ", sampler " << log.info.sampler << ", seed " << log.info.seed << ", "
              << log.trials.size() << " trials (" << complete << " complete)\n";
    std::vector<std::size_t> keep;
    for (std::size_t i = 0; i < header.size(); ++i) {
        if (header[i] != "start_time" && header[i] != "end_time") keep.push_back(i);
    }
    for (auto& r : rows) {
        std::string& e = r.back();
        for (char& c : e) c = (c == '\n' || c == '\r') ? ' ' : c;
        if (e.size() > 60) e = e.substr(0, 57) + "...";
    }
    std::vector<std::size_t> width(header.size(), 0);
    for (std::size_t i : keep) {
        width[i] = header[i].size();
        for (const auto& r : rows) width[i] = std::max(width[i], r[i].size());
    }
    const auto print = [&](const std::vector<std::string>& r) {
        std::string line;
        for (std::size_t i : keep) {
            std::string cell = r[i];
            cell.resize(width[i], ' ');
            line += cell + "  ";
        }
        while (!line.empty() && line.back() == ' ') line.pop_back();
        std::cout << line << "\n";
    };
    print(header);
    for (const auto& r : rows) print(r);
    return 0;
}

}  // namespace knntune::cli
