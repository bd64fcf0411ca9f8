// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// Multiproofs (common/merkle.hpp), the witness-backed state and one-step execution
// (rollup/witness_state.hpp), batch traces (rollup/trace.hpp) and StateStore::state_at.
// The differential test runs apply_tx over witnesses alone, one tx at a time, on every
// executor workload, against apply_tx over the in-memory state: identical receipts and
// roots after every tx, and the batch's final root equal to the executor's.
#include <gtest/gtest.h>

#include <random>
#include <set>

#include "common/merkle.hpp"
#include "rollup/engine.hpp"
#include "rollup/executor.hpp"
#include "rollup/state_store.hpp"
#include "rollup/trace.hpp"
#include "rollup/witness_state.hpp"
#include "test_util.hpp"
#include "workloads.hpp"

namespace l2::rollup {
namespace {

using testing::Universe;
using testing::Workload;

constexpr ChainId kChain{7};

Hash32 leaf_of(std::uint32_t i) { return hash_leaf(as_bytes(std::to_string(i))); }

SparseMerkleTree tree_of(std::uint32_t n) {
  SparseMerkleTree t;
  for (std::uint32_t i = 0; i < n; ++i) t.set_leaf(i, leaf_of(i));
  t.update_root();
  return t;
}

std::vector<AccountIndex> ix(const std::vector<std::uint32_t>& raw) {
  std::vector<AccountIndex> out;
  out.reserve(raw.size());
  for (auto i : raw) out.emplace_back(i);
  return out;
}

std::vector<std::optional<Hash32>> leaves_at(const SparseMerkleTree& t,
                                             const std::vector<AccountIndex>& idx) {
  std::vector<std::optional<Hash32>> out;
  out.reserve(idx.size());
  for (auto i : idx) out.push_back(t.leaf(i.value()));
  return out;
}

// ---- multiproofs -----------------------------------------------------------------------

TEST(MultiProof, VerifiesAndAgreesWithSingleProofs) {
  const SparseMerkleTree t = tree_of(1000);
  const std::vector<std::vector<std::uint32_t>> sets = {
      {0}, {0, 1}, {0, 999}, {3, 4, 5}, {0, 17, 500, 998, 999}, {999, 1000, 1001}, {5, 0xFFFFFFFFu}};
  for (const auto& raw : sets) {
    const auto idx = ix(raw);
    SCOPED_TRACE(idx.size());
    auto p = t.prove_many(idx);
    EXPECT_EQ(p.siblings.size(), multiproof_sibling_count(idx));
    const auto leaves = leaves_at(t, idx);
    EXPECT_TRUE(verify_multiproof(t.root(), p, leaves));
    // Each leaf alone with the usual proof agrees.
    for (std::size_t k = 0; k < idx.size(); ++k)
      EXPECT_TRUE(verify_merkle_proof(t.root(), leaves[k], t.prove(idx[k].value())));
    // A changed leaf, a leaf claimed absent, or a wrong root fails.
    auto bad = leaves;
    bad[0] = leaf_of(123456);
    EXPECT_FALSE(verify_multiproof(t.root(), p, bad));
    if (leaves[0]) {
      bad[0] = std::nullopt;
      EXPECT_FALSE(verify_multiproof(t.root(), p, bad));
    }
    EXPECT_FALSE(verify_multiproof(empty_subtree_hash(kMerkleDepth), p, leaves));
    // Encoding round-trips exactly.
    auto enc = p.encode();
    auto back = MerkleMultiProof::decode(enc);
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, p);
    EXPECT_EQ(back->encode(), enc);
  }
}

TEST(MultiProof, NewLeavesGiveTheNewRoot) {
  SparseMerkleTree t = tree_of(300);
  const std::vector<AccountIndex> idx = ix({0, 42, 299, 300});  // 300: an append
  auto p = t.prove_many(idx);
  std::vector<std::optional<Hash32>> after = {leaf_of(9000), leaf_of(9001), leaf_of(9002), leaf_of(9003)};
  auto root = multiproof_root(p, after);
  ASSERT_TRUE(root.has_value());
  for (std::size_t k = 0; k < idx.size(); ++k) t.set_leaf(idx[k].value(), *after[k]);
  EXPECT_EQ(*root, t.update_root());
}

TEST(MultiProof, MalformedProofsAreRefused) {
  const SparseMerkleTree t = tree_of(64);
  auto p = t.prove_many(ix({1, 9}));
  const auto leaves = leaves_at(t, ix({1, 9}));
  auto fewer = p;
  fewer.siblings.pop_back();
  EXPECT_FALSE(multiproof_root(fewer, leaves).has_value());
  auto more = p;
  more.siblings.push_back(Hash32());
  EXPECT_FALSE(multiproof_root(more, leaves).has_value());
  auto unsorted = p;
  std::swap(unsorted.indices[0], unsorted.indices[1]);
  EXPECT_FALSE(multiproof_root(unsorted, leaves).has_value());
  EXPECT_FALSE(multiproof_root(p, std::vector<std::optional<Hash32>>{leaves[0]}).has_value());
  MerkleMultiProof empty;
  EXPECT_FALSE(multiproof_root(empty, {}).has_value());
}

TEST(MultiProof, StrictDecoding) {
  const SparseMerkleTree t = tree_of(10);
  const Bytes enc = t.prove_many(ix({2, 7})).encode();
  ASSERT_TRUE(MerkleMultiProof::decode(enc));
  // Truncated anywhere, or with a trailing byte.
  for (std::size_t n = 0; n < enc.size(); ++n)
    EXPECT_FALSE(MerkleMultiProof::decode(ByteView(enc.data(), n))) << n;
  Bytes trailing = enc;
  trailing.push_back(0);
  EXPECT_FALSE(MerkleMultiProof::decode(trailing));
  // Repeated or decreasing indices, no index, too many.
  ByteWriter rep;
  rep.varint(2);
  rep.u32le(3);
  rep.u32le(3);
  EXPECT_FALSE(MerkleMultiProof::decode(rep.data()));
  ByteWriter none;
  none.varint(0);
  EXPECT_FALSE(MerkleMultiProof::decode(none.data()));
  ByteWriter many;
  many.varint(kMaxMultiProofLeaves + 1);
  EXPECT_FALSE(MerkleMultiProof::decode(many.data()));
  // An empty sibling written out is a second encoding: refused. Indices {0}: 32
  // siblings, all empty but none here (a one-leaf tree); flag the first as present.
  SparseMerkleTree one;
  one.set_leaf(0, leaf_of(0));
  one.update_root();
  Bytes e1 = one.prove_many(ix({0})).encode();
  ASSERT_EQ(e1.size(), 1u + 4 + 4);  // count, index, 4 bitmap bytes, no sibling
  Bytes explicit_empty = e1;
  explicit_empty[5] = 1;
  const Hash32& e0 = empty_subtree_hash(0);
  explicit_empty.insert(explicit_empty.end(), e0.data(), e0.data() + 32);
  EXPECT_FALSE(MerkleMultiProof::decode(explicit_empty));
}

// ---- witness state and one-step execution ----------------------------------------------

struct Fixture {
  Universe u{50, 20, 11};
  State s = u.state();
  SparseMerkleTree tree = build_tree(s);

