// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// The engine's pipeline with readers on other threads: read_durable() must only ever
// show a state whose batch is durable, consistent with its own root. Runs under
// ThreadSanitizer (label "concurrency").
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "common/merkle.hpp"
#include "rollup/engine.hpp"
#include "tests/unit/test_util.hpp"
#include "tests/unit/workloads.hpp"

namespace l2::rollup {
namespace {

using test::TempDir;

TEST(EngineConcurrency, ReadersSeeOnlyDurableConsistentStates) {
  TempDir dir;
  testing::Universe u(64, 0, 5);
  EngineOptions options;
  options.store.path = dir.file("rollup.db");
  options.store.chain_id = ChainId(7);
  options.store.operator_key = u.key(0).public_key();
  options.threads = 2;
  options.checkpoint_every = 3;
  auto opened = Engine::open(options);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  Engine& engine = **opened;

  // Fund accounts 1..63 by deposit, then run transfer batches while readers read.
  BatchInput funding;
  for (std::size_t i = 1; i < 64; ++i)
    funding.txs.push_back(Deposit{DepositPosition(i), AccountIndex(static_cast<std::uint32_t>(i)),
                                  u.key(i).public_key(), Amount(1'000'000'000)});
  auto funded = engine.submit(std::move(funding)).get();
  ASSERT_TRUE(funded.ok());
  u.set_state(engine.state());

  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> reads{0};
  std::atomic<std::uint64_t> max_seen{0};
  auto reader = [&] {
    while (!stop.load()) {
      engine.read_durable([&](const State& s, const SparseMerkleTree& tree, const BatchHeader& head) {
        // Durable: the engine has acknowledged this batch (or is about to, under our lock).
        EXPECT_LE(head.number.value(), engine.durable_head().value());
        EXPECT_EQ(tree.root(), head.state_root);
        EXPECT_EQ(s.size(), tree.leaf_count());
        EXPECT_EQ(tree.leaf(1), account_leaf_hash(s.at(AccountIndex(1))));
        EXPECT_GE(head.number.value(), max_seen.load());  // never goes back
        max_seen = head.number.value();
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
  engine.read_durable([&](const State&, const SparseMerkleTree&, const BatchHeader& head) {
    EXPECT_EQ(head.number.value(), 1u + kBatches);
    EXPECT_EQ(head.state_root, engine.state_root());
  });
}

}  // namespace
}  // namespace l2::rollup
