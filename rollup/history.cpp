// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
#include "rollup/history.hpp"

#include <algorithm>
#include <unordered_set>

#include "common/assert.hpp"

namespace l2::rollup {

namespace {

HistoryError store_error(StoreError e) {
  std::string message = e.message;
  return HistoryError{HistoryErrorCode::store, std::move(message), std::move(e)};
}

std::string batch_name(BatchNumber n) { return "batch " + std::to_string(n.value()); }

// The position of `pos` in the sorted `v`, if there.
std::optional<std::size_t> find_sorted(const std::vector<std::uint64_t>& v, std::uint64_t pos) {
  auto it = std::lower_bound(v.begin(), v.end(), pos);
  if (it == v.end() || *it != pos) return std::nullopt;
  return static_cast<std::size_t>(it - v.begin());
}

}  // namespace

Result<History, HistoryError> read_history(StateStore& store, BatchNumber n, std::uint64_t max_changes) {
  auto at = store.header(n);
  if (!at) return make_error(store_error(at.error()));
  if (!*at) {
    auto head = store.head();
    if (!head) return make_error(store_error(head.error()));
    if (n > head->number)
      return make_error(HistoryError{
          HistoryErrorCode::past_head,
          batch_name(n) + " is after the latest durable batch " + std::to_string(head->number.value()),
          std::nullopt});
    return make_error(store_error(StoreError{StoreErrorCode::corrupt, batch_name(n) + " is missing"}));
  }
  History h{**at, **at, {}, std::nullopt, 0};
  if (auto e = extend_history(store, h, max_changes); !e) return make_error(e.error());
  return h;
}

Status<HistoryError> extend_history(StateStore& store, History& h, std::uint64_t max_changes) {
  Db& db = store.db();
  if (auto b = db.exec("BEGIN"); !b)
    return make_error(store_error(StoreError{StoreErrorCode::io, b.error().message}));
  auto out = [&]() -> Status<HistoryError> {
    const HistoryError moved{HistoryErrorCode::moved,
                             "the store no longer continues " + batch_name(h.head.number) + " (a rollback)",
                             std::nullopt};
    auto head = store.head();
    if (!head) return make_error(store_error(head.error()));
    auto still = store.header(h.head.number);
    if (!still) return make_error(store_error(still.error()));
    if (!*still || **still != h.head) return make_error(moved);
    std::unordered_set<std::uint32_t> seen;  // indices first changed in this extension
    std::vector<ChangeBefore> added;
    std::uint64_t entries = h.entries;
    std::optional<std::uint32_t> size_at = h.size_at;
    auto known = [&](AccountIndex i) {
      return std::binary_search(
          h.before.begin(), h.before.end(), ChangeBefore{i, std::nullopt},
          [](const ChangeBefore& a, const ChangeBefore& b) { return a.index < b.index; });
    };
    constexpr BatchParts kChanges{
        .txs = false, .receipts = false, .changes = true, .witnesses = false, .origin = false};
    for (std::uint64_t m = h.head.number.value() + 1; m <= head->number.value(); ++m) {
      auto stored = store.batch(BatchNumber(m), kChanges);
      if (!stored) return make_error(store_error(stored.error()));
      if (!*stored)
        return make_error(
            store_error(StoreError{StoreErrorCode::corrupt, batch_name(BatchNumber(m)) + " is missing"}));
      auto befores = decode_change_befores((*stored)->changes);
      if (!befores)
        return make_error(store_error(
            StoreError{StoreErrorCode::corrupt, batch_name(BatchNumber(m)) + " has a malformed diff"}));
      entries += befores->size();
      if (entries > max_changes)
        return make_error(
            HistoryError{HistoryErrorCode::too_deep,
                         "the batches after " + batch_name(h.at.number) + " changed accounts more than " +
                             std::to_string(max_changes) +
                             " times (the limit, http.max_history_changes): ask for a later batch",
                         std::nullopt});
      // The earliest batch after n that changed an account holds its value at n.
      for (const ChangeBefore& c : *befores) {
        if (known(c.index) || !seen.insert(c.index.value()).second) continue;
        if (!c.before && (!size_at || c.index.value() < *size_at)) size_at = c.index.value();
        added.push_back(c);
      }
    }
    std::sort(added.begin(), added.end(),
              [](const ChangeBefore& a, const ChangeBefore& b) { return a.index < b.index; });
    const auto mid = static_cast<std::ptrdiff_t>(h.before.size());
    h.before.insert(h.before.end(), added.begin(), added.end());
    std::inplace_merge(h.before.begin(), h.before.begin() + mid, h.before.end(),
                       [](const ChangeBefore& a, const ChangeBefore& b) { return a.index < b.index; });
    h.head = *head;
    h.entries = entries;
    h.size_at = size_at;
    return {};
  }();
  db.rollback();
  return out;
}

HistoricalRead::HistoricalRead(const History& history, AccountIndex index, std::optional<PublicKey> key,
                               bool with_proof)
    : history_(history), index_(index), key_(key), with_proof_(with_proof) {
  computed_.resize(kMerkleDepth + 1);
  fetch_pos_.resize(kMerkleDepth);
  for (const ChangeBefore& c : history.before) computed_[0].push_back(c.index.value());
  for (int h = 0; h < kMerkleDepth; ++h) {
    const auto& level = computed_[static_cast<std::size_t>(h)];
    auto& fetch = fetch_pos_[static_cast<std::size_t>(h)];
    auto& parents = computed_[static_cast<std::size_t>(h) + 1];
    for (std::size_t k = 0; k < level.size(); ++k) {
      const std::uint64_t p = level[k];
      const bool pair_complete = (p % 2 == 0) && k + 1 < level.size() && level[k + 1] == p + 1;
      if (pair_complete) {
        ++k;
      } else if (!find_sorted(level, p ^ 1u)) {
        fetch.push_back(p ^ 1u);  // ascending: one per pair, pairs in order
      }
      parents.push_back(p >> 1);
    }
    if (with_proof_) {
      const std::uint64_t sibling = (std::uint64_t{index.value()} >> h) ^ 1u;
      if (!find_sorted(level, sibling) && !find_sorted(fetch, sibling))
        fetch.insert(std::lower_bound(fetch.begin(), fetch.end(), sibling), sibling);
    }
  }
}

bool HistoricalRead::gather(const DurableView& view) {
  if (view.head() != history_.head) return false;
  const std::uint32_t size_now = view.size();
  size_at_ = history_.size_at.value_or(size_now);
  if (size_at_ > size_now) return false;
  current_.reset();
  if (view.contains(index_)) current_ = view.at(index_);
  // A public key resolved to index_ before this read must still own it.
  if (key_ && (!current_ || current_->pubkey != *key_)) return false;
  keys_.clear();
  keys_.reserve(history_.before.size());
  for (const ChangeBefore& c : history_.before) {
    if (c.before && !view.contains(c.index)) return false;
    keys_.push_back(c.before ? view.at(c.index).pubkey : PublicKey());
  }
  fetched_.assign(kMerkleDepth, {});
  for (int h = 0; h < kMerkleDepth; ++h) {
    const auto& pos = fetch_pos_[static_cast<std::size_t>(h)];
    auto& out = fetched_[static_cast<std::size_t>(h)];
    out.reserve(pos.size());
    for (std::uint64_t p : pos) out.push_back(view.node(h, p));
  }
  return true;
}

Result<HistoricalAccount, HistoryError> HistoricalRead::finish() const {
  const BatchHeader& at = history_.at;
  // The hashes at n of the computed positions, level by level from the leaves.
  std::vector<std::vector<Hash32>> values(kMerkleDepth + 1);
  values[0].reserve(history_.before.size());
  for (std::size_t k = 0; k < history_.before.size(); ++k) {
    const ChangeBefore& c = history_.before[k];
    if (!c.before) {
      values[0].push_back(empty_subtree_hash(0));
      continue;
    }
    Account a = *c.before;
    a.pubkey = keys_[k];
    values[0].push_back(account_leaf_hash(a));
  }
  auto node_at = [&](int h, std::uint64_t pos) -> Hash32 {
    const auto hs = static_cast<std::size_t>(h);
    if (auto k = find_sorted(computed_[hs], pos)) return values[hs][*k];
    auto k = find_sorted(fetch_pos_[hs], pos);
    L2_ASSERT(k.has_value());
    return fetched_[hs][*k];
  };
  for (int h = 0; h < kMerkleDepth; ++h) {
    const auto& parents = computed_[static_cast<std::size_t>(h) + 1];
    auto& out = values[static_cast<std::size_t>(h) + 1];
    out.reserve(parents.size());
    for (std::uint64_t p : parents) out.push_back(hash_node(node_at(h, 2 * p), node_at(h, 2 * p + 1)));
  }
  const Hash32 root = values[kMerkleDepth].empty() ? history_.head.state_root : values[kMerkleDepth][0];
  const std::string span = "batches " + std::to_string(at.number.value() + 1) + " to " +
                           std::to_string(history_.head.number.value());
  if (root != at.state_root)
    return make_error(HistoryError{HistoryErrorCode::root_mismatch,
                                   "the diffs of " + span + " do not lead back to " + batch_name(at.number) +
                                       "'s state root " + at.state_root.hex() + " (they give " + root.hex() +
                                       ")",
                                   std::nullopt});

  HistoricalAccount out{index_, std::nullopt, at, std::nullopt};
  if (index_.value() >= size_at_) return out;
  if (auto k = find_sorted(computed_[0], index_.value())) {
    const ChangeBefore& c = history_.before[*k];
    if (!c.before) return out;  // cannot happen below size_at_; treated as absent
    Account a = *c.before;
    a.pubkey = keys_[*k];
    out.account = a;
  } else {
    out.account = current_;
  }
  if (!out.account) return out;
  if (with_proof_) {
    MerkleProof proof;
    proof.index = index_;
    for (int h = 0; h < kMerkleDepth; ++h)
      proof.siblings[static_cast<std::size_t>(h)] = node_at(h, (std::uint64_t{index_.value()} >> h) ^ 1u);
    if (!verify_merkle_proof(at.state_root, account_leaf_hash(*out.account), proof))
      return make_error(HistoryError{HistoryErrorCode::root_mismatch,
                                     "the proof of account " + std::to_string(index_.value()) + " as of " +
                                         batch_name(at.number) + " does not verify against its root",
                                     std::nullopt});
    out.proof = proof;
  }
  return out;
}

}  // namespace l2::rollup
