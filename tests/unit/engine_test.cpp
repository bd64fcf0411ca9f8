// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// The engine on real files: pipelined submissions against the sequential reference
// (test::ChainBuilder), reopening with different checkpoint intervals, rollback, the
// invalid-argument and poisoned paths, and crash recovery: a forked child process
// dies (SIGKILL or _exit) at a store fault point, and the parent reopens the file.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <functional>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "rollup/engine.hpp"
#include "rollup/history.hpp"
#include "rollup/store_verify.hpp"
#include "tests/unit/test_util.hpp"

namespace l2::rollup {
namespace {

using test::ChainBuilder;
using test::same_state;

constexpr ChainId kChain{11};
constexpr int kKeyCount = 12;

const SecretKey& key(int k) {
  static const std::vector<SecretKey> kKeys = [] {
    std::vector<SecretKey> v;
    v.reserve(kKeyCount);
    for (int i = 0; i < kKeyCount; ++i) v.push_back(test::test_key(static_cast<std::uint8_t>(200 + i)));
    return v;
  }();
  return kKeys.at(static_cast<std::size_t>(k));
}
const PublicKey& operator_key() { return key(0).public_key(); }

const SecretKey& key_of(const PublicKey& pk) {
  for (int k = 0; k < kKeyCount; ++k)
    if (key(k).public_key() == pk) return key(k);
  ADD_FAILURE() << "no test key for " << pk.hex();
  return key(0);
}

std::string describe(const EngineError& e) { return e.message; }
std::string describe(const StoreError& e) { return std::string(to_string(e.code)) + ": " + e.message; }

// Deterministic batches: batch 1 funds six users; later batches mix valid transfers
// with rejected ones (bad nonces, overdrafts, self transfers), withdrawals and
// deposits that create accounts.
class Workload {
 public:
  explicit Workload(std::uint64_t seed) : rng_(seed) {}

  std::vector<Tx> next(const State& s) {
    std::vector<Tx> txs;
    test::DepositIndexer deposits(s);
    if (s.size() == 1) {
      for (int k = 1; k <= 6; ++k) txs.push_back(deposits.deposit(deposit_id_++, key(k).public_key(), 1000));
      return txs;
    }
    std::map<std::uint32_t, std::uint64_t> sent;
    for (int i = 0; i < 40; ++i) {
      const auto roll = rng_() % 20;
      if (roll == 0) {
        const int k = 1 + static_cast<int>(rng_() % (kKeyCount - 1));
        txs.push_back(deposits.deposit(deposit_id_++, key(k).public_key(), rng_() % 500));
        continue;
      }
      const auto from = static_cast<std::uint32_t>(rng_() % s.size());
      const auto to = static_cast<std::uint32_t>(rng_() % s.size());
      std::uint64_t nonce = s.at(AccountIndex(from)).nonce.value() + sent[from];
      if (rng_() % 15 == 0) nonce += 1;
      const std::uint64_t amount = rng_() % 12 == 0 ? 5000 : rng_() % 200;
      const std::uint64_t fee = rng_() % 3;
      const SecretKey& signer = key_of(s.at(AccountIndex(from)).pubkey);
      if (roll == 1) {
        txs.push_back(test::make_withdraw(kChain, signer, from, amount, fee, nonce));
      } else {
        txs.push_back(test::make_transfer(kChain, signer, from, to, amount, fee, nonce));
      }
      ++sent[from];
    }
    return txs;
  }

