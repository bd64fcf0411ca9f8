// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// The settler: the sequencer-side settlement component. It owns the follower (base-
// chain queues and the cached view of the chain), the poster (every durable batch's
// commitment, in order, and every other base tx the sequencer's key signs) and the
// dispute defender (defender.hpp: answers the games on this rollup's batches); later the
// prover worker. It reads the rollup only through a BatchLog (durable batches), never
// through the node:
//
//   follower thread -> inbox of queue entries (deposits, then forced txs)
//   node's batcher  -> take_for_batch(): the entries its next batch starts with, and the
//                      origin record the batch stores (which entries it consumed)
//   node's acker    -> batch_durable(n): post it soon
//   poster thread   -> BatchLog::batch(n) -> commitment -> base chain
//   queries         -> status(), withdrawal_states(): the follower's cache, no base-chain call
//
// Queue positions: the batch log's head batch records how far the queues were consumed
// (its origin), so a restart resumes exactly there; entries in the inbox are not yet in
// any batch and are fetched again after a restart.
//
// Thread safety: every public method may be called from any thread. The doorbell is
// called on the follower's thread when entries arrive; it must only wake its owner.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/crypto.hpp"
#include "common/result.hpp"
#include "rollup/engine.hpp"
#include "rollup/tx.hpp"
#include "settlement/batch_log.hpp"
#include "settlement/commitment.hpp"
#include "settlement/defender.hpp"
#include "settlement/derive.hpp"
#include "settlement/follower.hpp"
#include "settlement/poster.hpp"

namespace l2::settlement {

struct SettlerOptions {
  std::string base_chain;  // basechaind URL
  http::ClientOptions http;
  ChainId rollup_id;
  PublicKey operator_key;
  // Registration parameters (used only when the chain does not know the rollup yet).
  ChainDuration challenge_window_s{3600};
  ChainDuration inclusion_deadline_s{600};
  DisputeTerms dispute_terms = kDefaultDisputeTerms;  // the bond and each side's clock (docs/disputes.md)
  std::uint32_t poll_ms = 500;
  std::uint64_t max_unposted_batches = 1000;  // hold new batches this far ahead of the chain
  // The rollup database itself, for the catch-up at open (docs/settlement.md, "Catching
  // up"): a database behind the base chain re-derives the missing batches into it. An
  // empty store.path refuses such a database instead.
  rollup::EngineOptions catch_up_engine;
  std::uint32_t test_catch_up_pause_ms = 0;  // tests only: a pause after each re-derived batch
};

// What a catch-up re-derived (Settler::catch_up).
struct DerivedUpTo {
  BatchNumber verified;              // the last batch derived and found correct (or the start)
  std::optional<Mismatch> mismatch;  // the chain's next batch does not derive over this database
  bool engine_failed = false;        // the database failed (the engine is poisoned)
  std::string error;                 // empty: every batch up to the target was derived
};

// The entries the next batch starts with, in batch order, and its origin record.
struct QueueTake {
  std::vector<rollup::Tx> txs;
  std::vector<Hash32> hashes;  // tx_hash of each, computed once when it arrived
  Bytes origin;                // encode_origin: stored with the batch
};

struct SettlerStatus {
  PosterState poster;
  FollowerView chain;
  DefenderState disputes;
  DepositPosition next_deposit;  // first deposit queue entry not yet in a batch
  ForcedPosition next_forced;
  // How long the follower has not reached the base chain (0 while it does): since its
  // last good poll, or since the settler was made if none succeeded yet.
  std::chrono::milliseconds unreachable_for{0};
};

class Settler {
 public:
  // Reads where the queues stand from the log's head batch and checks the rollup against
  // the base chain (when it answers within 3 s). A database behind the chain whose head
  // the chain holds with the same root catches up first: the missing batches are
  // re-derived from the chain (settlement/derive.hpp) and committed one by one, through
  // an engine of its own on options.catch_up_engine (so nothing else may write to the
  // database meanwhile). Errors: a log that holds batches made without a base chain or
  // that cannot be read; a rollup registered to other keys; a database that diverged
  // from the chain, or whose missing batches do not derive. Starts no thread.
  static Result<std::unique_ptr<Settler>, std::string> open(const SettlerOptions& options, SecretKey key,
                                                            BatchLog& log);
  ~Settler();  // stop()
  Settler(const Settler&) = delete;
  Settler& operator=(const Settler&) = delete;

  void start();
  // Stops the threads (joins them; a call to the base chain in progress finishes or
  // times out first). Idempotent.
  void stop();

