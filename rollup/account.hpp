// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// A rollup account and its Merkle leaf. Accounts are numbered from 0 in the order
// deposits create them; account 0 is the operator's fee account, made at genesis.
//
//   leaf = pubkey[32] || balance u64le || nonce u64le || withdrawn u64le   (56 bytes)
//
// `withdrawn` is the cumulative amount ever withdrawn to the base chain: the bridge
// pays out the difference between a proven leaf's withdrawn total and what it has
// already paid, so the leaf alone proves a withdrawal.
#pragma once

#include <array>

#include "common/bytes.hpp"
#include "common/codec.hpp"
#include "common/result.hpp"
#include "common/types.hpp"

namespace l2::rollup {

inline constexpr AccountIndex kFeeAccount{0};
inline constexpr std::size_t kLeafSize = 56;

struct Account {
  PublicKey pubkey;
  Amount balance;
  Nonce nonce;
  Amount withdrawn;
  friend bool operator==(const Account&, const Account&) = default;
};

std::array<std::uint8_t, kLeafSize> encode_leaf(const Account& a);
Result<Account, DecodeError> decode_leaf(ByteView in);
Hash32 account_leaf_hash(const Account& a);

}  // namespace l2::rollup
