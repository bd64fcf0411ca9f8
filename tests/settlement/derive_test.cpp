// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// Derivation: a sequencer (a real rollup::Engine) executes batches with deposits,
// forced txs (one applied, some rejected), transfers and withdrawals, and commits them
// with make_commitment into an in-memory base chain (MemorySource); a Deriver must
// re-derive every root. Then each kind of wrong commitment must be reported at its
// batch with the expected and the posted value: a flipped payload byte, a wrong new
// root behind a consistent payload, a payload tx that is not applicable, a wrong
// prev_root, a batch-number gap, a wrong applied count, queue ranges past the queues,
// a wrong genesis root.
#include <gtest/gtest.h>

#include <filesystem>
#include <vector>

#include "rollup/engine.hpp"
#include "rollup/state_store.hpp"
#include "settlement/commitment.hpp"
#include "settlement/derive.hpp"
#include "settlement/one_step.hpp"
#include "settlement/payload.hpp"
#include "tests/unit/test_util.hpp"

namespace l2::settlement {
namespace {

using test::make_transfer;
using test::make_withdraw;
using test::test_key;

const ChainId kRollup{77};

// The sequencer's side: an engine, and a base chain (MemorySource) it commits to.
class Sequencer {
 public:
  Sequencer() : op_(test_key(50)) {
    rollup::EngineOptions eo;
    eo.store.path = ":memory:";
    eo.store.synchronous_full = false;
    eo.store.chain_id = kRollup;
    eo.store.operator_key = op_.public_key();
    eo.threads = 2;
    auto engine = rollup::Engine::open(eo);
    EXPECT_TRUE(engine) << engine.error().message;
    engine_ = std::move(*engine);
    RollupInfo info;
    info.rollup_id = kRollup;
    info.sequencer = op_.public_key();
    info.operator_key = op_.public_key();
    info.genesis_root = engine_->state_root();
    info.last_root = info.genesis_root;
    base_ = std::make_unique<MemorySource>(info);
  }

  // Executes the next batch: every queued deposit and forced tx not consumed yet, then
  // `user_txs`; commits it to the base chain. Returns the receipts.
  std::vector<rollup::Receipt> batch(std::vector<rollup::Tx> user_txs) {
    const RollupInfo& info = base_->info();
    BatchOrigin origin{deposits_done_, info.deposits_end(), forced_done_, info.forced_end()};
    std::vector<rollup::Tx> txs;
    auto deposits = base_->deposits(origin.deposits_from, 1u << 20);
    auto forced = base_->forced(origin.forced_from, 1u << 20);
    for (const auto& d : *deposits)
      txs.emplace_back(rollup::Deposit{d.index, d.account, d.recipient, d.amount});
    for (const auto& f : *forced) txs.push_back(f.tx);
    for (auto& tx : user_txs) txs.push_back(std::move(tx));
    auto done = engine_->submit(rollup::BatchInput{txs, {}, 0}).get();
    EXPECT_TRUE(done) << done.error().message;
    auto c = make_commitment(CommittedBatchView{kRollup, done->header, txs, done->receipts, origin, {}});
    EXPECT_TRUE(c) << c.error();
    base_->add_commitment(*c);
    roots_.push_back(done->header.state_root);
    deposits_done_ = origin.deposits_upto;
    forced_done_ = origin.forced_upto;
    return done->receipts;
  }

  MemorySource& base() { return *base_; }
  rollup::Engine& engine() { return *engine_; }
  [[nodiscard]] const std::vector<Hash32>& roots() const { return roots_; }  // roots_[n - 1]: batch n

