// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// The sequencer node, without HTTP: it owns the engine, the mempool, the batcher and
// ack threads, the index of committed txs and the metrics. It ingests, batches,
// acknowledges and answers queries; settlement is another component's
// (settlement::Settler), which reads the durable batches from the database itself.
//
//   ingest (any thread): cheap checks against the executed state (the latest batch
//                        executed, durable or not: it never waits for a commit) ->
//                        mempool (or a receipt saying why not)
//   batcher thread:      the engine's owner. Closes a batch at batch.max_txs or
//                        batch.max_delay_ms after its first tx, submits it, and goes on
//                        with the next while the engine commits (at most
//                        batch.max_in_flight batches not yet durable).
//   ack thread:          waits for each batch's future (durable), then records its txs
//                        in the tx index and resolves the waiters: only then is a tx
//                        acknowledged.
//   with a settler:      each batch starts with the base-chain queue entries the settler
//                        holds (deposits, then forced txs) and stores the settler's
//                        origin record; no batch is closed while the settler says the
//                        base chain is too far behind; the settler hears of every
//                        durable batch.
//
// Thread safety: every public method may be called from any thread. Waiters are
// WaitGroups whose callback runs on the ack or batcher thread; it must be quick (post
// to an event loop) and must not call back into the node.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <variant>
#include <vector>

#include "common/merkle.hpp"
#include "common/result.hpp"
#include "common/thread_pool.hpp"
#include "rollup/engine.hpp"
#include "rollup/witness.hpp"
#include "sequencer/acked_head.hpp"
#include "sequencer/api_types.hpp"
#include "sequencer/config.hpp"
#include "sequencer/json_codec.hpp"
#include "sequencer/mempool.hpp"
#include "sequencer/metrics.hpp"
#include "settlement/settler.hpp"

namespace l2::sequencer {

struct NodeOptions {
  std::string db_path;
  // The acknowledged-head record (acked_head.hpp; sequencerd: DATA_DIR/acked-head).
  // Empty: none (a node in a test, or on an in-memory database).
  std::string acked_head_path;
  ChainId chain_id;
  PublicKey operator_key;
  unsigned threads = 0;  // engine threads; 0: all hardware threads
  MempoolOptions mempool;
  BatchOptions batch;
  // GET /v1/accounts/{id}?batch=n reads at most this many diff entries (one per account
  // per batch) after n (HttpOptions::max_history_changes).
  std::uint64_t max_history_changes = 200'000;
  // Tests only: the batcher sleeps this long in a settlement reorg, after the rollback is
  // durable and before the queues restart, so that a test can kill the process there.
  std::uint32_t test_reorg_pause_ms = 0;
};

// The receipts of one request, filled in as its txs become durable (or are dropped).
class WaitGroup {
 public:
  WaitGroup(std::vector<TxReceipt> receipts, std::size_t pending)
      : receipts_(std::move(receipts)), remaining_(pending), done_(pending == 0) {}
  // Calls fn once, when no tx of the group is pending any more, or when the node gives
  // up on them (storage failure, shutdown); at once if that has already happened.
  void on_done(std::function<void()> fn);
  [[nodiscard]] std::vector<TxReceipt> snapshot() const;
  // True if the node's storage failed before every tx was durable.
  [[nodiscard]] bool failed() const;

 private:
  friend class Node;
  // Each returns the callback to run (outside any lock) if it completed the group.
  std::function<void()> resolve(std::size_t pos, const TxReceipt& r);
  std::function<void()> give_up(bool failed);

