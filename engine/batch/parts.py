"""Finished partitions on disk (`WORK/parts/<run>/part-00000.parquet`) and their merge into OUT.

A part is written under a temporary name and renamed when complete, so a part file that exists is
finished: a resumed run skips it. `<run>` is a digest of the input, the evaluation date, the rule
base and the partition size: parts of any other run are removed. Nothing written holds a timestamp:
the same input gives byte-identical files.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterable
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from .. import __version__
from .evaluate import COLUMNS
from .models import PartitionCounts, PartitionResult

SCHEMA = pa.schema([
    pa.field("patient_id", pa.string()),
    pa.field("source", pa.string(), nullable=False),
    pa.field("rule_id", pa.string()),
    pa.field("rule_version", pa.string()),
    pa.field("title", pa.string()),
    pa.field("severity", pa.string()),
    pa.field("outcome", pa.string(), nullable=False),  # fired | cannot_assess | error
    pa.field("summary", pa.string()),
    pa.field("grouped_under", pa.string()),  # the finding this one is grouped under, if any
    pa.field("as_of", pa.date32(), nullable=False),
    pa.field("rulebase_version", pa.string()),
    pa.field("rulebase_hash", pa.string()),
])
assert tuple(SCHEMA.names) == COLUMNS
COUNTS_KEY = b"setpoint.partition"
ROW_GROUP = 65_536
WRITE_OPTIONS = dict(compression="zstd", write_statistics=True, use_dictionary=True)


def run_id(input_fingerprint: str, as_of: date, rulebase_hash: str, partition_size: int,
           folders: Iterable[Path] = ()) -> str:
    """Names the parts of one run. `folders` (knowledge, report templates) are hashed by content: a
    changed value set or message changes findings without changing the rule base hash."""
    h = hashlib.sha256(f"{input_fingerprint}\n{as_of.isoformat()}\n{rulebase_hash}\n{partition_size}\n{SCHEMA}\n"
                       f"{__version__}\n".encode())
    for folder in folders:
        for f in sorted(p for p in folder.rglob("*") if p.is_file()):
            h.update(f"{f.relative_to(folder).as_posix()}\n".encode())
            h.update(hashlib.sha256(f.read_bytes()).digest())
    return h.hexdigest()[:16]


class PartStore:
    def __init__(self, work: Path, run: str):
        self.root = work / "parts"
        self.dir = self.root / run
        self.dir.mkdir(parents=True, exist_ok=True)
        for other in self.root.iterdir():  # parts of another input, date or rule base are stale
            if other != self.dir and other.is_dir():
                shutil.rmtree(other)

    def path(self, number: int) -> Path:
        return self.dir / f"part-{number:06d}.parquet"

    def done(self, number: int) -> bool:
        return self.path(number).exists()

    def write(self, result: PartitionResult) -> Path:
        table = pa.Table.from_pydict(result.columns, schema=SCHEMA)
        meta = {COUNTS_KEY: result.counts.model_dump_json().encode()}
        table = table.replace_schema_metadata(meta)
        target = self.path(result.number)
        tmp = target.with_suffix(".tmp")
        pq.write_table(table, tmp, **WRITE_OPTIONS)
        tmp.replace(target)
        return target


def counts_of(part: Path) -> PartitionCounts:
    meta = pq.read_schema(part).metadata or {}
    return PartitionCounts.model_validate_json(meta[COUNTS_KEY])


def merge(parts: Iterable[Path], out: Path, metadata: dict[str, str]) -> None:
    """Concatenate the parts in partition order into one file in row groups of ROW_GROUP rows, so that
    the file does not depend on how the patients were partitioned (only a row group is in memory)."""
    schema = SCHEMA.with_metadata({k.encode(): v.encode() for k, v in sorted(metadata.items())})
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    pending: list[pa.Table] = []
    held = 0
    with pq.ParquetWriter(tmp, schema, **WRITE_OPTIONS) as writer:
        for part in parts:
            table = pq.read_table(part).replace_schema_metadata(None)
            pending.append(table)
            held += table.num_rows
            while held >= ROW_GROUP:
                block = pa.concat_tables(pending)
                writer.write_table(block.slice(0, ROW_GROUP), row_group_size=ROW_GROUP)
                rest = block.slice(ROW_GROUP)
                pending, held = [rest], rest.num_rows
        if held:
            writer.write_table(pa.concat_tables(pending), row_group_size=ROW_GROUP)
    tmp.replace(out)


def dumps(data: object) -> str:
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
