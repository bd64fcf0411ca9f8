// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
#include "settlement/basechain/tx.hpp"

namespace l2::settlement {

namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

// A rollup tx's wire form is at most 97 bytes; anything longer in force_tx is garbage.
constexpr std::size_t kMaxForcedTxBytes = 128;
// index, bitmap and 32 siblings.
constexpr std::size_t kMaxProofBytes = 8 + kMerkleDepth * Hash32::size();

// A TxWitness of the most accounts a tx touches (sender, recipient, the fee account) with
// their Merkle multiproof, with room to spare.
constexpr std::size_t kMaxWitnessBytes = std::size_t{16} * 1024;

void encode_body(ByteWriter& w, const BaseTxBody& body) {
  std::visit(Overloaded{[&](const TransferBody& b) {
                          w.bytes(b.to.view());
                          w.u64le(b.amount.value());
                        },
                        [&](const RegisterRollupBody& b) {
                          w.u64le(b.rollup_id.value());
                          w.bytes(b.operator_key.view());
                          w.bytes(b.genesis_root.view());
                          w.u64le(b.challenge_window_s.value());
                          w.u64le(b.inclusion_deadline_s.value());
                          w.u64le(b.disputes.bond.value());
                          w.u64le(b.disputes.clock_s.value());
                        },
                        [&](const DepositBody& b) {
                          w.u64le(b.rollup_id.value());
                          w.bytes(b.recipient.view());
                          w.u64le(b.amount.value());
                        },
                        [&](const ForceTxBody& b) {
                          w.u64le(b.rollup_id.value());
                          const Bytes tx = rollup::encode_tx(b.tx);
                          w.varint(tx.size());
                          w.bytes(tx);
                        },
                        [&](const CommitBatchBody& b) { encode_commitment(w, b.commitment); },
                        [&](const FinalizeWithdrawalBody& b) {
                          w.u64le(b.rollup_id.value());
                          w.u64le(b.batch.value());
                          const auto leaf = rollup::encode_leaf(b.leaf);
                          w.bytes(leaf);
                          const Bytes proof = b.proof.encode();
                          w.varint(proof.size());
                          w.bytes(proof);
                        },
                        [&](const ChallengeBatchBody& b) {
                          w.u64le(b.rollup_id.value());
                          w.u64le(b.batch.value());
                        },
                        [&](const DisputeBisectBody& b) {
                          w.u64le(b.rollup_id.value());
                          w.u64le(b.batch.value());
                          w.bytes(b.challenger.view());
                          w.u64le(b.position);
                          w.bytes(b.root.view());
                        },
                        [&](const DisputeRespondBody& b) {
                          w.u64le(b.rollup_id.value());
                          w.u64le(b.batch.value());
                          w.u64le(b.position);
                          w.u8(b.agree ? 1 : 0);
                        },
                        [&](const DisputeStepBody& b) {
                          w.u64le(b.rollup_id.value());
                          w.u64le(b.batch.value());
                          w.bytes(b.challenger.view());
                          const Bytes witness = b.witness.encode();
                          w.varint(witness.size());
                          w.bytes(witness);
                        },
                        [&](const DisputeTimeoutBody& b) {
                          w.u64le(b.rollup_id.value());
                          w.u64le(b.batch.value());
                          w.bytes(b.challenger.view());
                        },
                        [&](const ClaimBondBody& b) {
                          w.u64le(b.rollup_id.value());
                          w.u64le(b.batch.value());
                        }},
             body);
}

// The part of the preimage and the wire form they share: sender, nonce, kind, body.
void encode_signed_part(ByteWriter& w, const BaseTx& tx) {
  w.bytes(tx.sender.view());
  w.u64le(tx.nonce.value());
  w.u8(static_cast<std::uint8_t>(base_tx_kind(tx)));
  encode_body(w, tx.body);
}

void write_preimage(ByteWriter& w, ChainId base_chain, const BaseTx& tx) {
  // Byte by byte: GCC 12 at -O3 reports a false -Wstringop-overflow for a range insert
  // into a freshly reserved vector here.
  for (char ch : kBaseTxDomainTag) w.u8(static_cast<std::uint8_t>(ch));
  w.u64le(base_chain.value());
  encode_signed_part(w, tx);
}

std::size_t body_size_hint(const BaseTx& tx) {
  if (const auto* c = std::get_if<CommitBatchBody>(&tx.body)) return c->commitment.payload.size() + 192;
  if (std::holds_alternative<DisputeStepBody>(tx.body)) return kMaxWitnessBytes;
  return 1200;
}

// The fields that name a game: rollup_id, batch and (with_challenger) the challenger.
struct GameName {
  ChainId rollup_id;
  BatchNumber batch;
  PublicKey challenger;
};
Result<GameName, DecodeError> read_game(ByteReader& r, bool with_challenger) {
  auto id = r.u64le();
  if (!id) return make_error(id.error());
  auto batch = r.u64le();
  if (!batch) return make_error(batch.error());
  GameName out{ChainId(*id), BatchNumber(*batch), {}};
  if (with_challenger) {
    auto key = r.fixed<PublicKey>();
    if (!key) return make_error(key.error());
    out.challenger = *key;
  }
  return out;
}

// Reads a length-prefixed field of at most `max` bytes.
Result<ByteView, DecodeError> sized(ByteReader& r, std::size_t max) {
  auto len = r.varint();
  if (!len) return make_error(len.error());
  if (*len > max) return make_error(DecodeError::too_large);
  return r.bytes(static_cast<std::size_t>(*len));
}

Result<BaseTxBody, DecodeError> decode_body(ByteReader& r, std::uint8_t kind) {
  switch (kind) {
    case static_cast<std::uint8_t>(BaseTxKind::transfer): {
      auto to = r.fixed<PublicKey>();
      if (!to) return make_error(to.error());
      auto amount = r.u64le();
      if (!amount) return make_error(amount.error());
      return BaseTxBody(TransferBody{*to, Amount(*amount)});
    }
    case static_cast<std::uint8_t>(BaseTxKind::register_rollup): {
      auto id = r.u64le();
      if (!id) return make_error(id.error());
      auto op = r.fixed<PublicKey>();
      if (!op) return make_error(op.error());
      auto root = r.fixed<Hash32>();
      if (!root) return make_error(root.error());
      auto window = r.u64le();
      if (!window) return make_error(window.error());
      auto deadline = r.u64le();
      if (!deadline) return make_error(deadline.error());
      auto bond = r.u64le();
      if (!bond) return make_error(bond.error());
      auto clock = r.u64le();
      if (!clock) return make_error(clock.error());
      return BaseTxBody(RegisterRollupBody{ChainId(*id), *op, *root, ChainDuration(*window),
                                           ChainDuration(*deadline),
                                           DisputeTerms{Amount(*bond), ChainDuration(*clock)}});
    }
    case static_cast<std::uint8_t>(BaseTxKind::deposit): {
      auto id = r.u64le();
      if (!id) return make_error(id.error());
      auto to = r.fixed<PublicKey>();
      if (!to) return make_error(to.error());
      auto amount = r.u64le();
      if (!amount) return make_error(amount.error());
      return BaseTxBody(DepositBody{ChainId(*id), *to, Amount(*amount)});
    }
    case static_cast<std::uint8_t>(BaseTxKind::force_tx): {
      auto id = r.u64le();
      if (!id) return make_error(id.error());
      auto wire = sized(r, kMaxForcedTxBytes);
      if (!wire) return make_error(wire.error());
      auto tx = rollup::decode_tx(*wire);  // the whole field: no trailing bytes inside it
      if (!tx) return make_error(tx.error());
      // Deposits come from the bridge only; nobody can force one.
      if (std::holds_alternative<rollup::Deposit>(*tx)) return make_error(DecodeError::out_of_range);
      return BaseTxBody(ForceTxBody{ChainId(*id), std::move(*tx)});
    }
    case static_cast<std::uint8_t>(BaseTxKind::commit_batch): {
      auto c = decode_commitment(r);
      if (!c) return make_error(c.error());
      return BaseTxBody(CommitBatchBody{std::move(*c)});
    }
    case static_cast<std::uint8_t>(BaseTxKind::finalize_withdrawal): {
      auto id = r.u64le();
      if (!id) return make_error(id.error());
      auto batch = r.u64le();
      if (!batch) return make_error(batch.error());
      auto leaf_bytes = r.bytes(rollup::kLeafSize);
      if (!leaf_bytes) return make_error(leaf_bytes.error());
      auto leaf = rollup::decode_leaf(*leaf_bytes);
      if (!leaf) return make_error(leaf.error());
      auto proof_bytes = sized(r, kMaxProofBytes);
      if (!proof_bytes) return make_error(proof_bytes.error());
      auto proof = MerkleProof::decode(*proof_bytes);
      if (!proof) return make_error(proof.error());
      return BaseTxBody(FinalizeWithdrawalBody{ChainId(*id), BatchNumber(*batch), *leaf, *proof});
    }
    case static_cast<std::uint8_t>(BaseTxKind::challenge_batch):
    case static_cast<std::uint8_t>(BaseTxKind::claim_bond): {
      auto game = read_game(r, false);
      if (!game) return make_error(game.error());
      if (kind == static_cast<std::uint8_t>(BaseTxKind::claim_bond))
        return BaseTxBody(ClaimBondBody{game->rollup_id, game->batch});
      return BaseTxBody(ChallengeBatchBody{game->rollup_id, game->batch});
    }
    case static_cast<std::uint8_t>(BaseTxKind::dispute_bisect): {
      auto game = read_game(r, true);
      if (!game) return make_error(game.error());
      auto position = r.u64le();
      if (!position) return make_error(position.error());
      auto root = r.fixed<Hash32>();
      if (!root) return make_error(root.error());
      return BaseTxBody(DisputeBisectBody{game->rollup_id, game->batch, game->challenger, *position, *root});
    }
    case static_cast<std::uint8_t>(BaseTxKind::dispute_respond): {
      auto game = read_game(r, false);
      if (!game) return make_error(game.error());
      auto position = r.u64le();
      if (!position) return make_error(position.error());
      auto agree = r.u8();
      if (!agree) return make_error(agree.error());
      if (*agree > 1) return make_error(DecodeError::out_of_range);
      return BaseTxBody(DisputeRespondBody{game->rollup_id, game->batch, *position, *agree == 1});
    }
    case static_cast<std::uint8_t>(BaseTxKind::dispute_step): {
      auto game = read_game(r, true);
      if (!game) return make_error(game.error());
      auto bytes = sized(r, kMaxWitnessBytes);
      if (!bytes) return make_error(bytes.error());
      auto witness = rollup::TxWitness::decode(*bytes);
      if (!witness) return make_error(witness.error());
      return BaseTxBody(DisputeStepBody{game->rollup_id, game->batch, game->challenger, std::move(*witness)});
    }
    case static_cast<std::uint8_t>(BaseTxKind::dispute_timeout): {
      auto game = read_game(r, true);
      if (!game) return make_error(game.error());
      return BaseTxBody(DisputeTimeoutBody{game->rollup_id, game->batch, game->challenger});
    }
    default:
      return make_error(DecodeError::unknown_type);
  }
}

}  // namespace

