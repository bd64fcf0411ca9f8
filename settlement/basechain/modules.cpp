// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
#include "settlement/basechain/modules.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <string>
#include <utility>

#include "common/merkle.hpp"
#include "rollup/account.hpp"
#include "settlement/payload.hpp"

namespace l2::settlement {

namespace {

using json = nlohmann::json;

// The modules' tables; see module_migrations(). 3162240000 is kMaxWindowSeconds.
constexpr const char* kModuleMigrations[] = {
    R"sql(
-- registry: one row per rollup; the bridge keeps its queue lengths and locked funds here.
CREATE TABLE rollups (
  rollup_id            INTEGER PRIMARY KEY,
  sequencer            BLOB NOT NULL CHECK (length(sequencer) = 32),
  operator_key         BLOB NOT NULL CHECK (length(operator_key) = 32),
  genesis_root         BLOB NOT NULL CHECK (length(genesis_root) = 32),
  challenge_window_s   INTEGER NOT NULL CHECK (challenge_window_s BETWEEN 0 AND 3162240000),
  inclusion_deadline_s INTEGER NOT NULL CHECK (inclusion_deadline_s BETWEEN 1 AND 3162240000),
  deposit_count        INTEGER NOT NULL CHECK (deposit_count >= 0),
  forced_count         INTEGER NOT NULL CHECK (forced_count >= 0),
  locked               INTEGER NOT NULL CHECK (locked >= 0),
  registered_at        INTEGER NOT NULL,
  tx_hash              BLOB NOT NULL REFERENCES txs (hash)
) STRICT;

-- bridge: the deposit queue of each rollup, appended in order (idx = deposit_count).
CREATE TABLE deposits (
  rollup_id INTEGER NOT NULL REFERENCES rollups (rollup_id),
  idx       INTEGER NOT NULL CHECK (idx >= 0),
  recipient BLOB NOT NULL CHECK (length(recipient) = 32),
  amount    INTEGER NOT NULL CHECK (amount > 0),
  timestamp INTEGER NOT NULL,
  tx_hash   BLOB NOT NULL REFERENCES txs (hash),
  PRIMARY KEY (rollup_id, idx)
) STRICT, WITHOUT ROWID;
CREATE TRIGGER deposits_append BEFORE INSERT ON deposits
WHEN NEW.idx IS NOT (SELECT deposit_count FROM rollups WHERE rollup_id = NEW.rollup_id)
  OR NEW.timestamp < coalesce((SELECT max(timestamp) FROM deposits WHERE rollup_id = NEW.rollup_id), NEW.timestamp)
BEGIN SELECT RAISE(ABORT, 'deposits append at the end of their queue, in time order'); END;

-- bridge: the forced-tx queue (rollup tx wire form: a transfer, 97 bytes, or a
-- withdrawal, 93 bytes).
CREATE TABLE forced_txs (
  rollup_id INTEGER NOT NULL REFERENCES rollups (rollup_id),
  idx       INTEGER NOT NULL CHECK (idx >= 0),
  tx        BLOB NOT NULL CHECK ((length(tx) = 97 AND substr(tx, 1, 1) = x'02') OR
                                 (length(tx) = 93 AND substr(tx, 1, 1) = x'03')),
  timestamp INTEGER NOT NULL,
  tx_hash   BLOB NOT NULL REFERENCES txs (hash),
  PRIMARY KEY (rollup_id, idx)
) STRICT, WITHOUT ROWID;
CREATE TRIGGER forced_append BEFORE INSERT ON forced_txs
WHEN NEW.idx IS NOT (SELECT forced_count FROM rollups WHERE rollup_id = NEW.rollup_id)
  OR NEW.timestamp < coalesce((SELECT max(timestamp) FROM forced_txs WHERE rollup_id = NEW.rollup_id), NEW.timestamp)
BEGIN SELECT RAISE(ABORT, 'forced txs append at the end of their queue, in time order'); END;

-- bridge: what was paid out per rollup and base account (only grows).
CREATE TABLE withdrawals (
  rollup_id INTEGER NOT NULL REFERENCES rollups (rollup_id),
  account   BLOB NOT NULL CHECK (length(account) = 32),
  paid      INTEGER NOT NULL CHECK (paid > 0),
  PRIMARY KEY (rollup_id, account)
) STRICT, WITHOUT ROWID;
CREATE TRIGGER withdrawals_grow BEFORE UPDATE ON withdrawals WHEN NEW.paid <= OLD.paid
BEGIN SELECT RAISE(ABORT, 'the paid total only grows'); END;

-- commitments: the chain of commitments of each rollup, numbered from 1 without gaps.
CREATE TABLE commitments (
  rollup_id     INTEGER NOT NULL REFERENCES rollups (rollup_id),
  batch         INTEGER NOT NULL CHECK (batch >= 1),
  prev_root     BLOB NOT NULL CHECK (length(prev_root) = 32),
  new_root      BLOB NOT NULL CHECK (length(new_root) = 32),
  applied_txs   INTEGER NOT NULL CHECK (applied_txs BETWEEN 0 AND 4294967295),
  payload_hash  BLOB NOT NULL CHECK (length(payload_hash) = 32),
  deposits_upto INTEGER NOT NULL CHECK (deposits_upto >= 0),
  forced_upto   INTEGER NOT NULL CHECK (forced_upto >= 0),
  mode          INTEGER NOT NULL CHECK (mode IN (0, 1)),
  payload       BLOB NOT NULL,
  posted_at     INTEGER NOT NULL,
  tx_hash       BLOB NOT NULL UNIQUE REFERENCES txs (hash),
  PRIMARY KEY (rollup_id, batch)
) STRICT;
CREATE TRIGGER commitments_extend BEFORE INSERT ON commitments
WHEN NEW.batch <> coalesce((SELECT max(batch) FROM commitments WHERE rollup_id = NEW.rollup_id), 0) + 1
BEGIN SELECT RAISE(ABORT, 'commitments are numbered from 1 without gaps'); END;
)sql",
};

constexpr std::string_view kRegistry = "registry";
constexpr std::string_view kBridge = "bridge";
constexpr std::string_view kCommitments = "commitments";

std::string id_str(ChainId id) { return std::to_string(id.value()); }

// ---- shared reads ---------------------------------------------------------------------

struct RollupRow {
  PublicKey sequencer;
  PublicKey operator_key;
  Hash32 genesis_root;
  std::uint64_t challenge_window_s = 0;
  std::uint64_t inclusion_deadline_s = 0;
  std::uint64_t deposit_count = 0;
  std::uint64_t forced_count = 0;
  Amount locked;
  std::int64_t registered_at = 0;
  Hash32 tx_hash;
};

Result<std::optional<RollupRow>, ChainError> read_rollup(Store& store, ChainId id) {
  auto q = store.query(
      "SELECT sequencer, operator_key, genesis_root, challenge_window_s, inclusion_deadline_s, "
      "deposit_count, "
      "forced_count, locked, registered_at, tx_hash FROM rollups WHERE rollup_id = ?1");
  if (!q) return make_error(storage_error(q.error()));
  auto r = q->bind(1, to_db(id.value())).next();
  if (!r) return make_error(storage_error(r.error()));
  if (!*r) return std::optional<RollupRow>();
  const Statement& row = q->row();
  RollupRow out;
  out.sequencer = PublicKey::from_view(row.column_blob(0));
  out.operator_key = PublicKey::from_view(row.column_blob(1));
  out.genesis_root = Hash32::from_view(row.column_blob(2));
  out.challenge_window_s = from_db(row.column_int(3));
  out.inclusion_deadline_s = from_db(row.column_int(4));
  out.deposit_count = from_db(row.column_int(5));
  out.forced_count = from_db(row.column_int(6));
  out.locked = Amount(from_db(row.column_int(7)));
  out.registered_at = row.column_int(8);
  out.tx_hash = Hash32::from_view(row.column_blob(9));
  return std::optional<RollupRow>(out);
}

Result<RollupRow, ChainError> require_rollup(Store& store, ChainId id) {
  auto r = read_rollup(store, id);
  if (!r) return make_error(r.error());
  if (!*r) return make_error(refuse(Refusal::unknown_rollup, "no rollup " + id_str(id) + " is registered"));
  return **r;
}

// The head of a rollup's commitment chain (batch 0: none yet).
struct ChainTip {
  BatchNumber batch;
  Hash32 root;
  std::uint64_t deposits_upto = 0;
  std::uint64_t forced_upto = 0;
};

Result<ChainTip, ChainError> commitment_tip(Store& store, ChainId id, const Hash32& genesis_root) {
  auto q = store.query(
      "SELECT batch, new_root, deposits_upto, forced_upto FROM commitments WHERE rollup_id = ?1 "
      "ORDER BY batch DESC LIMIT 1");
  if (!q) return make_error(storage_error(q.error()));
  auto r = q->bind(1, to_db(id.value())).next();
  if (!r) return make_error(storage_error(r.error()));
  ChainTip tip;
  tip.root = genesis_root;
  if (*r) {
    tip.batch = BatchNumber(from_db(q->row().column_int(0)));
    tip.root = Hash32::from_view(q->row().column_blob(1));
    tip.deposits_upto = from_db(q->row().column_int(2));
    tip.forced_upto = from_db(q->row().column_int(3));
  }
  return tip;
}

// The highest final batch (0: none). Commitments are posted in batch order, so
// posted_at grows with the batch: every batch below a time-final one is time-final,
// and "its predecessor is final" reduces to "no dispute at or below it".
Result<BatchNumber, ChainError> last_final_batch(const ChainView& view, ChainId id,
                                                 std::uint64_t challenge_window_s) {
  auto q = view.store.query(
      "SELECT coalesce(max(batch), 0) FROM commitments WHERE rollup_id = ?1 AND posted_at <= ?2");
  if (!q) return make_error(storage_error(q.error()));
  auto r =
      q->bind(1, to_db(id.value())).bind(2, view.now - static_cast<std::int64_t>(challenge_window_s)).next();
  if (!r) return make_error(storage_error(r.error()));
  BatchNumber last(from_db(q->row().column_int(0)));
  auto disputed = first_disputed_batch(view, id);
  if (!disputed) return make_error(disputed.error());
  if (*disputed && **disputed <= last) last = BatchNumber((*disputed)->value() - 1);
  return last;
}

// How many entries of a queue are older than the inclusion deadline (must be consumed).
Result<std::uint64_t, ChainError> due_count(Store& store, std::string_view sql, ChainId id,
                                            std::int64_t threshold) {
  auto q = store.query(sql);
  if (!q) return make_error(storage_error(q.error()));
  auto r = q->bind(1, to_db(id.value())).bind(2, threshold).next();
  if (!r) return make_error(storage_error(r.error()));
  return from_db(q->row().column_int(0));
}

Status<ChainError> run(Store::Query& q) {
  if (auto s = q.run(); !s) return make_error(storage_error(s.error()));
  return {};
}

// ---- registry -----------------------------------------------------------------------------

class RegistryModule final : public Module {
 public:
  [[nodiscard]] std::string_view name() const override { return kRegistry; }
  [[nodiscard]] std::span<const BaseTxKind> kinds() const override { return kKinds; }

