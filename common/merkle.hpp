// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// A sparse Merkle tree of depth 32 keyed by a 32-bit index (the account index).
// Leaves that hold nothing hash to 32 zero bytes, and an empty subtree at height h
// hashes to empty(h) = H(0x01 || empty(h-1) || empty(h-1)), so the root is a function
// of the set of (index, leaf) pairs alone, however they were reached.
//
//   leaf hash = BLAKE2b-256(0x00 || leaf bytes)       (caller hashes with hash_leaf)
//   node hash = BLAKE2b-256(0x01 || left || right)
//
// Storage is dense because accounts are numbered from 0 without gaps: level h keeps
// the nodes covering [0, leaf_count) and everything to the right is empty. Updates
// mark leaves dirty; update_root() rehashes only the dirty paths, level by level, in
// parallel. Not thread-safe: one owner mutates; proofs may be read between updates.
// Limitations: leaves are only added at the end (index == leaf_count) or truncated.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "common/bytes.hpp"
#include "common/codec.hpp"
#include "common/result.hpp"
#include "common/types.hpp"

namespace l2 {

class ThreadPool;

inline constexpr int kMerkleDepth = 32;

Hash32 hash_leaf(ByteView leaf_bytes);
Hash32 hash_node(const Hash32& left, const Hash32& right);
// empty(0) is the zero hash (an absent leaf); empty(32) is the root of an empty tree.
const Hash32& empty_subtree_hash(int height);

struct MerkleProof {
  AccountIndex index;                         // the leaf's position: the tree is keyed by account index
  std::array<Hash32, kMerkleDepth> siblings;  // siblings[0] is the leaf's sibling

  // index u32le || bitmap u32le (bit h set: siblings[h] is not empty(h)) || the
  // non-empty siblings in height order. Strict decoder.
  [[nodiscard]] Bytes encode() const;
  static Result<MerkleProof, DecodeError> decode(ByteView in);
};

// Stateless: does `leaf_hash` (nullopt: no leaf) sit at proof.index under `root`?
bool verify_merkle_proof(const Hash32& root, const std::optional<Hash32>& leaf_hash,
                         const MerkleProof& proof);

// A proof of several leaves against one root that shares the siblings their paths have
// in common (a transfer touches sender, recipient and the fee account: one multiproof
// instead of three proofs). The siblings are the nodes the paths need and do not
// compute themselves, walked height by height from the leaves up and, within a height,
// left to right; empty subtrees are in the list too (encode() leaves them out).
//
//   multiproof = count varint (1..kMaxMultiProofLeaves) || index u32le * count (strictly
//                increasing) || bitmap[ceil(n / 8)] (bit k, LSB first: sibling k is
//                not empty(h); unused high bits zero) || the non-empty siblings, in order
// where n = multiproof_sibling_count(indices) is a function of the indices alone.
// Strict decoder: an empty sibling written out, unsorted or repeated indices, stray
// bitmap bits and trailing bytes are errors.
inline constexpr std::size_t kMaxMultiProofLeaves = 64;

struct MerkleMultiProof {
  std::vector<AccountIndex> indices;  // strictly increasing
  std::vector<Hash32> siblings;       // multiproof_sibling_count(indices) of them

  [[nodiscard]] Bytes encode() const;
  static Result<MerkleMultiProof, DecodeError> decode(ByteView in);
  friend bool operator==(const MerkleMultiProof&, const MerkleMultiProof&) = default;
};

// How many siblings the paths of `indices` (strictly increasing) need.
std::size_t multiproof_sibling_count(std::span<const AccountIndex> indices);
// Stateless: the root that `leaves` (one per proof index, in the same order; nullopt:
// an empty leaf) give under the proof's siblings; nullopt if the proof is malformed
// (indices not strictly increasing, wrong sibling or leaf count). Computing it twice,
// with the leaves before and after a change, gives the root before and after: that is
// how a one-step proof gets the post-state root from the pre-state witnesses.
std::optional<Hash32> multiproof_root(const MerkleMultiProof& proof,
                                      std::span<const std::optional<Hash32>> leaves);
bool verify_multiproof(const Hash32& root, const MerkleMultiProof& proof,
                       std::span<const std::optional<Hash32>> leaves);

// What one update of a tree overwrote: per height, the positions it rewrote (sorted)
// and their hashes before it. Laid over the tree (SparseMerkleTree::node_before), the
// undo records of the last updates give the tree as it was before them: an engine
// answers from the last durable batch's tree while later batches are not yet durable.
struct TreeUndo {
  std::uint32_t leaf_count = 0;  // before the update
  Hash32 root;                   // before the update
  std::array<std::vector<std::uint64_t>, kMerkleDepth + 1> positions;
  std::array<std::vector<Hash32>, kMerkleDepth + 1> before;
};

class SparseMerkleTree {
 public:
  SparseMerkleTree();

  [[nodiscard]] std::uint32_t leaf_count() const { return static_cast<std::uint32_t>(levels_[0].size()); }
  // Sets leaf `index` (< leaf_count, or == leaf_count to append). Marks its path dirty.
  void set_leaf(std::uint32_t index, const Hash32& leaf_hash);
  // Drops every leaf at index >= n (a rollback removes accounts created later).
  void truncate(std::uint32_t n);
  // Records in `undo` what the set_leaf calls up to the next update_root() and that
  // update overwrite (cleared first; the tree must have no pending updates and must not
  // be truncated before that update_root).
  void record_undo(TreeUndo* undo);
  // Rehashes the dirty paths, in parallel when a pool is given; returns the root.
  Hash32 update_root(ThreadPool* pool = nullptr);
  // The root as of the last update_root().
  [[nodiscard]] const Hash32& root() const { return root_; }
  [[nodiscard]] std::optional<Hash32> leaf(std::uint32_t index) const;
  // Proof against root(); requires no pending updates.
  [[nodiscard]] MerkleProof prove(std::uint32_t index) const;
  // Multiproof of `indices` (strictly increasing, 1..kMaxMultiProofLeaves of them)
  // against root(); requires no pending updates.
  [[nodiscard]] MerkleMultiProof prove_many(std::span<const AccountIndex> indices) const;
  // The node at (height, pos) as it was before the updates whose undo records are
  // given, oldest first (each recorded on this tree, the newest one last applied).
  [[nodiscard]] Hash32 node_before(int height, std::uint64_t pos,
                                   std::span<const TreeUndo* const> undos) const;
  // prove() against the root before those updates (undos.front()->root; root() when
  // there are none); requires no pending updates.
  [[nodiscard]] MerkleProof prove_before(std::uint32_t index, std::span<const TreeUndo* const> undos) const;

 private:
  [[nodiscard]] Hash32 node_or_empty(int height, std::uint64_t pos) const;
  std::array<std::vector<Hash32>, kMerkleDepth + 1> levels_;
  std::vector<std::uint32_t> dirty_;
  TreeUndo* undo_ = nullptr;
  bool truncated_ = false;
  Hash32 root_;
};

}  // namespace l2
