#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The off-chain scaling stack developers
"""docs/openapi.json against itself, against the route table of the source, and against a real sequencerd.

usage: /usr/bin/python3 tests/integration/test_openapi.py SEQUENCERD [unittest args]
       (or SEQUENCERD=PATH/TO/sequencerd /usr/bin/python3 tests/integration/test_openapi.py)

- The document: OpenAPI 3.1's required fields, path parameters that match their templates, every `$ref`
  resolves, every schema is a valid JSON Schema (Draft 2020-12) and its examples validate.
- The route table: every `label = "..."` route of sequencer/http_server.cpp's dispatch is a documented path
  with exactly its methods (plus HEAD on GET routes, as the dispatch answers it), and nothing else is documented.
- The server: a real sequencerd (--dev, no base chain, loopback, temporary data dir) gets valid and invalid
  requests for every documented operation (signed txs from the PyNaCl encoding of tests/vectors/check_vectors.py);
  every status must be one the operation documents and every body must validate against the documented schema
  for that status and media type. Undocumented paths must answer 404 and undocumented methods 405 (with `Allow`
  listing the documented ones), with the documented error bodies.

Standard library, python3-jsonschema (Draft202012Validator) and PyNaCl; run with Debian's /usr/bin/python3.
Time limits scale with L2_TEST_TIMEOUT_SCALE (e.g. 3 under the sanitizers).
"""

import sys

sys.dont_write_bytecode = True  # keep the source tree clean of __pycache__

import json  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import socket  # noqa: E402
import tempfile  # noqa: E402
import unittest  # noqa: E402

import jsonschema  # noqa: E402

import l2client as l2  # noqa: E402
from l2client import transfer, withdraw  # noqa: E402

SEQUENCERD = os.environ.get("SEQUENCERD", "")
TIMEOUT_SCALE = float(os.environ.get("L2_TEST_TIMEOUT_SCALE", "1"))
TEST_TIMEOUT_S = 60
RUN_SALT = os.urandom(8).hex()  # fresh keys on every run
UNKNOWN_INDEX = 3_000_000  # no test creates this many accounts

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
DOC_PATH = os.path.join(ROOT, "docs", "openapi.json")
ROUTER_PATH = os.path.join(ROOT, "sequencer", "http_server.cpp")

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# Small limits so that the 408 and 413 answers are cheap to provoke.
MAX_BODY = 64 * 1024
MAX_TXS = 20
MAX_HISTORY = 4  # diff entries a read as of an earlier batch may walk
READ_TIMEOUT_MS = int(1000 * TIMEOUT_SCALE)
# Labels the dispatch assigns that are not routes: no method list, not documented as paths.
NOT_ROUTES = {"/v1/dev/*": "the dev_disabled answer of any other /v1/dev/ path", "unmatched": "the 404"}


def load_doc():
    with open(DOC_PATH, encoding="utf-8") as f:
        return json.load(f)


def resolve_pointer(doc, ref):
    """`#/a/b~1c` -> doc["a"]["b/c"]; KeyError if it does not resolve."""
    if not ref.startswith("#"):
        raise KeyError("not a local reference: %r" % ref)
    node = doc
    for part in ref[1:].split("/")[1:]:
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, list):
            node = node[int(part)]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            raise KeyError(ref)
    return node


def deref(doc, node):
    while isinstance(node, dict) and "$ref" in node:
        node = resolve_pointer(doc, node["$ref"])
    return node


def walk(node, where="#"):
    """Yields (json pointer, node) for every dict in the document."""
    if isinstance(node, dict):
        yield where, node
        for k, v in node.items():
            yield from walk(v, where + "/" + k.replace("~", "~0").replace("/", "~1"))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from walk(v, "%s/%d" % (where, i))


