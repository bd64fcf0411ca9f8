// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
#include "rollup/state_store.hpp"

#include <unordered_map>

#include "common/assert.hpp"
#include "common/crypto.hpp"
#include "common/merkle.hpp"
#include "rollup/receipt.hpp"
#include "rollup/tx.hpp"

namespace l2::rollup {

namespace {

// Schema migrations: kMigrations[v] takes a database from user_version v to v + 1.
// Never edit a shipped step; append a new one.
constexpr const char* kMigrations[] = {
    R"sql(
CREATE TABLE meta (
  key   TEXT PRIMARY KEY NOT NULL,
  value BLOB NOT NULL
) STRICT;
-- Every account's leaf (account.hpp) as of the batch in meta 'checkpoint'.
CREATE TABLE accounts (
  idx  INTEGER PRIMARY KEY CHECK (idx >= 0 AND idx <= 4294967295),
  leaf BLOB NOT NULL CHECK (length(leaf) = 56)
) STRICT;
-- One row per batch; batch 0 is genesis. txs, receipts and changes are the encodings
-- of tx.hpp, receipt.hpp and state.hpp.
CREATE TABLE batches (
  number        INTEGER PRIMARY KEY CHECK (number >= 0),
  prev_root     BLOB NOT NULL CHECK (length(prev_root) = 32),
  state_root    BLOB NOT NULL CHECK (length(state_root) = 32),
  txs_hash      BLOB NOT NULL CHECK (length(txs_hash) = 32),
  tx_count      INTEGER NOT NULL CHECK (tx_count >= 0),
  applied_count INTEGER NOT NULL CHECK (applied_count >= 0 AND applied_count <= tx_count),
  timestamp_ms  INTEGER NOT NULL,
  txs           BLOB NOT NULL,
  receipts      BLOB NOT NULL,
  changes       BLOB NOT NULL
) STRICT;
)sql",
    // v2: settlement. A batch keeps the witnesses of the accounts that withdrew in it
    // and the caller's origin record (which base-chain queue entries it consumed).
    R"sql(
ALTER TABLE batches ADD COLUMN witnesses BLOB NOT NULL DEFAULT x'';
ALTER TABLE batches ADD COLUMN origin BLOB NOT NULL DEFAULT x'' CHECK (length(origin) <= 4096);
)sql",
    // v3: deposits by index. The stored deposits gain the account index they credited
    // (rewrite_deposits_by_index below does the rows; this step has no DDL).
    R"sql(
SELECT 1;
)sql",
    // v4: settlement reorgs. The txs of the batches a rollback removed, and what the
    // owner decided for each (reason empty: execute again), kept across a crash.
    R"sql(
CREATE TABLE rolled_back_txs (
  seq       INTEGER PRIMARY KEY,
  hash      BLOB NOT NULL UNIQUE CHECK (length(hash) = 32),
  tx        BLOB NOT NULL,
  old_batch INTEGER NOT NULL CHECK (old_batch > 0),
  old_index INTEGER NOT NULL CHECK (old_index >= 0 AND old_index <= 4294967295),
  source    INTEGER NOT NULL CHECK (source >= 0 AND source <= 255),
  rolled_back_to INTEGER NOT NULL CHECK (rolled_back_to >= 0 AND rolled_back_to < old_batch),
  reason    TEXT NOT NULL
) STRICT;
)sql",
    // v5: every batch row checkable. The BLAKE2b-256 of each blob the header does not
    // already commit to, and row_hash over the header and those hashes (batch_row_hash
    // below). Rows of older files get theirs from their contents in the migration
    // (fill_row_hashes); a reader refuses a row whose hashes are empty or do not match.
    R"sql(
ALTER TABLE batches ADD COLUMN receipts_hash  BLOB NOT NULL DEFAULT x'' CHECK (length(receipts_hash) IN (0, 32));
ALTER TABLE batches ADD COLUMN changes_hash   BLOB NOT NULL DEFAULT x'' CHECK (length(changes_hash) IN (0, 32));
ALTER TABLE batches ADD COLUMN witnesses_hash BLOB NOT NULL DEFAULT x'' CHECK (length(witnesses_hash) IN (0, 32));
ALTER TABLE batches ADD COLUMN origin_hash    BLOB NOT NULL DEFAULT x'' CHECK (length(origin_hash) IN (0, 32));
ALTER TABLE batches ADD COLUMN row_hash       BLOB NOT NULL DEFAULT x'' CHECK (length(row_hash) IN (0, 32));
)sql",
};
constexpr int kMigrationCount = static_cast<int>(std::size(kMigrations));
static_assert(kMigrationCount == StateStore::kSchemaVersion);

