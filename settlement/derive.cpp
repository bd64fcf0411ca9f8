// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
// Placeholder: being written.
