// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// Commitments and batch origins: the exact layout, round trips, the commitment id,
// strictness (every truncation, trailing bytes, bad version/mode, oversized or
// non-minimal payload length, from > upto), and make_commitment over batches built
// by the reference chain (deposits, forced txs, rejected txs left out of the payload).
// Also the C++ side of the settlement vectors of docs/encoding.md: genesis, payloads,
// commitments, batch origins (base txs: basechain_tx_test.cpp).
#include <gtest/gtest.h>
#include <zstd.h>

#include <array>
#include <iostream>
#include <vector>

#include "settlement/commitment.hpp"
#include "settlement/payload.hpp"
#include "tests/unit/test_util.hpp"
#include "tests/vectors/settlement_vectors.hpp"

namespace l2::settlement {
namespace {

using test::make_deposit;
using test::make_transfer;
using test::make_withdraw;
using test::test_key;

constexpr std::size_t kHeaderSize = 1 + 8 + 8 + 32 + 32 + 4 + 32 + 8 + 8 + 1;

Hash32 filled(std::uint8_t b) {
  Hash32 h;
  h.array().fill(b);
  return h;
}

Commitment sample() {
  Commitment c;
  c.header.rollup_id = ChainId(7);
  c.header.batch = BatchNumber(3);
  c.header.prev_root = filled(0x11);
  c.header.new_root = filled(0x22);
  c.header.applied_txs = 0x01020304;
  c.header.payload_hash = filled(0x33);
  c.header.deposits_upto = DepositPosition(5);
  c.header.forced_upto = ForcedPosition(0xffffffffffffffffull);
  c.header.mode = SettlementMode::validity;
  c.payload = {0xde, 0xad, 0xbe, 0xef};
  return c;
}

TEST(Commitment, HeaderLayout) {
  ByteWriter w;
  encode_header(w, sample().header);
  const Bytes& b = w.data();
  ASSERT_EQ(b.size(), kHeaderSize);
  EXPECT_EQ(b[0], kCommitmentVersion);
  EXPECT_EQ(b[1], 7);  // rollup_id u64le
  EXPECT_EQ(b[9], 3);  // batch u64le
  EXPECT_EQ(b[17], 0x11);
  EXPECT_EQ(b[49], 0x22);
  EXPECT_EQ(b[81], 0x04);  // applied_txs u32le
  EXPECT_EQ(b[84], 0x01);
  EXPECT_EQ(b[85], 0x33);
  EXPECT_EQ(b[117], 5);
  EXPECT_EQ(b[125], 0xff);
  EXPECT_EQ(b[133], 1);  // mode
}

TEST(Commitment, RoundTrip) {
  const Commitment c = sample();
  const Bytes enc = encode_commitment(c);
  ASSERT_EQ(enc.size(), kHeaderSize + 1 + 4);
  EXPECT_EQ(enc[kHeaderSize], 4);  // payload_len varint
  auto back = decode_commitment(enc);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, c);

  Commitment empty = c;
  empty.payload.clear();
  empty.header.mode = SettlementMode::optimistic;
  auto back2 = decode_commitment(encode_commitment(empty));
  ASSERT_TRUE(back2);
  EXPECT_EQ(*back2, empty);
}

TEST(Commitment, IdIsTaggedHashOfHeader) {
  const Commitment c = sample();
  ByteWriter w;
  w.ascii("L2STACK/COMMIT/V1");
  encode_header(w, c.header);
  EXPECT_EQ(commitment_id(c.header), blake2b256(w.data()));
  // The payload is named by its hash, not part of the id.
  Commitment d = c;
  d.payload.push_back(0);
  EXPECT_EQ(commitment_id(d.header), commitment_id(c.header));
  d.header.new_root = filled(0x23);
  EXPECT_NE(commitment_id(d.header), commitment_id(c.header));
}

TEST(Commitment, TruncationAtEveryByteIsRefused) {
  const Bytes enc = encode_commitment(sample());
  for (std::size_t n = 0; n < enc.size(); ++n) {
    auto r = decode_commitment(ByteView(enc).first(n));
    ASSERT_FALSE(r) << "accepted " << n << " of " << enc.size() << " bytes";
    EXPECT_EQ(r.error(), DecodeError::truncated) << n;
  }
}

TEST(Commitment, TrailingBytesAreRefused) {
  Bytes enc = encode_commitment(sample());
  enc.push_back(0);
  auto r = decode_commitment(enc);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), DecodeError::trailing_bytes);
  // Through a reader the caller decides what follows.
  ByteReader reader(enc);
  EXPECT_TRUE(decode_commitment(reader));
  EXPECT_EQ(reader.remaining(), 1u);
}

