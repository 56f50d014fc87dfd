"""A throwaway PostgreSQL server on 127.0.0.1 for tests and benchmarks: own data dir, own port.

Runs the server as the ``postgres`` user when we are root (initdb refuses root).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path


class PgUnavailable(RuntimeError):
    pass


def _bindir() -> Path | None:
    found = shutil.which("initdb")
    if found:
        return Path(os.path.realpath(found)).parent
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return candidates[-1].parent if candidates else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class PgServer:
    base: Path
    bindir: Path
    port: int
    prefix: list[str]

    @property
    def url(self) -> str:
        """URL of the server without a database name: append ``/dbname``."""
        return f"postgresql+psycopg://nianbao@127.0.0.1:{self.port}"

    @classmethod
    def start(cls) -> PgServer:
        bindir = _bindir()
        if bindir is None:
            raise PgUnavailable("PostgreSQL is not installed (make test installs it with apt-get when run as root)")
        base = Path(tempfile.mkdtemp(prefix="nianbao-pg-"))
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if prefix:
            shutil.chown(base, "postgres", "postgres")
        server = cls(base=base, bindir=bindir, port=_free_port(), prefix=prefix)
        data = str(base / "data")
        server._run("initdb", "-D", data, "-A", "trust", "-U", "nianbao", "-E", "UTF8", "--locale=C")
        options = f"-p {server.port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off"
        server._run("pg_ctl", "-D", data, "-l", str(base / "log"), "-w", "-o", options, "start")
        return server

    def _run(self, program: str, *args: str) -> None:
        try:
            subprocess.run(
                [*self.prefix, str(self.bindir / program), *args], check=True, capture_output=True, timeout=120
            )
        except subprocess.CalledProcessError as exc:
            raise PgUnavailable(f"{program} failed: {exc.stderr.decode(errors='replace').strip()}") from exc

    def stop(self) -> None:
        subprocess.run(
            [*self.prefix, str(self.bindir / "pg_ctl"), "-D", str(self.base / "data"), "-m", "immediate", "stop"],
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(self.base, ignore_errors=True)
