#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The off-chain scaling stack developers
"""Black-box integration tests of sequencerd against its contract, docs/api.md.

usage: /usr/bin/python3 tests/integration/test_sequencer.py PATH/TO/sequencerd [unittest args]
       (or SEQUENCERD=PATH/TO/sequencerd /usr/bin/python3 tests/integration/test_sequencer.py)

Every test starts from the real binary on an ephemeral loopback port (`--port 0`) with a
temporary data dir and talks HTTP/1.1 to it; signing and hashing come from the
independent PyNaCl implementation of docs/encoding.md. The servers are always killed and
the directories removed, also when a test fails or times out. Each test has a time limit
(TEST_TIMEOUT_S, raised with L2_TEST_TIMEOUT_SCALE, e.g. under AddressSanitizer).
"""

import sys

sys.dont_write_bytecode = True  # keep the source tree clean of __pycache__

import http.client  # noqa: E402
import json  # noqa: E402
import re  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
import socket  # noqa: E402
import sqlite3  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import unittest  # noqa: E402

import l2client as l2  # noqa: E402
from l2client import transfer, withdraw  # noqa: E402

SEQUENCERD = os.environ.get("SEQUENCERD", "")
TIMEOUT_SCALE = float(os.environ.get("L2_TEST_TIMEOUT_SCALE", "1"))
TEST_TIMEOUT_S = 60
RUN_SALT = os.urandom(8).hex()  # fresh keys on every run
UNKNOWN_INDEX = 3_000_000  # no test creates this many accounts

# Server options for the limit tests (docs/api.md names the settings: http.max_body_bytes,
# http.max_batch_txs, http.read_timeout_ms, mempool.max_txs, mempool.max_hold_ms;
# sequencerd takes them as --http.max-body-bytes and so on).
SMALL_MAX_BODY = 64 * 1024
SMALL_MAX_TXS = 50
SMALL_MAX_HISTORY = 3  # diff entries: a transfer batch has 2-3
SHORT_READ_TIMEOUT_MS = 1000
SMALL_MEMPOOL = 8
SHORT_HOLD_MS = 1000


def is_hex(s, nbytes=None):
    if not isinstance(s, str) or len(s) % 2 or (nbytes is not None and len(s) != 2 * nbytes):
        return False
    try:
        bytes.fromhex(s)
    except ValueError:
        return False
    return s == s.lower()


def is_decimal(s):
    return isinstance(s, str) and s.isdigit() and s.isascii() and (s == "0" or not s.startswith("0"))


def is_count(v):
    return isinstance(v, int) and not isinstance(v, bool) and v >= 0


class ServerTestCase(l2.TimedTestCase):
    """Starts servers that are always killed and whose data dirs are always removed."""

    timeout_s = TEST_TIMEOUT_S
    _labels = 0

    @classmethod
    def new_server(cls, dev=True, extra_args=(), owner=None):
        """A started server in a fresh temp dir; cleanup registered on `owner` (a test or the class)."""
        tmp = tempfile.mkdtemp(prefix="l2-integration-")
        data = os.path.join(tmp, "data")
        os.mkdir(data)
        server = l2.SequencerProcess(SEQUENCERD, data, tmp, dev=dev, extra_args=extra_args)
        add_cleanup = owner.addCleanup if owner is not None else cls.addClassCleanup
        add_cleanup(shutil.rmtree, tmp, True)
        add_cleanup(server.kill)  # runs last: whatever happened, the process is gone
        add_cleanup(server.shutdown_checked)
        server.start(timeout=60 * TIMEOUT_SCALE)
        return server

    @classmethod
    def keys(cls, n):
        out = []
        for _ in range(n):
            ServerTestCase._labels += 1
            out.append(l2.Key("%s/%s/%d" % (RUN_SALT, cls.__name__, ServerTestCase._labels)))
        return out

    @classmethod
    def fund(cls, client, amounts):
        """New accounts, one per amount; returns [(key, index)]."""
        keys = cls.keys(len(amounts))
        indices = client.deposit(keys, amounts)
        return list(zip(keys, indices))

    # -------------------------------------------------------------- assertions

    def assert_error(self, r, status, code):
        self.assertEqual(r.status, status, "expected HTTP %d %s, got %r" % (status, code, r))
        self.assertTrue(r.headers.get("content-type", "").startswith("application/json"),
                        "error Content-Type: %r" % r.headers.get("content-type"))
        body = r.json()
        self.assertIsInstance(body.get("error"), dict, r)
        self.assertEqual(body["error"].get("code"), code, r)
        self.assertIsInstance(body["error"].get("message"), str, r)
        self.assertTrue(body["error"]["message"], "empty error message: %r" % r)

    def snapshot(self, client, indices):
        st = client.status()
        accounts = {}
        for i in indices:
            a = client.account(i)
            accounts[i] = (a["balance"], a["nonce"], a["withdrawn"])
        return st["state_root"], st["latest_batch"], st["mempool_depth"], accounts

    def assert_refused(self, client, indices, send, status, code, tx_hash=None):
        """Runs send() -> Response, expects the error, and checks that nothing changed."""
        before = self.snapshot(client, indices)
        r = send()
        self.assert_error(r, status, code)
        time.sleep(0.1)  # a tx wrongly accepted would reach the mempool or a batch by now
        self.assertEqual(self.snapshot(client, indices), before, "a refused request changed the state")
        if tx_hash is not None:
            self.assertEqual(client.get("/v1/transactions/" + tx_hash).status, 404,
                             "a refused tx is known to the server")
        return r

    def assert_receipt(self, receipt, tx, status, durable):
        self.assertEqual(receipt["hash"], tx.hash)
        self.assertEqual(receipt["status"], status, receipt)
        if durable:
            self.assertTrue(is_decimal(receipt.get("batch")), receipt)
            self.assertTrue(is_count(receipt.get("index")), receipt)
            self.assertTrue(is_hex(receipt.get("state_root"), 32), receipt)
        else:
            for k in ("batch", "index", "state_root"):
                self.assertNotIn(k, receipt, "an ingest refusal has no %s: %r" % (k, receipt))

    def check_batch_fields(self, b):
        self.assertTrue(is_decimal(b["number"]), b)
        for k in ("prev_root", "state_root", "txs_hash"):
            self.assertTrue(is_hex(b[k], 32), (k, b))
        self.assertTrue(is_count(b["tx_count"]) and is_count(b["applied_count"]), b)
        self.assertLessEqual(b["applied_count"], b["tx_count"], b)
        self.assertTrue(is_decimal(b["timestamp_ms"]), b)

    def check_chain(self, client, max_batches=300):
        """latest == status; prev_root of n == state_root of n-1 down the chain."""
        st = client.status()
        latest = client.get_json("/v1/batches/latest")
        self.check_batch_fields(latest)
        self.assertEqual(latest["number"], st["latest_batch"])
        self.assertEqual(latest["state_root"], st["state_root"])
        top = int(latest["number"])
        first = max(0, top - max_batches)
        prev = None
        for n in range(first, top + 1):
            r = client.get("/v1/batches/%d" % n)
            if n == 0 and r.status == 404:
                continue  # genesis need not be served
            self.assertEqual(r.status, 200, "batch %d: %r" % (n, r))
            b = r.json()
            self.check_batch_fields(b)
            self.assertEqual(b["number"], str(n))
            if prev is not None:
                self.assertEqual(b["prev_root"], prev["state_root"], "batch %d does not chain to %d" % (n, n - 1))
            prev = b
        self.assertEqual(prev, latest)
        return latest

    def check_proof(self, client, index, account):
        p = client.get_json("/v1/accounts/%d/proof" % index)
        self.assertEqual(p["index"], index)
        leaf = bytes.fromhex(p["leaf"])
        fields = l2.decode_leaf(leaf)
        self.assertEqual(fields["public_key"], account["public_key"])
        self.assertEqual(str(fields["balance"]), account["balance"])
        self.assertEqual(str(fields["nonce"]), account["nonce"])
        self.assertEqual(str(fields["withdrawn"]), account["withdrawn"])
        leaf_hash = l2.enc.leaf_hash(leaf)
        self.assertEqual(p["leaf_hash"], leaf_hash.hex())
        proof_index, siblings, root = l2.proof_root(index, leaf_hash, bytes.fromhex(p["proof"]))
        self.assertEqual(proof_index, index)
        self.assertEqual([s.hex() for s in siblings], p["siblings"], "siblings disagree with the proof encoding")
        self.assertEqual(len(p["siblings"]), 32)
        self.assertEqual(root.hex(), p["state_root"], "the proof does not verify against its state_root")
        wrong = l2.enc.leaf_hash(leaf[:32] + bytes([leaf[32] ^ 1]) + leaf[33:])
        self.assertNotEqual(l2.enc.root_from_proof(index, wrong, siblings).hex(), p["state_root"])
        self.assertEqual(p["batch"], account["batch"])
        self.assertEqual(p["state_root"], account["state_root"])
        return p


# ------------------------------------------------------------------ one shared dev server


