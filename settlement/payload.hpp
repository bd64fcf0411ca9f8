// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// The batch payload posted to the base chain: the applied user txs of one batch
// (transfers and withdrawals, in batch order), encoded compactly and compressed with
// zstd. Deposits and forced txs are not in it: a batch consumes them from the base
// chain's queues, first the deposits and then the forced txs, in queue order, ahead
// of its user txs, and the commitment says how far it consumed each queue.
//
// Raw payload (docs/encoding.md, "Batch payload"), columnar so that zstd finds the
// repetition in each column:
//   payload   = version u8 (= 1) || count varint || types[count] (u8 each: 2 transfer,
//               3 withdraw) || froms || tos || amounts || fees || signatures
//   froms     = from varint, for every tx
//   tos       = to varint, for every transfer (withdrawals have none)
//   amounts   = amount varint, for every tx
//   fees      = fee varint, for every tx
//   signatures= signature[64], for every tx
// Nonces are not posted: every payload tx was applied, so its nonce is its sender's
// nonce at that point of the batch (see fill_nonces).
// Compressed payload = one zstd frame (level kPayloadZstdLevel, checksum on, content
// size in the header, no dictionary), made by one thread: the same raw bytes always
// give the same compressed bytes with a given libzstd, so the payload hash is stable.
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "common/bytes.hpp"
#include "common/codec.hpp"
#include "common/result.hpp"
#include "rollup/state.hpp"
#include "rollup/stf.hpp"
#include "rollup/tx.hpp"

namespace l2::settlement {

inline constexpr std::uint8_t kPayloadVersion = 1;
inline constexpr int kPayloadZstdLevel = 3;
// Upper bounds a decoder enforces (a raw payload of this many txs stays well under
// kMaxRawPayloadBytes).
inline constexpr std::size_t kMaxPayloadTxs = rollup::kMaxTxsPerBatch;
inline constexpr std::size_t kMaxRawPayloadBytes = 128u << 20;

enum class PayloadErrorCode : std::uint8_t {
  not_user_tx,  // encode: a deposit was given
  decompress,   // not one valid zstd frame, or its content size is missing/too large
  decode,       // the raw payload breaks the grammar (see `message`)
};
std::string_view to_string(PayloadErrorCode c);
struct PayloadError {
  PayloadErrorCode code = PayloadErrorCode::decode;
  std::string message;
};

// Raw (uncompressed) encoding of applied user txs; nonces are dropped.
Result<Bytes, PayloadError> encode_payload(std::span<const rollup::Tx> txs);
// Strict decoder of the raw form; every tx comes back with nonce 0 (fill_nonces).
Result<std::vector<rollup::Tx>, PayloadError> decode_payload(ByteView raw,
                                                             std::size_t max_txs = kMaxPayloadTxs);

Bytes compress_payload(ByteView raw);
// Refuses frames whose declared content size exceeds max_raw_bytes before allocating.
Result<Bytes, PayloadError> decompress_payload(ByteView compressed,
                                               std::size_t max_raw_bytes = kMaxRawPayloadBytes);

// encode + compress, and decompress + decode.
Result<Bytes, PayloadError> make_payload(std::span<const rollup::Tx> txs);
Result<std::vector<rollup::Tx>, PayloadError> open_payload(ByteView compressed,
                                                           std::size_t max_txs = kMaxPayloadTxs);

// BLAKE2b-256 of the compressed payload: what a commitment names.
Hash32 payload_hash(ByteView compressed);

// Sets each tx's nonce to its sender's nonce in `state` plus the number of earlier
// txs in `txs` from the same sender (`state` is the state after the batch's deposits
// and forced txs). A sender index outside the state is left at nonce 0: execution
// rejects it anyway.
void fill_nonces(std::vector<rollup::Tx>& txs, const rollup::State& state);
// The same over any state view (derivation uses the state after the batch's deposits and
// forced txs as an overlay on the state before it, to avoid copying the state).
void fill_nonces(std::vector<rollup::Tx>& txs, const rollup::OverlayState& state);

}  // namespace l2::settlement
