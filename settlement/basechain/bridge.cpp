// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
#include "settlement/basechain/bridge.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <string>
#include <utility>

#include "common/merkle.hpp"
#include "rollup/account.hpp"
#include "settlement/basechain/commitments.hpp"
#include "settlement/basechain/registry.hpp"

namespace l2::settlement::bridge {

namespace {

using json = nlohmann::json;
using registry::id_str;

// Step 1 is the bridge's part of the first shipped schema, unchanged.
constexpr const char* kMigrations[] = {
    R"sql(
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

)sql",
    // Step 2: deposits by index (docs/basechain.md, "Bridge"). Each deposit names the
    // rollup account it credits: the index its recipient key already has in that
    // rollup, or the next free one. The operator's key is account 0 (genesis); the
    // others are numbered from 1 in the order of their first deposit, which is also
    // how the existing queue entries are numbered here.
    R"sql(
CREATE TABLE bridge_accounts (
  rollup_id INTEGER NOT NULL REFERENCES rollups (rollup_id),
  pubkey    BLOB NOT NULL CHECK (length(pubkey) = 32),
  idx       INTEGER NOT NULL CHECK (idx >= 1 AND idx <= 4294967295),
  PRIMARY KEY (rollup_id, pubkey),
  UNIQUE (rollup_id, idx)
) STRICT, WITHOUT ROWID;
CREATE TRIGGER bridge_accounts_dense BEFORE INSERT ON bridge_accounts
WHEN NEW.idx IS NOT 1 + (SELECT count(*) FROM bridge_accounts WHERE rollup_id = NEW.rollup_id)
BEGIN SELECT RAISE(ABORT, 'bridge accounts are numbered without gaps'); END;
CREATE TRIGGER bridge_accounts_fixed BEFORE UPDATE ON bridge_accounts
BEGIN SELECT RAISE(ABORT, 'a bridge account index never changes'); END;
INSERT INTO bridge_accounts (rollup_id, pubkey, idx)
  SELECT rollup_id, recipient, ROW_NUMBER() OVER (PARTITION BY rollup_id ORDER BY first_idx)
  FROM (SELECT d.rollup_id AS rollup_id, d.recipient AS recipient, min(d.idx) AS first_idx
        FROM deposits d JOIN rollups r ON r.rollup_id = d.rollup_id
        WHERE d.recipient != r.operator_key GROUP BY d.rollup_id, d.recipient)
  ORDER BY rollup_id, first_idx;
ALTER TABLE deposits ADD COLUMN account INTEGER NOT NULL DEFAULT 0 CHECK (account >= 0 AND account <= 4294967295);
UPDATE deposits SET account = coalesce((SELECT b.idx FROM bridge_accounts b WHERE b.rollup_id = deposits.rollup_id
                                        AND b.pubkey = deposits.recipient), 0);
)sql",
};

// The rollup account a deposit to `key` credits, creating its index if the key is new
// (nullopt: the rollup has 2^32 accounts already).
Result<std::optional<AccountIndex>, ChainError> account_for(Store& store, ChainId rollup,
                                                            const registry::RollupRow& r,
                                                            const PublicKey& key) {
  if (key == r.operator_key) return std::optional<AccountIndex>(AccountIndex(0));
  auto q = store.query("SELECT idx FROM bridge_accounts WHERE rollup_id = ?1 AND pubkey = ?2");
  if (!q) return make_error(storage_error(q.error()));
  auto found = q->bind(1, to_db(rollup.value())).bind(2, key.view()).next();
  if (!found) return make_error(storage_error(found.error()));
  if (*found)
    return std::optional<AccountIndex>(AccountIndex(static_cast<std::uint32_t>(q->row().column_int(0))));
  auto c = store.query("SELECT count(*) FROM bridge_accounts WHERE rollup_id = ?1");
  if (!c) return make_error(storage_error(c.error()));
  auto counted = c->bind(1, to_db(rollup.value())).next();
  if (!counted) return make_error(storage_error(counted.error()));
  const std::uint64_t next = from_db(c->row().column_int(0)) + 1;
  if (next > 0xFFFFFFFFull) return std::optional<AccountIndex>();
  auto ins = store.query("INSERT INTO bridge_accounts (rollup_id, pubkey, idx) VALUES (?1, ?2, ?3)");
  if (!ins) return make_error(storage_error(ins.error()));
  ins->bind(1, to_db(rollup.value())).bind(2, key.view()).bind(3, to_db(next));
  if (auto s = ins->run(); !s) return make_error(storage_error(s.error()));
  return std::optional<AccountIndex>(AccountIndex(static_cast<std::uint32_t>(next)));
}

