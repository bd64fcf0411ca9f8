// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
#include "sequencer/acked_head.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "common/crypto.hpp"

namespace l2::sequencer {

namespace {

constexpr std::array<std::uint8_t, 8> kMagic = {'L', '2', 'A', 'C', 'K', 'H', 'D', '1'};
constexpr std::size_t kCheckedBytes = kAckedSlotBytes - 8;

std::string errno_text(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + std::strerror(errno);
}

void put_u64(std::uint8_t* out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out[i] = static_cast<std::uint8_t>(v >> (8 * i));
}

std::uint64_t get_u64(const std::uint8_t* in) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= static_cast<std::uint64_t>(in[i]) << (8 * i);
  return v;
}

}  // namespace

std::array<std::uint8_t, kAckedSlotBytes> AckedHeadFile::encode_slot(std::uint64_t seq,
                                                                     const AckedHead& head) {
  std::array<std::uint8_t, kAckedSlotBytes> s{};
  std::copy(kMagic.begin(), kMagic.end(), s.begin());
  put_u64(s.data() + 8, seq);
  put_u64(s.data() + 16, head.chain_id.value());
  put_u64(s.data() + 24, head.batch.value());
  std::copy(head.state_root.data(), head.state_root.data() + 32, s.data() + 32);
  const Hash32 check = blake2b256(ByteView(s.data(), kCheckedBytes));
  std::copy(check.data(), check.data() + 8, s.data() + kCheckedBytes);
  return s;
}

std::optional<std::pair<std::uint64_t, AckedHead>> AckedHeadFile::decode_slot(ByteView slot) {
  if (slot.size() != kAckedSlotBytes) return std::nullopt;
  if (!std::equal(kMagic.begin(), kMagic.end(), slot.data())) return std::nullopt;
  const Hash32 check = blake2b256(slot.subspan(0, kCheckedBytes));
  if (!std::equal(check.data(), check.data() + 8, slot.data() + kCheckedBytes)) return std::nullopt;
  AckedHead h;
  h.chain_id = ChainId(get_u64(slot.data() + 16));
  h.batch = BatchNumber(get_u64(slot.data() + 24));
  std::copy(slot.data() + 32, slot.data() + 64, h.state_root.data());
  return std::make_pair(get_u64(slot.data() + 8), h);
}

Result<std::unique_ptr<AckedHeadFile>, std::string> AckedHeadFile::open(const std::string& path) {
  const bool existed = std::filesystem::exists(path);
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return make_error(errno_text("cannot open", path));
  std::unique_ptr<AckedHeadFile> f(new AckedHeadFile(path, fd));
  std::array<std::uint8_t, 2 * kAckedSlotBytes> buf{};
  std::size_t got = 0;
  while (got < buf.size()) {
    const ssize_t n = ::pread(fd, buf.data() + got, buf.size() - got, static_cast<off_t>(got));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return make_error(errno_text("cannot read", path));
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  if (got > 0) {
    bool any = false;
    for (std::size_t k = 0; k < 2; ++k) {
      if (got < (k + 1) * kAckedSlotBytes) continue;
      auto slot = decode_slot(ByteView(buf.data() + k * kAckedSlotBytes, kAckedSlotBytes));
      if (!slot) continue;
      if (!any || slot->first > f->seq_) {
        f->seq_ = slot->first;
        f->record_ = slot->second;
      }
      any = true;
    }
    if (!any)
      return make_error(path + " is damaged (no whole record in its " + std::to_string(got) +
                        " bytes); it says which batch was last acknowledged, so it is not reset: see "
                        "docs/storage.md");
  }
  if (!existed) {
    // The new file's name must survive a crash too.
    const std::string dir = std::filesystem::path(path).parent_path().string();
    const int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) return make_error(errno_text("cannot open the directory of", path));
    const int rc = ::fsync(dfd);
    ::close(dfd);
    if (rc != 0) return make_error(errno_text("cannot sync the directory of", path));
  }
  return f;
}

AckedHeadFile::~AckedHeadFile() {
  if (fd_ >= 0) ::close(fd_);
}

Status<std::string> AckedHeadFile::write(const AckedHead& head) {
  const std::uint64_t seq = seq_ + 1;
  const auto slot = encode_slot(seq, head);
  const auto offset = static_cast<off_t>((seq % 2) * kAckedSlotBytes);
  std::size_t done = 0;
  while (done < slot.size()) {
    const ssize_t n =
        ::pwrite(fd_, slot.data() + done, slot.size() - done, offset + static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return make_error(errno_text("cannot write", path_));
    done += static_cast<std::size_t>(n);
  }
  if (::fdatasync(fd_) != 0) return make_error(errno_text("cannot sync", path_));
  seq_ = seq;
  record_ = head;
  return {};
}

}  // namespace l2::sequencer
