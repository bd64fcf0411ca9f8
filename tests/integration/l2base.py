# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The off-chain scaling stack developers
"""An independent client of basechaind, written from docs/basechain.md and docs/encoding.md.

- Base-chain txs (domain tag, chain id, sender, nonce, kind, body, Ed25519 signature),
  commitments and batch payloads (zstd through python3-zstandard), built here without any
  of our C++ code, on top of the PyNaCl encoding primitives of tests/vectors/check_vectors.py.
- JSON-RPC 2.0 over http.client.
- BasechainProcess: the real basechaind on a loopback port in a data dir, always killed.

Standard library, PyNaCl and zstandard only; run with Debian's /usr/bin/python3.
"""

import http.client
import json
import re
import socket

import zstandard

import l2client as l2
from l2client import enc

BASE_CHAIN_ID = 31337
BASE_TAG = b"L2STACK/BASE/TX/V1"
COMMIT_TAG = b"L2STACK/COMMIT/V1"

KIND = {"transfer": 1, "register_rollup": 2, "deposit": 3, "force_tx": 4, "commit_batch": 5,
        "finalize_withdrawal": 6, "challenge_batch": 7, "dispute_bisect": 8, "dispute_respond": 9,
        "dispute_step": 10, "dispute_timeout": 11, "claim_bond": 12}


# ---------------------------------------------------------------- encodings


def encode_commitment_header(h):
    """docs/encoding.md, Commitment: the header fields in order (the checker's encoder)."""
    return enc.commitment_header(dict(h, mode_tag=h.get("mode", 0)))


def encode_commitment(h, payload):
    return encode_commitment_header(h) + enc.varint(len(payload)) + payload


def commitment_bytes(rollup_id, batch, prev_root, new_root, payload, deposits_upto=0, forced_upto=0, applied=0):
    """A commit_batch body from raw roots (bytes) and a compressed payload."""
    return encode_commitment({"rollup_id": rollup_id, "batch": batch, "prev_root": prev_root.hex(),
                              "new_root": new_root.hex(), "applied_txs": applied,
                              "payload_hash": enc.blake2b256(payload).hex(), "deposits_upto": deposits_upto,
                              "forced_upto": forced_upto}, payload)


def raw_payload(txs):
    """docs/encoding.md, Batch payload (columnar). txs: l2client.Tx objects (nonces dropped)."""
    return enc.encode_payload([dict(t.fields, signature=t.signature.hex()) for t in txs])


def compress(raw):
    return zstandard.ZstdCompressor(level=3, write_checksum=True, write_content_size=True).compress(raw)


def decompress(data):
    return zstandard.ZstdDecompressor().decompress(data)


def empty_payload():
    return compress(enc.u8(1) + enc.varint(0))


class BaseTx:
    def __init__(self, key, nonce, kind, body):
        self.key = key
        self.nonce = nonce
        self.kind = kind
        self.body = body
        self.signature = enc.sign(key.seed, self.preimage)

    @property
    def preimage(self):
        return (BASE_TAG + enc.u64le(BASE_CHAIN_ID) + self.key.public + enc.u64le(self.nonce) +
                enc.u8(KIND[self.kind]) + self.body)

    @property
    def hash(self):
        return enc.blake2b256(self.preimage + self.signature).hex()

    @property
    def wire(self):
        return self.key.public + enc.u64le(self.nonce) + enc.u8(KIND[self.kind]) + self.body + self.signature

    def with_corrupt_signature(self):
        sig = bytearray(self.signature)
        sig[5] ^= 0x01
        copy = BaseTx.__new__(BaseTx)
        copy.__dict__.update(self.__dict__)
        copy.signature = bytes(sig)
        return copy


def transfer_body(to_public, amount):
    return to_public + enc.u64le(amount)


def register_body(rollup_id, operator_public, genesis_root, window_s, deadline_s, bond=0, dispute_clock_s=3600):
    """genesis_root: 32 bytes (or 64 hex digits). bond and dispute_clock_s are the dispute terms
    (docs/basechain.md: the bond posted with each commitment and each challenge, and each side's
    clock in a dispute); the defaults are the ones the sequencer registers with."""
    root = bytes.fromhex(genesis_root) if isinstance(genesis_root, str) else genesis_root
    return (enc.u64le(rollup_id) + operator_public + root + enc.u64le(window_s) + enc.u64le(deadline_s) +
            enc.u64le(bond) + enc.u64le(dispute_clock_s))


def deposit_body(rollup_id, recipient_public, amount):
    return enc.u64le(rollup_id) + recipient_public + enc.u64le(amount)


