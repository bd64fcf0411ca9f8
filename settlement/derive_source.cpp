// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// BaseChainSource (derive.hpp): derivation's reads over basechaind's JSON-RPC client. In
// a file of its own so that linking the deriver alone (tests, benchmarks with a
// MemorySource) does not pull in the client.
#include "settlement/derive.hpp"

namespace l2::settlement {

namespace {
std::string rpc_message(const RpcError& e) {
  std::string m =
      e.unreachable() ? "base chain unreachable: " : "base chain error " + std::to_string(e.code) + ": ";
  m += e.message;
  if (!e.reason.empty()) m += " (" + e.reason + ")";
  return m;
}
}  // namespace

Result<RollupInfo, std::string> BaseChainSource::rollup() {
  auto r = client_.rollup(rollup_id_);
  if (!r) return make_error(rpc_message(r.error()));
  if (!r->has_value())
    return make_error("rollup " + std::to_string(rollup_id_.value()) + " is not registered");
  return **r;
}

Result<std::vector<QueuedDeposit>, std::string> BaseChainSource::deposits(DepositPosition from,
                                                                          std::uint32_t limit) {
  auto r = client_.deposits(rollup_id_, from, limit);
  if (!r) return make_error(rpc_message(r.error()));
  return std::move(*r);
}

Result<std::vector<QueuedForced>, std::string> BaseChainSource::forced(ForcedPosition from,
                                                                       std::uint32_t limit) {
  auto r = client_.forced(rollup_id_, from, limit);
  if (!r) return make_error(rpc_message(r.error()));
  return std::move(*r);
}

Result<std::optional<CommitmentRecord>, std::string> BaseChainSource::commitment(BatchNumber batch,
                                                                                 bool with_payload) {
  auto r = client_.commitment(rollup_id_, batch, with_payload);
  if (!r) return make_error(rpc_message(r.error()));
  return std::move(*r);
}

}  // namespace l2::settlement
