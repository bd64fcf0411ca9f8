// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// The base chain's module seam (settlement/basechain/module.hpp): a toy module plugs in
// with its own table, base-tx kind, refusal reason and RPC method without any change to
// the core; module sets that clash (one kind, one RPC method, one name, the core's
// transfer kind or RPC prefixes, a module before what it requires) are refused at
// start; each module migrates its own tables by its own version; a FinalityHold (the
// dispute game's seam) delays finality; and a database written by the first schema
// (one schema version for the core and the three modules) opens with its data.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <array>
#include <atomic>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "common/sqlite.hpp"
#include "settlement/basechain/bridge.hpp"
#include "settlement/basechain/chain.hpp"
#include "settlement/basechain/commitments.hpp"
#include "settlement/basechain/module.hpp"
#include "settlement/basechain/registry.hpp"
#include "settlement/basechain/rpc.hpp"
#include "settlement/basechain/standard_modules.hpp"
#include "settlement/payload.hpp"
#include "tests/unit/test_util.hpp"

namespace l2::settlement {
namespace {

using json = nlohmann::json;
using test::TempDir;
using test::test_key;

const ChainId kBase{31337};
const ChainId kRollup{7};
constexpr std::int64_t kStart = 1'700'000'000;

const SecretKey& alice() {
  static const SecretKey kKey = test_key(81);
  return kKey;
}
const SecretKey& carol() {
  static const SecretKey kKey = test_key(82);
  return kKey;
}
const SecretKey& bob() {
  static const SecretKey kKey = test_key(83);
  return kKey;
}

// ---- a toy module, written the way module.hpp says a module is added -----------------

inline constexpr Refusal kUnlucky{"unlucky"};

constexpr const char* kToyStepOne = R"sql(
CREATE TABLE toy_notes (
  seq     INTEGER PRIMARY KEY,
  amount  INTEGER NOT NULL CHECK (amount > 0),
  tx_hash BLOB NOT NULL REFERENCES txs (hash)
) STRICT;
)sql";
constexpr const char* kToyStepTwo = "ALTER TABLE toy_notes ADD COLUMN memo TEXT;";

struct ToyOptions {
  std::string name = "toy";
  std::string method = "toy_count";
  std::vector<BaseTxKind> kinds = {BaseTxKind::deposit};
  int schema_steps = 1;
  std::vector<std::string_view> requires_modules;

  ToyOptions& with_name(std::string n) {
    name = std::move(n);
    return *this;
  }
  ToyOptions& with_method(std::string m) {
    method = std::move(m);
    return *this;
  }
  ToyOptions& with_kinds(std::vector<BaseTxKind> k) {
    kinds = std::move(k);
    return *this;
  }
  ToyOptions& with_schema_steps(int n) {
    schema_steps = n;
    return *this;
  }
};

// Claims deposits (on a chain without the bridge) and notes their amounts in a table of
// its own; refuses 13 as unlucky; toy_count counts the notes.
class ToyModule final : public Module {
 public:
  explicit ToyModule(ToyOptions o) : o_(std::move(o)) {}
  [[nodiscard]] std::string_view name() const override { return o_.name; }
  [[nodiscard]] std::span<const std::string_view> requires_modules() const override {
    return o_.requires_modules;
  }
  [[nodiscard]] std::span<const char* const> migrations() const override {
    return std::span<const char* const>(kSteps).first(static_cast<std::size_t>(o_.schema_steps));
  }
  [[nodiscard]] std::span<const BaseTxKind> kinds() const override { return o_.kinds; }
  [[nodiscard]] std::span<const Refusal> refusals() const override { return kRefusals; }
  Status<ChainError> execute(TxContext& ctx, const BaseTx& tx) override {
    const auto& d = std::get<DepositBody>(tx.body);
    if (d.amount == Amount(13)) return make_error(refuse(kUnlucky, "13 is unlucky"));
    auto q = ctx.store().query("INSERT INTO toy_notes (amount, tx_hash) VALUES (?1, ?2)");
    if (!q) return make_error(storage_error(q.error()));
    if (auto s = q->bind(1, to_db(d.amount.value())).bind(2, ctx.tx_hash().view()).run(); !s)
      return make_error(storage_error(s.error()));
    return ctx.emit(o_.name, "Noted", d.rollup_id, R"({"amount":")" + d.amount.to_string() + R"("})");
  }
  [[nodiscard]] std::vector<RpcMethod> rpc_methods() const override {
    return {{o_.method, [](RpcCall& c, const json& params) {
               RpcParams p(params, {});
               return json(c.chain.read([](const ChainView& v) { return count_notes(v); }));
             }}};
  }
  static std::int64_t count_notes(const ChainView& v) {
    auto q = v.store.query("SELECT count(*) FROM toy_notes");
    EXPECT_TRUE(q);
    EXPECT_TRUE(q->next());
    return q->row().column_int(0);
  }

