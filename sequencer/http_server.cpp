// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// The sequencer's side of HTTP; the transport (sockets, TLS, limits, timeouts,
// keep-alive) is l2::http::Server's. Structure:
//   Router    — pure request -> response (or a deferred response waiting on a
//               WaitGroup); every endpoint of docs/api.md.
//   Scheduler — runs deferred answers: when their group is done, or when their wait
//               times out. A WaitGroup's callback runs on the node's ack thread and must
//               not call back into the node, so it only queues the answer here.
//   HttpServer::Impl — glues them to the l2::http::Server, and counts every answer in
//               the metrics (the server's own error answers under the route "-").
#include "sequencer/http_server.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <condition_variable>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>
#include <variant>

#include "common/http/server.hpp"
#include "rollup/account.hpp"
#include "sequencer/http_target.hpp"
#include "sequencer/json_codec.hpp"

namespace l2::sequencer {

using nlohmann::json;

namespace {

using Request = http::Request;
using Response = http::Response;
using SteadyClock = std::chrono::steady_clock;

constexpr unsigned kOk = 200;
constexpr unsigned kAccepted = 202;
constexpr unsigned kInternalError = 500;
constexpr unsigned kServiceUnavailable = 503;

// A response that can only be written once a WaitGroup is done (or its timeout passed).
struct Deferred {
  std::shared_ptr<WaitGroup> group;
  std::chrono::milliseconds timeout{kDefaultWaitMs};
  std::function<Response(const WaitGroup&)> finish;
};
using Outcome = std::variant<Response, Deferred>;

Response make_response(unsigned status, std::string body, std::string_view content_type) {
  Response res;
  res.status = status;
  res.content_type = std::string(content_type);
  res.body = std::move(body);
  return res;
}

Response json_response(unsigned status, const json& body) {
  return make_response(status, body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
}

Response error_response(const ApiError& e) {
  Response res = make_response(http_status(e.code), error_body(e), "application/json");
  if (e.code == ErrorCode::mempool_full || e.code == ErrorCode::unavailable)
    res.headers.emplace_back("Retry-After", "1");
  return res;
}

Response internal_error() {
  return json_response(kInternalError,
                       json{{"error", {{"code", "internal"}, {"message", "internal error"}}}});
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// "application/json; charset=utf-8" -> "application/json"
std::string media_type(std::string_view header) {
  auto semi = header.find(';');
  std::string_view t = header.substr(0, semi);
  while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
  return lower(t);
}

bool accepts_binary(const Request& req) {
  auto accept = req.header("Accept");
  return accept && lower(*accept).find("application/octet-stream") != std::string::npos;
}

json header_json(const rollup::BatchHeader& h) {
  return json{{"number", std::to_string(h.number.value())},
              {"prev_root", h.prev_root.hex()},
              {"state_root", h.state_root.hex()},
              {"txs_hash", h.txs_hash.hex()},
              {"tx_count", h.tx_count},
              {"applied_count", h.applied_count},
              {"timestamp_ms", std::to_string(h.timestamp_ms)}};
}

class Router {
 public:
  Router(Node& node, settlement::Settler* settler, const ServerOptions& options)
      : node_(node), settler_(settler), options_(options) {}

  // `label` gets the route's template, for metrics.
  Outcome route(const Request& req, std::string& label) {
    // Not a structured binding: the lambdas below capture them (clang 14 cannot).
    const Target target = split_target(req.target);
    const std::string_view path = target.path;
    const std::string_view query = target.query;
    auto starts = [&](std::string_view p) { return path.substr(0, p.size()) == p; };

    if (path == "/health") return on(req, label = "/health", {"GET"}, [&] { return health(); });
    if (path == "/ready")
      return on(req, label = "/ready", {"GET"},
                [&] { return with_query(query, {}, [&](const Query&) { return ready(); }); });
    if (path == "/metrics") return on(req, label = "/metrics", {"GET"}, [&] { return metrics(); });
    if (path == "/v1/status")
      return on(req, label = "/v1/status", {"GET"},
                [&] { return with_query(query, {}, [&](const Query&) { return status(); }); });
    if (path == "/v1/transactions")
      return on(req, label = "/v1/transactions", {"POST"}, [&] { return post_tx(req, query); });
    if (starts("/v1/transactions/") && path.find('/', 17) == std::string_view::npos)
      return on(req, label = "/v1/transactions/{hash}", {"GET"},
                [&] { return with_query(query, {}, [&](const Query&) { return get_tx(path.substr(17)); }); });
    if (path == "/v1/batches")
      return on(req, label = "/v1/batches", {"POST"}, [&] { return post_batch(req, query); });
    if (starts("/v1/batches/") && path.find('/', 12) == std::string_view::npos)
      return on(req, label = "/v1/batches/{n}", {"GET"}, [&] {
        return with_query(query, {}, [&](const Query&) { return get_batch(path.substr(12)); });
      });
    if (starts("/v1/accounts/")) {
      std::string_view rest = path.substr(13);
      auto slash = rest.find('/');
      if (slash == std::string_view::npos)
        return on(req, label = "/v1/accounts/{id}", {"GET"}, [&] {
          return with_query(query, {"batch"}, [&](const Query& q) { return get_account(rest, false, q); });
        });
      if (rest.substr(slash) == "/proof")
        return on(req, label = "/v1/accounts/{id}/proof", {"GET"}, [&] {
          return with_query(query, {"batch"},
                            [&](const Query& q) { return get_account(rest.substr(0, slash), true, q); });
        });
      if (rest.substr(slash) == "/withdrawals")
        return on(req, label = "/v1/accounts/{id}/withdrawals", {"GET"}, [&] {
          return with_query(query, {"limit"}, [&](const Query& q) {
            return get_account_withdrawals(rest.substr(0, slash), q);
          });
        });
    }
    if (starts("/v1/withdrawals/") && path.find('/', 16) == std::string_view::npos)
      return on(req, label = "/v1/withdrawals/{hash}", {"GET"}, [&] {
        return with_query(query, {}, [&](const Query&) { return get_withdrawal(path.substr(16)); });
      });
    if (path == "/v1/settlement")
      return on(req, label = "/v1/settlement", {"GET"},
                [&] { return with_query(query, {}, [&](const Query&) { return settlement(); }); });
    if (path == "/v1/sync")
      return on(req, label = "/v1/sync", {"GET"},
                [&] { return with_query(query, {}, [&](const Query&) { return sync(); }); });
    if (path == "/v1/dev/deposit")
      return on(req, label = "/v1/dev/deposit", {"POST"}, [&] { return post_deposit(req, query); });
    if (starts("/v1/dev/") && !dev_enabled()) {
      label = "/v1/dev/*";
      return error_response(dev_disabled());
    }
    label = "unmatched";
    return error_response(ApiError{ErrorCode::not_found, "no route for " + std::string(path)});
  }

 private:
  template <class F>
  Outcome on(const Request& req, const std::string&, std::initializer_list<std::string_view> allowed, F&& f) {
    // HEAD wherever GET: the same answer without its body (the transport drops it).
    for (auto v : allowed)
      if (req.method == v || (v == "GET" && req.method == "HEAD")) return f();
    std::string allow;
    for (auto v : allowed)
      allow += (allow.empty() ? "" : ", ") + std::string(v) + (v == "GET" ? ", HEAD" : "");
    Response res = error_response(
        ApiError{ErrorCode::method_not_allowed, req.method + " is not allowed here; use " + allow});
    res.headers.emplace_back("Allow", allow);
    return res;
  }

  template <class F>
  Outcome with_query(std::string_view query, std::initializer_list<std::string_view> allowed, F&& f) {
    auto q = parse_query(query, allowed);
    if (!q) return error_response(q.error());
    return f(*q);
  }

  static std::optional<ApiError> require_type(const Request& req,
                                              std::initializer_list<std::string_view> types) {
    auto content_type = req.header("Content-Type");
    std::string got = content_type ? media_type(*content_type) : std::string();
    for (auto t : types)
      if (got == t) return std::nullopt;
    std::string want;
    for (auto t : types) want += (want.empty() ? "" : " or ") + std::string(t);
    return ApiError{ErrorCode::unsupported_media_type,
                    (got.empty() ? std::string("no Content-Type") : "Content-Type " + got) +
                        "; this route takes " + want};
  }

  [[nodiscard]] bool dev_enabled() const { return options_.dev && !options_.base_chain_configured; }
  [[nodiscard]] ApiError dev_disabled() const {
    return ApiError{ErrorCode::dev_disabled, options_.base_chain_configured
                                                 ? "dev routes are off while a base chain is configured"
                                                 : "dev routes are off; start sequencerd with --dev"};
  }

  Response health() {
    if (node_.healthy()) return json_response(kOk, json{{"status", "ok"}});
    return json_response(kServiceUnavailable, json{{"status", "unavailable"}});
  }

  // Readiness: whether this node should get traffic now (docs/api.md, GET /ready). Every
  // reason that holds is listed; each is read from state the node already has (no call
  // to the base chain).
  Response ready() {
    json reasons = json::array();
    auto add = [&](std::string_view code, std::string message) {
      reasons.push_back(json{{"code", code}, {"message", std::move(message)}});
    };
    if (!node_.healthy())
      add("unavailable", "the node is shutting down or its storage failed: it takes no writes");
    if (auto d = node_.damage()) add("storage_damaged", std::move(*d));
    if (settler_) {
      const settlement::SettlerStatus s = settler_->status();
      const ReadyOptions& r = options_.ready;
      if (s.poster.fatal) add("settlement_fatal", s.poster.last_error);
      if (s.poster.diverged) add("diverged", *s.poster.diverged);
      if (s.poster.reorg_wanted)
        add("reorg_in_progress", "rolling back to batch " + std::to_string(s.poster.reorg_wanted->value()) +
                                     ", the base chain's last, and executing the later user txs again");
      if (s.poster.catch_up_wanted)
        add("catching_up", "re-deriving the base chain's batches up to " +
                               std::to_string(s.poster.catch_up_wanted->value()) +
                               ", which another process posted with this sequencer's key");
      if (s.poster.refusals_in_a_row >= r.max_refusals)
        add("settlement_refused", "the base chain refused the last " +
                                      std::to_string(s.poster.refusals_in_a_row) +
                                      " commitments: " + s.poster.last_error);
      if (s.unreachable_for >= std::chrono::seconds(r.max_unreachable_s))
        add("base_chain_unreachable", "the base chain has not answered for " +
                                          std::to_string(s.unreachable_for.count() / 1000) +
                                          " s: " + s.chain.last_error);
      if (settler_->holding(node_.durable_head()))
        add("backlog_full", "batches are " +
                                std::to_string(node_.durable_head().value() - s.poster.last_posted.value()) +
                                " ahead of the base chain: no new batch closes until it takes some");
    }
    const bool ok = reasons.empty();
    return json_response(ok ? kOk : kServiceUnavailable,
                         json{{"ready", ok}, {"reasons", std::move(reasons)}});
  }

  Response metrics() {
    std::string text = node_.metrics().render();
    if (settler_) {
      const settlement::SettlerStatus s = settler_->status();
      const ReorgStats reorgs = node_.reorg_stats();
      SettlementGauges g{s.poster.last_posted.value(),
                         node_.durable_head().value(),
                         s.poster.posted,
                         s.poster.refusals,
                         s.poster.failures,
                         s.poster.reachable && s.chain.reachable};
      g.diverged = s.poster.diverged.has_value();
      g.reorgs = reorgs.reorgs;
      g.reexecuted_txs = reorgs.reexecuted;
      g.reorg_dropped_txs = reorgs.dropped;
      g.catch_ups = reorgs.catch_ups;
      g.caught_up_batches = reorgs.caught_up_batches;
      g.disputes_open = s.disputes.open;
      g.disputes_won = s.disputes.won;
      g.disputes_lost = s.disputes.lost;
      g.dispute_moves_sent = s.poster.extra_sent;
      g.dispute_moves_refused = s.poster.extra_refused;
      g.bonds_claimed = s.disputes.bonds_claimed;
      render_settlement(text, g);
    }
    return make_response(kOk, std::move(text), "text/plain; version=0.0.4; charset=utf-8");
  }

  Response status() {
    NodeStatus s = node_.status();
    return json_response(kOk, json{{"chain_id", std::to_string(s.chain_id.value())},
                                   {"latest_batch", std::to_string(s.latest_batch.value())},
                                   {"state_root", s.state_root.hex()},
                                   {"accounts", s.accounts},
                                   {"mempool_depth", s.mempool_depth},
                                   {"dev", dev_enabled()}});
  }

  Outcome post_tx(const Request& req, std::string_view query) {
    auto q = parse_query(query, {"wait", "timeout_ms"});
    if (!q) return error_response(q.error());
    auto wait = query_wait(*q);
    if (!wait) return error_response(wait.error());
    auto timeout = query_timeout(*q);
    if (!timeout) return error_response(timeout.error());
    if (auto e = require_type(req, {"application/json"})) return error_response(*e);
    auto j = parse_json(req.body);
    if (!j) return error_response(j.error());
    auto tx = tx_from_json(*j);
    if (!tx) return error_response(tx.error());
    std::vector<TxRequest> txs;
    txs.push_back(std::move(*tx));
    SubmitOptions opts;
    opts.single = true;
    opts.watch = *wait;
    auto group = node_.submit(std::move(txs), opts);
    if (!group) return error_response(group.error());
    auto pending = [](const TxReceipt& r) {
      return json_response(kAccepted, json{{"hash", r.hash.hex()}, {"status", "pending"}});
    };
    if (!*wait) return pending((*group)->snapshot()[0]);
    return Deferred{*group, *timeout, [pending](const WaitGroup& g) {
                      if (g.failed())
                        return error_response(ApiError{ErrorCode::unavailable, "storage failed"});
                      TxReceipt r = g.snapshot()[0];
                      if (r.status == ReceiptCode::pending) return pending(r);
                      return json_response(kOk, receipt_to_json(r));
                    }};
  }

  Outcome post_batch(const Request& req, std::string_view query) {
    auto q = parse_query(query, {"timeout_ms"});
    if (!q) return error_response(q.error());
    auto timeout = query_timeout(*q);
    if (!timeout) return error_response(timeout.error());
    if (auto e = require_type(req, {"application/json", "application/octet-stream"}))
      return error_response(*e);
    const bool binary = media_type(req.header("Content-Type").value_or("")) == "application/octet-stream";
    Result<std::vector<TxRequest>, ApiError> txs = std::vector<TxRequest>{};
    if (binary) {
      txs = txs_from_binary(as_bytes(req.body), options_.http.max_batch_txs);
    } else {
      auto j = parse_json(req.body);
      if (!j) return error_response(j.error());
      txs = txs_from_json(*j, options_.http.max_batch_txs);
    }
    if (!txs) return error_response(txs.error());
    SubmitOptions opts;  // signatures are verified once, by the engine's parallel stage
    auto group = node_.submit(std::move(*txs), opts);
    if (!group) return error_response(group.error());
    const bool binary_out = accepts_binary(req);
    return Deferred{*group, *timeout, [binary_out](const WaitGroup& g) {
                      if (g.failed())
                        return error_response(ApiError{ErrorCode::unavailable, "storage failed"});
                      auto receipts = g.snapshot();
                      bool full = false;
                      for (const auto& r : receipts) full = full || r.status == ReceiptCode::mempool_full;
                      Response res;
                      if (binary_out) {
                        Bytes b = receipts_to_binary(receipts);
                        res = make_response(kOk, std::string(b.begin(), b.end()), "application/octet-stream");
                      } else {
                        json arr = json::array();
                        for (const auto& r : receipts) arr.push_back(receipt_to_json(r));
                        res = json_response(kOk, json{{"receipts", std::move(arr)}});
                      }
                      if (full) res.headers.emplace_back("Retry-After", "1");
                      return res;
                    }};
  }

  Response get_tx(std::string_view hex) {
    auto hash = Hash32::from_hex_string(hex);
    if (!hash) return error_response(ApiError{ErrorCode::bad_hex, "a tx hash is 64 hex digits"});
    auto found = node_.lookup_tx(*hash);
    if (!found) return error_response(found.error());
    if (!*found) return error_response(ApiError{ErrorCode::not_found, "no tx " + hash->hex()});
    json j = receipt_to_json((*found)->receipt);
    j["tx"] = tx_to_json((*found)->tx, node_.chain_id());
    if (!(*found)->duplicates.empty()) {
      json& d = j["duplicates"] = json::array();
      for (const auto& r : (*found)->duplicates) d.push_back(receipt_to_json(r));
    }
    if (const auto& n = (*found)->reorg) {
      json& r = j["reorg"] = json{{"outcome", std::string(to_string(n->outcome))},
                                  {"from_batch", std::to_string(n->from_batch.value())},
                                  {"from_index", n->from_index},
                                  {"rolled_back_to", std::to_string(n->rolled_back_to.value())}};
      if (!n->reason.empty()) r["reason"] = n->reason;
    }
    return json_response(kOk, j);
  }

  Response get_batch(std::string_view which) {
    auto n = parse_batch_ref(which);
    if (!n) return error_response(n.error());
    auto h = node_.batch_header(*n);
    if (!h) return error_response(h.error());
    if (!*h) return error_response(ApiError{ErrorCode::not_found, "no batch " + std::string(which)});
    return json_response(kOk, header_json(**h));
  }

  // An account named by decimal index or hex public key.
  // `chain`: where it stands on the base chain (nullopt without one: always pending).
  static json withdrawal_json(const WithdrawalView& w,
                              const std::optional<settlement::WithdrawalChainState>& chain) {
    const rollup::Account& leaf = w.witness.leaf;
    json j{{"tx_hash", w.tx_hash.hex()},
           {"account", w.account.value()},
           {"amount", w.amount.to_string()},
           {"batch", std::to_string(w.batch.value())},
           {"state_root", w.state_root.hex()},
           {"leaf", to_hex(rollup::encode_leaf(leaf))},
           {"public_key", leaf.pubkey.hex()},
           {"balance", leaf.balance.to_string()},
           {"nonce", std::to_string(leaf.nonce.value())},
           {"withdrawn", leaf.withdrawn.to_string()},
           {"proof", to_hex(w.witness.proof.encode())},
           {"status", "pending"}};
    if (!chain) return j;
    j["status"] = std::string(settlement::to_string(chain->status));
    if (chain->final_at) j["final_at"] = std::to_string(chain->final_at->value());
    if (chain->seconds_left) j["seconds_left"] = std::to_string(chain->seconds_left->value());
    if (chain->paid) j["paid"] = chain->paid->to_string();
    if (!chain->detail.empty()) j["detail"] = chain->detail;
    if (chain->chain_time) j["chain_time"] = std::to_string(chain->chain_time->value());
    if (chain->view_age_ms) j["view_age_ms"] = std::to_string(*chain->view_age_ms);
    return j;
  }

  // The base-chain status of each view, from the settler's cache (never a call to the
  // base chain on this I/O thread).
  std::vector<std::optional<settlement::WithdrawalChainState>> chain_states(
      const std::vector<WithdrawalView>& views) {
    std::vector<std::optional<settlement::WithdrawalChainState>> out(views.size());
    if (!settler_ || views.empty()) return out;
    std::vector<settlement::WatchedWithdrawal> ws;
    ws.reserve(views.size());
    for (const auto& v : views)
      ws.push_back(settlement::WatchedWithdrawal{v.batch, v.witness.leaf.pubkey, v.witness.leaf.withdrawn});
    auto states = settler_->withdrawal_states(ws);
    for (std::size_t i = 0; i < views.size(); ++i) out[i] = std::move(states[i]);
    return out;
  }

  Response get_withdrawal(std::string_view hex) {
    auto hash = Hash32::from_hex_string(hex);
    if (!hash) return error_response(ApiError{ErrorCode::bad_hex, "a tx hash is 64 hex digits"});
    auto w = node_.withdrawal(*hash);
    if (!w) return error_response(w.error());
    if (!*w) return error_response(ApiError{ErrorCode::not_found, "no applied withdrawal " + hash->hex()});
    std::vector<WithdrawalView> views{std::move(**w)};
    auto chain = chain_states(views);
    return json_response(kOk, withdrawal_json(views[0], chain[0]));
  }

  Response get_account_withdrawals(std::string_view id, const Query& q) {
    auto limit_or = query_limit(q);
    if (!limit_or) return error_response(limit_or.error());
    const std::size_t limit = *limit_or;
    auto ref = parse_account_ref(id);
    if (!ref) return error_response(ref.error());
    auto view = node_.account(*ref, false);
    if (!view) return error_response(ApiError{ErrorCode::not_found, "no account " + std::string(id)});
    auto list = node_.account_withdrawals(view->index, limit);
    if (!list) return error_response(list.error());
    json arr = json::array();
    auto chain = chain_states(*list);
    for (std::size_t i = 0; i < list->size(); ++i) arr.push_back(withdrawal_json((*list)[i], chain[i]));
    return json_response(kOk, json{{"withdrawals", std::move(arr)}});
  }

  Response settlement() {
    if (!settler_) return error_response(ApiError{ErrorCode::not_found, "this sequencer has no base chain"});
    const settlement::SettlerStatus s = settler_->status();
    const ReorgStats reorgs = node_.reorg_stats();
    json j{{"base_chain", options_.base_chain_url},
           {"reachable", s.poster.reachable && s.chain.reachable},
           {"fatal", s.poster.fatal},
           {"diverged", s.poster.diverged.has_value()},
           {"synced", s.poster.synced},
           {"last_posted", std::to_string(s.poster.last_posted.value())},
           {"durable_head", std::to_string(node_.durable_head().value())},
           {"posted", std::to_string(s.poster.posted)},
           {"refusals", std::to_string(s.poster.refusals)},
           {"failures", std::to_string(s.poster.failures)},
           {"last_error", s.poster.last_error},
           {"next_deposit", std::to_string(s.next_deposit.value())},
           {"next_forced", std::to_string(s.next_forced.value())},
           {"reorgs", std::to_string(reorgs.reorgs)},
           {"reexecuted_txs", std::to_string(reorgs.reexecuted)},
           {"reorg_dropped_txs", std::to_string(reorgs.dropped)},
           {"catch_ups", std::to_string(reorgs.catch_ups)},
           {"caught_up_batches", std::to_string(reorgs.caught_up_batches)},
           {"chain_head", std::to_string(s.chain.head.number.value())},
           {"chain_time", std::to_string(s.chain.head.timestamp.value())}};
    j["disputes"] =
        json{{"open", std::to_string(s.disputes.open)},
             {"seen", std::to_string(s.disputes.seen)},
             {"won", std::to_string(s.disputes.won)},
             {"lost", std::to_string(s.disputes.lost)},
             {"moves_queued", std::to_string(s.disputes.moves)},
             {"moves_sent", std::to_string(s.poster.extra_sent)},
             {"moves_refused", std::to_string(s.poster.extra_refused)},
             {"traces", std::to_string(s.disputes.traces)},
             {"bonds_claimed", std::to_string(s.disputes.bonds_claimed)},
             {"last_trace_ms", std::to_string(static_cast<std::uint64_t>(s.disputes.last_trace_ms))},
             {"last_error", s.disputes.last_error}};
    if (s.chain.rollup) j["last_final"] = std::to_string(s.chain.rollup->last_final.value());
    if (s.poster.reorg_wanted) j["reorg_wanted"] = std::to_string(s.poster.reorg_wanted->value());
    if (s.poster.catch_up_wanted) j["catch_up_wanted"] = std::to_string(s.poster.catch_up_wanted->value());
    if (s.chain.synced)
      j["view_age_ms"] = std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                            settlement::SteadyClock::now() - s.chain.refreshed_at)
                                            .count());
    return json_response(kOk, j);
  }

  // Where this node stands against the base chain (docs/api.md, GET /v1/sync), from the
  // node's state and the follower's cached view only.
  Response sync() {
    const NodeStatus st = node_.status();
    json j{{"soft",
            json{{"batch", std::to_string(st.latest_batch.value())}, {"state_root", st.state_root.hex()}}},
           {"posted", nullptr},
           {"final", nullptr},
           {"base_chain", nullptr},
           {"queues", nullptr}};
    if (!settler_) return json_response(kOk, j);
    const settlement::SettlerStatus s = settler_->status();
    json chain{
        {"url", options_.base_chain_url}, {"reachable", s.chain.reachable}, {"synced", s.chain.synced}};
    if (s.chain.synced) {
      chain["head"] = json{{"number", std::to_string(s.chain.head.number.value())},
                           {"timestamp", std::to_string(s.chain.head.timestamp.value())},
                           {"hash", s.chain.head.hash.hex()}};
      chain["view_age_ms"] = std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                settlement::SteadyClock::now() - s.chain.refreshed_at)
                                                .count());
    }
    j["base_chain"] = std::move(chain);
    if (s.chain.synced && s.chain.rollup) {
      const settlement::RollupInfo& r = *s.chain.rollup;
      // A head on the base chain: the batch, its root and the block that holds its
      // commitment (null for genesis, or while the record is not cached yet).
      auto head = [](BatchNumber batch, std::optional<Hash32> root,
                     const std::optional<settlement::CommitmentRecord>& rec) {
        json h{{"batch", std::to_string(batch.value())},
               {"state_root", root ? json(root->hex()) : json(nullptr)},
               {"block", nullptr}};
        if (rec && rec->commitment.header.batch == batch) {
          h["state_root"] = rec->commitment.header.new_root.hex();
          if (rec->block) h["block"] = std::to_string(rec->block->value());
          h["posted_at"] = std::to_string(rec->posted_at.value());
          h["final_at"] = std::to_string(rec->final_at.value());
        }
        return h;
      };
      j["posted"] = head(r.last_batch, r.last_root, s.chain.last_commitment);
      j["final"] =
          head(r.last_final, r.last_final.value() == 0 ? std::optional<Hash32>(r.genesis_root) : std::nullopt,
               s.chain.final_commitment);
      j["queues"] = json{{"deposits", json{{"consumed", std::to_string(s.next_deposit.value())},
                                           {"on_chain", std::to_string(r.deposit_count)}}},
                         {"forced", json{{"consumed", std::to_string(s.next_forced.value())},
                                         {"on_chain", std::to_string(r.forced_count)}}}};
    }
    return json_response(kOk, j);
  }

