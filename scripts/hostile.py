"""Hostile documents built from the fixtures: the crash classes a probe of 2,031 files found (issue 18),
and the mutators bench/fuzz.py draws from. Not shipped: tests/test_hostile.py and bench/fuzz.py use it.

``crash_classes()`` is one named document per class that once ended a whole run with a traceback;
``mutants(seed, n)`` yields ``n`` (name, bytes, origin) documents made by bit flips, truncations,
deletions, duplications, ZIP tricks, re-encodings, huge cells and markup, each from a fixture whose
parse is known (``origin``), so a mutant that still parses can be held against it.
"""

from __future__ import annotations

import io
import random
import re
import struct
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = ROOT / "tests" / "fixtures" / "documents"
SEEDS = ROOT / "tests" / "fixtures" / "seeds"

#: The fixtures the mutants start from: one per reader (and the seed texts).
ORIGINS = (
    "000_official.html",
    "001_gb2312.html",
    "002_zero_marks.html",
    "003_portal_chrome.html",
    "000_word.docx",
    "001_word.docx",
    "002_word.docx",
    "003_word.docx",
    "000_pdf.pdf",
    "002_pdf.pdf",
)
#: Codecs that are in Python's registry but are no text encoding: declared as a page's charset they
#: once crashed the decoder.
NOT_TEXT_CODECS = ("zlib", "base64", "hex", "rot13", "uu", "bz2", "quopri", "undefined")


def origin_path(name: str) -> Path:
    return DOCUMENTS / name if (DOCUMENTS / name).exists() else SEEDS / name


def origin_bytes(name: str) -> bytes:
    return origin_path(name).read_bytes()


# --- ZIP surgery ----------------------------------------------------------------------------------


