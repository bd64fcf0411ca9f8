// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// Amount's checked arithmetic and strict parser, the strong integer types, FixedBytes,
// and Result / Status.
#include <gtest/gtest.h>

#include <cctype>
#include <limits>
#include <memory>
#include <string>
#include <type_traits>
#include <unordered_set>

#include "common/bytes.hpp"
#include "common/result.hpp"
#include "common/types.hpp"

namespace l2 {
namespace {

constexpr std::uint64_t kMax64 = std::numeric_limits<std::uint64_t>::max();

// ---- Amount -----------------------------------------------------------------------------

TEST(Amount, CheckedAddAtTheEdges) {
  EXPECT_EQ(Amount(0).checked_add(Amount(0)), Amount(0));
  EXPECT_EQ(Amount(2).checked_add(Amount(3)), Amount(5));
  EXPECT_EQ(Amount::max().checked_add(Amount(0)), Amount::max());
  EXPECT_EQ(Amount(kMax64 - 1).checked_add(Amount(1)), Amount::max());
  EXPECT_EQ(Amount(1).checked_add(Amount(kMax64 - 1)), Amount::max());
  EXPECT_EQ(Amount::max().checked_add(Amount(1)), std::nullopt);
  EXPECT_EQ(Amount(1).checked_add(Amount::max()), std::nullopt);
  EXPECT_EQ(Amount::max().checked_add(Amount::max()), std::nullopt);
  EXPECT_EQ(Amount(1ull << 63).checked_add(Amount(1ull << 63)), std::nullopt);
  EXPECT_EQ(Amount(1ull << 63).checked_add(Amount((1ull << 63) - 1)), Amount::max());
}

TEST(Amount, CheckedSubAtTheEdges) {
  EXPECT_EQ(Amount(0).checked_sub(Amount(1)), std::nullopt);
  EXPECT_EQ(Amount(0).checked_sub(Amount(0)), Amount(0));
  EXPECT_EQ(Amount::max().checked_sub(Amount::max()), Amount(0));
  EXPECT_EQ(Amount::max().checked_sub(Amount(1)), Amount(kMax64 - 1));
  EXPECT_EQ(Amount(5).checked_sub(Amount(6)), std::nullopt);
  EXPECT_EQ(Amount(5).checked_sub(Amount(5)), Amount(0));
  EXPECT_EQ(Amount(kMax64 - 1).checked_sub(Amount::max()), std::nullopt);
}

TEST(Amount, CheckedArithmeticIsUsableAtCompileTime) {
  static_assert(Amount(2).checked_add(Amount(2)) == Amount(4));
  static_assert(!Amount::max().checked_add(Amount(1)).has_value());
  static_assert(!Amount(0).checked_sub(Amount(1)).has_value());
  static_assert(Amount::max().value() == kMax64);
  SUCCEED();
}

TEST(Amount, ComparisonAndZero) {
  EXPECT_TRUE(Amount().is_zero());
  EXPECT_TRUE(Amount(0).is_zero());
  EXPECT_FALSE(Amount(1).is_zero());
  EXPECT_LT(Amount(1), Amount(2));
  EXPECT_GT(Amount::max(), Amount(kMax64 - 1));
  EXPECT_EQ(Amount(7), Amount(7));
  EXPECT_NE(Amount(7), Amount(8));
}

TEST(Amount, ParseAcceptsCanonicalDecimals) {
  struct Ok {
    const char* text;
    std::uint64_t value;
  };
  for (const Ok& c : {Ok{"0", 0}, Ok{"1", 1}, Ok{"10", 10}, Ok{"9007199254740993", 9007199254740993ull},
                      Ok{"18446744073709551614", kMax64 - 1}, Ok{"18446744073709551615", kMax64}}) {
    auto a = Amount::parse(c.text);
    ASSERT_TRUE(a.has_value()) << c.text;
    EXPECT_EQ(a->value(), c.value) << c.text;
    EXPECT_EQ(a->to_string(), c.text);
  }
}

TEST(Amount, ParseRejectsEverythingElse) {
  for (const char* s : {"",
                        "-1",
                        "-0",
                        "01",
                        "00",
                        "000",
                        "+1",
                        "1.0",
                        "1.",
                        ".1",
                        "18446744073709551616",
                        "18446744073709551617",
                        "99999999999999999999",
                        "184467440737095516150",
                        " 1",
                        "1 ",
                        "1e3",
                        "0x10",
                        "1_000",
                        "1,000",
                        "a",
                        "\xef\xbc\x91" /* fullwidth 1 */}) {
    EXPECT_FALSE(Amount::parse(s).has_value()) << "'" << s << "'";
  }
  // An embedded NUL is not a digit.
  EXPECT_FALSE(Amount::parse(std::string("1\0", 2)).has_value());
}

TEST(Amount, ToStringRoundTrips) {
  const std::uint64_t values[] = {0, 1, 42, 1ull << 53, (1ull << 53) + 1, kMax64};
  for (std::uint64_t v : values) {
    auto back = Amount::parse(Amount(v).to_string());
    ASSERT_TRUE(back.has_value()) << v;
    EXPECT_EQ(back->value(), v);
  }
}

// ---- strong integers --------------------------------------------------------------------

TEST(StrongInt, ComparesAndHashesByValue) {
  EXPECT_EQ(AccountIndex(3), AccountIndex(3));
  EXPECT_LT(AccountIndex(3), AccountIndex(4));
  EXPECT_EQ(AccountIndex().value(), 0u);
  EXPECT_EQ(Nonce(kMax64).value(), kMax64);
  EXPECT_EQ(std::hash<BatchNumber>{}(BatchNumber(9)), std::hash<std::uint64_t>{}(9));
  std::unordered_set<ChainId> ids = {ChainId(1), ChainId(2), ChainId(1)};
  EXPECT_EQ(ids.size(), 2u);
  static_assert(!std::is_convertible_v<std::uint64_t, Nonce>, "construction must be explicit");
  static_assert(!std::is_convertible_v<Nonce, BatchNumber>, "distinct tags must not mix");
}

// ---- queue positions and base-chain time ----------------------------------------------

TEST(QueuePosition, CheckedAddAndCountSinceAtTheEdges) {
  EXPECT_EQ(DepositPosition(5).checked_add(3), DepositPosition(8));
  EXPECT_EQ(DepositPosition(kMax64 - 1).checked_add(1), DepositPosition(kMax64));
  EXPECT_FALSE(DepositPosition(kMax64).checked_add(1));  // never wraps back to 0
  EXPECT_FALSE(DepositPosition(2).checked_add(kMax64));
  EXPECT_EQ(ForcedPosition(kMax64).checked_add(0), ForcedPosition(kMax64));
  EXPECT_EQ(ForcedPosition(7).count_since(ForcedPosition(3)), 4u);
  EXPECT_EQ(ForcedPosition(3).count_since(ForcedPosition(3)), 0u);
  EXPECT_EQ(ForcedPosition(kMax64).count_since(ForcedPosition(0)), kMax64);
  EXPECT_FALSE(ForcedPosition(3).count_since(ForcedPosition(4)));  // from after upto
  static_assert(DepositPosition(1).checked_add(1) == DepositPosition(2));
}

TEST(QueuePosition, ComparesHashesAndKeepsTheQueuesApart) {
  EXPECT_LT(DepositPosition(1), DepositPosition(2));
  EXPECT_EQ(DepositPosition().value(), 0u);
  EXPECT_EQ(std::hash<ForcedPosition>{}(ForcedPosition(9)), std::hash<std::uint64_t>{}(9));
  static_assert(!std::is_convertible_v<std::uint64_t, DepositPosition>, "construction must be explicit");
  static_assert(!std::is_convertible_v<DepositPosition, ForcedPosition>, "the two queues must not mix");
  static_assert(!std::is_convertible_v<DepositPosition, std::uint64_t>, "no implicit way back either");
  static_assert(!std::is_convertible_v<BlockNumber, BatchNumber>, "block and batch numbers must not mix");
}

constexpr std::int64_t kMaxTime = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kMinTime = std::numeric_limits<std::int64_t>::min();

TEST(ChainTime, PlusAndMinusADurationAreCheckedOrSaturate) {
  EXPECT_EQ(ChainTime(100) + ChainDuration(20), ChainTime(120));
  EXPECT_EQ(ChainTime(100) - ChainDuration(120), ChainTime(-20));
  EXPECT_EQ(ChainTime(-5).checked_add(ChainDuration(5)), ChainTime(0));
  // At the ends: checked says nullopt, the operators pin, nothing wraps.
  EXPECT_EQ(ChainTime(kMaxTime - 1).checked_add(ChainDuration(1)), ChainTime(kMaxTime));
  EXPECT_FALSE(ChainTime(kMaxTime).checked_add(ChainDuration(1)));
  EXPECT_FALSE(ChainTime(0).checked_add(ChainDuration::max()));
  EXPECT_EQ(ChainTime(kMinTime).checked_add(ChainDuration::max()), ChainTime(kMaxTime));
  EXPECT_EQ(ChainTime(kMaxTime) + ChainDuration(1), ChainTime::max());
  EXPECT_EQ(ChainTime(1) + ChainDuration::max(), ChainTime::max());
  EXPECT_EQ(ChainTime(kMinTime + 1).checked_sub(ChainDuration(1)), ChainTime(kMinTime));
  EXPECT_FALSE(ChainTime(kMinTime).checked_sub(ChainDuration(1)));
  EXPECT_EQ(ChainTime(kMaxTime).checked_sub(ChainDuration::max()), ChainTime(kMinTime));
  EXPECT_EQ(ChainTime(0) - ChainDuration::max(), ChainTime::min());
  static_assert(ChainTime(1) + ChainDuration(2) == ChainTime(3));
}

TEST(ChainTime, TheDurationBetweenTwoTimesIsExactAndNeverNegative) {
  EXPECT_EQ(ChainTime(130) - ChainTime(100), ChainDuration(30));
  EXPECT_EQ(ChainTime(100) - ChainTime(100), ChainDuration(0));
  EXPECT_EQ(ChainTime(100) - ChainTime(130), ChainDuration(0));                // a deadline passed: none left
  EXPECT_EQ(ChainTime(kMaxTime) - ChainTime(kMinTime), ChainDuration::max());  // the widest gap fits
  EXPECT_EQ(ChainTime(5) - ChainTime(-5), ChainDuration(10));
  EXPECT_LT(ChainTime(-1), ChainTime(0));
  EXPECT_LT(ChainDuration(1), ChainDuration(2));
  EXPECT_EQ(ChainDuration(kMax64 - 1).checked_add(ChainDuration(1)), ChainDuration::max());
  EXPECT_FALSE(ChainDuration::max().checked_add(ChainDuration(1)));
  static_assert(!std::is_convertible_v<ChainDuration, ChainTime>, "a length is not a point");
  static_assert(!std::is_convertible_v<std::int64_t, ChainTime>, "construction must be explicit");
}

// ---- FixedBytes -------------------------------------------------------------------------

TEST(FixedBytes, HexRoundTrip) {
  Hash32 h;
  for (std::size_t i = 0; i < 32; ++i) h.array()[i] = static_cast<std::uint8_t>(i * 7 + 1);
  std::string s = h.hex();
  EXPECT_EQ(s.size(), 64u);
  EXPECT_EQ(s.substr(0, 6), "01080f");
  auto back = Hash32::from_hex_string(s);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, h);
  // Upper case parses to the same value.
  std::string upper = s;
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  auto up = Hash32::from_hex_string(upper);
  ASSERT_TRUE(up.has_value());
  EXPECT_EQ(*up, h);

