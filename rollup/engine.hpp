// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// The engine: state, Merkle tree, executor and store wired into a pipeline.
//
//   submit(batch n): verify (all threads) -> execute -> merkleize (all threads) on the
//                    caller's thread, then hand the commit to the commit thread and
//                    return a future.
//   commit thread:   writes batch n to SQLite (durable), then resolves its future.
//
// With each batch the engine also stores the witness (leaf and Merkle proof against
// that batch's root) of every account that withdrew in it: the base chain pays a
// withdrawal against the root of a final batch, long after the tree has moved on.
//
// So while batch n commits, batch n+1 is being verified. A future resolves only once
// its batch is durable: that is the acknowledgement. If a commit fails, the engine is
// poisoned: that batch and every later one fail, and the owner must reopen the engine,
// which reloads the last durable state (the in-memory state had run ahead of disk).
//
// Thread safety: submit(), flush(), checkpoint(), rollback_to() and the plain read
// accessors belong to one thread (the owner); they show the state after the last
// submitted batch, which may not be durable yet. read_durable() is for every other
// thread (an HTTP server's, say): it shows the state as of the last durable batch, so it
// never shows anything a crash could undo, and it never waits for a commit: each batch
// executed but not yet durable keeps an undo record (the accounts it changed, with their
// values before, and the tree nodes it rewrote, with their hashes before) that the
// reader lays over the current state. read_executed() shows other threads what the
// owner sees.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <future>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <thread>

#include "common/merkle.hpp"
#include "common/thread_pool.hpp"
#include "rollup/executor.hpp"
#include "rollup/state_store.hpp"
#include "rollup/witness.hpp"

namespace l2::rollup {

struct EngineOptions {
  StoreOptions store;
  unsigned threads = 0;  // 0: all hardware threads
  // Fold diffs into the accounts table after this many batches, or sooner when this
  // many accounts are pending.
  std::uint32_t checkpoint_every = 64;
  std::size_t checkpoint_max_pending = 2'000'000;
};

struct StageTimings {
  double verify_ms = 0;
  double execute_ms = 0;
  double merkle_ms = 0;
  double commit_ms = 0;  // includes a checkpoint when one ran after this batch
};

inline constexpr std::size_t kMaxOriginBytes = 4096;

struct BatchInput {
  std::vector<Tx> txs;
  std::vector<SigCheck> sigs;  // empty, or one per tx (checks done at ingest)
  std::int64_t timestamp_ms = 0;
  // Stored with the batch, atomically, and otherwise ignored (at most kMaxOriginBytes):
  // the sequencer records there which base-chain queue entries the batch consumed.
  Bytes origin = {};
  // Empty, or one per tx: tx_hash of each, computed at ingest so that no tx is hashed
  // twice. Trusted, like sigs: they become the receipts' hashes. (Last, so that the
  // positional initialisers {txs, sigs, timestamp_ms[, origin]} keep working.)
  std::vector<Hash32> hashes = {};
};

struct CommittedBatch {
  BatchHeader header;
  std::vector<Receipt> receipts;
  StageTimings timings;
};

enum class EngineErrorCode : std::uint8_t { storage, corrupt, poisoned, invalid_argument };
struct EngineError {
  EngineErrorCode code = EngineErrorCode::storage;
  std::string message;
};

// What one executed batch changed, kept until the batch is durable: read_durable()
// lays the records of the batches not yet durable over the current state.
struct BatchUndo {
  BatchHeader prev_head;
  std::uint32_t prev_size = 0;         // accounts before the batch
  std::vector<AccountChange> changes;  // sorted by index, with the values before
  TreeUndo tree;
};

// The state, tree and head as of the last durable batch (read_durable's argument). Valid
// only inside read_durable's function; lookups cost a binary search per batch not yet
// durable (at most the few in flight).
class DurableView {
 public:
  DurableView(const State& state, const SparseMerkleTree& tree, const BatchHeader& head,
              std::span<const BatchUndo* const> undos, std::span<const TreeUndo* const> tree_undos)
      : state_(state), tree_(tree), head_(head), undos_(undos), tree_undos_(tree_undos) {}

  [[nodiscard]] const BatchHeader& head() const { return undos_.empty() ? head_ : undos_.front()->prev_head; }
  [[nodiscard]] std::uint32_t size() const {
    return undos_.empty() ? state_.size() : undos_.front()->prev_size;
  }
  [[nodiscard]] bool contains(AccountIndex i) const { return i.value() < size(); }
  // Requires contains(i).
  [[nodiscard]] const Account& at(AccountIndex i) const;
  [[nodiscard]] std::optional<AccountIndex> find(const PublicKey& key) const;
  // Proof against head().state_root (of an absent leaf when !contains(i)).
  [[nodiscard]] MerkleProof prove(AccountIndex i) const { return tree_.prove_before(i.value(), tree_undos_); }
  // The tree node at (height, pos) under head().state_root (empty_subtree_hash(height)
  // right of the leaves): what history.hpp lays the older leaves over.
  [[nodiscard]] Hash32 node(int height, std::uint64_t pos) const {
    return tree_.node_before(height, pos, tree_undos_);
  }

