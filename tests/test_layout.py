"""The layout is the data path, and the form is declared once."""

from __future__ import annotations

import ast
import fnmatch
import re
import subprocess
import tomllib
from pathlib import Path

import pytest
from conftest import ROOT

from parsers import form
from parsers.form import (
    PROACTIVE_ITEMS,
    PROACTIVE_METRICS,
    REQUEST_COLUMN_KEYS,
    REQUEST_ROW_KEYS,
    REVIEW_KEYS,
    Table,
)

#: The data path: spiders (fetch) -> rawstore (keep) -> parsers (read) -> warehouse (store) -> expectations (check)
#: -> flows (run). The raw store is what the crawl fills, so the spiders import it; every later stage reads it.
DATA_PATH = ["spiders", "rawstore", "parsers", "warehouse", "expectations", "flows"]
APP = "nianbao"  # the CLI, settings and displays: may import everything
PACKAGES = [*DATA_PATH, APP]

#: Who may import whom. Anything else (a later stage, or a stage beside it) is a back-import.
ALLOWED: dict[str, set[str]] = {
    "rawstore": set(),  # bytes, manifest, portals, data-dir layout: imports no other stage
    "spiders": {"rawstore"},
    "parsers": set(),
    "warehouse": {"rawstore", "parsers"},
    "expectations": {"rawstore", "parsers", "warehouse"},
    "flows": {"rawstore", "spiders", "parsers", "warehouse", "expectations"},
    APP: set(DATA_PATH),
}
#: Single modules a stage may import beyond ALLOWED: the flows read the one settings object.
ALLOWED_MODULES: dict[str, set[str]] = {"flows": {"nianbao.settings"}}
#: What of the parsers the storing and checking stages may import: the form, the Report, the failure type.
#: Never a parse entry point (``from parsers import parse_bytes``, a reader, the matcher).
PARSED_TYPES = {"parsers.form", "parsers.report", "parsers.errors"}
#: What the shipped packages must not hold: the fixture renderers and builders live in scripts/.
FIXTURE_RENDERERS = {"report_to_html", "report_to_text", "report_to_body_html", "report_to_docx", "request_layout"}


