// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// Base-chain txs: the wire layout, round trips of every kind, signatures that cover
// the domain tag, the base chain id and every field, the tx hash, and the strict
// decoder (every truncation, trailing bytes, unknown kinds, a deposit or trailing
// bytes inside force_tx, non-minimal length varints, non-canonical proofs, oversize),
// and the base-tx vectors of docs/encoding.md.
#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "common/merkle.hpp"
#include "rollup/trace.hpp"
#include "settlement/basechain/tx.hpp"
#include "settlement/payload.hpp"
#include "tests/unit/test_util.hpp"
#include "tests/vectors/settlement_vectors.hpp"

namespace l2::settlement {
namespace {

using test::make_deposit;
using test::make_transfer;
using test::make_withdraw;
using test::test_key;

const ChainId kBase{31337};
const ChainId kRollup{7};

Hash32 filled(std::uint8_t b) {
  Hash32 h;
  h.array().fill(b);
  return h;
}

MerkleProof sample_proof() {
  SparseMerkleTree tree;
  for (std::uint32_t i = 0; i < 6; ++i) tree.set_leaf(i, blake2b256(Bytes{static_cast<std::uint8_t>(i)}));
  tree.update_root();
  return tree.prove(5);
}

// A real witness: the one-step witness of a deposit into a fresh state.
rollup::TxWitness sample_witness() {
  const rollup::State s(test_key(8).public_key());
  const rollup::Tx d =
      rollup::Deposit{DepositPosition(0), AccountIndex(1), test_key(1).public_key(), Amount(50)};
  return rollup::trace_batch(s, kRollup, std::span<const rollup::Tx>(&d, 1)).steps.at(0).witness;
}

std::vector<BaseTxBody> sample_bodies() {
  const auto alice = test_key(1);
  Commitment c;
  c.header.rollup_id = kRollup;
  c.header.batch = BatchNumber(4);
  c.header.prev_root = filled(1);
  c.header.new_root = filled(2);
  c.header.applied_txs = 1;
  c.payload = *make_payload(std::vector<rollup::Tx>{make_transfer(kRollup, alice, 1, 2, 3, 1, 0)});
  c.header.payload_hash = payload_hash(c.payload);
  c.header.deposits_upto = DepositPosition(3);
  c.header.forced_upto = ForcedPosition(1);
  rollup::Account leaf{alice.public_key(), Amount(5), Nonce(2), Amount(77)};
  return {
      TransferBody{test_key(2).public_key(), Amount(123456789)},
      RegisterRollupBody{kRollup, test_key(4).public_key(), filled(0x42), ChainDuration(3600),
                         ChainDuration(600)},
      RegisterRollupBody{kRollup, test_key(4).public_key(), filled(0x42), ChainDuration(3600),
                         ChainDuration(600), DisputeTerms{Amount(5000), ChainDuration(120)}},
      DepositBody{kRollup, alice.public_key(), Amount(1000)},
      ForceTxBody{kRollup, make_withdraw(kRollup, alice, 1, 10, 1, 3)},
      ForceTxBody{kRollup, make_transfer(kRollup, alice, 1, 2, 10, 1, 3)},
      CommitBatchBody{c},
      FinalizeWithdrawalBody{kRollup, BatchNumber(4), leaf, sample_proof()},
      ChallengeBatchBody{kRollup, BatchNumber(4)},
      DisputeBisectBody{kRollup, BatchNumber(4), test_key(7).public_key(), 1234, filled(0x33)},
      DisputeRespondBody{kRollup, BatchNumber(4), 1234, true},
      DisputeRespondBody{kRollup, BatchNumber(4), 1234, false},
      DisputeStepBody{kRollup, BatchNumber(4), test_key(7).public_key(), sample_witness()},
      DisputeTimeoutBody{kRollup, BatchNumber(4), test_key(7).public_key()},
      ClaimBondBody{kRollup, BatchNumber(4)},
  };
}

BaseTx signed_tx(BaseTxBody body, std::uint64_t nonce = 9, ChainId chain = kBase) {
  BaseTx tx{PublicKey{}, Nonce(nonce), std::move(body), Signature{}};
  sign_base_tx(tx, chain, test_key(5));
  return tx;
}

TEST(BaseTx, KindsFollowTheVariant) {
  const auto bodies = sample_bodies();
  const std::vector<BaseTxKind> kinds = {BaseTxKind::transfer,        BaseTxKind::register_rollup,
                                         BaseTxKind::register_rollup, BaseTxKind::deposit,
                                         BaseTxKind::force_tx,        BaseTxKind::force_tx,
                                         BaseTxKind::commit_batch,    BaseTxKind::finalize_withdrawal,
                                         BaseTxKind::challenge_batch, BaseTxKind::dispute_bisect,
                                         BaseTxKind::dispute_respond, BaseTxKind::dispute_respond,
                                         BaseTxKind::dispute_step,    BaseTxKind::dispute_timeout,
                                         BaseTxKind::claim_bond};
  ASSERT_EQ(bodies.size(), kinds.size());
  for (std::size_t i = 0; i < bodies.size(); ++i) {
    EXPECT_EQ(base_tx_kind(signed_tx(bodies[i])), kinds[i]) << i;
    EXPECT_NE(to_string(kinds[i]), "unknown");
  }
}

TEST(BaseTx, TransferLayout) {
  const BaseTx tx = signed_tx(TransferBody{test_key(2).public_key(), Amount(0x0102)}, 0x0a);
  const Bytes wire = encode_base_tx(tx);
  ASSERT_EQ(wire.size(), 32u + 8 + 1 + 32 + 8 + 64);
  EXPECT_EQ(ByteView(wire).first(32).size(), 32u);
  EXPECT_TRUE(std::equal(wire.begin(), wire.begin() + 32, test_key(5).public_key().data()));
  EXPECT_EQ(wire[32], 0x0a);  // nonce u64le
  EXPECT_EQ(wire[40], 1);     // kind
  EXPECT_TRUE(std::equal(wire.begin() + 41, wire.begin() + 73, test_key(2).public_key().data()));
  EXPECT_EQ(wire[73], 0x02);  // amount u64le
  EXPECT_EQ(wire[74], 0x01);
  EXPECT_TRUE(std::equal(wire.end() - 64, wire.end(), tx.signature.data()));

  const Bytes pre = base_signing_preimage(kBase, tx);
  const std::string tag = "L2STACK/BASE/TX/V1";
  ASSERT_EQ(pre.size(), tag.size() + 8 + wire.size() - 64);
  EXPECT_TRUE(std::equal(tag.begin(), tag.end(), pre.begin()));
  EXPECT_EQ(pre[tag.size()], 0x69);  // 31337 = 0x7a69
  EXPECT_EQ(pre[tag.size() + 1], 0x7a);
  EXPECT_TRUE(
      std::equal(wire.begin(), wire.end() - 64, pre.begin() + static_cast<std::ptrdiff_t>(tag.size() + 8)));
}

TEST(BaseTx, RoundTripEveryKind) {
  for (const auto& body : sample_bodies()) {
    const BaseTx tx = signed_tx(body);
    const Bytes wire = encode_base_tx(tx);
    auto back = decode_base_tx(wire);
    ASSERT_TRUE(back) << to_string(base_tx_kind(tx)) << ": " << to_string(back.error());
    EXPECT_EQ(*back, tx);
    EXPECT_TRUE(verify_base_tx(*back, kBase));
    EXPECT_EQ(encode_base_tx(*back), wire);
  }
}

TEST(BaseTx, SignatureCoversChainIdTagAndFields) {
  for (const auto& body : sample_bodies()) {
    const BaseTx tx = signed_tx(body);
    const auto kind = to_string(base_tx_kind(tx));
    ASSERT_TRUE(verify_base_tx(tx, kBase)) << kind;
    // Signed for another base chain: invalid here, and vice versa.
    EXPECT_FALSE(verify_base_tx(tx, ChainId(kBase.value() + 1))) << kind;
    const BaseTx other_chain = signed_tx(body, 9, ChainId(1));
    EXPECT_TRUE(verify_base_tx(other_chain, ChainId(1))) << kind;
    EXPECT_FALSE(verify_base_tx(other_chain, kBase)) << kind;
    EXPECT_NE(base_tx_hash(kBase, tx), base_tx_hash(ChainId(1), tx)) << kind;
    // The same bytes signed without the domain tag do not verify.
    Bytes untagged = base_signing_preimage(kBase, tx);
    untagged.erase(untagged.begin(), untagged.begin() + static_cast<std::ptrdiff_t>(kBaseTxDomainTag.size()));
    BaseTx wrong_tag = tx;
    wrong_tag.signature = test_key(5).sign(untagged);
    EXPECT_FALSE(verify_base_tx(wrong_tag, kBase)) << kind;
    // Another nonce or sender breaks it.
    BaseTx n = tx;
    n.nonce = Nonce(tx.nonce.value() + 1);
    EXPECT_FALSE(verify_base_tx(n, kBase)) << kind;
    BaseTx s = tx;
    s.sender = test_key(6).public_key();
    EXPECT_FALSE(verify_base_tx(s, kBase)) << kind;
  }
  // Changing a body field breaks it.
  BaseTx t = signed_tx(TransferBody{test_key(2).public_key(), Amount(5)});
  std::get<TransferBody>(t.body).amount = Amount(6);
  EXPECT_FALSE(verify_base_tx(t, kBase));
  // A signature does not carry over to another kind.
  BaseTx d = signed_tx(DepositBody{kRollup, test_key(2).public_key(), Amount(5)});
  BaseTx d2 = d;
  d2.body = RegisterRollupBody{};
  EXPECT_FALSE(verify_base_tx(d2, kBase));
}

TEST(BaseTx, HashCoversPreimageAndSignature) {
  const BaseTx tx = signed_tx(sample_bodies()[0]);
  Bytes all = base_signing_preimage(kBase, tx);
  all.insert(all.end(), tx.signature.data(), tx.signature.data() + 64);
  EXPECT_EQ(base_tx_hash(kBase, tx), blake2b256(all));
}

TEST(BaseTx, TruncationAtEveryByteIsRefused) {
  for (const auto& body : sample_bodies()) {
    const Bytes wire = encode_base_tx(signed_tx(body));
    for (std::size_t n = 0; n < wire.size(); ++n) {
      auto r = decode_base_tx(ByteView(wire).first(n));
      ASSERT_FALSE(r) << to_string(base_tx_kind(signed_tx(body))) << " accepted " << n << " bytes";
    }
  }
}

TEST(BaseTx, TrailingBytesAreRefused) {
  for (const auto& body : sample_bodies()) {
    Bytes wire = encode_base_tx(signed_tx(body));
    wire.push_back(0);
    auto r = decode_base_tx(wire);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), DecodeError::trailing_bytes);
  }
}

