"""Benchmark Engine.evaluate: throughput, p50/p99 latency and memory growth, durable vs compiled.

    python bench/bench_engine.py [--evaluations 100000] [--latency-samples 5000]

Targets (issue "Engine foundation"): p99 <= 3 ms per evaluation; RSS growth <= 10 MB over
100,000 evaluations.  The compiled Python matcher is the lower bound; the ratio is printed.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
from datetime import date
from pathlib import Path

import psutil

from engine import Engine

ROOT = Path(__file__).resolve().parent.parent
AS_OF = date(2026, 11, 21)


def cases(eng: Engine) -> list:
    snaps = [eng.snapshot(p) for p in sorted((ROOT / "examples").rglob("*.yaml"))]
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
    eng = Engine.load(matcher=matcher)  # type: ignore[arg-type]
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
    return {"p50": statistics.median(lat), "p99": pct(lat, 99), "eps": evaluations / elapsed,
            "rss0": rss0 / 2**20, "rss1": rss1 / 2**20, "rules": len(eng.rulebase.rules), "cases": len(snaps)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--evaluations", type=int, default=100_000)
    ap.add_argument("--latency-samples", type=int, default=5_000)
    args = ap.parse_args()
    results = {m: run(m, args.evaluations, args.latency_samples) for m in ("durable", "compiled")}
    d, c = results["durable"], results["compiled"]
    print(f"Setpoint engine benchmark: {d['rules']} rules, {d['cases']} example cases, "
          f"{args.evaluations} evaluations per matcher, {args.latency_samples} latency samples")
    header = ("matcher", "eval/s", "p50 ms", "p99 ms", "RSS before MB", "RSS after MB", "growth MB")
    print(f"{header[0]:<10}{header[1]:>10}{header[2]:>10}{header[3]:>10}{header[4]:>16}{header[5]:>14}{header[6]:>11}")
    for name, r in results.items():
        print(f"{name:<10}{r['eps']:>10.0f}{r['p50']:>10.3f}{r['p99']:>10.3f}{r['rss0']:>16.1f}{r['rss1']:>14.1f}"
              f"{r['rss1'] - r['rss0']:>11.1f}")
    print(f"durable/compiled p50 ratio: {d['p50'] / c['p50']:.2f}x; throughput ratio: {c['eps'] / d['eps']:.2f}x")
    ok_p99 = d["p99"] <= 3.0
    ok_mem = (d["rss1"] - d["rss0"]) <= 10.0
    print(f"target p99 <= 3 ms: {'met' if ok_p99 else 'MISSED'} ({d['p99']:.3f} ms); "
          f"target RSS growth <= 10 MB: {'met' if ok_mem else 'MISSED'} ({d['rss1'] - d['rss0']:.1f} MB)")


if __name__ == "__main__":
    main()
