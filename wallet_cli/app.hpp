// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// What every wallet command shares: the resolved settings (flags, then environment, then
// the config file, then defaults: docs/wallet.md), the keystore and the chosen key, the
// two API clients with their errors turned into one-line messages, output (human or
// --json), progress on a terminal, Ctrl-C during waits, and the lifecycle of a tx or a
// withdrawal as one answer from the sequencer and the base chain together.
//
// A command reports failure by throwing Failure (an exit code and a one-line reason);
// main() prints it to stderr and exits with the code. This is the CLI edge, where
// CONVENTIONS.md allows exceptions.
//
// Thread safety: one Context per process, used from the main thread (the SIGINT handler
// only sets an atomic flag).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/crypto.hpp"
#include "common/types.hpp"
#include "sequencer/client.hpp"
#include "settlement/basechain/client.hpp"
#include "wallet_cli/journal.hpp"
#include "wallet_cli/keystore.hpp"

namespace l2::wallet {

// Exit codes (docs/wallet.md, "Exit codes").
enum class Exit : int {
  ok = 0,
  refused = 1,      // the request was understood and refused (by the wallet or a server)
  usage = 2,        // bad arguments: a flag, an amount, a hash, a key name
  unreachable = 3,  // an endpoint did not answer, or answered something that is not its API
  keystore = 4,     // wrong passphrase, missing, corrupt or insecure key file
  timeout = 5,      // sent, but what was awaited did not happen within --timeout
  interrupted = 130,
};

struct Failure : std::runtime_error {
  Failure(Exit code, const std::string& message) : std::runtime_error(message), exit(code) {}
  Exit exit;
};

struct Settings {
  std::string wallet_dir;
  std::string sequencer;
  std::string base_chain;
  std::string password_file;
  std::string key;     // --key: the key a command acts as
  std::string config;  // the config file read (empty: none)
  bool json = false;
  bool no_wait = false;
  bool verbose = false;
  std::uint32_t timeout_s = 120;  // of every wait
};

// Where each setting came from, for `wallet status` and --verbose.
struct SettingSources {
  std::string wallet_dir, sequencer, base_chain;
};

// One stage of the lifecycle (docs/wallet.md, "Lifecycle").
struct Lifecycle {
  std::string
      stage;  // pending, soft_confirmed, posted, in_window, final, claimable, claimed, rejected, unknown
  std::optional<BatchNumber> batch;
  std::optional<std::uint32_t> index;
  std::optional<BlockNumber> block;       // of the commitment's base tx
  std::optional<std::string> commitment;  // commitment id, hex
  std::optional<ChainTime> final_at;
  std::optional<std::uint64_t> seconds_left;
  std::string reason;  // rejected: the receipt status; unknown: why
};
nlohmann::json to_json(const Lifecycle& l);
std::string describe(const Lifecycle& l);  // one line for a person

class Context {
 public:
  Context(Settings settings, SettingSources sources);
  ~Context();
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  [[nodiscard]] const Settings& settings() const { return s_; }
  [[nodiscard]] const SettingSources& sources() const { return sources_; }
  Keystore& keystore() { return keystore_; }

  // The key a command acts as: --key, or the only key of the wallet.
  KeyEntry key();
  KeyEntry key(const std::string& name);
  SecretKey unlock(const KeyEntry& entry);
  Journal journal(const KeyEntry& entry) const { return {s_.wallet_dir, entry.name}; }

  sequencer::SequencerClient& seq();
  settlement::BaseChainClient& chain();
  ChainId rollup_id();      // the sequencer's chain id (cached)
  ChainId base_chain_id();  // cached

  // Unwrap a client result, or throw the Failure a user should see.
  template <class T>
  T need(Result<T, sequencer::ClientError> r, const std::string& what) {
    if (!r) fail_seq(r.error(), what);
    return std::move(r).value();
  }
  template <class T>
  T need(Result<T, settlement::RpcError> r, const std::string& what) {
    if (!r) fail_chain(r.error(), what);
    return std::move(r).value();
  }
  [[noreturn]] void fail_seq(const sequencer::ClientError& e, const std::string& what) const;
  [[noreturn]] void fail_chain(const settlement::RpcError& e, const std::string& what) const;

  // The rollup account of a key, if it has one.
  std::optional<sequencer::AccountInfo> rollup_account(const PublicKey& key);

  // Lifecycles. `receipt` from GET /v1/transactions; the base chain adds posted/window/final
  // (without it, a soft confirmation stays soft_confirmed with a reason). A withdrawal's is
  // the same, from the same sources (the commitment and the head of the base chain: one
  // seconds_left for `withdraw`, `tx`, `withdrawals` and `history`), with claimable and
  // claimed (what the bridge paid the key) in place of final. `index`: its receipt's.
  Lifecycle tx_lifecycle(const sequencer::TxReceipt& receipt);
  Lifecycle withdrawal_lifecycle(const sequencer::WithdrawalInfo& w, std::optional<std::uint32_t> index);

  // Output: JSON (one object, --json) or the text, on stdout.
  void emit(const nlohmann::json& j, const std::string& text) const;
  // Progress of a wait on the terminal (stderr, rewritten in place); silent when stdout is
  // not a terminal, with --json, or quiet.
  void progress(const std::string& line) const;
  void progress_done() const;
  void verbose(const std::string& line) const;
  // Throws Failure(interrupted, ...) with `resume` (how to pick up) after Ctrl-C.
  void check_interrupt(const std::string& resume) const;
  // Sleeps `ms`, waking on Ctrl-C (then throws as check_interrupt).
  void sleep_ms(int ms, const std::string& resume) const;
  [[nodiscard]] std::chrono::steady_clock::time_point deadline() const;

 private:
  Settings s_;
  SettingSources sources_;
  Keystore keystore_;
  std::unique_ptr<sequencer::SequencerClient> seq_;
  std::unique_ptr<settlement::BaseChainClient> chain_;
  std::optional<ChainId> rollup_id_;
  std::optional<ChainId> base_chain_id_;
  // Moves a soft confirmation in `l` (its batch set) on by where that batch stands on the
  // base chain: posted, in_window (seconds_left from the chain's head) or final.
  void settle(Lifecycle& l);
  bool tty_ = false;
  mutable bool progress_shown_ = false;
};

// Installs the SIGINT/SIGTERM handler that waits poll (the first Ctrl-C sets a flag; a
// second one, while nothing is waiting, ends the process the default way).
void install_interrupt_handler();
bool interrupted();

}  // namespace l2::wallet
