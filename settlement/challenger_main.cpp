// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// challenger: watches a rollup's commitments on the base chain, re-derives every batch,
// and disputes the first wrong one to the ruling (settlement/challenger.hpp,
// docs/disputes.md "The challenger"). Serves GET /health (its state as JSON) and GET
// /metrics; stops gracefully on SIGTERM or SIGINT.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <chrono>
#include <exception>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "common/build_info.hpp"
#include "common/cli/config.hpp"
#include "common/cli/daemon.hpp"
#include "common/cli/usage.hpp"
#include "common/http/server.hpp"
#include "common/prometheus.hpp"
#include "settlement/challenger.hpp"

namespace {

using l2::settlement::Challenger;
using l2::settlement::ChallengerState;

struct Config {
  std::string data_dir;
  std::string base_chain;
  std::uint64_t rollup_id = 0;
  std::string key_file;  // empty: DATA_DIR/challenger.key
  std::uint32_t poll_ms = 500;
  unsigned threads = 0;
  std::uint32_t timeout_ms = 30000;
  std::string ca_file;
  bool insecure_tls = false;
  std::string address = "127.0.0.1";
  std::uint16_t port = 8547;
  std::string port_file;
  std::string log_level = "info";
};

constexpr const char* kDescription = R"(challenger: disputes wrong rollup commitments on the base chain.

Follows one rollup's commitments on basechaind, re-derives every batch from
base-chain data alone (as rollup-derive does) and, at the first commitment whose
batch does not derive, challenges it with its own key (posting the rollup's bond)
and plays the bisection game to the ruling unattended. It never challenges a batch
that derives. Its games are kept in DIR/challenger.db, so a restart resumes them;
its key is DIR/challenger.key (generated on first start) unless --key-file names
one. Serves GET /health (its state, JSON) and GET /metrics. Every flag can also be
set in the config file (--config FILE, TOML); flags on the command line win.

Stops gracefully on SIGTERM or SIGINT.)";

void add_options(CLI::App& app, Config& c) {
  app.option_defaults()->group("Challenger");
  app.add_option("--data-dir", c.data_dir, "Directory of its store (challenger.db) and default key")
      ->required();
  app.add_option("--rollup-id", c.rollup_id, "The rollup to watch (its chain id, as registered)")->required();
  app.add_option(
      "--key-file", c.key_file,
      "Its base-chain key (64 hex digits of Ed25519 seed, mode 0600); default DATA_DIR/challenger.key, "
      "generated there on first start. It must hold the rollup's bond to challenge");
  app.add_option("--poll-ms", c.poll_ms, "How often it reads the base chain")
      ->capture_default_str()
      ->check(CLI::Range(10u, 60000u));
  app.add_option("--threads", c.threads, "Derivation threads (default: all)")->check(CLI::Range(0u, 256u));
  app.add_option("--log-level", c.log_level, "trace, debug, info, warn, error, critical or off")
      ->capture_default_str()
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));

  app.option_defaults()->group("Base chain");
  app.add_option("--base-chain", c.base_chain, "basechaind's JSON-RPC URL (http:// or https://)")->required();
  app.add_option("--timeout-ms", c.timeout_ms, "Timeout of one request to the base chain")
      ->capture_default_str()
      ->check(CLI::Range(1u, 3'600'000u));
  app.add_option("--settlement.ca-file", c.ca_file,
                 "PEM certificates to verify an https base chain (default: the system's)")
      ->check(CLI::ExistingFile);
  app.add_flag("--settlement.insecure-tls", c.insecure_tls,
               "Accept any certificate from an https base chain (self-signed dev chains only)");

  app.option_defaults()->group("HTTP server");
  app.add_option("--address", c.address, "Listen address of /health and /metrics")->capture_default_str();
  app.add_option("--port", c.port,
                 "Listen port (0: an ephemeral port; the bound address is printed on stdout)")
      ->capture_default_str();
  app.add_option("--port-file", c.port_file, "Also write the bound ADDRESS:PORT to this file");
}

