// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// The mempool: ingest checks, per-sender nonce order, held txs, the bound, drops.
#include "sequencer/mempool.hpp"

#include <gtest/gtest.h>

#include <map>

namespace l2::sequencer {
namespace {

constexpr ChainId kChain{7};

PendingTx make_tx(std::uint32_t from, std::uint64_t nonce, Clock::time_point at = Clock::time_point(),
                  std::uint64_t fee = 1) {
  rollup::Tx tx = rollup::Transfer{
      AccountIndex(from), AccountIndex(from + 1000), Amount(10), Amount(fee), Nonce(nonce), Signature()};
  return PendingTx{tx, rollup::tx_hash(kChain, tx), rollup::SigCheck::unchecked, at};
}

// (sender, nonce) of each taken tx, in batch order.
std::vector<std::pair<std::uint32_t, std::uint64_t>> order(const std::vector<PendingTx>& txs) {
  std::vector<std::pair<std::uint32_t, std::uint64_t>> out;
  for (const auto& p : txs) {
    auto [s, n] = sender_and_nonce(p.tx);
    out.emplace_back(s.value(), n.value());
  }
  return out;
}

// Every sender starts at the nonces given here (0 otherwise): the state after the batches
// submitted so far.
struct Nonces {
  std::map<std::uint32_t, std::uint64_t> next;
  Nonce operator()(AccountIndex a) const {
    auto it = next.find(a.value());
    return Nonce(it == next.end() ? 0 : it->second);
  }
};

MempoolOptions options(std::size_t max_txs = 100, std::uint64_t max_ahead = 8, std::uint32_t hold_ms = 1000) {
  MempoolOptions o;
  o.max_txs = max_txs;
  o.max_ahead = max_ahead;
  o.max_hold_ms = hold_ms;
  return o;
}

TEST(Mempool, TakesInArrivalOrder) {
  Mempool m(options());
  ASSERT_EQ(m.add(make_tx(1, 0), Nonce(0)), AddResult::added);
  ASSERT_EQ(m.add(make_tx(2, 0), Nonce(0)), AddResult::added);
  ASSERT_EQ(m.add(make_tx(1, 1), Nonce(0)), AddResult::added);
  auto batch = m.take(10, Nonces{});
  EXPECT_EQ(order(batch), (std::vector<std::pair<std::uint32_t, std::uint64_t>>{{1, 0}, {2, 0}, {1, 1}}));
  EXPECT_EQ(m.queued(), 0u);
  EXPECT_EQ(m.size(), 3u);  // in flight until completed
}

TEST(Mempool, HoldsTxsAheadOfTheirNonceUntilTheGapIsFilled) {
  Mempool m(options());
  ASSERT_EQ(m.add(make_tx(1, 2), Nonce(0)), AddResult::added);
  ASSERT_EQ(m.add(make_tx(1, 1), Nonce(0)), AddResult::added);
  ASSERT_EQ(m.add(make_tx(2, 0), Nonce(0)), AddResult::added);
  auto first = m.take(10, Nonces{});
  EXPECT_EQ(order(first), (std::vector<std::pair<std::uint32_t, std::uint64_t>>{{2, 0}}));
  EXPECT_EQ(m.queued(), 2u);

  // Nonce 0 arrives last; the held 1 and 2 follow it in nonce order.
  ASSERT_EQ(m.add(make_tx(1, 0), Nonce(0)), AddResult::added);
  auto second = m.take(10, Nonces{});
  EXPECT_EQ(order(second), (std::vector<std::pair<std::uint32_t, std::uint64_t>>{{1, 0}, {1, 1}, {1, 2}}));
  EXPECT_EQ(m.queued(), 0u);
}

TEST(Mempool, StartsEachSenderAtItsNonceAfterSubmittedBatches) {
  Mempool m(options());
  ASSERT_EQ(m.add(make_tx(1, 5), Nonce(4)), AddResult::added);
  ASSERT_EQ(m.add(make_tx(1, 6), Nonce(4)), AddResult::added);
  // The engine's state already counts a batch in flight holding nonce 4.
  auto batch = m.take(10, Nonces{{{1, 5}}});
  EXPECT_EQ(order(batch), (std::vector<std::pair<std::uint32_t, std::uint64_t>>{{1, 5}, {1, 6}}));
  // Had nonce 4 not applied, 5 and 6 would stay held.
  Mempool m2(options());
  ASSERT_EQ(m2.add(make_tx(1, 5), Nonce(4)), AddResult::added);
  EXPECT_TRUE(m2.take(10, Nonces{{{1, 4}}}).empty());
}

TEST(Mempool, TakesStaleNoncesSoThatTheyFailVisibly) {
  Mempool m(options());
  ASSERT_EQ(m.add(make_tx(1, 3), Nonce(3)), AddResult::added);
  // Meanwhile another tx with nonce 3 was committed: the sender is at 4.
  auto batch = m.take(10, Nonces{{{1, 4}}});
  EXPECT_EQ(order(batch), (std::vector<std::pair<std::uint32_t, std::uint64_t>>{{1, 3}}));
}

TEST(Mempool, RespectsTheBatchSizeAndKeepsTheRestInOrder) {
  Mempool m(options());
  for (std::uint64_t n = 0; n < 5; ++n) ASSERT_EQ(m.add(make_tx(1, n), Nonce(0)), AddResult::added);
  auto first = m.take(2, Nonces{});
  EXPECT_EQ(order(first), (std::vector<std::pair<std::uint32_t, std::uint64_t>>{{1, 0}, {1, 1}}));
  auto second = m.take(10, Nonces{{{1, 2}}});
  EXPECT_EQ(order(second), (std::vector<std::pair<std::uint32_t, std::uint64_t>>{{1, 2}, {1, 3}, {1, 4}}));
}

TEST(Mempool, ChainedSuccessorsRespectTheBatchSize) {
  Mempool m(options());
  for (std::uint64_t n : {3u, 2u, 1u}) ASSERT_EQ(m.add(make_tx(1, n), Nonce(0)), AddResult::added);
  ASSERT_EQ(m.add(make_tx(1, 0), Nonce(0)), AddResult::added);
  auto first = m.take(2, Nonces{});
  EXPECT_EQ(order(first), (std::vector<std::pair<std::uint32_t, std::uint64_t>>{{1, 0}, {1, 1}}));
  auto second = m.take(10, Nonces{{{1, 2}}});
  EXPECT_EQ(order(second), (std::vector<std::pair<std::uint32_t, std::uint64_t>>{{1, 2}, {1, 3}}));
}

TEST(Mempool, RefusesDuplicates) {
  Mempool m(options());
  ASSERT_EQ(m.add(make_tx(1, 0), Nonce(0)), AddResult::added);
  EXPECT_EQ(m.add(make_tx(1, 0), Nonce(0)), AddResult::duplicate);
  // Still a duplicate while in flight; forgotten once completed.
  auto batch = m.take(10, Nonces{});
  ASSERT_EQ(batch.size(), 1u);
  EXPECT_EQ(m.add(make_tx(1, 0), Nonce(0)), AddResult::duplicate);
  m.complete(std::vector<Hash32>{batch[0].hash});
  EXPECT_EQ(m.size(), 0u);
  EXPECT_EQ(m.find(batch[0].hash), nullptr);
}

TEST(Mempool, RefusesASecondTxWithTheSameSenderAndNonce) {
  Mempool m(options());
  ASSERT_EQ(m.add(make_tx(1, 0, {}, 1), Nonce(0)), AddResult::added);
  EXPECT_EQ(m.add(make_tx(1, 0, {}, 2), Nonce(0)), AddResult::nonce_in_use);
  auto batch = m.take(10, Nonces{});
  EXPECT_EQ(m.add(make_tx(1, 0, {}, 2), Nonce(0)), AddResult::nonce_in_use);  // in flight
  m.complete(std::vector<Hash32>{batch[0].hash});
  EXPECT_EQ(m.add(make_tx(1, 0, {}, 2), Nonce(0)), AddResult::added);
}

TEST(Mempool, ChecksNoncesAgainstTheDurableNonce) {
  Mempool m(options(100, 8));
  EXPECT_EQ(m.add(make_tx(1, 4), Nonce(5)), AddResult::nonce_too_low);
  EXPECT_EQ(m.add(make_tx(1, 14), Nonce(5)), AddResult::nonce_too_high);
  EXPECT_EQ(m.add(make_tx(1, 13), Nonce(5)), AddResult::added);  // exactly max_ahead above
  EXPECT_EQ(m.add(make_tx(1, 5), Nonce(5)), AddResult::added);
  EXPECT_EQ(m.size(), 2u);
}

TEST(Mempool, IsBounded) {
  Mempool m(options(3));
  for (std::uint32_t s = 0; s < 3; ++s) ASSERT_EQ(m.add(make_tx(s, 0), Nonce(0)), AddResult::added);
  EXPECT_EQ(m.add(make_tx(9, 0), Nonce(0)), AddResult::mempool_full);
  // In-flight txs still count; completed ones free their place.
  auto batch = m.take(1, Nonces{});
  EXPECT_EQ(m.add(make_tx(9, 0), Nonce(0)), AddResult::mempool_full);
  m.complete(std::vector<Hash32>{batch[0].hash});
  EXPECT_EQ(m.add(make_tx(9, 0), Nonce(0)), AddResult::added);
  EXPECT_EQ(m.size(), 3u);
}

TEST(Mempool, DropsTxsHeldLongerThanMaxHold) {
  Mempool m(options(100, 8, 1000));
  const Clock::time_point t0 = Clock::now();
  ASSERT_EQ(m.add(make_tx(1, 1, t0), Nonce(0)), AddResult::added);  // held: nonce 0 is missing
  ASSERT_EQ(m.add(make_tx(2, 1, t0 + std::chrono::milliseconds(500)), Nonce(0)), AddResult::added);
  EXPECT_TRUE(m.take(10, Nonces{}).empty());
  EXPECT_TRUE(m.expire(t0 + std::chrono::milliseconds(999)).empty());
  auto dropped = m.expire(t0 + std::chrono::milliseconds(1000));
  ASSERT_EQ(dropped.size(), 1u);
  EXPECT_EQ(sender_and_nonce(dropped[0].tx).first, AccountIndex(1));
  EXPECT_EQ(m.size(), 1u);
  EXPECT_EQ(m.find(dropped[0].hash), nullptr);
  // The dropped tx's nonce is free again.
  EXPECT_EQ(m.add(make_tx(1, 1, t0, 5), Nonce(0)), AddResult::added);
  EXPECT_EQ(m.expire(t0 + std::chrono::milliseconds(1500)).size(), 2u);
  EXPECT_EQ(m.size(), 0u);
}

TEST(Mempool, InFlightTxsAreNeverDropped) {
  Mempool m(options(100, 8, 10));
  const Clock::time_point t0 = Clock::now();
  ASSERT_EQ(m.add(make_tx(1, 0, t0), Nonce(0)), AddResult::added);
  ASSERT_EQ(m.take(10, Nonces{}).size(), 1u);
  EXPECT_TRUE(m.expire(t0 + std::chrono::hours(1)).empty());
  EXPECT_EQ(m.size(), 1u);
}

TEST(Mempool, ClearQueuedLeavesInFlightTxs) {
  Mempool m(options());
  ASSERT_EQ(m.add(make_tx(1, 0), Nonce(0)), AddResult::added);
  ASSERT_EQ(m.add(make_tx(2, 3), Nonce(0)), AddResult::added);
  ASSERT_EQ(m.take(10, Nonces{}).size(), 1u);
  auto left = m.clear_queued();
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(sender_and_nonce(left[0].tx).first, AccountIndex(2));
  EXPECT_EQ(m.size(), 1u);
  EXPECT_EQ(m.queued(), 0u);
}

TEST(Mempool, KeepsPerSenderNonceOrderAcrossManySenders) {
  Mempool m(options(10000, 64));
  // Senders 0..9 each send nonces 0..9, in a scrambled arrival order.
  std::vector<std::pair<std::uint32_t, std::uint64_t>> arrivals;
  for (std::uint64_t n = 0; n < 10; ++n)
    for (std::uint32_t s = 0; s < 10; ++s) arrivals.emplace_back(s, (n * 7 + s) % 10);
  for (auto [s, n] : arrivals) ASSERT_EQ(m.add(make_tx(s, n), Nonce(0)), AddResult::added);
  Nonces nonces;
  std::size_t total = 0;
  for (int round = 0; round < 20 && m.queued() > 0; ++round) {
    auto batch = m.take(7, nonces);
    for (const auto& p : batch) {
      auto [s, n] = sender_and_nonce(p.tx);
      ASSERT_EQ(n.value(), nonces.next[s.value()]) << "sender " << s.value();
      nonces.next[s.value()] = n.value() + 1;
    }
    total += batch.size();
  }
  EXPECT_EQ(total, 100u);
}

}  // namespace
}  // namespace l2::sequencer
