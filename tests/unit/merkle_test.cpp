// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// The sparse Merkle tree: hashing rules, the root as a function of the leaf set alone,
// inclusion and non-inclusion proofs (and their rejection when any byte is tampered
// with), the proof encoding, parallel updates, truncation, and a randomised comparison
// against a naive reference that recomputes every level from the leaves.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <optional>
#include <random>
#include <vector>

#include "common/crypto.hpp"
#include "common/merkle.hpp"
#include "common/thread_pool.hpp"
#include "tests/unit/test_util.hpp"

namespace l2 {
namespace {

using test::random_hash;

// The root from the definition: every level from the leaves, padding with empty(h).
Hash32 reference_root(const std::vector<Hash32>& leaves) {
  std::vector<Hash32> level = leaves;
  for (int h = 0; h < kMerkleDepth; ++h) {
    std::vector<Hash32> up((level.size() + 1) / 2);
    for (std::size_t i = 0; i < up.size(); ++i) {
      const Hash32& left = level[2 * i];
      const Hash32& right = 2 * i + 1 < level.size() ? level[2 * i + 1] : empty_subtree_hash(h);
      up[i] = hash_node(left, right);
    }
    level = std::move(up);
  }
  return level.empty() ? empty_subtree_hash(kMerkleDepth) : level[0];
}

std::vector<Hash32> random_leaves(std::size_t n, std::mt19937_64& rng) {
  std::vector<Hash32> out(n);
  for (auto& h : out) h = random_hash(rng);
  return out;
}

SparseMerkleTree tree_of(const std::vector<Hash32>& leaves, ThreadPool* pool = nullptr) {
  SparseMerkleTree t;
  for (std::size_t i = 0; i < leaves.size(); ++i) t.set_leaf(static_cast<std::uint32_t>(i), leaves[i]);
  t.update_root(pool);
  return t;
}

Hash32 flip(Hash32 h, std::size_t byte, std::uint8_t mask = 0x01) {
  h.array()[byte] ^= mask;
  return h;
}

// ---- hashing rules ----------------------------------------------------------------------

TEST(MerkleHashing, LeafAndNodeHashesAreDomainSeparatedBlake2b) {
  Bytes leaf = {1, 2, 3, 4, 5};
  Bytes prefixed = {0x00, 1, 2, 3, 4, 5};
  EXPECT_EQ(hash_leaf(leaf), blake2b256(prefixed));

  std::mt19937_64 rng(10);
  Hash32 l = random_hash(rng);
  Hash32 r = random_hash(rng);
  Bytes node = {0x01};
  node.insert(node.end(), l.view().begin(), l.view().end());
  node.insert(node.end(), r.view().begin(), r.view().end());
  EXPECT_EQ(hash_node(l, r), blake2b256(node));
  EXPECT_NE(hash_node(l, r), hash_node(r, l));
  // A 64-byte leaf never hashes like a node over the same 64 bytes.
  Bytes lr(node.begin() + 1, node.end());
  EXPECT_NE(hash_leaf(lr), hash_node(l, r));
}

TEST(MerkleHashing, EmptySubtreeHashes) {
  EXPECT_TRUE(empty_subtree_hash(0).is_zero());
  for (int h = 1; h <= kMerkleDepth; ++h)
    EXPECT_EQ(empty_subtree_hash(h), hash_node(empty_subtree_hash(h - 1), empty_subtree_hash(h - 1))) << h;
}

// ---- roots --------------------------------------------------------------------------------

TEST(MerkleRoot, EmptyTreeRootIsEmpty32) {
  SparseMerkleTree t;
  EXPECT_EQ(t.root(), empty_subtree_hash(kMerkleDepth));
  EXPECT_EQ(t.update_root(), empty_subtree_hash(kMerkleDepth));
  EXPECT_EQ(t.leaf_count(), 0u);
  EXPECT_EQ(t.leaf(0), std::nullopt);
}

TEST(MerkleRoot, SingleLeafRootFoldsWithEmptySiblings) {
  std::mt19937_64 rng(11);
  Hash32 leaf = random_hash(rng);
  Hash32 want = leaf;
  for (int h = 0; h < kMerkleDepth; ++h) want = hash_node(want, empty_subtree_hash(h));
  SparseMerkleTree t;
  t.set_leaf(0, leaf);
  EXPECT_EQ(t.update_root(), want);
  EXPECT_EQ(t.root(), want);
  EXPECT_EQ(t.leaf(0), leaf);
  EXPECT_EQ(t.leaf(1), std::nullopt);
}

TEST(MerkleRoot, TwoLeavesByHand) {
  std::mt19937_64 rng(12);
  Hash32 a = random_hash(rng);
  Hash32 b = random_hash(rng);
  Hash32 want = hash_node(a, b);
  for (int h = 1; h < kMerkleDepth; ++h) want = hash_node(want, empty_subtree_hash(h));
  EXPECT_EQ(tree_of({a, b}).root(), want);
}

TEST(MerkleRoot, MatchesReferenceForManySizes) {
  std::mt19937_64 rng(13);
  for (std::size_t n : {1u, 2u, 3u, 4u, 5u, 7u, 8u, 9u, 31u, 32u, 33u, 100u, 255u, 256u, 257u, 1000u}) {
    auto leaves = random_leaves(n, rng);
    EXPECT_EQ(tree_of(leaves).root(), reference_root(leaves)) << n;
  }
}

TEST(MerkleRoot, IsAFunctionOfTheLeafSetOnly) {
  std::mt19937_64 rng(14);
  const std::size_t n = 300;
  auto leaves = random_leaves(n, rng);
  const Hash32 want = tree_of(leaves).root();
  EXPECT_EQ(want, reference_root(leaves));

  // Garbage first (rooted at random points), then the real values in a shuffled order.
  SparseMerkleTree t;
  for (std::uint32_t i = 0; i < n; ++i) {
    t.set_leaf(i, random_hash(rng));
    if (rng() % 7 == 0) t.update_root();
  }
  std::vector<std::uint32_t> order(n);
  for (std::uint32_t i = 0; i < n; ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), rng);
  for (std::uint32_t i : order) {
    t.set_leaf(i, random_hash(rng));  // an intermediate value, overwritten below
    t.set_leaf(i, leaves[i]);
    if (rng() % 11 == 0) t.update_root();
  }
  EXPECT_EQ(t.update_root(), want);

