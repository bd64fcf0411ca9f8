// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// What a JSON-RPC method of basechaind is made of, for the core's methods (rpc.cpp) and
// the modules' (Module::rpc_methods): the error codes, the options and metrics of the
// dispatcher, named params with strict readers, and the failure a method throws. A
// method throws RpcFailure (fail(), bad_param(), unwrap() of a ChainError); the
// dispatcher turns it into the error response, so a method reads straight through.
//
// Error codes: the standard -32700 parse error, -32600 invalid request, -32601 method
// not found (also dev_* without --dev), -32602 invalid params, -32603 internal error;
// and the application's -32001 invalid signature, -32002 wrong nonce, -32003
// insufficient funds, -32004 refused by a rule (error.data.reason: the Refusal's name),
// -32005 malformed transaction. Every application error carries error.data.reason.
//
// Thread safety: RpcMetrics is locked; the rest are values used by one call.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "common/bytes.hpp"
#include "common/json/strict.hpp"
#include "common/result.hpp"
#include "common/types.hpp"
#include "settlement/basechain/chain.hpp"

namespace l2::settlement {

namespace rpc_code {
inline constexpr int kParseError = -32700;
inline constexpr int kInvalidRequest = -32600;
inline constexpr int kMethodNotFound = -32601;
inline constexpr int kInvalidParams = -32602;
inline constexpr int kInternalError = -32603;
inline constexpr int kInvalidSignature = -32001;
inline constexpr int kWrongNonce = -32002;
inline constexpr int kInsufficientFunds = -32003;
inline constexpr int kRefused = -32004;
inline constexpr int kMalformedTx = -32005;
}  // namespace rpc_code

struct RpcOptions {
  bool dev = false;                     // dev_* methods
  std::size_t max_batch = 100;          // requests in one batch
  std::uint32_t max_list = 1000;        // `limit` of list queries
  std::uint64_t max_log_range = 10000;  // blocks in one chain_getLogs
};

// Counters for /metrics: requests by method, errors by code, refused base txs by reason.
class RpcMetrics {
 public:
  void request(std::string_view method);
  void error(int code);
  void refusal(std::string_view reason);
  // Prometheus text (0.0.4) of these counters and of the chain's `stats`.
  [[nodiscard]] std::string render(const ChainStats& stats) const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::uint64_t, std::less<>> requests_;  // GUARDED_BY(mutex_)
  std::map<int, std::uint64_t> errors_;                         // GUARDED_BY(mutex_)
  std::map<std::string, std::uint64_t, std::less<>> refusals_;  // GUARDED_BY(mutex_)
};

// Everything a method can fail with; thrown inside the dispatcher only and turned into
// an error response at its edge.
struct RpcFailure {
  int code = rpc_code::kInternalError;
  std::string message;
  nlohmann::json data;  // null: no data member
};

[[noreturn]] void fail(int code, std::string message, nlohmann::json data = nullptr);
[[noreturn]] void bad_param(std::string_view field, const std::string& what);
// Names a client sent, echoed in messages: at most 64 bytes of them.
std::string clip(std::string_view s);

// Named params: the fields a method takes are declared up front, so an unknown field
// is refused before anything runs.
class RpcParams {
 public:
  RpcParams(const nlohmann::json& params, std::initializer_list<std::string_view> allowed);

  [[nodiscard]] bool has(std::string_view name) const { return p_.contains(name); }
  [[nodiscard]] std::uint64_t u64(std::string_view name) const;
  [[nodiscard]] std::optional<std::uint64_t> opt_u64(std::string_view name) const;
  [[nodiscard]] bool boolean(std::string_view name, bool fallback) const;
  [[nodiscard]] std::optional<std::string> opt_string(std::string_view name) const;
  [[nodiscard]] Amount amount(std::string_view name) const;
  [[nodiscard]] Bytes hex(std::string_view name) const;
  template <class Fixed>
  [[nodiscard]] Fixed fixed(std::string_view name) const {
    auto f = strict_json::as_fixed<Fixed>(required(name), name);
    if (f) return *f;
    if (f.error().reason == strict_json::Reason::wrong_type) bad_param(name, "must be a hex string");
    bad_param(name, "must be " + std::to_string(Fixed::size() * 2) + " hex digits");
  }

 private:
  [[nodiscard]] const nlohmann::json& required(std::string_view name) const;
  const nlohmann::json& p_;
};

// What a method call works with.
struct RpcCall {
  BaseChain& chain;
  RpcMetrics& metrics;
  const RpcOptions& options;
};

struct RpcMethod {
  std::string name;
  std::function<nlohmann::json(RpcCall& call, const nlohmann::json& params)> run;
  bool dev_only = false;
};

// Maps a chain error to its JSON-RPC error (and counts refused txs).
[[noreturn]] void chain_failure(const ChainError& e, RpcMetrics& metrics);

template <class T>
T unwrap(Result<T, ChainError> r, RpcCall& call) {
  if (!r) chain_failure(r.error(), call.metrics);
  return std::move(r).value();
}

// `limit` of a list query: at most RpcOptions::max_list.
std::uint32_t list_limit(const RpcParams& p, const RpcOptions& o);
// A base tx kind's name ("dev_fund" for kDevFundKind), as chain_getTransaction shows it.
std::string base_tx_kind_name(std::uint8_t kind);
// A block number, or null while pending.
nlohmann::json block_or_null(const std::optional<BlockNumber>& b);

}  // namespace l2::settlement