def operations(doc):
    for path, item in doc["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def inline_schemas(doc):
    """(where, schema) for every schema of the document: components and those of parameters, headers, bodies."""
    for name, s in doc.get("components", {}).get("schemas", {}).items():
        yield "#/components/schemas/" + name, s
    for where, node in walk(doc):
        if where.startswith("#/components/schemas"):
            continue
        if "schema" in node and isinstance(node["schema"], dict):
            yield where + "/schema", node["schema"]


def route_table(source):
    """{label: [methods]} from the `on(req, label = "...", {"GET"}, ...)` calls of the dispatch (Router::route),
    the other labels it assigns, and whether `on` answers HEAD wherever GET."""
    start = re.search(r"\n  Outcome route\(const Request& req, std::string& label\) \{\n", source)
    if start is None:
        raise AssertionError("Router::route not found in %s" % ROUTER_PATH)
    dispatch = source[start.end():source.index("\n  }\n", start.end())]
    routes, others = {}, []
    for m in re.finditer(r'label\s*=\s*"([^"]*)"(\s*,\s*\{([^}]*)\})?', dispatch):
        if m.group(2):
            routes[m.group(1)] = re.findall(r'"([A-Z]+)"', m.group(3))
        else:
            others.append(m.group(1))
    head_on_get = re.search(r'v\s*==\s*"GET"\s*&&\s*req\.method\s*==\s*"HEAD"', source) is not None
    return routes, others, head_on_get


class TimedTestCase(l2.TimedTestCase):
    timeout_s = TEST_TIMEOUT_S


# ------------------------------------------------------------------ the document alone


class DocumentTests(TimedTestCase):
    @classmethod
    def setUpClass(cls):
        cls.doc = load_doc()

    def test_required_fields(self):
        d = self.doc
        self.assertEqual(d.get("openapi"), "3.1.0")
        self.assertIsInstance(d.get("info"), dict)
        for k in ("title", "version"):
            self.assertIsInstance(d["info"].get(k), str, "info." + k)
            self.assertTrue(d["info"][k], "info." + k)
        self.assertIsInstance(d.get("paths"), dict)
        ids = []
        for path, method, op in operations(d):
            with self.subTest(path=path, method=method):
                self.assertTrue(path.startswith("/"), path)
                self.assertIsInstance(op.get("responses"), dict)
                self.assertTrue(op["responses"], "an operation without responses")
                for status, r in op["responses"].items():
                    self.assertRegex(status, r"^([1-5][0-9][0-9]|[1-5]XX|default)$")
                    self.assertIsInstance(deref(d, r).get("description"), str, status)
                ids.append(op.get("operationId"))
                # Path parameters: exactly the template's names, each required.
                params = [deref(d, p) for p in d["paths"][path].get("parameters", []) + op.get("parameters", [])]
                for p in params:
                    self.assertIn(p.get("in"), ("path", "query", "header", "cookie"), p)
                    self.assertIsInstance(p.get("name"), str, p)
                    self.assertTrue("schema" in p or "content" in p, p)
                in_path = sorted(p["name"] for p in params if p["in"] == "path")
                self.assertEqual(in_path, sorted(re.findall(r"\{([^}/]+)\}", path)))
                for p in params:
                    if p["in"] == "path":
                        self.assertIs(p.get("required"), True, p)
                if "requestBody" in op:
                    self.assertTrue(deref(d, op["requestBody"]).get("content"), "a request body without content")
        self.assertNotIn(None, ids, "an operation without operationId")
        self.assertEqual(len(ids), len(set(ids)), "operationIds are not unique")

    def test_every_ref_resolves(self):
        refs = 0
        for where, node in walk(self.doc):
            if "$ref" in node and isinstance(node["$ref"], str):
                refs += 1
                with self.subTest(at=where):
                    try:
                        resolve_pointer(self.doc, node["$ref"])
                    except (KeyError, IndexError, ValueError):
                        self.fail("%s: $ref %r does not resolve" % (where, node["$ref"]))
        self.assertGreater(refs, 0)

    def test_every_schema_is_valid_draft_2020_12(self):
        self.assertEqual(self.doc.get("jsonSchemaDialect", "https://json-schema.org/draft/2020-12/schema"),
                         "https://json-schema.org/draft/2020-12/schema")
        resolver = jsonschema.RefResolver.from_schema(self.doc)
        n = 0
        for where, schema in inline_schemas(self.doc):
            n += 1
            with self.subTest(schema=where):
                jsonschema.Draft202012Validator.check_schema(schema)
                for example in schema.get("examples", []):
                    jsonschema.Draft202012Validator(schema, resolver=resolver).validate(example)
        self.assertGreater(n, 10)

    def test_error_codes_are_a_closed_enum(self):
        codes = self.doc["components"]["schemas"]["ErrorCode"]["enum"]
        self.assertEqual(len(codes), len(set(codes)))
        for c in ("bad_json", "bad_request", "not_found", "method_not_allowed", "dev_disabled", "mempool_full"):
            self.assertIn(c, codes)


# ------------------------------------------------------------------ the document against the source


class RouteTableTests(TimedTestCase):
    def test_every_route_is_documented_with_its_methods(self):
        with open(ROUTER_PATH, encoding="utf-8") as f:
            routes, others, head_on_get = route_table(f.read())
        self.assertGreaterEqual(len(routes), 10, "the route table was not found in %s" % ROUTER_PATH)
        self.assertEqual(sorted(others), sorted(NOT_ROUTES), "labels without a method list: %r" % others)
        doc = load_doc()
        for label, methods in routes.items():
            with self.subTest(route=label):
                self.assertTrue(label in doc["paths"], "route %s is not documented" % label)
                want = set(m.lower() for m in methods)
                if head_on_get and "get" in want:
                    want.add("head")
                got = set(m for m in METHODS if m in doc["paths"][label])
                self.assertEqual(got, want, "methods of %s" % label)
        for path in doc["paths"]:
            with self.subTest(path=path):
                self.assertTrue(path in routes, "documented path %s is not in the route table" % path)


# ------------------------------------------------------------------ the document against the server


class Checker:
    """Matches requests to the document's operations and checks the answers against it."""

    def __init__(self, doc):
        self.doc = doc
        self.resolver = jsonschema.RefResolver.from_schema(doc)
        self.templates = []
        for path in doc["paths"]:
            rx = "^" + re.sub(r"\\\{[^}/]+\\\}", "[^/]+", re.escape(path)) + "$"
            self.templates.append((re.compile(rx), path))
        self.seen = set()  # (path template, method, status)

    def template(self, target):
        path = target.split("?", 1)[0]
        hits = [t for rx, t in self.templates if rx.match(path)]
        if len(hits) > 1:  # a literal path wins over a template (none overlap today)
            hits = [t for t in hits if "{" not in t] or hits
        return hits[0] if hits else None

    def validate(self, schema, instance):
        jsonschema.Draft202012Validator(schema, resolver=self.resolver).validate(instance)

    def check_response(self, tc, response_obj, r, method, what):
        """The body and headers of answer `r` against a (resolved) response object."""
        resp = deref(self.doc, response_obj)
        for name, h in resp.get("headers", {}).items():
            if deref(self.doc, h).get("required"):
                tc.assertIn(name.lower(), r.headers, "%s: header %s is missing" % (what, name))
        if method == "HEAD":
            tc.assertEqual(r.body, b"", "%s: HEAD with a body" % what)
            return
        content = resp.get("content")
        if not content:
            tc.assertEqual(r.body, b"", "%s: a body where none is documented" % what)
            return
        ctype = r.headers.get("content-type", "")
        media = content.get(ctype)
        if media is None:  # compare the media type alone, without its parameters
            base = ctype.split(";")[0].strip().lower()
            media = next((m for k, m in content.items() if k.split(";")[0].strip().lower() == base), None)
        tc.assertIsNotNone(media, "%s: Content-Type %r is not one of %r" % (what, ctype, list(content)))
        if ctype.startswith("application/json"):
            try:
                body = json.loads(r.body.decode("utf-8"))
            except ValueError as e:
                tc.fail("%s: the body is not JSON (%s): %r" % (what, e, r.body[:200]))
            try:
                self.validate(media["schema"], body)
            except jsonschema.ValidationError as e:
                tc.fail("%s: the body does not validate: %s\nbody: %s" % (what, e.message, json.dumps(body)[:800]))

    def check(self, tc, method, target, r):
        """The answer `r` to `method target` against the documented operation."""
        what = "%s %s -> %d" % (method, target, r.status)
        path = self.template(target)
        tc.assertIsNotNone(path, "%s: not a documented path" % what)
        op = self.doc["paths"][path].get(method.lower())
        tc.assertIsNotNone(op, "%s: not a documented method of %s" % (what, path))
        responses = op["responses"]
        key = str(r.status)
        if key not in responses:
            key = key[0] + "XX" if key[0] + "XX" in responses else "default"
        tc.assertTrue(key in responses, "%s: status %d is not documented for %s %s (%s)"
                      % (what, r.status, method, path, ", ".join(responses)))
        self.check_response(tc, responses[key], r, method, what)
        self.seen.add((path, method.lower(), r.status))


def start_server(dev, add_cleanup, extra_args=()):
    """A started sequencerd in a fresh temp dir; `add_cleanup` gets its SIGTERM check, kill and removal."""
    tmp = tempfile.mkdtemp(prefix="l2-openapi-")
    data = os.path.join(tmp, "data")
    os.mkdir(data)
    server = l2.SequencerProcess(SEQUENCERD, data, tmp, dev=dev, extra_args=list(extra_args))
    add_cleanup(shutil.rmtree, tmp, True)
    add_cleanup(server.kill)  # runs last: whatever happened, the process is gone
    add_cleanup(server.shutdown_checked, 30 * TIMEOUT_SCALE)
    server.start(timeout=60 * TIMEOUT_SCALE)
    return server


class ServerTests(TimedTestCase):
    """One --dev server (no base chain) driven through every documented operation."""

    @classmethod
    def setUpClass(cls):
        cls.doc = load_doc()
        cls.checker = Checker(cls.doc)
        cls.server = start_server(True, cls.addClassCleanup, [
            "--http.max-body-bytes", str(MAX_BODY), "--http.max-batch-txs", str(MAX_TXS),
            "--http.max-history-changes", str(MAX_HISTORY),
            "--http.read-timeout-ms", str(READ_TIMEOUT_MS), "--batch.max-delay-ms", "10"])
        cls.c = cls.server.client(timeout=30 * TIMEOUT_SCALE)
        cls.labels = 0

    @classmethod
    def keys(cls, n):
        out = []
        for _ in range(n):
            cls.labels += 1
            out.append(l2.Key("%s/openapi/%d" % (RUN_SALT, cls.labels)))
        return out

    def call(self, method, target, body=None, headers=None, expect=None, client=None):
        """One request, checked against the document; `expect`: the status it must get (or a set of them)."""
        r = (client or self.c).request(method, target, body, headers)
        self.checker.check(self, method, target, r)
        if expect is not None:
            want = {expect} if isinstance(expect, int) else set(expect)
            self.assertIn(r.status, want, "%s %s: %r" % (method, target, r))
        return r

    def get(self, target, expect, code=None):
        """GET and HEAD: the same status; HEAD without a body. Returns the GET's answer."""
        r = self.call("GET", target, expect=expect)
        if code is not None:
            self.assertEqual(r.error_code(), code, r)
        head = self.call("HEAD", target)
        self.assertEqual(head.status, r.status, "HEAD %s: %r, GET: %r" % (target, head, r))
        return r

    def post(self, target, body, expect, code=None, ctype="application/json", headers=None):
        h = {"Content-Type": ctype} if ctype else {}
        h.update(headers or {})
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        r = self.call("POST", target, body, h, expect=expect)
        if code is not None:
            self.assertEqual(r.error_code(), code, r)
        return r

    def test_every_operation(self):
        """Valid and invalid requests for every documented operation; then every operation must have been seen."""
        dep = "/v1/dev/deposit"
        (ka, kb, kc, stranger) = self.keys(4)
        # ---- POST /v1/dev/deposit: the accounts the rest uses
        r = self.post(dep, [{"public_key": ka.public_hex, "amount": "1000000"},
                            {"public_key": kb.public_hex, "amount": "1000000"}], 200)
        a, b = (x["account"] for x in r.json()["receipts"])
        deposit_hash = r.json()["receipts"][0]["hash"]
        self.post(dep, {"public_key": kc.public_hex.upper(), "amount": "5"}, 200)
        self.post(dep + "?timeout_ms=5000", {"public_key": kc.public_hex, "amount": "5"}, 200)
        self.post(dep, {"public_key": "zz", "amount": "5"}, 400, "bad_hex")
        self.post(dep, {"public_key": kc.public_hex}, 400, "bad_request")
        self.post(dep, {"public_key": kc.public_hex, "amount": "05"}, 400, "bad_request")
        self.post(dep, {"public_key": kc.public_hex, "amount": str(2 ** 64 - 1)}, 400, "bad_request")  # supply
        self.post(dep, b"{not json", 400, "bad_json")
        self.post(dep + "?wait=true", {"public_key": kc.public_hex, "amount": "5"}, 400, "bad_query")
        self.post(dep, {"public_key": kc.public_hex, "amount": "5"}, 415, "unsupported_media_type", "text/plain")
        self.post(dep, [{"public_key": kc.public_hex, "amount": "1"}] * (MAX_TXS + 1), 413, "too_many_txs")

        # ---- POST /v1/transactions
        tx = "/v1/transactions"
        t0 = transfer(ka, a, b, 100, nonce=0)
        r = self.post(tx + "?wait=true", t0.json(), 200)
        self.assertEqual(r.json()["status"], "applied")
        t1 = transfer(ka, a, b, 100, nonce=1)
        self.assertEqual(self.post(tx, t1.json(), 202).json(), {"hash": t1.hash, "status": "pending"})
        self.post(tx + "?wait=false", transfer(ka, a, b, 100, nonce=2).json(), 202)
        self.post(tx + "?wait=true&timeout_ms=0", transfer(ka, a, b, 100, nonce=3).json(), (200, 202))
        w = withdraw(ka, a, 300, nonce=4)
        self.assertEqual(self.post(tx + "?wait=1", w.json(), 200).json()["status"], "applied")
        self.post(tx, t0.json(), 409, "duplicate")
        gap = transfer(ka, a, b, 1, nonce=6)  # held behind nonce 5
        self.post(tx, gap.json(), 202)
        self.post(tx, transfer(ka, a, b, 2, nonce=6).json(), 409, "nonce_in_use")
        self.post(tx + "?wait=true", transfer(ka, a, b, 1, nonce=5).json(), 200)  # fills the gap
        self.post(tx, transfer(ka, a, b, 7, nonce=0).json(), 400, "nonce_too_low")
        self.post(tx, transfer(ka, a, b, 7, nonce=100000).json(), 400, "nonce_too_high")
        self.post(tx, transfer(ka, a, b, 7, nonce=7).with_corrupt_signature().json(), 400, "bad_signature")
        self.post(tx, transfer(stranger, UNKNOWN_INDEX, b, 7, nonce=0).json(), 400, "unknown_account")
        self.post(tx, transfer(ka, a, b, 7, nonce=7, chain_id=l2.CHAIN_ID + 1).json(), 400, "wrong_chain")
        self.post(tx, dict(t0.json(), type="mint"), 400, "unknown_type")
        self.post(tx, dict(t0.json(), signature="ab" * 10), 400, "bad_hex")
        self.post(tx, dict(t0.json(), memo="hi"), 400, "bad_request")
        self.post(tx, dict(t0.json(), amount=100), 400, "bad_request")
        self.post(tx, json.dumps(t0.json())[:-1].encode(), 400, "bad_json")
        self.post(tx + "?wait=maybe", t0.json(), 400, "bad_query")
        self.post(tx + "?verbose=1", t0.json(), 400, "bad_query")
        self.post(tx, t0.json(), 415, "unsupported_media_type", ctype="text/plain")
        self.post(tx, t0.json(), 415, "unsupported_media_type", ctype=None)
        self.post(tx, b"{" + b" " * (MAX_BODY + 1) + b"}", 413, "body_too_large")

        # ---- POST /v1/batches
        bt = "/v1/batches"
        good, bad = transfer(ka, a, b, 10, nonce=7), transfer(ka, a, b, 10, nonce=8).with_corrupt_signature()
        receipts = self.post(bt, [good.json(), bad.json()], 200).json()["receipts"]
        self.assertEqual([x["status"] for x in receipts], ["applied", "bad_signature"])
        self.post(bt + "?timeout_ms=10000", l2.binary_batch([transfer(ka, a, b, 10, nonce=8)]), 200,
                  ctype="application/octet-stream")
        r = self.post(bt, l2.binary_batch([transfer(ka, a, b, 10, nonce=9)]), 200, ctype="application/octet-stream",
                      headers={"Accept": "application/octet-stream"})
        self.assertEqual(l2.decode_binary_receipts(r.body)[0]["status"], "applied")
        self.post(bt, [], 200)
        self.post(bt, b"\x07", 400, "bad_encoding", ctype="application/octet-stream")
        self.post(bt, b"[", 400, "bad_json")
        self.post(bt, good.json(), 400, "bad_request")  # not an array
        self.post(bt + "?wait=true", [good.json()], 400, "bad_query")
        self.post(bt, [good.json()] * (MAX_TXS + 1), 413, "too_many_txs")
        self.post(bt, [good.json()], 415, "unsupported_media_type", ctype="text/plain")

        # ---- GET and HEAD /v1/transactions/{hash}
        got = self.get("/v1/transactions/" + t0.hash, 200).json()
        self.assertEqual((got["status"], got["tx"]["type"]), ("applied", "transfer"))
        self.get("/v1/transactions/" + t0.hash.upper(), 200)
        self.assertEqual(self.get("/v1/transactions/" + w.hash, 200).json()["tx"]["type"], "withdraw")
        self.assertEqual(self.get("/v1/transactions/" + deposit_hash, 200).json()["tx"]["type"], "deposit")
        self.get("/v1/transactions/" + "00" * 32, 404, "not_found")
        self.get("/v1/transactions/xyz", 400, "bad_hex")
        self.get("/v1/transactions/" + t0.hash + "?x=1", 400, "bad_query")

        # ---- GET and HEAD /v1/batches/{n}
        latest = self.get("/v1/batches/latest", 200).json()
        self.get("/v1/batches/" + latest["number"], 200)
        self.get("/v1/batches/0", (200, 404))  # genesis need not be served
        self.get("/v1/batches/999999999", 404, "not_found")
        self.get("/v1/batches/abc", 400, "bad_request")
        self.get("/v1/batches/latest?x=1", 400, "bad_query")

        # ---- accounts
        for suffix in ("", "/proof"):
            base = "/v1/accounts/"
            self.get(base + str(a) + suffix, 200)
            self.get(base + ka.public_hex + suffix, 200)
            self.get(base + ka.public_hex.upper() + suffix, 200)
            self.get(base + str(UNKNOWN_INDEX) + suffix, 404, "not_found")
            self.get(base + stranger.public_hex + suffix, 404, "not_found")
            self.get(base + "zz" + suffix, 400, "bad_request")
            self.get(base + str(a) + suffix + "?x=1", 400, "bad_query")
            # As of a batch: the latest by number, one too far back, one not durable, none final.
            self.get(base + str(a) + suffix + "?batch=latest", 200)
            self.get(base + str(a) + suffix + "?batch=" + latest["number"], 200)
            self.get(base + "0" + suffix + "?batch=0", 422, "history_too_deep")
            self.get(base + str(a) + suffix + "?batch=999999999", 404, "not_found")
            self.get(base + str(a) + suffix + "?batch=final", 404, "not_found")
            self.get(base + str(a) + suffix + "?batch=-1", 400, "bad_query")
        ws = self.get("/v1/accounts/%d/withdrawals" % a, 200).json()["withdrawals"]
        self.assertEqual([x["tx_hash"] for x in ws], [w.hash])
        self.get("/v1/accounts/%d/withdrawals?limit=1" % b, 200)
        self.get("/v1/accounts/%s/withdrawals?limit=100" % ka.public_hex, 200)
        self.get("/v1/accounts/%d/withdrawals?limit=0" % a, 400, "bad_query")
        self.get("/v1/accounts/%d/withdrawals?limit=101" % a, 400, "bad_query")
        self.get("/v1/accounts/%d/withdrawals?x=1" % a, 400, "bad_query")
        self.get("/v1/accounts/%d/withdrawals" % UNKNOWN_INDEX, 404, "not_found")
        self.get("/v1/accounts/zz/withdrawals", 400, "bad_request")

        # ---- withdrawals
        self.assertEqual(self.get("/v1/withdrawals/" + w.hash, 200).json()["status"], "pending")
        self.get("/v1/withdrawals/" + t0.hash, 404, "not_found")
        self.get("/v1/withdrawals/xyz", 400, "bad_hex")
        self.get("/v1/withdrawals/" + w.hash + "?x=1", 400, "bad_query")

        # ---- the rest of the reads
        self.get("/v1/settlement", 404, "not_found")  # no base chain
        self.get("/v1/settlement?x=1", 400, "bad_query")
        self.assertIsNone(self.get("/v1/sync", 200).json()["posted"])  # no base chain
        self.get("/v1/sync?x=1", 400, "bad_query")
        self.assertIs(self.get("/v1/status", 200).json()["dev"], True)
        self.get("/v1/status?x=1", 400, "bad_query")
        self.get("/health", 200)
        self.get("/health?x=1", 200)  # /health takes no query and does not check it
        self.get("/ready", 200)
        self.get("/ready?x=1", 400, "bad_query")
        self.assertIn("l2_http_requests_total", self.get("/metrics", 200).body.decode())

        # ---- the transport's answers on a documented operation
        r = self.call("GET", "/health", headers={"X-Big": "x" * 20000}, expect=431)
        self.assertEqual(r.error_code(), "headers_too_large")
        self.check_slow_request()

        missing = sorted("%s %s" % (m.upper(), p) for p, m, _ in operations(self.doc)
                         if not any(s[0] == p and s[1] == m for s in self.checker.seen))
        self.assertEqual(missing, [], "documented operations never exercised")
        statuses = set((p, m, s) for p, m, s in self.checker.seen)
        print("\n  %d operations, %d (operation, status) pairs seen" % (len(list(operations(self.doc))),
                                                                       len(statuses)), file=sys.stderr)

    def check_slow_request(self):
        """A request that stops half way gets 408 timeout (http.read_timeout_ms) with the documented body."""
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=30 * TIMEOUT_SCALE) as s:
            s.sendall(b"GET /v1/status HTTP/1.1\r\nHost: x\r\n")
            data = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:])}
        r = l2.Response(status, headers, body)
        self.checker.check(self, "GET", "/v1/status", r)
        self.assertEqual((r.status, r.error_code()), (408, "timeout"), r)

    def example_target(self, path):
        return path.replace("{hash}", "00" * 32).replace("{n}", "latest").replace("{id}", "0")

    def test_undocumented_methods_get_405(self):
        for path, item in self.doc["paths"].items():
            documented = set(m.upper() for m in METHODS if m in item)
            for method in ("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"):
                if method in documented:
                    continue
                target = self.example_target(path)
                with self.subTest(method=method, path=path):
                    r = self.c.request(method, target, b"{}", {"Content-Type": "application/json"})
                    self.assertEqual(r.status, 405, r)
                    self.checker.check_response(self, self.doc["components"]["responses"]["MethodNotAllowed"], r,
                                                method, "%s %s" % (method, target))
                    if method != "HEAD":
                        self.assertEqual(r.error_code(), "method_not_allowed")
                    allow = set(m.strip() for m in r.headers.get("allow", "").split(","))
                    self.assertEqual(allow, documented, "Allow of %s" % path)

    def test_undocumented_paths_get_404(self):
        for target in ("/", "/v1", "/v1/", "/healthz", "/v2/status", "/v1/nope", "/v1/accounts/0/nope",
                       "/v1/accounts/0/proof/extra", "/v1/transactions/%s/x" % ("00" * 32), "/v1/batches/1/txs",
                       "/v1/dev/nope", "/v1/withdrawals/%s/x" % ("00" * 32), "/v1/status/", "/health/x"):
            self.assertIsNone(Checker(self.doc).template(target), target)
            for method in ("GET", "POST"):
                with self.subTest(method=method, target=target):
                    r = self.c.request(method, target, b"{}", {"Content-Type": "application/json"})
                    self.assertEqual(r.status, 404, r)
                    self.checker.check_response(self, self.doc["components"]["responses"]["NotFound"], r, method,
                                                "%s %s" % (method, target))
                    self.assertEqual(r.error_code(), "not_found")


