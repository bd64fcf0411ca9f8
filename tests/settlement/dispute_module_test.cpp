// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// The base chain's dispute module (settlement/basechain/disputes.hpp) on a real
// BaseChain (in-memory or file SQLite, the standard modules, real signatures): batches
// are executed by the rollup's own state transition function over deposits queued
// through the bridge and committed with their bonds; games are played move by move with
// base txs, the one-step proof run by the chain over witnesses of the honest trace.
//   - a wrong root is overturned, with every commitment built on it; bonds are paid and
//     burned as documented; the honest batch is re-posted and finalizes;
//   - an honest commitment survives a challenger that disagrees with everything;
//   - a side that stops answering loses on its clock (both sides);
//   - a game holds finality, and a bond comes back only after finality;
//   - an empty batch that moves its root loses without a game;
//   - every refusal of the module, and a game that goes on after the chain reopens.
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rollup/executor.hpp"
#include "rollup/state.hpp"
#include "settlement/basechain/bridge.hpp"
#include "settlement/basechain/chain.hpp"
#include "settlement/basechain/commitments.hpp"
#include "settlement/basechain/disputes.hpp"
#include "settlement/basechain/standard_modules.hpp"
#include "settlement/dispute_game.hpp"
#include "settlement/one_step.hpp"
#include "settlement/payload.hpp"
#include "tests/unit/test_util.hpp"

namespace l2::settlement {
namespace {

using test::make_transfer;
using test::make_withdraw;
using test::test_key;

const ChainId kBase{31337};
const ChainId kRollup{9};
constexpr std::int64_t kStart = 1'700'000'000;
constexpr std::uint64_t kBond = 1000;
constexpr std::uint64_t kClock = 60;
constexpr std::uint64_t kWindow = 600;
constexpr std::uint64_t kFunds = 1'000'000;

// One batch as it was posted, with what the honest side knows about it.
struct Posted {
  Commitment commitment;
  BatchOrigin origin;
  std::vector<QueuedDeposit> deposits;
  rollup::State pre;  // the true state before it
};

class Disputes : public ::testing::Test {
 protected:
  void SetUp() override { open(":memory:"); }

  void open(const std::string& path) {
    ChainOptions o;
    o.path = path;
    o.chain_id = kBase;
    o.automine = true;
    o.synchronous_full = false;
    o.clock = [this] { return now_; };
    for (const SecretKey* k : {&seq_, &honest_, &liar_, &alice_, &bob_})
      o.genesis_alloc.push_back({k->public_key(), Amount(kFunds)});
    chain_.reset();
    auto c = BaseChain::open(o, standard_modules());
    ASSERT_TRUE(c) << c.error().message;
    chain_ = std::move(*c);
  }

  void register_rollup(DisputeTerms terms = {Amount(kBond), ChainDuration(kClock)}) {
    ASSERT_TRUE(ok(seq_, RegisterRollupBody{kRollup, op_.public_key(), test::root_of(state_),
                                            ChainDuration(kWindow), ChainDuration(600), terms}));
    last_root_ = test::root_of(state_);
  }

  Result<Submitted, ChainError> send(const SecretKey& k, BaseTxBody body) {
    auto a = chain_->account(k.public_key());
    EXPECT_TRUE(a);
    BaseTx tx{k.public_key(), a ? a->nonce : Nonce(0), std::move(body), {}};
    sign_base_tx(tx, kBase, k);
    return chain_->submit(encode_base_tx(tx));
  }
  ::testing::AssertionResult ok(const SecretKey& k, BaseTxBody body) {
    auto r = send(k, std::move(body));
    if (r) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure()
           << to_string(r.error().code) << " " << r.error().reason << ": " << r.error().message;
  }
  ::testing::AssertionResult refused(const SecretKey& k, BaseTxBody body, Refusal why) {
    auto before = chain_->stats();
    auto r = send(k, std::move(body));
    if (r) return ::testing::AssertionFailure() << "accepted";
    if (r.error().reason != why.name)
      return ::testing::AssertionFailure()
             << "refused with " << r.error().reason << ": " << r.error().message;
    auto after = chain_->stats();
    if (!before || !after || before->head.number != after->head.number)
      return ::testing::AssertionFailure() << "a refused tx sealed a block";
    return ::testing::AssertionSuccess() << r.error().message;
  }

  Amount balance(const SecretKey& k) { return chain_->account(k.public_key())->balance; }
  void advance(std::int64_t s) { now_ += s; }

