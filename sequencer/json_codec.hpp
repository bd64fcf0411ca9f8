// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// The API's encodings (docs/api.md): txs in JSON <-> rollup::Tx, dev deposit requests,
// receipts in JSON and in the binary receipt form, and the binary batch body. Decoders
// are strict: an unknown field, a wrong JSON type, a number where a decimal string is
// expected (or the reverse), an out-of-range value, bad hex or a hex string of the
// wrong length is refused with the precise error code of docs/api.md and a message
// naming the field. Stateless functions; thread-safe.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <span>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "rollup/tx.hpp"
#include "sequencer/api_types.hpp"

namespace l2::sequencer {

// A user's tx as the API received it: the chain id travels beside the tx.
struct TxRequest {
  rollup::Tx tx;
  ChainId chain_id;
};

// A dev deposit request: credit `amount` to the account of `public_key`.
struct DepositRequest {
  PublicKey public_key;
  Amount amount;
};

// bad_json unless `body` is one JSON document.
Result<nlohmann::json, ApiError> parse_json(std::string_view body);

// One transfer or withdrawal (what a client may send).
Result<TxRequest, ApiError> tx_from_json(const nlohmann::json& j);
// Any tx as the API shows it (GET /v1/transactions): a transfer, a withdrawal, or a
// deposit (`deposit_id`, `to_index`, `to_pubkey`, `amount`: made from the bridge's queue,
// never accepted from a client). For clients reading answers.
Result<TxRequest, ApiError> any_tx_from_json(const nlohmann::json& j);
// A JSON array of txs; too_many_txs over `max_txs`. An element's error names its position.
Result<std::vector<TxRequest>, ApiError> txs_from_json(const nlohmann::json& j, std::size_t max_txs);
// chain_id u64le || count varint || tx wire form*; deposits are refused (unknown_type).
Result<std::vector<TxRequest>, ApiError> txs_from_binary(ByteView body, std::size_t max_txs);

// One deposit object, or an array of at most `max` of them.
Result<std::vector<DepositRequest>, ApiError> deposits_from_json(const nlohmann::json& j, std::size_t max);

nlohmann::json tx_to_json(const rollup::Tx& tx, ChainId chain);
// {"hash", "status"} plus "batch", "index", "state_root" once it is in a batch.
nlohmann::json receipt_to_json(const TxReceipt& r);
// count varint || (hash[32] || status u8 || batch u64le || index u32le)*
Bytes receipts_to_binary(std::span<const TxReceipt> receipts);

// {"error": {"code", "message"}} as text.
std::string error_body(const ApiError& e);

}  // namespace l2::sequencer
