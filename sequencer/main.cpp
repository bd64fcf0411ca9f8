// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// sequencerd: parses flags and the config file, opens the node (and with a base chain
// the settler, which reads the durable batches from the same database), serves HTTP
// until SIGTERM or SIGINT, then shuts down gracefully (docs/sequencer.md).
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>
#include <algorithm>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <thread>

#include "common/cli/config.hpp"
#include "common/cli/daemon.hpp"
#include "common/cli/usage.hpp"
#include "common/crypto.hpp"
#include "common/http/client.hpp"
#include "rollup/store_verify.hpp"
#include "sequencer/acked_head.hpp"
#include "sequencer/config.hpp"
#include "sequencer/http_server.hpp"
#include "sequencer/node.hpp"
#include "settlement/batch_log.hpp"
#include "settlement/commitment.hpp"
#include "settlement/settler.hpp"

namespace {

using l2::sequencer::SequencerConfig;

constexpr const char* kDescription = R"(sequencerd: the rollup's sequencer.

Accepts signed txs over HTTP (docs/api.md), orders them into batches, executes each
batch in parallel over the rollup state in SQLite (DIR/rollup.db) and acknowledges a
tx only once its batch is durable. Every flag can also be set in the config file
(--config FILE, TOML): `data_dir = "/var/lib/l2"`, or in a table, `[http]` then
`max_body_bytes = 1048576` for --http.max-body-bytes. Flags given on the command line
win over the file. See docs/sequencer.md.

Stops gracefully on SIGTERM or SIGINT: stops accepting, commits the open batch, exits 0.)";

