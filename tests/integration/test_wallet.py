#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The off-chain scaling stack developers
"""The wallet driven as a user drives it: the real `wallet` binary against a real basechaind
and sequencerd on loopback that each test starts.

usage: /usr/bin/python3 tests/integration/test_wallet.py BUILD_DIR [unittest args]

Keys are created and used through the wallet; every outcome is checked against what the
daemons themselves report (the base chain's JSON-RPC, the sequencer's HTTP API), never only
against what the wallet prints. Bad input must give a one-line reason on stderr, a non-zero
exit and no change on either chain. Neither the keystore file, the journal nor anything the
wallet prints (with --verbose too) may hold the secret key or its seed in any plain form.
"""

import sys

sys.dont_write_bytecode = True
import base64  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import socket  # noqa: E402
import stat  # noqa: E402
import subprocess  # noqa: E402
import threading  # noqa: E402
import unittest  # noqa: E402

import test_sequencer as ts  # noqa: E402
import test_settlement as tset  # noqa: E402
from test_settlement import wait_for  # noqa: E402

WALLET = ""
SCALE = ts.TIMEOUT_SCALE
# Cheap Argon2id for keys made in tests (hidden test flags of `key new` / `key import`);
# one test uses the defaults.
CHEAP_KDF = ["--test.kdf-opslimit", "1", "--test.kdf-memlimit-kib", "8"]


class WalletCase(tset.SettlementCase):
    timeout_s = 300

    def setUp(self):
        self.tmp = self.new_dir()
        self.chain = self.start_chain(self.tmp)
        self.seq = self.start_sequencer(self.chain, self.tmp)  # challenge window: tset.WINDOW_S
        self.rpc = self.chain.rpc()
        self.wallet_dir = os.path.join(self.tmp, "wallet")
        self.password = self.secret_file("password", "correct horse battery staple\n")
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("L2_")}
        self.env.update({
            "L2_WALLET_DIR": self.wallet_dir,
            "L2_SEQUENCER_URL": self.seq_url(),
            "L2_BASE_CHAIN_URL": self.chain.url,
            "L2_WALLET_PASSWORD_FILE": self.password,
            "XDG_CONFIG_HOME": os.path.join(self.tmp, "config"),  # no user config file
        })

    def seq_url(self):
        return "http://127.0.0.1:%d" % self.seq.port

    def secret_file(self, name, text, mode=0o600):
        path = os.path.join(self.tmp, name)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
        os.write(fd, text.encode())
        os.close(fd)
        os.chmod(path, mode)
        return path

    # ------------------------------------------------------------ running the wallet

    def wallet(self, *args, env=None, ok=True, timeout=120):
        p = subprocess.run([WALLET, *args], env=env or self.env, capture_output=True, text=True,
                           timeout=timeout * SCALE)
        if ok and p.returncode != 0:
            self.fail("wallet %s exited %d: %s" % (" ".join(args), p.returncode, p.stderr))
        return p

    def wj(self, *args, **kw):
        p = self.wallet("--json", *args, **kw)
        return json.loads(p.stdout)

    def refused(self, *args, code=None, says=None, env=None):
        """A command that must fail: non-zero exit (`code` if given) and one line on stderr."""
        p = self.wallet(*args, env=env, ok=False)
        self.assertNotEqual(p.returncode, 0, "wallet %s succeeded: %s" % (" ".join(args), p.stdout))
        if code is not None:
            self.assertEqual(p.returncode, code, p.stderr)
        lines = [line for line in p.stderr.splitlines() if line.strip()]
        self.assertTrue(lines and lines[0].startswith("wallet: error: "), p.stderr)
        self.assertLessEqual(len(lines), 2, "more than a one-line reason: %r" % p.stderr)
        if says:
            self.assertIn(says, p.stderr)
        self.assertNotIn("Traceback", p.stderr)
        return p

    ROLLUP_TX_KEYS = {"hash", "status", "kind", "layer", "amount", "lifecycle"}  # docs/wallet.md, always there
    BASE_TX_KEYS = {"hash", "kind", "layer", "amount", "lifecycle"}

    def assert_rollup_tx(self, out, kind, amount):
        self.assertLessEqual(self.ROLLUP_TX_KEYS, set(out), out)
        self.assertEqual((out["kind"], out["layer"], out["amount"]), (kind, "rollup", amount), out)

    def assert_base_tx(self, out, kind, amount, stage="mined"):
        self.assertEqual(set(out), self.BASE_TX_KEYS, out)
        self.assertEqual((out["kind"], out["layer"], out["amount"], out["lifecycle"]["stage"]),
                         (kind, "base", amount, stage), out)
        if stage == "mined":
            tx = self.rpc.call("chain_getTransaction", {"hash": out["hash"]})
            self.assertEqual(out["lifecycle"]["block"], str(tx["block"]), "the block the chain says")

    def new_key(self, name):
        return self.wj("key", "new", name, *CHEAP_KDF)["public_key"]

    def funded_user(self, name, base, rollup):
        """A key of the wallet with `base` on the base chain and `rollup` deposited."""
        pub = self.new_key(name)
        self.wj("--key", name, "faucet", str(base + rollup))
        if rollup:
            out = self.wj("--key", name, "deposit", str(rollup))
            self.assertEqual(out["stage"], "credited")
        return pub

    # ------------------------------------------------------------ the daemons' word

    def base_balance(self, pub):
        return int(self.rpc.call("chain_getAccount", {"account": pub})["balance"])

    def rollup_account(self, pub):
        r = self.seq.client().get("/v1/accounts/" + pub)
        return r.json() if r.status == 200 else None

    def state(self, *pubs):
        """Everything a bad command must leave unchanged."""
        acc = {p: (self.rpc.call("chain_getAccount", {"account": p}), self.rollup_account(p)) for p in pubs}
        st = self.seq.client().get_json("/v1/status")
        return acc, st["latest_batch"], st["mempool_depth"], self.rpc.call("chain_getHead")["number"]


