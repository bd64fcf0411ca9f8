// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// The batch payload: round trips of the raw and compressed forms, the strict decoder
// (truncation at every byte, trailing bytes, non-minimal varints, unknown types,
// deposits), decompression limits (bombs, missing content size, several frames),
// determinism of the compressed bytes, fill_nonces, and the size of a uniform batch.
#include <gtest/gtest.h>
#include <zstd.h>

#include <array>
#include <random>
#include <vector>

#include "settlement/payload.hpp"
#include "tests/unit/test_util.hpp"

namespace l2::settlement {
namespace {

using test::make_deposit;
using test::make_transfer;
using test::make_withdraw;
using test::test_key;

const ChainId kChain{7};

std::vector<rollup::Tx> sample_txs() {
  const auto alice = test_key(1);
  const auto bob = test_key(2);
  return {
      make_transfer(kChain, alice, 1, 2, 1000, 10, 0),
      make_withdraw(kChain, bob, 2, 500, 3, 0),
      make_transfer(kChain, alice, 1, 4294967295u, 18446744073709551615ull, 0, 1),
      make_transfer(kChain, bob, 2, 1, 1, 1, 1),
  };
}

// Payload txs come back without nonces: compare with the nonces cleared.
std::vector<rollup::Tx> without_nonces(std::vector<rollup::Tx> txs) {
  for (auto& tx : txs) {
    if (auto* t = std::get_if<rollup::Transfer>(&tx)) t->nonce = Nonce{0};
    if (auto* x = std::get_if<rollup::Withdraw>(&tx)) x->nonce = Nonce{0};
  }
  return txs;
}

TEST(Payload, RawRoundTripDropsNonces) {
  const auto txs = sample_txs();
  auto raw = encode_payload(txs);
  ASSERT_TRUE(raw);
  auto back = decode_payload(*raw);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, without_nonces(txs));
}

TEST(Payload, EmptyPayload) {
  auto raw = encode_payload({});
  ASSERT_TRUE(raw);
  EXPECT_EQ(*raw, (Bytes{kPayloadVersion, 0x00}));
  auto opened = open_payload(*make_payload({}));
  ASSERT_TRUE(opened);
  EXPECT_TRUE(opened->empty());
}

TEST(Payload, LayoutIsColumnar) {
  // One transfer and one withdrawal with small values: every column is visible.
  std::vector<rollup::Tx> txs = {
      rollup::Transfer{AccountIndex(1), AccountIndex(300), Amount(5), Amount(1), Nonce(9), Signature{}},
      rollup::Withdraw{AccountIndex(2), Amount(128), Amount(0), Nonce(4), Signature{}},
  };
  std::get<rollup::Transfer>(txs[0]).signature.array().fill(0xaa);
  std::get<rollup::Withdraw>(txs[1]).signature.array().fill(0xbb);
  auto raw = encode_payload(txs);
  ASSERT_TRUE(raw);
  Bytes want = {0x01, 0x02,        // version, count
                0x02, 0x03,        // types
                0x01, 0x02,        // froms
                0xac, 0x02,        // tos (the transfer's only)
                0x05, 0x80, 0x01,  // amounts
                0x01, 0x00};       // fees
  want.insert(want.end(), 64, 0xaa);
  want.insert(want.end(), 64, 0xbb);
  EXPECT_EQ(*raw, want);
}

TEST(Payload, CompressedRoundTrip) {
  const auto txs = sample_txs();
  auto compressed = make_payload(txs);
  ASSERT_TRUE(compressed);
  auto back = open_payload(*compressed);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, without_nonces(txs));
}

TEST(Payload, DepositsAreRefused) {
  auto txs = sample_txs();
  txs.insert(txs.begin() + 1, make_deposit(0, 3, test_key(3).public_key(), 5));
  auto raw = encode_payload(txs);
  ASSERT_FALSE(raw);
  EXPECT_EQ(raw.error().code, PayloadErrorCode::not_user_tx);
  EXPECT_FALSE(make_payload(txs));

  // A deposit's type tag in the raw form is refused by the decoder too.
  Bytes bad = *encode_payload(sample_txs());
  bad[2] = static_cast<std::uint8_t>(rollup::TxType::deposit);
  auto decoded = decode_payload(bad);
  ASSERT_FALSE(decoded);
  EXPECT_EQ(decoded.error().code, PayloadErrorCode::decode);
}

