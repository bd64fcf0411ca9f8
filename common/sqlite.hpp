// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// A small RAII wrapper over SQLite (Bitcoin Core's wallet/sqlite.h in spirit): a Db
// owns the connection, Statements are prepared once and reused, transactions are
// explicit. Errors are returned as DbError, never thrown. A fault hook lets tests fail
// (or crash) the database at named points to prove recovery. A Db and its Statements
// belong to one thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/bytes.hpp"
#include "common/result.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace l2 {

struct DbError {
  int code = 0;  // SQLite result code, or -1 for an injected fault
  std::string message;
};

struct DbOptions {
  std::string path;              // ":memory:" for an in-memory database
  bool wal = true;               // journal_mode=WAL (ignored in memory)
  bool synchronous_full = true;  // synchronous=FULL: durable when commit returns
  int busy_timeout_ms = 5000;
  std::int64_t cache_size_kib = 262144;
};

class Statement {
 public:
  Statement() = default;
  Statement(Statement&& o) noexcept : stmt_(o.stmt_), db_(o.db_) { o.stmt_ = nullptr; }
  Statement& operator=(Statement&& o) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Bind by 1-based position. Bind errors are programming errors and assert.
  Statement& bind(int pos, std::int64_t v);
  Statement& bind(int pos, ByteView blob);
  Statement& bind(int pos, std::string_view text);
  Statement& bind_null(int pos);

  // true: a row is ready; false: done. Resets automatically when done or on error.
  Result<bool, DbError> step();
  // Steps until done; for statements that return no rows.
  Status<DbError> run();
  void reset();

  [[nodiscard]] std::int64_t column_int(int col) const;
  [[nodiscard]] ByteView column_blob(int col) const;
  [[nodiscard]] std::string column_text(int col) const;
  [[nodiscard]] bool column_is_null(int col) const;

 private:
  friend class Db;
  Statement(sqlite3_stmt* s, sqlite3* db) : stmt_(s), db_(db) {}
  sqlite3_stmt* stmt_ = nullptr;
  sqlite3* db_ = nullptr;
};

class Db {
 public:
  static Result<std::unique_ptr<Db>, DbError> open(const DbOptions& options);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  Status<DbError> exec(std::string_view sql);
  Result<Statement, DbError> prepare(std::string_view sql);

  Status<DbError> begin();  // BEGIN IMMEDIATE: the one writer
  Status<DbError> commit();
  void rollback() noexcept;
  [[nodiscard]] bool in_transaction() const;

  // Fault injection: the hook sees each named point a caller passes to fault_point()
  // and may return an error (the caller then fails as on a real I/O error) or never
  // return at all (a test's simulated crash).
  using FaultHook = std::function<std::optional<DbError>(std::string_view point)>;
  void set_fault_hook(FaultHook hook) { fault_hook_ = std::move(hook); }
  Status<DbError> fault_point(std::string_view point) const;

  [[nodiscard]] const DbOptions& options() const { return options_; }

 private:
  Db() = default;
  DbError last_error(int code) const;
  sqlite3* db_ = nullptr;
  DbOptions options_;
  FaultHook fault_hook_;
};

}  // namespace l2
