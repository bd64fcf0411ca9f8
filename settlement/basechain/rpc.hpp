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
// The methods are the core's (chain_*, dev_*, in rpc.cpp) and those the chain's modules
// bring (Module::rpc_methods); the error codes and the building blocks of a method are
// in rpc_method.hpp.
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
#include <unordered_map>

#include "settlement/basechain/chain.hpp"
#include "settlement/basechain/rpc_method.hpp"

namespace l2::settlement {

class RpcDispatcher {
 public:
  // Serves the core's methods (chain_*, dev_*) and those of the chain's modules.
  RpcDispatcher(BaseChain& chain, RpcOptions options);

  // The response body for a request body, or nullopt when nothing is to be answered
  // (a notification, or a batch of notifications only).
  std::optional<std::string> handle(std::string_view body);

  RpcMetrics& metrics() { return metrics_; }
  [[nodiscard]] const RpcMetrics& metrics() const { return metrics_; }

 private:
  BaseChain& chain_;
  RpcOptions options_;
  RpcMetrics metrics_;
  std::unordered_map<std::string, RpcMethod> methods_;  // immutable after construction
};

// A whole error response with a null id (for answers the HTTP layer gives by itself).
std::string rpc_error_body(int code, std::string_view message);

}  // namespace l2::settlement
