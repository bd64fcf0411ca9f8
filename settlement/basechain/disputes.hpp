// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// The dispute module (docs/disputes.md is the reference): bonds, the bisection game over
// a disputed batch played on the base chain, the one-step proof run by the chain itself,
// and the ruling. Builds on the registry, the commitments and the bridge.
//
//   commit_batch      (its CommitmentRule) locks the rollup's bond from the sequencer
//                     with every commitment;
//   challenge_batch   (kind 7) anyone but the sequencer, while the batch is not final,
//                     with the same bond: opens a game (settlement/dispute_game.hpp) over
//                     the batch's derived tx list, each side's clock the rollup's
//                     dispute_clock_s; the lowest batch with an open game is held from
//                     finality (its FinalityHold);
//   dispute_bisect    (8)  the sequencer's root at the game's mid;
//   dispute_respond   (9)  the challenger agrees with it or not;
//   dispute_step      (10) the sequencer has the chain run the one-step proof
//                     (settlement/one_step.hpp: the tx named from the chain's own queues
//                     and the posted payload, executed by the rollup's own state transition
//                     function over the witness);
//   dispute_timeout   (11) anyone, once the side to move has let its clock run out;
//   claim_bond        (12) anyone, once a batch is final: its bond goes back to the
//                     sequencer.
//
// The ruling: the loser's bond is split, half (rounded down) to the winner and the rest
// burned (it stays in the module for good), so that losing a game against oneself (a
// sequencer challenging its own batch through another key to hold it from finality)
// always costs half a bond. A challenger that wins also gets its own bond back, and the
// disputed commitment is removed with every commitment after it: their bonds go back to
// the sequencer, and every other open game on them ends void with its bond returned.
// Withdrawals against a removed commitment can never be finalized (the bridge finds no
// such batch, or the batch number's new commitment with another root).
//
// Queries take a ChainView (BaseChain::read runs them under the chain's lock).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "common/types.hpp"
#include "settlement/basechain/chain.hpp"
#include "settlement/basechain/module.hpp"
#include "settlement/dispute_game.hpp"

namespace l2::settlement::disputes {

inline constexpr std::string_view kName = "disputes";

inline constexpr Refusal kNoSuchBatch{"no_such_batch"};             // no commitment with that number
inline constexpr Refusal kAlreadyFinal{"already_final"};            // challenge: the batch is final
inline constexpr Refusal kSelfChallenge{"self_challenge"};          // challenge: by the sequencer's key
inline constexpr Refusal kAlreadyChallenged{"already_challenged"};  // this key has an open game on it
inline constexpr Refusal kNothingToDispute{"nothing_to_dispute"};   // an empty batch that keeps its root
inline constexpr Refusal kNoDispute{"no_dispute"};                  // no open game of that challenger
inline constexpr Refusal kNotYourMove{"not_your_move"};             // the sender is not the side to move
inline constexpr Refusal kWrongMove{"wrong_move"};                  // not a move of the game's phase
inline constexpr Refusal kWrongPosition{"wrong_position"};          // position is not the game's mid
inline constexpr Refusal kClockRanOut{"clock_ran_out"};             // the mover's clock ran out
inline constexpr Refusal kClockRunning{"clock_running"};            // timeout: the mover still has time
inline constexpr Refusal kBondLocked{"bond_locked"};                // claim_bond: the batch is not final
inline constexpr Refusal kNoBond{"no_bond"};                        // claim_bond: none held for it

enum class DisputeStatus : std::uint8_t { open, defender_won, challenger_won, voided };
std::string_view to_string(DisputeStatus s);  // "open", "defender_won", "challenger_won", "void"

struct DisputeEntry {
  std::uint64_t id = 0;  // 1, 2, ... in the order games were opened
  ChainId rollup_id;
  BatchNumber batch;
  PublicKey challenger;
  Hash32 commitment_tx;  // the disputed commitment's tx (batch numbers repeat after a removal)
  Amount bond;           // the challenger's
  ChainTime opened_at;
  DisputeStatus status = DisputeStatus::open;
  std::optional<ChainTime> decided_at;
  // How it ended: the game's GameEnd ("step_matches", "step_differs", "clock_ran_out"),
  // "empty_batch" (a batch without txs whose new_root is not its prev_root: decided at
  // the challenge) or "removed" (void: an earlier batch was overturned); empty while open.
  std::string end;
  GameState game;  // n = 0 for an empty batch
  Hash32 tx_hash;  // the challenge_batch tx
};

// Every game ever opened on `batch` of `rollup`, oldest first.
Result<std::vector<DisputeEntry>, ChainError> list_disputes(const ChainView& view, ChainId rollup,
                                                            BatchNumber batch);

struct BondEntry {
  BatchNumber batch;
  PublicKey owner;
  Amount amount;
  bool returned = false;  // claimed after finality
};
// The sequencer's bond of a standing commitment (nullopt: none, e.g. a bond of 0).
Result<std::optional<BondEntry>, ChainError> find_bond(const ChainView& view, ChainId rollup,
                                                       BatchNumber batch);
// What the rulings of `rollup`'s games have burned so far.
Result<Amount, ChainError> burned(const ChainView& view, ChainId rollup);

std::shared_ptr<Module> module();

}  // namespace l2::settlement::disputes
