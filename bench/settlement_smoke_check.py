# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The off-chain scaling stack developers
"""Runs settlement_bench --json and checks its output (the CTest smoke test).

usage: settlement_smoke_check.py [--expect-lines N] -- SETTLEMENT_BENCH ARGS...

The benchmark must exit 0; every stdout line must be one JSON object with the required
fields, positive rates, ratios that are what they say, and no failures.
"""
import json
import subprocess
import sys

REQUIRED = {
    "mode": str, "workload": str, "threads": int, "accounts": int, "batch_size": int, "batches": int,
    "transfers": int, "bytes_per_transfer": (int, float), "raw_payload_bytes_per_transfer": (int, float),
    "commit_tx_bytes_per_transfer": (int, float), "wire_bytes_per_transfer": (int, float),
    "size_ratio": (int, float), "compress_ms_per_batch": (int, float), "derive_tps": (int, float),
    "verify_limit_tps": (int, float), "derive_ratio": (int, float), "failures": int,
    "trace_ms_per_batch": (int, float), "trace_baseline_execute_ms_per_batch": (int, float),
    "trace_ratio": (int, float),
}


def fail(msg):
    print("settlement_smoke_check: FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def main(argv):
    if "--" not in argv:
        fail("usage: settlement_smoke_check.py [--expect-lines N] -- SETTLEMENT_BENCH ARGS...")
    split = argv.index("--")
    opts, cmd = argv[:split], argv[split + 1:]
    expect_lines = int(opts[opts.index("--expect-lines") + 1]) if "--expect-lines" in opts else None
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=280)
    sys.stderr.write(proc.stderr)
    if proc.returncode != 0:
        fail("settlement_bench exited %d" % proc.returncode)
    lines = proc.stdout.splitlines()
    if expect_lines is not None and len(lines) != expect_lines:
        fail("%d result lines, expected %d:\n%s" % (len(lines), expect_lines, proc.stdout))
    for n, line in enumerate(lines, 1):
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            fail("stdout line %d is not JSON (%s): %r" % (n, e, line))
        if not isinstance(obj, dict):
            fail("stdout line %d is not a JSON object" % n)
        for key, kind in REQUIRED.items():
            if key not in obj:
                fail("line %d lacks %r" % (n, key))
            if isinstance(obj[key], bool) or not isinstance(obj[key], kind):
                fail("line %d: %r has the wrong type: %r" % (n, key, obj[key]))
        if obj["mode"] != "optimistic":
            fail("line %d: mode %r" % (n, obj["mode"]))
        for key in ("bytes_per_transfer", "wire_bytes_per_transfer", "derive_tps", "verify_limit_tps",
                    "trace_ms_per_batch", "trace_baseline_execute_ms_per_batch"):
            if not obj[key] > 0:
                fail("line %d: %s is not positive: %r" % (n, key, obj[key]))
        if obj["wire_bytes_per_transfer"] != 97:
            fail("line %d: a transfer's wire form is 97 bytes, not %r" % (n, obj["wire_bytes_per_transfer"]))
        if obj["transfers"] != obj["batch_size"] * obj["batches"]:
            fail("line %d: transfers is not batch_size * batches" % n)
        if abs(obj["size_ratio"] - obj["bytes_per_transfer"] / obj["wire_bytes_per_transfer"]) > 0.002:
            fail("line %d: size_ratio is not bytes_per_transfer / wire_bytes_per_transfer" % n)
        if abs(obj["derive_ratio"] - obj["derive_tps"] / obj["verify_limit_tps"]) > 0.01:
            fail("line %d: derive_ratio is not derive_tps / verify_limit_tps" % n)
        if obj["commit_tx_bytes_per_transfer"] < obj["bytes_per_transfer"]:
            fail("line %d: the commit tx is smaller than its payload" % n)
        if obj["failures"] != 0:
            fail("line %d: %d failures" % (n, obj["failures"]))
    print("settlement_smoke_check: OK, %d result lines" % len(lines))


if __name__ == "__main__":
    main(sys.argv[1:])
