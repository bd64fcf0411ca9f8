#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The off-chain scaling stack developers
"""docs/openrpc.json, the OpenRPC 1.2.6 description of basechaind's JSON-RPC API, against the
document rules, the source's method table and the real server.

usage: /usr/bin/python3 tests/integration/test_openrpc.py BASECHAIND [unittest args]
       (or BASECHAIND=PATH/TO/basechaind /usr/bin/python3 tests/integration/test_openrpc.py)

- The document: the OpenRPC required fields, unique method names, param names and error
  codes, paramStructure by-name, every $ref resolves, every schema is valid Draft 7, the
  examples match their schemas.
- The source (settlement/basechain/*.cpp, read with regexes): the served method names equal
  the documented ones, each method's `RpcParams p(params, {...})` names equal its documented
  params (required: read with u64/fixed/amount/hex/list_limit; optional: opt_*/boolean), the
  dev-only flag equals the "dev" tag, and the refusal reasons of the code equal the -32004
  reasons documented (and include every reason docs/basechain.md lists).
- The server: a real `basechaind --dev --automine` on an ephemeral loopback port in a temp
  data dir; every documented method called for real (signed base txs built with PyNaCl as
  tests/integration/test_basechain.py does: transfers, a rollup, deposits, a forced tx, a
  commitment, a withdrawal); every result validated against its documented schema, every
  error against the method's documented errors (code, and error.data.reason for the
  application codes); for each method a missing, an unknown and a mistyped param; an
  undocumented method (and rpc.discover, which basechaind does not serve) is -32601; and
  without --dev, exactly the dev-tagged methods are -32601.

Needs python3-jsonschema, python3-nacl and python3-zstandard (Debian's /usr/bin/python3).
L2_TEST_TIMEOUT_SCALE (a float, default 1) scales every timeout.
"""

import sys

sys.dont_write_bytecode = True  # keep the source tree clean of __pycache__

import glob  # noqa: E402
import http.client  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import unittest  # noqa: E402

import jsonschema  # noqa: E402
import nacl.signing  # noqa: E402

import l2client as l2  # noqa: E402
from l2client import enc  # noqa: E402
from l2base import (BASE_TAG, challenge_body, claim_bond_body, commitment_bytes, deposit_body,  # noqa: E402
                    dispute_timeout_body, empty_payload, finalize_body, force_body, register_body, transfer_body)

BASECHAIND = os.environ.get("BASECHAIND", "")
TIMEOUT_SCALE = float(os.environ.get("L2_TEST_TIMEOUT_SCALE", "1"))
TEST_TIMEOUT_S = 60
CHAIN_ID = 31337
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DOC_PATH = os.path.join(ROOT, "docs", "openrpc.json")
SOURCE_DIR = os.path.join(ROOT, "settlement", "basechain")
RUN_SALT = os.urandom(8)
ROLLUP_TAG = b"L2STACK/TX/V1"

u8, u32le, u64le, blake2b256 = enc.u8, enc.u32le, enc.u64le, enc.blake2b256


def load_doc():
    with open(DOC_PATH) as f:
        return json.load(f)


