#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The off-chain scaling stack developers
"""Fault injection over copies of a real sequencerd data dir (LevelDB's fault-injection
tests are the model): for each seed, one fault (a bit flipped anywhere in rollup.db or
inside a stored batch row, the file cut short, an older copy restored, the head rows
deleted, the acknowledged-head record damaged), then `sequencerd --verify` and a start.

The rule checked (docs/storage.md, "Row checks"; docs/sequencer.md, "The data dir"):
damaged, stale or emptied data is refused or repaired, never served. For every seed:

- `--verify` exits 0 (the fault was harmless: a free page, an unused byte) or 3 (damage
  named on stderr) or 1 (the file is not a database at all); never a crash;
- the start either refuses (status 1, a reason on stderr, and the files are left as the
  fault left them) or serves, and then every tx acknowledged before the fault answers
  with its original receipt (batch, index, status, root) or with 503 naming the damage:
  never 404, never another receipt; every acknowledged batch has its original root;
- when `--verify` said sound, the start must serve, and serve everything.

usage: /usr/bin/python3 tests/integration/test_faults.py PATH/TO/sequencerd [unittest args]
  L2_FAULT_SEEDS=N   seeds to run (default 24: the CI form; the long form, recorded in
                     docs/storage.md "Row checks", is 1000)
  L2_FAULT_FIRST=K   first seed (default 0)
"""
import sys

sys.dont_write_bytecode = True

import hashlib  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import shutil  # noqa: E402
import sqlite3  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import unittest  # noqa: E402

import l2client as l2  # noqa: E402
import test_sequencer as ts  # noqa: E402
from l2client import transfer, withdraw  # noqa: E402

SEEDS = int(os.environ.get("L2_FAULT_SEEDS", "24"))
FIRST = int(os.environ.get("L2_FAULT_FIRST", "0"))
FAULTS = ("flip_file", "flip_row", "truncate", "old_copy", "delete_head", "acked_head")


def digest(dirname):
    out = {}
    for name in sorted(os.listdir(dirname)):
        path = os.path.join(dirname, name)
        # LOCK holds the last PID; SQLite's -shm index and an empty -wal are bookkeeping
        # any open makes, not data.
        if name == "LOCK" or name.endswith("-shm") or (name.endswith("-wal") and os.path.getsize(path) == 0):
            continue
        if os.path.isfile(path):
            with open(path, "rb") as f:
                out[name] = hashlib.sha256(f.read()).hexdigest()
    return out


