"""Evaluation worker processes: hook calls are evaluated outside the server process, one per worker at a
time, each with a deadline after which its worker is killed and replaced.

Why this and not `concurrent.futures.ProcessPoolExecutor`: when one of its processes dies, the whole
executor is marked broken and every pending and later call fails (`BrokenProcessPool`), and a running
call cannot be stopped at all.  Here one request's worker may be killed at its deadline, or die on its
own, and only that request fails (503); the others keep being served and the worker is replaced.

How: N processes from multiprocessing's *forkserver* context, each loading the engine once
(`Engine.load(freeze=True)`), warming up with one evaluation, then answering jobs one at a time over
its own socketpair (8-byte length, then a pickled `work.Job` / answer).  Not `fork`: the server has
threads (asyncio's and uvicorn's executors, sqlite), and forking a threaded process can leave locks
held in the child; the fork server is a small single-threaded process that has imported this module
(and so the engine's code) once, so a replacement worker is ready in a fraction of a second rather
than the ~1 s an interpreter started with `spawn` takes to import it.  The server's side of each socket
is an asyncio stream: waiting for a worker costs the event loop nothing, and the only work done on it
is copying the request's bytes in and the answer's bytes out.  Requests wait (first come, first
served) for an idle worker for at most the deadline; the deadline then runs from hand-over.  A worker
dies with the server (`PR_SET_PDEATHSIG` on Linux, and it exits at end of file on its socket).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import multiprocessing
import os
import pickle
import signal
import socket
import struct
import time
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from typing import Any

from ..errors import RuleBaseError, SetpointError
from .settings import Settings
from .work import Answer, Fetch, Job, Refused, Worker

log = logging.getLogger("setpoint.service")
_LEN = struct.Struct("!Q")
START_TIMEOUT = 120.0  # seconds a worker may take to load the engine and warm up
MAX_FRAME = 1 << 31


class PoolError(Exception):
    """A job that got no answer: `message` says why (the server answers 503)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Failed:
    """An unexpected exception in a worker (the server answers 500 and logs its class)."""

    error: str


def default_size(workers: int = 1) -> int:
    """The machine's cores (those this process may run on), shared among `workers` server processes."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return max(1, cores // max(1, workers))


# ------------------------------------------------------------------ the worker process


def _send(sock: socket.socket, obj: Any) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    sock.sendall(_LEN.pack(len(data)) + data)


def _recv(sock: socket.socket) -> bytes | None:
    head = _recv_exactly(sock, _LEN.size)
    if head is None:
        return None
    (n,) = _LEN.unpack(head)
    return _recv_exactly(sock, n)


def _recv_exactly(sock: socket.socket, n: int) -> bytes | None:
    buf = bytearray(n)
    view = memoryview(buf)
    got = 0
    while got < n:
        k = sock.recv_into(view[got:])
        if k == 0:
            return None
        got += k
    return bytes(buf)


def _die_with_parent() -> None:
    """Linux: SIGKILL this process when its parent (the fork server, which exits with the server) exits."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def worker_main(sock: socket.socket, settings_json: str, test_hooks: bool) -> None:
    """A worker process: load the engine, warm up, say ready, then answer jobs until end of file."""
    with contextlib.suppress(ConnectionError):  # the server went away: nothing to answer
        _serve(sock, settings_json, test_hooks)


def _serve(sock: socket.socket, settings_json: str, test_hooks: bool) -> None:
    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to handle; it stops us
    from ..core import Engine

    settings = Settings.model_validate_json(settings_json)
    try:
        if settings.verify and settings.trusted_key is not None:  # a replacement reads the files again
            from .. import signing

            signing.verify(signing.roots(settings.rules, settings.knowledge), settings.trusted_key)
        eng = Engine.load(rules=settings.rules, knowledge=settings.knowledge, verify=settings.verify, freeze=True)
        worker = Worker(settings, eng, test_hooks)
        worker.warm_up()
    except RuleBaseError as e:
        _send(sock, ("invalid", e.problems))
        return
    except Exception as e:  # reported by the server, which refuses to start
        _send(sock, ("error", [f"{e.__class__.__name__}: {e}"]))
        return
    rb = eng.rulebase
    gc.collect()
    gc.freeze()
    _send(sock, ("ready", {"name": rb.name, "version": rb.version, "hash": rb.content_hash}))
    since_full = 0
    while True:
        frame = _recv(sock)
        if frame is None:
            return
        job = pickle.loads(frame)
        try:
            out: Any = worker.handle(job)
        except Exception as e:  # a bug: the server logs the class and answers 500
            out = Failed(e.__class__.__name__)
        _send(sock, out)
        del job, out
        since_full = _collect(sock, since_full)