constexpr std::array<std::string_view, 2> kRequires = {registry::kName, commitments::kName};

// How many entries of a queue are older than the inclusion deadline (must be consumed).
Result<std::uint64_t, ChainError> due_count(Store& store, std::string_view sql, ChainId id,
                                            ChainTime threshold) {
  auto q = store.query(sql);
  if (!q) return make_error(storage_error(q.error()));
  auto r = q->bind(1, to_db(id.value())).bind(2, threshold.value()).next();
  if (!r) return make_error(storage_error(r.error()));
  return from_db(q->row().column_int(0));
}

Status<ChainError> run(Store::Query& q) {
  if (auto s = q.run(); !s) return make_error(storage_error(s.error()));
  return {};
}

json rollup_json(const RollupEntry& r) {
  return {{"rollup_id", r.rollup_id.value()},
          {"sequencer", r.sequencer.hex()},
          {"operator_key", r.operator_key.hex()},
          {"genesis_root", r.genesis_root.hex()},
          {"challenge_window_s", r.challenge_window_s.value()},
          {"inclusion_deadline_s", r.inclusion_deadline_s.value()},
          {"bond", r.disputes.bond.to_string()},
          {"dispute_clock_s", r.disputes.clock_s.value()},
          {"deposit_count", r.deposit_count},
          {"forced_count", r.forced_count},
          {"last_batch", r.last_batch.value()},
          {"last_root", r.last_root.hex()},
          {"last_final", r.last_final.value()},
          {"locked", r.locked.to_string()},
          {"registered_at", r.registered_at.value()},
          {"tx_hash", r.tx_hash.hex()}};
}

class BridgeModule final : public Module, public commitments::CommitmentRule {
 public:
  [[nodiscard]] std::string_view name() const override { return kName; }
  [[nodiscard]] std::span<const std::string_view> requires_modules() const override { return kRequires; }
  [[nodiscard]] std::span<const char* const> migrations() const override { return kMigrations; }
  [[nodiscard]] int legacy_version() const override { return 1; }
  [[nodiscard]] std::span<const BaseTxKind> kinds() const override { return kKinds; }
  [[nodiscard]] std::span<const Refusal> refusals() const override { return kRefusals; }

  Status<ChainError> execute(TxContext& ctx, const BaseTx& tx) override {
    if (const auto* d = std::get_if<DepositBody>(&tx.body)) return deposit(ctx, *d);
    if (const auto* f = std::get_if<ForceTxBody>(&tx.body)) return force_tx(ctx, *f);
    return finalize_withdrawal(ctx, std::get<FinalizeWithdrawalBody>(tx.body));
  }

  Status<ChainError> check_commitment(TxContext& ctx, const commitments::Proposal& p) const override {
    const ChainTime threshold = ctx.now() - p.rollup.inclusion_deadline_s;
    // A queue of n entries ends at position n.
    if (auto s = check_queue(ctx,
                             QueueCheck<DepositQueueTag>{
                                 "deposits", p.header.deposits_upto, p.previous.deposits_upto,
                                 DepositPosition(p.rollup.deposit_count),
                                 "SELECT count(*) FROM deposits WHERE rollup_id = ?1 AND timestamp <= ?2",
                                 kDepositDeadlineMissed},
                             p.header.rollup_id, threshold);
        !s)
      return s;
    return check_queue(
        ctx,
        QueueCheck<ForcedQueueTag>{"forced", p.header.forced_upto, p.previous.forced_upto,
                                   ForcedPosition(p.rollup.forced_count),
                                   "SELECT count(*) FROM forced_txs WHERE rollup_id = ?1 AND timestamp <= ?2",
                                   kForcedDeadlineMissed},
        p.header.rollup_id, threshold);
  }