void add_options(CLI::App& app, SequencerConfig& c) {
  // CLI11 gives each option added after option_defaults()->group(...) that group.
  app.option_defaults()->group("Node");
  app.add_option("--data-dir", c.data_dir, "Directory of the rollup database (rollup.db) and operator.pub")
      ->required();
  app.add_option("--chain-id", c.chain_id, "Chain id of this rollup (in every signed tx)")->required();
  app.add_option("--operator-key", c.operator_key,
                 "Hex public key of the operator's fee account (account 0); default: read from "
                 "DATA_DIR/operator.pub, generated there on first start");
  app.add_option("--threads", c.threads,
                 "Engine threads for verification, execution and hashing (0: all cores)")
      ->capture_default_str();
  app.add_flag("--dev", c.dev,
               "Enable dev routes (POST /v1/dev/deposit); refused while a base chain is configured");
  app.add_flag("--verify", c.verify,
               "Check the whole data dir and exit (0: sound, 3: damage found, named on stderr): every "
               "batch row against its hashes, every batch executed again from genesis, the accounts "
               "table and acked-head; changes nothing, and refuses while a sequencerd runs on the dir")
      ->configurable(false);
  app.add_option("--log-level", c.log_level, "trace, debug, info, warn, error, critical or off")
      ->capture_default_str()
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
  app.add_option("--test.reorg-pause-ms", c.test_reorg_pause_ms,
                 "Tests only: pause this long inside a settlement reorg, after the rollback")
      ->group("");
  app.add_option("--test.catch-up-pause-ms", c.test_catch_up_pause_ms,
                 "Tests only: pause this long after each batch re-derived at start")
      ->group("");

  app.option_defaults()->group("HTTP server");
  app.add_option("--address", c.http.address, "Listen address")->capture_default_str();
  app.add_option("--port", c.http.port,
                 "Listen port (0: an ephemeral port; the bound address is printed on stdout)")
      ->capture_default_str();
  app.add_option("--port-file", c.port_file, "Also write the bound ADDRESS:PORT to this file");
  app.add_option("--io-threads", c.http.io_threads, "HTTP I/O threads (separate from the engine's)")
      ->capture_default_str()
      ->check(CLI::Range(1u, 256u));
  app.add_option("--tls-cert", c.http.tls_cert, "PEM certificate chain; with --tls-key, serve HTTPS only")
      ->check(CLI::ExistingFile);
  app.add_option("--tls-key", c.http.tls_key, "PEM private key of --tls-cert")->check(CLI::ExistingFile);
  app.add_option("--http.max-body-bytes", c.http.max_body_bytes,
                 "Largest request body (else 413 body_too_large)")
      ->capture_default_str();
  app.add_option("--http.max-batch-txs", c.http.max_batch_txs,
                 "Most txs (or deposits) in one request (else 413 too_many_txs)")
      ->capture_default_str();
  app.add_option("--http.max-history-changes", c.http.max_history_changes,
                 "Most account changes after batch n that a read as of n (?batch=n) may lay over the "
                 "latest state (else 422 history_too_deep)")
      ->capture_default_str()
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 32));
  app.add_option("--http.read-timeout-ms", c.http.read_timeout_ms,
                 "Time to receive a whole request, and idle keep-alive timeout (else 408 timeout or close)")
      ->capture_default_str()
      ->check(CLI::Range(1u, 3600000u));
  app.add_option("--http.write-timeout-ms", c.http.write_timeout_ms,
                 "Time for a client to take a response before the connection is closed")
      ->capture_default_str()
      ->check(CLI::Range(1u, 3600000u));
  app.add_option("--http.cors-origin", c.http.cors_origins,
                 "Repeatable: a browser origin (https://app.example, or * for any) whose pages may "
                 "read the API (CORS); none by default");

  app.option_defaults()->group("Mempool and batches");
  app.add_option("--mempool.max-txs", c.mempool.max_txs,
                 "Pending txs (queued and in flight); else 503 mempool_full")
      ->capture_default_str();
  app.add_option("--mempool.max-ahead", c.mempool.max_ahead,
                 "How far a tx's nonce may be above its account's (else nonce_too_high)")
      ->capture_default_str();
  app.add_option("--mempool.max-hold-ms", c.mempool.max_hold_ms,
                 "A tx held for a nonce gap longer than this is dropped")
      ->capture_default_str();
  app.add_option("--batch.max-txs", c.batch.max_txs, "Close a batch at this many txs")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 20));
  app.add_option("--batch.max-delay-ms", c.batch.max_delay_ms, "Close a batch this long after its first tx")
      ->capture_default_str();
  app.add_option("--batch.max-in-flight", c.batch.max_in_flight,
                 "Batches executed but not yet durable (pipeline)")
      ->capture_default_str()
      ->check(CLI::Range(1u, 64u));

  app.option_defaults()->group("Base chain (settlement)");
  app.add_option("--base-chain", c.settlement.base_chain,
                 "basechaind URL (http://HOST:PORT or https://...): follow its deposit and forced-tx "
                 "queues and post every batch's commitment to it (docs/settlement.md); turns dev routes off");
  app.add_option("--settlement.key-file", c.settlement.key_file,
                 "The sequencer's base-chain key (64 hex digits of Ed25519 seed, mode 0600); default "
                 "DATA_DIR/sequencer.key, generated there on first start");
  app.add_option("--settlement.ca-file", c.settlement.ca_file,
                 "PEM certificates to verify an https base chain (default: the system's)")
      ->check(CLI::ExistingFile);
  app.add_flag("--settlement.insecure-tls", c.settlement.insecure_tls,
               "Accept any certificate from an https base chain (self-signed dev chains only)");
  app.add_option("--settlement.challenge-window-s", c.settlement.challenge_window_s,
                 "Challenge window in base-chain seconds, set when the rollup is registered (first start)")
      ->capture_default_str();
  app.add_option("--settlement.inclusion-deadline-s", c.settlement.inclusion_deadline_s,
                 "Deadline for including queued deposits and forced txs, in base-chain seconds, set when the "
                 "rollup is registered")
      ->capture_default_str()
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 40));
  app.add_option(
         "--settlement.dispute-bond", c.settlement.dispute_bond,
         "Bond in base-chain units that the sequencer locks with every commitment and a challenger "
         "with every challenge (docs/disputes.md), set at registration; the sequencer's key must hold it")
      ->capture_default_str()
      // At most the base chain's supply cap, 2^63 - 1.
      ->check(
          CLI::Range(std::uint64_t{0}, static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())));
  app.add_option("--settlement.dispute-clock-s", c.settlement.dispute_clock_s,
                 "Each side's clock in a dispute game, in base-chain seconds, set at registration")
      ->capture_default_str()
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{3162240000}));
  app.add_option("--settlement.poll-ms", c.settlement.poll_ms, "How often the base chain's queues are polled")
      ->capture_default_str()
      ->check(CLI::Range(10u, 600000u));
  app.add_option("--settlement.max-unposted-batches", c.settlement.max_unposted_batches,
                 "Stop closing batches while this many are not yet on the base chain (it is down)")
      ->capture_default_str()
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 32));
  app.add_option("--ready.max-unreachable-s", c.ready.max_unreachable_s,
                 "GET /ready answers 503 once the base chain has not answered for this long")
      ->capture_default_str()
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 32));
  app.add_option("--ready.max-refusals", c.ready.max_refusals,
                 "GET /ready answers 503 once the base chain refused this many commitments in a row")
      ->capture_default_str()
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 32));
}

