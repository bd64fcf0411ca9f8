// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// SecretString: a passphrase (or other secret text) in a buffer that is wiped with
// sodium_memzero when it is destroyed or reassigned; it cannot be copied, printed or
// logged. Where it comes from (a no-echo prompt, a file, an environment variable) is
// passphrase.hpp's business.
//
// Thread safety: a value type; no shared state.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace l2::wallet {

class SecretString {
 public:
  SecretString() = default;
  explicit SecretString(std::string_view text);
  SecretString(SecretString&& other) noexcept;
  SecretString& operator=(SecretString&& other) noexcept;
  SecretString(const SecretString&) = delete;
  SecretString& operator=(const SecretString&) = delete;
  ~SecretString();

  [[nodiscard]] std::string_view view() const { return {buf_.data(), buf_.size()}; }
  [[nodiscard]] bool empty() const { return buf_.empty(); }
  [[nodiscard]] std::size_t size() const { return buf_.size(); }
  void push_back(char c);  // wipes the old buffer if it has to grow
  void pop_back();
  void wipe();

 private:
  std::vector<char> buf_;
};

}  // namespace l2::wallet