  // As of the latest durable batch, or of the batch the query names (docs/api.md).
  Response get_account(std::string_view id, bool proof, const Query& q) {
    auto ref = parse_account_ref(id);
    if (!ref) return error_response(ref.error());
    auto which = query_batch(q);
    if (!which) return error_response(which.error());
    std::optional<BatchNumber> at = which->number;
    if (which->final) {
      if (!settler_)
        return error_response(
            ApiError{ErrorCode::not_found, "no base chain is configured: no batch is final"});
      const settlement::SettlerStatus s = settler_->status();
      if (!s.chain.synced || !s.chain.rollup)
        return error_response(ApiError{ErrorCode::unavailable,
                                       "the base chain's last final batch is not known yet (no view of the "
                                       "registered rollup since start): ask again"});
      at = s.chain.rollup->last_final;
    }
    std::optional<AccountView> view;
    if (at) {
      auto v = node_.account_at(*ref, proof, *at);
      if (!v) return error_response(v.error());
      view = std::move(*v);
    } else {
      view = node_.account(*ref, proof);
    }
    if (!view)
      return error_response(
          ApiError{ErrorCode::not_found,
                   "no account " + std::string(id) + (at ? " at batch " + std::to_string(at->value()) : "")});
    if (!proof) {
      return json_response(kOk, json{{"index", view->index.value()},
                                     {"public_key", view->account.pubkey.hex()},
                                     {"balance", view->account.balance.to_string()},
                                     {"nonce", std::to_string(view->account.nonce.value())},
                                     {"withdrawn", view->account.withdrawn.to_string()},
                                     {"batch", std::to_string(view->batch.value())},
                                     {"state_root", view->state_root.hex()}});
    }
    auto leaf = rollup::encode_leaf(view->account);
    json siblings = json::array();
    for (const auto& s : view->proof->siblings) siblings.push_back(s.hex());
    return json_response(kOk, json{{"index", view->index.value()},
                                   {"leaf", to_hex(leaf)},
                                   {"leaf_hash", rollup::account_leaf_hash(view->account).hex()},
                                   {"state_root", view->state_root.hex()},
                                   {"batch", std::to_string(view->batch.value())},
                                   {"proof", to_hex(view->proof->encode())},
                                   {"siblings", std::move(siblings)}});
  }

