// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// Structure (as Beast's advanced_server_flex example):
//   Session<Derived> — one connection, plain or TLS (CRTP): reads a request under the
//                      read timeout, hands it to the handler, writes the answer when it
//                      comes, keeps the connection alive.
//   Answer           — what a Respond holds: takes the handler's answer (once) to its
//                      session's strand, from any thread.
//   Server::Impl     — the acceptor, the I/O threads, and what a graceful stop waits for.
//
// Lifetimes: a session lives while an operation of its own is pending (a read, a write,
// or the wait for its answer), so destroying the io_context in stop() destroys every
// session and closes every connection. An Answer holds only a weak pointer to its
// session, and reaches the io_context through the Lifeline, which stop() cuts before
// destroying it: a Respond kept past stop() is harmless.
#include "common/http/server.hpp"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wconversion"
#pragma GCC diagnostic ignored "-Wsign-conversion"
#pragma GCC diagnostic ignored "-Wshadow"
#pragma GCC diagnostic ignored "-Wold-style-cast"
#pragma GCC diagnostic ignored "-Wnull-dereference"
// Beast's parser trips GCC 12's flow analysis under -fsanitize=address (a boost::optional
// read only once set): a false positive, reported at the header's line. GCC's warning
// only: clang has no such group (and -Werror refuses an unknown one).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#pragma GCC diagnostic pop

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

namespace l2::http {

namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

namespace {

constexpr std::size_t kHeaderLimit = std::size_t{16} * 1024;
constexpr auto kTlsShutdownTimeout = std::chrono::seconds(2);

using BeastRequest = bhttp::request<bhttp::string_body>;
using BeastResponse = bhttp::response<bhttp::string_body>;

char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return ascii_lower(x) == ascii_lower(y); });
}

std::optional<std::string_view> find_header(const Headers& headers, std::string_view name) {
  for (const auto& [key, value] : headers)
    if (iequals(key, name)) return std::string_view(value);
  return std::nullopt;
}

// A header Beast would write verbatim: no CR, LF or NUL that could split the response.
bool safe_header(std::string_view name, std::string_view value) {
  auto bad = [](char c) { return c == '\r' || c == '\n' || c == '\0'; };
  return !name.empty() && std::none_of(name.begin(), name.end(), bad) &&
         std::none_of(value.begin(), value.end(), bad) && name.find(':') == std::string_view::npos;
}

bool is_http_error(const beast::error_code& ec) {
  return &ec.category() == &bhttp::make_error_code(bhttp::error::end_of_stream).category();
}

unsigned default_status(TransportError e) {
  switch (e) {
    case TransportError::body_too_large:
      return 413;
    case TransportError::bad_request:
      return 400;
    case TransportError::headers_too_large:
      return 431;
    case TransportError::timeout:
      return 408;
    case TransportError::internal:
      return 500;
  }
  return 500;
}

}  // namespace

std::optional<std::string_view> Request::header(std::string_view name) const {
  return find_header(headers, name);
}
std::optional<std::string_view> Response::header(std::string_view name) const {
  return find_header(headers, name);
}

// Cut by stop() before the io_context goes: an Answer posts to a session's strand only
// while holding the mutex and seeing `alive`.
struct Lifeline {
  std::mutex mutex;
  bool alive = true;  // GUARDED_BY(mutex)
};

struct Server::Impl {
  Impl(Handler h, ErrorRenderer e, const ServerOptions& o)
      : handler(std::move(h)), errors(std::move(e)), options(o) {}

  Handler handler;
  ErrorRenderer errors;
  ServerOptions options;
  std::string bound;
  // Answers owed: requests handed to the handler and not yet answered on the wire, and
  // error answers being written. Declared before the io_context: sessions it destroys
  // settle their count.
  std::atomic<int> owed{0};
  std::atomic<bool> closing{false};  // set once, by the stop_accepting() that closes the acceptor
  std::shared_ptr<Lifeline> lifeline = std::make_shared<Lifeline>();
  // Destroyed by stop(), in reverse order: the acceptor, then every session.
  std::unique_ptr<net::io_context> ioc;
  std::optional<ssl::context> tls;
  std::optional<tcp::acceptor> acceptor;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  std::vector<std::thread> threads;
  bool stopped = false;

  void accept();

