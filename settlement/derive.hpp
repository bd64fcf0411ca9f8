// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// State derivation: rebuilding a rollup's state from base-chain data alone and checking
// every commitment against it by re-execution (what rollup-derive and a challenger do).
//
// A Deriver starts from the genesis state of the registered rollup (State(operator_key),
// whose root must be the registered genesis root) and, for each commitment in batch
// order:
//   1. checks the batch number (previous + 1), the rollup id and prev_root (the current
//      root), then the payload hash, and decompresses and decodes the payload;
//   2. builds the batch as the sequencer must have: the deposits [previous deposits_upto,
//      deposits_upto) as rollup::Deposit{deposit_id = queue index, to_index = the entry's
//      account, to = recipient,
//      amount}, then the forced txs [previous forced_upto, forced_upto), both in queue
//      order, then the payload txs, whose nonces are restored over the state after the
//      deposits and forced txs (a forced tx that is rejected does not bump its sender's
//      nonce);
//   3. executes it with a rollup::Engine (SQLite, in memory by default) that verifies
//      every signature, and checks that every payload tx was applied, that the payload
//      count is the committed applied_txs, and that the new root is the committed one.
// The first disagreement stops it and is reported as a Mismatch (batch, kind, expected,
// got). A failure to read the source or to run the engine is a DeriveError instead: it
// says nothing about the commitments.
//
// Where the data comes from is a DerivationSource: BaseChainSource reads basechaind over
// JSON-RPC; MemorySource holds it in memory (tests, the benchmark).
//
// Thread safety: a Deriver belongs to one thread; it runs its engine's threads inside.
// Limitations: create() always replays from genesis (the base chain holds no state
// snapshot; resume() continues a database that already holds a prefix of the batches),
// and its SQLite database keeps every batch (txs and diffs, about 200 bytes per tx) for
// as long as it lives; point DeriveOptions::store_path at a file for long chains.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/result.hpp"
#include "common/types.hpp"
#include "rollup/engine.hpp"
#include "settlement/basechain/client.hpp"
#include "settlement/commitment.hpp"

namespace l2::settlement {

// Base-chain data of one rollup. Methods return an error only when the data could not
// be read (connection, protocol); an entry that does not exist is an empty answer.
class DerivationSource {
 public:
  virtual ~DerivationSource() = default;
  // The rollup's registration and its queue and commitment counts; error if unregistered.
  virtual Result<RollupInfo, std::string> rollup() = 0;
  // Queue entries from index `from`, at most `limit` of them (fewer at the queue's end).
  virtual Result<std::vector<QueuedDeposit>, std::string> deposits(DepositPosition from,
                                                                   std::uint32_t limit) = 0;
  virtual Result<std::vector<QueuedForced>, std::string> forced(ForcedPosition from, std::uint32_t limit) = 0;
  // nullopt if batch `batch` was never committed (or was removed by a dispute).
  virtual Result<std::optional<CommitmentRecord>, std::string> commitment(BatchNumber batch,
                                                                          bool with_payload) = 0;
};

// Over basechaind's JSON-RPC API. The client must outlive the source.
class BaseChainSource final : public DerivationSource {
 public:
  BaseChainSource(BaseChainClient& client, ChainId rollup_id) : client_(client), rollup_id_(rollup_id) {}
  Result<RollupInfo, std::string> rollup() override;
  Result<std::vector<QueuedDeposit>, std::string> deposits(DepositPosition from,
                                                           std::uint32_t limit) override;
  Result<std::vector<QueuedForced>, std::string> forced(ForcedPosition from, std::uint32_t limit) override;
  Result<std::optional<CommitmentRecord>, std::string> commitment(BatchNumber batch,
                                                                  bool with_payload) override;

 private:
  BaseChainClient& client_;
  ChainId rollup_id_;
};

// Everything in memory: tests and benchmarks fill it directly.
class MemorySource final : public DerivationSource {
 public:
  explicit MemorySource(RollupInfo info) : info_(std::move(info)) {}
  // Next queue index; the account index assigned as the bridge does (the key's, or the
  // next free one; the operator's key is account 0).
  void add_deposit(const PublicKey& recipient, Amount amount);
  void add_forced(rollup::Tx tx);     // next queue index
  void add_commitment(Commitment c);  // batch = c.header.batch
  // Tampering, for tests: the stored commitment of a batch (must exist).
  Commitment& commitment_at(BatchNumber batch) { return commitments_.at(batch.value()); }
  [[nodiscard]] const RollupInfo& info() const { return info_; }

  Result<RollupInfo, std::string> rollup() override;
  Result<std::vector<QueuedDeposit>, std::string> deposits(DepositPosition from,
                                                           std::uint32_t limit) override;
  Result<std::vector<QueuedForced>, std::string> forced(ForcedPosition from, std::uint32_t limit) override;
  Result<std::optional<CommitmentRecord>, std::string> commitment(BatchNumber batch,
                                                                  bool with_payload) override;

