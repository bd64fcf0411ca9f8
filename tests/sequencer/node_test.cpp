// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// sequencer::Node in process: ingest, batching, acknowledgements, restart from the same
// data dir, and the settlement wiring (Settler over a StoreBatchLog) against an
// in-process base chain on loopback. Labelled "concurrency": the tsan preset builds and
// runs it (the node's batcher and ack threads, the settler's follower and poster, the
// HTTP server's I/O threads).
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <future>
#include <thread>

#include "../unit/test_util.hpp"
#include "common/http/client.hpp"
#include "common/sqlite.hpp"
#include "sequencer/http_server.hpp"
#include "sequencer/node.hpp"
#include "settlement/basechain/client.hpp"
#include "settlement/basechain/server.hpp"
#include "settlement/basechain/standard_modules.hpp"
#include "settlement/batch_log.hpp"
#include "settlement/settler.hpp"

namespace l2::sequencer {
namespace {

using namespace std::chrono_literals;
using test::TempDir;
using test::test_key;

constexpr ChainId kRollup{7};
constexpr ChainId kBase{99};
constexpr std::uint64_t kWindowS = 100;

// Blocks until the group is done (or `timeout` passes: a test failure).
std::vector<TxReceipt> wait(const std::shared_ptr<WaitGroup>& g, std::chrono::milliseconds timeout = 20s) {
  auto done = std::make_shared<std::promise<void>>();
  auto f = done->get_future();
  g->on_done([done] { done->set_value(); });
  EXPECT_EQ(f.wait_for(timeout), std::future_status::ready) << "the group was not resolved in time";
  return g->snapshot();
}

// Polls `pred` until it holds; false after `timeout`.
template <class F>
bool eventually(F&& pred, std::chrono::milliseconds timeout = 20s) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return pred();
}

TxRequest transfer(const SecretKey& key, AccountIndex from, AccountIndex to, std::uint64_t amount,
                   std::uint64_t nonce) {
  rollup::Tx tx = rollup::Transfer{from, to, Amount(amount), Amount(1), Nonce(nonce), {}};
  rollup::sign_tx(tx, kRollup, key);
  return TxRequest{std::move(tx), kRollup};
}

std::vector<TxRequest> one(TxRequest tx) {
  std::vector<TxRequest> v;
  v.push_back(std::move(tx));
  return v;
}

TxRequest withdraw(const SecretKey& key, AccountIndex from, std::uint64_t amount, std::uint64_t nonce) {
  rollup::Tx tx = rollup::Withdraw{from, Amount(amount), Amount(1), Nonce(nonce), {}};
  rollup::sign_tx(tx, kRollup, key);
  return TxRequest{std::move(tx), kRollup};
}

class NodeTest : public ::testing::Test {
 protected:
  NodeOptions options(std::size_t max_txs = 100) const {
    NodeOptions o;
    o.db_path = dir_.file("rollup.db");
    o.acked_head_path = dir_.file("acked-head");
    o.chain_id = kRollup;
    o.operator_key = test_key(200).public_key();
    o.threads = 2;
    o.batch.max_txs = max_txs;
    o.batch.max_delay_ms = 5;
    return o;
  }

  std::unique_ptr<Node> open(const NodeOptions& o, settlement::Settler* settler = nullptr) {
    auto n = Node::open(o, settler);
    EXPECT_TRUE(n) << (n ? "" : n.error());
    return n ? std::move(*n) : nullptr;
  }

  // Dev deposits (no base chain), one account per key; returns their indices.
  std::vector<AccountIndex> fund(Node& node, const std::vector<PublicKey>& keys, std::uint64_t amount) {
    std::vector<DepositRequest> ds;
    ds.reserve(keys.size());
    for (const auto& k : keys) ds.push_back(DepositRequest{k, Amount(amount)});
    auto g = node.deposit(ds);
    EXPECT_TRUE(g);
    if (!g) return {};
    for (const auto& r : wait(*g)) EXPECT_EQ(r.status, ReceiptCode::applied);
    std::vector<AccountIndex> out;
    for (const auto& k : keys) {
      auto i = node.find_account(k);
      EXPECT_TRUE(i);
      out.push_back(i.value_or(AccountIndex(0)));
    }
    return out;
  }

