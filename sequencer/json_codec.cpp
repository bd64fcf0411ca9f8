// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
#include "sequencer/json_codec.hpp"

#include <initializer_list>
#include <nlohmann/json.hpp>

#include "common/json/parse.hpp"
#include "common/json/strict.hpp"

namespace l2::sequencer {

using nlohmann::json;

namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

ApiError bad(std::string msg) { return ApiError{ErrorCode::bad_request, std::move(msg)}; }

// "'name' what", built by appending: GCC 12 at -O3 warns (-Wrestrict, bug 105651) on
// "'" + std::string(...).
std::string quoted(std::string_view name, std::string_view what) {
  std::string out;
  out.reserve(name.size() + what.size() + 3);
  out += '\'';
  out += name;
  out += "' ";
  out += what;
  return out;
}

namespace sj = l2::strict_json;

// The readers' errors in the words of docs/api.md's messages.
ApiError field_error(const sj::FieldError& e, std::string_view type_message) {
  switch (e.reason) {
    case sj::Reason::unknown_field:
      return bad(quoted(e.field, "is not a known field"));
    case sj::Reason::missing:
      return bad(quoted(e.field, "is missing"));
    case sj::Reason::wrong_type:
      return bad(quoted(e.field, type_message));
    case sj::Reason::not_decimal:
    case sj::Reason::leading_zero:
      return bad(quoted(e.field, "must be a decimal string without sign or leading zeros"));
    case sj::Reason::not_hex:
      return ApiError{ErrorCode::bad_hex, quoted(e.field, "is not hex")};
    case sj::Reason::not_object:  // the callers check the object first
    case sj::Reason::negative:
    case sj::Reason::too_large:
    case sj::Reason::too_small:
    case sj::Reason::not_integer:
    case sj::Reason::wrong_length:
      break;
  }
  return bad(quoted(e.field, std::string("is refused: ") + std::string(sj::to_string(e.reason))));
}

// Only the named fields may appear; each must appear.
Status<ApiError> check_fields(const json& j, std::initializer_list<std::string_view> fields) {
  auto f = sj::require_exactly(j, fields);
  if (!f) return make_error(field_error(f.error(), ""));
  return {};
}

Result<std::uint64_t, ApiError> get_u64_string(const json& j, const char* field) {
  auto v = sj::as_decimal_u64(j.at(field), field, sj::DecimalRules{.leading_zeros = false});
  if (v) return *v;
  if (v.error().reason == sj::Reason::too_large)
    return make_error(bad(quoted(field, "is out of range (more than 2^64 - 1)")));
  return make_error(field_error(v.error(), "must be a decimal string"));
}

Result<std::uint32_t, ApiError> get_u32_number(const json& j, const char* field) {
  // Built JSON (not parsed) may hold a non-negative index as a signed integer.
  auto v = sj::as_u32(j.at(field), field, sj::IntegerRules{.signed_non_negative = true});
  if (v) return *v;
  switch (v.error().reason) {
    case sj::Reason::too_large:
      return make_error(bad(quoted(field, "is out of range (more than 2^32 - 1)")));
    case sj::Reason::negative:
      return make_error(bad(quoted(field, "is out of range (negative)")));
    case sj::Reason::not_integer:
      return make_error(bad(quoted(field, "must be an integer from 0 to 2^32 - 1")));
    default:
      return make_error(field_error(v.error(), "must be a JSON number (an account index)"));
  }
}

template <class Fixed>
Result<Fixed, ApiError> get_hex(const json& j, const char* field) {
  auto v = sj::as_fixed<Fixed>(j.at(field), field);
  if (v) return *v;
  if (v.error().reason == sj::Reason::wrong_length) {
    std::string what = "must be " + std::to_string(2 * Fixed::size()) + " hex digits, not ";
    what += std::to_string(v.error().hex_digits);
    return make_error(ApiError{ErrorCode::bad_hex, quoted(field, what)});
  }
  return make_error(field_error(v.error(), "must be a hex string"));
}

}  // namespace

Result<json, ApiError> parse_json(std::string_view body) {
  auto j = strict_json::parse_unique_keys(body);
  if (j) return std::move(*j);
  if (j.error().kind == strict_json::ParseError::Kind::duplicate_key)
    return make_error(
        ApiError{ErrorCode::bad_request, "the key '" + j.error().key + "' appears twice in one object"});
  return make_error(ApiError{ErrorCode::bad_json, "the body is not valid JSON"});
}

