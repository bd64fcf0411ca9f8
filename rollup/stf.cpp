// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
#include "rollup/stf.hpp"

#include <algorithm>

#include "common/assert.hpp"

namespace l2::rollup {

DebitView debit_view(const Transfer& t) { return DebitView{t.from, t.amount, t.fee, t.nonce, t.to, false}; }
DebitView debit_view(const Withdraw& w) {
  return DebitView{w.from, w.amount, w.fee, w.nonce, std::nullopt, true};
}

TxStatus check_sender(const DebitView& d, const Account& sender) {
  if (d.nonce != sender.nonce) return TxStatus::bad_nonce;
  auto total = d.amount.checked_add(d.fee);
  if (!total) return TxStatus::overflow;
  if (sender.balance < *total) return TxStatus::insufficient_balance;
  if (d.is_withdraw && !sender.withdrawn.checked_add(d.amount)) return TxStatus::overflow;
  return TxStatus::applied;
}

void debit_sender(const DebitView& d, Account& sender) {
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

// A credit cannot overflow while supply <= 2^64 - 1 (state.hpp); a failure is a bug.
void credit(StateAccess& state, AccountIndex to, Amount amount) {
  if (amount.is_zero()) return;
  Account a = state.get(to);
  auto b = a.balance.checked_add(amount);
  L2_ASSERT(b.has_value());
  a.balance = *b;
  state.put(to, a);
}

Receipt apply_deposit(StateAccess& state, const Deposit& d, const Hash32& hash) {
  auto supply = state.supply().checked_add(d.amount);
  if (!supply) return {hash, TxStatus::overflow};
  auto idx = state.find(d.to);
  if (!idx) idx = state.create(d.to);
  credit(state, *idx, d.amount);
  state.set_supply(*supply);
  return {hash, TxStatus::applied};
}

Receipt apply_debit(StateAccess& state, ChainId chain, const Tx& tx, const DebitView& d, SigCheck sig,
                    const Hash32& hash) {
  auto sig_ok = [&] {
    if (sig != SigCheck::unchecked) return sig == SigCheck::valid;
    return verify_tx_signature(tx, chain, state.get(d.from).pubkey);
  };
  TxStatus s = check_static(d, state.size(), sig_ok);
  if (s != TxStatus::applied) return {hash, s};
  Account sender = state.get(d.from);
  s = check_sender(d, sender);
  if (s != TxStatus::applied) return {hash, s};
  debit_sender(d, sender);
  state.put(d.from, sender);
  if (d.to) credit(state, *d.to, d.amount);
  credit(state, kFeeAccount, d.fee);
  if (d.is_withdraw) {
    auto supply = state.supply().checked_sub(d.amount);
    L2_ASSERT(supply.has_value());
    state.set_supply(*supply);
  }
  return {hash, TxStatus::applied};
}

}  // namespace

Receipt apply_tx(StateAccess& state, ChainId chain, const Tx& tx, SigCheck sig) {
  Hash32 hash = tx_hash(chain, tx);
  if (const auto* d = std::get_if<Deposit>(&tx)) return apply_deposit(state, *d, hash);
  if (const auto* t = std::get_if<Transfer>(&tx))
    return apply_debit(state, chain, tx, debit_view(*t), sig, hash);
  return apply_debit(state, chain, tx, debit_view(std::get<Withdraw>(tx)), sig, hash);
}

OverlayState::OverlayState(const State& base) : base_(base), supply_(base.supply()) {}

std::uint32_t OverlayState::size() const {
  return base_.size() + static_cast<std::uint32_t>(created_.size());
}

Account OverlayState::get(AccountIndex i) const {
  if (i.value() >= base_.size()) return created_[i.value() - base_.size()];
  auto it = changed_.find(i);
  return it != changed_.end() ? it->second : base_.at(i);
}

void OverlayState::put(AccountIndex i, const Account& a) {
  if (i.value() >= base_.size()) {
    created_[i.value() - base_.size()] = a;
  } else {
    changed_[i] = a;
  }
}

std::optional<AccountIndex> OverlayState::find(const PublicKey& key) const {
  if (auto i = base_.find(key)) return i;
  auto it = created_keys_.find(key);
  if (it == created_keys_.end()) return std::nullopt;
  return it->second;
}

AccountIndex OverlayState::create(const PublicKey& key) {
  AccountIndex i(size());
  created_.push_back(Account{key, Amount(0), Nonce(0), Amount(0)});
  created_keys_.emplace(key, i);
  return i;
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
