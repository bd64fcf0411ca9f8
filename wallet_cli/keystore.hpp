// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// The wallet's keystore: one file per key in a wallet directory, the key's 32-byte Ed25519
// seed encrypted with XChaCha20-Poly1305 under a key derived from a passphrase with
// Argon2id (libsodium). docs/encoding.md ("Keystore files") is the reference, with a
// test vector that tests/vectors/check_vectors.py decrypts independently (PyNaCl).
//
//   DIR/NAME.key   JSON, mode 0600, written atomically (temp file, fsync, rename, fsync
//                  of the directory). The public key and the KDF parameters are in the
//                  clear; the seed only encrypted, bound to the public key and name by
//                  the AEAD's associated data.
//
// A key file with any permission bit for group or others is refused, as ssh refuses such
// a private key, and so is a directory that group or others may write (they could swap a
// key file for theirs; reading it shows only names and public keys). Secrets (passphrases, derived keys,
// seeds) live in sodium-allocated or wiped buffers and are wiped as soon as they are no longer needed.
//
// Thread safety: a Keystore is a path; concurrent writers of one directory are not
// coordinated beyond what rename gives (a name is never half-written).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/bytes.hpp"
#include "common/crypto.hpp"
#include "common/result.hpp"
#include "wallet_cli/secret_string.hpp"

namespace l2::wallet {

enum class KeystoreErrc : std::uint8_t {
  not_found,             // no key of that name (or no such directory)
  exists,                // a key of that name is already there (add refuses to overwrite)
  bad_name,              // names: [a-z0-9][a-z0-9_-]{0,31}
  insecure_permissions,  // the file or directory is accessible by group or others
  corrupt,               // not a keystore file of a version we read, or its fields are wrong
  wrong_passphrase,      // the AEAD tag does not verify
  io,                    // the file system refused (message says what)
  bad_kdf_params,        // encode/add: KDF costs outside the bounds a reader accepts
};
std::string_view to_string(KeystoreErrc c);

struct KeystoreError {
  KeystoreErrc code = KeystoreErrc::io;
  std::string message;  // one line, names the file; never any secret
};

// Argon2id cost. The defaults take about a quarter of a second on one core; the file
// records what it was made with, and reading accepts only bounded costs (a hostile file
// must not make the wallet allocate gigabytes).
struct KdfParams {
  std::uint64_t opslimit = 3;
  std::size_t memlimit = std::size_t{64} << 20;  // bytes
};

struct KeyEntry {
  std::string name;
  PublicKey public_key;
  std::filesystem::path path;
};

// Pure encoding of one file (no file system), deterministic given salt and nonce: what the
// test vector pins. The name is in the file and in the associated data.
struct KeyFileRandomness {
  FixedBytes<16, struct KdfSaltTag> salt;     // crypto_pwhash_SALTBYTES
  FixedBytes<24, struct AeadNonceTag> nonce;  // crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
};
Result<std::string, KeystoreError> encode_key_file(std::string_view name, const SecretKey& key,
                                                   const SecretString& passphrase, const KdfParams& kdf,
                                                   const KeyFileRandomness& randomness);
// The public part alone (no passphrase, no KDF): name and public key, checked for shape.
Result<KeyEntry, KeystoreError> read_key_file_public(std::string_view json);
Result<SecretKey, KeystoreError> decode_key_file(std::string_view json, const SecretString& passphrase);

bool valid_key_name(std::string_view name);

class Keystore {
 public:
  explicit Keystore(std::filesystem::path dir);
  [[nodiscard]] const std::filesystem::path& dir() const { return dir_; }

  // Encrypts and writes DIR/NAME.key (creating DIR with mode 0700 if missing). Refuses a
  // name that exists.
  Result<KeyEntry, KeystoreError> add(std::string_view name, const SecretKey& key,
                                      const SecretString& passphrase, const KdfParams& kdf = {});
  // Writes an already encoded keystore file (import of an exported file), after checking
  // its public part; its passphrase is unchanged. The name is in the AEAD's associated data,
  // so `name` must be the file's own name: another one is refused (bad_name, naming the
  // file's). Refuses a name that exists.
  Result<KeyEntry, KeystoreError> add_file(std::string_view name, std::string_view json);
  // Every key, sorted by name. A file in DIR that is not a valid keystore file is an error
  // naming it (never silently skipped). A missing DIR is an empty list.
  Result<std::vector<KeyEntry>, KeystoreError> list() const;
  Result<KeyEntry, KeystoreError> find(std::string_view name) const;
  // The raw file text (export), after the permission check.
  Result<std::string, KeystoreError> read_file(std::string_view name) const;
  Result<SecretKey, KeystoreError> unlock(std::string_view name, const SecretString& passphrase) const;

 private:
  std::filesystem::path dir_;
};

}  // namespace l2::wallet
