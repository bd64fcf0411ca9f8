// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
#include "sequencer/node.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "common/assert.hpp"
#include "rollup/history.hpp"

namespace l2::sequencer {

namespace {

constexpr std::size_t kMaxDroppedRemembered = 100000;
constexpr auto kIdleTick = std::chrono::milliseconds(100);

// The blobs each read needs (only rollbacks, in the engine, read the account changes).
constexpr rollup::BatchParts kOriginOnly{
    .txs = false, .receipts = false, .changes = false, .witnesses = false, .origin = true};
constexpr rollup::BatchParts kTxsAndReceipts{
    .txs = true, .receipts = true, .changes = false, .witnesses = false, .origin = false};
constexpr rollup::BatchParts kTxsOnly{
    .txs = true, .receipts = false, .changes = false, .witnesses = false, .origin = false};
constexpr rollup::BatchParts kTxsAndWitnesses{
    .txs = true, .receipts = false, .changes = false, .witnesses = true, .origin = false};

ReceiptCode to_receipt(AddResult r) {
  switch (r) {
    case AddResult::added:
      return ReceiptCode::pending;
    case AddResult::duplicate:
      return ReceiptCode::duplicate;
    case AddResult::nonce_too_low:
      return ReceiptCode::nonce_too_low;
    case AddResult::nonce_too_high:
      return ReceiptCode::nonce_too_high;
    case AddResult::nonce_in_use:
      return ReceiptCode::nonce_in_use;
    case AddResult::mempool_full:
      return ReceiptCode::mempool_full;
  }
  return ReceiptCode::pending;
}

// What ingest needs to know about a tx's accounts, read from the executed state.
struct AccountSnapshot {
  bool sender_exists = false;
  bool recipient_exists = true;
  Nonce nonce;
  PublicKey key;
};

TxReceipt receipt_of(const Hash32& hash, ReceiptCode status) {
  TxReceipt r;
  r.hash = hash;
  r.status = status;
  return r;
}

void run_all(const std::vector<std::function<void()>>& fns) {
  for (const auto& fn : fns)
    if (fn) fn();
}

// Where a tx of a rolled-back batch came from (RolledBackTx::source).
enum class RolledSource : std::uint8_t { user = 0, deposit = 1, forced = 2 };

}  // namespace

std::string_view to_string(ReorgNote::Outcome o) {
  switch (o) {
    case ReorgNote::Outcome::pending:
      return "pending";
    case ReorgNote::Outcome::reapplied:
      return "reapplied";
    case ReorgNote::Outcome::rejected:
      return "rejected";
    case ReorgNote::Outcome::dropped:
      return "dropped";
  }
  return "pending";
}

// ---- WaitGroup ----

void WaitGroup::on_done(std::function<void()> fn) {
  std::unique_lock lock(mutex_);
  if (done_) {
    lock.unlock();
    fn();
    return;
  }
  notify_ = std::move(fn);
}

std::vector<TxReceipt> WaitGroup::snapshot() const {
  std::lock_guard lock(mutex_);
  return receipts_;
}

bool WaitGroup::failed() const {
  std::lock_guard lock(mutex_);
  return failed_;
}

std::function<void()> WaitGroup::resolve(std::size_t pos, const TxReceipt& r) {
  std::lock_guard lock(mutex_);
  if (done_ || pos >= receipts_.size() || receipts_[pos].status != ReceiptCode::pending) return {};
  receipts_[pos] = r;
  if (--remaining_ > 0) return {};
  done_ = true;
  return std::exchange(notify_, {});
}

std::function<void()> WaitGroup::give_up(bool failed) {
  std::lock_guard lock(mutex_);
  if (done_) return {};
  done_ = true;
  failed_ = failed;
  return std::exchange(notify_, {});
}

// ---- Node ----

Node::Node(const NodeOptions& options, std::unique_ptr<rollup::Engine> engine,
           std::unique_ptr<rollup::StateStore> reader, settlement::Settler* settler)
    : options_(options),
      engine_(std::move(engine)),
      settler_(settler),
      verify_pool_(options.threads == 0 ? std::max(1u, std::thread::hardware_concurrency())
                                        : options.threads),
      reader_(std::move(reader)),
      mempool_(options.mempool) {}

Result<std::unique_ptr<Node>, std::string> Node::open(const NodeOptions& options,
                                                      settlement::Settler* settler) {
  rollup::EngineOptions eo;
  eo.store.path = options.db_path;
  eo.store.chain_id = options.chain_id;
  eo.store.operator_key = options.operator_key;
  eo.threads = options.threads;
  auto engine = rollup::Engine::open(eo);
  if (!engine)
    return make_error("cannot open the rollup database " + options.db_path + ": " + engine.error().message);
  auto reader = rollup::StateStore::open(eo.store);
  if (!reader)
    return make_error("cannot open a reader on " + options.db_path + ": " + reader.error().message);
  std::unique_ptr<Node> node(new Node(options, std::move(*engine), std::move(*reader), settler));
  if (auto s = node->check_acked_head(); !s) return make_error(s.error());
  if (auto s = node->rebuild_index(); !s) return make_error(s.error());
  if (auto s = node->load_rolled_back(); !s) return make_error(s.error());
  node->metrics_.set_latest_batch(node->engine_->durable_head());
  if (const BatchNumber head = node->engine_->durable_head(); !settler && head.value() > 0) {
    // A database that settles keeps settling: batches made without the base chain (dev
    // deposits above all) could never be re-derived from it.
    std::lock_guard lock(node->reader_mutex_);
    auto stored = node->read_batch_locked(head, kOriginOnly);
    if (!stored || !*stored) return make_error("cannot read batch " + std::to_string(head.value()));
    if (!(*stored)->origin.empty())
      return make_error(
          std::string("this rollup database settles to a base chain; start sequencerd with --base-chain"));
  }
  if (settler) {
    settler->set_doorbell([n = node.get()] {
      std::lock_guard lock(n->mutex_);
      n->mark_work_locked();
    });
  }
  node->acker_ = std::thread([n = node.get()] { n->ack_loop(); });
  node->batcher_ = std::thread([n = node.get()] { n->batcher_loop(); });
  return node;
}

Node::~Node() { stop(); }

Status<std::string> Node::check_acked_head() {
  if (options_.acked_head_path.empty()) return {};
  auto file = AckedHeadFile::open(options_.acked_head_path);
  if (!file) return make_error(file.error());
  const std::string& path = options_.acked_head_path;
  const rollup::BatchHeader head = engine_->head();  // durable: nothing is in flight yet
  if (const auto& r = (*file)->record()) {
    const std::string said = path + " says batch " + std::to_string(r->batch.value()) + " (state root " +
                             r->state_root.hex() + ") was acknowledged";
    if (r->chain_id != options_.chain_id)
      return make_error(path + " belongs to chain id " + std::to_string(r->chain_id.value()) +
                        ", not to this rollup's " + std::to_string(options_.chain_id.value()));
    if (r->batch > head.number)
      return make_error(said + ", but " + options_.db_path + " ends at batch " +
                        std::to_string(head.number.value()) + ": acknowledged batches " +
                        std::to_string(head.number.value() + 1) + ".." + std::to_string(r->batch.value()) +
                        " are lost (a restored backup, a cut or damaged WAL?). Restore the database "
                        "that holds them; to start from batch " +
                        std::to_string(head.number.value()) + " anyway, accepting the loss, remove " + path +
                        " (docs/storage.md)");
    std::lock_guard lock(reader_mutex_);
    auto at = read_header_locked(r->batch);
    if (!at)
      return make_error("cannot read batch " + std::to_string(r->batch.value()) + ": " + at.error().message);
    if (!*at || (*at)->state_root != r->state_root)
      return make_error(said + ", but " + options_.db_path + " holds " +
                        (*at ? "state root " + (*at)->state_root.hex() : std::string("no such batch")) +
                        " there: the database is not the one those txs were acknowledged from. Restore "
                        "that one; to start with this database anyway, remove " +
                        path + " (docs/storage.md)");
  } else if (head.number.value() > 0) {
    spdlog::warn(
        "{} is new but {} holds {} batches (a data dir from before the record, or the file was "
        "removed): recording batch {} as the acknowledged head",
        path, options_.db_path, head.number.value(), head.number.value());
  }
  std::lock_guard lock(acked_mutex_);
  acked_ = std::move(*file);
  if (!acked_->record() || acked_->record()->batch != head.number ||
      acked_->record()->state_root != head.state_root)
    if (auto w = acked_->write(AckedHead{options_.chain_id, head.number, head.state_root}); !w)
      return make_error(w.error());
  return {};
}

void Node::record_acked(BatchNumber n, const Hash32& root) {
  std::lock_guard lock(acked_mutex_);
  if (!acked_) return;
  // The batch is durable in rollup.db either way; without the record a later loss of it
  // could not be told at start, so say so loudly.
  if (auto w = acked_->write(AckedHead{options_.chain_id, n, root}); !w)
    spdlog::error("cannot record batch {} as acknowledged: {}", n.value(), w.error());
}

Status<std::string> Node::index_stored_locked(std::uint64_t n, std::optional<DepositPosition>* max_deposit,
                                              std::vector<Hash32>* hashes) {
  auto stored = read_batch_locked(BatchNumber(n), kTxsAndReceipts);
  if (!stored) return make_error("cannot read batch " + std::to_string(n) + ": " + stored.error().message);
  if (!*stored) return make_error("batch " + std::to_string(n) + " is missing from the database");
  auto receipts = rollup::decode_receipts((*stored)->receipts);
  auto txs = rollup::decode_txs((*stored)->txs);
  if (!receipts || !txs || receipts->size() != txs->size())
    return make_error("batch " + std::to_string(n) + " has malformed txs or receipts");
  for (std::size_t i = 0; i < receipts->size(); ++i) {
    index_locked((*receipts)[i].tx_hash, TxLocation{n, static_cast<std::uint32_t>(i), (*receipts)[i].status});
    if (const auto* w = std::get_if<rollup::Withdraw>(&(*txs)[i]);
        w && (*receipts)[i].status == rollup::TxStatus::applied)
      withdrawals_[w->from].push_back((*receipts)[i].tx_hash);
    if (const auto* d = std::get_if<rollup::Deposit>(&(*txs)[i]); d && max_deposit)
      *max_deposit = std::max(max_deposit->value_or(d->deposit_id), d->deposit_id);
    if (hashes) hashes->push_back((*receipts)[i].tx_hash);
  }
  return {};
}

Status<std::string> Node::rebuild_index() {
  const std::uint64_t head = engine_->durable_head().value();
  std::optional<DepositPosition> max_deposit;
  std::lock_guard lock(reader_mutex_);
  std::unique_lock idx(index_mutex_);
  for (std::uint64_t n = 1; n <= head; ++n)
    if (auto s = index_stored_locked(n, &max_deposit); !s) return s;
  const std::size_t indexed = index_.size();
  idx.unlock();  // lock order: mutex_, then index_mutex_
  std::lock_guard state(mutex_);
  const auto next_deposit = max_deposit ? max_deposit->checked_add(1) : DepositPosition(0);
  if (!next_deposit) return make_error(std::string("a stored deposit has the last possible deposit id"));
  next_deposit_id_ = *next_deposit;
  spdlog::info("loaded {} batches, {} txs indexed, next dev deposit id {}", head, indexed,
               next_deposit_id_.value());
  return {};
}

Status<std::string> Node::load_rolled_back() {
  std::vector<rollup::RolledBackTx> rows;
  {
    std::lock_guard lock(reader_mutex_);
    auto r = reader_->rolled_back_txs();
    if (!r) return make_error("cannot read the rolled-back txs: " + r.error().message);
    rows = std::move(*r);
  }
  std::size_t queued = 0;
  {
    std::lock_guard lock(mutex_);
    const auto now = Clock::now();
    for (auto& row : rows) {
      bool done = false;
      {
        std::shared_lock idx(index_mutex_);
        auto it = index_.find(row.hash);
        done = it != index_.end() && it->second.batch > row.rolled_back_to.value();
      }
      if (!done && row.reason.empty() && row.source == static_cast<std::uint8_t>(RolledSource::user)) {
        auto tx = rollup::decode_tx(ByteView(row.tx));
        if (!tx) return make_error("a rolled-back tx in the database is malformed (" + row.hash.hex() + ")");
        reinject_.push_back(PendingTx{std::move(*tx), row.hash, rollup::SigCheck::unchecked, now});
        reinject_hashes_.insert(row.hash);
        ++queued;
      }
      rolled_back_.insert_or_assign(row.hash, std::move(row));
    }
    if (queued > 0) mark_work_locked();
  }
  if (queued > 0 && settler_) {
    // A reorg was under way when the process stopped: finish it. No batch is made before
    // the base chain's queues are fetched again (the entries that forced the reorg first).
    const BatchNumber head = engine_->durable_head();
    settlement::BatchOrigin origin;
    if (head.value() > 0) {
      std::lock_guard lock(reader_mutex_);
      auto stored = read_batch_locked(head, kOriginOnly);
      if (!stored || !*stored) return make_error("cannot read batch " + std::to_string(head.value()));
      auto o = settlement::decode_origin((*stored)->origin);
      if (!o) return make_error("batch " + std::to_string(head.value()) + " has a malformed origin record");
      origin = *o;
    }
    settler_->reorged(head, origin);
  }
  if (queued > 0) spdlog::info("settlement reorg: {} rolled-back txs to execute again", queued);
  return {};
}

ReorgNote Node::note_of(const rollup::RolledBackTx& row, const std::optional<TxLocation>& loc) const {
  ReorgNote n;
  n.from_batch = row.old_batch;
  n.from_index = row.old_index;
  n.rolled_back_to = row.rolled_back_to;
  if (loc && loc->batch > row.rolled_back_to.value()) {
    n.outcome = loc->status == rollup::TxStatus::applied ? ReorgNote::Outcome::reapplied
                                                         : ReorgNote::Outcome::rejected;
    if (loc->status != rollup::TxStatus::applied) n.reason = std::string(rollup::to_string(loc->status));
  } else if (!row.reason.empty()) {
    n.outcome = ReorgNote::Outcome::dropped;
    n.reason = row.reason;
  }
  return n;
}

ReorgStats Node::reorg_stats() const {
  return ReorgStats{reorgs_.load(), reexecuted_.load(), reorg_dropped_.load(), catch_ups_.load(),
                    caught_up_batches_.load()};
}

bool Node::healthy() const { return accepting_.load() && !failed_.load() && !engine_->poisoned(); }

std::optional<std::string> Node::damage() const {
  std::lock_guard lock(damage_mutex_);
  return damage_;
}

void Node::note_damage(const rollup::StoreError& e) {
  if (e.code != rollup::StoreErrorCode::corrupt) return;
  std::lock_guard lock(damage_mutex_);
  if (damage_) return;
  spdlog::critical("rollup.db: {}; reads of it answer 503", e.message);
  damage_ = e.message;
  metrics_.set_storage_damaged();
}

Result<std::optional<rollup::StoredBatch>, rollup::StoreError> Node::read_batch_locked(
    BatchNumber n, rollup::BatchParts parts) {
  auto b = reader_->batch(n, parts);
  if (!b) note_damage(b.error());
  return b;
}

Result<std::optional<rollup::BatchHeader>, rollup::StoreError> Node::read_header_locked(BatchNumber n) {
  auto h = reader_->header(n);
  if (!h) note_damage(h.error());
  return h;
}

void Node::mark_work_locked() {
  if (!has_work_) {
    has_work_ = true;
    window_start_ = Clock::now();
  }
  work_cv_.notify_all();
}

Result<std::shared_ptr<WaitGroup>, ApiError> Node::submit(std::vector<TxRequest> txs,
                                                          const SubmitOptions& opts) {
  if (!healthy())
    return make_error(
        ApiError{ErrorCode::unavailable, "the sequencer is shutting down or its storage failed"});
  if (settler_)
    if (auto why = settler_->diverged()) return make_error(ApiError{ErrorCode::unavailable, *why});
  const std::size_t n = txs.size();
  std::vector<TxReceipt> receipts(n);
  for (std::size_t i = 0; i < n; ++i) receipts[i].hash = rollup::tx_hash(txs[i].chain_id, txs[i].tx);

  // The executed state, not the durable one: its nonces are the ones the next batch
  // continues from, and reading it never waits for a commit. (A tx is still only
  // acknowledged once its own batch is durable.)
  std::vector<AccountSnapshot> snap(n);
  engine_->read_executed(
      [&](const rollup::State& state, const SparseMerkleTree&, const rollup::BatchHeader&) {
        for (std::size_t i = 0; i < n; ++i) {
          auto [sender, nonce] = sender_and_nonce(txs[i].tx);
          (void)nonce;
          snap[i].sender_exists = state.contains(sender);
          if (snap[i].sender_exists) {
            snap[i].nonce = state.at(sender).nonce;
            snap[i].key = state.at(sender).pubkey;
          }
          if (const auto* t = std::get_if<rollup::Transfer>(&txs[i].tx))
            snap[i].recipient_exists = state.contains(t->to);
        }
      });

  // Checks that need no lock; a refusal here is final.
  auto refuse_single = [&](std::size_t i, ErrorCode code, std::string message) {
    metrics_.tx_rejected(to_string(receipts[i].status));
    return make_error(ApiError{code, std::move(message)});
  };
  for (std::size_t i = 0; i < n; ++i) {
    auto [sender, nonce] = sender_and_nonce(txs[i].tx);
    if (txs[i].chain_id != options_.chain_id) {
      receipts[i].status = ReceiptCode::wrong_chain;
      if (opts.single)
        return refuse_single(i, ErrorCode::wrong_chain,
                             "chain_id " + std::to_string(txs[i].chain_id.value()) +
                                 " is not this sequencer's (" + std::to_string(options_.chain_id.value()) +
                                 ")");
    } else if (!snap[i].sender_exists || !snap[i].recipient_exists) {
      receipts[i].status = ReceiptCode::unknown_account_at_ingest;
      if (opts.single) {
        const auto* t = std::get_if<rollup::Transfer>(&txs[i].tx);
        const std::uint32_t missing = !snap[i].sender_exists ? sender.value() : t->to.value();
        return refuse_single(i, ErrorCode::unknown_account,
                             "account " + std::to_string(missing) + " does not exist");
      }
    }
  }
  // Every signature that passed the cheap checks, verified once, here, in parallel. A
  // forged tx never reaches the mempool, so it can't hold its sender's next nonce.
  std::vector<rollup::SigCheck> sigs(n, rollup::SigCheck::unchecked);
  verify_pool_.parallel_for(n, 16, [&](std::size_t b, std::size_t e) {
    for (std::size_t i = b; i < e; ++i)
      if (receipts[i].status == ReceiptCode::pending)
        sigs[i] = rollup::verify_tx_signature(txs[i].tx, options_.chain_id, snap[i].key)
                      ? rollup::SigCheck::valid
                      : rollup::SigCheck::invalid;
  });
  for (std::size_t i = 0; i < n; ++i) {
    if (sigs[i] != rollup::SigCheck::invalid) continue;
    receipts[i].status = ReceiptCode::bad_signature;
    if (opts.single)
      return refuse_single(i, ErrorCode::bad_signature,
                           "signature does not verify for account " +
                               std::to_string(sender_and_nonce(txs[i].tx).first.value()));
  }

  std::shared_ptr<WaitGroup> group;
  std::size_t accepted = 0;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return make_error(ApiError{ErrorCode::unavailable, "the sequencer is shutting down"});
    const auto now = Clock::now();
    for (std::size_t i = 0; i < n; ++i) {
      if (receipts[i].status != ReceiptCode::pending) continue;
      bool committed = reinject_hashes_.contains(receipts[i].hash);  // to execute again after a reorg
      if (!committed) {
        std::shared_lock idx(index_mutex_);
        committed = index_.contains(receipts[i].hash);
      }
      AddResult r = committed
                        ? AddResult::duplicate
                        : mempool_.add(PendingTx{txs[i].tx, receipts[i].hash, sigs[i], now}, snap[i].nonce);
      receipts[i].status = to_receipt(r);
      if (r == AddResult::added) ++accepted;
    }
    if (opts.single && receipts[0].status != ReceiptCode::pending) {
      auto [sender, nonce] = sender_and_nonce(txs[0].tx);
      const std::string who = "account " + std::to_string(sender.value());
      const std::string nonce_s = std::to_string(nonce.value());
      const std::string have = std::to_string(snap[0].nonce.value());
      std::string msg;
      switch (receipts[0].status) {
        case ReceiptCode::duplicate:
          msg = "tx " + receipts[0].hash.hex() + " is already pending or committed";
          break;
        case ReceiptCode::nonce_too_low:
          msg = "nonce " + nonce_s + " is below " + who + "'s nonce " + have;
          break;
        case ReceiptCode::nonce_too_high:
          msg = "nonce " + nonce_s + " is more than " + std::to_string(options_.mempool.max_ahead) +
                " above " + who + "'s nonce " + have;
          break;
        case ReceiptCode::nonce_in_use:
          msg = "another pending tx of " + who + " has nonce " + nonce_s;
          break;
        default:
          msg = "the mempool holds " + std::to_string(options_.mempool.max_txs) + " txs; retry later";
          break;
      }
      metrics_.tx_rejected(to_string(receipts[0].status));
      return make_error(ApiError{*ingest_error(receipts[0].status), std::move(msg)});
    }
    group = std::make_shared<WaitGroup>(receipts, opts.watch ? accepted : 0);
    if (opts.watch) {
      for (std::size_t i = 0; i < n; ++i)
        if (receipts[i].status == ReceiptCode::pending) waiters_[receipts[i].hash].emplace_back(group, i);
    }
    if (accepted > 0) mark_work_locked();
    metrics_.set_mempool_depth(mempool_.size() + deposits_pending_.size());
  }
  metrics_.txs_accepted(accepted);
  for (const auto& r : receipts)
    if (r.status != ReceiptCode::pending) metrics_.tx_rejected(to_string(r.status));
  return group;
}

