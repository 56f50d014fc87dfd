"""A file that is not a report is named from its content ("a JPEG image"), not "binary content (NUL bytes)"."""

from __future__ import annotations

import io
import zipfile

import pytest
from PIL import Image

from parsers import ParseError, parse_bytes
from parsers.filetype import content_kind, zip_kind


def _image(fmt: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, format=fmt)
    return out.getvalue()


def _zip(members: dict[str, bytes], *, stored_first: str | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data, zipfile.ZIP_STORED if name == stored_first else zipfile.ZIP_DEFLATED)
    return out.getvalue()


# An OFD (GB/T 33190): a ZIP with OFD.xml at its root and the pages under Doc_0/.
OFD = _zip(
    {"OFD.xml": b'<ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016" Version="1.0"/>', "Doc_0/Document.xml": b"<x/>"}
)
XLSX = _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>", "_rels/.rels": b"<r/>"})
ODT = _zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"}, stored_first="mimetype")
# A Windows PE header: "MZ", a DOS header of 64 bytes pointing at "PE\0\0".
EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + bytes(44)
    + b"\x80\x00\x00\x00"
    + bytes(64)
    + b"PE\x00\x00"
)
ELF = b"\x7fELF\x02\x01\x01\x00" + bytes(8) + b"\x02\x00\x3e\x00" + bytes(100)

NAMED = [
    ("jpeg", _image("JPEG"), "not_text", "a JPEG image, not a text document"),
    ("png", _image("PNG"), "not_text", "a PNG image, not a text document"),
    ("gif", _image("GIF"), "not_text", "a GIF image, not a text document"),
    ("bmp", _image("BMP"), "not_text", "a BMP image, not a text document"),
    ("tiff", _image("TIFF"), "not_text", "a TIFF image, not a text document"),
    ("webp", _image("WEBP"), "not_text", "a WebP image, not a text document"),
    ("exe", EXE, "not_text", "an executable (Windows), not a text document"),
    ("elf", ELF, "not_text", "an executable (ELF), not a text document"),
    ("gzip", __import__("gzip").compress(b"\x00" * 100 + bytes(range(256))), "not_text", "a gzip archive, not a text"),
    ("zip", _zip({"photo.jpg": _image("JPEG")}), "unsupported_format", "a ZIP archive, not a Word document"),
    ("ofd", OFD, "unsupported_format", "an OFD document (China's fixed-layout format), not a Word document"),
    ("xlsx", XLSX, "unsupported_format", "an Excel workbook (XLSX), not a Word document"),
    ("odt", ODT, "unsupported_format", "an OpenDocument text (ODF), not a Word document"),
]


@pytest.mark.parametrize(("name", "data", "code", "message"), NAMED, ids=[n[0] for n in NAMED])
def test_a_file_that_is_not_a_report_is_named_from_its_content(name, data, code, message) -> None:
    with pytest.raises(ParseError) as caught:
        parse_bytes(data, f"attachment.{name}")
    assert caught.value.code == code
    assert str(caught.value).startswith(message), str(caught.value)
    assert "NUL bytes" not in str(caught.value)


def test_bytes_of_no_known_kind_still_say_binary() -> None:
    with pytest.raises(ParseError, match=r"^binary content \(NUL bytes\), not a text document$"):
        parse_bytes(bytes(range(256)) * 8, "random.bin")


@pytest.mark.parametrize(
    "text",
    ["BM 2020年政府信息公开工作年度报告", "MZ区2020年政府信息公开", "GIF一、总体情况", "PK 年报"],
    ids=["bm", "mz", "gif-word", "pk-word"],
)
def test_text_that_starts_like_a_magic_number_is_not_named(text: str) -> None:
    """Two letters are not a signature: a text is named only by signatures that text cannot start with."""
    assert content_kind(text.encode("utf-8")) is None


def test_zip_kind_by_member_names() -> None:
    assert zip_kind({"OFD.xml", "Doc_0/Document.xml"}) == "an OFD document (China's fixed-layout format)"
    assert zip_kind({"ppt/presentation.xml"}) == "a PowerPoint presentation (PPTX)"
    assert zip_kind({"word/document.xml", "[Content_Types].xml"}) == "a Word document (DOCX)"
    assert zip_kind({"a.txt"}) == "a ZIP archive"
