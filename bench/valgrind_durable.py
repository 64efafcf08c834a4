"""Memory-safety check of the durable-rules C extension under valgrind (`make valgrind`).

durable-rules 2.0.28 is unmaintained C; a memory bug in it does not fail a test, it corrupts the heap
and crashes the process later (this is how a retraction bug was found: see engine/matching/durable.py
`_clear`).  This runs every bundled patient through the durable matcher twice, with a full collection
after each evaluation, under valgrind's memcheck (Python's allocator off, so every block is checked),
and fails on any invalid read, write or free.  Too slow for every test run (minutes); run it after
changing the matcher or the rule base's packing, or after a durable-rules upgrade.  Needs `valgrind`
(Debian: apt-get install valgrind).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BAD = re.compile(r"^==\d+== (Invalid (read|write|free)|Mismatched free|Source and destination overlap)", re.M)

WORKLOAD = """
import datetime, gc, glob, sys
from setpoint import Engine
eng = Engine.load()
root = sys.argv[1]
files = sorted(glob.glob(root + "/examples/patients/*.yaml")) + [root + "/examples/perimenopause-and-lithium.yaml"]
# The case that exposed the retraction bug: 16 false-variants of one rule acting in one ruleset (shared with
# tests/test_durable_limits.py).
injection = open(root + "/tests/data/durable_retraction_case.json").read()
cases = [open(f).read() for f in files] + [injection]
n = 0
for _ in range(2):
    for case in cases:
        r = eng.evaluate(case, as_of=datetime.date(2026, 11, 21))
        n += len(r.findings)
        gc.collect()
print(f"{len(cases)} patients x 2, {n} findings")
"""


def main() -> int:
    if shutil.which("valgrind") is None:
        print("valgrind is not installed (Debian: apt-get install valgrind)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        script, log = Path(tmp) / "workload.py", Path(tmp) / "valgrind.log"
        script.write_text(WORKLOAD)
        env = {**os.environ, "PYTHONMALLOC": "malloc"}
        run = subprocess.run(["valgrind", "-q", f"--log-file={log}", sys.executable, str(script), str(ROOT)],
                             env=env, capture_output=True, text=True, timeout=3600)
        text = log.read_text()
    print(run.stdout.strip())
    errors = BAD.findall(text)
    if run.returncode != 0:
        print(run.stderr[-2000:], file=sys.stderr)
        print(f"the workload exited {run.returncode}", file=sys.stderr)
        return 1
    print(f"valgrind memcheck: {len(errors)} invalid read/write/free in the durable-rules workload")
    if errors:
        print(text[:8000], file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