 private:
  SecretKey op_;
  std::unique_ptr<rollup::Engine> engine_;
  std::unique_ptr<MemorySource> base_;
  DepositPosition deposits_done_;
  ForcedPosition forced_done_;
  std::vector<Hash32> roots_;
};

class Derive : public ::testing::Test {
 protected:
  // Four batches. Accounts: 1 alice, 2 bob, 3 carol, 4 dave.
  void build() {
    using rollup::TxStatus;
    auto& base = seq_.base();
    // Batch 1: three deposits, transfers among them.
    base.add_deposit(alice_.public_key(), Amount(1'000'000));
    base.add_deposit(bob_.public_key(), Amount(500'000));
    base.add_deposit(carol_.public_key(), Amount(10));
    auto r1 = seq_.batch({
        make_transfer(kRollup, alice_, 1, 2, 1000, 5, 0),
        make_transfer(kRollup, bob_, 2, 3, 700, 1, 0),
        make_transfer(kRollup, alice_, 1, 3, 1, 1, 1),
    });
    for (std::size_t i = 0; i < r1.size(); ++i) EXPECT_EQ(r1[i].status, TxStatus::applied) << i;

    // Batch 2: alice's forced withdrawal applies (nonce 2), bob's forced transfer has a
    // bad nonce; alice then goes on at nonce 3, carol's overdraft is rejected (not posted).
    base.add_forced(make_withdraw(kRollup, alice_, 1, 5000, 2, 2));
    base.add_forced(make_transfer(kRollup, bob_, 2, 1, 10, 1, 7));
    auto r2 = seq_.batch({
        make_transfer(kRollup, alice_, 1, 2, 300, 1, 3),
        make_transfer(kRollup, carol_, 3, 1, 1'000'000, 1, 0),  // insufficient balance
        make_withdraw(kRollup, bob_, 2, 100, 1, 1),
        make_transfer(kRollup, carol_, 3, 2, 5, 1, 0),
    });
    ASSERT_EQ(r2.size(), 6u);
    EXPECT_EQ(r2[0].status, TxStatus::applied);
    EXPECT_EQ(r2[1].status, TxStatus::bad_nonce);
    EXPECT_EQ(r2[2].status, TxStatus::applied);
    EXPECT_EQ(r2[3].status, TxStatus::insufficient_balance);
    EXPECT_EQ(r2[4].status, TxStatus::applied);
    EXPECT_EQ(r2[5].status, TxStatus::applied);

    // Batch 3: a new account by deposit, a forced transfer with a broken signature
    // (rejected: bob's nonce stays 2), and user txs, some from the new account.
    base.add_deposit(dave_.public_key(), Amount(40'000));
    rollup::Tx broken = make_transfer(kRollup, bob_, 2, 4, 10, 1, 2);
    std::get<rollup::Transfer>(broken).signature.array()[5] ^= 0x40;
    base.add_forced(broken);
    auto r3 = seq_.batch({
        make_transfer(kRollup, dave_, 4, 1, 100, 2, 0),
        make_transfer(kRollup, bob_, 2, 4, 50, 1, 2),
        make_withdraw(kRollup, dave_, 4, 1000, 0, 1),
        make_transfer(kRollup, alice_, 1, 4, 7, 1, 4),
    });
    ASSERT_EQ(r3.size(), 6u);
    EXPECT_EQ(r3[1].status, TxStatus::bad_signature);
    for (std::size_t i : {0u, 2u, 3u, 4u, 5u}) EXPECT_EQ(r3[i].status, TxStatus::applied) << i;

    // Batch 4: empty.
    EXPECT_TRUE(seq_.batch({}).empty());
  }

  std::unique_ptr<Deriver> deriver(const DeriveOptions& options = {}) {
    auto d = Deriver::create(seq_.base(), options);
    EXPECT_TRUE(d) << d.error().message;
    return d ? std::move(*d) : nullptr;
  }

  // Runs a fresh deriver over the base chain; expects exactly one mismatch.
  Mismatch expect_mismatch() {
    auto d = deriver();
    auto r = d->run({});
    EXPECT_TRUE(r) << r.error().message;
    if (!r || !*r) {
      ADD_FAILURE() << "no mismatch reported";
      return {};
    }
    return **r;
  }

  // Replaces batch n's payload with `txs`, with a matching hash and count.
  void repost(std::uint64_t n, const std::vector<rollup::Tx>& txs) {
    Commitment& c = seq_.base().commitment_at(BatchNumber(n));
    c.payload = *make_payload(txs);
    c.header.payload_hash = payload_hash(c.payload);
    c.header.applied_txs = static_cast<std::uint32_t>(txs.size());
  }

  SecretKey alice_ = test_key(1);
  SecretKey bob_ = test_key(2);
  SecretKey carol_ = test_key(3);
  SecretKey dave_ = test_key(4);
  Sequencer seq_;
};

TEST_F(Derive, RederivesEveryRoot) {
  build();
  auto d = deriver();
  std::vector<Hash32> roots;
  std::vector<std::uint64_t> txs;
  Deriver::RunOptions run;
  run.progress = [&](const rollup::BatchHeader& h, const DeriveStats& s) {
    EXPECT_EQ(h.number.value(), roots.size() + 1);
    roots.push_back(h.state_root);
    txs.push_back(s.txs);
  };
  auto r = d->run(run);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_FALSE(*r) << describe(**r);
  EXPECT_EQ(roots, seq_.roots());
  // Batch 2 re-executes 5 txs, not the sequencer's 6: the rejected user tx was not posted.
  EXPECT_EQ(txs, (std::vector<std::uint64_t>{6, 11, 17, 17}));
  EXPECT_EQ(d->head(), BatchNumber(4));
  EXPECT_EQ(d->verified(), BatchNumber(4));
  EXPECT_EQ(d->state_root(), seq_.engine().state_root());
  EXPECT_TRUE(test::same_state(d->state(), seq_.engine().state()));
  EXPECT_EQ(d->deposits_upto(), DepositPosition(4));
  EXPECT_EQ(d->forced_upto(), ForcedPosition(3));
  const DeriveStats& s = d->stats();
  EXPECT_EQ(s.batches, 4u);
  EXPECT_EQ(s.txs, 17u);
  EXPECT_EQ(s.payload_txs, 3u + 3u + 4u);
  EXPECT_GT(s.derive_seconds, 0.0);
  EXPECT_GT(s.txs_per_second(), 0.0);
  // Nothing more to do.
  auto again = d->run({});
  ASSERT_TRUE(again);
  EXPECT_FALSE(*again);
}

TEST_F(Derive, ResumesAsTheChainGrowsAndCountsFromABatch) {
  build();
  auto d = deriver();
  Deriver::RunOptions upto2;
  upto2.upto = BatchNumber(2);
  upto2.count_from = BatchNumber(2);
  auto r = d->run(upto2);
  ASSERT_TRUE(r && !*r);
  EXPECT_EQ(d->head(), BatchNumber(2));
  EXPECT_EQ(d->stats().batches, 1u);  // batch 1 replayed, not counted
  EXPECT_EQ(d->stats().txs, 5u);
  seq_.base().add_deposit(test_key(9).public_key(), Amount(5));
  seq_.batch({make_transfer(kRollup, alice_, 1, 2, 1, 1, 5)});
  r = d->run({});
  ASSERT_TRUE(r);
  ASSERT_FALSE(*r) << describe(**r);
  EXPECT_EQ(d->head(), BatchNumber(5));
  EXPECT_EQ(d->state_root(), seq_.engine().state_root());
}

TEST_F(Derive, ResumesAnotherEnginesDatabaseFromItsHead) {
  // What a sequencer behind the base chain does at start: its own database holds batches
  // 1..2 (derived here into a file), and a deriver resumed over it adds 3..4, each with
  // its origin record, as the sequencer would have stored them.
  build();
  test::TempDir dir;
  const std::string path = (dir.path() / "rollup.db").string();
  {
    DeriveOptions o;
    o.store_path = path;
    auto first = deriver(o);
    Deriver::RunOptions upto2;
    upto2.upto = BatchNumber(2);
    auto r = first->run(upto2);
    ASSERT_TRUE(r && !*r);
  }
  rollup::EngineOptions eo;
  eo.store.path = path;
  eo.store.chain_id = kRollup;
  eo.store.operator_key = seq_.base().info().operator_key;
  eo.threads = 2;
  auto stored_origin = [&](std::uint64_t n) {
    auto store = rollup::StateStore::open(eo.store);
    EXPECT_TRUE(store);
    auto b = (*store)->batch(BatchNumber(n));
    EXPECT_TRUE(b && *b);
    auto o = decode_origin((**b).origin);
    EXPECT_TRUE(o) << "batch " << n << " has no origin record";
    return o ? *o : BatchOrigin{};
  };
  const BatchOrigin at2 = stored_origin(2);
  EXPECT_EQ(at2.deposits_upto, DepositPosition(3));
  EXPECT_EQ(at2.forced_upto, ForcedPosition(2));
  {
    // Queue positions that are not the head's: batch 3 re-applies the first deposits.
    auto engine = rollup::Engine::open(eo);
    ASSERT_TRUE(engine) << engine.error().message;
    auto wrong = Deriver::resume(seq_.base(), **engine, DepositPosition(0), at2.forced_upto);
    ASSERT_TRUE(wrong);
    auto m = (*wrong)->run({});
    ASSERT_TRUE(m) << m.error().message;
    ASSERT_TRUE(*m) << "no mismatch";
    EXPECT_EQ((*m)->batch, BatchNumber(3));
    EXPECT_EQ((*m)->kind, MismatchKind::state_root) << describe(**m);
  }
  // The wrong batch 3 was committed by that engine: a sequencer's catch-up stops there,
  // refusing to start. Start again from a database at batch 2.
  std::filesystem::remove(path);
  std::filesystem::remove(path + "-wal");
  std::filesystem::remove(path + "-shm");
  {
    DeriveOptions o;
    o.store_path = path;
    Deriver::RunOptions upto2;
    upto2.upto = BatchNumber(2);
    auto r = deriver(o)->run(upto2);
    ASSERT_TRUE(r && !*r);
  }
  auto engine = rollup::Engine::open(eo);
  ASSERT_TRUE(engine) << engine.error().message;
  auto d = Deriver::resume(seq_.base(), **engine, at2.deposits_upto, at2.forced_upto);
  ASSERT_TRUE(d);
  EXPECT_EQ((*d)->verified(), BatchNumber(2));
  auto r = (*d)->run({});
  ASSERT_TRUE(r);
  ASSERT_FALSE(*r) << describe(**r);
  EXPECT_EQ((*engine)->head().number, BatchNumber(4));
  EXPECT_EQ((*engine)->state_root(), seq_.engine().state_root());
  EXPECT_TRUE(test::same_state((*engine)->state(), seq_.engine().state()));
  engine->reset();
  const BatchOrigin at4 = stored_origin(4);
  EXPECT_EQ(at4, (BatchOrigin{DepositPosition(4), DepositPosition(4), ForcedPosition(3), ForcedPosition(3)}));
  const BatchOrigin at3 = stored_origin(3);
  EXPECT_EQ(at3, (BatchOrigin{DepositPosition(3), DepositPosition(4), ForcedPosition(2), ForcedPosition(3)}));
}

TEST_F(Derive, DeriveOneCommitmentAtATime) {
  build();
  auto d = deriver();
  for (std::uint64_t n = 1; n <= 4; ++n) {
    auto rec = seq_.base().commitment(BatchNumber(n), true);
    ASSERT_TRUE(rec && *rec);
    auto m = d->derive((*rec)->commitment);
    ASSERT_TRUE(m);
    ASSERT_FALSE(*m) << describe(**m);
    EXPECT_EQ(d->state_root(), seq_.roots()[n - 1]);
  }
}

TEST_F(Derive, FlippedPayloadByteIsAPayloadHashMismatch) {
  build();
  Commitment& c = seq_.base().commitment_at(BatchNumber(2));
  c.payload[c.payload.size() / 2] ^= 0x01;
  const Mismatch m = expect_mismatch();
  EXPECT_EQ(m.batch, BatchNumber(2));
  EXPECT_EQ(m.kind, MismatchKind::payload_hash);
  EXPECT_EQ(m.expected, payload_hash(c.payload).hex());
  EXPECT_EQ(m.got, c.header.payload_hash.hex());
  EXPECT_NE(describe(m).find("batch 2: payload_hash mismatch"), std::string::npos) << describe(m);
}

TEST_F(Derive, WrongNewRootIsFoundByReexecution) {
  build();
  Commitment& c = seq_.base().commitment_at(BatchNumber(3));
  Hash32 wrong = c.header.new_root;
  wrong.array()[0] ^= 0xff;
  c.header.new_root = wrong;  // the payload and its hash stay consistent
  const Mismatch m = expect_mismatch();
  EXPECT_EQ(m.batch, BatchNumber(3));
  EXPECT_EQ(m.kind, MismatchKind::state_root);
  EXPECT_EQ(m.expected, seq_.roots()[2].hex());
  EXPECT_EQ(m.got, wrong.hex());
  auto d = deriver();
  ASSERT_TRUE(d->run({}));
  EXPECT_EQ(d->verified(), BatchNumber(2));
}

TEST_F(Derive, InapplicablePayloadTxIsReported) {
  build();
  // Batch 2's payload plus a correctly signed overdraft by carol (her next nonce is 1).
  auto payload = open_payload(seq_.base().commitment_at(BatchNumber(2)).payload);
  ASSERT_TRUE(payload);
  ASSERT_EQ(payload->size(), 3u);
  payload->push_back(make_transfer(kRollup, carol_, 3, 1, 1'000'000, 1, 1));
  repost(2, *payload);
  const Mismatch m = expect_mismatch();
  EXPECT_EQ(m.batch, BatchNumber(2));
  EXPECT_EQ(m.kind, MismatchKind::tx_not_applied);
  EXPECT_EQ(m.expected, "applied");
  EXPECT_EQ(m.got, "insufficient_balance");
  EXPECT_EQ(m.detail, "payload tx 3 not applicable: insufficient_balance");
}

TEST_F(Derive, RejectedTxSmuggledIntoThePayloadIsReported) {
  build();
  // Posting bob's rejected forced transfer's twin as a user tx: its nonce is restored
  // to bob's real nonce, so the signature (made for nonce 7) fails.
  auto payload = open_payload(seq_.base().commitment_at(BatchNumber(2)).payload);
  ASSERT_TRUE(payload);
  payload->insert(payload->begin(), make_transfer(kRollup, bob_, 2, 1, 10, 1, 7));
  repost(2, *payload);
  const Mismatch m = expect_mismatch();
  EXPECT_EQ(m.batch, BatchNumber(2));
  EXPECT_EQ(m.kind, MismatchKind::tx_not_applied);
  EXPECT_EQ(m.detail, "payload tx 0 not applicable: bad_signature");
}

TEST_F(Derive, WrongPrevRootIsReported) {
  build();
  Commitment& c = seq_.base().commitment_at(BatchNumber(3));
  c.header.prev_root = seq_.roots()[0];  // batch 1's root instead of batch 2's
  const Mismatch m = expect_mismatch();
  EXPECT_EQ(m.batch, BatchNumber(3));
  EXPECT_EQ(m.kind, MismatchKind::prev_root);
  EXPECT_EQ(m.expected, seq_.roots()[1].hex());
  EXPECT_EQ(m.got, seq_.roots()[0].hex());
}

TEST_F(Derive, UndecodablePayloadIsReported) {
  build();
  Commitment& c = seq_.base().commitment_at(BatchNumber(1));
  c.payload = {1, 2, 3};
  c.header.payload_hash = payload_hash(c.payload);
  const Mismatch m = expect_mismatch();
  EXPECT_EQ(m.batch, BatchNumber(1));
  EXPECT_EQ(m.kind, MismatchKind::payload_decode);
}

TEST_F(Derive, AppliedCountIsChecked) {
  build();
  seq_.base().commitment_at(BatchNumber(2)).header.applied_txs = 4;
  const Mismatch m = expect_mismatch();
  EXPECT_EQ(m.batch, BatchNumber(2));
  EXPECT_EQ(m.kind, MismatchKind::applied_count);
  EXPECT_EQ(m.expected, "3");
  EXPECT_EQ(m.got, "4");
}

TEST_F(Derive, BatchNumberGapIsReported) {
  build();
  auto d = deriver();
  auto rec = seq_.base().commitment(BatchNumber(2), true);
  auto m = d->derive((*rec)->commitment);
  ASSERT_TRUE(m && *m);
  EXPECT_EQ((*m)->kind, MismatchKind::batch_number);
  EXPECT_EQ((*m)->expected, "1");
  EXPECT_EQ((*m)->got, "2");
  // Stuck: the correct batch 1 now gets the same answer.
  auto first = seq_.base().commitment(BatchNumber(1), true);
  auto again = d->derive((*first)->commitment);
  ASSERT_TRUE(again && *again);
  EXPECT_EQ((*again)->kind, MismatchKind::batch_number);
}

TEST_F(Derive, QueueRangesAreChecked) {
  build();
  {
    // Claims a deposit the queue does not have.
    seq_.base().commitment_at(BatchNumber(3)).header.deposits_upto = DepositPosition(9);
    const Mismatch m = expect_mismatch();
    EXPECT_EQ(m.batch, BatchNumber(3));
    EXPECT_EQ(m.kind, MismatchKind::deposit_range);
    EXPECT_EQ(m.got, "9");
    seq_.base().commitment_at(BatchNumber(3)).header.deposits_upto = DepositPosition(4);
  }
  {
    // forced_upto going backwards.
    seq_.base().commitment_at(BatchNumber(3)).header.forced_upto = ForcedPosition(1);
    const Mismatch m = expect_mismatch();
    EXPECT_EQ(m.batch, BatchNumber(3));
    EXPECT_EQ(m.kind, MismatchKind::forced_range);
    seq_.base().commitment_at(BatchNumber(3)).header.forced_upto = ForcedPosition(3);
  }
  {
    // Skipping the forced txs changes what the batch executes: without alice's forced
    // withdrawal her payload transfer (signed for nonce 3) gets nonce 2 and fails.
    seq_.base().commitment_at(BatchNumber(2)).header.forced_upto = ForcedPosition(0);
    const Mismatch m = expect_mismatch();
    EXPECT_EQ(m.batch, BatchNumber(2));
    EXPECT_EQ(m.kind, MismatchKind::tx_not_applied);
    EXPECT_EQ(m.detail, "payload tx 0 not applicable: bad_signature");
  }
}

TEST_F(Derive, WrongGenesisRootIsReported) {
  build();
  RollupInfo info = seq_.base().info();
  info.genesis_root = seq_.roots()[0];
  MemorySource other(info);
  auto d = Deriver::create(other);
  ASSERT_TRUE(d);
  auto m = (*d)->run({});
  ASSERT_TRUE(m && *m);
  EXPECT_EQ((*m)->batch, BatchNumber(0));
  EXPECT_EQ((*m)->kind, MismatchKind::genesis_root);
  EXPECT_EQ((*m)->expected, test::root_of(rollup::State(test_key(50).public_key())).hex());
  EXPECT_EQ((*m)->got, seq_.roots()[0].hex());
}

TEST_F(Derive, MissingCommitmentIsASourceError) {
  build();
  Deriver::RunOptions run;
  run.upto = BatchNumber(6);
  auto d = deriver();
  auto r = d->run(run);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, DeriveErrorCode::source);
  EXPECT_EQ(d->head(), BatchNumber(4));
}

// ---- the one-step proof (settlement/one_step.hpp) over the same batches

// The state before batch n, the commitment of n, its origin and its queue entries.
struct BatchForStep {
  rollup::State pre;
  Commitment commitment;
  BatchOrigin origin;
  std::vector<QueuedDeposit> deposits;
  std::vector<QueuedForced> forced;
};

class OneStep : public Derive {
 protected:
  BatchForStep batch_for_step(std::uint64_t n) {
    auto d = deriver();
    Deriver::RunOptions ro;
    ro.upto = BatchNumber(n - 1);
    auto r = d->run(ro);
    EXPECT_TRUE(r && !*r);
    BatchForStep b{d->state(), {}, {}, {}, {}};
    auto rec = seq_.base().commitment(BatchNumber(n), true);
    EXPECT_TRUE(rec && *rec);
    b.commitment = (*rec)->commitment;
    b.origin = BatchOrigin{d->deposits_upto(), b.commitment.header.deposits_upto, d->forced_upto(),
                           b.commitment.header.forced_upto};
    b.deposits =
        *seq_.base().deposits(b.origin.deposits_from, static_cast<std::uint32_t>(b.origin.deposit_count()));
    b.forced = *seq_.base().forced(b.origin.forced_from, static_cast<std::uint32_t>(b.origin.forced_count()));
    return b;
  }
};

TEST_F(OneStep, EveryPositionOfEveryBatchStepsToTheTracesRoot) {
  build();
  std::size_t rejected_queue_entries = 0;
  for (std::uint64_t n = 1; n <= 3; ++n) {
    BatchForStep b = batch_for_step(n);
    auto named = name_txs(b.commitment, b.origin, b.deposits, b.forced);
    ASSERT_TRUE(named) << named.error();
    const DerivedTrace t = derived_trace(*named, b.pre);
    ASSERT_EQ(t.trace.steps.size(), named->txs.size());
    EXPECT_EQ(t.trace.pre_root, b.commitment.header.prev_root);
    EXPECT_EQ(t.trace.post_root, b.commitment.header.new_root) << "batch " << n;
    for (std::uint64_t k = 1; k <= named->txs.size(); ++k) {
      const rollup::TraceStep& s = t.trace.steps[k - 1];
      auto out = one_step(*named, k, s.pre_root, s.witness);
      ASSERT_TRUE(out) << out.error();
      ASSERT_TRUE(out->root) << "batch " << n << " position " << k << ": " << out->fault;
      EXPECT_EQ(*out->root, s.post_root) << "batch " << n << " position " << k;
      if (s.receipt.status != rollup::TxStatus::applied) {
        EXPECT_LT(k - 1, named->queued) << "only queue entries may be rejected";
        EXPECT_EQ(*out->root, s.pre_root);  // a rejected forced tx repeats its root
        ++rejected_queue_entries;
      }
      // Over another root, the same witness does not check: a fault, never a root.
      auto wrong = one_step(*named, k, s.post_root == s.pre_root ? Hash32{} : s.post_root, s.witness);
      ASSERT_TRUE(wrong);
      EXPECT_FALSE(wrong->root) << "batch " << n << " position " << k;
    }
    EXPECT_FALSE(one_step(*named, 0, t.trace.pre_root, t.trace.steps[0].witness));
    EXPECT_FALSE(one_step(*named, named->txs.size() + 1, t.trace.post_root, t.trace.steps[0].witness));
  }
  EXPECT_EQ(rejected_queue_entries, 2u);  // batch 2's bad nonce, batch 3's broken signature
}

TEST_F(OneStep, APayloadTxThatDoesNotApplyIsAFaultOfTheStep) {
  build();
  // Batch 3's payload, with carol's transfer of more than she has (signed with her nonce
  // then, 1) in place of dave's first.
  repost(3,
         {make_transfer(kRollup, carol_, 3, 1, 1'000'000, 1, 1), make_transfer(kRollup, bob_, 2, 4, 50, 1, 2),
          make_withdraw(kRollup, dave_, 4, 1000, 0, 1), make_transfer(kRollup, alice_, 1, 4, 7, 1, 4)});
  BatchForStep b = batch_for_step(3);
  auto named = name_txs(b.commitment, b.origin, b.deposits, b.forced);
  ASSERT_TRUE(named) << named.error();
  const DerivedTrace t = derived_trace(*named, b.pre);
  const std::uint64_t k = named->queued + 1;  // carol's
  const rollup::TraceStep& s = t.trace.steps[k - 1];
  EXPECT_EQ(s.receipt.status, rollup::TxStatus::insufficient_balance);
  auto out = one_step(*named, k, s.pre_root, s.witness);
  ASSERT_TRUE(out) << out.error();
  EXPECT_FALSE(out->root);
  EXPECT_NE(out->fault.find("does not apply (insufficient_balance)"), std::string::npos) << out->fault;
}

TEST_F(OneStep, APayloadThatDoesNotHashDecodeOrCountIsAFaultOfTheCommitment) {
  build();
  BatchForStep b = batch_for_step(1);
  Commitment c = b.commitment;
  c.payload[c.payload.size() / 2] ^= 0x01;
  auto named = name_txs(c, b.origin, b.deposits, b.forced);
  ASSERT_FALSE(named);
  EXPECT_NE(named.error().find("does not hash to payload_hash"), std::string::npos) << named.error();
  c = b.commitment;
  c.payload = Bytes{1, 2, 3};
  c.header.payload_hash = payload_hash(c.payload);
  named = name_txs(c, b.origin, b.deposits, b.forced);
  ASSERT_FALSE(named);
  EXPECT_NE(named.error().find("does not decode"), std::string::npos) << named.error();
  c = b.commitment;
  c.header.applied_txs += 1;
  named = name_txs(c, b.origin, b.deposits, b.forced);
  ASSERT_FALSE(named);
  EXPECT_NE(named.error().find("not applied_txs"), std::string::npos) << named.error();
  // Queue entries that are not the range's.
  named = name_txs(b.commitment, b.origin, std::span<const QueuedDeposit>(b.deposits).subspan(1), b.forced);
  EXPECT_FALSE(named);
}

}  // namespace
}  // namespace l2::settlement