// A batch's txs in the encoding of schema 1 and 2, whose deposit body had no to_index:
//   deposit body = deposit_id u64le || to_pubkey[32] || amount u64le
// Deposits come back with to_index 0 (filled in by the caller); the other types are
// unchanged.
struct LegacyTxs {
  std::vector<Tx> txs;
  std::vector<bool> is_deposit;
};
Result<LegacyTxs, DecodeError> decode_txs_v2(ByteView in) {
  ByteReader r(in);
  auto count = r.varint();
  if (!count) return make_error(count.error());
  if (*count > r.remaining()) return make_error(DecodeError::truncated);
  LegacyTxs out;
  for (std::uint64_t i = 0; i < *count; ++i) {
    const std::size_t start = r.position();
    auto type = r.u8();
    if (!type) return make_error(type.error());
    if (*type == static_cast<std::uint8_t>(TxType::deposit)) {
      auto id = r.u64le();
      auto key = r.fixed<PublicKey>();
      auto amount = r.u64le();
      if (!id || !key || !amount) return make_error(DecodeError::truncated);
      out.txs.emplace_back(Deposit{DepositPosition(*id), AccountIndex(0), *key, Amount(*amount)});
      out.is_deposit.push_back(true);
      continue;
    }
    // Transfers and withdrawals did not change: 96 and 92 bytes after the tag.
    const std::size_t rest = *type == static_cast<std::uint8_t>(TxType::transfer) ? 96 : 92;
    auto body = r.bytes(rest);
    if (!body) return make_error(body.error());
    auto tx = decode_tx(in.subspan(start, 1 + rest));
    if (!tx) return make_error(tx.error());
    out.txs.push_back(*tx);
    out.is_deposit.push_back(false);
  }
  if (auto e = r.expect_end(); !e) return make_error(e.error());
  return out;
}

StoreError io_error(const DbError& e) { return StoreError{StoreErrorCode::io, e.message}; }
StoreError corrupt(std::string what) { return StoreError{StoreErrorCode::corrupt, std::move(what)}; }

Bytes u64_bytes(std::uint64_t v) {
  ByteWriter w;
  w.u64le(v);
  return w.take();
}

// The header columns, in read_header's order.
constexpr const char* kHeaderColumns =
    "number, prev_root, state_root, txs_hash, tx_count, applied_count, timestamp_ms, receipts_hash, "
    "changes_hash, witnesses_hash, origin_hash, row_hash";
constexpr int kHeaderColumnCount = 12;

std::string batch_name(std::uint64_t n) { return "batch " + std::to_string(n); }

StoreError damaged(std::uint64_t n, std::string_view what) {
  return corrupt(batch_name(n) + " is damaged: " + std::string(what) +
                 " (sequencerd --verify checks the whole store; docs/storage.md, \"Row checks\")");
}

// Every batch row is inserted by this statement (bind_batch_row), genesis included.
constexpr const char* kInsertBatch =
    "INSERT INTO batches (number, prev_root, state_root, txs_hash, tx_count, applied_count, timestamp_ms, "
    "txs, receipts, changes, witnesses, origin, receipts_hash, changes_hash, witnesses_hash, origin_hash, "
    "row_hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)";

Statement& bind_batch_row(Statement& st, const StoredBatch& b, const BatchRowHashes& hashes) {
  const BatchHeader& h = b.header;
  return st.bind(1, static_cast<std::int64_t>(h.number.value()))
      .bind(2, h.prev_root.view())
      .bind(3, h.state_root.view())
      .bind(4, h.txs_hash.view())
      .bind(5, static_cast<std::int64_t>(h.tx_count))
      .bind(6, static_cast<std::int64_t>(h.applied_count))
      .bind(7, h.timestamp_ms)
      .bind(8, ByteView(b.txs))
      .bind(9, ByteView(b.receipts))
      .bind(10, ByteView(b.changes))
      .bind(11, ByteView(b.witnesses))
      .bind(12, ByteView(b.origin))
      .bind(13, hashes.receipts.view())
      .bind(14, hashes.changes.view())
      .bind(15, hashes.witnesses.view())
      .bind(16, hashes.origin.view())
      .bind(17, hashes.row.view());
}

// Columns 0..6 of a batch row (kHeaderColumns begins with them), range-checked.
Result<BatchHeader, StoreError> read_header_fields(const Statement& st) {
  BatchHeader h;
  h.number = BatchNumber(static_cast<std::uint64_t>(st.column_int(0)));
  Hash32* const roots[] = {&h.prev_root, &h.state_root, &h.txs_hash};
  for (int i = 0; i < 3; ++i) {
    ByteView v = st.column_blob(1 + i);
    if (v.size() != 32) return make_error(damaged(h.number.value(), "a header hash is not 32 bytes"));
    *roots[i] = Hash32::from_view(v);
  }
  const std::int64_t tx_count = st.column_int(4);
  const std::int64_t applied = st.column_int(5);
  if (tx_count < 0 || tx_count > 0xffffffffLL || applied < 0 || applied > tx_count)
    return make_error(damaged(h.number.value(), "its tx counts are out of range"));
  h.tx_count = static_cast<std::uint32_t>(tx_count);
  h.applied_count = static_cast<std::uint32_t>(applied);
  h.timestamp_ms = st.column_int(6);
  return h;
}

}  // namespace

Hash32 batch_row_hash(const BatchHeader& h, const Hash32& receipts, const Hash32& changes,
                      const Hash32& witnesses, const Hash32& origin) {
  ByteWriter w;
  w.ascii("L2STACK/BATCH-ROW/V1");
  w.u64le(h.number.value());
  w.bytes(h.prev_root.view());
  w.bytes(h.state_root.view());
  w.bytes(h.txs_hash.view());
  w.u32le(h.tx_count);
  w.u32le(h.applied_count);
  w.u64le(static_cast<std::uint64_t>(h.timestamp_ms));
  w.bytes(receipts.view());
  w.bytes(changes.view());
  w.bytes(witnesses.view());
  w.bytes(origin.view());
  return blake2b256(w.data());
}

