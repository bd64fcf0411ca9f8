// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// ByteWriter / ByteReader: little-endian fixed width, LEB128 varints with their exact
// bytes, and the strict decoder's errors (truncation at every prefix, non-minimal and
// over-long varints, trailing bytes). Hex encoding and decoding.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "common/bytes.hpp"
#include "common/codec.hpp"
#include "tests/unit/test_util.hpp"

namespace l2 {
namespace {

using test::hex;

constexpr std::uint64_t kMax64 = std::numeric_limits<std::uint64_t>::max();

Bytes varint_bytes(std::uint64_t v) {
  ByteWriter w;
  w.varint(v);
  return w.take();
}

Result<std::uint64_t, DecodeError> read_varint_exact(ByteView in) {
  ByteReader r(in);
  auto v = r.varint();
  if (!v) return v;
  if (auto e = r.expect_end(); !e) return make_error(e.error());
  return v;
}

// ---- fixed width ------------------------------------------------------------------------

TEST(CodecFixedWidth, LittleEndianBytes) {
  ByteWriter w;
  w.u8(0xab);
  w.u32le(0x01020304u);
  w.u64le(0x0102030405060708ull);
  w.u32le(1);
  w.u64le(1000);
  EXPECT_EQ(to_hex(w.data()),
            "ab"
            "04030201"
            "0807060504030201"
            "01000000"
            "e803000000000000");
}

TEST(CodecFixedWidth, RoundTripEdgeAndRandomValues) {
  std::vector<std::uint64_t> values = {
      0, 1, 0x7f, 0x80, 0xff, 0x100, 0xffffffffull, 0x100000000ull, kMax64 - 1, kMax64};
  std::mt19937_64 rng(1);
  for (int i = 0; i < 200; ++i) values.push_back(rng());
  ByteWriter w;
  for (auto v : values) {
    w.u8(static_cast<std::uint8_t>(v));
    w.u32le(static_cast<std::uint32_t>(v));
    w.u64le(v);
  }
  ASSERT_EQ(w.data().size(), values.size() * 13);
  ByteReader r(w.data());
  for (auto v : values) {
    auto a = r.u8();
    auto b = r.u32le();
    auto c = r.u64le();
    ASSERT_TRUE(a && b && c);
    EXPECT_EQ(*a, static_cast<std::uint8_t>(v));
    EXPECT_EQ(*b, static_cast<std::uint32_t>(v));
    EXPECT_EQ(*c, v);
  }
  EXPECT_EQ(r.remaining(), 0u);
  EXPECT_TRUE(r.expect_end().ok());
}

TEST(CodecFixedWidth, ShortInputIsTruncated) {
  for (std::size_t n = 0; n < 8; ++n) {
    Bytes in(n, 0xff);
    ByteReader r64(in);
    auto v64 = r64.u64le();
    ASSERT_FALSE(v64) << n;
    EXPECT_EQ(v64.error(), DecodeError::truncated);
    if (n < 4) {
      ByteReader r32(in);
      auto v32 = r32.u32le();
      ASSERT_FALSE(v32) << n;
      EXPECT_EQ(v32.error(), DecodeError::truncated);
    }
  }
  ByteReader empty(ByteView{});
  auto b = empty.u8();
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error(), DecodeError::truncated);
}

TEST(CodecFixedWidth, BytesAndFixed) {
  Bytes in = hex("000102030405");
  ByteReader r(in);
  auto a = r.bytes(2);
  ASSERT_TRUE(a);
  EXPECT_EQ(to_hex(*a), "0001");
  EXPECT_EQ(r.position(), 2u);
  EXPECT_EQ(r.remaining(), 4u);
  auto too_many = r.bytes(5);
  ASSERT_FALSE(too_many);
  EXPECT_EQ(too_many.error(), DecodeError::truncated);
  auto rest = r.bytes(4);
  ASSERT_TRUE(rest);
  EXPECT_EQ(to_hex(*rest), "02030405");
  EXPECT_TRUE(r.expect_end().ok());

  Bytes h31(31, 7);
  ByteReader r31(h31);
  auto f = r31.fixed<Hash32>();
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error(), DecodeError::truncated);
  Bytes h32(32, 7);
  ByteReader r32(h32);
  auto g = r32.fixed<Hash32>();
  ASSERT_TRUE(g);
  EXPECT_EQ(g->hex(), to_hex(h32));
}

