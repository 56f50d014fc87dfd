"""Bytes to text: ``bytes_to_text``, for every text-like format.

Chinese portals serve UTF-8, GB2312/GBK (declared or not, and sometimes
declared wrong) and the odd UTF-16 file. GB2312 and GBK are decoded as
GB18030, their superset. A page that is almost all valid UTF-8 or GBK but for
a stray byte or two (pasted through a CMS) is decoded with replacement
characters, and the decoder says how many bytes it replaced.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

from parsers.errors import EmptyDocument, NotText
from parsers.filetype import content_kind

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_GB_FAMILY = {"gb2312", "gbk", "gb18030", "x-gbk", "cp936", "euc-cn", "gb_2312-80", "csgb2312"}
#: Declarations no Chinese report can be in: Latin-1 decodes anything, so trusting it garbles silently.
_IMPLAUSIBLE = {"latin_1", "iso8859-1", "cp1252", "ascii", "iso8859-15", "cp1250", "cp1251"}
#: Python codecs that are no web charset: they would turn escapes or punycode in the page into text.
_IMPLAUSIBLE |= {"unicode-escape", "raw-unicode-escape", "utf-7", "idna", "punycode", "charmap"}
#: At most this share of bytes may be replaced before a document counts as not text.
_REPAIR_LIMIT = 0.002


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    replaced: int = 0  # bytes that were not valid in ``encoding`` and became U+FFFD


def canonical_encoding(name: str) -> str:
    """The codec a declared charset names, or "" when it names none, or one that is no text encoding:
    Python's codec registry also holds ``zlib``, ``base64``, ``hex``, ``rot13``, ``uu``, ``bz2``,
    ``quopri`` (bytes-to-bytes or str-to-str) and ``undefined`` (which refuses everything)."""
    name = name.strip().strip("\"'").lower()
    if name in _GB_FAMILY:
        return "gb18030"
    try:
        info = codecs.lookup(name)
    except LookupError:
        return ""
    if not getattr(info, "_is_text_encoding", True) or info.name == "undefined":
        return ""
    return info.name


def _plausible(text: str) -> bool:
    """Mostly ASCII, CJK and CJK punctuation: what a Chinese report is made of."""
    good = sum(1 for ch in text if ch.isascii() or "\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef")
    return good >= 0.9 * len(text)


def utf16_without_bom(data: bytes) -> str | None:
    """``utf-16-le``/``utf-16-be`` when most NUL bytes (the high bytes of ASCII characters) fall on one
    parity and the text decodes strictly into something plausible."""
    head = data[:4096]
    odd = head[1::2].count(0)
    even = head[0::2].count(0)
    if odd + even < 4 or len(data) % 2:
        return None
    encoding = "utf-16-le" if odd >= 0.75 * (odd + even) else "utf-16-be" if even >= 0.75 * (odd + even) else None
    if encoding is None:
        return None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return None
    return encoding if _plausible(text[:2000]) else None


def bytes_to_text(data: bytes, declared: str | None = None) -> Decoded:
    """Decode ``data``.

    Order: a byte-order mark, UTF-16 by its NUL pattern, strict UTF-8, the
    declared encoding, strict GB18030, then UTF-8 or GB18030 with the few
    invalid bytes replaced. Raises :class:`NotText` for binary data and
    :class:`EmptyDocument` for nothing but whitespace.
    """
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise EmptyDocument("empty file")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _check(Decoded(data.decode(encoding, errors="replace"), encoding))
    if utf16 := utf16_without_bom(data):
        return _check(Decoded(data.decode(utf16), utf16))
    if b"\x00" in data:
        raise not_text(data, "binary content (NUL bytes), not a text document")
    # Strict UTF-8 first even when a page declares GB2312: real GBK bytes almost
    # never decode as UTF-8, while pages that declare one and send the other do exist.
    candidates = ["utf-8"]
    if declared and (enc := canonical_encoding(declared)) and enc not in _IMPLAUSIBLE and enc not in candidates:
        candidates.append(enc)
    if "gb18030" not in candidates:
        candidates.append("gb18030")
    for encoding in candidates:
        try:
            return _check(Decoded(data.decode(encoding), encoding))
        except UnicodeError as exc:
            if not isinstance(exc, UnicodeDecodeError):
                continue  # a codec that refuses to decode at all
            if encoding == "utf-8" and exc.start >= len(data) - 3 and exc.reason == "unexpected end of data":
                # A UTF-8 file cut in the middle of a character: keep what is there.
                return _check(Decoded(data[: exc.start].decode("utf-8"), "utf-8"))
    best = min((_lenient(data, enc) for enc in ("utf-8", "gb18030")), key=lambda d: d.replaced)
    if best.replaced <= max(2, len(data) * _REPAIR_LIMIT):
        return _check(best)
    raise not_text(data, "bytes are neither UTF-8 nor GBK/GB18030 text")


def not_text(data: bytes, otherwise: str) -> NotText:
    """The error for bytes that are no text, named from their content ("a JPEG image, not a text document")
    when their magic bytes say what they are; ``otherwise`` when they do not."""
    kind = content_kind(data)
    return NotText(f"{kind}, not a text document" if kind else otherwise)


def _lenient(data: bytes, encoding: str) -> Decoded:
    text = data.decode(encoding, errors="replace")
    return Decoded(text, encoding, replaced=text.count("\ufffd"))


def _check(decoded: Decoded) -> Decoded:
    text = decoded.text
    if not text.strip(" \t\r\n\ufeff"):
        raise EmptyDocument("empty file")
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\r\f\v")
    if controls > max(8, len(text) // 100):
        raise NotText("binary content (control characters), not a text document")
    return decoded


def repair_note(decoded: Decoded) -> list[tuple[str, str]]:
    """The warning a reader passes on when bytes were replaced."""
    if not decoded.replaced:
        return []
    return [
        (
            "encoding_repaired",
            f"{decoded.replaced} invalid byte sequence(s) in {decoded.encoding} text were replaced by U+FFFD",
        )
    ]
