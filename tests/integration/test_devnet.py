#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The off-chain scaling stack developers
"""scripts/devnet against the real daemons (docs/devnet.md).

usage: /usr/bin/python3 tests/integration/test_devnet.py DEVNET_SCRIPT BUILD_DIR [unittest args]

Starts devnets as a user would (the script, which starts basechaind and sequencerd from
BUILD_DIR) on free ephemeral ports and checks: the env file appears and sources; /ready
answers 200 and the base chain its chain id; two devnets run side by side; SIGTERM and
SIGINT stop everything (exit 0, both daemons gone, the temp data dir removed); a
--data-dir is kept and restarts; a port in use is a one-line error and leaves nothing
running; a daemon that dies is reported; a missing binary names the cmake command.

The dev key is made with the real wallet of BUILD_DIR (wallet_cli/wallet): the genesis
funding, the wallet dir and password file modes, no key recreated on a restart, nothing but
the public key printed, and the wallet finding both daemons from the env file alone.
"""

import sys

sys.dont_write_bytecode = True

import json  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import stat  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import unittest  # noqa: E402
import urllib.error  # noqa: E402
import urllib.request  # noqa: E402

DEVNET = ""
BUILD_DIR = ""
SCALE = float(os.environ.get("L2_TEST_TIMEOUT_SCALE", "1"))
BASE_CHAIN_ID = 31337  # basechaind's default, which devnet keeps
DOCS_DEVNET = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                           "docs", "devnet.md")


def doc_snippet(after):
    """The first ```sh block of docs/devnet.md after the line that contains `after`."""
    with open(DOCS_DEVNET) as f:
        text = f.read()
    start = text.index("```sh\n", text.index(after)) + len("```sh\n")
    return text[start:text.index("```", start)]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(what, fn, timeout=30.0, interval=0.05):
    end = time.monotonic() + timeout * SCALE
    last = None
    while time.monotonic() < end:
        last = fn()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError("timed out waiting for %s (last: %r)" % (what, last))


