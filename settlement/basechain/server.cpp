// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
#include "settlement/basechain/server.hpp"

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <utility>

namespace l2::settlement {

namespace {

http::Response json_response(unsigned status, std::string body) {
  http::Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

http::Response render_transport_error(http::TransportError e, std::string_view message) {
  unsigned status = 400;
  switch (e) {
    case http::TransportError::body_too_large:
      status = 413;
      break;
    case http::TransportError::bad_request:
      status = 400;
      break;
    case http::TransportError::timeout:
      status = 408;
      break;
    case http::TransportError::internal:
      status = 500;
      break;
  }
  const int code = e == http::TransportError::internal ? rpc_code::kInternalError : rpc_code::kInvalidRequest;
  return json_response(status, rpc_error_body(code, message));
}

}  // namespace

// Seals a block every `period` until stopped.
class BaseChainServer::BlockTimer {
 public:
  BlockTimer(BaseChain& chain, std::chrono::milliseconds period)
      : thread_([this, &chain, period] { run(chain, period); }) {}
  ~BlockTimer() { stop(); }
  BlockTimer(const BlockTimer&) = delete;
  BlockTimer& operator=(const BlockTimer&) = delete;

  void stop() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  void run(BaseChain& chain, std::chrono::milliseconds period) {
    auto next = std::chrono::steady_clock::now() + period;
    std::unique_lock lock(mutex_);
    while (!cv_.wait_until(lock, next, [this] { return stopping_; })) {
      lock.unlock();
      if (auto b = chain.seal_block(); !b)
        spdlog::error("sealing a block failed: {}", b.error().message);
      else
        spdlog::debug("block {} sealed at {}", b->number.value(), b->timestamp.value());
      lock.lock();
      // Fixed rate; after a stall, carry on from now rather than sealing a burst.
      next = std::max(next + period, std::chrono::steady_clock::now());
    }
  }

  std::mutex mutex_;
  std::condition_variable cv_;
  bool stopping_ = false;  // GUARDED_BY(mutex_)
  std::thread thread_;     // last: starts once the rest is ready
};

BaseChainServer::BaseChainServer(BaseChain& chain, const BaseChainServerOptions& options)
    : chain_(chain), rpc_(chain, options.rpc) {}

BaseChainServer::~BaseChainServer() { stop(std::chrono::milliseconds(0)); }

Result<std::unique_ptr<BaseChainServer>, std::string> BaseChainServer::start(
    BaseChain& chain, const BaseChainServerOptions& options) {
  std::unique_ptr<BaseChainServer> self(new BaseChainServer(chain, options));
  BaseChainServer* raw = self.get();
  auto server = http::Server::start(
      [raw](const http::Request& req, const http::Respond& respond) { raw->handle(req, respond); },
      render_transport_error, options.http);
  if (!server) return make_error(server.error());
  self->server_ = std::move(*server);
  if (options.block_time) self->timer_ = std::make_unique<BlockTimer>(chain, *options.block_time);
  return self;
}

std::string BaseChainServer::bound_address() const { return server_->bound_address(); }

void BaseChainServer::stop(std::chrono::milliseconds grace) {
  if (server_) {
    server_->stop_accepting();
    server_->stop(grace);
  }
  if (timer_) timer_->stop();
}

void BaseChainServer::handle(const http::Request& req, const http::Respond& respond) {
  const std::string path = req.target.substr(0, req.target.find('?'));
  if (path == "/") {
    if (req.method != "POST") {
      auto r =
          json_response(405, rpc_error_body(rpc_code::kInvalidRequest, "JSON-RPC requests are POSTed to /"));
      r.headers.emplace_back("Allow", "POST");
      return respond(std::move(r));
    }
    auto body = rpc_.handle(req.body);
    if (!body) return respond(json_response(204, ""));
    return respond(json_response(200, std::move(*body)));
  }
  if (path == "/health" || path == "/metrics") {
    if (req.method != "GET") {
      auto r = json_response(405, rpc_error_body(rpc_code::kInvalidRequest, path + " only answers GET"));
      r.headers.emplace_back("Allow", "GET");
      return respond(std::move(r));
    }
    auto stats = chain_.stats();
    if (!stats)
      return respond(json_response(
          503, nlohmann::json{{"status", "unavailable"}, {"error", stats.error().message}}.dump()));
    if (path == "/health") {
      const auto& h = stats->head;
      return respond(json_response(200, nlohmann::json{{"status", "ok"},
                                                       {"chain_id", chain_.chain_id().value()},
                                                       {"head", h.number.value()},
                                                       {"timestamp", h.timestamp.value()},
                                                       {"pending", stats->pending}}
                                            .dump()));
    }
    http::Response r;
    r.content_type = "text/plain; version=0.0.4";
    r.body = rpc_.metrics().render(*stats);
    return respond(std::move(r));
  }
  respond(json_response(
      404, rpc_error_body(rpc_code::kInvalidRequest, "no such path: " + path + " (JSON-RPC is POST /)")));
}

}  // namespace l2::settlement
