"""Build the fixture documents from the seed reports.

    python scripts/build_fixtures.py [--seeds ../shared/seeds] [--skip-libreoffice]

Copies the seeds to tests/fixtures/seeds/, parses each, and renders into
tests/fixtures/documents/: HTML pages in the official layout, Word documents
(DOCX, python-docx, genuinely merged cells), PDFs and a .doc/.wps converted
from those by LibreOffice (needs ``scripts/system-deps``); plus the bad inputs
in tests/fixtures/bad/. Then run scripts/build_golden.py and review the diff.

Deterministic: running it twice changes nothing. DOCX files get fixed core
properties and ZIP timestamps; LibreOffice's PDFs get their creation date and
/ID fixed (``stable_pdf``); its .doc output is already stable. The two
encrypted PDFs cannot be made stable (the /ID feeds the encryption key, and
the key changes every run), so an existing one is kept when the new one reads
the same (``write_if_same_reading``).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import random
import re
import shutil
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path

from minipdf import MiniPdf
from render import Style, report_to_html
from render_docx import MARGIN_MM, PAGE_HEIGHT_MM, DocxStyle, fixed_timestamps, report_to_docx

from parsers import ParseError, parse_bytes, parse_file
from parsers.doc import convert_with_libreoffice, find_soffice
from parsers.form import (
    OTHER_ROWS_2021,
    REQUEST_COLUMN_KEYS,
    REQUEST_ROW_LAYOUT,
    RESULT_ROW_KEYS,
    FormVersion,
    Table,
    request_row_keys,
)
from parsers.grid import Document, GridCell
from parsers.pdf import pdf_to_document
from parsers.report import Cell, CellKind, Report

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
PAGE_HEIGHT_POINTS = PAGE_HEIGHT_MM / 25.4 * 72
MARGIN_POINTS = MARGIN_MM / 25.4 * 72

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


#: seed prefix -> (DOCX name, style); each DOCX is also converted to ``{prefix}_pdf.pdf``.
DOCX_FIXTURES: dict[str, tuple[str, DocxStyle]] = {
    "000": ("000_word.docx", DocxStyle()),
    "001": ("001_word.docx", DocxStyle(fullwidth_digits=True)),
    "002": ("002_word.docx", DocxStyle(zero_marks=("", "—", "/"))),
    "003": ("003_word.docx", DocxStyle()),
}


@dataclass(frozen=True)
class Split:
    """A PDF whose part 三 table breaks across two pages between two given rows."""

    name: str
    seed: str
    last_row_on_first_page: str  # a label printed in the last row before the break
    first_row_on_next_page: str
    style: DocxStyle


SPLITS = (
    # the break cuts the merged （四）无法提供 group after its first row; no repeated header
    Split(
        "001_split_group.pdf",
        "001",
        "本机关不掌握相关政府信息",
        "没有现成信息需要另行制作",
        DocxStyle(new_page_before=3),
    ),
    # the break cuts （三）不予公开 in the middle; Word's "repeat header rows" prints the header again
    Split(
        "003_split_header.pdf",
        "003",
        "保护第三方合法权益",
        "属于三类内部事务信息",
        DocxStyle(new_page_before=3, repeat_header=True),
    ),
)
#: LibreOffice's PDF export options: encrypted so that any reader opens it (owner password only) …
OWNER_PASSWORD = (
    'pdf:writer_pdf_Export:{"RestrictPermissions":{"type":"boolean","value":"true"},'
    '"PermissionPassword":{"type":"string","value":"owner"},"Changes":{"type":"long","value":"0"}}'
)
# … and encrypted with a password needed to open it.
USER_PASSWORD = (
    'pdf:writer_pdf_Export:{"EncryptFile":{"type":"boolean","value":"true"},'
    '"DocumentOpenPassword":{"type":"string","value":"secret"}}'
)
CONVERSION_TIMEOUT = 180.0


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


def reading(data: bytes) -> object:
    """What parsing the bytes gives, without what depends on the bytes themselves (sha256)."""
    try:
        report = parse_bytes(data, source="fixture").to_json_dict()
    except ParseError as exc:
        return (exc.code, str(exc))
    report.pop("sha256")
    return report


def write_if_same_reading(path: Path, data: bytes) -> None:
    """For files that cannot be rebuilt byte for byte: keep the existing one when it reads the same."""
    if path.exists() and reading(path.read_bytes()) == reading(data):
        return
    write(path, data)


# --- LibreOffice -------------------------------------------------------------------


def libreoffice(data: bytes, suffix: str, target: str) -> bytes:
    return convert_with_libreoffice(data, suffix, target, CONVERSION_TIMEOUT)


def stable_pdf(data: bytes) -> bytes:
    """LibreOffice's PDF with its creation date, /ID and checksum fixed (same lengths, so offsets hold)."""
    data = re.sub(rb"/CreationDate\(D:\d{14}", b"/CreationDate(D:20210128090000", data)
    blank = re.sub(rb"/ID \[ <[0-9A-F]{32}>\s*<[0-9A-F]{32}> \]", b"/ID []", data)
    blank = re.sub(rb"/DocChecksum /[0-9A-F]{32}", b"/DocChecksum", blank)
    digest = hashlib.md5(blank).hexdigest().upper().encode()
    data = re.sub(
        rb"(/ID \[ <)[0-9A-F]{32}(>\s*<)[0-9A-F]{32}(> \])", rb"\g<1>" + digest + rb"\g<2>" + digest + rb"\g<3>", data
    )
    return re.sub(rb"(/DocChecksum /)[0-9A-F]{32}", rb"\g<1>" + digest, data)