TEST(Commitment, BadVersionAndModeAreRefused) {
  const Bytes enc = encode_commitment(sample());
  for (const std::uint8_t v : std::array<std::uint8_t, 3>{0, 2, 255}) {
    Bytes bad = enc;
    bad[0] = v;
    auto r = decode_commitment(bad);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), DecodeError::out_of_range);
  }
  for (const std::uint8_t m : std::array<std::uint8_t, 2>{2, 255}) {
    Bytes bad = enc;
    bad[kHeaderSize - 1] = m;
    auto r = decode_commitment(bad);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), DecodeError::out_of_range);
  }
}

TEST(Commitment, PayloadLengthIsStrict) {
  ByteWriter w;
  encode_header(w, sample().header);
  const Bytes header = w.data();
  {  // non-minimal length 4 as 84 00
    Bytes bad = header;
    for (const std::uint8_t b : std::array<std::uint8_t, 6>{0x84, 0x00, 0xde, 0xad, 0xbe, 0xef})
      bad.push_back(b);
    auto r = decode_commitment(bad);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), DecodeError::non_minimal_varint);
  }
  {  // over the limit: refused before reading (and before allocating)
    ByteWriter big;
    big.bytes(header);
    big.varint(kMaxPayloadBytes + 1);
    auto r = decode_commitment(big.data());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), DecodeError::too_large);
  }
  {  // a length the input can't hold
    ByteWriter big;
    big.bytes(header);
    big.varint(1000);
    big.u8(0);
    auto r = decode_commitment(big.data());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), DecodeError::truncated);
  }
}

TEST(BatchOrigin, RoundTripAndLayout) {
  const BatchOrigin o{DepositPosition(1), DepositPosition(3), ForcedPosition(7), ForcedPosition(7)};
  const Bytes enc = encode_origin(o);
  ASSERT_EQ(enc.size(), 33u);
  EXPECT_EQ(enc[0], kOriginVersion);
  EXPECT_EQ(enc[1], 1);
  EXPECT_EQ(enc[9], 3);
  EXPECT_EQ(enc[17], 7);
  EXPECT_EQ(enc[25], 7);
  auto back = decode_origin(enc);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, o);
  EXPECT_EQ(o.deposit_count(), 2u);
  EXPECT_EQ(o.forced_count(), 0u);
}

TEST(BatchOrigin, Strict) {
  const Bytes enc = encode_origin(
      BatchOrigin{DepositPosition(1), DepositPosition(3), ForcedPosition(7), ForcedPosition(9)});
  for (std::size_t n = 0; n < enc.size(); ++n) EXPECT_FALSE(decode_origin(ByteView(enc).first(n))) << n;
  Bytes trailing = enc;
  trailing.push_back(0);
  EXPECT_EQ(decode_origin(trailing).error(), DecodeError::trailing_bytes);
  Bytes version = enc;
  version[0] = 2;
  EXPECT_EQ(decode_origin(version).error(), DecodeError::out_of_range);
  EXPECT_EQ(decode_origin(encode_origin(BatchOrigin{DepositPosition(4), DepositPosition(3), ForcedPosition(0),
                                                    ForcedPosition(0)}))
                .error(),
            DecodeError::out_of_range);
  EXPECT_EQ(decode_origin(encode_origin(BatchOrigin{DepositPosition(0), DepositPosition(0), ForcedPosition(9),
                                                    ForcedPosition(8)}))
                .error(),
            DecodeError::out_of_range);
}

// ---- make_commitment ------------------------------------------------------------------

const ChainId kChain{42};

class MakeCommitment : public ::testing::Test {
 protected:
  MakeCommitment() : chain_(kChain, test_key(100).public_key()) {}