  TxWitness witness_for(const Tx& tx) {
    TxWitness w;
    const std::vector<AccountIndex> idx = touched_accounts(tx);
    w.proof = tree.prove_many(idx);
    for (auto i : idx) w.leaves.push_back(s.contains(i) ? std::optional(s.at(i)) : std::nullopt);
    return w;
  }
};

TEST(OneStep, TransferFromWitnessesMatchesTheFullState) {
  Fixture f;
  Tx tx = test::make_transfer(kChain, f.u.key(3), 3, 9, 1000, 7, 0);
  auto step = execute_step(f.tree.root(), kChain, tx, f.witness_for(tx));
  ASSERT_TRUE(step) << to_string(step.error());
  EXPECT_EQ(step->receipt.status, TxStatus::applied);
  OverlayState o(f.s);
  EXPECT_EQ(apply_tx(o, kChain, tx), step->receipt);
  State after = f.s;
  after.apply(o.changes());
  EXPECT_EQ(step->post_root, build_tree(after).root());
}

TEST(OneStep, WrongPreRootOrForgedLeafIsBadWitness) {
  Fixture f;
  Tx tx = test::make_transfer(kChain, f.u.key(3), 3, 9, 1000, 7, 0);
  auto w = f.witness_for(tx);
  EXPECT_EQ(execute_step(empty_subtree_hash(kMerkleDepth), kChain, tx, w).error(), StepError::bad_witness);
  auto forged = w;
  forged.leaves[1]->balance = Amount(forged.leaves[1]->balance.value() + 1);  // index 3: more money
  EXPECT_EQ(execute_step(f.tree.root(), kChain, tx, forged).error(), StepError::bad_witness);
}

TEST(OneStep, AWitnessThatDoesNotCoverTheTxIsMissingWitness) {
  Fixture f;
  Tx tx = test::make_transfer(kChain, f.u.key(3), 3, 9, 1000, 7, 0);
  Tx other = test::make_transfer(kChain, f.u.key(3), 3, 10, 1000, 7, 0);
  EXPECT_EQ(execute_step(f.tree.root(), kChain, tx, f.witness_for(other)).error(),
            StepError::missing_witness);
}

TEST(OneStep, AdversarialPreStateGivesReceiptsNotAborts) {
  // A pre-state nobody challenged can hold anything: balances at 2^64 - 1 everywhere, a
  // nonce at its maximum. Every credit and the nonce bump refuse instead of asserting.
  std::vector<Account> accounts;
  for (std::uint8_t k = 0; k < 4; ++k)
    accounts.push_back(Account{test::test_key(k + 1).public_key(), Amount::max(), Nonce(0), Amount(0)});
  accounts[2].nonce = Nonce(UINT64_MAX);
  // Not a state the sequencer could hold (the balances pass 2^64 - 1): build the tree by hand.
  SparseMerkleTree tree;
  for (std::uint32_t i = 0; i < accounts.size(); ++i) tree.set_leaf(i, account_leaf_hash(accounts[i]));
  tree.update_root();
  auto witness = [&](const Tx& tx) {
    TxWitness w;
    const std::vector<AccountIndex> idx = touched_accounts(tx);
    w.proof = tree.prove_many(idx);
    for (auto i : idx) {
      if (i.value() < accounts.size()) {
        w.leaves.emplace_back(accounts[i.value()]);
      } else {
        w.leaves.emplace_back();
      }
    }
    return w;
  };
  const std::vector<std::pair<Tx, TxStatus>> cases = {
      {test::make_transfer(kChain, test::test_key(2), 1, 3, 5, 0, 0), TxStatus::overflow},  // recipient full
      {test::make_transfer(kChain, test::test_key(2), 1, 3, 0, 0, 0), TxStatus::zero_amount},
      {test::make_withdraw(kChain, test::test_key(2), 1, 5, 1, 0), TxStatus::overflow},  // fee account full
      {test::make_transfer(kChain, test::test_key(3), 2, 3, 5, 0, UINT64_MAX), TxStatus::overflow},  // nonce
      {test::make_deposit(0, 1, test::test_key(2).public_key(), 1), TxStatus::overflow},
      {test::make_deposit(0, 4, test::test_key(9).public_key(), 1), TxStatus::applied},        // next free
      {test::make_deposit(0, 6, test::test_key(9).public_key(), 1), TxStatus::wrong_account},  // a gap
  };
  for (const auto& [tx, want] : cases) {
    auto step = execute_step(tree.root(), kChain, tx, witness(tx));
    ASSERT_TRUE(step) << to_string(step.error());
    EXPECT_EQ(step->receipt.status, want) << to_string(step->receipt.status);
    if (want != TxStatus::applied) {
      EXPECT_EQ(step->post_root, tree.root());
    }
  }
}

TEST(TxWitnessEncoding, RoundTripsAndIsStrict) {
  Fixture f;
  Tx tx = test::make_deposit(0, f.s.size(), test::test_key(200).public_key(), 5);  // includes an empty leaf
  auto w = f.witness_for(tx);
  ASSERT_FALSE(w.leaves.back().has_value());
  Bytes enc = w.encode();
  auto back = TxWitness::decode(enc);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, w);
  EXPECT_EQ(back->encode(), enc);
  for (std::size_t n = 0; n < enc.size(); ++n) EXPECT_FALSE(TxWitness::decode(ByteView(enc.data(), n))) << n;
  Bytes bad = enc;
  bad.push_back(0);
  EXPECT_FALSE(TxWitness::decode(bad));
  bad = enc;
  bad[enc.size() - 1] = 2;  // the last present flag (the empty leaf) set to 2
  EXPECT_FALSE(TxWitness::decode(bad));
}

