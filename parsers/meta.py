"""Report metadata from paragraphs: title, agency, year, period, contact, sections.

The agency is the 发布机关 named by the report itself (its title, or its
first paragraph), never a portal's metadata: a portal files department
reports under the government office and titles some of them just
"2025年政府信息公开工作年度报告".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from parsers.form import CHINESE_NUMERALS, SECTIONS, STATED_COUNTS, nfkc, norm
from parsers.grid import Paragraph
from parsers.report import Period, Section, StatedCount

_TITLE_RE = re.compile(r"(?P<year>(?:19|20)\d{2})\s*年\s*(?:度\s*)?(?:的\s*)?(?P<rest>.*)$")
_TITLE_WORDS = ("政府信息公开", "政务公开", "信息公开")
_AGENCY_SUFFIX_RE = re.compile(
    r"(局|办|委|委员会|政府|办事处|街道|乡|镇|院|会|所|中心|室|队|站|处|厅|部|区|县|市|馆|司|署|社|团)$"
)
_AGENCY_BODY_RES = (
    re.compile(r"《\s*(?P<a>[^《》]{2,40}?)\s*(?:19|20)\d{2}\s*年\s*(?:度)?\s*政府信息公开"),
    re.compile(r"由\s*(?P<a>[^，。,；;、（(）)]{2,40}?)\s*(?:编制|负责编制|编写)"),
    re.compile(r"请(?:直接)?与\s*(?P<a>[^，。,；;（(）)]{2,40}?)\s*联系"),
)
_PERIOD_RE = re.compile(
    r"(?P<y1>(?:19|20)\d{2})\s*年\s*1\s*月\s*1\s*日\s*(?:起)?\s*(?:到|至|—|-|~)\s*"
    r"(?:(?P<y2>(?:19|20)\d{2})\s*年\s*)?12\s*月\s*31\s*日"
)
_REFERENCE_RE = re.compile(r"国办公开办函\s*[〔\[（(【]\s*(?P<y>\d{4})\s*[〕\]）)】]\s*(?P<n>\d+)\s*号")
_CONTACT_RES = {
    "address": re.compile(r"(?:地址|通讯地址|办公地址)\s*[:：]\s*(?P<v>[^；;，,。）)]+)"),
    "postcode": re.compile(r"邮\s*编\s*[:：]\s*(?P<v>\d{6})"),
    "phone": re.compile(r"(?:联系电话|电\s*话)\s*[:：]?\s*(?P<v>[0-9０-９][0-9０-９\-—－ ]{5,}[0-9０-９])"),
    "fax": re.compile(r"传\s*真\s*[:：]?\s*(?P<v>[0-9０-９][0-9０-９\-—－ ]{5,}[0-9０-９])"),
    "email": re.compile(r"(?P<v>[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,})"),
    "website": re.compile(r"(?P<v>(?:https?://)?www\.[A-Za-z0-9.\-]+\.(?:gov\.cn|cn|com))"),
}
_HEADING_RE = re.compile(rf"^\s*(?P<num>[{CHINESE_NUMERALS}]{{1,2}})\s*[、.．]\s*(?P<title>\S.*)$")
_NOISE_RE = re.compile(r"\[bookmark:[^\]]*\]|\*\*")
#: Portal chrome after the report body: where the last part's text ends.
_CHROME_RE = re.compile(
    r"分享到|打印本页|关闭窗口|【打印】|【关闭】|版权所有|主办单位|网站标识码|ICP备|公网安备|技术支持|扫一扫"
    r"|相关文章|相关链接|相关阅读|相关信息|上一篇|下一篇|网站地图|联系我们|(?:主办|承办)\s*$"
)
_CHINESE_DIGITS = str.maketrans("〇零○一二三四五六七八九", "000123456789")
_CHINESE_YEAR_RE = re.compile(r"[〇零○一二三四五六七八九]{4}(?=\s*年)")


def clean_paragraph(text: str) -> str:
    """Drop extraction noise (Word bookmarks, markdown emphasis) from a paragraph."""
    return _NOISE_RE.sub("", text).strip()


def chinese_numeral(text: str) -> int | None:
    if text in ("十",):
        return 10
    if len(text) == 1:
        i = CHINESE_NUMERALS.find(text)
        return i + 1 if i >= 0 else None
    if len(text) == 2 and text[0] == "十":
        rest = chinese_numeral(text[1])
        return 10 + rest if rest else None
    return None


@dataclass
class Title:
    text: str
    year: int | None
    agency: str | None
    index: int  # index of the paragraph that holds the year


def _is_title_line(text: str) -> bool:
    text = re.sub(r"\s+", "", text)
    return len(text) <= 80 and any(w in text for w in _TITLE_WORDS) and ("报告" in text or text.endswith("工作"))


def _strip_agency(text: str) -> str | None:
    text = re.sub(r"[\s“”\"《》<>]+", "", nfkc(text)).strip("，,:：-—")
    if 2 <= len(text) <= 40 and not re.search(r"[>|/\\]|首页|位置|当前", text):
        return text
    return None


def arabic_years(text: str) -> str:
    """``二〇二二年`` -> ``2022年`` (same length, so positions still match the original)."""
    return _CHINESE_YEAR_RE.sub(lambda m: m.group(0).translate(_CHINESE_DIGITS), text)


def is_title_text(text: str) -> bool:
    text = arabic_years(clean_paragraph(text))
    return _TITLE_RE.search(text) is not None and _is_title_line(text)


def is_first_heading(text: str) -> bool:
    m = _HEADING_RE.match(clean_paragraph(text))
    return bool(m) and len(text) <= 60 and chinese_numeral(m["num"]) == 1


#: The title is among the first this-many paragraphs and layout cells (portal chrome comes first).
MAX_TITLE_POSITION = 200


def find_title(paragraphs: list[Paragraph]) -> Title | None:
    """The report's title: the first short paragraph naming a year and 信息公开…报告.

    A title wrapped over two lines ("…政府信息公开工作" / "年度报告") or with the
    agency on the line above ("红寺堡区审批服务管理局" / "2022 年政府信息公开…")
    is joined.
    """
    texts = [clean_paragraph(p.text) for p in paragraphs]
    for i, text in enumerate(texts[:MAX_TITLE_POSITION]):
        joined = text
        if i + 1 < len(texts) and len(texts[i + 1]) <= 12 and "报告" in texts[i + 1] and "报告" not in text:
            joined = text + texts[i + 1]
        m = _TITLE_RE.search(arabic_years(joined))
        if not m or not _is_title_line(joined):
            continue
        agency = _strip_agency(joined[: m.start()])
        if agency is None and i > 0:
            above = texts[i - 1]
            if len(above) <= 40 and _AGENCY_SUFFIX_RE.search(above.strip()):
                agency = _strip_agency(above)
                joined = above + joined
        return Title(text=re.sub(r"\s+", " ", joined).strip(), year=int(m["year"]), agency=agency, index=i)
    return None


def agency_from_body(paragraphs: list[Paragraph]) -> str | None:
    """The agency as the first paragraphs name it, when the title does not."""
    for p in paragraphs[:12]:
        text = clean_paragraph(p.text)
        for pattern in _AGENCY_BODY_RES:
            m = pattern.search(text)
            if m and (agency := _strip_agency(m["a"])) and _AGENCY_SUFFIX_RE.search(agency):
                return agency
    return None


def find_period(text: str) -> Period | None:
    m = _PERIOD_RE.search(text)
    if not m:
        return None
    end_year = m["y2"] or m["y1"]
    return Period(start=f"{m['y1']}-01-01", end=f"{end_year}-12-31")


def find_reference(text: str) -> str | None:
    m = _REFERENCE_RE.search(text)
    return f"国办公开办函〔{m['y']}〕{m['n']}号" if m else None


def find_contact(text: str) -> dict[str, str]:
    contact: dict[str, str] = {}
    for key, pattern in _CONTACT_RES.items():
        m = pattern.search(text)
        if m:
            contact[key] = m["v"].strip()
    return contact


def find_headings(paragraphs: list[Paragraph], start: int = 0) -> list[tuple[int, int, str]]:
    """``(paragraph index, number, title)`` of the report's part headings, 一、 … 六、.

    Numbers must increase, so a numbered list inside a part is not taken for
    the next part.
    """
    found: list[tuple[int, int, str]] = []
    last = 0
    for i, p in enumerate(paragraphs[start:], start=start):
        text = clean_paragraph(p.text)
        if len(text) > 60:
            continue
        m = _HEADING_RE.match(text)
        if not m:
            continue
        number = chinese_numeral(m["num"])
        if number is None or number <= last or number > last + 2:
            continue
        found.append((i, number, text))
        last = number
    return found


def section_key(number: int, title: str, standard: bool) -> str | None:
    """The canonical key of a part: by number on the standard forms, else by title."""
    normalised = norm(title)
    for s in SECTIONS:
        if any(sig in normalised for sig in s.signatures) and (not standard or s.number == number):
            return s.key
    if standard and 1 <= number <= len(SECTIONS):
        return SECTIONS[number - 1].key
    return None


def paragraphs_to_preamble(paragraphs: list[Paragraph], start: int, headings: list[tuple[int, int, str]]) -> str:
    """The text between the title and the first part heading (the 引言)."""
    end = headings[0][0] if headings else min(len(paragraphs), start + 3)
    return "\n".join(clean_paragraph(p.text) for p in paragraphs[start:end]).strip()


def paragraphs_to_sections(
    paragraphs: list[Paragraph], headings: list[tuple[int, int, str]], standard: bool
) -> list[Section]:
    sections: list[Section] = []
    for n, (index, number, title) in enumerate(headings):
        end = headings[n + 1][0] if n + 1 < len(headings) else len(paragraphs)
        lines: list[str] = []
        for p in paragraphs[index + 1 : end]:
            if _CHROME_RE.search(p.text) and len(p.text) < 80:
                break
            lines.append(clean_paragraph(p.text))
        body = "\n".join(lines)
        sections.append(
            Section(number=number, key=section_key(number, title, standard), title=title, text=body.strip())
        )
    return sections


_STATED = [(spec, re.compile(spec.pattern), re.compile(spec.zero) if spec.zero else None) for spec in STATED_COUNTS]
_SENTENCE_RE = re.compile(r"[^。；;！!？?\n]+")


def small_number(text: str) -> int | None:
    """``3``, ``三``, ``十二``, ``两`` -> int (up to 九十九)."""
    if text.isdecimal():  # (not isdigit: "²" is a digit int() refuses)
        return int(text) if len(text) <= 15 else None
    digits = {c: i + 1 for i, c in enumerate(CHINESE_NUMERALS[:9])} | {"两": 2}
    if text in digits:
        return digits[text]
    if "十" in text and len(text) <= 3:
        tens, _, ones = text.partition("十")
        return (digits.get(tens, 1) if tens else 1) * 10 + (digits.get(ones, 0) if ones else 0)
    return None


def find_stated_counts(texts: list[str]) -> list[StatedCount]:
    """The first sentence stating each count the tables also print (共收到申请3件, 未收到…申请, 行政复议0件)."""
    found: list[StatedCount] = []
    sentences = [m.group(0).strip() for text in texts for m in _SENTENCE_RE.finditer(clean_paragraph(text))]
    for spec, pattern, zero in _STATED:
        for sentence in sentences:
            m = pattern.search(sentence)
            value = small_number(m["n"]) if m else (0 if zero and zero.search(sentence) else None)
            if value is not None:
                found.append(StatedCount(table=spec.table, cells=list(spec.cells), value=value, text=sentence))
                break
    return found