  // What Access-Control-Allow-Origin answers `r` with: its Origin if allowed ("*" if any
  // origin is), else "" (no CORS headers).
  std::string allowed_origin(const Request& r) const {
    if (options.cors_origins.empty()) return {};
    const auto origin = r.header("Origin");
    if (!origin) return {};
    for (const auto& o : options.cors_origins) {
      if (o == "*") return "*";
      if (o == *origin) return o;
    }
    return {};
  }

  // The daemon's rendering of the server's own errors; a plain-text fallback if the
  // renderer is missing or throws.
  Response render(TransportError e, std::string_view message) const {
    if (errors) {
      try {
        return errors(e, message);
      } catch (const std::exception&) {  // fall through to the plain answer
      }
    }
    Response res;
    res.status = default_status(e);
    res.content_type = "text/plain; charset=utf-8";
    res.body = std::string(message) + "\n";
    return res;
  }

  // `http10`: the request was HTTP/1.0, whose persistence is opt-in: a connection kept
  // open must say so (RFC 9112, appendix C.2.2), or the client waits for the close.
  BeastResponse to_beast(Response&& r, bool keep_alive, bool head, bool http10) const {
    BeastResponse res;
    res.version(11);
    res.result(r.status >= 100 && r.status <= 999 ? r.status : 500u);
    if (!options.server_name.empty() && safe_header("Server", options.server_name))
      res.set(bhttp::field::server, options.server_name);
    if (!r.content_type.empty() && safe_header("Content-Type", r.content_type))
      res.set(bhttp::field::content_type, r.content_type);
    // An extra header replaces a default one of the same name (Server, Content-Type);
    // repeated names are all sent. The framing is the server's: Content-Length,
    // Transfer-Encoding and Connection from the handler are dropped.
    std::vector<std::string_view> seen;
    for (const auto& [name, value] : r.headers) {
      if (!safe_header(name, value) || iequals(name, "Content-Length") ||
          iequals(name, "Transfer-Encoding") || iequals(name, "Connection"))
        continue;
      const bool repeated =
          std::any_of(seen.begin(), seen.end(), [&n = name](std::string_view s) { return iequals(s, n); });
      if (repeated) {
        res.insert(name, value);
      } else {
        res.set(name, value);
        seen.push_back(name);
      }
    }
    res.body() = std::move(r.body);
    res.keep_alive(keep_alive);
    if (keep_alive && http10) res.set(bhttp::field::connection, "keep-alive");
    res.prepare_payload();
    if (head) res.body().clear();  // Content-Length stays that of the GET answer
    return res;
  }
};

namespace {

template <class Derived>
class Session {
 public:
  Session(Server::Impl& srv, const net::any_io_executor& ex, std::string peer)
      : srv_(srv), read_timer_(ex), answer_wait_(ex), peer_(std::move(peer)) {}
  ~Session() { settle(); }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // The handler's answer (or nullopt: the handler never gave one), on the strand.
  // `close`: close the connection after it.
  void deliver(std::optional<Response> answer, bool close) {
    if (!awaiting_) return;
    awaiting_ = false;
    answer_wait_.cancel();
    if (close) keep_alive_ = false;
    if (!answer) {
      keep_alive_ = false;
      answer = srv_.render(TransportError::internal, "the request handler gave no answer");
    }
    send(std::move(*answer));
  }

  net::any_io_executor executor() { return read_timer_.get_executor(); }

 protected:
  Derived& derived() { return static_cast<Derived&>(*this); }