std::string_view to_string(BaseTxKind k) {
  switch (k) {
    case BaseTxKind::transfer:
      return "transfer";
    case BaseTxKind::register_rollup:
      return "register_rollup";
    case BaseTxKind::deposit:
      return "deposit";
    case BaseTxKind::force_tx:
      return "force_tx";
    case BaseTxKind::commit_batch:
      return "commit_batch";
    case BaseTxKind::finalize_withdrawal:
      return "finalize_withdrawal";
    case BaseTxKind::challenge_batch:
      return "challenge_batch";
    case BaseTxKind::dispute_bisect:
      return "dispute_bisect";
    case BaseTxKind::dispute_respond:
      return "dispute_respond";
    case BaseTxKind::dispute_step:
      return "dispute_step";
    case BaseTxKind::dispute_timeout:
      return "dispute_timeout";
    case BaseTxKind::claim_bond:
      return "claim_bond";
  }
  return "unknown";
}

BaseTxKind base_tx_kind(const BaseTx& tx) {
  // The variant's alternatives are declared in kind order, starting at transfer = 1.
  return static_cast<BaseTxKind>(tx.body.index() + 1);
}

Bytes base_signing_preimage(ChainId base_chain, const BaseTx& tx) {
  ByteWriter w(kBaseTxDomainTag.size() + 56 + body_size_hint(tx));
  write_preimage(w, base_chain, tx);
  return w.take();
}

