#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The off-chain scaling stack developers
"""The command line every program shares (common/cli): the real binaries, run as a user runs them.

usage: /usr/bin/python3 tests/integration/test_cli.py NAME=PATH... [unittest args]
       (NAME: sequencerd, basechaind, rollup-derive, wallet, engine_bench, loadgen, settlement_bench)

--version prints "NAME VERSION (git COMMIT, BUILD_TYPE)" and exits 0; --help exits 0 with
no line over 80 columns; a usage error exits 2 with one line naming the flag (an unknown
flag with its near match, never reported as a required one missing). The daemons' config
file is TOML: a syntax error, an unknown key (with a suggestion), a wrong type and a
duplicate key are refused with FILE:LINE; a good file works and a flag still wins over it.
Both daemons' /metrics carry l2_build_info.
"""

import sys

sys.dont_write_bytecode = True
import json  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import unittest  # noqa: E402
import urllib.request  # noqa: E402

import l2client  # noqa: E402

PROGRAMS = {}
SCALE = float(os.environ.get("L2_TEST_TIMEOUT_SCALE", "1"))
VERSION_RE = re.compile(r"^(?P<name>[\w-]+) (?P<version>\d+\.\d+\.\d+) \(git (?P<commit>[0-9a-f]{4,40}|unknown), "
                        r"(?P<build_type>\w+)\)\n$")
BUILD_INFO_RE = re.compile(r'^l2_build_info\{version="(?P<version>[^"]+)",commit="(?P<commit>[^"]+)",'
                           r'build_type="(?P<build_type>[^"]+)"\} 1$', re.M)


def run(name, *args, timeout=30):
    return subprocess.run([PROGRAMS[name], *args], capture_output=True, text=True, timeout=timeout * SCALE,
                          stdin=subprocess.DEVNULL)


class Daemon:
    """A daemon on an ephemeral port of loopback, stopped with SIGTERM."""

    def __init__(self, name, tmp, args):
        self.port_file = os.path.join(tmp, name + ".port")
        self.proc = subprocess.Popen([PROGRAMS[name], *args, "--port", "0", "--port-file", self.port_file],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                     text=True)
        deadline = time.monotonic() + 20 * SCALE
        while not os.path.exists(self.port_file):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                if self.proc.poll() is None:
                    self.proc.kill()
                err = self.proc.communicate(timeout=20 * SCALE)[1]
                raise AssertionError("%s did not start: %s" % (name, err))
            time.sleep(0.02)
        with open(self.port_file) as f:
            self.url = "http://" + f.read().strip()

    def get(self, path):
        with urllib.request.urlopen(self.url + path, timeout=10 * SCALE) as r:
            return r.read().decode()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        self.proc.communicate(timeout=20 * SCALE)