# Garbage collection in a worker.  What a request leaves behind (the FHIR parse cache, the result
# cache: tens of MB) makes a full collection cost 100-300 ms, and one used to fall inside a request
# every few requests (p95 of fresh patients 113 ms in one process, 43 ms with this).  So after each
# answer the young generations are collected and what survives is frozen (`gc.freeze`, out of the
# collector's way; freed as usual when its last reference goes).  Cyclic garbage frozen that way
# (a few objects per request) is reclaimed by a full collection (0.2-0.6 s: the engine and the caches
# are scanned too) once FULL_COLLECTION_IDLE requests have been answered and no job arrives for
# IDLE_SECONDS, and at the latest after FULL_COLLECTION_EVERY requests.
FULL_COLLECTION_IDLE = 1000
FULL_COLLECTION_EVERY = 20000
IDLE_SECONDS = 0.05


def _collect(sock: socket.socket, since_full: int) -> int:
    gc.collect(1)
    gc.freeze()
    since_full += 1
    if since_full >= FULL_COLLECTION_EVERY or (since_full >= FULL_COLLECTION_IDLE and not _pending(sock)):
        gc.unfreeze()
        gc.collect()
        gc.freeze()
        return 0
    return since_full


def _pending(sock: socket.socket) -> bool:
    """Whether a job arrives within IDLE_SECONDS (returns as soon as one does)."""
    import select

    return bool(select.select([sock], [], [], IDLE_SECONDS)[0])


# ------------------------------------------------------------------ the server's side


class _Proc:
    def __init__(self, process: BaseProcess, sock: socket.socket):
        self.process, self.sock = process, sock
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.retired = False

    def alive(self) -> bool:
        return not self.retired and self.process.is_alive()


