// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// The SQLite wrapper: opening in memory and on files (WAL), statements (bind, step,
// columns) for every column type, transactions, errors, and the fault hook.
#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

#include "common/sqlite.hpp"
#include "tests/unit/test_util.hpp"

namespace l2 {
namespace {

std::unique_ptr<Db> open_db(const std::string& path, bool wal = true) {
  DbOptions o;
  o.path = path;
  o.wal = wal;
  auto db = Db::open(o);
  if (!db) {
    ADD_FAILURE() << "cannot open " << path << ": " << db.error().message;
    return nullptr;
  }
  return std::move(*db);
}

std::string pragma_text(Db& db, std::string_view pragma) {
  auto st = db.prepare(pragma);
  if (!st) return "<prepare failed: " + st.error().message + ">";
  auto row = st->step();
  if (!row || !*row) return "<no row>";
  std::string out = st->column_text(0);
  st->reset();
  return out;
}

std::int64_t count_rows(Db& db, std::string_view table) {
  auto st = db.prepare("SELECT count(*) FROM " + std::string(table));
  if (!st) {
    ADD_FAILURE() << st.error().message;
    return -1;
  }
  auto row = st->step();
  if (!row || !*row) {
    ADD_FAILURE() << "count(*) returned no row";
    return -1;
  }
  std::int64_t n = st->column_int(0);
  st->reset();
  return n;
}

// ---- opening ------------------------------------------------------------------------------

TEST(SqliteOpen, InMemory) {
  auto db = open_db(":memory:");
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(db->options().path, ":memory:");
  EXPECT_EQ(pragma_text(*db, "PRAGMA journal_mode"), "memory");
  EXPECT_EQ(pragma_text(*db, "PRAGMA foreign_keys"), "1");
  EXPECT_EQ(pragma_text(*db, "PRAGMA synchronous"), "2");  // FULL
  EXPECT_FALSE(db->in_transaction());
}

TEST(SqliteOpen, FileUsesWalAndIsDurableAcrossReopen) {
  test::TempDir dir;
  const std::string path = dir.file("wal.db");
  {
    auto db = open_db(path);
    ASSERT_NE(db, nullptr);
    EXPECT_EQ(pragma_text(*db, "PRAGMA journal_mode"), "wal");
    EXPECT_EQ(pragma_text(*db, "PRAGMA foreign_keys"), "1");
    ASSERT_TRUE(db->exec("CREATE TABLE t (x INTEGER) STRICT; INSERT INTO t VALUES (42);"));
  }
  EXPECT_TRUE(std::filesystem::exists(path));
  auto db = open_db(path);
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(pragma_text(*db, "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(count_rows(*db, "t"), 1);
}

TEST(SqliteOpen, FileWithoutWalAndWithNormalSync) {
  test::TempDir dir;
  DbOptions o;
  o.path = dir.file("nowal.db");
  o.wal = false;
  o.synchronous_full = false;
  auto db = Db::open(o);
  ASSERT_TRUE(db) << db.error().message;
  EXPECT_EQ(pragma_text(**db, "PRAGMA journal_mode"), "delete");
  EXPECT_EQ(pragma_text(**db, "PRAGMA synchronous"), "1");  // NORMAL
  EXPECT_FALSE((*db)->options().wal);
}

TEST(SqliteOpen, MissingDirectoryIsAnError) {
  test::TempDir dir;
  DbOptions o;
  o.path = dir.file("no/such/dir/x.db");
  auto db = Db::open(o);
  ASSERT_FALSE(db);
  EXPECT_NE(db.error().code, 0);
  EXPECT_FALSE(db.error().message.empty());
}

TEST(SqliteOpen, SecondConnectionSeesCommittedRows) {
  test::TempDir dir;
  const std::string path = dir.file("two.db");
  auto writer = open_db(path);
  ASSERT_NE(writer, nullptr);
  ASSERT_TRUE(writer->exec("CREATE TABLE t (x INTEGER) STRICT"));
  auto reader = open_db(path);
  ASSERT_NE(reader, nullptr);
  ASSERT_TRUE(writer->begin());
  ASSERT_TRUE(writer->exec("INSERT INTO t VALUES (1)"));
  EXPECT_EQ(count_rows(*reader, "t"), 0);  // not committed yet
  ASSERT_TRUE(writer->commit());
  EXPECT_EQ(count_rows(*reader, "t"), 1);
}

// ---- statements -----------------------------------------------------------------------------

class SqliteStatementTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = open_db(":memory:");
    ASSERT_NE(db_, nullptr);
    ASSERT_TRUE(db_->exec("CREATE TABLE v (k INTEGER PRIMARY KEY, i INTEGER, b BLOB, s TEXT) STRICT"));
  }
  std::unique_ptr<Db> db_;
};

TEST_F(SqliteStatementTest, RoundTripOfEveryColumnType) {
  auto ins = db_->prepare("INSERT INTO v (k, i, b, s) VALUES (?1, ?2, ?3, ?4)");
  ASSERT_TRUE(ins) << ins.error().message;
  const Bytes blob = {0x00, 0x01, 0xfe, 0xff, 0x00};
  const std::string text = "h\xc3\xa9llo, world";
  ASSERT_TRUE(ins->bind(1, std::int64_t{1})
                  .bind(2, std::numeric_limits<std::int64_t>::min())
                  .bind(3, ByteView(blob))
                  .bind(4, std::string_view(text))
                  .run());
  ASSERT_TRUE(ins->bind(1, std::int64_t{2})
                  .bind(2, std::numeric_limits<std::int64_t>::max())
                  .bind(3, ByteView{})
                  .bind(4, std::string_view(""))
                  .run());
  ASSERT_TRUE(ins->bind(1, std::int64_t{3}).bind_null(2).bind_null(3).bind_null(4).run());

  auto sel = db_->prepare("SELECT i, b, s, typeof(b) FROM v ORDER BY k");
  ASSERT_TRUE(sel);
  auto row = sel->step();
  ASSERT_TRUE(row && *row);
  EXPECT_EQ(sel->column_int(0), std::numeric_limits<std::int64_t>::min());
  ByteView b = sel->column_blob(1);
  EXPECT_EQ(Bytes(b.begin(), b.end()), blob);
  EXPECT_EQ(sel->column_text(2), text);
  EXPECT_FALSE(sel->column_is_null(0));
  EXPECT_FALSE(sel->column_is_null(1));

  row = sel->step();
  ASSERT_TRUE(row && *row);
  EXPECT_EQ(sel->column_int(0), std::numeric_limits<std::int64_t>::max());
  EXPECT_TRUE(sel->column_blob(1).empty());
  EXPECT_FALSE(sel->column_is_null(1));  // an empty blob is not NULL
  EXPECT_EQ(sel->column_text(3), "blob");
  EXPECT_EQ(sel->column_text(2), "");
  EXPECT_FALSE(sel->column_is_null(2));

  row = sel->step();
  ASSERT_TRUE(row && *row);
  EXPECT_TRUE(sel->column_is_null(0));
  EXPECT_TRUE(sel->column_is_null(1));
  EXPECT_TRUE(sel->column_is_null(2));
  EXPECT_TRUE(sel->column_blob(1).empty());
  EXPECT_EQ(sel->column_text(2), "");

  row = sel->step();
  ASSERT_TRUE(row);
  EXPECT_FALSE(*row);
}

// Regression: an empty string_view may have a null data pointer, which SQLite binds
// as NULL (the blob overload guards against this; text must too).
TEST_F(SqliteStatementTest, EmptyTextBindsAsEmptyTextNotNull) {
  auto ins = db_->prepare("INSERT INTO v (k, s) VALUES (?1, ?2)");
  ASSERT_TRUE(ins);
  ASSERT_TRUE(ins->bind(1, std::int64_t{1}).bind(2, std::string_view{}).run());
  auto sel = db_->prepare("SELECT s, typeof(s) FROM v WHERE k = 1");
  ASSERT_TRUE(sel);
  auto row = sel->step();
  ASSERT_TRUE(row && *row);
  EXPECT_FALSE(sel->column_is_null(0));
  EXPECT_EQ(sel->column_text(1), "text");
  sel->reset();
}

// Regression: text is a length-delimited value; a NUL inside it must survive the round trip.
TEST_F(SqliteStatementTest, TextWithAnEmbeddedNulRoundTrips) {
  const std::string text("a\0b", 3);
  auto ins = db_->prepare("INSERT INTO v (k, s) VALUES (?1, ?2)");
  ASSERT_TRUE(ins);
  ASSERT_TRUE(ins->bind(1, std::int64_t{1}).bind(2, std::string_view(text)).run());
  auto sel = db_->prepare("SELECT s, length(CAST(s AS BLOB)) FROM v WHERE k = 1");
  ASSERT_TRUE(sel);
  auto row = sel->step();
  ASSERT_TRUE(row && *row);
  EXPECT_EQ(sel->column_int(1), 3);  // stored intact
  EXPECT_EQ(sel->column_text(0), text);
  sel->reset();
}

TEST_F(SqliteStatementTest, StatementIsReusableAfterDone) {
  ASSERT_TRUE(db_->exec("INSERT INTO v (k, i) VALUES (1, 10), (2, 20)"));
  auto sel = db_->prepare("SELECT i FROM v WHERE k >= ?1 ORDER BY k");
  ASSERT_TRUE(sel);
  for (int pass = 0; pass < 3; ++pass) {
    sel->bind(1, std::int64_t{1});
    std::vector<std::int64_t> got;
    for (;;) {
      auto row = sel->step();
      ASSERT_TRUE(row);
      if (!*row) break;
      got.push_back(sel->column_int(0));
    }
    EXPECT_EQ(got, (std::vector<std::int64_t>{10, 20})) << pass;
  }
}

TEST_F(SqliteStatementTest, ManualResetRestartsTheQuery) {
  ASSERT_TRUE(db_->exec("INSERT INTO v (k, i) VALUES (1, 10), (2, 20)"));
  auto sel = db_->prepare("SELECT i FROM v ORDER BY k");
  ASSERT_TRUE(sel);
  auto row = sel->step();
  ASSERT_TRUE(row && *row);
  EXPECT_EQ(sel->column_int(0), 10);
  sel->reset();
  row = sel->step();
  ASSERT_TRUE(row && *row);
  EXPECT_EQ(sel->column_int(0), 10);
}

TEST_F(SqliteStatementTest, MovedStatementStillWorks) {
  auto prepared = db_->prepare("INSERT INTO v (k, i) VALUES (?1, ?2)");
  ASSERT_TRUE(prepared);
  Statement a = std::move(*prepared);
  Statement b;
  b = std::move(a);
  ASSERT_TRUE(b.bind(1, std::int64_t{7}).bind(2, std::int64_t{70}).run());
  EXPECT_EQ(count_rows(*db_, "v"), 1);
}

TEST_F(SqliteStatementTest, ErrorsAreReturnedNotThrown) {
  auto bad = db_->prepare("SELEKT 1");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code & 0xff, 1);  // SQLITE_ERROR
  EXPECT_NE(bad.error().message.find("syntax"), std::string::npos) << bad.error().message;

