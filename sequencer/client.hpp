// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// A C++ client of the sequencer's HTTP API (docs/api.md), typed: one call per route,
// each returning a Result with the decoded answer or a ClientError that carries the
// API's error code and message (or says the server could not be reached, or answered
// something that is not the API). Built on the blocking l2::http::Client: one
// keep-alive connection, a timeout on every request. The wallet links this library
// (l2::sequencer_api), never the node.
//
// Thread safety: none; one SequencerClient per thread (they are cheap).
// Limitations: binary receipts (Accept: application/octet-stream) are not asked for;
// the binary batch body is (submit_batch_binary). GET /metrics and /proof are not
// wrapped.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/bytes.hpp"
#include "common/result.hpp"
#include "common/types.hpp"
#include "rollup/tx.hpp"
#include "sequencer/api_types.hpp"
#include "sequencer/json_codec.hpp"

namespace l2::http {
class Client;
}

namespace l2::sequencer {

struct ClientError {
  enum class Kind : std::uint8_t {
    transport,     // no answer: connect, TLS, timeout (the server is down or slow)
    api,           // the API's error body: `code` and `message` are the server's
    bad_response,  // an answer that is not the API's (unexpected status or JSON)
  };
  Kind kind = Kind::transport;
  std::optional<ErrorCode> code;  // kind == api
  unsigned http_status = 0;       // 0: no answer
  std::string message;
};
std::string describe(const ClientError& e);

struct SequencerClientOptions {
  std::chrono::milliseconds timeout{15000};  // of one request (a waiting submit included)
  std::string ca_file;                       // for https://
  bool insecure_tls = false;                 // dev only: skip certificate verification
};

// GET /v1/status
struct NodeStatus {
  ChainId chain_id;
  BatchNumber latest_batch;
  Hash32 state_root;
  std::uint64_t accounts = 0;
  std::uint64_t mempool_depth = 0;
  bool dev = false;
};

// GET /v1/accounts/{index | public key}
struct AccountInfo {
  AccountIndex index;
  PublicKey public_key;
  Amount balance;
  Nonce nonce;
  Amount withdrawn;
  BatchNumber batch;  // the latest durable batch the answer is as of
  Hash32 state_root;
};

// GET /v1/transactions/{hash}
struct TxInfo {
  TxReceipt receipt;
  TxRequest tx;
};

// GET /v1/batches/{n}
struct BatchInfo {
  BatchNumber number;
  Hash32 prev_root;
  Hash32 state_root;
  Hash32 txs_hash;
  std::uint32_t tx_count = 0;
  std::uint32_t applied_count = 0;
  std::uint64_t timestamp_ms = 0;
};

// GET /v1/withdrawals/{hash}: what a claim on the base chain needs, and its status.
struct WithdrawalInfo {
  Hash32 tx_hash;
  AccountIndex account;
  Amount amount;
  BatchNumber batch;
  Hash32 state_root;
  Bytes leaf;  // 56 bytes (encoding.md)
  PublicKey public_key;
  Amount balance;
  Nonce nonce;
  Amount withdrawn;
  Bytes proof;         // MerkleProof encoding
  std::string status;  // pending, in_window, final, claimed, unknown
  std::optional<ChainTime> final_at;
  std::optional<ChainDuration> seconds_left;
  std::optional<Amount> paid;
  std::string detail;
};

// GET /v1/settlement
struct SettlementInfo {
  std::string base_chain;
  bool reachable = false;
  bool fatal = false;
  bool diverged = false;  // false from a server too old to report it
  bool synced = false;
  BatchNumber last_posted;
  BatchNumber durable_head;
  std::uint64_t posted = 0;
  std::uint64_t refusals = 0;
  std::uint64_t failures = 0;
  std::string last_error;
  DepositPosition next_deposit;
  ForcedPosition next_forced;
  BlockNumber chain_head;
  ChainTime chain_time;
  std::optional<BatchNumber> last_final;
  // Settlement reorgs of the server process (docs/settlement.md, "Reorgs"); zero from a
  // server too old to report them.
  std::uint64_t reorgs = 0;
  std::uint64_t reexecuted_txs = 0;
  std::uint64_t reorg_dropped_txs = 0;
  std::optional<BatchNumber> reorg_wanted;  // while the poster waits for a rollback
};

struct SubmitOptions {
  bool wait = false;                                 // until the tx is in a durable batch
  std::optional<std::chrono::milliseconds> timeout;  // of the wait (server default 10 s)
};

// POST /v1/dev/deposit's answer for one key.
struct DevDeposit {
  TxReceipt receipt;
  std::optional<AccountIndex> account;
};

class SequencerClient {
 public:
  // "http://HOST:PORT" or "https://HOST:PORT". Errors: a URL that does not parse.
  static Result<std::unique_ptr<SequencerClient>, std::string> create(std::string_view url,
                                                                      const SequencerClientOptions& options);
  ~SequencerClient();
  SequencerClient(const SequencerClient&) = delete;
  SequencerClient& operator=(const SequencerClient&) = delete;

  Result<NodeStatus, ClientError> status();
  // POST /v1/transactions: the pending receipt (202), or the committed one (wait).
  Result<TxReceipt, ClientError> submit(const rollup::Tx& tx, ChainId chain,
                                        const SubmitOptions& options = {});
  // POST /v1/batches, JSON body: one receipt per tx, in order (refusals at ingest are
  // receipts, not errors).
  Result<std::vector<TxReceipt>, ClientError> submit_batch(
      std::span<const TxRequest> txs, std::optional<std::chrono::milliseconds> timeout = {});
  // POST /v1/batches, the binary body (chain_id u64le || count varint || tx wire form*).
  Result<std::vector<TxReceipt>, ClientError> submit_batch_binary(ChainId chain,
                                                                  std::span<const rollup::Tx> txs);
  Result<TxInfo, ClientError> transaction(const Hash32& hash);
  Result<AccountInfo, ClientError> account(AccountIndex index);
  Result<AccountInfo, ClientError> account(const PublicKey& key);
  Result<BatchInfo, ClientError> batch(BatchNumber number);
  Result<BatchInfo, ClientError> latest_batch();
  Result<SettlementInfo, ClientError> settlement();
  Result<WithdrawalInfo, ClientError> withdrawal(const Hash32& tx_hash);
  // An account's applied withdrawals, newest first (limit 1-100).
  Result<std::vector<WithdrawalInfo>, ClientError> withdrawals(AccountIndex index, std::uint32_t limit = 20);
  // POST /v1/dev/deposit (a sequencer in --dev mode without a base chain only).
  Result<std::vector<DevDeposit>, ClientError> dev_deposit(std::span<const DepositRequest> deposits);

 private:
  explicit SequencerClient(std::unique_ptr<http::Client> http);
  std::unique_ptr<http::Client> http_;
};

}  // namespace l2::sequencer
