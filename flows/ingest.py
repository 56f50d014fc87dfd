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

from expectations.run import FileCheck, check_reports
from parsers import ParseError, parse_bytes
from parsers.errors import ParseFailure
from parsers.report import Report
from rawstore.store import RawStore
from warehouse.load import DocumentInfo, LoadResult, attach_url, current_load, store_report


def parse_or_failure(data: bytes, source: str) -> Report | ParseFailure:
    try:
        return parse_bytes(data, source=source)
    except ParseError as exc:
        return ParseFailure.of(exc)


def load_bytes(engine: Engine, data: bytes, info: DocumentInfo, *, raw_store: RawStore | None = None) -> LoadResult:
    """Parse ``data`` and store it as the document at ``info.url`` (nothing is parsed if it is stored already,
    at this URL or another: identical bytes under a new URL are one document with one more URL)."""
    sha256 = hashlib.sha256(data).hexdigest()
    known = current_load(engine, info.url, sha256) or attach_url(engine, info, sha256)
    if known is not None:
        return known
    parsed = parse_or_failure(data, info.url)
    raw_path = None
    if raw_store is not None:
        _, path = raw_store.put(data)
        raw_path = raw_store.relative(path)
    return store_report(engine, info, sha256, parsed, raw_path=raw_path)


def load_file(
    engine: Engine, path: Path, *, url: str | None = None, portal: str | None = None, raw_store: RawStore | None = None
) -> LoadResult:
    """Load a local file; its URL is ``url`` or the file's own ``file://`` URI."""
    data = Path(path).read_bytes()
    info = DocumentInfo(url=url or Path(path).resolve().as_uri(), portal=portal)
    return load_bytes(engine, data, info, raw_store=raw_store)


def check_files(paths: list[Path], *, docs_dir: Path | None = None) -> list[FileCheck]:
    """Parse files and check them without a warehouse (a throwaway one; see expectations.run.check_reports)."""
    parsed: list[tuple[Path, Report | ParseFailure | str]] = []
    for path in paths:
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            parsed.append((Path(path), exc.strerror or str(exc)))
            continue
        parsed.append((Path(path), parse_or_failure(data, Path(path).resolve().as_uri())))
    return check_reports(parsed, docs_dir=docs_dir)
