// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// The whole-store check behind `sequencerd --verify` (docs/storage.md, "Row checks").
// It reads every batch row (each read checks the row's hashes), executes every batch's
// txs again from genesis with the state transition function, and compares what that
// gives with what is stored: receipts, applied count, account changes, state root and
// withdrawal witnesses. At the end the state the store loads (the accounts table plus
// the changes after the checkpoint) must be the state the replay reached, and every
// rolled_back_txs row must hash to its hash. The first mismatch is the answer, naming
// the batch; nothing is written.
//
// The store must not be written while this runs (sequencerd --verify holds the data
// dir's lock).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "common/thread_pool.hpp"
#include "common/types.hpp"
#include "rollup/state_store.hpp"

namespace l2::rollup {

struct VerifyOptions {
  ThreadPool* pool = nullptr;  // executes and hashes on these threads; null: the caller's only
  // Called after each batch (done, head): progress for a long check.
  std::function<void(BatchNumber, BatchNumber)> progress;
  // The owner's check of a batch's origin record, which the store does not interpret
  // (the sequencer's settlement record); an error message, or nullopt when it is fine.
  std::function<std::optional<std::string>(const StoredBatch&)> check_origin;
};

struct VerifyReport {
  BatchNumber head;
  BatchNumber checkpoint;
  std::uint64_t txs = 0;      // in batches 1..head
  std::uint64_t applied = 0;  // of which applied
  std::uint32_t accounts = 0;
  std::uint64_t without_witnesses = 0;  // batches written before witnesses were recorded
  std::size_t rolled_back_txs = 0;
};

Result<VerifyReport, StoreError> verify_store(StateStore& store, ChainId chain, const PublicKey& operator_key,
                                              const VerifyOptions& options = {});

}  // namespace l2::rollup