BatchRowHashes batch_row_hashes(const StoredBatch& batch) {
  BatchRowHashes out;
  out.receipts = blake2b256(batch.receipts);
  out.changes = blake2b256(batch.changes);
  out.witnesses = blake2b256(batch.witnesses);
  out.origin = blake2b256(batch.origin);
  out.row = batch_row_hash(batch.header, out.receipts, out.changes, out.witnesses, out.origin);
  return out;
}

std::string_view to_string(StoreErrorCode c) {
  switch (c) {
    case StoreErrorCode::io:
      return "io";
    case StoreErrorCode::corrupt:
      return "corrupt";
    case StoreErrorCode::wrong_chain:
      return "wrong_chain";
    case StoreErrorCode::schema_too_new:
      return "schema_too_new";
    case StoreErrorCode::conflict:
      return "conflict";
  }
  return "unknown";
}

Result<std::unique_ptr<StateStore>, StoreError> StateStore::open(const StoreOptions& options) {
  std::unique_ptr<StateStore> store(new StateStore());
  store->options_ = options;
  DbOptions db_options;
  db_options.path = options.path;
  db_options.synchronous_full = options.synchronous_full;
  db_options.busy_timeout_ms = options.busy_timeout_ms;
  auto db = Db::open(db_options);
  if (!db)
    return make_error(
        StoreError{StoreErrorCode::io, "cannot open " + options.path + ": " + db.error().message});
  store->db_ = std::move(*db);
  if (auto s = store->init_or_migrate(); !s) return make_error(s.error());
  auto ins = store->db_->prepare(kInsertBatch);
  auto sel = store->db_->prepare(std::string("SELECT ") + kHeaderColumns + " FROM batches WHERE number = ?1");
  if (!ins || !sel) return make_error(io_error(!ins ? ins.error() : sel.error()));
  store->insert_batch_ = std::move(*ins);
  store->select_header_ = std::move(*sel);
  return store;
}

// Schema 3: every stored deposit names the account it credited. One account per key,
// and a key's account never changes, so the index of a deposit's key is the index of
// the account that holds it, which the diffs tell (a created account's diff entry
// carries its key). The tx hashes of deposits change with their encoding: the txs,
// their hash in the header and the receipts are rewritten together. A deposit whose key
// never got an account (one rejected under the old supply rule) gets index 2^32 - 1.
Status<StoreError> StateStore::rewrite_deposits_by_index() {
  std::optional<std::uint64_t> chain;
  std::optional<PublicKey> op;
  {
    auto meta = db_->prepare("SELECT key, value FROM meta WHERE key IN ('chain_id', 'operator_key')");
    if (!meta) return make_error(io_error(meta.error()));
    for (;;) {
      auto r = meta->step();
      if (!r) return make_error(io_error(r.error()));
      if (!*r) break;
      ByteView value = meta->column_blob(1);
      ByteReader reader(value);
      if (meta->column_text(0) == "chain_id") {
        auto v = reader.u64le();
        if (v && reader.remaining() == 0) chain = *v;
      } else if (value.size() == 32) {
        op = PublicKey::from_view(value);
      }
    }
  }
  if (!chain || !op) return make_error(corrupt("meta lacks chain_id or operator_key"));
  const ChainId chain_id(*chain);
  std::vector<Account> known{Account{*op, Amount(0), Nonce(0), Amount(0)}};  // keys only
  std::unordered_map<PublicKey, AccountIndex, FixedBytesHasher> index_of{{*op, kFeeAccount}};
  auto rows =
      db_->prepare("SELECT number, txs, receipts, changes FROM batches WHERE number > 0 ORDER BY number");
  auto update = db_->prepare("UPDATE batches SET txs = ?2, txs_hash = ?3, receipts = ?4 WHERE number = ?1");
  if (!rows || !update) return make_error(io_error(!rows ? rows.error() : update.error()));
  for (;;) {
    auto r = rows->step();
    if (!r) return make_error(io_error(r.error()));
    if (!*r) break;
    const std::int64_t number = rows->column_int(0);
    const std::string where = "batch " + std::to_string(number);
    auto changes = decode_changes(rows->column_blob(3), known);
    if (!changes) return make_error(corrupt(where + " has a malformed diff"));
    for (const auto& c : *changes)
      if (!c.before) {
        if (c.index.value() != known.size())
          return make_error(corrupt(where + " creates accounts out of order"));
        known.push_back(c.after);
        index_of.emplace(c.after.pubkey, c.index);
      }
    auto legacy = decode_txs_v2(rows->column_blob(1));
    if (!legacy) return make_error(corrupt(where + " has txs that decode in neither encoding"));
    auto receipts = decode_receipts(rows->column_blob(2));
    if (!receipts || receipts->size() != legacy->txs.size())
      return make_error(corrupt(where + " has malformed receipts"));
    bool any = false;
    for (std::size_t i = 0; i < legacy->txs.size(); ++i) {
      if (!legacy->is_deposit[i]) continue;
      any = true;
      auto& d = std::get<Deposit>(legacy->txs[i]);
      auto it = index_of.find(d.to);
      d.to_index = it != index_of.end() ? it->second : AccountIndex(0xFFFFFFFFu);
      (*receipts)[i].tx_hash = tx_hash(chain_id, legacy->txs[i]);
    }
    if (!any) continue;
    const Bytes txs = encode_txs(legacy->txs);
    const Bytes rec = encode_receipts(*receipts);
    if (auto s = update->bind(1, number)
                     .bind(2, ByteView(txs))
                     .bind(3, blake2b256(txs).view())
                     .bind(4, ByteView(rec))
                     .run();
        !s)
      return make_error(io_error(s.error()));
  }
  return {};
}

