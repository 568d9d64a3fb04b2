#include "tuner/trial_journal.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <map>
#include <set>

#include "common/atomic_file.hpp"
#include "common/file_checksum.hpp"
#include "common/text.hpp"
#include "tuner/error.hpp"

namespace knntune::tuner {

namespace {

constexpr unsigned char kMagic[8] = {'K', 'N', 'N', 'T', 'J', 'N', 'L', '1'};
constexpr std::size_t kFrameBytes = 12;
// NOTE: a record is one batch of asked trials or one race record, kilobytes; a length beyond
// this in a frame whose own CRC matches can only come from another program.
constexpr std::uint32_t kMaxPayload = std::uint32_t{1} << 26;

// ---- encoding ------------------------------------------------------------------------------

class Out {
  public:
    void u8(std::uint8_t v) { bytes_.push_back(v); }
    void u32(std::uint32_t v) {
        for (int i = 0; i < 4; ++i) bytes_.push_back(static_cast<unsigned char>(v >> (8 * i)));
    }
    void u64(std::uint64_t v) {
        for (int i = 0; i < 8; ++i) bytes_.push_back(static_cast<unsigned char>(v >> (8 * i)));
    }
    void i64(std::int64_t v) { u64(static_cast<std::uint64_t>(v)); }
    void f64(double v) { u64(std::bit_cast<std::uint64_t>(v)); }
    void str(const std::string& s) {
        u32(static_cast<std::uint32_t>(s.size()));
        bytes_.insert(bytes_.end(), s.begin(), s.end());
    }
    std::vector<unsigned char>& bytes() { return bytes_; }

  private:
    std::vector<unsigned char> bytes_;
};

// One framed record around `payload`.
std::vector<unsigned char> frame(std::vector<unsigned char>& payload) {
    Out head;
    head.u32(static_cast<std::uint32_t>(payload.size()));
    const std::uint32_t length_crc = crc32c(std::span(head.bytes()).first(4));
    head.u32(length_crc);
    head.u32(crc32c(payload));
    std::vector<unsigned char> out = std::move(head.bytes());
    out.insert(out.end(), payload.begin(), payload.end());
    return out;
}

void put_trial(Out& o, const FrozenTrial& t) {
    o.i64(t.number);
    o.u8(static_cast<std::uint8_t>(t.state));
    o.f64(t.value);
    o.f64(t.start_time);
    o.f64(t.end_time);
    o.u32(static_cast<std::uint32_t>(t.params.size()));
    for (double v : t.params) o.f64(v);
    o.u32(static_cast<std::uint32_t>(t.metrics.size()));
    for (const auto& [name, v] : t.metrics) {
        o.str(name);
        o.f64(v);
    }
    o.str(t.error);
}

void put_race(Out& o, const RaceRecord& r) {
    o.str(r.key);
    o.str(r.test);
    o.f64(r.alpha);
    o.i64(r.min_trials);
    o.i64(r.check_every);
    o.i64(r.confirm);
    o.str(r.allocation);
    o.i64(r.next_check);
    o.i64(r.n_tests);
    o.u32(static_cast<std::uint32_t>(r.arms.size()));
    for (const RaceArm& a : r.arms) {
        o.str(a.label);
        o.u8(a.racing ? 1 : 0);
        o.i64(a.stopped_at);
        o.i64(a.n_trials);
        o.i64(a.strikes);
        o.f64(a.p_value);
        o.f64(a.p_raw);
        o.str(a.leader);
        o.f64(a.value);
        o.f64(a.leader_value);
    }
    o.i64(r.round_start);
}

// ---- decoding ------------------------------------------------------------------------------

// A payload that does not decode; the caller adds the file and the offset.
struct BadPayload {
    std::string what;
};

class In {
  public:
    explicit In(std::span<const unsigned char> b) : b_(b) {}
    std::uint8_t u8() { return take(1)[0]; }
    std::uint32_t u32() {
        const auto p = take(4);
        std::uint32_t v = 0;
        for (int i = 3; i >= 0; --i) v = (v << 8) | p[static_cast<std::size_t>(i)];
        return v;
    }
    std::uint64_t u64() {
        const auto p = take(8);
        std::uint64_t v = 0;
        for (int i = 7; i >= 0; --i) v = (v << 8) | p[static_cast<std::size_t>(i)];
        return v;
    }
    std::int64_t i64() { return static_cast<std::int64_t>(u64()); }
    double f64() { return std::bit_cast<double>(u64()); }
    std::string str() {
        const auto p = take(u32());
        return {p.begin(), p.end()};
    }
    /// A count of items of at least `min_bytes` each, bounded by the bytes left.
    std::size_t count(std::size_t min_bytes, const char* what) {
        const std::uint32_t n = u32();
        if (n > (b_.size() - at_) / min_bytes) {
            throw BadPayload{std::string(what) + " count " + std::to_string(n) +
                             " exceeds the record"};
        }
        return n;
    }
    bool done() const { return at_ == b_.size(); }

