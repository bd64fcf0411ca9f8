// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// The API's JSON and binary decoders refuse every malformed input with the code of
// docs/api.md's error table, and round-trip what they accept.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "sequencer/json_codec.hpp"

namespace l2::sequencer {
namespace {

using nlohmann::json;

const std::string kSig(128, 'a');

json good_transfer() {
  return json{{"type", "transfer"}, {"chain_id", "7"}, {"from", 12},   {"to", 40},
              {"amount", "1000"},   {"fee", "1"},      {"nonce", "0"}, {"signature", kSig}};
}

json good_withdraw() {
  return json{{"type", "withdraw"}, {"chain_id", "7"}, {"from", 12},       {"amount", "500"},
              {"fee", "1"},         {"nonce", "1"},    {"signature", kSig}};
}

// The error code a decode of `j` gives (nullopt: accepted).
std::optional<ErrorCode> code_of(const json& j) {
  auto r = tx_from_json(j);
  if (r) return std::nullopt;
  return r.error().code;
}

TEST(JsonCodec, DecodesATransfer) {
  auto r = tx_from_json(good_transfer());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->chain_id, ChainId(7));
  const auto& t = std::get<rollup::Transfer>(r->tx);
  EXPECT_EQ(t.from, AccountIndex(12));
  EXPECT_EQ(t.to, AccountIndex(40));
  EXPECT_EQ(t.amount, Amount(1000));
  EXPECT_EQ(t.fee, Amount(1));
  EXPECT_EQ(t.nonce, Nonce(0));
  EXPECT_EQ(t.signature.hex(), kSig);
}

TEST(JsonCodec, DecodesAWithdrawal) {
  auto r = tx_from_json(good_withdraw());
  ASSERT_TRUE(r) << r.error().message;
  const auto& w = std::get<rollup::Withdraw>(r->tx);
  EXPECT_EQ(w.from, AccountIndex(12));
  EXPECT_EQ(w.amount, Amount(500));
  EXPECT_EQ(w.nonce, Nonce(1));
}

TEST(JsonCodec, RoundTripsThroughTxToJson) {
  for (const json& j : {good_transfer(), good_withdraw()}) {
    auto r = tx_from_json(j);
    ASSERT_TRUE(r);
    EXPECT_EQ(tx_to_json(r->tx, r->chain_id), j);
  }
}

TEST(JsonCodec, AcceptsUpperCaseHexAndMaxValues) {
  json j = good_transfer();
  j["signature"] = std::string(128, 'F');
  j["amount"] = "18446744073709551615";
  j["chain_id"] = "18446744073709551615";
  j["from"] = 4294967295u;
  auto r = tx_from_json(j);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(std::get<rollup::Transfer>(r->tx).amount, Amount::max());
  EXPECT_EQ(std::get<rollup::Transfer>(r->tx).from, AccountIndex(4294967295u));
}

TEST(JsonCodec, RefusesUnknownTypes) {
  for (const char* type : {"deposit", "Transfer", "", "mint"}) {
    json j = good_transfer();
    j["type"] = type;
    EXPECT_EQ(code_of(j), ErrorCode::unknown_type) << type;
  }
}

// A deposit as GET /v1/transactions shows it: any_tx_from_json reads it (clients), while
// tx_from_json (ingest) keeps refusing it (above).
TEST(JsonCodec, AnyTxReadsADepositAsTheApiShowsIt) {
  const rollup::Tx d = rollup::Deposit{DepositPosition(5), AccountIndex(3),
                                       PublicKey::from_hex_string(std::string(64, 'a')).value(), Amount(900)};
  const json j = tx_to_json(d, ChainId(7));
  auto r = any_tx_from_json(j);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->tx, d);
  EXPECT_EQ(r->chain_id, ChainId(7));
  EXPECT_EQ(tx_to_json(r->tx, r->chain_id), j);
  EXPECT_EQ(code_of(j), ErrorCode::unknown_type);  // never from a client
  json extra = j;
  extra["fee"] = "1";
  EXPECT_FALSE(any_tx_from_json(extra));
  json no_key = j;
  no_key.erase("to_pubkey");
  EXPECT_FALSE(any_tx_from_json(no_key));
  auto t = any_tx_from_json(good_transfer());  // the others as tx_from_json
  ASSERT_TRUE(t);
  EXPECT_TRUE(std::holds_alternative<rollup::Transfer>(t->tx));
}

