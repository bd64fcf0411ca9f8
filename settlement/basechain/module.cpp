// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
#include "settlement/basechain/module.hpp"

#include <set>
#include <utility>

namespace l2::settlement {

namespace {

bool is_snake_case(std::string_view s) {
  if (s.empty() || s.size() > 64 || s.front() < 'a' || s.front() > 'z') return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return true;
}

}  // namespace

Status<ChainError> Module::execute(TxContext& /*ctx*/, const BaseTx& tx) {
  // Only reached by a module that claims kinds and forgot to execute them.
  return make_error(refuse(
      core_refusal::kUnsupportedKind,
      "module " + std::string(name()) + " does not execute " + std::string(to_string(base_tx_kind(tx)))));
}

ModuleSet& ModuleSet::add(std::shared_ptr<Module> module) {
  L2_ASSERT(module != nullptr);
  modules_.push_back(std::move(module));
  return *this;
}

const Module* ModuleSet::find(std::string_view name) const {
  for (const auto& m : modules_)
    if (m->name() == name) return m.get();
  return nullptr;
}

Status<std::string> ModuleSet::validate() const {
  std::set<std::string, std::less<>> names;
  std::set<std::uint8_t> kinds;
  std::set<std::string, std::less<>> methods;
  for (const auto& m : modules_) {
    const std::string name(m->name());
    if (!is_snake_case(name)) return make_error("module name \"" + name + "\" is not snake_case");
    for (auto required : m->requires_modules())
      if (names.count(required) == 0)
        return make_error("module " + name + " requires module " + std::string(required) +
                          ", which must be registered before it");
    if (!names.insert(name).second) return make_error("two modules are named " + name);
    for (BaseTxKind k : m->kinds()) {
      if (k == BaseTxKind::transfer) return make_error("module " + name + " claims the core's transfer kind");
      if (!kinds.insert(static_cast<std::uint8_t>(k)).second)
        return make_error("two modules claim base-tx kind " + std::string(to_string(k)) + " (the second is " +
                          name + ")");
    }
    for (const Refusal& r : m->refusals())
      if (!is_snake_case(r.name))
        return make_error("module " + name + "'s refusal \"" + std::string(r.name) + "\" is not snake_case");
    for (const RpcMethod& method : m->rpc_methods()) {
      const auto underscore = method.name.find('_');
      if (underscore == std::string::npos || underscore == 0 || underscore + 1 == method.name.size())
        return make_error("module " + name + "'s RPC method \"" + method.name + "\" is not prefix_name");
      const std::string prefix = method.name.substr(0, underscore);
      if (prefix == "chain" || prefix == "dev") {
        std::string why = "module " + name;
        why += "'s RPC method " + method.name;
        why += " uses the core's prefix " + prefix + "_";
        return make_error(std::move(why));
      }
      if (!method.run) return make_error("module " + name + "'s RPC method " + method.name + " has no body");
      if (!methods.insert(method.name).second)
        return make_error("two modules offer the RPC method " + method.name + " (the second is " + name +
                          ")");
    }
  }
  return {};
}

}  // namespace l2::settlement
