// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// The challenger (docs/disputes.md, "The challenger"): watches one rollup's commitments
// on the base chain, re-derives each batch from base-chain data alone (the Deriver of
// settlement/derive.hpp, the code rollup-derive runs) and, at the first commitment whose
// batch does not derive, opens a dispute with its own key and plays it to the ruling:
//
//   - it challenges a pending commitment found wrong (challenge_batch, with the rollup's
//     bond), once: a commitment it has lost a game on, or cannot dispute, is recorded and
//     never challenged again;
//   - it traces the batch the way the chain names it (settlement/chain_batch.hpp) over
//     the derived state before it, and answers each root the sequencer names at the
//     game's mid: agree when it is the root of its own trace there, else disagree. A
//     payload the chain cannot name (hash, decoding, tx count) has no trace: it disagrees
//     with every root, and the sequencer cannot run the step;
//   - a sequencer whose clock runs out loses: it sends dispute_timeout;
//   - after a ruling that removes the batch (and every later one), or any other removal
//     or replacement of a batch it had derived, it re-derives from genesis and goes on
//     with what the sequencer posts next.
// It never challenges a batch that derives: an honest sequencer's commitments all do.
//
// Its own SQLite file (ChallengerOptions::store_path) keeps the games it played and the
// commitments it will not challenge again, so a restart mid-game resumes the game (the
// chain holds the game; the challenger re-derives and finds its own open game there)
// without challenging a lost commitment again. A base chain that is down or restarted is
// retried every poll; nothing is lost meanwhile but time on the clock.
//
// Limitations: the state is re-derived from genesis at start and after each removal (the
// base chain holds no snapshot), in memory; cases the chain decides without bisection
// (a bad signature, a queue entry not credited) are not told apart: such a batch does not
// derive, and is challenged by bisection over its trace.
//
// Thread safety: the public methods may be called from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>

#include "common/crypto.hpp"
#include "common/http/client.hpp"
#include "common/result.hpp"
#include "common/sqlite.hpp"
#include "common/types.hpp"
#include "settlement/basechain/client.hpp"
#include "settlement/derive.hpp"
#include "settlement/one_step.hpp"

namespace l2::settlement {

struct ChallengerOptions {
  ChainId rollup_id;
  std::string store_path;               // its SQLite file (created on first start)
  std::uint32_t poll_ms = 500;          // how often it reads the chain
  std::uint32_t fetch_limit = 1000;     // queue entries per request
  std::uint32_t batches_per_poll = 32;  // batches derived per poll at most (the games wait meanwhile)
  unsigned threads = 0;                 // derivation threads; 0: all hardware threads
};

// A game it opened, as its store keeps it (GET /health "games", docs/disputes.md).
struct ChallengerGame {
  std::uint64_t id = 0;  // the chain's dispute id
  BatchNumber batch;
  Hash32 commitment_tx;
  std::string status;       // open, defender_won, challenger_won, void
  std::string end;          // step_matches, step_differs, clock_ran_out, empty_batch; empty while open
  std::uint64_t moves = 0;  // the game's moves, both sides
  std::string mismatch;     // what the derivation found (describe())
};

// What GET /health and /metrics show.
struct ChallengerState {
  bool reachable = false;             // the last poll reached the chain
  bool registered = false;            // the rollup is registered
  std::uint64_t last_batch = 0;       // the rollup's last committed batch
  std::uint64_t verified = 0;         // the last batch it derived and found correct
  std::uint64_t derived = 0;          // batches it derived and found correct since start
  std::uint64_t rederivations = 0;    // re-derivations from genesis after a removal
  std::string mismatch;               // the wrong batch it is on, if any (describe())
  std::uint64_t mismatches = 0;       // wrong batches it found since start
  std::uint64_t challenges = 0;       // challenge_batch txs it sent (ever: from its store)
  std::uint64_t open = 0;             // its games open at the last poll
  std::uint64_t won = 0;              // its games decided for it (ever)
  std::uint64_t lost = 0;             // its games decided for the sequencer (ever)
  std::uint64_t moves = 0;            // respond and timeout txs it sent since start
  std::uint64_t refused_txs = 0;      // its txs the chain refused since start
  double last_trace_ms = 0;           // how long the last trace took (re-derivation included)
  std::string last_error;             // empty while the last poll went well
  std::vector<ChallengerGame> games;  // its games, newest first (at most 20)
};

class Challenger {
 public:
  // Opens (or creates) the store and checks it belongs to this rollup and key. Error: a
  // store that cannot be opened, or that belongs to another rollup or key.
  static Result<std::unique_ptr<Challenger>, std::string> open(std::string base_chain_url,
                                                               http::ClientOptions http,
                                                               const ChallengerOptions& options,
                                                               SecretKey key);
  ~Challenger();  // stop()
  Challenger(const Challenger&) = delete;
  Challenger& operator=(const Challenger&) = delete;

  void start();
  void stop();
  [[nodiscard]] ChallengerState state() const;
  [[nodiscard]] const PublicKey& public_key() const { return key_.public_key(); }

 private:
  struct Found {  // the wrong commitment it is on
    BatchNumber batch;
    Hash32 commitment_tx;
    Mismatch mismatch;
    // Its trace of the batch as the chain names it; nullopt when the chain cannot name it.
    std::optional<DerivedTrace> trace;
    bool traced = false;  // the trace was attempted (trace may still be nullopt)
  };
  struct Sent {
    std::uint64_t moves = 0;
    std::chrono::steady_clock::time_point at;
  };

  Challenger(std::string url, http::ClientOptions http, ChallengerOptions options, SecretKey key,
             std::unique_ptr<Db> db);
  Status<std::string> load();
  void run();
  bool poll();                           // false: the chain could not be read
  bool advance(const RollupInfo& info);  // derives new batches; false: the chain failed
  bool pursue(const ChainHead& head);    // the wrong commitment's game; false: the chain failed
  void reset(const std::string& why);    // drops the derived state: re-derive from genesis
  bool trace(Found& f);                  // false: the chain failed (try again)
  bool send(BaseTxBody body, const std::string& what);
  void note_error(const std::string& what);
  void record(const DisputeRecord& g);  // the game into the store and state_.games
  void refuse(const Hash32& commitment_tx, const std::string& why);

  std::string url_;
  http::ClientOptions http_;
  ChallengerOptions options_;
  SecretKey key_;
  std::unique_ptr<Db> db_;  // challenger thread only (and open() before start)

  mutable std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_ = false;      // GUARDED_BY(mutex_)
  ChallengerState state_;  // GUARDED_BY(mutex_)
  // Challenger thread only:
  std::unique_ptr<BaseChainClient> client_;
  ChainId base_chain_;
  std::unique_ptr<DerivationSource> source_;
  std::unique_ptr<Deriver> deriver_;
  Hash32 verified_tx_;  // the commitment tx of deriver_->verified()
  std::optional<Found> found_;
  std::set<Hash32> refused_;                       // commitments not to challenge (again)
  std::map<std::uint64_t, ChallengerGame> games_;  // by id
  std::map<std::uint64_t, Sent> sent_;             // game id -> our last move
  std::optional<std::chrono::steady_clock::time_point> challenge_sent_;
  std::thread thread_;
};

}  // namespace l2::settlement