def force_body(rollup_id, tx):
    """tx: an l2client.Tx or its wire form (bytes)."""
    wire = tx if isinstance(tx, bytes) else tx.wire
    return enc.u64le(rollup_id) + enc.varint(len(wire)) + wire


def challenge_body(rollup_id, batch):
    """challenge_batch (docs/encoding.md): the challenger posts the rollup's bond."""
    return enc.u64le(rollup_id) + enc.u64le(batch)


def dispute_bisect_body(rollup_id, batch, challenger_public, position, root):
    """dispute_bisect: the sequencer names its root (32 bytes) at `position` (the game's mid)."""
    return enc.u64le(rollup_id) + enc.u64le(batch) + challenger_public + enc.u64le(position) + root


def dispute_respond_body(rollup_id, batch, position, agree):
    """dispute_respond: the challenger agrees (True) with the sequencer's root at `position` or not."""
    return enc.u64le(rollup_id) + enc.u64le(batch) + enc.u64le(position) + enc.u8(1 if agree else 0)


def dispute_timeout_body(rollup_id, batch, challenger_public):
    return enc.u64le(rollup_id) + enc.u64le(batch) + challenger_public


def claim_bond_body(rollup_id, batch):
    return enc.u64le(rollup_id) + enc.u64le(batch)


def finalize_body(rollup_id, batch, leaf_bytes, proof_bytes):
    return enc.u64le(rollup_id) + enc.u64le(batch) + leaf_bytes + enc.varint(len(proof_bytes)) + proof_bytes


# ---------------------------------------------------------------- JSON-RPC


class RpcError(Exception):
    def __init__(self, error):
        super().__init__("%s: %s" % (error.get("code"), error.get("message")))
        self.code = error.get("code")
        self.message = error.get("message")
        self.data = error.get("data") or {}

    @property
    def reason(self):
        return self.data.get("reason")


class Rpc:
    def __init__(self, port, timeout=30.0):
        self.port = port
        self.timeout = timeout
        self.next_id = 1

    def raw(self, body, content_type="application/json"):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            conn.request("POST", "/", body=body, headers={"Content-Type": content_type})
            r = conn.getresponse()
            return r.status, r.read()
        finally:
            conn.close()

    def call(self, method, params=None):
        req = {"jsonrpc": "2.0", "id": self.next_id, "method": method}
        self.next_id += 1
        if params is not None:
            req["params"] = params
        status, body = self.raw(json.dumps(req).encode())
        reply = json.loads(body)
        if "error" in reply:
            raise RpcError(reply["error"])
        return reply["result"]

    def send(self, tx):
        self.last_sent = tx  # what a test checks was not included when the send is refused
        return self.call("chain_sendTransaction", {"tx": tx.wire.hex()})

    def account(self, key):
        a = self.call("chain_getAccount", {"account": key.public_hex})
        return int(a["balance"]), a["nonce"]

    def nonce(self, key):
        return self.account(key)[1]

    def rollup(self, rollup_id):
        return self.call("bridge_getRollup", {"rollup_id": rollup_id})

    def commitment(self, rollup_id, batch, payload=False):
        return self.call("rollup_getCommitment", {"rollup_id": rollup_id, "batch": batch, "payload": payload})

    def fund(self, key, amount):
        return self.call("dev_fund", {"account": key.public_hex, "amount": str(amount)})

    def advance(self, seconds):
        return self.call("dev_advanceTime", {"seconds": seconds})


# ---------------------------------------------------------------- the process


_LISTENING = re.compile(r"listening on 127\.0\.0\.1:(\d+)")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class BasechainProcess(l2.SequencerProcess):
    """The real basechaind: `--port PORT --data-dir DIR --chain-id 31337 --dev --automine EXTRA...`.

    The port is fixed per instance (chosen free at first start) so that a restart keeps the
    URL the sequencer was given."""

    def __init__(self, binary, data_dir, log_dir, automine=True, extra_args=(), port=None):
        super().__init__(binary, data_dir, log_dir, dev=True, extra_args=extra_args)
        self.automine = automine
        self.fixed_port = port or free_port()

    def args(self):
        a = [self.binary, "--port", str(self.fixed_port), "--data-dir", self.data_dir, "--chain-id",
             str(BASE_CHAIN_ID), "--dev"]
        if self.automine:
            a.append("--automine")
        return a + self.extra_args

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.fixed_port

    def rpc(self, timeout=30.0):
        return Rpc(self.port, timeout)