def resolve(doc, pointer):
    """The value at a local JSON pointer ("#/components/..."), or KeyError."""
    if not pointer.startswith("#/"):
        raise KeyError(pointer)
    node = doc
    for part in pointer[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def deref(doc, node):
    while isinstance(node, dict) and "$ref" in node:
        node = resolve(doc, node["$ref"])
    return node


def all_refs(node, path="#"):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref" and isinstance(v, str):
                yield path, v
            else:
                yield from all_refs(v, path + "/" + k)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from all_refs(v, "%s/%d" % (path, i))


# ------------------------------------------------------------------ the source's method table

_ENTRY = re.compile(r'\{"([a-z]+_[A-Za-z]+)",\s*\{?\s*\[\]\(RpcCall&\s*\w*,\s*const json&\s*\w*\)\s*\{')
_ALLOWED = re.compile(r"RpcParams\s+p\(params,\s*\{([^}]*)\}\)")
_REQUIRED_READ = re.compile(r'p\.(?:u64|amount|hex|fixed<\w+>)\("(\w+)"\)')
_OPTIONAL_READ = re.compile(r'p\.(?:opt_u64|opt_string|boolean)\("(\w+)"')
_REFUSAL = re.compile(r'Refusal\s+k\w+\{\s*"(\w+)"\s*\}')


def lambda_body(text, open_brace):
    """The text of the braces that open at text[open_brace], and the index after them."""
    depth, i = 0, open_brace
    while i < len(text):
        c = text[i]
        if c == '"':
            i += 1
            while text[i] != '"':
                i += 2 if text[i] == "\\" else 1
        elif c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return text[open_brace:i + 1], i + 1
        i += 1
    raise ValueError("unbalanced braces")


def source_methods():
    """{name: {"allowed": [...], "required": set, "optional": set, "dev": bool}} from the sources."""
    out = {}
    for path in sorted(glob.glob(os.path.join(SOURCE_DIR, "*.cpp"))):
        with open(path) as f:
            text = f.read()
        for m in _ENTRY.finditer(text):
            body, end = lambda_body(text, m.end() - 1)
            allowed = _ALLOWED.search(body)
            assert allowed, "%s: %s declares no RpcParams" % (path, m.group(1))
            names = re.findall(r'"(\w+)"', allowed.group(1))
            required = set(_REQUIRED_READ.findall(body))
            if "list_limit(p," in body:
                required.add("limit")
            dev = re.match(r"\s*,\s*true\s*\}", text[end:]) is not None
            assert m.group(1) not in out, "method %s twice" % m.group(1)
            out[m.group(1)] = {"allowed": names, "required": required,
                               "optional": set(_OPTIONAL_READ.findall(body)), "dev": dev, "file": path}
    return out


def source_refusals():
    reasons = set()
    for path in glob.glob(os.path.join(SOURCE_DIR, "*.hpp")) + glob.glob(os.path.join(SOURCE_DIR, "*.cpp")):
        with open(path) as f:
            reasons |= set(_REFUSAL.findall(f.read()))
    return reasons


def doc_refusals_table():
    """The reasons of docs/basechain.md's "-32004 reasons" table."""
    with open(os.path.join(ROOT, "docs", "basechain.md")) as f:
        text = f.read()
    start = text.index("`-32004` reasons")
    table = text[start:text.index("\n\n", text.index("| reason |", start))]
    return set(re.findall(r"^\| `(\w+)` \|", table, re.M))


# ------------------------------------------------------------------ the process and the client


class RpcError(Exception):
    def __init__(self, error):
        super().__init__("%s: %s" % (error.get("code"), error.get("message")))
        self.error = error


class Chain:
    """basechaind in a temp data dir on an ephemeral port (--port 0 --port-file)."""

    def __init__(self, tmp, args):
        self.tmp = tmp
        self.args = list(args)
        self.proc = None
        self.port = None
        self.log = os.path.join(tmp, "basechaind.log")

    def start(self):
        port_file = os.path.join(self.tmp, "port")
        cmd = [BASECHAIND, "--data-dir", os.path.join(self.tmp, "data"), "--chain-id", str(CHAIN_ID),
               "--port", "0", "--port-file", port_file] + self.args
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=log)
        line = self.proc.stdout.readline().decode()
        if not line.startswith("listening on "):
            self.kill()
            with open(self.log, errors="replace") as f:
                raise AssertionError("basechaind did not start: %r\n%s" % (line, f.read()))
        self.port = int(line.split(":")[-1])

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=20 * TIMEOUT_SCALE)
        if self.proc and self.proc.stdout:
            self.proc.stdout.close()

    def post(self, body):
        """Raw POST /; (HTTP status, parsed JSON or None)."""
        if not isinstance(body, (bytes, str)):
            body = json.dumps(body)
        if isinstance(body, str):
            body = body.encode()
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30 * TIMEOUT_SCALE)
        try:
            c.request("POST", "/", body=body, headers={"Content-Type": "application/json"})
            r = c.getresponse()
            data = r.read()
            return r.status, (json.loads(data) if data else None)
        finally:
            c.close()

    def request(self, method, params=None):
        """The whole response object of one call with id 1."""
        req = {"jsonrpc": "2.0", "id": 1, "method": method}
        if params is not None:
            req["params"] = params
        status, r = self.post(req)
        assert status == 200 and r["jsonrpc"] == "2.0" and r["id"] == 1, (status, r)
        return r


