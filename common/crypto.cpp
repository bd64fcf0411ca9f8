// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
#include "common/crypto.hpp"

#include <sodium.h>

#include <cstring>
#include <new>

#include "common/assert.hpp"

namespace l2 {

void ensure_sodium() {
  static const int kInit = sodium_init();
  L2_ASSERT(kInit >= 0);
}

Hash32 blake2b256(ByteView data) {
  Hash32 out;
  crypto_generichash(out.data(), Hash32::size(), data.data(), data.size(), nullptr, 0);
  return out;
}

Hash32 sha256(ByteView data) {
  ensure_sodium();
  Hash32 out;
  crypto_hash_sha256(out.data(), data.data(), data.size());
  return out;
}

static_assert(sizeof(crypto_generichash_state) <= 384);

// NOLINTNEXTLINE(cppcoreguidelines-pro-type-member-init): crypto_generichash_init writes the state
Blake2b::Blake2b() {
  crypto_generichash_init(reinterpret_cast<crypto_generichash_state*>(state_), nullptr, 0, Hash32::size());
}
Blake2b& Blake2b::update(ByteView data) {
  crypto_generichash_update(reinterpret_cast<crypto_generichash_state*>(state_), data.data(), data.size());
  return *this;
}
Hash32 Blake2b::finish() {
  Hash32 out;
  crypto_generichash_final(reinterpret_cast<crypto_generichash_state*>(state_), out.data(), Hash32::size());
  sodium_memzero(state_, sizeof state_);
  return out;
}

SecretKey::SecretKey() {
  ensure_sodium();
  sk_ = static_cast<unsigned char*>(sodium_malloc(crypto_sign_SECRETKEYBYTES));
  if (sk_ == nullptr) throw std::bad_alloc();
}
SecretKey::~SecretKey() {
  if (sk_ != nullptr) sodium_free(sk_);  // sodium_free zeroes the memory first
}
SecretKey::SecretKey(SecretKey&& o) noexcept : sk_(o.sk_), public_key_(o.public_key_) { o.sk_ = nullptr; }
SecretKey& SecretKey::operator=(SecretKey&& o) noexcept {
  if (this != &o) {
    if (sk_ != nullptr) sodium_free(sk_);
    sk_ = o.sk_;
    public_key_ = o.public_key_;
    o.sk_ = nullptr;
  }
  return *this;
}

SecretKey SecretKey::from_seed(const Seed32& seed) {
  SecretKey k;
  crypto_sign_seed_keypair(k.public_key_.data(), k.sk_, seed.data());
  return k;
}
SecretKey SecretKey::generate() {
  SecretKey k;
  crypto_sign_keypair(k.public_key_.data(), k.sk_);
  return k;
}
Seed32 SecretKey::seed() const {
  L2_ASSERT(sk_ != nullptr);
  Seed32 out;
  crypto_sign_ed25519_sk_to_seed(out.data(), sk_);
  return out;
}
Signature SecretKey::sign(ByteView message) const {
  L2_ASSERT(sk_ != nullptr);
  Signature sig;
  crypto_sign_detached(sig.data(), nullptr, message.data(), message.size(), sk_);
  return sig;
}

bool verify_signature(const PublicKey& key, ByteView message, const Signature& sig) {
  ensure_sodium();
  return crypto_sign_verify_detached(sig.data(), message.data(), message.size(), key.data()) == 0;
}

}  // namespace l2
