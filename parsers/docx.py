"""Word reports (DOCX): ``docx_to_document`` (python-docx).

python-docx opens the package; the reader walks the body element itself, so
that paragraphs and tables come out in document order (``doc.paragraphs``
and ``doc.tables`` lose it) and merged cells expand into the grid the HTML
reader makes: ``w:gridSpan`` is a colspan, ``w:vMerge`` a rowspan, each
spanned position holding a flagged copy. Steps:

``check_package``      the ZIP container before anything unpacks it: damaged, a zip bomb (sizes), a DTD
                       (external entities), not a Word file
``body_to_blocks``     the body (and content controls, layout tables) -> paragraphs and tables, in order
``table_to_grid``      one ``w:tbl`` -> a grid with spans expanded
``paragraph_to_text``  runs, tabs and breaks -> text, with Word's automatic numbering (一、 （二） 3.) printed

Each cell keeps its table, row and column.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field

import docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from lxml import etree

from parsers.errors import CorruptDocument, EncryptedDocument, TooLarge, UnsafeDocument, UnsupportedFormat
from parsers.filetype import zip_kind
from parsers.grid import Document, GridCell, Paragraph, TableBlock, check_block_count
from parsers.limits import Deadline

#: The most a DOCX may unpack to (all parts together, as their headers declare; zipfile holds them to it).
MAX_UNPACKED = 256 * 1024 * 1024
MAX_MEMBERS = 10_000
#: No Word table is wider than this; a larger gridSpan is damage (or an attack on memory).
MAX_SPAN = 64
#: Word's list levels are 0..8; a list counter never starts beyond this.
MAX_LEVEL, MAX_START = 8, 100_000

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_NS = {"w": W, "mc": MC}


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


W_P, W_TBL, W_TR, W_TC, W_SDT, W_SDT_CONTENT = map(_w, ("p", "tbl", "tr", "tc", "sdt", "sdtContent"))
W_CUSTOM_XML, W_VAL = _w("customXml"), _w("val")
_NUM_PR, _P_STYLE = f"{_w('pPr')}/{_w('numPr')}", f"{_w('pPr')}/{_w('pStyle')}"
_GRID_SPAN, _V_MERGE, _GRID_BEFORE = (
    f"{_w('tcPr')}/{_w('gridSpan')}",
    f"{_w('tcPr')}/{_w('vMerge')}",
    f"{_w('trPr')}/{_w('gridBefore')}",
)

W_R, W_T, W_TAB, W_BR, W_CR, W_NO_BREAK_HYPHEN = map(_w, ("r", "t", "tab", "br", "cr", "noBreakHyphen"))
#: Run content that prints: text, tabs, breaks. (A w:tab outside a run is a tab stop, not a tab.)
_PRINTED = {W_T: None, W_TAB: " ", W_BR: "\n", W_CR: "\n", W_NO_BREAK_HYPHEN: "-"}
#: Content that does not print in the paragraph's line: a fallback copy of the same drawing, text boxes.
_NOT_INLINE = (f"{{{MC}}}Fallback", _w("txbxContent"))
_SPACE_RE = re.compile(r"[ \t\r\f\v\u3000\xa0]+")
_PROLOG_SKIP = re.compile(rb"\s*(?:<\?.*?\?>|<!--.*?-->)", re.S)


#: Word writes an XML declaration and nothing else before the root element; more than this is no Word part.
MAX_PROLOG = 1024 * 1024


def prolog_declares_dtd(stream: io.BufferedIOBase | zipfile.ZipExtFile, chunk: int = 4096) -> bool:
    """Whether an XML part declares a DTD (the only place entities can be declared): its prolog is read up
    to the root element, skipping the XML declaration, processing instructions and comments. A part in
    UTF-16 is decoded first. What has been skipped is dropped as the scan goes (linear in the prolog), and a
    prolog longer than ``MAX_PROLOG`` is refused (:class:`CorruptDocument`), whatever it is made of."""
    data = stream.read(chunk)
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or data[:2] in (b"<\x00", b"\x00<"):
        data += stream.read(4 * MAX_PROLOG)
        encoding = "utf-16" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else ("utf-16-le" if data[0] else "utf-16-be")
        data = data.decode(encoding, "replace").encode("utf-8")
    consumed = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    data = data[consumed:]
    while True:
        match = _PROLOG_SKIP.match(data)
        if match:
            consumed += match.end()
            data = data[match.end() :]
            continue
        rest = data.lstrip()
        consumed += len(data) - len(rest)
        data = rest
        if consumed + len(data) > MAX_PROLOG:
            raise CorruptDocument(f"more than {MAX_PROLOG // 1024} KB before the root element of an XML part")
        if len(rest) < 2 or rest.startswith((b"<?", b"<!--")):  # cut by the chunk: read on
            more = stream.read(chunk)
            if not more:
                return False  # ends inside its prolog: not XML, and the XML parser will say so
            data += more
            continue
        return rest.startswith(b"<!")  # <!DOCTYPE; anything else is the root element (or not XML)


def check_package(data: bytes) -> None:
    """Refuse a damaged container, a zip bomb, a DTD (external entities) or a ZIP that is not Word, before
    python-docx unpacks anything."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise CorruptDocument(f"not a readable DOCX: the ZIP container is damaged ({exc})") from None
    with archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise TooLarge(f"the DOCX holds {len(members)} files (limit {MAX_MEMBERS}): a zip bomb?")
        unpacked = sum(m.file_size for m in members)
        if unpacked > MAX_UNPACKED:
            raise TooLarge(
                f"the DOCX would unpack to {unpacked / 1024**2:,.0f} MB (limit {MAX_UNPACKED // 1024**2} MB): "
                "a zip bomb?"
            )
        names = {m.filename for m in members}
        kind = zip_kind(names, _mimetype(archive))
        if kind != "a Word document (DOCX)" and kind != "a ZIP archive":
            raise UnsupportedFormat(f"{kind}, not a Word document")
        if "[Content_Types].xml" not in names:
            raise UnsupportedFormat("a ZIP archive, not a Word document (no [Content_Types].xml)")
        for member in members:  # every part, whatever its name: the main part may be word/document.XML
            if member.flag_bits & 0x1:
                raise EncryptedDocument(f"the DOCX part {member.filename} is encrypted (a password-protected ZIP)")
            try:
                with archive.open(member) as stream:
                    declares_dtd = prolog_declares_dtd(stream)
            except CorruptDocument as exc:
                raise CorruptDocument(f"not a readable DOCX: {member.filename}: {exc}") from None
            except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, ValueError, zlib.error) as exc:
                # damaged data (zlib), offsets that point before the archive (negative seek), odd methods
                raise CorruptDocument(f"not a readable DOCX: {member.filename} is damaged ({_describe(exc)})") from None
            if declares_dtd:
                raise UnsafeDocument(
                    f"the DOCX part {member.filename} declares a DTD (external entities?); Word never writes one, "
                    "so the file was not read"
                )