class TmpCase(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="l2-cli-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def write(self, name, text):
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def daemon(self, name, *args):
        d = Daemon(name, self.tmp, args)
        self.addCleanup(d.stop)
        return d


class VersionAndHelp(unittest.TestCase):
    def test_version_of_every_program(self):
        versions = set()
        for name in PROGRAMS:
            with self.subTest(program=name):
                p = run(name, "--version")
                self.assertEqual(p.returncode, 0, p.stderr)
                m = VERSION_RE.match(p.stdout)
                self.assertIsNotNone(m, p.stdout)
                self.assertEqual(m["name"], name)
                # (The commit may differ: a program not relinked since the last configure has the old one.)
                versions.add((m["version"], m["build_type"]))
        self.assertEqual(len(versions), 1, versions)

    def test_version_wins_over_a_missing_required_flag(self):
        p = run("sequencerd", "--version", "--chain-id", "1")
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_help_exits_0_and_fits_80_columns(self):
        for name in PROGRAMS:
            with self.subTest(program=name):
                p = run(name, "--help")
                self.assertEqual(p.returncode, 0, p.stderr)
                self.assertIn("Usage: " + name, p.stdout)
                wide = [line for line in p.stdout.splitlines() if len(line) > 80]
                self.assertEqual(wide, [])

    def test_wallet_command_help_fits_80_columns(self):
        if "wallet" not in PROGRAMS:
            self.skipTest("no wallet")
        for command in ("key", "transfer", "withdraw", "claim"):
            p = run("wallet", command, "--help")
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual([line for line in p.stdout.splitlines() if len(line) > 80], [], command)

    def test_help_is_grouped(self):
        groups = {
            "sequencerd": ["Node:", "HTTP server:", "Mempool and batches:", "Base chain (settlement):"],
            "basechaind": ["Chain:", "HTTP server:"],
            "rollup-derive": ["Derivation:", "Base chain:", "Output:"],
        }
        for name, expected in groups.items():
            out = run(name, "--help").stdout
            for g in expected:
                self.assertIn("\n" + g + "\n", out, name)


class UsageErrors(unittest.TestCase):
    def assert_usage_error(self, p, *needles):
        self.assertEqual(p.returncode, 2, p.stderr)
        lines = p.stderr.splitlines()
        self.assertTrue(lines, "no message")
        self.assertRegex(lines[0], r"^[\w-]+: error: ")
        for n in needles:
            self.assertIn(n, lines[0])
        return lines[0]

    def test_unknown_flag_is_named_with_its_near_match(self):
        cases = [
            ("sequencerd", ["--data-dri", "/tmp/x", "--chain-id", "1"], "--data-dri", "--data-dir"),
            ("basechaind", ["--data-dri", "/tmp/x"], "--data-dri", "--data-dir"),
            ("rollup-derive", ["--base-chain", "http://127.0.0.1:1", "--rolup-id", "1"], "--rolup-id",
             "--rollup-id"),
            ("wallet", ["--jsno", "status"], "--jsno", "--json"),
            ("engine_bench", ["--acounts=3"], "--acounts", "--accounts"),
        ]
        for name, args, bad, near in cases:
            if name not in PROGRAMS:
                continue
            with self.subTest(program=name):
                line = self.assert_usage_error(run(name, *args), "unknown option " + bad,
                                               "did you mean " + near + "?")
                self.assertNotIn("required", line)

    def test_far_unknown_flag_has_no_suggestion(self):
        line = self.assert_usage_error(run("sequencerd", "--frobnicate", "--data-dir", "x", "--chain-id", "1"),
                                       "unknown option --frobnicate")
        self.assertNotIn("did you mean", line)

    def test_missing_required_missing_value_and_bad_value(self):
        self.assert_usage_error(run("sequencerd", "--chain-id", "1"), "--data-dir is required")
        self.assert_usage_error(run("basechaind", "--data-dir"), "--data-dir")
        self.assert_usage_error(run("sequencerd", "--data-dir", "x", "--chain-id", "1", "--port", "abc"), "--port")
        self.assert_usage_error(run("basechaind", "--data-dir", "x", "--io-threads", "0"), "--io-threads")
        self.assert_usage_error(run("rollup-derive", "--base-chain", "http://127.0.0.1:1"), "--rollup-id")

    def test_rollup_derive_old_tls_spellings_still_work(self):
        p = run("rollup-derive", "--base-chain", "http://127.0.0.1:1", "--rollup-id", "1", "--insecure", "--quiet")
        self.assertEqual(p.returncode, 2, p.stderr)  # the chain is not there: a connection error
        self.assertIn("--insecure is deprecated; use --settlement.insecure-tls", p.stderr)
        p = run("rollup-derive", "--base-chain", "http://127.0.0.1:1", "--rollup-id", "1",
                "--settlement.insecure-tls", "--quiet")
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertNotIn("deprecated", p.stderr)
        self.assertNotIn("unknown option", p.stderr)


class ConfigFile(TmpCase):
    def refused(self, name, text, *needles):
        path = self.write("bad.toml", text)
        p = run(name, "--config", path)
        self.assertEqual(p.returncode, 2, p.stderr)
        line = p.stderr.splitlines()[0]
        for n in needles:
            self.assertIn(n.replace("FILE", path), line)
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "data")), "started anyway")
        return line

    def test_syntax_error(self):
        # An unquoted string was accepted by CLI11's INI reader.
        self.refused("sequencerd", 'chain_id = 1\ndata_dir = %s/data\n' % self.tmp, "FILE:2:", "not valid TOML")

    def test_ini_is_refused(self):
        self.refused("basechaind", "; an INI comment\ndata_dir=%s/data\n" % self.tmp, "FILE:1:", "not valid TOML")

    def test_unknown_key_with_suggestion(self):
        line = self.refused("sequencerd", 'data_dir = "%s/data"\nchain_id = 1\n\n[mempool]\nmax_aheed = 3\n' % self.tmp,
                            "FILE:5: unknown key 'mempool.max_aheed'; did you mean 'mempool.max_ahead'?")
        self.assertNotIn("INI", line)
        self.refused("basechaind", 'data-dir = "%s/data"\nhttp.read-timeout = 3\n' % self.tmp,
                     "FILE:2: unknown key 'http.read-timeout'; did you mean 'http.read-timeout-ms'?")

    def test_wrong_type(self):
        self.refused("sequencerd", 'data_dir = "%s/data"\nchain_id = 1\ndev = "yes"\n' % self.tmp,
                     "FILE:3:", "'dev'", "boolean")
        self.refused("sequencerd", 'data_dir = "%s/data"\nchain_id = "1"\n' % self.tmp, "FILE:2:", "'chain_id'",
                     "integer")
        self.refused("basechaind", 'data_dir = 5\n', "FILE:1:", "'data_dir'", "string")

    def test_top_level_key_inside_a_table(self):
        self.refused("sequencerd", 'data_dir = "%s/data"\n[mempool]\nmax_txs = 5\nchain_id = 1\n' % self.tmp,
                     "FILE:4: unknown key 'mempool.chain_id'; 'chain_id' is a key of its own")

    def test_value_out_of_range_names_the_line(self):
        self.refused("basechaind", 'data_dir = "%s/data"\n[http]\nread_timeout_ms = 0\n' % self.tmp, "FILE:3:",
                     "'http.read_timeout_ms'")

    def test_duplicate_key(self):
        self.refused("sequencerd", 'data_dir = "%s/data"\nchain_id = 1\nchain_id = 2\n' % self.tmp, "FILE:3:")
        # The same key in two spellings ('_' and '-' are one).
        self.refused("sequencerd", 'data_dir = "%s/data"\nchain_id = 1\nchain-id = 2\n' % self.tmp, "FILE:3:",
                     "set twice (also on line 2)")

    def test_good_config_and_a_flag_wins(self):
        path = self.write("seq.toml", 'data_dir = "%s/data"\nchain_id = 7\ndev = true\nbatch.max_delay_ms = 20\n\n'
                          '[mempool]\nmax_ahead = 8\n' % self.tmp)
        seq = self.daemon("sequencerd", "--config", path, "--chain-id", "9")
        status = json.loads(seq.get("/v1/status"))
        self.assertEqual(status["chain_id"], "9")  # the flag, not the file's 7
        self.assertTrue(status["dev"])  # the file's

        path = self.write("chain.toml", 'data-dir = "%s/chain"\nchain_id = 5\nautomine = true\n[http]\n'
                          'read_timeout_ms = 5000\n' % self.tmp)
        chain = self.daemon("basechaind", "--config", path, "--chain-id", "6")
        self.assertEqual(json.loads(chain.get("/health"))["chain_id"], 6)


