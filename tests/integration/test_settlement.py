#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The off-chain scaling stack developers
"""Settlement end to end: basechaind, sequencerd and rollup-derive as real processes on loopback.

usage: /usr/bin/python3 tests/integration/test_settlement.py SEQUENCERD BASECHAIND ROLLUP_DERIVE [unittest args]
       or  ... test_settlement.py BUILD_DIR [unittest args]   (a CMake build tree)

The tests act as users with an independent client (PyNaCl + zstandard, from docs/encoding.md
and docs/basechain.md): they deposit on the base chain and see the balance on the rollup,
withdraw and claim on the base chain with the proof the sequencer serves, push forced txs,
play a censoring sequencer against the base chain's deadline rule, take the base chain down
under load and kill the sequencer, and check with rollup-derive that every committed root
re-derives — and that a tampered payload or a wrong root is reported at its exact batch.
"""

import sys

sys.dont_write_bytecode = True

import json  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import shutil  # noqa: E402
import socket  # noqa: E402
import sqlite3  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import jsonschema  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import unittest  # noqa: E402

import l2base as base  # noqa: E402
import l2client as l2  # noqa: E402
import test_sequencer as ts  # noqa: E402  (ServerTestCase: time limits, cleanup)
from l2base import BaseTx  # noqa: E402
from l2client import enc, transfer, withdraw  # noqa: E402

BIN = {"sequencerd": "", "basechaind": "", "rollup-derive": ""}
SCALE = ts.TIMEOUT_SCALE
ROLLUP = l2.CHAIN_ID  # the rollup id is the rollup's chain id
WINDOW_S = 100
DEADLINE_S = 30


def wait_for(what, fn, timeout=30.0, interval=0.05):
    end = time.monotonic() + timeout * SCALE
    last = None
    while time.monotonic() < end:
        last = fn()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError("timed out waiting for %s (last: %r)" % (what, last))


class RollupSequencer(l2.SequencerProcess):
    """sequencerd for rollup `chain_id`, settling to a base chain (no --dev)."""

    def __init__(self, binary, data_dir, log_dir, chain_id, extra_args):
        super().__init__(binary, data_dir, log_dir, dev=False, extra_args=extra_args)
        self.chain_id = chain_id

    def args(self):
        return [self.binary, "--port", "0", "--data-dir", self.data_dir, "--chain-id", str(self.chain_id)] + \
            self.extra_args


class SettlementCase(ts.ServerTestCase):
    timeout_s = 240

    def new_dir(self):
        tmp = tempfile.mkdtemp(prefix="l2-settlement-")
        self.addCleanup(shutil.rmtree, tmp, True)
        return tmp

    def start_chain(self, tmp=None, data=None, port=None):
        tmp = tmp or self.new_dir()
        data = data or os.path.join(tmp, "chain")
        os.makedirs(data, exist_ok=True)
        chain = base.BasechainProcess(BIN["basechaind"], data, tmp, port=port)
        self.addCleanup(chain.kill)
        self.addCleanup(chain.shutdown_checked)
        chain.start(timeout=60 * SCALE)
        return chain

    def start_sequencer(self, chain, tmp=None, data=None, chain_id=ROLLUP, extra=(), until=None):
        tmp = tmp or self.new_dir()
        data = data or os.path.join(tmp, "seq")
        os.makedirs(data, exist_ok=True)
        args = ["--base-chain", chain.url, "--settlement.challenge-window-s", str(WINDOW_S),
                "--settlement.inclusion-deadline-s", str(DEADLINE_S), "--settlement.poll-ms", "50",
                "--batch.max-delay-ms", "20"] + list(extra)
        seq = RollupSequencer(BIN["sequencerd"], data, tmp, chain_id, args)
        self.addCleanup(seq.kill)
        self.addCleanup(seq.shutdown_checked)
        seq.start(timeout=60 * SCALE, until=until)
        if until is None:
            rpc = chain.rpc()
            wait_for("rollup %d registered" % chain_id, lambda: rpc.rollup(chain_id))
        return seq

    def sequencer_key(self, data_dir):
        """The sequencer's base-chain key, from its data dir (to post as it would)."""
        with open(os.path.join(data_dir, "sequencer.key")) as f:
            seed = bytes.fromhex(f.read().strip())
        key = l2.Key.__new__(l2.Key)
        key.seed = seed
        key.signing = l2.nacl.signing.SigningKey(seed)
        key.public = bytes(key.signing.verify_key)
        return key

    def refused(self, chain, data, chain_id=ROLLUP):
        """sequencerd on `data` must exit 1 at start, before listening; returns its stderr."""
        cmd = [BIN["sequencerd"], "--port", "0", "--data-dir", data, "--chain-id", str(chain_id),
               "--base-chain", chain.url, "--settlement.poll-ms", "50"]
        r = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=60 * SCALE)
        self.assertEqual(r.returncode, 1, r)
        self.assertNotIn(b"listening on", r.stdout)
        return r.stderr.decode(errors="replace")

    # ------------------------------------------------------------ user actions

    def deposit(self, rpc, key, amount, rollup=ROLLUP, fund=True):
        if fund:
            rpc.fund(key, amount)
        tx = BaseTx(key, rpc.nonce(key), "deposit", base.deposit_body(rollup, key.public, amount))
        rpc.send(tx)
        return tx

    def rollup_with_one_user(self, amount):
        """A chain, a sequencer on it, and one user who deposited `amount`:
        (chain, seq, rpc, client, key, account index)."""
        chain = self.start_chain()
        seq = self.start_sequencer(chain)
        rpc, c = chain.rpc(), seq.client()
        (key,) = self.keys(1)
        self.deposit(rpc, key, amount)
        index = self.wait_balance(c, key, amount)["index"]
        return chain, seq, rpc, c, key, index

    def wait_balance(self, client, key, balance):
        def check():
            r = client.get("/v1/accounts/" + key.public_hex)
            return r.status == 200 and int(r.json()["balance"]) == balance and r.json()
        return wait_for("balance %d of %s on the rollup" % (balance, key.public_hex[:8]), check)

    def wait_posted(self, rpc, batch, rollup=ROLLUP):
        return wait_for("batch %d on the base chain" % batch,
                        lambda: int(rpc.rollup(rollup)["last_batch"]) >= batch and rpc.rollup(rollup), timeout=60)

    def withdrawal(self, client, tx_hash):
        r = client.get("/v1/withdrawals/" + tx_hash)
        self.assertEqual(r.status, 200, r)
        return r.json()

    def wait_status(self, client, tx_hash, status, within_s=2.0):
        """The withdrawal's status reaches `status` within a few of the follower's polls
        (50 ms here): statuses come from its cached view of the chain, never live."""
        return wait_for("withdrawal status " + status,
                        lambda: (lambda x: x["status"] == status and x)(self.withdrawal(client, tx_hash)),
                        timeout=within_s)

    def claim(self, rpc, key, w, leaf=None, proof=None):
        leaf = leaf if leaf is not None else bytes.fromhex(w["leaf"])
        proof = proof if proof is not None else bytes.fromhex(w["proof"])
        tx = BaseTx(key, rpc.nonce(key), "finalize_withdrawal",
                    base.finalize_body(ROLLUP, int(w["batch"]), leaf, proof))
        return rpc.send(tx)

    def assert_rpc_refused(self, rpc, send, code, reason, watch_keys=()):
        before = [rpc.account(k) for k in watch_keys]
        head = rpc.call("chain_getHead")["number"]
        rpc.last_sent = None
        with self.assertRaises(base.RpcError) as cm:
            send()
        self.assertEqual(cm.exception.code, code, cm.exception)
        if reason is not None:
            self.assertEqual(cm.exception.reason, reason, cm.exception)
        self.assertTrue(cm.exception.message)
        self.assertEqual([rpc.account(k) for k in watch_keys], before, "a refused tx changed balances")
        # The refused tx is in no block (other blocks may come: the sequencer posts on its own).
        refused = rpc.last_sent.hash
        self.assertIsNone(rpc.call("chain_getTransaction", {"hash": refused}), "the refused tx was kept")
        for n in range(head + 1, rpc.call("chain_getHead")["number"] + 1):
            self.assertNotIn(refused, rpc.call("chain_getBlock", {"number": n})["txs"], "a refused tx made a block")
        return cm.exception

    def ready(self, client):
        """GET /ready: (HTTP status, the reasons' codes)."""
        r = client.get("/ready")
        body = r.json()
        self.assertEqual(body["ready"], r.status == 200, body)
        return r.status, [x["code"] for x in body["reasons"]]

    def derive(self, chain_url, rollup=ROLLUP, expect_rc=0):
        p = subprocess.run([BIN["rollup-derive"], "--base-chain", chain_url, "--rollup-id", str(rollup)],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300 * SCALE)
        out = p.stdout.decode("utf-8", "replace")
        self.assertEqual(p.returncode, expect_rc, "rollup-derive exit code; output:\n" + out)
        return out

    def check_commitments(self, rpc, client, rollup=ROLLUP):
        """Every batch of the sequencer is on the base chain once, in order, with its root."""
        latest = int(client.status()["latest_batch"])
        info = self.wait_posted(rpc, latest, rollup)
        self.assertEqual(int(info["last_batch"]), latest)
        for n in range(1, latest + 1):
            c = rpc.commitment(rollup, n)
            self.assertIsNotNone(c, "batch %d missing on the base chain" % n)
            b = client.get_json("/v1/batches/%d" % n)
            self.assertEqual(c["new_root"], b["state_root"], "batch %d root" % n)
            self.assertEqual(c["prev_root"], b["prev_root"], "batch %d prev root" % n)
        head = rpc.call("chain_getHead")["number"]
        events = []
        for start in range(0, head + 1, 10000):
            events += rpc.call("chain_getLogs", {"from_block": start, "to_block": min(head, start + 9999),
                                                 "event": "BatchCommitted", "rollup_id": rollup})
        batches = [int(e["data"]["batch"]) for e in events]
        self.assertEqual(batches, list(range(1, latest + 1)), "commitment events: not each batch once, in order")
        return latest


# ------------------------------------------------------------------ deposits, withdrawals, forced txs


