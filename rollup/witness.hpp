// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// Account witnesses: an account's leaf and its Merkle proof against one batch's state
// root. The engine records one for every account that withdrew in a batch, with the
// batch, because the tree only ever holds the latest state: the proof a user needs
// to claim a withdrawal on the base chain is against the root of the batch that
// applied it, which may be long gone from memory by the time that batch is final.
//
//   witnesses = count varint || (leaf[56] || proof_len varint || proof)*   (index order;
//               proof = MerkleProof::encode, whose index is the account index)
//
// Pure values and functions; thread-safe.
#pragma once

#include <span>
#include <vector>

#include "common/bytes.hpp"
#include "common/codec.hpp"
#include "common/merkle.hpp"
#include "common/result.hpp"
#include "rollup/account.hpp"
#include "rollup/receipt.hpp"
#include "rollup/state.hpp"
#include "rollup/tx.hpp"

namespace l2::rollup {

struct AccountWitness {
  Account leaf;
  MerkleProof proof;  // proof.index is the account index
  friend bool operator==(const AccountWitness& a, const AccountWitness& b) {
    return a.leaf == b.leaf && a.proof.index == b.proof.index && a.proof.siblings == b.proof.siblings;
  }
};

Bytes encode_witnesses(std::span<const AccountWitness> witnesses);
// Strict: indices strictly increasing, no trailing bytes.
Result<std::vector<AccountWitness>, DecodeError> decode_witnesses(ByteView in);

// The witnesses recorded with a batch: every account with an applied withdrawal among
// `txs` (by `receipts`), its leaf in `state` and its proof in `tree`, both as of after
// the batch; encoded.
Bytes withdrawal_witnesses(const State& state, const SparseMerkleTree& tree, std::span<const Tx> txs,
                           std::span<const Receipt> receipts);

}  // namespace l2::rollup