// Schema 5: the row hashes of the batches written before it, from their contents as
// they are (whatever damage they already hold is sealed in; the roots and txs_hash
// still catch it in sequencerd --verify).
Status<StoreError> StateStore::fill_row_hashes() {
  auto sel = db_->prepare(
      "SELECT number, prev_root, state_root, txs_hash, tx_count, applied_count, timestamp_ms, receipts, "
      "changes, witnesses, origin FROM batches ORDER BY number");
  auto upd = db_->prepare(
      "UPDATE batches SET receipts_hash = ?2, changes_hash = ?3, witnesses_hash = ?4, origin_hash = ?5, "
      "row_hash = ?6 WHERE number = ?1");
  if (!sel || !upd) return make_error(io_error(!sel ? sel.error() : upd.error()));
  for (;;) {
    auto row = sel->step();
    if (!row) return make_error(io_error(row.error()));
    if (!*row) break;
    auto header = read_header_fields(*sel);
    if (!header) return make_error(header.error());
    StoredBatch b;
    b.header = *header;
    auto copy = [](ByteView v) { return Bytes(v.begin(), v.end()); };
    b.receipts = copy(sel->column_blob(7));
    b.changes = copy(sel->column_blob(8));
    b.witnesses = copy(sel->column_blob(9));
    b.origin = copy(sel->column_blob(10));
    const BatchRowHashes h = batch_row_hashes(b);
    if (auto s = upd->bind(1, static_cast<std::int64_t>(b.header.number.value()))
                     .bind(2, h.receipts.view())
                     .bind(3, h.changes.view())
                     .bind(4, h.witnesses.view())
                     .bind(5, h.origin.view())
                     .bind(6, h.row.view())
                     .run();
        !s)
      return make_error(io_error(s.error()));
  }
  return {};
}

