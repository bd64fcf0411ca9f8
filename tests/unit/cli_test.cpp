// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// common/cli: the TOML config reader against a key list, and through a CLI::App (the
// file's values land in the options, the command line wins); near matches; wrapping.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "common/cli/config.hpp"
#include "common/cli/usage.hpp"
#include "tests/unit/temp_dir.hpp"

namespace {

using l2::cli::ConfigKey;
using l2::cli::ValueType;

const std::vector<ConfigKey> kKeys = {
    {"data-dir", ValueType::string, false},     {"chain-id", ValueType::unsigned_integer, false},
    {"dev", ValueType::boolean, false},         {"mempool.max-ahead", ValueType::unsigned_integer, false},
    {"genesis-alloc", ValueType::string, true}, {"ratio", ValueType::number, false},
};

std::string error_of(const std::string& text) {
  auto r = l2::cli::parse_toml_config(text, "f.toml", kKeys);
  return r ? std::string("(no error)") : r.error();
}

TEST(TomlConfig, ValuesAsTheFlagsTakeThem) {
  auto r = l2::cli::parse_toml_config(
      "data_dir = \"/d\"\nchain-id = 7\ndev = false\ngenesis_alloc = [\"a:1\", \"b:2\"]\nratio = 2\n"
      "[mempool]\nmax_ahead = 3\n",
      "f.toml", kKeys);
  ASSERT_TRUE(r) << r.error();
  std::map<std::string, std::vector<std::string>> got;
  for (const auto& e : *r) got[e.name] = e.values;
  EXPECT_EQ(got["data-dir"], std::vector<std::string>{"/d"});
  EXPECT_EQ(got["chain-id"], std::vector<std::string>{"7"});
  EXPECT_EQ(got["dev"], std::vector<std::string>{"false"});
  EXPECT_EQ(got["mempool.max-ahead"], std::vector<std::string>{"3"});
  EXPECT_EQ(got["genesis-alloc"], (std::vector<std::string>{"a:1", "b:2"}));
  EXPECT_EQ(got["ratio"], std::vector<std::string>{"2"});
}

TEST(TomlConfig, DottedKeyAndTableAreTheSame) {
  auto r = l2::cli::parse_toml_config("mempool.max_ahead = 3\n", "f.toml", kKeys);
  ASSERT_TRUE(r) << r.error();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].name, "mempool.max-ahead");
  EXPECT_EQ((*r)[0].line, 1u);
}

TEST(TomlConfig, UnknownKeyNamesLineAndNearestKey) {
  EXPECT_EQ(error_of("chain_id = 1\n[mempool]\nmax_aheed = 3\n"),
            "f.toml:3: unknown key 'mempool.max_aheed'; did you mean 'mempool.max_ahead'?");
  EXPECT_EQ(error_of("frobnicate = 1\n"), "f.toml:1: unknown key 'frobnicate'");
}

TEST(TomlConfig, WrongTypesAreRefused) {
  EXPECT_EQ(error_of("dev = \"yes\"\n"),
            "f.toml:1: key 'dev' must be a boolean (true or false), not a string");
  EXPECT_EQ(error_of("\nchain_id = \"7\"\n"),
            "f.toml:2: key 'chain_id' must be a non-negative integer, not a string");
  EXPECT_EQ(error_of("chain_id = -1\n"),
            "f.toml:1: key 'chain_id' must be a non-negative integer, not a negative integer");
  EXPECT_EQ(error_of("data_dir = 5\n"),
            "f.toml:1: key 'data_dir' must be a string (in double quotes), not an integer");
  EXPECT_EQ(error_of("data_dir = [\"a\"]\n"), "f.toml:1: key 'data_dir' takes one value, not an array");
  EXPECT_EQ(error_of("genesis_alloc = [1]\n"),
            "f.toml:1: key 'genesis_alloc' must be a string (in double quotes), not an integer");
}

TEST(TomlConfig, SyntaxErrorsAndDuplicatesAreRefused) {
  EXPECT_EQ(error_of("data_dir = /d\n").rfind("f.toml:1:12: not valid TOML: ", 0), 0u)
      << error_of("data_dir = /d\n");
  EXPECT_EQ(error_of("[section]\nkey=value\n").rfind("f.toml:2:", 0), 0u);
  EXPECT_EQ(error_of("chain_id = 1\nchain_id = 2\n").rfind("f.toml:2:", 0), 0u);
  EXPECT_EQ(error_of("chain_id = 1\nchain-id = 2\n"),
            "f.toml:2: key 'chain_id' is set twice (also on line 1)");
}

