// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
#include "settlement/poster.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

namespace l2::settlement {

bool is_permanent_refusal(std::string_view reason) {
  return reason == "deposit_deadline_missed" || reason == "forced_deadline_missed" ||
         reason == "queue_overrun" || reason == "queue_regress" || reason == "wrong_prev_root";
}

Poster::Poster(std::string base_chain_url, http::ClientOptions http, SecretKey key, PosterOptions options,
               BuildCommitment build, DurableHead durable_head, BatchNumber assumed_posted)
    : url_(std::move(base_chain_url)),
      http_(std::move(http)),
      key_(std::move(key)),
      options_(std::move(options)),
      build_(std::move(build)),
      durable_head_(std::move(durable_head)),
      last_posted_(assumed_posted.value()) {}

Poster::~Poster() { stop(); }

void Poster::start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { run(); });
}

void Poster::stop() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Poster::notify() {
  {
    std::lock_guard lock(mutex_);
    notified_ = true;
  }
  cv_.notify_all();
}

bool Poster::send(BaseTxBody body, std::string what) {
  {
    std::lock_guard lock(mutex_);
    if (extra_.size() >= kMaxExtra) return false;
    extra_.push_back(Extra{std::move(body), std::move(what)});
    state_.extra_queued = extra_.size();
    notified_ = true;
  }
  cv_.notify_all();
  return true;
}

void Poster::reorged() {
  {
    std::lock_guard lock(mutex_);
    state_.reorg_wanted.reset();
    resync_ = true;
    notified_ = true;
  }
  cv_.notify_all();
}

void Poster::caught_up() {
  {
    std::lock_guard lock(mutex_);
    state_.catch_up_wanted.reset();
    resync_ = true;
    notified_ = true;
  }
  cv_.notify_all();
}

void Poster::diverge(const std::string& why) {
  {
    std::lock_guard lock(mutex_);
    state_.reachable = true;
    state_.catch_up_wanted.reset();
    state_.diverged = why;
    state_.last_error = why;
    diverged_ = true;
  }
  spdlog::critical("settlement: {}", why);
  cv_.notify_all();
}

void Poster::set_on_reorg(std::function<void()> fn) { on_reorg_ = std::move(fn); }

void Poster::want_catch_up(BatchNumber to, BatchNumber from) {
  {
    std::lock_guard lock(mutex_);
    if (state_.catch_up_wanted || state_.reorg_wanted) return;
    state_.catch_up_wanted = to;
  }
  spdlog::warn(
      "settlement: the base chain holds batches up to {} of rollup {}, built on this node's batch {} "
      "(another "
      "process posts with this key): re-deriving them from the chain",
      to.value(), options_.rollup_id.value(), from.value());
  if (on_reorg_) on_reorg_();
}

void Poster::want_reorg(BatchNumber to, const std::string& why) {
  {
    std::lock_guard lock(mutex_);
    if (state_.reorg_wanted) return;
    state_.reorg_wanted = to;
    ++state_.reorgs_asked;
    state_.last_error = why;
  }
  spdlog::warn("settlement: {}; rolling the rollup back to batch {}, the base chain's last", why, to.value());
  if (on_reorg_) on_reorg_();
}

PosterState Poster::state() const {
  std::lock_guard lock(mutex_);
  PosterState s = state_;
  s.last_posted = BatchNumber(last_posted_.load());
  return s;
}

void Poster::fail(const std::string& what, bool reached) {
  std::lock_guard lock(mutex_);
  state_.reachable = reached;
  if (reached) {
    ++state_.refusals;
    ++state_.refusals_in_a_row;
  } else {
    ++state_.failures;
  }
  if (state_.last_error != what) spdlog::warn("settlement: {}", what);
  state_.last_error = what;
}

void Poster::sleep_backoff() {
  backoff_ms_ = backoff_ms_ == 0 ? options_.retry_min_ms : std::min(backoff_ms_ * 2, options_.retry_max_ms);
  std::unique_lock lock(mutex_);
  cv_.wait_for(lock, std::chrono::milliseconds(backoff_ms_), [&] { return stop_; });
}