Result<std::shared_ptr<WaitGroup>, ApiError> Node::deposit(const std::vector<DepositRequest>& deposits) {
  if (!healthy())
    return make_error(
        ApiError{ErrorCode::unavailable, "the sequencer is shutting down or its storage failed"});
  std::lock_guard lock(mutex_);
  if (stopping_) return make_error(ApiError{ErrorCode::unavailable, "the sequencer is shutting down"});
  if (deposits_pending_.size() + deposits.size() > options_.mempool.max_txs)
    return make_error(ApiError{ErrorCode::mempool_full, "too many deposits are pending; retry later"});
  // Without a base chain the node is the bridge: it assigns each deposit the index its
  // key has (or the next free one) and never lets the rollup hold more than 2^64 - 1,
  // which the engine requires of every batch (docs/executor.md, "Supply").
  std::vector<AccountIndex> indices(deposits.size());
  {
    bool supply_ok = true;
    engine_->read_executed(
        [&](const rollup::State& state, const SparseMerkleTree&, const rollup::BatchHeader&) {
          Amount supply = state.supply();
          for (const auto& [hash, pending] : deposits_pending_) {
            const auto* d = std::get_if<rollup::Deposit>(&pending);  // (forced txs credit nothing)
            if (d == nullptr) continue;
            auto raised = supply.checked_add(d->amount);
            supply_ok = supply_ok && raised.has_value();
            if (raised) supply = *raised;
          }
          dev_next_index_ = std::max(dev_next_index_, state.size());
          for (std::size_t i = 0; i < deposits.size(); ++i) {
            auto raised = supply.checked_add(deposits[i].amount);
            supply_ok = supply_ok && raised.has_value();
            if (raised) supply = *raised;
            if (auto found = state.find(deposits[i].public_key)) {
              indices[i] = *found;
            } else if (auto it = dev_keys_.find(deposits[i].public_key); it != dev_keys_.end()) {
              indices[i] = it->second;
            } else {
              indices[i] = AccountIndex(dev_next_index_++);
              dev_keys_.emplace(deposits[i].public_key, indices[i]);
            }
          }
        });
    if (!supply_ok)
      return make_error(ApiError{ErrorCode::bad_request,
                                 "the deposits would take the rollup's total supply past "
                                 "2^64 - 1"});
  }
  if (!next_deposit_id_.checked_add(deposits.size()))
    return make_error(ApiError{ErrorCode::bad_request, "the dev deposit ids are used up"});
  std::vector<TxReceipt> receipts(deposits.size());
  const auto now = Clock::now();
  for (std::size_t i = 0; i < deposits.size(); ++i) {
    rollup::Tx tx = rollup::Deposit{next_deposit_id_, indices[i], deposits[i].public_key, deposits[i].amount};
    next_deposit_id_ = DepositPosition(next_deposit_id_.value() + 1);  // checked above
    receipts[i].hash = rollup::tx_hash(options_.chain_id, tx);
    deposits_pending_.emplace(receipts[i].hash, tx);
    deposits_.push_back(PendingTx{std::move(tx), receipts[i].hash, rollup::SigCheck::unchecked, now});
  }
  auto group = std::make_shared<WaitGroup>(receipts, receipts.size());
  for (std::size_t i = 0; i < receipts.size(); ++i) waiters_[receipts[i].hash].emplace_back(group, i);
  if (!receipts.empty()) mark_work_locked();
  return group;
}

