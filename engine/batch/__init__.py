"""Population screening: evaluate many patients and write one Parquet row per finding.

    from setpoint.batch import BatchOptions, run_batch
    report = run_batch(BatchOptions(input=Path("bundles/"), out=Path("results.parquet"), as_of=date(2026, 11, 21)))

Modules, one job each: `inputs` (detect the input kind), `bulk` (patient of a Bulk Data resource),
`index` (the on-disk index of patients and where their data is), `assemble` (one patient's Bundle),
`evaluate` (one partition, in a worker), `parts` (part files, resume, merge), `local` and
`dask_runner` (where partitions run), `summary` (per-rule JSON and the HTML page), `run`
(the whole batch) and `popdiff` (`rules diff --population`).
"""

from .models import BatchOptions, BatchReport, BatchSummary, RuleSummary
from .popdiff import PopulationDiff, population_diff
from .run import BatchIncomplete, BatchInputError, run_batch

__all__ = ["BatchIncomplete", "BatchInputError", "BatchOptions", "BatchReport", "BatchSummary", "PopulationDiff",
           "RuleSummary", "population_diff", "run_batch"]