  // Appending, truncating and re-appending the same values gives the same root.
  SparseMerkleTree u;
  for (std::uint32_t i = 0; i < n; ++i) u.set_leaf(i, leaves[i]);
  u.update_root();
  u.truncate(120);
  u.update_root();
  for (std::uint32_t i = 120; i < n; ++i) u.set_leaf(i, leaves[i]);
  EXPECT_EQ(u.update_root(), want);
}

TEST(MerkleRoot, ChangingAnyLeafChangesTheRoot) {
  std::mt19937_64 rng(15);
  auto leaves = random_leaves(40, rng);
  SparseMerkleTree t = tree_of(leaves);
  const Hash32 before = t.root();
  for (std::uint32_t i = 0; i < leaves.size(); ++i) {
    t.set_leaf(i, flip(leaves[i], 31));
    EXPECT_NE(t.update_root(), before) << i;
    t.set_leaf(i, leaves[i]);
    EXPECT_EQ(t.update_root(), before) << i;
  }
}

TEST(MerkleRoot, UpdateRootWithoutChangesKeepsTheRoot) {
  std::mt19937_64 rng(16);
  SparseMerkleTree t = tree_of(random_leaves(10, rng));
  const Hash32 r = t.root();
  EXPECT_EQ(t.update_root(), r);
  t.set_leaf(3, *t.leaf(3));  // same value: dirty but unchanged
  EXPECT_EQ(t.update_root(), r);
}

// ---- proofs -------------------------------------------------------------------------------

class MerkleProofTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::mt19937_64 rng(17);
    leaves_ = random_leaves(37, rng);
    tree_ = tree_of(leaves_);
  }
  std::vector<Hash32> leaves_;
  SparseMerkleTree tree_;
};

