// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// Strong integer types (AccountIndex, Nonce, BatchNumber, ChainId, BlockNumber) and
// Amount, an unsigned 64-bit count of the smallest unit whose arithmetic is checked: add
// and sub return nullopt on overflow/underflow instead of wrapping. No floating point.
//
// Base-chain positions and time: QueuePosition<Tag> (DepositPosition, ForcedPosition) is
// a place in one of a rollup's two base-chain queues, ChainTime a point of base-chain
// time and ChainDuration a length of it (a window, a deadline), both in whole seconds.
// They carry only the arithmetic that means something (a position plus a count, a time
// plus a duration, the duration between two times); none of it wraps. The wire forms are
// the plain integers (value()), converted at encode and decode.
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
using BlockNumber = StrongInt<std::uint64_t, struct BlockNumberTag>;  // a base-chain block's height

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

// A position in one of a rollup's base-chain queues, counted from 0 in queue order; a
// range of entries is [from, upto). Each queue has its own Tag, so a deposit position is
// never taken for a forced-tx one. Positions come off the wire, so moving one on is
// checked: a position past 2^64 - 1 is nullopt, never a wrap back to 0.
template <class Tag>
class QueuePosition {
 public:
  constexpr QueuePosition() = default;
  constexpr explicit QueuePosition(std::uint64_t v) : v_(v) {}
  [[nodiscard]] constexpr std::uint64_t value() const { return v_; }

  // The position `n` entries later; nullopt past the last representable position.
  [[nodiscard]] constexpr std::optional<QueuePosition> checked_add(std::uint64_t n) const {
    if (v_ > std::numeric_limits<std::uint64_t>::max() - n) return std::nullopt;
    return QueuePosition(v_ + n);
  }
  // How many entries [from, *this) holds; nullopt when `from` comes after this position.
  [[nodiscard]] constexpr std::optional<std::uint64_t> count_since(QueuePosition from) const {
    if (from.v_ > v_) return std::nullopt;
    return v_ - from.v_;
  }

  friend constexpr bool operator==(QueuePosition, QueuePosition) = default;
  // NOLINTNEXTLINE(modernize-use-nullptr): false positive on a defaulted <=> (LLVM issue 53961)
  friend constexpr auto operator<=>(QueuePosition, QueuePosition) = default;

 private:
  std::uint64_t v_ = 0;
};

using DepositPosition = QueuePosition<struct DepositQueueTag>;  // the bridge's deposit queue
using ForcedPosition = QueuePosition<struct ForcedQueueTag>;    // the bridge's forced-tx queue

// A length of base-chain time in whole seconds: a challenge window, an inclusion
// deadline, a time advance. Unsigned, like its wire form (u64).
class ChainDuration {
 public:
  constexpr ChainDuration() = default;
  constexpr explicit ChainDuration(std::uint64_t seconds) : s_(seconds) {}
  static constexpr ChainDuration max() { return ChainDuration(std::numeric_limits<std::uint64_t>::max()); }
  [[nodiscard]] constexpr std::uint64_t value() const { return s_; }

  [[nodiscard]] constexpr std::optional<ChainDuration> checked_add(ChainDuration o) const {
    if (s_ > std::numeric_limits<std::uint64_t>::max() - o.s_) return std::nullopt;
    return ChainDuration(s_ + o.s_);
  }

  friend constexpr bool operator==(ChainDuration, ChainDuration) = default;
  // NOLINTNEXTLINE(modernize-use-nullptr): false positive on a defaulted <=> (LLVM issue 53961)
  friend constexpr auto operator<=>(ChainDuration, ChainDuration) = default;

 private:
  std::uint64_t s_ = 0;
};

// A point of base-chain time: seconds since the Unix epoch by the base chain's clock
// (block timestamps, the time a queue entry or commitment was recorded). Signed 64-bit
// like its wire and SQLite forms. The chain refuses windows and deadlines that could
// push a time out of range (kMaxWindowSeconds), so in practice nothing saturates; the
// operators still never wrap: past either end a result is pinned to min() or max().
// Pinning errs the safe way for deadlines: a deadline out of range never comes, and a
// threshold `now - window` out of range is older than every entry.
class ChainTime {
 public:
  constexpr ChainTime() = default;
  constexpr explicit ChainTime(std::int64_t seconds) : s_(seconds) {}
  static constexpr ChainTime min() { return ChainTime(std::numeric_limits<std::int64_t>::min()); }
  static constexpr ChainTime max() { return ChainTime(std::numeric_limits<std::int64_t>::max()); }
  [[nodiscard]] constexpr std::int64_t value() const { return s_; }

  // nullopt where the result would leave the int64 range.
  [[nodiscard]] constexpr std::optional<ChainTime> checked_add(ChainDuration d) const {
    const auto room = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) -
                      static_cast<std::uint64_t>(s_);  // modulo 2^64: exact, s_ <= max
    if (d.value() > room) return std::nullopt;
    return ChainTime(static_cast<std::int64_t>(static_cast<std::uint64_t>(s_) + d.value()));
  }
  [[nodiscard]] constexpr std::optional<ChainTime> checked_sub(ChainDuration d) const {
    const auto room = static_cast<std::uint64_t>(s_) -
                      static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::min());  // exact
    if (d.value() > room) return std::nullopt;
    return ChainTime(static_cast<std::int64_t>(static_cast<std::uint64_t>(s_) - d.value()));
  }

  // Saturating: pinned to max() / min() where checked_add / checked_sub give nullopt.
  friend constexpr ChainTime operator+(ChainTime t, ChainDuration d) {
    return t.checked_add(d).value_or(max());
  }
  friend constexpr ChainTime operator-(ChainTime t, ChainDuration d) {
    return t.checked_sub(d).value_or(min());
  }
  // How long from `earlier` to `later`; zero when `later` is not after `earlier` (time
  // left until a deadline that has passed is none). Exact otherwise: the difference of
  // two int64 values always fits a u64.
  friend constexpr ChainDuration operator-(ChainTime later, ChainTime earlier) {
    if (later.s_ <= earlier.s_) return ChainDuration(0);
    return ChainDuration(static_cast<std::uint64_t>(later.s_) - static_cast<std::uint64_t>(earlier.s_));
  }

  friend constexpr bool operator==(ChainTime, ChainTime) = default;
  // NOLINTNEXTLINE(modernize-use-nullptr): false positive on a defaulted <=> (LLVM issue 53961)
  friend constexpr auto operator<=>(ChainTime, ChainTime) = default;

 private:
  std::int64_t s_ = 0;
};

}  // namespace l2

template <class Rep, class Tag>
struct std::hash<l2::StrongInt<Rep, Tag>> {
  std::size_t operator()(l2::StrongInt<Rep, Tag> v) const noexcept { return std::hash<Rep>{}(v.value()); }
};
template <class Tag>
struct std::hash<l2::QueuePosition<Tag>> {
  std::size_t operator()(l2::QueuePosition<Tag> v) const noexcept {
    return std::hash<std::uint64_t>{}(v.value());
  }
};
