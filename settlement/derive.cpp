// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
#include "settlement/derive.hpp"

#include <algorithm>
#include <chrono>
#include <limits>

#include "rollup/stf.hpp"
#include "settlement/batch_txs.hpp"
#include "settlement/payload.hpp"

namespace l2::settlement {

namespace {

using Clock = std::chrono::steady_clock;

DeriveError source_error(const std::string& what, const std::string& message) {
  return DeriveError{DeriveErrorCode::source, what + ": " + message};
}

Mismatch mismatch(BatchNumber batch, MismatchKind kind, std::string expected, std::string got,
                  std::string detail = {}) {
  return Mismatch{batch, kind, std::move(expected), std::move(got), std::move(detail)};
}

// Reads queue entries [from, upto) page by page. nullopt (no error) if the queue ends
// first: the commitment claims entries the base chain does not have.
// The caller checked from <= upto.
template <class Entry, class Tag, class Fetch>
Result<std::optional<std::vector<Entry>>, DeriveError> read_queue(const char* name, QueuePosition<Tag> from,
                                                                  QueuePosition<Tag> upto, std::uint32_t page,
                                                                  Fetch&& fetch) {
  std::vector<Entry> out;
  out.reserve(
      static_cast<std::size_t>(std::min<std::uint64_t>(upto.count_since(from).value_or(0), 1u << 20)));
  for (QueuePosition<Tag> next = from; next < upto;) {
    const std::uint64_t left = upto.value() - next.value();
    const auto limit = static_cast<std::uint32_t>(std::min<std::uint64_t>(left, std::max(page, 1u)));
    auto got = fetch(next, limit);
    if (!got) return make_error(source_error(std::string("reading the ") + name + " queue", got.error()));
    if (got->empty()) return std::optional<std::vector<Entry>>{};
    for (auto& e : *got) {
      if (next == upto) break;  // a source that sends more than asked
      if (e.index != next)
        return make_error(source_error(std::string("reading the ") + name + " queue",
                                       "entry " + std::to_string(e.index.value()) + " where " +
                                           std::to_string(next.value()) + " was expected"));
      out.push_back(std::move(e));
      next = QueuePosition<Tag>(next.value() + 1);  // next < upto: no overflow
    }
  }
  return std::optional<std::vector<Entry>>(std::move(out));
}

}  // namespace

std::string_view to_string(MismatchKind k) {
  switch (k) {
    case MismatchKind::genesis_root:
      return "genesis_root";
    case MismatchKind::batch_number:
      return "batch_number";
    case MismatchKind::rollup_id:
      return "rollup_id";
    case MismatchKind::prev_root:
      return "prev_root";
    case MismatchKind::payload_hash:
      return "payload_hash";
    case MismatchKind::payload_decode:
      return "payload_decode";
    case MismatchKind::applied_count:
      return "applied_count";
    case MismatchKind::deposit_range:
      return "deposit_range";
    case MismatchKind::forced_range:
      return "forced_range";
    case MismatchKind::tx_not_applied:
      return "tx_not_applied";
    case MismatchKind::state_root:
      return "state_root";
  }
  return "unknown";
}

std::string describe(const Mismatch& m) {
  std::string s = "batch " + std::to_string(m.batch.value()) + ": " + std::string(to_string(m.kind)) +
                  " mismatch: expected " + m.expected + ", got " + m.got;
  if (!m.detail.empty()) s += " (" + m.detail + ")";
  return s;
}

// ---- sources ------------------------------------------------------------------------

void MemorySource::add_deposit(const PublicKey& recipient, Amount amount) {
  AccountIndex account(0);
  if (recipient != info_.operator_key) {
    auto [it, fresh] =
        accounts_.try_emplace(recipient, AccountIndex(static_cast<std::uint32_t>(accounts_.size() + 1)));
    account = it->second;
  }
  deposits_.push_back(
      QueuedDeposit{DepositPosition(deposits_.size()), recipient, account, amount, ChainTime(0)});
  info_.deposit_count = deposits_.size();
}

void MemorySource::add_forced(rollup::Tx tx) {
  forced_.push_back(QueuedForced{ForcedPosition(forced_.size()), std::move(tx), ChainTime(0)});
  info_.forced_count = forced_.size();
}

void MemorySource::add_commitment(Commitment c) {
  const std::uint64_t n = c.header.batch.value();
  if (n >= info_.last_batch.value()) {
    info_.last_batch = c.header.batch;
    info_.last_root = c.header.new_root;
  }
  commitments_[n] = std::move(c);
}

Result<RollupInfo, std::string> MemorySource::rollup() { return info_; }

namespace {
template <class Entry, class Tag>
std::vector<Entry> page_of(const std::vector<Entry>& all, QueuePosition<Tag> from, std::uint32_t limit) {
  if (from.value() >= all.size()) return {};
  const auto begin = static_cast<std::size_t>(from.value());
  const std::size_t end = std::min(all.size(), begin + limit);
  return {all.begin() + static_cast<std::ptrdiff_t>(begin), all.begin() + static_cast<std::ptrdiff_t>(end)};
}
}  // namespace

Result<std::vector<QueuedDeposit>, std::string> MemorySource::deposits(DepositPosition from,
                                                                       std::uint32_t limit) {
  return page_of(deposits_, from, limit);
}

Result<std::vector<QueuedForced>, std::string> MemorySource::forced(ForcedPosition from,
                                                                    std::uint32_t limit) {
  return page_of(forced_, from, limit);
}

Result<std::optional<CommitmentRecord>, std::string> MemorySource::commitment(BatchNumber batch,
                                                                              bool with_payload) {
  auto it = commitments_.find(batch.value());
  if (it == commitments_.end()) return std::optional<CommitmentRecord>{};
  CommitmentRecord rec;
  rec.commitment = it->second;
  if (!with_payload) rec.commitment.payload.clear();
  return std::optional<CommitmentRecord>(std::move(rec));
}

// ---- the deriver ------------------------------------------------------------------------

Deriver::Deriver(DerivationSource& source, const DeriveOptions& options, RollupInfo info,
                 std::unique_ptr<rollup::Engine> owned, rollup::Engine& engine)
    : source_(source), options_(options), info_(std::move(info)), owned_(std::move(owned)), engine_(&engine) {
  if (engine_->head().number == BatchNumber(0) && engine_->state_root() != info_.genesis_root)
    stuck_ = mismatch(
        BatchNumber(0), MismatchKind::genesis_root, engine_->state_root().hex(), info_.genesis_root.hex(),
        "State(operator_key " + info_.operator_key.hex() + ") against the registered genesis root");
}

Deriver::~Deriver() = default;

Result<std::unique_ptr<Deriver>, DeriveError> Deriver::create(DerivationSource& source,
                                                              const DeriveOptions& options) {
  auto info = source.rollup();
  if (!info) return make_error(source_error("reading the rollup's registration", info.error()));
  rollup::EngineOptions eo;
  eo.store.path = options.store_path;
  eo.store.synchronous_full = false;  // nothing here needs to survive a crash
  eo.store.chain_id = info->rollup_id;
  eo.store.operator_key = info->operator_key;
  eo.threads = options.threads;
  auto engine = rollup::Engine::open(eo);
  if (!engine) return make_error(DeriveError{DeriveErrorCode::engine, engine.error().message});
  if ((*engine)->head().number != BatchNumber(0))
    return make_error(DeriveError{DeriveErrorCode::engine, "the database " + options.store_path +
                                                               " is not new: derivation starts at genesis"});
  rollup::Engine& e = **engine;
  return std::unique_ptr<Deriver>(new Deriver(source, options, std::move(*info), std::move(*engine), e));
}

Result<std::unique_ptr<Deriver>, DeriveError> Deriver::resume(DerivationSource& source,
                                                              rollup::Engine& engine,
                                                              DepositPosition deposits_upto,
                                                              ForcedPosition forced_upto,
                                                              const DeriveOptions& options) {
  auto info = source.rollup();
  if (!info) return make_error(source_error("reading the rollup's registration", info.error()));
  std::unique_ptr<Deriver> d(new Deriver(source, options, std::move(*info), nullptr, engine));
  d->deposits_upto_ = deposits_upto;
  d->forced_upto_ = forced_upto;
  d->verified_ = engine.head().number;
  return d;
}

BatchNumber Deriver::head() const { return engine_->head().number; }
const Hash32& Deriver::state_root() const { return engine_->state_root(); }
const rollup::State& Deriver::state() const { return engine_->state(); }

Result<std::optional<Mismatch>, DeriveError> Deriver::derive(const Commitment& c) {
  return derive_one(c, true, 0);
}

Result<std::optional<Mismatch>, DeriveError> Deriver::derive_one(const Commitment& c, bool counted,
                                                                 std::int64_t timestamp_ms) {
  if (stuck_) return stuck_;
  const auto& h = c.header;
  const BatchNumber expected_batch(head().value() + 1);
  auto fail = [&](Mismatch m) -> Result<std::optional<Mismatch>, DeriveError> {
    stuck_ = std::move(m);
    return stuck_;
  };
  if (h.batch != expected_batch)
    return fail(mismatch(expected_batch, MismatchKind::batch_number, std::to_string(expected_batch.value()),
                         std::to_string(h.batch.value())));
  if (h.rollup_id != info_.rollup_id)
    return fail(mismatch(h.batch, MismatchKind::rollup_id, std::to_string(info_.rollup_id.value()),
                         std::to_string(h.rollup_id.value())));
  if (h.prev_root != state_root())
    return fail(mismatch(h.batch, MismatchKind::prev_root, state_root().hex(), h.prev_root.hex()));
  if (h.deposits_upto < deposits_upto_)
    return fail(mismatch(h.batch, MismatchKind::deposit_range, ">= " + std::to_string(deposits_upto_.value()),
                         std::to_string(h.deposits_upto.value()), "deposits_upto goes backwards"));
  if (h.forced_upto < forced_upto_)
    return fail(mismatch(h.batch, MismatchKind::forced_range, ">= " + std::to_string(forced_upto_.value()),
                         std::to_string(h.forced_upto.value()), "forced_upto goes backwards"));

  // Source reads are not timed: the rate is the derivation's, not the network's.
  auto deposits = read_queue<QueuedDeposit>(
      "deposit", deposits_upto_, h.deposits_upto, options_.fetch_limit,
      [&](DepositPosition from, std::uint32_t limit) { return source_.deposits(from, limit); });
  if (!deposits) return make_error(deposits.error());
  if (!*deposits)
    return fail(mismatch(h.batch, MismatchKind::deposit_range, "deposits_upto <= the deposit queue's length",
                         std::to_string(h.deposits_upto.value()), "the deposit queue ends first"));
  auto forced = read_queue<QueuedForced>(
      "forced", forced_upto_, h.forced_upto, options_.fetch_limit,
      [&](ForcedPosition from, std::uint32_t limit) { return source_.forced(from, limit); });
  if (!forced) return make_error(forced.error());
  if (!*forced)
    return fail(mismatch(h.batch, MismatchKind::forced_range, "forced_upto <= the forced queue's length",
                         std::to_string(h.forced_upto.value()), "the forced queue ends first"));

  const auto start = Clock::now();
  const Hash32 computed_hash = payload_hash(c.payload);
  if (computed_hash != h.payload_hash)
    return fail(mismatch(h.batch, MismatchKind::payload_hash, computed_hash.hex(), h.payload_hash.hex(),
                         "BLAKE2b-256 of the posted payload against the committed payload_hash"));
  auto payload = open_payload(c.payload);
  if (!payload)
    return fail(mismatch(h.batch, MismatchKind::payload_decode, "a valid payload",
                         std::string(to_string(payload.error().code)) + ": " + payload.error().message));
  if (payload->size() != h.applied_txs)
    return fail(mismatch(h.batch, MismatchKind::applied_count, std::to_string(payload->size()),
                         std::to_string(h.applied_txs), "the payload's tx count against applied_txs"));

  // The derived tx list (settlement/batch_txs.hpp), its user txs added once their nonces
  // are restored.
  const BatchOrigin origin{deposits_upto_, h.deposits_upto, forced_upto_, h.forced_upto};
  auto queued_txs = batch_txs(origin, **deposits, **forced, {});
  if (!queued_txs) return make_error(source_error("reading the queues", queued_txs.error()));
  rollup::BatchInput input;
  input.txs = std::move(*queued_txs);
  input.timestamp_ms = timestamp_ms;
  input.origin = encode_origin(origin);
  input.txs.reserve(input.txs.size() + payload->size());
  const std::size_t queued = input.txs.size();
  // Nonces: the state after the deposits and forced txs, as an overlay (the STF rejects a
  // forced tx exactly as the engine will, so a rejected one bumps no nonce).
  if (payload->empty()) {
    // Nothing to restore (a deposit-only batch, say): skip replaying the queues.
  } else if (queued == 0) {
    fill_nonces(*payload, state());
  } else {
    rollup::OverlayState after_queues(state());
    for (const auto& tx : input.txs) (void)rollup::apply_tx(after_queues, info_.rollup_id, tx);
    fill_nonces(*payload, after_queues);
  }
  const std::size_t payload_count = payload->size();
  for (auto& tx : *payload) input.txs.push_back(std::move(tx));

  const auto submitted = Clock::now();
  auto ack = engine_->submit(std::move(input));
  const auto executed = Clock::now();
  auto committed = ack.get();
  const auto durable = Clock::now();
  if (!committed) return make_error(DeriveError{DeriveErrorCode::engine, committed.error().message});
  const auto& receipts = committed->receipts;
  for (std::size_t k = 0; k < payload_count; ++k) {
    const rollup::TxStatus status = receipts[queued + k].status;
    if (status != rollup::TxStatus::applied)
      return fail(mismatch(
          h.batch, MismatchKind::tx_not_applied, "applied", std::string(rollup::to_string(status)),
          "payload tx " + std::to_string(k) + " not applicable: " + std::string(rollup::to_string(status))));
  }
  if (committed->header.state_root != h.new_root)
    return fail(mismatch(h.batch, MismatchKind::state_root, committed->header.state_root.hex(),
                         h.new_root.hex(),
                         "the root after re-executing the batch against the committed new_root"));
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();

  deposits_upto_ = h.deposits_upto;
  forced_upto_ = h.forced_upto;
  verified_ = h.batch;
  if (counted) {
    stats_.batches += 1;
    stats_.txs += receipts.size();
    stats_.payload_txs += payload_count;
    stats_.derive_seconds += seconds;
    stats_.payload_ms += std::chrono::duration<double, std::milli>(submitted - start).count();
    stats_.verify_ms += committed->timings.verify_ms;
    stats_.execute_ms += committed->timings.execute_ms;
    stats_.merkle_ms += committed->timings.merkle_ms;
    stats_.commit_wait_ms += std::chrono::duration<double, std::milli>(durable - executed).count();
  }
  return std::optional<Mismatch>{};
}

Result<std::optional<Mismatch>, DeriveError> Deriver::run(const RunOptions& options) {
  if (stuck_) return stuck_;
  BatchNumber upto;
  if (options.upto) {
    upto = *options.upto;
  } else {
    auto info = source_.rollup();
    if (!info) return make_error(source_error("reading the rollup's registration", info.error()));
    upto = info->last_batch;
  }
  while (head() < upto) {
    const BatchNumber next(head().value() + 1);
    auto rec = source_.commitment(next, /*with_payload=*/true);
    if (!rec)
      return make_error(source_error("reading commitment " + std::to_string(next.value()), rec.error()));
    if (!*rec)
      return make_error(source_error("reading commitment " + std::to_string(next.value()),
                                     "the base chain has no such commitment"));
    // The base chain's time (seconds) as the batch's timestamp: the closest to the
    // sequencer's own clock that the chain records.
    constexpr std::int64_t kMaxSeconds = std::numeric_limits<std::int64_t>::max() / 1000;
    const std::int64_t posted_ms = std::clamp<std::int64_t>((*rec)->posted_at.value(), 0, kMaxSeconds) * 1000;
    auto m = derive_one((*rec)->commitment, next >= options.count_from, posted_ms);
    if (!m || *m) return m;
    if (options.progress) options.progress(engine_->head(), stats_);
  }
  return std::optional<Mismatch>{};
}

}  // namespace l2::settlement