void Node::resolve_locked(const Hash32& hash, const TxReceipt& r, Notifications& out) {
  auto it = waiters_.find(hash);
  if (it == waiters_.end()) return;
  for (auto& [group, pos] : it->second)
    if (auto fn = group->resolve(pos, r)) out.push_back(std::move(fn));
  waiters_.erase(it);
}

void Node::drop_expired_locked(Notifications& out) {
  // Diverged from the base chain: no batch will close again, so every tx waiting in the
  // mempool is dropped now (never acknowledged) rather than left pending until a restart.
  const bool diverged = settler_ && settler_->is_diverged();
  auto expired = diverged ? mempool_.clear_queued() : mempool_.expire(Clock::now());
  if (diverged && !expired.empty())
    spdlog::warn("dropped the {} txs waiting in the mempool: this node diverged from the base chain",
                 expired.size());
  for (auto& p : expired) {
    resolve_locked(p.hash, receipt_of(p.hash, ReceiptCode::dropped), out);
    dropped_.emplace(p.hash, std::move(p.tx));
    dropped_order_.push_back(p.hash);
    if (dropped_order_.size() > kMaxDroppedRemembered) {
      dropped_.erase(dropped_order_.front());
      dropped_order_.pop_front();
    }
  }
  if (!expired.empty()) {
    metrics_.tx_rejected("dropped", expired.size());
    spdlog::debug("dropped {} txs held longer than {} ms", expired.size(), options_.mempool.max_hold_ms);
  }
}

