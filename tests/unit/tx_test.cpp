// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// Tx encodings (wire form, batches, preimage, hash), signatures, receipts, account
// leaves and account diffs: round trips, exact layouts, and strict rejection of every
// malformed input the encoding document lists.
#include <gtest/gtest.h>

#include <limits>
#include <random>
#include <set>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "rollup/account.hpp"
#include "rollup/receipt.hpp"
#include "rollup/state.hpp"
#include "rollup/tx.hpp"
#include "tests/unit/test_util.hpp"

namespace l2::rollup {
namespace {

using test::test_key;

constexpr ChainId kChain{7};
constexpr std::uint64_t kMax64 = std::numeric_limits<std::uint64_t>::max();

Signature pattern_signature(std::uint8_t seed) {
  Signature s;
  for (std::size_t i = 0; i < Signature::size(); ++i) s.array()[i] = static_cast<std::uint8_t>(seed + i);
  return s;
}

PublicKey pattern_key(std::uint8_t seed) {
  PublicKey k;
  for (std::size_t i = 0; i < PublicKey::size(); ++i)
    k.array()[i] = static_cast<std::uint8_t>(static_cast<std::size_t>(seed) * 3 + i);
  return k;
}

// One tx of each type, with every field distinct and non-zero.
std::vector<Tx> sample_txs() {
  return {
      Deposit{DepositPosition(0x1122334455667788ull), AccountIndex(0x0a0b0c0d), pattern_key(1), Amount(1000)},
      Transfer{AccountIndex(3), AccountIndex(0x01020304), Amount(kMax64), Amount(5), Nonce(9),
               pattern_signature(2)},
      Withdraw{AccountIndex(0xfffffffe), Amount(77), Amount(0), Nonce(kMax64), pattern_signature(3)},
  };
}

// ---- wire form ----------------------------------------------------------------------------

TEST(TxWire, RoundTripEachType) {
  for (const Tx& tx : sample_txs()) {
    Bytes wire = encode_tx(tx);
    auto back = decode_tx(wire);
    ASSERT_TRUE(back) << to_string(tx_type(tx)) << ": " << to_string(back.error());
    EXPECT_EQ(*back, tx) << to_string(tx_type(tx));
    EXPECT_EQ(encode_tx(*back), wire);
  }
}

TEST(TxWire, SizesAndTypeTags) {
  auto txs = sample_txs();
  EXPECT_EQ(encode_tx(txs[0]).size(), 53u);
  EXPECT_EQ(encode_tx(txs[1]).size(), 97u);
  EXPECT_EQ(encode_tx(txs[2]).size(), 93u);
  EXPECT_EQ(encode_tx(txs[0])[0], 1);
  EXPECT_EQ(encode_tx(txs[1])[0], 2);
  EXPECT_EQ(encode_tx(txs[2])[0], 3);
  EXPECT_EQ(tx_type(txs[0]), TxType::deposit);
  EXPECT_EQ(tx_type(txs[1]), TxType::transfer);
  EXPECT_EQ(tx_type(txs[2]), TxType::withdraw);
  EXPECT_EQ(to_string(TxType::deposit), "deposit");
  EXPECT_EQ(to_string(TxType::transfer), "transfer");
  EXPECT_EQ(to_string(TxType::withdraw), "withdraw");
}

TEST(TxWire, ExactLayout) {
  auto txs = sample_txs();
  ByteWriter d;
  d.u8(1);
  d.u64le(0x1122334455667788ull);
  d.u32le(0x0a0b0c0d);
  d.bytes(pattern_key(1).view());
  d.u64le(1000);
  EXPECT_EQ(to_hex(encode_tx(txs[0])), to_hex(d.data()));

  ByteWriter t;
  t.u8(2);
  t.u32le(3);
  t.u32le(0x01020304);
  t.u64le(kMax64);
  t.u64le(5);
  t.u64le(9);
  t.bytes(pattern_signature(2).view());
  EXPECT_EQ(to_hex(encode_tx(txs[1])), to_hex(t.data()));

  ByteWriter w;
  w.u8(3);
  w.u32le(0xfffffffe);
  w.u64le(77);
  w.u64le(0);
  w.u64le(kMax64);
  w.bytes(pattern_signature(3).view());
  EXPECT_EQ(to_hex(encode_tx(txs[2])), to_hex(w.data()));
}

TEST(TxWire, EveryTruncationIsRejected) {
  for (const Tx& tx : sample_txs()) {
    Bytes wire = encode_tx(tx);
    for (std::size_t n = 0; n < wire.size(); ++n) {
      auto r = decode_tx(ByteView(wire).first(n));
      ASSERT_FALSE(r) << to_string(tx_type(tx)) << " prefix " << n;
      EXPECT_EQ(r.error(), DecodeError::truncated) << to_string(tx_type(tx)) << " prefix " << n;
    }
  }
}

TEST(TxWire, TrailingBytesAreRejected) {
  for (const Tx& tx : sample_txs()) {
    Bytes wire = encode_tx(tx);
    wire.push_back(0);
    auto r = decode_tx(wire);
    ASSERT_FALSE(r) << to_string(tx_type(tx));
    EXPECT_EQ(r.error(), DecodeError::trailing_bytes);
    // The reader form stops after one tx and leaves the rest.
    ByteReader reader(wire);
    auto one = decode_tx(reader);
    ASSERT_TRUE(one);
    EXPECT_EQ(*one, tx);
    EXPECT_EQ(reader.remaining(), 1u);
  }
}

TEST(TxWire, UnknownTypeTagsAreRejectedBeforeTheBody) {
  for (int tag : {0, 4, 5, 0x80, 255}) {
    for (std::size_t body : {0u, 48u, 96u, 200u}) {
      Bytes wire(1 + body, 0);
      wire[0] = static_cast<std::uint8_t>(tag);
      auto r = decode_tx(wire);
      ASSERT_FALSE(r) << tag;
      EXPECT_EQ(r.error(), DecodeError::unknown_type) << "tag " << tag << " body " << body;
    }
  }
}

// ---- batches ------------------------------------------------------------------------------

TEST(TxBatch, RoundTrip) {
  auto txs = sample_txs();
  auto more = sample_txs();
  txs.insert(txs.end(), more.begin(), more.end());
  Bytes enc = encode_txs(txs);
  EXPECT_EQ(enc[0], 6);  // count varint
  EXPECT_EQ(enc.size(), 1u + 2 * (53 + 97 + 93));
  auto back = decode_txs(enc);
  ASSERT_TRUE(back) << to_string(back.error());
  EXPECT_EQ(*back, txs);

  Bytes empty = encode_txs({});
  EXPECT_EQ(to_hex(empty), "00");
  auto none = decode_txs(empty);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

TEST(TxBatch, EveryTruncationIsRejected) {
  Bytes enc = encode_txs(sample_txs());
  for (std::size_t n = 0; n < enc.size(); ++n) {
    auto r = decode_txs(ByteView(enc).first(n));
    ASSERT_FALSE(r) << "prefix " << n;
    EXPECT_EQ(r.error(), DecodeError::truncated) << "prefix " << n;
  }
}

TEST(TxBatch, CountLargerThanTheInputIsRejectedBeforeAllocating) {
  // A count of 1000 in a 10-byte input.
  ByteWriter w;
  w.varint(1000);
  w.bytes(Bytes(8, 0x01));
  auto r = decode_txs(w.data());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), DecodeError::truncated);