def http_get(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, None


def rpc(url, method, params=None):
    req = {"jsonrpc": "2.0", "id": 1, "method": method}
    if params is not None:
        req["params"] = params
    request = urllib.request.Request(url + "/", data=json.dumps(req).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=5) as r:
        answer = json.loads(r.read())
    if "error" in answer:
        raise AssertionError("%s: %s" % (method, answer["error"]))
    return answer["result"]


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is gone for our purposes
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def source_env(path):
    """The variables a POSIX shell gets from `. path`."""
    out = subprocess.run(["/bin/sh", "-c", '. "$1" && env', "sh", path], capture_output=True, text=True,
                         check=True, env={"PATH": "/usr/bin:/bin"}).stdout
    return {k: v for k, v in (line.split("=", 1) for line in out.splitlines() if "=" in line) if k.startswith("L2_")}


class Devnet:
    """One `scripts/devnet` process on free ports, its output in files of a test dir."""

    def __init__(self, case, *extra, build_dir=None, ports=None, dev_key=False):
        self.case = case
        self.dir = case.new_dir()
        self.env_file = os.path.join(self.dir, "devnet.env")
        self.stdout_path = os.path.join(self.dir, "stdout")
        self.stderr_path = os.path.join(self.dir, "stderr")
        self.rest = ["--build-dir", build_dir or BUILD_DIR, "--env-file", self.env_file] + \
            ([] if dev_key else ["--no-dev-key"]) + list(extra)
        # Ports chosen here are free when chosen; another test running beside this one may
        # take one before the devnet binds it. Only then does wait_ready() try new ones.
        self.auto_ports = ports is None
        self.pick_ports(ports)
        self.proc = None
        self.pids = {}

    def pick_ports(self, ports=None):
        self.base_port, self.seq_port = ports or (free_port(), free_port())
        while self.seq_port == self.base_port:
            self.seq_port = free_port()
        self.argv = [DEVNET, "--base-chain-port", str(self.base_port), "--sequencer-port", str(self.seq_port)] + \
            self.rest

    def start(self):
        with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
            self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        self.case.addCleanup(self.kill)
        return self

    def run(self, timeout=60):
        """Runs to completion (for the runs that must fail): (status, stdout, stderr)."""
        self.start()
        self.proc.wait(timeout=timeout * SCALE)
        return self.proc.returncode, self.stdout(), self.stderr()

    def stdout(self):
        with open(self.stdout_path) as f:
            return f.read()

    def stderr(self):
        with open(self.stderr_path) as f:
            return f.read()

    def lost_a_port_race(self):
        err = self.stderr()
        return self.auto_ports and self.proc.returncode != 0 and (
            re.search(r"port (%d|%d) is in use" % (self.base_port, self.seq_port), err) is not None or
            "Address already in use" in err)

    def wait_ready(self, retries=3):
        def ready():
            if self.proc.poll() is not None:
                if retries > 0 and self.lost_a_port_race():
                    return "retry"
                raise AssertionError("devnet exited with %s before it was ready:\n%s%s" %
                                     (self.proc.returncode, self.stdout(), self.stderr()))
            return os.path.exists(self.env_file)
        if wait_for("devnet's env file", ready, timeout=60) == "retry":
            sys.stderr.write("devnet: port %d or %d was taken before it bound them; new ports\n" %
                             (self.base_port, self.seq_port))
            self.pick_ports()
            return self.start().wait_ready(retries - 1)
        self.env = source_env(self.env_file)
        m = re.search(r"^data dir: (.+)$", self.stdout(), re.MULTILINE)
        self.case.assertIsNotNone(m, self.stdout())
        self.data = m.group(1)
        for name, sub in (("basechaind", "chain"), ("sequencerd", "rollup")):
            with open(os.path.join(self.data, sub, "LOCK")) as f:
                self.pids[name] = int(f.read().split()[0])
        return self

    @property
    def base_url(self):
        return "http://127.0.0.1:%d" % self.base_port

    @property
    def seq_url(self):
        return "http://127.0.0.1:%d" % self.seq_port

    def stop(self, sig=signal.SIGTERM):
        self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout=40 * SCALE)
        except subprocess.TimeoutExpired:
            raise AssertionError("devnet did not stop within 40 s of %s" % signal.Signals(sig).name)
        return self.proc.returncode

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=40 * SCALE)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for pid in self.pids.values():
            if alive(pid):
                os.kill(pid, signal.SIGKILL)


