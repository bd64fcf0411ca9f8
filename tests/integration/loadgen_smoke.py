#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The off-chain scaling stack developers
"""Runs `loadgen ... --json` (which starts its own private sequencerd) and checks its output:
the CTest smoke run of the load generator (LABELS bench), so that it never rots.

usage: loadgen_smoke.py [--formats binary,json] [--expect-failures] -- LOADGEN ARGS...

loadgen must exit 0 (every tx applied, the private server stopped cleanly), and print one
JSON object per requested format with the documented fields, positive rates, latencies in
order and no failures. With --expect-failures (a run with --corrupt-signatures) it must
exit 1 and report the failures instead. The rates themselves are not judged: CI machines
vary.
"""
import json
import subprocess
import sys

NUMBER = (int, float)
REQUIRED = {"format": str, "tps": NUMBER, "inproc_tps": NUMBER, "ratio": NUMBER, "p50_ms": NUMBER,
            "p99_ms": NUMBER, "max_ms": NUMBER, "failures": int, "txs": int, "batch_size": int,
            "connections": int, "paced_target_tps": NUMBER, "paced_tps": NUMBER}


def fail(msg):
    print("loadgen_smoke: FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def main(argv):
    if "--" not in argv:
        fail("usage: loadgen_smoke.py [--formats binary,json] [--expect-failures] -- LOADGEN ARGS...")
    split = argv.index("--")
    opts, cmd = argv[:split], argv[split + 1:]
    expect_failures = "--expect-failures" in opts
    formats = ["binary", "json"]
    if "--formats" in opts:
        formats = opts[opts.index("--formats") + 1].split(",")
    try:
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=280)
    except subprocess.TimeoutExpired:
        fail("loadgen did not finish within 280 s")
    sys.stderr.write(proc.stderr)
    want_rc = 1 if expect_failures else 0
    if proc.returncode != want_rc:
        fail("loadgen exited %d, expected %d:\n%s" % (proc.returncode, want_rc, proc.stdout))
    lines = proc.stdout.splitlines()
    if len(lines) != len(formats):
        fail("%d result lines, expected %d:\n%s" % (len(lines), len(formats), proc.stdout))
    total_failures = 0
    for n, (line, fmt) in enumerate(zip(lines, formats), 1):
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            fail("line %d is not JSON (%s): %r" % (n, e, line))
        for key, kind in REQUIRED.items():
            if key not in obj or isinstance(obj[key], bool) or not isinstance(obj[key], kind):
                fail("line %d: %r missing or of the wrong type: %r" % (n, key, obj.get(key)))
        if obj["format"] != fmt:
            fail("line %d: format %r, expected %r" % (n, obj["format"], fmt))
        for key in ("tps", "inproc_tps", "ratio", "paced_tps"):
            if not obj[key] > 0:
                fail("line %d: %s is not positive: %r" % (n, key, obj[key]))
        if abs(obj["ratio"] - obj["tps"] / obj["inproc_tps"]) > 0.01 * max(1.0, obj["ratio"]):
            fail("line %d: ratio %r is not tps / inproc_tps" % (n, obj["ratio"]))
        if not 0 < obj["p50_ms"] <= obj["p99_ms"] <= obj["max_ms"]:
            fail("line %d: latencies out of order: %r %r %r" % (n, obj["p50_ms"], obj["p99_ms"], obj["max_ms"]))
        if not expect_failures and obj["failures"] != 0:
            fail("line %d: %d failures: %r" % (n, obj["failures"], obj.get("failures_by_status")))
        total_failures += obj["failures"]
    if expect_failures and total_failures == 0:
        fail("expected failed txs to be reported, found none")
    print("loadgen_smoke: OK, %d result lines" % len(lines))


if __name__ == "__main__":
    main(sys.argv[1:])
