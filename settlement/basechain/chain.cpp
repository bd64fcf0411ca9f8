// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
#include "settlement/basechain/chain.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <set>
#include <utility>

#include "common/assert.hpp"
#include "common/codec.hpp"
#include "common/crypto.hpp"
#include "settlement/basechain/module.hpp"

namespace l2::settlement {

namespace {

// Schema migrations of the core: kCoreMigrations[v] takes a database from user_version v
// to v + 1. The modules' tables have steps and versions of their own (migrate_modules);
// schema 1 was written before that, and its one step also held the tables of the modules
// whose legacy_version() is 1. Never edit a shipped step; append a new one.
constexpr const char* kCoreMigrations[] = {
    R"sql(
-- One row: which chain this file is, how far dev_advanceTime moved the clock, and the
-- supply (every balance plus every rollup's locked funds).
CREATE TABLE meta (
  id            INTEGER PRIMARY KEY CHECK (id = 0),
  chain_id      INTEGER NOT NULL,
  time_offset_s INTEGER NOT NULL CHECK (time_offset_s >= 0),
  supply        INTEGER NOT NULL CHECK (supply >= 0)
) STRICT;

CREATE TABLE blocks (
  number      INTEGER PRIMARY KEY CHECK (number >= 0),
  timestamp   INTEGER NOT NULL CHECK (timestamp >= 0),
  parent_hash BLOB NOT NULL CHECK (length(parent_hash) = 32),
  tx_root     BLOB NOT NULL CHECK (length(tx_root) = 32),
  hash        BLOB NOT NULL UNIQUE CHECK (length(hash) = 32)
) STRICT;
-- Blocks only append: genesis first, then each block extends the head, links to its
-- hash and is no older. Sealed blocks never change.
CREATE TRIGGER blocks_genesis BEFORE INSERT ON blocks
WHEN NOT EXISTS (SELECT 1 FROM blocks) AND (NEW.number <> 0 OR NEW.parent_hash <> zeroblob(32))
BEGIN SELECT RAISE(ABORT, 'the first block must be block 0 with a zero parent'); END;
CREATE TRIGGER blocks_extend_head BEFORE INSERT ON blocks
WHEN EXISTS (SELECT 1 FROM blocks) AND (
  NEW.number <> (SELECT max(number) FROM blocks) + 1 OR
  NEW.parent_hash <> (SELECT hash FROM blocks ORDER BY number DESC LIMIT 1) OR
  NEW.timestamp < (SELECT max(timestamp) FROM blocks))
BEGIN SELECT RAISE(ABORT, 'a block must extend the head, link to it and be no older'); END;
CREATE TRIGGER blocks_immutable BEFORE UPDATE ON blocks
BEGIN SELECT RAISE(ABORT, 'blocks are immutable'); END;
CREATE TRIGGER blocks_no_delete BEFORE DELETE ON blocks
BEGIN SELECT RAISE(ABORT, 'blocks are immutable'); END;

-- Base accounts; an account that never appeared has balance 0 and nonce 0.
CREATE TABLE accounts (
  pubkey  BLOB PRIMARY KEY CHECK (length(pubkey) = 32),
  balance INTEGER NOT NULL CHECK (balance >= 0),
  nonce   INTEGER NOT NULL CHECK (nonce >= 0)
) STRICT, WITHOUT ROWID;

-- Every executed base tx, in submission order (seq); block and idx stay NULL until a
-- block seals it. kind 0 is a dev funding record (sender all zero, nonce = its seq
-- among fundings).
CREATE TABLE txs (
  seq    INTEGER PRIMARY KEY,
  hash   BLOB NOT NULL UNIQUE CHECK (length(hash) = 32),
  block  INTEGER REFERENCES blocks (number),
  idx    INTEGER CHECK (idx >= 0),
  sender BLOB NOT NULL CHECK (length(sender) = 32),
  nonce  INTEGER NOT NULL CHECK (nonce >= 0),
  kind   INTEGER NOT NULL CHECK (kind BETWEEN 0 AND 6),
  raw    BLOB NOT NULL CHECK (length(raw) > 0),
  CHECK ((block IS NULL) = (idx IS NULL)),
  UNIQUE (block, idx)
) STRICT;
CREATE UNIQUE INDEX txs_sender_nonce ON txs (sender, nonce) WHERE kind <> 0;
CREATE INDEX txs_pending ON txs (seq) WHERE block IS NULL;
CREATE TRIGGER txs_sealed_immutable BEFORE UPDATE ON txs WHEN OLD.block IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'a sealed tx is immutable'); END;

-- Events of the modules (and of native transfers and dev fundings). block is NULL while
-- the tx is pending; log_index counts within the tx.
CREATE TABLE logs (
  tx_hash   BLOB NOT NULL REFERENCES txs (hash),
  log_index INTEGER NOT NULL CHECK (log_index >= 0),
  block     INTEGER REFERENCES blocks (number),
  module    TEXT NOT NULL CHECK (length(module) BETWEEN 1 AND 64),
  event     TEXT NOT NULL CHECK (length(event) BETWEEN 1 AND 64),
  rollup_id INTEGER,
  data      TEXT NOT NULL CHECK (json_valid(data) AND json_type(data) = 'object'),
  PRIMARY KEY (tx_hash, log_index)
) STRICT;
CREATE INDEX logs_by_block ON logs (block);
)sql",
    // 2: per-module schema versions, and base-tx kinds no longer listed by the core (a
    // new module's kind must fit in txs.kind without touching the core). SQLite cannot
    // relax a CHECK in place: txs is rebuilt (with foreign keys off, see migrate).
    R"sql(
CREATE TABLE modules (
  name    TEXT PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 64),
  version INTEGER NOT NULL CHECK (version >= 1)
) STRICT, WITHOUT ROWID;

CREATE TABLE txs_v2 (
  seq    INTEGER PRIMARY KEY,
  hash   BLOB NOT NULL UNIQUE CHECK (length(hash) = 32),
  block  INTEGER REFERENCES blocks (number),
  idx    INTEGER CHECK (idx >= 0),
  sender BLOB NOT NULL CHECK (length(sender) = 32),
  nonce  INTEGER NOT NULL CHECK (nonce >= 0),
  kind   INTEGER NOT NULL CHECK (kind BETWEEN 0 AND 255),
  raw    BLOB NOT NULL CHECK (length(raw) > 0),
  CHECK ((block IS NULL) = (idx IS NULL)),
  UNIQUE (block, idx)
) STRICT;
INSERT INTO txs_v2 (seq, hash, block, idx, sender, nonce, kind, raw)
  SELECT seq, hash, block, idx, sender, nonce, kind, raw FROM txs;
DROP TABLE txs;
ALTER TABLE txs_v2 RENAME TO txs;
CREATE UNIQUE INDEX txs_sender_nonce ON txs (sender, nonce) WHERE kind <> 0;
CREATE INDEX txs_pending ON txs (seq) WHERE block IS NULL;
CREATE TRIGGER txs_sealed_immutable BEFORE UPDATE ON txs WHEN OLD.block IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'a sealed tx is immutable'); END;
)sql",
};
constexpr int kCoreMigrationCount = static_cast<int>(std::size(kCoreMigrations));
static_assert(kCoreMigrationCount == BaseChain::kSchemaVersion);

