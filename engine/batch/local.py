"""Run partitions on this machine: in this process (one worker) or a process pool sized to the cores,
each worker process loading the engine once (the pool's initializer)."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from datetime import date

from .errors import BatchIncomplete
from .evaluate import evaluate_partition, warm
from .models import Partition, PartitionResult

Sink = Callable[[PartitionResult], None]


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def run_local(parts: Iterable[Partition], as_of: date, rules: str | None, knowledge: str | None, workers: int,
              sink: Sink, strict_fhir: bool = False) -> None:
    if workers == 1:
        for part in parts:
            sink(evaluate_partition(part, as_of, rules, knowledge, strict_fhir))
        return
    # spawn: workers start clean (no copy of this process's threads or the progress bar)
    ctx = multiprocessing.get_context("spawn")
    try:
        with ProcessPoolExecutor(workers, mp_context=ctx, initializer=warm, initargs=(rules, knowledge)) as pool:
            _windowed(parts, lambda p: pool.submit(evaluate_partition, p, as_of, rules, knowledge, strict_fhir),
                      2 * workers, sink)
    except BrokenProcessPool as e:
        raise BatchIncomplete("a worker process died (out of memory?); the partitions finished are kept: "
                              "run the same command again to resume") from e


def _windowed(parts: Iterable[Partition], submit: Callable[[Partition], Future], window: int, sink: Sink) -> None:
    """At most `window` partitions in flight: the partitions (and their patients) are never all in memory."""
    it: Iterator[Partition] = iter(parts)
    pending: set[Future] = set()
    for part in it:
        pending.add(submit(part))
        if len(pending) >= window:
            break
    while pending:
        done, pending = wait(pending, return_when=FIRST_COMPLETED)
        for fut in sorted(done, key=lambda f: f.result().number):
            sink(fut.result())
        for part in it:
            pending.add(submit(part))
            if len(pending) >= window:
                break