class DevServerTests(ServerTestCase):
    """Most of the contract, against one server started with --dev."""

    @classmethod
    def setUpClass(cls):
        cls.server = cls.new_server()
        cls.c = cls.server.client()

    # -------------------------------------------------------------- the happy paths

    def test_status_and_health(self):
        st = self.c.status()
        self.assertEqual(st["chain_id"], "7")
        self.assertTrue(is_decimal(st["latest_batch"]), st)
        self.assertTrue(is_hex(st["state_root"], 32), st)
        self.assertTrue(is_count(st["accounts"]) and st["accounts"] >= 1, st)
        self.assertTrue(is_count(st["mempool_depth"]), st)
        self.assertIs(st["dev"], True)
        r = self.c.get("/health")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json(), {"status": "ok"})
        r = self.c.get("/ready")
        self.assertEqual((r.status, r.json()), (200, {"ready": True, "reasons": []}))
        fee = self.c.account(0)
        self.assertEqual(fee["index"], 0)

    def test_withdrawal_witness_without_a_base_chain(self):
        ((key, a),) = self.fund(self.c, [1000])
        w = withdraw(key, a, 300, nonce=0, fee=1)
        self.assertEqual(self.c.submit(w).json()["status"], "applied")
        self.c.submit(transfer(key, a, 0, 5, nonce=1))  # the tree moves on
        got = self.c.get_json("/v1/withdrawals/" + w.hash)
        self.assertEqual(got["status"], "pending")  # nothing to settle to
        self.assertEqual((got["account"], got["amount"], got["withdrawn"], got["nonce"]), (a, "300", "300", "1"))
        leaf = bytes.fromhex(got["leaf"])
        _, _, root = l2.proof_root(a, l2.enc.leaf_hash(leaf), bytes.fromhex(got["proof"]))
        self.assertEqual(root.hex(), got["state_root"], "the witness does not prove the batch's root")
        self.assertEqual(self.c.get_json("/v1/batches/" + got["batch"])["state_root"], got["state_root"])
        self.assertEqual([x["tx_hash"] for x in self.c.get_json("/v1/accounts/%d/withdrawals" % a)["withdrawals"]],
                         [w.hash])
        self.assert_error(self.c.get("/v1/settlement"), 404, "not_found")

    def test_submit_wait_applied_and_everything_agrees(self):
        (a_key, a), (b_key, b) = self.fund(self.c, [1_000_000, 1_000_000])
        before = {i: self.c.account(i) for i in (0, a, b)}
        self.assertEqual(before[a]["public_key"], a_key.public_hex)
        self.assertEqual((before[a]["balance"], before[a]["nonce"], before[a]["withdrawn"]), ("1000000", "0", "0"))

        tx = transfer(a_key, a, b, 1234, nonce=0, fee=3)
        r = self.c.submit(tx, wait=True)
        self.assertEqual(r.status, 200, r)
        receipt = r.json()
        self.assert_receipt(receipt, tx, "applied", durable=True)

        got = self.c.get_json("/v1/transactions/" + tx.hash)
        for k in ("hash", "status", "batch", "index", "state_root"):
            self.assertEqual(got[k], receipt[k], k)
        sent = tx.json()
        for k, v in got["tx"].items():
            self.assertEqual(v, sent.get(k), "tx field %s" % k)
        for k in sent:
            if k != "chain_id":
                self.assertEqual(got["tx"].get(k), sent[k], "tx field %s" % k)
        self.assertEqual(self.c.get_json("/v1/transactions/" + tx.hash.upper()), got)

        after = {i: self.c.account(i) for i in (0, a, b)}
        self.assertEqual(int(after[a]["balance"]), 1_000_000 - 1234 - 3)
        self.assertEqual(after[a]["nonce"], "1")
        self.assertEqual(int(after[b]["balance"]), 1_000_000 + 1234)
        self.assertEqual(after[b]["nonce"], "0")
        self.assertEqual(int(after[0]["balance"]), int(before[0]["balance"]) + 3, "the fee goes to account 0")
        for i, acc in after.items():
            self.assertEqual(acc["index"], i)
            self.assertTrue(is_decimal(acc["batch"]) and is_hex(acc["state_root"], 32), acc)
            self.assertGreaterEqual(int(acc["batch"]), int(receipt["batch"]))
        self.assertEqual(self.c.account(a_key.public_hex), after[a])
        self.assertEqual(self.c.account(a_key.public_hex.upper()), after[a])

        batch = self.c.get_json("/v1/batches/" + receipt["batch"])
        self.check_batch_fields(batch)
        self.assertEqual(batch["state_root"], receipt["state_root"])
        self.assertGreater(batch["tx_count"], receipt["index"])
        self.assertGreaterEqual(batch["applied_count"], 1)
        latest = self.check_chain(self.c)
        self.assertGreaterEqual(int(latest["number"]), int(receipt["batch"]))

        for i in (0, a, b):
            self.check_proof(self.c, i, after[i])
        self.assertEqual(after[a]["state_root"], latest["state_root"])

        # A withdrawal moves the withdrawn total in the leaf.
        wtx = withdraw(b_key, b, 100, nonce=0, fee=1)
        r = self.c.submit(wtx, wait=True)
        self.assertEqual(r.status, 200, r)
        self.assert_receipt(r.json(), wtx, "applied", durable=True)
        acc_b = self.c.account(b)
        self.assertEqual((int(acc_b["balance"]), acc_b["nonce"], acc_b["withdrawn"]),
                         (1_000_000 + 1234 - 101, "1", "100"))
        self.check_proof(self.c, b, acc_b)

    def check_as_of(self, ref, n, want):
        """GET /v1/accounts/{ref}?batch=n and its proof: `want` (balance, nonce, withdrawn) against batch n's root."""
        root = self.c.get_json("/v1/batches/%d" % n)["state_root"]
        a = self.c.get_json("/v1/accounts/%s?batch=%d" % (ref, n))
        self.assertEqual((a["batch"], a["state_root"]), (str(n), root), a)
        self.assertEqual((int(a["balance"]), int(a["nonce"]), int(a["withdrawn"])), want, "as of batch %d" % n)
        p = self.c.get_json("/v1/accounts/%s/proof?batch=%d" % (ref, n))
        self.assertEqual((p["batch"], p["state_root"], p["index"]), (str(n), root, a["index"]), p)
        leaf = bytes.fromhex(p["leaf"])
        fields = l2.decode_leaf(leaf)
        self.assertEqual((fields["public_key"], fields["balance"], fields["nonce"], fields["withdrawn"]),
                         (a["public_key"],) + want)
        index, siblings, got_root = l2.proof_root(a["index"], l2.enc.leaf_hash(leaf), bytes.fromhex(p["proof"]))
        self.assertEqual(got_root.hex(), root, "the proof as of batch %d does not verify against its root" % n)
        self.assertEqual([x.hex() for x in siblings], p["siblings"])

    def test_accounts_and_proofs_as_of_an_earlier_batch(self):
        (a_key, a), (b_key, b) = self.fund(self.c, [1_000_000, 500_000])
        history = []  # (batch, a's (balance, nonce, withdrawn), b's)
        state = {a: [1_000_000, 0, 0], b: [500_000, 0, 0]}
        history.append((int(self.c.account(a)["batch"]), tuple(state[a]), tuple(state[b])))
        for sender, key, to, amount, fee in ((a, a_key, b, 1000, 1), (b, b_key, a, 500, 2), (a, a_key, b, 300, 0)):
            r = self.c.submit(transfer(key, sender, to, amount, nonce=state[sender][1], fee=fee), wait=True)
            self.assertEqual(r.json()["status"], "applied", r)
            state[sender][0] -= amount + fee
            state[sender][1] += 1
            state[to][0] += amount
            history.append((int(r.json()["batch"]), tuple(state[a]), tuple(state[b])))
        r = self.c.submit(withdraw(b_key, b, 700, nonce=state[b][1], fee=1), wait=True)
        self.assertEqual(r.json()["status"], "applied", r)
        state[b] = [state[b][0] - 701, state[b][1] + 1, 700]
        history.append((int(r.json()["batch"]), tuple(state[a]), tuple(state[b])))
        self.assertEqual(len({n for n, _, _ in history}), len(history), "each step in a batch of its own")
        # Every step as of its batch, by index and by public key, while later batches exist.
        for n, want_a, want_b in history:
            self.check_as_of(str(a), n, want_a)
            self.check_as_of(b_key.public_hex, n, want_b)
        # latest is the default; before the account existed there is no account.
        latest = self.c.get_json("/v1/accounts/%d?batch=latest" % a)
        self.assertEqual(latest, self.c.account(a))
        self.assert_error(self.c.get("/v1/accounts/%d?batch=0" % a), 404, "not_found")
        self.assert_error(self.c.get("/v1/accounts/%d/proof?batch=0" % a), 404, "not_found")
        self.assertEqual(self.c.get_json("/v1/accounts/0?batch=0")["balance"], "0", "genesis: the fee account")
        # Not durable yet, malformed, given twice; final needs a base chain.
        future = int(self.c.status()["latest_batch"]) + 1000
        self.assert_error(self.c.get("/v1/accounts/%d?batch=%d" % (a, future)), 404, "not_found")
        for q in ("batch=x", "batch=-1", "batch=01", "batch=", "batch=1&batch=2"):
            self.assert_error(self.c.get("/v1/accounts/%d/proof?%s" % (a, q)), 400, "bad_query")
        r = self.c.get("/v1/accounts/%d?batch=final" % a)
        self.assert_error(r, 404, "not_found")
        self.assertIn("no base chain", r.json()["error"]["message"])
        head = self.c.request("HEAD", "/v1/accounts/%d/proof?batch=%d" % (a, history[0][0]))
        self.assertEqual((head.status, head.body), (200, b""))

    def test_submit_without_wait_is_pending_then_applied(self):
        (a_key, a), (_, b) = self.fund(self.c, [10_000, 10])
        tx = transfer(a_key, a, b, 500, nonce=0)
        r = self.c.submit(tx, wait=False)
        self.assertEqual(r.status, 202, r)
        self.assertEqual(r.json(), {"hash": tx.hash, "status": "pending"})
        final = self.c.wait_applied(tx.hash)
        self.assertEqual(final["status"], "applied", final)
        self.assertTrue(is_decimal(final["batch"]) and is_count(final["index"]), final)
        self.assertEqual(self.c.get_json("/v1/batches/" + final["batch"])["state_root"], final["state_root"])
        self.assertEqual(self.c.account(a)["nonce"], "1")
        self.assertEqual(self.c.account(b)["balance"], "510")

    def test_wait_times_out_as_pending(self):
        # A tx behind a nonce gap cannot commit: wait=true answers 202 pending after
        # timeout_ms, and a batch says pending for it; both apply once the gap is filled.
        (a_key, a), (_, b) = self.fund(self.c, [10_000, 10])
        held = transfer(a_key, a, b, 5, nonce=1)
        t0 = time.monotonic()
        r = self.c.post_json("/v1/transactions?wait=true&timeout_ms=300", held.json())
        elapsed = time.monotonic() - t0
        self.assertEqual(r.status, 202, r)
        self.assertEqual(r.json(), {"hash": held.hash, "status": "pending"})
        self.assertGreaterEqual(elapsed, 0.25)
        self.assertLess(elapsed, 5)
        held2 = transfer(a_key, a, b, 6, nonce=2)
        r = self.c.post_json("/v1/batches?timeout_ms=300", [held2.json()])
        self.assertEqual(r.status, 200, r)
        self.assertEqual(len(r.json()["receipts"]), 1)
        self.assert_receipt(r.json()["receipts"][0], held2, "pending", durable=False)
        r = self.c.submit(transfer(a_key, a, b, 7, nonce=0))
        self.assertEqual(r.status, 200, r)
        for tx in (held, held2):
            self.assertEqual(self.c.wait_applied(tx.hash)["status"], "applied")
        self.assertEqual(self.c.account(a)["nonce"], "3")

    def test_uppercase_hex_is_accepted(self):
        (a_key, a), (_, b) = self.fund(self.c, [10_000, 10])
        tx = transfer(a_key, a, b, 5, nonce=0)
        body = tx.json()
        body["signature"] = body["signature"].upper()
        r = self.c.post_json("/v1/transactions?wait=true", body)
        self.assertEqual(r.status, 200, r)
        self.assert_receipt(r.json(), tx, "applied", durable=True)

    def test_keep_alive(self):
        conn = l2.Connection(self.server.port)
        try:
            for _ in range(20):
                r = conn.request("GET", "/v1/status")
                self.assertEqual(r.status, 200)
                self.assertNotEqual(r.headers.get("connection", "").lower(), "close")
        finally:
            conn.close()

    # -------------------------------------------------------------- batches with mixed outcomes

    def mixed_batch(self, binary):
        """A batch whose txs meet every per-tx outcome: [(tx, expected status)] and the
        expected (balance, nonce, withdrawn) of the accounts involved."""
        (a_key, a), (b_key, b), (c_key, c) = self.fund(self.c, [1_000_000, 1_000_000, 5])
        pre = transfer(a_key, a, b, 10, nonce=0)
        self.assertEqual(self.c.submit(pre).status, 200)
        good1 = transfer(a_key, a, b, 100, nonce=1)
        txs = [
            (good1, "applied"),
            (transfer(a_key, a, b, 50, nonce=2).with_corrupt_signature(), "bad_signature"),
            (transfer(a_key, a, b, 50, nonce=2), "applied"),
            (transfer(a_key, a, b, 7, nonce=0), "nonce_too_low"),
            (transfer(c_key, c, b, 1000, nonce=0), "insufficient_balance"),
            (transfer(a_key, UNKNOWN_INDEX, b, 5, nonce=0), "unknown_account"),
            (transfer(a_key, a, UNKNOWN_INDEX, 5, nonce=3), "unknown_account"),
            (transfer(a_key, a, b, 30, nonce=3), "applied"),
            (transfer(a_key, a, b, 1, nonce=4), "applied"),
            (transfer(a_key, a, b, 2, nonce=4), "nonce_in_use"),
            (withdraw(b_key, b, 10, nonce=0), "applied"),
        ]
        if not binary:
            txs.insert(5, (transfer(a_key, a, b, 9, nonce=3, chain_id=8), "wrong_chain"))
        expected_accounts = {
            a: (str(1_000_000 - 11 - 101 - 51 - 31 - 2), "5", "0"),
            b: (str(1_000_000 + 10 + 100 + 50 + 30 + 1 - 11), "1", "10"),
            c: ("5", "0", "0"),
        }
        return txs, expected_accounts

    def check_mixed_outcome(self, txs, receipts, expected_accounts, fee_before, json_receipts=True):
        self.assertEqual(len(receipts), len(txs), "one receipt per tx")
        positions = set()
        for n, ((tx, want), rc) in enumerate(zip(txs, receipts)):
            with self.subTest(tx=n, want=want):
                durable = want in ("applied", "insufficient_balance")
                if want != "wrong_chain":  # its hash would be on the other chain's terms
                    self.assertEqual(rc["hash"], tx.hash)
                self.assertEqual(rc["status"], want, rc)
                if json_receipts:
                    self.assert_receipt(rc, tx, want, durable)
                if durable:
                    self.assertNotIn((rc["batch"], rc["index"]), positions)
                    positions.add((rc["batch"], rc["index"]))
                    got = self.c.get_json("/v1/transactions/" + tx.hash)
                    self.assertEqual((got["status"], str(got["batch"]), got["index"]),
                                     (want, str(rc["batch"]), rc["index"]))
                else:
                    self.assertEqual(self.c.get("/v1/transactions/" + tx.hash).status, 404,
                                     "a tx refused at ingest is not remembered")
        for i, (balance, nonce, withdrawn) in expected_accounts.items():
            acc = self.c.account(i)
            self.assertEqual((acc["balance"], acc["nonce"], acc["withdrawn"]), (balance, nonce, withdrawn),
                             "account %d" % i)
        self.assertEqual(int(self.c.account(0)["balance"]) - fee_before, 6, "fees of the six applied txs")
        self.check_chain(self.c)

    def test_batch_json_mixed_outcomes(self):
        txs, expected = self.mixed_batch(binary=False)
        fee_before = int(self.c.account(0)["balance"]) - 1  # the setup tx paid 1
        r = self.c.post_json("/v1/batches", [tx.json() for tx, _ in txs])
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.headers.get("content-type", "").startswith("application/json"))
        self.check_mixed_outcome(txs, r.json()["receipts"], expected, fee_before)

    def test_batch_binary_mixed_outcomes_json_receipts(self):
        txs, expected = self.mixed_batch(binary=True)
        fee_before = int(self.c.account(0)["balance"]) - 1
        r = self.c.post_binary("/v1/batches", l2.binary_batch([tx for tx, _ in txs]))
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.headers.get("content-type", "").startswith("application/json"))
        self.check_mixed_outcome(txs, r.json()["receipts"], expected, fee_before)

    def test_batch_binary_mixed_outcomes_binary_receipts(self):
        txs, expected = self.mixed_batch(binary=True)
        fee_before = int(self.c.account(0)["balance"]) - 1
        r = self.c.post_binary("/v1/batches", l2.binary_batch([tx for tx, _ in txs]), accept_binary=True)
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.headers.get("content-type", "").startswith("application/octet-stream"), r.headers)
        receipts = l2.decode_binary_receipts(r.body)
        ingest_codes = {"bad_signature": 1, "nonce_too_low": 101, "nonce_in_use": 104, "unknown_account": 107}
        for (tx, want), rc in zip(txs, receipts):
            if want in ingest_codes:
                self.assertEqual((rc["status_code"], rc["batch"]), (ingest_codes[want], 0), (want, rc))
            else:
                self.assertNotEqual(rc["batch"], 0, rc)
                self.assertEqual(self.c.get_json("/v1/batches/%d" % rc["batch"])["number"], str(rc["batch"]))
        self.check_mixed_outcome(txs, receipts, expected, fee_before, json_receipts=False)

    def test_batch_forged_signature_does_not_take_the_nonce(self):
        # docs/api.md: in a batch, a bad signature is refused at ingest (no batch) and the
        # rest proceed. A forged tx must not occupy its sender's nonce: anybody could make
        # an account's genuine tx fail (nonce_in_use, then bad_nonce) by forging one first.
        mallory = self.keys(1)[0]
        for binary in (False, True):
            with self.subTest(binary=binary):
                (a_key, a), (_, b) = self.fund(self.c, [1_000_000, 10])
                forged = transfer(mallory, a, b, 999, nonce=0)
                genuine = [transfer(a_key, a, b, 5, nonce=0), transfer(a_key, a, b, 6, nonce=1)]
                if binary:
                    r = self.c.post_binary("/v1/batches", l2.binary_batch([forged] + genuine))
                else:
                    r = self.c.post_json("/v1/batches", [tx.json() for tx in [forged] + genuine])
                self.assertEqual(r.status, 200, r)
                receipts = r.json()["receipts"]
                self.assertEqual([rc["status"] for rc in receipts], ["bad_signature", "applied", "applied"])
                self.assert_receipt(receipts[0], forged, "bad_signature", durable=False)
                self.assertEqual(self.c.account(a)["nonce"], "2")

    # -------------------------------------------------------------- refusals: nothing changes

    def refusal_accounts(self):
        (a_key, a), (_, b) = self.fund(self.c, [1_000_000, 10])
        self.assertEqual(self.c.submit(transfer(a_key, a, b, 1, nonce=0)).status, 200)
        return a_key, a, b  # a's nonce is 1

    def post_tx_body(self, body, content_type="application/json", query="?wait=true"):
        return lambda: self.c.request("POST", "/v1/transactions" + query, body, {"Content-Type": content_type})

    def test_refuses_malformed_json(self):
        a_key, a, b = self.refusal_accounts()
        good = transfer(a_key, a, b, 5, nonce=1).json()
        text = json.dumps(good)
        for bad in (text[:-1], text + "}", "{not json", "", "\xff\xfe"):
            with self.subTest(body=bad[:20]):
                self.assert_refused(self.c, [a, b], self.post_tx_body(bad.encode("latin-1")), 400, "bad_json")
        for bad in (text[:-1], "[" + text, ""):
            with self.subTest(batch=bad[:20]):
                self.assert_refused(
                    self.c, [a, b],
                    lambda: self.c.request("POST", "/v1/batches", bad, {"Content-Type": "application/json"}),
                    400, "bad_json")

    def test_refuses_a_key_given_twice(self):
        a_key, a, b = self.refusal_accounts()
        tx = transfer(a_key, a, b, 5, nonce=1)
        text = json.dumps(tx.json())
        # The signed amount first, a larger one after it: "last one wins" would read 1000.
        twice = text[:-1] + ', "amount": "1000"}'
        for path in ("/v1/transactions?wait=true", "/v1/batches"):
            body = twice if path.startswith("/v1/transactions") else "[" + twice + "]"
            with self.subTest(path=path):
                r = self.assert_refused(self.c, [a, b], lambda: self.c.request(
                    "POST", path, body.encode(), {"Content-Type": "application/json"}), 400, "bad_request", tx.hash)
                self.assertIn("'amount' appears twice", r.json()["error"]["message"])

    def test_head_answers_every_get_route_without_a_body(self):
        for path in ("/health", "/ready", "/metrics", "/v1/status", "/v1/batches/latest", "/v1/accounts/0"):
            with self.subTest(path=path):
                got = self.c.get(path)
                head = self.c.request("HEAD", path)
                self.assertEqual(head.status, got.status)
                self.assertEqual(head.body, b"")
                self.assertEqual(head.headers.get("content-type"), got.headers.get("content-type"))
                if path != "/metrics":  # the metrics move between the two requests
                    self.assertEqual(int(head.headers["content-length"]), len(got.body))
        r = self.c.request("HEAD", "/v1/transactions")  # a POST-only route
        self.assertEqual(r.status, 405)
        self.assertNotIn("HEAD", r.headers.get("allow", ""))
        allow = [m.strip() for m in self.c.request("POST", "/health").headers.get("allow", "").split(",")]
        self.assertEqual(allow, ["GET", "HEAD"])

    def test_oversized_headers_get_431(self):
        r = self.c.request("GET", "/health", headers={"X-Big": "x" * 20000})
        self.assert_error(r, 431, "headers_too_large")

    def raw_exchange(self, sock, request):
        """Sends `request`, reads one response (Content-Length framed): (head text, body)."""
        sock.sendall(request)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                raise AssertionError("connection closed before a response: %r" % data)
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))
        while len(body) < length:
            body += sock.recv(65536)
        return head.decode(), body

    def test_http10_keep_alive_is_honoured(self):
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=10 * TIMEOUT_SCALE) as sock:
            for _ in range(3):
                head, body = self.raw_exchange(sock, b"GET /health HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
                self.assertIn(" 200 ", head.splitlines()[0])
                self.assertRegex(head, r"(?im)^connection: *keep-alive")
                self.assertEqual(json.loads(body), {"status": "ok"})
        # Without it, HTTP/1.0 closes after the answer.
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=10 * TIMEOUT_SCALE) as sock:
            head, _ = self.raw_exchange(sock, b"GET /health HTTP/1.0\r\n\r\n")
            self.assertIn(" 200 ", head.splitlines()[0])
            self.assertEqual(sock.recv(1), b"", "the connection stays open")

    @unittest.skipUnless(shutil.which("ab"), "ab (apache2-utils) is not installed")
    def test_ab_keep_alive_gets_every_answer(self):
        r = subprocess.run(["ab", "-k", "-q", "-n", "2000", "-c", "4", "-s", "10",
                            "http://127.0.0.1:%d/health" % self.server.port],
                           capture_output=True, timeout=60 * TIMEOUT_SCALE)
        out = r.stdout.decode()
        self.assertEqual(r.returncode, 0, out + r.stderr.decode())
        self.assertRegex(out, r"Complete requests:\s+2000")
        self.assertRegex(out, r"Failed requests:\s+0")
        self.assertRegex(out, r"Keep-Alive requests:\s+2000")
        self.assertNotIn("Non-2xx", out)

    @unittest.skipUnless(shutil.which("curl"), "curl is not installed")
    def test_curl_gets_status_and_head(self):
        url = "http://127.0.0.1:%d" % self.server.port
        r = subprocess.run(["curl", "-sS", "--fail", url + "/v1/status"], capture_output=True, timeout=30)
        self.assertEqual(r.returncode, 0, r)
        self.assertEqual(json.loads(r.stdout)["chain_id"], "7")
        r = subprocess.run(["curl", "-sS", "-I", "--fail", url + "/health"], capture_output=True, timeout=30)
        self.assertEqual(r.returncode, 0, r)
        self.assertRegex(r.stdout.decode(), r"(?i)content-type: *application/json")

    def test_refuses_wrong_shapes(self):
        a_key, a, b = self.refusal_accounts()
        tx = transfer(a_key, a, b, 5, nonce=1)
        cases = {
            "amount as a number": dict(tx.json(), amount=5),
            "from as a string": dict(tx.json(), **{"from": str(a)}),
            "nonce as a number": dict(tx.json(), nonce=1),
            "missing nonce": {k: v for k, v in tx.json().items() if k != "nonce"},
            "missing signature": {k: v for k, v in tx.json().items() if k != "signature"},
            "missing to": {k: v for k, v in tx.json().items() if k != "to"},
            "unknown field": dict(tx.json(), memo="hello"),
            "amount over 64 bits": dict(tx.json(), amount="18446744073709551616"),
            "amount with a leading zero": dict(tx.json(), amount="05"),
            "negative amount": dict(tx.json(), amount="-5"),
            "from over 32 bits": dict(tx.json(), **{"from": 1 << 32}),
            "not an object": [tx.json()],
        }
        for name, body in cases.items():
            with self.subTest(case=name):
                self.assert_refused(self.c, [a, b], lambda: self.c.post_json("/v1/transactions?wait=true", body),
                                    400, "bad_request", tx.hash)
        with self.subTest(case="batch body not an array"):
            self.assert_refused(self.c, [a, b], lambda: self.c.post_json("/v1/batches", tx.json()), 400,
                                "bad_request", tx.hash)

    def test_refuses_unknown_type(self):
        a_key, a, b = self.refusal_accounts()
        tx = transfer(a_key, a, b, 5, nonce=1)
        for t in ("mint", "deposit", "Transfer", ""):
            with self.subTest(type=t):
                self.assert_refused(self.c, [a, b],
                                    lambda: self.c.post_json("/v1/transactions?wait=true", dict(tx.json(), type=t)),
                                    400, "unknown_type", tx.hash)

    def test_refuses_bad_hex(self):
        a_key, a, b = self.refusal_accounts()
        tx = transfer(a_key, a, b, 5, nonce=1)
        sig = tx.json()["signature"]
        for name, bad in (("odd length", sig[:-1]), ("not hex", "zz" + sig[2:]),
                          ("63 bytes", sig[:-2]), ("65 bytes", sig + "00"), ("0x prefix", "0x" + sig[2:])):
            with self.subTest(case=name):
                self.assert_refused(
                    self.c, [a, b],
                    lambda: self.c.post_json("/v1/transactions?wait=true", dict(tx.json(), signature=bad)), 400,
                    "bad_hex", tx.hash)

    def test_refuses_bad_binary_encoding(self):
        a_key, a, b = self.refusal_accounts()
        tx = transfer(a_key, a, b, 5, nonce=1)
        good = l2.binary_batch([tx])
        cases = {
            "truncated": good[:-1],
            "trailing byte": good + b"\x00",
            "unknown tag": good[:9] + b"\x04" + good[10:],
            "non-minimal count": good[:8] + b"\x81\x00" + good[9:],
            "no chain id": good[:5],
        }
        for name, body in cases.items():
            with self.subTest(case=name):
                self.assert_refused(self.c, [a, b], lambda: self.c.post_binary("/v1/batches", body), 400,
                                    "bad_encoding", tx.hash)

    def test_refuses_wrong_chain(self):
        a_key, a, b = self.refusal_accounts()
        tx = transfer(a_key, a, b, 5, nonce=1, chain_id=8)
        self.assert_refused(self.c, [a, b], lambda: self.c.submit(tx), 400, "wrong_chain", tx.hash)

    def test_refuses_bad_signature(self):
        a_key, a, b = self.refusal_accounts()
        tx = transfer(a_key, a, b, 5, nonce=1).with_corrupt_signature()
        self.assert_refused(self.c, [a, b], lambda: self.c.submit(tx), 400, "bad_signature", tx.hash)
        other = self.keys(1)[0]  # right fields, signed by a key that is not account a's
        tx = transfer(other, a, b, 5, nonce=1)
        self.assert_refused(self.c, [a, b], lambda: self.c.submit(tx), 400, "bad_signature", tx.hash)

    def test_refuses_unknown_account(self):
        a_key, a, b = self.refusal_accounts()
        tx = transfer(a_key, UNKNOWN_INDEX, b, 5, nonce=0)
        self.assert_refused(self.c, [a, b], lambda: self.c.submit(tx), 400, "unknown_account", tx.hash)
        tx = transfer(a_key, a, UNKNOWN_INDEX, 5, nonce=1)
        self.assert_refused(self.c, [a, b], lambda: self.c.submit(tx), 400, "unknown_account", tx.hash)

    def test_refuses_nonce_too_low_and_too_high(self):
        a_key, a, b = self.refusal_accounts()
        tx = transfer(a_key, a, b, 77, nonce=0)
        self.assert_refused(self.c, [a, b], lambda: self.c.submit(tx), 400, "nonce_too_low", tx.hash)
        tx = transfer(a_key, a, b, 77, nonce=10**12)
        self.assert_refused(self.c, [a, b], lambda: self.c.submit(tx), 400, "nonce_too_high", tx.hash)

    def test_refuses_duplicate(self):
        a_key, a, b = self.refusal_accounts()
        tx = transfer(a_key, a, b, 5, nonce=1)
        self.assertEqual(self.c.submit(tx).status, 200)
        r = self.assert_refused(self.c, [a, b], lambda: self.c.submit(tx), 409, "duplicate")
        self.assertEqual(self.c.wait_applied(tx.hash)["status"], "applied")
        # Pending, not yet committed: a duplicate too.
        tx2 = transfer(a_key, a, b, 6, nonce=2)
        self.assertEqual(self.c.submit(tx2, wait=False).status, 202)
        r = self.c.submit(tx2, wait=False)
        self.assert_error(r, 409, "duplicate")
        self.assertEqual(self.c.wait_applied(tx2.hash)["status"], "applied")
        self.assertEqual(self.c.account(a)["nonce"], "3", "the duplicate must not apply twice")

    def test_nonce_in_use_and_a_filled_gap(self):
        a_key, a, b = self.refusal_accounts()
        ahead = transfer(a_key, a, b, 5, nonce=2)  # nonce 1 is missing: held in the mempool
        r = self.c.submit(ahead, wait=False)
        self.assertEqual(r.status, 202, r)
        rival = transfer(a_key, a, b, 6, nonce=2)
        r = self.c.submit(rival, wait=False)
        self.assert_error(r, 409, "nonce_in_use")
        self.assertEqual(self.c.get("/v1/transactions/" + rival.hash).status, 404)
        self.assertEqual(self.c.get_json("/v1/transactions/" + ahead.hash)["status"], "pending")
        gap = transfer(a_key, a, b, 7, nonce=1)
        r = self.c.submit(gap, wait=True)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.c.wait_applied(ahead.hash)["status"], "applied")
        acc = self.c.account(a)
        self.assertEqual((acc["nonce"], int(acc["balance"])), ("3", 1_000_000 - 2 - 6 - 8))

    def test_bad_query_refuses_the_tx(self):
        a_key, a, b = self.refusal_accounts()
        tx = transfer(a_key, a, b, 5, nonce=1)
        for q in ("?wait=true&timeout_ms=abc", "?wait=maybe", "?timeout_ms=-1&wait=true"):
            with self.subTest(query=q):
                self.assert_refused(self.c, [a, b], self.post_tx_body(tx.json(), query=q), 400, "bad_query", tx.hash)

    def test_refuses_unsupported_media_type(self):
        a_key, a, b = self.refusal_accounts()
        tx = transfer(a_key, a, b, 5, nonce=1)
        body = json.dumps(tx.json()).encode()
        for ct in ("text/plain", "application/octet-stream", "application/x-www-form-urlencoded"):
            with self.subTest(route="/v1/transactions", content_type=ct):
                self.assert_refused(self.c, [a, b], self.post_tx_body(body, content_type=ct), 415,
                                    "unsupported_media_type", tx.hash)
        with self.subTest(route="/v1/batches", content_type="text/plain"):
            self.assert_refused(
                self.c, [a, b],
                lambda: self.c.request("POST", "/v1/batches", b"[" + body + b"]", {"Content-Type": "text/plain"}),
                415, "unsupported_media_type", tx.hash)

    def test_unknown_routes_and_missing_things(self):
        for path in ("/v1/nope", "/nope", "/v2/status", "/v1/accounts/1/proof/extra"):
            with self.subTest(path=path):
                self.assert_refused(self.c, [], lambda: self.c.get(path), 404, "not_found")
        for path in ("/v1/transactions/" + "00" * 32, "/v1/accounts/%d" % UNKNOWN_INDEX,
                     "/v1/accounts/%d/proof" % UNKNOWN_INDEX, "/v1/accounts/" + self.keys(1)[0].public_hex,
                     "/v1/batches/999999999"):
            with self.subTest(path=path):
                self.assert_error(self.c.get(path), 404, "not_found")

    def test_wrong_method_lists_allowed(self):
        cases = [("DELETE", "/v1/transactions", "POST"), ("GET", "/v1/transactions", "POST"),
                 ("PUT", "/v1/status", "GET"), ("POST", "/v1/status", "GET"), ("GET", "/v1/batches", "POST"),
                 ("POST", "/v1/batches/latest", "GET"), ("DELETE", "/v1/accounts/0", "GET"),
                 ("POST", "/health", "GET"), ("PUT", "/v1/dev/deposit", "POST")]
        for method, path, allowed in cases:
            with self.subTest(method=method, path=path):
                r = self.assert_refused(self.c, [], lambda: self.c.request(method, path, b"{}",
                                                                           {"Content-Type": "application/json"}),
                                        405, "method_not_allowed")
                allow = [m.strip() for m in r.headers.get("allow", "").split(",")]
                self.assertIn(allowed, allow, "Allow header %r" % r.headers.get("allow"))
                self.assertNotIn(method, allow)

    # -------------------------------------------------------------- metrics

    def test_metrics(self):
        def scrape():
            r = self.c.get("/metrics")
            self.assertEqual(r.status, 200)
            self.assertTrue(r.headers.get("content-type", "").startswith("text/plain"), r.headers)
            return l2.parse_prometheus(r.body.decode("utf-8"))

        samples, types = scrape()
        expected_types = {"l2_http_requests_total": "counter", "l2_txs_accepted_total": "counter",
                          "l2_txs_rejected_total": "counter", "l2_batch_txs": "histogram",
                          "l2_stage_seconds": "histogram", "l2_mempool_depth": "gauge", "l2_latest_batch": "gauge"}
        for name, kind in expected_types.items():
            self.assertEqual(types.get(name), kind, "TYPE of %s" % name)
        names = {n for n, _, _ in samples}
        for n in ("l2_mempool_depth", "l2_latest_batch", "l2_batch_txs_bucket", "l2_batch_txs_sum",
                  "l2_batch_txs_count", "l2_stage_seconds_bucket", "l2_stage_seconds_count"):
            self.assertIn(n, names)
        for n, labels, _ in samples:
            if n == "l2_http_requests_total":
                self.assertEqual(set(labels), {"route", "code"}, labels)
        stages = {ls.get("stage") for n, ls, _ in samples if n == "l2_stage_seconds_count"}
        self.assertTrue({"verify", "execute", "merkle", "commit"} <= stages, stages)
        # The build-info gauge (Prometheus convention): one sample, value 1, the build in its labels.
        self.assertEqual(types.get("l2_build_info"), "gauge")
        build = [(ls, v) for n, ls, v in samples if n == "l2_build_info"]
        self.assertEqual(len(build), 1, build)
        self.assertEqual(set(build[0][0]), {"version", "commit", "build_type"}, build)
        self.assertEqual(build[0][1], 1)

        (a_key, a), (_, b) = self.fund(self.c, [1_000_000, 10])
        requests0 = l2.metric_sum(samples, "l2_http_requests_total")
        accepted0 = l2.metric_sum(samples, "l2_txs_accepted_total")
        badsig0 = l2.metric_sum(samples, "l2_txs_rejected_total", reason="bad_signature")
        batches0 = l2.metric_sum(samples, "l2_batch_txs_count")
        for n in range(3):
            self.assertEqual(self.c.submit(transfer(a_key, a, b, 1, nonce=n)).status, 200)
        self.assertEqual(self.c.submit(transfer(a_key, a, b, 1, nonce=3).with_corrupt_signature()).status, 400)

        samples, _ = scrape()
        self.assertGreaterEqual(l2.metric_sum(samples, "l2_http_requests_total") - requests0, 4)
        self.assertGreaterEqual(l2.metric_sum(samples, "l2_http_requests_total", code="200"), 3)
        self.assertGreaterEqual(l2.metric_sum(samples, "l2_txs_accepted_total") - accepted0, 3)
        self.assertGreaterEqual(l2.metric_sum(samples, "l2_txs_rejected_total", reason="bad_signature") - badsig0, 1)
        self.assertGreater(l2.metric_sum(samples, "l2_batch_txs_count"), batches0)
        self.assertEqual(l2.metric_sum(samples, "l2_latest_batch"), float(self.c.status()["latest_batch"]))
        for hist in ("l2_batch_txs", "l2_stage_seconds"):
            inf = l2.metric_sum(samples, hist + "_bucket", le="+Inf")
            self.assertEqual(inf, l2.metric_sum(samples, hist + "_count"), hist)


