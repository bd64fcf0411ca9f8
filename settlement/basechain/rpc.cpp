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

#include "common/json/parse.hpp"
#include "settlement/basechain/module.hpp"

namespace l2::settlement {

namespace {

using json = nlohmann::json;

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

json error_object(int code, const std::string& message, const json& data) {
  json e = {{"code", code}, {"message", message}};
  if (!data.is_null()) e["data"] = data;
  return e;
}

json error_response(const json& id, int code, const std::string& message, const json& data = nullptr) {
  return json{{"jsonrpc", "2.0"}, {"id", id}, {"error", error_object(code, message, data)}};
}

json head_json(const BlockHeader& h) {
  return {{"number", h.number.value()}, {"timestamp", h.timestamp.value()}, {"hash", h.hash.hex()}};
}

// ---- methods --------------------------------------------------------------------------

// The core's methods: chain_* and dev_* (the modules bring the rest).
std::vector<RpcMethod> core_methods() {
  std::vector<RpcMethod> table = {
      {"chain_getChainId", {[](RpcCall& c, const json& params) {
         RpcParams p(params, {});
         return json(c.chain.chain_id().value());
       }}},
      {"chain_getHead", {[](RpcCall& c, const json& params) {
         RpcParams p(params, {});
         return head_json(c.chain.head());
       }}},
      {"chain_getBlock", {[](RpcCall& c, const json& params) {
         RpcParams p(params, {"number"});
         auto b = unwrap(c.chain.block(BlockNumber(p.u64("number"))), c);
         if (!b) return json(nullptr);
         json txs = json::array();
         for (const auto& t : b->txs) txs.push_back(t.hex());
         return json{{"number", b->header.number.value()},
                     {"timestamp", b->header.timestamp.value()},
                     {"parent_hash", b->header.parent_hash.hex()},
                     {"tx_root", b->header.tx_root.hex()},
                     {"hash", b->header.hash.hex()},
                     {"txs", txs}};
       }}},
      {"chain_getAccount", {[](RpcCall& c, const json& params) {
         RpcParams p(params, {"account"});
         auto a = unwrap(c.chain.account(p.fixed<PublicKey>("account")), c);
         return json{{"balance", a.balance.to_string()}, {"nonce", a.nonce.value()}};
       }}},
      {"chain_sendTransaction", {[](RpcCall& c, const json& params) {
         RpcParams p(params, {"tx"});
         const Bytes wire = p.hex("tx");
         auto s = unwrap(c.chain.submit(wire), c);
         return json{{"hash", s.hash.hex()}, {"block", block_or_null(s.block)}};
       }}},
      {"chain_getTransaction", {[](RpcCall& c, const json& params) {
         RpcParams p(params, {"hash"});
         auto t = unwrap(c.chain.transaction(p.fixed<Hash32>("hash")), c);
         if (!t) return json(nullptr);
         return json{{"hash", t->hash.hex()},
                     {"block", block_or_null(t->block)},
                     {"index", t->index ? json(*t->index) : json(nullptr)},
                     {"sender", t->sender.hex()},
                     {"nonce", t->nonce.value()},
                     {"kind", t->kind},
                     {"kind_name", base_tx_kind_name(t->kind)},
                     {"tx", to_hex(t->raw)}};
       }}},
      {"chain_getLogs", {[](RpcCall& c, const json& params) {
         RpcParams p(params, {"from_block", "to_block", "module", "event", "rollup_id"});
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
         for (const auto& l : unwrap(c.chain.logs(f), c)) {
           json data = json::parse(l.data_json, nullptr, false);
           out.push_back({{"block", block_or_null(l.block)},
                          {"tx_hash", l.tx_hash.hex()},
                          {"log_index", l.log_index},
                          {"module", l.module},
                          {"event", l.event},
                          {"rollup_id", l.rollup_id ? json(l.rollup_id->value()) : json(nullptr)},
                          {"data", data.is_discarded() ? json::object() : data}});
         }
         return out;
       }}},
      {"dev_mine",
       [](RpcCall& c, const json& params) {
         RpcParams p(params, {});
         return head_json(unwrap(c.chain.seal_block(), c));
       },
       true},
      {"dev_advanceTime",
       [](RpcCall& c, const json& params) {
         RpcParams p(params, {"seconds"});
         return head_json(unwrap(c.chain.advance_time(ChainDuration(p.u64("seconds"))), c));
       },
       true},
      {"dev_fund",
       [](RpcCall& c, const json& params) {
         RpcParams p(params, {"account", "amount"});
         const auto account = p.fixed<PublicKey>("account");
         const Amount amount = p.amount("amount");
         auto s = unwrap(c.chain.fund(account, amount), c);
         return json{{"hash", s.hash.hex()}, {"block", block_or_null(s.block)}};
       },
       true},
      {"dev_snapshot",
       [](RpcCall& c, const json& params) {
         RpcParams p(params, {});
         return json(unwrap(c.chain.snapshot(), c));
       },
       true},
      {"dev_revert",
       [](RpcCall& c, const json& params) {
         RpcParams p(params, {"id"});
         const std::uint64_t id = p.u64("id");
         auto r = c.chain.revert(id);
         if (!r && r.error().code == ChainErrorCode::not_found)
           bad_param("id", "names no snapshot: " + r.error().message);
         if (!r) chain_failure(r.error(), c.metrics);
         return json(true);
       },
       true},
  };
  return table;
}

struct Context {
  RpcCall call;
  const std::unordered_map<std::string, RpcMethod>& methods;
};

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
    ctx.call.metrics.error(rpc_code::kInvalidRequest);
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
    const auto& table = ctx.methods;
    auto it = table.find(method);
    ctx.call.metrics.request(it == table.end() ? std::string_view("unknown") : std::string_view(method));
    if (it == table.end()) fail(rpc_code::kMethodNotFound, "method not found: " + clip(method));
    if (it->second.dev_only && !ctx.call.options.dev)
      fail(rpc_code::kMethodNotFound,
           "method " + method + " is only available when basechaind runs with --dev");
    if (params->is_array())
      fail(rpc_code::kInvalidParams, "invalid params: params must be an object (parameters by name)");
    response = {{"jsonrpc", "2.0"}, {"id", id}, {"result", it->second.run(ctx.call, *params)}};
  } catch (const RpcFailure& f) {
    ctx.call.metrics.error(f.code);
    response = error_response(id, f.code, f.message, f.data);
  } catch (const std::exception& e) {
    ctx.call.metrics.error(rpc_code::kInternalError);
    response = error_response(id, rpc_code::kInternalError, std::string("internal error: ") + e.what());
  }
  if (!has_id) return std::nullopt;
  return response;
}

}  // namespace

