// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// Differential: the parallel executor (rollup/executor.hpp) at 1, 2 and 4 threads against
// the sequential reference (execute_sequential, apply_tx one tx at a time) on a genesis and
// a batch the fuzzer chooses. Receipts, diffs, supply and the state root after the batch
// must be identical; the reference must also conserve supply (deposits in, withdrawals
// out). Signatures are not computed: every tx carries a known check (valid, or invalid when
// the input says so), which both executors take as given, as they do for checks made at
// ingest; public keys are distinct made-up bytes.
//
// Input (all integers are "compact": a byte c < 0xf8 is the value c, else c - 0xf7 bytes
// little-endian follow, so the fuzzer reaches 2^64 - 1 with 0xff ff*8):
//   accounts u8 (count - 1) || balance compact * count || tx*
//   tx = op u8 (bits 0-1: 0,1 transfer, 2 withdraw, 3 deposit; bit 2: invalid signature)
//        || transfer: from u8 || to u8 || amount || fee || nonce
//        || withdraw: from u8 || amount || fee || nonce
//        || deposit:  to_index u8 || key u8 (the key of account `key`) || amount
// Indices at or above the account count name unknown accounts. A genesis whose supply
// overflows is skipped (a state can't hold one); deposits are clamped to the supply's
// headroom (the bridge's bound). At most kMaxTxs txs; the rest is ignored.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <vector>

#include "common/merkle.hpp"
#include "common/thread_pool.hpp"
#include "rollup/executor.hpp"
#include "tests/fuzz/fuzz.hpp"

using namespace l2;
using namespace l2::rollup;

namespace {

constexpr ChainId kChain{7};
constexpr std::size_t kMaxTxs = 2048;

class Input {
 public:
  explicit Input(ByteView in) : in_(in) {}
  [[nodiscard]] bool empty() const { return pos_ >= in_.size(); }
  std::uint8_t u8() { return pos_ < in_.size() ? in_[pos_++] : 0; }
  std::uint64_t compact() {
    const std::uint8_t c = u8();
    if (c < 0xf8) return c;
    std::uint64_t v = 0;
    for (int i = 0; i < c - 0xf7; ++i) v |= std::uint64_t{u8()} << (8 * i);
    return v;
  }

 private:
  ByteView in_;
  std::size_t pos_ = 0;
};

PublicKey key_of(std::uint8_t i) {
  std::array<std::uint8_t, 32> b{};
  b[0] = 0x4b;  // 'K'
  b[1] = i;
  return PublicKey(b);
}

Hash32 root_after(const State& before, const ExecutionResult& r) {
  State s = before;
  s.apply(r.changes);
  SparseMerkleTree tree;
  for (std::uint32_t i = 0; i < s.size(); ++i) tree.set_leaf(i, account_leaf_hash(s.at(AccountIndex(i))));
  return tree.update_root();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static ThreadPool pools[] = {ThreadPool(1), ThreadPool(2), ThreadPool(4)};
  Input in(fuzz::bytes(data, size));
  const std::size_t count = std::size_t{in.u8()} + 1;
  std::vector<Account> accounts;
  for (std::size_t i = 0; i < count; ++i)
    accounts.push_back(
        Account{key_of(static_cast<std::uint8_t>(i)), Amount(in.compact()), Nonce(0), Amount(0)});
  const std::optional<State> genesis = State::from_accounts(std::move(accounts));
  if (!genesis) return 0;

  std::vector<Tx> txs;
  std::vector<SigCheck> known;
  std::uint64_t next_deposit = 0;
  std::uint64_t headroom = std::numeric_limits<std::uint64_t>::max() - genesis->supply().value();
  while (!in.empty() && txs.size() < kMaxTxs) {
    const std::uint8_t op = in.u8();
    const SigCheck sig = (op & 4) != 0 ? SigCheck::invalid : SigCheck::valid;
    switch (op & 3) {
      case 0:
      case 1: {
        const AccountIndex from(in.u8());
        const AccountIndex to(in.u8());
        const Amount amount(in.compact());
        const Amount fee(in.compact());
        txs.emplace_back(Transfer{from, to, amount, fee, Nonce(in.compact()), Signature()});
        break;
      }
      case 2: {
        const AccountIndex from(in.u8());
        const Amount amount(in.compact());
        const Amount fee(in.compact());
        txs.emplace_back(Withdraw{from, amount, fee, Nonce(in.compact()), Signature()});
        break;
      }
      default: {
        const AccountIndex to(in.u8());
        const PublicKey key = key_of(in.u8());
        // The executor's precondition: the bridge never locks more than 2^64 - 1 for a
        // rollup, so the supply plus every deposit fits 64 bits (rollup/stf.hpp; the
        // reference asserts it). Clamped, so that the fuzzer still reaches the bound.
        const std::uint64_t amount = std::min(in.compact(), headroom);
        headroom -= amount;
        txs.emplace_back(Deposit{DepositPosition(next_deposit++), to, key, Amount(amount)});
        break;
      }
    }
    known.push_back(sig);
  }

  const ExecutionResult want = execute_sequential(*genesis, kChain, txs, known);
  L2_FUZZ_CHECK(want.receipts.size() == txs.size());
  const Hash32 want_root = root_after(*genesis, want);
  {
    // Supply: what the reference says it is, and what the accounts hold after the batch.
    State after = *genesis;
    after.apply(want.changes);
    L2_FUZZ_CHECK(after.supply() == want.supply_after);
  }
  for (ThreadPool& pool : pools) {
    const Executor ex(pool);
    const ExecutionResult got = ex.execute(*genesis, kChain, txs, ex.prepare(*genesis, kChain, txs, known));
    L2_FUZZ_CHECK(got.receipts == want.receipts);
    L2_FUZZ_CHECK(got == want);
    L2_FUZZ_CHECK(root_after(*genesis, got) == want_root);
  }
  return 0;
}
