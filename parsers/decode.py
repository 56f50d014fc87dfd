"""Bytes to text: ``bytes_to_text``, for every text-like format.

Chinese portals serve UTF-8, GB2312/GBK (declared or not) and the odd
UTF-16 file. GB2312 and GBK are decoded as GB18030, their superset.
"""

from __future__ import annotations

import codecs

from parsers.errors import EmptyDocument, NotText

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_GB_FAMILY = {"gb2312", "gbk", "gb18030", "x-gbk", "cp936", "euc-cn", "gb_2312-80", "csgb2312"}


def canonical_encoding(name: str) -> str:
    name = name.strip().strip("\"'").lower()
    if name in _GB_FAMILY:
        return "gb18030"
    try:
        return codecs.lookup(name).name
    except LookupError:
        return ""


def bytes_to_text(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode ``data``; return ``(text, encoding)``.

    Order: a byte-order mark, strict UTF-8, the declared encoding, strict
    GB18030. Raises :class:`NotText` for binary data and
    :class:`EmptyDocument` for nothing but whitespace.
    """
    if not data.strip():
        raise EmptyDocument("empty file")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _check(data.decode(encoding, errors="replace"), encoding)
    # Strict UTF-8 first even when a page declares GB2312: real GBK bytes almost
    # never decode as UTF-8, while pages that declare one and send the other do exist.
    candidates = ["utf-8"]
    if declared and (enc := canonical_encoding(declared)) and enc not in candidates:
        candidates.append(enc)
    if "gb18030" not in candidates:
        candidates.append("gb18030")
    if b"\x00" in data:
        raise NotText("binary content (NUL bytes), not a text document")
    for encoding in candidates:
        try:
            return _check(data.decode(encoding), encoding)
        except UnicodeDecodeError as exc:
            if encoding == "utf-8" and exc.start >= len(data) - 3 and exc.reason == "unexpected end of data":
                # A UTF-8 file cut in the middle of a character: keep what is there.
                return _check(data[: exc.start].decode("utf-8"), "utf-8")
            continue
    raise NotText("bytes are neither UTF-8 nor GBK/GB18030 text")


def _check(text: str, encoding: str) -> tuple[str, str]:
    if not text.strip():
        raise EmptyDocument("empty file")
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\r\f\v")
    if controls > max(8, len(text) // 100):
        raise NotText("binary content (control characters), not a text document")
    return text, encoding
