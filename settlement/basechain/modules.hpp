// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// The base chain's native modules (docs/basechain.md, "Modules"), everything keyed by
// rollup id so that several rollups settle to one chain:
//
//   registry     register_rollup (kind 2): a rollup id, its sequencer key (the sender),
//                operator key, genesis root, challenge window and inclusion deadline.
//   bridge       deposit (3), force_tx (4), finalize_withdrawal (6): the deposit and
//                forced-tx queues that commitments must consume in time, the funds
//                locked for each rollup, and withdrawals proven against final roots.
//   commitments  commit_batch (5): the chain of commitments per rollup (optimistic mode)
//                and their finality.
//
// A commitment is final when chain time >= posted_at + challenge_window_s, no dispute on
// it or on an earlier batch is open, and its predecessor is final. Disputes do not exist
// yet: first_disputed_batch() is the seam where the dispute game will plug in (it
// answers "none" today), and register it like the modules here (builtin_modules(), a
// migration step in kModuleMigrations, a Refusal per new rule).
//
// Queries take a ChainView (BaseChain::read runs them under the chain's lock).
// Modules are stateless; see Module in chain.hpp.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "common/result.hpp"
#include "common/types.hpp"
#include "rollup/tx.hpp"
#include "settlement/basechain/chain.hpp"
#include "settlement/commitment.hpp"

namespace l2::settlement {

// Windows and deadlines longer than this are refused (bad_window): they would make
// timestamps overflow, and no one means a century.
inline constexpr std::uint64_t kMaxWindowSeconds = 100ull * 366 * 24 * 3600;

// Schema steps of the modules' tables: step i takes user_version i to i + 1, run right
// after the core's step i (chain.cpp). Never edit a shipped step; append one.
std::span<const char* const> module_migrations();

// The modules a chain runs, in registration order (each claims its kinds).
std::vector<std::unique_ptr<Module>> builtin_modules();

struct RollupEntry {
  ChainId rollup_id;
  PublicKey sequencer;
  PublicKey operator_key;
  Hash32 genesis_root;
  std::uint64_t challenge_window_s = 0;
  std::uint64_t inclusion_deadline_s = 0;
  std::uint64_t deposit_count = 0;
  std::uint64_t forced_count = 0;
  BatchNumber last_batch;  // 0: nothing committed
  Hash32 last_root;        // genesis_root while nothing is committed
  BatchNumber last_final;  // 0: nothing final
  Amount locked;
  std::int64_t registered_at = 0;
  Hash32 tx_hash;
};

struct DepositEntry {
  std::uint64_t index = 0;
  PublicKey recipient;
  Amount amount;
  std::int64_t timestamp = 0;  // chain time when it was queued
  Hash32 tx_hash;
};

struct ForcedEntry {
  std::uint64_t index = 0;
  rollup::Tx tx;
  std::int64_t timestamp = 0;
  Hash32 tx_hash;
};

struct CommitmentEntry {
  Commitment commitment;  // payload empty unless asked for
  std::int64_t posted_at = 0;
  Hash32 tx_hash;
  std::optional<BlockNumber> block;  // nullopt while its tx is pending
  bool is_final = false;
  std::int64_t final_at = 0;  // posted_at + challenge window (the earliest; disputes may delay it)
};

// The lowest batch of `rollup` under an open dispute: it and every later batch are not
// final. Always nullopt until the dispute game exists.
Result<std::optional<BatchNumber>, ChainError> first_disputed_batch(const ChainView& view, ChainId rollup);

Result<std::optional<RollupEntry>, ChainError> find_rollup(const ChainView& view, ChainId rollup);
// Queue entries [from, from + limit) that exist; empty for an unknown rollup.
Result<std::vector<DepositEntry>, ChainError> list_deposits(const ChainView& view, ChainId rollup,
                                                            std::uint64_t from, std::uint32_t limit);
Result<std::vector<ForcedEntry>, ChainError> list_forced(const ChainView& view, ChainId rollup,
                                                         std::uint64_t from, std::uint32_t limit);

struct CommitmentQuery {
  ChainId rollup_id;
  BatchNumber batch;
  bool with_payload = false;
};
Result<std::optional<CommitmentEntry>, ChainError> find_commitment(const ChainView& view,
                                                                   const CommitmentQuery& q);
// What the bridge has paid out so far to `account` from `rollup`.
Result<Amount, ChainError> withdrawn_total(const ChainView& view, ChainId rollup, const PublicKey& account);

}  // namespace l2::settlement