TEST_F(MerkleProofTest, PresentLeavesVerify) {
  const Hash32& root = tree_.root();
  for (std::uint32_t i = 0; i < leaves_.size(); ++i) {
    MerkleProof p = tree_.prove(i);
    EXPECT_EQ(p.index, AccountIndex(i));
    EXPECT_TRUE(verify_merkle_proof(root, leaves_[i], p)) << i;
    EXPECT_FALSE(verify_merkle_proof(root, std::nullopt, p)) << i;  // it is not absent
    EXPECT_FALSE(verify_merkle_proof(root, leaves_[(i + 1) % leaves_.size()], p)) << i;
  }
}

TEST_F(MerkleProofTest, AbsentIndicesVerifyNonInclusion) {
  const Hash32& root = tree_.root();
  std::mt19937_64 rng(18);
  for (std::uint32_t i : {37u, 38u, 39u, 40u, 63u, 64u, 1000u, 1u << 20, 0x80000000u, 0xffffffffu}) {
    MerkleProof p = tree_.prove(i);
    EXPECT_TRUE(verify_merkle_proof(root, std::nullopt, p)) << i;
    EXPECT_FALSE(verify_merkle_proof(root, random_hash(rng), p)) << i;
    EXPECT_FALSE(verify_merkle_proof(root, leaves_[0], p)) << i;
  }
}

TEST_F(MerkleProofTest, EmptyTreeProvesAbsenceEverywhere) {
  SparseMerkleTree empty;
  for (std::uint32_t i : {0u, 1u, 12345u, 0xffffffffu})
    EXPECT_TRUE(verify_merkle_proof(empty.root(), std::nullopt, empty.prove(i))) << i;
}

TEST_F(MerkleProofTest, AnyTamperedByteFailsVerification) {
  const Hash32& root = tree_.root();
  for (std::uint32_t i : {0u, 17u, 36u, 1000u}) {
    const bool present = i < leaves_.size();
    const std::optional<Hash32> leaf = present ? std::optional<Hash32>(leaves_[i]) : std::nullopt;
    const MerkleProof p = tree_.prove(i);
    ASSERT_TRUE(verify_merkle_proof(root, leaf, p)) << i;
    const Hash32 leaf_value = leaf.value_or(empty_subtree_hash(0));
    for (std::size_t byte = 0; byte < 32; ++byte) {
      EXPECT_FALSE(verify_merkle_proof(root, flip(leaf_value, byte), p))
          << "leaf byte " << byte << " of " << i;
      EXPECT_FALSE(verify_merkle_proof(flip(root, byte, 0x80), leaf, p))
          << "root byte " << byte << " of " << i;
      for (std::size_t h = 0; h < static_cast<std::size_t>(kMerkleDepth); ++h) {
        MerkleProof q = p;
        q.siblings[h] = flip(q.siblings[h], byte);
        EXPECT_FALSE(verify_merkle_proof(root, leaf, q))
            << "sibling " << h << " byte " << byte << " of " << i;
      }
    }
    if (present) {
      // A present leaf's path is non-empty at every height: moving it anywhere fails.
      for (int bit = 0; bit < 32; ++bit) {
        MerkleProof q = p;
        q.index = AccountIndex(q.index.value() ^ (1u << bit));
        EXPECT_FALSE(verify_merkle_proof(root, leaf, q)) << "index bit " << bit << " of " << i;
      }
      MerkleProof next = p;
      next.index = AccountIndex(i + 1);
      EXPECT_FALSE(verify_merkle_proof(root, leaf, next)) << i;
    }
  }
}

TEST_F(MerkleProofTest, ProofsStayValidAfterUpdatesOnlyAgainstTheNewRoot) {
  const Hash32 old_root = tree_.root();
  const MerkleProof old_proof = tree_.prove(5);
  std::mt19937_64 rng(19);
  Hash32 changed = random_hash(rng);
  tree_.set_leaf(20, changed);
  tree_.update_root();
  EXPECT_FALSE(verify_merkle_proof(tree_.root(), leaves_[5], old_proof));  // sibling path changed
  EXPECT_TRUE(verify_merkle_proof(old_root, leaves_[5], old_proof));
  EXPECT_TRUE(verify_merkle_proof(tree_.root(), leaves_[5], tree_.prove(5)));
  EXPECT_TRUE(verify_merkle_proof(tree_.root(), changed, tree_.prove(20)));
}

// ---- proof encoding -----------------------------------------------------------------------

