// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// history_bench: what an account proof as of an earlier batch costs (GET
// /v1/accounts/{id}/proof?batch=n, rollup/history.hpp), against the proof as of the latest
// durable batch measured in the same run on the same engine (the baseline). For each
// depth d (batches behind the head) it reports the medians, over --samples random
// accounts, of the three steps: reading the diffs after n from SQLite (no engine lock),
// gathering the nodes and keys under the engine's shared lock (what can hold up the
// sequencer's pipeline), and hashing the changed paths; with the account changes walked.
//
// The state: --accounts accounts created by deposits, then --batches batches of
// --batch-size uniform transfers among them, in a SQLite file under $TMPDIR (removed at
// the end). The transfers carry no signatures and are submitted as already checked
// (BatchInput::sigs), which the engine trusts: signing is not what this measures.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "bench/bench_util.hpp"
#include "common/cli/usage.hpp"
#include "common/crypto.hpp"
#include "rollup/engine.hpp"
#include "rollup/history.hpp"

namespace l2::bench {
namespace {

constexpr int kExitFailed = 1;

struct Options {
  std::uint32_t accounts = 1'000'000;
  std::size_t batch_size = 10'000;
  std::size_t batches = 100;
  std::size_t samples = 15;
  std::vector<std::size_t> depths = {0, 1, 10, 100};
  bool json = false;
  std::uint64_t seed = 1;
};

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

int run(const Options& o) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("history_bench-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  struct Cleanup {
    std::filesystem::path p;
    ~Cleanup() {
      std::error_code ec;
      std::filesystem::remove_all(p, ec);
    }
  } cleanup{dir};
  const BenchKeys keys("history_bench");
  rollup::EngineOptions eo;
  eo.store.path = (dir / "rollup.db").string();
  eo.store.chain_id = ChainId(1);
  eo.store.operator_key = keys.filler_key(0);
  auto engine = rollup::Engine::open(eo);
  if (!engine) {
    std::fprintf(stderr, "history_bench: %s\n", engine.error().message.c_str());
    return kExitFailed;
  }
  rollup::Engine& e = **engine;
  auto submit = [&](std::vector<rollup::Tx> txs, bool trusted) {
    std::vector<rollup::SigCheck> sigs(trusted ? txs.size() : 0, rollup::SigCheck::valid);
    auto r = e.submit(rollup::BatchInput{std::move(txs), std::move(sigs), 0}).get();
    if (!r) {
      std::fprintf(stderr, "history_bench: %s\n", r.error().message.c_str());
      std::exit(kExitFailed);
    }
  };
  progress("creating %u accounts", o.accounts);
  std::uint64_t deposit_id = 0;
  for (std::uint32_t first = 1; first <= o.accounts; first += 100'000) {
    std::vector<rollup::Tx> txs;
    for (std::uint32_t i = first; i < first + 100'000 && i <= o.accounts; ++i)
      txs.emplace_back(rollup::Deposit{DepositPosition(deposit_id++), AccountIndex(i), keys.filler_key(i),
                                       Amount(1'000'000'000)});
    submit(std::move(txs), false);
  }
  progress("%zu batches of %zu transfers", o.batches, o.batch_size);
  std::mt19937_64 rng(o.seed);
  std::uniform_int_distribution<std::uint32_t> account(1, o.accounts);
  std::vector<std::uint64_t> nonces(o.accounts + 1, 0);
  for (std::size_t b = 0; b < o.batches; ++b) {
    std::vector<rollup::Tx> txs;
    txs.reserve(o.batch_size);
    for (std::size_t k = 0; k < o.batch_size; ++k) {
      const std::uint32_t from = account(rng);
      std::uint32_t to = account(rng);
      if (to == from) to = from % o.accounts + 1;
      txs.emplace_back(rollup::Transfer{AccountIndex(from), AccountIndex(to), Amount(1), Amount(1),
                                        Nonce(nonces[from]++), Signature()});
    }
    submit(std::move(txs), true);
  }
  if (auto f = e.flush(); !f) return kExitFailed;
  auto reader = rollup::StateStore::open(eo.store);
  if (!reader) {
    std::fprintf(stderr, "history_bench: %s\n", reader.error().message.c_str());
    return kExitFailed;
  }
  const std::uint64_t head = e.durable_head().value();

  // Baseline: the proof as of the latest durable batch (what GET .../proof does today).
  std::vector<double> latest;
  for (std::size_t s = 0; s < o.samples; ++s) {
    const AccountIndex i(account(rng));
    const auto t0 = std::chrono::steady_clock::now();
    MerkleProof p = e.read_durable([&](const rollup::DurableView& v) { return v.prove(i); });
    latest.push_back(ms_since(t0));
    (void)p;
  }
  const double latest_ms = median(latest);

  int failures = 0;
  for (std::size_t depth : o.depths) {
    if (depth > o.batches) continue;
    const BatchNumber n(head - depth);
    std::vector<double> read_ms, gather_ms, finish_ms, total_ms;
    std::uint64_t changes = 0;
    std::size_t distinct = 0;
    for (std::size_t s = 0; s < o.samples; ++s) {
      const AccountIndex i(account(rng));
      const auto t0 = std::chrono::steady_clock::now();
      auto h = rollup::read_history(**reader, n, 1ull << 40);
      read_ms.push_back(ms_since(t0));
      if (!h) {
        std::fprintf(stderr, "history_bench: %s\n", h.error().message.c_str());
        return kExitFailed;
      }
      changes = h->entries;
      distinct = h->before.size();
      rollup::HistoricalRead r(*h, i, std::nullopt, true);
      const auto t1 = std::chrono::steady_clock::now();
      const bool gathered = e.read_durable([&](const rollup::DurableView& v) { return r.gather(v); });
      gather_ms.push_back(ms_since(t1));
      const auto t2 = std::chrono::steady_clock::now();
      auto out =
          gathered
              ? r.finish()
              : Result<rollup::HistoricalAccount, rollup::HistoryError>(make_error(rollup::HistoryError{}));
      finish_ms.push_back(ms_since(t2));
      total_ms.push_back(ms_since(t0));
      if (!out || !out->proof || out->at.number != n) ++failures;
    }
    const double total = median(total_ms);
    nlohmann::json j{{"bench", "history_proof"},
                     {"accounts", o.accounts},
                     {"batch_size", o.batch_size},
                     {"depth_batches", depth},
                     {"changes_walked", changes},
                     {"accounts_changed", distinct},
                     {"samples", o.samples},
                     {"read_ms", round3(median(read_ms))},
                     {"gather_ms", round3(median(gather_ms))},
                     {"finish_ms", round3(median(finish_ms))},
                     {"total_ms", round3(total)},
                     {"latest_proof_ms", round3(latest_ms)},
                     {"ratio_to_latest", latest_ms > 0 ? round1(total / latest_ms) : 0.0},
                     {"failures", failures}};
    if (o.json) {
      std::cout << j.dump() << "\n";
    } else {
      std::printf(
          "depth %4zu batches: %9llu changes walked, read %8.3f ms, gather (lock) %8.3f ms, hash %8.3f "
          "ms, total %8.3f ms (latest-state proof %.4f ms)\n",
          depth, static_cast<unsigned long long>(changes), median(read_ms), median(gather_ms),
          median(finish_ms), total, latest_ms);
    }
    std::fflush(stdout);
  }
  return failures == 0 ? 0 : kExitFailed;
}

int parse_and_run(int argc, char** argv) {
  set_progress_name("history_bench");
  Options o;
  CLI::App app(
      "history_bench: the cost of an account proof as of an earlier batch, against the latest-state proof",
      "history_bench");
  l2::cli::setup_program(app);
  app.add_option("--accounts", o.accounts, "Accounts (indices 1..N), created by deposits")
      ->capture_default_str()
      ->check(CLI::Range(2u, 100'000'000u));
  app.add_option("--batch-size", o.batch_size, "Transfers per batch")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 20));
  app.add_option("--batches", o.batches, "Transfer batches after the deposits")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{100'000}));
  app.add_option("--depths", o.depths, "Batches behind the head to read as of (comma-separated)")
      ->delimiter(',');
  app.add_option("--samples", o.samples, "Reads per depth (random accounts); medians are reported")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{10'000}));
  app.add_flag("--json", o.json, "One JSON object per result line on stdout");
  app.add_option("--seed", o.seed, "Seed of the workload RNG")->capture_default_str();
  if (auto exit = l2::cli::parse(app, argc, argv)) return *exit;
  l2::ensure_sodium();
  return run(o);
}

}  // namespace
}  // namespace l2::bench

int main(int argc, char** argv) {
  try {
    return l2::bench::parse_and_run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "history_bench: %s\n", e.what());
  }
  return 2;
}
