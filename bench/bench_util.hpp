// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// Helpers the benchmark programs share: statistics and rounding for their tables,
// progress lines on stderr, and the fast key shortcut (accounts' keys derived from a
// per-benchmark tag, transfers signed with libsodium directly on all threads, a sample
// cross-checked against SecretKey and sign_tx). For programs only; not thread-safe
// except where said.
#pragma once

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/bytes.hpp"
#include "common/thread_pool.hpp"
#include "common/types.hpp"
#include "rollup/tx.hpp"

namespace l2::bench {

double median(std::vector<double> v);
inline double round1(double x) { return std::round(x * 10) / 10; }
inline double round3(double x) { return std::round(x * 1000) / 1000; }

// progress() prints "NAME: message" on stderr; the program sets NAME once, first.
void set_progress_name(std::string name);
__attribute__((format(printf, 1, 2))) void progress(const char* fmt, ...);

// Keys of a benchmark's accounts, from BLAKE2b-256(tag "/sender-seed" || index u32le)
// and so on: the same accounts get the same keys in every run of that benchmark.
class BenchKeys {
 public:
  explicit BenchKeys(std::string tag) : tag_(std::move(tag)) {}
  [[nodiscard]] Seed32 sender_seed(std::uint32_t index) const;
  [[nodiscard]] Seed32 operator_seed() const;
  // A pseudo-random public key for an account that never sends (no secret key exists).
  [[nodiscard]] PublicKey filler_key(std::uint32_t index) const;

 private:
  [[nodiscard]] Hash32 tagged_hash(std::string_view what, std::uint32_t index) const;
  std::string tag_;
};

// Derives keys and signs with libsodium directly (crypto_sign_seed_keypair,
// crypto_sign_detached over rollup::signing_preimage), which is what SecretKey::from_seed
// and sign_tx do, because every SecretKey is a sodium_malloc'd guarded mapping: about
// 63 us of mmap/mprotect/mlock/munmap per key on one thread and slower on two (TLB
// shootdowns), 4x the key derivation itself; each key is wiped after use.
// Gives every sender of `txs` (transfers over accounts 1..accounts) its key, signs its
// transfers in place on `pool`, and fills pubkeys[0..accounts] (0: the operator; never
// senders: filler keys). A spread of 16 senders is checked against SecretKey::from_seed
// and rollup::sign_tx. Returns the number of senders and the keys, or nullopt if the
// check failed.
struct SignedKeys {
  std::uint32_t senders = 0;
  std::vector<PublicKey> pubkeys;  // by account index, 0..accounts
};
std::optional<SignedKeys> make_keys_and_sign(const BenchKeys& keys, ChainId chain,
                                             std::vector<rollup::Tx>& txs, std::uint32_t accounts,
                                             ThreadPool& pool);

}  // namespace l2::bench
