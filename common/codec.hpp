// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// Primitive byte encoding: little-endian fixed width and LEB128 varints (LevelDB's
// util/coding.h). ByteReader is strict: reading past the end, non-minimal or
// over-long varints and trailing bytes are errors, never crashes. Not thread-safe
// per instance.
#pragma once

#include <cstdint>
#include <string_view>

#include "common/bytes.hpp"
#include "common/result.hpp"

namespace l2 {

enum class DecodeError : std::uint8_t {
  truncated,
  trailing_bytes,
  non_minimal_varint,
  varint_overflow,
  out_of_range,
  unknown_type,
  too_large,
};
std::string_view to_string(DecodeError e);

class ByteWriter {
 public:
  ByteWriter() = default;
  explicit ByteWriter(std::size_t reserve) { out_.reserve(reserve); }
  void u8(std::uint8_t v) { out_.push_back(v); }
  void u32le(std::uint32_t v);
  void u64le(std::uint64_t v);
  void varint(std::uint64_t v);
  void bytes(ByteView v);
  void ascii(std::string_view s) { bytes(as_bytes(s)); }
  [[nodiscard]] const Bytes& data() const { return out_; }
  Bytes take() { return std::move(out_); }

 private:
  Bytes out_;
};

class ByteReader {
 public:
  explicit ByteReader(ByteView in) : in_(in) {}
  Result<std::uint8_t, DecodeError> u8();
  Result<std::uint32_t, DecodeError> u32le();
  Result<std::uint64_t, DecodeError> u64le();
  Result<std::uint64_t, DecodeError> varint();
  Result<ByteView, DecodeError> bytes(std::size_t n);
  template <class Fixed>
  Result<Fixed, DecodeError> fixed() {
    auto b = bytes(Fixed::size());
    if (!b) return make_error(b.error());
    return Fixed::from_view(*b);
  }
  [[nodiscard]] std::size_t remaining() const { return in_.size() - pos_; }
  [[nodiscard]] std::size_t position() const { return pos_; }
  // Error unless every byte was consumed.
  Status<DecodeError> expect_end() const;

 private:
  ByteView in_;
  std::size_t pos_ = 0;
};

}  // namespace l2