class Pool:
    """`size` evaluation worker processes.  `start()` (blocking) before the event loop runs, then
    `attach()` in it; `run(job)` from request handlers; `close()` at shutdown."""

    def __init__(self, settings: Settings, size: int, test_hooks: bool = False):
        if size < 1:
            raise ValueError("a pool has at least one worker")
        self.settings, self.size, self.test_hooks = settings, size, test_hooks
        self._ctx = multiprocessing.get_context("forkserver")
        self._ctx.set_forkserver_preload([__name__])  # the engine's modules, imported once by the fork server
        self._settings_json = settings.model_dump_json()
        self._procs: list[_Proc] = []
        self._idle: asyncio.Queue[_Proc] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False
        self.rulebase: dict[str, str] = {}
        self.replaced = 0

    def _launch(self) -> _Proc:
        mine, theirs = socket.socketpair()
        process = self._ctx.Process(target=worker_main, args=(theirs, self._settings_json, self.test_hooks),
                                    name="setpoint-eval", daemon=True)
        try:
            process.start()
        finally:
            theirs.close()
        return _Proc(process, mine)

    def _ready(self, message: Any) -> None:
        if not isinstance(message, tuple) or not message:
            raise SetpointError("an evaluation worker did not start (no answer)")
        if message[0] == "invalid":
            raise RuleBaseError(message[1])
        if message[0] == "error":
            raise SetpointError("an evaluation worker could not start: " + "; ".join(message[1]))
        self.rulebase = message[1]

    def start(self) -> None:
        """Start every worker and wait until each has loaded the engine (raises when one cannot)."""
        procs = [self._launch() for _ in range(self.size)]
        try:
            for p in procs:
                p.sock.settimeout(START_TIMEOUT)
                try:
                    frame = _recv(p.sock)
                except TimeoutError as e:
                    raise SetpointError(f"an evaluation worker did not start within {START_TIMEOUT:g} s") from e
                self._ready(pickle.loads(frame) if frame is not None else None)
                p.sock.settimeout(None)
        except BaseException:
            for p in procs:
                p.process.kill()
                p.sock.close()
            raise
        self._procs = procs

    async def attach(self) -> None:
        """Bind the workers' sockets to the running event loop."""
        self._loop = asyncio.get_running_loop()
        # Last in, first out: at light load the same (warm) worker takes every request, with its CPU
        # caches and result cache; measured 11 ms -> 5 ms p50 for a repeated chart on a busy machine.
        # Requests waiting for a worker are still served first come, first served.
        self._idle = asyncio.LifoQueue()
        for p in self._procs:
            await self._bind(p)
            self._idle.put_nowait(p)

    async def _bind(self, p: _Proc, watch: bool = True) -> None:
        p.sock.setblocking(False)
        p.reader, p.writer = await asyncio.open_unix_connection(sock=p.sock, limit=MAX_FRAME)
        if watch:
            self._watch(p)

    def _watch(self, p: _Proc) -> None:
        """Replace `p` as soon as its process ends, idle or busy (its sentinel becomes readable)."""
        assert self._loop is not None
        self._loop.add_reader(p.process.sentinel, self._exited, p)

    @staticmethod
    def _kill(p: _Proc) -> None:
        # is_alive() first: a process already ended and reaped must not be signalled (its pid may be reused)
        with contextlib.suppress(OSError, ValueError, AttributeError):
            if p.process.is_alive():
                p.process.kill()

    def _exited(self, p: _Proc) -> None:
        """A worker process ended (killed, crashed): replace it, whether idle or busy."""
        self._retire(p, kill=False, why="exited")

    def _retire(self, p: _Proc, *, kill: bool, why: str) -> None:
        if p.retired:
            return
        p.retired = True
        assert self._loop is not None
        with contextlib.suppress(Exception):
            self._loop.remove_reader(p.process.sentinel)
        if kill:
            self._kill(p)
        if p.writer is not None:
            p.writer.close()
        else:
            p.sock.close()
        if p in self._procs:
            self._procs.remove(p)
        if not self._closed:
            log.warning("evaluation worker %s (%s); starting a replacement", why, "killed" if kill else "gone")
            task = self._loop.create_task(self._replace())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _replace(self) -> None:
        assert self._loop is not None and self._idle is not None
        pause = 1.0
        while not self._closed:
            t0 = time.perf_counter()
            p: _Proc | None = None
            try:
                p = await self._loop.run_in_executor(None, self._launch)
                await self._bind(p, watch=False)  # watched once ready: a failed start is handled here
                assert p.reader is not None
                head = await asyncio.wait_for(p.reader.readexactly(_LEN.size), START_TIMEOUT)
                frame = await asyncio.wait_for(p.reader.readexactly(_LEN.unpack(head)[0]), START_TIMEOUT)
                self._ready(pickle.loads(frame))
            except (Exception, asyncio.IncompleteReadError) as e:
                log.error("a replacement evaluation worker could not start (%s); trying again in %g s",
                          e.__class__.__name__, pause)
                if p is not None:
                    p.retired = True
                    self._kill(p)
                    if p.writer is not None:
                        p.writer.close()
                    else:
                        p.sock.close()
                await asyncio.sleep(pause)
                pause = min(pause * 2, 30.0)
                continue
            if self._closed:
                self._kill(p)
                return
            self._watch(p)
            self.replaced += 1
            self._procs.append(p)
            self._idle.put_nowait(p)
            log.info("replacement evaluation worker ready in %.2f s", time.perf_counter() - t0)
            return

    async def run(self, job: Job, timeout: float) -> tuple[Answer | Fetch | Refused, float]:
        """(the worker's answer, seconds waited for a worker).  PoolError when no worker became free
        within `timeout`, when the job passed its deadline (its worker is killed) or its worker died."""
        assert self._idle is not None, "Pool.attach() was not called"
        t0 = time.perf_counter()
        deadline = t0 + timeout
        while True:
            try:
                p = await asyncio.wait_for(self._idle.get(), max(0.0, deadline - time.perf_counter()))
            except TimeoutError as e:
                raise PoolError(f"no evaluation worker became free within {timeout:g} s (the service is "
                                "overloaded); no cards") from e
            if p.alive():
                break
            self._retire(p, kill=True, why="found dead")
        waited = time.perf_counter() - t0
        assert p.reader is not None and p.writer is not None
        data = pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL)
        done = False
        try:
            p.writer.write(_LEN.pack(len(data)))
            p.writer.write(data)
            head = await asyncio.wait_for(p.reader.readexactly(_LEN.size), timeout)
            # the answer follows its length at once; the deadline still bounds it
            frame = await asyncio.wait_for(p.reader.readexactly(_LEN.unpack(head)[0]), timeout)
            done = True
        except TimeoutError as e:
            self._retire(p, kill=True, why=f"passed the {timeout:g} s deadline")
            raise PoolError(f"the evaluation did not finish within {timeout:g} s (the per-request deadline) "
                            "and was stopped; no cards") from e
        except (asyncio.IncompleteReadError, ConnectionError, OSError) as e:
            self._retire(p, kill=True, why="died during a request")
            raise PoolError("the evaluation stopped unexpectedly (its worker process ended and is being "
                            "replaced); no cards; the request may be sent again") from e
        finally:
            if not done and not p.retired:  # cancelled (e.g. shutdown): its answer would confuse the next job
                self._retire(p, kill=True, why="abandoned")
        self._idle.put_nowait(p)
        out = pickle.loads(frame)
        if isinstance(out, Failed):
            raise RuntimeError(f"evaluation worker: {out.error}")
        return out, waited

    async def close(self) -> None:
        self._closed = True
        for t in list(self._tasks):
            t.cancel()
        for p in list(self._procs):
            p.retired = True
            if self._loop is not None:
                with contextlib.suppress(Exception):
                    self._loop.remove_reader(p.process.sentinel)
            self._kill(p)
            if p.writer is not None:
                p.writer.close()
            else:
                p.sock.close()
        self._procs.clear()

    def pids(self) -> list[int]:
        return [p.process.pid for p in self._procs if p.process.pid is not None and not p.retired]


