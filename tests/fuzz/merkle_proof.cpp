// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// common/merkle.hpp: the single-leaf proof and the multiproof. Both are canonical (empty
// siblings are left out, indices strictly increasing, no stray bitmap bits): a decoded
// proof re-encodes to the input bytes. A decoded proof is also verified against a root
// (a stateless computation on data from anyone: it must not crash on any decoded proof).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "common/merkle.hpp"
#include "tests/fuzz/fuzz.hpp"

using namespace l2;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const ByteView in = fuzz::bytes(data, size);
  if (auto p = MerkleProof::decode(in)) {
    L2_FUZZ_CHECK(fuzz::same(p->encode(), in));
    (void)verify_merkle_proof(Hash32(), std::nullopt, *p);
  }
  if (auto m = MerkleMultiProof::decode(in)) {
    L2_FUZZ_CHECK(fuzz::same(m->encode(), in));
    L2_FUZZ_CHECK(m->siblings.size() == multiproof_sibling_count(m->indices));
    const std::vector<std::optional<Hash32>> leaves(m->indices.size());
    L2_FUZZ_CHECK(multiproof_root(*m, leaves).has_value());
  }
  return 0;
}
