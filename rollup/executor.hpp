// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// The parallel batch executor. It takes read-only state and a batch and returns the
// receipts and an explicit diff; only the store's commit writes anything (evmone's
// state_diff). The outcome is bit-identical to applying the batch one tx at a time
// with apply_tx, for any number of threads. How, in short (docs/executor.md has more):
//
//  * Deposits split the batch into segments; they run in order between segments.
//  * Within a segment the account set is fixed and credits can't overflow (the supply
//    invariant in state.hpp), so credits commute. A tx's outcome then depends only on
//    its sender's balance and nonce at that point.
//  * Senders that receive nothing in the segment ("pure") depend on nobody: their txs
//    run in parallel, grouped by sender, each group in batch order.
//  * Senders that also receive (a merchant that spends, the fee account if it spends)
//    are decided by one in-order pass that adds the credits of earlier applied txs.
//    That pass does a few integer operations per tx, so it never becomes the limit.
//  * Credits to the remaining recipients and the fee account are summed in parallel.
//
// Thread safety: an Executor only uses its pool; concurrent calls are serialised by
// the pool.
#pragma once

#include <span>
#include <vector>

#include "common/thread_pool.hpp"
#include "rollup/receipt.hpp"
#include "rollup/state.hpp"
#include "rollup/stf.hpp"
#include "rollup/tx.hpp"

namespace l2::rollup {

// Stage 1 output: tx hashes and signature checks.
struct PreparedBatch {
  std::vector<Hash32> hashes;
  std::vector<SigCheck> sigs;  // unchecked only where the sender did not exist yet
};

struct ExecutionResult {
  std::vector<Receipt> receipts;
  std::vector<AccountChange> changes;  // sorted by index
  Amount supply_after;
  std::uint32_t applied = 0;
  friend bool operator==(const ExecutionResult&, const ExecutionResult&) = default;
};

class Executor {
 public:
  explicit Executor(ThreadPool& pool) : pool_(pool) {}

  // Stage 1: hashes every tx and verifies every signature whose sender exists in
  // `state`, on all threads. `known` (empty or one per tx) carries checks done
  // earlier (a sequencer verifies a single tx at ingest): those are not redone.
  // `hashes` (empty or one per tx) are tx hashes computed earlier: taken as they are.
  [[nodiscard]] PreparedBatch prepare(const State& state, ChainId chain, std::span<const Tx> txs,
                                      std::span<const SigCheck> known = {},
                                      std::span<const Hash32> hashes = {}) const;

  // Stage 2: executes the batch against `state` (unchanged) and returns the diff.
  [[nodiscard]] ExecutionResult execute(const State& state, ChainId chain, std::span<const Tx> txs,
                                        const PreparedBatch& prepared) const;

 private:
  ThreadPool& pool_;
};

// The reference: apply_tx one tx at a time. Used by tests and re-derivation.
ExecutionResult execute_sequential(const State& state, ChainId chain, std::span<const Tx> txs,
                                   std::span<const SigCheck> known = {});

}  // namespace l2::rollup
