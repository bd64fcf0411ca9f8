// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// The registration list: the modules basechaind runs, in order (a module after the ones
// it requires). Adding a module is a file of its own (module.hpp says how) and a line
// here; the core and the other modules do not change.
#pragma once

#include "settlement/basechain/module.hpp"

namespace l2::settlement {

// registry, commitments, bridge.
ModuleSet standard_modules();

}  // namespace l2::settlement
