// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// engine_bench: end-to-end throughput of the rollup engine (verify -> execute ->
// merkleize -> SQLite commit, pipelined through Engine::submit) against the raw
// Ed25519 verify rate of the same signed messages on the same number of threads.
// bench/README.md explains the columns, the phases and the shortcut on keys.
//
// Phases: plan the workloads (deterministic) -> derive the senders' keys and sign every
// transfer -> create the accounts with deposit batches through the engine (genesis) ->
// for each thread count, reopen the engine on the same database file and measure each
// workload: the verify limit, the end-to-end pass, the execution-only pass. Only the
// last three are timed. Progress goes to stderr; results to stdout.
#include <sodium.h>
#include <time.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <numeric>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_util.hpp"
#include "bench/engine_bench_workload.hpp"
#include "common/cli/usage.hpp"
#include "common/crypto.hpp"
#include "common/sqlite.hpp"
#include "common/thread_pool.hpp"
#include "rollup/engine.hpp"

namespace l2::bench {
namespace {

using rollup::BatchInput;
using rollup::Engine;
using rollup::EngineOptions;
using rollup::SigCheck;
using rollup::StageTimings;
using rollup::Tx;
using rollup::TxStatus;
using Clock = std::chrono::steady_clock;

constexpr ChainId kChain{1};
const BenchKeys kKeys("engine_bench");
constexpr std::uint64_t kMinStartBalance = 1'000'000'000'000;  // per account; raised if a sender needs more
constexpr std::size_t kGenesisBatch = 50'000;                  // deposits per genesis batch
constexpr const char* kDbFile = "engine_bench.sqlite";

constexpr int kExitOk = 0;
constexpr int kExitRejected = 1;  // some measured tx was not applied
constexpr int kExitSetup = 3;     // the engine, the database or the setup failed

double ms_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

// CPU use over an interval: this process's CPU time (all threads) and every CPU's busy
// time from /proc/stat (steal included), so that what other processes took from the
// shared machine during a measurement is visible next to it.
struct CpuClock {
  Clock::time_point wall;
  double process_s = 0;
  double machine_busy_s = -1;  // -1: /proc/stat unreadable
};
CpuClock cpu_now() {
  CpuClock c;
  timespec ts{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  c.process_s = static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
  std::ifstream stat("/proc/stat");
  std::string label;
  std::uint64_t user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
  if (stat >> label >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal &&
      label == "cpu") {
    const auto ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
    c.machine_busy_s = static_cast<double>(user + nice + system + irq + softirq + steal) / ticks;
  }
  c.wall = Clock::now();
  return c;
}
struct CpuUse {
  double own_cores = 0;      // this process's CPU seconds per wall second
  double foreign_cores = 0;  // everybody else's (and the hypervisor's steal), -1 if unknown
};
CpuUse cpu_use(const CpuClock& a, const CpuClock& b) {
  const double wall_s = std::chrono::duration<double>(b.wall - a.wall).count();
  CpuUse u;
  if (wall_s <= 0) return u;
  const double own = b.process_s - a.process_s;
  u.own_cores = own / wall_s;
  u.foreign_cores = a.machine_busy_s < 0 || b.machine_busy_s < 0
                        ? -1
                        : std::max(0.0, (b.machine_busy_s - a.machine_busy_s - own) / wall_s);
  return u;
}

struct Options {
  std::uint32_t accounts = 1'000'000;
  std::size_t batch_size = 10'000;
  std::size_t batches = 5;
  std::vector<unsigned> threads;
  std::vector<std::string> workload_names{"uniform", "zipf", "hot-receiver"};
  std::vector<Workload> workloads;
  std::string dir;
  bool json = false;
  std::uint64_t seed = 20261122;
  std::size_t corrupt = 0;  // testing only: signatures to break in the first measured pass
};

std::vector<unsigned> default_threads(unsigned hw) {
  std::vector<unsigned> out;
  for (unsigned t = 1; t < hw; t *= 2) out.push_back(t);
  out.push_back(hw);
  return out;
}

// If the bench is interrupted (Ctrl-C, SIGTERM), the signal handler removes the
// database files and the directory with unlink/rmdir (async-signal-safe), then dies of
// the signal as usual.
constexpr std::size_t kMaxCleanupPath = 4096;
constexpr const char* kDbSuffixes[] = {"", "-wal", "-shm", "-journal"};
char cleanup_files[std::size(kDbSuffixes)][kMaxCleanupPath];
char cleanup_dir[kMaxCleanupPath];
volatile std::sig_atomic_t cleanup_armed = 0;

void on_fatal_signal(int sig) {
  if (cleanup_armed != 0) {
    for (const char* f : cleanup_files) ::unlink(f);
    ::rmdir(cleanup_dir);
  }
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

void arm_cleanup(const std::filesystem::path& dir, const char* db_file) {
  const std::string d = dir.string();
  const std::string f = (dir / db_file).string();
  if (d.size() + 16 >= kMaxCleanupPath || f.size() + 16 >= kMaxCleanupPath) return;
  std::snprintf(cleanup_dir, kMaxCleanupPath, "%s", d.c_str());
  for (std::size_t i = 0; i < std::size(kDbSuffixes); ++i)
    std::snprintf(cleanup_files[i], kMaxCleanupPath, "%s%s", f.c_str(), kDbSuffixes[i]);
  cleanup_armed = 1;
  std::signal(SIGINT, on_fatal_signal);
  std::signal(SIGTERM, on_fatal_signal);
  std::signal(SIGHUP, on_fatal_signal);
}

// A fresh directory (mkdtemp) that is removed, with everything in it, on destruction.
class TempDir {
 public:
  static std::optional<TempDir> create(const std::filesystem::path& parent) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    std::string pattern = (parent / "engine_bench.XXXXXX").string();
    std::vector<char> buf(pattern.begin(), pattern.end());
    buf.push_back('\0');
    if (::mkdtemp(buf.data()) == nullptr) return std::nullopt;
    TempDir d;
    d.path_ = std::filesystem::path(buf.data());
    return d;
  }
  TempDir(TempDir&& o) noexcept : path_(std::move(o.path_)) { o.path_.clear(); }
  TempDir& operator=(TempDir&&) = delete;
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    if (path_.empty()) return;
    cleanup_armed = 0;
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  TempDir() = default;
  std::filesystem::path path_;
};

// One timed pass: every batch submitted back to back, then the last ack awaited, then
// Engine::checkpoint() (its time is added to the commit stage and to the pass).
struct PassResult {
  std::size_t txs = 0;
  std::size_t batches = 0;
  double wall_ms = 0;             // first submit until the last batch is durable
  double checkpoint_ms = 0;       // Engine::checkpoint() after that
  double checkpoint_cpu_ms = 0;   // process CPU time in it (the rest of it waits on the disk)
  double e2e_ms = 0;              // wall_ms + checkpoint_ms
  double tps = 0;                 // txs / e2e
  StageTimings total;             // summed over the batches; commit_ms includes checkpoint_ms
  StageTimings per_batch_median;  // commit without the final checkpoint
  double submit_other_ms = 0;     // caller time in submit() outside the three caller stages
  double drain_ms = 0;            // last submit() returned -> last batch durable
  CpuUse cpu;
  std::uint64_t failures = 0;
  std::map<std::string, std::uint64_t> failures_by_status;
};

// One verify-limit measurement.
struct VerifyLimit {
  double ms = 0;
  double tps = 0;
  std::uint64_t invalid = 0;
  CpuUse cpu;
};

// Other processes used more than this many cores during a measurement: flag the row.
constexpr double kNoisyForeignCores = 0.10;

struct RunResult {
  Workload workload = Workload::uniform;
  unsigned threads = 1;
  // The verify limit is measured just before and just after the end-to-end pass; the
  // faster of the two is the limit (noise can only lower a measurement), so a burst of
  // other load during one of them does not flatter the ratio.
  double verify_limit_ms = 0;
  double verify_limit_tps = 0;
  double verify_limit_before_tps = 0;
  double verify_limit_after_tps = 0;
  std::uint64_t verify_limit_invalid = 0;
  CpuUse verify_limit_cpu;
  void set_verify_limit(const VerifyLimit& before, const VerifyLimit& after) {
    const VerifyLimit& best = after.tps > before.tps ? after : before;
    verify_limit_ms = best.ms;
    verify_limit_tps = best.tps;
    verify_limit_cpu = best.cpu;
    verify_limit_before_tps = before.tps;
    verify_limit_after_tps = after.tps;
    verify_limit_invalid = std::max(before.invalid, after.invalid);
  }
  PassResult e2e;
  PassResult exec_only;
  [[nodiscard]] bool noisy() const {
    return e2e.cpu.foreign_cores > kNoisyForeignCores || verify_limit_cpu.foreign_cores > kNoisyForeignCores;
  }
  // Every tx that was not applied, in either pass, and every bad signature of the limit.
  [[nodiscard]] std::uint64_t failures() const {
    return e2e.failures + exec_only.failures + verify_limit_invalid;
  }
};

struct Setup {
  std::uint32_t senders = 0;  // accounts with a real key
  std::uint64_t start_balance = 0;
  double plan_ms = 0;
  double sign_ms = 0;
  double genesis_ms = 0;
  std::vector<double> open_ms;
  std::string db_path;
  std::string journal_mode;
  std::int64_t synchronous = -1;
  std::int64_t page_size = 0;
  std::int64_t wal_autocheckpoint = 0;
  std::uintmax_t db_bytes = 0;
};

std::string engine_error(const rollup::EngineError& e) { return e.message; }

std::vector<BatchInput> make_inputs(const Plan& plan, const std::vector<BatchRange>& ranges, bool preverified,
                                    std::int64_t& clock_ms) {
  std::vector<BatchInput> inputs;
  inputs.reserve(ranges.size());
  for (const BatchRange& r : ranges) {
    BatchInput in;
    in.txs.assign(plan.txs.begin() + static_cast<std::ptrdiff_t>(r.begin),
                  plan.txs.begin() + static_cast<std::ptrdiff_t>(r.end));
    if (preverified) in.sigs.assign(in.txs.size(), SigCheck::valid);
    in.timestamp_ms = ++clock_ms;
    inputs.push_back(std::move(in));
  }
  return inputs;
}

// Returns nullopt (after printing why) if the engine failed.
std::optional<PassResult> run_pass(Engine& engine, std::vector<BatchInput> inputs) {
  PassResult out;
  out.batches = inputs.size();
  std::vector<std::size_t> inputs_size;
  for (const auto& in : inputs) {
    out.txs += in.txs.size();
    inputs_size.push_back(in.txs.size());
  }
  std::vector<Engine::Ack> acks;
  acks.reserve(inputs.size());
  std::vector<double> submit_ms;
  submit_ms.reserve(inputs.size());

  const CpuClock c0 = cpu_now();
  const auto t0 = c0.wall;
  for (auto& in : inputs) {
    const auto s = Clock::now();
    acks.push_back(engine.submit(std::move(in)));
    submit_ms.push_back(ms_between(s, Clock::now()));
  }
  const auto t_submitted = Clock::now();
  acks.back().wait();
  const CpuClock c_durable = cpu_now();
  const auto t_durable = c_durable.wall;
  auto cp = engine.checkpoint();
  const CpuClock c1 = cpu_now();
  const auto t_end = c1.wall;
  out.cpu = cpu_use(c0, c1);
  out.checkpoint_cpu_ms = (c1.process_s - c_durable.process_s) * 1000;
  if (!cp) {
    progress("checkpoint failed: %s", engine_error(cp.error()).c_str());
    return std::nullopt;
  }
  out.wall_ms = ms_between(t0, t_durable);
  out.checkpoint_ms = ms_between(t_durable, t_end);
  out.e2e_ms = ms_between(t0, t_end);
  out.drain_ms = ms_between(t_submitted, t_durable);
  out.tps = static_cast<double>(out.txs) / (out.e2e_ms / 1000.0);

  std::vector<double> v, e, m, c;
  for (std::size_t i = 0; i < acks.size(); ++i) {
    auto r = acks[i].get();
    if (!r) {
      progress("batch failed: %s", engine_error(r.error()).c_str());
      return std::nullopt;
    }
    const StageTimings& t = r->timings;
    v.push_back(t.verify_ms);
    e.push_back(t.execute_ms);
    m.push_back(t.merkle_ms);
    c.push_back(t.commit_ms);
    out.total.verify_ms += t.verify_ms;
    out.total.execute_ms += t.execute_ms;
    out.total.merkle_ms += t.merkle_ms;
    out.total.commit_ms += t.commit_ms;
    out.submit_other_ms += submit_ms[i] - t.verify_ms - t.execute_ms - t.merkle_ms;
    std::uint64_t rejected = 0;
    for (const auto& receipt : r->receipts) {
      if (receipt.status == TxStatus::applied) continue;
      ++rejected;
      ++out.failures_by_status[std::string(rollup::to_string(receipt.status))];
    }
    out.failures += rejected;
    if (r->receipts.size() != inputs_size[i] || r->header.applied_count + rejected != r->header.tx_count) {
      progress("batch %llu: receipts and header disagree",
               static_cast<unsigned long long>(r->header.number.value()));
      ++out.failures;
      ++out.failures_by_status["receipt_mismatch"];
    }
  }
  out.total.commit_ms += out.checkpoint_ms;
  out.per_batch_median = StageTimings{median(v), median(e), median(m), median(c)};
  return out;
}

// The raw limit: crypto_sign_verify_detached over the pass's signed messages, spread
// over `threads` threads doing nothing else. Messages are built before the clock starts.
struct VerifyJob {
  std::vector<Bytes> messages;
  std::vector<const rollup::Transfer*> transfers;
};
VerifyJob make_verify_job(const Plan& plan, const std::vector<BatchRange>& ranges) {
  VerifyJob job;
  for (const BatchRange& r : ranges) {
    for (std::size_t i = r.begin; i < r.end; ++i) {
      job.messages.push_back(rollup::signing_preimage(kChain, plan.txs[i]));
      job.transfers.push_back(&std::get<rollup::Transfer>(plan.txs[i]));
    }
  }
  return job;
}

VerifyLimit measure_verify_limit(const VerifyJob& job, const std::vector<PublicKey>& pubkeys,
                                 unsigned threads) {
  ThreadPool pool(threads);
  std::atomic<std::uint64_t> invalid{0};
  const CpuClock c0 = cpu_now();
  pool.parallel_for(job.messages.size(), 64, [&](std::size_t b, std::size_t e) {
    std::uint64_t bad = 0;
    for (std::size_t i = b; i < e; ++i) {
      const rollup::Transfer& t = *job.transfers[i];
      if (crypto_sign_verify_detached(t.signature.data(), job.messages[i].data(), job.messages[i].size(),
                                      pubkeys[t.from.value()].data()) != 0)
        ++bad;
    }
    invalid.fetch_add(bad, std::memory_order_relaxed);
  });
  const CpuClock c1 = cpu_now();
  VerifyLimit out;
  out.ms = ms_between(c0.wall, c1.wall);
  out.cpu = cpu_use(c0, c1);
  out.tps = static_cast<double>(job.messages.size()) / (out.ms / 1000.0);
  out.invalid = invalid.load();
  return out;
}

EngineOptions engine_options(const std::string& path, const PublicKey& operator_key, unsigned threads) {
  EngineOptions o;
  o.store.path = path;
  o.store.synchronous_full = true;
  o.store.chain_id = kChain;
  o.store.operator_key = operator_key;
  o.threads = threads;
  return o;
}

// Creates accounts 1..N (in this order) with deposits, then checkpoints. Not measured.
bool genesis(const std::string& path, const std::vector<PublicKey>& pubkeys, std::uint64_t balance,
             unsigned threads) {
  auto opened = Engine::open(engine_options(path, pubkeys[0], threads));
  if (!opened) {
    progress("cannot open the engine: %s", engine_error(opened.error()).c_str());
    return false;
  }
  Engine& engine = **opened;
  std::vector<Engine::Ack> acks;
  std::int64_t clock_ms = 0;
  for (std::size_t first = 1; first < pubkeys.size(); first += kGenesisBatch) {
    BatchInput in;
    const std::size_t last = std::min(pubkeys.size(), first + kGenesisBatch);
    in.txs.reserve(last - first);
    for (std::size_t i = first; i < last; ++i)
      in.txs.emplace_back(rollup::Deposit{DepositPosition(i - 1), AccountIndex(static_cast<std::uint32_t>(i)),
                                          pubkeys[i], Amount(balance)});
    in.timestamp_ms = ++clock_ms;
    acks.push_back(engine.submit(std::move(in)));
  }
  for (auto& ack : acks) {
    auto r = ack.get();
    if (!r) {
      progress("genesis batch failed: %s", engine_error(r.error()).c_str());
      return false;
    }
    for (const auto& receipt : r->receipts)
      if (receipt.status != TxStatus::applied) {
        progress("genesis deposit rejected: %s", std::string(rollup::to_string(receipt.status)).c_str());
        return false;
      }
  }
  if (auto cp = engine.checkpoint(); !cp) {
    progress("genesis checkpoint failed: %s", engine_error(cp.error()).c_str());
    return false;
  }
  // Account i must hold pubkeys[i]: this also proves the public keys are unique (a
  // repeated key would have credited the earlier account instead of creating one).
  const rollup::State& state = engine.state();
  if (state.size() != pubkeys.size()) {
    progress("genesis made %u accounts, expected %zu", state.size(), pubkeys.size());
    return false;
  }
  for (std::size_t i = 0; i < pubkeys.size(); ++i)
    if (state.at(AccountIndex(static_cast<std::uint32_t>(i))).pubkey != pubkeys[i]) {
      progress("account %zu has an unexpected public key", i);
      return false;
    }
  return true;
}

// Reads the settings back through l2::Db::open with the options the store uses.
void read_sqlite_settings(Setup& setup) {
  DbOptions o;
  o.path = setup.db_path;
  o.synchronous_full = true;
  auto db = Db::open(o);
  if (!db) return;
  auto pragma = [&](const char* sql) -> std::optional<std::string> {
    auto st = (*db)->prepare(sql);
    if (!st) return std::nullopt;
    auto row = st->step();
    if (!row || !*row) return std::nullopt;
    std::string s = st->column_text(0);
    st->reset();
    return s;
  };
  setup.journal_mode = pragma("PRAGMA journal_mode").value_or("?");
  setup.synchronous = std::stoll(pragma("PRAGMA synchronous").value_or("-1"));
  setup.page_size = std::stoll(pragma("PRAGMA page_size").value_or("0"));
  setup.wal_autocheckpoint = std::stoll(pragma("PRAGMA wal_autocheckpoint").value_or("0"));
  std::error_code ec;
  setup.db_bytes = std::filesystem::file_size(setup.db_path, ec);
}

std::string synchronous_name(std::int64_t v) {
  switch (v) {
    case 0:
      return "OFF";
    case 1:
      return "NORMAL";
    case 2:
      return "FULL";
    case 3:
      return "EXTRA";
    default:
      return "?";
  }
}

nlohmann::json stages_json(const PassResult& p) {
  return {{"verify_ms", round1(p.total.verify_ms)},
          {"execute_ms", round1(p.total.execute_ms)},
          {"merkle_ms", round1(p.total.merkle_ms)},
          {"commit_ms", round1(p.total.commit_ms)},
          {"checkpoint_ms", round1(p.checkpoint_ms)},
          {"checkpoint_cpu_ms", round1(p.checkpoint_cpu_ms)},
          {"submit_other_ms", round1(p.submit_other_ms)},
          {"drain_ms", round1(p.drain_ms)},
          {"e2e_ms", round1(p.e2e_ms)},
          {"cpu_cores", round3(p.cpu.own_cores)},
          {"foreign_cpu_cores", round3(p.cpu.foreign_cores)},
          {"failures", p.failures}};
}

void print_json(const Options& o, const Setup& setup, const std::vector<RunResult>& results) {
  for (const RunResult& r : results) {
    nlohmann::json j;
    j["workload"] = std::string(to_string(r.workload));
    j["threads"] = r.threads;
    j["tps"] = round1(r.e2e.tps);
    j["verify_limit_tps"] = round1(r.verify_limit_tps);
    j["ratio"] = round3(r.e2e.tps / r.verify_limit_tps);
    j["exec_only_tps"] = round1(r.exec_only.tps);
    // Stage totals over the pass (ms); commit_ms includes the final checkpoint.
    j["verify_ms"] = round1(r.e2e.total.verify_ms);
    j["execute_ms"] = round1(r.e2e.total.execute_ms);
    j["merkle_ms"] = round1(r.e2e.total.merkle_ms);
    j["commit_ms"] = round1(r.e2e.total.commit_ms);
    j["checkpoint_ms"] = round1(r.e2e.checkpoint_ms);
    j["checkpoint_cpu_ms"] = round1(r.e2e.checkpoint_cpu_ms);
    j["submit_other_ms"] = round1(r.e2e.submit_other_ms);
    j["drain_ms"] = round1(r.e2e.drain_ms);
    j["e2e_ms"] = round1(r.e2e.e2e_ms);
    j["verify_limit_ms"] = round1(r.verify_limit_ms);
    j["verify_limit_before_tps"] = round1(r.verify_limit_before_tps);
    j["verify_limit_after_tps"] = round1(r.verify_limit_after_tps);
    j["median_batch_ms"] = {{"verify", round1(r.e2e.per_batch_median.verify_ms)},
                            {"execute", round1(r.e2e.per_batch_median.execute_ms)},
                            {"merkle", round1(r.e2e.per_batch_median.merkle_ms)},
                            {"commit", round1(r.e2e.per_batch_median.commit_ms)}};
    // CPU cores this process used, and that other processes (or steal) used, during
    // the end-to-end pass and during the verify-limit measurement: the noise gauge.
    j["cpu"] = {{"e2e_cores", round3(r.e2e.cpu.own_cores)},
                {"e2e_foreign_cores", round3(r.e2e.cpu.foreign_cores)},
                {"verify_limit_cores", round3(r.verify_limit_cpu.own_cores)},
                {"verify_limit_foreign_cores", round3(r.verify_limit_cpu.foreign_cores)}};
    j["noisy"] = r.noisy();
    j["exec_only"] = stages_json(r.exec_only);
    j["accounts"] = o.accounts;
    j["batch_size"] = o.batch_size;
    j["batches"] = o.batches;
    j["txs"] = r.e2e.txs;
    j["failures"] = r.failures();
    j["failures_by_status"] = r.e2e.failures_by_status;
    for (const auto& [status, count] : r.exec_only.failures_by_status)
      j["failures_by_status"][status] = j["failures_by_status"].value(status, std::uint64_t{0}) + count;
    if (r.verify_limit_invalid != 0) j["failures_by_status"]["verify_limit_invalid"] = r.verify_limit_invalid;
    j["hardware_threads"] = std::max(1u, std::thread::hardware_concurrency());
    j["sqlite"] = {{"file", setup.db_path},
                   {"journal_mode", setup.journal_mode},
                   {"synchronous", synchronous_name(setup.synchronous)},
                   {"page_size", setup.page_size},
                   {"wal_autocheckpoint", setup.wal_autocheckpoint}};
    j["keys"] = {{"real", setup.senders}, {"pseudo_random_pubkeys", o.accounts - setup.senders}};
    std::cout << j.dump() << '\n';
  }
  std::cout.flush();
}

void print_table(const Options& o, const Setup& setup, const std::vector<RunResult>& results) {
  const unsigned hw = std::max(1u, std::thread::hardware_concurrency());
  std::printf(
      "engine_bench: %u accounts (plus fee account 0), batches of %zu transfers, %zu batches per pass, "
      "%u hardware threads\n",
      o.accounts, o.batch_size, o.batches, hw);
  std::printf(
      "keys (shortcut): %u accounts that send have real Ed25519 keys (from a per-index seed, as "
      "SecretKey::from_seed);\n  the other %u never send and got unique pseudo-random 32-byte public keys\n",
      setup.senders, o.accounts - setup.senders);
  std::printf(
      "start balance %llu per account; amounts uniform 1..%llu, fee %llu; zipf s=%.1f; hot-receiver: 50%% "
      "pay account %u\n",
      static_cast<unsigned long long>(setup.start_balance), static_cast<unsigned long long>(kMaxAmount),
      static_cast<unsigned long long>(kFee), kZipfExponent, o.accounts / 2 + 1);
  std::printf(
      "sqlite: file on disk %s (temp dir, deleted afterwards), journal_mode=%s, synchronous=%s, "
      "page_size=%lld, wal_autocheckpoint=%lld, %.1f MiB at the end\n",
      setup.db_path.c_str(), setup.journal_mode.c_str(), synchronous_name(setup.synchronous).c_str(),
      static_cast<long long>(setup.page_size), static_cast<long long>(setup.wal_autocheckpoint),
      static_cast<double>(setup.db_bytes) / (1024.0 * 1024.0));
  std::printf(
      "setup (not measured): plan %.1f s, keys + signatures %.1f s, genesis %.1f s, engine open %.1f s "
      "median\n\n",
      setup.plan_ms / 1000, setup.sign_ms / 1000, setup.genesis_ms / 1000, median(setup.open_ms) / 1000);

  std::printf("%-13s %7s %11s %16s %6s %14s %9s\n", "workload", "threads", "tps", "verify_limit_tps", "ratio",
              "exec_only_tps", "failures");
  for (const RunResult& r : results) {
    std::printf("%-13s %7u %11.0f %16.0f %6.3f%c %13.0f %9llu\n", std::string(to_string(r.workload)).c_str(),
                r.threads, r.e2e.tps, r.verify_limit_tps, r.e2e.tps / r.verify_limit_tps,
                r.noisy() ? '*' : ' ', r.exec_only.tps, static_cast<unsigned long long>(r.failures()));
  }
  if (std::any_of(results.begin(), results.end(), [](const RunResult& r) { return r.noisy(); }))
    std::printf(
        "* other processes used more than %.2f cores during this row's measurements (see cpu below)\n",
        kNoisyForeignCores);

  std::printf(
      "\nend-to-end pass, stage totals in ms over %zu batches (commit = SQLite appends + final checkpoint, "
      "on the commit thread,\noverlapping the next batch; other = tx encoding and hashing in submit(); "
      "drain = last submit() to last ack)\n",
      o.batches);
  std::printf(
      "ckpt cpu = CPU time in the checkpoint; limit = the faster of the verify-limit measurements before and "
      "after e2e;\ncpu = cores used by this process / by everything else on the machine, during e2e and "
      "during limit\n");
  std::printf("%-13s %7s %9s %8s %8s %7s %9s %10s %8s %7s %9s %9s %11s %11s\n", "workload", "threads",
              "verify", "execute", "merkle", "other", "commit", "checkpoint", "ckpt cpu", "drain", "e2e",
              "limit", "cpu e2e", "cpu limit");
  auto cores = [](const CpuUse& u) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f/%.2f", u.own_cores, u.foreign_cores);
    return std::string(buf);
  };
  for (const RunResult& r : results) {
    const PassResult& p = r.e2e;
    std::printf("%-13s %7u %9.1f %8.1f %8.1f %7.1f %9.1f %10.1f %8.1f %7.1f %9.1f %9.1f %11s %11s\n",
                std::string(to_string(r.workload)).c_str(), r.threads, p.total.verify_ms, p.total.execute_ms,
                p.total.merkle_ms, p.submit_other_ms, p.total.commit_ms, p.checkpoint_ms, p.checkpoint_cpu_ms,
                p.drain_ms, p.e2e_ms, r.verify_limit_ms, cores(p.cpu).c_str(),
                cores(r.verify_limit_cpu).c_str());
  }
  std::printf("\nper-batch medians in ms (end-to-end pass | execution-only pass)\n");
  std::printf("%-13s %7s %9s %8s %8s %8s | %8s %8s %8s %10s %9s\n", "workload", "threads", "verify",
              "execute", "merkle", "commit", "execute", "merkle", "commit", "checkpoint", "e2e");
  for (const RunResult& r : results) {
    const StageTimings& a = r.e2e.per_batch_median;
    const StageTimings& b = r.exec_only.per_batch_median;
    std::printf("%-13s %7u %9.1f %8.1f %8.1f %8.1f | %8.1f %8.1f %8.1f %10.1f %9.1f\n",
                std::string(to_string(r.workload)).c_str(), r.threads, a.verify_ms, a.execute_ms, a.merkle_ms,
                a.commit_ms, b.execute_ms, b.merkle_ms, b.commit_ms, r.exec_only.checkpoint_ms,
                r.exec_only.e2e_ms);
  }
  std::fflush(stdout);
}

int run(Options& o) {
  ensure_sodium();
  const unsigned hw = std::max(1u, std::thread::hardware_concurrency());
  if (o.threads.empty()) o.threads = default_threads(hw);
  std::sort(o.threads.begin(), o.threads.end());
  o.threads.erase(std::unique(o.threads.begin(), o.threads.end()), o.threads.end());
  for (const std::string& name : o.workload_names) {
    auto w = parse_workload(name);
    if (w && std::find(o.workloads.begin(), o.workloads.end(), *w) == o.workloads.end())
      o.workloads.push_back(*w);
  }

  auto dir =
      TempDir::create(o.dir.empty() ? std::filesystem::temp_directory_path() : std::filesystem::path(o.dir));
  if (!dir) {
    progress("cannot create a temporary directory under %s", o.dir.empty() ? "the temp dir" : o.dir.c_str());
    return kExitSetup;
  }
  arm_cleanup(dir->path(), kDbFile);
  Setup setup;
  setup.db_path = (dir->path() / kDbFile).string();
  progress("%u accounts, %zu x %zu transfers per pass, threads %zu, workloads %zu; database %s", o.accounts,
           o.batches, o.batch_size, o.threads.size(), o.workloads.size(), setup.db_path.c_str());
  ThreadPool setup_pool(hw);

  // 1. Workloads, with nonces in execution order.
  auto t = Clock::now();
  Plan plan = make_plan(PlanSpec{o.accounts, o.batch_size, o.batches, o.threads, o.workloads, o.seed});
  setup.plan_ms = ms_between(t, Clock::now());
  setup.start_balance = std::max(kMinStartBalance, *std::max_element(plan.spend.begin(), plan.spend.end()));
  if (setup.start_balance > std::numeric_limits<std::uint64_t>::max() / o.accounts) {
    progress("%u accounts x balance %llu would overflow the supply", o.accounts,
             static_cast<unsigned long long>(setup.start_balance));
    return kExitSetup;
  }
  progress("planned %zu transfers in %.1f s", plan.txs.size(), setup.plan_ms / 1000);

  // 2. Keys for the senders, signatures, filler keys for the rest.
  t = Clock::now();
  auto signed_keys = make_keys_and_sign(kKeys, kChain, plan.txs, o.accounts, setup_pool);
  if (!signed_keys) return kExitSetup;
  setup.senders = signed_keys->senders;
  const std::vector<PublicKey> pubkeys = std::move(signed_keys->pubkeys);
  setup.sign_ms = ms_between(t, Clock::now());
  progress("%u sender keys derived and %zu transfers signed in %.1f s", setup.senders, plan.txs.size(),
           setup.sign_ms / 1000);
  if (o.corrupt > 0 && !plan.runs.empty()) {  // testing only: the failure path must be taken
    std::size_t left = o.corrupt;
    for (const BatchRange& r : plan.runs.front().e2e)
      for (std::size_t i = r.begin; i < r.end && left > 0; ++i, --left)
        std::get<rollup::Transfer>(plan.txs[i]).signature.data()[0] ^= 0x01;
  }

  // 3. Genesis: the accounts, through the engine.
  t = Clock::now();
  if (!genesis(setup.db_path, pubkeys, setup.start_balance, hw)) return kExitSetup;
  setup.genesis_ms = ms_between(t, Clock::now());
  progress("genesis: %u accounts deposited and checkpointed in %.1f s", o.accounts, setup.genesis_ms / 1000);

  // 4. Measured runs: one engine per thread count, reopened on the same file.
  std::vector<RunResult> results;
  std::int64_t clock_ms = 1'000'000;
  for (unsigned threads : o.threads) {
    t = Clock::now();
    auto opened = Engine::open(engine_options(setup.db_path, pubkeys[0], threads));
    if (!opened) {
      progress("cannot reopen the engine: %s", engine_error(opened.error()).c_str());
      return kExitSetup;
    }
    Engine& engine = **opened;
    setup.open_ms.push_back(ms_between(t, Clock::now()));
    progress("engine reopened with %u threads in %.1f s", engine.threads(), setup.open_ms.back() / 1000);
    for (const RunPlan& rp : plan.runs) {
      if (rp.threads != threads) continue;
      RunResult r;
      r.workload = rp.workload;
      r.threads = threads;
      const VerifyJob job = make_verify_job(plan, rp.e2e);
      const VerifyLimit before = measure_verify_limit(job, pubkeys, threads);
      auto e2e = run_pass(engine, make_inputs(plan, rp.e2e, false, clock_ms));
      if (!e2e) return kExitSetup;
      r.e2e = *e2e;
      r.set_verify_limit(before, measure_verify_limit(job, pubkeys, threads));
      auto exec = run_pass(engine, make_inputs(plan, rp.exec_only, true, clock_ms));
      if (!exec) return kExitSetup;
      r.exec_only = *exec;
      progress(
          "%-12s threads %u: %.0f tps, verify limit %.0f tps, ratio %.3f, exec-only %.0f tps, failures %llu",
          std::string(to_string(r.workload)).c_str(), threads, r.e2e.tps, r.verify_limit_tps,
          r.e2e.tps / r.verify_limit_tps, r.exec_only.tps, static_cast<unsigned long long>(r.failures()));
      results.push_back(std::move(r));
    }
  }

  read_sqlite_settings(setup);
  if (o.json) {
    print_json(o, setup, results);
  } else {
    print_table(o, setup, results);
  }
  std::uint64_t failures = 0;
  for (const RunResult& r : results) failures += r.failures();
  if (failures != 0) {
    progress(
        "FAILED: %llu measured transfers were not applied (or did not verify); the numbers above are not "
        "valid",
        static_cast<unsigned long long>(failures));
    return kExitRejected;
  }
  progress("removing %s", dir->path().string().c_str());
  return kExitOk;
}

}  // namespace
}  // namespace l2::bench