  Outcome post_deposit(const Request& req, std::string_view query) {
    if (!dev_enabled()) return error_response(dev_disabled());
    auto q = parse_query(query, {"timeout_ms"});
    if (!q) return error_response(q.error());
    auto timeout = query_timeout(*q);
    if (!timeout) return error_response(timeout.error());
    if (auto e = require_type(req, {"application/json"})) return error_response(*e);
    auto j = parse_json(req.body);
    if (!j) return error_response(j.error());
    auto deposits = deposits_from_json(*j, options_.http.max_batch_txs);
    if (!deposits) return error_response(deposits.error());
    auto group = node_.deposit(*deposits);
    if (!group) return error_response(group.error());
    return Deferred{*group, *timeout, [this, keys = std::move(*deposits)](const WaitGroup& g) {
                      if (g.failed())
                        return error_response(ApiError{ErrorCode::unavailable, "storage failed"});
                      auto receipts = g.snapshot();
                      json arr = json::array();
                      for (std::size_t i = 0; i < receipts.size(); ++i) {
                        json r = receipt_to_json(receipts[i]);
                        if (receipts[i].batch) {
                          if (auto a = node_.find_account(keys[i].public_key)) r["account"] = a->value();
                        }
                        arr.push_back(std::move(r));
                      }
                      return json_response(kOk, json{{"receipts", std::move(arr)}});
                    }};
  }

