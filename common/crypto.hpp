// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// Hashing (BLAKE2b-256 for ids and the state tree, SHA-256 for hash locks) and Ed25519
// keys and signatures, all through libsodium. Every function is thread-safe.
// SecretKey keeps its bytes in memory locked away from swap where possible and wipes
// them on destruction; it can't be copied, printed or logged.
#pragma once

#include <memory>

#include "common/bytes.hpp"

namespace l2 {

// Initialises libsodium once; every function below calls it, so callers needn't.
void ensure_sodium();

Hash32 blake2b256(ByteView data);
Hash32 sha256(ByteView data);

// Incremental BLAKE2b-256.
class Blake2b {
 public:
  Blake2b();
  Blake2b& update(ByteView data);
  Hash32 finish();

 private:
  alignas(64) unsigned char state_[384];
};

class SecretKey {
 public:
  static SecretKey from_seed(const Seed32& seed);
  static SecretKey generate();
  SecretKey(SecretKey&&) noexcept;
  SecretKey& operator=(SecretKey&&) noexcept;
  SecretKey(const SecretKey&) = delete;
  SecretKey& operator=(const SecretKey&) = delete;
  ~SecretKey();

  [[nodiscard]] const PublicKey& public_key() const { return public_key_; }
  [[nodiscard]] Signature sign(ByteView message) const;
  // The 32-byte seed, for the keystore only.
  [[nodiscard]] Seed32 seed() const;

 private:
  SecretKey();
  unsigned char* sk_ = nullptr;  // 64 bytes from sodium_malloc: seed || public key
  PublicKey public_key_;
};

// Strict Ed25519 verification (libsodium rejects non-canonical and small-order keys).
bool verify_signature(const PublicKey& key, ByteView message, const Signature& sig);

}  // namespace l2
