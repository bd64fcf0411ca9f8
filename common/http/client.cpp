// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// Blocking on the outside, asynchronous inside: every step (connect, TLS handshake,
// write, read) is an async operation on a private io_context, run to completion, so
// that beast::tcp_stream's deadline bounds it. One deadline per attempt: connect, write
// and read of one request share ClientOptions::timeout. Name resolution is a plain
// blocking getaddrinfo (bounded by the system resolver's own timeout, not ours).
#include "common/http/client.hpp"

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
#include <openssl/ssl.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#pragma GCC diagnostic pop

#include <algorithm>
#include <charconv>
#include <optional>

namespace l2::http {

namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

namespace {

constexpr std::uint32_t kResponseHeaderLimit = 64 * 1024;

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

bool host_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_';
}

bool path_char(char c) { return c > ' ' && c < 0x7f && c != '?' && c != '#'; }

bool is_ip_literal(const std::string& host) {
  beast::error_code ec;
  net::ip::make_address(host, ec);
  return !ec;
}

// SSL_set_tlsext_host_name is a macro with a C cast.
bool set_sni(SSL* ssl, const std::string& host) {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wold-style-cast"
  return SSL_set_tlsext_host_name(ssl, host.c_str()) == 1;
#pragma GCC diagnostic pop
}

// A failed attempt, and whether it may be retried on a fresh connection.
struct Failure {
  std::string message;
  bool retry = false;
};

}  // namespace

Result<Url, std::string> parse_url(std::string_view text) {
  auto fail = [&](std::string_view why) {
    return make_error("bad URL '" + std::string(text) + "': " + std::string(why));
  };
  const auto sep = text.find("://");
  if (sep == std::string_view::npos) return fail("expected http://HOST:PORT or https://HOST:PORT");
  Url url;
  const std::string scheme = lower(text.substr(0, sep));
  if (scheme == "https") {
    url.tls = true;
  } else if (scheme != "http") {
    return fail("the scheme must be http or https");
  }
  std::string_view rest = text.substr(sep + 3);
  const auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  if (authority.find('@') != std::string_view::npos) return fail("user info is not supported");
  if (rest.find_first_of("?#") != std::string_view::npos) return fail("a query or fragment is not allowed");

  std::string_view port;
  bool has_port = false;
  if (!authority.empty() && authority.front() == '[') {  // [IPv6]:port
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return fail("unterminated '[' in the host");
    url.host = std::string(authority.substr(1, close - 1));
    beast::error_code ec;
    (void)net::ip::make_address_v6(url.host, ec);
    if (ec) return fail("not an IPv6 address in '[...]'");
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return fail("expected ':PORT' after ']'");
      has_port = true;
      port = after.substr(1);
    }
  } else {
    const auto colon = authority.find(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      has_port = true;
      port = authority.substr(colon + 1);
    }
    if (!std::all_of(url.host.begin(), url.host.end(), host_char)) return fail("bad character in the host");
  }
  if (url.host.empty()) return fail("no host");

  if (has_port) {
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535)
      return fail("the port must be a number from 1 to 65535");
    url.port = std::to_string(value);
  } else {
    url.port = url.tls ? "443" : "80";
  }

  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  if (!std::all_of(path.begin(), path.end(), path_char)) return fail("bad character in the path");
  url.base_path = std::string(path);
  return url;
}

struct Client::Impl {
  Url url;
  ClientOptions options;
  std::string origin;       // "http://HOST:PORT", for messages
  std::string host_header;  // as the Host header wants it
  net::io_context ioc;
  std::optional<ssl::context> tls;
  // One of the two, while connected (the other stays empty).
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
  beast::flat_buffer buffer;

  [[nodiscard]] bool connected() const { return plain.has_value() || secure.has_value(); }

  beast::tcp_stream& lowest() { return plain ? *plain : beast::get_lowest_layer(*secure); }

  void disconnect() {
    beast::error_code ec;
    if (connected()) lowest().socket().close(ec);
    secure.reset();
    plain.reset();
    buffer.clear();
  }

  // Runs the io_context until the operation started by `start` completes; returns its
  // error code. The stream's deadline (set by the caller) bounds it.
  template <class Start>
  beast::error_code run(Start&& start) {
    beast::error_code result = net::error::would_block;
    std::forward<Start>(start)([&result](beast::error_code ec, auto&&...) { result = ec; });
    ioc.restart();
    ioc.run();
    return result;
  }

  std::string describe(const beast::error_code& ec, std::string_view step) const {
    if (ec == beast::error::timeout)
      return std::string(step) + " timed out after " + std::to_string(options.timeout.count()) + " ms";
    return std::string(step) + ": " + ec.message();
  }

  Result<std::monostate, std::string> connect(std::chrono::steady_clock::time_point deadline) {
    disconnect();
    tcp::resolver resolver(ioc);
    beast::error_code ec;
    auto endpoints = resolver.resolve(url.host, url.port, ec);
    if (ec) return make_error("cannot resolve " + url.host + ": " + ec.message());
    if (tls) {
      secure.emplace(ioc, *tls);
    } else {
      plain.emplace(ioc);
    }
    lowest().expires_at(deadline);
    ec = run([&](auto handler) { lowest().async_connect(endpoints, std::move(handler)); });
    if (ec) {
      disconnect();
      return make_error(describe(ec, "connect"));
    }
    lowest().socket().set_option(tcp::no_delay(true), ec);
    if (!secure) return std::monostate{};

    // SNI names a host, never an address (RFC 6066).
    if (!is_ip_literal(url.host) && !set_sni(secure->native_handle(), url.host)) {
      disconnect();
      return make_error(std::string("cannot set the TLS server name"));
    }
    if (!options.insecure) secure->set_verify_callback(ssl::host_name_verification(url.host));
    ec = run([&](auto handler) { secure->async_handshake(ssl::stream_base::client, std::move(handler)); });
    if (ec) {
      disconnect();
      return make_error(describe(ec, "TLS handshake"));
    }
    return std::monostate{};
  }

