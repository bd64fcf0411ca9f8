// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
#include "sequencer/acked_head.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "common/codec.hpp"
#include "common/crypto.hpp"

namespace l2::sequencer {

namespace {

constexpr std::string_view kMagic = "L2ACKHD1";
constexpr std::size_t kCheckedBytes = kAckedSlotBytes - 8;

std::string errno_text(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + std::strerror(errno);
}

}  // namespace

Bytes AckedHeadFile::encode_slot(std::uint64_t seq, const AckedHead& head) {
  ByteWriter w(kAckedSlotBytes);
  w.ascii(kMagic);
  w.u64le(seq);
  w.u64le(head.chain_id.value());
  w.u64le(head.batch.value());
  w.bytes(head.state_root.view());
  const Hash32 check = blake2b256(w.data());
  w.bytes(check.view().first(8));
  return w.take();
}

std::optional<std::pair<std::uint64_t, AckedHead>> AckedHeadFile::decode_slot(ByteView slot) {
  if (slot.size() != kAckedSlotBytes) return std::nullopt;
  const Hash32 check = blake2b256(slot.first(kCheckedBytes));
  if (!std::equal(slot.begin() + kCheckedBytes, slot.end(), check.view().begin())) return std::nullopt;
  ByteReader r(slot.first(kCheckedBytes));
  auto magic = r.bytes(kMagic.size());
  auto seq = r.u64le();
  auto chain = r.u64le();
  auto batch = r.u64le();
  auto root = r.fixed<Hash32>();
  if (!magic || !std::equal(magic->begin(), magic->end(), as_bytes(kMagic).begin()) || !seq || !chain ||
      !batch || !root)
    return std::nullopt;
  return std::make_pair(*seq, AckedHead{ChainId(*chain), BatchNumber(*batch), *root});
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