class BridgeTests(SettlementCase):
    def test_deposit_transfer_withdraw_finalize(self):
        chain = self.start_chain()
        seq = self.start_sequencer(chain)
        rpc, c = chain.rpc(), seq.client()
        alice, bob = self.keys(2)
        self.deposit(rpc, alice, 5000)
        self.deposit(rpc, bob, 100)
        self.assertEqual(rpc.account(alice)[0], 0, "the deposit did not leave alice's base balance")
        ia = self.wait_balance(c, alice, 5000)["index"]
        ib = self.wait_balance(c, bob, 100)["index"]
        self.assertEqual(int(rpc.rollup(ROLLUP)["locked"]), 5100)

        r = c.submit(transfer(alice, ia, ib, 1000, nonce=0))
        self.assertEqual(r.json()["status"], "applied", r)
        w1 = withdraw(alice, ia, 300, nonce=1)
        r = c.submit(w1)
        self.assertEqual(r.json()["status"], "applied", r)

        w = self.withdrawal(c, w1.hash)
        self.assertIn(w["status"], ("pending", "in_window"))
        self.assertEqual((w["account"], w["amount"], w["withdrawn"]), (ia, "300", "300"))
        leaf = bytes.fromhex(w["leaf"])
        self.assertEqual(l2.decode_leaf(leaf)["public_key"], alice.public_hex)
        _, _, root = l2.proof_root(ia, enc.leaf_hash(leaf), bytes.fromhex(w["proof"]))
        self.assertEqual(root.hex(), w["state_root"], "the served proof does not verify")
        self.wait_posted(rpc, int(w["batch"]))
        self.assertEqual(rpc.commitment(ROLLUP, int(w["batch"]))["new_root"], w["state_root"])
        w = wait_for("in_window", lambda: (lambda x: x["status"] == "in_window" and x)(self.withdrawal(c, w1.hash)))
        self.assertGreater(int(w["seconds_left"]), 0)
        self.assertEqual(w["paid"], "0")

        # The status comes from the follower's cached view, which says how old it is.
        self.assertLessEqual(abs(int(w["chain_time"]) - int(rpc.call("chain_getHead")["timestamp"])), 2)
        self.assertLess(int(w["view_age_ms"]), 2000)
        # Not final yet.
        self.assert_rpc_refused(rpc, lambda: self.claim(rpc, alice, w), -32004, "not_final", [alice])
        rpc.advance(WINDOW_S + 1)
        # The cache catches up within a poll or two (docs/settlement.md, "Freshness").
        w = self.wait_status(c, w1.hash, "final")

        # Forged proofs: a flipped sibling, a leaf claiming more.
        proof = bytearray(bytes.fromhex(w["proof"]))
        proof[-1] ^= 0x01
        self.assert_rpc_refused(rpc, lambda: self.claim(rpc, alice, w, proof=bytes(proof)), -32004, "bad_proof",
                                [alice])
        greedy = leaf[:48] + enc.u64le(300000)
        self.assert_rpc_refused(rpc, lambda: self.claim(rpc, alice, w, leaf=greedy), -32004, "bad_proof", [alice])

        # The claim pays once, to alice's base account, whoever sends it.
        self.claim(rpc, bob, w)
        self.assertEqual(rpc.account(alice)[0], 300)
        self.assertEqual(rpc.call("bridge_getWithdrawn", {"rollup_id": ROLLUP, "account": alice.public_hex}), "300")
        self.assertEqual(self.wait_status(c, w1.hash, "claimed")["paid"], "300")
        self.assert_rpc_refused(rpc, lambda: self.claim(rpc, alice, w), -32004, "nothing_to_claim", [alice])

        # A second withdrawal: its proof pays the difference; the old proof is stale.
        w2 = withdraw(alice, ia, 50, nonce=2)
        self.assertEqual(c.submit(w2).json()["status"], "applied")
        wait_for("posted", lambda: self.withdrawal(c, w2.hash)["status"] == "in_window")
        rpc.advance(WINDOW_S + 1)
        self.assert_rpc_refused(rpc, lambda: self.claim(rpc, alice, w), -32004, "nothing_to_claim", [alice])
        self.claim(rpc, alice, self.withdrawal(c, w2.hash))
        self.assertEqual(rpc.account(alice)[0], 350)
        self.assertEqual(int(rpc.rollup(ROLLUP)["locked"]), 5100 - 350)
        self.wait_status(c, w2.hash, "claimed")
        listed = c.get_json("/v1/accounts/%d/withdrawals" % ia)["withdrawals"]
        self.assertEqual([x["tx_hash"] for x in listed], [w2.hash, w1.hash])
        self.assertEqual({x["status"] for x in listed}, {"claimed"})
        self.assertEqual(c.get("/v1/withdrawals/" + "00" * 32).status, 404)
        # Bad input: a clear error.
        t = transfer(alice, ia, ib, 1, nonce=3)
        self.assertEqual(c.submit(t).json()["status"], "applied")
        self.assert_error(c.get("/v1/withdrawals/" + t.hash), 404, "not_found")  # a transfer
        self.assert_error(c.get("/v1/withdrawals/xyz"), 400, "bad_hex")
        self.assert_error(c.get("/v1/accounts/%d/withdrawals?limit=0" % ia), 400, "bad_query")
        self.assert_error(c.get("/v1/accounts/%d/withdrawals?limit=101" % ia), 400, "bad_query")
        self.assert_error(c.get("/v1/accounts/%d/withdrawals?page=2" % ia), 400, "bad_query")
        self.assert_error(c.get("/v1/accounts/4000000/withdrawals"), 404, "not_found")
        self.assertEqual(len(c.get_json("/v1/accounts/%d/withdrawals?limit=1" % ia)["withdrawals"]), 1)
        self.assertEqual(c.get_json("/v1/accounts/%s/withdrawals" % bob.public_hex)["withdrawals"], [])

    def test_forced_withdrawal_is_executed(self):
        chain, seq, rpc, c, carol, ic = self.rollup_with_one_user(1000)
        # Censored on the rollup: carol pushes her signed withdrawal through the base chain.
        w = withdraw(carol, ic, 400, nonce=0, fee=0)
        bad = withdraw(carol, ic, 1, nonce=0, fee=0).with_corrupt_signature()
        self.assert_rpc_refused(rpc, lambda: rpc.send(BaseTx(carol, rpc.nonce(carol), "force_tx",
                                                             base.force_body(ROLLUP, bad))),
                                -32004, None, [carol])
        rpc.send(BaseTx(carol, rpc.nonce(carol), "force_tx", base.force_body(ROLLUP, w)))
        self.assertEqual(int(rpc.rollup(ROLLUP)["forced_count"]), 1)
        a = self.wait_balance(c, carol, 600)
        self.assertEqual((a["withdrawn"], a["nonce"]), ("400", "1"))
        got = c.get_json("/v1/transactions/" + w.hash)
        self.assertEqual(got["status"], "applied")
        self.wait_posted(rpc, int(got["batch"]))
        self.assertEqual(rpc.commitment(ROLLUP, int(got["batch"]))["forced_upto"], 1)
        # Claimable like any withdrawal.
        rpc.advance(WINDOW_S + 1)
        wv = wait_for("final", lambda: (lambda x: x["status"] == "final" and x)(self.withdrawal(c, w.hash)))
        self.claim(rpc, carol, wv)
        self.assertEqual(rpc.account(carol)[0], 400)


    def test_a_forced_copy_of_an_applied_withdrawal_keeps_the_applied_receipt(self):
        chain, seq, rpc, c, carol, ic = self.rollup_with_one_user(1000)
        w = withdraw(carol, ic, 400, nonce=0, fee=0)
        r = c.submit(w, wait=True)
        self.assertEqual((r.status, r.json()["status"]), (200, "applied"), r)
        applied = r.json()
        # The same signed withdrawal, pushed through the base chain as well: its copy is
        # executed in a later batch and rejected (its nonce is taken).
        rpc.send(BaseTx(carol, rpc.nonce(carol), "force_tx", base.force_body(ROLLUP, w)))

        def check(c):
            got = wait_for("the forced copy's batch",
                           lambda: (lambda x: "duplicates" in x and x)(c.get_json("/v1/transactions/" + w.hash)))
            self.assertEqual({k: got[k] for k in ("status", "batch", "index", "state_root")},
                             {k: applied[k] for k in ("status", "batch", "index", "state_root")})
            self.assertEqual(len(got["duplicates"]), 1, got)
            dup = got["duplicates"][0]
            self.assertEqual((dup["hash"], dup["status"]), (w.hash, "bad_nonce"))
            self.assertGreater(int(dup["batch"]), int(applied["batch"]))
            self.assertEqual(self.withdrawal(c, w.hash)["batch"], applied["batch"])
            listed = c.get_json("/v1/accounts/%d/withdrawals" % ic)
            self.assertEqual([x["tx_hash"] for x in listed["withdrawals"]], [w.hash], listed)
            self.assertEqual(int(c.get_json("/v1/accounts/%d" % ic)["balance"]), 600)

        check(c)
        # A restart rebuilds the same index from the stored batches.
        self.assertEqual(seq.terminate(), 0)
        seq.start(timeout=60 * SCALE)
        check(seq.client())


# ------------------------------------------------------------------ the base chain's deadline rule


