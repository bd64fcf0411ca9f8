// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// The state transition function: the rules of one tx, written once. apply_tx runs them
// sequentially against any StateView: the in-memory state (OverlayState), the base
// chain's one-step proof over Merkle witnesses (WitnessState, witness_state.hpp), the
// challenger's re-derivation. The parallel executor calls the same rule functions
// (check_static, check_sender, debit_sender) with the values it has scheduled, so both
// agree by construction and the differential tests check that they do.
//
// Rule order for a transfer or withdrawal (the first failing rule is the receipt):
//   1. sender index exists                      else unknown_account
//   2. signature valid for the sender's key     else bad_signature
//   3. (transfer) recipient exists              else unknown_account
//   4. (transfer) recipient != sender           else self_transfer
//   5. amount > 0                               else zero_amount
//   6. nonce == sender's nonce                  else bad_nonce
//   7. amount + fee fits, nonce + 1 fits        else overflow
//   8. sender's balance >= amount + fee         else insufficient_balance
//   9. (withdraw) withdrawn + amount fits       else overflow
//  10. every credit (recipient, fee account) fits 64 bits   else overflow
// Effects when applied: sender balance -= amount + fee, nonce += 1; recipient balance
// += amount (transfer) or sender withdrawn += amount (withdraw); fee account += fee.
// A deposit to index i: if account i exists its key must be the deposit's (else
// wrong_account); if leaf i is empty, i must be the next free index (else
// wrong_account) and the account is created with the deposit's key; then its balance
// += amount (else overflow).
//
// Rule 10 and the deposit's overflow never fire on the sequencer: the bridge never
// locks more than 2^64 - 1 for a rollup, so the sum of all balances stays below that
// and no credit can overflow (docs/executor.md, "Supply"). They exist so that a wrong
// pre-state nobody challenged, which a one-step proof must take as given, gives a
// defined receipt instead of an abort: on the proof path nothing here asserts.
#pragma once

#include <optional>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/types.hpp"
#include "rollup/account.hpp"
#include "rollup/receipt.hpp"
#include "rollup/state.hpp"
#include "rollup/tx.hpp"

namespace l2::rollup {

// What is known about a tx's signature before execution.
enum class SigCheck : std::uint8_t { unchecked = 0, valid = 1, invalid = 2 };

// A view that cannot answer for an account a tx touches (a witness set that does not
// cover it). Never happens over a complete state.
enum class ViewError : std::uint8_t { missing_witness = 1 };
std::string_view to_string(ViewError e);

enum class Creatable : std::uint8_t { no = 0, yes = 1 };

// The accounts the STF reads and writes, by index only (evmone's state view): what a
// set of Merkle witnesses can prove. Implemented by OverlayState (below) and
// WitnessState (witness_state.hpp).
class StateView {
 public:
  virtual ~StateView() = default;
  // Account i, or nullopt if leaf i is empty.
  [[nodiscard]] virtual Result<std::optional<Account>, ViewError> get(AccountIndex i) const = 0;
  // Whether an account may be created at i: leaf i is empty and i is the next free
  // index (a dense state: i == account count; witnesses: leaf i empty and leaf i - 1
  // not, or i == 0).
  [[nodiscard]] virtual Result<Creatable, ViewError> can_create(AccountIndex i) const = 0;
  // Overwrites account i, which exists (get returned it, or create made it).
  virtual void put(AccountIndex i, const Account& a) = 0;
  // Creates account i with `key` and nothing in it; only after can_create(i) said yes.
  virtual void create(AccountIndex i, const PublicKey& key) = 0;
};

// The indices whose witnesses a one-step proof of `tx` needs: sender, recipient and fee
// account of a transfer; sender and fee account of a withdrawal; the credited index
// and the one before it (which shows whether it is the next free one) of a deposit.
// Sorted, unique.
std::vector<AccountIndex> touched_accounts(const Tx& tx);

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

// Rules 1-5. `exists(i)` says whether account i exists; `sig_ok` is called only once
// the sender is known to exist.
template <class Exists, class SigOk>
TxStatus check_static_with(const DebitView& d, Exists&& exists, SigOk&& sig_ok) {
  if (!exists(d.from)) return TxStatus::unknown_account;
  if (!sig_ok()) return TxStatus::bad_signature;
  if (d.to) {
    if (!exists(*d.to)) return TxStatus::unknown_account;
    if (*d.to == d.from) return TxStatus::self_transfer;
  }
  if (d.amount.is_zero()) return TxStatus::zero_amount;
  return TxStatus::applied;
}
// The same over a dense state of `account_count` accounts.
template <class SigOk>
TxStatus check_static(const DebitView& d, std::uint32_t account_count, SigOk&& sig_ok) {
  return check_static_with(
      d, [&](AccountIndex i) { return i.value() < account_count; }, std::forward<SigOk>(sig_ok));
}
// Rules 6-9 against the sender's current value.
TxStatus check_sender(const DebitView& d, const Account& sender);
// The sender's side of the effects; call only after check_sender returned applied
// (which rules out every overflow here).
void debit_sender(const DebitView& d, Account& sender);

// Applies one tx to `state`. Never fails as a whole: a rejected tx leaves the state as
// it was and says why in its receipt. The only error is a view that cannot answer
// (then the view may hold partial writes: discard it).
Result<Receipt, ViewError> apply_tx(StateView& state, ChainId chain, const Tx& tx,
                                    SigCheck sig = SigCheck::unchecked);

// StateView over a State plus the changes made so far, for the sequential reference
// and anything else that applies txs one at a time. Complete: it never errs.
class OverlayState final : public StateView {
 public:
  explicit OverlayState(const State& base);
  [[nodiscard]] std::uint32_t size() const;
  [[nodiscard]] Account at(AccountIndex i) const;  // i < size()
  [[nodiscard]] Result<std::optional<Account>, ViewError> get(AccountIndex i) const override;
  [[nodiscard]] Result<Creatable, ViewError> can_create(AccountIndex i) const override;
  void put(AccountIndex i, const Account& a) override;
  void create(AccountIndex i, const PublicKey& key) override;
  // The diff against the base, sorted by index; unchanged accounts are left out.
  [[nodiscard]] std::vector<AccountChange> changes() const;

 private:
  const State& base_;
  std::unordered_map<AccountIndex, Account> changed_;
  std::vector<Account> created_;
};

// apply_tx over a complete view, which cannot fail.
Receipt apply_tx(OverlayState& state, ChainId chain, const Tx& tx, SigCheck sig = SigCheck::unchecked);

}  // namespace l2::rollup
