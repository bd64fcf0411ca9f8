// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
#include "settlement/basechain/rpc.hpp"

#include <nlohmann/json.hpp>

#include <exception>
#include <functional>
#include <initializer_list>
#include <set>
#include <unordered_map>
#include <utility>
#include <vector>

#include "settlement/basechain/modules.hpp"

namespace l2::settlement {

namespace {

using json = nlohmann::json;

// Everything a method can fail with; thrown inside the dispatcher only and turned into
// an error response at its edge.
struct RpcFailure {
  int code = rpc_code::kInternalError;
  std::string message;
  json data;  // null: no data member
};

[[noreturn]] void fail(int code, std::string message, json data = nullptr) {
  throw RpcFailure{code, std::move(message), std::move(data)};
}

// Names a client sent, echoed in messages: at most 64 bytes of them.
std::string clip(std::string_view s) {
  constexpr std::size_t kMax = 64;
  if (s.size() <= kMax) return std::string(s);
  return std::string(s.substr(0, kMax)) + "...";
}

[[noreturn]] void bad_param(std::string_view field, const std::string& what) {
  fail(rpc_code::kInvalidParams, "invalid params: " + clip(field) + " " + what, json{{"field", clip(field)}});
}

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

json error_object(int code, const std::string& message, const json& data) {
  json e = {{"code", code}, {"message", message}};
  if (!data.is_null()) e["data"] = data;
  return e;
}

json error_response(const json& id, int code, const std::string& message, const json& data = nullptr) {
  return json{{"jsonrpc", "2.0"}, {"id", id}, {"error", error_object(code, message, data)}};
}

// Named params: the fields a method takes are declared up front, so an unknown field
// is refused before anything runs.
class Params {
 public:
  Params(const json& params, std::initializer_list<std::string_view> allowed) : p_(params) {
    for (const auto& [key, value] : p_.items()) {
      bool known = false;
      for (auto a : allowed) known = known || key == a;
      if (!known) bad_param(key, "is not a parameter of this method");
    }
  }

  [[nodiscard]] bool has(std::string_view name) const { return p_.contains(name); }

  [[nodiscard]] std::uint64_t u64(std::string_view name) const {
    const json& v = required(name);
    if (!v.is_number_unsigned()) bad_param(name, "must be a non-negative integer (a JSON number)");
    return v.get<std::uint64_t>();
  }
  [[nodiscard]] std::optional<std::uint64_t> opt_u64(std::string_view name) const {
    if (!has(name)) return std::nullopt;
    return u64(name);
  }
  [[nodiscard]] bool boolean(std::string_view name, bool fallback) const {
    if (!has(name)) return fallback;
    const json& v = p_.at(std::string(name));
    if (!v.is_boolean()) bad_param(name, "must be true or false");
    return v.get<bool>();
  }
  [[nodiscard]] std::optional<std::string> opt_string(std::string_view name) const {
    if (!has(name)) return std::nullopt;
    const json& v = p_.at(std::string(name));
    if (!v.is_string()) bad_param(name, "must be a string");
    return v.get<std::string>();
  }
  [[nodiscard]] Amount amount(std::string_view name) const {
    const json& v = required(name);
    if (!v.is_string()) bad_param(name, "must be a decimal string");
    auto a = Amount::parse(v.get<std::string>());
    if (!a)
      bad_param(name, "must be a decimal string of an unsigned 64-bit amount (no sign, no leading zeros)");
    return *a;
  }
  [[nodiscard]] Bytes hex(std::string_view name) const {
    const json& v = required(name);
    if (!v.is_string()) bad_param(name, "must be a hex string");
    auto b = from_hex(v.get<std::string>());
    if (!b) bad_param(name, "must be hex (an even number of digits, no 0x)");
    return *b;
  }
  template <class Fixed>
  [[nodiscard]] Fixed fixed(std::string_view name) const {
    const json& v = required(name);
    if (!v.is_string()) bad_param(name, "must be a hex string");
    auto f = Fixed::from_hex_string(v.get<std::string>());
    if (!f) bad_param(name, "must be " + std::to_string(Fixed::size() * 2) + " hex digits");
    return *f;
  }

