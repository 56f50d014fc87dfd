"""Local files through the stages, without Prefect: parse, keep the bytes, store; or parse and check.

``nianbao load`` and ``nianbao check`` use these; the nightly and re-parse flows do
the same steps as Prefect tasks (flows/tasks.py). Each stage does its own job:
the parsers parse, the raw store keeps bytes, the warehouse stores what it is
given, the checks check.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlalchemy.engine import Engine

from expectations.run import FileCheck, OnProgress, check_reports
from parsers import DEFAULT_MAX_BYTES, DEFAULT_TIME_LIMIT, ParseError, parse_bytes, read_document
from parsers.errors import ParseFailure
from parsers.limits import scratch_dir
from parsers.report import Report
from rawstore.store import RawStore
from warehouse.db import WarehouseError
from warehouse.load import DocumentInfo, LoadResult, attach_url, current_load, store_report


def parse_or_failure(
    data: bytes, source: str, *, time_limit: float | None = DEFAULT_TIME_LIMIT, max_bytes: int = DEFAULT_MAX_BYTES
) -> Report | ParseFailure:
    """The report, or why there is none (``parse_bytes`` raises nothing but ParseErrors)."""
    try:
        return parse_bytes(data, source=source, time_limit=time_limit, max_bytes=max_bytes)
    except ParseError as exc:
        return ParseFailure.of(exc)


def load_bytes(
    engine: Engine,
    data: bytes,
    info: DocumentInfo,
    *,
    raw_store: RawStore | None = None,
    time_limit: float | None = DEFAULT_TIME_LIMIT,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> LoadResult:
    """Parse ``data`` and store it as the document at ``info.url`` (nothing is parsed if it is stored already,
    at this URL or another: identical bytes under a new URL are one document with one more URL).

    A report the warehouse cannot take (a bug met on this document, not a database fault) is stored as a
    failed document saying so, so the run goes on and the document is not lost."""
    sha256 = hashlib.sha256(data).hexdigest()
    known = current_load(engine, info.url, sha256) or attach_url(engine, info, sha256)
    if known is not None:
        return known
    parsed = parse_or_failure(data, info.url, time_limit=time_limit, max_bytes=max_bytes)
    raw_path = None
    if raw_store is not None:
        _, path = raw_store.put(data)
        raw_path = raw_store.relative(path)
    try:
        return store_report(engine, info, sha256, parsed, raw_path=raw_path)
    except WarehouseError:
        raise
    except Exception as exc:
        if not isinstance(parsed, Report):
            raise
        failure = ParseFailure("store_failed", f"the report could not be stored ({type(exc).__name__}: {exc!s:.200})")
        return store_report(engine, info, sha256, failure, raw_path=raw_path)


def load_file(
    engine: Engine,
    path: Path,
    *,
    url: str | None = None,
    portal: str | None = None,
    raw_store: RawStore | None = None,
    time_limit: float | None = DEFAULT_TIME_LIMIT,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> LoadResult:
    """Load a local file; its URL is ``url`` or the file's own ``file://`` URI. A file refused before
    reading (no regular file, over ``max_bytes``) raises its ParseError and nothing is stored."""
    data = read_document(path, max_bytes)
    info = DocumentInfo(url=url or Path(path).resolve().as_uri(), portal=portal)
    return load_bytes(engine, data, info, raw_store=raw_store, time_limit=time_limit, max_bytes=max_bytes)


def check_files(
    paths: list[Path],
    *,
    docs_dir: Path | None = None,
    time_limit: float | None = DEFAULT_TIME_LIMIT,
    max_bytes: int = DEFAULT_MAX_BYTES,
    on_parse: OnProgress | None = None,
    on_check: OnProgress | None = None,
) -> list[FileCheck]:
    """Parse files and check them without a warehouse (a throwaway one in a scratch directory, removed
    however the run ends; see expectations.run.check_reports). ``on_parse(done, total, file name)`` hears
    each file parsed, ``on_check`` the steps of the check."""
    parsed: list[tuple[Path, Report | ParseFailure | str]] = []
    for done, path in enumerate(paths, 1):
        parsed.append((Path(path), _read_and_parse(Path(path), time_limit, max_bytes)))
        if on_parse:
            on_parse(done, len(paths), Path(path).name)
    with scratch_dir("check") as work:
        return check_reports(parsed, docs_dir=docs_dir, work_dir=work, on_progress=on_check)


def _read_and_parse(path: Path, time_limit: float | None, max_bytes: int) -> Report | ParseFailure | str:
    """The report, why there is none, or why the file could not be read."""
    try:
        data = read_document(path, max_bytes)
    except ParseError as exc:
        return ParseFailure.of(exc)
    except OSError as exc:
        return "is a directory, not a file" if isinstance(exc, IsADirectoryError) else exc.strerror or str(exc)
    return parse_or_failure(data, path.resolve().as_uri(), time_limit=time_limit, max_bytes=max_bytes)