Result<TxRequest, ApiError> any_tx_from_json(const json& j) {
  const auto type = j.is_object() ? j.find("type") : j.end();
  if (type == j.end() || !type->is_string() || type->get_ref<const std::string&>() != "deposit")
    return tx_from_json(j);
  if (auto fields = check_fields(j, {"type", "chain_id", "deposit_id", "to_index", "to_pubkey", "amount"});
      !fields)
    return make_error(fields.error());
  auto chain = get_u64_string(j, "chain_id");
  if (!chain) return make_error(chain.error());
  auto id = get_u64_string(j, "deposit_id");
  if (!id) return make_error(id.error());
  auto to_index = get_u32_number(j, "to_index");
  if (!to_index) return make_error(to_index.error());
  auto to = get_hex<PublicKey>(j, "to_pubkey");
  if (!to) return make_error(to.error());
  auto amount = get_u64_string(j, "amount");
  if (!amount) return make_error(amount.error());
  TxRequest out;
  out.chain_id = ChainId(*chain);
  out.tx = rollup::Deposit{DepositPosition(*id), AccountIndex(*to_index), *to, Amount(*amount)};
  return out;
}

Result<TxRequest, ApiError> tx_from_json(const json& j) {
  if (!j.is_object()) return make_error(bad("a tx must be a JSON object"));
  auto type_it = j.find("type");
  if (type_it == j.end()) return make_error(bad("'type' is missing"));
  if (!type_it->is_string()) return make_error(bad("'type' must be a string"));
  const auto& type = type_it->get_ref<const std::string&>();
  const bool is_transfer = type == "transfer";
  if (!is_transfer && type != "withdraw")
    return make_error(
        ApiError{ErrorCode::unknown_type, quoted(type, "is not a tx type (transfer or withdraw)")});
  auto fields =
      is_transfer ? check_fields(j, {"type", "chain_id", "from", "to", "amount", "fee", "nonce", "signature"})
                  : check_fields(j, {"type", "chain_id", "from", "amount", "fee", "nonce", "signature"});
  if (!fields) return make_error(fields.error());

  auto chain = get_u64_string(j, "chain_id");
  if (!chain) return make_error(chain.error());
  auto from = get_u32_number(j, "from");
  if (!from) return make_error(from.error());
  std::uint32_t to = 0;
  if (is_transfer) {
    auto t = get_u32_number(j, "to");
    if (!t) return make_error(t.error());
    to = *t;
  }
  auto amount = get_u64_string(j, "amount");
  if (!amount) return make_error(amount.error());
  auto fee = get_u64_string(j, "fee");
  if (!fee) return make_error(fee.error());
  auto nonce = get_u64_string(j, "nonce");
  if (!nonce) return make_error(nonce.error());
  auto sig = get_hex<Signature>(j, "signature");
  if (!sig) return make_error(sig.error());

  TxRequest out;
  out.chain_id = ChainId(*chain);
  if (is_transfer) {
    rollup::Transfer t;
    t.from = AccountIndex(*from);
    t.to = AccountIndex(to);
    t.amount = Amount(*amount);
    t.fee = Amount(*fee);
    t.nonce = Nonce(*nonce);
    t.signature = *sig;
    out.tx = t;
  } else {
    rollup::Withdraw w;
    w.from = AccountIndex(*from);
    w.amount = Amount(*amount);
    w.fee = Amount(*fee);
    w.nonce = Nonce(*nonce);
    w.signature = *sig;
    out.tx = w;
  }
  return out;
}

Result<std::vector<TxRequest>, ApiError> txs_from_json(const json& j, std::size_t max_txs) {
  if (!j.is_array()) return make_error(bad("a batch must be a JSON array of txs"));
  if (j.size() > max_txs)
    return make_error(ApiError{ErrorCode::too_many_txs, "the batch holds " + std::to_string(j.size()) +
                                                            " txs; at most " + std::to_string(max_txs) +
                                                            " are allowed"});
  std::vector<TxRequest> out;
  out.reserve(j.size());
  for (std::size_t i = 0; i < j.size(); ++i) {
    auto tx = tx_from_json(j[i]);
    if (!tx)
      return make_error(ApiError{tx.error().code, "tx " + std::to_string(i) + ": " + tx.error().message});
    out.push_back(std::move(*tx));
  }
  return out;
}

