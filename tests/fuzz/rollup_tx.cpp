// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// rollup/tx.hpp: one tx's wire form (decode_tx) and a batch of them (decode_txs). Both
// are canonical: what decodes re-encodes to the input bytes. The tx hash and the
// signing preimage of every decoded tx are computed too (they read every field).
#include <cstddef>
#include <cstdint>

#include "rollup/tx.hpp"
#include "tests/fuzz/fuzz.hpp"

using namespace l2;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const ByteView in = fuzz::bytes(data, size);
  if (auto tx = rollup::decode_tx(in)) {
    L2_FUZZ_CHECK(fuzz::same(rollup::encode_tx(*tx), in));
    (void)rollup::tx_hash(ChainId(1), *tx);
  }
  // A small cap keeps a count varint from asking for a huge reservation.
  if (auto txs = rollup::decode_txs(in, 4096)) {
    L2_FUZZ_CHECK(fuzz::same(rollup::encode_txs(*txs), in));
  }
  return 0;
}
