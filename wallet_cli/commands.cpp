// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
#include "wallet_cli/commands.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <thread>

#include "common/cli/usage.hpp"
#include "common/merkle.hpp"
#include "rollup/account.hpp"
#include "rollup/tx.hpp"
#include "sequencer/json_codec.hpp"
#include "settlement/basechain/tx.hpp"
#include "wallet_cli/format.hpp"
#include "wallet_cli/passphrase.hpp"
#include "wallet_cli/unique_fd.hpp"

namespace l2::wallet {

using nlohmann::json;
using sequencer::ReceiptCode;

namespace {

constexpr int kPollMs = 200;

std::string seconds_since(std::chrono::steady_clock::time_point start) {
  const auto s = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - start);
  return format_duration(static_cast<std::uint64_t>(s.count()));
}

Amount need_amount(const std::string& text, bool allow_zero = false) {
  auto a = parse_amount(text);
  if (!a) throw Failure(Exit::usage, a.error());
  if (!allow_zero && a->value() == 0)
    throw Failure(Exit::usage, "bad amount '0': the amount must be above 0");
  return *a;
}

Hash32 need_hash(const std::string& text) {
  auto h = Hash32::from_hex_string(text);
  if (!h) throw Failure(Exit::usage, "bad hash '" + text + "': a hash is 64 hex digits");
  return *h;
}

std::int64_t unix_now() { return static_cast<std::int64_t>(std::time(nullptr)); }

// ---- rollup txs: sign once, journal, send (retrying the same bytes), wait ---------------

// Sends a journalled rollup tx. A lost answer is retried with the same signed tx; the
// sequencer answers `duplicate` for a tx it already holds, which is success here.
sequencer::TxReceipt send_rollup_tx(Context& ctx, const rollup::Tx& tx, const Hash32& hash) {
  const std::string resume = "the signed tx " + hash.hex() + " is saved in the journal: `wallet resend " +
                             hash.hex() + "` sends the same tx again (it cannot pay twice); `wallet tx " +
                             hash.hex() + "` shows where it stands";
  for (int attempt = 1;; ++attempt) {
    auto r = ctx.seq().submit(tx, ctx.rollup_id());
    if (r) return *r;
    const auto& e = r.error();
    if (e.kind == sequencer::ClientError::Kind::api && e.code == sequencer::ErrorCode::duplicate) {
      auto info = ctx.need(ctx.seq().transaction(hash), "transaction");
      return info.receipt;
    }
    if (e.kind != sequencer::ClientError::Kind::transport || attempt == 3) {
      if (e.kind == sequencer::ClientError::Kind::transport) {
        throw Failure(Exit::unreachable, "the sequencer at " + ctx.settings().sequencer +
                                             " did not answer (" + e.message + "); " + resume);
      }
      ctx.fail_seq(e, "submit");
    }
    ctx.verbose("no answer from the sequencer (" + e.message + "); sending the same signed tx again");
    ctx.sleep_ms(1000 * attempt, resume);
  }
}

sequencer::TxReceipt wait_soft_confirmation(Context& ctx, const Hash32& hash, sequencer::TxReceipt receipt) {
  const std::string resume =
      "tx " + hash.hex() + " was sent; `wallet tx " + hash.hex() + "` shows where it stands";
  const auto start = std::chrono::steady_clock::now();
  const auto deadline = ctx.deadline();
  while (receipt.status == ReceiptCode::pending) {
    if (std::chrono::steady_clock::now() > deadline)
      throw Failure(Exit::timeout, "no soft confirmation within " + std::to_string(ctx.settings().timeout_s) +
                                       " s; " + resume);
    ctx.progress("waiting for a soft confirmation of " + short_hex(hash.hex()) + " (" + seconds_since(start) +
                 ")");
    ctx.sleep_ms(kPollMs, resume);
    auto info = ctx.seq().transaction(hash);
    if (info) receipt = info->receipt;
  }
  ctx.progress_done();
  return receipt;
}

Nonce next_nonce(Context& ctx, const KeyEntry& key, const sequencer::AccountInfo& acct) {
  // The sequencer's nonce is the executed one; a tx of ours still pending in its mempool
  // holds the next. The journal says which txs to ask about; the sequencer says if they
  // are still pending (never a local counter).
  std::uint64_t nonce = acct.nonce.value();
  for (const auto& e : ctx.journal(key).read()) {
    if (e.layer != "rollup" || e.chain_id != ctx.rollup_id().value() || !e.nonce || *e.nonce < nonce)
      continue;
    auto h = Hash32::from_hex_string(e.hash);
    if (!h) continue;
    auto info = ctx.seq().transaction(*h);
    if (info && info->receipt.status == ReceiptCode::pending) nonce = std::max(nonce, *e.nonce + 1);
  }
  return Nonce(nonce);
}

sequencer::AccountInfo need_rollup_account(Context& ctx, const KeyEntry& key) {
  auto acct = ctx.rollup_account(key.public_key);
  if (!acct)
    throw Failure(Exit::refused, "key " + key.name +
                                     " has no rollup account yet: its first deposit creates it "
                                     "(`wallet deposit AMOUNT`)");
  return *acct;
}

// TO: a public key (64 hex), an account index (digits), or a key name of this wallet.
sequencer::AccountInfo resolve_recipient(Context& ctx, const std::string& to) {
  std::optional<PublicKey> key;
  if (to.size() == 64 && (key = PublicKey::from_hex_string(to))) {
    auto acct = ctx.rollup_account(*key);
    if (!acct)
      throw Failure(Exit::refused,
                    "unknown recipient " + short_hex(to) +
                        ": no rollup account has this key (an account is created by a deposit)");
    return *acct;
  }
  if (!to.empty() && std::all_of(to.begin(), to.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    std::uint64_t v = 0;
    try {
      v = std::stoull(to);
    } catch (const std::exception&) {
      throw Failure(Exit::usage, "bad recipient '" + to + "': an account index is below 2^32");
    }
    if (v > 0xFFFFFFFFULL)
      throw Failure(Exit::usage, "bad recipient '" + to + "': an account index is below 2^32");
    auto a = ctx.seq().account(AccountIndex(static_cast<std::uint32_t>(v)));
    if (!a && a.error().kind == sequencer::ClientError::Kind::api &&
        a.error().code == sequencer::ErrorCode::not_found)
      throw Failure(Exit::refused, "unknown recipient: there is no rollup account " + to);
    return ctx.need(std::move(a), "account");
  }
  if (!valid_key_name(to))
    throw Failure(Exit::usage,
                  "bad recipient '" + to +
                      "': not a public key (64 hex), an account index or a key name (1-32 of a-z, "
                      "0-9, '_' and '-')");
  auto entry = ctx.keystore().find(to);
  if (!entry) {
    // A well-formed name that is no key here: an unknown recipient, refused as an unknown
    // account index or public key is (exit 1).
    if (entry.error().code == KeystoreErrc::not_found) {
      std::vector<std::string> names;
      if (auto all = ctx.keystore().list())
        for (const auto& k : *all) names.push_back(k.name);
      const std::string near = l2::cli::nearest(to, names);
      throw Failure(Exit::refused, "unknown recipient '" + to +
                                       "': no key of this wallet has that name, and it is not a public key "
                                       "(64 hex) or an account index" +
                                       (near.empty() ? std::string() : "; did you mean " + near + "?"));
    }
    throw Failure(Exit::keystore, entry.error().message);
  }
  auto acct = ctx.rollup_account(entry->public_key);
  if (!acct)
    throw Failure(Exit::refused,
                  "unknown recipient: key " + to + " has no rollup account yet (a deposit creates it)");
  return *acct;
}

// What a rollup tx is, for its JSON and its line of text.
struct RollupSend {
  std::string kind;  // transfer | withdraw | deposit
  std::string to;    // transfer: the recipient index
  Amount amount;
};

RollupSend facts_of(const rollup::Tx& tx) {
  RollupSend f{std::string(rollup::to_string(rollup::tx_type(tx))), "", Amount(0)};
  std::visit(
      [&](const auto& t) {
        f.amount = t.amount;
        if constexpr (std::is_same_v<std::decay_t<decltype(t)>, rollup::Transfer>)
          f.to = std::to_string(t.to.value());
      },
      tx);
  return f;
}

// Where a rollup tx stands: a withdrawal's lifecycle once the sequencer lists it (with
// claimable and claimed), else the tx's.
Lifecycle rollup_lifecycle(Context& ctx, const sequencer::TxReceipt& r, bool is_withdraw) {
  if (is_withdraw && r.status == ReceiptCode::applied && r.batch)
    if (auto w = ctx.seq().withdrawal(r.hash)) return ctx.withdrawal_lifecycle(*w, r.index);
  return ctx.tx_lifecycle(r);
}

// The one JSON shape of a rollup tx (docs/wallet.md): transfer, withdraw, resend and tx
// (which adds "tx") print it.
json rollup_tx_json(const sequencer::TxReceipt& r, const RollupSend& f, const Lifecycle& l) {
  json j = {{"hash", r.hash.hex()}, {"status", std::string(sequencer::to_string(r.status))}};
  if (r.batch) {
    j["batch"] = std::to_string(r.batch->value());
    j["index"] = r.index;
  }
  j["kind"] = f.kind;
  j["layer"] = "rollup";
  j["amount"] = f.amount.to_string();
  if (!f.to.empty()) j["to"] = f.to;
  j["lifecycle"] = to_json(l);
  return j;
}

std::string rollup_tx_text(const RollupSend& f, const Lifecycle& l, const Hash32& hash) {
  return f.kind + " of " + format_amount(f.amount) + (f.to.empty() ? "" : " to account " + f.to) + ": " +
         describe(l) + "\n  tx " + hash.hex() + "\n";
}

void sign_send_wait(Context& ctx, const KeyEntry& key, rollup::Tx tx, const RollupSend& what) {
  {
    const SecretKey secret = ctx.unlock(key);
    rollup::sign_tx(tx, ctx.rollup_id(), secret);
  }  // the secret is wiped here, before anything is sent
  const Hash32 hash = rollup::tx_hash(ctx.rollup_id(), tx);
  JournalEntry e;
  e.kind = what.kind;
  e.hash = hash.hex();
  e.layer = "rollup";
  e.chain_id = ctx.rollup_id().value();
  e.time = unix_now();
  e.amount = what.amount.to_string();
  e.to = what.to;
  std::visit(
      [&](const auto& t) {
        if constexpr (!std::is_same_v<std::decay_t<decltype(t)>, rollup::Deposit>) e.nonce = t.nonce.value();
      },
      tx);
  e.tx = sequencer::tx_to_json(tx, ctx.rollup_id());
  ctx.journal(key).append(e);
  ctx.verbose("signed " + what.kind + " " + hash.hex() + ", journalled in " +
              ctx.journal(key).path().string());

  sequencer::TxReceipt receipt = send_rollup_tx(ctx, tx, hash);
  if (!ctx.settings().no_wait) receipt = wait_soft_confirmation(ctx, hash, receipt);
  const Lifecycle l = rollup_lifecycle(ctx, receipt, what.kind == "withdraw");
  ctx.emit(rollup_tx_json(receipt, what, l), rollup_tx_text(what, l, hash));
  if (l.stage == "rejected") throw Failure(Exit::refused, what.kind + " rejected: " + l.reason);
}

// ---- base txs -----------------------------------------------------------------------------

// A base tx as the chain knows it; nullopt: the chain does not know the hash.
struct BaseTxState {
  std::optional<BlockNumber> block;  // nullopt: sent, not yet in a block
};

std::optional<BaseTxState> base_tx_state(Context& ctx, const Hash32& hash) {
  auto raw =
      ctx.need(ctx.chain().call("chain_getTransaction", json{{"hash", hash.hex()}}.dump()), "getTransaction");
  const json j = json::parse(raw);
  if (j.is_null()) return std::nullopt;
  if (!j.contains("block") || j["block"].is_null()) return BaseTxState{};
  return BaseTxState{BlockNumber(j["block"].get<std::uint64_t>())};
}

std::optional<BlockNumber> base_tx_block(Context& ctx, const Hash32& hash) {
  auto s = base_tx_state(ctx, hash);
  return s ? s->block : std::nullopt;
}

// A base tx's lifecycle (docs/wallet.md): mined (with its block), pending (known to the
// chain, not yet in a block) or unknown.
Lifecycle base_lifecycle(Context& ctx, const Hash32& hash) {
  Lifecycle l;
  const auto s = base_tx_state(ctx, hash);
  if (!s) {
    l.stage = "unknown";
    l.reason = "not on the base chain";
  } else if (!s->block) {
    l.stage = "pending";
  } else {
    l.stage = "mined";
    l.block = s->block;
  }
  return l;
}

std::string describe_base(const Lifecycle& l) {
  if (l.stage == "mined") return "in base-chain block " + format_count(l.block->value());
  if (l.stage == "pending") return "sent, not yet in a base-chain block";
  return l.reason;
}

// The one JSON shape of a base tx of the journal: tx, resend and history print it.
json base_tx_json(const JournalEntry& e, const Lifecycle& l) {
  return json{
      {"hash", e.hash}, {"kind", e.kind}, {"layer", "base"}, {"amount", e.amount}, {"lifecycle", to_json(l)}};
}

std::string amount_text(const std::string& decimal) {
  auto a = parse_amount(decimal);
  return a ? format_amount(*a) : decimal;
}

Hash32 send_base_tx(Context& ctx, const settlement::BaseTx& tx) {
  const Hash32 hash = settlement::base_tx_hash(ctx.base_chain_id(), tx);
  const std::string resume = "the signed base tx " + hash.hex() +
                             " is saved in the journal: `wallet resend " + hash.hex() +
                             "` sends it again (same nonce: it cannot apply twice)";
  for (int attempt = 1;; ++attempt) {
    auto r = ctx.chain().send(tx);
    if (r) return *r;
    const auto& e = r.error();
    if (!e.unreachable() || attempt == 3) {
      // The chain holds this very tx already (a lost answer, or a resend of a sent tx): it
      // refuses it again as a wrong nonce, and knows the hash. Sent, not paid twice.
      if (e.reason == "wrong_nonce" && base_tx_state(ctx, hash)) return hash;
      if (e.unreachable())
        throw Failure(Exit::unreachable, "the base chain at " + ctx.settings().base_chain +
                                             " did not answer (" + e.message + "); " + resume);
      ctx.fail_chain(e, "send");
    }
    ctx.verbose("no answer from the base chain (" + e.message + "); sending the same signed tx again");
    ctx.sleep_ms(1000 * attempt, resume);
  }
}

BlockNumber wait_mined(Context& ctx, const Hash32& hash, const std::string& resume) {
  const auto start = std::chrono::steady_clock::now();
  const auto deadline = ctx.deadline();
  for (;;) {
    if (auto block = base_tx_block(ctx, hash)) {
      ctx.progress_done();
      return *block;
    }
    if (std::chrono::steady_clock::now() > deadline)
      throw Failure(Exit::timeout, "base tx " + hash.hex() + " not in a block within " +
                                       std::to_string(ctx.settings().timeout_s) + " s; " + resume);
    ctx.progress("waiting for base tx " + short_hex(hash.hex()) + " to be in a block (" +
                 seconds_since(start) + ")");
    ctx.sleep_ms(kPollMs, resume);
  }
}

void journal_base(Context& ctx, const KeyEntry& key, const std::string& kind, const settlement::BaseTx& tx,
                  Amount amount) {
  JournalEntry e;
  e.kind = kind;
  e.hash = settlement::base_tx_hash(ctx.base_chain_id(), tx).hex();
  e.layer = "base";
  e.chain_id = ctx.base_chain_id().value();
  e.time = unix_now();
  e.amount = amount.to_string();
  e.nonce = tx.nonce.value();
  e.tx = json{{"wire", to_hex(settlement::encode_base_tx(tx))}};
  ctx.journal(key).append(e);
}

// A faucet mint: the dev chain makes the tx (dev_fund), so it is journalled once the chain
// has answered with its hash; "tx" says what was asked ({"dev_fund": {account, amount}}).
// Nothing the wallet signed: `resend` never mints again.
void journal_faucet(Context& ctx, const KeyEntry& key, const Hash32& hash, Amount amount) {
  JournalEntry e;
  e.kind = "faucet";
  e.hash = hash.hex();
  e.layer = "base";
  e.chain_id = ctx.base_chain_id().value();
  e.time = unix_now();
  e.amount = amount.to_string();
  e.tx = json{{"dev_fund", {{"account", key.public_key.hex()}, {"amount", amount.to_string()}}}};
  ctx.journal(key).append(e);
}

settlement::BaseTx sign_base(Context& ctx, const KeyEntry& key, settlement::BaseTxBody body) {
  settlement::BaseTx tx;
  tx.sender = key.public_key;
  tx.nonce = ctx.need(ctx.chain().account(key.public_key), "account").nonce;
  tx.body = std::move(body);
  const SecretKey secret = ctx.unlock(key);
  settlement::sign_base_tx(tx, ctx.base_chain_id(), secret);
  return tx;
}

// ---- commands ---------------------------------------------------------------------------

void cmd_key_new(Context& ctx, const std::string& name, const KdfParams& kdf) {
  if (!valid_key_name(name))
    throw Failure(Exit::usage, "bad key name '" + name +
                                   "': 1-32 of a-z, 0-9, '_' and '-', starting with a letter or digit");
  if (ctx.keystore().find(name)) throw Failure(Exit::keystore, "a key named " + name + " exists already");
  PassphraseSource src;
  if (!ctx.settings().password_file.empty()) src.password_file = ctx.settings().password_file;
  auto pass = read_passphrase(src, PassphrasePurpose::create, "key " + name);
  if (!pass) throw Failure(Exit::keystore, pass.error());
  const SecretKey secret = SecretKey::generate();
  auto e = ctx.keystore().add(name, secret, *pass, kdf);
  if (!e) throw Failure(Exit::keystore, e.error().message);
  ctx.emit(json{{"name", e->name}, {"public_key", e->public_key.hex()}, {"path", e->path.string()}},
           "created key " + e->name + "\n  public key " + e->public_key.hex() + "\n  file       " +
               e->path.string() + "\n");
}

json key_json(const KeyEntry& k) {
  return json{{"name", k.name}, {"public_key", k.public_key.hex()}, {"path", k.path.string()}};
}

void cmd_key_list(Context& ctx) {
  auto all = ctx.keystore().list();
  if (!all) throw Failure(Exit::keystore, all.error().message);
  json arr = json::array();
  Table t({{"NAME"}, {"PUBLIC KEY"}});
  for (const auto& k : *all) {
    arr.push_back(key_json(k));
    t.add({k.name, k.public_key.hex()});
  }
  ctx.emit(json{{"keys", arr}, {"wallet_dir", ctx.settings().wallet_dir}},
           all->empty() ? "no keys in " + ctx.settings().wallet_dir + " (create one: wallet key new NAME)\n"
                        : t.render());
}

void cmd_key_show(Context& ctx, const std::string& name) {
  const KeyEntry k = name.empty() ? ctx.key() : ctx.key(name);
  ctx.emit(key_json(k), "key " + k.name + "\n  public key " + k.public_key.hex() + "\n  file       " +
                            k.path.string() + "\n");
}

// Reads a small file into a SecretString (a seed file's text is as secret as the seed:
// no std::string copy of it is left in freed memory). `secret`: refuse modes that let
// group or others in, as the keystore does.
SecretString read_small_file(const std::string& path, bool secret) {
  const UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) throw Failure(Exit::usage, "cannot read " + path + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode))
    throw Failure(Exit::usage, path + " is not a regular file");
  if (secret && (st.st_mode & 077) != 0)
    throw Failure(Exit::keystore, path + " is accessible by others (mode " +
                                      std::to_string((st.st_mode >> 6) & 7) +
                                      std::to_string((st.st_mode >> 3) & 7) + std::to_string(st.st_mode & 7) +
                                      "): chmod 600 " + path);
  if (st.st_size > (1 << 16)) throw Failure(Exit::usage, path + " is too large to be a key file");
  SecretString text;
  char c = 0;
  for (;;) {
    const ssize_t n = ::read(fd.get(), &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.push_back(c);
  }
  c = 0;
  return text;
}

void cmd_key_import(Context& ctx, const std::string& file, const std::string& seed_file,
                    const std::string& name, const KdfParams& kdf) {
  if (!seed_file.empty()) {
    if (name.empty()) throw Failure(Exit::usage, "key import --seed-file needs a NAME for the key");
    if (!valid_key_name(name)) throw Failure(Exit::usage, "bad key name '" + name + "'");
    const SecretString text = read_small_file(seed_file, true);
    std::string_view v = text.view();
    while (!v.empty() && (v.back() == '\n' || v.back() == '\r' || v.back() == ' ')) v.remove_suffix(1);
    // Decoded in place and wiped at once (from_hex_string would leave a heap copy).
    Seed32 seed;
    std::size_t len = 0;
    const bool hex_ok =
        v.size() == 64 &&
        sodium_hex2bin(seed.data(), Seed32::size(), v.data(), v.size(), nullptr, &len, nullptr) == 0 &&
        len == Seed32::size();
    if (!hex_ok) {
      sodium_memzero(seed.data(), Seed32::size());
      throw Failure(Exit::usage, seed_file + " does not hold a seed (64 hex digits)");
    }
    const SecretKey secret = SecretKey::from_seed(seed);
    sodium_memzero(seed.data(), Seed32::size());
    PassphraseSource src;
    if (!ctx.settings().password_file.empty()) src.password_file = ctx.settings().password_file;
    auto pass = read_passphrase(src, PassphrasePurpose::create, "key " + name);
    if (!pass) throw Failure(Exit::keystore, pass.error());
    auto e = ctx.keystore().add(name, secret, *pass, kdf);
    if (!e) throw Failure(Exit::keystore, e.error().message);
    ctx.emit(key_json(*e), "imported key " + e->name + " (" + e->public_key.hex() + ")\n");
    return;
  }
  if (file.empty()) throw Failure(Exit::usage, "key import needs a keystore FILE or --seed-file FILE");
  const std::string text(read_small_file(file, true).view());  // encrypted: not a secret
  auto pub = read_key_file_public(text);
  if (!pub) throw Failure(Exit::keystore, file + ": " + pub.error().message);
  const std::string as = name.empty() ? pub->name : name;
  auto e = ctx.keystore().add_file(as, text);
  if (!e) throw Failure(Exit::keystore, e.error().message);
  ctx.emit(key_json(*e), "imported key " + e->name + " (" + e->public_key.hex() + ")\n");
}

void cmd_key_export(Context& ctx, const std::string& name, const std::string& out) {
  auto text = ctx.keystore().read_file(name);
  if (!text) throw Failure(Exit::keystore, text.error().message);
  if (out.empty()) {
    // The encrypted file itself (never the secret): what `key import` reads back.
    std::fputs(text->c_str(), stdout);
    if (text->empty() || text->back() != '\n') std::fputs("\n", stdout);
    return;
  }
  UniqueFd fd(::open(out.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (!fd.valid()) throw Failure(Exit::refused, "cannot create " + out + ": " + std::strerror(errno));
  const bool ok = ::write(fd.get(), text->data(), text->size()) == static_cast<ssize_t>(text->size()) &&
                  ::fsync(fd.get()) == 0 && fd.close() == 0;
  if (!ok) throw Failure(Exit::refused, "cannot write " + out);
  ctx.emit(json{{"name", name}, {"path", out}}, "exported key " + name + " (encrypted) to " + out + "\n");
}

std::string plural(std::uint64_t n, const std::string& one, const std::string& many) {
  return format_count(n) + " " + (n == 1 ? one : many);
}

void cmd_status(Context& ctx) {
  json j;
  std::string text;
  // "http://127.0.0.1:8645 (env L2_SEQUENCER_URL)": each URL with where it came from.
  const std::string seq_at = ctx.settings().sequencer + " (" + ctx.sources().sequencer + ")";
  const std::string chain_at = ctx.settings().base_chain + " (" + ctx.sources().base_chain + ")";
  std::string down;  // the endpoints that do not answer, for the error line
  {
    json s = {{"url", ctx.settings().sequencer}, {"from", ctx.sources().sequencer}};
    auto st = ctx.seq().status();
    if (st) {
      s["reachable"] = true;
      s["chain_id"] = std::to_string(st->chain_id.value());
      s["latest_batch"] = std::to_string(st->latest_batch.value());
      s["state_root"] = st->state_root.hex();
      s["accounts"] = st->accounts;
      s["mempool_depth"] = st->mempool_depth;
      text += "sequencer   " + seq_at + "  up: rollup " + std::to_string(st->chain_id.value()) + ", batch " +
              format_count(st->latest_batch.value()) + ", root " + short_hex(st->state_root.hex()) + ", " +
              plural(st->accounts, "account", "accounts") + "\n";
      auto set = ctx.seq().settlement();
      if (set) {
        const std::uint64_t backlog =
            set->durable_head.value() - std::min(set->durable_head, set->last_posted).value();
        json sj = {{"last_posted", std::to_string(set->last_posted.value())},
                   {"durable_head", std::to_string(set->durable_head.value())},
                   {"backlog", backlog},
                   {"reachable", set->reachable},
                   {"fatal", set->fatal},
                   {"last_error", set->last_error}};
        if (set->last_final) sj["last_final"] = std::to_string(set->last_final->value());
        s["settlement"] = sj;
        text += "settlement  posted up to batch " + format_count(set->last_posted.value()) + ", backlog " +
                format_count(backlog) +
                (set->last_final ? ", final up to " + format_count(set->last_final->value()) : "") +
                (set->reachable ? "" : ", base chain unreachable from the sequencer") + "\n";
      } else {
        s["settlement"] = nullptr;
        text += "settlement  none (the sequencer has no base chain)\n";
      }
    } else {
      down += "the sequencer at " + ctx.settings().sequencer;
      s["reachable"] = false;
      s["error"] = sequencer::describe(st.error());
      text += "sequencer   " + seq_at + "  DOWN: " + sequencer::describe(st.error()) +
              " (start one: scripts/devnet)\n";
    }
    j["sequencer"] = s;
  }
  {
    json b = {{"url", ctx.settings().base_chain}, {"from", ctx.sources().base_chain}};
    try {
      auto head = ctx.need(ctx.chain().head(), "head");
      b["reachable"] = true;
      b["chain_id"] = std::to_string(ctx.base_chain_id().value());
      b["head"] = std::to_string(head.number.value());
      b["time"] = head.timestamp.value();
      text += "base chain  " + chain_at + "  up: chain " + std::to_string(ctx.base_chain_id().value()) +
              ", block " + format_count(head.number.value()) + "\n";
    } catch (const Failure& f) {
      down += std::string(down.empty() ? "" : " and ") + "the base chain at " + ctx.settings().base_chain;
      b["reachable"] = false;
      b["error"] = f.what();
      text += "base chain  " + chain_at + "  DOWN: " + f.what() + "\n";
    }
    j["base_chain"] = b;
  }
  auto keys = ctx.keystore().list();
  j["wallet_dir"] = ctx.settings().wallet_dir;
  j["keys"] = keys ? static_cast<std::uint64_t>(keys->size()) : 0;
  text += "wallet      " + ctx.settings().wallet_dir + " (" + ctx.sources().wallet_dir + "; " +
          (keys ? plural(keys->size(), "key", "keys") : keys.error().message) + ")\n";
  ctx.emit(j, text);
  if (!down.empty()) throw Failure(Exit::unreachable, "not answering: " + down + " (see above)");
}

void cmd_balance(Context& ctx, bool all) {
  std::vector<KeyEntry> keys;
  if (all) {
    auto l = ctx.keystore().list();
    if (!l) throw Failure(Exit::keystore, l.error().message);
    keys = *l;
  } else {
    keys.push_back(ctx.key());
  }
  json arr = json::array();
  Table t({{"KEY"}, {"BASE CHAIN", true}, {"ROLLUP", true}, {"ACCOUNT", true}, {"NONCE", true}});
  for (const auto& k : keys) {
    const auto base = ctx.need(ctx.chain().account(k.public_key), "account");
    const auto acct = ctx.rollup_account(k.public_key);
    json r = {
        {"name", k.name}, {"public_key", k.public_key.hex()}, {"base_balance", base.balance.to_string()}};
    if (acct) {
      r["rollup"] = {{"index", acct->index.value()},
                     {"balance", acct->balance.to_string()},
                     {"nonce", std::to_string(acct->nonce.value())},
                     {"withdrawn", acct->withdrawn.to_string()},
                     {"batch", std::to_string(acct->batch.value())}};
      t.add({k.name, format_amount(base.balance), format_amount(acct->balance),
             std::to_string(acct->index.value()), std::to_string(acct->nonce.value())});
    } else {
      r["rollup"] = nullptr;
      t.add({k.name, format_amount(base.balance), "-", "-", "-"});
    }
    arr.push_back(r);
  }
  ctx.emit(json{{"balances", arr}}, t.render());
}

void cmd_faucet(Context& ctx, const std::string& amount_text) {
  const Amount amount = need_amount(amount_text);
  const KeyEntry k = ctx.key();
  auto r = ctx.chain().dev_fund(k.public_key, amount);
  if (!r && r.error().code == -32601)
    throw Failure(Exit::refused,
                  "the base chain at " + ctx.settings().base_chain +
                      " is not a dev chain: the faucet needs basechaind --dev (scripts/devnet starts one)");
  const Hash32 hash = ctx.need(std::move(r), "dev_fund");
  journal_faucet(ctx, k, hash, amount);
  const auto base = ctx.need(ctx.chain().account(k.public_key), "account");
  ctx.emit(
      json{{"hash", hash.hex()}, {"amount", amount.to_string()}, {"base_balance", base.balance.to_string()}},
      "funded " + k.name + " with " + format_amount(amount) + " on the base chain; balance " +
          format_amount(base.balance) + "\n");
}

void cmd_deposit(Context& ctx, const std::string& amount_text) {
  const Amount amount = need_amount(amount_text);
  const KeyEntry k = ctx.key();
  const ChainId rollup = ctx.rollup_id();
  const auto base = ctx.need(ctx.chain().account(k.public_key), "account");
  if (base.balance < amount)
    throw Failure(Exit::refused, "insufficient base-chain balance: " + format_amount(base.balance) + " < " +
                                     format_amount(amount) + " (dev chain: `wallet faucet`)");
  const auto tx = sign_base(ctx, k, settlement::DepositBody{rollup, k.public_key, amount});
  journal_base(ctx, k, "deposit", tx, amount);
  const Hash32 hash = send_base_tx(ctx, tx);
  json j = {{"hash", hash.hex()}, {"amount", amount.to_string()}, {"stage", "sent"}};
  if (ctx.settings().no_wait) {
    ctx.emit(
        j, "deposit of " + format_amount(amount) + " sent to the base chain\n  base tx " + hash.hex() + "\n");
    return;
  }
  const std::string resume =
      "the deposit " + hash.hex() + " was sent to the base chain; `wallet balance` shows when it arrives";
  const BlockNumber block = wait_mined(ctx, hash, resume);
  // The bridge's Deposit log of this tx gives its queue position and the account it credits.
  const json logs = json::parse(ctx.need(ctx.chain().call("chain_getLogs", json{{"from_block", block.value()},
                                                                                {"to_block", block.value()},
                                                                                {"module", "bridge"},
                                                                                {"event", "Deposit"},
                                                                                {"rollup_id", rollup.value()}}
                                                                               .dump()),
                                         "getLogs"));
  std::optional<std::uint64_t> position;
  std::optional<std::uint64_t> account;
  for (const auto& l : logs)
    if (l.value("tx_hash", "") == hash.hex()) {
      position = l["data"]["index"].get<std::uint64_t>();
      account = l["data"]["account_index"].get<std::uint64_t>();
    }
  if (!position)
    throw Failure(Exit::refused, "base tx " + hash.hex() + " is in block " + std::to_string(block.value()) +
                                     " but made no deposit");
  j["block"] = std::to_string(block.value());
  j["deposit_index"] = std::to_string(*position);
  j["account"] = *account;
  // The deposit's own rollup tx (docs/api.md, "Deposits: their rollup receipt"): what
  // `wallet tx` and GET /v1/transactions take, not the base tx's hash.
  const rollup::Tx credit = rollup::Deposit{
      DepositPosition(*position), AccountIndex(static_cast<std::uint32_t>(*account)), k.public_key, amount};
  const Hash32 rollup_hash = rollup::tx_hash(rollup, credit);
  j["rollup_tx"] = rollup_hash.hex();
  const auto start = std::chrono::steady_clock::now();
  const auto deadline = ctx.deadline();
  for (;;) {
    auto s = ctx.seq().settlement();
    if (s && s->next_deposit.value() > *position) break;
    if (std::chrono::steady_clock::now() > deadline)
      throw Failure(Exit::timeout, "deposit #" + std::to_string(*position) + " not in the rollup within " +
                                       std::to_string(ctx.settings().timeout_s) + " s; " + resume);
    ctx.progress("waiting for deposit #" + std::to_string(*position) + " to reach the rollup (" +
                 seconds_since(start) + ")");
    ctx.sleep_ms(kPollMs, resume);
  }
  ctx.progress_done();
  const auto acct = ctx.rollup_account(k.public_key);
  j["stage"] = "credited";
  if (acct) j["rollup_balance"] = acct->balance.to_string();
  ctx.emit(j, "deposit of " + format_amount(amount) + " credited to rollup account " +
                  std::to_string(*account) +
                  (acct ? "; rollup balance " + format_amount(acct->balance) : std::string()) +
                  "\n  base tx " + hash.hex() + " (block " + std::to_string(block.value()) +
                  ")\n  rollup tx " + rollup_hash.hex() + " (`wallet tx` shows it)\n");
}

void cmd_transfer(Context& ctx, const std::string& to, const std::string& amount_text,
                  const std::string& fee_text) {
  const Amount amount = need_amount(amount_text);
  const Amount fee = need_amount(fee_text, true);
  const KeyEntry k = ctx.key();
  const auto from = need_rollup_account(ctx, k);
  const auto dest = resolve_recipient(ctx, to);
  if (dest.index == from.index)
    throw Failure(Exit::refused, "a transfer to the sender's own account does nothing");
  const auto total = amount.checked_add(fee);
  if (!total || from.balance < *total)
    throw Failure(Exit::refused, "insufficient rollup balance: " + format_amount(from.balance) + " < " +
                                     format_amount(amount) + " + fee " + format_amount(fee));
  rollup::Transfer t{from.index, dest.index, amount, fee, next_nonce(ctx, k, from), {}};
  sign_send_wait(ctx, k, t, RollupSend{"transfer", std::to_string(dest.index.value()), amount});
}

void cmd_withdraw(Context& ctx, const std::string& amount_text, const std::string& fee_text) {
  const Amount amount = need_amount(amount_text);
  const Amount fee = need_amount(fee_text, true);
  const KeyEntry k = ctx.key();
  const auto from = need_rollup_account(ctx, k);
  const auto total = amount.checked_add(fee);
  if (!total || from.balance < *total)
    throw Failure(Exit::refused, "insufficient rollup balance: " + format_amount(from.balance) + " < " +
                                     format_amount(amount) + " + fee " + format_amount(fee));
  rollup::Withdraw w{from.index, amount, fee, next_nonce(ctx, k, from), {}};
  sign_send_wait(ctx, k, w, RollupSend{"withdraw", "", amount});
}

json withdrawal_json(Context& ctx, const sequencer::WithdrawalInfo& w, const Lifecycle& l) {
  (void)ctx;
  return json{{"hash", w.tx_hash.hex()},
              {"amount", w.amount.to_string()},
              {"batch", std::to_string(w.batch.value())},
              {"lifecycle", to_json(l)}};
}

void cmd_withdrawals(Context& ctx) {
  const KeyEntry k = ctx.key();
  const auto acct = need_rollup_account(ctx, k);
  const auto list = ctx.need(ctx.seq().withdrawals(acct.index, 100), "withdrawals");
  json arr = json::array();
  Table t({{"TX"}, {"AMOUNT", true}, {"BATCH", true}, {"STAGE"}});
  for (const auto& w : list) {
    // The tx's index in its batch, as `tx` shows it: the same lifecycle in both.
    std::optional<std::uint32_t> index;
    if (auto info = ctx.seq().transaction(w.tx_hash); info && info->receipt.batch)
      index = info->receipt.index;
    const Lifecycle l = ctx.withdrawal_lifecycle(w, index);
    arr.push_back(withdrawal_json(ctx, w, l));
    t.add(
        {short_hex(w.tx_hash.hex()), format_amount(w.amount), std::to_string(w.batch.value()), describe(l)});
  }
  ctx.emit(json{{"withdrawals", arr}}, list.empty() ? "no withdrawals of " + k.name + "\n" : t.render());
}

void cmd_claim(Context& ctx, const std::string& hash_text) {
  const KeyEntry k = ctx.key();
  const auto acct = need_rollup_account(ctx, k);
  Hash32 target;
  if (!hash_text.empty()) {
    target = need_hash(hash_text);
  } else {
    const auto list = ctx.need(ctx.seq().withdrawals(acct.index, 1), "withdrawals");
    if (list.empty()) throw Failure(Exit::refused, "nothing to claim: " + k.name + " has no withdrawals");
    target = list.front().tx_hash;  // the newest: claiming it pays every earlier one too
  }
  const std::string resume = "nothing was claimed; run `wallet claim " + target.hex() + "` again to go on";
  auto w = ctx.need(ctx.seq().withdrawal(target), "withdrawal");
  if (w.public_key != k.public_key)
    throw Failure(Exit::refused, "withdrawal " + target.hex() + " is not " + k.name + "'s");
  const auto start = std::chrono::steady_clock::now();
  const auto deadline = ctx.deadline();
  // Claimable once its batch is final on the base chain: the stage `withdrawals` shows,
  // read from the same source (or the sequencer's word, whichever comes first).
  while (w.status != "final" && w.status != "claimed") {
    const Lifecycle l = ctx.withdrawal_lifecycle(w, std::nullopt);
    if (l.stage == "claimable" || l.stage == "claimed") break;
    if (ctx.settings().no_wait)
      throw Failure(Exit::refused, "withdrawal " + short_hex(target.hex()) + " is not final yet: " +
                                       describe(l) + "; run `wallet claim " + target.hex() + "` once it is");
    if (std::chrono::steady_clock::now() > deadline)
      throw Failure(Exit::timeout, "withdrawal not final within " + std::to_string(ctx.settings().timeout_s) +
                                       " s (" + describe(l) + "); " + resume);
    ctx.progress("waiting for withdrawal " + short_hex(target.hex()) + ": " + describe(l) + " (" +
                 seconds_since(start) + ")");
    ctx.sleep_ms(500, resume);
    w = ctx.need(ctx.seq().withdrawal(target), "withdrawal");
  }
  ctx.progress_done();
  const ChainId rollup = ctx.rollup_id();
  const Amount paid_before = ctx.need(ctx.chain().withdrawn(rollup, k.public_key), "withdrawn");
  if (w.status == "claimed" || w.withdrawn <= paid_before) {
    const auto base = ctx.need(ctx.chain().account(k.public_key), "account");
    ctx.emit(json{{"hash", nullptr},
                  {"withdrawal", target.hex()},
                  {"paid", "0"},
                  {"stage", "claimed"},
                  {"base_balance", base.balance.to_string()}},
             "withdrawal " + short_hex(target.hex()) +
                 " is claimed already; nothing more to pay; base-chain balance " +
                 format_amount(base.balance) + "\n");
    return;
  }
  auto leaf = rollup::decode_leaf(w.leaf);
  auto proof = MerkleProof::decode(w.proof);
  if (!leaf || !proof)
    throw Failure(Exit::unreachable, "the sequencer's withdrawal proof does not decode (not its API?)");
  const auto tx = sign_base(ctx, k, settlement::FinalizeWithdrawalBody{rollup, w.batch, *leaf, *proof});
  const Amount owed = w.withdrawn.checked_sub(paid_before).value_or(Amount(0));
  journal_base(ctx, k, "claim", tx, owed);
  const Hash32 hash = send_base_tx(ctx, tx);
  json j = {
      {"hash", hash.hex()}, {"withdrawal", target.hex()}, {"paid", owed.to_string()}, {"stage", "sent"}};
  if (!ctx.settings().no_wait) {
    const BlockNumber block = wait_mined(
        ctx, hash, "the claim " + hash.hex() + " was sent; `wallet balance` shows when it is paid");
    j["block"] = std::to_string(block.value());
    j["stage"] = "claimed";
  }
  const auto base = ctx.need(ctx.chain().account(k.public_key), "account");
  j["base_balance"] = base.balance.to_string();
  ctx.emit(j, "claimed " + format_amount(owed) + " on the base chain; base-chain balance " +
                  format_amount(base.balance) + "\n  base tx " + hash.hex() + "\n");
}

// The journal entry of `hash` in any key's journal of this wallet.
std::optional<JournalEntry> find_in_journals(Context& ctx, const std::string& hash) {
  auto keys = ctx.keystore().list();
  if (!keys) return std::nullopt;
  for (const auto& k : *keys)
    if (auto e = ctx.journal(k).find(hash)) return e;
  return std::nullopt;
}

void cmd_tx(Context& ctx, const std::string& hash_text) {
  const Hash32 hash = need_hash(hash_text);
  const auto entry = find_in_journals(ctx, hash.hex());
  if (entry && entry->layer == "base") {
    const Lifecycle l = base_lifecycle(ctx, hash);
    ctx.emit(base_tx_json(*entry, l),
             entry->kind + " of " + amount_text(entry->amount) + " (base tx): " + describe_base(l) + "\n");
    return;
  }
  auto info = ctx.seq().transaction(hash);
  if (!info && info.error().kind == sequencer::ClientError::Kind::api &&
      info.error().code == sequencer::ErrorCode::not_found)
    throw Failure(Exit::refused, "the sequencer does not know tx " + hash.hex() +
                                     " (never accepted, or refused when it was sent)" +
                                     (entry ? "; `wallet resend " + hash.hex() + "` sends it again" : ""));
  const auto tx = ctx.need(std::move(info), "transaction");
  const RollupSend f = facts_of(tx.tx.tx);
  const Lifecycle l = rollup_lifecycle(ctx, tx.receipt, std::holds_alternative<rollup::Withdraw>(tx.tx.tx));
  json j = rollup_tx_json(tx.receipt, f, l);
  j["tx"] = sequencer::tx_to_json(tx.tx.tx, tx.tx.chain_id);
  ctx.emit(j, f.kind + " " + short_hex(hash.hex()) + ": " + describe(l) + "\n");
}

void cmd_resend(Context& ctx, const std::string& hash_text) {
  const Hash32 hash = need_hash(hash_text);
  const auto entry = find_in_journals(ctx, hash.hex());
  if (!entry) throw Failure(Exit::refused, "tx " + hash.hex() + " is not in this wallet's journal");
  if (entry->layer == "base") {
    const std::string what =
        entry->kind + " of " + amount_text(entry->amount) + " (base tx " + short_hex(entry->hash) + ")";
    Lifecycle l = base_lifecycle(ctx, hash);
    if (l.stage != "unknown") {
      // The chain has it: sending it again could only be refused (same nonce); nothing is
      // paid twice.
      ctx.emit(base_tx_json(*entry, l), what + ": already sent, " + describe_base(l) + "; not sent again\n");
      return;
    }
    if (!entry->tx.contains("wire"))
      throw Failure(Exit::refused,
                    "tx " + hash.hex() +
                        " is a faucet mint the base chain does not know: it is not a "
                        "signed tx and cannot be sent again; `wallet faucet` asks for another");
    auto bytes = from_hex(entry->tx.at("wire").get<std::string>());
    auto tx = bytes ? settlement::decode_base_tx(*bytes) : make_error(DecodeError::truncated);
    if (!tx) throw Failure(Exit::refused, "the journal's copy of " + hash.hex() + " does not decode");
    send_base_tx(ctx, *tx);
    if (!ctx.settings().no_wait)
      wait_mined(
          ctx, hash,
          "base tx " + hash.hex() + " was sent again; `wallet tx " + hash.hex() + "` shows where it stands");
    l = base_lifecycle(ctx, hash);
    ctx.emit(base_tx_json(*entry, l), what + ": sent again, " + describe_base(l) + "\n");
    return;
  }
  auto req = sequencer::tx_from_json(entry->tx);
  if (!req) throw Failure(Exit::refused, "the journal's copy of " + hash.hex() + " does not decode");
  sequencer::TxReceipt r = send_rollup_tx(ctx, req->tx, hash);
  if (!ctx.settings().no_wait) r = wait_soft_confirmation(ctx, hash, r);
  const RollupSend f = facts_of(req->tx);
  const Lifecycle l = rollup_lifecycle(ctx, r, std::holds_alternative<rollup::Withdraw>(req->tx));
  ctx.emit(rollup_tx_json(r, f, l), rollup_tx_text(f, l, hash));
}

void cmd_history(Context& ctx) {
  const KeyEntry k = ctx.key();
  const auto entries = ctx.journal(k).read();
  json arr = json::array();
  Table t({{"TIME"}, {"KIND"}, {"AMOUNT", true}, {"TO"}, {"TX"}, {"STAGE"}});
  for (const auto& e : entries) {
    json r = to_json(e);
    r.erase("tx");
    std::string stage;
    if (e.layer == "base") {
      Lifecycle l;
      if (auto h = Hash32::from_hex_string(e.hash)) {
        l = base_lifecycle(ctx, *h);
      } else {
        l.stage = "unknown";
        l.reason = "not on the base chain";
      }
      r["lifecycle"] = to_json(l);
      stage = describe_base(l);
    } else {
      auto h = Hash32::from_hex_string(e.hash);
      auto info = h ? ctx.seq().transaction(*h) : make_error(sequencer::ClientError{});
      if (info) {
        const Lifecycle l = rollup_lifecycle(ctx, info->receipt, e.kind == "withdraw");
        r["lifecycle"] = to_json(l);
        stage = describe(l);
      } else if (info.error().kind == sequencer::ClientError::Kind::api) {
        r["lifecycle"] = json{{"stage", "unknown"}, {"reason", "not known to the sequencer"}};
        stage = "not known to the sequencer (refused when sent?)";
      } else {
        ctx.fail_seq(info.error(), "transaction");
      }
    }
    char when[32];
    const std::time_t tt = e.time;
    std::tm tm{};
    ::gmtime_r(&tt, &tm);
    std::strftime(when, sizeof when, "%Y-%m-%d %H:%M:%SZ", &tm);
    t.add({when, e.kind, amount_text(e.amount), e.to, short_hex(e.hash), stage});
    arr.push_back(r);
  }
  ctx.emit(json{{"history", arr}},
           entries.empty() ? "no txs sent from " + k.name + " by this wallet\n" : t.render());
}

}  // namespace

void register_commands(CLI::App& app, Action& action) {
  // Options captured by the subcommands' callbacks; they outlive parsing (static: one
  // parse per process).
  static std::string name, file, seed_file, out, to, amount, fee = "0", hash;
  static bool all = false;
  static KdfParams kdf;
  static std::uint64_t kdf_ops = 0, kdf_mem_kib = 0;

  auto apply_kdf = [] {
    if (kdf_ops != 0) kdf.opslimit = kdf_ops;
    if (kdf_mem_kib != 0) kdf.memlimit = static_cast<std::size_t>(kdf_mem_kib) << 10;
  };
  auto add_kdf_flags = [](CLI::App* c) {
    // Cheaper Argon2id for tests only (documented as such, hidden from --help).
    c->add_option("--test.kdf-opslimit", kdf_ops)->group("");
    c->add_option("--test.kdf-memlimit-kib", kdf_mem_kib)->group("");
  };

  auto* key = app.add_subcommand("key", "Manage the keys of the wallet (encrypted keystore)");
  key->require_subcommand(1);  // which one, and a typo's near match: key_command_error()
  auto* key_new = key->add_subcommand("new", "Create a key (asks for a passphrase twice)");
  key_new->add_option("NAME", name, "name of the key: 1-32 of a-z 0-9 _ -")->required();
  add_kdf_flags(key_new);
  key_new->callback([&action, apply_kdf] {
    apply_kdf();
    action = [](Context& c) { cmd_key_new(c, name, kdf); };
  });
  auto* key_list = key->add_subcommand("list", "List the keys");
  key_list->callback([&action] { action = [](Context& c) { cmd_key_list(c); }; });
  auto* key_show = key->add_subcommand("show", "Show a key's public key and file (never the secret)");
  key_show->add_option("NAME", name, "the key (default: --key, or the only key)");
  key_show->callback([&action] { action = [](Context& c) { cmd_key_show(c, name); }; });
  auto* key_import = key->add_subcommand("import", "Import a keystore file, or a raw seed with --seed-file");
  key_import->add_option("FILE", file, "a keystore file (from `wallet key export`)");
  key_import->add_option("--seed-file", seed_file,
                         "a file holding a 32-byte Ed25519 seed as 64 hex digits (mode 0600)");
  key_import->add_option("--name", name, "name for the key (required with --seed-file; default: the file's)");
  add_kdf_flags(key_import);
  key_import->callback([&action, apply_kdf] {
    apply_kdf();
    action = [](Context& c) { cmd_key_import(c, file, seed_file, name, kdf); };
  });
  auto* key_export =
      key->add_subcommand("export", "Write a key's encrypted keystore file (to stdout or --out)");
  key_export->add_option("NAME", name, "the key")->required();
  key_export->add_option("--out", out, "file to create (mode 0600); it must not exist");
  key_export->callback([&action] { action = [](Context& c) { cmd_key_export(c, name, out); }; });

  auto* status = app.add_subcommand(
      "status", "Which endpoints answer, base-chain head, rollup batch and root, settlement backlog");
  status->callback([&action] { action = [](Context& c) { cmd_status(c); }; });

  auto* balance = app.add_subcommand("balance", "Balances on the base chain and in the rollup");
  balance->add_flag("--all", all, "every key of the wallet");
  balance->callback([&action] { action = [](Context& c) { cmd_balance(c, all); }; });

  auto* faucet = app.add_subcommand("faucet", "Mint base-chain funds to the key (dev base chain only)");
  amount = "1000000";
  faucet->add_option("AMOUNT", amount, "amount in the smallest unit")->capture_default_str();
  faucet->callback([&action] { action = [](Context& c) { cmd_faucet(c, amount); }; });

  auto* deposit =
      app.add_subcommand("deposit", "Deposit base-chain funds into the rollup, and wait until credited");
  deposit->add_option("AMOUNT", amount, "amount in the smallest unit")->required();
  deposit->callback([&action] { action = [](Context& c) { cmd_deposit(c, amount); }; });

  auto* transfer =
      app.add_subcommand("transfer", "Pay another rollup account, and wait for the soft confirmation");
  transfer
      ->add_option("TO", to,
                   "recipient: a public key (64 hex), an account index, or a key name of this wallet")
      ->required();
  transfer->add_option("AMOUNT", amount, "amount in the smallest unit")->required();
  transfer->add_option("--fee", fee, "fee to the operator, in the smallest unit")->capture_default_str();
  transfer->callback([&action] { action = [](Context& c) { cmd_transfer(c, to, amount, fee); }; });

  auto* withdraw = app.add_subcommand(
      "withdraw", "Withdraw from the rollup (claim it on the base chain after the window)");
  withdraw->add_option("AMOUNT", amount, "amount in the smallest unit")->required();
  withdraw->add_option("--fee", fee, "fee to the operator, in the smallest unit")->capture_default_str();
  withdraw->callback([&action] { action = [](Context& c) { cmd_withdraw(c, amount, fee); }; });

  auto* withdrawals = app.add_subcommand("withdrawals", "The key's withdrawals and where each stands");
  withdrawals->callback([&action] { action = [](Context& c) { cmd_withdrawals(c); }; });

  auto* claim =
      app.add_subcommand("claim", "Claim a final withdrawal on the base chain (waits for its window)");
  claim->add_option("HASH", hash, "the withdrawal's tx hash (default: the newest withdrawal)");
  claim->callback([&action] { action = [](Context& c) { cmd_claim(c, hash); }; });

  auto* tx = app.add_subcommand("tx", "Where a tx stands: pending ... final, or rejected with the reason");
  tx->add_option("HASH", hash, "tx hash (64 hex)")->required();
  tx->callback([&action] { action = [](Context& c) { cmd_tx(c, hash); }; });

  auto* resend =
      app.add_subcommand("resend", "Send a journalled signed tx again (same hash: it cannot pay twice)");
  resend->add_option("HASH", hash, "tx hash (64 hex)")->required();
  resend->callback([&action] { action = [](Context& c) { cmd_resend(c, hash); }; });

  auto* history =
      app.add_subcommand("history", "The txs this wallet sent from the key, and where each stands");
  history->callback([&action] { action = [](Context& c) { cmd_history(c); }; });

  // Every command's --help says that the global options work after it too.
  const std::string footer =
      "Global options (--json, --no-wait, --timeout SECONDS, --key NAME, -v, --wallet-dir DIR, --sequencer "
      "URL, "
      "--base-chain URL, --password-file FILE, --config FILE) may come before or after the command: see "
      "`wallet --help`.";
  for (CLI::App* sub : app.get_subcommands({})) {
    sub->footer(footer);
    for (CLI::App* subsub : sub->get_subcommands({})) subsub->footer(footer);
  }
}

std::optional<std::string> key_command_error(const CLI::App& app, int argc, const char* const* argv) {
  // The words that are not options or their values: the command, then the key command.
  // Help anywhere, or an option CLI11 will refuse, is left to CLI11.
  std::vector<std::string> words;
  for (int i = 1; i < argc && words.size() < 2; ++i) {
    const std::string arg = argv[i];
    if (arg == "--") break;
    if (arg.size() > 1 && arg.front() == '-') {
      if (arg == "-h" || arg == "--help") return std::nullopt;
      if (arg.find('=') != std::string::npos) continue;
      const CLI::Option* opt = app.get_option_no_throw(arg);
      if (opt == nullptr && !words.empty()) {
        if (const CLI::App* sub = app.get_subcommand_ptr(words.front()).get())
          opt = sub->get_option_no_throw(arg);
      }
      if (opt == nullptr) return std::nullopt;
      if (opt->get_expected_min() > 0) ++i;  // its value
      continue;
    }
    words.push_back(arg);
  }
  if (words.empty() || words.front() != "key") return std::nullopt;
  const CLI::App* key = app.get_subcommand_ptr("key").get();
  std::vector<std::string> names;
  for (const CLI::App* sub : key->get_subcommands({})) names.push_back(sub->get_name());
  std::string list;
  for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
  if (words.size() < 2) return "a key command is required (" + list + ")";
  if (std::find(names.begin(), names.end(), words[1]) != names.end()) return std::nullopt;
  const std::string near = l2::cli::nearest(words[1], names);
  return "unknown key command '" + words[1] + "'; " +
         (near.empty() ? "the key commands are " + list : "did you mean `wallet key " + near + "`?");
}

}  // namespace l2::wallet