class BuildInfoMetric(TmpCase):
    def test_both_daemons(self):
        seq = self.daemon("sequencerd", "--data-dir", os.path.join(self.tmp, "seq"), "--chain-id", "1")
        chain = self.daemon("basechaind", "--data-dir", os.path.join(self.tmp, "chain"))
        daemons = [("sequencerd", seq), ("basechaind", chain)]
        if "challenger" in PROGRAMS:
            daemons.append(("challenger", self.daemon("challenger", "--data-dir", os.path.join(self.tmp, "ch"),
                                                      "--rollup-id", "1", "--base-chain", "http://127.0.0.1:9")))
        for name, d in daemons:
            version = VERSION_RE.match(run(name, "--version").stdout)
            text = d.get("/metrics")
            m = BUILD_INFO_RE.search(text)
            self.assertIsNotNone(m, text)
            self.assertEqual((m["version"], m["commit"], m["build_type"]),
                             (version["version"], version["commit"], version["build_type"]))
            self.assertIn("# TYPE l2_build_info gauge\nl2_build_info{", text)
            samples, types = l2client.parse_prometheus(text)  # the whole page stays valid
            self.assertEqual(types["l2_build_info"], "gauge")
            self.assertEqual([v for n, _, v in samples if n == "l2_build_info"], [1.0])
            self.assertEqual(text.count("# TYPE l2_build_info "), 1)


