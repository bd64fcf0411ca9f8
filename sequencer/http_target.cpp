// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
#include "sequencer/http_target.hpp"

#include <algorithm>
#include <limits>

namespace l2::sequencer {

Target split_target(std::string_view target) {
  const auto qpos = target.find('?');
  return Target{target.substr(0, qpos),
                qpos == std::string_view::npos ? std::string_view() : target.substr(qpos + 1)};
}

Result<Query, ApiError> parse_query(std::string_view q, std::initializer_list<std::string_view> allowed) {
  Query out;
  while (!q.empty()) {
    auto amp = q.find('&');
    std::string_view part = q.substr(0, amp);
    q = amp == std::string_view::npos ? std::string_view() : q.substr(amp + 1);
    if (part.empty()) continue;
    auto eq = part.find('=');
    std::string key(part.substr(0, eq));
    std::string value(eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1));
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end())
      return make_error(ApiError{ErrorCode::bad_query, "unknown query parameter: " + key});
    if (!out.params.emplace(key, std::move(value)).second)
      return make_error(ApiError{ErrorCode::bad_query, "query parameter given twice: " + key});
  }
  return out;
}

std::optional<std::uint64_t> parse_decimal(std::string_view s) {
  auto a = Amount::parse(std::string(s));
  if (!a) return std::nullopt;
  return a->value();
}

Result<bool, ApiError> query_wait(const Query& q) {
  auto it = q.params.find("wait");
  if (it == q.params.end()) return false;
  if (it->second == "true" || it->second == "1") return true;
  if (it->second == "false" || it->second == "0") return false;
  return make_error(ApiError{ErrorCode::bad_query, "'wait' must be true or false"});
}

Result<std::chrono::milliseconds, ApiError> query_timeout(const Query& q) {
  auto it = q.params.find("timeout_ms");
  if (it == q.params.end()) return std::chrono::milliseconds(kDefaultWaitMs);
  auto v = parse_decimal(it->second);
  if (!v)
    return make_error(
        ApiError{ErrorCode::bad_query, "'timeout_ms' must be a decimal number of milliseconds"});
  return std::chrono::milliseconds(std::min<std::uint64_t>(*v, kMaxWaitMs));
}

Result<std::size_t, ApiError> query_limit(const Query& q) {
  std::size_t limit = 20;
  if (auto it = q.params.find("limit"); it != q.params.end()) {
    auto v = parse_decimal(it->second);
    if (!v || *v < 1 || *v > 100)
      return make_error(ApiError{ErrorCode::bad_query, "'limit' must be a number from 1 to 100"});
    limit = static_cast<std::size_t>(*v);
  }
  return limit;
}

Result<AccountRef, ApiError> parse_account_ref(std::string_view id) {
  if (!id.empty() && id.size() <= 10 &&
      std::all_of(id.begin(), id.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    auto v = parse_decimal(id);
    if (!v || *v > std::numeric_limits<std::uint32_t>::max())
      return make_error(ApiError{ErrorCode::not_found, "no account " + std::string(id)});
    return AccountRef(AccountIndex(static_cast<std::uint32_t>(*v)));
  }
  if (auto key = PublicKey::from_hex_string(id)) return AccountRef(*key);
  return make_error(
      ApiError{ErrorCode::bad_request, "an account is a decimal index or a 64-digit hex public key"});
}

Result<BatchQuery, ApiError> query_batch(const Query& q) {
  auto it = q.params.find("batch");
  if (it == q.params.end() || it->second == "latest") return BatchQuery{};
  if (it->second == "final") return BatchQuery{std::nullopt, true};
  auto v = parse_decimal(it->second);
  if (!v)
    return make_error(ApiError{ErrorCode::bad_query, "batch is a decimal batch number, 'latest' or 'final'"});
  return BatchQuery{BatchNumber(*v), false};
}

Result<std::optional<BatchNumber>, ApiError> parse_batch_ref(std::string_view which) {
  if (which == "latest") return std::optional<BatchNumber>();
  auto v = parse_decimal(which);
  if (!v) return make_error(ApiError{ErrorCode::bad_request, "a batch is a decimal number or 'latest'"});
  return std::optional<BatchNumber>(BatchNumber(*v));
}

}  // namespace l2::sequencer