TEST(BaseTx, UnknownKindsAreRefused) {
  Bytes wire = encode_base_tx(signed_tx(sample_bodies()[0]));
  for (const std::uint8_t k : std::array<std::uint8_t, 4>{0, 13, 14, 255}) {
    wire[40] = k;
    auto r = decode_base_tx(wire);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), DecodeError::unknown_type) << int(k);
  }
}

// A force_tx body written by hand: rollup_id, tx_len, the given bytes.
Bytes force_tx_wire(ByteView inner, std::uint64_t declared_len) {
  ByteWriter w;
  w.bytes(test_key(5).public_key().view());
  w.u64le(1);
  w.u8(static_cast<std::uint8_t>(BaseTxKind::force_tx));
  w.u64le(kRollup.value());
  w.varint(declared_len);
  w.bytes(inner);
  w.bytes(Signature{}.view());
  return w.take();
}

TEST(BaseTx, ForceTxCarriesOnlyTransfersAndWithdrawals) {
  const Bytes transfer = rollup::encode_tx(make_transfer(kRollup, test_key(1), 1, 2, 3, 1, 0));
  ASSERT_TRUE(decode_base_tx(force_tx_wire(transfer, transfer.size())));
  const Bytes deposit = rollup::encode_tx(make_deposit(0, 1, test_key(1).public_key(), 5));
  auto r = decode_base_tx(force_tx_wire(deposit, deposit.size()));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), DecodeError::out_of_range);
  // An unknown rollup tx type inside.
  Bytes unknown = transfer;
  unknown[0] = 9;
  r = decode_base_tx(force_tx_wire(unknown, unknown.size()));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), DecodeError::unknown_type);
}