 private:
  std::mt19937_64 rng_;
  std::uint64_t deposit_id_ = 0;
};

EngineOptions engine_options(const std::string& path, std::uint32_t checkpoint_every = 64) {
  EngineOptions o;
  o.store.path = path;
  o.store.chain_id = kChain;
  o.store.operator_key = operator_key();
  o.threads = 2;
  o.checkpoint_every = checkpoint_every;
  return o;
}

std::unique_ptr<Engine> open_engine(const EngineOptions& o) {
  auto e = Engine::open(o);
  if (!e) {
    ADD_FAILURE() << "Engine::open: " << describe(e.error());
    return nullptr;
  }
  return std::move(*e);
}

StoreOptions store_options(const std::string& path) { return engine_options(path).store; }

std::unique_ptr<StateStore> open_store(const std::string& path) {
  auto s = StateStore::open(store_options(path));
  if (!s) {
    ADD_FAILURE() << "StateStore::open: " << describe(s.error());
    return nullptr;
  }
  return std::move(*s);
}

// The engine shows the reference's state as of its head.
void expect_engine_at(const Engine& e, const ChainBuilder& ref, std::uint64_t n) {
  EXPECT_EQ(e.head(), ref.header_at(n));
  EXPECT_EQ(e.state_root(), ref.header_at(n).state_root);
  EXPECT_TRUE(same_state(e.state(), ref.state_at(n)));
}

// Submits `batches` batches from `w` (reference in `ref`) without waiting in between,
// then checks every acknowledgement.
void submit_batches(Engine& e, ChainBuilder& ref, Workload& w, int batches) {
  std::vector<Engine::Ack> acks;
  std::vector<std::uint64_t> numbers;
  for (int b = 0; b < batches; ++b) {
    std::vector<Tx> txs = w.next(ref.state());
    const std::int64_t ts = 1'700'000'000'000 + static_cast<std::int64_t>(ref.head().number.value());
    ref.next(txs, ts);
    numbers.push_back(ref.head().number.value());
    acks.push_back(e.submit(BatchInput{std::move(txs), {}, ts}));
  }
  for (std::size_t i = 0; i < acks.size(); ++i) {
    auto r = acks[i].get();
    ASSERT_TRUE(r) << "batch " << numbers[i] << ": " << describe(r.error());
    EXPECT_EQ(r->header, ref.header_at(numbers[i])) << "batch " << numbers[i];
    EXPECT_EQ(r->receipts, ref.receipts_at(numbers[i])) << "batch " << numbers[i];
    EXPECT_EQ(r->header.prev_root, ref.header_at(numbers[i] - 1).state_root);
  }
}

class EngineTest : public ::testing::Test {
 protected:
  std::string path() const { return dir_.file("engine.db"); }
  test::TempDir dir_;
  ChainBuilder ref_{kChain, operator_key()};
  Workload work_{99};
};

TEST_F(EngineTest, FreshEngineStartsAtGenesis) {
  auto e = open_engine(engine_options(path()));
  ASSERT_NE(e, nullptr);
  expect_engine_at(*e, ref_, 0);
  EXPECT_EQ(e->chain_id(), kChain);
  EXPECT_EQ(e->threads(), 2u);
  EXPECT_TRUE(e->flush());
}

TEST_F(EngineTest, SubmittedBatchesChainAndMatchTheReference) {
  auto e = open_engine(engine_options(path()));
  ASSERT_NE(e, nullptr);
  submit_batches(*e, ref_, work_, 6);
  ASSERT_TRUE(e->flush());
  expect_engine_at(*e, ref_, 6);
  // Roots chain from genesis, and the batches did real work.
  std::uint32_t applied = 0;
  std::uint32_t rejected = 0;
  for (std::uint64_t n = 1; n <= 6; ++n) {
    EXPECT_EQ(ref_.header_at(n).prev_root, ref_.header_at(n - 1).state_root);
    EXPECT_NE(ref_.header_at(n).state_root, ref_.header_at(n - 1).state_root);
    applied += ref_.header_at(n).applied_count;
    rejected += ref_.header_at(n).tx_count - ref_.header_at(n).applied_count;
  }
  EXPECT_GT(applied, 60u);
  EXPECT_GT(rejected, 5u);
  // Proofs against the engine's root.
  for (std::uint32_t i = 0; i < e->state().size(); ++i) {
    EXPECT_TRUE(verify_merkle_proof(e->state_root(), account_leaf_hash(e->state().at(AccountIndex(i))),
                                    e->prove(AccountIndex(i))))
        << i;
  }
  EXPECT_TRUE(verify_merkle_proof(e->state_root(), std::nullopt, e->prove(AccountIndex(e->state().size()))));

  // What is on disk is what was acknowledged.
  e.reset();
  auto store = open_store(path());
  ASSERT_NE(store, nullptr);
  for (std::uint64_t n = 0; n <= 6; ++n) {
    auto h = store->header(BatchNumber(n));
    ASSERT_TRUE(h && h->has_value()) << n;
    EXPECT_EQ(**h, ref_.header_at(n));
  }
  auto b3 = store->batch(BatchNumber(3));
  ASSERT_TRUE(b3 && b3->has_value());
  EXPECT_EQ((*b3)->receipts, encode_receipts(ref_.receipts_at(3)));
  auto txs = decode_txs((*b3)->txs);
  ASSERT_TRUE(txs);
  EXPECT_EQ(txs->size(), ref_.header_at(3).tx_count);
}

TEST_F(EngineTest, ReopenGivesTheSameStateForAnyCheckpointInterval) {
  // The reference and workload are the same for every interval.
  for (int b = 0; b < 5; ++b) ref_.next(work_.next(ref_.state()), 1000 + b);
  const std::uint32_t intervals[] = {1, 2, 1000};
  const std::uint64_t want_checkpoint[] = {5, 4, 0};
  std::vector<Hash32> roots;
  for (std::size_t k = 0; k < std::size(intervals); ++k) {
    SCOPED_TRACE("checkpoint_every = " + std::to_string(intervals[k]));
    test::TempDir dir;
    const std::string p = dir.file("engine.db");
    {
      auto e = open_engine(engine_options(p, intervals[k]));
      ASSERT_NE(e, nullptr);
      std::vector<Engine::Ack> acks;
      Workload w(99);
      ChainBuilder replay(kChain, operator_key());
      for (int b = 0; b < 5; ++b) {
        auto txs = w.next(replay.state());
        replay.next(txs, 1000 + b);
        acks.push_back(e->submit(BatchInput{txs, {}, 1000 + b}));
      }
      for (auto& a : acks) ASSERT_TRUE(a.get());
    }
    {
      auto store = open_store(p);
      ASSERT_NE(store, nullptr);
      EXPECT_EQ(store->checkpoint_batch(), BatchNumber(want_checkpoint[k]));
    }
    auto e = open_engine(engine_options(p, intervals[k]));
    ASSERT_NE(e, nullptr);
    expect_engine_at(*e, ref_, 5);
    roots.push_back(e->state_root());
    // And it carries on from there, with a batch that touches one account only (so a
    // checkpoint after it must also fold in the diffs loaded at open).
    ChainBuilder more = ref_;
    const std::vector<Tx> txs = {test::make_deposit(1000, 1, key(1).public_key(), 5)};
    more.next(txs, 9);
    auto r = e->submit(BatchInput{txs, {}, 9}).get();
    ASSERT_TRUE(r) << describe(r.error());
    EXPECT_EQ(r->header, more.head());
    // The diffs loaded at open (not yet checkpointed) still reach the accounts table
    // when the next checkpoint runs: a second reopen sees batch 6.
    e.reset();
    auto again = open_engine(engine_options(p, intervals[k]));
    ASSERT_NE(again, nullptr);
    expect_engine_at(*again, more, 6);
  }
  ASSERT_EQ(roots.size(), 3u);
  EXPECT_EQ(roots[0], roots[1]);
  EXPECT_EQ(roots[1], roots[2]);
}

class EngineRollbackTest : public EngineTest, public ::testing::WithParamInterface<std::uint32_t> {};

TEST_P(EngineRollbackTest, RestoresTheTargetAndContinuesFromIt) {
  std::vector<std::vector<Tx>> history;
  {
    auto e = open_engine(engine_options(path(), GetParam()));
    ASSERT_NE(e, nullptr);
    for (int b = 0; b < 5; ++b) {
      history.push_back(work_.next(ref_.state()));
      ref_.next(history.back(), b);
      ASSERT_TRUE(e->submit(BatchInput{history.back(), {}, b}).get());
    }
    auto past = e->rollback_to(BatchNumber(6));
    ASSERT_FALSE(past);
    EXPECT_EQ(past.error().code, EngineErrorCode::invalid_argument);
    expect_engine_at(*e, ref_, 5);

    ASSERT_TRUE(e->rollback_to(BatchNumber(5)));  // to the head: nothing to undo
    expect_engine_at(*e, ref_, 5);

    auto r = e->rollback_to(BatchNumber(2));
    ASSERT_TRUE(r) << describe(r.error());
    expect_engine_at(*e, ref_, 2);
    for (std::uint32_t i = 0; i < e->state().size(); ++i)
      EXPECT_TRUE(verify_merkle_proof(e->state_root(), account_leaf_hash(e->state().at(AccountIndex(i))),
                                      e->prove(AccountIndex(i))));

    // A different batch 3 follows batch 2.
    ChainBuilder fork(kChain, operator_key());
    for (int b = 0; b < 2; ++b) fork.next(history[static_cast<std::size_t>(b)], b);
    Workload other(1234);
    auto txs = other.next(fork.state());
    fork.next(txs, 77);
    ASSERT_NE(fork.head().state_root, ref_.header_at(3).state_root);
    auto a = e->submit(BatchInput{txs, {}, 77}).get();
    ASSERT_TRUE(a) << describe(a.error());
    EXPECT_EQ(a->header, fork.head());
    expect_engine_at(*e, fork, 3);
    ref_ = fork;
  }
  // After reopening, the rolled-back batches are gone and the new one is there.
  {
    auto store = open_store(path());
    ASSERT_NE(store, nullptr);
    auto h3 = store->header(BatchNumber(3));
    ASSERT_TRUE(h3 && h3->has_value());
    EXPECT_EQ(**h3, ref_.header_at(3));
    for (std::uint64_t n : {4u, 5u}) {
      auto h = store->header(BatchNumber(n));
      ASSERT_TRUE(h);
      EXPECT_FALSE(h->has_value()) << n;
    }
  }
  auto e = open_engine(engine_options(path(), GetParam()));
  ASSERT_NE(e, nullptr);
  expect_engine_at(*e, ref_, 3);
}

INSTANTIATE_TEST_SUITE_P(CheckpointEvery, EngineRollbackTest, ::testing::Values(1u, 2u, 1000u));

TEST_F(EngineTest, ExplicitCheckpointFoldsEverything) {
  auto e = open_engine(engine_options(path(), 1000));
  ASSERT_NE(e, nullptr);
  submit_batches(*e, ref_, work_, 3);
  ASSERT_TRUE(e->checkpoint());
  e.reset();
  auto store = open_store(path());
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->checkpoint_batch(), BatchNumber(3));
  auto loaded = store->load();
  ASSERT_TRUE(loaded);
  EXPECT_TRUE(loaded->pending.empty());
  EXPECT_TRUE(same_state(loaded->state, ref_.state_at(3)));
}

TEST_F(EngineTest, CheckpointsWhenTooManyAccountsArePending) {
  EngineOptions o = engine_options(path(), 1000);
  o.checkpoint_max_pending = 1;
  {
    auto e = open_engine(o);
    ASSERT_NE(e, nullptr);
    submit_batches(*e, ref_, work_, 3);
  }
  auto store = open_store(path());
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->checkpoint_batch(), BatchNumber(3));
  auto loaded = store->load();
  ASSERT_TRUE(loaded);
  EXPECT_TRUE(loaded->pending.empty());
  EXPECT_TRUE(same_state(loaded->state, ref_.state_at(3)));
}

