// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// The SQLite state store. The typed suite runs every test against an in-memory and a
// file-backed database: genesis, append and load, batches that don't follow the head,
// checkpoints, rollbacks on either side of the checkpoint, schema constraints, load's
// corruption checks and injected faults. File-only tests cover reopening, the chain
// and operator check, and schema versions. The expected states and roots come from
// test::ChainBuilder (the sequential STF and a fresh Merkle tree).
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <type_traits>
#include <vector>

#include "rollup/state_store.hpp"
#include "rollup/witness.hpp"
#include "tests/unit/test_util.hpp"

namespace l2::rollup {
namespace {

using test::ChainBuilder;
using test::make_deposit;
using test::make_transfer;
using test::make_withdraw;
using test::same_state;
using test::test_key;

constexpr ChainId kChain{7};

const SecretKey& key(int k) {
  static const std::vector<SecretKey> kKeys = [] {
    std::vector<SecretKey> v;
    v.reserve(8);
    for (int i = 0; i < 8; ++i) v.push_back(test_key(static_cast<std::uint8_t>(100 + i)));
    return v;
  }();
  return kKeys.at(static_cast<std::size_t>(k));
}
const PublicKey& operator_key() { return key(0).public_key(); }

// Four batches: deposits, transfers (one rejected), a batch that creates account 5 and
// uses it, and a mix with a withdrawal that creates account 6.
std::vector<std::vector<Tx>> workload() {
  return {
      {make_deposit(0, 1, key(1).public_key(), 1000), make_deposit(1, 2, key(2).public_key(), 500),
       make_deposit(2, 3, key(3).public_key(), 300), make_deposit(3, 4, key(4).public_key(), 50)},
      {make_transfer(kChain, key(1), 1, 2, 100, 2, 0), make_transfer(kChain, key(3), 3, 4, 30, 1, 0),
       make_transfer(kChain, key(2), 2, 1, 50, 0, 0), make_transfer(kChain, key(4), 4, 1, 10, 0, 5)},
      {make_deposit(4, 5, key(5).public_key(), 70), make_transfer(kChain, key(4), 4, 5, 20, 1, 0),
       make_withdraw(kChain, key(2), 2, 100, 1, 1), make_deposit(5, 1, key(1).public_key(), 10)},
      {make_transfer(kChain, key(5), 5, 1, 10, 0, 0), make_transfer(kChain, key(1), 1, 3, 1, 1, 1),
       make_withdraw(kChain, key(3), 3, 5, 0, 1), make_deposit(6, 6, key(6).public_key(), 1)},
  };
}

// A different batch 3 for a chain rolled back to batch 2: account 5 is now key 7's.
std::vector<Tx> alternative_batch3() {
  return {make_deposit(4, 5, key(7).public_key(), 999), make_transfer(kChain, key(1), 1, 5, 1, 0, 1)};
}

ChainBuilder build_chain(std::size_t batches) {
  ChainBuilder c(kChain, operator_key());
  auto w = workload();
  for (std::size_t i = 0; i < batches; ++i) c.next(w.at(i), static_cast<std::int64_t>(1000 + i));
  return c;
}

std::string describe(const StoreError& e) { return std::string(to_string(e.code)) + ": " + e.message; }

// ---- backends -------------------------------------------------------------------------------

struct MemoryBackend {
  static std::string path(const test::TempDir&, int) { return ":memory:"; }
};
struct FileBackend {
  static std::string path(const test::TempDir& dir, int generation) {
    return dir.file("state" + std::to_string(generation) + ".db");
  }
};

struct BackendNames {
  template <class T>
  static std::string GetName(int) {  // NOLINT(readability-identifier-naming): the name GoogleTest calls
    return std::is_same_v<T, MemoryBackend> ? "Memory" : "File";
  }
};

template <class Backend>
class StateStoreTest : public ::testing::Test {
 protected:
  StoreOptions options() const {
    StoreOptions o;
    o.path = Backend::path(dir_, generation_);
    o.chain_id = kChain;
    o.operator_key = operator_key();
    return o;
  }

  std::unique_ptr<StateStore> open() {
    auto s = StateStore::open(options());
    if (!s) {
      ADD_FAILURE() << "open: " << describe(s.error());
      return nullptr;
    }
    return std::move(*s);
  }

  // A store holding the first `n` batches of the workload (built with `chain_`).
  std::unique_ptr<StateStore> open_with(std::size_t n) {
    auto store = open();
    if (!store) return nullptr;
    auto w = workload();
    for (std::size_t i = 0; i < n; ++i) {
      auto s = store->append_batch(chain_.next(w.at(i), static_cast<std::int64_t>(1000 + i)));
      if (!s) {
        ADD_FAILURE() << "append " << i + 1 << ": " << describe(s.error());
        return nullptr;
      }
    }
    return store;
  }

