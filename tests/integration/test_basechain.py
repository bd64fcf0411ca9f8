#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The off-chain scaling stack developers
"""Black-box integration tests of basechaind against docs/basechain.md.

usage: /usr/bin/python3 tests/integration/test_basechain.py PATH/TO/basechaind [unittest args]
       (or BASECHAIND=PATH/TO/basechaind /usr/bin/python3 tests/integration/test_basechain.py)

Every test starts the real binary on an ephemeral loopback port (`--port 0 --port-file`)
in a temporary data dir and speaks JSON-RPC 2.0 over HTTP/1.1 to it. Base txs are built
here from docs/encoding.md (section 10) with PyNaCl alone (l2base.py), none of our code.
Covered: JSON-RPC bad input (parse error, invalid request, unknown method, bad params,
wrong signature, wrong nonce, insufficient funds: the standard code, a clear message,
nothing changed), HTTP routes, automine against --block-time, restart continuity, the
registry and bridge modules, and (python3-zstandard) a commitment, its finality and
a withdrawal proven against it. Processes are always killed and directories removed.
"""

import sys

sys.dont_write_bytecode = True  # keep the source tree clean of __pycache__

import http.client  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import sqlite3  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import unittest  # noqa: E402

import nacl.signing  # noqa: E402

from l2client import TimedTestCase, enc  # noqa: E402

u8, u32le, u64le, varint, blake2b256 = enc.u8, enc.u32le, enc.u64le, enc.varint, enc.blake2b256

from l2base import (BASE_TAG, RpcError, commitment_bytes as commitment, deposit_body, empty_payload,  # noqa: E402
                    finalize_body, force_body, register_body, transfer_body)


BASECHAIND = os.environ.get("BASECHAIND", "")
TIMEOUT_SCALE = float(os.environ.get("L2_TEST_TIMEOUT_SCALE", "1"))
TEST_TIMEOUT_S = 60
CHAIN_ID = 31337
RUN_SALT = os.urandom(8)

# ------------------------------------------------------------------ encodings (docs/encoding.md)
# The shared ones (base-tx bodies, commitments, payloads) are in l2base.py.


class Key:
    _n = 0

    def __init__(self):
        Key._n += 1
        self.sk = nacl.signing.SigningKey(blake2b256(RUN_SALT + b"key %d" % Key._n))
        self.public = self.sk.verify_key.encode()
        self.hex = self.public.hex()


ROLLUP_TAG = b"L2STACK/TX/V1"


def base_tx(key, nonce, kind, body, chain_id=CHAIN_ID):
    """(wire bytes, tx hash hex) of a signed base tx."""
    signed = key.public + u64le(nonce) + u8(kind) + body
    preimage = BASE_TAG + u64le(chain_id) + signed
    sig = key.sk.sign(preimage).signature
    return signed + sig, blake2b256(preimage + sig).hex()








def rollup_withdraw(key, rollup_id, frm, amount, fee, nonce):
    """A signed rollup withdrawal in wire form (docs/encoding.md, section 2)."""
    body = u32le(frm) + u64le(amount) + u64le(fee) + u64le(nonce)
    sig = key.sk.sign(ROLLUP_TAG + u64le(rollup_id) + u8(3) + body).signature
    return u8(3) + body + sig




def leaf_bytes(public, balance, nonce, withdrawn):
    return public + u64le(balance) + u64le(nonce) + u64le(withdrawn)


def hash_leaf(leaf):
    return blake2b256(b"\x00" + leaf)


def hash_node(left, right):
    return blake2b256(b"\x01" + left + right)


EMPTY = [bytes(32)]
for _h in range(1, 33):
    EMPTY.append(hash_node(EMPTY[-1], EMPTY[-1]))


def two_leaf_tree(leaf0, leaf1):
    """Root of the depth-32 sparse tree with leaves 0 and 1, and the encoded proof of leaf 1."""
    node = hash_node(hash_leaf(leaf0), hash_leaf(leaf1))
    for h in range(1, 32):
        node = hash_node(node, EMPTY[h])
    proof = u32le(1) + u32le(1) + hash_leaf(leaf0)  # index, bitmap (only sibling 0 non-empty), siblings
    return node, proof








# ------------------------------------------------------------------ the process and the client




