"""The layout is the data path, and the form is declared once."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from conftest import ROOT

from parsers.form import (
    PROACTIVE_ITEMS,
    PROACTIVE_METRICS,
    REQUEST_COLUMN_KEYS,
    REQUEST_ROW_KEYS,
    REVIEW_KEYS,
)

#: spiders (fetch) -> parsers (read) -> warehouse (store) -> expectations (check) -> flows (run)
DATA_PATH = ["spiders", "parsers", "warehouse", "expectations", "flows"]
APP = "nianbao"  # the CLI and settings: may import everything


def _python_files(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def _imported_top_levels(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_required_top_level_layout() -> None:
    for folder in [*DATA_PATH, "tests"]:
        assert (ROOT / folder).is_dir(), folder
    for name in ("pyproject.toml", "prefect.yaml", "Makefile", "README.md", ".ci/run"):
        assert (ROOT / name).is_file(), name


@pytest.mark.parametrize("folder", DATA_PATH)
def test_a_folder_imports_only_from_folders_before_it(folder: str) -> None:
    allowed = set(DATA_PATH[: DATA_PATH.index(folder) + 1])
    forbidden = (set(DATA_PATH) | {APP}) - allowed
    if folder == "flows":
        forbidden.discard(APP)  # flows orchestrate and read the settings
    for path in _python_files(folder):
        bad = _imported_top_levels(path) & forbidden
        assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"


def test_canonical_keys_are_written_only_in_the_form_declaration() -> None:
    keys = {
        k
        for k in (
            *REQUEST_ROW_KEYS,
            *REQUEST_COLUMN_KEYS,
            *REVIEW_KEYS,
            *(i.key for i in PROACTIVE_ITEMS),
            *(m.key for m in PROACTIVE_METRICS),
        )
        if "_" in k  # distinctive keys; words like "total" or "rules" are ordinary strings too
    }
    form = ROOT / "parsers" / "form.py"
    offenders = []
    for folder in [*DATA_PATH, APP, "scripts", "bench"]:
        for path in _python_files(folder):
            if path == form:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Constant) and node.value in keys:
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.value!r}")
    assert offenders == []


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in readme and "make test" in ci
    assert "make demo" in readme
