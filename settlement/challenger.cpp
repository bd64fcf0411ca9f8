// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers

#include "settlement/challenger.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <utility>
#include <vector>

#include "settlement/basechain/tx.hpp"
#include "settlement/chain_batch.hpp"

namespace l2::settlement {

namespace {

using SteadyClock = std::chrono::steady_clock;

// A move sent and not yet seen on the chain is decided (and sent) again after this long.
constexpr auto kResendAfter = std::chrono::seconds(10);
constexpr std::size_t kGamesShown = 20;

constexpr const char* kSchema = R"sql(
-- Which rollup and key this store belongs to (rollup_id, challenger).
CREATE TABLE IF NOT EXISTS meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;
-- Every game this key opened, as last seen on the chain.
CREATE TABLE IF NOT EXISTS games (
  id            INTEGER PRIMARY KEY,
  batch         INTEGER NOT NULL,
  commitment_tx BLOB NOT NULL CHECK (length(commitment_tx) = 32),
  status        TEXT NOT NULL CHECK (status IN ('open', 'defender_won', 'challenger_won', 'void')),
  game_end      TEXT NOT NULL,
  moves         INTEGER NOT NULL,
  mismatch      TEXT NOT NULL
) STRICT;
-- Commitments it will not challenge (again): lost, or not disputable, and why.
CREATE TABLE IF NOT EXISTS refused (
  commitment_tx BLOB PRIMARY KEY CHECK (length(commitment_tx) = 32),
  reason        TEXT NOT NULL
) STRICT;
)sql";

std::string batch_str(BatchNumber b) { return "batch " + std::to_string(b.value()); }

// The mismatches a game can overturn by bisection: a root the batch does not reach, and a
// payload tx that does not apply (the step at its position fails on the chain), and a
// payload the chain cannot name (the sequencer can never run a step).
bool disputable(MismatchKind k) {
  switch (k) {
    case MismatchKind::state_root:
    case MismatchKind::tx_not_applied:
    case MismatchKind::payload_hash:
    case MismatchKind::payload_decode:
    case MismatchKind::applied_count:
      return true;
    default:
      return false;  // the chain refuses these commitments itself, or they precede any batch
  }
}

Status<std::string> db_status(const Status<DbError>& s, const std::string& what) {
  if (!s) return make_error(what + ": " + s.error().message);
  return {};
}

}  // namespace

Result<std::unique_ptr<Challenger>, std::string> Challenger::open(std::string base_chain_url,
                                                                  http::ClientOptions http,
                                                                  const ChallengerOptions& options,
                                                                  SecretKey key) {
  DbOptions db_options;
  db_options.path = options.store_path;
  db_options.cache_size_kib = 4096;
  auto db = Db::open(db_options);
  if (!db) return make_error("cannot open " + options.store_path + ": " + db.error().message);
  std::unique_ptr<Challenger> c(
      new Challenger(std::move(base_chain_url), std::move(http), options, std::move(key), std::move(*db)));
  if (auto s = c->load(); !s) return make_error(options.store_path + ": " + s.error());
  return c;
}

Challenger::Challenger(std::string url, http::ClientOptions http, ChallengerOptions options, SecretKey key,
                       std::unique_ptr<Db> db)
    : url_(std::move(url)),
      http_(std::move(http)),
      options_(std::move(options)),
      key_(std::move(key)),
      db_(std::move(db)) {}

Challenger::~Challenger() { stop(); }