  // load() gives the builder's state as of batch n with n's header.
  void expect_loads(StateStore& store, std::uint64_t n) {
    auto loaded = store.load();
    ASSERT_TRUE(loaded) << describe(loaded.error());
    EXPECT_TRUE(same_state(loaded->state, chain_.state_at(n))) << "batch " << n;
    EXPECT_EQ(loaded->head, chain_.header_at(n));
    EXPECT_EQ(test::root_of(loaded->state), chain_.header_at(n).state_root);
    auto head = store.head();
    ASSERT_TRUE(head) << describe(head.error());
    EXPECT_EQ(*head, chain_.header_at(n));
  }

  std::int64_t count(StateStore& store, const std::string& sql) {
    auto st = store.db().prepare(sql);
    if (!st) {
      ADD_FAILURE() << st.error().message;
      return -1;
    }
    auto row = st->step();
    if (!row || !*row) {
      ADD_FAILURE() << "no row for " << sql;
      return -1;
    }
    auto v = st->column_int(0);
    st->reset();
    return v;
  }

  // Starts over: a new reference chain and, for files, a new database file.
  void start_over() {
    chain_ = build_chain(0);
    ++generation_;
  }

  test::TempDir dir_;
  int generation_ = 0;
  ChainBuilder chain_{kChain, operator_key()};
};

using Backends = ::testing::Types<MemoryBackend, FileBackend>;
TYPED_TEST_SUITE(StateStoreTest, Backends, BackendNames);

TYPED_TEST(StateStoreTest, FreshStoreHasGenesis) {
  auto store = this->open();
  ASSERT_NE(store, nullptr);
  auto head = store->head();
  ASSERT_TRUE(head);
  EXPECT_EQ(head->number, BatchNumber(0));
  EXPECT_TRUE(head->prev_root.is_zero());
  EXPECT_EQ(*head, this->chain_.header_at(0));  // root of a tree holding only the fee account
  EXPECT_EQ(store->checkpoint_batch(), BatchNumber(0));

  auto h0 = store->header(BatchNumber(0));
  ASSERT_TRUE(h0);
  ASSERT_TRUE(h0->has_value());
  EXPECT_EQ(**h0, *head);
  auto h1 = store->header(BatchNumber(1));
  ASSERT_TRUE(h1);
  EXPECT_FALSE(h1->has_value());

  auto b0 = store->batch(BatchNumber(0));
  ASSERT_TRUE(b0);
  ASSERT_TRUE(b0->has_value());
  EXPECT_EQ((*b0)->txs, encode_txs({}));
  EXPECT_EQ((*b0)->receipts, encode_receipts({}));
  EXPECT_EQ((*b0)->changes, encode_changes({}));

  auto loaded = store->load();
  ASSERT_TRUE(loaded) << describe(loaded.error());
  ASSERT_EQ(loaded->state.size(), 1u);
  EXPECT_EQ(loaded->state.at(kFeeAccount), (Account{operator_key(), Amount(0), Nonce(0), Amount(0)}));
  EXPECT_EQ(loaded->state.supply(), Amount(0));
  EXPECT_EQ(loaded->head, *head);
  EXPECT_EQ(loaded->checkpoint, BatchNumber(0));
  EXPECT_TRUE(loaded->pending.empty());
}

TYPED_TEST(StateStoreTest, AppendThenLoadRoundTrip) {
  auto store = this->open();
  ASSERT_NE(store, nullptr);
  auto w = workload();
  std::vector<StoredBatch> stored;
  for (std::size_t i = 0; i < w.size(); ++i) {
    stored.push_back(this->chain_.next(w[i], static_cast<std::int64_t>(1000 + i)));
    auto s = store->append_batch(stored.back());
    ASSERT_TRUE(s) << describe(s.error());
    this->expect_loads(*store, i + 1);
  }
  for (const auto& b : stored) {
    auto got = store->batch(b.header.number);
    ASSERT_TRUE(got);
    ASSERT_TRUE(got->has_value());
    EXPECT_EQ((*got)->header, b.header);
    EXPECT_EQ((*got)->txs, b.txs);
    EXPECT_EQ((*got)->receipts, b.receipts);
    EXPECT_EQ((*got)->changes, b.changes);
    auto h = store->header(b.header.number);
    ASSERT_TRUE(h && h->has_value());
    EXPECT_EQ(**h, b.header);
  }
  // Without a checkpoint, everything is pending: the latest value of each changed account.
  auto loaded = store->load();
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->checkpoint, BatchNumber(0));
  EXPECT_EQ(loaded->pending, this->chain_.take_pending());
  EXPECT_EQ(this->count(*store, "SELECT count(*) FROM accounts"), 1);
  EXPECT_EQ(this->chain_.head().number, BatchNumber(4));
  EXPECT_EQ(this->chain_.header_at(2).applied_count, 3u);  // the bad-nonce transfer was rejected
}

TYPED_TEST(StateStoreTest, AppendRejectsBatchesThatDoNotFollowTheHead) {
  auto store = this->open_with(2);
  ASSERT_NE(store, nullptr);
  const StoredBatch next = this->chain_.next(workload()[2], 1002);  // the correct batch 3

  struct Bad {
    const char* name = nullptr;
    StoredBatch batch;
  };
  std::vector<Bad> bad;
  {
    StoredBatch b = next;
    b.header.number = BatchNumber(4);
    bad.push_back({"skips a number", b});
  }
  {
    StoredBatch b = next;
    b.header.prev_root = this->chain_.header_at(1).state_root;
    bad.push_back({"wrong previous root", b});
  }
  {
    StoredBatch b = next;
    b.header.prev_root.array()[0] ^= 1;
    bad.push_back({"corrupted previous root", b});
  }
  {
    StoredBatch b = next;
    b.header.number = BatchNumber(2);
    b.header.prev_root = this->chain_.header_at(1).state_root;
    bad.push_back({"repeats the head's number", b});
  }
  {
    StoredBatch b = next;
    b.header.number = BatchNumber(1);
    b.header.prev_root = this->chain_.header_at(0).state_root;
    bad.push_back({"rewrites batch 1", b});
  }
  {
    StoredBatch b = next;
    b.header.number = BatchNumber(0);
    bad.push_back({"batch 0", b});
  }
  for (const auto& c : bad) {
    auto s = store->append_batch(c.batch);
    ASSERT_FALSE(s) << c.name;
    EXPECT_EQ(s.error().code, StoreErrorCode::conflict) << c.name << ": " << describe(s.error());
    EXPECT_FALSE(store->db().in_transaction()) << c.name;
    EXPECT_EQ(this->count(*store, "SELECT count(*) FROM batches"), 3) << c.name;
    auto h = store->header(BatchNumber(3));
    ASSERT_TRUE(h);
    EXPECT_FALSE(h->has_value()) << c.name;
    this->expect_loads(*store, 2);
  }
  auto ok = store->append_batch(next);
  ASSERT_TRUE(ok) << describe(ok.error());
  this->expect_loads(*store, 3);
}

TYPED_TEST(StateStoreTest, CheckpointThenLoad) {
  auto store = this->open_with(2);
  ASSERT_NE(store, nullptr);
  auto cp = store->checkpoint(BatchNumber(2), this->chain_.take_pending());
  ASSERT_TRUE(cp) << describe(cp.error());
  EXPECT_EQ(store->checkpoint_batch(), BatchNumber(2));
  EXPECT_EQ(this->count(*store, "SELECT count(*) FROM accounts"),
            std::int64_t{this->chain_.state_at(2).size()});
  this->expect_loads(*store, 2);
  auto loaded = store->load();
  ASSERT_TRUE(loaded);
  EXPECT_TRUE(loaded->pending.empty());
  EXPECT_EQ(loaded->checkpoint, BatchNumber(2));

  // Batches after the checkpoint are replayed on top of the accounts table.
  auto w = workload();
  for (std::size_t i = 2; i < 4; ++i) {
    auto s = store->append_batch(this->chain_.next(w[i], static_cast<std::int64_t>(1000 + i)));
    ASSERT_TRUE(s) << describe(s.error());
  }
  this->expect_loads(*store, 4);
  loaded = store->load();
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->checkpoint, BatchNumber(2));
  auto pending = this->chain_.take_pending();
  EXPECT_EQ(loaded->pending, pending);

