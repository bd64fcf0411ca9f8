// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// BatchLog: what the settlement side reads of the rollup — its durable batches, in
// order. It is the boundary between the sequencer node (which produces batches) and the
// settlement component (settler.hpp), which posts them and follows the base chain: the
// settlement side never calls into the node, it reads what is durable.
//
// StoreBatchLog reads the rollup database through its own read-only StateStore handle
// (SQLite WAL: it sees every committed batch, never a half-written one), so whatever a
// crash leaves on disk is exactly what it has ever shown.
//
// Thread safety: BatchLog implementations are safe to call from any thread.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "common/result.hpp"
#include "common/types.hpp"
#include "rollup/state_store.hpp"

namespace l2::settlement {

class BatchLog {
 public:
  virtual ~BatchLog() = default;
  // The latest durable batch (0: genesis only).
  virtual Result<BatchNumber, std::string> durable_head() = 0;
  // Durable batch n, or nullopt when there is none (n > head, or rolled back).
  virtual Result<std::optional<rollup::StoredBatch>, std::string> batch(BatchNumber n) = 0;
  // The state as of durable batch n (after it), checked against n's stored root: what a
  // dispute's trace of batch n + 1 starts from. O(accounts) time and memory, on demand.
  virtual Result<rollup::State, std::string> state_at(BatchNumber n) = 0;
};

class StoreBatchLog final : public BatchLog {
 public:
  // Opens the database at options.path (created with genesis if missing, like the
  // engine does: whoever opens it first creates it).
  static Result<std::unique_ptr<StoreBatchLog>, std::string> open(const rollup::StoreOptions& options);

  Result<BatchNumber, std::string> durable_head() override;
  Result<std::optional<rollup::StoredBatch>, std::string> batch(BatchNumber n) override;
  Result<rollup::State, std::string> state_at(BatchNumber n) override;

 private:
  explicit StoreBatchLog(std::unique_ptr<rollup::StateStore> store) : store_(std::move(store)) {}
  std::mutex mutex_;
  std::unique_ptr<rollup::StateStore> store_;  // GUARDED_BY(mutex_)
};

}  // namespace l2::settlement
