// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
#include "settlement/settler.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "common/assert.hpp"
#include "rollup/witness.hpp"

namespace l2::settlement {

Result<std::unique_ptr<Settler>, std::string> Settler::open(const SettlerOptions& options, SecretKey key,
                                                            BatchLog& log) {
  // Where the queues stand: the latest batch's origin record. Every batch made with a
  // base chain has one; a database whose head batch has none was made without one.
  auto head = log.durable_head();
  if (!head) return make_error(head.error());
  auto genesis = log.batch(BatchNumber(0));
  if (!genesis) return make_error(genesis.error());
  if (!*genesis) return make_error(std::string("the rollup database has no genesis batch"));
  BatchOrigin origin;
  if (head->value() > 0) {
    auto stored = log.batch(*head);
    if (!stored) return make_error(stored.error());
    if (!*stored) return make_error("batch " + std::to_string(head->value()) + " is not in the database");
    if ((*stored)->origin.empty())
      return make_error(std::string(
          "this rollup database holds batches made without a base chain (--dev); it cannot settle to one"));
    auto o = decode_origin((*stored)->origin);
    if (!o) return make_error("batch " + std::to_string(head->value()) + " has a malformed origin record");
    origin = *o;
  }
  std::unique_ptr<Settler> s(new Settler(options, log, origin));
  PosterOptions po;
  po.rollup_id = options.rollup_id;
  po.operator_key = options.operator_key;
  po.genesis_root = (*genesis)->header.state_root;
  po.challenge_window_s = options.challenge_window_s;
  po.inclusion_deadline_s = options.inclusion_deadline_s;
  spdlog::info("settlement: base chain {}, sequencer key {}, resuming at deposit {} and forced tx {}",
               options.base_chain, key.public_key().hex(), origin.deposits_upto.value(),
               origin.forced_upto.value());
  Settler* self = s.get();
  s->poster_ = std::make_unique<Poster>(
      options.base_chain, options.http, std::move(key), po,
      [self](BatchNumber n) { return self->build_commitment(n); },
      [self] {
        auto h = self->log_.durable_head();
        return h ? *h : BatchNumber(0);  // unreadable: post nothing new until it reads again
      },
      *head);
  FollowerOptions fo;
  fo.rollup_id = options.rollup_id;
  fo.poll_ms = options.poll_ms;
  s->follower_ = std::make_unique<Follower>(
      options.base_chain, options.http, fo, origin.deposits_upto, origin.forced_upto,
      [self](const std::vector<QueuedDeposit>& d, std::vector<QueuedForced> f) {
        self->on_queued(d, std::move(f));
      });
  return s;
}

Settler::Settler(const SettlerOptions& options, BatchLog& log, BatchOrigin origin)
    : options_(options), log_(log), next_deposit_(origin.deposits_upto), next_forced_(origin.forced_upto) {}

Settler::~Settler() { stop(); }

void Settler::start() {
  poster_->start();
  follower_->start();
}

void Settler::stop() {
  follower_->stop();
  poster_->stop();
}

void Settler::set_doorbell(std::function<void()> fn) {
  std::lock_guard lock(doorbell_mutex_);
  doorbell_ = std::move(fn);
}

void Settler::on_queued(const std::vector<QueuedDeposit>& deposits, std::vector<QueuedForced> forced) {
  {
    std::lock_guard lock(mutex_);
    for (auto& d : deposits) {
      rollup::Tx tx = rollup::Deposit{d.index, d.account, d.recipient, d.amount};
      const Hash32 h = rollup::tx_hash(options_.rollup_id, tx);
      by_hash_.emplace(h, tx);
      deposits_.push_back(Entry{std::move(tx), h});
    }
    for (auto& f : forced) {
      const Hash32 h = rollup::tx_hash(options_.rollup_id, f.tx);
      by_hash_.emplace(h, f.tx);
      forced_.push_back(Entry{std::move(f.tx), h});
    }
  }
  if (deposits.empty() && forced.empty()) return;
  std::lock_guard lock(doorbell_mutex_);
  if (doorbell_) doorbell_();
}

std::size_t Settler::queued() const {
  std::lock_guard lock(mutex_);
  return deposits_.size() + forced_.size();
}

QueueTake Settler::take_for_batch(std::size_t max) {
  QueueTake out;
  std::lock_guard lock(mutex_);
  // Deposits first, then forced txs, each in queue order (docs/settlement.md).
  auto take = [&](std::deque<Entry>& queue) {
    std::uint64_t n = 0;
    while (!queue.empty() && out.txs.size() < max) {
      by_hash_.erase(queue.front().hash);
      out.txs.push_back(std::move(queue.front().tx));
      out.hashes.push_back(queue.front().hash);
      queue.pop_front();
      ++n;
    }
    return n;
  };
  const std::uint64_t deposits = take(deposits_);
  const std::uint64_t forced = take(forced_);
  // The follower hands over unbroken runs of positions that exist, so these fit.
  const auto deposits_upto = next_deposit_.checked_add(deposits);
  const auto forced_upto = next_forced_.checked_add(forced);
  L2_ASSERT(deposits_upto && forced_upto);
  const BatchOrigin origin{next_deposit_, *deposits_upto, next_forced_, *forced_upto};
  next_deposit_ = *deposits_upto;
  next_forced_ = *forced_upto;
  out.origin = encode_origin(origin);
  return out;
}

std::optional<rollup::Tx> Settler::find_queued(const Hash32& hash) const {
  std::lock_guard lock(mutex_);
  auto it = by_hash_.find(hash);
  if (it == by_hash_.end()) return std::nullopt;
  return it->second;
}

bool Settler::holding(BatchNumber executed_head) const {
  return executed_head.value() >= poster_->last_posted().value() + options_.max_unposted_batches;
}

void Settler::batch_durable(BatchNumber) { poster_->notify(); }

SettlerStatus Settler::status() const {
  SettlerStatus s;
  s.poster = poster_->state();
  s.chain = follower_->view();
  std::lock_guard lock(mutex_);
  s.next_deposit = next_deposit_;
  s.next_forced = next_forced_;
  return s;
}

std::vector<WithdrawalChainState> Settler::withdrawal_states(std::span<const WatchedWithdrawal> ws) {
  return follower_->withdrawal_states(ws);
}

Result<Commitment, std::string> Settler::build_commitment(BatchNumber n) {
  auto stored = log_.batch(n);
  if (!stored) return make_error(stored.error());
  if (!*stored) return make_error("batch " + std::to_string(n.value()) + " is not in the database");
  auto txs = rollup::decode_txs((*stored)->txs);
  auto receipts = rollup::decode_receipts((*stored)->receipts);
  auto origin = decode_origin((*stored)->origin);
  auto witnesses = rollup::decode_witnesses((*stored)->witnesses);
  if (!txs || !receipts || !origin || !witnesses)
    return make_error("batch " + std::to_string(n.value()) +
                      " has malformed txs, receipts, origin or witnesses");
  std::vector<WatchedWithdrawal> watched;
  watched.reserve(witnesses->size());
  for (const auto& w : *witnesses) watched.push_back(WatchedWithdrawal{n, w.leaf.pubkey, w.leaf.withdrawn});
  if (!watched.empty()) follower_->watch(watched);
  return make_commitment(CommittedBatchView{options_.rollup_id, (*stored)->header, *txs, *receipts, *origin});
}

}  // namespace l2::settlement
