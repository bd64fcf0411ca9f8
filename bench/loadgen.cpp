// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// loadgen: drives a running sequencerd over N keep-alive HTTP connections with batches of
// pre-signed transfers (binary or JSON, POST /v1/batches), and compares the accepted
// tx/s with the engine's in-process end-to-end rate on the same machine and the same
// transfers. bench/README.md explains the flags, the phases and the columns.
//
// Phases (only the measurements are timed):
//   1. server: the one at --server, or a private sequencerd (ephemeral loopback port,
//      temporary data dir) started here;
//   2. accounts: fresh keys, credited through POST /v1/dev/deposit (the server must run
//      with --dev); their indices come from the deposit receipts;
//   3. plan and sign every transfer of every run; build every request body;
//   4. in-process: a rollup::Engine in a temporary dir with the same accounts at the
//      same indices (kept open to the end);
//   5. per format: the engine in-process on the transfers of the format's full-speed
//      run, then the server on the same transfers at full speed (each connection sends
//      its next request as soon as the previous one is answered), then a paced run at
//      --rate-fraction of that rate, for the soft-confirmation latency.
// Each connection owns a disjoint set of senders, so a sender's nonces always arrive in
// order; every transfer is sent exactly once and every receipt must say `applied`.
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <sys/wait.h>
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
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_util.hpp"
#include "bench/loadgen_http.hpp"
#include "bench/loadgen_process.hpp"
#include "common/cli/usage.hpp"
#include "common/codec.hpp"
#include "common/crypto.hpp"
#include "common/thread_pool.hpp"
#include "rollup/engine.hpp"
#include "rollup/receipt.hpp"
#include "rollup/tx.hpp"

