// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// What every daemon's main() does the same way besides its command line (usage.hpp and
// the TOML config file, config.hpp): the signals it waits for, the port file and the
// data dir's lock. Header-only, for programs (they link l2::cli and spdlog); the
// libraries never see it.
#pragma once

#include <spdlog/spdlog.h>

#include <fcntl.h>
#include <pthread.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include "common/crypto.hpp"

namespace l2::cli {

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

// The data dir's lock: an advisory flock(2) on DIR/LOCK, held for the life of the process
// (the kernel drops it when the process ends, even on SIGKILL, so a stale file never
// blocks a restart). The file holds the PID of the holder, for the refusal message.
class DirLock {
 public:
  DirLock(const DirLock&) = delete;
  DirLock& operator=(const DirLock&) = delete;
  DirLock(DirLock&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  DirLock& operator=(DirLock&&) = delete;
  ~DirLock() {
    if (fd_ >= 0) ::close(fd_);
  }

  // Takes the lock, or says why not in `error`: in use by another process (with its PID),
  // or the file could not be opened.
  static std::optional<DirLock> acquire(const std::filesystem::path& dir, std::string& error) {
    const std::filesystem::path path = dir / "LOCK";
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
      error = "cannot open " + path.string() + ": " + std::strerror(errno);
      return std::nullopt;
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      const int err = errno;
      std::string holder;
      char buf[32] = {};
      const ssize_t n = ::pread(fd, buf, sizeof(buf) - 1, 0);
      for (ssize_t i = 0; i < n && buf[i] >= '0' && buf[i] <= '9'; ++i) holder += buf[i];
      ::close(fd);
      if (err == EWOULDBLOCK) {
        error = "the data dir " + dir.string() + " is in use by " +
                (holder.empty() ? std::string("another process") : "process " + holder) +
                " (it holds the lock on " + path.string() + "); stop it first, or use another data dir";
      } else {
        error = "cannot lock " + path.string() + ": " + std::strerror(err);
      }
      return std::nullopt;
    }
    const std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd, 0) != 0 ||
        ::pwrite(fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
      error = "cannot write " + path.string() + ": " + std::strerror(errno);
      ::close(fd);
      return std::nullopt;
    }
    return DirLock(fd);
  }

 private:
  explicit DirLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

// A daemon's signing key on the base chain (sequencerd's, the challenger's): an Ed25519
// seed as 64 hex digits in `path`, which must not be readable by group or others; a new
// key is generated there (mode 0600, synced) when the file does not exist. nullopt: the
// reason was logged (critical). `what` names the key in messages; only the public key is
// ever logged.
inline std::optional<SecretKey> load_or_create_key(const std::filesystem::path& path,
                                                   const std::string& what) {
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) {
    const auto perms = std::filesystem::status(path, ec).permissions();
    if ((perms & (std::filesystem::perms::group_all | std::filesystem::perms::others_all)) !=
        std::filesystem::perms::none) {
      spdlog::critical("{} is readable by others; chmod 600 it", path.string());
      return std::nullopt;
    }
    std::ifstream in(path);
    std::string hex;
    in >> hex;
    auto seed = Seed32::from_hex_string(hex);
    std::fill(hex.begin(), hex.end(), '\0');
    if (!seed) {
      spdlog::critical("{} does not hold 64 hex digits (an Ed25519 seed)", path.string());
      return std::nullopt;
    }
    auto key = SecretKey::from_seed(*seed);
    *seed = Seed32();
    return key;
  }
  auto key = SecretKey::generate();
  {
    // Created with mode 0600 before anything is written to it.
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
      spdlog::critical("cannot create {}: {}", path.string(), std::strerror(errno));
      return std::nullopt;
    }
    std::string hex = key.seed().hex() + "\n";
    const bool ok =
        ::write(fd, hex.data(), hex.size()) == static_cast<ssize_t>(hex.size()) && ::fsync(fd) == 0;
    std::fill(hex.begin(), hex.end(), '\0');
    ::close(fd);
    if (!ok) {
      spdlog::critical("cannot write {}", path.string());
      return std::nullopt;
    }
  }
  spdlog::warn("generated the {} in {} (public key {}); keep it safe", what, path.string(),
               key.public_key().hex());
  return key;
}

}  // namespace l2::cli
