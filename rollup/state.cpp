// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
#include "rollup/state.hpp"

#include "common/assert.hpp"
#include "common/codec.hpp"

namespace l2::rollup {

namespace {
void put_values(ByteWriter& w, const Account& a) {
  w.u64le(a.balance.value());
  w.u64le(a.nonce.value());
  w.u64le(a.withdrawn.value());
}
bool get_values(ByteReader& r, Account& a) {
  auto b = r.u64le();
  auto n = r.u64le();
  auto x = r.u64le();
  if (!b || !n || !x) return false;
  a.balance = Amount(*b);
  a.nonce = Nonce(*n);
  a.withdrawn = Amount(*x);
  return true;
}
}  // namespace

Bytes encode_changes(std::span<const AccountChange> changes) {
  ByteWriter w(changes.size() * 56 + 8);
  w.varint(changes.size());
  for (const auto& c : changes) {
    w.varint(c.index.value());
    w.u8(c.before ? 0 : 1);
    if (c.before) {
      put_values(w, *c.before);
    } else {
      w.bytes(c.after.pubkey.view());
    }
    put_values(w, c.after);
  }
  return w.take();
}

Result<std::vector<AccountChange>, DecodeError> decode_changes(ByteView in,
                                                               std::span<const Account> existing) {
  ByteReader r(in);
  auto count = r.varint();
  if (!count) return make_error(count.error());
  if (*count > r.remaining() / 26) return make_error(DecodeError::truncated);
  std::vector<AccountChange> out;
  out.reserve(*count);
  std::uint64_t next_new = existing.size();
  std::optional<std::uint64_t> last;
  for (std::uint64_t i = 0; i < *count; ++i) {
    auto idx = r.varint();
    if (!idx) return make_error(idx.error());
    if (*idx > 0xffffffffull || (last && *idx <= *last)) return make_error(DecodeError::out_of_range);
    last = *idx;
    auto flags = r.u8();
    if (!flags) return make_error(flags.error());
    if (*flags > 1) return make_error(DecodeError::out_of_range);
    AccountChange c;
    c.index = AccountIndex(static_cast<std::uint32_t>(*idx));
    if (*flags == 0) {
      if (*idx >= existing.size()) return make_error(DecodeError::out_of_range);
      Account before;
      before.pubkey = existing[*idx].pubkey;
      if (!get_values(r, before)) return make_error(DecodeError::truncated);
      c.before = before;
      c.after.pubkey = before.pubkey;
    } else {
      // Created accounts take the next indices, in order.
      if (*idx != next_new) return make_error(DecodeError::out_of_range);
      ++next_new;
      auto key = r.fixed<PublicKey>();
      if (!key) return make_error(key.error());
      c.after.pubkey = *key;
    }
    if (!get_values(r, c.after)) return make_error(DecodeError::truncated);
    out.push_back(c);
  }
  if (auto e = r.expect_end(); !e) return make_error(e.error());
  return out;
}

Result<std::vector<ChangeBefore>, DecodeError> decode_change_befores(ByteView in) {
  ByteReader r(in);
  auto count = r.varint();
  if (!count) return make_error(count.error());
  if (*count > r.remaining() / 26) return make_error(DecodeError::truncated);
  std::vector<ChangeBefore> out;
  out.reserve(*count);
  for (std::uint64_t i = 0; i < *count; ++i) {
    auto idx = r.varint();
    if (!idx) return make_error(idx.error());
    if (*idx > 0xffffffffull) return make_error(DecodeError::out_of_range);
    auto flags = r.u8();
    if (!flags) return make_error(flags.error());
    if (*flags > 1) return make_error(DecodeError::out_of_range);
    ChangeBefore c{AccountIndex(static_cast<std::uint32_t>(*idx)), std::nullopt};
    if (*flags == 0) {
      Account before;
      if (!get_values(r, before)) return make_error(DecodeError::truncated);
      c.before = before;
    } else if (auto key = r.bytes(32); !key) {
      return make_error(key.error());
    }
    if (auto after = r.bytes(24); !after) return make_error(after.error());
    out.push_back(c);
  }
  if (auto e = r.expect_end(); !e) return make_error(e.error());
  return out;
}

Result<std::vector<std::pair<AccountIndex, bool>>, DecodeError> decode_change_indices(ByteView in) {
  auto befores = decode_change_befores(in);
  if (!befores) return make_error(befores.error());
  std::vector<std::pair<AccountIndex, bool>> out;
  out.reserve(befores->size());
  for (const ChangeBefore& c : *befores) out.emplace_back(c.index, !c.before);
  return out;
}

State::State(const PublicKey& operator_key) {
  accounts_.push_back(Account{operator_key, Amount(0), Nonce(0), Amount(0)});
  by_key_.emplace(operator_key, kFeeAccount);
}

std::optional<State> State::from_accounts(std::vector<Account> accounts) {
  State s;
  s.by_key_.reserve(accounts.size());
  for (std::size_t i = 0; i < accounts.size(); ++i) {
    auto supply = s.supply_.checked_add(accounts[i].balance);
    if (!supply) return std::nullopt;
    s.supply_ = *supply;
    if (!s.by_key_.emplace(accounts[i].pubkey, AccountIndex(static_cast<std::uint32_t>(i))).second)
      return std::nullopt;
  }
  s.accounts_ = std::move(accounts);
  return s;
}

std::optional<AccountIndex> State::find(const PublicKey& key) const {
  auto it = by_key_.find(key);
  if (it == by_key_.end()) return std::nullopt;
  return it->second;
}

void State::apply(std::span<const AccountChange> changes) {
  // Two passes (take every old balance out, then put every new one in) so that the
  // running supply never leaves 64 bits, whatever order the changes come in.
  for (const auto& c : changes) {
    std::uint32_t i = c.index.value();
    if (!c.before) {
      L2_ASSERT(i == accounts_.size());
      accounts_.push_back(Account{c.after.pubkey, Amount(0), Nonce(0), Amount(0)});
      by_key_.emplace(c.after.pubkey, c.index);
    }
    L2_ASSERT(i < accounts_.size());
    auto lower = supply_.checked_sub(accounts_[i].balance);
    L2_ASSERT(lower.has_value());
    supply_ = *lower;
  }
  for (const auto& c : changes) {
    auto raised = supply_.checked_add(c.after.balance);
    L2_ASSERT(raised.has_value());
    supply_ = *raised;
    accounts_[c.index.value()] = c.after;
  }
}

void State::revert(std::span<const AccountChange> changes) {
  for (const auto& c : changes) {
    L2_ASSERT(c.index.value() < accounts_.size());
    auto lower = supply_.checked_sub(accounts_[c.index.value()].balance);
    L2_ASSERT(lower.has_value());
    supply_ = *lower;
  }
  for (auto it = changes.rbegin(); it != changes.rend(); ++it) {
    std::uint32_t i = it->index.value();
    if (it->before) {
      auto raised = supply_.checked_add(it->before->balance);
      L2_ASSERT(raised.has_value());
      supply_ = *raised;
      accounts_[i] = *it->before;
    } else {
      L2_ASSERT(i + 1 == accounts_.size());
      by_key_.erase(accounts_[i].pubkey);
      accounts_.pop_back();
    }
  }
}

}  // namespace l2::rollup
