# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The off-chain scaling stack developers
"""A small independent client of sequencerd, written from docs/api.md and docs/encoding.md.

- Encoding: the independent PyNaCl implementation of docs/encoding.md in
  tests/vectors/check_vectors.py (preimage, signature, tx hash, wire form, leaves,
  Merkle proofs), plus JSON tx objects as docs/api.md shows them.
- HTTP: http.client over loopback (one connection per call unless a Connection is kept).
- Process: SequencerProcess starts the real binary on an ephemeral port in a temporary
  data dir, reads its "listening on 127.0.0.1:PORT" line, and always kills it.

Standard library and PyNaCl only; run with Debian's /usr/bin/python3.
"""

import http.client
import json
import os
import re
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import unittest

import nacl.signing

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "vectors"))
import check_vectors as enc  # noqa: E402  (the independent encoding implementation)

CHAIN_ID = 7

# docs/api.md, binary receipts: encoding.md's statuses 0-7 plus the ingest-only ones.
BINARY_STATUS = {
    0: "applied", 1: "bad_signature", 2: "unknown_account", 3: "bad_nonce", 4: "insufficient_balance",
    5: "overflow", 6: "self_transfer", 7: "zero_amount",
    100: "wrong_chain", 101: "nonce_too_low", 102: "nonce_too_high", 103: "duplicate", 104: "nonce_in_use",
    105: "mempool_full", 106: "dropped", 107: "unknown_account", 255: "pending",
}

INGEST_ONLY_STATUSES = {"wrong_chain", "nonce_too_low", "nonce_too_high", "duplicate", "nonce_in_use",
                        "mempool_full"}


# ---------------------------------------------------------------- keys and txs


TIMEOUT_SCALE = float(os.environ.get("L2_TEST_TIMEOUT_SCALE", "1"))


class TestTimeout(Exception):
    """A test ran past its TimedTestCase limit."""


class TimedTestCase(unittest.TestCase):
    """A test case with a wall-clock limit per test: timeout_s seconds, times
    L2_TEST_TIMEOUT_SCALE (sanitized daemons are slower), enforced with SIGALRM."""

    timeout_s = 60

    def run(self, result=None):
        limit = max(1, int(self.timeout_s * TIMEOUT_SCALE))

        def on_alarm(signum, frame):
            raise TestTimeout("%s exceeded its time limit of %d s" % (self.id(), limit))

        old = signal.signal(signal.SIGALRM, on_alarm)
        signal.alarm(limit)
        try:
            return super().run(result)
        finally:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, old)


class Key:
    """An Ed25519 key from a 32-byte seed derived from a label."""

    def __init__(self, label):
        self.seed = enc.blake2b256(b"l2stack/integration/" + label.encode())
        self.signing = nacl.signing.SigningKey(self.seed)
        self.public = bytes(self.signing.verify_key)

    @property
    def public_hex(self):
        return self.public.hex()


class Tx:
    """One signed transfer or withdrawal: its API JSON object, tx hash and wire form."""

    def __init__(self, fields, signature, chain_id):
        self.fields = fields  # the encoding's fields: type, from, (to), amount, fee, nonce (ints)
        self.signature = signature
        self.chain_id = chain_id

    @property
    def preimage(self):
        return enc.signing_preimage(self.chain_id, self._enc_fields())

    @property
    def hash(self):
        return enc.tx_hash(self.preimage, self.signature).hex()

    @property
    def wire(self):
        return enc.wire_form(self._enc_fields(), self.signature)

    def json(self):
        out = {"type": self.fields["type"], "chain_id": str(self.chain_id), "from": self.fields["from"]}
        if self.fields["type"] == "transfer":
            out["to"] = self.fields["to"]
        for k in ("amount", "fee", "nonce"):
            out[k] = str(self.fields[k])
        out["signature"] = self.signature.hex()
        return out

    def _enc_fields(self):
        return {k: (str(v) if k in ("amount", "fee", "nonce") else v) for k, v in self.fields.items()}

    def with_corrupt_signature(self):
        sig = bytearray(self.signature)
        sig[10] ^= 0x01
        return Tx(dict(self.fields), bytes(sig), self.chain_id)


