// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// The engine benchmark's workloads: who pays whom, decided before any key exists.
//
//   uniform       sender and recipient uniform over the user accounts.
//   zipf          sender and recipient Zipf-distributed (s = 1.1) over ranks; ranks map
//                 to scattered account indices through a bijection, so the hot accounts
//                 are not neighbours in the tree or the accounts table.
//   hot-receiver  senders uniform; half of the transfers (Bernoulli 0.5) pay one
//                 merchant account, the rest a uniform recipient. The merchant never sends.
//
// Account 0 is the operator's fee account; user accounts are 1..N. Every transfer has
// amount uniform in [1, 1'000'000], fee 1, and the sender's next nonce: nonces are
// tracked across the whole plan in execution order. The plan is deterministic for a
// given seed (std::mt19937_64).
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <string_view>
#include <vector>

#include "rollup/tx.hpp"

namespace l2::bench {

enum class Workload : std::uint8_t { uniform, zipf, hot_receiver };
std::string_view to_string(Workload w);
std::optional<Workload> parse_workload(std::string_view s);

inline constexpr double kZipfExponent = 1.1;
inline constexpr std::uint64_t kMaxAmount = 1'000'000;
inline constexpr std::uint64_t kFee = 1;

// Draws (sender, recipient) pairs of user accounts in [1, accounts] for one workload.
class PairSampler {
 public:
  PairSampler(Workload workload, std::uint32_t accounts);
  std::pair<std::uint32_t, std::uint32_t> draw(std::mt19937_64& rng) const;
  [[nodiscard]] std::uint32_t merchant() const { return merchant_; }

 private:
  [[nodiscard]] std::uint32_t uniform(std::mt19937_64& rng) const;
  [[nodiscard]] std::uint32_t zipf(std::mt19937_64& rng) const;

  Workload workload_;
  std::uint32_t accounts_;
  std::vector<double> cdf_;       // zipf: cdf_[r] = P(rank <= r), ranks from 0
  std::uint64_t multiplier_ = 1;  // rank -> index bijection: (r * multiplier_ + offset_) mod N
  std::uint64_t offset_ = 0;
  std::uint32_t merchant_ = 0;  // hot-receiver only
};

struct BatchRange {
  std::size_t begin = 0;
  std::size_t end = 0;
  [[nodiscard]] std::size_t size() const { return end - begin; }
};

// One measured (workload, threads) run: the end-to-end batches, then the batches of
// the execution-only pass, in this order.
struct RunPlan {
  Workload workload = Workload::uniform;
  unsigned threads = 1;
  std::vector<BatchRange> e2e;
  std::vector<BatchRange> exec_only;
};

struct Plan {
  std::vector<rollup::Tx> txs;       // every transfer of every run, unsigned, in execution order
  std::vector<RunPlan> runs;         // in execution order
  std::vector<std::uint64_t> spend;  // per account index: total amount + fee it pays
};

// What to plan: `batches` batches of `batch_size` transfers among `accounts` accounts for
// each pass of each run, one run per thread count and workload, drawn from `seed`.
struct PlanSpec {
  std::uint32_t accounts = 0;
  std::size_t batch_size = 0;
  std::size_t batches = 0;
  std::vector<unsigned> threads;
  std::vector<Workload> workloads;
  std::uint64_t seed = 0;
};

// Runs in the order threads (outer) x workloads (inner).
Plan make_plan(const PlanSpec& spec);

}  // namespace l2::bench
