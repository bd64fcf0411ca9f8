// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// The one translation unit that includes Boost.Beast (compile time). Structure:
//   Router       — pure request -> response (or a deferred response waiting on a
//                  WaitGroup); every endpoint of docs/api.md.
//   Session<...> — one connection (plain or TLS, CRTP as in Beast's flex server): reads
//                  a request under a timeout, answers it, keeps the connection alive.
//   Listener     — accepts connections.
#include "sequencer/http_server.hpp"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wconversion"
#pragma GCC diagnostic ignored "-Wsign-conversion"
#pragma GCC diagnostic ignored "-Wshadow"
#pragma GCC diagnostic ignored "-Wold-style-cast"
#pragma GCC diagnostic ignored "-Wnull-dereference"
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#pragma GCC diagnostic pop

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>
#include <variant>

#include "rollup/account.hpp"
#include "sequencer/json_codec.hpp"

namespace l2::sequencer {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using nlohmann::json;

namespace {

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

constexpr std::uint32_t kDefaultWaitMs = 10000;
constexpr std::uint32_t kMaxWaitMs = 60000;
constexpr std::size_t kHeaderLimit = 16 * 1024;

// A response that can only be written once a WaitGroup is done (or its timeout passed).
struct Deferred {
  std::shared_ptr<WaitGroup> group;
  std::chrono::milliseconds timeout{kDefaultWaitMs};
  std::function<Response(const WaitGroup&)> finish;
};
using Outcome = std::variant<Response, Deferred>;

Response make_response(http::status status, std::string body, std::string_view content_type) {
  Response res{status, 11};
  res.set(http::field::server, "sequencerd");
  res.set(http::field::content_type, content_type);
  res.body() = std::move(body);
  return res;
}

Response json_response(http::status status, const json& body) {
  return make_response(status, body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
}

Response error_response(const ApiError& e) {
  Response res =
      make_response(static_cast<http::status>(http_status(e.code)), error_body(e), "application/json");
  if (e.code == ErrorCode::mempool_full || e.code == ErrorCode::unavailable)
    res.set(http::field::retry_after, "1");
  return res;
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
  auto it = req.find(http::field::accept);
  return it != req.end() && lower(it->value()).find("application/octet-stream") != std::string::npos;
}

std::optional<std::uint64_t> parse_decimal(std::string_view s) {
  auto a = Amount::parse(std::string(s));
  if (!a) return std::nullopt;
  return a->value();
}

struct Query {
  std::map<std::string, std::string, std::less<>> params;
};

Result<Query, ApiError> parse_query(std::string_view q, std::initializer_list<std::string_view> allowed) {
  Query out;
  while (!q.empty()) {
    auto amp = q.find('&');
    std::string_view part = q.substr(0, amp);
    q = amp == std::string_view::npos ? std::string_view() : q.substr(amp + 1);
    if (part.empty()) continue;
    auto eq = part.find('=');
    std::string key(part.substr(0, eq));
    std::string value(eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1));
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end())
      return make_error(ApiError{ErrorCode::bad_query, "unknown query parameter: " + key});
    out.params[key] = value;
  }
  return out;
}

Result<bool, ApiError> query_wait(const Query& q) {
  auto it = q.params.find("wait");
  if (it == q.params.end()) return false;
  if (it->second == "true" || it->second == "1") return true;
  if (it->second == "false" || it->second == "0") return false;
  return make_error(ApiError{ErrorCode::bad_query, "'wait' must be true or false"});
}

Result<std::chrono::milliseconds, ApiError> query_timeout(const Query& q) {
  auto it = q.params.find("timeout_ms");
  if (it == q.params.end()) return std::chrono::milliseconds(kDefaultWaitMs);
  auto v = parse_decimal(it->second);
  if (!v)
    return make_error(
        ApiError{ErrorCode::bad_query, "'timeout_ms' must be a decimal number of milliseconds"});
  return std::chrono::milliseconds(std::min<std::uint64_t>(*v, kMaxWaitMs));
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
  Router(Node& node, const ServerOptions& options) : node_(node), options_(options) {}

  // `label` gets the route's template, for metrics.
  Outcome route(const Request& req, std::string& label) {
    std::string_view target = req.target();
    auto qpos = target.find('?');
    std::string_view path = target.substr(0, qpos);
    std::string_view query = qpos == std::string_view::npos ? std::string_view() : target.substr(qpos + 1);
    auto starts = [&](std::string_view p) { return path.substr(0, p.size()) == p; };

    if (path == "/health") return on(req, label = "/health", {http::verb::get}, [&] { return health(); });
    if (path == "/metrics") return on(req, label = "/metrics", {http::verb::get}, [&] { return metrics(); });
    if (path == "/v1/status")
      return on(req, label = "/v1/status", {http::verb::get},
                [&] { return with_query(query, {}, [&](const Query&) { return status(); }); });
    if (path == "/v1/transactions")
      return on(req, label = "/v1/transactions", {http::verb::post}, [&] { return post_tx(req, query); });
    if (starts("/v1/transactions/") && path.find('/', 17) == std::string_view::npos)
      return on(req, label = "/v1/transactions/{hash}", {http::verb::get},
                [&] { return with_query(query, {}, [&](const Query&) { return get_tx(path.substr(17)); }); });
    if (path == "/v1/batches")
      return on(req, label = "/v1/batches", {http::verb::post}, [&] { return post_batch(req, query); });
    if (starts("/v1/batches/") && path.find('/', 12) == std::string_view::npos)
      return on(req, label = "/v1/batches/{n}", {http::verb::get}, [&] {
        return with_query(query, {}, [&](const Query&) { return get_batch(path.substr(12)); });
      });
    if (starts("/v1/accounts/")) {
      std::string_view rest = path.substr(13);
      auto slash = rest.find('/');
      if (slash == std::string_view::npos)
        return on(req, label = "/v1/accounts/{id}", {http::verb::get}, [&] {
          return with_query(query, {}, [&](const Query&) { return get_account(rest, false); });
        });
      if (rest.substr(slash) == "/proof")
        return on(req, label = "/v1/accounts/{id}/proof", {http::verb::get}, [&] {
          return with_query(query, {},
                            [&](const Query&) { return get_account(rest.substr(0, slash), true); });
        });
    }
    if (path == "/v1/dev/deposit")
      return on(req, label = "/v1/dev/deposit", {http::verb::post}, [&] { return post_deposit(req, query); });
    if (starts("/v1/dev/") && !dev_enabled()) {
      label = "/v1/dev/*";
      return error_response(dev_disabled());
    }
    label = "unmatched";
    return error_response(ApiError{ErrorCode::not_found, "no route for " + std::string(path)});
  }

 private:
  template <class F>
  Outcome on(const Request& req, const std::string&, std::initializer_list<http::verb> allowed, F&& f) {
    for (auto v : allowed)
      if (req.method() == v) return f();
    std::string allow;
    for (auto v : allowed) allow += (allow.empty() ? "" : ", ") + std::string(http::to_string(v));
    Response res =
        error_response(ApiError{ErrorCode::method_not_allowed,
                                std::string(req.method_string()) + " is not allowed here; use " + allow});
    res.set(http::field::allow, allow);
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
    auto it = req.find(http::field::content_type);
    std::string got = it == req.end() ? std::string() : media_type(it->value());
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
    if (node_.healthy()) return json_response(http::status::ok, json{{"status", "ok"}});
    return json_response(http::status::service_unavailable, json{{"status", "unavailable"}});
  }

  Response metrics() {
    return make_response(http::status::ok, node_.metrics().render(),
                         "text/plain; version=0.0.4; charset=utf-8");
  }

  Response status() {
    NodeStatus s = node_.status();
    return json_response(http::status::ok, json{{"chain_id", std::to_string(s.chain_id.value())},
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
    auto j = parse_json(req.body());
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
      return json_response(http::status::accepted, json{{"hash", r.hash.hex()}, {"status", "pending"}});
    };
    if (!*wait) return pending((*group)->snapshot()[0]);
    return Deferred{*group, *timeout, [pending](const WaitGroup& g) {
                      if (g.failed())
                        return error_response(ApiError{ErrorCode::unavailable, "storage failed"});
                      TxReceipt r = g.snapshot()[0];
                      if (r.status == ReceiptCode::pending) return pending(r);
                      return json_response(http::status::ok, receipt_to_json(r));
                    }};
  }

  Outcome post_batch(const Request& req, std::string_view query) {
    auto q = parse_query(query, {"timeout_ms"});
    if (!q) return error_response(q.error());
    auto timeout = query_timeout(*q);
    if (!timeout) return error_response(timeout.error());
    if (auto e = require_type(req, {"application/json", "application/octet-stream"}))
      return error_response(*e);
    const bool binary =
        media_type(req.find(http::field::content_type)->value()) == "application/octet-stream";
    Result<std::vector<TxRequest>, ApiError> txs = std::vector<TxRequest>{};
    if (binary) {
      txs = txs_from_binary(as_bytes(req.body()), options_.http.max_batch_txs);
    } else {
      auto j = parse_json(req.body());
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
                        res = make_response(http::status::ok, std::string(b.begin(), b.end()),
                                            "application/octet-stream");
                      } else {
                        json arr = json::array();
                        for (const auto& r : receipts) arr.push_back(receipt_to_json(r));
                        res = json_response(http::status::ok, json{{"receipts", std::move(arr)}});
                      }
                      if (full) res.set(http::field::retry_after, "1");
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
    return json_response(http::status::ok, j);
  }

  Response get_batch(std::string_view which) {
    std::optional<BatchNumber> n;
    if (which != "latest") {
      auto v = parse_decimal(which);
      if (!v)
        return error_response(ApiError{ErrorCode::bad_request, "a batch is a decimal number or 'latest'"});
      n = BatchNumber(*v);
    }
    auto h = node_.batch_header(n);
    if (!h) return error_response(h.error());
    if (!*h) return error_response(ApiError{ErrorCode::not_found, "no batch " + std::string(which)});
    return json_response(http::status::ok, header_json(**h));
  }

  Response get_account(std::string_view id, bool proof) {
    AccountRef ref;
    if (!id.empty() && id.size() <= 10 &&
        std::all_of(id.begin(), id.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      auto v = parse_decimal(id);
      if (!v || *v > std::numeric_limits<std::uint32_t>::max())
        return error_response(ApiError{ErrorCode::not_found, "no account " + std::string(id)});
      ref = AccountIndex(static_cast<std::uint32_t>(*v));
    } else if (auto key = PublicKey::from_hex_string(id)) {
      ref = *key;
    } else {
      return error_response(
          ApiError{ErrorCode::bad_request, "an account is a decimal index or a 64-digit hex public key"});
    }
    auto view = node_.account(ref, proof);
    if (!view) return error_response(ApiError{ErrorCode::not_found, "no account " + std::string(id)});
    if (!proof) {
      return json_response(http::status::ok, json{{"index", view->index.value()},
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
    return json_response(http::status::ok, json{{"index", view->index.value()},
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
    auto j = parse_json(req.body());
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
                      return json_response(http::status::ok, json{{"receipts", std::move(arr)}});
                    }};
  }

  Node& node_;
  ServerOptions options_;
};

}  // namespace

// ---- the server ----

struct HttpServer::Impl {
  Impl(Node& n, const ServerOptions& o) : node(n), options(o), router(n, o), acceptor(ioc) {}
  Node& node;
  ServerOptions options;
  Router router;
  net::io_context ioc;
  std::optional<ssl::context> tls;
  tcp::acceptor acceptor;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  std::vector<std::thread> threads;
  std::atomic<int> owed{0};  // answers being waited for or written
  std::atomic<bool> closing{false};

  void accept();
};

namespace {

bool is_http_error(const beast::error_code& ec) {
  return &ec.category() == &http::make_error_code(http::error::end_of_stream).category();
}

template <class Derived>
class Session {
 public:
  explicit Session(HttpServer::Impl& srv, const net::any_io_executor& ex)
      : srv_(srv), read_timer_(ex), wait_timer_(ex) {}

 protected:
  Derived& derived() { return static_cast<Derived&>(*this); }

  void do_read() {
    parser_.emplace();
    parser_->body_limit(srv_.options.http.max_body_bytes);
    parser_->header_limit(kHeaderLimit);
    timed_out_ = false;
    reading_ = true;
    beast::get_lowest_layer(derived().stream()).expires_never();
    read_timer_.expires_after(std::chrono::milliseconds(srv_.options.http.read_timeout_ms));
    read_timer_.async_wait([self = derived().shared_from_this()](beast::error_code ec) {
      if (ec || !self->reading_) return;  // the read finished as the timer fired
      self->timed_out_ = true;
      beast::get_lowest_layer(self->derived().stream()).cancel();
    });
    http::async_read_header(
        derived().stream(), buffer_, *parser_,
        [self = derived().shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
  }

  void on_header(beast::error_code ec) {
    if (ec) return on_read_error(ec);
    const auto& req = parser_->get();
    auto expect = req.find(http::field::expect);
    if (expect != req.end() && lower(expect->value()) == "100-continue") {
      continue_ = http::response<http::empty_body>{http::status::continue_, 11};
      http::async_write(derived().stream(), continue_,
                        [self = derived().shared_from_this()](beast::error_code wec, std::size_t) {
                          if (wec) return self->derived().do_close();
                          self->read_body();
                        });
      return;
    }
    read_body();
  }

  void read_body() {
    http::async_read(derived().stream(), buffer_, *parser_,
                     [self = derived().shared_from_this()](beast::error_code ec, std::size_t) {
                       self->read_timer_.cancel();
                       self->reading_ = false;
                       if (ec) return self->on_read_error(ec);
                       self->handle();
                     });
  }

  void on_read_error(beast::error_code ec) {
    read_timer_.cancel();
    reading_ = false;
    if (timed_out_) {
      if (parser_->got_some() || buffer_.size() > 0)
        return send_error(
            "-", ApiError{ErrorCode::timeout, "the request was not received within " +
                                                  std::to_string(srv_.options.http.read_timeout_ms) + " ms"});
      return derived().do_close();  // an idle keep-alive connection
    }
    if (ec == http::error::end_of_stream || !is_http_error(ec)) return derived().do_close();
    if (ec == http::error::body_limit)
      return send_error(
          "-", ApiError{ErrorCode::body_too_large,
                        "the body is over " + std::to_string(srv_.options.http.max_body_bytes) + " bytes"});
    if (ec == http::error::header_limit)
      return send_error("-", ApiError{ErrorCode::bad_request, "the request headers are too large"});
    send_error("-", ApiError{ErrorCode::bad_request, "malformed HTTP request: " + ec.message()});
  }

  // An answer before a complete request was read: the connection closes after it.
  void send_error(std::string label, const ApiError& e) {
    keep_alive_ = false;
    label_ = std::move(label);
    send(error_response(e));
  }

  void handle() {
    Request req = parser_->release();
    keep_alive_ = req.keep_alive() && !srv_.closing.load();
    Outcome out;
    try {
      out = srv_.router.route(req, label_);
    } catch (const std::exception& e) {
      spdlog::error("handler for {} failed: {}", std::string(req.target()), e.what());
      out = json_response(http::status::internal_server_error,
                          json{{"error", {{"code", "internal"}, {"message", "internal error"}}}});
    }
    if (auto* res = std::get_if<Response>(&out)) return send(std::move(*res));
    deferred_ = std::move(std::get<Deferred>(out));
    answered_ = false;
    srv_.owed.fetch_add(1);
    wait_timer_.expires_after(deferred_.timeout);
    wait_timer_.async_wait([self = derived().shared_from_this()](beast::error_code ec) {
      if (!ec) self->finish_deferred();
    });
    std::weak_ptr<Derived> weak = derived().shared_from_this();
    auto ex = derived().stream().get_executor();
    deferred_.group->on_done([weak, ex] {
      net::post(ex, [weak] {
        if (auto self = weak.lock()) self->finish_deferred();
      });
    });
  }

  void finish_deferred() {
    if (answered_) return;
    answered_ = true;
    wait_timer_.cancel();
    Response res;
    try {
      res = deferred_.finish(*deferred_.group);
    } catch (const std::exception& e) {
      spdlog::error("answer failed: {}", e.what());
      res = json_response(http::status::internal_server_error,
                          json{{"error", {{"code", "internal"}, {"message", "internal error"}}}});
    }
    deferred_ = Deferred{};
    srv_.owed.fetch_sub(1);
    send(std::move(res));
  }

  void send(Response res) {
    if (srv_.closing.load()) keep_alive_ = false;
    res.keep_alive(keep_alive_);
    res.prepare_payload();
    srv_.node.metrics().http_request(label_, res.result_int());
    res_ = std::make_shared<Response>(std::move(res));
    srv_.owed.fetch_add(1);
    beast::get_lowest_layer(derived().stream())
        .expires_after(std::chrono::milliseconds(srv_.options.http.write_timeout_ms));
    http::async_write(derived().stream(), *res_,
                      [self = derived().shared_from_this()](beast::error_code ec, std::size_t) {
                        self->srv_.owed.fetch_sub(1);
                        self->res_.reset();
                        if (ec || !self->keep_alive_) return self->derived().do_close();
                        self->do_read();
                      });
  }

  HttpServer::Impl& srv_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  net::steady_timer read_timer_;
  net::steady_timer wait_timer_;
  bool reading_ = false;  // a request is being read (the read timer applies)
  bool timed_out_ = false;
  bool keep_alive_ = true;
  bool answered_ = true;
  std::string label_ = "-";
  Deferred deferred_;
  std::shared_ptr<Response> res_;
  http::response<http::empty_body> continue_;
};

class PlainSession : public Session<PlainSession>, public std::enable_shared_from_this<PlainSession> {
 public:
  PlainSession(HttpServer::Impl& srv, tcp::socket&& socket)
      : Session(srv, socket.get_executor()), stream_(std::move(socket)) {}
  void run() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->do_read(); });
  }
  beast::tcp_stream& stream() { return stream_; }
  void do_close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.close();
  }

 private:
  beast::tcp_stream stream_;
};

class TlsSession : public Session<TlsSession>, public std::enable_shared_from_this<TlsSession> {
 public:
  TlsSession(HttpServer::Impl& srv, tcp::socket&& socket, ssl::context& ctx)
      : Session(srv, socket.get_executor()), stream_(std::move(socket), ctx) {}
  void run() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      beast::get_lowest_layer(self->stream_)
          .expires_after(std::chrono::milliseconds(self->srv_.options.http.read_timeout_ms));
      self->stream_.async_handshake(ssl::stream_base::server, [self](beast::error_code ec) {
        if (ec) return beast::get_lowest_layer(self->stream_).close();
        self->do_read();
      });
    });
  }
  beast::ssl_stream<beast::tcp_stream>& stream() { return stream_; }
  void do_close() {
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(2));
    stream_.async_shutdown(
        [self = shared_from_this()](beast::error_code) { beast::get_lowest_layer(self->stream_).close(); });
  }

