// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// The sequencer's side of settlement, following: a thread that polls the base chain
// for the rollup's deposit and forced-tx queues and hands every new entry, in queue
// order, to the sequencer (which puts them at the front of its next batch). It also
// keeps the latest view of the chain (head time, the rollup's committed and final
// batches) for status queries. Unreachable chain: it keeps polling; nothing is lost,
// because the queues live on the chain and the sequencer resumes from the positions
// its own database records.
//
// Thread safety: the public methods may be called from any thread; the sink is called
// on the follower's thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "settlement/basechain/client.hpp"

namespace l2::settlement {

struct FollowerOptions {
  ChainId rollup_id;
  std::uint32_t poll_ms = 500;
  std::uint32_t max_per_poll = 1000;  // entries fetched per queue per poll
};

struct ChainView {
  bool reachable = false;
  ChainHead head;
  std::optional<RollupInfo> rollup;  // nullopt: not registered (yet)
};

class Follower {
 public:
  // New entries, each queue in order, starting where the previous call left off.
  using Sink = std::function<void(std::vector<QueuedDeposit> deposits, std::vector<QueuedForced> forced)>;

  // Starts fetching at queue positions next_deposit and next_forced.
  Follower(std::string base_chain_url, http::ClientOptions http, FollowerOptions options,
           std::uint64_t next_deposit, std::uint64_t next_forced, Sink sink);
  ~Follower();  // stop()
  Follower(const Follower&) = delete;
  Follower& operator=(const Follower&) = delete;

  void start();
  void stop();
  [[nodiscard]] ChainView view() const;

 private:
  void run();
  bool poll(BaseChainClient& client);

  std::string url_;
  http::ClientOptions http_;
  FollowerOptions options_;
  Sink sink_;
  std::uint64_t next_deposit_;  // follower thread only
  std::uint64_t next_forced_;   // follower thread only

  mutable std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_ = false;       // GUARDED_BY(mutex_)
  ChainView view_;          // GUARDED_BY(mutex_)
  std::string last_error_;  // follower thread only
  std::thread thread_;
};

}  // namespace l2::settlement
