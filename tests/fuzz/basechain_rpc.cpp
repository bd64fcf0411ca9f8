// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// basechaind's JSON-RPC dispatcher (settlement/basechain/rpc.hpp), in process, from a
// request body to a response body, over an in-memory chain: every method, its params and
// the base txs it is given come from the input. Properties:
//   * handle() never throws and answers with one JSON document (never the JSON null), or
//     with nothing (notifications only);
//   * every response object is {"jsonrpc":"2.0","id":..} with exactly one of "result" and
//     "error" (an error with an integer code and a string message);
//   * a single request with a valid id is answered with that id;
//   * the response re-parses to the same value after serialisation.
// The chain (in memory, a fixed clock, a chain id no vector of docs/encoding.md is signed
// for, one funded account whose key is a fixed seed) must not change between inputs, so
// that a crash replays from its input alone. A fresh chain per input costs about 20 ms
// under ASan, so one chain serves every input that calls no dev_* method: without a
// signature by the funded key (which the fuzzer cannot forge) nothing else writes to it,
// and its dispatcher has the dev methods off besides. An input that calls a dev_* method
// gets a fresh chain of its own with them on.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/json/parse.hpp"
#include "settlement/basechain/chain.hpp"
#include "settlement/basechain/rpc.hpp"
#include "settlement/basechain/standard_modules.hpp"
#include "tests/fuzz/fuzz.hpp"

using namespace l2;
using nlohmann::json;

namespace {

constexpr std::int64_t kNow = 1'800'000'000;

void check_response_object(const json& r) {
  L2_FUZZ_CHECK(r.is_object());
  L2_FUZZ_CHECK(r.contains("jsonrpc") && r.at("jsonrpc") == "2.0");
  L2_FUZZ_CHECK(r.contains("id"));
  L2_FUZZ_CHECK(r.contains("result") != r.contains("error"));
  if (r.contains("error")) {
    const json& e = r.at("error");
    L2_FUZZ_CHECK(e.is_object() && e.contains("code") && e.at("code").is_number_integer());
    L2_FUZZ_CHECK(e.contains("message") && e.at("message").is_string());
  }
}

bool valid_id(const json& id) { return id.is_string() || id.is_number_integer() || id.is_null(); }

std::unique_ptr<settlement::BaseChain> open_chain() {
  settlement::ChainOptions o;
  o.chain_id = ChainId(5);
  o.clock = [] { return kNow; };
  o.genesis_alloc = {{SecretKey::from_seed(Seed32::from_view(std::vector<std::uint8_t>(32, 7))).public_key(),
                      Amount(1'000'000)}};
  auto chain = settlement::BaseChain::open(o, settlement::standard_modules());
  L2_FUZZ_CHECK(chain.ok());
  return std::move(*chain);
}

bool calls_dev_method(const json& request) {
  auto one = [](const json& r) {
    return r.is_object() && r.contains("method") && r.at("method").is_string() &&
           r.at("method").get_ref<const std::string&>().starts_with("dev_");
  };
  if (!request.is_array()) return one(request);
  return std::any_of(request.begin(), request.end(), one);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 64 * 1024) return 0;  // the HTTP layer caps bodies; big ones only slow the search
  static const std::unique_ptr<settlement::BaseChain> kShared = open_chain();
  static settlement::RpcDispatcher shared_rpc(*kShared, settlement::RpcOptions{});

  const std::string_view body = fuzz::text(data, size);
  auto request = strict_json::parse_unique_keys(body);
  std::optional<std::string> answer;
  if (request && calls_dev_method(*request)) {
    const auto chain = open_chain();
    settlement::RpcOptions dev;
    dev.dev = true;
    settlement::RpcDispatcher rpc(*chain, dev);
    answer = rpc.handle(body);
  } else {
    answer = shared_rpc.handle(body);
  }
  if (!answer) return 0;
  auto parsed = strict_json::parse_unique_keys(*answer);
  L2_FUZZ_CHECK(parsed.ok());
  const json& r = *parsed;
  L2_FUZZ_CHECK(!r.is_null());
  if (r.is_array()) {
    L2_FUZZ_CHECK(!r.empty());
    for (const auto& one : r) check_response_object(one);
  } else {
    check_response_object(r);
  }
  auto again = strict_json::parse_unique_keys(r.dump());
  L2_FUZZ_CHECK(again.ok() && *again == r);

  // A single request object with a valid id gets that id back.
  if (request && request->is_object() && request->contains("id") && valid_id(request->at("id")) &&
      request->contains("jsonrpc") && request->at("jsonrpc") == "2.0" && request->contains("method") &&
      request->at("method").is_string()) {
    L2_FUZZ_CHECK(r.is_object() && r.at("id") == request->at("id"));
  }
  return 0;
}
