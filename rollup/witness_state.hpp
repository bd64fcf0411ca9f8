// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// The state of one tx's step, from Merkle witnesses alone: the leaves of the accounts
// the tx touches (touched_accounts in stf.hpp) and one multiproof of them against the
// pre-state root. WitnessState is a StateView over those leaves, so the base chain's
// one-step proof runs the very same apply_tx as the sequencer; execute_step() checks
// the witness against the pre-state root, applies the tx and recomputes the root from
// the changed leaves with the same multiproof.
//
//   tx witness = proof_len varint || multiproof (merkle.hpp) ||
//                (present u8 (0 or 1) || [leaf[56] if present])  one per proof index
//
// Limitations: an index outside the witness is an error (missing_witness), never a
// guess; at most kMaxMultiProofLeaves leaves. Pure values; thread-safe.
#pragma once

#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "common/merkle.hpp"
#include "rollup/stf.hpp"

namespace l2::rollup {

struct TxWitness {
  MerkleMultiProof proof;
  std::vector<std::optional<Account>> leaves;  // one per proof.indices entry

  [[nodiscard]] Bytes encode() const;
  static Result<TxWitness, DecodeError> decode(ByteView in);
  friend bool operator==(const TxWitness&, const TxWitness&) = default;
};

class WitnessState final : public StateView {
 public:
  explicit WitnessState(TxWitness witness);

  [[nodiscard]] Result<std::optional<Account>, ViewError> get(AccountIndex i) const override;
  [[nodiscard]] Result<Creatable, ViewError> can_create(AccountIndex i) const override;
  void put(AccountIndex i, const Account& a) override;
  void create(AccountIndex i, const PublicKey& key) override;

  // The root the current leaves give under the witness's proof (nullopt: malformed).
  [[nodiscard]] std::optional<Hash32> root() const;

 private:
  [[nodiscard]] std::optional<std::size_t> slot(AccountIndex i) const;
  TxWitness w_;
};

enum class StepError : std::uint8_t {
  bad_witness = 1,      // malformed, or does not open to the pre-state root
  missing_witness = 2,  // the tx touches an account the witness does not cover
};
std::string_view to_string(StepError e);

struct StepResult {
  Receipt receipt;
  Hash32 post_root;
  friend bool operator==(const StepResult&, const StepResult&) = default;
};

// One tx from witnesses: what the base chain's one-step proof rules with. `sig` as in
// apply_tx (the proof path verifies, so pass unchecked there).
Result<StepResult, StepError> execute_step(const Hash32& pre_root, ChainId chain, const Tx& tx,
                                           const TxWitness& witness, SigCheck sig = SigCheck::unchecked);

}  // namespace l2::rollup
