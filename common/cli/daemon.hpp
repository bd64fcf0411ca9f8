// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// What every daemon's main() does the same way: CLI11 flags that a TOML/INI config file
// may also set, the signals it waits for, and the port file. Header-only, for programs
// (they link CLI11 and spdlog); the libraries never see it.
#pragma once

#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <pthread.h>
#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

namespace l2::cli {

// CLI11 maps TOML/INI sections to subcommands; we want `[http] max_body_bytes = 1` and
// `http.max_body_bytes = 1` to set the flag --http.max-body-bytes. So: flatten the
// section into the name, and accept '_' for '-'.
class FlatConfig : public CLI::ConfigTOML {
 public:
  std::vector<CLI::ConfigItem> from_config(std::istream& input) const override {
    std::vector<CLI::ConfigItem> parsed = CLI::ConfigTOML::from_config(input);
    std::vector<CLI::ConfigItem> out;
    for (auto& item : parsed) {
      if (item.name == "++" || item.name == "--") continue;  // section markers
      std::string name;
      for (const auto& p : item.parents) name += p + ".";
      name += item.name;
      std::replace(name.begin(), name.end(), '_', '-');
      item.parents.clear();
      item.name = name;
      out.push_back(std::move(item));
    }
    return out;
  }
};

// --config FILE, with every flag also a key; a misspelt key is an error, not ignored.
inline void add_config_file(CLI::App& app) {
  app.config_formatter(std::make_shared<FlatConfig>());
  app.allow_config_extras(CLI::config_extras_mode::error);
  app.set_config("--config", "", "Config file (TOML or INI); every flag is also a key")
      ->check(CLI::ExistingFile);
  app.get_formatter()->column_width(36);
}

// Blocks SIGTERM and SIGINT (to be taken by sigwait) in this thread and every thread it
// starts from here on, and ignores SIGPIPE. Call before starting any thread.
inline sigset_t block_stop_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  return signals;
}

// Waits for SIGTERM or SIGINT and says which.
inline void wait_for_stop_signal(const sigset_t& signals) {
  int sig = 0;
  sigwait(&signals, &sig);
  spdlog::info("{}: shutting down", sig == SIGTERM ? "SIGTERM" : "SIGINT");
}

// Writes "ADDRESS:PORT" to `path` atomically (a reader never sees half a line).
inline void write_port_file(const std::string& path, const std::string& bound) {
  if (path.empty()) return;
  const std::string tmp = path + ".tmp";
  std::ofstream(tmp) << bound << "\n";
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) spdlog::error("cannot write {}: {}", path, ec.message());
}

}  // namespace l2::cli