  using BeastRequest = bhttp::request<bhttp::string_body>;

  // One try on the current connection (or a new one). A reused connection that fails
  // before any byte of the answer arrived is worth one more try on a fresh one: the
  // server most likely closed it while idle, before reading this request.
  Result<Response, Failure> attempt(BeastRequest& req, bool head) {
    const auto deadline = std::chrono::steady_clock::now() + options.timeout;
    const bool reused = connected();
    if (!reused) {
      auto c = connect(deadline);
      if (!c) return make_error(Failure{c.error(), false});
    }
    lowest().expires_at(deadline);
    if (secure) return exchange(*secure, req, head, reused);
    return exchange(*plain, req, head, reused);
  }

  template <class Stream>
  Result<Response, Failure> exchange(Stream& stream, BeastRequest& req, bool head, bool reused) {
    auto ec = run([&](auto handler) { bhttp::async_write(stream, req, std::move(handler)); });
    if (ec) {
      disconnect();
      return make_error(Failure{describe(ec, "write"), reused && ec != beast::error::timeout});
    }
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(options.max_body_bytes);
    parser.header_limit(kResponseHeaderLimit);
    if (head) parser.skip(true);
    // The header first: Beast 1.74's eager parse (async_read) drops the body_limit error
    // for a Content-Length over the limit when body bytes follow the header in the buffer.
    ec = run([&](auto handler) { bhttp::async_read_header(stream, buffer, parser, std::move(handler)); });
    if (!ec && !parser.is_done())
      ec = run([&](auto handler) { bhttp::async_read(stream, buffer, parser, std::move(handler)); });
    if (ec) {
      const bool nothing_read = !parser.got_some() && buffer.size() == 0;
      disconnect();
      if (ec == bhttp::error::body_limit)
        return make_error(
            Failure{"the response body is over " + std::to_string(options.max_body_bytes) + " bytes", false});
      return make_error(Failure{describe(ec, "read"), reused && nothing_read && ec != beast::error::timeout});
    }
    auto res = parser.release();
    Response out;
    out.status = res.result_int();
    if (auto it = res.find(bhttp::field::content_type); it != res.end()) {
      out.content_type = std::string(it->value());
    } else {
      out.content_type.clear();
    }
    for (const auto& field : res) out.headers.emplace_back(field.name_string(), field.value());
    out.body = std::move(res.body());
    if (!res.keep_alive()) disconnect();
    return out;
  }
};

Client::Client(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Client::~Client() { impl_->disconnect(); }

Result<std::unique_ptr<Client>, std::string> Client::create(std::string_view url_text,
                                                            const ClientOptions& options) {
  auto url = parse_url(url_text);
  if (!url) return make_error(url.error());
  auto impl = std::make_unique<Impl>();
  impl->url = *url;
  impl->options = options;
  const std::string host = url->host.find(':') == std::string::npos ? url->host : "[" + url->host + "]";
  impl->origin = (url->tls ? "https://" : "http://") + host + ":" + url->port;
  const bool default_port = url->port == (url->tls ? "443" : "80");
  impl->host_header = default_port ? host : host + ":" + url->port;
  if (url->tls) {
    try {
      impl->tls.emplace(ssl::context::tls_client);
      impl->tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                             ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
      if (options.insecure) {
        impl->tls->set_verify_mode(ssl::verify_none);
      } else {
        impl->tls->set_verify_mode(ssl::verify_peer);
        if (options.ca_file.empty()) {
          impl->tls->set_default_verify_paths();
        } else {
          impl->tls->load_verify_file(options.ca_file);
        }
      }
    } catch (const std::exception& e) {
      return make_error("cannot set up TLS for " + impl->origin +
                        (options.ca_file.empty() ? std::string() : " (CA file " + options.ca_file + ")") +
                        ": " + e.what());
    }
  }
  return std::unique_ptr<Client>(new Client(std::move(impl)));
}

Result<Response, std::string> Client::request(std::string_view method, std::string_view target,
                                              std::string_view body, std::string_view content_type) {
  Impl& i = *impl_;
  std::string path = i.url.base_path;
  if (target.empty()) {
    if (path.empty()) path = "/";
  } else {
    if (target.front() != '/') path += '/';
    path += target;
  }
  const std::string where = std::string(method) + " " + i.origin + path;
  auto token_char = [](char c) {
    return c > ' ' && c < 0x7f && c != '(' && c != ')' && c != '/' && c != ':';
  };
  if (method.empty() || !std::all_of(method.begin(), method.end(), token_char))
    return make_error(where + ": bad method");
  if (!std::all_of(path.begin(), path.end(), [](char c) { return c > ' ' && c < 0x7f; }))
    return make_error(where + ": bad character in the target");

  Impl::BeastRequest req;
  req.method_string(method);
  req.target(path);
  req.version(11);
  req.set(bhttp::field::host, i.host_header);
  req.set(bhttp::field::user_agent, "l2stack");
  if (!content_type.empty()) req.set(bhttp::field::content_type, content_type);
  req.body() = std::string(body);
  req.prepare_payload();
  const bool head = method == "HEAD";

  auto r = i.attempt(req, head);
  if (!r && r.error().retry) r = i.attempt(req, head);
  if (!r) return make_error(where + ": " + r.error().message);
  return std::move(r).value();
}

}  // namespace l2::http
