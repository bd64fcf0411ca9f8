// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
#include "settlement/basechain/registry.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <utility>

namespace l2::settlement::registry {

namespace {

using json = nlohmann::json;

// Step 1 is the registry's part of the first shipped schema, unchanged (a database of
// that schema has it: legacy_version 1). 3162240000 is kMaxWindowSeconds.
constexpr const char* kMigrations[] = {
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
)sql",
    // Step 2: the dispute terms (docs/disputes.md); rollups registered before get
    // kDefaultDisputeTerms.
    R"sql(
ALTER TABLE rollups ADD COLUMN bond INTEGER NOT NULL DEFAULT 0 CHECK (bond >= 0);
ALTER TABLE rollups ADD COLUMN dispute_clock_s INTEGER NOT NULL DEFAULT 3600
  CHECK (dispute_clock_s BETWEEN 1 AND 3162240000);
)sql",
};
static_assert(kDefaultDisputeTerms.bond.value() == 0 && kDefaultDisputeTerms.clock_s.value() == 3600);
static_assert(kMaxWindowSeconds == 3162240000ull);

Status<ChainError> run(Store::Query& q) {
  if (auto s = q.run(); !s) return make_error(storage_error(s.error()));
  return {};
}

class RegistryModule final : public Module {
 public:
  [[nodiscard]] std::string_view name() const override { return kName; }
  [[nodiscard]] std::span<const char* const> migrations() const override { return kMigrations; }
  [[nodiscard]] int legacy_version() const override { return 1; }
  [[nodiscard]] std::span<const BaseTxKind> kinds() const override { return kKinds; }
  [[nodiscard]] std::span<const Refusal> refusals() const override { return kRefusals; }

  Status<ChainError> execute(TxContext& ctx, const BaseTx& tx) override {
    const auto& b = std::get<RegisterRollupBody>(tx.body);
    auto existing = read_rollup(ctx.store(), b.rollup_id);
    if (!existing) return make_error(existing.error());
    if (*existing)
      return make_error(refuse(kRollupExists, "rollup " + id_str(b.rollup_id) + " is already registered"));
    if (b.inclusion_deadline_s == ChainDuration(0))
      return make_error(refuse(kBadWindow, "inclusion_deadline_s must be at least 1"));
    if (b.inclusion_deadline_s > kMaxWindow || b.challenge_window_s > kMaxWindow)
      return make_error(refuse(kBadWindow, "challenge_window_s and inclusion_deadline_s may not exceed " +
                                               std::to_string(kMaxWindowSeconds)));
    const DisputeTerms terms = b.disputes;
    if (terms.clock_s == ChainDuration(0) || terms.clock_s > kMaxWindow)
      return make_error(
          refuse(kBadWindow, "dispute_clock_s must be 1 to " + std::to_string(kMaxWindowSeconds)));
    if (terms.bond > kMaxSupply)
      return make_error(
          refuse(core_refusal::kOverflow, "bond is over the maximum supply " + kMaxSupply.to_string()));
    auto q = ctx.store().query(
        "INSERT INTO rollups (rollup_id, sequencer, operator_key, genesis_root, challenge_window_s, "
        "inclusion_deadline_s, deposit_count, forced_count, locked, registered_at, tx_hash, bond, "
        "dispute_clock_s) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, 0, 0, ?7, ?8, ?9, ?10)");
    if (!q) return make_error(storage_error(q.error()));
    q->bind(1, to_db(b.rollup_id.value()))
        .bind(2, ctx.sender().view())
        .bind(3, b.operator_key.view())
        .bind(4, b.genesis_root.view())
        .bind(5, to_db(b.challenge_window_s.value()))
        .bind(6, to_db(b.inclusion_deadline_s.value()))
        .bind(7, ctx.now().value())
        .bind(8, ctx.tx_hash().view())
        .bind(9, to_db(terms.bond.value()))
        .bind(10, to_db(terms.clock_s.value()));
    if (auto s = run(*q); !s) return s;
    json data = {{"sequencer", ctx.sender().hex()},
                 {"operator_key", b.operator_key.hex()},
                 {"genesis_root", b.genesis_root.hex()},
                 {"challenge_window_s", b.challenge_window_s.value()},
                 {"inclusion_deadline_s", b.inclusion_deadline_s.value()},
                 {"bond", terms.bond.to_string()},
                 {"dispute_clock_s", terms.clock_s.value()}};
    return ctx.emit(kName, "RollupRegistered", b.rollup_id, data.dump());
  }

 private:
  static constexpr std::array<BaseTxKind, 1> kKinds = {BaseTxKind::register_rollup};
  static constexpr std::array<Refusal, 3> kRefusals = {kUnknownRollup, kRollupExists, kBadWindow};
  // (a bond over kMaxSupply is the core's overflow)
};

}  // namespace

std::string id_str(ChainId id) { return std::to_string(id.value()); }

Result<std::optional<RollupRow>, ChainError> read_rollup(Store& store, ChainId id) {
  auto q = store.query(
      "SELECT sequencer, operator_key, genesis_root, challenge_window_s, inclusion_deadline_s, "
      "deposit_count, "
      "forced_count, locked, registered_at, tx_hash, bond, dispute_clock_s FROM rollups WHERE rollup_id = "
      "?1");
  if (!q) return make_error(storage_error(q.error()));
  auto r = q->bind(1, to_db(id.value())).next();
  if (!r) return make_error(storage_error(r.error()));
  if (!*r) return std::optional<RollupRow>();
  const Statement& row = q->row();
  RollupRow out;
  out.sequencer = PublicKey::from_view(row.column_blob(0));
  out.operator_key = PublicKey::from_view(row.column_blob(1));
  out.genesis_root = Hash32::from_view(row.column_blob(2));
  out.challenge_window_s = ChainDuration(from_db(row.column_int(3)));
  out.inclusion_deadline_s = ChainDuration(from_db(row.column_int(4)));
  out.deposit_count = from_db(row.column_int(5));
  out.forced_count = from_db(row.column_int(6));
  out.locked = Amount(from_db(row.column_int(7)));
  out.registered_at = ChainTime(row.column_int(8));
  out.tx_hash = Hash32::from_view(row.column_blob(9));
  out.disputes =
      DisputeTerms{Amount(from_db(row.column_int(10))), ChainDuration(from_db(row.column_int(11)))};
  return std::optional<RollupRow>(out);
}

Result<RollupRow, ChainError> require_rollup(Store& store, ChainId id) {
  auto r = read_rollup(store, id);
  if (!r) return make_error(r.error());
  if (!*r) return make_error(refuse(kUnknownRollup, "no rollup " + id_str(id) + " is registered"));
  return **r;
}

Status<ChainError> write_bridge_totals(Store& store, ChainId id, const RollupRow& row) {
  auto q = store.query(
      "UPDATE rollups SET locked = ?2, deposit_count = ?3, forced_count = ?4 WHERE rollup_id = ?1");
  if (!q) return make_error(storage_error(q.error()));
  q->bind(1, to_db(id.value()))
      .bind(2, to_db(row.locked.value()))
      .bind(3, to_db(row.deposit_count))
      .bind(4, to_db(row.forced_count));
  return run(*q);
}

std::shared_ptr<Module> module() { return std::make_shared<RegistryModule>(); }

}  // namespace l2::settlement::registry
