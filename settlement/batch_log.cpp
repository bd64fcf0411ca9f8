// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
#include "settlement/batch_log.hpp"

#include "rollup/trace.hpp"

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

Result<rollup::State, std::string> StoreBatchLog::state_at(BatchNumber n) {
  std::lock_guard lock(mutex_);
  const std::string at = "the state as of batch " + std::to_string(n.value());
  auto header = store_->header(n);
  if (!header) return make_error("cannot read " + at + ": " + header.error().message);
  if (!*header) return make_error("cannot read " + at + ": no such batch");
  auto state = store_->state_at(n);
  if (!state) return make_error("cannot read " + at + ": " + state.error().message);
  const Hash32 root = rollup::build_tree(*state).root();
  if (root != (*header)->state_root)
    return make_error(at + " hashes to " + root.hex() + ", not to its stored root " +
                      (*header)->state_root.hex() + " (a damaged diff, or a rollback in between: ask again)");
  return std::move(*state);
}

}  // namespace l2::settlement
