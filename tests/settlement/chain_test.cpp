// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// The mock base chain's core and modules (settlement/basechain/chain.hpp, registry.hpp, commitments.hpp,
// bridge.hpp). The typed suite runs the core (transfers, nonces, funds, blocks, timestamps, faults) against
// in-memory and file-backed SQLite; file-only tests cover reopening (pending txs, the chain id check, schema
// versions) and snapshots. The module tests run two rollups side by side: registry, deposit and forced
// queues, every commitment refusal (the inclusion deadline with advanced time), finality timing, and
// withdrawals (paid once, forged, stale and early proofs refused). Every refusal is checked to leave every
// table exactly as it was. Time is an injected wall clock.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "common/merkle.hpp"
#include "rollup/account.hpp"
#include "rollup/state.hpp"
#include "settlement/basechain/bridge.hpp"
#include "settlement/basechain/chain.hpp"
#include "settlement/basechain/commitments.hpp"
#include "settlement/basechain/registry.hpp"
#include "settlement/basechain/standard_modules.hpp"
#include "settlement/payload.hpp"
#include "tests/unit/test_util.hpp"

namespace l2::settlement {
namespace {

using test::make_transfer;
using test::make_withdraw;
using test::TempDir;
using test::test_key;

const ChainId kBase{31337};
const ChainId kRollupA{7};
const ChainId kRollupB{8};
constexpr std::int64_t kStart = 1'700'000'000;

// 0 alice, 1 bob, 2 carol (sequencer of A), 3 dave (sequencer of B), 4 the operator,
// 5 eve (no funds).
const SecretKey& key(int i) {
  static const std::vector<SecretKey> kKeys = [] {
    std::vector<SecretKey> v;
    v.reserve(6);
    for (int k = 0; k < 6; ++k) v.push_back(test_key(static_cast<std::uint8_t>(40 + k)));
    return v;
  }();
  return kKeys.at(static_cast<std::size_t>(i));
}
const SecretKey& alice() { return key(0); }
const SecretKey& bob() { return key(1); }
const SecretKey& carol() { return key(2); }
const SecretKey& dave() { return key(3); }
const PublicKey& operator_key() { return key(4).public_key(); }
const SecretKey& eve() { return key(5); }

Hash32 filled(std::uint8_t b) {
  Hash32 h;
  h.array().fill(b);
  return h;
}

Hash32 genesis_root() { return test::root_of(rollup::State(operator_key())); }

std::string describe(const ChainError& e) {
  std::string s(to_string(e.code));
  // Appended piece by piece: "/" + std::string makes GCC 12 at -O3 warn falsely
  // (-Wrestrict, GCC PR 105651).
  if (e.code == ChainErrorCode::refused) {
    s += '/';
    s += e.reason;
  }
  s += ": ";
  s += e.message;
  return s;
}

// ---- the fixture ---------------------------------------------------------------------------

class ChainFixture {
 public:
  ChainFixture() = default;

