// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers

#include "settlement/defender.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <utility>
#include <vector>

#include "settlement/chain_batch.hpp"

namespace l2::settlement {

namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr std::uint64_t kMaxLogBlocks = 10000;  // chain_getLogs' range limit
constexpr std::uint64_t kMaxBondReads = 64;     // dispute_getBond calls per poll
// A move handed to the poster and not yet seen on the chain is sent again after this
// long (the chain refused it, or the poster dropped it).
constexpr auto kResendAfter = std::chrono::seconds(10);

std::string batch_str(BatchNumber b) { return "batch " + std::to_string(b.value()); }

std::string game_str(const DisputeRecord& g) {
  return "dispute " + std::to_string(g.id) + " (" + batch_str(g.batch) + ", challenger " +
         g.challenger.hex().substr(0, 16) + "...)";
}

}  // namespace

Defender::Defender(std::string base_chain_url, http::ClientOptions http, DefenderOptions options,
                   StateAt state_at, Send send)
    : url_(std::move(base_chain_url)),
      http_(std::move(http)),
      options_(options),
      state_at_(std::move(state_at)),
      send_(std::move(send)) {}

Defender::~Defender() { stop(); }

void Defender::start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable() || stop_) return;
  thread_ = std::thread([this] { run(); });
}

void Defender::stop() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

DefenderState Defender::state() const {
  std::lock_guard lock(mutex_);
  return state_;
}

void Defender::note_error(const std::string& what) {
  std::lock_guard lock(mutex_);
  if (state_.last_error != what) spdlog::warn("settlement: disputes: {}", what);
  state_.last_error = what;
}

void Defender::run() {
  std::unique_ptr<BaseChainClient> client;
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stop_) return;
    }
    if (!client) {
      auto c = BaseChainClient::create(url_, http_);
      if (c) {
        client = std::move(*c);
      } else {
        note_error(c.error());
        std::lock_guard lock(mutex_);
        state_.reachable = false;
      }
    }
    if (client && !poll(*client)) client.reset();
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, std::chrono::milliseconds(options_.poll_ms), [&] { return stop_; });
  }
}

bool Defender::poll(BaseChainClient& client) {
  const ChainId rollup = options_.rollup_id;
  auto fail = [&](const RpcError& e) {
    note_error("reading the base chain's disputes: " + e.message);
    std::lock_guard lock(mutex_);
    state_.reachable = !e.unreachable();
    return false;
  };
  auto head = client.head();
  if (!head) return fail(head.error());
  auto info = client.rollup(rollup);
  if (!info) return fail(info.error());
  if (!*info) return true;  // not registered yet: nothing to defend

  // 1. New games, from the DisputeOpened logs. At start: from the block of the last final
  //    commitment, before which no open game can have begun (an open game holds every
  //    batch from its own on from finality).
  if (!next_block_) {
    BlockNumber from(0);
    if ((*info)->last_final.value() > 0) {
      auto last_final = client.commitment(rollup, (*info)->last_final, false);
      if (!last_final) return fail(last_final.error());
      if (*last_final && (*last_final)->block) from = *(*last_final)->block;
    }
    next_block_ = from;
  }
  while (next_block_->value() <= head->number.value()) {
    const BlockNumber to(std::min(head->number.value(), next_block_->value() + kMaxLogBlocks - 1));
    auto opened = client.disputes_opened(rollup, *next_block_, to);
    if (!opened) return fail(opened.error());
    watched_.insert(opened->begin(), opened->end());
    next_block_ = BlockNumber(to.value() + 1);
  }

  // 2. Every watched batch's games: answer the open ones, count the rulings.
  std::uint64_t open = 0;
  std::uint64_t seen = 0;
  std::uint64_t won = 0;
  std::uint64_t lost = 0;
  for (auto it = watched_.begin(); it != watched_.end();) {
    auto games = client.disputes(rollup, *it);
    if (!games) return fail(games.error());
    bool any_open = false;
    for (const DisputeRecord& g : *games) {
      if (g.status == "open") {
        any_open = true;
        ++open;
        if (open_ids_.insert(g.id).second) {
          ++seen;
          spdlog::info("settlement: {} opened: {} positions, defending", game_str(g), g.positions);
        }
        act(client, g, head->timestamp);
      } else if (open_ids_.erase(g.id) != 0) {
        sent_.erase(g.id);
        if (g.status == "defender_won") ++won;
        if (g.status == "challenger_won") ++lost;
        spdlog::log(g.status == "challenger_won" ? spdlog::level::warn : spdlog::level::info,
                    "settlement: {} decided: {} ({})", game_str(g), g.status, g.end.value_or("?"));
      }
    }
    if (!any_open) {
      traces_.erase(*it);
      it = watched_.erase(it);
    } else {
      ++it;
    }
  }
  if (!claim_bonds(client, **info)) return false;
  std::lock_guard lock(mutex_);
  state_.open = open;
  state_.seen += seen;
  state_.won += won;
  state_.lost += lost;
  state_.reachable = true;
  return true;
}

bool Defender::claim_bonds(BaseChainClient& client, const RollupInfo& info) {
  // A bond of 0 locks nothing. Otherwise every commitment locked one, which comes back
  // with claim_bond once the commitment is final (docs/disputes.md, "Bonds and the
  // ruling"): look at each final batch once (from batch 1 after a restart; a bond already
  // returned is skipped), a bounded number per poll.
  if (info.bond.value() == 0) return true;
  for (std::uint64_t read = 0; read < kMaxBondReads && claim_next_ <= info.last_final.value(); ++read) {
    const BatchNumber batch(claim_next_);
    auto bond = client.bond(options_.rollup_id, batch);
    if (!bond) {
      note_error("reading the bond of " + batch_str(batch) + ": " + bond.error().message);
      std::lock_guard lock(mutex_);
      state_.reachable = !bond.error().unreachable();
      return false;
    }
    if (*bond && !(*bond)->returned) {
      const std::string what =
          "claim_bond for " + batch_str(batch) + " (" + (*bond)->amount.to_string() + ")";
      if (!hand_over(ClaimBondBody{options_.rollup_id, batch}, what)) return true;  // again at the next poll
      std::lock_guard lock(mutex_);
      ++state_.bonds_claimed;
    }
    ++claim_next_;
  }
  return true;
}