void Node::batcher_loop() {
  const auto max_delay = std::chrono::milliseconds(options_.batch.max_delay_ms);
  const std::size_t max_txs = std::max<std::size_t>(1, options_.batch.max_txs);
  std::unique_lock lock(mutex_);
  for (;;) {
    work_cv_.wait_for(lock, kIdleTick, [&] { return stopping_ || has_work_; });
    Notifications notes;
    drop_expired_locked(notes);
    if (!notes.empty()) {
      lock.unlock();
      run_all(notes);
      lock.lock();
    }
    if (!has_work_) {
      if (stopping_) break;
      continue;
    }
    if (!stopping_) {
      // The batch window: close at the size limit or max_delay after its first tx.
      work_cv_.wait_until(lock, window_start_ + max_delay, [&] {
        return stopping_ || mempool_.queued() + deposits_.size() + reinject_.size() +
                                    (settler_ ? settler_->queued() : 0) >=
                                max_txs;
      });
    }
    if (failed_.load()) {
      has_work_ = false;  // nothing can be committed any more
      if (stopping_) break;
      continue;
    }
    if (settler_) {
      if (auto target = settler_->reorg_wanted()) {
        lock.unlock();
        run_reorg(*target);
        lock.lock();
        continue;
      }
      if (auto target = settler_->catch_up_wanted()) {
        lock.unlock();
        run_catch_up(*target);
        lock.lock();
        continue;
      }
      if (!settler_->queues_caught_up()) {
        // After a reorg: the first batch must start with the queue entries that forced it.
        if (stopping_) break;
        work_cv_.wait_for(lock, kIdleTick, [&] { return stopping_; });
        continue;
      }
    }
    if (settler_ && settler_->holding(engine_->head().number)) {
      // The base chain is this far behind: stop closing batches (the mempool fills and
      // ingest answers 503) until the poster catches up.
      if (!backlog_warned_)
        spdlog::warn("settlement: {} batches not yet on the base chain; holding new batches",
                     settler_->options().max_unposted_batches);
      backlog_warned_ = true;
      if (stopping_) break;
      work_cv_.wait_for(lock, kIdleTick, [&] { return stopping_; });
      continue;
    }
    backlog_warned_ = false;
    rollup::BatchInput input;
    if (settler_) {
      // Base-chain queue entries go first, deposits then forced txs, in queue order;
      // the origin record says which (docs/settlement.md).
      settlement::QueueTake q = settler_->take_for_batch(max_txs);
      for (std::size_t i = 0; i < q.txs.size(); ++i) deposits_pending_.emplace(q.hashes[i], q.txs[i]);
      input.txs = std::move(q.txs);
      input.hashes = std::move(q.hashes);
      input.origin = std::move(q.origin);
    }
    // User txs of rolled-back batches, in their old order, right after the queue
    // entries; a sender's mempool txs continue from the nonce they leave.
    std::unordered_map<std::uint32_t, Nonce> reinjected_next;
    while (!reinject_.empty() && input.txs.size() < max_txs) {
      PendingTx& p = reinject_.front();
      auto [sender, nonce] = sender_and_nonce(p.tx);
      reinjected_next[sender.value()] = Nonce(nonce.value() + 1);
      input.txs.push_back(std::move(p.tx));
      input.hashes.push_back(p.hash);
      reinject_.pop_front();
    }
    while (!deposits_.empty() && input.txs.size() < max_txs) {
      input.txs.push_back(std::move(deposits_.front().tx));
      input.hashes.push_back(deposits_.front().hash);
      deposits_.pop_front();
    }
    const rollup::State& state = engine_->state();  // the batcher is the engine's owner
    auto taken = mempool_.take(max_txs - input.txs.size(), [&](AccountIndex s) {
      const Nonce executed = state.contains(s) ? state.at(s).nonce : Nonce(0);
      auto r = reinjected_next.find(s.value());
      return r != reinjected_next.end() && executed < r->second ? r->second : executed;
    });
    if (!taken.empty()) input.sigs.assign(input.txs.size(), rollup::SigCheck::unchecked);
    for (auto& p : taken) {
      input.txs.push_back(std::move(p.tx));
      input.sigs.push_back(p.sig);
      input.hashes.push_back(p.hash);
    }
    has_work_ = !input.txs.empty() && (mempool_.queued() > 0 || !deposits_.empty() || !reinject_.empty() ||
                                       (settler_ && settler_->queued() > 0));
    if (has_work_) window_start_ = Clock::now();
    if (input.txs.empty()) {
      if (stopping_) break;
      continue;  // only held txs: wait for their predecessors
    }
    lock.unlock();
    submit_batch(std::move(input));
    lock.lock();
  }
}

