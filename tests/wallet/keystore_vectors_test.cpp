// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// The keystore vectors of docs/encoding.md (the `keystore` object of its JSON block,
// section 11.8). They were made with Python and PyNaCl; tests/vectors/check_vectors.py
// re-derives them independently. Here: the C++ encoder, given the vector's seed, name,
// passphrase, costs, salt and nonce, writes exactly the document's file text, and the
// decoder gives the seed back (and refuses the wrong passphrase).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "common/bytes.hpp"
#include "common/crypto.hpp"
#include "tests/vectors/encoding_doc.hpp"
#include "wallet_cli/keystore.hpp"

#ifndef L2_ENCODING_DOC
#error "L2_ENCODING_DOC must name docs/encoding.md"
#endif

namespace {

using l2::wallet::KeystoreErrc;
using l2::wallet::SecretString;
using nlohmann::json;

template <class Fixed>
Fixed fixed(const json& j) {
  auto f = Fixed::from_hex_string(j.get<std::string>());
  EXPECT_TRUE(f.has_value()) << "bad hex in the vectors: " << j;
  return f.value_or(Fixed{});
}

TEST(KeystoreVectors, EncoderWritesTheDocumentsTextAndDecoderReadsItBack) {
  const json& v = l2::test::vectors::all();
  ASSERT_FALSE(v.is_discarded()) << "no valid ```json block between the markers in " << L2_ENCODING_DOC;
  ASSERT_TRUE(v.contains("keystore"));
  const json& ks = v.at("keystore");
  EXPECT_EQ(ks.at("aad_tag").get<std::string>(), "L2STACK/KEYSTORE/V1");
  ASSERT_GE(ks.at("files").size(), 1U);
  const SecretString wrong(ks.at("wrong_passphrase").get<std::string>());
  for (const json& f : ks.at("files")) {
    const std::string name = f.at("name").get<std::string>();
    SCOPED_TRACE(name);
    const auto seed = fixed<l2::Seed32>(f.at("seed"));
    const l2::SecretKey key = l2::SecretKey::from_seed(seed);
    ASSERT_EQ(key.public_key(), fixed<l2::PublicKey>(f.at("public_key")));
    l2::wallet::KeyFileRandomness rnd;
    rnd.salt = fixed<decltype(rnd.salt)>(f.at("salt"));
    rnd.nonce = fixed<decltype(rnd.nonce)>(f.at("nonce"));
    const l2::wallet::KdfParams kdf{f.at("opslimit").get<std::uint64_t>(),
                                    f.at("memlimit").get<std::size_t>()};
    const SecretString passphrase(f.at("passphrase").get<std::string>());
    const std::string expected = f.at("file").get<std::string>();

    auto text = l2::wallet::encode_key_file(name, key, passphrase, kdf, rnd);
    ASSERT_TRUE(text.ok()) << text.error().message;
    EXPECT_EQ(*text, expected);

    auto pub = l2::wallet::read_key_file_public(expected);
    ASSERT_TRUE(pub.ok()) << pub.error().message;
    EXPECT_EQ(pub->name, name);
    EXPECT_EQ(pub->public_key, key.public_key());
    auto decoded = l2::wallet::decode_key_file(expected, passphrase);
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    EXPECT_EQ(decoded->seed(), seed);
    auto refused = l2::wallet::decode_key_file(expected, wrong);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code, KeystoreErrc::wrong_passphrase);
  }
}

}  // namespace
