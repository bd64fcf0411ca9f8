// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
#include "bench/loadgen_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <charconv>
#include <fstream>
#include <system_error>

extern char** environ;

namespace l2::bench {

std::optional<TempDir> TempDir::create(const std::filesystem::path& parent, const std::string& prefix) {
  std::error_code ec;
  std::filesystem::create_directories(parent, ec);
  std::string pattern = (parent / (prefix + ".XXXXXX")).string();
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  if (::mkdtemp(buf.data()) == nullptr) return std::nullopt;
  TempDir d;
  d.path_ = std::filesystem::path(buf.data());
  return d;
}

TempDir::TempDir(TempDir&& o) noexcept : path_(std::move(o.path_)) { o.path_.clear(); }

TempDir::~TempDir() {
  if (path_.empty()) return;
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

namespace {

constexpr std::string_view kListening = "listening on 127.0.0.1:";

// The port from a "... listening on 127.0.0.1:PORT ..." line, if the line has one.
std::optional<std::uint16_t> listening_port(std::string_view line) {
  const auto at = line.find(kListening);
  if (at == std::string_view::npos) return std::nullopt;
  const char* begin = line.data() + at + kListening.size();
  const char* end = line.data() + line.size();
  unsigned port = 0;
  const auto [p, ec] = std::from_chars(begin, end, port);
  if (ec != std::errc() || p == begin || port == 0 || port > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(port);
}

int exit_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace

std::optional<ServerProcess> ServerProcess::start(const ServerSpec& spec, std::string& error) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    error = "pipe2 failed";
    return std::nullopt;
  }
  posix_spawn_file_actions_t actions;
  ::posix_spawn_file_actions_init(&actions);
  ::posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  ::posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
  ::posix_spawn_file_actions_adddup2(&actions, fds[1], 2);
  std::vector<std::string> args;
  args.push_back(spec.binary);
  args.insert(args.end(), spec.args.begin(), spec.args.end());
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  // The child starts with no blocked signals and default dispositions, whatever the
  // parent blocked (loadgen waits for SIGINT/SIGTERM on a thread) or ignored (SIGPIPE).
  posix_spawnattr_t attr;
  ::posix_spawnattr_init(&attr);
  sigset_t none;
  sigset_t defaults;
  ::sigemptyset(&none);
  ::sigemptyset(&defaults);
  for (int sig : {SIGPIPE, SIGINT, SIGTERM, SIGHUP}) ::sigaddset(&defaults, sig);
  ::posix_spawnattr_setsigmask(&attr, &none);
  ::posix_spawnattr_setsigdefault(&attr, &defaults);
  ::posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, spec.binary.c_str(), &actions, &attr, argv.data(), environ);
  ::posix_spawnattr_destroy(&attr);
  ::posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);
  if (rc != 0) {
    ::close(fds[0]);
    error = "cannot start " + spec.binary + ": " + std::generic_category().message(rc);
    return std::nullopt;
  }

  ServerProcess p;
  p.pid_ = pid;
  p.out_fd_ = fds[0];
  std::ofstream log(spec.log_file, std::ios::binary);
  std::string output;  // everything read so far
  std::size_t line_start = 0;
  const auto deadline = std::chrono::steady_clock::now() + spec.start_timeout;
  while (p.port_ == 0) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      error = "sequencerd printed no 'listening on 127.0.0.1:PORT' line in time; output:\n" + output;
      return std::nullopt;  // ~ServerProcess stops it
    }
    pollfd pfd{p.out_fd_, POLLIN, 0};
    if (::poll(&pfd, 1, static_cast<int>(std::min<long>(left.count(), 200))) <= 0) continue;
    char buf[4096];
    const ssize_t n = ::read(p.out_fd_, buf, sizeof buf);
    if (n <= 0) {
      error = "sequencerd exited before listening; output:\n" + output;
      return std::nullopt;
    }
    output.append(buf, static_cast<std::size_t>(n));
    log.write(buf, n);
    for (auto nl = output.find('\n', line_start); nl != std::string::npos;
         nl = output.find('\n', line_start)) {
      if (auto port = listening_port(std::string_view(output).substr(line_start, nl - line_start)))
        p.port_ = *port;
      line_start = nl + 1;
    }
  }
  log.close();
  const int fd = p.out_fd_;
  const std::filesystem::path log_file = spec.log_file;
  p.drain_ = std::thread([fd, log_file] {
    std::ofstream out(log_file, std::ios::binary | std::ios::app);
    char buf[8192];
    for (;;) {
      const ssize_t n = ::read(fd, buf, sizeof buf);
      if (n <= 0) break;
      out.write(buf, n);
    }
  });
  return p;
}

ServerProcess::ServerProcess(ServerProcess&& o) noexcept
    : pid_(o.pid_), out_fd_(o.out_fd_), port_(o.port_), drain_(std::move(o.drain_)) {
  o.pid_ = -1;
  o.out_fd_ = -1;
}

int ServerProcess::stop(std::chrono::milliseconds grace) {
  int result = -1;
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + grace;
    int status = 0;
    pid_t r = 0;
    while ((r = ::waitpid(pid_, &status, WNOHANG)) == 0 && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (r == 0) {
      ::kill(pid_, SIGKILL);
      r = ::waitpid(pid_, &status, 0);
    }
    if (r == pid_) result = exit_status(status);
    pid_ = -1;
  }
  if (drain_.joinable()) drain_.join();
  if (out_fd_ >= 0) {
    ::close(out_fd_);
    out_fd_ = -1;
  }
  return result;
}

ServerProcess::~ServerProcess() { stop(); }

}  // namespace l2::bench