// The operator key: the flag, else DIR/operator.pub, else a fresh key written there.
std::optional<l2::PublicKey> operator_key(const SequencerConfig& c) {
  if (!c.operator_key.empty()) {
    auto k = l2::PublicKey::from_hex_string(c.operator_key);
    if (!k) spdlog::critical("--operator-key must be 64 hex digits");
    return k;
  }
  const auto path = std::filesystem::path(c.data_dir) / "operator.pub";
  if (std::filesystem::exists(path)) {
    std::ifstream in(path);
    std::string hex;
    in >> hex;
    auto k = l2::PublicKey::from_hex_string(hex);
    if (!k) spdlog::critical("{} does not hold a 64-digit hex public key", path.string());
    return k;
  }
  // Only the public key is kept: the sequencer never signs for the fee account.
  auto key = l2::SecretKey::generate();
  std::ofstream out(path);
  out << key.public_key().hex() << "\n";
  out.close();
  if (!out) {
    spdlog::critical("cannot write {}", path.string());
    return std::nullopt;
  }
  spdlog::warn("generated an operator key; its public key is in {} and its secret was not kept",
               path.string());
  return key.public_key();
}

// The sequencer's base-chain key: DIR/sequencer.key (or --settlement.key-file), made on
// first start. Only the public key is ever printed.
std::optional<l2::SecretKey> sequencer_key(const SequencerConfig& c) {
  const std::filesystem::path path = c.settlement.key_file.empty()
                                         ? std::filesystem::path(c.data_dir) / "sequencer.key"
                                         : std::filesystem::path(c.settlement.key_file);
  return l2::cli::load_or_create_key(path, "sequencer's base-chain key");
}

// A data dir whose keys outlived its database: the store was lost (deleted, emptied, or
// never restored), and a fresh one would be a new, empty rollup under the same keys.
std::optional<std::string> lost_store(const SequencerConfig& c) {
  const std::filesystem::path dir(c.data_dir);
  std::error_code ec;
  const auto db = dir / "rollup.db";
  auto empty = [&](const std::filesystem::path& p) {
    return !std::filesystem::exists(p, ec) || std::filesystem::file_size(p, ec) == 0;
  };
  // Until a checkpoint, a new database's pages may all be in its WAL.
  if (!empty(db) || !empty(dir / "rollup.db-wal")) return std::nullopt;
  for (const char* name : {"operator.pub", "sequencer.key"}) {
    if (std::filesystem::exists(dir / name, ec))
      return db.string() + " is missing or empty, but " + (dir / name).string() +
             " is there: this data dir's rollup database was lost. Restore it from a backup; a fresh one "
             "would be a new, empty rollup under the old keys. To start a new rollup on purpose, use an "
             "empty "
             "data dir.";
  }
  return std::nullopt;
}