  void deposit(const SecretKey& to, std::uint64_t amount) {
    ASSERT_TRUE(ok(alice_, DepositBody{kRollup, to.public_key(), Amount(amount)}));
  }

  // Executes and commits the next batch: every queued deposit not yet consumed, then
  // `user` (all of which must apply). `lie`: the new_root to post instead of the true one
  // (the true state still moves on: an honest challenger follows it).
  const Posted& commit(std::vector<rollup::Tx> user, std::optional<Hash32> lie = std::nullopt) {
    auto rollup = chain_->read([](const ChainView& v) { return bridge::find_rollup(v, kRollup); });
    EXPECT_TRUE(rollup && *rollup);
    Posted p{
        {},
        {deposits_done_, DepositPosition((*rollup)->deposit_count), ForcedPosition(0), ForcedPosition(0)},
        {},
        state_};
    auto entries = chain_->read(
        [&](const ChainView& v) { return bridge::list_deposits(v, kRollup, p.origin.deposits_from, 1000); });
    EXPECT_TRUE(entries);
    std::vector<rollup::Tx> txs;
    for (const auto& d : *entries) {
      p.deposits.push_back(QueuedDeposit{d.index, d.recipient, d.account, d.amount, d.timestamp});
      txs.emplace_back(rollup::Deposit{d.index, d.account, d.recipient, d.amount});
    }
    txs.insert(txs.end(), user.begin(), user.end());
    const rollup::ExecutionResult r = rollup::execute_sequential(state_, kRollup, txs);
    EXPECT_EQ(r.applied, txs.size());
    state_.apply(r.changes);
    CommitmentHeader& h = p.commitment.header;
    h.rollup_id = kRollup;
    h.batch = BatchNumber(posted_.size() + 1);
    h.prev_root = last_root_;
    h.new_root = lie.value_or(test::root_of(state_));
    h.applied_txs = static_cast<std::uint32_t>(user.size());
    p.commitment.payload = *make_payload(user);
    h.payload_hash = payload_hash(p.commitment.payload);
    h.deposits_upto = p.origin.deposits_upto;
    EXPECT_TRUE(ok(seq_, CommitBatchBody{p.commitment}));
    last_root_ = h.new_root;
    deposits_done_ = p.origin.deposits_upto;
    posted_.push_back(std::move(p));
    return posted_.back();
  }

  // The true trace of a posted batch (what an honest side computes).
  rollup::BatchTrace honest_trace(const Posted& p) {
    auto named = name_txs(p.commitment, p.origin, p.deposits, {});
    EXPECT_TRUE(named) << named.error();
    return derived_trace(*named, p.pre).trace;
  }

  std::optional<disputes::DisputeEntry> game(BatchNumber b, const SecretKey& challenger) {
    auto list = chain_->read([&](const ChainView& v) { return disputes::list_disputes(v, kRollup, b); });
    EXPECT_TRUE(list);
    std::optional<disputes::DisputeEntry> out;
    for (const auto& e : *list)
      if (e.challenger == challenger.public_key()) out = e;
    return out;
  }

  std::optional<commitments::CommitmentEntry> commitment(BatchNumber b) {
    auto e = chain_->read([&](const ChainView& v) {
      return commitments::find_commitment(v, commitments::CommitmentQuery{kRollup, b, false});
    });
    EXPECT_TRUE(e);
    return *e;
  }

  Amount burned() {
    return *chain_->read([](const ChainView& v) { return disputes::burned(v, kRollup); });
  }

  // Plays the open game of `challenger` on batch `b` to its end: the defender names
  // defender_root(position), the challenger agrees when agrees(position, root); the
  // step carries the honest trace's witness. Returns the number of moves.
  std::uint64_t play(BatchNumber b, const SecretKey& challenger, const rollup::BatchTrace& honest,
                     const std::function<Hash32(std::uint64_t)>& defender_root,
                     const std::function<bool(std::uint64_t, const Hash32&)>& agrees) {
    for (std::uint64_t moves = 0; moves < 100; ++moves) {
      auto g = game(b, challenger);
      if (!g) {
        ADD_FAILURE() << "no game";
        return moves;
      }
      if (g->status != disputes::DisputeStatus::open) return g->game.moves;
      advance(1);
      const std::uint64_t mid = g->game.lo + (g->game.hi - g->game.lo) / 2;
      switch (g->game.phase) {
        case GamePhase::bisect:
          EXPECT_TRUE(
              ok(seq_, DisputeBisectBody{kRollup, b, challenger.public_key(), mid, defender_root(mid)}));
          break;
        case GamePhase::respond:
          EXPECT_TRUE(ok(challenger, DisputeRespondBody{kRollup, b, mid, agrees(mid, *g->game.proposed)}));
          break;
        case GamePhase::step:
          EXPECT_TRUE(ok(seq_, DisputeStepBody{kRollup, b, challenger.public_key(),
                                               honest.steps[g->game.hi - 1].witness}));
          break;
        case GamePhase::decided:
          ADD_FAILURE() << "an open game in phase decided";
          return moves;
      }
    }
    ADD_FAILURE() << "the game did not end";
    return 0;
  }

