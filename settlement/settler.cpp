// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
#include "settlement/settler.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <thread>
#include <utility>

#include "common/assert.hpp"
#include "rollup/witness.hpp"
#include "settlement/basechain/client.hpp"
#include "settlement/batch_txs.hpp"
#include "settlement/derive.hpp"

namespace l2::settlement {

namespace {

// At start, when the base chain answers: a rollup registered to other keys, or a root
// that differs from the chain's at the last batch both hold (diverged: another history),
// is a refusal, before anything is acknowledged. A chain that holds more batches than
// the store (a restored backup, a lost tail) gives the batch to catch up to. An
// unreachable chain is no refusal: the poster syncs later.
Result<std::optional<BatchNumber>, std::string> check_against_chain(const SettlerOptions& options,
                                                                    const PublicKey& sequencer, BatchLog& log,
                                                                    const Hash32& genesis_root,
                                                                    BatchNumber head) {
  http::ClientOptions http = options.http;
  http.timeout = std::min(http.timeout, std::chrono::milliseconds(3000));
  auto client = BaseChainClient::create(options.base_chain, http);
  const std::optional<BatchNumber> none;
  if (!client) {
    spdlog::warn("settlement: the base chain did not answer at start ({}); checking the rollup later",
                 client.error());
    return none;
  }
  auto info = (*client)->rollup(options.rollup_id);
  if (!info) {
    spdlog::warn("settlement: the base chain did not answer at start ({}); checking the rollup later",
                 info.error().message);
    return none;
  }
  if (!*info) return none;  // not registered yet: the poster registers it
  const RollupInfo& r = **info;
  const std::string rollup = "rollup " + std::to_string(options.rollup_id.value());
  if (r.sequencer != sequencer)
    return make_error(
        rollup + " is registered on the base chain to sequencer key " + r.sequencer.hex() +
        ", not to this node's key " + sequencer.hex() +
        ": another sequencer runs it. Use that sequencer's key file (--settlement.key-file), or "
        "another --chain-id for a new rollup");
  if (r.operator_key != options.operator_key)
    return make_error(rollup + " is registered on the base chain with operator key " + r.operator_key.hex() +
                      ", not " + options.operator_key.hex());
  if (r.genesis_root != genesis_root)
    return make_error(rollup + " is registered on the base chain with genesis root " + r.genesis_root.hex() +
                      ", not this database's " + genesis_root.hex());
  // The last batch both hold, and the chain's root there.
  const BatchNumber common = std::min(r.last_batch, head);
  if (common.value() == 0) return r.last_batch > head ? std::optional<BatchNumber>(r.last_batch) : none;
  Hash32 chain_root = r.last_root;
  if (common != r.last_batch) {
    auto rec = (*client)->commitment(options.rollup_id, common, /*with_payload=*/false);
    if (!rec)
      return make_error("reading commitment " + std::to_string(common.value()) +
                        " from the base chain: " + rec.error().message);
    if (!*rec)
      return make_error("the base chain holds batches up to " + std::to_string(r.last_batch.value()) +
                        " of " + rollup + " but not batch " + std::to_string(common.value()));
    chain_root = (*rec)->commitment.header.new_root;
  }
  auto local = log.batch(common);
  if (!local) return make_error(local.error());
  if (!*local) return make_error("batch " + std::to_string(common.value()) + " is not in the database");
  if ((*local)->header.state_root != chain_root)
    return make_error("this database has diverged from the base chain: batch " +
                      std::to_string(common.value()) + " of " + rollup + " has root " +
                      (*local)->header.state_root.hex() + " here but " + chain_root.hex() +
                      " on the base chain. Refusing to serve it");
  return r.last_batch > head ? std::optional<BatchNumber>(r.last_batch) : none;
}

// Where the queues stand: the head batch's origin record. Every batch made with a base
// chain has one; a database whose head batch has none was made without one.
Result<std::pair<BatchNumber, BatchOrigin>, std::string> resume_point(BatchLog& log) {
  auto head = log.durable_head();
  if (!head) return make_error(head.error());
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
  return std::make_pair(*head, origin);
}

// Re-derives batches head+1..target from the base chain into `engine`, whose head is
// `from` (head, and its origin record) (each batch committed, so a crash resumes where it
// stopped). A base chain that stops answering is retried a few times. `each` runs after
// every batch derived and found correct.
DerivedUpTo derive_into(const SettlerOptions& options, rollup::Engine& engine,
                        const std::pair<BatchNumber, BatchOrigin>& from, BatchNumber target,
                        const std::function<void(const rollup::BatchHeader&)>& each) {
  const BatchNumber head = from.first;
  const BatchOrigin& origin = from.second;
  DerivedUpTo out;
  out.verified = head;
  const std::string what = "catching up with the base chain (batches " + std::to_string(head.value() + 1) +
                           ".." + std::to_string(target.value()) + ")";
  auto client = BaseChainClient::create(options.base_chain, options.http);
  if (!client) {
    out.error = what + ": " + client.error();
    return out;
  }
  BaseChainSource source(**client, options.rollup_id);
  auto deriver = Deriver::resume(source, engine, origin.deposits_upto, origin.forced_upto);
  constexpr int kAttempts = 5;
  for (int attempt = 1;; ++attempt) {
    if (!deriver) {
      if (attempt >= kAttempts) {
        out.error = what + ": " + deriver.error().message;
        return out;
      }
    } else {
      Deriver::RunOptions ro;
      ro.upto = target;
      ro.progress = [&](const rollup::BatchHeader& b, const DeriveStats&) {
        out.verified = b.number;
        spdlog::info("settlement: re-derived batch {} of {} from the base chain, root {}", b.number.value(),
                     target.value(), b.state_root.hex());
        if (each) each(b);
        if (options.test_catch_up_pause_ms > 0)
          std::this_thread::sleep_for(std::chrono::milliseconds(options.test_catch_up_pause_ms));
      };
      auto m = (*deriver)->run(ro);
      out.verified = (*deriver)->verified();
      if (m && !*m) break;
      if (m) {
        out.mismatch = **m;
        out.error = what + ": the base chain's batch does not derive over this database: " + describe(**m);
        return out;
      }
      if (m.error().code == DeriveErrorCode::engine || attempt >= kAttempts) {
        out.engine_failed = m.error().code == DeriveErrorCode::engine;
        out.error = what + ", stopped at batch " + std::to_string((*deriver)->head().value()) + ": " +
                    m.error().message;
        return out;
      }
      spdlog::warn("settlement: {}: {}; retrying", what, m.error().message);
    }
    std::this_thread::sleep_for(std::chrono::seconds(1));
    if (!deriver) deriver = Deriver::resume(source, engine, origin.deposits_upto, origin.forced_upto);
  }
  spdlog::info("settlement: caught up with the base chain at batch {}, root {}", target.value(),
               engine.state_root().hex());
  return out;
}

// At open: re-derives the missing batches through an engine of its own on the database.
Status<std::string> catch_up_at_open(const SettlerOptions& options, BatchNumber head,
                                     const BatchOrigin& origin, BatchNumber target) {
  if (options.catch_up_engine.store.path.empty())
    return make_error("the base chain holds batches up to " + std::to_string(target.value()) + " of rollup " +
                      std::to_string(options.rollup_id.value()) + ", but this database ends at batch " +
                      std::to_string(head.value()));
  spdlog::warn(
      "settlement: the base chain holds batches up to {} of rollup {}, but this database ends at batch {} "
      "(an older backup, or a lost tail): re-deriving the missing batches from the base chain before "
      "serving",
      target.value(), options.rollup_id.value(), head.value());
  const std::string what = "catching up with the base chain (batches " + std::to_string(head.value() + 1) +
                           ".." + std::to_string(target.value()) + ")";
  auto engine = rollup::Engine::open(options.catch_up_engine);
  if (!engine) return make_error(what + ": cannot open the rollup database: " + engine.error().message);
  if ((*engine)->head().number != head)
    return make_error(what + ": the database's head moved to batch " +
                      std::to_string((*engine)->head().number.value()));
  DerivedUpTo d = derive_into(options, **engine, {head, origin}, target, {});
  if (d.error.empty()) return {};
  return make_error(d.error + (d.mismatch ? ". Refusing to serve it" : ". Start again to resume"));
}

}  // namespace

Result<std::unique_ptr<Settler>, std::string> Settler::open(const SettlerOptions& options, SecretKey key,
                                                            BatchLog& log) {
  auto genesis = log.batch(BatchNumber(0));
  if (!genesis) return make_error(genesis.error());
  if (!*genesis) return make_error(std::string("the rollup database has no genesis batch"));
  auto point = resume_point(log);
  if (!point) return make_error(point.error());
  auto target =
      check_against_chain(options, key.public_key(), log, (*genesis)->header.state_root, point->first);
  if (!target) return make_error(target.error());
  if (*target) {
    if (auto caught = catch_up_at_open(options, point->first, point->second, **target); !caught)
      return make_error(caught.error());
    point = resume_point(log);
    if (!point) return make_error(point.error());
  }
  const BatchNumber head = point->first;
  const BatchOrigin& origin = point->second;
  std::unique_ptr<Settler> s(new Settler(options, log, origin));
  PosterOptions po;
  po.rollup_id = options.rollup_id;
  po.operator_key = options.operator_key;
  po.genesis_root = (*genesis)->header.state_root;
  po.challenge_window_s = options.challenge_window_s;
  po.dispute_terms = options.dispute_terms;
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
      head);
  s->poster_->set_local_root([self](BatchNumber n) -> std::optional<Hash32> {
    auto b = self->log_.batch(n);
    if (!b || !*b) return std::nullopt;
    return (*b)->header.state_root;
  });
  s->poster_->set_on_reorg([self] {
    std::lock_guard lock(self->doorbell_mutex_);
    if (self->doorbell_) self->doorbell_();
  });
  FollowerOptions fo;
  fo.rollup_id = options.rollup_id;
  fo.poll_ms = options.poll_ms;
  s->follower_ = std::make_unique<Follower>(
      options.base_chain, options.http, fo, origin.deposits_upto, origin.forced_upto,
      [self](const std::vector<QueuedDeposit>& d, std::vector<QueuedForced> f) {
        self->on_queued(d, std::move(f));
      });
  DefenderOptions dop;
  dop.rollup_id = options.rollup_id;
  dop.poll_ms = options.poll_ms;
  s->defender_ = std::make_unique<Defender>(
      options.base_chain, options.http, dop, [self](BatchNumber n) { return self->log_.state_at(n); },
      [self](BaseTxBody body, std::string what) {
        return self->poster_->send(std::move(body), std::move(what));
      });
  return s;
}