  private:
    std::span<const unsigned char> take(std::size_t n) {
        if (n > b_.size() - at_) throw BadPayload{"the record ends inside a field"};
        const auto p = b_.subspan(at_, n);
        at_ += n;
        return p;
    }
    std::span<const unsigned char> b_;
    std::size_t at_ = 0;
};

FrozenTrial get_trial(In& in) {
    FrozenTrial t;
    t.number = in.i64();
    const std::uint8_t state = in.u8();
    if (state > static_cast<std::uint8_t>(TrialState::Fail)) {
        throw BadPayload{"trial " + std::to_string(t.number) + " has the unknown state code " +
                         std::to_string(state)};
    }
    t.state = static_cast<TrialState>(state);
    t.value = in.f64();
    t.start_time = in.f64();
    t.end_time = in.f64();
    t.params.resize(in.count(8, "parameter"));
    for (double& v : t.params) v = in.f64();
    const std::size_t n_metrics = in.count(12, "metric");
    for (std::size_t i = 0; i < n_metrics; ++i) {
        std::string name = in.str();
        t.metrics[std::move(name)] = in.f64();
    }
    t.error = in.str();
    return t;
}

RaceRecord get_race(In& in) {
    RaceRecord r;
    r.key = in.str();
    r.test = in.str();
    r.alpha = in.f64();
    r.min_trials = in.i64();
    r.check_every = in.i64();
    r.confirm = in.i64();
    r.allocation = in.str();
    r.next_check = in.i64();
    r.n_tests = in.i64();
    r.arms.resize(in.count(69, "arm"));
    for (RaceArm& a : r.arms) {
        a.label = in.str();
        a.racing = in.u8() != 0;
        a.stopped_at = in.i64();
        a.n_trials = in.i64();
        a.strikes = in.i64();
        a.p_value = in.f64();
        a.p_raw = in.f64();
        a.leader = in.str();
        a.value = in.f64();
        a.leader_value = in.f64();
    }
    // NOTE: records written before pruning existed end here.
    if (!in.done()) r.round_start = in.i64();
    return r;
}

std::uint32_t le32(std::span<const unsigned char> b) {
    return static_cast<std::uint32_t>(b[0]) | static_cast<std::uint32_t>(b[1]) << 8 |
           static_cast<std::uint32_t>(b[2]) << 16 | static_cast<std::uint32_t>(b[3]) << 24;
}

// Decodes one payload that passed its CRC into `rec`.
void decode_payload(std::span<const unsigned char> payload, JournalRecord& rec,
                    std::string& log_id) {
    In in(payload);
    rec.sequence = in.u64();
    const std::uint8_t kind = in.u8();
    if (kind > static_cast<std::uint8_t>(JournalKind::Race)) {
        throw BadPayload{"unknown record kind " + std::to_string(kind)};
    }
    rec.kind = static_cast<JournalKind>(kind);
    if (rec.kind == JournalKind::Header) {
        log_id = in.str();
    } else if (rec.kind == JournalKind::Trials) {
        rec.trials.resize(in.count(45, "trial"));
        for (FrozenTrial& t : rec.trials) t = get_trial(in);
    } else {
        rec.race = get_race(in);
    }
    if (!in.done()) throw BadPayload{"the record has bytes after its last field"};
}

[[noreturn]] void fail_record(const std::string& path, std::uint64_t offset,
                              const std::string& what) {
    throw StorageError("trial log journal '" + path + "': record at byte " +
                       std::to_string(offset) + ": " + what +
                       "; restore a copy, or delete the journal and the log and run the study "
                       "again");
}

// NOTE: the bounds of the log's own reader (hdf5_storage.cpp): counts beyond 2^40 cannot come
// from a study.
constexpr std::int64_t kMaxCount = std::int64_t{1} << 40;

// The first problem of trial `t` against `space`, or "".
std::string trial_problem(const FrozenTrial& t, const SearchSpace& space) {
    const std::string which = "trial " + std::to_string(t.number);
    if (t.number < 0 || t.number > kMaxCount) return which + ": number outside [0, 2^40]";
    if (t.params.size() != space.size()) {
        return which + " has " + std::to_string(t.params.size()) + " parameters, the log's space " +
               std::to_string(space.size());
    }
    for (std::size_t p = 0; p < space.size(); ++p) {
        const Distribution& d = space.param(p).distribution;
        const double v = t.params[p];
        if (!std::isnan(v) && !d.in_range(v)) {
            return which + ": " + space.param(p).key + " is " + std::to_string(v) + ", outside " +
                   d.describe();
        }
    }
    for (const auto& [name, v] : t.metrics) {
        if (name.empty() || name.find_first_of("/,\"\n") != std::string::npos || name == "." ||
            name == "..") {
            return which + ": metric name '" + printable(name, kEchoBytes) +
                   "' is empty or contains '/', ',', a quote or a newline";
        }
    }
    return "";
}

// The first problem of race record `r`, or "".
std::string race_problem(const RaceRecord& r) {
    const auto count = [](const char* name, std::int64_t v, std::int64_t low) -> std::string {
        if (v >= low && v <= kMaxCount) return "";
        return std::string("race ") + name + " is " + std::to_string(v) + ", outside [" +
               std::to_string(low) + ", 2^40]";
    };
    if (!(r.alpha > 0.0 && r.alpha < 1.0)) return "race alpha is not in (0, 1)";
    if (r.allocation != "equal" && r.allocation != "dimension") {
        return "race allocation is '" + printable(r.allocation, kEchoBytes) +
               "', expected equal or dimension";
    }
    for (std::string p : {count("min_trials", r.min_trials, 0),
                          count("check_every", r.check_every, 1), count("confirm", r.confirm, 1),
                          count("next_check", r.next_check, 0), count("n_tests", r.n_tests, 0)}) {
        if (!p.empty()) return p;
    }
    for (const RaceArm& a : r.arms) {
        for (std::string p : {count("stopped_at", a.stopped_at, -1),
                              count("n_trials", a.n_trials, 0), count("strikes", a.strikes, 0)}) {
            if (!p.empty()) return "arm '" + printable(a.label, kEchoBytes) + "': " + p;
        }
    }
    return "";
}

}  // namespace

void merge_journal(TrialLog& log, const Journal& journal, const std::string& path) {
    std::map<std::int64_t, FrozenTrial> by_number;
    for (FrozenTrial& t : log.trials) by_number[t.number] = std::move(t);
    for (const JournalRecord& rec : journal.records) {
        if (rec.sequence <= log.sequence) continue;  // already in the log (a crash mid-compaction)
        if (rec.kind == JournalKind::Race) {
            if (const std::string p = race_problem(rec.race); !p.empty()) {
                fail_record(path, rec.offset, p);
            }
            log.race = rec.race;
            continue;
        }
        for (const FrozenTrial& t : rec.trials) {
            if (const std::string p = trial_problem(t, log.space); !p.empty()) {
                fail_record(path, rec.offset, p);
            }
            by_number[t.number] = t;
        }
    }
    log.sequence = std::max(log.sequence, journal.base + journal.records.size());
    log.trials.clear();
    std::set<std::string> metric_names(log.metric_names.begin(), log.metric_names.end());
    for (auto& [n, t] : by_number) {
        for (const auto& [name, v] : t.metrics) metric_names.insert(name);
        log.trials.push_back(std::move(t));
    }
    log.metric_names.assign(metric_names.begin(), metric_names.end());
}

std::vector<unsigned char> journal_header(const std::string& log_id, std::uint64_t base) {
    Out o;
    o.u64(base);
    o.u8(static_cast<std::uint8_t>(JournalKind::Header));
    o.str(log_id);
    std::vector<unsigned char> out(std::begin(kMagic), std::end(kMagic));
    const std::vector<unsigned char> rec = frame(o.bytes());
    out.insert(out.end(), rec.begin(), rec.end());
    return out;
}

std::vector<unsigned char> journal_record(std::uint64_t sequence,
                                          std::span<const FrozenTrial> trials) {
    Out o;
    o.u64(sequence);
    o.u8(static_cast<std::uint8_t>(JournalKind::Trials));
    o.u32(static_cast<std::uint32_t>(trials.size()));
    for (const FrozenTrial& t : trials) put_trial(o, t);
    return frame(o.bytes());
}

std::vector<unsigned char> journal_record(std::uint64_t sequence, const RaceRecord& race) {
    Out o;
    o.u64(sequence);
    o.u8(static_cast<std::uint8_t>(JournalKind::Race));
    put_race(o, race);
    return frame(o.bytes());
}

Journal parse_journal(std::span<const unsigned char> bytes, const std::string& path) {
    if (bytes.size() < sizeof kMagic ||
        !std::equal(std::begin(kMagic), std::end(kMagic), bytes.begin())) {
        throw StorageError("trial log journal '" + path +
                           "' is not a knntune journal (it does not start with KNNTJNL1)");
    }
    Journal j;
    std::uint64_t at = sizeof kMagic;
    while (at < bytes.size()) {
        const auto rest = bytes.subspan(at);
        // NOTE: a crash leaves at most a prefix of the last record (one write() each), and a
        // power cut may leave a last record that does not match its CRC or zero bytes past the
        // last synced one: all of them a torn tail. The header is never torn (it is written
        // whole, then renamed into place).
        const bool after_header = at > sizeof kMagic;
        const auto zeros = [&] {
            return std::all_of(rest.begin(), rest.end(), [](unsigned char c) { return c == 0; });
        };
        if (rest.size() < kFrameBytes) {
            if (after_header) break;
            fail_record(path, at, "the record is cut off");
        }
        const std::uint32_t length = le32(rest);
        if (crc32c(rest.first(4)) != le32(rest.subspan(4))) {
            if (after_header && zeros()) break;
            fail_record(path, at, "its length field is damaged");
        }
        if (length > kMaxPayload)
            fail_record(path, at, "its length " + std::to_string(length) + " is too large");
        if (rest.size() - kFrameBytes < length) {
            if (after_header) break;
            fail_record(path, at, "the record is cut off");
        }
        const auto payload = rest.subspan(kFrameBytes, length);
        if (crc32c(payload) != le32(rest.subspan(8))) {
            if (after_header && rest.size() == kFrameBytes + length) break;
            fail_record(path, at, "checksum mismatch (damaged, or changed by another program)");
        }
        JournalRecord rec;
        rec.offset = at;
        try {
            decode_payload(payload, rec, j.log_id);
        } catch (const BadPayload& e) {
            fail_record(path, at, e.what);
        }
        const bool first = at == sizeof kMagic;
        if (first != (rec.kind == JournalKind::Header)) {
            fail_record(path, at,
                        first ? "the first record is not the header" : "a second header record");
        }
        if (first) {
            j.base = rec.sequence;
        } else {
            const std::uint64_t want = j.base + j.records.size() + 1;
            if (rec.sequence != want) {
                fail_record(path, at,
                            "sequence number " + std::to_string(rec.sequence) + ", expected " +
                                std::to_string(want));
            }
            j.records.push_back(std::move(rec));
        }
        at += kFrameBytes + length;
    }
    j.torn_bytes = bytes.size() - at;
    if (at == sizeof kMagic) fail_record(path, at, "the header record is missing");
    return j;
}

Journal read_journal(const std::string& path) {
    std::string bytes;
    try {
        bytes = read_file(path);
    } catch (const IoError& e) {
        throw StorageError(std::string("trial log journal: ") + e.what());
    }
    return parse_journal(
        std::span(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size()), path);
}

}  // namespace knntune::tuner
