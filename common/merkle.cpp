// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
#include "common/merkle.hpp"

#include <sodium.h>

#include <algorithm>
#include <functional>
#include <utility>

#include "common/assert.hpp"
#include "common/crypto.hpp"
#include "common/thread_pool.hpp"

namespace l2 {

Hash32 hash_leaf(ByteView leaf_bytes) {
  crypto_generichash_state st;
  const std::uint8_t prefix = 0x00;
  crypto_generichash_init(&st, nullptr, 0, Hash32::size());
  crypto_generichash_update(&st, &prefix, 1);
  crypto_generichash_update(&st, leaf_bytes.data(), leaf_bytes.size());
  Hash32 out;
  crypto_generichash_final(&st, out.data(), Hash32::size());
  return out;
}

Hash32 hash_node(const Hash32& left, const Hash32& right) {
  std::uint8_t buf[65];
  buf[0] = 0x01;
  std::memcpy(buf + 1, left.data(), 32);
  std::memcpy(buf + 33, right.data(), 32);
  Hash32 out;
  crypto_generichash(out.data(), Hash32::size(), buf, sizeof buf, nullptr, 0);
  return out;
}

const Hash32& empty_subtree_hash(int height) {
  static const std::array<Hash32, kMerkleDepth + 1> kEmpty = [] {
    std::array<Hash32, kMerkleDepth + 1> e{};
    for (std::size_t h = 1; h <= kMerkleDepth; ++h) e[h] = hash_node(e[h - 1], e[h - 1]);
    return e;
  }();
  L2_ASSERT(height >= 0 && height <= kMerkleDepth);
  return kEmpty[static_cast<std::size_t>(height)];
}

Bytes MerkleProof::encode() const {
  ByteWriter w(8 + 32 * kMerkleDepth);
  w.u32le(index.value());
  std::uint32_t bitmap = 0;
  for (int h = 0; h < kMerkleDepth; ++h)
    if (siblings[static_cast<std::size_t>(h)] != empty_subtree_hash(h)) bitmap |= 1u << h;
  w.u32le(bitmap);
  for (int h = 0; h < kMerkleDepth; ++h)
    if ((bitmap >> h) & 1u) w.bytes(siblings[static_cast<std::size_t>(h)].view());
  return w.take();
}

Result<MerkleProof, DecodeError> MerkleProof::decode(ByteView in) {
  ByteReader r(in);
  MerkleProof p;
  auto index = r.u32le();
  if (!index) return make_error(index.error());
  p.index = AccountIndex(*index);
  auto bitmap = r.u32le();
  if (!bitmap) return make_error(bitmap.error());
  for (int h = 0; h < kMerkleDepth; ++h) {
    auto& s = p.siblings[static_cast<std::size_t>(h)];
    if ((*bitmap >> h) & 1u) {
      auto v = r.fixed<Hash32>();
      if (!v) return make_error(v.error());
      // An explicit empty sibling is a second encoding of the same proof: not canonical.
      if (*v == empty_subtree_hash(h)) return make_error(DecodeError::out_of_range);
      s = *v;
    } else {
      s = empty_subtree_hash(h);
    }
  }
  if (auto e = r.expect_end(); !e) return make_error(e.error());
  return p;
}

bool verify_merkle_proof(const Hash32& root, const std::optional<Hash32>& leaf_hash,
                         const MerkleProof& proof) {
  Hash32 acc = leaf_hash ? *leaf_hash : empty_subtree_hash(0);
  for (int h = 0; h < kMerkleDepth; ++h) {
    const Hash32& sib = proof.siblings[static_cast<std::size_t>(h)];
    acc = ((proof.index.value() >> h) & 1u) ? hash_node(sib, acc) : hash_node(acc, sib);
  }
  return acc == root;
}

namespace {

bool strictly_increasing(std::span<const AccountIndex> v) {
  for (std::size_t i = 1; i < v.size(); ++i)
    if (v[i] <= v[i - 1]) return false;
  return true;
}

// The shared walk of a multiproof: nodes (position, hash) of one height, sorted by
// position, are paired up into their parents; a node whose sibling is not among them
// asks `sibling(height, position)` for it. Returns the root, or nullopt if `sibling`
// gave up. With `hashing` false only positions are walked (hashes stay zero).
template <class Sibling>
std::optional<Hash32> multiproof_walk(std::vector<std::pair<std::uint64_t, Hash32>> nodes, bool hashing,
                                      Sibling&& sibling) {
  std::vector<std::pair<std::uint64_t, Hash32>> next;
  for (int h = 0; h < kMerkleDepth; ++h) {
    next.clear();
    for (std::size_t i = 0; i < nodes.size();) {
      const auto [pos, hash] = nodes[i];
      if ((pos & 1u) == 0 && i + 1 < nodes.size() && nodes[i + 1].first == pos + 1) {
        next.emplace_back(pos >> 1, hashing ? hash_node(hash, nodes[i + 1].second) : Hash32());
        i += 2;
        continue;
      }
      auto sib = sibling(h, pos ^ 1u);
      if (!sib) return std::nullopt;
      Hash32 parent;
      if (hashing) parent = (pos & 1u) ? hash_node(*sib, hash) : hash_node(hash, *sib);
      next.emplace_back(pos >> 1, parent);
      ++i;
    }
    nodes.swap(next);
  }
  L2_ASSERT(nodes.size() == 1);
  return nodes[0].second;
}

std::vector<std::pair<std::uint64_t, Hash32>> leaf_nodes(std::span<const AccountIndex> indices,
                                                         std::span<const std::optional<Hash32>> leaves) {
  std::vector<std::pair<std::uint64_t, Hash32>> nodes;
  nodes.reserve(indices.size());
  for (std::size_t i = 0; i < indices.size(); ++i)
    nodes.emplace_back(indices[i].value(),
                       leaves.empty() ? Hash32() : leaves[i].value_or(empty_subtree_hash(0)));
  return nodes;
}

}  // namespace

std::size_t multiproof_sibling_count(std::span<const AccountIndex> indices) {
  if (indices.empty()) return 0;
  L2_ASSERT(strictly_increasing(indices));
  std::size_t count = 0;
  (void)multiproof_walk(leaf_nodes(indices, {}), false, [&](int, std::uint64_t) {
    ++count;
    return std::optional<Hash32>(Hash32());
  });
  return count;
}

std::optional<Hash32> multiproof_root(const MerkleMultiProof& proof,
                                      std::span<const std::optional<Hash32>> leaves) {
  if (proof.indices.empty() || proof.indices.size() > kMaxMultiProofLeaves) return std::nullopt;
  if (leaves.size() != proof.indices.size() || !strictly_increasing(proof.indices)) return std::nullopt;
  std::size_t next = 0;
  auto root = multiproof_walk(leaf_nodes(proof.indices, leaves), true,
                              [&](int, std::uint64_t) -> std::optional<Hash32> {
                                if (next == proof.siblings.size()) return std::nullopt;
                                return proof.siblings[next++];
                              });
  if (!root || next != proof.siblings.size()) return std::nullopt;
  return root;
}

bool verify_multiproof(const Hash32& root, const MerkleMultiProof& proof,
                       std::span<const std::optional<Hash32>> leaves) {
  auto got = multiproof_root(proof, leaves);
  return got && *got == root;
}

Bytes MerkleMultiProof::encode() const {
  ByteWriter w(16 + 4 * indices.size() + 32 * siblings.size());
  w.varint(indices.size());
  for (auto i : indices) w.u32le(i.value());
  // Heights are implicit: the k-th sibling's height comes from the walk, so the empty
  // ones are recognised by value against every height's empty hash of its position.
  std::vector<int> heights;
  heights.reserve(siblings.size());
  if (!indices.empty())
    (void)multiproof_walk(leaf_nodes(indices, {}), false, [&](int h, std::uint64_t) {
      heights.push_back(h);
      return std::optional<Hash32>(Hash32());
    });
  L2_ASSERT(heights.size() == siblings.size());
  std::vector<std::uint8_t> bitmap((siblings.size() + 7) / 8, 0);
  for (std::size_t k = 0; k < siblings.size(); ++k)
    if (siblings[k] != empty_subtree_hash(heights[k]))
      bitmap[k / 8] |= static_cast<std::uint8_t>(1u << (k % 8));
  for (auto b : bitmap) w.u8(b);
  for (std::size_t k = 0; k < siblings.size(); ++k)
    if (((static_cast<unsigned>(bitmap[k / 8]) >> (k % 8)) & 1u) != 0) w.bytes(siblings[k].view());
  return w.take();
}

Result<MerkleMultiProof, DecodeError> MerkleMultiProof::decode(ByteView in) {
  ByteReader r(in);
  auto count = r.varint();
  if (!count) return make_error(count.error());
  if (*count == 0 || *count > kMaxMultiProofLeaves) return make_error(DecodeError::out_of_range);
  MerkleMultiProof p;
  p.indices.reserve(*count);
  for (std::uint64_t i = 0; i < *count; ++i) {
    auto v = r.u32le();
    if (!v) return make_error(v.error());
    if (!p.indices.empty() && *v <= p.indices.back().value()) return make_error(DecodeError::out_of_range);
    p.indices.emplace_back(*v);
  }
  std::vector<int> heights;
  (void)multiproof_walk(leaf_nodes(p.indices, {}), false, [&](int h, std::uint64_t) {
    heights.push_back(h);
    return std::optional<Hash32>(Hash32());
  });
  const std::size_t n = heights.size();
  std::vector<std::uint8_t> bitmap((n + 7) / 8);
  for (auto& b : bitmap) {
    auto v = r.u8();
    if (!v) return make_error(v.error());
    b = *v;
  }
  if (n % 8 != 0 && (static_cast<unsigned>(bitmap.back()) >> (n % 8)) != 0)
    return make_error(DecodeError::out_of_range);
  p.siblings.reserve(n);
  for (std::size_t k = 0; k < n; ++k) {
    if (((static_cast<unsigned>(bitmap[k / 8]) >> (k % 8)) & 1u) != 0) {
      auto v = r.fixed<Hash32>();
      if (!v) return make_error(v.error());
      if (*v == empty_subtree_hash(heights[k])) return make_error(DecodeError::out_of_range);
      p.siblings.push_back(*v);
    } else {
      p.siblings.push_back(empty_subtree_hash(heights[k]));
    }
  }
  if (auto e = r.expect_end(); !e) return make_error(e.error());
  return p;
}

SparseMerkleTree::SparseMerkleTree() { root_ = empty_subtree_hash(kMerkleDepth); }

void SparseMerkleTree::set_leaf(std::uint32_t index, const Hash32& leaf_hash) {
  auto& leaves = levels_[0];
  L2_ASSERT(index <= leaves.size());
  if (undo_ != nullptr) {
    undo_->positions[0].push_back(index);
    undo_->before[0].push_back(index < leaves.size() ? leaves[index] : empty_subtree_hash(0));
  }
  if (index == leaves.size()) {
    leaves.push_back(leaf_hash);
  } else {
    leaves[index] = leaf_hash;
  }
  dirty_.push_back(index);
}

void SparseMerkleTree::record_undo(TreeUndo* undo) {
  L2_ASSERT(dirty_.empty() && !truncated_);
  undo_ = undo;
  if (undo_ == nullptr) return;
  undo_->leaf_count = leaf_count();
  undo_->root = root_;
  for (auto& v : undo_->positions) v.clear();
  for (auto& v : undo_->before) v.clear();
}

void SparseMerkleTree::truncate(std::uint32_t n) {
  if (n >= leaf_count()) return;
  for (int h = 0; h <= kMerkleDepth; ++h) {
    auto& lvl = levels_[static_cast<std::size_t>(h)];
    std::uint64_t keep = (static_cast<std::uint64_t>(n) + (1ull << h) - 1) >> h;
    if (lvl.size() > keep) lvl.resize(keep);
  }
  std::erase_if(dirty_, [n](std::uint32_t i) { return i >= n; });
  // The node covering the new last leaf changed at every height: rehash that path.
  if (n > 0) dirty_.push_back(n - 1);
  truncated_ = true;
}

Hash32 SparseMerkleTree::node_or_empty(int height, std::uint64_t pos) const {
  const auto& lvl = levels_[static_cast<std::size_t>(height)];
  return pos < lvl.size() ? lvl[pos] : empty_subtree_hash(height);
}

Hash32 SparseMerkleTree::update_root(ThreadPool* pool) {
  TreeUndo* undo = std::exchange(undo_, nullptr);
  const auto strictly_increasing_positions = [](const std::vector<std::uint64_t>& v) {
    return std::adjacent_find(v.begin(), v.end(), std::greater_equal<>()) == v.end();
  };
  if (undo != nullptr && !strictly_increasing_positions(undo->positions[0])) {
    // Leaves set out of order, or one set twice: its first record holds the hash from
    // before the update.
    auto& pos0 = undo->positions[0];
    auto& old0 = undo->before[0];
    std::vector<std::size_t> order(pos0.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return pos0[a] < pos0[b]; });
    std::vector<std::uint64_t> pos;
    std::vector<Hash32> old;
    pos.reserve(order.size());
    old.reserve(order.size());
    for (std::size_t i : order) {
      if (!pos.empty() && pos.back() == pos0[i]) continue;
      pos.push_back(pos0[i]);
      old.push_back(old0[i]);
    }
    pos0.swap(pos);
    old0.swap(old);
  }
  if (dirty_.empty() && !truncated_) return root_;
  truncated_ = false;
  std::sort(dirty_.begin(), dirty_.end());
  dirty_.erase(std::unique(dirty_.begin(), dirty_.end()), dirty_.end());
  std::vector<std::uint64_t> positions(dirty_.begin(), dirty_.end());
  dirty_.clear();
  std::vector<std::uint64_t> next;
  for (int h = 1; h <= kMerkleDepth; ++h) {
    // Parents of the dirty nodes one level down, deduplicated (positions stay sorted).
    next.clear();
    for (auto p : positions)
      if (next.empty() || next.back() != (p >> 1)) next.push_back(p >> 1);
    auto& lvl = levels_[static_cast<std::size_t>(h)];
    const std::uint64_t had = lvl.size();
    std::uint64_t want = (static_cast<std::uint64_t>(leaf_count()) + (1ull << h) - 1) >> h;
    if (lvl.size() < want) lvl.resize(want);
    Hash32* old = nullptr;
    if (undo != nullptr) {
      undo->positions[static_cast<std::size_t>(h)] = next;
      undo->before[static_cast<std::size_t>(h)].resize(next.size());
      old = undo->before[static_cast<std::size_t>(h)].data();
    }
    auto hash_range = [&](std::size_t b, std::size_t e) {
      for (std::size_t i = b; i < e; ++i) {
        std::uint64_t p = next[i];
        if (old != nullptr) old[i] = p < had ? lvl[p] : empty_subtree_hash(h);
        lvl[p] = hash_node(node_or_empty(h - 1, 2 * p), node_or_empty(h - 1, 2 * p + 1));
      }
    };
    if (pool != nullptr && next.size() >= 512) {
      pool->parallel_for(next.size(), 256, hash_range);
    } else {
      hash_range(0, next.size());
    }
    positions.swap(next);
  }
  root_ = leaf_count() == 0 ? empty_subtree_hash(kMerkleDepth) : levels_[kMerkleDepth][0];
  return root_;
}

