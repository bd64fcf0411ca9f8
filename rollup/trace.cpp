// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
#include "rollup/trace.hpp"

#include "common/assert.hpp"

namespace l2::rollup {

SparseMerkleTree build_tree(const State& state) {
  SparseMerkleTree tree;
  for (std::uint32_t i = 0; i < state.size(); ++i)
    tree.set_leaf(i, account_leaf_hash(state.at(AccountIndex(i))));
  tree.update_root();
  return tree;
}

BatchTrace trace_batch(const State& pre_state, ChainId chain, std::span<const Tx> txs,
                       std::span<const SigCheck> known) {
  L2_ASSERT(known.empty() || known.size() == txs.size());
  SparseMerkleTree tree = build_tree(pre_state);
  OverlayState overlay(pre_state);
  BatchTrace out;
  out.pre_root = tree.root();
  out.steps.reserve(txs.size());
  for (std::size_t i = 0; i < txs.size(); ++i) {
    TraceStep step;
    step.pre_root = tree.root();
    const std::vector<AccountIndex> indices = touched_accounts(txs[i]);
    step.witness.proof = tree.prove_many(indices);
    for (auto idx : indices) {
      auto leaf = overlay.get(idx);
      L2_ASSERT(leaf.ok());
      step.witness.leaves.push_back(*leaf);
    }
    step.receipt = apply_tx(overlay, chain, txs[i], known.empty() ? SigCheck::unchecked : known[i]);
    if (step.receipt.status == TxStatus::applied) {
      for (auto idx : indices) {
        auto leaf = overlay.get(idx);
        L2_ASSERT(leaf.ok());
        if (*leaf) tree.set_leaf(idx.value(), account_leaf_hash(**leaf));
      }
      tree.update_root();
    }
    step.post_root = tree.root();
    out.steps.push_back(std::move(step));
  }
  out.post_root = tree.root();
  return out;
}

std::vector<Hash32> applied_roots(const BatchTrace& trace) {
  std::vector<Hash32> out;
  for (const auto& s : trace.steps)
    if (s.receipt.status == TxStatus::applied) out.push_back(s.post_root);
  return out;
}

}  // namespace l2::rollup