  Status<ChainError> execute(TxContext& ctx, const BaseTx& tx) override {
    const auto& b = std::get<RegisterRollupBody>(tx.body);
    auto existing = read_rollup(ctx.store(), b.rollup_id);
    if (!existing) return make_error(existing.error());
    if (*existing)
      return make_error(
          refuse(Refusal::rollup_exists, "rollup " + id_str(b.rollup_id) + " is already registered"));
    if (b.inclusion_deadline_s == 0)
      return make_error(refuse(Refusal::bad_window, "inclusion_deadline_s must be at least 1"));
    if (b.inclusion_deadline_s > kMaxWindowSeconds || b.challenge_window_s > kMaxWindowSeconds)
      return make_error(refuse(
          Refusal::bad_window,
          "challenge_window_s and inclusion_deadline_s may not exceed " + std::to_string(kMaxWindowSeconds)));
    auto q = ctx.store().query(
        "INSERT INTO rollups (rollup_id, sequencer, operator_key, genesis_root, challenge_window_s, "
        "inclusion_deadline_s, deposit_count, forced_count, locked, registered_at, tx_hash) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, 0, 0, ?7, ?8)");
    if (!q) return make_error(storage_error(q.error()));
    q->bind(1, to_db(b.rollup_id.value()))
        .bind(2, ctx.sender().view())
        .bind(3, b.operator_key.view())
        .bind(4, b.genesis_root.view())
        .bind(5, to_db(b.challenge_window_s))
        .bind(6, to_db(b.inclusion_deadline_s))
        .bind(7, ctx.now())
        .bind(8, ctx.tx_hash().view());
    if (auto s = run(*q); !s) return s;
    json data = {{"sequencer", ctx.sender().hex()},
                 {"operator_key", b.operator_key.hex()},
                 {"genesis_root", b.genesis_root.hex()},
                 {"challenge_window_s", b.challenge_window_s},
                 {"inclusion_deadline_s", b.inclusion_deadline_s}};
    return ctx.emit(kRegistry, "RollupRegistered", b.rollup_id, data.dump());
  }

