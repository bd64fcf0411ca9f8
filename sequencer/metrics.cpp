// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
#include "sequencer/metrics.hpp"

#include "common/build_info.hpp"

namespace l2::sequencer {

namespace {

std::vector<double> stage_bounds() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

constexpr std::array<std::string_view, 4> kStages = {"verify", "execute", "merkle", "commit"};

using prometheus::Type;

}  // namespace

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), counts_(bounds_.size() + 1, 0) {}

void Histogram::observe(double v) {
  std::size_t i = 0;
  while (i < bounds_.size() && v > bounds_[i]) ++i;
  std::lock_guard lock(mutex_);
  ++counts_[i];
  sum_ += v;
}

void Histogram::render(prometheus::Writer& w, std::string_view name, prometheus::Labels labels) const {
  std::lock_guard lock(mutex_);
  w.histogram(name, labels, prometheus::HistogramSnapshot{bounds_, counts_, sum_});
}

Metrics::Metrics()
    : batch_txs_({1, 10, 100, 500, 1000, 2500, 5000, 10000, 20000, 50000}),
      stage_seconds_{Histogram(stage_bounds()), Histogram(stage_bounds()), Histogram(stage_bounds()),
                     Histogram(stage_bounds())} {}

void Metrics::http_request(std::string_view route, unsigned code) {
  std::lock_guard lock(mutex_);
  ++requests_[{std::string(route), code}];
}

void Metrics::txs_accepted(std::uint64_t n) { accepted_.fetch_add(n); }

void Metrics::tx_rejected(std::string_view reason, std::uint64_t n) {
  std::lock_guard lock(mutex_);
  rejected_[std::string(reason)] += n;
}

void Metrics::batch_committed(BatchNumber batch, std::size_t txs, const StageSeconds& stages) {
  latest_batch_.store(batch.value());
  batch_txs_.observe(static_cast<double>(txs));
  stage_seconds_[0].observe(stages.verify);
  stage_seconds_[1].observe(stages.execute);
  stage_seconds_[2].observe(stages.merkle);
  stage_seconds_[3].observe(stages.commit);
}

std::string Metrics::render() const {
  std::string out;
  prometheus::Writer w(out);
  w.family("l2_http_requests_total", Type::counter, "HTTP requests answered, by route and status code.");
  {
    std::lock_guard lock(mutex_);
    for (const auto& [key, n] : requests_) {
      const std::string code = std::to_string(key.second);
      w.sample("l2_http_requests_total", {{"route", key.first}, {"code", code}}, n);
    }
    w.single("l2_txs_accepted_total", Type::counter, "Txs accepted into the mempool.", accepted_.load());
    w.family("l2_txs_rejected_total", Type::counter,
             "Txs refused at ingest, dropped, or rejected at execution, by reason.");
    for (const auto& [reason, n] : rejected_) w.sample("l2_txs_rejected_total", {{"reason", reason}}, n);
  }
  w.family("l2_batch_txs", Type::histogram, "Txs per committed batch.");
  batch_txs_.render(w, "l2_batch_txs", {});
  w.family("l2_stage_seconds", Type::histogram, "Time per batch in each pipeline stage.");
  for (std::size_t i = 0; i < kStages.size(); ++i)
    stage_seconds_[i].render(w, "l2_stage_seconds", {{"stage", kStages[i]}});
  w.single("l2_mempool_depth", Type::gauge, "Txs in the mempool (queued and in flight).",
           mempool_depth_.load());
  w.single("l2_latest_batch", Type::gauge, "The latest durable batch.", latest_batch_.load());
  w.single("l2_storage_damaged", Type::gauge,
           "1 once a read found a stored batch row that fails its check (docs/storage.md, Row checks).",
           storage_damaged_.load() ? std::uint64_t{1} : std::uint64_t{0});
  write_build_info(w);
  return out;
}

void render_settlement(std::string& out, const SettlementGauges& g) {
  prometheus::Writer w(out);
  w.single("l2_settlement_last_posted_batch", Type::gauge,
           "The base chain's last accepted batch of this rollup.", g.last_posted);
  w.single("l2_settlement_unposted_batches", Type::gauge, "Durable batches not yet on the base chain.",
           g.durable_head > g.last_posted ? g.durable_head - g.last_posted : 0);
  w.single("l2_settlement_posted_total", Type::counter, "Commitments this process posted.", g.posted);
  w.single("l2_settlement_refusals_total", Type::counter, "Commitments the base chain refused.", g.refusals);
  w.single("l2_settlement_failures_total", Type::counter, "Calls that did not reach the base chain.",
           g.failures);
  w.single(
      "l2_settlement_reorgs_total", Type::counter,
      "Settlement reorgs: rollbacks to the base chain's last batch after a refusal retrying cannot change "
      "or a base-chain revert.",
      g.reorgs);
  w.single("l2_settlement_reexecuted_txs_total", Type::counter,
           "User txs of rolled-back batches queued to be executed again.", g.reexecuted_txs);
  w.single("l2_settlement_reorg_dropped_txs_total", Type::counter,
           "User txs of rolled-back batches not executed again (they had been rejected).",
           g.reorg_dropped_txs);
  w.single("l2_settlement_catch_ups_total", Type::counter,
           "Catch-ups: the base chain's batches after the durable head, posted by another process with this "
           "sequencer's key, re-derived into this node's database.",
           g.catch_ups);
  w.single("l2_settlement_caught_up_batches_total", Type::counter,
           "Batches those catch-ups re-derived from the base chain.", g.caught_up_batches);
  w.single("l2_settlement_disputes_open", Type::gauge,
           "Dispute games open on this rollup's batches (the sequencer defends each).", g.disputes_open);
  w.single("l2_settlement_disputes_won_total", Type::counter,
           "Dispute games this process saw decided for the sequencer.", g.disputes_won);
  w.single("l2_settlement_disputes_lost_total", Type::counter,
           "Dispute games this process saw decided for the challenger.", g.disputes_lost);
  w.single("l2_settlement_dispute_moves_total", Type::counter,
           "Dispute txs (bisect, step, timeout, claim_bond) the base chain accepted from this process.",
           g.dispute_moves_sent);
  w.single("l2_settlement_dispute_moves_refused_total", Type::counter,
           "Dispute txs (moves, claim_bond) the base chain refused (the defender reads the game again).",
           g.dispute_moves_refused);
  w.single("l2_settlement_bonds_claimed_total", Type::counter,
           "claim_bond txs this process queued for final commitments whose bond was still held.",
           g.bonds_claimed);
  w.single("l2_settlement_base_chain_up", Type::gauge, "1 if the last call reached the base chain.",
           g.reachable ? std::uint64_t{1} : std::uint64_t{0});
  w.single("l2_settlement_diverged", Type::gauge,
           "1 once the base chain was found holding another history of this rollup (writes stop).",
           g.diverged ? std::uint64_t{1} : std::uint64_t{0});
}

}  // namespace l2::sequencer