  Node& node_;
  settlement::Settler* settler_;  // null: no base chain
  ServerOptions options_;
};

// Runs tasks on a few threads of its own, as soon as possible (post) or at a time
// (post_at, cancellable until it runs). Tasks still queued at stop() are destroyed
// without running.
class Scheduler {
 public:
  using Task = std::function<void()>;
  using Key = std::pair<SteadyClock::time_point, std::uint64_t>;

  explicit Scheduler(unsigned threads) {
    for (unsigned i = 0; i < std::max(1u, threads); ++i) workers_.emplace_back([this] { run(); });
  }
  ~Scheduler() { stop(); }
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  Key post_at(SteadyClock::time_point due, Task task) {
    std::unique_lock lock(mutex_);
    const Key key{due, next_id_++};
    if (stopped_) return key;  // `task` is destroyed on return, outside the lock
    tasks_.emplace(key, std::move(task));
    lock.unlock();
    wake_.notify_one();
    return key;
  }
  void post(Task task) { post_at(SteadyClock::now(), std::move(task)); }

  // A no-op once the task has run (or begun to).
  void cancel(const Key& key) {
    Task dropped;  // destroyed outside the lock
    std::lock_guard lock(mutex_);
    if (auto it = tasks_.find(key); it != tasks_.end()) {
      dropped = std::move(it->second);
      tasks_.erase(it);
    }
  }