  [[nodiscard]] std::vector<RpcMethod> rpc_methods() const override {
    return {
        {"bridge_getRollup", {[](RpcCall& c, const json& params) {
           RpcParams p(params, {"rollup_id"});
           const ChainId id(p.u64("rollup_id"));
           auto r = unwrap(c.chain.read([&](const ChainView& v) { return find_rollup(v, id); }), c);
           return r ? rollup_json(*r) : json(nullptr);
         }}},
        {"bridge_getDeposits", {[](RpcCall& c, const json& params) {
           RpcParams p(params, {"rollup_id", "from", "limit"});
           const ChainId id(p.u64("rollup_id"));
           const DepositPosition from(p.u64("from"));
           const std::uint32_t limit = list_limit(p, c.options);
           auto list =
               unwrap(c.chain.read([&](const ChainView& v) { return list_deposits(v, id, from, limit); }), c);
           json out = json::array();
           for (const auto& d : list)
             out.push_back({{"index", d.index.value()},
                            {"recipient", d.recipient.hex()},
                            {"account_index", d.account.value()},
                            {"amount", d.amount.to_string()},
                            {"timestamp", d.timestamp.value()},
                            {"tx_hash", d.tx_hash.hex()}});
           return out;
         }}},
        {"bridge_getForcedTxs", {[](RpcCall& c, const json& params) {
           RpcParams p(params, {"rollup_id", "from", "limit"});
           const ChainId id(p.u64("rollup_id"));
           const ForcedPosition from(p.u64("from"));
           const std::uint32_t limit = list_limit(p, c.options);
           auto list =
               unwrap(c.chain.read([&](const ChainView& v) { return list_forced(v, id, from, limit); }), c);
           json out = json::array();
           for (const auto& f : list)
             out.push_back({{"index", f.index.value()},
                            {"tx", to_hex(rollup::encode_tx(f.tx))},
                            {"timestamp", f.timestamp.value()},
                            {"tx_hash", f.tx_hash.hex()}});
           return out;
         }}},
        {"bridge_getWithdrawn", {[](RpcCall& c, const json& params) {
           RpcParams p(params, {"rollup_id", "account"});
           const ChainId id(p.u64("rollup_id"));
           const auto account = p.fixed<PublicKey>("account");
           auto a =
               unwrap(c.chain.read([&](const ChainView& v) { return withdrawn_total(v, id, account); }), c);
           return json(a.to_string());
         }}},
    };
  }

 private:
  static constexpr std::array<BaseTxKind, 3> kKinds = {BaseTxKind::deposit, BaseTxKind::force_tx,
                                                       BaseTxKind::finalize_withdrawal};
  static constexpr std::array<Refusal, 13> kRefusals = {core_refusal::kZeroAmount,
                                                        core_refusal::kOverflow,
                                                        registry::kUnknownRollup,
                                                        kBadTxSignature,
                                                        kNoCommitment,
                                                        kNotFinal,
                                                        kBadProof,
                                                        kNothingToClaim,
                                                        kBridgeInsolvent,
                                                        kQueueRegress,
                                                        kQueueOverrun,
                                                        kDepositDeadlineMissed,
                                                        kForcedDeadlineMissed};