  TempDir dir_;
};

TEST_F(NodeTest, IngestBatchesAndAcknowledgesOnlyDurableTxs) {
  auto node = open(options(/*max_txs=*/4));
  ASSERT_TRUE(node);
  const auto alice = test_key(1), bob = test_key(2);
  auto idx = fund(*node, {alice.public_key(), bob.public_key()}, 1000);
  ASSERT_EQ(idx.size(), 2u);

  // Ten txs in one request: batches of at most four, every receipt applied and durable.
  std::vector<TxRequest> txs;
  for (std::uint64_t n = 0; n < 10; ++n) txs.push_back(transfer(alice, idx[0], idx[1], 10, n));
  auto g = node->submit(txs, SubmitOptions{});
  ASSERT_TRUE(g);
  auto receipts = wait(*g);
  ASSERT_EQ(receipts.size(), 10u);
  std::map<std::uint64_t, int> per_batch;
  for (const auto& r : receipts) {
    EXPECT_EQ(r.status, ReceiptCode::applied);
    ASSERT_TRUE(r.batch);
    EXPECT_LE(r.batch->value(), node->durable_head().value()) << "acknowledged before its batch was durable";
    ++per_batch[r.batch->value()];
  }
  for (const auto& [b, count] : per_batch) EXPECT_LE(count, 4) << "batch " << b;
  EXPECT_GE(per_batch.size(), 3u);

  auto a = node->account(idx[0], true);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->account.balance, Amount(1000 - 10 * 11));
  EXPECT_EQ(a->account.nonce, Nonce(10));
  ASSERT_TRUE(a->proof);
  auto found = node->lookup_tx(receipts[3].hash);
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((*found)->receipt.status, ReceiptCode::applied);

  // Ingest refusals: a replay (committed), a nonce below the executed one, a bad signature.
  auto dup = node->submit(one(txs[0]), SubmitOptions{true, true});
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, ErrorCode::duplicate);
  auto low = node->submit(one(transfer(alice, idx[0], idx[1], 5, 3)), SubmitOptions{true, true});
  ASSERT_FALSE(low);
  EXPECT_EQ(low.error().code, ErrorCode::nonce_too_low);
  auto forged = transfer(alice, idx[0], idx[1], 5, 10);
  std::get<rollup::Transfer>(forged.tx).amount = Amount(6);
  auto bad = node->submit(one(forged), SubmitOptions{true, true});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::bad_signature);
}

TEST_F(NodeTest, IngestSeesExecutedNoncesWhileTxsAreInFlight) {
  auto node = open(options(/*max_txs=*/1));
  ASSERT_TRUE(node);
  const auto alice = test_key(1), bob = test_key(2);
  auto idx = fund(*node, {alice.public_key(), bob.public_key()}, 100000);
  ASSERT_EQ(idx.size(), 2u);
  // A stream of single txs, each submitted without waiting: every one is accepted at
  // once (ingest never waits for a commit) and all end up applied in nonce order.
  std::vector<std::shared_ptr<WaitGroup>> groups;
  const auto t0 = std::chrono::steady_clock::now();
  for (std::uint64_t n = 0; n < 40; ++n) {
    auto g = node->submit(one(transfer(alice, idx[0], idx[1], 1, n)), SubmitOptions{true, true});
    ASSERT_TRUE(g) << "nonce " << n << ": " << g.error().message;
    groups.push_back(*g);
  }
  const auto ingest = std::chrono::steady_clock::now() - t0;
  for (auto& g : groups) EXPECT_EQ(wait(g)[0].status, ReceiptCode::applied);
  EXPECT_EQ(node->account(idx[0], false)->account.nonce, Nonce(40));
  RecordProperty("ingest_ms_40_txs",
                 static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(ingest).count()));
}

