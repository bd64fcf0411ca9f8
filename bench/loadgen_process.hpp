// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// What the load generator needs to run a private sequencerd: a temporary directory that
// removes itself, and the daemon as a child process on an ephemeral loopback port.
// ServerProcess starts the binary with its stdout and stderr on a pipe, waits for its
// "listening on 127.0.0.1:PORT" line, then copies the rest of the output to a log file
// from a background thread. Its destructor stops the process (SIGTERM, then SIGKILL).
// Not thread-safe: one owner.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace l2::bench {

class TempDir {
 public:
  // mkdtemp(parent/prefix.XXXXXX); nullopt if that fails.
  static std::optional<TempDir> create(const std::filesystem::path& parent, const std::string& prefix);
  TempDir(TempDir&& o) noexcept;
  TempDir& operator=(TempDir&&) = delete;
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir();  // removes the directory and everything in it
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  TempDir() = default;
  std::filesystem::path path_;
};

struct ServerSpec {
  std::string binary;
  std::vector<std::string> args;  // after the binary's name
  std::filesystem::path log_file;
  std::chrono::milliseconds start_timeout{60'000};
};

class ServerProcess {
 public:
  // Starts the server and waits for its listening line; on failure returns nullopt
  // and puts the reason (with the output so far) in `error`.
  static std::optional<ServerProcess> start(const ServerSpec& spec, std::string& error);
  ServerProcess(ServerProcess&& o) noexcept;
  ServerProcess& operator=(ServerProcess&&) = delete;
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;
  ~ServerProcess();

  [[nodiscard]] std::uint16_t port() const { return port_; }
  [[nodiscard]] int pid() const { return pid_; }
  // SIGTERM, then SIGKILL after `grace`; returns the exit status as the shell shows it
  // (128 + signal for a signal), or -1 if the process was already reaped.
  int stop(std::chrono::milliseconds grace = std::chrono::milliseconds(15'000));

 private:
  ServerProcess() = default;
  int pid_ = -1;
  int out_fd_ = -1;
  std::uint16_t port_ = 0;
  std::thread drain_;
};

}  // namespace l2::bench
