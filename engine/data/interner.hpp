#pragma once
/// Maps distinct strings to dense ids 0, 1, 2, ... in order of first insertion.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace knntune::engine {

/// An open-addressing string interner. Keys are copied into one contiguous arena, so
/// interning costs no allocation per key and the ids are stable. Not thread-safe.
class StringInterner {
  public:
    StringInterner();

    /// Id of `key`, inserting it with the next free id when it is new.
    std::int32_t intern(std::string_view key);
    /// Id of `key`, or -1 when it was never interned.
    [[nodiscard]] std::int32_t find(std::string_view key) const;
    /// The key with id `id` (0 <= id < size()).
    [[nodiscard]] std::string_view key(std::int32_t id) const {
        return {arena_.data() + offsets_[id], offsets_[id + 1] - offsets_[id]};
    }
    [[nodiscard]] std::int32_t size() const {
        return static_cast<std::int32_t>(offsets_.size() - 1);
    }
    /// Copies all keys out, in id order.
    [[nodiscard]] std::vector<std::string> keys() const;

  private:
    static std::uint64_t hash(std::string_view key);
    void grow();

    std::string arena_;                  ///< all keys back to back
    std::vector<std::size_t> offsets_;   ///< key i is arena_[offsets_[i], offsets_[i+1])
    std::vector<std::int32_t> slots_;    ///< id + 1 per slot, 0 = empty; size is a power of 2
    std::vector<std::uint32_t> hashes_;  ///< low hash bits per id, to skip most compares
};

}  // namespace knntune::engine