  // Batch 1: deposits 0..2 (alice, bob, carol), one forced withdrawal by alice that
  // applies, one forced transfer by bob with a bad nonce (rejected), then user txs,
  // one of them rejected (insufficient balance).
  void build() {
    txs_ = {
        make_deposit(0, 1, alice_.public_key(), 1000),
        make_deposit(1, 2, bob_.public_key(), 1000),
        make_deposit(2, 3, carol_.public_key(), 1000),
        make_withdraw(kChain, alice_, 1, 10, 1, 0),      // forced, applies
        make_transfer(kChain, bob_, 2, 1, 10, 1, 5),     // forced, bad nonce
        make_transfer(kChain, alice_, 1, 2, 100, 2, 1),  // applies
        make_transfer(kChain, bob_, 2, 3, 5000, 1, 0),   // insufficient balance
        make_transfer(kChain, bob_, 2, 3, 50, 1, 0),     // applies
    };
    stored_ = chain_.next(txs_);
    origin_ = BatchOrigin{DepositPosition(0), DepositPosition(3), ForcedPosition(0), ForcedPosition(2)};
  }

  CommittedBatchView view() const {
    return CommittedBatchView{
        kChain, stored_.header, txs_, chain_.receipts_at(1), origin_, SettlementMode::optimistic};
  }

  SecretKey alice_ = test_key(1);
  SecretKey bob_ = test_key(2);
  SecretKey carol_ = test_key(3);
  test::ChainBuilder chain_;
  std::vector<rollup::Tx> txs_;
  rollup::StoredBatch stored_;
  BatchOrigin origin_;
};

TEST_F(MakeCommitment, PayloadIsTheAppliedUserTxs) {
  build();
  const auto& receipts = chain_.receipts_at(1);
  ASSERT_EQ(receipts[3].status, rollup::TxStatus::applied);
  ASSERT_EQ(receipts[4].status, rollup::TxStatus::bad_nonce);
  ASSERT_EQ(receipts[6].status, rollup::TxStatus::insufficient_balance);

  auto c = make_commitment(view());
  ASSERT_TRUE(c) << c.error();
  EXPECT_EQ(c->header.rollup_id, kChain);
  EXPECT_EQ(c->header.batch, BatchNumber(1));
  EXPECT_EQ(c->header.prev_root, chain_.header_at(0).state_root);
  EXPECT_EQ(c->header.new_root, chain_.header_at(1).state_root);
  EXPECT_EQ(c->header.applied_txs, 2u);
  EXPECT_EQ(c->header.deposits_upto, DepositPosition(3));
  EXPECT_EQ(c->header.forced_upto, ForcedPosition(2));
  EXPECT_EQ(c->header.mode, SettlementMode::optimistic);
  EXPECT_EQ(c->header.payload_hash, payload_hash(c->payload));
  auto opened = open_payload(c->payload);
  ASSERT_TRUE(opened);
  ASSERT_EQ(opened->size(), 2u);
  // Nonces come back from the state after the deposits and forced txs.
  rollup::State after_queues = chain_.state_at(0);
  {
    rollup::OverlayState o(after_queues);
    for (std::size_t i = 0; i < 5; ++i) (void)rollup::apply_tx(o, kChain, txs_[i]);
    after_queues.apply(o.changes());
  }
  fill_nonces(*opened, after_queues);
  EXPECT_EQ((*opened)[0], txs_[5]);
  EXPECT_EQ((*opened)[1], txs_[7]);
  // The same batch always gives the same commitment.
  auto again = make_commitment(view());
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, *c);
}

TEST_F(MakeCommitment, InconsistentInputsAreReported) {
  build();
  {
    auto v = view();
    v.origin = BatchOrigin{DepositPosition(1), DepositPosition(4), ForcedPosition(0),
                           ForcedPosition(2)};  // deposit ids 0.. are not 1..
    EXPECT_FALSE(make_commitment(v));
  }
  {
    auto v = view();
    v.origin = BatchOrigin{DepositPosition(0), DepositPosition(2), ForcedPosition(0),
                           ForcedPosition(3)};  // the third deposit would count as a forced tx
    EXPECT_FALSE(make_commitment(v));
  }
  {
    auto v = view();
    v.origin = BatchOrigin{DepositPosition(0), DepositPosition(4), ForcedPosition(0),
                           ForcedPosition(1)};  // tx 3 is not a deposit
    EXPECT_FALSE(make_commitment(v));
  }
  {
    auto v = view();
    v.origin = BatchOrigin{DepositPosition(0), DepositPosition(3), ForcedPosition(0),
                           ForcedPosition(6)};  // more queued txs than the batch has
    EXPECT_FALSE(make_commitment(v));
  }
  {
    auto v = view();
    v.receipts = v.receipts.first(v.receipts.size() - 1);
    EXPECT_FALSE(make_commitment(v));
  }
  {
    auto v = view();
    v.header.applied_count += 1;
    EXPECT_FALSE(make_commitment(v));
  }
  {
    auto v = view();
    v.header.tx_count -= 1;
    EXPECT_FALSE(make_commitment(v));
  }
}

