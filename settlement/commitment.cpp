// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
#include "settlement/commitment.hpp"

#include <vector>

#include "common/crypto.hpp"
#include "settlement/payload.hpp"

namespace l2::settlement {

std::string_view to_string(SettlementMode m) {
  switch (m) {
    case SettlementMode::optimistic:
      return "optimistic";
    case SettlementMode::validity:
      return "validity";
  }
  return "unknown";
}

void encode_header(ByteWriter& w, const CommitmentHeader& h) {
  w.u8(kCommitmentVersion);
  w.u64le(h.rollup_id.value());
  w.u64le(h.batch.value());
  w.bytes(h.prev_root.view());
  w.bytes(h.new_root.view());
  w.u32le(h.applied_txs);
  w.bytes(h.payload_hash.view());
  w.u64le(h.deposits_upto.value());
  w.u64le(h.forced_upto.value());
  w.u8(static_cast<std::uint8_t>(h.mode));
}

Result<CommitmentHeader, DecodeError> decode_header(ByteReader& r) {
  // Every field is fixed width: the first short read is the error.
  auto version = r.u8();
  if (!version) return make_error(version.error());
  if (*version != kCommitmentVersion) return make_error(DecodeError::out_of_range);
  CommitmentHeader h;
  auto rollup_id = r.u64le();
  auto batch = r.u64le();
  auto prev_root = r.fixed<Hash32>();
  auto new_root = r.fixed<Hash32>();
  auto applied = r.u32le();
  auto hash = r.fixed<Hash32>();
  auto deposits_upto = r.u64le();
  auto forced_upto = r.u64le();
  auto mode = r.u8();
  if (!rollup_id || !batch || !prev_root || !new_root || !applied || !hash || !deposits_upto ||
      !forced_upto || !mode)
    return make_error(DecodeError::truncated);
  if (*mode > static_cast<std::uint8_t>(SettlementMode::validity))
    return make_error(DecodeError::out_of_range);
  h.rollup_id = ChainId(*rollup_id);
  h.batch = BatchNumber(*batch);
  h.prev_root = *prev_root;
  h.new_root = *new_root;
  h.applied_txs = *applied;
  h.payload_hash = *hash;
  h.deposits_upto = DepositPosition(*deposits_upto);
  h.forced_upto = ForcedPosition(*forced_upto);
  h.mode = static_cast<SettlementMode>(*mode);
  return h;
}

Hash32 commitment_id(const CommitmentHeader& h) {
  ByteWriter w(kCommitDomainTag.size() + 160);
  w.ascii(kCommitDomainTag);
  encode_header(w, h);
  return blake2b256(w.data());
}

void encode_commitment(ByteWriter& w, const Commitment& c) {
  encode_header(w, c.header);
  w.varint(c.payload.size());
  w.bytes(c.payload);
}

Bytes encode_commitment(const Commitment& c) {
  ByteWriter w(c.payload.size() + 176);
  encode_commitment(w, c);
  return w.take();
}

Result<Commitment, DecodeError> decode_commitment(ByteReader& r) {
  auto header = decode_header(r);
  if (!header) return make_error(header.error());
  auto len = r.varint();
  if (!len) return make_error(len.error());
  if (*len > kMaxPayloadBytes) return make_error(DecodeError::too_large);
  auto payload = r.bytes(static_cast<std::size_t>(*len));
  if (!payload) return make_error(payload.error());
  return Commitment{*header, Bytes(payload->begin(), payload->end())};
}

Result<Commitment, DecodeError> decode_commitment(ByteView in) {
  ByteReader r(in);
  auto c = decode_commitment(r);
  if (!c) return c;
  if (auto end = r.expect_end(); !end) return make_error(end.error());
  return c;
}

Bytes encode_origin(const BatchOrigin& o) {
  ByteWriter w(33);
  w.u8(kOriginVersion);
  w.u64le(o.deposits_from.value());
  w.u64le(o.deposits_upto.value());
  w.u64le(o.forced_from.value());
  w.u64le(o.forced_upto.value());
  return w.take();
}

Result<BatchOrigin, DecodeError> decode_origin(ByteView in) {
  ByteReader r(in);
  auto version = r.u8();
  if (!version) return make_error(version.error());
  if (*version != kOriginVersion) return make_error(DecodeError::out_of_range);
  std::uint64_t v[4] = {};
  for (auto& x : v) {
    auto u = r.u64le();
    if (!u) return make_error(u.error());
    x = *u;
  }
  if (auto end = r.expect_end(); !end) return make_error(end.error());
  BatchOrigin o{DepositPosition(v[0]), DepositPosition(v[1]), ForcedPosition(v[2]), ForcedPosition(v[3])};
  if (o.deposits_from > o.deposits_upto || o.forced_from > o.forced_upto)
    return make_error(DecodeError::out_of_range);
  return o;
}

Result<Commitment, std::string> make_commitment(const CommittedBatchView& batch) {
  const BatchOrigin& o = batch.origin;
  const auto& txs = batch.txs;
  const auto& receipts = batch.receipts;
  auto at = [](std::size_t i) { return "tx " + std::to_string(i) + " of the batch"; };
  if (o.deposits_from > o.deposits_upto || o.forced_from > o.forced_upto)
    return make_error(std::string("batch origin has a queue range with from > upto"));
  if (txs.size() != receipts.size())
    return make_error("the batch has " + std::to_string(txs.size()) + " txs but " +
                      std::to_string(receipts.size()) + " receipts");
  if (batch.header.tx_count != txs.size())
    return make_error("the batch header counts " + std::to_string(batch.header.tx_count) +
                      " txs, the batch has " + std::to_string(txs.size()));
  const std::uint64_t queued = o.deposit_count() + o.forced_count();
  if (queued > txs.size())
    return make_error("the batch origin names " + std::to_string(queued) +
                      " queued txs, the batch has only " + std::to_string(txs.size()) + " txs");
  const auto deposits = static_cast<std::size_t>(o.deposit_count());
  const auto first_user = static_cast<std::size_t>(queued);

  std::uint32_t applied = 0;
  std::vector<rollup::Tx> payload;
  payload.reserve(txs.size() - first_user);
  for (std::size_t i = 0; i < txs.size(); ++i) {
    const bool is_applied = receipts[i].status == rollup::TxStatus::applied;
    if (is_applied) ++applied;
    const auto* d = std::get_if<rollup::Deposit>(&txs[i]);
    if (i < deposits) {
      const DepositPosition expected(o.deposits_from.value() + i);  // i < count: below deposits_upto
      if (d == nullptr) return make_error(at(i) + " should be deposit " + std::to_string(expected.value()));
      if (d->deposit_id != expected)
        return make_error(at(i) + " is deposit " + std::to_string(d->deposit_id.value()) +
                          ", expected deposit " + std::to_string(expected.value()) +
                          " (deposits go in queue order)");
      continue;
    }
    if (d != nullptr) return make_error(at(i) + " is a deposit outside the batch's deposit range");
    if (i >= first_user && is_applied) payload.push_back(txs[i]);
  }
  if (applied != batch.header.applied_count)
    return make_error("the batch header counts " + std::to_string(batch.header.applied_count) +
                      " applied txs, its receipts " + std::to_string(applied));

  auto compressed = make_payload(payload);
  if (!compressed) return make_error("payload: " + compressed.error().message);
  if (compressed->size() > kMaxPayloadBytes)
    return make_error("the compressed payload is " + std::to_string(compressed->size()) +
                      " bytes, over the limit of " + std::to_string(kMaxPayloadBytes));

  Commitment c;
  c.header.rollup_id = batch.rollup_id;
  c.header.batch = batch.header.number;
  c.header.prev_root = batch.header.prev_root;
  c.header.new_root = batch.header.state_root;
  c.header.applied_txs = static_cast<std::uint32_t>(payload.size());
  c.header.payload_hash = payload_hash(*compressed);
  c.header.deposits_upto = o.deposits_upto;
  c.header.forced_upto = o.forced_upto;
  c.header.mode = batch.mode;
  c.payload = std::move(*compressed);
  return c;
}

}  // namespace l2::settlement