 private:
  const State& state_;
  const SparseMerkleTree& tree_;
  const BatchHeader& head_;
  std::span<const BatchUndo* const> undos_;  // oldest first
  std::span<const TreeUndo* const> tree_undos_;
};

class Engine {
 public:
  static Result<std::unique_ptr<Engine>, EngineError> open(const EngineOptions& options);
  ~Engine();  // waits for pending commits
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  using Ack = std::future<Result<CommittedBatch, EngineError>>;
  Ack submit(BatchInput input);
  // Waits until every submitted batch is durable (or failed).
  Status<EngineError> flush();
  // Flushes, then folds all pending diffs into the accounts table.
  Status<EngineError> checkpoint();
  // Flushes, then removes every batch after n from memory and disk; `record` goes into
  // the store's rolled_back_txs in the same database transaction. The state as of n is
  // computed on a copy and checked against n's root first: a failure before the database
  // moves changes nothing (not poisoned); a failed write poisons the engine with memory
  // still the durable state; after the write memory is the state at n. Readers never see
  // a half-reverted state.
  Status<EngineError> rollback_to(BatchNumber n, std::span<const RolledBackTx> record = {});

  // Calls fn(view) under a shared lock, where view (a DurableView) is the state as of the
  // last durable batch. Any thread; it waits only while the owner applies a batch (the
  // execute and merkleize stages) or a commit thread marks one durable, never for a
  // commit. fn must not call back into the engine. A poisoned engine shows the last
  // state it made durable, which is what reopening it loads.
  template <class F>
  decltype(auto) read_durable(F&& fn) const {
    std::shared_lock lock(state_mutex_);
    std::vector<const BatchUndo*> undos;
    std::vector<const TreeUndo*> tree_undos;
    undos.reserve(undo_.size());
    tree_undos.reserve(undo_.size());
    for (const auto& u : undo_) {
      undos.push_back(u.get());
      tree_undos.push_back(&u->tree);
    }
    const DurableView view(state_, tree_, head_, undos, tree_undos);
    return std::forward<F>(fn)(view);
  }
  // Calls fn(state, tree, head) under a shared lock over the state after the last
  // executed batch, durable or not: it waits only while the owner applies a batch (the
  // execute and merkleize stages), never for a commit. Any thread; fn must not call back
  // into the engine. For what decides what happens next (a sequencer's ingest checks),
  // not for answers that must survive a crash.
  template <class F>
  decltype(auto) read_executed(F&& fn) const {
    std::shared_lock lock(state_mutex_);
    return std::forward<F>(fn)(static_cast<const State&>(state_), static_cast<const SparseMerkleTree&>(tree_),
                               static_cast<const BatchHeader&>(head_));
  }
  // The latest batch known durable. Any thread.
  [[nodiscard]] BatchNumber durable_head() const { return BatchNumber(durable_number_.load()); }
  [[nodiscard]] bool poisoned() const { return is_poisoned_.load(); }

  [[nodiscard]] const State& state() const { return state_; }
  [[nodiscard]] const Hash32& state_root() const { return tree_.root(); }
  [[nodiscard]] const BatchHeader& head() const { return head_; }
  [[nodiscard]] MerkleProof prove(AccountIndex i) const { return tree_.prove(i.value()); }
  [[nodiscard]] ChainId chain_id() const { return options_.store.chain_id; }
  [[nodiscard]] unsigned threads() const { return pool_.size(); }

 private:
  struct CommitJob {
    StoredBatch batch;
    std::shared_ptr<const BatchUndo> undo;  // its changes are the batch's diff
    std::vector<Receipt> receipts;
    StageTimings timings;
    std::promise<Result<CommittedBatch, EngineError>> done;
  };

  Engine(const EngineOptions& options, std::unique_ptr<StateStore> store, LoadedState loaded);
  void commit_loop();
  void merkleize(std::span<const AccountChange> changes, TreeUndo* undo);
  std::optional<EngineError> commit_one(CommitJob& job);

  EngineOptions options_;
  ThreadPool pool_;
  Executor executor_;
  std::unique_ptr<StateStore> store_;  // used by the commit thread only (and the owner while idle)
  // state_, tree_ and head_ are written only by the owner, under state_mutex_ held
  // exclusively; the owner reads them without it, other threads through read_durable.
  // undo_ (one record per batch executed but not yet durable, oldest first) is pushed by
  // the owner and popped by the commit thread, both under state_mutex_ held exclusively.
  mutable std::shared_mutex state_mutex_;
  std::deque<std::shared_ptr<const BatchUndo>> undo_;
  std::atomic<std::uint64_t> durable_number_{0};
  std::atomic<bool> is_poisoned_{false};
  State state_;
  SparseMerkleTree tree_;
  BatchHeader head_;

  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::unique_ptr<CommitJob>> queue_;  // GUARDED_BY(mutex_)
  bool busy_ = false;                             // GUARDED_BY(mutex_)
  bool stop_ = false;                             // GUARDED_BY(mutex_)
  std::optional<EngineError> poisoned_;           // GUARDED_BY(mutex_)
  // Commit thread only:
  std::map<AccountIndex, Account> pending_;
  std::uint32_t batches_since_checkpoint_ = 0;
  std::thread commit_thread_;
};

}  // namespace l2::rollup