ChainError make_chain_error(ChainErrorCode code, std::string message) {
  ChainError e;
  e.code = code;
  e.message = std::move(message);
  return e;
}

Hash32 read_hash(ByteView v) { return Hash32::from_view(v); }

ChainError chain_unusable() {
  return make_chain_error(ChainErrorCode::storage,
                          "the chain's database could not be reopened after a revert; restart");
}

Status<ChainError> load_account(Store& store, const PublicKey& key, BaseAccountState& out) {
  auto q = store.query("SELECT balance, nonce FROM accounts WHERE pubkey = ?1");
  if (!q) return make_error(storage_error(q.error()));
  q->bind(1, key.view());
  auto row = q->next();
  if (!row) return make_error(storage_error(row.error()));
  out = BaseAccountState{};
  if (*row) {
    out.balance = Amount(from_db(q->row().column_int(0)));
    out.nonce = Nonce(from_db(q->row().column_int(1)));
  }
  return {};
}

Status<ChainError> store_account(Store& store, const PublicKey& key, const BaseAccountState& a) {
  auto q = store.query(
      "INSERT INTO accounts (pubkey, balance, nonce) VALUES (?1, ?2, ?3) "
      "ON CONFLICT (pubkey) DO UPDATE SET balance = excluded.balance, nonce = excluded.nonce");
  if (!q) return make_error(storage_error(q.error()));
  if (auto s = q->bind(1, key.view()).bind(2, to_db(a.balance.value())).bind(3, to_db(a.nonce.value())).run();
      !s)
    return make_error(storage_error(s.error()));
  return {};
}

struct TxRow {
  const Hash32& hash;
  const PublicKey& sender;
  Nonce nonce;
  std::uint8_t kind = 0;
  ByteView raw;
};

Status<ChainError> insert_tx(Store& store, const TxRow& row) {
  auto q = store.query("INSERT INTO txs (hash, sender, nonce, kind, raw) VALUES (?1, ?2, ?3, ?4, ?5)");
  if (!q) return make_error(storage_error(q.error()));
  if (auto s = q->bind(1, row.hash.view())
                   .bind(2, row.sender.view())
                   .bind(3, to_db(row.nonce.value()))
                   .bind(4, std::int64_t{row.kind})
                   .bind(5, row.raw)
                   .run();
      !s)
    return make_error(storage_error(s.error()));
  return {};
}

Result<BlockHeader, ChainError> read_head(Store& store) {
  auto q = store.query(
      "SELECT number, timestamp, parent_hash, tx_root, hash FROM blocks ORDER BY number DESC LIMIT 1");
  if (!q) return make_error(storage_error(q.error()));
  auto row = q->next();
  if (!row) return make_error(storage_error(row.error()));
  if (!*row) return make_error(make_chain_error(ChainErrorCode::corrupt, "no blocks, not even genesis"));
  const Statement& r = q->row();
  BlockHeader h;
  h.number = BlockNumber(from_db(r.column_int(0)));
  h.timestamp = ChainTime(r.column_int(1));
  h.parent_hash = read_hash(r.column_blob(2));
  h.tx_root = read_hash(r.column_blob(3));
  h.hash = read_hash(r.column_blob(4));
  return h;
}

// Transfer and Funded events of the core ("chain" module in logs).
std::string transfer_log(const PublicKey& from, const PublicKey& to, Amount amount) {
  return R"({"from":")" + from.hex() + R"(","to":")" + to.hex() + R"(","amount":")" + amount.to_string() +
         R"("})";
}
std::string funded_log(const PublicKey& account, Amount amount) {
  return R"({"account":")" + account.hex() + R"(","amount":")" + amount.to_string() + R"("})";
}

}  // namespace