  static Status<ChainError> deposit(TxContext& ctx, const DepositBody& d) {
    auto r = registry::require_rollup(ctx.store(), d.rollup_id);
    if (!r) return make_error(r.error());
    if (d.amount.is_zero())
      return make_error(refuse(core_refusal::kZeroAmount, "a deposit must move a positive amount"));
    if (auto s = ctx.debit(ctx.sender(), d.amount); !s) return s;
    auto locked = r->locked.checked_add(d.amount);
    if (!locked || *locked > kMaxSupply)
      return make_error(refuse(core_refusal::kOverflow,
                               "rollup " + id_str(d.rollup_id) + "'s locked total would overflow"));
    const DepositPosition index(r->deposit_count);  // appended at the queue's end
    auto account = account_for(ctx.store(), d.rollup_id, *r, d.recipient);
    if (!account) return make_error(account.error());
    if (!*account)
      return make_error(
          refuse(core_refusal::kOverflow, "rollup " + id_str(d.rollup_id) + " has 2^32 accounts"));
    auto q = ctx.store().query(
        "INSERT INTO deposits (rollup_id, idx, recipient, amount, timestamp, tx_hash, account) VALUES (?1, "
        "?2, "
        "?3, ?4, ?5, ?6, ?7)");
    if (!q) return make_error(storage_error(q.error()));
    q->bind(1, to_db(d.rollup_id.value()))
        .bind(2, to_db(index.value()))
        .bind(3, d.recipient.view())
        .bind(4, to_db(d.amount.value()))
        .bind(5, ctx.now().value())
        .bind(6, ctx.tx_hash().view())
        .bind(7, to_db((**account).value()));
    if (auto s = run(*q); !s) return s;
    r->locked = *locked;
    ++r->deposit_count;
    if (auto s = registry::write_bridge_totals(ctx.store(), d.rollup_id, *r); !s) return s;
    json data = {{"index", index.value()},         {"from", ctx.sender().hex()},
                 {"recipient", d.recipient.hex()}, {"account_index", (**account).value()},
                 {"amount", d.amount.to_string()}, {"timestamp", ctx.now().value()}};
    return ctx.emit(kName, "Deposit", d.rollup_id, data.dump());
  }

  static Status<ChainError> force_tx(TxContext& ctx, const ForceTxBody& f) {
    auto r = registry::require_rollup(ctx.store(), f.rollup_id);
    if (!r) return make_error(r.error());
    // The rollup's own signature rule, under the rollup's chain id: only the key holder
    // can force a tx, so the queue can't be stuffed with txs of other people's accounts.
    if (!rollup::verify_tx_signature(f.tx, f.rollup_id, ctx.sender()))
      return make_error(refuse(kBadTxSignature, "the rollup tx is not signed by the sender " +
                                                    ctx.sender().hex() + " for rollup " +
                                                    id_str(f.rollup_id)));
    const ForcedPosition index(r->forced_count);  // appended at the queue's end
    const Bytes wire = rollup::encode_tx(f.tx);
    auto q = ctx.store().query(
        "INSERT INTO forced_txs (rollup_id, idx, tx, timestamp, tx_hash) VALUES (?1, ?2, ?3, ?4, ?5)");
    if (!q) return make_error(storage_error(q.error()));
    q->bind(1, to_db(f.rollup_id.value()))
        .bind(2, to_db(index.value()))
        .bind(3, ByteView(wire))
        .bind(4, ctx.now().value())
        .bind(5, ctx.tx_hash().view());
    if (auto s = run(*q); !s) return s;
    ++r->forced_count;
    if (auto s = registry::write_bridge_totals(ctx.store(), f.rollup_id, *r); !s) return s;
    json data = {{"index", index.value()},
                 {"from", ctx.sender().hex()},
                 {"type", std::string(rollup::to_string(rollup::tx_type(f.tx)))},
                 {"rollup_tx_hash", rollup::tx_hash(f.rollup_id, f.tx).hex()},
                 {"timestamp", ctx.now().value()}};
    return ctx.emit(kName, "ForcedTx", f.rollup_id, data.dump());
  }