class StandardTools(TmpCase):
    """Debian's tools against both daemons: `promtool check metrics` (the prometheus
    package) accepts every /metrics page, and `wrk` keeps keep-alive connections busy for
    a few bounded seconds with no error and no non-2xx answer."""

    def daemons(self):
        chain = self.daemon("basechaind", "--data-dir", os.path.join(self.tmp, "chain"), "--dev", "--automine")
        seq = self.daemon("sequencerd", "--data-dir", os.path.join(self.tmp, "seq"), "--chain-id", "7",
                          "--base-chain", chain.url, "--settlement.poll-ms", "50")
        deadline = time.monotonic() + 20 * SCALE
        while "l2_settlement_base_chain_up 1" not in seq.get("/metrics"):  # the settlement metrics too
            self.assertLess(time.monotonic(), deadline, "the sequencer never reached the base chain")
            time.sleep(0.05)
        daemons = [("sequencerd", seq), ("basechaind", chain)]
        if "challenger" in PROGRAMS:  # its /health and /metrics, following the sequencer's rollup
            ch = self.daemon("challenger", "--data-dir", os.path.join(self.tmp, "ch"), "--rollup-id", "7",
                             "--base-chain", chain.url, "--poll-ms", "50")
            while "l2_challenger_base_chain_reachable 1" not in ch.get("/metrics"):
                self.assertLess(time.monotonic(), deadline, "the challenger never reached the base chain")
                time.sleep(0.05)
            daemons.append(("challenger", ch))
        return daemons

    def test_promtool_check_metrics(self):
        promtool = shutil.which("promtool")
        self.assertIsNotNone(promtool, "promtool missing: scripts/setup installs the prometheus package")
        for name, d in self.daemons():
            text = d.get("/metrics")
            p = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True, text=True,
                               timeout=30 * SCALE)
            self.assertEqual(p.returncode, 0, "%s /metrics: %s%s" % (name, p.stdout, p.stderr))
            self.assertEqual((p.stdout + p.stderr).strip(), "", "%s: promtool's lint findings" % name)

    def test_wrk_keep_alive_without_errors(self):
        wrk = shutil.which("wrk")
        self.assertIsNotNone(wrk, "wrk missing: scripts/setup installs it")
        for name, d in self.daemons():
            for path in ("/health", "/metrics"):
                p = subprocess.run([wrk, "-t1", "-c4", "-d2s", "--timeout", "5s", d.url + path],
                                   capture_output=True, text=True, timeout=60 * SCALE)
                self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
                m = re.search(r"(\d+) requests in", p.stdout)
                self.assertIsNotNone(m, p.stdout)
                self.assertGreater(int(m.group(1)), 10, "%s %s: %s" % (name, path, p.stdout))
                self.assertNotIn("Socket errors", p.stdout, "%s %s: %s" % (name, path, p.stdout))
                self.assertNotIn("Non-2xx", p.stdout, "%s %s: %s" % (name, path, p.stdout))


