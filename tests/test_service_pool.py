"""The service's evaluation worker processes, end to end: `setpoint serve` on loopback, real HTTP.

Concurrent calls for different patients each get their own cards; an evaluation past its deadline
gets 503 and its worker process is killed and replaced while other calls are answered; a worker
killed with SIGKILL mid-request costs that request only (503) and is replaced; `--workers 2
--eval-processes 1` and `--eval-processes 0` (in-process) work.  A slow or crashing evaluation is
made with the service's test hooks (SETPOINT_TEST_HOOKS=1 and a test userId), not with mocks.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest

from setpoint.service.work import TEST_CRASH, TEST_HOOKS_ENV, TEST_SLOW

from .fhir_data import med, obs, patient, searchset
from .test_service import PV, Server

HOOKS_ON = {TEST_HOOKS_ENV: "1"}


def request(n: int, user: str = "Practitioner/1") -> dict[str, Any]:
    """Patient n: on lithium with a level of 1.5 + n/100 mmol/L when n is even; on sertraline otherwise."""
    pid = f"pool-patient-{n:03d}"
    if n % 2 == 0:
        meds = searchset(med(f"m{n}", None, "Lithium Carbonate 300 MG Oral Capsule", pid=pid, authoredOn="2025-06-01"))
        found = searchset(obs(f"o{n}", "14334-7", "Lithium", pid=pid,
                              valueQuantity={"value": round(1.5 + n / 100, 2), "unit": "mmol/L"}))
    else:
        meds = searchset(med(f"m{n}", None, "Sertraline 50 MG Oral Tablet", pid=pid, authoredOn="2025-06-01"))
        found = searchset()
    return {"hook": "patient-view", "hookInstance": f"pool-{n}-{time.monotonic_ns()}",
            "context": {"userId": user, "patientId": pid},
            "prefetch": {"patient": patient(pid), "medications": meds, "observations": found,
                         "conditions": None}}


def check_own_cards(n: int, r: httpx.Response) -> None:
    assert r.status_code == 200, r.text[:300]
    text = r.text
    cards = r.json()["cards"]
    rules = [c["source"]["topic"]["code"] for c in cards]
    others = [f"pool-patient-{k:03d}" for k in range(100) if k != n]
    assert not any(o in text for o in others), f"patient {n} got another patient's data"
    if n % 2 == 0:
        assert "NC-LI-019" in rules
        toxic = next(c for c in cards if c["source"]["topic"]["code"] == "NC-LI-019")
        assert f"Lithium {round(1.5 + n / 100, 2):g} mmol/L" in toxic["detail"]
        subjects = [a["resource"].get("subject", {}).get("reference") for s in toxic.get("suggestions", [])
                    for a in s.get("actions", [])]
        assert subjects and all(s == f"Patient/pool-patient-{n:03d}" for s in subjects)
    else:
        assert not any(r.startswith("NC-LI") for r in rules)


def _cmdline(p: psutil.Process) -> str:
    """A process's command line; empty for one that just died (a killed worker is a zombie for a moment)."""
    try:
        return " ".join(p.cmdline())
    except (psutil.ZombieProcess, psutil.NoSuchProcess):
        return ""


def eval_workers(server: Server) -> set[int]:
    """Pids of the service's evaluation worker processes (children of its fork servers)."""
    root = psutil.Process(server.proc.pid)
    procs = root.children(recursive=True)
    forkservers = {p.pid for p in procs if "multiprocessing.forkserver" in _cmdline(p)}
    servers = set()
    for p in procs:
        try:
            if p.pid in forkservers and p.ppid() not in forkservers:
                servers.add(p.pid)
        except psutil.NoSuchProcess:
            pass
    alive = set()
    for p in procs:
        try:
            if p.ppid() in servers and p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                alive.add(p.pid)
        except psutil.NoSuchProcess:  # includes ZombieProcess
            pass
    return alive


def gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def wait_for_workers(server: Server, n: int, timeout: float = 30) -> set[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pids = eval_workers(server)
        if len(pids) == n:
            return pids
        time.sleep(0.1)
    raise AssertionError(f"expected {n} evaluation workers, found {eval_workers(server)}")


@pytest.fixture(scope="module")
def pooled(tmp_path_factory: pytest.TempPathFactory) -> Any:
    tmp = tmp_path_factory.mktemp("pool")
    s = Server(tmp / "data", tmp / "serve.log", "--eval-processes", "2", "--eval-timeout", "2", env=HOOKS_ON)
    yield s
    s.stop()


def test_concurrent_different_patients_get_their_own_cards(pooled: Server) -> None:
    assert len(wait_for_workers(pooled, 2)) == 2
    for _ in range(2):  # the second round is answered from the workers' result caches
        with ThreadPoolExecutor(8) as ex:
            answers = list(ex.map(lambda n: (n, pooled.post(PV, request(n))), range(24)))
        for n, r in answers:
            check_own_cards(n, r)


def test_a_slow_evaluation_is_stopped_at_its_deadline_while_others_are_answered(pooled: Server) -> None:
    before = wait_for_workers(pooled, 2)
    result: dict[str, Any] = {}

    def slow() -> None:
        t0 = time.monotonic()
        result["slow"] = pooled.post(PV, request(1, user=TEST_SLOW))
        result["slow_s"] = time.monotonic() - t0

    t = threading.Thread(target=slow)
    t.start()
    time.sleep(0.3)
    t0 = time.monotonic()
    fast = pooled.post(PV, request(2))
    assert time.monotonic() - t0 < 1.5  # promptly, by the other worker, while the slow one runs
    check_own_cards(2, fast)
    t.join(30)
    slow_r = result["slow"]
    assert slow_r.status_code == 503
    assert "did not finish within 2 s" in slow_r.json()["error"] and "stopped" in slow_r.json()["error"]
    assert 1.9 < result["slow_s"] < 6
    # its worker was killed (the work stopped) and a new one took its place
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        after = eval_workers(pooled)
        if len(after) == 2 and len(before - after) == 1:
            break
        time.sleep(0.1)
    assert len(after) == 2 and len(before - after) == 1, (before, after)
    assert all(gone(p) for p in before - after)
    check_own_cards(4, pooled.post(PV, request(4)))
    deadline = time.monotonic() + 20
    while "replacement evaluation worker ready" not in pooled.log_path.read_text() and time.monotonic() < deadline:
        time.sleep(0.1)
    log = pooled.log_path.read_text()
    assert "passed the 2 s deadline" in log and "replacement evaluation worker ready" in log


def test_a_worker_that_crashes_mid_request_fails_that_request_only(pooled: Server) -> None:
    wait_for_workers(pooled, 2)
    with ThreadPoolExecutor(6) as ex:
        crash = ex.submit(pooled.post, PV, request(3, user=TEST_CRASH))
        others = [(n, ex.submit(pooled.post, PV, request(n))) for n in range(10, 20)]
        r = crash.result()
        assert r.status_code == 503 and "stopped unexpectedly" in r.json()["error"]
        for n, f in others:
            check_own_cards(n, f.result())
    wait_for_workers(pooled, 2)


def test_a_worker_killed_with_sigkill_mid_request(tmp_path: Path) -> None:
    s = Server(tmp_path / "data", tmp_path / "serve.log", "--eval-processes", "1", env=HOOKS_ON)
    try:
        (pid,) = wait_for_workers(s, 1)
        result: dict[str, httpx.Response] = {}
        t = threading.Thread(target=lambda: result.setdefault("r", s.post(PV, request(5, user=TEST_SLOW))))
        t.start()
        time.sleep(0.5)  # the request is being evaluated (and would be for an hour)
        os.kill(pid, signal.SIGKILL)
        t.join(20)
        r = result["r"]
        assert r.status_code == 503 and "stopped unexpectedly" in r.json()["error"]
        check_own_cards(6, s.post(PV, request(6)))  # waits for the replacement, then is answered
        (new,) = wait_for_workers(s, 1)
        assert new != pid
        os.kill(new, signal.SIGKILL)  # an idle worker that dies is replaced too, before any request needs it
        deadline = time.monotonic() + 30
        while (eval_workers(s) in (set(), {new})) and time.monotonic() < deadline:
            time.sleep(0.1)
        (newer,) = eval_workers(s)
        assert newer not in (pid, new)
        check_own_cards(8, s.post(PV, request(8)))
        # the card log and the decision log still work: the 503 is logged as a refusal, the next call with cards
        records = [json.loads(line) for line in (tmp_path / "data" / "decisions.jsonl").read_text().splitlines()]
        assert [rec["status"] for rec in records[-3:]] == [503, 200, 200] and records[-1]["cards"]
        assert records[-1]["timings_ms"]["total"] >= records[-1]["timings_ms"]["evaluate"]
    finally:
        s.stop()


def test_two_server_processes_with_one_evaluation_worker_each(tmp_path: Path) -> None:
    s = Server(tmp_path / "data", tmp_path / "serve.log", "--workers", "2", "--eval-processes", "1")
    try:
        wait_for_workers(s, 2, timeout=90)  # one per server process (the second may still be starting)
        with ThreadPoolExecutor(8) as ex:
            answers = list(ex.map(lambda n: (n, s.post(PV, request(n))), range(16)))
        for n, r in answers:
            check_own_cards(n, r)
        assert len(eval_workers(s)) == 2
        uuids = {c["uuid"] for _, r in answers for c in r.json()["cards"]}
        fb = {"feedback": [{"card": u, "outcome": "accepted", "outcomeTimestamp": "2026-11-21T10:00:00Z"}
                           for u in sorted(uuids)[:5]]}
        assert s.post(PV + "/feedback", fb).json() == {"stored": 5}  # the card log is shared by both
    finally:
        s.stop()


def test_in_process_evaluation_for_debugging(tmp_path: Path) -> None:
    s = Server(tmp_path / "data", tmp_path / "serve.log", "--eval-processes", "0")
    try:
        assert eval_workers(s) == set()
        check_own_cards(8, s.post(PV, request(8)))
        assert "evaluating in-process" in s.log_path.read_text()
    finally:
        s.stop()