Result<std::vector<TxRequest>, ApiError> txs_from_binary(ByteView body, std::size_t max_txs) {
  ByteReader r(body);
  auto chain = r.u64le();
  if (!chain) return make_error(ApiError{ErrorCode::bad_encoding, "the body is shorter than its chain id"});
  ByteView rest = body.subspan(8);
  // The count alone decides too_many_txs, before anything is decoded.
  ByteReader count_reader(rest);
  auto count = count_reader.varint();
  if (count && *count > max_txs)
    return make_error(ApiError{ErrorCode::too_many_txs, "the batch holds " + std::to_string(*count) +
                                                            " txs; at most " + std::to_string(max_txs) +
                                                            " are allowed"});
  auto txs = rollup::decode_txs(rest, max_txs);
  if (!txs) {
    return make_error(ApiError{ErrorCode::bad_encoding,
                               "the batch does not decode: " + std::string(to_string(txs.error()))});
  }
  std::vector<TxRequest> out;
  out.reserve(txs->size());
  for (std::size_t i = 0; i < txs->size(); ++i) {
    if (std::holds_alternative<rollup::Deposit>((*txs)[i]))
      return make_error(ApiError{ErrorCode::unknown_type,
                                 "tx " + std::to_string(i) + ": deposits come only from the base chain"});
    out.push_back(TxRequest{std::move((*txs)[i]), ChainId(*chain)});
  }
  return out;
}

Result<std::vector<DepositRequest>, ApiError> deposits_from_json(const json& j, std::size_t max) {
  auto one = [](const json& d) -> Result<DepositRequest, ApiError> {
    if (!d.is_object()) return make_error(bad("a deposit must be a JSON object"));
    if (auto f = check_fields(d, {"public_key", "amount"}); !f) return make_error(f.error());
    auto key = get_hex<PublicKey>(d, "public_key");
    if (!key) return make_error(key.error());
    auto amount = get_u64_string(d, "amount");
    if (!amount) return make_error(amount.error());
    return DepositRequest{*key, Amount(*amount)};
  };
  std::vector<DepositRequest> out;
  if (!j.is_array()) {
    auto d = one(j);
    if (!d) return make_error(d.error());
    out.push_back(*d);
    return out;
  }
  if (j.size() > max)
    return make_error(ApiError{ErrorCode::too_many_txs, "the request holds " + std::to_string(j.size()) +
                                                            " deposits; at most " + std::to_string(max) +
                                                            " are allowed"});
  for (std::size_t i = 0; i < j.size(); ++i) {
    auto d = one(j[i]);
    if (!d)
      return make_error(ApiError{d.error().code, "deposit " + std::to_string(i) + ": " + d.error().message});
    out.push_back(*d);
  }
  return out;
}

json tx_to_json(const rollup::Tx& tx, ChainId chain) {
  const std::string chain_id = std::to_string(chain.value());
  return std::visit(Overloaded{[&](const rollup::Deposit& d) {
                                 return json{{"type", "deposit"},
                                             {"chain_id", chain_id},
                                             {"deposit_id", std::to_string(d.deposit_id.value())},
                                             {"to_index", d.to_index.value()},
                                             {"to_pubkey", d.to.hex()},
                                             {"amount", d.amount.to_string()}};
                               },
                               [&](const rollup::Transfer& t) {
                                 return json{{"type", "transfer"},
                                             {"chain_id", chain_id},
                                             {"from", t.from.value()},
                                             {"to", t.to.value()},
                                             {"amount", t.amount.to_string()},
                                             {"fee", t.fee.to_string()},
                                             {"nonce", std::to_string(t.nonce.value())},
                                             {"signature", t.signature.hex()}};
                               },
                               [&](const rollup::Withdraw& w) {
                                 return json{{"type", "withdraw"},
                                             {"chain_id", chain_id},
                                             {"from", w.from.value()},
                                             {"amount", w.amount.to_string()},
                                             {"fee", w.fee.to_string()},
                                             {"nonce", std::to_string(w.nonce.value())},
                                             {"signature", w.signature.hex()}};
                               }},
                    tx);
}

json receipt_to_json(const TxReceipt& r) {
  json j{{"hash", r.hash.hex()}, {"status", std::string(to_string(r.status))}};
  if (r.batch) {
    j["batch"] = std::to_string(r.batch->value());
    j["index"] = r.index;
    j["state_root"] = r.state_root.hex();
  }
  return j;
}

Bytes receipts_to_binary(std::span<const TxReceipt> receipts) {
  ByteWriter w(receipts.size() * 45 + 10);
  w.varint(receipts.size());
  for (const auto& r : receipts) {
    w.bytes(r.hash.view());
    w.u8(static_cast<std::uint8_t>(r.status));
    w.u64le(r.batch ? r.batch->value() : 0);
    w.u32le(r.batch ? r.index : 0);
  }
  return w.take();
}

std::string error_body(const ApiError& e) {
  return json{{"error", {{"code", std::string(to_string(e.code))}, {"message", e.message}}}}.dump(
      -1, ' ', false, json::error_handler_t::replace);
}

}  // namespace l2::sequencer