  // With no cap, a count of 2^60: reserving it would throw (length_error) or exhaust
  // memory; it must be rejected from the input size alone.
  ByteWriter huge;
  huge.varint(1ull << 60);
  encode_tx(huge, sample_txs()[0]);
  Result<std::vector<Tx>, DecodeError> h = std::vector<Tx>{};
  EXPECT_NO_THROW(h = decode_txs(huge.data(), std::numeric_limits<std::size_t>::max()));
  ASSERT_FALSE(h);
  EXPECT_EQ(h.error(), DecodeError::truncated);

  // One tx more than encoded.
  Bytes enc = encode_txs(sample_txs());
  enc[0] = 4;
  auto short_by_one = decode_txs(enc);
  ASSERT_FALSE(short_by_one);
  EXPECT_EQ(short_by_one.error(), DecodeError::truncated);
}

TEST(TxBatch, CountAboveMaxIsTooLarge) {
  auto txs = sample_txs();
  Bytes enc = encode_txs(txs);
  auto at_max = decode_txs(enc, 3);
  ASSERT_TRUE(at_max);
  EXPECT_EQ(at_max->size(), 3u);
  auto over = decode_txs(enc, 2);
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error(), DecodeError::too_large);

  ByteWriter w;
  w.varint(kMaxTxsPerBatch + 1);
  auto r = decode_txs(w.data());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), DecodeError::too_large);
}

