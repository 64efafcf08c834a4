"""Benchmark the CDS Hooks service: latency of patient-view calls carrying a 200-entry prefetch.

    python bench/bench_service.py [--workers 1] [--eval-processes N] [--requests 300] [--clients 1 16]

Starts `setpoint serve` on a free loopback port (a subprocess, as in production) and calls it over
HTTP with 1 and with 16 concurrent clients (threads, keep-alive connections).  Each prefetch is 200
entries as searchset Bundles (Patient, conditions, medication requests, procedures, observations)
built from the Synthea records in ../shared/fixtures/synthea.

Two kinds of traffic, reported separately:
- "fresh": every call is a DIFFERENT patient: a variant of one of the three Synthea records made
  with bench/population.py (new patient and resource ids, every date moved, measured values scaled),
  topped up to 200 entries with the latest observations of variants of the other records, re-addressed
  to that patient.  Nothing can come from the result cache: this is an EHR opening charts.
- "repeat": the same patient every call (a new hookInstance each time): an EHR re-sending a chart,
  answered from the result cache (keyed by a digest of the input and the rule base hash).
Target (issue 13): 16 concurrent clients, fresh patients, p95 <= 50 ms and >= 200 requests/s on 2 cores.

Both ways of running the service are measured (`--auth both`, the default): unauthenticated
(`--allow-unauthenticated`) and authenticated (`--trust`: every call carries an ES384 JWT with its own
jti, signed before the clock starts, verified against a JWKS served from this process on loopback).
Target (issue 12): the authenticated path costs at most ~1 ms more per request.
Server CPU per request counts the service process and all its children (evaluation workers); "of it
event loop" is the share of the server process(es) themselves, outside the evaluation workers.
"""

from __future__ import annotations

import argparse
import functools
import http.client
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import jwt
import psutil
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

ROOT = Path(__file__).resolve().parent.parent
SYNTHEA = ROOT.parent / "shared" / "fixtures" / "synthea"
SERVICE = "/cds-services/setpoint-patient-view"
ENTRIES = 200
TARGET_P95_MS = 50.0
TARGET_RPS = 200.0
TARGET_AUTH_MS = 1.0
ISS = "https://ehr.example.org/"


class Ehr:
    """An EHR's signing key (ES384 by default) and its JWKS, served over HTTP on loopback."""

    def __init__(self, alg: str = "ES384") -> None:
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.alg = alg
        if alg.startswith("ES"):
            self.key: Any = ec.generate_private_key(ec.SECP384R1() if alg == "ES384" else ec.SECP256R1())
            jwk = ECAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        else:
            self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            jwk = RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        jwk |= {"kid": "bench", "use": "sig", "alg": alg}
        data = json.dumps({"keys": [jwk]}).encode()

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a: Any) -> None:
                pass

            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.jwks = f"http://127.0.0.1:{self.httpd.server_address[1]}/jwks.json"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def token(self, aud: str) -> str:
        now = int(time.time())
        return jwt.encode({"iss": ISS, "aud": aud, "iat": now, "exp": now + 300, "jti": str(uuid.uuid4()),
                           "sub": "bench"}, self.key, algorithm=self.alg, headers={"kid": "bench"})


def verifier_cost(alg: str, n: int = 300) -> float:
    """Milliseconds per call of the service's JWT verifier alone (JWKS cached, jti recorded in SQLite)."""
    import asyncio

    from setpoint.service.auth import JwksCache, Verifier
    from setpoint.service.settings import Issuer, Settings
    from setpoint.service.store import Store

    ehr = Ehr(alg)
    aud = "https://cds.example.org" + SERVICE
    tokens = [f"Bearer {ehr.token(aud)}" for _ in range(n + 1)]
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), public_url="https://cds.example.org",
                            trust=(Issuer(iss=ISS, jwks_url=ehr.jwks),))

        async def go() -> float:
            cache = JwksCache(600)
            v = Verifier(settings, cache, Store(Path(tmp)))
            await v.verify(tokens[0], [aud])  # fetches the JWKS
            t0 = time.perf_counter()
            for t in tokens[1:]:
                await v.verify(t, [aud])
            elapsed = (time.perf_counter() - t0) * 1000 / n
            await cache.close()
            return elapsed

        return asyncio.run(go())