  Signature sig;
  sig.array().fill(0xee);
  auto sig_back = Signature::from_hex_string(sig.hex());
  ASSERT_TRUE(sig_back.has_value());
  EXPECT_EQ(*sig_back, sig);
}

TEST(FixedBytes, FromHexStringRejectsWrongLengthAndNonHex) {
  EXPECT_FALSE(Hash32::from_hex_string(std::string(62, '0')).has_value());
  EXPECT_FALSE(Hash32::from_hex_string(std::string(66, '0')).has_value());
  EXPECT_FALSE(Hash32::from_hex_string(std::string(63, '0')).has_value());
  EXPECT_FALSE(Hash32::from_hex_string("").has_value());
  EXPECT_FALSE(Hash32::from_hex_string(std::string(63, '0') + "g").has_value());
  EXPECT_FALSE(Signature::from_hex_string(std::string(64, '0')).has_value());
  EXPECT_TRUE(Hash32::from_hex_string(std::string(64, '0')).has_value());
}

TEST(FixedBytes, ZeroEqualityAndOrder) {
  Hash32 zero;
  EXPECT_TRUE(zero.is_zero());
  Hash32 one = zero;
  one.array()[31] = 1;
  EXPECT_FALSE(one.is_zero());
  EXPECT_NE(zero, one);
  EXPECT_LT(zero, one);
  Hash32 first_byte = zero;
  first_byte.array()[0] = 1;
  EXPECT_LT(one, first_byte);  // lexicographic: the first byte matters most
  EXPECT_EQ(Hash32::size(), 32u);
  EXPECT_EQ(Signature::size(), 64u);
  EXPECT_EQ(one.view().size(), 32u);
  EXPECT_EQ(one.view()[31], 1);
  EXPECT_EQ(one.data()[31], 1);
}

TEST(FixedBytes, FromViewCopiesExactlyNBytes) {
  Bytes b(32);
  for (std::size_t i = 0; i < b.size(); ++i) b[i] = static_cast<std::uint8_t>(255 - i);
  Hash32 h = Hash32::from_view(b);
  EXPECT_EQ(to_hex(h.view()), to_hex(b));
  // A wrong size leaves it zero (callers check sizes; this must not read out of bounds).
  Bytes short_in(31, 9);
  EXPECT_TRUE(Hash32::from_view(short_in).is_zero());
}

TEST(FixedBytes, HasherUsesTheBytes) {
  FixedBytesHasher hasher;
  Hash32 a;
  Hash32 b;
  b.array()[0] = 1;
  EXPECT_NE(hasher(a), hasher(b));
  EXPECT_EQ(hasher(a), hasher(Hash32()));
}

// ---- Result / Status --------------------------------------------------------------------

enum class Err { bad, worse };

Result<int, Err> half(int v) {
  if (v % 2 != 0) return make_error(Err::bad);
  return v / 2;
}

Status<Err> check_positive(int v) {
  if (v <= 0) return make_error(Err::worse);
  return {};
}

TEST(Result, ValueAndError) {
  auto ok = half(10);
  ASSERT_TRUE(ok.ok());
  EXPECT_TRUE(static_cast<bool>(ok));
  EXPECT_EQ(ok.value(), 5);
  EXPECT_EQ(*ok, 5);

  auto bad = half(3);
  EXPECT_FALSE(bad.ok());
  EXPECT_FALSE(static_cast<bool>(bad));
  EXPECT_EQ(bad.error(), Err::bad);
}

TEST(Result, HoldsMoveOnlyAndNonTrivialValues) {
  Result<std::string, std::string> s = std::string("hello");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->size(), 5u);
  s->append("!");
  EXPECT_EQ(*s, "hello!");
  std::string moved = std::move(s).value();
  EXPECT_EQ(moved, "hello!");

  Result<std::string, std::string> e = make_error(std::string("nope"));
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error(), "nope");

  Result<std::unique_ptr<int>, Err> p = std::make_unique<int>(4);
  ASSERT_TRUE(p);
  std::unique_ptr<int> owned = std::move(p).value();
  EXPECT_EQ(*owned, 4);
}

TEST(Result, StatusDefaultsToSuccess) {
  Status<Err> s;
  EXPECT_TRUE(s.ok());
  EXPECT_TRUE(check_positive(1).ok());
  auto bad = check_positive(0);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error(), Err::worse);
}

TEST(Result, ErrorConvertsToTheDeclaredErrorType) {
  // make_error(const char*) into a std::string error.
  Result<int, std::string> r = make_error("text");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), "text");
}

using ResultDeathTest = ::testing::Test;

TEST_F(ResultDeathTest, AccessingTheWrongAlternativeAsserts) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        auto r = half(3);
        (void)r.value();
      },
      "assertion failed");
  EXPECT_DEATH(
      {
        auto r = half(4);
        (void)r.error();
      },
      "assertion failed");
}

}  // namespace
}  // namespace l2