Status<StoreError> StateStore::init_or_migrate() {
  auto st = db_->prepare("PRAGMA user_version");
  if (!st) return make_error(io_error(st.error()));
  auto row = st->step();
  if (!row) return make_error(io_error(row.error()));
  auto version = static_cast<int>(st->column_int(0));
  st->reset();
  if (version > kSchemaVersion)
    return make_error(StoreError{StoreErrorCode::schema_too_new,
                                 options_.path + ": database schema version " + std::to_string(version) +
                                     " is newer than this program's " + std::to_string(kSchemaVersion) +
                                     " (written by a newer sequencerd; run that one, or restore a backup)"});
  const bool fresh = version == 0;
  if (version < kSchemaVersion) {
    if (auto b = db_->begin(); !b) return make_error(io_error(b.error()));
    for (int v = version; v < kMigrationCount; ++v) {
      if (auto e = db_->exec(kMigrations[v]); !e) {
        db_->rollback();
        return make_error(io_error(e.error()));
      }
    }
    if (!fresh && version < 3) {
      if (auto s = rewrite_deposits_by_index(); !s) {
        db_->rollback();
        return make_error(s.error());
      }
    }
    if (!fresh && version < 5) {
      if (auto s = fill_row_hashes(); !s) {
        db_->rollback();
        return make_error(s.error());
      }
    }
    if (auto e = db_->exec("PRAGMA user_version = " + std::to_string(kSchemaVersion)); !e) {
      db_->rollback();
      return make_error(io_error(e.error()));
    }
    if (fresh) {
      // Genesis: the operator's fee account and batch 0.
      State genesis(options_.operator_key);
      Account fee = genesis.at(kFeeAccount);
      SparseMerkleTree tree;
      tree.set_leaf(0, account_leaf_hash(fee));
      const Hash32 root = tree.update_root();
      const Bytes no_txs = encode_txs({});
      auto meta = db_->prepare("INSERT INTO meta (key, value) VALUES (?1, ?2)");
      auto acc = db_->prepare("INSERT INTO accounts (idx, leaf) VALUES (0, ?1)");
      if (!meta || !acc) {
        db_->rollback();
        return make_error(io_error(!meta ? meta.error() : acc.error()));
      }
      auto leaf = encode_leaf(fee);
      Status<DbError> s =
          meta->bind(1, std::string_view("chain_id")).bind(2, u64_bytes(options_.chain_id.value())).run();
      if (s) s = meta->bind(1, std::string_view("operator_key")).bind(2, options_.operator_key.view()).run();
      if (s) s = meta->bind(1, std::string_view("checkpoint")).bind(2, u64_bytes(0)).run();
      if (s) s = acc->bind(1, ByteView(leaf)).run();
      if (s) {
        StoredBatch genesis_batch;
        genesis_batch.header.number = BatchNumber(0);
        genesis_batch.header.state_root = root;
        genesis_batch.header.txs_hash = blake2b256(no_txs);
        genesis_batch.txs = no_txs;
        genesis_batch.receipts = encode_receipts({});
        genesis_batch.changes = encode_changes({});
        auto batch0 = db_->prepare(kInsertBatch);
        s = batch0 ? bind_batch_row(*batch0, genesis_batch, batch_row_hashes(genesis_batch)).run()
                   : Status<DbError>(make_error(batch0.error()));
      }
      if (!s) {
        db_->rollback();
        return make_error(io_error(s.error()));
      }
    }
    if (auto c = db_->commit(); !c) {
      db_->rollback();
      return make_error(io_error(c.error()));
    }
  }
  // The file must belong to this chain and operator.
  auto meta = db_->prepare("SELECT key, value FROM meta");
  if (!meta) return make_error(io_error(meta.error()));
  std::optional<std::uint64_t> chain;
  std::optional<PublicKey> op;
  for (;;) {
    auto r = meta->step();
    if (!r) return make_error(io_error(r.error()));
    if (!*r) break;
    std::string key = meta->column_text(0);
    ByteView value = meta->column_blob(1);
    ByteReader reader(value);
    if (key == "chain_id") {
      auto v = reader.u64le();
      if (!v || reader.remaining() != 0) return make_error(corrupt("meta chain_id is malformed"));
      chain = *v;
    } else if (key == "operator_key") {
      if (value.size() != 32) return make_error(corrupt("meta operator_key is malformed"));
      op = PublicKey::from_view(value);
    } else if (key == "checkpoint") {
      auto v = reader.u64le();
      if (!v || reader.remaining() != 0) return make_error(corrupt("meta checkpoint is malformed"));
      checkpoint_ = BatchNumber(*v);
    }
  }
  if (!chain || !op) return make_error(corrupt("meta lacks chain_id or operator_key"));
  if (*chain != options_.chain_id.value())
    return make_error(StoreError{StoreErrorCode::wrong_chain, "database belongs to chain id " +
                                                                  std::to_string(*chain) + ", not " +
                                                                  std::to_string(options_.chain_id.value())});
  if (*op != options_.operator_key)
    return make_error(
        StoreError{StoreErrorCode::wrong_chain,
                   "database belongs to operator key " + op->hex() + ", not " + options_.operator_key.hex()});
  return {};
}

namespace {
// A header row checked against its row_hash.
struct CheckedHeader {
  BatchHeader header;
  BatchRowHashes hashes;
};

Result<CheckedHeader, StoreError> read_header(const Statement& st) {
  auto fields = read_header_fields(st);
  if (!fields) return make_error(fields.error());
  CheckedHeader out;
  out.header = *fields;
  const BatchHeader& h = out.header;
  Hash32* const hashes[] = {&out.hashes.receipts, &out.hashes.changes, &out.hashes.witnesses,
                            &out.hashes.origin, &out.hashes.row};
  for (int i = 0; i < 5; ++i) {
    ByteView v = st.column_blob(7 + i);
    if (v.size() != 32) return make_error(damaged(h.number.value(), "a row hash is not 32 bytes"));
    *hashes[i] = Hash32::from_view(v);
  }
  if (batch_row_hash(h, out.hashes.receipts, out.hashes.changes, out.hashes.witnesses, out.hashes.origin) !=
      out.hashes.row)
    return make_error(damaged(h.number.value(), "its header does not match its row_hash"));
  return out;
}

// A blob read from column `col` of a batch row, checked against `expected`.
Result<Bytes, StoreError> checked_blob(const Statement& st, int col, const Hash32& expected, std::uint64_t n,
                                       std::string_view name) {
  ByteView v = st.column_blob(col);
  if (blake2b256(v) != expected)
    return make_error(damaged(n, std::string(name) + " do not match their hash"));
  return Bytes(v.begin(), v.end());
}
}  // namespace

Result<std::optional<BatchHeader>, StoreError> StateStore::header(BatchNumber n) {
  select_header_.bind(1, static_cast<std::int64_t>(n.value()));
  auto row = select_header_.step();
  if (!row) {
    select_header_.reset();
    return make_error(io_error(row.error()));
  }
  if (!*row) {
    select_header_.reset();
    return std::optional<BatchHeader>();
  }
  auto h = read_header(select_header_);
  select_header_.reset();
  if (!h) return make_error(h.error());
  return std::optional<BatchHeader>(h->header);
}

Result<BatchHeader, StoreError> StateStore::head() {
  auto st =
      db_->prepare(std::string("SELECT ") + kHeaderColumns + " FROM batches ORDER BY number DESC LIMIT 1");
  if (!st) return make_error(io_error(st.error()));
  auto row = st->step();
  if (!row) return make_error(io_error(row.error()));
  if (!*row) return make_error(corrupt("no batches, not even genesis"));
  auto h = read_header(*st);
  if (!h) return make_error(h.error());
  return h->header;
}