class Key:
    _n = 0

    def __init__(self):
        Key._n += 1
        self.sk = nacl.signing.SigningKey(blake2b256(RUN_SALT + b"openrpc key %d" % Key._n))
        self.public = self.sk.verify_key.encode()
        self.hex = self.public.hex()


def base_tx(key, nonce, kind, body):
    """The wire form (hex) of a signed base tx (docs/encoding.md section 10)."""
    signed = key.public + u64le(nonce) + u8(kind) + body
    return (signed + key.sk.sign(BASE_TAG + u64le(CHAIN_ID) + signed).signature).hex()


def rollup_withdraw(key, rollup_id, frm, amount, fee, nonce):
    body = u32le(frm) + u64le(amount) + u64le(fee) + u64le(nonce)
    return u8(3) + body + key.sk.sign(ROLLUP_TAG + u64le(rollup_id) + u8(3) + body).signature


def leaf_bytes(public, balance, nonce, withdrawn):
    return public + u64le(balance) + u64le(nonce) + u64le(withdrawn)


def two_leaf_tree(leaf0, leaf1):
    """Root of the depth-32 sparse Merkle tree with leaves 0 and 1, and the encoded proof of leaf 1."""
    def node(left, right):
        return blake2b256(b"\x01" + left + right)

    empty = [bytes(32)]
    for _ in range(32):
        empty.append(node(empty[-1], empty[-1]))
    root = node(blake2b256(b"\x00" + leaf0), blake2b256(b"\x00" + leaf1))
    for h in range(1, 32):
        root = node(root, empty[h])
    return root, u32le(1) + u32le(1) + blake2b256(b"\x00" + leaf0)


def wrong_type_value(schema):
    """A JSON value whose type the schema does not take."""
    kinds = {schema.get("type")} if "type" in schema else {type(v).__name__ for v in schema.get("enum", [])}
    if "integer" in kinds:
        return "1"
    if "boolean" in kinds:
        return "yes"
    return 1


# ------------------------------------------------------------------ tests


class TimedTestCase(l2.TimedTestCase):
    timeout_s = TEST_TIMEOUT_S

    def setUp(self):
        self.doc = load_doc()
        self.methods = {m["name"]: m for m in self.doc["methods"]}

    def is_dev(self, method):
        return any(deref(self.doc, t)["name"] == "dev" for t in method.get("tags", []))