def _mimetype(archive: zipfile.ZipFile) -> bytes:
    """An OpenDocument file's ``mimetype`` member (stored first, uncompressed, a few dozen bytes); b"" if none."""
    try:
        info = archive.getinfo("mimetype")
        if info.file_size > 200 or info.flag_bits & 0x1:
            return b""
        return archive.read(info)
    except (KeyError, zipfile.BadZipFile, OSError, EOFError, NotImplementedError, ValueError, zlib.error):
        return b""


def open_docx(data: bytes) -> docx.document.Document:
    check_package(data)
    try:
        return docx.Document(io.BytesIO(data))
    except ValueError as exc:
        if "not a Word file" in str(exc):
            kind = str(exc).rsplit("content type is", 1)[-1].strip(" '")
            raise UnsupportedFormat(f"an Office file that is not a Word document ({kind})") from None
        raise CorruptDocument(f"not a readable DOCX ({exc})") from None
    except (KeyError, etree.XMLSyntaxError, zipfile.BadZipFile, EOFError, OSError, zlib.error) as exc:
        raise CorruptDocument(f"not a readable DOCX ({_describe(exc)})") from None


def _describe(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0][:160] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


# --- automatic numbering -------------------------------------------------------------

_CHINESE = "零一二三四五六七八九"
_HEAVENLY_STEMS = "甲乙丙丁戊己庚辛壬癸"


