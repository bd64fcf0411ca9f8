# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The off-chain scaling stack developers
"""Runs engine_bench --json and checks its output (the CTest smoke tests).

usage: smoke_check.py [--expect-lines N] [--expect-failures] -- ENGINE_BENCH ARGS...

Every stdout line must be one JSON object with the required fields; with
--expect-failures the benchmark must exit 1 and report rejected txs, otherwise it
must exit 0 and report none.
"""
import json
import subprocess
import sys

REQUIRED = {
    "workload": str, "threads": int, "tps": (int, float), "verify_limit_tps": (int, float),
    "ratio": (int, float), "exec_only_tps": (int, float), "verify_ms": (int, float),
    "execute_ms": (int, float), "merkle_ms": (int, float), "commit_ms": (int, float),
    "accounts": int, "batch_size": int, "batches": int, "failures": int,
}
WORKLOADS = {"uniform", "zipf", "hot-receiver"}


def fail(msg):
    print("smoke_check: FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def main(argv):
    if "--" not in argv:
        fail("usage: smoke_check.py [--expect-lines N] [--expect-failures] -- ENGINE_BENCH ARGS...")
    split = argv.index("--")
    opts, cmd = argv[:split], argv[split + 1:]
    expect_failures = "--expect-failures" in opts
    expect_lines = None
    if "--expect-lines" in opts:
        expect_lines = int(opts[opts.index("--expect-lines") + 1])

    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=280)
    sys.stderr.write(proc.stderr)
    want_rc = 1 if expect_failures else 0
    if proc.returncode != want_rc:
        fail("engine_bench exited %d, expected %d" % (proc.returncode, want_rc))

    lines = proc.stdout.splitlines()
    if expect_lines is not None and len(lines) != expect_lines:
        fail("%d result lines, expected %d:\n%s" % (len(lines), expect_lines, proc.stdout))
    total_failures = 0
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
        if obj["workload"] not in WORKLOADS:
            fail("line %d: unknown workload %r" % (n, obj["workload"]))
        for key in ("tps", "verify_limit_tps", "ratio", "exec_only_tps"):
            if not obj[key] > 0:
                fail("line %d: %s is not positive: %r" % (n, key, obj[key]))
        if abs(obj["ratio"] - obj["tps"] / obj["verify_limit_tps"]) > 0.01:
            fail("line %d: ratio %r is not tps / verify_limit_tps" % (n, obj["ratio"]))
        total_failures += obj["failures"]
    if expect_failures and total_failures == 0:
        fail("expected rejected txs to be reported, found none")
    if not expect_failures and total_failures != 0:
        fail("%d rejected txs reported" % total_failures)
    print("smoke_check: OK, %d result lines" % len(lines))


if __name__ == "__main__":
    main(sys.argv[1:])