bool Poster::sync(BaseChainClient& client) {
  auto info = client.rollup(options_.rollup_id);
  if (!info) {
    fail("base chain " + url_ + ": " + info.error().message, !info.error().unreachable());
    return false;
  }
  if (!*info) {
    // First contact: register the rollup, with this key as its sequencer.
    auto acct = client.account(key_.public_key());
    if (!acct) {
      fail("base chain " + url_ + ": " + acct.error().message, !acct.error().unreachable());
      return false;
    }
    BaseTx tx{key_.public_key(),
              acct->nonce,
              RegisterRollupBody{options_.rollup_id, options_.operator_key, options_.genesis_root,
                                 options_.challenge_window_s, options_.inclusion_deadline_s,
                                 options_.dispute_terms},
              {}};
    auto chain = client.chain_id();
    if (!chain) {
      fail("base chain " + url_ + ": " + chain.error().message, !chain.error().unreachable());
      return false;
    }
    sign_base_tx(tx, *chain, key_);
    if (auto sent = client.send(tx); !sent) {
      fail("registering rollup " + std::to_string(options_.rollup_id.value()) + ": " + sent.error().message,
           !sent.error().unreachable());
      return false;
    }
    spdlog::info("settlement: registered rollup {} on the base chain (sequencer key {})",
                 options_.rollup_id.value(), key_.public_key().hex());
    return sync(client);
  }
  const RollupInfo& r = **info;
  if (r.sequencer != key_.public_key() || r.genesis_root != options_.genesis_root ||
      r.operator_key != options_.operator_key) {
    std::lock_guard lock(mutex_);
    state_.fatal = true;
    state_.reachable = true;
    state_.last_error = "rollup " + std::to_string(options_.rollup_id.value()) +
                        " is registered on the base chain with another sequencer key, operator key or "
                        "genesis root: not posting";
    spdlog::critical("settlement: {}", state_.last_error);
    return false;
  }
  last_posted_ = r.last_batch.value();
  if (r.last_batch.value() < highest_seen_) {
    // The chain went back below batches it held (a base-chain revert): what we built on
    // them may not hold any more (their queue entries may be gone). Follow it.
    const std::uint64_t was = highest_seen_;
    highest_seen_ = r.last_batch.value();
    want_reorg(r.last_batch, "the base chain reverted rollup " + std::to_string(options_.rollup_id.value()) +
                                 " from batch " + std::to_string(was) + " to batch " +
                                 std::to_string(r.last_batch.value()));
  }
  highest_seen_ = std::max(highest_seen_, r.last_batch.value());
  const Comparison cmp = compare(client, r);
  if (cmp.kind == Comparison::Kind::unread) {
    fail(cmp.why, cmp.reached);
    return false;
  }
  if (cmp.kind == Comparison::Kind::diverged) {
    diverge(cmp.why);
    return false;
  }
  if (cmp.kind == Comparison::Kind::behind) want_catch_up(r.last_batch, durable_head_());
  std::lock_guard lock(mutex_);
  state_.reachable = true;
  state_.synced = true;
  return true;
}

Poster::Comparison Poster::compare(BaseChainClient& client, const RollupInfo& r) {
  using Kind = Comparison::Kind;
  if (!local_root_ || r.last_batch.value() == 0) return {};
  const std::string rollup = "rollup " + std::to_string(options_.rollup_id.value());
  const std::string another =
      ": another process posts this rollup with this sequencer's key, and this node made batches the "
      "chain does not hold. Taking no more writes";
  const BatchNumber durable = durable_head_();
  if (r.last_batch > durable) {
    // Behind: the chain holds more. It holds everything this node made if its batch at
    // this node's head has this node's root (the registered genesis root at batch 0).
    std::optional<Hash32> chain_root = r.genesis_root;
    if (durable.value() > 0) {
      auto rec = client.commitment(options_.rollup_id, durable, /*with_payload=*/false);
      if (!rec)
        return {Kind::unread, "base chain " + url_ + ": " + rec.error().message, !rec.error().unreachable()};
      if (!*rec)
        return {Kind::unread,
                "the base chain holds batches up to " + std::to_string(r.last_batch.value()) + " of " +
                    rollup + " but not batch " + std::to_string(durable.value()),
                true};
      chain_root = (*rec)->commitment.header.new_root;
    }
    const std::optional<Hash32> local = durable.value() > 0 ? local_root_(durable) : options_.genesis_root;
    if (!local) return {Kind::unread, "cannot read batch " + std::to_string(durable.value()), true};
    if (*local == *chain_root) return {Kind::behind, {}, true};
    return {Kind::diverged,
            "this node has diverged from the base chain: the chain holds batches up to " +
                std::to_string(r.last_batch.value()) + " of " + rollup + ", and its batch " +
                std::to_string(durable.value()) + " has root " + chain_root->hex() + ", not this node's " +
                local->hex() + another,
            true};
  }
  const std::optional<Hash32> local = local_root_(r.last_batch);
  if (local && *local != r.last_root)
    return {Kind::diverged,
            "this node has diverged from the base chain: batch " + std::to_string(r.last_batch.value()) +
                " of " + rollup + " has root " + local->hex() + " here but " + r.last_root.hex() +
                " on the base chain" + another,
            true};
  return {};
}

