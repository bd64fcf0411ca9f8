// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
#include "rollup/engine.hpp"

#include <algorithm>
#include <chrono>

#include "common/assert.hpp"
#include "common/crypto.hpp"

namespace l2::rollup {

namespace {

using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

EngineError from_store(const StoreError& e) {
  return EngineError{e.code == StoreErrorCode::io ? EngineErrorCode::storage : EngineErrorCode::corrupt,
                     std::string(to_string(e.code)) + ": " + e.message};
}

// A rollback reads only the account changes of the batches it removes.
constexpr BatchParts kChangesOnly{
    .txs = false, .receipts = false, .changes = true, .witnesses = false, .origin = false};

// Rebuilds the whole tree from the accounts (at open and after a rollback).
void build_tree(SparseMerkleTree& tree, const State& state, ThreadPool& pool) {
  std::vector<Hash32> leaves(state.size());
  pool.parallel_for(leaves.size(), 1024, [&](std::size_t b, std::size_t e) {
    for (std::size_t i = b; i < e; ++i) leaves[i] = account_leaf_hash(state.accounts()[i]);
  });
  tree = SparseMerkleTree();
  for (std::size_t i = 0; i < leaves.size(); ++i) tree.set_leaf(static_cast<std::uint32_t>(i), leaves[i]);
  tree.update_root(&pool);
}

}  // namespace

const Account& DurableView::at(AccountIndex i) const {
  // The oldest batch not yet durable that changed the account holds its value before.
  for (const BatchUndo* u : undos_) {
    auto it = std::lower_bound(u->changes.begin(), u->changes.end(), i,
                               [](const AccountChange& c, AccountIndex k) { return c.index < k; });
    if (it != u->changes.end() && it->index == i) {
      L2_ASSERT(it->before.has_value());  // created later than the durable state
      return *it->before;
    }
  }
  return state_.at(i);
}

std::optional<AccountIndex> DurableView::find(const PublicKey& key) const {
  // Accounts are only appended (a rollback flushes first) and keep their key.
  auto i = state_.find(key);
  if (!i || !contains(*i)) return std::nullopt;
  return i;
}

Engine::Engine(const EngineOptions& options, std::unique_ptr<StateStore> store, LoadedState loaded)
    : options_(options),
      pool_(options.threads == 0 ? std::max(1u, std::thread::hardware_concurrency()) : options.threads),
      executor_(pool_),
      store_(std::move(store)),
      state_(std::move(loaded.state)),
      head_(loaded.head),
      pending_(std::move(loaded.pending)),
      batches_since_checkpoint_(
          static_cast<std::uint32_t>(head_.number.value() - loaded.checkpoint.value())) {}

Result<std::unique_ptr<Engine>, EngineError> Engine::open(const EngineOptions& options) {
  auto store = StateStore::open(options.store);
  if (!store) return make_error(from_store(store.error()));
  auto loaded = (*store)->load();
  if (!loaded) return make_error(from_store(loaded.error()));
  std::unique_ptr<Engine> engine(new Engine(options, std::move(*store), std::move(*loaded)));
  build_tree(engine->tree_, engine->state_, engine->pool_);
  if (engine->tree_.root() != engine->head_.state_root)
    return make_error(
        EngineError{EngineErrorCode::corrupt, "state root " + engine->tree_.root().hex() +
                                                  " rebuilt from the database differs from " +
                                                  engine->head_.state_root.hex() + " recorded for batch " +
                                                  std::to_string(engine->head_.number.value())});
  engine->durable_number_ = engine->head_.number.value();
  engine->commit_thread_ = std::thread([e = engine.get()] { e->commit_loop(); });
  return engine;
}

Engine::~Engine() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  cv_.notify_all();
  if (commit_thread_.joinable()) commit_thread_.join();
}

void Engine::merkleize(std::span<const AccountChange> changes, TreeUndo* undo) {
  std::vector<Hash32> leaves(changes.size());
  pool_.parallel_for(changes.size(), 256, [&](std::size_t b, std::size_t e) {
    for (std::size_t i = b; i < e; ++i) leaves[i] = account_leaf_hash(changes[i].after);
  });
  tree_.record_undo(undo);
  for (std::size_t i = 0; i < changes.size(); ++i) tree_.set_leaf(changes[i].index.value(), leaves[i]);
  tree_.update_root(&pool_);
}

