// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// A settlement commitment: what the sequencer posts to the base chain for each batch,
// and the origin record the sequencer keeps with each batch (which base-chain queue
// entries it consumed). Encodings (docs/encoding.md, "Commitment"):
//
//   commitment header = version u8 (= 1) || rollup_id u64le || batch u64le ||
//                       prev_root[32] || new_root[32] || applied_txs u32le ||
//                       payload_hash[32] || deposits_upto u64le || forced_upto u64le ||
//                       mode u8 (0 optimistic, 1 validity)
//   commitment        = header || payload_len varint || payload (compressed, payload.hpp)
//   commitment id     = BLAKE2b-256("L2STACK/COMMIT/V1" || header)
//
//   batch origin      = version u8 (= 1) || deposits_from u64le || deposits_upto u64le ||
//                       forced_from u64le || forced_upto u64le
//
// A batch consumes deposit queue entries [deposits_from, deposits_upto) and forced
// queue entries [forced_from, forced_upto); they are its first txs, deposits first,
// in queue order. `applied_txs` counts the payload's txs (applied user txs only).
//
// Pure values and functions; thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "common/bytes.hpp"
#include "common/codec.hpp"
#include "common/result.hpp"
#include "common/types.hpp"
#include "rollup/receipt.hpp"
#include "rollup/state_store.hpp"
#include "rollup/tx.hpp"

namespace l2::settlement {

inline constexpr std::string_view kCommitDomainTag = "L2STACK/COMMIT/V1";
inline constexpr std::uint8_t kCommitmentVersion = 1;
inline constexpr std::uint8_t kOriginVersion = 1;
// A commitment's payload may not exceed this (compressed) size.
inline constexpr std::size_t kMaxPayloadBytes = 32u << 20;

enum class SettlementMode : std::uint8_t { optimistic = 0, validity = 1 };
std::string_view to_string(SettlementMode m);

struct CommitmentHeader {
  ChainId rollup_id;  // the rollup's L2 chain id
  BatchNumber batch;
  Hash32 prev_root;
  Hash32 new_root;
  std::uint32_t applied_txs = 0;
  Hash32 payload_hash;
  DepositPosition deposits_upto;
  ForcedPosition forced_upto;
  SettlementMode mode = SettlementMode::optimistic;
  friend bool operator==(const CommitmentHeader&, const CommitmentHeader&) = default;
};

struct Commitment {
  CommitmentHeader header;
  Bytes payload;  // compressed
  friend bool operator==(const Commitment&, const Commitment&) = default;
};

void encode_header(ByteWriter& w, const CommitmentHeader& h);
Result<CommitmentHeader, DecodeError> decode_header(ByteReader& r);
Hash32 commitment_id(const CommitmentHeader& h);

void encode_commitment(ByteWriter& w, const Commitment& c);
Bytes encode_commitment(const Commitment& c);
Result<Commitment, DecodeError> decode_commitment(ByteReader& r);
Result<Commitment, DecodeError> decode_commitment(ByteView in);  // whole input

struct BatchOrigin {
  DepositPosition deposits_from;
  DepositPosition deposits_upto;
  ForcedPosition forced_from;
  ForcedPosition forced_upto;
  // 0 for a range with from > upto (which decode_origin refuses and make_commitment reports).
  [[nodiscard]] std::uint64_t deposit_count() const {
    return deposits_upto.count_since(deposits_from).value_or(0);
  }
  [[nodiscard]] std::uint64_t forced_count() const {
    return forced_upto.count_since(forced_from).value_or(0);
  }
  friend bool operator==(const BatchOrigin&, const BatchOrigin&) = default;
};
Bytes encode_origin(const BatchOrigin& o);
// Strict; also checks from <= upto for both queues.
Result<BatchOrigin, DecodeError> decode_origin(ByteView in);

// A batch as the engine committed it, with what it consumed from the base chain's
// queues: everything make_commitment needs. The views must outlive the call.
struct CommittedBatchView {
  ChainId rollup_id;
  rollup::BatchHeader header;
  std::span<const rollup::Tx> txs;            // the batch's txs in batch order
  std::span<const rollup::Receipt> receipts;  // one per tx
  BatchOrigin origin;
  SettlementMode mode = SettlementMode::optimistic;
};

// The commitment of a committed batch; the one way the sequencer, the benchmark and
// the tests build commitments. The batch's first origin.deposit_count() txs must be
// the deposits with deposit_id deposits_from, deposits_from + 1, ...; the next
// origin.forced_count() txs the forced txs (transfers or withdrawals); the payload is
// the applied txs after those, in batch order. Also checks that there is one receipt
// per tx and that the header's counts agree with them. An error is a bug in the
// caller (a message saying what disagrees), never an input the base chain sent.
Result<Commitment, std::string> make_commitment(const CommittedBatchView& batch);

}  // namespace l2::settlement