void expect_same_proof(const MerkleProof& a, const MerkleProof& b) {
  EXPECT_EQ(a.index, b.index);
  for (std::size_t h = 0; h < static_cast<std::size_t>(kMerkleDepth); ++h)
    EXPECT_EQ(a.siblings[h], b.siblings[h]) << h;
}

std::uint32_t bitmap_of(const MerkleProof& p) {
  std::uint32_t bitmap = 0;
  for (int h = 0; h < kMerkleDepth; ++h)
    if (p.siblings[static_cast<std::size_t>(h)] != empty_subtree_hash(h)) bitmap |= 1u << h;
  return bitmap;
}

TEST_F(MerkleProofTest, EncodeDecodeRoundTrip) {
  std::vector<MerkleProof> proofs;
  for (std::uint32_t i : {0u, 5u, 36u, 37u, 1000u, 0xffffffffu}) proofs.push_back(tree_.prove(i));
  proofs.push_back(SparseMerkleTree().prove(7));
  MerkleProof full;  // every sibling present
  std::mt19937_64 rng(20);
  full.index = AccountIndex(0xdeadbeef);
  for (auto& s : full.siblings) s = random_hash(rng);
  proofs.push_back(full);

  for (const auto& p : proofs) {
    Bytes enc = p.encode();
    const std::uint32_t bitmap = bitmap_of(p);
    ASSERT_EQ(enc.size(), 8u + 32u * static_cast<std::size_t>(std::popcount(bitmap))) << p.index.value();
    ByteWriter head;
    head.u32le(p.index.value());
    head.u32le(bitmap);
    EXPECT_EQ(to_hex(ByteView(enc).first(8)), to_hex(head.data()));
    auto back = MerkleProof::decode(enc);
    ASSERT_TRUE(back) << to_string(back.error());
    expect_same_proof(*back, p);
    EXPECT_EQ(back->encode(), enc);
  }
  EXPECT_EQ(SparseMerkleTree().prove(7).encode().size(), 8u);
}

TEST_F(MerkleProofTest, DecodeRejectsTruncationAndTrailingBytes) {
  for (std::uint32_t i : {5u, 1000u}) {
    Bytes enc = tree_.prove(i).encode();
    for (std::size_t n = 0; n < enc.size(); ++n) {
      auto r = MerkleProof::decode(ByteView(enc).first(n));
      ASSERT_FALSE(r) << "prefix " << n << " of proof " << i;
      EXPECT_EQ(r.error(), DecodeError::truncated) << n;
    }
    Bytes longer = enc;
    longer.push_back(0);
    auto r = MerkleProof::decode(longer);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), DecodeError::trailing_bytes);
  }
}

TEST_F(MerkleProofTest, DecodeRejectsAnExplicitEmptySibling) {
  // Index 5 of 37 leaves: siblings 0..5 are non-empty, 6..31 are empty.
  const MerkleProof p = tree_.prove(5);
  ASSERT_EQ(bitmap_of(p), 0x3fu);
  for (int extra : {6, 20, 31}) {
    ByteWriter w;
    w.u32le(p.index.value());
    w.u32le(0x3fu | (1u << extra));
    for (std::size_t h = 0; h < 6; ++h) w.bytes(p.siblings[h].view());
    w.bytes(empty_subtree_hash(extra).view());
    auto r = MerkleProof::decode(w.data());
    ASSERT_FALSE(r) << extra;
    EXPECT_EQ(r.error(), DecodeError::out_of_range) << extra;
  }
  // Height 0's empty sibling is the zero hash.
  ByteWriter w;
  w.u32le(0);
  w.u32le(1);
  w.bytes(Hash32().view());
  auto r = MerkleProof::decode(w.data());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), DecodeError::out_of_range);
}

// ---- parallel updates ---------------------------------------------------------------------

