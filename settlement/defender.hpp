// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// The dispute defender: the sequencer's side of the bisection game (docs/disputes.md,
// "The sequencer's defence"). A thread of the settler that follows the base chain's
// disputes module for its rollup and answers every open game on its batches by itself:
//
//   - it finds the games from the DisputeOpened logs (from the block of the last final
//     commitment at start, so a restart finds every game still open), then reads each
//     watched batch's games (dispute_getDisputes) every poll;
//   - when the defender is to move it traces the disputed batch: the chain's own view of
//     it (the posted payload and the queue entries it consumed, named as the chain names
//     them: settlement/one_step.hpp, name_txs) executed over this node's state before the
//     batch (BatchLog::state_at), every root with its witness (derived_trace). The trace
//     is computed only here, on demand, and kept while the batch has an open game;
//   - bisect: its root at the game's mid; step: the witness of the tx at hi, which the
//     chain executes itself; a challenger whose clock ran out: dispute_timeout;
//   - the moves go out through the poster (Poster::send), the one thread that signs with
//     the sequencer's key.
// A batch whose trace does not end at the committed root is not this node's to defend
// (it reports that, and moves nothing): an honest node always derives its own batches.
//
// Thread safety: the public methods may be called from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>

#include "common/http/client.hpp"
#include "common/result.hpp"
#include "common/types.hpp"
#include "rollup/state.hpp"
#include "settlement/basechain/client.hpp"
#include "settlement/basechain/tx.hpp"
#include "settlement/one_step.hpp"

namespace l2::settlement {

struct DefenderOptions {
  ChainId rollup_id;
  std::uint32_t poll_ms = 500;
  std::uint32_t fetch_limit = 1000;  // queue entries per request
};

// What /v1/settlement shows under "disputes" (docs/api.md).
struct DefenderState {
  std::uint64_t open = 0;           // games open on this rollup's batches at the last poll
  std::uint64_t seen = 0;           // games this process has seen open
  std::uint64_t moves = 0;          // moves it handed to the poster (bisect, step, timeout)
  std::uint64_t won = 0;            // games it saw decided for the defender
  std::uint64_t lost = 0;           // games it saw decided for the challenger
  std::uint64_t traces = 0;         // batches it traced
  std::uint64_t bonds_claimed = 0;  // claim_bond txs it handed to the poster (final commitments' bonds)
  double last_trace_ms = 0;         // how long the last trace took (state read + execution)
  std::string last_error;           // empty while the last poll went well
  bool reachable = false;           // the last poll reached the chain
};

class Defender {
 public:
  // The state as of batch n (this node's), and the way out for a move.
  using StateAt = std::function<Result<rollup::State, std::string>(BatchNumber n)>;
  using Send = std::function<bool(BaseTxBody body, std::string what)>;

  Defender(std::string base_chain_url, http::ClientOptions http, DefenderOptions options, StateAt state_at,
           Send send);
  ~Defender();  // stop()
  Defender(const Defender&) = delete;
  Defender& operator=(const Defender&) = delete;

  void start();
  void stop();
  [[nodiscard]] DefenderState state() const;

 private:
  struct Trace {
    Hash32 commitment_tx;
    bool defensible = false;  // the trace ends at the committed root
    DerivedTrace trace;
  };
  struct Sent {
    std::uint64_t moves = 0;  // the game's move count when we moved
    std::chrono::steady_clock::time_point at;
  };
  void run();
  // One round: false if the chain could not be read (try again after the poll interval).
  bool poll(BaseChainClient& client);
  void act(BaseChainClient& client, const DisputeRecord& game, ChainTime now);
  // The trace of the commitment the game disputes; nullopt (with last_error set) when it
  // cannot be had or does not end at the committed root.
  const Trace* trace_for(BaseChainClient& client, const DisputeRecord& game);
  void note_error(const std::string& what);
  // claim_bond for final commitments whose bond is still held; false: the chain failed.
  bool claim_bonds(BaseChainClient& client, const RollupInfo& info);
  // Hands a tx to the poster; false (noted in last_error) when its queue is full.
  bool hand_over(BaseTxBody body, const std::string& what);
  bool move(BaseTxBody body, const DisputeRecord& game, const std::string& what);

  std::string url_;
  http::ClientOptions http_;
  DefenderOptions options_;
  StateAt state_at_;
  Send send_;

  mutable std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_ = false;    // GUARDED_BY(mutex_)
  DefenderState state_;  // GUARDED_BY(mutex_)
  // Defender thread only:
  std::optional<BlockNumber> next_block_;  // the next block whose logs to read
  std::set<BatchNumber> watched_;          // batches with a game that may be open
  std::map<std::uint64_t, Sent> sent_;     // game id -> our last move
  std::set<std::uint64_t> open_ids_;       // games seen open (to count rulings once)
  std::map<BatchNumber, Trace> traces_;    // kept while the batch is watched
  std::uint64_t claim_next_ = 1;           // the next final batch whose bond to look at
  std::thread thread_;
};

}  // namespace l2::settlement
