"""Benchmark FHIR input: CPU time to map a request into a snapshot, the fast path against the strict one.

    python bench/bench_fhir.py [--n 200] [--profile fast-prefetch|fast-record]

Two inputs, every sample fresh (new resource ids, so the strict path's parse cache never hits; the fast path
keeps nothing between calls):

- a CDS Hooks patient-view request with a 200-entry prefetch (as bench/bench_service.py builds it from the
  Synthea fixtures: the Patient, conditions, medication requests and procedures of one record and the most
  recent observations of all three, as searchset Bundles), timed end to end as the service does it: the
  request body (bytes) parsed within the service's limits, the prefetch gathered, the snapshot built;
- the largest Synthea record, timed from its bytes to the snapshot (`Engine.snapshot(bytes)`).

Targets (issue 13): the prefetch <= 5 ms, the record <= 25 ms, on the fast path.  CPU time
(time.process_time) per call; the median, p95 and minimum of `--n` calls are printed, with the parse and the
mapping apart.  The engine is frozen out of the garbage collector's way as the service does it
(`Engine.load(freeze=True)`), and the collector runs as it would: its pauses are inside the figures.
"""

from __future__ import annotations

import argparse
import copy
import gc
import json
import os
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

sys.path.insert(0, str(ROOT / "bench"))

import population  # noqa: E402  (the prefetch shared with bench_service)

from setpoint import Engine  # noqa: E402
from setpoint.fhir import parse as strict_parse  # noqa: E402
from setpoint.service.limits import Limits, loads  # noqa: E402
from setpoint.service.prefetch import gather  # noqa: E402
from setpoint.service.settings import Settings  # noqa: E402

SYNTHEA = ROOT.parent / "shared" / "fixtures" / "synthea"
ENTRIES = 200
TARGETS = {"prefetch": 5.0, "record": 25.0}


def _resources(path: Path) -> list[dict[str, Any]]:
    return [e["resource"] for e in json.loads(path.read_bytes())["entry"]]


def prefetch() -> tuple[dict[str, Any], str]:
    main, *others = sorted(SYNTHEA.glob("Eliseo_*.json")) + sorted(SYNTHEA.glob("[HT]*.json"))
    res = _resources(main)
    obs = [r for p in [main, *others] for r in _resources(p) if r["resourceType"] == "Observation"]
    obs.sort(key=lambda r: r.get("effectiveDateTime", ""), reverse=True)
    return population.cds_prefetch(res, obs, ENTRIES)


def request_body(pre: dict[str, Any], pid: str) -> bytes:
    """A patient-view request whose every resource has a new id (nothing cached anywhere)."""
    pre = copy.deepcopy(pre)
    for key, b in pre.items():
        if key != "patient":
            for e in b["entry"]:
                e["resource"]["id"] = str(uuid.uuid4())
                e["fullUrl"] = e["fullUrl"].rsplit("/", 1)[0] + "/" + e["resource"]["id"]
    req = {"hook": "patient-view", "hookInstance": str(uuid.uuid4()),
           "context": {"userId": "Practitioner/bench", "patientId": pid}, "prefetch": pre}
    return json.dumps(req).encode()


def record_body(path: Path) -> bytes:
    doc = json.loads(path.read_bytes())
    for e in doc["entry"]:
        if e["resource"]["resourceType"] != "Patient":
            e["resource"]["id"] = str(uuid.uuid4())
    return json.dumps(doc).encode()


def service_call(eng: Engine, body: bytes, limits: Limits, strict: bool) -> tuple[float, float]:
    """(parse ms, map ms) of one request, as the service handles it (engine.service.app and .hooks)."""
    t0 = time.process_time()
    doc = loads(body, limits)
    t1 = time.process_time()
    g = gather(doc["prefetch"])
    bundle = {"resourceType": "Bundle", "type": "collection",
              "entry": [{"resource": r, **({"fullUrl": f} if f else {})} for r, f in g.entries]}
    eng.snapshot(bundle, source="request", strict_fhir=strict)
    t2 = time.process_time()
    return (t1 - t0) * 1000, (t2 - t1) * 1000


