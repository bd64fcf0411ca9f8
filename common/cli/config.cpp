// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
#include "common/cli/config.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <iomanip>
#include <map>
#include <memory>
#include <sstream>

#include "common/cli/usage.hpp"

namespace l2::cli {
namespace {

std::string dashes(std::string s) {
  std::replace(s.begin(), s.end(), '_', '-');
  return s;
}

std::string_view type_word(ValueType t) {
  switch (t) {
    case ValueType::boolean:
      return "a boolean (true or false)";
    case ValueType::integer:
      return "an integer";
    case ValueType::unsigned_integer:
      return "a non-negative integer";
    case ValueType::number:
      return "a number";
    case ValueType::string:
      return "a string (in double quotes)";
  }
  return "?";
}

std::string_view node_word(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return n.as_integer()->get() < 0 ? "a negative integer" : "an integer";
    case toml::node_type::floating_point:
      return "a floating-point number";
    case toml::node_type::boolean:
      return "a boolean";
    default:
      return "a date or time";
  }
}

// The value as the flag would take it on the command line, or nullopt for a wrong type.
std::optional<std::string> scalar(const toml::node& n, ValueType t) {
  switch (t) {
    case ValueType::boolean:
      if (const auto* b = n.as_boolean()) return b->get() ? "true" : "false";
      return std::nullopt;
    case ValueType::unsigned_integer:
      if (const auto* i = n.as_integer(); i != nullptr && i->get() >= 0) return std::to_string(i->get());
      return std::nullopt;
    case ValueType::integer:
      if (const auto* i = n.as_integer()) return std::to_string(i->get());
      return std::nullopt;
    case ValueType::number:
      if (const auto* i = n.as_integer()) return std::to_string(i->get());
      if (const auto* f = n.as_floating_point()) {
        std::ostringstream out;
        out << std::setprecision(17) << f->get();
        return out.str();
      }
      return std::nullopt;
    case ValueType::string:
      if (const auto* s = n.as_string()) return s->get();
      return std::nullopt;
  }
  return std::nullopt;
}

class Reader {
 public:
  Reader(const std::string& path, std::span<const ConfigKey> keys) : path_(path), keys_(keys) {}

  // Walks a table; false (with error_ set) at the first bad key.
  bool walk(const toml::table& table, const std::string& spelled_prefix) {
    for (const auto& [k, node] : table) {
      const std::string spelled = spelled_prefix + std::string(k.str());
      const auto line = static_cast<std::uint32_t>(k.source().begin.line);
      if (const auto* sub = node.as_table()) {
        if (!walk(*sub, spelled + ".")) return false;
        continue;
      }
      if (!entry(spelled, line, node)) return false;
    }
    return true;
  }

  std::vector<ConfigEntry> entries;
  std::string error;

 private:
  bool fail(std::uint32_t line, const std::string& message) {
    error = path_ + ":" + std::to_string(line) + ": " + message;
    return false;
  }

  bool entry(const std::string& spelled, std::uint32_t line, const toml::node& node) {
    const std::string name = dashes(spelled);
    const auto key =
        std::find_if(keys_.begin(), keys_.end(), [&](const ConfigKey& c) { return c.name == name; });
    if (key == keys_.end()) return unknown(spelled, line);
    if (const auto seen = lines_.find(name); seen != lines_.end()) {
      // toml++ lists a table's keys sorted, not in the file's order: name the later line.
      const std::string other = std::to_string(std::min(line, seen->second));
      return fail(std::max(line, seen->second),
                  "key '" + spelled + "' is set twice (also on line " + other + ")");
    }
    lines_.emplace(name, line);

    ConfigEntry e{name, spelled, {}, line};
    auto wrong = [&](const toml::node& n) {
      return fail(line, "key '" + spelled + "' must be " + std::string(type_word(key->type)) + ", not " +
                            std::string(node_word(n)));
    };
    if (const auto* array = node.as_array()) {
      if (!key->list) return fail(line, "key '" + spelled + "' takes one value, not an array");
      for (const auto& item : *array) {
        auto v = scalar(item, key->type);
        if (!v) return wrong(item);
        e.values.push_back(std::move(*v));
      }
    } else {
      auto v = scalar(node, key->type);
      if (!v) return wrong(node);
      e.values.push_back(std::move(*v));
    }
    entries.push_back(std::move(e));
    return true;
  }

  bool unknown(const std::string& spelled, std::uint32_t line) {
    std::vector<std::string> names;
    names.reserve(keys_.size());
    for (const auto& k : keys_) names.push_back(k.name);
    std::string near = nearest(dashes(spelled), names);
    std::string message = "unknown key '" + spelled + "'";
    if (near.empty()) {
      // A top-level key written after a [table] header lands in that table.
      for (std::size_t dot = spelled.find('.'); dot != std::string::npos; dot = spelled.find('.', dot + 1)) {
        const std::string rest = dashes(spelled.substr(dot + 1));
        if (std::find(names.begin(), names.end(), rest) != names.end()) {
          return fail(line, message + "; '" + spelled.substr(dot + 1) +
                                "' is a key of its own: put it before the first [table] header");
        }
      }
    }
    if (!near.empty()) {
      // Suggest it in the file's own spelling.
      if (spelled.find('_') != std::string::npos && spelled.find('-') == std::string::npos)
        std::replace(near.begin(), near.end(), '-', '_');
      message += "; did you mean '" + near + "'?";
    }
    return fail(line, message);
  }