// ---- varints ----------------------------------------------------------------------------

struct VarintCase {
  std::uint64_t value;
  const char* hex;
};

TEST(CodecVarint, ExactBytesOfKnownValues) {
  const VarintCase cases[] = {
      {0, "00"},
      {1, "01"},
      {127, "7f"},
      {128, "8001"},
      {255, "ff01"},
      {300, "ac02"},
      {16383, "ff7f"},
      {16384, "808001"},
      {0xffffffffull, "ffffffff0f"},
      {1ull << 32, "8080808010"},
      {1ull << 63, "80808080808080808001"},
      {kMax64, "ffffffffffffffffff01"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(to_hex(varint_bytes(c.value)), c.hex) << c.value;
    auto v = read_varint_exact(hex(c.hex));
    ASSERT_TRUE(v) << c.hex;
    EXPECT_EQ(*v, c.value) << c.hex;
  }
}

TEST(CodecVarint, RoundTripAtEveryGroupBoundary) {
  std::vector<std::uint64_t> values = {0, kMax64};
  for (int bits = 1; bits < 64; ++bits) {
    std::uint64_t p = 1ull << bits;
    values.push_back(p - 1);
    values.push_back(p);
    values.push_back(p + 1);
  }
  std::mt19937_64 rng(2);
  for (int i = 0; i < 500; ++i) values.push_back(rng() >> (rng() % 64));
  for (auto v : values) {
    Bytes b = varint_bytes(v);
    // Length: one byte per started group of 7 bits.
    std::size_t bits = 0;
    for (std::uint64_t x = v; x != 0; x >>= 1) ++bits;
    std::size_t want_len = bits == 0 ? 1 : (bits + 6) / 7;
    EXPECT_EQ(b.size(), want_len) << v;
    auto got = read_varint_exact(b);
    ASSERT_TRUE(got) << v << " " << to_hex(b) << " " << to_string(got.error());
    EXPECT_EQ(*got, v);
  }
}

TEST(CodecVarint, SequenceOfVarintsReadsBackInOrder) {
  ByteWriter w;
  const std::uint64_t vals[] = {300, 0, kMax64, 128, 1ull << 63, 5};
  for (auto v : vals) w.varint(v);
  ByteReader r(w.data());
  for (auto v : vals) {
    auto got = r.varint();
    ASSERT_TRUE(got);
    EXPECT_EQ(*got, v);
  }
  EXPECT_TRUE(r.expect_end().ok());
}

TEST(CodecVarint, EveryPrefixOfAValidVarintIsTruncated) {
  for (std::uint64_t v : {std::uint64_t{128}, std::uint64_t{300}, std::uint64_t{16384},
                          std::uint64_t{1} << 32, std::uint64_t{1} << 63, kMax64}) {
    Bytes full = varint_bytes(v);
    for (std::size_t n = 0; n < full.size(); ++n) {
      ByteReader r(ByteView(full).first(n));
      auto got = r.varint();
      ASSERT_FALSE(got) << v << " prefix " << n;
      EXPECT_EQ(got.error(), DecodeError::truncated) << v << " prefix " << n;
    }
  }
}

struct BadVarint {
  const char* hex;
  DecodeError error;
};

TEST(CodecVarint, RejectsNonMinimalAndOverlongEncodings) {
  const BadVarint cases[] = {
      {"8000", DecodeError::non_minimal_varint},                  // 0 in two bytes
      {"ff00", DecodeError::non_minimal_varint},                  // 127 in two bytes
      {"808000", DecodeError::non_minimal_varint},                // 0 in three bytes
      {"ac8200", DecodeError::non_minimal_varint},                // 300 with a zero tail group
      {"80808080808080808000", DecodeError::non_minimal_varint},  // 10th byte 00
      {"ffffffffffffffffff02", DecodeError::varint_overflow},     // 10th byte > 1
      {"ffffffffffffffffff7f", DecodeError::varint_overflow},
      {"80808080808080808002", DecodeError::varint_overflow},
      {"ffffffffffffffffff8100", DecodeError::varint_overflow},  // 11 bytes
      {"8080808080808080808001", DecodeError::varint_overflow},  // 11 bytes, 10th byte 0x80
      {"ffffffffffffffffffff01", DecodeError::varint_overflow},
  };
  for (const auto& c : cases) {
    Bytes in = hex(c.hex);
    ByteReader r(in);
    auto got = r.varint();
    ASSERT_FALSE(got) << c.hex << " decoded as " << *got;
    EXPECT_EQ(got.error(), c.error) << c.hex << ": " << to_string(got.error());
  }
}

TEST(CodecVarint, EveryTwoByteNonMinimalEncodingIsRejected) {
  // xx 00 for every continuation byte xx: a value < 128 written in two bytes.
  for (int b = 0x80; b <= 0xff; ++b) {
    Bytes in = {static_cast<std::uint8_t>(b), 0x00};
    ByteReader r(in);
    auto got = r.varint();
    ASSERT_FALSE(got) << b;
    EXPECT_EQ(got.error(), DecodeError::non_minimal_varint) << b;
  }
}

// ---- expect_end -------------------------------------------------------------------------

TEST(CodecReader, ExpectEndRejectsTrailingBytes) {
  Bytes in = hex("2a00");
  ByteReader r(in);
  auto first = r.u8();
  ASSERT_TRUE(first);
  EXPECT_EQ(*first, 0x2a);
  auto e = r.expect_end();
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error(), DecodeError::trailing_bytes);
  ASSERT_TRUE(r.u8());
  EXPECT_TRUE(r.expect_end().ok());

  Bytes v = varint_bytes(300);
  v.push_back(0);
  auto got = read_varint_exact(v);
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error(), DecodeError::trailing_bytes);

  ByteReader nothing(ByteView{});
  EXPECT_TRUE(nothing.expect_end().ok());
}