  // The roots an honest side names and agrees with.
  static std::function<Hash32(std::uint64_t)> true_roots(const rollup::BatchTrace& t) {
    return [&t](std::uint64_t k) { return k == 0 ? t.pre_root : t.steps[k - 1].post_root; };
  }

  // Batch 1: alice and bob deposited, a few transfers. Accounts: 1 alice, 2 bob.
  const Posted& honest_batch_one() {
    deposit(alice_, 50'000);
    deposit(bob_, 20'000);
    return commit({make_transfer(kRollup, alice_, 1, 2, 100, 1, 0),
                   make_transfer(kRollup, bob_, 2, 1, 7, 1, 0),
                   make_transfer(kRollup, alice_, 1, 2, 5, 1, 1)});
  }
  // A batch of `n` transfers between alice and bob (their nonces follow on).
  std::vector<rollup::Tx> transfers(std::size_t n) {
    std::vector<rollup::Tx> out;
    for (std::size_t i = 0; i < n; ++i) {
      const bool from_alice = i % 2 == 0;
      out.push_back(from_alice ? make_transfer(kRollup, alice_, 1, 2, 3, 1, alice_nonce_++)
                               : make_transfer(kRollup, bob_, 2, 1, 2, 1, bob_nonce_++));
    }
    return out;
  }

  std::int64_t now_ = kStart;
  SecretKey seq_ = test_key(90);
  SecretKey op_ = test_key(91);
  SecretKey honest_ = test_key(92);
  SecretKey liar_ = test_key(93);
  SecretKey alice_ = test_key(94);
  SecretKey bob_ = test_key(95);
  std::unique_ptr<BaseChain> chain_;
  rollup::State state_{test_key(91).public_key()};
  Hash32 last_root_;
  DepositPosition deposits_done_;
  std::vector<Posted> posted_;
  std::uint64_t alice_nonce_ = 2;
  std::uint64_t bob_nonce_ = 1;
};

TEST_F(Disputes, AWrongRootIsOverturnedWithEveryCommitmentBuiltOnIt) {
  register_rollup();
  honest_batch_one();
  // Batch 2: 13 transfers; the sequencer's trace leaves the true one at position 6 (it
  // credited itself in the sixth tx) and posts a root no honest execution reaches.
  constexpr std::size_t kLieAt = 6;
  Hash32 lie;
  lie.array().fill(0x66);
  const Posted two = commit(transfers(13), lie);
  commit(transfers(2));  // batch 3, built on the lie
  EXPECT_EQ(balance(seq_), Amount(kFunds - 3 * kBond));

  const rollup::BatchTrace truth = honest_trace(two);
  ASSERT_EQ(truth.steps.size(), 13u);
  ASSERT_NE(truth.post_root, lie);
  advance(5);
  ASSERT_TRUE(ok(honest_, ChallengeBatchBody{kRollup, BatchNumber(2)}));
  EXPECT_EQ(balance(honest_), Amount(kFunds - kBond));
  auto liar_roots = [&](std::uint64_t k) {
    if (k < kLieAt) return true_roots(truth)(k);
    Hash32 h;
    h.array().fill(static_cast<std::uint8_t>(k));
    return h;
  };
  const std::uint64_t moves =
      play(BatchNumber(2), honest_, truth, liar_roots,
           [&](std::uint64_t k, const Hash32& root) { return root == true_roots(truth)(k); });
  EXPECT_LE(moves, BisectionGame::max_moves(13));

  auto g = game(BatchNumber(2), honest_);
  ASSERT_TRUE(g);
  EXPECT_EQ(g->status, disputes::DisputeStatus::challenger_won);
  EXPECT_EQ(g->end, "step_differs");
  EXPECT_EQ(g->game.lo, kLieAt - 1);  // the range closed on the first wrong position
  EXPECT_EQ(g->game.hi, kLieAt);
  // Batches 2 and 3 are gone; batch 1 stands.
  EXPECT_FALSE(commitment(BatchNumber(2)));
  EXPECT_FALSE(commitment(BatchNumber(3)));
  EXPECT_TRUE(commitment(BatchNumber(1)));
  // The challenger: its bond back and half of batch 2's; the other half burned; batch
  // 3's bond back to the sequencer; batch 1's still held.
  EXPECT_EQ(balance(honest_), Amount(kFunds + kBond / 2));
  EXPECT_EQ(burned(), Amount(kBond - kBond / 2));
  EXPECT_EQ(balance(seq_), Amount(kFunds - 2 * kBond));

  // The honest batch 2 is posted again on batch 1's root and becomes final.
  posted_.erase(posted_.begin() + 1, posted_.end());
  last_root_ = posted_[0].commitment.header.new_root;
  state_ = two.pre;
  deposits_done_ = two.origin.deposits_from;
  alice_nonce_ = 2;
  bob_nonce_ = 1;
  const Posted again = commit(transfers(13));
  EXPECT_EQ(again.commitment.header.new_root, truth.post_root);
  advance(static_cast<std::int64_t>(kWindow) + 1);
  ASSERT_TRUE(chain_->seal_block());
  auto c2 = commitment(BatchNumber(2));
  ASSERT_TRUE(c2);
  EXPECT_TRUE(c2->is_final);
  EXPECT_EQ(c2->commitment.header.new_root, truth.post_root);
  ASSERT_TRUE(ok(alice_, ClaimBondBody{kRollup, BatchNumber(2)}));
  ASSERT_TRUE(ok(alice_, ClaimBondBody{kRollup, BatchNumber(1)}));
  EXPECT_EQ(balance(seq_), Amount(kFunds - kBond));  // batch 2's first bond is gone
  EXPECT_TRUE(refused(alice_, ClaimBondBody{kRollup, BatchNumber(1)}, disputes::kNoBond));
}

TEST_F(Disputes, AnHonestCommitmentSurvivesAChallengerThatDisagreesWithEverything) {
  register_rollup();
  honest_batch_one();
  const Posted two = commit(transfers(10));
  const rollup::BatchTrace truth = honest_trace(two);
  advance(5);
  ASSERT_TRUE(ok(liar_, ChallengeBatchBody{kRollup, BatchNumber(2)}));
  const std::uint64_t moves = play(BatchNumber(2), liar_, truth, true_roots(truth),
                                   [](std::uint64_t, const Hash32&) { return false; });
  EXPECT_LE(moves, BisectionGame::max_moves(10));
  auto g = game(BatchNumber(2), liar_);
  ASSERT_TRUE(g);
  EXPECT_EQ(g->status, disputes::DisputeStatus::defender_won);
  EXPECT_EQ(g->end, "step_matches");
  EXPECT_EQ(g->game.lo, 0u);  // it disagreed with every root, down to the first tx
  ASSERT_TRUE(commitment(BatchNumber(2)));
  // The liar's bond: half to the sequencer, half burned.
  EXPECT_EQ(balance(liar_), Amount(kFunds - kBond));
  EXPECT_EQ(balance(seq_), Amount(kFunds - 2 * kBond + kBond / 2));
  EXPECT_EQ(burned(), Amount(kBond - kBond / 2));
  advance(static_cast<std::int64_t>(kWindow));
  ASSERT_TRUE(chain_->seal_block());
  EXPECT_TRUE(commitment(BatchNumber(2))->is_final);
}

TEST_F(Disputes, ADefenderThatStopsAnsweringLosesOnItsClock) {
  register_rollup();
  honest_batch_one();
  commit(transfers(4));
  ASSERT_TRUE(ok(honest_, ChallengeBatchBody{kRollup, BatchNumber(2)}));
  advance(static_cast<std::int64_t>(kClock));  // exactly its clock: still in time
  EXPECT_TRUE(refused(bob_, DisputeTimeoutBody{kRollup, BatchNumber(2), honest_.public_key()},
                      disputes::kClockRunning));
  advance(1);
  const Hash32 any;
  EXPECT_TRUE(refused(seq_, DisputeBisectBody{kRollup, BatchNumber(2), honest_.public_key(), 2, any},
                      disputes::kClockRanOut));
  ASSERT_TRUE(ok(bob_, DisputeTimeoutBody{kRollup, BatchNumber(2), honest_.public_key()}));  // anyone
  auto g = game(BatchNumber(2), honest_);
  EXPECT_EQ(g->status, disputes::DisputeStatus::challenger_won);
  EXPECT_EQ(g->end, "clock_ran_out");
  EXPECT_FALSE(commitment(BatchNumber(2)));
  EXPECT_EQ(balance(honest_), Amount(kFunds + kBond / 2));
}

TEST_F(Disputes, AChallengerThatStopsAnsweringLosesOnItsClock) {
  register_rollup();
  honest_batch_one();
  const Posted two = commit(transfers(4));
  const rollup::BatchTrace truth = honest_trace(two);
  ASSERT_TRUE(ok(liar_, ChallengeBatchBody{kRollup, BatchNumber(2)}));
  advance(10);
  ASSERT_TRUE(
      ok(seq_, DisputeBisectBody{kRollup, BatchNumber(2), liar_.public_key(), 2, true_roots(truth)(2)}));
  advance(static_cast<std::int64_t>(kClock) + 1);
  ASSERT_TRUE(ok(seq_, DisputeTimeoutBody{kRollup, BatchNumber(2), liar_.public_key()}));
  auto g = game(BatchNumber(2), liar_);
  EXPECT_EQ(g->status, disputes::DisputeStatus::defender_won);
  EXPECT_EQ(g->end, "clock_ran_out");
  EXPECT_EQ(g->game.defender_clock, ChainDuration(kClock - 10));  // the defender spent 10 s
  EXPECT_TRUE(commitment(BatchNumber(2)));
}

TEST_F(Disputes, AnOpenGameHoldsFinalityAndABondComesBackOnlyAfterIt) {
  register_rollup();
  honest_batch_one();
  const Posted two = commit(transfers(3));
  commit(transfers(1));
  const rollup::BatchTrace truth = honest_trace(two);
  EXPECT_TRUE(refused(alice_, ClaimBondBody{kRollup, BatchNumber(1)}, disputes::kBondLocked));
  advance(static_cast<std::int64_t>(kWindow) - 10);
  ASSERT_TRUE(ok(liar_, ChallengeBatchBody{kRollup, BatchNumber(2)}));
  advance(20);  // every window has passed, but batch 2 is held, and batch 3 with it
  ASSERT_TRUE(chain_->seal_block());
  EXPECT_TRUE(commitment(BatchNumber(1))->is_final);
  EXPECT_FALSE(commitment(BatchNumber(2))->is_final);
  EXPECT_FALSE(commitment(BatchNumber(3))->is_final);
  EXPECT_TRUE(refused(alice_, ClaimBondBody{kRollup, BatchNumber(2)}, disputes::kBondLocked));
  ASSERT_TRUE(ok(alice_, ClaimBondBody{kRollup, BatchNumber(1)}));
  // A second challenger may still come in while the batch is held.
  ASSERT_TRUE(ok(honest_, ChallengeBatchBody{kRollup, BatchNumber(3)}));
  play(BatchNumber(2), liar_, truth, true_roots(truth), [](std::uint64_t, const Hash32&) { return false; });
  EXPECT_FALSE(commitment(BatchNumber(3))->is_final);  // held by the other game
  EXPECT_TRUE(commitment(BatchNumber(2))->is_final);
  ASSERT_TRUE(ok(alice_, ClaimBondBody{kRollup, BatchNumber(2)}));
  EXPECT_EQ(balance(seq_), Amount(kFunds - kBond + kBond / 2));  // batch 3's still held
}

TEST_F(Disputes, AnEmptyBatchThatMovesItsRootLosesWithoutAGame) {
  register_rollup();
  honest_batch_one();
  commit({});  // batch 2: nothing, keeps its root
  EXPECT_TRUE(refused(honest_, ChallengeBatchBody{kRollup, BatchNumber(2)}, disputes::kNothingToDispute));
  Hash32 moved;
  moved.array().fill(0x77);
  commit({}, moved);  // batch 3: nothing, but another root
  ASSERT_TRUE(ok(honest_, ChallengeBatchBody{kRollup, BatchNumber(3)}));
  auto g = game(BatchNumber(3), honest_);
  ASSERT_TRUE(g);
  EXPECT_EQ(g->status, disputes::DisputeStatus::challenger_won);
  EXPECT_EQ(g->end, "empty_batch");
  EXPECT_FALSE(commitment(BatchNumber(3)));
  EXPECT_TRUE(commitment(BatchNumber(2)));
}

TEST_F(Disputes, EveryRuleRefusesAndChangesNothing) {
  register_rollup();
  honest_batch_one();
  const Posted two = commit(transfers(8));
  const rollup::BatchTrace truth = honest_trace(two);
  const PublicKey h = honest_.public_key();
  EXPECT_TRUE(refused(seq_, ChallengeBatchBody{kRollup, BatchNumber(2)}, disputes::kSelfChallenge));
  EXPECT_TRUE(refused(honest_, ChallengeBatchBody{kRollup, BatchNumber(3)}, disputes::kNoSuchBatch));
  EXPECT_TRUE(refused(honest_, ChallengeBatchBody{ChainId(5), BatchNumber(1)}, registry::kUnknownRollup));
  EXPECT_TRUE(
      refused(seq_, DisputeBisectBody{kRollup, BatchNumber(2), h, 4, truth.pre_root}, disputes::kNoDispute));
  ASSERT_TRUE(ok(honest_, ChallengeBatchBody{kRollup, BatchNumber(2)}));
  EXPECT_TRUE(refused(honest_, ChallengeBatchBody{kRollup, BatchNumber(2)}, disputes::kAlreadyChallenged));
  // Out of turn, the wrong phase, the wrong position, the wrong key.
  EXPECT_TRUE(refused(honest_, DisputeRespondBody{kRollup, BatchNumber(2), 4, true}, disputes::kWrongMove));
  EXPECT_TRUE(refused(honest_, DisputeBisectBody{kRollup, BatchNumber(2), h, 4, truth.pre_root},
                      disputes::kNotYourMove));
  EXPECT_TRUE(refused(seq_, DisputeBisectBody{kRollup, BatchNumber(2), h, 3, truth.pre_root},
                      disputes::kWrongPosition));
  EXPECT_TRUE(refused(seq_, DisputeStepBody{kRollup, BatchNumber(2), h, truth.steps[0].witness},
                      disputes::kWrongMove));
  auto before = game(BatchNumber(2), honest_);
  ASSERT_TRUE(ok(seq_, DisputeBisectBody{kRollup, BatchNumber(2), h, 4, true_roots(truth)(4)}));
  EXPECT_TRUE(
      refused(honest_, DisputeRespondBody{kRollup, BatchNumber(2), 5, true}, disputes::kWrongPosition));
  EXPECT_TRUE(refused(bob_, DisputeRespondBody{kRollup, BatchNumber(2), 4, true}, disputes::kNoDispute));
  auto after = game(BatchNumber(2), honest_);
  EXPECT_EQ(after->game.moves, before->game.moves + 1);  // only the accepted bisection counted
  // A challenger that cannot pay the bond.
  const SecretKey poor = test_key(99);
  ASSERT_TRUE(ok(alice_, TransferBody{poor.public_key(), Amount(kBond - 1)}));
  auto r = send(poor, ChallengeBatchBody{kRollup, BatchNumber(2)});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ChainErrorCode::insufficient_funds);
  // After the window, a batch nobody challenged is final and can no longer be.
  advance(static_cast<std::int64_t>(kWindow) + 1);
  ASSERT_TRUE(chain_->seal_block());
  EXPECT_TRUE(refused(liar_, ChallengeBatchBody{kRollup, BatchNumber(1)}, disputes::kAlreadyFinal));
}

TEST_F(Disputes, AGameGoesOnAfterTheChainReopens) {
  test::TempDir dir;
  const std::string path = dir.file("chain.db");
  open(path);
  register_rollup();
  honest_batch_one();
  const Posted two = commit(transfers(6), Hash32{});  // a wrong root
  const rollup::BatchTrace truth = honest_trace(two);
  ASSERT_TRUE(ok(honest_, ChallengeBatchBody{kRollup, BatchNumber(2)}));
  ASSERT_TRUE(ok(seq_, DisputeBisectBody{kRollup, BatchNumber(2), honest_.public_key(), 3, Hash32{}}));
  const auto before = game(BatchNumber(2), honest_);
  open(path);
  const auto after = game(BatchNumber(2), honest_);
  ASSERT_TRUE(before && after);
  EXPECT_EQ(after->game, before->game);
  const Hash32 wrong{};
  play(
      BatchNumber(2), honest_, truth, [&](std::uint64_t) { return wrong; },
      [&](std::uint64_t k, const Hash32& root) { return root == true_roots(truth)(k); });
  EXPECT_EQ(game(BatchNumber(2), honest_)->status, disputes::DisputeStatus::challenger_won);
  EXPECT_FALSE(commitment(BatchNumber(2)));
  chain_.reset();  // before the directory goes
}

}  // namespace
}  // namespace l2::settlement
