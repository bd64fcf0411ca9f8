// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// Byte buffers and views, and the fixed-size byte strong types (Hash32, PublicKey,
// Signature). Plain values; safe to share between threads when not mutated.
#pragma once

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace l2 {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

inline ByteView as_bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

std::string to_hex(ByteView bytes);
// Lower- or upper-case hex, even length, no prefix. nullopt on anything else.
std::optional<Bytes> from_hex(std::string_view hex);

// N bytes with a tag, so that a Hash32 can't be passed where a PublicKey is meant.
template <std::size_t N, class Tag>
class FixedBytes {
 public:
  static constexpr std::size_t kSize = N;
  constexpr FixedBytes() = default;
  explicit FixedBytes(const std::array<std::uint8_t, N>& b) : bytes_(b) {}

  static FixedBytes from_view(ByteView v) {  // v.size() must be N: checked by callers
    FixedBytes out;
    if (v.size() == N) std::memcpy(out.bytes_.data(), v.data(), N);
    return out;
  }
  static std::optional<FixedBytes> from_hex_string(std::string_view hex) {
    auto b = from_hex(hex);
    if (!b || b->size() != N) return std::nullopt;
    return from_view(*b);
  }

  std::uint8_t* data() { return bytes_.data(); }
  [[nodiscard]] const std::uint8_t* data() const { return bytes_.data(); }
  static constexpr std::size_t size() { return N; }
  [[nodiscard]] ByteView view() const { return {bytes_.data(), N}; }
  [[nodiscard]] std::string hex() const { return to_hex(view()); }
  std::array<std::uint8_t, N>& array() { return bytes_; }
  [[nodiscard]] const std::array<std::uint8_t, N>& array() const { return bytes_; }
  [[nodiscard]] bool is_zero() const {
    for (auto b : bytes_)
      if (b != 0) return false;
    return true;
  }

  friend bool operator==(const FixedBytes&, const FixedBytes&) = default;
  // NOLINTNEXTLINE(modernize-use-nullptr): false positive on a defaulted <=> (LLVM issue 53961)
  friend auto operator<=>(const FixedBytes&, const FixedBytes&) = default;

 private:
  std::array<std::uint8_t, N> bytes_{};
};

using Hash32 = FixedBytes<32, struct Hash32Tag>;
using PublicKey = FixedBytes<32, struct PublicKeyTag>;
using Signature = FixedBytes<64, struct SignatureTag>;
using Seed32 = FixedBytes<32, struct Seed32Tag>;

// Hash functor for unordered containers keyed by uniformly random bytes (hashes, keys).
struct FixedBytesHasher {
  template <std::size_t N, class Tag>
  std::size_t operator()(const FixedBytes<N, Tag>& b) const noexcept {
    std::size_t h = 0;
    std::memcpy(&h, b.data(), sizeof h);
    return h;
  }
};

}  // namespace l2