TEST_F(NodeTest, RestartFromTheSameDataDirKeepsEverything) {
  const auto alice = test_key(1), bob = test_key(2);
  std::vector<AccountIndex> idx;
  Hash32 tx_hash;
  rollup::BatchHeader head;
  {
    auto node = open(options());
    ASSERT_TRUE(node);
    idx = fund(*node, {alice.public_key(), bob.public_key()}, 1000);
    ASSERT_EQ(idx.size(), 2u);
    std::vector<TxRequest> txs;
    txs.push_back(transfer(alice, idx[0], idx[1], 100, 0));
    txs.push_back(withdraw(bob, idx[1], 50, 0));
    auto g = node->submit(std::move(txs), SubmitOptions{});
    ASSERT_TRUE(g);
    auto r = wait(*g);
    tx_hash = r[0].hash;
    auto h = node->batch_header(std::nullopt);
    ASSERT_TRUE(h && *h);
    head = **h;
    node->stop();
  }
  auto node = open(options());
  ASSERT_TRUE(node);
  auto h = node->batch_header(std::nullopt);
  ASSERT_TRUE(h && *h);
  EXPECT_EQ(**h, head);
  auto found = node->lookup_tx(tx_hash);
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((*found)->receipt.status, ReceiptCode::applied);
  EXPECT_EQ(node->account(idx[1], false)->account.balance, Amount(1000 + 100 - 51));
  auto ws = node->account_withdrawals(idx[1], 10);
  ASSERT_TRUE(ws);
  ASSERT_EQ(ws->size(), 1u);
  EXPECT_EQ((*ws)[0].witness.leaf.withdrawn, Amount(50));
  // The replay is still refused; the next nonce goes on; dev deposit ids continue.
  auto dup = node->submit(one(transfer(alice, idx[0], idx[1], 100, 0)), SubmitOptions{true, true});
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, ErrorCode::duplicate);
  auto g = node->submit(one(transfer(alice, idx[0], idx[1], 100, 1)), SubmitOptions{true, true});
  ASSERT_TRUE(g);
  EXPECT_EQ(wait(*g)[0].status, ReceiptCode::applied);
  auto carol = fund(*node, {test_key(3).public_key()}, 5);
  ASSERT_EQ(carol.size(), 1u);
  EXPECT_EQ(carol[0], AccountIndex(3));
}

// Queries answer from the last durable batch at once while a batch is executed but
// cannot be made durable (another connection holds the database's write lock): the
// account, its proof (against the root given with it) and the status are those from
// before the batch, and the tx stays unacknowledged until the lock goes.
TEST_F(NodeTest, QueriesAnswerFromTheLastDurableBatchWhileACommitWaits) {
  const NodeOptions o = options();
  auto node = open(o);
  ASSERT_TRUE(node);
  const auto alice = test_key(1), bob = test_key(2);
  auto idx = fund(*node, {alice.public_key(), bob.public_key()}, 1000);
  ASSERT_EQ(idx.size(), 2u);
  const NodeStatus before = node->status();
  const auto was = node->account(idx[0], true);
  ASSERT_TRUE(was && was->proof);

  auto lock = Db::open(DbOptions{o.db_path});
  ASSERT_TRUE(lock.ok());
  ASSERT_TRUE((*lock)->exec("BEGIN IMMEDIATE").ok());
  auto g = node->submit(one(transfer(alice, idx[0], idx[1], 100, 0)), SubmitOptions{true, true});
  ASSERT_TRUE(g);
  // Executed: another tx with nonce 0 is now below the executed nonce (while it was
  // only pending it was nonce_in_use). Each probe is refused and changes nothing.
  ASSERT_TRUE(eventually([&] {
    auto probe = node->submit(one(transfer(alice, idx[0], idx[1], 7, 0)), SubmitOptions{true, true});
    return !probe && probe.error().code == ErrorCode::nonce_too_low;
  }));
  // (A query that waited for the commit would wait out the 5 s busy timeout, which
  // poisons the engine, and then show the executed batch: both checks below fail.)
  const NodeStatus during = node->status();
  const auto a = node->account(idx[0], true);
  EXPECT_EQ(during.latest_batch, before.latest_batch);
  EXPECT_EQ(during.state_root, before.state_root);
  ASSERT_TRUE(a && a->proof);
  EXPECT_EQ(a->batch, before.latest_batch);
  EXPECT_EQ(a->account, was->account);
  EXPECT_TRUE(verify_merkle_proof(a->state_root, rollup::account_leaf_hash(a->account), *a->proof));
  EXPECT_EQ(node->durable_head(), before.latest_batch);
  EXPECT_EQ((*g)->snapshot()[0].status, ReceiptCode::pending) << "acknowledged before its batch was durable";
  EXPECT_TRUE(node->healthy());
  ASSERT_TRUE((*lock)->exec("COMMIT").ok());

  EXPECT_EQ(wait(*g)[0].status, ReceiptCode::applied);
  const auto after = node->account(idx[0], true);
  ASSERT_TRUE(after && after->proof);
  EXPECT_GT(after->batch, before.latest_batch);
  EXPECT_EQ(after->account.balance, Amount(1000 - 101));
  EXPECT_TRUE(
      verify_merkle_proof(after->state_root, rollup::account_leaf_hash(after->account), *after->proof));
}

