// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// The terminal prompt, on a pseudo-terminal: a forked child makes the pty its controlling
// terminal (so /dev/tty is it) and reads the passphrase; the parent types on the master
// side once the child has turned echo off, and checks that nothing it typed was echoed,
// that the settings are restored after the prompt, and after a SIGINT during it.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "wallet_cli/passphrase.hpp"

namespace {

using l2::wallet::PassphrasePurpose;
using l2::wallet::PassphraseSource;

class Pty {
 public:
  Pty() {
    master_ = ::posix_openpt(O_RDWR | O_NOCTTY);
    if (master_ < 0 || ::grantpt(master_) != 0 || ::unlockpt(master_) != 0) return;
    slave_name_ = ::ptsname(master_);
    // The parent's own view of the slave's settings (never its controlling terminal).
    slave_ = ::open(slave_name_.c_str(), O_RDWR | O_NOCTTY);
  }
  Pty(const Pty&) = delete;
  Pty& operator=(const Pty&) = delete;
  ~Pty() {
    if (slave_ >= 0) ::close(slave_);
    if (master_ >= 0) ::close(master_);
  }
  [[nodiscard]] bool ok() const { return master_ >= 0 && slave_ >= 0; }
  [[nodiscard]] int master() const { return master_; }
  [[nodiscard]] const std::string& slave_name() const { return slave_name_; }

  [[nodiscard]] bool echo_on() const {
    struct termios t {};
    return ::tcgetattr(slave_, &t) == 0 && (t.c_lflag & ECHO) != 0;
  }
  // Polls the settings: true once echo is `on` (within five seconds).
  [[nodiscard]] bool wait_echo(bool on) const {
    for (int i = 0; i < 5000; ++i) {
      if (echo_on() == on) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return false;
  }
  // Everything the child wrote (prompts, and any echo) until `text` appears or a timeout.
  bool read_until(std::string& seen, std::string_view text, int polls = 500) const {
    for (int i = 0; i < polls && seen.find(text) == std::string::npos; ++i) {
      pollfd p{master_, POLLIN, 0};
      if (::poll(&p, 1, 10) <= 0) continue;
      char buf[256];
      const ssize_t n = ::read(master_, buf, sizeof buf);
      if (n > 0) seen.append(buf, static_cast<std::size_t>(n));
    }
    return seen.find(text) != std::string::npos;
  }
  void type(std::string_view line) const {
    ASSERT_EQ(::write(master_, line.data(), line.size()), static_cast<ssize_t>(line.size()));
  }

 private:
  int master_ = -1;
  int slave_ = -1;
  std::string slave_name_;
};

struct Child {
  pid_t pid = -1;
  int result_fd = -1;  // the child writes "ok:<passphrase>" or "error:<message>", then "|echo=<0|1>"
};

// Forks a child that reads a passphrase on the pty as its controlling terminal.
Child start_prompt(const Pty& pty, PassphrasePurpose purpose) {
  int fds[2];
  if (::pipe(fds) != 0) return {};
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    ::setsid();
    const int tty = ::open(pty.slave_name().c_str(), O_RDWR);
    if (tty < 0 || ::ioctl(tty, TIOCSCTTY, 0) != 0) ::_exit(3);
    ::unsetenv("L2_WALLET_PASSWORD");
    auto r = l2::wallet::read_passphrase(PassphraseSource{std::nullopt, true, true}, purpose, "key alice");
    std::string out = r.ok() ? "ok:" + std::string(r->view()) : "error:" + r.error();
    struct termios t {};
    ::tcgetattr(tty, &t);
    out += (t.c_lflag & ECHO) != 0 ? "|echo=1" : "|echo=0";
    if (::write(fds[1], out.data(), out.size()) < 0) ::_exit(4);
    ::_exit(0);
  }
  ::close(fds[1]);
  return {pid, fds[0]};
}

std::string finish(const Child& c) {
  std::string out;
  char buf[256];
  for (ssize_t n; (n = ::read(c.result_fd, buf, sizeof buf)) > 0;)
    out.append(buf, static_cast<std::size_t>(n));
  ::close(c.result_fd);
  int status = 0;
  ::waitpid(c.pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  return out;
}

TEST(PassphraseTty, PromptsWithoutEchoAndRestoresTheTerminal) {
  Pty pty;
  ASSERT_TRUE(pty.ok());
  ASSERT_TRUE(pty.echo_on());
  const Child child = start_prompt(pty, PassphrasePurpose::unlock);
  ASSERT_GT(child.pid, 0);
  std::string seen;
  ASSERT_TRUE(pty.read_until(seen, "Passphrase for key alice: ")) << seen;
  ASSERT_TRUE(pty.wait_echo(false));
  pty.type("hunter2\n");
  EXPECT_EQ(finish(child), "ok:hunter2|echo=1");
  (void)pty.read_until(seen, "hunter2", 20);  // drains what came after (0.2 s)
  EXPECT_EQ(seen.find("hunter2"), std::string::npos) << "echoed: " << seen;
  EXPECT_TRUE(pty.echo_on());
}

TEST(PassphraseTty, CreateAsksTwiceAndRefusesAMismatch) {
  for (auto [first, second, expected] :
       {std::tuple{"pw one\n", "pw one\n", "ok:pw one|echo=1"},
        std::tuple{"pw one\n", "pw two\n", "error:the two passphrases differ|echo=1"}}) {
    Pty pty;
    ASSERT_TRUE(pty.ok());
    const Child child = start_prompt(pty, PassphrasePurpose::create);
    ASSERT_GT(child.pid, 0);
    std::string seen;
    ASSERT_TRUE(pty.read_until(seen, "New passphrase for key alice: ")) << seen;
    ASSERT_TRUE(pty.wait_echo(false));
    pty.type(first);
    ASSERT_TRUE(pty.read_until(seen, "Repeat passphrase for key alice: ")) << seen;
    ASSERT_TRUE(pty.wait_echo(false));
    pty.type(second);
    EXPECT_EQ(finish(child), expected);
    EXPECT_EQ(seen.find("pw "), std::string::npos) << "echoed: " << seen;
  }
}

TEST(PassphraseTty, SigintAtThePromptRestoresEcho) {
  Pty pty;
  ASSERT_TRUE(pty.ok());
  const Child child = start_prompt(pty, PassphrasePurpose::unlock);
  ASSERT_GT(child.pid, 0);
  std::string seen;
  ASSERT_TRUE(pty.read_until(seen, "Passphrase for key alice: ")) << seen;
  ASSERT_TRUE(pty.wait_echo(false));
  ASSERT_EQ(::kill(child.pid, SIGINT), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(child.pid, &status, 0), child.pid);
  ::close(child.result_fd);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGINT) << status;
  EXPECT_TRUE(pty.echo_on()) << "the terminal was left without echo";
}

}  // namespace
