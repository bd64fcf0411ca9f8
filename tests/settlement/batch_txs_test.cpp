// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// The derived tx list of a batch (settlement/batch_txs.hpp): the order deposits, forced
// txs, user txs; the deposit conversion; the refusals; and locate() agreeing with the
// list at every position.
#include <gtest/gtest.h>

#include <variant>
#include <vector>

#include "settlement/batch_txs.hpp"
#include "tests/unit/test_util.hpp"

namespace l2::settlement {
namespace {

using test::make_transfer;
using test::make_withdraw;
using test::test_key;

const ChainId kChain{7};

struct Queues {
  std::vector<QueuedDeposit> deposits;
  std::vector<QueuedForced> forced;
};

Queues queues(std::uint64_t deposit_from, std::size_t deposits, std::uint64_t forced_from,
              std::size_t forced) {
  Queues q;
  for (std::size_t i = 0; i < deposits; ++i) {
    const auto key = test_key(static_cast<std::uint8_t>(10 + i));
    q.deposits.push_back(QueuedDeposit{DepositPosition(deposit_from + i), key.public_key(),
                                       AccountIndex(static_cast<std::uint32_t>(3 + i)), Amount(100 + i),
                                       ChainTime()});
  }
  for (std::size_t i = 0; i < forced; ++i)
    q.forced.push_back(QueuedForced{ForcedPosition(forced_from + i),
                                    make_withdraw(kChain, test_key(2), 2, 5 + i, 1, i), ChainTime()});
  return q;
}

TEST(BatchTxs, OrderIsDepositsThenForcedThenUserAndLocateAgrees) {
  const BatchOrigin origin{DepositPosition(4), DepositPosition(7), ForcedPosition(10), ForcedPosition(12)};
  const Queues q = queues(4, 3, 10, 2);
  const std::vector<rollup::Tx> user{make_transfer(kChain, test_key(1), 1, 2, 9, 1, 0),
                                     make_transfer(kChain, test_key(1), 1, 3, 8, 1, 1)};
  auto list = batch_txs(origin, q.deposits, q.forced, user);
  ASSERT_TRUE(list) << list.error();
  ASSERT_EQ(list->size(), 7u);
  for (std::uint64_t pos = 0; pos < list->size(); ++pos) {
    const TxPlace place = locate(origin, pos);
    const rollup::Tx& tx = (*list)[pos];
    switch (place.source) {
      case TxSource::deposit: {
        const auto& d = q.deposits.at(place.index - origin.deposits_from.value());
        ASSERT_TRUE(std::holds_alternative<rollup::Deposit>(tx));
        const auto& dep = std::get<rollup::Deposit>(tx);
        EXPECT_EQ(dep.deposit_id, d.index);
        EXPECT_EQ(dep.to_index, d.account);
        EXPECT_EQ(dep.to, d.recipient);
        EXPECT_EQ(dep.amount, d.amount);
        EXPECT_EQ(tx, deposit_tx(d));
        break;
      }
      case TxSource::forced:
        EXPECT_EQ(tx, q.forced.at(place.index - origin.forced_from.value()).tx);
        break;
      case TxSource::user:
        EXPECT_EQ(tx, user.at(place.index));
        break;
    }
  }
  EXPECT_EQ(locate(origin, 0), (TxPlace{TxSource::deposit, 4}));
  EXPECT_EQ(locate(origin, 2), (TxPlace{TxSource::deposit, 6}));
  EXPECT_EQ(locate(origin, 3), (TxPlace{TxSource::forced, 10}));
  EXPECT_EQ(locate(origin, 5), (TxPlace{TxSource::user, 0}));
  EXPECT_EQ(locate(origin, 99), (TxPlace{TxSource::user, 94}));
  // No queues: every position is a user tx.
  EXPECT_EQ(
      locate(BatchOrigin{DepositPosition(5), DepositPosition(5), ForcedPosition(1), ForcedPosition(1)}, 0),
      (TxPlace{TxSource::user, 0}));
}

TEST(BatchTxs, RefusesEntriesTheOriginDoesNotName) {
  const BatchOrigin origin{DepositPosition(4), DepositPosition(6), ForcedPosition(0), ForcedPosition(1)};
  Queues q = queues(4, 2, 0, 1);
  ASSERT_TRUE(batch_txs(origin, q.deposits, q.forced, {}));
  // A count that differs.
  auto short_deposits = std::vector<QueuedDeposit>(q.deposits.begin(), q.deposits.begin() + 1);
  auto r = batch_txs(origin, short_deposits, q.forced, {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), "the batch consumes 2 deposits, not 1");
  r = batch_txs(origin, q.deposits, {}, {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), "the batch consumes 1 forced txs, not 0");
  // An entry out of order.
  std::swap(q.deposits[0], q.deposits[1]);
  r = batch_txs(origin, q.deposits, q.forced, {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), "deposit queue entry 5 where 4 belongs");
  std::swap(q.deposits[0], q.deposits[1]);
  q.forced[0].index = ForcedPosition(1);
  r = batch_txs(origin, q.deposits, q.forced, {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), "forced queue entry 1 where 0 belongs");
  // A deposit can't be forced.
  q.forced[0] = QueuedForced{ForcedPosition(0), deposit_tx(q.deposits[0]), ChainTime()};
  r = batch_txs(origin, q.deposits, q.forced, {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), "forced queue entry 0 is a deposit, which can't be forced");
}

}  // namespace
}  // namespace l2::settlement