  ChainOptions options(const std::string& path) {
    ChainOptions o;
    o.path = path;
    o.chain_id = kBase;
    o.clock = [this] { return wall_; };
    o.genesis_alloc = {{alice().public_key(), Amount(1'000'000)},
                       {bob().public_key(), Amount(500'000)},
                       {carol().public_key(), Amount(1'000'000)},
                       {dave().public_key(), Amount(1'000'000)}};
    return o;
  }

  void open(const ChainOptions& o) {
    chain_.reset();
    auto c = BaseChain::open(o, standard_modules());
    ASSERT_TRUE(c) << describe(c.error());
    chain_ = std::move(*c);
  }

  BaseChain& chain() { return *chain_; }

  Nonce next_nonce(const PublicKey& k) {
    auto a = chain_->account(k);
    EXPECT_TRUE(a);
    return a ? a->nonce : Nonce(0);
  }

  Bytes wire(const SecretKey& k, BaseTxBody body, std::optional<Nonce> nonce = std::nullopt) {
    BaseTx tx{k.public_key(), nonce ? *nonce : next_nonce(k.public_key()), std::move(body), {}};
    sign_base_tx(tx, kBase, k);
    return encode_base_tx(tx);
  }

  Result<Submitted, ChainError> send(const SecretKey& k, BaseTxBody body) {
    return chain_->submit(wire(k, std::move(body)));
  }

  // Sends and expects success.
  Submitted ok(const SecretKey& k, BaseTxBody body) {
    auto r = send(k, std::move(body));
    EXPECT_TRUE(r) << describe(r.error());
    return r ? *r : Submitted{};
  }

  // Every row of every table, to prove that a refusal changed nothing.
  std::string dump() {
    return chain_->read([](const ChainView& v) {
      std::string out;
      std::vector<std::string> tables;
      {
        auto q = v.store.query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
        EXPECT_TRUE(q);
        while (*q->next()) tables.push_back(q->row().column_text(0));
      }
      for (const auto& t : tables) {
        std::int64_t cols = 0;
        {
          auto q = v.store.query("SELECT count(*) FROM pragma_table_info(?1)");
          EXPECT_TRUE(q->bind(1, std::string_view(t)).next());
          cols = q->row().column_int(0);
        }
        out += "[" + t + "]\n";
        auto q = v.store.query("SELECT * FROM " + t);
        while (*q->next()) {
          for (int c = 0; c < static_cast<int>(cols); ++c)
            out += to_hex(as_bytes(q->row().column_text(c))) + "|";
          out += "\n";
        }
      }
      return out;
    });
  }

  ::testing::AssertionResult refused_unchanged(const Bytes& tx, ChainErrorCode code,
                                               Refusal reason = Refusal{}) {
    const std::string before = dump();
    const auto head = chain_->head();
    auto r = chain_->submit(tx);
    if (r) return ::testing::AssertionFailure() << "accepted";
    if (r.error().code != code || r.error().reason != reason.name)
      return ::testing::AssertionFailure() << "refused with " << describe(r.error()) << ", expected "
                                           << to_string(code) << "/" << reason.name;
    if (dump() != before) return ::testing::AssertionFailure() << "the refusal changed the database";
    if (!(chain_->head() == head)) return ::testing::AssertionFailure() << "the refusal moved the head";
    return ::testing::AssertionSuccess() << r.error().message;
  }
  ::testing::AssertionResult refused(const SecretKey& k, BaseTxBody body, Refusal reason) {
    return refused_unchanged(wire(k, std::move(body)), ChainErrorCode::refused, reason);
  }

  Amount balance(const PublicKey& k) {
    auto a = chain_->account(k);
    EXPECT_TRUE(a);
    return a ? a->balance : Amount();
  }

  bridge::RollupEntry rollup(ChainId id) {
    auto r = chain_->read([&](const ChainView& v) { return bridge::find_rollup(v, id); });
    EXPECT_TRUE(r && *r) << "rollup " << id.value();
    return r && *r ? **r : bridge::RollupEntry{};
  }

  std::optional<commitments::CommitmentEntry> commitment(ChainId id, std::uint64_t batch,
                                                         bool with_payload = false) {
    auto r = chain_->read([&](const ChainView& v) {
      return commitments::find_commitment(v,
                                          commitments::CommitmentQuery{id, BatchNumber(batch), with_payload});
    });
    EXPECT_TRUE(r);
    return r ? *r : std::nullopt;
  }

  void register_rollup(ChainId id, const SecretKey& sequencer, std::uint64_t window = 3600,
                       std::uint64_t deadline = 600) {
    ok(sequencer, RegisterRollupBody{id, operator_key(), genesis_root(), ChainDuration(window),
                                     ChainDuration(deadline)});
  }

  // NOLINTNEXTLINE(readability-function-size): a commitment's fields, defaulted as tests need
  static Commitment make_commit(ChainId id, std::uint64_t batch, const Hash32& prev, const Hash32& next,
                                const std::vector<rollup::Tx>& txs, std::uint64_t deposits_upto = 0,
                                std::uint64_t forced_upto = 0) {
    Commitment c;
    c.header.rollup_id = id;
    c.header.batch = BatchNumber(batch);
    c.header.prev_root = prev;
    c.header.new_root = next;
    c.payload = *make_payload(txs);
    c.header.payload_hash = payload_hash(c.payload);
    c.header.applied_txs = static_cast<std::uint32_t>(txs.size());
    c.header.deposits_upto = DepositPosition(deposits_upto);
    c.header.forced_upto = ForcedPosition(forced_upto);
    return c;
  }

  std::int64_t wall_ = kStart;

 private:
  std::unique_ptr<BaseChain> chain_;
};

// ---- the core, against both backends ---------------------------------------------------------

struct MemoryBackend {
  static std::string path(const TempDir&) { return ":memory:"; }
};
struct FileBackend {
  static std::string path(const TempDir& dir) { return dir.file("chain.db"); }
};

template <class Backend>
class ChainCoreTest : public ::testing::Test, public ChainFixture {
 protected:
  void SetUp() override { open(options(Backend::path(dir_))); }
  TempDir dir_;
};
using Backends = ::testing::Types<MemoryBackend, FileBackend>;
TYPED_TEST_SUITE(ChainCoreTest, Backends);

TYPED_TEST(ChainCoreTest, GenesisIsBlockZeroWithTheAllocations) {
  const BlockHeader h = this->chain().head();
  EXPECT_EQ(h.number, BlockNumber(0));
  EXPECT_EQ(h.timestamp, ChainTime(kStart));
  EXPECT_EQ(h.parent_hash, Hash32());
  EXPECT_EQ(h.tx_root, blake2b256({}));
  EXPECT_EQ(h.hash, block_hash(BlockNumber(0), ChainTime(kStart), Hash32(), blake2b256({})));
  EXPECT_EQ(this->balance(alice().public_key()), Amount(1'000'000));
  EXPECT_EQ(this->balance(eve().public_key()), Amount(0));
  EXPECT_EQ(this->chain().chain_id(), kBase);
  auto b = this->chain().block(BlockNumber(0));
  ASSERT_TRUE(b && *b);
  EXPECT_EQ((*b)->header, h);
  EXPECT_TRUE((*b)->txs.empty());
}

TYPED_TEST(ChainCoreTest, TransferMovesBalanceAndWaitsForTheNextBlock) {
  const Bytes tx = this->wire(alice(), TransferBody{eve().public_key(), Amount(250)});
  auto s = this->chain().submit(tx);
  ASSERT_TRUE(s) << describe(s.error());
  EXPECT_FALSE(s->block);  // no automine: pending
  EXPECT_EQ(this->balance(alice().public_key()), Amount(999'750));
  EXPECT_EQ(this->balance(eve().public_key()), Amount(250));
  EXPECT_EQ(this->next_nonce(alice().public_key()), Nonce(1));
  auto rec = this->chain().transaction(s->hash);
  ASSERT_TRUE(rec && *rec);
  EXPECT_FALSE((*rec)->block);
  EXPECT_EQ((*rec)->raw, tx);
  EXPECT_EQ((*rec)->kind, static_cast<std::uint8_t>(BaseTxKind::transfer));
  EXPECT_EQ((*rec)->sender, alice().public_key());
  // The hash is the base tx hash of tx.hpp.
  EXPECT_EQ(s->hash, base_tx_hash(kBase, *decode_base_tx(tx)));
  // Logs of pending txs are not visible yet.
  auto logs = this->chain().logs(LogFilter{BlockNumber(0), BlockNumber(10), {}, {}, {}});
  ASSERT_TRUE(logs);
  EXPECT_TRUE(logs->empty());

  this->wall_ += 5;
  auto b = this->chain().seal_block();
  ASSERT_TRUE(b) << describe(b.error());
  EXPECT_EQ(b->number, BlockNumber(1));
  EXPECT_EQ(b->timestamp, ChainTime(kStart + 5));
  const std::vector<Hash32> hashes = {s->hash};
  EXPECT_EQ(b->tx_root, blake2b256(s->hash.view()));
  EXPECT_EQ(b->tx_root, block_tx_root(hashes));
  auto genesis = this->chain().block(BlockNumber(0));
  EXPECT_EQ(b->parent_hash, (*genesis)->header.hash);
  EXPECT_EQ(b->hash, block_hash(b->number, b->timestamp, b->parent_hash, b->tx_root));
  rec = this->chain().transaction(s->hash);
  EXPECT_EQ((*rec)->block, std::optional<BlockNumber>(BlockNumber(1)));
  EXPECT_EQ((*rec)->index, std::optional<std::uint32_t>(0));
  logs = this->chain().logs(LogFilter{BlockNumber(0), BlockNumber(10), {}, {}, {}});
  ASSERT_EQ(logs->size(), 1u);
  EXPECT_EQ((*logs)[0].module, "chain");
  EXPECT_EQ((*logs)[0].event, "Transfer");
  EXPECT_EQ((*logs)[0].block, std::optional<BlockNumber>(BlockNumber(1)));
}

TYPED_TEST(ChainCoreTest, BlocksHoldTheirTxsInSubmissionOrder) {
  std::vector<Hash32> hashes;
  hashes.reserve(4);
  for (int i = 0; i < 3; ++i)
    hashes.push_back(this->ok(alice(), TransferBody{bob().public_key(), Amount(1)}).hash);
  hashes.push_back(this->ok(bob(), TransferBody{alice().public_key(), Amount(2)}).hash);
  auto b = this->chain().seal_block();
  ASSERT_TRUE(b);
  auto blk = this->chain().block(b->number);
  ASSERT_TRUE(blk && *blk);
  EXPECT_EQ((*blk)->txs, hashes);
  EXPECT_EQ(b->tx_root, block_tx_root(hashes));
  // Empty blocks too, each linked to the last.
  auto e = this->chain().seal_block();
  ASSERT_TRUE(e);
  EXPECT_EQ(e->parent_hash, b->hash);
  EXPECT_EQ(e->tx_root, blake2b256({}));
  EXPECT_FALSE(*this->chain().block(BlockNumber(99)));
}

TYPED_TEST(ChainCoreTest, WrongNoncesAreRefusedWithExpectedAndGot) {
  this->ok(alice(), TransferBody{bob().public_key(), Amount(1)});
  const std::string before = this->dump();
  for (std::uint64_t n : {0ull, 2ull, 1000ull}) {
    auto r = this->chain().submit(this->wire(alice(), TransferBody{bob().public_key(), Amount(1)}, Nonce(n)));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ChainErrorCode::wrong_nonce);
    EXPECT_EQ(r.error().expected_nonce, Nonce(1));
    EXPECT_EQ(r.error().got_nonce, Nonce(n));
    EXPECT_NE(r.error().message.find("expected 1, got " + std::to_string(n)), std::string::npos)
        << r.error().message;
  }
  EXPECT_EQ(this->dump(), before);
}

TYPED_TEST(ChainCoreTest, ReplayingAnExecutedTxIsAWrongNonce) {
  const Bytes tx = this->wire(alice(), TransferBody{bob().public_key(), Amount(7)});
  ASSERT_TRUE(this->chain().submit(tx));
  EXPECT_TRUE(this->refused_unchanged(tx, ChainErrorCode::wrong_nonce));
  ASSERT_TRUE(this->chain().seal_block());
  EXPECT_TRUE(this->refused_unchanged(tx, ChainErrorCode::wrong_nonce));
}

TYPED_TEST(ChainCoreTest, InsufficientFundsChangeNothing) {
  EXPECT_TRUE(this->refused_unchanged(this->wire(bob(), TransferBody{alice().public_key(), Amount(500'001)}),
                                      ChainErrorCode::insufficient_funds));
  EXPECT_TRUE(this->refused_unchanged(this->wire(eve(), TransferBody{alice().public_key(), Amount(1)}),
                                      ChainErrorCode::insufficient_funds));
  // The whole balance is fine.
  this->ok(bob(), TransferBody{alice().public_key(), Amount(500'000)});
  EXPECT_EQ(this->balance(bob().public_key()), Amount(0));
}

TYPED_TEST(ChainCoreTest, BadSignaturesAndMalformedTxsChangeNothing) {
  Bytes tx = this->wire(alice(), TransferBody{bob().public_key(), Amount(1)});
  Bytes forged = tx;
  forged.back() ^= 1;
  EXPECT_TRUE(this->refused_unchanged(forged, ChainErrorCode::invalid_signature));
  // Signed for another base chain.
  BaseTx other{alice().public_key(), Nonce(0), TransferBody{bob().public_key(), Amount(1)}, {}};
  sign_base_tx(other, ChainId(1), alice());
  EXPECT_TRUE(this->refused_unchanged(encode_base_tx(other), ChainErrorCode::invalid_signature));
  // The amount changed after signing.
  Bytes tampered = tx;
  tampered[32 + 8 + 1 + 32] ^= 1;
  EXPECT_TRUE(this->refused_unchanged(tampered, ChainErrorCode::invalid_signature));

  EXPECT_TRUE(this->refused_unchanged(Bytes{}, ChainErrorCode::malformed_tx));
  EXPECT_TRUE(this->refused_unchanged(Bytes(tx.begin(), tx.end() - 1), ChainErrorCode::malformed_tx));
  Bytes trailing = tx;
  trailing.push_back(0);
  EXPECT_TRUE(this->refused_unchanged(trailing, ChainErrorCode::malformed_tx));
  Bytes unknown_kind = tx;
  unknown_kind[40] = 9;
  EXPECT_TRUE(this->refused_unchanged(unknown_kind, ChainErrorCode::malformed_tx));
  EXPECT_TRUE(this->chain().submit(tx));
}

TYPED_TEST(ChainCoreTest, TimestampsNeverDecreaseAndAdvanceTimeMovesChainTime) {
  this->wall_ = kStart + 100;
  auto b1 = this->chain().seal_block();
  ASSERT_TRUE(b1);
  EXPECT_EQ(b1->timestamp, ChainTime(kStart + 100));
  this->wall_ = kStart + 50;  // the wall clock steps back
  EXPECT_EQ(this->chain().now(), ChainTime(kStart + 100));
  auto b2 = this->chain().seal_block();
  ASSERT_TRUE(b2);
  EXPECT_EQ(b2->timestamp, ChainTime(kStart + 100));
  auto b3 = this->chain().advance_time(ChainDuration(3600));
  ASSERT_TRUE(b3);
  EXPECT_EQ(b3->number, BlockNumber(3));
  EXPECT_EQ(b3->timestamp, ChainTime(kStart + 50 + 3600));
  EXPECT_EQ(this->chain().now(), ChainTime(kStart + 50 + 3600));
  this->wall_ += 10;
  EXPECT_EQ(this->chain().now(), ChainTime(kStart + 60 + 3600));
  EXPECT_FALSE(this->chain().advance_time(ChainDuration(kMaxWindowSeconds + 1)));
}

TYPED_TEST(ChainCoreTest, InjectedFaultsLeaveEverythingAsItWas) {
  const Bytes tx = this->wire(alice(), TransferBody{bob().public_key(), Amount(5)});
  for (const char* point : {"chain:submit", "db:commit"}) {
    this->chain().set_fault_hook([point](std::string_view p) -> std::optional<DbError> {
      if (p == point) return DbError{-1, "injected"};
      return std::nullopt;
    });
    EXPECT_TRUE(this->refused_unchanged(tx, ChainErrorCode::storage)) << point;
  }
  this->chain().set_fault_hook({});
  auto s = this->chain().submit(tx);
  ASSERT_TRUE(s);
  // A failed seal leaves the tx pending and the head where it was.
  const std::string before = this->dump();
  const BlockHeader head = this->chain().head();
  this->chain().set_fault_hook([](std::string_view p) -> std::optional<DbError> {
    if (p == "chain:seal") return DbError{-1, "injected"};
    return std::nullopt;
  });
  EXPECT_FALSE(this->chain().seal_block());
  EXPECT_EQ(this->dump(), before);
  EXPECT_EQ(this->chain().head(), head);
  EXPECT_FALSE(this->chain().advance_time(ChainDuration(10)));
  this->chain().set_fault_hook([](std::string_view p) -> std::optional<DbError> {
    if (p == "chain:fund") return DbError{-1, "injected"};
    return std::nullopt;
  });
  EXPECT_FALSE(this->chain().fund(eve().public_key(), Amount(5)));
  EXPECT_EQ(this->balance(eve().public_key()), Amount(0));
  this->chain().set_fault_hook({});
  auto b = this->chain().seal_block();
  ASSERT_TRUE(b);
  EXPECT_EQ((*this->chain().block(b->number))->txs, std::vector<Hash32>{s->hash});
}

TYPED_TEST(ChainCoreTest, AutomineSealsEachTxInItsOwnBlock) {
  auto o = this->options(":memory:");
  o.automine = true;
  this->open(o);
  auto s1 = this->ok(alice(), TransferBody{bob().public_key(), Amount(1)});
  auto s2 = this->ok(alice(), TransferBody{bob().public_key(), Amount(1)});
  EXPECT_EQ(s1.block, std::optional<BlockNumber>(BlockNumber(1)));
  EXPECT_EQ(s2.block, std::optional<BlockNumber>(BlockNumber(2)));
  EXPECT_EQ(this->chain().head().number, BlockNumber(2));
  auto f = this->chain().fund(eve().public_key(), Amount(9));
  ASSERT_TRUE(f);
  EXPECT_EQ(f->block, std::optional<BlockNumber>(BlockNumber(3)));
}

TYPED_TEST(ChainCoreTest, DevFundingMintsWithinTheSupplyCap) {
  auto f = this->chain().fund(eve().public_key(), Amount(42));
  ASSERT_TRUE(f);
  EXPECT_EQ(this->balance(eve().public_key()), Amount(42));
  auto rec = this->chain().transaction(f->hash);
  ASSERT_TRUE(rec && *rec);
  EXPECT_EQ((*rec)->kind, kDevFundKind);
  EXPECT_EQ((*rec)->sender, PublicKey());
  // Two equal fundings are two records with different hashes.
  auto g = this->chain().fund(eve().public_key(), Amount(42));
  ASSERT_TRUE(g);
  EXPECT_NE(g->hash, f->hash);
  auto zero = this->chain().fund(eve().public_key(), Amount(0));
  ASSERT_FALSE(zero);
  EXPECT_EQ(zero.error().reason, core_refusal::kZeroAmount.name);
  auto over = this->chain().fund(eve().public_key(), kMaxSupply);
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().reason, core_refusal::kOverflow.name);
  EXPECT_EQ(this->balance(eve().public_key()), Amount(84));
}

// ---- file only: reopening and snapshots -------------------------------------------------------

class ChainFileTest : public ::testing::Test, public ChainFixture {
 protected:
  TempDir dir_;
  std::string path() const { return dir_.file("chain.db"); }
};

TEST_F(ChainFileTest, ReopenContinuesTheChainAndSealsPendingTxs) {
  open(options(path()));
  ok(alice(), TransferBody{bob().public_key(), Amount(10)});
  ASSERT_TRUE(chain().seal_block());
  auto pending = ok(alice(), TransferBody{bob().public_key(), Amount(20)});
  ASSERT_TRUE(chain().advance_time(ChainDuration(100)));  // seals the second tx in block 2
  auto late = ok(bob(), TransferBody{alice().public_key(), Amount(1)});
  const BlockHeader head = chain().head();
  const std::string before = dump();

  open(options(path()));
  EXPECT_EQ(chain().head(), head);
  EXPECT_EQ(dump(), before);
  EXPECT_EQ(chain().now(), ChainTime(kStart + 100));  // the offset persisted
  EXPECT_EQ(*chain().transaction(pending.hash).value()->block, BlockNumber(2));
  EXPECT_FALSE(chain().transaction(late.hash).value()->block);
  auto b = chain().seal_block();
  ASSERT_TRUE(b);
  EXPECT_EQ(b->parent_hash, head.hash);
  EXPECT_EQ((*chain().block(b->number))->txs, std::vector<Hash32>{late.hash});
  EXPECT_EQ(next_nonce(alice().public_key()), Nonce(2));

  // With automine, a pending tx left by a previous run is sealed at once.
  auto again = ok(alice(), TransferBody{bob().public_key(), Amount(1)});
  auto o = options(path());
  o.automine = true;
  open(o);
  EXPECT_EQ(chain().head().number, BlockNumber(b->number.value() + 1));
  EXPECT_TRUE(chain().transaction(again.hash).value()->block);
}

TEST_F(ChainFileTest, ADatabaseOfAnotherChainIsRefused) {
  open(options(path()));
  auto o = options(path());
  o.chain_id = ChainId(1);
  auto other = BaseChain::open(o, standard_modules());
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().code, ChainErrorCode::wrong_chain);
}

TEST_F(ChainFileTest, ANewerSchemaIsRefused) {
  open(options(path()));
  EXPECT_TRUE(chain().read([](const ChainView& v) { return v.store.db().exec("PRAGMA user_version = 99"); }));
  auto again = BaseChain::open(options(path()), standard_modules());
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ChainErrorCode::schema_too_new);
}

TEST_F(ChainFileTest, GenesisAllocationsMustBeDistinctAndFitTheSupply) {
  auto o = options(path());
  o.genesis_alloc.push_back({alice().public_key(), Amount(1)});
  auto twice = BaseChain::open(o, standard_modules());
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().code, ChainErrorCode::bad_options);
  o = options(path());
  o.genesis_alloc.push_back({eve().public_key(), kMaxSupply});
  auto over = BaseChain::open(o, standard_modules());
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().code, ChainErrorCode::bad_options);
}

TEST_F(ChainFileTest, SnapshotAndRevertRestoreTheWholeChain) {
  auto o = options(path());
  o.snapshot_dir = dir_.file("snapshots");
  open(o);
  register_rollup(kRollupA, carol());
  ok(alice(), DepositBody{kRollupA, alice().public_key(), Amount(100)});
  ASSERT_TRUE(chain().seal_block());
  const std::string before = dump();
  const BlockHeader head = chain().head();
  auto id = chain().snapshot();
  ASSERT_TRUE(id) << describe(id.error());
  EXPECT_EQ(*id, 1u);
  ok(alice(), DepositBody{kRollupA, alice().public_key(), Amount(200)});
  ASSERT_TRUE(chain().advance_time(ChainDuration(500)));
  auto later = chain().snapshot();
  ASSERT_TRUE(later);
  EXPECT_EQ(*later, 2u);
  ASSERT_TRUE(chain().revert(*id));
  EXPECT_EQ(dump(), before);
  EXPECT_EQ(chain().head(), head);
  EXPECT_EQ(rollup(kRollupA).locked, Amount(100));
  // Used up, with the later one.
  EXPECT_EQ(chain().revert(*id).error().code, ChainErrorCode::not_found);
  EXPECT_EQ(chain().revert(*later).error().code, ChainErrorCode::not_found);
  // The chain goes on from the snapshot.
  ok(alice(), DepositBody{kRollupA, alice().public_key(), Amount(1)});
  EXPECT_EQ(rollup(kRollupA).deposit_count, 2u);
  auto third = chain().snapshot();
  ASSERT_TRUE(third);
  EXPECT_EQ(*third, 3u);  // ids are not reused
}

TEST(ChainSnapshots, NeedAFileAndADirectory) {
  ChainFixture f;
  f.open(f.options(":memory:"));
  EXPECT_EQ(f.chain().snapshot().error().code, ChainErrorCode::unavailable);
}

// ---- schema constraints -------------------------------------------------------------------

class ChainSchemaTest : public ::testing::Test, public ChainFixture {
 protected:
  void SetUp() override {
    open(options(":memory:"));
    register_rollup(kRollupA, carol());
    ok(alice(), DepositBody{kRollupA, alice().public_key(), Amount(100)});
    ok(carol(), CommitBatchBody{make_commit(kRollupA, 1, genesis_root(), filled(1), {}, 1, 0)});
    ASSERT_TRUE(chain().seal_block());
  }
  ::testing::AssertionResult rejects(const std::string& sql) {
    auto s = chain().read([&](const ChainView& v) { return v.store.db().exec(sql); });
    if (s) return ::testing::AssertionFailure() << "accepted: " << sql;
    return ::testing::AssertionSuccess() << s.error().message;
  }
  ::testing::AssertionResult accepts(const std::string& sql) {
    auto s = chain().read([&](const ChainView& v) { return v.store.db().exec(sql); });
    if (!s) return ::testing::AssertionFailure() << s.error().message << ": " << sql;
    return ::testing::AssertionSuccess();
  }
  std::string tx_hash() {
    return chain().read([](const ChainView& v) {
      auto q = v.store.query("SELECT hex(hash) FROM txs LIMIT 1");
      EXPECT_TRUE(*q->next());
      return q->row().column_text(0);
    });
  }
};

TEST_F(ChainSchemaTest, BlocksOnlyExtendTheHead) {
  const std::string z = "zeroblob(32)";
  EXPECT_TRUE(rejects("INSERT INTO blocks VALUES (7, 1, " + z + ", " + z + ", randomblob(32))"));
  EXPECT_TRUE(
      rejects("INSERT INTO blocks VALUES (2, 1, " + z + ", " + z + ", randomblob(32))"));  // wrong parent
  EXPECT_TRUE(rejects("INSERT INTO blocks SELECT 2, timestamp - 1, hash, " + z +
                      ", randomblob(32) FROM blocks WHERE number = 1"));  // older
  EXPECT_TRUE(rejects(
      "INSERT INTO blocks SELECT 2, timestamp, hash, x'00', randomblob(32) FROM blocks WHERE number = 1"));
  EXPECT_TRUE(rejects("UPDATE blocks SET timestamp = timestamp + 1 WHERE number = 1"));
  EXPECT_TRUE(rejects("DELETE FROM blocks WHERE number = 1"));
  EXPECT_TRUE(accepts("INSERT INTO blocks SELECT 2, timestamp, hash, " + z +
                      ", randomblob(32) FROM blocks WHERE number = 1"));
}

TEST_F(ChainSchemaTest, AccountsTxsAndLogsCheckTheirColumns) {
  EXPECT_TRUE(rejects("INSERT INTO accounts VALUES (randomblob(32), -1, 0)"));
  EXPECT_TRUE(rejects("INSERT INTO accounts VALUES (randomblob(31), 1, 0)"));
  EXPECT_TRUE(rejects("INSERT INTO accounts VALUES (randomblob(32), 'one', 0)"));  // STRICT: no text
  EXPECT_TRUE(rejects("INSERT INTO accounts VALUES (randomblob(32), 1.5, 0)"));
  EXPECT_TRUE(
      rejects("INSERT INTO txs (hash, sender, nonce, kind, raw) VALUES (randomblob(32), randomblob(32), 0, "
              "256, x'00')"));  // a kind is a byte (any module's, so the core lists none)
  EXPECT_TRUE(
      rejects("INSERT INTO txs (hash, sender, nonce, kind, raw) VALUES (randomblob(32), randomblob(32), -1, "
              "1, x'00')"));
  EXPECT_TRUE(
      rejects("INSERT INTO txs (hash, block, sender, nonce, kind, raw) VALUES (randomblob(32), 1, "
              "randomblob(32), 0, 1, x'00')"));  // block without idx
  EXPECT_TRUE(
      rejects("INSERT INTO txs (hash, block, idx, sender, nonce, kind, raw) VALUES (randomblob(32), 99, 0, "
              "randomblob(32), 0, 1, x'00')"));                            // no such block
  EXPECT_TRUE(rejects("UPDATE txs SET idx = 5 WHERE block IS NOT NULL"));  // sealed txs are immutable
  // One tx per (sender, nonce): a replay can't even be stored.
  EXPECT_TRUE(
      rejects("INSERT INTO txs (hash, sender, nonce, kind, raw) SELECT randomblob(32), sender, nonce, kind, "
              "raw FROM txs WHERE kind = 3"));
  EXPECT_TRUE(rejects("INSERT INTO logs (tx_hash, log_index, module, event, data) VALUES (x'" + tx_hash() +
                      "', 9, 'm', 'e', 'not json')"));
  EXPECT_TRUE(rejects("INSERT INTO logs (tx_hash, log_index, module, event, data) VALUES (x'" + tx_hash() +
                      "', 9, 'm', 'e', '[1]')"));
  EXPECT_TRUE(
      rejects("INSERT INTO logs (tx_hash, log_index, module, event, data) VALUES (randomblob(32), 0, 'm', "
              "'e', '{}')"));
  EXPECT_TRUE(accepts("INSERT INTO logs (tx_hash, log_index, module, event, data) VALUES (x'" + tx_hash() +
                      "', 9, 'm', 'e', '{}')"));
  EXPECT_TRUE(rejects("INSERT INTO meta VALUES (1, 1, 0, 0)"));
  EXPECT_TRUE(rejects("UPDATE meta SET time_offset_s = -1"));
}

TEST_F(ChainSchemaTest, ModuleTablesCheckTheirRows) {
  const std::string h = "x'" + tx_hash() + "'";
  // Queues append in order.
  EXPECT_TRUE(rejects("INSERT INTO deposits VALUES (7, 5, randomblob(32), 1, 1700000000, " + h + ")"));
  EXPECT_TRUE(rejects("INSERT INTO deposits VALUES (7, 1, randomblob(32), 0, 1700000000, " + h + ")"));
  EXPECT_TRUE(rejects("INSERT INTO deposits VALUES (7, 1, randomblob(32), 1, 1, " + h + ")"));  // older
  EXPECT_TRUE(
      rejects("INSERT INTO deposits VALUES (9, 0, randomblob(32), 1, 1700000000, " + h + ")"));  // no rollup
  EXPECT_TRUE(rejects("INSERT INTO forced_txs VALUES (7, 0, x'02', 1700000000, " + h + ")"));
  EXPECT_TRUE(
      rejects("INSERT INTO forced_txs VALUES (7, 0, zeroblob(97), 1700000000, " + h + ")"));  // a deposit tag
  // Commitments are numbered without gaps.
  EXPECT_TRUE(
      rejects("INSERT INTO commitments SELECT rollup_id, 3, prev_root, new_root, applied_txs, payload_hash, "
              "deposits_upto, forced_upto, mode, payload, posted_at, randomblob(32) FROM commitments"));
  EXPECT_TRUE(
      rejects("INSERT INTO commitments SELECT rollup_id, 2, prev_root, new_root, applied_txs, payload_hash, "
              "deposits_upto, forced_upto, 2, payload, posted_at, " +
              h + " FROM commitments"));
  EXPECT_TRUE(rejects("UPDATE rollups SET locked = -5"));
  EXPECT_TRUE(rejects("UPDATE rollups SET inclusion_deadline_s = 0"));
  EXPECT_TRUE(accepts("INSERT INTO withdrawals VALUES (7, randomblob(32), 5)"));
  EXPECT_TRUE(rejects("UPDATE withdrawals SET paid = 4"));  // paid only grows
  EXPECT_TRUE(rejects("INSERT INTO withdrawals VALUES (7, randomblob(32), 0)"));
}

// ---- modules ------------------------------------------------------------------------------

class ModulesTest : public ::testing::Test, public ChainFixture {
 protected:
  void SetUp() override { open(options(":memory:")); }
};

TEST_F(ModulesTest, RegistryRecordsTheRollupOnce) {
  register_rollup(kRollupA, carol(), 3600, 600);
  bridge::RollupEntry r = rollup(kRollupA);
  EXPECT_EQ(r.sequencer, carol().public_key());
  EXPECT_EQ(r.operator_key, operator_key());
  EXPECT_EQ(r.genesis_root, genesis_root());
  EXPECT_EQ(r.challenge_window_s, ChainDuration(3600));
  EXPECT_EQ(r.inclusion_deadline_s, ChainDuration(600));
  EXPECT_EQ(r.last_batch, BatchNumber(0));
  EXPECT_EQ(r.last_root, genesis_root());
  EXPECT_EQ(r.last_final, BatchNumber(0));
  EXPECT_EQ(r.locked, Amount(0));
  EXPECT_TRUE(refused(
      dave(),
      RegisterRollupBody{kRollupA, operator_key(), genesis_root(), ChainDuration(1), ChainDuration(1)},
      registry::kRollupExists));
  EXPECT_TRUE(refused(
      dave(),
      RegisterRollupBody{kRollupB, operator_key(), genesis_root(), ChainDuration(1), ChainDuration(0)},
      registry::kBadWindow));
  EXPECT_TRUE(refused(dave(),
                      RegisterRollupBody{kRollupB, operator_key(), genesis_root(),
                                         ChainDuration(kMaxWindowSeconds + 1), ChainDuration(1)},
                      registry::kBadWindow));
  EXPECT_TRUE(refused(dave(),
                      RegisterRollupBody{kRollupB, operator_key(), genesis_root(), ChainDuration(1),
                                         ChainDuration(kMaxWindowSeconds + 1)},
                      registry::kBadWindow));
  // Rollup ids are u64: the top bit is fine.
  const ChainId big(0xFFFF'FFFF'FFFF'FFFFull);
  register_rollup(big, dave(), 0, 1);
  EXPECT_EQ(rollup(big).rollup_id, big);
  ASSERT_TRUE(chain().seal_block());
  auto logs = chain().logs(LogFilter{BlockNumber(0), BlockNumber(5), std::string("registry"),
                                     std::string("RollupRegistered"), big});
  ASSERT_TRUE(logs);
  ASSERT_EQ(logs->size(), 1u);
  EXPECT_EQ((*logs)[0].rollup_id, std::optional<ChainId>(big));
}

TEST_F(ModulesTest, DepositsQueuePerRollupAndLockFunds) {
  register_rollup(kRollupA, carol());
  register_rollup(kRollupB, dave());
  ok(alice(), DepositBody{kRollupA, alice().public_key(), Amount(300)});
  wall_ += 10;
  ok(bob(), DepositBody{kRollupA, eve().public_key(), Amount(50)});
  ok(alice(), DepositBody{kRollupB, bob().public_key(), Amount(7)});
  EXPECT_EQ(balance(alice().public_key()), Amount(1'000'000 - 307));
  EXPECT_EQ(rollup(kRollupA).locked, Amount(350));
  EXPECT_EQ(rollup(kRollupA).deposit_count, 2u);
  EXPECT_EQ(rollup(kRollupB).locked, Amount(7));
  EXPECT_EQ(rollup(kRollupB).deposit_count, 1u);
  auto list = chain().read(
      [](const ChainView& v) { return bridge::list_deposits(v, kRollupA, DepositPosition(0), 10); });
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].index, DepositPosition(0));
  EXPECT_EQ((*list)[0].recipient, alice().public_key());
  EXPECT_EQ((*list)[0].amount, Amount(300));
  EXPECT_EQ((*list)[0].timestamp, ChainTime(kStart));
  EXPECT_EQ((*list)[1].index, DepositPosition(1));
  EXPECT_EQ((*list)[1].timestamp, ChainTime(kStart + 10));
  auto page = chain().read(
      [](const ChainView& v) { return bridge::list_deposits(v, kRollupA, DepositPosition(1), 10); });
  ASSERT_EQ(page->size(), 1u);
  EXPECT_EQ((*page)[0].recipient, eve().public_key());
  auto b = chain().read(
      [](const ChainView& v) { return bridge::list_deposits(v, kRollupB, DepositPosition(0), 10); });
  ASSERT_EQ(b->size(), 1u);
  EXPECT_EQ((*b)[0].index, DepositPosition(0));
  EXPECT_TRUE(chain()
                  .read([](const ChainView& v) {
                    return bridge::list_deposits(v, ChainId(99), DepositPosition(0), 10);
                  })
                  ->empty());

  EXPECT_TRUE(
      refused(alice(), DepositBody{kRollupA, alice().public_key(), Amount(0)}, core_refusal::kZeroAmount));
  EXPECT_TRUE(
      refused(alice(), DepositBody{ChainId(99), alice().public_key(), Amount(1)}, registry::kUnknownRollup));
  EXPECT_TRUE(refused_unchanged(wire(eve(), DepositBody{kRollupA, eve().public_key(), Amount(1)}),
                                ChainErrorCode::insufficient_funds));
}

TEST_F(ModulesTest, ForcedTxsMustBeSignedByTheSenderForThatRollup) {
  register_rollup(kRollupA, carol());
  register_rollup(kRollupB, dave());
  const rollup::Tx w = make_withdraw(kRollupA, alice(), 1, 10, 0, 0);
  const rollup::Tx t = make_transfer(kRollupA, alice(), 1, 2, 5, 1, 1);
  ok(alice(), ForceTxBody{kRollupA, w});
  wall_ += 3;
  ok(alice(), ForceTxBody{kRollupA, t});
  auto list = chain().read(
      [](const ChainView& v) { return bridge::list_forced(v, kRollupA, ForcedPosition(0), 10); });
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].tx, w);
  EXPECT_EQ((*list)[1].tx, t);
  EXPECT_EQ((*list)[1].index, ForcedPosition(1));
  EXPECT_EQ((*list)[1].timestamp, ChainTime(kStart + 3));
  EXPECT_EQ(rollup(kRollupA).forced_count, 2u);
  EXPECT_EQ(rollup(kRollupB).forced_count, 0u);
  // Someone else's tx, and alice's tx for rollup A forced into rollup B.
  EXPECT_TRUE(refused(bob(), ForceTxBody{kRollupA, w}, bridge::kBadTxSignature));
  EXPECT_TRUE(refused(alice(), ForceTxBody{kRollupB, w}, bridge::kBadTxSignature));
  EXPECT_TRUE(refused(alice(), ForceTxBody{ChainId(99), w}, registry::kUnknownRollup));
}

TEST_F(ModulesTest, CommitmentsChainPerRollup) {
  register_rollup(kRollupA, carol());
  register_rollup(kRollupB, dave());
  ok(alice(), DepositBody{kRollupA, alice().public_key(), Amount(1000)});
  const std::vector<rollup::Tx> txs = {make_withdraw(kRollupA, alice(), 1, 100, 1, 0),
                                       make_transfer(kRollupA, alice(), 1, 0, 5, 0, 1)};
  const Commitment c1 = make_commit(kRollupA, 1, genesis_root(), filled(1), txs, 1, 0);
  auto s = ok(carol(), CommitBatchBody{c1});
  ok(dave(), CommitBatchBody{make_commit(kRollupB, 1, genesis_root(), filled(0xb1), {}, 0, 0)});
  ok(carol(), CommitBatchBody{make_commit(kRollupA, 2, filled(1), filled(2), {}, 1, 0)});
  bridge::RollupEntry a = rollup(kRollupA);
  EXPECT_EQ(a.last_batch, BatchNumber(2));
  EXPECT_EQ(a.last_root, filled(2));
  EXPECT_EQ(rollup(kRollupB).last_root, filled(0xb1));
  auto e = commitment(kRollupA, 1, true);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->commitment, c1);
  EXPECT_EQ(e->posted_at, ChainTime(kStart));
  EXPECT_EQ(e->tx_hash, s.hash);
  EXPECT_FALSE(e->block);
  EXPECT_FALSE(e->is_final);
  EXPECT_EQ(e->final_at, ChainTime(kStart + 3600));
  auto without = commitment(kRollupA, 1, false);
  EXPECT_TRUE(without->commitment.payload.empty());
  EXPECT_EQ(without->commitment.header, c1.header);
  ASSERT_TRUE(chain().seal_block());
  EXPECT_EQ(commitment(kRollupA, 1)->block, std::optional<BlockNumber>(BlockNumber(1)));
  EXPECT_FALSE(commitment(kRollupA, 3));
  EXPECT_FALSE(commitment(ChainId(99), 1));
  auto logs =
      chain().logs(LogFilter{BlockNumber(1), BlockNumber(1), std::string("commitments"), {}, kRollupA});
  ASSERT_TRUE(logs);
  EXPECT_EQ(logs->size(), 2u);
}

TEST_F(ModulesTest, EveryCommitmentRuleRefusesAndChangesNothing) {
  register_rollup(kRollupA, carol());
  register_rollup(kRollupB, dave());
  ok(alice(), DepositBody{kRollupA, alice().public_key(), Amount(1000)});
  ok(alice(), ForceTxBody{kRollupA, make_withdraw(kRollupA, alice(), 1, 10, 0, 0)});
  const std::vector<rollup::Tx> txs = {make_withdraw(kRollupA, alice(), 1, 100, 1, 0)};
  const Hash32 g = genesis_root();
  auto good = [&] { return make_commit(kRollupA, 1, g, filled(1), txs, 1, 1); };

  Commitment c = good();
  c.header.rollup_id = ChainId(99);
  EXPECT_TRUE(refused(carol(), CommitBatchBody{c}, registry::kUnknownRollup));
  EXPECT_TRUE(refused(dave(), CommitBatchBody{good()}, commitments::kNotSequencer));
  c = good();
  c.header.mode = SettlementMode::validity;
  EXPECT_TRUE(refused(carol(), CommitBatchBody{c}, commitments::kModeUnsupported));
  c = good();
  c.header.batch = BatchNumber(2);
  EXPECT_TRUE(refused(carol(), CommitBatchBody{c}, commitments::kWrongBatch));
  c.header.batch = BatchNumber(0);
  EXPECT_TRUE(refused(carol(), CommitBatchBody{c}, commitments::kWrongBatch));
  c = good();
  c.header.prev_root = filled(9);
  EXPECT_TRUE(refused(carol(), CommitBatchBody{c}, commitments::kWrongPrevRoot));
  c = good();
  c.header.payload_hash = filled(3);
  EXPECT_TRUE(refused(carol(), CommitBatchBody{c}, commitments::kPayloadHashMismatch));
  c = good();
  c.payload = {1, 2, 3};
  c.header.payload_hash = payload_hash(c.payload);
  EXPECT_TRUE(refused(carol(), CommitBatchBody{c}, commitments::kBadPayload));
  c = good();
  c.header.applied_txs = 2;
  EXPECT_TRUE(refused(carol(), CommitBatchBody{c}, commitments::kAppliedCountMismatch));
  c = good();
  c.header.deposits_upto = DepositPosition(2);
  EXPECT_TRUE(refused(carol(), CommitBatchBody{c}, bridge::kQueueOverrun));
  c = good();
  c.header.forced_upto = ForcedPosition(2);
  EXPECT_TRUE(refused(carol(), CommitBatchBody{c}, bridge::kQueueOverrun));

  ok(carol(), CommitBatchBody{good()});
  c = make_commit(kRollupA, 2, filled(1), filled(2), {}, 0, 1);
  EXPECT_TRUE(refused(carol(), CommitBatchBody{c}, bridge::kQueueRegress));
  c = make_commit(kRollupA, 2, filled(1), filled(2), {}, 1, 0);
  EXPECT_TRUE(refused(carol(), CommitBatchBody{c}, bridge::kQueueRegress));
  c = make_commit(kRollupA, 2, g, filled(2), {}, 1, 1);
  EXPECT_TRUE(refused(carol(), CommitBatchBody{c}, commitments::kWrongPrevRoot));
  ok(carol(), CommitBatchBody{make_commit(kRollupA, 2, filled(1), filled(2), {}, 1, 1)});
}

TEST_F(ModulesTest, QueuedEntriesPastTheInclusionDeadlineMustBeConsumed) {
  register_rollup(kRollupA, carol(), 3600, 600);
  ok(alice(), DepositBody{kRollupA, alice().public_key(), Amount(10)});  // t0
  ASSERT_TRUE(chain().advance_time(ChainDuration(300)));
  ok(alice(), DepositBody{kRollupA, alice().public_key(), Amount(20)});          // t0 + 300
  ok(bob(), ForceTxBody{kRollupA, make_withdraw(kRollupA, bob(), 2, 1, 0, 0)});  // t0 + 300
  auto commit = [&](std::uint64_t batch, std::uint64_t deposits, std::uint64_t forced) {
    const Hash32 prev = batch == 1 ? genesis_root() : filled(static_cast<std::uint8_t>(batch - 1));
    return CommitBatchBody{
        make_commit(kRollupA, batch, prev, filled(static_cast<std::uint8_t>(batch)), {}, deposits, forced)};
  };
  // At t0 + 599 nothing is due yet: a batch may consume nothing.
  ASSERT_TRUE(chain().advance_time(ChainDuration(299)));
  ok(carol(), commit(1, 0, 0));
  // At t0 + 600 the first deposit is due.
  ASSERT_TRUE(chain().advance_time(ChainDuration(1)));
  EXPECT_TRUE(refused(carol(), commit(2, 0, 0), bridge::kDepositDeadlineMissed));
  ok(carol(), commit(2, 1, 0));
  // At t0 + 900 the second deposit and the forced tx are due too.
  ASSERT_TRUE(chain().advance_time(ChainDuration(300)));
  EXPECT_TRUE(refused(carol(), commit(3, 1, 1), bridge::kDepositDeadlineMissed));
  EXPECT_TRUE(refused(carol(), commit(3, 2, 0), bridge::kForcedDeadlineMissed));
  ok(carol(), commit(3, 2, 1));
  // A new entry is not due before its own deadline (the wall clock moves too).
  ok(alice(), DepositBody{kRollupA, alice().public_key(), Amount(30)});
  wall_ += 599;
  ok(carol(), commit(4, 2, 1));
  wall_ += 1;
  EXPECT_TRUE(refused(carol(), commit(5, 2, 1), bridge::kDepositDeadlineMissed));
  ok(carol(), commit(5, 3, 1));
}

TEST_F(ModulesTest, FinalityFollowsTheChallengeWindowInOrder) {
  register_rollup(kRollupA, carol(), 3600, 600);
  register_rollup(kRollupB, dave(), 60, 600);
  const Hash32 g = genesis_root();
  ok(carol(), CommitBatchBody{make_commit(kRollupA, 1, g, filled(1), {})});  // posted at t0
  ok(dave(), CommitBatchBody{make_commit(kRollupB, 1, g, filled(1), {})});
  wall_ += 100;
  ok(carol(), CommitBatchBody{make_commit(kRollupA, 2, filled(1), filled(2), {})});  // t0 + 100
  EXPECT_EQ(commitment(kRollupA, 2)->final_at, ChainTime(kStart + 3700));

  wall_ = kStart + 3599;
  EXPECT_FALSE(commitment(kRollupA, 1)->is_final);
  EXPECT_EQ(rollup(kRollupA).last_final, BatchNumber(0));
  EXPECT_EQ(rollup(kRollupB).last_final, BatchNumber(1));  // its own, shorter window
  wall_ = kStart + 3600;
  EXPECT_TRUE(commitment(kRollupA, 1)->is_final);
  EXPECT_FALSE(commitment(kRollupA, 2)->is_final);
  EXPECT_EQ(rollup(kRollupA).last_final, BatchNumber(1));
  ASSERT_TRUE(chain().advance_time(ChainDuration(100)));
  EXPECT_TRUE(commitment(kRollupA, 2)->is_final);
  EXPECT_EQ(rollup(kRollupA).last_final, BatchNumber(2));
  // Only the dispute module holds a batch back, and only while a game is open on it
  // (dispute_module_test.cpp).
  EXPECT_EQ(chain().modules().implementing<commitments::FinalityHold>().size(), 1u);
}

// A rollup state whose account 1 (alice) withdrew `withdrawn` in total.
struct WithdrawalState {
  rollup::Account leaf;
  Hash32 root;
  MerkleProof proof;
};
WithdrawalState withdrawal_state(std::uint64_t withdrawn, std::uint64_t balance = 500) {
  WithdrawalState s;
  SparseMerkleTree tree;
  tree.set_leaf(0,
                rollup::account_leaf_hash(rollup::Account{operator_key(), Amount(3), Nonce(0), Amount(0)}));
  s.leaf = rollup::Account{alice().public_key(), Amount(balance), Nonce(2), Amount(withdrawn)};
  tree.set_leaf(1, rollup::account_leaf_hash(s.leaf));
  tree.set_leaf(
      2, rollup::account_leaf_hash(rollup::Account{bob().public_key(), Amount(9), Nonce(0), Amount(0)}));
  s.root = tree.update_root();
  s.proof = tree.prove(1);
  return s;
}

TEST_F(ModulesTest, WithdrawalsArePaidOnceAgainstFinalRoots) {
  register_rollup(kRollupA, carol(), 3600, 600);
  register_rollup(kRollupB, dave(), 3600, 600);
  ok(alice(), DepositBody{kRollupA, alice().public_key(), Amount(1000)});
  ok(bob(), DepositBody{kRollupB, alice().public_key(), Amount(1000)});
  const WithdrawalState s1 = withdrawal_state(300);
  const std::vector<rollup::Tx> w = {make_withdraw(kRollupA, alice(), 1, 300, 0, 1)};
  ok(carol(), CommitBatchBody{make_commit(kRollupA, 1, genesis_root(), s1.root, w, 1, 0)});
  const FinalizeWithdrawalBody claim1{kRollupA, BatchNumber(1), s1.leaf, s1.proof};

  EXPECT_TRUE(refused(bob(), claim1, bridge::kNotFinal));
  EXPECT_TRUE(refused(bob(), FinalizeWithdrawalBody{kRollupA, BatchNumber(2), s1.leaf, s1.proof},
                      bridge::kNoCommitment));
  EXPECT_TRUE(refused(bob(), FinalizeWithdrawalBody{ChainId(99), BatchNumber(1), s1.leaf, s1.proof},
                      registry::kUnknownRollup));
  ASSERT_TRUE(chain().advance_time(ChainDuration(3600)));

  // Forged: a larger withdrawn total, or someone else's key, with the same proof.
  rollup::Account forged = s1.leaf;
  forged.withdrawn = Amount(900);
  EXPECT_TRUE(
      refused(bob(), FinalizeWithdrawalBody{kRollupA, BatchNumber(1), forged, s1.proof}, bridge::kBadProof));
  forged = s1.leaf;
  forged.pubkey = bob().public_key();
  EXPECT_TRUE(
      refused(bob(), FinalizeWithdrawalBody{kRollupA, BatchNumber(1), forged, s1.proof}, bridge::kBadProof));
  MerkleProof moved = s1.proof;
  moved.index = AccountIndex(2);
  EXPECT_TRUE(
      refused(bob(), FinalizeWithdrawalBody{kRollupA, BatchNumber(1), s1.leaf, moved}, bridge::kBadProof));
  // The right leaf under rollup B's roots is no proof either.
  EXPECT_TRUE(refused(bob(), FinalizeWithdrawalBody{kRollupB, BatchNumber(1), s1.leaf, s1.proof},
                      bridge::kNoCommitment));

  // Anyone may submit it; alice is paid.
  const Amount alice_before = balance(alice().public_key());
  const Amount bob_before = balance(bob().public_key());
  ok(bob(), claim1);
  EXPECT_EQ(balance(alice().public_key()), *alice_before.checked_add(Amount(300)));
  EXPECT_EQ(balance(bob().public_key()), bob_before);
  EXPECT_EQ(rollup(kRollupA).locked, Amount(700));
  EXPECT_EQ(rollup(kRollupB).locked, Amount(1000));
  EXPECT_EQ(*chain().read([](const ChainView& v) {
    return bridge::withdrawn_total(v, kRollupA, alice().public_key());
  }),
            Amount(300));
  EXPECT_EQ(*chain().read([](const ChainView& v) {
    return bridge::withdrawn_total(v, kRollupB, alice().public_key());
  }),
            Amount(0));
  // A second claim of the same proof.
  EXPECT_TRUE(refused(alice(), claim1, bridge::kNothingToClaim));

  // Batch 2: alice withdrew 200 more (500 in total). Its proof pays the difference; the
  // stale proof of batch 1 then has nothing left.
  const WithdrawalState s2 = withdrawal_state(500, 300);
  ok(carol(), CommitBatchBody{make_commit(kRollupA, 2, s1.root, s2.root, {}, 1, 0)});
  ASSERT_TRUE(chain().advance_time(ChainDuration(3600)));
  ok(alice(), FinalizeWithdrawalBody{kRollupA, BatchNumber(2), s2.leaf, s2.proof});
  EXPECT_EQ(rollup(kRollupA).locked, Amount(500));
  EXPECT_TRUE(refused(alice(), claim1, bridge::kNothingToClaim));
  EXPECT_TRUE(refused(alice(), FinalizeWithdrawalBody{kRollupA, BatchNumber(2), s2.leaf, s2.proof},
                      bridge::kNothingToClaim));
  ASSERT_TRUE(chain().seal_block());
  auto logs = chain().logs(LogFilter{BlockNumber(0), chain().head().number, std::string("bridge"),
                                     std::string("WithdrawalFinalized"), kRollupA});
  ASSERT_TRUE(logs);
  EXPECT_EQ(logs->size(), 2u);
}

TEST_F(ModulesTest, ABridgePaysNoMoreThanItHolds) {
  register_rollup(kRollupA, carol(), 0, 600);
  ok(alice(), DepositBody{kRollupA, alice().public_key(), Amount(100)});
  const WithdrawalState s = withdrawal_state(101);
  ok(carol(), CommitBatchBody{make_commit(kRollupA, 1, genesis_root(), s.root, {}, 1, 0)});
  EXPECT_TRUE(refused(alice(), FinalizeWithdrawalBody{kRollupA, BatchNumber(1), s.leaf, s.proof},
                      bridge::kBridgeInsolvent));
}

}  // namespace
}  // namespace l2::settlement
