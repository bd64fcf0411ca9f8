// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
#include "sequencer/metrics.hpp"

#include <cstdio>

namespace l2::sequencer {

namespace {

std::string number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

std::vector<double> stage_bounds() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

// Appends instead of operator+: GCC 12 at -O3 warns falsely (-Wrestrict, bug 105651)
// on chains of std::string + literal.
void append(std::string& out, std::initializer_list<std::string_view> parts) {
  for (auto p : parts) out += p;
}

constexpr std::array<std::string_view, 4> kStages = {"verify", "execute", "merkle", "commit"};

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

void Histogram::render(std::string& out, std::string_view name, std::string_view labels) const {
  std::lock_guard lock(mutex_);
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i <= bounds_.size(); ++i) {
    cumulative += counts_[i];
    append(out,
           {name, "_bucket{", labels, "le=\"", i < bounds_.size() ? number(bounds_[i]) : std::string("+Inf"),
            "\"} ", std::to_string(cumulative), "\n"});
  }
  // labels is "" or `key="value",`: drop the trailing comma.
  std::string braced;
  if (!labels.empty()) append(braced, {"{", labels.substr(0, labels.size() - 1), "}"});
  append(out, {name, "_sum", braced, " ", number(sum_), "\n"});
  append(out, {name, "_count", braced, " ", std::to_string(cumulative), "\n"});
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

void Metrics::batch_committed(std::uint64_t batch, std::size_t txs, const StageSeconds& stages) {
  latest_batch_.store(batch);
  batch_txs_.observe(static_cast<double>(txs));
  stage_seconds_[0].observe(stages.verify);
  stage_seconds_[1].observe(stages.execute);
  stage_seconds_[2].observe(stages.merkle);
  stage_seconds_[3].observe(stages.commit);
}

std::string Metrics::render() const {
  std::string out;
  out += "# HELP l2_http_requests_total HTTP requests answered, by route and status code.\n";
  out += "# TYPE l2_http_requests_total counter\n";
  {
    std::lock_guard lock(mutex_);
    for (const auto& [key, n] : requests_)
      append(out, {"l2_http_requests_total{route=\"", key.first, "\",code=\"", std::to_string(key.second),
                   "\"} ", std::to_string(n), "\n"});
    out += "# HELP l2_txs_accepted_total Txs accepted into the mempool.\n";
    out += "# TYPE l2_txs_accepted_total counter\n";
    append(out, {"l2_txs_accepted_total ", std::to_string(accepted_.load()), "\n"});
    out +=
        "# HELP l2_txs_rejected_total Txs refused at ingest, dropped, or rejected at execution, by reason.\n";
    out += "# TYPE l2_txs_rejected_total counter\n";
    for (const auto& [reason, n] : rejected_)
      append(out, {"l2_txs_rejected_total{reason=\"", reason, "\"} ", std::to_string(n), "\n"});
  }
  out += "# HELP l2_batch_txs Txs per committed batch.\n";
  out += "# TYPE l2_batch_txs histogram\n";
  batch_txs_.render(out, "l2_batch_txs", "");
  out += "# HELP l2_stage_seconds Time per batch in each pipeline stage.\n";
  out += "# TYPE l2_stage_seconds histogram\n";
  for (std::size_t i = 0; i < kStages.size(); ++i) {
    std::string labels;
    append(labels, {"stage=\"", kStages[i], "\","});
    stage_seconds_[i].render(out, "l2_stage_seconds", labels);
  }
  out += "# HELP l2_mempool_depth Txs in the mempool (queued and in flight).\n";
  out += "# TYPE l2_mempool_depth gauge\n";
  append(out, {"l2_mempool_depth ", std::to_string(mempool_depth_.load()), "\n"});
  out += "# HELP l2_latest_batch The latest durable batch.\n";
  out += "# TYPE l2_latest_batch gauge\n";
  append(out, {"l2_latest_batch ", std::to_string(latest_batch_.load()), "\n"});
  return out;
}

void render_settlement(std::string& out, const SettlementGauges& g) {
  auto line = [&](std::string_view name, std::string_view type, std::string_view help, std::uint64_t v) {
    append(out, {"# HELP ", name, " ", help, "\n# TYPE ", name, " ", type, "\n", name, " ", std::to_string(v),
                 "\n"});
  };
  line("l2_settlement_last_posted_batch", "gauge", "The base chain's last accepted batch of this rollup.",
       g.last_posted);
  line("l2_settlement_unposted_batches", "gauge", "Durable batches not yet on the base chain.",
       g.durable_head > g.last_posted ? g.durable_head - g.last_posted : 0);
  line("l2_settlement_posted_total", "counter", "Commitments this process posted.", g.posted);
  line("l2_settlement_refusals_total", "counter", "Commitments the base chain refused.", g.refusals);
  line("l2_settlement_failures_total", "counter", "Calls that did not reach the base chain.", g.failures);
  line("l2_settlement_base_chain_up", "gauge", "1 if the last call reached the base chain.",
       g.reachable ? 1 : 0);
}

}  // namespace l2::sequencer
