// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// The one-step proof of the bisection game (settlement/dispute_game.hpp,
// docs/disputes.md): what the base chain runs when a game has narrowed to one position.
//
// Positions are those of a committed batch's derived tx list (settlement/batch_txs.hpp):
// the deposits and forced txs the batch consumed, then its payload's txs. The chain names
// the tx at a position without executing anything (name_txs): the queue entries are its
// own, and the payload is posted (its hash checked, then decompressed and decoded).
// Payload txs come without nonces; one_step restores a payload tx's nonce from its
// sender's leaf in the witness (every payload tx was applied, so its nonce is its
// sender's nonce at that point), then executes that one tx with the rollup's own state
// transition function over the witness (rollup::execute_step) and gives the root after
// it. A defender (or a test) that has the state before the batch gets the whole trace
// with derived_trace.
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "rollup/state.hpp"
#include "rollup/trace.hpp"
#include "rollup/tx.hpp"
#include "rollup/witness_state.hpp"
#include "settlement/basechain/client.hpp"
#include "settlement/commitment.hpp"

namespace l2::settlement {

// A committed batch's derived tx list as the chain names it: the queue entries first
// (`queued` of them), then the payload's txs with nonce 0.
struct NamedTxs {
  ChainId rollup_id;
  std::vector<rollup::Tx> txs;
  std::size_t queued = 0;
};

// The queue entries `c` consumed are `deposits` and `forced` (the chain's own, from the
// previous commitment's deposits_upto and forced_upto on). Errors are faults of the
// commitment, decided without a game: a payload that does not hash to payload_hash,
// does not decode, or whose tx count is not applied_txs; or queue entries that are not
// the ones its range names.
Result<NamedTxs, std::string> name_txs(const Commitment& c, const BatchOrigin& origin,
                                       std::span<const QueuedDeposit> deposits,
                                       std::span<const QueuedForced> forced);

struct StepOutcome {
  std::optional<Hash32> root;  // the root after the tx; nullopt: a fault of the step
  std::string fault;           // why not (a witness that does not check, a payload tx that
                               // does not apply)
};

// Executes the tx at position k (1..txs.size(): the tx whose root is position k) over
// `agreed_root` (position k - 1) from `witness` alone. Error: k is not a position.
Result<StepOutcome, std::string> one_step(const NamedTxs& named, std::uint64_t k, const Hash32& agreed_root,
                                          const rollup::TxWitness& witness);

// The derived tx list with every payload tx's nonce restored over `pre_state` (the state
// before the batch), and its trace: steps[k - 1] is position k.
struct DerivedTrace {
  std::vector<rollup::Tx> txs;
  rollup::BatchTrace trace;
};
DerivedTrace derived_trace(const NamedTxs& named, const rollup::State& pre_state);

}  // namespace l2::settlement
