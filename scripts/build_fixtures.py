"""Build the fixture documents from the seed reports.

    python scripts/build_fixtures.py [--seeds ../shared/seeds]

Copies the seeds to tests/fixtures/seeds/, parses each, and renders HTML pages
in the official layout into tests/fixtures/documents/, plus the bad inputs in
tests/fixtures/bad/. Deterministic: running it twice changes nothing.
Then run scripts/build_golden.py and review the diff.
"""

from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

from nianbao.render import Style, report_to_html
from parsers import parse_file
from parsers.form import OTHER_ROWS_2021, REQUEST_COLUMN_KEYS, FormVersion, Table, request_row_keys
from parsers.report import Cell, CellKind, Report

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"

#: seed prefix -> (file name, style): one page per seed with tables, each a different hazard.
HTML_FIXTURES: dict[str, list[tuple[str, Style]]] = {
    "000": [
        ("000_official.html", Style()),
        ("000_gbk_undeclared.html", Style(charset="gbk", declare_charset=False)),
    ],
    "001": [("001_gb2312.html", Style(charset="gbk"))],
    "002": [("002_zero_marks.html", Style(zero_marks=("", "—", "/", "－", "无")))],
    "003": [("003_portal_chrome.html", Style(chrome=True, fullwidth_digits=True, repeat_request_header=True))],
}


def copy_seeds(seeds: Path) -> list[Path]:
    target = FIXTURES / "seeds"
    target.mkdir(parents=True, exist_ok=True)
    copied = []
    for seed in sorted(seeds.glob("*.txt")):
        dest = target / seed.name
        if not dest.exists() or dest.read_bytes() != seed.read_bytes():
            shutil.copyfile(seed, dest)
        copied.append(dest)
    return copied


def write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_bytes() != data:
        path.write_bytes(data)
        print(f"wrote {path.relative_to(ROOT)}")


def mixed_form(report: Report) -> Report:
    """A 2021 report whose part 三 still prints the 2019 single (六)其他处理 row."""
    requests = {k: dict(v) for k, v in report.requests.items() if k not in OTHER_ROWS_2021}
    (single_row,) = set(request_row_keys(FormVersion.V2019)) - set(request_row_keys(FormVersion.V2021))
    requests[single_row] = {
        col: Cell(value=sum(report.requests[k][col].value or 0 for k in OTHER_ROWS_2021), raw="", kind=CellKind.NUMBER)
        for col in REQUEST_COLUMN_KEYS
    }
    forms = dict(report.table_forms) | {Table.REQUESTS: FormVersion.V2019}
    return report.model_copy(update={"requests": requests, "table_forms": forms})


def bad_inputs(official_000: bytes) -> dict[str, bytes]:
    rng = random.Random(20260122)
    text = official_000.decode("utf-8")
    part3 = text.index("<p><strong>三、")
    part4 = text.index("<p><strong>四、")
    cut = text.index("（四）无法提供")
    return {
        "empty.txt": b"",
        "whitespace.html": b"  \n\t \n",
        "random.bin": bytes(rng.getrandbits(8) for _ in range(4096)),
        "not_a_report.html": (
            "<!DOCTYPE html><html><head><meta charset='utf-8'><title>西夏区人民政府</title></head><body>"
            "<div>当前位置：首页 &gt; 政务动态</div><h1>西夏区召开2024年安全生产工作会议</h1>"
            "<p>1月5日，西夏区召开安全生产工作会议，部署全年工作。</p>"
            "<table><tr><td>索引号：</td><td>640105/2024-00012</td></tr></table></body></html>"
        ).encode(),
        "no_part3.html": (text[:part3] + text[part4:]).encode(),
        "truncated.html": text[:cut].encode(),
        "pdf_named_txt.txt": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=Path, default=ROOT.parent / "shared" / "seeds")
    args = parser.parse_args()
    seeds = copy_seeds(args.seeds) if args.seeds.is_dir() else sorted((FIXTURES / "seeds").glob("*.txt"))
    reports = {seed.name[:3]: parse_file(seed) for seed in seeds}
    documents = FIXTURES / "documents"
    for prefix, variants in HTML_FIXTURES.items():
        for name, style in variants:
            write(documents / name, report_to_html(reports[prefix], style))
    write(documents / "003_mixed_form.html", report_to_html(mixed_form(reports["003"])))
    for name, data in bad_inputs(report_to_html(reports["000"])).items():
        write(FIXTURES / "bad" / name, data)


if __name__ == "__main__":
    main()
