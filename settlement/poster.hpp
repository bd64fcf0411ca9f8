// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// The sequencer's side of settlement, posting: a thread that turns every durable batch
// into a commitment and posts it to the base chain, in order, exactly once.
//
// The queue is the rollup database itself: batches above the base chain's last
// accepted batch are the ones still to post, so nothing needs recording on our side
// and nothing is lost on a crash. The poster asks the base chain where it stands at
// start, after every failure and whenever the chain refuses a commitment as out of
// order (a post whose answer was lost counts as done once the chain says so). While
// the chain is unreachable it retries with exponential backoff; batches keep being
// produced meanwhile (the owner bounds how far ahead via last_posted()).
//
// Reorgs: a refusal that retrying cannot change — a missed inclusion deadline, queue
// positions past the chain's queue or behind it, a previous root that no longer chains —
// seen twice for the same batch, the second time right after a re-sync of the chain's
// position, or a chain whose last batch went below what it held before (a base-chain
// revert), makes the poster stop and ask its owner to roll back to the chain's last
// batch (reorg_wanted in state()). It posts again once told reorged().
//
// Divergence: every sync also compares the chain's last batch with this node's durable
// batches (set_local_root). A chain ahead of the durable head whose batch at that head
// has this node's root holds everything this node made and more (another process posts
// this rollup with this key, say a copy of the data dir): the poster asks its owner to
// catch up, re-deriving the missing batches from the chain (catch_up_wanted in state()),
// and posts again once told caught_up(). A chain ahead with another root at this node's
// head, or another root at the chain's last batch, means this node's batches can never
// chain: posting stops for good and state().diverged says why.
//
// Also registers the rollup on first contact when the chain does not know it yet; a
// rollup registered with another sequencer key is a fatal configuration error
// (reported by state(), not retried).
//
// Thread safety: the public methods may be called from any thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "common/crypto.hpp"
#include "common/result.hpp"
#include "common/types.hpp"
#include "settlement/basechain/client.hpp"
#include "settlement/commitment.hpp"

namespace l2::settlement {

struct PosterOptions {
  ChainId rollup_id;
  PublicKey operator_key;  // for registration
  Hash32 genesis_root;     // for registration
  ChainDuration challenge_window_s{3600};
  ChainDuration inclusion_deadline_s{600};
  DisputeTerms dispute_terms = kDefaultDisputeTerms;  // for registration: bond, each side's clock
  std::uint32_t retry_min_ms = 100;
  std::uint32_t retry_max_ms = 5000;
};

struct PosterState {
  BatchNumber last_posted;              // the base chain's last accepted batch, as last seen
  bool synced = false;                  // last_posted came from the chain (until then: the start's guess)
  bool reachable = false;               // the last call reached the chain
  bool fatal = false;                   // misconfigured (another sequencer's rollup): posting stopped
  std::uint64_t posted = 0;             // commitments this process posted
  std::uint64_t refusals = 0;           // commitments the chain refused
  std::uint64_t refusals_in_a_row = 0;  // refusals since the chain last took a commitment
  std::uint64_t failures = 0;           // calls that did not reach the chain
  std::string last_error;
  // Set while the poster waits for its owner to roll the rollup back to this batch (the
  // chain's last), after a refusal that retrying cannot change or a base-chain revert.
  std::optional<BatchNumber> reorg_wanted;
  std::uint64_t reorgs_asked = 0;  // how often this process asked for one
  // Set while the poster waits for its owner to re-derive the chain's batches after this
  // node's durable head, up to this one (the chain's last, as last seen).
  std::optional<BatchNumber> catch_up_wanted;
  // Set (for good: posting stopped) when a sync finds the chain holding batches this node
  // does not, or another root at its last batch: another process posts with this key.
  std::optional<std::string> diverged;
  // Other base txs sent for the owner with the poster's key (send()): the dispute moves.
  std::uint64_t extra_sent = 0;     // accepted by the chain
  std::uint64_t extra_refused = 0;  // refused (dropped: the owner decides again)
  std::size_t extra_queued = 0;     // waiting to be sent
};

// A refusal of commit_batch that the same batch can never overcome.
bool is_permanent_refusal(std::string_view reason);

class Poster {
 public:
  // The commitment of durable batch n. The settler's, built from its BatchLog: the
  // poster never reaches into the sequencer node.
  using BuildCommitment = std::function<Result<Commitment, std::string>(BatchNumber n)>;
  // The latest durable batch.
  using DurableHead = std::function<BatchNumber()>;