void Node::submit_batch(rollup::BatchInput input) {
  {
    std::unique_lock lock(ack_mutex_);
    ack_cv_.wait(lock, [&] { return in_flight_count_ < std::max(1u, options_.batch.max_in_flight); });
  }
  std::vector<std::pair<std::size_t, AccountIndex>> withdrawals;
  for (std::size_t i = 0; i < input.txs.size(); ++i)
    if (const auto* w = std::get_if<rollup::Withdraw>(&input.txs[i])) withdrawals.emplace_back(i, w->from);
  input.timestamp_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
  std::vector<Hash32> hashes = input.hashes;  // the engine takes them as the receipts' hashes
  auto ack = engine_->submit(std::move(input));
  {
    std::lock_guard lock(ack_mutex_);
    in_flight_.push_back(InFlight{std::move(ack), std::move(hashes), std::move(withdrawals)});
    ++in_flight_count_;
  }
  ack_cv_.notify_all();
}

void Node::ack_loop() {
  for (;;) {
    InFlight f;
    {
      std::unique_lock lock(ack_mutex_);
      ack_cv_.wait(lock, [&] { return ack_stop_ || !in_flight_.empty(); });
      if (in_flight_.empty()) return;
      f = std::move(in_flight_.front());
      in_flight_.pop_front();
    }
    auto result = f.ack.get();
    if (result) {
      on_committed(f, *result);
    } else {
      on_failed(f, result.error());
    }
    {
      std::lock_guard lock(ack_mutex_);
      --in_flight_count_;
    }
    ack_cv_.notify_all();
  }
}

void Node::index_locked(const Hash32& hash, const TxLocation& loc) {
  auto [it, fresh] = index_.try_emplace(hash, loc);
  if (fresh) return;
  // One true receipt per hash: the applied copy (there is at most one: it took the
  // nonce), else the first; every other copy is a duplicate.
  std::vector<TxLocation>& others = duplicates_[hash];
  if (loc.status == rollup::TxStatus::applied && it->second.status != rollup::TxStatus::applied) {
    others.push_back(it->second);
    it->second = loc;
  } else {
    others.push_back(loc);
  }
}