 private:
  static constexpr std::array<BaseTxKind, 1> kKinds = {BaseTxKind::register_rollup};
};

// ---- bridge -------------------------------------------------------------------------------

class BridgeModule final : public Module {
 public:
  [[nodiscard]] std::string_view name() const override { return kBridge; }
  [[nodiscard]] std::span<const BaseTxKind> kinds() const override { return kKinds; }

  Status<ChainError> execute(TxContext& ctx, const BaseTx& tx) override {
    if (const auto* d = std::get_if<DepositBody>(&tx.body)) return deposit(ctx, *d);
    if (const auto* f = std::get_if<ForceTxBody>(&tx.body)) return force_tx(ctx, *f);
    return finalize_withdrawal(ctx, std::get<FinalizeWithdrawalBody>(tx.body));
  }

 private:
  static constexpr std::array<BaseTxKind, 3> kKinds = {BaseTxKind::deposit, BaseTxKind::force_tx,
                                                       BaseTxKind::finalize_withdrawal};

  static Status<ChainError> set_locked_and_counts(TxContext& ctx, ChainId id, const RollupRow& r) {
    auto q = ctx.store().query(
        "UPDATE rollups SET locked = ?2, deposit_count = ?3, forced_count = ?4 WHERE rollup_id = ?1");
    if (!q) return make_error(storage_error(q.error()));
    q->bind(1, to_db(id.value()))
        .bind(2, to_db(r.locked.value()))
        .bind(3, to_db(r.deposit_count))
        .bind(4, to_db(r.forced_count));
    return run(*q);
  }

