#include "engine/data/interner.hpp"

#include <cstring>

namespace knntune::engine {

StringInterner::StringInterner() : offsets_(1, 0), slots_(1024, 0) {}

std::uint64_t StringInterner::hash(std::string_view key) {
    // FNV-1a over the bytes, then a final avalanche so the low bits are well mixed.
    std::uint64_t h = 1469598103934665603ULL;
    for (const char c : key) {
        h ^= static_cast<unsigned char>(c);
        h *= 1099511628211ULL;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h;
}

std::int32_t StringInterner::find(std::string_view key) const {
    const std::uint64_t h = hash(key);
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t s = h & mask;; s = (s + 1) & mask) {
        const std::int32_t v = slots_[s];
        if (v == 0) return -1;
        const std::int32_t id = v - 1;
        if (hashes_[id] == static_cast<std::uint32_t>(h) && this->key(id) == key) return id;
    }
}

std::int32_t StringInterner::intern(std::string_view key) {
    const std::uint64_t h = hash(key);
    const std::size_t mask = slots_.size() - 1;
    std::size_t s = h & mask;
    for (;; s = (s + 1) & mask) {
        const std::int32_t v = slots_[s];
        if (v == 0) break;
        const std::int32_t id = v - 1;
        if (hashes_[id] == static_cast<std::uint32_t>(h) && this->key(id) == key) return id;
    }
    const std::int32_t id = size();
    arena_.append(key);
    offsets_.push_back(arena_.size());
    hashes_.push_back(static_cast<std::uint32_t>(h));
    slots_[s] = id + 1;
    if (static_cast<std::size_t>(size()) * 2 > slots_.size()) grow();
    return id;
}

void StringInterner::grow() {
    std::vector<std::int32_t> slots(slots_.size() * 2, 0);
    const std::size_t mask = slots.size() - 1;
    for (std::int32_t id = 0; id < size(); ++id) {
        std::size_t s = hash(key(id)) & mask;
        while (slots[s] != 0) s = (s + 1) & mask;
        slots[s] = id + 1;
    }
    slots_.swap(slots);
}

std::vector<std::string> StringInterner::keys() const {
    std::vector<std::string> out;
    out.reserve(static_cast<std::size_t>(size()));
    for (std::int32_t id = 0; id < size(); ++id) out.emplace_back(key(id));
    return out;
}

}  // namespace knntune::engine
