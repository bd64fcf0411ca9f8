// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
#include "settlement/basechain/rpc_method.hpp"

#include <utility>

#include "common/build_info.hpp"
#include "common/prometheus.hpp"

namespace l2::settlement {

using json = nlohmann::json;

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
  if (auto known = strict_json::refuse_unknown(p_, allowed); !known)
    bad_param(known.error().field, "is not a parameter of this method");
}

std::uint64_t RpcParams::u64(std::string_view name) const {
  auto v = strict_json::as_u64(required(name), name);
  if (!v) bad_param(name, "must be a non-negative integer (a JSON number)");
  return *v;
}

std::optional<std::uint64_t> RpcParams::opt_u64(std::string_view name) const {
  if (!has(name)) return std::nullopt;
  return u64(name);
}

bool RpcParams::boolean(std::string_view name, bool fallback) const {
  if (!has(name)) return fallback;
  auto v = strict_json::as_bool(p_.at(std::string(name)), name);
  if (!v) bad_param(name, "must be true or false");
  return *v;
}

std::optional<std::string> RpcParams::opt_string(std::string_view name) const {
  if (!has(name)) return std::nullopt;
  auto v = strict_json::as_string(p_.at(std::string(name)), name);
  if (!v) bad_param(name, "must be a string");
  return std::string(*v);
}

Amount RpcParams::amount(std::string_view name) const {
  auto a = strict_json::as_amount(required(name), name);
  if (a) return *a;
  if (a.error().reason == strict_json::Reason::wrong_type) bad_param(name, "must be a decimal string");
  bad_param(name, "must be a decimal string of an unsigned 64-bit amount (no sign, no leading zeros)");
}

Bytes RpcParams::hex(std::string_view name) const {
  auto b = strict_json::as_hex(required(name), name);
  if (b) return std::move(*b);
  if (b.error().reason == strict_json::Reason::wrong_type) bad_param(name, "must be a hex string");
  bad_param(name, "must be hex (an even number of digits, no 0x)");
}

const json& RpcParams::required(std::string_view name) const {
  auto v = strict_json::field(p_, name);  // params are an object, or null when absent
  if (!v) bad_param(name, "is missing");
  return **v;
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
  using prometheus::Type;
  std::string out;
  prometheus::Writer w(out);
  w.single("basechain_head_block", Type::gauge, "Number of the latest sealed block.",
           stats.head.number.value());
  w.single("basechain_blocks_total", Type::counter, "Blocks sealed, genesis included.",
           stats.head.number.value() + 1);
  w.single("basechain_head_timestamp_seconds", Type::gauge, "Timestamp of the latest block (chain time).",
           static_cast<std::uint64_t>(stats.head.timestamp.value()));
  w.family("basechain_txs_total", Type::counter, "Base txs executed, by kind (pending ones included).");
  for (const auto& [kind, n] : stats.txs_by_kind)
    w.sample("basechain_txs_total", {{"kind", base_tx_kind_name(kind)}}, n);
  w.single("basechain_pending_txs", Type::gauge, "Executed base txs waiting for the next block.",
           stats.pending);
  std::lock_guard lock(mutex_);
  w.family("basechain_tx_refusals_total", Type::counter,
           "Base txs refused (nothing changed), by reason, since the process started.");
  for (const auto& [reason, n] : refusals_) w.sample("basechain_tx_refusals_total", {{"reason", reason}}, n);
  w.family("basechain_rpc_requests_total", Type::counter,
           "JSON-RPC requests by method (\"unknown\" for names that are not methods).");
  for (const auto& [method, n] : requests_) w.sample("basechain_rpc_requests_total", {{"method", method}}, n);
  w.family("basechain_rpc_errors_total", Type::counter, "JSON-RPC error responses by code.");
  for (const auto& [code, n] : errors_)
    w.sample("basechain_rpc_errors_total", {{"code", std::to_string(code)}}, n);
  write_build_info(w);
  return out;
}

}  // namespace l2::settlement
