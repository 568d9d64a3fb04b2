#include "tuner/storage.hpp"

#include "tuner/error.hpp"

namespace knntune::tuner {

void check_resumable(const StudyInfo& stored, const StudyInfo& info, bool force,
                     const std::string& where) {
    if (force) return;
    const std::string hint = " (pass force to resume anyway, or start a new log)";
    if (stored.search_space != info.search_space) {
        throw StorageError("cannot resume " + where +
                           ": its search space differs from the "
                           "configured one" +
                           hint + "\n  stored:     " + stored.search_space +
                           "\n  configured: " + info.search_space);
    }
    if (stored.seed != info.seed) {
        throw StorageError("cannot resume " + where + ": it was run with seed " +
                           std::to_string(stored.seed) + ", the configuration says " +
                           std::to_string(info.seed) + hint);
    }
    if (stored.direction != info.direction) {
        throw StorageError("cannot resume " + where + ": its direction is " +
                           std::string(direction_name(stored.direction)) +
                           ", the configuration says " +
                           std::string(direction_name(info.direction)) + hint);
    }
}

std::vector<FrozenTrial> InMemoryStorage::open(const StudyInfo& info, const SearchSpace&,
                                               OpenMode mode) {
    if (opened_) {
        if (!mode.resume) throw StorageError("in-memory study already exists; open it with resume");
        check_resumable(info_, info, mode.force, "the in-memory study");
    } else {
        info_ = info;
        opened_ = true;
    }
    return trials();
}

void InMemoryStorage::write(std::span<const FrozenTrial> trials) {
    for (const FrozenTrial& t : trials) trials_[t.number] = t;
}

std::vector<FrozenTrial> InMemoryStorage::trials() const {
    std::vector<FrozenTrial> out;
    out.reserve(trials_.size());
    for (const auto& [n, t] : trials_) out.push_back(t);
    return out;
}

}  // namespace knntune::tuner
