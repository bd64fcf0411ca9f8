// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
#include "common/json/strict.hpp"

#include <nlohmann/json.hpp>

#include <limits>

namespace l2::strict_json {

namespace {

FieldError error_of(std::string_view name, Reason reason) { return FieldError{std::string(name), reason, 0}; }

// The digits of a decimal string (no sign) as a u64: not_decimal, leading_zero, too_large.
Result<std::uint64_t, Reason> digits_u64(std::string_view s, DecimalRules rules) {
  if (s.empty()) return make_error(Reason::not_decimal);
  for (char c : s)
    if (c < '0' || c > '9') return make_error(Reason::not_decimal);
  if (!rules.leading_zeros && s.size() > 1 && s[0] == '0') return make_error(Reason::leading_zero);
  constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
  std::uint64_t v = 0;
  for (char c : s) {
    const auto d = static_cast<std::uint64_t>(c - '0');
    if (v > (kMax - d) / 10) return make_error(Reason::too_large);
    v = v * 10 + d;
  }
  return v;
}

}  // namespace

std::string_view to_string(Reason r) {
  switch (r) {
    case Reason::not_object:
      return "not_object";
    case Reason::missing:
      return "missing";
    case Reason::unknown_field:
      return "unknown_field";
    case Reason::wrong_type:
      return "wrong_type";
    case Reason::not_decimal:
      return "not_decimal";
    case Reason::leading_zero:
      return "leading_zero";
    case Reason::negative:
      return "negative";
    case Reason::too_large:
      return "too_large";
    case Reason::too_small:
      return "too_small";
    case Reason::not_integer:
      return "not_integer";
    case Reason::not_hex:
      return "not_hex";
    case Reason::wrong_length:
      return "wrong_length";
  }
  return "unknown";
}

// ---- text --------------------------------------------------------------------------------

Result<std::uint64_t, Reason> parse_decimal_u64(std::string_view s, DecimalRules rules) {
  return digits_u64(s, rules);
}

Result<std::int64_t, Reason> parse_decimal_i64(std::string_view s, DecimalRules rules) {
  const bool minus = !s.empty() && s[0] == '-';
  auto magnitude = digits_u64(minus ? s.substr(1) : s, rules);
  if (!magnitude)
    return make_error(magnitude.error() == Reason::too_large && minus ? Reason::too_small
                                                                      : magnitude.error());
  constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (!minus) {
    if (*magnitude > kMax) return make_error(Reason::too_large);
    return static_cast<std::int64_t>(*magnitude);
  }
  if (*magnitude > kMax + 1) return make_error(Reason::too_small);
  if (*magnitude == kMax + 1) return std::numeric_limits<std::int64_t>::min();
  return -static_cast<std::int64_t>(*magnitude);
}

Result<Bytes, Reason> parse_hex(std::string_view s) {
  auto b = from_hex(s);
  if (!b) return make_error(Reason::not_hex);
  return std::move(*b);
}

Result<Bytes, Reason> parse_hex(std::string_view s, std::size_t bytes) {
  auto b = parse_hex(s);
  if (b && b->size() != bytes) return make_error(Reason::wrong_length);
  return b;
}

// ---- values ------------------------------------------------------------------------------

Result<std::uint64_t, FieldError> as_u64(const Json& v, std::string_view name, IntegerRules rules) {
  if (v.is_number_unsigned()) return v.get<std::uint64_t>();
  if (v.is_number_integer()) {  // stored as signed
    const auto n = v.get<std::int64_t>();
    if (n < 0) return make_error(error_of(name, Reason::negative));
    if (!rules.signed_non_negative) return make_error(error_of(name, Reason::wrong_type));
    return static_cast<std::uint64_t>(n);
  }
  if (v.is_number_float()) return make_error(error_of(name, Reason::not_integer));
  return make_error(error_of(name, Reason::wrong_type));
}

Result<std::uint32_t, FieldError> as_u32(const Json& v, std::string_view name, IntegerRules rules) {
  auto n = as_u64(v, name, rules);
  if (!n) return make_error(n.error());
  if (*n > std::numeric_limits<std::uint32_t>::max()) return make_error(error_of(name, Reason::too_large));
  return static_cast<std::uint32_t>(*n);
}

Result<std::int64_t, FieldError> as_i64(const Json& v, std::string_view name) {
  if (v.is_number_unsigned()) {
    const auto n = v.get<std::uint64_t>();
    if (n > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
      return make_error(error_of(name, Reason::too_large));
    return static_cast<std::int64_t>(n);
  }
  if (v.is_number_integer()) return v.get<std::int64_t>();
  return make_error(error_of(name, Reason::wrong_type));
}

Result<bool, FieldError> as_bool(const Json& v, std::string_view name) {
  if (!v.is_boolean()) return make_error(error_of(name, Reason::wrong_type));
  return v.get<bool>();
}

Result<std::string_view, FieldError> as_string(const Json& v, std::string_view name) {
  if (!v.is_string()) return make_error(error_of(name, Reason::wrong_type));
  return std::string_view(v.get_ref<const std::string&>());
}

Result<std::uint64_t, FieldError> as_decimal_u64(const Json& v, std::string_view name, DecimalRules rules) {
  auto s = as_string(v, name);
  if (!s) return make_error(s.error());
  auto n = parse_decimal_u64(*s, rules);
  if (!n) return make_error(error_of(name, n.error()));
  return *n;
}

Result<std::int64_t, FieldError> as_decimal_i64(const Json& v, std::string_view name, DecimalRules rules) {
  auto s = as_string(v, name);
  if (!s) return make_error(s.error());
  auto n = parse_decimal_i64(*s, rules);
  if (!n) return make_error(error_of(name, n.error()));
  return *n;
}

Result<Amount, FieldError> as_amount(const Json& v, std::string_view name) {
  auto n = as_decimal_u64(v, name, DecimalRules{.leading_zeros = false});
  if (!n) return make_error(n.error());
  return Amount(*n);
}

Result<Bytes, FieldError> as_hex(const Json& v, std::string_view name) {
  auto s = as_string(v, name);
  if (!s) return make_error(s.error());
  auto b = parse_hex(*s);
  if (!b) return make_error(error_of(name, b.error()));
  return std::move(*b);
}

Result<Bytes, FieldError> as_hex(const Json& v, std::string_view name, std::size_t bytes) {
  auto s = as_string(v, name);
  if (!s) return make_error(s.error());
  auto b = parse_hex(*s, bytes);
  if (!b) return make_error(FieldError{std::string(name), b.error(), s->size()});
  return std::move(*b);
}

// ---- fields ------------------------------------------------------------------------------

Result<const Json*, FieldError> field(const Json& obj, std::string_view name) {
  if (!obj.is_object()) return make_error(error_of(name, Reason::not_object));
  auto it = obj.find(name);
  if (it == obj.end()) return make_error(error_of(name, Reason::missing));
  return &*it;
}

Status<FieldError> refuse_unknown(const Json& obj, std::initializer_list<std::string_view> allowed) {
  for (const auto& item : obj.items()) {
    const std::string& key = item.key();
    bool known = false;
    for (auto a : allowed) known = known || key == a;
    if (!known) return make_error(error_of(key, Reason::unknown_field));
  }
  return {};
}

Status<FieldError> require_exactly(const Json& obj, std::initializer_list<std::string_view> fields) {
  if (auto unknown = refuse_unknown(obj, fields); !unknown) return unknown;
  for (auto f : fields)
    if (!obj.contains(f)) return make_error(error_of(f, Reason::missing));
  return {};
}

namespace {
// field(obj, name), then `as` on its value.
template <class As>
auto read(const Json& obj, std::string_view name, As&& as) -> decltype(as(obj)) {
  auto v = field(obj, name);
  if (!v) return make_error(v.error());
  return as(**v);
}
}  // namespace

Result<std::uint64_t, FieldError> read_u64(const Json& obj, std::string_view name, IntegerRules rules) {
  return read(obj, name, [&](const Json& v) { return as_u64(v, name, rules); });
}
Result<std::uint32_t, FieldError> read_u32(const Json& obj, std::string_view name, IntegerRules rules) {
  return read(obj, name, [&](const Json& v) { return as_u32(v, name, rules); });
}
Result<std::int64_t, FieldError> read_i64(const Json& obj, std::string_view name) {
  return read(obj, name, [&](const Json& v) { return as_i64(v, name); });
}
Result<bool, FieldError> read_bool(const Json& obj, std::string_view name) {
  return read(obj, name, [&](const Json& v) { return as_bool(v, name); });
}
Result<std::string_view, FieldError> read_string(const Json& obj, std::string_view name) {
  return read(obj, name, [&](const Json& v) { return as_string(v, name); });
}
Result<std::uint64_t, FieldError> read_decimal_u64(const Json& obj, std::string_view name,
                                                   DecimalRules rules) {
  return read(obj, name, [&](const Json& v) { return as_decimal_u64(v, name, rules); });
}
Result<std::int64_t, FieldError> read_decimal_i64(const Json& obj, std::string_view name,
                                                  DecimalRules rules) {
  return read(obj, name, [&](const Json& v) { return as_decimal_i64(v, name, rules); });
}
Result<Amount, FieldError> read_amount(const Json& obj, std::string_view name) {
  return read(obj, name, [&](const Json& v) { return as_amount(v, name); });
}
Result<Bytes, FieldError> read_hex(const Json& obj, std::string_view name) {
  return read(obj, name, [&](const Json& v) { return as_hex(v, name); });
}

// ---- the throwing form -------------------------------------------------------------------

std::string describe(const FieldError& e) {
  std::string out;
  out += '\'';
  out += e.field;
  out += "' ";
  switch (e.reason) {
    case Reason::not_object:
      out += "is not in an object";
      break;
    case Reason::missing:
      out += "is missing";
      break;
    case Reason::unknown_field:
      out += "is not a known field";
      break;
    case Reason::wrong_type:
      out += "has the wrong JSON type";
      break;
    case Reason::not_decimal:
      out += "is not a decimal string";
      break;
    case Reason::leading_zero:
      out += "has a leading zero";
      break;
    case Reason::negative:
      out += "is negative";
      break;
    case Reason::too_large:
      out += "is too large";
      break;
    case Reason::too_small:
      out += "is too small";
      break;
    case Reason::not_integer:
      out += "is not an integer";
      break;
    case Reason::not_hex:
      out += "is not hex";
      break;
    case Reason::wrong_length:
      out += "has the wrong length (";
      out += std::to_string(e.hex_digits);
      out += " hex digits)";
      break;
  }
  return out;
}

}  // namespace l2::strict_json
