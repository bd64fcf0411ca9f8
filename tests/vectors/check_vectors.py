#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The off-chain scaling stack developers
"""Independent checker of the test vectors in docs/encoding.md.

Usage: /usr/bin/python3 tests/vectors/check_vectors.py docs/encoding.md

It extracts the JSON block between <!-- vectors:begin --> and <!-- vectors:end --> and
re-derives every encoded value from the vector's fields alone, with its own
implementation of the grammar in the document (PyNaCl for Ed25519 and BLAKE2b, the
zstandard module to decompress batch payloads, the standard library for the rest; none
of the project's C++ code). It prints one line per
check and then "N passed, M failed"; the exit status is 0 only if every check passed.
"""

import json
import re
import struct
import sys

import nacl.bindings
import nacl.encoding
import nacl.exceptions
import nacl.hash
import nacl.pwhash
import nacl.signing
import zstandard

DOMAIN_TAG = b"L2STACK/TX/V1"
TX_TYPES = {"deposit": 1, "transfer": 2, "withdraw": 3}
TX_TYPE_NAMES = {v: k for k, v in TX_TYPES.items()}
MERKLE_DEPTH = 32
U32_MAX = (1 << 32) - 1
U64_MAX = (1 << 64) - 1
MAX_TX_STATUS = 8


class DecodeError(Exception):
    """A rejected input; `kind` is one of the error names used in the document."""

    def __init__(self, kind):
        super().__init__(kind)
        self.kind = kind


# ---------------------------------------------------------------- primitives


def blake2b256(data):
    return nacl.hash.blake2b(bytes(data), digest_size=32, encoder=nacl.encoding.RawEncoder)


def u8(v):
    assert 0 <= v <= 0xFF
    return bytes([v])


def u32le(v):
    assert 0 <= v <= U32_MAX
    return struct.pack("<I", v)


def u64le(v):
    assert 0 <= v <= U64_MAX
    return struct.pack("<Q", v)


def varint(v):
    assert 0 <= v <= U64_MAX
    out = bytearray()
    while v >= 0x80:
        out.append((v & 0x7F) | 0x80)
        v >>= 7
    out.append(v)
    return bytes(out)


class Reader:
    """Strict reader: truncation, trailing bytes, non-minimal and over-long varints fail."""

    def __init__(self, data):
        self.data = bytes(data)
        self.pos = 0

    def remaining(self):
        return len(self.data) - self.pos

    def take(self, n):
        if self.remaining() < n:
            raise DecodeError("truncated")
        out = self.data[self.pos:self.pos + n]
        self.pos += n
        return out

    def u8(self):
        return self.take(1)[0]

    def u32le(self):
        return struct.unpack("<I", self.take(4))[0]

    def u64le(self):
        return struct.unpack("<Q", self.take(8))[0]

    def varint(self):
        value = 0
        for i in range(10):  # at most 10 groups of 7 bits
            b = self.u8()
            part = b & 0x7F
            if i == 9 and part > 1:  # the 10th group holds only bit 63
                raise DecodeError("varint_overflow")
            value |= part << (7 * i)
            if b & 0x80 == 0:
                if b == 0 and i > 0:  # a final 0x00 group adds nothing: non-minimal
                    raise DecodeError("non_minimal_varint")
                return value
        raise DecodeError("varint_overflow")  # an 11th group would be needed

    def expect_end(self):
        if self.remaining() != 0:
            raise DecodeError("trailing_bytes")


def decode_all(fn, data):
    r = Reader(data)
    out = fn(r)
    r.expect_end()
    return out


# ---------------------------------------------------------------- transactions


def tx_body(tx):
    t = tx["type"]
    if t == "deposit":
        to_pubkey = bytes.fromhex(tx["to_pubkey"])
        assert len(to_pubkey) == 32
        return u64le(int(tx["deposit_id"])) + u32le(tx["to_index"]) + to_pubkey + u64le(int(tx["amount"]))
    if t == "transfer":
        return (u32le(tx["from"]) + u32le(tx["to"]) + u64le(int(tx["amount"])) + u64le(int(tx["fee"])) +
                u64le(int(tx["nonce"])))
    if t == "withdraw":
        return u32le(tx["from"]) + u64le(int(tx["amount"])) + u64le(int(tx["fee"])) + u64le(int(tx["nonce"]))
    raise ValueError("unknown tx type " + repr(t))


def signing_preimage(chain_id, tx):
    return DOMAIN_TAG + u64le(chain_id) + u8(TX_TYPES[tx["type"]]) + tx_body(tx)


def sign(seed, message):
    return nacl.signing.SigningKey(seed).sign(message).signature


def verify(public_key, message, signature):
    try:
        nacl.signing.VerifyKey(public_key).verify(message, signature)
        return True
    except nacl.exceptions.BadSignatureError:
        return False


def tx_hash(preimage, signature):
    return blake2b256(preimage + (signature or b""))


def wire_form(tx, signature):
    out = u8(TX_TYPES[tx["type"]]) + tx_body(tx)
    if tx["type"] != "deposit":
        assert len(signature) == 64
        out += signature
    return out


def read_tx(r):
    """Decodes one wire form into a dict of fields (numbers as in the JSON vectors)."""
    tag = r.u8()
    if tag not in TX_TYPE_NAMES:
        raise DecodeError("unknown_type")
    t = TX_TYPE_NAMES[tag]
    if t == "deposit":
        deposit_id = str(r.u64le())
        to_index = r.u32le()
        to_pubkey = r.take(32).hex()
        return {"type": t, "deposit_id": deposit_id, "to_index": to_index, "to_pubkey": to_pubkey,
                "amount": str(r.u64le())}
    tx = {"type": t, "from": r.u32le()}
    if t == "transfer":
        tx["to"] = r.u32le()
    tx["amount"] = str(r.u64le())
    tx["fee"] = str(r.u64le())
    tx["nonce"] = str(r.u64le())
    tx["signature"] = r.take(64).hex()
    return tx


def read_batch(r):
    count = r.varint()
    return [read_tx(r) for _ in range(count)]


TX_FIELDS = {
    "deposit": ["deposit_id", "to_index", "to_pubkey", "amount"],
    "transfer": ["from", "to", "amount", "fee", "nonce", "signature"],
    "withdraw": ["from", "amount", "fee", "nonce", "signature"],
}