class NoDevServerTests(TimedTestCase):
    """Without --dev the dev route is documented as 403 dev_disabled."""

    def test_dev_routes_refused(self):
        doc = load_doc()
        checker = Checker(doc)
        server = start_server(False, self.addCleanup)
        c = server.client(timeout=30 * TIMEOUT_SCALE)
        key = l2.Key(RUN_SALT + "/openapi/nodev")
        for body in ({"public_key": key.public_hex, "amount": "1000"},
                     [{"public_key": key.public_hex, "amount": "1000"}]):
            r = c.post_json("/v1/dev/deposit", body)
            checker.check(self, "POST", "/v1/dev/deposit", r)
            self.assertEqual((r.status, r.error_code()), (403, "dev_disabled"), r)
        for method in ("GET", "POST"):  # any other /v1/dev/ path: the same refusal
            r = c.request(method, "/v1/dev/nope")
            self.assertEqual((r.status, r.error_code()), (403, "dev_disabled"), r)
            checker.check_response(self, doc["components"]["responses"]["DevDisabled"], r, method, "/v1/dev/nope")
        r = c.get("/v1/status")
        checker.check(self, "GET", "/v1/status", r)
        self.assertIs(r.json()["dev"], False)


def main():
    global SEQUENCERD
    args = sys.argv[1:]
    if args and not args[0].startswith("-"):
        SEQUENCERD = args.pop(0)
    if not SEQUENCERD or not os.access(SEQUENCERD, os.X_OK):
        print("usage: test_openapi.py PATH/TO/sequencerd [unittest args] (or SEQUENCERD=...)", file=sys.stderr)
        return 2
    SEQUENCERD = os.path.abspath(SEQUENCERD)
    prog = unittest.main(argv=[sys.argv[0]] + args, exit=False, verbosity=2)
    return 0 if prog.result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