// The acknowledged-head record refuses a database that is not the one the node
// acknowledged from: another database with as many batches but other roots.
TEST_F(NodeTest, ADatabaseWithOtherRootsUnderTheAcknowledgedHeadIsRefused) {
  const NodeOptions o = options();
  BatchNumber acked;
  {
    auto node = open(o);
    ASSERT_TRUE(node);
    fund(*node, {test_key(1).public_key()}, 1000);
    acked = node->durable_head();
    node->stop();
  }
  NodeOptions other = o;
  other.db_path = dir_.file("other.db");
  other.acked_head_path = dir_.file("other-acked-head");
  {
    auto node = open(other);
    ASSERT_TRUE(node);
    fund(*node, {test_key(2).public_key()}, 5);
    fund(*node, {test_key(3).public_key()}, 5);
    ASSERT_GE(node->durable_head(), acked);
    node->stop();
  }
  other.acked_head_path = o.acked_head_path;  // the first node's record
  auto refused = Node::open(other);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().find("says batch " + std::to_string(acked.value())), std::string::npos)
      << refused.error();
  EXPECT_NE(refused.error().find("the database is not the one those txs were acknowledged from"),
            std::string::npos)
      << refused.error();
  // The first database itself still opens (the record and it agree).
  auto node = open(o);
  ASSERT_TRUE(node);
  EXPECT_EQ(node->durable_head(), acked);
}

// ---- settlement wiring ---------------------------------------------------------------

// An automining base chain with dev methods, served on loopback in this process.
class InProcessChain {
 public:
  // With a directory: the chain lives in a file there, and dev_snapshot works.
  explicit InProcessChain(const std::string& dir = {}) {
    settlement::ChainOptions o;
    o.chain_id = kBase;
    o.automine = true;
    o.synchronous_full = false;
    if (!dir.empty()) {
      o.path = dir + "/chain.db";
      o.snapshot_dir = dir;
    }
    auto c = settlement::BaseChain::open(o, settlement::standard_modules());
    EXPECT_TRUE(c);
    chain_ = std::move(*c);
    settlement::BaseChainServerOptions so;
    so.http.port = 0;
    so.http.io_threads = 2;
    so.rpc.dev = true;
    auto s = settlement::BaseChainServer::start(*chain_, so);
    EXPECT_TRUE(s) << (s ? "" : s.error());
    server_ = std::move(*s);
    url_ = "http://" + server_->bound_address();
  }
  ~InProcessChain() { server_->stop(0ms); }
  [[nodiscard]] const std::string& url() const { return url_; }

 private:
  std::unique_ptr<settlement::BaseChain> chain_;
  std::unique_ptr<settlement::BaseChainServer> server_;
  std::string url_;
};

// A user of the base chain: funds itself (dev_fund) and sends signed base txs.
class BaseUser {
 public:
  BaseUser(const std::string& url, SecretKey key) : key_(std::move(key)) {
    auto c = settlement::BaseChainClient::create(url);
    EXPECT_TRUE(c);
    client_ = std::move(*c);
  }
  settlement::BaseChainClient& client() { return *client_; }
  void send(settlement::BaseTxBody body) {
    auto acct = client_->account(key_.public_key());
    ASSERT_TRUE(acct);
    settlement::BaseTx tx{key_.public_key(), acct->nonce, std::move(body), {}};
    settlement::sign_base_tx(tx, kBase, key_);
    auto sent = client_->send(tx);
    ASSERT_TRUE(sent) << sent.error().message;
  }
  // The sequencer registers the rollup on first contact; deposits need it.
  bool registered() {
    return eventually([&] {
      auto r = client_->rollup(kRollup);
      return r && r->has_value();
    });
  }
  void deposit(std::uint64_t amount) {
    ASSERT_TRUE(client_->dev_fund(key_.public_key(), Amount(amount)));
    send(settlement::DepositBody{kRollup, key_.public_key(), Amount(amount)});
  }

 private:
  SecretKey key_;
  std::unique_ptr<settlement::BaseChainClient> client_;
};

// Node + settler + HTTP server over one data dir, wired as sequencerd wires them.
struct Sequencer {
  std::unique_ptr<settlement::StoreBatchLog> log;
  std::unique_ptr<settlement::Settler> settler;
  std::unique_ptr<Node> node;
  std::unique_ptr<HttpServer> http;