void sign_base_tx(BaseTx& tx, ChainId base_chain, const SecretKey& key) {
  tx.sender = key.public_key();
  tx.signature = key.sign(base_signing_preimage(base_chain, tx));
}

bool verify_base_tx(const BaseTx& tx, ChainId base_chain) {
  return verify_signature(tx.sender, base_signing_preimage(base_chain, tx), tx.signature);
}

Hash32 base_tx_hash(ChainId base_chain, const BaseTx& tx) {
  ByteWriter w(kBaseTxDomainTag.size() + 120 + body_size_hint(tx));
  write_preimage(w, base_chain, tx);
  w.bytes(tx.signature.view());
  return blake2b256(w.data());
}

Bytes encode_base_tx(const BaseTx& tx) {
  ByteWriter w(120 + body_size_hint(tx));
  encode_signed_part(w, tx);
  w.bytes(tx.signature.view());
  return w.take();
}

Result<BaseTx, DecodeError> decode_base_tx(ByteView in) {
  if (in.size() > kMaxBaseTxBytes) return make_error(DecodeError::too_large);
  ByteReader r(in);
  auto sender = r.fixed<PublicKey>();
  if (!sender) return make_error(sender.error());
  auto nonce = r.u64le();
  if (!nonce) return make_error(nonce.error());
  auto kind = r.u8();
  if (!kind) return make_error(kind.error());
  auto body = decode_body(r, *kind);
  if (!body) return make_error(body.error());
  auto sig = r.fixed<Signature>();
  if (!sig) return make_error(sig.error());
  if (auto end = r.expect_end(); !end) return make_error(end.error());
  return BaseTx{*sender, Nonce(*nonce), std::move(*body), *sig};
}

}  // namespace l2::settlement
