"""Merge a partition's many small batch files into one.

The drain writes one file per partition per batch, so a busy day holds hundreds of small
files. Compaction reads them, keeps one row per `event_id` (the first written, as queries
do), writes the merged file atomically under a name derived from its inputs, and only
then removes the inputs. A crash between the two steps leaves the merged file beside its
inputs: queries deduplicate on `event_id`, so nothing is counted twice, and the next run
merges them all again. Files the drain writes while a compaction runs are not among the
inputs and stay untouched.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import polars as pl
import pyarrow as pa

from analytics.parquet_store import ParquetStore
from analytics.tables import FILE_SCHEMAS, TABLES, PartitionKey


@dataclass(frozen=True)
class CompactionResult:
    partition: PartitionKey
    merged_file: str
    input_files: int
    rows: int


def compact_partition(
    store: ParquetStore, key: PartitionKey, min_files: int = 2
) -> CompactionResult | None:
    """Merge one partition when it holds at least `min_files` files."""
    inputs = store.partition_files(key)
    if len(inputs) < min_files:
        return None
    schema = FILE_SCHEMAS[key.table]
    merged = deduplicate(pa.concat_tables([conform(store.read(path), schema) for path in inputs]))
    merged = merged.cast(schema)
    digest = hashlib.sha1("\n".join(sorted(inputs)).encode()).hexdigest()[:16]
    merged_path = store.write(key, f"compact-{digest}.parquet", merged)
    store.remove([path for path in inputs if path != merged_path])
    return CompactionResult(key, merged_path, len(inputs), merged.num_rows)


def compact_company(
    store: ParquetStore, company_id: str, min_files: int = 2
) -> list[CompactionResult]:
    results = []
    for table in TABLES:
        for key in store.partitions(table, company_id):
            result = compact_partition(store, key, min_files)
            if result is not None:
                results.append(result)
    return results


def compact_all(store: ParquetStore, min_files: int = 2) -> list[CompactionResult]:
    companies = sorted({cid for table in TABLES for cid in store.companies(table)})
    return [result for cid in companies for result in compact_company(store, cid, min_files)]


def conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """A file's rows in the current schema: columns added since it was written are null."""
    columns = [table.column(field.name).cast(field.type) if field.name in table.column_names
               else pa.nulls(table.num_rows, field.type) for field in schema]
    return pa.Table.from_arrays(columns, schema=schema)


def deduplicate(table: pa.Table) -> pa.Table:
    """One row per `event_id`, the one with the lowest `stream_pos`, in stream order."""
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)
    return (
        frame.sort("stream_pos", maintain_order=True)
        .unique(subset="event_id", keep="first", maintain_order=True)
        .to_arrow()
    )
