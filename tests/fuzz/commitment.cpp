// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// settlement/commitment.hpp: the commitment (header || payload_len varint || payload) and
// the batch origin record. Both canonical: what decodes re-encodes to the input bytes.
// The payload is opaque here (settlement_payload fuzzes it).
#include <cstddef>
#include <cstdint>

#include "settlement/commitment.hpp"
#include "tests/fuzz/fuzz.hpp"

using namespace l2;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const ByteView in = fuzz::bytes(data, size);
  if (auto c = settlement::decode_commitment(in)) {
    L2_FUZZ_CHECK(fuzz::same(settlement::encode_commitment(*c), in));
    (void)settlement::commitment_id(c->header);
  }
  ByteReader r(in);
  if (auto h = settlement::decode_header(r)) {
    ByteWriter w;
    settlement::encode_header(w, *h);
    L2_FUZZ_CHECK(r.position() == w.data().size());
    L2_FUZZ_CHECK(fuzz::same(w.data(), in.first(r.position())));
  }
  if (auto o = settlement::decode_origin(in)) {
    L2_FUZZ_CHECK(fuzz::same(settlement::encode_origin(*o), in));
    L2_FUZZ_CHECK(o->deposits_from <= o->deposits_upto && o->forced_from <= o->forced_upto);
  }
  return 0;
}