  // A checkpoint can't move backwards.
  auto back = store->checkpoint(BatchNumber(1), {});
  ASSERT_FALSE(back);
  EXPECT_EQ(back.error().code, StoreErrorCode::conflict);
  EXPECT_EQ(store->checkpoint_batch(), BatchNumber(2));

  ASSERT_TRUE(store->checkpoint(BatchNumber(4), pending));
  this->expect_loads(*store, 4);
  EXPECT_EQ(this->count(*store, "SELECT count(*) FROM accounts"),
            std::int64_t{this->chain_.state_at(4).size()});
}

TYPED_TEST(StateStoreTest, CheckpointOfTheWholeStateIsEquivalent) {
  auto store = this->open_with(4);
  ASSERT_NE(store, nullptr);
  std::map<AccountIndex, Account> all;
  const State& s = this->chain_.state_at(4);
  for (std::uint32_t i = 0; i < s.size(); ++i) all.emplace(AccountIndex(i), s.at(AccountIndex(i)));
  ASSERT_TRUE(store->checkpoint(BatchNumber(4), all));
  this->expect_loads(*store, 4);
}

// Rollback, declaratively: where the checkpoint is, where to roll back to.
struct RollbackCase {
  const char* name;
  std::uint64_t checkpoint;  // 0: never checkpointed
  std::uint64_t target;
};