def docx_to_pdf(docx: bytes, target: str = "pdf:writer_pdf_Export") -> bytes:
    return libreoffice(docx, ".docx", target)


def find_row(document: Document, label: str) -> GridCell:
    """The grid cell of a part 三 row label, with the page and box it was printed at."""
    for table in document.tables:
        for row in table.rows:
            for cell in row:
                if label in cell.text and not cell.is_copy and cell.bbox is not None:
                    return cell
    raise SystemExit(f"build_fixtures: row {label!r} not found in the rendered PDF")


def split_pdf(report: Report, split: Split) -> bytes:
    """Part 三 on a page of its own, pushed down by an empty paragraph whose space above is adjusted
    until the page break falls between the two rows (LibreOffice's layout is measured, not assumed)."""
    body_bottom = PAGE_HEIGHT_POINTS - MARGIN_POINTS
    space = 0.0
    for _ in range(6):
        data = stable_pdf(docx_to_pdf(report_to_docx(report, replace(split.style, space_before_requests=space))))
        document = pdf_to_document(data)
        last = find_row(document, split.last_row_on_first_page)
        following = find_row(document, split.first_row_on_next_page)
        if following.page == last.page + 1:  # type: ignore[operator]
            return data
        if following.page != last.page:
            break
        space = round(space + body_bottom - (last.bbox[3] + following.bbox[3]) / 2, 1)  # type: ignore[index]
    raise SystemExit(f"build_fixtures: {split.name}: could not make part 三 break between the two rows")


def without_unicode_maps(pdf: bytes) -> bytes:
    """A PDF whose fonts lose their ToUnicode maps: every glyph reads as (cid:N), as in some real reports."""
    return pdf.replace(b"/ToUnicode", b"/ToUnicodX")


# --- bad Word files --------------------------------------------------------------------


def zip_bomb() -> bytes:
    """A DOCX whose document.xml honestly declares 300 MB of spaces (about 300 KB compressed)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in (
            (
                "[Content_Types].xml",
                '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
            ),
        ):
            archive.writestr(zipfile.ZipInfo(name, date_time=(2021, 1, 28, 9, 0, 0)), text)
        info = zipfile.ZipInfo("word/document.xml", date_time=(2021, 1, 28, 9, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(info, "w", force_zip64=True) as member:
            chunk = b" " * (1 << 20)
            for _ in range(300):
                member.write(chunk)
    return out.getvalue()


def with_external_entity(docx: bytes) -> bytes:
    """The DOCX with a DTD in document.xml whose entity would pull in a file from the reading machine."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "word/document.xml":
                head, _, rest = content.partition(b"?>")
                content = (
                    head + b'?>\n<!DOCTYPE w:document [<!ENTITY secret SYSTEM "file:///etc/hostname">]>' + rest
                ).replace("年度报告".encode(), "年度报告&secret;".encode(), 1)
            target.writestr(info, content)
    return fixed_timestamps(out.getvalue())