# ------------------------------------------------------------------ limits and slow clients


class LimitTests(ServerTestCase):
    """A server with small http limits and a short read timeout."""

    @classmethod
    def setUpClass(cls):
        cls.server = cls.new_server(extra_args=[
            "--http.max-body-bytes", str(SMALL_MAX_BODY), "--http.max-batch-txs", str(SMALL_MAX_TXS),
            "--http.read-timeout-ms", str(SHORT_READ_TIMEOUT_MS),
            "--http.max-history-changes", str(SMALL_MAX_HISTORY)])
        cls.c = cls.server.client()
        cls.accounts = cls.fund(cls.c, [1_000_000, 10])

    def test_history_too_deep(self):
        (a_key, a), (_, b) = self.fund(self.c, [1000, 0])  # accounts of its own: the others' nonces stay
        start = int(self.c.status()["latest_batch"])
        for k in range(SMALL_MAX_HISTORY):  # a batch each: >= 2 account changes per batch
            r = self.c.submit(transfer(a_key, a, b, 1, nonce=k), wait=True)
            self.assertEqual(r.json()["status"], "applied", r)
        before = self.c.account(a)
        r = self.c.get("/v1/accounts/%d/proof?batch=%d" % (a, start))
        self.assert_error(r, 422, "history_too_deep")
        self.assertIn("http.max_history_changes", r.json()["error"]["message"])
        self.assertEqual(self.c.account(a), before, "a refused read changes nothing")
        last = int(before["batch"])
        self.assertEqual(self.c.get_json("/v1/accounts/%d/proof?batch=%d" % (a, last))["batch"], str(last),
                         "a batch with nothing after it is within any limit")

    def test_body_too_large(self):
        (a_key, a), (_, b) = self.accounts
        body = dict(transfer(a_key, a, b, 5, nonce=0).json())
        big = json.dumps([body] * (SMALL_MAX_BODY // len(json.dumps(body)) + 10)).encode()
        self.assertGreater(len(big), SMALL_MAX_BODY)
        self.assert_refused(self.c, [a, b], lambda: self.c.request("POST", "/v1/batches", big,
                                                                    {"Content-Type": "application/json"}),
                            413, "body_too_large")
        single = json.dumps(dict(body, pad="x" * SMALL_MAX_BODY)).encode()
        self.assert_refused(self.c, [a, b], lambda: self.c.request("POST", "/v1/transactions", single,
                                                                    {"Content-Type": "application/json"}),
                            413, "body_too_large")

    def test_too_many_txs(self):
        (a_key, a), (_, b) = self.accounts
        txs = [transfer(a_key, a, b, 1, nonce=n) for n in range(SMALL_MAX_TXS + 1)]
        self.assert_refused(self.c, [a, b], lambda: self.c.post_json("/v1/batches", [t.json() for t in txs]), 413,
                            "too_many_txs", txs[0].hash)
        self.assert_refused(self.c, [a, b], lambda: self.c.post_binary("/v1/batches", l2.binary_batch(txs)), 413,
                            "too_many_txs", txs[0].hash)
        # Exactly the limit is fine.
        r = self.c.post_binary("/v1/batches", l2.binary_batch(txs[:SMALL_MAX_TXS]))
        self.assertEqual(r.status, 200, r)
        self.assertEqual([rc["status"] for rc in r.json()["receipts"]], ["applied"] * SMALL_MAX_TXS)

    def slow_request(self, first_half):
        """Sends half a request, checks the server still serves others meanwhile, and then
        that the slow connection gets 408 timeout or is closed after the read timeout."""
        s = socket.create_connection(("127.0.0.1", self.server.port), timeout=10)
        try:
            s.sendall(first_half)
            t0 = time.monotonic()
            for _ in range(3):  # the server answers other clients while this one dawdles
                r = self.c.get("/v1/status")
                self.assertEqual(r.status, 200)
            deadline = t0 + SHORT_READ_TIMEOUT_MS / 1000 * 5 + 5
            data = b""
            s.settimeout(0.2)
            while time.monotonic() < deadline:
                try:
                    chunk = s.recv(65536)
                except socket.timeout:
                    continue
                except ConnectionResetError:
                    break
                if not chunk:
                    break
                data += chunk
            else:
                self.fail("the server kept a stalled request open for %.1f s (read timeout %d ms)" %
                          (time.monotonic() - t0, SHORT_READ_TIMEOUT_MS))
            elapsed = time.monotonic() - t0
            self.assertGreaterEqual(elapsed, SHORT_READ_TIMEOUT_MS / 1000 * 0.8, "closed before the read timeout")
            if data:
                head = data.split(b"\r\n", 1)[0]
                self.assertTrue(head.startswith(b"HTTP/1.1 408"), "got %r" % data[:200])
                self.assertIn(b'"timeout"', data)
        finally:
            s.close()
        self.assertEqual(self.c.get("/v1/status").status, 200)

    def test_slow_client_headers(self):
        self.slow_request(b"POST /v1/transactions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Ty")

    def test_slow_client_body(self):
        self.slow_request(b"POST /v1/transactions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                          b"Content-Type: application/json\r\nContent-Length: 300\r\n\r\n{\"type\": \"tra")


class MempoolTests(ServerTestCase):
    """A server with a tiny mempool and a short hold for txs behind a nonce gap."""

    @classmethod
    def setUpClass(cls):
        cls.server = cls.new_server(extra_args=["--mempool.max-txs", str(SMALL_MEMPOOL),
                                                "--mempool.max-hold-ms", str(SHORT_HOLD_MS)])
        cls.c = cls.server.client()

    def test_mempool_full_then_dropped(self):
        (a_key, a), (_, b) = self.fund(self.c, [1_000_000, 10])
        held = [transfer(a_key, a, b, 1, nonce=n) for n in range(1, SMALL_MEMPOOL + 1)]  # nonce 0 missing
        t0 = time.monotonic()
        for tx in held:
            r = self.c.submit(tx, wait=False)
            self.assertEqual(r.status, 202, r)
        extra = transfer(a_key, a, b, 1, nonce=SMALL_MEMPOOL + 1)
        r = self.c.submit(extra, wait=False)
        self.assertLess(time.monotonic() - t0, SHORT_HOLD_MS / 1000, "too slow to fill the mempool in time")
        self.assert_error(r, 503, "mempool_full")
        retry = r.headers.get("retry-after", "")
        self.assertTrue(retry.isdigit(), "Retry-After header: %r" % retry)
        self.assertEqual(self.c.get("/v1/transactions/" + extra.hash).status, 404)
        # Behind the gap nothing can apply; after mempool.max_hold_ms the held txs are dropped.
        time.sleep(SHORT_HOLD_MS / 1000 * 2 + 0.5)
        self.assertEqual(self.c.status()["mempool_depth"], 0)
        for tx in held:
            r = self.c.get("/v1/transactions/" + tx.hash)
            self.assertTrue(r.status == 404 or (r.status == 200 and r.json()["status"] == "dropped"), r)
        acc = self.c.account(a)
        self.assertEqual((acc["nonce"], acc["balance"]), ("0", "1000000"))
        # The mempool has room again.
        r = self.c.submit(transfer(a_key, a, b, 1, nonce=0))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["status"], "applied")

    def test_batch_receipt_says_dropped(self):
        (a_key, a), (_, b) = self.fund(self.c, [1_000_000, 10])
        for binary in (False, True):
            with self.subTest(binary=binary):
                gap = transfer(a_key, a, b, 1, nonce=1)
                t0 = time.monotonic()
                if binary:
                    r = self.c.request("POST", "/v1/batches?timeout_ms=8000", l2.binary_batch([gap]),
                                       {"Content-Type": "application/octet-stream",
                                        "Accept": "application/octet-stream"})
                    self.assertEqual(r.status, 200, r)
                    rc = l2.decode_binary_receipts(r.body)
                    self.assertEqual([(x["hash"], x["status_code"], x["batch"]) for x in rc], [(gap.hash, 106, 0)])
                else:
                    r = self.c.request("POST", "/v1/batches?timeout_ms=8000", [gap.json()],
                                       {"Content-Type": "application/json"})
                    self.assertEqual(r.status, 200, r)
                    rc = r.json()["receipts"]
                    self.assertEqual(len(rc), 1)
                    self.assert_receipt(rc[0], gap, "dropped", durable=False)
                elapsed = time.monotonic() - t0
                self.assertGreaterEqual(elapsed, SHORT_HOLD_MS / 1000 * 0.8, "dropped before mempool.max_hold_ms")
                self.assertLess(elapsed, 7.5, "the response waited for timeout_ms instead of the drop")
                self.assertEqual(self.c.account(a)["nonce"], "0")


# ------------------------------------------------------------------ without --dev


class NoDevTests(ServerTestCase):
    def test_dev_deposit_refused(self):
        server = self.new_server(dev=False, owner=self)
        c = server.client()
        st = c.status()
        self.assertIs(st["dev"], False)
        key = self.keys(1)[0]
        for body in ({"public_key": key.public_hex, "amount": "1000"},
                     [{"public_key": key.public_hex, "amount": "1000"}]):
            self.assert_refused(c, [0], lambda: c.post_json("/v1/dev/deposit", body), 403, "dev_disabled")
        self.assertEqual(c.get("/v1/accounts/" + key.public_hex).status, 404)
        self.assertEqual(c.status()["accounts"], st["accounts"])


# ------------------------------------------------------------------ TLS


class TlsTests(ServerTestCase):
    """--tls-cert/--tls-key: HTTPS only, with a self-signed certificate made by openssl."""

    def test_https_serves_and_plain_http_is_refused(self):
        import ssl
        import subprocess
        tmp = tempfile.mkdtemp(prefix="l2-tls-")
        self.addCleanup(shutil.rmtree, tmp, True)
        cert, key_pem = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                        "-nodes", "-keyout", key_pem, "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1",
                        "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
        server = self.new_server(extra_args=["--tls-cert", cert, "--tls-key", key_pem], owner=self)
        ctx = ssl.create_default_context(cafile=cert)  # verifies the chain and the IP

        def https(method, path, body=None):
            conn = http.client.HTTPSConnection("127.0.0.1", server.port, timeout=30, context=ctx)
            try:
                headers = {"Content-Type": "application/json"} if body is not None else {}
                conn.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
                r = conn.getresponse()
                return r.status, json.loads(r.read() or b"null")
            finally:
                conn.close()

        self.assertEqual(https("GET", "/health"), (200, {"status": "ok"}))
        a, b = self.keys(2)
        status, body = https("POST", "/v1/dev/deposit", [{"public_key": a.public_hex, "amount": "1000"},
                                                          {"public_key": b.public_hex, "amount": "5"}])
        self.assertEqual(status, 200, body)
        ia, ib = (r["account"] for r in body["receipts"])
        tx = transfer(a, ia, ib, "100", "0")
        status, receipt = https("POST", "/v1/transactions?wait=true", tx.json())
        self.assertEqual(status, 200, receipt)
        self.assertEqual(receipt["status"], "applied")
        status, acct = https("GET", "/v1/accounts/%d" % ib)
        self.assertEqual((status, acct["balance"]), (200, "105"))
        # Plain HTTP to the TLS port gets no HTTP answer, and the server keeps serving.
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
            s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            try:
                data = s.recv(4096)
            except (ConnectionResetError, socket.timeout):
                data = b""
            self.assertFalse(data.startswith(b"HTTP/1.1 200"), data)
        self.assertEqual(https("GET", "/health")[0], 200)


# ------------------------------------------------------------------ shutdown and crash


class DataDirTests(ServerTestCase):
    """What sequencerd refuses at start (docs/sequencer.md, The data dir): exit status 1 and
    one line that says why, with nothing in the dir changed."""

    timeout_s = 90

    def refused(self, data, extra=()):
        cmd = [SEQUENCERD, "--port", "0", "--data-dir", data, "--chain-id", str(l2.CHAIN_ID), "--dev"] + list(extra)
        r = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=30 * TIMEOUT_SCALE)
        self.assertEqual(r.returncode, 1, r)
        self.assertNotIn(b"listening on", r.stdout)
        return r.stderr.decode(errors="replace")

    def test_a_second_sequencerd_on_the_dir_is_refused_with_the_holders_pid(self):
        server = self.new_server(owner=self)
        c = server.client()
        (key, idx), (_, to) = self.fund(c, [1000, 0])
        err = self.refused(server.data_dir)
        self.assertIn("is in use by process %d" % server.proc.pid, err)
        # The first one still seals batches.
        r = c.submit(transfer(key, idx, to, 5, nonce=0), wait=True)
        self.assertEqual((r.status, r.json()["status"]), (200, "applied"), r)
        # kill -9 leaves LOCK behind but not the lock: a restart is not refused.
        server.kill()
        server.start(timeout=60 * TIMEOUT_SCALE)
        self.assertEqual(int(server.client().get_json("/v1/accounts/%d" % to)["balance"]), 5)

    def test_a_lost_database_beside_the_keys_is_refused(self):
        server = self.new_server(owner=self)
        self.fund(server.client(), [1000])
        server.terminate()
        for name in ("rollup.db-wal", "rollup.db-shm"):
            if os.path.exists(os.path.join(server.data_dir, name)):
                os.remove(os.path.join(server.data_dir, name))
        open(os.path.join(server.data_dir, "rollup.db"), "wb").close()  # emptied
        err = self.refused(server.data_dir)
        self.assertIn("rollup.db is missing or empty", err)
        self.assertIn("operator.pub", err)
        self.assertEqual(os.path.getsize(os.path.join(server.data_dir, "rollup.db")), 0)
        os.remove(os.path.join(server.data_dir, "rollup.db"))
        self.assertIn("was lost", self.refused(server.data_dir))

    def test_a_newer_schema_is_refused_naming_the_file_and_versions(self):
        server = self.new_server(owner=self)
        server.terminate()
        path = os.path.join(server.data_dir, "rollup.db")
        db = sqlite3.connect(path)
        version = db.execute("PRAGMA user_version").fetchone()[0]
        db.execute("PRAGMA user_version = %d" % (version + 1))
        db.commit()
        db.close()
        err = self.refused(server.data_dir)
        self.assertIn("%s: database schema version %d is newer than this program's %d" % (path, version + 1, version),
                      err)

    def test_a_restored_older_database_is_refused_naming_the_lost_batches(self):
        server = self.new_server(owner=self)
        c = server.client()
        (key, idx), (_, to) = self.fund(c, [1000, 0])
        server.terminate()
        db = os.path.join(server.data_dir, "rollup.db")
        backup = db + ".backup"
        shutil.copyfile(db, backup)  # a clean stop leaves no -wal behind
        self.assertFalse(os.path.exists(db + "-wal"))
        old_head = sqlite3.connect(backup).execute("SELECT max(number) FROM batches").fetchone()[0]
        server.start(timeout=60 * TIMEOUT_SCALE)
        c = server.client()
        r = c.submit(transfer(key, idx, to, 5, nonce=0), wait=True)
        self.assertEqual((r.status, r.json()["status"]), (200, "applied"), r)
        acked = int(r.json()["batch"])
        self.assertGreater(acked, old_head)
        server.terminate()
        shutil.copyfile(backup, db)  # the operator restores yesterday's backup
        err = self.refused(server.data_dir)
        record = os.path.join(server.data_dir, "acked-head")
        self.assertIn("%s says batch %d" % (record, acked), err)
        self.assertIn("ends at batch %d: acknowledged batches %d..%d are lost" % (old_head, old_head + 1, acked), err)
        self.assertIn("remove %s" % record, err)
        self.assertEqual(sqlite3.connect(db).execute("SELECT max(number) FROM batches").fetchone()[0], old_head,
                         "the refusal changed the database")
        # Accepting the loss on purpose: without the record it starts from the backup.
        os.remove(record)
        server.start(timeout=60 * TIMEOUT_SCALE)
        self.assertEqual(int(server.client().status()["latest_batch"]), old_head)
        self.assertTrue(os.path.exists(record))

    def test_a_damaged_acked_head_record_is_refused_not_reset(self):
        server = self.new_server(owner=self)
        self.fund(server.client(), [1000])
        server.terminate()
        record = os.path.join(server.data_dir, "acked-head")
        self.assertEqual(os.path.getsize(record), 144)
        with open(record, "r+b") as f:
            f.write(b"\xff" * 144)
        err = self.refused(server.data_dir)
        self.assertIn("%s is damaged" % record, err)
        with open(record, "rb") as f:
            self.assertEqual(f.read(), b"\xff" * 144, "the refusal rewrote the record")

    # ------------------------------------------------ damaged rows (docs/storage.md, Row checks)

    def verify(self, data):
        cmd = [SEQUENCERD, "--data-dir", data, "--chain-id", str(l2.CHAIN_ID), "--verify"]
        return subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=60 * TIMEOUT_SCALE)

    @staticmethod
    def flip(db_path, column, batch):
        """Flips one bit in the middle of a blob of a stored batch row (a damaged disk)."""
        db = sqlite3.connect(db_path)
        (blob,) = db.execute("SELECT %s FROM batches WHERE number = ?" % column, (batch,)).fetchone()
        blob = bytearray(blob)
        blob[len(blob) // 2] ^= 0x08
        db.execute("UPDATE batches SET %s = ? WHERE number = ?" % column, (bytes(blob), batch))
        db.commit()
        db.close()

    @staticmethod
    def digest(path):
        with open(path, "rb") as f:
            return f.read()

    def test_damaged_batch_rows_are_refused_at_start_and_found_by_verify(self):
        server = self.new_server(owner=self)
        c = server.client()
        (a_key, a), (_, b) = self.fund(c, [10_000, 0])
        r = c.submit(transfer(a_key, a, b, 500, nonce=0), wait=True)
        self.assertEqual(r.json()["status"], "applied", r)
        w = withdraw(a_key, a, 300, nonce=1)
        r = c.submit(w, wait=True)
        self.assertEqual(r.json()["status"], "applied", r)
        wbatch = int(r.json()["batch"])
        # A running node's dir is not verified under it.
        busy = self.verify(server.data_dir)
        self.assertEqual(busy.returncode, 1, busy)
        self.assertIn(b"is in use by process %d" % server.proc.pid, busy.stderr)
        server.terminate()
        sound = self.verify(server.data_dir)
        self.assertEqual(sound.returncode, 0, sound)
        self.assertRegex(sound.stdout.decode(), r"rollup\.db: sound: batches 0\.\.%d \(\d+ txs, \d+ applied\)" % wbatch)
        pristine = os.path.join(os.path.dirname(server.data_dir), "pristine")
        shutil.copytree(server.data_dir, pristine)
        for column in ("txs", "receipts", "changes", "state_root"):
            with self.subTest(column=column):
                shutil.rmtree(server.data_dir)
                shutil.copytree(pristine, server.data_dir)
                db = os.path.join(server.data_dir, "rollup.db")
                self.flip(db, column, wbatch)
                damaged = self.digest(db)
                v = self.verify(server.data_dir)
                self.assertEqual(v.returncode, 3, v)
                self.assertIn("batch %d is damaged" % wbatch, v.stderr.decode())
                self.assertEqual(v.stdout, b"", v)
                err = self.refused(server.data_dir)
                self.assertIn("batch %d is damaged" % wbatch, err)
                self.assertEqual(self.digest(db), damaged, "the refusal or the check changed the file")
        # A flipped witness: start reads no witness, so the node serves; the withdrawal's
        # proof is refused (503, naming the batch) instead of served, and /ready says so.
        shutil.rmtree(server.data_dir)
        shutil.copytree(pristine, server.data_dir)
        self.flip(os.path.join(server.data_dir, "rollup.db"), "witnesses", wbatch)
        server.start(timeout=60 * TIMEOUT_SCALE)
        c = server.client()
        ready = c.get("/ready")
        self.assertEqual(ready.status, 200, ready)
        r = c.get("/v1/withdrawals/" + w.hash)
        self.assert_error(r, 503, "unavailable")
        self.assertIn("batch %d is damaged: its witnesses do not match their hash" % wbatch,
                      r.json()["error"]["message"])
        ready = c.get("/ready")
        self.assertEqual(ready.status, 503, ready)
        codes = [x["code"] for x in ready.json()["reasons"]]
        self.assertIn("storage_damaged", codes)
        self.assertIn("l2_storage_damaged 1", c.get("/metrics").body.decode())
        # The tx itself (its batch's txs are sound) is still served.
        self.assertEqual(c.get("/v1/transactions/" + w.hash).status, 200)
        server.terminate()
        v = self.verify(server.data_dir)
        self.assertEqual(v.returncode, 3, v)
        self.assertIn("batch %d is damaged: its witnesses" % wbatch, v.stderr.decode())

    def test_a_base_chain_url_without_a_scheme_is_refused(self):
        tmp = tempfile.mkdtemp(prefix="l2-integration-")
        self.addCleanup(shutil.rmtree, tmp, True)
        err = self.refused(os.path.join(tmp, "data"), ["--base-chain", "127.0.0.1:8546"])
        self.assertIn("--base-chain: bad URL '127.0.0.1:8546'", err)
        self.assertFalse(os.path.exists(os.path.join(tmp, "data")))


class ProcessLifeTests(ServerTestCase):
    timeout_s = 90

    def test_sigterm_while_txs_pending(self):
        server = self.new_server(owner=self)
        c = server.client()
        senders = self.fund(c, [1_000_000] * 5)
        (_, sink) = senders[-1]
        acked = {}  # hash -> receipt with a batch (soft confirmations)
        accepted = []  # 202 pending
        errors = []
        stop = threading.Event()

        def waiting_client():
            key, idx = senders[0]
            nonce = 0
            while not stop.is_set():
                tx = transfer(key, idx, sink, 1, nonce=nonce)
                try:
                    r = c.submit(tx, wait=True)
                except (OSError, http.client.HTTPException):
                    return
                if r.status == 200:
                    acked[tx.hash] = r.json()
                    nonce += 1
                elif r.status in (202, 503):
                    return
                else:
                    errors.append(r)
                    return

        t = threading.Thread(target=waiting_client, daemon=True)
        t.start()
        time.sleep(0.3)
        for key, idx in senders[1:4]:
            for n in range(10):
                tx = transfer(key, idx, sink, 2, nonce=n)
                r = c.submit(tx, wait=False)
                self.assertEqual(r.status, 202, r)
                accepted.append(tx.hash)
        rc = server.terminate(timeout=30 * TIMEOUT_SCALE)
        stop.set()
        t.join(10)
        self.assertEqual(rc, 0, "exit code after SIGTERM; output:\n" + server.output_tail())
        self.assertEqual(errors, [])
        self.assertGreater(len(acked), 0)

        server.start(timeout=60 * TIMEOUT_SCALE)
        c = server.client()
        for h, receipt in acked.items():
            got = c.get_json("/v1/transactions/" + h)
            self.assertEqual((got["status"], got["batch"], got["index"], got["state_root"]),
                             ("applied", receipt["batch"], receipt["index"], receipt["state_root"]))
        lost = []
        for h in accepted:
            r = c.get("/v1/transactions/" + h)
            if r.status == 404:
                lost.append(h)
                continue
            self.assertEqual(r.status, 200, r)
            self.assertEqual(r.json()["status"], "applied", "accepted before SIGTERM: %r" % r.json())
        self.assertEqual(lost, [], "%d of %d txs accepted (202) before SIGTERM are gone after a graceful "
                         "shutdown" % (len(lost), len(accepted)))
        self.check_chain(c)

    def test_sigkill_mid_load_keeps_every_acknowledged_batch(self):
        server = self.new_server(owner=self)
        c = server.client()
        senders = self.fund(c, [1_000_000] * 8)
        acked = {}  # hash -> receipt
        batches = {}  # batch number -> state_root from the receipts
        failures = []
        killed = threading.Event()

        def load():
            nonces = [0] * len(senders)
            conn = l2.Connection(server.port, timeout=30)
            k = 0
            while not killed.is_set():
                txs = []
                for _ in range(5):
                    s = k % len(senders)
                    key, idx = senders[s]
                    txs.append(transfer(key, idx, senders[(s + 1) % len(senders)][1], 1, nonce=nonces[s]))
                    nonces[s] += 1
                    k += 1
                try:
                    r = conn.request("POST", "/v1/batches", [tx.json() for tx in txs],
                                     {"Content-Type": "application/json"})
                except (OSError, http.client.HTTPException):
                    return
                if r.status != 200:
                    failures.append(r)
                    return
                for tx, rc in zip(txs, r.json()["receipts"]):
                    if rc["status"] != "applied" or rc["hash"] != tx.hash:
                        failures.append(rc)
                        return
                    acked[tx.hash] = rc
                    if batches.setdefault(rc["batch"], rc["state_root"]) != rc["state_root"]:
                        failures.append(("two state roots for batch", rc))

        t = threading.Thread(target=load, daemon=True)
        t.start()
        end = time.monotonic() + 20 * TIMEOUT_SCALE
        while len(acked) < 200 and time.monotonic() < end and t.is_alive():
            time.sleep(0.02)
        server.kill()
        killed.set()
        t.join(10)
        self.assertEqual(failures, [])
        self.assertGreaterEqual(len(acked), 50, "too little load before the kill")

        server.start(timeout=60 * TIMEOUT_SCALE)
        c = server.client()
        for h, rc in acked.items():
            got = c.get_json("/v1/transactions/" + h)
            self.assertEqual((got["status"], got["batch"], got["index"], got["state_root"]),
                             ("applied", rc["batch"], rc["index"], rc["state_root"]), h)
        for n, root in batches.items():
            self.assertEqual(c.get_json("/v1/batches/" + n)["state_root"], root, "batch " + n)
        latest = self.check_chain(c)
        self.assertGreaterEqual(int(latest["number"]), max(int(n) for n in batches))
        # The restarted server goes on from its durable state.
        key, idx = senders[0]
        nonce = int(c.account(idx)["nonce"])
        r = c.submit(transfer(key, idx, senders[1][1], 1, nonce=nonce))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["status"], "applied")


def main():
    global SEQUENCERD
    args = sys.argv[1:]
    if args and not args[0].startswith("-"):
        SEQUENCERD = args.pop(0)
    if not SEQUENCERD or not os.access(SEQUENCERD, os.X_OK):
        print("usage: test_sequencer.py PATH/TO/sequencerd [unittest args] (or SEQUENCERD=...)", file=sys.stderr)
        return 2
    SEQUENCERD = os.path.abspath(SEQUENCERD)
    prog = unittest.main(argv=[sys.argv[0]] + args, exit=False, verbosity=2)
    return 0 if prog.result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
