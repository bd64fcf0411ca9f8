// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// The bisection game's rules (settlement/dispute_game.hpp): an honest side wins against
// every strategy of the other, the game ends at the first position the two traces
// differ, in at most 2 * ceil(log2 n) + 1 moves, and the clocks decide a side that stops
// moving.
#include "settlement/dispute_game.hpp"

#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "common/crypto.hpp"

namespace l2::settlement {
namespace {

constexpr ChainDuration kClock{100};
const ChainTime kStart{1'000'000};

Hash32 root(std::uint64_t k, std::uint64_t salt = 0) {
  const std::string s = "root " + std::to_string(k) + "/" + std::to_string(salt);
  return blake2b256(as_bytes(s));
}

// A trace of n + 1 roots; `wrong_from` (<= n) makes every root from that position on
// another one (a defender who executed tx `wrong_from` wrongly and built on it).
std::vector<Hash32> trace(std::uint64_t n, std::uint64_t wrong_from = UINT64_MAX) {
  std::vector<Hash32> t;
  for (std::uint64_t k = 0; k <= n; ++k) t.push_back(k >= wrong_from ? root(k, 1) : root(k));
  return t;
}

// Plays a game to the end: the defender bisects with `defender_trace`, the challenger
// answers by `challenger_trace` (agree iff equal) or, if `random_challenger`, at random;
// the step compares with the true trace. Returns the game.
BisectionGame play(const std::vector<Hash32>& defender_trace, const std::vector<Hash32>& challenger_trace,
                   const std::vector<Hash32>& truth, std::mt19937_64* random_challenger = nullptr) {
  const std::uint64_t n = truth.size() - 1;
  auto g = BisectionGame::open(n, truth[0], defender_trace[n], kClock, kStart);
  EXPECT_TRUE(g) << g.error().message;
  ChainTime now = kStart;
  while (g->phase() != GamePhase::decided) {
    now = now + ChainDuration(1);
    switch (g->phase()) {
      case GamePhase::bisect: {
        EXPECT_GT(g->mid(), g->lo());
        EXPECT_LT(g->mid(), g->hi());
        EXPECT_TRUE(g->bisect(now, defender_trace[g->mid()]));
        break;
      }
      case GamePhase::respond: {
        const bool agree = random_challenger ? ((*random_challenger)() & 1) != 0
                                             : *g->proposed_root() == challenger_trace[g->mid()];
        EXPECT_TRUE(g->respond(now, agree));
        break;
      }
      case GamePhase::step: {
        EXPECT_EQ(g->hi() - g->lo(), 1u);
        // The chain executes tx hi over the agreed root: the true step, if the agreed root
        // is the true one there; else some other root.
        const bool agreed_true = g->agreed_root() == truth[g->lo()];
        EXPECT_TRUE(g->step(now, agreed_true ? truth[g->hi()] : root(g->hi(), 2)));
        break;
      }
      case GamePhase::decided:
        break;
    }
    EXPECT_LE(g->moves(), BisectionGame::max_moves(n));
  }
  return std::move(*g);
}

TEST(BisectionGame, MaxMovesIsTwiceTheRoundsPlusTheStep) {
  EXPECT_EQ(BisectionGame::max_moves(1), 1u);
  EXPECT_EQ(BisectionGame::max_moves(2), 3u);
  EXPECT_EQ(BisectionGame::max_moves(3), 5u);
  EXPECT_EQ(BisectionGame::max_moves(4), 5u);
  EXPECT_EQ(BisectionGame::max_moves(5), 7u);
  EXPECT_EQ(BisectionGame::max_moves(10'000), 29u);  // ceil(log2 10000) = 14
}

TEST(BisectionGame, AWrongDefenderLosesAtTheFirstWrongPositionForEveryNAndPosition) {
  for (std::uint64_t n = 1; n <= 40; ++n) {
    for (std::uint64_t wrong = 1; wrong <= n; ++wrong) {
      const auto truth = trace(n);
      const auto lying = trace(n, wrong);
      const BisectionGame g = play(lying, truth, truth);
      ASSERT_EQ(g.winner(), DisputeSide::challenger) << "n " << n << " wrong " << wrong;
      EXPECT_EQ(g.end(), GameEnd::step_differs);
      EXPECT_EQ(g.hi(), wrong) << "the game must narrow to the first wrong tx";
      EXPECT_EQ(g.lo(), wrong - 1);
      EXPECT_LE(g.moves(), BisectionGame::max_moves(n));
    }
  }
}

TEST(BisectionGame, AnHonestDefenderWinsAgainstEveryChallenger) {
  std::mt19937_64 rng(7);
  for (std::uint64_t n : {1u, 2u, 3u, 7u, 8u, 9u, 100u, 10'000u}) {
    const auto truth = trace(n);
    for (int round = 0; round < 20; ++round) {
      const BisectionGame g = play(truth, truth, truth, &rng);  // a challenger that answers at random
      ASSERT_EQ(g.winner(), DisputeSide::defender) << "n " << n;
      EXPECT_EQ(g.end(), GameEnd::step_matches);
    }
    // A challenger whose own trace is wrong from some position on loses too.
    const BisectionGame g = play(truth, trace(n, n / 2 + 1), truth);
    EXPECT_EQ(g.winner(), DisputeSide::defender);
  }
}

TEST(BisectionGame, AnHonestChallengerWinsAgainstALyingDefenderWhateverItBisects) {
  std::mt19937_64 rng(11);
  for (std::uint64_t n : {2u, 5u, 64u, 1000u}) {
    const auto truth = trace(n);
    for (int round = 0; round < 20; ++round) {
      // The defender claims a wrong new_root and names random roots at the midpoints.
      std::vector<Hash32> lying;
      for (std::uint64_t k = 0; k <= n; ++k) lying.push_back((rng() & 1) != 0 ? truth[k] : root(k, 3));
      lying[0] = truth[0];
      lying[n] = root(n, 4);
      const BisectionGame g = play(lying, truth, truth);
      ASSERT_EQ(g.winner(), DisputeSide::challenger) << "n " << n;
      EXPECT_EQ(g.end(), GameEnd::step_differs);
      // It ends where the defender's named roots first leave the truth after an agreed one.
      EXPECT_EQ(g.agreed_root(), truth[g.lo()]);
      EXPECT_NE(g.disputed_root(), truth[g.hi()]);
    }
  }
}

TEST(BisectionGame, AStepThatDoesNotApplyLosesForTheDefender) {
  auto g = BisectionGame::open(1, root(0), root(1), kClock, kStart);
  ASSERT_TRUE(g);
  EXPECT_EQ(g->phase(), GamePhase::step);  // one position: straight to the step
  ASSERT_TRUE(g->step(kStart, std::nullopt));
  EXPECT_EQ(g->winner(), DisputeSide::challenger);
  EXPECT_EQ(g->end(), GameEnd::step_differs);
}

TEST(BisectionGame, MovesOutOfTurnOrPhaseAreRefusedAndChangeNothing) {
  auto g = BisectionGame::open(8, root(0), root(8), kClock, kStart);
  ASSERT_TRUE(g);
  EXPECT_EQ(g->to_move(), DisputeSide::defender);
  auto r = g->respond(kStart, true);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, GameErrorCode::wrong_phase);
  r = g->step(kStart, root(1));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, GameErrorCode::wrong_phase);
  EXPECT_EQ(g->moves(), 0u);
  ASSERT_TRUE(g->bisect(kStart + ChainDuration(5), root(4)));
  EXPECT_EQ(g->mid(), 4u);
  r = g->bisect(kStart + ChainDuration(6), root(4, 1));  // the defender again
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, GameErrorCode::wrong_phase);
  EXPECT_EQ(g->proposed_root(), root(4));
  r = g->respond(kStart + ChainDuration(4), true);  // before the last move
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, GameErrorCode::time_backward);
  EXPECT_EQ(g->phase(), GamePhase::respond);
  EXPECT_EQ(g->moves(), 1u);
}

TEST(BisectionGame, OpenRefusesAnEmptyTraceAndAZeroClock) {
  auto g = BisectionGame::open(0, root(0), root(1), kClock, kStart);
  ASSERT_FALSE(g);
  EXPECT_EQ(g.error().code, GameErrorCode::bad_range);
  g = BisectionGame::open(4, root(0), root(4), ChainDuration(0), kStart);
  ASSERT_FALSE(g);
  EXPECT_EQ(g.error().code, GameErrorCode::bad_range);
}

TEST(BisectionGame, EachSideSpendsOnlyItsOwnClock) {
  auto g = BisectionGame::open(16, root(0), root(16), kClock, kStart);
  ASSERT_TRUE(g);
  ChainTime now = kStart + ChainDuration(30);
  EXPECT_EQ(g->clock_left(DisputeSide::defender, now), ChainDuration(70));
  EXPECT_EQ(g->clock_left(DisputeSide::challenger, now), kClock);
  ASSERT_TRUE(g->bisect(now, root(8)));
  now = now + ChainDuration(50);
  EXPECT_EQ(g->clock_left(DisputeSide::defender, now), ChainDuration(70));
  EXPECT_EQ(g->clock_left(DisputeSide::challenger, now), ChainDuration(50));
  ASSERT_TRUE(g->respond(now, true));
  // The defender's 70 s left: a move at exactly 70 s is in time; the clock then is at 0.
  const ChainTime edge = now + ChainDuration(70);
  auto early = g->timeout(edge);
  ASSERT_FALSE(early);
  EXPECT_EQ(early.error().code, GameErrorCode::not_yet);
  ASSERT_TRUE(g->bisect(edge, root(12)));
  EXPECT_EQ(g->clock_left(DisputeSide::defender, edge), ChainDuration(0));
  EXPECT_EQ(g->clock_left(DisputeSide::challenger, edge), ChainDuration(50));
}

TEST(BisectionGame, ASideWhoseClockRunsOutLoses) {
  // The defender stops moving.
  auto g = BisectionGame::open(16, root(0), root(16), kClock, kStart);
  ASSERT_TRUE(g);
  const ChainTime late = kStart + kClock + ChainDuration(1);
  auto r = g->bisect(late, root(8));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, GameErrorCode::time_ran_out);
  EXPECT_EQ(g->phase(), GamePhase::bisect);  // a late move changes nothing
  ASSERT_TRUE(g->timeout(late));
  EXPECT_EQ(g->winner(), DisputeSide::challenger);
  EXPECT_EQ(g->end(), GameEnd::clock_ran_out);
  EXPECT_EQ(g->clock_left(DisputeSide::defender, late), ChainDuration(0));
  r = g->bisect(late, root(8));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, GameErrorCode::wrong_phase);  // decided
  EXPECT_FALSE(g->timeout(late));

  // The challenger stops answering.
  g = BisectionGame::open(16, root(0), root(16), kClock, kStart);
  ASSERT_TRUE(g);
  ASSERT_TRUE(g->bisect(kStart + ChainDuration(10), root(8)));
  EXPECT_FALSE(g->timeout(kStart + ChainDuration(10) + kClock));
  ASSERT_TRUE(g->timeout(kStart + ChainDuration(11) + kClock));
  EXPECT_EQ(g->winner(), DisputeSide::defender);
  EXPECT_EQ(g->end(), GameEnd::clock_ran_out);
}

