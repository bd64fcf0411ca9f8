// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers

#include "settlement/chain_batch.hpp"

#include <algorithm>
#include <iterator>
#include <utility>
#include <vector>

namespace l2::settlement {

namespace {

// Queue entries [from, upto) in pages of at most `limit`; `read(at, want)` reads a page.
template <class Entry, class Position, class Read>
Result<std::vector<Entry>, std::string> read_range(Position from, Position upto, std::uint32_t limit,
                                                   const Read& read) {
  std::vector<Entry> out;
  for (Position at = from; at < upto;) {
    const auto want = static_cast<std::uint32_t>(
        std::min<std::uint64_t>(std::max<std::uint32_t>(limit, 1), upto.value() - at.value()));
    auto page = read(at, want);
    if (!page) return make_error(page.error().message);
    if (page->empty()) return make_error(std::string("the queue ends early"));
    at = Position(at.value() + page->size());
    out.insert(out.end(), std::make_move_iterator(page->begin()), std::make_move_iterator(page->end()));
  }
  return out;
}

}  // namespace

Result<ChainBatch, std::string> read_chain_batch(BaseChainClient& client, ChainId rollup_id,
                                                 BatchNumber batch, std::uint32_t fetch_limit) {
  const std::string what = "batch " + std::to_string(batch.value());
  auto rec = client.commitment(rollup_id, batch, true);
  if (!rec) return make_error(what + ": " + rec.error().message);
  if (!*rec) return make_error(what + " is not committed");
  ChainBatch out;
  out.record = std::move(**rec);
  const CommitmentHeader& h = out.record.commitment.header;
  // The queue range it consumed starts where the previous commitment's ended.
  out.origin.deposits_upto = h.deposits_upto;
  out.origin.forced_upto = h.forced_upto;
  if (batch.value() > 1) {
    auto prev = client.commitment(rollup_id, BatchNumber(batch.value() - 1), false);
    if (!prev) return make_error(what + ": the previous commitment: " + prev.error().message);
    if (!*prev) return make_error(what + ": the previous commitment is not on the chain");
    out.origin.deposits_from = (*prev)->commitment.header.deposits_upto;
    out.origin.forced_from = (*prev)->commitment.header.forced_upto;
  }
  auto deposits = read_range<QueuedDeposit>(
      out.origin.deposits_from, out.origin.deposits_upto, fetch_limit,
      [&](DepositPosition at, std::uint32_t want) { return client.deposits(rollup_id, at, want); });
  if (!deposits) return make_error(what + ": deposits: " + deposits.error());
  auto forced = read_range<QueuedForced>(
      out.origin.forced_from, out.origin.forced_upto, fetch_limit,
      [&](ForcedPosition at, std::uint32_t want) { return client.forced(rollup_id, at, want); });
  if (!forced) return make_error(what + ": forced txs: " + forced.error());
  auto named = name_txs(out.record.commitment, out.origin, *deposits, *forced);
  if (named) {
    out.named = std::move(*named);
  } else {
    out.named_error = named.error();
  }
  return out;
}

}  // namespace l2::settlement