  // Joins the threads; idempotent.
  void stop() {
    {
      std::lock_guard lock(mutex_);
      stopped_ = true;
    }
    wake_.notify_all();
    for (auto& t : workers_) t.join();
    workers_.clear();
    std::map<Key, Task> dropped;
    std::lock_guard lock(mutex_);
    dropped.swap(tasks_);
  }

 private:
  void run() {
    std::unique_lock lock(mutex_);
    while (!stopped_) {
      if (tasks_.empty()) {
        wake_.wait(lock);
        continue;
      }
      auto it = tasks_.begin();
      if (const auto due = it->first.first; due > SteadyClock::now()) {
        wake_.wait_until(lock, due);  // a copy: wait_until reads it after waking, when
        continue;                     // the task may be gone (cancelled or run)
      }
      Task task = std::move(it->second);
      tasks_.erase(it);
      lock.unlock();
      task();
      task = nullptr;
      lock.lock();
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  std::map<Key, Task> tasks_;  // GUARDED_BY(mutex_), by due time
  std::uint64_t next_id_ = 0;  // GUARDED_BY(mutex_)
  bool stopped_ = false;       // GUARDED_BY(mutex_)
  std::vector<std::thread> workers_;
};

// A deferred answer in flight. The scheduler's timeout task owns it; the group's
// callback holds only a weak pointer (the group outlives a timed-out answer).
struct Pending {
  Deferred deferred;
  http::Respond respond;
  std::string label;
  Scheduler::Key timer;
  std::atomic<bool> answered{false};
};

}  // namespace

// ---- the server ----

struct HttpServer::Impl {
  Impl(Node& n, settlement::Settler* settler, const ServerOptions& o)
      : node(n),
        options(o),
        router(n, settler, o),
        scheduler(std::make_shared<Scheduler>(o.http.io_threads)) {}
  Node& node;
  ServerOptions options;
  Router router;
  // Shared with the WaitGroups' callbacks, which may outlive the server: past stop()
  // they reach a stopped scheduler, which drops what they post.
  std::shared_ptr<Scheduler> scheduler;
  std::unique_ptr<http::Server> server;  // last: stopped first

