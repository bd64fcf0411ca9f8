// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// Helpers shared by the unit tests: temporary directories, deterministic keys, hex
// literals, and (for the rollup tests) a reference chain builder that produces the
// batches a correct sequencer would store, using only the sequential STF and a fresh
// Merkle tree, so store and engine tests can compare against it.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/bytes.hpp"
#include "common/crypto.hpp"
#include "common/merkle.hpp"
#include "rollup/executor.hpp"
#include "rollup/state.hpp"
#include "rollup/state_store.hpp"
#include "rollup/stf.hpp"
#include "rollup/tx.hpp"
#include "tests/unit/temp_dir.hpp"

namespace l2::test {

// Bytes from a hex literal; a malformed literal is a bug in the test.
inline Bytes hex(std::string_view h) {
  auto b = from_hex(h);
  if (!b) {
    ADD_FAILURE() << "bad hex literal in test: " << h;
    return {};
  }
  return *b;
}

// Deterministic Ed25519 key number n (its seed is n repeated).
inline SecretKey test_key(std::uint8_t n) {
  Seed32 seed;
  seed.array().fill(n);
  return SecretKey::from_seed(seed);
}

inline Hash32 random_hash(std::mt19937_64& rng) {
  Hash32 h;
  for (auto& b : h.array()) b = static_cast<std::uint8_t>(rng());
  return h;
}

// ---- rollup helpers ---------------------------------------------------------------------

// A deposit of `amount` to account `index`, whose key is `to` (the bridge assigns the
// index: the key's own, or the next free one).
inline rollup::Tx make_deposit(std::uint64_t id, std::uint32_t index, const PublicKey& to,
                               std::uint64_t amount) {
  return rollup::Deposit{DepositPosition(id), AccountIndex(index), to, Amount(amount)};
}

// Deposit indices as the bridge assigns them: the key's account in `state`, else the
// one an earlier deposit of the same batch created for it, else the next free index.
class DepositIndexer {
 public:
  explicit DepositIndexer(const rollup::State& state) : state_(state), next_(state.size()) {}
  AccountIndex index_for(const PublicKey& key) {
    if (auto i = state_.find(key)) return *i;
    auto [it, fresh] = created_.try_emplace(key, next_);
    if (fresh) ++next_;
    return AccountIndex(it->second);
  }
  rollup::Tx deposit(std::uint64_t id, const PublicKey& to, std::uint64_t amount) {
    return rollup::Deposit{DepositPosition(id), index_for(to), to, Amount(amount)};
  }

