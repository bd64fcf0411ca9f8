// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// The C++ client of the sequencer API (sequencer/client.hpp) against a real sequencerd
// (the binary, --dev, an ephemeral loopback port, a fresh data dir): every call, and
// the error paths: the API's refusals (bad request, wrong chain, bad signature,
// duplicate, not found), a route that exists only with a base chain, and a server
// that is down. The test links l2::sequencer_api only, as the wallet will.
#include <gtest/gtest.h>

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "sequencer/client.hpp"
#include "tests/unit/test_util.hpp"

extern char** environ;  // NOLINT(readability-redundant-declaration)

namespace l2::sequencer {
namespace {

using std::chrono::milliseconds;
using test::TempDir;
using test::test_key;

const ChainId kChain{7};

// A sequencerd on 127.0.0.1:0 in --dev mode; stopped with SIGTERM.
class Sequencerd {
 public:
  explicit Sequencerd(const TempDir& dir) : port_file_(dir.file("port")) {
    const std::string data = dir.file("data");
    std::vector<std::string> args = {
        L2_SEQUENCERD, "--data-dir",  data,       "--chain-id", std::to_string(kChain.value()), "--port",
        "0",           "--port-file", port_file_, "--dev",      "--batch.max-delay-ms",         "5",
        "--log-level", "warn"};
    std::vector<char*> argv;
    argv.reserve(args.size() + 1);
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (posix_spawn(&pid_, L2_SEQUENCERD, nullptr, nullptr, argv.data(), environ) != 0) {
      ADD_FAILURE() << "cannot start " << L2_SEQUENCERD;
      pid_ = -1;
    }
  }
  ~Sequencerd() { stop(); }
  Sequencerd(const Sequencerd&) = delete;
  Sequencerd& operator=(const Sequencerd&) = delete;

  // "http://ADDRESS:PORT" once the port file is written.
  std::string url() {
    for (int i = 0; i < 600; ++i) {
      std::ifstream in(port_file_);
      std::string bound;
      if (in >> bound && !bound.empty()) return "http://" + bound;
      std::this_thread::sleep_for(milliseconds(50));
    }
    ADD_FAILURE() << "sequencerd did not write " << port_file_;
    return "http://127.0.0.1:1";
  }

  // SIGTERM, then the exit status (0: a graceful stop).
  int stop() {
    if (pid_ <= 0) return -1;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

 private:
  std::string port_file_;
  pid_t pid_ = -1;
};

class SequencerClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<Sequencerd>(dir_);
    auto c = SequencerClient::create(server_->url(), SequencerClientOptions{});
    ASSERT_TRUE(c) << c.error();
    client_ = std::move(*c);
  }

  // Accounts for keys 1..n (1000000 each), by dev deposit.
  std::vector<AccountIndex> fund(const std::vector<std::uint8_t>& keys) {
    std::vector<DepositRequest> reqs;
    reqs.reserve(keys.size());
    for (auto k : keys) reqs.push_back({test_key(k).public_key(), Amount(1'000'000)});
    auto r = client_->dev_deposit(reqs);
    EXPECT_TRUE(r) << describe(r.error());
    std::vector<AccountIndex> out;
    if (!r) return out;
    for (const auto& d : *r) {
      EXPECT_EQ(d.receipt.status, ReceiptCode::applied);
      EXPECT_TRUE(d.account);
      out.push_back(d.account.value_or(AccountIndex(0)));
    }
    return out;
  }

  static ::testing::AssertionResult api_error(const ClientError& e, ErrorCode code, unsigned status) {
    if (e.kind != ClientError::Kind::api || e.code != code || e.http_status != status)
      return ::testing::AssertionFailure() << describe(e);
    if (e.message.empty()) return ::testing::AssertionFailure() << "no message";
    return ::testing::AssertionSuccess() << describe(e);
  }