std::string_view to_string(ChainErrorCode c) {
  switch (c) {
    case ChainErrorCode::malformed_tx:
      return "malformed_tx";
    case ChainErrorCode::invalid_signature:
      return "invalid_signature";
    case ChainErrorCode::wrong_nonce:
      return "wrong_nonce";
    case ChainErrorCode::insufficient_funds:
      return "insufficient_funds";
    case ChainErrorCode::refused:
      return "refused";
    case ChainErrorCode::storage:
      return "storage";
    case ChainErrorCode::not_found:
      return "not_found";
    case ChainErrorCode::unavailable:
      return "unavailable";
    case ChainErrorCode::bad_options:
      return "bad_options";
    case ChainErrorCode::wrong_chain:
      return "wrong_chain";
    case ChainErrorCode::schema_too_new:
      return "schema_too_new";
    case ChainErrorCode::corrupt:
      return "corrupt";
  }
  return "unknown";
}

ChainError refuse(Refusal reason, std::string message) {
  ChainError e = make_chain_error(ChainErrorCode::refused, std::move(message));
  e.reason = std::string(reason.name);
  return e;
}

ChainError storage_error(const DbError& e) {
  return make_chain_error(ChainErrorCode::storage, "storage: " + e.message);
}

std::int64_t system_clock_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Hash32 block_tx_root(std::span<const Hash32> tx_hashes) {
  Blake2b h;
  for (const auto& t : tx_hashes) h.update(t.view());
  return h.finish();
}

Hash32 block_hash(BlockNumber number, ChainTime timestamp, const Hash32& parent_hash, const Hash32& tx_root) {
  ByteWriter w(8 + 8 + 32 + 32);
  w.u64le(number.value());
  w.u64le(static_cast<std::uint64_t>(timestamp.value()));
  w.bytes(parent_hash.view());
  w.bytes(tx_root.view());
  return blake2b256(w.data());
}

// ---- Store and TxContext ----------------------------------------------------------------

Result<Store::Query, DbError> Store::query(std::string_view sql) {
  auto it = cache_.find(std::string(sql));
  if (it == cache_.end()) {
    auto st = db_->prepare(sql);
    if (!st) return make_error(st.error());
    it = cache_.emplace(std::string(sql), std::move(*st)).first;
  }
  return Query(it->second);
}

Status<ChainError> TxContext::debit(const PublicKey& account, Amount amount) {
  BaseAccountState a;
  if (auto s = load_account(store_, account, a); !s) return s;
  auto left = a.balance.checked_sub(amount);
  if (!left) {
    ChainError e = make_chain_error(
        ChainErrorCode::insufficient_funds,
        "insufficient funds: balance " + a.balance.to_string() + ", needs " + amount.to_string());
    return make_error(std::move(e));
  }
  a.balance = *left;
  return store_account(store_, account, a);
}

Status<ChainError> TxContext::credit(const PublicKey& account, Amount amount) {
  BaseAccountState a;
  if (auto s = load_account(store_, account, a); !s) return s;
  auto sum = a.balance.checked_add(amount);
  if (!sum || *sum > kMaxSupply)
    return make_error(refuse(core_refusal::kOverflow, "balance of " + account.hex() + " would overflow"));
  a.balance = *sum;
  return store_account(store_, account, a);
}

Status<ChainError> TxContext::emit(std::string_view module, std::string_view event,
                                   std::optional<ChainId> rollup_id, const std::string& data_json) {
  auto q = store_.query(
      "INSERT INTO logs (tx_hash, log_index, module, event, rollup_id, data) VALUES (?1, ?2, ?3, ?4, ?5, "
      "?6)");
  if (!q) return make_error(storage_error(q.error()));
  q->bind(1, tx_hash_.view()).bind(2, std::int64_t{next_log_}).bind(3, module).bind(4, event);
  if (rollup_id)
    q->bind(5, to_db(rollup_id->value()));
  else
    q->bind_null(5);
  q->bind(6, std::string_view(data_json));
  if (auto s = q->run(); !s) return make_error(storage_error(s.error()));
  ++next_log_;
  return {};
}

// ---- BaseChain --------------------------------------------------------------------------

BaseChain::BaseChain(ChainOptions options, ModuleSet modules)
    : options_(std::move(options)), modules_(std::make_unique<const ModuleSet>(std::move(modules))) {
  if (!options_.clock) options_.clock = system_clock_seconds;
  for (const auto& m : modules_->modules())
    for (BaseTxKind k : m->kinds()) {
      L2_ASSERT(module_by_kind_.count(static_cast<std::uint8_t>(k)) == 0);  // ModuleSet::validate
      module_by_kind_[static_cast<std::uint8_t>(k)] = m.get();
    }
}

BaseChain::~BaseChain() = default;

Result<std::unique_ptr<BaseChain>, ChainError> BaseChain::open(ChainOptions options, ModuleSet modules) {
  if (auto v = modules.validate(); !v)
    return make_error(make_chain_error(ChainErrorCode::bad_options, "modules: " + v.error()));
  std::set<PublicKey> seen;
  Amount total;
  for (const auto& a : options.genesis_alloc) {
    if (!seen.insert(a.account).second)
      return make_error(make_chain_error(ChainErrorCode::bad_options,
                                         "genesis allocation names " + a.account.hex() + " twice"));
    auto sum = total.checked_add(a.amount);
    if (!sum || *sum > kMaxSupply)
      return make_error(
          make_chain_error(ChainErrorCode::bad_options,
                           "genesis allocations exceed the maximum supply " + kMaxSupply.to_string()));
    total = *sum;
  }
  std::unique_ptr<BaseChain> chain(new BaseChain(std::move(options), std::move(modules)));
  std::lock_guard lock(chain->mutex_);
  if (auto s = chain->open_store(); !s) return make_error(s.error());
  if (!chain->options_.snapshot_dir.empty()) {
    // Continue numbering after the snapshots a previous run left.
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(chain->options_.snapshot_dir, ec)) {
      const std::string name = entry.path().filename().string();
      if (name.rfind("snapshot-", 0) != 0 || entry.path().extension() != ".db") continue;
      const std::string digits = name.substr(9, name.size() - 9 - 3);
      if (digits.empty() || digits.size() > 18 || digits.find_first_not_of("0123456789") != std::string::npos)
        continue;
      chain->next_snapshot_ = std::max<std::uint64_t>(chain->next_snapshot_, std::stoull(digits) + 1);
    }
  }
  if (chain->options_.automine) {
    auto pending = chain->pending_count_locked();
    if (!pending) return make_error(pending.error());
    if (*pending > 0) {
      if (auto b = chain->seal_locked(chain->now_locked()); !b) return make_error(b.error());
    }
  }
  return chain;
}

