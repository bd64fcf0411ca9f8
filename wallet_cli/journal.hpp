// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// The wallet's journal: every tx the wallet signs, written (and fsynced) before it is
// sent, one JSON line per tx in WALLET_DIR/history/NAME.jsonl. It is what makes a payment
// "signed once and sent once": a retry after a lost answer sends the journalled bytes
// again (same hash), never a newly signed tx, and `history` reads it back. It holds
// signed txs only, never a secret. A torn last line (a crash mid-write) is ignored.
//
// Thread safety: none; one wallet process appends at a time (the OS appends a line whole).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace l2::wallet {

// nlohmann::json's default constructor is not declared noexcept; for the null value it
// makes it does not throw.
// NOLINTNEXTLINE(bugprone-exception-escape)
struct JournalEntry {
  std::string kind;            // transfer, withdraw (rollup txs); deposit, claim, faucet (base txs)
  std::string hash;            // the tx's hash (rollup tx hash or base tx hash), hex
  std::string layer;           // "rollup" or "base"
  std::uint64_t chain_id = 0;  // the chain the tx is signed for
  std::int64_t time = 0;       // local Unix time of signing
  std::string amount;          // decimal
  std::string to;              // transfer: the recipient's account index; else empty
  std::optional<std::uint64_t> nonce;
  nlohmann::json tx;  // rollup: the tx's JSON (docs/api.md); base: {"wire": hex}
};

nlohmann::json to_json(const JournalEntry& e);

class Journal {
 public:
  Journal(const std::filesystem::path& wallet_dir, const std::string& key_name);
  // Appends and fsyncs; throws std::runtime_error with the file's name on failure.
  void append(const JournalEntry& e) const;
  // Every entry, oldest first (a missing file: none). Throws on a malformed line that
  // is not the last one.
  [[nodiscard]] std::vector<JournalEntry> read() const;
  [[nodiscard]] std::optional<JournalEntry> find(const std::string& hash) const;
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace l2::wallet