class WalletUserFlowTest(WalletCase):
    def test_keys_deposit_transfers_both_ways_withdraw_and_claim(self):
        alice = self.funded_user("alice", 400000, 600000)
        bob = self.funded_user("bob", 600000, 400000)
        keys = self.wj("key", "list")["keys"]
        self.assertEqual([(k["name"], k["public_key"]) for k in keys], [("alice", alice), ("bob", bob)])
        for k in keys:
            self.assertEqual(stat.S_IMODE(os.stat(k["path"]).st_mode), 0o600)

        a = self.rollup_account(alice)
        b = self.rollup_account(bob)
        self.assertEqual((int(a["balance"]), int(b["balance"])), (600000, 400000))
        self.assertEqual(self.base_balance(alice), 400000)

        # Transfers both ways: by key name, by account index, by public key; a fee.
        t1 = self.wj("--key", "alice", "transfer", "bob", "150000")
        self.assertEqual(t1["status"], "applied")
        self.assertIn(t1["lifecycle"]["stage"], ("soft_confirmed", "posted", "in_window"))
        t2 = self.wj("--key", "bob", "transfer", str(a["index"]), "50000", "--fee", "7")
        t3 = self.wj("--key", "bob", "transfer", alice, "1")
        for t in (t2, t3):
            self.assertEqual(t["status"], "applied")
        # The sequencer's receipts agree with the wallet's.
        for t in (t1, t2, t3):
            r = self.seq.client().get_json("/v1/transactions/" + t["hash"])
            self.assertEqual((r["status"], r["batch"], r["index"]), (t["status"], t["batch"], t["index"]))
        self.assertEqual(int(self.rollup_account(alice)["balance"]), 600000 - 150000 + 50000 + 1)
        self.assertEqual(int(self.rollup_account(bob)["balance"]), 400000 + 150000 - 50000 - 7 - 1)

        # balance --json matches both daemons.
        for entry in self.wj("balance", "--all")["balances"]:
            pub = entry["public_key"]
            self.assertEqual(int(entry["base_balance"]), self.base_balance(pub))
            self.assertEqual(entry["rollup"]["balance"], self.rollup_account(pub)["balance"])
            self.assertEqual(entry["rollup"]["index"], self.rollup_account(pub)["index"])

        # A withdrawal, its window, the claim on the base chain.
        w = self.wj("--key", "alice", "withdraw", "100000")
        self.assertEqual(w["status"], "applied")
        self.assert_rollup_tx(w, "withdraw", "100000")
        self.assertEqual(w["lifecycle"]["index"], w["index"], "the withdrawal's lifecycle has its index")
        claim = self.wallet("--key", "alice", "--no-wait", "claim", w["hash"], ok=False)
        self.assertEqual(claim.returncode, 1, claim.stderr)
        self.assertIn("not final yet", claim.stderr)
        self.assertEqual(self.base_balance(alice), 400000, "a claim before the window paid")
        ws = wait_for("the withdrawal in its window", lambda: (lambda x: x and x[0]["lifecycle"]["stage"] == "in_window"
                                                               and x)(self.wj("--key", "alice", "withdrawals")["withdrawals"]))
        self.assertEqual(ws[0]["hash"], w["hash"])
        self.assertEqual(ws[0]["amount"], "100000")
        self.assertGreater(ws[0]["lifecycle"]["seconds_left"], 0)
        tx = self.wj("tx", w["hash"])
        self.assertEqual(tx["lifecycle"]["stage"], "in_window")
        self.assertEqual(tx["kind"], "withdraw")
        self.assert_rollup_tx(tx, "withdraw", "100000")
        # One lifecycle for both, from one source: the base chain's commitment and head.
        for lc in (ws[0]["lifecycle"], tx["lifecycle"]):
            for field in ("batch", "index", "block", "commitment", "final_at", "seconds_left"):
                self.assertIn(field, lc, lc)
        self.assertEqual(set(ws[0]["lifecycle"]), set(tx["lifecycle"]))
        self.assertEqual(ws[0]["lifecycle"]["index"], w["index"])
        lc = tx["lifecycle"]
        left = lc["final_at"] - self.rpc.call("chain_getHead")["timestamp"]  # read after: at most as much
        self.assertTrue(0 <= lc["seconds_left"] - left <= 5 * SCALE, "seconds_left is the base chain's: %r" % lc)
        self.assertGreaterEqual(ws[0]["lifecycle"]["seconds_left"], lc["seconds_left"], "read before tx")
        self.assertEqual(lc["block"], str(self.rpc.commitment(tset.ROLLUP, int(w["batch"]))["block"]))
        self.rpc.advance(tset.WINDOW_S + 5)
        out = self.wj("--key", "alice", "claim")
        self.assertEqual(out["paid"], "100000")
        self.assertEqual(self.base_balance(alice), 500000)
        self.assertEqual(self.rpc.call("bridge_getWithdrawn", {"rollup_id": tset.ROLLUP, "account": alice}), "100000")
        wait_for("claimed", lambda: self.wj("--key", "alice", "withdrawals")["withdrawals"][0]["lifecycle"]["stage"]
                 == "claimed")
        # Claiming again pays nothing, and says the balance all the same.
        again = self.wj("--key", "alice", "claim")
        self.assertEqual(again["paid"], "0")
        self.assertEqual(again["hash"], None)
        self.assertEqual(again["base_balance"], "500000")
        self.assertEqual(self.base_balance(alice), 500000)

        # history: every tx alice's wallet signed, oldest first, each with where it stands.
        hist = self.wj("--key", "alice", "history")["history"]
        self.assertEqual([h["kind"] for h in hist], ["faucet", "deposit", "transfer", "withdraw", "claim"])
        self.assertEqual(hist[2]["hash"], t1["hash"])
        self.assertEqual(hist[3]["lifecycle"]["stage"], "claimed")
        self.assertEqual(hist[0]["lifecycle"]["stage"], "mined")
        human = self.wallet("--key", "alice", "history").stdout
        self.assertIn("150,000", human)  # thousands separators in human output

    def test_lost_answer_is_retried_with_the_same_signed_tx(self):
        """A proxy forwards the first POST /v1/transactions to the sequencer and drops the
        answer: the wallet sends the same signed tx again (same hash), and the payment is
        made exactly once."""
        alice = self.funded_user("alice", 0, 1000)
        bob = self.funded_user("bob", 0, 1000)
        proxy = DropFirstAnswer(self.seq.port)
        self.addCleanup(proxy.close)
        env = dict(self.env, L2_SEQUENCER_URL="http://127.0.0.1:%d" % proxy.port)
        out = self.wj("--key", "alice", "-v", "transfer", "bob", "10", env=env)
        self.assertEqual(proxy.dropped, 1, "the proxy dropped no answer: the test proved nothing")
        self.assertEqual(out["status"], "applied")
        self.assertEqual(int(self.rollup_account(bob)["balance"]), 1010)
        self.assertEqual(int(self.rollup_account(alice)["balance"]), 990)
        # One journal entry, and `resend` of it cannot pay twice either.
        hist = self.wj("--key", "alice", "history")["history"]
        self.assertEqual([h["hash"] for h in hist if h["kind"] == "transfer"], [out["hash"]])
        again = self.wj("--key", "alice", "resend", out["hash"])
        self.assertEqual(again["hash"], out["hash"])
        self.assertEqual(int(self.rollup_account(bob)["balance"]), 1010)

    def test_base_txs_in_tx_and_resend(self):
        """`tx` and `resend` on base txs (faucet, deposit): the documented shape, amounts with
        separators for a person, and a resend of a mined tx reports it (exit 0) and pays
        nothing twice."""
        pub = self.new_key("alice")
        faucet = self.wj("--key", "alice", "faucet", "1000000")
        deposit = self.wj("--key", "alice", "deposit", "600000")
        for h, kind, amount in ((faucet["hash"], "faucet", "1000000"), (deposit["hash"], "deposit", "600000")):
            self.assert_base_tx(self.wj("tx", h), kind, amount)
        human = self.wallet("tx", deposit["hash"]).stdout
        self.assertIn("deposit of 600,000 (base tx): in base-chain block ", human)
        self.assertIn("faucet of 1,000,000 (base tx)", self.wallet("tx", faucet["hash"]).stdout)
        before = (self.base_balance(pub), self.rollup_account(pub)["balance"], self.rpc.call("chain_getAccount",
                                                                                             {"account": pub})["nonce"])
        for h, kind, amount in ((deposit["hash"], "deposit", "600000"), (faucet["hash"], "faucet", "1000000")):
            out = self.wj("resend", h)
            self.assert_base_tx(out, kind, amount)
            p = self.wallet("resend", h)
            self.assertIn("already sent", p.stdout)
            self.assertIn("not sent again", p.stdout)
        after = (self.base_balance(pub), self.rollup_account(pub)["balance"], self.rpc.call("chain_getAccount",
                                                                                            {"account": pub})["nonce"])
        self.assertEqual(after, before, "a resend of a mined base tx paid or minted again")

    def test_resend_of_a_rollup_tx_has_the_tx_schema(self):
        self.funded_user("alice", 0, 1000)
        self.funded_user("bob", 0, 10)
        t = self.wj("--key", "alice", "transfer", "bob", "10")
        self.assert_rollup_tx(t, "transfer", "10")
        again = self.wj("resend", t["hash"])
        self.assert_rollup_tx(again, "transfer", "10")
        self.assertEqual((again["hash"], again["to"], again["status"]), (t["hash"], t["to"], "applied"))
        tx = self.wj("tx", t["hash"])
        self.assert_rollup_tx(tx, "transfer", "10")
        self.assertEqual(set(again) | {"tx"}, set(tx))
        self.assertIn("transfer of 10 to account", self.wallet("resend", t["hash"]).stdout)

    def test_no_wait_then_next_nonce_comes_from_the_sequencer(self):
        self.funded_user("alice", 0, 1000)
        bob = self.funded_user("bob", 0, 0 + 1)
        hashes = [self.wj("--key", "alice", "--no-wait", "transfer", "bob", "5")["hash"] for _ in range(3)]
        self.assertEqual(len(set(hashes)), 3)
        wait_for("three transfers applied", lambda: int(self.rollup_account(bob)["balance"]) == 16)
        for h in hashes:
            self.assertEqual(self.seq.client().get_json("/v1/transactions/" + h)["status"], "applied")

    def test_wait_shows_progress_on_a_terminal_and_ctrl_c_resumes(self):
        """`claim` waits for the challenge window: on a terminal it shows what it waits for
        and the time left; piped, it prints no progress; Ctrl-C ends the wait with a way to
        resume and nothing sent."""
        import pty
        import signal
        import time
        alice = self.funded_user("alice", 0, 1000)
        w = self.wj("--key", "alice", "withdraw", "100")
        wait_for("in window", lambda: self.wj("tx", w["hash"])["lifecycle"]["stage"] == "in_window")
        base_before = self.base_balance(alice)
        # piped: quiet until it gives up (--timeout 1)
        p = self.wallet("--key", "alice", "--timeout", "1", "claim", ok=False)
        self.assertEqual(p.returncode, 5, p.stderr)
        self.assertNotIn("\r", p.stdout + p.stderr)
        self.assertNotIn("\033", p.stdout + p.stderr)
        # on a terminal: progress with the time left; then Ctrl-C
        pid, fd = pty.fork()
        if pid == 0:
            os.execve(WALLET, [WALLET, "--key", "alice", "claim"], self.env)
        seen = b""
        end = time.monotonic() + 30 * SCALE
        while b"left" not in seen and time.monotonic() < end:
            try:
                seen += os.read(fd, 4096)
            except OSError:
                break
        self.assertIn(b"waiting for withdrawal", seen)
        self.assertIn(b"left", seen)
        os.kill(pid, signal.SIGINT)
        while True:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
        _, status = os.waitpid(pid, 0)
        os.close(fd)
        self.assertEqual(os.waitstatus_to_exitcode(status), 130, seen)
        self.assertIn(b"interrupted", seen)
        self.assertIn(b"wallet claim " + w["hash"].encode(), seen)
        self.assertEqual(self.base_balance(alice), base_before, "an interrupted claim paid")

    def on_terminal(self, args, answers, env):
        """Runs the wallet on a pseudo-terminal, answering each prompt of `answers` (prompt,
        reply) in turn; returns (exit status, everything it wrote). A reply is typed only once
        echo is off: the wallet turns it off after the prompt with TCSAFLUSH, which drops
        anything typed before (as getpass does). A wallet still running after the timeout is
        killed (the test fails; it never hangs)."""
        import pty
        import select
        import signal
        import termios
        import time
        pid, fd = pty.fork()
        if pid == 0:
            os.execve(WALLET, [WALLET, *args], env)
        seen = b""
        end = time.monotonic() + 60 * SCALE

        def read_some():
            nonlocal seen
            if select.select([fd], [], [], 0.05)[0]:
                try:
                    chunk = os.read(fd, 4096)
                except OSError:
                    return False
                if not chunk:
                    return False
                seen += chunk
            return True

        try:
            for prompt, reply in answers:
                while prompt.encode() not in seen and time.monotonic() < end and read_some():
                    pass
                self.assertIn(prompt.encode(), seen)
                seen = seen.replace(prompt.encode(), b"<" + prompt.encode() + b">", 1)
                while termios.tcgetattr(fd)[3] & termios.ECHO and time.monotonic() < end:
                    time.sleep(0.01)
                os.write(fd, reply.encode() + b"\n")
            while time.monotonic() < end and read_some():
                pass
        finally:
            done, status = os.waitpid(pid, os.WNOHANG)
            while done == 0 and time.monotonic() < end:  # it may close the pty just before it exits
                time.sleep(0.02)
                done, status = os.waitpid(pid, os.WNOHANG)
            if done == 0:
                os.kill(pid, signal.SIGKILL)
                _, status = os.waitpid(pid, 0)
            os.close(fd)
        return os.waitstatus_to_exitcode(status), seen.decode(errors="replace")

    def test_passphrase_prompts_on_a_terminal(self):
        env = {k: v for k, v in self.env.items() if k != "L2_WALLET_PASSWORD_FILE"}
        rc, seen = self.on_terminal(["key", "new", "carol", *CHEAP_KDF],
                                    [("New passphrase for key carol: ", "pw"), ("Repeat passphrase for key carol: ", "pw")],
                                    env)
        self.assertEqual(rc, 0, seen)
        self.assertNotIn("new key", seen)
        self.wj("--key", "carol", "faucet", "100", env=env)  # signs nothing: no prompt
        rc, seen = self.on_terminal(["--key", "carol", "deposit", "10"], [("Passphrase for key carol: ", "pw")], env)
        self.assertEqual(rc, 0, seen)
        self.assertNotIn("pw", seen.replace("Passphrase", ""), "the passphrase is not echoed")

    def test_deposit_names_its_rollup_tx(self):
        pub = self.new_key("alice")
        self.wj("--key", "alice", "faucet", "500")
        out = self.wj("--key", "alice", "deposit", "300")
        r = self.seq.client().get_json("/v1/transactions/" + out["rollup_tx"])
        self.assertEqual((r["status"], r["tx"]["type"], r["tx"]["to_index"], r["tx"]["amount"]),
                         ("applied", "deposit", out["account"], "300"))
        self.assertEqual((r["tx"]["deposit_id"], r["tx"]["to_pubkey"]), (out["deposit_index"], pub))
        tx = self.wj("tx", out["rollup_tx"])
        self.assertEqual((tx["kind"], tx["status"]), ("deposit", "applied"))
        self.assertNotEqual(out["rollup_tx"], out["hash"], "the base tx hash is not the rollup tx hash")
        self.assertEqual(int(self.rollup_account(pub)["balance"]), 300)

    def test_status_and_help(self):
        st = self.wj("status")
        self.assertTrue(st["sequencer"]["reachable"])
        human = self.wallet("status").stdout
        self.assertIn("%s (env L2_SEQUENCER_URL)" % self.seq_url(), human)
        self.assertIn("%s (env L2_BASE_CHAIN_URL)" % self.chain.url, human)
        self.assertIn("%s (env L2_WALLET_DIR; 0 keys)" % self.wallet_dir, human)
        self.assertNotIn(" 1 accounts", human)
        self.assertIn("(flag)", self.wallet("--sequencer", self.seq_url(), "status").stdout)
        self.assertEqual(st["sequencer"]["chain_id"], str(tset.ROLLUP))
        self.assertEqual(st["base_chain"]["head"], str(self.rpc.call("chain_getHead")["number"]))
        self.assertIn("backlog", st["sequencer"]["settlement"])
        p = self.wallet("--help")
        for cmd in ("key", "status", "balance", "faucet", "deposit", "transfer", "withdraw", "withdrawals", "claim",
                    "tx", "history"):
            self.assertIn(cmd, p.stdout)
            self.assertIn("Usage", self.wallet(cmd, "--help").stdout)
        for sub in ("new", "list", "show", "import", "export"):
            self.assertIn("Usage", self.wallet("key", sub, "--help").stdout)
        # Every command's help says the global options work after it; --timeout reads as
        # the others do.
        for args in (("transfer",), ("key", "new"), ("status",)):
            self.assertIn("Global options (--json", " ".join(self.wallet(*args, "--help").stdout.split()))
        self.assertIn("--timeout SECONDS ", p.stdout)
        self.assertNotIn("UINT", p.stdout)
        self.refused("key", "bogus", code=2, says="unknown key command 'bogus'; the key commands are new, list")
        self.refused("key", "lst", code=2, says="did you mean `wallet key list`?")
        self.refused("key", code=2, says="a key command is required")

    def test_settings_precedence_flag_env_config(self):
        self.new_key("alice")
        cfg_dir = os.path.join(self.tmp, "config", "l2")
        os.makedirs(cfg_dir)
        with open(os.path.join(cfg_dir, "wallet.toml"), "w") as f:
            f.write('sequencer = "%s"\nbase_chain = "%s"\n' % (self.seq_url(), self.chain.url))
        env = dict(self.env)
        del env["L2_SEQUENCER_URL"]
        del env["L2_BASE_CHAIN_URL"]
        self.assertTrue(self.wj("status", env=env)["sequencer"]["reachable"])  # from the config file
        self.assertEqual(self.wj("status", env=env)["sequencer"]["from"], "config")
        dead = "http://127.0.0.1:%d" % tset.base.free_port()
        env["L2_SEQUENCER_URL"] = dead  # the environment beats the config file
        self.refused("status", env=env, code=3, says=dead)
        st = self.wj("--sequencer", self.seq_url(), "status", env=env)  # a flag beats both
        self.assertEqual(st["sequencer"]["from"], "flag")
        with open(os.path.join(cfg_dir, "wallet.toml"), "w") as f:
            f.write('sequencr = "x"\n')
        self.refused("status", env=env, code=2, says="wallet.toml:1: unknown key 'sequencr'; did you mean 'sequencer'?")