class SyncStatusTests(SettlementCase):
    """GET /v1/sync: the soft, posted and final heads with their base-chain blocks, the
    base-chain head seen and the queue positions, from cached state only."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs", "openapi.json")) as f:
            doc = json.load(f)
        cls.schema = jsonschema.Draft202012Validator(
            {"$ref": "#/components/schemas/Sync", "components": doc["components"]})

    def sync(self, c):
        """GET /v1/sync, checked against docs/openapi.json's Sync schema."""
        r = c.get("/v1/sync")
        self.assertEqual(r.status, 200, r)
        errors = [e.message for e in self.schema.iter_errors(r.json())]
        self.assertEqual(errors, [], r.json())
        return r.json()

    def test_heads_blocks_and_queues_follow_the_chain(self):
        chain = self.start_chain()
        seq = self.start_sequencer(chain)
        rpc, c = chain.rpc(), seq.client()
        genesis = rpc.rollup(ROLLUP)["genesis_root"]
        # The first view of the registered rollup (a poll may see the chain before the
        # registration: then posted, final and queues are still null).
        s = wait_for("the first view", lambda: (lambda x: x["posted"] is not None and x)(self.sync(c)))
        self.assertEqual(s["soft"], {"batch": "0", "state_root": genesis})
        self.assertEqual(s["posted"], {"batch": "0", "state_root": genesis, "block": None})
        self.assertEqual(s["final"], {"batch": "0", "state_root": genesis, "block": None})
        self.assertEqual(s["base_chain"]["url"], chain.url)
        self.assertTrue(s["base_chain"]["reachable"])
        self.assertEqual(s["queues"], {"deposits": {"consumed": "0", "on_chain": "0"},
                                       "forced": {"consumed": "0", "on_chain": "0"}})
        (alice,) = self.keys(1)
        self.deposit(rpc, alice, 1000)
        self.wait_balance(c, alice, 1000)
        soft = int(self.sync(c)["soft"]["batch"])
        self.assertGreaterEqual(soft, 1)
        # Nothing is final yet: as of the final batch (genesis) alice has no account.
        r = c.get("/v1/accounts/%s?batch=final" % alice.public_hex)
        self.assert_error(r, 404, "not_found")
        self.assertIn("at batch 0", r.json()["error"]["message"])
        self.wait_posted(rpc, soft)

        def posted_with_block():
            x = self.sync(c)
            return int(x["posted"]["batch"]) >= soft and x["posted"]["block"] is not None and x
        s = wait_for("the posted head's block", posted_with_block, timeout=5)
        n = int(s["posted"]["batch"])
        record = rpc.commitment(ROLLUP, n)
        self.assertEqual(s["posted"]["state_root"], record["new_root"])
        self.assertEqual(s["posted"]["block"], str(record["block"]))
        self.assertEqual(s["posted"]["posted_at"], str(record["posted_at"]))
        self.assertEqual(s["posted"]["final_at"], str(record["final_at"]))
        self.assertEqual(c.get_json("/v1/batches/%d" % n)["state_root"], s["posted"]["state_root"])
        self.assertEqual(s["final"]["batch"], "0")
        self.assertGreaterEqual(int(s["base_chain"]["head"]["number"]), record["block"])
        self.assertEqual(s["queues"]["deposits"], {"consumed": "1", "on_chain": "1"})
        self.assertLess(int(s["base_chain"]["view_age_ms"]), 2000)
        # The challenge window passes: the final head catches up with the posted one.
        rpc.advance(WINDOW_S + 1)

        def final_with_block():
            x = self.sync(c)
            return int(x["final"]["batch"]) >= n and x["final"]["block"] is not None and x
        s = wait_for("the final head", final_with_block, timeout=5)
        f = int(s["final"]["batch"])
        self.assertEqual(s["final"]["state_root"], rpc.commitment(ROLLUP, f)["new_root"])
        self.assertEqual(s["final"]["block"], str(rpc.commitment(ROLLUP, f)["block"]))
        # As of the final batch: the balance there, with a proof against the root the base
        # chain holds for it (what a withdrawal or an exit is checked against).
        p = c.get_json("/v1/accounts/%s/proof?batch=final" % alice.public_hex)
        self.assertEqual((p["batch"], p["state_root"]), (str(f), rpc.commitment(ROLLUP, f)["new_root"]), p)
        self.assertEqual(l2.decode_leaf(bytes.fromhex(p["leaf"]))["balance"], 1000)
        _, _, root = l2.proof_root(p["index"], l2.enc.leaf_hash(bytes.fromhex(p["leaf"])), bytes.fromhex(p["proof"]))
        self.assertEqual(root.hex(), p["state_root"])
        self.assertEqual(c.get_json("/v1/accounts/%s?batch=final" % alice.public_hex)["balance"], "1000")
        head = rpc.call("chain_getHead")
        self.assertLessEqual(int(s["base_chain"]["head"]["number"]), int(head["number"]))
        self.assert_error(c.get("/v1/sync?x=1"), 400, "bad_query")
        self.assert_error(c.request("POST", "/v1/sync", b"{}", {"Content-Type": "application/json"}), 405,
                          "method_not_allowed")

    def test_without_a_base_chain_only_the_soft_head(self):
        server = self.new_server(owner=self)
        c = server.client()
        self.fund(c, [10])
        s = self.sync(c)
        st = c.status()
        self.assertEqual(s, {"soft": {"batch": st["latest_batch"], "state_root": st["state_root"]},
                             "posted": None, "final": None, "base_chain": None, "queues": None})


class CensorshipTests(SettlementCase):
    """The test plays a sequencer that ignores a queued deposit: the base chain refuses it."""

    def commit(self, rpc, key, batch, prev_root, deposits_upto, forced_upto, rollup, new_root=None):
        payload = base.compress(base.raw_payload([]))
        h = {"rollup_id": rollup, "batch": batch, "prev_root": prev_root,
             "new_root": new_root or os.urandom(32).hex(), "applied_txs": 0,
             "payload_hash": enc.blake2b256(payload).hex(), "deposits_upto": deposits_upto,
             "forced_upto": forced_upto}
        rpc.send(BaseTx(key, rpc.nonce(key), "commit_batch", base.encode_commitment(h, payload)))
        return h["new_root"]

    def test_commitment_that_skips_an_old_deposit_is_refused(self):
        chain = self.start_chain()
        rpc = chain.rpc()
        censor, user, stranger = self.keys(3)
        rollup = 4242
        genesis = os.urandom(32).hex()
        rpc.send(BaseTx(censor, 0, "register_rollup", base.register_body(rollup, censor.public, genesis, 10, 30)))
        self.deposit(rpc, user, 500, rollup=rollup)
        w = withdraw(user, 1, 5, nonce=0, fee=0, chain_id=rollup)
        rpc.send(BaseTx(user, rpc.nonce(user), "force_tx", base.force_body(rollup, w)))
        # Young entries may wait.
        root1 = self.commit(rpc, censor, 1, genesis, 0, 0, rollup)
        # Only the registered sequencer commits.
        self.assert_rpc_refused(rpc, lambda: self.commit(rpc, stranger, 2, root1, 1, 1, rollup), -32004,
                                "not_sequencer")
        self.assert_rpc_refused(rpc, lambda: self.commit(rpc, censor, 2, root1, 2, 1, rollup), -32004,
                                "queue_overrun")
        rpc.advance(31)
        # Past the deadline, a commitment that skips the deposit or the forced tx is refused.
        self.assert_rpc_refused(rpc, lambda: self.commit(rpc, censor, 2, root1, 0, 1, rollup), -32004,
                                "deposit_deadline_missed")
        self.assert_rpc_refused(rpc, lambda: self.commit(rpc, censor, 2, root1, 1, 0, rollup), -32004,
                                "forced_deadline_missed")
        self.assertEqual(int(rpc.rollup(rollup)["last_batch"]), 1)
        self.commit(rpc, censor, 2, root1, 1, 1, rollup)
        self.assertEqual(int(rpc.rollup(rollup)["last_batch"]), 2)


# ------------------------------------------------------------------ outages, crashes, re-derivation


class Load:
    """Transfers in a loop between funded accounts, ignoring refusals while things are down."""

    def __init__(self, client_factory, accounts):
        self.client_factory = client_factory
        self.accounts = accounts  # [(key, index)]
        self.nonces = {i: 0 for _, i in accounts}
        self.stop = threading.Event()
        self.applied = 0
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        rng = random.Random(5)
        while not self.stop.is_set():
            try:
                c = self.client_factory()
                (ka, ia), (_, ib) = rng.sample(self.accounts, 2)
                r = c.submit(transfer(ka, ia, ib, rng.randint(1, 5), nonce=self.nonces[ia]), timeout=10)
                if r.status == 200 and r.json()["status"] == "applied":
                    self.nonces[ia] += 1
                    self.applied += 1
                elif r.status == 200 or r.status == 400:
                    self.nonces[ia] = int(c.account(ia)["nonce"])
            except Exception:
                time.sleep(0.05)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(30)