std::optional<Hash32> SparseMerkleTree::leaf(std::uint32_t index) const {
  if (index >= leaf_count()) return std::nullopt;
  return levels_[0][index];
}

MerkleProof SparseMerkleTree::prove(std::uint32_t index) const {
  L2_ASSERT(dirty_.empty());
  MerkleProof p;
  p.index = AccountIndex(index);
  std::uint64_t pos = index;
  for (int h = 0; h < kMerkleDepth; ++h) {
    p.siblings[static_cast<std::size_t>(h)] = node_or_empty(h, pos ^ 1u);
    pos >>= 1;
  }
  return p;
}

Hash32 SparseMerkleTree::node_before(int height, std::uint64_t pos,
                                     std::span<const TreeUndo* const> undos) const {
  // The oldest update that rewrote the node holds its hash from before them all.
  const auto h = static_cast<std::size_t>(height);
  for (const TreeUndo* u : undos) {
    const auto& ps = u->positions[h];
    auto it = std::lower_bound(ps.begin(), ps.end(), pos);
    if (it != ps.end() && *it == pos) return u->before[h][static_cast<std::size_t>(it - ps.begin())];
  }
  return node_or_empty(height, pos);
}

MerkleProof SparseMerkleTree::prove_before(std::uint32_t index,
                                           std::span<const TreeUndo* const> undos) const {
  L2_ASSERT(dirty_.empty());
  MerkleProof p;
  p.index = AccountIndex(index);
  std::uint64_t pos = index;
  for (int h = 0; h < kMerkleDepth; ++h) {
    p.siblings[static_cast<std::size_t>(h)] = node_before(h, pos ^ 1u, undos);
    pos >>= 1;
  }
  return p;
}

MerkleMultiProof SparseMerkleTree::prove_many(std::span<const AccountIndex> indices) const {
  L2_ASSERT(dirty_.empty());
  L2_ASSERT(!indices.empty() && indices.size() <= kMaxMultiProofLeaves && strictly_increasing(indices));
  MerkleMultiProof p;
  p.indices.assign(indices.begin(), indices.end());
  (void)multiproof_walk(leaf_nodes(indices, {}), false, [&](int h, std::uint64_t pos) {
    p.siblings.push_back(node_or_empty(h, pos));
    return std::optional<Hash32>(Hash32());
  });
  return p;
}

}  // namespace l2