class WalletBadInputTest(WalletCase):
    def setUp(self):
        super().setUp()
        self.alice = self.funded_user("alice", 1000, 5000)
        self.bob = self.funded_user("bob", 0, 10)
        self.before = self.state(self.alice, self.bob)

    def assertUnchanged(self):
        self.assertEqual(self.state(self.alice, self.bob), self.before, "a refused command changed a chain")

    def test_bad_amounts(self):
        for amount in ("1.5", "-1", "1e3", "18446744073709551616", "0", "", "0x10", "1,000", " 5"):
            self.refused("--key", "alice", "transfer", "bob", amount, code=2)
            self.refused("--key", "alice", "withdraw", amount, code=2)
            self.refused("--key", "alice", "deposit", amount, code=2)
        self.refused("--key", "alice", "transfer", "bob", "1e3", says="no decimal point or exponent")
        self.refused("--key", "alice", "transfer", "bob", "18446744073709551616", says="2^64 - 1")
        self.assertUnchanged()

    def test_above_balance_and_unknown_recipient(self):
        self.refused("--key", "alice", "transfer", "bob", "5001", code=1, says="insufficient rollup balance")
        self.refused("--key", "alice", "transfer", "bob", "5000", "--fee", "1", code=1, says="insufficient")
        self.refused("--key", "alice", "withdraw", "18446744073709551615", code=1, says="insufficient")
        self.refused("--key", "alice", "deposit", "1001", code=1, says="insufficient base-chain balance")
        # An unknown recipient is refused (exit 1) in each of its three forms; a word that
        # is none of them is a usage error (exit 2).
        self.refused("--key", "alice", "transfer", "carol", "1", code=1, says="unknown recipient")
        self.refused("--key", "alice", "transfer", "nosuchkey", "10", code=1, says="unknown recipient 'nosuchkey'")
        self.refused("--key", "alice", "transfer", "999", "10", code=1, says="unknown recipient")
        self.refused("--key", "alice", "transfer", "4000000000", "1", code=1, says="unknown recipient")
        self.refused("--key", "alice", "transfer", "ab" * 32, "1", code=1, says="unknown recipient")
        self.refused("--key", "alice", "transfer", "bobb", "1", code=1, says="did you mean bob?")
        self.refused("--key", "alice", "transfer", "Bob!", "1", code=2, says="bad recipient")
        self.refused("--key", "alice", "transfer", "4294967296", "1", code=2, says="below 2^32")
        self.refused("--key", "alice", "transfer", "alice", "1", says="own account")
        self.assertUnchanged()

    def test_keystore_faults(self):
        path = os.path.join(self.wallet_dir, "alice.key")
        with open(path) as f:
            original = f.read()
        # wrong passphrase
        wrong = self.secret_file("wrong", "not it\n")
        self.refused("--key", "alice", "--password-file", wrong, "transfer", "bob", "1", code=4,
                     says="wrong passphrase")
        # no passphrase source at all (no file, no env, no terminal)
        env = dict(self.env)
        del env["L2_WALLET_PASSWORD_FILE"]
        p = subprocess.run([WALLET, "--key", "alice", "transfer", "bob", "1"], env=env, capture_output=True,
                           text=True, stdin=subprocess.DEVNULL, start_new_session=True, timeout=60)
        self.assertEqual(p.returncode, 4, p.stderr)
        self.assertIn("L2_WALLET_PASSWORD", p.stderr)
        # a password file readable by others
        loose = self.secret_file("loose", "correct horse battery staple\n", mode=0o644)
        self.refused("--key", "alice", "--password-file", loose, "transfer", "bob", "1", code=4, says="chmod 600")
        # corrupted ciphertext, truncated file, key file mode 0644
        doc = json.loads(original)
        ct = doc["cipher"]["ciphertext"]
        doc["cipher"]["ciphertext"] = ("0" if ct[0] != "0" else "1") + ct[1:]
        for text, says in ((json.dumps(doc), "wrong passphrase"), (original[: len(original) // 2], "alice.key")):
            with open(path, "w") as f:
                f.write(text)
            self.refused("--key", "alice", "transfer", "bob", "1", code=4, says=says)
        with open(path, "w") as f:
            f.write(original)
        os.chmod(path, 0o644)
        self.refused("--key", "alice", "transfer", "bob", "1", code=4, says="chmod 600")
        os.chmod(path, 0o600)
        self.refused("--key", "nobody", "transfer", "bob", "1", code=4)
        self.assertUnchanged()
        # and the key works again once the file is whole
        self.assertEqual(self.wj("--key", "alice", "transfer", "bob", "1")["status"], "applied")

    def test_unreachable_and_garbage_servers(self):
        dead = "http://127.0.0.1:%d" % tset.base.free_port()
        self.refused("--key", "alice", "--sequencer", dead, "transfer", "bob", "1", code=3, says=dead)
        self.refused("--key", "alice", "--base-chain", dead, "deposit", "1", code=3, says="scripts/devnet")
        garbage = Garbage()
        self.addCleanup(garbage.close)
        url = "http://127.0.0.1:%d" % garbage.port
        p = self.refused("--key", "alice", "--sequencer", url, "transfer", "bob", "1", code=3,
                         says="not its API")
        self.assertNotIn("<html>", p.stderr)
        self.refused("--key", "alice", "--base-chain", url, "deposit", "1", code=3, says="not its API")
        self.refused("--key", "alice", "--sequencer", "ftp://x", "balance", code=2)
        self.assertUnchanged()

    def test_server_refusal_shows_code_and_message(self):
        """A journalled tx altered on disk (its amount; the signature no longer covers it),
        resent: the sequencer refuses it, and the wallet shows the API's code and message,
        never a raw HTTP answer."""
        journal = os.path.join(self.wallet_dir, "history", "alice.jsonl")
        with open(journal) as f:
            lines = f.read().splitlines()
        entry = json.loads(lines[-1])  # the deposit
        fake = {"kind": "transfer", "hash": "ee" * 32, "layer": "rollup", "chain_id": str(tset.ROLLUP),
                "time": entry["time"], "amount": "9", "to": "2", "nonce": "0",
                "tx": {"type": "transfer", "chain_id": str(tset.ROLLUP), "from": self.rollup_account(self.alice)["index"],
                       "to": self.rollup_account(self.bob)["index"], "amount": "9", "fee": "0", "nonce": "0",
                       "signature": "11" * 64}}
        with open(journal, "a") as f:
            f.write(json.dumps(fake) + "\n")
        p = self.refused("--key", "alice", "resend", "ee" * 32, code=1, says="the sequencer refused")
        self.assertIn("bad_signature", p.stderr)
        self.assertNotIn("HTTP/1.1", p.stderr)
        self.assertUnchanged()


class WalletSecretsTest(WalletCase):
    def test_secret_never_in_files_or_output(self):
        seed = bytes(range(1, 33))
        seed_file = self.secret_file("seed", seed.hex() + "\n")
        out = self.wj("key", "import", "--seed-file", seed_file, "--name", "carol")  # default KDF
        import nacl.signing
        sk = nacl.signing.SigningKey(seed)
        self.assertEqual(out["public_key"], bytes(sk.verify_key).hex())
        secret_forms = set()
        for raw in (seed, bytes(sk._signing_key)):  # seed, and libsodium's 64-byte secret key
            secret_forms |= {raw.hex(), raw.hex().upper(), base64.b64encode(raw).decode(),
                             base64.urlsafe_b64encode(raw).decode(), base64.b64encode(raw).decode().rstrip("=")}
        outputs = []
        self.wj("--key", "carol", "faucet", "5000")
        for args in (("-v", "--key", "carol", "deposit", "3000"),
                     ("-v", "--key", "carol", "withdraw", "10"),
                     ("-v", "key", "show", "carol"), ("-v", "key", "list"), ("-v", "--key", "carol", "history"),
                     ("-v", "--key", "carol", "balance"), ("key", "export", "carol")):
            for json_flag in ((), ("--json",)):
                if args[-1] in ("3000", "10") and json_flag:
                    continue  # send once only
                p = self.wallet(*json_flag, *args)
                outputs += [p.stdout, p.stderr]
        files = []
        for root, _, names in os.walk(self.wallet_dir):
            for n in names:
                with open(os.path.join(root, n), "rb") as f:
                    files.append((n, f.read()))
        self.assertTrue(any(n == "carol.key" for n, _ in files))
        self.assertTrue(any(n == "carol.jsonl" for n, _ in files))
        for raw in (seed, bytes(sk._signing_key)):
            for n, data in files:
                self.assertNotIn(raw, data, "raw secret bytes in " + n)
        for form in secret_forms:
            for n, data in files:
                self.assertNotIn(form.encode(), data, "secret (%s...) in %s" % (form[:6], n))
            for text in outputs:
                self.assertNotIn(form, text, "secret in the wallet's output")
        # The exported file imports back (as itself, into another wallet) and unlocks.
        exported = os.path.join(self.tmp, "carol-export.key")
        self.wallet("key", "export", "carol", "--out", exported)
        self.assertEqual(stat.S_IMODE(os.stat(exported).st_mode), 0o600)
        env = dict(self.env, L2_WALLET_DIR=os.path.join(self.tmp, "other-wallet"))
        self.assertEqual(self.wj("key", "import", exported, env=env)["public_key"], out["public_key"])
        self.assertEqual(self.wj("--key", "carol", "withdraw", "1", env=env)["status"], "applied")


# ---------------------------------------------------------------- test servers


class DropFirstAnswer:
    """A TCP proxy to a local port that, for the first request whose line starts with
    `POST /v1/transactions`, forwards the request and closes the client's connection
    without passing the answer on: an answer lost on the way back."""

    def __init__(self, target_port):
        self.target = target_port
        self.dropped = 0
        self.lock = threading.Lock()
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.closed = False
        threading.Thread(target=self.accept, daemon=True).start()

    def close(self):
        self.closed = True
        self.sock.close()

    def accept(self):
        while not self.closed:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self.serve, args=(client,), daemon=True).start()

    def serve(self, client):
        upstream = socket.create_connection(("127.0.0.1", self.target))
        drop = [False]

        def down():
            try:
                while True:
                    data = upstream.recv(65536)
                    if not data:
                        break
                    if drop[0]:
                        break
                    client.sendall(data)
            except OSError:
                pass
            finally:
                client.close()
                upstream.close()

        threading.Thread(target=down, daemon=True).start()
        try:
            while True:
                data = client.recv(65536)
                if not data:
                    break
                if data.startswith(b"POST /v1/transactions"):
                    with self.lock:
                        if self.dropped == 0:
                            self.dropped = 1
                            drop[0] = True
                upstream.sendall(data)
        except OSError:
            pass


class Garbage:
    """An HTTP server that answers every request with 200 and an HTML page."""

    def __init__(self):
        import http.server

        class H(http.server.BaseHTTPRequestHandler):
            def answer(self):
                n = int(self.headers.get("Content-Length") or 0)
                if n:
                    self.rfile.read(n)
                body = b"<html>not an API</html>"
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = answer

            def log_message(self, *a):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def main():
    global WALLET
    args = sys.argv[1:]
    if not args or args[0].startswith("-"):
        print(__doc__, file=sys.stderr)
        return 2
    build = os.path.abspath(args.pop(0))
    WALLET = os.path.join(build, "wallet_cli", "wallet")
    tset.BIN["sequencerd"] = os.path.join(build, "sequencer", "sequencerd")
    tset.BIN["basechaind"] = os.path.join(build, "settlement", "basechaind")
    for path in (WALLET, tset.BIN["sequencerd"], tset.BIN["basechaind"]):
        if not os.access(path, os.X_OK):
            print("missing %s" % path, file=sys.stderr)
            return 2
    ts.SEQUENCERD = tset.BIN["sequencerd"]
    prog = unittest.main(argv=[sys.argv[0]] + args, exit=False, verbosity=2)
    return 0 if prog.result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