TEST(BaseTx, ForceTxLengthMustMatchTheTx) {
  const Bytes transfer = rollup::encode_tx(make_transfer(kRollup, test_key(1), 1, 2, 3, 1, 0));
  // Declared one byte longer: the tx leaves a byte inside the field.
  Bytes longer = transfer;
  longer.push_back(0);
  auto r = decode_base_tx(force_tx_wire(longer, longer.size()));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), DecodeError::trailing_bytes);
  // Declared one byte shorter: the tx is cut.
  r = decode_base_tx(force_tx_wire(transfer, transfer.size() - 1));
  ASSERT_FALSE(r);
  // Non-minimal length varint.
  Bytes wire = force_tx_wire(transfer, transfer.size());
  const std::size_t len_at = 32 + 8 + 1 + 8;
  ASSERT_EQ(wire[len_at], transfer.size());
  wire[len_at] |= 0x80;
  wire.insert(wire.begin() + static_cast<std::ptrdiff_t>(len_at) + 1, 0x00);
  r = decode_base_tx(wire);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), DecodeError::non_minimal_varint);
  // A huge declared length is refused as such.
  r = decode_base_tx(force_tx_wire(transfer, 1u << 30));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), DecodeError::too_large);
}

TEST(BaseTx, FinalizeWithdrawalProofMustBeCanonical) {
  const MerkleProof proof = sample_proof();
  const rollup::Account leaf{test_key(1).public_key(), Amount(5), Nonce(2), Amount(77)};
  BaseTx tx = signed_tx(FinalizeWithdrawalBody{kRollup, BatchNumber(4), leaf, proof});
  Bytes wire = encode_base_tx(tx);
  const Bytes proof_bytes = proof.encode();
  // The proof sits right before the signature. Index 5 of 6 leaves: sibling 0 (leaf 4)
  // is present, sibling 1 (leaves 6..7) is empty. Set bit 1 of the bitmap and insert an
  // explicit empty(1) after sibling 0: a second encoding of the same proof.
  const std::size_t proof_at = wire.size() - 64 - proof_bytes.size();
  const std::size_t len_at = proof_at - 1;
  ASSERT_EQ(wire[len_at], proof_bytes.size());
  ASSERT_EQ(wire[proof_at + 4] & 3, 1);
  Bytes bad = wire;
  bad[proof_at + 4] |= 2;
  const Hash32& empty1 = empty_subtree_hash(1);
  bad.insert(bad.begin() + static_cast<std::ptrdiff_t>(proof_at + 8 + 32), empty1.view().begin(),
             empty1.view().end());
  bad[len_at] = static_cast<std::uint8_t>(proof_bytes.size() + 32);
  auto r = decode_base_tx(bad);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), DecodeError::out_of_range);
}

