// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
#include "rollup/witness.hpp"

#include <algorithm>

namespace l2::rollup {

Bytes encode_witnesses(std::span<const AccountWitness> witnesses) {
  ByteWriter w;
  w.varint(witnesses.size());
  for (const auto& wit : witnesses) {
    auto leaf = encode_leaf(wit.leaf);
    w.bytes(ByteView(leaf));
    Bytes proof = wit.proof.encode();
    w.varint(proof.size());
    w.bytes(proof);
  }
  return w.take();
}

Result<std::vector<AccountWitness>, DecodeError> decode_witnesses(ByteView in) {
  ByteReader r(in);
  auto count = r.varint();
  if (!count) return make_error(count.error());
  // Each witness takes at least 56 + 1 + 8 bytes: a count beyond that is a lie.
  if (*count > r.remaining() / 65) return make_error(DecodeError::out_of_range);
  std::vector<AccountWitness> out;
  out.reserve(*count);
  for (std::uint64_t i = 0; i < *count; ++i) {
    auto leaf_bytes = r.bytes(kLeafSize);
    if (!leaf_bytes) return make_error(leaf_bytes.error());
    auto leaf = decode_leaf(*leaf_bytes);
    if (!leaf) return make_error(leaf.error());
    auto len = r.varint();
    if (!len) return make_error(len.error());
    if (*len > r.remaining()) return make_error(DecodeError::truncated);
    auto proof_bytes = r.bytes(static_cast<std::size_t>(*len));
    if (!proof_bytes) return make_error(proof_bytes.error());
    auto proof = MerkleProof::decode(*proof_bytes);
    if (!proof) return make_error(proof.error());
    if (!out.empty() && proof->index <= out.back().proof.index) return make_error(DecodeError::out_of_range);
    out.push_back(AccountWitness{*leaf, *proof});
  }
  if (auto e = r.expect_end(); !e) return make_error(e.error());
  return out;
}

Bytes withdrawal_witnesses(const State& state, const SparseMerkleTree& tree, std::span<const Tx> txs,
                           std::span<const Receipt> receipts) {
  std::vector<std::uint32_t> accounts;
  for (std::size_t i = 0; i < txs.size(); ++i) {
    if (const auto* w = std::get_if<Withdraw>(&txs[i]); w && receipts[i].status == TxStatus::applied)
      accounts.push_back(w->from.value());
  }
  std::sort(accounts.begin(), accounts.end());
  accounts.erase(std::unique(accounts.begin(), accounts.end()), accounts.end());
  std::vector<AccountWitness> out;
  out.reserve(accounts.size());
  for (std::uint32_t a : accounts) out.push_back(AccountWitness{state.at(AccountIndex(a)), tree.prove(a)});
  return encode_witnesses(out);
}

}  // namespace l2::rollup