def _python_files(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def _imported_modules(path: Path) -> set[str]:
    """Every module ``path`` imports, absolute names (``from a import b`` counts as ``a``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _imported_top_levels(path: Path) -> set[str]:
    return {name.split(".")[0] for name in _imported_modules(path)}


def test_required_top_level_layout() -> None:
    for folder in [*PACKAGES, "tests", "scripts", "bench", "docs"]:
        assert (ROOT / folder).is_dir(), folder
    for name in ("pyproject.toml", "prefect.yaml", "Makefile", "README.md", ".ci/run"):
        assert (ROOT / name).is_file(), name


def test_the_import_rules_follow_the_data_path() -> None:
    """Each stage may import only stages before it on the data path (the rule test below enforces ALLOWED)."""
    for stage, allowed in ALLOWED.items():
        if stage == APP:
            continue
        assert all(DATA_PATH.index(a) < DATA_PATH.index(stage) or (stage, a) == ("spiders", "rawstore")
                   for a in allowed), stage  # fmt: skip


@pytest.mark.parametrize("folder", PACKAGES)
def test_a_stage_imports_only_what_it_is_allowed_to(folder: str) -> None:
    forbidden = set(PACKAGES) - ALLOWED[folder] - {folder}
    for path in _python_files(folder):
        modules = _imported_modules(path) - ALLOWED_MODULES.get(folder, set())
        bad = {m for m in modules if m.split(".")[0] in forbidden}
        assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"


@pytest.mark.parametrize("folder", ["warehouse", "expectations"])
def test_storing_and_checking_import_no_parse_entry_point_and_nothing_from_spiders(folder: str) -> None:
    for path in _python_files(folder):
        modules = _imported_modules(path)
        parse = {m for m in modules if m.split(".")[0] == "parsers" and m not in PARSED_TYPES}
        assert not parse, f"{path.relative_to(ROOT)} imports a parse entry point: {sorted(parse)}"
        assert not {m for m in modules if m.split(".")[0] == "spiders"}, path.relative_to(ROOT)


def test_a_back_import_is_caught(tmp_path) -> None:
    """The rule test reads real imports: a warehouse module importing the flows would fail it."""
    bad = tmp_path / "bad.py"
    bad.write_text("from flows.ingest import load_file\nimport spiders.crawl\nfrom parsers import parse_bytes\n")
    assert _imported_modules(bad) == {"flows.ingest", "spiders.crawl", "parsers"}
    assert _imported_top_levels(bad) - ALLOWED["warehouse"] == {"flows", "spiders"}


def _shipped_packages() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    include = config["tool"]["setuptools"]["packages"]["find"]["include"]
    found = []
    for init in sorted(ROOT.rglob("__init__.py")):  # what setuptools' packages.find walks: folders with __init__.py
        parts = init.parent.relative_to(ROOT).parts
        if parts and all(p.isidentifier() for p in parts):
            name = ".".join(parts)
            if any(fnmatch.fnmatchcase(name, pattern) for pattern in include):
                found.append(name)
    return found


def test_the_installed_packages_are_the_stages_and_hold_no_fixture_renderer() -> None:
    packages = _shipped_packages()
    assert {p.split(".")[0] for p in packages} == set(PACKAGES)
    offenders = []
    for package in packages:
        for path in sorted((ROOT / package.replace(".", "/")).glob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            defined = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.ClassDef)}
            imported = _imported_top_levels(path)
            if defined & FIXTURE_RENDERERS or imported & {"render", "render_docx", "tests", "scripts", "conftest"}:
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
    assert (ROOT / "scripts" / "render.py").is_file() and (ROOT / "scripts" / "render_docx.py").is_file()


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
    for folder in [*PACKAGES, "scripts", "bench"]:
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


def _form_labels() -> set[str]:
    """Every printed label and signature phrase the form declares (the distinctive ones: three+ characters)."""
    labels: set[str] = {form.RESULT_GROUP_LABEL, form.BALANCE_NOTE, form.REQUEST_HEADER, form.PROACTIVE_HEADER}
    for label in (*form.REQUEST_COLUMNS, *form.REQUEST_ROWS, *form.PROACTIVE_METRICS, *form.PROACTIVE_ITEMS):
        labels |= {label.label, *label.signatures}
    for section in form.SECTIONS:
        labels |= {section.title, *section.signatures}
    labels |= {label for _, label in (*form.REVIEW_GROUPS, *form.REVIEW_OUTCOMES)}
    labels |= {*form.REVIEW_GROUP_SHORT.values(), *form.REQUEST_COLUMN_SHORT.values(), *form.REVIEW_LABELS.values()}
    labels |= {text for pair in form.REQUEST_ROW_LAYOUT.values() for text in pair if text}
    labels |= {*form.REQUEST_ROW_REFERENCE.values(), *(h for hs in form.TABLE_HINTS.values() for h in hs)}
    return {t for t in labels if len(t) >= 3 and any("\u4e00" <= c <= "\u9fff" for c in t)}


def test_form_labels_are_written_only_in_the_form_declaration() -> None:
    """Matcher hints, renderer headers, display titles and check messages take their labels from the form.

    A string that is a label, or a piece of an f-string (a message) that holds one, is an offender.
    """
    labels = _form_labels()
    assert len(labels) > 100  # the form's labels were found
    offenders = []
    for folder in [*PACKAGES, "scripts", "bench"]:
        for path in _python_files(folder):
            if path == ROOT / "parsers" / "form.py":
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            pieces = {id(c) for n in ast.walk(tree) if isinstance(n, ast.JoinedStr) for c in n.values}
            for node in ast.walk(tree):
                if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
                    continue
                text = node.value.strip()
                in_message = id(node) in pieces and any(label in text for label in labels if len(label) >= 4)
                if text in labels or in_message:
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.value!r}")
    assert offenders == []


def test_the_rows_messages_name_are_rows_of_the_form() -> None:
    assert set(form.REQUEST_ROW_REFERENCE) <= set(form.REQUEST_ROW_KEYS)
    assert set(form.TABLE_HINTS) == set(form.TABLE_STRONG_HINTS) == {Table.REQUESTS, Table.REVIEWS, Table.PROACTIVE}
    assert all(set(form.TABLE_STRONG_HINTS[t]) <= set(form.TABLE_HINTS[t]) for t in form.TABLE_HINTS)


def _readme_layout() -> dict[str, str]:
    """The README's layout block: folder -> the text of its entry."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Layout: the data path", 1)[1].split("```", 2)[1]
    entries: dict[str, str] = {}
    folder = None
    for line in block.splitlines():
        head = re.match(r"^([a-z]+)/\s", line)
        if head:
            folder = head.group(1)
            entries[folder] = ""
        if folder:
            entries[folder] += line + "\n"
    return entries


def _tracked_top_level_folders() -> set[str]:
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return {f.split("/")[0] for f in files.splitlines() if "/" in f and not f.startswith(".")}


def test_the_readme_layout_section_matches_the_tree() -> None:
    entries = _readme_layout()
    assert set(entries) == _tracked_top_level_folders()
    for folder, text in entries.items():
        named = set(re.findall(r"\b([a-z0-9_]+\.(?:py|md|sh))\b", text))
        here = {p.name for p in (ROOT / folder).iterdir() if p.is_file()}
        if folder in PACKAGES or folder in ("scripts", "bench", "docs"):
            shipped = {n for n in here if n.endswith((".py", ".md", ".sh")) and n != "__init__.py"}
            assert shipped <= named, f"README's {folder}/ entry does not name {sorted(shipped - named)}"
        missing = {n for n in named if not any((ROOT / folder).rglob(n)) and not (ROOT / "docs" / n).exists()}
        assert not missing, f"README's {folder}/ entry names {sorted(missing)}, not in the tree"