TEST(BaseTx, CommitBatchCarriesAStrictCommitment) {
  BaseTx tx = signed_tx(sample_bodies()[6]);  // the commit_batch
  Bytes wire = encode_base_tx(tx);
  // Mode byte = 2 (the header's last byte, 41 + 133 into the wire).
  Bytes bad = wire;
  ASSERT_EQ(bad[41 + 133], 0);
  bad[41 + 133] = 2;
  EXPECT_EQ(decode_base_tx(bad).error(), DecodeError::out_of_range);
}

TEST(BaseTx, OversizeInputIsRefused) {
  Bytes big(kMaxBaseTxBytes + 1, 0);
  auto r = decode_base_tx(big);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), DecodeError::too_large);
}

}  // namespace
}  // namespace l2::settlement

// ---- the base-tx vectors of docs/encoding.md (section 11.7) -----------------------------

namespace l2::settlement {
namespace {

namespace tv = test::vectors;

BaseTxBody body_of(const tv::json& v) {
  const std::string kind = v.at("kind").get<std::string>();
  const auto& sv = tv::all().at("settlement");
  if (kind == "transfer")
    return TransferBody{tv::fixed<PublicKey>(v.at("to")), Amount(tv::dec(v.at("amount")))};
  if (kind == "register_rollup")
    return RegisterRollupBody{
        ChainId(tv::dec(v.at("rollup_id"))),
        tv::fixed<PublicKey>(v.at("operator_key")),
        tv::fixed<Hash32>(v.at("genesis_root")),
        ChainDuration(tv::dec(v.at("challenge_window_s"))),
        ChainDuration(tv::dec(v.at("inclusion_deadline_s"))),
        DisputeTerms{Amount(tv::dec(v.at("bond"))), ChainDuration(tv::dec(v.at("dispute_clock_s")))}};
  if (kind == "challenge_batch")
    return ChallengeBatchBody{ChainId(tv::dec(v.at("rollup_id"))), BatchNumber(tv::dec(v.at("batch")))};
  if (kind == "claim_bond")
    return ClaimBondBody{ChainId(tv::dec(v.at("rollup_id"))), BatchNumber(tv::dec(v.at("batch")))};
  if (kind == "dispute_bisect")
    return DisputeBisectBody{ChainId(tv::dec(v.at("rollup_id"))), BatchNumber(tv::dec(v.at("batch"))),
                             tv::fixed<PublicKey>(v.at("challenger")), tv::dec(v.at("position")),
                             tv::fixed<Hash32>(v.at("root"))};
  if (kind == "dispute_respond")
    return DisputeRespondBody{ChainId(tv::dec(v.at("rollup_id"))), BatchNumber(tv::dec(v.at("batch"))),
                              tv::dec(v.at("position")), tv::dec(v.at("agree")) == 1};
  if (kind == "dispute_timeout")
    return DisputeTimeoutBody{ChainId(tv::dec(v.at("rollup_id"))), BatchNumber(tv::dec(v.at("batch"))),
                              tv::fixed<PublicKey>(v.at("challenger"))};
  if (kind == "deposit")
    return DepositBody{ChainId(tv::dec(v.at("rollup_id"))), tv::fixed<PublicKey>(v.at("recipient")),
                       Amount(tv::dec(v.at("amount")))};
  if (kind == "force_tx")
    return ForceTxBody{ChainId(tv::dec(v.at("rollup_id"))),
                       tv::rollup_tx(tv::named(tv::all().at("txs"), v.at("tx").get<std::string>()))};
  if (kind == "commit_batch") {
    auto c = decode_commitment(
        tv::hex(tv::named(sv.at("commitments"), v.at("commitment").get<std::string>()).at("encoding")));
    EXPECT_TRUE(c);
    return CommitBatchBody{c ? *c : Commitment{}};
  }
  EXPECT_EQ(kind, "finalize_withdrawal");
  auto leaf = rollup::decode_leaf(tv::hex(v.at("leaf")));
  auto proof = MerkleProof::decode(tv::hex(v.at("proof")));
  EXPECT_TRUE(leaf && proof);
  return FinalizeWithdrawalBody{ChainId(tv::dec(v.at("rollup_id"))), BatchNumber(tv::dec(v.at("batch"))),
                                leaf ? *leaf : rollup::Account{}, proof ? *proof : MerkleProof{}};
}

TEST(SettlementVectors, BaseTxs) {
  REQUIRE_SETTLEMENT_VECTORS();
  EXPECT_EQ(sv.at("base_tx_domain_tag").get<std::string>(), kBaseTxDomainTag);
  ASSERT_FALSE(sv.at("base_txs").empty());
  for (const auto& v : sv.at("base_txs")) {
    SCOPED_TRACE(v.at("name").get<std::string>());
    const ChainId chain(tv::dec(v.at("base_chain_id")));
    const SecretKey key = SecretKey::from_seed(tv::fixed<Seed32>(v.at("seed")));
    BaseTx tx{PublicKey{}, Nonce(tv::dec(v.at("nonce"))), body_of(v), Signature{}};
    EXPECT_EQ(static_cast<int>(base_tx_kind(tx)), v.at("kind_tag").get<int>());
    EXPECT_EQ(to_string(base_tx_kind(tx)), v.at("kind").get<std::string>());
    sign_base_tx(tx, chain, key);
    EXPECT_EQ(tx.sender.hex(), v.at("sender").get<std::string>());
    EXPECT_EQ(to_hex(base_signing_preimage(chain, tx)), v.at("preimage").get<std::string>());
    EXPECT_EQ(tx.signature.hex(), v.at("signature").get<std::string>());
    EXPECT_EQ(base_tx_hash(chain, tx).hex(), v.at("tx_hash").get<std::string>());
    EXPECT_EQ(to_hex(encode_base_tx(tx)), v.at("wire").get<std::string>());
    auto back = decode_base_tx(tv::hex(v.at("wire")));
    ASSERT_TRUE(back) << to_string(back.error());
    EXPECT_EQ(*back, tx);
    EXPECT_TRUE(verify_base_tx(*back, chain));
    EXPECT_FALSE(verify_base_tx(*back, ChainId(chain.value() + 1)));
  }
  for (const auto& bad : sv.at("invalid_base_txs")) {
    auto r = decode_base_tx(tv::hex(bad.at("wire")));
    ASSERT_FALSE(r) << "accepted invalid base tx '" << bad.at("name") << "'";
    EXPECT_EQ(tv::error_name(r.error()), bad.at("error").get<std::string>()) << bad.at("name");
  }
}

}  // namespace
}  // namespace l2::settlement
