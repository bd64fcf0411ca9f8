// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// L2_ASSERT: an always-on check for invariants that only a bug can break (silkworm's
// assert.hpp). Never use it to validate input: input errors are Results.
#pragma once

namespace l2 {
[[noreturn]] void assert_failed(const char* expr, const char* file, int line) noexcept;
}  // namespace l2

#define L2_ASSERT(expr) ((expr) ? static_cast<void>(0) : ::l2::assert_failed(#expr, __FILE__, __LINE__))
