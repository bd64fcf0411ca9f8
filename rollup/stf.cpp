// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
#include "rollup/stf.hpp"

#include <algorithm>

#include "common/assert.hpp"

namespace l2::rollup {

std::string_view to_string(ViewError e) {
  switch (e) {
    case ViewError::missing_witness:
      return "missing_witness";
  }
  return "unknown";
}

DebitView debit_view(const Transfer& t) { return DebitView{t.from, t.amount, t.fee, t.nonce, t.to, false}; }
DebitView debit_view(const Withdraw& w) {
  return DebitView{w.from, w.amount, w.fee, w.nonce, std::nullopt, true};
}

std::vector<AccountIndex> touched_accounts(const Tx& tx) {
  std::vector<AccountIndex> out;
  if (const auto* d = std::get_if<Deposit>(&tx)) {
    if (d->to_index.value() > 0) out.emplace_back(d->to_index.value() - 1);
    out.push_back(d->to_index);
    return out;
  }
  out.push_back(kFeeAccount);
  if (const auto* t = std::get_if<Transfer>(&tx)) {
    out.push_back(t->from);
    out.push_back(t->to);
  } else {
    out.push_back(std::get<Withdraw>(tx).from);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

TxStatus check_sender(const DebitView& d, const Account& sender) {
  if (d.nonce != sender.nonce) return TxStatus::bad_nonce;
  auto total = d.amount.checked_add(d.fee);
  if (!total || sender.nonce.value() == UINT64_MAX) return TxStatus::overflow;
  if (sender.balance < *total) return TxStatus::insufficient_balance;
  if (d.is_withdraw && !sender.withdrawn.checked_add(d.amount)) return TxStatus::overflow;
  return TxStatus::applied;
}

void debit_sender(const DebitView& d, Account& sender) {
  // check_sender has ruled out every failure below; these asserts guard the executor,
  // which calls this only after it.
  auto total = d.amount.checked_add(d.fee);
  L2_ASSERT(total.has_value());
  auto balance = sender.balance.checked_sub(*total);
  L2_ASSERT(balance.has_value());
  sender.balance = *balance;
  L2_ASSERT(sender.nonce.value() != UINT64_MAX);
  sender.nonce = Nonce(sender.nonce.value() + 1);
  if (d.is_withdraw) {
    auto withdrawn = sender.withdrawn.checked_add(d.amount);
    L2_ASSERT(withdrawn.has_value());
    sender.withdrawn = *withdrawn;
  }
}

namespace {

// Adds `amount` to account `to` (which exists). False, with the state unchanged, if
// the balance would pass 2^64 - 1: impossible on the sequencer (rule 10).
Result<bool, ViewError> credit(StateView& state, AccountIndex to, Amount amount) {
  if (amount.is_zero()) return true;
  auto got = state.get(to);
  if (!got) return make_error(got.error());
  if (!got->has_value()) return false;  // callers only credit accounts that exist
  Account a = **got;
  auto b = a.balance.checked_add(amount);
  if (!b) return false;
  a.balance = *b;
  state.put(to, a);
  return true;
}

Result<Receipt, ViewError> apply_deposit(StateView& state, const Deposit& d, const Hash32& hash) {
  auto existing = state.get(d.to_index);
  if (!existing) return make_error(existing.error());
  if (existing->has_value()) {
    if ((**existing).pubkey != d.to) return Receipt{hash, TxStatus::wrong_account};
    Account a = **existing;
    auto b = a.balance.checked_add(d.amount);
    if (!b) return Receipt{hash, TxStatus::overflow};
    a.balance = *b;
    state.put(d.to_index, a);
    return Receipt{hash, TxStatus::applied};
  }
  auto creatable = state.can_create(d.to_index);
  if (!creatable) return make_error(creatable.error());
  if (*creatable != Creatable::yes) return Receipt{hash, TxStatus::wrong_account};
  state.create(d.to_index, d.to);
  state.put(d.to_index, Account{d.to, d.amount, Nonce(0), Amount(0)});
  return Receipt{hash, TxStatus::applied};
}

// The tx being applied, as apply_tx was given it.
struct TxInput {
  ChainId chain;
  const Tx& tx;
  SigCheck sig = SigCheck::unchecked;
  Hash32 hash;
};

Result<Receipt, ViewError> apply_debit(StateView& state, const TxInput& in, const DebitView& d) {
  const Hash32& hash = in.hash;
  auto from = state.get(d.from);
  if (!from) return make_error(from.error());
  std::optional<Account> to;
  if (d.to) {
    auto got = state.get(*d.to);
    if (!got) return make_error(got.error());
    to = *got;
  }
  auto exists = [&](AccountIndex i) { return i == d.from ? from->has_value() : to.has_value(); };
  auto sig_ok = [&] {
    if (in.sig != SigCheck::unchecked) return in.sig == SigCheck::valid;
    return verify_tx_signature(in.tx, in.chain, (**from).pubkey);
  };
  TxStatus s = check_static_with(d, exists, sig_ok);
  if (s != TxStatus::applied) return Receipt{hash, s};
  const Account before = **from;
  Account sender = before;
  s = check_sender(d, sender);
  if (s != TxStatus::applied) return Receipt{hash, s};
  debit_sender(d, sender);
  state.put(d.from, sender);

  // Credits, each checked (rule 10). The fee account may be the sender or the
  // recipient, so each credit reads the value the previous write left.
  std::optional<Account> recipient_before;
  if (d.to) recipient_before = to;
  auto undo = [&] {
    state.put(d.from, before);
    if (d.to) state.put(*d.to, *recipient_before);
  };
  if (d.to) {
    auto ok = credit(state, *d.to, d.amount);
    if (!ok) return make_error(ok.error());
    if (!*ok) {
      undo();
      return Receipt{hash, TxStatus::overflow};
    }
  }
  auto ok = credit(state, kFeeAccount, d.fee);  // writes nothing when it fails
  if (!ok) return make_error(ok.error());
  if (!*ok) {
    undo();
    return Receipt{hash, TxStatus::overflow};
  }
  return Receipt{hash, TxStatus::applied};
}

}  // namespace

Result<Receipt, ViewError> apply_tx(StateView& state, ChainId chain, const Tx& tx, SigCheck sig) {
  const TxInput in{chain, tx, sig, tx_hash(chain, tx)};
  if (const auto* d = std::get_if<Deposit>(&tx)) return apply_deposit(state, *d, in.hash);
  if (const auto* t = std::get_if<Transfer>(&tx)) return apply_debit(state, in, debit_view(*t));
  return apply_debit(state, in, debit_view(std::get<Withdraw>(tx)));
}

Receipt apply_tx(OverlayState& state, ChainId chain, const Tx& tx, SigCheck sig) {
  auto r = apply_tx(static_cast<StateView&>(state), chain, tx, sig);
  L2_ASSERT(r.ok());  // a complete view never errs
  return *r;
}

OverlayState::OverlayState(const State& base) : base_(base) {}

std::uint32_t OverlayState::size() const {
  return base_.size() + static_cast<std::uint32_t>(created_.size());
}

Account OverlayState::at(AccountIndex i) const {
  L2_ASSERT(i.value() < size());
  if (i.value() >= base_.size()) return created_[i.value() - base_.size()];
  auto it = changed_.find(i);
  return it != changed_.end() ? it->second : base_.at(i);
}

Result<std::optional<Account>, ViewError> OverlayState::get(AccountIndex i) const {
  if (i.value() >= size()) return std::optional<Account>();
  return std::optional<Account>(at(i));
}

Result<Creatable, ViewError> OverlayState::can_create(AccountIndex i) const {
  return i.value() == size() ? Creatable::yes : Creatable::no;
}

void OverlayState::put(AccountIndex i, const Account& a) {
  L2_ASSERT(i.value() < size());
  if (i.value() >= base_.size()) {
    created_[i.value() - base_.size()] = a;
  } else {
    changed_[i] = a;
  }
}

void OverlayState::create(AccountIndex i, const PublicKey& key) {
  L2_ASSERT(i.value() == size());
  created_.push_back(Account{key, Amount(0), Nonce(0), Amount(0)});
}

std::vector<AccountChange> OverlayState::changes() const {
  std::vector<AccountChange> out;
  out.reserve(changed_.size() + created_.size());
  for (const auto& [i, a] : changed_)
    if (a != base_.at(i)) out.push_back(AccountChange{i, base_.at(i), a});
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.index < b.index; });
  for (std::size_t k = 0; k < created_.size(); ++k)
    out.push_back(
        AccountChange{AccountIndex(base_.size() + static_cast<std::uint32_t>(k)), std::nullopt, created_[k]});
  return out;
}

}  // namespace l2::rollup