Status<std::string> Challenger::load() {
  if (auto s = db_status(db_->exec(kSchema), "creating the schema"); !s) return s;
  // The store names its rollup and key: another's store is refused, not mixed in.
  const std::pair<const char*, std::string> owner[] = {
      {"rollup_id", std::to_string(options_.rollup_id.value())}, {"challenger", key_.public_key().hex()}};
  for (const auto& [name, value] : owner) {
    auto q = db_->prepare("SELECT value FROM meta WHERE key = ?1");
    if (!q) return make_error(q.error().message);
    q->bind(1, std::string_view(name));
    auto row = q->step();
    if (!row) return make_error(row.error().message);
    if (*row) {
      const std::string have = q->column_text(0);
      q->reset();
      if (have != value) {
        std::string why = "belongs to ";
        why.append(name).append(" ").append(have).append(", not ").append(value).append(
            " (use another --data-dir)");
        return make_error(why);
      }
      continue;
    }
    auto ins = db_->prepare("INSERT INTO meta (key, value) VALUES (?1, ?2)");
    if (!ins) return make_error(ins.error().message);
    ins->bind(1, std::string_view(name)).bind(2, std::string_view(value));
    if (auto s = db_status(ins->run(), "writing meta"); !s) return s;
  }
  auto refused = db_->prepare("SELECT commitment_tx FROM refused");
  if (!refused) return make_error(refused.error().message);
  for (;;) {
    auto row = refused->step();
    if (!row) return make_error(row.error().message);
    if (!*row) break;
    refused_.insert(Hash32::from_view(refused->column_blob(0)));
  }
  auto games = db_->prepare("SELECT id, batch, commitment_tx, status, game_end, moves, mismatch FROM games");
  if (!games) return make_error(games.error().message);
  ChallengerState s;
  for (;;) {
    auto row = games->step();
    if (!row) return make_error(row.error().message);
    if (!*row) break;
    ChallengerGame g;
    g.id = static_cast<std::uint64_t>(games->column_int(0));
    g.batch = BatchNumber(static_cast<std::uint64_t>(games->column_int(1)));
    g.commitment_tx = Hash32::from_view(games->column_blob(2));
    g.status = games->column_text(3);
    g.end = games->column_text(4);
    g.moves = static_cast<std::uint64_t>(games->column_int(5));
    g.mismatch = games->column_text(6);
    games_[g.id] = g;
  }
  std::lock_guard lock(mutex_);
  for (const auto& [id, g] : games_) {
    ++state_.challenges;
    if (g.status == "challenger_won") ++state_.won;
    if (g.status == "defender_won") ++state_.lost;
  }
  return {};
}

void Challenger::start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable() || stop_) return;
  thread_ = std::thread([this] { run(); });
}

void Challenger::stop() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

ChallengerState Challenger::state() const {
  std::lock_guard lock(mutex_);
  return state_;
}

void Challenger::note_error(const std::string& what) {
  std::lock_guard lock(mutex_);
  if (state_.last_error != what) spdlog::warn("challenger: {}", what);
  state_.last_error = what;
}

void Challenger::run() {
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stop_) return;
    }
    if (!poll()) {
      std::lock_guard lock(mutex_);
      state_.reachable = false;
    }
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, std::chrono::milliseconds(options_.poll_ms), [&] { return stop_; });
  }
}

bool Challenger::poll() {
  if (!client_) {
    // The client reconnects by itself from here on: it (and the derivation over it) is
    // kept across base-chain restarts.
    auto c = BaseChainClient::create(url_, http_);
    if (!c) {
      note_error(c.error());
      return false;
    }
    auto id = (*c)->chain_id();
    if (!id) {
      note_error("reading the base chain's id: " + id.error().message);
      return false;
    }
    client_ = std::move(*c);
    base_chain_ = *id;
    source_ = std::make_unique<BaseChainSource>(*client_, options_.rollup_id);
  }
  auto head = client_->head();
  if (!head) {
    note_error("reading the base chain: " + head.error().message);
    return false;
  }
  auto info = client_->rollup(options_.rollup_id);
  if (!info) {
    note_error("reading the rollup: " + info.error().message);
    return false;
  }
  {
    std::lock_guard lock(mutex_);
    state_.reachable = true;
    state_.registered = info->has_value();
    if (*info) state_.last_batch = (*info)->last_batch.value();
  }
  if (!*info) {
    note_error("rollup " + std::to_string(options_.rollup_id.value()) + " is not registered (yet)");
    return true;
  }
  std::string error_before;
  {
    std::lock_guard lock(mutex_);
    error_before = state_.last_error;
    state_.last_error.clear();
  }
  const bool ok = advance(**info) && pursue(*head);
  std::lock_guard lock(mutex_);
  if (state_.last_error.empty() && !error_before.empty() && ok)
    spdlog::info("challenger: the last poll went well again");
  return ok;
}

void Challenger::reset(const std::string& why) {
  spdlog::info("challenger: {}: re-deriving from genesis", why);
  deriver_.reset();
  found_.reset();
  sent_.clear();
  challenge_sent_.reset();
  std::lock_guard lock(mutex_);
  ++state_.rederivations;
  state_.verified = 0;
  state_.mismatch.clear();
}

