// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// settlement/basechain/tx.hpp: a base-chain tx's wire form (every kind: transfers,
// registrations, deposits, forced rollup txs, commitments, withdrawal proofs). Canonical:
// what decodes re-encodes to the input bytes. The hash and the signature check of every
// decoded tx run too (basechaind does both on every submitted tx).
#include <cstddef>
#include <cstdint>

#include "settlement/basechain/tx.hpp"
#include "tests/fuzz/fuzz.hpp"

using namespace l2;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const ByteView in = fuzz::bytes(data, size);
  if (auto tx = settlement::decode_base_tx(in)) {
    L2_FUZZ_CHECK(fuzz::same(settlement::encode_base_tx(*tx), in));
    (void)settlement::base_tx_hash(ChainId(31337), *tx);
    (void)settlement::verify_base_tx(*tx, ChainId(31337));
  }
  return 0;
}