namespace l2::bench {
namespace {

using rollup::Tx;
using Clock = std::chrono::steady_clock;

constexpr std::uint64_t kPrivateChainId = 7;
constexpr std::uint64_t kStartBalance = 1'000'000'000'000;  // per account, far above what it spends
constexpr std::uint64_t kMaxAmount = 1'000;
constexpr std::uint64_t kFee = 1;
constexpr std::size_t kGenesisBatch = 50'000;
// sequencerd's default batch.max_txs: the largest batch the server forms, hence the
// default ceiling of the in-process batches it is compared with.
constexpr std::size_t kServerBatchTxs = 10'000;
constexpr std::string_view kBatchTarget = "/v1/batches?timeout_ms=60000";
constexpr std::uint8_t kBinaryApplied = 0;
constexpr std::uint8_t kBinaryPending = 255;

constexpr int kExitOk = 0;
constexpr int kExitFailures = 1;  // a tx was not applied, or a request failed
constexpr int kExitSetup = 3;     // the server, the engine or the setup failed

sigset_t interrupt_signals() {
  sigset_t set;
  ::sigemptyset(&set);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) ::sigaddset(&set, sig);
  return set;
}

double ms_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

// Nearest-rank percentile of a sorted sample; 0 for an empty one.
double percentile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

enum class Format : std::uint8_t { binary, json };
std::string_view to_string(Format f) { return f == Format::binary ? "binary" : "json"; }

struct Options {
  std::string server;  // http://HOST:PORT; empty: start a private sequencerd
  std::string sequencerd;
  std::vector<std::string> server_args;  // extra flags for a private sequencerd
  std::uint32_t accounts = 8'000;
  std::size_t txs = 160'000;  // per full-speed run
  std::size_t batch_size = 1'000;
  unsigned connections = 16;
  std::vector<std::string> format_names{"binary", "json"};
  std::vector<Format> formats;
  double rate_fraction = 0.5;
  unsigned engine_threads = 0;        // 0: all hardware threads
  std::size_t engine_batch_size = 0;  // 0: batch_size * connections, at most kServerBatchTxs
  std::string dir;
  std::uint64_t seed = 20261122;
  bool json = false;
  std::size_t corrupt = 0;  // testing only: signatures to break at the end of the last run
};

// ------------------------------------------------------------------ CPU use

// This process's CPU time, the private server's (from /proc/PID/stat) and the whole
// machine's busy time, so that each run can say who used the two cores.
struct CpuClock {
  Clock::time_point wall;
  double self_s = 0;
  double server_s = -1;
  double machine_s = -1;
};

double proc_cpu_seconds(int pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  if (!std::getline(stat, text)) return -1;
  const auto close = text.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream rest(text.substr(close + 2));
  std::string field;
  std::uint64_t utime = 0, stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

CpuClock cpu_now(int server_pid) {
  CpuClock c;
  timespec ts{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  c.self_s = static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
  if (server_pid > 0) c.server_s = proc_cpu_seconds(server_pid);
  std::ifstream stat("/proc/stat");
  std::string label;
  std::uint64_t user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
  if (stat >> label >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal && label == "cpu")
    c.machine_s = static_cast<double>(user + nice + system + irq + softirq + steal) /
                  static_cast<double>(::sysconf(_SC_CLK_TCK));
  c.wall = Clock::now();
  return c;
}

struct CpuUse {
  double self_cores = 0;
  double server_cores = -1;  // -1: unknown (an external server)
  double other_cores = -1;   // everything else on the machine (and steal); -1: unknown
};

CpuUse cpu_use(const CpuClock& a, const CpuClock& b) {
  CpuUse u;
  const double wall = std::chrono::duration<double>(b.wall - a.wall).count();
  if (wall <= 0) return u;
  u.self_cores = (b.self_s - a.self_s) / wall;
  double known = b.self_s - a.self_s;
  if (a.server_s >= 0 && b.server_s >= 0) {
    u.server_cores = (b.server_s - a.server_s) / wall;
    known += b.server_s - a.server_s;
  }
  if (a.machine_s >= 0 && b.machine_s >= 0)
    u.other_cores = std::max(0.0, (b.machine_s - a.machine_s - known) / wall);
  return u;
}

nlohmann::json cpu_json(const CpuUse& u) {
  return {{"loadgen_cores", round3(u.self_cores)},
          {"server_cores", round3(u.server_cores)},
          {"other_cores", round3(u.other_cores)}};
}

// ------------------------------------------------------------------ accounts and keys

struct Accounts {
  std::vector<std::uint32_t> index;                  // on the server
  std::vector<PublicKey> pubkey;                     // same order
  std::vector<std::array<std::uint8_t, 64>> secret;  // libsodium secret keys, wiped after signing
  ~Accounts() {
    for (auto& s : secret) sodium_memzero(s.data(), s.size());
  }
};

Hash32 tagged_hash(std::string_view tag, std::uint64_t salt, std::uint32_t index) {
  ByteWriter w;
  w.ascii(tag);
  w.u64le(salt);
  w.u32le(index);
  return blake2b256(w.data());
}

// Keys straight from libsodium (crypto_sign_seed_keypair, as SecretKey::from_seed does):
// a SecretKey is a guarded sodium_malloc mapping each, far too slow for thousands.
void make_keys(Accounts& a, std::uint32_t n, std::uint64_t salt, ThreadPool& pool) {
  a.pubkey.assign(n, PublicKey());
  a.secret.assign(n, {});
  pool.parallel_for(n, 64, [&](std::size_t b, std::size_t e) {
    for (std::size_t i = b; i < e; ++i) {
      const Hash32 seed = tagged_hash("loadgen/seed", salt, static_cast<std::uint32_t>(i));
      crypto_sign_seed_keypair(a.pubkey[i].data(), a.secret[i].data(), seed.data());
    }
  });
}

// ------------------------------------------------------------------ HTTP helpers

HttpResponse get(HttpConnection& c, std::string_view target) {
  return c.send(HttpRequest{"GET", target, {}, {}, "application/json"});
}

struct ServerStatus {
  std::uint64_t chain_id = 0;
  bool dev = false;
};

std::optional<ServerStatus> read_status(HttpConnection& c, std::string& error) {
  const HttpResponse r = get(c, "/v1/status");
  if (r.status != 200) {
    error = "GET /v1/status: HTTP " + std::to_string(r.status) + " " + r.body;
    return std::nullopt;
  }
  try {
    const auto j = nlohmann::json::parse(r.body);
    ServerStatus s;
    s.chain_id = std::stoull(j.at("chain_id").get<std::string>());
    s.dev = j.at("dev").get<bool>();
    return s;
  } catch (const std::exception& e) {
    error = std::string("GET /v1/status: unexpected body: ") + e.what();
    return std::nullopt;
  }
}

// Sum of every sample of `name` (all label sets) in a Prometheus text page; nullopt if
// the page has none.
std::optional<double> metric_sum(const std::string& page, std::string_view name) {
  std::optional<double> sum;
  std::istringstream in(page);
  std::string line;
  while (std::getline(in, line)) {
    if (line.size() <= name.size() || line.compare(0, name.size(), name) != 0) continue;
    std::size_t value_at = name.size();
    if (line[value_at] == '{') value_at = line.find('}', value_at);
    if (value_at == std::string::npos || value_at + 1 >= line.size()) continue;
    if (line[value_at] != ' ' && line[value_at] != '}') continue;
    try {
      sum = sum.value_or(0) + std::stod(line.substr(value_at + 1));
    } catch (const std::exception&) {
    }
  }
  return sum;
}

struct BatchMetrics {
  double txs = 0;
  double batches = 0;
};
std::optional<BatchMetrics> read_batch_metrics(HttpConnection& c) {
  try {
    const HttpResponse r = c.send(HttpRequest{"GET", "/metrics", {}, {}, {}});
    if (r.status != 200) return std::nullopt;
    auto sum = metric_sum(r.body, "l2_batch_txs_sum");
    auto count = metric_sum(r.body, "l2_batch_txs_count");
    if (!sum || !count) return std::nullopt;
    return BatchMetrics{*sum, *count};
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// Credits every account through POST /v1/dev/deposit, `chunk` keys per request, and
// records the index each one got.
bool deposit_all(HttpConnection& c, Accounts& a, std::size_t chunk, std::string& error) {
  a.index.assign(a.pubkey.size(), 0);
  for (std::size_t first = 0; first < a.pubkey.size(); first += chunk) {
    const std::size_t last = std::min(a.pubkey.size(), first + chunk);
    nlohmann::json body = nlohmann::json::array();
    for (std::size_t i = first; i < last; ++i)
      body.push_back({{"public_key", a.pubkey[i].hex()}, {"amount", std::to_string(kStartBalance)}});
    const std::string text = body.dump();
    const HttpResponse r =
        c.send(HttpRequest{"POST", "/v1/dev/deposit", text, "application/json", "application/json"});
    if (r.status != 200) {
      error = "POST /v1/dev/deposit: HTTP " + std::to_string(r.status) + " " + r.body.substr(0, 300);
      return false;
    }
    try {
      const auto receipts = nlohmann::json::parse(r.body).at("receipts");
      if (receipts.size() != last - first) {
        error = "POST /v1/dev/deposit: wrong number of receipts";
        return false;
      }
      for (std::size_t i = first; i < last; ++i) {
        const auto& rc = receipts.at(i - first);
        if (rc.at("status").get<std::string>() != "applied") {
          error = "deposit not applied: " + rc.dump();
          return false;
        }
        a.index[i] = rc.at("account").get<std::uint32_t>();
      }
    } catch (const std::exception& e) {
      error = std::string("POST /v1/dev/deposit: unexpected body: ") + e.what();
      return false;
    }
  }
  return true;
}

// ------------------------------------------------------------------ the plan

struct Request {
  std::size_t global = 0;  // position in the run's schedule
  std::vector<Tx> txs;
  std::vector<Hash32> hashes;
  std::string body;
};

struct Run {
  Format format = Format::binary;
  bool paced = false;
  std::size_t txs = 0;
  std::vector<std::vector<Request>> by_connection;
};

// Draws transfers: each connection has its own senders (account positions p with
// p % connections == c), recipients are any other account; nonces count up per sender
// across all runs, in the order the runs are sent.
class Planner {
 public:
  Planner(const Accounts& a, unsigned connections, std::uint64_t seed)
      : accounts_(a), connections_(connections), nonces_(a.index.size(), 0), rng_(seed) {
    senders_.resize(connections);
    for (std::size_t p = 0; p < a.index.size(); ++p) senders_[p % connections].push_back(p);
  }

  Run make(Format format, bool paced, std::size_t txs, std::size_t batch_size) {
    Run run;
    run.format = format;
    run.paced = paced;
    run.txs = txs;
    run.by_connection.resize(connections_);
    std::uniform_int_distribution<std::uint64_t> amount(1, kMaxAmount);
    std::uniform_int_distribution<std::size_t> anyone(0, accounts_.index.size() - 1);
    std::size_t left = txs;
    for (std::size_t k = 0; left > 0; ++k) {
      const std::size_t c = k % connections_;
      Request req;
      req.global = k;
      const std::size_t n = std::min(left, batch_size);
      left -= n;
      std::uniform_int_distribution<std::size_t> own(0, senders_[c].size() - 1);
      for (std::size_t i = 0; i < n; ++i) {
        const std::size_t from = senders_[c][own(rng_)];
        std::size_t to = anyone(rng_);
        while (to == from) to = anyone(rng_);
        rollup::Transfer t;
        t.from = AccountIndex(accounts_.index[from]);
        t.to = AccountIndex(accounts_.index[to]);
        t.amount = Amount(amount(rng_));
        t.fee = Amount(kFee);
        t.nonce = Nonce(nonces_[from]++);
        req.txs.emplace_back(t);
      }
      run.by_connection[c].push_back(std::move(req));
    }
    return run;
  }

 private:
  const Accounts& accounts_;
  unsigned connections_;
  std::vector<std::vector<std::size_t>> senders_;
  std::vector<std::uint64_t> nonces_;
  std::mt19937_64 rng_;
};

// Testing only: breaks the signatures of `count` transfers at the very end of the plan,
// each the last transfer of its sender (scanning back through the last request of each
// connection in the last run), so that no later transfer depends on their nonces and
// the rest of the run still applies whatever the server makes of them.
void corrupt_signatures(Run& last, std::size_t count, ChainId chain) {
  std::vector<std::uint32_t> seen;
  for (auto& list : last.by_connection) {
    if (list.empty()) continue;
    Request& req = list.back();
    for (std::size_t i = req.txs.size(); i-- > 0 && count > 0;) {
      auto& t = std::get<rollup::Transfer>(req.txs[i]);
      if (std::find(seen.begin(), seen.end(), t.from.value()) != seen.end()) continue;
      seen.push_back(t.from.value());
      t.signature.data()[0] ^= 0x01;
      req.hashes[i] = rollup::tx_hash(chain, req.txs[i]);
      --count;
    }
  }
}

// Signs every transfer of every run, hashes it and builds each request's body; false if
// a sample does not verify with the library's own code.
bool sign_and_encode(std::vector<Run>& runs, const Accounts& a, ChainId chain, std::size_t corrupt,
                     ThreadPool& pool) {
  std::vector<const std::array<std::uint8_t, 64>*> secret_of(
      a.index.empty() ? 0 : *std::max_element(a.index.begin(), a.index.end()) + 1u);
  for (std::size_t p = 0; p < a.index.size(); ++p) secret_of[a.index[p]] = &a.secret[p];

  std::vector<std::pair<Run*, Request*>> requests;
  for (Run& run : runs)
    for (auto& list : run.by_connection)
      for (Request& req : list) requests.emplace_back(&run, &req);
  pool.parallel_for(requests.size(), 1, [&](std::size_t b, std::size_t e) {
    for (std::size_t r = b; r < e; ++r) {
      Request& req = *requests[r].second;
      req.hashes.reserve(req.txs.size());
      for (Tx& tx : req.txs) {
        auto& t = std::get<rollup::Transfer>(tx);
        const Bytes preimage = rollup::signing_preimage(chain, tx);
        crypto_sign_detached(t.signature.data(), nullptr, preimage.data(), preimage.size(),
                             secret_of[t.from.value()]->data());
        req.hashes.push_back(rollup::tx_hash(chain, tx));
      }
    }
  });
  // Cross-check a sample against the library's own verification and hashing.
  const Request& sample = runs.front().by_connection.front().front();
  for (std::size_t i = 0; i < std::min<std::size_t>(sample.txs.size(), 8); ++i) {
    const auto& t = std::get<rollup::Transfer>(sample.txs[i]);
    const auto p =
        static_cast<std::size_t>(std::find(a.index.begin(), a.index.end(), t.from.value()) - a.index.begin());
    if (!rollup::verify_tx_signature(sample.txs[i], chain, a.pubkey[p]) ||
        rollup::tx_hash(chain, sample.txs[i]) != sample.hashes[i])
      return false;
  }
  if (corrupt > 0) corrupt_signatures(runs.back(), corrupt, chain);

  const std::string chain_text = std::to_string(chain.value());
  pool.parallel_for(requests.size(), 1, [&](std::size_t b, std::size_t e) {
    for (std::size_t r = b; r < e; ++r) {
      auto& [run, req] = requests[r];
      if (run->format == Format::binary) {
        ByteWriter w(12 + req->txs.size() * 97);
        w.u64le(chain.value());
        w.varint(req->txs.size());
        for (const Tx& tx : req->txs) rollup::encode_tx(w, tx);
        const Bytes& bytes = w.data();
        req->body.assign(reinterpret_cast<const char*>(bytes.data()), bytes.size());
      } else {
        nlohmann::json body = nlohmann::json::array();
        for (const Tx& tx : req->txs) {
          const auto& t = std::get<rollup::Transfer>(tx);
          body.push_back({{"type", "transfer"},
                          {"chain_id", chain_text},
                          {"from", t.from.value()},
                          {"to", t.to.value()},
                          {"amount", t.amount.to_string()},
                          {"fee", t.fee.to_string()},
                          {"nonce", std::to_string(t.nonce.value())},
                          {"signature", t.signature.hex()}});
        }
        req->body = body.dump();
      }
    }
  });
  return true;
}

// ------------------------------------------------------------------ in-process engine

struct InprocResult {
  double tps = 0;
  double ms = 0;
  std::size_t txs = 0;
  std::size_t batches = 0;
  std::uint64_t failures = 0;
  CpuUse cpu;
};

// The engine in-process, with the server's accounts at the same indices, kept open for
// the whole session. Before each format's full-speed server run it is timed on that
// run's transfers (so that both measurements see the machine in the same state); the
// paced runs' transfers are fed to it untimed, to keep its nonces in step.
class InprocEngine {
 public:
  static std::unique_ptr<InprocEngine> open(const Options& o, const Accounts& a, ChainId chain,
                                            const std::filesystem::path& file, std::string& error) {
    rollup::EngineOptions eo;
    eo.store.path = file.string();
    eo.store.synchronous_full = true;
    eo.store.chain_id = chain;
    eo.store.operator_key = PublicKey(tagged_hash("loadgen/operator", 0, 0).array());
    eo.threads = o.engine_threads;
    auto opened = rollup::Engine::open(eo);
    if (!opened) {
      error = "cannot open the in-process engine: " + opened.error().message;
      return nullptr;
    }
    auto out = std::unique_ptr<InprocEngine>(new InprocEngine(std::move(*opened), o.engine_batch_size));
    if (!out->genesis(a, error)) return nullptr;
    return out;
  }

  // Submits the run's transfers back to back and waits for the last acknowledgement.
  std::optional<InprocResult> pass(const Run& run, std::string& error) {
    // Round-robin over the connections' requests keeps every sender's nonces ascending.
    std::vector<Tx> all;
    std::size_t rounds = 0;
    for (const auto& list : run.by_connection) rounds = std::max(rounds, list.size());
    for (std::size_t j = 0; j < rounds; ++j)
      for (const auto& list : run.by_connection)
        if (j < list.size()) all.insert(all.end(), list[j].txs.begin(), list[j].txs.end());
    std::vector<rollup::BatchInput> inputs;
    for (std::size_t first = 0; first < all.size(); first += batch_size_) {
      rollup::BatchInput in;
      in.txs.assign(all.begin() + static_cast<std::ptrdiff_t>(first),
                    all.begin() + static_cast<std::ptrdiff_t>(std::min(all.size(), first + batch_size_)));
      in.timestamp_ms = ++clock_ms_;
      inputs.push_back(std::move(in));
    }

    InprocResult out;
    out.txs = all.size();
    out.batches = inputs.size();
    std::vector<rollup::Engine::Ack> acks;
    const CpuClock c0 = cpu_now(-1);
    acks.reserve(inputs.size());
    for (auto& in : inputs) acks.push_back(engine_->submit(std::move(in)));
    if (!acks.empty()) acks.back().wait();
    const CpuClock c1 = cpu_now(-1);
    out.ms = ms_between(c0.wall, c1.wall);
    out.tps = out.ms > 0 ? static_cast<double>(out.txs) / (out.ms / 1000.0) : 0;
    out.cpu = cpu_use(c0, c1);
    for (auto& ack : acks) {
      auto r = ack.get();
      if (!r) {
        error = "in-process batch failed: " + r.error().message;
        return std::nullopt;
      }
      for (const auto& receipt : r->receipts)
        if (receipt.status != rollup::TxStatus::applied) ++out.failures;
    }
    return out;
  }

 private:
  InprocEngine(std::unique_ptr<rollup::Engine> engine, std::size_t batch_size)
      : engine_(std::move(engine)), batch_size_(batch_size) {}

  // The same accounts at the same indices as on the server (other indices get filler
  // keys), with deposits, then a checkpoint. Not timed.
  bool genesis(const Accounts& a, std::string& error) {
    const std::uint32_t top = *std::max_element(a.index.begin(), a.index.end());
    std::vector<const PublicKey*> at(top + 1u, nullptr);
    for (std::size_t p = 0; p < a.index.size(); ++p) at[a.index[p]] = &a.pubkey[p];
    std::uint64_t deposit_id = 0;
    std::vector<rollup::Engine::Ack> acks;
    for (std::uint32_t first = 1; first <= top; first += static_cast<std::uint32_t>(kGenesisBatch)) {
      rollup::BatchInput in;
      const std::uint32_t last =
          std::min<std::uint32_t>(top + 1, first + static_cast<std::uint32_t>(kGenesisBatch));
      for (std::uint32_t i = first; i < last; ++i) {
        const PublicKey key = at[i] ? *at[i] : PublicKey(tagged_hash("loadgen/filler", 0, i).array());
        in.txs.emplace_back(
            rollup::Deposit{DepositPosition(deposit_id++), AccountIndex(i), key, Amount(kStartBalance)});
      }
      in.timestamp_ms = ++clock_ms_;
      acks.push_back(engine_->submit(std::move(in)));
    }
    for (auto& ack : acks) {
      auto r = ack.get();
      if (!r) {
        error = "in-process genesis failed: " + r.error().message;
        return false;
      }
    }
    if (auto cp = engine_->checkpoint(); !cp) {
      error = "in-process checkpoint failed: " + cp.error().message;
      return false;
    }
    for (std::size_t p = 0; p < a.index.size(); ++p)
      if (engine_->state().at(AccountIndex(a.index[p])).pubkey != a.pubkey[p]) {
        error = "in-process genesis: account indices differ from the server's";
        return false;
      }
    return true;
  }

  std::unique_ptr<rollup::Engine> engine_;
  std::size_t batch_size_;
  std::int64_t clock_ms_ = 0;
};

// ------------------------------------------------------------------ driving the server

struct Exchange {
  Clock::time_point sent;
  Clock::time_point received;
  HttpResponse response;
};

struct RunResult {
  Format format = Format::binary;
  bool paced = false;
  std::size_t txs = 0;
  std::size_t requests = 0;
  double target_tps = 0;           // paced runs
  double wall_ms = 0;              // start until the last response
  double tps = 0;                  // applied txs / wall
  double max_lag_ms = 0;           // paced runs: the latest a request left after its slot
  std::vector<double> latency_ms;  // per request, sorted
  std::uint64_t failures = 0;
  std::map<std::string, std::uint64_t> failures_by_status;
  std::optional<double> server_mean_batch;
  std::uint64_t reconnects = 0;  // connections the server had closed while idle
  CpuUse cpu;
};

// Checks one response against its request; returns the number of applied txs.
std::size_t check_response(const Request& req, const HttpResponse& res, RunResult& out) {
  auto fail = [&](const std::string& why, std::size_t n) {
    out.failures += n;
    out.failures_by_status[why] += n;
  };
  if (res.status != 200) {
    fail("http_" + std::to_string(res.status), req.txs.size());
    return 0;
  }
  std::size_t applied = 0;
  if (res.content_type.rfind("application/octet-stream", 0) == 0) {
    ByteReader r(as_bytes(res.body));
    auto count = r.varint();
    if (!count || *count != req.txs.size()) {
      fail("bad_response", req.txs.size());
      return 0;
    }
    for (std::size_t i = 0; i < req.txs.size(); ++i) {
      auto hash = r.fixed<Hash32>();
      auto status = r.u8();
      auto batch = r.u64le();
      auto index = r.u32le();
      if (!hash || !status || !batch || !index) {
        fail("bad_response", req.txs.size() - i);
        return applied;
      }
      if (*hash != req.hashes[i]) {
        fail("hash_mismatch", 1);
      } else if (*status == kBinaryApplied) {
        ++applied;
      } else {
        fail(*status == kBinaryPending ? "pending" : "status_" + std::to_string(*status), 1);
      }
    }
    if (!r.expect_end()) fail("bad_response", 0);
    return applied;
  }
  try {
    const auto receipts = nlohmann::json::parse(res.body).at("receipts");
    if (receipts.size() != req.txs.size()) {
      fail("bad_response", req.txs.size());
      return 0;
    }
    for (std::size_t i = 0; i < req.txs.size(); ++i) {
      const auto& rc = receipts[i];
      const std::string status = rc.at("status").get<std::string>();
      if (rc.at("hash").get<std::string>() != req.hashes[i].hex())
        fail("hash_mismatch", 1);
      else if (status == "applied")
        ++applied;
      else
        fail(status, 1);
    }
  } catch (const std::exception&) {
    fail("bad_response", req.txs.size());
    return 0;
  }
  return applied;
}

// The server under load: the connections the requests go over (one sender thread each),
// a connection of its own for the metrics, and its process id for CPU accounting.
struct ServerLink {
  std::vector<HttpConnection>& conns;
  HttpConnection& control;
  int pid = -1;
};

// Sends one run over the connections, one thread each. target_tps == 0: full speed;
// otherwise request k leaves at start + k * batch / target_tps (or as soon as its
// connection is free, if later).
RunResult drive(const ServerLink& server, const Run& run, double target_tps, std::size_t batch_size) {
  std::vector<HttpConnection>& conns = server.conns;
  HttpConnection& control = server.control;
  const int server_pid = server.pid;
  RunResult out;
  out.format = run.format;
  out.paced = run.paced;
  out.txs = run.txs;
  out.target_tps = target_tps;
  const auto before = read_batch_metrics(control);
  std::uint64_t reconnects_before = 0;
  for (const HttpConnection& c : conns) reconnects_before += c.reconnects();
  const std::string_view content_type =
      run.format == Format::binary ? "application/octet-stream" : "application/json";
  std::vector<std::vector<Exchange>> exchanges(conns.size());
  std::vector<std::string> errors(conns.size());
  std::vector<double> lag(conns.size(), 0);
  const double interval_s = target_tps > 0 ? static_cast<double>(batch_size) / target_tps : 0;
  const CpuClock c0 = cpu_now(server_pid);
  const Clock::time_point start = c0.wall + std::chrono::milliseconds(20);
  std::vector<std::thread> threads;
  for (std::size_t c = 0; c < conns.size(); ++c) {
    threads.emplace_back([&, c] {
      const auto& list = run.by_connection[c];
      exchanges[c].reserve(list.size());
      std::this_thread::sleep_until(start);
      for (const Request& req : list) {
        if (interval_s > 0) {
          const auto slot = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(
                                        interval_s * static_cast<double>(req.global)));
          std::this_thread::sleep_until(slot);
          lag[c] = std::max(lag[c], ms_between(slot, Clock::now()));
        }
        Exchange ex;
        ex.sent = Clock::now();
        try {
          ex.response =
              conns[c].send(HttpRequest{"POST", kBatchTarget, req.body, content_type, content_type});
        } catch (const std::exception& e) {
          errors[c] = e.what();
          return;
        }
        ex.received = Clock::now();
        exchanges[c].push_back(std::move(ex));
      }
    });
  }
  for (auto& t : threads) t.join();
  const CpuClock c1 = cpu_now(server_pid);
  out.cpu = cpu_use(c0, c1);

  Clock::time_point last = start;
  std::size_t applied = 0;
  for (std::size_t c = 0; c < conns.size(); ++c) {
    const auto& list = run.by_connection[c];
    for (std::size_t j = 0; j < list.size(); ++j) {
      ++out.requests;
      if (j >= exchanges[c].size()) {
        out.failures += list[j].txs.size();
        out.failures_by_status["not_sent"] += list[j].txs.size();
        continue;
      }
      const Exchange& ex = exchanges[c][j];
      last = std::max(last, ex.received);
      out.latency_ms.push_back(ms_between(ex.sent, ex.received));
      applied += check_response(list[j], ex.response, out);
    }
    if (!errors[c].empty()) progress("connection %zu failed: %s", c, errors[c].c_str());
    out.max_lag_ms = std::max(out.max_lag_ms, lag[c]);
  }
  std::sort(out.latency_ms.begin(), out.latency_ms.end());
  out.wall_ms = ms_between(start, last);
  out.tps = out.wall_ms > 0 ? static_cast<double>(applied) / (out.wall_ms / 1000.0) : 0;
  for (const HttpConnection& c : conns) out.reconnects += c.reconnects();
  out.reconnects -= reconnects_before;
  const auto after = read_batch_metrics(control);
  if (before && after && after->batches > before->batches)
    out.server_mean_batch = (after->txs - before->txs) / (after->batches - before->batches);
  return out;
}

// ------------------------------------------------------------------ output

struct FormatResult {
  Format format = Format::binary;
  InprocResult inproc;  // measured just before `full`, on the same transfers
  RunResult full;
  std::optional<RunResult> paced;
  // Every tx not applied or request failed, in any of the three measurements.
  [[nodiscard]] std::uint64_t failures() const {
    return full.failures + (paced ? paced->failures : 0) + inproc.failures;
  }
};

void print_json(const Options& o, const std::vector<FormatResult>& results, const std::string& server) {
  for (const FormatResult& r : results) {
    const InprocResult& inproc = r.inproc;
    const RunResult& lat = r.paced ? *r.paced : r.full;
    nlohmann::json j;
    j["format"] = std::string(to_string(r.format));
    j["tps"] = round1(r.full.tps);
    j["inproc_tps"] = round1(inproc.tps);
    j["ratio"] = round3(inproc.tps > 0 ? r.full.tps / inproc.tps : 0);
    j["p50_ms"] = round1(percentile(lat.latency_ms, 0.50));
    j["p99_ms"] = round1(percentile(lat.latency_ms, 0.99));
    j["max_ms"] = round1(lat.latency_ms.empty() ? 0 : lat.latency_ms.back());
    j["latency_per"] = "request";
    j["rate_fraction"] = r.paced ? o.rate_fraction : 1.0;
    j["paced_target_tps"] = round1(lat.target_tps);
    j["paced_tps"] = round1(lat.tps);
    j["paced_max_lag_ms"] = round1(lat.max_lag_ms);
    j["full_speed"] = {
        {"p50_ms", round1(percentile(r.full.latency_ms, 0.50))},
        {"p99_ms", round1(percentile(r.full.latency_ms, 0.99))},
        {"max_ms", round1(r.full.latency_ms.empty() ? 0 : r.full.latency_ms.back())},
        {"wall_ms", round1(r.full.wall_ms)},
        {"server_mean_batch_txs", r.full.server_mean_batch ? round1(*r.full.server_mean_batch) : -1},
        {"cpu", cpu_json(r.full.cpu)}};
    j["paced"] = {{"server_mean_batch_txs", lat.server_mean_batch ? round1(*lat.server_mean_batch) : -1},
                  {"cpu", cpu_json(lat.cpu)}};
    j["inproc"] = {{"ms", round1(inproc.ms)},     {"txs", inproc.txs},
                   {"batches", inproc.batches},   {"batch_size", o.engine_batch_size},
                   {"threads", o.engine_threads}, {"cpu", cpu_json(inproc.cpu)}};
    j["reconnects"] = r.full.reconnects + (r.paced ? r.paced->reconnects : 0);
    j["txs"] = r.full.txs;
    j["paced_txs"] = r.paced ? r.paced->txs : 0;
    j["batch_size"] = o.batch_size;
    j["connections"] = o.connections;
    j["accounts"] = o.accounts;
    j["failures"] = r.failures();
    nlohmann::json by_status = r.full.failures_by_status;
    if (r.paced)
      for (const auto& [k, v] : r.paced->failures_by_status)
        by_status[k] = by_status.value(k, std::uint64_t{0}) + v;
    if (inproc.failures) by_status["inproc_not_applied"] = inproc.failures;
    j["failures_by_status"] = by_status;
    j["server"] = server;
    j["hardware_threads"] = std::max(1u, std::thread::hardware_concurrency());
    std::cout << j.dump() << '\n';
  }
  std::cout.flush();
}

void print_table(const Options& o, const std::vector<FormatResult>& results, const std::string& server) {
  std::printf("loadgen: %s, %u accounts, %u connections, %zu txs per request, %u hardware threads\n",
              server.c_str(), o.accounts, o.connections, o.batch_size,
              std::max(1u, std::thread::hardware_concurrency()));
  std::printf(
      "in-process engine: batches of %zu on %u threads, timed just before each format's full-speed run\n\n",
      o.engine_batch_size, o.engine_threads);
  std::printf("%-7s %8s %8s %6s | %-26s | %-33s %8s\n", "format", "tps", "inproc", "ratio",
              "full speed p50/p99/max ms", "paced at rate  p50/p99/max ms", "failures");
  for (const FormatResult& r : results) {
    char paced[64] = "-";
    if (r.paced)
      std::snprintf(paced, sizeof paced, "%6.0f/s %6.1f %6.1f %6.1f", r.paced->tps,
                    percentile(r.paced->latency_ms, 0.5), percentile(r.paced->latency_ms, 0.99),
                    r.paced->latency_ms.empty() ? 0.0 : r.paced->latency_ms.back());
    std::printf("%-7s %8.0f %8.0f %6.3f | %8.1f %8.1f %8.1f | %-33s %8llu\n",
                std::string(to_string(r.format)).c_str(), r.full.tps, r.inproc.tps,
                r.inproc.tps > 0 ? r.full.tps / r.inproc.tps : 0, percentile(r.full.latency_ms, 0.5),
                percentile(r.full.latency_ms, 0.99),
                r.full.latency_ms.empty() ? 0.0 : r.full.latency_ms.back(), paced,
                static_cast<unsigned long long>(r.failures()));
  }
  std::printf(
      "\nlatency = POST /v1/batches sent -> its receipts received (the txs are durable), per request\n");
  std::fflush(stdout);
}

// SIGINT, SIGTERM and SIGHUP are blocked in every thread (main() blocks them before any
// thread starts) and awaited here: on one, the private server is stopped and the
// temporary directory removed before loadgen exits, so an interrupted run leaves nothing.
class InterruptWatcher {
 public:
  InterruptWatcher(std::filesystem::path dir, const std::atomic<int>& server_pid)
      : dir_(std::move(dir)),
        server_pid_(server_pid),
        thread_([this](const std::stop_token& stop) { watch(stop); }) {}

 private:
  void watch(const std::stop_token& stop) {
    const sigset_t set = interrupt_signals();
    const timespec tick{0, 100'000'000};
    while (!stop.stop_requested()) {
      const int sig = ::sigtimedwait(&set, nullptr, &tick);
      if (sig <= 0) continue;
      progress("interrupted (signal %d): stopping the private server and removing %s", sig, dir_.c_str());
      if (const int pid = server_pid_.load(); pid > 0) {
        ::kill(pid, SIGTERM);
        for (int i = 0; i < 100 && ::waitpid(pid, nullptr, WNOHANG) == 0; ++i) ::usleep(50'000);
        ::kill(pid, SIGKILL);
      }
      std::error_code ec;
      std::filesystem::remove_all(dir_, ec);
      std::_Exit(128 + sig);
    }
  }

  std::filesystem::path dir_;
  const std::atomic<int>& server_pid_;
  std::jthread thread_;
};

std::filesystem::path default_sequencerd() {
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return "sequencerd";
  return exe.parent_path().parent_path() / "sequencer" / "sequencerd";
}

int run(Options& o) {
  ensure_sodium();
  for (const std::string& f : o.format_names) {
    const Format fmt = f == "binary" ? Format::binary : Format::json;
    if (std::find(o.formats.begin(), o.formats.end(), fmt) == o.formats.end()) o.formats.push_back(fmt);
  }
  if (o.accounts < 2 * o.connections) {
    progress("--accounts must be at least twice --connections");
    return kExitSetup;
  }
  const unsigned hw = std::max(1u, std::thread::hardware_concurrency());
  if (o.engine_threads == 0) o.engine_threads = hw;
  if (o.engine_batch_size == 0) o.engine_batch_size = std::min(o.batch_size * o.connections, kServerBatchTxs);

  auto dir = TempDir::create(
      o.dir.empty() ? std::filesystem::temp_directory_path() : std::filesystem::path(o.dir), "loadgen");
  if (!dir) {
    progress("cannot create a temporary directory");
    return kExitSetup;
  }

  std::atomic<int> server_pid_for_interrupt{-1};
  InterruptWatcher interrupts(dir->path(), server_pid_for_interrupt);

  // 1. The server.
  std::optional<ServerProcess> server;
  Url url;
  std::string error;
  if (o.server.empty()) {
    if (o.sequencerd.empty()) o.sequencerd = default_sequencerd().string();
    std::filesystem::create_directories(dir->path() / "data");
    ServerSpec spec;
    spec.binary = o.sequencerd;
    spec.args = {"--port",     "0",
                 "--data-dir", (dir->path() / "data").string(),
                 "--chain-id", std::to_string(kPrivateChainId),
                 "--dev"};
    spec.args.insert(spec.args.end(), o.server_args.begin(), o.server_args.end());
    spec.log_file = dir->path() / "sequencerd.log";
    if (auto started = ServerProcess::start(spec, error)) server.emplace(std::move(*started));
    if (!server) {
      progress("%s", error.c_str());
      return kExitSetup;
    }
    url.host = "127.0.0.1";
    url.port = server->port();
    progress("started %s on 127.0.0.1:%u (data in %s)", o.sequencerd.c_str(), server->port(),
             dir->path().c_str());
  } else if (!parse_url(o.server, url)) {
    progress("--server must look like http://127.0.0.1:8645");
    return kExitSetup;
  }
  const std::string server_name = o.server.empty() ? "private sequencerd" : o.server;
  const int server_pid = server ? server->pid() : -1;
  server_pid_for_interrupt = server_pid;

  try {
    HttpConnection control(url.host, url.port);
    auto status = read_status(control, error);
    if (!status) {
      progress("%s", error.c_str());
      return kExitSetup;
    }
    if (!status->dev) {
      progress("the server does not run with --dev: loadgen creates its accounts with POST /v1/dev/deposit");
      return kExitSetup;
    }
    const ChainId chain(status->chain_id);
    ThreadPool pool(hw);

    // 2. Accounts.
    std::random_device rd;
    const std::uint64_t salt = (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
    Accounts accounts;
    auto t = Clock::now();
    make_keys(accounts, o.accounts, salt, pool);
    if (!deposit_all(control, accounts, std::min<std::size_t>(o.batch_size, 1000), error)) {
      progress("%s", error.c_str());
      return kExitSetup;
    }
    progress("%u accounts created through /v1/dev/deposit in %.1f s", o.accounts,
             ms_between(t, Clock::now()) / 1000);

    // 3. The plan, signed and encoded.
    t = Clock::now();
    Planner planner(accounts, o.connections, o.seed);
    std::vector<Run> runs;
    const auto paced_txs = static_cast<std::size_t>(std::ceil(static_cast<double>(o.txs) * o.rate_fraction));
    for (Format f : o.formats) {
      runs.push_back(planner.make(f, false, o.txs, o.batch_size));
      runs.push_back(planner.make(f, true, std::max<std::size_t>(paced_txs, 1), o.batch_size));
    }
    if (!sign_and_encode(runs, accounts, chain, o.corrupt, pool)) {
      progress("self-check failed: a signed transfer does not verify");
      return kExitSetup;
    }
    for (auto& s : accounts.secret) sodium_memzero(s.data(), s.size());
    std::size_t total = 0;
    for (const Run& r : runs) total += r.txs;
    progress("%zu transfers planned, signed and encoded in %.1f s", total,
             ms_between(t, Clock::now()) / 1000);

    // 4. The engine in-process, with the same accounts (kept open for the whole run).
    auto inproc = InprocEngine::open(o, accounts, chain, dir->path() / "inprocess.sqlite", error);
    if (!inproc) {
      progress("%s", error.c_str());
      return kExitSetup;
    }

    // 5. Per format: the engine in-process and the server at full speed on the same
    // transfers, then the server paced (and the engine catching up, untimed).
    std::vector<HttpConnection> conns;
    for (unsigned c = 0; c < o.connections; ++c) conns.emplace_back(url.host, url.port);
    std::vector<FormatResult> results;
    for (std::size_t r = 0; r < runs.size(); r += 2) {
      FormatResult fr;
      fr.format = runs[r].format;
      const std::string name(to_string(fr.format));
      auto measured = inproc->pass(runs[r], error);
      if (!measured) {
        progress("%s", error.c_str());
        return kExitSetup;
      }
      fr.inproc = *measured;
      progress("%s in-process: %.0f tx/s (%zu txs in batches of %zu, %u threads)", name.c_str(),
               fr.inproc.tps, fr.inproc.txs, o.engine_batch_size, o.engine_threads);
      fr.full = drive(ServerLink{conns, control, server_pid}, runs[r], 0, o.batch_size);
      progress("%s full speed: %.0f tx/s (ratio %.3f), p50 %.1f ms, p99 %.1f ms, failures %llu", name.c_str(),
               fr.full.tps, fr.inproc.tps > 0 ? fr.full.tps / fr.inproc.tps : 0,
               percentile(fr.full.latency_ms, 0.5), percentile(fr.full.latency_ms, 0.99),
               static_cast<unsigned long long>(fr.full.failures));
      // After a failure the senders' later nonces no longer line up: stop here.
      const bool go_on = fr.full.failures == 0 && fr.inproc.failures == 0 && fr.full.tps > 0;
      if (go_on) {
        fr.paced = drive(ServerLink{conns, control, server_pid}, runs[r + 1], fr.full.tps * o.rate_fraction,
                         o.batch_size);
        progress("%s paced at %.0f tx/s: %.0f tx/s, p50 %.1f ms, p99 %.1f ms, max %.1f ms, failures %llu",
                 name.c_str(), fr.paced->target_tps, fr.paced->tps, percentile(fr.paced->latency_ms, 0.5),
                 percentile(fr.paced->latency_ms, 0.99),
                 fr.paced->latency_ms.empty() ? 0.0 : fr.paced->latency_ms.back(),
                 static_cast<unsigned long long>(fr.paced->failures));
      }
      const bool failed = !go_on || fr.paced->failures != 0;
      results.push_back(std::move(fr));
      if (failed && r + 2 < runs.size()) {
        progress("stopping after failures: the remaining runs are skipped");
        break;
      }
      if (r + 2 < runs.size()) {
        auto catch_up = inproc->pass(runs[r + 1], error);  // untimed: the paced run's nonces
        if (!catch_up) {
          progress("%s", error.c_str());
          return kExitSetup;
        }
      }
    }
    conns.clear();

    inproc.reset();
    std::filesystem::remove(dir->path() / "inprocess.sqlite");
    if (o.json)
      print_json(o, results, server_name);
    else
      print_table(o, results, server_name);
    std::uint64_t failures = 0;
    for (const FormatResult& r : results) failures += r.failures();
    if (server) {
      server_pid_for_interrupt = -1;
      const int rc = server->stop();
      if (rc != 0) {
        progress("sequencerd exited with %d after SIGTERM", rc);
        return kExitSetup;
      }
    }
    if (failures != 0) {
      progress("FAILED: %llu transfers were not applied; the rates above are not valid",
               static_cast<unsigned long long>(failures));
      return kExitFailures;
    }
    return kExitOk;
  } catch (const std::exception& e) {
    progress("%s", e.what());
    return kExitSetup;
  }
}

}  // namespace
}  // namespace l2::bench

namespace {
int parse_and_run(int argc, char** argv) {
  l2::bench::set_progress_name("loadgen");
  std::signal(SIGPIPE, SIG_IGN);
  const sigset_t interrupts = l2::bench::interrupt_signals();
  ::pthread_sigmask(SIG_BLOCK, &interrupts, nullptr);  // before any thread exists
  l2::bench::Options o;
  CLI::App app{
      "loadgen: drives sequencerd with pre-signed transfer batches and compares with the in-process engine",
      "loadgen"};
  l2::cli::setup_program(app);
  app.add_option("--server", o.server,
                 "a running sequencerd, http://HOST:PORT (default: start a private one)");
  app.add_option(
      "--sequencerd", o.sequencerd,
      "the daemon to start when there is no --server (default: ../sequencer/sequencerd next to loadgen)");
  app.add_option("--server-arg", o.server_args, "an extra flag for the private sequencerd (repeatable)")
      ->allow_extra_args(false);
  app.add_option("--accounts", o.accounts, "accounts to create through the dev deposit")
      ->capture_default_str()
      ->check(CLI::Range(2u, 10'000'000u));
  app.add_option("--txs", o.txs, "transfers per full-speed run (the paced run sends rate-fraction of this)")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{100'000'000}));
  app.add_option("--batch-size", o.batch_size, "transfers per POST /v1/batches")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, l2::rollup::kMaxTxsPerBatch));
  app.add_option("--connections", o.connections, "keep-alive connections, one thread each")
      ->capture_default_str()
      ->check(CLI::Range(1u, 1024u));
  app.add_option("--formats", o.format_names, "request formats: binary,json")
      ->delimiter(',')
      ->capture_default_str()
      ->check(CLI::IsMember({"binary", "json"}));
  app.add_option("--rate-fraction", o.rate_fraction,
                 "the latency run sends at this fraction of the format's full-speed rate")
      ->capture_default_str()
      ->check(CLI::Range(0.01, 1.0));
  app.add_option("--engine-threads", o.engine_threads, "threads of the in-process engine (default: all)");
  app.add_option("--engine-batch-size", o.engine_batch_size,
                 "txs per in-process engine batch (default: batch-size x connections, at most 10000, "
                 "sequencerd's default batch.max-txs)");
  app.add_option("--dir", o.dir, "parent of the temporary directory (default: the system temp dir)");
  app.add_option("--seed", o.seed, "RNG seed of the transfer plan")->capture_default_str();
  app.add_flag("--json", o.json, "one JSON object per result line on stdout, nothing else");
  app.add_option("--corrupt-signatures", o.corrupt,
                 "testing only: break this many signatures at the end of the last run")
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
    std::fprintf(stderr, "loadgen: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "loadgen: unknown exception\n");
  }
  return l2::bench::kExitSetup;
}
