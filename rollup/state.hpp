// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// The rollup's account set in memory: accounts by index, an index by public key, and
// the total supply. Invariant: supply == sum of all balances <= 2^64 - 1. Because no
// balance can exceed the supply, crediting an account can never overflow, which is
// what lets the executor treat credits as commutative. Not thread-safe: the executor
// reads it concurrently only while nobody mutates it.
#pragma once

#include <optional>
#include <span>
#include <unordered_map>
#include <vector>

#include "common/bytes.hpp"
#include "common/types.hpp"
#include "rollup/account.hpp"

namespace l2::rollup {

// One account's value before and after a batch (before is empty if the batch created it).
struct AccountChange {
  AccountIndex index;
  std::optional<Account> before;
  Account after;
  friend bool operator==(const AccountChange&, const AccountChange&) = default;
};

// diff = count varint || (index varint || flags u8 || [pubkey[32] if created] ||
//         [before balance,nonce,withdrawn u64le if not created] || after balance,nonce,withdrawn u64le)*
// flags: bit 0 = created. The pubkey of an existing account never changes, so it is
// stored only when the account is created.
Bytes encode_changes(std::span<const AccountChange> changes);
Result<std::vector<AccountChange>, DecodeError> decode_changes(ByteView in,
                                                               std::span<const Account> existing);
// What a diff says of each account's value before the batch, without the accounts that a
// full decode needs: `before` is empty for an account the batch created, and its pubkey
// is left zero (a diff stores the pubkey of created accounts only).
struct ChangeBefore {
  AccountIndex index;
  std::optional<Account> before;
};
Result<std::vector<ChangeBefore>, DecodeError> decode_change_befores(ByteView in);
// Just the indices a diff names and whether each was created, without the accounts
// that a full decode needs.
Result<std::vector<std::pair<AccountIndex, bool>>, DecodeError> decode_change_indices(ByteView in);

class State {
 public:
  // Genesis: the fee account (index 0) owned by the operator, with nothing in it.
  explicit State(const PublicKey& operator_key);
  // From stored accounts (index i at position i); nullopt if the supply overflows or
  // a public key repeats.
  static std::optional<State> from_accounts(std::vector<Account> accounts);

  [[nodiscard]] std::uint32_t size() const { return static_cast<std::uint32_t>(accounts_.size()); }
  [[nodiscard]] bool contains(AccountIndex i) const { return i.value() < accounts_.size(); }
  [[nodiscard]] const Account& at(AccountIndex i) const { return accounts_[i.value()]; }
  [[nodiscard]] std::optional<AccountIndex> find(const PublicKey& key) const;
  [[nodiscard]] Amount supply() const { return supply_; }
  [[nodiscard]] std::span<const Account> accounts() const { return accounts_; }

  // Applies a diff (changes sorted by index; created accounts appended in order).
  void apply(std::span<const AccountChange> changes);
  // Undoes a diff that was the last one applied.
  void revert(std::span<const AccountChange> changes);

 private:
  State() = default;
  std::vector<Account> accounts_;
  std::unordered_map<PublicKey, AccountIndex, FixedBytesHasher> by_key_;
  Amount supply_;
};

}  // namespace l2::rollup