TEST(MerkleParallel, PoolOfAnySizeGivesTheSerialRoot) {
  std::mt19937_64 rng(21);
  auto leaves = random_leaves(5000, rng);
  const Hash32 serial = tree_of(leaves).root();
  ASSERT_EQ(serial, reference_root(leaves));
  // Random overwrites touching more than 512 paths, so update_root really splits work.
  std::vector<std::pair<std::uint32_t, Hash32>> updates;
  updates.reserve(1500);
  for (int k = 0; k < 1500; ++k)
    updates.emplace_back(static_cast<std::uint32_t>(rng() % leaves.size()), random_hash(rng));
  SparseMerkleTree serial_tree = tree_of(leaves);
  for (const auto& [i, h] : updates) serial_tree.set_leaf(i, h);
  const Hash32 serial_after = serial_tree.update_root();

  for (unsigned threads : {1u, 2u, 4u}) {
    ThreadPool pool(threads);
    SparseMerkleTree t = tree_of(leaves, &pool);
    EXPECT_EQ(t.root(), serial) << threads;
    for (const auto& [i, h] : updates) t.set_leaf(i, h);
    EXPECT_EQ(t.update_root(&pool), serial_after) << threads;
    for (std::uint32_t i : {0u, 2500u, 4999u}) {
      auto leaf = t.leaf(i);
      ASSERT_TRUE(leaf.has_value());
      EXPECT_TRUE(verify_merkle_proof(t.root(), *leaf, t.prove(i)));
    }
  }
}

// ---- truncation ---------------------------------------------------------------------------

TEST(MerkleTruncate, GivesTheRootOfThePrefix) {
  std::mt19937_64 rng(22);
  auto leaves = random_leaves(100, rng);
  for (std::uint32_t n : {0u, 1u, 2u, 3u, 31u, 32u, 33u, 63u, 64u, 65u, 99u, 100u, 150u}) {
    SparseMerkleTree t = tree_of(leaves);
    t.truncate(n);
    const std::uint32_t kept = std::min<std::uint32_t>(n, 100);
    EXPECT_EQ(t.leaf_count(), kept) << n;
    std::vector<Hash32> prefix(leaves.begin(), leaves.begin() + kept);
    EXPECT_EQ(t.update_root(), reference_root(prefix)) << n;
    EXPECT_EQ(t.root(), tree_of(prefix).root()) << n;
    EXPECT_EQ(t.leaf(kept), std::nullopt) << n;
    if (kept > 0) {
      EXPECT_TRUE(verify_merkle_proof(t.root(), leaves[kept - 1], t.prove(kept - 1))) << n;
    }
    EXPECT_TRUE(verify_merkle_proof(t.root(), std::nullopt, t.prove(kept))) << n;
    // Growing again after the truncation.
    std::vector<Hash32> regrown = prefix;
    for (int k = 0; k < 5; ++k) {
      regrown.push_back(random_hash(rng));
      t.set_leaf(static_cast<std::uint32_t>(regrown.size() - 1), regrown.back());
    }
    EXPECT_EQ(t.update_root(), reference_root(regrown)) << n;
  }
}

TEST(MerkleTruncate, WithPendingUpdatesOnBothSides) {
  std::mt19937_64 rng(23);
  auto leaves = random_leaves(80, rng);
  SparseMerkleTree t = tree_of(leaves);
  leaves[10] = random_hash(rng);
  leaves[70] = random_hash(rng);
  t.set_leaf(10, leaves[10]);
  t.set_leaf(70, leaves[70]);  // dropped by the truncation below
  t.truncate(50);
  leaves.resize(50);
  EXPECT_EQ(t.update_root(), reference_root(leaves));
}

TEST(MerkleTruncate, ToZeroAndTwice) {
  std::mt19937_64 rng(24);
  auto leaves = random_leaves(20, rng);
  SparseMerkleTree t = tree_of(leaves);
  t.truncate(12);
  t.truncate(7);
  leaves.resize(7);
  EXPECT_EQ(t.update_root(), reference_root(leaves));
  t.truncate(0);
  EXPECT_EQ(t.update_root(), empty_subtree_hash(kMerkleDepth));
  EXPECT_EQ(t.leaf_count(), 0u);
}

// ---- randomised ---------------------------------------------------------------------------