  mutable std::mutex mutex_;
  std::vector<TxReceipt> receipts_;  // GUARDED_BY(mutex_)
  std::size_t remaining_;            // GUARDED_BY(mutex_)
  bool done_;                        // GUARDED_BY(mutex_)
  bool failed_ = false;              // GUARDED_BY(mutex_)
  std::function<void()> notify_;     // GUARDED_BY(mutex_)
};

struct SubmitOptions {
  // A single tx: an ingest refusal is the whole answer (an ApiError), not a receipt.
  bool single = false;
  // Register the txs so that the returned group is resolved as they become durable.
  bool watch = true;
};

// What a settlement reorg (docs/settlement.md, "Reorgs") did to a tx: it was in batch
// `from_batch` at `from_index`, which was rolled back to `rolled_back_to`.
struct ReorgNote {
  enum class Outcome : std::uint8_t {
    pending,    // not executed again yet (queued behind the base chain's queue entries)
    reapplied,  // applied again: the receipt names the new batch, index and root
    rejected,   // executed again and rejected: `reason` (and the receipt) say why
    dropped,    // not executed again: `reason` says why
  };
  BatchNumber from_batch;
  std::uint32_t from_index = 0;
  BatchNumber rolled_back_to;
  Outcome outcome = Outcome::pending;
  std::string reason;
};
std::string_view to_string(ReorgNote::Outcome o);

// Settlement reorgs this process made, and what they did to user txs.
struct ReorgStats {
  std::uint64_t reorgs = 0;
  std::uint64_t reexecuted = 0;  // user txs queued to be executed again
  std::uint64_t dropped = 0;     // user txs not executed again (they had been rejected)
  // Runtime catch-ups (docs/settlement.md, "Catching up"): how many, and the base chain's
  // batches they re-derived.
  std::uint64_t catch_ups = 0;
  std::uint64_t caught_up_batches = 0;
};

struct TxLookup {
  TxReceipt receipt;
  rollup::Tx tx;
  // Other copies of the same tx (same hash) in later or earlier batches, each with its own
  // receipt: a tx applied over HTTP and also force-included through the base chain is
  // applied once, and its copy rejected (bad_nonce). `receipt` is the applied one if any.
  std::vector<TxReceipt> duplicates;
  // Set when a settlement reorg rolled back the batch the tx was in.
  std::optional<ReorgNote> reorg;
};

using AccountRef = std::variant<AccountIndex, PublicKey>;

// Everything needed to claim a withdrawal on the base chain (finalize_withdrawal): the
// batch, its root, and the account's leaf with its proof against that root. Where it
// stands on the base chain is the settler's to say (Settler::withdrawal_states).
struct WithdrawalView {
  Hash32 tx_hash;
  AccountIndex account;
  Amount amount;
  BatchNumber batch;
  Hash32 state_root;
  rollup::AccountWitness witness;
};

struct AccountView {
  AccountIndex index;
  rollup::Account account;
  BatchNumber batch;
  Hash32 state_root;
  std::optional<MerkleProof> proof;
};

struct NodeStatus {
  ChainId chain_id;
  BatchNumber latest_batch;
  Hash32 state_root;
  std::uint32_t accounts = 0;
  std::size_t mempool_depth = 0;
};

class Node {
 public:
  // Opens (or creates) the database, rebuilds the tx index and starts the threads.
  // With a settler (which must outlive the node; start it after this returns), every
  // batch takes the settler's queue entries first. Without one, a database whose
  // batches were made with a base chain is refused.
  static Result<std::unique_ptr<Node>, std::string> open(const NodeOptions& options,
                                                         settlement::Settler* settler = nullptr);
  ~Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  // Stops taking txs, commits every tx that can still go into a batch, waits until it
  // is durable and resolves the waiters. Idempotent.
  void stop();

  // Ingest. Refused whole (nothing changes) when the node is unavailable, or for a
  // single tx refused at ingest; otherwise the group holds one receipt per tx, in
  // order: an ingest refusal is final, an accepted tx is pending.
  Result<std::shared_ptr<WaitGroup>, ApiError> submit(std::vector<TxRequest> txs,
                                                      const SubmitOptions& options);
  // Dev deposits: each gets the next deposit id and goes into the next batch.
  Result<std::shared_ptr<WaitGroup>, ApiError> deposit(const std::vector<DepositRequest>& deposits);

  // Queries, all against durable state (Engine::read_durable: the state as of the last
  // durable batch, read without waiting for a commit in flight).
  Result<std::optional<TxLookup>, ApiError> lookup_tx(const Hash32& hash);
  std::optional<AccountView> account(const AccountRef& ref, bool with_proof);
  // The account and (with_proof) its proof as of durable batch n, from the diffs of the
  // batches after n laid over the durable tree (rollup/history.hpp); the recomputed root
  // is checked against batch n's. nullopt: no such account at n. Errors: not_found (n
  // not durable), history_too_deep (max_history_changes), unavailable (damage, which
  // /ready then reports, or a head that kept moving).
  Result<std::optional<AccountView>, ApiError> account_at(const AccountRef& ref, bool with_proof,
                                                          BatchNumber n);
  // nullopt n: the latest durable batch.
  Result<std::optional<rollup::BatchHeader>, ApiError> batch_header(std::optional<BatchNumber> n);
  NodeStatus status();
  std::optional<AccountIndex> find_account(const PublicKey& key);
  // An applied withdrawal's claim data (from the database; no base-chain call).
  // nullopt: no such applied withdrawal.
  Result<std::optional<WithdrawalView>, ApiError> withdrawal(const Hash32& tx_hash);
  // The account's applied withdrawals, newest first, at most `limit`.
  Result<std::vector<WithdrawalView>, ApiError> account_withdrawals(AccountIndex account, std::size_t limit);
  [[nodiscard]] BatchNumber durable_head() const { return engine_->durable_head(); }

