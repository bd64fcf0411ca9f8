// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// The engine's pipeline with readers on other threads: read_durable() must only ever
// show a state whose batch is durable, consistent with its own root, and never wait for
// a commit to show it. Runs under
// ThreadSanitizer (label "concurrency").
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "common/merkle.hpp"
#include "common/sqlite.hpp"
#include "rollup/engine.hpp"
#include "tests/unit/test_util.hpp"
#include "tests/unit/workloads.hpp"

namespace l2::rollup {
namespace {

using test::TempDir;

EngineOptions engine_options(const TempDir& dir, const testing::Universe& u) {
  EngineOptions options;
  options.store.path = dir.file("rollup.db");
  options.store.chain_id = ChainId(7);
  options.store.operator_key = u.key(0).public_key();
  options.threads = 2;
  return options;
}

// Deposits creating accounts [from, to), each with the deposit position of its index.
BatchInput deposits(const testing::Universe& u, std::size_t from, std::size_t to, std::uint64_t amount) {
  BatchInput b;
  for (std::size_t i = from; i < to; ++i)
    b.txs.push_back(Deposit{DepositPosition(i), AccountIndex(static_cast<std::uint32_t>(i)),
                            u.key(i).public_key(), Amount(amount)});
  return b;
}

TEST(EngineConcurrency, ReadersSeeOnlyDurableConsistentStates) {
  TempDir dir;
  testing::Universe u(64, 0, 5);
  EngineOptions options = engine_options(dir, u);
  options.checkpoint_every = 3;
  auto opened = Engine::open(options);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  Engine& engine = **opened;

  // Fund accounts 1..63 by deposit, then run transfer batches while readers read.
  auto funded = engine.submit(deposits(u, 1, 64, 1'000'000'000)).get();
  ASSERT_TRUE(funded.ok());
  u.set_state(engine.state());

  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> reads{0};
  auto reader = [&] {
    std::uint64_t last = 0;
    std::uint32_t k = 0;
    while (!stop.load()) {
      engine.read_durable([&](const DurableView& view) {
        const BatchHeader& head = view.head();
        // Durable: the engine has acknowledged this batch (or is about to, under our lock).
        EXPECT_LE(head.number.value(), engine.durable_head().value());
        EXPECT_GE(head.number.value(), last);  // never goes back
        last = head.number.value();
        // Accounts and proofs are those of that batch's root, whatever is in flight.
        EXPECT_EQ(view.size(), 64u);
        const AccountIndex i(k++ % 64);
        EXPECT_TRUE(verify_merkle_proof(head.state_root, account_leaf_hash(view.at(i)), view.prove(i)));
        EXPECT_TRUE(verify_merkle_proof(head.state_root, std::nullopt, view.prove(AccountIndex(64))));
      });
      ++reads;
    }
  };
  std::thread r1(reader);
  std::thread r2(reader);
  constexpr int kBatches = 8;
  std::vector<Engine::Ack> acks;
  for (int b = 0; b < kBatches; ++b) {
    auto txs = u.make_batch(testing::Workload::uniform, 200, ChainId(7));
    acks.push_back(engine.submit(BatchInput{std::move(txs), {}, b}));
    u.set_state(engine.state());
  }
  for (auto& a : acks) {
    auto r = a.get();
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->header.applied_count, 200u);
  }
  ASSERT_TRUE(engine.flush().ok());
  stop = true;
  r1.join();
  r2.join();
  EXPECT_GT(reads.load(), 0u);
  EXPECT_EQ(engine.durable_head().value(), 1u + kBatches);
  engine.read_durable([&](const DurableView& view) {
    EXPECT_EQ(view.head().number.value(), 1u + kBatches);
    EXPECT_EQ(view.head().state_root, engine.state_root());
  });
}

// A durable read never waits for a commit: while another connection holds the
// database's write lock, the engine executes batches it cannot make durable, and a
// reader still gets, at once, the accounts, proofs and head of the last durable batch,
// exactly as they were before those batches (the accounts they create included).
TEST(EngineConcurrency, DurableReadsDoNotWaitForACommit) {
  TempDir dir;
  testing::Universe u(32, 16, 5);  // 16 spare keys for the accounts created later
  const EngineOptions options = engine_options(dir, u);
  auto opened = Engine::open(options);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  Engine& engine = **opened;
  ASSERT_TRUE(engine.submit(deposits(u, 1, 32, 1'000'000'000)).get().ok());
  u.set_state(engine.state());

  // The durable state, as the owner sees it while nothing is in flight.
  const BatchHeader head = engine.head();
  std::vector<Account> accounts(engine.state().accounts().begin(), engine.state().accounts().end());
  std::vector<MerkleProof> proofs;
  for (std::uint32_t i = 0; i <= 40; ++i) proofs.push_back(engine.prove(AccountIndex(i)));

  auto lock = Db::open(DbOptions{options.store.path});
  ASSERT_TRUE(lock.ok());
  ASSERT_TRUE((*lock)->exec("BEGIN IMMEDIATE").ok());  // the commit thread now waits for it
  std::vector<Engine::Ack> acks;
  for (int b = 0; b < 3; ++b) {
    auto txs = u.make_batch(testing::Workload::uniform, 100, ChainId(7));
    acks.push_back(engine.submit(BatchInput{std::move(txs), {}, b}));
    u.set_state(engine.state());
  }
  acks.push_back(engine.submit(deposits(u, 32, 40, 5)));  // accounts 32..39, not yet durable
  ASSERT_EQ(engine.head().number.value(), head.number.value() + 4);
  ASSERT_NE(engine.state_root(), head.state_root);

  engine.read_durable([&](const DurableView& view) {
    EXPECT_EQ(view.head(), head);
    EXPECT_EQ(view.size(), 32u);
    EXPECT_FALSE(view.contains(AccountIndex(32)));
    EXPECT_EQ(view.find(u.key(33).public_key()), std::nullopt);
    EXPECT_EQ(view.find(u.key(5).public_key()), AccountIndex(5));
    for (std::uint32_t i = 0; i < 32; ++i) EXPECT_EQ(view.at(AccountIndex(i)), accounts[i]) << i;
    for (std::uint32_t i = 0; i <= 40; ++i) {
      EXPECT_EQ(view.prove(AccountIndex(i)).siblings, proofs[i].siblings) << i;
      EXPECT_EQ(view.prove(AccountIndex(i)).index, AccountIndex(i));
    }
  });
  EXPECT_EQ(engine.durable_head(), head.number);  // nothing became durable meanwhile
  ASSERT_TRUE((*lock)->exec("COMMIT").ok());

  for (auto& a : acks) {
    auto r = a.get();
    ASSERT_TRUE(r.ok()) << r.error().message;
  }
  engine.read_durable([&](const DurableView& view) {
    EXPECT_EQ(view.head(), engine.head());
    EXPECT_EQ(view.size(), 40u);
    EXPECT_EQ(view.find(u.key(33).public_key()), AccountIndex(33));
    for (std::uint32_t i = 0; i <= 40; ++i)
      EXPECT_EQ(view.prove(AccountIndex(i)).siblings, engine.prove(AccountIndex(i)).siblings) << i;
  });
}

// A commit that fails (here: another connection keeps the write lock past the busy
// timeout) poisons the engine; readers then see the last durable state, never the
// batches that were executed but will not become durable, and reopening loads exactly
// that state.
TEST(EngineConcurrency, APoisonedEngineShowsTheLastDurableState) {
  TempDir dir;
  testing::Universe u(16, 0, 5);
  EngineOptions options = engine_options(dir, u);
  options.store.busy_timeout_ms = 300;
  auto opened = Engine::open(options);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  std::unique_ptr<Engine> engine = std::move(*opened);
  ASSERT_TRUE(engine->submit(deposits(u, 1, 16, 1'000'000)).get().ok());
  u.set_state(engine->state());
  const BatchHeader durable = engine->head();
  const std::vector<Account> accounts(engine->state().accounts().begin(), engine->state().accounts().end());

  auto lock = Db::open(DbOptions{options.store.path});
  ASSERT_TRUE(lock.ok());
  ASSERT_TRUE((*lock)->exec("BEGIN IMMEDIATE").ok());
  auto txs1 = u.make_batch(testing::Workload::uniform, 50, ChainId(7));
  auto txs2 = u.make_batch(testing::Workload::uniform, 50, ChainId(7));  // the generator keeps the nonces
  // Both are executed well within the busy timeout, before the first commit fails.
  auto first = engine->submit(BatchInput{std::move(txs1), {}, 1});
  auto second = engine->submit(BatchInput{std::move(txs2), {}, 2});
  auto r1 = first.get();
  auto r2 = second.get();
  ASSERT_TRUE((*lock)->exec("COMMIT").ok());
  ASSERT_FALSE(r1.ok());
  EXPECT_EQ(r1.error().code, EngineErrorCode::storage);
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(r2.error().code, EngineErrorCode::poisoned);
  EXPECT_TRUE(engine->poisoned());
  EXPECT_EQ(engine->head().number.value(), durable.number.value() + 2);  // executed, never durable

  engine->read_durable([&](const DurableView& view) {
    EXPECT_EQ(view.head(), durable);
    ASSERT_EQ(view.size(), accounts.size());
    for (std::uint32_t i = 0; i < view.size(); ++i) {
      EXPECT_EQ(view.at(AccountIndex(i)), accounts[i]) << i;
      EXPECT_TRUE(verify_merkle_proof(durable.state_root, account_leaf_hash(accounts[i]),
                                      view.prove(AccountIndex(i))));
    }
  });
  engine.reset();
  auto reopened = Engine::open(options);
  ASSERT_TRUE(reopened.ok()) << reopened.error().message;
  EXPECT_EQ((*reopened)->head(), durable);
  EXPECT_TRUE(std::equal(accounts.begin(), accounts.end(), (*reopened)->state().accounts().begin(),
                         (*reopened)->state().accounts().end()));
}

}  // namespace
}  // namespace l2::rollup