  TempDir dir_;
  std::unique_ptr<Sequencerd> server_;
  std::unique_ptr<SequencerClient> client_;
};

TEST_F(SequencerClientTest, StatusAccountsAndDevDeposits) {
  auto s = client_->status();
  ASSERT_TRUE(s) << describe(s.error());
  EXPECT_EQ(s->chain_id, kChain);
  EXPECT_TRUE(s->dev);
  const auto accounts = fund({1, 2});
  ASSERT_EQ(accounts.size(), 2u);
  auto by_index = client_->account(accounts[0]);
  ASSERT_TRUE(by_index) << describe(by_index.error());
  EXPECT_EQ(by_index->public_key, test_key(1).public_key());
  EXPECT_EQ(by_index->balance, Amount(1'000'000));
  EXPECT_EQ(by_index->nonce, Nonce(0));
  auto by_key = client_->account(test_key(2).public_key());
  ASSERT_TRUE(by_key) << describe(by_key.error());
  EXPECT_EQ(by_key->index, accounts[1]);
  s = client_->status();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->accounts, 3u);  // the operator's and two
  EXPECT_EQ(by_key->batch, s->latest_batch);
  EXPECT_EQ(by_key->state_root, s->state_root);
  auto latest = client_->latest_batch();
  ASSERT_TRUE(latest) << describe(latest.error());
  EXPECT_EQ(latest->number, s->latest_batch);
  EXPECT_EQ(latest->state_root, s->state_root);
  auto first = client_->batch(BatchNumber(1));
  ASSERT_TRUE(first) << describe(first.error());
  EXPECT_EQ(first->number, BatchNumber(1));
}

TEST_F(SequencerClientTest, SubmitInJsonAndBinaryAndReadBack) {
  const auto a = fund({1, 2});
  const SecretKey& alice = test_key(1);
  const std::uint32_t from = a[0].value();
  const std::uint32_t to = a[1].value();
  // One tx, waiting for its batch.
  const rollup::Tx t0 = test::make_transfer(kChain, alice, from, to, 100, 1, 0);
  SubmitOptions wait;
  wait.wait = true;
  auto r0 = client_->submit(t0, kChain, wait);
  ASSERT_TRUE(r0) << describe(r0.error());
  EXPECT_EQ(r0->hash, rollup::tx_hash(kChain, t0));
  EXPECT_EQ(r0->status, ReceiptCode::applied);
  ASSERT_TRUE(r0->batch);
  // The tx by hash: its receipt and the tx itself.
  auto info = client_->transaction(r0->hash);
  ASSERT_TRUE(info) << describe(info.error());
  EXPECT_EQ(info->receipt.status, ReceiptCode::applied);
  EXPECT_EQ(info->receipt.batch, r0->batch);
  EXPECT_EQ(info->tx.tx, t0);
  EXPECT_EQ(info->tx.chain_id, kChain);
  // Without waiting: pending.
  const rollup::Tx t1 = test::make_transfer(kChain, alice, from, to, 100, 1, 1);
  auto r1 = client_->submit(t1, kChain);
  ASSERT_TRUE(r1) << describe(r1.error());
  EXPECT_EQ(r1->hash, rollup::tx_hash(kChain, t1));
  // A JSON batch and a binary batch: receipts in order; a refusal is a receipt.
  std::vector<TxRequest> json_txs = {{test::make_transfer(kChain, alice, from, to, 100, 1, 2), kChain},
                                     {test::make_transfer(kChain, alice, from, to, 100, 1, 3), kChain},
                                     {test::make_transfer(kChain, alice, from, to, 99, 1, 0), kChain}};
  auto rj = client_->submit_batch(json_txs);
  ASSERT_TRUE(rj) << describe(rj.error());
  ASSERT_EQ(rj->size(), 3u);
  EXPECT_EQ((*rj)[0].status, ReceiptCode::applied);
  EXPECT_EQ((*rj)[1].status, ReceiptCode::applied);
  EXPECT_EQ((*rj)[2].status, ReceiptCode::nonce_too_low);
  EXPECT_FALSE((*rj)[2].batch);
  std::vector<rollup::Tx> bin_txs = {test::make_transfer(kChain, alice, from, to, 100, 1, 4),
                                     test::make_transfer(kChain, alice, from, to, 100, 1, 5)};
  auto rb = client_->submit_batch_binary(kChain, bin_txs);
  ASSERT_TRUE(rb) << describe(rb.error());
  ASSERT_EQ(rb->size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ((*rb)[i].status, ReceiptCode::applied);
    EXPECT_EQ((*rb)[i].hash, rollup::tx_hash(kChain, bin_txs[i]));
  }
  auto alice_now = client_->account(a[0]);
  ASSERT_TRUE(alice_now);
  EXPECT_EQ(alice_now->nonce, Nonce(6));
  EXPECT_EQ(alice_now->balance, Amount(1'000'000 - 6 * 101));
}

