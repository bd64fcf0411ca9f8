// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// Random batches for the executor's differential tests: a small universe of accounts
// with real keys, and generators for the workloads the parallel executor must get
// exactly right (skew, hot accounts, long nonce chains, balances near 2^64, invalid
// txs, deposits in the middle of a batch).
#pragma once

#include <random>
#include <string>
#include <vector>

#include "common/crypto.hpp"
#include "rollup/state.hpp"
#include "rollup/tx.hpp"

namespace l2::testing {

enum class Workload {
  uniform,
  zipf,
  hot_receiver,          // half of all transfers pay one merchant
  hot_spender,           // the merchant also spends what it receives, mid-batch
  one_sender,            // one sender with a long nonce chain, all conflicting
  near_max,              // balances and amounts near 2^64
  mixed_invalid,         // every rejection reason, mixed with valid txs
  deposits_interleaved,  // deposits create accounts that later txs use (and earlier ones can't)
  fee_spender,           // the fee account spends the fees it collects in the same batch
};
std::string to_string(Workload w);
std::vector<Workload> all_workloads();

class Universe {
 public:
  // `accounts` existing accounts (index 0 is the operator) plus `spare` keys that
  // deposits may bring in later. Balances depend on the workload.
  Universe(std::size_t accounts, std::size_t spare, std::uint64_t seed);

  [[nodiscard]] const rollup::State& state() const { return state_; }
  void set_state(rollup::State s) { state_ = std::move(s); }
  [[nodiscard]] const SecretKey& key(std::size_t i) const { return keys_[i]; }
  [[nodiscard]] std::size_t key_count() const { return keys_.size(); }

  // Genesis balances suited to `w` (near_max puts almost all supply in account 1).
  void fund_for(Workload w);
  // One batch of `n` txs of workload `w` against the current state.
  std::vector<rollup::Tx> make_batch(Workload w, std::size_t n, ChainId chain);

 private:
  std::size_t pick(Workload w);
  // Signed txs with the sender's next nonce. The generator keeps a rough copy of the
  // balances (sim_) so that it only advances a nonce when the tx will apply: a
  // rejection then stays one tx instead of cascading into bad nonces. `doomed` marks
  // txs built to be rejected for another reason.
  rollup::Tx transfer(std::size_t from, std::size_t to, std::uint64_t amount, std::uint64_t fee,
                      ChainId chain, bool doomed = false);
  rollup::Tx withdraw(std::size_t from, std::uint64_t amount, std::uint64_t fee, ChainId chain,
                      bool doomed = false);
  bool simulate_debit(std::size_t from, std::uint64_t amount, std::uint64_t fee);

  std::vector<SecretKey> keys_;
  std::size_t accounts_;
  rollup::State state_;
  std::mt19937_64 rng_;
  std::vector<std::uint64_t> next_nonce_;  // by account index, as the generator expects
  std::vector<std::uint64_t> sim_;         // by account index: expected balance
  std::vector<double> zipf_cdf_;
  std::uint64_t next_deposit_id_ = 0;
};

}  // namespace l2::testing