 private:
  const json& required(std::string_view name) const {
    auto it = p_.find(name);
    if (it == p_.end()) bad_param(name, "is missing");
    return *it;
  }
  const json& p_;
};

json head_json(const BlockHeader& h) {
  return {{"number", h.number.value()}, {"timestamp", h.timestamp}, {"hash", h.hash.hex()}};
}

json opt_block(const std::optional<BlockNumber>& b) { return b ? json(b->value()) : json(nullptr); }

// Maps a chain error to its JSON-RPC error (and counts refused txs).
[[noreturn]] void chain_failure(const ChainError& e, RpcMetrics& metrics) {
  switch (e.code) {
    case ChainErrorCode::malformed_tx:
      metrics.refusal("malformed_tx");
      fail(rpc_code::kMalformedTx, "malformed transaction: " + e.message, json{{"reason", "malformed_tx"}});
    case ChainErrorCode::invalid_signature:
      metrics.refusal("invalid_signature");
      fail(rpc_code::kInvalidSignature, "invalid signature: " + e.message,
           json{{"reason", "invalid_signature"}});
    case ChainErrorCode::wrong_nonce:
      metrics.refusal("wrong_nonce");
      fail(rpc_code::kWrongNonce, e.message,
           json{{"reason", "wrong_nonce"},
                {"expected", e.expected_nonce.value()},
                {"got", e.got_nonce.value()}});
    case ChainErrorCode::insufficient_funds:
      metrics.refusal("insufficient_funds");
      fail(rpc_code::kInsufficientFunds, e.message, json{{"reason", "insufficient_funds"}});
    case ChainErrorCode::refused: {
      const std::string reason(to_string(e.reason));
      metrics.refusal(reason);
      fail(rpc_code::kRefused, "refused (" + reason + "): " + e.message, json{{"reason", reason}});
    }
    case ChainErrorCode::unavailable:
      fail(rpc_code::kRefused, e.message, json{{"reason", "unavailable"}});
    case ChainErrorCode::not_found:
    case ChainErrorCode::storage:
    case ChainErrorCode::bad_options:
    case ChainErrorCode::wrong_chain:
    case ChainErrorCode::schema_too_new:
    case ChainErrorCode::corrupt:
      break;
  }
  fail(rpc_code::kInternalError, "internal error: " + e.message);
}

template <class T>
T unwrap(Result<T, ChainError> r, RpcMetrics& metrics) {
  if (!r) chain_failure(r.error(), metrics);
  return std::move(r).value();
}

json rollup_json(const RollupEntry& r) {
  return {{"rollup_id", r.rollup_id.value()},           {"sequencer", r.sequencer.hex()},
          {"operator_key", r.operator_key.hex()},       {"genesis_root", r.genesis_root.hex()},
          {"challenge_window_s", r.challenge_window_s}, {"inclusion_deadline_s", r.inclusion_deadline_s},
          {"deposit_count", r.deposit_count},           {"forced_count", r.forced_count},
          {"last_batch", r.last_batch.value()},         {"last_root", r.last_root.hex()},
          {"last_final", r.last_final.value()},         {"locked", r.locked.to_string()},
          {"registered_at", r.registered_at},           {"tx_hash", r.tx_hash.hex()}};
}

json commitment_json(const CommitmentEntry& e, bool with_payload) {
  const CommitmentHeader& h = e.commitment.header;
  json j = {{"rollup_id", h.rollup_id.value()},
            {"batch", h.batch.value()},
            {"prev_root", h.prev_root.hex()},
            {"new_root", h.new_root.hex()},
            {"applied_txs", h.applied_txs},
            {"payload_hash", h.payload_hash.hex()},
            {"deposits_upto", h.deposits_upto},
            {"forced_upto", h.forced_upto},
            {"mode", std::string(to_string(h.mode))},
            {"posted_at", e.posted_at},
            {"block", opt_block(e.block)},
            {"tx_hash", e.tx_hash.hex()},
            {"final", e.is_final},
            {"final_at", e.final_at}};
  if (with_payload) j["payload"] = to_hex(e.commitment.payload);
  return j;
}

std::string kind_name(std::uint8_t kind) {
  if (kind == kDevFundKind) return "dev_fund";
  if (kind >= 1 && kind <= 6) return std::string(to_string(static_cast<BaseTxKind>(kind)));
  return "unknown";
}

// ---- methods --------------------------------------------------------------------------

struct Context {
  BaseChain& chain;
  RpcMetrics& metrics;
  const RpcOptions& options;
};

using Method = std::function<json(Context&, const json& params)>;
struct MethodEntry {
  Method run;
  bool dev_only = false;
};

std::uint32_t list_limit(const Params& p, const RpcOptions& o) {
  const std::uint64_t limit = p.u64("limit");
  if (limit > o.max_list) bad_param("limit", "may be at most " + std::to_string(o.max_list));
  return static_cast<std::uint32_t>(limit);
}

const std::unordered_map<std::string, MethodEntry>& methods() {
  static const std::unordered_map<std::string, MethodEntry> table = {
      {"chain_getChainId", {[](Context& c, const json& params) {
         Params p(params, {});
         return json(c.chain.chain_id().value());
       }}},
      {"chain_getHead", {[](Context& c, const json& params) {
         Params p(params, {});
         return head_json(c.chain.head());
       }}},
      {"chain_getBlock", {[](Context& c, const json& params) {
         Params p(params, {"number"});
         auto b = unwrap(c.chain.block(BlockNumber(p.u64("number"))), c.metrics);
         if (!b) return json(nullptr);
         json txs = json::array();
         for (const auto& t : b->txs) txs.push_back(t.hex());
         return json{{"number", b->header.number.value()},
                     {"timestamp", b->header.timestamp},
                     {"parent_hash", b->header.parent_hash.hex()},
                     {"tx_root", b->header.tx_root.hex()},
                     {"hash", b->header.hash.hex()},
                     {"txs", txs}};
       }}},
      {"chain_getAccount", {[](Context& c, const json& params) {
         Params p(params, {"account"});
         auto a = unwrap(c.chain.account(p.fixed<PublicKey>("account")), c.metrics);
         return json{{"balance", a.balance.to_string()}, {"nonce", a.nonce.value()}};
       }}},
      {"chain_sendTransaction", {[](Context& c, const json& params) {
         Params p(params, {"tx"});
         const Bytes wire = p.hex("tx");
         auto s = unwrap(c.chain.submit(wire), c.metrics);
         return json{{"hash", s.hash.hex()}, {"block", opt_block(s.block)}};
       }}},
      {"chain_getTransaction", {[](Context& c, const json& params) {
         Params p(params, {"hash"});
         auto t = unwrap(c.chain.transaction(p.fixed<Hash32>("hash")), c.metrics);
         if (!t) return json(nullptr);
         return json{{"hash", t->hash.hex()},
                     {"block", opt_block(t->block)},
                     {"index", t->index ? json(*t->index) : json(nullptr)},
                     {"sender", t->sender.hex()},
                     {"nonce", t->nonce.value()},
                     {"kind", t->kind},
                     {"kind_name", kind_name(t->kind)},
                     {"tx", to_hex(t->raw)}};
       }}},
      {"chain_getLogs", {[](Context& c, const json& params) {
         Params p(params, {"from_block", "to_block", "module", "event", "rollup_id"});
         LogFilter f;
         f.from_block = BlockNumber(p.u64("from_block"));
         f.to_block = BlockNumber(p.u64("to_block"));
         if (f.to_block < f.from_block) bad_param("to_block", "must not be below from_block");
         if (f.to_block.value() - f.from_block.value() >= c.options.max_log_range)
           bad_param("to_block", "is more than " + std::to_string(c.options.max_log_range) +
                                     " blocks from from_block; ask for a smaller range");
         f.module = p.opt_string("module");
         f.event = p.opt_string("event");
         if (auto r = p.opt_u64("rollup_id")) f.rollup_id = ChainId(*r);
         json out = json::array();
         for (const auto& l : unwrap(c.chain.logs(f), c.metrics)) {
           json data = json::parse(l.data_json, nullptr, false);
           out.push_back({{"block", opt_block(l.block)},
                          {"tx_hash", l.tx_hash.hex()},
                          {"log_index", l.log_index},
                          {"module", l.module},
                          {"event", l.event},
                          {"rollup_id", l.rollup_id ? json(l.rollup_id->value()) : json(nullptr)},
                          {"data", data.is_discarded() ? json::object() : data}});
         }
         return out;
       }}},
      {"bridge_getRollup", {[](Context& c, const json& params) {
         Params p(params, {"rollup_id"});
         const ChainId id(p.u64("rollup_id"));
         auto r = unwrap(c.chain.read([&](const ChainView& v) { return find_rollup(v, id); }), c.metrics);
         return r ? rollup_json(*r) : json(nullptr);
       }}},
      {"bridge_getDeposits", {[](Context& c, const json& params) {
         Params p(params, {"rollup_id", "from", "limit"});
         const ChainId id(p.u64("rollup_id"));
         const std::uint64_t from = p.u64("from");
         const std::uint32_t limit = list_limit(p, c.options);
         auto list = unwrap(
             c.chain.read([&](const ChainView& v) { return list_deposits(v, id, from, limit); }), c.metrics);
         json out = json::array();
         for (const auto& d : list)
           out.push_back({{"index", d.index},
                          {"recipient", d.recipient.hex()},
                          {"amount", d.amount.to_string()},
                          {"timestamp", d.timestamp},
                          {"tx_hash", d.tx_hash.hex()}});
         return out;
       }}},
      {"bridge_getForcedTxs", {[](Context& c, const json& params) {
         Params p(params, {"rollup_id", "from", "limit"});
         const ChainId id(p.u64("rollup_id"));
         const std::uint64_t from = p.u64("from");
         const std::uint32_t limit = list_limit(p, c.options);
         auto list = unwrap(c.chain.read([&](const ChainView& v) { return list_forced(v, id, from, limit); }),
                            c.metrics);
         json out = json::array();
         for (const auto& f : list)
           out.push_back({{"index", f.index},
                          {"tx", to_hex(rollup::encode_tx(f.tx))},
                          {"timestamp", f.timestamp},
                          {"tx_hash", f.tx_hash.hex()}});
         return out;
       }}},
      {"bridge_getWithdrawn", {[](Context& c, const json& params) {
         Params p(params, {"rollup_id", "account"});
         const ChainId id(p.u64("rollup_id"));
         const auto account = p.fixed<PublicKey>("account");
         auto a = unwrap(c.chain.read([&](const ChainView& v) { return withdrawn_total(v, id, account); }),
                         c.metrics);
         return json(a.to_string());
       }}},
      {"rollup_getCommitment", {[](Context& c, const json& params) {
         Params p(params, {"rollup_id", "batch", "payload"});
         CommitmentQuery q{ChainId(p.u64("rollup_id")), BatchNumber(p.u64("batch")),
                           p.boolean("payload", false)};
         auto e = unwrap(c.chain.read([&](const ChainView& v) { return find_commitment(v, q); }), c.metrics);
         return e ? commitment_json(*e, q.with_payload) : json(nullptr);
       }}},
      {"dev_mine",
       {[](Context& c, const json& params) {
          Params p(params, {});
          return head_json(unwrap(c.chain.seal_block(), c.metrics));
        },
        true}},
      {"dev_advanceTime",
       {[](Context& c, const json& params) {
          Params p(params, {"seconds"});
          return head_json(unwrap(c.chain.advance_time(p.u64("seconds")), c.metrics));
        },
        true}},
      {"dev_fund",
       {[](Context& c, const json& params) {
          Params p(params, {"account", "amount"});
          const auto account = p.fixed<PublicKey>("account");
          const Amount amount = p.amount("amount");
          auto s = unwrap(c.chain.fund(account, amount), c.metrics);
          return json{{"hash", s.hash.hex()}, {"block", opt_block(s.block)}};
        },
        true}},
      {"dev_snapshot",
       {[](Context& c, const json& params) {
          Params p(params, {});
          return json(unwrap(c.chain.snapshot(), c.metrics));
        },
        true}},
      {"dev_revert",
       {[](Context& c, const json& params) {
          Params p(params, {"id"});
          const std::uint64_t id = p.u64("id");
          auto r = c.chain.revert(id);
          if (!r && r.error().code == ChainErrorCode::not_found)
            bad_param("id", "names no snapshot: " + r.error().message);
          if (!r) chain_failure(r.error(), c.metrics);
          return json(true);
        },
        true}},
  };
  return table;
}

// One request object; nullopt for a notification.
std::optional<json> handle_one(const json& req, Context& ctx) {
  if (!req.is_object())
    return error_response(nullptr, rpc_code::kInvalidRequest, "invalid request: not an object");
  json id = nullptr;
  const bool has_id = req.contains("id");
  if (has_id) {
    const json& raw = req["id"];
    if (!raw.is_string() && !raw.is_number() && !raw.is_null())
      return error_response(nullptr, rpc_code::kInvalidRequest,
                            "invalid request: id must be a string, number or null");
    id = raw;
  }
  auto invalid = [&](const std::string& why) {
    ctx.metrics.error(rpc_code::kInvalidRequest);
    return error_response(id, rpc_code::kInvalidRequest, "invalid request: " + why);
  };
  for (const auto& [key, value] : req.items())
    if (key != "jsonrpc" && key != "method" && key != "params" && key != "id")
      return invalid("unknown member \"" + clip(key) + "\"");
  auto jv = req.find("jsonrpc");
  if (jv == req.end() || !jv->is_string() || jv->get<std::string>() != "2.0")
    return invalid("jsonrpc must be \"2.0\"");
  auto m = req.find("method");
  if (m == req.end() || !m->is_string()) return invalid("method must be a string");
  const std::string method = m->get<std::string>();
  static const json kEmpty = json::object();
  const json* params = &kEmpty;
  if (auto p = req.find("params"); p != req.end()) {
    if (!p->is_object() && !p->is_array()) return invalid("params must be an object or an array");
    params = &*p;
  }

  json response;
  try {
    const auto& table = methods();
    auto it = table.find(method);
    ctx.metrics.request(it == table.end() ? std::string_view("unknown") : std::string_view(method));
    if (it == table.end()) fail(rpc_code::kMethodNotFound, "method not found: " + clip(method));
    if (it->second.dev_only && !ctx.options.dev)
      fail(rpc_code::kMethodNotFound,
           "method " + method + " is only available when basechaind runs with --dev");
    if (params->is_array())
      fail(rpc_code::kInvalidParams, "invalid params: params must be an object (parameters by name)");
    response = {{"jsonrpc", "2.0"}, {"id", id}, {"result", it->second.run(ctx, *params)}};
  } catch (const RpcFailure& f) {
    ctx.metrics.error(f.code);
    response = error_response(id, f.code, f.message, f.data);
  } catch (const std::exception& e) {
    ctx.metrics.error(rpc_code::kInternalError);
    response = error_response(id, rpc_code::kInternalError, std::string("internal error: ") + e.what());
  }
  if (!has_id) return std::nullopt;
  return response;
}

void append_counter_header(std::string& out, std::string_view name, std::string_view help,
                           std::string_view type) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

void append_sample(std::string& out, std::string_view name, std::string_view labels, std::uint64_t value) {
  out += name;
  if (!labels.empty()) {
    out += '{';
    out += labels;
    out += '}';
  }
  out += ' ';
  out += std::to_string(value);
  out += '\n';
}

std::string label(std::string_view key, std::string_view value) {
  std::string s(key);
  s += "=\"";
  for (char ch : value) {
    if (ch == '\\' || ch == '"') s += '\\';
    if (ch == '\n') {
      s += "\\n";
      continue;
    }
    s += ch;
  }
  s += '"';
  return s;
}

}  // namespace

std::string rpc_error_body(int code, std::string_view message) {
  return dump(error_response(nullptr, code, std::string(message)));
}

std::optional<std::string> RpcDispatcher::handle(std::string_view body) {
  Context ctx{chain_, metrics_, options_};
  json doc;
  try {
    doc = json::parse(body);
  } catch (const json::parse_error& e) {
    metrics_.error(rpc_code::kParseError);
    return dump(error_response(nullptr, rpc_code::kParseError, std::string("parse error: ") + e.what()));
  }
  if (!doc.is_array()) {
    auto r = handle_one(doc, ctx);
    if (!r) return std::nullopt;
    return dump(*r);
  }
  if (doc.empty()) {
    metrics_.error(rpc_code::kInvalidRequest);
    return dump(error_response(nullptr, rpc_code::kInvalidRequest, "invalid request: empty batch"));
  }
  if (doc.size() > options_.max_batch) {
    metrics_.error(rpc_code::kInvalidRequest);
    return dump(error_response(nullptr, rpc_code::kInvalidRequest,
                               "invalid request: a batch of " + std::to_string(doc.size()) +
                                   " requests is over the limit of " + std::to_string(options_.max_batch)));
  }
  json out = json::array();
  for (const auto& req : doc)
    if (auto r = handle_one(req, ctx)) out.push_back(std::move(*r));
  if (out.empty()) return std::nullopt;
  return dump(out);
}

// ---- metrics -------------------------------------------------------------------------------

void RpcMetrics::request(std::string_view method) {
  std::lock_guard lock(mutex_);
  auto it = requests_.find(method);
  if (it == requests_.end()) it = requests_.emplace(std::string(method), 0).first;
  ++it->second;
}

void RpcMetrics::error(int code) {
  std::lock_guard lock(mutex_);
  ++errors_[code];
}

void RpcMetrics::refusal(std::string_view reason) {
  std::lock_guard lock(mutex_);
  auto it = refusals_.find(reason);
  if (it == refusals_.end()) it = refusals_.emplace(std::string(reason), 0).first;
  ++it->second;
}

std::string RpcMetrics::render(const ChainStats& stats) const {
  std::string out;
  append_counter_header(out, "basechain_head_block", "Number of the latest sealed block.", "gauge");
  append_sample(out, "basechain_head_block", "", stats.head.number.value());
  append_counter_header(out, "basechain_blocks_total", "Blocks sealed, genesis included.", "counter");
  append_sample(out, "basechain_blocks_total", "", stats.head.number.value() + 1);
  append_counter_header(out, "basechain_head_timestamp_seconds",
                        "Timestamp of the latest block (chain time).", "gauge");
  append_sample(out, "basechain_head_timestamp_seconds", "",
                static_cast<std::uint64_t>(stats.head.timestamp));
  append_counter_header(out, "basechain_txs_total", "Base txs executed, by kind (pending ones included).",
                        "counter");
  for (const auto& [kind, n] : stats.txs_by_kind)
    append_sample(out, "basechain_txs_total", label("kind", kind_name(kind)), n);
  append_counter_header(out, "basechain_pending_txs", "Executed base txs waiting for the next block.",
                        "gauge");
  append_sample(out, "basechain_pending_txs", "", stats.pending);
  std::lock_guard lock(mutex_);
  append_counter_header(out, "basechain_tx_refusals_total",
                        "Base txs refused (nothing changed), by reason, since the process started.",
                        "counter");
  for (const auto& [reason, n] : refusals_)
    append_sample(out, "basechain_tx_refusals_total", label("reason", reason), n);
  append_counter_header(out, "basechain_rpc_requests_total",
                        "JSON-RPC requests by method (\"unknown\" for names that are not methods).",
                        "counter");
  for (const auto& [method, n] : requests_)
    append_sample(out, "basechain_rpc_requests_total", label("method", method), n);
  append_counter_header(out, "basechain_rpc_errors_total", "JSON-RPC error responses by code.", "counter");
  for (const auto& [code, n] : errors_)
    append_sample(out, "basechain_rpc_errors_total", label("code", std::to_string(code)), n);
  return out;
}

}  // namespace l2::settlement
