// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
#include "settlement/payload.hpp"

#include <zstd.h>

#include <limits>
#include <memory>
#include <unordered_map>

#include "common/assert.hpp"
#include "common/crypto.hpp"

namespace l2::settlement {

namespace {

// The smallest a payload tx can be: type, from, amount and fee one byte each, signature.
constexpr std::size_t kMinTxBytes = 4 + Signature::size();

PayloadError decode_error(std::string message) { return {PayloadErrorCode::decode, std::move(message)}; }
PayloadError decode_error(std::string_view where, DecodeError e) {
  return decode_error(std::string(where) + ": " + std::string(to_string(e)));
}
PayloadError decompress_error(std::string message) {
  return {PayloadErrorCode::decompress, std::move(message)};
}

struct CCtxDeleter {
  void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};
struct DCtxDeleter {
  void operator()(ZSTD_DCtx* d) const { ZSTD_freeDCtx(d); }
};

const Signature& signature_of(const rollup::Tx& tx) {
  if (const auto* t = std::get_if<rollup::Transfer>(&tx)) return t->signature;
  return std::get<rollup::Withdraw>(tx).signature;
}

}  // namespace

std::string_view to_string(PayloadErrorCode c) {
  switch (c) {
    case PayloadErrorCode::not_user_tx:
      return "not_user_tx";
    case PayloadErrorCode::decompress:
      return "decompress";
    case PayloadErrorCode::decode:
      return "decode";
  }
  return "unknown";
}

Result<Bytes, PayloadError> encode_payload(std::span<const rollup::Tx> txs) {
  for (std::size_t i = 0; i < txs.size(); ++i) {
    if (std::holds_alternative<rollup::Deposit>(txs[i]))
      return make_error(PayloadError{PayloadErrorCode::not_user_tx,
                                     "tx " + std::to_string(i) + " is a deposit: deposits are not posted"});
  }
  ByteWriter w(txs.size() * 80 + 16);
  w.u8(kPayloadVersion);
  w.varint(txs.size());
  for (const auto& tx : txs) w.u8(static_cast<std::uint8_t>(rollup::tx_type(tx)));
  for (const auto& tx : txs) {
    if (const auto* t = std::get_if<rollup::Transfer>(&tx)) w.varint(t->from.value());
    if (const auto* x = std::get_if<rollup::Withdraw>(&tx)) w.varint(x->from.value());
  }
  for (const auto& tx : txs) {
    if (const auto* t = std::get_if<rollup::Transfer>(&tx)) w.varint(t->to.value());
  }
  for (const auto& tx : txs) {
    if (const auto* t = std::get_if<rollup::Transfer>(&tx)) w.varint(t->amount.value());
    if (const auto* x = std::get_if<rollup::Withdraw>(&tx)) w.varint(x->amount.value());
  }
  for (const auto& tx : txs) {
    if (const auto* t = std::get_if<rollup::Transfer>(&tx)) w.varint(t->fee.value());
    if (const auto* x = std::get_if<rollup::Withdraw>(&tx)) w.varint(x->fee.value());
  }
  for (const auto& tx : txs) w.bytes(signature_of(tx).view());
  return w.take();
}

Result<std::vector<rollup::Tx>, PayloadError> decode_payload(ByteView raw, std::size_t max_txs) {
  ByteReader r(raw);
  auto version = r.u8();
  if (!version) return make_error(decode_error("version", version.error()));
  if (*version != kPayloadVersion)
    return make_error(decode_error("unknown payload version " + std::to_string(*version)));
  auto count = r.varint();
  if (!count) return make_error(decode_error("count", count.error()));
  if (*count > max_txs)
    return make_error(decode_error("count " + std::to_string(*count) + " exceeds the limit of " +
                                   std::to_string(max_txs) + " txs"));
  // A count the input can't hold is refused before anything is allocated.
  if (*count > r.remaining() / kMinTxBytes) return make_error(decode_error("count", DecodeError::truncated));
  const auto n = static_cast<std::size_t>(*count);

  std::vector<rollup::Tx> txs;
  txs.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    auto type = r.u8();
    if (!type) return make_error(decode_error("types", type.error()));
    if (*type == static_cast<std::uint8_t>(rollup::TxType::transfer)) {
      txs.emplace_back(rollup::Transfer{});
    } else if (*type == static_cast<std::uint8_t>(rollup::TxType::withdraw)) {
      txs.emplace_back(rollup::Withdraw{});
    } else {
      return make_error(decode_error("tx " + std::to_string(i) + ": type " + std::to_string(*type) +
                                     " is not a transfer (2) or a withdrawal (3)"));
    }
  }
  auto read_index = [&](const char* column, std::size_t i) -> Result<AccountIndex, PayloadError> {
    auto v = r.varint();
    if (!v) return make_error(decode_error(std::string(column) + " of tx " + std::to_string(i), v.error()));
    if (*v > std::numeric_limits<std::uint32_t>::max())
      return make_error(
          decode_error(std::string(column) + " of tx " + std::to_string(i), DecodeError::out_of_range));
    return AccountIndex(static_cast<std::uint32_t>(*v));
  };
  auto read_amount = [&](const char* column, std::size_t i) -> Result<Amount, PayloadError> {
    auto v = r.varint();
    if (!v) return make_error(decode_error(std::string(column) + " of tx " + std::to_string(i), v.error()));
    return Amount(*v);
  };
  for (std::size_t i = 0; i < n; ++i) {
    auto from = read_index("from", i);
    if (!from) return make_error(from.error());
    if (auto* t = std::get_if<rollup::Transfer>(&txs[i])) t->from = *from;
    if (auto* x = std::get_if<rollup::Withdraw>(&txs[i])) x->from = *from;
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (auto* t = std::get_if<rollup::Transfer>(&txs[i])) {
      auto to = read_index("to", i);
      if (!to) return make_error(to.error());
      t->to = *to;
    }
  }
  for (std::size_t i = 0; i < n; ++i) {
    auto amount = read_amount("amount", i);
    if (!amount) return make_error(amount.error());
    if (auto* t = std::get_if<rollup::Transfer>(&txs[i])) t->amount = *amount;
    if (auto* x = std::get_if<rollup::Withdraw>(&txs[i])) x->amount = *amount;
  }
  for (std::size_t i = 0; i < n; ++i) {
    auto fee = read_amount("fee", i);
    if (!fee) return make_error(fee.error());
    if (auto* t = std::get_if<rollup::Transfer>(&txs[i])) t->fee = *fee;
    if (auto* x = std::get_if<rollup::Withdraw>(&txs[i])) x->fee = *fee;
  }
  for (std::size_t i = 0; i < n; ++i) {
    auto sig = r.fixed<Signature>();
    if (!sig) return make_error(decode_error("signature of tx " + std::to_string(i), sig.error()));
    if (auto* t = std::get_if<rollup::Transfer>(&txs[i])) t->signature = *sig;
    if (auto* x = std::get_if<rollup::Withdraw>(&txs[i])) x->signature = *sig;
  }
  if (auto end = r.expect_end(); !end) return make_error(decode_error("payload", end.error()));
  return txs;
}

