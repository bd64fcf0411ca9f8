// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// The vocabulary of the sequencer's API (docs/api.md): error codes with their HTTP
// status, the receipt statuses a client can see (execution statuses of receipt.hpp plus
// the ingest-only ones, numbered as in the binary receipt form), and a receipt as the
// API shows it. Plain values; thread-safe to share when not mutated.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/bytes.hpp"
#include "common/types.hpp"
#include "rollup/receipt.hpp"

namespace l2::sequencer {

enum class ErrorCode : std::uint8_t {
  bad_json,
  bad_request,
  unknown_type,
  bad_hex,
  bad_encoding,
  wrong_chain,
  bad_signature,
  unknown_account,
  nonce_too_low,
  nonce_too_high,
  bad_query,
  dev_disabled,
  not_found,
  method_not_allowed,
  timeout,
  duplicate,
  nonce_in_use,
  body_too_large,
  too_many_txs,
  headers_too_large,
  unsupported_media_type,
  history_too_deep,
  mempool_full,
  unavailable,
};
std::string_view to_string(ErrorCode c);
unsigned http_status(ErrorCode c);

// An error answered to a client: {"error": {"code", "message"}}.
struct ApiError {
  ErrorCode code = ErrorCode::bad_request;
  std::string message;
};

// A receipt's status. 0-7 are rollup::TxStatus (execution); 100-107 are refusals at
// ingest and `dropped`; 255 is `pending`. The numbers are the binary receipt form's.
enum class ReceiptCode : std::uint8_t {
  applied = 0,
  bad_signature = 1,
  unknown_account = 2,
  bad_nonce = 3,
  insufficient_balance = 4,
  overflow = 5,
  self_transfer = 6,
  zero_amount = 7,
  wrong_account = 8,  // a deposit's index holds another key (never from the bridge)
  wrong_chain = 100,
  nonce_too_low = 101,
  nonce_too_high = 102,
  duplicate = 103,
  nonce_in_use = 104,
  mempool_full = 105,
  dropped = 106,
  unknown_account_at_ingest = 107,
  pending = 255,
};
std::string_view to_string(ReceiptCode c);
ReceiptCode from_tx_status(rollup::TxStatus s);
// The HTTP error a single tx gets for an ingest refusal (nullopt: not an ingest refusal).
std::optional<ErrorCode> ingest_error(ReceiptCode c);

// What the API says about one tx. `batch` is set once the tx is in a durable batch.
struct TxReceipt {
  Hash32 hash;
  ReceiptCode status = ReceiptCode::pending;
  std::optional<BatchNumber> batch;
  std::uint32_t index = 0;
  Hash32 state_root;
};

}  // namespace l2::sequencer