def _chinese_counting(n: int) -> str:
    if n < 10:
        return _CHINESE[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else _CHINESE[tens]) + "十" + (_CHINESE[ones] if ones else "")
    return str(n)


def _roman(n: int) -> str:
    out = ""
    for value, numeral in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"),
                           (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):  # fmt: skip
        count, n = divmod(n, value)
        out += numeral * count
    return out


def format_number(n: int, fmt: str) -> str:
    """A list counter as Word prints it in ``w:numFmt`` ``fmt``."""
    if fmt in ("chineseCounting", "chineseCountingThousand", "japaneseCounting", "chineseLegalSimplified"):
        return _chinese_counting(n)
    if fmt == "ideographTraditional":
        return _HEAVENLY_STEMS[(n - 1) % 10]
    if fmt == "decimalFullWidth":
        return str(n).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    if fmt == "decimalEnclosedCircle" and 1 <= n <= 20:
        return chr(0x2460 + n - 1)
    if fmt in ("lowerLetter", "upperLetter"):
        letter = chr(ord("a") + (n - 1) % 26)
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt in ("lowerRoman", "upperRoman"):
        return _roman(n).lower() if fmt == "lowerRoman" else _roman(n)
    if fmt in ("bullet", "none"):
        return ""
    return str(n)


@dataclass
class _Level:
    start: int = 1
    fmt: str = "decimal"
    text: str = "%1."


@dataclass
class Numbering:
    """Word's list numbering: definitions from numbering.xml, counters as the document is read."""

    levels: dict[str, dict[int, _Level]] = field(default_factory=dict)  # numId -> level -> definition
    document: docx.document.Document | None = None
    _style_numbering: dict[str, tuple[str, int]] | None = None  # paragraph style -> (numId, level), when needed
    counters: dict[str, list[int]] = field(default_factory=dict)

    @classmethod
    def of(cls, document: docx.document.Document) -> Numbering:
        numbering = cls()
        try:
            part = document.part.part_related_by(RT.NUMBERING)
        except KeyError:
            return numbering
        root = part.element
        abstract: dict[str, dict[int, _Level]] = {}
        for definition in root.iterchildren(_w("abstractNum")):
            levels = {}
            for lvl in definition.iterchildren(_w("lvl")):
                level = _int(lvl.get(_w("ilvl")), None, 0, MAX_LEVEL)
                if level is None:
                    continue
                levels[level] = _Level(
                    start=_int(_child_val(lvl, "start"), 1, 0, MAX_START),
                    fmt=_child_val(lvl, "numFmt") or "decimal",
                    text=_child_val(lvl, "lvlText") or "",
                )
            abstract[definition.get(_w("abstractNumId"), "")] = levels
        for num in root.iterchildren(_w("num")):
            levels = dict(abstract.get(_child_val(num, "abstractNumId") or "", {}))
            for override in num.iterchildren(_w("lvlOverride")):
                ilvl = _int(override.get(_w("ilvl")), 0, 0, MAX_LEVEL)
                start = _int(_child_val(override, "startOverride"), None, 0, MAX_START)
                if start is not None and ilvl in levels:
                    levels[ilvl] = _Level(start, levels[ilvl].fmt, levels[ilvl].text)
            numbering.levels[num.get(_w("numId"), "")] = levels
        numbering.document = document
        return numbering

    def style_numbering(self, style_id: str) -> tuple[str, int] | None:
        if self._style_numbering is None:
            self._style_numbering = _styles_numbering(self.document) if self.document is not None else {}
        return self._style_numbering.get(style_id)

    def prefix(self, p: etree._Element) -> str:
        """The number Word prints before paragraph ``p`` (advancing the counters), or ''."""
        if not self.levels:
            return ""
        num_id, level = _paragraph_numbering(p, self)
        if num_id is None or num_id == "0" or num_id not in self.levels:
            return ""
        levels = self.levels[num_id]
        if level not in levels:
            return ""
        counters = self.counters.setdefault(num_id, [0] * 10)
        for deeper in range(level + 1, len(counters)):
            counters[deeper] = 0
        if counters[level] == 0:
            counters[level] = levels[level].start
        else:
            counters[level] += 1
        text = levels[level].text
        for n in range(level + 1):
            value = counters[n] or (levels[n].start if n in levels else 1)
            text = text.replace(f"%{n + 1}", format_number(value, levels[n].fmt if n in levels else "decimal"))
        if not text:
            return ""
        return text if not text[-1].isascii() or not text[-1].isalnum() else text + " "


