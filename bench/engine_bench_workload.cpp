// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
#include "bench/engine_bench_workload.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "common/assert.hpp"

namespace l2::bench {

std::string_view to_string(Workload w) {
  switch (w) {
    case Workload::uniform:
      return "uniform";
    case Workload::zipf:
      return "zipf";
    case Workload::hot_receiver:
      return "hot-receiver";
  }
  return "unknown";
}

std::optional<Workload> parse_workload(std::string_view s) {
  for (Workload w : {Workload::uniform, Workload::zipf, Workload::hot_receiver})
    if (to_string(w) == s) return w;
  return std::nullopt;
}

PairSampler::PairSampler(Workload workload, std::uint32_t accounts)
    : workload_(workload), accounts_(accounts) {
  L2_ASSERT(accounts >= 3);
  const std::uint64_t n = accounts;
  // A multiplier near n / golden ratio, coprime with n: consecutive ranks land far apart.
  multiplier_ = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(static_cast<double>(n) * 0.6180339887));
  while (std::gcd(multiplier_, n) != 1) ++multiplier_;
  offset_ = n / 7;
  if (workload == Workload::zipf) {
    cdf_.resize(accounts);
    double sum = 0;
    for (std::uint32_t r = 0; r < accounts; ++r) {
      sum += std::pow(static_cast<double>(r) + 1.0, -kZipfExponent);
      cdf_[r] = sum;
    }
    for (double& c : cdf_) c /= sum;
  }
  if (workload == Workload::hot_receiver) merchant_ = accounts / 2 + 1;
}

std::uint32_t PairSampler::uniform(std::mt19937_64& rng) const {
  return std::uniform_int_distribution<std::uint32_t>(1, accounts_)(rng);
}

std::uint32_t PairSampler::zipf(std::mt19937_64& rng) const {
  const double u = std::uniform_real_distribution<double>(0.0, 1.0)(rng);
  auto it = std::lower_bound(cdf_.begin(), cdf_.end(), u);
  const auto rank = static_cast<std::uint64_t>(std::min<std::ptrdiff_t>(it - cdf_.begin(), accounts_ - 1));
  return static_cast<std::uint32_t>(1 + (rank * multiplier_ + offset_) % accounts_);
}

std::pair<std::uint32_t, std::uint32_t> PairSampler::draw(std::mt19937_64& rng) const {
  switch (workload_) {
    case Workload::uniform: {
      const std::uint32_t from = uniform(rng);
      std::uint32_t to = uniform(rng);
      while (to == from) to = uniform(rng);
      return {from, to};
    }
    case Workload::zipf: {
      const std::uint32_t from = zipf(rng);
      std::uint32_t to = zipf(rng);
      while (to == from) to = zipf(rng);
      return {from, to};
    }
    case Workload::hot_receiver: {
      std::uint32_t from = uniform(rng);
      while (from == merchant_) from = uniform(rng);
      if (std::bernoulli_distribution(0.5)(rng)) return {from, merchant_};
      std::uint32_t to = uniform(rng);
      while (to == from || to == merchant_) to = uniform(rng);
      return {from, to};
    }
  }
  L2_ASSERT(false);
  return {0, 0};
}

Plan make_plan(const PlanSpec& spec) {
  const std::uint32_t accounts = spec.accounts;
  const std::size_t batch_size = spec.batch_size;
  const std::size_t batches = spec.batches;
  const std::vector<unsigned>& threads = spec.threads;
  const std::vector<Workload>& workloads = spec.workloads;
  Plan plan;
  std::vector<PairSampler> samplers;
  samplers.reserve(workloads.size());
  for (Workload w : workloads) samplers.emplace_back(w, accounts);
  plan.spend.assign(static_cast<std::size_t>(accounts) + 1, 0);
  std::vector<std::uint64_t> nonces(static_cast<std::size_t>(accounts) + 1, 0);
  plan.txs.reserve(threads.size() * workloads.size() * 2 * batches * batch_size);
  std::mt19937_64 rng(spec.seed);
  std::uniform_int_distribution<std::uint64_t> amount_dist(1, kMaxAmount);

  auto add_batches = [&](const PairSampler& sampler, std::vector<BatchRange>& out) {
    for (std::size_t b = 0; b < batches; ++b) {
      BatchRange range{plan.txs.size(), plan.txs.size()};
      for (std::size_t i = 0; i < batch_size; ++i) {
        auto [from, to] = sampler.draw(rng);
        rollup::Transfer t;
        t.from = AccountIndex(from);
        t.to = AccountIndex(to);
        t.amount = Amount(amount_dist(rng));
        t.fee = Amount(kFee);
        t.nonce = Nonce(nonces[from]++);
        plan.spend[from] += t.amount.value() + kFee;
        plan.txs.emplace_back(t);
      }
      range.end = plan.txs.size();
      out.push_back(range);
    }
  };
  for (unsigned t : threads) {
    for (std::size_t w = 0; w < workloads.size(); ++w) {
      RunPlan run;
      run.workload = workloads[w];
      run.threads = t;
      add_batches(samplers[w], run.e2e);
      add_batches(samplers[w], run.exec_only);
      plan.runs.push_back(std::move(run));
    }
  }
  return plan;
}

}  // namespace l2::bench
