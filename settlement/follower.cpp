// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
#include "settlement/follower.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

namespace l2::settlement {

namespace {

std::uint64_t ms_between(SteadyClock::time_point a, SteadyClock::time_point b) {
  return b <= a ? 0
                : static_cast<std::uint64_t>(
                      std::chrono::duration_cast<std::chrono::milliseconds>(b - a).count());
}

// How many of `entries` continue their queue from `next` without a gap (the chain's
// answer is checked, not trusted, for order); moves `next` past them.
template <class Entry, class Tag>
std::size_t take_unbroken_run(const std::vector<Entry>& entries, QueuePosition<Tag>& next) {
  std::size_t n = 0;
  while (n < entries.size() && entries[n].index == next) {
    auto after = next.checked_add(1);
    if (!after) break;  // the last representable position: nothing can follow it
    next = *after;
    ++n;
  }
  return n;
}

}  // namespace

std::string_view to_string(WithdrawalStatus s) {
  switch (s) {
    case WithdrawalStatus::pending:
      return "pending";
    case WithdrawalStatus::in_window:
      return "in_window";
    case WithdrawalStatus::final:
      return "final";
    case WithdrawalStatus::claimed:
      return "claimed";
    case WithdrawalStatus::unknown:
      return "unknown";
  }
  return "unknown";
}

Follower::Follower(std::string base_chain_url, http::ClientOptions http, FollowerOptions options,
                   DepositPosition next_deposit, ForcedPosition next_forced, Sink sink)
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

FollowerView Follower::view() const {
  std::lock_guard lock(mutex_);
  return view_;
}

void Follower::restart_at(DepositPosition next_deposit, ForcedPosition next_forced) {
  {
    std::lock_guard lock(mutex_);
    restart_ = std::make_pair(next_deposit, next_forced);
    wake_ = true;
  }
  cv_.notify_all();
}

std::chrono::milliseconds Follower::stale_after() const {
  if (options_.stale_after_ms > 0) return std::chrono::milliseconds(options_.stale_after_ms);
  return std::chrono::milliseconds(std::max<std::uint64_t>(2000, 10ull * options_.poll_ms));
}

bool Follower::watch_locked(const WatchedWithdrawal& w) {
  bool added = final_at_.try_emplace(w.batch).second;
  while (final_at_.size() > kMaxCachedBatches) final_at_.erase(final_at_.begin());
  auto [it, inserted] = paid_.try_emplace(w.key, PaidEntry{std::nullopt, w.withdrawn});
  if (inserted) {
    added = true;
  } else if (it->second.want < w.withdrawn) {
    it->second.want = w.withdrawn;
    added = true;
  }
  if (paid_.size() > kMaxCachedKeys) {
    // Forget settled keys first (paid in full), then any.
    for (auto p = paid_.begin(); p != paid_.end() && paid_.size() > kMaxCachedKeys;) {
      if (p->first != w.key && p->second.paid && *p->second.paid >= p->second.want) {
        p = paid_.erase(p);
      } else {
        ++p;
      }
    }
    for (auto p = paid_.begin(); p != paid_.end() && paid_.size() > kMaxCachedKeys;)
      p = p->first == w.key ? std::next(p) : paid_.erase(p);
  }
  return added;
}

void Follower::watch(std::span<const WatchedWithdrawal> ws) {
  bool added = false;
  {
    std::lock_guard lock(mutex_);
    for (const auto& w : ws) added = watch_locked(w) || added;
    if (added) wake_ = true;
  }
  if (added) cv_.notify_all();
}

std::vector<WithdrawalChainState> Follower::withdrawal_states(std::span<const WatchedWithdrawal> ws) {
  std::vector<WithdrawalChainState> out(ws.size());
  bool added = false;
  {
    std::lock_guard lock(mutex_);
    const auto now = SteadyClock::now();
    for (std::size_t i = 0; i < ws.size(); ++i) {
      const WatchedWithdrawal& w = ws[i];
      WithdrawalChainState& s = out[i];
      added = watch_locked(w) || added;
      auto unknown = [&](std::string why) {
        s.status = WithdrawalStatus::unknown;
        s.detail = std::move(why);
      };
      if (!view_.synced) {
        unknown(view_.last_error.empty()
                    ? "the base chain has not answered yet"
                    : "the base chain has not answered since the start: " + view_.last_error);
        continue;
      }
      const std::uint64_t age = ms_between(view_.refreshed_at, now);
      s.chain_time = view_.head.timestamp;
      s.view_age_ms = age;
      if (!view_.reachable) {
        unknown("the base chain is unreachable (" + view_.last_error + "); its last view is " +
                std::to_string(age) + " ms old");
        continue;
      }
      if (age > static_cast<std::uint64_t>(stale_after().count())) {
        unknown("the last view of the base chain is " + std::to_string(age) +
                " ms old (it is slow to answer)");
        continue;
      }
      const PaidEntry& paid = paid_.at(w.key);
      s.paid = paid.paid;
      if (!view_.rollup || w.batch > view_.rollup->last_batch) {
        s.status = WithdrawalStatus::pending;
        continue;
      }
      auto fa = final_at_.find(w.batch);
      if (fa == final_at_.end() || !fa->second) {
        unknown("batch " + std::to_string(w.batch.value()) +
                "'s commitment is not in the settlement cache yet; it is fetched with the next poll");
        continue;
      }
      if (!paid.paid) {
        unknown(
            "what the bridge paid this key is not in the settlement cache yet; it is fetched with the next "
            "poll");
        continue;
      }
      s.final_at = *fa->second;
      if (*paid.paid >= w.withdrawn) {
        s.status = WithdrawalStatus::claimed;
      } else if (w.batch <= view_.rollup->last_final) {
        s.status = WithdrawalStatus::final;
      } else {
        s.status = WithdrawalStatus::in_window;
        s.seconds_left = *fa->second - view_.head.timestamp;  // zero once passed
      }
    }
    if (added) wake_ = true;
  }
  if (added) cv_.notify_all();
  return out;
}

bool Follower::refresh_cache(BaseChainClient& client, const RollupInfo& info) {
  // What to fetch: watched batches now committed without a record, and keys whose paid
  // total is unknown or below what they withdrew (round robin from the cursor).
  std::vector<BatchNumber> batches;
  std::vector<PublicKey> keys;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [b, fa] : final_at_) {
      if (b > info.last_batch || batches.size() >= kMaxFetchesPerPoll) break;
      if (!fa) batches.push_back(b);
    }
    auto wants = [](const PaidEntry& e) { return !e.paid || *e.paid < e.want; };
    auto it = paid_.upper_bound(paid_cursor_);
    for (std::size_t seen = 0; seen < paid_.size() && keys.size() < kMaxFetchesPerPoll; ++seen, ++it) {
      if (it == paid_.end()) it = paid_.begin();
      if (wants(it->second)) keys.push_back(it->first);
    }
  }
  std::vector<std::pair<BatchNumber, ChainTime>> records;
  for (BatchNumber b : batches) {
    auto r = client.commitment(options_.rollup_id, b, false);
    if (!r) {
      if (r.error().unreachable()) return false;
      continue;  // refused (should not happen for a committed batch): try again next poll
    }
    if (*r) records.emplace_back(b, (*r)->final_at);
  }
  std::vector<std::pair<PublicKey, Amount>> paid;
  for (const PublicKey& k : keys) {
    auto r = client.withdrawn(options_.rollup_id, k);
    if (!r) {
      if (r.error().unreachable()) return false;
      continue;
    }
    paid.emplace_back(k, *r);
  }
  std::lock_guard lock(mutex_);
  // A commitment chain cut back (a dispute) forgets the records above its new end.
  for (auto it = final_at_.upper_bound(info.last_batch); it != final_at_.end(); ++it) it->second.reset();
  for (const auto& [b, fa] : records)
    if (auto it = final_at_.find(b); it != final_at_.end()) it->second = fa;
  for (const auto& [k, p] : paid)
    if (auto it = paid_.find(k); it != paid_.end()) it->second.paid = p;
  if (!keys.empty()) paid_cursor_ = keys.back();
  return true;
}