def tx_fields(tx):
    return {k: tx[k] for k in ["type"] + TX_FIELDS[tx["type"]]}


# ---------------------------------------------------------------- accounts and the tree


def encode_leaf(a):
    pubkey = bytes.fromhex(a["pubkey"])
    assert len(pubkey) == 32
    return pubkey + u64le(int(a["balance"])) + u64le(int(a["nonce"])) + u64le(int(a["withdrawn"]))


def leaf_hash(leaf_bytes):
    return blake2b256(b"\x00" + leaf_bytes)


def node_hash(left, right):
    return blake2b256(b"\x01" + left + right)


EMPTY = [bytes(32)]
for _h in range(1, MERKLE_DEPTH + 1):
    EMPTY.append(node_hash(EMPTY[_h - 1], EMPTY[_h - 1]))


def subtree(leaves, height, pos):
    """Hash of the node at `height` covering leaf indices [pos << height, (pos + 1) << height).

    `leaves` maps index -> leaf hash. Written from the definition (recursion that stops at
    empty subtrees), deliberately unlike the C++ level-by-level storage.
    """
    lo, hi = pos << height, (pos + 1) << height
    if not any(lo <= i < hi for i in leaves):
        return EMPTY[height]
    if height == 0:
        return leaves[pos]
    return node_hash(subtree(leaves, height - 1, 2 * pos), subtree(leaves, height - 1, 2 * pos + 1))


def merkle_root(leaves):
    return subtree(leaves, MERKLE_DEPTH, 0)


def merkle_siblings(leaves, index):
    return [subtree(leaves, h, (index >> h) ^ 1) for h in range(MERKLE_DEPTH)]


def encode_proof(index, siblings):
    bitmap = 0
    present = b""
    for h, s in enumerate(siblings):
        if s != EMPTY[h]:
            bitmap |= 1 << h
            present += s
    return u32le(index) + u32le(bitmap) + present


def read_proof(r):
    index = r.u32le()
    bitmap = r.u32le()
    siblings = []
    for h in range(MERKLE_DEPTH):
        if bitmap >> h & 1:
            s = r.take(32)
            if s == EMPTY[h]:  # an explicit empty sibling would be a second encoding
                raise DecodeError("out_of_range")
            siblings.append(s)
        else:
            siblings.append(EMPTY[h])
    return index, siblings


def root_from_proof(index, leaf, siblings):
    acc = leaf if leaf is not None else EMPTY[0]
    for h in range(MERKLE_DEPTH):
        acc = node_hash(siblings[h], acc) if index >> h & 1 else node_hash(acc, siblings[h])
    return acc


def multiproof_walk(indices, take):
    """The multiproof walk of encoding.md 4.2 over positions only: calls take(height, pos)
    for every sibling the paths need, in order, and returns the list of their results."""
    out = []
    nodes = list(indices)
    for h in range(MERKLE_DEPTH):
        nxt = []
        i = 0
        while i < len(nodes):
            p = nodes[i]
            if p % 2 == 0 and i + 1 < len(nodes) and nodes[i + 1] == p + 1:
                i += 2
            else:
                out.append(take(h, p ^ 1))
                i += 1
            nxt.append(p >> 1)
        nodes = nxt
    return out


def multiproof_siblings(leaves, indices):
    return multiproof_walk(indices, lambda h, pos: subtree(leaves, h, pos))