  static Status<ChainError> deposit(TxContext& ctx, const DepositBody& d) {
    auto r = require_rollup(ctx.store(), d.rollup_id);
    if (!r) return make_error(r.error());
    if (d.amount.is_zero())
      return make_error(refuse(Refusal::zero_amount, "a deposit must move a positive amount"));
    if (auto s = ctx.debit(ctx.sender(), d.amount); !s) return s;
    auto locked = r->locked.checked_add(d.amount);
    if (!locked || *locked > kMaxSupply)
      return make_error(
          refuse(Refusal::overflow, "rollup " + id_str(d.rollup_id) + "'s locked total would overflow"));
    const std::uint64_t index = r->deposit_count;
    auto q = ctx.store().query(
        "INSERT INTO deposits (rollup_id, idx, recipient, amount, timestamp, tx_hash) VALUES (?1, ?2, ?3, "
        "?4, ?5, ?6)");
    if (!q) return make_error(storage_error(q.error()));
    q->bind(1, to_db(d.rollup_id.value()))
        .bind(2, to_db(index))
        .bind(3, d.recipient.view())
        .bind(4, to_db(d.amount.value()))
        .bind(5, ctx.now())
        .bind(6, ctx.tx_hash().view());
    if (auto s = run(*q); !s) return s;
    r->locked = *locked;
    r->deposit_count = index + 1;
    if (auto s = set_locked_and_counts(ctx, d.rollup_id, *r); !s) return s;
    json data = {{"index", index},
                 {"from", ctx.sender().hex()},
                 {"recipient", d.recipient.hex()},
                 {"amount", d.amount.to_string()},
                 {"timestamp", ctx.now()}};
    return ctx.emit(kBridge, "Deposit", d.rollup_id, data.dump());
  }

  static Status<ChainError> force_tx(TxContext& ctx, const ForceTxBody& f) {
    auto r = require_rollup(ctx.store(), f.rollup_id);
    if (!r) return make_error(r.error());
    // The rollup's own signature rule, under the rollup's chain id: only the key holder
    // can force a tx, so the queue can't be stuffed with txs of other people's accounts.
    if (!rollup::verify_tx_signature(f.tx, f.rollup_id, ctx.sender()))
      return make_error(refuse(Refusal::bad_tx_signature, "the rollup tx is not signed by the sender " +
                                                              ctx.sender().hex() + " for rollup " +
                                                              id_str(f.rollup_id)));
    const std::uint64_t index = r->forced_count;
    const Bytes wire = rollup::encode_tx(f.tx);
    auto q = ctx.store().query(
        "INSERT INTO forced_txs (rollup_id, idx, tx, timestamp, tx_hash) VALUES (?1, ?2, ?3, ?4, ?5)");
    if (!q) return make_error(storage_error(q.error()));
    q->bind(1, to_db(f.rollup_id.value()))
        .bind(2, to_db(index))
        .bind(3, ByteView(wire))
        .bind(4, ctx.now())
        .bind(5, ctx.tx_hash().view());
    if (auto s = run(*q); !s) return s;
    r->forced_count = index + 1;
    if (auto s = set_locked_and_counts(ctx, f.rollup_id, *r); !s) return s;
    json data = {{"index", index},
                 {"from", ctx.sender().hex()},
                 {"type", std::string(rollup::to_string(rollup::tx_type(f.tx)))},
                 {"rollup_tx_hash", rollup::tx_hash(f.rollup_id, f.tx).hex()},
                 {"timestamp", ctx.now()}};
    return ctx.emit(kBridge, "ForcedTx", f.rollup_id, data.dump());
  }

