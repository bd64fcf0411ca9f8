// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
#include "settlement/basechain/disputes.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <utility>

#include "settlement/basechain/bridge.hpp"
#include "settlement/basechain/commitments.hpp"
#include "settlement/basechain/registry.hpp"
#include "settlement/one_step.hpp"

namespace l2::settlement::disputes {

namespace {

using json = nlohmann::json;
using registry::id_str;

constexpr const char* kMigrations[] = {
    R"sql(
-- The sequencer's bond of each standing commitment (none for a bond of 0). A removed
-- commitment's row goes with it, its bond paid out by the ruling.
CREATE TABLE dispute_bonds (
  rollup_id INTEGER NOT NULL REFERENCES rollups (rollup_id),
  batch     INTEGER NOT NULL CHECK (batch >= 1),
  owner     BLOB NOT NULL CHECK (length(owner) = 32),
  amount    INTEGER NOT NULL CHECK (amount > 0),
  returned  INTEGER NOT NULL CHECK (returned IN (0, 1)),
  PRIMARY KEY (rollup_id, batch)
) STRICT;
-- Every game ever opened, with its state between moves (settlement/dispute_game.hpp's
-- GameState; phase 0 bisect, 1 respond, 2 step, 3 decided; winner 0 defender, 1 challenger).
CREATE TABLE disputes (
  id               INTEGER PRIMARY KEY,
  rollup_id        INTEGER NOT NULL REFERENCES rollups (rollup_id),
  batch            INTEGER NOT NULL CHECK (batch >= 1),
  challenger       BLOB NOT NULL CHECK (length(challenger) = 32),
  commitment_tx    BLOB NOT NULL CHECK (length(commitment_tx) = 32),
  bond             INTEGER NOT NULL CHECK (bond >= 0),
  opened_at        INTEGER NOT NULL,
  status           TEXT NOT NULL CHECK (status IN ('open', 'defender_won', 'challenger_won', 'void')),
  decided_at       INTEGER,
  game_end         TEXT NOT NULL,
  positions        INTEGER NOT NULL CHECK (positions >= 0),
  lo               INTEGER NOT NULL CHECK (lo >= 0),
  hi               INTEGER NOT NULL CHECK (hi >= 0),
  agreed_root      BLOB NOT NULL CHECK (length(agreed_root) = 32),
  disputed_root    BLOB NOT NULL CHECK (length(disputed_root) = 32),
  proposed_root    BLOB CHECK (proposed_root IS NULL OR length(proposed_root) = 32),
  phase            INTEGER NOT NULL CHECK (phase BETWEEN 0 AND 3),
  defender_clock   INTEGER NOT NULL CHECK (defender_clock >= 0),
  challenger_clock INTEGER NOT NULL CHECK (challenger_clock >= 0),
  turn_began       INTEGER NOT NULL,
  moves            INTEGER NOT NULL CHECK (moves >= 0),
  winner           INTEGER CHECK (winner IS NULL OR winner IN (0, 1)),
  tx_hash          BLOB NOT NULL REFERENCES txs (hash)
) STRICT;
CREATE UNIQUE INDEX disputes_open ON disputes (rollup_id, batch, challenger) WHERE status = 'open';
CREATE INDEX disputes_by_batch ON disputes (rollup_id, batch);
-- What the rulings burned, per rollup.
CREATE TABLE dispute_burned (
  rollup_id INTEGER PRIMARY KEY REFERENCES rollups (rollup_id),
  burned    INTEGER NOT NULL CHECK (burned >= 0)
) STRICT;
)sql",
};

constexpr std::array<std::string_view, 3> kRequires = {registry::kName, commitments::kName, bridge::kName};

ChainError corrupt(std::string message) {
  return ChainError{ChainErrorCode::corrupt, "", std::move(message), {}, {}};
}

Status<ChainError> run(Store::Query& q) {
  if (auto s = q.run(); !s) return make_error(storage_error(s.error()));
  return {};
}

std::string batch_str(ChainId rollup, BatchNumber batch) {
  return "batch " + std::to_string(batch.value()) + " of rollup " + id_str(rollup);
}

Result<DisputeStatus, ChainError> parse_status(std::string_view s) {
  for (DisputeStatus v : {DisputeStatus::open, DisputeStatus::defender_won, DisputeStatus::challenger_won,
                          DisputeStatus::voided})
    if (to_string(v) == s) return v;
  return make_error(corrupt("dispute status " + std::string(s)));
}

Result<std::optional<GameEnd>, ChainError> parse_end(std::string_view s) {
  for (GameEnd e : {GameEnd::step_matches, GameEnd::step_differs, GameEnd::clock_ran_out})
    if (to_string(e) == s) return std::optional<GameEnd>(e);
  return std::optional<GameEnd>();
}

constexpr const char* kSelectDispute =
    "SELECT id, rollup_id, batch, challenger, commitment_tx, bond, opened_at, status, decided_at, game_end, "
    "positions, lo, hi, agreed_root, disputed_root, proposed_root, phase, defender_clock, challenger_clock, "
    "turn_began, moves, winner, tx_hash FROM disputes ";

Result<DisputeEntry, ChainError> read_dispute(const Statement& row) {
  DisputeEntry e;
  e.id = from_db(row.column_int(0));
  e.rollup_id = ChainId(from_db(row.column_int(1)));
  e.batch = BatchNumber(from_db(row.column_int(2)));
  e.challenger = PublicKey::from_view(row.column_blob(3));
  e.commitment_tx = Hash32::from_view(row.column_blob(4));
  e.bond = Amount(from_db(row.column_int(5)));
  e.opened_at = ChainTime(row.column_int(6));
  auto status = parse_status(row.column_text(7));
  if (!status) return make_error(status.error());
  e.status = *status;
  if (!row.column_is_null(8)) e.decided_at = ChainTime(row.column_int(8));
  e.end = std::string(row.column_text(9));
  GameState& g = e.game;
  g.n = from_db(row.column_int(10));
  g.lo = from_db(row.column_int(11));
  g.hi = from_db(row.column_int(12));
  g.agreed = Hash32::from_view(row.column_blob(13));
  g.disputed = Hash32::from_view(row.column_blob(14));
  if (!row.column_is_null(15)) g.proposed = Hash32::from_view(row.column_blob(15));
  g.phase = static_cast<GamePhase>(row.column_int(16));
  g.defender_clock = ChainDuration(from_db(row.column_int(17)));
  g.challenger_clock = ChainDuration(from_db(row.column_int(18)));
  g.turn_began = ChainTime(row.column_int(19));
  g.moves = from_db(row.column_int(20));
  if (!row.column_is_null(21)) g.winner = static_cast<DisputeSide>(row.column_int(21));
  auto end = parse_end(e.end);
  if (!end) return make_error(end.error());
  g.end = *end;
  e.tx_hash = Hash32::from_view(row.column_blob(22));
  return e;
}

Result<std::optional<DisputeEntry>, ChainError> open_dispute(Store& store, ChainId rollup, BatchNumber batch,
                                                             const PublicKey& challenger) {
  auto q = store.query(std::string(kSelectDispute) +
                       "WHERE rollup_id = ?1 AND batch = ?2 AND challenger = ?3 AND status = 'open'");
  if (!q) return make_error(storage_error(q.error()));
  auto r = q->bind(1, to_db(rollup.value())).bind(2, to_db(batch.value())).bind(3, challenger.view()).next();
  if (!r) return make_error(storage_error(r.error()));
  if (!*r) return std::optional<DisputeEntry>();
  auto e = read_dispute(q->row());
  if (!e) return make_error(e.error());
  return std::optional<DisputeEntry>(std::move(*e));
}

// Writes the game's state and status (the row exists: an UPDATE by id).
Status<ChainError> save(Store& store, const DisputeEntry& e) {
  auto q = store.query(
      "UPDATE disputes SET status = ?2, decided_at = ?3, game_end = ?4, lo = ?5, hi = ?6, agreed_root = ?7, "
      "disputed_root = ?8, proposed_root = ?9, phase = ?10, defender_clock = ?11, challenger_clock = ?12, "
      "turn_began = ?13, moves = ?14, winner = ?15 WHERE id = ?1");
  if (!q) return make_error(storage_error(q.error()));
  const GameState& g = e.game;
  q->bind(1, to_db(e.id)).bind(2, to_string(e.status)).bind(4, std::string_view(e.end));
  if (e.decided_at)
    q->bind(3, e.decided_at->value());
  else
    q->bind_null(3);
  q->bind(5, to_db(g.lo)).bind(6, to_db(g.hi)).bind(7, g.agreed.view()).bind(8, g.disputed.view());
  if (g.proposed)
    q->bind(9, g.proposed->view());
  else
    q->bind_null(9);
  q->bind(10, std::int64_t{static_cast<std::uint8_t>(g.phase)})
      .bind(11, to_db(g.defender_clock.value()))
      .bind(12, to_db(g.challenger_clock.value()))
      .bind(13, g.turn_began.value())
      .bind(14, to_db(g.moves));
  if (g.winner)
    q->bind(15, std::int64_t{static_cast<std::uint8_t>(*g.winner)});
  else
    q->bind_null(15);
  return run(*q);
}

Status<ChainError> insert(TxContext& ctx, DisputeEntry& e) {
  auto q = ctx.store().query(
      "INSERT INTO disputes (rollup_id, batch, challenger, commitment_tx, bond, opened_at, status, "
      "decided_at, "
      "game_end, positions, lo, hi, agreed_root, disputed_root, proposed_root, phase, defender_clock, "
      "challenger_clock, turn_began, moves, winner, tx_hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'open', NULL, "
      "'', "
      "?7, 0, 0, ?8, ?9, NULL, 0, 0, 0, ?6, 0, NULL, ?10) RETURNING id");
  if (!q) return make_error(storage_error(q.error()));
  q->bind(1, to_db(e.rollup_id.value()))
      .bind(2, to_db(e.batch.value()))
      .bind(3, e.challenger.view())
      .bind(4, e.commitment_tx.view())
      .bind(5, to_db(e.bond.value()))
      .bind(6, e.opened_at.value())
      .bind(7, to_db(e.game.n))
      .bind(8, e.game.agreed.view())
      .bind(9, e.game.disputed.view())
      .bind(10, ctx.tx_hash().view());
  auto r = q->next();
  if (!r) return make_error(storage_error(r.error()));
  e.id = from_db(q->row().column_int(0));
  return save(ctx.store(), e);
}

Status<ChainError> add_burned(TxContext& ctx, ChainId rollup, Amount amount) {
  if (amount.value() == 0) return {};
  auto q = ctx.store().query(
      "INSERT INTO dispute_burned (rollup_id, burned) VALUES (?1, ?2) "
      "ON CONFLICT (rollup_id) DO UPDATE SET burned = burned + excluded.burned");
  if (!q) return make_error(storage_error(q.error()));
  q->bind(1, to_db(rollup.value())).bind(2, to_db(amount.value()));
  return run(*q);
}

// The payout of a loser's bond: half (rounded down) to the winner, the rest burned.
struct Split {
  Amount to_winner;
  Amount burned;
};
Split split(Amount bond) {
  const Amount half(bond.value() / 2);
  return Split{half, Amount(bond.value() - half.value())};
}

// The commitments of `batch` and the one before it (the previous one's queue positions
// are where the batch's derived tx list starts).
struct Disputed {
  commitments::CommitmentEntry entry;
  BatchOrigin origin;
};
Result<Disputed, ChainError> disputed_commitment(TxContext& ctx, ChainId rollup, BatchNumber batch,
                                                 bool with_payload) {
  auto c =
      commitments::find_commitment(ctx.view(), commitments::CommitmentQuery{rollup, batch, with_payload});
  if (!c) return make_error(c.error());
  if (!*c) return make_error(refuse(kNoSuchBatch, "no " + batch_str(rollup, batch) + " is committed"));
  Disputed out{std::move(**c), {}};
  const CommitmentHeader& h = out.entry.commitment.header;
  out.origin = BatchOrigin{DepositPosition(0), h.deposits_upto, ForcedPosition(0), h.forced_upto};
  if (batch.value() > 1) {
    auto prev = commitments::find_commitment(
        ctx.view(), commitments::CommitmentQuery{rollup, BatchNumber(batch.value() - 1), false});
    if (!prev) return make_error(prev.error());
    if (!*prev) return make_error(corrupt("batch " + std::to_string(batch.value() - 1) + " is missing"));
    out.origin.deposits_from = (*prev)->commitment.header.deposits_upto;
    out.origin.forced_from = (*prev)->commitment.header.forced_upto;
  }
  return out;
}

// The queue entries a batch consumed, as name_txs takes them.
Result<std::pair<std::vector<QueuedDeposit>, std::vector<QueuedForced>>, ChainError> consumed(
    TxContext& ctx, ChainId rollup, const BatchOrigin& o) {
  constexpr std::uint32_t kPage = 10'000;
  std::pair<std::vector<QueuedDeposit>, std::vector<QueuedForced>> out;
  for (std::uint64_t at = o.deposits_from.value(); at < o.deposits_upto.value();) {
    auto page = bridge::list_deposits(ctx.view(), rollup, DepositPosition(at), kPage);
    if (!page) return make_error(page.error());
    if (page->empty()) break;  // name_txs reports the short queue
    for (const auto& d : *page) {
      if (d.index.value() >= o.deposits_upto.value()) break;
      out.first.push_back(QueuedDeposit{d.index, d.recipient, d.account, d.amount, d.timestamp});
    }
    at += page->size();
  }
  for (std::uint64_t at = o.forced_from.value(); at < o.forced_upto.value();) {
    auto page = bridge::list_forced(ctx.view(), rollup, ForcedPosition(at), kPage);
    if (!page) return make_error(page.error());
    if (page->empty()) break;
    for (const auto& f : *page) {
      if (f.index.value() >= o.forced_upto.value()) break;
      out.second.push_back(QueuedForced{f.index, f.tx, f.timestamp});
    }
    at += page->size();
  }
  return out;
}

ChainError game_refusal(const GameError& e) {
  switch (e.code) {
    case GameErrorCode::time_ran_out:
      return refuse(kClockRanOut, e.message);
    case GameErrorCode::not_yet:
      return refuse(kClockRunning, e.message);
    case GameErrorCode::bad_range:
      return corrupt("a stored game does not restore: " + e.message);
    case GameErrorCode::wrong_phase:
    case GameErrorCode::time_backward:
      break;
  }
  return refuse(kWrongMove, e.message);
}

json dispute_json(const DisputeEntry& e) {
  const GameState& g = e.game;
  json j = {{"id", e.id},
            {"rollup_id", e.rollup_id.value()},
            {"batch", e.batch.value()},
            {"challenger", e.challenger.hex()},
            {"commitment_tx", e.commitment_tx.hex()},
            {"bond", e.bond.to_string()},
            {"opened_at", e.opened_at.value()},
            {"status", std::string(to_string(e.status))},
            {"decided_at", e.decided_at ? json(e.decided_at->value()) : json(nullptr)},
            {"end", e.end.empty() ? json(nullptr) : json(e.end)},
            {"positions", g.n},
            {"lo", g.lo},
            {"hi", g.hi},
            {"agreed_root", g.agreed.hex()},
            {"disputed_root", g.disputed.hex()},
            {"proposed_root", g.proposed ? json(g.proposed->hex()) : json(nullptr)},
            {"phase", std::string(to_string(g.phase))},
            {"defender_clock_s", g.defender_clock.value()},
            {"challenger_clock_s", g.challenger_clock.value()},
            {"turn_began", g.turn_began.value()},
            {"moves", g.moves},
            {"winner", g.winner ? json(std::string(to_string(*g.winner))) : json(nullptr)},
            {"tx_hash", e.tx_hash.hex()}};
  if (e.status == DisputeStatus::open && g.phase != GamePhase::decided) j["mid"] = g.lo + (g.hi - g.lo) / 2;
  return j;
}

class DisputeModule final : public Module,
                            public commitments::CommitmentRule,
                            public commitments::FinalityHold {
 public:
  [[nodiscard]] std::string_view name() const override { return kName; }
  [[nodiscard]] std::span<const std::string_view> requires_modules() const override { return kRequires; }
  [[nodiscard]] std::span<const char* const> migrations() const override { return kMigrations; }
  [[nodiscard]] std::span<const BaseTxKind> kinds() const override { return kKinds; }
  [[nodiscard]] std::span<const Refusal> refusals() const override { return kRefusals; }

  // commit_batch: the commitment's bond.
  Status<ChainError> check_commitment(TxContext& ctx, const commitments::Proposal& p) const override {
    const Amount bond = p.rollup.disputes.bond;
    if (bond.value() == 0) return {};
    if (auto s = ctx.debit(ctx.sender(), bond); !s) {
      ChainError e = s.error();
      e.message = "the sequencer cannot lock the commitment's bond of " + bond.to_string() + ": " + e.message;
      return make_error(std::move(e));
    }
    auto q = ctx.store().query(
        "INSERT INTO dispute_bonds (rollup_id, batch, owner, amount, returned) VALUES (?1, ?2, ?3, ?4, 0)");
    if (!q) return make_error(storage_error(q.error()));
    q->bind(1, to_db(p.header.rollup_id.value()))
        .bind(2, to_db(p.header.batch.value()))
        .bind(3, ctx.sender().view())
        .bind(4, to_db(bond.value()));
    return run(*q);
  }

  Result<std::optional<BatchNumber>, ChainError> first_held_batch(const ChainView& view,
                                                                  ChainId rollup) const override {
    auto q = view.store.query("SELECT min(batch) FROM disputes WHERE rollup_id = ?1 AND status = 'open'");
    if (!q) return make_error(storage_error(q.error()));
    auto r = q->bind(1, to_db(rollup.value())).next();
    if (!r) return make_error(storage_error(r.error()));
    if (!*r || q->row().column_is_null(0)) return std::optional<BatchNumber>();
    return std::optional<BatchNumber>(BatchNumber(from_db(q->row().column_int(0))));
  }

  Status<ChainError> execute(TxContext& ctx, const BaseTx& tx) override {
    return std::visit(
        [&](const auto& body) -> Status<ChainError> {
          using B = std::decay_t<decltype(body)>;
          if constexpr (std::is_same_v<B, ChallengeBatchBody>) return challenge(ctx, body);
          if constexpr (std::is_same_v<B, DisputeBisectBody>) return bisect(ctx, body);
          if constexpr (std::is_same_v<B, DisputeRespondBody>) return respond(ctx, body);
          if constexpr (std::is_same_v<B, DisputeStepBody>) return step(ctx, body);
          if constexpr (std::is_same_v<B, DisputeTimeoutBody>) return timeout(ctx, body);
          if constexpr (std::is_same_v<B, ClaimBondBody>) return claim(ctx, body);
          return make_error(refuse(core_refusal::kUnsupportedKind, "not a dispute tx"));
        },
        tx.body);
  }

  [[nodiscard]] std::vector<RpcMethod> rpc_methods() const override {
    return {{"dispute_getDisputes",
             [](RpcCall& c, const json& params) {
               RpcParams p(params, {"rollup_id", "batch"});
               const ChainId id(p.u64("rollup_id"));
               const BatchNumber batch(p.u64("batch"));
               auto list =
                   unwrap(c.chain.read([&](const ChainView& v) { return list_disputes(v, id, batch); }), c);
               json out = json::array();
               for (const auto& e : list) out.push_back(dispute_json(e));
               return out;
             }},
            {"dispute_getBond", [](RpcCall& c, const json& params) {
               RpcParams p(params, {"rollup_id", "batch"});
               const ChainId id(p.u64("rollup_id"));
               const BatchNumber batch(p.u64("batch"));
               auto b = unwrap(c.chain.read([&](const ChainView& v) { return find_bond(v, id, batch); }), c);
               auto total = unwrap(c.chain.read([&](const ChainView& v) { return burned(v, id); }), c);
               json j = {{"bond", nullptr}, {"burned", total.to_string()}};
               if (b)
                 j["bond"] = {{"batch", b->batch.value()},
                              {"owner", b->owner.hex()},
                              {"amount", b->amount.to_string()},
                              {"returned", b->returned}};
               return j;
             }}};
  }

 private:
  static Status<ChainError> challenge(TxContext& ctx, const ChallengeBatchBody& b) {
    auto r = registry::require_rollup(ctx.store(), b.rollup_id);
    if (!r) return make_error(r.error());
    if (ctx.sender() == r->sequencer)
      return make_error(refuse(kSelfChallenge, "the sequencer cannot challenge its own batch"));
    auto d = disputed_commitment(ctx, b.rollup_id, b.batch, false);
    if (!d) return make_error(d.error());
    if (d->entry.is_final)
      return make_error(refuse(kAlreadyFinal, batch_str(b.rollup_id, b.batch) + " is final"));
    auto existing = open_dispute(ctx.store(), b.rollup_id, b.batch, ctx.sender());
    if (!existing) return make_error(existing.error());
    if (*existing)
      return make_error(refuse(kAlreadyChallenged,
                               "this key already has an open game on " + batch_str(b.rollup_id, b.batch)));
    const CommitmentHeader& h = d->entry.commitment.header;
    const std::uint64_t n = d->origin.deposit_count() + d->origin.forced_count() + h.applied_txs;
    if (n == 0 && h.new_root == h.prev_root)
      return make_error(
          refuse(kNothingToDispute, batch_str(b.rollup_id, b.batch) + " has no txs and keeps its prev_root"));
    const Amount bond = r->disputes.bond;
    if (bond.value() != 0)
      if (auto s = ctx.debit(ctx.sender(), bond); !s) return s;
    DisputeEntry e;
    e.rollup_id = b.rollup_id;
    e.batch = b.batch;
    e.challenger = ctx.sender();
    e.commitment_tx = d->entry.tx_hash;
    e.bond = bond;
    e.opened_at = ctx.now();
    if (n == 0) {
      // Nothing to bisect: an empty batch must keep its root, and this one does not.
      e.game = GameState{0,
                         0,
                         0,
                         h.prev_root,
                         h.new_root,
                         std::nullopt,
                         GamePhase::decided,
                         ChainDuration(0),
                         ChainDuration(0),
                         ctx.now(),
                         DisputeSide::challenger,
                         std::nullopt,
                         0};
      if (auto s = insert(ctx, e); !s) return s;
      if (auto s = emit_opened(ctx, e, *r); !s) return s;
      e.end = "empty_batch";
      return rule(ctx, *r, e);
    }
    auto game = BisectionGame::open(n, h.prev_root, h.new_root, r->disputes.clock_s, ctx.now());
    if (!game) return make_error(corrupt(game.error().message));  // n >= 1 and clock >= 1
    e.game = game->state();
    if (auto s = insert(ctx, e); !s) return s;
    return emit_opened(ctx, e, *r);
  }

  static Status<ChainError> emit_opened(TxContext& ctx, const DisputeEntry& e, const registry::RollupRow& r) {
    json data = {{"dispute_id", e.id},
                 {"batch", e.batch.value()},
                 {"challenger", e.challenger.hex()},
                 {"sequencer", r.sequencer.hex()},
                 {"bond", e.bond.to_string()},
                 {"positions", e.game.n},
                 {"disputed_root", e.game.disputed.hex()},
                 {"clock_s", r.disputes.clock_s.value()}};
    return ctx.emit(kName, "DisputeOpened", e.rollup_id, data.dump());
  }

  // The open game of `challenger` on the batch, the rollup, and the game restored.
  struct Loaded {
    registry::RollupRow rollup;
    DisputeEntry entry;
    BisectionGame game;
  };
  static Result<Loaded, ChainError> load(TxContext& ctx, ChainId rollup, BatchNumber batch,
                                         const PublicKey& challenger) {
    auto r = registry::require_rollup(ctx.store(), rollup);
    if (!r) return make_error(r.error());
    auto e = open_dispute(ctx.store(), rollup, batch, challenger);
    if (!e) return make_error(e.error());
    if (!*e)
      return make_error(
          refuse(kNoDispute, "no open game of " + challenger.hex() + " on " + batch_str(rollup, batch)));
    auto g = BisectionGame::restore((*e)->game);
    if (!g) return make_error(game_refusal(g.error()));
    return Loaded{std::move(*r), std::move(**e), std::move(*g)};
  }

  static Status<ChainError> require_sender(TxContext& ctx, const PublicKey& key, std::string_view side) {
    if (ctx.sender() != key)
      return make_error(
          refuse(kNotYourMove, "this move is the " + std::string(side) + "'s (" + key.hex() + ")"));
    return {};
  }

  static Status<ChainError> check_position(const BisectionGame& g, std::uint64_t position) {
    if (g.phase() != GamePhase::decided && position != g.mid())
      return make_error(refuse(kWrongPosition, "the game is at position " + std::to_string(g.mid()) +
                                                   ", not " + std::to_string(position)));
    return {};
  }

  // Saves the game after a move, logs it, and rules once it is decided.
  static Status<ChainError> after_move(TxContext& ctx, Loaded& l, std::string_view move, json detail) {
    l.entry.game = l.game.state();
    detail["dispute_id"] = l.entry.id;
    detail["batch"] = l.entry.batch.value();
    detail["challenger"] = l.entry.challenger.hex();
    detail["move"] = std::string(move);
    detail["lo"] = l.game.lo();
    detail["hi"] = l.game.hi();
    detail["phase"] = std::string(to_string(l.game.phase()));
    detail["moves"] = l.game.moves();
    if (auto s = ctx.emit(kName, "DisputeMove", l.entry.rollup_id, detail.dump()); !s) return s;
    if (l.game.phase() != GamePhase::decided) return save(ctx.store(), l.entry);
    l.entry.end = std::string(to_string(*l.game.end()));
    return rule(ctx, l.rollup, l.entry);
  }

  static Status<ChainError> bisect(TxContext& ctx, const DisputeBisectBody& b) {
    auto l = load(ctx, b.rollup_id, b.batch, b.challenger);
    if (!l) return make_error(l.error());
    if (auto s = require_sender(ctx, l->rollup.sequencer, "defender"); !s) return s;
    if (auto s = check_position(l->game, b.position); !s) return s;
    if (auto s = l->game.bisect(ctx.now(), b.root); !s) return make_error(game_refusal(s.error()));
    return after_move(ctx, *l, "bisect", {{"position", b.position}, {"root", b.root.hex()}});
  }

  static Status<ChainError> respond(TxContext& ctx, const DisputeRespondBody& b) {
    auto l = load(ctx, b.rollup_id, b.batch, ctx.sender());
    if (!l) return make_error(l.error());
    if (auto s = check_position(l->game, b.position); !s) return s;
    if (auto s = l->game.respond(ctx.now(), b.agree); !s) return make_error(game_refusal(s.error()));
    return after_move(ctx, *l, "respond", {{"position", b.position}, {"agree", b.agree}});
  }

  static Status<ChainError> step(TxContext& ctx, const DisputeStepBody& b) {
    auto l = load(ctx, b.rollup_id, b.batch, b.challenger);
    if (!l) return make_error(l.error());
    if (auto s = require_sender(ctx, l->rollup.sequencer, "defender"); !s) return s;
    if (l->game.phase() != GamePhase::step)
      return make_error(refuse(kWrongMove, "the game waits for " + std::string(to_string(l->game.phase())) +
                                               ", not for the one-step proof"));
    auto d = disputed_commitment(ctx, b.rollup_id, b.batch, true);
    if (!d) return make_error(d.error());
    auto queues = consumed(ctx, b.rollup_id, d->origin);
    if (!queues) return make_error(queues.error());
    const std::uint64_t position = l->game.hi();
    std::optional<Hash32> computed;
    std::string fault;
    auto named = name_txs(d->entry.commitment, d->origin, queues->first, queues->second);
    if (!named) {
      fault = named.error();
    } else {
      auto out = one_step(*named, position, l->game.agreed_root(), b.witness);
      if (!out) return make_error(corrupt("position " + std::to_string(position) + ": " + out.error()));
      computed = out->root;
      fault = out->fault;
    }
    if (auto s = l->game.step(ctx.now(), computed); !s) return make_error(game_refusal(s.error()));
    return after_move(ctx, *l, "step",
                      {{"position", position},
                       {"computed_root", computed ? json(computed->hex()) : json(nullptr)},
                       {"fault", fault.empty() ? json(nullptr) : json(fault)}});
  }

  static Status<ChainError> timeout(TxContext& ctx, const DisputeTimeoutBody& b) {
    auto l = load(ctx, b.rollup_id, b.batch, b.challenger);
    if (!l) return make_error(l.error());
    const DisputeSide late = *l->game.to_move();
    if (auto s = l->game.timeout(ctx.now()); !s) return make_error(game_refusal(s.error()));
    return after_move(ctx, *l, "timeout", {{"late", std::string(to_string(late))}});
  }

  // The ruling of a decided game: bonds, and the removal of an overturned commitment.
  static Status<ChainError> rule(TxContext& ctx, const registry::RollupRow& r, DisputeEntry& e) {
    const bool challenger_won = e.game.winner == DisputeSide::challenger;
    e.status = challenger_won ? DisputeStatus::challenger_won : DisputeStatus::defender_won;
    e.decided_at = ctx.now();
    if (auto s = save(ctx.store(), e); !s) return s;
    json data = {{"dispute_id", e.id},
                 {"batch", e.batch.value()},
                 {"challenger", e.challenger.hex()},
                 {"winner", challenger_won ? "challenger" : "defender"},
                 {"end", e.end},
                 {"moves", e.game.moves}};
    if (!challenger_won) {
      const Split s = split(e.bond);
      if (s.to_winner.value() != 0)
        if (auto c = ctx.credit(r.sequencer, s.to_winner); !c) return c;
      if (auto c = add_burned(ctx, e.rollup_id, s.burned); !c) return c;
      data["paid_to_winner"] = s.to_winner.to_string();
      data["burned"] = s.burned.to_string();
      return ctx.emit(kName, "DisputeDecided", e.rollup_id, data.dump());
    }
    // The challenger gets its bond back and half of the disputed commitment's.
    auto bond = find_bond(ctx.view(), e.rollup_id, e.batch);
    if (!bond) return make_error(bond.error());
    const Split s = split(*bond ? (*bond)->amount : Amount(0));
    auto back = e.bond.checked_add(s.to_winner);
    if (!back) return make_error(refuse(core_refusal::kOverflow, "the payout overflows"));
    if (back->value() != 0)
      if (auto c = ctx.credit(e.challenger, *back); !c) return c;
    if (auto c = add_burned(ctx, e.rollup_id, s.burned); !c) return c;
    data["paid_to_winner"] = back->to_string();
    data["burned"] = s.burned.to_string();
    if (auto c = ctx.emit(kName, "DisputeDecided", e.rollup_id, data.dump()); !c) return c;
    return remove_from(ctx, r, e);
  }

  // The overturned commitment goes with every later one: their bonds back to the
  // sequencer, every other open game on them void with its bond back.
  static Status<ChainError> remove_from(TxContext& ctx, const registry::RollupRow& r,
                                        const DisputeEntry& won) {
    auto later_bonds = ctx.store().query(
        "SELECT coalesce(sum(amount), 0) FROM dispute_bonds WHERE rollup_id = ?1 AND batch > ?2 AND returned "
        "= 0");
    if (!later_bonds) return make_error(storage_error(later_bonds.error()));
    auto lb = later_bonds->bind(1, to_db(won.rollup_id.value())).bind(2, to_db(won.batch.value())).next();
    if (!lb) return make_error(storage_error(lb.error()));
    const Amount returned(from_db(later_bonds->row().column_int(0)));
    if (returned.value() != 0)
      if (auto c = ctx.credit(r.sequencer, returned); !c) return c;
    auto del = ctx.store().query("DELETE FROM dispute_bonds WHERE rollup_id = ?1 AND batch >= ?2");
    if (!del) return make_error(storage_error(del.error()));
    del->bind(1, to_db(won.rollup_id.value())).bind(2, to_db(won.batch.value()));
    if (auto s = run(*del); !s) return s;

    std::vector<DisputeEntry> voided;
    {
      auto q = ctx.store().query(std::string(kSelectDispute) +
                                 "WHERE rollup_id = ?1 AND batch >= ?2 AND status = 'open' ORDER BY id");
      if (!q) return make_error(storage_error(q.error()));
      q->bind(1, to_db(won.rollup_id.value())).bind(2, to_db(won.batch.value()));
      for (;;) {
        auto more = q->next();
        if (!more) return make_error(storage_error(more.error()));
        if (!*more) break;
        auto e = read_dispute(q->row());
        if (!e) return make_error(e.error());
        voided.push_back(std::move(*e));
      }
    }
    for (DisputeEntry& v : voided) {
      v.status = DisputeStatus::voided;
      v.decided_at = ctx.now();
      v.end = "removed";
      if (auto s = save(ctx.store(), v); !s) return s;
      if (v.bond.value() != 0)
        if (auto c = ctx.credit(v.challenger, v.bond); !c) return c;
    }
    auto removed = commitments::remove_from(ctx.store(), won.rollup_id, won.batch);
    if (!removed) return make_error(removed.error());
    json data = {{"from_batch", won.batch.value()},
                 {"removed", *removed},
                 {"dispute_id", won.id},
                 {"bonds_returned", returned.to_string()},
                 {"games_voided", voided.size()}};
    return ctx.emit(kName, "CommitmentsRemoved", won.rollup_id, data.dump());
  }

  static Status<ChainError> claim(TxContext& ctx, const ClaimBondBody& b) {
    auto r = registry::require_rollup(ctx.store(), b.rollup_id);
    if (!r) return make_error(r.error());
    auto c =
        commitments::find_commitment(ctx.view(), commitments::CommitmentQuery{b.rollup_id, b.batch, false});
    if (!c) return make_error(c.error());
    if (!*c)
      return make_error(refuse(kNoSuchBatch, "no " + batch_str(b.rollup_id, b.batch) + " is committed"));
    auto bond = find_bond(ctx.view(), b.rollup_id, b.batch);
    if (!bond) return make_error(bond.error());
    if (!*bond || (*bond)->returned)
      return make_error(refuse(kNoBond, "no bond is held for " + batch_str(b.rollup_id, b.batch)));
    if (!(*c)->is_final)
      return make_error(refuse(kBondLocked, batch_str(b.rollup_id, b.batch) + " is not final"));
    if (auto s = ctx.credit((*bond)->owner, (*bond)->amount); !s) return s;
    auto q = ctx.store().query("UPDATE dispute_bonds SET returned = 1 WHERE rollup_id = ?1 AND batch = ?2");
    if (!q) return make_error(storage_error(q.error()));
    q->bind(1, to_db(b.rollup_id.value())).bind(2, to_db(b.batch.value()));
    if (auto s = run(*q); !s) return s;
    json data = {
        {"batch", b.batch.value()}, {"owner", (*bond)->owner.hex()}, {"amount", (*bond)->amount.to_string()}};
    return ctx.emit(kName, "BondReturned", b.rollup_id, data.dump());
  }

  static constexpr std::array<BaseTxKind, 6> kKinds = {
      BaseTxKind::challenge_batch, BaseTxKind::dispute_bisect,  BaseTxKind::dispute_respond,
      BaseTxKind::dispute_step,    BaseTxKind::dispute_timeout, BaseTxKind::claim_bond};
  static constexpr std::array<Refusal, 13> kRefusals = {
      kNoSuchBatch,  kAlreadyFinal, kSelfChallenge, kAlreadyChallenged, kNothingToDispute,
      kNoDispute,    kNotYourMove,  kWrongMove,     kWrongPosition,     kClockRanOut,
      kClockRunning, kBondLocked,   kNoBond};
};

}  // namespace

