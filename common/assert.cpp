// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
#include "common/assert.hpp"

#include <cstdio>
#include <cstdlib>

namespace l2 {
void assert_failed(const char* expr, const char* file, int line) noexcept {
  std::fprintf(stderr, "assertion failed: %s at %s:%d\n", expr, file, line);
  std::abort();
}
}  // namespace l2
