// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// basechaind's JSON-RPC 2.0 dispatcher (docs/basechain.md lists every method): from a
// request body to a response body, with no HTTP inside, so that every rule of the
// specification is unit-tested here. Single requests and batches (at most
// RpcOptions::max_batch), notifications (no "id": executed, never answered; a batch of
// notifications only has no response at all), params by name only (an object: unknown,
// missing and mistyped fields are -32602 naming the field).
//
// Error codes: the standard -32700 parse error, -32600 invalid request, -32601 method
// not found (also dev_* without --dev), -32602 invalid params, -32603 internal error;
// and the application's -32001 invalid signature, -32002 wrong nonce, -32003
// insufficient funds, -32004 refused by a rule (error.data.reason names it, see
// Refusal), -32005 malformed transaction. Every application error carries
// error.data.reason (a stable snake_case string).
//
// Thread safety: handle() may be called from any number of threads at once (the chain
// has its own lock; the metrics are atomic or locked).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

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

class RpcDispatcher {
 public:
  RpcDispatcher(BaseChain& chain, RpcOptions options) : chain_(chain), options_(options) {}

  // The response body for a request body, or nullopt when nothing is to be answered
  // (a notification, or a batch of notifications only).
  std::optional<std::string> handle(std::string_view body);

  RpcMetrics& metrics() { return metrics_; }
  [[nodiscard]] const RpcMetrics& metrics() const { return metrics_; }

 private:
  BaseChain& chain_;
  RpcOptions options_;
  RpcMetrics metrics_;
};

// A whole error response with a null id (for answers the HTTP layer gives by itself).
std::string rpc_error_body(int code, std::string_view message);

}  // namespace l2::settlement