void Node::run_reorg(BatchNumber target) {
  auto give_up = [&](const std::string& why) {
    // Nothing can be settled honestly any more: stop acknowledging.
    if (!failed_.exchange(true))
      spdlog::critical("settlement reorg failed; refusing writes from now on: {}", why);
  };
  // Every batch submitted so far durable and indexed, before anything is read or undone.
  if (auto f = engine_->flush(); !f) return give_up(f.error().message);
  {
    std::unique_lock lock(ack_mutex_);
    ack_cv_.wait(lock, [&] { return in_flight_count_ == 0; });
  }
  const BatchNumber head = engine_->head().number;
  if (target > head) target = head;  // (the chain never holds more: refused at start)
  settlement::BatchOrigin origin;    // the target's (zeros for genesis)
  std::vector<rollup::RolledBackTx> rows;
  std::vector<std::pair<Hash32, AccountIndex>> withdrawals;  // applied withdrawals rolled back
  {
    std::lock_guard lock(reader_mutex_);
    auto read = [&](std::uint64_t n) -> Result<rollup::StoredBatch, std::string> {
      auto stored = read_batch_locked(BatchNumber(n));
      if (!stored) return make_error(stored.error().message);
      if (!*stored) return make_error("batch " + std::to_string(n) + " is missing");
      return std::move(**stored);
    };
    if (target.value() > 0 && target <= head) {
      auto b = read(target.value());
      if (!b) return give_up(b.error());
      auto o = settlement::decode_origin(b->origin);
      if (!o) return give_up("batch " + std::to_string(target.value()) + " has a malformed origin record");
      origin = *o;
    }
    for (std::uint64_t n = target.value() + 1; n <= head.value(); ++n) {
      auto b = read(n);
      if (!b) return give_up(b.error());
      auto txs = rollup::decode_txs(b->txs);
      auto receipts = rollup::decode_receipts(b->receipts);
      auto o = settlement::decode_origin(b->origin);
      if (!txs || !receipts || !o || txs->size() != receipts->size())
        return give_up("batch " + std::to_string(n) + " has malformed txs, receipts or origin");
      const std::uint64_t deposits = o->deposit_count();
      const std::uint64_t queued = deposits + o->forced_count();
      for (std::size_t i = 0; i < txs->size(); ++i) {
        const rollup::Receipt& r = (*receipts)[i];
        rollup::RolledBackTx row;
        row.hash = r.tx_hash;
        row.tx = rollup::encode_tx((*txs)[i]);
        row.old_batch = BatchNumber(n);
        row.old_index = static_cast<std::uint32_t>(i);
        row.rolled_back_to = target;
        const RolledSource source = i < deposits ? RolledSource::deposit
                                    : i < queued ? RolledSource::forced
                                                 : RolledSource::user;
        row.source = static_cast<std::uint8_t>(source);
        // A user tx the rollup rejected is not executed again: it changed nothing, and
        // its sender was told so. Queue entries come back through the base chain.
        if (source == RolledSource::user && r.status != rollup::TxStatus::applied)
          row.reason = std::string(rollup::to_string(r.status));
        if (const auto* w = std::get_if<rollup::Withdraw>(&(*txs)[i]);
            w && r.status == rollup::TxStatus::applied)
          withdrawals.emplace_back(r.tx_hash, w->from);
        rows.push_back(std::move(row));
      }
    }
  }
  const std::size_t from_batches = rows.size();
  {
    // User txs of an earlier reorg not executed yet come after these, in their order.
    std::lock_guard lock(mutex_);
    for (const PendingTx& p : reinject_)
      if (auto it = rolled_back_.find(p.hash); it != rolled_back_.end()) rows.push_back(it->second);
  }
  {
    // The record goes back first: a crash between the two leaves a record that the
    // (not yet rolled back) database still holds.
    std::unique_lock lock(reader_mutex_);
    auto h = read_header_locked(target);
    lock.unlock();
    if (!h) return give_up(h.error().message);
    if (!*h) return give_up("batch " + std::to_string(target.value()) + " is missing");
    record_acked(target, (*h)->state_root);
  }
  if (auto s = engine_->rollback_to(target, rows); !s) return give_up(s.error().message);
  {
    // The index forgets the rolled-back batches: a lookup says pending, then the new receipt.
    std::unique_lock idx(index_mutex_);
    for (std::size_t k = 0; k < from_batches; ++k) {
      const Hash32& h = rows[k].hash;
      auto it = index_.find(h);
      const bool gone = it != index_.end() && it->second.batch > target.value();
      if (gone) index_.erase(it);
      if (auto d = duplicates_.find(h); d != duplicates_.end()) {
        std::erase_if(d->second, [&](const TxLocation& l) { return l.batch > target.value(); });
        if (gone && !d->second.empty()) {
          auto best = std::find_if(d->second.begin(), d->second.end(),
                                   [](const TxLocation& l) { return l.status == rollup::TxStatus::applied; });
          if (best == d->second.end()) best = d->second.begin();
          index_.emplace(h, *best);
          d->second.erase(best);
        }
        if (d->second.empty()) duplicates_.erase(d);
      }
    }
    for (const auto& [h, from] : withdrawals) {
      auto it = index_.find(h);
      if (it != index_.end() && it->second.status == rollup::TxStatus::applied) continue;
      if (auto w = withdrawals_.find(from); w != withdrawals_.end()) std::erase(w->second, h);
    }
  }
  std::uint64_t requeued = 0;
  std::uint64_t dropped = 0;
  {
    std::lock_guard lock(mutex_);
    reinject_.clear();
    reinject_hashes_.clear();
    const auto now = Clock::now();
    for (auto& row : rows) {
      if (row.source == static_cast<std::uint8_t>(RolledSource::user)) {
        if (row.reason.empty()) {
          auto tx = rollup::decode_tx(ByteView(row.tx));
          L2_ASSERT(static_cast<bool>(tx));  // encoded above, or loaded and checked at start
          reinject_.push_back(PendingTx{std::move(*tx), row.hash, rollup::SigCheck::unchecked, now});
          reinject_hashes_.insert(row.hash);
          ++requeued;
        } else {
          ++dropped;
        }
      }
      rolled_back_.insert_or_assign(row.hash, std::move(row));
    }
    mark_work_locked();
  }
  reorgs_.fetch_add(1);
  reexecuted_.fetch_add(requeued);
  reorg_dropped_.fetch_add(dropped);
  metrics_.set_latest_batch(target);
  spdlog::warn(
      "settlement reorg: rolled back batches {}..{} to batch {}; {} user txs to execute again, {} not",
      target.value() + 1, head.value(), target.value(), requeued, dropped);
  if (options_.test_reorg_pause_ms > 0)
    std::this_thread::sleep_for(std::chrono::milliseconds(options_.test_reorg_pause_ms));
  settler_->reorged(target, origin);
}

void Node::run_catch_up(BatchNumber target) {
  // Every batch submitted so far durable and indexed first: the derivation continues from
  // the durable head (a batch of this node's own after the head the chain built on does
  // not derive: diverged).
  if (auto f = engine_->flush(); !f) {
    if (!failed_.exchange(true))
      spdlog::critical("catching up with the base chain failed; refusing writes from now on: {}",
                       f.error().message);
    return;
  }
  {
    std::unique_lock lock(ack_mutex_);
    ack_cv_.wait(lock, [&] { return in_flight_count_ == 0; });
  }
  std::uint64_t derived = 0;
  auto each = [&](const rollup::BatchHeader& h) {
    ++derived;
    caught_up_batches_.fetch_add(1);
    record_acked(h.number, h.state_root);
    Status<std::string> indexed;
    std::vector<Hash32> hashes;
    {
      std::lock_guard lock(reader_mutex_);
      std::unique_lock idx(index_mutex_);
      indexed = index_stored_locked(h.number.value(), nullptr, &hashes);
    }
    if (!indexed) {
      spdlog::error("indexing re-derived batch {}: {}", h.number.value(), indexed.error());
      return;
    }
    metrics_.set_latest_batch(h.number);
    // Txs of the chain's batch that were sent here too: done. A copy waiting in the
    // mempool leaves it, and whoever waits for one gets the receipt this node holds now.
    Notifications notes;
    {
      std::lock_guard lock(mutex_);
      std::shared_lock idx(index_mutex_);
      for (const Hash32& hash : hashes) {
        mempool_.remove_queued(hash);
        const TxLocation& loc = index_.at(hash);  // this batch's, unless an applied copy came first
        if (loc.batch != h.number.value() || !waiters_.contains(hash)) continue;
        resolve_locked(hash, TxReceipt{hash, from_tx_status(loc.status), h.number, loc.index, h.state_root},
                       notes);
      }
      metrics_.set_mempool_depth(mempool_.size() + deposits_pending_.size());
    }
    run_all(notes);
  };
  const settlement::DerivedUpTo d = settler_->catch_up(*engine_, target, each);
  if (derived > 0) catch_ups_.fetch_add(1);
  if (d.engine_failed) {
    if (!failed_.exchange(true))
      spdlog::critical("catching up with the base chain failed; refusing writes from now on: {}", d.error);
    return;
  }
  if (d.mismatch) {
    metrics_.set_latest_batch(d.verified);
    return;  // the settler rolled the batch back and stopped posting: writes stop (diverged)
  }
  if (!d.error.empty()) spdlog::warn("settlement: {}; trying again at the next sync", d.error);
  std::lock_guard lock(mutex_);
  mark_work_locked();  // txs held meanwhile go into the next batch
}

void Node::on_committed(const InFlight& f, const rollup::CommittedBatch& b) {
  const std::uint64_t number = b.header.number.value();
  L2_ASSERT(b.receipts.size() == f.hashes.size());
  record_acked(b.header.number, b.header.state_root);  // before any of its txs is acknowledged
  {
    std::unique_lock idx(index_mutex_);
    for (std::size_t i = 0; i < b.receipts.size(); ++i)
      index_locked(b.receipts[i].tx_hash,
                   TxLocation{number, static_cast<std::uint32_t>(i), b.receipts[i].status});
    for (const auto& [pos, from] : f.withdrawals)
      if (b.receipts[pos].status == rollup::TxStatus::applied)
        withdrawals_[from].push_back(b.receipts[pos].tx_hash);
  }
  if (settler_) settler_->batch_durable(b.header.number);
  metrics_.batch_committed(b.header.number, b.receipts.size(),
                           Metrics::StageSeconds{b.timings.verify_ms / 1e3, b.timings.execute_ms / 1e3,
                                                 b.timings.merkle_ms / 1e3, b.timings.commit_ms / 1e3});
  for (const auto& r : b.receipts)
    if (r.status != rollup::TxStatus::applied) metrics_.tx_rejected(rollup::to_string(r.status));
  Notifications notes;
  {
    std::lock_guard lock(mutex_);
    mempool_.complete(f.hashes);
    for (std::size_t i = 0; i < b.receipts.size(); ++i) {
      deposits_pending_.erase(f.hashes[i]);
      if (!reinject_hashes_.empty()) reinject_hashes_.erase(f.hashes[i]);
      TxReceipt r{f.hashes[i], from_tx_status(b.receipts[i].status), b.header.number,
                  static_cast<std::uint32_t>(i), b.header.state_root};
      resolve_locked(f.hashes[i], r, notes);
    }
    metrics_.set_mempool_depth(mempool_.size() + deposits_pending_.size());
  }
  spdlog::debug("batch {} durable: {} txs, {} applied, root {}", number, b.header.tx_count,
                b.header.applied_count, b.header.state_root.hex());
  run_all(notes);
}

