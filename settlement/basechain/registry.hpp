// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// The rollup registry module: register_rollup (kind 2) records a rollup id, its
// sequencer key (the sender), operator key, genesis root, challenge window, inclusion
// deadline and dispute terms (bond, clock), once. Every other rollup module builds on it (requires
// "registry").
//
// Its table `rollups` also holds, in the columns the first schema shipped with, the
// bridge's queue lengths and locked total of each rollup; the bridge writes them with
// write_bridge_totals(), nothing else does.
//
// Queries take a ChainView or the Store of a TxContext, under the chain's lock.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "common/types.hpp"
#include "settlement/basechain/chain.hpp"
#include "settlement/basechain/module.hpp"

namespace l2::settlement::registry {

inline constexpr std::string_view kName = "registry";

inline constexpr Refusal kUnknownRollup{"unknown_rollup"};  // no rollup registered under that id
inline constexpr Refusal kRollupExists{"rollup_exists"};    // register_rollup: the id is taken
// register_rollup: deadline or dispute clock 0, or a window, deadline or clock over
// kMaxWindowSeconds
inline constexpr Refusal kBadWindow{"bad_window"};

struct RollupRow {
  PublicKey sequencer;
  PublicKey operator_key;
  Hash32 genesis_root;
  ChainDuration challenge_window_s;
  ChainDuration inclusion_deadline_s;
  std::uint64_t deposit_count = 0;  // the bridge's
  std::uint64_t forced_count = 0;   // the bridge's
  Amount locked;                    // the bridge's
  ChainTime registered_at;
  Hash32 tx_hash;
  DisputeTerms disputes;  // the disputes module's (bond, each side's clock)
};

Result<std::optional<RollupRow>, ChainError> read_rollup(Store& store, ChainId id);
// As read_rollup, but an unknown rollup is refused (kUnknownRollup).
Result<RollupRow, ChainError> require_rollup(Store& store, ChainId id);
// The bridge's columns of the row: locked, deposit_count, forced_count.
Status<ChainError> write_bridge_totals(Store& store, ChainId id, const RollupRow& row);

std::string id_str(ChainId id);

std::shared_ptr<Module> module();

}  // namespace l2::settlement::registry