TEST(TxBatch, TrailingBytesAndBadCountsAreRejected) {
  Bytes enc = encode_txs(sample_txs());
  enc.push_back(0x01);
  auto r = decode_txs(enc);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), DecodeError::trailing_bytes);

  // A non-minimal count (0 as 80 00).
  auto nm = decode_txs(test::hex("8000"));
  ASSERT_FALSE(nm);
  EXPECT_EQ(nm.error(), DecodeError::non_minimal_varint);

  // An unknown tag inside a batch.
  Bytes bad = encode_txs(sample_txs());
  bad[1 + 53] = 9;  // the second tx's tag
  auto u = decode_txs(bad);
  ASSERT_FALSE(u);
  EXPECT_EQ(u.error(), DecodeError::unknown_type);
}

// ---- preimage, hash, signatures -----------------------------------------------------------

TEST(TxHash, PreimageLayout) {
  auto txs = sample_txs();
  for (const Tx& tx : txs) {
    Bytes pre = signing_preimage(ChainId(0x0102030405060708ull), tx);
    Bytes wire = encode_tx(tx);
    ByteWriter want;
    want.ascii("L2STACK/TX/V1");
    want.u64le(0x0102030405060708ull);
    // type || body: the wire form without the signature.
    const std::size_t body = std::holds_alternative<Deposit>(tx) ? wire.size() : wire.size() - 64;
    want.bytes(ByteView(wire).first(body));
    EXPECT_EQ(to_hex(pre), to_hex(want.data())) << to_string(tx_type(tx));
    Bytes hashed = pre;
    if (!std::holds_alternative<Deposit>(tx)) hashed.insert(hashed.end(), wire.end() - 64, wire.end());
    EXPECT_EQ(tx_hash(ChainId(0x0102030405060708ull), tx), blake2b256(hashed));
  }
}

