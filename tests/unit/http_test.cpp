// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// l2::http end to end: a real Server and Client on loopback (plain and TLS, with a
// certificate made here through OpenSSL's C API), and raw sockets where a well-behaved
// client cannot produce the case (a stalled or malformed request).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <future>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/http/client.hpp"
#include "common/http/server.hpp"
#include "tests/unit/temp_dir.hpp"

namespace l2::http {
namespace {

using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

// ---- helpers ----

using l2::test::TempDir;

// A self-signed certificate for localhost and 127.0.0.1 (what `openssl req -x509` makes),
// written as PEM files.
struct TestCert {
  std::string cert;
  std::string key;
};

bool add_ext(X509* x, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, x, x, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (ext == nullptr) return false;
  const bool ok = X509_add_ext(x, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

bool write_pem(const std::string& path, EVP_PKEY* key, X509* cert) {
  FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) return false;
  const bool ok = key != nullptr ? PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr) == 1
                                 : PEM_write_X509(f, cert) == 1;
  return std::fclose(f) == 0 && ok;
}

TestCert make_cert(const TempDir& dir, const char* names = "DNS:localhost,IP:127.0.0.1",
                   const std::string& prefix = "") {
  TestCert out{dir.file(prefix + "cert.pem"), dir.file(prefix + "key.pem")};
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  X509* x = X509_new();
  bool ok = key != nullptr && x != nullptr;
  ok = ok && X509_set_version(x, 2) == 1 && ASN1_INTEGER_set(X509_get_serialNumber(x), 1) == 1;
  ok = ok && X509_gmtime_adj(X509_getm_notBefore(x), -3600) != nullptr &&
       X509_gmtime_adj(X509_getm_notAfter(x), 24L * 3600) != nullptr;
  ok = ok && X509_set_pubkey(x, key) == 1;
  if (ok) {
    X509_NAME* name = X509_get_subject_name(x);
    ok = X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                    reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0) == 1 &&
         X509_set_issuer_name(x, name) == 1;
  }
  ok = ok && add_ext(x, NID_basic_constraints, "critical,CA:TRUE") &&
       add_ext(x, NID_subject_key_identifier, "hash") && add_ext(x, NID_subject_alt_name, names);
  ok = ok && X509_sign(x, key, EVP_sha256()) > 0;
  ok = ok && write_pem(out.cert, nullptr, x) && write_pem(out.key, key, nullptr);
  X509_free(x);
  EVP_PKEY_free(key);
  EXPECT_TRUE(ok) << "could not make a test certificate";
  return out;
}

std::uint16_t port_of(const std::string& bound) {
  return static_cast<std::uint16_t>(std::stoul(bound.substr(bound.rfind(':') + 1)));
}

// Sends `bytes` on a fresh loopback connection and returns everything received until
// the server closes it (or `limit` passes).
std::string raw_exchange(std::uint16_t port, std::string_view bytes, std::chrono::milliseconds limit) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return "socket failed";
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string got;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size())) {
    timeval tv{};
    tv.tv_usec = 100'000;
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    const auto deadline = SteadyClock::now() + limit;
    char buf[4096];
    while (SteadyClock::now() < deadline) {
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n == 0) break;
      if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) continue;
        break;
      }
      got.append(buf, static_cast<std::size_t>(n));
    }
  }
  ::close(fd);
  return got;
}

std::string_view error_name(TransportError e) {
  switch (e) {
    case TransportError::body_too_large:
      return "body_too_large";
    case TransportError::bad_request:
      return "bad_request";
    case TransportError::headers_too_large:
      return "headers_too_large";
    case TransportError::timeout:
      return "timeout";
    case TransportError::internal:
      return "internal";
  }
  return "?";
}