 private:
  static constexpr std::array<const char*, 2> kSteps = {kToyStepOne, kToyStepTwo};
  static constexpr std::array<Refusal, 1> kRefusals = {kUnlucky};
  ToyOptions o_;
};

std::shared_ptr<Module> toy(ToyOptions o = {}) { return std::make_shared<ToyModule>(std::move(o)); }

// Holds every batch from `first` on from finality while armed: the dispute game's seam.
class HoldModule final : public Module, public commitments::FinalityHold {
 public:
  [[nodiscard]] std::string_view name() const override { return "hold"; }
  [[nodiscard]] std::span<const std::string_view> requires_modules() const override { return kRequires; }
  Result<std::optional<BatchNumber>, ChainError> first_held_batch(const ChainView& /*view*/,
                                                                  ChainId rollup) const override {
    if (!armed.load() || rollup != kRollup) return std::optional<BatchNumber>();
    return std::optional<BatchNumber>(BatchNumber(1));
  }
  std::atomic<bool> armed{true};

 private:
  static constexpr std::array<std::string_view, 1> kRequires = {commitments::kName};
};

// ---- the fixture ----------------------------------------------------------------------

ChainOptions options(const std::string& path) {
  ChainOptions o;
  o.path = path;
  o.chain_id = kBase;
  o.clock = [] { return kStart; };
  o.genesis_alloc = {{alice().public_key(), Amount(1'000'000)}, {carol().public_key(), Amount(1'000'000)}};
  return o;
}

std::unique_ptr<BaseChain> open_ok(const ChainOptions& o, ModuleSet modules) {
  auto c = BaseChain::open(o, std::move(modules));
  EXPECT_TRUE(c) << c.error().message;
  return c ? std::move(*c) : nullptr;
}

Bytes wire(BaseChain& chain, const SecretKey& k, BaseTxBody body) {
  auto a = chain.account(k.public_key());
  EXPECT_TRUE(a);
  BaseTx tx{k.public_key(), a ? a->nonce : Nonce(0), std::move(body), {}};
  sign_base_tx(tx, kBase, k);
  return encode_base_tx(tx);
}

std::int64_t module_version(BaseChain& chain, std::string_view name) {
  return chain.read([&](const ChainView& v) -> std::int64_t {
    auto q = v.store.query("SELECT version FROM modules WHERE name = ?1");
    EXPECT_TRUE(q);
    auto r = q->bind(1, name).next();
    EXPECT_TRUE(r);
    return r && *r ? q->row().column_int(0) : 0;
  });
}

::testing::AssertionResult refused_at_start(ModuleSet modules, const std::string& says) {
  auto c = BaseChain::open(options(":memory:"), std::move(modules));
  if (c) return ::testing::AssertionFailure() << "the chain opened";
  if (c.error().code != ChainErrorCode::bad_options)
    return ::testing::AssertionFailure()
           << "refused with " << to_string(c.error().code) << ": " << c.error().message;
  if (c.error().message.find(says) == std::string::npos)
    return ::testing::AssertionFailure()
           << "the message does not say \"" << says << "\": " << c.error().message;
  return ::testing::AssertionSuccess() << c.error().message;
}

// ---- a module plugs in ----------------------------------------------------------------

TEST(BaseChainModules, AToyModuleBringsItsTableKindRefusalAndMethod) {
  auto chain = open_ok(options(":memory:"), ModuleSet().add(registry::module()).add(toy()));
  ASSERT_TRUE(chain);
  EXPECT_EQ(module_version(*chain, "toy"), 1);
  EXPECT_EQ(module_version(*chain, "registry"), 2);  // step 2: the dispute terms

  // Its kind: the core hands deposits to the toy (there is no bridge on this chain).
  ASSERT_TRUE(chain->submit(wire(*chain, alice(), DepositBody{kRollup, alice().public_key(), Amount(5)})));
  EXPECT_EQ(chain->read([](const ChainView& v) { return ToyModule::count_notes(v); }), 1);
  // Its refusal reason, through the chain and through JSON-RPC (-32004, data.reason).
  auto unlucky = chain->submit(wire(*chain, alice(), DepositBody{kRollup, alice().public_key(), Amount(13)}));
  ASSERT_FALSE(unlucky);
  EXPECT_EQ(unlucky.error().code, ChainErrorCode::refused);
  EXPECT_EQ(unlucky.error().reason, kUnlucky.name);
  RpcOptions ro;
  RpcDispatcher rpc(*chain, ro);
  const Bytes tx13 = wire(*chain, alice(), DepositBody{kRollup, alice().public_key(), Amount(13)});
  auto r = json::parse(*rpc.handle(json{
      {"jsonrpc", "2.0"}, {"id", 1}, {"method", "chain_sendTransaction"}, {"params", {{"tx", to_hex(tx13)}}}}
                                       .dump()));
  EXPECT_EQ(r["error"]["code"], rpc_code::kRefused) << r.dump();
  EXPECT_EQ(r["error"]["data"]["reason"], "unlucky") << r.dump();
  // Its RPC method, next to the core's.
  r = json::parse(*rpc.handle(R"({"jsonrpc":"2.0","id":2,"method":"toy_count"})"));
  EXPECT_EQ(r["result"], 1) << r.dump();
  r = json::parse(*rpc.handle(R"({"jsonrpc":"2.0","id":3,"method":"chain_getChainId"})"));
  EXPECT_EQ(r["result"], kBase.value()) << r.dump();
  // The bridge's methods are the bridge's: not on this chain.
  r = json::parse(
      *rpc.handle(R"({"jsonrpc":"2.0","id":4,"method":"bridge_getRollup","params":{"rollup_id":7}})"));
  EXPECT_EQ(r["error"]["code"], rpc_code::kMethodNotFound) << r.dump();
  // A kind no module claims is refused, and changes nothing.
  rollup::Tx forced = test::make_transfer(kRollup, alice(), 1, 2, 1, 0, 0);
  auto unclaimed = chain->submit(wire(*chain, alice(), ForceTxBody{kRollup, forced}));
  ASSERT_FALSE(unclaimed);
  EXPECT_EQ(unclaimed.error().reason, core_refusal::kUnsupportedKind.name);
  EXPECT_EQ(chain->account(alice().public_key())->nonce, Nonce(1));
}

TEST(BaseChainModules, TheStandardSetDeclaresTheDocumentedReasons) {
  // The wire strings of docs/basechain.md ("Refusal reasons"), unchanged by the split.
  const std::set<std::string> documented = {
      "zero_amount", "overflow", "unknown_rollup", "rollup_exists", "bad_window", "bad_tx_signature",
      "not_sequencer", "mode_unsupported", "wrong_batch", "wrong_prev_root", "payload_too_large",
      "payload_hash_mismatch", "bad_payload", "applied_count_mismatch", "queue_regress", "queue_overrun",
      "deposit_deadline_missed", "forced_deadline_missed", "no_commitment", "not_final", "bad_proof",
      "nothing_to_claim", "bridge_insolvent",
      // the dispute module's
      "no_such_batch", "already_final", "self_challenge", "already_challenged", "nothing_to_dispute",
      "no_dispute", "not_your_move", "wrong_move", "wrong_position", "clock_ran_out", "clock_running",
      "bond_locked", "no_bond"};
  std::set<std::string> declared;
  const ModuleSet set = standard_modules();
  for (const auto& m : set.modules())
    for (const Refusal& r : m->refusals()) declared.insert(std::string(r.name));
  EXPECT_EQ(declared, documented);
}

// ---- clashes are refused at start -------------------------------------------------------

TEST(BaseChainModules, TwoModulesClaimingOneKindAreRefusedAtStart) {
  EXPECT_TRUE(refused_at_start(
      ModuleSet().add(toy()).add(toy(ToyOptions().with_name("toy2").with_method("toy2_count"))),
      "two modules claim base-tx kind deposit"));
  // The bridge claims deposits too.
  EXPECT_TRUE(refused_at_start(standard_modules().add(toy()), "two modules claim base-tx kind deposit"));
  EXPECT_TRUE(refused_at_start(
      ModuleSet().add(toy(ToyOptions().with_kinds(std::vector<BaseTxKind>{BaseTxKind::transfer}))),
      "transfer"));
}

TEST(BaseChainModules, TwoModulesOfferingOneMethodAreRefusedAtStart) {
  EXPECT_TRUE(refused_at_start(ModuleSet().add(toy()).add(toy(ToyOptions().with_name("toy2").with_kinds(
                                   std::vector<BaseTxKind>{BaseTxKind::force_tx}))),
                               "two modules offer the RPC method toy_count"));
  EXPECT_TRUE(refused_at_start(
      standard_modules().add(
          toy(ToyOptions().with_method("bridge_getRollup").with_kinds(std::vector<BaseTxKind>()))),
      "two modules offer the RPC method bridge_getRollup"));
  // The core's prefixes are the core's.
  EXPECT_TRUE(refused_at_start(ModuleSet().add(toy(ToyOptions().with_method("chain_getHead"))),
                               "core's prefix chain_"));
  EXPECT_TRUE(
      refused_at_start(ModuleSet().add(toy(ToyOptions().with_method("dev_mine"))), "core's prefix dev_"));
  EXPECT_TRUE(
      refused_at_start(ModuleSet().add(toy(ToyOptions().with_method("count"))), "is not prefix_name"));
}

TEST(BaseChainModules, NamesAndRequirementsAreCheckedAtStart) {
  EXPECT_TRUE(
      refused_at_start(ModuleSet().add(toy()).add(
                           toy(ToyOptions().with_method("toy_other").with_kinds(std::vector<BaseTxKind>()))),
                       "two modules are named toy"));
  EXPECT_TRUE(refused_at_start(ModuleSet().add(toy(ToyOptions().with_name("Toy"))), "not snake_case"));
  // The bridge builds on the registry and the commitments: they come first.
  EXPECT_TRUE(refused_at_start(ModuleSet().add(registry::module()).add(bridge::module()),
                               "requires module commitments"));
  EXPECT_TRUE(
      refused_at_start(ModuleSet().add(commitments::module()).add(registry::module()).add(bridge::module()),
                       "commitments requires module registry"));
}

// ---- per-module schema versions ---------------------------------------------------------

TEST(BaseChainModules, EachModuleMigratesItsOwnTables) {
  TempDir dir;
  const std::string path = dir.file("chain.db");
  {
    auto chain = open_ok(options(path),
                         standard_modules().add(toy(ToyOptions().with_kinds(std::vector<BaseTxKind>()))));
    ASSERT_TRUE(chain);
    EXPECT_EQ(module_version(*chain, "toy"), 1);
  }
  {
    // A second step for the toy: only the toy's version moves.
    auto chain = open_ok(
        options(path),
        standard_modules().add(toy(ToyOptions().with_kinds(std::vector<BaseTxKind>()).with_schema_steps(2))));
    ASSERT_TRUE(chain);
    EXPECT_EQ(module_version(*chain, "toy"), 2);
    EXPECT_EQ(module_version(*chain, "commitments"), 1);
    EXPECT_EQ(module_version(*chain, "registry"), 2);  // step 2: the dispute terms
    EXPECT_EQ(module_version(*chain, "bridge"), 2);    // step 2: deposits by index
    EXPECT_EQ(module_version(*chain, "disputes"), 1);
    EXPECT_TRUE(
        chain->read([](const ChainView& v) { return v.store.db().exec("SELECT memo FROM toy_notes"); }));
  }
  // A program that knows fewer of the toy's steps refuses the database.
  auto older = BaseChain::open(
      options(path), standard_modules().add(toy(ToyOptions().with_kinds(std::vector<BaseTxKind>()))));
  ASSERT_FALSE(older);
  EXPECT_EQ(older.error().code, ChainErrorCode::schema_too_new);
  EXPECT_NE(older.error().message.find("module toy"), std::string::npos) << older.error().message;
}

// ---- the finality hook ------------------------------------------------------------------

TEST(BaseChainModules, AFinalityHoldDelaysFinalityWithoutTouchingCommitments) {
  auto hold = std::make_shared<HoldModule>();
  auto chain = open_ok(options(":memory:"), standard_modules().add(hold));
  ASSERT_TRUE(chain);
  const Hash32 genesis;
  ASSERT_TRUE(chain->submit(wire(
      *chain, carol(),
      RegisterRollupBody{kRollup, carol().public_key(), genesis, ChainDuration(10), ChainDuration(600)})));
  Commitment c;
  c.header.rollup_id = kRollup;
  c.header.batch = BatchNumber(1);
  c.header.prev_root = genesis;
  c.header.new_root.array().fill(1);
  c.payload = *make_payload({});
  c.header.payload_hash = payload_hash(c.payload);
  ASSERT_TRUE(chain->submit(wire(*chain, carol(), CommitBatchBody{c})));
  ASSERT_TRUE(chain->advance_time(ChainDuration(60)));
  auto is_final = [&] {
    auto e = chain->read([](const ChainView& v) {
      return commitments::find_commitment(v, commitments::CommitmentQuery{kRollup, BatchNumber(1), false});
    });
    EXPECT_TRUE(e && *e);
    return e && *e && (*e)->is_final;
  };
  EXPECT_FALSE(is_final());  // the window has passed, but the hold keeps it
  hold->armed = false;
  EXPECT_TRUE(is_final());
}

// ---- a database of the first schema -------------------------------------------------------

// The schema of the first release, verbatim: one step (PRAGMA user_version = 1) with the
// core's tables and the registry's, the bridge's and the commitments' after them.
constexpr const char* kFirstSchema = R"sql(

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

-- the modules' step 1 of the same schema

-- registry: one row per rollup; the bridge keeps its queue lengths and locked funds here.
CREATE TABLE rollups (
  rollup_id            INTEGER PRIMARY KEY,
  sequencer            BLOB NOT NULL CHECK (length(sequencer) = 32),
  operator_key         BLOB NOT NULL CHECK (length(operator_key) = 32),
  genesis_root         BLOB NOT NULL CHECK (length(genesis_root) = 32),
  challenge_window_s   INTEGER NOT NULL CHECK (challenge_window_s BETWEEN 0 AND 3162240000),
  inclusion_deadline_s INTEGER NOT NULL CHECK (inclusion_deadline_s BETWEEN 1 AND 3162240000),
  deposit_count        INTEGER NOT NULL CHECK (deposit_count >= 0),
  forced_count         INTEGER NOT NULL CHECK (forced_count >= 0),
  locked               INTEGER NOT NULL CHECK (locked >= 0),
  registered_at        INTEGER NOT NULL,
  tx_hash              BLOB NOT NULL REFERENCES txs (hash)
) STRICT;

-- bridge: the deposit queue of each rollup, appended in order (idx = deposit_count).
CREATE TABLE deposits (
  rollup_id INTEGER NOT NULL REFERENCES rollups (rollup_id),
  idx       INTEGER NOT NULL CHECK (idx >= 0),
  recipient BLOB NOT NULL CHECK (length(recipient) = 32),
  amount    INTEGER NOT NULL CHECK (amount > 0),
  timestamp INTEGER NOT NULL,
  tx_hash   BLOB NOT NULL REFERENCES txs (hash),
  PRIMARY KEY (rollup_id, idx)
) STRICT, WITHOUT ROWID;
CREATE TRIGGER deposits_append BEFORE INSERT ON deposits
WHEN NEW.idx IS NOT (SELECT deposit_count FROM rollups WHERE rollup_id = NEW.rollup_id)
  OR NEW.timestamp < coalesce((SELECT max(timestamp) FROM deposits WHERE rollup_id = NEW.rollup_id), NEW.timestamp)
BEGIN SELECT RAISE(ABORT, 'deposits append at the end of their queue, in time order'); END;

-- bridge: the forced-tx queue (rollup tx wire form: a transfer, 97 bytes, or a
-- withdrawal, 93 bytes).
CREATE TABLE forced_txs (
  rollup_id INTEGER NOT NULL REFERENCES rollups (rollup_id),
  idx       INTEGER NOT NULL CHECK (idx >= 0),
  tx        BLOB NOT NULL CHECK ((length(tx) = 97 AND substr(tx, 1, 1) = x'02') OR
                                 (length(tx) = 93 AND substr(tx, 1, 1) = x'03')),
  timestamp INTEGER NOT NULL,
  tx_hash   BLOB NOT NULL REFERENCES txs (hash),
  PRIMARY KEY (rollup_id, idx)
) STRICT, WITHOUT ROWID;
CREATE TRIGGER forced_append BEFORE INSERT ON forced_txs
WHEN NEW.idx IS NOT (SELECT forced_count FROM rollups WHERE rollup_id = NEW.rollup_id)
  OR NEW.timestamp < coalesce((SELECT max(timestamp) FROM forced_txs WHERE rollup_id = NEW.rollup_id), NEW.timestamp)
BEGIN SELECT RAISE(ABORT, 'forced txs append at the end of their queue, in time order'); END;

-- bridge: what was paid out per rollup and base account (only grows).
CREATE TABLE withdrawals (
  rollup_id INTEGER NOT NULL REFERENCES rollups (rollup_id),
  account   BLOB NOT NULL CHECK (length(account) = 32),
  paid      INTEGER NOT NULL CHECK (paid > 0),
  PRIMARY KEY (rollup_id, account)
) STRICT, WITHOUT ROWID;
CREATE TRIGGER withdrawals_grow BEFORE UPDATE ON withdrawals WHEN NEW.paid <= OLD.paid
BEGIN SELECT RAISE(ABORT, 'the paid total only grows'); END;

-- commitments: the chain of commitments of each rollup, numbered from 1 without gaps.
CREATE TABLE commitments (
  rollup_id     INTEGER NOT NULL REFERENCES rollups (rollup_id),
  batch         INTEGER NOT NULL CHECK (batch >= 1),
  prev_root     BLOB NOT NULL CHECK (length(prev_root) = 32),
  new_root      BLOB NOT NULL CHECK (length(new_root) = 32),
  applied_txs   INTEGER NOT NULL CHECK (applied_txs BETWEEN 0 AND 4294967295),
  payload_hash  BLOB NOT NULL CHECK (length(payload_hash) = 32),
  deposits_upto INTEGER NOT NULL CHECK (deposits_upto >= 0),
  forced_upto   INTEGER NOT NULL CHECK (forced_upto >= 0),
  mode          INTEGER NOT NULL CHECK (mode IN (0, 1)),
  payload       BLOB NOT NULL,
  posted_at     INTEGER NOT NULL,
  tx_hash       BLOB NOT NULL UNIQUE REFERENCES txs (hash),
  PRIMARY KEY (rollup_id, batch)
) STRICT;
CREATE TRIGGER commitments_extend BEFORE INSERT ON commitments
WHEN NEW.batch <> coalesce((SELECT max(batch) FROM commitments WHERE rollup_id = NEW.rollup_id), 0) + 1
BEGIN SELECT RAISE(ABORT, 'commitments are numbered from 1 without gaps'); END;
)sql";

