// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// settlement/payload.hpp: the raw batch payload and its zstd frame, both from the base
// chain (anyone can post a commitment). The input is tried as a raw payload and as a
// compressed one:
//   * raw: canonical, so a payload that decodes re-encodes to the input bytes;
//   * compressed: one zstd frame with its content size, decompressed and then decoded
//     strictly; what opens re-encodes to the frame's content. The frame itself is not
//     canonical (another compressor, level or checksum choice gives other bytes that
//     open to the same txs; the commitment's payload hash names the exact bytes), so
//     only the raw content is compared.
// Limits below the production ones keep each run fast (a frame may declare 128 MiB, and
// the decoder allocates what a frame declares, up to the limit, before decompressing).
#include <cstddef>
#include <cstdint>

#include "settlement/payload.hpp"
#include "tests/fuzz/fuzz.hpp"

using namespace l2;

namespace {
constexpr std::size_t kMaxTxs = 4096;
constexpr std::size_t kMaxRawBytes = 1u << 20;
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const ByteView in = fuzz::bytes(data, size);
  if (auto txs = settlement::decode_payload(in, kMaxTxs)) {
    auto again = settlement::encode_payload(*txs);
    L2_FUZZ_CHECK(again.ok());
    L2_FUZZ_CHECK(fuzz::same(*again, in));
  }
  if (auto raw = settlement::decompress_payload(in, kMaxRawBytes)) {
    L2_FUZZ_CHECK(raw->size() <= kMaxRawBytes);
    if (auto txs = settlement::decode_payload(*raw, kMaxTxs)) {
      auto again = settlement::encode_payload(*txs);
      L2_FUZZ_CHECK(again.ok());
      L2_FUZZ_CHECK(fuzz::same(*again, *raw));
      // Our own frame of that content opens to the same txs.
      auto reopened = settlement::open_payload(settlement::compress_payload(*raw), kMaxTxs);
      L2_FUZZ_CHECK(reopened.ok() && *reopened == *txs);
    }
  }
  return 0;
}
