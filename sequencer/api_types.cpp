// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
#include "sequencer/api_types.hpp"

namespace l2::sequencer {

std::string_view to_string(ErrorCode c) {
  switch (c) {
    case ErrorCode::bad_json:
      return "bad_json";
    case ErrorCode::bad_request:
      return "bad_request";
    case ErrorCode::unknown_type:
      return "unknown_type";
    case ErrorCode::bad_hex:
      return "bad_hex";
    case ErrorCode::bad_encoding:
      return "bad_encoding";
    case ErrorCode::wrong_chain:
      return "wrong_chain";
    case ErrorCode::bad_signature:
      return "bad_signature";
    case ErrorCode::unknown_account:
      return "unknown_account";
    case ErrorCode::nonce_too_low:
      return "nonce_too_low";
    case ErrorCode::nonce_too_high:
      return "nonce_too_high";
    case ErrorCode::bad_query:
      return "bad_query";
    case ErrorCode::dev_disabled:
      return "dev_disabled";
    case ErrorCode::not_found:
      return "not_found";
    case ErrorCode::method_not_allowed:
      return "method_not_allowed";
    case ErrorCode::timeout:
      return "timeout";
    case ErrorCode::duplicate:
      return "duplicate";
    case ErrorCode::nonce_in_use:
      return "nonce_in_use";
    case ErrorCode::body_too_large:
      return "body_too_large";
    case ErrorCode::too_many_txs:
      return "too_many_txs";
    case ErrorCode::headers_too_large:
      return "headers_too_large";
    case ErrorCode::unsupported_media_type:
      return "unsupported_media_type";
    case ErrorCode::history_too_deep:
      return "history_too_deep";
    case ErrorCode::mempool_full:
      return "mempool_full";
    case ErrorCode::unavailable:
      return "unavailable";
  }
  return "internal";
}

unsigned http_status(ErrorCode c) {
  switch (c) {
    case ErrorCode::dev_disabled:
      return 403;
    case ErrorCode::not_found:
      return 404;
    case ErrorCode::method_not_allowed:
      return 405;
    case ErrorCode::timeout:
      return 408;
    case ErrorCode::duplicate:
    case ErrorCode::nonce_in_use:
      return 409;
    case ErrorCode::body_too_large:
    case ErrorCode::too_many_txs:
      return 413;
    case ErrorCode::unsupported_media_type:
      return 415;
    case ErrorCode::history_too_deep:
      return 422;
    case ErrorCode::headers_too_large:
      return 431;
    case ErrorCode::mempool_full:
    case ErrorCode::unavailable:
      return 503;
    default:
      return 400;
  }
}

std::string_view to_string(ReceiptCode c) {
  switch (c) {
    case ReceiptCode::applied:
      return "applied";
    case ReceiptCode::bad_signature:
      return "bad_signature";
    case ReceiptCode::unknown_account:
    case ReceiptCode::unknown_account_at_ingest:
      return "unknown_account";
    case ReceiptCode::bad_nonce:
      return "bad_nonce";
    case ReceiptCode::insufficient_balance:
      return "insufficient_balance";
    case ReceiptCode::overflow:
      return "overflow";
    case ReceiptCode::self_transfer:
      return "self_transfer";
    case ReceiptCode::zero_amount:
      return "zero_amount";
    case ReceiptCode::wrong_account:
      return "wrong_account";
    case ReceiptCode::wrong_chain:
      return "wrong_chain";
    case ReceiptCode::nonce_too_low:
      return "nonce_too_low";
    case ReceiptCode::nonce_too_high:
      return "nonce_too_high";
    case ReceiptCode::duplicate:
      return "duplicate";
    case ReceiptCode::nonce_in_use:
      return "nonce_in_use";
    case ReceiptCode::mempool_full:
      return "mempool_full";
    case ReceiptCode::dropped:
      return "dropped";
    case ReceiptCode::pending:
      return "pending";
  }
  return "unknown";
}

ReceiptCode from_tx_status(rollup::TxStatus s) {
  return static_cast<ReceiptCode>(static_cast<std::uint8_t>(s));
}

std::optional<ErrorCode> ingest_error(ReceiptCode c) {
  switch (c) {
    case ReceiptCode::wrong_chain:
      return ErrorCode::wrong_chain;
    case ReceiptCode::nonce_too_low:
      return ErrorCode::nonce_too_low;
    case ReceiptCode::nonce_too_high:
      return ErrorCode::nonce_too_high;
    case ReceiptCode::duplicate:
      return ErrorCode::duplicate;
    case ReceiptCode::nonce_in_use:
      return ErrorCode::nonce_in_use;
    case ReceiptCode::mempool_full:
      return ErrorCode::mempool_full;
    case ReceiptCode::unknown_account_at_ingest:
      return ErrorCode::unknown_account;
    default:
      return std::nullopt;
  }
}

}  // namespace l2::sequencer
