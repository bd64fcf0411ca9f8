// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
#include "wallet_cli/format.hpp"

#include <algorithm>
#include <charconv>

namespace l2::wallet {
namespace {

std::string group_thousands(std::uint64_t n) {
  const std::string digits = std::to_string(n);
  std::string out;
  out.reserve(digits.size() + digits.size() / 3);
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i != 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

// Display width of UTF-8 text: code points, which is what a terminal shows for the text
// this wallet prints (ASCII and the ellipsis).
std::size_t width(std::string_view s) {
  return static_cast<std::size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0U) != 0x80U; }));
}

}  // namespace

// Built with append: GCC 12 at -O3 warns (-Wrestrict, a false positive) on chains of
// std::string operator+ here.
namespace {
std::string bad_amount(std::string_view text, std::string_view why) {
  std::string m = "bad amount '";
  m.append(text);
  m.append("': ");
  m.append(why);
  return m;
}
}  // namespace

Result<Amount, std::string> parse_amount(std::string_view text) {
  if (text.empty()) return make_error(std::string("an amount is required"));
  if (text.front() == '-') return make_error(bad_amount(text, "amounts cannot be negative"));
  if (text.front() == '+') return make_error(bad_amount(text, "write the digits without a sign"));
  for (char c : text) {
    if (c == '.' || c == 'e' || c == 'E')
      return make_error(bad_amount(
          text, "an amount is a whole number of the smallest unit (no decimal point or exponent)"));
    if (c < '0' || c > '9')
      return make_error(bad_amount(text, "an amount is digits only (no separators or units)"));
  }
  if (text.size() > 1 && text.front() == '0') return make_error(bad_amount(text, "no leading zeros"));
  std::uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size())
    return make_error(bad_amount(text, "at most 18446744073709551615 (2^64 - 1)"));
  return Amount(v);
}

std::string format_amount(Amount a) { return group_thousands(a.value()); }
std::string format_count(std::uint64_t n) { return group_thousands(n); }

std::string short_hex(std::string_view hex) {
  if (hex.size() <= 14) return std::string(hex);
  std::string out(hex.substr(0, 8));
  out.append("\u2026");
  out.append(hex.substr(hex.size() - 4));
  return out;
}

std::string format_duration(std::uint64_t s) {
  if (s < 60) return std::to_string(s) + "s";
  if (s < 3600) return std::to_string(s / 60) + "m " + std::to_string(s % 60) + "s";
  if (s < 86400) return std::to_string(s / 3600) + "h " + std::to_string((s % 3600) / 60) + "m";
  return std::to_string(s / 86400) + "d " + std::to_string((s % 86400) / 3600) + "h";
}

Table::Table(std::vector<Column> columns) : columns_(std::move(columns)) {}

void Table::add(std::vector<std::string> row) {
  row.resize(columns_.size());
  rows_.push_back(std::move(row));
}

std::string Table::render() const {
  std::vector<std::size_t> w(columns_.size());
  for (std::size_t c = 0; c < columns_.size(); ++c) {
    w[c] = width(columns_[c].title);
    for (const auto& r : rows_) w[c] = std::max(w[c], width(r[c]));
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string out;
    for (std::size_t c = 0; c < cells.size(); ++c) {
      const std::size_t pad = w[c] - width(cells[c]);
      const bool last = c + 1 == cells.size();
      if (columns_[c].numeric) {
        out.append(pad, ' ');
        out += cells[c];
      } else {
        out += cells[c];
        if (!last) out.append(pad, ' ');
      }
      if (!last) out += "  ";
    }
    out += '\n';
    return out;
  };
  std::vector<std::string> titles;
  titles.reserve(columns_.size());
  for (const auto& c : columns_) titles.push_back(c.title);
  std::string out = line(titles);
  std::vector<std::string> rule;
  rule.reserve(columns_.size());
  for (std::size_t c = 0; c < columns_.size(); ++c) rule.emplace_back(w[c], '-');
  out += line(rule);
  for (const auto& r : rows_) out += line(r);
  return out;
}

}  // namespace l2::wallet
