// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
#include "settlement/basechain/server.hpp"

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
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
    case http::TransportError::headers_too_large:
      status = 431;
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
      : period_(period), thread_([this, &chain, period] { run(chain, period); }) {}
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

  // Why the timer is not keeping up, if it is not: the last seal failed, or no seal
  // has finished for three periods and a second (the writer is stuck). Empty: it is.
  struct Lag {
    std::string code;
    std::string message;
  };
  [[nodiscard]] std::optional<Lag> lag() const {
    std::lock_guard lock(mutex_);
    if (!last_error_.empty()) return Lag{"sealing_failed", "sealing a block failed: " + last_error_};
    const auto quiet = std::chrono::steady_clock::now() - last_done_;
    if (quiet > 3 * period_ + std::chrono::seconds(1))
      return Lag{"writer_stuck",
                 "no block sealed for " +
                     std::to_string(std::chrono::duration_cast<std::chrono::seconds>(quiet).count()) +
                     " s (a block every " + std::to_string(period_.count()) + " ms)"};
    return std::nullopt;
  }

 private:
  void run(BaseChain& chain, std::chrono::milliseconds period) {
    auto next = std::chrono::steady_clock::now() + period;
    std::unique_lock lock(mutex_);
    while (!cv_.wait_until(lock, next, [this] { return stopping_; })) {
      lock.unlock();
      std::string error;
      if (auto b = chain.seal_block(); !b) {
        error = b.error().message;
        spdlog::error("sealing a block failed: {}", error);
      } else {
        spdlog::debug("block {} sealed at {}", b->number.value(), b->timestamp.value());
      }
      lock.lock();
      last_done_ = std::chrono::steady_clock::now();
      last_error_ = std::move(error);
      // Fixed rate; after a stall, carry on from now rather than sealing a burst.
      next = std::max(next + period, std::chrono::steady_clock::now());
    }
  }

  const std::chrono::milliseconds period_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  bool stopping_ = false;                                                               // GUARDED_BY(mutex_)
  std::chrono::steady_clock::time_point last_done_ = std::chrono::steady_clock::now();  // GUARDED_BY(mutex_)
  std::string last_error_;  // GUARDED_BY(mutex_): of the last seal; empty if it worked
  std::thread thread_;      // last: starts once the rest is ready
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
  if (path == "/health" || path == "/metrics" || path == "/ready") {
    if (req.method != "GET" && req.method != "HEAD") {
      auto r =
          json_response(405, rpc_error_body(rpc_code::kInvalidRequest, path + " only answers GET and HEAD"));
      r.headers.emplace_back("Allow", "GET, HEAD");
      return respond(std::move(r));
    }
    auto stats = chain_.stats();
    if (path == "/ready") {
      // Readiness (docs/basechain.md): storage answers, and the block timer keeps up.
      nlohmann::json reasons = nlohmann::json::array();
      if (!stats) reasons.push_back({{"code", "storage"}, {"message", stats.error().message}});
      if (timer_) {
        if (auto lag = timer_->lag()) reasons.push_back({{"code", lag->code}, {"message", lag->message}});
      }
      const bool ok = reasons.empty();
      return respond(
          json_response(ok ? 200 : 503, nlohmann::json{{"ready", ok}, {"reasons", reasons}}.dump()));
    }
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