bool Follower::head_commitment(BaseChainClient& client, BatchNumber batch,
                               const std::optional<CommitmentRecord>& cached,
                               std::optional<CommitmentRecord>& out) {
  out.reset();
  if (batch.value() == 0) return true;
  if (cached && cached->commitment.header.batch == batch && cached->block) {
    out = cached;
    return true;
  }
  auto r = client.commitment(options_.rollup_id, batch, false);
  if (!r) return !r.error().unreachable();  // refused (a race with a revert): none this poll
  out = std::move(*r);
  return true;
}

bool Follower::poll(BaseChainClient& client) {
  auto fail = [&](const RpcError& e) {
    const std::string what = "following the base chain " + url_ + ": " + e.message;
    if (what != last_logged_) spdlog::warn("settlement: {}", what);
    last_logged_ = what;
    std::lock_guard lock(mutex_);
    view_.reachable = false;
    view_.last_error = what;
    return false;
  };
  {
    std::lock_guard lock(mutex_);
    if (restart_) {
      next_deposit_ = restart_->first;
      next_forced_ = restart_->second;
      restart_.reset();
    }
  }
  // Taken after a restart was applied: a view newer than a restart_at() call was read
  // from the new positions.
  const auto started = SteadyClock::now();
  auto head = client.head();
  if (!head) return fail(head.error());
  auto info = client.rollup(options_.rollup_id);
  if (!info) return fail(info.error());
  std::vector<QueuedDeposit> deposits;
  std::vector<QueuedForced> forced;
  if (*info) {
    if ((*info)->deposits_end() > next_deposit_) {
      auto d = client.deposits(options_.rollup_id, next_deposit_, options_.max_per_poll);
      if (!d) return fail(d.error());
      deposits = std::move(*d);
    }
    if ((*info)->forced_end() > next_forced_) {
      auto f = client.forced(options_.rollup_id, next_forced_, options_.max_per_poll);
      if (!f) return fail(f.error());
      forced = std::move(*f);
    }
    if (!refresh_cache(client, **info))
      return fail(
          RpcError{0, "the base chain stopped answering while the settlement cache was refreshed", {}});
  }
  std::optional<CommitmentRecord> last_commitment;
  std::optional<CommitmentRecord> final_commitment;
  if (*info) {
    std::optional<CommitmentRecord> cached_last;
    std::optional<CommitmentRecord> cached_final;
    {
      // Reused only while the chain only moved forward at the same tip: a revert (head
      // lower, another last batch or root) may have put the same batch in another block.
      std::lock_guard lock(mutex_);
      const bool same_tip = view_.synced && view_.rollup && head->number >= view_.head.number &&
                            view_.rollup->last_batch == (*info)->last_batch &&
                            view_.rollup->last_root == (*info)->last_root;
      if (same_tip) {
        cached_last = view_.last_commitment;
        cached_final = view_.final_commitment;
      }
    }
    if (!head_commitment(client, (*info)->last_batch, cached_last, last_commitment) ||
        !head_commitment(client, (*info)->last_final, cached_final, final_commitment))
      return fail(RpcError{0, "the base chain stopped answering while its last commitments were read", {}});
  }
  {
    // The new view, published whole (with the records refresh_cache just stored).
    std::lock_guard lock(mutex_);
    view_.reachable = true;
    view_.synced = true;
    view_.head = *head;
    view_.rollup = *info;
    view_.last_commitment = std::move(last_commitment);
    view_.final_commitment = std::move(final_commitment);
    view_.refreshed_at = started;
    view_.last_error.clear();
  }
  if (!last_logged_.empty()) spdlog::info("settlement: base chain {} reachable again", url_);
  last_logged_.clear();
  // Hand over only an unbroken run from the expected position.
  const std::size_t nd = take_unbroken_run(deposits, next_deposit_);
  deposits.resize(nd);
  const std::size_t nf = take_unbroken_run(forced, next_forced_);
  forced.resize(nf);
  if (deposits.empty() && forced.empty()) return true;
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
      wake_ = false;
    }
    if (!client) {
      auto c = BaseChainClient::create(url_, http_);
      if (c) {
        client = std::move(*c);
      } else {
        if (c.error() != last_logged_) spdlog::warn("settlement: {}", c.error());
        last_logged_ = c.error();
        std::lock_guard lock(mutex_);
        view_.reachable = false;
        view_.last_error = c.error();
      }
    }
    if (client && !poll(*client)) client.reset();
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, std::chrono::milliseconds(options_.poll_ms), [&] { return stop_ || wake_; });
  }
}

}  // namespace l2::settlement
