// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// The rollup's SQLite store. Layout (schema below, version in PRAGMA user_version):
//   batches  — one row per batch: header, its txs, its receipts, its account diff
//              (before and after values), the witnesses of the accounts that withdrew
//              in it (witness.hpp) and an origin record owned by the caller (the
//              sequencer records which base-chain queue entries the batch consumed),
//              written in one database transaction. Batch 0 is genesis.
//   accounts — every account's leaf as of the checkpoint batch (meta.checkpoint).
//   meta     — chain id, operator key, checkpoint batch.
//   rolled_back_txs — the txs of batches a rollback removed, with the owner's note of
//              what becomes of each (written in the rollback's own database
//              transaction, so that a crash never leaves a rollback without its list).
// The current state is the accounts table plus the diffs of the batches after the
// checkpoint. Appending a batch therefore writes one row, not one random B-tree update
// per changed account; checkpoint() folds the newer diffs into the accounts table in
// index order, every so often. The diffs' before-values let rollback_to() undo
// batches that a dispute removes.
//
// One writer: a StateStore belongs to one thread at a time (the engine's commit thread).
// Readers in other threads open their own StateStore on the same file (WAL).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/sqlite.hpp"
#include "common/types.hpp"
#include "rollup/state.hpp"

namespace l2::rollup {

struct BatchHeader {
  BatchNumber number;
  Hash32 prev_root;
  Hash32 state_root;
  Hash32 txs_hash;  // BLAKE2b-256 of the batch's txs in batch wire form (tx.hpp)
  std::uint32_t tx_count = 0;
  std::uint32_t applied_count = 0;
  std::int64_t timestamp_ms = 0;  // the sequencer's clock when the batch was closed
  friend bool operator==(const BatchHeader&, const BatchHeader&) = default;
};

struct StoredBatch {
  BatchHeader header;
  Bytes txs;        // encode_txs
  Bytes receipts;   // encode_receipts
  Bytes changes;    // encode_changes
  Bytes witnesses;  // encode_witnesses: every account that withdrew in the batch
  Bytes origin;     // opaque to the store (BatchInput::origin)
};

// Which blobs StateStore::batch reads (each checked against its hash); the others are
// left empty. The header is always read and checked.
struct BatchParts {
  bool txs = true;
  bool receipts = true;
  bool changes = true;
  bool witnesses = true;
  bool origin = true;
};

// What makes a stored batch row checkable (schema 5, docs/storage.md "Row checks"):
// the BLAKE2b-256 of each blob that the header does not commit to (txs_hash covers the
// txs), and `row` over the header and those four hashes.
struct BatchRowHashes {
  Hash32 receipts;
  Hash32 changes;
  Hash32 witnesses;
  Hash32 origin;
  Hash32 row;
  friend bool operator==(const BatchRowHashes&, const BatchRowHashes&) = default;
};
BatchRowHashes batch_row_hashes(const StoredBatch& batch);
// row = BLAKE2b-256("L2STACK/BATCH-ROW/V1" || number u64le || prev_root || state_root ||
//       txs_hash || tx_count u32le || applied_count u32le || timestamp_ms i64le ||
//       receipts_hash || changes_hash || witnesses_hash || origin_hash)
Hash32 batch_row_hash(const BatchHeader& h, const Hash32& receipts, const Hash32& changes,
                      const Hash32& witnesses, const Hash32& origin);

enum class StoreErrorCode : std::uint8_t {
  io,              // SQLite failed (disk full, I/O error, injected fault, ...)
  corrupt,         // stored data fails its own checks
  wrong_chain,     // the file belongs to another chain id or operator
  schema_too_new,  // written by a newer version of this program
  conflict,        // e.g. appending a batch whose number or previous root doesn't follow
};
std::string_view to_string(StoreErrorCode c);

struct StoreError {
  StoreErrorCode code = StoreErrorCode::io;
  std::string message;
};

struct StoreOptions {
  std::string path = ":memory:";
  bool synchronous_full = true;
  ChainId chain_id{1};
  PublicKey operator_key;
  // How long a write waits for another connection's lock on the database before it
  // fails (SQLite's busy timeout).
  int busy_timeout_ms = 5000;
};

// A tx of a batch that rollback_to() removed. The store keeps one row per hash (the
// latest rollback's), in the order the owner gave them (`seq`); what the row means is
// the owner's (the sequencer re-executes the user txs after a settlement reorg).
struct RolledBackTx {
  Hash32 hash;
  Bytes tx;               // encode_tx
  BatchNumber old_batch;  // the removed batch it was in
  std::uint32_t old_index = 0;
  std::uint8_t source = 0;     // the owner's classification (queue entry, user tx, ...)
  BatchNumber rolled_back_to;  // the rollback's target (below old_batch)
  std::string reason;          // empty: to be executed again; else why not
  std::uint64_t seq = 0;       // set by the store on load: write order
};

struct LoadedState {
  State state;
  BatchHeader head;
  BatchNumber checkpoint;
  // Latest value of every account changed after the checkpoint (not yet folded in).
  std::map<AccountIndex, Account> pending;
};

class StateStore {
 public:
  static constexpr int kSchemaVersion = 5;

