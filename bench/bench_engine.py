"""Benchmark the engine as users meet it: `Engine.evaluate` of parsed patients, and a cold CLI call.

    python bench/bench_engine.py [--evaluations 20000] [--latency-samples 5000] [--cli-runs 5]

Cases: every bundled example (`examples/**/*.yaml`) and the Synthea FHIR records in
../shared/fixtures/synthea (parsed once: the figures are for matching a parsed snapshot).  Each
sample evaluates the next case in turn, so consecutive samples are different patients.

Targets (issue "Engine core"): durable p99 <= 2 ms, compiled p99 <= 1 ms per evaluation; a cold
`setpoint evaluate` of the demo <= 0.6 s wall.  "Before" is the figure measured on this machine before
the engine-core redesign (issue 9): durable p50 ~11 ms / p99 ~18-22 ms, compiled p50 ~6.5 ms /
p99 ~11 ms under load, cold CLI ~3 s.  The cold CLI is measured twice, labelled: with an empty
rule-base cache (the first call after an install or a rule change) and with the cache filled.
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import psutil

from setpoint import Engine

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "fixtures" / "synthea"
AS_OF = date(2026, 11, 21)
BEFORE = {"durable": {"p50": 11.0, "p99": 20.0}, "compiled": {"p50": 6.5, "p99": 11.0}, "cli": 3.0}
TARGET = {"durable": 2.0, "compiled": 1.0, "cli": 0.6}


def cases(eng: Engine) -> list:
    snaps = [eng.snapshot(p) for p in sorted((ROOT / "examples").rglob("*.yaml"))]
    snaps += [eng.snapshot(p) for p in sorted(SHARED.glob("*.json"))] if SHARED.is_dir() else []
    snaps.append(eng.snapshot({"patient": {"sex": "male", "age": 40}}))
    return snaps


def latency(eng: Engine, snaps: list, n: int) -> list[float]:
    out = []
    for i in range(n):
        s = snaps[i % len(snaps)]
        t0 = time.perf_counter()
        eng.evaluate(s, as_of=AS_OF)
        out.append((time.perf_counter() - t0) * 1000)
    return out


def pct(xs: list[float], p: float) -> float:
    return statistics.quantiles(xs, n=1000)[int(p * 10) - 1]


def run(matcher: str, evaluations: int, samples: int) -> dict[str, float]:
    eng = Engine.load(matcher=matcher, freeze=True)  # type: ignore[arg-type]
    snaps = cases(eng)
    latency(eng, snaps, 200)  # warm up
    lat = latency(eng, snaps, samples)
    proc = psutil.Process()
    gc.collect()
    rss0 = proc.memory_info().rss
    t0 = time.perf_counter()
    for i in range(evaluations):
        eng.evaluate(snaps[i % len(snaps)], as_of=AS_OF)
    elapsed = time.perf_counter() - t0
    gc.collect()
    rss1 = proc.memory_info().rss
    return {"p50": statistics.median(lat), "p99": pct(lat, 99), "max": max(lat), "eps": evaluations / elapsed,
            "rss0": rss0 / 2**20, "rss1": rss1 / 2**20, "rules": len(eng.rulebase.rules), "cases": len(snaps)}


def cold_cli(runs: int) -> dict[str, float]:
    """Wall time of `setpoint evaluate` on the demo in a new process: empty cache, then filled cache."""
    exe = Path(sys.executable).parent / "setpoint"
    cmd = [str(exe), "evaluate", str(ROOT / "examples" / "perimenopause-and-lithium.yaml"), "--as-of", "2026-11-21"]
    out: dict[str, list[float]] = {"empty cache": [], "filled cache": []}
    for _ in range(runs):
        cache = tempfile.mkdtemp(prefix="setpoint-bench-cache-")
        env = {**os.environ, "SETPOINT_CACHE_DIR": cache}
        for label in ("empty cache", "filled cache"):
            t0 = time.perf_counter()
            subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
            out[label].append(time.perf_counter() - t0)
        shutil.rmtree(cache, ignore_errors=True)
    return {k: statistics.median(v) for k, v in out.items()}


def verdict(value: float, target: float) -> str:
    return f"{'met' if value <= target else 'MISSED'} ({value:.3g} vs target {target:g})"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--evaluations", type=int, default=20_000)
    ap.add_argument("--latency-samples", type=int, default=5_000)
    ap.add_argument("--cli-runs", type=int, default=5)
    args = ap.parse_args()
    results = {m: run(m, args.evaluations, args.latency_samples) for m in ("durable", "compiled")}
    d = results["durable"]
    print(f"Setpoint engine benchmark: {d['rules']} rules, {d['cases']} cases (bundled examples and Synthea FHIR "
          f"records), {args.evaluations} evaluations per matcher, {args.latency_samples} latency samples")
    header = ("matcher", "eval/s", "p50 ms", "p99 ms", "max ms", "RSS MB", "growth MB", "before p50/p99 ms")
    print(f"{header[0]:<10}{header[1]:>9}{header[2]:>9}{header[3]:>9}{header[4]:>9}{header[5]:>9}{header[6]:>11}"
          f"{header[7]:>20}")
    for name, r in results.items():
        before = f"{BEFORE[name]['p50']:g} / {BEFORE[name]['p99']:g}"
        print(f"{name:<10}{r['eps']:>9.0f}{r['p50']:>9.3f}{r['p99']:>9.3f}{r['max']:>9.2f}{r['rss1']:>9.1f}"
              f"{r['rss1'] - r['rss0']:>11.1f}{before:>20}")
    cli = cold_cli(args.cli_runs)
    print(f"cold `setpoint evaluate` of the demo (median of {args.cli_runs}, wall s): "
          + ", ".join(f"{k} {v:.3f}" for k, v in cli.items()) + f"; before {BEFORE['cli']:g} s")
    for name in ("durable", "compiled"):
        print(f"target {name} p99 <= {TARGET[name]:g} ms: {verdict(results[name]['p99'], TARGET[name])}")
    print(f"target cold CLI <= {TARGET['cli']:g} s (filled cache): {verdict(cli['filled cache'], TARGET['cli'])}")
    growth = d["rss1"] - d["rss0"]
    print(f"target RSS growth <= 10 MB over {args.evaluations} evaluations: {verdict(growth, 10.0)}")


if __name__ == "__main__":
    main()
