// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// The strict JSON readers (common/json/strict.hpp) and the parser that refuses repeated
// keys (common/json/parse.hpp): each rule once, with the inputs the API documents accept
// and refuse.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <limits>
#include <string>

#include "common/json/parse.hpp"
#include "common/json/strict.hpp"

namespace l2::strict_json {
namespace {

using nlohmann::json;

// ---- decimal strings ---------------------------------------------------------------------

TEST(StrictJsonDecimal, AcceptsDigitsUpTo2To64Minus1) {
  EXPECT_EQ(parse_decimal_u64("0").value(), 0u);
  EXPECT_EQ(parse_decimal_u64("7").value(), 7u);
  EXPECT_EQ(parse_decimal_u64("1000").value(), 1000u);
  EXPECT_EQ(parse_decimal_u64("18446744073709551615").value(), std::numeric_limits<std::uint64_t>::max());
}

TEST(StrictJsonDecimal, RefusesSignsSpacesAndOtherCharacters) {
  for (const char* s : {"", "+1", "-1", " 1", "1 ", "1.0", "1e3", "0x10", "١", "1_000"}) {
    auto r = parse_decimal_u64(s);
    ASSERT_FALSE(r.ok()) << "'" << s << "'";
    EXPECT_EQ(r.error(), Reason::not_decimal) << "'" << s << "'";
  }
  EXPECT_EQ(parse_decimal_u64(std::string("1\0", 2)).error(), Reason::not_decimal);
}

TEST(StrictJsonDecimal, LeadingZerosOnlyWhereAllowed) {
  EXPECT_EQ(parse_decimal_u64("00").error(), Reason::leading_zero);
  EXPECT_EQ(parse_decimal_u64("007").error(), Reason::leading_zero);
  EXPECT_EQ(parse_decimal_u64("007", DecimalRules{.leading_zeros = true}).value(), 7u);
  // With leading zeros allowed, length alone is no overflow.
  EXPECT_EQ(parse_decimal_u64("000000000000000000000000000042", DecimalRules{.leading_zeros = true}).value(),
            42u);
  // Characters are checked before leading zeros: "0a" is not a decimal at all.
  EXPECT_EQ(parse_decimal_u64("0a").error(), Reason::not_decimal);
}

TEST(StrictJsonDecimal, RefusesOverflow) {
  EXPECT_EQ(parse_decimal_u64("18446744073709551616").error(), Reason::too_large);
  EXPECT_EQ(parse_decimal_u64("99999999999999999999").error(), Reason::too_large);
  EXPECT_EQ(parse_decimal_u64("123456789012345678901234567890").error(), Reason::too_large);
}

TEST(StrictJsonDecimal, SignedRange) {
  const DecimalRules zeros{.leading_zeros = true};
  EXPECT_EQ(parse_decimal_i64("0").value(), 0);
  EXPECT_EQ(parse_decimal_i64("-0").value(), 0);
  EXPECT_EQ(parse_decimal_i64("-42").value(), -42);
  EXPECT_EQ(parse_decimal_i64("-007", zeros).value(), -7);
  EXPECT_EQ(parse_decimal_i64("9223372036854775807").value(), std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(parse_decimal_i64("-9223372036854775808").value(), std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(parse_decimal_i64("9223372036854775808").error(), Reason::too_large);
  EXPECT_EQ(parse_decimal_i64("-9223372036854775809").error(), Reason::too_small);
  EXPECT_EQ(parse_decimal_i64("-99999999999999999999").error(), Reason::too_small);
  for (const char* s : {"", "-", "+1", "--1", " -1", "- 1", "1-"})
    EXPECT_EQ(parse_decimal_i64(s).error(), Reason::not_decimal) << "'" << s << "'";
}

TEST(StrictJsonDecimal, AmountAsAmountParse) {
  const json j = {
      {"a", "1000"}, {"zero", "0"}, {"lead", "01"}, {"num", 1000}, {"big", "18446744073709551616"}};
  EXPECT_EQ(read_amount(j, "a").value(), Amount(1000));
  EXPECT_EQ(read_amount(j, "zero").value(), Amount(0));
  EXPECT_EQ(read_amount(j, "lead").error().reason, Reason::leading_zero);
  EXPECT_EQ(read_amount(j, "num").error().reason, Reason::wrong_type);
  EXPECT_EQ(read_amount(j, "big").error().reason, Reason::too_large);
  for (const std::string s :
       {"1000", "0", "01", "-1", "+1", "", " 1", "18446744073709551615", "18446744073709551616", "00"}) {
    EXPECT_EQ(as_amount(json(s), "x").ok(), Amount::parse(s).has_value()) << "'" << s << "'";
  }
}

// ---- JSON numbers ------------------------------------------------------------------------

TEST(StrictJsonNumber, UnsignedFromParsedJson) {
  const json j = json::parse(R"({"n": 5, "max": 18446744073709551615, "neg": -1, "minus_zero": -0,
                                  "f": 1.0, "e": 1e3, "huge": 18446744073709551616, "s": "5", "b": true,
                                  "null": null})");
  EXPECT_EQ(read_u64(j, "n").value(), 5u);
  EXPECT_EQ(read_u64(j, "max").value(), std::numeric_limits<std::uint64_t>::max());
  EXPECT_EQ(read_u64(j, "neg").error().reason, Reason::negative);
  EXPECT_EQ(read_u64(j, "f").error().reason, Reason::not_integer);
  EXPECT_EQ(read_u64(j, "e").error().reason, Reason::not_integer);
  EXPECT_EQ(read_u64(j, "huge").error().reason, Reason::not_integer);  // nlohmann parses it as a double
  EXPECT_EQ(read_u64(j, "s").error().reason, Reason::wrong_type);
  EXPECT_EQ(read_u64(j, "b").error().reason, Reason::wrong_type);
  EXPECT_EQ(read_u64(j, "null").error().reason, Reason::wrong_type);
  // "-0" parses as a signed zero: taken only where signed non-negative integers are.
  EXPECT_EQ(read_u64(j, "minus_zero").error().reason, Reason::wrong_type);
  EXPECT_EQ(read_u64(j, "minus_zero", IntegerRules{.signed_non_negative = true}).value(), 0u);
}

TEST(StrictJsonNumber, SignedNonNegativeFromBuiltJson) {
  const json j = {{"i", 7}, {"neg", -7}};  // built from int: stored as signed
  EXPECT_EQ(read_u64(j, "i").error().reason, Reason::wrong_type);
  EXPECT_EQ(read_u64(j, "i", IntegerRules{.signed_non_negative = true}).value(), 7u);
  EXPECT_EQ(read_u64(j, "neg", IntegerRules{.signed_non_negative = true}).error().reason, Reason::negative);
}

TEST(StrictJsonNumber, U32Range) {
  const json j = json::parse(R"({"max": 4294967295, "over": 4294967296})");
  EXPECT_EQ(read_u32(j, "max").value(), 0xFFFFFFFFu);
  EXPECT_EQ(read_u32(j, "over").error().reason, Reason::too_large);
  const json built = {{"over", std::int64_t{4294967296}}};
  EXPECT_EQ(read_u32(built, "over", IntegerRules{.signed_non_negative = true}).error().reason,
            Reason::too_large);
}

TEST(StrictJsonNumber, I64Range) {
  const json j = json::parse(R"({"neg": -5, "pos": 5, "max": 9223372036854775807, "over": 9223372036854775808,
                                  "f": 0.5, "s": "5"})");
  EXPECT_EQ(read_i64(j, "neg").value(), -5);
  EXPECT_EQ(read_i64(j, "pos").value(), 5);
  EXPECT_EQ(read_i64(j, "max").value(), std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(read_i64(j, "over").error().reason, Reason::too_large);  // never wrapped to a negative
  EXPECT_EQ(read_i64(j, "f").error().reason, Reason::wrong_type);
  EXPECT_EQ(read_i64(j, "s").error().reason, Reason::wrong_type);
}

// ---- strings, booleans -------------------------------------------------------------------

TEST(StrictJsonValue, StringAndBool) {
  const json j = {{"s", "text"}, {"b", false}, {"n", 1}};
  EXPECT_EQ(read_string(j, "s").value(), "text");
  EXPECT_EQ(read_string(j, "n").error().reason, Reason::wrong_type);
  EXPECT_EQ(read_bool(j, "b").value(), false);
  EXPECT_EQ(read_bool(j, "n").error().reason, Reason::wrong_type);
  EXPECT_EQ(read_bool(j, "s").error().reason, Reason::wrong_type);
}

// ---- hex ---------------------------------------------------------------------------------

TEST(StrictJsonHex, EvenDigitsEitherCaseNo0x) {
  EXPECT_EQ(parse_hex("").value(), Bytes{});
  EXPECT_EQ(parse_hex("00ff").value(), (Bytes{0x00, 0xff}));
  EXPECT_EQ(parse_hex("ABcd").value(), (Bytes{0xab, 0xcd}));
  for (const char* s : {"0", "abc", "0x00", "0X00", "zz", " 00", "00 ", "+0"})
    EXPECT_EQ(parse_hex(s).error(), Reason::not_hex) << "'" << s << "'";
}

TEST(StrictJsonHex, ExactLength) {
  EXPECT_EQ(parse_hex("0011", 2).value(), (Bytes{0x00, 0x11}));
  EXPECT_EQ(parse_hex("001122", 2).error(), Reason::wrong_length);
  EXPECT_EQ(parse_hex("00", 2).error(), Reason::wrong_length);
  // Bad digits are reported before the length, an odd length as not hex.
  EXPECT_EQ(parse_hex("00112", 2).error(), Reason::not_hex);
  EXPECT_EQ(parse_hex("0g11", 2).error(), Reason::not_hex);
}

TEST(StrictJsonHex, FixedField) {
  const std::string h(64, 'a');
  const json j = {{"ok", h},
                  {"upper", std::string(64, 'A')},
                  {"short", std::string(62, 'a')},
                  {"odd", h + "a"},
                  {"bad", std::string(63, 'a') + "g"},
                  {"num", 5},
                  {"prefixed", "0x" + std::string(62, 'a')}};
  EXPECT_EQ(read_fixed<Hash32>(j, "ok").value().hex(), h);
  EXPECT_EQ(read_fixed<Hash32>(j, "upper").value().hex(), h);
  auto short_one = read_fixed<Hash32>(j, "short");
  ASSERT_FALSE(short_one.ok());
  EXPECT_EQ(short_one.error().reason, Reason::wrong_length);
  EXPECT_EQ(short_one.error().hex_digits, 62u);
  EXPECT_EQ(short_one.error().field, "short");
  EXPECT_EQ(read_fixed<Hash32>(j, "odd").error().reason, Reason::not_hex);
  EXPECT_EQ(read_fixed<Hash32>(j, "bad").error().reason, Reason::not_hex);
  EXPECT_EQ(read_fixed<Hash32>(j, "num").error().reason, Reason::wrong_type);
  EXPECT_EQ(read_fixed<Hash32>(j, "prefixed").error().reason, Reason::not_hex);
  EXPECT_EQ(read_hex(j, "short").value().size(), 31u);
}

// ---- fields ------------------------------------------------------------------------------

TEST(StrictJsonFields, MissingAndNotAnObject) {
  const json j = {{"a", 1}};
  auto missing = read_u64(j, "b");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().reason, Reason::missing);
  EXPECT_EQ(missing.error().field, "b");
  EXPECT_EQ(read_u64(json::array({1}), "a").error().reason, Reason::not_object);
  EXPECT_EQ(read_u64(json(nullptr), "a").error().reason, Reason::not_object);
  EXPECT_EQ(field(j, "a").value(), &j.at("a"));
}

TEST(StrictJsonFields, RefuseUnknown) {
  const json j = json::parse(R"({"b": 1, "a": 2, "memo": "x", "zz": 0})");
  EXPECT_TRUE(refuse_unknown(j, {"a", "b", "memo", "zz", "extra"}).ok());
  auto r = refuse_unknown(j, {"a", "b"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().reason, Reason::unknown_field);
  EXPECT_EQ(r.error().field, "memo");                   // the first in the object's (sorted) order
  EXPECT_TRUE(refuse_unknown(json(nullptr), {}).ok());  // absent params
  EXPECT_TRUE(refuse_unknown(json::object(), {}).ok());
}

TEST(StrictJsonFields, RequireExactlyReportsUnknownBeforeMissing) {
  const json j = {{"a", 1}, {"x", 2}};
  auto unknown = require_exactly(j, {"a", "b"});
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().reason, Reason::unknown_field);
  EXPECT_EQ(unknown.error().field, "x");
  auto missing = require_exactly(json{{"a", 1}}, {"a", "c", "b"});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().reason, Reason::missing);
  EXPECT_EQ(missing.error().field, "c");  // the first absent, in the list's order
  EXPECT_TRUE(require_exactly(json{{"a", 1}, {"b", 2}}, {"a", "b"}).ok());
}

// ---- the throwing form -------------------------------------------------------------------

TEST(StrictJsonThrowing, ValueOrThrow) {
  const json j = {{"n", 5u}, {"s", "x"}};
  EXPECT_EQ(value_or_throw(read_u64(j, "n")), 5u);
  try {
    (void)value_or_throw(read_u64(j, "s"));
    FAIL() << "no exception";
  } catch (const FieldException& e) {
    EXPECT_EQ(e.error().field, "s");
    EXPECT_EQ(e.error().reason, Reason::wrong_type);
    EXPECT_STREQ(e.what(), "'s' has the wrong JSON type");
  }
  try {
    (void)value_or_throw(read_u64(j, "m"), [](const FieldError& e) { return "no " + e.field; });
    FAIL() << "no exception";
  } catch (const FieldException& e) {
    EXPECT_STREQ(e.what(), "no m");
    EXPECT_EQ(e.error().reason, Reason::missing);
  }
}

TEST(StrictJsonThrowing, DescribeNamesEveryReason) {
  for (auto r : {Reason::not_object, Reason::missing, Reason::unknown_field, Reason::wrong_type,
                 Reason::not_decimal, Reason::leading_zero, Reason::negative, Reason::too_large,
                 Reason::too_small, Reason::not_integer, Reason::not_hex, Reason::wrong_length}) {
    const std::string d = describe(FieldError{"f", r, 3});
    EXPECT_EQ(d.rfind("'f' ", 0), 0u) << d;
    EXPECT_GT(d.size(), 4u) << d;
    EXPECT_NE(to_string(r), "unknown");
  }
}

// ---- parse_unique_keys -------------------------------------------------------------------

TEST(StrictJsonParse, AcceptsWhatParseAccepts) {
  for (const char* text : {R"({"a":1,"b":{"a":2},"c":[{"a":3},{"a":4}]})", "[]", "5", R"("s")", "null",
                           R"({"a":{"b":{"c":{}}},"b":[[{"a":1}],{"b":2}]})", R"({"":1})"}) {
    auto r = parse_unique_keys(text);
    ASSERT_TRUE(r.ok()) << text;
    EXPECT_EQ(*r, json::parse(text)) << text;
  }
}

TEST(StrictJsonParse, RefusesARepeatedKeyAtAnyDepth) {
  struct Case {
    const char* text;
    const char* key;
  };
  for (const Case& c : {Case{R"({"amount":"1","amount":"1000"})", "amount"},
                        Case{R"({"a":{"x":1,"x":2}})", "x"}, Case{R"([{"ok":1},{"y":1,"z":2,"y":3}])", "y"},
                        Case{R"({"a":{"b":1},"c":2,"a":3})", "a"}, Case{R"({"":1,"":2})", ""}}) {
    auto r = parse_unique_keys(c.text);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_EQ(r.error().kind, ParseError::Kind::duplicate_key) << c.text;
    EXPECT_EQ(r.error().key, c.key) << c.text;
  }
}

TEST(StrictJsonParse, SameKeyInSiblingObjectsIsFine) {
  EXPECT_TRUE(parse_unique_keys(R"({"a":{"k":1},"b":{"k":2},"c":[{"k":3},{"k":4}]})").ok());
  EXPECT_TRUE(parse_unique_keys(R"({"k":{"k":{"k":1}}})").ok());
}

TEST(StrictJsonParse, RefusesWhatIsNotJson) {
  for (const char* text : {"", "{", R"({"a":1,})", "[1,]", "{} {}", "nul", R"({"a" 1})"}) {
    auto r = parse_unique_keys(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.error().kind, ParseError::Kind::not_json) << text;
  }
}

}  // namespace
}  // namespace l2::strict_json