TYPED_TEST(StateStoreTest, RollbackOnEitherSideOfTheCheckpoint) {
  const RollbackCase cases[] = {
      {"no checkpoint", 0, 2},        {"checkpoint before target", 1, 2},
      {"checkpoint at target", 2, 2}, {"checkpoint after target", 3, 2},
      {"checkpoint at head", 4, 2},   {"to genesis", 4, 0},
      {"to the head", 4, 4},          {"to the head, no checkpoint", 0, 4},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    this->start_over();
    auto store = this->open();
    ASSERT_NE(store, nullptr);
    auto w = workload();
    for (std::size_t i = 0; i < 4; ++i) {
      ASSERT_TRUE(store->append_batch(this->chain_.next(w[i], static_cast<std::int64_t>(1000 + i))));
      if (i + 1 == c.checkpoint) {
        ASSERT_TRUE(store->checkpoint(BatchNumber(c.checkpoint), this->chain_.take_pending()));
      }
    }
    auto r = store->rollback_to(BatchNumber(c.target), this->chain_.state_at(c.target));
    ASSERT_TRUE(r) << describe(r.error());
    EXPECT_FALSE(store->db().in_transaction());
    this->expect_loads(*store, c.target);
    EXPECT_EQ(store->checkpoint_batch(), BatchNumber(std::min(c.checkpoint, c.target)));
    for (std::uint64_t n = c.target + 1; n <= 4; ++n) {
      auto h = store->header(BatchNumber(n));
      ASSERT_TRUE(h);
      EXPECT_FALSE(h->has_value()) << "batch " << n << " survived";
    }
    if (c.checkpoint > c.target) {
      // The accounts table was rewritten to the target's state: created accounts are gone.
      EXPECT_EQ(this->count(*store, "SELECT count(*) FROM accounts"),
                std::int64_t{this->chain_.state_at(c.target).size()});
    }
    auto loaded = store->load();
    ASSERT_TRUE(loaded);
    EXPECT_EQ(loaded->checkpoint, BatchNumber(std::min(c.checkpoint, c.target)));

    if (c.target == 2) {
      // The chain continues from the target with a different batch 3.
      ChainBuilder fork = build_chain(2);
      auto s = store->append_batch(fork.next(alternative_batch3(), 5000));
      ASSERT_TRUE(s) << describe(s.error());
      auto after = store->load();
      ASSERT_TRUE(after);
      EXPECT_TRUE(same_state(after->state, fork.state()));
      EXPECT_EQ(after->head, fork.head());
      EXPECT_EQ(after->state.at(AccountIndex(5)).pubkey, key(7).public_key());
      EXPECT_EQ(test::root_of(after->state), fork.head().state_root);
    }
  }
}

TYPED_TEST(StateStoreTest, RollbackPastTheHeadIsAConflict) {
  auto store = this->open_with(2);
  ASSERT_NE(store, nullptr);
  auto r = store->rollback_to(BatchNumber(3), this->chain_.state_at(2));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, StoreErrorCode::conflict);
  this->expect_loads(*store, 2);
}

// The txs of the removed batches go into rolled_back_txs in the rollback's own database
// transaction: both or neither (a settlement reorg relies on it across a crash).
TYPED_TEST(StateStoreTest, RollbackRecordsTheRolledBackTxsAtomically) {
  auto row = [](std::uint8_t tag, std::uint64_t batch, std::string reason) {
    RolledBackTx t;
    const Tx tx = workload()[1].at(tag);
    t.hash = tx_hash(kChain, tx);
    t.tx = encode_tx(tx);
    t.old_batch = BatchNumber(batch);
    t.old_index = tag;
    t.source = 1;
    t.rolled_back_to = BatchNumber(1);
    t.reason = std::move(reason);
    return t;
  };
  auto store = this->open_with(3);
  ASSERT_NE(store, nullptr);
  store->db().set_fault_hook([](std::string_view p) -> std::optional<DbError> {
    if (p == "rollback:recorded") return DbError{-1, "injected"};
    return std::nullopt;
  });
  const std::vector<RolledBackTx> failed{row(1, 2, ""), row(2, 3, "")};
  ASSERT_FALSE(store->rollback_to(BatchNumber(1), this->chain_.state_at(1), failed));
  this->expect_loads(*store, 3);  // nothing removed
  auto none = store->rolled_back_txs();
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());  // and nothing recorded
  store->db().set_fault_hook(nullptr);
  const std::vector<RolledBackTx> first{row(1, 2, ""), row(2, 3, "bad_nonce")};
  ASSERT_TRUE(store->rollback_to(BatchNumber(1), this->chain_.state_at(1), first));
  this->expect_loads(*store, 1);
  // A second rollback that lists tx 1 again: its row is replaced and moves to the end.
  const std::vector<RolledBackTx> second{row(3, 2, ""), row(1, 2, "")};
  ASSERT_TRUE(store->rollback_to(BatchNumber(1), this->chain_.state_at(1), second));
  auto rows = store->rolled_back_txs();
  ASSERT_TRUE(rows) << describe(rows.error());
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[0].hash, first[1].hash);
  EXPECT_EQ((*rows)[0].reason, "bad_nonce");
  EXPECT_EQ((*rows)[0].old_batch, BatchNumber(3));
  EXPECT_EQ((*rows)[1].hash, second[0].hash);
  EXPECT_EQ((*rows)[2].hash, first[0].hash);
  EXPECT_EQ((*rows)[2].tx, first[0].tx);
  EXPECT_EQ((*rows)[2].rolled_back_to, BatchNumber(1));
  EXPECT_LT((*rows)[1].seq, (*rows)[2].seq);
  // A row whose tx does not hash to its hash (a flipped bit) is refused, not returned.
  Bytes flipped = (*rows)[1].tx;
  flipped[20] ^= 0x01;
  auto upd = store->db().prepare("UPDATE rolled_back_txs SET tx = ?2 WHERE seq = ?1");
  ASSERT_TRUE(upd);
  ASSERT_TRUE(upd->bind(1, static_cast<std::int64_t>((*rows)[1].seq)).bind(2, ByteView(flipped)).run());
  auto damaged = store->rolled_back_txs();
  ASSERT_FALSE(damaged);
  EXPECT_EQ(damaged.error().code, StoreErrorCode::corrupt);
  EXPECT_NE(damaged.error().message.find("is damaged"), std::string::npos) << damaged.error().message;
  // The schema refuses a row whose target is not below its batch.
  EXPECT_FALSE(store->db().exec(
      "INSERT INTO rolled_back_txs (hash, tx, old_batch, old_index, source, rolled_back_to, reason) "
      "VALUES (zeroblob(32), x'00', 2, 0, 0, 2, '')"));
}

