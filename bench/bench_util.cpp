// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
#include "bench/bench_util.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <cstdarg>
#include <cstdio>
#include <numeric>

#include "common/codec.hpp"
#include "common/crypto.hpp"

namespace l2::bench {

namespace {
std::string& progress_name() {
  static std::string name = "bench";
  return name;
}
}  // namespace

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const std::size_t m = v.size() / 2;
  return v.size() % 2 == 1 ? v[m] : (v[m - 1] + v[m]) / 2;
}

void set_progress_name(std::string name) { progress_name() = std::move(name); }

void progress(const char* fmt, ...) {
  std::fprintf(stderr, "%s: ", progress_name().c_str());
  va_list args;
  va_start(args, fmt);
  std::vfprintf(stderr, fmt, args);
  va_end(args);
  std::fputc('\n', stderr);
}

Hash32 BenchKeys::tagged_hash(std::string_view what, std::uint32_t index) const {
  ByteWriter w;
  w.ascii(tag_);
  w.ascii(what);
  w.u32le(index);
  return blake2b256(w.data());
}
Seed32 BenchKeys::sender_seed(std::uint32_t index) const {
  return Seed32(tagged_hash("/sender-seed", index).array());
}
Seed32 BenchKeys::operator_seed() const { return Seed32(tagged_hash("/operator-seed", 0).array()); }
PublicKey BenchKeys::filler_key(std::uint32_t index) const {
  return PublicKey(tagged_hash("/filler-pubkey", index).array());
}

std::optional<SignedKeys> make_keys_and_sign(const BenchKeys& keys, ChainId chain,
                                             std::vector<rollup::Tx>& txs, std::uint32_t accounts,
                                             ThreadPool& pool) {
  using rollup::Transfer;
  SignedKeys out;
  std::vector<PublicKey>& pubkeys = out.pubkeys;
  const std::size_t n = static_cast<std::size_t>(accounts) + 1;
  std::vector<std::uint32_t> offsets(n + 1, 0);
  for (const rollup::Tx& tx : txs) ++offsets[std::get<Transfer>(tx).from.value() + 1];
  std::vector<std::uint32_t> senders;
  for (std::size_t i = 0; i < n; ++i)
    if (offsets[i + 1] != 0) senders.push_back(static_cast<std::uint32_t>(i));
  std::partial_sum(offsets.begin(), offsets.end(), offsets.begin());
  std::vector<std::uint32_t> by_sender(txs.size());
  {
    std::vector<std::uint32_t> fill(offsets.begin(), offsets.end() - 1);
    for (std::size_t k = 0; k < txs.size(); ++k)
      by_sender[fill[std::get<Transfer>(txs[k]).from.value()]++] = static_cast<std::uint32_t>(k);
  }
  pubkeys.assign(n, PublicKey());
  pubkeys[0] = SecretKey::from_seed(keys.operator_seed()).public_key();
  pool.parallel_for(senders.size(), 16, [&](std::size_t b, std::size_t e) {
    std::array<unsigned char, crypto_sign_SECRETKEYBYTES> sk{};
    for (std::size_t k = b; k < e; ++k) {
      const std::uint32_t s = senders[k];
      crypto_sign_seed_keypair(pubkeys[s].data(), sk.data(), keys.sender_seed(s).data());
      for (std::uint32_t j = offsets[s]; j < offsets[s + 1]; ++j) {
        auto& t = std::get<Transfer>(txs[by_sender[j]]);
        const Bytes preimage = rollup::signing_preimage(chain, t);
        crypto_sign_detached(t.signature.data(), nullptr, preimage.data(), preimage.size(), sk.data());
      }
    }
    sodium_memzero(sk.data(), sk.size());
  });
  pool.parallel_for(n, 4096, [&](std::size_t b, std::size_t e) {
    for (std::size_t i = std::max<std::size_t>(b, 1); i < e; ++i)
      if (offsets[i + 1] == offsets[i]) pubkeys[i] = keys.filler_key(static_cast<std::uint32_t>(i));
  });
  // Cross-check a spread of senders against the library's own key and signing path.
  const std::size_t samples = std::min<std::size_t>(senders.size(), 16);
  for (std::size_t k = 0; k < samples; ++k) {
    const std::uint32_t s = senders[k * senders.size() / samples];
    const SecretKey key = SecretKey::from_seed(keys.sender_seed(s));
    rollup::Tx copy = txs[by_sender[offsets[s]]];
    std::get<Transfer>(copy).signature = Signature();
    rollup::sign_tx(copy, chain, key);
    if (key.public_key() != pubkeys[s] || copy != txs[by_sender[offsets[s]]]) {
      progress("key or signature of account %u differs from SecretKey::from_seed / sign_tx", s);
      return std::nullopt;
    }
  }
  out.senders = static_cast<std::uint32_t>(senders.size());
  return out;
}

}  // namespace l2::bench