  void do_read() {
    parser_.emplace();
    parser_->body_limit(srv_.options.max_body_bytes);
    parser_->header_limit(kHeaderLimit);
    timed_out_ = false;
    reading_ = true;
    beast::get_lowest_layer(derived().stream()).expires_never();
    read_timer_.expires_after(std::chrono::milliseconds(srv_.options.read_timeout_ms));
    read_timer_.async_wait([self = derived().shared_from_this()](beast::error_code ec) {
      if (ec || !self->reading_) return;  // the read finished as the timer fired
      self->timed_out_ = true;
      beast::get_lowest_layer(self->derived().stream()).cancel();
    });
    bhttp::async_read_header(
        derived().stream(), buffer_, *parser_,
        [self = derived().shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
  }

 private:
  void on_header(beast::error_code ec) {
    if (ec) return on_read_error(ec);
    const auto& req = parser_->get();
    auto expect = req.find(bhttp::field::expect);
    if (expect != req.end() && iequals(expect->value(), "100-continue")) {
      continue_ = bhttp::response<bhttp::empty_body>{bhttp::status::continue_, 11};
      bhttp::async_write(derived().stream(), continue_,
                         [self = derived().shared_from_this()](beast::error_code wec, std::size_t) {
                           if (wec) return self->derived().do_close();
                           self->read_body();
                         });
      return;
    }
    read_body();
  }

  void read_body() {
    bhttp::async_read(derived().stream(), buffer_, *parser_,
                      [self = derived().shared_from_this()](beast::error_code ec, std::size_t) {
                        self->read_timer_.cancel();
                        self->reading_ = false;
                        if (ec) return self->on_read_error(ec);
                        self->handle();
                      });
  }

  void on_read_error(beast::error_code ec) {
    read_timer_.cancel();
    reading_ = false;
    const auto& o = srv_.options;
    if (timed_out_) {
      if (parser_->got_some() || buffer_.size() > 0)
        return send_error(TransportError::timeout,
                          "the request was not received within " + std::to_string(o.read_timeout_ms) + " ms");
      return derived().do_close();  // an idle keep-alive connection
    }
    if (ec == bhttp::error::end_of_stream || !is_http_error(ec)) return derived().do_close();
    if (ec == bhttp::error::body_limit)
      return send_error(TransportError::body_too_large,
                        "the body is over " + std::to_string(o.max_body_bytes) + " bytes");
    if (ec == bhttp::error::header_limit)
      return send_error(TransportError::headers_too_large,
                        "the request line and headers are over " + std::to_string(kHeaderLimit) + " bytes");
    send_error(TransportError::bad_request, "malformed HTTP request: " + ec.message());
  }

  // An answer before a complete request was read: the connection closes after it.
  void send_error(TransportError e, const std::string& message) {
    keep_alive_ = false;
    head_ = false;
    cors_origin_.clear();  // the request did not parse: nothing to say about its origin
    send(srv_.render(e, message));
  }

  void handle() {
    BeastRequest req = parser_->release();
    keep_alive_ = req.keep_alive() && !srv_.closing.load();
    head_ = req.method() == bhttp::verb::head;
    http10_ = req.version() == 10;
    Request request;
    request.method = std::string(req.method_string());
    request.target = std::string(req.target());
    for (const auto& field : req) request.headers.emplace_back(field.name_string(), field.value());
    request.body = std::move(req.body());
    request.peer = peer_;
    cors_origin_ = srv_.allowed_origin(request);
    const bool preflight = !cors_origin_.empty() && req.method() == bhttp::verb::options &&
                           request.header("Access-Control-Request-Method").has_value();

    owe();
    awaiting_ = true;
    // The pending wait keeps the session alive until its answer comes (or the server
    // stops); the Answer itself only points at it.
    answer_wait_.expires_at(net::steady_timer::time_point::max());
    answer_wait_.async_wait([self = derived().shared_from_this()](beast::error_code) {});

    auto answer = std::make_shared<Answer>(derived().weak_from_this(), srv_.lifeline);
    if (preflight) {
      Response res;
      res.status = 204;
      res.content_type.clear();
      res.headers = {{"Access-Control-Allow-Methods", "GET, HEAD, POST, OPTIONS"},
                     {"Access-Control-Allow-Headers", "Content-Type, Accept"},
                     {"Access-Control-Max-Age", "600"}};
      answer->give(std::move(res));
      return;
    }
    try {
      srv_.handler(std::move(request), [answer](Response r) { answer->give(std::move(r)); });
    } catch (const std::exception& e) {
      answer->give(
          srv_.render(TransportError::internal, "the request handler failed: " + std::string(e.what())),
          /*close=*/true);
    }
  }

  void send(Response res) {
    if (srv_.closing.load()) keep_alive_ = false;
    if (!cors_origin_.empty()) {
      res.headers.emplace_back("Access-Control-Allow-Origin", cors_origin_);
      res.headers.emplace_back("Access-Control-Expose-Headers", "Retry-After");
      res.headers.emplace_back("Vary", "Origin");
    }
    res_.emplace(srv_.to_beast(std::move(res), keep_alive_, head_, http10_));
    owe();
    beast::get_lowest_layer(derived().stream())
        .expires_after(std::chrono::milliseconds(srv_.options.write_timeout_ms));
    bhttp::async_write(derived().stream(), *res_,
                       [self = derived().shared_from_this()](beast::error_code ec, std::size_t) {
                         self->settle();
                         self->res_.reset();
                         if (ec || !self->keep_alive_) return self->derived().do_close();
                         self->do_read();
                       });
  }

  void owe() {
    if (owing_) return;
    owing_ = true;
    srv_.owed.fetch_add(1);
  }
  void settle() {
    if (!owing_) return;
    owing_ = false;
    srv_.owed.fetch_sub(1);
  }

  // What a Respond holds: the first answer goes to the session; dropped unanswered, it
  // sends nullopt (the session answers 500 and closes).
  class Answer {
   public:
    Answer(std::weak_ptr<Derived> session, std::shared_ptr<Lifeline> lifeline)
        : session_(std::move(session)), lifeline_(std::move(lifeline)) {}
    ~Answer() {
      if (!given_.exchange(true)) post(std::nullopt, true);
    }
    Answer(const Answer&) = delete;
    Answer& operator=(const Answer&) = delete;

    void give(Response r, bool close = false) {
      if (!given_.exchange(true)) post(std::move(r), close);
    }

   private:
    void post(std::optional<Response> r, bool close) {
      std::lock_guard lock(lifeline_->mutex);
      if (!lifeline_->alive) return;
      auto session = session_.lock();
      if (!session) return;
      auto ex = session->executor();
      net::post(ex, [s = std::move(session), r = std::move(r), close]() mutable {
        s->deliver(std::move(r), close);
      });
    }

    std::weak_ptr<Derived> session_;
    std::shared_ptr<Lifeline> lifeline_;
    std::atomic<bool> given_{false};
  };

 protected:
  Server::Impl& srv_;  // NOLINT(cppcoreguidelines-non-private-member-variables-in-classes)

 private:
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  net::steady_timer read_timer_;
  net::steady_timer answer_wait_;
  std::string peer_;
  bool reading_ = false;  // a request is being read (the read timer applies)
  bool timed_out_ = false;
  bool keep_alive_ = true;
  bool http10_ = false;  // of the request being answered
  bool head_ = false;
  std::string cors_origin_;  // of the request being answered: what Allow-Origin says, or none
  bool awaiting_ = false;    // the handler owes an answer
  bool owing_ = false;       // this session counts in srv_.owed
  std::optional<BeastResponse> res_;
  bhttp::response<bhttp::empty_body> continue_;
};

std::string endpoint_string(const tcp::endpoint& ep) {
  std::string host = ep.address().to_string();
  if (ep.address().is_v6()) host = "[" + host + "]";
  return host + ":" + std::to_string(ep.port());
}

std::string peer_of(const tcp::socket& socket) {
  beast::error_code ec;
  auto ep = socket.remote_endpoint(ec);
  return ec ? std::string("?") : endpoint_string(ep);
}

class PlainSession : public Session<PlainSession>, public std::enable_shared_from_this<PlainSession> {
 public:
  PlainSession(Server::Impl& srv, tcp::socket&& socket)
      : Session(srv, socket.get_executor(), peer_of(socket)), stream_(std::move(socket)) {}
  void run() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->do_read(); });
  }
  beast::tcp_stream& stream() { return stream_; }
  void do_close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.close();
  }

 private:
  beast::tcp_stream stream_;
};

