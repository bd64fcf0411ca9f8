// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// Strict readers of JSON values: the one implementation of the rules the APIs document
// (docs/api.md, docs/basechain.md) for a field of a given JSON type, a decimal-string
// integer, a JSON-number integer, hex of an exact length, and an object that may hold
// only named fields. Servers and clients word their errors differently, so the readers
// say what went wrong as a FieldError (the field's name and a Reason) and each caller
// turns it into its own message:
//
//   * the Result form (servers): `as_*` on a value, `read_*` on a field of an object;
//   * the throwing form (clients): value_or_throw(result, describe) throws a
//     FieldException whose what() is the caller's wording of the error.
//
// Where two callers accept different inputs (leading zeros in a decimal string, a
// non-negative integer that nlohmann stores as signed), the difference is an option
// of the rules, never a second copy.
//
// The namespace is not l2::json: that would hide the `using json = nlohmann::json;`
// aliases of code inside namespace l2.
//
// Stateless functions; thread-safe. A FieldError names the field as the caller passed
// it (clip long client-sent names before echoing them).
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include "common/bytes.hpp"
#include "common/result.hpp"
#include "common/types.hpp"

namespace l2::strict_json {

using Json = nlohmann::json;

// What is wrong with a field; each reader documents the reasons it gives.
enum class Reason : std::uint8_t {
  not_object,     // the value that should hold the field is not a JSON object
  missing,        // a required field is absent
  unknown_field,  // a field the object may not hold
  wrong_type,     // the JSON type is not the expected one (a number for a string, ...)
  not_decimal,    // a decimal string holding something other than digits: empty, a sign, a space, ...
  leading_zero,   // a decimal string with a leading zero (other than "0"), where refused
  negative,       // a negative integer where only non-negative ones are taken
  too_large,      // above the type's maximum (2^64 - 1, 2^32 - 1, 2^63 - 1)
  too_small,      // below the type's minimum (-2^63)
  not_integer,    // a JSON number with a fraction or an exponent (or too large for any integer)
  not_hex,        // an odd number of digits, or a character that is not a hex digit
  wrong_length,   // hex of the wrong number of bytes
};
std::string_view to_string(Reason r);

struct FieldError {
  std::string field;
  Reason reason = Reason::wrong_type;
  std::size_t hex_digits = 0;  // wrong_length: the number of hex digits received
};

// ---- the rules on text ------------------------------------------------------------------

// A decimal string: ASCII digits only (no sign, no '+', no space, not empty), at most the
// type's range. Leading zeros are refused unless `leading_zeros`.
struct DecimalRules {
  bool leading_zeros = false;
};
// not_decimal, leading_zero, too_large.
Result<std::uint64_t, Reason> parse_decimal_u64(std::string_view s, DecimalRules rules = {});
// As parse_decimal_u64 after an optional '-': not_decimal, leading_zero, too_large, too_small.
Result<std::int64_t, Reason> parse_decimal_i64(std::string_view s, DecimalRules rules = {});
// Hex digits, either case, no 0x, an even number of them: not_hex.
Result<Bytes, Reason> parse_hex(std::string_view s);
// As parse_hex and exactly `bytes` bytes: not_hex (checked first), wrong_length.
Result<Bytes, Reason> parse_hex(std::string_view s, std::size_t bytes);

// ---- the Result form: one JSON value, `name` for the error ------------------------------

// Integers held as JSON numbers. A parsed document holds every non-negative integer as
// unsigned and every negative one ("-0" included) as signed; JSON built in C++ from an
// `int` holds a non-negative value as signed. `signed_non_negative` takes those too.
struct IntegerRules {
  bool signed_non_negative = false;
};
// wrong_type (not a number; a signed one unless the rules take it), not_integer,
// negative.
Result<std::uint64_t, FieldError> as_u64(const Json& v, std::string_view name, IntegerRules rules = {});
// As as_u64, and too_large above 2^32 - 1.
Result<std::uint32_t, FieldError> as_u32(const Json& v, std::string_view name, IntegerRules rules = {});
// Any JSON integer in range: wrong_type (not a number, or not an integer), too_large.
Result<std::int64_t, FieldError> as_i64(const Json& v, std::string_view name);
// wrong_type.
Result<bool, FieldError> as_bool(const Json& v, std::string_view name);
// wrong_type. The view points into `v`.
Result<std::string_view, FieldError> as_string(const Json& v, std::string_view name);
// A decimal string: wrong_type, then parse_decimal_u64's reasons.
Result<std::uint64_t, FieldError> as_decimal_u64(const Json& v, std::string_view name,
                                                 DecimalRules rules = {});
Result<std::int64_t, FieldError> as_decimal_i64(const Json& v, std::string_view name,
                                                DecimalRules rules = {});
// An amount: a decimal string without leading zeros (Amount::parse's rule).
Result<Amount, FieldError> as_amount(const Json& v, std::string_view name);
// A hex string: wrong_type, not_hex.
Result<Bytes, FieldError> as_hex(const Json& v, std::string_view name);
// A hex string of exactly `bytes` bytes: wrong_type, not_hex, wrong_length.
Result<Bytes, FieldError> as_hex(const Json& v, std::string_view name, std::size_t bytes);
template <class Fixed>
Result<Fixed, FieldError> as_fixed(const Json& v, std::string_view name) {
  auto b = as_hex(v, name, Fixed::size());
  if (!b) return make_error(b.error());
  return Fixed::from_view(*b);
}

// ---- the Result form: a field of an object ----------------------------------------------

// The field `name` of `obj`: not_object, missing.
Result<const Json*, FieldError> field(const Json& obj, std::string_view name);

// unknown_field for the first member (in the object's order) whose key is not in
// `allowed`. Runs over obj.items(), so a value that is not an object is taken as it is
// (null has no members).
Status<FieldError> refuse_unknown(const Json& obj, std::initializer_list<std::string_view> allowed);
// refuse_unknown, then missing for the first of `fields` (in their order) that is absent.
Status<FieldError> require_exactly(const Json& obj, std::initializer_list<std::string_view> fields);

// field(obj, name), then as_*(value, name).
Result<std::uint64_t, FieldError> read_u64(const Json& obj, std::string_view name, IntegerRules rules = {});
Result<std::uint32_t, FieldError> read_u32(const Json& obj, std::string_view name, IntegerRules rules = {});
Result<std::int64_t, FieldError> read_i64(const Json& obj, std::string_view name);
Result<bool, FieldError> read_bool(const Json& obj, std::string_view name);
Result<std::string_view, FieldError> read_string(const Json& obj, std::string_view name);
Result<std::uint64_t, FieldError> read_decimal_u64(const Json& obj, std::string_view name,
                                                   DecimalRules rules = {});
Result<std::int64_t, FieldError> read_decimal_i64(const Json& obj, std::string_view name,
                                                  DecimalRules rules = {});
Result<Amount, FieldError> read_amount(const Json& obj, std::string_view name);
Result<Bytes, FieldError> read_hex(const Json& obj, std::string_view name);
template <class Fixed>
Result<Fixed, FieldError> read_fixed(const Json& obj, std::string_view name) {
  auto v = field(obj, name);
  if (!v) return make_error(v.error());
  return as_fixed<Fixed>(**v, name);
}

// ---- the throwing form -------------------------------------------------------------------

// A field that breaks the rules, for code that reads straight through and catches at
// its edge (the API clients).
class FieldException : public std::runtime_error {
 public:
  FieldException(FieldError error, const std::string& message)
      : std::runtime_error(message), error_(std::move(error)) {}
  [[nodiscard]] const FieldError& error() const noexcept { return error_; }

 private:
  FieldError error_;
};

// A plain English message: "'amount' is missing", "'fee' is not a decimal string", ...
std::string describe(const FieldError& e);

// The value, or throws FieldException(error, describe(error)); `describe` is the caller's
// wording, a callable taking const FieldError& and returning std::string.
template <class T, class Describe>
T value_or_throw(Result<T, FieldError> r, Describe&& describe) {
  if (!r) throw FieldException(r.error(), std::forward<Describe>(describe)(r.error()));
  return std::move(r).value();
}
template <class T>
T value_or_throw(Result<T, FieldError> r) {
  return value_or_throw(std::move(r), [](const FieldError& e) { return describe(e); });
}

}  // namespace l2::strict_json