TEST(JsonCodec, RefusesATypeThatIsNotAString) {
  json j = good_transfer();
  j["type"] = 2;
  EXPECT_EQ(code_of(j), ErrorCode::bad_request);
  j.erase("type");
  EXPECT_EQ(code_of(j), ErrorCode::bad_request);
}

TEST(JsonCodec, RefusesNonObjects) {
  for (const json& j : {json::array(), json(1), json("transfer"), json(nullptr)})
    EXPECT_EQ(code_of(j), ErrorCode::bad_request) << j.dump();
}

TEST(JsonCodec, RefusesMissingFields) {
  for (const char* field : {"chain_id", "from", "to", "amount", "fee", "nonce", "signature"}) {
    json j = good_transfer();
    j.erase(field);
    auto r = tx_from_json(j);
    ASSERT_FALSE(r) << field;
    EXPECT_EQ(r.error().code, ErrorCode::bad_request);
    EXPECT_NE(r.error().message.find(field), std::string::npos) << r.error().message;
  }
}

TEST(JsonCodec, RefusesUnknownFields) {
  json j = good_transfer();
  j["memo"] = "hi";
  auto r = tx_from_json(j);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::bad_request);
  EXPECT_NE(r.error().message.find("memo"), std::string::npos);
  // A withdrawal has no recipient: "to" is an unknown field there.
  json w = good_withdraw();
  w["to"] = 1;
  EXPECT_EQ(code_of(w), ErrorCode::bad_request);
}

TEST(JsonCodec, RefusesNumbersWhereDecimalStringsAreExpected) {
  for (const char* field : {"chain_id", "amount", "fee", "nonce"}) {
    json j = good_transfer();
    j[field] = 5;
    EXPECT_EQ(code_of(j), ErrorCode::bad_request) << field;
    j[field] = 5.0;
    EXPECT_EQ(code_of(j), ErrorCode::bad_request) << field;
  }
}

TEST(JsonCodec, RefusesStringsThatAreNotCanonicalDecimals) {
  for (const char* bad : {"", "-1", "+1", "01", "1.0", "1e3", " 1", "0x10", "abc"}) {
    json j = good_transfer();
    j["amount"] = bad;
    EXPECT_EQ(code_of(j), ErrorCode::bad_request) << bad;
  }
}

TEST(JsonCodec, RefusesOutOfRangeValues) {
  json j = good_transfer();
  j["amount"] = "18446744073709551616";  // 2^64
  EXPECT_EQ(code_of(j), ErrorCode::bad_request);
  j = good_transfer();
  j["nonce"] = "99999999999999999999999";
  EXPECT_EQ(code_of(j), ErrorCode::bad_request);
  j = good_transfer();
  j["from"] = 4294967296ull;  // 2^32
  EXPECT_EQ(code_of(j), ErrorCode::bad_request);
  j = good_transfer();
  j["to"] = -1;
  EXPECT_EQ(code_of(j), ErrorCode::bad_request);
}

TEST(JsonCodec, RefusesIndicesOfTheWrongType) {
  for (const json& v : {json("12"), json(12.5), json(true), json(nullptr)}) {
    json j = good_transfer();
    j["from"] = v;
    EXPECT_EQ(code_of(j), ErrorCode::bad_request) << v.dump();
  }
}

TEST(JsonCodec, RefusesBadHex) {
  json j = good_transfer();
  j["signature"] = std::string(127, 'a');  // odd length
  EXPECT_EQ(code_of(j), ErrorCode::bad_hex);
  j["signature"] = std::string(126, 'a');  // 63 bytes
  EXPECT_EQ(code_of(j), ErrorCode::bad_hex);
  j["signature"] = std::string(130, 'a');  // 65 bytes
  EXPECT_EQ(code_of(j), ErrorCode::bad_hex);
  j["signature"] = std::string(126, 'a') + "zz";
  EXPECT_EQ(code_of(j), ErrorCode::bad_hex);
  j["signature"] = "0x" + std::string(126, 'a');
  EXPECT_EQ(code_of(j), ErrorCode::bad_hex);
  j["signature"] = 7;  // not a string at all: the wrong JSON type
  EXPECT_EQ(code_of(j), ErrorCode::bad_request);
}

