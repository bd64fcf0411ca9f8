// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
#include "wallet_cli/secret_string.hpp"

#include <sodium.h>

#include <utility>

namespace l2::wallet {

SecretString::SecretString(std::string_view text) : buf_(text.begin(), text.end()) {}

SecretString::SecretString(SecretString&& other) noexcept : buf_(std::move(other.buf_)) {
  other.buf_.clear();
}

SecretString& SecretString::operator=(SecretString&& other) noexcept {
  if (this != &other) {
    wipe();
    buf_ = std::move(other.buf_);
    other.buf_.clear();
  }
  return *this;
}

SecretString::~SecretString() { wipe(); }

void SecretString::push_back(char c) {
  if (buf_.size() == buf_.capacity()) {
    // Growing would leave the old bytes in freed memory: copy into a larger buffer, wipe.
    std::vector<char> bigger;
    bigger.reserve(buf_.capacity() < 32 ? 64 : buf_.capacity() * 2);
    bigger.assign(buf_.begin(), buf_.end());
    wipe();
    buf_ = std::move(bigger);
  }
  buf_.push_back(c);
}

void SecretString::pop_back() {
  if (buf_.empty()) return;
  sodium_memzero(&buf_.back(), 1);
  buf_.pop_back();
}

void SecretString::wipe() {
  if (buf_.capacity() > 0) sodium_memzero(buf_.data(), buf_.capacity());
  buf_.clear();
}

}  // namespace l2::wallet
