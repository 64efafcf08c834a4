"""Benchmark the CDS Hooks service: latency of patient-view calls carrying a 200-entry prefetch.

    python bench/bench_service.py [--workers 2] [--requests 400] [--clients 1 16]

Starts `setpoint serve` on a free loopback port (a subprocess, as in production) and calls it over
HTTP with 1 and with 16 concurrent clients (threads, keep-alive connections).  The prefetch is built
from the Synthea fixtures: the Patient, conditions, medication requests and procedures of one record
and the most recent observations of all three records re-addressed to that patient (vital signs,
labs and Synthea's many observations the engine does not use), as searchset Bundles, 200 entries.

Two runs per client count: "repeat" sends the same prefetch each time (an EHR re-sending a chart: the
parsed-resource cache is warm), "fresh" gives every resource new ids on every call (nothing cached).
Target (issue 4): p95 <= 50 ms at 16 concurrent clients on a 2-core machine.
"""

from __future__ import annotations

import argparse
import copy
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parent.parent
SYNTHEA = ROOT.parent / "shared" / "fixtures" / "synthea"
SERVICE = "/cds-services/setpoint-patient-view"
ENTRIES = 200
TARGET_P95_MS = 50.0


def _resources(path: Path) -> list[dict[str, Any]]:
    return [e["resource"] for e in json.loads(path.read_text(encoding="utf-8"))["entry"]]


def prefetch() -> tuple[dict[str, Any], str]:
    main, *others = sorted(SYNTHEA.glob("Eliseo_*.json")) + sorted(SYNTHEA.glob("[HT]*.json"))
    res = _resources(main)
    patient = next(r for r in res if r["resourceType"] == "Patient")
    pid = patient["id"]
    pick = {t: [r for r in res if r["resourceType"] == t] for t in ("Condition", "MedicationRequest", "Procedure")}
    obs = [r for p in [main, *others] for r in _resources(p) if r["resourceType"] == "Observation"]
    obs.sort(key=lambda r: r.get("effectiveDateTime", ""), reverse=True)
    room = ENTRIES - 1 - sum(len(v) for v in pick.values())
    chosen = []
    for o in obs[:room]:
        o = copy.deepcopy(o)
        o["subject"] = {"reference": f"Patient/{pid}"}
        chosen.append(o)

    def searchset(rs: list[dict[str, Any]], rtype: str) -> dict[str, Any]:
        return {"resourceType": "Bundle", "type": "searchset", "total": len(rs),
                "link": [{"relation": "self", "url": f"https://ehr.example.org/fhir/{rtype}?patient={pid}"}],
                "entry": [{"fullUrl": f"https://ehr.example.org/fhir/{rtype}/{r['id']}", "resource": r} for r in rs]}

    pre = {"patient": patient, "conditions": searchset(pick["Condition"], "Condition"),
           "medications": searchset(pick["MedicationRequest"], "MedicationRequest"),
           "procedures": searchset(pick["Procedure"], "Procedure"), "observations": searchset(chosen, "Observation")}
    n = 1 + sum(len(b["entry"]) for k, b in pre.items() if k != "patient")
    assert n == ENTRIES, n
    return pre, pid


