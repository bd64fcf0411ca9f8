// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// The load generator's HTTP/1.1 client: one synchronous keep-alive connection over
// Boost.Beast, plain TCP. One HttpConnection belongs to one thread. Errors (refused
// connection, reset, malformed response) throw std::runtime_error: this is a tool's
// edge, and a broken connection ends the run with a message. Limitations: no TLS, no
// proxy, no chunked request bodies; a response must fit in memory.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace l2::bench {

struct Url {
  std::string host;
  std::uint16_t port = 0;
};
// Accepts "http://HOST:PORT" with an optional trailing "/"; nothing else (no TLS, no path).
bool parse_url(std::string_view text, Url& out);

struct HttpResponse {
  unsigned status = 0;
  std::string content_type;
  std::string body;
};

struct HttpRequest {
  std::string_view method = "GET";  // GET or POST
  std::string_view target = "/";
  std::string_view body;
  std::string_view content_type;  // sent when the body is non-empty
  std::string_view accept;        // sent when non-empty
};

class HttpConnection {
 public:
  HttpConnection(const std::string& host, std::uint16_t port);  // connects; throws on failure
  ~HttpConnection();
  HttpConnection(HttpConnection&&) noexcept;
  HttpConnection& operator=(HttpConnection&&) noexcept;
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  // Sends one request and reads its response on the kept-alive connection (reopened
  // first if the server closed it while idle).
  HttpResponse send(const HttpRequest& request);
  // How many times the connection was reopened.
  [[nodiscard]] std::uint64_t reconnects() const { return reconnects_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::uint64_t reconnects_ = 0;
};

}  // namespace l2::bench