TEST(MerkleRandomised, BatchedUpdatesMatchATreeBuiltFromScratch) {
  std::mt19937_64 rng(25);
  ThreadPool pool(2);
  SparseMerkleTree t;
  std::vector<Hash32> ref;
  int batches = 0;
  while (ref.size() < 5000 || batches < 30) {
    ++batches;
    const std::size_t ops = 1 + rng() % 700;
    for (std::size_t k = 0; k < ops; ++k) {
      const auto roll = rng() % 100;
      if (roll < 45 || ref.empty()) {
        ref.push_back(random_hash(rng));
        t.set_leaf(static_cast<std::uint32_t>(ref.size() - 1), ref.back());
      } else if (roll < 99) {
        const auto i = static_cast<std::uint32_t>(rng() % ref.size());
        ref[i] = random_hash(rng);
        t.set_leaf(i, ref[i]);
      } else {
        const auto n = static_cast<std::uint32_t>(ref.size() - std::min<std::size_t>(ref.size(), rng() % 40));
        ref.resize(n);
        t.truncate(n);
      }
    }
    const Hash32 root = t.update_root(batches % 2 == 0 ? &pool : nullptr);
    ASSERT_EQ(t.leaf_count(), ref.size()) << "batch " << batches;
    ASSERT_EQ(root, reference_root(ref)) << "batch " << batches << ", " << ref.size() << " leaves";
  }
  EXPECT_EQ(t.root(), tree_of(ref).root());
  for (int k = 0; k < 20; ++k) {
    const auto i = static_cast<std::uint32_t>(rng() % ref.size());
    EXPECT_TRUE(verify_merkle_proof(t.root(), ref[i], t.prove(i))) << i;
  }
}

// Undo records: laid over the tree, the records of the last k updates (oldest first)
// give exactly the tree from before them: every node, every proof, its root. Leaves set
// twice, out of order and appended, in parallel or not.
TEST(MerkleUndo, RecordsOfTheLastUpdatesGiveTheTreeFromBeforeThem) {
  std::mt19937_64 rng(26);
  ThreadPool pool(2);
  SparseMerkleTree t;
  std::vector<std::vector<Hash32>> history{{}};  // the leaves after each update
  std::vector<TreeUndo> undos(12);
  for (std::size_t b = 0; b < undos.size(); ++b) {
    std::vector<Hash32> ref = history.back();
    t.record_undo(&undos[b]);
    const std::size_t ops = 1 + rng() % 300;
    for (std::size_t k = 0; k < ops; ++k) {
      if (rng() % 100 < 40 || ref.empty()) {
        ref.push_back(random_hash(rng));
        t.set_leaf(static_cast<std::uint32_t>(ref.size() - 1), ref.back());
      } else {
        const auto i = static_cast<std::uint32_t>(rng() % ref.size());
        ref[i] = random_hash(rng);
        t.set_leaf(i, ref[i]);
      }
    }
    t.update_root(b % 2 == 0 ? &pool : nullptr);
    ASSERT_EQ(undos[b].root, tree_of(history.back()).root());
    ASSERT_EQ(undos[b].leaf_count, history.back().size());
    history.push_back(ref);
  }
  for (std::size_t k = 0; k <= undos.size(); ++k) {
    // Before the last k updates: records undos.size() - k .. end.
    std::vector<const TreeUndo*> last;
    for (std::size_t b = undos.size() - k; b < undos.size(); ++b) last.push_back(&undos[b]);
    const std::vector<Hash32>& then = history[history.size() - 1 - k];
    const SparseMerkleTree expect = tree_of(then);
    const Hash32 root = k == 0 ? t.root() : last.front()->root;
    ASSERT_EQ(root, expect.root()) << k;
    EXPECT_EQ(t.node_before(kMerkleDepth, 0, last), expect.root()) << k;
    for (std::uint32_t i = 0; i < t.leaf_count(); ++i)
      ASSERT_EQ(t.node_before(0, i, last), i < then.size() ? then[i] : empty_subtree_hash(0))
          << k << " " << i;
    for (std::uint32_t i = 0; i < t.leaf_count() + 2; i += 1 + static_cast<std::uint32_t>(rng() % 17)) {
      const MerkleProof p = t.prove_before(i, last);
      EXPECT_EQ(p.siblings, expect.prove(i).siblings) << "k " << k << ", leaf " << i;
      const std::optional<Hash32> leaf = i < then.size() ? std::optional<Hash32>(then[i]) : std::nullopt;
      EXPECT_TRUE(verify_merkle_proof(root, leaf, p)) << "k " << k << ", leaf " << i;
    }
  }
}

}  // namespace
}  // namespace l2