// Every field mutation, for each tx type: the hash must change.
TEST(TxHash, ChangesWithEveryFieldAndTheChainId) {
  auto txs = sample_txs();
  std::vector<std::pair<std::string, std::pair<Tx, Tx>>> pairs;
  {
    Deposit d = std::get<Deposit>(txs[0]);
    Deposit a = d;
    a.deposit_id = DepositPosition(a.deposit_id.value() + 1);
    Deposit b = d;
    b.to.array()[31] ^= 1;
    Deposit c = d;
    c.amount = Amount(d.amount.value() + 1);
    pairs.push_back({"deposit.id", {d, a}});
    pairs.push_back({"deposit.to", {d, b}});
    pairs.push_back({"deposit.amount", {d, c}});
  }
  {
    Transfer t = std::get<Transfer>(txs[1]);
    Transfer a = t;
    a.from = AccountIndex(t.from.value() + 1);
    Transfer b = t;
    b.to = AccountIndex(t.to.value() + 1);
    Transfer c = t;
    c.amount = Amount(t.amount.value() - 1);
    Transfer d = t;
    d.fee = Amount(t.fee.value() + 1);
    Transfer e = t;
    e.nonce = Nonce(t.nonce.value() + 1);
    Transfer f = t;
    f.signature.array()[0] ^= 1;
    for (auto& [name, m] : std::vector<std::pair<std::string, Transfer>>{{"transfer.from", a},
                                                                         {"transfer.to", b},
                                                                         {"transfer.amount", c},
                                                                         {"transfer.fee", d},
                                                                         {"transfer.nonce", e},
                                                                         {"transfer.signature", f}})
      pairs.push_back({name, {t, m}});
  }
  {
    Withdraw w = std::get<Withdraw>(txs[2]);
    Withdraw a = w;
    a.from = AccountIndex(w.from.value() + 1);
    Withdraw b = w;
    b.amount = Amount(w.amount.value() + 1);
    Withdraw c = w;
    c.fee = Amount(1);
    Withdraw d = w;
    d.nonce = Nonce(0);
    Withdraw e = w;
    e.signature.array()[63] ^= 0x80;
    for (auto& [name, m] : std::vector<std::pair<std::string, Withdraw>>{{"withdraw.from", a},
                                                                         {"withdraw.amount", b},
                                                                         {"withdraw.fee", c},
                                                                         {"withdraw.nonce", d},
                                                                         {"withdraw.signature", e}})
      pairs.push_back({name, {w, m}});
  }
  for (const auto& [name, p] : pairs) EXPECT_NE(tx_hash(kChain, p.first), tx_hash(kChain, p.second)) << name;
  for (const Tx& tx : txs) {
    EXPECT_EQ(tx_hash(kChain, tx), tx_hash(kChain, tx));
    EXPECT_NE(tx_hash(kChain, tx), tx_hash(ChainId(kChain.value() + 1), tx)) << to_string(tx_type(tx));
    EXPECT_NE(tx_hash(ChainId(0), tx), tx_hash(ChainId(1ull << 32), tx));
  }
}

TEST(TxSignature, SignAndVerify) {
  const SecretKey key = test_key(1);
  const SecretKey other = test_key(2);
  std::vector<Tx> signable = {Transfer{AccountIndex(1), AccountIndex(2), Amount(10), Amount(1), Nonce(0), {}},
                              Withdraw{AccountIndex(1), Amount(10), Amount(1), Nonce(4), {}}};
  for (Tx tx : signable) {
    sign_tx(tx, kChain, key);
    const Signature& sig = std::holds_alternative<Transfer>(tx) ? std::get<Transfer>(tx).signature
                                                                : std::get<Withdraw>(tx).signature;
    EXPECT_FALSE(sig.is_zero());
    EXPECT_TRUE(verify_signature(key.public_key(), signing_preimage(kChain, tx), sig));
    EXPECT_TRUE(verify_tx_signature(tx, kChain, key.public_key())) << to_string(tx_type(tx));
    EXPECT_FALSE(verify_tx_signature(tx, ChainId(kChain.value() + 1), key.public_key()));
    EXPECT_FALSE(verify_tx_signature(tx, kChain, other.public_key()));
    // Any flipped signature byte.
    for (std::size_t i = 0; i < Signature::size(); ++i) {
      Tx bad = tx;
      std::visit(
          [&](auto& t) {
            if constexpr (!std::is_same_v<std::decay_t<decltype(t)>, Deposit>) t.signature.array()[i] ^= 0x01;
          },
          bad);
      EXPECT_FALSE(verify_tx_signature(bad, kChain, key.public_key())) << "byte " << i;
    }
    // A changed field under the old signature.
    Tx changed = tx;
    std::visit(
        [](auto& t) {
          if constexpr (!std::is_same_v<std::decay_t<decltype(t)>, Deposit>)
            t.fee = Amount(t.fee.value() + 1);
        },
        changed);
    EXPECT_FALSE(verify_tx_signature(changed, kChain, key.public_key()));
  }
}

