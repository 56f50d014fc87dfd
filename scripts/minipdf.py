"""A minimal PDF writer, for inputs an office suite will not make on purpose.

    from minipdf import MiniPdf
    pdf = MiniPdf()
    page = pdf.add_page()
    page.text(72, 100, "本年新收政府信息公开申请数量", size=10.5)
    page.line(72, 120, 520, 120)
    data = pdf.to_bytes()

Used by ``scripts/build_fixtures.py`` (a zero-page PDF, a scan without a text
layer) and by the PDF reader's tests (faux bold drawn twice, a table without
ruling lines whose numbers sit between two label lines, glyphs without a
Unicode map, a page that takes long to interpret). Text uses the standard
CJK font STSong-Light with the UniGB-UCS2-H encoding (nothing embedded, and
every PDF reader maps it back to Unicode), or with ``font="unmapped"`` an
Identity-H font without a ToUnicode map, whose glyphs read as ``(cid:N)``.
Coordinates are in points from the page's top-left corner, as pdfplumber
reports them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

A4 = (595.28, 841.89)
_ASCENT = 0.88  # of the font size: where the baseline sits below a glyph's top


@dataclass
class Page:
    width: float
    height: float
    ops: list[str] = field(default_factory=list)
    images: list[tuple[int, int, bytes]] = field(default_factory=list)

    def text(self, x: float, top: float, text: str, size: float = 10.5, font: str = "song", gray: float = 0) -> None:
        """``text`` on one line, its glyphs' tops at ``top``."""
        name = {"song": "F1", "unmapped": "F2"}[font]
        if font == "song":
            codes = "".join(f"{ord(ch):04X}" for ch in text)
        else:
            codes = "".join(f"{(ord(ch) % 60000) + 1:04X}" for ch in text)
        baseline = self.height - top - _ASCENT * size
        self.ops.append(f"BT {gray:g} g /{name} {size:g} Tf 1 0 0 1 {x:.2f} {baseline:.2f} Tm <{codes}> Tj ET")

    def line(self, x0: float, top0: float, x1: float, top1: float, width: float = 0.5, gray: float = 0) -> None:
        self.ops.append(
            f"{width:g} w {gray:g} G {x0:.2f} {self.height - top0:.2f} m {x1:.2f} {self.height - top1:.2f} l S"
        )

    def grid(self, xs: list[float], ys: list[float], gray: float = 0) -> None:
        """Ruling lines: every x from the first to the last y, every y from the first to the last x."""
        for x in xs:
            self.line(x, ys[0], x, ys[-1], gray=gray)
        for y in ys:
            self.line(xs[0], y, xs[-1], y, gray=gray)

    def image(self, x: float, top: float, w: float, h: float, pixels: bytes, px_w: int, px_h: int) -> None:
        """A greyscale image (``px_w`` × ``px_h`` bytes) drawn in the box."""
        self.images.append((px_w, px_h, pixels))
        n = len(self.images)
        self.ops.append(f"q {w:.2f} 0 0 {h:.2f} {x:.2f} {self.height - top - h:.2f} cm /Im{n} Do Q")

    def raw(self, op: str) -> None:
        self.ops.append(op)


@dataclass
class MiniPdf:
    width: float = A4[0]
    height: float = A4[1]
    pages: list[Page] = field(default_factory=list)

    def add_page(self) -> Page:
        page = Page(self.width, self.height)
        self.pages.append(page)
        return page

    def to_bytes(self) -> bytes:
        objects: list[bytes] = []

        def add(body: bytes | str) -> int:
            objects.append(body.encode("latin-1") if isinstance(body, str) else body)
            return len(objects)

        catalog = add("")  # filled in below
        pages = add("")
        descriptor = add(
            "<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [0 -120 1000 880] "
            "/ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>"
        )
        song_cid = add(
            "<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> "
            f"/FontDescriptor {descriptor} 0 R /DW 1000 /W [1 95 500] >>"
        )
        song = add(
            "<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H "
            f"/DescendantFonts [{song_cid} 0 R] >>"
        )
        unmapped_cid = add(
            "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /Unmapped "
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "
            f"/FontDescriptor {descriptor} 0 R /DW 1000 >>"
        )
        unmapped = add(
            "<< /Type /Font /Subtype /Type0 /BaseFont /Unmapped /Encoding /Identity-H "
            f"/DescendantFonts [{unmapped_cid} 0 R] >>"
        )
        kids = []
        for page in self.pages:
            content = "\n".join(page.ops).encode("latin-1")
            stream = add(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
            xobjects = []
            for n, (px_w, px_h, pixels) in enumerate(page.images, start=1):
                image = add(
                    b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
                    b"/BitsPerComponent 8 /Length %d >>\nstream\n" % (px_w, px_h, len(pixels)) + pixels + b"\nendstream"
                )
                xobjects.append(f"/Im{n} {image} 0 R")
            kids.append(
                add(
                    f"<< /Type /Page /Parent {pages} 0 R /MediaBox [0 0 {self.width:g} {self.height:g}] "
                    f"/Resources << /Font << /F1 {song} 0 R /F2 {unmapped} 0 R >> "
                    f"/XObject << {' '.join(xobjects)} >> >> /Contents {stream} 0 R >>"
                )
            )
        objects[catalog - 1] = f"<< /Type /Catalog /Pages {pages} 0 R >>".encode()
        objects[pages - 1] = (
            f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] /Count {len(kids)} >>".encode()
        )
        out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
        offsets = []
        for number, body in enumerate(objects, start=1):
            offsets.append(len(out))
            out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
        xref = len(out)
        out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
        out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
        out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, catalog, xref)
        return bytes(out)
