"""Benchmark `setpoint batch`: patients per second per core on fresh synthetic patients, and what
1 million patients would take on a 16-core machine and on a Dask cluster of such machines.

    python bench/bench_batch.py [--patients 1000] [--synthea-patients 100] [--workers N] [--format bulk]

Two populations from bench/population.py (never evaluated before in the process: no cache helps):
the default mix (mostly example-derived records of 5-30 resources, 5 % whole Synthea records) and
Synthea-sized records only (140-540 entries, 0.5-2 MB each). Each is run twice: in this process
(`--workers 1`, the engine already loaded) and with the local process pool (`--workers`, default
the cores, including worker start-up). Per core is patients per CPU-second (this process and its
workers), which other jobs on a shared machine do not distort as they do wall time; the projections
use the one-process figure and assume linear scaling (partitions are independent; on Dask the input
must be on storage every worker reads). Target (issue 13): >= 100 Synthea-sized patients per second
per core.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import population
from setpoint.batch import BatchOptions, run_batch
from setpoint.batch.evaluate import warm
from setpoint.batch.local import default_workers

AS_OF = date(2026, 11, 21)
MILLION = 1_000_000
TARGET_PER_CORE = 100.0


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (the pool's workers)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _run(inp: Path, out: Path, workers: int) -> tuple[float, float, int, int]:
    """(wall seconds, CPU seconds, patients, errors)."""
    t0, c0 = time.perf_counter(), _cpu()
    r = run_batch(BatchOptions(input=inp, out=out, as_of=AS_OF, workers=workers, progress=False))
    return time.perf_counter() - t0, _cpu() - c0, r.summary.patients, r.summary.errors


def _hours(seconds: float) -> str:
    return f"{seconds / 3600:.1f} h" if seconds >= 3600 else f"{seconds / 60:.0f} min"


def bench(label: str, n: int, share: float, seed: int, fmt: str, workers: int, root: Path) -> float:
    t0 = time.perf_counter()
    inp = population.write(n, root / label, fmt, seed=seed, synthea_share=share)  # type: ignore[arg-type]
    size = sum(f.stat().st_size for f in (root / label).rglob("*") if f.is_file())
    print(f"\n{label}: {n} patients, {size / n / 1024:.0f} KiB each on average ({fmt}; generated in "
          f"{time.perf_counter() - t0:.1f} s)")
    one_t, one_cpu, patients, errors = _run(inp, root / f"{label}-1" / "r.parquet", 1)
    per_core = patients / one_cpu
    print(f"  one process:        {patients / one_t:6.1f} patients/s wall ({one_t:.1f} s), "
          f"{per_core:6.1f} per CPU-second ({errors} errors)")
    pool_t, pool_cpu, patients, _ = _run(inp, root / f"{label}-{workers}" / "r.parquet", workers)
    print(f"  {workers} worker processes: {patients / pool_t:6.1f} patients/s wall ({pool_t:.1f} s, with worker "
          f"start-up), {patients / pool_cpu:6.1f} per CPU-second")
    sixteen = MILLION / (per_core * 16)
    print(f"  1 million patients at {per_core:.1f}/s per core: {_hours(MILLION / per_core)} on 1 core, "
          f"{_hours(sixteen)} on a 16-core machine, {_hours(sixteen / 10)} on a Dask cluster of 10 such machines")
    return per_core


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--patients", type=int, default=1000, help="patients in the default mix")
    ap.add_argument("--synthea-patients", type=int, default=100, help="Synthea-sized patients")
    ap.add_argument("--workers", type=int, default=default_workers())
    ap.add_argument("--format", choices=("bundles", "ndjson", "bulk"), default="ndjson")
    ap.add_argument("--seed", type=int, default=int(time.time()), help="default: fresh patients every run")
    a = ap.parse_args()
    t0 = time.perf_counter()
    warm(None, None)
    print(f"engine loaded in {time.perf_counter() - t0:.1f} s; {default_workers()} cores here; seed {a.seed}")
    with tempfile.TemporaryDirectory(prefix="setpoint-bench-batch-") as tmp:
        bench("mix", a.patients, 0.05, a.seed, a.format, a.workers, Path(tmp))
        synthea = bench("synthea-sized", a.synthea_patients, 1.0, a.seed + 1, a.format, a.workers, Path(tmp))
    verdict = "met" if synthea >= TARGET_PER_CORE else "NOT met"
    print(f"\ntarget >= {TARGET_PER_CORE:.0f} Synthea-sized patients/s per core: {verdict} ({synthea:.1f})")


if __name__ == "__main__":
    main()
