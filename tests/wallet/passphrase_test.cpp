// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// Where the passphrase comes from: the password file's rules, the environment variable,
// their order, and the error without any source. The terminal prompt is not tested here
// (a test has no terminal); every test turns it off so that one run at a terminal behaves
// like one in CI.
#include "wallet_cli/passphrase.hpp"

#include <cstdlib>
#include <string>

#include <gtest/gtest.h>

#include "tests/wallet/temp_dir.hpp"

namespace {

using l2::wallet::kPasswordEnv;
using l2::wallet::PassphrasePurpose;
using l2::wallet::PassphraseSource;
using l2::wallet::read_passphrase;
using l2::wallet::testing::TempDir;
using l2::wallet::testing::write_file;

class PassphraseTest : public ::testing::Test {
 protected:
  void SetUp() override { ::unsetenv(std::string(kPasswordEnv).c_str()); }
  void TearDown() override { ::unsetenv(std::string(kPasswordEnv).c_str()); }
  static void set_env(const char* value) { ::setenv(std::string(kPasswordEnv).c_str(), value, 1); }

  // A password file holding `text` with `mode`, as a source without env or prompt.
  PassphraseSource file_source(const std::string& text, mode_t mode = 0600) {
    const auto path = tmp_.path() / "password";
    write_file(path, text, mode);
    return PassphraseSource{path.string(), false, false};
  }

  TempDir tmp_;
};

TEST_F(PassphraseTest, PasswordFileGivesItsFirstLineWithoutTheLineEnd) {
  for (auto [text, expected] :
       {std::pair{"secret\n", "secret"}, std::pair{"secret\r\n", "secret"}, std::pair{"secret", "secret"},
        std::pair{"two words \nsecond line\n", "two words "}, std::pair{"tab\tand\rcr\n", "tab\tand\rcr"}}) {
    auto r = read_passphrase(file_source(text), PassphrasePurpose::unlock, "key alice");
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_EQ(r->view(), expected) << text;
  }
}

TEST_F(PassphraseTest, PasswordFileAccessibleByOthersIsRefused) {
  for (mode_t mode : {0644U, 0640U, 0604U, 0620U}) {
    auto source = file_source("secret\n", mode);
    auto r = read_passphrase(source, PassphrasePurpose::unlock, "passphrase");
    ASSERT_FALSE(r.ok()) << std::oct << mode;
    EXPECT_NE(r.error().find(*source.password_file), std::string::npos) << r.error();
    EXPECT_NE(r.error().find("chmod 600"), std::string::npos) << r.error();
    EXPECT_EQ(r.error().find("secret"), std::string::npos) << r.error();
  }
  EXPECT_TRUE(read_passphrase(file_source("secret\n", 0400), PassphrasePurpose::unlock, "passphrase").ok());
}

TEST_F(PassphraseTest, MissingPasswordFileIsAnErrorNotAFallback) {
  set_env("from-env");
  const std::string path = (tmp_.path() / "absent").string();
  auto r = read_passphrase(PassphraseSource{path, true, false}, PassphrasePurpose::unlock, "passphrase");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find(path), std::string::npos) << r.error();
}

TEST_F(PassphraseTest, PasswordFileComesBeforeTheEnvironment) {
  set_env("from-env");
  auto source = file_source("from-file\n");
  source.allow_env = true;
  auto r = read_passphrase(source, PassphrasePurpose::unlock, "passphrase");
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->view(), "from-file");
}

TEST_F(PassphraseTest, EnvironmentVariableIsASource) {
  set_env("from env\n");  // taken as it is: no line to cut
  auto r =
      read_passphrase(PassphraseSource{std::nullopt, true, false}, PassphrasePurpose::create, "passphrase");
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->view(), "from env\n");
}

TEST_F(PassphraseTest, EmptyPassphraseIsRefusedForANewKeyOnly) {
  set_env("");
  auto created = read_passphrase(PassphraseSource{std::nullopt, true, false}, PassphrasePurpose::create, "p");
  ASSERT_FALSE(created.ok());
  EXPECT_NE(created.error().find("empty"), std::string::npos) << created.error();
  auto unlocked =
      read_passphrase(PassphraseSource{std::nullopt, true, false}, PassphrasePurpose::unlock, "p");
  ASSERT_TRUE(unlocked.ok()) << unlocked.error();
  EXPECT_TRUE(unlocked->empty());
  for (const char* text : {"", "\n", "\r\n"}) {
    auto r = read_passphrase(file_source(text), PassphrasePurpose::create, "p");
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_NE(r.error().find("empty"), std::string::npos) << r.error();
  }
}

TEST_F(PassphraseTest, NoSourceNamesTheThreeWays) {
  set_env("ignored when allow_env is off");
  auto r =
      read_passphrase(PassphraseSource{std::nullopt, false, false}, PassphrasePurpose::unlock, "key alice");
  ASSERT_FALSE(r.ok());
  for (const char* way : {"--password-file", "L2_WALLET_PASSWORD", "terminal"})
    EXPECT_NE(r.error().find(way), std::string::npos) << r.error();
  EXPECT_NE(r.error().find("no passphrase for key alice:"), std::string::npos) << r.error();
}

TEST_F(PassphraseTest, OverlongFirstLineIsRefused) {
  auto r = read_passphrase(file_source(std::string(5000, 'x')), PassphrasePurpose::unlock, "p");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("longer than"), std::string::npos) << r.error();
}

}  // namespace
