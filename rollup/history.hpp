// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// An account and its Merkle proof as of an earlier batch n (GET /v1/accounts/{id}?batch=n,
// docs/api.md), without rebuilding the tree: the batches after n changed some leaves,
// and their diffs hold each changed account's value before (state_store.hpp). Laid over
// the latest durable tree, those values give the tree as of n on the paths they touch;
// every other node is unchanged since n. The root this recomputes must be batch n's
// stored root, or nothing is answered.
//
// Three steps, so that the engine's lock is held only to copy what is needed:
//   1. read_history (no engine lock): the diffs after n, in one read transaction of the
//      caller's own StateStore handle; each row checked as it is read. If the durable
//      head has moved on by step 2, extend_history reads just the batches added since.
//   2. HistoricalRead::gather, inside Engine::read_durable: checks that the durable head
//      is still the head step 1 read, then copies the current nodes and public keys the
//      recomputation needs (no hashing).
//   3. HistoricalRead::finish (no lock): hashes the changed paths, checks the root, and
//      builds the answer.
// Cost: O(c * (32 - log2 c)) node hashes for c accounts changed since n; reading
// is bounded by `max_changes` diff entries (one per account per batch).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/merkle.hpp"
#include "rollup/engine.hpp"
#include "rollup/state_store.hpp"

namespace l2::rollup {

// What the batches after n changed, as of n.
struct History {
  BatchHeader at;    // batch n
  BatchHeader head;  // the newest batch of the read (the store's head then)
  // Every account changed in (n, head], sorted by index, with its value at n (pubkey
  // left zero: filled in by gather); nullopt: created after n.
  std::vector<ChangeBefore> before;
  // The accounts at n, when a batch after n created one (the first index created);
  // otherwise the head's count, which only the engine knows.
  std::optional<std::uint32_t> size_at;
  std::uint64_t entries = 0;  // diff entries read
};

enum class HistoryErrorCode : std::uint8_t {
  store,         // the read failed (StoreError in `store`): io or corrupt
  past_head,     // n is after the store's head
  too_deep,      // more than max_changes diff entries since n
  moved,         // the durable head is no longer the one read: read again
  root_mismatch  // the recomputed root is not batch n's (damage: the message says where)
};
struct HistoryError {
  HistoryErrorCode code = HistoryErrorCode::store;
  std::string message;
  std::optional<StoreError> store;
};

// Step 1. Batch n and the diffs of every batch after it, up to the store's head, in one
// read transaction of `store` (a reader's own handle).
Result<History, HistoryError> read_history(StateStore& store, BatchNumber n, std::uint64_t max_changes);
// Step 1 again after the durable head moved: adds the batches the store holds after
// history.head (reading only those), in one read transaction. `moved` if the store no
// longer holds history.head (a rollback): read from scratch. On an error `history` is
// unchanged.
Status<HistoryError> extend_history(StateStore& store, History& history, std::uint64_t max_changes);

struct HistoricalAccount {
  AccountIndex index;
  std::optional<Account> account;  // nullopt: no such account at n
  BatchHeader at;
  std::optional<MerkleProof> proof;  // against at.state_root, when asked for and the account exists
};

// Steps 2 and 3 for one account, named by index or (key set) by public key.
class HistoricalRead {
 public:
  HistoricalRead(const History& history, AccountIndex index, std::optional<PublicKey> key, bool with_proof);
  // Inside read_durable. False if the view's head is not history.head (the durable head
  // moved since read_history, or a rollback replaced it): read again.
  bool gather(const DurableView& view);
  // After a successful gather.
  Result<HistoricalAccount, HistoryError> finish() const;

 private:
  const History& history_;
  AccountIndex index_;
  std::optional<PublicKey> key_;
  bool with_proof_;
  // Positions per height whose hash at n is computed (the changed leaves' paths), and
  // per height the current nodes that those hashes and the proof read.
  std::vector<std::vector<std::uint64_t>> computed_;
  std::vector<std::vector<std::uint64_t>> fetch_pos_;
  // Filled by gather:
  std::vector<std::vector<Hash32>> fetched_;
  std::vector<PublicKey> keys_;  // per history.before entry
  std::uint32_t size_at_ = 0;
  std::optional<Account> current_;  // the account's durable value, if it exists now
};

}  // namespace l2::rollup