// --verify: the whole-store check of rollup/store_verify.hpp over DIR/rollup.db, then
// the acknowledged-head record against it. 0: sound; 3: damage found (named); 1: it
// could not be checked.
int verify_data_dir(const SequencerConfig& c) {
  constexpr int kDamaged = 3;
  const std::filesystem::path dir(c.data_dir);
  const std::string db = (dir / "rollup.db").string();
  std::error_code ec;
  if (!std::filesystem::exists(db, ec)) {
    spdlog::critical("{} does not exist: nothing to verify", db);
    return 1;
  }
  if (c.operator_key.empty() && !std::filesystem::exists(dir / "operator.pub", ec)) {
    spdlog::critical("{} does not exist: give the rollup's --operator-key", (dir / "operator.pub").string());
    return 1;
  }
  auto op = operator_key(c);
  if (!op) return 1;
  l2::rollup::StoreOptions so;
  so.path = db;
  so.chain_id = l2::ChainId(c.chain_id);
  so.operator_key = *op;
  auto store = l2::rollup::StateStore::open(so);
  if (!store) {
    spdlog::critical("{}: {}", db, store.error().message);
    return store.error().code == l2::rollup::StoreErrorCode::corrupt ? kDamaged : 1;
  }
  l2::ThreadPool pool(c.threads == 0 ? std::max(1U, std::thread::hardware_concurrency()) : c.threads);
  l2::rollup::VerifyOptions vo;
  vo.pool = &pool;
  auto last_log = std::chrono::steady_clock::now();
  vo.progress = [&](l2::BatchNumber done, l2::BatchNumber head) {
    const auto now = std::chrono::steady_clock::now();
    if (now - last_log < std::chrono::seconds(2)) return;
    last_log = now;
    spdlog::info("verified batches 0..{} of {}", done.value(), head.value());
  };
  vo.check_origin = [](const l2::rollup::StoredBatch& b) -> std::optional<std::string> {
    if (b.origin.empty()) return std::nullopt;  // a --dev rollup's batch
    if (auto o = l2::settlement::decode_origin(b.origin); !o)
      return std::string("does not decode: ") + std::string(l2::to_string(o.error()));
    return std::nullopt;
  };
  spdlog::info("verifying {}", db);
  auto report = l2::rollup::verify_store(**store, so.chain_id, *op, vo);
  if (!report) {
    spdlog::critical("{}: {}", db, report.error().message);
    return report.error().code == l2::rollup::StoreErrorCode::corrupt ? kDamaged : 1;
  }
  const auto acked_path = dir / "acked-head";
  std::string acked = "no acked-head record";
  if (std::filesystem::exists(acked_path, ec)) {
    auto file = l2::sequencer::AckedHeadFile::open(acked_path.string());
    if (!file) {
      spdlog::critical("{}", file.error());
      return kDamaged;
    }
    if (const auto& r = (*file)->record()) {
      auto at = (*store)->header(r->batch);
      if (!at) {
        spdlog::critical("{}: {}", db, at.error().message);
        return kDamaged;
      }
      if (r->chain_id != so.chain_id || !*at || (*at)->state_root != r->state_root) {
        spdlog::critical("{} says batch {} (state root {}) of chain {} was acknowledged; {} {}",
                         acked_path.string(), r->batch.value(), r->state_root.hex(), r->chain_id.value(), db,
                         *at ? "holds another root there" : "ends before it (acknowledged batches are lost)");
        return kDamaged;
      }
      acked = "acked-head at batch " + std::to_string(r->batch.value());
    }
  }
  std::cout << db << ": sound: batches 0.." << report->head.value() << " (" << report->txs << " txs, "
            << report->applied << " applied) executed again with the roots, receipts and changes stored; "
            << report->accounts << (report->accounts == 1 ? " account" : " accounts")
            << "; checkpoint at batch " << report->checkpoint.value() << "; " << report->rolled_back_txs
            << " rolled-back txs; " << acked << std::endl;
  return 0;
}

}  // namespace

