"""`setpoint batch --scheduler`: the same partitions on a Dask distributed cluster (a real LocalCluster
with 2 worker processes) give byte-identical files to a local run."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bench import population
from setpoint.batch import BatchOptions, run_batch

distributed = pytest.importorskip("distributed")
import dask  # noqa: E402  (installed with distributed)

AS_OF = date(2026, 11, 21)


def _engines_loaded() -> int:
    from setpoint.batch.evaluate import _ENGINES

    return len(_ENGINES)


def test_dask_cluster_and_local_run_write_byte_identical_files(tmp_path: Path) -> None:
    inp = population.write(30, tmp_path / "pop", "ndjson", seed=11, synthea_share=0.05)
    common = dict(input=inp, as_of=AS_OF, partition_size=4, progress=False)
    local = run_batch(BatchOptions(out=tmp_path / "local" / "r.parquet", workers=1, **common))  # type: ignore[arg-type]
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        on_dask = run_batch(BatchOptions(out=tmp_path / "dask" / "r.parquet", scheduler=cluster.scheduler_address,
                                         **common))  # type: ignore[arg-type]
        with distributed.Client(cluster) as client:
            loaded = client.run(_engines_loaded)
    assert on_dask.partitions == local.partitions == 8
    assert on_dask.summary.patients == 30
    for a, b in ((local.out, on_dask.out), (local.summary_path, on_dask.summary_path),
                 (local.html_path, on_dask.html_path)):
        assert a.read_bytes() == b.read_bytes(), a.name
    assert sorted(loaded.values()) == [1, 1]  # one engine per worker, reused for every partition


def test_an_unreachable_scheduler_is_a_bad_option(tmp_path: Path) -> None:
    from setpoint.batch import BatchInputError

    inp = population.write(2, tmp_path / "pop", "bundles", seed=1, synthea_share=0.0)
    with dask.config.set({"distributed.comm.timeouts.connect": "2s"}), pytest.raises(BatchInputError):
        run_batch(BatchOptions(input=inp, out=tmp_path / "r.parquet", as_of=AS_OF, progress=False,
                               scheduler="tcp://127.0.0.1:9"))


@pytest.mark.slow
def test_local_process_pool_writes_the_same_files_as_one_process(tmp_path: Path) -> None:
    inp = population.write(30, tmp_path / "pop", "bulk", seed=12, synthea_share=0.05)
    common = dict(input=inp, as_of=AS_OF, partition_size=4, progress=False)
    one = run_batch(BatchOptions(out=tmp_path / "one" / "r.parquet", workers=1, **common))  # type: ignore[arg-type]
    pool = run_batch(BatchOptions(out=tmp_path / "pool" / "r.parquet", workers=2, **common))  # type: ignore[arg-type]
    assert one.out.read_bytes() == pool.out.read_bytes()
    assert one.html_path.read_bytes() == pool.html_path.read_bytes()