Status<ChainError> BaseChain::open_store() {
  DbOptions db_options;
  db_options.path = options_.path;
  db_options.synchronous_full = options_.synchronous_full;
  auto db = Db::open(db_options);
  if (!db)
    return make_error(make_chain_error(ChainErrorCode::storage,
                                       "cannot open " + options_.path + ": " + db.error().message));
  store_ = std::make_unique<Store>(std::move(*db));
  if (fault_hook_) store_->db().set_fault_hook(fault_hook_);
  if (auto s = init_or_migrate(); !s) return s;
  auto head = read_head(*store_);
  if (!head) return make_error(head.error());
  head_ = *head;
  return {};
}

Status<ChainError> BaseChain::init_or_migrate() {
  Db& db = store_->db();
  auto st = db.prepare("PRAGMA user_version");
  if (!st) return make_error(storage_error(st.error()));
  auto row = st->step();
  if (!row) return make_error(storage_error(row.error()));
  const auto version = static_cast<int>(st->column_int(0));
  st->reset();
  if (version > kSchemaVersion)
    return make_error(make_chain_error(ChainErrorCode::schema_too_new,
                                       options_.path + ": database schema version " +
                                           std::to_string(version) + " is newer than this program's " +
                                           std::to_string(kSchemaVersion) +
                                           " (written by a newer basechaind)"));
  // Foreign keys are off while the core's schema changes (step 2 drops and renames a
  // table that others refer to; SQLite ignores the pragma inside a db_txn), and checked
  // as a whole before the commit instead.
  const bool core_steps = version < kSchemaVersion;
  if (core_steps) {
    if (auto e = db.exec("PRAGMA foreign_keys=OFF"); !e) return make_error(storage_error(e.error()));
  }
  struct ForeignKeysBackOn {
    Db& db;
    bool armed;
    ~ForeignKeysBackOn() {
      if (armed) (void)db.exec("PRAGMA foreign_keys=ON");
    }
  } fk_guard{db, core_steps};
  if (auto b = db.begin(); !b) return make_error(storage_error(b.error()));
  auto fail = [&](const DbError& e) {
    db.rollback();
    return make_error(storage_error(e));
  };
  for (int v = version; v < kSchemaVersion; ++v) {
    if (auto e = db.exec(kCoreMigrations[v]); !e) return fail(e.error());
  }
  if (core_steps) {
    if (auto e = db.exec("PRAGMA user_version = " + std::to_string(kSchemaVersion)); !e)
      return fail(e.error());
  }
  if (auto s = migrate_modules(version); !s) {
    db.rollback();
    return s;
  }
  if (version == 0) {
    // Genesis: meta, the allocations, block 0.
    Amount supply;
    for (const auto& a : options_.genesis_alloc) supply = *supply.checked_add(a.amount);  // checked in open
    auto meta = store_->query("INSERT INTO meta (id, chain_id, time_offset_s, supply) VALUES (0, ?1, 0, ?2)");
    if (!meta) return fail(meta.error());
    if (auto s = meta->bind(1, to_db(options_.chain_id.value())).bind(2, to_db(supply.value())).run(); !s)
      return fail(s.error());
    for (const auto& a : options_.genesis_alloc) {
      if (auto s = store_account(*store_, a.account, BaseAccountState{a.amount, Nonce(0)}); !s) {
        db.rollback();
        return s;
      }
    }
    const ChainTime ts(std::max<std::int64_t>(0, options_.clock()));
    const Hash32 root = block_tx_root({});
    const Hash32 hash = block_hash(BlockNumber(0), ts, Hash32(), root);
    auto blk = store_->query(
        "INSERT INTO blocks (number, timestamp, parent_hash, tx_root, hash) VALUES (0, ?1, ?2, ?3, ?4)");
    if (!blk) return fail(blk.error());
    if (auto s =
            blk->bind(1, ts.value()).bind(2, Hash32().view()).bind(3, root.view()).bind(4, hash.view()).run();
        !s)
      return fail(s.error());
  }
  if (core_steps) {
    auto check = db.prepare("SELECT count(*) FROM pragma_foreign_key_check");
    if (!check) return fail(check.error());
    auto r = check->step();
    if (!r) return fail(r.error());
    if (check->column_int(0) != 0) {
      check->reset();
      db.rollback();
      return make_error(
          make_chain_error(ChainErrorCode::corrupt, "the migrated schema fails its foreign-key check"));
    }
    check->reset();
  }
  if (auto c = db.commit(); !c) return fail(c.error());
  auto meta = store_->query("SELECT chain_id, time_offset_s, supply FROM meta WHERE id = 0");
  if (!meta) return make_error(storage_error(meta.error()));
  auto r = meta->next();
  if (!r) return make_error(storage_error(r.error()));
  if (!*r) return make_error(make_chain_error(ChainErrorCode::corrupt, "meta row is missing"));
  const std::uint64_t chain = from_db(meta->row().column_int(0));
  time_offset_ = ChainDuration(from_db(meta->row().column_int(1)));
  supply_ = Amount(from_db(meta->row().column_int(2)));
  if (chain != options_.chain_id.value())
    return make_error(make_chain_error(ChainErrorCode::wrong_chain,
                                       options_.path + " belongs to chain id " + std::to_string(chain) +
                                           ", not " + std::to_string(options_.chain_id.value())));
  return {};
}

