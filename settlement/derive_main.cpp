// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// rollup-derive: rebuilds a rollup's state from the base chain alone and checks every
// commitment by re-execution (settlement/derive.hpp). It talks to basechaind only.
//
//   rollup-derive --base-chain http://127.0.0.1:8546 --rollup-id 1 [--json]
//
// Exit status: 0 every commitment derived; 1 a commitment is wrong (the first mismatch
// is printed: batch, kind, expected, got); 2 bad usage, or the base chain could not be
// read, or the derivation itself failed.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "common/cli/usage.hpp"
#include "settlement/basechain/client.hpp"
#include "settlement/derive.hpp"

namespace {

constexpr const char* kDescription =
    "Re-derives a rollup's state from the base chain's data alone (its registration, the "
    "deposit and forced-tx queues, and every commitment's payload) and checks each commitment "
    "by re-executing its batch. Exit status: 0 all correct, 1 a mismatch, 2 usage or connection error.";

struct Options {
  std::string base_chain;
  std::uint64_t rollup_id = 0;
  bool json = false;
  std::uint64_t from_batch = 1;
  std::uint64_t to_batch = 0;  // 0: the last committed batch
  unsigned threads = 0;
  std::string store = ":memory:";
  bool insecure_tls = false;
  std::string ca_file;
  std::uint32_t timeout_ms = 30000;
  bool quiet = false;
};

void add_options(CLI::App& app, Options& o) {
  // CLI11 gives each option added after option_defaults()->group(...) that group.
  app.option_defaults()->group("Derivation");
  app.add_option("--rollup-id", o.rollup_id, "The rollup's chain id, as registered")->required();
  app.add_option(
         "--from-batch", o.from_batch,
         "Count and time batches from this one on; earlier batches are still replayed (the state can only "
         "be rebuilt from genesis) and still checked")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 62));
  app.add_option("--to-batch", o.to_batch, "Stop after this batch (default: the last committed one)");
  app.add_option("--threads", o.threads, "Execution threads (default: all)")->check(CLI::Range(0u, 256u));
  app.add_option("--store", o.store,
                 "SQLite file for the derived batches (default: in memory; must not exist yet). A file keeps "
                 "memory flat on long chains");

  app.option_defaults()->group("Base chain");
  app.add_option("--base-chain", o.base_chain, "basechaind's JSON-RPC URL (http:// or https://)")->required();
  app.add_option("--timeout-ms", o.timeout_ms, "Timeout of one request to the base chain")
      ->capture_default_str()
      ->check(CLI::Range(1u, 3'600'000u));
  // The same names as sequencerd's; the old spellings still work, hidden and deprecated.
  app.add_option("--settlement.ca-file", o.ca_file,
                 "PEM certificates to verify an https base chain (default: the system's)")
      ->check(CLI::ExistingFile);
  app.add_flag("--settlement.insecure-tls", o.insecure_tls,
               "Accept any certificate from an https base chain (self-signed dev chains only)");
  auto deprecated = [](const char* old_name, const char* new_name) {
    return [old_name, new_name](const std::string& /*value*/) {
      std::cerr << "rollup-derive: " << old_name << " is deprecated; use " << new_name << std::endl;
    };
  };
  app.add_option("--ca-file", o.ca_file)
      ->check(CLI::ExistingFile)
      ->group("")
      ->each(deprecated("--ca-file", "--settlement.ca-file"));
  app.add_flag("--insecure", o.insecure_tls)
      ->group("")
      ->each(deprecated("--insecure", "--settlement.insecure-tls"));

  app.option_defaults()->group("Output");
  app.add_flag("--json", o.json, "Print the result as one JSON object on stdout");
  app.add_flag("--quiet", o.quiet, "No progress lines on stderr");
}

int usage_or_connection_error(const Options& o, const std::string& message) {
  if (o.json) {
    std::cout << nlohmann::json{{"result", "error"}, {"error", message}}.dump() << std::endl;
  } else {
    std::cerr << "rollup-derive: " << message << std::endl;
  }
  return 2;
}

}  // namespace

