// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
#include "settlement/batch_txs.hpp"

#include <utility>
#include <variant>

namespace l2::settlement {

rollup::Tx deposit_tx(const QueuedDeposit& d) {
  return rollup::Deposit{d.index, d.account, d.recipient, d.amount};
}

Result<std::vector<rollup::Tx>, std::string> batch_txs(const BatchOrigin& origin,
                                                       std::span<const QueuedDeposit> deposits,
                                                       std::span<const QueuedForced> forced,
                                                       std::vector<rollup::Tx> user_txs) {
  if (deposits.size() != origin.deposit_count())
    return make_error("the batch consumes " + std::to_string(origin.deposit_count()) + " deposits, not " +
                      std::to_string(deposits.size()));
  if (forced.size() != origin.forced_count())
    return make_error("the batch consumes " + std::to_string(origin.forced_count()) + " forced txs, not " +
                      std::to_string(forced.size()));
  std::vector<rollup::Tx> out;
  out.reserve(deposits.size() + forced.size() + user_txs.size());
  std::uint64_t next = origin.deposits_from.value();
  for (const auto& d : deposits) {
    if (d.index.value() != next)
      return make_error("deposit queue entry " + std::to_string(d.index.value()) + " where " +
                        std::to_string(next) + " belongs");
    ++next;
    out.push_back(deposit_tx(d));
  }
  next = origin.forced_from.value();
  for (const auto& f : forced) {
    if (f.index.value() != next)
      return make_error("forced queue entry " + std::to_string(f.index.value()) + " where " +
                        std::to_string(next) + " belongs");
    if (std::holds_alternative<rollup::Deposit>(f.tx))
      return make_error("forced queue entry " + std::to_string(f.index.value()) +
                        " is a deposit, which can't be forced");
    ++next;
    out.push_back(f.tx);
  }
  for (auto& tx : user_txs) out.push_back(std::move(tx));
  return out;
}

TxPlace locate(const BatchOrigin& origin, std::uint64_t position) {
  const std::uint64_t deposits = origin.deposit_count();
  if (position < deposits) return {TxSource::deposit, origin.deposits_from.value() + position};
  position -= deposits;
  const std::uint64_t forced = origin.forced_count();
  if (position < forced) return {TxSource::forced, origin.forced_from.value() + position};
  return {TxSource::user, position - forced};
}

}  // namespace l2::settlement
