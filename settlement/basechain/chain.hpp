// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// The mock base chain's core (basechaind; docs/basechain.md is the user reference): one
// node, one SQLite file, native balances, blocks, chain time, and native modules
// (module.hpp: handed to the chain at open; the core names none of them) that execute
// every kind of base tx except the native transfer.
//
// A base tx is validated and executed when it is submitted, in one db_txn: it either
// takes full effect (state, tx row, logs) and waits, pending, for the next block, or it
// changes nothing and the caller gets a ChainError that says why. Blocks only order
// and timestamp what was already executed; with automine a block is sealed right after
// each tx, otherwise the owner calls seal_block() on a timer (empty blocks too).
//
//   tx_root    = BLAKE2b-256(hash_0 || hash_1 || ...)    the block's tx hashes, in order
//   block hash = BLAKE2b-256(number u64le || timestamp u64le || parent_hash || tx_root)
//
// Chain time, in seconds, is max(timestamp of the last block, wall clock + time
// offset); the offset only grows (advance_time), so block timestamps never decrease
// and every window and deadline of the modules is measured in it.
//
// Storage: u64 identifiers a user picks (chain id, rollup ids) are kept as the int64
// with the same bits. Money columns have CHECK (x >= 0): the chain keeps its whole
// supply (every balance plus every bridge's locked funds) at most kMaxSupply = 2^63 - 1,
// so no balance or total can overflow either the column or an Amount.
//
// Thread safety: every public method of BaseChain is thread-safe; one mutex guards the
// whole chain (the RPC calls it from several HTTP I/O threads). Store, TxContext and
// ChainView are only ever used under that mutex.
// Limitations: one process per database file; everything runs under the one mutex, so
// a large commitment (payload decompression) holds up every other caller meanwhile.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/assert.hpp"
#include "common/bytes.hpp"
#include "common/result.hpp"
#include "common/sqlite.hpp"
#include "common/types.hpp"
#include "settlement/basechain/tx.hpp"

namespace l2::settlement {

class Module;     // module.hpp
class ModuleSet;  // module.hpp

// The most that can exist on the chain at once (balances plus locked bridge funds).
inline constexpr Amount kMaxSupply{static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())};
// Pseudo kind of the dev-only funding record (dev_fund): never a wire kind.
inline constexpr std::uint8_t kDevFundKind = 0;
inline constexpr std::string_view kDevFundDomainTag = "L2STACK/BASE/DEV_FUND/V1";

enum class ChainErrorCode : std::uint8_t {
  malformed_tx,        // the base tx does not decode (or is too large)
  invalid_signature,   // the base tx's signature does not verify
  wrong_nonce,         // the nonce is not the sender's next one
  insufficient_funds,  // the sender cannot pay what the tx moves
  refused,             // a rule of the chain or a module refused it: see `reason`
  storage,             // SQLite failed (or an injected fault); nothing changed
  not_found,           // e.g. an unknown snapshot id
  unavailable,         // a feature this chain was not configured for (snapshots in memory)
  bad_options,         // open: the options are inconsistent
  wrong_chain,         // open: the database belongs to another chain id
  schema_too_new,      // open: written by a newer program
  corrupt,             // stored data fails its own checks
};
std::string_view to_string(ChainErrorCode c);

// Why a rule refused a base tx: a stable snake_case name (error.data.reason in JSON-RPC,
// the `reason` label of basechain_tx_refusals_total). The core has the few below; every
// module declares the reasons of its own rules next to them, in its header (e.g.
// bridge.hpp), and lists them in Module::refusals().
struct Refusal {
  std::string_view name;
  friend bool operator==(const Refusal&, const Refusal&) = default;
};
namespace core_refusal {
inline constexpr Refusal kZeroAmount{"zero_amount"};            // a dev funding of 0
inline constexpr Refusal kOverflow{"overflow"};                 // an amount or total would pass kMaxSupply
inline constexpr Refusal kUnsupportedKind{"unsupported_kind"};  // no module of this chain claims the kind
}  // namespace core_refusal

