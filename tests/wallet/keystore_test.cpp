// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// The keystore: encryption round trip, the file's strict decoding, tampering, file-system
// rules (modes, atomic writes, names, listing). KDF costs are libsodium's minimum
// (opslimit 1, memlimit 8 KiB) except in the one test of the defaults.
#include "wallet_cli/keystore.hpp"

#include <sodium.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/wallet/temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
using l2::SecretKey;
using l2::Seed32;
using l2::wallet::KdfParams;
using l2::wallet::KeyFileRandomness;
using l2::wallet::Keystore;
using l2::wallet::KeystoreErrc;
using l2::wallet::SecretString;
using l2::wallet::testing::mode_of;
using l2::wallet::testing::read_all;
using l2::wallet::testing::TempDir;
using l2::wallet::testing::write_file;

const KdfParams kFast{1, 8192};
constexpr std::string_view kPassphrase = "correct horse battery staple";

Seed32 seed_of(std::uint8_t b) {
  Seed32 s;
  std::fill(s.array().begin(), s.array().end(), b);
  return s;
}

KeyFileRandomness fixed_randomness() {
  KeyFileRandomness r;
  for (std::size_t i = 0; i < r.salt.size(); ++i) r.salt.data()[i] = static_cast<std::uint8_t>(i);
  for (std::size_t i = 0; i < r.nonce.size(); ++i) r.nonce.data()[i] = static_cast<std::uint8_t>(0x20 + i);
  return r;
}

std::string encoded(std::string_view name = "alice", std::uint8_t seed = 7) {
  auto text = l2::wallet::encode_key_file(name, SecretKey::from_seed(seed_of(seed)),
                                          SecretString(kPassphrase), kFast, fixed_randomness());
  EXPECT_TRUE(text.ok());
  return text.ok() ? *text : std::string();
}

// `text` with its only occurrence of `from` replaced by `to`.
std::string replaced(std::string text, std::string_view from, std::string_view to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  EXPECT_EQ(text.find(from, at + 1), std::string::npos) << from << " occurs twice";
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

// The error code, or nullopt for a success.
template <class T>
std::optional<KeystoreErrc> code_of(const l2::Result<T, l2::wallet::KeystoreError>& r) {
  if (r.ok()) return std::nullopt;
  return r.error().code;
}

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string base64(l2::ByteView b, int variant) {
  std::string out(sodium_base64_encoded_len(b.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), b.data(), b.size(), variant);
  out.resize(out.find('\0'));
  return out;
}

class KeystoreTest : public ::testing::Test {
 protected:
  TempDir tmp_;
  fs::path dir_ = tmp_.path() / "wallet";
  Keystore ks_{dir_};
};

TEST_F(KeystoreTest, RoundTripCreatesDirectory0700AndFile0600) {
  const SecretKey key = SecretKey::from_seed(seed_of(7));
  auto added = ks_.add("alice", key, SecretString(kPassphrase), kFast);
  ASSERT_TRUE(added.ok()) << added.error().message;
  EXPECT_EQ(added->name, "alice");
  EXPECT_EQ(added->public_key, key.public_key());
  EXPECT_EQ(added->path, dir_ / "alice.key");
  EXPECT_EQ(mode_of(dir_), 0700U);
  EXPECT_EQ(mode_of(dir_ / "alice.key"), 0600U);
  // Nothing but the key file: the temporary file was renamed, not left behind.
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(dir_)) files.push_back(e.path().filename().string());
  EXPECT_EQ(files, std::vector<std::string>{"alice.key"});

  auto found = ks_.find("alice");
  ASSERT_TRUE(found.ok()) << found.error().message;
  EXPECT_EQ(found->public_key, key.public_key());
  auto unlocked = ks_.unlock("alice", SecretString(kPassphrase));
  ASSERT_TRUE(unlocked.ok()) << unlocked.error().message;
  EXPECT_EQ(unlocked->public_key(), key.public_key());
  EXPECT_EQ(unlocked->seed(), key.seed());
}

