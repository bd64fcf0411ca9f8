// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
#include "settlement/basechain/client.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <limits>
#include <string_view>
#include <utility>

#include "common/json/strict.hpp"

namespace l2::settlement {

namespace {

using json = nlohmann::json;

constexpr int kInvalidParams = -32602;
constexpr int kInternalError = -32603;

// An answer that is JSON but not of the documented shape.
struct BadAnswer {
  std::string what;
};

[[noreturn]] void bad_answer(std::string_view field, std::string_view expected) {
  throw BadAnswer{"malformed answer: " + std::string(field) + " should be " + std::string(expected)};
}

namespace sj = l2::strict_json;

// The readers' errors as "malformed answer: FIELD should be ...": `type` for a value of
// the wrong JSON type, `content` for the right type with the wrong content.
template <class T>
T expect(Result<T, sj::FieldError> r, std::string_view type, std::string_view content) {
  return sj::value_or_throw(std::move(r), [&](const sj::FieldError& e) {
    std::string_view expected = content;
    if (e.reason == sj::Reason::not_object) expected = "inside an object";
    if (e.reason == sj::Reason::missing) expected = "present";
    if (e.reason == sj::Reason::wrong_type) expected = type;
    return "malformed answer: " + e.field + " should be " + std::string(expected);
  });
}

const json& member(const json& j, std::string_view name) { return *expect(sj::field(j, name), {}, {}); }

std::uint64_t u64(const json& j, std::string_view name) {
  return expect(sj::read_u64(j, name), "a non-negative integer", "a non-negative integer");
}

std::int64_t i64(const json& j, std::string_view name) {
  return expect(sj::read_i64(j, name), "an integer", "an integer");
}

bool boolean(const json& j, std::string_view name) {
  return expect(sj::read_bool(j, name), "true or false", "true or false");
}

Amount amount(const json& v, std::string_view name) {
  return expect(sj::as_amount(v, name), "a decimal string", "a decimal string");
}

Bytes hex_bytes(const json& v, std::string_view name) {
  return expect(sj::as_hex(v, name), "a hex string", "a hex string");
}

template <class Fixed>
Fixed fixed(const json& j, std::string_view name) {
  return expect(sj::read_fixed<Fixed>(j, name), "a hex string",
                std::to_string(Fixed::size() * 2) + " hex digits");
}

ChainHead head_from(const json& j) {
  return ChainHead{BlockNumber(u64(j, "number")), ChainTime(i64(j, "timestamp")), fixed<Hash32>(j, "hash")};
}

// Parses the raw result text of call() and converts it; malformed answers become
// internal errors rather than exceptions.
template <class T, class F>
Result<T, RpcError> convert(const Result<std::string, RpcError>& raw, F&& fn) {
  if (!raw) return make_error(raw.error());
  try {
    return std::forward<F>(fn)(json::parse(*raw));
  } catch (const BadAnswer& e) {
    return make_error(RpcError{kInternalError, e.what, {}});
  } catch (const sj::FieldException& e) {
    return make_error(RpcError{kInternalError, e.what(), {}});
  } catch (const json::exception& e) {
    return make_error(RpcError{kInternalError, std::string("malformed answer: ") + e.what(), {}});
  }
}

}  // namespace

BaseChainClient::BaseChainClient(std::unique_ptr<http::Client> http, ChainId base_chain_id)
    : http_(std::move(http)), base_chain_id_(base_chain_id) {}

BaseChainClient::~BaseChainClient() = default;

Result<std::unique_ptr<BaseChainClient>, std::string> BaseChainClient::create(
    const std::string& url, const http::ClientOptions& options) {
  // A commitment with its payload (kMaxPayloadBytes, as hex, in JSON) must fit an answer.
  http::ClientOptions o = options;
  o.max_body_bytes = std::max(o.max_body_bytes, 2 * kMaxPayloadBytes + (1u << 20));
  auto http = http::Client::create(url, o);
  if (!http) return make_error(http.error());
  std::unique_ptr<BaseChainClient> client(new BaseChainClient(std::move(*http), ChainId(0)));
  auto id = client->chain_id();
  if (!id) return make_error("base chain at " + url + ": chain_getChainId failed: " + id.error().message);
  client->base_chain_id_ = *id;
  return client;
}

Result<std::string, RpcError> BaseChainClient::call(const std::string& method,
                                                    const std::string& params_json) {
  json request = {{"jsonrpc", "2.0"}, {"id", next_id_++}, {"method", method}};
  if (!params_json.empty()) {
    json params = json::parse(params_json, nullptr, false);
    if (params.is_discarded() || !params.is_object())
      return make_error(RpcError{kInvalidParams, "params must be a JSON object", {}});
    request["params"] = std::move(params);
  }
  const std::uint64_t id = request["id"].get<std::uint64_t>();
  // "" targets the URL's own path ("/" unless the URL names a prefix).
  auto response = http_->post("", request.dump());
  if (!response) return make_error(RpcError{0, response.error(), {}});
  json doc = json::parse(response->body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    // Not a JSON-RPC answer at all: a proxy's error page, a server going down. Retry later.
    return make_error(
        RpcError{0, "HTTP " + std::to_string(response->status) + " without a JSON-RPC answer", {}});
  }
  if (auto e = doc.find("error"); e != doc.end()) {
    RpcError err{kInternalError, "malformed error object", {}};
    if (e->is_object()) {
      if (auto c = e->find("code"); c != e->end() && c->is_number_integer()) err.code = c->get<int>();
      if (auto m = e->find("message"); m != e->end() && m->is_string()) err.message = m->get<std::string>();
      if (auto d = e->find("data"); d != e->end() && d->is_object()) {
        if (auto r = d->find("reason"); r != d->end() && r->is_string()) err.reason = r->get<std::string>();
      }
    }
    return make_error(std::move(err));
  }
  auto r = doc.find("result");
  auto i = doc.find("id");
  if (r == doc.end() || i == doc.end() || !i->is_number_unsigned() || i->get<std::uint64_t>() != id)
    return make_error(
        RpcError{kInternalError, "malformed answer: no result for request " + std::to_string(id), {}});
  return r->dump();
}

Result<ChainId, RpcError> BaseChainClient::chain_id() {
  return convert<ChainId>(call("chain_getChainId", ""), [](const json& j) {
    if (!j.is_number_unsigned()) bad_answer("chain id", "a non-negative integer");
    return ChainId(j.get<std::uint64_t>());
  });
}

Result<ChainHead, RpcError> BaseChainClient::head() {
  return convert<ChainHead>(call("chain_getHead", ""), head_from);
}

Result<BaseAccount, RpcError> BaseChainClient::account(const PublicKey& key) {
  return convert<BaseAccount>(
      call("chain_getAccount", json{{"account", key.hex()}}.dump()), [](const json& j) {
        return BaseAccount{amount(member(j, "balance"), "balance"), Nonce(u64(j, "nonce"))};
      });
}

Result<Hash32, RpcError> BaseChainClient::send(const BaseTx& tx) {
  return convert<Hash32>(call("chain_sendTransaction", json{{"tx", to_hex(encode_base_tx(tx))}}.dump()),
                         [](const json& j) { return fixed<Hash32>(j, "hash"); });
}

Result<std::optional<RollupInfo>, RpcError> BaseChainClient::rollup(ChainId rollup_id) {
  return convert<std::optional<RollupInfo>>(
      call("bridge_getRollup", json{{"rollup_id", rollup_id.value()}}.dump()),
      [](const json& j) -> std::optional<RollupInfo> {
        if (j.is_null()) return std::nullopt;
        RollupInfo r;
        r.rollup_id = ChainId(u64(j, "rollup_id"));
        r.sequencer = fixed<PublicKey>(j, "sequencer");
        r.operator_key = fixed<PublicKey>(j, "operator_key");
        r.genesis_root = fixed<Hash32>(j, "genesis_root");
        r.challenge_window_s = ChainDuration(u64(j, "challenge_window_s"));
        r.inclusion_deadline_s = ChainDuration(u64(j, "inclusion_deadline_s"));
        r.deposit_count = u64(j, "deposit_count");
        r.forced_count = u64(j, "forced_count");
        r.last_batch = BatchNumber(u64(j, "last_batch"));
        r.last_root = fixed<Hash32>(j, "last_root");
        r.last_final = BatchNumber(u64(j, "last_final"));
        r.locked = amount(member(j, "locked"), "locked");
        r.bond = amount(member(j, "bond"), "bond");
        r.dispute_clock_s = ChainDuration(u64(j, "dispute_clock_s"));
        return r;
      });
}

Result<std::vector<QueuedDeposit>, RpcError> BaseChainClient::deposits(ChainId rollup_id,
                                                                       DepositPosition from,
                                                                       std::uint32_t limit) {
  json params = {{"rollup_id", rollup_id.value()}, {"from", from.value()}, {"limit", limit}};
  return convert<std::vector<QueuedDeposit>>(call("bridge_getDeposits", params.dump()), [](const json& j) {
    if (!j.is_array()) bad_answer("deposits", "an array");
    std::vector<QueuedDeposit> out;
    for (const auto& d : j) {
      const std::uint64_t account = u64(d, "account_index");
      if (account > 0xFFFFFFFFull) bad_answer("account_index", "a 32-bit account index");
      out.push_back(QueuedDeposit{DepositPosition(u64(d, "index")), fixed<PublicKey>(d, "recipient"),
                                  AccountIndex(static_cast<std::uint32_t>(account)),
                                  amount(member(d, "amount"), "amount"), ChainTime(i64(d, "timestamp"))});
    }
    return out;
  });
}

Result<std::vector<QueuedForced>, RpcError> BaseChainClient::forced(ChainId rollup_id, ForcedPosition from,
                                                                    std::uint32_t limit) {
  json params = {{"rollup_id", rollup_id.value()}, {"from", from.value()}, {"limit", limit}};
  return convert<std::vector<QueuedForced>>(call("bridge_getForcedTxs", params.dump()), [](const json& j) {
    if (!j.is_array()) bad_answer("forced txs", "an array");
    std::vector<QueuedForced> out;
    for (const auto& f : j) {
      auto tx = rollup::decode_tx(hex_bytes(member(f, "tx"), "tx"));
      if (!tx) bad_answer("tx", "a rollup tx in wire form");
      out.push_back(
          QueuedForced{ForcedPosition(u64(f, "index")), std::move(*tx), ChainTime(i64(f, "timestamp"))});
    }
    return out;
  });
}

Result<std::optional<CommitmentRecord>, RpcError> BaseChainClient::commitment(ChainId rollup_id,
                                                                              BatchNumber batch,
                                                                              bool with_payload) {
  json params = {{"rollup_id", rollup_id.value()}, {"batch", batch.value()}, {"payload", with_payload}};
  return convert<std::optional<CommitmentRecord>>(
      call("rollup_getCommitment", params.dump()),
      [with_payload](const json& j) -> std::optional<CommitmentRecord> {
        if (j.is_null()) return std::nullopt;
        CommitmentRecord r;
        CommitmentHeader& h = r.commitment.header;
        h.rollup_id = ChainId(u64(j, "rollup_id"));
        h.batch = BatchNumber(u64(j, "batch"));
        h.prev_root = fixed<Hash32>(j, "prev_root");
        h.new_root = fixed<Hash32>(j, "new_root");
        const std::uint64_t applied = u64(j, "applied_txs");
        if (applied > std::numeric_limits<std::uint32_t>::max()) bad_answer("applied_txs", "a 32-bit count");
        h.applied_txs = static_cast<std::uint32_t>(applied);
        h.payload_hash = fixed<Hash32>(j, "payload_hash");
        h.deposits_upto = DepositPosition(u64(j, "deposits_upto"));
        h.forced_upto = ForcedPosition(u64(j, "forced_upto"));
        const json& mode = member(j, "mode");
        if (mode == "optimistic")
          h.mode = SettlementMode::optimistic;
        else if (mode == "validity")
          h.mode = SettlementMode::validity;
        else
          bad_answer("mode", "\"optimistic\" or \"validity\"");
        if (with_payload) r.commitment.payload = hex_bytes(member(j, "payload"), "payload");
        r.tx_hash = fixed<Hash32>(j, "tx_hash");
        r.posted_at = ChainTime(i64(j, "posted_at"));
        const json& block = member(j, "block");
        if (!block.is_null() && !block.is_number_unsigned()) bad_answer("block", "a block number or null");
        if (!block.is_null()) r.block = BlockNumber(block.get<std::uint64_t>());
        r.is_final = boolean(j, "final");
        r.final_at = ChainTime(i64(j, "final_at"));
        return r;
      });
}

namespace {

std::string text(const json& j, std::string_view name) {
  return std::string(expect(sj::read_string(j, name), "a string", "a string"));
}

std::optional<std::string> optional_text(const json& j, std::string_view name) {
  const json& v = member(j, name);
  if (v.is_null()) return std::nullopt;
  return text(j, name);
}

}  // namespace

Result<std::vector<DisputeRecord>, RpcError> BaseChainClient::disputes(ChainId rollup_id, BatchNumber batch) {
  json params = {{"rollup_id", rollup_id.value()}, {"batch", batch.value()}};
  return convert<std::vector<DisputeRecord>>(
      call("dispute_getDisputes", params.dump()), [](const json& list) {
        if (!list.is_array()) bad_answer("result", "an array");
        std::vector<DisputeRecord> out;
        for (const json& j : list) {
          DisputeRecord d;
          d.id = u64(j, "id");
          d.batch = BatchNumber(u64(j, "batch"));
          d.challenger = fixed<PublicKey>(j, "challenger");
          d.commitment_tx = fixed<Hash32>(j, "commitment_tx");
          d.status = text(j, "status");
          d.phase = text(j, "phase");
          d.end = optional_text(j, "end");
          d.positions = u64(j, "positions");
          d.lo = u64(j, "lo");
          d.hi = u64(j, "hi");
          if (j.contains("mid")) d.mid = u64(j, "mid");
          if (j.contains("proposed_root") && !j["proposed_root"].is_null())
            d.proposed_root = fixed<Hash32>(j, "proposed_root");
          d.defender_clock_s = ChainDuration(u64(j, "defender_clock_s"));
          d.challenger_clock_s = ChainDuration(u64(j, "challenger_clock_s"));
          d.turn_began = ChainTime(i64(j, "turn_began"));
          d.moves = u64(j, "moves");
          out.push_back(std::move(d));
        }
        return out;
      });
}

Result<std::optional<BondRecord>, RpcError> BaseChainClient::bond(ChainId rollup_id, BatchNumber batch) {
  json params = {{"rollup_id", rollup_id.value()}, {"batch", batch.value()}};
  return convert<std::optional<BondRecord>>(
      call("dispute_getBond", params.dump()), [](const json& j) -> std::optional<BondRecord> {
        const json& b = member(j, "bond");
        if (b.is_null()) return std::nullopt;
        const json& returned = member(b, "returned");
        if (!returned.is_boolean()) bad_answer("returned", "a boolean");
        return BondRecord{BatchNumber(u64(b, "batch")), fixed<PublicKey>(b, "owner"),
                          amount(member(b, "amount"), "amount"), returned.get<bool>()};
      });
}

Result<std::vector<BatchNumber>, RpcError> BaseChainClient::disputes_opened(ChainId rollup_id,
                                                                            BlockNumber from,
                                                                            BlockNumber to) {
  json params = {{"from_block", from.value()},
                 {"to_block", to.value()},
                 {"module", "disputes"},
                 {"event", "DisputeOpened"},
                 {"rollup_id", rollup_id.value()}};
  return convert<std::vector<BatchNumber>>(call("chain_getLogs", params.dump()), [](const json& logs) {
    if (!logs.is_array()) bad_answer("result", "an array");
    std::vector<BatchNumber> out;
    for (const json& l : logs) out.emplace_back(u64(member(l, "data"), "batch"));
    return out;
  });
}

Result<Amount, RpcError> BaseChainClient::withdrawn(ChainId rollup_id, const PublicKey& account) {
  json params = {{"rollup_id", rollup_id.value()}, {"account", account.hex()}};
  return convert<Amount>(call("bridge_getWithdrawn", params.dump()),
                         [](const json& j) { return amount(j, "withdrawn"); });
}

Result<ChainHead, RpcError> BaseChainClient::dev_mine() {
  return convert<ChainHead>(call("dev_mine", ""), head_from);
}

Result<ChainHead, RpcError> BaseChainClient::dev_advance_time(ChainDuration by) {
  return convert<ChainHead>(call("dev_advanceTime", json{{"seconds", by.value()}}.dump()), head_from);
}

Result<Hash32, RpcError> BaseChainClient::dev_fund(const PublicKey& account, Amount funds) {
  json params = {{"account", account.hex()}, {"amount", funds.to_string()}};
  return convert<Hash32>(call("dev_fund", params.dump()),
                         [](const json& j) { return fixed<Hash32>(j, "hash"); });
}

}  // namespace l2::settlement
