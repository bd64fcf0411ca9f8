// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// rollup/account.hpp: the 56-byte account leaf. Canonical: a leaf that decodes re-encodes
// to its bytes; anything of another length is refused.
#include <cstddef>
#include <cstdint>

#include "rollup/account.hpp"
#include "tests/fuzz/fuzz.hpp"

using namespace l2;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const ByteView in = fuzz::bytes(data, size);
  auto leaf = rollup::decode_leaf(in);
  L2_FUZZ_CHECK(leaf.ok() == (size == rollup::kLeafSize));
  if (leaf) {
    const auto again = rollup::encode_leaf(*leaf);
    L2_FUZZ_CHECK(fuzz::same(again, in));
  }
  return 0;
}