TEST(Payload, UnknownTypeAndVersionAreRefused) {
  const Bytes good = *encode_payload(sample_txs());
  for (const std::uint8_t type : std::array<std::uint8_t, 4>{0, 1, 4, 255}) {
    Bytes bad = good;
    bad[3] = type;
    EXPECT_FALSE(decode_payload(bad)) << "type " << int(type);
  }
  for (const std::uint8_t version : std::array<std::uint8_t, 3>{0, 2, 255}) {
    Bytes bad = good;
    bad[0] = version;
    EXPECT_FALSE(decode_payload(bad)) << "version " << int(version);
  }
}

TEST(Payload, TruncationAtEveryByteIsRefused) {
  const Bytes good = *encode_payload(sample_txs());
  for (std::size_t n = 0; n < good.size(); ++n) {
    auto r = decode_payload(ByteView(good).first(n));
    EXPECT_FALSE(r) << "accepted a payload cut to " << n << " of " << good.size() << " bytes";
    if (!r) {
      EXPECT_EQ(r.error().code, PayloadErrorCode::decode);
    }
  }
}

TEST(Payload, TrailingBytesAreRefused) {
  Bytes bad = *encode_payload(sample_txs());
  bad.push_back(0);
  EXPECT_FALSE(decode_payload(bad));
}

TEST(Payload, NonMinimalVarintsAreRefused) {
  std::vector<rollup::Tx> txs = {
      rollup::Transfer{AccountIndex(1), AccountIndex(2), Amount(5), Amount(1), Nonce(0), Signature{}}};
  const Bytes good = *encode_payload(txs);
  ASSERT_TRUE(decode_payload(good));
  // Rewrite each one-byte varint column entry v as the two bytes (v | 0x80, 0x00).
  // Positions: version 0, count 1, type 2, from 3, to 4, amount 5, fee 6.
  for (std::size_t pos : {1u, 3u, 4u, 5u, 6u}) {
    Bytes bad = good;
    bad[pos] |= 0x80;
    bad.insert(bad.begin() + static_cast<std::ptrdiff_t>(pos) + 1, 0x00);
    EXPECT_FALSE(decode_payload(bad)) << "non-minimal varint at " << pos;
  }
}

TEST(Payload, IndexBeyondU32IsRefused) {
  std::vector<rollup::Tx> txs = {
      rollup::Transfer{AccountIndex(1), AccountIndex(2), Amount(5), Amount(1), Nonce(0), Signature{}}};
  Bytes bad = *encode_payload(txs);
  // from = 2^32 as a varint: 80 80 80 80 10.
  bad.erase(bad.begin() + 3);
  const Bytes big = {0x80, 0x80, 0x80, 0x80, 0x10};
  bad.insert(bad.begin() + 3, big.begin(), big.end());
  EXPECT_FALSE(decode_payload(bad));
}

TEST(Payload, CountBeyondLimitOrInputIsRefused) {
  const auto txs = sample_txs();
  const Bytes good = *encode_payload(txs);
  EXPECT_TRUE(decode_payload(good, txs.size()));
  EXPECT_FALSE(decode_payload(good, txs.size() - 1));
  // A huge count in a short input is refused before allocating.
  Bytes bad = {kPayloadVersion, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x02};
  EXPECT_FALSE(decode_payload(bad, std::size_t(1) << 40));
}

