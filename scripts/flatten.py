"""Build the flat-text fixtures: the seed reports as other tools render them, structure lost.

    python scripts/flatten.py [--seeds ../shared/seeds]

Writes tests/fixtures/flat/:

* ``{seed}_oneline.txt``   the whole report on one line: lines joined by a space, every tab
  and run of spaces one space (a portal page saved as text, a PDF text layer without breaks);
* ``{seed}_spaces.txt``    the lines kept, table cells separated by single spaces
  (a browser copy-paste of the table);
* ``{seed}_runtogether.txt`` one line, and the cells of each table row with no separator at
  all: ``一、本年新收政府信息公开申请数量21710000218``;
* ``html_{fixture}_oneline.txt`` / ``html_{fixture}_runtogether.txt``: HTML fixtures as a browser
  saves them as text, cells joined by a space or by nothing;
* ``attachment_text.txt`` / ``attachment_page.html``: a page that is only a title and a
  link to the report's .docx (as portals print it);
* ``pre2019_table.txt``: a 2014 report with an old-style statistics table of its own.

Deterministic: running it twice changes nothing. Then run scripts/build_golden.py.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from parsers.grid import Paragraph
from parsers.html import html_to_document

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "fixtures" / "flat"
#: HTML fixtures (tests/fixtures/documents) also rendered as one line of text: official layout with merged
#: cells, zero marks and blanks, portal chrome with full-width digits and a repeated header.
HTML_FIXTURES = ("000_official", "002_zero_marks", "003_portal_chrome")
#: The seeds with tables (004 is a pre-2019 narrative: it is flattened as one line only).
TABLE_SEEDS = ("000", "001", "002", "003")


def one_line(text: str) -> str:
    """Every line joined by one space; tabs and runs of spaces one space."""
    return re.sub(r"[ \t\u3000]+", " ", " ".join(line.strip() for line in text.splitlines() if line.strip())) + "\n"


def spaces(text: str) -> str:
    """Lines kept; the tabs between cells become one space (empty cells vanish)."""
    out = []
    for line in text.splitlines():
        out.append(re.sub(r"[ \t]+", " ", line).strip())
    return "\n".join(out) + "\n"


def run_together(text: str) -> str:
    """One line; the cells of a table row (tab-separated, or one per tab-led line) joined with nothing."""
    pieces: list[str] = []
    table: list[str] = []

    def flush() -> None:
        if table:
            pieces.append("".join(table))
            table.clear()

    for line in text.splitlines():
        if "\t" in line:
            table.extend(cell.strip() for cell in line.split("\t") if cell.strip())
            continue
        if not line.strip():
            continue
        if table and text_is_wrap(line):
            table.append(line.strip())  # a wrapped cell of the one-cell-per-line layout
            continue
        flush()
        pieces.append(line.strip())
    flush()
    return re.sub(r"[ \u3000]+", " ", " ".join(pieces)) + "\n"


def html_as_text(data: bytes, separator: str) -> str:
    """An HTML fixture as a browser's "save as text" renders it: one line, each table cell once (merged
    cells are not repeated, empty cells vanish), cells joined by ``separator`` (" ", or "" run together)."""
    out: list[str] = []
    for block in html_to_document(data).blocks:
        if isinstance(block, Paragraph):
            out.append(block.text)
            continue
        for row in block.rows:
            out.append(separator.join(c.text for c in row if not c.is_copy and c.text.strip()))
    return re.sub(r"\s+", " ", " ".join(out)).strip() + "\n"


def text_is_wrap(line: str) -> bool:
    """A short line inside a table is the rest of a wrapped cell (seed 002: "本年新" / "制作数量")."""
    return len(line.strip()) <= 12 and not re.match(r"^[一二三四五六]、", line.strip())


ATTACHMENT_TEXT = """西夏区教育局2025年政府信息公开工作年度报告
发布时间：2026-01-15 09:00　来源：银川市西夏区教育局　【字号：大 中 小】
西夏区教育局2025年政府信息公开工作年度报告，详见附件。
附件：西夏区教育局2025年政府信息公开工作年度报告.docx (http://www.ycxixia.gov.cn/zwgk/xxgknb/P020260115785338470539.docx)
【打印本页】【关闭窗口】
"""

ATTACHMENT_HTML = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>平川区卫生健康局2024年政府信息公开工作年度报告 - 平川区人民政府</title></head>
<body>
<div class="article-title">平川区卫生健康局2024年政府信息公开工作年度报告</div>
<div class="info">信息来源：平川区人民政府　发布时间：2025-01-20 08:45</div>
<div id="zoom"><p>平川区卫生健康局2024年政府信息公开工作年度报告，请下载附件查看。</p></div>
<div class="fujian">附件下载：<p><a href="/picture/0/2f1f54538bc1bf87334e78d016cb692d.docx">
平川区卫生健康局2024年政府信息公开工作年度报告.docx</a></p></div>
<div class="footer">主办单位：平川区人民政府办公室</div>
</body></html>
"""

PRE2019_TABLE = """西夏区人民政府2016年政府信息公开工作年度报告

一、概述

2016年，我区认真贯彻落实《中华人民共和国政府信息公开条例》，全年主动公开政府信息1748条。

二、主动公开政府信息情况

统计指标\t单位\t统计数
一、主动公开情况\t\t
（一）主动公开政府信息数\t条\t1748
二、回应解读情况\t\t
三、依申请公开情况\t\t
（一）收到申请数\t件\t3
1.当面申请数\t件\t1
2.网络申请数\t件\t2
（二）申请办结数\t件\t3
1.按时办结数\t件\t3
四、行政复议数量\t件\t0
五、行政诉讼数量\t件\t0

三、依申请公开政府信息情况

2016年共收到政府信息公开申请3件，均已按时答复。

四、存在的主要问题及改进措施

公开的及时性有待提高。
"""


def build(seeds: Path) -> list[Path]:
    OUT.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def write(name: str, text: str) -> None:
        path = OUT / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(ROOT)}")
        written.append(path)

    for seed in sorted(seeds.glob("*.txt")):
        prefix = seed.name[:3]
        text = seed.read_text(encoding="utf-8")
        write(f"{prefix}_oneline.txt", one_line(text))
        if prefix in TABLE_SEEDS:
            write(f"{prefix}_spaces.txt", spaces(text))
            write(f"{prefix}_runtogether.txt", run_together(text))
    for name in HTML_FIXTURES:
        data = (ROOT / "tests" / "fixtures" / "documents" / f"{name}.html").read_bytes()
        write(f"html_{name}_oneline.txt", html_as_text(data, " "))
        write(f"html_{name}_runtogether.txt", html_as_text(data, ""))
    write("attachment_text.txt", ATTACHMENT_TEXT)
    write("attachment_page.html", ATTACHMENT_HTML)
    write("pre2019_table.txt", PRE2019_TABLE)
    for stale in OUT.iterdir():
        if stale not in written:
            stale.unlink()
            print(f"removed {stale.relative_to(ROOT)}")
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=Path, default=ROOT.parent / "shared" / "seeds")
    build(parser.parse_args().seeds)


if __name__ == "__main__":
    main()
