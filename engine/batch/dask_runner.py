"""Run partitions on an existing Dask distributed cluster (`--scheduler tcp://host:8786`).

Each worker loads the engine once: a worker plugin warms the per-process cache that
`evaluate_partition` uses. The input files must be readable at the same paths on the workers; the
results come back to this process, which writes the part files.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date

from distributed import Client, as_completed
from distributed.diagnostics.plugin import WorkerPlugin

from .evaluate import evaluate_partition, warm
from .local import Sink
from .models import Partition

PLUGIN_NAME = "setpoint-engine"


class EngineLoader(WorkerPlugin):
    """Loads the engine when a worker starts (and on workers that join later)."""

    def __init__(self, rules: str | None, knowledge: str | None):
        self.rules, self.knowledge = rules, knowledge

    def setup(self, worker: object) -> None:
        warm(self.rules, self.knowledge)


def run_dask(parts: Iterable[Partition], as_of: date, rules: str | None, knowledge: str | None, scheduler: str,
             sink: Sink, strict_fhir: bool = False) -> None:
    with Client(scheduler, set_as_default=False) as client:
        client.register_plugin(EngineLoader(rules, knowledge), name=PLUGIN_NAME)
        window = 2 * max(1, sum(client.nthreads().values()))  # partitions in flight, never all of them
        it: Iterator[Partition] = iter(parts)

        def submit(part: Partition):  # type: ignore[no-untyped-def]
            return client.submit(evaluate_partition, part, as_of, rules, knowledge, strict_fhir, pure=False)

        queue = as_completed([submit(p) for _, p in zip(range(window), it, strict=False)], loop=client.loop)
        for fut in queue:
            sink(fut.result())
            fut.release()
            nxt = next(it, None)
            if nxt is not None:
                queue.add(submit(nxt))
