// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// The acknowledged-head record: a small file beside rollup.db that says which batch (and
// root) the node last acknowledged. It is written and synced before the txs of a batch
// are acknowledged, and before a settlement reorg rolls batches back, so that at start a
// database that ends earlier, or holds another root at that batch (a restored backup, a
// cut or damaged WAL, an emptied file), is refused instead of quietly serving without
// the acknowledged batches. Format (docs/storage.md): two 72-byte slots, written in
// turn, so that a torn write leaves the other one whole:
//
//   slot = magic "L2ACKHD1" || seq u64le || chain id u64le || batch u64le ||
//          state root [32] || check [8]     (check: BLAKE2b-256 of the first 64 bytes, cut to 8)
//
// The valid slot with the higher seq is the record.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "common/bytes.hpp"
#include "common/result.hpp"
#include "common/types.hpp"

namespace l2::sequencer {

struct AckedHead {
  ChainId chain_id;
  BatchNumber batch;
  Hash32 state_root;
  friend bool operator==(const AckedHead&, const AckedHead&) = default;
};

inline constexpr std::size_t kAckedSlotBytes = 72;

class AckedHeadFile {
 public:
  // Opens (or creates, syncing its directory) the file at `path`; nullopt record: the
  // file is new or empty. An error for a file that cannot be read or written, or whose
  // slots are all damaged (it is never silently reset).
  static Result<std::unique_ptr<AckedHeadFile>, std::string> open(const std::string& path);
  ~AckedHeadFile();
  AckedHeadFile(const AckedHeadFile&) = delete;
  AckedHeadFile& operator=(const AckedHeadFile&) = delete;

  [[nodiscard]] const std::optional<AckedHead>& record() const { return record_; }
  [[nodiscard]] const std::string& path() const { return path_; }
  // Writes `head` into the older slot and syncs the file (fdatasync).
  Status<std::string> write(const AckedHead& head);

  static Bytes encode_slot(std::uint64_t seq, const AckedHead& head);  // kAckedSlotBytes
  // nullopt: not a whole slot (wrong magic or check).
  static std::optional<std::pair<std::uint64_t, AckedHead>> decode_slot(ByteView slot);

 private:
  AckedHeadFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  std::string path_;
  int fd_ = -1;
  std::uint64_t seq_ = 0;  // of the record
  std::optional<AckedHead> record_;
};

}  // namespace l2::sequencer
