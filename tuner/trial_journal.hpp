#pragma once
/// The trial log's journal (`PATH.journal` beside the log `PATH`; docs/trial-log.md,
/// "Crash safety: a journal beside the log"). Internal to the tuner.
///
/// The file is the 8 bytes `KNNTJNL1`, then records. A record is a 12-byte frame, the payload
/// length (uint32), the CRC-32C of those 4 bytes and the CRC-32C of the payload, then the
/// payload: its sequence number (uint64), its kind (uint8) and its body. All integers are
/// little-endian, doubles IEEE 754 binary64 little-endian, strings a uint32 length and bytes.
/// The first record is the header (kind 0): the identity of the log the journal belongs to,
/// and the sequence number of the last event that log already holds. Every later record is
/// one event, numbered from there on by one: trials written (kind 1) or a race record (kind 2).
///
/// A record is appended with one write() call, so a crash can only leave a prefix of the last
/// record: `read_journal` drops such a torn tail (also a last record whose payload does not
/// match its CRC, and a tail of zero bytes, which a power cut can leave) and refuses any other
/// damage with the file and the record's offset.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "tuner/hdf5_storage.hpp"
#include "tuner/storage.hpp"
#include "tuner/trial.hpp"

namespace knntune::tuner {

/// The kinds of journal records.
enum class JournalKind : std::uint8_t { Header = 0, Trials = 1, Race = 2 };

/// One event of the journal.
struct JournalRecord {
    std::uint64_t offset = 0;    ///< byte offset of its frame in the file
    std::uint64_t sequence = 0;  ///< the header's sequence + its position (1, 2, ...)
    JournalKind kind = JournalKind::Trials;
    std::vector<FrozenTrial> trials;  ///< kind Trials
    RaceRecord race;                  ///< kind Race
};

/// A journal as read from its file.
struct Journal {
    std::string log_id;      ///< identity of the log it belongs to
    std::uint64_t base = 0;  ///< last sequence the log held when the journal was started
    std::vector<JournalRecord> records;  ///< in file order, sequences base+1, base+2, ...
    std::uint64_t torn_bytes = 0;        ///< bytes of a torn last record that were dropped
};

/// The bytes of a new journal holding only its header.
[[nodiscard]] std::vector<unsigned char> journal_header(const std::string& log_id,
                                                        std::uint64_t base);
/// The bytes of one record (frame and payload) of trials written.
[[nodiscard]] std::vector<unsigned char> journal_record(std::uint64_t sequence,
                                                        std::span<const FrozenTrial> trials);
/// The bytes of one record (frame and payload) of a race record.
[[nodiscard]] std::vector<unsigned char> journal_record(std::uint64_t sequence,
                                                        const RaceRecord& race);

/// Decodes the journal `path` (framing, checksums, sequence numbers and encoding; the values
/// are checked against the log's search space by the caller). Throws StorageError "trial log
/// journal 'PATH': ..." naming the record's offset.
[[nodiscard]] Journal read_journal(const std::string& path);

/// Decodes journal bytes; `path` names them in messages.
[[nodiscard]] Journal parse_journal(std::span<const unsigned char> bytes, const std::string& path);

/// Applies the records of `journal` (read from `path`) whose sequence is above `log.sequence`
/// to `log`, in order: trials replace those of the same number, a race record the race. Each
/// value is validated as the log's own (states, parameters against `log.space`, metric names,
/// the race's settings and counts); a problem throws StorageError naming `path` and the
/// record's offset. Sets `log.sequence` to the journal's last.
void merge_journal(TrialLog& log, const Journal& journal, const std::string& path);

}  // namespace knntune::tuner
