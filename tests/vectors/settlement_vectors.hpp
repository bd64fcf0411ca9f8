// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// Reading the test vectors of docs/encoding.md from the settlement tests (the C++ side of
// the "settlement" vectors; tests/vectors/check_vectors.py is the independent side). The
// document is found relative to this header, so the tests need no build definition.
#pragma once

#include <gtest/gtest.h>

#include <charconv>
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "common/bytes.hpp"
#include "common/codec.hpp"
#include "common/types.hpp"
#include "rollup/tx.hpp"
#include "tests/vectors/encoding_doc.hpp"

namespace l2::test::vectors {

using nlohmann::json;

// The "settlement" object; fails the test if it is missing.
#define REQUIRE_SETTLEMENT_VECTORS()                                                                    \
  ASSERT_FALSE(::l2::test::vectors::all().is_discarded())                                               \
      << "no valid JSON vectors block in " << ::l2::test::vectors::encoding_doc();                      \
  ASSERT_TRUE(::l2::test::vectors::all().contains("settlement")) << "no settlement vectors in the doc"; \
  const ::nlohmann::json& sv = ::l2::test::vectors::all().at("settlement")

inline Bytes hex(const json& j) {
  auto b = from_hex(j.get<std::string>());
  EXPECT_TRUE(b.has_value()) << "bad hex in the vectors: " << j;
  return b.value_or(Bytes{});
}

template <class Fixed>
Fixed fixed(const json& j) {
  auto v = Fixed::from_hex_string(j.get<std::string>());
  EXPECT_TRUE(v.has_value()) << "bad " << Fixed::size() << "-byte hex in the vectors: " << j;
  return v.value_or(Fixed{});
}

// 64-bit values are decimal strings.
inline std::uint64_t dec(const json& j) {
  EXPECT_TRUE(j.is_string()) << "64-bit values must be decimal strings: " << j;
  const std::string s = j.is_string() ? j.get<std::string>() : std::string("0");
  std::uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  EXPECT_TRUE(ec == std::errc() && ptr == s.data() + s.size()) << "bad decimal u64: " << s;
  return v;
}

inline std::string error_name(DecodeError e) {
  switch (e) {
    case DecodeError::truncated:
      return "truncated";
    case DecodeError::trailing_bytes:
      return "trailing_bytes";
    case DecodeError::non_minimal_varint:
      return "non_minimal_varint";
    case DecodeError::varint_overflow:
      return "varint_overflow";
    case DecodeError::out_of_range:
      return "out_of_range";
    case DecodeError::unknown_type:
      return "unknown_type";
    case DecodeError::too_large:
      return "too_large";
  }
  return "?";
}

// A vector from a named list ("txs", "accounts", ...) of the whole block or of `in`.
inline const json& named(const json& list, const std::string& name) {
  for (const auto& v : list)
    if (v.at("name") == name) return v;
  ADD_FAILURE() << "no vector named " << name;
  static const json kNull;
  return kNull;
}

// The rollup tx of a "txs" vector, signature included.
inline rollup::Tx rollup_tx(const json& v) {
  const std::string type = v.at("type").get<std::string>();
  Signature sig;
  if (v.contains("signature")) sig = fixed<Signature>(v.at("signature"));
  if (type == "deposit")
    return rollup::Deposit{DepositPosition(dec(v.at("deposit_id"))),
                           AccountIndex(v.at("to_index").get<std::uint32_t>()),
                           fixed<PublicKey>(v.at("to_pubkey")), Amount(dec(v.at("amount")))};
  if (type == "transfer")
    return rollup::Transfer{AccountIndex(v.at("from").get<std::uint32_t>()),
                            AccountIndex(v.at("to").get<std::uint32_t>()),
                            Amount(dec(v.at("amount"))),
                            Amount(dec(v.at("fee"))),
                            Nonce(dec(v.at("nonce"))),
                            sig};
  return rollup::Withdraw{AccountIndex(v.at("from").get<std::uint32_t>()), Amount(dec(v.at("amount"))),
                          Amount(dec(v.at("fee"))), Nonce(dec(v.at("nonce"))), sig};
}

}  // namespace l2::test::vectors