class Cors(TmpCase):
    """--http.cors-origin: an allowed origin's requests get Access-Control-Allow-Origin, its
    preflight a 204 from the server; any other origin, and a daemon without the flag, are
    served as without CORS."""

    def request(self, d, method, path, headers, body=None):
        import http.client
        host, port = d.url[len("http://"):].rsplit(":", 1)
        c = http.client.HTTPConnection(host, int(port), timeout=10 * SCALE)
        c.request(method, path, body=body, headers=headers)
        r = c.getresponse()
        data = r.read()
        c.close()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, data

    def test_both_daemons(self):
        app, evil = "https://app.example", "https://evil.example"
        seq = self.daemon("sequencerd", "--data-dir", os.path.join(self.tmp, "seq"), "--chain-id", "1",
                          "--http.cors-origin", app, "--http.cors-origin", "http://localhost:3000")
        chain = self.daemon("basechaind", "--data-dir", os.path.join(self.tmp, "chain"), "--http.cors-origin", app)
        plain_dir = os.path.join(self.tmp, "plain")  # its own port file
        os.makedirs(plain_dir)
        plain = Daemon("sequencerd", plain_dir, ["--data-dir", os.path.join(plain_dir, "data"), "--chain-id", "1"])
        self.addCleanup(plain.stop)
        rpc = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "chain_getChainId"})
        for d, method, path, body in ((seq, "GET", "/v1/status", None), (seq, "GET", "/health", None),
                                      (chain, "POST", "/", rpc)):
            status, h, _ = self.request(d, method, path, {"Origin": app, "Content-Type": "application/json"}, body)
            self.assertEqual(status, 200)
            self.assertEqual(h.get("access-control-allow-origin"), app)
            self.assertEqual(h.get("vary"), "Origin")
            status, h, _ = self.request(d, method, path, {"Origin": evil, "Content-Type": "application/json"}, body)
            self.assertEqual(status, 200)
            self.assertNotIn("access-control-allow-origin", h)
            # the preflight a browser sends before a POST with a JSON body
            pre = {"Origin": app, "Access-Control-Request-Method": "POST",
                   "Access-Control-Request-Headers": "content-type"}
            status, h, data = self.request(d, "OPTIONS", path, pre)
            self.assertEqual(status, 204)
            self.assertEqual(data, b"")
            self.assertEqual(h.get("access-control-allow-origin"), app)
            self.assertIn("POST", h.get("access-control-allow-methods", ""))
            self.assertIn("Content-Type", h.get("access-control-allow-headers", ""))
            status, h, _ = self.request(d, "OPTIONS", path, dict(pre, Origin=evil))
            self.assertEqual(status, 405, "a preflight from another origin is not answered as one")
            self.assertNotIn("access-control-allow-origin", h)
        status, h, _ = self.request(plain, "GET", "/health", {"Origin": app})
        self.assertEqual(status, 200)
        self.assertNotIn("access-control-allow-origin", h, "CORS is opt-in")
        status, h, _ = self.request(plain, "OPTIONS", "/health", {"Origin": app, "Access-Control-Request-Method": "GET"})
        self.assertEqual(status, 405)


def main():
    args = sys.argv[1:]
    while args and "=" in args[0] and not args[0].startswith("-"):
        name, path = args.pop(0).split("=", 1)
        PROGRAMS[name] = os.path.abspath(path)
    missing = {"sequencerd", "basechaind", "rollup-derive"} - PROGRAMS.keys()
    if missing:
        print("usage: test_cli.py NAME=PATH... [unittest args]; missing " + ", ".join(sorted(missing)),
              file=sys.stderr)
        return 2
    prog = unittest.main(argv=[sys.argv[0]] + args, exit=False, verbosity=2)
    return 0 if prog.result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
