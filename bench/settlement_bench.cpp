// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// settlement_bench: what settlement costs per transfer, and how fast a verifier can
// re-derive the state from what was posted (bench/README.md, "settlement_bench").
//
//   size:     compressed payload bytes per transfer (and the whole commit_batch base tx
//             per transfer) against the rollup wire form (97 bytes per transfer);
//   time:     encode + compress per batch (median), and decompress + decode;
//   trace:    the dispute trace of each batch (the root after every tx, with its witness:
//             what a defender computes only when a dispute asks), against re-executing the
//             batch, both sequential from the state before it;
//   derive:   Deriver over the posted commitments (payload hash, decompress, decode,
//             nonces, re-execution with every signature verified, root check), in txs/s,
//             against the raw libsodium verify rate of the same transfers on the same
//             number of threads.
//
// Phases: plan (uniform transfers, deterministic) -> keys and signatures (libsodium
// directly, the shortcut engine_bench uses, cross-checked) -> genesis: deposit batches
// through a sequencer Engine, committed to an in-memory base chain (MemorySource) ->
// the measured batches: executed by the sequencer Engine, committed with the shared
// make_commitment -> for each thread count, a fresh Deriver replays the whole chain from
// genesis; only the transfer batches are counted. Progress goes to stderr, results to
// stdout.
#include <sodium.h>
#include <zstd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <numeric>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_util.hpp"
#include "bench/engine_bench_workload.hpp"
#include "common/cli/usage.hpp"
#include "common/crypto.hpp"
#include "common/thread_pool.hpp"
#include "rollup/engine.hpp"
#include "rollup/executor.hpp"
#include "settlement/basechain/tx.hpp"
#include "settlement/batch_txs.hpp"
#include "settlement/commitment.hpp"
#include "settlement/derive.hpp"
#include "settlement/one_step.hpp"
#include "settlement/payload.hpp"

namespace l2::bench {
namespace {

using Clock = std::chrono::steady_clock;
using rollup::Tx;
using rollup::TxStatus;

constexpr ChainId kChain{1};
const BenchKeys kKeys("settlement_bench");
constexpr ChainId kBaseChain{31337};
constexpr std::uint64_t kStartBalance = 1'000'000'000'000;  // per account; the plan spends far less
constexpr std::size_t kGenesisBatch = 50'000;               // deposits per genesis batch

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;  // a transfer was rejected, a commitment failed, or derivation disagreed
constexpr int kExitSetup = 3;

double ms_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

struct Options {
  std::uint32_t accounts = 1'000'000;
  std::size_t batch_size = 10'000;
  std::size_t batches = 5;
  std::vector<unsigned> threads;
  bool json = false;
  std::uint64_t seed = 20261122;
};

std::vector<unsigned> default_threads(unsigned hw) {
  std::vector<unsigned> out;
  for (unsigned t = 1; t < hw; t *= 2) out.push_back(t);
  out.push_back(hw);
  return out;
}

// Uniform transfers between accounts 1..N, amounts 1..1,000,000, fee 1, each with its
// sender's next nonce.
std::vector<Tx> make_transfers(const Options& o) {
  PairSampler sampler(Workload::uniform, o.accounts);
  std::mt19937_64 rng(o.seed);
  std::uniform_int_distribution<std::uint64_t> amount(1, kMaxAmount);
  std::vector<std::uint64_t> nonces(static_cast<std::size_t>(o.accounts) + 1, 0);
  std::vector<Tx> txs;
  txs.reserve(o.batches * o.batch_size);
  for (std::size_t i = 0; i < o.batches * o.batch_size; ++i) {
    const auto [from, to] = sampler.draw(rng);
    txs.emplace_back(rollup::Transfer{AccountIndex(from), AccountIndex(to), Amount(amount(rng)), Amount(kFee),
                                      Nonce(nonces[from]++), Signature{}});
  }
  return txs;
}

// The sequencer's side: executes batches and commits them to the in-memory base chain
// exactly as the sequencer does (make_commitment over the batch, its receipts and origin).
class Sequencer {
 public:
  static std::optional<Sequencer> open(const PublicKey& operator_key) {
    rollup::EngineOptions eo;
    eo.store.path = ":memory:";
    eo.store.synchronous_full = false;
    eo.store.chain_id = kChain;
    eo.store.operator_key = operator_key;
    auto engine = rollup::Engine::open(eo);
    if (!engine) {
      progress("cannot open the sequencer's engine: %s", engine.error().message.c_str());
      return std::nullopt;
    }
    settlement::RollupInfo info;
    info.rollup_id = kChain;
    info.sequencer = operator_key;
    info.operator_key = operator_key;
    info.genesis_root = (*engine)->state_root();
    info.last_root = info.genesis_root;
    return Sequencer(std::move(*engine), std::make_unique<settlement::MemorySource>(info));
  }

