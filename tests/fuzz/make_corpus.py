#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# Writes the seed corpora of tests/fuzz (corpus/<target>/<name>) from the test vectors of
# docs/encoding.md (the JSON block between <!-- vectors:begin --> and <!-- vectors:end -->,
# the structure tests/vectors/check_vectors.py reads), plus hand-written seeds for the
# formats the document has no vectors of (API JSON bodies, JSON-RPC requests, request
# targets, a keystore file, executor batches). Valid and invalid vectors both: an invalid
# one sits next to a branch of the decoder. Deterministic; the output is checked in.
#
# Usage: tests/fuzz/make_corpus.py [--doc docs/encoding.md] [--out tests/fuzz/corpus]
# Debian's /usr/bin/python3 and python3-nacl (for the keystore seed).
import argparse
import json
import re
import shutil
import struct
import sys
from pathlib import Path

import nacl.bindings
import nacl.pwhash
import nacl.signing


def load_vectors(doc):
    m = re.search(r"<!-- vectors:begin -->(.*?)<!-- vectors:end -->", doc.read_text(), re.S)
    if not m:
        sys.exit(f"{doc}: no vectors block")
    block = m.group(1)
    return json.loads(block[block.find("{") : block.rfind("}") + 1])


def slug(name):
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "empty"


def varint(v):
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        out.append(b | (0x80 if v else 0))
        if not v:
            return bytes(out)


class Corpus:
    def __init__(self, root):
        self.root = root
        self.count = 0

    def add(self, target, name, data):
        if isinstance(data, str):
            data = data.encode()
        d = self.root / target
        d.mkdir(parents=True, exist_ok=True)
        path = d / slug(name)
        if path.exists():
            sys.exit(f"two seeds named {path}")
        path.write_bytes(data)
        self.count += 1


def from_vectors(c, v):
    h = bytes.fromhex
    for t in v["txs"]:
        c.add("rollup_tx", t["name"], h(t["wire"]))
    c.add("rollup_tx", "tx_batch", h(v["tx_batch"]["hex"]))
    for t in v["invalid_txs"]:
        c.add("rollup_tx", "invalid " + t["name"], h(t["wire"]))
    for a in v["accounts"]:
        c.add("account_leaf", a["name"], h(a["leaf"]))
    for m in v["merkle"]:
        for i, p in enumerate(m["proofs"]):
            c.add("merkle_proof", f"{m['name']} proof {i}", h(p["proof"]))
        for i, p in enumerate(m["multiproofs"]):
            c.add("merkle_proof", f"{m['name']} multiproof {i}", h(p["proof"]))
    s = v["settlement"]
    for p in s["payloads"]:
        c.add("settlement_payload", p["name"] + " raw", h(p["raw"]))
        c.add("settlement_payload", p["name"] + " compressed", h(p["compressed"]))
    for p in s["invalid_payloads"]:
        c.add("settlement_payload", "invalid raw " + p["name"], h(p["raw"]))
    for p in s["invalid_compressed_payloads"]:
        c.add("settlement_payload", "invalid compressed " + p["name"], h(p["compressed"]))
    for x in s["commitments"]:
        c.add("commitment", x["name"], h(x["encoding"]))
    for x in s["invalid_commitments"]:
        c.add("commitment", "invalid " + x["name"], h(x["hex"]))
    for x in s["batch_origins"]:
        c.add("commitment", x["name"], h(x["hex"]))
    for x in s["invalid_batch_origins"]:
        c.add("commitment", "invalid origin " + x["name"], h(x["hex"]))
    for x in s["base_txs"]:
        c.add("base_tx", x["name"], h(x["wire"]))
        # The same tx as basechaind receives it.
        c.add("basechain_rpc", "send " + x["name"],
              json.dumps({"jsonrpc": "2.0", "id": 1, "method": "chain_sendTransaction",
                          "params": {"tx": x["wire"]}}, separators=(",", ":")))
    for x in s["invalid_base_txs"]:
        c.add("base_tx", "invalid " + x["name"], h(x["wire"]))

    # The API's binary batch and JSON txs, from the same rollup txs.
    user = [t for t in v["txs"] if t["type"] != "deposit"]
    for t in user:
        body = struct.pack("<Q", int(t["chain_id"])) + varint(1) + h(t["wire"])
        c.add("binary_batch", t["name"], body)
    c.add("binary_batch", "with a deposit",
          struct.pack("<Q", 1) + varint(1) + h(next(t for t in v["txs"] if t["type"] == "deposit")["wire"]))
    c.add("binary_batch", "empty batch", struct.pack("<Q", 1) + varint(0))
    jsons = []
    for t in user:
        j = {"type": t["type"], "chain_id": str(t["chain_id"]), "from": t["from"]}
        if t["type"] == "transfer":
            j["to"] = t["to"]
        j.update({"amount": str(t["amount"]), "fee": str(t["fee"]), "nonce": str(t["nonce"]),
                  "signature": t["signature"]})
        jsons.append(j)
        c.add("json_tx", t["name"], json.dumps(j, separators=(",", ":")))
    c.add("json_tx", "array of txs", json.dumps(jsons, separators=(",", ":")))
    c.add("json_tx", "upper-case signature", json.dumps(dict(jsons[0], signature=jsons[0]["signature"].upper())))
    c.add("json_tx", "duplicate key", '{"amount":"1","amount":"2"}')
    dep = {"public_key": v["accounts"][0]["pubkey"], "amount": "1000"}
    c.add("json_tx", "deposit request", json.dumps(dep))
    c.add("json_tx", "deposit requests", json.dumps([dep, dict(dep, amount="18446744073709551615")]))