Settler::Settler(const SettlerOptions& options, BatchLog& log, BatchOrigin origin)
    : options_(options),
      log_(log),
      next_deposit_(origin.deposits_upto),
      next_forced_(origin.forced_upto),
      inbox_deposit_end_(origin.deposits_upto),
      inbox_forced_end_(origin.forced_upto) {}

Settler::~Settler() { stop(); }

void Settler::start() {
  poster_->start();
  follower_->start();
  defender_->start();
}

void Settler::stop() {
  if (defender_) defender_->stop();
  if (follower_) follower_->stop();
  if (poster_) poster_->stop();
}

void Settler::set_doorbell(std::function<void()> fn) {
  std::lock_guard lock(doorbell_mutex_);
  doorbell_ = std::move(fn);
}

void Settler::on_queued(const std::vector<QueuedDeposit>& deposits, std::vector<QueuedForced> forced) {
  {
    std::lock_guard lock(mutex_);
    for (auto& d : deposits) {
      if (d.index != inbox_deposit_end_) continue;  // from before a reorg's restart
      auto next = d.index.checked_add(1);
      if (!next) continue;  // the last representable position: never queued
      inbox_deposit_end_ = *next;
      rollup::Tx tx = deposit_tx(d);
      const Hash32 h = rollup::tx_hash(options_.rollup_id, tx);
      by_hash_.emplace(h, tx);
      deposits_.push_back(Entry{std::move(tx), h});
    }
    for (auto& f : forced) {
      if (f.index != inbox_forced_end_) continue;
      auto next = f.index.checked_add(1);
      if (!next) continue;
      inbox_forced_end_ = *next;
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
  // Deposits first, then forced txs, each in queue order: the derived tx list's order
  // (settlement/batch_txs.hpp); the node appends the user txs.
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
  if (poster_->is_diverged()) return true;
  return executed_head.value() >= poster_->last_posted().value() + options_.max_unposted_batches;
}

std::optional<std::string> Settler::diverged() const {
  if (!poster_->is_diverged()) return std::nullopt;  // the usual case, without the poster's lock
  return poster_->state().diverged;
}

void Settler::batch_durable(BatchNumber) { poster_->notify(); }

std::optional<BatchNumber> Settler::reorg_wanted() const { return poster_->state().reorg_wanted; }

void Settler::restart_queues(const BatchOrigin& origin) {
  std::lock_guard lock(mutex_);
  deposits_.clear();
  forced_.clear();
  by_hash_.clear();
  next_deposit_ = inbox_deposit_end_ = origin.deposits_upto;
  next_forced_ = inbox_forced_end_ = origin.forced_upto;
  follower_->restart_at(origin.deposits_upto, origin.forced_upto);
  catching_up_ = true;
  reorged_at_ = SteadyClock::now();
}

void Settler::reorged(BatchNumber to, const BatchOrigin& origin) {
  restart_queues(origin);
  spdlog::info("settlement: rolled back to batch {}; queues resume at deposit {} and forced tx {}",
               to.value(), origin.deposits_upto.value(), origin.forced_upto.value());
  poster_->reorged();
}

std::optional<BatchNumber> Settler::catch_up_wanted() const { return poster_->state().catch_up_wanted; }

DerivedUpTo Settler::catch_up(rollup::Engine& engine, BatchNumber target,
                              const std::function<void(const rollup::BatchHeader&)>& each) {
  DerivedUpTo d;
  auto point = resume_point(log_);
  if (!point) {
    d.error = "catching up with the base chain: " + point.error();
    poster_->caught_up();  // asks again after a re-sync
    return d;
  }
  const BatchNumber head = point->first;
  d.verified = head;
  if (engine.head().number != head || target <= head) {
    poster_->caught_up();  // nothing to derive (or the database moved): compare again
    return d;
  }
  d = derive_into(options_, engine, *point, target, each);
  if (d.engine_failed) return d;  // the owner stops writing
  if (d.mismatch) {
    // The chain's batch does not derive over this node's: the engine may have executed
    // (and committed) it; only what was found correct is kept.
    if (engine.head().number > d.verified)
      if (auto r = engine.rollback_to(d.verified); !r) {
        d.engine_failed = true;
        d.error += "; and rolling it back failed: " + r.error().message;
        return d;
      }
    poster_->diverge("this node has diverged from the base chain: " + d.error + ". Taking no more writes");
    return d;
  }
  if (auto now = resume_point(log_); now) {
    restart_queues(now->second);
    spdlog::info("settlement: caught up to batch {}; queues resume at deposit {} and forced tx {}",
                 now->first.value(), now->second.deposits_upto.value(), now->second.forced_upto.value());
  } else {
    d.engine_failed = true;
    d.error = "reading the caught-up head: " + now.error();
    return d;
  }
  poster_->caught_up();
  return d;
}

bool Settler::deposit_gone(DepositPosition index) const {
  const FollowerView v = follower_->view();
  std::lock_guard lock(mutex_);
  if (next_deposit_ > index) return true;
  return !catching_up_ && v.synced && v.rollup && v.refreshed_at > reorged_at_ &&
         v.rollup->deposits_end() <= index;
}

bool Settler::queues_caught_up() {
  {
    std::lock_guard lock(mutex_);
    if (!catching_up_) return true;  // the batcher asks before every batch: keep it cheap
  }
  const FollowerView v = follower_->view();
  std::lock_guard lock(mutex_);
  if (!catching_up_) return true;
  if (!v.synced || !v.rollup || v.refreshed_at <= reorged_at_) return false;
  if (inbox_deposit_end_ < v.rollup->deposits_end() || inbox_forced_end_ < v.rollup->forced_end())
    return false;
  catching_up_ = false;
  return true;
}

SettlerStatus Settler::status() const {
  SettlerStatus s;
  s.poster = poster_->state();
  s.chain = follower_->view();
  s.disputes = defender_->state();
  if (!s.chain.reachable) {
    const SteadyClock::time_point since = s.chain.synced ? s.chain.refreshed_at : made_at_;
    s.unreachable_for = std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - since);
  }
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
