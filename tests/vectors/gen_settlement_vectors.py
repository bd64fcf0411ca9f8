#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The off-chain scaling stack developers
"""Generates the settlement test vectors of docs/encoding.md (the "settlement" key of the
JSON block): batch payloads, commitments, batch origins, base-chain transactions, the
genesis root, and inputs that decoders must reject.

Usage: /usr/bin/python3 tests/vectors/gen_settlement_vectors.py docs/encoding.md [--write]

The values are computed here from their fields alone, with PyNaCl, the zstandard
module and the standard library, reusing the rollup vectors already in the document
(txs, accounts, Merkle proofs) by name. Without --write it prints the "settlement"
object; with --write it replaces (or appends) the "settlement" key at the end of the
document's JSON block and leaves every other byte of the document alone.

The compressed payloads are zstd frames made with level 3, a checksum and the content
size, no dictionary id, one thread. Their exact bytes depend on the zstd version (the
one used is recorded); checkers decompress them rather than recompress.
"""

import json
import re
import sys

import nacl.signing
import zstandard

# The byte primitives, signing and the commitment header are the checker's own (one copy;
# the C++ implementation checks the same vectors independently).
from check_vectors import blake2b256, commitment_header, sign, u8, u64le, varint  # noqa: E402

COMMIT_TAG = b"L2STACK/COMMIT/V1"
BASE_TX_TAG = b"L2STACK/BASE/TX/V1"
BASE_CHAIN_ID = 31337
ROLLUP_ID = 1
MAX_PAYLOAD_BYTES = 32 << 20
KINDS = {"transfer": 1, "register_rollup": 2, "deposit": 3, "force_tx": 4, "commit_batch": 5,
         "finalize_withdrawal": 6, "challenge_batch": 7, "dispute_bisect": 8, "dispute_respond": 9,
         "dispute_timeout": 11, "claim_bond": 12}












def non_minimal(v):
    """v's varint with one superfluous 0x00 group: a second, invalid encoding of v."""
    b = bytearray(varint(v))
    b[-1] |= 0x80
    return bytes(b) + b"\x00"


def compress(raw):
    c = zstandard.ZstdCompressor(level=3, write_checksum=True, write_content_size=True, write_dict_id=False,
                                 threads=0)
    return c.compress(raw)


def seed_of(v):
    return bytes.fromhex(v)


def pubkey(seed):
    return bytes(nacl.signing.SigningKey(seed).verify_key)




# ---------------------------------------------------------------- payloads


def payload_raw(txs):
    """txs: rollup tx vectors (transfers and withdrawals) of the document."""
    out = u8(1) + varint(len(txs))
    out += b"".join(u8(t["type_tag"]) for t in txs)
    out += b"".join(varint(t["from"]) for t in txs)
    out += b"".join(varint(t["to"]) for t in txs if t["type"] == "transfer")
    out += b"".join(varint(int(t["amount"])) for t in txs)
    out += b"".join(varint(int(t["fee"])) for t in txs)
    out += b"".join(bytes.fromhex(t["signature"]) for t in txs)
    return out


# ---------------------------------------------------------------- commitments




def origin_bytes(o):
    return (u8(1) + u64le(int(o["deposits_from"])) + u64le(int(o["deposits_upto"])) +
            u64le(int(o["forced_from"])) + u64le(int(o["forced_upto"])))


# ---------------------------------------------------------------- base txs


def base_body(tx, ctx):
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
        wire = bytes.fromhex(ctx["txs"][tx["tx"]]["wire"])
        return u64le(int(tx["rollup_id"])) + varint(len(wire)) + wire
    if k == "commit_batch":
        return bytes.fromhex(ctx["commitments"][tx["commitment"]]["encoding"])
    if k == "finalize_withdrawal":
        proof = bytes.fromhex(tx["proof"])
        return (u64le(int(tx["rollup_id"])) + u64le(int(tx["batch"])) + bytes.fromhex(tx["leaf"]) +
                varint(len(proof)) + proof)
    raise ValueError(k)