bool Defender::hand_over(BaseTxBody body, const std::string& what) {
  if (send_(std::move(body), what)) return true;
  note_error("cannot send " + what + ": the poster's queue is full");
  return false;
}

bool Defender::move(BaseTxBody body, const DisputeRecord& game, const std::string& what) {
  if (!hand_over(std::move(body), what)) return false;
  sent_[game.id] = Sent{game.moves, SteadyClock::now()};
  std::lock_guard lock(mutex_);
  ++state_.moves;
  return true;
}

void Defender::act(BaseChainClient& client, const DisputeRecord& g, ChainTime now) {
  // Our move for this state of the game is on its way: wait for the chain to show it,
  // unless that takes long (then the chain refused it, and we decide again).
  if (auto s = sent_.find(g.id); s != sent_.end() && s->second.moves == g.moves) {
    if (SteadyClock::now() - s->second.at < kResendAfter) return;
  }
  const std::uint64_t spent =
      now.value() > g.turn_began.value() ? static_cast<std::uint64_t>(now.value() - g.turn_began.value()) : 0;
  auto sent = [&](BaseTxBody body, const std::string& what) { move(std::move(body), g, what); };
  if (g.phase == "respond") {
    // The challenger's turn: its clock runs.
    if (spent > g.challenger_clock_s.value())
      sent(DisputeTimeoutBody{options_.rollup_id, g.batch, g.challenger},
           "dispute_timeout on " + game_str(g) + " (the challenger's clock ran out)");
    return;
  }
  if (g.phase != "bisect" && g.phase != "step") return;
  if (spent > g.defender_clock_s.value()) {
    note_error(game_str(g) + ": the sequencer's clock ran out before it could move");
    return;
  }
  const Trace* t = trace_for(client, g);
  if (t == nullptr) return;
  const auto& steps = t->trace.trace.steps;
  if (g.phase == "bisect") {
    if (!g.mid || *g.mid == 0 || *g.mid > steps.size()) {
      note_error(game_str(g) + ": the chain names position " + std::to_string(g.mid.value_or(0)) + " of " +
                 std::to_string(steps.size()));
      return;
    }
    const Hash32 root = steps[*g.mid - 1].post_root;
    sent(DisputeBisectBody{options_.rollup_id, g.batch, g.challenger, *g.mid, root},
         "dispute_bisect on " + game_str(g) + " at position " + std::to_string(*g.mid));
    return;
  }
  if (g.hi == 0 || g.hi > steps.size()) {
    note_error(game_str(g) + ": the chain names position " + std::to_string(g.hi) + " of " +
               std::to_string(steps.size()));
    return;
  }
  sent(DisputeStepBody{options_.rollup_id, g.batch, g.challenger, steps[g.hi - 1].witness},
       "dispute_step on " + game_str(g) + " at position " + std::to_string(g.hi));
}

const Defender::Trace* Defender::trace_for(BaseChainClient& client, const DisputeRecord& g) {
  if (auto it = traces_.find(g.batch); it != traces_.end()) {
    if (it->second.commitment_tx == g.commitment_tx) return it->second.defensible ? &it->second : nullptr;
    traces_.erase(it);
  }
  const std::string what = "tracing " + batch_str(g.batch) + " for " + game_str(g);
  auto batch = read_chain_batch(client, options_.rollup_id, g.batch, options_.fetch_limit);
  if (!batch) {
    note_error(what + ": " + batch.error());
    return nullptr;
  }
  if (batch->record.tx_hash != g.commitment_tx) return nullptr;  // replaced: the game is void
  const CommitmentHeader& h = batch->record.commitment.header;

  Trace& t = traces_[g.batch];
  t.commitment_tx = g.commitment_tx;
  t.defensible = false;
  if (!batch->named) {
    note_error(what + ": the chain cannot name its txs (" + batch->named_error + "): not defending it");
    return nullptr;
  }
  const auto t0 = SteadyClock::now();
  auto pre = state_at_(BatchNumber(g.batch.value() - 1));
  if (!pre) {
    traces_.erase(g.batch);  // try again next poll
    note_error(what + ": " + pre.error());
    return nullptr;
  }
  t.trace = derived_trace(*batch->named, *pre);
  const double ms = std::chrono::duration<double, std::milli>(SteadyClock::now() - t0).count();
  {
    std::lock_guard lock(mutex_);
    ++state_.traces;
    state_.last_trace_ms = ms;
  }
  const rollup::BatchTrace& bt = t.trace.trace;
  if (bt.pre_root != h.prev_root || bt.post_root != h.new_root || bt.steps.size() != g.positions) {
    note_error(what + ": this node's trace (" + std::to_string(bt.steps.size()) + " positions, " +
               bt.pre_root.hex() + " -> " + bt.post_root.hex() + ") is not the commitment's (" +
               std::to_string(g.positions) + " positions, " + h.prev_root.hex() + " -> " + h.new_root.hex() +
               "): not defending it");
    return nullptr;
  }
  t.defensible = true;
  spdlog::info("settlement: traced {} ({} positions) in {:.1f} ms", batch_str(g.batch), bt.steps.size(), ms);
  return &t;
}

}  // namespace l2::settlement