  Sequencer(const NodeOptions& o, const std::string& base_chain, bool serve_http = false) {
    rollup::StoreOptions store;
    store.path = o.db_path;
    store.chain_id = o.chain_id;
    store.operator_key = o.operator_key;
    auto l = settlement::StoreBatchLog::open(store);
    EXPECT_TRUE(l);
    log = std::move(*l);
    settlement::SettlerOptions so;
    so.base_chain = base_chain;
    so.http.timeout = 1000ms;
    so.rollup_id = o.chain_id;
    so.operator_key = o.operator_key;
    so.challenge_window_s = ChainDuration(kWindowS);
    so.inclusion_deadline_s = ChainDuration(30);
    so.poll_ms = 20;
    auto s = settlement::Settler::open(so, test_key(100), *log);
    EXPECT_TRUE(s) << (s ? "" : s.error());
    settler = std::move(*s);
    auto n = Node::open(o, settler.get());
    EXPECT_TRUE(n) << (n ? "" : n.error());
    node = std::move(*n);
    settler->start();
    if (serve_http) {
      ServerOptions ho;
      ho.http.port = 0;
      ho.http.io_threads = 2;
      ho.base_chain_configured = true;
      ho.base_chain_url = base_chain;
      auto h = HttpServer::start(*node, settler.get(), ho);
      EXPECT_TRUE(h) << (h ? "" : h.error());
      http = std::move(*h);
    }
  }
  ~Sequencer() {
    if (http) http->stop_accepting();
    node->stop();
    settler->stop();
    if (http) http->stop(0ms);
  }

  settlement::WithdrawalChainState status_of(const WithdrawalView& v) {
    settlement::WatchedWithdrawal w{v.batch, v.witness.leaf.pubkey, v.witness.leaf.withdrawn};
    return settler->withdrawal_states(std::span(&w, 1))[0];
  }
};

TEST_F(NodeTest, SettlesDepositsAndWithdrawalsThroughAnInProcessBaseChain) {
  InProcessChain chain;
  const auto alice = test_key(1);
  BaseUser user(chain.url(), test_key(1));
  Hash32 withdrawal_hash;
  {
    Sequencer seq(options(), chain.url());
    ASSERT_TRUE(user.registered());
    // A deposit on the base chain reaches the rollup through the follower and the batcher.
    user.deposit(5000);
    std::optional<AccountIndex> ia;
    ASSERT_TRUE(eventually([&] { return (ia = seq.node->find_account(alice.public_key())).has_value(); }));
    EXPECT_EQ(seq.node->account(*ia, false)->account.balance, Amount(5000));

    auto g = seq.node->submit(one(withdraw(alice, *ia, 300, 0)), SubmitOptions{true, true});
    ASSERT_TRUE(g);
    auto r = wait(*g);
    ASSERT_EQ(r[0].status, ReceiptCode::applied);
    withdrawal_hash = r[0].hash;
    auto view = seq.node->withdrawal(withdrawal_hash);
    ASSERT_TRUE(view && *view);

    // Posted by the poster; its status comes from the follower's cache.
    ASSERT_TRUE(eventually([&] {
      return seq.settler->status().poster.last_posted.value() >= seq.node->durable_head().value();
    }));
    settlement::WithdrawalChainState st;
    ASSERT_TRUE(eventually([&] {
      return (st = seq.status_of(**view)).status == settlement::WithdrawalStatus::in_window;
    })) << st.detail;
    ASSERT_TRUE(st.seconds_left);
    EXPECT_GT(*st.seconds_left, ChainDuration(0));
    EXPECT_EQ(st.paid, Amount(0));

    ASSERT_TRUE(user.client().dev_advance_time(ChainDuration(kWindowS + 1)));
    ASSERT_TRUE(eventually([&] {
      return (st = seq.status_of(**view)).status == settlement::WithdrawalStatus::final;
    })) << st.detail;
    user.send(settlement::FinalizeWithdrawalBody{kRollup, (*view)->batch, (*view)->witness.leaf,
                                                 (*view)->witness.proof});
    ASSERT_TRUE(eventually([&] {
      return (st = seq.status_of(**view)).status == settlement::WithdrawalStatus::claimed;
    })) << st.detail;
    EXPECT_EQ(st.paid, Amount(300));
    const auto s = seq.settler->status();
    EXPECT_EQ(s.next_deposit, DepositPosition(1));
    EXPECT_TRUE(s.chain.reachable);
  }
  // Restarted on the same data dir: the queue position comes from the last batch's
  // origin; a second deposit is consumed exactly once, and the old withdrawal's status
  // is fetched on demand.
  Sequencer seq(options(), chain.url());
  EXPECT_EQ(seq.settler->status().next_deposit, DepositPosition(1));
  user.deposit(7);
  ASSERT_TRUE(eventually([&] {
    auto i = seq.node->find_account(alice.public_key());
    return i && seq.node->account(*i, false)->account.balance == Amount(5000 - 301 + 7);
  }));
  EXPECT_EQ(seq.settler->status().next_deposit, DepositPosition(2));
  auto view = seq.node->withdrawal(withdrawal_hash);
  ASSERT_TRUE(view && *view);
  settlement::WithdrawalChainState st;
  ASSERT_TRUE(eventually([&] {
    return (st = seq.status_of(**view)).status == settlement::WithdrawalStatus::claimed;
  })) << st.detail;
}

