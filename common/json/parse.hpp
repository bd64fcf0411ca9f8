// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// Parsing a JSON document that may not repeat a key inside one object. nlohmann::json
// keeps the last of two equal keys silently, so {"amount":"1","amount":"1000"} reads
// as 1000 while another parser of the same bytes may see 1: a document a signer and a
// server read differently. parse_unique_keys refuses it instead.
//
// sequencerd's request bodies and basechaind's JSON-RPC requests are parsed with it.
// Stateless; thread-safe.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace l2::strict_json {

struct ParseError {
  enum class Kind : std::uint8_t {
    not_json,       // not one JSON document (syntax, trailing text, empty input)
    duplicate_key,  // an object holds `key` twice
  };
  Kind kind = Kind::not_json;
  std::string key;  // duplicate_key: the repeated key (the first one found)
};

Result<nlohmann::json, ParseError> parse_unique_keys(std::string_view text);

}  // namespace l2::strict_json