TEST_F(EngineTest, EmptyBatchKeepsTheRoot) {
  auto e = open_engine(engine_options(path()));
  ASSERT_NE(e, nullptr);
  submit_batches(*e, ref_, work_, 1);
  ref_.next({}, 3);
  auto r = e->submit(BatchInput{{}, {}, 3}).get();
  ASSERT_TRUE(r) << describe(r.error());
  EXPECT_EQ(r->header, ref_.header_at(2));
  EXPECT_EQ(r->header.state_root, r->header.prev_root);
  EXPECT_EQ(r->header.tx_count, 0u);
  EXPECT_TRUE(r->receipts.empty());
}

TEST_F(EngineTest, SignatureChecksCountMismatchIsInvalidArgument) {
  auto e = open_engine(engine_options(path()));
  ASSERT_NE(e, nullptr);
  std::vector<Tx> txs = work_.next(ref_.state());
  ASSERT_GE(txs.size(), 2u);
  auto r = e->submit(BatchInput{txs, {SigCheck::valid}, 0}).get();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, EngineErrorCode::invalid_argument);
  expect_engine_at(*e, ref_, 0);  // nothing happened
  // The engine is not poisoned: the same batch goes through correctly.
  ref_.next(txs, 0);
  auto ok = e->submit(BatchInput{txs, std::vector<SigCheck>(txs.size(), SigCheck::unchecked), 0}).get();
  ASSERT_TRUE(ok) << describe(ok.error());
  EXPECT_EQ(ok->header, ref_.header_at(1));
}

TEST_F(EngineTest, KnownSignatureChecksAreHonoured) {
  auto e = open_engine(engine_options(path()));
  ASSERT_NE(e, nullptr);
  ASSERT_TRUE(e->submit(BatchInput{{test::make_deposit(0, 1, key(1).public_key(), 100)}, {}, 0}).get());
  Tx unsigned_tx = Transfer{AccountIndex(1), AccountIndex(0), Amount(10), Amount(0), Nonce(0), {}};
  Tx signed_tx = test::make_transfer(kChain, key(1), 1, 0, 10, 0, 0);
  auto r = e->submit(BatchInput{{unsigned_tx, signed_tx}, {SigCheck::valid, SigCheck::invalid}, 0}).get();
  ASSERT_TRUE(r) << describe(r.error());
  ASSERT_EQ(r->receipts.size(), 2u);
  EXPECT_EQ(r->receipts[0].status, TxStatus::applied);
  EXPECT_EQ(r->receipts[1].status, TxStatus::bad_signature);
  EXPECT_EQ(e->state().at(AccountIndex(1)).balance, Amount(90));
  // Without the checks, the unsigned one is rejected.
  Tx unsigned_next = Transfer{AccountIndex(1), AccountIndex(0), Amount(10), Amount(0), Nonce(1), {}};
  auto u = e->submit(BatchInput{{unsigned_next}, {}, 0}).get();
  ASSERT_TRUE(u);
  EXPECT_EQ(u->receipts[0].status, TxStatus::bad_signature);
}

TEST_F(EngineTest, StoresWithdrawalWitnessesAgainstTheBatchRootAndTheOrigin) {
  auto e = open_engine(engine_options(path()));
  ASSERT_NE(e, nullptr);
  std::vector<Tx> fund;
  for (int k = 1; k <= 3; ++k)
    fund.push_back(test::make_deposit(static_cast<std::uint64_t>(k - 1), static_cast<std::uint32_t>(k),
                                      key(k).public_key(), 1000));
  ASSERT_TRUE(e->submit(BatchInput{fund, {}, 1}).get());
  // Accounts 1 and 3 withdraw (account 1 twice); account 2 only transfers; a rejected
  // withdrawal (overdraft) by account 2 leaves no witness.
  std::vector<Tx> txs{
      test::make_withdraw(kChain, key(1), 1, 100, 1, 0), test::make_transfer(kChain, key(2), 2, 1, 50, 1, 0),
      test::make_withdraw(kChain, key(3), 3, 7, 0, 0), test::make_withdraw(kChain, key(1), 1, 20, 0, 1),
      test::make_withdraw(kChain, key(2), 2, 5000, 0, 1)};
  const Bytes origin{1, 2, 3};
  auto ack = e->submit(BatchInput{txs, {}, 2, origin}).get();
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack->receipts[4].status, TxStatus::insufficient_balance);
  // More batches move the tree on; the stored witnesses still prove batch 2's root.
  ASSERT_TRUE(e->submit(BatchInput{{test::make_transfer(kChain, key(1), 1, 2, 1, 0, 2)}, {}, 3}).get());
  auto store = open_store(path());
  ASSERT_NE(store, nullptr);
  auto stored = store->batch(BatchNumber(2));
  ASSERT_TRUE(stored && *stored);
  EXPECT_EQ((*stored)->origin, origin);
  auto witnesses = decode_witnesses((*stored)->witnesses);
  ASSERT_TRUE(witnesses);
  ASSERT_EQ(witnesses->size(), 2u);
  EXPECT_EQ((*witnesses)[0].proof.index, AccountIndex(1));
  EXPECT_EQ((*witnesses)[0].leaf.withdrawn, Amount(120));
  EXPECT_EQ((*witnesses)[1].proof.index, AccountIndex(3));
  EXPECT_EQ((*witnesses)[1].leaf.withdrawn, Amount(7));
  for (const auto& w : *witnesses) {
    EXPECT_TRUE(verify_merkle_proof(ack->header.state_root, account_leaf_hash(w.leaf), w.proof));
    EXPECT_FALSE(verify_merkle_proof(e->state_root(), account_leaf_hash(w.leaf), w.proof) &&
                 w.proof.index == AccountIndex(1));  // account 1 changed in batch 3
  }
  // A batch without withdrawals stores an empty list.
  auto none = store->batch(BatchNumber(1));
  ASSERT_TRUE(none && *none);
  auto empty = decode_witnesses((*none)->witnesses);
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
}

TEST_F(EngineTest, OriginRecordOverTheLimitIsInvalidArgument) {
  auto e = open_engine(engine_options(path()));
  ASSERT_NE(e, nullptr);
  auto r = e->submit(BatchInput{{}, {}, 1, Bytes(kMaxOriginBytes + 1, 0)}).get();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, EngineErrorCode::invalid_argument);
  EXPECT_TRUE(e->submit(BatchInput{{}, {}, 1, Bytes(kMaxOriginBytes, 0)}).get());
}

// The deposit encoding of schemas 1 and 2 (no to_index), for turning a file back.
Bytes legacy_txs(const std::vector<Tx>& txs) {
  ByteWriter w;
  w.varint(txs.size());
  for (const auto& tx : txs) {
    if (const auto* d = std::get_if<rollup::Deposit>(&tx)) {
      w.u8(1);
      w.u64le(d->deposit_id.value());
      w.bytes(d->to.view());
      w.u64le(d->amount.value());
    } else {
      w.bytes(rollup::encode_tx(tx));
    }
  }
  return w.take();
}