  // False once storage failed or shutdown began.
  [[nodiscard]] bool healthy() const;
  // The first damaged row a read found since start (a batch row that fails its check:
  // docs/storage.md, "Row checks"), for /ready's storage_damaged; none: nullopt.
  [[nodiscard]] std::optional<std::string> damage() const;
  [[nodiscard]] ChainId chain_id() const { return options_.chain_id; }
  Metrics& metrics() { return metrics_; }
  [[nodiscard]] ReorgStats reorg_stats() const;

 private:
  struct TxLocation {
    std::uint64_t batch = 0;
    std::uint32_t index = 0;
    rollup::TxStatus status = rollup::TxStatus::applied;
  };
  struct InFlight {
    rollup::Engine::Ack ack;
    std::vector<Hash32> hashes;                                     // batch order (as in the input)
    std::vector<std::pair<std::size_t, AccountIndex>> withdrawals;  // position, sender
  };
  using Notifications = std::vector<std::function<void()>>;

  Node(const NodeOptions& options, std::unique_ptr<rollup::Engine> engine,
       std::unique_ptr<rollup::StateStore> reader, settlement::Settler* settler);
  Status<std::string> rebuild_index();
  // Refuses a database that ends before the acknowledged-head record, or holds another
  // root at its batch; then records the durable head.
  Status<std::string> check_acked_head();
  void record_acked(BatchNumber n, const Hash32& root);
  // The rolled-back txs a reorg recorded (rollup.db), after rebuild_index: those not
  // executed again yet are queued again (a reorg a crash interrupted finishes here).
  Status<std::string> load_rolled_back();
  // Batcher thread, mutex_ not held: rolls back to `target` (the base chain's last
  // batch), queues the user txs again and restarts the settler's queues there.
  void run_reorg(BatchNumber target);
  // Batcher thread, mutex_ not held: re-derives the base chain's batches after the durable
  // head up to `target` into the engine, indexing each one and resolving its waiters.
  void run_catch_up(BatchNumber target);
  // Indexes the txs of stored batch n (its receipts and applied withdrawals), for every
  // deposit it holds raising *max_deposit, and appends their hashes to *hashes (each out
  // parameter may be null). Caller holds reader_mutex_ and index_mutex_ (exclusively).
  Status<std::string> index_stored_locked(std::uint64_t n, std::optional<DepositPosition>* max_deposit,
                                          std::vector<Hash32>* hashes = nullptr);
  [[nodiscard]] ReorgNote note_of(const rollup::RolledBackTx& row,
                                  const std::optional<TxLocation>& loc) const;
  // Indexes one receipt: an applied location is never replaced; any other copy of the
  // same hash is kept in duplicates_. Caller holds index_mutex_ exclusively.
  void index_locked(const Hash32& hash, const TxLocation& loc);
  Result<std::optional<WithdrawalView>, ApiError> withdrawal_at(const Hash32& hash, const TxLocation& loc);
  void batcher_loop();
  void submit_batch(rollup::BatchInput input);
  void ack_loop();
  void on_committed(const InFlight& f, const rollup::CommittedBatch& b);
  void on_failed(const InFlight& f, const rollup::EngineError& e);
  // Resolves the waiters of `hash` with `r`. Caller holds mutex_.
  void resolve_locked(const Hash32& hash, const TxReceipt& r, Notifications& out);
  void drop_expired_locked(Notifications& out);
  void mark_work_locked();
  // reader_->batch / header; a `corrupt` answer is remembered in damage_ and logged.
  // Caller holds reader_mutex_.
  Result<std::optional<rollup::StoredBatch>, rollup::StoreError> read_batch_locked(
      BatchNumber n, rollup::BatchParts parts = {});
  Result<std::optional<rollup::BatchHeader>, rollup::StoreError> read_header_locked(BatchNumber n);
  void note_damage(const rollup::StoreError& e);
  NodeOptions options_;
  std::unique_ptr<rollup::Engine> engine_;
  settlement::Settler* settler_;  // may be null; outlives the node
  Metrics metrics_;
  // Ingest verifies every signature here, on all cores, before a tx may enter the
  // mempool (a forged tx must not hold its sender's nonce); the engine then trusts it.
  ThreadPool verify_pool_;

