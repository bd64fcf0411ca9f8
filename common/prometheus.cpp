// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
#include "common/prometheus.hpp"

#include <cmath>
#include <cstdio>

namespace l2::prometheus {

std::string_view to_string(Type t) {
  switch (t) {
    case Type::counter:
      return "counter";
    case Type::gauge:
      return "gauge";
    case Type::histogram:
      return "histogram";
  }
  return "untyped";
}

std::string escape_label_value(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string format_value(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

namespace {
// name + suffix, appended: GCC 12 at -O3 warns falsely (-Wrestrict, bug 105651) on
// std::string + literal.
std::string suffixed(std::string_view name, std::string_view suffix) {
  std::string out;
  out.reserve(name.size() + suffix.size());
  out += name;
  out += suffix;
  return out;
}
}  // namespace

void Writer::family(std::string_view name, Type type, std::string_view help) {
  out_ += "# HELP ";
  out_ += name;
  out_ += ' ';
  for (char c : help) {  // HELP escapes backslash and newline only
    if (c == '\\')
      out_ += "\\\\";
    else if (c == '\n')
      out_ += "\\n";
    else
      out_ += c;
  }
  out_ += "\n# TYPE ";
  out_ += name;
  out_ += ' ';
  out_ += to_string(type);
  out_ += '\n';
}

void Writer::labels(Labels labels, const Label* le) {
  if (labels.size() == 0 && le == nullptr) return;
  out_ += '{';
  bool first = true;
  auto one = [&](const Label& l) {
    if (!first) out_ += ',';
    first = false;
    out_ += l.name;
    out_ += "=\"";
    out_ += escape_label_value(l.value);
    out_ += '"';
  };
  for (const Label& l : labels) one(l);
  if (le != nullptr) one(*le);
  out_ += '}';
}

void Writer::sample(std::string_view name, Labels labels, std::uint64_t value) {
  out_ += name;
  this->labels(labels, nullptr);
  out_ += ' ';
  out_ += std::to_string(value);
  out_ += '\n';
}

void Writer::sample(std::string_view name, Labels labels, double value) {
  out_ += name;
  this->labels(labels, nullptr);
  out_ += ' ';
  out_ += format_value(value);
  out_ += '\n';
}

void Writer::single(std::string_view name, Type type, std::string_view help, std::uint64_t value) {
  family(name, type, help);
  sample(name, {}, value);
}

void Writer::histogram(std::string_view name, Labels labels, const HistogramSnapshot& h) {
  const std::string bucket = suffixed(name, "_bucket");
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < h.counts.size(); ++i) {
    cumulative += h.counts[i];
    const std::string bound = i < h.bounds.size() ? format_value(h.bounds[i]) : std::string("+Inf");
    const Label le{"le", bound};
    out_ += bucket;
    this->labels(labels, &le);
    out_ += ' ';
    out_ += std::to_string(cumulative);
    out_ += '\n';
  }
  sample(suffixed(name, "_sum"), labels, h.sum);
  sample(suffixed(name, "_count"), labels, cumulative);
}

}  // namespace l2::prometheus