  // Creates the file (with genesis) or opens it, migrating older schemas.
  static Result<std::unique_ptr<StateStore>, StoreError> open(const StoreOptions& options);

  // The state as of the latest batch, checked against that batch's recorded root by
  // the caller (the store builds no Merkle tree).
  Result<LoadedState, StoreError> load();

  // Appends the batch after the current head, in one database transaction (durable
  // when it returns, with synchronous=FULL).
  Status<StoreError> append_batch(const StoredBatch& batch);

  // Folds `latest` (each account's value as of batch `upto`) into the accounts table.
  Status<StoreError> checkpoint(BatchNumber upto, const std::map<AccountIndex, Account>& latest);

  // Removes every batch after `n`. `state_at_n` is the state as of batch n (the caller
  // reverts its in-memory state first); it is used when the checkpoint is past n.
  // `record` is written to rolled_back_txs in the same database transaction (a row
  // with the same hash is replaced, and moves to the end of the order).
  Status<StoreError> rollback_to(BatchNumber n, const State& state_at_n,
                                 std::span<const RolledBackTx> record = {});
  // Every rolled_back_txs row, in write order.
  Result<std::vector<RolledBackTx>, StoreError> rolled_back_txs();

  // The state as of stored batch n (<= head), without changing anything: loads the
  // head state and reverts the diffs of the batches after n on that copy. On demand
  // (O(accounts) memory and time): traces and disputes, never the hot path.
  Result<State, StoreError> state_at(BatchNumber n);

  Result<std::optional<BatchHeader>, StoreError> header(BatchNumber n);
  Result<BatchHeader, StoreError> head();
  // Every read checks what it returns: the header against its row_hash, and each blob
  // read against its hash (the txs against txs_hash); a mismatch is `corrupt`, naming
  // the batch and the column, and nothing is returned.
  Result<std::optional<StoredBatch>, StoreError> batch(BatchNumber n, BatchParts parts = {});
  [[nodiscard]] BatchNumber checkpoint_batch() const { return checkpoint_; }

  Db& db() { return *db_; }

 private:
  StateStore() = default;
  Status<StoreError> init_or_migrate();
  Status<StoreError> rewrite_deposits_by_index();
  Status<StoreError> fill_row_hashes();
  Result<LoadedState, StoreError> load_in_snapshot();
  // One transaction: upsert (or delete, for nullopt) accounts, optionally drop batches
  // after `drop_after`, and set the checkpoint to `cp`.
  Status<StoreError> write_accounts(const std::map<AccountIndex, std::optional<Account>>& values,
                                    BatchNumber cp, std::optional<BatchNumber> drop_after,
                                    std::span<const RolledBackTx> record = {});

  StoreOptions options_;
  std::unique_ptr<Db> db_;
  Statement insert_batch_;
  Statement select_header_;
  BatchNumber checkpoint_;
};

}  // namespace l2::rollup
