// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// The passphrase is read one byte at a time straight into a SecretString, never into a
// std::string or a stdio buffer that would keep a copy after it is wiped.
#include "wallet_cli/passphrase.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <array>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "wallet_cli/unique_fd.hpp"

namespace l2::wallet {

namespace {

// Longer than any passphrase a person types; a larger "first line" is the wrong file.
constexpr std::size_t kMaxPassphrase = 4096;

Unexpected<std::string> fail(std::string message) { return make_error(std::move(message)); }

std::string mode_string(mode_t mode) {
  std::array<char, 8> buf{};
  std::snprintf(buf.data(), buf.size(), "%04o", static_cast<unsigned>(mode & 07777));
  return buf.data();
}

enum class LineEnd : std::uint8_t { newline, eof };

// One line from fd into `out` (without its "\n" or "\r\n"), byte by byte.
Result<LineEnd, std::string> read_line(int fd, SecretString& out, std::string_view what) {
  for (;;) {
    char c = 0;
    const ssize_t n = ::read(fd, &c, 1);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("cannot read " + std::string(what) + ": " + std::strerror(errno));
    }
    if (n == 0 || c == '\n') {
      if (!out.empty() && out.view().back() == '\r') out.pop_back();
      sodium_memzero(&c, 1);
      return n == 0 ? LineEnd::eof : LineEnd::newline;
    }
    out.push_back(c);
    sodium_memzero(&c, 1);
    if (out.size() > kMaxPassphrase) {
      out.wipe();
      return fail(std::string(what) + ": the passphrase is longer than " + std::to_string(kMaxPassphrase) +
                  " bytes");
    }
  }
}

Result<SecretString, std::string> from_file(const std::string& path) {
  // O_NONBLOCK: a FIFO must not hang us before the check below refuses it.
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (fd.get() < 0) return fail("cannot open the password file " + path + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0)
    return fail("cannot stat the password file " + path + ": " + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) return fail("the password file " + path + " is not a regular file");
  // As for key files: neither readable (it is the passphrase) nor writable (someone could
  // choose the passphrase of a new key) by group or others.
  if ((st.st_mode & 077) != 0)
    return fail("the password file " + path + " has mode " + mode_string(st.st_mode) +
                ", accessible by group or others; chmod 600 " + path);
  SecretString out;
  auto end = read_line(fd.get(), out, "the password file " + path);
  if (!end) return make_error(end.error());
  return out;
}

SecretString from_env(const char* value) {
  SecretString out;
  for (const char* p = value; *p != '\0'; ++p) out.push_back(*p);
  return out;
}

// ---- the terminal -------------------------------------------------------------------------

// The terminal's settings and the signal dispositions from before the prompt, for the
// signal handler: a SIGINT at the prompt must not leave the shell without echo. Only one
// prompt runs at a time (header: call from one thread).
constexpr std::array<int, 4> kSignals = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
volatile sig_atomic_t g_tty_fd = -1;
struct termios g_saved_tty {};
std::array<struct sigaction, kSignals.size()> g_old_actions{};

extern "C" void restore_tty_and_reraise(int sig) {
  // Only async-signal-safe calls: tcsetattr, sigaction, raise.
  if (g_tty_fd >= 0) ::tcsetattr(g_tty_fd, TCSAFLUSH, &g_saved_tty);
  g_tty_fd = -1;
  for (std::size_t i = 0; i < kSignals.size(); ++i) {
    if (kSignals[i] != sig) continue;
    // What the program had before (its handler, SIG_IGN, SIG_DFL), as if we had never
    // caught the signal: by default the process dies of it, with echo back on.
    ::sigaction(sig, &g_old_actions[i], nullptr);
    ::raise(sig);
  }
}

// Echo off for its lifetime; restores the settings and the signal handlers on every exit.
class EchoOff {
 public:
  explicit EchoOff(int fd) : fd_(fd) {
    if (::tcgetattr(fd, &g_saved_tty) != 0) return;
    g_tty_fd = fd;
    struct sigaction sa {};
    sa.sa_handler = restore_tty_and_reraise;
    sigemptyset(&sa.sa_mask);
    for (std::size_t i = 0; i < kSignals.size(); ++i) ::sigaction(kSignals[i], &sa, &g_old_actions[i]);
    struct termios quiet = g_saved_tty;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO | ECHOE | ECHOK);
    quiet.c_lflag |= ICANON;  // line editing (backspace) still works, without echo
    active_ = ::tcsetattr(fd, TCSAFLUSH, &quiet) == 0;
  }
  EchoOff(const EchoOff&) = delete;
  EchoOff& operator=(const EchoOff&) = delete;
  ~EchoOff() {
    if (g_tty_fd < 0) return;  // never changed, or the handler already restored it
    ::tcsetattr(fd_, TCSAFLUSH, &g_saved_tty);
    g_tty_fd = -1;
    for (std::size_t i = 0; i < kSignals.size(); ++i) ::sigaction(kSignals[i], &g_old_actions[i], nullptr);
  }
  [[nodiscard]] bool active() const { return active_; }