  static Status<ChainError> finalize_withdrawal(TxContext& ctx, const FinalizeWithdrawalBody& w) {
    auto r = require_rollup(ctx.store(), w.rollup_id);
    if (!r) return make_error(r.error());
    auto c = find_commitment(ctx.view(), CommitmentQuery{w.rollup_id, w.batch, false});
    if (!c) return make_error(c.error());
    if (!*c)
      return make_error(refuse(Refusal::no_commitment, "rollup " + id_str(w.rollup_id) + " has no batch " +
                                                           std::to_string(w.batch.value())));
    const CommitmentEntry& entry = **c;
    if (!entry.is_final)
      return make_error(refuse(Refusal::not_final, "batch " + std::to_string(w.batch.value()) +
                                                       " is not final before " +
                                                       std::to_string(entry.final_at) + " (now " +
                                                       std::to_string(ctx.now()) + ")"));
    if (!verify_merkle_proof(entry.commitment.header.new_root, rollup::account_leaf_hash(w.leaf), w.proof))
      return make_error(refuse(Refusal::bad_proof, "the leaf is not at index " +
                                                       std::to_string(w.proof.index) + " under batch " +
                                                       std::to_string(w.batch.value()) + "'s root"));
    auto paid = withdrawn_total(ctx.view(), w.rollup_id, w.leaf.pubkey);
    if (!paid) return make_error(paid.error());
    auto owed = w.leaf.withdrawn.checked_sub(*paid);
    if (!owed || owed->is_zero())
      return make_error(refuse(Refusal::nothing_to_claim, "the leaf proves " + w.leaf.withdrawn.to_string() +
                                                              " withdrawn and " + paid->to_string() +
                                                              " was already paid"));
    auto locked = r->locked.checked_sub(*owed);
    if (!locked)
      return make_error(refuse(Refusal::bridge_insolvent, "rollup " + id_str(w.rollup_id) + " has only " +
                                                              r->locked.to_string() + " locked, " +
                                                              owed->to_string() + " claimed"));
    r->locked = *locked;
    if (auto s = set_locked_and_counts(ctx, w.rollup_id, *r); !s) return s;
    if (auto s = ctx.credit(w.leaf.pubkey, *owed); !s) return s;
    auto q = ctx.store().query(
        "INSERT INTO withdrawals (rollup_id, account, paid) VALUES (?1, ?2, ?3) "
        "ON CONFLICT (rollup_id, account) DO UPDATE SET paid = excluded.paid");
    if (!q) return make_error(storage_error(q.error()));
    q->bind(1, to_db(w.rollup_id.value()))
        .bind(2, w.leaf.pubkey.view())
        .bind(3, to_db(w.leaf.withdrawn.value()));
    if (auto s = run(*q); !s) return s;
    json data = {{"account", w.leaf.pubkey.hex()},
                 {"batch", w.batch.value()},
                 {"amount", owed->to_string()},
                 {"withdrawn_total", w.leaf.withdrawn.to_string()}};
    return ctx.emit(kBridge, "WithdrawalFinalized", w.rollup_id, data.dump());
  }
};

// ---- commitments --------------------------------------------------------------------------

class CommitmentModule final : public Module {
 public:
  [[nodiscard]] std::string_view name() const override { return kCommitments; }
  [[nodiscard]] std::span<const BaseTxKind> kinds() const override { return kKinds; }

