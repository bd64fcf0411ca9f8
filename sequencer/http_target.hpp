// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// The parts of a request target that sequencerd's router reads (docs/api.md): the path
// and the query, the query's parameters, and the path's parameters (an account, a batch).
// Taken out of the router so that they can be fuzzed on their own (tests/fuzz/http_target).
//
//   target = path [ "?" query ]
//   query  = part *( "&" part );  part = key [ "=" value ] (empty parts are skipped)
//
// Strict: a key the route does not take, or a key given twice (?wait=false&wait=true is
// refused, never read as either), is bad_query. There is no percent-decoding: no
// parameter of the API needs a reserved character, so "%" is just a character (and so no
// value the API takes). Stateless functions; thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "common/types.hpp"
#include "sequencer/api_types.hpp"
#include "sequencer/node.hpp"

namespace l2::sequencer {

inline constexpr std::uint32_t kDefaultWaitMs = 10000;
inline constexpr std::uint32_t kMaxWaitMs = 60000;

struct Target {
  std::string_view path;
  std::string_view query;  // after the first '?', empty without one
};
Target split_target(std::string_view target);

struct Query {
  std::map<std::string, std::string, std::less<>> params;
};
// bad_query for a key outside `allowed` or a key given twice.
Result<Query, ApiError> parse_query(std::string_view q, std::initializer_list<std::string_view> allowed);

// A decimal number without sign or leading zeros (Amount::parse's rule).
std::optional<std::uint64_t> parse_decimal(std::string_view s);
// wait=true|1|false|0; absent: false.
Result<bool, ApiError> query_wait(const Query& q);
// timeout_ms=DECIMAL, capped at kMaxWaitMs; absent: kDefaultWaitMs.
Result<std::chrono::milliseconds, ApiError> query_timeout(const Query& q);
// limit=1..100; absent: 20.
Result<std::size_t, ApiError> query_limit(const Query& q);

// batch=DECIMAL|latest|final of GET /v1/accounts/{id}[/proof]; absent: latest.
struct BatchQuery {
  std::optional<BatchNumber> number;  // set: that batch
  bool final = false;                 // the base chain's last final batch
};
Result<BatchQuery, ApiError> query_batch(const Query& q);

// {id} of /v1/accounts/{id}: a decimal index (not_found above 2^32 - 1) or a 64-digit hex
// public key.
Result<AccountRef, ApiError> parse_account_ref(std::string_view id);
// {n} of /v1/batches/{n}: a decimal number, or "latest" (nullopt).
Result<std::optional<BatchNumber>, ApiError> parse_batch_ref(std::string_view which);

}  // namespace l2::sequencer
