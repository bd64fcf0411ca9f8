// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
#include "settlement/one_step.hpp"

#include <algorithm>

#include "rollup/stf.hpp"
#include "settlement/batch_txs.hpp"
#include "settlement/payload.hpp"

namespace l2::settlement {

namespace {

// The sender of a payload tx (a transfer or a withdrawal) and where its nonce is.
Nonce* nonce_of(rollup::Tx& tx, AccountIndex& sender) {
  if (auto* t = std::get_if<rollup::Transfer>(&tx)) {
    sender = t->from;
    return &t->nonce;
  }
  if (auto* w = std::get_if<rollup::Withdraw>(&tx)) {
    sender = w->from;
    return &w->nonce;
  }
  return nullptr;
}

}  // namespace

Result<NamedTxs, std::string> name_txs(const Commitment& c, const BatchOrigin& origin,
                                       std::span<const QueuedDeposit> deposits,
                                       std::span<const QueuedForced> forced) {
  const CommitmentHeader& h = c.header;
  if (payload_hash(c.payload) != h.payload_hash)
    return make_error("batch " + std::to_string(h.batch.value()) +
                      ": the payload does not hash to payload_hash");
  auto payload = open_payload(c.payload);
  if (!payload)
    return make_error("batch " + std::to_string(h.batch.value()) + ": the payload does not decode (" +
                      std::string(to_string(payload.error().code)) + ": " + payload.error().message + ")");
  if (payload->size() != h.applied_txs)
    return make_error("batch " + std::to_string(h.batch.value()) + ": the payload holds " +
                      std::to_string(payload->size()) + " txs, not applied_txs " +
                      std::to_string(h.applied_txs));
  if (origin.deposits_upto != h.deposits_upto || origin.forced_upto != h.forced_upto)
    return make_error("batch " + std::to_string(h.batch.value()) +
                      ": the queue range is not the commitment's");
  NamedTxs out;
  out.rollup_id = h.rollup_id;
  out.queued = static_cast<std::size_t>(origin.deposit_count() + origin.forced_count());
  auto txs = batch_txs(origin, deposits, forced, std::move(*payload));
  if (!txs) return make_error("batch " + std::to_string(h.batch.value()) + ": " + txs.error());
  out.txs = std::move(*txs);
  return out;
}

Result<StepOutcome, std::string> one_step(const NamedTxs& named, std::uint64_t k, const Hash32& agreed_root,
                                          const rollup::TxWitness& witness) {
  if (k == 0 || k > named.txs.size())
    return make_error("position " + std::to_string(k) + " is not one of the batch's 1.." +
                      std::to_string(named.txs.size()));
  const std::size_t at = static_cast<std::size_t>(k - 1);
  rollup::Tx tx = named.txs[at];
  const bool from_payload = at >= named.queued;
  if (from_payload) {
    AccountIndex sender;
    Nonce* nonce = nonce_of(tx, sender);
    if (nonce == nullptr)
      return StepOutcome{std::nullopt, "a payload tx that is not a transfer or a withdrawal"};
    const auto& indices = witness.proof.indices;
    const auto it = std::find(indices.begin(), indices.end(), sender);
    if (it == indices.end() || !witness.leaves[static_cast<std::size_t>(it - indices.begin())])
      return StepOutcome{std::nullopt,
                         "the witness does not hold the sender's account " + std::to_string(sender.value())};
    *nonce = witness.leaves[static_cast<std::size_t>(it - indices.begin())]->nonce;
  }
  auto step = rollup::execute_step(agreed_root, named.rollup_id, tx, witness, rollup::SigCheck::unchecked);
  if (!step) return StepOutcome{std::nullopt, "the witness: " + std::string(rollup::to_string(step.error()))};
  if (from_payload && step->receipt.status != rollup::TxStatus::applied)
    return StepOutcome{std::nullopt, "payload tx " + std::to_string(at - named.queued) + " does not apply (" +
                                         std::string(rollup::to_string(step->receipt.status)) + ")"};
  return StepOutcome{step->post_root, {}};
}

DerivedTrace derived_trace(const NamedTxs& named, const rollup::State& pre_state) {
  DerivedTrace out;
  out.txs = named.txs;
  if (named.queued < out.txs.size()) {
    rollup::OverlayState after_queues(pre_state);
    for (std::size_t i = 0; i < named.queued; ++i)
      (void)rollup::apply_tx(after_queues, named.rollup_id, out.txs[i]);
    std::vector<rollup::Tx> payload(out.txs.begin() + static_cast<std::ptrdiff_t>(named.queued),
                                    out.txs.end());
    fill_nonces(payload, after_queues);
    std::move(payload.begin(), payload.end(), out.txs.begin() + static_cast<std::ptrdiff_t>(named.queued));
  }
  out.trace = rollup::trace_batch(pre_state, named.rollup_id, out.txs);
  return out;
}

}  // namespace l2::settlement
