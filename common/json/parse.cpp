// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
#include "common/json/parse.hpp"

#include <algorithm>
#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace l2::strict_json {

Result<nlohmann::json, ParseError> parse_unique_keys(std::string_view text) {
  using Event = nlohmann::json::parse_event_t;
  // The keys seen so far in each open object (a stack of runs in one vector: objects are
  // small, so a linear scan beats a set's allocations). A key event always belongs to
  // the innermost open container, which is then an object: arrays push nothing.
  std::vector<std::string> keys;
  std::vector<std::size_t> open;  // where each open object's keys start in `keys`
  std::optional<std::string> duplicate;
  auto callback = [&](int /*depth*/, Event event, nlohmann::json& parsed) {
    switch (event) {
      case Event::object_start:
        open.push_back(keys.size());
        break;
      case Event::object_end:
        if (!open.empty()) {
          keys.resize(open.back());
          open.pop_back();
        }
        break;
      case Event::key:
        if (!open.empty() && !duplicate) {
          const auto& key = parsed.get_ref<const std::string&>();
          const auto first = keys.begin() + static_cast<std::ptrdiff_t>(open.back());
          if (std::find(first, keys.end(), key) != keys.end()) {
            duplicate = key;
          } else {
            keys.push_back(key);
          }
        }
        break;
      case Event::array_start:
      case Event::array_end:
      case Event::value:
        break;
    }
    return true;  // keep everything: the document is refused as a whole below
  };
  nlohmann::json j = nlohmann::json::parse(text.begin(), text.end(), callback, /*allow_exceptions=*/false);
  if (j.is_discarded()) return make_error(ParseError{ParseError::Kind::not_json, {}});
  if (duplicate) return make_error(ParseError{ParseError::Kind::duplicate_key, std::move(*duplicate)});
  return j;
}

}  // namespace l2::strict_json