// Through CLI11: the file fills what the command line left unset, and its validators run.
struct App {
  CLI::App app{"test", "prog"};
  std::string data_dir;
  unsigned port = 1;
  std::uint16_t small = 0;  // no validator: a value past 65535 fails in CLI11's conversion
  bool dev = false;
  l2::test::TempDir dir;
  std::filesystem::path file = dir.path() / "config.toml";

  App() {
    l2::cli::setup_program(app);
    l2::cli::add_config_file(app);
    app.add_option("--data-dir", data_dir)->required();
    app.add_option("--port", port)->check(CLI::Range(1u, 100u));
    app.add_option("--small", small);
    app.add_flag("--dev", dev);
  }
  App(const App&) = delete;
  App& operator=(const App&) = delete;

  std::string parse(const std::string& toml, std::vector<std::string> args) {
    std::ofstream(file) << toml;
    args.insert(args.begin(), {"prog", "--config", file.string()});
    std::vector<const char*> argv;
    argv.reserve(args.size());
    for (const auto& a : args) argv.push_back(a.c_str());
    try {
      app.parse(static_cast<int>(argv.size()), argv.data());
    } catch (const CLI::ParseError& e) {
      return l2::cli::usage_error(app, e);
    }
    return "";
  }
};

TEST(TomlConfigApp, FileFillsAndCommandLineWins) {
  App a;
  EXPECT_EQ(a.parse("data_dir = \"/d\"\nport = 7\ndev = true\n", {"--port", "9"}), "");
  EXPECT_EQ(a.data_dir, "/d");  // a required flag, from the file
  EXPECT_EQ(a.port, 9u);
  EXPECT_TRUE(a.dev);
}

TEST(TomlConfigApp, ValidatorsNameTheLine) {
  App a;
  const std::string e = a.parse("data_dir = \"/d\"\nport = 700\n", {});
  EXPECT_NE(e.find(a.file.string() + ":2: key 'port': "), std::string::npos) << e;
}

TEST(TomlConfigApp, ValuesTheTypeCannotHoldNameTheLine) {
  App a;
  EXPECT_EQ(a.parse("data_dir = \"/d\"\nsmall = 70000\n", {}),
            a.file.string() + ":2: key 'small': 70000 is out of range");
  // The same value on the command line, which wins over the file, is named as the flag.
  App b;
  EXPECT_EQ(b.parse("data_dir = \"/d\"\nsmall = 70000\n", {"--small", "65536"}),
            "--small: 65536 is out of range");
  App c;
  EXPECT_EQ(c.parse("data_dir = \"/d\"\n", {"--small", "x1"}), "--small: x1 is not an integer");
  App d;
  EXPECT_EQ(d.parse("data_dir = \"/d\"\nsmall = 65535\n", {}), "");
  EXPECT_EQ(d.small, 65535);
}

TEST(Usage, UnknownFlagIsTheCauseNotAMissingRequiredOne) {
  App a;
  EXPECT_EQ(a.parse("", {"--data-dri", "/d"}), "unknown option --data-dri; did you mean --data-dir?");
  App b;
  EXPECT_EQ(b.parse("", {"--data-dir=/d", "--prot=3"}), "unknown option --prot; did you mean --port?");
}

TEST(Usage, Nearest) {
  const std::vector<std::string> names = {"--data-dir", "--chain-id", "--port", "--dev"};
  EXPECT_EQ(l2::cli::nearest("--data-dri", names), "--data-dir");  // a swap is one edit
  EXPECT_EQ(l2::cli::nearest("--chainid", names), "--chain-id");
  EXPECT_EQ(l2::cli::nearest("--verbose", names), "");
  EXPECT_EQ(l2::cli::nearest("x", std::vector<std::string>{}), "");
}

TEST(Usage, Wrap) {
  EXPECT_EQ(l2::cli::wrap("aa bb cc", 5, 2), "aa bb\n  cc");
  EXPECT_EQ(l2::cli::wrap("averylongword b", 4, 0), "averylongword\nb");
  EXPECT_EQ(l2::cli::wrap("", 10, 0), "");
}

}  // namespace