  const std::string& path_;
  std::span<const ConfigKey> keys_;
  std::map<std::string, std::uint32_t> lines_;  // key -> the line that set it
};

// An option's validators (CLI11 2.1 lists them only by index, and throws past the end).
std::vector<const CLI::Validator*> validators(CLI::Option* opt) {
  std::vector<const CLI::Validator*> out;
  for (int i = 0; opt != nullptr; ++i) {
    try {
      out.push_back(opt->get_validator(i));
    } catch (const CLI::OptionNotFound&) {
      break;
    }
  }
  return out;
}

// CLI11's hook for config files: TOML through toml++ instead of CLI11's own reader (which
// accepts INI, unquoted strings and duplicate keys). It reads the file name from the
// --config option, as CLI11 passes only the stream.
class TomlConfig final : public CLI::Config {
 public:
  explicit TomlConfig(CLI::App& app) : app_(app) {}

  std::string to_config(const CLI::App* /*app*/, bool /*default_also*/, bool /*write_description*/,
                        std::string /*prefix*/) const override {
    return {};  // no --write-config
  }

  std::vector<CLI::ConfigItem> from_config(std::istream& input) const override {
    const CLI::Option* config = app_.get_config_ptr();
    const std::string path = config != nullptr && !config->results().empty() ? config->results().back()
                                                                             : std::string("config file");
    std::ostringstream text;
    text << input.rdbuf();
    const std::vector<ConfigKey> keys = config_keys(app_);
    auto entries = parse_toml_config(text.str(), path, keys);
    if (!entries) throw CLI::ConfigError(entries.error());

    std::vector<CLI::ConfigItem> out;
    for (const ConfigEntry& e : *entries) {
      CLI::Option* opt = app_.get_option_no_throw("--" + e.name);
      // The flag's own checks (ranges, word lists, existing files), here where the line is known.
      for (const CLI::Validator* v : validators(opt)) {
        for (const std::string& value : e.values) {
          std::string copy = value;
          const std::string why = (*v)(copy);
          if (!why.empty()) {
            std::string message = path + ":" + std::to_string(e.line) + ": key '";
            message += e.spelled;
            message += "': ";
            message += why;
            throw CLI::ConfigError(message);
          }
        }
      }
      std::string joined;
      for (const std::string& value : e.values) joined += (joined.empty() ? "" : ",") + value;
      origins_["--" + e.name] =
          Origin{path + ":" + std::to_string(e.line) + ": key '" + e.spelled + "'", std::move(joined)};
      CLI::ConfigItem item;
      item.name = e.name;
      item.inputs = e.values;
      out.push_back(std::move(item));
    }
    return out;
  }

  // "PATH:LINE: key 'SPELLED'" if the file set `name` to `value`, else empty.
  [[nodiscard]] std::string origin(const std::string& name, const std::string& value) const {
    const auto it = origins_.find(name);
    return it != origins_.end() && it->second.value == value ? it->second.where : std::string();
  }

 private:
  struct Origin {
    std::string where;
    std::string value;
  };
  CLI::App& app_;
  // What the last from_config() read, for messages about values CLI11 converts later.
  mutable std::map<std::string, Origin> origins_;
};

}  // namespace

Result<std::vector<ConfigEntry>, std::string> parse_toml_config(std::string_view text,
                                                                const std::string& path,
                                                                std::span<const ConfigKey> keys) {
  toml::table table;
  try {
    table = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    return make_error(path + ":" + std::to_string(where.line) + ":" + std::to_string(where.column) +
                      ": not valid TOML: " + std::string(e.description()));
  }
  Reader reader(path, keys);
  if (!reader.walk(table, "")) return make_error(std::move(reader.error));
  return std::move(reader.entries);
}

std::vector<ConfigKey> config_keys(const CLI::App& app) {
  std::vector<ConfigKey> keys;
  const CLI::Option* config = app.get_config_ptr();
  for (const CLI::Option* opt : app.get_options()) {
    if (opt == config || !opt->get_configurable() || opt->get_lnames().empty()) continue;
    ConfigKey k;
    k.name = dashes(opt->get_lnames().front());
    if (opt->get_expected_min() == 0) {
      k.type = ValueType::boolean;  // a flag (CLI11 tells them apart the same way)
    } else {
      // CLI11's type name, then ":" and the validators' descriptions.
      const std::string type = opt->get_type_name().substr(0, opt->get_type_name().find(':'));
      if (type == "UINT") {
        k.type = ValueType::unsigned_integer;
      } else if (type == "INT") {
        k.type = ValueType::integer;
      } else if (type == "FLOAT") {
        k.type = ValueType::number;
      } else if (type == "BOOLEAN") {
        k.type = ValueType::boolean;
      } else {
        k.type = ValueType::string;
      }
      k.list = opt->get_expected_max() > 1;
    }
    keys.push_back(std::move(k));
  }
  return keys;
}

std::string config_origin(const CLI::App& app, const std::string& name, const std::string& value) {
  const auto config = std::dynamic_pointer_cast<const TomlConfig>(app.get_config_formatter());
  return config ? config->origin(name, value) : std::string();
}

void add_config_file(CLI::App& app) {
  app.config_formatter(std::make_shared<TomlConfig>(app));
  app.allow_config_extras(CLI::config_extras_mode::error);
  app.set_config("--config", "", "Config file (TOML); every flag is also a key, and a flag given here wins")
      ->check(CLI::ExistingFile)
      ->option_text("FILE");
}

}  // namespace l2::cli