def sign_tx(key, fields, chain_id=CHAIN_ID):
    tx = Tx(dict(fields), b"\x00" * 64, chain_id)
    tx.signature = enc.sign(key.seed, tx.preimage)
    return tx


def transfer(key, frm, to, amount, nonce, fee=1, chain_id=CHAIN_ID):
    return sign_tx(key, {"type": "transfer", "from": frm, "to": to, "amount": amount, "fee": fee,
                         "nonce": nonce}, chain_id)


def withdraw(key, frm, amount, nonce, fee=1, chain_id=CHAIN_ID):
    return sign_tx(key, {"type": "withdraw", "from": frm, "amount": amount, "fee": fee, "nonce": nonce},
                   chain_id)


def binary_batch(txs, chain_id=CHAIN_ID):
    """docs/api.md: chain_id u64le || count varint || tx wire form*."""
    return enc.u64le(chain_id) + enc.varint(len(txs)) + b"".join(tx.wire for tx in txs)


def decode_binary_receipts(data):
    """docs/api.md: count varint || (hash[32] || status u8 || batch u64le || index u32le)*."""
    r = enc.Reader(data)
    out = []
    for _ in range(r.varint()):
        h = r.take(32).hex()
        status = r.u8()
        batch = r.u64le()
        index = r.u32le()
        if status not in BINARY_STATUS:
            raise ValueError("unknown binary receipt status %d" % status)
        out.append({"hash": h, "status": BINARY_STATUS[status], "status_code": status, "batch": batch,
                    "index": index})
    r.expect_end()
    return out


# ---------------------------------------------------------------- leaves and proofs


def decode_leaf(leaf):
    if len(leaf) != 56:
        raise ValueError("leaf is %d bytes, not 56" % len(leaf))
    balance, nonce, withdrawn = struct.unpack("<QQQ", leaf[32:])
    return {"public_key": leaf[:32].hex(), "balance": balance, "nonce": nonce, "withdrawn": withdrawn}


def proof_root(index, leaf_hash, proof_bytes):
    """Decodes a MerkleProof encoding strictly and returns (index, siblings, root for leaf_hash)."""
    proof_index, siblings = enc.decode_all(enc.read_proof, proof_bytes)
    return proof_index, siblings, enc.root_from_proof(index, leaf_hash, siblings)


# ---------------------------------------------------------------- HTTP


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # lower-case name -> value
        self.body = body

    def json(self):
        return json.loads(self.body.decode("utf-8"))

    def error_code(self):
        try:
            return self.json()["error"]["code"]
        except (ValueError, KeyError, TypeError):
            return None

    def __repr__(self):
        return "<HTTP %d %r>" % (self.status, self.body[:300])


class Connection:
    """One keep-alive HTTP/1.1 connection."""

    def __init__(self, port, timeout=30.0):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)

    def request(self, method, path, body=None, headers=None):
        h = dict(headers or {})
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
            h.setdefault("Content-Type", "application/json")
        elif isinstance(body, str):
            body = body.encode()
        self.conn.request(method, path, body=body, headers=h)
        r = self.conn.getresponse()
        data = r.read()
        return Response(r.status, {k.lower(): v for k, v in r.getheaders()}, data)

    def close(self):
        self.conn.close()