// ---- schema constraints ---------------------------------------------------------------------

TYPED_TEST(StateStoreTest, SchemaConstraintsRejectBadRows) {
  auto store = this->open_with(1);
  ASSERT_NE(store, nullptr);
  Db& db = store->db();
  // Controls: well-formed rows are accepted (and rolled back), so the failures below
  // are the constraints and not the SQL.
  ASSERT_TRUE(db.begin());
  EXPECT_TRUE(db.exec("INSERT INTO accounts (idx, leaf) VALUES (100, zeroblob(56))"));
  EXPECT_TRUE(db.exec("INSERT INTO accounts (idx, leaf) VALUES (4294967295, zeroblob(56))"));
  EXPECT_TRUE(
      db.exec("INSERT INTO batches (number, prev_root, state_root, txs_hash, tx_count, applied_count, "
              "timestamp_ms, txs, "
              "receipts, changes, witnesses, origin) VALUES (100, zeroblob(32), zeroblob(32), zeroblob(32), "
              "2, 2, 0, x'', x'', "
              "x'', x'', zeroblob(4096))"));
  db.rollback();

  const char* bad[] = {
      "INSERT INTO accounts (idx, leaf) VALUES (100, zeroblob(55))",
      "INSERT INTO accounts (idx, leaf) VALUES (100, zeroblob(57))",
      "INSERT INTO accounts (idx, leaf) VALUES (-1, zeroblob(56))",
      "INSERT INTO accounts (idx, leaf) VALUES (4294967296, zeroblob(56))",
      "INSERT INTO accounts (idx, leaf) VALUES (100, NULL)",
      "INSERT INTO accounts (idx, leaf) VALUES (100, "
      "'01234567890123456789012345678901234567890123456789012345')",
      "UPDATE accounts SET leaf = zeroblob(55) WHERE idx = 0",
      "INSERT INTO batches (number, prev_root, state_root, txs_hash, tx_count, applied_count, timestamp_ms, "
      "txs, "
      "receipts, changes, witnesses, origin) VALUES (100, zeroblob(31), zeroblob(32), zeroblob(32), 0, 0, 0, "
      "x'', x'', x'', "
      "x'', x'')",
      "INSERT INTO batches (number, prev_root, state_root, txs_hash, tx_count, applied_count, timestamp_ms, "
      "txs, "
      "receipts, changes, witnesses, origin) VALUES (100, zeroblob(32), zeroblob(31), zeroblob(32), 0, 0, 0, "
      "x'', x'', x'', "
      "x'', x'')",
      "INSERT INTO batches (number, prev_root, state_root, txs_hash, tx_count, applied_count, timestamp_ms, "
      "txs, "
      "receipts, changes, witnesses, origin) VALUES (100, zeroblob(32), zeroblob(32), zeroblob(33), 0, 0, 0, "
      "x'', x'', x'', "
      "x'', x'')",
      "INSERT INTO batches (number, prev_root, state_root, txs_hash, tx_count, applied_count, timestamp_ms, "
      "txs, "
      "receipts, changes, witnesses, origin) VALUES (100, zeroblob(32), zeroblob(32), zeroblob(32), 1, 2, 0, "
      "x'', x'', x'', "
      "x'', x'')",
      "INSERT INTO batches (number, prev_root, state_root, txs_hash, tx_count, applied_count, timestamp_ms, "
      "txs, "
      "receipts, changes, witnesses, origin) VALUES (100, zeroblob(32), zeroblob(32), zeroblob(32), -1, 0, "
      "0, x'', x'', x'', "
      "x'', x'')",
      "INSERT INTO batches (number, prev_root, state_root, txs_hash, tx_count, applied_count, timestamp_ms, "
      "txs, "
      "receipts, changes, witnesses, origin) VALUES (-5, zeroblob(32), zeroblob(32), zeroblob(32), 0, 0, 0, "
      "x'', x'', x'', "
      "x'', x'')",
      "INSERT INTO batches (number, prev_root, state_root, txs_hash, tx_count, applied_count, timestamp_ms, "
      "txs, "
      "receipts, changes, witnesses, origin) VALUES (100, zeroblob(32), zeroblob(32), zeroblob(32), 0, 0, 0, "
      "NULL, x'', x'', "
      "x'', x'')",
      "INSERT INTO batches (number, prev_root, state_root, txs_hash, tx_count, applied_count, timestamp_ms, "
      "txs, "
      "receipts, changes, witnesses, origin) VALUES (1, zeroblob(32), zeroblob(32), zeroblob(32), 0, 0, 0, "
      "x'', x'', x'', x'', "
      "x'')",
      "INSERT INTO batches (number, prev_root, state_root, txs_hash, tx_count, applied_count, timestamp_ms, "
      "txs, "
      "receipts, changes, witnesses, origin) VALUES (100, zeroblob(32), zeroblob(32), zeroblob(32), 0, 0, 0, "
      "x'', x'', x'', "
      "NULL, "
      "x'')",
      "INSERT INTO batches (number, prev_root, state_root, txs_hash, tx_count, applied_count, timestamp_ms, "
      "txs, "
      "receipts, changes, witnesses, origin) VALUES (100, zeroblob(32), zeroblob(32), zeroblob(32), 0, 0, 0, "
      "x'', x'', x'', "
      "x'', "
      "zeroblob(4097))",
      "UPDATE batches SET applied_count = tx_count + 1 WHERE number = 1",
      "UPDATE batches SET receipts_hash = zeroblob(31) WHERE number = 1",
      "UPDATE batches SET row_hash = zeroblob(33) WHERE number = 1",
      "INSERT INTO meta (key, value) VALUES ('chain_id', x'00')",
      "INSERT INTO meta (key, value) VALUES ('x', NULL)",
  };
  for (const char* sql : bad) {
    auto s = db.exec(sql);
    ASSERT_FALSE(s) << sql;
    EXPECT_EQ(s.error().code & 0xff, 19) << sql << ": " << s.error().message;  // SQLITE_CONSTRAINT
  }
  this->expect_loads(*store, 1);
}

