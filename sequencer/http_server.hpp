// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// The sequencer's HTTP API: routing and the JSON answers of docs/api.md, over
// l2::http::Server (asynchronous HTTP/1.1, keep-alive, optional TLS, request limits and
// timeouts). It runs on its own I/O threads (HttpOptions::io_threads), separate from the
// engine's; a request that waits for durability (wait=true, batches, dev deposits) holds
// no thread while it waits: its answer is built, when its batch is durable or its wait
// times out, on as many answer threads. No request waits for the base chain: settlement
// answers (withdrawal status, /v1/settlement, the settlement metrics) come from the
// settler's cached view.
//
// Thread safety: start, stop_accepting and stop belong to one thread (main).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "common/result.hpp"
#include "sequencer/config.hpp"
#include "sequencer/node.hpp"
#include "settlement/settler.hpp"

namespace l2::sequencer {

struct ServerOptions {
  HttpOptions http;
  bool dev = false;                    // --dev
  bool base_chain_configured = false;  // a base chain turns /v1/dev/* off even with --dev
  std::string base_chain_url;          // shown by GET /v1/settlement
  ReadyOptions ready;                  // GET /ready
};

class HttpServer {
 public:
  // Binds, listens and starts the I/O threads. Errors: bad address, port in use, TLS
  // files that don't load.
  // `settler` (null without a base chain) answers /v1/settlement, the settlement metrics
  // and where withdrawals stand, from its cache; both must outlive the server.
  static Result<std::unique_ptr<HttpServer>, std::string> start(Node& node, settlement::Settler* settler,
                                                                const ServerOptions& options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // "ADDRESS:PORT" actually bound (the port is the real one when 0 was asked for).
  [[nodiscard]] std::string bound_address() const;

  // Closes the listening socket; requests on open connections still get answers
  // (writes: 503 unavailable once the node stops).
  void stop_accepting();
  // Waits up to `grace` for answers still owed (requests waiting for their batch), then
  // stops the I/O threads and closes every connection.
  void stop(std::chrono::milliseconds grace);

  struct Impl;

 private:
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace l2::sequencer
