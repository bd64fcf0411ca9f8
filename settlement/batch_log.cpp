// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
#include "settlement/batch_log.hpp"

namespace l2::settlement {

Result<std::unique_ptr<StoreBatchLog>, std::string> StoreBatchLog::open(const rollup::StoreOptions& options) {
  auto store = rollup::StateStore::open(options);
  if (!store)
    return make_error("cannot open the rollup database " + options.path + ": " + store.error().message);
  return std::unique_ptr<StoreBatchLog>(new StoreBatchLog(std::move(*store)));
}

Result<BatchNumber, std::string> StoreBatchLog::durable_head() {
  std::lock_guard lock(mutex_);
  auto h = store_->head();
  if (!h) return make_error("cannot read the latest batch: " + h.error().message);
  return h->number;
}

Result<std::optional<rollup::StoredBatch>, std::string> StoreBatchLog::batch(BatchNumber n) {
  std::lock_guard lock(mutex_);
  auto b = store_->batch(n);
  if (!b) return make_error("cannot read batch " + std::to_string(n.value()) + ": " + b.error().message);
  return std::move(*b);
}

}  // namespace l2::settlement
