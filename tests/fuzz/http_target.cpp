// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// sequencer/http_target.hpp: the request target as sequencerd's router reads it: path and
// query, the query's parameters and their values, and the path's parameters. Properties:
//   * path + "?" + query is the target (when it has a '?');
//   * a query that parses has exactly one parameter per non-empty part, each an allowed
//     key, and re-serialised (key=value joined by '&') parses to the same parameters;
//   * the value readers and the path readers return in range or refuse, never crash; an
//     account or batch that parses prints back to the text it came from.
#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>

#include "sequencer/http_target.hpp"
#include "tests/fuzz/fuzz.hpp"

using namespace l2;
using namespace l2::sequencer;

namespace {

std::size_t non_empty_parts(std::string_view q) {
  std::size_t n = 0;
  while (!q.empty()) {
    auto amp = q.find('&');
    if (amp != 0) ++n;
    q = amp == std::string_view::npos ? std::string_view() : q.substr(amp + 1);
  }
  return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view target = fuzz::text(data, size);
  const Target t = split_target(target);
  if (target.find('?') == std::string_view::npos) {
    L2_FUZZ_CHECK(t.path == target && t.query.empty());
  } else {
    L2_FUZZ_CHECK(std::string(t.path) + "?" + std::string(t.query) == target);
  }

  if (auto q = parse_query(t.query, {"wait", "timeout_ms", "limit"})) {
    L2_FUZZ_CHECK(q->params.size() == non_empty_parts(t.query));
    std::string again;
    for (const auto& [k, v] : q->params) again += (again.empty() ? "" : "&") + k + "=" + v;
    auto q2 = parse_query(again, {"wait", "timeout_ms", "limit"});
    L2_FUZZ_CHECK(q2.ok() && q2->params == q->params);
    if (auto timeout = query_timeout(*q))
      L2_FUZZ_CHECK(timeout->count() >= 0 && timeout->count() <= kMaxWaitMs);
    (void)query_wait(*q);
    if (auto limit = query_limit(*q)) L2_FUZZ_CHECK(*limit >= 1 && *limit <= 100);
  }
  // Only the allowed keys: anything else is refused.
  if (auto none = parse_query(t.query, {})) L2_FUZZ_CHECK(none->params.empty());

  if (auto ref = parse_account_ref(t.path)) {
    if (const auto* i = std::get_if<AccountIndex>(&*ref)) {
      L2_FUZZ_CHECK(std::to_string(i->value()) == t.path);
    } else {
      std::string lower(t.path);
      for (auto& c : lower)
        if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
      L2_FUZZ_CHECK(std::get<PublicKey>(*ref).hex() == lower);
    }
  }
  if (auto batch = parse_batch_ref(t.path)) {
    L2_FUZZ_CHECK(*batch ? std::to_string((*batch)->value()) == t.path : t.path == "latest");
  }
  return 0;
}
