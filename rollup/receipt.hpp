// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// What executing one tx did. A rejected tx changes nothing (not even its sender's
// nonce) and never aborts its batch.
//   receipt = tx_hash[32] || status u8 ; receipts = count varint || receipt*
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "common/bytes.hpp"
#include "common/codec.hpp"
#include "common/result.hpp"

namespace l2::rollup {

enum class TxStatus : std::uint8_t {
  applied = 0,
  bad_signature = 1,
  unknown_account = 2,  // sender or recipient index not (yet) created
  bad_nonce = 3,
  insufficient_balance = 4,
  overflow = 5,  // amount + fee, a nonce, a withdrawn total or a credited balance past 2^64 - 1
  self_transfer = 6,
  zero_amount = 7,
  wrong_account = 8,  // a deposit's index holds another key, or is not the next free one
};
inline constexpr std::uint8_t kMaxTxStatus = 8;
std::string_view to_string(TxStatus s);

struct Receipt {
  Hash32 tx_hash;
  TxStatus status = TxStatus::applied;
  friend bool operator==(const Receipt&, const Receipt&) = default;
};

Bytes encode_receipts(std::span<const Receipt> receipts);
Result<std::vector<Receipt>, DecodeError> decode_receipts(ByteView in);

}  // namespace l2::rollup