// One-shot latch for "the handler has been called".
class Latch {
 public:
  void open() {
    std::lock_guard lock(mutex_);
    open_ = true;
    cv_.notify_all();
  }
  bool wait(std::chrono::milliseconds limit) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, limit, [&] { return open_; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool open_ = false;
};

// ---- fixture ----

class HttpTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (server_) server_->stop(0ms);
    for (auto& t : threads_) t.join();
  }

  // Starts a server on an ephemeral loopback port whose own errors render as
  // {"error": NAME, "message": ...} with their usual status.
  void start(Handler handler, ServerOptions options = {}) {
    options.address = "127.0.0.1";
    options.port = 0;
    options.server_name = "l2test";
    auto errors = [this](TransportError e, std::string_view message) {
      {
        std::lock_guard lock(mutex_);
        rendered_.push_back(e);
      }
      Response res;
      res.status = e == TransportError::body_too_large      ? 413
                   : e == TransportError::headers_too_large ? 431
                   : e == TransportError::timeout           ? 408
                   : e == TransportError::internal          ? 500
                                                            : 400;
      res.body =
          "{\"error\":\"" + std::string(error_name(e)) + "\",\"message\":\"" + std::string(message) + "\"}";
      return res;
    };
    auto s = Server::start(std::move(handler), errors, options);
    ASSERT_TRUE(s) << s.error();
    server_ = std::move(*s);
    url_ = (server_->tls() ? "https://" : "http://") + server_->bound_address();
  }

  std::unique_ptr<Client> client(const ClientOptions& options = {}, const std::string& url = {}) {
    auto c = Client::create(url.empty() ? url_ : url, options);
    EXPECT_TRUE(c) << c.error();
    return c ? std::move(*c) : nullptr;
  }

  std::vector<TransportError> rendered() {
    std::lock_guard lock(mutex_);
    return rendered_;
  }

  // An echo of what the server received.
  static Handler echo() {
    return [](const Request& req, const Respond& respond) {
      Response res;
      res.content_type = "text/plain";
      res.body = req.method + " " + req.target + " " + req.body;
      res.headers.emplace_back("X-Peer", req.peer);
      if (auto v = req.header("x-test")) res.headers.emplace_back("X-Echo", std::string(*v));
      if (auto v = req.header("Content-Type")) res.headers.emplace_back("X-Echo-Type", std::string(*v));
      respond(std::move(res));
    };
  }

  std::unique_ptr<Server> server_;
  std::string url_;
  std::vector<std::thread> threads_;  // joined in TearDown, after the server stops
  std::mutex mutex_;
  std::vector<TransportError> rendered_;  // GUARDED_BY(mutex_)
};

// ---- parse_url ----

TEST(HttpParseUrl, AcceptsHttpAndHttpsWithPortAndBase) {
  auto u = parse_url("http://127.0.0.1:8645");
  ASSERT_TRUE(u) << u.error();
  EXPECT_FALSE(u->tls);
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, "8645");
  EXPECT_EQ(u->base_path, "");

  u = parse_url("https://node.example:443/rpc/v1/");
  ASSERT_TRUE(u) << u.error();
  EXPECT_TRUE(u->tls);
  EXPECT_EQ(u->host, "node.example");
  EXPECT_EQ(u->port, "443");
  EXPECT_EQ(u->base_path, "/rpc/v1");

  u = parse_url("HTTPS://[::1]:9000/");
  ASSERT_TRUE(u) << u.error();
  EXPECT_TRUE(u->tls);
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->port, "9000");
  EXPECT_EQ(u->base_path, "");

  u = parse_url("http://localhost");  // the scheme's port
  ASSERT_TRUE(u) << u.error();
  EXPECT_EQ(u->port, "80");
  u = parse_url("https://localhost/x");
  ASSERT_TRUE(u) << u.error();
  EXPECT_EQ(u->port, "443");
  EXPECT_EQ(u->base_path, "/x");
}

TEST(HttpParseUrl, RejectsMalformed) {
  for (const char* bad :
       {"", "127.0.0.1:8645", "ftp://host:21", "http://", "http://:80", "http://host:", "http://host:0",
        "http://host:65536", "http://host:12ab", "http://host:-1", "http://user@host:80",
        "http://host:80/a?b=c", "http://host:80/#frag", "http://ho st:80", "http://[::1:80",
        "http://[nonsense]:80", "http://::1:80", "http://host:80/a b"}) {
    auto u = parse_url(bad);
    EXPECT_FALSE(u) << "accepted '" << bad << "'";
    if (!u) {
      EXPECT_NE(u.error().find("bad URL"), std::string::npos) << u.error();
    }
  }
}

// ---- plain HTTP ----