Status<ChainError> BaseChain::migrate_modules(int core_version_before) {
  // Schema 1 kept no module versions: its one step held the tables of the modules that
  // existed then, which say so with legacy_version().
  if (core_version_before == 1) {
    for (const auto& m : modules_->modules()) {
      if (m->legacy_version() == 0) continue;
      auto q = store_->query("INSERT INTO modules (name, version) VALUES (?1, ?2)");
      if (!q) return make_error(storage_error(q.error()));
      if (auto s = q->bind(1, m->name()).bind(2, std::int64_t{m->legacy_version()}).run(); !s)
        return make_error(storage_error(s.error()));
    }
  }
  for (const auto& m : modules_->modules()) {
    auto q = store_->query("SELECT version FROM modules WHERE name = ?1");
    if (!q) return make_error(storage_error(q.error()));
    auto r = q->bind(1, m->name()).next();
    if (!r) return make_error(storage_error(r.error()));
    const std::int64_t have = *r ? q->row().column_int(0) : 0;
    const auto steps = m->migrations();
    if (have > static_cast<std::int64_t>(steps.size()))
      return make_error(make_chain_error(ChainErrorCode::schema_too_new,
                                         "module " + std::string(m->name()) + "'s schema version " +
                                             std::to_string(have) + " is newer than this program's " +
                                             std::to_string(steps.size())));
    if (have == static_cast<std::int64_t>(steps.size())) continue;
    for (auto v = static_cast<std::size_t>(have); v < steps.size(); ++v) {
      if (auto e = store_->db().exec(steps[v]); !e)
        return make_error(
            make_chain_error(ChainErrorCode::storage, "module " + std::string(m->name()) + " migration " +
                                                          std::to_string(v + 1) + ": " + e.error().message));
    }
    auto up = store_->query(
        "INSERT INTO modules (name, version) VALUES (?1, ?2) "
        "ON CONFLICT (name) DO UPDATE SET version = excluded.version");
    if (!up) return make_error(storage_error(up.error()));
    if (auto s = up->bind(1, m->name()).bind(2, static_cast<std::int64_t>(steps.size())).run(); !s)
      return make_error(storage_error(s.error()));
  }
  return {};
}

Result<std::uint64_t, ChainError> BaseChain::pending_count_locked() {
  auto q = store_->query("SELECT count(*) FROM txs WHERE block IS NULL");
  if (!q) return make_error(storage_error(q.error()));
  auto r = q->next();
  if (!r) return make_error(storage_error(r.error()));
  return from_db(q->row().column_int(0));
}

ChainTime BaseChain::now_locked() const {
  return std::max(head_.timestamp, ChainTime(options_.clock()) + time_offset_);
}

ChainTime BaseChain::now() {
  std::lock_guard lock(mutex_);
  return now_locked();
}

BlockHeader BaseChain::head() {
  std::lock_guard lock(mutex_);
  return head_;
}

void BaseChain::set_fault_hook(Db::FaultHook hook) {
  std::lock_guard lock(mutex_);
  fault_hook_ = std::move(hook);
  if (store_) store_->db().set_fault_hook(fault_hook_);
}

Status<ChainError> BaseChain::commit_or_rollback(std::string_view point) {
  Db& db = store_->db();
  if (auto f = db.fault_point(point); !f) {
    db.rollback();
    return make_error(storage_error(f.error()));
  }
  if (auto c = db.commit(); !c) {
    db.rollback();
    return make_error(storage_error(c.error()));
  }
  return {};
}

Result<BlockHeader, ChainError> BaseChain::seal_locked(ChainTime now) {
  Db& db = store_->db();
  if (auto b = db.begin(); !b) return make_error(storage_error(b.error()));
  auto fail = [&](ChainError e) {
    db.rollback();
    return make_error(std::move(e));
  };
  std::vector<std::pair<std::int64_t, Hash32>> pending;
  {
    auto q = store_->query("SELECT seq, hash FROM txs WHERE block IS NULL ORDER BY seq");
    if (!q) return fail(storage_error(q.error()));
    for (;;) {
      auto r = q->next();
      if (!r) return fail(storage_error(r.error()));
      if (!*r) break;
      pending.emplace_back(q->row().column_int(0), read_hash(q->row().column_blob(1)));
    }
  }
  std::vector<Hash32> hashes;
  hashes.reserve(pending.size());
  for (const auto& p : pending) hashes.push_back(p.second);
  BlockHeader h;
  h.number = BlockNumber(head_.number.value() + 1);
  h.timestamp = std::max(head_.timestamp, now);
  h.parent_hash = head_.hash;
  h.tx_root = block_tx_root(hashes);
  h.hash = block_hash(h.number, h.timestamp, h.parent_hash, h.tx_root);
  const std::int64_t number = to_db(h.number.value());
  {
    auto q = store_->query(
        "INSERT INTO blocks (number, timestamp, parent_hash, tx_root, hash) VALUES (?1, ?2, ?3, ?4, ?5)");
    if (!q) return fail(storage_error(q.error()));
    if (auto s = q->bind(1, number)
                     .bind(2, h.timestamp.value())
                     .bind(3, h.parent_hash.view())
                     .bind(4, h.tx_root.view())
                     .bind(5, h.hash.view())
                     .run();
        !s)
      return fail(storage_error(s.error()));
  }
  for (std::size_t i = 0; i < pending.size(); ++i) {
    auto q = store_->query("UPDATE txs SET block = ?1, idx = ?2 WHERE seq = ?3");
    if (!q) return fail(storage_error(q.error()));
    if (auto s = q->bind(1, number).bind(2, static_cast<std::int64_t>(i)).bind(3, pending[i].first).run(); !s)
      return fail(storage_error(s.error()));
  }
  if (!pending.empty()) {
    auto q = store_->query("UPDATE logs SET block = ?1 WHERE block IS NULL");
    if (!q) return fail(storage_error(q.error()));
    if (auto s = q->bind(1, number).run(); !s) return fail(storage_error(s.error()));
  }
  if (auto c = commit_or_rollback("chain:seal"); !c) return make_error(c.error());
  head_ = h;
  return h;
}

