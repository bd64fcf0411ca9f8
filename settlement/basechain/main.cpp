// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// basechaind: the mock base chain as a process (docs/basechain.md). Parses flags and the
// config file, opens the chain (DATA_DIR/chain.db) with the standard modules, starts its
// HTTP front (server.hpp: JSON-RPC 2.0 on POST /, GET /health and GET /metrics, the
// block timer unless --automine), and stops gracefully on SIGTERM or SIGINT.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <pthread.h>
#include <chrono>
#include <exception>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "common/cli/config.hpp"
#include "common/cli/daemon.hpp"
#include "common/cli/usage.hpp"
#include "settlement/basechain/chain.hpp"
#include "settlement/basechain/server.hpp"
#include "settlement/basechain/standard_modules.hpp"

namespace {

using l2::settlement::BaseChain;

struct Config {
  std::string data_dir;
  std::uint64_t chain_id = 31337;
  std::string address = "127.0.0.1";
  std::uint16_t port = 8546;
  std::string port_file;
  std::uint32_t block_time_ms = 1000;
  bool automine = false;
  bool dev = false;
  std::vector<std::string> genesis_alloc;  // "PUBKEY:AMOUNT"
  std::string tls_cert;
  std::string tls_key;
  std::string log_level = "info";
  unsigned io_threads = 4;
  // A whole commitment as hex inside JSON, with room to spare.
  std::size_t max_body_bytes = 2 * l2::settlement::kMaxPayloadBytes + (1u << 20);
  std::uint32_t read_timeout_ms = 60000;
  std::uint32_t write_timeout_ms = 60000;
  std::vector<std::string> cors_origins;
};

constexpr const char* kDescription = R"(basechaind: the mock base chain (a local single-node dev chain).

Blocks, chain time, native balances, and the native modules the rollups settle to
(rollup registry, bridge, commitment chain), in one SQLite file (DIR/chain.db),
served as JSON-RPC 2.0 on POST / (docs/basechain.md lists every method), with
GET /health and GET /metrics. A base tx is executed when it arrives; blocks seal
after every tx with --automine, else every --block-time ms. Every flag can also be
set in the config file (--config FILE, TOML); flags on the command line win.

Stops gracefully on SIGTERM or SIGINT.)";

void add_options(CLI::App& app, Config& c) {
  // CLI11 gives each option added after option_defaults()->group(...) that group.
  app.option_defaults()->group("Chain");
  app.add_option("--data-dir", c.data_dir, "Directory of the chain database (chain.db)")->required();
  app.add_option("--chain-id", c.chain_id, "Chain id of this base chain (in every signed base tx)")
      ->capture_default_str();
  auto* block_time =
      app.add_option("--block-time", c.block_time_ms, "Seal a block every this many ms (not with --automine)")
          ->capture_default_str()
          ->check(CLI::Range(1u, 3600000u));
  app.add_flag("--automine", c.automine,
               "Seal a block right after each base tx (no timer; not with --block-time)")
      ->excludes(block_time);
  app.add_flag(
      "--dev", c.dev,
      "Enable the dev_* methods (mine, advance time, fund accounts, snapshots); never on a shared chain");
  app.add_option("--genesis-alloc", c.genesis_alloc,
                 "PUBKEY:AMOUNT, repeatable: a balance of the genesis state (a new chain only: refused on an "
                 "existing one)");
  app.add_option("--log-level", c.log_level, "trace, debug, info, warn, error, critical or off")
      ->capture_default_str()
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));

  app.option_defaults()->group("HTTP server");
  app.add_option("--address", c.address, "Listen address")->capture_default_str();
  app.add_option("--port", c.port,
                 "Listen port (0: an ephemeral port; the bound address is printed on stdout)")
      ->capture_default_str();
  app.add_option("--port-file", c.port_file, "Also write the bound ADDRESS:PORT to this file");
  app.add_option("--io-threads", c.io_threads, "HTTP I/O threads")
      ->capture_default_str()
      ->check(CLI::Range(1u, 256u));
  app.add_option("--tls-cert", c.tls_cert, "PEM certificate chain; with --tls-key, serve HTTPS only")
      ->check(CLI::ExistingFile);
  app.add_option("--tls-key", c.tls_key, "PEM private key of --tls-cert")->check(CLI::ExistingFile);
  app.add_option("--http.max-body-bytes", c.max_body_bytes, "Largest request body (else 413)")
      ->capture_default_str();
  app.add_option("--http.read-timeout-ms", c.read_timeout_ms,
                 "Time to receive a whole request, and idle keep-alive timeout")
      ->capture_default_str()
      ->check(CLI::Range(1u, 3600000u));
  app.add_option("--http.write-timeout-ms", c.write_timeout_ms, "Time for a client to take a response")
      ->capture_default_str()
      ->check(CLI::Range(1u, 3600000u));
  app.add_option("--http.cors-origin", c.cors_origins,
                 "Repeatable: a browser origin (https://app.example, or * for any) whose pages may "
                 "call the JSON-RPC API (CORS); none by default");
}