TEST_F(KeystoreTest, RoundTripWithTheDefaultKdfCosts) {
  const SecretKey key = SecretKey::generate();
  auto added = ks_.add("default", key, SecretString(kPassphrase));
  ASSERT_TRUE(added.ok()) << added.error().message;
  const std::string text = read_all(added->path);
  EXPECT_NE(text.find(R"("opslimit":3,"memlimit":67108864)"), std::string::npos) << text;
  auto unlocked = ks_.unlock("default", SecretString(kPassphrase));
  ASSERT_TRUE(unlocked.ok()) << unlocked.error().message;
  EXPECT_EQ(unlocked->seed(), key.seed());
}

TEST_F(KeystoreTest, WrongPassphraseIsRefusedWithoutEchoingIt) {
  ASSERT_TRUE(ks_.add("alice", SecretKey::from_seed(seed_of(7)), SecretString(kPassphrase), kFast).ok());
  for (std::string_view wrong : {"correct horse battery stapler", "", "Correct horse battery staple"}) {
    auto r = ks_.unlock("alice", SecretString(wrong));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, KeystoreErrc::wrong_passphrase);
    EXPECT_NE(r.error().message.find("wrong passphrase"), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find("alice.key"), std::string::npos) << r.error().message;
    if (!wrong.empty()) {
      EXPECT_EQ(r.error().message.find(wrong), std::string::npos) << r.error().message;
    }
    EXPECT_EQ(r.error().message.find(kPassphrase), std::string::npos) << r.error().message;
  }
}

TEST(KeystoreFile, EveryTruncationIsCorrupt) {
  const std::string text = encoded();
  // The last byte is the newline; without it the document is still whole.
  ASSERT_EQ(text.back(), '\n');
  for (std::size_t n = 0; n + 1 < text.size(); ++n) {
    auto r = l2::wallet::decode_key_file(text.substr(0, n), SecretString(kPassphrase));
    ASSERT_FALSE(r.ok()) << n;
    EXPECT_EQ(r.error().code, KeystoreErrc::corrupt) << n;
  }
  EXPECT_TRUE(l2::wallet::decode_key_file(text.substr(0, text.size() - 1), SecretString(kPassphrase)).ok());
}

TEST_F(KeystoreTest, TruncatedFileOnDiskIsCorruptAndNamed) {
  ASSERT_TRUE(ks_.add("alice", SecretKey::from_seed(seed_of(7)), SecretString(kPassphrase), kFast).ok());
  const fs::path path = dir_ / "alice.key";
  const std::string text = read_all(path);
  write_file(path, text.substr(0, text.size() / 2));
  auto r = ks_.unlock("alice", SecretString(kPassphrase));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, KeystoreErrc::corrupt);
  EXPECT_NE(r.error().message.find(path.string()), std::string::npos) << r.error().message;
}

TEST(KeystoreFile, EveryAlteredCiphertextDigitFailsTheTag) {
  const std::string text = encoded();
  const auto at = text.find(R"("ciphertext":")") + std::string_view(R"("ciphertext":")").size();
  for (std::size_t i = 0; i < 96; ++i) {
    std::string bad = text;
    bad[at + i] = bad[at + i] == '0' ? '1' : '0';
    auto r = l2::wallet::decode_key_file(bad, SecretString(kPassphrase));
    ASSERT_FALSE(r.ok()) << i;
    EXPECT_EQ(r.error().code, KeystoreErrc::wrong_passphrase) << i;
  }
}

TEST(KeystoreFile, AlteredSaltOrNonceFailsTheTag) {
  const std::string text = encoded();
  for (auto [from, to] :
       {std::pair{"\"salt\":\"00", "\"salt\":\"01"}, std::pair{"\"nonce\":\"20", "\"nonce\":\"21"}}) {
    auto r = l2::wallet::decode_key_file(replaced(text, from, to), SecretString(kPassphrase));
    ASSERT_FALSE(r.ok()) << from;
    EXPECT_EQ(r.error().code, KeystoreErrc::wrong_passphrase) << from;
  }
}

