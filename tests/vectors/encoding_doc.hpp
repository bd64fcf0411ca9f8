// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// The test vectors of docs/encoding.md as C++ tests read them: the JSON block between
// `<!-- vectors:begin -->` and `<!-- vectors:end -->` (tests/vectors/check_vectors.py is
// the independent reader). One copy for the rollup, settlement and keystore vector tests.
#pragma once

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

namespace l2::test::vectors {

// The build names the document (an absolute path: __FILE__ can be relative, e.g. under
// ccache's base_dir); without that, it is found from this header's path.
inline std::filesystem::path encoding_doc() {
#ifdef L2_ENCODING_DOC
  return L2_ENCODING_DOC;
#else
  return std::filesystem::path(__FILE__).parent_path().parent_path().parent_path() / "docs" / "encoding.md";
#endif
}

// The whole JSON block of the document, or a discarded value if missing or malformed.
inline const nlohmann::json& all() {
  using nlohmann::json;
  static const json kVectors = [] {
    std::ifstream in(encoding_doc());
    if (!in) return json(json::value_t::discarded);
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string doc = ss.str();
    const auto begin = doc.find("<!-- vectors:begin -->");
    const auto end = doc.find("<!-- vectors:end -->");
    if (begin == std::string::npos || end == std::string::npos || end < begin)
      return json(json::value_t::discarded);
    const auto open = doc.find("```json", begin);
    if (open == std::string::npos || open > end) return json(json::value_t::discarded);
    const auto body = doc.find('\n', open);
    const auto close = doc.rfind("```", end);
    if (body == std::string::npos || close == std::string::npos || close <= body)
      return json(json::value_t::discarded);
    return json::parse(doc.substr(body + 1, close - body - 1), nullptr, /*allow_exceptions=*/false);
  }();
  return kVectors;
}

}  // namespace l2::test::vectors