 private:
  beast::ssl_stream<beast::tcp_stream> stream_;
};

}  // namespace

void HttpServer::Impl::accept() {
  acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (ec == net::error::operation_aborted || !acceptor.is_open()) return;
      spdlog::warn("accept failed: {}", ec.message());
    } else {
      beast::error_code nd;
      socket.set_option(tcp::no_delay(true), nd);
      if (tls) {
        std::make_shared<TlsSession>(*this, std::move(socket), *tls)->run();
      } else {
        std::make_shared<PlainSession>(*this, std::move(socket))->run();
      }
    }
    accept();
  });
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() { stop(std::chrono::milliseconds(0)); }

Result<std::unique_ptr<HttpServer>, std::string> HttpServer::start(Node& node, const ServerOptions& options) {
  auto impl = std::make_unique<Impl>(node, options);
  try {
    if (!options.http.tls_cert.empty() || !options.http.tls_key.empty()) {
      if (options.http.tls_cert.empty() || options.http.tls_key.empty())
        return make_error(std::string("TLS needs both --tls-cert and --tls-key"));
      impl->tls.emplace(ssl::context::tls_server);
      impl->tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                             ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                             ssl::context::single_dh_use);
      impl->tls->use_certificate_chain_file(options.http.tls_cert);
      impl->tls->use_private_key_file(options.http.tls_key, ssl::context::pem);
    }
  } catch (const std::exception& e) {
    return make_error("cannot load the TLS certificate or key: " + std::string(e.what()));
  }
  beast::error_code ec;
  auto address = net::ip::make_address(options.http.address, ec);
  if (ec) return make_error("bad listen address " + options.http.address + ": " + ec.message());
  tcp::endpoint endpoint(address, options.http.port);
  impl->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl->acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(endpoint, ec);
  if (!ec) impl->acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec)
    return make_error("cannot listen on " + options.http.address + ":" + std::to_string(options.http.port) +
                      ": " + ec.message());
  impl->work.emplace(impl->ioc.get_executor());
  impl->accept();
  const unsigned n = std::max(1u, options.http.io_threads);
  for (unsigned i = 0; i < n; ++i) impl->threads.emplace_back([i = impl.get()] { i->ioc.run(); });
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

std::string HttpServer::bound_address() const {
  beast::error_code ec;
  auto ep = impl_->acceptor.local_endpoint(ec);
  if (ec) return "";
  std::string host = ep.address().to_string();
  if (ep.address().is_v6()) host = "[" + host + "]";
  return host + ":" + std::to_string(ep.port());
}

void HttpServer::stop_accepting() {
  impl_->closing = true;
  net::post(impl_->ioc, [i = impl_.get()] {
    beast::error_code ec;
    i->acceptor.close(ec);
  });
}

void HttpServer::stop(std::chrono::milliseconds grace) {
  if (impl_->threads.empty()) return;
  stop_accepting();
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (impl_->owed.load() > 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  impl_->work.reset();
  impl_->ioc.stop();
  for (auto& t : impl_->threads) t.join();
  impl_->threads.clear();
}

}  // namespace l2::sequencer
