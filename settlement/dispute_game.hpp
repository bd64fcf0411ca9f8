// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// The rules of the bisection game over one disputed batch: the pure core that the
// base chain's dispute module will run (and the defender and the challenger will play),
// with no storage, bonds or transport. docs/disputes.md states the same rules.
//
// Positions 0..n are the state roots of the batch's trace (rollup/trace.hpp) over its
// derived tx list (settlement/batch_txs.hpp; n is the list's length, so the chain can name
// the tx at a position without executing anything): root 0 is the batch's prev_root,
// which both sides agree on (it is the previous commitment's new_root); root k is the root
// after the k-th tx (a rejected forced tx leaves it unchanged); root n is the
// commitment's new_root, which the defender (the sequencer) claims and the challenger
// disputes. The game keeps a range [lo, hi] with the root at lo agreed and the
// defender's root at hi disputed:
//
//   1. bisect   (the defender's move, while hi - lo > 1): the defender's root at
//               mid = lo + (hi - lo) / 2;
//   2. respond  (the challenger's move): agree (lo = mid) or disagree (hi = mid) with it;
//   3. step     (the defender's move, once hi - lo == 1): the base chain executes the one
//               tx at position hi over the agreed root at lo (a one-step proof, its
//               witnesses checked against that root) and compares the root it computes
//               with the defender's root at hi: equal, the defender wins; else (or if a
//               payload tx does not apply, or the witnesses do not check) the challenger
//               wins.
//
// A range of one position from the start (n = 1) goes straight to the step. A game over
// an empty list (n = 0) does not exist: new_root must then equal prev_root, which the
// chain checks without a game. So a game takes at most 2 * ceil(log2 n) + 1 moves.
//
// Clocks (a chess clock, as OP's fault dispute game has): each side has its own budget of
// base-chain time; the side to move spends its clock from the moment its turn began. A
// side whose clock runs out loses (timeout(), which anyone may call once it has).
//
// Pure values; thread-safe as values (no shared state).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/bytes.hpp"
#include "common/result.hpp"
#include "common/types.hpp"

namespace l2::settlement {

enum class DisputeSide : std::uint8_t { defender = 0, challenger = 1 };
std::string_view to_string(DisputeSide s);

enum class GamePhase : std::uint8_t {
  bisect,   // the defender names its root at mid()
  respond,  // the challenger agrees or disagrees with it
  step,     // the defender must have the one-step proof of position hi() run
  decided,  // winner() is set
};
std::string_view to_string(GamePhase p);

// Why a game was decided.
enum class GameEnd : std::uint8_t {
  step_matches,   // the one-step proof gave the defender's root: the defender wins
  step_differs,   // it gave another root, or the tx did not apply: the challenger wins
  clock_ran_out,  // the side to move let its clock run out: the other side wins
};
std::string_view to_string(GameEnd e);

enum class GameErrorCode : std::uint8_t {
  bad_range,      // open(): n = 0, or a clock of 0 seconds
  wrong_phase,    // not a move of the phase the game is in (or the game is decided)
  time_ran_out,   // the mover's clock has run out: the move comes too late (call timeout())
  time_backward,  // `now` is before the game's last move
  not_yet,        // timeout(): the side to move still has time
};
std::string_view to_string(GameErrorCode c);

struct GameError {
  GameErrorCode code = GameErrorCode::wrong_phase;
  std::string message;
};

struct GameMove {
  DisputeSide side = DisputeSide::defender;
  GamePhase phase = GamePhase::bisect;  // the phase the move was made in
  ChainTime at;
};

// Everything a game is, as a value: what the base chain's dispute module stores between
// moves (BisectionGame::state / restore).
struct GameState {
  std::uint64_t n = 0;
  std::uint64_t lo = 0;
  std::uint64_t hi = 0;
  Hash32 agreed;
  Hash32 disputed;
  std::optional<Hash32> proposed;
  GamePhase phase = GamePhase::bisect;
  ChainDuration defender_clock;
  ChainDuration challenger_clock;
  ChainTime turn_began;
  std::optional<DisputeSide> winner;
  std::optional<GameEnd> end;
  std::uint64_t moves = 0;
  friend bool operator==(const GameState&, const GameState&) = default;
};

class BisectionGame {
 public:
  // A game over positions 0..n (n >= 1): root 0 `agreed` (the batch's prev_root), root n
  // `disputed` (the commitment's new_root), opened at `now` with `clock` for each side.
  // The defender moves first.
  static Result<BisectionGame, GameError> open(std::uint64_t n, const Hash32& agreed, const Hash32& disputed,
                                               ChainDuration clock, ChainTime now);