TEST(KeystoreFile, SwappedPublicKeyFailsTheTag) {
  const std::string text = encoded();
  const std::string mine = SecretKey::from_seed(seed_of(7)).public_key().hex();
  const std::string other = SecretKey::from_seed(seed_of(8)).public_key().hex();
  const std::string swapped = replaced(text, mine, other);
  // The public part reads fine (it is only shape): the swap shows at decryption.
  auto pub = l2::wallet::read_key_file_public(swapped);
  ASSERT_TRUE(pub.ok()) << pub.error().message;
  EXPECT_EQ(pub->public_key.hex(), other);
  auto r = l2::wallet::decode_key_file(swapped, SecretString(kPassphrase));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, KeystoreErrc::wrong_passphrase);
}

TEST(KeystoreFile, RenamedInsideFailsTheTag) {
  const std::string renamed = replaced(encoded(), R"("name":"alice")", R"("name":"bob")");
  auto r = l2::wallet::decode_key_file(renamed, SecretString(kPassphrase));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, KeystoreErrc::wrong_passphrase);
}

TEST_F(KeystoreTest, FileWhoseNameDiffersFromItsContentIsCorrupt) {
  ASSERT_TRUE(ks_.add("alice", SecretKey::from_seed(seed_of(7)), SecretString(kPassphrase), kFast).ok());
  fs::rename(dir_ / "alice.key", dir_ / "bob.key");
  auto r = ks_.find("bob");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, KeystoreErrc::corrupt);
  EXPECT_NE(r.error().message.find("holds key 'alice'"), std::string::npos) << r.error().message;
  EXPECT_EQ(code_of(ks_.unlock("bob", SecretString(kPassphrase))), KeystoreErrc::corrupt);
  auto listed = ks_.list();
  ASSERT_FALSE(listed.ok());
  EXPECT_EQ(listed.error().code, KeystoreErrc::corrupt);
}