 private:
  int fd_;
  bool active_ = false;
};

void write_tty(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    text.remove_prefix(static_cast<std::size_t>(n));
  }
}

Result<SecretString, std::string> prompt_once(int fd, std::string_view prompt) {
  write_tty(fd, prompt);
  SecretString out;
  Result<LineEnd, std::string> end = LineEnd::eof;
  {
    const EchoOff echo_off(fd);
    if (!echo_off.active())
      return fail("cannot turn off echo on /dev/tty: " + std::string(std::strerror(errno)));
    end = read_line(fd, out, "/dev/tty");
  }
  write_tty(fd, "\n");  // the user's Enter was not echoed
  if (!end) return make_error(end.error());
  if (*end == LineEnd::eof && out.empty()) return fail("no passphrase entered (end of input on /dev/tty)");
  return out;
}

Result<SecretString, std::string> from_tty(int fd, PassphrasePurpose purpose, std::string_view what) {
  // Built with append: GCC 12 at -O3 warns (-Wrestrict, a false positive) on chains of
  // std::string operator+ here, as in format.cpp.
  auto prompt = [what](std::string_view head) {
    std::string p(head);
    p.append("passphrase for ").append(what).append(": ");
    return p;
  };
  if (purpose == PassphrasePurpose::unlock) {
    std::string p = prompt("");
    p.front() = 'P';
    return prompt_once(fd, p);
  }
  auto first = prompt_once(fd, prompt("New "));
  if (!first) return first;
  if (first->empty()) return fail("an empty passphrase is refused for a new key");
  auto second = prompt_once(fd, prompt("Repeat "));
  if (!second) return second;
  if (first->size() != second->size() ||
      sodium_memcmp(first->view().data(), second->view().data(), first->size()) != 0)
    return fail("the two passphrases differ");
  return first;
}

}  // namespace

Result<SecretString, std::string> read_passphrase(const PassphraseSource& source, PassphrasePurpose purpose,
                                                  std::string_view what) {
  auto checked = [&](Result<SecretString, std::string> r) -> Result<SecretString, std::string> {
    if (r && purpose == PassphrasePurpose::create && r->empty())
      return fail("an empty passphrase is refused for a new key");
    return r;
  };
  // A named file is final: falling back to another source would hide the mistake.
  if (source.password_file) return checked(from_file(*source.password_file));
  if (source.allow_env) {
    if (const char* value = std::getenv(std::string(kPasswordEnv).c_str()); value != nullptr)
      return checked(from_env(value));
  }
  if (source.allow_prompt) {
    UniqueFd tty(::open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC));
    if (tty.get() >= 0 && ::isatty(tty.get()) == 1) return checked(from_tty(tty.get(), purpose, what));
  }
  return fail("no passphrase for " + std::string(what) + ": pass --password-file FILE, set " +
              std::string(kPasswordEnv) + ", or run on a terminal to be prompted");
}

}  // namespace l2::wallet