TEST_F(HttpTest, GetAndPostRoundTripWithHeaders) {
  start(echo());
  auto c = client();
  ASSERT_TRUE(c);

  auto r = c->get("/status?x=1");
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->status, 200u);
  EXPECT_EQ(r->content_type, "text/plain");
  EXPECT_EQ(r->body, "GET /status?x=1 ");
  EXPECT_EQ(r->header("server"), "l2test");
  EXPECT_FALSE(r->header("X-Echo-Type")) << "a GET without a body sends no Content-Type";

  r = c->post("/submit", R"({"a":1})");
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->status, 200u);
  EXPECT_EQ(r->body, R"(POST /submit {"a":1})");
  EXPECT_EQ(r->header("x-echo-type"), "application/json");

  r = c->request("PUT", "/bin", std::string_view("\x00\x01\x02", 3), "application/octet-stream");
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->body, std::string("PUT /bin \x00\x01\x02", 12));
  EXPECT_EQ(r->header("X-Echo-Type"), "application/octet-stream");
}

TEST_F(HttpTest, ResponseStatusContentTypeAndExtraHeadersAreSent) {
  start([](const Request& req, const Respond& respond) {
    Response res;
    res.status = 503;
    res.content_type = "application/x-test";
    res.body = "busy";
    res.headers.emplace_back("Retry-After", "7");
    res.headers.emplace_back("Set-Cookie", "a=1");
    res.headers.emplace_back("Set-Cookie", "b=2");
    res.headers.emplace_back("X-Bad", "evil\r\nInjected: yes");  // never sent
    res.headers.emplace_back("Content-Length", "1");             // the server's own
    res.headers.emplace_back("Server", "custom");                // replaces the default
    res.headers.emplace_back("X-Request-Header", std::string(req.header("X-TEST").value_or("none")));
    respond(std::move(res));
  });
  auto c = client();
  ASSERT_TRUE(c);
  auto r = c->get("/");
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->status, 503u);
  EXPECT_EQ(r->content_type, "application/x-test");
  EXPECT_EQ(r->body, "busy");
  EXPECT_EQ(r->header("retry-after"), "7");
  int cookies = 0;
  for (const auto& [name, value] : r->headers) cookies += name == "Set-Cookie" ? 1 : 0;
  EXPECT_EQ(cookies, 2);
  EXPECT_FALSE(r->header("X-Bad"));
  EXPECT_FALSE(r->header("Injected"));
  EXPECT_EQ(r->header("X-Request-Header"), "none");
  EXPECT_EQ(r->header("Content-Length"), "4");
  EXPECT_EQ(r->header("Server"), "custom");
  EXPECT_TRUE(c->get("/"));  // the connection is still in step
}

TEST_F(HttpTest, KeepAliveReusesOneConnection) {
  std::mutex m;
  std::set<std::string> peers;
  int calls = 0;
  start([&](const Request& req, const Respond& respond) {
    {
      std::lock_guard lock(m);
      peers.insert(req.peer);
      ++calls;
    }
    Response res;
    res.body = req.target;
    respond(std::move(res));
  });
  auto c = client();
  ASSERT_TRUE(c);
  for (int i = 0; i < 10; ++i) {
    auto r = c->get("/n/" + std::to_string(i));
    ASSERT_TRUE(r) << r.error();
    EXPECT_EQ(r->body, "/n/" + std::to_string(i));
  }
  std::lock_guard lock(m);
  EXPECT_EQ(calls, 10);
  EXPECT_EQ(peers.size(), 1u) << "the client opened a new connection per request";
  EXPECT_EQ(peers.begin()->rfind("127.0.0.1:", 0), 0u) << *peers.begin();
}

TEST_F(HttpTest, BasePathPrefixesTargets) {
  start(echo());
  auto c = client({}, url_ + "/api/v2/");
  ASSERT_TRUE(c);
  auto r = c->get("/x");
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->body, "GET /api/v2/x ");
}

TEST_F(HttpTest, HandlerRespondsLaterFromAnotherThread) {
  std::mutex m;
  std::vector<std::thread> later;
  start([&](Request req, Respond respond) {
    std::lock_guard lock(m);
    later.emplace_back([req = std::move(req), respond = std::move(respond)] {
      std::this_thread::sleep_for(50ms);
      Response res;
      res.status = 201;
      res.body = "later:" + req.body;
      respond(std::move(res));
    });
  });
  auto c = client();
  ASSERT_TRUE(c);
  for (int i = 0; i < 3; ++i) {  // and the connection stays usable after each
    const auto t0 = SteadyClock::now();
    auto r = c->post("/slow", std::to_string(i));
    ASSERT_TRUE(r) << r.error();
    EXPECT_EQ(r->status, 201u);
    EXPECT_EQ(r->body, "later:" + std::to_string(i));
    EXPECT_GE(SteadyClock::now() - t0, 45ms);
  }
  std::lock_guard lock(m);
  for (auto& t : later) t.join();
}

