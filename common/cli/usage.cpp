// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
#include "common/cli/usage.hpp"

#include <algorithm>
#include <iostream>
#include <memory>
#include <sstream>
#include <vector>

#include "common/build_info.hpp"
#include "common/cli/config.hpp"

namespace l2::cli {
namespace {

// Where an option's text starts; a longer name puts the text on the next line.
constexpr std::size_t kNameColumn = 30;

// Optimal string alignment distance: insertions, deletions, substitutions and swaps of
// two adjacent characters each cost one ("data-dri" is one from "data-dir").
std::size_t distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

// Every long option name of `app` and of the subcommands it parsed, with the dashes.
void option_names(const CLI::App& app, std::vector<std::string>& out) {
  for (const CLI::Option* opt : app.get_options()) {
    if (opt->get_group().empty()) continue;  // hidden
    for (const std::string& n : opt->get_lnames()) out.push_back("--" + n);
  }
  for (const CLI::App* sub : app.get_subcommands()) option_names(*sub, out);
}

// Reflows the lines of one paragraph; a line that starts with a space stays as it is.
void reflow(std::string_view text, std::ostringstream& out) {
  std::string paragraph;
  auto flush = [&] {
    if (!paragraph.empty()) out << wrap(paragraph, kHelpWidth, 0) << '\n';
    paragraph.clear();
  };
  std::istringstream lines{std::string(text)};
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line.front() == ' ') {
      flush();
      out << line << '\n';
      continue;
    }
    if (!paragraph.empty()) paragraph += ' ';
    paragraph += line;
  }
  flush();
}

// wrap(), for text whose first line starts at column `start` (the caller wrote what is
// left of it).
std::string wrap_from(std::string_view text, std::size_t width, std::size_t indent, std::size_t start) {
  std::string out;
  std::size_t column = start;
  std::istringstream words{std::string(text)};
  for (std::string word; words >> word;) {
    if (column > std::max(indent, start) && column + 1 + word.size() > width) {
      out += '\n';
      out.append(indent, ' ');
      column = indent;
    } else if (!out.empty()) {
      out += ' ';
      ++column;
    }
    out += word;
    column += word.size();
  }
  return out;
}

}  // namespace

std::string wrap(std::string_view text, std::size_t width, std::size_t indent) {
  return wrap_from(text, width, indent, 0);
}

HelpFormatter::HelpFormatter() { column_width(kNameColumn); }

std::string HelpFormatter::make_description(const CLI::App* app) const {
  std::ostringstream out;
  reflow(app->get_description(), out);
  return out.str();
}

std::string HelpFormatter::make_option(const CLI::Option* opt, bool is_positional) const {
  const std::string name = make_option_name(opt, is_positional) + make_option_opts(opt);
  const std::string text = make_option_desc(opt);
  std::string out = "  " + wrap_from(name, kHelpWidth, 6, 2);
  if (text.empty()) return out + "\n";
  if (out.size() + 1 > column_width_ || out.find('\n') != std::string::npos) {
    out += "\n";
    out.append(column_width_, ' ');
  } else {
    out.append(column_width_ - out.size(), ' ');
  }
  std::string body;
  // A newline in an option's text starts a new line of the column.
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (!body.empty()) body += "\n" + std::string(column_width_, ' ');
    body += wrap_from(line, kHelpWidth, column_width_, column_width_);
  }
  return out + body + "\n";
}

// CLI11 opens every group with a blank line and also puts one between two groups: one
// blank line is enough, so the usage line ends with it and a group only ends with one.
std::string HelpFormatter::make_usage(const CLI::App* app, std::string name) const {
  return CLI::Formatter::make_usage(app, std::move(name)) + "\n";
}

std::string HelpFormatter::make_group(std::string group, bool is_positional,
                                      std::vector<const CLI::Option*> opts) const {
  std::string out = group + ":\n";
  for (const CLI::Option* opt : opts) out += make_option(opt, is_positional);
  return is_positional ? out + "\n" : out;
}

std::string HelpFormatter::make_subcommand(const CLI::App* sub) const {
  std::string out = "  " + sub->get_display_name(true);
  if (out.size() + 1 > column_width_) {
    out += "\n";
    out.append(column_width_, ' ');
  } else {
    out.append(column_width_ - out.size(), ' ');
  }
  const std::size_t start = out.size() - out.rfind('\n') - 1;  // npos + 1 == 0 without a newline
  return out + wrap_from(sub->get_description(), kHelpWidth, column_width_, start) + "\n";
}