int run(int argc, char** argv) {
  Options o;
  CLI::App app(kDescription, "rollup-derive");
  l2::cli::setup_program(app);
  add_options(app, o);
  if (auto exit = l2::cli::parse(app, argc, argv)) return *exit;

  l2::http::ClientOptions http;
  http.insecure = o.insecure_tls;
  http.ca_file = o.ca_file;
  http.timeout = std::chrono::milliseconds(o.timeout_ms);
  auto client = l2::settlement::BaseChainClient::create(o.base_chain, http);
  if (!client) return usage_or_connection_error(o, client.error());
  l2::settlement::BaseChainSource source(**client, l2::ChainId(o.rollup_id));

  l2::settlement::DeriveOptions options;
  options.threads = o.threads;
  options.store_path = o.store;
  auto deriver = l2::settlement::Deriver::create(source, options);
  if (!deriver) return usage_or_connection_error(o, deriver.error().message);
  const auto& info = (*deriver)->rollup_info();
  if (!o.quiet)
    std::cerr << "rollup " << o.rollup_id << ": operator " << info.operator_key.hex() << ", "
              << info.last_batch.value() << " batches committed, genesis root " << info.genesis_root.hex()
              << std::endl;

  l2::settlement::Deriver::RunOptions run;
  if (o.to_batch != 0) run.upto = l2::BatchNumber(o.to_batch);
  run.count_from = l2::BatchNumber(o.from_batch);
  auto last_print = std::chrono::steady_clock::now();
  const l2::BatchNumber final_batch = run.upto ? *run.upto : info.last_batch;
  if (!o.quiet) {
    run.progress = [&](const l2::rollup::BatchHeader& h, const l2::settlement::DeriveStats& s) {
      const auto now = std::chrono::steady_clock::now();
      // At most about one line a second, and always the last batch.
      if (now - last_print < std::chrono::seconds(1) && h.number != final_batch) return;
      last_print = now;
      std::fprintf(stderr, "batch %llu ok: root %s, %llu txs derived, %.0f txs/s\n",
                   static_cast<unsigned long long>(h.number.value()), h.state_root.hex().c_str(),
                   static_cast<unsigned long long>(s.txs), s.txs_per_second());
    };
  }
  auto result = (*deriver)->run(run);
  if (!result) return usage_or_connection_error(o, result.error().message);

  const l2::settlement::DeriveStats& s = (*deriver)->stats();
  if (*result) {
    const l2::settlement::Mismatch& m = **result;
    if (o.json) {
      std::cout << nlohmann::json{{"result", "mismatch"},
                                  {"rollup_id", std::to_string(o.rollup_id)},
                                  {"batch", std::to_string(m.batch.value())},
                                  {"kind", std::string(to_string(m.kind))},
                                  {"expected", m.expected},
                                  {"got", m.got},
                                  {"detail", m.detail},
                                  {"verified_upto", std::to_string((*deriver)->verified().value())}}
                       .dump()
                << std::endl;
    } else {
      std::cout << "MISMATCH at batch " << m.batch.value() << ": " << to_string(m.kind) << "\n"
                << "  expected: " << m.expected << "\n"
                << "  got:      " << m.got << "\n";
      if (!m.detail.empty()) std::cout << "  detail:   " << m.detail << "\n";
      const std::uint64_t verified = (*deriver)->verified().value();
      if (verified == 0) {
        std::cout << "no batch derived correctly before it" << std::endl;
      } else {
        std::cout << "every batch up to " << verified << " derived correctly" << std::endl;
      }
    }
    return 1;
  }
  if (o.json) {
    std::cout << nlohmann::json{{"result", "ok"},
                                {"rollup_id", std::to_string(o.rollup_id)},
                                {"head", std::to_string((*deriver)->verified().value())},
                                {"state_root", (*deriver)->state_root().hex()},
                                {"batches", s.batches},
                                {"txs", s.txs},
                                {"payload_txs", s.payload_txs},
                                {"seconds", s.derive_seconds},
                                {"txs_per_second", s.txs_per_second()}}
                     .dump()
              << std::endl;
  } else {
    std::printf("OK: rollup %llu derived up to batch %llu, state root %s\n",
                static_cast<unsigned long long>(o.rollup_id),
                static_cast<unsigned long long>((*deriver)->verified().value()),
                (*deriver)->state_root().hex().c_str());
    std::printf("    %llu batches, %llu txs in %.3f s: %.0f txs/s\n",
                static_cast<unsigned long long>(s.batches), static_cast<unsigned long long>(s.txs),
                s.derive_seconds, s.txs_per_second());
  }
  return 0;
}

// An exception that escapes (std::bad_alloc, say) ends the program with a message and
// status 1 instead of std::terminate.
int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "rollup-derive: " << e.what() << std::endl;
    return 1;
  }
}