// A base-chain revert below posted batches (dev_snapshot, batches, dev_revert): the node
// rolls back to the chain's last batch, executes the rolled-back user txs again behind the
// queue entries the chain still has, and posts again; lookups say what moved.
TEST_F(NodeTest, FollowsABaseChainRevertByReexecutingTheRolledBackTxs) {
  InProcessChain chain(dir_.path().string());
  const auto alice = test_key(1);
  const auto bob = test_key(2);
  const auto carol = test_key(3);
  BaseUser ua(chain.url(), test_key(1));
  BaseUser ub(chain.url(), test_key(2));
  BaseUser uc(chain.url(), test_key(3));
  Sequencer seq(options(), chain.url(), /*serve_http=*/true);
  ASSERT_TRUE(ua.registered());
  ua.deposit(5000);
  ub.deposit(100);
  std::optional<AccountIndex> ia, ib, ic;
  ASSERT_TRUE(eventually([&] {
    ia = seq.node->find_account(alice.public_key());
    ib = seq.node->find_account(bob.public_key());
    return ia && ib;
  }));
  auto posted_all = [&] {
    return eventually([&] {
      const auto s = seq.settler->status();
      return s.poster.synced && !s.poster.reorg_wanted &&
             s.poster.last_posted.value() == seq.node->durable_head().value();
    });
  };
  ASSERT_TRUE(posted_all());
  const BatchNumber before = seq.node->durable_head();
  auto snap = ua.client().call("dev_snapshot", "{}");
  ASSERT_TRUE(snap) << snap.error().message;

  uc.deposit(50);
  ASSERT_TRUE(eventually([&] { return (ic = seq.node->find_account(carol.public_key())).has_value(); }));
  auto t1 = seq.node->submit(one(transfer(alice, *ia, *ib, 10, 0)), SubmitOptions{true, true});
  ASSERT_TRUE(t1);
  ASSERT_EQ(wait(*t1)[0].status, ReceiptCode::applied);
  const Hash32 moved = wait(*t1)[0].hash;
  const BatchNumber moved_from = *wait(*t1)[0].batch;
  auto t2 = seq.node->submit(one(transfer(carol, *ic, *ia, 20, 0)), SubmitOptions{true, true});
  ASSERT_TRUE(t2);
  ASSERT_EQ(wait(*t2)[0].status, ReceiptCode::applied);
  const Hash32 spent = wait(*t2)[0].hash;
  ASSERT_TRUE(posted_all());
  ASSERT_GT(seq.node->durable_head(), before);

  auto reverted = ua.client().call("dev_revert", "{\"id\": " + *snap + "}");
  ASSERT_TRUE(reverted) << reverted.error().message;
  ASSERT_TRUE(eventually([&] { return seq.node->reorg_stats().reorgs >= 1; }));
  ASSERT_TRUE(eventually([&] {
    auto l = seq.node->lookup_tx(moved);
    return l && *l && (*l)->receipt.status == ReceiptCode::applied;
  }));
  ASSERT_TRUE(posted_all());
  auto l = seq.node->lookup_tx(moved);
  ASSERT_TRUE(l && *l && (*l)->reorg);
  EXPECT_EQ((*l)->reorg->outcome, ReorgNote::Outcome::reapplied);
  EXPECT_EQ((*l)->reorg->from_batch, moved_from);
  EXPECT_EQ((*l)->reorg->rolled_back_to, before);
  EXPECT_GT(*(*l)->receipt.batch, before);
  // Carol's money came from the deposit the revert removed: her transfer is executed
  // again and rejected (her account does not exist), and the deposit is dropped.
  ASSERT_TRUE(eventually([&] {
    auto c = seq.node->lookup_tx(spent);
    return c && *c && (*c)->reorg && (*c)->reorg->outcome != ReorgNote::Outcome::pending;
  }));
  auto c = seq.node->lookup_tx(spent);
  EXPECT_NE((*c)->receipt.status, ReceiptCode::applied);
  EXPECT_FALSE((*c)->reorg->reason.empty());
  EXPECT_FALSE(seq.node->find_account(carol.public_key()).has_value());
  EXPECT_EQ(seq.node->account(*ia, false)->account.balance, Amount(5000 - 11));
  EXPECT_EQ(seq.node->account(*ib, false)->account.balance, Amount(110));
  const ReorgStats st = seq.node->reorg_stats();
  EXPECT_EQ(st.reexecuted, 2u);
  EXPECT_EQ(st.dropped, 0u);
  // Over HTTP, as a client sees it.
  auto raw = http::Client::create("http://" + seq.http->bound_address(), http::ClientOptions{});
  ASSERT_TRUE(raw);
  auto settled = (*raw)->get("/v1/settlement");
  ASSERT_TRUE(settled);
  EXPECT_NE(settled->body.find(R"("reexecuted_txs":"2")"), std::string::npos) << settled->body;
  EXPECT_EQ(settled->body.find("reorg_wanted"), std::string::npos) << settled->body;
  auto res = (*raw)->get("/v1/transactions/" + moved.hex());
  ASSERT_TRUE(res);
  EXPECT_NE(res->body.find(R"("outcome":"reapplied")"), std::string::npos) << res->body;
  EXPECT_NE(res->body.find(R"("rolled_back_to":")" + std::to_string(before.value()) + "\""),
            std::string::npos)
      << res->body;
}

