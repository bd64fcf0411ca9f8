// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// The bridge module: deposit (kind 3), force_tx (4) and finalize_withdrawal (6). It keeps
// the deposit and forced-tx queues of each rollup, the funds locked for it, and what it
// paid out; withdrawals are proven against final roots of the commitment chain. It is
// also a commitments::CommitmentRule: a commitment consumes the queues in order, never
// beyond their length, and leaves out no entry older than the inclusion deadline.
// Builds on the registry and the commitments. Its RPC methods: bridge_getRollup,
// bridge_getDeposits, bridge_getForcedTxs, bridge_getWithdrawn.
//
// Queries take a ChainView (BaseChain::read runs them under the chain's lock).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "common/types.hpp"
#include "rollup/tx.hpp"
#include "settlement/basechain/chain.hpp"
#include "settlement/basechain/module.hpp"

namespace l2::settlement::bridge {

inline constexpr std::string_view kName = "bridge";

// The bridge also refuses with the core's zero_amount (a deposit of 0) and overflow (a
// locked total over kMaxSupply), and the registry's unknown_rollup.
inline constexpr Refusal kBadTxSignature{"bad_tx_signature"};  // force_tx: not signed by the base tx's sender
inline constexpr Refusal kNoCommitment{"no_commitment"};       // finalize_withdrawal: no such batch
inline constexpr Refusal kNotFinal{"not_final"};               // finalize_withdrawal: not final yet
inline constexpr Refusal kBadProof{"bad_proof"};               // the leaf is not under the batch's root
inline constexpr Refusal kNothingToClaim{"nothing_to_claim"};  // everything the leaf proves was paid
inline constexpr Refusal kBridgeInsolvent{"bridge_insolvent"};  // more than the rollup has locked
// commit_batch (the bridge's CommitmentRule):
inline constexpr Refusal kQueueRegress{
    "queue_regress"};  // deposits_upto/forced_upto below the previous batch's
inline constexpr Refusal kQueueOverrun{"queue_overrun"};                     // ... beyond the queue's length
inline constexpr Refusal kDepositDeadlineMissed{"deposit_deadline_missed"};  // leaves out a due deposit
inline constexpr Refusal kForcedDeadlineMissed{"forced_deadline_missed"};    // leaves out a due forced tx

// A rollup as the bridge serves it (bridge_getRollup): the registry's record, the
// queues, the locked funds, and the tip and finality of its commitment chain.
struct RollupEntry {
  ChainId rollup_id;
  PublicKey sequencer;
  PublicKey operator_key;
  Hash32 genesis_root;
  ChainDuration challenge_window_s;
  ChainDuration inclusion_deadline_s;
  DisputeTerms disputes;
  std::uint64_t deposit_count = 0;
  std::uint64_t forced_count = 0;
  BatchNumber last_batch;  // 0: nothing committed
  Hash32 last_root;        // genesis_root while nothing is committed
  BatchNumber last_final;  // 0: nothing final
  Amount locked;
  ChainTime registered_at;
  Hash32 tx_hash;
};

struct DepositEntry {
  DepositPosition index;
  PublicKey recipient;
  AccountIndex account;  // the rollup account it credits (the key's, or the next free one)
  Amount amount;
  ChainTime timestamp;  // chain time when it was queued
  Hash32 tx_hash;
};

struct ForcedEntry {
  ForcedPosition index;
  rollup::Tx tx;
  ChainTime timestamp;
  Hash32 tx_hash;
};

Result<std::optional<RollupEntry>, ChainError> find_rollup(const ChainView& view, ChainId rollup);
// Queue entries [from, from + limit) that exist; empty for an unknown rollup.
Result<std::vector<DepositEntry>, ChainError> list_deposits(const ChainView& view, ChainId rollup,
                                                            DepositPosition from, std::uint32_t limit);
Result<std::vector<ForcedEntry>, ChainError> list_forced(const ChainView& view, ChainId rollup,
                                                         ForcedPosition from, std::uint32_t limit);
// What the bridge has paid out so far to `account` from `rollup`.
Result<Amount, ChainError> withdrawn_total(const ChainView& view, ChainId rollup, const PublicKey& account);

std::shared_ptr<Module> module();

}  // namespace l2::settlement::bridge