  // Written by the ack thread before each acknowledgement and by the batcher before a
  // settlement reorg (which first waits until no batch is in flight); null: none.
  std::mutex acked_mutex_;
  std::unique_ptr<AckedHeadFile> acked_;  // GUARDED_BY(acked_mutex_)
  std::mutex reader_mutex_;
  std::unique_ptr<rollup::StateStore> reader_;  // GUARDED_BY(reader_mutex_): a second, read-only handle
  mutable std::mutex damage_mutex_;
  std::optional<std::string> damage_;  // GUARDED_BY(damage_mutex_)

  mutable std::shared_mutex index_mutex_;
  std::unordered_map<Hash32, TxLocation, FixedBytesHasher> index_;  // GUARDED_BY(index_mutex_)
  // Copies of an indexed tx other than the one index_ names (rare; see TxLookup).
  std::unordered_map<Hash32, std::vector<TxLocation>, FixedBytesHasher>
      duplicates_;  // GUARDED_BY(index_mutex_)
  // Applied withdrawals by account, oldest first.
  std::unordered_map<AccountIndex, std::vector<Hash32>> withdrawals_;  // GUARDED_BY(index_mutex_)

  // Lock order: mutex_, then index_mutex_.
  mutable std::mutex mutex_;
  std::condition_variable work_cv_;  // the batcher waits on it
  Mempool mempool_;                  // GUARDED_BY(mutex_)
  std::deque<PendingTx> deposits_;   // GUARDED_BY(mutex_): queued dev deposits
  // Deposits and base-chain queue entries in a batch not yet durable (or queued dev
  // deposits), for lookup_tx.
  std::unordered_map<Hash32, rollup::Tx, FixedBytesHasher> deposits_pending_;  // GUARDED_BY(mutex_)
  DepositPosition next_deposit_id_;                                            // GUARDED_BY(mutex_)
  // Dev deposits (no base chain): indices given to keys not yet in the executed state.
  std::unordered_map<PublicKey, AccountIndex, FixedBytesHasher> dev_keys_;  // GUARDED_BY(mutex_)
  std::uint32_t dev_next_index_ = 0;                                        // GUARDED_BY(mutex_)
  bool backlog_warned_ = false;                                             // batcher thread only
  std::unordered_map<Hash32, std::vector<std::pair<std::shared_ptr<WaitGroup>, std::size_t>>,
                     FixedBytesHasher>
      waiters_;                                                       // GUARDED_BY(mutex_)
  std::unordered_map<Hash32, rollup::Tx, FixedBytesHasher> dropped_;  // GUARDED_BY(mutex_), bounded
  std::deque<Hash32> dropped_order_;                                  // GUARDED_BY(mutex_)
  bool has_work_ = false;                                             // GUARDED_BY(mutex_)
  // Settlement reorgs: every tx of a rolled-back batch (its row in rollup.db), and the
  // user txs still to execute again, in order; they go into batches right after the
  // base chain's queue entries, before the mempool. Their hashes stay in
  // reinject_hashes_ until their new batch is durable.
  std::unordered_map<Hash32, rollup::RolledBackTx, FixedBytesHasher> rolled_back_;  // GUARDED_BY(mutex_)
  std::deque<PendingTx> reinject_;                                                  // GUARDED_BY(mutex_)
  std::unordered_set<Hash32, FixedBytesHasher> reinject_hashes_;                    // GUARDED_BY(mutex_)
  std::atomic<std::uint64_t> reorgs_{0};
  std::atomic<std::uint64_t> reexecuted_{0};
  std::atomic<std::uint64_t> reorg_dropped_{0};
  std::atomic<std::uint64_t> catch_ups_{0};
  std::atomic<std::uint64_t> caught_up_batches_{0};
  Clock::time_point window_start_;  // GUARDED_BY(mutex_)
  bool stopping_ = false;           // GUARDED_BY(mutex_)
  bool stopped_ = false;            // GUARDED_BY(mutex_)

  std::mutex ack_mutex_;
  std::condition_variable ack_cv_;
  std::deque<InFlight> in_flight_;  // GUARDED_BY(ack_mutex_): submitted, not yet processed
  unsigned in_flight_count_ = 0;    // GUARDED_BY(ack_mutex_): includes the one being processed
  bool ack_stop_ = false;           // GUARDED_BY(ack_mutex_)

  std::atomic<bool> accepting_{true};
  std::atomic<bool> failed_{false};

  std::thread batcher_;
  std::thread acker_;
};

}  // namespace l2::sequencer