// ---- load's own checks ----------------------------------------------------------------------

TYPED_TEST(StateStoreTest, LoadDetectsCorruption) {
  struct Corruption {
    const char* name;
    const char* sql;
  };
  const Corruption cases[] = {
      {"gap in the accounts table", "DELETE FROM accounts WHERE idx = 2"},
      {"fee account with another key", "UPDATE accounts SET leaf = zeroblob(56) WHERE idx = 0"},
      {"no accounts", "DELETE FROM accounts"},
      {"checkpoint batch missing", "UPDATE meta SET value = x'0900000000000000' WHERE key = 'checkpoint'"},
      {"diff is garbage", "UPDATE batches SET changes = x'05' WHERE number = 3"},
      {"diff does not match the accounts",
       "UPDATE batches SET changes = (SELECT changes FROM batches WHERE number = "
       "4) WHERE number = 3"},
      {"batch does not follow", "UPDATE batches SET prev_root = zeroblob(32) WHERE number = 4"},
      {"batch number gap", "DELETE FROM batches WHERE number = 3"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    this->start_over();
    auto store = this->open_with(4);
    ASSERT_NE(store, nullptr);
    this->chain_.take_pending();
    ChainBuilder at2 = build_chain(2);
    ASSERT_TRUE(store->checkpoint(BatchNumber(2), at2.take_pending()));
    ASSERT_TRUE(store->db().exec(c.sql));
    if (std::string(c.name) == "checkpoint batch missing") {
      // The checkpoint is cached at open: reopen to read it (file) or skip (memory).
      if (store->db().options().path == ":memory:") continue;
      store.reset();
      store = this->open();
      ASSERT_NE(store, nullptr);
    }
    auto loaded = store->load();
    ASSERT_FALSE(loaded);
    EXPECT_EQ(loaded.error().code, StoreErrorCode::corrupt) << describe(loaded.error());
  }
}

TYPED_TEST(StateStoreTest, LoadDetectsADiffWhoseBeforeValuesDoNotMatch) {
  auto store = this->open_with(3);
  ASSERT_NE(store, nullptr);
  auto b3 = store->batch(BatchNumber(3));
  ASSERT_TRUE(b3 && b3->has_value());
  auto changes = decode_changes((*b3)->changes, this->chain_.state_at(2).accounts());
  ASSERT_TRUE(changes);
  bool edited = false;
  for (auto& c : *changes) {
    if (c.before) {
      c.before->nonce = Nonce(c.before->nonce.value() + 1);  // still decodes, no longer matches
      edited = true;
      break;
    }
  }
  ASSERT_TRUE(edited);
  const Bytes bad = encode_changes(*changes);
  auto st = store->db().prepare("UPDATE batches SET changes = ?1 WHERE number = 3");
  ASSERT_TRUE(st);
  ASSERT_TRUE(st->bind(1, ByteView(bad)).run());
  auto loaded = store->load();
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().code, StoreErrorCode::corrupt) << describe(loaded.error());
}

