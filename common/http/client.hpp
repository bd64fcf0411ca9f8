// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// A blocking HTTP/1.1 client (Boost.Beast) for talking to our own daemons: one
// keep-alive connection to one origin, reconnected on demand, with a timeout on every
// request. "http://HOST:PORT" or "https://HOST:PORT" (TLS through OpenSSL; the peer is
// verified against ClientOptions::ca_file, or not at all with insecure = true, for
// self-signed development certificates). The peer's name (or address) is checked
// against its certificate, and sent as SNI when it is a name.
//
// Limitations: name resolution is the system resolver's, outside the timeout; no
// proxies, redirects, compression or chunked request bodies. The retry on a stale
// keep-alive connection applies to every method: a server that closed a connection
// after reading a request but before answering would see that request twice.
//
// Thread safety: none; one Client per thread (they are cheap).
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "common/http/server.hpp"
#include "common/result.hpp"

namespace l2::http {

struct ClientOptions {
  std::chrono::milliseconds timeout{5000};  // connect, write and read of one request
  std::size_t max_body_bytes = 64u << 20;   // of a response
  std::string ca_file;                      // PEM; empty: the system's default paths
  bool insecure = false;                    // skip certificate verification (dev only)
};

struct Url {
  bool tls = false;
  std::string host;
  std::string port;
  std::string base_path;  // "" or "/prefix" without a trailing slash
};
Result<Url, std::string> parse_url(std::string_view url);

class Client {
 public:
  static Result<std::unique_ptr<Client>, std::string> create(std::string_view url,
                                                             const ClientOptions& options);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // One request and its answer (any status). Errors: connect/TLS/timeout/transport
  // failures, with a message that names the URL. Retries once on a fresh connection
  // when a kept-alive one turns out closed before anything was read.
  Result<Response, std::string> request(std::string_view method, std::string_view target,
                                        std::string_view body,
                                        std::string_view content_type = "application/json");
  Result<Response, std::string> get(std::string_view target) { return request("GET", target, {}, {}); }
  Result<Response, std::string> post(std::string_view target, std::string_view body,
                                     std::string_view content_type = "application/json") {
    return request("POST", target, body, content_type);
  }

  struct Impl;

 private:
  explicit Client(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace l2::http