TEST(JsonCodec, ParseJsonRefusesNonJson) {
  for (const char* body : {"", "{", "not json", "{\"a\":1,}", "[1,2"}) {
    auto r = parse_json(body);
    ASSERT_FALSE(r) << body;
    EXPECT_EQ(r.error().code, ErrorCode::bad_json);
  }
  EXPECT_TRUE(parse_json("{\"a\": [1, \"x\"]}"));
}

TEST(JsonCodec, BatchesAreArraysWithABound) {
  json arr = json::array({good_transfer(), good_withdraw()});
  auto r = txs_from_json(arr, 2);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->size(), 2u);
  auto over = txs_from_json(arr, 1);
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().code, ErrorCode::too_many_txs);
  auto not_array = txs_from_json(good_transfer(), 10);
  ASSERT_FALSE(not_array);
  EXPECT_EQ(not_array.error().code, ErrorCode::bad_request);
}

TEST(JsonCodec, ABadElementRefusesTheBatchAndNamesItsPosition) {
  json bad = good_transfer();
  bad["type"] = "mint";
  auto r = txs_from_json(json::array({good_transfer(), bad}), 10);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::unknown_type);
  EXPECT_EQ(r.error().message.rfind("tx 1:", 0), 0u) << r.error().message;
}

Bytes binary_batch(std::uint64_t chain, const std::vector<rollup::Tx>& txs) {
  ByteWriter w;
  w.u64le(chain);
  w.bytes(rollup::encode_txs(txs));
  return w.take();
}

TEST(JsonCodec, DecodesBinaryBatches) {
  auto t = tx_from_json(good_transfer());
  auto w = tx_from_json(good_withdraw());
  ASSERT_TRUE(t && w);
  Bytes body = binary_batch(9, {t->tx, w->tx});
  auto r = txs_from_binary(body, 10);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].chain_id, ChainId(9));
  EXPECT_EQ((*r)[0].tx, t->tx);
  EXPECT_EQ((*r)[1].tx, w->tx);
}

TEST(JsonCodec, RefusesMalformedBinaryBatches) {
  auto t = tx_from_json(good_transfer());
  ASSERT_TRUE(t);
  Bytes body = binary_batch(7, {t->tx});
  auto code = [](ByteView b, std::size_t max = 10) {
    auto r = txs_from_binary(b, max);
    return r ? std::nullopt : std::optional<ErrorCode>(r.error().code);
  };
  EXPECT_EQ(code(ByteView(body).first(5)), ErrorCode::bad_encoding);                // no chain id
  EXPECT_EQ(code(ByteView(body).first(body.size() - 1)), ErrorCode::bad_encoding);  // truncated tx
  Bytes trailing = body;
  trailing.push_back(0);
  EXPECT_EQ(code(trailing), ErrorCode::bad_encoding);
  Bytes unknown_tag = body;
  unknown_tag[9] = 9;  // the tx's type tag
  EXPECT_EQ(code(unknown_tag), ErrorCode::bad_encoding);
  EXPECT_EQ(code(body, 0), ErrorCode::too_many_txs);
  rollup::Tx deposit = rollup::Deposit{DepositPosition(1), AccountIndex(1), PublicKey(), Amount(5)};
  EXPECT_EQ(code(binary_batch(7, {deposit})), ErrorCode::unknown_type);
}