// ---- faults -----------------------------------------------------------------------------------

TYPED_TEST(StateStoreTest, FaultDuringAppendWritesNothing) {
  for (const char* point : {"append_batch:before_insert", "append_batch:before_commit", "db:commit"}) {
    SCOPED_TRACE(point);
    this->start_over();
    auto store = this->open_with(2);
    ASSERT_NE(store, nullptr);
    const StoredBatch next = this->chain_.next(workload()[2], 7);
    std::vector<std::string> seen;
    store->db().set_fault_hook([&](std::string_view p) -> std::optional<DbError> {
      seen.emplace_back(p);
      if (p == point) return DbError{-1, "injected at " + std::string(p)};
      return std::nullopt;
    });
    auto s = store->append_batch(next);
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().code, StoreErrorCode::io);
    EXPECT_NE(s.error().message.find("injected"), std::string::npos) << s.error().message;
    EXPECT_EQ(seen.back(), point);
    EXPECT_FALSE(store->db().in_transaction());
    EXPECT_EQ(this->count(*store, "SELECT count(*) FROM batches"), 3);
    this->expect_loads(*store, 2);

    // The store is still usable: the same batch goes in once the fault is gone.
    store->db().set_fault_hook(nullptr);
    auto ok = store->append_batch(next);
    ASSERT_TRUE(ok) << describe(ok.error());
    this->expect_loads(*store, 3);
  }
}

TYPED_TEST(StateStoreTest, FaultDuringCheckpointKeepsTheDiffs) {
  for (const char* point : {"checkpoint:halfway", "db:commit"}) {
    SCOPED_TRACE(point);
    this->start_over();
    auto store = this->open_with(3);
    ASSERT_NE(store, nullptr);
    auto pending = this->chain_.take_pending();
    ASSERT_GE(pending.size(), 2u);  // so that "halfway" is reached
    bool hit = false;
    store->db().set_fault_hook([&](std::string_view p) -> std::optional<DbError> {
      if (p != point) return std::nullopt;
      hit = true;
      return DbError{-1, "injected"};
    });
    auto cp = store->checkpoint(BatchNumber(3), pending);
    ASSERT_FALSE(cp);
    EXPECT_TRUE(hit);
    EXPECT_EQ(cp.error().code, StoreErrorCode::io);
    EXPECT_FALSE(store->db().in_transaction());
    EXPECT_EQ(store->checkpoint_batch(), BatchNumber(0));
    EXPECT_EQ(this->count(*store, "SELECT count(*) FROM accounts"), 1);
    this->expect_loads(*store, 3);
    auto loaded = store->load();
    ASSERT_TRUE(loaded);
    EXPECT_EQ(loaded->pending, pending);

    store->db().set_fault_hook(nullptr);
    ASSERT_TRUE(store->checkpoint(BatchNumber(3), pending));
    EXPECT_EQ(store->checkpoint_batch(), BatchNumber(3));
    this->expect_loads(*store, 3);
  }
}

TYPED_TEST(StateStoreTest, FaultDuringRollbackChangesNothing) {
  auto store = this->open_with(4);
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->checkpoint(BatchNumber(4), this->chain_.take_pending()));
  store->db().set_fault_hook([](std::string_view p) -> std::optional<DbError> {
    if (p == "db:commit") return DbError{-1, "injected"};
    return std::nullopt;
  });
  auto r = store->rollback_to(BatchNumber(2), this->chain_.state_at(2));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, StoreErrorCode::io);
  EXPECT_EQ(store->checkpoint_batch(), BatchNumber(4));
  this->expect_loads(*store, 4);
  store->db().set_fault_hook(nullptr);
  ASSERT_TRUE(store->rollback_to(BatchNumber(2), this->chain_.state_at(2)));
  this->expect_loads(*store, 2);
}

// ---- file only ------------------------------------------------------------------------------

class StateStoreFileTest : public StateStoreTest<FileBackend> {};

TEST_F(StateStoreFileTest, ReopenKeepsBatchesCheckpointAndState) {
  {
    auto store = open_with(2);
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->checkpoint(BatchNumber(2), chain_.take_pending()));
    ASSERT_TRUE(store->append_batch(chain_.next(workload()[2], 1002)));
  }
  auto store = open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->checkpoint_batch(), BatchNumber(2));
  expect_loads(*store, 3);
  auto loaded = store->load();
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->pending, chain_.take_pending());
  ASSERT_TRUE(store->append_batch(chain_.next(workload()[3], 1003)));
  expect_loads(*store, 4);
}