Bytes compress_payload(ByteView raw) {
  std::unique_ptr<ZSTD_CCtx, CCtxDeleter> cctx(ZSTD_createCCtx());
  L2_ASSERT(cctx != nullptr);
  // Every parameter that affects the output is pinned, so the bytes (and the payload
  // hash) depend on the raw payload and the libzstd version alone.
  L2_ASSERT(!ZSTD_isError(ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_compressionLevel, kPayloadZstdLevel)));
  L2_ASSERT(!ZSTD_isError(ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_checksumFlag, 1)));
  L2_ASSERT(!ZSTD_isError(ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_contentSizeFlag, 1)));
  L2_ASSERT(!ZSTD_isError(ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_dictIDFlag, 0)));
  L2_ASSERT(!ZSTD_isError(ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_nbWorkers, 0)));
  Bytes out(ZSTD_compressBound(raw.size()));
  const std::size_t n = ZSTD_compress2(cctx.get(), out.data(), out.size(), raw.data(), raw.size());
  L2_ASSERT(!ZSTD_isError(n));  // the output buffer is compressBound: can't run out
  out.resize(n);
  return out;
}

Result<Bytes, PayloadError> decompress_payload(ByteView compressed, std::size_t max_raw_bytes) {
  // One regular zstd frame: a skippable frame (magic 0x184D2A5?) would decode to nothing.
  if (compressed.size() < 4) return make_error(decompress_error("shorter than a zstd frame header"));
  const std::uint32_t magic =
      static_cast<std::uint32_t>(compressed[0]) | static_cast<std::uint32_t>(compressed[1]) << 8 |
      static_cast<std::uint32_t>(compressed[2]) << 16 | static_cast<std::uint32_t>(compressed[3]) << 24;
  if (magic != ZSTD_MAGICNUMBER) return make_error(decompress_error("not a zstd frame (bad magic number)"));
  const unsigned long long declared = ZSTD_getFrameContentSize(compressed.data(), compressed.size());
  if (declared == ZSTD_CONTENTSIZE_ERROR) return make_error(decompress_error("invalid zstd frame header"));
  if (declared == ZSTD_CONTENTSIZE_UNKNOWN)
    return make_error(decompress_error("the zstd frame does not declare its content size"));
  if (declared > max_raw_bytes)
    return make_error(decompress_error("declared content size " + std::to_string(declared) +
                                       " exceeds the limit of " + std::to_string(max_raw_bytes) + " bytes"));
  const std::size_t frame = ZSTD_findFrameCompressedSize(compressed.data(), compressed.size());
  if (ZSTD_isError(frame))
    return make_error(decompress_error(std::string("invalid zstd frame: ") + ZSTD_getErrorName(frame)));
  if (frame != compressed.size())
    return make_error(decompress_error(std::to_string(compressed.size() - frame) +
                                       " bytes after the zstd frame (a second frame or trailing bytes)"));

  std::unique_ptr<ZSTD_DCtx, DCtxDeleter> dctx(ZSTD_createDCtx());
  L2_ASSERT(dctx != nullptr);
  Bytes out(static_cast<std::size_t>(declared));
  const std::size_t n =
      ZSTD_decompressDCtx(dctx.get(), out.data(), out.size(), compressed.data(), compressed.size());
  if (ZSTD_isError(n)) return make_error(decompress_error(std::string("zstd: ") + ZSTD_getErrorName(n)));
  if (n != out.size())
    return make_error(decompress_error("the frame holds " + std::to_string(n) +
                                       " bytes, its header declares " + std::to_string(out.size())));
  return out;
}

