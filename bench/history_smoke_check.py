# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The off-chain scaling stack developers
"""Runs history_bench --json and checks its output (the CTest smoke test).

usage: history_smoke_check.py DEPTHS -- HISTORY_BENCH ARGS...

One JSON line per depth in DEPTHS (comma-separated, as given to --depths), each with its
fields, no failed read, and account changes walked exactly when the depth is above 0.
"""
import json
import subprocess
import sys

FIELDS = ("accounts", "batch_size", "depth_batches", "changes_walked", "accounts_changed", "samples",
          "read_ms", "gather_ms", "finish_ms", "total_ms", "latest_proof_ms", "ratio_to_latest", "failures")


def main(argv):
    split = argv.index("--")
    depths = [int(d) for d in argv[1].split(",")]
    proc = subprocess.run(argv[split + 1:], stdout=subprocess.PIPE, text=True, timeout=280)
    if proc.returncode != 0:
        sys.exit("history_smoke_check: FAIL: history_bench exited %d" % proc.returncode)
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    if [x.get("depth_batches") for x in lines] != depths:
        sys.exit("history_smoke_check: FAIL: depths %r, expected %r" % (proc.stdout, depths))
    for x in lines:
        missing = [f for f in FIELDS if not isinstance(x.get(f), (int, float)) or isinstance(x.get(f), bool)]
        if missing or x["bench"] != "history_proof" or x["failures"] != 0:
            sys.exit("history_smoke_check: FAIL: %r (missing or wrong: %r)" % (x, missing))
        if (x["changes_walked"] > 0) != (x["depth_batches"] > 0):
            sys.exit("history_smoke_check: FAIL: changes walked at depth %d: %r" % (x["depth_batches"], x))
    print("history_smoke_check: ok, %d lines" % len(lines))


if __name__ == "__main__":
    main(sys.argv)