TEST(BaseChainModules, ADatabaseOfTheFirstSchemaOpensWithItsData) {
  TempDir dir;
  const std::string path = dir.file("chain.db");
  const Hash32 reg_tx = blake2b256(as_bytes(std::string_view("register")));
  const Hash32 dep_tx = blake2b256(as_bytes(std::string_view("deposit")));
  {
    DbOptions o;
    o.path = path;
    auto db = Db::open(o);
    ASSERT_TRUE(db);
    ASSERT_TRUE((*db)->exec(kFirstSchema));
    const std::string z = "zeroblob(32)";
    const std::string reg = "x'" + reg_tx.hex() + "'";
    const std::string dep = "x'" + dep_tx.hex() + "'";
    const std::string a = "x'" + alice().public_key().hex() + "'";
    const std::string c = "x'" + carol().public_key().hex() + "'";
    const std::string rows =
        "INSERT INTO meta VALUES (0, 31337, 0, 2000000);"
        "INSERT INTO blocks VALUES (0, 1700000000, " +
        z + ", " + z +
        ", randomblob(32));"
        "INSERT INTO blocks SELECT 1, 1700000001, hash, " +
        z +
        ", randomblob(32) FROM blocks WHERE number = 0;"
        "INSERT INTO accounts VALUES (" +
        a + ", 999000, 1), (" + c +
        ", 1000000, 1);"
        "INSERT INTO txs (hash, block, idx, sender, nonce, kind, raw) VALUES (" +
        reg + ", 1, 0, " + c +
        ", 0, 2, x'02');"
        "INSERT INTO txs (hash, block, idx, sender, nonce, kind, raw) VALUES (" +
        dep + ", 1, 1, " + a +
        ", 0, 3, x'03');"
        "INSERT INTO rollups VALUES (7, " +
        c + ", " + c + ", " + z + ", 10, 600, 0, 0, 0, 1700000001, " + reg +
        ");"
        "INSERT INTO deposits VALUES (7, 0, " +
        a + ", 1000, 1700000001, " + dep +
        ");"
        "UPDATE rollups SET deposit_count = 1, locked = 1000 WHERE rollup_id = 7;"
        "INSERT INTO logs VALUES (" +
        dep +
        ", 0, 1, 'bridge', 'Deposit', 7, '{}');"
        "PRAGMA user_version = 1;";
    ASSERT_TRUE((*db)->exec(rows));
  }
  auto chain = open_ok(options(path), standard_modules());
  ASSERT_TRUE(chain);
  EXPECT_EQ(chain->head().number, BlockNumber(1));
  EXPECT_EQ(module_version(*chain, "commitments"), 1);
  EXPECT_EQ(module_version(*chain, "registry"), 2);
  EXPECT_EQ(module_version(*chain, "bridge"), 2);
  EXPECT_EQ(module_version(*chain, "disputes"), 1);
  auto rollup = chain->read([](const ChainView& v) { return bridge::find_rollup(v, kRollup); });
  ASSERT_TRUE(rollup && *rollup);
  EXPECT_EQ((*rollup)->sequencer, carol().public_key());
  EXPECT_EQ((*rollup)->disputes, kDefaultDisputeTerms);  // registered before there were terms
  EXPECT_EQ((*rollup)->deposit_count, 1u);
  EXPECT_EQ((*rollup)->locked, Amount(1000));
  auto deposits = chain->read(
      [](const ChainView& v) { return bridge::list_deposits(v, kRollup, DepositPosition(0), 10); });
  ASSERT_TRUE(deposits);
  ASSERT_EQ(deposits->size(), 1u);
  EXPECT_EQ((*deposits)[0].tx_hash, dep_tx);
  // The bridge's step 2 numbered the queued deposit's key: alice is account 1.
  EXPECT_EQ((*deposits)[0].account, AccountIndex(1));
  auto tx = chain->transaction(reg_tx);
  ASSERT_TRUE(tx && *tx);
  EXPECT_EQ((*tx)->block, BlockNumber(1));
  auto logs = chain->logs(
      LogFilter{BlockNumber(0), BlockNumber(1), std::string("bridge"), std::nullopt, std::nullopt});
  ASSERT_TRUE(logs);
  EXPECT_EQ(logs->size(), 1u);
  // The chain goes on: a deposit lands at index 1 and the block after the old head.
  ASSERT_TRUE(chain->submit(wire(*chain, alice(), DepositBody{kRollup, alice().public_key(), Amount(5)})));
  ASSERT_TRUE(chain->seal_block());
  EXPECT_EQ(chain->head().number, BlockNumber(2));
  deposits = chain->read(
      [](const ChainView& v) { return bridge::list_deposits(v, kRollup, DepositPosition(0), 10); });
  ASSERT_EQ(deposits->size(), 2u);
  EXPECT_EQ((*deposits)[1].index, DepositPosition(1));
  EXPECT_EQ((*deposits)[1].account, AccountIndex(1));  // alice's, as numbered by step 2
  // Deposits by index: a new key gets the next free index, the operator's key (carol's
  // here) is account 0, and a key keeps its index.
  ASSERT_TRUE(chain->submit(wire(*chain, alice(), DepositBody{kRollup, bob().public_key(), Amount(1)})));
  ASSERT_TRUE(chain->submit(wire(*chain, alice(), DepositBody{kRollup, carol().public_key(), Amount(1)})));
  ASSERT_TRUE(chain->submit(wire(*chain, alice(), DepositBody{kRollup, bob().public_key(), Amount(1)})));
  ASSERT_TRUE(chain->seal_block());
  deposits = chain->read(
      [](const ChainView& v) { return bridge::list_deposits(v, kRollup, DepositPosition(0), 10); });
  ASSERT_EQ(deposits->size(), 5u);
  EXPECT_EQ((*deposits)[2].account, AccountIndex(2));
  EXPECT_EQ((*deposits)[3].account, AccountIndex(0));
  EXPECT_EQ((*deposits)[4].account, AccountIndex(2));
  // The table behind it refuses a gap and a renumbering.
  EXPECT_FALSE(chain->read([](const ChainView& v) {
    return v.store.db().exec("INSERT INTO bridge_accounts VALUES (7, randomblob(32), 9)");
  }));
  EXPECT_FALSE(chain->read([](const ChainView& v) {
    return v.store.db().exec("UPDATE bridge_accounts SET idx = 1 WHERE idx = 2");
  }));
  // Schema constraints survived the rebuild of txs, and the schema is the current one.
  EXPECT_FALSE(chain->read(
      [](const ChainView& v) { return v.store.db().exec("UPDATE txs SET idx = 5 WHERE block = 1"); }));
  EXPECT_FALSE(chain->read([&](const ChainView& v) {
    return v.store.db().exec(
        "INSERT INTO logs (tx_hash, log_index, module, event, data) VALUES (randomblob(32), 0, 'm', 'e', "
        "'{}')");
  }));
  EXPECT_EQ(chain->read([](const ChainView& v) {
    auto q = v.store.query("PRAGMA user_version");
    EXPECT_TRUE(q && *q->next());
    return q->row().column_int(0);
  }),
            BaseChain::kSchemaVersion);
}

}  // namespace
}  // namespace l2::settlement
