// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
#include "wallet_cli/journal.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "wallet_cli/unique_fd.hpp"

namespace l2::wallet {

using nlohmann::json;

json to_json(const JournalEntry& e) {
  json j = {
      {"kind", e.kind}, {"hash", e.hash},     {"layer", e.layer}, {"chain_id", std::to_string(e.chain_id)},
      {"time", e.time}, {"amount", e.amount}, {"tx", e.tx}};
  if (!e.to.empty()) j["to"] = e.to;
  if (e.nonce) j["nonce"] = std::to_string(*e.nonce);
  return j;
}

namespace {

JournalEntry from_json(const json& j) {
  JournalEntry e;
  e.kind = j.at("kind").get<std::string>();
  e.hash = j.at("hash").get<std::string>();
  e.layer = j.at("layer").get<std::string>();
  e.chain_id = std::stoull(j.at("chain_id").get<std::string>());
  e.time = j.at("time").get<std::int64_t>();
  e.amount = j.at("amount").get<std::string>();
  if (auto t = j.find("to"); t != j.end()) e.to = t->get<std::string>();
  if (auto n = j.find("nonce"); n != j.end()) e.nonce = std::stoull(n->get<std::string>());
  e.tx = j.at("tx");
  return e;
}

[[noreturn]] void fail(const std::filesystem::path& p, const std::string& what) {
  throw std::runtime_error("journal " + p.string() + ": " + what + ": " + std::strerror(errno));
}

}  // namespace

Journal::Journal(const std::filesystem::path& wallet_dir, const std::string& key_name)
    : path_(wallet_dir / "history" / (key_name + ".jsonl")) {}

void Journal::append(const JournalEntry& e) const {
  const auto dir = path_.parent_path();
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) fail(dir, "cannot create");
  const UniqueFd fd(::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600));
  if (!fd.valid()) fail(path_, "cannot open");
  const std::string line = to_json(e).dump() + "\n";
  std::size_t done = 0;
  while (done < line.size()) {
    const ssize_t n = ::write(fd.get(), line.data() + done, line.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail(path_, "cannot write");
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd.get()) != 0) fail(path_, "cannot fsync");
}

std::vector<JournalEntry> Journal::read() const {
  std::vector<JournalEntry> out;
  std::ifstream in(path_);
  if (!in) return out;
  std::stringstream buf;
  buf << in.rdbuf();
  const std::string text = buf.str();
  std::size_t pos = 0;
  std::size_t line_no = 0;
  while (pos < text.size()) {
    const std::size_t end = text.find('\n', pos);
    ++line_no;
    if (end == std::string::npos) break;  // a torn last line: the tx was never sent
    const std::string line = text.substr(pos, end - pos);
    pos = end + 1;
    try {
      out.push_back(from_json(json::parse(line)));
    } catch (const std::exception& ex) {
      throw std::runtime_error("journal " + path_.string() + " line " + std::to_string(line_no) +
                               " is malformed: " + ex.what());
    }
  }
  return out;
}

std::optional<JournalEntry> Journal::find(const std::string& hash) const {
  for (auto& e : read())
    if (e.hash == hash) return e;
  return std::nullopt;
}

}  // namespace l2::wallet