void Node::on_failed(const InFlight& f, const rollup::EngineError& e) {
  if (!failed_.exchange(true)) spdlog::critical("storage failed; refusing writes from now on: {}", e.message);
  Notifications notes;
  {
    std::lock_guard lock(mutex_);
    mempool_.complete(f.hashes);
    for (const auto& h : f.hashes) {
      deposits_pending_.erase(h);
      auto it = waiters_.find(h);
      if (it == waiters_.end()) continue;
      for (auto& [group, pos] : it->second)
        if (auto fn = group->give_up(true)) notes.push_back(std::move(fn));
      waiters_.erase(it);
    }
  }
  run_all(notes);
}

void Node::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopped_) return;
    stopped_ = true;
    stopping_ = true;
    accepting_ = false;
  }
  // The settler rings no more (its entries are on the base chain: whatever the last
  // batch does not take is fetched again at the next start).
  if (settler_) settler_->set_doorbell({});
  work_cv_.notify_all();
  if (batcher_.joinable()) batcher_.join();
  // The batcher is gone: this thread is the engine's owner now.
  if (auto s = engine_->flush(); !s) spdlog::error("final flush failed: {}", s.error().message);
  {
    std::lock_guard lock(ack_mutex_);
    ack_stop_ = true;
  }
  ack_cv_.notify_all();
  if (acker_.joinable()) acker_.join();
  Notifications notes;
  {
    std::lock_guard lock(mutex_);
    // Held txs never made it into a batch: they were never acknowledged.
    auto left = mempool_.clear_queued();
    if (!left.empty()) spdlog::warn("{} held txs were not committed (nonce gaps)", left.size());
    for (auto& [hash, list] : waiters_)
      for (auto& [group, pos] : list)
        if (auto fn = group->give_up(false)) notes.push_back(std::move(fn));
    waiters_.clear();
  }
  run_all(notes);
  spdlog::info("sequencer stopped at batch {}", engine_->durable_head().value());
}

Result<std::optional<TxLookup>, ApiError> Node::lookup_tx(const Hash32& hash) {
  std::optional<rollup::RolledBackTx> rolled;  // its batch was rolled back by a reorg
  auto pending = [&](rollup::Tx tx) {
    TxLookup out{receipt_of(hash, ReceiptCode::pending), std::move(tx), {}, std::nullopt};
    if (rolled) out.reorg = note_of(*rolled, std::nullopt);
    return std::optional<TxLookup>(std::move(out));
  };
  {
    std::lock_guard lock(mutex_);
    if (auto it = rolled_back_.find(hash); it != rolled_back_.end()) rolled = it->second;
    if (const auto* p = mempool_.find(hash)) return pending(p->tx);
    if (auto it = deposits_pending_.find(hash); it != deposits_pending_.end()) return pending(it->second);
    if (rolled && reinject_hashes_.contains(hash)) {
      auto tx = rollup::decode_tx(ByteView(rolled->tx));
      if (tx) return pending(std::move(*tx));
    }
    if (auto it = dropped_.find(hash); it != dropped_.end())
      return std::optional<TxLookup>(TxLookup{receipt_of(hash, ReceiptCode::dropped), it->second, {}, {}});
  }
  if (settler_) {
    // A forced copy of a tx that is already in a batch is not "pending": the batch's
    // receipt holds (the copy becomes a duplicate when its batch is made).
    bool indexed = false;
    {
      std::shared_lock idx(index_mutex_);
      indexed = index_.contains(hash);
    }
    if (!indexed) {
      if (auto tx = settler_->find_queued(hash)) return pending(std::move(*tx));
    }
  }
  TxLocation loc;
  std::vector<TxLocation> others;
  {
    std::shared_lock idx(index_mutex_);
    auto it = index_.find(hash);
    if (it == index_.end() || (rolled && it->second.batch <= rolled->rolled_back_to.value() &&
                               it->second.status != rollup::TxStatus::applied)) {
      if (!rolled) return std::optional<TxLookup>();
      // Rolled back and not in a batch again (yet): pending (a queue entry waiting to be
      // fetched again, or a user tx in a batch not yet durable), or dropped with a reason.
      auto tx = rollup::decode_tx(ByteView(rolled->tx));
      if (!tx) return make_error(ApiError{ErrorCode::unavailable, "a rolled-back tx is malformed"});
      ReorgNote note = note_of(*rolled, std::nullopt);
      if (const auto* d = std::get_if<rollup::Deposit>(&*tx);
          d && note.outcome == ReorgNote::Outcome::pending && settler_ &&
          rolled->source == static_cast<std::uint8_t>(RolledSource::deposit) &&
          settler_->deposit_gone(d->deposit_id)) {
        note.outcome = ReorgNote::Outcome::dropped;
        note.reason = "not_in_base_chain_queue";
      }
      TxLookup out{receipt_of(hash, note.outcome == ReorgNote::Outcome::dropped ? ReceiptCode::dropped
                                                                                : ReceiptCode::pending),
                   std::move(*tx),
                   {},
                   std::move(note)};
      return std::optional<TxLookup>(std::move(out));
    }
    loc = it->second;
    if (auto d = duplicates_.find(hash); d != duplicates_.end()) others = d->second;
  }
  std::lock_guard lock(reader_mutex_);
  auto stored = read_batch_locked(BatchNumber(loc.batch), kTxsOnly);
  if (!stored)
    return make_error(ApiError{ErrorCode::unavailable, "cannot read batch: " + stored.error().message});
  if (!*stored) return std::optional<TxLookup>();  // rolled back
  auto txs = rollup::decode_txs((*stored)->txs);
  if (!txs || loc.index >= txs->size())
    return make_error(
        ApiError{ErrorCode::unavailable, "batch " + std::to_string(loc.batch) + " is malformed"});
  TxReceipt r{hash, from_tx_status(loc.status), BatchNumber(loc.batch), loc.index,
              (*stored)->header.state_root};
  TxLookup out{r, std::move((*txs)[loc.index]), {}, std::nullopt};
  if (rolled) out.reorg = note_of(*rolled, loc);
  for (const TxLocation& o : others) {
    auto h = read_header_locked(BatchNumber(o.batch));
    if (!h) return make_error(ApiError{ErrorCode::unavailable, "cannot read batch: " + h.error().message});
    if (!*h) continue;  // rolled back
    out.duplicates.push_back(
        TxReceipt{hash, from_tx_status(o.status), BatchNumber(o.batch), o.index, (*h)->state_root});
  }
  return std::optional<TxLookup>(std::move(out));
}

