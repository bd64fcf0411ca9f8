// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
#include "rollup/store_verify.hpp"

#include "common/merkle.hpp"
#include "rollup/executor.hpp"
#include "rollup/receipt.hpp"
#include "rollup/state.hpp"
#include "rollup/tx.hpp"
#include "rollup/witness.hpp"

namespace l2::rollup {

namespace {

StoreError wrong(std::uint64_t n, const std::string& what) {
  return StoreError{StoreErrorCode::corrupt, "batch " + std::to_string(n) + " " + what};
}

}  // namespace

Result<VerifyReport, StoreError> verify_store(StateStore& store, ChainId chain, const PublicKey& operator_key,
                                              const VerifyOptions& options) {
  VerifyReport report;
  auto head = store.head();
  if (!head) return make_error(head.error());
  report.head = head->number;

  // Genesis.
  State state(operator_key);
  SparseMerkleTree tree;
  tree.set_leaf(0, account_leaf_hash(state.at(kFeeAccount)));
  Hash32 root = tree.update_root(options.pool);
  auto genesis = store.batch(BatchNumber(0));
  if (!genesis) return make_error(genesis.error());
  if (!*genesis) return make_error(wrong(0, "(genesis) is missing"));
  {
    const StoredBatch& g = **genesis;
    auto txs = decode_txs(g.txs);
    if (g.header.prev_root != Hash32() || g.header.state_root != root || g.header.tx_count != 0 || !txs ||
        !txs->empty())
      return make_error(wrong(0, "(genesis) is not the genesis of this chain and operator key"));
  }

  Hash32 prev = root;
  std::optional<Executor> executor;
  if (options.pool != nullptr) executor.emplace(*options.pool);
  for (std::uint64_t n = 1; n <= report.head.value(); ++n) {
    auto stored = store.batch(BatchNumber(n));
    if (!stored) return make_error(stored.error());
    if (!*stored) return make_error(wrong(n, "is missing"));
    const StoredBatch& b = **stored;
    if (b.header.prev_root != prev)
      return make_error(wrong(n, "does not follow batch " + std::to_string(n - 1)));
    auto txs = decode_txs(b.txs);
    if (!txs)
      return make_error(wrong(n, "has txs that do not decode: " + std::string(to_string(txs.error()))));
    if (txs->size() != b.header.tx_count)
      return make_error(wrong(n, "holds " + std::to_string(txs->size()) + " txs, its header says " +
                                     std::to_string(b.header.tx_count)));
    // Execute again, from the state the replay reached: what the batch should hold.
    ExecutionResult result =
        executor ? executor->execute(state, chain, *txs, executor->prepare(state, chain, *txs))
                 : execute_sequential(state, chain, *txs);
    if (encode_receipts(result.receipts) != b.receipts)
      return make_error(wrong(n, "has receipts that are not what executing its txs gives"));
    if (result.applied != b.header.applied_count)
      return make_error(wrong(n, "says " + std::to_string(b.header.applied_count) +
                                     " txs applied; executing " + "its txs applies " +
                                     std::to_string(result.applied)));
    if (encode_changes(result.changes) != b.changes)
      return make_error(wrong(n, "has account changes that are not what executing its txs gives"));
    state.apply(result.changes);
    for (const AccountChange& c : result.changes) tree.set_leaf(c.index.value(), account_leaf_hash(c.after));
    root = tree.update_root(options.pool);
    if (root != b.header.state_root)
      return make_error(
          wrong(n, "has state root " + b.header.state_root.hex() + "; its state's root is " + root.hex()));
    if (b.witnesses.empty()) {
      ++report.without_witnesses;  // schema 1 (migrated): none were recorded
    } else if (withdrawal_witnesses(state, tree, *txs, result.receipts) != b.witnesses) {
      return make_error(wrong(n, "has withdrawal witnesses that are not its accounts' leaves and proofs"));
    }
    if (options.check_origin) {
      if (auto e = options.check_origin(b)) return make_error(wrong(n, "has an origin record that " + *e));
    }
    report.txs += txs->size();
    report.applied += result.applied;
    prev = root;
    if (options.progress) options.progress(BatchNumber(n), report.head);
  }

  // What a start loads must be the state the replay reached.
  auto loaded = store.load();
  if (!loaded) return make_error(loaded.error());
  if (loaded->head.number != report.head || loaded->head.state_root != root)
    return make_error(StoreError{StoreErrorCode::corrupt, "the store's head moved while it was checked"});
  const auto have = loaded->state.accounts();
  const auto want = state.accounts();
  if (have.size() != want.size())
    return make_error(StoreError{StoreErrorCode::corrupt,
                                 "the accounts table holds " + std::to_string(have.size()) +
                                     " accounts as of the checkpoint's changes; the batches give " +
                                     std::to_string(want.size())});
  for (std::size_t i = 0; i < have.size(); ++i) {
    if (have[i] != want[i])
      return make_error(StoreError{StoreErrorCode::corrupt, "the accounts table's account " +
                                                                std::to_string(i) + " (checkpoint batch " +
                                                                std::to_string(loaded->checkpoint.value()) +
                                                                ") is not what the batches give"});
  }
  report.checkpoint = loaded->checkpoint;
  report.accounts = state.size();

  auto rolled = store.rolled_back_txs();  // each row checked against its hash
  if (!rolled) return make_error(rolled.error());
  report.rolled_back_txs = rolled->size();
  return report;
}

}  // namespace l2::rollup