TEST_F(HttpTest, SecondRespondIsIgnored) {
  start([](const Request& req, const Respond& respond) {
    Response first;
    first.body = "first:" + req.target;
    Response second;
    second.body = "second";
    respond(std::move(first));
    respond(std::move(second));
  });
  auto c = client();
  ASSERT_TRUE(c);
  for (const char* target : {"/a", "/b"}) {
    auto r = c->get(target);
    ASSERT_TRUE(r) << r.error();
    EXPECT_EQ(r->body, "first:" + std::string(target));
  }
}

TEST_F(HttpTest, DroppedRespondAnswers500AndCloses) {
  start([](const Request& req, const Respond& respond) {
    if (req.target == "/ok") {
      respond(Response{});
      return;
    }
    if (req.target == "/throw") throw std::runtime_error("boom");
    // "/drop": returns without answering; the last copy of `respond` dies here.
  });
  auto c = client();
  ASSERT_TRUE(c);
  auto r = c->get("/drop");
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->status, 500u);
  EXPECT_NE(r->body.find("\"internal\""), std::string::npos) << r->body;
  EXPECT_EQ(r->header("Connection"), "close");
  r = c->get("/throw");
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->status, 500u);
  EXPECT_NE(r->body.find("boom"), std::string::npos) << r->body;
  r = c->get("/ok");  // on a new connection
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->status, 200u);
  EXPECT_EQ(rendered(), (std::vector<TransportError>{TransportError::internal, TransportError::internal}));
}

TEST_F(HttpTest, HeadGetsHeadersWithoutBody) {
  start([](const Request& req, const Respond& respond) {
    Response res;
    res.content_type = "text/plain";
    res.body = req.method == "HEAD" ? "hello" : "hello, get";
    respond(std::move(res));
  });
  auto c = client();
  ASSERT_TRUE(c);
  auto r = c->request("HEAD", "/", {}, {});
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->status, 200u);
  EXPECT_EQ(r->body, "");
  EXPECT_EQ(r->header("Content-Length"), "5");
  r = c->get("/");  // the connection is still in step
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->body, "hello, get");
}

// ---- limits and timeouts ----

TEST_F(HttpTest, BodyOverTheLimitIs413FromTheRenderer) {
  std::atomic<int> calls{0};
  ServerOptions o;
  o.max_body_bytes = 1000;
  start(
      [&](const Request& req, const Respond& respond) {
        ++calls;
        Response res;
        res.body = std::to_string(req.body.size());
        respond(std::move(res));
      },
      o);
  auto c = client();
  ASSERT_TRUE(c);
  auto r = c->post("/big", std::string(1001, 'x'));
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->status, 413u);
  EXPECT_NE(r->body.find("\"error\":\"body_too_large\""), std::string::npos) << r->body;
  EXPECT_NE(r->body.find("1000 bytes"), std::string::npos) << r->body;
  EXPECT_EQ(rendered(), std::vector<TransportError>{TransportError::body_too_large});

  // A chunked body has no Content-Length to check up front: refused as it arrives.
  const std::string chunked =
      "POST /chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
      "258\r\n" +
      std::string(600, 'a') + "\r\n258\r\n" + std::string(600, 'b') + "\r\n0\r\n\r\n";
  const std::string got = raw_exchange(port_of(server_->bound_address()), chunked, 5s);
  EXPECT_EQ(got.rfind("HTTP/1.1 413", 0), 0u) << got;
  EXPECT_EQ(calls.load(), 0) << "the handler saw a request over the limit";

  r = c->post("/fits", std::string(1000, 'x'));  // exactly the limit; the client reconnects
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->status, 200u);
  EXPECT_EQ(r->body, "1000");
  EXPECT_EQ(calls.load(), 1);
}

TEST_F(HttpTest, ClientResponseBodyLimit) {
  start([](const Request&, const Respond& respond) {
    Response res;
    res.body = std::string(5000, 'y');
    respond(std::move(res));
  });
  ClientOptions o;
  o.max_body_bytes = 4096;
  auto c = client(o);
  ASSERT_TRUE(c);
  auto r = c->get("/large");
  ASSERT_FALSE(r) << "a " << r->body.size() << "-byte body passed a 4096-byte limit";
  EXPECT_NE(r.error().find("over 4096 bytes"), std::string::npos) << r.error();
  EXPECT_NE(r.error().find(url_ + "/large"), std::string::npos) << r.error();
}

