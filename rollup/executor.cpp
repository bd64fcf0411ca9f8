// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
#include "rollup/executor.hpp"

#include <algorithm>
#include <atomic>
#include <limits>
#include <unordered_map>

#include "common/assert.hpp"

namespace l2::rollup {

namespace {

constexpr std::uint32_t kNoSlot = std::numeric_limits<std::uint32_t>::max();

std::optional<DebitView> debit_of(const Tx& tx) {
  if (const auto* t = std::get_if<Transfer>(&tx)) return debit_view(*t);
  if (const auto* w = std::get_if<Withdraw>(&tx)) return debit_view(*w);
  return std::nullopt;
}

void add_to(Account& a, std::uint64_t amount) {
  auto b = a.balance.checked_add(Amount(amount));
  L2_ASSERT(b.has_value());  // impossible while supply <= 2^64 - 1
  a.balance = *b;
}

// Everything execute() keeps per batch. Accounts the batch can touch get a dense
// "slot"; all per-account work happens on slots.
struct Scratch {
  std::vector<std::uint32_t> slot_index;  // slot -> account index (sorted)
  std::vector<Account> work;              // slot -> current value
  std::vector<std::uint32_t> from_slot;   // tx -> sender slot
  std::vector<std::uint32_t> to_slot;     // tx -> recipient slot
  std::vector<std::optional<DebitView>> debit;
  std::vector<TxStatus> status;
  std::vector<std::uint32_t> sender_mark;    // slot -> last segment it sent in (+1)
  std::vector<std::uint32_t> receiver_mark;  // slot -> last segment it received in (+1)
  std::vector<std::uint64_t> credits;        // slot -> credits summed in phase C

  [[nodiscard]] std::uint32_t slot_of(std::uint64_t index) const {
    auto it = std::lower_bound(slot_index.begin(), slot_index.end(), index);
    if (it == slot_index.end() || *it != index) return kNoSlot;
    return static_cast<std::uint32_t>(it - slot_index.begin());
  }
};

}  // namespace

PreparedBatch Executor::prepare(const State& state, ChainId chain, std::span<const Tx> txs,
                                std::span<const SigCheck> known, std::span<const Hash32> hashes) const {
  L2_ASSERT(known.empty() || known.size() == txs.size());
  L2_ASSERT(hashes.empty() || hashes.size() == txs.size());
  PreparedBatch out;
  if (hashes.empty()) {
    out.hashes.resize(txs.size());
  } else {
    out.hashes.assign(hashes.begin(), hashes.end());
  }
  out.sigs.resize(txs.size(), SigCheck::unchecked);
  pool_.parallel_for(txs.size(), 32, [&](std::size_t b, std::size_t e) {
    for (std::size_t i = b; i < e; ++i) {
      const Tx& tx = txs[i];
      auto d = debit_of(tx);
      const bool sig_known = !known.empty() && known[i] != SigCheck::unchecked;
      if (!hashes.empty() && (!d || sig_known || !state.contains(d->from))) {
        // Hash given and nothing to verify: the tx's bytes are not even encoded.
        out.sigs[i] = !d ? SigCheck::valid : (sig_known ? known[i] : SigCheck::unchecked);
        continue;
      }
      Bytes pre = signing_preimage(chain, tx);
      if (!d) {
        out.hashes[i] = blake2b256(pre);
        out.sigs[i] = SigCheck::valid;  // deposits carry no signature
        continue;
      }
      const Signature& sig = std::holds_alternative<Transfer>(tx) ? std::get<Transfer>(tx).signature
                                                                  : std::get<Withdraw>(tx).signature;
      if (hashes.empty()) out.hashes[i] = Blake2b().update(pre).update(sig.view()).finish();
      if (sig_known) {
        out.sigs[i] = known[i];
      } else if (state.contains(d->from)) {
        out.sigs[i] =
            verify_signature(state.at(d->from).pubkey, pre, sig) ? SigCheck::valid : SigCheck::invalid;
      }
    }
  });
  return out;
}

ExecutionResult Executor::execute(const State& state, ChainId chain, std::span<const Tx> txs,
                                  const PreparedBatch& prepared) const {
  const std::size_t n = txs.size();
  L2_ASSERT(prepared.hashes.size() == n && prepared.sigs.size() == n);
  Scratch s;

  // Slots: every index a tx names that could exist by then, the fee account, the
  // accounts deposits may credit, and every index a deposit may create.
  const std::uint64_t base = state.size();
  std::uint64_t deposits = 0;
  s.debit.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    s.debit[i] = debit_of(txs[i]);
    if (!s.debit[i]) ++deposits;
  }
  const std::uint64_t limit = base + deposits;
  s.slot_index.reserve(2 * n + deposits + 1);
  s.slot_index.push_back(kFeeAccount.value());
  for (std::size_t i = 0; i < n; ++i) {
    if (const auto& d = s.debit[i]) {
      if (d->from.value() < limit) s.slot_index.push_back(d->from.value());
      if (d->to && d->to->value() < limit) s.slot_index.push_back(d->to->value());
    } else if (const auto& dep = std::get<Deposit>(txs[i]); dep.to_index.value() < limit) {
      s.slot_index.push_back(dep.to_index.value());
    }
  }
  for (std::uint64_t i = base; i < limit; ++i) s.slot_index.push_back(static_cast<std::uint32_t>(i));
  std::sort(s.slot_index.begin(), s.slot_index.end());
  s.slot_index.erase(std::unique(s.slot_index.begin(), s.slot_index.end()), s.slot_index.end());
  const std::size_t slots = s.slot_index.size();
  s.work.resize(slots);
  for (std::size_t k = 0; k < slots; ++k)
    if (s.slot_index[k] < base) s.work[k] = state.at(AccountIndex(s.slot_index[k]));