 private:
  RollupInfo info_;
  std::unordered_map<PublicKey, AccountIndex, FixedBytesHasher> accounts_;
  std::vector<QueuedDeposit> deposits_;
  std::vector<QueuedForced> forced_;
  std::map<std::uint64_t, Commitment> commitments_;
};

enum class MismatchKind : std::uint8_t {
  genesis_root,    // State(operator_key) does not hash to the registered genesis root
  batch_number,    // the commitment is not for the next batch
  rollup_id,       // the commitment names another rollup
  prev_root,       // prev_root is not the derived root of the previous batch
  payload_hash,    // the payload does not hash to payload_hash
  payload_decode,  // the payload does not decompress or decode
  applied_count,   // applied_txs is not the payload's tx count
  deposit_range,   // deposits_upto goes backwards or past the deposit queue
  forced_range,    // forced_upto goes backwards or past the forced queue
  tx_not_applied,  // a payload tx is rejected by the state transition function
  state_root,      // re-execution gives another root than new_root
};
std::string_view to_string(MismatchKind k);

struct Mismatch {
  BatchNumber batch;
  MismatchKind kind = MismatchKind::state_root;
  std::string expected;  // what the derivation computed or requires
  std::string got;       // what the commitment (or the base chain) says
  std::string detail;    // e.g. "payload tx 3 not applicable: bad_nonce"
};
// One line: "batch 7: state_root mismatch: expected <hex>, got <hex> (detail)".
std::string describe(const Mismatch& m);

enum class DeriveErrorCode : std::uint8_t { source, engine };
struct DeriveError {
  DeriveErrorCode code = DeriveErrorCode::source;
  std::string message;
};

struct DeriveOptions {
  unsigned threads = 0;                 // engine threads; 0: all hardware threads
  std::string store_path = ":memory:";  // the engine's SQLite database (must be new)
  std::uint32_t fetch_limit = 1000;     // queue entries per source request
};

struct DeriveStats {
  std::uint64_t batches = 0;      // batches derived and found correct
  std::uint64_t txs = 0;          // txs executed in them (deposits, forced and payload txs)
  std::uint64_t payload_txs = 0;  // of which posted in payloads
  double derive_seconds = 0;      // time spent deriving them, source reads excluded
  // Where that time went (ms, summed over the counted batches): payload hash,
  // decompression, decoding and nonces; the engine's stages (rollup::StageTimings); and
  // the wait for the engine's commit (its SQLite write) after the caller's stages.
  double payload_ms = 0;
  double verify_ms = 0;
  double execute_ms = 0;
  double merkle_ms = 0;
  double commit_wait_ms = 0;
  [[nodiscard]] double txs_per_second() const {
    return derive_seconds > 0 ? static_cast<double>(txs) / derive_seconds : 0.0;
  }
};

// After each batch derived correctly.
using DeriveProgress = std::function<void(const rollup::BatchHeader& derived, const DeriveStats& so_far)>;

class Deriver {
 public:
  // Reads the rollup's registration and opens the engine at genesis. A genesis that does
  // not hash to the registered root is reported by the first call to derive()/run().
  static Result<std::unique_ptr<Deriver>, DeriveError> create(DerivationSource& source,
                                                              const DeriveOptions& options = {});
  // Continues an existing rollup database (a sequencer's own, behind the base chain)
  // from its head, whose batch consumed the queues up to `deposits_upto` and
  // `forced_upto`: each derived batch is committed to `engine` with its origin record
  // (encode_origin) and the commitment's base-chain time as its timestamp, exactly as
  // the sequencer would have stored it. The engine must outlive the deriver, and nothing
  // else may submit to it meanwhile. options.store_path and options.threads are unused.
  static Result<std::unique_ptr<Deriver>, DeriveError> resume(DerivationSource& source,
                                                              rollup::Engine& engine,
                                                              DepositPosition deposits_upto,
                                                              ForcedPosition forced_upto,
                                                              const DeriveOptions& options = {});
  ~Deriver();
  Deriver(const Deriver&) = delete;
  Deriver& operator=(const Deriver&) = delete;

  // Derives the next batch from its commitment (payload included); the queue entries it
  // consumed are read from the source. nullopt: the commitment is correct and the state
  // has moved on to it. After a mismatch the deriver is stuck: every later call returns
  // that mismatch again.
  Result<std::optional<Mismatch>, DeriveError> derive(const Commitment& c);

  // Downloads and derives every commitment after the current head up to `upto` (default:
  // the rollup's last committed batch at the time of the call), stopping at the first
  // mismatch. Stats count only batches from `count_from` on (earlier ones are replayed
  // but not timed; rollup-derive --from-batch).
  struct RunOptions {
    std::optional<BatchNumber> upto;
    BatchNumber count_from{0};
    DeriveProgress progress;
  };
  Result<std::optional<Mismatch>, DeriveError> run(const RunOptions& options);

  [[nodiscard]] const DeriveStats& stats() const { return stats_; }
  // The last batch found correct.
  [[nodiscard]] BatchNumber verified() const { return verified_; }
  // The engine's head: verified(), or one more after a mismatch found by re-execution
  // (the engine has executed the wrong batch; state() and state_root() are after it).
  [[nodiscard]] BatchNumber head() const;
  [[nodiscard]] const Hash32& state_root() const;
  [[nodiscard]] const rollup::State& state() const;
  [[nodiscard]] const RollupInfo& rollup_info() const { return info_; }
  [[nodiscard]] DepositPosition deposits_upto() const { return deposits_upto_; }
  [[nodiscard]] ForcedPosition forced_upto() const { return forced_upto_; }

 private:
  Deriver(DerivationSource& source, const DeriveOptions& options, RollupInfo info,
          std::unique_ptr<rollup::Engine> owned, rollup::Engine& engine);
  Result<std::optional<Mismatch>, DeriveError> derive_one(const Commitment& c, bool counted,
                                                          std::int64_t timestamp_ms);

  DerivationSource& source_;
  DeriveOptions options_;
  RollupInfo info_;
  std::unique_ptr<rollup::Engine> owned_;  // null when resuming another's engine
  rollup::Engine* engine_;
  DepositPosition deposits_upto_;
  ForcedPosition forced_upto_;
  std::optional<Mismatch> stuck_;
  BatchNumber verified_{0};
  DeriveStats stats_;
};

}  // namespace l2::settlement
