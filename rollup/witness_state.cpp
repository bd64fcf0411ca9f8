// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
#include "rollup/witness_state.hpp"

#include <algorithm>

#include "common/assert.hpp"

namespace l2::rollup {

Bytes TxWitness::encode() const {
  L2_ASSERT(leaves.size() == proof.indices.size());
  ByteWriter w;
  Bytes p = proof.encode();
  w.varint(p.size());
  w.bytes(p);
  for (const auto& leaf : leaves) {
    w.u8(leaf ? 1 : 0);
    if (leaf) {
      auto bytes = encode_leaf(*leaf);
      w.bytes(ByteView(bytes));
    }
  }
  return w.take();
}

Result<TxWitness, DecodeError> TxWitness::decode(ByteView in) {
  ByteReader r(in);
  auto len = r.varint();
  if (!len) return make_error(len.error());
  if (*len > r.remaining()) return make_error(DecodeError::truncated);
  auto proof_bytes = r.bytes(static_cast<std::size_t>(*len));
  if (!proof_bytes) return make_error(proof_bytes.error());
  auto proof = MerkleMultiProof::decode(*proof_bytes);
  if (!proof) return make_error(proof.error());
  TxWitness out;
  out.proof = std::move(*proof);
  out.leaves.reserve(out.proof.indices.size());
  for (std::size_t i = 0; i < out.proof.indices.size(); ++i) {
    auto present = r.u8();
    if (!present) return make_error(present.error());
    if (*present > 1) return make_error(DecodeError::out_of_range);
    if (*present == 0) {
      out.leaves.emplace_back();
      continue;
    }
    auto leaf_bytes = r.bytes(kLeafSize);
    if (!leaf_bytes) return make_error(leaf_bytes.error());
    auto leaf = decode_leaf(*leaf_bytes);
    if (!leaf) return make_error(leaf.error());
    out.leaves.emplace_back(*leaf);
  }
  if (auto e = r.expect_end(); !e) return make_error(e.error());
  return out;
}

WitnessState::WitnessState(TxWitness witness) : w_(std::move(witness)) {}

std::optional<std::size_t> WitnessState::slot(AccountIndex i) const {
  auto it = std::lower_bound(w_.proof.indices.begin(), w_.proof.indices.end(), i);
  if (it == w_.proof.indices.end() || *it != i) return std::nullopt;
  return static_cast<std::size_t>(it - w_.proof.indices.begin());
}

Result<std::optional<Account>, ViewError> WitnessState::get(AccountIndex i) const {
  auto k = slot(i);
  if (!k || *k >= w_.leaves.size()) return make_error(ViewError::missing_witness);
  return w_.leaves[*k];
}

Result<Creatable, ViewError> WitnessState::can_create(AccountIndex i) const {
  auto here = get(i);
  if (!here) return make_error(here.error());
  if (here->has_value()) return Creatable::no;
  if (i.value() == 0) return Creatable::yes;
  // Accounts are numbered without gaps, so i is the next free index iff i - 1 exists.
  auto before = get(AccountIndex(i.value() - 1));
  if (!before) return make_error(before.error());
  return before->has_value() ? Creatable::yes : Creatable::no;
}

void WitnessState::put(AccountIndex i, const Account& a) {
  auto k = slot(i);
  L2_ASSERT(k.has_value() && w_.leaves[*k].has_value());  // apply_tx writes only what it read
  w_.leaves[*k] = a;
}

void WitnessState::create(AccountIndex i, const PublicKey& key) {
  auto k = slot(i);
  L2_ASSERT(k.has_value() && !w_.leaves[*k].has_value());
  w_.leaves[*k] = Account{key, Amount(0), Nonce(0), Amount(0)};
}

std::optional<Hash32> WitnessState::root() const {
  if (w_.leaves.size() != w_.proof.indices.size()) return std::nullopt;
  std::vector<std::optional<Hash32>> hashes;
  hashes.reserve(w_.leaves.size());
  for (const auto& leaf : w_.leaves)
    hashes.push_back(leaf ? std::optional<Hash32>(account_leaf_hash(*leaf)) : std::nullopt);
  return multiproof_root(w_.proof, hashes);
}

std::string_view to_string(StepError e) {
  switch (e) {
    case StepError::bad_witness:
      return "bad_witness";
    case StepError::missing_witness:
      return "missing_witness";
  }
  return "unknown";
}

Result<StepResult, StepError> execute_step(const Hash32& pre_root, ChainId chain, const Tx& tx,
                                           const TxWitness& witness, SigCheck sig) {
  WitnessState state(witness);
  auto root = state.root();
  if (!root || *root != pre_root) return make_error(StepError::bad_witness);
  auto receipt = apply_tx(static_cast<StateView&>(state), chain, tx, sig);
  if (!receipt) return make_error(StepError::missing_witness);
  auto post = state.root();
  L2_ASSERT(post.has_value());  // same proof, same leaf count
  return StepResult{*receipt, *post};
}

}  // namespace l2::rollup