// Windows and deadlines longer than this are refused: they would make timestamps
// overflow, and no one means a century.
inline constexpr std::uint64_t kMaxWindowSeconds = 100ull * 366 * 24 * 3600;
inline constexpr ChainDuration kMaxWindow{kMaxWindowSeconds};

struct ChainError {
  ChainErrorCode code = ChainErrorCode::storage;
  std::string reason;  // code == refused: the Refusal's name
  std::string message;
  Nonce expected_nonce;  // code == wrong_nonce
  Nonce got_nonce;       // code == wrong_nonce
};
ChainError refuse(Refusal reason, std::string message);

struct GenesisAlloc {
  PublicKey account;
  Amount amount;
};

// Seconds since the Unix epoch; tests inject their own.
using WallClock = std::function<std::int64_t()>;
std::int64_t system_clock_seconds();

struct ChainOptions {
  std::string path = ":memory:";            // the SQLite file (basechaind: DATA_DIR/chain.db)
  ChainId chain_id{1};                      // a database of another chain id is refused
  bool automine = false;                    // seal a block right after each executed base tx
  bool synchronous_full = true;             // durable when a call returns
  std::vector<GenesisAlloc> genesis_alloc;  // balances of a fresh chain; ignored when reopening
  std::string snapshot_dir;                 // where dev snapshots go; empty: no snapshots
  WallClock clock;                          // default: the system clock
};

struct BlockHeader {
  BlockNumber number;
  ChainTime timestamp;
  Hash32 parent_hash;
  Hash32 tx_root;
  Hash32 hash;
  friend bool operator==(const BlockHeader&, const BlockHeader&) = default;
};
struct Block {
  BlockHeader header;
  std::vector<Hash32> txs;
};
Hash32 block_tx_root(std::span<const Hash32> tx_hashes);
Hash32 block_hash(BlockNumber number, ChainTime timestamp, const Hash32& parent_hash, const Hash32& tx_root);

struct BaseAccountState {
  Amount balance;
  Nonce nonce;  // the next nonce to use
};

struct TxRecord {
  Hash32 hash;
  std::optional<BlockNumber> block;  // nullopt while pending
  std::optional<std::uint32_t> index;
  PublicKey sender;  // all zero for a dev funding record
  Nonce nonce;
  std::uint8_t kind = 0;  // BaseTxKind, or kDevFundKind
  Bytes raw;              // the wire form (dev funding: account[32] || amount u64le)
};

struct Submitted {
  Hash32 hash;
  std::optional<BlockNumber> block;  // set when already sealed (automine)
};

struct LogRecord {
  std::optional<BlockNumber> block;  // nullopt while pending (never returned by logs())
  Hash32 tx_hash;
  std::uint32_t log_index = 0;  // position among its tx's logs
  std::string module;
  std::string event;
  std::optional<ChainId> rollup_id;
  std::string data_json;  // a JSON object
};

struct LogFilter {
  BlockNumber from_block;
  BlockNumber to_block;  // inclusive
  std::optional<std::string> module;
  std::optional<std::string> event;
  std::optional<ChainId> rollup_id;
};

struct ChainStats {
  BlockHeader head;
  std::uint64_t pending = 0;
  std::map<std::uint8_t, std::uint64_t> txs_by_kind;  // every tx ever executed (incl. pending)
};

// The chain's connection and its prepared statements, cached by their SQL text.
class Store {
 public:
  explicit Store(std::unique_ptr<Db> db) : db_(std::move(db)) {}
  Db& db() { return *db_; }

