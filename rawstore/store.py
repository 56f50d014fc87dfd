"""The raw store: documents kept unedited, content-addressed by SHA-256.

``data/raw/ab/abcdef….bin`` holds the bytes; the name never comes from a
server. Parsers and re-parses read from here, so nothing needs fetching twice.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path


class RawStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path_for(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError(f"not a sha256 hex digest: {sha256!r}")
        return self.root / sha256[:2] / f"{sha256}.bin"

    def put(self, data: bytes) -> tuple[str, Path]:
        """Store ``data`` (idempotent, atomic); return its sha256 and path."""
        sha256 = hashlib.sha256(data).hexdigest()
        path = self.path_for(sha256)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(data)
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        return sha256, path

    def get(self, sha256: str) -> bytes:
        return self.path_for(sha256).read_bytes()

    def relative(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()