TEST_F(HttpTest, MalformedRequestIs400FromTheRenderer) {
  start(echo());
  const std::string got = raw_exchange(port_of(server_->bound_address()), "NOT AN HTTP REQUEST\r\n\r\n", 5s);
  EXPECT_EQ(got.rfind("HTTP/1.1 400", 0), 0u) << got;
  EXPECT_NE(got.find("\"error\":\"bad_request\""), std::string::npos) << got;
  EXPECT_EQ(rendered(), std::vector<TransportError>{TransportError::bad_request});
}

TEST_F(HttpTest, OversizedHeadersAre431FromTheRenderer) {
  start(echo());
  const std::string request = "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20000, 'x') + "\r\n\r\n";
  const std::string got = raw_exchange(port_of(server_->bound_address()), request, 5s);
  EXPECT_EQ(got.rfind("HTTP/1.1 431", 0), 0u) << got.substr(0, 200);
  EXPECT_EQ(rendered(), std::vector<TransportError>{TransportError::headers_too_large});
}

TEST_F(HttpTest, Http10KeepAliveIsAnsweredWithKeepAlive) {
  start(echo());
  const std::string got = raw_exchange(port_of(server_->bound_address()),
                                       "GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", 1s);
  EXPECT_EQ(got.rfind("HTTP/1.1 200", 0), 0u) << got;
  EXPECT_NE(got.find("Connection: keep-alive\r\n"), std::string::npos) << got;
  // Without the token, HTTP/1.0 is not persistent: the answer says close.
  const std::string plain = raw_exchange(port_of(server_->bound_address()), "GET /a HTTP/1.0\r\n\r\n", 5s);
  EXPECT_EQ(plain.rfind("HTTP/1.1 200", 0), 0u) << plain;
  EXPECT_EQ(plain.find("keep-alive"), std::string::npos) << plain;
}

TEST_F(HttpTest, StalledRequestIs408AndIdleConnectionJustCloses) {
  ServerOptions o;
  o.read_timeout_ms = 200;
  start(echo(), o);
  const auto port = port_of(server_->bound_address());
  auto t0 = SteadyClock::now();
  std::string got = raw_exchange(port, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc", 5s);
  EXPECT_GE(SteadyClock::now() - t0, 150ms);
  EXPECT_EQ(got.rfind("HTTP/1.1 408", 0), 0u) << got;
  EXPECT_NE(got.find("\"error\":\"timeout\""), std::string::npos) << got;

  t0 = SteadyClock::now();
  got = raw_exchange(port, "", 5s);  // connects and says nothing
  EXPECT_EQ(got, "");
  EXPECT_LT(SteadyClock::now() - t0, 4s) << "the idle connection was never closed";
  EXPECT_EQ(rendered(), std::vector<TransportError>{TransportError::timeout});
}

TEST_F(HttpTest, ClientTimesOutThenServerStopStillFinishes) {
  std::mutex m;
  std::vector<Respond> held;
  Latch called;
  start([&](const Request&, Respond respond) {
    std::lock_guard lock(m);
    held.push_back(std::move(respond));
    called.open();
  });
  ClientOptions o;
  o.timeout = 200ms;
  auto c = client(o);
  ASSERT_TRUE(c);
  const auto t0 = SteadyClock::now();
  auto r = c->get("/never");
  const auto took = SteadyClock::now() - t0;
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("timed out after 200 ms"), std::string::npos) << r.error();
  EXPECT_NE(r.error().find("GET " + url_ + "/never"), std::string::npos) << r.error();
  EXPECT_GE(took, 190ms);
  EXPECT_LT(took, 3s);
  EXPECT_TRUE(called.wait(1s));

  const auto s0 = SteadyClock::now();
  server_->stop(300ms);  // an answer is still owed: waits out the grace, then closes
  const auto stopping = SteadyClock::now() - s0;
  EXPECT_GE(stopping, 290ms);
  EXPECT_LT(stopping, 3s);
  server_.reset();
  // Answering (and dropping) a Respond after the server is gone is harmless.
  std::lock_guard lock(m);
  ASSERT_EQ(held.size(), 1u);
  held[0](Response{});
  held.clear();
}