TEST(Payload, CompressionIsDeterministic) {
  const auto txs = sample_txs();
  const Bytes a = *make_payload(txs);
  const Bytes b = *make_payload(txs);
  EXPECT_EQ(a, b);
  EXPECT_EQ(payload_hash(a), payload_hash(b));
  EXPECT_EQ(payload_hash(a), blake2b256(a));
  // The frame declares its content size and carries a checksum.
  const Bytes raw = *encode_payload(txs);
  EXPECT_EQ(ZSTD_getFrameContentSize(a.data(), a.size()), raw.size());
  // Frame header descriptor (RFC 8878 3.1.1.1.1): bit 2 checksum, bits 0-1 dictionary id.
  ASSERT_GT(a.size(), 4u);
  EXPECT_EQ(a[4] & 0x04, 0x04);
  EXPECT_EQ(a[4] & 0x03, 0x00);
  // A different tx list gives a different hash.
  auto other = txs;
  std::get<rollup::Transfer>(other[0]).amount = Amount(1001);
  EXPECT_NE(payload_hash(*make_payload(other)), payload_hash(a));
}

Bytes zstd_frame(ByteView raw, bool content_size) {
  ZSTD_CCtx* c = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(c, ZSTD_c_contentSizeFlag, content_size ? 1 : 0);
  Bytes out(ZSTD_compressBound(raw.size()));
  // Streaming without a pledged size leaves the content size out of the header.
  ZSTD_inBuffer in{raw.data(), raw.size(), 0};
  ZSTD_outBuffer o{out.data(), out.size(), 0};
  if (content_size) ZSTD_CCtx_setPledgedSrcSize(c, raw.size());
  const std::size_t left = ZSTD_compressStream2(c, &o, &in, ZSTD_e_end);
  EXPECT_EQ(left, 0u);
  ZSTD_freeCCtx(c);
  out.resize(o.pos);
  return out;
}

TEST(Payload, DecompressionRefusesFramesWithoutContentSize) {
  const Bytes raw = *encode_payload(sample_txs());
  const Bytes frame = zstd_frame(raw, false);
  ASSERT_EQ(ZSTD_getFrameContentSize(frame.data(), frame.size()), ZSTD_CONTENTSIZE_UNKNOWN);
  auto r = decompress_payload(frame);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, PayloadErrorCode::decompress);
  // The same data with its size declared is fine.
  auto ok = decompress_payload(zstd_frame(raw, true));
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(*ok, raw);
}

TEST(Payload, DecompressionBombIsRefusedBeforeAllocating) {
  // 64 MiB of zeros compress to a few KiB; a limit of 1 MiB refuses it by the header.
  const Bytes zeros(64u << 20, 0);
  const Bytes bomb = compress_payload(zeros);
  EXPECT_LT(bomb.size(), 64u << 10);
  auto r = decompress_payload(bomb, 1u << 20);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, PayloadErrorCode::decompress);
  EXPECT_NE(r.error().message.find("exceeds"), std::string::npos) << r.error().message;

  // A header that lies (declares 2^40 bytes) is refused by the default limit.
  // Build a frame header by hand: magic, descriptor (FCS 8 bytes, single segment),
  // content size 2^40, then an empty raw last block.
  Bytes forged = {0x28, 0xb5, 0x2f, 0xfd, 0xe0, 0, 0, 0, 0, 0, 1, 0, 0, 0x01, 0x00, 0x00};
  auto declared = ZSTD_getFrameContentSize(forged.data(), forged.size());
  ASSERT_EQ(declared, 1ull << 40);
  auto f = decompress_payload(forged);
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error().code, PayloadErrorCode::decompress);
}

TEST(Payload, DecompressionRefusesSeveralFramesAndTrailingBytes) {
  const Bytes one = *make_payload(sample_txs());
  Bytes two = one;
  two.insert(two.end(), one.begin(), one.end());
  EXPECT_FALSE(decompress_payload(two));
  Bytes trailing = one;
  trailing.push_back(0);
  EXPECT_FALSE(decompress_payload(trailing));
  // A skippable frame in front decodes to nothing: refused.
  Bytes skippable = {0x50, 0x2a, 0x4d, 0x18, 0x00, 0x00, 0x00, 0x00};
  EXPECT_FALSE(decompress_payload(skippable));
  skippable.insert(skippable.end(), one.begin(), one.end());
  EXPECT_FALSE(decompress_payload(skippable));
  EXPECT_FALSE(decompress_payload({}));
  EXPECT_FALSE(decompress_payload(Bytes{0x28, 0xb5}));
}