// ---- the differential test over every workload ------------------------------------------

class WitnessDifferential : public ::testing::TestWithParam<Workload> {};

TEST_P(WitnessDifferential, ApplyTxOverWitnessesMatchesTheInMemoryState) {
  const Workload w = GetParam();
  Universe u(200, 100, 77 + static_cast<std::uint64_t>(w));
  u.fund_for(w);
  ThreadPool pool(2);
  Executor ex(pool);
  for (int batch = 0; batch < 3; ++batch) {
    const State before = u.state();
    const std::vector<Tx> txs = u.make_batch(w, 300, kChain);
    // The trace replays the batch over the in-memory state, proving each step.
    const BatchTrace trace = trace_batch(before, kChain, txs);
    ASSERT_EQ(trace.steps.size(), txs.size());
    // Stateless: each step again from its witness alone.
    Hash32 root = build_tree(before).root();
    EXPECT_EQ(trace.pre_root, root);
    OverlayState reference(before);
    std::size_t applied = 0;
    for (std::size_t i = 0; i < txs.size(); ++i) {
      const TraceStep& st = trace.steps[i];
      ASSERT_EQ(st.pre_root, root) << i;
      auto step = execute_step(root, kChain, txs[i], st.witness);
      ASSERT_TRUE(step) << to_string(w) << " tx " << i << ": " << to_string(step.error());
      const Receipt want = apply_tx(reference, kChain, txs[i]);
      ASSERT_EQ(step->receipt, want) << to_string(w) << " tx " << i;
      ASSERT_EQ(step->receipt, st.receipt);
      ASSERT_EQ(step->post_root, st.post_root) << to_string(w) << " tx " << i;
      if (want.status == TxStatus::applied) ++applied;
      root = step->post_root;
    }
    // The last root is the executor's, which the engine commits.
    ExecutionResult got = ex.execute(before, kChain, txs, ex.prepare(before, kChain, txs));
    State after = before;
    after.apply(got.changes);
    EXPECT_EQ(root, build_tree(after).root()) << to_string(w) << " batch " << batch;
    EXPECT_EQ(trace.post_root, root);
    EXPECT_EQ(applied_roots(trace).size(), applied);
    EXPECT_EQ(got.applied, applied);
    u.set_state(std::move(after));
  }
}