class OutageTests(SettlementCase):
    def setUp(self):
        self.tmp = self.new_dir()
        self.chain = self.start_chain(self.tmp)
        self.seq = self.start_sequencer(self.chain, self.tmp)
        self.rpc = self.chain.rpc()
        keys = self.keys(6)
        for k in keys:
            self.deposit(self.rpc, k, 10000)
        self.accounts = [(k, self.wait_balance(self.seq.client(), k, 10000)["index"]) for k in keys]

    def test_base_chain_down_then_sequencer_killed_then_derive(self):
        with Load(lambda: self.seq.client(timeout=10), self.accounts) as load:
            wait_for("some load", lambda: load.applied >= 20)
            self.chain.kill()  # the base chain goes away mid-load
            before = load.applied
            wait_for("batches while the base chain is down", lambda: load.applied >= before + 20)
            self.assertEqual(self.seq.client().get_json("/v1/settlement")["reachable"], False)
            self.chain.start(timeout=60 * SCALE)
            self.rpc = self.chain.rpc()
            wait_for("more load", lambda: load.applied >= before + 40)
        latest = self.check_commitments(self.rpc, self.seq.client())
        m, _ = l2.parse_prometheus(self.seq.client().get("/metrics").body.decode())
        self.assertEqual(l2.metric_sum(m, "l2_settlement_last_posted_batch"), latest)
        self.assertEqual(l2.metric_sum(m, "l2_settlement_unposted_batches"), 0)
        self.assertGreater(l2.metric_sum(m, "l2_settlement_failures_total"), 0, "the outage went unnoticed")
        self.assertEqual(l2.metric_sum(m, "l2_settlement_base_chain_up"), 1)

        # SIGKILL the sequencer under load and restart it on the same database.
        with Load(lambda: self.seq.client(timeout=10), self.accounts) as load:
            wait_for("load", lambda: load.applied >= 10)
            self.seq.kill()
            self.seq.start(timeout=60 * SCALE)
            before = load.applied
            wait_for("load after restart", lambda: load.applied >= before + 10)
        latest2 = self.check_commitments(self.rpc, self.seq.client())
        self.assertGreater(latest2, latest)

        # Everything re-derives from the base chain alone.
        out = self.derive(self.chain.url)
        self.assertIn(str(latest2), out)

        # A flipped payload byte in a copy of the base chain's database: reported at its batch.
        self.seq.terminate()
        self.chain.terminate()
        copy_dir = os.path.join(self.tmp, "chain-copy")
        shutil.copytree(self.chain.data_dir, copy_dir)
        victim = latest2 // 2 or 1
        db = sqlite3.connect(os.path.join(copy_dir, "chain.db"))
        (payload,) = db.execute("SELECT payload FROM commitments WHERE rollup_id = ? AND batch = ?",
                                (ROLLUP, victim)).fetchone()
        tampered = bytearray(payload)
        tampered[len(tampered) // 2] ^= 0x01
        db.execute("UPDATE commitments SET payload = ? WHERE rollup_id = ? AND batch = ?",
                   (bytes(tampered), ROLLUP, victim))
        db.commit()
        db.close()
        copy = self.start_chain(self.tmp, copy_dir)
        out = self.derive(copy.url, expect_rc=1)
        self.assertIn("batch %d" % victim, out)
        self.assertIn("payload", out)

    def test_wrong_root_posted_with_the_sequencers_key_is_a_root_mismatch(self):
        c = self.seq.client()
        (ka, ia), (_, ib) = self.accounts[:2]
        self.assertEqual(c.submit(transfer(ka, ia, ib, 7, nonce=0)).json()["status"], "applied")
        latest = self.check_commitments(self.rpc, c)
        self.seq.terminate()  # it would post the next batch itself
        key = self.sequencer_key(self.seq.data_dir)
        info = self.rpc.rollup(ROLLUP)
        last = self.rpc.commitment(ROLLUP, latest)
        # A consistent commitment (payload and hash agree, queues as before) with a wrong root.
        CensorshipTests.commit(self, self.rpc, key, latest + 1, info["last_root"], last["deposits_upto"],
                               last["forced_upto"], ROLLUP, new_root="ab" * 32)
        out = self.derive(self.chain.url, expect_rc=1)
        self.assertIn("batch %d" % (latest + 1), out)
        self.assertIn("ab" * 32, out)
        self.assertIn("root", out)


class BlackHole:
    """A TCP listener that accepts connections and never answers (a hung base chain)."""

    def __init__(self, port):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.sock.listen(64)
        self.held = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        self.sock.settimeout(0.1)
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
                self.held.append(conn)
            except OSError:
                pass

    def close(self):
        self.stop.set()
        self.thread.join(5)
        for c in self.held:
            c.close()
        self.sock.close()


class HungChainTests(SettlementCase):
    def test_no_request_waits_on_a_base_chain_that_never_answers(self):
        chain, seq, rpc, c, carol, ic = self.rollup_with_one_user(1000)
        w = withdraw(carol, ic, 400, nonce=0, fee=0)
        self.assertEqual(c.submit(w, wait=True).json()["status"], "applied")
        self.wait_posted(rpc, 1)
        chain.kill()
        hole = BlackHole(chain.fixed_port)
        self.addCleanup(hole.close)
        wait_for("the sequencer to connect to the hung chain", lambda: hole.held, timeout=10)
        # Every HTTP thread busy with withdrawal reads at once, and /health beside them.
        results = {}

        def get(name, path):
            t0 = time.monotonic()
            r = seq.client(timeout=30).get(path)
            results[name] = (r.status, time.monotonic() - t0)

        threads = [threading.Thread(target=get, args=("w%d" % i, "/v1/withdrawals/" + w.hash)) for i in range(4)]
        threads += [threading.Thread(target=get, args=("list", "/v1/accounts/%d/withdrawals" % ic)),
                    threading.Thread(target=get, args=("health", "/health"))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30 * SCALE)
        self.assertEqual(sorted(results), sorted(["w0", "w1", "w2", "w3", "list", "health"]), results)
        for name, (status, seconds) in results.items():
            self.assertEqual(status, 200, (name, results))
            self.assertLess(seconds, 1.0 * SCALE, (name, results))


class BacklogBoundTests(SettlementCase):
    def test_batches_continue_while_the_chain_is_down_up_to_the_bound(self):
        tmp = self.new_dir()
        chain = self.start_chain(tmp)
        seq = self.start_sequencer(chain, tmp, extra=["--settlement.max-unposted-batches", "3",
                                                      "--ready.max-unreachable-s", "1"])
        rpc = chain.rpc()
        (k1, k2) = self.keys(2)
        self.deposit(rpc, k1, 1000)
        self.deposit(rpc, k2, 1000)
        c = seq.client()
        i1 = self.wait_balance(c, k1, 1000)["index"]
        i2 = self.wait_balance(c, k2, 1000)["index"]
        self.check_commitments(rpc, c)
        self.assertEqual(self.ready(c), (200, []))
        chain.terminate()
        # Not ready once the chain has been away for longer than --ready.max-unreachable-s.
        wait_for("not ready", lambda: self.ready(c)[0] == 503, timeout=10)
        self.assertEqual(self.ready(c)[1], ["base_chain_unreachable"])
        self.assertEqual(c.get("/health").status, 200)  # liveness is not readiness
        # Restarted while the chain is down: the batches it already has do not count.
        seq.terminate()
        seq.start(timeout=60 * SCALE)
        c = seq.client()
        self.assertFalse(c.get_json("/v1/settlement")["synced"])
        for n in range(3):
            r = c.submit(transfer(k1, i1, i2, 1, nonce=n))
            self.assertEqual(r.json()["status"], "applied", r)
        # Three batches ahead of the chain: the fourth tx waits in the mempool.
        fourth = transfer(k1, i1, i2, 1, nonce=3)
        r = c.post_json("/v1/transactions?wait=true&timeout_ms=1000", fourth.json())
        self.assertEqual(r.status, 202, r)
        self.assertEqual(c.get_json("/v1/transactions/" + fourth.hash)["status"], "pending")
        wait_for("unreachable again", lambda: "base_chain_unreachable" in self.ready(c)[1], timeout=10)
        self.assertIn("backlog_full", self.ready(c)[1])
        chain.start(timeout=60 * SCALE)
        wait_for("the held tx applied",
                 lambda: c.get_json("/v1/transactions/" + fourth.hash)["status"] == "applied", timeout=60)
        self.assertTrue(c.get_json("/v1/settlement")["synced"])
        self.check_commitments(chain.rpc(), c)
        wait_for("ready again", lambda: self.ready(c) == (200, []), timeout=10)


class ReorgTests(SettlementCase):
    """Settlement that cannot get stuck: the base chain refuses a durable batch for a reason
    retrying cannot change, and the sequencer rolls back to the chain's last batch, puts the
    queue entries first and executes the rolled-back user txs again (docs/settlement.md, "Reorgs")."""

    def setup_rollup(self, extra=()):
        self.tmp = self.new_dir()
        self.chain = self.start_chain(self.tmp)
        self.seq = self.start_sequencer(self.chain, self.tmp, extra=list(extra))
        self.rpc = self.chain.rpc()
        k1, k2 = self.keys(2)
        self.deposit(self.rpc, k1, 1000)
        self.deposit(self.rpc, k2, 1000)
        c = self.seq.client()
        i1 = self.wait_balance(c, k1, 1000)["index"]
        i2 = self.wait_balance(c, k2, 1000)["index"]
        self.check_commitments(self.rpc, c)
        return c, (k1, i1), (k2, i2)

    def outage_with_overdue_deposit(self, c, k1, i1, i2, late_key):
        """The sequencer loses the chain; it keeps making batches (a transfer each, and one
        rejected tx). Meanwhile, on the chain (up on another port), a deposit is queued and
        its inclusion deadline passes. Then the chain comes back where the sequencer looks."""
        posted = int(self.rpc.rollup(ROLLUP)["last_batch"])
        self.chain.terminate()
        txs = []
        for n in range(3):
            t = transfer(k1, i1, i2, 10 + n, nonce=n)
            r = c.submit(t)
            self.assertEqual(r.json()["status"], "applied", r)
            txs.append(t)
        # Rejected at execution (more than the balance): a receipt, and nothing posted.
        broke = transfer(k1, i1, i2, 10 ** 9, nonce=3)
        r = c.post_json("/v1/transactions?wait=true", broke.json())
        self.assertEqual(r.json()["status"], "insufficient_balance", r)
        soft = int(c.account(i1)["balance"]), int(c.account(i2)["balance"])
        self.assertGreater(int(c.status()["latest_batch"]), posted)
        # The chain, elsewhere: a deposit that the sequencer cannot see, and time passes.
        away = base.BasechainProcess(BIN["basechaind"], self.chain.data_dir, self.tmp)
        self.addCleanup(away.kill)
        away.start(timeout=60 * SCALE)
        arpc = away.rpc()
        self.deposit(arpc, late_key, 500)
        self.deposit(arpc, k1, 100, fund=True)
        arpc.advance(DEADLINE_S + 10)
        away.terminate()
        self.chain.start(timeout=60 * SCALE)
        self.rpc = self.chain.rpc()
        return txs, broke, soft

    def wait_settled(self, c, txs, reorgs=1):
        """A reorg happened, every tx in `txs` is out of pending, and every batch is posted."""
        def done():
            s = c.get_json("/v1/settlement")
            return (int(s["reorgs"]) >= reorgs and s["last_posted"] == s["durable_head"] and
                    "reorg_wanted" not in s and
                    all(c.get_json("/v1/transactions/" + t.hash)["status"] != "pending" for t in txs) and s)
        return wait_for("settled again after a reorg", done, timeout=60)

    def test_missed_deadline_during_an_outage_recovers_by_itself(self):
        c, (k1, i1), (k2, i2) = self.setup_rollup()
        late = self.keys(1)[0]
        txs, broke, soft = self.outage_with_overdue_deposit(c, k1, i1, i2, late)
        s = self.wait_settled(c, txs + [broke])
        self.assertFalse(s["fatal"])
        self.assertGreaterEqual(int(s["reexecuted_txs"]), 3)
        self.assertGreaterEqual(int(s["reorg_dropped_txs"]), 1)
        self.assertGreater(int(s["refusals"]), 0, "the chain refused the batches made during the outage")
        with open(self.seq.log_path, "rb") as f:
            log = f.read().decode("utf-8", "replace")
        self.assertIn("deposit_deadline_missed", log)
        self.assertIn("settlement reorg: rolled back", log)
        self.check_commitments(self.rpc, c)
        self.derive(self.chain.url)
        # The user's transfers: applied again, in a new batch, and the receipt says so.
        for t in txs:
            j = c.get_json("/v1/transactions/" + t.hash)
            self.assertEqual(j["status"], "applied", j)
            self.assertEqual(j["reorg"]["outcome"], "reapplied", j)
            self.assertGreater(int(j["batch"]), int(j["reorg"]["rolled_back_to"]), j)
            self.assertGreater(int(j["reorg"]["from_batch"]), int(j["reorg"]["rolled_back_to"]), j)
            b = c.get_json("/v1/batches/%s" % j["batch"])
            self.assertEqual(b["state_root"], j["state_root"])
        # The rejected one is not executed again: dropped, with its old reason.
        j = c.get_json("/v1/transactions/" + broke.hash)
        self.assertEqual(j["status"], "dropped", j)
        self.assertEqual(j["reorg"]["outcome"], "dropped", j)
        self.assertEqual(j["reorg"]["reason"], "insufficient_balance", j)
        # Balances: the soft confirmations held, plus the deposits put first.
        self.wait_balance(c, k1, soft[0] + 100)
        self.wait_balance(c, k2, soft[1])
        self.wait_balance(c, late, 500)
        m, _ = l2.parse_prometheus(c.get("/metrics").body.decode())
        self.assertGreaterEqual(l2.metric_sum(m, "l2_settlement_reorgs_total"), 1)
        self.assertGreaterEqual(l2.metric_sum(m, "l2_settlement_reexecuted_txs_total"), 3)
        self.assertEqual(l2.metric_sum(m, "l2_settlement_unposted_batches"), 0)
        # Nothing of it is lost in a restart: the receipts still say what moved.
        self.seq.terminate()
        self.seq.start(timeout=60 * SCALE)
        c = self.seq.client()
        j = c.get_json("/v1/transactions/" + txs[0].hash)
        self.assertEqual((j["status"], j["reorg"]["outcome"]), ("applied", "reapplied"), j)
        self.assertEqual(c.get_json("/v1/transactions/" + broke.hash)["status"], "dropped")
        r = c.submit(transfer(k1, i1, i2, 1, nonce=3))
        self.assertEqual(r.json()["status"], "applied", r)
        self.check_commitments(self.rpc, c)


    def test_sigkill_in_the_middle_of_a_reorg_finishes_it_after_restart(self):
        # The sequencer pauses inside the reorg, after the rollback is durable and before
        # the queues restart and the rolled-back txs run again; it is killed there.
        c, (k1, i1), (k2, i2) = self.setup_rollup(extra=["--test.reorg-pause-ms", "600000"])
        late = self.keys(1)[0]
        txs, broke, soft = self.outage_with_overdue_deposit(c, k1, i1, i2, late)
        wait_for("the reorg under way",
                 lambda: (lambda s: int(s["reorgs"]) >= 1 and "reorg_wanted" in s)(c.get_json("/v1/settlement")),
                 timeout=60)
        # Rolled back: no lookup shows the old batch's soft confirmation any more.
        for t in txs:
            j = c.get_json("/v1/transactions/" + t.hash)
            self.assertEqual((j["status"], j["reorg"]["outcome"]), ("pending", "pending"), j)
        status, reasons = self.ready(c)
        self.assertEqual(status, 503)
        self.assertIn("reorg_in_progress", reasons)
        self.seq.kill()
        self.seq.extra_args = [a for a in self.seq.extra_args if a not in ("--test.reorg-pause-ms", "600000")]
        self.seq.start(timeout=60 * SCALE)
        c = self.seq.client()
        self.wait_settled(c, txs + [broke], reorgs=0)
        for t in txs:
            j = c.get_json("/v1/transactions/" + t.hash)
            self.assertEqual((j["status"], j["reorg"]["outcome"]), ("applied", "reapplied"), j)
        self.assertEqual(c.get_json("/v1/transactions/" + broke.hash)["reorg"]["outcome"], "dropped")
        self.wait_balance(c, k1, soft[0] + 100)
        self.wait_balance(c, k2, soft[1])
        self.wait_balance(c, late, 500)
        self.check_commitments(self.rpc, c)
        self.derive(self.chain.url)
        wait_for("ready after the reorg", lambda: self.ready(c) == (200, []), timeout=10)

    def test_base_chain_revert_below_posted_batches_is_followed(self):
        c, (k1, i1), (k2, i2) = self.setup_rollup()
        snap = self.rpc.call("dev_snapshot")
        before = int(self.rpc.rollup(ROLLUP)["last_batch"])
        k3 = self.keys(1)[0]
        self.deposit(self.rpc, k3, 500)
        i3 = self.wait_balance(c, k3, 500)["index"]
        moved = []
        for n in range(2):
            t = transfer(k1, i1, i2, 7, nonce=n)
            self.assertEqual(c.submit(t).json()["status"], "applied")
            moved.append(t)
        spent = transfer(k3, i3, i1, 50, nonce=0)  # k3's money came from the deposit the revert undoes
        self.assertEqual(c.submit(spent).json()["status"], "applied")
        soft = int(c.account(i1)["balance"]), int(c.account(i2)["balance"])
        self.check_commitments(self.rpc, c)
        self.assertTrue(self.rpc.call("dev_revert", {"id": snap}))
        self.assertEqual(int(self.rpc.rollup(ROLLUP)["last_batch"]), before)
        self.wait_settled(c, moved + [spent])
        # The transfers of k1 hold; k3's account never existed on the chain's history now.
        for t in moved:
            j = c.get_json("/v1/transactions/" + t.hash)
            self.assertEqual((j["status"], j["reorg"]["outcome"]), ("applied", "reapplied"), j)
        j = c.get_json("/v1/transactions/" + spent.hash)
        self.assertNotEqual(j["status"], "applied", j)
        self.assertIn(j["reorg"]["outcome"], ("rejected", "dropped"), j)
        self.assertIn("reason", j["reorg"])
        self.wait_balance(c, k1, soft[0] - 50)
        self.wait_balance(c, k2, soft[1])
        self.assertEqual(c.get("/v1/accounts/" + k3.public_hex).status, 404)
        self.check_commitments(self.rpc, c)
        self.derive(self.chain.url)
        # The same loop again (snapshot, batches, revert): no refusal loop.
        snap = self.rpc.call("dev_snapshot")
        t = transfer(k1, i1, i2, 1, nonce=2)
        self.assertEqual(c.submit(t).json()["status"], "applied")
        self.check_commitments(self.rpc, c)
        self.assertTrue(self.rpc.call("dev_revert", {"id": snap}))
        self.wait_settled(c, [t], reorgs=2)
        self.assertEqual(c.get_json("/v1/transactions/" + t.hash)["status"], "applied")
        self.check_commitments(self.rpc, c)
        self.derive(self.chain.url)


class DisputeTests(SettlementCase):
    """The sequencer defends its batches by itself (docs/disputes.md, "The sequencer's defence"):
    a challenger who disputes a correct commitment loses however it answers, or on its clock
    when it stops answering; the commitment stands and becomes final."""

    def busy_batch(self, tmp=None):
        """A posted batch of 12 transfers: (chain, seq, rpc, client, batch number, commitment)."""
        chain = self.start_chain(tmp)
        seq = self.start_sequencer(chain, tmp)
        rpc, c = chain.rpc(), seq.client()
        k1, k2 = self.keys(2)
        self.deposit(rpc, k1, 10000)
        self.deposit(rpc, k2, 10000)
        i1 = self.wait_balance(c, k1, 10000)["index"]
        i2 = self.wait_balance(c, k2, 10000)["index"]
        txs = [transfer(k1, i1, i2, 1 + n, nonce=n) for n in range(12)]
        r = c.post_binary("/v1/batches", l2.binary_batch(txs))
        self.assertEqual(r.status, 200, r)
        batches = {c.get_json("/v1/transactions/" + t.hash)["batch"] for t in txs}
        self.assertEqual(len(batches), 1, "the 12 transfers should share a batch")
        batch = int(batches.pop())
        self.wait_posted(rpc, batch)
        commitment = rpc.commitment(ROLLUP, batch)
        self.assertEqual(commitment["applied_txs"], 12)
        return chain, seq, rpc, c, batch, commitment

    @staticmethod
    def bisections(positions, agree):
        """How many roots the sequencer names before the step when the challenger always
        answers `agree` (docs/disputes.md: mid = lo + (hi - lo) / 2)."""
        lo, hi, n = 0, positions, 0
        while hi - lo > 1:
            mid = lo + (hi - lo) // 2
            lo, hi = (mid, hi) if agree else (lo, mid)
            n += 1
        return n

    def game(self, rpc, batch, challenger):
        games = [g for g in rpc.call("dispute_getDisputes", {"rollup_id": ROLLUP, "batch": batch})
                 if g["challenger"] == challenger.public_hex]
        self.assertEqual(len(games), 1, games)
        return games[0]

    def challenge(self, rpc, batch):
        (challenger,) = self.keys(1)
        rpc.fund(challenger, 1000)
        rpc.send(BaseTx(challenger, rpc.nonce(challenger), "challenge_batch", base.challenge_body(ROLLUP, batch)))
        return challenger

    def play(self, rpc, batch, challenger, agree):
        """Answers every root the sequencer names with agree(game) until the ruling; the moves."""
        moves = []
        while True:
            g = wait_for("the sequencer's move in dispute of batch %d" % batch,
                         lambda: (lambda g: (g["status"] != "open" or g["phase"] == "respond") and g)(
                             self.game(rpc, batch, challenger)))
            if g["status"] != "open":
                return g, moves
            moves.append((g["mid"], g["proposed_root"]))
            body = base.dispute_respond_body(ROLLUP, batch, g["mid"], agree(g))
            rpc.send(BaseTx(challenger, rpc.nonce(challenger), "dispute_respond", body))

    def assert_defended(self, rpc, c, batch, commitment, g):
        self.assertEqual((g["status"], g["winner"]), ("defender_won", "defender"), g)
        self.assertEqual(rpc.commitment(ROLLUP, batch)["tx_hash"], commitment["tx_hash"], "the commitment stands")
        s = wait_for("the ruling in /v1/settlement",
                     lambda: (lambda s: s["disputes"]["won"] == "1" and s["disputes"]["open"] == "0" and s)(
                         c.get_json("/v1/settlement")))
        self.assertEqual((s["disputes"]["lost"], s["disputes"]["moves_refused"], s["disputes"]["last_error"]),
                         ("0", "0", ""), s)
        self.assertGreaterEqual(int(s["disputes"]["moves_sent"]), 1, s)
        samples, _ = l2.parse_prometheus(c.get("/metrics").body.decode())
        self.assertEqual(l2.metric_sum(samples, "l2_settlement_disputes_won_total"), 1)
        # Final once its window has passed, like any other.
        rpc.advance(WINDOW_S + 1)
        wait_for("batch %d final" % batch, lambda: rpc.commitment(ROLLUP, batch)["final"])

    def test_a_challenger_who_disagrees_with_every_root_loses_at_the_first_tx(self):
        chain, seq, rpc, c, batch, commitment = self.busy_batch()
        challenger = self.challenge(rpc, batch)
        g, moves = self.play(rpc, batch, challenger, lambda g: False)
        # Narrowed to the first position: the chain ran the first transfer over the batch's
        # prev_root and reached the sequencer's root. Each bisection answered, then the step.
        self.assertEqual((g["end"], g["lo"], g["hi"]), ("step_matches", 0, 1), g)
        self.assertEqual(len(moves), self.bisections(12, False))
        self.assertEqual(g["moves"], 2 * len(moves) + 1)
        self.assert_defended(rpc, c, batch, commitment, g)

    def test_a_challenger_who_agrees_with_every_root_loses_at_the_last_tx(self):
        chain, seq, rpc, c, batch, commitment = self.busy_batch()
        challenger = self.challenge(rpc, batch)
        g, moves = self.play(rpc, batch, challenger, lambda g: True)
        self.assertEqual((g["end"], g["lo"], g["hi"]), ("step_matches", 11, 12), g)
        self.assertEqual(len(moves), self.bisections(12, True))
        self.assertEqual(g["agreed_root"], moves[-1][1], "the last root agreed is the one the step ran from")
        self.assert_defended(rpc, c, batch, commitment, g)

    def test_a_challenger_who_stops_answering_loses_on_its_clock(self):
        chain, seq, rpc, c, batch, commitment = self.busy_batch()
        challenger = self.challenge(rpc, batch)
        g = wait_for("the sequencer's first bisect",
                     lambda: (lambda g: g["phase"] == "respond" and g)(self.game(rpc, batch, challenger)))
        self.assertEqual(g["moves"], 1)
        rpc.advance(int(g["challenger_clock_s"]) + 1)
        g = wait_for("the sequencer's timeout claim",
                     lambda: (lambda g: g["status"] != "open" and g)(self.game(rpc, batch, challenger)))
        self.assertEqual(g["end"], "clock_ran_out", g)
        self.assert_defended(rpc, c, batch, commitment, g)


    def test_a_sequencer_away_past_its_clock_loses_the_batch_and_posts_it_again(self):
        tmp = self.new_dir()
        chain, seq, rpc, c, batch, commitment = self.busy_batch(tmp)
        last = int(rpc.rollup(ROLLUP)["last_batch"])
        seq.terminate()
        challenger = self.challenge(rpc, batch)
        g = self.game(rpc, batch, challenger)
        rpc.advance(int(g["defender_clock_s"]) + 1)
        rpc.send(BaseTx(challenger, rpc.nonce(challenger), "dispute_timeout",
                        base.dispute_timeout_body(ROLLUP, batch, challenger.public)))
        g = self.game(rpc, batch, challenger)
        self.assertEqual((g["status"], g["end"]), ("challenger_won", "clock_ran_out"), g)
        # The batch went with every later one.
        self.assertIsNone(rpc.commitment(ROLLUP, batch))
        self.assertEqual(int(rpc.rollup(ROLLUP)["last_batch"]), batch - 1)
        # Back, the sequencer finds the chain behind its durable batches and posts them
        # again: the same batches, with the same roots (they were right).
        seq = self.start_sequencer(chain, tmp)
        c = seq.client()
        self.wait_posted(rpc, last)
        again = rpc.commitment(ROLLUP, batch)
        self.assertNotEqual(again["tx_hash"], commitment["tx_hash"])
        self.assertEqual((again["prev_root"], again["new_root"], again["payload_hash"]),
                         (commitment["prev_root"], commitment["new_root"], commitment["payload_hash"]))
        s = c.get_json("/v1/settlement")
        self.assertEqual((s["fatal"], s["diverged"]), (False, False), s)
        self.derive(chain.url)


    def bond(self, rpc, batch):
        return rpc.call("dispute_getBond", {"rollup_id": ROLLUP, "batch": batch})["bond"]

    def test_the_sequencer_locks_a_bond_with_every_commitment_and_claims_it_back_once_final(self):
        BOND = 500
        tmp = self.new_dir()
        chain = self.start_chain(tmp)
        seq = self.start_sequencer(chain, tmp, extra=["--settlement.dispute-bond", str(BOND),
                                                      "--settlement.dispute-clock-s", "900"])
        rpc, c = chain.rpc(), seq.client()
        r = rpc.rollup(ROLLUP)
        self.assertEqual((r["bond"], r["dispute_clock_s"]), (str(BOND), 900), r)
        seq_key = self.sequencer_key(seq.data_dir)
        self.assertEqual(rpc.account(seq_key)[0], 0)
        # An unfunded key cannot lock the bond: the commitment is refused, and says why.
        (k,) = self.keys(1)
        self.deposit(rpc, k, 1000)
        self.wait_balance(c, k, 1000)
        s = wait_for("the refusal in /v1/settlement",
                     lambda: (lambda s: "cannot lock the commitment's bond of %d" % BOND in s["last_error"] and s)(
                         c.get_json("/v1/settlement")))
        self.assertEqual(s["last_posted"], "0", s)
        self.assertEqual(int(rpc.rollup(ROLLUP)["last_batch"]), 0)
        # Funded, it posts; each commitment locks one bond from the key.
        FUNDS = 10 * BOND
        rpc.fund(seq_key, FUNDS)
        posted = int(self.wait_posted(rpc, 1)["last_batch"])
        b = self.bond(rpc, 1)
        self.assertEqual((b["owner"], b["amount"], b["returned"]), (seq_key.public_hex, str(BOND), False), b)
        self.assertEqual(rpc.account(seq_key)[0], FUNDS - BOND * posted)
        self.assertEqual(c.get_json("/v1/settlement")["disputes"]["bonds_claimed"], "0")
        # Final once the window has passed: the sequencer claims every final bond back.
        rpc.advance(WINDOW_S + 1)
        final = int(wait_for("batch %d final" % posted,
                             lambda: (lambda r: int(r["last_final"]) >= posted and r)(rpc.rollup(ROLLUP)))["last_final"])
        wait_for("the final bonds returned",
                 lambda: all(self.bond(rpc, n)["returned"] for n in range(1, final + 1)))
        s = wait_for("bonds_claimed in /v1/settlement",
                     lambda: (lambda s: int(s["disputes"]["bonds_claimed"]) >= final and s)(c.get_json("/v1/settlement")))
        self.assertEqual((s["disputes"]["moves_refused"], s["disputes"]["last_error"]), ("0", ""), s)
        last = int(rpc.rollup(ROLLUP)["last_batch"])
        held = sum(1 for n in range(1, last + 1) if not self.bond(rpc, n)["returned"])
        self.assertEqual(rpc.account(seq_key)[0], FUNDS - BOND * held)
        samples, _ = l2.parse_prometheus(c.get("/metrics").body.decode())
        self.assertGreaterEqual(l2.metric_sum(samples, "l2_settlement_bonds_claimed_total"), final)

    def test_dispute_terms_out_of_range_are_a_usage_error(self):
        chain = self.start_chain()
        for flag, value in (("--settlement.dispute-clock-s", "0"), ("--settlement.dispute-bond", "9223372036854775808")):
            cmd = [BIN["sequencerd"], "--port", "0", "--data-dir", self.new_dir(), "--chain-id", str(ROLLUP),
                   "--base-chain", chain.url, flag, value]
            r = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=60 * SCALE)
            self.assertEqual(r.returncode, 2, r)
            self.assertIn(flag.encode(), r.stderr)
            self.assertIsNone(chain.rpc().rollup(ROLLUP), "nothing registered")

