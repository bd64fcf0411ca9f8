// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// Strong integer types (AccountIndex, Nonce, BatchNumber, ChainId) and Amount, an
// unsigned 64-bit count of the smallest unit whose arithmetic is checked: add and
// sub return nullopt on overflow/underflow instead of wrapping. No floating point.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>

namespace l2 {

template <class Rep, class Tag>
class StrongInt {
 public:
  using rep = Rep;
  constexpr StrongInt() = default;
  constexpr explicit StrongInt(Rep v) : v_(v) {}
  [[nodiscard]] constexpr Rep value() const { return v_; }
  friend constexpr bool operator==(StrongInt, StrongInt) = default;
  // NOLINTNEXTLINE(modernize-use-nullptr): false positive on a defaulted <=> (LLVM issue 53961)
  friend constexpr auto operator<=>(StrongInt, StrongInt) = default;

 private:
  Rep v_{};
};

using AccountIndex = StrongInt<std::uint32_t, struct AccountIndexTag>;
using Nonce = StrongInt<std::uint64_t, struct NonceTag>;
using BatchNumber = StrongInt<std::uint64_t, struct BatchNumberTag>;
using ChainId = StrongInt<std::uint64_t, struct ChainIdTag>;

class Amount {
 public:
  constexpr Amount() = default;
  constexpr explicit Amount(std::uint64_t v) : v_(v) {}
  static constexpr Amount max() { return Amount(std::numeric_limits<std::uint64_t>::max()); }
  [[nodiscard]] constexpr std::uint64_t value() const { return v_; }
  [[nodiscard]] constexpr bool is_zero() const { return v_ == 0; }

  [[nodiscard]] constexpr std::optional<Amount> checked_add(Amount o) const {
    if (v_ > std::numeric_limits<std::uint64_t>::max() - o.v_) return std::nullopt;
    return Amount(v_ + o.v_);
  }
  [[nodiscard]] constexpr std::optional<Amount> checked_sub(Amount o) const {
    if (o.v_ > v_) return std::nullopt;
    return Amount(v_ - o.v_);
  }
  // Decimal string of the smallest unit (the JSON form).
  [[nodiscard]] std::string to_string() const { return std::to_string(v_); }
  // Strict: digits only, no sign, no leading zeros (except "0"), must fit 64 bits.
  static std::optional<Amount> parse(const std::string& s);

  friend constexpr bool operator==(Amount, Amount) = default;
  // NOLINTNEXTLINE(modernize-use-nullptr): false positive on a defaulted <=> (LLVM issue 53961)
  friend constexpr auto operator<=>(Amount, Amount) = default;

 private:
  std::uint64_t v_ = 0;
};

}  // namespace l2

template <class Rep, class Tag>
struct std::hash<l2::StrongInt<Rep, Tag>> {
  std::size_t operator()(l2::StrongInt<Rep, Tag> v) const noexcept { return std::hash<Rep>{}(v.value()); }
};