  static Status<ChainError> finalize_withdrawal(TxContext& ctx, const FinalizeWithdrawalBody& w) {
    auto r = registry::require_rollup(ctx.store(), w.rollup_id);
    if (!r) return make_error(r.error());
    auto c =
        commitments::find_commitment(ctx.view(), commitments::CommitmentQuery{w.rollup_id, w.batch, false});
    if (!c) return make_error(c.error());
    if (!*c)
      return make_error(refuse(kNoCommitment, "rollup " + id_str(w.rollup_id) + " has no batch " +
                                                  std::to_string(w.batch.value())));
    const commitments::CommitmentEntry& entry = **c;
    if (!entry.is_final)
      return make_error(refuse(kNotFinal, "batch " + std::to_string(w.batch.value()) +
                                              " is not final before " +
                                              std::to_string(entry.final_at.value()) + " (now " +
                                              std::to_string(ctx.now().value()) + ")"));
    if (!verify_merkle_proof(entry.commitment.header.new_root, rollup::account_leaf_hash(w.leaf), w.proof))
      return make_error(refuse(kBadProof, "the leaf is not at index " +
                                              std::to_string(w.proof.index.value()) + " under batch " +
                                              std::to_string(w.batch.value()) + "'s root"));
    auto paid = withdrawn_total(ctx.view(), w.rollup_id, w.leaf.pubkey);
    if (!paid) return make_error(paid.error());
    auto owed = w.leaf.withdrawn.checked_sub(*paid);
    if (!owed || owed->is_zero())
      return make_error(refuse(kNothingToClaim, "the leaf proves " + w.leaf.withdrawn.to_string() +
                                                    " withdrawn and " + paid->to_string() +
                                                    " was already paid"));
    auto locked = r->locked.checked_sub(*owed);
    if (!locked)
      return make_error(refuse(kBridgeInsolvent, "rollup " + id_str(w.rollup_id) + " has only " +
                                                     r->locked.to_string() + " locked, " + owed->to_string() +
                                                     " claimed"));
    r->locked = *locked;
    if (auto s = registry::write_bridge_totals(ctx.store(), w.rollup_id, *r); !s) return s;
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
    return ctx.emit(kName, "WithdrawalFinalized", w.rollup_id, data.dump());
  }

  template <class Tag>
  struct QueueCheck {
    std::string_view queue;
    QueuePosition<Tag> upto;      // what the commitment claims
    QueuePosition<Tag> previous;  // what the previous commitment consumed
    QueuePosition<Tag> end;       // the queue's end (its length)
    std::string_view due_sql;     // counts the entries past the deadline
    Refusal deadline_refusal;
  };

  template <class Tag>
  static Status<ChainError> check_queue(TxContext& ctx, const QueueCheck<Tag>& c, ChainId id,
                                        ChainTime threshold) {
    const std::string field = c.queue == "deposits" ? "deposits_upto" : "forced_upto";
    const std::string upto = std::to_string(c.upto.value());
    if (c.upto < c.previous)
      return make_error(refuse(kQueueRegress, field + " " + upto + " is below the previous batch's " +
                                                  std::to_string(c.previous.value())));
    if (c.upto > c.end)
      return make_error(refuse(kQueueOverrun, field + " " + upto + " is beyond the " + std::string(c.queue) +
                                                  " queue's length " + std::to_string(c.end.value())));
    // Timestamps never decrease along a queue, so the due entries are a prefix of it.
    auto due = due_count(ctx.store(), c.due_sql, id, threshold);
    if (!due) return make_error(due.error());
    if (c.upto < QueuePosition<Tag>(*due))
      return make_error(refuse(c.deadline_refusal, field + " " + upto + " leaves out " +
                                                       std::string(c.queue) +
                                                       " entries past the inclusion deadline (" +
                                                       std::to_string(*due) + " are due)"));
    return {};
  }
};

}  // namespace

