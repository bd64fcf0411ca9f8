// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
#include "sequencer/mempool.hpp"

#include <unordered_map>

#include "common/assert.hpp"

namespace l2::sequencer {

std::pair<AccountIndex, Nonce> sender_and_nonce(const rollup::Tx& tx) {
  if (const auto* t = std::get_if<rollup::Transfer>(&tx)) return {t->from, t->nonce};
  if (const auto* w = std::get_if<rollup::Withdraw>(&tx)) return {w->from, w->nonce};
  return {AccountIndex(0), Nonce(0)};
}

AddResult Mempool::add(PendingTx tx, Nonce account_nonce) {
  if (by_hash_.contains(tx.hash)) return AddResult::duplicate;
  auto [sender, nonce] = sender_and_nonce(tx.tx);
  if (nonce < account_nonce) return AddResult::nonce_too_low;
  if (nonce.value() - account_nonce.value() > options_.max_ahead) return AddResult::nonce_too_high;
  const SenderNonce key{sender.value(), nonce.value()};
  if (by_sender_nonce_.contains(key)) return AddResult::nonce_in_use;
  if (by_hash_.size() >= options_.max_txs) return AddResult::mempool_full;
  const std::uint64_t seq = next_seq_++;
  const Hash32 hash = tx.hash;
  by_sender_nonce_.emplace(key, hash);
  queue_.emplace(seq, hash);
  by_hash_.emplace(hash, Entry{std::move(tx), sender, nonce, seq, false});
  return AddResult::added;
}

std::vector<PendingTx> Mempool::take(std::size_t max, const std::function<Nonce(AccountIndex)>& nonce_of) {
  std::vector<PendingTx> out;
  std::unordered_map<std::uint32_t, std::uint64_t> next;  // sender -> next nonce in this batch
  auto next_of = [&](AccountIndex s) -> std::uint64_t& {
    auto it = next.find(s.value());
    if (it == next.end()) it = next.emplace(s.value(), nonce_of(s).value()).first;
    return it->second;
  };
  auto it = queue_.begin();
  // Moves a queued entry into the batch; keeps `it` valid if it pointed at that entry.
  auto take_entry = [&](Entry& e) {
    if (it != queue_.end() && it->first == e.seq) {
      it = queue_.erase(it);
    } else {
      queue_.erase(e.seq);
    }
    e.in_flight = true;
    out.push_back(e.tx);
  };
  while (it != queue_.end() && out.size() < max) {
    auto found = by_hash_.find(it->second);
    L2_ASSERT(found != by_hash_.end());
    Entry& e = found->second;
    std::uint64_t& expected = next_of(e.sender);
    if (e.nonce.value() > expected) {
      ++it;  // held: its predecessor hasn't arrived (or was dropped)
      continue;
    }
    const bool in_order = e.nonce.value() == expected;
    take_entry(e);
    if (!in_order) continue;  // stale nonce: it will be rejected with bad_nonce
    ++expected;
    // Successors that arrived earlier and were held follow at once; later ones wait
    // for their turn in arrival order.
    while (out.size() < max) {
      auto succ = by_sender_nonce_.find({e.sender.value(), expected});
      if (succ == by_sender_nonce_.end()) break;
      Entry& s = by_hash_.at(succ->second);
      if (s.in_flight || (it != queue_.end() && s.seq >= it->first)) break;
      take_entry(s);
      ++expected;
    }
  }
  return out;
}

void Mempool::erase_entry(const Hash32& hash) {
  auto found = by_hash_.find(hash);
  if (found == by_hash_.end()) return;
  const Entry& e = found->second;
  if (!e.in_flight) queue_.erase(e.seq);
  auto sn = by_sender_nonce_.find({e.sender.value(), e.nonce.value()});
  if (sn != by_sender_nonce_.end() && sn->second == hash) by_sender_nonce_.erase(sn);
  by_hash_.erase(found);
}

void Mempool::complete(std::span<const Hash32> hashes) {
  for (const auto& h : hashes) {
    auto found = by_hash_.find(h);
    if (found != by_hash_.end() && found->second.in_flight) erase_entry(h);
  }
}

std::vector<PendingTx> Mempool::expire(Clock::time_point now) {
  std::vector<PendingTx> out;
  const auto hold = std::chrono::milliseconds(options_.max_hold_ms);
  while (!queue_.empty()) {
    const Hash32 hash = queue_.begin()->second;
    const Entry& e = by_hash_.at(hash);
    if (e.tx.arrival + hold > now) break;  // the queue is in arrival order
    out.push_back(e.tx);
    erase_entry(hash);
  }
  return out;
}

bool Mempool::remove_queued(const Hash32& hash) {
  auto found = by_hash_.find(hash);
  if (found == by_hash_.end() || found->second.in_flight) return false;
  erase_entry(hash);
  return true;
}

std::vector<PendingTx> Mempool::clear_queued() {
  std::vector<PendingTx> out;
  while (!queue_.empty()) {
    const Hash32 hash = queue_.begin()->second;
    out.push_back(by_hash_.at(hash).tx);
    erase_entry(hash);
  }
  return out;
}

const PendingTx* Mempool::find(const Hash32& hash) const {
  auto found = by_hash_.find(hash);
  return found == by_hash_.end() ? nullptr : &found->second.tx;
}

}  // namespace l2::sequencer