void Poster::run() {
  std::unique_ptr<BaseChainClient> client;
  bool synced = false;
  ChainId chain{0};
  Nonce nonce{0};
  unsigned idle_waits = 0;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      if (stop_ || state_.fatal || state_.diverged) return;
      if (state_.reorg_wanted || state_.catch_up_wanted) {
        // Nothing is posted until the owner has rolled back (reorged()) or caught up.
        cv_.wait_for(lock, std::chrono::milliseconds(200),
                     [&] { return stop_ || (!state_.reorg_wanted && !state_.catch_up_wanted); });
        continue;
      }
      if (resync_) {
        resync_ = false;
        synced = false;
        permanent_refused_ = 0;
      }
    }
    if (!client) {
      auto c = BaseChainClient::create(url_, http_);
      if (!c) {
        fail(c.error(), false);
        sleep_backoff();
        continue;
      }
      client = std::move(*c);
      synced = false;
    }
    if (!synced) {
      if (!sync(*client)) {
        sleep_backoff();
        continue;
      }
      auto id = client->chain_id();
      auto acct = client->account(key_.public_key());
      if (!id || !acct) {
        fail("base chain " + url_ + ": " + (!id ? id.error().message : acct.error().message), false);
        sleep_backoff();
        continue;
      }
      chain = *id;
      nonce = acct->nonce;
      synced = true;
      spdlog::info("settlement: base chain has rollup {} up to batch {}", options_.rollup_id.value(),
                   last_posted_.load());
      std::lock_guard lock(mutex_);
      // The chain went back, or holds more: post nothing until the rollback or the catch-up.
      if (state_.reorg_wanted || state_.catch_up_wanted) continue;
    }
    // Other txs first (dispute moves: their clocks run).
    std::optional<Extra> extra;
    {
      std::lock_guard lock(mutex_);
      if (!extra_.empty()) extra = extra_.front();
    }
    if (extra) {
      BaseTx tx{key_.public_key(), nonce, std::move(extra->body), {}};
      sign_base_tx(tx, chain, key_);
      auto sent = client->send(tx);
      if (!sent && sent.error().unreachable()) {
        fail("sending " + extra->what + ": " + sent.error().message, false);
        client.reset();
        sleep_backoff();
        continue;
      }
      std::lock_guard lock(mutex_);
      extra_.pop_front();
      state_.extra_queued = extra_.size();
      state_.reachable = true;
      if (sent) {
        nonce = Nonce(nonce.value() + 1);
        ++state_.extra_sent;
        spdlog::info("settlement: sent {}", extra->what);
      } else {
        ++state_.extra_refused;
        spdlog::warn("settlement: the base chain refused {}: {}{}", extra->what, sent.error().message,
                     sent.error().reason.empty() ? "" : " (" + sent.error().reason + ")");
        if (sent.error().reason == "wrong_nonce") synced = false;  // re-read the nonce
      }
      continue;
    }
    const std::uint64_t next = last_posted_.load() + 1;
    if (next > durable_head_().value()) {
      if (++idle_waits >= 5) {
        // Idle for a second: is the chain still where we left it? (A base-chain revert
        // below posted batches must be followed even when nothing new is to be posted.)
        idle_waits = 0;
        auto info = client->rollup(options_.rollup_id);
        if (!info) {
          if (info.error().unreachable()) client.reset();
          continue;
        }
        if (*info && (*info)->last_batch.value() != last_posted_.load()) {  // reverted, or posted by another
          synced = false;
          continue;
        }
      }
      std::unique_lock lock(mutex_);
      cv_.wait_for(lock, std::chrono::milliseconds(200), [&] { return stop_ || notified_; });
      notified_ = false;
      continue;
    }
    idle_waits = 0;
    auto commitment = build_(BatchNumber(next));
    if (!commitment) {
      fail("cannot build the commitment of batch " + std::to_string(next) + ": " + commitment.error(), true);
      sleep_backoff();
      continue;
    }
    BaseTx tx{key_.public_key(), nonce, CommitBatchBody{std::move(*commitment)}, {}};
    sign_base_tx(tx, chain, key_);
    auto sent = client->send(tx);
    if (sent) {
      last_posted_ = next;
      highest_seen_ = std::max(highest_seen_, next);
      permanent_refused_ = 0;
      nonce = Nonce(nonce.value() + 1);
      backoff_ms_ = 0;
      std::lock_guard lock(mutex_);
      ++state_.posted;
      state_.refusals_in_a_row = 0;
      state_.reachable = true;
      state_.last_error.clear();
      continue;
    }
    const RpcError& e = sent.error();
    if (e.unreachable()) {
      fail("posting batch " + std::to_string(next) + ": " + e.message, false);
      client.reset();  // reconnect, then ask the chain where it stands
    } else {
      // Refused. Out of order or a stale nonce usually means an earlier post did land
      // (its answer was lost): re-read the chain's position before anything else.
      const std::string what = "the base chain refused batch " + std::to_string(next) + ": " + e.message +
                               (e.reason.empty() ? "" : " (" + e.reason + ")");
      fail(what, true);
      synced = false;
      if (is_permanent_refusal(e.reason)) {
        // Refused for good if it happens again right after a re-sync (the batch and the
        // chain's position both checked): then only a reorg can get settlement going.
        if (permanent_refused_ == next) {
          permanent_refused_ = 0;
          want_reorg(BatchNumber(next - 1), what);
          continue;
        }
        permanent_refused_ = next;
      }
    }
    sleep_backoff();
  }
}

}  // namespace l2::settlement