TEST(TxSignature, DepositsAreUnsignedAndPass) {
  Tx d = Deposit{DepositPosition(1), AccountIndex(4), pattern_key(4), Amount(5)};
  Tx before = d;
  sign_tx(d, kChain, test_key(1));
  EXPECT_EQ(d, before);
  EXPECT_TRUE(verify_tx_signature(d, kChain, test_key(9).public_key()));
}

TEST(TxSignature, SigningIsDeterministicAndTheWireFormKeepsIt) {
  Tx a = Transfer{AccountIndex(1), AccountIndex(2), Amount(10), Amount(1), Nonce(0), {}};
  Tx b = a;
  sign_tx(a, kChain, test_key(1));
  sign_tx(b, kChain, test_key(1));
  EXPECT_EQ(a, b);  // Ed25519 is deterministic
  auto back = decode_tx(encode_tx(a));
  ASSERT_TRUE(back);
  EXPECT_TRUE(verify_tx_signature(*back, kChain, test_key(1).public_key()));
}

// ---- receipts -----------------------------------------------------------------------------

std::vector<Receipt> sample_receipts() {
  std::mt19937_64 rng(30);
  std::vector<Receipt> out;
  for (std::uint8_t s = 0; s <= kMaxTxStatus; ++s)
    out.push_back(Receipt{test::random_hash(rng), static_cast<TxStatus>(s)});
  return out;
}

TEST(Receipts, RoundTripAndLayout) {
  auto rs = sample_receipts();
  Bytes enc = encode_receipts(rs);
  ASSERT_EQ(enc.size(), 1u + 33u * rs.size());
  EXPECT_EQ(enc[0], rs.size());
  EXPECT_EQ(to_hex(ByteView(enc).subspan(1, 32)), rs[0].tx_hash.hex());
  EXPECT_EQ(enc[33], 0);
  EXPECT_EQ(enc[enc.size() - 1], kMaxTxStatus);
  auto back = decode_receipts(enc);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, rs);
  auto none = decode_receipts(encode_receipts({}));
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

TEST(Receipts, StatusNames) {
  std::set<std::string> names;
  for (std::uint8_t s = 0; s <= kMaxTxStatus; ++s) names.emplace(to_string(static_cast<TxStatus>(s)));
  EXPECT_EQ(names.size(), kMaxTxStatus + 1u);
  EXPECT_EQ(to_string(TxStatus::applied), "applied");
  EXPECT_EQ(to_string(TxStatus::zero_amount), "zero_amount");
}

TEST(Receipts, StrictDecoding) {
  Bytes enc = encode_receipts(sample_receipts());
  for (std::size_t n = 0; n < enc.size(); ++n) {
    auto r = decode_receipts(ByteView(enc).first(n));
    ASSERT_FALSE(r) << "prefix " << n;
    EXPECT_EQ(r.error(), DecodeError::truncated) << "prefix " << n;
  }
  Bytes trailing = enc;
  trailing.push_back(0);
  auto t = decode_receipts(trailing);
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error(), DecodeError::trailing_bytes);

  for (int status : {9, 10, 0x80, 255}) {
    Bytes bad = enc;
    bad[33] = static_cast<std::uint8_t>(status);
    auto r = decode_receipts(bad);
    ASSERT_FALSE(r) << status;
    EXPECT_EQ(r.error(), DecodeError::out_of_range) << status;
  }

  ByteWriter huge;
  huge.varint(1ull << 60);
  huge.bytes(Bytes(33, 0));
  Result<std::vector<Receipt>, DecodeError> h = std::vector<Receipt>{};
  EXPECT_NO_THROW(h = decode_receipts(huge.data()));
  ASSERT_FALSE(h);
  EXPECT_EQ(h.error(), DecodeError::truncated);
}

// ---- account leaves -----------------------------------------------------------------------