def hand_written(c):
    rpc = [
        ("chain_getChainId", None), ("chain_getHead", None), ("chain_getBlock", {"number": 0}),
        ("chain_getAccount", {"account": "8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c"}),
        ("chain_getTransaction", {"hash": "17cf05d7c3190456b59baddb27e6ce604d5ba0a6d48b491ff54007ca89da0c86"}),
        ("chain_getLogs", {"from_block": 0, "to_block": 100, "module": "bridge"}),
        ("bridge_getRollup", {"rollup_id": 7}), ("bridge_getDeposits", {"rollup_id": 7, "from": 0, "limit": 100}),
        ("bridge_getForcedTxs", {"rollup_id": 7, "from": 0, "limit": 100}),
        ("bridge_getWithdrawn", {"rollup_id": 7, "account": "8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c"}),
        ("rollup_getCommitment", {"rollup_id": 7, "batch": 1, "payload": True}),
        ("dev_advanceTime", {"seconds": 3600}), ("dev_mine", None), ("dev_snapshot", None),
        ("dev_revert", {"id": 1}),
        ("dev_fund", {"account": "ed4928c628d1c2c6eae90338905995612959273a5c63f93636c14614ac8737d1", "amount": "500"}),
    ]
    for method, params in rpc:
        r = {"jsonrpc": "2.0", "id": 1, "method": method}
        if params is not None:
            r["params"] = params
        c.add("basechain_rpc", method, json.dumps(r, separators=(",", ":")))
    c.add("basechain_rpc", "batch", '[{"jsonrpc":"2.0","id":1,"method":"chain_getChainId"},'
          '{"jsonrpc":"2.0","method":"dev_mine"},{"jsonrpc":"2.0","id":"x","method":"nope"}]')
    c.add("basechain_rpc", "not json", "{")
    c.add("basechain_rpc", "empty batch", "[]")

    for t in ["/health", "/v1/transactions?wait=true&timeout_ms=250", "/v1/batches/latest", "/v1/batches/12",
              "/v1/accounts/3/withdrawals?limit=100",
              "/v1/accounts/8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c/proof",
              "/v1/transactions/685bf34378de1b662025e4eff1b4060e1a86bbdb666493d226b0d364b2582b3b?",
              "/v1/batches?&&wait=0&", "/v1/accounts/4294967296"]:
        c.add("http_target", t, t)

    # A keystore file under the passphrase "fuzz" with the smallest Argon2id costs
    # (wallet_cli/keystore.cpp's format).
    seed = bytes(range(32))
    salt = bytes(range(16))
    nonce = bytes(range(24))
    name = "fuzz"
    pk = bytes(nacl.signing.SigningKey(seed).verify_key)
    key = nacl.pwhash.argon2id.kdf(32, b"fuzz", salt, opslimit=1, memlimit=8192)
    aad = b"L2STACK/KEYSTORE/V1" + pk + name.encode()
    ct = nacl.bindings.crypto_aead_xchacha20poly1305_ietf_encrypt(seed, aad, nonce, key)
    text = ('{"version":1,"name":"%s","public_key":"%s","kdf":{"name":"argon2id13","opslimit":1,'
            '"memlimit":8192,"salt":"%s"},"cipher":{"name":"xchacha20poly1305-ietf","nonce":"%s",'
            '"ciphertext":"%s"}}\n') % (name, pk.hex(), salt.hex(), nonce.hex(), ct.hex())
    c.add("keystore", "passphrase fuzz", text)
    c.add("keystore", "costly kdf", text.replace('"opslimit":1', '"opslimit":10'))

    # Executor batches (tests/fuzz/executor_differential.cpp's input format).
    def compact(v):
        if v < 0xF8:
            return bytes([v])
        n = (v.bit_length() + 7) // 8
        return bytes([0xF7 + n]) + v.to_bytes(n, "little")
    def genesis(balances):
        return bytes([len(balances) - 1]) + b"".join(compact(b) for b in balances)
    def transfer(f, t, amount, fee, nonce, bad=False):
        return bytes([4 if bad else 0, f, t]) + compact(amount) + compact(fee) + compact(nonce)
    def withdraw(f, amount, fee, nonce):
        return bytes([2, f]) + compact(amount) + compact(fee) + compact(nonce)
    def deposit(to, key, amount):
        return bytes([3, to, key]) + compact(amount)
    c.add("executor_differential", "chain of credits",
          genesis([0, 100, 0, 0]) + transfer(1, 2, 50, 1, 0) + transfer(2, 3, 40, 1, 0) + withdraw(3, 39, 1, 0))
    c.add("executor_differential", "deposit creates a spender",
          genesis([5, 10]) + transfer(2, 1, 1, 0, 0) + deposit(2, 2, 20) + transfer(2, 1, 5, 1, 0)
          + deposit(2, 9, 1) + transfer(0, 1, 5, 0, 0))
    c.add("executor_differential", "near 2^64",
          genesis([0, 2**64 - 10, 1]) + transfer(1, 2, 2**64 - 12, 2, 0) + transfer(2, 1, 2**64 - 11, 0, 0)
          + deposit(1, 1, 2**64 - 1) + withdraw(2, 1, 2**64 - 1, 1))
    many = genesis([1000] * 80)
    for i in range(1, 80):
        many += transfer(i, (i * 7) % 80, 10, 1, 0) + transfer(i, 0, 5, 1, 1, bad=(i % 9 == 0))
    c.add("executor_differential", "eighty senders", many)


def main():
    here = Path(__file__).resolve().parent
    ap = argparse.ArgumentParser()
    ap.add_argument("--doc", type=Path, default=here.parent.parent / "docs" / "encoding.md")
    ap.add_argument("--out", type=Path, default=here / "corpus")
    a = ap.parse_args()
    if a.out.exists():
        shutil.rmtree(a.out)
    c = Corpus(a.out)
    from_vectors(c, load_vectors(a.doc))
    hand_written(c)
    print(f"make_corpus: {c.count} seeds in {a.out}")


if __name__ == "__main__":
    main()