std::string u64(std::uint64_t v) { return std::to_string(v); }

nlohmann::json health(const Challenger& c, const ChallengerState& s, std::uint64_t rollup_id) {
  nlohmann::json games = nlohmann::json::array();
  for (const auto& g : s.games)
    games.push_back({{"id", u64(g.id)},
                     {"batch", u64(g.batch.value())},
                     {"commitment_tx", g.commitment_tx.hex()},
                     {"status", g.status},
                     {"end", g.end.empty() ? nlohmann::json(nullptr) : nlohmann::json(g.end)},
                     {"moves", u64(g.moves)},
                     {"mismatch", g.mismatch}});
  return {{"status", s.reachable ? "ok" : "base_chain_unreachable"},
          {"rollup_id", u64(rollup_id)},
          {"challenger", c.public_key().hex()},
          {"base_chain_reachable", s.reachable},
          {"registered", s.registered},
          {"last_batch", u64(s.last_batch)},
          {"verified_batch", u64(s.verified)},
          {"derived", u64(s.derived)},
          {"rederivations", u64(s.rederivations)},
          {"mismatch", s.mismatch.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.mismatch)},
          {"mismatches", u64(s.mismatches)},
          {"challenges", u64(s.challenges)},
          {"open", u64(s.open)},
          {"won", u64(s.won)},
          {"lost", u64(s.lost)},
          {"moves", u64(s.moves)},
          {"refused_txs", u64(s.refused_txs)},
          {"last_trace_ms", s.last_trace_ms},
          {"last_error", s.last_error},
          {"games", games}};
}

std::string metrics(const ChallengerState& s) {
  using l2::prometheus::Type;
  std::string out;
  l2::prometheus::Writer w(out);
  l2::write_build_info(w);
  w.single("l2_challenger_base_chain_reachable", Type::gauge, "1 while the last poll reached the base chain",
           s.reachable ? 1 : 0);
  w.single("l2_challenger_last_batch", Type::gauge, "The rollup's last committed batch on the base chain",
           s.last_batch);
  w.single("l2_challenger_verified_batch", Type::gauge, "The last batch it derived and found correct",
           s.verified);
  w.single("l2_challenger_batches_derived_total", Type::counter,
           "Batches derived and found correct since start (re-derivations count again)", s.derived);
  w.single("l2_challenger_rederivations_total", Type::counter,
           "Re-derivations from genesis after a batch it had derived was removed or replaced",
           s.rederivations);
  w.single("l2_challenger_mismatches_total", Type::counter, "Wrong batches found since start", s.mismatches);
  w.single("l2_challenger_challenges_total", Type::counter, "Games it opened (kept in its store)",
           s.challenges);
  w.single("l2_challenger_games_open", Type::gauge, "Its games open at the last poll", s.open);
  w.single("l2_challenger_games_won_total", Type::counter, "Its games decided for it (kept in its store)",
           s.won);
  w.single("l2_challenger_games_lost_total", Type::counter,
           "Its games decided for the sequencer (kept in its store)", s.lost);
  w.single("l2_challenger_moves_total", Type::counter,
           "dispute_respond and dispute_timeout txs sent since start", s.moves);
  w.single("l2_challenger_txs_refused_total", Type::counter, "Its txs the base chain refused since start",
           s.refused_txs);
  return out;
}

l2::http::Response json_response(unsigned status, const nlohmann::json& body) {
  l2::http::Response r;
  r.status = status;
  r.body = body.dump();
  return r;
}

nlohmann::json error_body(std::string_view code, std::string_view message) {
  return {{"error", {{"code", code}, {"message", message}}}};
}

l2::http::Response render_transport_error(l2::http::TransportError e, std::string_view message) {
  using l2::http::TransportError;
  switch (e) {
    case TransportError::body_too_large:
      return json_response(413, error_body("body_too_large", message));
    case TransportError::headers_too_large:
      return json_response(431, error_body("headers_too_large", message));
    case TransportError::timeout:
      return json_response(408, error_body("timeout", message));
    case TransportError::internal:
      return json_response(500, error_body("internal", message));
    case TransportError::bad_request:
      break;
  }
  return json_response(400, error_body("bad_request", message));
}

}  // namespace