  // `key` signs the register_rollup and commit_batch base txs. Until the chain has been
  // asked, last_posted() is `assumed_posted` (the caller's guess: its durable head at
  // start, so that a restart while the chain is down does not count old batches against
  // the owner's bound); nothing is posted before the chain answers.
  Poster(std::string base_chain_url, http::ClientOptions http, SecretKey key, PosterOptions options,
         BuildCommitment build, DurableHead durable_head, BatchNumber assumed_posted = BatchNumber(0));
  ~Poster();  // stop()
  Poster(const Poster&) = delete;
  Poster& operator=(const Poster&) = delete;

  void start();
  void stop();
  // A batch became durable: post it soon.
  void notify();
  // The owner rolled back to the batch reorg_wanted named: re-sync, then post from there.
  void reorged();
  // The owner re-derived the batches catch_up_wanted named (or as many as it could):
  // re-sync, compare again, then post from there.
  void caught_up();
  // The owner found that the chain's batches do not derive over this node's (why): posting
  // stops for good, as for a divergence found at sync.
  void diverge(const std::string& why);
  // Sends another base tx with the poster's key, after what is in flight and before the
  // next commitment: one key has one nonce sequence, so every tx it signs goes through
  // this thread. Kept until the chain answers (retried while it is unreachable); a
  // refusal drops it (logged with `what`, counted in extra_refused): the owner reads the
  // chain again and decides anew. At most kMaxExtra wait; more are dropped (false).
  static constexpr std::size_t kMaxExtra = 256;
  bool send(BaseTxBody body, std::string what);
  // Called (on the poster's thread) when the poster starts to want a reorg or a catch-up.
  void set_on_reorg(std::function<void()> fn);
  // The root of durable batch n (nullopt: not durable, or unreadable). Set before start()
  // to have every sync compare the chain's last batch with this node's (state().diverged).
  using LocalRoot = std::function<std::optional<Hash32>(BatchNumber n)>;
  void set_local_root(LocalRoot fn) { local_root_ = std::move(fn); }
  [[nodiscard]] BatchNumber last_posted() const { return BatchNumber(last_posted_.load()); }
  [[nodiscard]] PosterState state() const;
  // state().diverged has a value (cheap: the batcher asks before every batch).
  [[nodiscard]] bool is_diverged() const { return diverged_.load(); }

 private:
  void run();
  // Where the chain stands (registering the rollup if it has to). False: try again later.
  bool sync(BaseChainClient& client);
  void fail(const std::string& what, bool reached);
  void sleep_backoff();
  void want_reorg(BatchNumber to, const std::string& why);
  void want_catch_up(BatchNumber to, BatchNumber from);
  // The chain's last batch against this node's durable batches.
  struct Comparison {
    enum class Kind : std::uint8_t { agree, behind, diverged, unread } kind = Kind::agree;
    std::string why;      // diverged, unread: what to report
    bool reached = true;  // unread: whether the chain answered (with an error)
  };
  Comparison compare(BaseChainClient& client, const RollupInfo& r);

  std::string url_;
  http::ClientOptions http_;
  SecretKey key_;
  PosterOptions options_;
  BuildCommitment build_;
  DurableHead durable_head_;

  std::atomic<std::uint64_t> last_posted_{0};
  std::atomic<bool> diverged_{false};
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_ = false;      // GUARDED_BY(mutex_)
  bool notified_ = false;  // GUARDED_BY(mutex_)
  PosterState state_;      // GUARDED_BY(mutex_)
  bool resync_ = false;    // GUARDED_BY(mutex_): reorged() was called
  struct Extra {
    BaseTxBody body;
    std::string what;
  };
  std::deque<Extra> extra_;         // GUARDED_BY(mutex_)
  std::function<void()> on_reorg_;  // set before start()
  LocalRoot local_root_;            // set before start()
  std::uint32_t backoff_ms_ = 0;    // poster thread only
  // The highest last batch the chain has shown this process (a lower one later: a revert).
  std::uint64_t highest_seen_ = 0;       // poster thread only
  std::uint64_t permanent_refused_ = 0;  // poster thread only: batch refused for good once
  std::thread thread_;
};

}  // namespace l2::settlement