TEST(JsonCodec, DepositRequests) {
  const std::string key(64, 'b');
  auto one = deposits_from_json(json{{"public_key", key}, {"amount", "1000000"}}, 5);
  ASSERT_TRUE(one);
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ((*one)[0].amount, Amount(1000000));
  EXPECT_EQ((*one)[0].public_key.hex(), key);
  auto many = deposits_from_json(json::array({json{{"public_key", key}, {"amount", "1"}}}), 5);
  ASSERT_TRUE(many);
  EXPECT_EQ(many->size(), 1u);

  auto code = [](const json& j) {
    auto r = deposits_from_json(j, 1);
    return r ? std::nullopt : std::optional<ErrorCode>(r.error().code);
  };
  EXPECT_EQ(code(json{{"public_key", key}}), ErrorCode::bad_request);
  EXPECT_EQ(code(json{{"public_key", key}, {"amount", 1}}), ErrorCode::bad_request);
  EXPECT_EQ(code(json{{"public_key", key}, {"amount", "1"}, {"to", 3}}), ErrorCode::bad_request);
  EXPECT_EQ(code(json{{"public_key", key.substr(2)}, {"amount", "1"}}), ErrorCode::bad_hex);
  json two =
      json::array({json{{"public_key", key}, {"amount", "1"}}, json{{"public_key", key}, {"amount", "2"}}});
  EXPECT_EQ(code(two), ErrorCode::too_many_txs);
}

TEST(JsonCodec, ReceiptsInJson) {
  TxReceipt pending;
  pending.hash = Hash32::from_view(Bytes(32, 0xab));
  json p = receipt_to_json(pending);
  EXPECT_EQ(p.size(), 2u);
  EXPECT_EQ(p["status"], "pending");
  EXPECT_EQ(p["hash"], pending.hash.hex());

  TxReceipt applied = pending;
  applied.status = ReceiptCode::insufficient_balance;
  applied.batch = BatchNumber(42);
  applied.index = 17;
  applied.state_root = Hash32::from_view(Bytes(32, 0x01));
  json a = receipt_to_json(applied);
  EXPECT_EQ(a["status"], "insufficient_balance");
  EXPECT_EQ(a["batch"], "42");
  EXPECT_EQ(a["index"], 17);
  EXPECT_EQ(a["state_root"], applied.state_root.hex());

  TxReceipt refused = pending;
  refused.status = ReceiptCode::unknown_account_at_ingest;
  EXPECT_EQ(receipt_to_json(refused)["status"], "unknown_account");
  EXPECT_FALSE(receipt_to_json(refused).contains("batch"));
}

TEST(JsonCodec, ReceiptsInBinary) {
  TxReceipt a;
  a.hash = Hash32::from_view(Bytes(32, 0x11));
  a.status = ReceiptCode::applied;
  a.batch = BatchNumber(0x0102);
  a.index = 3;
  TxReceipt b;
  b.hash = Hash32::from_view(Bytes(32, 0x22));
  b.status = ReceiptCode::nonce_in_use;
  Bytes out = receipts_to_binary(std::vector<TxReceipt>{a, b});
  ASSERT_EQ(out.size(), 1u + 2 * 45);
  EXPECT_EQ(out[0], 2);
  EXPECT_EQ(out[1], 0x11);
  EXPECT_EQ(out[33], 0);     // applied
  EXPECT_EQ(out[34], 0x02);  // batch u64le
  EXPECT_EQ(out[35], 0x01);
  EXPECT_EQ(out[42], 3);                                                 // index u32le
  EXPECT_EQ(out[1 + 45 + 32], 104);                                      // nonce_in_use
  EXPECT_EQ(Bytes(out.begin() + 1 + 45 + 33, out.end()), Bytes(12, 0));  // no batch
}

TEST(JsonCodec, ErrorBodies) {
  json j =
      json::parse(error_body(ApiError{ErrorCode::bad_signature, "signature does not verify for account 12"}));
  EXPECT_EQ(j,
            (json{{"error",
                   {{"code", "bad_signature"}, {"message", "signature does not verify for account 12"}}}}));
  EXPECT_EQ(http_status(ErrorCode::mempool_full), 503u);
  EXPECT_EQ(http_status(ErrorCode::nonce_in_use), 409u);
  EXPECT_EQ(http_status(ErrorCode::too_many_txs), 413u);
  EXPECT_EQ(http_status(ErrorCode::unsupported_media_type), 415u);
  EXPECT_EQ(http_status(ErrorCode::bad_hex), 400u);
}

}  // namespace
}  // namespace l2::sequencer