std::optional<AccountView> Node::account(const AccountRef& ref, bool with_proof) {
  return engine_->read_durable([&](const rollup::DurableView& state) -> std::optional<AccountView> {
    std::optional<AccountIndex> i;
    if (const auto* idx = std::get_if<AccountIndex>(&ref)) {
      if (state.contains(*idx)) i = *idx;
    } else {
      i = state.find(std::get<PublicKey>(ref));
    }
    if (!i) return std::nullopt;
    AccountView v{*i, state.at(*i), state.head().number, state.head().state_root, std::nullopt};
    if (with_proof) v.proof = state.prove(*i);
    return v;
  });
}

Result<std::optional<AccountView>, ApiError> Node::account_at(const AccountRef& ref, bool with_proof,
                                                              BatchNumber n) {
  const auto not_durable = [&] {
    return ApiError{ErrorCode::not_found, "batch " + std::to_string(n.value()) +
                                              " is not durable (the latest durable batch is " +
                                              std::to_string(engine_->durable_head().value()) + ")"};
  };
  const auto refused = [&](const rollup::HistoryError& e) {
    switch (e.code) {
      case rollup::HistoryErrorCode::past_head:
        return not_durable();
      case rollup::HistoryErrorCode::too_deep:
        return ApiError{ErrorCode::history_too_deep, e.message};
      default:
        if (e.store) note_damage(*e.store);
        return ApiError{ErrorCode::unavailable, "cannot read the history: " + e.message};
    }
  };
  // A head that moved between the read and the gather (a batch became durable) costs
  // only the batches added since (extend_history); one not yet marked durable, a short
  // wait. A rollback meanwhile means reading from scratch.
  constexpr int kAttempts = 8;
  std::optional<rollup::History> history;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    if (n > engine_->durable_head()) return make_error(not_durable());
    AccountIndex index;
    std::optional<PublicKey> key;
    if (const auto* i = std::get_if<AccountIndex>(&ref)) {
      index = *i;
    } else {
      key = std::get<PublicKey>(ref);
      auto found = find_account(*key);
      if (!found) return std::optional<AccountView>();  // an account keeps its index: none now, none then
      index = *found;
    }
    {
      std::lock_guard lock(reader_mutex_);
      if (history) {
        auto e = rollup::extend_history(*reader_, *history, options_.max_history_changes);
        if (!e && e.error().code == rollup::HistoryErrorCode::moved) history.reset();
        if (!e && e.error().code != rollup::HistoryErrorCode::moved) return make_error(refused(e.error()));
      }
      if (!history) {
        auto h = rollup::read_history(*reader_, n, options_.max_history_changes);
        if (!h) return make_error(refused(h.error()));
        history = std::move(*h);
      }
    }
    rollup::HistoricalRead read(*history, index, key, with_proof);
    if (!engine_->read_durable([&](const rollup::DurableView& view) { return read.gather(view); })) continue;
    auto out = read.finish();
    if (!out) {
      note_damage(rollup::StoreError{rollup::StoreErrorCode::corrupt, out.error().message});
      return make_error(ApiError{ErrorCode::unavailable, out.error().message});
    }
    if (!out->account) return std::optional<AccountView>();
    return std::optional<AccountView>(AccountView{index, *out->account, n, out->at.state_root, out->proof});
  }
  return make_error(ApiError{ErrorCode::unavailable, "the durable head moved during each of " +
                                                         std::to_string(kAttempts) + " reads; ask again"});
}

std::optional<AccountIndex> Node::find_account(const PublicKey& key) {
  return engine_->read_durable([&](const rollup::DurableView& state) { return state.find(key); });
}

Result<std::optional<rollup::BatchHeader>, ApiError> Node::batch_header(std::optional<BatchNumber> n) {
  const BatchNumber durable = engine_->durable_head();
  const BatchNumber want = n.value_or(durable);
  if (want > durable) return std::optional<rollup::BatchHeader>();
  std::lock_guard lock(reader_mutex_);
  auto h = read_header_locked(want);
  if (!h) return make_error(ApiError{ErrorCode::unavailable, "cannot read batch: " + h.error().message});
  return *h;
}

NodeStatus Node::status() {
  NodeStatus s;
  s.chain_id = options_.chain_id;
  engine_->read_durable([&](const rollup::DurableView& state) {
    s.latest_batch = state.head().number;
    s.state_root = state.head().state_root;
    s.accounts = state.size();
  });
  std::lock_guard lock(mutex_);
  s.mempool_depth = mempool_.size() + deposits_pending_.size();
  return s;
}

// ---- Withdrawals ----

Result<std::optional<WithdrawalView>, ApiError> Node::withdrawal_at(const Hash32& hash,
                                                                    const TxLocation& loc) {
  if (loc.status != rollup::TxStatus::applied) return std::optional<WithdrawalView>();
  std::lock_guard lock(reader_mutex_);
  auto stored = read_batch_locked(BatchNumber(loc.batch), kTxsAndWitnesses);
  if (!stored)
    return make_error(ApiError{ErrorCode::unavailable, "cannot read batch: " + stored.error().message});
  if (!*stored) return std::optional<WithdrawalView>();  // rolled back
  auto txs = rollup::decode_txs((*stored)->txs);
  auto witnesses = rollup::decode_witnesses((*stored)->witnesses);
  if (!txs || loc.index >= txs->size() || !witnesses)
    return make_error(
        ApiError{ErrorCode::unavailable, "batch " + std::to_string(loc.batch) + " is malformed"});
  const auto* w = std::get_if<rollup::Withdraw>(&(*txs)[loc.index]);
  if (w == nullptr) return std::optional<WithdrawalView>();
  for (const auto& wit : *witnesses) {
    if (wit.proof.index != w->from) continue;
    WithdrawalView v;
    v.tx_hash = hash;
    v.account = w->from;
    v.amount = w->amount;
    v.batch = BatchNumber(loc.batch);
    v.state_root = (*stored)->header.state_root;
    v.witness = wit;
    return std::optional<WithdrawalView>(std::move(v));
  }
  return make_error(ApiError{ErrorCode::unavailable,
                             "batch " + std::to_string(loc.batch) + " lacks the witness of account " +
                                 std::to_string(w->from.value()) + " (made before witnesses were recorded)"});
}

Result<std::optional<WithdrawalView>, ApiError> Node::withdrawal(const Hash32& tx_hash) {
  TxLocation loc;
  {
    std::shared_lock idx(index_mutex_);
    auto it = index_.find(tx_hash);
    if (it == index_.end()) return std::optional<WithdrawalView>();
    loc = it->second;
  }
  return withdrawal_at(tx_hash, loc);
}

Result<std::vector<WithdrawalView>, ApiError> Node::account_withdrawals(AccountIndex account,
                                                                        std::size_t limit) {
  std::vector<std::pair<Hash32, TxLocation>> found;
  {
    std::shared_lock idx(index_mutex_);
    auto it = withdrawals_.find(account);
    if (it != withdrawals_.end()) {
      for (auto h = it->second.rbegin(); h != it->second.rend() && found.size() < limit; ++h) {
        auto loc = index_.find(*h);
        if (loc != index_.end()) found.emplace_back(*h, loc->second);
      }
    }
  }
  std::vector<WithdrawalView> views;
  for (const auto& [hash, loc] : found) {
    auto v = withdrawal_at(hash, loc);
    if (!v) return make_error(v.error());
    if (*v) views.push_back(std::move(**v));
  }
  return views;
}

}  // namespace l2::sequencer