  void handle(Request req, http::Respond respond) {
    std::string label = "-";
    Outcome out;
    try {
      out = router.route(req, label);
    } catch (const std::exception& e) {
      spdlog::error("handler for {} failed: {}", req.target, e.what());
      out = internal_error();
    }
    if (auto* res = std::get_if<Response>(&out)) return answer(label, respond, std::move(*res));

    auto pending = std::make_shared<Pending>();
    pending->deferred = std::move(std::get<Deferred>(out));
    pending->respond = std::move(respond);
    pending->label = std::move(label);
    auto group = pending->deferred.group;
    const auto due = SteadyClock::now() + pending->deferred.timeout;
    pending->timer = scheduler->post_at(due, [this, pending] { finish(*pending, false); });
    // Tasks run only on the scheduler's threads, which stop() joins before `this` goes.
    group->on_done(
        [this, weak = std::weak_ptr<Pending>(pending), sched = std::weak_ptr<Scheduler>(scheduler)] {
          if (auto s = sched.lock())
            s->post([this, weak] {
              if (auto p = weak.lock()) finish(*p, true);
            });
        });
  }

  // `cancel_timer`: called for the group, so the timeout task is still queued. (The
  // timeout task itself must not read p.timer: it may run before post_at's caller
  // stored it.)
  void finish(Pending& p, bool cancel_timer) {
    if (p.answered.exchange(true)) return;
    if (cancel_timer) scheduler->cancel(p.timer);
    Response res;
    try {
      res = p.deferred.finish(*p.deferred.group);
    } catch (const std::exception& e) {
      spdlog::error("answer failed: {}", e.what());
      res = internal_error();
    }
    p.deferred = Deferred{};
    answer(p.label, p.respond, std::move(res));
    p.respond = nullptr;
  }

