// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// The trace of a batch: the state root before and after each of its txs, with the
// witness of the accounts each tx touches against the root before it. It is what a
// challenger bisects over and what a one-step proof needs, computed on demand (never on
// the sequencer's hot path) from the state before the batch, which it does not change:
// the caller passes that state (StateStore::state_at gives it for any stored batch).
//
// Cost: builds a Merkle tree of the whole pre-state (O(accounts) hashes), then a few
// tree paths and one multiproof per tx. Pure function; thread-safe.
#pragma once

#include <span>
#include <vector>

#include "rollup/state.hpp"
#include "rollup/witness_state.hpp"

namespace l2::rollup {

struct TraceStep {
  Receipt receipt;
  Hash32 pre_root;
  Hash32 post_root;   // == pre_root for a rejected tx
  TxWitness witness;  // touched_accounts(tx) against pre_root
};

struct BatchTrace {
  Hash32 pre_root;
  Hash32 post_root;
  std::vector<TraceStep> steps;  // one per tx, in batch order
};

// `known`: empty, or one signature check per tx (as in execute_sequential).
BatchTrace trace_batch(const State& pre_state, ChainId chain, std::span<const Tx> txs,
                       std::span<const SigCheck> known = {});

// The root after each applied tx, in order: the list a dispute bisects (rejected txs
// are not in the posted batch data, so they have no position there).
std::vector<Hash32> applied_roots(const BatchTrace& trace);

// The Merkle tree of a whole state (leaf i = account i).
SparseMerkleTree build_tree(const State& state);

}  // namespace l2::rollup
