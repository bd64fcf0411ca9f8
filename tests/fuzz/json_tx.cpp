// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// sequencer/json_codec.hpp: the API's request bodies in JSON (one tx, an array of txs, dev
// deposit requests), from the body text as sequencerd receives it. Properties:
//   * the document re-parses to the same value after serialisation;
//   * a tx that decodes is canonical up to hex case: tx_to_json gives back the input
//     object (hex is accepted in either case and written in lower case), and decoding
//     that gives the same tx and chain id;
//   * a deposit request likewise re-encodes to its input.
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "sequencer/json_codec.hpp"
#include "tests/fuzz/fuzz.hpp"

using namespace l2;
using nlohmann::json;

namespace {

constexpr std::size_t kMax = 64;

json lower_field(json j, const char* field) {
  if (j.is_object() && j.contains(field) && j.at(field).is_string()) {
    std::string s = j.at(field).get<std::string>();
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    j[field] = s;
  }
  return j;
}

void check_tx(const json& in, const sequencer::TxRequest& tx) {
  const json out = sequencer::tx_to_json(tx.tx, tx.chain_id);
  L2_FUZZ_CHECK(out == lower_field(in, "signature"));
  auto back = sequencer::tx_from_json(out);
  L2_FUZZ_CHECK(back.ok() && back->tx == tx.tx && back->chain_id == tx.chain_id);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto j = sequencer::parse_json(fuzz::text(data, size));
  if (!j) return 0;
  auto again = sequencer::parse_json(j->dump());
  L2_FUZZ_CHECK(again.ok() && *again == *j);

  if (auto tx = sequencer::tx_from_json(*j)) check_tx(*j, *tx);
  if (auto txs = sequencer::txs_from_json(*j, kMax)) {
    L2_FUZZ_CHECK(txs->size() == j->size());
    for (std::size_t i = 0; i < txs->size(); ++i) check_tx(j->at(i), (*txs)[i]);
  }
  if (auto deposits = sequencer::deposits_from_json(*j, kMax)) {
    const bool one = !j->is_array();
    L2_FUZZ_CHECK(deposits->size() == (one ? 1 : j->size()));
    for (std::size_t i = 0; i < deposits->size(); ++i) {
      const auto& d = (*deposits)[i];
      const json out{{"public_key", d.public_key.hex()}, {"amount", d.amount.to_string()}};
      L2_FUZZ_CHECK(out == lower_field(one ? *j : j->at(i), "public_key"));
    }
  }
  return 0;
}