  auto missing = db_->exec("INSERT INTO nope VALUES (1)");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("nope"), std::string::npos) << missing.error().message;

  // A constraint violation at step(); the statement is reset and usable afterwards.
  auto ins = db_->prepare("INSERT INTO v (k, i) VALUES (?1, ?2)");
  ASSERT_TRUE(ins);
  ASSERT_TRUE(ins->bind(1, std::int64_t{1}).bind(2, std::int64_t{1}).run());
  auto dup = ins->bind(1, std::int64_t{1}).bind(2, std::int64_t{2}).run();
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code & 0xff, 19);  // SQLITE_CONSTRAINT
  EXPECT_TRUE(ins->bind(1, std::int64_t{2}).bind(2, std::int64_t{2}).run());
  EXPECT_EQ(count_rows(*db_, "v"), 2);

  // STRICT tables reject a value of the wrong type.
  auto wrong_type = db_->exec("INSERT INTO v (k, i) VALUES (9, 'text')");
  ASSERT_FALSE(wrong_type);
  EXPECT_EQ(wrong_type.error().code & 0xff, 19);
}

// ---- transactions ---------------------------------------------------------------------------

TEST_F(SqliteStatementTest, CommitKeepsRows) {
  ASSERT_TRUE(db_->begin());
  EXPECT_TRUE(db_->in_transaction());
  ASSERT_TRUE(db_->exec("INSERT INTO v (k) VALUES (1), (2)"));
  ASSERT_TRUE(db_->commit());
  EXPECT_FALSE(db_->in_transaction());
  EXPECT_EQ(count_rows(*db_, "v"), 2);
}