class SettledDatabaseTests(SettlementCase):
    def test_a_settled_database_refuses_to_start_without_its_base_chain(self):
        tmp = self.new_dir()
        chain = self.start_chain(tmp)
        seq = self.start_sequencer(chain, tmp)
        (k,) = self.keys(1)
        self.deposit(chain.rpc(), k, 10)
        self.wait_balance(seq.client(), k, 10)
        seq.terminate()
        p = subprocess.run([BIN["sequencerd"], "--data-dir", seq.data_dir, "--chain-id", str(ROLLUP), "--port", "0",
                            "--dev"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60 * SCALE)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn(b"--base-chain", p.stdout)
        seq.start(timeout=60 * SCALE)  # with it, it goes on
        self.assertEqual(int(self.wait_balance(seq.client(), k, 10)["balance"]), 10)


class DeriveCliTests(SettlementCase):
    def test_usage_and_unreachable_chain_exit_2(self):
        self.derive("http://127.0.0.1:%d" % base.free_port(), expect_rc=2)
        p = subprocess.run([BIN["rollup-derive"], "--rollup-id", "7"], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=60)
        self.assertEqual(p.returncode, 2, p.stdout)

    def test_unregistered_rollup_is_an_error_not_a_pass(self):
        chain = self.start_chain()
        out = self.derive(chain.url, rollup=999, expect_rc=2)
        self.assertIn("999", out)


class TwoRollupsTests(SettlementCase):
    def test_two_rollups_settle_side_by_side(self):
        chain = self.start_chain()
        rpc = chain.rpc()
        seq7 = self.start_sequencer(chain, chain_id=7)
        seq8 = self.start_sequencer(chain, chain_id=8)
        k7, k8 = self.keys(2)
        self.deposit(rpc, k7, 700, rollup=7)
        self.deposit(rpc, k8, 800, rollup=8)
        self.wait_balance(seq7.client(), k7, 700)
        self.wait_balance(seq8.client(), k8, 800)
        self.assertEqual(seq7.client().get("/v1/accounts/" + k8.public_hex).status, 404)
        self.assertEqual(seq8.client().get("/v1/accounts/" + k7.public_hex).status, 404)
        self.assertEqual((int(rpc.rollup(7)["locked"]), int(rpc.rollup(8)["locked"])), (700, 800))
        for rollup, seq in ((7, seq7), (8, seq8)):
            self.check_commitments(rpc, seq.client(), rollup)
            self.derive(chain.url, rollup)


class MisconfigurationTests(SettlementCase):
    def test_second_sequencer_for_a_taken_rollup_refuses_to_start(self):
        chain = self.start_chain()
        rpc = chain.rpc()
        self.start_sequencer(chain)
        owner = rpc.rollup(ROLLUP)["sequencer"]
        before = rpc.rollup(ROLLUP)
        err = self.refused(chain, os.path.join(self.new_dir(), "intruder"))  # another key, another genesis
        self.assertIn("registered on the base chain to sequencer key %s" % owner, err)
        self.assertEqual(rpc.rollup(ROLLUP), before)


class CatchUpTests(SettlementCase):
    """A data dir behind the base chain (a restored older backup, a lost tail) re-derives
    the missing batches from the chain at start, before it serves anything."""

    def behind_the_chain(self, transfers=3):
        """A sequencer, a copy of its data dir taken at batch 0, then two deposits and
        `transfers` transfers in batches of their own, all posted; the sequencer is
        stopped. (chain, rpc, original, backup dir, (k1, i1, balance), (k2, i2, balance), txs,
        last batch)."""
        chain = self.start_chain()
        rpc = chain.rpc()
        tmp = self.new_dir()
        seq = self.start_sequencer(chain, tmp=tmp)
        self.assertEqual(seq.terminate(), 0)
        backup = os.path.join(tmp, "backup")
        shutil.copytree(seq.data_dir, backup)  # taken at batch 0
        os.remove(os.path.join(backup, "LOCK"))
        seq.start(timeout=60 * SCALE)
        c = seq.client()
        k1, k2 = self.keys(2)
        self.deposit(rpc, k1, 300)
        i1 = self.wait_balance(c, k1, 300)["index"]
        self.deposit(rpc, k2, 50)
        i2 = self.wait_balance(c, k2, 50)["index"]
        txs = []
        for n in range(transfers):
            t = transfer(k1, i1, i2, 10, nonce=n)
            r = c.submit(t)
            self.assertEqual(r.json()["status"], "applied", r)
            txs.append(t)
        last = self.check_commitments(rpc, c)
        self.assertGreaterEqual(last, transfers)
        b1, b2 = (int(c.get_json("/v1/accounts/" + k.public_hex)["balance"]) for k in (k1, k2))
        self.assertLess(b1, 300)
        self.assertEqual(seq.terminate(), 0)
        return chain, rpc, seq, backup, (k1, i1, b1), (k2, i2, b2), txs, last

    def assert_caught_up(self, seq, rpc, users, txs, last):
        """The node holds the chain's batches 1..last, answers for their txs, and takes
        and posts new ones."""
        (k1, i1, b1), (k2, i2, b2) = users
        c = seq.client()
        self.assertGreaterEqual(int(c.status()["latest_batch"]), last)
        self.check_commitments(rpc, c)  # every batch's root is the chain's
        for t in txs:
            j = c.get_json("/v1/transactions/" + t.hash)
            self.assertEqual(j["status"], "applied", j)
            self.assertEqual(rpc.commitment(ROLLUP, int(j["batch"]))["new_root"],
                             c.get_json("/v1/batches/" + j["batch"])["state_root"])
        self.wait_balance(c, k1, b1)
        self.wait_balance(c, k2, b2)
        r = c.submit(transfer(k1, i1, i2, 1, nonce=len(txs)))
        self.assertEqual(r.json()["status"], "applied", r)
        self.assertGreater(self.check_commitments(rpc, c), last)
        self.wait_balance(c, k2, b2 + 1)

    def test_a_store_behind_the_chain_re_derives_the_missing_batches_at_start(self):
        chain, rpc, seq, backup, u1, u2, txs, last = self.behind_the_chain()
        restored = self.start_sequencer(chain, data=backup)
        log = "\n".join(restored.lines)
        self.assertIn("but this database ends at batch 0 (an older backup, or a lost tail): re-deriving", log)
        self.assertIn("caught up with the base chain at batch %d" % last, log)
        self.assertEqual(self.ready(restored.client())[0], 200)
        self.assert_caught_up(restored, rpc, (u1, u2), txs, last)
        self.assertEqual(restored.terminate(), 0)
        # The original is now the one behind (the restored copy posted a batch more): it
        # catches up the same way, and says nothing was lost.
        seq.start(timeout=60 * SCALE)
        self.assertIn("caught up with the base chain at batch %d" % (last + 1), "\n".join(seq.lines))
        self.check_commitments(rpc, seq.client())
        self.wait_balance(seq.client(), u2[0], u2[2] + 1)
        self.derive(chain.url)

    def test_sigkill_in_the_middle_of_re_deriving_resumes_after_restart(self):
        chain, rpc, _, backup, u1, u2, txs, last = self.behind_the_chain()
        restored = self.start_sequencer(chain, data=backup, extra=["--test.catch-up-pause-ms", "600000"],
                                        until=r"re-derived batch 1 of %d" % last)
        restored.kill()  # paused after batch 1, which is committed
        db = sqlite3.connect(os.path.join(backup, "rollup.db"))
        self.assertEqual(db.execute("SELECT max(number) FROM batches").fetchone()[0], 1)
        db.close()
        restored.extra_args = [a for a in restored.extra_args if a not in ("--test.catch-up-pause-ms", "600000")]
        restored.start(timeout=60 * SCALE)
        log = "\n".join(restored.lines)
        self.assertIn("but this database ends at batch 1", log)
        self.assertNotIn("re-derived batch 1 of", log)  # resumed after it
        self.assertIn("caught up with the base chain at batch %d" % last, log)
        self.assert_caught_up(restored, rpc, (u1, u2), txs, last)

    def test_a_store_diverged_from_the_chain_refuses_to_start(self):
        # Two data dirs of one key and genesis: the copy goes its own way while the base
        # chain is down, so its batch 1 is not the chain's.
        chain, rpc, seq, backup, u1, u2, txs, last = self.behind_the_chain(transfers=1)
        other = self.start_chain()
        fork = self.start_sequencer(other, data=backup)
        k2 = u2[0]
        self.deposit(other.rpc(), k2, 7)
        self.wait_balance(fork.client(), k2, 7)
        self.assertEqual(fork.terminate(), 0)
        before = rpc.rollup(ROLLUP)
        err = self.refused(chain, backup)
        self.assertIn("this database has diverged from the base chain: batch 1 of rollup %d" % ROLLUP, err)
        self.assertEqual(rpc.rollup(ROLLUP), before)

    def caught_up(self, client, batch):
        """Waits until `client`'s node holds `batch` and is not catching up; its /v1/settlement."""
        def done():
            s = client.get_json("/v1/settlement")
            return int(s["durable_head"]) >= batch and "catch_up_wanted" not in s and s
        return wait_for("caught up to batch %d" % batch, done, timeout=30)

    def test_two_nodes_with_the_same_key_catch_up_with_each_other_while_they_run(self):
        # Two copies of one data dir run at once (the same key and history up to `last`).
        # Each posts a batch the other never saw; the other, which made no batch of its own
        # past the chain's, re-derives it without a restart and goes on after it.
        chain, rpc, a, backup, (k1, i1, _), (k2, i2, _), txs, last = self.behind_the_chain(transfers=1)
        a.start(timeout=60 * SCALE)
        b = self.start_sequencer(chain, data=backup)  # catches up to `last` at start
        ca, cb = a.client(), b.client()
        self.assertEqual(int(cb.status()["latest_batch"]), last)
        x = transfer(k1, i1, i2, 3, nonce=len(txs))  # only b sees it
        z = transfer(k1, i1, i2, 2, nonce=len(txs) + 1)  # both see it; a holds it (a nonce gap there)
        waiting = {}

        def submit_z_to_a():
            waiting["r"] = ca.post_json("/v1/transactions?wait=true&timeout_ms=60000", z.json(), timeout=90)
        waiter = threading.Thread(target=submit_z_to_a)
        waiter.start()
        wait_for("z held in a's mempool", lambda: (lambda r: r.status == 200 and r.json()["status"] == "pending")(
            ca.get("/v1/transactions/" + z.hash)))
        r = cb.post_json("/v1/batches", [x.json(), z.json()])
        receipts = r.json()["receipts"]
        self.assertEqual([rc["status"] for rc in receipts], ["applied", "applied"], r)
        self.assertEqual({rc["batch"] for rc in receipts}, {str(last + 1)}, receipts)
        self.wait_posted(rpc, last + 1)

        s = self.caught_up(ca, last + 1)
        self.assertFalse(s["diverged"], s)
        self.assertEqual((s["catch_ups"], s["caught_up_batches"]), ("1", "1"), s)
        self.assertIn("re-deriving them from the chain", "\n".join(a.lines))
        self.assertEqual(ca.get_json("/v1/batches/%d" % (last + 1))["state_root"],
                         rpc.commitment(ROLLUP, last + 1)["new_root"])
        for t in (x, z):
            j = ca.get_json("/v1/transactions/" + t.hash)
            self.assertEqual((j["status"], j["batch"]), ("applied", str(last + 1)), j)
        # The request that waited at `a` for z got the receipt of the chain's batch.
        waiter.join(timeout=30 * SCALE)
        self.assertFalse(waiter.is_alive())
        self.assertEqual(waiting["r"].status, 200, waiting["r"])
        self.assertEqual((waiting["r"].json()["status"], waiting["r"].json()["batch"]), ("applied", str(last + 1)))
        self.assertEqual(self.ready(ca), (200, []))
        m, _ = l2.parse_prometheus(ca.get("/metrics").body.decode())
        self.assertEqual(l2.metric_sum(m, "l2_settlement_catch_ups_total"), 1)
        self.assertEqual(l2.metric_sum(m, "l2_settlement_caught_up_batches_total"), 1)
        self.assertEqual(l2.metric_sum(m, "l2_settlement_diverged"), 0)

        # `a` takes a tx after it, in a batch of its own that it posts; `b` catches up in turn.
        y = transfer(k2, i2, i1, 4, nonce=0)
        r = ca.submit(y)
        self.assertEqual(r.json()["status"], "applied", r)
        mine = int(r.json()["batch"])
        self.assertGreater(mine, last + 1)
        self.wait_posted(rpc, mine)
        s = self.caught_up(cb, mine)
        self.assertFalse(s["diverged"], s)
        self.assertGreaterEqual(int(s["catch_ups"]), 1, s)
        j = cb.get_json("/v1/transactions/" + y.hash)
        self.assertEqual((j["status"], j["batch"]), ("applied", str(mine)), j)
        # z stays applied where the chain has it (a rejected copy of it may follow in a's batch).
        j = ca.get_json("/v1/transactions/" + z.hash)
        self.assertEqual((j["status"], j["batch"]), ("applied", str(last + 1)), j)
        for k in (k1, k2):
            self.assertEqual(ca.account(k.public_hex), cb.account(k.public_hex))
        self.assertEqual(self.ready(cb), (200, []))
        self.assertEqual(a.terminate(), 0)
        self.assertEqual(b.terminate(), 0)
        self.derive(chain.url)

    def test_killed_while_catching_up_at_runtime_finishes_at_restart(self):
        chain, rpc, a, backup, (k1, i1, _), (k2, i2, _), txs, last = self.behind_the_chain(transfers=1)
        a.extra_args = a.extra_args + ["--test.catch-up-pause-ms", "600000"]
        a.start(timeout=60 * SCALE)
        b = self.start_sequencer(chain, data=backup)
        cb = b.client()
        posted = []
        for n in range(2):  # one batch each
            t = transfer(k1, i1, i2, 3, nonce=len(txs) + n)
            r = cb.submit(t)
            self.assertEqual(r.json()["status"], "applied", r)
            posted.append((t, int(r.json()["batch"])))
        head = posted[-1][1]
        self.wait_posted(rpc, head)
        # `a` pauses after the first batch it re-derives (committed), then is killed.
        wait_for("a re-derived batch %d" % (last + 1),
                 lambda: any("re-derived batch %d of" % (last + 1) in x for x in a.lines), timeout=30)
        status, reasons = self.ready(a.client())
        self.assertEqual(status, 503)
        self.assertIn("catching_up", reasons)
        a.kill()
        a.extra_args = [x for x in a.extra_args if x not in ("--test.catch-up-pause-ms", "600000")]
        a.start(timeout=60 * SCALE)
        self.assertIn("caught up with the base chain at batch %d" % head, "\n".join(a.lines))
        ca = a.client()
        self.assertEqual(int(ca.status()["latest_batch"]), head)
        for t, batch in posted:
            j = ca.get_json("/v1/transactions/" + t.hash)
            self.assertEqual((j["status"], j["batch"]), ("applied", str(batch)), j)
        for k in (k1, k2):
            self.assertEqual(ca.account(k.public_hex), cb.account(k.public_hex))
        self.assertEqual(a.terminate(), 0)
        self.assertEqual(b.terminate(), 0)
        self.derive(chain.url)

    def test_a_batch_that_does_not_derive_is_rolled_back_and_the_node_diverges(self):
        # Someone with the sequencer's key posts a batch built on the node's head whose root
        # is wrong (payload and queues consistent): the running node starts to catch up,
        # executes it, finds another root, takes it back and stops taking writes.
        chain, rpc, a, backup, (k1, i1, _), (k2, i2, _), txs, last = self.behind_the_chain(transfers=1)
        a.start(timeout=60 * SCALE)
        ca = a.client()
        head_root = ca.get_json("/v1/batches/%d" % last)["state_root"]
        info, prev = rpc.rollup(ROLLUP), rpc.commitment(ROLLUP, last)
        self.assertEqual(info["last_root"], head_root)
        CensorshipTests.commit(self, rpc, self.sequencer_key(a.data_dir), last + 1, head_root,
                               prev["deposits_upto"], prev["forced_upto"], ROLLUP, new_root="ab" * 32)

        def diverged():
            status, reasons = self.ready(ca)
            return status == 503 and "diverged" in reasons
        wait_for("a diverged", diverged, timeout=30)
        msg = [x["message"] for x in ca.get("/ready").json()["reasons"] if x["code"] == "diverged"][0]
        self.assertIn("the base chain's batch does not derive over this database: batch %d: state_root mismatch"
                      % (last + 1), msg)
        self.assertIn("ab" * 32, msg)
        self.assertIn("re-deriving them from the chain", "\n".join(a.lines))
        # Only what was found correct is kept: the wrong batch is gone from the node.
        self.assertEqual(int(ca.status()["latest_batch"]), last)
        self.assertEqual(ca.status()["state_root"], head_root)
        self.assertEqual(ca.get("/v1/batches/%d" % (last + 1)).status, 404)
        st = ca.get_json("/v1/settlement")
        self.assertTrue(st["diverged"], st)
        self.assertEqual((st["catch_ups"], st["caught_up_batches"], st["durable_head"]), ("0", "0", str(last)), st)
        r = ca.submit(transfer(k2, i2, i1, 1, nonce=0))
        self.assertEqual(r.status, 503, r)
        self.assertIn("diverged", r.json()["error"]["message"])
        self.assertEqual(a.terminate(), 0)
        err = self.refused(chain, a.data_dir)  # a restart re-derives it again, and refuses
        self.assertIn("the base chain's batch does not derive over this database: batch %d" % (last + 1), err)
        self.assertIn("Refusing to serve it", err)
        self.derive(chain.url, expect_rc=1)

    def test_a_node_with_a_batch_the_chain_does_not_hold_diverges_at_sync(self):
        # `a` makes a batch of its own while it cannot reach the chain; meanwhile a copy of
        # its data dir posts two other batches there. Back on the chain, `a` finds batches
        # past its head that do not build on it: it stops taking writes and says why.
        chain, rpc, a, backup, (k1, i1, _), (k2, i2, _), txs, last = self.behind_the_chain(transfers=1)
        a.start(timeout=60 * SCALE)
        ca = a.client()
        chain.terminate()
        y = transfer(k2, i2, i1, 4, nonce=0)  # only `a` sees it
        r = ca.submit(y)
        self.assertEqual((r.status, r.json()["status"], r.json()["batch"]), (200, "applied", str(last + 1)), r)
        mine = ca.get_json("/v1/batches/%d" % (last + 1))["state_root"]
        away = base.BasechainProcess(BIN["basechaind"], chain.data_dir, self.new_dir())
        self.addCleanup(away.kill)
        away.start(timeout=60 * SCALE)
        b = self.start_sequencer(away, data=backup)  # catches up to `last` at start
        cb = b.client()
        for n in range(2):
            r = cb.submit(transfer(k1, i1, i2, 3, nonce=len(txs) + n))
            self.assertEqual(r.json()["status"], "applied", r)
        self.wait_posted(away.rpc(), last + 2)
        self.assertEqual(b.terminate(), 0)
        away.terminate()
        chain.start(timeout=60 * SCALE)
        rpc = chain.rpc()

        def diverged():
            status, reasons = self.ready(ca)
            return status == 503 and "diverged" in reasons
        wait_for("a diverged at its next sync", diverged, timeout=30)
        body = ca.get("/ready").json()
        msg = [x["message"] for x in body["reasons"] if x["code"] == "diverged"][0]
        self.assertIn("this node has diverged from the base chain", msg)
        self.assertIn("its batch %d has root %s, not this node's %s" %
                      (last + 1, rpc.commitment(ROLLUP, last + 1)["new_root"], mine), msg)
        self.assertIn("another process posts this rollup with this sequencer's key", msg)
        st = ca.get_json("/v1/settlement")
        self.assertTrue(st["diverged"], st)
        self.assertEqual(st["catch_ups"], "0", st)
        m, _ = l2.parse_prometheus(ca.get("/metrics").body.decode())
        self.assertEqual(l2.metric_sum(m, "l2_settlement_diverged"), 1)
        # No more writes, and nothing of it reaches the chain.
        r = ca.submit(transfer(k2, i2, i1, 1, nonce=1))
        self.assertEqual(r.status, 503, r)
        self.assertEqual(r.json()["error"]["code"], "unavailable")
        self.assertIn("diverged", r.json()["error"]["message"])
        self.assertEqual(int(rpc.rollup(ROLLUP)["last_batch"]), last + 2)
        self.assertEqual(ca.get_json("/v1/transactions/" + y.hash)["status"], "applied")  # reads go on
        self.assertEqual(a.terminate(), 0)
        err = self.refused(chain, a.data_dir)
        self.assertIn("this database has diverged from the base chain: batch %d" % (last + 1), err)
        self.derive(chain.url)


def main():
    args = sys.argv[1:]
    if not args or args[0].startswith("-"):
        print(__doc__, file=sys.stderr)
        return 2
    first = os.path.abspath(args.pop(0))
    if os.path.isdir(first):
        BIN["sequencerd"] = os.path.join(first, "sequencer", "sequencerd")
        BIN["basechaind"] = os.path.join(first, "settlement", "basechaind")
        BIN["rollup-derive"] = os.path.join(first, "settlement", "rollup-derive")
    else:
        if len(args) < 2:
            print(__doc__, file=sys.stderr)
            return 2
        BIN["sequencerd"] = first
        BIN["basechaind"] = os.path.abspath(args.pop(0))
        BIN["rollup-derive"] = os.path.abspath(args.pop(0))
    for name, path in BIN.items():
        if not os.access(path, os.X_OK):
            print("missing %s at %s" % (name, path), file=sys.stderr)
            return 2
    ts.SEQUENCERD = BIN["sequencerd"]
    prog = unittest.main(argv=[sys.argv[0]] + args, exit=False, verbosity=2)
    return 0 if prog.result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
