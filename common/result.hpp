// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// Result<T, E>: a value or a domain error, for the expected failures of the core
// (decoding, validation, storage). C++20 has no std::expected; this is the small
// subset we need. Accessing the wrong alternative is a bug and asserts.
// Status<E> is Result<void-like, E>: `return {};` for success.
#pragma once

#include <type_traits>
#include <utility>
#include <variant>

#include "common/assert.hpp"

namespace l2 {

template <class E>
struct Unexpected {
  E error;
};

template <class E>
Unexpected<std::decay_t<E>> make_error(E&& e) {
  return {std::forward<E>(e)};
}

template <class T, class E>
class [[nodiscard]] Result {
 public:
  Result() requires std::is_default_constructible_v<T> : v_(std::in_place_index<0>) {}
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT(google-explicit-constructor)
  template <class G>
  Result(Unexpected<G> e) : v_(std::in_place_index<1>, E(std::move(e.error))) {}  // NOLINT

  [[nodiscard]] bool ok() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  T& value() & {
    L2_ASSERT(ok());
    return std::get<0>(v_);
  }
  const T& value() const& {
    L2_ASSERT(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    L2_ASSERT(ok());
    return std::get<0>(std::move(v_));
  }
  const E& error() const {
    L2_ASSERT(!ok());
    return std::get<1>(v_);
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, E> v_;
};

template <class E>
using Status = Result<std::monostate, E>;

}  // namespace l2