TEST(AccountLeaf, LayoutRoundTripAndStrictness) {
  Account a{pattern_key(5), Amount(0x0102030405060708ull), Nonce(9), Amount(kMax64)};
  auto leaf = encode_leaf(a);
  ByteWriter want;
  want.bytes(a.pubkey.view());
  want.u64le(0x0102030405060708ull);
  want.u64le(9);
  want.u64le(kMax64);
  EXPECT_EQ(to_hex(leaf), to_hex(want.data()));
  auto back = decode_leaf(leaf);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, a);
  EXPECT_EQ(account_leaf_hash(a), hash_leaf(leaf));

  for (std::size_t n = 0; n < kLeafSize; ++n) {
    auto r = decode_leaf(ByteView(leaf).first(n));
    ASSERT_FALSE(r) << n;
    EXPECT_EQ(r.error(), DecodeError::truncated);
  }
  Bytes longer(leaf.begin(), leaf.end());
  longer.push_back(0);
  auto r = decode_leaf(longer);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), DecodeError::trailing_bytes);

  // Every field is in the hash.
  Account b = a;
  b.withdrawn = Amount(0);
  Account c = a;
  c.nonce = Nonce(10);
  Account d = a;
  d.balance = Amount(1);
  Account e = a;
  e.pubkey.array()[0] ^= 1;
  for (const Account& x : {b, c, d, e}) EXPECT_NE(account_leaf_hash(x), account_leaf_hash(a));
}

// ---- account diffs ------------------------------------------------------------------------

class DiffTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (std::uint8_t i = 0; i < 4; ++i)
      existing_.push_back(Account{pattern_key(i), Amount(100u + i), Nonce(i), Amount(std::uint64_t{i} * 2u)});
    auto changed = [&](std::uint32_t i, std::uint64_t balance, std::uint64_t nonce, std::uint64_t withdrawn) {
      Account after = existing_[i];
      after.balance = Amount(balance);
      after.nonce = Nonce(nonce);
      after.withdrawn = Amount(withdrawn);
      return AccountChange{AccountIndex(i), existing_[i], after};
    };
    changes_ = {changed(0, 5, 0, 0), changed(2, kMax64, kMax64, kMax64),
                AccountChange{AccountIndex(4), std::nullopt,
                              Account{pattern_key(40), Amount(7), Nonce(0), Amount(0)}},
                AccountChange{AccountIndex(5), std::nullopt,
                              Account{pattern_key(50), Amount(0), Nonce(0), Amount(0)}}};
  }
  std::vector<Account> existing_;
  std::vector<AccountChange> changes_;
};

TEST_F(DiffTest, RoundTripAndLayout) {
  Bytes enc = encode_changes(changes_);
  // count, then 2 existing (1 + 1 + 48) and 2 created (1 + 1 + 32 + 24).
  EXPECT_EQ(enc.size(), 1u + 2 * 50 + 2 * 58);
  ByteWriter first;
  first.varint(4);
  first.varint(0);
  first.u8(0);
  first.u64le(100);
  first.u64le(0);
  first.u64le(0);
  first.u64le(5);
  first.u64le(0);
  first.u64le(0);
  EXPECT_EQ(to_hex(ByteView(enc).first(first.data().size())), to_hex(first.data()));
  auto back = decode_changes(enc, existing_);
  ASSERT_TRUE(back) << to_string(back.error());
  EXPECT_EQ(*back, changes_);

  auto indices = decode_change_indices(enc);
  ASSERT_TRUE(indices);
  std::vector<std::pair<AccountIndex, bool>> want = {
      {AccountIndex(0), false}, {AccountIndex(2), false}, {AccountIndex(4), true}, {AccountIndex(5), true}};
  EXPECT_EQ(*indices, want);

  auto empty = decode_changes(encode_changes({}), existing_);
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
}

TEST_F(DiffTest, LargeIndexVarint) {
  // Index 300 is a two-byte varint; it must be an existing account.
  std::vector<Account> many(301);
  for (std::size_t i = 0; i < many.size(); ++i) many[i].pubkey = pattern_key(static_cast<std::uint8_t>(i));
  Account after = many[300];
  after.balance = Amount(1);
  std::vector<AccountChange> cs = {AccountChange{AccountIndex(300), many[300], after}};
  Bytes enc = encode_changes(cs);
  EXPECT_EQ(to_hex(ByteView(enc).first(4)), "01ac0200");
  auto back = decode_changes(enc, many);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, cs);
}

