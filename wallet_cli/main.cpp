// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// `wallet`: keys, deposits, transfers, withdrawals and their claims (docs/wallet.md).
// Parses the command line, resolves the settings (flag, then environment, then config
// file, then default), runs the chosen command and turns its Failure into a one-line
// reason on stderr and the documented exit code.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "common/cli/config.hpp"
#include "common/cli/usage.hpp"
#include "wallet_cli/app.hpp"
#include "wallet_cli/commands.hpp"

namespace {

using l2::wallet::Exit;
using l2::wallet::Failure;

std::optional<std::string> env(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return std::nullopt;
  return std::string(v);
}

std::string home() { return env("HOME").value_or("."); }

std::string default_wallet_dir() {
  if (auto x = env("XDG_DATA_HOME")) return *x + "/l2/wallet";
  return home() + "/.local/share/l2/wallet";
}

std::string default_config() {
  if (auto x = env("XDG_CONFIG_HOME")) return *x + "/l2/wallet.toml";
  return home() + "/.config/l2/wallet.toml";
}

struct Flags {
  std::optional<std::string> wallet_dir, sequencer, base_chain, password_file, key, config;
  std::optional<std::uint32_t> timeout_s;
  bool json = false, no_wait = false, verbose = false;
};

// The config file's keys (docs/wallet.md, "Configuration"). An unknown key is an error.
struct FileSettings {
  std::optional<std::string> wallet_dir, sequencer, base_chain, password_file, key;
  std::optional<std::uint32_t> timeout_s;
};

FileSettings read_config(const std::string& path) {
  // The shared TOML reader of every program (l2::cli): errors name the file, the line and
  // the key, with the nearest known key for a typo.
  static const std::vector<l2::cli::ConfigKey> kKeys = {
      {"wallet-dir", l2::cli::ValueType::string}, {"sequencer", l2::cli::ValueType::string},
      {"base-chain", l2::cli::ValueType::string}, {"password-file", l2::cli::ValueType::string},
      {"key", l2::cli::ValueType::string},        {"timeout-s", l2::cli::ValueType::unsigned_integer},
  };
  std::ifstream in(path);
  if (!in) throw Failure(Exit::usage, "config file " + path + ": cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  auto entries = l2::cli::parse_toml_config(text.str(), path, kKeys);
  if (!entries) throw Failure(Exit::usage, entries.error());
  FileSettings f;
  for (const auto& e : *entries) {
    const std::string& v = e.values.front();
    if (e.name == "wallet-dir") {
      f.wallet_dir = v;
    } else if (e.name == "sequencer") {
      f.sequencer = v;
    } else if (e.name == "base-chain") {
      f.base_chain = v;
    } else if (e.name == "password-file") {
      f.password_file = v;
    } else if (e.name == "key") {
      f.key = v;
    } else if (e.name == "timeout-s") {
      const unsigned long t = std::stoul(v);
      if (t < 1 || t > 86400) {
        std::string m = path;
        m.append(":").append(std::to_string(e.line)).append(": timeout_s must be from 1 to 86400");
        throw Failure(Exit::usage, m);
      }
      f.timeout_s = static_cast<std::uint32_t>(t);
    }
  }
  return f;
}

// flag > environment > config file > default; `from` says which, for status and --verbose.
std::string pick(const std::optional<std::string>& flag, const char* env_name,
                 const std::optional<std::string>& file, const std::string& fallback, std::string* from) {
  if (flag) {
    *from = "flag";
    return *flag;
  }
  if (auto e = env(env_name)) {
    *from = std::string("env ") + env_name;
    return *e;
  }
  if (file) {
    *from = "config";
    return *file;
  }
  *from = "default";
  return fallback;
}

int run(int argc, char** argv) {
  CLI::App app{"wallet: keys, deposits, transfers and withdrawals of the l2stack rollup (docs/wallet.md)",
               "wallet"};
  l2::cli::setup_program(app);   // --version, the help layout
  app.require_subcommand(0, 1);  // none: a clearer message than CLI11's, below
  app.fallthrough();             // global options also after the command: `wallet balance --json`
  Flags fl;
  app.add_option("--wallet-dir", fl.wallet_dir,
                 "keystore directory (env L2_WALLET_DIR; default $XDG_DATA_HOME/l2/wallet)")
      ->type_name("DIR");
  app.add_option("--sequencer", fl.sequencer,
                 "sequencer URL (env L2_SEQUENCER_URL; default http://127.0.0.1:8645)")
      ->type_name("URL");
  app.add_option("--base-chain", fl.base_chain,
                 "base chain URL (env L2_BASE_CHAIN_URL; default http://127.0.0.1:8546)")
      ->type_name("URL");
  app.add_option("--password-file", fl.password_file,
                 "read the passphrase from the first line of FILE, mode 0600 (env L2_WALLET_PASSWORD_FILE)")
      ->type_name("FILE");
  app.add_option("--key", fl.key,
                 "the key to act as (env L2_WALLET_KEY; default: the only key of the wallet)")
      ->type_name("NAME");
  app.add_option("--config", fl.config,
                 "config file, TOML (env L2_WALLET_CONFIG; default $XDG_CONFIG_HOME/l2/wallet.toml)")
      ->type_name("FILE");
  // The range is said in the text; an empty validator description keeps CLI11 from
  // appending its own (":INT in [1 - 86400]") to the type name.
  app.add_option("--timeout", fl.timeout_s,
                 "longest wait of a command, in seconds, 1 to 86400 (env L2_WALLET_TIMEOUT; default 120)")
      ->type_name("SECONDS")
      ->check(CLI::Range(1, 86400).description(""));
  app.add_flag("--json", fl.json, "machine output: one JSON object (docs/wallet.md)");
  app.add_flag("--no-wait", fl.no_wait, "return once sent; do not wait for confirmations");
  app.add_flag("-v,--verbose", fl.verbose, "say on stderr what is sent where (never a secret)");

  l2::wallet::Action action;
  l2::wallet::register_commands(app, action);
  // Usage errors: "wallet: error: ..." and exit 2 (Exit::usage), as in every program.
  static_assert(static_cast<int>(Exit::usage) == l2::cli::kUsageExit);
  const std::string hint = "Run `wallet --help` (or `wallet COMMAND --help`) for usage.";
  if (auto why = l2::wallet::key_command_error(app, argc, argv)) {
    std::fprintf(stderr, "wallet: error: %s\n%s\n", why->c_str(), hint.c_str());
    return static_cast<int>(Exit::usage);
  }
  if (auto exit = l2::cli::parse(app, argc, argv, {hint})) return *exit;

  if (!action) {
    std::fprintf(stderr,
                 "wallet: error: a command is required (key, status, balance, faucet, deposit, transfer, "
                 "withdraw, withdrawals, claim, tx, resend, history)\nRun `wallet --help` for usage.\n");
    return static_cast<int>(Exit::usage);
  }

  std::string config_from;
  const std::string config =
      pick(fl.config, "L2_WALLET_CONFIG", std::nullopt, default_config(), &config_from);
  FileSettings file;
  const bool explicit_config = config_from != "default";
  if (explicit_config || std::filesystem::exists(config)) {
    if (explicit_config && !std::filesystem::exists(config))
      throw Failure(Exit::usage, "config file " + config + " does not exist");
    file = read_config(config);
  }
  l2::wallet::Settings s;
  l2::wallet::SettingSources src;
  std::string ignored;
  s.wallet_dir = pick(fl.wallet_dir, "L2_WALLET_DIR", file.wallet_dir, default_wallet_dir(), &src.wallet_dir);
  s.sequencer =
      pick(fl.sequencer, "L2_SEQUENCER_URL", file.sequencer, "http://127.0.0.1:8645", &src.sequencer);
  s.base_chain =
      pick(fl.base_chain, "L2_BASE_CHAIN_URL", file.base_chain, "http://127.0.0.1:8546", &src.base_chain);
  s.password_file = pick(fl.password_file, "L2_WALLET_PASSWORD_FILE", file.password_file, "", &ignored);
  s.key = pick(fl.key, "L2_WALLET_KEY", file.key, "", &ignored);
  s.config = (explicit_config || std::filesystem::exists(config)) ? config : "";
  s.json = fl.json;
  s.no_wait = fl.no_wait;
  s.verbose = fl.verbose;
  if (fl.timeout_s) {
    s.timeout_s = *fl.timeout_s;
  } else if (auto t = env("L2_WALLET_TIMEOUT")) {
    const bool digits =
        t->size() <= 5 && std::all_of(t->begin(), t->end(), [](char c) { return c >= '0' && c <= '9'; });
    const unsigned long v = digits ? std::stoul(*t) : 0;
    if (v < 1 || v > 86400)
      throw Failure(Exit::usage, "L2_WALLET_TIMEOUT='" + *t + "': a number of seconds from 1 to 86400");
    s.timeout_s = static_cast<std::uint32_t>(v);
  } else if (file.timeout_s) {
    s.timeout_s = *file.timeout_s;
  }

  l2::wallet::install_interrupt_handler();
  l2::wallet::Context ctx(std::move(s), std::move(src));
  ctx.verbose("wallet dir " + ctx.settings().wallet_dir + " (" + ctx.sources().wallet_dir + "), sequencer " +
              ctx.settings().sequencer + " (" + ctx.sources().sequencer + "), base chain " +
              ctx.settings().base_chain + " (" + ctx.sources().base_chain + ")" +
              (ctx.settings().config.empty() ? "" : ", config " + ctx.settings().config));
  action(ctx);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const Failure& f) {
    std::fflush(stdout);
    std::fprintf(stderr, "wallet: error: %s\n", f.what());
    return static_cast<int>(f.exit);
  } catch (const std::exception& e) {
    std::fflush(stdout);
    std::fprintf(stderr, "wallet: error: %s\n", e.what());
    return static_cast<int>(Exit::refused);
  }
}