TEST(CodecReader, ErrorNamesAreDistinct) {
  std::set<std::string> names;
  for (auto e : {DecodeError::truncated, DecodeError::trailing_bytes, DecodeError::non_minimal_varint,
                 DecodeError::varint_overflow, DecodeError::out_of_range, DecodeError::unknown_type,
                 DecodeError::too_large}) {
    std::string s(to_string(e));
    EXPECT_FALSE(s.empty());
    names.insert(s);
  }
  EXPECT_EQ(names.size(), 7u);
}

// ---- hex ----------------------------------------------------------------------------------

TEST(CodecHex, EncodesLowercase) {
  Bytes b = {0x00, 0x01, 0xab, 0xcd, 0xef, 0xff};
  EXPECT_EQ(to_hex(b), "0001abcdefff");
  EXPECT_EQ(to_hex(ByteView{}), "");
}

TEST(CodecHex, DecodesUpperLowerAndMixedCase) {
  for (const char* s : {"0001abcdefff", "0001ABCDEFFF", "0001AbCdEfFf"}) {
    auto b = from_hex(s);
    ASSERT_TRUE(b) << s;
    EXPECT_EQ(*b, (Bytes{0x00, 0x01, 0xab, 0xcd, 0xef, 0xff})) << s;
  }
  auto empty = from_hex("");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
}

TEST(CodecHex, RoundTripRandomBytes) {
  std::mt19937_64 rng(3);
  for (std::size_t n = 0; n < 70; ++n) {
    Bytes b(n);
    for (auto& x : b) x = static_cast<std::uint8_t>(rng());
    std::string h = to_hex(b);
    EXPECT_EQ(h.size(), 2 * n);
    auto back = from_hex(h);
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, b);
  }
}

TEST(CodecHex, RejectsOddLengthAndNonHex) {
  for (const char* s :
       {"0", "abc", "00112", "0g", "g0", "zz", " 0", "0 ", "0x00", "-1", "00\n", "ab:cd", "\xc3\xa9"}) {
    EXPECT_FALSE(from_hex(s).has_value()) << s;
  }
  // Each non-hex ASCII character in either position of a byte.
  for (int c = 0; c < 128; ++c) {
    const char ch = static_cast<char>(c);
    const bool is_hex = (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
    // Built from chars, not with "0" + std::string: GCC 12 at -O3 warns falsely on the
    // latter (-Wrestrict, GCC PR 105651).
    const std::string hi{ch, '0'};
    const std::string lo{'0', ch};
    EXPECT_EQ(from_hex(hi).has_value(), is_hex) << c;
    EXPECT_EQ(from_hex(lo).has_value(), is_hex) << c;
  }
}

}  // namespace
}  // namespace l2
