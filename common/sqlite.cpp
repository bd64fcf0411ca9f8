// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
#include "common/sqlite.hpp"

#include <sqlite3.h>

#include <string>

#include "common/assert.hpp"

namespace l2 {

Statement& Statement::operator=(Statement&& o) noexcept {
  if (this != &o) {
    if (stmt_ != nullptr) sqlite3_finalize(stmt_);
    stmt_ = o.stmt_;
    db_ = o.db_;
    o.stmt_ = nullptr;
  }
  return *this;
}
Statement::~Statement() {
  if (stmt_ != nullptr) sqlite3_finalize(stmt_);
}
Statement& Statement::bind(int pos, std::int64_t v) {
  L2_ASSERT(sqlite3_bind_int64(stmt_, pos, v) == SQLITE_OK);
  return *this;
}
Statement& Statement::bind(int pos, ByteView blob) {
  // An empty span may have a null data pointer, which SQLite would bind as NULL.
  static const std::uint8_t kEmpty = 0;
  const void* data = blob.empty() ? &kEmpty : blob.data();
  L2_ASSERT(sqlite3_bind_blob64(stmt_, pos, data, blob.size(), SQLITE_TRANSIENT) == SQLITE_OK);
  return *this;
}
Statement& Statement::bind(int pos, std::string_view text) {
  // As for blobs: a null data pointer would bind NULL instead of empty text.
  const char* data = text.data() == nullptr ? "" : text.data();
  L2_ASSERT(sqlite3_bind_text64(stmt_, pos, data, text.size(), SQLITE_TRANSIENT, SQLITE_UTF8) == SQLITE_OK);
  return *this;
}
Statement& Statement::bind_null(int pos) {
  L2_ASSERT(sqlite3_bind_null(stmt_, pos) == SQLITE_OK);
  return *this;
}
Result<bool, DbError> Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) {
    reset();
    return false;
  }
  DbError err{rc, sqlite3_errmsg(db_)};
  reset();
  return make_error(std::move(err));
}
Status<DbError> Statement::run() {
  for (;;) {
    auto r = step();
    if (!r) return make_error(r.error());
    if (!*r) return {};
  }
}
void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}
std::int64_t Statement::column_int(int col) const { return sqlite3_column_int64(stmt_, col); }
ByteView Statement::column_blob(int col) const {
  const void* p = sqlite3_column_blob(stmt_, col);
  auto n = static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col));
  return {static_cast<const std::uint8_t*>(p), p == nullptr ? 0 : n};
}
std::string Statement::column_text(int col) const {
  const unsigned char* p = sqlite3_column_text(stmt_, col);
  if (p == nullptr) return {};
  // The length, not the terminator: text may hold NUL bytes.
  return {reinterpret_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col))};
}
bool Statement::column_is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

Result<std::unique_ptr<Db>, DbError> Db::open(const DbOptions& options) {
  std::unique_ptr<Db> db(new Db());
  db->options_ = options;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(options.path.c_str(), &db->db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    DbError err{rc, db->db_ != nullptr ? sqlite3_errmsg(db->db_) : sqlite3_errstr(rc)};
    return make_error(std::move(err));
  }
  sqlite3_extended_result_codes(db->db_, 1);
  sqlite3_busy_timeout(db->db_, options.busy_timeout_ms);
  std::string pragmas = "PRAGMA foreign_keys=ON;";
  if (options.path != ":memory:" && options.wal) pragmas += "PRAGMA journal_mode=WAL;";
  pragmas += options.synchronous_full ? "PRAGMA synchronous=FULL;" : "PRAGMA synchronous=NORMAL;";
  pragmas += "PRAGMA cache_size=-" + std::to_string(options.cache_size_kib) + ";";
  if (auto s = db->exec(pragmas); !s) return make_error(s.error());
  if (options.path != ":memory:" && options.wal) {
    // journal_mode reports the mode it got; a file system without shared memory falls back.
    auto st = db->prepare("PRAGMA journal_mode;");
    if (!st) return make_error(st.error());
    auto row = st->step();
    if (!row) return make_error(row.error());
    if (!*row || st->column_text(0) != "wal") return make_error(DbError{-1, "could not enable WAL mode"});
    st->reset();
  }
  return db;
}

Db::~Db() {
  if (db_ != nullptr) sqlite3_close_v2(db_);
}

DbError Db::last_error(int code) const { return DbError{code, sqlite3_errmsg(db_)}; }

Status<DbError> Db::exec(std::string_view sql) {
  std::string s(sql);
  char* msg = nullptr;
  int rc = sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &msg);
  if (rc != SQLITE_OK) {
    DbError err{rc, msg != nullptr ? msg : sqlite3_errstr(rc)};
    sqlite3_free(msg);
    return make_error(std::move(err));
  }
  return {};
}

Result<Statement, DbError> Db::prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt,
                              nullptr);
  if (rc != SQLITE_OK) return make_error(last_error(rc));
  return Statement(stmt, db_);
}

Status<DbError> Db::begin() { return exec("BEGIN IMMEDIATE"); }
Status<DbError> Db::commit() {
  if (auto f = fault_point("db:commit"); !f) return f;
  return exec("COMMIT");
}
void Db::rollback() noexcept {
  if (in_transaction()) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}
bool Db::in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }

Status<DbError> Db::fault_point(std::string_view point) const {
  if (fault_hook_) {
    if (auto err = fault_hook_(point)) return make_error(std::move(*err));
  }
  return {};
}

}  // namespace l2