def _resources(path: Path) -> list[dict[str, Any]]:
    return [e["resource"] for e in json.loads(path.read_text(encoding="utf-8"))["entry"]]


def _records() -> list[Path]:
    return sorted(SYNTHEA.glob("*.json"))


def prefetch(variant: int | None = None) -> tuple[dict[str, Any], str]:
    """A 200-entry prefetch.  `variant` None: the Eliseo Cummings record as it is (the "repeat" patient);
    a number: a different patient, made from record `variant % 3` by bench/population.py's variation
    (new ids, dates moved, values scaled), observations topped up from variants of the other records."""
    sys.path.insert(0, str(ROOT / "bench"))
    import population  # the synthetic population's Synthea variation, and the shared prefetch

    records = _records()
    if variant is None:
        main, *others = sorted(records, key=lambda p: not p.name.startswith("Eliseo"))
        res = _resources(main)
        extra = [r for p in others for r in _resources(p) if r["resourceType"] == "Observation"]
    else:
        rng = random.Random(f"bench-service:{variant}")
        pid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        texts = population.synthea_templates()
        k = variant % len(texts)
        orig = population.synthea_templates

        def variant_of(j: int) -> list[dict[str, Any]]:
            population.synthea_templates = lambda: (texts[j],)  # type: ignore[assignment]
            try:
                # the other records' ids share the patient id's first 24 characters (see fresh_bodies)
                own = pid if j == k else f"{pid[:24]}{j:04d}{pid[28:]}"
                return population._from_synthea(rng, own, population.AS_OF)
            finally:
                population.synthea_templates = orig  # type: ignore[assignment]

        res = variant_of(k)
        extra = [r for j in range(len(texts)) if j != k for r in variant_of(j) if r["resourceType"] == "Observation"]
    obs = sorted((r for r in res if r["resourceType"] == "Observation"),
                 key=lambda r: r.get("effectiveDateTime", ""), reverse=True)
    extra.sort(key=lambda r: r.get("effectiveDateTime", ""), reverse=True)
    return population.cds_prefetch(res, [*obs, *extra], ENTRIES)


def request_body(pre: dict[str, Any], pid: str) -> bytes:
    req = {"hook": "patient-view", "hookInstance": str(uuid.uuid4()),
           "context": {"userId": "Practitioner/bench", "patientId": pid}, "prefetch": pre}
    return json.dumps(req).encode()


BASES = 12  # full variants (4 per Synthea record); each fresh call is a further variant of one of them
_DAY = re.compile(r'"(\d{4}-\d{2}-\d{2})')


def fresh_bodies(n: int, start: int) -> list[bytes]:
    """n different patients: numbers start..start+n-1, each a variant of one of BASES full variants with
    its own patient and resource ids, its dates moved by up to +-60 days and its measured values scaled."""
    bases = _bases()
    out = []
    for i in range(start, start + n):
        rng = random.Random(f"bench-service-fresh:{i}")
        text, old = bases[i % len(bases)]
        new = str(uuid.UUID(int=rng.getrandbits(128), version=4))[:24]
        delta = timedelta(days=rng.randint(-60, 60))
        moved = _DAY.sub(lambda m, delta=delta: '"' + (date.fromisoformat(m.group(1)) + delta).isoformat(),
                         text.replace(old[:24], new))
        pre = json.loads(moved)
        factor = rng.lognormvariate(0, 0.1)
        for e in pre["observations"]["entry"]:
            q = e["resource"].get("valueQuantity")
            if isinstance(q, dict) and isinstance(q.get("value"), int | float):
                q["value"] = round(q["value"] * factor, 3)
        out.append(request_body(pre, pre["patient"]["id"]))
    return out


