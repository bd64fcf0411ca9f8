// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
#include "sequencer/client.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <stdexcept>
#include <utility>

#include "common/codec.hpp"
#include "common/http/client.hpp"
#include "common/json/strict.hpp"

namespace l2::sequencer {

namespace {

using json = nlohmann::json;

// An answer that is not the API's; caught at the edge of each call (bad_response).
struct Malformed : std::runtime_error {
  using std::runtime_error::runtime_error;
};

constexpr std::array kErrorCodes = {
    ErrorCode::bad_json,       ErrorCode::bad_request,        ErrorCode::unknown_type,
    ErrorCode::bad_hex,        ErrorCode::bad_encoding,       ErrorCode::wrong_chain,
    ErrorCode::bad_signature,  ErrorCode::unknown_account,    ErrorCode::nonce_too_low,
    ErrorCode::nonce_too_high, ErrorCode::bad_query,          ErrorCode::dev_disabled,
    ErrorCode::not_found,      ErrorCode::method_not_allowed, ErrorCode::timeout,
    ErrorCode::duplicate,      ErrorCode::nonce_in_use,       ErrorCode::body_too_large,
    ErrorCode::too_many_txs,   ErrorCode::headers_too_large,  ErrorCode::unsupported_media_type,
    ErrorCode::mempool_full,   ErrorCode::unavailable};
static_assert(kErrorCodes.back() == ErrorCode::unavailable);

constexpr std::array kReceiptCodes = {ReceiptCode::applied,
                                      ReceiptCode::bad_signature,
                                      ReceiptCode::unknown_account,
                                      ReceiptCode::bad_nonce,
                                      ReceiptCode::insufficient_balance,
                                      ReceiptCode::overflow,
                                      ReceiptCode::self_transfer,
                                      ReceiptCode::zero_amount,
                                      ReceiptCode::wrong_chain,
                                      ReceiptCode::nonce_too_low,
                                      ReceiptCode::nonce_too_high,
                                      ReceiptCode::duplicate,
                                      ReceiptCode::nonce_in_use,
                                      ReceiptCode::mempool_full,
                                      ReceiptCode::dropped,
                                      ReceiptCode::unknown_account_at_ingest,
                                      ReceiptCode::pending};

std::optional<ErrorCode> error_code_from(std::string_view s) {
  for (ErrorCode c : kErrorCodes)
    if (to_string(c) == s) return c;
  return std::nullopt;
}

// "unknown_account" names two codes (at ingest, at execution); a receipt with a batch
// was executed.
ReceiptCode receipt_code_from(std::string_view s, bool executed) {
  if (s == "unknown_account")
    return executed ? ReceiptCode::unknown_account : ReceiptCode::unknown_account_at_ingest;
  for (ReceiptCode c : kReceiptCodes)
    if (to_string(c) == s) return c;
  throw Malformed("unknown receipt status \"" + std::string(s) + "\"");
}

namespace sj = l2::strict_json;

// This client's words for an answer field that breaks the API's rules: `type` is what
// a value of the wrong JSON type is not, `content` what a value of the right type with
// the wrong content is not, `too_large` (if not empty) what a number above the range is.
struct Words {
  std::string_view type;
  std::string_view content;
  std::string_view too_large = {};
};

template <class T>
T expect(Result<T, sj::FieldError> r, Words words) {
  return sj::value_or_throw(std::move(r), [&](const sj::FieldError& e) {
    std::string out;
    switch (e.reason) {
      case sj::Reason::not_object:
        return std::string("expected an object");
      case sj::Reason::missing:
        return "missing field " + e.field;
      case sj::Reason::wrong_type:
        out = e.field + " is not ";
        out += words.type;
        return out;
      case sj::Reason::too_large:
        if (!words.too_large.empty()) {
          out = e.field + " is ";
          out += words.too_large;
          return out;
        }
        break;
      default:
        break;
    }
    out = e.field + " is not ";
    out += words.content;
    return out;
  });
}

const json& field(const json& j, std::string_view name) { return *expect(sj::field(j, name), {}); }
std::string text(const json& j, std::string_view name) {
  return std::string(expect(sj::read_string(j, name), {"a string", "a string"}));
}
// Leading zeros are taken (std::from_chars did).
std::uint64_t decimal(const json& j, std::string_view name) {
  return expect(sj::read_decimal_u64(j, name, sj::DecimalRules{.leading_zeros = true}),
                {"a string", "a decimal string"});
}
std::int64_t signed_decimal(const json& j, std::string_view name) {
  return expect(sj::read_decimal_i64(j, name, sj::DecimalRules{.leading_zeros = true}),
                {"a string", "a decimal string"});
}
std::uint64_t number(const json& j, std::string_view name) {
  return expect(sj::read_u64(j, name), {"a non-negative integer", "a non-negative integer"});
}
std::uint32_t number32(const json& j, std::string_view name) {
  return expect(sj::read_u32(j, name), {"a non-negative integer", "a non-negative integer", "out of range"});
}
bool boolean(const json& j, std::string_view name) {
  return expect(sj::read_bool(j, name), {"a boolean", "a boolean"});
}
Amount amount(const json& j, std::string_view name) {
  return expect(sj::read_amount(j, name), {"a string", "an amount"});
}
template <class Fixed>
Fixed fixed(const json& j, std::string_view name) {
  const std::string digits = std::to_string(Fixed::size() * 2) + " hex digits";
  return expect(sj::read_fixed<Fixed>(j, name), {"a string", digits});
}
Bytes hex_bytes(const json& j, std::string_view name) {
  return expect(sj::read_hex(j, name), {"a string", "hex"});
}

TxReceipt receipt_from(const json& j) {
  TxReceipt r;
  r.hash = fixed<Hash32>(j, "hash");
  const bool executed = j.contains("batch");
  r.status = receipt_code_from(text(j, "status"), executed);
  if (executed) {
    r.batch = BatchNumber(decimal(j, "batch"));
    r.index = number32(j, "index");
    r.state_root = fixed<Hash32>(j, "state_root");
  }
  return r;
}

std::vector<TxReceipt> receipts_from(const json& j) {
  const json& arr = field(j, "receipts");
  if (!arr.is_array()) throw Malformed("receipts is not an array");
  std::vector<TxReceipt> out;
  out.reserve(arr.size());
  for (const auto& r : arr) out.push_back(receipt_from(r));
  return out;
}

AccountInfo account_from(const json& j) {
  AccountInfo a;
  a.index = AccountIndex(number32(j, "index"));
  a.public_key = fixed<PublicKey>(j, "public_key");
  a.balance = amount(j, "balance");
  a.nonce = Nonce(decimal(j, "nonce"));
  a.withdrawn = amount(j, "withdrawn");
  a.batch = BatchNumber(decimal(j, "batch"));
  a.state_root = fixed<Hash32>(j, "state_root");
  return a;
}

BatchInfo batch_from(const json& j) {
  BatchInfo b;
  b.number = BatchNumber(decimal(j, "number"));
  b.prev_root = fixed<Hash32>(j, "prev_root");
  b.state_root = fixed<Hash32>(j, "state_root");
  b.txs_hash = fixed<Hash32>(j, "txs_hash");
  b.tx_count = number32(j, "tx_count");
  b.applied_count = number32(j, "applied_count");
  b.timestamp_ms = decimal(j, "timestamp_ms");
  return b;
}

WithdrawalInfo withdrawal_from(const json& j) {
  WithdrawalInfo w;
  w.tx_hash = fixed<Hash32>(j, "tx_hash");
  w.account = AccountIndex(number32(j, "account"));
  w.amount = amount(j, "amount");
  w.batch = BatchNumber(decimal(j, "batch"));
  w.state_root = fixed<Hash32>(j, "state_root");
  w.leaf = hex_bytes(j, "leaf");
  w.public_key = fixed<PublicKey>(j, "public_key");
  w.balance = amount(j, "balance");
  w.nonce = Nonce(decimal(j, "nonce"));
  w.withdrawn = amount(j, "withdrawn");
  w.proof = hex_bytes(j, "proof");
  w.status = text(j, "status");
  if (j.contains("final_at")) w.final_at = ChainTime(signed_decimal(j, "final_at"));
  if (j.contains("seconds_left")) w.seconds_left = ChainDuration(decimal(j, "seconds_left"));
  if (j.contains("paid")) w.paid = amount(j, "paid");
  if (j.contains("detail")) w.detail = text(j, "detail");
  return w;
}

SettlementInfo settlement_from(const json& j) {
  SettlementInfo s;
  s.base_chain = text(j, "base_chain");
  s.reachable = boolean(j, "reachable");
  s.fatal = boolean(j, "fatal");
  if (j.contains("diverged")) s.diverged = boolean(j, "diverged");
  s.synced = boolean(j, "synced");
  s.last_posted = BatchNumber(decimal(j, "last_posted"));
  s.durable_head = BatchNumber(decimal(j, "durable_head"));
  s.posted = decimal(j, "posted");
  s.refusals = decimal(j, "refusals");
  s.failures = decimal(j, "failures");
  s.last_error = text(j, "last_error");
  s.next_deposit = DepositPosition(decimal(j, "next_deposit"));
  s.next_forced = ForcedPosition(decimal(j, "next_forced"));
  s.chain_head = BlockNumber(decimal(j, "chain_head"));
  s.chain_time = ChainTime(signed_decimal(j, "chain_time"));
  if (j.contains("last_final")) s.last_final = BatchNumber(decimal(j, "last_final"));
  if (j.contains("reorgs")) s.reorgs = decimal(j, "reorgs");
  if (j.contains("reexecuted_txs")) s.reexecuted_txs = decimal(j, "reexecuted_txs");
  if (j.contains("reorg_dropped_txs")) s.reorg_dropped_txs = decimal(j, "reorg_dropped_txs");
  if (j.contains("reorg_wanted")) s.reorg_wanted = BatchNumber(decimal(j, "reorg_wanted"));
  return s;
}

ClientError make_client_error(ClientError::Kind kind, unsigned status, std::string message) {
  ClientError e;
  e.kind = kind;
  e.http_status = status;
  e.message = std::move(message);
  return e;
}

// The API's answer to one request as JSON, or the error it carries; `decode` turns the
// JSON into the call's type (throwing Malformed for an answer that is not the API's).
struct Request {
  std::string_view method;
  std::string target;
  std::string_view body;
  std::string_view content_type;
};

template <class F>
auto exchange(http::Client& http, const Request& req, F&& decode)
    -> Result<decltype(decode(json())), ClientError> {
  auto r = http.request(req.method, req.target, req.body, req.content_type);
  if (!r) return make_error(make_client_error(ClientError::Kind::transport, 0, r.error()));
  json doc = json::parse(r->body, nullptr, false);
  if (r->status < 200 || r->status > 299) {
    if (!doc.is_discarded() && doc.is_object() && doc.contains("error") && doc["error"].is_object()) {
      const json& e = doc["error"];
      if (e.contains("code") && e["code"].is_string() && e.contains("message") && e["message"].is_string()) {
        ClientError out =
            make_client_error(ClientError::Kind::api, r->status, e["message"].get<std::string>());
        out.code = error_code_from(e["code"].get<std::string>());
        if (!out.code) {
          out.kind = ClientError::Kind::bad_response;
          out.message = "unknown error code " + e["code"].get<std::string>() + ": " + out.message;
        }
        return make_error(std::move(out));
      }
    }
    return make_error(make_client_error(ClientError::Kind::bad_response, r->status,
                                        "HTTP " + std::to_string(r->status) + " without an API error body"));
  }
  if (doc.is_discarded())
    return make_error(
        make_client_error(ClientError::Kind::bad_response, r->status, "the answer is not JSON"));
  try {
    return decode(doc);
  } catch (const Malformed& m) {
    return make_error(make_client_error(ClientError::Kind::bad_response, r->status, m.what()));
  } catch (const strict_json::FieldException& m) {
    return make_error(make_client_error(ClientError::Kind::bad_response, r->status, m.what()));
  } catch (const json::exception& m) {
    return make_error(make_client_error(ClientError::Kind::bad_response, r->status, m.what()));
  }
}

template <class F>
auto get(http::Client& http, const std::string& target, F&& decode) {
  return exchange(http, Request{"GET", target, {}, {}}, std::forward<F>(decode));
}

}  // namespace

std::string describe(const ClientError& e) {
  switch (e.kind) {
    case ClientError::Kind::transport:
      return "unreachable: " + e.message;
    case ClientError::Kind::api:
      return std::to_string(e.http_status) + " " + std::string(to_string(*e.code)) + ": " + e.message;
    case ClientError::Kind::bad_response:
      break;
  }
  return "bad response (HTTP " + std::to_string(e.http_status) + "): " + e.message;
}

SequencerClient::SequencerClient(std::unique_ptr<http::Client> http) : http_(std::move(http)) {}
SequencerClient::~SequencerClient() = default;

Result<std::unique_ptr<SequencerClient>, std::string> SequencerClient::create(
    std::string_view url, const SequencerClientOptions& options) {
  http::ClientOptions o;
  o.timeout = options.timeout;
  o.ca_file = options.ca_file;
  o.insecure = options.insecure_tls;
  auto http = http::Client::create(url, o);
  if (!http) return make_error(http.error());
  return std::unique_ptr<SequencerClient>(new SequencerClient(std::move(*http)));
}

Result<NodeStatus, ClientError> SequencerClient::status() {
  return get(*http_, "/v1/status", [](const json& j) {
    NodeStatus s;
    s.chain_id = ChainId(decimal(j, "chain_id"));
    s.latest_batch = BatchNumber(decimal(j, "latest_batch"));
    s.state_root = fixed<Hash32>(j, "state_root");
    s.accounts = number(j, "accounts");
    s.mempool_depth = number(j, "mempool_depth");
    s.dev = boolean(j, "dev");
    return s;
  });
}

Result<TxReceipt, ClientError> SequencerClient::submit(const rollup::Tx& tx, ChainId chain,
                                                       const SubmitOptions& options) {
  std::string target = "/v1/transactions";
  if (options.wait) {
    target += "?wait=true";
    if (options.timeout) target += "&timeout_ms=" + std::to_string(options.timeout->count());
  }
  return exchange(*http_, Request{"POST", target, tx_to_json(tx, chain).dump(), "application/json"},
                  receipt_from);
}

Result<std::vector<TxReceipt>, ClientError> SequencerClient::submit_batch(
    std::span<const TxRequest> txs, std::optional<std::chrono::milliseconds> timeout) {
  json arr = json::array();
  for (const auto& t : txs) arr.push_back(tx_to_json(t.tx, t.chain_id));
  std::string target = "/v1/batches";
  if (timeout) target += "?timeout_ms=" + std::to_string(timeout->count());
  return exchange(*http_, Request{"POST", target, arr.dump(), "application/json"}, receipts_from);
}

Result<std::vector<TxReceipt>, ClientError> SequencerClient::submit_batch_binary(
    ChainId chain, std::span<const rollup::Tx> txs) {
  ByteWriter w;
  w.u64le(chain.value());
  w.varint(txs.size());
  for (const auto& tx : txs) w.bytes(rollup::encode_tx(tx));
  const Bytes body = w.take();
  const std::string_view view(reinterpret_cast<const char*>(body.data()), body.size());  // NOLINT
  return exchange(*http_, Request{"POST", "/v1/batches", view, "application/octet-stream"}, receipts_from);
}

Result<TxInfo, ClientError> SequencerClient::transaction(const Hash32& hash) {
  return get(*http_, "/v1/transactions/" + hash.hex(), [](const json& j) {
    TxInfo t;
    t.receipt = receipt_from(j);
    auto tx = any_tx_from_json(field(j, "tx"));  // deposits too: the API shows them
    if (!tx) throw Malformed("tx: " + tx.error().message);
    t.tx = std::move(*tx);
    return t;
  });
}

Result<AccountInfo, ClientError> SequencerClient::account(AccountIndex index) {
  return get(*http_, "/v1/accounts/" + std::to_string(index.value()), account_from);
}

Result<AccountInfo, ClientError> SequencerClient::account(const PublicKey& key) {
  return get(*http_, "/v1/accounts/" + key.hex(), account_from);
}

Result<BatchInfo, ClientError> SequencerClient::batch(BatchNumber number) {
  return get(*http_, "/v1/batches/" + std::to_string(number.value()), batch_from);
}

Result<BatchInfo, ClientError> SequencerClient::latest_batch() {
  return get(*http_, "/v1/batches/latest", batch_from);
}

Result<SettlementInfo, ClientError> SequencerClient::settlement() {
  return get(*http_, "/v1/settlement", settlement_from);
}

Result<WithdrawalInfo, ClientError> SequencerClient::withdrawal(const Hash32& tx_hash) {
  return get(*http_, "/v1/withdrawals/" + tx_hash.hex(), withdrawal_from);
}

Result<std::vector<WithdrawalInfo>, ClientError> SequencerClient::withdrawals(AccountIndex index,
                                                                              std::uint32_t limit) {
  return get(*http_,
             "/v1/accounts/" + std::to_string(index.value()) + "/withdrawals?limit=" + std::to_string(limit),
             [](const json& j) {
               const json& arr = field(j, "withdrawals");
               if (!arr.is_array()) throw Malformed("withdrawals is not an array");
               std::vector<WithdrawalInfo> out;
               for (const auto& w : arr) out.push_back(withdrawal_from(w));
               return out;
             });
}

Result<std::vector<DevDeposit>, ClientError> SequencerClient::dev_deposit(
    std::span<const DepositRequest> deposits) {
  json arr = json::array();
  for (const auto& d : deposits)
    arr.push_back({{"public_key", d.public_key.hex()}, {"amount", d.amount.to_string()}});
  return exchange(*http_, Request{"POST", "/v1/dev/deposit", arr.dump(), "application/json"},
                  [](const json& j) {
                    const json& rs = field(j, "receipts");
                    if (!rs.is_array()) throw Malformed("receipts is not an array");
                    std::vector<DevDeposit> out;
                    for (const auto& r : rs) {
                      DevDeposit d;
                      d.receipt = receipt_from(r);
                      if (r.contains("account")) d.account = AccountIndex(number32(r, "account"));
                      out.push_back(std::move(d));
                    }
                    return out;
                  });
}

}  // namespace l2::sequencer
