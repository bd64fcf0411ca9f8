// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// How the wallet reads amounts and shows values to a person: amounts with thousands
// separators, short hashes, durations, aligned tables. Machine output (--json) never goes
// through here: it has the exact decimal strings of docs/wallet.md.
//
// Pure functions and a value type; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/bytes.hpp"
#include "common/result.hpp"
#include "common/types.hpp"

namespace l2::wallet {

// A whole number of the smallest unit, digits only: no sign, point, exponent, separator or
// leading zero, at most 2^64 - 1. The error says which rule the text broke.
Result<Amount, std::string> parse_amount(std::string_view text);

std::string format_amount(Amount a);           // 1234567 -> "1,234,567"
std::string format_count(std::uint64_t n);     // the same, for counts
std::string short_hex(std::string_view hex);   // "5e0b1c2d…9f3a" (first 8, last 4)
std::string format_duration(std::uint64_t s);  // 75 -> "1m 15s", 3700 -> "1h 1m"

// Columns of text, padded to align; columns marked numeric are right-aligned.
class Table {
 public:
  struct Column {
    std::string title;
    bool numeric = false;
  };
  explicit Table(std::vector<Column> columns);
  void add(std::vector<std::string> row);
  [[nodiscard]] std::string render() const;  // header, rule, rows; each line ends in '\n'

 private:
  std::vector<Column> columns_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace l2::wallet
