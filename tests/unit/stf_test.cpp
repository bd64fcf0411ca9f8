// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// The state transition function through apply_tx on an OverlayState. Declarative
// cases (pre-state, one tx, expected receipt and post-state) cover every rule of
// stf.hpp and their order; the runner also checks that a rejected tx changes nothing
// and that supply == sum of balances. Then deposits, SigCheck, and a long random
// sequence with the invariants checked after every tx.
#include <gtest/gtest.h>

#include <limits>
#include <random>
#include <string>
#include <vector>

#include "rollup/state.hpp"
#include "rollup/stf.hpp"
#include "tests/unit/test_util.hpp"

namespace l2::rollup {
namespace {

constexpr ChainId kChain{7};
constexpr std::uint64_t kMax64 = std::numeric_limits<std::uint64_t>::max();

// Key number k (0 is the operator); generated once.
const SecretKey& key(int k) {
  static const std::vector<SecretKey> kKeys = [] {
    std::vector<SecretKey> v;
    v.reserve(12);
    for (int i = 0; i < 12; ++i) v.push_back(test::test_key(static_cast<std::uint8_t>(i + 1)));
    return v;
  }();
  return kKeys.at(static_cast<std::size_t>(k));
}

// Views of an OverlayState, for comparisons.
std::vector<Account> accounts_of(const OverlayState& s) {
  std::vector<Account> out;
  for (std::uint32_t i = 0; i < s.size(); ++i) out.push_back(s.at(AccountIndex(i)));
  return out;
}

std::optional<AccountIndex> find_key(const OverlayState& s, const PublicKey& k) {
  for (std::uint32_t i = 0; i < s.size(); ++i)
    if (s.at(AccountIndex(i)).pubkey == k) return AccountIndex(i);
  return std::nullopt;
}

// The sum of all balances (the STF does not track it: docs/executor.md, "Supply").
Amount supply_of(const OverlayState& s) {
  Amount sum;
  for (std::uint32_t i = 0; i < s.size(); ++i) {
    auto next = sum.checked_add(s.at(AccountIndex(i)).balance);
    if (!next) return Amount::max();
    sum = *next;
  }
  return sum;
}

::testing::AssertionResult supply_matches_balances(const OverlayState& s) {
  Amount sum;
  for (std::uint32_t i = 0; i < s.size(); ++i) {
    auto next = sum.checked_add(s.at(AccountIndex(i)).balance);
    if (!next) return ::testing::AssertionFailure() << "the balances add up to more than 2^64 - 1";
    sum = *next;
  }
  return ::testing::AssertionSuccess();
}

// ---- declarative cases ---------------------------------------------------------------------

struct Acct {
  int key;  // key number (its public key is the account's)
  std::uint64_t balance = 0;
  std::uint64_t nonce = 0;
  std::uint64_t withdrawn = 0;
};

struct TxSpec {
  bool withdraw = false;
  std::uint32_t from = 1;
  std::uint32_t to = 2;  // transfers only
  std::uint64_t amount = 0;
  std::uint64_t fee = 0;
  std::uint64_t nonce = 0;
  int signer = -1;  // key number; -1: the sender's own key (or key 11 if none)
  std::uint64_t sign_chain = kChain.value();
};

struct StfCase {
  const char* name;
  std::vector<Acct> pre;
  TxSpec tx;
  TxStatus want;
  std::vector<Acct> post;  // the whole state afterwards; unused when the tx is rejected
};

Account to_account(const Acct& a) {
  return Account{key(a.key).public_key(), Amount(a.balance), Nonce(a.nonce), Amount(a.withdrawn)};
}

Tx build_tx(const StfCase& c) {
  const TxSpec& s = c.tx;
  int signer = s.signer;
  if (signer < 0) signer = s.from < c.pre.size() ? c.pre[s.from].key : 11;
  Tx tx;
  if (s.withdraw) {
    tx = Withdraw{AccountIndex(s.from), Amount(s.amount), Amount(s.fee), Nonce(s.nonce), {}};
  } else {
    tx = Transfer{AccountIndex(s.from), AccountIndex(s.to), Amount(s.amount),
                  Amount(s.fee),        Nonce(s.nonce),     {}};
  }
  sign_tx(tx, ChainId(s.sign_chain), key(signer));
  return tx;
}

// NOLINTNEXTLINE(readability-identifier-naming): the name GoogleTest looks up
void PrintTo(const StfCase& c, std::ostream* os) { *os << c.name; }

class StfCaseTest : public ::testing::TestWithParam<StfCase> {};

TEST_P(StfCaseTest, Run) {
  const StfCase& c = GetParam();
  std::vector<Account> pre;
  for (const auto& a : c.pre) pre.push_back(to_account(a));
  auto base = State::from_accounts(pre);
  ASSERT_TRUE(base.has_value()) << "bad pre-state";
  OverlayState overlay(*base);
  ASSERT_TRUE(supply_matches_balances(overlay));
  const Tx tx = build_tx(c);

  const Receipt r = apply_tx(overlay, kChain, tx);
  EXPECT_EQ(r.tx_hash, tx_hash(kChain, tx));
  ASSERT_EQ(r.status, c.want) << "got " << to_string(r.status) << ", want " << to_string(c.want);
  EXPECT_TRUE(supply_matches_balances(overlay));

  if (c.want != TxStatus::applied) {
    // Nothing changed: not the accounts, not the nonce, not the supply, no diff.
    EXPECT_EQ(accounts_of(overlay), pre);
    EXPECT_EQ(supply_of(overlay), base->supply());
    EXPECT_TRUE(overlay.changes().empty());
    return;
  }
  std::vector<Account> post;
  for (const auto& a : c.post) post.push_back(to_account(a));
  EXPECT_EQ(accounts_of(overlay), post);
  // The diff reproduces the post-state on the base and reverts to it.
  State applied = *base;
  auto changes = overlay.changes();
  for (const auto& ch : changes) {
    ASSERT_TRUE(ch.before.has_value());
    EXPECT_EQ(*ch.before, pre[ch.index.value()]);
    EXPECT_NE(ch.after, *ch.before) << "unchanged account " << ch.index.value() << " in the diff";
  }
  applied.apply(changes);
  auto want_state = State::from_accounts(post);
  ASSERT_TRUE(want_state.has_value());
  EXPECT_TRUE(test::same_state(applied, *want_state));
  EXPECT_EQ(applied.supply(), supply_of(overlay));
  applied.revert(changes);
  EXPECT_TRUE(test::same_state(applied, *base));
}

// The usual pre-state: the operator's empty fee account, A (key 1) with 100, B (key 2) with 5.
const std::vector<Acct> kPre = {{0, 0}, {1, 100}, {2, 5}};

TxSpec transfer(std::uint32_t from, std::uint32_t to, std::uint64_t amount, std::uint64_t fee,
                std::uint64_t nonce) {
  TxSpec s;
  s.from = from;
  s.to = to;
  s.amount = amount;
  s.fee = fee;
  s.nonce = nonce;
  return s;
}
TxSpec withdraw(std::uint32_t from, std::uint64_t amount, std::uint64_t fee, std::uint64_t nonce) {
  TxSpec s;
  s.withdraw = true;
  s.from = from;
  s.amount = amount;
  s.fee = fee;
  s.nonce = nonce;
  return s;
}
TxSpec signed_by(TxSpec s, int signer) {
  s.signer = signer;
  return s;
}
TxSpec on_chain(TxSpec s, std::uint64_t chain) {
  s.sign_chain = chain;
  return s;
}

const StfCase kCases[] = {
    // Applied transfers.
    {"transfer_applied", kPre, transfer(1, 2, 30, 2, 0), TxStatus::applied, {{0, 2}, {1, 68, 1}, {2, 35}}},
    {"transfer_of_the_whole_balance",
     kPre,
     transfer(1, 2, 98, 2, 0),
     TxStatus::applied,
     {{0, 2}, {1, 0, 1}, {2, 103}}},
    {"transfer_without_fee",
     kPre,
     transfer(1, 2, 10, 0, 0),
     TxStatus::applied,
     {{0, 0}, {1, 90, 1}, {2, 15}}},
    {"transfer_to_the_fee_account",
     kPre,
     transfer(1, 0, 10, 3, 0),
     TxStatus::applied,
     {{0, 13}, {1, 87, 1}, {2, 5}}},
    {"transfer_from_the_fee_account",
     {{0, 50}, {1, 100}, {2, 5}},
     transfer(0, 1, 10, 5, 0),
     TxStatus::applied,
     {{0, 40, 1}, {1, 110}, {2, 5}}},
    {"transfer_with_a_later_nonce",
     {{0, 0}, {1, 100, 7}, {2, 5}},
     transfer(1, 2, 1, 1, 7),
     TxStatus::applied,
     {{0, 1}, {1, 98, 8}, {2, 6}}},
    {"transfer_of_max_with_max_supply",
     {{0, 0}, {1, kMax64}, {2, 0}},
     transfer(1, 2, kMax64, 0, 0),
     TxStatus::applied,
     {{0, 0}, {1, 0, 1}, {2, kMax64}}},
    // Rule 1: sender exists.
    {"unknown_sender", kPre, transfer(3, 1, 10, 0, 0), TxStatus::unknown_account, {}},
    {"unknown_sender_far_away",
     kPre,
     signed_by(transfer(0xffffffff, 1, 10, 0, 0), 1),
     TxStatus::unknown_account,
     {}},
    {"unknown_sender_precedes_every_other_rule",
     kPre,
     transfer(5, 5, 0, 0, 9),
     TxStatus::unknown_account,
     {}},
    // Rule 2: signature.
    {"bad_signature_other_key", kPre, signed_by(transfer(1, 2, 10, 0, 0), 2), TxStatus::bad_signature, {}},
    {"bad_signature_other_chain", kPre, on_chain(transfer(1, 2, 10, 0, 0), 8), TxStatus::bad_signature, {}},
    {"bad_signature_precedes_unknown_recipient",
     kPre,
     signed_by(transfer(1, 9, 10, 0, 0), 2),
     TxStatus::bad_signature,
     {}},
    {"bad_signature_precedes_bad_nonce",
     kPre,
     signed_by(transfer(1, 2, 10, 0, 3), 2),
     TxStatus::bad_signature,
     {}},
    // Rule 3: recipient exists.
    {"unknown_recipient", kPre, transfer(1, 3, 10, 0, 0), TxStatus::unknown_account, {}},
    {"unknown_recipient_precedes_zero_amount", kPre, transfer(1, 3, 0, 0, 0), TxStatus::unknown_account, {}},
    // Rule 4: no self transfer.
    {"self_transfer", kPre, transfer(1, 1, 10, 0, 0), TxStatus::self_transfer, {}},
    {"self_transfer_precedes_zero_amount", kPre, transfer(1, 1, 0, 0, 0), TxStatus::self_transfer, {}},
    {"self_transfer_of_the_fee_account",
     {{0, 50}, {1, 100}},
     transfer(0, 0, 10, 1, 0),
     TxStatus::self_transfer,
     {}},
    // Rule 5: amount > 0.
    {"zero_amount", kPre, transfer(1, 2, 0, 1, 0), TxStatus::zero_amount, {}},
    {"zero_amount_precedes_bad_nonce", kPre, transfer(1, 2, 0, 1, 5), TxStatus::zero_amount, {}},
    // Rule 6: nonce.
    {"bad_nonce_ahead", kPre, transfer(1, 2, 10, 0, 1), TxStatus::bad_nonce, {}},
    {"bad_nonce_behind", {{0, 0}, {1, 100, 3}, {2, 5}}, transfer(1, 2, 10, 0, 2), TxStatus::bad_nonce, {}},
    {"bad_nonce_precedes_insufficient_balance", kPre, transfer(1, 2, 1000, 0, 1), TxStatus::bad_nonce, {}},
    {"bad_nonce_precedes_overflow", kPre, transfer(1, 2, kMax64, 1, 1), TxStatus::bad_nonce, {}},
    // Rule 7: amount + fee fits.
    {"amount_plus_fee_overflows", kPre, transfer(1, 2, kMax64, 1, 0), TxStatus::overflow, {}},
    {"fee_plus_amount_overflows", kPre, transfer(1, 2, 1, kMax64, 0), TxStatus::overflow, {}},
    {"overflow_even_with_max_balance",
     {{0, 0}, {1, kMax64}, {2, 0}},
     transfer(1, 2, kMax64, 1, 0),
     TxStatus::overflow,
     {}},
    // Rule 8: balance.
    {"insufficient_balance_by_the_fee", kPre, transfer(1, 2, 99, 2, 0), TxStatus::insufficient_balance, {}},
    {"insufficient_balance_by_the_amount",
     kPre,
     transfer(1, 2, 101, 0, 0),
     TxStatus::insufficient_balance,
     {}},
    {"insufficient_balance_when_empty",
     {{0, 0}, {1, 0}, {2, 5}},
     transfer(1, 2, 1, 0, 0),
     TxStatus::insufficient_balance,
     {}},
    // Withdrawals.
    {"withdraw_applied", kPre, withdraw(1, 40, 1, 0), TxStatus::applied, {{0, 1}, {1, 59, 1, 40}, {2, 5}}},
    {"withdraw_everything",
     kPre,
     withdraw(1, 100, 0, 0),
     TxStatus::applied,
     {{0, 0}, {1, 0, 1, 100}, {2, 5}}},
    {"withdraw_adds_to_the_withdrawn_total",
     {{0, 0}, {1, 100, 2, 1000}, {2, 5}},
     withdraw(1, 10, 0, 2),
     TxStatus::applied,
     {{0, 0}, {1, 90, 3, 1010}, {2, 5}}},
    {"withdraw_up_to_the_withdrawn_max",
     {{0, 0}, {1, 100, 0, kMax64 - 10}, {2, 5}},
     withdraw(1, 10, 2, 0),
     TxStatus::applied,
     {{0, 2}, {1, 88, 1, kMax64}, {2, 5}}},
    {"withdraw_from_the_fee_account",
     {{0, 50}, {1, 100}},
     withdraw(0, 20, 5, 0),
     TxStatus::applied,
     {{0, 30, 1, 20}, {1, 100}}},
    {"withdraw_unknown_sender", kPre, withdraw(3, 10, 0, 0), TxStatus::unknown_account, {}},
    {"withdraw_bad_signature", kPre, signed_by(withdraw(1, 10, 0, 0), 2), TxStatus::bad_signature, {}},
    {"withdraw_zero_amount", kPre, withdraw(1, 0, 1, 0), TxStatus::zero_amount, {}},
    {"withdraw_bad_nonce", kPre, withdraw(1, 10, 0, 1), TxStatus::bad_nonce, {}},
    {"withdraw_amount_plus_fee_overflows", kPre, withdraw(1, kMax64, 1, 0), TxStatus::overflow, {}},
    {"withdraw_insufficient_balance", kPre, withdraw(1, 100, 1, 0), TxStatus::insufficient_balance, {}},
    // Rule 9: the withdrawn total must fit.
    {"withdraw_withdrawn_total_overflows",
     {{0, 0}, {1, 100, 0, kMax64 - 10}, {2, 5}},
     withdraw(1, 11, 0, 0),
     TxStatus::overflow,
     {}},
    {"withdraw_at_withdrawn_max",
     {{0, 0}, {1, 100, 0, kMax64}, {2, 5}},
     withdraw(1, 1, 0, 0),
     TxStatus::overflow,
     {}},
    {"withdraw_insufficient_balance_precedes_withdrawn_overflow",
     {{0, 0}, {1, 100, 0, kMax64}, {2, 5}},
     withdraw(1, 101, 0, 0),
     TxStatus::insufficient_balance,
     {}},
    {"withdraw_bad_nonce_precedes_withdrawn_overflow",
     {{0, 0}, {1, 100, 0, kMax64}, {2, 5}},
     withdraw(1, 1, 0, 4),
     TxStatus::bad_nonce,
     {}},
};

INSTANTIATE_TEST_SUITE_P(Rules, StfCaseTest, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<StfCase>& p) {
                           return std::string(p.param.name);
                         });

// ---- deposits -------------------------------------------------------------------------------

TEST(StfDeposit, CreatesAccountsInOrderAndCreditsExistingOnes) {
  const State base(key(0).public_key());
  OverlayState s(base);
  ASSERT_EQ(s.size(), 1u);

  Tx d1 = test::make_deposit(0, 1, key(1).public_key(), 100);
  Receipt r = apply_tx(s, kChain, d1);
  EXPECT_EQ(r.status, TxStatus::applied);
  EXPECT_EQ(r.tx_hash, tx_hash(kChain, d1));
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(find_key(s, key(1).public_key()), AccountIndex(1));
  EXPECT_EQ(s.at(AccountIndex(1)), (Account{key(1).public_key(), Amount(100), Nonce(0), Amount(0)}));
  EXPECT_EQ(supply_of(s), Amount(100));

  EXPECT_EQ(apply_tx(s, kChain, test::make_deposit(1, 2, key(2).public_key(), 50)).status, TxStatus::applied);
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(find_key(s, key(2).public_key()), AccountIndex(2));

  // A second deposit to the same key credits the same account.
  EXPECT_EQ(apply_tx(s, kChain, test::make_deposit(2, 1, key(1).public_key(), 25)).status, TxStatus::applied);
  EXPECT_EQ(s.size(), 3u);
  EXPECT_EQ(s.at(AccountIndex(1)).balance, Amount(125));
  EXPECT_EQ(s.at(AccountIndex(1)).nonce, Nonce(0));
  EXPECT_EQ(supply_of(s), Amount(175));
  EXPECT_TRUE(supply_matches_balances(s));

  // The operator's key is account 0.
  EXPECT_EQ(apply_tx(s, kChain, test::make_deposit(3, 0, key(0).public_key(), 5)).status, TxStatus::applied);
  EXPECT_EQ(s.size(), 3u);
  EXPECT_EQ(s.at(kFeeAccount).balance, Amount(5));

  auto changes = s.changes();
  ASSERT_EQ(changes.size(), 3u);
  EXPECT_EQ(changes[0].index, AccountIndex(0));
  ASSERT_TRUE(changes[0].before.has_value());
  EXPECT_EQ(changes[1].index, AccountIndex(1));
  EXPECT_FALSE(changes[1].before.has_value());
  EXPECT_EQ(changes[2].index, AccountIndex(2));
  EXPECT_FALSE(changes[2].before.has_value());

  State applied = base;
  applied.apply(changes);
  EXPECT_EQ(applied.size(), 3u);
  EXPECT_EQ(applied.find(key(2).public_key()), AccountIndex(2));
  EXPECT_EQ(applied.at(AccountIndex(1)).balance, Amount(125));
  EXPECT_EQ(applied.supply(), Amount(180));
  applied.revert(changes);
  EXPECT_TRUE(test::same_state(applied, base));
  EXPECT_EQ(applied.find(key(1).public_key()), std::nullopt);
}

TEST(StfDeposit, PastTheAccountsBalanceIsOverflowAndChangesNothing) {
  auto base = State::from_accounts({to_account({0, 0}), to_account({1, kMax64 - 10})});
  ASSERT_TRUE(base.has_value());
  OverlayState s(*base);
  const auto before = accounts_of(s);

  EXPECT_EQ(apply_tx(s, kChain, test::make_deposit(1, 1, key(1).public_key(), kMax64)).status,
            TxStatus::overflow);
  EXPECT_EQ(apply_tx(s, kChain, test::make_deposit(1, 1, key(1).public_key(), 11)).status,
            TxStatus::overflow);
  EXPECT_EQ(accounts_of(s), before);
  EXPECT_TRUE(s.changes().empty());

  // Exactly up to 2^64 - 1 is fine, and then even 1 more is not.
  EXPECT_EQ(apply_tx(s, kChain, test::make_deposit(2, 1, key(1).public_key(), 10)).status, TxStatus::applied);
  EXPECT_EQ(s.at(AccountIndex(1)).balance, Amount::max());
  EXPECT_EQ(apply_tx(s, kChain, test::make_deposit(3, 1, key(1).public_key(), 1)).status, TxStatus::overflow);
  EXPECT_EQ(s.at(AccountIndex(1)).balance, Amount::max());
}

TEST(StfDeposit, AnIndexThatHoldsAnotherKeyOrIsNotTheNextFreeIsWrongAccount) {
  const State base(key(0).public_key());
  OverlayState s(base);
  ASSERT_EQ(apply_tx(s, kChain, test::make_deposit(0, 1, key(1).public_key(), 100)).status,
            TxStatus::applied);
  const auto before = accounts_of(s);
  const auto changes = s.changes();
  // Index 1 is key 1's: a deposit for key 2 there would credit someone else.
  EXPECT_EQ(apply_tx(s, kChain, test::make_deposit(1, 1, key(2).public_key(), 5)).status,
            TxStatus::wrong_account);
  // The fee account is the operator's.
  EXPECT_EQ(apply_tx(s, kChain, test::make_deposit(1, 0, key(2).public_key(), 5)).status,
            TxStatus::wrong_account);
  // Index 3 skips index 2: accounts are numbered without gaps.
  EXPECT_EQ(apply_tx(s, kChain, test::make_deposit(1, 3, key(2).public_key(), 5)).status,
            TxStatus::wrong_account);
  EXPECT_EQ(apply_tx(s, kChain, test::make_deposit(1, 0xFFFFFFFFu, key(2).public_key(), 5)).status,
            TxStatus::wrong_account);
  EXPECT_EQ(accounts_of(s), before);
  EXPECT_EQ(s.changes(), changes);
  EXPECT_EQ(s.size(), 2u);
}

TEST(StfDeposit, WithdrawReducesSupplyAndLaterDepositsRefillIt) {
  const State base(key(0).public_key());
  OverlayState s(base);
  ASSERT_EQ(apply_tx(s, kChain, test::make_deposit(0, 1, key(1).public_key(), kMax64)).status,
            TxStatus::applied);
  ASSERT_EQ(apply_tx(s, kChain, test::make_withdraw(kChain, key(1), 1, 100, 3, 0)).status, TxStatus::applied);
  EXPECT_EQ(supply_of(s), Amount(kMax64 - 100));
  EXPECT_EQ(s.at(AccountIndex(1)).withdrawn, Amount(100));
  EXPECT_EQ(s.at(AccountIndex(1)).balance, Amount(kMax64 - 103));
  EXPECT_EQ(s.at(kFeeAccount).balance, Amount(3));
  EXPECT_EQ(apply_tx(s, kChain, test::make_deposit(2, 2, key(2).public_key(), 100)).status,
            TxStatus::applied);
  EXPECT_EQ(supply_of(s), Amount::max());
  EXPECT_TRUE(supply_matches_balances(s));
}

// ---- SigCheck -------------------------------------------------------------------------------

class StfSigCheck : public ::testing::Test {
 protected:
  void SetUp() override {
    auto st = State::from_accounts({to_account({0, 0}), to_account({1, 100}), to_account({2, 5})});
    ASSERT_TRUE(st.has_value());
    base_.emplace(std::move(*st));
  }
  std::optional<State> base_;
};

TEST_F(StfSigCheck, ValidIsTrustedWithoutVerifying) {
  OverlayState s(*base_);
  Tx unsigned_tx = Transfer{AccountIndex(1), AccountIndex(2), Amount(10), Amount(1), Nonce(0), {}};
  EXPECT_EQ(apply_tx(s, kChain, unsigned_tx, SigCheck::valid).status, TxStatus::applied);
  EXPECT_EQ(s.at(AccountIndex(1)).balance, Amount(89));
  // Unchecked really verifies: the same (unsigned) tx at the next nonce fails.
  Tx next = Transfer{AccountIndex(1), AccountIndex(2), Amount(10), Amount(1), Nonce(1), {}};
  EXPECT_EQ(apply_tx(s, kChain, next, SigCheck::unchecked).status, TxStatus::bad_signature);
  EXPECT_EQ(apply_tx(s, kChain, next).status, TxStatus::bad_signature);
}

TEST_F(StfSigCheck, InvalidIsTrustedWithoutVerifying) {
  OverlayState s(*base_);
  Tx good = test::make_transfer(kChain, key(1), 1, 2, 10, 1, 0);
  EXPECT_EQ(apply_tx(s, kChain, good, SigCheck::invalid).status, TxStatus::bad_signature);
  EXPECT_TRUE(s.changes().empty());
  EXPECT_EQ(apply_tx(s, kChain, good, SigCheck::unchecked).status, TxStatus::applied);
}

TEST_F(StfSigCheck, ValidDoesNotSkipTheOtherRules) {
  OverlayState s(*base_);
  auto status = [&](Tx tx) { return apply_tx(s, kChain, tx, SigCheck::valid).status; };
  EXPECT_EQ(status(Transfer{AccountIndex(3), AccountIndex(2), Amount(1), Amount(0), Nonce(0), {}}),
            TxStatus::unknown_account);
  EXPECT_EQ(status(Transfer{AccountIndex(1), AccountIndex(1), Amount(1), Amount(0), Nonce(0), {}}),
            TxStatus::self_transfer);
  EXPECT_EQ(status(Transfer{AccountIndex(1), AccountIndex(2), Amount(1), Amount(0), Nonce(1), {}}),
            TxStatus::bad_nonce);
  EXPECT_EQ(status(Withdraw{AccountIndex(1), Amount(101), Amount(0), Nonce(0), {}}),
            TxStatus::insufficient_balance);
  EXPECT_EQ(status(Withdraw{AccountIndex(1), Amount(0), Amount(0), Nonce(0), {}}), TxStatus::zero_amount);
  EXPECT_TRUE(s.changes().empty());
}

TEST(StfRules, SignatureIsCheckedOnlyOnceTheSenderExists) {
  int calls = 0;
  auto sig_ok = [&] {
    ++calls;
    return true;
  };
  DebitView unknown{AccountIndex(5), Amount(1), Amount(0), Nonce(0), AccountIndex(1), false};
  EXPECT_EQ(check_static(unknown, 3, sig_ok), TxStatus::unknown_account);
  EXPECT_EQ(calls, 0);
  DebitView known{AccountIndex(2), Amount(1), Amount(0), Nonce(0), AccountIndex(1), false};
  EXPECT_EQ(check_static(known, 3, sig_ok), TxStatus::applied);
  EXPECT_EQ(calls, 1);
}

TEST(StfRules, DebitViewsCarryTheFields) {
  Transfer t{AccountIndex(1), AccountIndex(2), Amount(3), Amount(4), Nonce(5), {}};
  DebitView dt = debit_view(t);
  EXPECT_EQ(dt.from, AccountIndex(1));
  EXPECT_EQ(dt.to, AccountIndex(2));
  EXPECT_EQ(dt.amount, Amount(3));
  EXPECT_EQ(dt.fee, Amount(4));
  EXPECT_EQ(dt.nonce, Nonce(5));
  EXPECT_FALSE(dt.is_withdraw);
  Withdraw w{AccountIndex(6), Amount(7), Amount(8), Nonce(9), {}};
  DebitView dw = debit_view(w);
  EXPECT_EQ(dw.from, AccountIndex(6));
  EXPECT_EQ(dw.to, std::nullopt);
  EXPECT_TRUE(dw.is_withdraw);
}

// ---- State --------------------------------------------------------------------------------

TEST(StateBasics, GenesisAndFromAccounts) {
  const State g(key(0).public_key());
  EXPECT_EQ(g.size(), 1u);
  EXPECT_EQ(g.at(kFeeAccount), (Account{key(0).public_key(), Amount(0), Nonce(0), Amount(0)}));
  EXPECT_EQ(g.find(key(0).public_key()), kFeeAccount);
  EXPECT_EQ(g.supply(), Amount(0));
  EXPECT_FALSE(g.contains(AccountIndex(1)));

  auto s = State::from_accounts({to_account({0, 5}), to_account({1, 7, 3, 2})});
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->supply(), Amount(12));
  EXPECT_EQ(s->find(key(1).public_key()), AccountIndex(1));
  // A repeated key or a supply past 2^64 - 1 is refused.
  EXPECT_FALSE(State::from_accounts({to_account({0, 5}), to_account({0, 7})}).has_value());
  EXPECT_FALSE(State::from_accounts({to_account({0, kMax64}), to_account({1, 1})}).has_value());
  EXPECT_TRUE(State::from_accounts({to_account({0, kMax64}), to_account({1, 0})}).has_value());
}

