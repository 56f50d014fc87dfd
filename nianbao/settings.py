"""One validated settings object, read from ``NIANBAO_*`` variables and CLI options.

Passed down as an argument; no task or parser reads the environment itself.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NIANBAO_", extra="ignore")

    data_dir: Path = Field(default=Path("data"), description="where raw documents, the warehouse and reports live")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL of the warehouse; default: SQLite in data_dir/warehouse.db"
    )
    parse_timeout: float = Field(default=60.0, gt=0, description="seconds one document may take to parse")

    @field_validator("data_dir")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser()

    @property
    def warehouse_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'warehouse.db').as_posix()}"