  struct Committed {
    rollup::CommittedBatch batch;
    settlement::Commitment commitment;
    double make_commitment_ms = 0;
    std::uint64_t rejected = 0;
  };
  // Executes the queued deposits and then `user_txs` as the next batch and commits it.
  std::optional<Committed> batch(std::vector<Tx> user_txs) {
    const settlement::BatchOrigin origin{deposits_done_, base_->info().deposits_end(), {}, {}};
    auto deposits = base_->deposits(origin.deposits_from, static_cast<std::uint32_t>(origin.deposit_count()));
    auto listed = settlement::batch_txs(origin, *deposits, {}, std::move(user_txs));
    if (!listed) {
      progress("batch failed: %s", listed.error().c_str());
      return std::nullopt;
    }
    std::vector<Tx> txs = std::move(*listed);
    auto done = engine_->submit(rollup::BatchInput{txs, {}, ++clock_ms_}).get();
    if (!done) {
      progress("batch failed: %s", done.error().message.c_str());
      return std::nullopt;
    }
    Committed out;
    for (const auto& r : done->receipts) out.rejected += r.status == TxStatus::applied ? 0 : 1;
    const auto t0 = Clock::now();
    auto c = settlement::make_commitment(
        settlement::CommittedBatchView{kChain, done->header, txs, done->receipts, origin, {}});
    out.make_commitment_ms = ms_between(t0, Clock::now());
    if (!c) {
      progress("make_commitment: %s", c.error().c_str());
      return std::nullopt;
    }
    base_->add_commitment(*c);
    deposits_done_ = origin.deposits_upto;
    out.batch = std::move(*done);
    out.commitment = std::move(*c);
    return out;
  }

  settlement::MemorySource& base() { return *base_; }
  rollup::Engine& engine() { return *engine_; }