TEST_F(SqliteStatementTest, RollbackDropsRows) {
  ASSERT_TRUE(db_->exec("INSERT INTO v (k) VALUES (1)"));
  ASSERT_TRUE(db_->begin());
  ASSERT_TRUE(db_->exec("INSERT INTO v (k) VALUES (2), (3)"));
  ASSERT_TRUE(db_->exec("DELETE FROM v WHERE k = 1"));
  EXPECT_EQ(count_rows(*db_, "v"), 2);
  db_->rollback();
  EXPECT_FALSE(db_->in_transaction());
  auto sel = db_->prepare("SELECT k FROM v");
  ASSERT_TRUE(sel);
  auto row = sel->step();
  ASSERT_TRUE(row && *row);
  EXPECT_EQ(sel->column_int(0), 1);
  row = sel->step();
  ASSERT_TRUE(row);
  EXPECT_FALSE(*row);
  db_->rollback();  // no transaction: harmless
  EXPECT_FALSE(db_->in_transaction());
}

TEST_F(SqliteStatementTest, NestedBeginIsAnError) {
  ASSERT_TRUE(db_->begin());
  auto again = db_->begin();
  EXPECT_FALSE(again);
  EXPECT_TRUE(db_->in_transaction());
  db_->rollback();
}

// ---- fault hook -----------------------------------------------------------------------------