class FaultInjectionTests(ts.ServerTestCase):
    timeout_s = 60 + SEEDS * 12

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tmp = tempfile.mkdtemp(prefix="l2-faults-")
        cls.addClassCleanup(shutil.rmtree, cls.tmp, True)
        server = cls.new_server()
        c = server.client()
        cls.acked = {}  # tx hash -> its receipt when acknowledged
        keys = cls.fund(c, [100_000] * 6)
        nonces = [0] * len(keys)

        def batch_of_transfers(rounds):
            for _ in range(rounds):
                for i, (key, idx) in enumerate(keys):
                    to = keys[(i + 1) % len(keys)][1]
                    tx = transfer(key, idx, to, 10 + i, nonce=nonces[i])
                    nonces[i] += 1
                    r = c.submit(tx, wait=True).json()
                    assert r["status"] == "applied", r
                    cls.acked[tx.hash] = r

        batch_of_transfers(2)
        server.terminate()
        cls.old_copy = os.path.join(cls.tmp, "old")
        shutil.copytree(server.data_dir, cls.old_copy)  # yesterday's backup
        server.start(timeout=60 * ts.TIMEOUT_SCALE)
        c = server.client()
        batch_of_transfers(3)
        key, idx = keys[0]
        w = withdraw(key, idx, 500, nonce=nonces[0])
        r = c.submit(w, wait=True).json()
        assert r["status"] == "applied", r
        cls.acked[w.hash] = r
        cls.roots = {}
        for n in range(int(c.status()["latest_batch"]) + 1):
            b = c.get("/v1/batches/%d" % n)
            if b.status == 200:
                cls.roots[n] = b.json()["state_root"]
        server.terminate()
        cls.server = server
        cls.pristine = os.path.join(cls.tmp, "pristine")
        shutil.copytree(server.data_dir, cls.pristine)
        with sqlite3.connect(os.path.join(cls.pristine, "rollup.db")) as db:
            cls.head = db.execute("SELECT max(number) FROM batches").fetchone()[0]

    # ------------------------------------------------------------------ faults

    def inject(self, rng, data):
        db = os.path.join(data, "rollup.db")
        kind = FAULTS[rng.randrange(len(FAULTS))]
        if kind == "flip_file":
            size = os.path.getsize(db)
            at = rng.randrange(size)
            with open(db, "r+b") as f:
                f.seek(at)
                byte = f.read(1)[0]
                f.seek(at)
                f.write(bytes([byte ^ (1 << rng.randrange(8))]))
            return "%s at byte %d of %d" % (kind, at, size)
        if kind == "flip_row":
            n = rng.randrange(1, self.head + 1)
            col = rng.choice(["txs", "receipts", "changes", "witnesses", "state_root", "prev_root", "row_hash"])
            con = sqlite3.connect(db)
            (blob,) = con.execute("SELECT %s FROM batches WHERE number = ?" % col, (n,)).fetchone()
            if not blob:
                con.close()
                return "%s: batch %d %s is empty, nothing flipped" % (kind, n, col)
            blob = bytearray(blob)
            at = rng.randrange(len(blob))
            blob[at] ^= 1 << rng.randrange(8)
            con.execute("UPDATE batches SET %s = ? WHERE number = ?" % col, (bytes(blob), n))
            con.commit()
            con.close()
            return "%s: batch %d %s byte %d" % (kind, n, col, at)
        if kind == "truncate":
            size = os.path.getsize(db)
            keep = rng.randrange(size)
            with open(db, "r+b") as f:
                f.truncate(keep)
            return "%s to %d of %d bytes" % (kind, keep, size)
        if kind == "old_copy":
            shutil.copyfile(os.path.join(self.old_copy, "rollup.db"), db)
            return kind
        if kind == "delete_head":
            k = rng.randrange(1, 3)
            con = sqlite3.connect(db)
            con.execute("DELETE FROM batches WHERE number > ?", (self.head - k,))
            con.commit()
            con.close()
            return "%s: the last %d batches" % (kind, k)
        record = os.path.join(data, "acked-head")
        with open(record, "r+b") as f:
            raw = bytearray(f.read())
            if rng.random() < 0.5:
                f.truncate(rng.randrange(len(raw)))
                return "acked_head cut short"
            at = rng.randrange(len(raw))
            raw[at] ^= 0xFF
            f.seek(0)
            f.write(bytes(raw))
        return "acked_head byte %d flipped" % at

    # ------------------------------------------------------------------ the rule

    def check_seed(self, seed):
        rng = random.Random(seed)
        data = self.server.data_dir
        shutil.rmtree(data, ignore_errors=True)
        shutil.copytree(self.pristine, data)
        what = self.inject(rng, data)
        after = digest(data)
        cmd = [ts.SEQUENCERD, "--data-dir", data, "--chain-id", str(l2.CHAIN_ID)]
        v = subprocess.run(cmd + ["--verify"], stdin=subprocess.DEVNULL, capture_output=True,
                           timeout=60 * ts.TIMEOUT_SCALE)
        self.assertIn(v.returncode, (0, 1, 3), "%s: --verify: %r" % (what, v))
        if v.returncode != 0:
            self.assertTrue(v.stderr.strip(), "%s: --verify failed without a reason" % what)
        self.assertEqual(digest(data), after, "%s: --verify changed the files" % what)
        try:
            self.server.start(timeout=60 * ts.TIMEOUT_SCALE)
        except RuntimeError:
            rc = self.server.proc.wait(30)
            output = "\n".join(self.server.lines)
            self.assertEqual(rc, 1, "%s: the start ended with status %r:\n%s" % (what, rc, output))
            self.assertNotEqual(v.returncode, 0, "%s: --verify said sound but the start refused:\n%s" % (what, output))
            self.assertIn("critical", output, "%s: refused without a reason:\n%s" % (what, output))
            self.assertEqual(digest(data), after, "%s: the refusal changed the files" % what)
            return "refused", what
        try:
            c = self.server.client()
            refused = 0
            for h, want in self.acked.items():
                got = c.get("/v1/transactions/" + h)
                if got.status == 503:
                    self.assertIn("damaged", got.json()["error"]["message"], "%s: %r" % (what, got))
                    refused += 1
                    continue
                self.assertEqual(got.status, 200, "%s: acknowledged tx %s: %r" % (what, h, got))
                g = got.json()
                for k in ("batch", "index", "status", "state_root"):
                    self.assertEqual(g[k], want[k], "%s: tx %s %s" % (what, h, k))
            for n, root in self.roots.items():
                b = c.get("/v1/batches/%d" % n)
                if b.status == 503:
                    refused += 1
                    continue
                self.assertEqual(b.status, 200, "%s: batch %d: %r" % (what, n, b))
                self.assertEqual(b.json()["state_root"], root, "%s: batch %d root" % (what, n))
            if v.returncode == 0:
                self.assertEqual(refused, 0, "%s: --verify said sound, yet reads were refused" % what)
        finally:
            self.server.terminate()
        return ("served, %d reads refused" % refused if refused else "served"), what

    def test_every_fault_is_refused_or_harmless(self):
        outcomes = {}
        for seed in range(FIRST, FIRST + SEEDS):
            with self.subTest(seed=seed):
                outcome, what = self.check_seed(seed)
                outcomes.setdefault(what.split(" ")[0].rstrip(":"), []).append(outcome)
        summary = ", ".join("%s: %d refused / %d served" % (k, sum(o == "refused" for o in v),
                                                            sum(o != "refused" for o in v))
                            for k, v in sorted(outcomes.items()))
        print("\n  %d seeds from %d: %s" % (SEEDS, FIRST, summary), file=sys.stderr)


def main():
    args = sys.argv[1:]
    if args and not args[0].startswith("-"):
        ts.SEQUENCERD = os.path.abspath(args.pop(0))
    if not ts.SEQUENCERD or not os.access(ts.SEQUENCERD, os.X_OK):
        print("usage: test_faults.py PATH/TO/sequencerd [unittest args]", file=sys.stderr)
        return 2
    prog = unittest.main(argv=[sys.argv[0]] + args, exit=False, verbosity=2)
    return 0 if prog.result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