TEST(KeystoreFile, StrictDecodingNamesWhatIsWrong) {
  const std::string good = encoded();
  ASSERT_TRUE(l2::wallet::read_key_file_public(good).ok());
  struct Case {
    std::string text;
    std::string says;  // a part of the message
  };
  const std::string pk = SecretKey::from_seed(seed_of(7)).public_key().hex();
  std::string kdf_not_object = good;
  const auto kdf_at = kdf_not_object.find(R"("kdf":)") + 6;
  kdf_not_object.replace(kdf_at, kdf_not_object.find(R"(,"cipher")") - kdf_at, "[1]");
  const std::vector<Case> cases = {
      {"", "not one JSON document"},
      {"[]", "not a JSON object"},
      {"{}", "'version' is missing"},
      {replaced(good, R"("version":1)", R"("version":2)"), "version 2"},
      {replaced(good, R"("version":1)", R"("version":"1")"), "'version' has the wrong JSON type"},
      {replaced(good, R"("version":1)", R"("version":1.0)"), "'version'"},
      {replaced(good, R"("version":1,)", R"("version":1,"version":1,)"), "appears twice"},
      {replaced(good, R"("version":1,)", R"("version":1,"comment":"x",)"), "'comment' is not a known field"},
      {replaced(good, R"("name":"alice",)", ""), "'name' is missing"},
      {replaced(good, R"("name":"alice")", R"("name":"Alice")"), "'name' is not a valid key name"},
      {replaced(good, R"("name":"alice")", R"("name":7)"), "'name' has the wrong JSON type"},
      {replaced(good, pk, pk.substr(2)), "'public_key' has the wrong length"},
      {replaced(good, pk, "zz" + pk.substr(2)), "'public_key' is not hex"},
      {kdf_not_object, "'kdf' is not an object"},
      {replaced(good, R"("name":"argon2id13")", R"("name":"scrypt")"), "'kdf.name' is not an algorithm"},
      {replaced(good, R"("opslimit":1,)", ""), "'kdf.opslimit' is missing"},
      {replaced(good, R"("opslimit":1,)", R"("opslimit":1,"p":1,)"), "'kdf.p' is not a known field"},
      {replaced(good, R"("opslimit":1,)", R"("opslimit":0,)"), "out of bounds"},
      {replaced(good, R"("opslimit":1,)", R"("opslimit":11,)"), "out of bounds"},
      {replaced(good, R"("opslimit":1,)", R"("opslimit":-1,)"), "'kdf.opslimit'"},
      {replaced(good, R"("memlimit":8192,)", R"("memlimit":8191,)"), "out of bounds"},
      {replaced(good, R"("memlimit":8192,)", R"("memlimit":1073741825,)"), "out of bounds"},
      {replaced(good, R"("memlimit":8192,)", R"("memlimit":18446744073709551616,)"), "'kdf.memlimit'"},
      {replaced(good, R"("salt":"000102030405060708090a0b0c0d0e0f")", R"("salt":"0001")"),
       "'kdf.salt' has the wrong length"},
      {replaced(good, R"("name":"xchacha20poly1305-ietf")", R"("name":"aes256gcm")"),
       "'cipher.name' is not an algorithm"},
      {replaced(good, R"("nonce":"20)", R"("nonce":"z0)"), "'cipher.nonce' is not hex"},
      {replaced(good, R"("nonce":"2021)", R"("nonce":")"), "'cipher.nonce' has the wrong length"},
      {replaced(good, R"("ciphertext":")", R"("ciphertext":"00)"),
       "'cipher.ciphertext' has the wrong length"},
      {replaced(good, R"(,"ciphertext":")", R"(,"tag":"00","ciphertext":")"),
       "'cipher.tag' is not a known field"},
      {replaced(good, "}}\n", "}} x"), "not one JSON document"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(code_of(l2::wallet::decode_key_file(c.text, SecretString(kPassphrase))), KeystoreErrc::corrupt)
        << c.text;
    auto r = l2::wallet::read_key_file_public(c.text);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_EQ(r.error().code, KeystoreErrc::corrupt) << c.text;
    EXPECT_NE(r.error().message.find(c.says), std::string::npos)
        << "message: " << r.error().message << "\nexpected to contain: " << c.says << "\ninput: " << c.text;
  }
}

TEST(KeystoreFile, WhitespaceAndUppercaseHexAreAccepted) {
  // The file is JSON: a reformatted one (an editor, jq) reads the same.
  std::string text = replaced(encoded(), R"("kdf":{)", "\n  \"kdf\" : {");
  const std::string pk = SecretKey::from_seed(seed_of(7)).public_key().hex();
  text = replaced(text, pk, upper(pk));
  auto r = l2::wallet::decode_key_file(text, SecretString(kPassphrase));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->seed(), seed_of(7));
}

TEST(KeystoreFile, EncodingRefusesCostsAReaderWouldRefuse) {
  const SecretKey key = SecretKey::from_seed(seed_of(7));
  for (const KdfParams& kdf : {KdfParams{0, 8192}, KdfParams{11, 8192}, KdfParams{1, 8191},
                               KdfParams{1, (std::size_t{1} << 30) + 1}}) {
    auto r = l2::wallet::encode_key_file("alice", key, SecretString(kPassphrase), kdf, fixed_randomness());
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, KeystoreErrc::bad_kdf_params);
  }
  const TempDir tmp;
  Keystore ks(tmp.path() / "never-created");
  EXPECT_EQ(code_of(ks.add("alice", key, SecretString(kPassphrase), KdfParams{0, 8192})),
            KeystoreErrc::bad_kdf_params);
  EXPECT_FALSE(fs::exists(ks.dir()));
  for (const KdfParams& kdf : {KdfParams{10, 8192}, KdfParams{1, 65536}}) {
    auto r = l2::wallet::encode_key_file("alice", key, SecretString(kPassphrase), kdf, fixed_randomness());
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_TRUE(l2::wallet::decode_key_file(*r, SecretString(kPassphrase)).ok());
  }
}