bool Challenger::advance(const RollupInfo& info) {
  // A batch it derived that the chain no longer holds as it was (a ruling removed it, or
  // the base chain reverted): everything from genesis again.
  if (deriver_ && deriver_->verified().value() > 0) {
    const BatchNumber v = deriver_->verified();
    if (info.last_batch < v) {
      reset(batch_str(v) + " is no longer on the chain (the rollup's last batch is " +
            std::to_string(info.last_batch.value()) + ")");
    } else {
      auto rec = client_->commitment(options_.rollup_id, v, false);
      if (!rec) {
        note_error("reading " + batch_str(v) + ": " + rec.error().message);
        return false;
      }
      if (!*rec || (*rec)->tx_hash != verified_tx_) reset(batch_str(v) + " was replaced on the chain");
    }
  }
  if (found_) {
    auto rec = client_->commitment(options_.rollup_id, found_->batch, false);
    if (!rec) {
      note_error("reading " + batch_str(found_->batch) + ": " + rec.error().message);
      return false;
    }
    if (!*rec || (*rec)->tx_hash != found_->commitment_tx) {
      reset("the wrong commitment of " + batch_str(found_->batch) + " is gone from the chain");
    } else {
      return true;  // on the wrong batch: nothing after it can derive
    }
  }
  if (!deriver_) {
    DeriveOptions o;
    o.threads = options_.threads;
    o.fetch_limit = options_.fetch_limit;
    auto d = Deriver::create(*source_, o);
    if (!d) {
      note_error("starting the derivation: " + d.error().message);
      return false;
    }
    deriver_ = std::move(*d);
    verified_tx_ = Hash32();
  }
  for (std::uint32_t n = 0; n < options_.batches_per_poll && deriver_->verified() < info.last_batch; ++n) {
    const BatchNumber b(deriver_->verified().value() + 1);
    auto rec = client_->commitment(options_.rollup_id, b, true);
    if (!rec) {
      note_error("reading " + batch_str(b) + ": " + rec.error().message);
      return false;
    }
    if (!*rec) break;  // removed meanwhile: the next poll sees it
    auto m = deriver_->derive((*rec)->commitment);
    if (!m) {
      // The deriver may have read part of the batch: start over rather than guess.
      note_error("deriving " + batch_str(b) + ": " + m.error().message);
      deriver_.reset();
      return m.error().code != DeriveErrorCode::source;
    }
    if (!*m) {
      verified_tx_ = (*rec)->tx_hash;
      std::lock_guard lock(mutex_);
      state_.verified = b.value();
      ++state_.derived;
      continue;
    }
    spdlog::warn("challenger: {}", describe(**m));
    found_ = Found{b, (*rec)->tx_hash, **m, std::nullopt, false};
    std::lock_guard lock(mutex_);
    state_.mismatch = describe(**m);
    ++state_.mismatches;
    break;
  }
  return true;
}

bool Challenger::trace(Found& f) {
  // The state before the batch: a second derivation up to the batch before it (only ever
  // run for a wrong batch, never on the way).
  const auto t0 = SteadyClock::now();
  DeriveOptions o;
  o.threads = options_.threads;
  o.fetch_limit = options_.fetch_limit;
  auto pre = Deriver::create(*source_, o);
  if (!pre) {
    note_error("tracing " + batch_str(f.batch) + ": " + pre.error().message);
    return false;
  }
  Deriver::RunOptions run;
  run.upto = BatchNumber(f.batch.value() - 1);
  if (f.batch.value() > 1) {
    auto r = (*pre)->run(run);
    if (!r) {
      note_error("tracing " + batch_str(f.batch) + ": " + r.error().message);
      return false;
    }
    if (*r || (*pre)->verified() != *run.upto) {
      note_error("tracing " + batch_str(f.batch) + ": the batches before it no longer derive");
      return false;
    }
  }
  auto batch = read_chain_batch(*client_, options_.rollup_id, f.batch, options_.fetch_limit);
  if (!batch) {
    note_error("tracing " + batch_str(f.batch) + ": " + batch.error());
    return false;
  }
  if (batch->record.tx_hash != f.commitment_tx) return true;  // replaced: advance() sees it
  f.traced = true;
  if (batch->named) f.trace = derived_trace(*batch->named, (*pre)->state());
  const double ms = std::chrono::duration<double, std::milli>(SteadyClock::now() - t0).count();
  spdlog::info("challenger: traced {} in {:.1f} ms ({})", batch_str(f.batch), ms,
               f.trace ? std::to_string(f.trace->trace.steps.size()) + " positions"
                       : "the chain cannot name its txs: " + batch->named_error);
  std::lock_guard lock(mutex_);
  state_.last_trace_ms = ms;
  return true;
}