 private:
  Sequencer(std::unique_ptr<rollup::Engine> engine, std::unique_ptr<settlement::MemorySource> base)
      : engine_(std::move(engine)), base_(std::move(base)) {}
  std::unique_ptr<rollup::Engine> engine_;
  std::unique_ptr<settlement::MemorySource> base_;
  DepositPosition deposits_done_;
  std::int64_t clock_ms_ = 0;
};

struct SizeResult {
  std::size_t transfers = 0;
  std::size_t wire_bytes = 0;        // rollup wire forms of the transfers
  std::size_t raw_bytes = 0;         // raw payloads
  std::size_t compressed_bytes = 0;  // compressed payloads
  std::size_t commit_tx_bytes = 0;   // whole signed commit_batch base txs
  std::vector<double> encode_ms, compress_ms, make_commitment_ms, open_ms;
  // A dispute's trace of each batch (settlement/one_step.hpp, derived_trace: the root
  // after every tx, with its witness), against re-executing it (execute_sequential), both
  // from the state before the batch on one thread.
  std::vector<double> trace_ms, execute_ms;
  std::uint64_t failures = 0;
};

struct VerifyLimit {
  double tps = 0;
  std::uint64_t invalid = 0;
};

VerifyLimit measure_verify_limit(const std::vector<Bytes>& messages, const std::vector<Tx>& txs,
                                 const std::vector<PublicKey>& pubkeys, unsigned threads) {
  ThreadPool pool(threads);
  std::atomic<std::uint64_t> invalid{0};
  const auto t0 = Clock::now();
  pool.parallel_for(messages.size(), 64, [&](std::size_t b, std::size_t e) {
    std::uint64_t bad = 0;
    for (std::size_t i = b; i < e; ++i) {
      const auto& t = std::get<rollup::Transfer>(txs[i]);
      if (crypto_sign_verify_detached(t.signature.data(), messages[i].data(), messages[i].size(),
                                      pubkeys[t.from.value()].data()) != 0)
        ++bad;
    }
    invalid.fetch_add(bad, std::memory_order_relaxed);
  });
  const double s = std::chrono::duration<double>(Clock::now() - t0).count();
  return {static_cast<double>(messages.size()) / s, invalid.load()};
}

struct DeriveResult {
  unsigned threads = 1;
  double derive_tps = 0;
  double derive_seconds = 0;
  double genesis_replay_s = 0;
  std::uint64_t derived_txs = 0;
  settlement::DeriveStats stats;
  double verify_limit_tps = 0;
  double verify_limit_before_tps = 0;
  double verify_limit_after_tps = 0;
  std::uint64_t failures = 0;  // mismatches and invalid signatures
  std::string mismatch;
};

// The measured transfers, their signing messages and every account's key: what the
// verify limit checks.
struct SignedTransfers {
  const std::vector<Bytes>& messages;
  const std::vector<Tx>& txs;
  const std::vector<PublicKey>& pubkeys;
};

std::optional<DeriveResult> measure_derive(settlement::MemorySource& base, BatchNumber first_measured,
                                           unsigned threads, const SignedTransfers& signed_txs) {
  const std::vector<Bytes>& messages = signed_txs.messages;
  const std::vector<Tx>& txs = signed_txs.txs;
  const std::vector<PublicKey>& pubkeys = signed_txs.pubkeys;
  DeriveResult r;
  r.threads = threads;
  const VerifyLimit before = measure_verify_limit(messages, txs, pubkeys, threads);
  settlement::DeriveOptions options;
  options.threads = threads;
  auto deriver = settlement::Deriver::create(base, options);
  if (!deriver) {
    progress("cannot create the deriver: %s", deriver.error().message.c_str());
    return std::nullopt;
  }
  // Genesis replay: the deposit batches, not counted.
  settlement::Deriver::RunOptions genesis;
  genesis.upto = BatchNumber(first_measured.value() - 1);
  genesis.count_from = first_measured;
  const auto t0 = Clock::now();
  auto g = (*deriver)->run(genesis);
  r.genesis_replay_s = std::chrono::duration<double>(Clock::now() - t0).count();
  settlement::Deriver::RunOptions measured;
  measured.count_from = first_measured;
  auto m = g && !*g ? (*deriver)->run(measured) : g;
  if (!m) {
    progress("derivation failed: %s", m.error().message.c_str());
    return std::nullopt;
  }
  if (*m) {
    r.mismatch = settlement::describe(**m);
    progress("derivation disagrees: %s", r.mismatch.c_str());
    ++r.failures;
  }
  const VerifyLimit after = measure_verify_limit(messages, txs, pubkeys, threads);
  r.derive_tps = (*deriver)->stats().txs_per_second();
  r.derive_seconds = (*deriver)->stats().derive_seconds;
  r.derived_txs = (*deriver)->stats().txs;
  r.stats = (*deriver)->stats();
  r.verify_limit_before_tps = before.tps;
  r.verify_limit_after_tps = after.tps;
  r.verify_limit_tps = std::max(before.tps, after.tps);  // noise only slows a measurement
  r.failures += std::max(before.invalid, after.invalid);
  return r;
}

int run(const Options& o) {
  const unsigned hw = std::max(1u, std::thread::hardware_concurrency());
  ThreadPool pool(hw);
  auto t = Clock::now();
  std::vector<Tx> transfers = make_transfers(o);
  auto signed_by = make_keys_and_sign(kKeys, kChain, transfers, o.accounts, pool);
  if (!signed_by) return kExitSetup;
  const std::uint32_t senders = signed_by->senders;
  const std::vector<PublicKey> pubkeys = std::move(signed_by->pubkeys);
  progress("planned and signed %zu transfers (%u senders with real keys) in %.1f s", transfers.size(),
           senders, ms_between(t, Clock::now()) / 1000);

  auto seq = Sequencer::open(pubkeys[0]);
  if (!seq) return kExitSetup;
  t = Clock::now();
  for (std::size_t first = 1; first < pubkeys.size(); first += kGenesisBatch) {
    const std::size_t last = std::min(pubkeys.size(), first + kGenesisBatch);
    for (std::size_t i = first; i < last; ++i) seq->base().add_deposit(pubkeys[i], Amount(kStartBalance));
    auto b = seq->batch({});
    if (!b) return kExitSetup;
    if (b->rejected != 0) {
      progress("genesis deposits rejected");
      return kExitSetup;
    }
  }
  const BatchNumber first_measured(seq->engine().head().number.value() + 1);
  progress("genesis: %u accounts in %llu deposit batches, %.1f s", o.accounts,
           static_cast<unsigned long long>(first_measured.value() - 1), ms_between(t, Clock::now()) / 1000);

  // The measured batches: executed, committed, then the size and time of their payloads.
  SizeResult size;
  const SecretKey operator_key = SecretKey::from_seed(kKeys.operator_seed());
  for (std::size_t b = 0; b < o.batches; ++b) {
    const auto begin = transfers.begin() + static_cast<std::ptrdiff_t>(b * o.batch_size);
    std::vector<Tx> txs(begin, begin + static_cast<std::ptrdiff_t>(o.batch_size));
    const rollup::State pre = seq->engine().state();  // the batcher's view: nothing in flight
    auto c = seq->batch(txs);
    if (!c) return kExitSetup;
    {
      const settlement::CommitmentHeader& h = c->commitment.header;
      const settlement::BatchOrigin none{h.deposits_upto, h.deposits_upto, h.forced_upto, h.forced_upto};
      auto named = settlement::name_txs(c->commitment, none, {}, {});
      auto ta = Clock::now();
      const settlement::DerivedTrace trace =
          named ? settlement::derived_trace(*named, pre) : settlement::DerivedTrace{};
      auto tb = Clock::now();
      const rollup::ExecutionResult executed = rollup::execute_sequential(pre, kChain, txs);
      auto tc = Clock::now();
      if (!named || trace.trace.post_root != h.new_root || trace.trace.steps.size() != txs.size() ||
          executed.applied != txs.size()) {
        progress("batch %zu: the dispute trace does not end at the committed root", b);
        ++size.failures;
      }
      size.trace_ms.push_back(ms_between(ta, tb));
      size.execute_ms.push_back(ms_between(tb, tc));
    }
    size.failures += c->rejected;
    size.transfers += txs.size();
    for (const Tx& tx : txs) size.wire_bytes += rollup::encode_tx(tx).size();
    // The payload's two steps timed on their own (make_commitment does both, plus hashing).
    auto t0 = Clock::now();
    auto raw = settlement::encode_payload(txs);
    auto t1 = Clock::now();
    const Bytes compressed = settlement::compress_payload(*raw);
    auto t2 = Clock::now();
    auto opened = settlement::open_payload(compressed);
    auto t3 = Clock::now();
    if (!opened || opened->size() != txs.size() || compressed != c->commitment.payload) {
      progress("batch %zu: the payload does not round-trip or differs from the commitment's", b);
      ++size.failures;
    }
    size.encode_ms.push_back(ms_between(t0, t1));
    size.compress_ms.push_back(ms_between(t1, t2));
    size.open_ms.push_back(ms_between(t2, t3));
    size.make_commitment_ms.push_back(c->make_commitment_ms);
    size.raw_bytes += raw->size();
    size.compressed_bytes += c->commitment.payload.size();
    settlement::BaseTx commit{PublicKey{}, Nonce(b), settlement::CommitBatchBody{c->commitment}, Signature{}};
    settlement::sign_base_tx(commit, kBaseChain, operator_key);
    size.commit_tx_bytes += settlement::encode_base_tx(commit).size();
  }
  progress("%zu measured batches committed: %.2f compressed payload bytes per transfer", o.batches,
           static_cast<double>(size.compressed_bytes) / static_cast<double>(size.transfers));

  std::vector<Bytes> messages;
  messages.reserve(transfers.size());
  for (const Tx& tx : transfers) messages.push_back(rollup::signing_preimage(kChain, tx));
  std::vector<DeriveResult> derived;
  for (unsigned threads : o.threads) {
    auto r =
        measure_derive(seq->base(), first_measured, threads, SignedTransfers{messages, transfers, pubkeys});
    if (!r) return kExitSetup;
    progress("threads %u: derive %.0f txs/s, verify limit %.0f txs/s (genesis replay %.1f s)", threads,
             r->derive_tps, r->verify_limit_tps, r->genesis_replay_s);
    derived.push_back(*r);
  }

  const double n = static_cast<double>(size.transfers);
  const double bytes_per_transfer = static_cast<double>(size.compressed_bytes) / n;
  const double wire_per_transfer = static_cast<double>(size.wire_bytes) / n;
  std::uint64_t failures = size.failures;
  for (const auto& d : derived) failures += d.failures;
  if (o.json) {
    for (const auto& d : derived) {
      nlohmann::json j;
      j["mode"] = std::string(to_string(settlement::SettlementMode::optimistic));
      j["workload"] = "uniform";
      j["threads"] = d.threads;
      j["accounts"] = o.accounts;
      j["batch_size"] = o.batch_size;
      j["batches"] = o.batches;
      j["transfers"] = size.transfers;
      j["bytes_per_transfer"] = round3(bytes_per_transfer);
      j["raw_payload_bytes_per_transfer"] = round3(static_cast<double>(size.raw_bytes) / n);
      j["commit_tx_bytes_per_transfer"] = round3(static_cast<double>(size.commit_tx_bytes) / n);
      j["wire_bytes_per_transfer"] = round3(wire_per_transfer);
      j["size_ratio"] = round3(bytes_per_transfer / wire_per_transfer);
      j["compress_ms_per_batch"] = round3(median(size.compress_ms));
      j["encode_ms_per_batch"] = round3(median(size.encode_ms));
      j["make_commitment_ms_per_batch"] = round3(median(size.make_commitment_ms));
      j["open_ms_per_batch"] = round3(median(size.open_ms));
      j["trace_ms_per_batch"] = round3(median(size.trace_ms));
      j["trace_baseline_execute_ms_per_batch"] = round3(median(size.execute_ms));
      j["trace_ratio"] = round3(median(size.trace_ms) / median(size.execute_ms));
      j["derive_tps"] = round1(d.derive_tps);
      j["verify_limit_tps"] = round1(d.verify_limit_tps);
      j["verify_limit_before_tps"] = round1(d.verify_limit_before_tps);
      j["verify_limit_after_tps"] = round1(d.verify_limit_after_tps);
      j["derive_ratio"] = round3(d.derive_tps / d.verify_limit_tps);
      j["derived_txs"] = d.derived_txs;
      j["genesis_replay_s"] = round3(d.genesis_replay_s);
      // Where the derivation's time went, ms summed over the measured batches.
      j["derive_ms"] = round1(d.stats.derive_seconds * 1000);
      j["derive_payload_ms"] = round1(d.stats.payload_ms);
      j["derive_verify_ms"] = round1(d.stats.verify_ms);
      j["derive_execute_ms"] = round1(d.stats.execute_ms);
      j["derive_merkle_ms"] = round1(d.stats.merkle_ms);
      j["derive_commit_wait_ms"] = round1(d.stats.commit_wait_ms);
      j["zstd"] = ZSTD_versionString();
      j["failures"] = size.failures + d.failures;
      j["keys"] = "senders: libsodium seed keypairs; receivers only: pseudo-random public keys";
      std::cout << j.dump() << std::endl;
    }
  } else {
    std::printf(
        "settlement_bench: uniform transfers, %u accounts, %zu batches of %zu, fee 1, amounts 1..%llu\n",
        o.accounts, o.batches, o.batch_size, static_cast<unsigned long long>(kMaxAmount));
    std::printf("\n%-34s %10s %10s %8s\n", "size per transfer", "bytes", "baseline", "ratio");
    std::printf("%-34s %10.2f %10.2f %8.3f\n", "compressed payload", bytes_per_transfer, wire_per_transfer,
                bytes_per_transfer / wire_per_transfer);
    std::printf("%-34s %10.2f %10.2f %8.3f\n", "raw payload (columnar, no nonces)",
                static_cast<double>(size.raw_bytes) / n, wire_per_transfer,
                static_cast<double>(size.raw_bytes) / n / wire_per_transfer);
    std::printf("%-34s %10.2f %10.2f %8.3f\n", "whole commit_batch base tx",
                static_cast<double>(size.commit_tx_bytes) / n, wire_per_transfer,
                static_cast<double>(size.commit_tx_bytes) / n / wire_per_transfer);
    std::printf("\n%-34s %10s\n", "per batch (median)", "ms");
    std::printf("%-34s %10.3f\n", "encode (raw payload)", median(size.encode_ms));
    std::printf("%-34s %10.3f\n", "compress (zstd level 3)", median(size.compress_ms));
    std::printf("%-34s %10.3f\n", "make_commitment (all of it)", median(size.make_commitment_ms));
    std::printf("%-34s %10.3f\n", "decompress + decode", median(size.open_ms));
    std::printf("%-34s %10.3f  (%.2f x re-executing it: %.3f ms)\n", "dispute trace (derived_trace)",
                median(size.trace_ms), median(size.trace_ms) / median(size.execute_ms),
                median(size.execute_ms));
    std::printf("\n%7s %12s %16s %8s | %9s %8s %8s %8s %8s %8s\n", "threads", "derive_tps",
                "verify_limit_tps", "ratio", "total_ms", "payload", "verify", "execute", "merkle", "commit");
    for (const auto& d : derived)
      std::printf("%7u %12.0f %16.0f %8.3f | %9.1f %8.1f %8.1f %8.1f %8.1f %8.1f\n", d.threads, d.derive_tps,
                  d.verify_limit_tps, d.derive_tps / d.verify_limit_tps, d.stats.derive_seconds * 1000,
                  d.stats.payload_ms, d.stats.verify_ms, d.stats.execute_ms, d.stats.merkle_ms,
                  d.stats.commit_wait_ms);
    std::printf(
        "(derivation ms summed over the measured batches: payload = hash + decompress + decode + nonces;\n"
        " verify/execute/merkle = the engine's stages; commit = waiting for its in-memory SQLite commit)\n");
    std::printf("\nfailures: %llu\n", static_cast<unsigned long long>(failures));
  }
  return failures == 0 ? kExitOk : kExitFailed;
}

}  // namespace
}  // namespace l2::bench

