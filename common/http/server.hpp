// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// A small HTTP/1.1 server (Boost.Beast, asynchronous, keep-alive, optional TLS through
// OpenSSL) that both daemons use: sequencerd (REST) and basechaind (JSON-RPC). It owns
// the sockets, the limits and the timeouts; what a request means is the Handler's.
// Beast lives only in the .cpp files of this folder: users see plain structs.
//
// A handler is called on an I/O thread and must call `respond` exactly once, on any
// thread, now or later (a request that waits for something holds no thread meanwhile).
// A second call is ignored. A Respond whose every copy is destroyed without a call
// answers 500 (TransportError::internal, through the ErrorRenderer) and closes the
// connection, as does a handler that throws before responding: a buggy handler never
// leaves a client hanging. A Respond called or dropped after stop() does nothing.
// Requests on one connection are answered in order (HTTP/1.1 without pipelining: the
// next request is read once the answer is written).
//
// CORS (ServerOptions::cors_origins) is the server's, not the handler's: the handler
// never sees a preflight.
//
// Limitations: no pipelining, no chunked responses or streaming bodies, no HTTP/2; a
// request waiting for its handler is not timed out by the server (the handler owns
// that), nor noticed if its client goes away meanwhile.
//
// Thread safety: start, stop_accepting and stop belong to one thread (main). A Respond
// may be called from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.hpp"

namespace l2::http {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // path and query, as sent
  Headers headers;     // names as sent; look them up with header()
  std::string body;
  std::string peer;  // the client's "ADDRESS:PORT"
  // The first header named `name` (ASCII case-insensitive).
  [[nodiscard]] std::optional<std::string_view> header(std::string_view name) const;
};

struct Response {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  Headers headers;  // extra headers (Retry-After, ...)
  [[nodiscard]] std::optional<std::string_view> header(std::string_view name) const;
};

using Respond = std::function<void(Response)>;
using Handler = std::function<void(Request request, Respond respond)>;

// Why the server answered by itself, without calling the handler.
enum class TransportError : std::uint8_t {
  body_too_large,     // 413
  bad_request,        // 400: unparsable request line or headers
  headers_too_large,  // 431: the request line and headers are over the limit (16 KiB)
  timeout,            // 408: the request was not received within read_timeout_ms
  internal,           // 500: the handler threw, or dropped its Respond without calling it
};
// Renders the server's own error answers in the daemon's error format.
using ErrorRenderer = std::function<Response(TransportError error, std::string_view message)>;

struct ServerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;  // 0: an ephemeral port (see bound_address)
  unsigned io_threads = 2;
  std::size_t max_body_bytes = 16u << 20;
  std::uint32_t read_timeout_ms = 10000;  // whole request; an idle keep-alive too
  std::uint32_t write_timeout_ms = 10000;
  std::string tls_cert;                 // PEM chain; with tls_key: TLS only
  std::string tls_key;                  // PEM private key
  std::string server_name = "l2stack";  // the Server header
  // CORS, opt-in: the origins ("https://app.example", exactly as browsers send them, or
  // "*" for any) whose pages may read the answers. Empty: no CORS headers at all. For an
  // allowed origin every answer carries Access-Control-Allow-Origin (and Vary: Origin), and
  // a preflight (OPTIONS with Access-Control-Request-Method) is answered 204 by the server
  // itself. A request from any other origin is served as if CORS were off.
  std::vector<std::string> cors_origins;
};

class Server {
 public:
  // Binds, listens and starts the I/O threads. Errors: bad address, port in use, TLS
  // files that don't load.
  static Result<std::unique_ptr<Server>, std::string> start(Handler handler, ErrorRenderer errors,
                                                            const ServerOptions& options);
  ~Server();  // stop(0)
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // "ADDRESS:PORT" actually bound.
  [[nodiscard]] std::string bound_address() const;
  [[nodiscard]] bool tls() const;
  // Closes the listening socket; open connections still get their answers.
  void stop_accepting();
  // Waits up to `grace` for answers still owed, then stops the I/O threads and closes
  // every connection. Idempotent.
  void stop(std::chrono::milliseconds grace);

  struct Impl;

 private:
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace l2::http
