// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// What every fuzz target of tests/fuzz shares: the input as a ByteView or text, and a
// check that aborts (libFuzzer then saves the input as a crash) with a line saying which
// property broke. Not L2_ASSERT: a fuzz target states properties of the code under test,
// and its message should name the target's property, not an invariant of the library.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "common/bytes.hpp"

namespace l2::fuzz {

[[noreturn]] inline void fail(const char* what, const char* file, int line) {
  std::fprintf(stderr, "%s:%d: fuzz property failed: %s\n", file, line, what);
  std::abort();
}

inline ByteView bytes(const std::uint8_t* data, std::size_t size) { return {data, size}; }
inline std::string_view text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};  // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast)
}

inline bool same(ByteView a, ByteView b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

}  // namespace l2::fuzz

#define L2_FUZZ_CHECK(cond) ((cond) ? (void)0 : ::l2::fuzz::fail(#cond, __FILE__, __LINE__))
