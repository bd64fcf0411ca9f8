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
    ASSERT_TRUE(
        (*db)->exec("ALTER TABLE batches DROP COLUMN witnesses; ALTER TABLE batches DROP COLUMN origin; "
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
