"""What a file that is not a report is, named from its content: "a JPEG image", "an OFD document".

Portals link photos, archives and installers next to their reports; an error that says "binary content
(NUL bytes)" leaves a person to find out which. These names come from the file's first bytes (its magic
number) or, for a ZIP, from the names of its members, never from the file name, which portals get wrong.
Only signatures long or specific enough not to start a plain-text report are listed.
"""

from __future__ import annotations

#: (offset, magic bytes, name). Checked in order; the first that matches wins.
SIGNATURES: tuple[tuple[int, bytes, str], ...] = (
    (0, b"\xff\xd8\xff", "a JPEG image"),
    (0, b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (0, b"GIF87a", "a GIF image"),
    (0, b"GIF89a", "a GIF image"),
    (0, b"II*\x00", "a TIFF image"),
    (0, b"MM\x00*", "a TIFF image"),
    (8, b"WEBP", "a WebP image"),  # RIFF....WEBP (checked with RIFF below)
    (0, b"\x00\x00\x01\x00", "an icon image (ICO)"),
    (0, b"PK\x03\x04", "a ZIP archive"),
    (0, b"PK\x05\x06", "a ZIP archive (empty)"),
    (0, b"Rar!\x1a\x07", "a RAR archive"),
    (0, b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (0, b"\x1f\x8b", "a gzip archive"),
    (0, b"BZh", "a bzip2 archive"),
    (0, b"\xfd7zXZ\x00", "an xz archive"),
    (0, b"MZ", "an executable (Windows)"),
    (0, b"\x7fELF", "an executable (ELF)"),
    (0, b"SQLite format 3\x00", "an SQLite database"),
    (4, b"ftyp", "a video or audio file (MP4/MOV)"),
    (0, b"ID3", "an audio file (MP3)"),
    (0, b"OggS", "an audio or video file (Ogg)"),
    (0, b"%PDF-", "a PDF document"),
    (0, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an Office file (OLE: DOC, XLS, PPT or WPS)"),
)


def bmp_header(data: bytes) -> bool:
    """``BM``, then the file size, then four reserved zero bytes: a Windows bitmap (two letters alone are text)."""
    return data[:2] == b"BM" and len(data) >= 14 and data[6:10] == b"\x00\x00\x00\x00"


def content_kind(data: bytes) -> str | None:
    """The kind of file ``data`` is, by its magic bytes ("a JPEG image"); None when nothing matches."""
    for offset, magic, name in SIGNATURES:
        if data[offset : offset + len(magic)] == magic:
            if magic == b"WEBP" and data[:4] != b"RIFF":
                continue
            if magic == b"MZ" and len(data) < 64:  # a DOS/Windows header is 64 bytes; "MZ…" text is shorter
                continue
            if name == "a ZIP archive":
                return "a ZIP archive"  # zip_kind() names what the archive holds, from its member names
            return name
    if bmp_header(data):
        return "a BMP image"
    if data[:4] == b"RIFF" and data[8:12] in (b"WAVE", b"AVI "):
        return "an audio file (WAV)" if data[8:12] == b"WAVE" else "a video (AVI)"
    return None


def zip_kind(names: set[str], mimetype: bytes = b"") -> str:
    """What a ZIP archive with these member names is: "an OFD document", "an Excel workbook (XLSX)"…"""
    if "OFD.xml" in names or "ofd.xml" in names:
        return "an OFD document (China's fixed-layout format)"
    if mimetype.startswith(b"application/vnd.oasis.opendocument."):
        kind = mimetype.decode("ascii", "replace").rsplit(".", 1)[-1]
        return f"an OpenDocument {kind} (ODF)"
    if any(n.startswith("xl/") for n in names):
        return "an Excel workbook (XLSX)"
    if any(n.startswith("ppt/") for n in names):
        return "a PowerPoint presentation (PPTX)"
    if any(n.startswith("word/") for n in names):
        return "a Word document (DOCX)"
    return "a ZIP archive"
