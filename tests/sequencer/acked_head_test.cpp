// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// The acknowledged-head record (sequencer/acked_head.hpp, docs/storage.md): the slot
// encoding, the newer of two slots winning whatever the batch numbers (a reorg writes a
// lower one), a torn or damaged slot leaving the other in charge, and a file with no
// whole slot refused rather than reset.
#include "sequencer/acked_head.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "../unit/test_util.hpp"

namespace l2::sequencer {
namespace {

using test::TempDir;

AckedHead head(std::uint64_t batch, std::uint8_t root_byte) {
  AckedHead h;
  h.chain_id = ChainId(7);
  h.batch = BatchNumber(batch);
  h.state_root.data()[0] = root_byte;
  h.state_root.data()[31] = static_cast<std::uint8_t>(root_byte + 1);
  return h;
}

std::vector<std::uint8_t> read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_all(const std::string& path, const std::vector<std::uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

TEST(AckedHead, SlotLayoutIsTheDocumentedOne) {
  const auto s = AckedHeadFile::encode_slot(5, head(812, 0xab));
  ASSERT_EQ(s.size(), 72u);
  EXPECT_EQ(std::string(s.begin(), s.begin() + 8), "L2ACKHD1");
  EXPECT_EQ(s[8], 5);           // seq u64le
  EXPECT_EQ(s[16], 7);          // chain id u64le
  EXPECT_EQ(s[24], 812 % 256);  // batch u64le
  EXPECT_EQ(s[25], 812 / 256);
  EXPECT_EQ(s[32], 0xab);  // the root
  EXPECT_EQ(s[63], 0xac);
  auto back = AckedHeadFile::decode_slot(ByteView(s.data(), s.size()));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->first, 5u);
  EXPECT_EQ(back->second, head(812, 0xab));
  for (std::size_t i = 0; i < s.size(); ++i) {  // any flipped bit is caught
    auto bad = s;
    bad[i] ^= 0x10;
    EXPECT_FALSE(AckedHeadFile::decode_slot(ByteView(bad.data(), bad.size()))) << "byte " << i;
  }
}

TEST(AckedHead, TheLastWriteWinsEvenWhenItGoesBack) {
  TempDir dir;
  const std::string path = dir.file("acked-head");
  {
    auto f = AckedHeadFile::open(path);
    ASSERT_TRUE(f) << f.error();
    EXPECT_FALSE((*f)->record());
    ASSERT_TRUE((*f)->write(head(10, 1)));
    ASSERT_TRUE((*f)->write(head(11, 2)));
    ASSERT_TRUE((*f)->write(head(4, 3)));  // a reorg back to batch 4
    EXPECT_EQ((*f)->record(), head(4, 3));
  }
  auto f = AckedHeadFile::open(path);
  ASSERT_TRUE(f) << f.error();
  EXPECT_EQ((*f)->record(), head(4, 3));
  EXPECT_EQ(read_all(path).size(), 144u);
}

TEST(AckedHead, ADamagedSlotLeavesTheOtherOneAndBothDamagedIsRefused) {
  TempDir dir;
  const std::string path = dir.file("acked-head");
  {
    auto f = AckedHeadFile::open(path);
    ASSERT_TRUE(f);
    ASSERT_TRUE((*f)->write(head(20, 1)));  // seq 1: slot 1
    ASSERT_TRUE((*f)->write(head(21, 2)));  // seq 2: slot 0
  }
  auto bytes = read_all(path);
  ASSERT_EQ(bytes.size(), 144u);
  bytes[40] ^= 1;  // the newer slot (0) torn
  write_all(path, bytes);
  {
    auto f = AckedHeadFile::open(path);
    ASSERT_TRUE(f) << f.error();
    EXPECT_EQ((*f)->record(), head(20, 1));
    ASSERT_TRUE((*f)->write(head(22, 3)));  // seq 2 again, into slot 0: whole again
  }
  {
    auto f = AckedHeadFile::open(path);
    ASSERT_TRUE(f);
    EXPECT_EQ((*f)->record(), head(22, 3));
  }
  bytes = read_all(path);
  bytes[3] ^= 1;
  bytes[72 + 50] ^= 1;
  write_all(path, bytes);
  auto f = AckedHeadFile::open(path);
  ASSERT_FALSE(f);
  EXPECT_NE(f.error().find("is damaged"), std::string::npos) << f.error();
  EXPECT_EQ(read_all(path), bytes) << "a refused file was changed";
  write_all(path, std::vector<std::uint8_t>(30, 0));  // cut short: no whole slot either
  EXPECT_FALSE(AckedHeadFile::open(path));
}

}  // namespace
}  // namespace l2::sequencer
