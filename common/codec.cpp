// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
#include "common/codec.hpp"

namespace l2 {

std::string_view to_string(DecodeError e) {
  switch (e) {
    case DecodeError::truncated:
      return "truncated input";
    case DecodeError::trailing_bytes:
      return "trailing bytes after the value";
    case DecodeError::non_minimal_varint:
      return "non-minimal varint";
    case DecodeError::varint_overflow:
      return "varint does not fit 64 bits";
    case DecodeError::out_of_range:
      return "value out of range";
    case DecodeError::unknown_type:
      return "unknown type tag";
    case DecodeError::too_large:
      return "input too large";
  }
  return "unknown decode error";
}

// Out of line on purpose: inlined into a caller that writes constant-size pieces into a
// fresh writer, vector::insert makes GCC 12 at -O3 report a false -Wstringop-overflow
// (GCC PR 106199), which broke the release build of the tests.
void ByteWriter::bytes(ByteView v) { out_.insert(out_.end(), v.begin(), v.end()); }

void ByteWriter::u32le(std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}
void ByteWriter::u64le(std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}
void ByteWriter::varint(std::uint64_t v) {
  while (v >= 0x80) {
    out_.push_back(static_cast<std::uint8_t>(v | 0x80));
    v >>= 7;
  }
  out_.push_back(static_cast<std::uint8_t>(v));
}

Result<std::uint8_t, DecodeError> ByteReader::u8() {
  if (remaining() < 1) return make_error(DecodeError::truncated);
  return in_[pos_++];
}
Result<std::uint32_t, DecodeError> ByteReader::u32le() {
  if (remaining() < 4) return make_error(DecodeError::truncated);
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i)
    v |= static_cast<std::uint32_t>(in_[pos_ + static_cast<std::size_t>(i)]) << (8 * i);
  pos_ += 4;
  return v;
}
Result<std::uint64_t, DecodeError> ByteReader::u64le() {
  if (remaining() < 8) return make_error(DecodeError::truncated);
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i)
    v |= static_cast<std::uint64_t>(in_[pos_ + static_cast<std::size_t>(i)]) << (8 * i);
  pos_ += 8;
  return v;
}
Result<std::uint64_t, DecodeError> ByteReader::varint() {
  std::uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (remaining() < 1) return make_error(DecodeError::truncated);
    std::uint8_t b = in_[pos_++];
    std::uint64_t part = b & 0x7f;
    if (shift == 63 && part > 1) return make_error(DecodeError::varint_overflow);
    v |= part << shift;
    if ((b & 0x80) == 0) {
      if (b == 0 && shift != 0) return make_error(DecodeError::non_minimal_varint);
      return v;
    }
  }
  return make_error(DecodeError::varint_overflow);
}
Result<ByteView, DecodeError> ByteReader::bytes(std::size_t n) {
  if (remaining() < n) return make_error(DecodeError::truncated);
  ByteView out = in_.subspan(pos_, n);
  pos_ += n;
  return out;
}
Status<DecodeError> ByteReader::expect_end() const {
  if (remaining() != 0) return make_error(DecodeError::trailing_bytes);
  return {};
}

}  // namespace l2