Result<BlockHeader, ChainError> BaseChain::seal_block() {
  std::lock_guard lock(mutex_);
  if (!store_) return make_error(chain_unusable());
  return seal_locked(now_locked());
}

Status<ChainError> BaseChain::execute_locked(TxContext& ctx, const BaseTx& tx, ByteView wire) {
  const auto kind = base_tx_kind(tx);
  Module* module = nullptr;
  if (kind != BaseTxKind::transfer) {
    auto it = module_by_kind_.find(static_cast<std::uint8_t>(kind));
    if (it == module_by_kind_.end())
      return make_error(refuse(core_refusal::kUnsupportedKind,
                               "no module of this chain executes " + std::string(to_string(kind)) + " txs"));
    module = it->second;
  }
  BaseAccountState sender;
  if (auto s = load_account(*store_, tx.sender, sender); !s) return s;
  if (tx.nonce != sender.nonce) {
    ChainError e = make_chain_error(ChainErrorCode::wrong_nonce,
                                    "wrong nonce: expected " + std::to_string(sender.nonce.value()) +
                                        ", got " + std::to_string(tx.nonce.value()));
    e.expected_nonce = sender.nonce;
    e.got_nonce = tx.nonce;
    return make_error(std::move(e));
  }
  // The row first: the logs the tx emits refer to it.
  if (auto s = insert_tx(*store_,
                         TxRow{ctx.tx_hash(), tx.sender, tx.nonce, static_cast<std::uint8_t>(kind), wire});
      !s)
    return s;
  sender.nonce = Nonce(sender.nonce.value() + 1);
  if (auto s = store_account(*store_, tx.sender, sender); !s) return s;

  if (const auto* t = std::get_if<TransferBody>(&tx.body)) {
    if (auto s = ctx.debit(tx.sender, t->amount); !s) return s;
    if (auto s = ctx.credit(t->to, t->amount); !s) return s;
    return ctx.emit("chain", "Transfer", std::nullopt, transfer_log(tx.sender, t->to, t->amount));
  }
  return module->execute(ctx, tx);
}

Result<Submitted, ChainError> BaseChain::submit(ByteView wire) {
  if (wire.size() > kMaxBaseTxBytes)
    return make_error(make_chain_error(ChainErrorCode::malformed_tx,
                                       "base tx of " + std::to_string(wire.size()) +
                                           " bytes is over the limit of " + std::to_string(kMaxBaseTxBytes)));
  auto tx = decode_base_tx(wire);
  if (!tx)
    return make_error(make_chain_error(ChainErrorCode::malformed_tx,
                                       "base tx does not decode: " + std::string(to_string(tx.error()))));
  if (!verify_base_tx(*tx, options_.chain_id))
    return make_error(make_chain_error(ChainErrorCode::invalid_signature,
                                       "signature does not verify for sender " + tx->sender.hex() +
                                           " on chain " + std::to_string(options_.chain_id.value())));
  const Hash32 hash = base_tx_hash(options_.chain_id, *tx);

  std::lock_guard lock(mutex_);
  if (!store_) return make_error(chain_unusable());
  const ChainTime now = now_locked();
  Db& db = store_->db();
  if (auto b = db.begin(); !b) return make_error(storage_error(b.error()));
  TxContext ctx(ChainView{*store_, options_.chain_id, now, *modules_}, hash, tx->sender);
  if (auto s = execute_locked(ctx, *tx, wire); !s) {
    db.rollback();
    return make_error(s.error());
  }
  if (auto c = commit_or_rollback("chain:submit"); !c) return make_error(c.error());
  Submitted out{hash, std::nullopt};
  if (options_.automine) {
    // The tx is durable already; a failed seal leaves it pending for the next block.
    if (auto b = seal_locked(now)) out.block = b->number;
  }
  return out;
}

