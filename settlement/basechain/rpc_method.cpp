// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
#include "settlement/basechain/rpc_method.hpp"

#include <utility>

namespace l2::settlement {

using json = nlohmann::json;

namespace {

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

std::string base_tx_kind_name(std::uint8_t kind) {
  if (kind == kDevFundKind) return "dev_fund";
  return std::string(to_string(static_cast<BaseTxKind>(kind)));  // "unknown" for no kind
}

void fail(int code, std::string message, json data) {
  throw RpcFailure{code, std::move(message), std::move(data)};
}

std::string clip(std::string_view s) {
  constexpr std::size_t kMax = 64;
  if (s.size() <= kMax) return std::string(s);
  return std::string(s.substr(0, kMax)) + "...";
}

void bad_param(std::string_view field, const std::string& what) {
  fail(rpc_code::kInvalidParams, "invalid params: " + clip(field) + " " + what, json{{"field", clip(field)}});
}

// ---- params ------------------------------------------------------------------------------

RpcParams::RpcParams(const json& params, std::initializer_list<std::string_view> allowed) : p_(params) {
  for (const auto& [key, value] : p_.items()) {
    bool known = false;
    for (auto a : allowed) known = known || key == a;
    if (!known) bad_param(key, "is not a parameter of this method");
  }
}

std::uint64_t RpcParams::u64(std::string_view name) const {
  const json& v = required(name);
  if (!v.is_number_unsigned()) bad_param(name, "must be a non-negative integer (a JSON number)");
  return v.get<std::uint64_t>();
}

std::optional<std::uint64_t> RpcParams::opt_u64(std::string_view name) const {
  if (!has(name)) return std::nullopt;
  return u64(name);
}

bool RpcParams::boolean(std::string_view name, bool fallback) const {
  if (!has(name)) return fallback;
  const json& v = p_.at(std::string(name));
  if (!v.is_boolean()) bad_param(name, "must be true or false");
  return v.get<bool>();
}

std::optional<std::string> RpcParams::opt_string(std::string_view name) const {
  if (!has(name)) return std::nullopt;
  const json& v = p_.at(std::string(name));
  if (!v.is_string()) bad_param(name, "must be a string");
  return v.get<std::string>();
}

Amount RpcParams::amount(std::string_view name) const {
  const json& v = required(name);
  if (!v.is_string()) bad_param(name, "must be a decimal string");
  auto a = Amount::parse(v.get<std::string>());
  if (!a)
    bad_param(name, "must be a decimal string of an unsigned 64-bit amount (no sign, no leading zeros)");
  return *a;
}

Bytes RpcParams::hex(std::string_view name) const {
  const json& v = required(name);
  if (!v.is_string()) bad_param(name, "must be a hex string");
  auto b = from_hex(v.get<std::string>());
  if (!b) bad_param(name, "must be hex (an even number of digits, no 0x)");
  return *b;
}

const json& RpcParams::required(std::string_view name) const {
  auto it = p_.find(name);
  if (it == p_.end()) bad_param(name, "is missing");
  return *it;
}

std::uint32_t list_limit(const RpcParams& p, const RpcOptions& o) {
  const std::uint64_t limit = p.u64("limit");
  if (limit > o.max_list) bad_param("limit", "may be at most " + std::to_string(o.max_list));
  return static_cast<std::uint32_t>(limit);
}

json block_or_null(const std::optional<BlockNumber>& b) { return b ? json(b->value()) : json(nullptr); }

void chain_failure(const ChainError& e, RpcMetrics& metrics) {
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
      const std::string& reason = e.reason;
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
                static_cast<std::uint64_t>(stats.head.timestamp.value()));
  append_counter_header(out, "basechain_txs_total", "Base txs executed, by kind (pending ones included).",
                        "counter");
  for (const auto& [kind, n] : stats.txs_by_kind)
    append_sample(out, "basechain_txs_total", label("kind", base_tx_kind_name(kind)), n);
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
