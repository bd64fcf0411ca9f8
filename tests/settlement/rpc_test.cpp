// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// basechaind's JSON-RPC 2.0 dispatcher (settlement/basechain/rpc.hpp) from body text to
// body text, over an in-memory chain: every rule of the specification (parse errors,
// invalid requests, ids, notifications, batches and their edge cases), params by name
// with the field named in every -32602, each method's result shape, each application
// error code with its data, and that no refused call changes anything. Then the typed
// client (client.hpp) against the dispatcher behind a real l2::http::Server on loopback.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "common/http/server.hpp"
#include "common/merkle.hpp"
#include "rollup/state.hpp"
#include "settlement/basechain/chain.hpp"
#include "settlement/basechain/client.hpp"
#include "settlement/basechain/rpc.hpp"
#include "settlement/basechain/standard_modules.hpp"
#include "settlement/payload.hpp"
#include "tests/unit/test_util.hpp"

namespace l2::settlement {
namespace {

using json = nlohmann::json;
using test::make_withdraw;
using test::test_key;

const ChainId kBase{31337};
const ChainId kRollup{7};
constexpr std::int64_t kStart = 1'700'000'000;

const SecretKey& alice() {
  static const SecretKey kKey = test_key(61);
  return kKey;
}
const SecretKey& bob() {
  static const SecretKey kKey = test_key(62);
  return kKey;
}
const SecretKey& sequencer() {
  static const SecretKey kKey = test_key(63);
  return kKey;
}

class RpcTest : public ::testing::Test {
 protected:
  void SetUp() override { open(true, true); }

  void open(bool dev, bool automine) {
    rpc_.reset();
    chain_.reset();
    ChainOptions o;
    o.chain_id = kBase;
    o.automine = automine;
    o.clock = [this] { return wall_; };
    o.genesis_alloc = {{alice().public_key(), Amount(1'000'000)}, {sequencer().public_key(), Amount(10)}};
    auto c = BaseChain::open(o, standard_modules());
    ASSERT_TRUE(c) << c.error().message;
    chain_ = std::move(*c);
    RpcOptions ro;
    ro.dev = dev;
    rpc_ = std::make_unique<RpcDispatcher>(*chain_, ro);
  }

