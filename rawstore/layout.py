"""Where everything lives under the data dir: the one place that spells its paths.

    raw/ab/<sha256>.bin              the bytes, unedited (rawstore/store.py)
    crawl/<portal>/manifest.jsonl    one ManifestRecord per stored document version (rawstore/manifest.py)
    crawl/<portal>/state.json        what the next crawl knows (spiders/state.py)
    crawl/<portal>/summary.json      the portal's last crawl summary; crawl.log, process.log its logs
    crawl/summary.json, summary.txt  the whole crawl run
    warehouse.db                     the SQLite warehouse (unless NIANBAO_DATABASE_URL says otherwise)
    docs/                            the Great Expectations Data Docs site
    report/report.html, *.svg        the run report: charts and counts, one self-contained page (flows/charts.py)
    logs/                            the Prefect server and worker logs of ``nianbao ui``

``nianbao.settings.Settings.paths`` is the layout of the configured data dir; the
spiders, which run in their own process, build it from ``NIANBAO_DATA_DIR``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

#: The data dir when neither ``--data-dir`` nor ``NIANBAO_DATA_DIR`` names one.
DEFAULT_DATA_DIR = Path("data")
DATA_DIR_VARIABLE = "NIANBAO_DATA_DIR"


def data_dir_from_env(value: str | os.PathLike[str] | None = None) -> Path:
    """``value`` if given, else ``NIANBAO_DATA_DIR``, else the default."""
    return Path(value or os.environ.get(DATA_DIR_VARIABLE) or DEFAULT_DATA_DIR)


@dataclass(frozen=True)
class DataLayout:
    root: Path

    def __post_init__(self) -> None:
        object.__setattr__(self, "root", Path(self.root))

    @property
    def raw(self) -> Path:
        return self.root / "raw"

    @property
    def crawl(self) -> Path:
        return self.root / "crawl"

    def crawl_dir(self, portal: str) -> Path:
        return self.crawl / portal

    def manifest(self, portal: str) -> Path:
        return self.crawl_dir(portal) / "manifest.jsonl"

    def crawl_state(self, portal: str) -> Path:
        return self.crawl_dir(portal) / "state.json"

    def portal_summary(self, portal: str) -> Path:
        return self.crawl_dir(portal) / "summary.json"

    def crawl_log(self, portal: str) -> Path:
        return self.crawl_dir(portal) / "crawl.log"

    def process_log(self, portal: str) -> Path:
        return self.crawl_dir(portal) / "process.log"

    @property
    def run_summary_json(self) -> Path:
        return self.crawl / "summary.json"

    @property
    def run_summary_txt(self) -> Path:
        return self.crawl / "summary.txt"

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse.db"

    @property
    def docs(self) -> Path:
        return self.root / "docs"

    @property
    def docs_index(self) -> Path:
        return self.docs / "index.html"

    @property
    def report_dir(self) -> Path:
        return self.root / "report"

    @property
    def report_html(self) -> Path:
        return self.report_dir / "report.html"

    @property
    def logs(self) -> Path:
        return self.root / "logs"
