// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// A typed JSON-RPC 2.0 client of basechaind (docs/basechain.md), over one keep-alive
// HTTP connection. What the sequencer (following the chain, posting commitments,
// withdrawal status) and rollup-derive use; tests use it to act as users.
//
// Thread safety: none; one client per thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/http/client.hpp"
#include "common/result.hpp"
#include "common/types.hpp"
#include "settlement/basechain/tx.hpp"
#include "settlement/commitment.hpp"

namespace l2::settlement {

struct RpcError {
  // JSON-RPC error code (-32700 parse, -32600 invalid request, -32601 method, -32602
  // params, -32000.. application, see docs/basechain.md), or 0 when the chain could
  // not be reached at all (connection refused, timeout): retry later.
  int code = 0;
  std::string message;
  std::string reason;  // the application's machine-readable reason (error.data.reason), if any
  [[nodiscard]] bool unreachable() const { return code == 0; }
};

struct ChainHead {
  BlockNumber number;
  ChainTime timestamp;
  Hash32 hash;
};

struct BaseAccount {
  Amount balance;
  Nonce nonce;  // the next nonce to use
};

struct RollupInfo {
  ChainId rollup_id;
  PublicKey sequencer;
  PublicKey operator_key;
  Hash32 genesis_root;
  ChainDuration challenge_window_s;
  ChainDuration inclusion_deadline_s;
  std::uint64_t deposit_count = 0;  // deposits ever queued
  std::uint64_t forced_count = 0;   // forced txs ever queued
  BatchNumber last_batch;           // 0: nothing committed yet (batch 0 is genesis)
  Hash32 last_root;                 // genesis_root while nothing is committed
  BatchNumber last_final;           // highest final batch (0: none)
  Amount locked;                    // bridge funds held for this rollup
  Amount bond;                      // the disputes module's terms, fixed at registration
  ChainDuration dispute_clock_s{3600};
  // Where each queue ends: the position the next entry will get.
  [[nodiscard]] DepositPosition deposits_end() const { return DepositPosition(deposit_count); }
  [[nodiscard]] ForcedPosition forced_end() const { return ForcedPosition(forced_count); }
};

struct BondRecord {
  BatchNumber batch;
  PublicKey owner;
  Amount amount;
  bool returned = false;  // claim_bond paid it back
};

struct QueuedDeposit {
  DepositPosition index;
  PublicKey recipient;
  AccountIndex account;  // the rollup account it credits, assigned by the bridge
  Amount amount;
  ChainTime timestamp;  // chain time when it was queued (its block's, with --automine)
};

struct QueuedForced {
  ForcedPosition index;
  rollup::Tx tx;
  ChainTime timestamp;
};

struct CommitmentRecord {
  Commitment commitment;  // payload empty unless asked for
  Hash32 tx_hash;         // the commit_batch tx
  ChainTime posted_at;
  std::optional<BlockNumber> block;  // nullopt while its tx is pending
  bool is_final = false;
  ChainTime final_at;  // posted_at + challenge window (earliest; disputes may delay)
};

// A dispute game as dispute_getDisputes gives it (docs/basechain.md).
struct DisputeRecord {
  std::uint64_t id = 0;
  BatchNumber batch;
  PublicKey challenger;
  Hash32 commitment_tx;  // the disputed commitment's tx (batch numbers repeat after a removal)
  std::string status;    // open, defender_won, challenger_won, void
  std::string phase;     // bisect, respond, step, decided
  std::optional<std::string> end;
  std::uint64_t positions = 0;
  std::uint64_t lo = 0;
  std::uint64_t hi = 0;
  std::optional<std::uint64_t> mid;     // while open and undecided
  std::optional<Hash32> proposed_root;  // the defender's root at mid, while the challenger is to respond
  ChainDuration defender_clock_s;       // what was left at turn_began
  ChainDuration challenger_clock_s;
  ChainTime turn_began;
  std::uint64_t moves = 0;
};

class BaseChainClient {
 public:
  static Result<std::unique_ptr<BaseChainClient>, std::string> create(
      const std::string& url, const http::ClientOptions& options = {});
  ~BaseChainClient();

  Result<ChainId, RpcError> chain_id();
  Result<ChainHead, RpcError> head();
  Result<BaseAccount, RpcError> account(const PublicKey& key);
  // Sends a signed base tx; the chain executes it at once (or refuses it: nothing changes).
  Result<Hash32, RpcError> send(const BaseTx& tx);
  Result<std::optional<RollupInfo>, RpcError> rollup(ChainId rollup_id);
  Result<std::vector<QueuedDeposit>, RpcError> deposits(ChainId rollup_id, DepositPosition from,
                                                        std::uint32_t limit);
  Result<std::vector<QueuedForced>, RpcError> forced(ChainId rollup_id, ForcedPosition from,
                                                     std::uint32_t limit);
  Result<std::optional<CommitmentRecord>, RpcError> commitment(ChainId rollup_id, BatchNumber batch,
                                                               bool with_payload);
  // Every game ever opened on that batch, oldest first.
  Result<std::vector<DisputeRecord>, RpcError> disputes(ChainId rollup_id, BatchNumber batch);
  // The batches named by the rollup's DisputeOpened logs in blocks [from, to] (at most
  // 10,000 blocks), in log order.
  // The bond the sequencer locked with the standing commitment of `batch`
  // (dispute_getBond); nullopt when there is none (a bond of 0, or no such commitment).
  Result<std::optional<BondRecord>, RpcError> bond(ChainId rollup_id, BatchNumber batch);
  Result<std::vector<BatchNumber>, RpcError> disputes_opened(ChainId rollup_id, BlockNumber from,
                                                             BlockNumber to);
  // What the bridge has paid out so far to `account` from this rollup.
  Result<Amount, RpcError> withdrawn(ChainId rollup_id, const PublicKey& account);

  // Dev methods (basechaind --dev only).
  Result<ChainHead, RpcError> dev_mine();
  Result<ChainHead, RpcError> dev_advance_time(ChainDuration by);
  Result<Hash32, RpcError> dev_fund(const PublicKey& account, Amount amount);

  // Any method, raw: params and result as JSON text.
  Result<std::string, RpcError> call(const std::string& method, const std::string& params_json);

 private:
  BaseChainClient(std::unique_ptr<http::Client> http, ChainId base_chain_id);
  std::unique_ptr<http::Client> http_;
  ChainId base_chain_id_;
  std::uint64_t next_id_ = 1;
};

}  // namespace l2::settlement