TEST_F(EngineTest, SchemaVersion1DatabaseIsMigrated) {
  std::vector<StoredBatch> before;
  {
    auto e = open_engine(engine_options(path()));
    ASSERT_NE(e, nullptr);
    submit_batches(*e, ref_, work_, 3);
  }
  {
    auto store = open_store(path());
    ASSERT_NE(store, nullptr);
    for (std::uint64_t n = 1; n <= 3; ++n) {
      auto b = store->batch(BatchNumber(n));
      ASSERT_TRUE(b && *b);
      before.push_back(**b);
    }
  }
  {
    // Turn the file back into schema 1: no witnesses/origin columns, deposits without
    // their index, and the tx hashes (header and receipts) that encoding gave.
    DbOptions o;
    o.path = path();
    auto db = Db::open(o);
    ASSERT_TRUE(db);
    bool any_deposit = false;
    for (const auto& b : before) {
      auto txs = rollup::decode_txs(b.txs);
      auto receipts = rollup::decode_receipts(b.receipts);
      ASSERT_TRUE(txs && receipts);
      const Bytes old = legacy_txs(*txs);
      for (std::size_t i = 0; i < txs->size(); ++i) {
        if (!std::holds_alternative<rollup::Deposit>((*txs)[i])) continue;
        any_deposit = true;
        (*receipts)[i].tx_hash = Hash32();  // the old encoding's hash: not the new one
      }
      auto st = (*db)->prepare("UPDATE batches SET txs = ?2, txs_hash = ?3, receipts = ?4 WHERE number = ?1");
      ASSERT_TRUE(st);
      const Bytes rec = rollup::encode_receipts(*receipts);
      ASSERT_TRUE(st->bind(1, static_cast<std::int64_t>(b.header.number.value()))
                      .bind(2, ByteView(old))
                      .bind(3, blake2b256(old).view())
                      .bind(4, ByteView(rec))
                      .run());
    }
    ASSERT_TRUE(any_deposit);
    ASSERT_TRUE((*db)->exec(
        "ALTER TABLE batches DROP COLUMN witnesses; ALTER TABLE batches DROP COLUMN origin; "
        "ALTER TABLE batches DROP COLUMN receipts_hash; ALTER TABLE batches DROP COLUMN changes_hash; "
        "ALTER TABLE batches DROP COLUMN witnesses_hash; ALTER TABLE batches DROP COLUMN origin_hash; "
        "ALTER TABLE batches DROP COLUMN row_hash; "
        "DROP TABLE rolled_back_txs; PRAGMA user_version = 1"));
  }
  auto e = open_engine(engine_options(path()));
  ASSERT_NE(e, nullptr);
  expect_engine_at(*e, ref_, 3);
  submit_batches(*e, ref_, work_, 2);
  auto store = open_store(path());
  ASSERT_NE(store, nullptr);
  auto old = store->batch(BatchNumber(2));
  ASSERT_TRUE(old && *old);
  EXPECT_TRUE((*old)->origin.empty());
  EXPECT_TRUE((*old)->witnesses.empty());
  // Schema 3 gave every deposit back the index it credited: the txs, their hash and the
  // receipts are what the engine wrote in the first place.
  for (const auto& b : before) {
    auto now = store->batch(b.header.number);
    ASSERT_TRUE(now && *now);
    EXPECT_EQ(to_hex((*now)->txs), to_hex(b.txs)) << b.header.number.value();
    EXPECT_EQ((*now)->header.txs_hash, b.header.txs_hash);
    EXPECT_EQ(to_hex((*now)->receipts), to_hex(b.receipts));
  }
}

// ---- row checks and the whole-store check (docs/storage.md, "Row checks") ----

// A batch of the store that has at least one withdrawal witness.
std::uint64_t batch_with_witnesses(StateStore& store, std::uint64_t head) {
  for (std::uint64_t n = 1; n <= head; ++n) {
    auto b = store.batch(BatchNumber(n));
    if (!b || !*b) continue;
    auto w = decode_witnesses((*b)->witnesses);
    if (w && !w->empty()) return n;
  }
  return 0;
}

// Writes `b` over its row with fresh row hashes: a consistent row that a bug (not a bit
// flip) could have written. Only the whole-store check can tell it is wrong.
void rewrite_row(StateStore& store, const StoredBatch& b) {
  const BatchRowHashes h = batch_row_hashes(b);
  auto st = store.db().prepare(
      "UPDATE batches SET prev_root = ?2, state_root = ?3, txs_hash = ?4, tx_count = ?5, applied_count = ?6, "
      "timestamp_ms = ?7, txs = ?8, receipts = ?9, changes = ?10, witnesses = ?11, origin = ?12, "
      "receipts_hash = ?13, changes_hash = ?14, witnesses_hash = ?15, origin_hash = ?16, row_hash = ?17 "
      "WHERE number = ?1");
  ASSERT_TRUE(st);
  ASSERT_TRUE(st->bind(1, static_cast<std::int64_t>(b.header.number.value()))
                  .bind(2, b.header.prev_root.view())
                  .bind(3, b.header.state_root.view())
                  .bind(4, b.header.txs_hash.view())
                  .bind(5, static_cast<std::int64_t>(b.header.tx_count))
                  .bind(6, static_cast<std::int64_t>(b.header.applied_count))
                  .bind(7, b.header.timestamp_ms)
                  .bind(8, ByteView(b.txs))
                  .bind(9, ByteView(b.receipts))
                  .bind(10, ByteView(b.changes))
                  .bind(11, ByteView(b.witnesses))
                  .bind(12, ByteView(b.origin))
                  .bind(13, h.receipts.view())
                  .bind(14, h.changes.view())
                  .bind(15, h.witnesses.view())
                  .bind(16, h.origin.view())
                  .bind(17, h.row.view())
                  .run());
}

TEST_F(EngineTest, EveryReadOfABatchRowChecksWhatItReturns) {
  {
    auto e = open_engine(engine_options(path()));
    ASSERT_NE(e, nullptr);
    submit_batches(*e, ref_, work_, 6);
    ASSERT_TRUE(e->submit(BatchInput{{}, {}, 5, Bytes{1, 2, 3}}).get());  // batch 7 has an origin record
  }
  auto store = open_store(path());
  ASSERT_NE(store, nullptr);
  const std::uint64_t w = batch_with_witnesses(*store, 6);
  ASSERT_NE(w, 0u) << "the workload made no withdrawal";
  struct Damage {
    const char* column = nullptr;
    std::uint64_t batch = 0;
    bool header = false;        // the header check catches it (header() fails too)
    BatchParts skip;            // a read without the damaged blob still succeeds
    const char* sql = nullptr;  // the damage; ?1 is the batch
  };
  auto all_but = [](int i) {
    BatchParts p;
    bool* fields[] = {&p.txs, &p.receipts, &p.changes, &p.witnesses, &p.origin};
    *fields[i] = false;
    return p;
  };
  // A flipped bit in the middle of each blob column (sql null), or an integer one off.
  const Damage cases[] = {
      {"txs", 3, false, all_but(0), nullptr},
      {"receipts", 3, false, all_but(1), nullptr},
      {"changes", 3, false, all_but(2), nullptr},
      {"witnesses", w, false, all_but(3), nullptr},
      {"origin", 7, false, all_but(4), nullptr},
      {"prev_root", 3, true, {}, nullptr},
      {"state_root", 3, true, {}, nullptr},
      {"txs_hash", 3, true, {}, nullptr},
      {"receipts_hash", 3, true, {}, nullptr},
      {"changes_hash", 3, true, {}, nullptr},
      {"witnesses_hash", 3, true, {}, nullptr},
      {"origin_hash", 3, true, {}, nullptr},
      {"row_hash", 3, true, {}, nullptr},
      {"tx_count", 3, true, {}, "UPDATE batches SET tx_count = tx_count + 1 WHERE number = ?1"},
      {"applied_count",
       3,
       true,
       {},
       "UPDATE batches SET applied_count = applied_count - 1 WHERE number = ?1"},
      {"timestamp_ms", 3, true, {}, "UPDATE batches SET timestamp_ms = timestamp_ms + 1 WHERE number = ?1"},
  };
  for (const Damage& d : cases) {
    SCOPED_TRACE(d.column);
    const BatchNumber n(d.batch);
    auto original = store->batch(n);
    ASSERT_TRUE(original && *original) << "control: the row reads before the damage";
    if (d.sql != nullptr) {
      auto st = store->db().prepare(d.sql);
      ASSERT_TRUE(st);
      ASSERT_TRUE(st->bind(1, static_cast<std::int64_t>(d.batch)).run());
    } else {
      // Flip one bit in the middle of the blob.
      auto sel = store->db().prepare(std::string("SELECT ") + d.column + " FROM batches WHERE number = ?1");
      ASSERT_TRUE(sel);
      sel->bind(1, static_cast<std::int64_t>(d.batch));
      auto row = sel->step();
      ASSERT_TRUE(row && *row);
      ByteView v = sel->column_blob(0);
      Bytes bytes(v.begin(), v.end());
      sel->reset();
      ASSERT_FALSE(bytes.empty());
      bytes[bytes.size() / 2] ^= 0x10;
      auto upd =
          store->db().prepare(std::string("UPDATE batches SET ") + d.column + " = ?2 WHERE number = ?1");
      ASSERT_TRUE(upd);
      ASSERT_TRUE(upd->bind(1, static_cast<std::int64_t>(d.batch)).bind(2, ByteView(bytes)).run());
    }
    auto damaged = store->batch(n);
    ASSERT_FALSE(damaged) << "a damaged row was returned";
    EXPECT_EQ(damaged.error().code, StoreErrorCode::corrupt);
    EXPECT_NE(damaged.error().message.find("batch " + std::to_string(d.batch) + " is damaged"),
              std::string::npos)
        << damaged.error().message;
    auto h = store->header(n);
    EXPECT_EQ(static_cast<bool>(h), !d.header) << (h ? "" : h.error().message);
    if (!d.header) {
      auto partial = store->batch(n, d.skip);
      EXPECT_TRUE(partial && *partial) << "a read that does not need the damaged blob";
    }
    // Starting from this file: load() reads every header after the checkpoint and the
    // changes, and refuses naming the batch.
    auto loaded = store->load();
    const bool load_reads_it = d.header || std::string(d.column) == "changes";
    EXPECT_EQ(static_cast<bool>(loaded), !load_reads_it);
    if (!loaded) {
      EXPECT_NE(loaded.error().message.find("batch " + std::to_string(d.batch)), std::string::npos)
          << loaded.error().message;
    }
    auto v = verify_store(*store, kChain, operator_key());
    ASSERT_FALSE(v);
    EXPECT_NE(v.error().message.find("batch " + std::to_string(d.batch)), std::string::npos)
        << v.error().message;
    rewrite_row(*store, **original);
    auto again = store->batch(n);
    ASSERT_TRUE(again && *again) << "the row reads again once restored";
  }
  EXPECT_TRUE(verify_store(*store, kChain, operator_key()));
}

