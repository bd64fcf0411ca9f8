// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// The mempool: txs accepted at ingest and not yet in a durable batch. A tx is first
// *queued*; the batcher *takes* it into a batch (it is then *in flight*), and once that
// batch is durable the node *completes* it and it leaves the mempool. Queued and
// in-flight txs both count towards the bound and both block a second tx with the same
// hash (duplicate) or the same sender and nonce (nonce_in_use).
//
// Ordering: txs are taken in arrival order, except that a sender's txs go in nonce
// order: a tx whose nonce is ahead of the sender's next nonce is *held* until the gap is
// filled (then it follows its predecessor into the same batch), or dropped once it has
// waited max_hold_ms. The bound on nonces ahead (max_ahead) is checked against the
// sender's executed nonce (after every batch submitted so far), which the caller passes in.
//
// Not thread-safe: the node guards it with its mutex. Limitations: take() walks the
// queue from the oldest tx, so held txs are visited again by every batch (they are
// bounded by max_txs, and by max_ahead per sender).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/bytes.hpp"
#include "common/types.hpp"
#include "rollup/stf.hpp"
#include "rollup/tx.hpp"
#include "sequencer/config.hpp"

namespace l2::sequencer {

using Clock = std::chrono::steady_clock;

struct PendingTx {
  rollup::Tx tx;  // a transfer or withdrawal
  Hash32 hash;
  rollup::SigCheck sig = rollup::SigCheck::unchecked;
  Clock::time_point arrival;
};

enum class AddResult : std::uint8_t {
  added,
  duplicate,
  nonce_too_low,
  nonce_too_high,
  nonce_in_use,
  mempool_full
};

class Mempool {
 public:
  explicit Mempool(const MempoolOptions& options) : options_(options) {}

  // Checks, in this order: duplicate hash, nonce below `account_nonce` (the sender's
  // executed nonce), nonce more than max_ahead above it, another tx of the sender with
  // this nonce, the bound. Adds the tx only if all pass.
  AddResult add(PendingTx tx, Nonce account_nonce);

  // Takes up to `max` queued txs for the next batch, in arrival order, each sender's in
  // nonce order starting at nonce_of(sender) (its nonce after every batch submitted so
  // far). Txs below that nonce are taken too (they will fail with bad_nonce); txs above
  // it stay held.
  std::vector<PendingTx> take(std::size_t max, const std::function<Nonce(AccountIndex)>& nonce_of);

  // Forgets in-flight txs whose batch is durable (or failed).
  void complete(std::span<const Hash32> hashes);

  // Removes and returns the queued txs that arrived at or before now - max_hold_ms.
  std::vector<PendingTx> expire(Clock::time_point now);

  // Removes a queued (not in-flight) tx: another's batch holds it (a catch-up). False if
  // there is none.
  bool remove_queued(const Hash32& hash);

  // Removes and returns every queued tx (on shutdown, once nothing more can be batched).
  std::vector<PendingTx> clear_queued();

  [[nodiscard]] const PendingTx* find(const Hash32& hash) const;
  [[nodiscard]] std::size_t size() const { return by_hash_.size(); }  // queued + in flight
  [[nodiscard]] std::size_t queued() const { return queue_.size(); }
  [[nodiscard]] const MempoolOptions& options() const { return options_; }

 private:
  struct Entry {
    PendingTx tx;
    AccountIndex sender;
    Nonce nonce;
    std::uint64_t seq = 0;
    bool in_flight = false;
  };
  using SenderNonce = std::pair<std::uint32_t, std::uint64_t>;

  void erase_entry(const Hash32& hash);

  MempoolOptions options_;
  std::unordered_map<Hash32, Entry, FixedBytesHasher> by_hash_;
  std::map<SenderNonce, Hash32> by_sender_nonce_;  // queued and in flight
  std::map<std::uint64_t, Hash32> queue_;          // queued only, by arrival
  std::uint64_t next_seq_ = 0;
};

// Sender and nonce of a transfer or withdrawal (a deposit has neither: {0, 0}).
std::pair<AccountIndex, Nonce> sender_and_nonce(const rollup::Tx& tx);

}  // namespace l2::sequencer
