"""Where the Parquet tables live: partition paths, atomic writes, listing by company.

The root is a local folder or an object-store URI (`s3://bucket/prefix`, `gs://...`),
opened with `pyarrow.fs`. Locally a file is written to a hidden temp name in the same
folder, fsynced, then `os.replace`d, so a reader sees a whole file or none. Object stores
make a PUT visible atomically, so there the final name is written directly.
Every path is built from a validated 24-hex company id and a date: no caller string ever
becomes part of a path.
"""

from __future__ import annotations

import os
import re
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from analytics.errors import InvalidQuery
from analytics.tables import PartitionKey, TableName

_COMPANY_ID = re.compile(r"^[0-9a-f]{24}$")
_DATA_FILE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*\.parquet$")
_DATE_DIR = re.compile(r"^date=(\d{4}-\d{2}-\d{2})$")


def require_company_id(value: object) -> str:
    """The only gate between a request's company id and a filesystem path."""
    if not isinstance(value, str) or not _COMPANY_ID.match(value):
        raise InvalidQuery("companyId must be a 24-character lowercase hexadecimal id")
    return value


@dataclass(frozen=True, order=True)
class FileVersion:
    """A data file as listed, with what changes whenever it is written: a new file, a
    rewrite (the drain retrying a batch replaces the file under its name: a new inode
    locally, a new modification time or size anywhere) or a removal all show up here."""

    path: str
    size: int
    modified_ns: int
    inode: int | None  # local files only


class ParquetStore:
    """The `calls/` and `turns/` trees under one root."""

    def __init__(self, root: str, compression: str = "zstd") -> None:
        self._compression = compression
        if "://" in root and not root.startswith("file://"):
            self._fs, base = pafs.FileSystem.from_uri(root)
            self._uri_prefix = root.split("://", 1)[0] + "://"
            self._local = False
        else:
            local = root.removeprefix("file://")
            self._fs, base = pafs.LocalFileSystem(), os.path.abspath(local)
            self._uri_prefix = ""
            self._local = True
        self._base = base.rstrip("/")
        self.root = root

    def partition_dir(self, key: PartitionKey) -> str:
        company_id = require_company_id(key.company_id)
        return f"{self._company_dir(key.table, company_id)}/date={key.day.isoformat()}"

    def _company_dir(self, table: TableName, company_id: str) -> str:
        return f"{self._base}/{table}/company_id={require_company_id(company_id)}"

    def reader_path(self, path: str) -> str:
        """The form DuckDB and Polars open (a local path or a full URI)."""
        return f"{self._uri_prefix}{path}"

    def write(self, key: PartitionKey, file_name: str, table: pa.Table) -> str:
        """Write one data file into a partition atomically; rewriting a name replaces it."""
        if not _DATA_FILE.match(file_name):
            raise ValueError(f"not a data file name: {file_name!r}")
        folder = self.partition_dir(key)
        final = f"{folder}/{file_name}"
        if not self._local:
            self._fs.create_dir(folder, recursive=True)
            with self._fs.open_output_stream(final) as sink:
                pq.write_table(table, sink, compression=self._compression)
            return final
        Path(folder).mkdir(parents=True, exist_ok=True)
        temp = f"{folder}/.{file_name}.{uuid.uuid4().hex}.tmp"
        try:
            with open(temp, "wb") as handle:
                pq.write_table(table, handle, compression=self._compression)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp, final)
        finally:
            if os.path.exists(temp):
                os.unlink(temp)
        _fsync_dir(folder)
        return final

    def read(self, path: str) -> pa.Table:
        """One data file's own columns (partition columns are not added)."""
        with self._fs.open_input_file(path) as source:
            return pq.ParquetFile(source).read()

    def remove(self, paths: list[str]) -> None:
        for path in paths:
            try:
                self._fs.delete_file(path)
            except FileNotFoundError:
                continue

    def list_files(
        self,
        table: TableName,
        company_id: str,
        date_from: date | None = None,
        date_to: date | None = None,
    ) -> list[str]:
        """Data files of one company's partitions within [date_from, date_to], sorted."""
        days = self.day_files(table, company_id, date_from, date_to)
        return sorted(version.path for _, versions in days for version in versions)

    def day_files(
        self,
        table: TableName,
        company_id: str,
        date_from: date | None = None,
        date_to: date | None = None,
    ) -> list[tuple[date, tuple[FileVersion, ...]]]:
        """Each partition day within [date_from, date_to], oldest first, with its files."""
        return [
            (day, self._data_files(folder))
            for day, folder in self._date_dirs(table, company_id)
            if not ((date_from and day < date_from) or (date_to and day > date_to))
        ]

    def partitions(self, table: TableName, company_id: str) -> list[PartitionKey]:
        days = self._date_dirs(table, company_id)
        return [PartitionKey(table, company_id, day) for day, _ in days]

    def partition_files(self, key: PartitionKey) -> list[str]:
        return [version.path for version in self._data_files(self.partition_dir(key))]

    def companies(self, table: TableName) -> list[str]:
        infos = self._fs.get_file_info(
            pafs.FileSelector(f"{self._base}/{table}", allow_not_found=True)
        )
        ids = (
            info.base_name.removeprefix("company_id=")
            for info in infos
            if info.type == pafs.FileType.Directory
        )
        return sorted(cid for cid in ids if _COMPANY_ID.match(cid))

    def _date_dirs(self, table: TableName, company_id: str) -> list[tuple[date, str]]:
        selector = pafs.FileSelector(self._company_dir(table, company_id), allow_not_found=True)
        found = []
        for info in self._fs.get_file_info(selector):
            match = _DATE_DIR.match(info.base_name)
            if info.type == pafs.FileType.Directory and match:
                found.append((date.fromisoformat(match.group(1)), info.path))
        return sorted(found)

    def _data_files(self, folder: str) -> tuple[FileVersion, ...]:
        """The folder's data files, sorted by path."""
        infos = self._fs.get_file_info(pafs.FileSelector(folder, allow_not_found=True))
        return tuple(sorted(
            FileVersion(info.path, info.size or 0, info.mtime_ns or 0, self._inode(info.path))
            for info in infos
            if info.type == pafs.FileType.File and _DATA_FILE.match(info.base_name)
        ))

    def _inode(self, path: str) -> int | None:
        if not self._local:
            return None
        try:
            return os.stat(path).st_ino
        except FileNotFoundError:
            return None  # removed since it was listed (compaction): a reader skips it


def _fsync_dir(folder: str) -> None:
    """Make the rename itself durable (POSIX needs the directory fsynced)."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