class Document(TimedTestCase):
    def test_required_fields_and_uniqueness(self):
        doc = self.doc
        self.assertEqual(doc["openrpc"], "1.2.6")
        self.assertTrue(doc["info"]["title"] and doc["info"]["version"])
        self.assertIsInstance(doc["methods"], list)
        self.assertEqual(len(self.methods), len(doc["methods"]), "method names must be unique")
        for key, comps in doc.get("components", {}).items():
            for name in comps:
                self.assertRegex(name, r"^[a-zA-Z0-9.\-_]+$", "components/%s key" % key)
        for name, m in self.methods.items():
            with self.subTest(method=name):
                self.assertEqual(m["paramStructure"], "by-name")
                self.assertTrue(m.get("description") and m.get("summary"))
                params = [deref(doc, p) for p in m["params"]]
                for p in params + [deref(doc, m["result"])]:
                    self.assertTrue(p["name"], p)
                    self.assertIn("schema", p)
                names = [p["name"] for p in params]
                self.assertEqual(len(names), len(set(names)), "param names must be unique")
                seen_optional = False
                for p in params:  # the spec: every required param before the optional ones
                    self.assertFalse(p.get("required", False) and seen_optional, p["name"])
                    seen_optional |= not p.get("required", False)
                errors = [deref(doc, e) for e in m.get("errors", [])]
                for e in errors:
                    self.assertIsInstance(e["code"], int)
                    self.assertIsInstance(e["message"], str)
                codes = [e["code"] for e in errors]
                self.assertEqual(len(codes), len(set(codes)), "a method's error codes must be unique")
                self.assertEqual(self.is_dev(m), name.startswith("dev_"))
                if self.is_dev(m):
                    self.assertIn("--dev", m["description"])
        codes = {e["code"] for e in doc["components"]["errors"].values()}
        self.assertTrue({-32700, -32600, -32601, -32602, -32603, -32001, -32002, -32003, -32004, -32005} <= codes)

    def test_examples_match_their_schemas(self):
        resolver = jsonschema.RefResolver.from_schema(self.doc)
        for name, m in self.methods.items():
            params = {p["name"]: p for p in map(lambda p: deref(self.doc, p), m["params"])}
            for ex in m.get("examples", []):
                with self.subTest(method=name, example=ex["name"]):
                    values = [(params[e["name"]]["schema"], e["value"]) for e in ex["params"]]
                    required = {n for n, p in params.items() if p.get("required")}
                    self.assertLessEqual(required, {e["name"] for e in ex["params"]})
                    values.append((deref(self.doc, m["result"])["schema"], ex["result"]["value"]))
                    for schema, value in values:
                        jsonschema.Draft7Validator(schema, resolver=resolver).validate(value)

    def test_every_ref_resolves(self):
        refs = list(all_refs(self.doc))
        self.assertTrue(refs)
        for path, ref in refs:
            with self.subTest(at=path):
                try:
                    resolve(self.doc, ref)
                except (KeyError, IndexError, ValueError):
                    self.fail("%s: $ref %s does not resolve" % (path, ref))

    def test_every_schema_is_valid_draft7(self):
        schemas = dict(("components/schemas/" + k, v) for k, v in self.doc["components"]["schemas"].items())
        for name, m in self.methods.items():
            for p in m["params"] + [m["result"]]:
                p = deref(self.doc, p)
                schemas["%s %s" % (name, p["name"])] = p["schema"]
        for where, schema in schemas.items():
            with self.subTest(schema=where):
                jsonschema.Draft7Validator.check_schema(schema)


class SourceTable(TimedTestCase):
    def test_methods_and_params_match_the_source(self):
        source = source_methods()
        self.assertEqual(set(self.methods), set(source), "documented methods != the methods the source serves")
        for name, s in source.items():
            with self.subTest(method=name):
                params = {p["name"]: p for p in map(lambda p: deref(self.doc, p), self.methods[name]["params"])}
                self.assertEqual(set(params), set(s["allowed"]), "params of %s" % name)
                self.assertEqual(s["required"] | s["optional"], set(s["allowed"]), "%s: every param read" % name)
                self.assertEqual({n for n, p in params.items() if p.get("required", False)}, s["required"])
                self.assertEqual(self.is_dev(self.methods[name]), s["dev"], "dev flag of %s" % name)

    def test_refusal_reasons_match_the_source_and_basechain_md(self):
        documented = set()
        for e in self.doc["components"]["errors"].values():
            if e["code"] == -32004:
                documented |= set(e["data"]["reason"])
        self.assertEqual(documented, source_refusals() | {"unavailable"})
        self.assertLessEqual(doc_refusals_table(), documented, "a reason of docs/basechain.md is not documented")