namespace {
int parse_and_run(int argc, char** argv) {
  l2::bench::set_progress_name("engine_bench");
  std::signal(SIGPIPE, SIG_IGN);  // a closed stdout (| head) must not skip removing the database
  l2::bench::Options o;
  CLI::App app{"engine_bench: end-to-end rollup engine throughput vs the raw Ed25519 verify limit",
               "engine_bench"};
  l2::cli::setup_program(app);
  app.add_option("--accounts", o.accounts, "user accounts to create (the fee account 0 comes on top)")
      ->capture_default_str()
      ->check(CLI::Range(3u, 50'000'000u));
  app.add_option("--batch-size", o.batch_size, "transfers per batch")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, l2::rollup::kMaxTxsPerBatch));
  app.add_option("--batches", o.batches,
                 "batches per pass (each run has an end-to-end and an execution-only pass)")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{100'000}));
  app.add_option("--threads", o.threads,
                 "thread counts, e.g. 1,2,4 (default: powers of two and the hardware count)")
      ->delimiter(',')
      ->check(CLI::Range(1u, 1024u));
  app.add_option("--workloads", o.workload_names, "workloads: uniform,zipf,hot-receiver")
      ->delimiter(',')
      ->capture_default_str()
      ->check(CLI::IsMember({"uniform", "zipf", "hot-receiver"}));
  app.add_option("--dir", o.dir,
                 "parent directory of the fresh database directory (default: the system temp dir)");
  app.add_flag("--json", o.json, "one JSON object per result line on stdout, nothing else");
  app.add_option("--seed", o.seed, "workload RNG seed")->capture_default_str();
  app.add_option("--corrupt-signatures", o.corrupt,
                 "testing only: break this many signatures in the first pass")
      ->group("");
  if (auto exit = l2::cli::parse(app, argc, argv)) return *exit;
  return l2::bench::run(o);
}
}  // namespace

// An exception that escapes (a failed allocation, a bug) ends the run with a message and
// the setup exit code rather than std::terminate.
int main(int argc, char** argv) {
  try {
    return parse_and_run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "engine_bench: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "engine_bench: unknown exception\n");
  }
  return l2::bench::kExitSetup;
}