  // A prepared statement borrowed for one use: reset and unbound when it goes out of scope.
  class Query {
   public:
    explicit Query(Statement& s) : s_(&s) {}
    Query(Query&& o) noexcept : s_(std::exchange(o.s_, nullptr)) {}
    Query(const Query&) = delete;
    Query& operator=(const Query&) = delete;
    Query& operator=(Query&&) = delete;
    ~Query() {
      if (s_ != nullptr) s_->reset();
    }
    Query& bind(int pos, std::int64_t v) {
      s_->bind(pos, v);
      return *this;
    }
    Query& bind(int pos, ByteView v) {
      s_->bind(pos, v);
      return *this;
    }
    Query& bind(int pos, std::string_view v) {
      s_->bind(pos, v);
      return *this;
    }
    Query& bind_null(int pos) {
      s_->bind_null(pos);
      return *this;
    }
    Result<bool, DbError> next() { return s_->step(); }
    Status<DbError> run() { return s_->run(); }
    [[nodiscard]] const Statement& row() const { return *s_; }

   private:
    Statement* s_;
  };
  Result<Query, DbError> query(std::string_view sql);

 private:
  std::unique_ptr<Db> db_;
  std::unordered_map<std::string, Statement> cache_;
};

// u64 values a user picks are stored as the int64 of the same bits.
inline std::int64_t to_db(std::uint64_t v) { return static_cast<std::int64_t>(v); }
inline std::uint64_t from_db(std::int64_t v) { return static_cast<std::uint64_t>(v); }
ChainError storage_error(const DbError& e);

// Read access for module queries, under the chain's lock. Read-only by convention.
struct ChainView {
  Store& store;
  ChainId chain_id;
  ChainTime now;             // chain time
  const ModuleSet& modules;  // the chain's modules (for the hooks one module offers another)
};

// What a module's execute() works with: the open db_txn of one base tx, its sender, the
// chain time, and the base accounts and log of the chain.
class TxContext {
 public:
  TxContext(ChainView view, const Hash32& tx_hash, const PublicKey& sender)
      : store_(view.store),
        chain_id_(view.chain_id),
        now_(view.now),
        modules_(view.modules),
        tx_hash_(tx_hash),
        sender_(sender) {}

  [[nodiscard]] ChainId chain_id() const { return chain_id_; }
  [[nodiscard]] ChainTime now() const { return now_; }
  [[nodiscard]] const Hash32& tx_hash() const { return tx_hash_; }
  [[nodiscard]] const PublicKey& sender() const { return sender_; }
  Store& store() { return store_; }
  ChainView view() { return ChainView{store_, chain_id_, now_, modules_}; }

  // Moves native balance (insufficient_funds / overflow errors). Locked bridge funds are
  // the module's own bookkeeping: money leaves the accounts with debit and comes back with
  // credit, so the supply never changes here.
  Status<ChainError> debit(const PublicKey& account, Amount amount);
  Status<ChainError> credit(const PublicKey& account, Amount amount);
  // Appends a log of this tx; `data_json` must be a JSON object.
  Status<ChainError> emit(std::string_view module, std::string_view event, std::optional<ChainId> rollup_id,
                          const std::string& data_json);

 private:
  Store& store_;
  ChainId chain_id_;
  ChainTime now_;
  const ModuleSet& modules_;
  Hash32 tx_hash_;
  PublicKey sender_;
  std::uint32_t next_log_ = 0;
};

class BaseChain {
 public:
  // The core's schema version (PRAGMA user_version); the modules' tables have versions
  // of their own (the `modules` table).
  static constexpr int kSchemaVersion = 2;

  // Creates (genesis block 0, genesis_alloc) or reopens the chain in options.path, with
  // `modules` (module.hpp; refused with bad_options if they do not fit together), and
  // brings the core's and every module's tables to their current version. With
  // automine, txs still pending from a previous run are sealed at once.
  static Result<std::unique_ptr<BaseChain>, ChainError> open(ChainOptions options, ModuleSet modules);
  ~BaseChain();
  BaseChain(const BaseChain&) = delete;
  BaseChain& operator=(const BaseChain&) = delete;

