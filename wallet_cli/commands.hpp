// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// The wallet's commands (docs/wallet.md). register_commands adds each as a CLI11
// subcommand whose parsed arguments are captured; the chosen command's action is left in
// `action` and run by main() once the settings are resolved. Channels (a later issue) add
// their group beside `key`.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "wallet_cli/app.hpp"

namespace l2::wallet {

using Action = std::function<void(Context&)>;

void register_commands(CLI::App& app, Action& action);

// `wallet key WORD` where WORD is no key command (or is missing): the usage error to show,
// with the near match of a typo (CLI11 alone says only "A subcommand is required").
std::optional<std::string> key_command_error(const CLI::App& app, int argc, const char* const* argv);

}  // namespace l2::wallet
