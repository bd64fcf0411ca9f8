// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// wallet_cli/keystore.hpp: a keystore file as the wallet reads it (an imported file is
// anyone's). read_key_file_public on every input; decode_key_file with the fixed
// passphrase "fuzz" on inputs whose KDF costs are tiny. The file names its own costs and
// the reader accepts up to opslimit 10 and memlimit 1 GiB, which would make one run take
// seconds: inputs above opslimit 2 or memlimit 16 KiB only get the public read (the
// bounds themselves are the reader's to enforce: parse_kdf refuses the rest).
// Properties:
//   * both reads agree on the name and public key, and the name is a valid key name;
//   * a file that decrypts re-encodes (encode_key_file with its salt, nonce and costs)
//     to the same JSON value, up to hex case.
// The seed file in corpus/keystore is encrypted under "fuzz" (tests/fuzz/make_corpus.py).
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "common/json/parse.hpp"
#include "tests/fuzz/fuzz.hpp"
#include "wallet_cli/keystore.hpp"

using namespace l2;
using nlohmann::json;

namespace {

constexpr std::uint64_t kMaxFuzzOpslimit = 2;
constexpr std::uint64_t kMaxFuzzMemlimit = 16 << 10;

// A KDF cost field: as a number the reader would read, or 0 (the reader refuses it anyway).
std::uint64_t cost(const json& doc, const char* field) {
  if (!doc.is_object() || !doc.contains("kdf") || !doc.at("kdf").is_object()) return 0;
  const json& kdf = doc.at("kdf");
  if (!kdf.contains(field) || !kdf.at(field).is_number_unsigned()) return 0;
  return kdf.at(field).get<std::uint64_t>();
}

void lower_hex(json& j) {
  if (j.is_object()) {
    for (auto& [k, v] : j.items()) lower_hex(v);
  } else if (j.is_string()) {
    std::string s = j.get<std::string>();
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    j = s;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = fuzz::text(data, size);
  auto entry = wallet::read_key_file_public(text);
  if (entry) L2_FUZZ_CHECK(wallet::valid_key_name(entry->name));

  auto doc = strict_json::parse_unique_keys(text);
  if (!doc) {
    L2_FUZZ_CHECK(!entry);
    return 0;
  }
  if (cost(*doc, "opslimit") > kMaxFuzzOpslimit || cost(*doc, "memlimit") > kMaxFuzzMemlimit) return 0;

  static const wallet::SecretString kPassphrase("fuzz");
  auto key = wallet::decode_key_file(text, kPassphrase);
  if (!key) return 0;
  L2_FUZZ_CHECK(entry.ok() && entry->public_key == key->public_key());

  const json& kdf = doc->at("kdf");
  const json& cipher = doc->at("cipher");
  wallet::KeyFileRandomness rnd;
  rnd.salt = *decltype(rnd.salt)::from_hex_string(kdf.at("salt").get<std::string>());
  rnd.nonce = *decltype(rnd.nonce)::from_hex_string(cipher.at("nonce").get<std::string>());
  const wallet::KdfParams params{kdf.at("opslimit").get<std::uint64_t>(),
                                 kdf.at("memlimit").get<std::size_t>()};
  auto again = wallet::encode_key_file(entry->name, *key, kPassphrase, params, rnd);
  L2_FUZZ_CHECK(again.ok());
  auto reparsed = strict_json::parse_unique_keys(*again);
  L2_FUZZ_CHECK(reparsed.ok());
  json want = *doc;
  lower_hex(want);
  json got = *reparsed;
  lower_hex(got);
  L2_FUZZ_CHECK(got == want);
  return 0;
}
