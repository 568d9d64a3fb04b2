// The trial log's journal (tuner/trial_journal.hpp, docs/trial-log.md "Crash safety"): the cost
// per event does not grow with the study, torn tails are dropped, other damage is refused, and
// a journal out of step with its log gives every trial exactly once.

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "tests/tuner/fixtures.hpp"
#include "tuner/error.hpp"
#include "tuner/hdf5_storage.hpp"
#include "tuner/trial_journal.hpp"

using namespace knntune::tuner;
using knntune::tuner::testing::knn_space;
using knntune::tuner::testing::scratch_dir;
namespace fs = std::filesystem;

namespace {

StudyInfo journal_info(const SearchSpace& space) {
    StudyInfo info;
    info.name = "journal";
    info.direction = Direction::Maximize;
    info.seed = 3;
    info.search_space = space.to_json_text();
    info.sampler = "random";
    info.sampler_settings = "{}";
    return info;
}

FrozenTrial running(std::int64_t number, const SearchSpace& space) {
    FrozenTrial t;
    t.number = number;
    t.params.assign(space.size(), kInactive);
    t.params[0] = 5;
    t.params[1] = 10 + static_cast<double>(number % 90);
    t.params[2] = 12.5;
    t.start_time = 1.7e9 + static_cast<double>(number);
    return t;
}

FrozenTrial complete(FrozenTrial t) {
    t.state = TrialState::Complete;
    t.value = 0.001 * static_cast<double>(t.number);
    t.metrics = {{"ndcg@10", 0.5}};
    t.end_time = t.start_time + 0.5;
    return t;
}

// A storage that never compacts by itself, so the journal holds every event.
Hdf5Options journal_only() {
    return {.fsync = false, .compact_min_records = 1'000'000, .compact_divisor = 1};
}

std::string bytes_of(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

void put_bytes(const fs::path& p, const std::string& b) {
    std::ofstream(p, std::ios::binary | std::ios::trunc) << b;
}

// Copies the log and its journal (as a crash would leave them) to `to`.
void snapshot(const fs::path& log, const fs::path& to) {
    fs::copy_file(log, to, fs::copy_options::overwrite_existing);
    fs::copy_file(journal_path(log.string()), journal_path(to.string()),
                  fs::copy_options::overwrite_existing);
}

// Offsets of the journal's records (after its header).
std::vector<std::uint64_t> record_offsets(const fs::path& log) {
    const Journal j = read_journal(journal_path(log.string()));
    std::vector<std::uint64_t> out;
    for (const JournalRecord& r : j.records) out.push_back(r.offset);
    return out;
}

}  // namespace

TEST_CASE("journal: the cost per trial does not grow with the trial count", "[tuner][journal]") {
    const auto dir = scratch_dir("journal-cost");
    const std::string path = (dir / "t.h5").string();
    const SearchSpace space = knn_space();
    constexpr int kTrials = 2000;
    std::vector<double> bytes(kTrials);  // bytes written for each trial (ask and tell)
    std::size_t compactions_at_half = 0;
    {
        Hdf5Storage s(path, Hdf5Options{.fsync = false});
        (void)s.open(journal_info(space), space, {});
        for (int i = 0; i < kTrials; ++i) {
            FrozenTrial t = running(i, space);
            for (const FrozenTrial& event : {t, complete(t)}) {
                const std::uintmax_t journal_before = fs::file_size(journal_path(path));
                const std::size_t before = s.compactions();
                s.write(std::span(&event, 1));
                if (s.compactions() != before) {
                    bytes[i] += static_cast<double>(fs::file_size(path));  // the rewritten log
                } else {
                    bytes[i] +=
                        static_cast<double>(fs::file_size(journal_path(path)) - journal_before);
                }
            }
            if (i == kTrials / 2 - 1) compactions_at_half = s.compactions();
        }
        // Geometric compaction: doubling the trials adds a constant number of compactions
        // (log 2 / log 1.25 ≈ 3.1), where rewriting the log per event adds 2 per trial.
        CHECK(s.compactions() - compactions_at_half <= 5);
        CHECK(s.compactions() <= 25);
    }
    double first = 0, last = 0;
    for (int i = 0; i < 500; ++i) first += bytes[i];
    for (int i = kTrials - 500; i < kTrials; ++i) last += bytes[i];
    INFO("bytes written: first 500 trials " << first << ", last 500 " << last);
    CHECK(last < 2.0 * first);
    // The study's end compacts: the log file alone holds every trial.
    CHECK(read_journal(journal_path(path)).records.empty());
    fs::remove(journal_path(path));
    CHECK(read_trial_log(path).trials.size() == static_cast<std::size_t>(kTrials));
    fs::remove_all(dir);
}

TEST_CASE("journal: a torn last record is dropped, the events before it kept", "[tuner][journal]") {
    const auto dir = scratch_dir("journal-torn");
    const fs::path log = dir / "t.h5";
    const fs::path cut = dir / "cut.h5";
    const SearchSpace space = knn_space();
    Hdf5Storage s(log.string(), journal_only());
    (void)s.open(journal_info(space), space, {});
    for (int i = 0; i < 3; ++i) {
        const FrozenTrial t = running(i, space);
        s.write(std::span(&t, 1));
        const FrozenTrial done = complete(t);
        s.write(std::span(&done, 1));
    }
    const FrozenTrial fourth = running(3, space);
    s.write(std::span(&fourth, 1));  // the last record: trial 3 asked
    const std::string whole = bytes_of(journal_path(log.string()));
    const std::uint64_t last = record_offsets(log).back();
    snapshot(log, cut);
    REQUIRE(read_trial_log(cut.string()).trials.size() == 4);
    const auto check_dropped = [&](const std::string& journal, const std::string& what) {
        INFO(what);
        put_bytes(journal_path(cut.string()), journal);
        const TrialLog l = read_trial_log(cut.string());
        REQUIRE(l.trials.size() == 3);
        for (const FrozenTrial& t : l.trials) CHECK(t.state == TrialState::Complete);
    };
    for (std::uint64_t keep = last; keep < whole.size(); keep += 7) {
        check_dropped(whole.substr(0, keep), "cut to " + std::to_string(keep) + " bytes");
    }
    std::string bad_crc = whole;
    bad_crc.back() = static_cast<char>(bad_crc.back() ^ 0x20);
    check_dropped(bad_crc, "last payload damaged");
    check_dropped(whole.substr(0, last) + std::string(100, '\0'), "zero bytes after a power cut");
    // Resuming the torn copy continues after the last whole record.
    put_bytes(journal_path(cut.string()), whole.substr(0, whole.size() - 3));
    {
        Hdf5Storage r(cut.string(), journal_only());
        CHECK(r.open(journal_info(space), space, {.resume = true}).size() == 3);
        const FrozenTrial again = running(3, space);
        r.write(std::span(&again, 1));
    }
    CHECK(read_trial_log(cut.string()).trials.size() == 4);
    s.flush();  // so that its destructor has nothing left to write into the removed folder
    fs::remove_all(dir);
}

TEST_CASE("journal: a damaged record before the last is refused with its file and offset",
          "[tuner][journal]") {
    const auto dir = scratch_dir("journal-damage");
    const fs::path log = dir / "t.h5";
    const fs::path bad = dir / "bad.h5";
    const SearchSpace space = knn_space();
    Hdf5Storage s(log.string(), journal_only());
    (void)s.open(journal_info(space), space, {});
    for (int i = 0; i < 3; ++i) {
        const FrozenTrial t = running(i, space);
        s.write(std::span(&t, 1));
    }
    const std::string whole = bytes_of(journal_path(log.string()));
    const std::vector<std::uint64_t> at = record_offsets(log);
    snapshot(log, bad);
    const std::string where = "trial log journal '" + journal_path(bad.string()) +
                              "': record at byte " + std::to_string(at[1]) + ": ";
    SECTION("a payload byte") {
        std::string b = whole;
        b[at[1] + 20] = static_cast<char>(b[at[1] + 20] ^ 1);
        put_bytes(journal_path(bad.string()), b);
        CHECK_THROWS_WITH(read_trial_log(bad.string()),
                          Catch::StartsWith(where + "checksum mismatch"));
    }
    SECTION("a length field") {
        std::string b = whole;
        b[at[1]] = static_cast<char>(b[at[1]] ^ 4);
        put_bytes(journal_path(bad.string()), b);
        CHECK_THROWS_WITH(read_trial_log(bad.string()),
                          Catch::StartsWith(where + "its length field is damaged"));
    }
    SECTION("a record missing (sequence numbers skip)") {
        put_bytes(journal_path(bad.string()), whole.substr(0, at[0]) + whole.substr(at[1]));
        CHECK_THROWS_WITH(read_trial_log(bad.string()),
                          Catch::Contains("sequence number") && Catch::Contains("expected"));
    }
    SECTION("a valid record with a value outside the space") {
        FrozenTrial t = running(7, space);
        t.params[1] = 1e9;  // k
        const auto rec = journal_record(4, std::span<const FrozenTrial>(&t, 1));
        put_bytes(journal_path(bad.string()), whole + std::string(rec.begin(), rec.end()));
        const FrozenTrial more = running(8, space);  // so that the bad one is not the last
        const auto next = journal_record(5, std::span<const FrozenTrial>(&more, 1));
        std::ofstream(journal_path(bad.string()), std::ios::binary | std::ios::app)
            << std::string(next.begin(), next.end());
        CHECK_THROWS_WITH(read_trial_log(bad.string()),
                          Catch::Contains("record at byte " + std::to_string(whole.size())) &&
                              Catch::Contains("trial 7: ") && Catch::Contains(" is 1000000000"));
    }
    SECTION("not a journal") {
        put_bytes(journal_path(bad.string()), "hello");
        CHECK_THROWS_WITH(read_trial_log(bad.string()),
                          Catch::Contains("is not a knntune journal"));
    }
    s.flush();
    fs::remove_all(dir);
}

TEST_CASE("journal: a crash between compaction steps gives each trial exactly once",
          "[tuner][journal]") {
    const auto dir = scratch_dir("journal-compact");
    const fs::path log = dir / "t.h5";
    const SearchSpace space = knn_space();
    Hdf5Storage s(log.string(), journal_only());
    (void)s.open(journal_info(space), space, {});
    for (int i = 0; i < 4; ++i) {
        const FrozenTrial t = running(i, space);
        s.write(std::span(&t, 1));
        const FrozenTrial done = complete(t);
        s.write(std::span(&done, 1));
    }
    const FrozenTrial t4 = running(4, space);
    s.write(std::span(&t4, 1));
    const std::string old_journal = bytes_of(journal_path(log.string()));
    const std::uint64_t tell4 = fs::file_size(journal_path(log.string()));
    const FrozenTrial d4 = complete(t4);
    s.write(std::span(&d4, 1));
    const std::string with_tell = bytes_of(journal_path(log.string()));
    s.flush();  // the log now holds all 10 events, the journal none
    REQUIRE(read_journal(journal_path(log.string())).records.empty());
    const auto check_once = [&] {
        const TrialLog l = read_trial_log(log.string());
        REQUIRE(l.trials.size() == 5);
        for (std::size_t i = 0; i < 5; ++i) {
            CHECK(l.trials[i].number == static_cast<std::int64_t>(i));
            CHECK(l.trials[i].state == TrialState::Complete);
        }
        CHECK(l.sequence == 10);
    };
    SECTION("killed after the log was replaced, before the journal was") {
        put_bytes(journal_path(log.string()), with_tell);
        check_once();
    }
    SECTION("power cut: the log synced, the old journal without its last record") {
        // Replaying trial 4's ask over the log would make it Running again.
        REQUIRE(old_journal.size() == tell4);
        put_bytes(journal_path(log.string()), old_journal);
        check_once();
    }
    SECTION("a journal of another log is refused") {
        put_bytes(journal_path(log.string()), [&] {
            const auto h = journal_header("another-log", 10);
            return std::string(h.begin(), h.end());
        }());
        CHECK_THROWS_WITH(read_trial_log(log.string()), Catch::Contains("belongs to another log"));
    }
    SECTION("a log older than its journal is refused") {
        const auto h = journal_header(read_trial_log(log.string()).log_id, 12);
        put_bytes(journal_path(log.string()), std::string(h.begin(), h.end()));
        CHECK_THROWS_WITH(read_trial_log(log.string()), Catch::Contains("holds events up to 10") &&
                                                            Catch::Contains("older copy"));
    }
    fs::remove_all(dir);
}

TEST_CASE("journal: race records, and a new log removes a journal left without its log",
          "[tuner][journal]") {
    const auto dir = scratch_dir("journal-race");
    const fs::path log = dir / "t.h5";
    const SearchSpace space = knn_space();
    {
        Hdf5Storage s(log.string(), journal_only());
        (void)s.open(journal_info(space), space, {});
        RaceRecord race;
        race.key = "algorithm";
        race.check_every = 5;
        race.arms.resize(2);
        race.arms[0].label = "cosine";
        race.arms[1].label = "tversky";
        race.arms[1].racing = false;
        race.arms[1].stopped_at = 4;
        s.write_race(race);
        const TrialLog l = read_trial_log(log.string());  // from the journal
        REQUIRE(l.race.arms.size() == 2);
        CHECK(!l.race.arms[1].racing);
        CHECK(l.race.arms[1].stopped_at == 4);
        race.check_every = 0;  // refused as in the log's own reader
        s.write_race(race);
        const FrozenTrial t = running(0, space);
        s.write(std::span(&t, 1));
        CHECK_THROWS_WITH(read_trial_log(log.string()), Catch::Contains("race check_every is 0"));
        race.check_every = 5;
        s.write_race(race);
    }
    fs::remove(log);
    REQUIRE(fs::exists(journal_path(log.string())));
    Hdf5Storage fresh(log.string(), journal_only());
    CHECK(fresh.open(journal_info(space), space, {}).empty());
    CHECK(read_trial_log(log.string()).race.empty());
    fs::remove_all(dir);
}
