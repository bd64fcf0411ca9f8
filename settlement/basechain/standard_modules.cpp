// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
#include "settlement/basechain/standard_modules.hpp"

#include "settlement/basechain/bridge.hpp"
#include "settlement/basechain/commitments.hpp"
#include "settlement/basechain/disputes.hpp"
#include "settlement/basechain/registry.hpp"

namespace l2::settlement {

ModuleSet standard_modules() {
  ModuleSet set;
  set.add(registry::module()).add(commitments::module()).add(bridge::module()).add(disputes::module());
  return set;
}

}  // namespace l2::settlement