INSTANTIATE_TEST_SUITE_P(AllWorkloads, WitnessDifferential, ::testing::ValuesIn(testing::all_workloads()),
                         [](const auto& param_info) { return testing::to_string(param_info.param); });

// ---- state_at ----------------------------------------------------------------------------

TEST(StateAt, GivesEveryStoredBatchsStateWithoutChangingTheStore) {
  test::TempDir dir;
  const SecretKey& op = test::test_key(1);
  EngineOptions options;
  options.store.path = (dir.path() / "state.db").string();
  options.store.chain_id = kChain;
  options.store.operator_key = op.public_key();
  options.checkpoint_every = 2;  // so some batches are folded and some are not
  auto engine = Engine::open(options);
  ASSERT_TRUE(engine.ok()) << (engine.ok() ? "" : engine.error().message);
  std::vector<Hash32> roots = {(*engine)->state_root()};
  std::vector<std::vector<Tx>> batches;
  for (int b = 0; b < 5; ++b) {
    std::vector<Tx> txs;
    for (std::uint32_t k = 0; k < 3; ++k) {
      const std::uint32_t idx = 1 + static_cast<std::uint32_t>(b) * 3 + k;
      txs.push_back(test::make_deposit(
          idx, idx, test::test_key(static_cast<std::uint8_t>(10 + idx)).public_key(), 100 + idx));
    }
    if (b > 0)
      txs.push_back(
          test::make_transfer(kChain, test::test_key(11), 1, 2, 1, 0, static_cast<std::uint64_t>(b - 1)));
    auto r = (*engine)->submit(BatchInput{txs, {}, b}).get();
    ASSERT_TRUE(r);
    roots.push_back((*engine)->state_root());
    batches.push_back(txs);
  }
  const Hash32 head_root = (*engine)->state_root();
  engine->reset();
  StoreOptions so = options.store;
  auto store = StateStore::open(so);
  ASSERT_TRUE(store);
  for (std::uint64_t n = 0; n <= 5; ++n) {
    auto st = (*store)->state_at(BatchNumber(n));
    ASSERT_TRUE(st) << st.error().message;
    EXPECT_EQ(build_tree(*st).root(), roots[n]) << n;
    if (n < 5) {
      // And the trace of the next batch from it ends at that batch's root.
      EXPECT_EQ(trace_batch(*st, kChain, batches[n]).post_root, roots[n + 1]) << n;
    }
  }
  EXPECT_FALSE((*store)->state_at(BatchNumber(6)));
  auto loaded = (*store)->load();
  ASSERT_TRUE(loaded);
  EXPECT_EQ(build_tree(loaded->state).root(), head_root);
}

}  // namespace
}  // namespace l2::rollup
