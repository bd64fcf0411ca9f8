// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// Where the wallet's passphrase comes from, in this order (docs/wallet.md):
//   1. --password-file FILE: its first line (a trailing "\n" or "\r\n" is dropped); the
//      file must not be readable by group or others;
//   2. the environment variable L2_WALLET_PASSWORD (for scripts and CI);
//   3. a prompt on the controlling terminal (/dev/tty) with echo off; for a new key it
//      asks twice and refuses a mismatch.
// Without any of them (no terminal: a script, a pipe) it is an error that names the
// three ways. An empty passphrase is refused for new keys.
//
// Thread safety: the prompt touches the terminal's settings; call from one thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "wallet_cli/secret_string.hpp"

namespace l2::wallet {

inline constexpr std::string_view kPasswordEnv = "L2_WALLET_PASSWORD";

struct PassphraseSource {
  std::optional<std::string> password_file;  // --password-file
  bool allow_env = true;                     // read L2_WALLET_PASSWORD
  bool allow_prompt = true;                  // ask on /dev/tty when it can be opened
};

enum class PassphrasePurpose : std::uint8_t { unlock, create };

// `what` goes into the prompt ("passphrase for key alice").
// `what` names what the passphrase is for, e.g. "key alice": the prompts are "Passphrase
// for key alice: " (unlock), "New passphrase for key alice: " and "Repeat passphrase for key
// alice: " (create), and the error without a source says "no passphrase for key alice".
Result<SecretString, std::string> read_passphrase(const PassphraseSource& source, PassphrasePurpose purpose,
                                                  std::string_view what);

}  // namespace l2::wallet