void Challenger::refuse(const Hash32& commitment_tx, const std::string& why) {
  if (!refused_.insert(commitment_tx).second) return;
  auto q = db_->prepare("INSERT OR REPLACE INTO refused (commitment_tx, reason) VALUES (?1, ?2)");
  if (q) {
    q->bind(1, commitment_tx.view()).bind(2, std::string_view(why));
    if (auto s = q->run(); !s) note_error("writing the store: " + s.error().message);
  } else {
    note_error("writing the store: " + q.error().message);
  }
  spdlog::warn("challenger: not challenging commitment {}: {}", commitment_tx.hex(), why);
}

void Challenger::record(const DisputeRecord& g) {
  ChallengerGame& mine = games_[g.id];
  const bool is_new = mine.id == 0;
  const std::string before = mine.status;
  mine.id = g.id;
  mine.batch = g.batch;
  mine.commitment_tx = g.commitment_tx;
  mine.status = g.status;
  mine.end = g.end.value_or("");
  mine.moves = g.moves;
  if (found_ && found_->commitment_tx == g.commitment_tx) mine.mismatch = describe(found_->mismatch);
  auto q = db_->prepare(
      "INSERT OR REPLACE INTO games (id, batch, commitment_tx, status, game_end, moves, mismatch) VALUES "
      "(?1, "
      "?2, ?3, ?4, ?5, ?6, ?7)");
  if (!q) {
    note_error("writing the store: " + q.error().message);
    return;
  }
  q->bind(1, static_cast<std::int64_t>(mine.id))
      .bind(2, static_cast<std::int64_t>(mine.batch.value()))
      .bind(3, mine.commitment_tx.view())
      .bind(4, std::string_view(mine.status))
      .bind(5, std::string_view(mine.end))
      .bind(6, static_cast<std::int64_t>(mine.moves))
      .bind(7, std::string_view(mine.mismatch));
  if (auto s = q->run(); !s) note_error("writing the store: " + s.error().message);
  std::lock_guard lock(mutex_);
  if (is_new) {
    ++state_.challenges;
    spdlog::info("challenger: dispute {} open on {} ({} positions)", g.id, batch_str(g.batch), g.positions);
  }
  if (before != mine.status && mine.status != "open") {
    if (mine.status == "challenger_won") ++state_.won;
    if (mine.status == "defender_won") ++state_.lost;
    spdlog::log(mine.status == "defender_won" ? spdlog::level::err : spdlog::level::info,
                "challenger: dispute {} on {} decided: {} ({}, {} moves)", g.id, batch_str(g.batch),
                mine.status, mine.end, g.moves);
  }
}

bool Challenger::send(BaseTxBody body, const std::string& what) {
  auto account = client_->account(key_.public_key());
  if (!account) {
    note_error("reading the challenger's account: " + account.error().message);
    return !account.error().unreachable();
  }
  BaseTx tx{key_.public_key(), account->nonce, std::move(body), Signature()};
  sign_base_tx(tx, base_chain_, key_);
  auto sent = client_->send(tx);
  if (!sent) {
    note_error(what + " refused: " + sent.error().message);
    std::lock_guard lock(mutex_);
    ++state_.refused_txs;
    return !sent.error().unreachable();
  }
  spdlog::info("challenger: sent {} (tx {})", what, sent->hex());
  return true;
}