// ---- random sequence with invariants ----------------------------------------------------------

TEST(StfRandomSequence, InvariantsHoldAfterEveryTx) {
  std::mt19937_64 rng(40);
  const State base(key(0).public_key());
  OverlayState s(base);
  std::uint64_t deposit_id = 0;
  int applied = 0;
  int rejected = 0;
  for (int step = 0; step < 1500; ++step) {
    const auto before_accounts = accounts_of(s);
    const auto before_changes = s.changes();
    const Amount before_supply = supply_of(s);
    const std::uint32_t n = s.size();
    Tx tx;
    const auto kind = rng() % 10;
    const auto pick = [&] { return static_cast<std::uint32_t>(rng() % (n + 1)); };  // sometimes unknown
    const auto amount = [&] {
      switch (rng() % 6) {
        case 0:
          return std::uint64_t{0};
        case 1:
          return kMax64 - rng() % 3;
        default:
          return rng() % 200;
      }
    };
    if (kind < 2 || n < 3) {
      // As the bridge does: the key's index or the next free one, and never more than
      // 2^64 - 1 locked in all.
      const int k = static_cast<int>(rng() % 11);
      const auto index = find_key(s, key(k).public_key()).value_or(AccountIndex(n));
      std::uint64_t a = rng() % 6 == 0 ? kMax64 / 2 : rng() % 1000;
      if (!supply_of(s).checked_add(Amount(a))) a = rng() % 1000;
      if (!supply_of(s).checked_add(Amount(a))) a = 0;
      tx = test::make_deposit(deposit_id++, index.value(), key(k).public_key(), a);
    } else {
      const std::uint32_t from = pick();
      const std::uint64_t nonce =
          from < n && rng() % 8 != 0 ? s.at(AccountIndex(from)).nonce.value() : rng() % 3;
      // The signer: usually the sender's key, sometimes another.
      const SecretKey* signer = &key(11);
      if (from < n && rng() % 10 != 0) {
        for (int k = 0; k < 12; ++k)
          if (key(k).public_key() == s.at(AccountIndex(from)).pubkey) signer = &key(k);
      }
      const std::uint64_t fee = rng() % 4 == 0 ? 0 : rng() % 5;
      if (kind < 8) {
        tx = test::make_transfer(kChain, *signer, from, pick(), amount(), fee, nonce);
      } else {
        tx = test::make_withdraw(kChain, *signer, from, amount(), fee, nonce);
      }
    }
    const Receipt r = apply_tx(s, kChain, tx);
    ASSERT_TRUE(supply_matches_balances(s)) << "step " << step;
    if (r.status != TxStatus::applied) {
      ++rejected;
      ASSERT_EQ(accounts_of(s), before_accounts) << "step " << step << " " << to_string(r.status);
      ASSERT_EQ(s.changes(), before_changes) << "step " << step;
      ASSERT_EQ(supply_of(s), before_supply) << "step " << step;
      continue;
    }
    ++applied;
    if (const auto* t = std::get_if<Transfer>(&tx)) {
      EXPECT_EQ(s.at(t->from).nonce.value(), before_accounts[t->from.value()].nonce.value() + 1) << step;
      EXPECT_EQ(supply_of(s), before_supply) << step;
    } else if (const auto* w = std::get_if<Withdraw>(&tx)) {
      EXPECT_EQ(s.at(w->from).withdrawn.value(),
                before_accounts[w->from.value()].withdrawn.value() + w->amount.value());
      EXPECT_EQ(supply_of(s).value(), before_supply.value() - w->amount.value()) << step;
    }
  }
  // Both outcomes were exercised.
  EXPECT_GT(applied, 100);
  EXPECT_GT(rejected, 100);
  // The accumulated diff rebuilds the same state from the base, and reverts to it.
  State applied_state = base;
  applied_state.apply(s.changes());
  std::vector<Account> want = accounts_of(s);
  auto want_state = State::from_accounts(want);
  ASSERT_TRUE(want_state.has_value());
  EXPECT_TRUE(test::same_state(applied_state, *want_state));
  applied_state.revert(s.changes());
  EXPECT_TRUE(test::same_state(applied_state, base));
}

}  // namespace
}  // namespace l2::rollup
