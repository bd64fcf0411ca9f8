// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
#include "rollup/tx.hpp"

#include "common/assert.hpp"

namespace l2::rollup {

namespace {
template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

void encode_body(ByteWriter& w, const Tx& tx) {
  std::visit(Overloaded{[&](const Deposit& d) {
                          w.u64le(d.deposit_id.value());
                          w.u32le(d.to_index.value());
                          w.bytes(d.to.view());
                          w.u64le(d.amount.value());
                        },
                        [&](const Transfer& t) {
                          w.u32le(t.from.value());
                          w.u32le(t.to.value());
                          w.u64le(t.amount.value());
                          w.u64le(t.fee.value());
                          w.u64le(t.nonce.value());
                        },
                        [&](const Withdraw& x) {
                          w.u32le(x.from.value());
                          w.u64le(x.amount.value());
                          w.u64le(x.fee.value());
                          w.u64le(x.nonce.value());
                        }},
             tx);
}

const Signature* signature_of(const Tx& tx) {
  if (const auto* t = std::get_if<Transfer>(&tx)) return &t->signature;
  if (const auto* x = std::get_if<Withdraw>(&tx)) return &x->signature;
  return nullptr;
}

void write_preimage(ByteWriter& w, ChainId chain, const Tx& tx) {
  w.ascii(kTxDomainTag);
  w.u64le(chain.value());
  w.u8(static_cast<std::uint8_t>(tx_type(tx)));
  encode_body(w, tx);
}
}  // namespace

TxType tx_type(const Tx& tx) {
  switch (tx.index()) {
    case 0:
      return TxType::deposit;
    case 1:
      return TxType::transfer;
    default:
      return TxType::withdraw;
  }
}

std::string_view to_string(TxType t) {
  switch (t) {
    case TxType::deposit:
      return "deposit";
    case TxType::transfer:
      return "transfer";
    case TxType::withdraw:
      return "withdraw";
  }
  return "unknown";
}

Bytes signing_preimage(ChainId chain, const Tx& tx) {
  ByteWriter w(64);
  write_preimage(w, chain, tx);
  return w.take();
}

Hash32 tx_hash(ChainId chain, const Tx& tx) {
  ByteWriter w(128);
  write_preimage(w, chain, tx);
  if (const Signature* sig = signature_of(tx)) w.bytes(sig->view());
  return blake2b256(w.data());
}

void sign_tx(Tx& tx, ChainId chain, const SecretKey& key) {
  Bytes pre = signing_preimage(chain, tx);
  if (auto* t = std::get_if<Transfer>(&tx)) t->signature = key.sign(pre);
  if (auto* x = std::get_if<Withdraw>(&tx)) x->signature = key.sign(pre);
}

bool verify_tx_signature(const Tx& tx, ChainId chain, const PublicKey& signer) {
  const Signature* sig = signature_of(tx);
  if (sig == nullptr) return true;
  return verify_signature(signer, signing_preimage(chain, tx), *sig);
}

void encode_tx(ByteWriter& w, const Tx& tx) {
  w.u8(static_cast<std::uint8_t>(tx_type(tx)));
  encode_body(w, tx);
  if (const Signature* sig = signature_of(tx)) w.bytes(sig->view());
}

Bytes encode_tx(const Tx& tx) {
  ByteWriter w(128);
  encode_tx(w, tx);
  return w.take();
}

Result<Tx, DecodeError> decode_tx(ByteReader& r) {
  auto type = r.u8();
  if (!type) return make_error(type.error());
  // Every field is fixed width, so one truncation check per field is all there is.
  auto u32 = [&](std::uint32_t& out) {
    auto v = r.u32le();
    if (v) out = *v;
    return v.ok();
  };
  auto u64 = [&](std::uint64_t& out) {
    auto v = r.u64le();
    if (v) out = *v;
    return v.ok();
  };
  std::uint32_t from = 0;
  std::uint32_t to = 0;
  std::uint64_t amount = 0;
  std::uint64_t fee = 0;
  std::uint64_t nonce = 0;
  switch (*type) {
    case static_cast<std::uint8_t>(TxType::deposit): {
      Deposit d;
      std::uint64_t id = 0;
      if (!u64(id) || !u32(to)) return make_error(DecodeError::truncated);
      d.deposit_id = DepositPosition(id);
      d.to_index = AccountIndex(to);
      auto key = r.fixed<PublicKey>();
      if (!key || !u64(amount)) return make_error(DecodeError::truncated);
      d.to = *key;
      d.amount = Amount(amount);
      return Tx(d);
    }
    case static_cast<std::uint8_t>(TxType::transfer): {
      if (!u32(from) || !u32(to) || !u64(amount) || !u64(fee) || !u64(nonce))
        return make_error(DecodeError::truncated);
      auto sig = r.fixed<Signature>();
      if (!sig) return make_error(sig.error());
      return Tx(
          Transfer{AccountIndex(from), AccountIndex(to), Amount(amount), Amount(fee), Nonce(nonce), *sig});
    }
    case static_cast<std::uint8_t>(TxType::withdraw): {
      if (!u32(from) || !u64(amount) || !u64(fee) || !u64(nonce)) return make_error(DecodeError::truncated);
      auto sig = r.fixed<Signature>();
      if (!sig) return make_error(sig.error());
      return Tx(Withdraw{AccountIndex(from), Amount(amount), Amount(fee), Nonce(nonce), *sig});
    }
    default:
      return make_error(DecodeError::unknown_type);
  }
}

Result<Tx, DecodeError> decode_tx(ByteView in) {
  ByteReader r(in);
  auto tx = decode_tx(r);
  if (!tx) return tx;
  if (auto e = r.expect_end(); !e) return make_error(e.error());
  return tx;
}

Bytes encode_txs(std::span<const Tx> txs) {
  ByteWriter w(txs.size() * 110 + 8);
  w.varint(txs.size());
  for (const auto& tx : txs) encode_tx(w, tx);
  return w.take();
}

Result<std::vector<Tx>, DecodeError> decode_txs(ByteView in, std::size_t max_count) {
  ByteReader r(in);
  auto count = r.varint();
  if (!count) return make_error(count.error());
  if (*count > max_count) return make_error(DecodeError::too_large);
  // Each tx is at least 49 bytes (a deposit): a count the input can't hold is rejected before allocating.
  if (*count > r.remaining() / 49) return make_error(DecodeError::truncated);
  std::vector<Tx> out;
  out.reserve(*count);
  for (std::uint64_t i = 0; i < *count; ++i) {
    auto tx = decode_tx(r);
    if (!tx) return make_error(tx.error());
    out.push_back(std::move(*tx));
  }
  if (auto e = r.expect_end(); !e) return make_error(e.error());
  return out;
}

}  // namespace l2::rollup
