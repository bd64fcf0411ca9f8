// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// Differential tests: the parallel executor at 1, 2, 4 and 8 threads against the
// sequential reference (apply_tx one tx at a time) on every workload; identical
// receipts, diffs, supply and state root, batch after batch. Plus the invariants
// (supply conserved, balances within supply, nonces advance by applied txs only).
// These tests also run under ThreadSanitizer (label "concurrency").
#include <gtest/gtest.h>

#include <map>

#include "common/merkle.hpp"
#include "rollup/executor.hpp"
#include "tests/unit/workloads.hpp"

namespace l2::rollup {
namespace {

using testing::Universe;
using testing::Workload;

#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
constexpr std::size_t kBatchSize = 400;
constexpr int kBatches = 2;
#else
constexpr std::size_t kBatchSize = 1500;
constexpr int kBatches = 3;
#endif
constexpr ChainId kChain{7};
const unsigned kThreadCounts[] = {1, 2, 4, 8};

Hash32 root_of(const State& s) {
  SparseMerkleTree tree;
  for (std::uint32_t i = 0; i < s.size(); ++i) tree.set_leaf(i, account_leaf_hash(s.at(AccountIndex(i))));
  return tree.update_root();
}

// Explains the first difference, so a failure names the tx or account.
std::string first_difference(const ExecutionResult& got, const ExecutionResult& want) {
  if (got.receipts.size() != want.receipts.size()) return "receipt count differs";
  for (std::size_t i = 0; i < got.receipts.size(); ++i)
    if (got.receipts[i] != want.receipts[i])
      return "tx " + std::to_string(i) + ": got " + std::string(to_string(got.receipts[i].status)) +
             ", want " + std::string(to_string(want.receipts[i].status));
  if (got.changes.size() != want.changes.size())
    return "changed account count " + std::to_string(got.changes.size()) + " vs " +
           std::to_string(want.changes.size());
  for (std::size_t i = 0; i < got.changes.size(); ++i)
    if (got.changes[i] != want.changes[i]) return "account " + std::to_string(want.changes[i].index.value());
  if (got.supply_after != want.supply_after) return "supply";
  if (got.applied != want.applied) return "applied count";
  return "";
}

struct Tally {
  std::map<TxStatus, std::size_t> by_status;
  std::size_t count(TxStatus s) const {
    auto it = by_status.find(s);
    return it == by_status.end() ? 0 : it->second;
  }
};

// Invariants every reference result must satisfy, checked from first principles.
Tally check_invariants(const State& before, std::span<const Tx> txs, const ExecutionResult& r) {
  Tally t;
  std::uint64_t deposited = 0;
  std::uint64_t withdrawn = 0;
  std::map<std::uint32_t, std::uint64_t> applied_by_sender;
  for (std::size_t i = 0; i < txs.size(); ++i) {
    ++t.by_status[r.receipts[i].status];
    if (r.receipts[i].status != TxStatus::applied) continue;
    if (const auto* d = std::get_if<Deposit>(&txs[i])) deposited += d->amount.value();
    if (const auto* w = std::get_if<Withdraw>(&txs[i])) {
      withdrawn += w->amount.value();
      ++applied_by_sender[w->from.value()];
    }
    if (const auto* x = std::get_if<Transfer>(&txs[i])) ++applied_by_sender[x->from.value()];
  }
  // Supply: deposits in, withdrawals out, fees only move (to account 0).
  EXPECT_EQ(r.supply_after.value(), before.supply().value() + deposited - withdrawn);
  State after = before;
  after.apply(r.changes);
  // Checked sum: it must never pass 2^64 - 1 and must land exactly on the supply.
  Amount sum;
  for (const auto& a : after.accounts()) {
    auto next = sum.checked_add(a.balance);
    if (!next) {
      ADD_FAILURE() << "balances sum past 2^64 - 1";
      return t;
    }
    sum = *next;
    EXPECT_LE(a.balance, r.supply_after);
  }
  EXPECT_EQ(sum, r.supply_after);
  // Nonces advance by exactly the number of applied txs from each sender.
  for (const auto& c : r.changes) {
    std::uint64_t before_nonce = c.before ? c.before->nonce.value() : 0;
    EXPECT_EQ(c.after.nonce.value() - before_nonce, applied_by_sender[c.index.value()])
        << "account " << c.index.value();
    EXPECT_GE(c.after.nonce.value(), before_nonce);
    if (c.before) {
      EXPECT_EQ(c.after.pubkey, c.before->pubkey);
      EXPECT_GE(c.after.withdrawn, c.before->withdrawn);
    }
  }
  return t;
}

// What each workload must actually exercise, so the differential test can't pass on
// a batch where everything trivially applies or trivially fails.
void check_coverage(Workload w, const Tally& t) {
  EXPECT_GT(t.count(TxStatus::applied), 0u) << to_string(w);
  switch (w) {
    case Workload::hot_spender:
      EXPECT_GT(t.count(TxStatus::insufficient_balance) + t.count(TxStatus::bad_nonce), 0u);
      break;
    case Workload::one_sender:
      EXPECT_GT(t.count(TxStatus::bad_nonce), 0u);
      EXPECT_GT(t.count(TxStatus::applied), t.count(TxStatus::bad_nonce));
      break;
    case Workload::near_max:
      EXPECT_GT(t.count(TxStatus::overflow), 0u);
      EXPECT_GT(t.count(TxStatus::insufficient_balance), 0u);
      break;
    case Workload::mixed_invalid:
      for (auto s : {TxStatus::bad_signature, TxStatus::unknown_account, TxStatus::bad_nonce,
                     TxStatus::insufficient_balance, TxStatus::overflow, TxStatus::self_transfer,
                     TxStatus::zero_amount})
        EXPECT_GT(t.count(s), 0u) << to_string(s);
      break;
    case Workload::deposits_interleaved:
      EXPECT_GT(t.count(TxStatus::unknown_account), 0u);
      break;
    default:
      break;
  }
}

class ExecutorDifferential : public ::testing::TestWithParam<Workload> {};

TEST_P(ExecutorDifferential, ParallelMatchesSequentialAtEveryThreadCount) {
  const Workload w = GetParam();
  Universe u(300, 200, 42 + static_cast<std::uint64_t>(w));
  u.fund_for(w);
  for (int batch = 0; batch < kBatches; ++batch) {
    const State before = u.state();
    std::vector<Tx> txs = u.make_batch(w, kBatchSize, kChain);
    ExecutionResult want = execute_sequential(before, kChain, txs);
    check_coverage(w, check_invariants(before, txs, want));
    State after = before;
    after.apply(want.changes);
    const Hash32 want_root = root_of(after);
    for (unsigned threads : kThreadCounts) {
      ThreadPool pool(threads);
      Executor ex(pool);
      ExecutionResult got = ex.execute(before, kChain, txs, ex.prepare(before, kChain, txs));
      ASSERT_EQ(first_difference(got, want), "")
          << to_string(w) << " batch " << batch << " threads " << threads;
      State mine = before;
      mine.apply(got.changes);
      ASSERT_EQ(root_of(mine), want_root);
    }
    u.set_state(std::move(after));
  }
}

INSTANTIATE_TEST_SUITE_P(AllWorkloads, ExecutorDifferential, ::testing::ValuesIn(testing::all_workloads()),
                         [](const auto& param_info) { return testing::to_string(param_info.param); });

// Batches that mix every workload in random order, over several seeds: the cases no
// single generator thought of.
TEST(ExecutorDifferential, MixedWorkloadsAcrossSeeds) {
  for (std::uint64_t seed = 1; seed <= 4; ++seed) {
    Universe u(120, 40, seed);
    std::mt19937_64 rng(seed);
    auto kinds = testing::all_workloads();
    std::vector<Tx> txs;
    for (int chunk = 0; chunk < 8; ++chunk) {
      auto part = u.make_batch(kinds[rng() % kinds.size()], 60, kChain);
      txs.insert(txs.end(), part.begin(), part.end());
    }
    std::shuffle(txs.begin(), txs.end(), rng);
    ExecutionResult want = execute_sequential(u.state(), kChain, txs);
    check_invariants(u.state(), txs, want);
    for (unsigned threads : kThreadCounts) {
      ThreadPool pool(threads);
      Executor ex(pool);
      ExecutionResult got = ex.execute(u.state(), kChain, txs, ex.prepare(u.state(), kChain, txs));
      ASSERT_EQ(first_difference(got, want), "") << "seed " << seed << " threads " << threads;
    }
  }
}

// A tiny universe with hand-written batches whose answer is known.
class ExecutorCases : public ::testing::Test {
 protected:
  ExecutorCases() : u_(6, 2, 99) {}
  Tx transfer(std::uint32_t from, std::uint32_t to, std::uint64_t amount, std::uint64_t fee,
              std::uint64_t nonce) {
    Tx tx = Transfer{AccountIndex(from), AccountIndex(to), Amount(amount),
                     Amount(fee),        Nonce(nonce),     Signature()};
    sign_tx(tx, kChain, u_.key(from));
    return tx;
  }
  // Runs at every thread count, checks they agree with the reference, returns it.
  ExecutionResult run(const State& s, const std::vector<Tx>& txs, std::span<const SigCheck> known = {}) {
    ExecutionResult want = execute_sequential(s, kChain, txs, known);
    for (unsigned threads : kThreadCounts) {
      ThreadPool pool(threads);
      Executor ex(pool);
      ExecutionResult got = ex.execute(s, kChain, txs, ex.prepare(s, kChain, txs, known));
      EXPECT_EQ(first_difference(got, want), "") << threads << " threads";
    }
    return want;
  }
  State with_balances(std::vector<std::uint64_t> balances) {
    std::vector<Account> accounts;
    for (std::size_t i = 0; i < balances.size(); ++i)
      accounts.push_back(Account{u_.key(i).public_key(), Amount(balances[i]), Nonce(0), Amount(0)});
    return *State::from_accounts(std::move(accounts));
  }
  Universe u_;
};

TEST_F(ExecutorCases, CreditEarlierInBatchFundsLaterDebit) {
  // 1 pays 2, then 2 (which started empty) pays 3: order makes the second one valid.
  State s = with_balances({0, 100, 0, 0});
  auto r = run(s, {transfer(1, 2, 50, 1, 0), transfer(2, 3, 40, 1, 0)});
  EXPECT_EQ(r.receipts[0].status, TxStatus::applied);
  EXPECT_EQ(r.receipts[1].status, TxStatus::applied);
  // Reversed, 2 has nothing yet when it pays.
  auto rev = run(s, {transfer(2, 3, 40, 1, 0), transfer(1, 2, 50, 1, 0)});
  EXPECT_EQ(rev.receipts[0].status, TxStatus::insufficient_balance);
  EXPECT_EQ(rev.receipts[1].status, TxStatus::applied);
}

TEST_F(ExecutorCases, FeeAccountSpendsFeesCollectedEarlierInTheBatch) {
  State s = with_balances({0, 100, 100});
  auto r = run(s, {transfer(0, 1, 5, 0, 0), transfer(1, 2, 10, 7, 0), transfer(0, 2, 6, 0, 0),
                   transfer(0, 2, 2, 0, 1)});
  EXPECT_EQ(r.receipts[0].status, TxStatus::insufficient_balance);  // no fees yet
  EXPECT_EQ(r.receipts[1].status, TxStatus::applied);               // pays 7 in fees
  EXPECT_EQ(r.receipts[2].status, TxStatus::applied);               // spends 6 of them
  EXPECT_EQ(r.receipts[3].status, TxStatus::insufficient_balance);  // only 1 left
}

TEST_F(ExecutorCases, RejectedTxDoesNotConsumeItsNonce) {
  State s = with_balances({0, 10, 0});
  auto r = run(s, {transfer(1, 2, 50, 0, 0), transfer(1, 2, 5, 0, 0), transfer(1, 2, 5, 0, 0)});
  EXPECT_EQ(r.receipts[0].status, TxStatus::insufficient_balance);
  EXPECT_EQ(r.receipts[1].status, TxStatus::applied);    // nonce 0 is still free
  EXPECT_EQ(r.receipts[2].status, TxStatus::bad_nonce);  // nonce 0 again
}

TEST_F(ExecutorCases, ChecksDoneAtIngestAreTrustedNotRepeated) {
  State s = with_balances({0, 100, 0});
  std::vector<Tx> txs = {transfer(1, 2, 5, 0, 0), transfer(1, 2, 5, 0, 1)};
  std::get<Transfer>(txs[1]).signature.data()[0] ^= 1;  // really bad
  std::vector<SigCheck> known = {SigCheck::invalid, SigCheck::unchecked};
  auto r = run(s, txs, known);
  EXPECT_EQ(r.receipts[0].status, TxStatus::bad_signature);  // as the caller said
  EXPECT_EQ(r.receipts[1].status, TxStatus::bad_signature);  // verified here: bad nonce comes later
}

TEST_F(ExecutorCases, DepositCreatesAccountUsableLaterInTheSameBatch) {
  State s = with_balances({0, 100});
  std::vector<Tx> txs;
  txs.push_back(transfer(1, 2, 5, 0, 0));  // index 2 doesn't exist yet
  txs.push_back(Deposit{DepositPosition(0), AccountIndex(2), u_.key(2).public_key(), Amount(1000)});
  txs.push_back(transfer(1, 2, 5, 0, 0));
  txs.push_back(transfer(2, 1, 300, 1, 0));  // signed by the new account's key
  txs.push_back(Deposit{DepositPosition(1), AccountIndex(2), u_.key(2).public_key(),
                        Amount(1)});  // same key: same account
  auto r = run(s, txs);
  EXPECT_EQ(r.receipts[0].status, TxStatus::unknown_account);
  EXPECT_EQ(r.receipts[1].status, TxStatus::applied);
  EXPECT_EQ(r.receipts[2].status, TxStatus::applied);
  EXPECT_EQ(r.receipts[3].status, TxStatus::applied);
  EXPECT_EQ(r.receipts[4].status, TxStatus::applied);
  ASSERT_EQ(r.changes.size(), 3u);
  EXPECT_FALSE(r.changes[2].before.has_value());
  EXPECT_EQ(r.changes[2].after.balance.value(), 1000u + 5 - 301 + 1);
}

TEST_F(ExecutorCases, DepositPastTheAccountsBalanceIsRejectedAndChangesNothing) {
  // Account 1 holds all but 10: a deposit that would push it past 2^64 - 1 is overflow.
  State s = with_balances({0, UINT64_MAX - 10});
  std::vector<Tx> txs = {Deposit{DepositPosition(0), AccountIndex(1), u_.key(1).public_key(), Amount(11)},
                         Deposit{DepositPosition(1), AccountIndex(1), u_.key(1).public_key(), Amount(10)}};
  auto r = run(s, txs);
  EXPECT_EQ(r.receipts[0].status, TxStatus::overflow);
  EXPECT_EQ(r.receipts[1].status, TxStatus::applied);
  EXPECT_EQ(r.supply_after, Amount::max());
  ASSERT_EQ(r.changes.size(), 1u);
  EXPECT_EQ(r.changes[0].index, AccountIndex(1));
}

TEST_F(ExecutorCases, DepositToAnotherKeysIndexOrPastTheNextFreeIsWrongAccount) {
  State s = with_balances({0, 100});
  std::vector<Tx> txs = {
      Deposit{DepositPosition(0), AccountIndex(1), u_.key(2).public_key(), Amount(5)},   // key 1's index
      Deposit{DepositPosition(1), AccountIndex(3), u_.key(2).public_key(), Amount(5)},   // skips 2
      Deposit{DepositPosition(2), AccountIndex(2), u_.key(2).public_key(), Amount(5)},   // the next free
      Deposit{DepositPosition(3), AccountIndex(2), u_.key(3).public_key(), Amount(5)}};  // now key 2's
  auto r = run(s, txs);
  EXPECT_EQ(r.receipts[0].status, TxStatus::wrong_account);
  EXPECT_EQ(r.receipts[1].status, TxStatus::wrong_account);
  EXPECT_EQ(r.receipts[2].status, TxStatus::applied);
  EXPECT_EQ(r.receipts[3].status, TxStatus::wrong_account);
  ASSERT_EQ(r.changes.size(), 1u);
  EXPECT_EQ(r.changes[0].index, AccountIndex(2));
  EXPECT_EQ(r.changes[0].after.balance, Amount(5));
}

TEST_F(ExecutorCases, EmptyBatchAndMoreThreadsThanTxs) {
  State s = with_balances({0, 100, 0});
  auto empty = run(s, {});
  EXPECT_TRUE(empty.receipts.empty());
  EXPECT_TRUE(empty.changes.empty());
  auto one = run(s, {transfer(1, 2, 1, 0, 0)});
  EXPECT_EQ(one.receipts[0].status, TxStatus::applied);
}

}  // namespace
}  // namespace l2::rollup
