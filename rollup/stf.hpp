// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// The state transition function: the rules of one tx, written once. apply_tx runs them
// sequentially against any StateAccess (the in-memory state, the base chain's one-step
// proof over Merkle witnesses, the challenger's re-derivation); the parallel executor
// calls the same rule functions (check_static, check_sender, debit_sender) with the
// values it has scheduled, so both agree by construction and the differential tests
// check that they do.
//
// Rule order for a transfer or withdrawal (the first failing rule is the receipt):
//   1. sender index exists                      else unknown_account
//   2. signature valid for the sender's key     else bad_signature
//   3. (transfer) recipient exists              else unknown_account
//   4. (transfer) recipient != sender           else self_transfer
//   5. amount > 0                               else zero_amount
//   6. nonce == sender's nonce                  else bad_nonce
//   7. amount + fee fits 64 bits                else overflow
//   8. sender's balance >= amount + fee         else insufficient_balance
//   9. (withdraw) withdrawn + amount fits       else overflow
// Effects when applied: sender balance -= amount + fee, nonce += 1; recipient balance
// += amount (transfer) or sender withdrawn += amount (withdraw); fee account += fee.
// A deposit credits the account holding its public key, creating it (next index) if
// none does; it is rejected with overflow if it would push the supply past 2^64 - 1.
#pragma once

#include <optional>

#include "common/types.hpp"
#include "rollup/account.hpp"
#include "rollup/receipt.hpp"
#include "rollup/state.hpp"
#include "rollup/tx.hpp"

namespace l2::rollup {

// What is known about a tx's signature before execution.
enum class SigCheck : std::uint8_t { unchecked = 0, valid = 1, invalid = 2 };

// Read/write access to accounts for the sequential STF.
class StateAccess {
 public:
  virtual ~StateAccess() = default;
  [[nodiscard]] virtual std::uint32_t size() const = 0;
  [[nodiscard]] virtual Account get(AccountIndex i) const = 0;  // i < size()
  virtual void put(AccountIndex i, const Account& a) = 0;
  [[nodiscard]] virtual std::optional<AccountIndex> find(const PublicKey& key) const = 0;
  virtual AccountIndex create(const PublicKey& key) = 0;  // appends with zero balance
  [[nodiscard]] virtual Amount supply() const = 0;
  virtual void set_supply(Amount s) = 0;
};

// Sender, amount and fee of a signed tx (transfer or withdrawal).
struct DebitView {
  AccountIndex from;
  Amount amount;
  Amount fee;
  Nonce nonce;
  std::optional<AccountIndex> to;  // transfers only
  bool is_withdraw = false;
};
DebitView debit_view(const Transfer& t);
DebitView debit_view(const Withdraw& w);

// Rules 1-5. `sig_ok` is called only once the sender is known to exist.
template <class SigOk>
TxStatus check_static(const DebitView& d, std::uint32_t account_count, SigOk&& sig_ok) {
  if (d.from.value() >= account_count) return TxStatus::unknown_account;
  if (!sig_ok()) return TxStatus::bad_signature;
  if (d.to) {
    if (d.to->value() >= account_count) return TxStatus::unknown_account;
    if (*d.to == d.from) return TxStatus::self_transfer;
  }
  if (d.amount.is_zero()) return TxStatus::zero_amount;
  return TxStatus::applied;
}
// Rules 6-9 against the sender's current value.
TxStatus check_sender(const DebitView& d, const Account& sender);
// The sender's side of the effects; call only after check_sender returned applied.
void debit_sender(const DebitView& d, Account& sender);

// Applies one tx to `state`. Never fails as a whole: a rejected tx leaves the state as
// it was and says why in its receipt.
Receipt apply_tx(StateAccess& state, ChainId chain, const Tx& tx, SigCheck sig = SigCheck::unchecked);

// StateAccess over a State plus the changes made so far, for the sequential reference
// and anything else that applies txs one at a time.
class OverlayState final : public StateAccess {
 public:
  explicit OverlayState(const State& base);
  [[nodiscard]] std::uint32_t size() const override;
  [[nodiscard]] Account get(AccountIndex i) const override;
  void put(AccountIndex i, const Account& a) override;
  [[nodiscard]] std::optional<AccountIndex> find(const PublicKey& key) const override;
  AccountIndex create(const PublicKey& key) override;
  [[nodiscard]] Amount supply() const override { return supply_; }
  void set_supply(Amount s) override { supply_ = s; }
  // The diff against the base, sorted by index; unchanged accounts are left out.
  [[nodiscard]] std::vector<AccountChange> changes() const;

 private:
  const State& base_;
  std::unordered_map<AccountIndex, Account> changed_;
  std::vector<Account> created_;
  std::unordered_map<PublicKey, AccountIndex, FixedBytesHasher> created_keys_;
  Amount supply_;
};

}  // namespace l2::rollup