Result<Submitted, ChainError> BaseChain::fund(const PublicKey& account, Amount amount) {
  if (amount.is_zero())
    return make_error(refuse(core_refusal::kZeroAmount, "funding amount must be positive"));
  std::lock_guard lock(mutex_);
  if (!store_) return make_error(chain_unusable());
  auto supply = supply_.checked_add(amount);
  if (!supply || *supply > kMaxSupply)
    return make_error(
        refuse(core_refusal::kOverflow, "funding would take the supply over " + kMaxSupply.to_string()));
  const ChainTime now = now_locked();
  Db& db = store_->db();
  if (auto b = db.begin(); !b) return make_error(storage_error(b.error()));
  auto fail = [&](ChainError e) {
    db.rollback();
    return make_error(std::move(e));
  };
  std::uint64_t seq = 0;
  {
    auto q = store_->query("SELECT count(*) FROM txs WHERE kind = 0");
    if (!q) return fail(storage_error(q.error()));
    auto r = q->next();
    if (!r) return fail(storage_error(r.error()));
    seq = from_db(q->row().column_int(0));
  }
  ByteWriter body;
  body.bytes(account.view());
  body.u64le(amount.value());
  ByteWriter pre;
  pre.ascii(kDevFundDomainTag);
  pre.u64le(options_.chain_id.value());
  pre.u64le(seq);
  pre.bytes(body.data());
  const Hash32 hash = blake2b256(pre.data());
  if (auto s = insert_tx(*store_, TxRow{hash, PublicKey(), Nonce(seq), kDevFundKind, body.data()}); !s)
    return fail(s.error());
  TxContext ctx(ChainView{*store_, options_.chain_id, now, *modules_}, hash, PublicKey());
  if (auto s = ctx.credit(account, amount); !s) return fail(s.error());
  {
    auto q = store_->query("UPDATE meta SET supply = ?1 WHERE id = 0");
    if (!q) return fail(storage_error(q.error()));
    if (auto s = q->bind(1, to_db(supply->value())).run(); !s) return fail(storage_error(s.error()));
  }
  if (auto s = ctx.emit("chain", "Funded", std::nullopt, funded_log(account, amount)); !s)
    return fail(s.error());
  if (auto c = commit_or_rollback("chain:fund"); !c) return make_error(c.error());
  supply_ = *supply;
  Submitted out{hash, std::nullopt};
  if (options_.automine) {
    if (auto b = seal_locked(now)) out.block = b->number;
  }
  return out;
}

Result<BlockHeader, ChainError> BaseChain::advance_time(ChainDuration by) {
  std::lock_guard lock(mutex_);
  if (!store_) return make_error(chain_unusable());
  const auto offset = time_offset_.checked_add(by);
  if (by > kMaxWindow || !offset || *offset > ChainDuration(4 * kMaxWindowSeconds))
    return make_error(refuse(core_refusal::kOverflow, "cannot advance the clock that far"));
  Db& db = store_->db();
  if (auto b = db.begin(); !b) return make_error(storage_error(b.error()));
  {
    auto q = store_->query("UPDATE meta SET time_offset_s = ?1 WHERE id = 0");
    if (!q) {
      db.rollback();
      return make_error(storage_error(q.error()));
    }
    if (auto s = q->bind(1, to_db(offset->value())).run(); !s) {
      db.rollback();
      return make_error(storage_error(s.error()));
    }
  }
  if (auto c = commit_or_rollback("chain:advance"); !c) return make_error(c.error());
  time_offset_ = *offset;
  return seal_locked(now_locked());
}

Result<std::optional<Block>, ChainError> BaseChain::block(BlockNumber number) {
  std::lock_guard lock(mutex_);
  if (!store_) return make_error(chain_unusable());
  if (number > head_.number) return std::optional<Block>();
  Block b;
  {
    auto q =
        store_->query("SELECT number, timestamp, parent_hash, tx_root, hash FROM blocks WHERE number = ?1");
    if (!q) return make_error(storage_error(q.error()));
    auto r = q->bind(1, to_db(number.value())).next();
    if (!r) return make_error(storage_error(r.error()));
    if (!*r) return std::optional<Block>();
    const Statement& row = q->row();
    b.header.number = BlockNumber(from_db(row.column_int(0)));
    b.header.timestamp = ChainTime(row.column_int(1));
    b.header.parent_hash = read_hash(row.column_blob(2));
    b.header.tx_root = read_hash(row.column_blob(3));
    b.header.hash = read_hash(row.column_blob(4));
  }
  auto q = store_->query("SELECT hash FROM txs WHERE block = ?1 ORDER BY idx");
  if (!q) return make_error(storage_error(q.error()));
  q->bind(1, to_db(number.value()));
  for (;;) {
    auto r = q->next();
    if (!r) return make_error(storage_error(r.error()));
    if (!*r) break;
    b.txs.push_back(read_hash(q->row().column_blob(0)));
  }
  return std::optional<Block>(std::move(b));
}

Result<BaseAccountState, ChainError> BaseChain::account(const PublicKey& key) {
  std::lock_guard lock(mutex_);
  if (!store_) return make_error(chain_unusable());
  BaseAccountState a;
  if (auto s = load_account(*store_, key, a); !s) return make_error(s.error());
  return a;
}

Result<std::optional<TxRecord>, ChainError> BaseChain::transaction(const Hash32& hash) {
  std::lock_guard lock(mutex_);
  if (!store_) return make_error(chain_unusable());
  auto q = store_->query("SELECT block, idx, sender, nonce, kind, raw FROM txs WHERE hash = ?1");
  if (!q) return make_error(storage_error(q.error()));
  auto r = q->bind(1, hash.view()).next();
  if (!r) return make_error(storage_error(r.error()));
  if (!*r) return std::optional<TxRecord>();
  const Statement& row = q->row();
  TxRecord t;
  t.hash = hash;
  if (!row.column_is_null(0)) {
    t.block = BlockNumber(from_db(row.column_int(0)));
    t.index = static_cast<std::uint32_t>(row.column_int(1));
  }
  t.sender = PublicKey::from_view(row.column_blob(2));
  t.nonce = Nonce(from_db(row.column_int(3)));
  t.kind = static_cast<std::uint8_t>(row.column_int(4));
  ByteView raw = row.column_blob(5);
  t.raw.assign(raw.begin(), raw.end());
  return std::optional<TxRecord>(std::move(t));
}