TEST(KeystoreFile, HoldsNeitherSeedNorSecretKeyInAnyCommonForm) {
  // Not a repeated byte for this test: a seed of 07s would hide in other hex by chance.
  Seed32 seed;
  for (std::size_t i = 0; i < Seed32::size(); ++i) seed.data()[i] = static_cast<std::uint8_t>(0xa0 + 3 * i);
  const SecretKey k = SecretKey::from_seed(seed);
  auto text = l2::wallet::encode_key_file("alice", k, SecretString(kPassphrase), kFast, fixed_randomness());
  ASSERT_TRUE(text.ok());
  // libsodium's secret key is seed || public key.
  l2::Bytes sk(seed.view().begin(), seed.view().end());
  sk.insert(sk.end(), k.public_key().view().begin(), k.public_key().view().end());
  const l2::ByteView secrets[] = {seed.view(), sk};
  for (const l2::ByteView s : secrets) {
    const std::string raw(reinterpret_cast<const char*>(s.data()), s.size());
    EXPECT_EQ(text->find(raw), std::string::npos);
    EXPECT_EQ(text->find(l2::to_hex(s)), std::string::npos);
    EXPECT_EQ(text->find(upper(l2::to_hex(s))), std::string::npos);
    for (int variant : {sodium_base64_VARIANT_ORIGINAL, sodium_base64_VARIANT_ORIGINAL_NO_PADDING,
                        sodium_base64_VARIANT_URLSAFE, sodium_base64_VARIANT_URLSAFE_NO_PADDING}) {
      const std::string b64 = base64(s, variant);
      // The first 40 characters: a prefix of the encoding is as telling as the whole.
      EXPECT_EQ(text->find(b64.substr(0, 40)), std::string::npos) << b64;
    }
  }
}

TEST_F(KeystoreTest, KeyFileReadableByOthersIsRefusedWithTheFix) {
  ASSERT_TRUE(ks_.add("alice", SecretKey::from_seed(seed_of(7)), SecretString(kPassphrase), kFast).ok());
  const fs::path path = dir_ / "alice.key";
  for (mode_t mode : {0644U, 0640U, 0604U, 0601U, 0610U}) {
    ASSERT_EQ(::chmod(path.c_str(), mode), 0);
    EXPECT_EQ(code_of(ks_.find("alice")), KeystoreErrc::insecure_permissions) << std::oct << mode;
    EXPECT_EQ(code_of(ks_.read_file("alice")), KeystoreErrc::insecure_permissions) << std::oct << mode;
    EXPECT_EQ(code_of(ks_.list()), KeystoreErrc::insecure_permissions) << std::oct << mode;
    auto r = ks_.unlock("alice", SecretString(kPassphrase));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, KeystoreErrc::insecure_permissions);
    EXPECT_NE(r.error().message.find(path.string()), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find("chmod 600 " + path.string()), std::string::npos) << r.error().message;
    char mode_text[8];
    std::snprintf(mode_text, sizeof mode_text, "%04o", static_cast<unsigned>(mode));
    EXPECT_NE(r.error().message.find(mode_text), std::string::npos) << r.error().message;
  }
  ASSERT_EQ(::chmod(path.c_str(), 0400), 0);  // owner read-only is fine
  EXPECT_TRUE(ks_.unlock("alice", SecretString(kPassphrase)).ok());
}

TEST_F(KeystoreTest, DirectoryWritableByOthersIsRefused) {
  ASSERT_TRUE(ks_.add("alice", SecretKey::from_seed(seed_of(7)), SecretString(kPassphrase), kFast).ok());
  for (mode_t mode : {0777U, 0720U, 0702U}) {
    ASSERT_EQ(::chmod(dir_.c_str(), mode), 0);
    auto added = ks_.add("bob", SecretKey::from_seed(seed_of(8)), SecretString(kPassphrase), kFast);
    ASSERT_FALSE(added.ok());
    EXPECT_EQ(added.error().code, KeystoreErrc::insecure_permissions);
    EXPECT_NE(added.error().message.find(dir_.string()), std::string::npos) << added.error().message;
    auto listed = ks_.list();
    ASSERT_FALSE(listed.ok());
    EXPECT_EQ(listed.error().code, KeystoreErrc::insecure_permissions);
    auto unlocked = ks_.unlock("alice", SecretString(kPassphrase));
    ASSERT_FALSE(unlocked.ok());
    EXPECT_EQ(unlocked.error().code, KeystoreErrc::insecure_permissions);
  }
  EXPECT_FALSE(fs::exists(dir_ / "bob.key"));
  ASSERT_EQ(::chmod(dir_.c_str(), 0755), 0);  // readable by others only shows public parts
  EXPECT_TRUE(ks_.list().ok());
}