  s.from_slot.assign(n, kNoSlot);
  s.to_slot.assign(n, kNoSlot);
  pool_.parallel_for(n, 256, [&](std::size_t b, std::size_t e) {
    for (std::size_t i = b; i < e; ++i)
      if (const auto& d = s.debit[i]) {
        s.from_slot[i] = s.slot_of(d->from.value());
        if (d->to) s.to_slot[i] = s.slot_of(d->to->value());
      }
  });
  s.status.assign(n, TxStatus::applied);
  s.sender_mark.assign(slots, 0);
  s.receiver_mark.assign(slots, 0);
  s.credits.assign(slots, 0);

  std::uint32_t count = state.size();  // accounts existing at the current position
  Amount supply = state.supply();
  const std::uint32_t fee_slot = 0;                           // index 0 sorts first
  std::vector<std::pair<std::uint32_t, std::uint32_t>> pure;  // (sender slot, tx)
  std::vector<std::pair<std::size_t, std::size_t>> groups;

  auto run_segment = [&](std::size_t a, std::size_t b, std::uint32_t mark) {
    // 1. Rules that don't depend on balances, in parallel.
    pool_.parallel_for(b - a, 128, [&](std::size_t lo, std::size_t hi) {
      for (std::size_t i = a + lo; i < a + hi; ++i) {
        const DebitView& d = *s.debit[i];
        auto sig_ok = [&] {
          if (prepared.sigs[i] != SigCheck::unchecked) return prepared.sigs[i] == SigCheck::valid;
          return verify_tx_signature(txs[i], chain, s.work[s.from_slot[i]].pubkey);
        };
        s.status[i] = check_static(d, count, sig_ok);
      }
    });
    // 2. Who sends and who may receive in this segment (a superset of the real
    //    receivers is safe: it only moves a sender to the ordered pass).
    bool fee_credited = false;
    for (std::size_t i = a; i < b; ++i) {
      if (s.status[i] != TxStatus::applied) continue;
      s.sender_mark[s.from_slot[i]] = mark;
      if (s.to_slot[i] != kNoSlot) s.receiver_mark[s.to_slot[i]] = mark;
      if (!s.debit[i]->fee.is_zero()) fee_credited = true;
    }
    if (fee_credited) s.receiver_mark[fee_slot] = mark;
    auto entangled = [&](std::uint32_t slot) { return s.receiver_mark[slot] == mark; };

    // 3. Phase A: senders that receive nothing here depend on no one. Group their txs
    //    by sender (batch order inside a group) and run the groups in parallel.
    pure.clear();
    for (std::size_t i = a; i < b; ++i)
      if (s.status[i] == TxStatus::applied && !entangled(s.from_slot[i]))
        pure.emplace_back(s.from_slot[i], static_cast<std::uint32_t>(i));
    std::sort(pure.begin(), pure.end());
    groups.clear();
    for (std::size_t k = 0; k < pure.size();) {
      std::size_t j = k;
      while (j < pure.size() && pure[j].first == pure[k].first) ++j;
      groups.emplace_back(k, j);
      k = j;
    }
    pool_.parallel_for(groups.size(), 64, [&](std::size_t lo, std::size_t hi) {
      for (std::size_t g = lo; g < hi; ++g) {
        Account& sender = s.work[pure[groups[g].first].first];
        for (std::size_t k = groups[g].first; k < groups[g].second; ++k) {
          std::uint32_t i = pure[k].second;
          const DebitView& d = *s.debit[i];
          s.status[i] = check_sender(d, sender);
          if (s.status[i] == TxStatus::applied) debit_sender(d, sender);
        }
      }
    });

    // 4. Phase B: one ordered pass decides the senders that also receive, adding the
    //    credits of earlier applied txs as it goes. A few integer operations per tx.
    for (std::size_t i = a; i < b; ++i) {
      if (s.status[i] != TxStatus::applied) continue;
      const DebitView& d = *s.debit[i];
      std::uint32_t from = s.from_slot[i];
      if (entangled(from)) {
        s.status[i] = check_sender(d, s.work[from]);
        if (s.status[i] != TxStatus::applied) continue;
        debit_sender(d, s.work[from]);
      }
      std::uint32_t to = s.to_slot[i];
      if (to != kNoSlot && s.sender_mark[to] == mark) add_to(s.work[to], d.amount.value());
      if (s.sender_mark[fee_slot] == mark) add_to(s.work[fee_slot], d.fee.value());
    }

    // 5. Phase C: credits to receivers that don't send here commute: sum them in
    //    parallel (each chunk keeps its own fee and withdrawal totals).
    std::atomic<std::uint64_t> fee_total{0};
    std::atomic<std::uint64_t> withdrawn_total{0};
    pool_.parallel_for(b - a, 512, [&](std::size_t lo, std::size_t hi) {
      std::uint64_t fees = 0;
      std::uint64_t withdrawn = 0;
      for (std::size_t i = a + lo; i < a + hi; ++i) {
        if (s.status[i] != TxStatus::applied) continue;
        const DebitView& d = *s.debit[i];
        std::uint32_t to = s.to_slot[i];
        if (to != kNoSlot && s.sender_mark[to] != mark)
          std::atomic_ref<std::uint64_t>(s.credits[to])
              .fetch_add(d.amount.value(), std::memory_order_relaxed);
        fees += d.fee.value();  // cannot wrap: the fees are part of the supply
        if (d.is_withdraw) withdrawn += d.amount.value();
      }
      fee_total.fetch_add(fees, std::memory_order_relaxed);
      withdrawn_total.fetch_add(withdrawn, std::memory_order_relaxed);
    });
    if (s.sender_mark[fee_slot] != mark) add_to(s.work[fee_slot], fee_total.load());
    for (std::size_t i = a; i < b; ++i) {
      std::uint32_t to = s.to_slot[i];
      if (to != kNoSlot && s.credits[to] != 0) {
        add_to(s.work[to], s.credits[to]);
        s.credits[to] = 0;
      }
    }
    auto lower = supply.checked_sub(Amount(withdrawn_total.load()));
    L2_ASSERT(lower.has_value());
    supply = *lower;
  };