class Client:
    """Opens a fresh connection per call (simple and independent of server keep-alive)."""

    def __init__(self, port, timeout=30.0):
        self.port = port
        self.timeout = timeout

    def request(self, method, path, body=None, headers=None, timeout=None):
        c = Connection(self.port, timeout or self.timeout)
        try:
            return c.request(method, path, body, headers)
        finally:
            c.close()

    def get(self, path):
        return self.request("GET", path)

    def get_json(self, path):
        r = self.get(path)
        if r.status != 200:
            raise AssertionError("GET %s: %r" % (path, r))
        return r.json()

    def post_json(self, path, obj, timeout=None):
        return self.request("POST", path, obj, {"Content-Type": "application/json"}, timeout)

    def post_binary(self, path, data, accept_binary=False, timeout=None):
        h = {"Content-Type": "application/octet-stream"}
        if accept_binary:
            h["Accept"] = "application/octet-stream"
        return self.request("POST", path, data, h, timeout)

    # Conveniences over the documented endpoints.
    def status(self):
        return self.get_json("/v1/status")

    def account(self, ref):
        return self.get_json("/v1/accounts/%s" % ref)

    def deposit(self, keys, amounts):
        """POST /v1/dev/deposit with an array; returns the credited account indices, in order."""
        body = [{"public_key": k.public_hex, "amount": str(a)} for k, a in zip(keys, amounts)]
        r = self.post_json("/v1/dev/deposit", body)
        if r.status != 200:
            raise AssertionError("dev deposit: %r" % r)
        receipts = r.json()["receipts"]
        if len(receipts) != len(keys) or any(rc["status"] != "applied" for rc in receipts):
            raise AssertionError("dev deposit receipts: %r" % receipts)
        return [rc["account"] for rc in receipts]

    def submit(self, tx, wait=True, timeout=None):
        path = "/v1/transactions" + ("?wait=true" if wait else "")
        return self.post_json(path, tx.json(), timeout)

    def wait_applied(self, tx_hash, deadline_s=20.0):
        """Polls GET /v1/transactions/{hash} until its status is no longer pending."""
        end = time.monotonic() + deadline_s
        while True:
            r = self.get("/v1/transactions/" + tx_hash)
            if r.status == 200 and r.json()["status"] != "pending":
                return r.json()
            if time.monotonic() > end:
                raise AssertionError("tx %s still not final: %r" % (tx_hash, r))
            time.sleep(0.02)


# ---------------------------------------------------------------- Prometheus text format

_SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?$")
_LABEL = re.compile(r'\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*(,|$)')


def parse_prometheus(text):
    """Returns (samples, types): samples = [(name, {label: value}, float)], types = {name: type}.
    Raises ValueError on any line that is not valid text exposition format."""
    samples, types = [], {}
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        if line.startswith("#"):
            parts = line.split(None, 3)
            if len(parts) >= 3 and parts[1] == "TYPE":
                if len(parts) != 4 or parts[3] not in ("counter", "gauge", "histogram", "summary", "untyped"):
                    raise ValueError("line %d: bad TYPE line %r" % (n, line))
                types[parts[2]] = parts[3]
            continue
        m = _SAMPLE.match(line)
        if not m:
            raise ValueError("line %d: not a sample: %r" % (n, line))
        labels = {}
        rest = m.group(2) or ""
        pos = 0
        while pos < len(rest):
            lm = _LABEL.match(rest, pos)
            if not lm or lm.end() == pos:
                raise ValueError("line %d: bad labels %r" % (n, rest))
            labels[lm.group(1)] = lm.group(2)
            pos = lm.end()
        try:
            value = float(m.group(3))
        except ValueError:
            raise ValueError("line %d: bad value %r" % (n, m.group(3)))
        samples.append((m.group(1), labels, value))
    return samples, types


def metric_sum(samples, name, **labels):
    return sum(v for n, ls, v in samples if n == name and all(ls.get(k) == w for k, w in labels.items()))


# ---------------------------------------------------------------- the server process

_LISTENING = re.compile(r"listening on 127\.0\.0\.1:(\d+)")
_SANITIZER = re.compile(r"ERROR: (Address|Leak|Memory)Sanitizer|WARNING: ThreadSanitizer|runtime error: ")
_live_processes = set()


def _kill_leftovers():
    for p in list(_live_processes):
        if p.poll() is None:
            p.kill()
            p.wait()


def _on_signal(signum, frame):
    _kill_leftovers()
    sys.exit(128 + signum)


import atexit  # noqa: E402

atexit.register(_kill_leftovers)
signal.signal(signal.SIGTERM, _on_signal)  # CTest kills on TIMEOUT: take the servers along
signal.signal(signal.SIGHUP, _on_signal)