def complete_base_tx(tx, seeds, ctx):
    seed = seeds[tx["signer"]]
    tx["seed"] = seed.hex()
    tx["sender"] = pubkey(seed).hex()
    tx["kind_tag"] = KINDS[tx["kind"]]
    signed_part = (pubkey(seed) + u64le(int(tx["nonce"])) + u8(tx["kind_tag"]) + base_body(tx, ctx))
    preimage = BASE_TX_TAG + u64le(int(tx["base_chain_id"])) + signed_part
    sig = sign(seed, preimage)
    tx["preimage"] = preimage.hex()
    tx["signature"] = sig.hex()
    tx["tx_hash"] = blake2b256(preimage + sig).hex()
    tx["wire"] = (signed_part + sig).hex()
    return tx


# ---------------------------------------------------------------- the vectors


def generate(v):
    txs = {t["name"]: t for t in v["txs"]}
    accounts = {a["name"]: a for a in v["accounts"]}
    trees = {t["name"]: t for t in v["merkle"]}
    seeds = {name: seed_of(a["seed"]) for name, a in accounts.items()}
    s = {
        "commit_domain_tag": COMMIT_TAG.decode(),
        "base_tx_domain_tag": BASE_TX_TAG.decode(),
        "zstd": {"level": 3, "checksum": True, "content_size": True, "dict_id": False,
                 "version": ".".join(str(x) for x in zstandard.ZSTD_VERSION)},
        "max_payload_bytes": str(MAX_PAYLOAD_BYTES),
        "max_raw_payload_bytes": str(128 << 20),
    }

    # Genesis: the operator's empty fee account alone at index 0.
    op = accounts["operator"]
    leaf = bytes.fromhex(op["pubkey"]) + u64le(0) * 3
    leaf_hash = blake2b256(b"\x00" + leaf)
    node = leaf_hash
    empty = bytes(32)
    for _ in range(32):
        node = blake2b256(b"\x01" + node + empty)
        empty = blake2b256(b"\x01" + empty + empty)
    s["genesis"] = [{"operator": "operator", "operator_key": op["pubkey"], "leaf": leaf.hex(),
                     "root": node.hex()}]

    payloads = []
    for name, names in [("payload_basic", ["transfer_basic", "withdraw_basic", "transfer_max_values"]),
                        ("payload_empty", [])]:
        raw = payload_raw([txs[n] for n in names])
        comp = compress(raw)
        payloads.append({"name": name, "txs": names, "raw": raw.hex(), "compressed": comp.hex(),
                         "payload_hash": blake2b256(comp).hex()})
    s["payloads"] = payloads
    basic = payloads[0]
    raw = bytes.fromhex(basic["raw"])

    def with_from(from_bytes):  # payload_basic's raw form with tx 0's `from` replaced
        return raw[:5] + from_bytes + raw[6:]

    assert raw[2:5] == b"\x02\x03\x02" and raw[5] == 1
    s["invalid_payloads"] = [
        {"name": "truncated by one byte", "raw": raw[:-1].hex(), "error": "truncated"},
        {"name": "one trailing byte", "raw": (raw + b"\x00").hex(), "error": "trailing_bytes"},
        {"name": "version 2", "raw": (u8(2) + raw[1:]).hex(), "error": "out_of_range"},
        {"name": "deposit type tag", "raw": (raw[:2] + u8(1) + raw[3:]).hex(), "error": "unknown_type"},
        {"name": "type tag 4", "raw": (raw[:2] + u8(4) + raw[3:]).hex(), "error": "unknown_type"},
        {"name": "non-minimal from", "raw": with_from(b"\x81\x00").hex(), "error": "non_minimal_varint"},
        {"name": "from beyond u32", "raw": with_from(b"\x80\x80\x80\x80\x10").hex(), "error": "out_of_range"},
        {"name": "count beyond the input", "raw": (u8(1) + varint(1000) + raw[2:]).hex(), "error": "truncated"},
    ]
    comp = bytes.fromhex(basic["compressed"])
    no_size = zstandard.ZstdCompressor(level=3, write_checksum=True, write_content_size=False).compress(raw)
    # A frame header declaring 2^40 bytes (single segment, 8-byte size), then an empty last block.
    forged = bytes.fromhex("28b52ffd") + u8(0xE0) + u64le(1 << 40) + bytes.fromhex("010000")
    bad_checksum = comp[:-1] + u8(comp[-1] ^ 1)
    s["invalid_compressed_payloads"] = [
        {"name": "no content size in the frame header", "compressed": no_size.hex(), "error": "decompress"},
        {"name": "declared content size over the limit", "compressed": forged.hex(), "error": "decompress"},
        {"name": "two frames", "compressed": (comp + comp).hex(), "error": "decompress"},
        {"name": "one trailing byte", "compressed": (comp + b"\x00").hex(), "error": "decompress"},
        {"name": "skippable frame first", "compressed": (bytes.fromhex("502a4d1800000000") + comp).hex(),
         "error": "decompress"},
        {"name": "wrong checksum", "compressed": bad_checksum.hex(), "error": "decompress"},
        {"name": "truncated frame", "compressed": comp[:-5].hex(), "error": "decompress"},
    ]

    # Commitments: batch 1 of a rollup over payload_basic, and an extreme validity one.
    commitments = [
        {"name": "commitment_basic", "rollup_id": str(ROLLUP_ID), "batch": "1",
         "prev_root": s["genesis"][0]["root"], "new_root": trees["dense_0_1_2"]["root"], "applied_txs": 3,
         "payload": "payload_basic", "payload_hash": basic["payload_hash"], "deposits_upto": "2",
         "forced_upto": "0", "mode": "optimistic", "mode_tag": 0},
        {"name": "commitment_max_values", "rollup_id": str((1 << 64) - 1), "batch": str((1 << 64) - 1),
         "prev_root": trees["dense_0_1_2"]["root"], "new_root": trees["sparse_0_1_5"]["root"],
         "applied_txs": 0, "payload": "payload_empty", "payload_hash": payloads[1]["payload_hash"],
         "deposits_upto": str((1 << 64) - 1), "forced_upto": str(1 << 63), "mode": "validity", "mode_tag": 1},
    ]
    by_payload = {p["name"]: p for p in payloads}
    for c in commitments:
        header = commitment_header(c)
        payload = bytes.fromhex(by_payload[c["payload"]]["compressed"])
        c["header"] = header.hex()
        c["commitment_id"] = blake2b256(COMMIT_TAG + header).hex()
        c["encoding"] = (header + varint(len(payload)) + payload).hex()
    s["commitments"] = commitments
    enc = bytes.fromhex(commitments[0]["encoding"])
    header = bytes.fromhex(commitments[0]["header"])
    plen = len(bytes.fromhex(basic["compressed"]))
    plen_bytes = len(varint(plen))
    s["invalid_commitments"] = [
        {"name": "truncated by one byte", "hex": enc[:-1].hex(), "error": "truncated"},
        {"name": "header only", "hex": header.hex(), "error": "truncated"},
        {"name": "one trailing byte", "hex": (enc + b"\x00").hex(), "error": "trailing_bytes"},
        {"name": "version 2", "hex": (u8(2) + enc[1:]).hex(), "error": "out_of_range"},
        {"name": "mode 2", "hex": (header[:-1] + u8(2) + enc[len(header):]).hex(), "error": "out_of_range"},
        {"name": "non-minimal payload length",
         "hex": (header + non_minimal(plen) + enc[len(header) + plen_bytes:]).hex(), "error": "non_minimal_varint"},
        {"name": "payload length over the limit", "hex": (header + varint(MAX_PAYLOAD_BYTES + 1)).hex(),
         "error": "too_large"},
    ]

    origins = [
        {"name": "origin_basic", "deposits_from": "0", "deposits_upto": "2", "forced_from": "0",
         "forced_upto": "0"},
        {"name": "origin_max_values", "deposits_from": str((1 << 64) - 1), "deposits_upto": str((1 << 64) - 1),
         "forced_from": "7", "forced_upto": str(1 << 63)},
    ]
    for o in origins:
        o["hex"] = origin_bytes(o).hex()
    s["batch_origins"] = origins
    ob = bytes.fromhex(origins[0]["hex"])
    s["invalid_batch_origins"] = [
        {"name": "truncated by one byte", "hex": ob[:-1].hex(), "error": "truncated"},
        {"name": "one trailing byte", "hex": (ob + b"\x00").hex(), "error": "trailing_bytes"},
        {"name": "version 0", "hex": (u8(0) + ob[1:]).hex(), "error": "out_of_range"},
        {"name": "deposits_from > deposits_upto",
         "hex": origin_bytes({"deposits_from": 3, "deposits_upto": 2, "forced_from": 0, "forced_upto": 0}).hex(),
         "error": "out_of_range"},
        {"name": "forced_from > forced_upto",
         "hex": origin_bytes({"deposits_from": 0, "deposits_upto": 0, "forced_from": 1, "forced_upto": 0}).hex(),
         "error": "out_of_range"},
    ]

    ctx = {"txs": txs, "commitments": {c["name"]: c for c in commitments}}
    sparse = trees["sparse_0_1_5"]
    proof5 = next(p for p in sparse["proofs"] if p["index"] == 5)
    base_txs = [
        {"name": "base_transfer", "kind": "transfer", "base_chain_id": str(BASE_CHAIN_ID), "signer": "alice",
         "nonce": "0", "to": accounts["bob"]["pubkey"], "amount": "1000000"},
        {"name": "base_register_rollup", "kind": "register_rollup", "base_chain_id": str(BASE_CHAIN_ID),
         "signer": "operator", "nonce": "0", "rollup_id": str(ROLLUP_ID), "operator_key": op["pubkey"],
         "genesis_root": s["genesis"][0]["root"], "challenge_window_s": "604800", "inclusion_deadline_s": "86400",
         "bond": "1000000", "dispute_clock_s": "3600"},
        {"name": "base_deposit", "kind": "deposit", "base_chain_id": str(BASE_CHAIN_ID), "signer": "alice",
         "nonce": "1", "rollup_id": str(ROLLUP_ID), "recipient": accounts["alice"]["pubkey"], "amount": "1000000"},
        {"name": "base_force_tx", "kind": "force_tx", "base_chain_id": str(BASE_CHAIN_ID), "signer": "alice",
         "nonce": "2", "rollup_id": str(ROLLUP_ID), "tx": "transfer_basic"},
        {"name": "base_commit_batch", "kind": "commit_batch", "base_chain_id": str(BASE_CHAIN_ID),
         "signer": "operator", "nonce": "1", "commitment": "commitment_basic"},
        {"name": "base_finalize_withdrawal", "kind": "finalize_withdrawal", "base_chain_id": str(BASE_CHAIN_ID),
         "signer": "carol", "nonce": "18446744073709551615", "rollup_id": str(ROLLUP_ID), "batch": "1",
         "account": "carol", "leaf": accounts["carol"]["leaf"], "tree": "sparse_0_1_5", "proof": proof5["proof"]},
        {"name": "base_transfer_chain_1", "kind": "transfer", "base_chain_id": "1", "signer": "alice",
         "nonce": "0", "to": accounts["bob"]["pubkey"], "amount": "1000000"},
        {"name": "base_challenge_batch", "kind": "challenge_batch", "base_chain_id": str(BASE_CHAIN_ID),
         "signer": "carol", "nonce": "0", "rollup_id": str(ROLLUP_ID), "batch": "1"},
        {"name": "base_dispute_bisect", "kind": "dispute_bisect", "base_chain_id": str(BASE_CHAIN_ID),
         "signer": "operator", "nonce": "2", "rollup_id": str(ROLLUP_ID), "batch": "1",
         "challenger": accounts["carol"]["pubkey"], "position": "1", "root": s["genesis"][0]["root"]},
        {"name": "base_dispute_respond", "kind": "dispute_respond", "base_chain_id": str(BASE_CHAIN_ID),
         "signer": "carol", "nonce": "1", "rollup_id": str(ROLLUP_ID), "batch": "1", "position": "1", "agree": "1"},
        {"name": "base_dispute_timeout", "kind": "dispute_timeout", "base_chain_id": str(BASE_CHAIN_ID),
         "signer": "bob", "nonce": "0", "rollup_id": str(ROLLUP_ID), "batch": "1",
         "challenger": accounts["carol"]["pubkey"]},
        {"name": "base_claim_bond", "kind": "claim_bond", "base_chain_id": str(BASE_CHAIN_ID),
         "signer": "bob", "nonce": "1", "rollup_id": str(ROLLUP_ID), "batch": "1"},
    ]
    for tx in base_txs:
        complete_base_tx(tx, seeds, ctx)
    s["base_txs"] = base_txs

    def wire(name):
        return bytes.fromhex(next(t for t in base_txs if t["name"] == name)["wire"])

    transfer = wire("base_transfer")
    force = wire("base_force_tx")
    fin = wire("base_finalize_withdrawal")
    commit = wire("base_commit_batch")
    respond = wire("base_dispute_respond")
    deposit_wire = bytes.fromhex(txs["deposit_basic"]["wire"])
    inner = bytes.fromhex(txs["transfer_basic"]["wire"])
    head = force[:41] + u64le(ROLLUP_ID)  # sender, nonce, kind, rollup_id
    sig = force[-64:]
    proof = bytes.fromhex(proof5["proof"])
    # Bit 0 of the proof's bitmap set and empty(0) (32 zero bytes) written out.
    assert proof[4] & 1 == 0 and len(proof) + 32 < 0x80
    fin_prefix = fin[:41 + 8 + 8 + 56]
    bad_proof = proof[:4] + u8(proof[4] | 1) + proof[5:8] + bytes(32) + proof[8:]
    s["invalid_base_txs"] = [
        {"name": "truncated by one byte", "wire": transfer[:-1].hex(), "error": "truncated"},
        {"name": "one trailing byte", "wire": (transfer + b"\x00").hex(), "error": "trailing_bytes"},
        {"name": "kind 0", "wire": (transfer[:40] + u8(0) + transfer[41:]).hex(), "error": "unknown_type"},
        {"name": "kind 13", "wire": (transfer[:40] + u8(13) + transfer[41:]).hex(), "error": "unknown_type"},
        {"name": "dispute_respond with agree 2",
         "wire": (respond[:-65] + u8(2) + respond[-64:]).hex(), "error": "out_of_range"},
        {"name": "force_tx carrying a deposit",
         "wire": (head + varint(len(deposit_wire)) + deposit_wire + sig).hex(), "error": "out_of_range"},
        {"name": "force_tx length one byte longer than the tx",
         "wire": (head + varint(len(inner) + 1) + inner + b"\x00" + sig).hex(), "error": "trailing_bytes"},
        {"name": "force_tx non-minimal length",
         "wire": (head + non_minimal(len(inner)) + inner + sig).hex(), "error": "non_minimal_varint"},
        {"name": "force_tx unknown rollup tx type",
         "wire": (head + varint(len(inner)) + u8(9) + inner[1:] + sig).hex(), "error": "unknown_type"},
        {"name": "finalize_withdrawal proof with an explicit empty sibling",
         "wire": (fin_prefix + varint(len(bad_proof)) + bad_proof + fin[-64:]).hex(), "error": "out_of_range"},
        {"name": "commit_batch with mode 2",
         "wire": (commit[:41 + 133] + u8(2) + commit[41 + 134:]).hex(), "error": "out_of_range"},
    ]
    assert commit[41 + 133] == 0
    return s