// The sequencer defends its batches by itself (settlement/defender.hpp): a challenger who
// disputes a correct batch and disagrees with every root it names is narrowed to the
// first tx, whose one-step proof the chain runs; the sequencer wins and the batch stands.
TEST_F(NodeTest, DefendsACorrectBatchAgainstAChallengerWhoDisagreesWithEveryRoot) {
  InProcessChain chain;
  const auto alice = test_key(1);
  const auto bob = test_key(2);
  BaseUser ua(chain.url(), test_key(1));
  BaseUser ub(chain.url(), test_key(2));
  BaseUser challenger(chain.url(), test_key(3));
  Sequencer seq(options(), chain.url());
  ASSERT_TRUE(ua.registered());
  ua.deposit(1000);
  ub.deposit(1000);
  std::optional<AccountIndex> ia;
  std::optional<AccountIndex> ib;
  ASSERT_TRUE(eventually([&] {
    ia = seq.node->find_account(alice.public_key());
    ib = seq.node->find_account(bob.public_key());
    return ia && ib;
  }));
  std::vector<TxRequest> txs;
  for (std::uint64_t n = 0; n < 6; ++n) txs.push_back(transfer(alice, *ia, *ib, 1 + n, n));
  auto g = seq.node->submit(std::move(txs), SubmitOptions{true, true});
  ASSERT_TRUE(g);
  const auto receipts = wait(*g);
  ASSERT_EQ(receipts.size(), 6u);
  const BatchNumber batch = *receipts.back().batch;
  ASSERT_TRUE(eventually([&] { return seq.settler->status().poster.last_posted >= batch; }));
  auto committed = challenger.client().commitment(kRollup, batch, false);
  ASSERT_TRUE(committed && *committed);

  ASSERT_TRUE(challenger.client().dev_fund(test_key(3).public_key(), Amount(10)));
  challenger.send(settlement::ChallengeBatchBody{kRollup, batch});
  std::vector<settlement::DisputeRecord> games;
  auto game = [&]() -> const settlement::DisputeRecord& {
    auto r = challenger.client().disputes(kRollup, batch);
    EXPECT_TRUE(r);
    games = r ? *r : std::vector<settlement::DisputeRecord>{};
    EXPECT_EQ(games.size(), 1u);
    if (games.empty()) games.emplace_back();
    return games.front();
  };
  for (int answers = 0;; ++answers) {
    ASSERT_LT(answers, 10) << "the game did not end";
    ASSERT_TRUE(eventually([&] { return game().status != "open" || game().phase == "respond"; }));
    const settlement::DisputeRecord now = game();
    if (now.status != "open") break;
    ASSERT_TRUE(now.mid);
    challenger.send(settlement::DisputeRespondBody{kRollup, batch, *now.mid, false});
  }
  const settlement::DisputeRecord ruled = game();
  EXPECT_EQ(ruled.status, "defender_won");
  EXPECT_EQ(ruled.end, std::optional<std::string>("step_matches"));
  EXPECT_EQ(std::make_pair(ruled.lo, ruled.hi), std::make_pair(std::uint64_t{0}, std::uint64_t{1}));
  auto standing = challenger.client().commitment(kRollup, batch, false);
  ASSERT_TRUE(standing && *standing);
  EXPECT_EQ((*standing)->tx_hash, (*committed)->tx_hash);
  ASSERT_TRUE(eventually([&] {
    const auto s = seq.settler->status();
    return s.disputes.won == 1 && s.disputes.open == 0;
  }));
  const auto s = seq.settler->status();
  EXPECT_EQ(s.disputes.lost, 0u);
  EXPECT_EQ(s.disputes.traces, 1u);  // traced once, for every move
  EXPECT_EQ(s.disputes.last_error, "");
  EXPECT_EQ(s.poster.extra_refused, 0u);
  EXPECT_GE(s.poster.extra_sent, 2u);  // at least one bisect and the step
  // The poster shares its key's nonces with the moves: batches still settle after them.
  auto more = seq.node->submit(one(transfer(bob, *ib, *ia, 5, 0)), SubmitOptions{true, true});
  ASSERT_TRUE(more);
  const BatchNumber next = *wait(*more)[0].batch;
  ASSERT_TRUE(eventually([&] { return seq.settler->status().poster.last_posted >= next; }));
  EXPECT_EQ(seq.settler->status().poster.refusals, 0u);
}

