"""Rewrite tests/fixtures/golden/*.json: the expected parse of every fixture report.

    python scripts/build_golden.py

Review the diff (git diff tests/fixtures/golden) before committing: a golden
file is what the parser is held to.
"""

from __future__ import annotations

import json
from pathlib import Path

from parsers import ParseError, parse_bytes

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
GOLDEN = FIXTURES / "golden"
#: The fixture folders whose files are reports (or pages that point to one: tests/fixtures/flat).
REPORT_DIRS = ("seeds", "documents", "flat")


def golden_name(path: Path) -> str:
    return f"{path.parent.name}__{path.stem}.json"


def report_files() -> list[Path]:
    return sorted(p for d in REPORT_DIRS for p in (FIXTURES / d).iterdir() if p.is_file())


def expected_json(path: Path) -> dict:
    """The parse of a fixture as JSON; a page that is no report gives its outcome: ``{"error": {code, message}}``."""
    source = path.relative_to(FIXTURES).as_posix()
    try:
        return parse_bytes(path.read_bytes(), source=source).to_json_dict()
    except ParseError as exc:
        return {"source": source, "error": {"code": exc.code, "message": str(exc)}}


def dump(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def main() -> None:
    GOLDEN.mkdir(parents=True, exist_ok=True)
    wanted = set()
    for path in report_files():
        target = GOLDEN / golden_name(path)
        wanted.add(target.name)
        text = dump(expected_json(path))
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
            print(f"wrote {target.relative_to(ROOT)}")
    for stale in GOLDEN.glob("*.json"):
        if stale.name not in wanted:
            stale.unlink()
            print(f"removed {stale.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
