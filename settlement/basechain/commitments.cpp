// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
#include "settlement/basechain/commitments.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <string>
#include <utility>

#include "settlement/payload.hpp"

namespace l2::settlement::commitments {

namespace {

using json = nlohmann::json;
using registry::id_str;

// Step 1 is the commitments' part of the first shipped schema, unchanged.
constexpr const char* kMigrations[] = {
    R"sql(
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

constexpr std::array<std::string_view, 1> kRequires = {registry::kName};

json commitment_json(const CommitmentEntry& e, bool with_payload) {
  const CommitmentHeader& h = e.commitment.header;
  json j = {{"rollup_id", h.rollup_id.value()},
            {"batch", h.batch.value()},
            {"prev_root", h.prev_root.hex()},
            {"new_root", h.new_root.hex()},
            {"applied_txs", h.applied_txs},
            {"payload_hash", h.payload_hash.hex()},
            {"deposits_upto", h.deposits_upto.value()},
            {"forced_upto", h.forced_upto.value()},
            {"mode", std::string(to_string(h.mode))},
            {"posted_at", e.posted_at.value()},
            {"block", block_or_null(e.block)},
            {"tx_hash", e.tx_hash.hex()},
            {"final", e.is_final},
            {"final_at", e.final_at.value()}};
  if (with_payload) j["payload"] = to_hex(e.commitment.payload);
  return j;
}

class CommitmentModule final : public Module {
 public:
  [[nodiscard]] std::string_view name() const override { return kName; }
  [[nodiscard]] std::span<const std::string_view> requires_modules() const override { return kRequires; }
  [[nodiscard]] std::span<const char* const> migrations() const override { return kMigrations; }
  [[nodiscard]] int legacy_version() const override { return 1; }
  [[nodiscard]] std::span<const BaseTxKind> kinds() const override { return kKinds; }
  [[nodiscard]] std::span<const Refusal> refusals() const override { return kRefusals; }

  [[nodiscard]] std::vector<RpcMethod> rpc_methods() const override {
    return {{"rollup_getCommitment", [](RpcCall& c, const json& params) {
               RpcParams p(params, {"rollup_id", "batch", "payload"});
               CommitmentQuery q{ChainId(p.u64("rollup_id")), BatchNumber(p.u64("batch")),
                                 p.boolean("payload", false)};
               auto e = unwrap(c.chain.read([&](const ChainView& v) { return find_commitment(v, q); }), c);
               return e ? commitment_json(*e, q.with_payload) : json(nullptr);
             }}};
  }

  Status<ChainError> execute(TxContext& ctx, const BaseTx& tx) override {
    const Commitment& c = std::get<CommitBatchBody>(tx.body).commitment;
    const CommitmentHeader& h = c.header;
    auto r = registry::require_rollup(ctx.store(), h.rollup_id);
    if (!r) return make_error(r.error());
    if (ctx.sender() != r->sequencer)
      return make_error(refuse(kNotSequencer, "only rollup " + id_str(h.rollup_id) + "'s sequencer " +
                                                  r->sequencer.hex() + " may commit"));
    if (h.mode != SettlementMode::optimistic)
      return make_error(
          refuse(kModeUnsupported, "only optimistic commitments are accepted (no validity prover yet)"));
    auto previous = tip(ctx.store(), h.rollup_id, r->genesis_root);
    if (!previous) return make_error(previous.error());
    if (h.batch.value() != previous->batch.value() + 1)
      return make_error(refuse(kWrongBatch, "expected batch " + std::to_string(previous->batch.value() + 1) +
                                                ", got " + std::to_string(h.batch.value())));
    if (h.prev_root != previous->root)
      return make_error(refuse(kWrongPrevRoot, "prev_root " + h.prev_root.hex() +
                                                   " is not the last accepted root " + previous->root.hex()));
    if (c.payload.size() > kMaxPayloadBytes)
      return make_error(refuse(kPayloadTooLarge, "payload of " + std::to_string(c.payload.size()) +
                                                     " bytes is over " + std::to_string(kMaxPayloadBytes)));
    if (payload_hash(c.payload) != h.payload_hash)
      return make_error(refuse(kPayloadHashMismatch, "payload_hash is not the payload's hash"));
    auto txs = open_payload(c.payload);
    if (!txs) return make_error(refuse(kBadPayload, "payload does not open: " + txs.error().message));
    if (txs->size() != h.applied_txs)
      return make_error(refuse(kAppliedCountMismatch, "payload holds " + std::to_string(txs->size()) +
                                                          " txs, applied_txs says " +
                                                          std::to_string(h.applied_txs)));
    const Proposal proposal{h, *r, *previous};
    for (const CommitmentRule* rule : ctx.view().modules.implementing<CommitmentRule>())
      if (auto s = rule->check_commitment(ctx, proposal); !s) return s;
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
        .bind(7, to_db(h.deposits_upto.value()))
        .bind(8, to_db(h.forced_upto.value()))
        .bind(9, std::int64_t{static_cast<std::uint8_t>(h.mode)})
        .bind(10, ByteView(c.payload))
        .bind(11, ctx.now().value())
        .bind(12, ctx.tx_hash().view());
    if (auto s = q->run(); !s) return make_error(storage_error(s.error()));
    json data = {{"batch", h.batch.value()},
                 {"prev_root", h.prev_root.hex()},
                 {"new_root", h.new_root.hex()},
                 {"applied_txs", h.applied_txs},
                 {"payload_hash", h.payload_hash.hex()},
                 {"deposits_upto", h.deposits_upto.value()},
                 {"forced_upto", h.forced_upto.value()},
                 {"mode", std::string(to_string(h.mode))},
                 {"commitment_id", commitment_id(h).hex()},
                 {"posted_at", ctx.now().value()},
                 {"final_at", (ctx.now() + r->challenge_window_s).value()}};
    return ctx.emit(kName, "BatchCommitted", h.rollup_id, data.dump());
  }

 private:
  static constexpr std::array<BaseTxKind, 1> kKinds = {BaseTxKind::commit_batch};
  static constexpr std::array<Refusal, 8> kRefusals = {
      kNotSequencer,    kModeUnsupported,     kWrongBatch, kWrongPrevRoot,
      kPayloadTooLarge, kPayloadHashMismatch, kBadPayload, kAppliedCountMismatch};
};

}  // namespace

Result<ChainTip, ChainError> tip(Store& store, ChainId rollup, const Hash32& genesis_root) {
  auto q = store.query(
      "SELECT batch, new_root, deposits_upto, forced_upto FROM commitments WHERE rollup_id = ?1 "
      "ORDER BY batch DESC LIMIT 1");
  if (!q) return make_error(storage_error(q.error()));
  auto r = q->bind(1, to_db(rollup.value())).next();
  if (!r) return make_error(storage_error(r.error()));
  ChainTip out;
  out.root = genesis_root;
  if (*r) {
    out.batch = BatchNumber(from_db(q->row().column_int(0)));
    out.root = Hash32::from_view(q->row().column_blob(1));
    out.deposits_upto = DepositPosition(from_db(q->row().column_int(2)));
    out.forced_upto = ForcedPosition(from_db(q->row().column_int(3)));
  }
  return out;
}

// Commitments are posted in batch order, so posted_at grows with the batch: every batch
// below a time-final one is time-final, and "its predecessor is final" reduces to "no
// hold at or below it".
Result<BatchNumber, ChainError> last_final_batch(const ChainView& view, ChainId rollup,
                                                 ChainDuration challenge_window) {
  auto q = view.store.query(
      "SELECT coalesce(max(batch), 0) FROM commitments WHERE rollup_id = ?1 AND posted_at <= ?2");
  if (!q) return make_error(storage_error(q.error()));
  auto r = q->bind(1, to_db(rollup.value())).bind(2, (view.now - challenge_window).value()).next();
  if (!r) return make_error(storage_error(r.error()));
  BatchNumber last(from_db(q->row().column_int(0)));
  for (const FinalityHold* hold : view.modules.implementing<FinalityHold>()) {
    auto held = hold->first_held_batch(view, rollup);
    if (!held) return make_error(held.error());
    if (*held && **held <= last) last = BatchNumber((*held)->value() == 0 ? 0 : (*held)->value() - 1);
  }
  return last;
}

Result<std::optional<CommitmentEntry>, ChainError> find_commitment(const ChainView& view,
                                                                   const CommitmentQuery& cq) {
  auto r = registry::read_rollup(view.store, cq.rollup_id);
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
  h.deposits_upto = DepositPosition(from_db(row.column_int(4)));
  h.forced_upto = ForcedPosition(from_db(row.column_int(5)));
  h.mode = row.column_int(6) == 0 ? SettlementMode::optimistic : SettlementMode::validity;
  ByteView payload = row.column_blob(7);
  e.commitment.payload.assign(payload.begin(), payload.end());
  e.posted_at = ChainTime(row.column_int(8));
  e.tx_hash = Hash32::from_view(row.column_blob(9));
  if (!row.column_is_null(10)) e.block = BlockNumber(from_db(row.column_int(10)));
  e.final_at = e.posted_at + (*r)->challenge_window_s;
  auto fin = last_final_batch(view, cq.rollup_id, (*r)->challenge_window_s);
  if (!fin) return make_error(fin.error());
  e.is_final = cq.batch <= *fin;
  return std::optional<CommitmentEntry>(std::move(e));
}

Result<std::uint64_t, ChainError> remove_from(Store& store, ChainId rollup, BatchNumber from) {
  auto count = store.query("SELECT count(*) FROM commitments WHERE rollup_id = ?1 AND batch >= ?2");
  if (!count) return make_error(storage_error(count.error()));
  auto r = count->bind(1, to_db(rollup.value())).bind(2, to_db(from.value())).next();
  if (!r) return make_error(storage_error(r.error()));
  const auto n = from_db(count->row().column_int(0));
  auto q = store.query("DELETE FROM commitments WHERE rollup_id = ?1 AND batch >= ?2");
  if (!q) return make_error(storage_error(q.error()));
  if (auto s = q->bind(1, to_db(rollup.value())).bind(2, to_db(from.value())).run(); !s)
    return make_error(storage_error(s.error()));
  return n;
}

std::shared_ptr<Module> module() { return std::make_shared<CommitmentModule>(); }

}  // namespace l2::settlement::commitments