Result<std::optional<RollupEntry>, ChainError> find_rollup(const ChainView& view, ChainId rollup) {
  auto r = registry::read_rollup(view.store, rollup);
  if (!r) return make_error(r.error());
  if (!*r) return std::optional<RollupEntry>();
  const registry::RollupRow& row = **r;
  RollupEntry e;
  e.rollup_id = rollup;
  e.sequencer = row.sequencer;
  e.operator_key = row.operator_key;
  e.genesis_root = row.genesis_root;
  e.challenge_window_s = row.challenge_window_s;
  e.inclusion_deadline_s = row.inclusion_deadline_s;
  e.disputes = row.disputes;
  e.deposit_count = row.deposit_count;
  e.forced_count = row.forced_count;
  e.locked = row.locked;
  e.registered_at = row.registered_at;
  e.tx_hash = row.tx_hash;
  auto tip = commitments::tip(view.store, rollup, row.genesis_root);
  if (!tip) return make_error(tip.error());
  e.last_batch = tip->batch;
  e.last_root = tip->root;
  auto fin = commitments::last_final_batch(view, rollup, row.challenge_window_s);
  if (!fin) return make_error(fin.error());
  e.last_final = *fin;
  return std::optional<RollupEntry>(std::move(e));
}

Result<std::vector<DepositEntry>, ChainError> list_deposits(const ChainView& view, ChainId rollup,
                                                            DepositPosition from, std::uint32_t limit) {
  auto q = view.store.query(
      "SELECT idx, recipient, amount, timestamp, tx_hash, account FROM deposits WHERE rollup_id = ?1 AND idx "
      ">= "
      "?2 "
      "ORDER BY idx LIMIT ?3");
  if (!q) return make_error(storage_error(q.error()));
  q->bind(1, to_db(rollup.value())).bind(2, to_db(from.value())).bind(3, std::int64_t{limit});
  std::vector<DepositEntry> out;
  for (;;) {
    auto r = q->next();
    if (!r) return make_error(storage_error(r.error()));
    if (!*r) break;
    const Statement& row = q->row();
    out.push_back(DepositEntry{
        DepositPosition(from_db(row.column_int(0))), PublicKey::from_view(row.column_blob(1)),
        AccountIndex(static_cast<std::uint32_t>(row.column_int(5))), Amount(from_db(row.column_int(2))),
        ChainTime(row.column_int(3)), Hash32::from_view(row.column_blob(4))});
  }
  return out;
}

Result<std::vector<ForcedEntry>, ChainError> list_forced(const ChainView& view, ChainId rollup,
                                                         ForcedPosition from, std::uint32_t limit) {
  auto q = view.store.query(
      "SELECT idx, tx, timestamp, tx_hash FROM forced_txs WHERE rollup_id = ?1 AND idx >= ?2 ORDER BY idx "
      "LIMIT ?3");
  if (!q) return make_error(storage_error(q.error()));
  q->bind(1, to_db(rollup.value())).bind(2, to_db(from.value())).bind(3, std::int64_t{limit});
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
    out.push_back(ForcedEntry{ForcedPosition(from_db(row.column_int(0))), std::move(*tx),
                              ChainTime(row.column_int(2)), Hash32::from_view(row.column_blob(3))});
  }
  return out;
}

Result<Amount, ChainError> withdrawn_total(const ChainView& view, ChainId rollup, const PublicKey& account) {
  auto q = view.store.query("SELECT paid FROM withdrawals WHERE rollup_id = ?1 AND account = ?2");
  if (!q) return make_error(storage_error(q.error()));
  auto r = q->bind(1, to_db(rollup.value())).bind(2, account.view()).next();
  if (!r) return make_error(storage_error(r.error()));
  if (!*r) return Amount();
  return Amount(from_db(q->row().column_int(0)));
}

std::shared_ptr<Module> module() { return std::make_shared<BridgeModule>(); }

}  // namespace l2::settlement::bridge
