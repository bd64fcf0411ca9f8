// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// The Prometheus text writer (common/prometheus.hpp): the exact lines it writes, label
// escaping, value formatting and histograms.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <limits>
#include <string>

#include "common/prometheus.hpp"

namespace l2::prometheus {
namespace {

TEST(Prometheus, FamilyAndSamples) {
  std::string out;
  Writer w(out);
  w.family("x_requests_total", Type::counter, "Requests by method (\"unknown\" otherwise).");
  w.sample("x_requests_total", {{"method", "get"}, {"code", "200"}}, std::uint64_t{3});
  w.sample("x_requests_total", {}, std::numeric_limits<std::uint64_t>::max());
  w.single("x_depth", Type::gauge, "Depth.", 7);
  EXPECT_EQ(out,
            "# HELP x_requests_total Requests by method (\"unknown\" otherwise).\n"
            "# TYPE x_requests_total counter\n"
            "x_requests_total{method=\"get\",code=\"200\"} 3\n"
            "x_requests_total 18446744073709551615\n"
            "# HELP x_depth Depth.\n"
            "# TYPE x_depth gauge\n"
            "x_depth 7\n");
}

TEST(Prometheus, EscapesLabelValuesAndHelp) {
  EXPECT_EQ(escape_label_value("plain"), "plain");
  EXPECT_EQ(escape_label_value("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
  std::string out;
  Writer w(out);
  w.family("m", Type::gauge, "back\\slash\nnew \"quote\"");
  w.sample("m", {{"l", "we\"ird\\na\nme"}}, std::uint64_t{1});
  EXPECT_EQ(out,
            "# HELP m back\\\\slash\\nnew \"quote\"\n"
            "# TYPE m gauge\n"
            "m{l=\"we\\\"ird\\\\na\\nme\"} 1\n");
}

TEST(Prometheus, Values) {
  EXPECT_EQ(format_value(0), "0");
  EXPECT_EQ(format_value(0.0005), "0.0005");
  EXPECT_EQ(format_value(2.5), "2.5");
  EXPECT_EQ(format_value(1.0 / 3), "0.333333333");
  EXPECT_EQ(format_value(1e-9), "1e-09");
  EXPECT_EQ(format_value(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(format_value(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(format_value(std::numeric_limits<double>::quiet_NaN()), "NaN");
  EXPECT_EQ(to_string(Type::histogram), "histogram");
}

TEST(Prometheus, Histogram) {
  const std::array<double, 2> bounds = {0.5, 1};
  const std::array<std::uint64_t, 3> counts = {2, 0, 1};  // not cumulative
  std::string out;
  Writer w(out);
  w.family("h_seconds", Type::histogram, "Time.");
  w.histogram("h_seconds", {{"stage", "verify"}}, HistogramSnapshot{bounds, counts, 3.25});
  w.histogram("h_seconds", {}, HistogramSnapshot{bounds, counts, 0});
  EXPECT_EQ(out,
            "# HELP h_seconds Time.\n"
            "# TYPE h_seconds histogram\n"
            "h_seconds_bucket{stage=\"verify\",le=\"0.5\"} 2\n"
            "h_seconds_bucket{stage=\"verify\",le=\"1\"} 2\n"
            "h_seconds_bucket{stage=\"verify\",le=\"+Inf\"} 3\n"
            "h_seconds_sum{stage=\"verify\"} 3.25\n"
            "h_seconds_count{stage=\"verify\"} 3\n"
            "h_seconds_bucket{le=\"0.5\"} 2\n"
            "h_seconds_bucket{le=\"1\"} 2\n"
            "h_seconds_bucket{le=\"+Inf\"} 3\n"
            "h_seconds_sum 0\n"
            "h_seconds_count 3\n");
}

TEST(Prometheus, AppendsToWhatIsThere) {
  std::string out = "# existing\n";
  Writer(out).single("a", Type::counter, "A.", 1);
  EXPECT_EQ(out.rfind("# existing\n# HELP a A.\n", 0), 0u) << out;
}

}  // namespace
}  // namespace l2::prometheus