  // The game as a value, and back: restore refuses a state no game can reach (bad_range:
  // a range outside 0..n or empty, a phase that does not fit the range, a proposal
  // outside respond, a winner without a decision).
  [[nodiscard]] GameState state() const;
  static Result<BisectionGame, GameError> restore(const GameState& s);

  // bisect: the defender's root at mid().
  Status<GameError> bisect(ChainTime now, const Hash32& root_at_mid);
  // respond: the challenger agrees with the defender's root at mid(), or not.
  Status<GameError> respond(ChainTime now, bool agree);
  // step: the base chain ran the one-step proof of position hi() over agreed_root() and
  // got `computed` (nullopt: a payload tx that did not apply, or witnesses that did not
  // check).
  Status<GameError> step(ChainTime now, const std::optional<Hash32>& computed);
  // The side to move has let its clock run out by `now`: the other side wins.
  Status<GameError> timeout(ChainTime now);

  [[nodiscard]] GamePhase phase() const { return phase_; }
  [[nodiscard]] std::uint64_t size() const { return n_; }
  [[nodiscard]] std::uint64_t lo() const { return lo_; }
  [[nodiscard]] std::uint64_t hi() const { return hi_; }
  // The position the defender names next (phase bisect) or just named (phase respond).
  [[nodiscard]] std::uint64_t mid() const { return lo_ + (hi_ - lo_) / 2; }
  [[nodiscard]] const Hash32& agreed_root() const { return agreed_; }      // at lo()
  [[nodiscard]] const Hash32& disputed_root() const { return disputed_; }  // the defender's at hi()
  // The defender's root at mid() while the challenger is to respond.
  [[nodiscard]] const std::optional<Hash32>& proposed_root() const { return proposed_; }
  // The side to move (nullopt once decided).
  [[nodiscard]] std::optional<DisputeSide> to_move() const;
  // What is left of a side's clock at `now` (the side to move spends its own).
  [[nodiscard]] ChainDuration clock_left(DisputeSide side, ChainTime now) const;
  [[nodiscard]] std::optional<DisputeSide> winner() const { return winner_; }
  [[nodiscard]] std::optional<GameEnd> end() const { return end_; }
  [[nodiscard]] std::uint64_t moves() const { return moves_; }
  [[nodiscard]] ChainTime last_move_at() const { return turn_began_; }
  // The most moves any game over n positions can take: 2 * ceil(log2 n) + 1.
  static std::uint64_t max_moves(std::uint64_t n);

 private:
  BisectionGame() = default;
  // Checks that `side` may move in `phase` at `now`, and charges its clock.
  Status<GameError> begin_move(DisputeSide side, GamePhase phase, ChainTime now);
  void decide(DisputeSide winner, GameEnd why);

  std::uint64_t n_ = 0;
  std::uint64_t lo_ = 0;
  std::uint64_t hi_ = 0;
  Hash32 agreed_;
  Hash32 disputed_;
  std::optional<Hash32> proposed_;
  GamePhase phase_ = GamePhase::bisect;
  std::array<ChainDuration, 2> clock_{};  // by DisputeSide
  ChainTime turn_began_;
  std::optional<DisputeSide> winner_;
  std::optional<GameEnd> end_;
  std::uint64_t moves_ = 0;
};

}  // namespace l2::settlement
