// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
#include "rollup/account.hpp"

#include <cstring>

#include "common/merkle.hpp"

namespace l2::rollup {

namespace {
void put_u64(std::uint8_t* p, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}
}  // namespace

std::array<std::uint8_t, kLeafSize> encode_leaf(const Account& a) {
  std::array<std::uint8_t, kLeafSize> out{};
  std::memcpy(out.data(), a.pubkey.data(), 32);
  put_u64(out.data() + 32, a.balance.value());
  put_u64(out.data() + 40, a.nonce.value());
  put_u64(out.data() + 48, a.withdrawn.value());
  return out;
}

Result<Account, DecodeError> decode_leaf(ByteView in) {
  ByteReader r(in);
  Account a;
  auto key = r.fixed<PublicKey>();
  auto balance = r.u64le();
  auto nonce = r.u64le();
  auto withdrawn = r.u64le();
  if (!key || !balance || !nonce || !withdrawn) return make_error(DecodeError::truncated);
  if (auto e = r.expect_end(); !e) return make_error(e.error());
  a.pubkey = *key;
  a.balance = Amount(*balance);
  a.nonce = Nonce(*nonce);
  a.withdrawn = Amount(*withdrawn);
  return a;
}

Hash32 account_leaf_hash(const Account& a) {
  auto leaf = encode_leaf(a);
  return hash_leaf(leaf);
}

}  // namespace l2::rollup
