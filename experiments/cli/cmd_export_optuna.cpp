/// `knntune export-optuna RUN_OR_LOG --journal FILE [--study NAME] [--force]`: writes the
/// studies of a run folder (or one trial log) as an Optuna journal file, one Optuna study per
/// trial log, so that Optuna's `load_study`, its visualisations and optuna-dashboard read them.

#include <boost/program_options.hpp>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "common/atomic_file.hpp"
#include "common/text.hpp"
#include "experiments/cli/commands.hpp"
#include "experiments/cli/trial_logs.hpp"
#include "experiments/error.hpp"
#include "tuner/hdf5_storage.hpp"
#include "tuner/optuna_journal.hpp"

namespace po = boost::program_options;
namespace kt = knntune::tuner;

namespace knntune::cli {

namespace {

/// The logs to export: all of them, or the one whose study is `study`.
std::vector<kt::TrialLog> chosen_logs(const std::string& path, const std::string& study) {
    std::vector<kt::TrialLog> logs;
    for (const std::string& log : resolve_trial_logs(path)) {
        logs.push_back(kt::read_trial_log(log));
    }
    if (study.empty()) return logs;
    std::string names;
    for (kt::TrialLog& log : logs) {
        if (log.info.name == study) return {std::move(log)};
        names += (names.empty() ? "" : ", ") + log.info.name;
    }
    throw exp::UsageError("--study: '" + printable(study, kEchoBytes) + "' is not a study of '" +
                          path + "' (its studies: " + names + ")");
}

}  // namespace

int run_export_optuna(const Command& self, const Args& args) {
    CommandLine line(self);
    std::string path;
    std::string journal;
    std::string study;
    bool force = false;
    line.options().add_options()("journal", po::value(&journal)->value_name("FILE"),
                                 "the Optuna journal file to write (required)")(
        "study", po::value(&study)->value_name("NAME"),
        "export only the study NAME (a run folder holds one per model)")(
        "force", po::bool_switch(&force), "replace FILE when it exists");
    if (!line.parse(args, {{"RUN_OR_LOG", &path}})) return 0;
    if (journal.empty()) throw exp::UsageError("--journal FILE is required");
    // NOTE: Optuna appends to a journal, so a second export into one file would merge two
    // studies of one name; an existing file is only ever replaced whole, and only when asked.
    if (!force && std::filesystem::exists(journal)) {
        throw exp::UsageError("journal '" + journal +
                              "' exists; Optuna appends to a journal, so writing into it would "
                              "merge studies: remove it, or pass --force to replace it");
    }
    const std::vector<kt::TrialLog> logs = chosen_logs(path, study);
    write_file_atomic(journal, kt::optuna_journal(logs));
    for (const kt::TrialLog& log : logs) {
        std::cout << "study '" << log.info.name << "': " << log.trials.size() << " trials\n";
    }
    std::cout << "wrote " << journal << " (load it with optuna.load_study(study_name=NAME, "
              << "storage=JournalStorage(JournalFileStorage(FILE))))\n";
    return 0;
}

const Command kExportOptuna{
    "export-optuna", "write a study's trials as an Optuna journal file",
    R"(Usage: knntune export-optuna RUN_OR_LOG --journal FILE [--study NAME] [--force]

Writes the trials of a trial log (a .h5 file), or of every log in a run folder, to FILE in
the journal format of Optuna 3.1, so that Python reads them with

    storage = optuna.storages.JournalStorage(optuna.storages.JournalFileStorage(FILE))
    study = optuna.load_study(study_name=NAME, storage=storage)

and optuna.visualization and optuna-dashboard show them. Each log is one Optuna study,
named as the log's study (item_knn, user_knn, item_knn-cosine, ...); --study NAME exports
that one only. Each trial keeps its number, state, value (bit for bit), start and end time,
its active parameters by key (tversky.alpha) with their distributions, and its extra metrics
as user attributes; the study keeps the sampler, seed, search space, configuration and, for
a race, the race record as study user attributes (docs/optuna.md).

FILE is written whole (a new file replaces it atomically). An existing FILE is refused
unless --force: Optuna appends to a journal, so exporting into one that already holds a
study of the same name would merge the two; --force replaces FILE, it never appends.)",
    run_export_optuna};

}  // namespace knntune::cli