class DevnetTest(unittest.TestCase):
    maxDiff = None

    def new_dir(self):
        d = tempfile.mkdtemp(prefix="l2-devnet-test-")
        self.addCleanup(shutil.rmtree, d, True)
        return d

    def assert_answers(self, net):
        status, body = http_get(net.seq_url + "/ready")
        self.assertEqual((status, body), (200, {"ready": True, "reasons": []}))
        self.assertEqual(rpc(net.base_url, "chain_getChainId"), BASE_CHAIN_ID)
        self.assertIsNotNone(rpc(net.base_url, "bridge_getRollup", {"rollup_id": 7}), "rollup 7 registered")
        status, body = http_get(net.seq_url + "/v1/status")
        self.assertEqual(status, 200)
        self.assertEqual(body["chain_id"], "7")

    def assert_stopped_cleanly(self, net, sig=signal.SIGTERM, temporary=True):
        rc = net.stop(sig)
        self.assertEqual(rc, 0, net.stderr())
        for name, pid in net.pids.items():
            self.assertFalse(alive(pid), "%s (pid %d) still runs" % (name, pid))
        self.assertFalse(os.path.exists(net.env_file), "the --env-file is removed at stop")
        if temporary:
            self.assertFalse(os.path.exists(net.data), "the temp data dir is removed at stop")
        self.assertEqual(net.stderr(), "")

    def build_dir_without_wallet(self):
        """A build dir with the real daemons and no wallet."""
        d = self.new_dir()
        for sub, name in (("settlement", "basechaind"), ("sequencer", "sequencerd")):
            os.makedirs(os.path.join(d, sub))
            os.symlink(os.path.join(BUILD_DIR, sub, name), os.path.join(d, sub, name))
        return d

    # ------------------------------------------------------------------ the tests

    def test_starts_answers_and_stops_on_sigterm(self):
        net = Devnet(self).start().wait_ready()
        self.assertEqual(net.env, {"L2_SEQUENCER_URL": net.seq_url, "L2_BASE_CHAIN_URL": net.base_url})
        with open(net.env_file) as a, open(os.path.join(net.data, "devnet.env")) as b:
            self.assertEqual(a.read(), b.read(), "--env-file and DATA/devnet.env are the same")
        self.assertTrue(net.data.startswith(tempfile.gettempdir()), net.data)
        self.assert_answers(net)
        out = net.stdout()
        for text in (net.seq_url, net.base_url + "/", "Ctrl-C to stop", "challenge window   30 s",
                     "block time         500 ms", "--no-dev-key"):
            self.assertIn(text, out)
        for log in ("chain.log", "rollup.log"):
            self.assertGreater(os.path.getsize(os.path.join(net.data, log)), 0, log)
        self.assert_stopped_cleanly(net)

    def test_flags_reach_the_daemons(self):
        net = Devnet(self, "--chain-id", "9", "--challenge-window-s", "45", "--inclusion-deadline-s", "120",
                     "--block-time-ms", "200").start().wait_ready()
        rollup = rpc(net.base_url, "bridge_getRollup", {"rollup_id": 9})
        self.assertEqual((rollup["challenge_window_s"], rollup["inclusion_deadline_s"]), (45, 120))
        head = rpc(net.base_url, "chain_getHead")["number"]
        time.sleep(1.0)
        self.assertGreaterEqual(rpc(net.base_url, "chain_getHead")["number"] - head, 3, "a block every 200 ms")
        self.assertEqual(http_get(net.seq_url + "/v1/status")[1]["chain_id"], "9")
        self.assert_stopped_cleanly(net, signal.SIGINT)

    def test_two_devnets_side_by_side(self):
        a = Devnet(self).start()
        b = Devnet(self).start()
        a.wait_ready()
        b.wait_ready()
        self.assertNotEqual(a.data, b.data)
        self.assert_answers(a)
        self.assert_answers(b)
        self.assert_stopped_cleanly(a, signal.SIGINT)
        self.assert_answers(b)  # stopping one leaves the other alone
        self.assert_stopped_cleanly(b)

    def test_data_dir_is_kept_and_restarts(self):
        data = os.path.join(self.new_dir(), "state")
        net = Devnet(self, "--data-dir", data).start().wait_ready()
        self.assertEqual(net.data, data)
        registered = rpc(net.base_url, "bridge_getRollup", {"rollup_id": 7})
        head = rpc(net.base_url, "chain_getHead")["number"]
        self.assert_stopped_cleanly(net, temporary=False)
        for kept in ("chain/chain.db", "rollup/rollup.db", "chain.log", "rollup.log"):
            self.assertTrue(os.path.exists(os.path.join(data, kept)), kept)
        self.assertFalse(os.path.exists(os.path.join(data, "devnet.env")), "no stale env file")

        again = Devnet(self, "--data-dir", data, "--challenge-window-s", "99").start().wait_ready()
        self.assert_answers(again)
        self.assertEqual(rpc(again.base_url, "bridge_getRollup", {"rollup_id": 7})["registered_at"],
                         registered["registered_at"], "the same rollup, not a new one")
        self.assertGreaterEqual(rpc(again.base_url, "chain_getHead")["number"], head, "the same chain")
        self.assertIn("do not apply", again.stdout(), "a changed window cannot apply to a registered rollup")
        self.assert_stopped_cleanly(again, temporary=False)
        self.assertTrue(os.path.exists(os.path.join(data, "chain", "chain.db")))

    def test_data_dir_in_use_by_another_devnet(self):
        data = os.path.join(self.new_dir(), "state")
        first = Devnet(self, "--data-dir", data).start().wait_ready()
        rc, out, err = Devnet(self, "--data-dir", data).run()
        self.assertEqual(rc, 1)
        self.assertIn("in use by another devnet (process %d)" % first.proc.pid, err)
        self.assertNotIn("devnet: stopped", out, "a refused start stopped nothing")
        self.assert_answers(first)
        self.assert_stopped_cleanly(first, temporary=False)

    def test_port_in_use_is_a_clear_error_and_leaves_nothing_running(self):
        for flag in ("--base-chain-port", "--sequencer-port"):
            with self.subTest(flag=flag), socket.socket() as taken:
                taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                taken.bind(("127.0.0.1", 0))
                taken.listen()
                port = taken.getsockname()[1]
                other = free_port()
                ports = (port, other) if flag == "--base-chain-port" else (other, port)
                data = os.path.join(self.new_dir(), "state")
                before = set(os.listdir(tempfile.gettempdir()))
                rc, out, err = Devnet(self, "--data-dir", data, ports=ports).run()
                self.assertNotEqual(rc, 0)
                self.assertEqual(err.count("\n"), 1, err)
                self.assertIn("port %d is in use" % port, err)
                self.assertIn(flag, err)
                self.assertFalse(os.path.exists(data), "nothing was started")
                self.assertEqual(out, "")
                leaked = [d for d in set(os.listdir(tempfile.gettempdir())) - before if d.startswith("l2-devnet-")
                          and not d.startswith("l2-devnet-test-")]
                self.assertEqual(leaked, [], "no temp data dir left")
                # and nothing listens on the free port devnet would have used
                with socket.socket() as s:
                    self.assertNotEqual(s.connect_ex(("127.0.0.1", other)), 0)

    def kill_9_leaving_a_stale_env_file(self):
        """A devnet killed with SIGKILL: its daemons go (parent-death signal), its env file
        stays. Returns the env file's path and its stale text."""
        net = Devnet(self).start().wait_ready()
        self.addCleanup(shutil.rmtree, net.data, True)  # nobody else removes it now
        net.proc.kill()
        net.proc.wait(timeout=10 * SCALE)
        for name, pid in net.pids.items():
            wait_for("%s gone after devnet's kill -9" % name, lambda: not alive(pid), timeout=30)
        self.assertTrue(os.path.exists(net.env_file), "kill -9 leaves the env file (the case guarded here)")
        with open(net.env_file) as f:
            return net.env_file, f.read()

    def test_documented_wait_loop_never_reads_a_stale_env_file_as_ready(self):
        """docs/devnet.md's "From a script" snippet, run as written (only the path, the build
        dir and free ports put in) right after a devnet was killed with kill -9: it waits for
        the new devnet and talks to it, never to the dead one the stale file names."""
        env_file, stale = self.kill_9_leaving_a_stale_env_file()
        base_port, seq_port = free_port(), free_port()
        snippet = doc_snippet("From a script:")
        self.assertIn("rm -f /tmp/devnet.env", snippet)
        script = snippet.replace("/tmp/devnet.env", env_file).replace(
            "scripts/devnet", "%s --build-dir %s --no-dev-key --base-chain-port %d --sequencer-port %d" %
            (DEVNET, BUILD_DIR, base_port, seq_port))
        p = subprocess.run(["/bin/sh", "-c", script], capture_output=True, text=True, timeout=120 * SCALE)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        ready = p.stdout.splitlines()[-1]  # after the data dir's path (--quiet)
        self.assertEqual(json.loads(ready), {"ready": True, "reasons": []}, p.stdout)
        self.assertNotIn(":%d\n" % seq_port, stale, "the test needs new ports to tell the files apart")
        self.assertFalse(os.path.exists(env_file), "removed at stop")

    def test_env_file_is_removed_before_a_start_is_refused(self):
        """`devnet --env-file PATH` removes PATH before anything else, so an old file is gone
        even when this start is then refused (here: a port in use)."""
        env_file, _ = self.kill_9_leaving_a_stale_env_file()
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            net = Devnet(self, ports=(taken.getsockname()[1], free_port()))
            net.rest[net.rest.index("--env-file") + 1] = env_file
            net.pick_ports((net.base_port, net.seq_port))
            rc, out, err = net.run()
        self.assertEqual(rc, 1, err)
        self.assertIn("is in use", err)
        self.assertNotIn("devnet: stopped", out)
        self.assertFalse(os.path.exists(env_file), "the old env file is removed first of all")

    def test_a_daemon_that_dies_is_reported_and_the_other_stopped(self):
        net = Devnet(self).start().wait_ready()
        os.kill(net.pids["sequencerd"], signal.SIGKILL)
        net.proc.wait(timeout=30 * SCALE)
        self.assertEqual(net.proc.returncode, 1)
        err = net.stderr()
        self.assertIn("sequencerd exited on its own (killed by SIGKILL)", err)
        self.assertIn("rollup.log", err)
        wait_for("basechaind gone", lambda: not alive(net.pids["basechaind"]), timeout=10)
        self.assertFalse(os.path.exists(net.data), "the temp data dir is removed after a failure too")

    def test_missing_binary_names_the_build_command(self):
        empty = self.new_dir()
        rc, out, err = Devnet(self, build_dir=empty).run()
        self.assertEqual(rc, 2)
        self.assertEqual(err.count("\n"), 1, err)
        self.assertIn("basechaind is missing at " + os.path.join(empty, "settlement", "basechaind"), err)
        self.assertIn("cmake --preset release && cmake --build --preset release --target basechaind sequencerd wallet",
                      err)
        rc, out, err = Devnet(self, build_dir=self.build_dir_without_wallet(), dev_key=True).run()
        self.assertEqual(rc, 2)
        self.assertIn("wallet is missing", err)
        self.assertIn("--no-dev-key", err)

    # ------------------------------------------------------------------ the dev key

    def check_dev_key(self, net, wallet_dir_expected):
        out = net.stdout()
        m = re.search(r"^  public key +([0-9a-f]{64})$", out, re.MULTILINE)
        self.assertIsNotNone(m, out)
        public = m.group(1)
        self.assertEqual(set(re.findall(r"[0-9a-f]{64}", out)), {public},
                         "no 64-hex string but the dev public key is printed (no seed, no secret)")
        self.assertNotIn("secret", out.lower())
        self.assertEqual(rpc(net.base_url, "chain_getAccount", {"account": public})["balance"], "1000000000000")
        self.assertRegex(out, r"(?m)^  balance +1000000000000$")
        self.assertRegex(out, r"(?m)^  name +dev$")
        wallet_dir = os.path.join(net.data, "wallet")
        self.assertEqual(wallet_dir, wallet_dir_expected)
        password = os.path.join(wallet_dir, "password")
        self.assertEqual(net.env, {"L2_SEQUENCER_URL": net.seq_url, "L2_BASE_CHAIN_URL": net.base_url,
                                   "L2_WALLET_DIR": wallet_dir, "L2_WALLET_PASSWORD_FILE": password})
        self.assertEqual(stat.S_IMODE(os.stat(wallet_dir).st_mode), 0o700)
        self.assertEqual(stat.S_IMODE(os.stat(password).st_mode), 0o600)
        with open(password) as f:
            self.assertEqual(f.read(), "devnet\n")
        self.assertIn(password + " (passphrase: devnet)", out)
        key_file = os.path.join(wallet_dir, "dev.key")
        self.assertEqual(stat.S_IMODE(os.stat(key_file).st_mode), 0o600)
        with open(key_file) as f:
            secret_box = json.load(f)["cipher"]["ciphertext"]
        for log in ("chain.log", "rollup.log"):
            with open(os.path.join(net.data, log)) as f:
                self.assertNotIn(secret_box, f.read())
        self.assertNotIn(secret_box, out)
        return public

    def test_dev_key_is_made_once_and_kept_on_restart(self):
        data = os.path.join(self.new_dir(), "state")
        net = Devnet(self, "--data-dir", data, dev_key=True).start().wait_ready()
        public = self.check_dev_key(net, os.path.join(data, "wallet"))
        key_file = os.path.join(data, "wallet", "dev.key")
        with open(key_file) as f:
            first = f.read()
        self.assert_stopped_cleanly(net, temporary=False)
        # A restart keeps the key (the file is untouched) and adds no genesis alloc (basechaind
        # would refuse one on an existing chain).
        again = Devnet(self, "--data-dir", data, dev_key=True).start().wait_ready()
        self.assertEqual(self.check_dev_key(again, os.path.join(data, "wallet")), public)
        with open(key_file) as f:
            self.assertEqual(f.read(), first, "the key is created once")
        self.assertIn("(existing)", again.stdout())
        self.assert_stopped_cleanly(again, temporary=False)

    def test_dev_key_on_a_chain_made_without_one(self):
        data = os.path.join(self.new_dir(), "state")
        net = Devnet(self, "--data-dir", data).start().wait_ready()
        self.assert_stopped_cleanly(net, temporary=False)
        again = Devnet(self, "--data-dir", data, dev_key=True).start().wait_ready()
        self.check_dev_key(again, os.path.join(data, "wallet"))
        self.assertIn("dev_fund", again.stdout())
        self.assert_stopped_cleanly(again, temporary=False)

    def test_dev_key_with_the_real_wallet(self):
        wallet = os.path.join(BUILD_DIR, "wallet_cli", "wallet")
        data = os.path.join(self.new_dir(), "state")
        net = Devnet(self, "--data-dir", data, dev_key=True).start().wait_ready()
        public = self.check_dev_key(net, os.path.join(data, "wallet"))

        def run_wallet(*args):
            env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": self.new_dir()}
            env.update(net.env)  # only what the env file says
            r = subprocess.run([wallet] + list(args), capture_output=True, text=True, env=env,
                               timeout=120 * SCALE)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            return r.stdout

        # The wallet, given only the env file, finds both daemons and the funded dev key.
        run_wallet("status")
        balances = json.loads(run_wallet("--json", "balance"))["balances"]
        self.assertEqual([(b["name"], b["public_key"], b["base_balance"]) for b in balances],
                         [("dev", public, "1000000000000")])
        self.assert_stopped_cleanly(net, temporary=False)
        # A restart finds the key again instead of creating a second one.
        again = Devnet(self, "--data-dir", data, dev_key=True).start().wait_ready()
        self.assertEqual(self.check_dev_key(again, os.path.join(data, "wallet")), public)
        keys = json.loads(subprocess.run([wallet, "--wallet-dir", os.path.join(data, "wallet"), "--json", "key", "list"],
                                         capture_output=True, text=True, check=True).stdout)["keys"]
        self.assertEqual([(k["name"], k["public_key"]) for k in keys], [("dev", public)])
        self.assert_stopped_cleanly(again, temporary=False)

def main():
    global DEVNET, BUILD_DIR
    args = sys.argv[1:]
    if len(args) < 2 or args[0].startswith("-"):
        print(__doc__, file=sys.stderr)
        return 2
    DEVNET, BUILD_DIR = os.path.abspath(args[0]), os.path.abspath(args[1])
    for name, sub in (("basechaind", "settlement"), ("sequencerd", "sequencer")):
        path = os.path.join(BUILD_DIR, sub, name)
        if not os.access(path, os.X_OK):
            print("missing %s at %s" % (name, path), file=sys.stderr)
            return 2
    prog = unittest.main(argv=[sys.argv[0]] + args[2:], exit=False, verbosity=2)
    return 0 if prog.result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
