// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
#include "common/json/parse.hpp"

#include <optional>
#include <set>
#include <utility>
#include <vector>

namespace l2::strict_json {

Result<nlohmann::json, ParseError> parse_unique_keys(std::string_view text) {
  using Event = nlohmann::json::parse_event_t;
  // One set of the keys seen so far per open object. A key event always belongs to the
  // innermost open container, which is then an object: arrays push nothing.
  std::vector<std::set<std::string, std::less<>>> open;
  std::optional<std::string> duplicate;
  auto callback = [&](int /*depth*/, Event event, nlohmann::json& parsed) {
    switch (event) {
      case Event::object_start:
        open.emplace_back();
        break;
      case Event::object_end:
        if (!open.empty()) open.pop_back();
        break;
      case Event::key:
        if (!open.empty() && !duplicate) {
          const auto& key = parsed.get_ref<const std::string&>();
          if (!open.back().insert(key).second) duplicate = key;
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