// Regression: withdrawal status used to ask the base chain on the HTTP I/O thread (up
// to four calls per withdrawal, a hundred for an account's list, 3 s timeout each). A
// base chain that accepts connections and never answers must not make the withdrawal
// endpoints or /health slow.
TEST_F(NodeTest, ABaseChainThatNeverAnswersDoesNotSlowWithdrawalQueriesOrHealth) {
  std::string account;
  Hash32 withdrawal_hash;
  {
    InProcessChain chain;
    const auto alice = test_key(1);
    BaseUser user(chain.url(), test_key(1));
    Sequencer seq(options(), chain.url());
    ASSERT_TRUE(user.registered());
    user.deposit(1000);
    std::optional<AccountIndex> ia;
    ASSERT_TRUE(eventually([&] { return (ia = seq.node->find_account(alice.public_key())).has_value(); }));
    std::vector<TxRequest> ws;
    for (std::uint64_t n = 0; n < 20; ++n) ws.push_back(withdraw(alice, *ia, 1, n));
    auto g = seq.node->submit(ws, SubmitOptions{});
    ASSERT_TRUE(g);
    auto r = wait(*g);
    withdrawal_hash = r[0].hash;
    account = std::to_string(ia->value());
    ASSERT_TRUE(eventually([&] {
      return seq.settler->status().poster.last_posted.value() >= seq.node->durable_head().value();
    }));
  }
  // A listening socket nobody reads: connections are accepted (by the kernel), requests
  // are never answered.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(fd, 64), 0);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  const std::string hung = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port));

  {
    Sequencer seq(options(), hung, /*serve_http=*/true);
    auto client = http::Client::create("http://" + seq.http->bound_address(), http::ClientOptions{});
    ASSERT_TRUE(client);
    auto timed = [&](const std::string& target, unsigned want_status) {
      const auto t0 = std::chrono::steady_clock::now();
      auto res = (*client)->get(target);
      const auto ms =
          std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
      EXPECT_TRUE(res) << target;
      if (res) {
        EXPECT_EQ(res->status, want_status) << target << ": " << res->body;
        if (target.find("withdrawals") != std::string::npos) {
          EXPECT_NE(res->body.find("\"unknown\""), std::string::npos) << res->body;
        }
      }
      EXPECT_LT(ms.count(), 500) << target << " took " << ms.count() << " ms";
      return ms;
    };
    // Repeated, while the follower and the poster are stuck in their calls.
    for (int i = 0; i < 5; ++i) {
      timed("/v1/withdrawals/" + withdrawal_hash.hex(), 200);
      timed("/v1/accounts/" + account + "/withdrawals?limit=100", 200);
      timed("/health", 200);
      timed("/v1/settlement", 200);
      std::this_thread::sleep_for(100ms);
    }
  }
  ::close(fd);
}

}  // namespace
}  // namespace l2::sequencer