TEST_F(KeystoreTest, AddRefusesAnExistingName) {
  ASSERT_TRUE(ks_.add("alice", SecretKey::from_seed(seed_of(7)), SecretString(kPassphrase), kFast).ok());
  const std::string before = read_all(dir_ / "alice.key");
  auto again = ks_.add("alice", SecretKey::from_seed(seed_of(8)), SecretString("other"), kFast);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, KeystoreErrc::exists);
  EXPECT_NE(again.error().message.find("alice"), std::string::npos);
  auto imported = ks_.add_file("alice", before);
  ASSERT_FALSE(imported.ok());
  EXPECT_EQ(imported.error().code, KeystoreErrc::exists);
  EXPECT_EQ(read_all(dir_ / "alice.key"), before);
  // No temporary file left by the refused import.
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 1);
}

TEST_F(KeystoreTest, NamesOutsideTheGrammarAreRefused) {
  const SecretKey key = SecretKey::from_seed(seed_of(7));
  for (std::string_view bad : {"", "Alice", "-a", "_a", "a.b", "a/b", "../a", "a b", "a\n", "\xc3\xa9",
                               "a23456789012345678901234567890123"}) {
    EXPECT_FALSE(l2::wallet::valid_key_name(bad)) << bad;
    auto r = ks_.add(bad, key, SecretString(kPassphrase), kFast);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, KeystoreErrc::bad_name) << bad;
    EXPECT_EQ(code_of(ks_.find(bad)), KeystoreErrc::bad_name) << bad;
    EXPECT_EQ(code_of(ks_.unlock(bad, SecretString(kPassphrase))), KeystoreErrc::bad_name) << bad;
    EXPECT_EQ(
        code_of(l2::wallet::encode_key_file(bad, key, SecretString(kPassphrase), kFast, fixed_randomness())),
        KeystoreErrc::bad_name)
        << bad;
  }
  for (std::string_view good : {"a", "0", "a-b_c", "9lives", "a2345678901234567890123456789012"})
    EXPECT_TRUE(l2::wallet::valid_key_name(good)) << good;
  EXPECT_FALSE(fs::exists(dir_)) << "a refused name must not create the directory";
}

TEST_F(KeystoreTest, MissingDirectoryListsEmptyAndFindsNothing) {
  auto listed = ks_.list();
  ASSERT_TRUE(listed.ok()) << listed.error().message;
  EXPECT_TRUE(listed->empty());
  EXPECT_EQ(code_of(ks_.find("alice")), KeystoreErrc::not_found);
  EXPECT_EQ(code_of(ks_.unlock("alice", SecretString(kPassphrase))), KeystoreErrc::not_found);
  ASSERT_TRUE(ks_.add("bob", SecretKey::from_seed(seed_of(8)), SecretString(kPassphrase), kFast).ok());
  auto r = ks_.find("alice");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, KeystoreErrc::not_found);
  EXPECT_NE(r.error().message.find("alice"), std::string::npos);
}

TEST_F(KeystoreTest, ListSortsByNameAndIgnoresOtherFiles) {
  for (auto [name, seed] :
       {std::pair{"carol", 3}, std::pair{"alice", 1}, std::pair{"bob-2", 2}, std::pair{"b", 4}}) {
    ASSERT_TRUE(ks_.add(name, SecretKey::from_seed(seed_of(static_cast<std::uint8_t>(seed))),
                        SecretString(kPassphrase), kFast)
                    .ok());
  }
  write_file(dir_ / "password", "hunter2\n");
  write_file(dir_ / ".alice.key.tmp-0011223344556677", "half a file");
  write_file(dir_ / "notes.txt", "not a key");
  write_file(dir_ / ".hidden.key", "dotfiles are not keys");
  fs::create_directory(dir_ / "backup");
  auto listed = ks_.list();
  ASSERT_TRUE(listed.ok()) << listed.error().message;
  std::vector<std::string> names;
  for (const auto& e : *listed) names.push_back(e.name);
  EXPECT_EQ(names, (std::vector<std::string>{"alice", "b", "bob-2", "carol"}));
  EXPECT_EQ((*listed)[0].public_key, SecretKey::from_seed(seed_of(1)).public_key());
  EXPECT_EQ((*listed)[0].path, dir_ / "alice.key");
}

