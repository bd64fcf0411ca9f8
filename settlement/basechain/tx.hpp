// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// Base-chain transactions ("base tx"; `tx` alone is always a rollup tx). Same Ed25519
// keys as the rollup, their own domain tag, the base chain's chain id and a per-account
// nonce. docs/encoding.md ("Base-chain transactions") is the reference, with vectors.
//
//   preimage  = "L2STACK/BASE/TX/V1" || base_chain_id u64le || sender[32] || nonce u64le
//               || kind u8 || body
//   signature = Ed25519(sender, preimage)
//   hash      = BLAKE2b-256(preimage || signature)
//   wire form = sender[32] || nonce u64le || kind u8 || body || signature[64]
//
//   body(transfer            = 1) = to[32] || amount u64le
//   body(register_rollup     = 2) = rollup_id u64le || operator_key[32] || genesis_root[32] ||
//                                   challenge_window_s u64le || inclusion_deadline_s u64le
//                                   bond u64le || dispute_clock_s u64le
//   body(deposit             = 3) = rollup_id u64le || recipient[32] || amount u64le
//   body(force_tx            = 4) = rollup_id u64le || tx_len varint || rollup tx wire form
//   body(commit_batch        = 5) = commitment (commitment.hpp)
//   body(finalize_withdrawal = 6) = rollup_id u64le || batch u64le || leaf[56] ||
//                                   proof_len varint || Merkle proof (common/merkle.hpp)
//   body(challenge_batch     = 7) = rollup_id u64le || batch u64le
//   body(dispute_bisect      = 8) = rollup_id u64le || batch u64le || challenger[32] ||
//                                   position u64le || root[32]
//   body(dispute_respond     = 9) = rollup_id u64le || batch u64le || position u64le || agree u8
//   body(dispute_step       = 10) = rollup_id u64le || batch u64le || challenger[32] ||
//                                   witness_len varint || witness (rollup/witness_state.hpp)
//   body(dispute_timeout    = 11) = rollup_id u64le || batch u64le || challenger[32]
//   body(claim_bond         = 12) = rollup_id u64le || batch u64le
//
// Pure values and functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <variant>

#include "common/bytes.hpp"
#include "common/codec.hpp"
#include "common/crypto.hpp"
#include "common/merkle.hpp"
#include "common/result.hpp"
#include "common/types.hpp"
#include "rollup/account.hpp"
#include "rollup/tx.hpp"
#include "rollup/witness_state.hpp"
#include "settlement/commitment.hpp"

