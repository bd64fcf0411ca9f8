// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
#include "wallet_cli/app.hpp"

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <thread>

#include "wallet_cli/format.hpp"
#include "wallet_cli/passphrase.hpp"

namespace l2::wallet {

using nlohmann::json;

namespace {

std::atomic<bool> g_interrupted{false};

extern "C" void on_signal(int /*sig*/) { g_interrupted.store(true); }

Exit exit_for(KeystoreErrc c) { return c == KeystoreErrc::bad_name ? Exit::usage : Exit::keystore; }

}  // namespace

void install_interrupt_handler() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  // One Ctrl-C asks the wait to stop cleanly; a second one (SA_RESETHAND) ends the
  // process the default way, for a wallet stuck where it does not poll.
  sa.sa_flags = static_cast<int>(SA_RESETHAND);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

bool interrupted() { return g_interrupted.load(); }

json to_json(const Lifecycle& l) {
  json j = {{"stage", l.stage}};
  if (l.batch) j["batch"] = std::to_string(l.batch->value());
  if (l.index) j["index"] = *l.index;
  if (l.block) j["block"] = std::to_string(l.block->value());
  if (l.commitment) j["commitment"] = *l.commitment;
  if (l.final_at) j["final_at"] = l.final_at->value();
  if (l.seconds_left) j["seconds_left"] = *l.seconds_left;
  if (!l.reason.empty()) j["reason"] = l.reason;
  return j;
}

std::string describe(const Lifecycle& l) {
  // "batch 5, index 0; base-chain block 19, commitment a880ae23…dd84; 10s left", leaving
  // out what is not known.
  std::vector<std::string> parts;
  std::string where;
  if (l.batch) where = "batch " + std::to_string(l.batch->value());
  if (l.index) where += ", index " + std::to_string(*l.index);
  if (!where.empty()) parts.push_back(where);
  std::string on_chain;
  if (l.block) on_chain = "base-chain block " + std::to_string(l.block->value());
  if (l.commitment)
    on_chain += (on_chain.empty() ? "" : ", ") + std::string("commitment ") + short_hex(*l.commitment);
  if (!on_chain.empty() && l.stage != "soft_confirmed" && l.stage != "pending") parts.push_back(on_chain);
  if (l.stage == "in_window") parts.push_back(format_duration(l.seconds_left.value_or(0)) + " left");
  std::string detail;
  for (const auto& p : parts) detail += (detail.empty() ? "" : "; ") + p;
  auto with = [&](const std::string& head) { return detail.empty() ? head : head + " (" + detail + ")"; };
  std::string out;
  if (l.stage == "pending") {
    out = "pending (accepted by the sequencer, not yet in a batch)";
  } else if (l.stage == "soft_confirmed") {
    out = with("soft-confirmed");
  } else if (l.stage == "posted") {
    out = with("posted");
  } else if (l.stage == "in_window") {
    out = with("in the challenge window");
  } else if (l.stage == "final") {
    out = with("final");
  } else if (l.stage == "claimable") {
    out = with("claimable");
  } else if (l.stage == "claimed") {
    out = with("claimed");
  } else if (l.stage == "rejected") {
    out = "rejected: " + l.reason;
  } else {
    out = l.stage;
  }
  if (!l.reason.empty() && l.stage != "rejected") out += " \u2014 " + l.reason;
  return out;
}

Context::Context(Settings settings, SettingSources sources)
    : s_(std::move(settings)), sources_(std::move(sources)), keystore_(s_.wallet_dir) {
  tty_ = ::isatty(STDOUT_FILENO) == 1 && ::isatty(STDERR_FILENO) == 1;
}

Context::~Context() = default;

KeyEntry Context::key(const std::string& name) {
  auto e = keystore_.find(name);
  if (!e) throw Failure(exit_for(e.error().code), e.error().message);
  return *e;
}

KeyEntry Context::key() {
  if (!s_.key.empty()) return key(s_.key);
  auto all = keystore_.list();
  if (!all) throw Failure(exit_for(all.error().code), all.error().message);
  if (all->empty())
    throw Failure(Exit::keystore, "no keys in " + s_.wallet_dir + ": create one with `wallet key new NAME`");
  if (all->size() > 1) {
    std::string names;
    for (const auto& k : *all) names += (names.empty() ? "" : ", ") + k.name;
    throw Failure(Exit::usage, "the wallet holds " + std::to_string(all->size()) + " keys (" + names +
                                   "): choose one with --key NAME (or L2_WALLET_KEY)");
  }
  return all->front();
}

SecretKey Context::unlock(const KeyEntry& entry) {
  PassphraseSource src;
  if (!s_.password_file.empty()) src.password_file = s_.password_file;
  auto pass = read_passphrase(src, PassphrasePurpose::unlock, "key " + entry.name);
  if (!pass) throw Failure(Exit::keystore, pass.error());
  auto key = keystore_.unlock(entry.name, *pass);
  if (!key) throw Failure(exit_for(key.error().code), key.error().message);
  return std::move(key).value();
}

sequencer::SequencerClient& Context::seq() {
  if (!seq_) {
    sequencer::SequencerClientOptions o;
    o.timeout = std::chrono::milliseconds(10000);
    auto c = sequencer::SequencerClient::create(s_.sequencer, o);
    if (!c) throw Failure(Exit::usage, "bad sequencer URL '" + s_.sequencer + "': " + c.error());
    seq_ = std::move(*c);
  }
  return *seq_;
}

settlement::BaseChainClient& Context::chain() {
  if (!chain_) {
    http::ClientOptions o;
    o.timeout = std::chrono::milliseconds(10000);
    auto parsed = http::parse_url(s_.base_chain);
    if (!parsed) throw Failure(Exit::usage, "bad base-chain URL '" + s_.base_chain + "': " + parsed.error());
    auto c = settlement::BaseChainClient::create(s_.base_chain, o);
    if (!c) {
      // create() asks for the chain id: a refused connection, or an answer that is not
      // JSON-RPC (something else listens there).
      if (c.error().find("without a JSON-RPC answer") != std::string::npos)
        throw Failure(Exit::unreachable, "the base chain at " + s_.base_chain +
                                             " answered something that is not its API: " + c.error());
      throw Failure(Exit::unreachable, "cannot reach the base chain at " + s_.base_chain + ": " + c.error() +
                                           ". Is it running? Start a devnet with scripts/devnet, or pass "
                                           "--base-chain URL (or set L2_BASE_CHAIN_URL)");
    }
    chain_ = std::move(*c);
  }
  return *chain_;
}

ChainId Context::rollup_id() {
  if (!rollup_id_) rollup_id_ = need(seq().status(), "status").chain_id;
  return *rollup_id_;
}

ChainId Context::base_chain_id() {
  if (!base_chain_id_) base_chain_id_ = need(chain().chain_id(), "chain id");
  return *base_chain_id_;
}

void Context::fail_seq(const sequencer::ClientError& e, const std::string& what) const {
  using K = sequencer::ClientError::Kind;
  switch (e.kind) {
    case K::transport:
      throw Failure(Exit::unreachable, "cannot reach the sequencer at " + s_.sequencer + " (" + what +
                                           "): " + e.message +
                                           ". Is it running? Start a devnet with scripts/devnet, or pass "
                                           "--sequencer URL (or set L2_SEQUENCER_URL)");
    case K::api:
      throw Failure(Exit::refused, "the sequencer refused (" + what +
                                       "): " + std::string(sequencer::to_string(*e.code)) + ": " + e.message);
    case K::bad_response:
      break;
  }
  throw Failure(Exit::unreachable, "the sequencer at " + s_.sequencer +
                                       " answered something that is not its API (" + what + ", HTTP " +
                                       std::to_string(e.http_status) + "): " + e.message);
}

void Context::fail_chain(const settlement::RpcError& e, const std::string& what) const {
  if (e.unreachable())
    throw Failure(Exit::unreachable, "cannot reach the base chain at " + s_.base_chain + " (" + what +
                                         "): " + e.message +
                                         ". Is it running? Start a devnet with scripts/devnet, or pass "
                                         "--base-chain URL (or set L2_BASE_CHAIN_URL)");
  if (e.code == -32603)
    throw Failure(Exit::unreachable, "the base chain at " + s_.base_chain +
                                         " answered something that is not its API (" + what +
                                         "): " + e.message);
  std::string msg = "the base chain refused (" + what + "): " + e.message;
  if (!e.reason.empty()) msg += " [" + e.reason + "]";
  throw Failure(Exit::refused, msg);
}

std::optional<sequencer::AccountInfo> Context::rollup_account(const PublicKey& key) {
  auto a = seq().account(key);
  if (!a && a.error().kind == sequencer::ClientError::Kind::api &&
      a.error().code == sequencer::ErrorCode::not_found)
    return std::nullopt;
  return need(std::move(a), "account");
}

Lifecycle Context::tx_lifecycle(const sequencer::TxReceipt& r) {
  using sequencer::ReceiptCode;
  Lifecycle l;
  if (r.status == ReceiptCode::pending) {
    l.stage = "pending";
    return l;
  }
  if (r.status != ReceiptCode::applied) {
    l.stage = "rejected";
    l.reason = std::string(sequencer::to_string(r.status));
    if (r.batch) {
      l.batch = r.batch;
      l.index = r.index;
    }
    return l;
  }
  l.batch = r.batch;
  l.index = r.index;
  l.stage = "soft_confirmed";
  if (r.batch) settle(l);
  return l;
}

void Context::settle(Lifecycle& l) {
  auto rec = chain().commitment(rollup_id(), *l.batch, false);
  if (!rec) {
    if (rec.error().unreachable()) {
      l.reason = "base chain unreachable: not known whether it is posted";
      return;
    }
    fail_chain(rec.error(), "commitment");
  }
  if (!rec->has_value() || !(*rec)->block) return;  // not posted, or its base tx not in a block yet
  const auto& c = **rec;
  l.block = c.block;
  l.commitment = commitment_id(c.commitment.header).hex();
  l.final_at = c.final_at;
  if (c.is_final) {
    l.stage = "final";
    return;
  }
  auto head = chain().head();
  if (head && head->timestamp < c.final_at) {
    l.stage = "in_window";
    l.seconds_left = static_cast<std::uint64_t>(c.final_at.value() - head->timestamp.value());
  } else {
    l.stage = "posted";
  }
}

Lifecycle Context::withdrawal_lifecycle(const sequencer::WithdrawalInfo& w,
                                        std::optional<std::uint32_t> index) {
  // The sequencer lists the withdrawal once its tx is in a durable batch: soft-confirmed,
  // and from there the same stages as any tx, read from the base chain.
  Lifecycle l;
  l.stage = "soft_confirmed";
  l.batch = w.batch;
  l.index = index;
  settle(l);
  if (l.stage != "final") return l;
  // Final on the base chain: claimed once the bridge has paid this key up to the total
  // withdrawn with this withdrawal (a claim pays every earlier withdrawal too).
  auto paid = chain().withdrawn(rollup_id(), w.public_key);
  if (!paid) {
    if (!paid.error().unreachable()) fail_chain(paid.error(), "withdrawn");
    l.stage = "claimable";
    l.reason = "base chain unreachable: not known whether it is claimed";
    return l;
  }
  l.stage = *paid >= w.withdrawn ? "claimed" : "claimable";
  return l;
}

void Context::emit(const json& j, const std::string& text) const {
  progress_done();
  if (s_.json) {
    std::fputs((j.dump() + "\n").c_str(), stdout);
  } else {
    std::fputs(text.c_str(), stdout);
  }
  std::fflush(stdout);
}

void Context::progress(const std::string& line) const {
  if (!tty_ || s_.json) return;
  std::fprintf(stderr, "\r\033[K%s", line.c_str());
  std::fflush(stderr);
  progress_shown_ = true;
}

void Context::progress_done() const {
  if (!progress_shown_) return;
  std::fputs("\r\033[K", stderr);
  std::fflush(stderr);
  progress_shown_ = false;
}

void Context::verbose(const std::string& line) const {
  if (s_.verbose) std::fprintf(stderr, "wallet: %s\n", line.c_str());
}

void Context::check_interrupt(const std::string& resume) const {
  if (!interrupted()) return;
  progress_done();
  throw Failure(Exit::interrupted, "interrupted; " + resume);
}

void Context::sleep_ms(int ms, const std::string& resume) const {
  for (int waited = 0; waited < ms; waited += 50) {
    check_interrupt(resume);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  check_interrupt(resume);
}

std::chrono::steady_clock::time_point Context::deadline() const {
  return std::chrono::steady_clock::now() + std::chrono::seconds(s_.timeout_s);
}

}  // namespace l2::wallet