TEST_F(KeystoreTest, ListNamesAKeyFileThatIsNotAKeystoreFile) {
  ASSERT_TRUE(ks_.add("alice", SecretKey::from_seed(seed_of(1)), SecretString(kPassphrase), kFast).ok());
  for (std::string_view file : {"junk.key", "Upper.key"}) {
    write_file(dir_ / file, "{}");
    auto listed = ks_.list();
    ASSERT_FALSE(listed.ok()) << file;
    EXPECT_EQ(listed.error().code, KeystoreErrc::corrupt);
    EXPECT_NE(listed.error().message.find((dir_ / file).string()), std::string::npos)
        << listed.error().message;
    fs::remove(dir_ / file);
  }
  EXPECT_TRUE(ks_.list().ok());
}

TEST_F(KeystoreTest, SymlinkAndFifoAreNotKeyFiles) {
  ASSERT_TRUE(ks_.add("alice", SecretKey::from_seed(seed_of(1)), SecretString(kPassphrase), kFast).ok());
  fs::create_symlink(dir_ / "alice.key", dir_ / "link.key");
  EXPECT_EQ(code_of(ks_.find("link")), KeystoreErrc::io);
  fs::remove(dir_ / "link.key");
  ASSERT_EQ(::mkfifo((dir_ / "fifo.key").c_str(), 0600), 0);
  EXPECT_EQ(code_of(ks_.find("fifo")), KeystoreErrc::corrupt);  // and it does not hang
}

TEST_F(KeystoreTest, ExportAndImportUnderTheFilesOwnName) {
  const SecretKey key = SecretKey::from_seed(seed_of(7));
  ASSERT_TRUE(ks_.add("alice", key, SecretString(kPassphrase), kFast).ok());
  auto exported = ks_.read_file("alice");
  ASSERT_TRUE(exported.ok()) << exported.error().message;
  EXPECT_EQ(*exported, read_all(dir_ / "alice.key"));

  Keystore other(tmp_.path() / "other");
  auto renamed = other.add_file("bob", *exported);
  ASSERT_FALSE(renamed.ok());
  EXPECT_EQ(renamed.error().code, KeystoreErrc::bad_name);
  EXPECT_NE(renamed.error().message.find("import it as 'alice'"), std::string::npos)
      << renamed.error().message;
  EXPECT_EQ(code_of(other.add_file("alice", "{\"version\":1}")), KeystoreErrc::corrupt);
  EXPECT_EQ(code_of(other.add_file("Alice", *exported)), KeystoreErrc::bad_name);

  auto imported = other.add_file("alice", *exported);
  ASSERT_TRUE(imported.ok()) << imported.error().message;
  EXPECT_EQ(imported->public_key, key.public_key());
  EXPECT_EQ(mode_of(imported->path), 0600U);
  EXPECT_EQ(mode_of(other.dir()), 0700U);
  auto unlocked = other.unlock("alice", SecretString(kPassphrase));
  ASSERT_TRUE(unlocked.ok()) << unlocked.error().message;
  EXPECT_EQ(unlocked->seed(), key.seed());
}

TEST(KeystoreErrc, EveryCodeHasAName) {
  for (auto c : {KeystoreErrc::not_found, KeystoreErrc::exists, KeystoreErrc::bad_name,
                 KeystoreErrc::insecure_permissions, KeystoreErrc::corrupt, KeystoreErrc::wrong_passphrase,
                 KeystoreErrc::io, KeystoreErrc::bad_kdf_params})
    EXPECT_NE(l2::wallet::to_string(c), "unknown");
}

}  // namespace
