// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// The commitment-chain module: commit_batch (kind 5) appends a rollup's next commitment
// (optimistic mode), posted by its sequencer, and rollup_getCommitment serves it. Builds
// on the registry.
//
// A commitment is final when chain time >= posted_at + challenge_window_s, no
// FinalityHold holds it or an earlier batch, and its predecessor is final.
//
// Two hooks let later modules take part without this file naming them (each is found
// with ModuleSet::implementing<>, in registration order):
//   CommitmentRule  a rule every new commitment must pass after this module's own checks
//                   (the bridge's: the queues are consumed in order and in time);
//   FinalityHold    holds a batch and every later one from finality (the dispute game:
//                   the lowest batch under an open dispute).
//
// Queries take a ChainView (BaseChain::read runs them under the chain's lock).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "common/result.hpp"
#include "common/types.hpp"
#include "settlement/basechain/chain.hpp"
#include "settlement/basechain/module.hpp"
#include "settlement/basechain/registry.hpp"
#include "settlement/commitment.hpp"

namespace l2::settlement::commitments {

inline constexpr std::string_view kName = "commitments";

inline constexpr Refusal kNotSequencer{"not_sequencer"};         // the sender is not the rollup's sequencer
inline constexpr Refusal kModeUnsupported{"mode_unsupported"};   // validity mode (no prover yet)
inline constexpr Refusal kWrongBatch{"wrong_batch"};             // batch is not last batch + 1
inline constexpr Refusal kWrongPrevRoot{"wrong_prev_root"};      // prev_root is not the last accepted root
inline constexpr Refusal kPayloadTooLarge{"payload_too_large"};  // payload over kMaxPayloadBytes
inline constexpr Refusal kPayloadHashMismatch{"payload_hash_mismatch"};  // not the payload's hash
inline constexpr Refusal kBadPayload{"bad_payload"};  // the payload does not decompress or decode
inline constexpr Refusal kAppliedCountMismatch{"applied_count_mismatch"};  // not applied_txs txs

// The head of a rollup's commitment chain (batch 0: none yet).
struct ChainTip {
  BatchNumber batch;
  Hash32 root;  // the genesis root while nothing is committed
  DepositPosition deposits_upto;
  ForcedPosition forced_upto;
};
Result<ChainTip, ChainError> tip(Store& store, ChainId rollup, const Hash32& genesis_root);

// The highest final batch of `rollup` (0: none).
Result<BatchNumber, ChainError> last_final_batch(const ChainView& view, ChainId rollup,
                                                 ChainDuration challenge_window);

struct CommitmentEntry {
  Commitment commitment;  // payload empty unless asked for
  ChainTime posted_at;
  Hash32 tx_hash;
  std::optional<BlockNumber> block;  // nullopt while its tx is pending
  bool is_final = false;
  ChainTime final_at;  // posted_at + challenge window (the earliest; holds may delay it)
};
struct CommitmentQuery {
  ChainId rollup_id;
  BatchNumber batch;
  bool with_payload = false;
};
Result<std::optional<CommitmentEntry>, ChainError> find_commitment(const ChainView& view,
                                                                   const CommitmentQuery& q);

// Removes the commitments of `rollup` from `from` on (the dispute game: a commitment
// found wrong goes with every commitment built on it); the tip goes back to from - 1.
// Returns how many were removed. Only the dispute module calls it, inside its tx.
Result<std::uint64_t, ChainError> remove_from(Store& store, ChainId rollup, BatchNumber from);

// What a CommitmentRule sees: the commitment, the rollup it extends and its tip before.
struct Proposal {
  const CommitmentHeader& header;
  const registry::RollupRow& rollup;
  const ChainTip& previous;
};
class CommitmentRule {
 public:
  virtual ~CommitmentRule() = default;
  // A refusal (refuse(...) with the implementing module's reasons) rejects the commitment.
  virtual Status<ChainError> check_commitment(TxContext& ctx, const Proposal& proposal) const = 0;
};

class FinalityHold {
 public:
  virtual ~FinalityHold() = default;
  // The lowest batch of `rollup` this module holds from finality, if any.
  virtual Result<std::optional<BatchNumber>, ChainError> first_held_batch(const ChainView& view,
                                                                          ChainId rollup) const = 0;
};

std::shared_ptr<Module> module();

}  // namespace l2::settlement::commitments