TEST_F(SqliteStatementTest, FaultPointWithoutHookSucceeds) {
  EXPECT_TRUE(db_->fault_point("anything"));
  std::vector<std::string> seen;
  db_->set_fault_hook([&](std::string_view p) -> std::optional<DbError> {
    seen.emplace_back(p);
    return std::nullopt;
  });
  EXPECT_TRUE(db_->fault_point("x"));
  ASSERT_TRUE(db_->begin());
  ASSERT_TRUE(db_->exec("INSERT INTO v (k) VALUES (1)"));
  ASSERT_TRUE(db_->commit());  // a hook that returns nothing lets the commit through
  EXPECT_EQ(seen, (std::vector<std::string>{"x", "db:commit"}));
  EXPECT_EQ(count_rows(*db_, "v"), 1);
}

TEST_F(SqliteStatementTest, FaultAtCommitFailsTheCommit) {
  db_->set_fault_hook([](std::string_view p) -> std::optional<DbError> {
    if (p == "db:commit") return DbError{-1, "injected"};
    return std::nullopt;
  });
  ASSERT_TRUE(db_->begin());
  ASSERT_TRUE(db_->exec("INSERT INTO v (k) VALUES (1)"));
  auto c = db_->commit();
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, -1);
  EXPECT_EQ(c.error().message, "injected");
  EXPECT_TRUE(db_->in_transaction());  // COMMIT never ran
  db_->rollback();
  EXPECT_EQ(count_rows(*db_, "v"), 0);
  db_->set_fault_hook(nullptr);
  ASSERT_TRUE(db_->begin());
  ASSERT_TRUE(db_->exec("INSERT INTO v (k) VALUES (2)"));
  ASSERT_TRUE(db_->commit());
  EXPECT_EQ(count_rows(*db_, "v"), 1);
}

TEST(SqliteFault, FailedCommitIsNotDurable) {
  test::TempDir dir;
  const std::string path = dir.file("fault.db");
  {
    auto db = open_db(path);
    ASSERT_NE(db, nullptr);
    ASSERT_TRUE(db->exec("CREATE TABLE t (x INTEGER) STRICT; INSERT INTO t VALUES (1);"));
    db->set_fault_hook([](std::string_view p) -> std::optional<DbError> {
      if (p == "db:commit") return DbError{-1, "disk on fire"};
      return std::nullopt;
    });
    ASSERT_TRUE(db->begin());
    ASSERT_TRUE(db->exec("INSERT INTO t VALUES (2)"));
    auto c = db->commit();
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error().message, "disk on fire");
    // Another connection doesn't see it, and closing without a commit drops it.
    auto other = open_db(path);
    ASSERT_NE(other, nullptr);
    EXPECT_EQ(count_rows(*other, "t"), 1);
  }
  auto db = open_db(path);
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(count_rows(*db, "t"), 1);
}

}  // namespace
}  // namespace l2