  [[nodiscard]] ChainId chain_id() const { return options_.chain_id; }
  [[nodiscard]] bool automine() const { return options_.automine; }
  [[nodiscard]] const ModuleSet& modules() const { return *modules_; }
  ChainTime now();
  BlockHeader head();

  // Decodes, checks and executes one base tx (wire form), all or nothing.
  Result<Submitted, ChainError> submit(ByteView wire);
  // Seals the pending txs (maybe none) into a new block at chain time.
  Result<BlockHeader, ChainError> seal_block();

  Result<std::optional<Block>, ChainError> block(BlockNumber number);
  Result<BaseAccountState, ChainError> account(const PublicKey& key);
  Result<std::optional<TxRecord>, ChainError> transaction(const Hash32& hash);
  // Logs of sealed blocks in [from_block, to_block], in block, tx and log order.
  Result<std::vector<LogRecord>, ChainError> logs(const LogFilter& filter);
  Result<ChainStats, ChainError> stats();

  // Runs a module query (e.g. bridge.hpp) under the chain's lock.
  template <class F>
  auto read(F&& fn) {
    std::lock_guard lock(mutex_);
    L2_ASSERT(store_ != nullptr);  // only a failed revert leaves it empty
    ChainView view{*store_, options_.chain_id, now_locked(), *modules_};
    return std::forward<F>(fn)(view);
  }

  // ---- dev (basechaind --dev) ----------------------------------------------------------
  // Adds to the persisted time offset, then seals a block at the new chain time.
  Result<BlockHeader, ChainError> advance_time(ChainDuration by);
  // Mints `amount` to `account`, recorded as a pseudo tx of kind kDevFundKind:
  //   hash = BLAKE2b-256(kDevFundDomainTag || chain_id u64le || seq u64le || account || amount u64le)
  // where seq counts the earlier fundings; it is sealed like any tx.
  Result<Submitted, ChainError> fund(const PublicKey& account, Amount amount);
  // A copy of the whole chain (VACUUM INTO snapshot_dir); ids count up from 1.
  Result<std::uint64_t, ChainError> snapshot();
  // Puts the chain back to snapshot `id`, which is used up with every later snapshot.
  Status<ChainError> revert(std::uint64_t id);

  // Fault injection for tests: named points "chain:submit", "chain:seal", "chain:fund",
  // "chain:advance" (before the commit) and the Db's own "db:commit".
  void set_fault_hook(Db::FaultHook hook);

 private:
  BaseChain(ChainOptions options, ModuleSet modules);
  Status<ChainError> open_store();
  Status<ChainError> init_or_migrate();
  Status<ChainError> migrate_modules(int core_version_before);
  ChainTime now_locked() const;
  Result<BlockHeader, ChainError> seal_locked(ChainTime now);
  Result<std::uint64_t, ChainError> pending_count_locked();
  Status<ChainError> execute_locked(TxContext& ctx, const BaseTx& tx, ByteView wire);
  Status<ChainError> commit_or_rollback(std::string_view point);
  [[nodiscard]] std::string snapshot_path(std::uint64_t id) const;

  ChainOptions options_;
  std::mutex mutex_;
  std::unique_ptr<Store> store_;                              // GUARDED_BY(mutex_)
  std::unique_ptr<const ModuleSet> modules_;                  // immutable after open
  std::unordered_map<std::uint8_t, Module*> module_by_kind_;  // immutable after open
  BlockHeader head_;                                          // GUARDED_BY(mutex_)
  ChainDuration time_offset_;                                 // GUARDED_BY(mutex_)
  Amount supply_;                                             // GUARDED_BY(mutex_)
  Db::FaultHook fault_hook_;                                  // GUARDED_BY(mutex_)
  std::uint64_t next_snapshot_ = 1;                           // GUARDED_BY(mutex_)
};

}  // namespace l2::settlement