namespace {
int parse_and_run(int argc, char** argv) {
  l2::bench::set_progress_name("settlement_bench");
  l2::bench::Options o;
  CLI::App app("settlement_bench: posted bytes per transfer, compression time and derivation speed",
               "settlement_bench");
  l2::cli::setup_program(app);
  app.add_option("--accounts", o.accounts, "User accounts (indices 1..N), created by deposits")
      ->check(CLI::Range(3u, 100'000'000u));
  app.add_option("--batch-size", o.batch_size, "Transfers per batch")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 20));
  app.add_option("--batches", o.batches, "Measured batches")
      ->check(CLI::Range(std::size_t{1}, std::size_t{100'000}));
  app.add_option("--threads", o.threads, "Thread counts of the derivation runs (comma-separated)")
      ->delimiter(',')
      ->check(CLI::Range(1u, 1024u));
  app.add_flag("--json", o.json, "One JSON object per result line on stdout");
  app.add_option("--seed", o.seed, "Seed of the workload RNG");
  if (auto exit = l2::cli::parse(app, argc, argv)) return *exit;
  if (o.threads.empty())
    o.threads = l2::bench::default_threads(std::max(1u, std::thread::hardware_concurrency()));
  l2::ensure_sodium();
  return l2::bench::run(o);
}
}  // namespace

// An exception that escapes (a failed allocation, a bug) ends the run with a message and
// the setup exit code rather than std::terminate.
int main(int argc, char** argv) {
  try {
    return parse_and_run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "settlement_bench: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "settlement_bench: unknown exception\n");
  }
  return l2::bench::kExitSetup;
}