  // The deposit rule of apply_tx (stf.hpp). The supply check is the engine's
  // precondition (Engine::submit refuses a batch that breaks it), so it cannot fail.
  auto run_deposit = [&](std::size_t i) {
    const Deposit& d = std::get<Deposit>(txs[i]);
    const std::uint32_t idx = d.to_index.value();
    std::uint32_t slot = kNoSlot;
    if (idx < count) {
      slot = s.slot_of(idx);
      L2_ASSERT(slot != kNoSlot);
      if (s.work[slot].pubkey != d.to) {
        s.status[i] = TxStatus::wrong_account;
        return;
      }
    } else if (idx == count) {
      slot = s.slot_of(idx);
      L2_ASSERT(slot != kNoSlot);
      s.work[slot] = Account{d.to, Amount(0), Nonce(0), Amount(0)};
      ++count;
    } else {
      s.status[i] = TxStatus::wrong_account;
      return;
    }
    if (!s.work[slot].balance.checked_add(d.amount)) {  // never for a new account (balance 0)
      s.status[i] = TxStatus::overflow;
      return;
    }
    auto raised = supply.checked_add(d.amount);
    L2_ASSERT(raised.has_value());
    supply = *raised;
    add_to(s.work[slot], d.amount.value());
  };

  std::uint32_t mark = 0;
  for (std::size_t a = 0; a < n;) {
    if (!s.debit[a]) {
      run_deposit(a++);
      continue;
    }
    std::size_t b = a;
    while (b < n && s.debit[b]) ++b;
    run_segment(a, b, ++mark);
    a = b;
  }

