// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// The sequencer's Prometheus metrics, written in the text exposition format (version
// 0.0.4, by common/prometheus.hpp): HTTP requests by route and code, txs accepted and rejected
// by reason, batch sizes and stage latencies (histograms), mempool depth and the latest
// durable batch. Thread-safe: counters are atomics or sit behind a mutex.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/prometheus.hpp"
#include "common/types.hpp"

namespace l2::sequencer {

// A histogram with fixed upper bounds (the +Inf bucket is implied).
class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  void observe(double v);
  // Writes the _bucket, _sum and _count lines of the series with `labels`.
  void render(prometheus::Writer& w, std::string_view name, prometheus::Labels labels) const;

 private:
  std::vector<double> bounds_;
  mutable std::mutex mutex_;
  std::vector<std::uint64_t> counts_;  // GUARDED_BY(mutex_): one per bound, then +Inf
  double sum_ = 0;                     // GUARDED_BY(mutex_)
};

// The settlement threads' state, rendered with the other metrics when there is a base chain.
struct SettlementGauges {
  std::uint64_t last_posted = 0;   // the base chain's last accepted batch
  std::uint64_t durable_head = 0;  // the latest durable batch
  std::uint64_t posted = 0;        // commitments posted by this process
  std::uint64_t refusals = 0;      // posts the base chain refused
  std::uint64_t failures = 0;      // calls that did not reach the base chain
  bool reachable = false;
  bool diverged = false;     // the base chain holds another history: no writes (PosterState::diverged)
  std::uint64_t reorgs = 0;  // settlement reorgs made by this process
  std::uint64_t reexecuted_txs = 0;     // user txs they queued to execute again
  std::uint64_t reorg_dropped_txs = 0;  // user txs they did not (rejected before)
  std::uint64_t catch_ups = 0;          // runtime catch-ups that re-derived batches
  std::uint64_t caught_up_batches = 0;  // the base chain's batches they re-derived
  // The dispute defender (settlement/defender.hpp).
  std::uint64_t disputes_open = 0;          // games open on this rollup's batches
  std::uint64_t disputes_won = 0;           // games seen decided for the sequencer
  std::uint64_t disputes_lost = 0;          // games seen decided for the challenger
  std::uint64_t dispute_moves_sent = 0;     // dispute txs (moves, bond claims) the chain accepted
  std::uint64_t dispute_moves_refused = 0;  // and those it refused
  std::uint64_t bonds_claimed = 0;          // claim_bond txs queued for final commitments
};
void render_settlement(std::string& out, const SettlementGauges& g);

class Metrics {
 public:
  Metrics();

  void http_request(std::string_view route, unsigned code);
  void txs_accepted(std::uint64_t n);
  void tx_rejected(std::string_view reason, std::uint64_t n = 1);
  // Seconds each stage of one batch took.
  struct StageSeconds {
    double verify = 0;
    double execute = 0;
    double merkle = 0;
    double commit = 0;
  };
  void batch_committed(BatchNumber batch, std::size_t txs, const StageSeconds& stages);
  void set_storage_damaged() { storage_damaged_.store(true); }
  void set_mempool_depth(std::size_t depth) { mempool_depth_.store(depth); }
  void set_latest_batch(BatchNumber batch) { latest_batch_.store(batch.value()); }

  [[nodiscard]] std::string render() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, unsigned>, std::uint64_t> requests_;  // GUARDED_BY(mutex_)
  std::map<std::string, std::uint64_t> rejected_;                       // GUARDED_BY(mutex_)
  std::atomic<std::uint64_t> accepted_{0};
  std::atomic<std::size_t> mempool_depth_{0};
  std::atomic<std::uint64_t> latest_batch_{0};
  std::atomic<bool> storage_damaged_{false};
  Histogram batch_txs_;
  // verify, execute, merkle, commit
  std::array<Histogram, 4> stage_seconds_;
};

}  // namespace l2::sequencer
