// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// The sequencer's side of settlement, following: a thread that polls the base chain
// for the rollup's deposit and forced-tx queues and hands every new entry, in queue
// order, to its sink (the settler's inbox, which the next batch takes first). Each poll
// also refreshes a cached view of the chain: its head, the rollup's committed and final
// batches, the commitment records of the batches that hold watched withdrawals, and
// what the bridge has paid each watched key. Status queries (withdrawals, /health,
// /v1/settlement) read only that cache: they never wait for the base chain.
//
// The view is published once per poll, as a whole: a watched batch at or below the
// view's last committed batch has its record in the same view (unless it was watched
// after that poll began: then its status says "not fetched yet" until the next poll,
// which a new watch starts at once). Unreachable chain: it keeps polling, and the view
// says since when it failed; nothing is lost, because the queues live on the chain and
// the sequencer resumes from the positions its own database records.
//
// Limitations: each poll makes at most kMaxFetchesPerPoll commitment calls and as many
// paid-total calls (round robin); with more watched withdrawals than that waiting, their
// statuses refresh less often than every poll. The caches are bounded (oldest batches,
// then settled keys are forgotten first, and fetched again when asked for).
//
// Thread safety: the public methods may be called from any thread; the sink is called
// on the follower's thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "settlement/basechain/client.hpp"

namespace l2::settlement {

struct FollowerOptions {
  ChainId rollup_id;
  std::uint32_t poll_ms = 500;
  std::uint32_t max_per_poll = 1000;  // entries fetched per queue per poll
  // A view older than this (the chain is slow to answer) is stale: statuses read from it
  // say "unknown". 0: max(2000, 10 * poll_ms).
  std::uint32_t stale_after_ms = 0;
};

using SteadyClock = std::chrono::steady_clock;

struct FollowerView {
  bool reachable = false;  // the latest poll reached the chain
  bool synced = false;     // some poll since start reached it (head and rollup are real)
  ChainHead head;
  std::optional<RollupInfo> rollup;      // nullopt: not registered (yet)
  SteadyClock::time_point refreshed_at;  // when head and rollup were read (synced only)
  // The commitments of rollup->last_batch and rollup->last_final (payload left out), read
  // with them; nullopt while there is none (batch 0) or it was not fetched yet. GET
  // /v1/sync answers from these.
  std::optional<CommitmentRecord> last_commitment;
  std::optional<CommitmentRecord> final_commitment;
  std::string last_error;  // why the latest poll failed
};

// Where a withdrawal stands on the base chain.
enum class WithdrawalStatus : std::uint8_t {
  pending,    // its batch is not committed on the base chain yet (always, without one)
  in_window,  // committed; claimable once the challenge window has passed
  final,      // claimable now
  claimed,    // the bridge has paid this withdrawal (or a later one of the account)
  unknown,    // the cached view cannot say (chain unreachable, view stale, not fetched yet)
};
std::string_view to_string(WithdrawalStatus s);

// What the status of one withdrawal depends on: its batch, and its account's leaf.
struct WatchedWithdrawal {
  BatchNumber batch;
  PublicKey key;     // the leaf's public key: the bridge pays to it
  Amount withdrawn;  // the leaf's cumulative withdrawn total after this withdrawal
};

struct WithdrawalChainState {
  WithdrawalStatus status = WithdrawalStatus::pending;
  std::optional<ChainTime> final_at;          // base-chain time the window ends
  std::optional<ChainDuration> seconds_left;  // in_window only
  std::optional<Amount> paid;                 // what the bridge paid this key so far
  std::string detail;                         // why the status is unknown
  std::optional<ChainTime> chain_time;        // the base-chain time of the view used
  std::optional<std::uint64_t> view_age_ms;   // how long ago the view was refreshed
};

class Follower {
 public:
  // New entries, each queue in order, starting where the previous call left off.
  using Sink = std::function<void(std::vector<QueuedDeposit> deposits, std::vector<QueuedForced> forced)>;
  static constexpr std::size_t kMaxFetchesPerPoll = 32;
  static constexpr std::size_t kMaxCachedBatches = 100000;
  static constexpr std::size_t kMaxCachedKeys = 100000;

  // Starts fetching at queue positions next_deposit and next_forced.
  Follower(std::string base_chain_url, http::ClientOptions http, FollowerOptions options,
           DepositPosition next_deposit, ForcedPosition next_forced, Sink sink);
  ~Follower();  // stop()
  Follower(const Follower&) = delete;
  Follower& operator=(const Follower&) = delete;

  void start();
  void stop();
  [[nodiscard]] FollowerView view() const;
  // Fetches from these queue positions again, from the next poll on (which starts at
  // once). A poll in progress may still hand over entries from the old positions: the
  // sink must check their indices. (A settlement reorg.)
  void restart_at(DepositPosition next_deposit, ForcedPosition next_forced);

  // Keeps these withdrawals' commitments and paid totals in the cache from the next
  // poll on (which starts at once if anything is new).
  void watch(std::span<const WatchedWithdrawal> ws);
  // The statuses, one per withdrawal, from the cache only (never a base-chain call);
  // watches those the cache does not know yet.
  std::vector<WithdrawalChainState> withdrawal_states(std::span<const WatchedWithdrawal> ws);

 private:
  struct PaidEntry {
    std::optional<Amount> paid;  // nullopt: not fetched yet
    Amount want;                 // the highest withdrawn total watched for this key
  };
  void run();
  bool poll(BaseChainClient& client);
  // Fetches the watched records and paid totals the new view needs; false: unreachable.
  bool refresh_cache(BaseChainClient& client, const RollupInfo& info);
  // The commitment of `batch` (0: none): the one already in the view when it is that
  // batch's with its block known, else fetched. False: unreachable.
  bool head_commitment(BaseChainClient& client, BatchNumber batch,
                       const std::optional<CommitmentRecord>& cached, std::optional<CommitmentRecord>& out);
  bool watch_locked(const WatchedWithdrawal& w);
  [[nodiscard]] std::chrono::milliseconds stale_after() const;

  std::string url_;
  http::ClientOptions http_;
  FollowerOptions options_;
  Sink sink_;
  DepositPosition next_deposit_;  // follower thread only
  ForcedPosition next_forced_;    // follower thread only

  mutable std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_ = false;                                                  // GUARDED_BY(mutex_)
  bool wake_ = false;                                                  // GUARDED_BY(mutex_): poll now
  std::optional<std::pair<DepositPosition, ForcedPosition>> restart_;  // GUARDED_BY(mutex_)
  FollowerView view_;                                                  // GUARDED_BY(mutex_)
  // Watched batches: their commitment's final_at once fetched (nullopt: not yet).
  std::map<BatchNumber, std::optional<ChainTime>> final_at_;  // GUARDED_BY(mutex_)
  std::map<PublicKey, PaidEntry> paid_;                       // GUARDED_BY(mutex_)
  PublicKey paid_cursor_;                                     // follower thread only: round robin over paid_
  std::string last_logged_;                                   // follower thread only
  std::thread thread_;
};

}  // namespace l2::settlement