  // ---- the batcher's side
  // Called (on the follower's thread) whenever new entries are in the inbox. Set it
  // before start(); reset it (empty function) before its target goes away.
  void set_doorbell(std::function<void()> fn);
  [[nodiscard]] std::size_t queued() const;
  // Takes up to `max` entries for the next batch. Call it for every batch, even with
  // max = 0: the origin record says where the queues stand.
  QueueTake take_for_batch(std::size_t max);
  // The rollup tx of an entry still in the inbox.
  [[nodiscard]] std::optional<rollup::Tx> find_queued(const Hash32& hash) const;
  // True while `executed_head` is max_unposted_batches or more ahead of the chain, and
  // for good once diverged().
  [[nodiscard]] bool holding(BatchNumber executed_head) const;
  void batch_durable(BatchNumber n);
  // Why this node's batches can no longer settle (the poster found the chain holding
  // another history: PosterState::diverged); nullopt while they can. Writes stop.
  [[nodiscard]] std::optional<std::string> diverged() const;
  [[nodiscard]] bool is_diverged() const { return poster_->is_diverged(); }  // cheap

  // ---- settlement reorgs (docs/settlement.md, "Reorgs")
  // The batch the rollup must roll back to (the base chain's last) before anything more
  // can settle; nullopt while none is wanted. The doorbell rings when one is.
  [[nodiscard]] std::optional<BatchNumber> reorg_wanted() const;
  // The owner rolled back to `to`, whose origin record is `origin` (zeros for genesis):
  // the inbox is emptied, the queues are fetched again from there, the poster re-syncs.
  void reorged(BatchNumber to, const BatchOrigin& origin);
  // False from reorged() until the inbox holds every entry the chain had queued at a
  // poll that began after it: batches made before would miss the entries that forced
  // the reorg.
  [[nodiscard]] bool queues_caught_up();
  // True when deposit queue entry `index` is not one the next batches can take: the
  // queues are past it, or (caught up after a reorg) the chain's queue ends before it,
  // as after a base-chain revert. The deposit of a rolled-back batch that is gone.
  [[nodiscard]] bool deposit_gone(DepositPosition index) const;

  // ---- catching up at runtime (docs/settlement.md, "Catching up")
  // The batch to catch up to (the chain's last, built on this node's durable head) before
  // anything more can settle; nullopt while none is wanted. The doorbell rings when one is.
  [[nodiscard]] std::optional<BatchNumber> catch_up_wanted() const;
  // Re-derives the chain's batches after the engine's head, up to `target`, into `engine`
  // (the node's own: the caller owns it, with nothing in flight), each committed with its
  // origin record; `each` runs after every one found correct. Then, unless the database
  // failed: a batch that does not derive is rolled back and the poster stops for good
  // (diverged()); otherwise the inbox is emptied, the queues are fetched again from the
  // new head and the poster re-syncs (a chain still ahead asks again).
  DerivedUpTo catch_up(rollup::Engine& engine, BatchNumber target,
                       const std::function<void(const rollup::BatchHeader&)>& each);

  // ---- queries (the follower's cache; never a base-chain call)
  [[nodiscard]] SettlerStatus status() const;
  std::vector<WithdrawalChainState> withdrawal_states(std::span<const WatchedWithdrawal> ws);
  [[nodiscard]] const SettlerOptions& options() const { return options_; }

 private:
  struct Entry {
    rollup::Tx tx;
    Hash32 hash;
  };
  Settler(const SettlerOptions& options, BatchLog& log, BatchOrigin origin);
  void on_queued(const std::vector<QueuedDeposit>& deposits, std::vector<QueuedForced> forced);
  // The poster's source: batch n from the log, as a commitment. Its withdrawals are
  // watched from here on, so their statuses are in the cache before anyone asks.
  Result<Commitment, std::string> build_commitment(BatchNumber n);
  // Empties the inbox and restarts the queues at `origin` (a rollback or a catch-up).
  void restart_queues(const BatchOrigin& origin);

  SettlerOptions options_;
  BatchLog& log_;
  SteadyClock::time_point made_at_ = SteadyClock::now();
  mutable std::mutex mutex_;
  std::deque<Entry> deposits_;                                        // GUARDED_BY(mutex_)
  std::deque<Entry> forced_;                                          // GUARDED_BY(mutex_)
  std::unordered_map<Hash32, rollup::Tx, FixedBytesHasher> by_hash_;  // GUARDED_BY(mutex_)
  DepositPosition next_deposit_;  // GUARDED_BY(mutex_): first position not yet taken
  ForcedPosition next_forced_;    // GUARDED_BY(mutex_)
  // One past the last entry in (or taken from) the inbox, per queue: on_queued takes only
  // the entry at this position (after a reorg the follower may still hand over old ones).
  DepositPosition inbox_deposit_end_;   // GUARDED_BY(mutex_)
  ForcedPosition inbox_forced_end_;     // GUARDED_BY(mutex_)
  bool catching_up_ = false;            // GUARDED_BY(mutex_): since reorged()
  SteadyClock::time_point reorged_at_;  // GUARDED_BY(mutex_)
  // Held while the doorbell rings, so that once set_doorbell returns the old one is not
  // running any more. Lock order: doorbell_mutex_, then whatever the doorbell locks.
  std::mutex doorbell_mutex_;
  std::function<void()> doorbell_;  // GUARDED_BY(doorbell_mutex_)
  std::unique_ptr<Follower> follower_;
  std::unique_ptr<Poster> poster_;
  std::unique_ptr<Defender> defender_;  // moves through poster_
};

}  // namespace l2::settlement