RpcDispatcher::RpcDispatcher(BaseChain& chain, RpcOptions options) : chain_(chain), options_(options) {
  // BaseChain::open refused module sets whose methods clash with each other or take the
  // core's prefixes, so every name here is unique.
  for (auto& m : core_methods()) {
    std::string name = m.name;
    methods_.emplace(std::move(name), std::move(m));
  }
  for (const auto& module : chain.modules().modules())
    for (auto& m : module->rpc_methods()) {
      std::string name = m.name;
      const bool inserted = methods_.emplace(std::move(name), std::move(m)).second;
      L2_ASSERT(inserted);
    }
}

std::string rpc_error_body(int code, std::string_view message) {
  return dump(error_response(nullptr, code, std::string(message)));
}

std::optional<std::string> RpcDispatcher::handle(std::string_view body) {
  Context ctx{RpcCall{chain_, metrics_, options_}, methods_};
  json doc;
  if (auto parsed = strict_json::parse_unique_keys(body); parsed) {
    doc = std::move(*parsed);
  } else if (parsed.error().kind == strict_json::ParseError::Kind::duplicate_key) {
    // Valid JSON that two parsers may read differently: refused, never "last one wins".
    metrics_.error(rpc_code::kInvalidRequest);
    return dump(
        error_response(nullptr, rpc_code::kInvalidRequest,
                       "invalid request: the key '" + parsed.error().key + "' appears twice in one object"));
  } else {
    metrics_.error(rpc_code::kParseError);
    try {
      const json again = json::parse(body);  // for the parser's own description of the error
      (void)again;
    } catch (const json::exception& e) {
      // Not only parse_error: a number too large for a double ("1e400") is out_of_range
      // (406), and must be a -32700 too rather than an exception out of handle().
      return dump(error_response(nullptr, rpc_code::kParseError, std::string("parse error: ") + e.what()));
    }
    return dump(error_response(nullptr, rpc_code::kParseError, "parse error"));
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

}  // namespace l2::settlement
