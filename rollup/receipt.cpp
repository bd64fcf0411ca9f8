// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
#include "rollup/receipt.hpp"

namespace l2::rollup {

std::string_view to_string(TxStatus s) {
  switch (s) {
    case TxStatus::applied:
      return "applied";
    case TxStatus::bad_signature:
      return "bad_signature";
    case TxStatus::unknown_account:
      return "unknown_account";
    case TxStatus::bad_nonce:
      return "bad_nonce";
    case TxStatus::insufficient_balance:
      return "insufficient_balance";
    case TxStatus::overflow:
      return "overflow";
    case TxStatus::self_transfer:
      return "self_transfer";
    case TxStatus::zero_amount:
      return "zero_amount";
    case TxStatus::wrong_account:
      return "wrong_account";
  }
  return "unknown";
}

Bytes encode_receipts(std::span<const Receipt> receipts) {
  ByteWriter w(receipts.size() * 33 + 8);
  w.varint(receipts.size());
  for (const auto& r : receipts) {
    w.bytes(r.tx_hash.view());
    w.u8(static_cast<std::uint8_t>(r.status));
  }
  return w.take();
}

Result<std::vector<Receipt>, DecodeError> decode_receipts(ByteView in) {
  ByteReader r(in);
  auto count = r.varint();
  if (!count) return make_error(count.error());
  if (*count > r.remaining() / 33) return make_error(DecodeError::truncated);
  std::vector<Receipt> out(*count);
  for (auto& rec : out) {
    auto h = r.fixed<Hash32>();
    auto s = r.u8();
    if (!h || !s) return make_error(DecodeError::truncated);
    if (*s > kMaxTxStatus) return make_error(DecodeError::out_of_range);
    rec.tx_hash = *h;
    rec.status = static_cast<TxStatus>(*s);
  }
  if (auto e = r.expect_end(); !e) return make_error(e.error());
  return out;
}

}  // namespace l2::rollup