def plain_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(zipfile.ZipInfo("readme.txt", date_time=(2021, 1, 28, 9, 0, 0)), "not a Word document")
    return out.getvalue()


def scanned_pdf() -> bytes:
    """Two pages that are only images, as a scanner makes them: no text layer."""
    pdf = MiniPdf()
    rng = random.Random(7)
    for _ in range(2):
        pixels = bytes(200 + rng.randrange(56) for _ in range(64 * 90))
        pdf.add_page().image(40, 40, 515, 760, pixels, 64, 90)
    return pdf.to_bytes()


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
    groups = list(dict.fromkeys(group or own for group, own in (REQUEST_ROW_LAYOUT[k] for k in RESULT_ROW_KEYS)))
    cut = text.index(groups[3])  # inside part 三: at （四）无法提供
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
    parser.add_argument(
        "--skip-libreoffice", action="store_true", help="build only what needs no LibreOffice (HTML, DOCX, some bad)"
    )
    args = parser.parse_args()
    seeds = copy_seeds(args.seeds) if args.seeds.is_dir() else sorted((FIXTURES / "seeds").glob("*.txt"))
    reports = {seed.name[:3]: parse_file(seed) for seed in seeds}
    documents = FIXTURES / "documents"
    for prefix, variants in HTML_FIXTURES.items():
        for name, style in variants:
            write(documents / name, report_to_html(reports[prefix], style))
    write(documents / "003_mixed_form.html", report_to_html(mixed_form(reports["003"])))
    bad = FIXTURES / "bad"
    for name, data in bad_inputs(report_to_html(reports["000"])).items():
        write(bad / name, data)

    docx: dict[str, bytes] = {}
    for prefix, (name, style) in DOCX_FIXTURES.items():
        docx[prefix] = report_to_docx(reports[prefix], style)
        write(documents / name, docx[prefix])
    write(bad / "zip_bomb.docx", zip_bomb())
    write(bad / "external_entity.docx", with_external_entity(docx["000"]))
    write(bad / "plain_zip.docx", plain_zip())
    write(
        bad / "not_word.doc",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(random.Random(3).getrandbits(8) for _ in range(2040)),
    )
    write(bad / "zero_pages.pdf", MiniPdf().to_bytes())
    write(bad / "scanned.pdf", scanned_pdf())
    if args.skip_libreoffice:
        return
    if find_soffice() is None:
        raise SystemExit("build_fixtures: LibreOffice is needed for the PDF and DOC fixtures: run scripts/system-deps")
    os.environ["TZ"] = "UTC"  # LibreOffice writes its local time into PDFs; stable_pdf expects the UTC form
    pdf: dict[str, bytes] = {}
    for prefix in DOCX_FIXTURES:
        pdf[prefix] = stable_pdf(docx_to_pdf(docx[prefix]))
        write(documents / f"{prefix}_pdf.pdf", pdf[prefix])
    for split in SPLITS:
        write(documents / split.name, split_pdf(reports[split.seed], split))
    write(
        documents / "002_unruled.pdf", stable_pdf(docx_to_pdf(report_to_docx(reports["002"], DocxStyle(ruled=False))))
    )
    write(documents / "003_pdf_named.docx", pdf["003"])  # a PDF under a Word name: read by content
    write_if_same_reading(documents / "000_owner_password.pdf", docx_to_pdf(docx["000"], OWNER_PASSWORD))
    write(documents / "002_legacy.doc", libreoffice(docx["002"], ".docx", "doc:MS Word 97"))
    write(documents / "001_legacy.wps", libreoffice(docx["001"], ".docx", "doc:MS Word 97"))  # WPS saves Word's format
    write_if_same_reading(bad / "user_password.pdf", docx_to_pdf(docx["000"], USER_PASSWORD))
    write(bad / "corrupt.pdf", b"%PDF-1.7\n" + bytes(random.Random(5).getrandbits(8) for _ in range(4096)))
    write(bad / "truncated.pdf", pdf["000"][: len(pdf["000"]) // 2])
    write(bad / "unmapped_glyphs.pdf", without_unicode_maps(pdf["000"]))


if __name__ == "__main__":
    main()