TEST(Payload, CorruptFrameIsRefused) {
  const Bytes good = *make_payload(sample_txs());
  // Truncation at every byte, and a flipped bit in the last byte (the checksum).
  for (std::size_t n = 0; n < good.size(); ++n)
    EXPECT_FALSE(decompress_payload(ByteView(good).first(n))) << "cut to " << n;
  Bytes flipped = good;
  flipped.back() ^= 0x01;
  EXPECT_FALSE(decompress_payload(flipped));
}

TEST(Payload, FillNoncesCountsPerSender) {
  const auto op = test_key(9);
  rollup::State state(op.public_key());
  rollup::OverlayState overlay(state);
  const auto alice = test_key(1);
  const auto bob = test_key(2);
  ASSERT_EQ(rollup::apply_tx(overlay, kChain, make_deposit(0, 1, alice.public_key(), 1000)).status,
            rollup::TxStatus::applied);
  ASSERT_EQ(rollup::apply_tx(overlay, kChain, make_deposit(1, 2, bob.public_key(), 1000)).status,
            rollup::TxStatus::applied);
  // Alice has already sent 3 txs.
  for (std::uint64_t n = 0; n < 3; ++n)
    ASSERT_EQ(rollup::apply_tx(overlay, kChain, make_transfer(kChain, alice, 1, 2, 1, 0, n)).status,
              rollup::TxStatus::applied);
  state.apply(overlay.changes());

  std::vector<rollup::Tx> txs = without_nonces({
      make_transfer(kChain, alice, 1, 2, 1, 0, 0), make_transfer(kChain, bob, 2, 1, 1, 0, 0),
      make_withdraw(kChain, alice, 1, 1, 0, 0), make_transfer(kChain, alice, 1, 2, 1, 0, 0),
      make_transfer(kChain, bob, 99, 1, 1, 0, 0),  // no such sender: left at 0
  });
  fill_nonces(txs, state);
  auto nonce = [&](std::size_t i) {
    return std::visit(
        [](const auto& t) -> std::uint64_t {
          if constexpr (std::is_same_v<std::decay_t<decltype(t)>, rollup::Deposit>)
            return 0;
          else
            return t.nonce.value();
        },
        txs[i]);
  };
  EXPECT_EQ(nonce(0), 3u);
  EXPECT_EQ(nonce(1), 0u);
  EXPECT_EQ(nonce(2), 4u);
  EXPECT_EQ(nonce(3), 5u);
  EXPECT_EQ(nonce(4), 0u);
}

// The posted size of a uniform workload (the settlement benchmark's): 10,000 transfers
// between 1,000,000 accounts, amounts 1..1,000,000, fee 1. Signatures are random bytes
// (as incompressible as real ones; signing 10k txs would only slow the test).
TEST(Payload, UniformTransfersCostAtMost80BytesEach) {
  std::mt19937_64 rng(20261122);
  std::uniform_int_distribution<std::uint32_t> account(1, 1'000'000);
  std::uniform_int_distribution<std::uint64_t> amount(1, 1'000'000);
  std::vector<rollup::Tx> txs;
  txs.reserve(10'000);
  for (int i = 0; i < 10'000; ++i) {
    const std::uint32_t from = account(rng);
    std::uint32_t to = account(rng);
    while (to == from) to = account(rng);
    rollup::Transfer t{AccountIndex(from), AccountIndex(to), Amount(amount(rng)), Amount(1), Nonce(0), {}};
    for (auto& b : t.signature.array()) b = static_cast<std::uint8_t>(rng());
    txs.emplace_back(t);
  }
  const Bytes raw = *encode_payload(txs);
  const Bytes compressed = compress_payload(raw);
  const double per_tx = static_cast<double>(compressed.size()) / 10'000.0;
  RecordProperty("compressed_bytes_per_transfer", std::to_string(per_tx));
  EXPECT_LE(compressed.size(), 80u * 10'000u) << per_tx << " bytes per transfer";
  EXPECT_LT(raw.size(), 97u * 10'000u);
  auto back = open_payload(compressed);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, txs);
}

}  // namespace
}  // namespace l2::settlement