class TlsSession : public Session<TlsSession>, public std::enable_shared_from_this<TlsSession> {
 public:
  TlsSession(Server::Impl& srv, tcp::socket&& socket, ssl::context& ctx)
      : Session(srv, socket.get_executor(), peer_of(socket)), stream_(std::move(socket), ctx) {}
  void run() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      beast::get_lowest_layer(self->stream_)
          .expires_after(std::chrono::milliseconds(self->srv_.options.read_timeout_ms));
      self->stream_.async_handshake(ssl::stream_base::server, [self](beast::error_code ec) {
        if (ec) return beast::get_lowest_layer(self->stream_).close();
        self->do_read();
      });
    });
  }
  beast::ssl_stream<beast::tcp_stream>& stream() { return stream_; }
  void do_close() {
    beast::get_lowest_layer(stream_).expires_after(kTlsShutdownTimeout);
    stream_.async_shutdown(
        [self = shared_from_this()](beast::error_code) { beast::get_lowest_layer(self->stream_).close(); });
  }

 private:
  beast::ssl_stream<beast::tcp_stream> stream_;
};

}  // namespace

void Server::Impl::accept() {
  acceptor->async_accept(net::make_strand(*ioc), [this](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (ec == net::error::operation_aborted || !acceptor->is_open()) return;
      // Out of descriptors and the like: keep accepting; the next one may succeed.
    } else {
      beast::error_code nd;
      socket.set_option(tcp::no_delay(true), nd);
      if (tls) {
        std::make_shared<TlsSession>(*this, std::move(socket), *tls)->run();
      } else {
        std::make_shared<PlainSession>(*this, std::move(socket))->run();
      }
    }
    accept();
  });
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() { stop(std::chrono::milliseconds(0)); }

