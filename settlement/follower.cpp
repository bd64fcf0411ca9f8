// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
#include "settlement/follower.hpp"

#include <spdlog/spdlog.h>

#include <chrono>

namespace l2::settlement {

Follower::Follower(std::string base_chain_url, http::ClientOptions http, FollowerOptions options,
                   std::uint64_t next_deposit, std::uint64_t next_forced, Sink sink)
    : url_(std::move(base_chain_url)),
      http_(std::move(http)),
      options_(options),
      sink_(std::move(sink)),
      next_deposit_(next_deposit),
      next_forced_(next_forced) {}

Follower::~Follower() { stop(); }

void Follower::start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { run(); });
}

void Follower::stop() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

ChainView Follower::view() const {
  std::lock_guard lock(mutex_);
  return view_;
}

bool Follower::poll(BaseChainClient& client) {
  auto fail = [&](const RpcError& e) {
    const std::string what = "following the base chain " + url_ + ": " + e.message;
    if (what != last_error_) spdlog::warn("settlement: {}", what);
    last_error_ = what;
    std::lock_guard lock(mutex_);
    view_.reachable = false;
    return false;
  };
  auto head = client.head();
  if (!head) return fail(head.error());
  auto info = client.rollup(options_.rollup_id);
  if (!info) return fail(info.error());
  {
    std::lock_guard lock(mutex_);
    view_.reachable = true;
    view_.head = *head;
    view_.rollup = *info;
  }
  if (!last_error_.empty()) spdlog::info("settlement: base chain {} reachable again", url_);
  last_error_.clear();
  if (!*info) return true;  // not registered yet: nothing can be queued
  std::vector<QueuedDeposit> deposits;
  std::vector<QueuedForced> forced;
  if ((*info)->deposit_count > next_deposit_) {
    auto d = client.deposits(options_.rollup_id, next_deposit_, options_.max_per_poll);
    if (!d) return fail(d.error());
    deposits = std::move(*d);
  }
  if ((*info)->forced_count > next_forced_) {
    auto f = client.forced(options_.rollup_id, next_forced_, options_.max_per_poll);
    if (!f) return fail(f.error());
    forced = std::move(*f);
  }
  // Hand over only an unbroken run from the expected position (the chain's answer is
  // checked, not trusted, for order).
  std::size_t nd = 0;
  while (nd < deposits.size() && deposits[nd].index == next_deposit_ + nd) ++nd;
  deposits.resize(nd);
  std::size_t nf = 0;
  while (nf < forced.size() && forced[nf].index == next_forced_ + nf) ++nf;
  forced.resize(nf);
  if (deposits.empty() && forced.empty()) return true;
  next_deposit_ += nd;
  next_forced_ += nf;
  spdlog::debug("settlement: {} new deposits, {} new forced txs", nd, nf);
  sink_(std::move(deposits), std::move(forced));
  return true;
}

void Follower::run() {
  std::unique_ptr<BaseChainClient> client;
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stop_) return;
    }
    if (!client) {
      auto c = BaseChainClient::create(url_, http_);
      if (c) {
        client = std::move(*c);
      } else if (c.error() != last_error_) {
        spdlog::warn("settlement: {}", c.error());
        last_error_ = c.error();
      }
    }
    if (client && !poll(*client)) client.reset();
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, std::chrono::milliseconds(options_.poll_ms), [&] { return stop_; });
  }
}

}  // namespace l2::settlement