Result<std::vector<LogRecord>, ChainError> BaseChain::logs(const LogFilter& f) {
  std::lock_guard lock(mutex_);
  if (!store_) return make_error(chain_unusable());
  // NULL filters match everything; rollup ids compare as their stored int64 bits.
  auto q = store_->query(
      "SELECT l.block, l.tx_hash, l.log_index, l.module, l.event, l.rollup_id, l.data "
      "FROM logs l JOIN txs t ON t.hash = l.tx_hash "
      "WHERE l.block BETWEEN ?1 AND ?2 AND (?3 IS NULL OR l.module = ?3) AND (?4 IS NULL OR l.event = ?4) "
      "AND (?5 IS NULL OR l.rollup_id = ?5) "
      "ORDER BY l.block, t.idx, l.log_index");
  if (!q) return make_error(storage_error(q.error()));
  q->bind(1, to_db(f.from_block.value())).bind(2, to_db(f.to_block.value()));
  if (f.module)
    q->bind(3, std::string_view(*f.module));
  else
    q->bind_null(3);
  if (f.event)
    q->bind(4, std::string_view(*f.event));
  else
    q->bind_null(4);
  if (f.rollup_id)
    q->bind(5, to_db(f.rollup_id->value()));
  else
    q->bind_null(5);
  std::vector<LogRecord> out;
  for (;;) {
    auto r = q->next();
    if (!r) return make_error(storage_error(r.error()));
    if (!*r) break;
    const Statement& row = q->row();
    LogRecord l;
    l.block = BlockNumber(from_db(row.column_int(0)));
    l.tx_hash = read_hash(row.column_blob(1));
    l.log_index = static_cast<std::uint32_t>(row.column_int(2));
    l.module = row.column_text(3);
    l.event = row.column_text(4);
    if (!row.column_is_null(5)) l.rollup_id = ChainId(from_db(row.column_int(5)));
    l.data_json = row.column_text(6);
    out.push_back(std::move(l));
  }
  return out;
}

Result<ChainStats, ChainError> BaseChain::stats() {
  std::lock_guard lock(mutex_);
  if (!store_) return make_error(chain_unusable());
  ChainStats s;
  s.head = head_;
  auto q = store_->query("SELECT kind, count(*), count(*) - count(block) FROM txs GROUP BY kind");
  if (!q) return make_error(storage_error(q.error()));
  for (;;) {
    auto r = q->next();
    if (!r) return make_error(storage_error(r.error()));
    if (!*r) break;
    s.txs_by_kind[static_cast<std::uint8_t>(q->row().column_int(0))] = from_db(q->row().column_int(1));
    s.pending += from_db(q->row().column_int(2));
  }
  return s;
}

// ---- snapshots ----------------------------------------------------------------------------

std::string BaseChain::snapshot_path(std::uint64_t id) const {
  return (std::filesystem::path(options_.snapshot_dir) / ("snapshot-" + std::to_string(id) + ".db")).string();
}

Result<std::uint64_t, ChainError> BaseChain::snapshot() {
  std::lock_guard lock(mutex_);
  if (!store_) return make_error(chain_unusable());
  if (options_.snapshot_dir.empty() || options_.path == ":memory:")
    return make_error(make_chain_error(ChainErrorCode::unavailable,
                                       "snapshots need a chain in a file and a snapshot directory"));
  std::error_code ec;
  std::filesystem::create_directories(options_.snapshot_dir, ec);
  if (ec)
    return make_error(make_chain_error(ChainErrorCode::storage,
                                       "cannot create " + options_.snapshot_dir + ": " + ec.message()));
  const std::uint64_t id = next_snapshot_;
  const std::string path = snapshot_path(id);
  std::filesystem::remove(path, ec);
  std::string quoted;
  for (char c : path) {
    quoted += c;
    if (c == '\'') quoted += '\'';
  }
  if (auto s = store_->db().exec("VACUUM INTO '" + quoted + "'"); !s)
    return make_error(storage_error(s.error()));
  next_snapshot_ = id + 1;
  return id;
}

Status<ChainError> BaseChain::revert(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  if (options_.snapshot_dir.empty() || options_.path == ":memory:")
    return make_error(make_chain_error(ChainErrorCode::unavailable,
                                       "snapshots need a chain in a file and a snapshot directory"));
  const std::string path = snapshot_path(id);
  std::error_code ec;
  if (id == 0 || id >= next_snapshot_ || !std::filesystem::exists(path, ec))
    return make_error(make_chain_error(ChainErrorCode::not_found, "no snapshot " + std::to_string(id)));
  // Copy first, so that a failed copy leaves the live chain as it was.
  const std::string staged = options_.path + ".revert";
  std::filesystem::copy_file(path, staged, std::filesystem::copy_options::overwrite_existing, ec);
  if (ec)
    return make_error(make_chain_error(ChainErrorCode::storage, "cannot stage snapshot: " + ec.message()));
  // Closing the last connection checkpoints and removes the WAL; remove leftovers anyway,
  // since SQLite would otherwise replay the old chain's WAL into the snapshot.
  store_.reset();
  std::filesystem::remove(options_.path + "-wal", ec);
  std::filesystem::remove(options_.path + "-shm", ec);
  std::filesystem::rename(staged, options_.path, ec);
  if (ec) {
    ChainError e = make_chain_error(ChainErrorCode::storage, "cannot restore snapshot: " + ec.message());
    if (auto s = open_store(); !s) e.message += "; reopening the chain failed too: " + s.error().message;
    return make_error(std::move(e));
  }
  if (auto s = open_store(); !s) return s;
  // The snapshot is used up, with every later one; ids are never reused in this run.
  for (std::uint64_t later = id; later < next_snapshot_; ++later)
    std::filesystem::remove(snapshot_path(later), ec);
  return {};
}

}  // namespace l2::settlement