Result<std::optional<StoredBatch>, StoreError> StateStore::batch(BatchNumber n, BatchParts parts) {
  // Columns not asked for are selected as empty blobs, so SQLite never reads them.
  auto col = [](bool want, const char* name) { return std::string(", ") + (want ? name : "x''"); };
  auto st = db_->prepare(std::string("SELECT ") + kHeaderColumns + col(parts.txs, "txs") +
                         col(parts.receipts, "receipts") + col(parts.changes, "changes") +
                         col(parts.witnesses, "witnesses") + col(parts.origin, "origin") +
                         " FROM batches WHERE number = ?1");
  if (!st) return make_error(io_error(st.error()));
  st->bind(1, static_cast<std::int64_t>(n.value()));
  auto row = st->step();
  if (!row) return make_error(io_error(row.error()));
  if (!*row) return std::optional<StoredBatch>();
  auto h = read_header(*st);
  if (!h) return make_error(h.error());
  StoredBatch b;
  b.header = h->header;
  const std::uint64_t num = n.value();
  struct Part {
    bool want;
    const Hash32& hash;
    Bytes& out;
    const char* name;
  };
  const Part wanted[] = {
      {parts.txs, b.header.txs_hash, b.txs, "its txs"},
      {parts.receipts, h->hashes.receipts, b.receipts, "its receipts"},
      {parts.changes, h->hashes.changes, b.changes, "its account changes"},
      {parts.witnesses, h->hashes.witnesses, b.witnesses, "its witnesses"},
      {parts.origin, h->hashes.origin, b.origin, "its origin record"},
  };
  for (std::size_t i = 0; i < std::size(wanted); ++i) {
    if (!wanted[i].want) continue;
    auto blob =
        checked_blob(*st, kHeaderColumnCount + static_cast<int>(i), wanted[i].hash, num, wanted[i].name);
    if (!blob) return make_error(blob.error());
    wanted[i].out = std::move(*blob);
  }
  st->reset();
  return std::optional<StoredBatch>(std::move(b));
}

Result<LoadedState, StoreError> StateStore::load() {
  // One read transaction: a consistent snapshot even while another connection writes.
  if (auto b = db_->exec("BEGIN"); !b) return make_error(io_error(b.error()));
  auto out = load_in_snapshot();
  db_->rollback();
  return out;
}

Result<State, StoreError> StateStore::state_at(BatchNumber n) {
  if (auto b = db_->exec("BEGIN"); !b) return make_error(io_error(b.error()));
  auto out = [&]() -> Result<State, StoreError> {
    auto loaded = load_in_snapshot();
    if (!loaded) return make_error(loaded.error());
    if (n > loaded->head.number)
      return make_error(
          StoreError{StoreErrorCode::conflict, "batch " + std::to_string(n.value()) + " is past the head " +
                                                   std::to_string(loaded->head.number.value())});
    State state = std::move(loaded->state);
    for (std::uint64_t b = loaded->head.number.value(); b > n.value(); --b) {
      auto stored = batch(BatchNumber(b));
      if (!stored) return make_error(stored.error());
      if (!*stored) return make_error(corrupt("batch " + std::to_string(b) + " is missing"));
      // The diff decodes against the accounts that existed before batch b.
      auto indices = decode_change_indices((*stored)->changes);
      if (!indices) return make_error(corrupt("batch " + std::to_string(b) + " has a malformed diff"));
      std::size_t created = 0;
      for (const auto& [index, was_created] : *indices) created += was_created ? 1 : 0;
      if (created > state.size())
        return make_error(corrupt("batch " + std::to_string(b) + " creates too many"));
      auto changes = decode_changes((*stored)->changes, state.accounts().first(state.size() - created));
      if (!changes) return make_error(corrupt("batch " + std::to_string(b) + " has a malformed diff"));
      state.revert(*changes);
    }
    return state;
  }();
  db_->rollback();
  return out;
}

