// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// Checks the C++ encodings against the test vectors of docs/encoding.md (the JSON block
// between <!-- vectors:begin --> and <!-- vectors:end -->). The vectors were generated
// independently (Python, PyNaCl) and tests/vectors/check_vectors.py re-derives them, so
// a failure here means the C++ code deviates from the document, not the other way round.
#include <gtest/gtest.h>

#include <charconv>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "common/bytes.hpp"
#include "common/codec.hpp"
#include "common/crypto.hpp"
#include "common/merkle.hpp"
#include "common/types.hpp"
#include "rollup/account.hpp"
#include "rollup/receipt.hpp"
#include "rollup/state.hpp"
#include "rollup/tx.hpp"
#include "tests/vectors/encoding_doc.hpp"

#ifndef L2_ENCODING_DOC
#error "L2_ENCODING_DOC must name docs/encoding.md"
#endif

namespace {

using nlohmann::json;

// ---------------------------------------------------------------- reading the vectors

const json& vectors() { return l2::test::vectors::all(); }

// Every test starts with this: a missing or broken JSON block fails loudly, not vacuously.
#define REQUIRE_VECTORS()                                                     \
  ASSERT_FALSE(vectors().is_discarded())                                      \
      << "no valid ```json block between the markers in " << L2_ENCODING_DOC; \
  ASSERT_TRUE(vectors().is_object())

l2::Bytes hex(const json& j) {
  auto b = l2::from_hex(j.get<std::string>());
  EXPECT_TRUE(b.has_value()) << "bad hex in the vectors: " << j;
  return b.value_or(l2::Bytes{});
}

template <class Fixed>
Fixed fixed(const json& j) {
  auto v = Fixed::from_hex_string(j.get<std::string>());
  EXPECT_TRUE(v.has_value()) << "bad " << Fixed::size() << "-byte hex in the vectors: " << j;
  return v.value_or(Fixed{});
}

// 64-bit values are decimal strings in the JSON (doubles would lose them above 2^53).
std::uint64_t dec(const json& j) {
  EXPECT_TRUE(j.is_string()) << "64-bit values must be decimal strings: " << j;
  const std::string s = j.is_string() ? j.get<std::string>() : std::string("0");
  std::uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  EXPECT_TRUE(ec == std::errc() && ptr == s.data() + s.size()) << "bad decimal u64: " << s;
  return v;
}

l2::Amount amount(const json& j) { return l2::Amount(dec(j)); }
l2::Nonce nonce(const json& j) { return l2::Nonce{dec(j)}; }
l2::ChainId chain_id(const json& j) { return l2::ChainId{dec(j)}; }
l2::AccountIndex account_index(const json& j) { return l2::AccountIndex{j.get<std::uint32_t>()}; }

std::string error_name(l2::DecodeError e) {
  switch (e) {
    case l2::DecodeError::truncated:
      return "truncated";
    case l2::DecodeError::trailing_bytes:
      return "trailing_bytes";
    case l2::DecodeError::non_minimal_varint:
      return "non_minimal_varint";
    case l2::DecodeError::varint_overflow:
      return "varint_overflow";
    case l2::DecodeError::out_of_range:
      return "out_of_range";
    case l2::DecodeError::unknown_type:
      return "unknown_type";
    case l2::DecodeError::too_large:
      return "too_large";
  }
  return "?";
}

// The tx of a vector, from its fields alone (signature included when the vector has one).
l2::rollup::Tx tx_of(const json& v) {
  using namespace l2::rollup;
  const std::string type = v.at("type").get<std::string>();
  l2::Signature sig;
  if (v.contains("signature")) sig = fixed<l2::Signature>(v.at("signature"));
  if (type == "deposit") {
    return Deposit{l2::DepositPosition(dec(v.at("deposit_id"))), account_index(v.at("to_index")),
                   fixed<l2::PublicKey>(v.at("to_pubkey")), amount(v.at("amount"))};
  }
  if (type == "transfer") {
    return Transfer{account_index(v.at("from")), account_index(v.at("to")), amount(v.at("amount")),
                    amount(v.at("fee")),         nonce(v.at("nonce")),      sig};
  }
  EXPECT_EQ(type, "withdraw");
  return Withdraw{account_index(v.at("from")), amount(v.at("amount")), amount(v.at("fee")),
                  nonce(v.at("nonce")), sig};
}

l2::rollup::Tx without_signature(l2::rollup::Tx tx) {
  if (auto* t = std::get_if<l2::rollup::Transfer>(&tx)) t->signature = l2::Signature{};
  if (auto* w = std::get_if<l2::rollup::Withdraw>(&tx)) w->signature = l2::Signature{};
  return tx;
}

l2::rollup::Account account_of(const json& v, const l2::PublicKey& pubkey) {
  return l2::rollup::Account{pubkey, amount(v.at("balance")), nonce(v.at("nonce")),
                             amount(v.at("withdrawn"))};
}

// ---------------------------------------------------------------- the tests

TEST(EncodingVectors, DocumentHasEverySection) {
  REQUIRE_VECTORS();
  for (const char* key :
       {"domain_tag", "varints", "invalid_varints", "txs", "tx_batch", "invalid_txs", "accounts",
        "empty_subtrees", "merkle", "receipts", "invalid_receipts", "diffs", "invalid_diffs"})
    EXPECT_TRUE(vectors().contains(key)) << key;
  EXPECT_EQ(vectors().at("domain_tag").get<std::string>(), l2::rollup::kTxDomainTag);
  std::map<std::string, int> types;
  for (const auto& v : vectors().at("txs")) ++types[v.at("type").get<std::string>()];
  EXPECT_GE(types["transfer"], 2);
  EXPECT_GE(types["withdraw"], 1);
  EXPECT_GE(types["deposit"], 1);
  // Sections 8 to 10 (settlement). Their codecs live in l2::settlement, which this test
  // does not link: tests/settlement checks them (SettlementVectors.* in payload_test and
  // basechain_test); here only what the rollup library can check.
  ASSERT_TRUE(vectors().contains("settlement"));
  for (const char* key :
       {"commit_domain_tag", "base_tx_domain_tag", "zstd", "genesis", "payloads", "invalid_payloads",
        "invalid_compressed_payloads", "commitments", "invalid_commitments", "batch_origins",
        "invalid_batch_origins", "base_txs", "invalid_base_txs"})
    EXPECT_TRUE(vectors().at("settlement").contains(key)) << "settlement." << key;
}

// The genesis state of a rollup (docs/encoding.md 9.4): the operator's empty fee account
// alone, whose root the base chain registers.
TEST(EncodingVectors, SettlementGenesisRoot) {
  REQUIRE_VECTORS();
  ASSERT_TRUE(vectors().contains("settlement"));
  ASSERT_FALSE(vectors().at("settlement").at("genesis").empty());
  for (const auto& g : vectors().at("settlement").at("genesis")) {
    const l2::rollup::State genesis(fixed<l2::PublicKey>(g.at("operator_key")));
    ASSERT_EQ(genesis.size(), 1u);
    const auto leaf = l2::rollup::encode_leaf(genesis.at(l2::rollup::kFeeAccount));
    EXPECT_EQ(l2::to_hex(leaf), g.at("leaf").get<std::string>());
    l2::SparseMerkleTree tree;
    tree.set_leaf(0, l2::rollup::account_leaf_hash(genesis.at(l2::rollup::kFeeAccount)));
    EXPECT_EQ(tree.update_root().hex(), g.at("root").get<std::string>());
  }
}

TEST(EncodingVectors, Varints) {
  REQUIRE_VECTORS();
  for (const auto& v : vectors().at("varints")) {
    SCOPED_TRACE(v.dump());
    l2::ByteWriter w;
    w.varint(dec(v.at("value")));
    EXPECT_EQ(l2::to_hex(w.data()), v.at("hex").get<std::string>());
    const l2::Bytes in = hex(v.at("hex"));
    l2::ByteReader r(in);
    auto got = r.varint();
    ASSERT_TRUE(got.ok()) << error_name(got.error());
    EXPECT_EQ(*got, dec(v.at("value")));
    EXPECT_TRUE(r.expect_end().ok());
  }
  for (const auto& v : vectors().at("invalid_varints")) {
    SCOPED_TRACE(v.dump());
    const l2::Bytes in = hex(v.at("hex"));
    l2::ByteReader r(in);
    auto got = r.varint();
    ASSERT_FALSE(got.ok()) << "accepted as " << *got;
    EXPECT_EQ(error_name(got.error()), v.at("error").get<std::string>());
  }
}

TEST(EncodingVectors, TxPreimageSignatureHashAndWireForm) {
  REQUIRE_VECTORS();
  using namespace l2::rollup;
  for (const auto& v : vectors().at("txs")) {
    SCOPED_TRACE(v.at("name").get<std::string>());
    const l2::ChainId chain = chain_id(v.at("chain_id"));
    const Tx expected = tx_of(v);
    EXPECT_EQ(static_cast<int>(tx_type(expected)), v.at("type_tag").get<int>());

    // Built from the fields alone, unsigned: the preimage never covers the signature.
    Tx tx = without_signature(expected);
    EXPECT_EQ(l2::to_hex(signing_preimage(chain, tx)), v.at("preimage").get<std::string>());

    if (tx_type(expected) == TxType::deposit) {
      EXPECT_FALSE(v.contains("signature"));
      EXPECT_TRUE(verify_tx_signature(tx, chain, l2::PublicKey{}));
    } else {
      const auto key = l2::SecretKey::from_seed(fixed<l2::Seed32>(v.at("seed")));
      const auto pubkey = fixed<l2::PublicKey>(v.at("public_key"));
      EXPECT_EQ(key.public_key(), pubkey) << key.public_key().hex();
      sign_tx(tx, chain, key);  // deterministic Ed25519: must reproduce the vector exactly
      EXPECT_TRUE(tx == expected) << "sign_tx gave a different signature than the vector";
      EXPECT_TRUE(verify_tx_signature(expected, chain, pubkey));
      // The same fields on another chain, or under another key, are not signed.
      EXPECT_FALSE(verify_tx_signature(expected, l2::ChainId{chain.value() + 1}, pubkey));
      EXPECT_FALSE(verify_tx_signature(expected, chain, l2::SecretKey::from_seed(l2::Seed32{}).public_key()));
      Tx flipped = expected;
      std::visit(
          [](auto& t) {
            if constexpr (!std::is_same_v<std::decay_t<decltype(t)>, Deposit>) t.signature.data()[63] ^= 0x01;
          },
          flipped);
      EXPECT_FALSE(verify_tx_signature(flipped, chain, pubkey));
    }

    EXPECT_EQ(tx_hash(chain, expected).hex(), v.at("tx_hash").get<std::string>());
    EXPECT_EQ(l2::to_hex(encode_tx(expected)), v.at("wire").get<std::string>());
    l2::ByteWriter w;
    w.u8(0xee);  // the writer overload appends
    encode_tx(w, expected);
    EXPECT_EQ(l2::to_hex(w.data()), "ee" + v.at("wire").get<std::string>());

    const l2::Bytes wire = hex(v.at("wire"));
    auto decoded = decode_tx(l2::ByteView(wire));
    ASSERT_TRUE(decoded.ok()) << error_name(decoded.error());
    EXPECT_TRUE(*decoded == expected) << "decode(wire) differs from the vector's fields";
  }
}

TEST(EncodingVectors, TxDecoderRejectsTruncatedExtendedAndRetagged) {
  REQUIRE_VECTORS();
  using namespace l2::rollup;
  for (const auto& v : vectors().at("txs")) {
    SCOPED_TRACE(v.at("name").get<std::string>());
    const l2::Bytes wire = hex(v.at("wire"));
    ASSERT_FALSE(wire.empty());
    // Every proper prefix, the one-byte-short one included, is truncated.
    for (std::size_t n = 0; n < wire.size(); ++n) {
      auto got = decode_tx(l2::ByteView(wire.data(), n));
      ASSERT_FALSE(got.ok()) << "accepted a " << n << "-byte prefix";
      EXPECT_EQ(error_name(got.error()), "truncated") << n << "-byte prefix";
    }
    l2::Bytes longer = wire;
    longer.push_back(0x00);
    auto got = decode_tx(l2::ByteView(longer));
    ASSERT_FALSE(got.ok()) << "accepted a trailing byte";
    EXPECT_EQ(error_name(got.error()), "trailing_bytes");
    // A reader leaves the trailing byte to its caller instead.
    l2::ByteReader r(longer);
    EXPECT_TRUE(decode_tx(r).ok());
    EXPECT_EQ(r.remaining(), 1u);

    for (int tag : {0, 4, 5, 0x7f, 0x80, 0xff}) {
      l2::Bytes retagged = wire;
      retagged[0] = static_cast<std::uint8_t>(tag);
      auto bad = decode_tx(l2::ByteView(retagged));
      ASSERT_FALSE(bad.ok()) << "accepted type tag " << tag;
      EXPECT_EQ(error_name(bad.error()), "unknown_type") << "type tag " << tag;
    }
  }
  for (const auto& v : vectors().at("invalid_txs")) {
    SCOPED_TRACE(v.at("name").get<std::string>());
    const l2::Bytes wire = hex(v.at("wire"));
    auto got = decode_tx(l2::ByteView(wire));
    ASSERT_FALSE(got.ok()) << "accepted";
    EXPECT_EQ(error_name(got.error()), v.at("error").get<std::string>());
  }
}

TEST(EncodingVectors, TxBatch) {
  REQUIRE_VECTORS();
  using namespace l2::rollup;
  std::map<std::string, Tx> by_name;
  for (const auto& v : vectors().at("txs")) by_name.emplace(v.at("name").get<std::string>(), tx_of(v));
  const auto& batch = vectors().at("tx_batch");
  std::vector<Tx> txs;
  for (const auto& name : batch.at("txs")) {
    ASSERT_TRUE(by_name.contains(name.get<std::string>())) << name;
    txs.push_back(by_name.at(name.get<std::string>()));
  }
  EXPECT_EQ(l2::to_hex(encode_txs(txs)), batch.at("hex").get<std::string>());
  const l2::Bytes in = hex(batch.at("hex"));
  auto decoded = decode_txs(in);
  ASSERT_TRUE(decoded.ok()) << error_name(decoded.error());
  EXPECT_TRUE(*decoded == txs);
  EXPECT_FALSE(decode_txs(l2::ByteView(in.data(), in.size() - 1)).ok());
  l2::Bytes longer = in;
  longer.push_back(0x00);
  EXPECT_FALSE(decode_txs(longer).ok());
  EXPECT_FALSE(decode_txs(in, txs.size() - 1).ok()) << "max_count not enforced";
}

TEST(EncodingVectors, AccountLeaves) {
  REQUIRE_VECTORS();
  using namespace l2::rollup;
  for (const auto& v : vectors().at("accounts")) {
    SCOPED_TRACE(v.at("name").get<std::string>());
    const auto pubkey = fixed<l2::PublicKey>(v.at("pubkey"));
    EXPECT_EQ(l2::SecretKey::from_seed(fixed<l2::Seed32>(v.at("seed"))).public_key(), pubkey);
    const Account a = account_of(v, pubkey);
    const auto leaf = encode_leaf(a);
    EXPECT_EQ(l2::to_hex(leaf), v.at("leaf").get<std::string>());
    EXPECT_EQ(account_leaf_hash(a).hex(), v.at("leaf_hash").get<std::string>());
    EXPECT_EQ(l2::hash_leaf(leaf).hex(), v.at("leaf_hash").get<std::string>());

    const l2::Bytes in = hex(v.at("leaf"));
    auto decoded = decode_leaf(in);
    ASSERT_TRUE(decoded.ok()) << error_name(decoded.error());
    EXPECT_TRUE(*decoded == a);
    EXPECT_FALSE(decode_leaf(l2::ByteView(in.data(), in.size() - 1)).ok());
    l2::Bytes longer = in;
    longer.push_back(0x00);
    EXPECT_FALSE(decode_leaf(longer).ok());
  }
}

TEST(EncodingVectors, EmptySubtrees) {
  REQUIRE_VECTORS();
  for (const auto& v : vectors().at("empty_subtrees")) {
    const int h = v.at("height").get<int>();
    SCOPED_TRACE(h);
    EXPECT_EQ(l2::empty_subtree_hash(h).hex(), v.at("hash").get<std::string>());
    if (h == l2::kMerkleDepth) {
      l2::SparseMerkleTree tree;
      EXPECT_EQ(tree.root().hex(), v.at("hash").get<std::string>());
      EXPECT_EQ(tree.update_root().hex(), v.at("hash").get<std::string>());
    }
  }
}

TEST(EncodingVectors, MerkleRootsAndProofs) {
  REQUIRE_VECTORS();
  for (const auto& v : vectors().at("merkle")) {
    SCOPED_TRACE(v.at("name").get<std::string>());
    // The tree only appends, so a gap (an index without an account) is filled with the
    // zero hash, which is empty(0): the root is the same as with the position left empty.
    std::map<std::uint32_t, l2::Hash32> leaves;
    for (const auto& leaf : v.at("leaves"))
      leaves[leaf.at("index").get<std::uint32_t>()] = fixed<l2::Hash32>(leaf.at("leaf_hash"));
    ASSERT_FALSE(leaves.empty());
    l2::SparseMerkleTree tree;
    for (std::uint32_t i = 0; i <= leaves.rbegin()->first; ++i)
      tree.set_leaf(i, leaves.contains(i) ? leaves.at(i) : l2::Hash32{});
    const auto root = fixed<l2::Hash32>(v.at("root"));
    EXPECT_EQ(tree.update_root().hex(), root.hex());
    EXPECT_EQ(tree.root(), root);

    for (const auto& p : v.at("proofs")) {
      const std::uint32_t i = p.at("index").get<std::uint32_t>();
      SCOPED_TRACE(i);
      std::optional<l2::Hash32> leaf;
      if (!p.at("leaf_hash").is_null()) leaf = fixed<l2::Hash32>(p.at("leaf_hash"));
      const l2::MerkleProof proof = tree.prove(i);
      EXPECT_EQ(proof.index, l2::AccountIndex(i));
      EXPECT_EQ(l2::to_hex(proof.encode()), p.at("proof").get<std::string>());
      EXPECT_TRUE(l2::verify_merkle_proof(root, leaf, proof));

      const l2::Bytes encoded = hex(p.at("proof"));
      auto decoded = l2::MerkleProof::decode(encoded);
      ASSERT_TRUE(decoded.ok()) << error_name(decoded.error());
      EXPECT_EQ(decoded->index, l2::AccountIndex(i));
      EXPECT_TRUE(decoded->siblings == proof.siblings);
      EXPECT_TRUE(l2::verify_merkle_proof(root, leaf, *decoded));
      // A different leaf, or presence claimed for an absent one, does not verify.
      EXPECT_FALSE(l2::verify_merkle_proof(root, l2::blake2b256(l2::as_bytes("wrong")), *decoded));
      if (leaf) {
        EXPECT_FALSE(l2::verify_merkle_proof(root, std::nullopt, *decoded));
      }
      EXPECT_FALSE(l2::MerkleProof::decode(l2::ByteView(encoded.data(), encoded.size() - 1)).ok());
      l2::Bytes longer = encoded;
      longer.push_back(0x00);
      EXPECT_FALSE(l2::MerkleProof::decode(longer).ok());
    }

    for (const auto& mp : v.value("multiproofs", json::array())) {
      std::vector<l2::AccountIndex> indices;
      for (const auto& i : mp.at("indices")) indices.emplace_back(i.get<std::uint32_t>());
      SCOPED_TRACE("multiproof of " + std::to_string(indices.size()) + " leaves");
      std::vector<std::optional<l2::Hash32>> want;
      for (const auto& h : mp.at("leaf_hashes")) {
        if (h.is_null()) {
          want.emplace_back();
        } else {
          want.emplace_back(fixed<l2::Hash32>(h));
        }
      }
      const l2::MerkleMultiProof proof = tree.prove_many(indices);
      EXPECT_EQ(l2::to_hex(proof.encode()), mp.at("proof").get<std::string>());
      const l2::Bytes encoded = hex(mp.at("proof"));
      auto decoded = l2::MerkleMultiProof::decode(encoded);
      ASSERT_TRUE(decoded.ok()) << error_name(decoded.error());
      EXPECT_TRUE(*decoded == proof);
      EXPECT_TRUE(l2::verify_multiproof(root, *decoded, want));
      auto wrong = want;
      wrong[0] = l2::blake2b256(l2::as_bytes("wrong"));
      EXPECT_FALSE(l2::verify_multiproof(root, *decoded, wrong));
      if (mp.contains("root_after")) {
        std::vector<std::optional<l2::Hash32>> after;
        for (const auto& h : mp.at("leaf_hashes_after")) after.emplace_back(fixed<l2::Hash32>(h));
        auto got = l2::multiproof_root(*decoded, after);
        ASSERT_TRUE(got.has_value());
        EXPECT_EQ(got->hex(), mp.at("root_after").get<std::string>());
      }
    }
  }
}

TEST(EncodingVectors, Receipts) {
  REQUIRE_VECTORS();
  using namespace l2::rollup;
  const auto& v = vectors().at("receipts");
  std::vector<Receipt> receipts;
  for (const auto& r : v.at("receipts"))
    receipts.push_back(
        Receipt{fixed<l2::Hash32>(r.at("tx_hash")), static_cast<TxStatus>(r.at("status").get<int>())});
  EXPECT_EQ(l2::to_hex(encode_receipts(receipts)), v.at("hex").get<std::string>());
  const l2::Bytes in = hex(v.at("hex"));
  auto decoded = decode_receipts(in);
  ASSERT_TRUE(decoded.ok()) << error_name(decoded.error());
  EXPECT_TRUE(*decoded == receipts);
  for (const auto& bad : vectors().at("invalid_receipts")) {
    SCOPED_TRACE(bad.at("name").get<std::string>());
    const l2::Bytes b = hex(bad.at("hex"));
    auto got = decode_receipts(b);
    ASSERT_FALSE(got.ok()) << "accepted";
    EXPECT_EQ(error_name(got.error()), bad.at("error").get<std::string>());
  }
}

TEST(EncodingVectors, AccountDiffs) {
  REQUIRE_VECTORS();
  using namespace l2::rollup;
  for (const auto& v : vectors().at("diffs")) {
    SCOPED_TRACE(v.at("name").get<std::string>());
    // Existing accounts' keys are not in the encoding; the decoder takes them from the
    // state. Give each existing account a distinct made-up key.
    std::vector<Account> existing(v.at("existing_count").get<std::size_t>());
    for (std::size_t i = 0; i < existing.size(); ++i) {
      existing[i].pubkey.data()[0] = static_cast<std::uint8_t>(i);
      existing[i].pubkey.data()[1] = static_cast<std::uint8_t>(i >> 8);
      existing[i].pubkey.data()[31] = 0xa5;
    }
    std::vector<AccountChange> changes;
    for (const auto& c : v.at("changes")) {
      AccountChange change;
      change.index = account_index(c.at("index"));
      if (c.at("created").get<bool>()) {
        change.after = account_of(c.at("after"), fixed<l2::PublicKey>(c.at("pubkey")));
      } else {
        ASSERT_LT(change.index.value(), existing.size());
        const l2::PublicKey key = existing[change.index.value()].pubkey;
        change.before = account_of(c.at("before"), key);
        change.after = account_of(c.at("after"), key);
        existing[change.index.value()] = *change.before;
      }
      changes.push_back(change);
    }
    EXPECT_EQ(l2::to_hex(encode_changes(changes)), v.at("hex").get<std::string>());
    const l2::Bytes in = hex(v.at("hex"));
    auto decoded = decode_changes(in, existing);
    ASSERT_TRUE(decoded.ok()) << error_name(decoded.error());
    EXPECT_TRUE(*decoded == changes);
  }
  for (const auto& bad : vectors().at("invalid_diffs")) {
    SCOPED_TRACE(bad.at("name").get<std::string>());
    const std::vector<Account> existing(bad.at("existing_count").get<std::size_t>());
    const l2::Bytes b = hex(bad.at("hex"));
    auto got = decode_changes(b, existing);
    ASSERT_FALSE(got.ok()) << "accepted";
    EXPECT_EQ(error_name(got.error()), bad.at("error").get<std::string>());
  }
}

}  // namespace