  void answer(const std::string& label, const http::Respond& respond, Response res) {
    node.metrics().http_request(label, res.status);
    respond(std::move(res));
  }

  // The transport's own answers, in the error format of docs/api.md.
  Response render(http::TransportError e, std::string_view message) {
    Response res;
    switch (e) {
      case http::TransportError::body_too_large:
        res = error_response(ApiError{ErrorCode::body_too_large, std::string(message)});
        break;
      case http::TransportError::bad_request:
        res = error_response(ApiError{ErrorCode::bad_request, std::string(message)});
        break;
      case http::TransportError::headers_too_large:
        res = error_response(ApiError{ErrorCode::headers_too_large, std::string(message)});
        break;
      case http::TransportError::timeout:
        res = error_response(ApiError{ErrorCode::timeout, std::string(message)});
        break;
      case http::TransportError::internal:
        spdlog::error("HTTP: {}", message);
        res = internal_error();
        break;
    }
    node.metrics().http_request("-", res.status);
    return res;
  }
};

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() { stop(std::chrono::milliseconds(0)); }

Result<std::unique_ptr<HttpServer>, std::string> HttpServer::start(Node& node, settlement::Settler* settler,
                                                                   const ServerOptions& options) {
  const HttpOptions& o = options.http;
  if (o.tls_cert.empty() != o.tls_key.empty())
    return make_error(std::string("TLS needs both --tls-cert and --tls-key"));
  http::ServerOptions so;
  so.address = o.address;
  so.port = o.port;
  so.io_threads = o.io_threads;
  so.max_body_bytes = o.max_body_bytes;
  so.read_timeout_ms = o.read_timeout_ms;
  so.write_timeout_ms = o.write_timeout_ms;
  so.tls_cert = o.tls_cert;
  so.tls_key = o.tls_key;
  so.server_name = "sequencerd";
  so.cors_origins = o.cors_origins;
  auto impl = std::make_unique<Impl>(node, settler, options);
  Impl* i = impl.get();  // outlives the server: Impl owns it
  auto server = http::Server::start(
      [i](Request req, http::Respond respond) { i->handle(std::move(req), std::move(respond)); },
      [i](http::TransportError e, std::string_view m) { return i->render(e, m); }, so);
  if (!server) return make_error(server.error());
  impl->server = std::move(*server);
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

std::string HttpServer::bound_address() const { return impl_->server->bound_address(); }

void HttpServer::stop_accepting() { impl_->server->stop_accepting(); }

void HttpServer::stop(std::chrono::milliseconds grace) {
  // Answers the scheduler finishes during the grace period still go out; after it,
  // what is left in the scheduler is dropped (the server no longer writes).
  impl_->server->stop(grace);
  impl_->scheduler->stop();
}

}  // namespace l2::sequencer