def encode_multiproof(indices, siblings):
    heights = multiproof_walk(indices, lambda h, pos: h)
    bitmap = bytearray((len(siblings) + 7) // 8)
    present = b""
    for k, (h, s) in enumerate(zip(heights, siblings)):
        if s != EMPTY[h]:
            bitmap[k // 8] |= 1 << (k % 8)
            present += s
    return varint(len(indices)) + b"".join(u32le(i) for i in indices) + bytes(bitmap) + present


def read_multiproof(r):
    count = r.varint()
    if count == 0 or count > 64:
        raise DecodeError("out_of_range")
    indices = []
    for _ in range(count):
        i = r.u32le()
        if indices and i <= indices[-1]:
            raise DecodeError("out_of_range")
        indices.append(i)
    heights = multiproof_walk(indices, lambda h, pos: h)
    n = len(heights)
    bitmap = r.take((n + 7) // 8)
    if n % 8 and bitmap[-1] >> (n % 8):
        raise DecodeError("out_of_range")
    siblings = []
    for k, h in enumerate(heights):
        if bitmap[k // 8] >> (k % 8) & 1:
            s = r.take(32)
            if s == EMPTY[h]:
                raise DecodeError("out_of_range")
            siblings.append(s)
        else:
            siblings.append(EMPTY[h])
    return indices, siblings


def multiproof_root(indices, leaf_hashes, siblings):
    """The root from the leaves (None: empty) and the siblings, by the walk with hashes."""
    nodes = [(i, x if x is not None else EMPTY[0]) for i, x in zip(indices, leaf_hashes)]
    it = iter(siblings)
    for h in range(MERKLE_DEPTH):
        nxt = []
        i = 0
        while i < len(nodes):
            p, x = nodes[i]
            if p % 2 == 0 and i + 1 < len(nodes) and nodes[i + 1][0] == p + 1:
                nxt.append((p >> 1, node_hash(x, nodes[i + 1][1])))
                i += 2
                continue
            s = next(it)
            nxt.append((p >> 1, node_hash(s, x) if p & 1 else node_hash(x, s)))
            i += 1
        nodes = nxt
    return nodes[0][1]


# ---------------------------------------------------------------- receipts and diffs


def encode_receipts(receipts):
    out = varint(len(receipts))
    for rc in receipts:
        h = bytes.fromhex(rc["tx_hash"])
        assert len(h) == 32
        out += h + u8(rc["status"])
    return out


def read_receipts(r):
    out = []
    for _ in range(r.varint()):
        h = r.take(32).hex()
        status = r.u8()
        if status > MAX_TX_STATUS:
            raise DecodeError("out_of_range")
        out.append({"tx_hash": h, "status": status})
    return out


def account_values(v):
    return u64le(int(v["balance"])) + u64le(int(v["nonce"])) + u64le(int(v["withdrawn"]))


def encode_changes(changes):
    out = varint(len(changes))
    for c in changes:
        created = c["created"]
        out += varint(c["index"]) + u8(1 if created else 0)
        if created:
            pubkey = bytes.fromhex(c["pubkey"])
            assert len(pubkey) == 32
            out += pubkey
        else:
            out += account_values(c["before"])
        out += account_values(c["after"])
    return out


def read_account_values(r):
    return {"balance": str(r.u64le()), "nonce": str(r.u64le()), "withdrawn": str(r.u64le())}


def read_changes(r, existing_count):
    """Decodes a diff against a state of `existing_count` accounts (pubkeys of existing
    accounts are not in the encoding, so decoded existing changes carry none)."""
    out = []
    last = None
    next_new = existing_count
    for _ in range(r.varint()):
        index = r.varint()
        if index > U32_MAX or (last is not None and index <= last):
            raise DecodeError("out_of_range")
        last = index
        flags = r.u8()
        if flags > 1:
            raise DecodeError("out_of_range")
        c = {"index": index, "created": flags == 1}
        if flags == 0:
            if index >= existing_count:
                raise DecodeError("out_of_range")
            c["before"] = read_account_values(r)
        else:
            if index != next_new:
                raise DecodeError("out_of_range")
            next_new += 1
            c["pubkey"] = r.take(32).hex()
        c["after"] = read_account_values(r)
        out.append(c)
    return out


# ---------------------------------------------------------------- settlement (sections 8 to 10)

COMMIT_TAG = b"L2STACK/COMMIT/V1"
BASE_TX_TAG = b"L2STACK/BASE/TX/V1"
ZSTD_MAGIC = bytes.fromhex("28b52ffd")
MAX_PAYLOAD_BYTES = 32 << 20
MAX_RAW_PAYLOAD_BYTES = 128 << 20
MAX_BASE_TX_BYTES = MAX_PAYLOAD_BYTES + 4096
MIN_PAYLOAD_TX_BYTES = 4 + 64
PAYLOAD_TYPES = {2: "transfer", 3: "withdraw"}
MODES = {0: "optimistic", 1: "validity"}
BASE_KINDS = {1: "transfer", 2: "register_rollup", 3: "deposit", 4: "force_tx", 5: "commit_batch",
              6: "finalize_withdrawal", 7: "challenge_batch", 8: "dispute_bisect", 9: "dispute_respond",
              11: "dispute_timeout", 12: "claim_bond"}
BASE_KIND_TAGS = {v: k for k, v in BASE_KINDS.items()}


def encode_payload(txs):
    """txs: rollup tx vectors (dicts with type, from, to, amount, fee, signature)."""
    cols = [u8(1) + varint(len(txs)), b"".join(u8(TX_TYPES[t["type"]]) for t in txs)]
    cols.append(b"".join(varint(t["from"]) for t in txs))
    cols.append(b"".join(varint(t["to"]) for t in txs if t["type"] == "transfer"))
    cols.append(b"".join(varint(int(t["amount"])) for t in txs))
    cols.append(b"".join(varint(int(t["fee"])) for t in txs))
    cols.append(b"".join(bytes.fromhex(t["signature"]) for t in txs))
    return b"".join(cols)


def read_payload(r):
    """Decodes a raw payload into tx dicts without nonces."""
    if r.u8() != 1:
        raise DecodeError("out_of_range")
    count = r.varint()
    if count > r.remaining() // MIN_PAYLOAD_TX_BYTES:
        raise DecodeError("truncated")
    txs = []
    for _ in range(count):
        tag = r.u8()
        if tag not in PAYLOAD_TYPES:
            raise DecodeError("unknown_type")
        txs.append({"type": PAYLOAD_TYPES[tag]})

    def index():
        v = r.varint()
        if v > U32_MAX:
            raise DecodeError("out_of_range")
        return v

    for t in txs:
        t["from"] = index()
    for t in txs:
        if t["type"] == "transfer":
            t["to"] = index()
    for t in txs:
        t["amount"] = str(r.varint())
    for t in txs:
        t["fee"] = str(r.varint())
    for t in txs:
        t["signature"] = r.take(64).hex()
    return txs


def decompress_payload(data):
    """One zstd frame with its content size declared, nothing before or after it."""
    if data[:4] != ZSTD_MAGIC:
        raise DecodeError("decompress")
    try:
        params = zstandard.get_frame_parameters(data)
    except zstandard.ZstdError:
        raise DecodeError("decompress")
    if params.content_size == zstandard.CONTENTSIZE_UNKNOWN or params.content_size > MAX_RAW_PAYLOAD_BYTES:
        raise DecodeError("decompress")
    d = zstandard.ZstdDecompressor().decompressobj()
    try:
        out = d.decompress(data)
    except zstandard.ZstdError:
        raise DecodeError("decompress")
    if not d.eof or d.unused_data or len(out) != params.content_size:
        raise DecodeError("decompress")
    return out


def commitment_header(c):
    return (u8(1) + u64le(int(c["rollup_id"])) + u64le(int(c["batch"])) + bytes.fromhex(c["prev_root"]) +
            bytes.fromhex(c["new_root"]) + u32le(c["applied_txs"]) + bytes.fromhex(c["payload_hash"]) +
            u64le(int(c["deposits_upto"])) + u64le(int(c["forced_upto"])) + u8(c["mode_tag"]))


def read_commitment(r):
    if r.u8() != 1:
        raise DecodeError("out_of_range")
    c = {"rollup_id": str(r.u64le()), "batch": str(r.u64le()), "prev_root": r.take(32).hex(),
         "new_root": r.take(32).hex(), "applied_txs": r.u32le(), "payload_hash": r.take(32).hex(),
         "deposits_upto": str(r.u64le()), "forced_upto": str(r.u64le())}
    mode = r.u8()
    if mode not in MODES:
        raise DecodeError("out_of_range")
    c["mode"] = MODES[mode]
    c["mode_tag"] = mode
    n = r.varint()
    if n > MAX_PAYLOAD_BYTES:
        raise DecodeError("too_large")
    c["payload_bytes"] = r.take(n).hex()
    return c


def encode_origin(o):
    return (u8(1) + u64le(int(o["deposits_from"])) + u64le(int(o["deposits_upto"])) +
            u64le(int(o["forced_from"])) + u64le(int(o["forced_upto"])))


def read_origin(r):
    if r.u8() != 1:
        raise DecodeError("out_of_range")
    o = {k: str(r.u64le()) for k in ("deposits_from", "deposits_upto", "forced_from", "forced_upto")}
    if int(o["deposits_from"]) > int(o["deposits_upto"]) or int(o["forced_from"]) > int(o["forced_upto"]):
        raise DecodeError("out_of_range")
    return o


def base_body(tx, v):
    k = tx["kind"]
    if k == "transfer":
        return bytes.fromhex(tx["to"]) + u64le(int(tx["amount"]))
    if k == "register_rollup":
        return (u64le(int(tx["rollup_id"])) + bytes.fromhex(tx["operator_key"]) + bytes.fromhex(tx["genesis_root"]) +
                u64le(int(tx["challenge_window_s"])) + u64le(int(tx["inclusion_deadline_s"])) +
                u64le(int(tx["bond"])) + u64le(int(tx["dispute_clock_s"])))
    if k in ("challenge_batch", "claim_bond"):
        return u64le(int(tx["rollup_id"])) + u64le(int(tx["batch"]))
    if k == "dispute_bisect":
        return (u64le(int(tx["rollup_id"])) + u64le(int(tx["batch"])) + bytes.fromhex(tx["challenger"]) +
                u64le(int(tx["position"])) + bytes.fromhex(tx["root"]))
    if k == "dispute_respond":
        return u64le(int(tx["rollup_id"])) + u64le(int(tx["batch"])) + u64le(int(tx["position"])) + u8(int(tx["agree"]))
    if k == "dispute_timeout":
        return u64le(int(tx["rollup_id"])) + u64le(int(tx["batch"])) + bytes.fromhex(tx["challenger"])
    if k == "deposit":
        return u64le(int(tx["rollup_id"])) + bytes.fromhex(tx["recipient"]) + u64le(int(tx["amount"]))
    if k == "force_tx":
        inner = next(t for t in v["txs"] if t["name"] == tx["tx"])
        wire = bytes.fromhex(inner["wire"])
        return u64le(int(tx["rollup_id"])) + varint(len(wire)) + wire
    if k == "commit_batch":
        c = next(c for c in v["settlement"]["commitments"] if c["name"] == tx["commitment"])
        return bytes.fromhex(c["encoding"])
    if k == "finalize_withdrawal":
        proof = bytes.fromhex(tx["proof"])
        return u64le(int(tx["rollup_id"])) + u64le(int(tx["batch"])) + bytes.fromhex(tx["leaf"]) + varint(len(proof)) + proof
    raise ValueError("unknown base tx kind " + repr(k))


def read_sized(r, limit):
    n = r.varint()
    if n > limit:
        raise DecodeError("too_large")
    return r.take(n)


def read_base_tx(r):
    """Decodes a base tx's wire form into a dict of fields (inner txs and commitments decoded)."""
    if r.remaining() > MAX_BASE_TX_BYTES:
        raise DecodeError("too_large")
    tx = {"sender": r.take(32).hex(), "nonce": str(r.u64le())}
    tag = r.u8()
    if tag not in BASE_KINDS:
        raise DecodeError("unknown_type")
    k = tx["kind"] = BASE_KINDS[tag]
    if k == "transfer":
        tx["to"] = r.take(32).hex()
        tx["amount"] = str(r.u64le())
    elif k == "register_rollup":
        tx.update(rollup_id=str(r.u64le()), operator_key=r.take(32).hex(), genesis_root=r.take(32).hex(),
                  challenge_window_s=str(r.u64le()), inclusion_deadline_s=str(r.u64le()),
                  bond=str(r.u64le()), dispute_clock_s=str(r.u64le()))
    elif k in ("challenge_batch", "claim_bond"):
        tx.update(rollup_id=str(r.u64le()), batch=str(r.u64le()))
    elif k == "dispute_bisect":
        tx.update(rollup_id=str(r.u64le()), batch=str(r.u64le()), challenger=r.take(32).hex(),
                  position=str(r.u64le()), root=r.take(32).hex())
    elif k == "dispute_respond":
        tx.update(rollup_id=str(r.u64le()), batch=str(r.u64le()), position=str(r.u64le()))
        agree = r.u8()
        if agree > 1:
            raise DecodeError("out_of_range")
        tx["agree"] = str(agree)
    elif k == "dispute_timeout":
        tx.update(rollup_id=str(r.u64le()), batch=str(r.u64le()), challenger=r.take(32).hex())
    elif k == "deposit":
        tx.update(rollup_id=str(r.u64le()), recipient=r.take(32).hex(), amount=str(r.u64le()))
    elif k == "force_tx":
        tx["rollup_id"] = str(r.u64le())
        inner = decode_all(read_tx, read_sized(r, 128))
        if inner["type"] == "deposit":
            raise DecodeError("out_of_range")
        tx["tx"] = inner
    elif k == "commit_batch":
        tx["commitment"] = read_commitment(r)
    else:
        tx["rollup_id"] = str(r.u64le())
        tx["batch"] = str(r.u64le())
        tx["leaf"] = r.take(56).hex()
        proof = read_sized(r, 8 + 32 * MERKLE_DEPTH)
        decode_all(read_proof, proof)
        tx["proof"] = proof.hex()
    tx["signature"] = r.take(64).hex()
    return tx


def base_preimage(base_chain_id, tx, v):
    return (BASE_TX_TAG + u64le(base_chain_id) + bytes.fromhex(tx["sender"]) + u64le(int(tx["nonce"])) +
            u8(BASE_KIND_TAGS[tx["kind"]]) + base_body(tx, v))


def check_payloads(c, v, s):
    txs = {t["name"]: t for t in v["txs"]}
    for p in s["payloads"]:
        name = "payload " + p["name"]
        members = [txs[n] for n in p["txs"]]
        raw = encode_payload(members)
        c.equal_hex(name + ": raw", p["raw"], raw)
        compressed = bytes.fromhex(p["compressed"])
        c.equal_hex(name + ": decompressed is the raw payload", p["raw"], decompress_payload(compressed))
        params = zstandard.get_frame_parameters(compressed)
        c.check(name + ": frame declares its size and a checksum, no dictionary",
                params.content_size == len(raw) and params.has_checksum and params.dict_id == 0)
        c.equal_hex(name + ": payload hash", p["payload_hash"], blake2b256(compressed))
        expected = [{k: t[k] for k in ("type", "from", "to", "amount", "fee", "signature") if k in t} for t in members]
        c.equal(name + ": decode gives the txs without nonces", expected, decode_all(read_payload, raw))
    for bad in s["invalid_payloads"]:
        c.rejects("invalid payload '" + bad["name"] + "': rejected as " + bad["error"], read_payload,
                  bytes.fromhex(bad["raw"]), bad["error"])
    for bad in s["invalid_compressed_payloads"]:
        label = "invalid compressed payload '" + bad["name"] + "': refused"
        try:
            decompress_payload(bytes.fromhex(bad["compressed"]))
            c.check(label, False, "accepted")
        except DecodeError as e:
            c.check(label, e.kind == bad["error"], "refused as " + e.kind)


def check_genesis(c, s):
    for g in s["genesis"]:
        leaf = encode_leaf({"pubkey": g["operator_key"], "balance": "0", "nonce": "0", "withdrawn": "0"})
        c.equal_hex("genesis of " + g["operator"] + ": leaf", g["leaf"], leaf)
        c.equal_hex("genesis of " + g["operator"] + ": root", g["root"], merkle_root({0: leaf_hash(leaf)}))


def check_commitments(c, v, s):
    c.equal("commitment domain tag", COMMIT_TAG.decode("ascii"), s["commit_domain_tag"])
    payloads = {p["name"]: p for p in s["payloads"]}
    for cm in s["commitments"]:
        name = "commitment " + cm["name"]
        header = commitment_header(cm)
        c.equal(name + ": mode tag", MODES[cm["mode_tag"]], cm["mode"])
        c.equal(name + ": header is 134 bytes", 134, len(header))
        c.equal_hex(name + ": header", cm["header"], header)
        c.equal_hex(name + ": id", cm["commitment_id"], blake2b256(COMMIT_TAG + header))
        payload = bytes.fromhex(payloads[cm["payload"]]["compressed"])
        c.equal_hex(name + ": payload hash names the payload", cm["payload_hash"], blake2b256(payload))
        c.equal_hex(name + ": encoding", cm["encoding"], header + varint(len(payload)) + payload)
        decoded = decode_all(read_commitment, bytes.fromhex(cm["encoding"]))
        expected = {k: cm[k] for k in ("rollup_id", "batch", "prev_root", "new_root", "applied_txs", "payload_hash",
                                       "deposits_upto", "forced_upto", "mode", "mode_tag")}
        expected["payload_bytes"] = payload.hex()
        c.equal(name + ": decode gives the fields", expected, decoded)
    for bad in s["invalid_commitments"]:
        c.rejects("invalid commitment '" + bad["name"] + "': rejected as " + bad["error"], read_commitment,
                  bytes.fromhex(bad["hex"]), bad["error"])
    for o in s["batch_origins"]:
        name = "batch origin " + o["name"]
        c.equal_hex(name + ": encoding", o["hex"], encode_origin(o))
        c.equal(name + ": decode", {k: o[k] for k in ("deposits_from", "deposits_upto", "forced_from", "forced_upto")},
                decode_all(read_origin, bytes.fromhex(o["hex"])))
    for bad in s["invalid_batch_origins"]:
        c.rejects("invalid batch origin '" + bad["name"] + "': rejected as " + bad["error"], read_origin,
                  bytes.fromhex(bad["hex"]), bad["error"])


def check_base_tx(c, v, tx):
    s = v["settlement"]
    name = "base tx " + tx["name"]
    accounts = {a["name"]: a for a in v["accounts"]}
    seed = bytes.fromhex(tx["seed"])
    c.equal_hex(name + ": seed is the signer's", accounts[tx["signer"]]["seed"], seed)
    c.equal_hex(name + ": sender from seed", tx["sender"], bytes(nacl.signing.SigningKey(seed).verify_key))
    c.equal(name + ": kind tag", BASE_KIND_TAGS[tx["kind"]], tx["kind_tag"])
    chain = int(tx["base_chain_id"])
    preimage = base_preimage(chain, tx, v)
    c.equal_hex(name + ": preimage", tx["preimage"], preimage)
    signature = sign(seed, preimage)
    c.equal_hex(name + ": signature", tx["signature"], signature)
    sender = bytes.fromhex(tx["sender"])
    doc_sig = bytes.fromhex(tx["signature"])
    c.check(name + ": document signature verifies", verify(sender, preimage, doc_sig))
    c.check(name + ": signature is invalid on base_chain_id + 1",
            not verify(sender, base_preimage((chain + 1) % (U64_MAX + 1), tx, v), doc_sig))
    c.check(name + ": signature is invalid without the domain tag",
            not verify(sender, preimage[len(BASE_TX_TAG):], doc_sig))
    c.equal_hex(name + ": tx hash", tx["tx_hash"], blake2b256(preimage + signature))
    wire = preimage[len(BASE_TX_TAG) + 8:] + signature
    c.equal_hex(name + ": wire form", tx["wire"], wire)
    decoded = decode_all(read_base_tx, bytes.fromhex(tx["wire"]))
    fields = {k: tx[k] for k in tx if k not in ("name", "kind_tag", "base_chain_id", "signer", "seed", "preimage",
                                                  "tx_hash", "wire", "account", "tree")}
    if tx["kind"] == "force_tx":
        inner = next(t for t in v["txs"] if t["name"] == tx["tx"])
        fields["tx"] = tx_fields(inner)
    if tx["kind"] == "commit_batch":
        cm = next(x for x in s["commitments"] if x["name"] == tx["commitment"])
        decoded["commitment"] = decoded["commitment"]["batch"], decoded["commitment"]["payload_hash"]
        fields["commitment"] = cm["batch"], cm["payload_hash"]
    if tx["kind"] == "finalize_withdrawal":
        leaf = encode_leaf(accounts[tx["account"]])
        c.equal_hex(name + ": leaf is account " + tx["account"], tx["leaf"], leaf)
        tree = next(t for t in v["merkle"] if t["name"] == tx["tree"])
        index, siblings = decode_all(read_proof, bytes.fromhex(tx["proof"]))
        c.check(name + ": proof verifies against tree " + tx["tree"],
                root_from_proof(index, leaf_hash(leaf), siblings) == bytes.fromhex(tree["root"]))
    c.equal(name + ": decode gives the fields", fields, decoded)
    wire_bytes = bytes.fromhex(tx["wire"])
    c.rejects(name + ": wire truncated by one byte is rejected", read_base_tx, wire_bytes[:-1], "truncated")
    c.rejects(name + ": wire plus one trailing byte is rejected", read_base_tx, wire_bytes + b"\x00",
              "trailing_bytes")


def check_base_txs(c, v):
    s = v["settlement"]
    c.equal("base tx domain tag", BASE_TX_TAG.decode("ascii"), s["base_tx_domain_tag"])
    for tx in s["base_txs"]:
        c.guarded("base tx " + tx.get("name", "?"), lambda: check_base_tx(c, v, tx))
    for bad in s["invalid_base_txs"]:
        c.rejects("invalid base tx '" + bad["name"] + "': rejected as " + bad["error"], read_base_tx,
                  bytes.fromhex(bad["wire"]), bad["error"])


def check_settlement(c, v):
    if "settlement" not in v:
        c.check("settlement vectors present", False, "no \"settlement\" key")
        return
    s = v["settlement"]
    c.guarded("genesis", lambda: check_genesis(c, s))
    c.guarded("payloads", lambda: check_payloads(c, v, s))
    c.guarded("commitments", lambda: check_commitments(c, v, s))
    c.guarded("base txs", lambda: check_base_txs(c, v))



# ---------------------------------------------------------------- the checks


class Checker:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, label, ok, detail=""):
        if ok:
            self.passed += 1
            print("ok    " + label)
        else:
            self.failed += 1
            print("FAIL  " + label + (": " + detail if detail else ""))

    def equal_hex(self, label, expected_hex, actual):
        actual_hex = actual.hex()
        self.check(label, expected_hex.lower() == actual_hex,
                   "document " + expected_hex + ", computed " + actual_hex)

    def equal(self, label, expected, actual):
        self.check(label, expected == actual, "document " + repr(expected) + ", computed " + repr(actual))

    def rejects(self, label, fn, data, kind=None):
        try:
            decode_all(fn, data)
        except DecodeError as e:
            self.check(label, kind is None or e.kind == kind,
                       "rejected as " + e.kind + ", expected " + str(kind))
            return
        self.check(label, False, "accepted")

    def guarded(self, label, fn):
        """Runs a group of checks; a malformed vector counts as one failure, not a crash."""
        try:
            fn()
        except (KeyError, ValueError, TypeError, AssertionError, IndexError, DecodeError) as e:
            self.check(label, False, "malformed vector or decoder error: " + type(e).__name__ + " " + str(e))


def extract_vectors(text):
    m = re.search(r"<!-- vectors:begin -->\s*```json\s*\n(.*?)\n```\s*<!-- vectors:end -->", text, re.S)
    if not m:
        raise SystemExit("no ```json block between <!-- vectors:begin --> and <!-- vectors:end -->")
    return json.loads(m.group(1))


def check_varints(c, v):
    for vec in v["varints"]:
        value = int(vec["value"])
        label = "varint " + vec["value"]
        c.equal_hex(label + ": encode", vec["hex"], varint(value))
        encoded = bytes.fromhex(vec["hex"])
        c.guarded(label + ": decode",
                  lambda: c.equal(label + ": decode", value, decode_all(Reader.varint, encoded)))
    for vec in v["invalid_varints"]:
        c.rejects("invalid varint '" + vec["hex"] + "': rejected as " + vec["error"], Reader.varint,
                  bytes.fromhex(vec["hex"]), vec["error"])


def check_tx(c, vec, by_name):
    name = "tx " + vec["name"]
    tx = {k: vec[k] for k in ["type"] + [f for f in TX_FIELDS[vec["type"]] if f != "signature"]}
    c.equal(name + ": type tag", TX_TYPES[vec["type"]], vec["type_tag"])
    chain_id = int(vec["chain_id"])
    preimage = signing_preimage(chain_id, tx)
    c.equal_hex(name + ": preimage", vec["preimage"], preimage)
    signature = None
    if vec["type"] != "deposit":
        seed = bytes.fromhex(vec["seed"])
        public_key = bytes(nacl.signing.SigningKey(seed).verify_key)
        c.equal_hex(name + ": public key from seed", vec["public_key"], public_key)
        signature = sign(seed, preimage)
        c.equal_hex(name + ": signature", vec["signature"], signature)
        doc_sig = bytes.fromhex(vec["signature"])
        c.check(name + ": document signature verifies", verify(public_key, preimage, doc_sig))
        # Domain separation: the same fields on another chain need another signature.
        other = signing_preimage((chain_id + 1) % (U64_MAX + 1), tx)
        c.check(name + ": signature is invalid on chain_id + 1", not verify(public_key, other, doc_sig))
    else:
        c.check(name + ": deposit carries no signature", "signature" not in vec and "seed" not in vec)
    c.equal_hex(name + ": tx hash", vec["tx_hash"], tx_hash(preimage, signature))
    wire = wire_form(tx, signature)
    c.equal_hex(name + ": wire form", vec["wire"], wire)

    doc_wire = bytes.fromhex(vec["wire"])
    decoded = decode_all(read_tx, doc_wire)
    c.equal(name + ": decode(wire) gives the fields", tx_fields(vec), decoded)
    c.rejects(name + ": wire truncated by one byte is rejected", read_tx, doc_wire[:-1], "truncated")
    c.rejects(name + ": wire plus one trailing byte is rejected", read_tx, doc_wire + b"\x00",
              "trailing_bytes")
    by_name[vec["name"]] = vec


def check_txs(c, v):
    by_name = {}
    for vec in v["txs"]:
        c.guarded("tx " + vec.get("name", "?"), lambda: check_tx(c, vec, by_name))

    def batch():
        b = v["tx_batch"]
        wires = [bytes.fromhex(by_name[n]["wire"]) for n in b["txs"]]
        c.equal_hex("tx batch: encode", b["hex"], varint(len(wires)) + b"".join(wires))
        decoded = decode_all(read_batch, bytes.fromhex(b["hex"]))
        c.equal("tx batch: decode", [tx_fields(by_name[n]) for n in b["txs"]], decoded)

    c.guarded("tx batch", batch)
    for vec in v["invalid_txs"]:
        c.rejects("invalid tx '" + vec["name"] + "': rejected as " + vec["error"], read_tx,
                  bytes.fromhex(vec["wire"]), vec["error"])


def check_accounts(c, v):
    leaf_hashes = {}
    for vec in v["accounts"]:
        name = "account " + vec["name"]
        if "seed" in vec:
            c.equal_hex(name + ": public key from seed", vec["pubkey"],
                        bytes(nacl.signing.SigningKey(bytes.fromhex(vec["seed"])).verify_key))
        leaf = encode_leaf(vec)
        c.equal(name + ": leaf is 56 bytes", 56, len(bytes.fromhex(vec["leaf"])))
        c.equal_hex(name + ": leaf", vec["leaf"], leaf)
        c.equal_hex(name + ": leaf hash", vec["leaf_hash"], leaf_hash(leaf))
        leaf_hashes[vec["name"]] = leaf_hash(leaf)
    return leaf_hashes


def check_merkle(c, v, leaf_hashes):
    for vec in v["empty_subtrees"]:
        c.equal_hex("empty(" + str(vec["height"]) + ")", vec["hash"], EMPTY[vec["height"]])
    for vec in v["merkle"]:
        name = "merkle " + vec["name"]
        leaves = {}
        for leaf in vec["leaves"]:
            c.equal_hex(name + ": leaf " + str(leaf["index"]) + " is the hash of account " + leaf["account"],
                        leaf["leaf_hash"], leaf_hashes[leaf["account"]])
            leaves[leaf["index"]] = bytes.fromhex(leaf["leaf_hash"])
        root = merkle_root(leaves)
        c.equal_hex(name + ": root", vec["root"], root)
        for p in vec["proofs"]:
            label = name + ": proof for index " + str(p["index"])
            expected_leaf = leaves.get(p["index"])
            doc_leaf = bytes.fromhex(p["leaf_hash"]) if p["leaf_hash"] is not None else None
            c.equal(label + ": leaf (null if absent)", expected_leaf, doc_leaf)
            siblings = merkle_siblings(leaves, p["index"])
            c.equal_hex(label + ": encoding", p["proof"], encode_proof(p["index"], siblings))
            index, siblings = decode_all(read_proof, bytes.fromhex(p["proof"]))
            doc_root = bytes.fromhex(vec["root"])
            c.check(label + ": decoded proof verifies",
                    index == p["index"] and root_from_proof(index, doc_leaf, siblings) == doc_root)
            c.check(label + ": decoded proof fails for a wrong leaf",
                    root_from_proof(index, blake2b256(b"wrong"), siblings) != doc_root)
        for mp in vec.get("multiproofs", []):
            label = name + ": multiproof of " + ",".join(str(i) for i in mp["indices"])
            want = [leaves.get(i) for i in mp["indices"]]
            doc = [bytes.fromhex(x) if x is not None else None for x in mp["leaf_hashes"]]
            c.equal(label + ": leaves (null if absent)", want, doc)
            sibs = multiproof_siblings(leaves, mp["indices"])
            c.equal_hex(label + ": encoding", mp["proof"], encode_multiproof(mp["indices"], sibs))
            indices, sibs = decode_all(read_multiproof, bytes.fromhex(mp["proof"]))
            doc_root = bytes.fromhex(vec["root"])
            c.check(label + ": decoded multiproof verifies",
                    indices == mp["indices"] and multiproof_root(indices, doc, sibs) == doc_root)
            c.check(label + ": decoded multiproof fails for a wrong leaf",
                    multiproof_root(indices, [blake2b256(b"wrong")] + doc[1:], sibs) != doc_root)
            if "root_after" in mp:
                after = dict(leaves)
                new_leaves = [bytes.fromhex(x) for x in mp["leaf_hashes_after"]]
                for i, x in zip(indices, new_leaves):
                    after[i] = x
                c.equal_hex(label + ": the same siblings with the new leaves give the new root",
                            mp["root_after"], multiproof_root(indices, new_leaves, sibs))
                c.equal_hex(label + ": root_after is the tree's root with the new leaves", mp["root_after"],
                            merkle_root(after))


def check_receipts(c, v):
    vec = v["receipts"]
    c.equal_hex("receipts: encode", vec["hex"], encode_receipts(vec["receipts"]))
    c.equal("receipts: decode", vec["receipts"], decode_all(read_receipts, bytes.fromhex(vec["hex"])))
    for bad in v["invalid_receipts"]:
        c.rejects("invalid receipts '" + bad["name"] + "': rejected", read_receipts,
                  bytes.fromhex(bad["hex"]), bad["error"])


def check_diffs(c, v):
    for vec in v["diffs"]:
        name = "diff " + vec["name"]
        c.equal_hex(name + ": encode", vec["hex"], encode_changes(vec["changes"]))
        decoded = decode_all(lambda r: read_changes(r, vec["existing_count"]), bytes.fromhex(vec["hex"]))
        expected = [{k: ch[k] for k in ("index", "created", "pubkey", "before", "after") if k in ch and
                     (k != "pubkey" or ch["created"])} for ch in vec["changes"]]
        c.equal(name + ": decode", expected, decoded)
    for bad in v["invalid_diffs"]:
        n = bad["existing_count"]
        c.rejects("invalid diff '" + bad["name"] + "': rejected", lambda r: read_changes(r, n),
                  bytes.fromhex(bad["hex"]), bad["error"])


# ---------------------------------------------------------------- keystore files (section 12)

KEYSTORE_AAD_TAG = b"L2STACK/KEYSTORE/V1"
KEYSTORE_KDF = "argon2id13"
KEYSTORE_CIPHER = "xchacha20poly1305-ietf"
KEYSTORE_OPSLIMIT = (1, 10)
KEYSTORE_MEMLIMIT = (8192, 1 << 30)


def keystore_text(name, public_key, opslimit, memlimit, salt, nonce, ciphertext):
    """The exact file text of section 12: one line, fixed key order, no spaces, a newline."""
    return ('{"version":1,"name":"%s","public_key":"%s","kdf":{"name":"%s","opslimit":%d,"memlimit":%d,'
            '"salt":"%s"},"cipher":{"name":"%s","nonce":"%s","ciphertext":"%s"}}\n') % (
        name, public_key.hex(), KEYSTORE_KDF, opslimit, memlimit, salt.hex(), KEYSTORE_CIPHER, nonce.hex(),
        ciphertext.hex())


def keystore_key(passphrase, kdf):
    return nacl.pwhash.argon2id.kdf(32, passphrase.encode("utf-8"), bytes.fromhex(kdf["salt"]),
                                    opslimit=kdf["opslimit"], memlimit=kdf["memlimit"])


def keystore_open(file, passphrase, aad):
    """The seed, or None when the tag does not verify."""
    key = keystore_key(passphrase, file["kdf"])
    try:
        return nacl.bindings.crypto_aead_xchacha20poly1305_ietf_decrypt(
            bytes.fromhex(file["cipher"]["ciphertext"]), aad, bytes.fromhex(file["cipher"]["nonce"]), key)
    except nacl.exceptions.CryptoError:
        return None


def check_keystore_file(c, ks, vec):
    label = "keystore " + vec["name"]
    # What the file says, read from its own text (the vector's other fields only confirm it).
    f = json.loads(vec["file"])
    c.equal(label + ": the file's fields", ["version", "name", "public_key", "kdf", "cipher"], list(f))
    c.equal(label + ": kdf fields", ["name", "opslimit", "memlimit", "salt"], list(f["kdf"]))
    c.equal(label + ": cipher fields", ["name", "nonce", "ciphertext"], list(f["cipher"]))
    c.equal(label + ": version", 1, f["version"])
    c.equal(label + ": kdf", KEYSTORE_KDF, f["kdf"]["name"])
    c.equal(label + ": cipher", KEYSTORE_CIPHER, f["cipher"]["name"])
    c.check(label + ": name in the grammar", re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,31}", f["name"]) is not None)
    ops, mem = f["kdf"]["opslimit"], f["kdf"]["memlimit"]
    c.check(label + ": KDF costs within the reader's bounds",
            KEYSTORE_OPSLIMIT[0] <= ops <= KEYSTORE_OPSLIMIT[1] and KEYSTORE_MEMLIMIT[0] <= mem <= KEYSTORE_MEMLIMIT[1])
    c.equal(label + ": field lengths (hex digits)", [64, 32, 48, 96],
            [len(f["public_key"]), len(f["kdf"]["salt"]), len(f["cipher"]["nonce"]), len(f["cipher"]["ciphertext"])])
    for key in ("name", "public_key", "opslimit", "memlimit", "salt", "nonce", "ciphertext"):
        where = f["kdf"] if key in ("opslimit", "memlimit", "salt") else f["cipher"] if key in (
            "nonce", "ciphertext") else f
        c.equal(label + ": file " + key + " is the vector's", vec[key], where[key])

    public_key = bytes.fromhex(f["public_key"])
    aad = KEYSTORE_AAD_TAG + public_key + f["name"].encode("ascii")
    c.equal_hex(label + ": associated data", vec["aad"], aad)
    c.equal_hex(label + ": Argon2id key", vec["key"], keystore_key(vec["passphrase"], f["kdf"]))
    seed = keystore_open(f, vec["passphrase"], aad)
    c.check(label + ": decrypts with the passphrase", seed is not None)
    if seed is None:
        return
    c.equal_hex(label + ": decrypts to the seed", vec["seed"], seed)
    c.equal_hex(label + ": the seed's public key is the file's", f["public_key"],
                bytes(nacl.signing.SigningKey(seed).verify_key))
    # The whole text, re-encoded from the seed and the recorded salt and nonce.
    ciphertext = nacl.bindings.crypto_aead_xchacha20poly1305_ietf_encrypt(
        seed, aad, bytes.fromhex(f["cipher"]["nonce"]), keystore_key(vec["passphrase"], f["kdf"]))
    c.equal(label + ": file text", vec["file"],
            keystore_text(f["name"], public_key, ops, mem, bytes.fromhex(f["kdf"]["salt"]),
                          bytes.fromhex(f["cipher"]["nonce"]), ciphertext))
    c.check(label + ": the wrong passphrase fails the tag", keystore_open(f, ks["wrong_passphrase"], aad) is None)
    other_key = bytes(nacl.signing.SigningKey(bytes(32)).verify_key)
    c.check(label + ": another public key in the associated data fails the tag",
            keystore_open(f, vec["passphrase"], KEYSTORE_AAD_TAG + other_key + f["name"].encode("ascii")) is None)
    c.check(label + ": another name in the associated data fails the tag",
            keystore_open(f, vec["passphrase"], KEYSTORE_AAD_TAG + public_key + b"mallory") is None)


def check_keystore(c, v):
    ks = v["keystore"]
    c.equal("keystore associated-data tag", KEYSTORE_AAD_TAG.decode("ascii"), ks["aad_tag"])
    c.equal("keystore kdf", KEYSTORE_KDF, ks["kdf"])
    c.equal("keystore cipher", KEYSTORE_CIPHER, ks["cipher"])
    c.check("keystore: at least one file", len(ks["files"]) >= 1)
    for vec in ks["files"]:
        check_keystore_file(c, ks, vec)


def main(argv):
    if len(argv) != 2:
        print("usage: check_vectors.py docs/encoding.md", file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        v = extract_vectors(f.read())
    c = Checker()
    c.equal("domain tag", DOMAIN_TAG.decode("ascii"), v["domain_tag"])
    c.guarded("varints", lambda: check_varints(c, v))
    c.guarded("txs", lambda: check_txs(c, v))
    leaf_hashes = {}

    def accounts():
        leaf_hashes.update(check_accounts(c, v))

    c.guarded("accounts", accounts)
    c.guarded("merkle", lambda: check_merkle(c, v, leaf_hashes))
    c.guarded("receipts", lambda: check_receipts(c, v))
    c.guarded("diffs", lambda: check_diffs(c, v))
    check_settlement(c, v)
    c.guarded("keystore", lambda: check_keystore(c, v))
    print("%d passed, %d failed" % (c.passed, c.failed))
    return 0 if c.failed == 0 and c.passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