TEST_F(StateStoreFileTest, ReopenWithAnotherChainOrOperatorIsRefused) {
  { ASSERT_NE(open_with(1), nullptr); }
  StoreOptions other_chain = options();
  other_chain.chain_id = ChainId(8);
  auto a = StateStore::open(other_chain);
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().code, StoreErrorCode::wrong_chain) << describe(a.error());

  StoreOptions other_operator = options();
  other_operator.operator_key = key(1).public_key();
  auto b = StateStore::open(other_operator);
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().code, StoreErrorCode::wrong_chain) << describe(b.error());

  // Refusing did not damage the file.
  auto store = open();
  ASSERT_NE(store, nullptr);
  expect_loads(*store, 1);
}

TEST_F(StateStoreFileTest, NewerSchemaIsRefused) {
  { ASSERT_NE(open_with(1), nullptr); }
  {
    DbOptions o;
    o.path = options().path;
    auto db = Db::open(o);
    ASSERT_TRUE(db);
    ASSERT_TRUE((*db)->exec("PRAGMA user_version = " + std::to_string(StateStore::kSchemaVersion + 1)));
  }
  auto s = StateStore::open(options());
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, StoreErrorCode::schema_too_new) << describe(s.error());
}

TEST_F(StateStoreFileTest, NewerSchemaOnAnEmptyFileIsRefused) {
  {
    DbOptions o;
    o.path = options().path;
    auto db = Db::open(o);
    ASSERT_TRUE(db);
    ASSERT_TRUE((*db)->exec("PRAGMA user_version = 99"));
  }
  auto s = StateStore::open(options());
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, StoreErrorCode::schema_too_new);
}

TEST_F(StateStoreFileTest, MalformedMetaIsCorrupt) {
  {
    auto store = open();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->db().exec("UPDATE meta SET value = x'0700' WHERE key = 'chain_id'"));
  }
  auto s = StateStore::open(options());
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, StoreErrorCode::corrupt) << describe(s.error());
}

TEST_F(StateStoreFileTest, UnopenablePathIsAnIoError) {
  StoreOptions o = options();
  o.path = dir_.file("missing/dir/state.db");
  auto s = StateStore::open(o);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, StoreErrorCode::io);
}

TEST_F(StateStoreFileTest, ASecondStoreReadsWhatTheWriterCommitted) {
  auto writer = open_with(1);
  ASSERT_NE(writer, nullptr);
  auto reader = open();
  ASSERT_NE(reader, nullptr);
  expect_loads(*reader, 1);
  ASSERT_TRUE(writer->append_batch(chain_.next(workload()[1], 1001)));
  expect_loads(*reader, 2);
}

// Regression: a reader's load() must not use a checkpoint number cached when it opened;
// after the writer folds diffs into the accounts table, replaying them again from the
// old checkpoint is wrong.
TEST_F(StateStoreFileTest, ASecondStoreLoadsAfterTheWriterCheckpoints) {
  auto writer = open_with(3);
  ASSERT_NE(writer, nullptr);
  auto reader = open();
  ASSERT_NE(reader, nullptr);
  expect_loads(*reader, 3);
  ASSERT_TRUE(writer->checkpoint(BatchNumber(3), chain_.take_pending()));
  expect_loads(*writer, 3);
  expect_loads(*reader, 3);
  ASSERT_TRUE(writer->append_batch(chain_.next(workload()[3], 1003)));
  expect_loads(*reader, 4);
}

}  // namespace
}  // namespace l2::rollup

namespace l2::rollup {
namespace {

TEST(WitnessCodec, RoundTripsAndIsStrict) {
  SparseMerkleTree tree;
  std::vector<AccountWitness> ws;
  for (std::uint32_t i = 0; i < 3; ++i) {
    Account a{test::test_key(static_cast<std::uint8_t>(40 + i)).public_key(), Amount(10 + i), Nonce(i),
              Amount(i)};
    tree.set_leaf(i, account_leaf_hash(a));
    ws.push_back(AccountWitness{a, {}});
  }
  tree.update_root();
  for (auto& w : ws) w.proof = tree.prove(static_cast<std::uint32_t>(&w - ws.data()));
  const Bytes enc = encode_witnesses(ws);
  auto back = decode_witnesses(enc);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, ws);
  for (std::size_t cut = 0; cut < enc.size(); ++cut)
    EXPECT_FALSE(decode_witnesses(ByteView(enc).first(cut))) << "truncated at " << cut;
  Bytes trailing = enc;
  trailing.push_back(0);
  EXPECT_FALSE(decode_witnesses(trailing));
  // Indices must be strictly increasing.
  std::vector<AccountWitness> unordered{ws[1], ws[0]};
  EXPECT_FALSE(decode_witnesses(encode_witnesses(unordered)));
  EXPECT_TRUE(decode_witnesses(encode_witnesses({})));
}

}  // namespace
}  // namespace l2::rollup
