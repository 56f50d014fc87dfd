"""One validated settings object, read from ``NIANBAO_*`` variables and CLI options.

Passed down as an argument; no task or parser reads the environment itself.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from rawstore.layout import DEFAULT_DATA_DIR, DataLayout
from rawstore.portals import PORTALS


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NIANBAO_", extra="ignore")

    data_dir: Path = Field(default=DEFAULT_DATA_DIR, description="where raw documents, the warehouse and reports live")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL of the warehouse; default: SQLite in data_dir/warehouse.db"
    )
    query_url: str | None = Field(
        default=None,
        description="URL nianbao query connects with; on PostgreSQL a read-only login (nianbao db reader NAME); "
        "default: database_url",
    )
    query_timeout: float = Field(default=60.0, gt=0, description="seconds one nianbao query may run")
    parse_timeout: float = Field(default=60.0, gt=0, description="seconds one document may take to parse")
    max_document_mb: float = Field(
        default=100.0, gt=0, description="the largest document parsed (MB); a larger one is refused unread"
    )
    dask_address: str | None = Field(
        default=None, description="a Dask scheduler (tcp://host:8786) for the parse fan-out"
    )
    progress_interval: float = Field(
        default=10.0, ge=0, description="seconds between progress lines when no terminal is watching (0: every step)"
    )
    parse_workers: int = Field(default=4, ge=1, le=64, description="parse threads on one machine")
    portals: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: [p.key for p in PORTALS],
        description="the portals the nightly run crawls: a JSON list or comma-separated keys",
    )
    host_map: dict[str, str] = Field(
        default_factory=dict, description="real host -> host:port to send requests to instead (the local mirror)"
    )

    @field_validator("data_dir")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser()

    @field_validator("portals", mode="before")
    @classmethod
    def _portal_keys(cls, value: object) -> object:
        """``bypc,hongsibu`` or ``["bypc", "hongsibu"]``; each a known portal key."""
        if isinstance(value, str):
            text = value.strip()
            value = json.loads(text) if text.startswith("[") else [k.strip() for k in text.split(",") if k.strip()]
        known = [p.key for p in PORTALS]
        if isinstance(value, list):
            unknown = [k for k in value if k not in known]
            if unknown:
                raise ValueError(f"unknown portal {', '.join(map(str, unknown))}: the portals are {', '.join(known)}")
        return value

    @property
    def warehouse_url(self) -> str:
        return self.database_url or f"sqlite:///{self.paths.warehouse.as_posix()}"

    @property
    def max_document_bytes(self) -> int:
        return int(self.max_document_mb * 1024**2)

    @property
    def paths(self) -> DataLayout:
        """Every path under the data dir (raw store, manifests, warehouse, Data Docs, logs)."""
        return DataLayout(self.data_dir)

    @property
    def reader_url(self) -> str:
        """What ``nianbao query`` connects with: ``query_url``, else the warehouse URL."""
        return self.query_url or self.warehouse_url