bool Challenger::pursue(const ChainHead& head) {
  auto publish = [&] {
    std::vector<ChallengerGame> shown;
    std::uint64_t open = 0;
    for (auto it = games_.rbegin(); it != games_.rend(); ++it) {
      if (it->second.status == "open") ++open;
      if (shown.size() < kGamesShown) shown.push_back(it->second);
    }
    std::lock_guard lock(mutex_);
    state_.games = std::move(shown);
    state_.open = open;
  };
  // Games of ours on batches it is not on (a restart, a void game): follow them to the
  // ruling, for the record; nothing to play.
  for (auto& [id, g] : games_) {
    if (g.status != "open" || (found_ && found_->commitment_tx == g.commitment_tx)) continue;
    auto games = client_->disputes(options_.rollup_id, g.batch);
    if (!games) {
      note_error("reading the disputes of " + batch_str(g.batch) + ": " + games.error().message);
      return false;
    }
    bool seen = false;
    for (const DisputeRecord& d : *games)
      if (d.id == id) {
        seen = true;
        record(d);
      }
    if (!seen) g.status = "void";  // its batch went in a revert of the chain
  }
  if (!found_) {
    publish();
    return true;
  }
  Found& f = *found_;
  const ChainId rollup = options_.rollup_id;
  auto games = client_->disputes(rollup, f.batch);
  if (!games) {
    note_error("reading the disputes of " + batch_str(f.batch) + ": " + games.error().message);
    return false;
  }
  const DisputeRecord* mine = nullptr;
  for (const DisputeRecord& g : *games) {
    if (g.challenger != key_.public_key() || g.commitment_tx != f.commitment_tx) continue;
    record(g);
    if (g.status == "open") mine = &g;
    if (g.status == "defender_won")
      refuse(f.commitment_tx, "lost dispute " + std::to_string(g.id) + " on it (" + g.end.value_or("?") +
                                  "): the chain's one-step proof disagrees with this derivation");
  }
  publish();
  if (refused_.count(f.commitment_tx) != 0) return true;
  if (!f.traced && !trace(f)) return false;
  if (!f.traced) return true;

  if (mine == nullptr) {
    // Open the game, once: a challenge sent and not yet on the chain is not sent again
    // until kResendAfter (the chain refused it, say for a bond the key does not hold).
    if (challenge_sent_ && SteadyClock::now() - *challenge_sent_ < kResendAfter) return true;
    if (!disputable(f.mismatch.kind)) {
      refuse(f.commitment_tx,
             std::string("a ") + std::string(to_string(f.mismatch.kind)) +
                 " mismatch is not disputable (the base chain refuses such commitments itself)");
      return true;
    }
    auto rec = client_->commitment(rollup, f.batch, false);
    if (!rec) {
      note_error("reading " + batch_str(f.batch) + ": " + rec.error().message);
      return false;
    }
    if (!*rec) return true;
    if ((*rec)->is_final) {
      refuse(f.commitment_tx, batch_str(f.batch) + " was final before this challenger found it wrong");
      return true;
    }
    if (f.trace && f.trace->trace.post_root == (*rec)->commitment.header.new_root) {
      refuse(f.commitment_tx, "its trace reaches the committed root (" + describe(f.mismatch) +
                                  "): a bisection cannot show it");
      return true;
    }
    challenge_sent_ = SteadyClock::now();
    return send(ChallengeBatchBody{rollup, f.batch}, "challenge_batch on " + batch_str(f.batch));
  }

  const DisputeRecord& g = *mine;
  if (auto s = sent_.find(g.id); s != sent_.end() && s->second.moves == g.moves) {
    if (SteadyClock::now() - s->second.at < kResendAfter) return true;
  }
  const std::uint64_t spent = head.timestamp.value() > g.turn_began.value()
                                  ? static_cast<std::uint64_t>(head.timestamp.value() - g.turn_began.value())
                                  : 0;
  auto move = [&](BaseTxBody body, const std::string& what) {
    sent_[g.id] = Sent{g.moves, SteadyClock::now()};
    {
      std::lock_guard lock(mutex_);
      ++state_.moves;
    }
    return send(std::move(body), what + " in dispute " + std::to_string(g.id) + " on " + batch_str(g.batch));
  };
  if (g.phase == "respond") {
    if (spent > g.challenger_clock_s.value()) {
      note_error("dispute " + std::to_string(g.id) + ": this challenger's clock ran out");
      return true;
    }
    if (!g.mid) return true;
    const std::uint64_t mid = *g.mid;
    bool agree = false;  // no trace: the chain cannot name the batch's txs; no root stands
    if (f.trace) {
      const auto& steps = f.trace->trace.steps;
      if (mid == 0 || mid > steps.size()) {
        note_error("dispute " + std::to_string(g.id) + ": the chain names position " + std::to_string(mid) +
                   " of " + std::to_string(steps.size()));
        return true;
      }
      if (!g.proposed_root) {
        note_error("dispute " + std::to_string(g.id) + ": the chain shows no proposed root");
        return true;
      }
      agree = *g.proposed_root == steps[mid - 1].post_root;
    }
    return move(DisputeRespondBody{rollup, g.batch, mid, agree},
                std::string(agree ? "agree" : "disagree") + " at position " + std::to_string(mid));
  }
  if ((g.phase == "bisect" || g.phase == "step") && spent > g.defender_clock_s.value())
    return move(DisputeTimeoutBody{rollup, g.batch, key_.public_key()},
                "dispute_timeout (the sequencer's clock ran out)");
  return true;
}

}  // namespace l2::settlement