TEST_F(EngineTest, VerifyStoreExecutesEveryBatchAgain) {
  {
    auto e = open_engine(engine_options(path(), 3));
    ASSERT_NE(e, nullptr);
    submit_batches(*e, ref_, work_, 8);
  }
  auto store = open_store(path());
  ASSERT_NE(store, nullptr);
  std::uint64_t txs = 0;
  std::uint64_t applied = 0;
  for (std::uint64_t n = 1; n <= 8; ++n) {
    txs += ref_.header_at(n).tx_count;
    applied += ref_.header_at(n).applied_count;
  }
  ThreadPool pool(2);
  for (ThreadPool* p : {static_cast<ThreadPool*>(nullptr), &pool}) {
    SCOPED_TRACE(p == nullptr ? "sequential" : "2 threads");
    VerifyOptions o;
    o.pool = p;
    std::vector<std::uint64_t> progress;
    o.progress = [&](BatchNumber done, BatchNumber head) {
      EXPECT_EQ(head, BatchNumber(8));
      progress.push_back(done.value());
    };
    auto r = verify_store(*store, kChain, operator_key(), o);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->head, BatchNumber(8));
    EXPECT_EQ(r->txs, txs);
    EXPECT_EQ(r->applied, applied);
    EXPECT_EQ(r->accounts, ref_.state().size());
    EXPECT_EQ(r->checkpoint, store->checkpoint_batch());
    EXPECT_GT(r->checkpoint, BatchNumber(0));
    EXPECT_EQ(r->without_witnesses, 0u);
    EXPECT_EQ(progress, (std::vector<std::uint64_t>{1, 2, 3, 4, 5, 6, 7, 8}));
  }
  // An origin check that refuses names the batch.
  VerifyOptions o;
  o.check_origin = [](const StoredBatch& b) -> std::optional<std::string> {
    if (b.header.number == BatchNumber(5)) return "is not wanted";
    return std::nullopt;
  };
  auto r = verify_store(*store, kChain, operator_key(), o);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "batch 5 has an origin record that is not wanted");
}

TEST_F(EngineTest, VerifyStoreFindsRowsThatPassTheirChecksButAreWrong) {
  {
    auto e = open_engine(engine_options(path(), 3));
    ASSERT_NE(e, nullptr);
    submit_batches(*e, ref_, work_, 6);
  }
  auto store = open_store(path());
  ASSERT_NE(store, nullptr);
  const std::uint64_t w = batch_with_witnesses(*store, 6);
  ASSERT_NE(w, 0u);
  ASSERT_TRUE(verify_store(*store, kChain, operator_key())) << "control";
  struct Wrong {
    const char* name;
    std::uint64_t batch;
    std::function<void(StoredBatch&)> edit;
    const char* expect;
  };
  const Wrong cases[] = {
      {"a receipt's status", 4,
       [](StoredBatch& b) {
         auto r = decode_receipts(b.receipts);
         ASSERT_TRUE(r);
         for (auto& x : *r) {
           if (x.status == TxStatus::applied) {
             x.status = TxStatus::bad_nonce;
             --b.header.applied_count;
             break;
           }
         }
         b.receipts = encode_receipts(*r);
       },
       "batch 4 has receipts that are not what executing its txs gives"},
      {"the applied count", 4, [](StoredBatch& b) { --b.header.applied_count; }, "batch 4 says"},
      {"the witnesses", w, [](StoredBatch& b) { b.witnesses = encode_witnesses({}); },
       "has withdrawal witnesses that are not its accounts' leaves and proofs"},
      {"the head's state root", 6, [](StoredBatch& b) { b.header.state_root = Hash32(); },
       "batch 6 has state root"},
      {"an applied tx dropped with its receipt", 5,
       [](StoredBatch& b) {
         auto txs = decode_txs(b.txs);
         auto r = decode_receipts(b.receipts);
         ASSERT_TRUE(txs && r);
         std::size_t last = r->size();
         for (std::size_t i = 0; i < r->size(); ++i)
           if ((*r)[i].status == TxStatus::applied) last = i;
         ASSERT_LT(last, r->size());
         txs->erase(txs->begin() + static_cast<std::ptrdiff_t>(last));
         r->erase(r->begin() + static_cast<std::ptrdiff_t>(last));
         --b.header.applied_count;
         b.txs = encode_txs(*txs);
         b.header.txs_hash = blake2b256(b.txs);
         b.header.tx_count = static_cast<std::uint32_t>(txs->size());
         b.receipts = encode_receipts(*r);
       },
       "batch 5 "},
  };
  for (const Wrong& c : cases) {
    SCOPED_TRACE(c.name);
    auto original = store->batch(BatchNumber(c.batch));
    ASSERT_TRUE(original && *original);
    StoredBatch edited = **original;
    c.edit(edited);
    rewrite_row(*store, edited);
    ASSERT_TRUE(store->batch(BatchNumber(c.batch))) << "the row passes its own checks";
    auto r = verify_store(*store, kChain, operator_key());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, StoreErrorCode::corrupt);
    EXPECT_NE(r.error().message.find(c.expect), std::string::npos) << r.error().message;
    rewrite_row(*store, **original);
  }
  // An account in the accounts table (as of the checkpoint) that is not what the
  // batches give, while no later diff touches it.
  ASSERT_TRUE(verify_store(*store, kChain, operator_key())) << "restored";
  auto st = store->db().prepare("SELECT leaf FROM accounts WHERE idx = 0");
  ASSERT_TRUE(st);
  auto row = st->step();
  ASSERT_TRUE(row && *row);
  ByteView leaf = st->column_blob(0);
  Bytes bad(leaf.begin(), leaf.end());
  st->reset();
  // The fee account: its balance is part of the supply, so add to it without taking from
  // anyone; load() only checks the diffs after the checkpoint, which may not touch it.
  std::vector<std::uint64_t> touched;
  for (std::uint64_t n = store->checkpoint_batch().value() + 1; n <= 6; ++n) {
    auto b = store->batch(BatchNumber(n));
    ASSERT_TRUE(b && *b);
    auto idx = decode_change_indices((*b)->changes);
    ASSERT_TRUE(idx);
    for (const auto& [i, created] : *idx) touched.push_back(i.value());
  }
  std::uint32_t victim = 0;
  auto loaded = store->load();
  ASSERT_TRUE(loaded);
  for (std::uint32_t i = 1; i < loaded->state.size(); ++i) {
    if (std::find(touched.begin(), touched.end(), i) == touched.end()) {
      victim = i;
      break;
    }
  }
  ASSERT_NE(victim, 0u) << "every account changed after the checkpoint";
  auto vst = store->db().prepare("SELECT leaf FROM accounts WHERE idx = ?1");
  ASSERT_TRUE(vst);
  vst->bind(1, static_cast<std::int64_t>(victim));
  auto vrow = vst->step();
  ASSERT_TRUE(vrow && *vrow);
  ByteView vleaf = vst->column_blob(0);
  bad.assign(vleaf.begin(), vleaf.end());
  vst->reset();
  bad[40] ^= 0x01;  // the nonce (leaf: pubkey 32, balance 8, nonce 8, withdrawn 8)
  auto upd = store->db().prepare("UPDATE accounts SET leaf = ?2 WHERE idx = ?1");
  ASSERT_TRUE(upd);
  ASSERT_TRUE(upd->bind(1, static_cast<std::int64_t>(victim)).bind(2, ByteView(bad)).run());
  auto r = verify_store(*store, kChain, operator_key());
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("the accounts table's account " + std::to_string(victim)),
            std::string::npos)
      << r.error().message;
}