class Server(TimedTestCase):
    def new_chain(self, args):
        tmp = tempfile.mkdtemp(prefix="l2-openrpc-")
        self.addCleanup(shutil.rmtree, tmp, True)
        chain = Chain(tmp, args)
        self.addCleanup(chain.kill)
        chain.start()
        return chain

    def setUp(self):
        super().setUp()
        self.resolver = jsonschema.RefResolver.from_schema(self.doc)
        self.called = set()

    def check_result(self, method, result):
        schema = deref(self.doc, self.methods[method]["result"])["schema"]
        try:
            jsonschema.Draft7Validator(schema, resolver=self.resolver).validate(result)
        except jsonschema.ValidationError as e:
            self.fail("%s: the result does not match its schema: %s\n%r" % (method, e.message, result))
        self.called.add(method)

    def check_error(self, method, error):
        """The error is one the method documents: its code, and for -32000..-32099 its data.reason."""
        documented = [deref(self.doc, e) for e in self.methods[method].get("errors", [])]
        match = [e for e in documented if e["code"] == error["code"]]
        self.assertTrue(match, "%s: undocumented error %r" % (method, error))
        if -32099 <= error["code"] <= -32000:
            self.assertIn(error["data"]["reason"], match[0]["data"]["reason"], "%s: %r" % (method, error))
        if error["code"] == -32602 and "data" in error:
            self.assertIsInstance(error["data"]["field"], str)

    def call(self, chain, method, params=None):
        self.assertTrue(method in self.methods, "the test calls %s, which is not documented" % method)
        r = chain.request(method, params)
        if "error" in r:
            self.check_error(method, r["error"])
            raise RpcError(r["error"])
        self.check_result(method, r["result"])
        return r["result"]

    def refused(self, chain, method, params, code, reason=None, field=None):
        with self.assertRaises(RpcError) as e:
            self.call(chain, method, params)
        error = e.exception.error
        self.assertEqual(error["code"], code, error)
        if reason is not None:
            self.assertEqual(error["data"]["reason"], reason, error)
        if field is not None:
            self.assertEqual(error["data"]["field"], field, error)
        return error

    def test_every_method_against_the_document(self):
        chain = self.new_chain(["--dev", "--automine"])
        send = "chain_sendTransaction"
        self.assertEqual(self.call(chain, "chain_getChainId"), CHAIN_ID)
        head = self.call(chain, "chain_getHead")
        self.call(chain, "chain_getBlock", {"number": 0})
        self.assertIsNone(self.call(chain, "chain_getBlock", {"number": head["number"] + 1000}))
        seq, alice, operator, bob = Key(), Key(), Key(), Key()
        for k in (seq, alice):
            self.call(chain, "dev_fund", {"account": k.hex.upper(), "amount": "1000000"})
        self.refused(chain, "dev_fund", {"account": bob.hex, "amount": "0"}, -32004, "zero_amount")

        # Base txs: a transfer, then each refusal code.
        wire = base_tx(alice, 0, 1, transfer_body(bob.public, 10))
        sent = self.call(chain, send, {"tx": wire})
        tx = self.call(chain, "chain_getTransaction", {"hash": sent["hash"]})
        self.assertEqual((tx["kind_name"], tx["block"]), ("transfer", sent["block"]))
        self.assertIsNone(self.call(chain, "chain_getTransaction", {"hash": "ab" * 32}))
        self.assertEqual(self.call(chain, "chain_getAccount", {"account": bob.hex}), {"balance": "10", "nonce": 0})
        self.refused(chain, send, {"tx": wire}, -32002, "wrong_nonce")
        self.refused(chain, send, {"tx": wire[:-2] + "%02x" % (int(wire[-2:], 16) ^ 1)}, -32001,
                     "invalid_signature")
        self.refused(chain, send, {"tx": base_tx(bob, 0, 1, transfer_body(alice.public, 11))}, -32003,
                     "insufficient_funds")
        self.refused(chain, send, {"tx": "00"}, -32005, "malformed_tx")
        rollup = 500 + int.from_bytes(RUN_SALT[:2], "little")
        self.refused(chain, send, {"tx": base_tx(alice, 1, 3, deposit_body(rollup, alice.public, 5))}, -32004,
                     "unknown_rollup")

        # A rollup: register, deposit, force a tx, commit batch 1, finalize a withdrawal.
        self.assertIsNone(self.call(chain, "bridge_getRollup", {"rollup_id": rollup}))
        genesis = blake2b256(b"openrpc genesis")
        self.call(chain, send, {"tx": base_tx(seq, 0, 2, register_body(rollup, operator.public, genesis, 60, 3600))})
        self.call(chain, send, {"tx": base_tx(alice, 1, 3, deposit_body(rollup, alice.public, 500))})
        forced = rollup_withdraw(alice, rollup, 1, 10, 0, 0)
        self.call(chain, send, {"tx": base_tx(alice, 2, 4, force_body(rollup, forced))})
        leaf = leaf_bytes(alice.public, 300, 1, 200)
        root, proof = two_leaf_tree(leaf_bytes(operator.public, 0, 0, 0), leaf)
        body = commitment_bytes(rollup, 1, genesis, root, empty_payload(), deposits_upto=1)
        committed = self.call(chain, send, {"tx": base_tx(seq, 1, 5, body)})
        claim = finalize_body(rollup, 1, leaf, proof)
        self.refused(chain, send, {"tx": base_tx(alice, 3, 6, claim)}, -32004, "not_final")
        c = self.call(chain, "rollup_getCommitment", {"rollup_id": rollup, "batch": 1})
        self.assertEqual((c["tx_hash"], c["final"]), (committed["hash"], False))
        self.assertNotIn("payload", c)
        c = self.call(chain, "rollup_getCommitment", {"rollup_id": rollup, "batch": 1, "payload": True})
        self.assertEqual(c["payload"], empty_payload().hex())
        self.assertIsNone(self.call(chain, "rollup_getCommitment", {"rollup_id": rollup, "batch": 2}))
        self.call(chain, "dev_advanceTime", {"seconds": 60})
        self.call(chain, send, {"tx": base_tx(alice, 3, 6, claim)})
        self.assertEqual(self.call(chain, "bridge_getWithdrawn", {"rollup_id": rollup, "account": alice.hex}), "200")
        self.assertEqual(self.call(chain, "bridge_getWithdrawn", {"rollup_id": rollup, "account": bob.hex}), "0")
        r = self.call(chain, "bridge_getRollup", {"rollup_id": rollup})
        self.assertEqual((r["last_batch"], r["last_final"], r["locked"]), (1, 1, "300"))
        self.assertEqual(len(self.call(chain, "bridge_getDeposits", {"rollup_id": rollup, "from": 0, "limit": 10})), 1)
        fx = self.call(chain, "bridge_getForcedTxs", {"rollup_id": rollup, "from": 0, "limit": 1000})
        self.assertEqual([f["tx"] for f in fx], [forced.hex()])
        self.refused(chain, "bridge_getForcedTxs", {"rollup_id": rollup, "from": 0, "limit": 1001}, -32602,
                     field="limit")

        # Disputes: a rollup with a bond of 100 and 60 s clocks. Its batch 1 consumes a deposit
        # (one position) under a made-up root; the sequencer never steps, so the challenger wins
        # on time and the batch goes. A second batch 1 stands, goes final, and its bond comes back.
        disputed = rollup + 1
        challenger = Key()
        self.call(chain, "dev_fund", {"account": challenger.hex, "amount": "1000"})
        self.call(chain, send, {"tx": base_tx(seq, 2, 2, register_body(disputed, operator.public, genesis, 60, 3600,
                                                                       bond=100, dispute_clock_s=60))})
        r = self.call(chain, "bridge_getRollup", {"rollup_id": disputed})
        self.assertEqual((r["bond"], r["dispute_clock_s"]), ("100", 60))
        self.call(chain, send, {"tx": base_tx(alice, 4, 3, deposit_body(disputed, alice.public, 5))})
        wrong = commitment_bytes(disputed, 1, genesis, blake2b256(b"made up"), empty_payload(), deposits_upto=1)
        self.call(chain, send, {"tx": base_tx(seq, 3, 5, wrong)})
        bond = self.call(chain, "dispute_getBond", {"rollup_id": disputed, "batch": 1})
        self.assertEqual(bond["bond"], {"batch": 1, "owner": seq.hex, "amount": "100", "returned": False})
        self.assertEqual(self.call(chain, "dispute_getDisputes", {"rollup_id": disputed, "batch": 1}), [])
        self.call(chain, send, {"tx": base_tx(challenger, 0, 7, challenge_body(disputed, 1))})
        self.refused(chain, send, {"tx": base_tx(challenger, 1, 7, challenge_body(disputed, 1))}, -32004,
                     "already_challenged")
        [game] = self.call(chain, "dispute_getDisputes", {"rollup_id": disputed, "batch": 1})
        self.assertEqual((game["status"], game["phase"], game["positions"], game["bond"]), ("open", "step", 1, "100"))
        self.refused(chain, send, {"tx": base_tx(alice, 5, 11, dispute_timeout_body(disputed, 1, challenger.public))},
                     -32004, "clock_running")
        self.call(chain, "dev_advanceTime", {"seconds": 61})
        self.call(chain, send, {"tx": base_tx(alice, 5, 11, dispute_timeout_body(disputed, 1, challenger.public))})
        [game] = self.call(chain, "dispute_getDisputes", {"rollup_id": disputed, "batch": 1})
        self.assertEqual((game["status"], game["end"], game["winner"]), ("challenger_won", "clock_ran_out", "challenger"))
        self.assertIsNone(self.call(chain, "rollup_getCommitment", {"rollup_id": disputed, "batch": 1}))
        # Its bond back and half the sequencer's; the other half burned.
        self.assertEqual(self.call(chain, "chain_getAccount", {"account": challenger.hex})["balance"], "1050")
        self.assertEqual(self.call(chain, "dispute_getBond", {"rollup_id": disputed, "batch": 1}),
                         {"bond": None, "burned": "50"})
        right = commitment_bytes(disputed, 1, genesis, blake2b256(b"stands"), empty_payload(), deposits_upto=1)
        self.call(chain, send, {"tx": base_tx(seq, 4, 5, right)})
        self.refused(chain, send, {"tx": base_tx(seq, 5, 12, claim_bond_body(disputed, 1))}, -32004, "bond_locked")
        self.call(chain, "dev_advanceTime", {"seconds": 60})
        self.call(chain, send, {"tx": base_tx(seq, 5, 12, claim_bond_body(disputed, 1))})
        bond = self.call(chain, "dispute_getBond", {"rollup_id": disputed, "batch": 1})
        self.assertEqual((bond["bond"]["returned"], bond["burned"]), (True, "50"))

        # Logs: every event the document lists, each validated by its (module, event) schema.
        top = self.call(chain, "chain_getHead")["number"]
        logs = self.call(chain, "chain_getLogs", {"from_block": 0, "to_block": top})
        events = {(l["module"], l["event"]) for l in logs}
        documented = {(a["properties"]["module"]["const"], a["properties"]["event"]["const"])
                      for a in self.doc["components"]["schemas"]["Log"]["anyOf"]}
        self.assertEqual(events, documented, "the scenario should emit every documented event")
        only = self.call(chain, "chain_getLogs", {"from_block": 0, "to_block": top, "module": "bridge",
                                                  "event": "Deposit", "rollup_id": rollup})
        self.assertEqual([(l["module"], l["event"]) for l in only], [("bridge", "Deposit")])
        self.refused(chain, "chain_getLogs", {"from_block": 0, "to_block": 10000}, -32602, field="to_block")
        self.refused(chain, "chain_getLogs", {"from_block": 5, "to_block": 4}, -32602, field="to_block")

        # Dev: mine, snapshot, revert.
        self.call(chain, "dev_mine")
        snap = self.call(chain, "dev_snapshot")
        after = self.call(chain, "dev_mine")
        self.assertIs(self.call(chain, "dev_revert", {"id": snap}), True)
        self.assertEqual(self.call(chain, "chain_getHead")["number"], after["number"] - 1)
        self.refused(chain, "dev_revert", {"id": snap + 100}, -32602, field="id")

        self.assertEqual(self.called, set(self.methods), "every documented method returned a checked result")

    def test_bad_params_of_every_method(self):
        chain = self.new_chain(["--dev", "--automine"])
        for name, m in self.methods.items():
            params = [deref(self.doc, p) for p in m["params"]]
            with self.subTest(method=name):
                good = {p["name"]: self.sample(p) for p in params if p.get("required", False)}
                self.refused(chain, name, dict(good, bogus=1), -32602, field="bogus")
                self.refused(chain, name, [1], -32602)
                for p in params:
                    if p.get("required", False):
                        missing = {k: v for k, v in good.items() if k != p["name"]}
                        self.refused(chain, name, missing, -32602, field=p["name"])
                    schema = deref(self.doc, p["schema"])
                    self.refused(chain, name, dict(good, **{p["name"]: wrong_type_value(schema)}), -32602,
                                 field=p["name"])

    def sample(self, param):
        """A well-formed value of a param (the "dev" calls must not change much: 1 unit, 0 seconds)."""
        name, schema = param["name"], deref(self.doc, param["schema"])
        if schema.get("type") == "integer":
            return 0 if name != "id" else 1
        if name == "amount":
            return "1"
        if name == "tx":
            return "00"
        return "00" * 32

    def test_protocol_errors_and_undocumented_methods(self):
        chain = self.new_chain(["--dev", "--automine"])
        codes = {e["code"] for e in self.doc["components"]["errors"].values()}
        for body, code in (('{"jsonrpc":"2.0","id":1,', -32700),
                           ('{"jsonrpc":"1.0","id":1,"method":"chain_getHead"}', -32600),
                           ('{"jsonrpc":"2.0","id":1,"method":"chain_getHead","extra":1}', -32600),
                           ("[]", -32600),
                           ('{"jsonrpc":"2.0","id":1,"method":"chain_nope"}', -32601),
                           ('{"jsonrpc":"2.0","id":1,"method":"rpc.discover"}', -32601)):
            with self.subTest(body=body):
                status, r = chain.post(body)
                self.assertEqual((status, r["error"]["code"]), (200, code), r)
                self.assertIn(code, codes)

    def test_dev_methods_need_dev(self):
        chain = self.new_chain(["--automine"])
        for name, m in self.methods.items():
            with self.subTest(method=name):
                r = chain.request(name, {})
                if self.is_dev(m):
                    self.assertEqual(r["error"]["code"], -32601, r)
                    self.assertIn("--dev", r["error"]["message"])
                    self.check_error(name, r["error"])
                else:
                    self.assertNotEqual(r.get("error", {}).get("code"), -32601, r)


def main():
    global BASECHAIND
    args = sys.argv[1:]
    if args and not args[0].startswith("-"):
        BASECHAIND = args.pop(0)
    if not BASECHAIND or not os.access(BASECHAIND, os.X_OK):
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    BASECHAIND = os.path.abspath(BASECHAIND)
    prog = unittest.main(argv=[sys.argv[0]] + args, exit=False, verbosity=2)
    return 0 if prog.result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