Result<Bytes, PayloadError> make_payload(std::span<const rollup::Tx> txs) {
  auto raw = encode_payload(txs);
  if (!raw) return raw;
  return compress_payload(*raw);
}

Result<std::vector<rollup::Tx>, PayloadError> open_payload(ByteView compressed, std::size_t max_txs) {
  auto raw = decompress_payload(compressed);
  if (!raw) return make_error(raw.error());
  return decode_payload(*raw, max_txs);
}

Hash32 payload_hash(ByteView compressed) { return blake2b256(compressed); }

namespace {
// size(): account count; nonce_of(i): the nonce of existing account i.
template <class NonceOf>
void fill_nonces_with(std::vector<rollup::Tx>& txs, std::uint32_t size, NonceOf&& nonce_of) {
  std::unordered_map<std::uint32_t, std::uint64_t> seen;
  seen.reserve(txs.size());
  for (auto& tx : txs) {
    rollup::Transfer* t = std::get_if<rollup::Transfer>(&tx);
    rollup::Withdraw* x = std::get_if<rollup::Withdraw>(&tx);
    if (t == nullptr && x == nullptr) continue;
    const AccountIndex from = t != nullptr ? t->from : x->from;
    Nonce nonce{0};
    if (from.value() < size) nonce = Nonce(nonce_of(from).value() + seen[from.value()]++);
    if (t != nullptr) t->nonce = nonce;
    if (x != nullptr) x->nonce = nonce;
  }
}
}  // namespace

void fill_nonces(std::vector<rollup::Tx>& txs, const rollup::State& state) {
  fill_nonces_with(txs, state.size(), [&](AccountIndex i) { return state.at(i).nonce; });
}

void fill_nonces(std::vector<rollup::Tx>& txs, const rollup::OverlayState& state) {
  fill_nonces_with(txs, state.size(), [&](AccountIndex i) { return state.at(i).nonce; });
}

}  // namespace l2::settlement