  // The parsed response, or null when there is none.
  json raw(const std::string& body) {
    auto r = rpc_->handle(body);
    if (!r) return nullptr;
    json j = json::parse(*r, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << *r;
    EXPECT_FALSE(j.is_null()) << "a response is never the JSON null";
    return j;
  }
  bool answered(const std::string& body) { return rpc_->handle(body).has_value(); }

  json request(const std::string& method, const json& params = nullptr, const json& id = 1) {
    json r = {{"jsonrpc", "2.0"}, {"method", method}, {"id", id}};
    if (!params.is_null()) r["params"] = params;
    return r;
  }
  json call(const std::string& method, const json& params = nullptr) {
    return raw(request(method, params).dump());
  }
  json result(const std::string& method, const json& params = nullptr) {
    json r = call(method, params);
    EXPECT_TRUE(r.contains("result")) << r.dump();
    EXPECT_FALSE(r.contains("error")) << r.dump();
    return r.value("result", json());
  }

  std::string send_hex(const SecretKey& k, BaseTxBody body,
                       std::optional<std::uint64_t> nonce = std::nullopt) {
    const std::uint64_t n = nonce ? *nonce : chain_->account(k.public_key())->nonce.value();
    BaseTx tx{k.public_key(), Nonce(n), std::move(body), {}};
    sign_base_tx(tx, kBase, k);
    return to_hex(encode_base_tx(tx));
  }
  json send(const SecretKey& k, BaseTxBody body, std::optional<std::uint64_t> nonce = std::nullopt) {
    return call("chain_sendTransaction", {{"tx", send_hex(k, std::move(body), nonce)}});
  }

  // Everything a refused call must leave alone, as the RPC shows it.
  std::string observable() {
    json s = {result("chain_getHead"),
              result("chain_getAccount", {{"account", alice().public_key().hex()}}),
              result("chain_getAccount", {{"account", bob().public_key().hex()}}),
              result("chain_getAccount", {{"account", sequencer().public_key().hex()}}),
              result("bridge_getRollup", {{"rollup_id", kRollup.value()}}),
              result("bridge_getDeposits", {{"rollup_id", kRollup.value()}, {"from", 0}, {"limit", 1000}}),
              result("rollup_getCommitment", {{"rollup_id", kRollup.value()}, {"batch", 1}})};
    auto stats = chain_->stats();
    EXPECT_TRUE(stats);
    s.push_back(stats->pending);
    for (const auto& [k, n] : stats->txs_by_kind) s.push_back({k, n});
    return s.dump();
  }

  void register_rollup() {
    json r = send(sequencer(), RegisterRollupBody{kRollup, bob().public_key(),
                                                  test::root_of(rollup::State(bob().public_key())),
                                                  ChainDuration(3600), ChainDuration(600)});
    ASSERT_TRUE(r.contains("result")) << r.dump();
  }

  std::int64_t wall_ = kStart;
  std::unique_ptr<BaseChain> chain_;
  std::unique_ptr<RpcDispatcher> rpc_;
};

::testing::AssertionResult is_error(const json& r, int code, const json& id = nullptr) {
  if (!r.is_object()) return ::testing::AssertionFailure() << "not an object: " << r.dump();
  if (r.value("jsonrpc", "") != "2.0") return ::testing::AssertionFailure() << "no jsonrpc 2.0: " << r.dump();
  if (r.contains("result")) return ::testing::AssertionFailure() << "has a result: " << r.dump();
  if (!r.contains("id") || r["id"] != id)
    return ::testing::AssertionFailure() << "id is not " << id.dump() << ": " << r.dump();
  if (!r.contains("error") || !r["error"].is_object())
    return ::testing::AssertionFailure() << "no error: " << r.dump();
  const json& e = r["error"];
  if (e.value("code", 0) != code)
    return ::testing::AssertionFailure() << "code is not " << code << ": " << r.dump();
  if (!e.contains("message") || !e["message"].is_string() || e["message"].get<std::string>().empty())
    return ::testing::AssertionFailure() << "no message: " << r.dump();
  return ::testing::AssertionSuccess();
}

std::string message_of(const json& r) { return r["error"].value("message", ""); }

// ---- the specification ------------------------------------------------------------------------

TEST_F(RpcTest, ParseErrorsHaveANullId) {
  for (const char* body : {"", "{", "not json", R"({"jsonrpc":"2.0","method":"chain_getHead","id":1)", "[1,2",
                           "{\"jsonrpc\":\"2.0\",\"method\":\"chain_getHead\",\"id\":\"\xff\"}"})
    EXPECT_TRUE(is_error(raw(body), rpc_code::kParseError)) << body;
}

// Found by tests/fuzz/basechain_rpc (regressions/basechain_rpc/number-too-large-for-a-double-
// is-a-parse-error): nlohmann reports a number past a double's range as out_of_range, not
// parse_error, and the dispatcher let that exception out of handle().
TEST_F(RpcTest, ANumberTooLargeForADoubleIsAParseError) {
  for (const char* body : {"1e400", R"({"jsonrpc":"2.0","id":1,"method":149e184388})", "[-1e999]"})
    EXPECT_TRUE(is_error(raw(body), rpc_code::kParseError)) << body;
}

TEST_F(RpcTest, InvalidRequestsAreAnsweredEvenWithoutAnId) {
  for (const char* body :
       {"1", "\"x\"", "null", "true", "{}", R"({"method":"chain_getHead"})",
        R"({"jsonrpc":"1.0","method":"chain_getHead"})", R"({"jsonrpc":2.0,"method":"chain_getHead"})",
        R"({"jsonrpc":"2.0","method":1,"params":"bar"})", R"({"jsonrpc":"2.0"})",
        R"({"jsonrpc":"2.0","method":"chain_getHead","params":"bar"})",
        R"({"jsonrpc":"2.0","method":"chain_getHead","params":5})",
        R"({"jsonrpc":"2.0","method":"chain_getHead","id":{"a":1}})",
        R"({"jsonrpc":"2.0","method":"chain_getHead","id":[1]})",
        R"({"jsonrpc":"2.0","method":"chain_getHead","id":true})"})
    EXPECT_TRUE(is_error(raw(body), rpc_code::kInvalidRequest)) << body;
  // Where the id could be read, the answer carries it.
  EXPECT_TRUE(
      is_error(raw(R"({"jsonrpc":"1.0","method":"chain_getHead","id":7})"), rpc_code::kInvalidRequest, 7));
  EXPECT_TRUE(is_error(raw(R"({"jsonrpc":"2.0","method":"chain_getHead","id":"a","extra":1})"),
                       rpc_code::kInvalidRequest, "a"));
}

TEST_F(RpcTest, IdsAreEchoedAsSent) {
  for (const json& id :
       {json(1), json("abc"), json(nullptr), json(-5), json(1.5), json(18446744073709551615ull)}) {
    json r = raw(request("chain_getChainId", nullptr, id).dump());
    EXPECT_EQ(r["id"], id) << r.dump();
    EXPECT_EQ(r["result"], kBase.value());
  }
}

TEST_F(RpcTest, NotificationsAreExecutedButNeverAnswered) {
  const std::string fund = json{{"jsonrpc", "2.0"},
                                {"method", "dev_fund"},
                                {"params", {{"account", bob().public_key().hex()}, {"amount", "25"}}}}
                               .dump();
  EXPECT_FALSE(answered(fund));
  EXPECT_EQ(chain_->account(bob().public_key())->balance, Amount(25));
  // Failing notifications are silent too.
  EXPECT_FALSE(answered(R"({"jsonrpc":"2.0","method":"no_such_method"})"));
  EXPECT_FALSE(answered(R"({"jsonrpc":"2.0","method":"chain_getBlock","params":{"number":"x"}})"));
  EXPECT_FALSE(answered(R"({"jsonrpc":"2.0","method":"chain_getHead","params":[]})"));
  // A batch of notifications only has no response at all.
  EXPECT_FALSE(answered("[" + fund + "," + fund + "]"));
  EXPECT_EQ(chain_->account(bob().public_key())->balance, Amount(75));
}

TEST_F(RpcTest, BatchesAnswerEachRequestInOrder) {
  // The empty batch is one Invalid Request, not an array.
  json r = raw("[]");
  EXPECT_TRUE(is_error(r, rpc_code::kInvalidRequest));
  // Invalid entries: one error each.
  r = raw("[1,2,3]");
  ASSERT_TRUE(r.is_array());
  ASSERT_EQ(r.size(), 3u);
  for (const auto& e : r) EXPECT_TRUE(is_error(e, rpc_code::kInvalidRequest));
  r = raw("[1]");
  ASSERT_TRUE(r.is_array());
  EXPECT_EQ(r.size(), 1u);
  // A mix: notifications get nothing, the rest answer in order.
  r = raw(R"([{"jsonrpc":"2.0","method":"chain_getChainId","id":1},
             {"jsonrpc":"2.0","method":"dev_mine"},
             {"foo":"boo"},
             {"jsonrpc":"2.0","method":"nope","id":"5"},
             {"jsonrpc":"2.0","method":"chain_getHead","id":9}])");
  ASSERT_TRUE(r.is_array()) << r.dump();
  ASSERT_EQ(r.size(), 4u);
  EXPECT_EQ(r[0]["result"], kBase.value());
  EXPECT_EQ(r[0]["id"], 1);
  EXPECT_TRUE(is_error(r[1], rpc_code::kInvalidRequest));
  EXPECT_TRUE(is_error(r[2], rpc_code::kMethodNotFound, "5"));
  EXPECT_EQ(r[3]["result"]["number"], 1);  // the dev_mine notification ran first
  EXPECT_EQ(r[3]["id"], 9);
  // A batch inside a batch is an invalid entry.
  r = raw(R"([[{"jsonrpc":"2.0","method":"chain_getChainId","id":1}]])");
  ASSERT_TRUE(r.is_array());
  EXPECT_TRUE(is_error(r[0], rpc_code::kInvalidRequest));
}

TEST_F(RpcTest, BatchesAreBounded) {
  json batch = json::array();
  for (int i = 0; i < 100; ++i) batch.push_back(request("chain_getChainId", nullptr, i));
  json r = raw(batch.dump());
  ASSERT_TRUE(r.is_array());
  EXPECT_EQ(r.size(), 100u);
  batch.push_back(request("chain_getChainId", nullptr, 100));
  r = raw(batch.dump());
  EXPECT_TRUE(is_error(r, rpc_code::kInvalidRequest));
  EXPECT_NE(message_of(r).find("100"), std::string::npos) << r.dump();
}

TEST_F(RpcTest, UnknownMethodsAndDevMethodsWithoutDev) {
  EXPECT_TRUE(is_error(call("chain_nope"), rpc_code::kMethodNotFound, 1));
  EXPECT_TRUE(is_error(call("rpc.discover"), rpc_code::kMethodNotFound, 1));
  EXPECT_TRUE(is_error(call("CHAIN_GETHEAD"), rpc_code::kMethodNotFound, 1));
  // Names echoed in messages are clipped.
  json r = call(std::string(100000, 'x'));
  EXPECT_TRUE(is_error(r, rpc_code::kMethodNotFound, 1));
  EXPECT_LT(message_of(r).size(), 200u);
  r = call("chain_getHead", {{std::string(100000, 'y'), 1}});
  EXPECT_TRUE(is_error(r, rpc_code::kInvalidParams, 1));
  EXPECT_LT(message_of(r).size(), 200u);
  open(false, true);
  for (const char* m : {"dev_mine", "dev_advanceTime", "dev_fund", "dev_snapshot", "dev_revert"}) {
    r = call(m, json::object());
    EXPECT_TRUE(is_error(r, rpc_code::kMethodNotFound, 1)) << m;
    EXPECT_NE(message_of(r).find("--dev"), std::string::npos) << r.dump();
  }
  EXPECT_EQ(chain_->head().number, BlockNumber(0));
}

TEST_F(RpcTest, ParamsAreByNameAndEveryFieldIsChecked) {
  struct Case {
    const char* method;
    json params;
    const char* field;  // nullptr: no field to name
  };
  const std::string key = alice().public_key().hex();
  const std::vector<Case> cases = {
      {"chain_getHead", json::array(), nullptr},
      {"chain_getBlock", json::array({1}), nullptr},
      {"chain_getHead", {{"x", 1}}, "x"},
      {"chain_getBlock", json::object(), "number"},
      {"chain_getBlock", {{"number", "1"}}, "number"},
      {"chain_getBlock", {{"number", -1}}, "number"},
      {"chain_getBlock", {{"number", 1.5}}, "number"},
      {"chain_getBlock", {{"number", 1e30}}, "number"},
      {"chain_getBlock", {{"number", true}}, "number"},
      {"chain_getBlock", {{"number", 1}, {"numbr", 1}}, "numbr"},
      {"chain_getAccount", {{"account", key.substr(2)}}, "account"},
      {"chain_getAccount", {{"account", "0x" + key.substr(2)}}, "account"},
      {"chain_getAccount", {{"account", "zz" + key.substr(2)}}, "account"},
      {"chain_getAccount", {{"account", 5}}, "account"},
      {"chain_sendTransaction", {{"tx", "abc"}}, "tx"},
      {"chain_sendTransaction", {{"tx", nullptr}}, "tx"},
      {"chain_getTransaction", {{"hash", "00"}}, "hash"},
      {"chain_getLogs", {{"from_block", 0}}, "to_block"},
      {"chain_getLogs", {{"from_block", 5}, {"to_block", 4}}, "to_block"},
      {"chain_getLogs", {{"from_block", 0}, {"to_block", 10000}}, "to_block"},
      {"chain_getLogs", {{"from_block", 0}, {"to_block", 1}, {"module", 5}}, "module"},
      {"chain_getLogs", {{"from_block", 0}, {"to_block", 1}, {"rollup_id", "7"}}, "rollup_id"},
      {"bridge_getRollup", {{"rollup_id", "7"}}, "rollup_id"},
      {"bridge_getDeposits", {{"rollup_id", 7}, {"from", 0}}, "limit"},
      {"bridge_getDeposits", {{"rollup_id", 7}, {"from", 0}, {"limit", 1001}}, "limit"},
      {"bridge_getForcedTxs", {{"rollup_id", 7}, {"from", 0}, {"limit", 1001}}, "limit"},
      {"bridge_getWithdrawn", {{"rollup_id", 7}}, "account"},
      {"rollup_getCommitment", {{"rollup_id", 7}, {"batch", 1}, {"payload", "yes"}}, "payload"},
      {"dev_fund", {{"account", key}, {"amount", 5}}, "amount"},
      {"dev_fund", {{"account", key}, {"amount", "05"}}, "amount"},
      {"dev_fund", {{"account", key}, {"amount", "-5"}}, "amount"},
      {"dev_fund", {{"account", key}, {"amount", "18446744073709551616"}}, "amount"},
      {"dev_fund", {{"account", key}, {"amount", "1.0"}}, "amount"},
      {"dev_advanceTime", json::object(), "seconds"},
      {"dev_revert", {{"id", "1"}}, "id"},
  };
  const std::string before = observable();
  for (const auto& c : cases) {
    json r = call(c.method, c.params);
    EXPECT_TRUE(is_error(r, rpc_code::kInvalidParams, 1)) << c.method << " " << c.params.dump();
    if (c.field != nullptr && r.contains("error")) {
      EXPECT_NE(message_of(r).find(c.field), std::string::npos) << r.dump();
      EXPECT_EQ(r["error"]["data"]["field"], c.field) << r.dump();
    }
  }
  EXPECT_EQ(observable(), before);
  // Absent params and an empty object are the same for methods without params.
  EXPECT_EQ(call("chain_getChainId")["result"], kBase.value());
  EXPECT_EQ(call("chain_getChainId", json::object())["result"], kBase.value());
  // Upper-case hex is accepted on input.
  std::string upper = key;
  for (auto& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  EXPECT_EQ(result("chain_getAccount", {{"account", upper}})["balance"], "1000000");
}

// ---- methods ----------------------------------------------------------------------------------

TEST_F(RpcTest, ChainMethodsReturnTheDocumentedShapes) {
  json head = result("chain_getHead");
  EXPECT_EQ(head["number"], 0);
  EXPECT_EQ(head["timestamp"], kStart);
  EXPECT_EQ(head["hash"].get<std::string>().size(), 64u);

  json sent = send(alice(), TransferBody{bob().public_key(), Amount(1234)});
  ASSERT_TRUE(sent.contains("result")) << sent.dump();
  const std::string hash = sent["result"]["hash"];
  EXPECT_EQ(sent["result"]["block"], 1);  // automine

  json acct = result("chain_getAccount", {{"account", alice().public_key().hex()}});
  EXPECT_EQ(acct, (json{{"balance", "998766"}, {"nonce", 1}}));
  EXPECT_EQ(result("chain_getAccount", {{"account", Hash32().hex()}}),
            (json{{"balance", "0"}, {"nonce", 0}}));

  json block = result("chain_getBlock", {{"number", 1}});
  EXPECT_EQ(block["number"], 1);
  EXPECT_EQ(block["parent_hash"], head["hash"]);
  EXPECT_EQ(block["txs"], json::array({hash}));
  EXPECT_EQ(block["tx_root"], blake2b256(*from_hex(hash)).hex());
  EXPECT_TRUE(result("chain_getBlock", {{"number", 2}}).is_null());

  json tx = result("chain_getTransaction", {{"hash", hash}});
  EXPECT_EQ(tx["hash"], hash);
  EXPECT_EQ(tx["block"], 1);
  EXPECT_EQ(tx["index"], 0);
  EXPECT_EQ(tx["sender"], alice().public_key().hex());
  EXPECT_EQ(tx["nonce"], 0);
  EXPECT_EQ(tx["kind"], 1);
  EXPECT_EQ(tx["kind_name"], "transfer");
  EXPECT_EQ(tx["tx"], send_hex(alice(), TransferBody{bob().public_key(), Amount(1234)}, 0));
  EXPECT_TRUE(result("chain_getTransaction", {{"hash", Hash32().hex()}}).is_null());

  json logs = result("chain_getLogs", {{"from_block", 0}, {"to_block", 9999}});
  ASSERT_EQ(logs.size(), 1u);
  EXPECT_EQ(logs[0]["block"], 1);
  EXPECT_EQ(logs[0]["tx_hash"], hash);
  EXPECT_EQ(logs[0]["log_index"], 0);
  EXPECT_EQ(logs[0]["module"], "chain");
  EXPECT_EQ(logs[0]["event"], "Transfer");
  EXPECT_TRUE(logs[0]["rollup_id"].is_null());
  EXPECT_EQ(
      logs[0]["data"],
      (json{{"from", alice().public_key().hex()}, {"to", bob().public_key().hex()}, {"amount", "1234"}}));
  EXPECT_TRUE(result("chain_getLogs", {{"from_block", 0}, {"to_block", 5}, {"module", "bridge"}}).empty());
  EXPECT_TRUE(result("chain_getLogs", {{"from_block", 2}, {"to_block", 5}}).empty());
}

TEST_F(RpcTest, BridgeAndRollupMethods) {
  EXPECT_TRUE(result("bridge_getRollup", {{"rollup_id", 7}}).is_null());
  EXPECT_EQ(result("bridge_getDeposits", {{"rollup_id", 7}, {"from", 0}, {"limit", 10}}), json::array());
  register_rollup();
  ASSERT_TRUE(send(alice(), DepositBody{kRollup, alice().public_key(), Amount(500)}).contains("result"));
  const rollup::Tx forced = make_withdraw(kRollup, alice(), 1, 5, 0, 0);
  ASSERT_TRUE(send(alice(), ForceTxBody{kRollup, forced}).contains("result"));

  json r = result("bridge_getRollup", {{"rollup_id", 7}});
  EXPECT_EQ(r["rollup_id"], 7);
  EXPECT_EQ(r["sequencer"], sequencer().public_key().hex());
  EXPECT_EQ(r["operator_key"], bob().public_key().hex());
  EXPECT_EQ(r["challenge_window_s"], 3600);
  EXPECT_EQ(r["inclusion_deadline_s"], 600);
  EXPECT_EQ(r["deposit_count"], 1);
  EXPECT_EQ(r["forced_count"], 1);
  EXPECT_EQ(r["last_batch"], 0);
  EXPECT_EQ(r["last_root"], r["genesis_root"]);
  EXPECT_EQ(r["last_final"], 0);
  EXPECT_EQ(r["locked"], "500");

  json deps = result("bridge_getDeposits", {{"rollup_id", 7}, {"from", 0}, {"limit", 1000}});
  ASSERT_EQ(deps.size(), 1u);
  EXPECT_EQ(deps[0]["index"], 0);
  EXPECT_EQ(deps[0]["recipient"], alice().public_key().hex());
  EXPECT_EQ(deps[0]["amount"], "500");
  EXPECT_EQ(deps[0]["timestamp"], kStart);
  EXPECT_EQ(result("bridge_getDeposits", {{"rollup_id", 7}, {"from", 1}, {"limit", 10}}), json::array());
  EXPECT_EQ(result("bridge_getDeposits", {{"rollup_id", 7}, {"from", 0}, {"limit", 0}}), json::array());
  json forced_list = result("bridge_getForcedTxs", {{"rollup_id", 7}, {"from", 0}, {"limit", 10}});
  ASSERT_EQ(forced_list.size(), 1u);
  EXPECT_EQ(forced_list[0]["tx"], to_hex(rollup::encode_tx(forced)));
  EXPECT_EQ(result("bridge_getWithdrawn", {{"rollup_id", 7}, {"account", alice().public_key().hex()}}), "0");

  Commitment c;
  c.header.rollup_id = kRollup;
  c.header.batch = BatchNumber(1);
  c.header.prev_root = Hash32::from_hex_string(r["genesis_root"].get<std::string>()).value();
  c.header.new_root = blake2b256(as_bytes("next"));
  c.payload = *make_payload(std::vector<rollup::Tx>{make_withdraw(kRollup, alice(), 1, 5, 0, 1)});
  c.header.payload_hash = payload_hash(c.payload);
  c.header.applied_txs = 1;
  c.header.deposits_upto = DepositPosition(1);
  c.header.forced_upto = ForcedPosition(1);
  json sent = send(sequencer(), CommitBatchBody{c});
  ASSERT_TRUE(sent.contains("result")) << sent.dump();
  json got = result("rollup_getCommitment", {{"rollup_id", 7}, {"batch", 1}});
  EXPECT_EQ(got["rollup_id"], 7);
  EXPECT_EQ(got["batch"], 1);
  EXPECT_EQ(got["prev_root"], c.header.prev_root.hex());
  EXPECT_EQ(got["new_root"], c.header.new_root.hex());
  EXPECT_EQ(got["applied_txs"], 1);
  EXPECT_EQ(got["payload_hash"], c.header.payload_hash.hex());
  EXPECT_EQ(got["deposits_upto"], 1);
  EXPECT_EQ(got["forced_upto"], 1);
  EXPECT_EQ(got["mode"], "optimistic");
  EXPECT_FALSE(got.contains("payload"));
  EXPECT_EQ(got["posted_at"], kStart);
  EXPECT_EQ(got["tx_hash"], sent["result"]["hash"]);
  EXPECT_EQ(got["block"], sent["result"]["block"]);
  EXPECT_EQ(got["final"], false);
  EXPECT_EQ(got["final_at"], kStart + 3600);
  got = result("rollup_getCommitment", {{"rollup_id", 7}, {"batch", 1}, {"payload", true}});
  EXPECT_EQ(got["payload"], to_hex(c.payload));
  EXPECT_TRUE(result("rollup_getCommitment", {{"rollup_id", 7}, {"batch", 2}}).is_null());

  json head = result("dev_advanceTime", {{"seconds", 3600}});
  EXPECT_EQ(head["timestamp"], kStart + 3600);
  EXPECT_EQ(result("rollup_getCommitment", {{"rollup_id", 7}, {"batch", 1}})["final"], true);
  EXPECT_EQ(result("bridge_getRollup", {{"rollup_id", 7}})["last_final"], 1);

  json logs = result("chain_getLogs", {{"from_block", 0}, {"to_block", 100}, {"rollup_id", 7}});
  std::vector<std::string> events;
  for (const auto& l : logs)
    events.push_back(l["module"].get<std::string>() + "/" + l["event"].get<std::string>());
  EXPECT_EQ(events, (std::vector<std::string>{"registry/RollupRegistered", "bridge/Deposit",
                                              "bridge/ForcedTx", "commitments/BatchCommitted"}));
  EXPECT_EQ(result("chain_getLogs", {{"from_block", 0}, {"to_block", 100}, {"event", "Deposit"}}).size(), 1u);
  EXPECT_EQ(result("chain_getLogs", {{"from_block", 0}, {"to_block", 100}, {"rollup_id", 8}}).size(), 0u);
}

TEST_F(RpcTest, DevMethods) {
  json head = result("dev_mine");
  EXPECT_EQ(head["number"], 1);
  head = result("dev_advanceTime", {{"seconds", 60}});
  EXPECT_EQ(head["number"], 2);
  EXPECT_EQ(head["timestamp"], kStart + 60);
  json f = result("dev_fund", {{"account", bob().public_key().hex()}, {"amount", "99"}});
  EXPECT_EQ(f["block"], 3);
  EXPECT_EQ(result("chain_getAccount", {{"account", bob().public_key().hex()}})["balance"], "99");
  EXPECT_EQ(result("chain_getTransaction", {{"hash", f["hash"]}})["kind_name"], "dev_fund");
  json zero = call("dev_fund", {{"account", bob().public_key().hex()}, {"amount", "0"}});
  EXPECT_TRUE(is_error(zero, rpc_code::kRefused, 1));
  EXPECT_EQ(zero["error"]["data"]["reason"], "zero_amount");
  // No snapshots for a chain in memory.
  json snap = call("dev_snapshot");
  EXPECT_TRUE(is_error(snap, rpc_code::kRefused, 1));
  EXPECT_EQ(snap["error"]["data"]["reason"], "unavailable");
}

TEST_F(RpcTest, WithoutAutomineSentTxsHaveNoBlockYet) {
  open(true, false);
  json sent = send(alice(), TransferBody{bob().public_key(), Amount(1)});
  EXPECT_TRUE(sent["result"]["block"].is_null());
  EXPECT_TRUE(result("chain_getTransaction", {{"hash", sent["result"]["hash"]}})["block"].is_null());
  EXPECT_TRUE(result("chain_getTransaction", {{"hash", sent["result"]["hash"]}})["index"].is_null());
  result("dev_mine");
  EXPECT_EQ(result("chain_getTransaction", {{"hash", sent["result"]["hash"]}})["block"], 1);
}

// ---- application errors -----------------------------------------------------------------------

TEST_F(RpcTest, ApplicationErrorsHaveTheirCodeAReasonAndChangeNothing) {
  register_rollup();
  const std::string before = observable();
  auto check = [&](const json& r, int code, const std::string& reason) {
    EXPECT_TRUE(is_error(r, code, 1)) << reason;
    EXPECT_EQ(r["error"]["data"]["reason"], reason) << r.dump();
    EXPECT_EQ(observable(), before) << reason;
  };
  // -32001: a signature that does not verify.
  std::string tx = send_hex(alice(), TransferBody{bob().public_key(), Amount(1)});
  tx[tx.size() - 1] = tx.back() == '0' ? '1' : '0';
  check(call("chain_sendTransaction", {{"tx", tx}}), rpc_code::kInvalidSignature, "invalid_signature");
  // -32002: the message says what was expected and what came.
  json r = send(alice(), TransferBody{bob().public_key(), Amount(1)}, 5);
  check(r, rpc_code::kWrongNonce, "wrong_nonce");
  EXPECT_NE(message_of(r).find("expected 0, got 5"), std::string::npos) << r.dump();
  EXPECT_EQ(r["error"]["data"]["expected"], 0);
  EXPECT_EQ(r["error"]["data"]["got"], 5);
  // -32003.
  r = send(bob(), TransferBody{alice().public_key(), Amount(1)});
  check(r, rpc_code::kInsufficientFunds, "insufficient_funds");
  check(send(sequencer(), DepositBody{kRollup, alice().public_key(), Amount(11)}),
        rpc_code::kInsufficientFunds, "insufficient_funds");
  // -32004 with the module's reason.
  check(send(alice(),
             RegisterRollupBody{kRollup, bob().public_key(), Hash32(), ChainDuration(1), ChainDuration(1)}),
        rpc_code::kRefused, "rollup_exists");
  check(send(alice(), DepositBody{ChainId(99), alice().public_key(), Amount(1)}), rpc_code::kRefused,
        "unknown_rollup");
  check(send(alice(), DepositBody{kRollup, alice().public_key(), Amount(0)}), rpc_code::kRefused,
        "zero_amount");
  Commitment c;
  c.header.rollup_id = kRollup;
  c.header.batch = BatchNumber(2);
  c.payload = *make_payload({});
  c.header.payload_hash = payload_hash(c.payload);
  check(send(sequencer(), CommitBatchBody{c}), rpc_code::kRefused, "wrong_batch");
  check(send(alice(), CommitBatchBody{c}), rpc_code::kRefused, "not_sequencer");
  // -32005: hex that is no base tx.
  check(call("chain_sendTransaction", {{"tx", "00"}}), rpc_code::kMalformedTx, "malformed_tx");
  check(call("chain_sendTransaction", {{"tx", ""}}), rpc_code::kMalformedTx, "malformed_tx");
  check(call("chain_sendTransaction", {{"tx", tx + "00"}}), rpc_code::kMalformedTx, "malformed_tx");
  // None of them counted as a tx; each counted as a refusal.
  const std::string metrics = rpc_->metrics().render(*chain_->stats());
  EXPECT_NE(metrics.find("basechain_tx_refusals_total{reason=\"wrong_nonce\"} 1"), std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("basechain_tx_refusals_total{reason=\"malformed_tx\"} 3"), std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("basechain_tx_refusals_total{reason=\"insufficient_funds\"} 2"), std::string::npos);
}

TEST_F(RpcTest, StorageFailuresAreInternalErrorsAndChangeNothing) {
  const std::string before = observable();
  chain_->set_fault_hook([](std::string_view p) -> std::optional<DbError> {
    if (p == "chain:submit") return DbError{-1, "injected"};
    return std::nullopt;
  });
  json r = send(alice(), TransferBody{bob().public_key(), Amount(1)});
  EXPECT_TRUE(is_error(r, rpc_code::kInternalError, 1));
  chain_->set_fault_hook({});
  EXPECT_EQ(observable(), before);
}

TEST_F(RpcTest, MetricsCountRequestsBlocksAndTxs) {
  result("chain_getHead");
  result("chain_getHead");
  call("whatever");
  send(alice(), TransferBody{bob().public_key(), Amount(1)});
  const std::string m = rpc_->metrics().render(*chain_->stats());
  EXPECT_NE(m.find("basechain_rpc_requests_total{method=\"chain_getHead\"} 2"), std::string::npos) << m;
  EXPECT_NE(m.find("basechain_rpc_requests_total{method=\"unknown\"} 1"), std::string::npos) << m;
  EXPECT_NE(m.find("basechain_rpc_errors_total{code=\"-32601\"} 1"), std::string::npos) << m;
  EXPECT_NE(m.find("basechain_txs_total{kind=\"transfer\"} 1"), std::string::npos) << m;
  EXPECT_NE(m.find("basechain_head_block 1"), std::string::npos) << m;
  EXPECT_NE(m.find("# TYPE basechain_blocks_total counter"), std::string::npos) << m;
}

TEST(RpcErrorBody, IsAWholeResponseWithANullId) {
  json j = json::parse(rpc_error_body(rpc_code::kInvalidRequest, "too large"));
  EXPECT_EQ(
      j,
      (json{{"jsonrpc", "2.0"}, {"id", nullptr}, {"error", {{"code", -32600}, {"message", "too large"}}}}));
}

// ---- the typed client over HTTP ------------------------------------------------------------------

class ClientTest : public RpcTest {
 protected:
  void SetUp() override {
    RpcTest::SetUp();
    http::ServerOptions so;
    so.port = 0;
    auto server = http::Server::start(
        [this](const http::Request& req, const http::Respond& respond) {
          http::Response r;
          auto body = rpc_->handle(req.body);
          r.status = body ? 200 : 204;
          r.body = body.value_or("");
          respond(std::move(r));
        },
        [](http::TransportError, std::string_view m) {
          http::Response r;
          r.status = 400;
          r.body = rpc_error_body(rpc_code::kInvalidRequest, m);
          return r;
        },
        so);
    ASSERT_TRUE(server) << server.error();
    server_ = std::move(*server);
    auto client = BaseChainClient::create("http://" + server_->bound_address());
    ASSERT_TRUE(client) << client.error();
    client_ = std::move(*client);
  }
  void TearDown() override {
    client_.reset();
    if (server_) server_->stop(std::chrono::milliseconds(1000));
  }
  std::unique_ptr<http::Server> server_;
  std::unique_ptr<BaseChainClient> client_;
};

BaseTx signed_tx(const SecretKey& k, Nonce nonce, BaseTxBody body) {
  BaseTx tx{k.public_key(), nonce, std::move(body), {}};
  sign_base_tx(tx, kBase, k);
  return tx;
}

TEST_F(ClientTest, TypedCallsRoundTrip) {
  EXPECT_EQ(*client_->chain_id(), kBase);
  auto head = client_->head();
  ASSERT_TRUE(head) << head.error().message;
  EXPECT_EQ(head->number, BlockNumber(0));
  EXPECT_EQ(head->timestamp, ChainTime(kStart));
  EXPECT_EQ(head->hash, chain_->head().hash);
  auto acct = client_->account(alice().public_key());
  ASSERT_TRUE(acct);
  EXPECT_EQ(acct->balance, Amount(1'000'000));
  EXPECT_EQ(acct->nonce, Nonce(0));

  EXPECT_FALSE(*client_->rollup(kRollup));
  const Hash32 genesis = test::root_of(rollup::State(bob().public_key()));
  auto sent = client_->send(signed_tx(
      sequencer(), Nonce(0),
      RegisterRollupBody{kRollup, bob().public_key(), genesis, ChainDuration(60), ChainDuration(600)}));
  ASSERT_TRUE(sent) << sent.error().message;
  EXPECT_TRUE(
      client_->send(signed_tx(alice(), Nonce(0), DepositBody{kRollup, bob().public_key(), Amount(70)})));
  const rollup::Tx forced = make_withdraw(kRollup, alice(), 1, 5, 0, 0);
  EXPECT_TRUE(client_->send(signed_tx(alice(), Nonce(1), ForceTxBody{kRollup, forced})));

  auto info = client_->rollup(kRollup);
  ASSERT_TRUE(info && *info);
  EXPECT_EQ((*info)->sequencer, sequencer().public_key());
  EXPECT_EQ((*info)->operator_key, bob().public_key());
  EXPECT_EQ((*info)->genesis_root, genesis);
  EXPECT_EQ((*info)->challenge_window_s, ChainDuration(60));
  EXPECT_EQ((*info)->inclusion_deadline_s, ChainDuration(600));
  EXPECT_EQ((*info)->deposit_count, 1u);
  EXPECT_EQ((*info)->forced_count, 1u);
  EXPECT_EQ((*info)->last_root, genesis);
  EXPECT_EQ((*info)->locked, Amount(70));

  auto deps = client_->deposits(kRollup, DepositPosition(0), 10);
  ASSERT_TRUE(deps);
  ASSERT_EQ(deps->size(), 1u);
  EXPECT_EQ((*deps)[0].recipient, bob().public_key());
  EXPECT_EQ((*deps)[0].amount, Amount(70));
  EXPECT_EQ((*deps)[0].timestamp, ChainTime(kStart));
  auto fx = client_->forced(kRollup, ForcedPosition(0), 10);
  ASSERT_TRUE(fx);
  ASSERT_EQ(fx->size(), 1u);
  EXPECT_EQ((*fx)[0].tx, forced);

  Commitment c;
  c.header.rollup_id = kRollup;
  c.header.batch = BatchNumber(1);
  c.header.prev_root = genesis;
  c.header.new_root = blake2b256(as_bytes("root 1"));
  c.payload = *make_payload(std::vector<rollup::Tx>{make_withdraw(kRollup, alice(), 1, 5, 0, 1)});
  c.header.payload_hash = payload_hash(c.payload);
  c.header.applied_txs = 1;
  c.header.deposits_upto = DepositPosition(1);
  c.header.forced_upto = ForcedPosition(1);
  ASSERT_TRUE(client_->send(signed_tx(sequencer(), Nonce(1), CommitBatchBody{c})));
  auto rec = client_->commitment(kRollup, BatchNumber(1), true);
  ASSERT_TRUE(rec && *rec) << (rec ? "null" : rec.error().message);
  EXPECT_EQ((*rec)->commitment, c);
  EXPECT_EQ((*rec)->posted_at, ChainTime(kStart));
  EXPECT_EQ((*rec)->block, std::optional<BlockNumber>(chain_->head().number));
  EXPECT_FALSE((*rec)->is_final);
  EXPECT_EQ((*rec)->final_at, ChainTime(kStart + 60));
  rec = client_->commitment(kRollup, BatchNumber(1), false);
  EXPECT_TRUE((*rec)->commitment.payload.empty());
  EXPECT_FALSE(*client_->commitment(kRollup, BatchNumber(2), false));
  EXPECT_EQ(*client_->withdrawn(kRollup, alice().public_key()), Amount(0));

  auto mined = client_->dev_mine();
  ASSERT_TRUE(mined);
  EXPECT_EQ(mined->number, chain_->head().number);
  auto later = client_->dev_advance_time(ChainDuration(60));
  ASSERT_TRUE(later);
  EXPECT_EQ(later->timestamp, ChainTime(kStart + 60));
  EXPECT_TRUE((*client_->commitment(kRollup, BatchNumber(1), false))->is_final);
  EXPECT_EQ((*client_->rollup(kRollup))->last_final, BatchNumber(1));
  auto funded = client_->dev_fund(bob().public_key(), Amount(5));
  ASSERT_TRUE(funded);
  EXPECT_EQ(client_->account(bob().public_key())->balance, Amount(5));

  auto raw = client_->call("chain_getBlock", R"({"number":0})");
  ASSERT_TRUE(raw);
  EXPECT_EQ(json::parse(*raw)["number"], 0);
}

TEST_F(ClientTest, ErrorsCarryCodeMessageAndReason) {
  auto r = client_->send(signed_tx(alice(), Nonce(3), TransferBody{bob().public_key(), Amount(1)}));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, rpc_code::kWrongNonce);
  EXPECT_EQ(r.error().reason, "wrong_nonce");
  EXPECT_NE(r.error().message.find("expected 0, got 3"), std::string::npos);
  EXPECT_FALSE(r.error().unreachable());
  r = client_->send(signed_tx(alice(), Nonce(0), DepositBody{kRollup, bob().public_key(), Amount(1)}));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, rpc_code::kRefused);
  EXPECT_EQ(r.error().reason, "unknown_rollup");
  auto raw = client_->call("nope", "");
  ASSERT_FALSE(raw);
  EXPECT_EQ(raw.error().code, rpc_code::kMethodNotFound);
  raw = client_->call("chain_getBlock", "[1]");
  ASSERT_FALSE(raw);
  EXPECT_EQ(raw.error().code, rpc_code::kInvalidParams);
}

TEST_F(ClientTest, AnUnreachableChainIsCodeZero) {
  const std::string url = "http://" + server_->bound_address();
  server_->stop(std::chrono::milliseconds(100));
  server_.reset();
  auto r = client_->head();
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().unreachable()) << r.error().code << " " << r.error().message;
  http::ClientOptions o;
  o.timeout = std::chrono::milliseconds(500);
  EXPECT_FALSE(BaseChainClient::create(url, o));
}

}  // namespace
}  // namespace l2::settlement
