// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
#include "tests/unit/workloads.hpp"

#include <algorithm>
#include <cmath>

namespace l2::testing {

using rollup::Account;
using rollup::Deposit;
using rollup::State;
using rollup::Transfer;
using rollup::Tx;
using rollup::Withdraw;

std::string to_string(Workload w) {
  switch (w) {
    case Workload::uniform:
      return "uniform";
    case Workload::zipf:
      return "zipf";
    case Workload::hot_receiver:
      return "hot_receiver";
    case Workload::hot_spender:
      return "hot_spender";
    case Workload::one_sender:
      return "one_sender";
    case Workload::near_max:
      return "near_max";
    case Workload::mixed_invalid:
      return "mixed_invalid";
    case Workload::deposits_interleaved:
      return "deposits_interleaved";
    case Workload::fee_spender:
      return "fee_spender";
  }
  return "?";
}

std::vector<Workload> all_workloads() {
  return {Workload::uniform,    Workload::zipf,     Workload::hot_receiver,  Workload::hot_spender,
          Workload::one_sender, Workload::near_max, Workload::mixed_invalid, Workload::deposits_interleaved,
          Workload::fee_spender};
}

Universe::Universe(std::size_t accounts, std::size_t spare, std::uint64_t seed)
    : accounts_(accounts), state_(PublicKey()), rng_(seed) {
  for (std::size_t i = 0; i < accounts + spare; ++i) {
    Seed32 s;
    for (std::size_t b = 0; b < 8; ++b) s.data()[b] = static_cast<std::uint8_t>((i + 1) >> (8 * b));
    s.data()[31] = static_cast<std::uint8_t>(seed);
    keys_.push_back(SecretKey::from_seed(s));
  }
  double total = 0;
  for (std::size_t k = 1; k <= accounts; ++k) {
    total += 1.0 / std::pow(static_cast<double>(k), 1.1);
    zipf_cdf_.push_back(total);
  }
  for (auto& c : zipf_cdf_) c /= total;
  fund_for(Workload::uniform);
}

void Universe::fund_for(Workload w) {
  std::vector<Account> accounts(accounts_);
  for (std::size_t i = 0; i < accounts_; ++i) {
    accounts[i].pubkey = keys_[i].public_key();
    accounts[i].balance = Amount(i == 0 ? 0 : 1'000'000'000);
  }
  if (w == Workload::near_max) {
    // Almost the whole 64-bit supply in account 1; the rest share what's left.
    std::uint64_t rest = 0;
    for (std::size_t i = 2; i < accounts_; ++i) {
      accounts[i].balance = Amount(1'000'000);
      rest += 1'000'000;
    }
    accounts[1].balance = Amount(UINT64_MAX - rest - 1000);
  }
  if (w == Workload::hot_spender)
    accounts[1].balance = Amount(0);  // the merchant spends only what it receives
  state_ = *State::from_accounts(std::move(accounts));
  next_nonce_.assign(keys_.size(), 0);
}

std::size_t Universe::pick(Workload w) {
  if (w == Workload::zipf) {
    double u = std::uniform_real_distribution<double>(0, 1)(rng_);
    auto rank =
        static_cast<std::size_t>(std::lower_bound(zipf_cdf_.begin(), zipf_cdf_.end(), u) - zipf_cdf_.begin());
    rank = std::min(rank, accounts_ - 1);
    // Scatter ranks over indices (a bijection on [1, accounts)) so hot accounts aren't neighbours.
    return 1 + (rank * 7919) % (accounts_ - 1);
  }
  return std::uniform_int_distribution<std::size_t>(1, accounts_ - 1)(rng_);
}

bool Universe::simulate_debit(std::size_t from, std::uint64_t amount, std::uint64_t fee) {
  auto total = Amount(amount).checked_add(Amount(fee));
  if (!total || sim_[from] < total->value()) return false;
  sim_[from] -= total->value();
  sim_[0] += fee;
  return true;
}

// NOLINTNEXTLINE(readability-function-size): the fields of a transfer, chain, and `doomed`
Tx Universe::transfer(std::size_t from, std::size_t to, std::uint64_t amount, std::uint64_t fee,
                      ChainId chain, bool doomed) {
  Tx tx = Transfer{AccountIndex(static_cast<std::uint32_t>(from)),
                   AccountIndex(static_cast<std::uint32_t>(to)),
                   Amount(amount),
                   Amount(fee),
                   Nonce(next_nonce_[from]),
                   Signature()};
  rollup::sign_tx(tx, chain, keys_[from]);
  if (!doomed && to < sim_.size() && amount > 0 && simulate_debit(from, amount, fee)) {
    sim_[to] += amount;
    ++next_nonce_[from];
  }
  return tx;
}

Tx Universe::withdraw(std::size_t from, std::uint64_t amount, std::uint64_t fee, ChainId chain, bool doomed) {
  Tx tx = Withdraw{AccountIndex(static_cast<std::uint32_t>(from)), Amount(amount), Amount(fee),
                   Nonce(next_nonce_[from]), Signature()};
  rollup::sign_tx(tx, chain, keys_[from]);
  if (!doomed && amount > 0 && simulate_debit(from, amount, fee)) ++next_nonce_[from];
  return tx;
}

std::vector<Tx> Universe::make_batch(Workload w, std::size_t n, ChainId chain) {
  // Generated nonces follow the state's, so batches can be chained.
  sim_.assign(keys_.size(), 0);
  for (std::size_t i = 0; i < state_.size() && i < next_nonce_.size(); ++i) {
    next_nonce_[i] = state_.at(AccountIndex(static_cast<std::uint32_t>(i))).nonce.value();
    sim_[i] = state_.at(AccountIndex(static_cast<std::uint32_t>(i))).balance.value();
  }
  std::vector<Tx> txs;
  txs.reserve(n);
  auto amount = [&](std::uint64_t hi) { return std::uniform_int_distribution<std::uint64_t>(1, hi)(rng_); };
  auto coin = [&](double p) { return std::bernoulli_distribution(p)(rng_); };
  std::size_t next_new = state_.size();  // next spare key a deposit brings in
  for (std::size_t k = 0; k < n; ++k) {
    std::size_t from = pick(w);
    std::size_t to = pick(w);
    if (to == from) to = from % (accounts_ - 1) + 1;
    switch (w) {
      case Workload::uniform:
      case Workload::zipf:
        txs.push_back(coin(0.05) ? withdraw(from, amount(1000), 1, chain)
                                 : transfer(from, to, amount(1'000'000), 1, chain));
        break;
      case Workload::hot_receiver:
        if (from == 1) from = 2;
        txs.push_back(transfer(from, coin(0.5) ? 1 : to, amount(1'000'000), 1, chain));
        break;
      case Workload::hot_spender:
        // The merchant (1) receives half the transfers and spends about as fast:
        // whether each of its payments clears depends on credits earlier in the batch.
        if (coin(0.25)) {
          txs.push_back(transfer(1, to == 1 ? 2 : to, amount(2'500'000), 1, chain));
        } else {
          if (from == 1) from = 2;
          txs.push_back(transfer(from, coin(0.66) ? 1 : to, amount(1'000'000), 1, chain));
        }
        break;
      case Workload::one_sender:
        // One sender, every tx conflicting on it: a long nonce chain, with a few txs
        // that skip a nonce or repeat one.
        if (coin(0.03)) {
          ++next_nonce_[3];
          txs.push_back(transfer(3, to == 3 ? 4 : to, amount(100'000), 1, chain, true));
          --next_nonce_[3];
        } else if (coin(0.03) && next_nonce_[3] > 0) {
          --next_nonce_[3];
          txs.push_back(transfer(3, to == 3 ? 4 : to, amount(100'000), 1, chain, true));
          ++next_nonce_[3];
        } else {
          txs.push_back(transfer(3, to == 3 ? 4 : to, amount(100'000), 1, chain));
        }
        break;
      case Workload::near_max: {
        std::uint64_t big = UINT64_MAX - std::uniform_int_distribution<std::uint64_t>(0, 2000)(rng_);
        int kind = std::uniform_int_distribution<int>(0, 4)(rng_);
        if (kind == 0) txs.push_back(transfer(1, to == 1 ? 2 : to, big, 0, chain));  // huge, may apply
        if (kind == 1)
          txs.push_back(transfer(1, to == 1 ? 2 : to, big, 5000, chain, true));        // amount+fee overflows
        if (kind == 2) txs.push_back(transfer(from, 1, amount(1'000'000), 1, chain));  // credit the whale
        if (kind == 3) txs.push_back(withdraw(from, amount(500'000), 1, chain));
        if (kind == 4)
          txs.push_back(transfer(from, to, amount(2'000'000), UINT64_MAX / 2, chain));  // insufficient
        break;
      }
      case Workload::mixed_invalid: {
        int kind = std::uniform_int_distribution<int>(0, 9)(rng_);
        ChainId other(chain.value() + 1);
        switch (kind) {
          case 0:
            txs.push_back(transfer(from, to, amount(1000), 1, other, true));
            break;  // signed for another chain
          case 1: {
            Tx t = transfer(from, to, amount(1000), 1, chain, true);
            std::get<Transfer>(t).signature.data()[7] ^= 1;  // bad signature
            txs.push_back(t);
            break;
          }
          case 2:
            txs.push_back(transfer(from, accounts_ + 50, amount(1000), 1, chain, true));
            break;  // unknown recipient
          case 3:
            txs.push_back(transfer(from, from, 10, 1, chain, true));
            break;  // self transfer
          case 4:
            txs.push_back(transfer(from, to, 0, 1, chain, true));
            break;   // zero amount
          case 5: {  // nonce gap
            ++next_nonce_[from];
            txs.push_back(transfer(from, to, 10, 1, chain, true));
            --next_nonce_[from];
            break;
          }
          case 6:
            txs.push_back(transfer(from, to, 2'000'000'000, 1, chain));
            break;  // insufficient
          case 7:
            txs.push_back(withdraw(from, UINT64_MAX, 1, chain));
            break;  // amount + fee overflows
          default:
            txs.push_back(transfer(from, to, amount(10'000), amount(3), chain));
            break;
        }
        break;
      }
      case Workload::deposits_interleaved: {
        int kind = std::uniform_int_distribution<int>(0, 9)(rng_);
        if (kind == 0 && coin(0.3) && next_new < keys_.size()) {
          std::uint64_t a = amount(5'000'000);
          txs.push_back(Deposit{DepositPosition(next_deposit_id_++),
                                AccountIndex(static_cast<std::uint32_t>(next_new)),
                                keys_[next_new].public_key(), Amount(a)});
          sim_[next_new] += a;
          ++next_new;
        } else if (kind == 1) {
          // A deposit to an existing key credits that account.
          std::uint64_t a = amount(1000);
          txs.push_back(Deposit{DepositPosition(next_deposit_id_++),
                                AccountIndex(static_cast<std::uint32_t>(from)), keys_[from].public_key(),
                                Amount(a)});
          sim_[from] += a;
        } else if (kind == 2 && next_new > state_.size()) {
          // Spend from, or pay, an account created earlier in this batch.
          std::size_t fresh = std::uniform_int_distribution<std::size_t>(state_.size(), next_new - 1)(rng_);
          txs.push_back(coin(0.5) ? transfer(fresh, to, amount(100'000), 1, chain)
                                  : transfer(from, fresh, 5, 1, chain));
        } else if (kind == 3 && next_new < keys_.size()) {
          // Pay an index no deposit has created yet: unknown_account (a later deposit may create it).
          txs.push_back(transfer(from, next_new, 5, 1, chain, true));
        } else {
          txs.push_back(transfer(from, to, amount(1'000'000), 1, chain));
        }
        break;
      }
      case Workload::fee_spender:
        // The operator spends fees as they arrive (it starts with nothing).
        txs.push_back(coin(0.2) ? transfer(0, to, amount(40), 0, chain)
                                : transfer(from, to, amount(1'000), 10, chain));
        break;
    }
  }
  return txs;
}

}  // namespace l2::testing