int run(int argc, char** argv) {
  Config config;
  CLI::App app(kDescription, "challenger");
  l2::cli::setup_program(app);
  l2::cli::add_config_file(app);
  add_options(app, config);
  if (auto exit = l2::cli::parse(app, argc, argv)) return *exit;

  auto logger = spdlog::stderr_color_mt("challenger");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(config.log_level));
  const sigset_t signals = l2::cli::block_stop_signals();

  std::error_code fs_error;
  std::filesystem::create_directories(config.data_dir, fs_error);
  if (fs_error) {
    spdlog::critical("cannot create {}: {}", config.data_dir, fs_error.message());
    return 1;
  }
  std::string refusal;
  auto dir_lock = l2::cli::DirLock::acquire(config.data_dir, refusal);
  if (!dir_lock) {
    spdlog::critical("{}", refusal);
    return 1;
  }
  const std::filesystem::path dir(config.data_dir);
  auto key = l2::cli::load_or_create_key(
      config.key_file.empty() ? dir / "challenger.key" : std::filesystem::path(config.key_file),
      "challenger's base-chain key");
  if (!key) return 1;

  l2::http::ClientOptions http;
  http.insecure = config.insecure_tls;
  http.ca_file = config.ca_file;
  http.timeout = std::chrono::milliseconds(config.timeout_ms);
  l2::settlement::ChallengerOptions options;
  options.rollup_id = l2::ChainId(config.rollup_id);
  options.store_path = (dir / "challenger.db").string();
  options.poll_ms = config.poll_ms;
  options.threads = config.threads;
  auto challenger = Challenger::open(config.base_chain, http, options, std::move(*key));
  if (!challenger) {
    spdlog::critical("{}", challenger.error());
    return 1;
  }
  Challenger& c = **challenger;

  l2::http::ServerOptions server_options;
  server_options.address = config.address;
  server_options.port = config.port;
  server_options.io_threads = 1;
  server_options.max_body_bytes = 1 << 16;
  server_options.server_name = "challenger";
  const std::uint64_t rollup_id = config.rollup_id;
  auto handler = [&c, rollup_id](const l2::http::Request& req, const l2::http::Respond& respond) {
    std::string path = req.target.substr(0, req.target.find('?'));
    if (path != "/health" && path != "/metrics")
      return respond(json_response(
          404, error_body("not_found",
                          "no such path: " + path + " (the challenger serves /health and /metrics)")));
    if (req.method != "GET" && req.method != "HEAD") {
      auto r = json_response(405, error_body("method_not_allowed", path + " only answers GET and HEAD"));
      r.headers.emplace_back("Allow", "GET, HEAD");
      return respond(std::move(r));
    }
    const ChallengerState s = c.state();
    if (path == "/health") return respond(json_response(200, health(c, s, rollup_id)));
    l2::http::Response r;
    r.content_type = "text/plain; version=0.0.4";
    r.body = metrics(s);
    respond(std::move(r));
  };
  auto server = l2::http::Server::start(handler, render_transport_error, server_options);
  if (!server) {
    spdlog::critical("{}", server.error());
    return 1;
  }
  const std::string bound = (*server)->bound_address();
  l2::cli::write_port_file(config.port_file, bound);
  std::cout << "listening on " << bound << std::endl;
  spdlog::info("challenger {} watching rollup {} on {}; /health and /metrics on http://{}",
               c.public_key().hex(), config.rollup_id, config.base_chain, bound);
  c.start();

  l2::cli::wait_for_stop_signal(signals);
  (*server)->stop(std::chrono::milliseconds(2000));
  c.stop();
  spdlog::info("stopped");
  return 0;
}

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "challenger: " << e.what() << std::endl;
    return 1;
  }
}