int run(int argc, char** argv) {
  SequencerConfig config;
  CLI::App app(kDescription, "sequencerd");
  l2::cli::setup_program(app);
  l2::cli::add_config_file(app);
  add_options(app, config);
  if (auto exit = l2::cli::parse(app, argc, argv)) return *exit;

  auto logger = spdlog::stderr_color_mt("sequencerd");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(config.log_level));

  // Signals are taken by sigwait below; every thread started from here inherits the mask.
  const sigset_t signals = l2::cli::block_stop_signals();

  if (!config.settlement.base_chain.empty()) {
    if (auto url = l2::http::parse_url(config.settlement.base_chain); !url) {
      spdlog::critical("--base-chain: {}", url.error());
      return 1;
    }
  }
  std::error_code fs_error;
  if (config.verify && !std::filesystem::is_directory(config.data_dir, fs_error)) {
    spdlog::critical("{} is not a directory: nothing to verify", config.data_dir);
    return 1;
  }
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
  if (config.verify) return verify_data_dir(config);
  if (auto why = lost_store(config)) {
    spdlog::critical("{}", *why);
    return 1;
  }
  auto op = operator_key(config);
  if (!op) return 1;

  l2::sequencer::NodeOptions node_options;
  node_options.db_path = (std::filesystem::path(config.data_dir) / "rollup.db").string();
  node_options.acked_head_path = (std::filesystem::path(config.data_dir) / "acked-head").string();
  node_options.chain_id = l2::ChainId(config.chain_id);
  node_options.operator_key = *op;
  node_options.threads = config.threads;
  node_options.mempool = config.mempool;
  node_options.batch = config.batch;
  node_options.max_history_changes = config.http.max_history_changes;
  node_options.test_reorg_pause_ms = config.test_reorg_pause_ms;

  // With a base chain: the settler, over its own read handle on the database (opened
  // first: on a first start it creates the database with its genesis).
  std::unique_ptr<l2::settlement::StoreBatchLog> batch_log;
  std::unique_ptr<l2::settlement::Settler> settler;
  if (!config.settlement.base_chain.empty()) {
    auto key = sequencer_key(config);
    if (!key) return 1;
    l2::rollup::StoreOptions store;
    store.path = node_options.db_path;
    store.chain_id = node_options.chain_id;
    store.operator_key = node_options.operator_key;
    auto log = l2::settlement::StoreBatchLog::open(store);
    if (!log) {
      spdlog::critical("{}", log.error());
      return 1;
    }
    batch_log = std::move(*log);
    const l2::sequencer::SettlementOptions& so = config.settlement;
    l2::settlement::SettlerOptions o;
    o.base_chain = so.base_chain;
    o.http.ca_file = so.ca_file;
    o.http.insecure = so.insecure_tls;
    o.rollup_id = node_options.chain_id;
    o.operator_key = node_options.operator_key;
    o.challenge_window_s = l2::ChainDuration(so.challenge_window_s);
    o.inclusion_deadline_s = l2::ChainDuration(so.inclusion_deadline_s);
    o.dispute_terms =
        l2::settlement::DisputeTerms{l2::Amount(so.dispute_bond), l2::ChainDuration(so.dispute_clock_s)};
    o.poll_ms = so.poll_ms;
    o.max_unposted_batches = so.max_unposted_batches;
    o.catch_up_engine.store = store;
    o.catch_up_engine.threads = node_options.threads;
    o.test_catch_up_pause_ms = config.test_catch_up_pause_ms;
    auto s = l2::settlement::Settler::open(o, std::move(*key), *batch_log);
    if (!s) {
      spdlog::critical("{}", s.error());
      return 1;
    }
    settler = std::move(*s);
  }
  auto node = l2::sequencer::Node::open(node_options, settler.get());
  if (!node) {
    spdlog::critical("{}", node.error());
    return 1;
  }
  if (settler) settler->start();

  l2::sequencer::ServerOptions server_options;
  server_options.http = config.http;
  server_options.dev = config.dev;
  server_options.base_chain_configured = !config.settlement.base_chain.empty();
  server_options.base_chain_url = config.settlement.base_chain;
  server_options.ready = config.ready;
  auto server = l2::sequencer::HttpServer::start(**node, settler.get(), server_options);
  if (!server) {
    spdlog::critical("{}", server.error());
    (*node)->stop();
    return 1;
  }
  const std::string bound = (*server)->bound_address();
  // The port file first: whoever reads the stdout line may look for the file at once.
  l2::cli::write_port_file(config.port_file, bound);
  std::cout << "listening on " << bound << std::endl;
  spdlog::info("serving chain {} on {}{} with operator key {}{}", config.chain_id,
               server_options.http.tls_cert.empty() ? "http://" : "https://", bound, op->hex(),
               server_options.dev && server_options.base_chain_configured == false ? " (dev routes on)" : "");

  l2::cli::wait_for_stop_signal(signals);
  (*server)->stop_accepting();
  (*node)->stop();               // commits the open batch and resolves the waiting requests
  if (settler) settler->stop();  // after the node, whose last batch may still take queue entries
  (*server)->stop(std::chrono::milliseconds(2000));
  server->reset();
  node->reset();
  settler.reset();
  batch_log.reset();
  spdlog::info("stopped");
  return 0;
}

// An exception that escapes (std::bad_alloc, say) ends the program with a message and
// status 1 instead of std::terminate.
int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "sequencerd: " << e.what() << std::endl;
    return 1;
  }
}