def request_body(pre: dict[str, Any], pid: str, fresh: bool) -> bytes:
    if fresh:  # new ids everywhere: every resource is new to the service's parse cache
        pre = copy.deepcopy(pre)
        for key, b in pre.items():
            if key != "patient":
                for e in b["entry"]:
                    e["resource"]["id"] = str(uuid.uuid4())
    req = {"hook": "patient-view", "hookInstance": str(uuid.uuid4()),
           "context": {"userId": "Practitioner/bench", "patientId": pid}, "prefetch": pre}
    return json.dumps(req).encode()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(workers: int, data: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    env = {**os.environ, "SETPOINT_AS_OF": "2026-11-21"}
    proc = subprocess.Popen([sys.executable, "-m", "engine.cli", "serve", "--port", str(port), "--workers",
                             str(workers), "--data-dir", str(data), "--log-level", "warning"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", "/cds-services")
            if c.getresponse().status == 200:
                return proc, port
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the service did not start within 60 s")


def run(port: int, bodies: list[bytes], clients: int) -> tuple[list[float], float]:
    lat: list[float] = []
    lock = threading.Lock()
    it = iter(bodies)

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.connect()
        # http.client writes a large body separately from the headers: without TCP_NODELAY, Nagle's
        # algorithm and the server's delayed ACK add ~40 ms to every call (an artefact of this client).
        conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        mine = []
        while True:
            with lock:
                body = next(it, None)
            if body is None:
                break
            t0 = time.perf_counter()
            conn.request("POST", SERVICE, body=body, headers={"Content-Type": "application/json"})
            resp = conn.getresponse()
            data = resp.read()
            mine.append((time.perf_counter() - t0) * 1000)
            if resp.status != 200 or b'"cards"' not in data:
                raise SystemExit(f"unexpected answer {resp.status}: {data[:200]!r}")
        conn.close()
        with lock:
            lat.extend(mine)

    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return lat, time.perf_counter() - t0


def server_cpu(proc: subprocess.Popen[bytes]) -> float:
    """CPU seconds used so far by the service (the parent and its worker processes)."""
    root = psutil.Process(proc.pid)
    total = 0.0
    for p in [root, *root.children(recursive=True)]:
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.NoSuchProcess:
            pass
    return total


def pct(xs: list[float], p: float) -> float:
    return statistics.quantiles(xs, n=100, method="inclusive")[int(p) - 1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--workers", type=int, default=2, help="service worker processes (default 2: one per core)")
    ap.add_argument("--requests", type=int, default=400, help="measured requests per run")
    ap.add_argument("--clients", type=int, nargs="+", default=[1, 16])
    args = ap.parse_args()
    pre, pid = prefetch()
    size = len(request_body(pre, pid, False))
    print(f"patient-view, {ENTRIES}-entry prefetch ({size / 1024:.0f} KiB), {args.workers} worker(s), "
          f"{os.cpu_count()} cores, {args.requests} requests per run")
    with tempfile.TemporaryDirectory() as tmp:
        proc, port = start(args.workers, Path(tmp))
        try:
            warm = [request_body(pre, pid, False) for _ in range(50)]
            run(port, warm, max(args.clients))  # warm up every worker
            print(f"{'mode':<7} {'clients':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'req/s':>7} "
                  f"{'server CPU ms/req':>18} {'client CPU ms/req':>18}")
            p95_at_16 = None
            for mode in ("repeat", "fresh"):
                for clients in args.clients:
                    bodies = [request_body(pre, pid, mode == "fresh") for _ in range(args.requests)]
                    cpu0, own0 = server_cpu(proc), time.process_time()
                    lat, wall = run(port, bodies, clients)
                    cpu = (server_cpu(proc) - cpu0) * 1000 / len(lat)
                    own = (time.process_time() - own0) * 1000 / len(lat)
                    p95 = pct(lat, 95)
                    print(f"{mode:<7} {clients:>7} {statistics.median(lat):>8.1f} {p95:>8.1f} {pct(lat, 99):>8.1f} "
                          f"{len(lat) / wall:>7.0f} {cpu:>18.1f} {own:>18.1f}")
                    if clients == 16 and mode == "repeat":
                        p95_at_16 = p95
            print(f"machine load average during the runs: {os.getloadavg()[0]:.2f} (other processes share the cores)")
            if p95_at_16 is not None:
                verdict = "met" if p95_at_16 <= TARGET_P95_MS else "NOT met"
                print(f"target p95 <= {TARGET_P95_MS:g} ms at 16 clients (repeat): {verdict} ({p95_at_16:.1f} ms)")
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()


if __name__ == "__main__":
    main()