class Chain:
    """basechaind in a data dir; start() waits for its port file."""

    def __init__(self, tmp, args=(), data_dir=None):
        self.tmp = tmp
        self.data_dir = data_dir or os.path.join(tmp, "data")
        self.args = list(args)
        self.proc = None
        self.port = None
        self.log = os.path.join(tmp, "basechaind.log")
        self.chain_id = CHAIN_ID

    def start(self, expect_exit=False):
        port_file = os.path.join(self.tmp, "port")
        if os.path.exists(port_file):
            os.remove(port_file)
        cmd = [BASECHAIND, "--data-dir", self.data_dir, "--chain-id", str(self.chain_id), "--port", "0",
               "--port-file", port_file, "--log-level", "debug"] + self.args
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=log)
        if expect_exit:
            rc = self.proc.wait(timeout=30 * TIMEOUT_SCALE)
            self.proc.stdout.close()
            return rc
        line = self.proc.stdout.readline().decode()
        if not line.startswith("listening on "):
            self.kill()
            raise AssertionError("basechaind did not start: %r\n%s" % (line, self.log_text()))
        self.port = int(line.split(":")[-1])
        with open(port_file) as f:
            assert f.read().strip() == line.split()[-1], "port file and stdout disagree"
        return None

    def log_text(self):
        with open(self.log, errors="replace") as f:
            return f.read()

    def stop(self):
        """SIGTERM; the process must exit 0 quickly."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            rc = self.proc.wait(timeout=20 * TIMEOUT_SCALE)
            self.proc.stdout.close()
            assert rc == 0, "basechaind exited %d on SIGTERM\n%s" % (rc, self.log_text())

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self.proc and self.proc.stdout:
            self.proc.stdout.close()

    # HTTP
    def http(self, method, path, body=None, headers=None):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30 * TIMEOUT_SCALE)
        try:
            c.request(method, path, body=body, headers=headers or {"Content-Type": "application/json"})
            r = c.getresponse()
            return r.status, dict((k.lower(), v) for k, v in r.getheaders()), r.read()
        finally:
            c.close()

    def post(self, body):
        """Raw POST /; returns (status, parsed JSON or None)."""
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
        if isinstance(body, str):
            body = body.encode()
        status, headers, data = self.http("POST", "/", body)
        return status, (json.loads(data) if data else None)

    def call(self, method, params=None):
        req = {"jsonrpc": "2.0", "id": 1, "method": method}
        if params is not None:
            req["params"] = params
        status, r = self.post(req)
        assert status == 200, (status, r)
        assert r["jsonrpc"] == "2.0" and r["id"] == 1, r
        if "error" in r:
            raise RpcError(r["error"])
        return r["result"]

    def send(self, wire):
        return self.call("chain_sendTransaction", {"tx": wire.hex()})

    def nonce(self, key):
        return self.call("chain_getAccount", {"account": key.hex})["nonce"]

    def balance(self, key):
        return int(self.call("chain_getAccount", {"account": key.hex})["balance"])

    def head(self):
        return self.call("chain_getHead")


class ChainTestCase(TimedTestCase):
    timeout_s = TEST_TIMEOUT_S

    def new_chain(self, args=("--dev", "--automine"), tmp=None, data_dir=None):
        if tmp is None:
            tmp = tempfile.mkdtemp(prefix="l2-basechain-")
            self.addCleanup(shutil.rmtree, tmp, True)
        chain = Chain(tmp, args, data_dir)
        self.addCleanup(chain.kill)
        chain.start()
        return chain

    def funded(self, chain, amount=1_000_000):
        k = Key()
        chain.call("dev_fund", {"account": k.hex, "amount": str(amount)})
        return k

    def observable(self, chain, keys):
        """What a refused request must leave alone."""
        head = chain.head()
        accounts = [chain.call("chain_getAccount", {"account": k.hex}) for k in keys]
        metrics = chain.http("GET", "/metrics")[2].decode()
        txs = sorted(line for line in metrics.splitlines() if line.startswith("basechain_txs_total"))
        return head, accounts, txs

    def assert_rpc_error(self, chain, keys, request, code, words=(), reason=None):
        before = self.observable(chain, keys)
        status, r = chain.post(request)
        self.assertEqual(status, 200, r)
        self.assertIsInstance(r, dict, r)
        self.assertEqual(r.get("jsonrpc"), "2.0", r)
        self.assertNotIn("result", r)
        self.assertEqual(r["error"]["code"], code, r)
        message = r["error"]["message"]
        self.assertIsInstance(message, str)
        for w in words:
            self.assertIn(w, message, r)
        if reason is not None:
            self.assertEqual(r["error"]["data"]["reason"], reason, r)
        self.assertEqual(self.observable(chain, keys), before, "a refused request changed the chain")
        return r


# ------------------------------------------------------------------ tests


class JsonRpcBadInput(ChainTestCase):
    def test_protocol_errors(self):
        chain = self.new_chain()
        alice = self.funded(chain)
        keys = [alice]
        r = self.assert_rpc_error(chain, keys, '{"jsonrpc":"2.0","id":1,"method":"chain_getHead"', -32700,
                                  ["parse error"])
        self.assertIsNone(r["id"])
        r = self.assert_rpc_error(chain, keys, '{"jsonrpc":"1.0","id":4,"method":"chain_getHead"}', -32600,
                                  ["jsonrpc"])
        self.assertEqual(r["id"], 4)
        self.assert_rpc_error(chain, keys, '{"jsonrpc":"2.0","id":1,"method":7}', -32600, ["method"])
        self.assert_rpc_error(chain, keys, "[]", -32600, ["empty batch"])
        r = self.assert_rpc_error(chain, keys, {"jsonrpc": "2.0", "id": 1, "method": "chain_nope"}, -32601,
                                  ["chain_nope"])
        r = self.assert_rpc_error(chain, keys, {"jsonrpc": "2.0", "id": 1, "method": "chain_getBlock",
                                                "params": {"number": "1"}}, -32602, ["number"])
        self.assertEqual(r["error"]["data"]["field"], "number")
        self.assert_rpc_error(chain, keys, {"jsonrpc": "2.0", "id": 1, "method": "chain_getAccount",
                                            "params": {"account": alice.hex, "extra": 1}}, -32602, ["extra"])
        self.assert_rpc_error(chain, keys, {"jsonrpc": "2.0", "id": 1, "method": "chain_getBlock",
                                            "params": [1]}, -32602, ["by name"])
        # Batches: invalid entries answered one by one; notifications not at all.
        status, r = chain.post("[1, 2]")
        self.assertEqual([e["error"]["code"] for e in r], [-32600, -32600])
        status, r = chain.post([{"jsonrpc": "2.0", "method": "chain_getHead"}])
        self.assertEqual((status, r), (204, None))
        status, r = chain.post([{"jsonrpc": "2.0", "method": "chain_getHead"},
                                {"jsonrpc": "2.0", "method": "chain_getChainId", "id": "x"}])
        self.assertEqual(r, [{"jsonrpc": "2.0", "id": "x", "result": CHAIN_ID}])
        status, r = chain.post([{"jsonrpc": "2.0", "method": "chain_getChainId", "id": i} for i in range(101)])
        self.assertEqual(r["error"]["code"], -32600)

    def test_transaction_errors(self):
        chain = self.new_chain()
        alice, bob = self.funded(chain, 1000), Key()
        keys = [alice, bob]

        def send(wire):
            return {"jsonrpc": "2.0", "id": 9, "method": "chain_sendTransaction", "params": {"tx": wire.hex()}}

        wire, _ = base_tx(alice, 0, 1, transfer_body(bob.public, 10))
        bad_sig = wire[:-1] + bytes([wire[-1] ^ 1])
        self.assert_rpc_error(chain, keys, send(bad_sig), -32001, ["signature"], "invalid_signature")
        other_chain, _ = base_tx(alice, 0, 1, transfer_body(bob.public, 10), chain_id=1)
        self.assert_rpc_error(chain, keys, send(other_chain), -32001, ["signature"], "invalid_signature")
        wrong_nonce, _ = base_tx(alice, 3, 1, transfer_body(bob.public, 10))
        r = self.assert_rpc_error(chain, keys, send(wrong_nonce), -32002, ["expected 0, got 3"], "wrong_nonce")
        self.assertEqual((r["error"]["data"]["expected"], r["error"]["data"]["got"]), (0, 3))
        too_much, _ = base_tx(alice, 0, 1, transfer_body(bob.public, 1001))
        self.assert_rpc_error(chain, keys, send(too_much), -32003, ["insufficient funds", "1000", "1001"],
                              "insufficient_funds")
        self.assert_rpc_error(chain, keys, send(wire[:-5]), -32005, ["malformed"], "malformed_tx")
        deposit, _ = base_tx(alice, 0, 3, deposit_body(424242, bob.public, 5))
        self.assert_rpc_error(chain, keys, send(deposit), -32004, ["424242"], "unknown_rollup")
        # The good one still works after all that, and a replay of it is a wrong nonce.
        result = chain.send(wire)
        self.assertEqual(result["hash"], base_tx(alice, 0, 1, transfer_body(bob.public, 10))[1])
        self.assertEqual((chain.balance(alice), chain.balance(bob)), (990, 10))
        self.assert_rpc_error(chain, keys, send(wire), -32002, ["expected 1, got 0"], "wrong_nonce")
        metrics = chain.http("GET", "/metrics")[2].decode()
        self.assertIn('basechain_tx_refusals_total{reason="wrong_nonce"} 2', metrics)
        self.assertIn('basechain_tx_refusals_total{reason="invalid_signature"} 2', metrics)

    def test_http_routes(self):
        chain = self.new_chain(("--http.max-body-bytes", "2000"))
        status, headers, body = chain.http("GET", "/")
        self.assertEqual(status, 405)
        self.assertEqual(headers.get("allow"), "POST")
        status, headers, body = chain.http("GET", "/health")
        self.assertEqual(status, 200)
        health = json.loads(body)
        self.assertEqual((health["status"], health["chain_id"]), ("ok", CHAIN_ID))
        status, headers, body = chain.http("GET", "/metrics")
        self.assertEqual(status, 200)
        self.assertTrue(headers["content-type"].startswith("text/plain"), headers)
        self.assertIn("# TYPE basechain_blocks_total counter", body.decode())
        self.assertEqual(chain.http("GET", "/nope")[0], 404)
        # HEAD on the GET routes: the same status and headers, no body.
        for path in ("/health", "/ready", "/metrics"):
            status, headers, body = chain.http("HEAD", path)
            self.assertEqual((status, body), (200, b""), path)
        status, headers, body = chain.http("POST", "/health", b"{}")
        self.assertEqual((status, headers.get("allow")), (405, "GET, HEAD"))
        # Oversized headers: 431.
        status, headers, body = chain.http("GET", "/health", headers={"X-Big": "x" * 20000})
        self.assertEqual(status, 431)
        self.assertEqual(json.loads(body)["error"]["code"], -32600)
        # A key given twice is refused, not "last one wins".
        status, r = chain.post(b'{"jsonrpc":"2.0","id":1,"method":"chain_getHead","method":"chain_getBlock"}')
        self.assertEqual(status, 200)
        self.assertEqual(r["error"]["code"], -32600, r)
        self.assertIn("'method' appears twice", r["error"]["message"])
        status, headers, body = chain.http("POST", "/", b'{"x":"' + b"a" * 3000 + b'"}')
        self.assertEqual(status, 413)
        self.assertEqual(json.loads(body)["error"]["code"], -32600)
        # Dev methods need --dev.
        with self.assertRaises(RpcError) as e:
            chain.call("dev_mine")
        self.assertEqual(e.exception.code, -32601)
        self.assertIn("--dev", e.exception.message)


class Blocks(ChainTestCase):
    def test_automine_seals_every_tx_at_once(self):
        chain = self.new_chain()
        alice, bob = self.funded(chain), Key()
        start = chain.head()["number"]
        for i in range(3):
            wire, h = base_tx(alice, i, 1, transfer_body(bob.public, 1))
            r = chain.send(wire)
            self.assertEqual(r, {"hash": h, "block": start + i + 1})
            block = chain.call("chain_getBlock", {"number": r["block"]})
            self.assertEqual(block["txs"], [h])
            self.assertEqual(block["tx_root"], blake2b256(bytes.fromhex(h)).hex())
            parent = chain.call("chain_getBlock", {"number": r["block"] - 1})
            self.assertEqual(block["parent_hash"], parent["hash"])
            expect = blake2b256(u64le(block["number"]) + u64le(block["timestamp"]) +
                                bytes.fromhex(block["parent_hash"]) + bytes.fromhex(block["tx_root"]))
            self.assertEqual(block["hash"], expect.hex())
        time.sleep(1.5)
        self.assertEqual(chain.head()["number"], start + 3, "automine made a block without a tx")

    def test_block_time_seals_on_a_timer(self):
        chain = self.new_chain(("--dev", "--block-time", "200"))
        alice, bob = self.funded(chain), Key()
        wire, h = base_tx(alice, 0, 1, transfer_body(bob.public, 5))
        r = chain.send(wire)
        self.assertIsNone(r["block"])
        self.assertEqual(chain.balance(bob), 5, "executed at once, before its block")
        deadline = time.time() + 10 * TIMEOUT_SCALE
        while chain.call("chain_getTransaction", {"hash": h})["block"] is None:
            self.assertLess(time.time(), deadline, "the tx was never sealed")
            time.sleep(0.05)
        first = chain.head()
        time.sleep(1.0)
        later = chain.head()
        self.assertGreaterEqual(later["number"] - first["number"], 2, "empty blocks are sealed too")
        self.assertGreaterEqual(later["timestamp"], first["timestamp"])

    def test_ready_until_the_writer_is_stuck(self):
        chain = self.new_chain(("--dev", "--block-time", "200"))
        status, _, body = chain.http("GET", "/ready")
        self.assertEqual((status, json.loads(body)), (200, {"ready": True, "reasons": []}))
        # Another process holds the database's write lock: no block can be sealed.
        db = sqlite3.connect(os.path.join(chain.data_dir, "chain.db"), isolation_level=None, timeout=1)
        self.addCleanup(db.close)
        db.execute("BEGIN EXCLUSIVE")

        def not_ready():
            status, _, body = chain.http("GET", "/ready")
            return status == 503 and json.loads(body)

        deadline = time.time() + 30 * TIMEOUT_SCALE
        while not (got := not_ready()):
            self.assertLess(time.time(), deadline, "still ready with the writer blocked")
            time.sleep(0.1)
        self.assertFalse(got["ready"])
        self.assertTrue({r["code"] for r in got["reasons"]} & {"sealing_failed", "writer_stuck"}, got)
        self.assertEqual(chain.http("GET", "/health")[0], 200)  # alive, not ready
        db.execute("ROLLBACK")
        deadline = time.time() + 30 * TIMEOUT_SCALE
        while chain.http("GET", "/ready")[0] != 200:
            self.assertLess(time.time(), deadline, "not ready again after the lock went")
            time.sleep(0.1)

    def test_advance_time(self):
        chain = self.new_chain()
        before = chain.head()
        after = chain.call("dev_advanceTime", {"seconds": 86400})
        self.assertEqual(after["number"], before["number"] + 1)
        self.assertGreaterEqual(after["timestamp"], before["timestamp"] + 86400)


class Restart(ChainTestCase):
    def test_restart_continues_the_chain(self):
        tmp = tempfile.mkdtemp(prefix="l2-basechain-")
        self.addCleanup(shutil.rmtree, tmp, True)
        # A block time so long that the tx is still pending when the chain stops.
        chain = self.new_chain(("--dev", "--block-time", "3600000"), tmp=tmp)
        alice, bob = Key(), Key()
        fund = chain.call("dev_fund", {"account": alice.hex, "amount": "1000"})
        wire, h = base_tx(alice, 0, 1, transfer_body(bob.public, 77))
        self.assertIsNone(chain.send(wire)["block"])
        self.assertIsNone(fund["block"])
        head = chain.head()
        chain.stop()

        again = self.new_chain(("--dev", "--automine"), tmp=tmp)
        # The pending txs are sealed in the next block, on top of the old head, in order.
        tx = again.call("chain_getTransaction", {"hash": h})
        self.assertEqual(tx["block"], head["number"] + 1)
        block = again.call("chain_getBlock", {"number": tx["block"]})
        self.assertEqual(block["parent_hash"], head["hash"])
        self.assertEqual(block["txs"], [fund["hash"], h])
        self.assertEqual((again.balance(bob), again.nonce(alice)), (77, 1))
        wire2, _ = base_tx(alice, 1, 1, transfer_body(bob.public, 3))
        self.assertEqual(again.send(wire2)["block"], head["number"] + 2)
        again.stop()

        # Another chain id is refused, with a message that says so.
        other = Chain(tmp, ("--dev",))
        other.chain_id = 5
        rc = other.start(expect_exit=True)
        self.assertNotEqual(rc, 0)
        self.assertIn("belongs to chain id %d, not 5" % CHAIN_ID, other.log_text())


class DataDir(ChainTestCase):
    """What basechaind refuses at start: a data dir in use, flags that contradict each other
    or the chain, and a schema newer than the program (docs/basechain.md, Flags)."""

    def test_a_second_process_on_the_dir_is_refused_with_the_holders_pid(self):
        tmp = tempfile.mkdtemp(prefix="l2-basechain-")
        self.addCleanup(shutil.rmtree, tmp, True)
        first = self.new_chain(tmp=tmp)
        head = first.head()
        second = Chain(tmp, ("--dev", "--automine"))
        second.log = os.path.join(tmp, "second.log")
        self.assertEqual(second.start(expect_exit=True), 1)
        self.assertIn("is in use by process %d" % first.proc.pid, second.log_text())
        # The first one never noticed.
        self.assertEqual(first.head(), head)
        wire, _ = base_tx(self.funded(first), 0, 1, transfer_body(Key().public, 1))
        self.assertIsNotNone(first.send(wire)["block"])
        # A killed holder leaves the file, not the lock.
        first.kill()
        again = self.new_chain(tmp=tmp)
        self.assertEqual(again.head()["number"], head["number"] + 2)

    def test_automine_with_block_time_is_refused(self):
        tmp = tempfile.mkdtemp(prefix="l2-basechain-")
        self.addCleanup(shutil.rmtree, tmp, True)
        chain = Chain(tmp, ("--automine", "--block-time", "200"))
        self.assertNotEqual(chain.start(expect_exit=True), 0)
        self.assertFalse(os.path.exists(os.path.join(tmp, "data", "chain.db")))

    def test_genesis_alloc_on_an_existing_chain_is_refused(self):
        tmp = tempfile.mkdtemp(prefix="l2-basechain-")
        self.addCleanup(shutil.rmtree, tmp, True)
        alice = Key()
        chain = self.new_chain(("--automine", "--genesis-alloc", "%s:500" % alice.hex), tmp=tmp)
        self.assertEqual(chain.balance(alice), 500)
        chain.stop()
        again = Chain(tmp, ("--automine", "--genesis-alloc", "%s:900" % Key().hex))
        self.assertEqual(again.start(expect_exit=True), 1)
        self.assertIn("already holds a chain", again.log_text())
        # Without the flag it starts, with the genesis it had.
        self.assertEqual(self.new_chain(("--automine",), tmp=tmp).balance(alice), 500)

    def test_a_newer_schema_is_refused_naming_the_file_and_versions(self):
        tmp = tempfile.mkdtemp(prefix="l2-basechain-")
        self.addCleanup(shutil.rmtree, tmp, True)
        self.new_chain(tmp=tmp).stop()
        path = os.path.join(tmp, "data", "chain.db")
        db = sqlite3.connect(path)
        version = db.execute("PRAGMA user_version").fetchone()[0]
        db.execute("PRAGMA user_version = %d" % (version + 1))
        db.commit()
        db.close()
        again = Chain(tmp, ("--dev", "--automine"))
        self.assertEqual(again.start(expect_exit=True), 1)
        self.assertIn("%s: database schema version %d is newer than this program's %d" % (path, version + 1, version),
                      again.log_text())


class Modules(ChainTestCase):
    def test_registry_and_bridge(self):
        chain = self.new_chain()
        seq, alice, operator = self.funded(chain), self.funded(chain), Key()
        rollup = 700 + int.from_bytes(RUN_SALT[:2], "little")
        wire, _ = base_tx(seq, 0, 2, register_body(rollup, operator.public, bytes(32), 60, 600))
        chain.send(wire)
        with self.assertRaises(RpcError) as e:
            chain.send(base_tx(seq, 1, 2, register_body(rollup, operator.public, bytes(32), 60, 600))[0])
        self.assertEqual((e.exception.code, e.exception.data.get("reason")), (-32004, "rollup_exists"))
        chain.send(base_tx(alice, 0, 3, deposit_body(rollup, alice.public, 250))[0])
        forced = rollup_withdraw(alice, rollup, 1, 10, 0, 0)
        chain.send(base_tx(alice, 1, 4, force_body(rollup, forced))[0])
        info = chain.call("bridge_getRollup", {"rollup_id": rollup})
        self.assertEqual((info["sequencer"], info["operator_key"], info["locked"], info["deposit_count"],
                          info["forced_count"]), (seq.hex, operator.hex, "250", 1, 1))
        deps = chain.call("bridge_getDeposits", {"rollup_id": rollup, "from": 0, "limit": 10})
        self.assertEqual([(d["index"], d["recipient"], d["amount"]) for d in deps], [(0, alice.hex, "250")])
        fx = chain.call("bridge_getForcedTxs", {"rollup_id": rollup, "from": 0, "limit": 10})
        self.assertEqual([f["tx"] for f in fx], [forced.hex()])
        self.assertEqual(chain.balance(alice), 1_000_000 - 250)
        logs = chain.call("chain_getLogs", {"from_block": 0, "to_block": chain.head()["number"],
                                            "rollup_id": rollup})
        self.assertEqual([l["event"] for l in logs], ["RollupRegistered", "Deposit", "ForcedTx"])
        # A forced tx signed by someone else is refused.
        with self.assertRaises(RpcError) as e:
            chain.send(base_tx(seq, 1, 4, force_body(rollup, forced))[0])
        self.assertEqual(e.exception.data.get("reason"), "bad_tx_signature")

    def test_commitment_finality_and_withdrawal(self):
        chain = self.new_chain()
        seq, alice, operator = self.funded(chain), self.funded(chain), Key()
        rollup = 900 + int.from_bytes(RUN_SALT[2:4], "little")
        genesis = blake2b256(b"genesis")
        chain.send(base_tx(seq, 0, 2, register_body(rollup, operator.public, genesis, 600, 3600))[0])
        chain.send(base_tx(alice, 0, 3, deposit_body(rollup, alice.public, 500))[0])
        leaf = leaf_bytes(alice.public, 300, 1, 200)
        root, proof = two_leaf_tree(leaf_bytes(operator.public, 0, 0, 0), leaf)
        c = commitment(rollup, 1, genesis, root, empty_payload(), deposits_upto=1)
        r = chain.send(base_tx(seq, 1, 5, c)[0])
        got = chain.call("rollup_getCommitment", {"rollup_id": rollup, "batch": 1})
        self.assertEqual((got["new_root"], got["final"], got["tx_hash"]), (root.hex(), False, r["hash"]))
        claim = finalize_body(rollup, 1, leaf, proof)
        with self.assertRaises(RpcError) as e:
            chain.send(base_tx(alice, 1, 6, claim)[0])
        self.assertEqual(e.exception.data.get("reason"), "not_final")
        chain.call("dev_advanceTime", {"seconds": 600})
        self.assertTrue(chain.call("rollup_getCommitment", {"rollup_id": rollup, "batch": 1})["final"])
        before = chain.balance(alice)
        chain.send(base_tx(alice, 1, 6, claim)[0])
        self.assertEqual(chain.balance(alice), before + 200)
        self.assertEqual(chain.call("bridge_getWithdrawn", {"rollup_id": rollup, "account": alice.hex}), "200")
        self.assertEqual(chain.call("bridge_getRollup", {"rollup_id": rollup})["locked"], "300")
        with self.assertRaises(RpcError) as e:
            chain.send(base_tx(alice, 2, 6, claim)[0])
        self.assertEqual(e.exception.data.get("reason"), "nothing_to_claim")
        forged = finalize_body(rollup, 1, leaf_bytes(alice.public, 300, 1, 250), proof)
        with self.assertRaises(RpcError) as e:
            chain.send(base_tx(alice, 2, 6, forged)[0])
        self.assertEqual(e.exception.data.get("reason"), "bad_proof")


def main():
    global BASECHAIND
    args = sys.argv[1:]
    if args and not args[0].startswith("-"):
        BASECHAIND = args.pop(0)
    if not BASECHAIND or not os.access(BASECHAIND, os.X_OK):
        print("usage: test_basechain.py PATH/TO/basechaind [unittest args] (or BASECHAIND=...)", file=sys.stderr)
        return 2
    BASECHAIND = os.path.abspath(BASECHAIND)
    prog = unittest.main(argv=[sys.argv[0]] + args, exit=False, verbosity=2)
    return 0 if prog.result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
