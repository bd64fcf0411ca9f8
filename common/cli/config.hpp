// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// The daemons' config file: TOML only (toml++), every flag a key. A key is the flag's
// name without "--"; a dotted flag is a table or a dotted key (`[http]` then
// `max_body_bytes = 1`, or `http.max_body_bytes = 1`); '_' and '-' are the same. A value
// has the flag's TOML type: an integer for a number, a boolean for a flag (`dev = "yes"`
// is an error), a string for a path or a word, an array for a repeatable flag. Every
// error is one line naming the file, the line and the key; an unknown key comes with the
// nearest known one. A flag on the command line wins over the file (CLI11 only takes a
// file's value for an option the command line left unset).
//
// Limitations: one config file per run. A value is checked against its flag's validators
// (ranges, existing files, word lists) with its line; an integer too big for its flag's
// C++ type (a port of 70000) fails later, in CLI11's conversion, and usage_error() finds
// its line again through config_origin().
// Stateless functions; the CLI11 formatter holds a reference to its App (one thread).
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace l2::cli {

// The TOML type a key's value must have.
enum class ValueType : std::uint8_t { boolean, integer, unsigned_integer, number, string };

struct ConfigKey {
  std::string name;  // the flag without "--", dashes only: "http.max-body-bytes"
  ValueType type = ValueType::string;
  bool list = false;  // a repeatable flag: an array of `type` (a single value is a list of one)
};

struct ConfigEntry {
  std::string name;                 // the ConfigKey's name
  std::string spelled;              // the key as the file wrote it: "http.max_body_bytes"
  std::vector<std::string> values;  // as the flag would take them on the command line
  std::uint32_t line = 0;
};

// Parses TOML `text`, named `path` in messages ("PATH:LINE: ..."), against `keys`.
Result<std::vector<ConfigEntry>, std::string> parse_toml_config(std::string_view text,
                                                                const std::string& path,
                                                                std::span<const ConfigKey> keys);

// The keys `app` takes in a config file: each configurable option with a long name.
std::vector<ConfigKey> config_keys(const CLI::App& app);

// Adds --config FILE to `app`: the TOML file above, parsed during app.parse(); its errors
// are CLI::ConfigError (a usage error, exit status 2 with l2::cli::parse).
void add_config_file(CLI::App& app);

// Where the config file of `app` (add_config_file) set option `name` ("--port") to
// `value` (as CLI11 joins a list: "a,b"): "PATH:LINE: key 'port'". Empty when the file
// did not set it to that value (the command line did), or `app` reads no file.
std::string config_origin(const CLI::App& app, const std::string& name, const std::string& value);

}  // namespace l2::cli