Result<std::unique_ptr<Server>, std::string> Server::start(Handler handler, ErrorRenderer errors,
                                                           const ServerOptions& options) {
  if (!handler) return make_error(std::string("no request handler"));
  auto impl = std::make_unique<Impl>(std::move(handler), std::move(errors), options);
  const unsigned n = std::max(1u, options.io_threads);
  impl->ioc = std::make_unique<net::io_context>(static_cast<int>(n));
  if (!options.tls_cert.empty() || !options.tls_key.empty()) {
    if (options.tls_cert.empty() || options.tls_key.empty())
      return make_error(std::string("TLS needs both a certificate and a private key"));
    try {
      impl->tls.emplace(ssl::context::tls_server);
      impl->tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                             ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                             ssl::context::single_dh_use);
      impl->tls->use_certificate_chain_file(options.tls_cert);
      impl->tls->use_private_key_file(options.tls_key, ssl::context::pem);
    } catch (const std::exception& e) {
      return make_error("cannot load the TLS certificate or key: " + std::string(e.what()));
    }
  }
  beast::error_code ec;
  auto address = net::ip::make_address(options.address, ec);
  if (ec) return make_error("bad listen address " + options.address + ": " + ec.message());
  tcp::endpoint endpoint(address, options.port);
  // On a strand of its own: the accept handler and the close that stop_accepting() posts
  // touch the acceptor, and the I/O threads would otherwise run them at the same time.
  impl->acceptor.emplace(net::make_strand(*impl->ioc));
  impl->acceptor->open(endpoint.protocol(), ec);
  if (!ec) impl->acceptor->set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) impl->acceptor->bind(endpoint, ec);
  if (!ec) impl->acceptor->listen(net::socket_base::max_listen_connections, ec);
  if (ec)
    return make_error("cannot listen on " + options.address + ":" + std::to_string(options.port) + ": " +
                      ec.message());
  auto local = impl->acceptor->local_endpoint(ec);
  if (ec) return make_error("cannot read the bound address: " + ec.message());
  impl->bound = endpoint_string(local);
  impl->work.emplace(impl->ioc->get_executor());
  impl->accept();
  for (unsigned i = 0; i < n; ++i) impl->threads.emplace_back([ioc = impl->ioc.get()] { ioc->run(); });
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

std::string Server::bound_address() const { return impl_->bound; }

bool Server::tls() const { return impl_->tls.has_value(); }

void Server::stop_accepting() {
  if (impl_->closing.exchange(true) || impl_->stopped) return;  // the close is posted once
  net::post(impl_->acceptor->get_executor(), [i = impl_.get()] {
    beast::error_code ec;
    i->acceptor->close(ec);
  });
}

void Server::stop(std::chrono::milliseconds grace) {
  Impl& i = *impl_;
  if (i.stopped) return;
  stop_accepting();
  i.stopped = true;
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (i.owed.load() > 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  i.work.reset();
  i.ioc->stop();
  for (auto& t : i.threads) t.join();
  i.threads.clear();
  {
    std::lock_guard lock(i.lifeline->mutex);
    i.lifeline->alive = false;
  }
  // Closes the listening socket, then every connection (destroying the sessions their
  // pending operations kept alive).
  i.acceptor.reset();
  i.ioc.reset();
}

}  // namespace l2::http