def _int(text: str | None, default: int | None, lo: int, hi: int) -> int | None:
    """An integer attribute as Word writes it, or ``default`` when it is missing, not an integer, or
    outside ``lo..hi`` (damage: ``'x'``, a level of 50, thousands of digits)."""
    text = (text or "").strip()
    if not text or len(text) > 12 or not (text.isascii() and text.lstrip("+-").isdigit()):
        return default
    value = int(text)
    return value if lo <= value <= hi else default


def _child_val(element: etree._Element, tag: str) -> str | None:
    child = element.find(_w(tag))
    return None if child is None else child.get(W_VAL)


def _paragraph_numbering(p: etree._Element, numbering: Numbering) -> tuple[str | None, int]:
    num_pr = p.find(_NUM_PR)
    if num_pr is not None:
        num_id = _child_val(num_pr, "numId")
        return num_id, _int(_child_val(num_pr, "ilvl"), 0, 0, MAX_LEVEL)
    style = p.find(_P_STYLE)
    if style is not None and (by_style := numbering.style_numbering(style.get(W_VAL, ""))):
        return by_style
    return None, 0


def _styles_numbering(document: docx.document.Document) -> dict[str, tuple[str, int]]:
    """Paragraph styles that number their paragraphs (a heading style bound to a list), basedOn followed."""
    try:
        root = document.part.part_related_by(RT.STYLES).element
    except KeyError:
        return {}
    own: dict[str, tuple[str, int]] = {}
    based_on: dict[str, str] = {}
    for style in root.iterchildren(_w("style")):
        style_id = style.get(_w("styleId"), "")
        num_pr = style.find(_NUM_PR)
        if num_pr is not None and (num_id := _child_val(num_pr, "numId")):
            own[style_id] = (num_id, _int(_child_val(num_pr, "ilvl"), 0, 0, MAX_LEVEL))
        if parent := _child_val(style, "basedOn"):
            based_on[style_id] = parent
    resolved = dict(own)
    for style_id in based_on:
        current, hops = style_id, 0
        while current not in own and current in based_on and hops < 10:
            current, hops = based_on[current], hops + 1
        if current in own:
            resolved.setdefault(style_id, own[current])
    return resolved


# --- paragraphs and tables -----------------------------------------------------------


def _clean(text: str) -> str:
    return _SPACE_RE.sub(" ", text).strip()


def paragraph_to_text(p: etree._Element, numbering: Numbering) -> str:
    """A paragraph's text as printed: its number, runs (tracked insertions in, deletions out), tabs as spaces,
    line breaks as newlines."""
    parts = [numbering.prefix(p)]
    for node in p.iter(*_PRINTED):
        parent = node.getparent()
        if parent is None or parent.tag != W_R:
            continue
        if next(node.iterancestors(*_NOT_INLINE), None) is not None:
            continue
        printed = _PRINTED[node.tag]
        parts.append(node.text or "" if printed is None else printed)
    return "".join(parts)


def _content_children(container: etree._Element) -> list[etree._Element]:
    """Block-level children, looking through content controls and custom XML wrappers."""
    out: list[etree._Element] = []
    for child in container:
        if child.tag == W_SDT:
            content = child.find(W_SDT_CONTENT)
            if content is not None:
                out += _content_children(content)
        elif child.tag == W_CUSTOM_XML:
            out += _content_children(child)
        else:
            out.append(child)
    return out