TEST_F(HttpTest, ClientReconnectsWhenServerClosedTheIdleConnection) {
  std::mutex m;
  std::vector<std::string> peers;
  ServerOptions o;
  o.read_timeout_ms = 150;  // idle keep-alive connections close after this
  start(
      [&](const Request& req, const Respond& respond) {
        {
          std::lock_guard lock(m);
          peers.push_back(req.peer);
        }
        Response res;
        res.body = req.body;
        respond(std::move(res));
      },
      o);
  auto c = client();
  ASSERT_TRUE(c);
  auto r = c->post("/a", "one");
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->body, "one");
  std::this_thread::sleep_for(500ms);  // the server closes the connection meanwhile
  r = c->post("/a", "two");
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->body, "two");
  r = c->post("/a", "three");  // and reuses the new one
  ASSERT_TRUE(r) << r.error();
  std::lock_guard lock(m);
  ASSERT_EQ(peers.size(), 3u) << "each request reached the handler exactly once";
  EXPECT_NE(peers[0], peers[1]);
  EXPECT_EQ(peers[1], peers[2]);
}

TEST_F(HttpTest, ConnectFailureNamesTheUrl) {
  start(echo());
  const std::string url = url_;
  server_->stop(0ms);
  server_.reset();
  auto c = client({}, url);
  ASSERT_TRUE(c);
  auto r = c->get("/x");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("GET " + url + "/x"), std::string::npos) << r.error();
  EXPECT_NE(r.error().find("connect"), std::string::npos) << r.error();
}

// ---- graceful stop ----

TEST_F(HttpTest, StopWaitsWithinGraceForAnOwedAnswer) {
  Latch called;
  start([&](const Request&, Respond respond) {
    threads_.emplace_back([respond = std::move(respond)] {
      std::this_thread::sleep_for(300ms);
      Response res;
      res.body = "done";
      respond(std::move(res));
    });
    called.open();
  });
  auto pending = std::async(std::launch::async, [url = url_] {
    auto c = Client::create(url, {});
    if (!c) return std::string("create: ") + c.error();
    auto r = (*c)->get("/wait");
    return r ? std::to_string(r->status) + " " + r->body + " " +
                   std::string(r->header("Connection").value_or(""))
             : r.error();
  });
  ASSERT_TRUE(called.wait(5s));
  server_->stop_accepting();
  const auto t0 = SteadyClock::now();
  server_->stop(5s);
  const auto took = SteadyClock::now() - t0;
  EXPECT_EQ(pending.get(), "200 done close");
  EXPECT_GE(took, 200ms);
  EXPECT_LT(took, 4s) << "stop waited out the whole grace although the answer was written";
  // No new connections once stopped.
  auto c = client();
  ASSERT_TRUE(c);
  EXPECT_FALSE(c->get("/after"));
}

TEST_F(HttpTest, StopAcceptingRefusesNewConnections) {
  start(echo());
  auto c = client();
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->get("/before"));
  server_->stop_accepting();
  std::this_thread::sleep_for(50ms);
  auto fresh = client();
  ASSERT_TRUE(fresh);
  EXPECT_FALSE(fresh->get("/new"));
  auto r = c->get("/kept");  // the open connection still gets its answer
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->status, 200u);
  EXPECT_EQ(r->header("Connection"), "close");
}

TEST(HttpServer, StartErrors) {
  Handler h = [](const Request&, const Respond& respond) { respond(Response{}); };
  ServerOptions o;
  o.address = "not an address";
  auto s = Server::start(h, nullptr, o);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().find("bad listen address"), std::string::npos) << s.error();

  o = {};
  auto first = Server::start(h, nullptr, o);
  ASSERT_TRUE(first) << first.error();
  o.port = port_of((*first)->bound_address());
  s = Server::start(h, nullptr, o);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().find("cannot listen"), std::string::npos) << s.error();

  o = {};
  o.tls_cert = "/nonexistent/cert.pem";
  s = Server::start(h, nullptr, o);
  ASSERT_FALSE(s);
  o.tls_key = "/nonexistent/key.pem";
  s = Server::start(h, nullptr, o);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().find("TLS"), std::string::npos) << s.error();
}

// ---- TLS ----