// What the base chain stores between moves: every state a game passes through restores
// to a game that plays on exactly as the original; states no game reaches are refused.
TEST(BisectionGame, EveryStateRestoresAndPlaysOnTheSame) {
  const auto truth = trace(13);
  const auto lying = trace(13, 6);
  auto g = BisectionGame::open(13, truth[0], lying[13], kClock, kStart);
  ASSERT_TRUE(g);
  ChainTime now = kStart;
  while (g->phase() != GamePhase::decided) {
    auto copy = BisectionGame::restore(g->state());
    ASSERT_TRUE(copy) << copy.error().message;
    EXPECT_EQ(copy->state(), g->state());
    now = now + ChainDuration(1);
    for (BisectionGame* x : {&*g, &*copy}) {
      if (x->phase() == GamePhase::bisect)
        ASSERT_TRUE(x->bisect(now, lying[x->mid()]));
      else if (x->phase() == GamePhase::respond)
        ASSERT_TRUE(x->respond(now, *x->proposed_root() == truth[x->mid()]));
      else
        ASSERT_TRUE(x->step(now, truth[x->hi()]));
    }
    EXPECT_EQ(copy->state(), g->state());
  }
  EXPECT_EQ(g->winner(), DisputeSide::challenger);
  auto decided = BisectionGame::restore(g->state());
  ASSERT_TRUE(decided);
  EXPECT_EQ(decided->winner(), DisputeSide::challenger);

  const GameState ok = BisectionGame::open(8, truth[0], lying[8], kClock, kStart)->state();
  auto refused = [](GameState s) { return !BisectionGame::restore(s); };
  GameState s = ok;
  s.n = 0;
  EXPECT_TRUE(refused(s));
  s = ok;
  s.hi = 9;  // past n
  EXPECT_TRUE(refused(s));
  s = ok;
  s.lo = s.hi;  // an empty range
  EXPECT_TRUE(refused(s));
  s = ok;
  s.proposed = truth[4];  // a proposal outside respond
  EXPECT_TRUE(refused(s));
  s = ok;
  s.phase = GamePhase::respond;  // respond without a proposal
  EXPECT_TRUE(refused(s));
  s = ok;
  s.phase = GamePhase::step;  // a step over 8 positions
  EXPECT_TRUE(refused(s));
  s = ok;
  s.winner = DisputeSide::defender;  // a winner while open
  EXPECT_TRUE(refused(s));
  s = ok;
  s.phase = GamePhase::decided;  // decided without a winner
  EXPECT_TRUE(refused(s));
}

}  // namespace
}  // namespace l2::settlement