namespace l2::settlement {

inline constexpr std::string_view kBaseTxDomainTag = "L2STACK/BASE/TX/V1";
inline constexpr std::size_t kMaxBaseTxBytes = kMaxPayloadBytes + 4096;

enum class BaseTxKind : std::uint8_t {
  transfer = 1,
  register_rollup = 2,
  deposit = 3,
  force_tx = 4,
  commit_batch = 5,
  finalize_withdrawal = 6,
  challenge_batch = 7,
  dispute_bisect = 8,
  dispute_respond = 9,
  dispute_step = 10,
  dispute_timeout = 11,
  claim_bond = 12,
};
std::string_view to_string(BaseTxKind k);

struct TransferBody {
  PublicKey to;
  Amount amount;
  friend bool operator==(const TransferBody&, const TransferBody&) = default;
};
// The terms of the rollup's disputes (docs/disputes.md): the bond the sequencer locks
// with every commitment and a challenger with every challenge, in base-chain units, and
// each side's clock in a game, in base-chain seconds.
struct DisputeTerms {
  Amount bond;
  ChainDuration clock_s;
  friend bool operator==(const DisputeTerms&, const DisputeTerms&) = default;
};
// The terms of a rollup registered before registrations carried them (the registry's
// schema step 2 gives them to its row), and what RegisterRollupBody starts with.
inline constexpr DisputeTerms kDefaultDisputeTerms{Amount(0), ChainDuration(3600)};

// The sender becomes the rollup's sequencer: only its key may commit batches.
// operator_key owns the fee account (index 0) of the genesis state, so that the
// genesis (and with it every later state) can be rebuilt from base-chain data alone;
// genesis_root must be that state's root.
struct RegisterRollupBody {
  ChainId rollup_id;  // the rollup's L2 chain id
  PublicKey operator_key;
  Hash32 genesis_root;
  ChainDuration challenge_window_s;
  ChainDuration inclusion_deadline_s;
  DisputeTerms disputes = kDefaultDisputeTerms;
  friend bool operator==(const RegisterRollupBody&, const RegisterRollupBody&) = default;
};
struct DepositBody {
  ChainId rollup_id;
  PublicKey recipient;  // the rollup account's key (created by the deposit if new)
  Amount amount;
  friend bool operator==(const DepositBody&, const DepositBody&) = default;
};
// A signed rollup transfer or withdrawal pushed through the base chain.
struct ForceTxBody {
  ChainId rollup_id;
  rollup::Tx tx;
  friend bool operator==(const ForceTxBody&, const ForceTxBody&) = default;
};
struct CommitBatchBody {
  Commitment commitment;
  friend bool operator==(const CommitBatchBody&, const CommitBatchBody&) = default;
};
// Pays leaf.withdrawn minus what the bridge already paid to leaf.pubkey for this rollup.
struct FinalizeWithdrawalBody {
  ChainId rollup_id;
  BatchNumber batch;
  rollup::Account leaf;
  MerkleProof proof;  // proof.index is the account index
  // Spelled out: MerkleProof has no operator==, so a defaulted one would be deleted.
  friend bool operator==(const FinalizeWithdrawalBody& a, const FinalizeWithdrawalBody& b) {
    return a.rollup_id == b.rollup_id && a.batch == b.batch && a.leaf == b.leaf &&
           a.proof.index == b.proof.index && a.proof.siblings == b.proof.siblings;
  }
};

// The dispute game's moves (docs/disputes.md). A game is named by the rollup, the
// disputed batch and the challenger's key. `position` is the game's mid(): a move for
// another position is refused, so a late copy of a move can never count for another one.
struct ChallengeBatchBody {  // the sender challenges the batch's new_root, with its bond
  ChainId rollup_id;
  BatchNumber batch;
  friend bool operator==(const ChallengeBatchBody&, const ChallengeBatchBody&) = default;
};
struct DisputeBisectBody {  // the sequencer's root at `position`
  ChainId rollup_id;
  BatchNumber batch;
  PublicKey challenger;
  std::uint64_t position = 0;
  Hash32 root;
  friend bool operator==(const DisputeBisectBody&, const DisputeBisectBody&) = default;
};
struct DisputeRespondBody {  // the challenger (the sender) agrees with that root or not
  ChainId rollup_id;
  BatchNumber batch;
  std::uint64_t position = 0;
  bool agree = false;
  friend bool operator==(const DisputeRespondBody&, const DisputeRespondBody&) = default;
};
struct DisputeStepBody {  // the sequencer has the chain run the one-step proof
  ChainId rollup_id;
  BatchNumber batch;
  PublicKey challenger;
  rollup::TxWitness witness;  // the accounts the tx touches, against the agreed root
  friend bool operator==(const DisputeStepBody&, const DisputeStepBody&) = default;
};
struct DisputeTimeoutBody {  // anyone: the side to move has let its clock run out
  ChainId rollup_id;
  BatchNumber batch;
  PublicKey challenger;
  friend bool operator==(const DisputeTimeoutBody&, const DisputeTimeoutBody&) = default;
};
struct ClaimBondBody {  // anyone: pays a final commitment's bond back to its sequencer
  ChainId rollup_id;
  BatchNumber batch;
  friend bool operator==(const ClaimBondBody&, const ClaimBondBody&) = default;
};

using BaseTxBody = std::variant<TransferBody, RegisterRollupBody, DepositBody, ForceTxBody, CommitBatchBody,
                                FinalizeWithdrawalBody, ChallengeBatchBody, DisputeBisectBody,
                                DisputeRespondBody, DisputeStepBody, DisputeTimeoutBody, ClaimBondBody>;

struct BaseTx {
  PublicKey sender;
  Nonce nonce;
  BaseTxBody body;
  Signature signature;
  friend bool operator==(const BaseTx&, const BaseTx&) = default;
};

BaseTxKind base_tx_kind(const BaseTx& tx);
Bytes base_signing_preimage(ChainId base_chain, const BaseTx& tx);
void sign_base_tx(BaseTx& tx, ChainId base_chain, const SecretKey& key);  // sets sender too
bool verify_base_tx(const BaseTx& tx, ChainId base_chain);
Hash32 base_tx_hash(ChainId base_chain, const BaseTx& tx);

Bytes encode_base_tx(const BaseTx& tx);
// Strict (trailing bytes, unknown kinds, deposits in force_tx, bad proofs: errors).
Result<BaseTx, DecodeError> decode_base_tx(ByteView in);

}  // namespace l2::settlement