  Status<ChainError> execute(TxContext& ctx, const BaseTx& tx) override {
    const Commitment& c = std::get<CommitBatchBody>(tx.body).commitment;
    const CommitmentHeader& h = c.header;
    auto r = require_rollup(ctx.store(), h.rollup_id);
    if (!r) return make_error(r.error());
    if (ctx.sender() != r->sequencer)
      return make_error(refuse(
          Refusal::not_sequencer,
          "only rollup " + id_str(h.rollup_id) + "'s sequencer " + r->sequencer.hex() + " may commit"));
    if (h.mode != SettlementMode::optimistic)
      return make_error(refuse(Refusal::mode_unsupported,
                               "only optimistic commitments are accepted (no validity prover yet)"));
    auto tip = commitment_tip(ctx.store(), h.rollup_id, r->genesis_root);
    if (!tip) return make_error(tip.error());
    if (h.batch.value() != tip->batch.value() + 1)
      return make_error(refuse(Refusal::wrong_batch, "expected batch " +
                                                         std::to_string(tip->batch.value() + 1) + ", got " +
                                                         std::to_string(h.batch.value())));
    if (h.prev_root != tip->root)
      return make_error(
          refuse(Refusal::wrong_prev_root,
                 "prev_root " + h.prev_root.hex() + " is not the last accepted root " + tip->root.hex()));
    if (c.payload.size() > kMaxPayloadBytes)
      return make_error(refuse(Refusal::payload_too_large, "payload of " + std::to_string(c.payload.size()) +
                                                               " bytes is over " +
                                                               std::to_string(kMaxPayloadBytes)));
    if (payload_hash(c.payload) != h.payload_hash)
      return make_error(refuse(Refusal::payload_hash_mismatch, "payload_hash is not the payload's hash"));
    auto txs = open_payload(c.payload);
    if (!txs)
      return make_error(refuse(Refusal::bad_payload, "payload does not open: " + txs.error().message));
    if (txs->size() != h.applied_txs)
      return make_error(refuse(Refusal::applied_count_mismatch,
                               "payload holds " + std::to_string(txs->size()) + " txs, applied_txs says " +
                                   std::to_string(h.applied_txs)));
    const std::int64_t threshold = ctx.now() - static_cast<std::int64_t>(r->inclusion_deadline_s);
    if (auto s =
            check_queue(ctx,
                        QueueCheck{"deposits", h.deposits_upto, tip->deposits_upto, r->deposit_count,
                                   "SELECT count(*) FROM deposits WHERE rollup_id = ?1 AND timestamp <= ?2",
                                   Refusal::deposit_deadline_missed},
                        h.rollup_id, threshold);
        !s)
      return s;
    if (auto s =
            check_queue(ctx,
                        QueueCheck{"forced", h.forced_upto, tip->forced_upto, r->forced_count,
                                   "SELECT count(*) FROM forced_txs WHERE rollup_id = ?1 AND timestamp <= ?2",
                                   Refusal::forced_deadline_missed},
                        h.rollup_id, threshold);
        !s)
      return s;
    auto q = ctx.store().query(
        "INSERT INTO commitments (rollup_id, batch, prev_root, new_root, applied_txs, payload_hash, "
        "deposits_upto, "
        "forced_upto, mode, payload, posted_at, tx_hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
        "?11, ?12)");
    if (!q) return make_error(storage_error(q.error()));
    q->bind(1, to_db(h.rollup_id.value()))
        .bind(2, to_db(h.batch.value()))
        .bind(3, h.prev_root.view())
        .bind(4, h.new_root.view())
        .bind(5, std::int64_t{h.applied_txs})
        .bind(6, h.payload_hash.view())
        .bind(7, to_db(h.deposits_upto))
        .bind(8, to_db(h.forced_upto))
        .bind(9, std::int64_t{static_cast<std::uint8_t>(h.mode)})
        .bind(10, ByteView(c.payload))
        .bind(11, ctx.now())
        .bind(12, ctx.tx_hash().view());
    if (auto s = run(*q); !s) return s;
    json data = {{"batch", h.batch.value()},
                 {"prev_root", h.prev_root.hex()},
                 {"new_root", h.new_root.hex()},
                 {"applied_txs", h.applied_txs},
                 {"payload_hash", h.payload_hash.hex()},
                 {"deposits_upto", h.deposits_upto},
                 {"forced_upto", h.forced_upto},
                 {"mode", std::string(to_string(h.mode))},
                 {"commitment_id", commitment_id(h).hex()},
                 {"posted_at", ctx.now()},
                 {"final_at", ctx.now() + static_cast<std::int64_t>(r->challenge_window_s)}};
    return ctx.emit(kCommitments, "BatchCommitted", h.rollup_id, data.dump());
  }

