// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
#include "settlement/dispute_game.hpp"

#include <bit>

namespace l2::settlement {

std::string_view to_string(DisputeSide s) { return s == DisputeSide::defender ? "defender" : "challenger"; }

std::string_view to_string(GamePhase p) {
  switch (p) {
    case GamePhase::bisect:
      return "bisect";
    case GamePhase::respond:
      return "respond";
    case GamePhase::step:
      return "step";
    case GamePhase::decided:
      return "decided";
  }
  return "unknown";
}

std::string_view to_string(GameEnd e) {
  switch (e) {
    case GameEnd::step_matches:
      return "step_matches";
    case GameEnd::step_differs:
      return "step_differs";
    case GameEnd::clock_ran_out:
      return "clock_ran_out";
  }
  return "unknown";
}

std::string_view to_string(GameErrorCode c) {
  switch (c) {
    case GameErrorCode::bad_range:
      return "bad_range";
    case GameErrorCode::wrong_phase:
      return "wrong_phase";
    case GameErrorCode::time_ran_out:
      return "time_ran_out";
    case GameErrorCode::time_backward:
      return "time_backward";
    case GameErrorCode::not_yet:
      return "not_yet";
  }
  return "unknown";
}

namespace {

GameError error(GameErrorCode code, std::string message) { return GameError{code, std::move(message)}; }

DisputeSide other(DisputeSide s) {
  return s == DisputeSide::defender ? DisputeSide::challenger : DisputeSide::defender;
}

std::size_t slot(DisputeSide s) { return static_cast<std::size_t>(s); }

}  // namespace

Result<BisectionGame, GameError> BisectionGame::open(std::uint64_t n, const Hash32& agreed,
                                                     const Hash32& disputed, ChainDuration clock,
                                                     ChainTime now) {
  if (n == 0)
    return make_error(
        error(GameErrorCode::bad_range,
              "a batch with an empty tx list has no trace to bisect: its new_root must be its prev_root"));
  if (clock.value() == 0) return make_error(error(GameErrorCode::bad_range, "a clock of 0 seconds"));
  BisectionGame g;
  g.n_ = n;
  g.lo_ = 0;
  g.hi_ = n;
  g.agreed_ = agreed;
  g.disputed_ = disputed;
  g.phase_ = n == 1 ? GamePhase::step : GamePhase::bisect;
  g.clock_[slot(DisputeSide::defender)] = clock;
  g.clock_[slot(DisputeSide::challenger)] = clock;
  g.turn_began_ = now;
  return g;
}

GameState BisectionGame::state() const {
  return GameState{n_,
                   lo_,
                   hi_,
                   agreed_,
                   disputed_,
                   proposed_,
                   phase_,
                   clock_[slot(DisputeSide::defender)],
                   clock_[slot(DisputeSide::challenger)],
                   turn_began_,
                   winner_,
                   end_,
                   moves_};
}

Result<BisectionGame, GameError> BisectionGame::restore(const GameState& s) {
  auto bad = [](const std::string& why) { return make_error(error(GameErrorCode::bad_range, why)); };
  if (s.n == 0 || s.lo >= s.hi || s.hi > s.n) return bad("the range is not inside 0..n");
  const bool decided = s.phase == GamePhase::decided;
  if (decided != (s.winner.has_value() && s.end.has_value()) || (!decided && (s.winner || s.end)))
    return bad("a winner without a decision, or a decision without a winner");
  if ((s.phase == GamePhase::respond) != s.proposed.has_value())
    return bad("a proposed root outside the respond phase");
  if ((s.phase == GamePhase::bisect || s.phase == GamePhase::respond) && s.hi - s.lo < 2)
    return bad("a bisection over a range of one position");
  if (s.phase == GamePhase::step && s.hi - s.lo != 1) return bad("a step over more than one position");
  BisectionGame g;
  g.n_ = s.n;
  g.lo_ = s.lo;
  g.hi_ = s.hi;
  g.agreed_ = s.agreed;
  g.disputed_ = s.disputed;
  g.proposed_ = s.proposed;
  g.phase_ = s.phase;
  g.clock_[slot(DisputeSide::defender)] = s.defender_clock;
  g.clock_[slot(DisputeSide::challenger)] = s.challenger_clock;
  g.turn_began_ = s.turn_began;
  g.winner_ = s.winner;
  g.end_ = s.end;
  g.moves_ = s.moves;
  return g;
}

std::optional<DisputeSide> BisectionGame::to_move() const {
  switch (phase_) {
    case GamePhase::bisect:
    case GamePhase::step:
      return DisputeSide::defender;
    case GamePhase::respond:
      return DisputeSide::challenger;
    case GamePhase::decided:
      return std::nullopt;
  }
  return std::nullopt;
}

ChainDuration BisectionGame::clock_left(DisputeSide side, ChainTime now) const {
  const ChainDuration left = clock_[slot(side)];
  if (to_move() != side) return left;
  const ChainDuration spent = now - turn_began_;
  return spent >= left ? ChainDuration(0) : ChainDuration(left.value() - spent.value());
}

std::uint64_t BisectionGame::max_moves(std::uint64_t n) {
  if (n <= 1) return 1;
  // ceil(log2 n): each bisection leaves at most ceil(range / 2) positions.
  const auto rounds = static_cast<std::uint64_t>(std::bit_width(n - 1));
  return 2 * rounds + 1;
}

Status<GameError> BisectionGame::begin_move(DisputeSide side, GamePhase phase, ChainTime now) {
  if (phase_ == GamePhase::decided)
    return make_error(error(GameErrorCode::wrong_phase,
                            "the game is decided: the " + std::string(to_string(*winner_)) + " won"));
  if (phase_ != phase || to_move() != side)
    return make_error(error(GameErrorCode::wrong_phase, "a " + std::string(to_string(phase)) +
                                                            " move by the " + std::string(to_string(side)) +
                                                            ", but the game waits for " +
                                                            std::string(to_string(phase_)) + " by the " +
                                                            std::string(to_string(*to_move()))));
  if (now < turn_began_)
    return make_error(error(GameErrorCode::time_backward, "a move at " + std::to_string(now.value()) +
                                                              ", before the last one at " +
                                                              std::to_string(turn_began_.value())));
  const ChainDuration spent = now - turn_began_;
  ChainDuration& left = clock_[slot(side)];
  if (spent > left)
    return make_error(
        error(GameErrorCode::time_ran_out, "the " + std::string(to_string(side)) + "'s clock ran out " +
                                               std::to_string(spent.value() - left.value()) + " s ago: the " +
                                               std::string(to_string(other(side))) + " wins by timeout"));
  left = ChainDuration(left.value() - spent.value());
  turn_began_ = now;
  ++moves_;
  return {};
}

void BisectionGame::decide(DisputeSide winner, GameEnd why) {
  phase_ = GamePhase::decided;
  winner_ = winner;
  end_ = why;
  proposed_.reset();
}

Status<GameError> BisectionGame::bisect(ChainTime now, const Hash32& root_at_mid) {
  if (auto s = begin_move(DisputeSide::defender, GamePhase::bisect, now); !s) return s;
  proposed_ = root_at_mid;
  phase_ = GamePhase::respond;
  return {};
}

Status<GameError> BisectionGame::respond(ChainTime now, bool agree) {
  if (auto s = begin_move(DisputeSide::challenger, GamePhase::respond, now); !s) return s;
  const std::uint64_t m = mid();
  if (agree) {
    lo_ = m;
    agreed_ = *proposed_;
  } else {
    hi_ = m;
    disputed_ = *proposed_;
  }
  proposed_.reset();
  phase_ = hi_ - lo_ == 1 ? GamePhase::step : GamePhase::bisect;
  return {};
}

Status<GameError> BisectionGame::step(ChainTime now, const std::optional<Hash32>& computed) {
  if (auto s = begin_move(DisputeSide::defender, GamePhase::step, now); !s) return s;
  if (computed && *computed == disputed_)
    decide(DisputeSide::defender, GameEnd::step_matches);
  else
    decide(DisputeSide::challenger, GameEnd::step_differs);
  return {};
}

Status<GameError> BisectionGame::timeout(ChainTime now) {
  if (phase_ == GamePhase::decided)
    return make_error(error(GameErrorCode::wrong_phase,
                            "the game is decided: the " + std::string(to_string(*winner_)) + " won"));
  const DisputeSide side = *to_move();
  if (now < turn_began_)
    return make_error(error(GameErrorCode::time_backward, "a timeout at " + std::to_string(now.value()) +
                                                              ", before the last move at " +
                                                              std::to_string(turn_began_.value())));
  const ChainDuration spent = now - turn_began_;
  if (spent <= clock_[slot(side)])
    return make_error(error(GameErrorCode::not_yet,
                            "the " + std::string(to_string(side)) + " has " +
                                std::to_string(clock_[slot(side)].value() - spent.value()) + " s left"));
  clock_[slot(side)] = ChainDuration(0);
  decide(other(side), GameEnd::clock_ran_out);
  return {};
}

}  // namespace l2::settlement