@functools.cache
def _bases() -> list[tuple[str, str]]:
    return [(json.dumps(pre), pid) for pre, pid in (prefetch(v) for v in range(BASES))]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(args: argparse.Namespace, data: Path, ehr: Ehr | None) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    root = args.service_root.resolve()
    env = {**os.environ, "SETPOINT_AS_OF": "2026-11-21", "PYTHONPATH": str(root)}
    auth = ["--trust", f"{ISS}={ehr.jwks}"] if ehr else ["--allow-unauthenticated"]
    pool = ["--eval-processes", str(args.eval_processes)] if args.eval_processes is not None else []
    proc = subprocess.Popen([sys.executable, "-m", "setpoint.cli", "serve", "--port", str(port), "--workers",
                             str(args.workers), "--data-dir", str(data), "--log-level", "warning", *auth, *pool],
                            cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
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


def run(port: int, bodies: list[bytes], clients: int, ehr: Ehr | None = None) -> tuple[list[float], float]:
    lat: list[float] = []
    lock = threading.Lock()
    aud = f"http://127.0.0.1:{port}{SERVICE}"
    # Tokens are signed before the clock starts: the EHR's signing is not the service's cost.
    it = iter([(b, {"Authorization": f"Bearer {ehr.token(aud)}"} if ehr else {}) for b in bodies])

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.connect()
        # http.client writes a large body separately from the headers: without TCP_NODELAY, Nagle's
        # algorithm and the server's delayed ACK add ~40 ms to every call (an artefact of this client).
        conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        mine = []
        while True:
            with lock:
                item = next(it, None)
            if item is None:
                break
            body, auth = item
            t0 = time.perf_counter()
            conn.request("POST", SERVICE, body=body, headers={"Content-Type": "application/json", **auth})
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


def server_cpu(proc: subprocess.Popen[bytes]) -> tuple[float, float]:
    """CPU seconds used so far by the service: (all its processes, the evaluation workers and fork servers
    among them).  A worker replaced meanwhile is not counted."""
    root = psutil.Process(proc.pid)
    total = workers = 0.0
    for p in [root, *root.children(recursive=True)]:
        try:
            t = p.cpu_times()
            total += t.user + t.system
            if "multiprocessing.forkserver" in " ".join(p.cmdline()):
                workers += t.user + t.system
        except psutil.NoSuchProcess:
            pass
    return total, workers


def pct(xs: list[float], p: float) -> float:
    return statistics.quantiles(xs, n=100, method="inclusive")[int(p) - 1]


def measure(args: argparse.Namespace, pre: dict[str, Any], pid: str, ehr: Ehr | None,
            fresh_from: int) -> dict[tuple[str, int], Any]:
    """One service (authenticated when `ehr`): the table rows, keyed by (mode, clients)."""
    out: dict[tuple[str, int], Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        proc, port = start(args, Path(tmp), ehr)
        try:
            # warm up every worker (and the JWKS cache) with patients that are not measured
            run(port, fresh_bodies(4 * max(args.clients), 10**6 + fresh_from), max(args.clients), ehr)
            label = f"JWT ({ehr.alg})" if ehr else "no auth"
            for mode in args.modes:
                for clients in args.clients:
                    if mode == "fresh":
                        bodies = fresh_bodies(args.requests, fresh_from)
                        fresh_from += args.requests
                    else:
                        bodies = [request_body(pre, pid) for _ in range(args.requests)]
                    (cpu0, eval0), own0 = server_cpu(proc), time.process_time()
                    lat, wall = run(port, bodies, clients, ehr)
                    cpu1, eval1 = server_cpu(proc)
                    cpu = (cpu1 - cpu0) * 1000 / len(lat)
                    front = (cpu1 - eval1 - cpu0 + eval0) * 1000 / len(lat)
                    own = (time.process_time() - own0) * 1000 / len(lat)
                    rps = len(lat) / wall
                    out[(mode, clients)] = (statistics.median(lat), pct(lat, 95), cpu, rps)
                    print(f"{label:<12} {mode:<7} {clients:>7} {statistics.median(lat):>8.1f} {pct(lat, 95):>8.1f} "
                          f"{pct(lat, 99):>8.1f} {rps:>7.0f} {cpu:>18.1f} {front:>20.1f} {own:>18.1f}", flush=True)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
    return out


def compare_auth(args: argparse.Namespace, pre: dict[str, Any], pid: str, ehr: Ehr) -> tuple[float, float]:
    """Both services at once, one client alternating requests between them (so that other load on the
    machine falls on both alike); returns the median latency (ms) without and with authentication."""
    with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
        (pa, port_a), (pb, port_b) = start(args, Path(a), None), start(args, Path(b), ehr)
        try:
            body = request_body(pre, pid)
            run(port_a, [body] * 20, 1)
            run(port_b, [body] * 20, 1, ehr)
            plain: list[float] = []
            signed: list[float] = []
            for _ in range(args.requests // 10):  # ten at a time each, alternating
                plain += run(port_a, [body] * 10, 1)[0]
                signed += run(port_b, [body] * 10, 1, ehr)[0]
            return statistics.median(plain), statistics.median(signed)
        finally:
            for p in (pa, pb):
                p.terminate()
                try:
                    p.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    p.kill()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--workers", type=int, default=1, help="uvicorn worker processes (default 1)")
    ap.add_argument("--eval-processes", type=int, default=None,
                    help="evaluation processes per uvicorn worker (default: the service's default)")
    ap.add_argument("--requests", type=int, default=300, help="measured requests per run")
    ap.add_argument("--clients", type=int, nargs="+", default=[1, 16])
    ap.add_argument("--service-root", type=Path, default=ROOT,
                    help="the checkout whose service is measured (default this one; e.g. an older release, "
                         "for a before/after comparison on the same machine)")
    ap.add_argument("--modes", nargs="+", choices=["fresh", "repeat"], default=["fresh", "repeat"])
    ap.add_argument("--auth", choices=["both", "off", "on"], default="both",
                    help="measure the unauthenticated service, the JWT-authenticated one, or both (default)")
    ap.add_argument("--alg", choices=["ES384", "RS384", "ES256"], default="ES384",
                    help="the algorithm the authenticated run's EHR signs with (default ES384)")
    args = ap.parse_args()
    pre, pid = prefetch()
    size = len(request_body(pre, pid))
    print(f"patient-view, {ENTRIES}-entry prefetch ({size / 1024:.0f} KiB), {args.workers} uvicorn worker(s), "
          f"eval processes {args.eval_processes if args.eval_processes is not None else 'default'}, "
          f"{os.cpu_count()} cores, {args.requests} requests per run")
    print(f"{'service':<12} {'mode':<7} {'clients':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'req/s':>7} "
          f"{'server CPU ms/req':>18} {'of it event loop':>20} {'client CPU ms/req':>18}")
    plain = measure(args, pre, pid, None, 0) if args.auth in ("both", "off") else {}
    signed = measure(args, pre, pid, Ehr(args.alg), 50_000) if args.auth in ("both", "on") else {}
    print(f"machine load average during the runs: {os.getloadavg()[0]:.2f} (other processes share the cores)")
    for results in (plain, signed):
        which = "JWT" if results is signed else "no auth"
        if ("fresh", 16) in results:
            _, p95, _, rps = results[("fresh", 16)]
            print(f"target at 16 clients, fresh patients ({which}): p95 <= {TARGET_P95_MS:g} ms: "
                  f"{'met' if p95 <= TARGET_P95_MS else 'NOT met'} ({p95:.1f} ms); >= {TARGET_RPS:g} req/s: "
                  f"{'met' if rps >= TARGET_RPS else 'NOT met'} ({rps:.0f} req/s)")
        if ("repeat", 16) in results:
            _, p95, _, rps = results[("repeat", 16)]
            print(f"repeated patient at 16 clients ({which}): p95 {p95:.1f} ms, {rps:.0f} req/s")
    costs = {alg: verifier_cost(alg) for alg in ("ES384", "RS384", "ES256")} if args.auth != "off" else {}
    if costs:
        print("JWT verifier alone, per request (signature, claims, jti in SQLite): "
              + ", ".join(f"{alg} {ms:.2f} ms" for alg, ms in costs.items()))
    if args.auth == "both":
        p50_plain, p50_signed = compare_auth(args, pre, pid, Ehr(args.alg))
        extra = p50_signed - p50_plain
        print(f"authentication cost per request ({args.alg}, repeat, 1 client alternating between the two services): "
              f"p50 {p50_plain:.2f} ms without, {p50_signed:.2f} ms with: {extra:+.2f} ms; target <= "
              f"{TARGET_AUTH_MS:g} ms: {'met' if extra <= TARGET_AUTH_MS else 'NOT met'}")


if __name__ == "__main__":
    main()