 private:
  static constexpr std::array<BaseTxKind, 1> kKinds = {BaseTxKind::commit_batch};

  struct QueueCheck {
    std::string_view queue;
    std::uint64_t upto;        // what the commitment claims
    std::uint64_t previous;    // what the previous commitment consumed
    std::uint64_t length;      // entries ever queued
    std::string_view due_sql;  // counts the entries past the deadline
    Refusal deadline_refusal;
  };

  static Status<ChainError> check_queue(TxContext& ctx, const QueueCheck& c, ChainId id,
                                        std::int64_t threshold) {
    const std::string field = c.queue == "deposits" ? "deposits_upto" : "forced_upto";
    if (c.upto < c.previous)
      return make_error(refuse(Refusal::queue_regress, field + " " + std::to_string(c.upto) +
                                                           " is below the previous batch's " +
                                                           std::to_string(c.previous)));
    if (c.upto > c.length)
      return make_error(refuse(Refusal::queue_overrun, field + " " + std::to_string(c.upto) +
                                                           " is beyond the " + std::string(c.queue) +
                                                           " queue's length " + std::to_string(c.length)));
    auto due = due_count(ctx.store(), c.due_sql, id, threshold);
    if (!due) return make_error(due.error());
    if (c.upto < *due)
      return make_error(refuse(c.deadline_refusal, field + " " + std::to_string(c.upto) + " leaves out " +
                                                       std::string(c.queue) +
                                                       " entries past the inclusion deadline (" +
                                                       std::to_string(*due) + " are due)"));
    return {};
  }
};

}  // namespace

std::span<const char* const> module_migrations() { return kModuleMigrations; }

std::vector<std::unique_ptr<Module>> builtin_modules() {
  std::vector<std::unique_ptr<Module>> out;
  out.push_back(std::make_unique<RegistryModule>());
  out.push_back(std::make_unique<BridgeModule>());
  out.push_back(std::make_unique<CommitmentModule>());
  return out;
}

Result<std::optional<BatchNumber>, ChainError> first_disputed_batch(const ChainView& /*view*/,
                                                                    ChainId /*rollup*/) {
  // The rollup dispute game will answer from its own tables here.
  return std::optional<BatchNumber>();
}

Result<std::optional<RollupEntry>, ChainError> find_rollup(const ChainView& view, ChainId rollup) {
  auto r = read_rollup(view.store, rollup);
  if (!r) return make_error(r.error());
  if (!*r) return std::optional<RollupEntry>();
  const RollupRow& row = **r;
  RollupEntry e;
  e.rollup_id = rollup;
  e.sequencer = row.sequencer;
  e.operator_key = row.operator_key;
  e.genesis_root = row.genesis_root;
  e.challenge_window_s = row.challenge_window_s;
  e.inclusion_deadline_s = row.inclusion_deadline_s;
  e.deposit_count = row.deposit_count;
  e.forced_count = row.forced_count;
  e.locked = row.locked;
  e.registered_at = row.registered_at;
  e.tx_hash = row.tx_hash;
  auto tip = commitment_tip(view.store, rollup, row.genesis_root);
  if (!tip) return make_error(tip.error());
  e.last_batch = tip->batch;
  e.last_root = tip->root;
  auto fin = last_final_batch(view, rollup, row.challenge_window_s);
  if (!fin) return make_error(fin.error());
  e.last_final = *fin;
  return std::optional<RollupEntry>(std::move(e));
}

Result<std::vector<DepositEntry>, ChainError> list_deposits(const ChainView& view, ChainId rollup,
                                                            std::uint64_t from, std::uint32_t limit) {
  auto q = view.store.query(
      "SELECT idx, recipient, amount, timestamp, tx_hash FROM deposits WHERE rollup_id = ?1 AND idx >= ?2 "
      "ORDER BY idx LIMIT ?3");
  if (!q) return make_error(storage_error(q.error()));
  q->bind(1, to_db(rollup.value())).bind(2, to_db(from)).bind(3, std::int64_t{limit});
  std::vector<DepositEntry> out;
  for (;;) {
    auto r = q->next();
    if (!r) return make_error(storage_error(r.error()));
    if (!*r) break;
    const Statement& row = q->row();
    out.push_back(DepositEntry{from_db(row.column_int(0)), PublicKey::from_view(row.column_blob(1)),
                               Amount(from_db(row.column_int(2))), row.column_int(3),
                               Hash32::from_view(row.column_blob(4))});
  }
  return out;
}

