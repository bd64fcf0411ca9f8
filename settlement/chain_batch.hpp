// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// A committed batch as the base chain holds it, read over JSON-RPC: the commitment (its
// payload included), the queue range it consumed (from the previous commitment's
// deposits_upto and forced_upto, 0 for batch 1) with those queue entries, and its derived
// tx list as the chain names it (settlement/one_step.hpp, name_txs). What both sides of a
// dispute need before they can trace the batch: the defender (settlement/defender.hpp) and
// the challenger (settlement/challenger.hpp).
//
// Stateless; the client belongs to the caller's thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/result.hpp"
#include "common/types.hpp"
#include "settlement/basechain/client.hpp"
#include "settlement/commitment.hpp"
#include "settlement/one_step.hpp"

namespace l2::settlement {

struct ChainBatch {
  CommitmentRecord record;
  BatchOrigin origin;
  // The derived tx list; nullopt when the chain cannot name it (named_error says why: a
  // payload that does not hash, decode or count right; a fault of the commitment).
  std::optional<NamedTxs> named;
  std::string named_error;
};

// Error: the chain could not be read, or holds no commitment of `batch` (a message that
// names the batch). `fetch_limit` is the number of queue entries per request (>= 1).
Result<ChainBatch, std::string> read_chain_batch(BaseChainClient& client, ChainId rollup_id,
                                                 BatchNumber batch, std::uint32_t fetch_limit);

}  // namespace l2::settlement