Result<LoadedState, StoreError> StateStore::load_in_snapshot() {
  // 0. The checkpoint as of this snapshot: another connection may have moved it.
  {
    auto cp = db_->prepare("SELECT value FROM meta WHERE key = 'checkpoint'");
    if (!cp) return make_error(io_error(cp.error()));
    auto row = cp->step();
    if (!row) return make_error(io_error(row.error()));
    if (!*row) return make_error(corrupt("meta lacks checkpoint"));
    ByteReader reader(cp->column_blob(0));
    auto v = reader.u64le();
    if (!v || reader.remaining() != 0) return make_error(corrupt("meta checkpoint is malformed"));
    checkpoint_ = BatchNumber(*v);
    cp->reset();
  }
  // 1. The accounts table: the state as of the checkpoint.
  auto st = db_->prepare("SELECT idx, leaf FROM accounts ORDER BY idx");
  if (!st) return make_error(io_error(st.error()));
  std::vector<Account> accounts;
  for (;;) {
    auto row = st->step();
    if (!row) return make_error(io_error(row.error()));
    if (!*row) break;
    if (static_cast<std::uint64_t>(st->column_int(0)) != accounts.size())
      return make_error(corrupt("accounts table has a gap at index " + std::to_string(accounts.size())));
    auto a = decode_leaf(st->column_blob(1));
    if (!a) return make_error(corrupt("account leaf " + std::to_string(accounts.size()) + " is malformed"));
    accounts.push_back(*a);
  }
  if (accounts.empty() || accounts[0].pubkey != options_.operator_key)
    return make_error(corrupt("fee account 0 is missing or has another key"));
  auto state = State::from_accounts(std::move(accounts));
  if (!state) return make_error(corrupt("accounts overflow the supply or repeat a public key"));

  // 2. Replay the diffs of later batches.
  LoadedState out{std::move(*state), BatchHeader{}, checkpoint_, {}};
  auto cp = header(checkpoint_);
  if (!cp) return make_error(cp.error());
  if (!*cp)
    return make_error(corrupt("checkpoint batch " + std::to_string(checkpoint_.value()) + " is missing"));
  out.head = **cp;
  auto diffs = db_->prepare(std::string("SELECT ") + kHeaderColumns +
                            ", changes FROM batches WHERE number > ?1 ORDER BY number");
  if (!diffs) return make_error(io_error(diffs.error()));
  diffs->bind(1, static_cast<std::int64_t>(checkpoint_.value()));
  for (;;) {
    auto row = diffs->step();
    if (!row) return make_error(io_error(row.error()));
    if (!*row) break;
    auto checked = read_header(*diffs);
    if (!checked) return make_error(checked.error());
    const BatchHeader* h = &checked->header;
    if (h->number.value() != out.head.number.value() + 1 || h->prev_root != out.head.state_root)
      return make_error(corrupt("batch " + std::to_string(h->number.value()) + " does not follow batch " +
                                std::to_string(out.head.number.value())));
    const ByteView diff = diffs->column_blob(kHeaderColumnCount);
    if (blake2b256(diff) != checked->hashes.changes)
      return make_error(damaged(h->number.value(), "its account changes do not match their hash"));
    auto changes = decode_changes(diff, out.state.accounts());
    if (!changes)
      return make_error(corrupt("batch " + std::to_string(h->number.value()) +
                                " diff: " + std::string(to_string(changes.error()))));
    for (const auto& c : *changes) {
      if (c.before && out.state.at(c.index) != *c.before)
        return make_error(corrupt("batch " + std::to_string(h->number.value()) +
                                  " diff does not match account " + std::to_string(c.index.value())));
      out.pending[c.index] = c.after;
    }
    out.state.apply(*changes);
    out.head = *h;
  }
  return out;
}

Status<StoreError> StateStore::append_batch(const StoredBatch& batch) {
  const BatchHeader& h = batch.header;
  const BatchRowHashes hashes = batch_row_hashes(batch);  // before the write lock is taken
  if (auto b = db_->begin(); !b) return make_error(io_error(b.error()));
  auto fail = [&](StoreError e) -> Status<StoreError> {
    db_->rollback();
    return make_error(std::move(e));
  };
  auto prev = header(BatchNumber(h.number.value() - 1));
  if (!prev) return fail(prev.error());
  if (h.number.value() == 0 || !*prev || (*prev)->state_root != h.prev_root)
    return fail(StoreError{StoreErrorCode::conflict,
                           "batch " + std::to_string(h.number.value()) + " does not follow the stored head"});
  if (auto f = db_->fault_point("append_batch:before_insert"); !f) return fail(io_error(f.error()));
  auto s = bind_batch_row(insert_batch_, batch, hashes).run();
  if (!s)
    return fail((s.error().code & 0xff) == 19  // SQLITE_CONSTRAINT
                    ? StoreError{StoreErrorCode::conflict, s.error().message}
                    : io_error(s.error()));
  if (auto f = db_->fault_point("append_batch:before_commit"); !f) return fail(io_error(f.error()));
  if (auto c = db_->commit(); !c) return fail(io_error(c.error()));
  return {};
}

