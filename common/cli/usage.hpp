// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// What every program's command line does the same way (sequencerd, basechaind,
// rollup-derive, wallet, the benchmarks): --version, help in option groups wrapped at
// 80 columns, and usage errors as one line naming the flag (an unknown one with its near
// match) and exit status 2. Stateless functions over a CLI::App; one thread.
#pragma once

#include <CLI/CLI.hpp>

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace l2::cli {

inline constexpr int kUsageExit = 2;
inline constexpr std::size_t kHelpWidth = 80;

// Help text wrapped at kHelpWidth: the description's paragraphs reflowed (a line that
// starts with a space is kept as it is), each option's text in a column.
class HelpFormatter : public CLI::Formatter {
 public:
  HelpFormatter();
  std::string make_description(const CLI::App* app) const override;
  std::string make_usage(const CLI::App* app, std::string name) const override;
  std::string make_group(std::string group, bool is_positional,
                         std::vector<const CLI::Option*> opts) const override;
  std::string make_option(const CLI::Option* opt, bool is_positional) const override;
  std::string make_subcommand(const CLI::App* sub) const override;
  std::string make_footer(const CLI::App* app) const override;
};

// --version ("NAME VERSION (git COMMIT, BUILD_TYPE)", exit 0) and the HelpFormatter on
// `app`, whose name is the program's. Call before adding the program's options.
void setup_program(CLI::App& app);

struct ParseOptions {
  // The line after a usage error; empty: "Run `NAME --help` for usage."
  std::string hint;
};

// Parses the command line. nullopt: go on and run. Else the exit status: 0 after --help
// or --version (printed on stdout), kUsageExit after a usage error (one line on stderr,
// "NAME: error: MESSAGE", then the hint).
std::optional<int> parse(CLI::App& app, int argc, const char* const* argv, const ParseOptions& options = {});

// The message of a usage error. An argument CLI11 did not take is the cause, whatever
// CLI11 threw (it checks required options first): "unknown option --data-dri; did you
// mean --data-dir?".
std::string usage_error(const CLI::App& app, const CLI::Error& e);

// The candidate nearest to `word` by edit distance (adjacent swaps count one), if near
// enough to be a typo; empty if none is.
std::string nearest(std::string_view word, std::span<const std::string> candidates);

// `text` broken at spaces into lines of at most `width` columns (a longer word stays
// whole), every line but the first indented by `indent` spaces; no final newline.
std::string wrap(std::string_view text, std::size_t width, std::size_t indent);

}  // namespace l2::cli
