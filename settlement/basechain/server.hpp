// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// basechaind's HTTP front: JSON-RPC 2.0 on POST / (RpcDispatcher), GET /health and GET
// /metrics, on l2::http::Server, and the block timer that seals a block every
// block_time when the chain does not automine. basechaind's main() parses options, opens
// the chain with its modules and starts one of these; tests start one in-process.
//
// Thread safety: start and stop belong to one thread; requests are served on the HTTP
// I/O threads (the chain and the dispatcher are thread-safe).
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "common/http/server.hpp"
#include "common/result.hpp"
#include "settlement/basechain/chain.hpp"
#include "settlement/basechain/rpc.hpp"

namespace l2::settlement {

struct BaseChainServerOptions {
  http::ServerOptions http;
  RpcOptions rpc;
  // Seal a block this often; nullopt: no timer (an automining chain seals by itself).
  std::optional<std::chrono::milliseconds> block_time;
};

class BaseChainServer {
 public:
  // Starts serving `chain`, which must outlive the server.
  static Result<std::unique_ptr<BaseChainServer>, std::string> start(BaseChain& chain,
                                                                     const BaseChainServerOptions& options);
  ~BaseChainServer();  // stop(0)
  BaseChainServer(const BaseChainServer&) = delete;
  BaseChainServer& operator=(const BaseChainServer&) = delete;

  // "ADDRESS:PORT" actually bound.
  [[nodiscard]] std::string bound_address() const;
  // Stops accepting, waits up to `grace` for answers still owed, stops the block timer.
  void stop(std::chrono::milliseconds grace);

 private:
  class BlockTimer;
  BaseChainServer(BaseChain& chain, const BaseChainServerOptions& options);
  void handle(const http::Request& req, const http::Respond& respond);

  BaseChain& chain_;
  RpcDispatcher rpc_;
  std::unique_ptr<http::Server> server_;
  std::unique_ptr<BlockTimer> timer_;
};

}  // namespace l2::settlement