Status<StoreError> StateStore::write_accounts(const std::map<AccountIndex, std::optional<Account>>& values,
                                              BatchNumber cp, std::optional<BatchNumber> drop_after,
                                              std::span<const RolledBackTx> record) {
  if (auto b = db_->begin(); !b) return make_error(io_error(b.error()));
  auto fail = [&](const DbError& e) -> Status<StoreError> {
    db_->rollback();
    return make_error(io_error(e));
  };
  auto upsert = db_->prepare("INSERT OR REPLACE INTO accounts (idx, leaf) VALUES (?1, ?2)");
  if (!upsert) return fail(upsert.error());
  auto del = db_->prepare("DELETE FROM accounts WHERE idx = ?1");
  if (!del) return fail(del.error());
  std::size_t written = 0;
  for (const auto& [idx, value] : values) {  // index order: neighbouring rows share pages
    Status<DbError> s;
    if (value) {
      auto leaf = encode_leaf(*value);
      s = upsert->bind(1, static_cast<std::int64_t>(idx.value())).bind(2, ByteView(leaf)).run();
    } else {
      s = del->bind(1, static_cast<std::int64_t>(idx.value())).run();
    }
    if (!s) return fail(s.error());
    if (++written == values.size() / 2)
      if (auto f = db_->fault_point("checkpoint:halfway"); !f) return fail(f.error());
  }
  if (drop_after) {
    auto drop = db_->prepare("DELETE FROM batches WHERE number > ?1");
    if (!drop) return fail(drop.error());
    if (auto s = drop->bind(1, static_cast<std::int64_t>(drop_after->value())).run(); !s)
      return fail(s.error());
  }
  if (!record.empty()) {
    // REPLACE deletes the old row of a hash first, so the new one gets the next seq.
    auto ins = db_->prepare(
        "INSERT OR REPLACE INTO rolled_back_txs (hash, tx, old_batch, old_index, source, rolled_back_to, "
        "reason) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    if (!ins) return fail(ins.error());
    for (const RolledBackTx& t : record) {
      auto s = ins->bind(1, t.hash.view())
                   .bind(2, ByteView(t.tx))
                   .bind(3, static_cast<std::int64_t>(t.old_batch.value()))
                   .bind(4, static_cast<std::int64_t>(t.old_index))
                   .bind(5, static_cast<std::int64_t>(t.source))
                   .bind(6, static_cast<std::int64_t>(t.rolled_back_to.value()))
                   .bind(7, t.reason)
                   .run();
      if (!s) return fail(s.error());
    }
    if (auto f = db_->fault_point("rollback:recorded"); !f) return fail(f.error());
  }
  auto meta = db_->prepare("UPDATE meta SET value = ?1 WHERE key = 'checkpoint'");
  if (!meta) return fail(meta.error());
  if (auto s = meta->bind(1, u64_bytes(cp.value())).run(); !s) return fail(s.error());
  if (auto c = db_->commit(); !c) return fail(c.error());
  checkpoint_ = cp;
  return {};
}

Status<StoreError> StateStore::checkpoint(BatchNumber upto, const std::map<AccountIndex, Account>& latest) {
  if (upto < checkpoint_)
    return make_error(StoreError{StoreErrorCode::conflict, "checkpoint would move backwards"});
  std::map<AccountIndex, std::optional<Account>> values;
  for (const auto& [i, a] : latest) values.emplace(i, a);
  return write_accounts(values, upto, std::nullopt);
}

Status<StoreError> StateStore::rollback_to(BatchNumber n, const State& state_at_n,
                                           std::span<const RolledBackTx> record) {
  auto h = head();
  if (!h) return make_error(h.error());
  if (n > h->number)
    return make_error(StoreError{StoreErrorCode::conflict, "rollback target is after the head"});
  if (checkpoint_ > n) {
    // The accounts table is ahead of n: put back every account the batches in
    // (n, checkpoint] changed, as it was at n (or remove it if created after n).
    std::map<AccountIndex, std::optional<Account>> values;
    for (std::uint64_t b = n.value() + 1; b <= checkpoint_.value(); ++b) {
      auto stored = batch(BatchNumber(b));
      if (!stored) return make_error(stored.error());
      if (!*stored) return make_error(corrupt("batch " + std::to_string(b) + " is missing"));
      auto indices = decode_change_indices((*stored)->changes);
      if (!indices) return make_error(corrupt("diff of batch " + std::to_string(b) + " is malformed"));
      for (const auto& [idx, created] : *indices) {
        values[idx] = state_at_n.contains(idx) ? std::optional<Account>(state_at_n.at(idx)) : std::nullopt;
      }
    }
    return write_accounts(values, n, n, record);
  }
  return write_accounts({}, checkpoint_, n, record);
}

Result<std::vector<RolledBackTx>, StoreError> StateStore::rolled_back_txs() {
  auto st = db_->prepare(
      "SELECT seq, hash, tx, old_batch, old_index, source, rolled_back_to, reason FROM rolled_back_txs ORDER "
      "BY seq");
  if (!st) return make_error(io_error(st.error()));
  std::vector<RolledBackTx> out;
  for (;;) {
    auto row = st->step();
    if (!row) return make_error(io_error(row.error()));
    if (!*row) break;
    RolledBackTx t;
    t.seq = static_cast<std::uint64_t>(st->column_int(0));
    const ByteView h = st->column_blob(1);
    if (h.size() != 32) return make_error(corrupt("rolled_back_txs holds a malformed hash"));
    t.hash = Hash32::from_view(h);
    const ByteView tx = st->column_blob(2);
    auto decoded = decode_tx(tx);
    if (!decoded || tx_hash(options_.chain_id, *decoded) != t.hash)
      return make_error(corrupt("rolled_back_txs row " + std::to_string(t.seq) + " is damaged: its tx " +
                                (decoded ? "does not hash to its hash" : "does not decode")));
    t.tx.assign(tx.begin(), tx.end());
    t.old_batch = BatchNumber(static_cast<std::uint64_t>(st->column_int(3)));
    t.old_index = static_cast<std::uint32_t>(st->column_int(4));
    t.source = static_cast<std::uint8_t>(st->column_int(5));
    t.rolled_back_to = BatchNumber(static_cast<std::uint64_t>(st->column_int(6)));
    t.reason = st->column_text(7);
    out.push_back(std::move(t));
  }
  st->reset();
  return out;
}

}  // namespace l2::rollup