TEST_F(SequencerClientTest, WithdrawalsAndTheirStatus) {
  const auto a = fund({3});
  const rollup::Tx w = test::make_withdraw(kChain, test_key(3), a[0].value(), 250, 1, 0);
  SubmitOptions wait;
  wait.wait = true;
  auto r = client_->submit(w, kChain, wait);
  ASSERT_TRUE(r) << describe(r.error());
  ASSERT_EQ(r->status, ReceiptCode::applied);
  auto one = client_->withdrawal(r->hash);
  ASSERT_TRUE(one) << describe(one.error());
  EXPECT_EQ(one->tx_hash, r->hash);
  EXPECT_EQ(one->account, a[0]);
  EXPECT_EQ(one->amount, Amount(250));
  EXPECT_EQ(one->withdrawn, Amount(250));
  EXPECT_EQ(one->public_key, test_key(3).public_key());
  EXPECT_EQ(one->batch, *r->batch);
  EXPECT_EQ(one->leaf.size(), 56u);
  EXPECT_FALSE(one->proof.empty());
  EXPECT_EQ(one->status, "pending");  // no base chain
  auto list = client_->withdrawals(a[0], 10);
  ASSERT_TRUE(list) << describe(list.error());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].tx_hash, r->hash);
  // Without a base chain there is no settlement view.
  auto s = client_->settlement();
  ASSERT_FALSE(s);
  EXPECT_TRUE(api_error(s.error(), ErrorCode::not_found, 404));
}

TEST_F(SequencerClientTest, TheApisRefusalsCarryItsCodeAndMessage) {
  const auto a = fund({1, 2});
  const SecretKey& alice = test_key(1);
  const rollup::Tx t = test::make_transfer(kChain, alice, a[0].value(), a[1].value(), 10, 1, 0);
  // Signed for chain 7, sent as chain 8.
  auto wrong = client_->submit(t, ChainId(8));
  ASSERT_FALSE(wrong);
  EXPECT_TRUE(api_error(wrong.error(), ErrorCode::wrong_chain, 400));
  // Signed by someone else.
  const rollup::Tx forged = test::make_transfer(kChain, test_key(2), a[0].value(), a[1].value(), 10, 1, 0);
  auto bad = client_->submit(forged, kChain);
  ASSERT_FALSE(bad);
  EXPECT_TRUE(api_error(bad.error(), ErrorCode::bad_signature, 400));
  // From an account that does not exist.
  auto unknown = client_->submit(test::make_transfer(kChain, alice, 999, a[1].value(), 10, 1, 0), kChain);
  ASSERT_FALSE(unknown);
  EXPECT_TRUE(api_error(unknown.error(), ErrorCode::unknown_account, 400));
  // Twice the same tx.
  ASSERT_TRUE(client_->submit(t, kChain));
  auto twice = client_->submit(t, kChain);
  ASSERT_FALSE(twice);
  EXPECT_TRUE(api_error(twice.error(), ErrorCode::duplicate, 409));
  // Things that do not exist.
  auto no_tx = client_->transaction(Hash32());
  ASSERT_FALSE(no_tx);
  EXPECT_TRUE(api_error(no_tx.error(), ErrorCode::not_found, 404));
  auto no_account = client_->account(AccountIndex(4242));
  ASSERT_FALSE(no_account);
  EXPECT_TRUE(api_error(no_account.error(), ErrorCode::not_found, 404));
  auto no_key = client_->account(test_key(99).public_key());
  ASSERT_FALSE(no_key);
  EXPECT_TRUE(api_error(no_key.error(), ErrorCode::not_found, 404));
  auto no_batch = client_->batch(BatchNumber(1'000'000));
  ASSERT_FALSE(no_batch);
  EXPECT_TRUE(api_error(no_batch.error(), ErrorCode::not_found, 404));
  auto no_withdrawal = client_->withdrawal(rollup::tx_hash(kChain, t));  // a transfer
  ASSERT_FALSE(no_withdrawal);
  EXPECT_TRUE(api_error(no_withdrawal.error(), ErrorCode::not_found, 404));
  // A malformed query: limit out of range.
  auto bad_limit = client_->withdrawals(a[0], 0);
  ASSERT_FALSE(bad_limit);
  EXPECT_TRUE(api_error(bad_limit.error(), ErrorCode::bad_query, 400));
}

TEST_F(SequencerClientTest, AServerThatIsDownIsATransportError) {
  ASSERT_TRUE(client_->status());
  EXPECT_EQ(server_->stop(), 0);  // a graceful stop
  auto s = client_->status();
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().kind, ClientError::Kind::transport) << describe(s.error());
  EXPECT_EQ(s.error().http_status, 0u);
  EXPECT_FALSE(s.error().message.empty());
  auto t = client_->submit(test::make_transfer(kChain, test_key(1), 1, 2, 1, 1, 0), kChain);
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().kind, ClientError::Kind::transport);
  auto bad_url = SequencerClient::create("ftp://nowhere", SequencerClientOptions{});
  EXPECT_FALSE(bad_url);
}

}  // namespace
}  // namespace l2::sequencer
