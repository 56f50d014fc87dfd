from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
SHARED = ROOT.parent / "shared"

sys.path.insert(0, str(ROOT / "scripts"))  # build_golden's helpers are shared with the golden test


def seed_path(prefix: str) -> Path:
    (path,) = sorted((FIXTURES / "seeds").glob(f"{prefix}_*.txt"))
    return path


@pytest.fixture(scope="session")
def seed_reports():
    from parsers import parse_file

    return {p.name[:3]: parse_file(p) for p in sorted((FIXTURES / "seeds").glob("*.txt"))}