def _cell_text(tc: etree._Element, numbering: Numbering) -> str:
    """A cell's text: its paragraphs joined without space (a label wrapped in a narrow cell is one label)."""
    lines = []
    for p in (c for c in _content_children(tc) if c.tag == W_P):
        lines += [_clean(line) for line in paragraph_to_text(p, numbering).split("\n")]
    return "".join(line for line in lines if line)


def _grid_before(tr: etree._Element) -> int:
    value = tr.find(_GRID_BEFORE)
    return min(_int(value.get(W_VAL), 0, 0, 10**12), MAX_SPAN) if value is not None else 0


def _span(tc: etree._Element) -> int:
    value = tc.find(_GRID_SPAN)
    return max(1, min(_int(value.get(W_VAL), 1, 1, 10**12), MAX_SPAN)) if value is not None else 1


def _continues_merge(tc: etree._Element) -> bool:
    """``<w:vMerge/>`` (or val="continue"): this cell continues the merged cell above."""
    value = tc.find(_V_MERGE)
    return value is not None and value.get(W_VAL, "continue") == "continue"


def table_to_grid(tbl: etree._Element, index: int, numbering: Numbering) -> TableBlock:
    """One ``w:tbl`` to a grid: gridSpan and vMerge expanded as HTML's colspan and rowspan are."""
    block = TableBlock(index=index)
    for r, tr in enumerate(c for c in _content_children(tbl) if c.tag == W_TR):
        row: list[GridCell] = [GridCell(text="", row=r, col=c) for c in range(_grid_before(tr))]
        above = block.rows[-1] if block.rows else []
        for tc in (c for c in _content_children(tr) if c.tag == W_TC):
            col, span = len(row), _span(tc)
            if _continues_merge(tc) and col < len(above):
                text, rowspan_copy = above[col].text, True
            else:
                text, rowspan_copy = _cell_text(tc, numbering), False
            row += [
                GridCell(text=text, row=r, col=col + k, rowspan_copy=rowspan_copy, colspan_copy=k > 0)
                for k in range(span)
            ]
        block.rows.append(row)
    return block


@dataclass
class _Walk:
    numbering: Numbering
    deadline: Deadline
    blocks: list[Paragraph | TableBlock] = field(default_factory=list)
    n_tables: int = 0


def body_to_blocks(container: etree._Element, walk: _Walk) -> None:
    """Paragraphs (one per printed line) and tables, in document order. A table that holds tables is a
    layout table: its cells' contents are read as blocks."""
    for child in _content_children(container):
        if child.tag == W_P:
            for line in paragraph_to_text(child, walk.numbering).split("\n"):
                if text := _clean(line):
                    walk.blocks.append(Paragraph(text=text))
        elif child.tag == W_TBL:
            walk.deadline.check(f"reading table {walk.n_tables + 1}")
            if child.find(f".//{W_TBL}") is not None:
                for tr in (c for c in _content_children(child) if c.tag == W_TR):
                    for tc in (c for c in _content_children(tr) if c.tag == W_TC):
                        body_to_blocks(tc, walk)
                continue
            walk.blocks.append(table_to_grid(child, walk.n_tables, walk.numbering))
            walk.n_tables += 1


def document_to_blocks(document: docx.document.Document, deadline: Deadline) -> list[Paragraph | TableBlock]:
    check_block_count(len(document.element.body), "paragraphs and tables in the body")
    walk = _Walk(numbering=Numbering.of(document), deadline=deadline)
    body_to_blocks(document.element.body, walk)
    return walk.blocks


def docx_to_document(data: bytes, deadline: Deadline | None = None, *, format: str = "docx") -> Document:
    """Read a DOCX. Raises a ParseError on damaged, oversized, unsafe or non-Word packages."""
    document = open_docx(data)
    return Document(blocks=document_to_blocks(document, deadline or Deadline(None)), format=format)
