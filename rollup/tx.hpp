// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// Rollup transactions ("tx" always means one of these) and their canonical encodings;
// docs/encoding.md is the reference, with test vectors.
//
//   signing preimage = "L2STACK/TX/V1" (13 ASCII bytes) || chain_id u64le || type u8 || body
//   body(Deposit  = 1) = deposit_id u64le || to_index u32le || to_pubkey[32] || amount u64le
//   body(Transfer = 2) = from u32le || to u32le || amount u64le || fee u64le || nonce u64le
//   body(Withdraw = 3) = from u32le || amount u64le || fee u64le || nonce u64le
//   signature  = Ed25519(sender's key, signing preimage)        (not for deposits)
//   tx hash    = BLAKE2b-256(signing preimage || signature)      (deposit: no signature)
//   wire form  = type u8 || body || signature[64]               (deposit: no signature)
//
// The chain id is in every preimage but not in the wire form: the batch or the API
// request carries it once. Deposits come from the base chain's bridge and are not
// signed; deposit_id is their position in the bridge's queue, and to_index the account
// the bridge assigned to to_pubkey when it queued the deposit (the index that key
// already has, or the next free one), so executing a deposit reads and writes one
// account by index, like every other tx.
#pragma once

#include <cstdint>
#include <string_view>
#include <variant>

#include "common/bytes.hpp"
#include "common/codec.hpp"
#include "common/crypto.hpp"
#include "common/result.hpp"
#include "common/types.hpp"

namespace l2::rollup {

inline constexpr std::string_view kTxDomainTag = "L2STACK/TX/V1";

enum class TxType : std::uint8_t { deposit = 1, transfer = 2, withdraw = 3 };

struct Deposit {
  DepositPosition deposit_id;  // its position in the bridge's deposit queue
  AccountIndex to_index;       // the account credited (or created, if empty)
  PublicKey to;                // its key: must match an existing account's
  Amount amount;
  friend bool operator==(const Deposit&, const Deposit&) = default;
};

struct Transfer {
  AccountIndex from;
  AccountIndex to;
  Amount amount;
  Amount fee;
  Nonce nonce;
  Signature signature;
  friend bool operator==(const Transfer&, const Transfer&) = default;
};

struct Withdraw {
  AccountIndex from;
  Amount amount;
  Amount fee;
  Nonce nonce;
  Signature signature;
  friend bool operator==(const Withdraw&, const Withdraw&) = default;
};

using Tx = std::variant<Deposit, Transfer, Withdraw>;

TxType tx_type(const Tx& tx);
std::string_view to_string(TxType t);

Bytes signing_preimage(ChainId chain, const Tx& tx);
Hash32 tx_hash(ChainId chain, const Tx& tx);

// Signs a transfer or withdrawal in place (a deposit is left unchanged).
void sign_tx(Tx& tx, ChainId chain, const SecretKey& key);
// The signature check alone; deposits have none and pass.
bool verify_tx_signature(const Tx& tx, ChainId chain, const PublicKey& signer);

// The wire form, and a batch of them: count varint || tx wire forms.
void encode_tx(ByteWriter& w, const Tx& tx);
Bytes encode_tx(const Tx& tx);
Result<Tx, DecodeError> decode_tx(ByteReader& r);
Result<Tx, DecodeError> decode_tx(ByteView in);  // whole input, no trailing bytes

inline constexpr std::size_t kMaxTxsPerBatch = 1u << 20;
Bytes encode_txs(std::span<const Tx> txs);
Result<std::vector<Tx>, DecodeError> decode_txs(ByteView in, std::size_t max_count = kMaxTxsPerBatch);

}  // namespace l2::rollup
