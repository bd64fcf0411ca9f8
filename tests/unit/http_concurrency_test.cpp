// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// The HTTP server's threads at a stop (labelled concurrency: the tsan preset runs it).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "common/http/client.hpp"
#include "common/http/server.hpp"

namespace l2::http {
namespace {

using namespace std::chrono_literals;

// A CI run of basechaind died in a stop with UBSan's report of an I/O thread inside a
// handler posted to the io_context: stop_accepting(), called once by the daemon and
// again by stop(), posted two closes of the acceptor, which two I/O threads ran at the
// same time as each other and as the accept handler. The acceptor now has a strand of
// its own and its close is posted once; ThreadSanitizer reports the old race here.
TEST(HttpServerStop, StopAcceptingTwiceWhileClientsConnectOnManyThreads) {
  for (int round = 0; round < 20; ++round) {
    ServerOptions options;
    options.address = "127.0.0.1";
    options.port = 0;
    options.io_threads = 4;
    auto started = Server::start(
        [](const Request&, const Respond& respond) {
          Response res;
          res.body = "ok";
          respond(std::move(res));
        },
        nullptr, options);
    ASSERT_TRUE(started) << started.error();
    auto& server = **started;
    const std::string url = "http://" + server.bound_address();

    std::atomic<bool> done{false};
    std::atomic<int> answered{0};
    std::atomic<int> wrong{0};
    constexpr int kClients = 3;
    std::vector<std::thread> clients;
    clients.reserve(kClients);
    for (int c = 0; c < kClients; ++c) {
      clients.emplace_back([&] {
        while (!done.load()) {
          auto client = Client::create(url, {});  // a new connection for each request
          if (!client) continue;
          auto r = (*client)->get("/");
          if (!r) continue;  // refused once the acceptor closed
          if (r->status == 200 && r->body == "ok") {
            answered.fetch_add(1);
          } else {
            wrong.fetch_add(1);
          }
        }
      });
    }
    while (answered.load() < 3) std::this_thread::sleep_for(1ms);
    std::thread other([&] { server.stop_accepting(); });
    server.stop_accepting();
    other.join();
    server.stop(100ms);
    done = true;
    for (auto& t : clients) t.join();
    EXPECT_EQ(wrong.load(), 0);
    // Stopped: nothing answers any more.
    auto late = Client::create(url, {});
    ASSERT_TRUE(late) << late.error();
    EXPECT_FALSE((*late)->get("/"));
  }
}

}  // namespace
}  // namespace l2::http
