// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
#include "bench/loadgen_http.hpp"

#include <poll.h>
#include <sys/socket.h>

#include <charconv>
#include <stdexcept>

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
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#pragma GCC diagnostic pop

namespace l2::bench {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

// Large enough for the receipts of any batch the server takes.
constexpr std::uint64_t kMaxResponseBody = 256ull << 20;

bool parse_url(std::string_view text, Url& out) {
  constexpr std::string_view kScheme = "http://";
  if (text.substr(0, kScheme.size()) != kScheme) return false;
  text.remove_prefix(kScheme.size());
  if (!text.empty() && text.back() == '/') text.remove_suffix(1);
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  const std::string_view port = text.substr(colon + 1);
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535) return false;
  out.host = std::string(text.substr(0, colon));
  out.port = static_cast<std::uint16_t>(value);
  return true;
}

struct HttpConnection::Impl {
  asio::io_context io;
  tcp::socket socket{io};
  boost::beast::flat_buffer buffer;
  std::string host;
  std::uint16_t port = 0;
  std::string host_header;

  void connect() {
    boost::system::error_code ignored;
    socket.close(ignored);
    buffer.clear();
    try {
      tcp::resolver resolver(io);
      asio::connect(socket, resolver.resolve(host, std::to_string(port)));
      socket.set_option(tcp::no_delay(true));
    } catch (const std::exception& e) {
      throw std::runtime_error("cannot connect to " + host_header + ": " + e.what());
    }
  }

  // True if the server has closed this idle connection (it may: http.read_timeout_ms
  // covers idle keep-alive time), seen without blocking.
  bool closed_by_peer() {
    pollfd p{socket.native_handle(), POLLIN | POLLRDHUP, 0};
    if (::poll(&p, 1, 0) <= 0) return false;
    if ((p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0) return true;
    char c = 0;
    return ::recv(socket.native_handle(), &c, 1, MSG_PEEK | MSG_DONTWAIT) == 0;
  }
};

HttpConnection::HttpConnection(const std::string& host, std::uint16_t port)
    : impl_(std::make_unique<Impl>()) {
  impl_->host = host;
  impl_->port = port;
  impl_->host_header = host + ":" + std::to_string(port);
  impl_->connect();
}

HttpConnection::~HttpConnection() {
  if (!impl_) return;
  boost::system::error_code ec;
  impl_->socket.shutdown(tcp::socket::shutdown_both, ec);
  impl_->socket.close(ec);
}
HttpConnection::HttpConnection(HttpConnection&&) noexcept = default;
HttpConnection& HttpConnection::operator=(HttpConnection&&) noexcept = default;

HttpResponse HttpConnection::send(const HttpRequest& request) {
  http::request<http::span_body<const char>> req;
  req.method(request.method == "POST" ? http::verb::post : http::verb::get);
  req.target(boost::beast::string_view(request.target.data(), request.target.size()));
  req.version(11);
  req.set(http::field::host, impl_->host_header);
  req.keep_alive(true);
  if (!request.accept.empty())
    req.set(http::field::accept, boost::beast::string_view(request.accept.data(), request.accept.size()));
  if (!request.body.empty()) {
    req.set(http::field::content_type,
            boost::beast::string_view(request.content_type.data(), request.content_type.size()));
    req.body() = boost::beast::span<const char>(request.body.data(), request.body.size());
  }
  req.prepare_payload();
  // A connection the server closed while it was idle is reopened before the request goes
  // out; a request that was sent is never sent again.
  if (impl_->closed_by_peer()) {
    impl_->connect();
    ++reconnects_;
  }
  try {
    http::write(impl_->socket, req);
    http::response_parser<http::string_body> parser;
    parser.body_limit(kMaxResponseBody);
    http::read(impl_->socket, impl_->buffer, parser);
    auto& res = parser.get();
    HttpResponse out;
    out.status = res.result_int();
    out.content_type = std::string(res[http::field::content_type]);
    out.body = std::move(res.body());
    return out;
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string(request.method) + " " + std::string(request.target) + ": " +
                             e.what());
  }
}

}  // namespace l2::bench