 private:
  const rollup::State& state_;
  std::uint32_t next_;
  std::unordered_map<PublicKey, std::uint32_t, FixedBytesHasher> created_;
};

// One argument per field of the tx it signs, so that a test reads like the tx.
// NOLINTNEXTLINE(readability-function-size): the fields of a transfer, plus chain and key
inline rollup::Tx make_transfer(ChainId chain, const SecretKey& key, std::uint32_t from, std::uint32_t to,
                                std::uint64_t amount, std::uint64_t fee, std::uint64_t nonce) {
  rollup::Tx tx =
      rollup::Transfer{AccountIndex(from), AccountIndex(to), Amount(amount), Amount(fee), Nonce(nonce), {}};
  rollup::sign_tx(tx, chain, key);
  return tx;
}

// NOLINTNEXTLINE(readability-function-size): the fields of a withdrawal, plus chain and key
inline rollup::Tx make_withdraw(ChainId chain, const SecretKey& key, std::uint32_t from, std::uint64_t amount,
                                std::uint64_t fee, std::uint64_t nonce) {
  rollup::Tx tx = rollup::Withdraw{AccountIndex(from), Amount(amount), Amount(fee), Nonce(nonce), {}};
  rollup::sign_tx(tx, chain, key);
  return tx;
}

// The state root of `state`, from a fresh tree over all its accounts.
inline Hash32 root_of(const rollup::State& state) {
  SparseMerkleTree tree;
  for (std::uint32_t i = 0; i < state.size(); ++i)
    tree.set_leaf(i, rollup::account_leaf_hash(state.at(AccountIndex(i))));
  return tree.update_root();
}

// Compares two states account by account (State has no operator==).
inline ::testing::AssertionResult same_state(const rollup::State& got, const rollup::State& want) {
  if (got.size() != want.size())
    return ::testing::AssertionFailure() << "size " << got.size() << " != " << want.size();
  for (std::uint32_t i = 0; i < got.size(); ++i) {
    const auto& a = got.at(AccountIndex(i));
    const auto& b = want.at(AccountIndex(i));
    if (a != b)
      return ::testing::AssertionFailure()
             << "account " << i << ": got (key " << a.pubkey.hex() << ", balance " << a.balance.value()
             << ", nonce " << a.nonce.value() << ", withdrawn " << a.withdrawn.value() << "), want (key "
             << b.pubkey.hex() << ", balance " << b.balance.value() << ", nonce " << b.nonce.value()
             << ", withdrawn " << b.withdrawn.value() << ")";
    if (got.find(a.pubkey) != std::optional<AccountIndex>(AccountIndex(i)))
      return ::testing::AssertionFailure() << "key index of account " << i << " is wrong";
  }
  if (got.supply() != want.supply())
    return ::testing::AssertionFailure()
           << "supply " << got.supply().value() << " != " << want.supply().value();
  return ::testing::AssertionSuccess();
}

// A reference chain: applies batches with the sequential STF and keeps every batch's
// header, stored form and resulting state, as a correct sequencer would have stored them.
class ChainBuilder {
 public:
  ChainBuilder(ChainId chain, const PublicKey& operator_key)
      : chain_(chain), states_{rollup::State(operator_key)} {
    rollup::BatchHeader genesis;
    genesis.state_root = root_of(states_.back());
    genesis.txs_hash = blake2b256(rollup::encode_txs({}));
    headers_.push_back(genesis);
  }

  // Builds the next batch from `txs`; the builder's head moves to it.
  rollup::StoredBatch next(const std::vector<rollup::Tx>& txs, std::int64_t timestamp_ms = 0) {
    const rollup::State& before = states_.back();
    rollup::ExecutionResult r = rollup::execute_sequential(before, chain_, txs);
    rollup::State after = before;
    after.apply(r.changes);
    rollup::StoredBatch b;
    b.header.number = BatchNumber(headers_.back().number.value() + 1);
    b.header.prev_root = headers_.back().state_root;
    b.header.state_root = root_of(after);
    b.txs = rollup::encode_txs(txs);
    b.header.txs_hash = blake2b256(b.txs);
    b.header.tx_count = static_cast<std::uint32_t>(txs.size());
    b.header.applied_count = r.applied;
    b.header.timestamp_ms = timestamp_ms;
    b.receipts = rollup::encode_receipts(r.receipts);
    b.changes = rollup::encode_changes(r.changes);
    for (const auto& c : r.changes) pending_[c.index] = c.after;
    headers_.push_back(b.header);
    states_.push_back(std::move(after));
    receipts_.push_back(std::move(r.receipts));
    return b;
  }

  // Latest value of every account changed since the last take_pending() (what a
  // checkpoint folds in).
  std::map<AccountIndex, rollup::Account> take_pending() { return std::exchange(pending_, {}); }

  [[nodiscard]] const rollup::State& state() const { return states_.back(); }
  [[nodiscard]] const rollup::State& state_at(std::uint64_t n) const { return states_.at(n); }
  [[nodiscard]] const rollup::BatchHeader& head() const { return headers_.back(); }
  [[nodiscard]] const rollup::BatchHeader& header_at(std::uint64_t n) const { return headers_.at(n); }
  [[nodiscard]] const std::vector<rollup::Receipt>& receipts_at(std::uint64_t n) const {
    return receipts_.at(n - 1);
  }

 private:
  ChainId chain_;
  std::vector<rollup::State> states_;
  std::vector<rollup::BatchHeader> headers_;
  std::vector<std::vector<rollup::Receipt>> receipts_;
  std::map<AccountIndex, rollup::Account> pending_;
};

}  // namespace l2::test
