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
  std::uint64_t number = 0;
  std::int64_t timestamp = 0;  // seconds
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
  std::uint64_t challenge_window_s = 0;
  std::uint64_t inclusion_deadline_s = 0;
  std::uint64_t deposit_count = 0;  // deposits ever queued
  std::uint64_t forced_count = 0;   // forced txs ever queued
  BatchNumber last_batch;           // 0: nothing committed yet (batch 0 is genesis)
  Hash32 last_root;                 // genesis_root while nothing is committed
  BatchNumber last_final;           // highest final batch (0: none)
  Amount locked;                    // bridge funds held for this rollup
};

struct QueuedDeposit {
  std::uint64_t index = 0;
  PublicKey recipient;
  AccountIndex account;  // the rollup account it credits, assigned by the bridge
  Amount amount;
  std::int64_t timestamp = 0;  // chain time when it was queued (its block's, with --automine)
};

struct QueuedForced {
  std::uint64_t index = 0;
  rollup::Tx tx;
  std::int64_t timestamp = 0;
};

struct CommitmentRecord {
  Commitment commitment;  // payload empty unless asked for
  std::int64_t posted_at = 0;
  std::uint64_t block = 0;
  bool is_final = false;
  std::int64_t final_at = 0;  // posted_at + challenge window (earliest; disputes may delay)
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
  Result<std::vector<QueuedDeposit>, RpcError> deposits(ChainId rollup_id, std::uint64_t from,
                                                        std::uint32_t limit);
  Result<std::vector<QueuedForced>, RpcError> forced(ChainId rollup_id, std::uint64_t from,
                                                     std::uint32_t limit);
  Result<std::optional<CommitmentRecord>, RpcError> commitment(ChainId rollup_id, BatchNumber batch,
                                                               bool with_payload);
  // What the bridge has paid out so far to `account` from this rollup.
  Result<Amount, RpcError> withdrawn(ChainId rollup_id, const PublicKey& account);

  // Dev methods (basechaind --dev only).
  Result<ChainHead, RpcError> dev_mine();
  Result<ChainHead, RpcError> dev_advance_time(std::uint64_t seconds);
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