  ExecutionResult out;
  out.receipts.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    out.receipts[i] = Receipt{prepared.hashes[i], s.status[i]};
    if (s.status[i] == TxStatus::applied) ++out.applied;
  }
  for (std::size_t k = 0; k < slots; ++k) {
    std::uint32_t idx = s.slot_index[k];
    if (idx < base) {
      const Account& before = state.at(AccountIndex(idx));
      if (s.work[k] != before) out.changes.push_back(AccountChange{AccountIndex(idx), before, s.work[k]});
    } else if (idx < count) {
      out.changes.push_back(AccountChange{AccountIndex(idx), std::nullopt, s.work[k]});
    }
  }
  out.supply_after = supply;
  return out;
}

ExecutionResult execute_sequential(const State& state, ChainId chain, std::span<const Tx> txs,
                                   std::span<const SigCheck> known) {
  L2_ASSERT(known.empty() || known.size() == txs.size());
  OverlayState overlay(state);
  ExecutionResult out;
  out.receipts.reserve(txs.size());
  for (std::size_t i = 0; i < txs.size(); ++i) {
    out.receipts.push_back(apply_tx(overlay, chain, txs[i], known.empty() ? SigCheck::unchecked : known[i]));
    if (out.receipts.back().status == TxStatus::applied) ++out.applied;
  }
  out.changes = overlay.changes();
  // The supply after: the base's plus what the diff added (every step stays in 64 bits
  // under the engine's precondition): all befores out first, so no partial sum passes
  // the final one.
  Amount supply = state.supply();
  for (const auto& c : out.changes) {
    auto lowered = supply.checked_sub(c.before ? c.before->balance : Amount(0));
    L2_ASSERT(lowered.has_value());
    supply = *lowered;
  }
  for (const auto& c : out.changes) {
    auto raised = supply.checked_add(c.after.balance);
    L2_ASSERT(raised.has_value());
    supply = *raised;
  }
  out.supply_after = supply;
  return out;
}

}  // namespace l2::rollup