TEST_F(DiffTest, EveryTruncationAndTrailingBytesAreRejected) {
  Bytes enc = encode_changes(changes_);
  for (std::size_t n = 0; n < enc.size(); ++n) {
    auto r = decode_changes(ByteView(enc).first(n), existing_);
    ASSERT_FALSE(r) << "prefix " << n;
    EXPECT_EQ(r.error(), DecodeError::truncated) << "prefix " << n;
    auto idx = decode_change_indices(ByteView(enc).first(n));
    EXPECT_FALSE(idx) << "indices, prefix " << n;
  }
  enc.push_back(0);
  auto r = decode_changes(enc, existing_);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), DecodeError::trailing_bytes);
  auto idx = decode_change_indices(enc);
  ASSERT_FALSE(idx);
  EXPECT_EQ(idx.error(), DecodeError::trailing_bytes);

  ByteWriter huge;
  huge.varint(1ull << 60);
  huge.bytes(Bytes(60, 0));
  Result<std::vector<AccountChange>, DecodeError> h = std::vector<AccountChange>{};
  EXPECT_NO_THROW(h = decode_changes(huge.data(), existing_));
  ASSERT_FALSE(h);
  EXPECT_EQ(h.error(), DecodeError::truncated);
}

// Encodes a diff by hand: (index, flags, pubkey-or-before, after) entries.
struct RawChange {
  std::uint64_t index;
  std::uint8_t flags;
};
Bytes raw_diff(const std::vector<RawChange>& entries) {
  ByteWriter w;
  w.varint(entries.size());
  for (const auto& e : entries) {
    w.varint(e.index);
    w.u8(e.flags);
    if (e.flags == 1) {
      w.bytes(pattern_key(static_cast<std::uint8_t>(100 + e.index)).view());
    } else {
      for (int k = 0; k < 3; ++k) w.u64le(0);
    }
    for (int k = 0; k < 3; ++k) w.u64le(1);
  }
  return w.take();
}

TEST_F(DiffTest, MalformedDiffsAreRejected) {
  // Sanity: the raw encoder produces diffs the decoder accepts.
  ASSERT_TRUE(decode_changes(raw_diff({{1, 0}, {3, 0}, {4, 1}, {5, 1}}), existing_));
  ASSERT_TRUE(decode_changes(raw_diff({{4, 1}}), existing_));

  struct Bad {
    const char* name;
    Bytes diff;
  };
  Bad cases[] = {
      {"unknown flags 2", raw_diff({{1, 2}})},
      {"unknown flags 0x80", raw_diff({{1, 0x80}})},
      {"unknown flags 3", raw_diff({{4, 3}})},
      {"unsorted indices", raw_diff({{2, 0}, {1, 0}})},
      {"repeated index", raw_diff({{2, 0}, {2, 0}})},
      {"created index skips ahead", raw_diff({{5, 1}})},
      {"created index reuses an existing one", raw_diff({{3, 1}})},
      {"second created index not next", raw_diff({{4, 1}, {6, 1}})},
      {"existing change beyond the accounts", raw_diff({{4, 0}})},
      {"index above 2^32 - 1", raw_diff({{1ull << 32, 1}})},
  };
  for (const auto& c : cases) {
    auto r = decode_changes(c.diff, existing_);
    ASSERT_FALSE(r) << c.name;
    EXPECT_EQ(r.error(), DecodeError::out_of_range) << c.name;
  }
  for (const auto& c : {cases[0], cases[1], cases[2], cases[9]}) {
    auto r = decode_change_indices(c.diff);
    ASSERT_FALSE(r) << c.name;
    EXPECT_EQ(r.error(), DecodeError::out_of_range) << c.name;
  }
}

}  // namespace
}  // namespace l2::rollup