Result<std::vector<ForcedEntry>, ChainError> list_forced(const ChainView& view, ChainId rollup,
                                                         std::uint64_t from, std::uint32_t limit) {
  auto q = view.store.query(
      "SELECT idx, tx, timestamp, tx_hash FROM forced_txs WHERE rollup_id = ?1 AND idx >= ?2 ORDER BY idx "
      "LIMIT ?3");
  if (!q) return make_error(storage_error(q.error()));
  q->bind(1, to_db(rollup.value())).bind(2, to_db(from)).bind(3, std::int64_t{limit});
  std::vector<ForcedEntry> out;
  for (;;) {
    auto r = q->next();
    if (!r) return make_error(storage_error(r.error()));
    if (!*r) break;
    const Statement& row = q->row();
    auto tx = rollup::decode_tx(row.column_blob(1));
    if (!tx) {
      ChainError e;
      e.code = ChainErrorCode::corrupt;
      e.message = "stored forced tx does not decode";
      return make_error(std::move(e));
    }
    out.push_back(ForcedEntry{from_db(row.column_int(0)), std::move(*tx), row.column_int(2),
                              Hash32::from_view(row.column_blob(3))});
  }
  return out;
}

Result<std::optional<CommitmentEntry>, ChainError> find_commitment(const ChainView& view,
                                                                   const CommitmentQuery& cq) {
  auto r = read_rollup(view.store, cq.rollup_id);
  if (!r) return make_error(r.error());
  if (!*r) return std::optional<CommitmentEntry>();
  auto q = view.store.query(
      "SELECT c.prev_root, c.new_root, c.applied_txs, c.payload_hash, c.deposits_upto, c.forced_upto, "
      "c.mode, "
      "CASE WHEN ?3 THEN c.payload ELSE x'' END, c.posted_at, c.tx_hash, t.block "
      "FROM commitments c JOIN txs t ON t.hash = c.tx_hash WHERE c.rollup_id = ?1 AND c.batch = ?2");
  if (!q) return make_error(storage_error(q.error()));
  auto row_ok = q->bind(1, to_db(cq.rollup_id.value()))
                    .bind(2, to_db(cq.batch.value()))
                    .bind(3, std::int64_t{cq.with_payload ? 1 : 0})
                    .next();
  if (!row_ok) return make_error(storage_error(row_ok.error()));
  if (!*row_ok) return std::optional<CommitmentEntry>();
  const Statement& row = q->row();
  CommitmentEntry e;
  CommitmentHeader& h = e.commitment.header;
  h.rollup_id = cq.rollup_id;
  h.batch = cq.batch;
  h.prev_root = Hash32::from_view(row.column_blob(0));
  h.new_root = Hash32::from_view(row.column_blob(1));
  h.applied_txs = static_cast<std::uint32_t>(row.column_int(2));
  h.payload_hash = Hash32::from_view(row.column_blob(3));
  h.deposits_upto = from_db(row.column_int(4));
  h.forced_upto = from_db(row.column_int(5));
  h.mode = row.column_int(6) == 0 ? SettlementMode::optimistic : SettlementMode::validity;
  ByteView payload = row.column_blob(7);
  e.commitment.payload.assign(payload.begin(), payload.end());
  e.posted_at = row.column_int(8);
  e.tx_hash = Hash32::from_view(row.column_blob(9));
  if (!row.column_is_null(10)) e.block = BlockNumber(from_db(row.column_int(10)));
  e.final_at = e.posted_at + static_cast<std::int64_t>((*r)->challenge_window_s);
  auto fin = last_final_batch(view, cq.rollup_id, (*r)->challenge_window_s);
  if (!fin) return make_error(fin.error());
  e.is_final = cq.batch <= *fin;
  return std::optional<CommitmentEntry>(std::move(e));
}

Result<Amount, ChainError> withdrawn_total(const ChainView& view, ChainId rollup, const PublicKey& account) {
  auto q = view.store.query("SELECT paid FROM withdrawals WHERE rollup_id = ?1 AND account = ?2");
  if (!q) return make_error(storage_error(q.error()));
  auto r = q->bind(1, to_db(rollup.value())).bind(2, account.view()).next();
  if (!r) return make_error(storage_error(r.error()));
  if (!*r) return Amount();
  return Amount(from_db(q->row().column_int(0)));
}

}  // namespace l2::settlement