BLOCK = re.compile(r"(<!-- vectors:begin -->\s*```json\s*\n)(.*?)(\n```\s*<!-- vectors:end -->)", re.S)


def main(argv):
    if len(argv) not in (2, 3) or (len(argv) == 3 and argv[2] != "--write"):
        print("usage: gen_settlement_vectors.py docs/encoding.md [--write]", file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        doc = f.read()
    m = BLOCK.search(doc)
    if not m:
        raise SystemExit("no JSON vectors block in " + argv[1])
    body = m.group(2)
    v = json.loads(body)
    s = generate(v)
    text = json.dumps(s, indent=2)
    if len(argv) == 2:
        print(text)
        return 0
    # Replace the "settlement" key's value where it stands (later keys, such as the
    # keystore's, stay as they are), or append the key.
    nested = "\n".join(("  " + line) if i else line for i, line in enumerate(text.splitlines()))
    start = body.find('\n  "settlement": ')
    if start >= 0:
        value_at = start + len('\n  "settlement": ')
        close = body.find("\n  }", value_at)  # the settlement object's closing brace
        assert close >= 0, "unexpected settlement value"
        rest = body[close + len("\n  }"):]
        comma = ""
        new_body = body[:value_at] + nested + comma + rest
    else:
        base = body.rstrip()
        assert base.endswith("}")
        base = base[:-1].rstrip()
        new_body = base + ',\n  "settlement": ' + nested + "\n}"
    json.loads(new_body)  # still valid JSON
    doc = doc[:m.start(2)] + new_body + doc[m.end(2):]
    with open(argv[1], "w", encoding="utf-8") as f:
        f.write(doc)
    print("wrote the settlement vectors to " + argv[1])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