def record_call(eng: Engine, body: bytes, strict: bool) -> tuple[float, float]:
    from setpoint.inputs.text import parse_bytes

    t0 = time.process_time()
    doc = parse_bytes(body, "record")  # as Engine.snapshot(bytes) reads it
    t1 = time.process_time()
    eng.snapshot(doc, source="record", strict_fhir=strict)
    t2 = time.process_time()
    return (t1 - t0) * 1000, (t2 - t1) * 1000


def sample(call: Callable[[bytes], tuple[float, float]], bodies: list[bytes], strict: bool) -> dict[str, float]:
    parse_ms, map_ms, total = [], [], []
    for body in bodies:
        if strict:
            strict_parse._cache.data.clear()
        p, m = call(body)
        parse_ms.append(p)
        map_ms.append(m)
        total.append(p + m)
    total.sort()
    return {"parse": statistics.median(parse_ms), "map": statistics.median(map_ms), "p50": statistics.median(total),
            "p95": total[min(len(total) - 1, int(0.95 * len(total)))], "min": total[0]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=200, help="samples per measurement (default 200; strict uses n/4)")
    ap.add_argument("--profile", choices=["fast-prefetch", "fast-record", "strict-prefetch"],
                    help="cProfile the mapping of one input instead of timing")
    args = ap.parse_args()
    eng = Engine.load(freeze=True)  # as the service and batch workers load it (gc.freeze)
    s = Settings()
    limits = Limits(s.max_depth, s.max_string_bytes, s.max_entries)
    pre, pid = prefetch()
    record = max(SYNTHEA.glob("*.json"), key=lambda p: p.stat().st_size)
    n = args.n
    prefetch_bodies = [request_body(pre, pid) for _ in range(n)]
    record_bodies = [record_body(record) for _ in range(max(10, n // 4))]
    # Warm up both paths (imports, compiled patterns, the vocabulary).
    for strict in (False, True):
        service_call(eng, prefetch_bodies[0], limits, strict)
        record_call(eng, record_bodies[0], strict)
    if args.profile:
        import cProfile
        import pstats

        strict = args.profile.startswith("strict")
        gc.collect()
        gc.disable()  # collections are timed apart (bench_service.py); here they would blur the profile
        prof = cProfile.Profile()
        prof.enable()
        for body in (prefetch_bodies if "prefetch" in args.profile else record_bodies):
            if "prefetch" in args.profile:
                service_call(eng, body, limits, strict)
            else:
                record_call(eng, body, strict)
        prof.disable()
        pstats.Stats(prof).sort_stats(os.environ.get("SORT", "tottime")).print_stats(30)
        return
    print(f"FHIR input, CPU ms per call (median of {n} fresh calls; strict: {max(10, n // 4)}), "
          f"parse = JSON to objects, map = objects to snapshot; load average {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} cores")
    print(f"{'input':<44} {'path':<7} {'parse':>7} {'map':>7} {'p50':>7} {'p95':>7} {'min':>7}  target (p50)")
    rows = [
        (f"prefetch, {ENTRIES} entries ({len(prefetch_bodies[0]) / 1024:.0f} KiB), service", "prefetch",
         lambda b, st: service_call(eng, b, limits, st), prefetch_bodies),
        (f"Synthea record {record.name.split('_')[0]} ({record.stat().st_size / 1e6:.1f} MB)", "record",
         lambda b, st: record_call(eng, b, st), record_bodies),
    ]
    for label, kind, fn, bodies in rows:
        for strict in (False, True):
            use = bodies if not strict else bodies[: max(10, len(bodies) // 4)]
            r = sample(lambda b, fn=fn, strict=strict: fn(b, strict), use, strict)
            target = TARGETS[kind]
            verdict = "" if strict else (f"<= {target:g} ms: " + ("met" if r["p50"] <= target else "NOT met"))
            print(f"{label:<44} {'strict' if strict else 'fast':<7} {r['parse']:7.2f} {r['map']:7.2f} "
                  f"{r['p50']:7.2f} {r['p95']:7.2f} {r['min']:7.2f}  {verdict}")


if __name__ == "__main__":
    main()
