// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// A writer of the Prometheus text exposition format (version 0.0.4), the /metrics page
// of both daemons: the # HELP and # TYPE lines of a metric family, sample lines with
// labels, and the _bucket/_sum/_count series of a histogram. Label values are escaped
// as the format says (backslash, double quote, newline); so are HELP texts (backslash,
// newline). Integers are written exactly; doubles with 9 significant digits ("%.9g"),
// infinities and NaN as +Inf, -Inf and NaN.
//
// The writer only formats: names are the caller's (valid metric and label names), and
// so is the grouping (each family's samples right after its TYPE line, no family twice,
// no label set twice). It appends to a string it does not own; one writer belongs to one
// thread.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

namespace l2::prometheus {

enum class Type : std::uint8_t { counter, gauge, histogram };
std::string_view to_string(Type t);

struct Label {
  std::string_view name;
  std::string_view value;
};
using Labels = std::initializer_list<Label>;

// A histogram's state: `counts` holds one count per bound (observations above the
// previous bound and at most this one), then the count above the last bound (+Inf), so
// counts.size() == bounds.size() + 1.
struct HistogramSnapshot {
  std::span<const double> bounds;
  std::span<const std::uint64_t> counts;
  double sum = 0;
};

class Writer {
 public:
  explicit Writer(std::string& out) : out_(out) {}

  // "# HELP name help" and "# TYPE name type": opens a metric family.
  void family(std::string_view name, Type type, std::string_view help);
  // "name{labels} value"; no braces without labels.
  void sample(std::string_view name, Labels labels, std::uint64_t value);
  void sample(std::string_view name, Labels labels, double value);
  // A family of one unlabelled sample.
  void single(std::string_view name, Type type, std::string_view help, std::uint64_t value);
  // One labelled series of a histogram: name_bucket{labels,le="..."} (cumulative, +Inf
  // last), name_sum{labels}, name_count{labels}.
  void histogram(std::string_view name, Labels labels, const HistogramSnapshot& h);

 private:
  void labels(Labels labels, const Label* le);
  std::string& out_;
};

// The escaped form of a label value.
std::string escape_label_value(std::string_view v);
// A sample value as the format writes it: "%.9g", or +Inf, -Inf, NaN.
std::string format_value(double v);

}  // namespace l2::prometheus
