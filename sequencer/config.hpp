// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// Every option of the sequencer, with its default. sequencerd fills these from flags
// and a config file (main.cpp; docs/sequencer.md lists each flag and key); the library
// only ever sees these structs. Plain values.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace l2::sequencer {

struct HttpOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 8645;  // 0: an ephemeral port (printed on stdout)
  unsigned io_threads = 2;    // HTTP I/O threads, separate from the engine's
  std::size_t max_body_bytes = 16u << 20;
  std::size_t max_batch_txs = 20000;  // txs (or deposits) in one request
  // A read as of batch n (GET /v1/accounts/{id}?batch=n) lays at most this many diff
  // entries of later batches over the latest state (NodeOptions::max_history_changes).
  std::uint64_t max_history_changes = 200'000;
  std::uint32_t read_timeout_ms = 10000;  // whole request, headers and body; idle keep-alive too
  std::uint32_t write_timeout_ms = 10000;
  std::string tls_cert;                   // PEM chain; with tls_key: HTTPS only
  std::string tls_key;                    // PEM private key
  std::vector<std::string> cors_origins;  // --http.cors-origin: browser origins allowed to read answers
};

struct MempoolOptions {
  std::size_t max_txs = 200000;       // pending txs, queued and in flight
  std::uint64_t max_ahead = 64;       // a nonce at most this far above the account's
  std::uint32_t max_hold_ms = 30000;  // a tx still waiting after this long is dropped
};

struct BatchOptions {
  std::size_t max_txs = 10000;      // close a batch at this many txs
  std::uint32_t max_delay_ms = 50;  // or this long after its first tx arrived
  unsigned max_in_flight = 2;       // batches submitted and not yet durable
};

// Settlement on a base chain (docs/settlement.md). Off while base_chain is empty.
struct SettlementOptions {
  std::string base_chain;     // basechaind URL, http://HOST:PORT or https://...
  std::string key_file;       // the sequencer's base-chain key (hex seed); empty: DATA_DIR/sequencer.key
  std::string ca_file;        // PEM to verify an https base chain; empty: the system's
  bool insecure_tls = false;  // accept any certificate (self-signed dev chains)
  // Registration parameters, used only when the rollup is not yet on the base chain.
  std::uint64_t challenge_window_s = 3600;
  std::uint64_t inclusion_deadline_s = 600;
  std::uint64_t dispute_bond = 0;             // base-chain units locked per commitment and per challenge
  std::uint64_t dispute_clock_s = 3600;       // each side's clock in a dispute game
  std::uint32_t poll_ms = 500;                // how often the queues are polled
  std::uint64_t max_unposted_batches = 1000;  // stop closing batches this far ahead of the chain
};

// When GET /ready says the node is not ready (docs/api.md).
struct ReadyOptions {
  std::uint64_t max_unreachable_s = 30;  // the base chain unreachable for longer than this
  std::uint64_t max_refusals = 3;        // this many commitments refused in a row
};

// Everything sequencerd is configured with.
struct SequencerConfig {
  std::string data_dir;        // holds rollup.db (and operator.pub when generated)
  std::uint64_t chain_id = 0;  // required
  std::string operator_key;    // hex public key of the fee account; empty: DIR/operator.pub
  unsigned threads = 0;        // engine threads; 0: all hardware threads
  bool dev = false;            // enables /v1/dev/* (never with a base chain)
  bool verify = false;         // --verify: check the whole data dir and exit (command line only)
  std::string port_file;       // where to write "ADDRESS:PORT" once listening
  std::string log_level = "info";
  HttpOptions http;
  MempoolOptions mempool;
  BatchOptions batch;
  SettlementOptions settlement;
  ReadyOptions ready;
  std::uint32_t test_reorg_pause_ms = 0;     // tests only (NodeOptions::test_reorg_pause_ms)
  std::uint32_t test_catch_up_pause_ms = 0;  // tests only (SettlerOptions::test_catch_up_pause_ms)
};

}  // namespace l2::sequencer