std::string HelpFormatter::make_footer(const CLI::App* app) const {
  if (app->get_footer().empty()) return {};
  std::ostringstream out;
  reflow(app->get_footer(), out);
  return out.str();
}

void setup_program(CLI::App& app) {
  app.formatter(std::make_shared<HelpFormatter>());
  app.set_version_flag("--version", version_line(app.get_name()), "Print the version and exit")
      ->trigger_on_parse();
}

std::string nearest(std::string_view word, std::span<const std::string> candidates) {
  std::string best;
  std::size_t best_distance = 0;
  for (const std::string& c : candidates) {
    const std::size_t d = distance(word, c);
    if (best.empty() || d < best_distance) {
      best = c;
      best_distance = d;
    }
  }
  // A typo: one edit in a short word, else up to a quarter of the word (at least two).
  const std::size_t limit = word.size() <= 4 ? 1 : std::max<std::size_t>(2, word.size() / 4);
  return !best.empty() && best_distance <= limit ? best : std::string();
}

namespace {

// CLI11's "Could not convert: --port = 70000" (a value its type cannot hold) as
// "--port: 70000 is out of range", or with the config file's line when the file set it.
// Empty when the message is not of that form.
std::string conversion_error(const CLI::App& app, const std::string& what) {
  const std::string prefix = "Could not convert: ";
  const std::size_t eq = what.find(" = ");
  if (what.rfind(prefix, 0) != 0 || eq == std::string::npos) return {};
  const std::string name = what.substr(prefix.size(), eq - prefix.size());
  const std::string value = what.substr(eq + 3);
  const CLI::Option* opt = app.get_option_no_throw(name);
  const std::string type =
      opt != nullptr ? opt->get_type_name().substr(0, opt->get_type_name().find(':')) : "";
  const bool integer =
      !value.empty() && std::all_of(value.begin() + (value.front() == '-' ? 1 : 0), value.end(),
                                    [](char c) { return c >= '0' && c <= '9'; });
  std::string why;
  if ((type == "UINT" || type == "INT") && integer) {
    why = value + " is out of range";
  } else if (type == "UINT" || type == "INT") {
    why = value + " is not an integer";
  } else {
    why = value + " is not a valid value";
  }
  const std::string where = config_origin(app, name, value);
  return (where.empty() ? name : where) + ": " + why;
}

}  // namespace

std::string usage_error(const CLI::App& app, const CLI::Error& e) {
  const std::vector<std::string> rest = app.remaining(true);
  for (const std::string& arg : rest) {
    if (arg.size() < 2 || arg.front() != '-') continue;
    const std::string flag = arg.substr(0, arg.find('='));
    std::vector<std::string> names;
    option_names(app, names);
    const std::string near = nearest(flag, names);
    return "unknown option " + flag + (near.empty() ? std::string() : "; did you mean " + near + "?");
  }
  if (!rest.empty() && dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr) {
    std::vector<std::string> commands;
    for (const CLI::App* sub : app.get_subcommands({})) commands.push_back(sub->get_name());
    const std::string near = nearest(rest.front(), commands);
    return "unexpected argument " + rest.front() +
           (near.empty() ? std::string() : "; did you mean the command " + near + "?");
  }
  if (dynamic_cast<const CLI::ConversionError*>(&e) != nullptr) {
    if (std::string m = conversion_error(app, e.what()); !m.empty()) return m;
  }
  std::string message = e.what();
  std::replace(message.begin(), message.end(), '\n', ' ');
  return message;
}

std::optional<int> parse(CLI::App& app, int argc, const char* const* argv, const ParseOptions& options) {
  try {
    app.parse(argc, argv);
    return std::nullopt;
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) return app.exit(e);  // help, version
    // --help still wins over a bad config file, which CLI11 reads before it looks at --help.
    if (app.get_help_ptr() != nullptr && app.get_help_ptr()->count() > 0) {
      std::cout << app.help();
      return 0;
    }
    std::cerr << app.get_name() << ": error: " << usage_error(app, e) << "\n"
              << (options.hint.empty() ? "Run `" + app.get_name() + " --help` for usage." : options.hint)
              << std::endl;
    return kUsageExit;
  }
}

}  // namespace l2::cli