TEST_F(MakeCommitment, EmptyBatch) {
  stored_ = chain_.next({});
  auto c = make_commitment(CommittedBatchView{kChain, stored_.header, {}, {}, BatchOrigin{}, {}});
  ASSERT_TRUE(c) << c.error();
  EXPECT_EQ(c->header.applied_txs, 0u);
  EXPECT_EQ(c->header.prev_root, c->header.new_root);
  auto opened = open_payload(c->payload);
  ASSERT_TRUE(opened);
  EXPECT_TRUE(opened->empty());
}

}  // namespace
}  // namespace l2::settlement

// ---- the settlement vectors of docs/encoding.md (section 11.7) --------------------------

namespace l2::settlement {
namespace {

namespace tv = test::vectors;

TEST(SettlementVectors, Genesis) {
  REQUIRE_SETTLEMENT_VECTORS();
  for (const auto& g : sv.at("genesis")) {
    const rollup::State genesis(tv::fixed<PublicKey>(g.at("operator_key")));
    const auto leaf = rollup::encode_leaf(genesis.at(rollup::kFeeAccount));
    EXPECT_EQ(to_hex(leaf), g.at("leaf").get<std::string>());
    EXPECT_EQ(test::root_of(genesis).hex(), g.at("root").get<std::string>());
  }
}

TEST(SettlementVectors, Payloads) {
  REQUIRE_SETTLEMENT_VECTORS();
  const auto& txs = tv::all().at("txs");
  ASSERT_FALSE(sv.at("payloads").empty());
  for (const auto& p : sv.at("payloads")) {
    SCOPED_TRACE(p.at("name").get<std::string>());
    std::vector<rollup::Tx> members;
    for (const auto& n : p.at("txs")) members.push_back(tv::rollup_tx(tv::named(txs, n.get<std::string>())));
    const Bytes raw = tv::hex(p.at("raw"));
    const Bytes compressed = tv::hex(p.at("compressed"));
    auto encoded = encode_payload(members);
    ASSERT_TRUE(encoded);
    EXPECT_EQ(to_hex(*encoded), to_hex(raw));
    auto decompressed = decompress_payload(compressed);
    ASSERT_TRUE(decompressed) << decompressed.error().message;
    EXPECT_EQ(*decompressed, raw);
    EXPECT_EQ(payload_hash(compressed).hex(), p.at("payload_hash").get<std::string>());
    auto decoded = open_payload(compressed);
    ASSERT_TRUE(decoded) << decoded.error().message;
    std::vector<rollup::Tx> without_nonces = members;
    for (auto& tx : without_nonces) {
      if (auto* t = std::get_if<rollup::Transfer>(&tx)) t->nonce = Nonce{0};
      if (auto* x = std::get_if<rollup::Withdraw>(&tx)) x->nonce = Nonce{0};
    }
    EXPECT_EQ(*decoded, without_nonces);
    // Our compressor reproduces the document's bytes with the zstd version that made them.
    if (ZSTD_versionString() == sv.at("zstd").at("version").get<std::string>()) {
      EXPECT_EQ(to_hex(compress_payload(raw)), to_hex(compressed));
    } else {
      std::cout << "note: libzstd " << ZSTD_versionString() << " is not the vectors' "
                << sv.at("zstd").at("version") << ": compressed bytes not compared\n";
    }
  }
  for (const auto& bad : sv.at("invalid_payloads")) {
    auto r = decode_payload(tv::hex(bad.at("raw")));
    EXPECT_FALSE(r) << "accepted invalid payload '" << bad.at("name") << "'";
  }
  for (const auto& bad : sv.at("invalid_compressed_payloads")) {
    auto r = decompress_payload(tv::hex(bad.at("compressed")));
    ASSERT_FALSE(r) << "accepted invalid compressed payload '" << bad.at("name") << "'";
    EXPECT_EQ(to_string(r.error().code), bad.at("error").get<std::string>());
  }
}

CommitmentHeader header_of(const tv::json& v) {
  CommitmentHeader h;
  h.rollup_id = ChainId(tv::dec(v.at("rollup_id")));
  h.batch = BatchNumber(tv::dec(v.at("batch")));
  h.prev_root = tv::fixed<Hash32>(v.at("prev_root"));
  h.new_root = tv::fixed<Hash32>(v.at("new_root"));
  h.applied_txs = v.at("applied_txs").get<std::uint32_t>();
  h.payload_hash = tv::fixed<Hash32>(v.at("payload_hash"));
  h.deposits_upto = DepositPosition(tv::dec(v.at("deposits_upto")));
  h.forced_upto = ForcedPosition(tv::dec(v.at("forced_upto")));
  h.mode = static_cast<SettlementMode>(v.at("mode_tag").get<std::uint8_t>());
  EXPECT_EQ(to_string(h.mode), v.at("mode").get<std::string>());
  return h;
}

TEST(SettlementVectors, Commitments) {
  REQUIRE_SETTLEMENT_VECTORS();
  EXPECT_EQ(sv.at("commit_domain_tag").get<std::string>(), kCommitDomainTag);
  EXPECT_EQ(tv::dec(sv.at("max_payload_bytes")), kMaxPayloadBytes);
  EXPECT_EQ(tv::dec(sv.at("max_raw_payload_bytes")), kMaxRawPayloadBytes);
  ASSERT_FALSE(sv.at("commitments").empty());
  for (const auto& v : sv.at("commitments")) {
    SCOPED_TRACE(v.at("name").get<std::string>());
    Commitment c{header_of(v), tv::hex(tv::named(sv.at("payloads"), v.at("payload")).at("compressed"))};
    ByteWriter w;
    encode_header(w, c.header);
    EXPECT_EQ(to_hex(w.data()), v.at("header").get<std::string>());
    EXPECT_EQ(commitment_id(c.header).hex(), v.at("commitment_id").get<std::string>());
    EXPECT_EQ(to_hex(encode_commitment(c)), v.at("encoding").get<std::string>());
    auto back = decode_commitment(tv::hex(v.at("encoding")));
    ASSERT_TRUE(back) << to_string(back.error());
    EXPECT_EQ(*back, c);
  }
  for (const auto& bad : sv.at("invalid_commitments")) {
    auto r = decode_commitment(tv::hex(bad.at("hex")));
    ASSERT_FALSE(r) << "accepted invalid commitment '" << bad.at("name") << "'";
    EXPECT_EQ(tv::error_name(r.error()), bad.at("error").get<std::string>()) << bad.at("name");
  }
}

TEST(SettlementVectors, BatchOrigins) {
  REQUIRE_SETTLEMENT_VECTORS();
  ASSERT_FALSE(sv.at("batch_origins").empty());
  for (const auto& v : sv.at("batch_origins")) {
    const BatchOrigin o{
        DepositPosition(tv::dec(v.at("deposits_from"))), DepositPosition(tv::dec(v.at("deposits_upto"))),
        ForcedPosition(tv::dec(v.at("forced_from"))), ForcedPosition(tv::dec(v.at("forced_upto")))};
    EXPECT_EQ(to_hex(encode_origin(o)), v.at("hex").get<std::string>());
    auto back = decode_origin(tv::hex(v.at("hex")));
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, o);
  }
  for (const auto& bad : sv.at("invalid_batch_origins")) {
    auto r = decode_origin(tv::hex(bad.at("hex")));
    ASSERT_FALSE(r) << "accepted invalid origin '" << bad.at("name") << "'";
    EXPECT_EQ(tv::error_name(r.error()), bad.at("error").get<std::string>()) << bad.at("name");
  }
}

}  // namespace
}  // namespace l2::settlement