// read_history, gather and finish, as the sequencer's GET /v1/accounts/{id}?batch=n does.
Result<HistoricalAccount, HistoryError> account_as_of(StateStore& reader, const Engine& e, std::uint64_t n,
                                                      std::uint32_t i,
                                                      std::uint64_t max_changes = 1'000'000) {
  auto h = read_history(reader, BatchNumber(n), max_changes);
  if (!h) return make_error(h.error());
  HistoricalRead r(*h, AccountIndex(i), std::nullopt, true);
  if (!e.read_durable([&](const DurableView& v) { return r.gather(v); }))
    return make_error(HistoryError{HistoryErrorCode::moved, "the durable head moved", std::nullopt});
  return r.finish();
}

TEST_F(EngineTest, AccountsAndProofsAsOfEveryEarlierBatch) {
  auto e = open_engine(engine_options(path(), 3));  // checkpoints at 3 and 6: the accounts table moves on
  ASSERT_NE(e, nullptr);
  submit_batches(*e, ref_, work_, 8);
  ASSERT_TRUE(e->flush());
  auto reader = open_store(path());
  ASSERT_NE(reader, nullptr);
  const std::uint32_t size = e->state().size();
  ASSERT_GT(size, ref_.state_at(1).size()) << "the workload created no account after batch 1";
  for (std::uint64_t n = 0; n <= 8; ++n) {
    const State& s = ref_.state_at(n);
    SparseMerkleTree tree;
    for (std::uint32_t i = 0; i < s.size(); ++i) tree.set_leaf(i, account_leaf_hash(s.at(AccountIndex(i))));
    ASSERT_EQ(tree.update_root(), ref_.header_at(n).state_root);
    for (std::uint32_t i = 0; i <= size; ++i) {
      SCOPED_TRACE("batch " + std::to_string(n) + ", account " + std::to_string(i));
      auto r = account_as_of(*reader, *e, n, i);
      ASSERT_TRUE(r) << r.error().message;
      EXPECT_EQ(r->at, ref_.header_at(n));
      if (i < s.size()) {
        ASSERT_TRUE(r->account);
        EXPECT_EQ(*r->account, s.at(AccountIndex(i)));
        ASSERT_TRUE(r->proof);
        EXPECT_EQ(r->proof->siblings, tree.prove(i).siblings);
      } else {
        EXPECT_FALSE(r->account) << "an account created later does not exist yet";
        EXPECT_FALSE(r->proof);
      }
    }
  }
  // By public key: the key must still own the index it was resolved to.
  auto h = read_history(*reader, BatchNumber(2), 1'000'000);
  ASSERT_TRUE(h);
  const PublicKey owner = e->state().at(AccountIndex(1)).pubkey;
  HistoricalRead by_key(*h, AccountIndex(1), owner, false);
  ASSERT_TRUE(e->read_durable([&](const DurableView& v) { return by_key.gather(v); }));
  auto k = by_key.finish();
  ASSERT_TRUE(k);
  EXPECT_EQ(k->account, ref_.state_at(2).at(AccountIndex(1)));
  EXPECT_FALSE(k->proof) << "not asked for";
  HistoricalRead stale_key(*h, AccountIndex(1), e->state().at(AccountIndex(2)).pubkey, false);
  EXPECT_FALSE(e->read_durable([&](const DurableView& v) { return stale_key.gather(v); }));

  // Past the head; too many changes since n.
  auto past = read_history(*reader, BatchNumber(9), 1'000'000);
  ASSERT_FALSE(past);
  EXPECT_EQ(past.error().code, HistoryErrorCode::past_head);
  auto deep = read_history(*reader, BatchNumber(0), 10);
  ASSERT_FALSE(deep);
  EXPECT_EQ(deep.error().code, HistoryErrorCode::too_deep);
  EXPECT_NE(deep.error().message.find("http.max_history_changes"), std::string::npos) << deep.error().message;

  // The durable head moves between the read and the gather: read again.
  auto before = read_history(*reader, BatchNumber(4), 1'000'000);
  ASSERT_TRUE(before);
  submit_batches(*e, ref_, work_, 1);
  ASSERT_TRUE(e->flush());
  HistoricalRead moved(*before, AccountIndex(1), std::nullopt, true);
  EXPECT_FALSE(e->read_durable([&](const DurableView& v) { return moved.gather(v); }));
  // Extending the read with just the new batch gives what a read from scratch gives.
  const std::uint64_t entries = before->entries;
  ASSERT_TRUE(extend_history(*reader, *before, 1'000'000));
  EXPECT_EQ(before->head, ref_.header_at(9));
  EXPECT_GT(before->entries, entries);
  auto fresh = read_history(*reader, BatchNumber(4), 1'000'000);
  ASSERT_TRUE(fresh);
  EXPECT_EQ(before->entries, fresh->entries);
  EXPECT_EQ(before->size_at, fresh->size_at);
  ASSERT_EQ(before->before.size(), fresh->before.size());
  for (std::size_t j = 0; j < fresh->before.size(); ++j) {
    EXPECT_EQ(before->before[j].index, fresh->before[j].index) << j;
    EXPECT_EQ(before->before[j].before, fresh->before[j].before) << j;
  }
  HistoricalRead extended(*before, AccountIndex(1), std::nullopt, true);
  ASSERT_TRUE(e->read_durable([&](const DurableView& v) { return extended.gather(v); }));
  auto got = extended.finish();
  auto want = account_as_of(*reader, *e, 4, 1);
  ASSERT_TRUE(got && want);
  EXPECT_EQ(got->account, ref_.state_at(4).at(AccountIndex(1)));
  EXPECT_EQ(got->proof->siblings, want->proof->siblings);
  // Over the limit while extending: refused, and the read is left as it was.
  auto limited = read_history(*reader, BatchNumber(8), 1'000'000);
  ASSERT_TRUE(limited);
  submit_batches(*e, ref_, work_, 1);
  ASSERT_TRUE(e->flush());
  auto over = extend_history(*reader, *limited, limited->entries);
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().code, HistoryErrorCode::too_deep);
  EXPECT_EQ(limited->head, ref_.header_at(9));
  ASSERT_TRUE(account_as_of(*reader, *e, 4, 1));

  // A diff that passes its row check but does not lead back to the earlier root: refused,
  // naming the batches, never answered.
  auto original = reader->batch(BatchNumber(6));
  ASSERT_TRUE(original && *original);
  StoredBatch edited = **original;
  auto changes = decode_changes(edited.changes, ref_.state_at(5).accounts());
  ASSERT_TRUE(changes);
  auto victim =
      std::find_if(changes->begin(), changes->end(), [](const AccountChange& c) { return c.before; });
  ASSERT_NE(victim, changes->end());
  victim->before->nonce = Nonce(victim->before->nonce.value() + 1);
  edited.changes = encode_changes(*changes);
  rewrite_row(*reader, edited);
  auto wrong = account_as_of(*reader, *e, 5, 0);
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, HistoryErrorCode::root_mismatch);
  EXPECT_NE(wrong.error().message.find("batches 6 to 10 do not lead back to batch 5"), std::string::npos)
      << wrong.error().message;
  EXPECT_TRUE(account_as_of(*reader, *e, 6, 0)) << "batch 6's own diff is not needed as of 6";
  rewrite_row(*reader, **original);
  EXPECT_TRUE(account_as_of(*reader, *e, 5, 0));

  // A rollback below a read's head: that read must start again from scratch.
  auto at9 = read_history(*reader, BatchNumber(4), 1'000'000);
  ASSERT_TRUE(at9);
  ASSERT_TRUE(e->rollback_to(BatchNumber(9)));
  auto stale = extend_history(*reader, *at9, 1'000'000);
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, HistoryErrorCode::moved);
  EXPECT_TRUE(extend_history(*reader, *before, 1'000'000)) << "its head, batch 9, still stands";
  ASSERT_TRUE(account_as_of(*reader, *e, 4, 1));
}

