#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The off-chain scaling stack developers
"""Dispute scenarios (docs/disputes.md): real basechaind, sequencerd and challenger processes on
loopback, each scenario told as it happens (who posted what, each move, the ruling, the balances
and bonds before and after) and ended with PASS or FAIL.

usage: /usr/bin/python3 tests/integration/test_disputes.py BUILD_DIR [SCENARIO ...] [--list]

scripts/disputes runs this file; CTest runs it too (disputes_scenarios). A scenario is named by
its test method (test_a_wrong_root_is_overturned, ...), or by a part of the name.

The sequencer that lies is played by this script with the sequencer's own key (the real
sequencerd stopped meanwhile): it posts a commitment whose root its batch does not reach, then
defends it with roots it makes up; it cannot run the one-step proof of a root it made up.
"""

import sys

sys.dont_write_bytecode = True

import os  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
import unittest  # noqa: E402

import l2base as base  # noqa: E402
import l2client as l2  # noqa: E402
import test_sequencer as ts  # noqa: E402
import test_settlement as tset  # noqa: E402
from l2base import BaseTx  # noqa: E402
from l2client import transfer  # noqa: E402

ROLLUP = tset.ROLLUP
SCALE = ts.TIMEOUT_SCALE
BOND = 100
CLOCK_S = 600  # each side's clock: long enough that only an explicit advance runs it out
wait_for = tset.wait_for


class ChallengerProcess(l2.SequencerProcess):
    """The real challenger: `--port 0 --data-dir DIR --base-chain URL --rollup-id 7 --poll-ms 50`."""

    def __init__(self, binary, data_dir, log_dir, chain_url, extra_args=()):
        super().__init__(binary, data_dir, log_dir, dev=False, extra_args=extra_args)
        self.chain_url = chain_url

    def args(self):
        return [self.binary, "--port", "0", "--data-dir", self.data_dir, "--base-chain", self.chain_url,
                "--rollup-id", str(ROLLUP), "--poll-ms", "50"] + self.extra_args

    def health(self):
        return self.client().get_json("/health")


def short(h):
    return h[:12] + "..."


