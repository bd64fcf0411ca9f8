// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// sequencer/json_codec.hpp txs_from_binary: POST /v1/batches with an octet-stream body,
// chain_id u64le || count varint || tx wire form*, deposits refused. Canonical: a body that
// decodes re-encodes to the input bytes.
#include <cstddef>
#include <cstdint>
#include <variant>
#include <vector>

#include "sequencer/json_codec.hpp"
#include "tests/fuzz/fuzz.hpp"

using namespace l2;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const ByteView in = fuzz::bytes(data, size);
  auto batch = sequencer::txs_from_binary(in, 4096);
  if (!batch) return 0;
  ByteReader r(in);
  const auto chain = r.u64le();
  L2_FUZZ_CHECK(chain.ok());
  std::vector<rollup::Tx> txs;
  for (const auto& t : *batch) {
    L2_FUZZ_CHECK(t.chain_id == ChainId(*chain));
    L2_FUZZ_CHECK(!std::holds_alternative<rollup::Deposit>(t.tx));
    txs.push_back(t.tx);
  }
  ByteWriter w;
  w.u64le(*chain);
  w.bytes(rollup::encode_txs(txs));
  L2_FUZZ_CHECK(fuzz::same(w.data(), in));
  return 0;
}