Engine::Ack Engine::submit(BatchInput input) {
  auto job = std::make_unique<CommitJob>();
  Ack ack = job->done.get_future();
  {
    std::lock_guard lock(mutex_);
    if (poisoned_) {
      job->done.set_value(
          make_error(EngineError{EngineErrorCode::poisoned, "engine stopped after: " + poisoned_->message}));
      return ack;
    }
  }
  if (!input.sigs.empty() && input.sigs.size() != input.txs.size()) {
    job->done.set_value(
        make_error(EngineError{EngineErrorCode::invalid_argument, "one signature check per tx"}));
    return ack;
  }
  if (!input.hashes.empty() && input.hashes.size() != input.txs.size()) {
    job->done.set_value(make_error(EngineError{EngineErrorCode::invalid_argument, "one hash per tx"}));
    return ack;
  }
  if (input.origin.size() > kMaxOriginBytes) {
    job->done.set_value(
        make_error(EngineError{EngineErrorCode::invalid_argument, "origin record too large"}));
    return ack;
  }
  // The executor's precondition: the batch's deposits keep the sum of all balances in
  // 64 bits (the bridge guarantees it for deposits from the base chain: it never locks
  // more than that for one rollup). Checked here so that a caller that breaks it gets
  // an error, not an abort.
  {
    Amount supply = state_.supply();
    for (const auto& tx : input.txs) {
      const auto* d = std::get_if<Deposit>(&tx);
      if (d == nullptr) continue;
      auto raised = supply.checked_add(d->amount);
      if (!raised) {
        job->done.set_value(make_error(EngineError{
            EngineErrorCode::invalid_argument, "the batch's deposits would push the supply past 2^64 - 1"}));
        return ack;
      }
      supply = *raised;
    }
  }
  auto t0 = Clock::now();
  PreparedBatch prepared = executor_.prepare(state_, chain_id(), input.txs, input.sigs, input.hashes);
  job->timings.verify_ms = ms_since(t0);
  auto t1 = Clock::now();
  ExecutionResult result = executor_.execute(state_, chain_id(), input.txs, prepared);
  auto undo = std::make_shared<BatchUndo>();
  undo->prev_head = head_;
  undo->prev_size = state_.size();
  std::unique_lock write(state_mutex_);  // readers wait while the batch is applied
  state_.apply(result.changes);
  job->timings.execute_ms = ms_since(t1);
  auto t2 = Clock::now();
  merkleize(result.changes, &undo->tree);
  job->timings.merkle_ms = ms_since(t2);

  BatchHeader h;
  h.number = BatchNumber(head_.number.value() + 1);
  h.prev_root = head_.state_root;
  h.state_root = tree_.root();
  h.tx_count = static_cast<std::uint32_t>(input.txs.size());
  h.applied_count = result.applied;
  h.timestamp_ms = input.timestamp_ms;
  job->batch.txs = encode_txs(input.txs);
  h.txs_hash = blake2b256(job->batch.txs);
  job->batch.header = h;
  job->batch.witnesses = rollup::withdrawal_witnesses(state_, tree_, input.txs, result.receipts);
  job->batch.origin = std::move(input.origin);
  job->receipts = std::move(result.receipts);
  undo->changes = std::move(result.changes);
  job->undo = undo;
  undo_.push_back(std::move(undo));
  head_ = h;
  write.unlock();
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(std::move(job));
  }
  cv_.notify_all();
  return ack;
}

std::optional<EngineError> Engine::commit_one(CommitJob& job) {
  auto t = Clock::now();
  job.batch.receipts = encode_receipts(job.receipts);
  job.batch.changes = encode_changes(job.undo->changes);
  if (auto s = store_->append_batch(job.batch); !s) return from_store(s.error());
  for (const auto& c : job.undo->changes) pending_[c.index] = c.after;
  ++batches_since_checkpoint_;
  if (batches_since_checkpoint_ >= options_.checkpoint_every ||
      pending_.size() >= options_.checkpoint_max_pending) {
    // The batch is durable either way; a failed checkpoint leaves the diffs in place
    // and is retried after the next batch.
    if (store_->checkpoint(job.batch.header.number, pending_)) {
      pending_.clear();
      batches_since_checkpoint_ = 0;
    }
  }
  job.timings.commit_ms = ms_since(t);
  return std::nullopt;
}

void Engine::commit_loop() {
  for (;;) {
    std::unique_ptr<CommitJob> job;
    bool failed = false;
    std::string why;
    {
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stop_ and drained
      job = std::move(queue_.front());
      queue_.pop_front();
      busy_ = true;
      if (poisoned_) {
        failed = true;
        why = poisoned_->message;
      }
    }
    if (failed) {
      job->done.set_value(make_error(EngineError{EngineErrorCode::poisoned, "engine stopped after: " + why}));
    } else if (auto err = commit_one(*job)) {
      {
        std::lock_guard lock(mutex_);
        poisoned_ = err;
      }
      is_poisoned_ = true;  // the batch's undo record stays: readers see the last durable state
      job->done.set_value(make_error(std::move(*err)));
    } else {
      {
        std::lock_guard lock(state_mutex_);
        L2_ASSERT(!undo_.empty() && undo_.front() == job->undo);
        undo_.pop_front();
        durable_number_ = job->batch.header.number.value();
      }
      job->done.set_value(CommittedBatch{job->batch.header, std::move(job->receipts), job->timings});
    }
    {
      std::lock_guard lock(mutex_);
      busy_ = false;
    }
    cv_.notify_all();
  }
}