class Scenario(tset.SettlementCase):
    timeout_s = 300

    def say(self, text):
        print("    " + text, flush=True)

    def setUp(self):
        super().setUp()
        print("\n== %s" % self.id().split(".")[-1], flush=True)

    # ------------------------------------------------------------------ the cast

    def start_challenger(self, chain, tmp, data=None):
        data = data or os.path.join(tmp, "challenger")
        os.makedirs(data, exist_ok=True)
        ch = ChallengerProcess(tset.BIN["challenger"], data, tmp, chain.url)
        self.addCleanup(ch.kill)
        self.addCleanup(ch.shutdown_checked)
        ch.start(timeout=60 * SCALE)
        return ch

    def honest_rollup(self, bond=BOND):
        """A chain, a sequencer registered with `bond` and CLOCK_S, its key funded, two users with
        1000 each on the rollup and one transfer posted; a challenger following it. Returns a dict."""
        tmp = self.new_dir()
        chain = self.start_chain(tmp)
        rpc = chain.rpc()
        seq = self.start_sequencer(chain, tmp, extra=["--settlement.dispute-bond", str(bond),
                                                      "--settlement.dispute-clock-s", str(CLOCK_S)])
        seq_key = self.sequencer_key(seq.data_dir)
        rpc.fund(seq_key, 10000)
        c = seq.client()
        k1, k2 = self.keys(2)
        self.deposit(rpc, k1, 1000)
        self.deposit(rpc, k2, 1000)
        i1 = self.wait_balance(c, k1, 1000)["index"]
        i2 = self.wait_balance(c, k2, 1000)["index"]
        t = transfer(k1, i1, i2, 10, nonce=0)
        self.assertEqual(c.submit(t).json()["status"], "applied")
        batch = int(c.get_json("/v1/transactions/" + t.hash)["batch"])
        self.wait_posted(rpc, batch)
        ch = self.start_challenger(chain, tmp)
        info = ch.health()
        self.say("basechaind at %s; sequencerd registered rollup %d (bond %d, clock %d s each side); "
                 "the sequencer's key %s holds %d" % (chain.url, ROLLUP, bond, CLOCK_S, short(seq_key.public_hex),
                                                     rpc.account(seq_key)[0]))
        self.say("two users deposited 1000 each; user 1 paid user 2 10 in batch %d, posted" % batch)
        self.say("the challenger (key %s) follows rollup %d" % (short(info["challenger"]), ROLLUP))
        return {"tmp": tmp, "chain": chain, "rpc": rpc, "seq": seq, "seq_key": seq_key, "client": c,
                "users": ((k1, i1), (k2, i2)), "challenger": ch, "challenger_key": info["challenger"]}

    def wait_verified(self, ch, batch):
        return wait_for("the challenger to verify batch %d" % batch,
                        lambda: (lambda h: int(h["verified_batch"]) >= batch and h)(ch.health()), timeout=60)

    def balance(self, rpc, public_hex):
        return int(rpc.call("chain_getAccount", {"account": public_hex})["balance"])

    def burned(self, rpc):
        return int(rpc.call("dispute_getBond", {"rollup_id": ROLLUP, "batch": 1})["burned"])

    def games(self, rpc, batch, challenger_hex):
        return [g for g in rpc.call("dispute_getDisputes", {"rollup_id": ROLLUP, "batch": batch})
                if g["challenger"] == challenger_hex]

    def lie(self, r, txs, new_root):
        """The sequencer's key posts the next batch with `txs` and `new_root` (sequencerd stopped)."""
        rpc, key = r["rpc"], r["seq_key"]
        info = rpc.rollup(ROLLUP)
        last = int(info["last_batch"])
        prev = rpc.commitment(ROLLUP, last)
        payload = base.compress(base.raw_payload(txs))
        h = {"rollup_id": ROLLUP, "batch": last + 1, "prev_root": info["last_root"], "new_root": new_root.hex(),
             "applied_txs": len(txs), "payload_hash": l2.enc.blake2b256(payload).hex(),
             "deposits_upto": prev["deposits_upto"], "forced_upto": prev["forced_upto"]}
        rpc.send(BaseTx(key, rpc.nonce(key), "commit_batch", base.encode_commitment(h, payload)))
        self.say("the sequencer's key posts batch %d: %d transfers, prev_root %s, new_root %s (made up)"
                 % (last + 1, len(txs), short(info["last_root"]), short(new_root.hex())))
        return last + 1

    def books(self, r, label):
        rpc = r["rpc"]
        s = self.balance(rpc, r["seq_key"].public_hex)
        c = self.balance(rpc, r["challenger_key"])
        b = self.burned(rpc)
        self.say("%s: sequencer key %d, challenger key %d, burned %d" % (label, s, c, b))
        return s, c, b

    def defend_with_made_up_roots(self, r, batch, restart=None):
        """Plays the lying sequencer until the ruling: a made-up root at each bisection; at the step
        it has no witness, and its clock runs out. `restart(g)` is called after the challenger's
        first answer. Returns the decided game."""
        rpc, key, ch = r["rpc"], r["seq_key"], r["challenger_key"]
        seen_moves = 0
        restarted = False
        while True:
            g = wait_for("a move in the dispute of batch %d" % batch,
                         lambda: (lambda gs: gs and (gs[-1]["status"] != "open" or gs[-1]["moves"] != seen_moves
                                                     or gs[-1]["phase"] != "respond") and gs[-1])(
                             self.games(rpc, batch, ch)), timeout=60)
            if g["moves"] != seen_moves and seen_moves > 0 and g["status"] == "open":
                self.say("challenger: %s at position %d -> range [%d, %d]"
                         % ("agrees" if g["lo"] != prev_lo else "disagrees", prev_mid, g["lo"], g["hi"]))
                if restart and not restarted:
                    restarted = True
                    restart(g)
            seen_moves = g["moves"]
            if g["status"] != "open":
                return g
            if g["phase"] == "bisect":
                root = os.urandom(32)
                prev_lo, prev_mid = g["lo"], g["mid"]
                rpc.send(BaseTx(key, rpc.nonce(key), "dispute_bisect",
                                base.dispute_bisect_body(ROLLUP, batch, bytes.fromhex(ch), g["mid"], root)))
                self.say("sequencer: bisects range [%d, %d]: its root at position %d is %s (made up)"
                         % (g["lo"], g["hi"], g["mid"], short(root.hex())))
                seen_moves += 1
            elif g["phase"] == "step":
                self.say("sequencer: the range is [%d, %d]: it must have the chain run the one-step proof of "
                         "tx %d, and has no witness for a root it made up; it stays silent"
                         % (g["lo"], g["hi"], g["hi"]))
                self.say("chain time passes by %d s: its clock runs out" % (int(g["defender_clock_s"]) + 1))
                rpc.advance(int(g["defender_clock_s"]) + 1)
                return wait_for("the challenger's timeout claim",
                                lambda: (lambda gs: gs[-1]["status"] != "open" and gs[-1])(
                                    self.games(rpc, batch, ch)), timeout=60)

    # ------------------------------------------------------------------ the scenarios

    def test_an_honest_sequencer_is_never_challenged(self):
        """L2_HONEST_ROUNDS (default 5) rounds of three transfers, a deposit every third round
        and a forced withdrawal in the second; the long form runs thousands (docs/disputes.md)."""
        rounds = int(os.environ.get("L2_HONEST_ROUNDS", "5"))
        r = self.honest_rollup(bond=0)
        rpc, c, ch = r["rpc"], r["client"], r["challenger"]
        (k1, i1), (k2, i2) = r["users"]
        (k3,) = self.keys(1)
        self.deposit(rpc, k3, 1000)
        i3 = self.wait_balance(c, k3, 1000)["index"]
        started = time.monotonic()
        # Users 1 and 2 pay each other back and forth (so that any number of rounds stays funded).
        nonces = {i1: 1, i2: 0}
        balances = {i1: 989, i2: 1010}
        for n in range(1, rounds + 1):
            (ks, src), (_, dst) = ((k1, i1), (k2, i2)) if n % 2 else ((k2, i2), (k1, i1))
            txs = []
            for _ in range(3):
                txs.append(transfer(ks, src, dst, 1, nonce=nonces[src], fee=0))
                nonces[src] += 1
                balances[src] -= 1
                balances[dst] += 1
            for t in txs:
                self.assertEqual(c.submit(t).json()["status"], "applied")
            if n % 3 == 0:
                self.deposit(rpc, k2, 1)
                balances[i2] += 1
            if n == 2:
                w = l2.withdraw(k3, i3, 5, nonce=0, fee=0, chain_id=ROLLUP)
                rpc.send(BaseTx(k3, rpc.nonce(k3), "force_tx", base.force_body(ROLLUP, w)))
            batch = int(c.get_json("/v1/transactions/" + txs[-1].hash)["batch"])
            self.wait_posted(rpc, batch)
        self.wait_balance(c, k3, 995)  # the forced withdrawal, applied
        self.wait_balance(c, k2, balances[i2])  # every transfer and deposit
        self.wait_balance(c, k1, balances[i1])
        s = wait_for("every batch posted", lambda: (lambda s: s["last_posted"] == s["durable_head"] and s)(
            c.get_json("/v1/settlement")))
        last = int(s["last_posted"])
        self.assertEqual(int(rpc.rollup(ROLLUP)["last_batch"]), last)
        last = int(rpc.rollup(ROLLUP)["last_batch"])
        self.say("%d rounds: users 1 and 2 paid each other %d times, user 2 deposited %d times, user 3 forced a withdrawal "
                 "through the base chain; the sequencer posted up to batch %d (%.0f s)"
                 % (rounds, 3 * rounds, rounds // 3, last, time.monotonic() - started))
        h = self.wait_verified(ch, last)
        self.say("the challenger derived every batch up to %s: mismatch %s, challenges %s"
                 % (h["verified_batch"], h["mismatch"], h["challenges"]))
        self.assertEqual((h["mismatch"], h["challenges"], h["open"], h["games"]), (None, "0", "0", []), h)
        for b in range(1, last + 1):
            self.assertEqual(rpc.call("dispute_getDisputes", {"rollup_id": ROLLUP, "batch": b}), [])
        samples, _ = l2.parse_prometheus(ch.client().get("/metrics").body.decode())
        self.assertEqual(l2.metric_sum(samples, "l2_challenger_challenges_total"), 0)
        self.assertEqual(l2.metric_sum(samples, "l2_challenger_verified_batch"), last)
        self.say("no game was opened on any batch: the honest sequencer is never challenged")

    def overturn(self, restart=None):
        r = self.r = self.honest_rollup()
        rpc, ch = r["rpc"], r["challenger"]
        (k1, i1), (k2, i2) = r["users"]
        latest = int(rpc.rollup(ROLLUP)["last_batch"])
        self.wait_verified(ch, latest)
        r["seq"].terminate()
        self.say("sequencerd stops; its key is used to lie")
        self.assertEqual(ch.health()["challenges"], "0")
        rpc.call("dev_fund", {"account": r["challenger_key"], "amount": "1000"})
        self.say("the challenger's key is funded with 1000 (the bond is %d)" % BOND)
        before = self.books(r, "before")
        txs = [transfer(k1, i1, i2, 5, nonce=n) for n in range(1, 5)]
        batch = self.lie(r, txs, os.urandom(32))
        self.assertEqual(rpc.call("dispute_getBond", {"rollup_id": ROLLUP, "batch": batch})["bond"]["amount"],
                         str(BOND))
        g = wait_for("the challenger's challenge", lambda: self.games(rpc, batch, r["challenger_key"]), timeout=60)[0]
        h = ch.health()
        self.say("challenger: %s" % h["mismatch"])
        self.say("challenger: challenges batch %d with its bond of %s: dispute %s over %d positions"
                 % (batch, g["bond"], g["id"], g["positions"]))
        self.assertIn("batch %d: state_root" % batch, h["mismatch"])
        g = self.defend_with_made_up_roots(r, batch, restart)
        ch = r["challenger"]  # restarted, maybe
        self.say("ruling: %s (%s) after %d moves" % (g["status"], g["end"], g["moves"]))
        self.assertEqual((g["status"], g["end"]), ("challenger_won", "clock_ran_out"), g)
        self.assertIsNone(rpc.commitment(ROLLUP, batch), "the wrong commitment is removed")
        self.assertEqual(int(rpc.rollup(ROLLUP)["last_batch"]), latest)
        self.say("batch %d is gone from the chain; the rollup's last batch is %d again" % (batch, latest))
        after = self.books(r, "after")
        # The sequencer's bond: half to the challenger (whose own bond comes back), half burned.
        self.assertEqual(after[0], before[0] - BOND)
        self.assertEqual(after[1], before[1] + BOND // 2)
        self.assertEqual(after[2], before[2] + BOND - BOND // 2)
        self.say("the sequencer lost its bond of %d: %d to the challenger, %d burned"
                 % (BOND, BOND // 2, BOND - BOND // 2))
        h = wait_for("the ruling in the challenger's /health",
                     lambda: (lambda h: h["won"] == "1" and h["open"] == "0" and h)(ch.health()))
        self.assertEqual((h["challenges"], h["lost"], h["games"][0]["status"]), ("1", "0", "challenger_won"), h)
        # Back, the honest sequencer posts the next batch itself; the challenger re-derives and
        # finds it correct.
        seq = self.start_sequencer(r["chain"], r["tmp"], extra=["--settlement.dispute-bond", str(BOND),
                                                                 "--settlement.dispute-clock-s", str(CLOCK_S)])
        c = seq.client()
        t = transfer(k1, i1, i2, 7, nonce=1)
        self.assertEqual(c.submit(t).json()["status"], "applied")
        honest = int(c.get_json("/v1/transactions/" + t.hash)["batch"])
        self.wait_posted(rpc, honest)
        h = self.wait_verified(ch, honest)
        self.say("sequencerd is back and posts batch %d itself; the challenger re-derived (%s times) and "
                 "verified it: challenges still %s" % (honest, h["rederivations"], h["challenges"]))
        self.assertEqual((h["challenges"], h["mismatch"]), ("1", None), h)
        self.assertGreaterEqual(int(h["rederivations"]), 1)
        self.derive(r["chain"].url)
        self.say("rollup-derive: every commitment on the chain derives")
        return r

    def test_a_wrong_root_is_overturned(self):
        self.overturn()

    def test_the_challenger_and_the_base_chain_restart_mid_game(self):
        def restart(g):
            r = self.r
            r["challenger"].kill()
            self.say("the challenger is killed (SIGKILL) in the middle of dispute %s" % g["id"])
            r["chain"].terminate()
            r["chain"].start(timeout=60 * SCALE)
            self.say("basechaind restarts")
            r["challenger"] = self.start_challenger(r["chain"], r["tmp"])
            self.say("the challenger restarts from its store; it re-derives and finds its open game")

        self.overturn(restart)

    def test_an_empty_batch_that_moves_the_root_is_overturned_at_once(self):
        r = self.honest_rollup()
        rpc, ch = r["rpc"], r["challenger"]
        latest = int(rpc.rollup(ROLLUP)["last_batch"])
        self.wait_verified(ch, latest)
        r["seq"].terminate()
        rpc.call("dev_fund", {"account": r["challenger_key"], "amount": "1000"})
        before = self.books(r, "before")
        batch = self.lie(r, [], os.urandom(32))
        g = wait_for("the ruling", lambda: (lambda gs: gs and gs[0]["status"] != "open" and gs[0])(
            self.games(rpc, batch, r["challenger_key"])), timeout=60)
        self.say("challenger: challenges batch %d; with no tx to bisect the chain rules at once: %s (%s)"
                 % (batch, g["status"], g["end"]))
        self.assertEqual((g["status"], g["end"], g["moves"]), ("challenger_won", "empty_batch", 0), g)
        self.assertIsNone(rpc.commitment(ROLLUP, batch))
        after = self.books(r, "after")
        self.assertEqual((after[0], after[1]), (before[0] - BOND, before[1] + BOND // 2))


    def test_a_store_of_another_rollup_or_key_is_refused(self):
        tmp = self.new_dir()
        chain = self.start_chain(tmp)
        ch = self.start_challenger(chain, tmp)
        key = ch.health()["challenger"]
        ch.terminate()
        self.say("a challenger for rollup %d ran with data dir %s (key %s)" % (ROLLUP, ch.data_dir, short(key)))
        cmd = [tset.BIN["challenger"], "--port", "0", "--data-dir", ch.data_dir, "--base-chain", chain.url]
        other_key = os.path.join(tmp, "other.key")
        with open(os.open(other_key, os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
            f.write(os.urandom(32).hex() + "\n")
        for extra, refusal in ((["--rollup-id", str(ROLLUP + 1)], "belongs to rollup_id %d, not %d" % (ROLLUP, ROLLUP + 1)),
                               (["--rollup-id", str(ROLLUP), "--key-file", other_key], "belongs to challenger " + key)):
            p = subprocess.run(cmd + extra, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                               timeout=60 * SCALE)
            self.say("started again with %s: exit %d, %s" % (" ".join(extra[-2:]), p.returncode,
                                                           refusal if refusal in p.stderr else p.stderr))
            self.assertEqual(p.returncode, 1, p)
            self.assertIn(refusal, p.stderr)
        with open(os.path.join(ch.data_dir, "challenger.key")) as f:
            self.assertNotIn(f.read().strip(), p.stdout + p.stderr, "the seed is never printed")


class Report(unittest.TextTestResult):
    """unittest's result, with PASS or FAIL after each scenario's account."""

    def addSuccess(self, test):
        super().addSuccess(test)
        print("PASS %s" % test.id().split(".")[-1], flush=True)

    def addFailure(self, test, err):
        super().addFailure(test, err)
        print("FAIL %s" % test.id().split(".")[-1], flush=True)

    def addError(self, test, err):
        super().addError(test, err)
        print("FAIL %s (error)" % test.id().split(".")[-1], flush=True)


def main():
    args = sys.argv[1:]
    if not args or args[0].startswith("-"):
        print(__doc__, file=sys.stderr)
        return 2
    build = os.path.abspath(args.pop(0))
    tset.BIN.update({"sequencerd": os.path.join(build, "sequencer", "sequencerd"),
                     "basechaind": os.path.join(build, "settlement", "basechaind"),
                     "rollup-derive": os.path.join(build, "settlement", "rollup-derive"),
                     "challenger": os.path.join(build, "settlement", "challenger")})
    names = sorted(n for n in dir(Scenario) if n.startswith("test_"))
    if "--list" in args:
        print("\n".join(names))
        return 0
    for name, path in tset.BIN.items():
        if not os.access(path, os.X_OK):
            print("missing %s at %s (scripts/disputes builds it)" % (name, path), file=sys.stderr)
            return 2
    ts.SEQUENCERD = tset.BIN["sequencerd"]
    chosen = [n for n in names if not args or any(a in n for a in args)]
    if not chosen:
        print("no scenario matches %s; --list shows them" % " ".join(args), file=sys.stderr)
        return 2
    suite = unittest.TestSuite(Scenario(n) for n in chosen)
    started = time.monotonic()
    result = unittest.TextTestRunner(resultclass=Report, verbosity=0, stream=sys.stderr).run(suite)
    passed = result.testsRun - len(result.failures) - len(result.errors)
    print("\n%d of %d scenarios passed in %.0f s" % (passed, result.testsRun, time.monotonic() - started))
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