std::string_view to_string(DisputeStatus s) {
  switch (s) {
    case DisputeStatus::open:
      return "open";
    case DisputeStatus::defender_won:
      return "defender_won";
    case DisputeStatus::challenger_won:
      return "challenger_won";
    case DisputeStatus::voided:
      return "void";
  }
  return "unknown";
}

Result<std::vector<DisputeEntry>, ChainError> list_disputes(const ChainView& view, ChainId rollup,
                                                            BatchNumber batch) {
  auto q = view.store.query(std::string(kSelectDispute) + "WHERE rollup_id = ?1 AND batch = ?2 ORDER BY id");
  if (!q) return make_error(storage_error(q.error()));
  q->bind(1, to_db(rollup.value())).bind(2, to_db(batch.value()));
  std::vector<DisputeEntry> out;
  for (;;) {
    auto more = q->next();
    if (!more) return make_error(storage_error(more.error()));
    if (!*more) break;
    auto e = read_dispute(q->row());
    if (!e) return make_error(e.error());
    out.push_back(std::move(*e));
  }
  return out;
}

Result<std::optional<BondEntry>, ChainError> find_bond(const ChainView& view, ChainId rollup,
                                                       BatchNumber batch) {
  auto q = view.store.query(
      "SELECT owner, amount, returned FROM dispute_bonds WHERE rollup_id = ?1 AND batch = ?2");
  if (!q) return make_error(storage_error(q.error()));
  auto r = q->bind(1, to_db(rollup.value())).bind(2, to_db(batch.value())).next();
  if (!r) return make_error(storage_error(r.error()));
  if (!*r) return std::optional<BondEntry>();
  return std::optional<BondEntry>(BondEntry{batch, PublicKey::from_view(q->row().column_blob(0)),
                                            Amount(from_db(q->row().column_int(1))),
                                            q->row().column_int(2) == 1});
}

Result<Amount, ChainError> burned(const ChainView& view, ChainId rollup) {
  auto q = view.store.query("SELECT burned FROM dispute_burned WHERE rollup_id = ?1");
  if (!q) return make_error(storage_error(q.error()));
  auto r = q->bind(1, to_db(rollup.value())).next();
  if (!r) return make_error(storage_error(r.error()));
  return *r ? Amount(from_db(q->row().column_int(0))) : Amount(0);
}

std::shared_ptr<Module> module() { return std::make_shared<DisputeModule>(); }

}  // namespace l2::settlement::disputes