TEST_F(EngineTest, SchemaVersion4DatabaseGetsItsRowHashes) {
  {
    auto e = open_engine(engine_options(path()));
    ASSERT_NE(e, nullptr);
    submit_batches(*e, ref_, work_, 4);
  }
  std::vector<Bytes> before;
  {
    auto store = open_store(path());
    ASSERT_NE(store, nullptr);
    auto st = store->db().prepare("SELECT row_hash FROM batches ORDER BY number");
    ASSERT_TRUE(st);
    for (;;) {
      auto row = st->step();
      ASSERT_TRUE(row);
      if (!*row) break;
      ByteView v = st->column_blob(0);
      before.emplace_back(v.begin(), v.end());
    }
    ASSERT_EQ(before.size(), 5u);
    ASSERT_TRUE(store->db().exec(
        "ALTER TABLE batches DROP COLUMN receipts_hash; ALTER TABLE batches DROP COLUMN changes_hash; "
        "ALTER TABLE batches DROP COLUMN witnesses_hash; ALTER TABLE batches DROP COLUMN origin_hash; "
        "ALTER TABLE batches DROP COLUMN row_hash; PRAGMA user_version = 4"));
  }
  auto store = open_store(path());
  ASSERT_NE(store, nullptr);
  auto st = store->db().prepare("SELECT row_hash FROM batches ORDER BY number");
  ASSERT_TRUE(st);
  for (const Bytes& want : before) {
    auto row = st->step();
    ASSERT_TRUE(row && *row);
    ByteView v = st->column_blob(0);
    EXPECT_EQ(to_hex(v), to_hex(want)) << "the migration's row hash is the one a write gives";
  }
  st->reset();
  EXPECT_TRUE(verify_store(*store, kChain, operator_key()));
  auto e = open_engine(engine_options(path()));
  ASSERT_NE(e, nullptr);
  expect_engine_at(*e, ref_, 4);
}

// A rollback reverts on a copy of the state: until the database has moved, memory stays
// the durable state, so a failure leaves readers the truth, never a half-reverted state.
TEST_F(EngineTest, ARollbackThatFailsBeforeTheDatabaseMovesChangesNothing) {
  auto e = open_engine(engine_options(path()));
  ASSERT_NE(e, nullptr);
  submit_batches(*e, ref_, work_, 4);
  ASSERT_TRUE(e->flush());
  auto other = open_store(path());
  ASSERT_NE(other, nullptr);
  auto original = other->batch(BatchNumber(4));
  ASSERT_TRUE(original && *original);
  StoredBatch damaged = **original;
  damaged.changes[damaged.changes.size() / 2] ^= 0x01;  // a flipped bit in batch 4's diff
  auto upd = other->db().prepare("UPDATE batches SET changes = ?2 WHERE number = ?1");
  ASSERT_TRUE(upd);
  ASSERT_TRUE(upd->bind(1, std::int64_t{4}).bind(2, ByteView(damaged.changes)).run());
  auto r = e->rollback_to(BatchNumber(2));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, EngineErrorCode::corrupt);
  EXPECT_NE(r.error().message.find("batch 4 is damaged"), std::string::npos) << r.error().message;
  EXPECT_FALSE(e->poisoned()) << "nothing changed: the engine goes on";
  expect_engine_at(*e, ref_, 4);
  e->read_durable([&](const DurableView& v) {
    EXPECT_EQ(v.head(), ref_.header_at(4));
    for (std::uint32_t i = 0; i < v.size(); ++i)
      EXPECT_TRUE(verify_merkle_proof(v.head().state_root, account_leaf_hash(v.at(AccountIndex(i))),
                                      v.prove(AccountIndex(i))));
  });
  rewrite_row(*other, **original);
  ASSERT_TRUE(e->rollback_to(BatchNumber(2)));
  expect_engine_at(*e, ref_, 2);
}

TEST_F(EngineTest, ARollbackWhoseWriteFailsLeavesTheDurableStateToReaders) {
  EngineOptions options = engine_options(path());
  options.store.busy_timeout_ms = 300;
  auto e = open_engine(options);
  ASSERT_NE(e, nullptr);
  submit_batches(*e, ref_, work_, 4);
  ASSERT_TRUE(e->flush());
  DbOptions o;
  o.path = path();
  auto lock = Db::open(o);
  ASSERT_TRUE(lock);
  ASSERT_TRUE((*lock)->exec("BEGIN IMMEDIATE").ok());  // the rollback's write now times out
  auto r = e->rollback_to(BatchNumber(2));
  ASSERT_FALSE(r);
  EXPECT_TRUE(e->poisoned());
  // The database was not touched, and neither was memory: readers see batch 4.
  e->read_durable([&](const DurableView& v) {
    EXPECT_EQ(v.head(), ref_.header_at(4));
    EXPECT_EQ(v.size(), ref_.state_at(4).size());
    for (std::uint32_t i = 0; i < v.size(); ++i) {
      EXPECT_EQ(v.at(AccountIndex(i)), ref_.state_at(4).at(AccountIndex(i))) << i;
      EXPECT_TRUE(verify_merkle_proof(v.head().state_root, account_leaf_hash(v.at(AccountIndex(i))),
                                      v.prove(AccountIndex(i))));
    }
  });
  (*lock)->rollback();
  e.reset();
  auto reopened = open_engine(engine_options(path()));
  ASSERT_NE(reopened, nullptr);
  expect_engine_at(*reopened, ref_, 4);
}

TEST_F(EngineTest, OpenOnAnotherChainIsRefused) {
  { ASSERT_NE(open_engine(engine_options(path())), nullptr); }
  EngineOptions o = engine_options(path());
  o.store.chain_id = ChainId(kChain.value() + 1);
  auto e = Engine::open(o);
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().code, EngineErrorCode::corrupt);
  EXPECT_NE(e.error().message.find("wrong_chain"), std::string::npos) << e.error().message;
}