class SequencerProcess:
    """The real sequencerd: `--port 0 --data-dir DIR --chain-id 7 [--dev] EXTRA...`.

    Its stdout and stderr are merged, copied to DIR/../server-N.log, and scanned for the
    "listening on 127.0.0.1:PORT" line."""

    counter = 0

    def __init__(self, binary, data_dir, log_dir, dev=True, extra_args=()):
        self.binary = binary
        self.data_dir = data_dir
        self.log_dir = log_dir
        self.dev = dev
        self.extra_args = list(extra_args)
        self.proc = None
        self.pump = None
        self.port = None
        self.log_path = None
        self.lines = []  # output of the current run
        self.sanitizer_reports = []  # sanitizer lines of every run so far

    def args(self):
        a = [self.binary, "--port", "0", "--data-dir", self.data_dir, "--chain-id", str(CHAIN_ID)]
        if self.dev:
            a.append("--dev")
        return a + self.extra_args

    def start(self, timeout=60.0, until=None):
        """Starts it and waits for the "listening on" line, or (`until`: a regex) for the
        first line that matches, which must come within `timeout` either way."""
        SequencerProcess.counter += 1
        pattern = re.compile(until) if until else None
        matched = threading.Event()
        self.log_path = os.path.join(self.log_dir, "server-%d.log" % SequencerProcess.counter)
        self.lines = []
        self.port = None
        found = threading.Event()
        self.proc = subprocess.Popen(self.args(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        _live_processes.add(self.proc)
        proc = self.proc
        log = open(self.log_path, "wb")

        def pump():
            with log:
                for raw in iter(proc.stdout.readline, b""):
                    log.write(raw)
                    log.flush()
                    line = raw.decode("utf-8", "replace").rstrip("\n")
                    self.lines.append(line)
                    if _SANITIZER.search(line):
                        self.sanitizer_reports.append(line)
                    m = _LISTENING.search(line)
                    if m and self.port is None:
                        self.port = int(m.group(1))
                        if pattern is None:
                            found.set()
                    if pattern is not None and not matched.is_set() and pattern.search(line):
                        matched.set()
                        found.set()
            found.set()

        self.pump = threading.Thread(target=pump, daemon=True)
        self.pump.start()
        found.wait(timeout)
        if pattern is not None:
            if not matched.is_set():
                self.kill()
                raise RuntimeError("sequencerd printed no line matching %r within %.0f s; args %r; output:\n%s"
                                   % (until, timeout, self.args(), self.output_tail()))
            return self
        if self.port is None:
            self.kill()
            raise RuntimeError("sequencerd did not print 'listening on 127.0.0.1:PORT' within %.0f s; "
                               "args %r; output:\n%s" % (timeout, self.args(), self.output_tail()))
        return self

    def client(self, timeout=30.0):
        return Client(self.port, timeout)

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def terminate(self, timeout=30.0):
        """SIGTERM and wait; returns the exit code (the process is killed if it hangs)."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError("sequencerd did not exit within %.0f s of SIGTERM" % timeout)
        self._reaped()
        return rc

    def shutdown_checked(self, timeout=30.0):
        """The end of every test's server: SIGTERM must end it with exit code 0, and no run
        of it may have printed a sanitizer report."""
        rc = 0
        if self.running():
            rc = self.terminate(timeout)
        else:
            self.kill()
        problems = []
        if rc != 0:
            problems.append("exit code %r after SIGTERM" % rc)
        if self.sanitizer_reports:
            problems.append("sanitizer reports: %r" % self.sanitizer_reports[:5])
        if problems:
            raise AssertionError("sequencerd: %s; output:\n%s" % ("; ".join(problems), self.output_tail(60)))

    def kill(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self._reaped()

    def _reaped(self):
        _live_processes.discard(self.proc)
        self.pump.join(10)  # the output pipe ends with the process
        self.proc.stdout.close()

    def output_tail(self, n=40):
        return "\n".join(self.lines[-n:])


def wait_port_closed(port, timeout=10.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
        except OSError:
            return True
        time.sleep(0.05)
    return False