class HttpsTest : public HttpTest {
 protected:
  void SetUp() override {
    cert_ = make_cert(dir_);
    ServerOptions o;
    o.tls_cert = cert_.cert;
    o.tls_key = cert_.key;
    start(echo(), o);
  }
  TempDir dir_;
  TestCert cert_;
};

TEST_F(HttpsTest, RoundTripWithoutVerification) {
  ASSERT_TRUE(server_->tls());
  ASSERT_EQ(url_.rfind("https://", 0), 0u);
  ClientOptions o;
  o.insecure = true;
  auto c = client(o);
  ASSERT_TRUE(c);
  for (int i = 0; i < 3; ++i) {
    auto r = c->post("/tls", "body" + std::to_string(i));
    ASSERT_TRUE(r) << r.error();
    EXPECT_EQ(r->status, 200u);
    EXPECT_EQ(r->body, "POST /tls body" + std::to_string(i));
  }
}

TEST_F(HttpsTest, RoundTripVerifiedAgainstTheCertificate) {
  ClientOptions o;
  o.ca_file = cert_.cert;
  auto c = client(o);  // https://127.0.0.1:PORT: the certificate names the address
  ASSERT_TRUE(c);
  auto r = c->get("/verified");
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->body, "GET /verified ");

  auto by_name = client(o, "https://localhost:" + std::to_string(port_of(server_->bound_address())));
  ASSERT_TRUE(by_name);
  r = by_name->get("/by-name");  // with SNI, and the name checked against the certificate
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->body, "GET /by-name ");
}

TEST_F(HttpsTest, VerificationAgainstTheSystemStoreFails) {
  auto c = client();
  ASSERT_TRUE(c);
  auto r = c->get("/x");
  ASSERT_FALSE(r) << "a self-signed certificate passed verification";
  EXPECT_NE(r.error().find("GET " + url_ + "/x"), std::string::npos) << r.error();
  EXPECT_NE(r.error().find("TLS handshake"), std::string::npos) << r.error();
}

TEST_F(HttpsTest, CertificateForAnotherNameFailsVerification) {
  // A certificate the client trusts, but for another name than the one it dials.
  const TestCert other = make_cert(dir_, "DNS:elsewhere.example", "other-");
  server_->stop(0ms);
  ServerOptions o;
  o.tls_cert = other.cert;
  o.tls_key = other.key;
  start(echo(), o);
  ClientOptions co;
  co.ca_file = other.cert;
  auto c = client(co);
  ASSERT_TRUE(c);
  auto r = c->get("/x");
  ASSERT_FALSE(r) << "a certificate for elsewhere.example passed for 127.0.0.1";
  EXPECT_NE(r.error().find("TLS handshake"), std::string::npos) << r.error();
  co.insecure = true;  // the same server, unverified
  auto unverified = client(co);
  ASSERT_TRUE(unverified);
  EXPECT_TRUE(unverified->get("/x"));
}

TEST_F(HttpsTest, PlainHttpToTheTlsPortGetsNoAnswer) {
  ClientOptions o;
  o.timeout = 2000ms;
  auto c = client(o, "http://" + server_->bound_address());
  ASSERT_TRUE(c);
  EXPECT_FALSE(c->get("/plain"));
  ClientOptions secure;
  secure.insecure = true;
  auto ok = client(secure);  // the server still serves TLS clients
  ASSERT_TRUE(ok);
  auto r = ok->get("/after");
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->status, 200u);
}

TEST_F(HttpsTest, ReconnectsAfterIdleCloseOverTls) {
  server_->stop(0ms);
  ServerOptions o;
  o.tls_cert = cert_.cert;
  o.tls_key = cert_.key;
  o.read_timeout_ms = 150;
  start(echo(), o);
  ClientOptions co;
  co.ca_file = cert_.cert;
  auto c = client(co);
  ASSERT_TRUE(c);
  auto r = c->get("/1");
  ASSERT_TRUE(r) << r.error();
  std::this_thread::sleep_for(500ms);
  r = c->get("/2");
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->body, "GET /2 ");
}

TEST(HttpClient, BadCaFileIsAnError) {
  ClientOptions o;
  o.ca_file = "/nonexistent/ca.pem";
  auto c = Client::create("https://127.0.0.1:1", o);
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().find("/nonexistent/ca.pem"), std::string::npos) << c.error();
}

}  // namespace
}  // namespace l2::http
