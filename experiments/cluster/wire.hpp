#pragma once
/// The byte layout of the messages between ranks: fixed-size values in the machine's own
/// representation (every rank of a job runs the same binary on the same kind of machine),
/// strings and vectors as a 64-bit length and their bytes. A message read past its end is an
/// internal error (the ranks disagree about the protocol), never undefined behaviour.

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace knntune::exp::cluster {

class Writer {
  public:
    template <class T>
    requires std::is_trivially_copyable_v<T> Writer& put(const T& v) {
        bytes_.append(reinterpret_cast<const char*>(&v), sizeof(T));
        return *this;
    }
    Writer& put_string(std::string_view s) {
        put<std::uint64_t>(s.size());
        bytes_.append(s);
        return *this;
    }
    template <class T>
    requires std::is_trivially_copyable_v<T> Writer& put_vector(const std::vector<T>& v) {
        put<std::uint64_t>(v.size());
        bytes_.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
        return *this;
    }
    [[nodiscard]] const std::string& bytes() const { return bytes_; }
    [[nodiscard]] std::string take() { return std::move(bytes_); }

  private:
    std::string bytes_;
};

class Reader {
  public:
    explicit Reader(std::string_view bytes) : bytes_(bytes) {}
    template <class T>
    requires std::is_trivially_copyable_v<T> T get() {
        T v;
        std::memcpy(&v, take(sizeof(T)), sizeof(T));
        return v;
    }
    std::string get_string() {
        const auto n = get<std::uint64_t>();
        return std::string(take(n), n);
    }
    template <class T>
    requires std::is_trivially_copyable_v<T> std::vector<T> get_vector() {
        const auto n = get<std::uint64_t>();
        if (n > (bytes_.size() - at_) / sizeof(T)) fail();
        std::vector<T> v(n);
        if (n > 0) std::memcpy(v.data(), take(n * sizeof(T)), n * sizeof(T));
        return v;
    }
    [[nodiscard]] bool done() const { return at_ == bytes_.size(); }

  private:
    const char* take(std::size_t n) {
        if (n > bytes_.size() - at_) fail();
        const char* p = bytes_.data() + at_;
        at_ += n;
        return p;
    }
    [[noreturn]] static void fail() {
        throw std::logic_error("a message between ranks ended early (the ranks disagree)");
    }
    std::string_view bytes_;
    std::size_t at_ = 0;
};

}  // namespace knntune::exp::cluster