Status<EngineError> Engine::flush() {
  std::unique_lock lock(mutex_);
  cv_.wait(lock, [&] { return queue_.empty() && !busy_; });
  if (poisoned_) return make_error(*poisoned_);
  return {};
}

Status<EngineError> Engine::checkpoint() {
  if (auto f = flush(); !f) return f;
  std::lock_guard lock(mutex_);  // the commit thread is idle and waits on this mutex
  if (auto s = store_->checkpoint(head_.number, pending_); !s) return make_error(from_store(s.error()));
  pending_.clear();
  batches_since_checkpoint_ = 0;
  return {};
}

Status<EngineError> Engine::rollback_to(BatchNumber n, std::span<const RolledBackTx> record) {
  if (auto f = flush(); !f) return f;
  std::lock_guard lock(mutex_);
  if (n > head_.number)
    return make_error(EngineError{
        EngineErrorCode::invalid_argument,
        "batch " + std::to_string(n.value()) + " is after the head " + std::to_string(head_.number.value())});
  std::unique_lock write(state_mutex_);  // readers wait out the whole rollback
  L2_ASSERT(undo_.empty());              // flushed: every batch is durable
  auto corrupt = [](std::string what) { return EngineError{EngineErrorCode::corrupt, std::move(what)}; };
  // 1. The state as of n, on a copy: until the database has moved, memory stays what is
  //    durable, so a failure here changes nothing (and readers never see a state that is
  //    half reverted).
  State at_n = state_;
  for (std::uint64_t b = head_.number.value(); b > n.value(); --b) {
    auto stored = store_->batch(BatchNumber(b), kChangesOnly);
    if (!stored) return make_error(from_store(stored.error()));
    if (!*stored) return make_error(corrupt("batch " + std::to_string(b) + " is missing"));
    auto flags = decode_change_indices((*stored)->changes);
    if (!flags) return make_error(corrupt("diff of batch " + std::to_string(b) + " is malformed"));
    std::uint32_t created = 0;
    for (const auto& f : *flags) created += f.second ? 1 : 0;
    auto changes = decode_changes((*stored)->changes, at_n.accounts().first(at_n.size() - created));
    if (!changes) return make_error(corrupt("diff of batch " + std::to_string(b) + " is malformed"));
    at_n.revert(*changes);
  }
  auto target = store_->header(n);
  if (!target) return make_error(from_store(target.error()));
  if (!*target) return make_error(corrupt("batch " + std::to_string(n.value()) + " header is missing"));
  SparseMerkleTree tree_at_n;
  build_tree(tree_at_n, at_n, pool_);
  if (tree_at_n.root() != (*target)->state_root)
    return make_error(corrupt("the state that reverting the diffs gives differs from batch " +
                              std::to_string(n.value()) + "'s root"));
  // 2. The database, in one transaction. A failure leaves it as it was, and memory with
  //    it; the engine is poisoned all the same (the owner reopens it).
  auto fail = [&](EngineError e) -> Status<EngineError> {
    poisoned_ = e;
    is_poisoned_ = true;
    return make_error(std::move(e));
  };
  if (auto s = store_->rollback_to(n, at_n, record); !s) return fail(from_store(s.error()));
  // 3. The database is at n: so is memory from here on, whatever follows, with the state
  //    checked against n's root above.
  state_ = std::move(at_n);
  tree_ = std::move(tree_at_n);
  head_ = **target;
  durable_number_ = n.value();
  pending_.clear();
  // Reload, so that the pending diffs and checkpoint count are exactly what a restart
  // sees, and check that the database holds that state.
  auto loaded = store_->load();
  if (!loaded) return fail(from_store(loaded.error()));
  if (loaded->head != head_ || !std::equal(loaded->state.accounts().begin(), loaded->state.accounts().end(),
                                           state_.accounts().begin(), state_.accounts().end()))
    return fail(corrupt("the database after the rollback does not hold batch " + std::to_string(n.value()) +
                        "'s state"));
  pending_ = std::move(loaded->pending);
  batches_since_checkpoint_ = static_cast<std::uint32_t>(head_.number.value() - loaded->checkpoint.value());
  return {};
}

}  // namespace l2::rollup