TEST_F(EngineTest, OpenDetectsAStateThatDoesNotMatchTheRecordedRoot) {
  {
    auto e = open_engine(engine_options(path(), 1));
    ASSERT_NE(e, nullptr);
    submit_batches(*e, ref_, work_, 2);
  }
  {
    auto store = open_store(path());
    ASSERT_NE(store, nullptr);
    Account a = ref_.state().at(AccountIndex(1));
    a.balance = Amount(a.balance.value() + 1);
    auto leaf = encode_leaf(a);
    auto st = store->db().prepare("UPDATE accounts SET leaf = ?1 WHERE idx = 1");
    ASSERT_TRUE(st);
    ASSERT_TRUE(st->bind(1, ByteView(leaf)).run());
  }
  auto e = Engine::open(engine_options(path(), 1));
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().code, EngineErrorCode::corrupt);
}

// A second writer appends the batch the engine is about to commit: the engine's commit
// fails, it is poisoned, and a reopened engine continues from what is on disk.
TEST_F(EngineTest, CommitFailurePoisonsTheEngineUntilReopened) {
  auto e = open_engine(engine_options(path()));
  ASSERT_NE(e, nullptr);
  submit_batches(*e, ref_, work_, 1);
  ASSERT_TRUE(e->flush());

  const std::vector<Tx> txs = work_.next(ref_.state());
  const StoredBatch b2 = ref_.next(txs, 5);
  {
    auto intruder = open_store(path());
    ASSERT_NE(intruder, nullptr);
    auto s = intruder->append_batch(b2);
    ASSERT_TRUE(s) << describe(s.error());
  }
  auto first = e->submit(BatchInput{txs, {}, 5});
  auto second = e->submit(BatchInput{work_.next(ref_.state()), {}, 6});
  auto r1 = first.get();
  ASSERT_FALSE(r1);
  EXPECT_NE(r1.error().code, EngineErrorCode::poisoned);
  EXPECT_NE(r1.error().code, EngineErrorCode::invalid_argument);
  auto r2 = second.get();
  ASSERT_FALSE(r2);
  EXPECT_EQ(r2.error().code, EngineErrorCode::poisoned);
  auto r3 = e->submit(BatchInput{{}, {}, 7}).get();
  ASSERT_FALSE(r3);
  EXPECT_EQ(r3.error().code, EngineErrorCode::poisoned);
  EXPECT_FALSE(e->flush());
  EXPECT_FALSE(e->checkpoint());
  EXPECT_FALSE(e->rollback_to(BatchNumber(1)));
  e.reset();

  auto reopened = open_engine(engine_options(path()));
  ASSERT_NE(reopened, nullptr);
  expect_engine_at(*reopened, ref_, 2);
  submit_batches(*reopened, ref_, work_, 1);
  expect_engine_at(*reopened, ref_, 3);
}

// ---- crash recovery (forked child processes) ------------------------------------------------

// Runs `body` in a child process and returns its wait status. The body must end the
// child itself (a crash at a fault point); if it returns, the child exits with 3.
int run_in_child(const std::function<void()>& body) {
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    body();
    ::_exit(3);
  }
  int status = 0;
  if (pid < 0 || ::waitpid(pid, &status, 0) != pid) ADD_FAILURE() << "fork/waitpid failed";
  return status;
}

// In the child: the store on `path`, or exit 4.
std::unique_ptr<StateStore> child_store(const std::string& path) {
  auto s = StateStore::open(store_options(path));
  if (!s) ::_exit(4);
  return std::move(*s);
}

class EngineCrashTest : public EngineTest {
 protected:
  void SetUp() override {
    for (int b = 0; b < 3; ++b) batches_.push_back(ref_.next(work_.next(ref_.state()), 100 + b));
  }

  // Reopens after the crash: the store and an engine both show batch n's state.
  void expect_recovered_at(std::uint64_t n, std::uint64_t checkpoint) {
    {
      auto store = open_store(path());
      ASSERT_NE(store, nullptr);
      EXPECT_EQ(store->checkpoint_batch(), BatchNumber(checkpoint));
      auto loaded = store->load();
      ASSERT_TRUE(loaded) << describe(loaded.error());
      EXPECT_EQ(loaded->head, ref_.header_at(n));
      EXPECT_TRUE(same_state(loaded->state, ref_.state_at(n)));
      EXPECT_EQ(test::root_of(loaded->state), loaded->head.state_root);
      auto next = store->header(BatchNumber(n + 1));
      ASSERT_TRUE(next);
      EXPECT_FALSE(next->has_value());
    }
    auto e = open_engine(engine_options(path()));
    ASSERT_NE(e, nullptr);
    expect_engine_at(*e, ref_, n);
  }

  std::vector<StoredBatch> batches_;
};

TEST_F(EngineCrashTest, KilledBeforeCommitKeepsThePreviousBatch) {
  const std::string p = path();
  const int status = run_in_child([&] {
    auto store = child_store(p);
    if (!store->append_batch(batches_[0])) ::_exit(5);
    store->db().set_fault_hook([](std::string_view point) -> std::optional<DbError> {
      if (point == "append_batch:before_commit") std::raise(SIGKILL);
      return std::nullopt;
    });
    (void)store->append_batch(batches_[1]);
  });
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exited with " << WEXITSTATUS(status);
  EXPECT_EQ(WTERMSIG(status), SIGKILL);
  expect_recovered_at(1, 0);

  // The lost batch can be submitted again and lands where it would have.
  auto e = open_engine(engine_options(path()));
  ASSERT_NE(e, nullptr);
  auto txs = decode_txs(batches_[1].txs);
  ASSERT_TRUE(txs);
  auto r = e->submit(BatchInput{*txs, {}, batches_[1].header.timestamp_ms}).get();
  ASSERT_TRUE(r) << describe(r.error());
  EXPECT_EQ(r->header, batches_[1].header);
}

TEST_F(EngineCrashTest, ExitAtCommitKeepsThePreviousBatch) {
  const std::string p = path();
  const int status = run_in_child([&] {
    auto store = child_store(p);
    for (int b = 0; b < 2; ++b)
      if (!store->append_batch(batches_[static_cast<std::size_t>(b)])) ::_exit(5);
    store->db().set_fault_hook([](std::string_view point) -> std::optional<DbError> {
      if (point == "db:commit") ::_exit(42);
      return std::nullopt;
    });
    (void)store->append_batch(batches_[2]);
  });
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 42);
  expect_recovered_at(2, 0);
}

TEST_F(EngineCrashTest, CrashHalfwayThroughACheckpointKeepsTheLastBatch) {
  const std::string p = path();
  auto pending = ref_.take_pending();
  ASSERT_GE(pending.size(), 4u);  // "halfway" is a real midpoint
  const int status = run_in_child([&] {
    auto store = child_store(p);
    for (const auto& b : batches_)
      if (!store->append_batch(b)) ::_exit(5);
    store->db().set_fault_hook([](std::string_view point) -> std::optional<DbError> {
      if (point == "checkpoint:halfway") std::raise(SIGKILL);
      return std::nullopt;
    });
    (void)store->checkpoint(BatchNumber(3), pending);
  });
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exited with " << WEXITSTATUS(status);
  expect_recovered_at(3, 0);
}

TEST_F(EngineCrashTest, CrashDuringRollbackKeepsTheHead) {
  const std::string p = path();
  auto pending = ref_.take_pending();
  const State at1 = ref_.state_at(1);
  const int status = run_in_child([&] {
    auto store = child_store(p);
    for (const auto& b : batches_)
      if (!store->append_batch(b)) ::_exit(5);
    if (!store->checkpoint(BatchNumber(3), pending)) ::_exit(6);
    store->db().set_fault_hook([](std::string_view point) -> std::optional<DbError> {
      if (point == "checkpoint:halfway" || point == "db:commit") std::raise(SIGKILL);
      return std::nullopt;
    });
    (void)store->rollback_to(BatchNumber(1), at1);
  });
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exited with " << WEXITSTATUS(status);
  expect_recovered_at(3, 3);
}

}  // namespace
}  // namespace l2::rollup