def rezip(data: bytes, edit: Callable[[str, bytes], tuple[str, bytes] | None]) -> bytes:
    """A DOCX rebuilt member by member; ``edit(name, content)`` returns the new (name, content) or None
    to drop the member."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            edited = edit(info.filename, source.read(info))
            if edited is not None:
                target.writestr(edited[0], edited[1])
    return out.getvalue()


def replace_member(data: bytes, name: str, transform: Callable[[bytes], bytes]) -> bytes:
    return rezip(data, lambda n, c: (n, transform(c) if n == name else c))


def _member_data_offset(data: bytes, name: str) -> int:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(name)
    name_len, extra_len = struct.unpack_from("<HH", data, info.header_offset + 26)
    return info.header_offset + 30 + name_len + extra_len


def flag_encrypted(data: bytes, name: str) -> bytes:
    """Set the 'encrypted' flag bit of ``name`` in its local header and its central directory entry."""
    out = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(name)
    out[info.header_offset + 6] |= 0x01
    encoded = name.encode()
    central = position = data.find(b"PK\x01\x02")
    while position != -1:
        n = struct.unpack_from("<H", data, position + 28)[0]
        if data[position + 46 : position + 46 + n] == encoded:
            central = position
            break
        position = data.find(b"PK\x01\x02", position + 4)
    out[central + 8] |= 0x01
    return bytes(out)


# --- the crash classes ----------------------------------------------------------------------------


def _html_with_cell(digits: str) -> bytes:
    from parsers.form import REQUEST_ROW_BY_KEY, REQUEST_ROW_KEYS

    html = origin_bytes("000_official.html").decode("utf-8")
    label = REQUEST_ROW_BY_KEY[REQUEST_ROW_KEYS[0]].label  # 本年新收…申请数量
    row = f"{label}</td><td>1</td>"
    assert row in html, label
    return html.replace(row, f"{label}</td><td>{digits}</td>", 1).encode("utf-8")


def _gbk_html_declaring(charset: str) -> bytes:
    return origin_bytes("001_gb2312.html").replace(b"charset=gb2312", f"charset={charset}".encode(), 1)


def _docx_with_numbering(transform: Callable[[bytes], bytes]) -> bytes:
    return replace_member(origin_bytes("000_word.docx"), "word/numbering.xml", transform)


def _numbered_docx() -> bytes:
    """000_word.docx with a numbering part, numbered paragraphs and a gridBefore: what the Word classes
    below damage."""
    import docx
    from docx.oxml import parse_xml

    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    document = docx.Document(io.BytesIO(origin_bytes("000_word.docx")))
    paragraph = document.paragraphs[-1]._p
    paragraph.insert(0, parse_xml(f'<w:pPr {w}><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr>'))
    table = document.tables[0]._tbl
    tr = table.tr_lst[0]
    tr.insert(0, parse_xml(f'<w:trPr {w}><w:gridBefore w:val="0"/></w:trPr>'))
    buffer = io.BytesIO()
    document.save(buffer)
    numbering = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:numbering {w}>'
        '<w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0"><w:start w:val="1"/>'
        '<w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl></w:abstractNum>'
        '<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num></w:numbering>'
    ).encode()
    data = buffer.getvalue()

    def add_numbering(name: str, content: bytes) -> tuple[str, bytes]:
        if name == "[Content_Types].xml" and b"numbering" not in content:
            content = content.replace(
                b"</Types>",
                b'<Override PartName="/word/numbering.xml" ContentType="application/'
                b'vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml"/></Types>',
            )
        if name == "word/_rels/document.xml.rels" and b"numbering" not in content:
            content = content.replace(
                b"</Relationships>",
                b'<Relationship Id="rIdNum1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                b'relationships/numbering" Target="numbering.xml"/></Relationships>',
            )
        return name, content

    data = rezip(data, add_numbering)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        has_numbering = "word/numbering.xml" in archive.namelist()
    if not has_numbering:
        out = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as t:
            for info in source.infolist():
                t.writestr(info.filename, source.read(info))
            t.writestr("word/numbering.xml", numbering)
        data = out.getvalue()
    return replace_member(data, "word/numbering.xml", lambda _: numbering)


def _docx_edit(member: str, pattern: bytes, replacement: bytes) -> bytes:
    def transform(content: bytes) -> bytes:
        assert re.search(pattern, content), (member, pattern)
        return re.sub(pattern, replacement, content, count=1)

    return replace_member(_numbered_docx(), member, transform)


def _level_50() -> bytes:
    """A list level 50 defined and used (Word has 0..8)."""
    data = _docx_edit("word/document.xml", rb'w:ilvl w:val="0"', b'w:ilvl w:val="50"')
    return replace_member(data, "word/numbering.xml", lambda c: c.replace(b'w:ilvl="0"', b'w:ilvl="50"', 1))


def _zlib_error_docx() -> bytes:
    data = bytearray(origin_bytes("000_word.docx"))
    data[_member_data_offset(bytes(data), "word/document.xml")] = 0xFF  # deflate block type 11: invalid
    return bytes(data)


def _negative_seek_docx() -> bytes:
    data = origin_bytes("000_word.docx")
    cut = _member_data_offset(data, "word/document.xml") + 40
    return data[:cut] + data[cut + 23 :]  # 23 bytes gone: every later offset points past its header


def _duplicated_docx() -> bytes:
    data = origin_bytes("000_word.docx")
    at = _member_data_offset(data, "word/document.xml") + 100
    return data[:at] + data[at - 37 : at] + data[at:]


def _pdf_mediabox(replacement: bytes) -> bytes:
    data = origin_bytes("000_pdf.pdf")
    return re.sub(rb"/MediaBox\s*\[[^\]]*\]", b"/MediaBox " + replacement, data, count=1)


def _pdf_flipped_xref() -> bytes:
    data = bytearray(origin_bytes("000_pdf.pdf"))
    at = data.rfind(b"startxref") + len(b"startxref") + 2
    data[at] ^= 0x08  # the xref offset's first digit: it points elsewhere
    return bytes(data)


def _content_type_markup() -> bytes:
    return replace_member(
        origin_bytes("000_word.docx"),
        "[Content_Types].xml",
        lambda c: c.replace(
            b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
            b"[/][bold red]application/x-evil",
            1,
        ),
    )


def _part_name_markup() -> bytes:
    return replace_member(
        origin_bytes("000_word.docx"), "_rels/.rels", lambda c: c.replace(b"word/document.xml", b"word/[/]doc.xml", 1)
    )


def _main_part_not_named_xml() -> bytes:
    """The DTD guard must look at every part: the main document as word/document.XML, with a DTD."""
    dtd = b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e SYSTEM "file:///etc/passwd">]>'

    def edit(name: str, content: bytes) -> tuple[str, bytes]:
        if name == "word/document.xml":
            return "word/document.XML", dtd + content.split(b"?>", 1)[1]
        if name in ("_rels/.rels", "[Content_Types].xml"):
            return name, content.replace(b"document.xml", b"document.XML")
        return name, content

    return rezip(origin_bytes("000_word.docx"), edit)


def crash_classes() -> dict[str, bytes]:
    """One document per class of input that once ended a run with a traceback (issue 18)."""
    docs: dict[str, bytes] = {
        "docx_zlib_error.docx": _zlib_error_docx(),
        "docx_bytes_deleted.docx": _negative_seek_docx(),
        "docx_bytes_duplicated.docx": _duplicated_docx(),
        "pdf_mediabox_keyword.pdf": _pdf_mediabox(b"[0 0 595 /Evil 842]"),
        "pdf_mediabox_short.pdf": _pdf_mediabox(b"[0 0 595 8 /b 1.88]"),
        "pdf_flipped_xref.pdf": _pdf_flipped_xref(),
        "cell_4301_digits.html": _html_with_cell("1" * 4301),
        "cell_4300_digits.html": _html_with_cell("9" * 4300),
        "docx_numbering_ilvl_x.docx": _docx_edit("word/numbering.xml", rb'w:ilvl="0"', b'w:ilvl="x"'),
        "docx_numbering_start_abc.docx": _docx_edit("word/numbering.xml", rb'start w:val="1"', b'start w:val="abc"'),
        "docx_numbering_level_50.docx": _level_50(),
        "docx_grid_before_x.docx": _docx_edit("word/document.xml", rb'gridBefore w:val="0"', b'gridBefore w:val="x"'),
        "docx_encrypted_member.docx": flag_encrypted(origin_bytes("000_word.docx"), "word/document.xml"),
        "docx_content_type_markup.docx": _content_type_markup(),
        "docx_part_name_markup.docx": _part_name_markup(),
        "docx_main_part_named_XML.docx": _main_part_not_named_xml(),
        "[bold red]name with markup.html": origin_bytes("000_official.html"),
    }
    for codec in NOT_TEXT_CODECS:
        docs[f"charset_{codec}.html"] = _gbk_html_declaring(codec)
    return docs


# --- mutators for the fuzz -------------------------------------------------------------------------


def _bit_flips(rng: random.Random, data: bytes) -> tuple[str, bytes]:
    out = bytearray(data)
    n = rng.choice((1, 1, 2, 4, 16))
    for _ in range(n):
        out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
    return f"flip{n}", bytes(out)


def _truncate(rng: random.Random, data: bytes) -> tuple[str, bytes]:
    at = rng.randrange(1, len(data))
    return f"truncate@{at}", data[:at]


def _delete(rng: random.Random, data: bytes) -> tuple[str, bytes]:
    at, n = rng.randrange(len(data)), rng.choice((1, 7, 64, 512))
    return f"delete{n}@{at}", data[:at] + data[at + n :]


def _duplicate(rng: random.Random, data: bytes) -> tuple[str, bytes]:
    at, n = rng.randrange(len(data)), rng.choice((1, 7, 64, 512))
    return f"duplicate{n}@{at}", data[:at] + data[at : at + n] + data[at:]


def _zip_trick(rng: random.Random, data: bytes) -> tuple[str, bytes]:
    if not data.startswith(b"PK"):
        return _bit_flips(rng, data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
    victim = rng.choice(names)
    trick = rng.choice(("drop", "encrypt", "rename_upper", "empty", "garbage", "dtd", "huge_whitespace"))
    if trick == "drop":
        return f"zip_drop:{victim}", rezip(data, lambda n, c: None if n == victim else (n, c))
    if trick == "encrypt":
        return f"zip_encrypt:{victim}", flag_encrypted(data, victim)
    if trick == "rename_upper":
        return f"zip_rename:{victim}", rezip(data, lambda n, c: (n.upper() if n == victim else n, c))
    if trick == "empty":
        return f"zip_empty:{victim}", replace_member(data, victim, lambda c: b"")
    if trick == "garbage":
        return f"zip_garbage:{victim}", replace_member(data, victim, lambda c: rng.randbytes(max(1, len(c))))
    if trick == "dtd":
        return f"zip_dtd:{victim}", replace_member(data, victim, lambda c: b'<!DOCTYPE x [<!ENTITY e "e">]>' + c)
    return f"zip_whitespace:{victim}", replace_member(data, victim, lambda c: b" " * 2_000_000 + c)


def _encoding(rng: random.Random, data: bytes) -> tuple[str, bytes]:
    if data.startswith((b"PK", b"%PDF")):
        return _bit_flips(rng, data)
    text = data.decode("gb18030", "replace")
    codec = rng.choice(("utf-16", "utf-16-le", "utf-16-be", "gb18030", "big5", "utf-8-sig", "shift_jis"))
    declared = rng.choice((*NOT_TEXT_CODECS, "latin-1", "utf-8", "gbk", "x-nonsense", "utf-7", "unicode_escape"))
    text = re.sub(r"charset=[\w-]+", f"charset={declared}", text, count=1)
    return f"encode:{codec}/declare:{declared}", text.encode(codec, "replace")


def _huge_cell(rng: random.Random, data: bytes) -> tuple[str, bytes]:
    if data.startswith((b"PK", b"%PDF")):
        return _bit_flips(rng, data)
    text = data.decode("gb18030", "replace")
    cells = list(re.finditer(r"<td>(\d+)</td>", text))
    if not cells:
        return _bit_flips(rng, data)
    cell = rng.choice(cells)
    value = rng.choice(("9" * 4300, "1" * 4301, "1" * 20, "-" + "9" * 400, "1e308", "9" * 16 + ".5"))
    return f"huge_cell:{len(value)}", (text[: cell.start(1)] + value + text[cell.end(1) :]).encode("utf-8")


def _markup(rng: random.Random, data: bytes) -> tuple[str, bytes]:
    if data.startswith(b"%PDF"):
        return _bit_flips(rng, data)
    if data.startswith(b"PK"):
        return "markup_content_type", _content_type_markup()
    text = data.decode("gb18030", "replace")
    evil = rng.choice(("[/]", "[bold red]x[/bold red]", "\x1b[31m", "\n error: forged", "[link=file:///etc]"))
    return "markup_text", text.replace("<title>", "<title>" + evil, 1).encode("utf-8")


def _spans(rng: random.Random, data: bytes) -> tuple[str, bytes]:
    if data.startswith((b"PK", b"%PDF")):
        return _bit_flips(rng, data)
    text = data.decode("gb18030", "replace")
    span = rng.choice(('colspan="1000"', 'rowspan="65534"', 'colspan="99999999999999999999"', 'rowspan="-5"'))
    return f"span:{span}", text.replace("<td>", f"<td {span}>", rng.randrange(1, 30)).encode("utf-8")


MUTATORS: dict[str, Callable[[random.Random, bytes], tuple[str, bytes]]] = {
    "bit_flip": _bit_flips,
    "truncate": _truncate,
    "delete": _delete,
    "duplicate": _duplicate,
    "zip_trick": _zip_trick,
    "encoding": _encoding,
    "huge_cell": _huge_cell,
    "markup": _markup,
    "spans": _spans,
}


def mutants(seed: int, n: int) -> Iterator[tuple[str, str, bytes, str]]:
    """``n`` (name, mutator, bytes, origin) documents, the same for the same seed."""
    rng = random.Random(seed)
    originals = {name: origin_bytes(name) for name in ORIGINS}
    kinds = list(MUTATORS)
    for i in range(n):
        origin = ORIGINS[i % len(ORIGINS)]
        kind = kinds[(i // len(ORIGINS)) % len(kinds)]
        what, data = MUTATORS[kind](rng, originals[origin])
        yield f"{i:05d}-{kind}-{origin}", what, data, origin
