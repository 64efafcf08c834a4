"""The whole batch: index the input, run the partitions not yet done, merge, summarise."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyarrow.parquet as pq
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from .. import paths
from . import summary as summaries
from .errors import BatchIncomplete, BatchInputError
from .evaluate import engine_for, stamp
from .index import open_index
from .local import default_workers, run_local
from .models import BatchOptions, BatchReport, PartitionCounts, PartitionResult
from .parts import PartStore, counts_of, merge, run_id

__all__ = ["BatchIncomplete", "BatchInputError", "run_batch"]
PATIENTS_PER_WORKER = 200
SCHEDULER_SCHEMES = ("tcp://", "tls://", "inproc://", "ucx://", "ws://", "wss://")


class RateColumn(ProgressColumn):
    """Patients per second over the recent window."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.1f} patients/s" if speed else "- patients/s", style="progress.data.speed")


@contextmanager
def _progress(enabled: bool, total: int, done: int, console: Console | None) -> Iterator[tuple[Progress, int]]:
    columns = (TextColumn("[bold]screening"), BarColumn(), MofNCompleteColumn(), RateColumn(),
               TextColumn("ETA"), TimeRemainingColumn(), TextColumn("elapsed"), TimeElapsedColumn())
    with Progress(*columns, console=console or Console(stderr=True), disable=not enabled) as progress:
        yield progress, progress.add_task("patients", total=total, completed=done)


def _check(opts: BatchOptions) -> None:
    if opts.scheduler is not None and not opts.scheduler.startswith(SCHEDULER_SCHEMES):
        raise BatchInputError(f"--scheduler: {opts.scheduler!r} is not a scheduler address (e.g. tcp://host:8786)")
    if opts.scheduler is not None:
        try:
            import distributed  # noqa: F401
        except ImportError as e:
            raise BatchInputError("--scheduler needs Dask: pip install 'setpoint[dask]'") from e
    if opts.out.suffix.lower() != ".parquet":
        raise BatchInputError(f"--out: {opts.out} should end in .parquet")
    if opts.out.is_dir():
        raise BatchInputError(f"--out: {opts.out} is a folder")
    for label, folder in (("--out", opts.out.parent), ("--work", opts.work_dir())):
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise BatchInputError(f"{label}: cannot create {folder} ({e.strerror or e})") from e
        if not os.access(folder, os.W_OK):
            raise BatchInputError(f"{label}: {folder} is not writable")


def run_batch(opts: BatchOptions, console: Console | None = None) -> BatchReport:
    """Evaluate every patient of `opts.input` as of `opts.as_of`; resumes from `opts.work_dir()`."""
    _check(opts)
    work = opts.work_dir()
    index = open_index(opts.input, work)
    rules = _folder(opts.rules, paths.rules_dir())
    knowledge = _folder(opts.knowledge, paths.knowledge_dir())
    eng = engine_for(rules, knowledge)  # here too: a bad rule base stops the run before any work
    version, content_hash = stamp(eng, opts.as_of)
    size = opts.partition_size_for(index.count)
    # A strict run is its own run: its partitions are never mixed with a fast one's when resuming.
    store = PartStore(work, run_id(index.fingerprint, opts.as_of, content_hash + ("+strict-fhir" if opts.strict_fhir
                                                                                else ""), size,
                                   [opts.knowledge or paths.knowledge_dir(), paths.reports_dir()]))
    numbers = range(index.partition_count(size))
    todo = [n for n in numbers if not store.done(n)]
    done_patients = sum(counts_of(store.path(n)).patients for n in numbers if store.done(n))
    parts_iter = index.partitions(size, todo)

    with _progress(opts.progress, index.count, done_patients, console) as (progress, task):
        def sink(result: PartitionResult) -> None:
            store.write(result)
            progress.advance(task, result.counts.patients)

        if todo and opts.scheduler:
            from .dask_runner import run_dask

            try:
                run_dask(parts_iter, opts.as_of, rules, knowledge, opts.scheduler, sink, opts.strict_fhir)
            except (OSError, TimeoutError) as e:
                if not any(store.done(n) for n in todo):
                    raise BatchInputError(f"--scheduler: cannot reach {opts.scheduler} ({e})") from e
                raise BatchIncomplete(f"lost the Dask cluster at {opts.scheduler} ({e}); the partitions finished "
                                      "are kept: run the same command again to resume") from e
        elif todo:
            # By default at most one worker per PATIENTS_PER_WORKER patients: starting a worker costs about
            # 1 CPU-second, as much as evaluating 100-200 records, so a small population runs in this process
            # (measured with bench_batch: 2 workers were slower at 100 Synthea-sized patients, 10-15 % faster in
            # wall time at 250-400 patients).
            pending = index.count - done_patients
            workers = opts.workers or min(default_workers(), -(-pending // PATIENTS_PER_WORKER))
            workers = min(workers, len(todo))
            try:
                run_local(parts_iter, opts.as_of, rules, knowledge, workers, sink, opts.strict_fhir)
            except OSError as e:  # a full disk, a vanished work folder: what is finished is kept
                raise BatchIncomplete(f"{e}; the partitions finished are kept: run the same command again to "
                                      "resume") from e

    parts = tuple(store.path(n) for n in numbers)
    counts = PartitionCounts()
    rows = 0
    for p in parts:
        counts.add(counts_of(p))
        rows += pq.read_metadata(p).num_rows
    summary = summaries.build(counts, input=str(opts.input), kind=index.kind, as_of=opts.as_of,
                              rulebase_version=version, rulebase_hash=content_hash, findings=rows - counts.errors,
                              unreadable=index.unreadable, unlinked=index.unlinked)
    merge(parts, opts.out, {"setpoint.as_of": opts.as_of.isoformat(), "setpoint.rulebase_version": version,
                            "setpoint.rulebase_hash": content_hash, "setpoint.patients": str(counts.patients),
                            "setpoint.errors": str(counts.errors)})
    _write(opts.summary_path(), summaries.to_json(summary))
    _write(opts.html_path(), summaries.to_html(summary))
    return BatchReport(summary=summary, out=opts.out, summary_path=opts.summary_path(), html_path=opts.html_path(),
                       partitions=len(parts), partitions_reused=len(parts) - len(todo), parts=parts)


def _folder(given: Path | None, default: Path) -> str | None:
    """An absolute folder for the workers, None for the bundled one (so that one engine serves both)."""
    if given is None or given.resolve() == default.resolve():
        return None
    return str(given.resolve())


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