std::optional<std::vector<l2::settlement::GenesisAlloc>> parse_allocs(const std::vector<std::string>& specs) {
  std::vector<l2::settlement::GenesisAlloc> out;
  for (const auto& s : specs) {
    const auto colon = s.find(':');
    std::optional<l2::PublicKey> key;
    std::optional<l2::Amount> amount;
    if (colon != std::string::npos) {
      key = l2::PublicKey::from_hex_string(s.substr(0, colon));
      amount = l2::Amount::parse(s.substr(colon + 1));
    }
    if (!key || !amount) {
      spdlog::critical("--genesis-alloc {}: expected PUBKEY:AMOUNT (64 hex digits, a decimal amount)", s);
      return std::nullopt;
    }
    out.push_back({*key, *amount});
  }
  return out;
}

}  // namespace

int run(int argc, char** argv) {
  Config config;
  CLI::App app(kDescription, "basechaind");
  l2::cli::setup_program(app);
  l2::cli::add_config_file(app);
  add_options(app, config);
  if (auto exit = l2::cli::parse(app, argc, argv)) return *exit;

  auto logger = spdlog::stderr_color_mt("basechaind");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(config.log_level));

  // Signals are taken by sigwait below; every thread started from here inherits the mask.
  const sigset_t signals = l2::cli::block_stop_signals();

  if (config.tls_cert.empty() != config.tls_key.empty()) {
    spdlog::critical("--tls-cert and --tls-key go together");
    return 1;
  }
  auto allocs = parse_allocs(config.genesis_alloc);
  if (!allocs) return 1;
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
  const auto db_path = std::filesystem::path(config.data_dir) / "chain.db";
  if (!config.genesis_alloc.empty() && std::filesystem::exists(db_path, fs_error) &&
      std::filesystem::file_size(db_path, fs_error) > 0) {
    spdlog::critical(
        "--genesis-alloc sets the genesis of a new chain, but {} already holds a chain; drop the flag, or "
        "use "
        "an empty --data-dir for a new chain",
        db_path.string());
    return 1;
  }

  l2::settlement::ChainOptions chain_options;
  chain_options.path = db_path.string();
  chain_options.chain_id = l2::ChainId(config.chain_id);
  chain_options.automine = config.automine;
  chain_options.genesis_alloc = std::move(*allocs);
  if (config.dev)
    chain_options.snapshot_dir = (std::filesystem::path(config.data_dir) / "snapshots").string();
  auto opened = BaseChain::open(chain_options, l2::settlement::standard_modules());
  if (!opened) {
    spdlog::critical("{}", opened.error().message);
    return 1;
  }
  BaseChain& chain = **opened;

  l2::settlement::BaseChainServerOptions server_options;
  server_options.rpc.dev = config.dev;
  server_options.http.address = config.address;
  server_options.http.port = config.port;
  server_options.http.io_threads = config.io_threads;
  server_options.http.max_body_bytes = config.max_body_bytes;
  server_options.http.read_timeout_ms = config.read_timeout_ms;
  server_options.http.write_timeout_ms = config.write_timeout_ms;
  server_options.http.cors_origins = config.cors_origins;
  server_options.http.tls_cert = config.tls_cert;
  server_options.http.tls_key = config.tls_key;
  server_options.http.server_name = "basechaind";
  if (!config.automine) server_options.block_time = std::chrono::milliseconds(config.block_time_ms);
  auto server = l2::settlement::BaseChainServer::start(chain, server_options);
  if (!server) {
    spdlog::critical("{}", server.error());
    return 1;
  }

  // The port file first: whoever reads the stdout line may look for the file at once.
  const std::string bound = (*server)->bound_address();
  l2::cli::write_port_file(config.port_file, bound);
  std::cout << "listening on " << bound << std::endl;
  const auto head = chain.head();
  spdlog::info("base chain {} at block {} serving on {}{}; {}{}", config.chain_id, head.number.value(),
               config.tls_cert.empty() ? "http://" : "https://", bound,
               config.automine ? std::string("automine")
                               : "a block every " + std::to_string(config.block_time_ms) + " ms",
               config.dev ? "; dev methods on" : "");

  l2::cli::wait_for_stop_signal(signals);
  (*server)->stop(std::chrono::milliseconds(2000));
  server->reset();
  opened->reset();
  spdlog::info("stopped");
  return 0;
}

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "basechaind: " << e.what() << std::endl;
    return 1;
  }
}