class InlineRunner:
    """`--eval-processes 0`: evaluate in threads of the server process, as before the pool (a debugging
    aid).  One at a time (the GIL); one past its deadline gets 503 but its thread runs on to the end:
    Python threads cannot be stopped."""

    THREADS = 4  # one evaluating, the others for evaluations abandoned at their deadline

    def __init__(self, worker: Worker):
        from concurrent.futures import ThreadPoolExecutor

        self.worker = worker
        self.rulebase = {"name": worker.engine.rulebase.name, "version": worker.engine.rulebase.version,
                         "hash": worker.engine.rulebase.content_hash}
        self.size = 0
        self._threads = ThreadPoolExecutor(self.THREADS, thread_name_prefix="setpoint-eval")
        self._turn: asyncio.Semaphore | None = None

    def start(self) -> None:
        pass

    async def attach(self) -> None:
        self._turn = asyncio.Semaphore(1)

    async def run(self, job: Job, timeout: float) -> tuple[Answer | Fetch | Refused, float]:
        assert self._turn is not None
        loop = asyncio.get_running_loop()
        t0 = time.perf_counter()
        async with self._turn:
            waited = time.perf_counter() - t0
            try:
                out = await asyncio.wait_for(loop.run_in_executor(self._threads, self.worker.handle, job), timeout)
            except TimeoutError as e:
                raise PoolError(f"the evaluation did not finish within {timeout:g} s (the per-request deadline); "
                                "no cards") from e
        return out, waited

    async def close(self) -> None:
        self._threads.shutdown(wait=False, cancel_futures=True)

    def pids(self) -> list[int]:
        return []
