// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// The interface of a base-chain module, and the set of modules a chain runs. The core
// (chain.*, rpc.*) knows this interface only; it names no module. A module is a file of
// its own (registry.cpp, bridge.cpp, commitments.cpp) that brings
//
//   - its tables: migrations(), step i taking the module's schema version i to i + 1,
//     recorded per module in the core's `modules` table (name -> version), so that
//     appending a module, or a step to one, never renumbers another;
//   - its base-tx kinds: kinds(), executed by execute() inside the tx's db_txn. The wire
//     format of every kind is the protocol's (settlement/basechain/tx.hpp); a module
//     claims kinds, and the core dispatches each tx to the module that claimed its kind;
//   - its refusal reasons: refusals(), the stable snake_case names of its rules
//     (error.data.reason in JSON-RPC), declared as Refusal constants in its header;
//   - its JSON-RPC methods: rpc_methods() (rpc_method.hpp), named `<prefix>_<name>` with
//     any prefix but the core's `chain_` and `dev_`;
//   - the services other modules call: typed queries in its header, and hook
//     interfaces it declares for later modules to implement (a module finds those with
//     ModuleSet::implementing<I>(), so the module that declares a hook never names the
//     module that implements it; commitments.hpp's FinalityHold is how the dispute game
//     will delay finality).
//
// How to add a module (a dispute game, a proof verifier, a channel adjudicator):
//   1. If it has new base-tx kinds, add their bodies to the protocol (tx.hpp, tx.cpp,
//      docs/encoding.md with vectors): the protocol knows every wire format.
//   2. Write basechain/<name>.hpp/.cpp: a class deriving from Module with its name, its
//      migrations (step 1 creates its tables), the kinds it claims, its refusals and its
//      RPC methods; requires() names the modules whose tables or queries it builds on.
//   3. Append it to the registration list (standard_modules.cpp) after what it requires.
//   Nothing in chain.*, rpc.* or another module changes. BaseChain::open refuses a set in
//   which two modules share a name, a kind or an RPC method, a module claims the core's
//   transfer kind or an RPC prefix of the core, or a module comes before one it requires.
//
// Modules are stateless (everything lives in the Store) and shared by the chain's
// threads; every call comes under the chain's lock.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "settlement/basechain/chain.hpp"
#include "settlement/basechain/rpc_method.hpp"
#include "settlement/basechain/tx.hpp"

namespace l2::settlement {

class Module {
 public:
  virtual ~Module() = default;
  // The module's name: its row in the `modules` table, and the `module` of its logs.
  [[nodiscard]] virtual std::string_view name() const = 0;
  // Modules this one builds on (their tables or queries); they must come before it.
  [[nodiscard]] virtual std::span<const std::string_view> requires_modules() const { return {}; }
  // Schema steps: migrations()[i] takes the module's tables from version i to i + 1.
  // Never edit a shipped step; append one.
  [[nodiscard]] virtual std::span<const char* const> migrations() const { return {}; }
  // The version the module's tables had in a database written before the chain kept
  // per-module versions (core schema 1, whose one step held the first three modules'
  // tables). 0 for every module that came later.
  [[nodiscard]] virtual int legacy_version() const { return 0; }
  [[nodiscard]] virtual std::span<const BaseTxKind> kinds() const { return {}; }
  // Executes a base tx of one of kinds(); a ChainError (refuse(...)) undoes everything.
  virtual Status<ChainError> execute(TxContext& ctx, const BaseTx& tx);
  [[nodiscard]] virtual std::span<const Refusal> refusals() const { return {}; }
  [[nodiscard]] virtual std::vector<RpcMethod> rpc_methods() const { return {}; }
};

// The modules a chain runs, in registration order. Copyable: modules are stateless and
// shared.
class ModuleSet {
 public:
  ModuleSet() = default;
  ModuleSet& add(std::shared_ptr<Module> module);

  [[nodiscard]] std::span<const std::shared_ptr<Module>> modules() const { return modules_; }
  [[nodiscard]] const Module* find(std::string_view name) const;

  // Every module that implements the hook interface I, in registration order.
  template <class I>
  [[nodiscard]] std::vector<I*> implementing() const {
    std::vector<I*> out;
    for (const auto& m : modules_)
      if (auto* i = dynamic_cast<I*>(m.get())) out.push_back(i);
    return out;
  }

  // Why this set cannot run (see the header comment), or nothing.
  [[nodiscard]] Status<std::string> validate() const;

 private:
  std::vector<std::shared_ptr<Module>> modules_;
};

}  // namespace l2::settlement
