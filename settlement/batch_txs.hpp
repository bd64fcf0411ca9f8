// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// The derived tx list of a batch: the one order in which a committed batch's txs are
// executed, and so the one list that everyone who indexes a batch's txs uses (the
// sequencer when it builds a batch, the deriver when it re-executes one, and the dispute
// game when it names the tx at a position):
//
//   position 0 ..                the deposits   [origin.deposits_from, origin.deposits_upto)
//                                of the bridge's deposit queue, in queue order;
//   then                         the forced txs [origin.forced_from, origin.forced_upto)
//                                of the forced-tx queue, in queue order;
//   then                         the payload's user txs, in payload order.
//
// A queued deposit becomes the rollup tx Deposit{deposit_id = its queue index, to_index =
// the account the bridge assigned, to = recipient, amount} (docs/encoding.md, 2.2).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "rollup/tx.hpp"
#include "settlement/basechain/client.hpp"
#include "settlement/commitment.hpp"

namespace l2::settlement {

// The rollup tx of a queued deposit.
rollup::Tx deposit_tx(const QueuedDeposit& d);

// Builds the list from the queue entries a batch consumes and its user txs. Refuses
// (with the reason) entries that are not the ones `origin` names: a count that differs,
// an index out of order, or a deposit in the forced queue.
Result<std::vector<rollup::Tx>, std::string> batch_txs(const BatchOrigin& origin,
                                                       std::span<const QueuedDeposit> deposits,
                                                       std::span<const QueuedForced> forced,
                                                       std::vector<rollup::Tx> user_txs);

// Where the tx at `position` of the list comes from.
enum class TxSource : std::uint8_t { deposit, forced, user };
struct TxPlace {
  TxSource source = TxSource::user;
  // The queue index (deposit or forced queue), or the index in the payload.
  std::uint64_t index = 0;
  friend bool operator==(const TxPlace&, const TxPlace&) = default;
};
// For any position: past the queues it is a user tx (whether the payload has that many
// is the caller's check).
TxPlace locate(const BatchOrigin& origin, std::uint64_t position);

}  // namespace l2::settlement
