"""What a portal page says, as pure functions: a parsed page (parsel Selector) in, values out.

No Scrapy request or response here, so each step is tested on a saved page:
``page_to_links``, ``list_to_entries``, ``list_to_page_urls``,
``page_to_metadata``, ``title_to_report_year``, ``page_to_attachments``,
``page_is_soft_404``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from urllib.parse import parse_qsl, urljoin, urlsplit

from parsel import Selector

#: a link that names a 年报 column (not a report title: those carry a year and are longer)
COLUMN_TEXT_RE = re.compile(r"^(?:政府)?信息公开(?:工作)?年(?:度)?报(?:告)?(?:专栏)?$")
#: a link from the home page to the 政府信息公开 section
SECTION_TEXT_RE = re.compile(r"^(?:政府信息公开|信息公开|政务公开|政府信息公开专栏)$")
#: a link inside the section to a catalogue of agencies, or to one agency's page
CATALOG_TEXT_RE = re.compile(r"(信息公开目录|部门|乡镇|街道|单位)")
AGENCY_TEXT_RE = re.compile(r"(局|委|委员会|办|室|中心|院|所|站|队|乡|镇|街道|办事处|人民政府)$")
ATTACHMENT_EXTENSIONS = ("pdf", "doc", "docx", "wps", "xls", "xlsx", "et", "ofd", "zip", "rar")
DATE_RE = re.compile(r"((?:19|20)\d{2})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})")
SOFT_404_RE = re.compile(
    r"页面不存在|页面未找到|找不到(?:您要访问的|该)?页面|页面已删除|信息已删除|404\s*Not\s*Found", re.I
)
_YEAR_IN_TITLE_RE = re.compile(r"((?:19|20)\d{2})\s*年")
_YEAR_IN_BODY_RES = (
    re.compile(r"((?:19|20)\d{2})\s*年\s*度?\s*(?:政府)?\s*信\s*息\s*公\s*开"),
    re.compile(r"统计期限[^。]{0,12}?((?:19|20)\d{2})\s*年\s*1\s*月\s*1\s*日"),
)
#: metadata labels, longest first so 信息来源 wins over 来源
META_LABELS = {
    "索引号": "index_no",
    "所属机构": "owner",
    "发布机构": "publisher",
    "发文机关": "publisher",
    "发布时间": "published",
    "发布日期": "published",
    "生成日期": "generated",
    "成文日期": "written",
    "文号": "doc_no",
    "信息来源": "source",
    "来源": "source",
    "关键字": "keywords",
    "关键词": "keywords",
    "主题分类": "topic",
    "浏览次数": "views",
}
_LABEL_RE = re.compile(
    r"(%s)\s*[:：]" % "|".join(sorted(map(re.escape, META_LABELS), key=len, reverse=True))  # noqa: UP031
)
_SPACE_RE = re.compile(r"[\s\u3000\xa0]+")


@dataclass(frozen=True)
class Link:
    url: str
    text: str


@dataclass(frozen=True)
class Entry:
    """One item of a list page: a report link with its title and date."""

    url: str
    title: str
    date: date | None


def clean(text: str | None) -> str:
    return _SPACE_RE.sub(" ", text or "").strip()


def to_date(text: str | None) -> date | None:
    m = DATE_RE.search(text or "")
    if not m:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def absolute(base_url: str, href: str | None) -> str | None:
    """An http(s) URL for ``href`` on a page at ``base_url``; None for javascript:, mailto:, anchors."""
    href = (href or "").strip()
    if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
        return None
    url = urljoin(base_url, href).split("#")[0]
    return url if urlsplit(url).scheme in ("http", "https") else None


def page_to_links(sel: Selector, base_url: str) -> list[Link]:
    links = []
    for a in sel.css("a[href]"):
        url = absolute(base_url, a.attrib.get("href"))
        if url:
            text = clean(" ".join(a.css("::text").getall())) or clean(a.attrib.get("title"))
            links.append(Link(url, text))
    return links


def is_article_url(url: str, article_url_re: str) -> bool:
    return re.search(article_url_re, urlsplit(url).path) is not None


def column_of(url: str) -> str:
    """The column a list page belongs to: its folder (``…/xxgknb/``)."""
    parts = urlsplit(url)
    folder = parts.path.rsplit("/", 1)[0] + "/"
    return f"{parts.scheme}://{parts.netloc}{folder}"


def section_to_links(sel: Selector, base_url: str, article_url_re: str) -> tuple[list[Link], list[Link], list[Link]]:
    """Links on a home, section or catalogue page: (sections, columns, catalogues and agencies)."""
    sections, columns, catalogs = [], [], []
    for link in page_to_links(sel, base_url):
        if is_article_url(link.url, article_url_re):
            continue
        if COLUMN_TEXT_RE.match(link.text):
            columns.append(link)
        elif SECTION_TEXT_RE.match(link.text):
            sections.append(link)
        elif 2 <= len(link.text) <= 20 and (CATALOG_TEXT_RE.search(link.text) or AGENCY_TEXT_RE.search(link.text)):
            catalogs.append(link)
    return sections, columns, catalogs


def _date_near(a: Selector) -> date | None:
    for ancestor in ("ancestor::li[1]", "ancestor::tr[1]", "ancestor::dd[1]", "ancestor::div[1]", ".."):
        node = a.xpath(ancestor)
        if node:
            found = to_date(" ".join(node[0].css("::text").getall()))
            if found:
                return found
    return None


def list_to_entries(sel: Selector, base_url: str, article_url_re: str) -> list[Entry]:
    """The report links of a list page, in page order, each once (see ``list_entries``)."""
    return list_entries(sel, base_url, (article_url_re, *all_article_url_res()))


def list_dated_link_count(sel: Selector) -> int:
    """Links in list rows that carry a date (a link inside a row, or a link wrapping one): what a
    list page holds when our selectors miss it."""
    return sum(
        1
        for a in sel.css("a[href]")
        if (a.xpath("ancestor::li or ancestor::tr").get() == "1" or a.css("li"))
        and (to_date(" ".join(a.css("::text").getall())) or _date_near(a))
    )


def list_is_marked_empty(sel: Selector) -> bool:
    text = clean(" ".join(sel.css("body ::text").getall()))
    return any(mark in text for mark in ("暂无信息", "暂无数据", "暂无内容", "没有信息"))


_CREATE_PAGE_RE = re.compile(
    r"createPageHTML\(\s*(?:['\"][A-Za-z_][\w-]*['\"]\s*,\s*)?['\"]?(\d+)['\"]?\s*,\s*['\"]?\d+['\"]?\s*,\s*['\"]([\w-]+)['\"]\s*,\s*['\"](\w+)['\"]"
)
_PAGE_TOTAL_RE = re.compile(r"(?:totalPage|pageCount|totalpage|pagecount|countPage)\s*[=:]\s*['\"]?(\d+)")
_PAGE_NUM_TEMPLATE_RE = re.compile(r"['\"]([^'\"\s]*?[?&](?:pageNum|pageNo|page)=)['\"]")
_NEXT_TEXTS = ("下一页", "下页", "尾页", "末页", "后一页")


def list_to_page_urls(sel: Selector, base_url: str, max_pages: int = 50) -> list[str]:
    """The other pages of a list: static index_N.html, script-driven pageNum=N, or 下一页 links."""
    scripts = "\n".join(sel.css("script::text").getall())
    urls: list[str] = []
    m = _CREATE_PAGE_RE.search(scripts)
    if m:
        count, prefix, ext = int(m[1]), m[2], m[3]
        urls += [urljoin(base_url, f"{prefix}_{i}.{ext}") for i in range(1, min(count, max_pages))]
    total = _PAGE_TOTAL_RE.search(scripts)
    template = _PAGE_NUM_TEMPLATE_RE.search(scripts)
    if total and template:
        urls += [urljoin(base_url, f"{template[1]}{i}") for i in range(2, min(int(total[1]), max_pages) + 1)]
    for link in page_to_links(sel, base_url):
        if link.text in _NEXT_TEXTS or re.search(r"/index_\d+\.s?html?$", urlsplit(link.url).path):
            urls.append(link.url)
    current = base_url.split("#")[0]
    seen: dict[str, None] = {}
    for url in urls:
        if url != current:
            seen.setdefault(url, None)
    return list(seen)[: max_pages - 1]


_LABEL_ONLY_RE = re.compile(r"(%s)\s*[:：]?" % "|".join(sorted(map(re.escape, META_LABELS), key=len, reverse=True)))  # noqa: UP031
_LABEL_CELLS = "//body//*[self::td or self::th or self::dt or self::span or self::label or self::b or self::strong]"


def _labelled_values(sel: Selector, texts: list[str]) -> dict[str, str]:
    """``索引号：X`` pairs: a label cell and the cell after it (``<td>发布机构：</td><td></td>``
    is an empty value, not the next thing on the page), or label and value in one text."""
    found: dict[str, str] = {}
    for cell in sel.xpath(_LABEL_CELLS):
        m = _LABEL_ONLY_RE.fullmatch(clean(" ".join(cell.css("::text").getall())))
        if m:
            following = cell.xpath("following-sibling::*[1]")
            value = clean(" ".join(following[0].css("::text").getall())) if following else ""
            found.setdefault(META_LABELS[m[1]], value)
    for text in texts:
        matches = list(_LABEL_RE.finditer(text))
        for j, m in enumerate(matches):
            end = matches[j + 1].start() if j + 1 < len(matches) else len(text)
            value = clean(re.split(r"【|浏览", text[m.end() : end])[0])
            if value:
                found.setdefault(META_LABELS[m[1]], value)
    return found


def page_to_metadata(sel: Selector, title_css: str) -> dict[str, str | None]:
    """Title, 索引号, 所属机构, 发布机构, 发布时间 … of an article page (None where the page has none)."""
    texts = [
        t
        for t in (clean(x) for x in sel.xpath("//body//text()[not(ancestor::script)][not(ancestor::style)]").getall())
        if t
    ]
    values = _labelled_values(sel, texts)
    meta = {m.attrib.get("name", "").lower(): clean(m.attrib.get("content")) for m in sel.css("meta[name][content]")}
    title = meta.get("articletitle") or clean(" ".join(sel.css(title_css).css("::text").getall()[:20]))
    if not title:
        title = re.split(r"[_|｜-]", clean(sel.css("title::text").get()))[0].strip()
    published = values.get("published") or meta.get("pubdate") or meta.get("firstpublishedtime")
    published_date = to_date(published) or to_date(values.get("generated"))
    return {
        "title": title or None,
        "index_no": values.get("index_no") or None,
        "owner": values.get("owner") or None,
        "publisher": values.get("publisher") if "publisher" in values else None,
        "published": published or None,
        "published_date": published_date.isoformat() if published_date else None,
        "source": values.get("source") or meta.get("contentsource") or None,
        "doc_no": values.get("doc_no") or None,
    }


def page_content_text(sel: Selector, content_css: str) -> str | None:
    """The visible text of the report body; None when the family's selector finds no body."""
    nodes = sel.css(content_css)
    if not nodes:
        return None
    return clean(" ".join(nodes[0].css("::text").getall()))


def title_to_report_year(title: str | None) -> int | None:
    """The report year a title names: ``…2024年政府信息公开工作年度报告`` -> 2024."""
    m = _YEAR_IN_TITLE_RE.search(title or "")
    return int(m[1]) if m else None


def report_year(title: str | None, body: str | None, published: date | None) -> tuple[int | None, str]:
    """The report year and where it came from (title, body, published); never the folder name."""
    year = title_to_report_year(title)
    if year:
        return year, "title"
    for pattern in _YEAR_IN_BODY_RES:
        m = pattern.search(body or "")
        if m:
            return int(m[1]), "body"
    if published:
        return published.year - 1, "published"  # reports for year Y are published from January Y+1
    return None, "unknown"


def attachment_extension(url: str, text: str = "") -> str | None:
    """The document type of a link (``ATTACHMENT_EXTENSIONS``) by its path, else its query values
    (``fileName``, ``showname``, ``filename``), else its text."""
    parts = urlsplit(url)
    candidates = [parts.path, *(v for _, v in parse_qsl(parts.query)), text]
    for candidate in candidates:
        m = re.search(r"\.(\w{2,4})\s*$", candidate.lower())
        if m and m[1] in ATTACHMENT_EXTENSIONS:
            return m[1]
    return None


def page_to_attachments(sel: Selector, base_url: str) -> list[Link]:
    """Attachment links of an article: in the DOM, and inside scripts (``var hasFJ='<a …>'``,
    ``document.write('<a …>')``), parsed as markup, never run."""
    found: dict[str, Link] = {}
    scripted = fragment_selector(script_fragments(sel))
    for link in page_to_links(sel, base_url) + (page_to_links(scripted, base_url) if scripted is not None else []):
        if link.url not in found and attachment_extension(link.url, link.text):
            found[link.url] = link
    return list(found.values())


def page_is_soft_404(sel: Selector) -> bool:
    """A page that answers 200 but says 页面不存在 (short page, no report title)."""
    title = clean(sel.css("title::text").get())
    body = clean(" ".join(sel.xpath("//body//text()[not(ancestor::script)][not(ancestor::style)]").getall()))
    if SOFT_404_RE.search(title):
        return True
    return len(body) < 1500 and SOFT_404_RE.search(body) is not None and "年度报告" not in title


# --- what a list page delivers beyond plain DOM links (../shared/portals.md) ---------------------

_CDATA_RE = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.S)
#: a JS string literal holding markup: hasFJ='<a …>', document.write("<a …>"), InitData=['<li>…', …]
_JS_MARKUP_RE = re.compile(
    r"'((?:[^'\\\n]|\\.)*?<(?:a|li|iframe)\b(?:[^'\\\n]|\\.)*)'|\"((?:[^\"\\\n]|\\.)*?<(?:a|li|iframe)\b(?:[^\"\\\n]|\\.)*)\"",
    re.I,
)
_JS_ESCAPE_RE = re.compile(r"\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)", re.S)


def _js_unescape(text: str) -> str:
    def one(m: re.Match[str]) -> str:
        e = m[1]
        if e[0] in "ux" and len(e) > 1:
            return chr(int(e[1:], 16))
        return {"n": "\n", "t": "\t", "r": ""}.get(e, e)

    return _JS_ESCAPE_RE.sub(one, text)


def script_fragments(sel: Selector) -> list[str]:
    """Markup that a page delivers inside its scripts, never executed: CDATA sections (a Hanweb
    ``<datastore>`` record or ``<nextgroup>``) and JS string literals holding links (``hasFJ``,
    ``document.write``, ``InitData`` arrays)."""
    fragments: list[str] = []
    for script in sel.xpath("//script/text()").getall():
        cdata = _CDATA_RE.findall(script)
        fragments += cdata
        rest = _CDATA_RE.sub("", script)
        if "<" not in rest:
            continue
        for m in _JS_MARKUP_RE.finditer(rest):
            fragments.append(_js_unescape(m[1] if m[1] is not None else m[2]))
    return fragments


def fragment_selector(fragments: list[str]) -> Selector | None:
    """The fragments parsed as one HTML document (None when there are none)."""
    return Selector(text="<html><body>" + "\n".join(fragments) + "</body></html>") if fragments else None


def all_article_url_res() -> tuple[str, ...]:
    from rawstore.portals import FAMILIES

    return tuple(f.article_url for f in FAMILIES.values())


def _title_of(a: Selector) -> str:
    """The entry's title: its title attribute, else a heading/paragraph inside the link (when the
    ``<a>`` wraps the whole ``<li>``), else the link text without its date."""
    title = clean(a.attrib.get("title"))
    if title:
        return title
    for css in ("p", "h1, h2, h3, h4, h5", ".title, .tit, .bt"):
        inner = a.css(css)
        if inner:
            text = clean(" ".join(inner[0].css("::text").getall()))
            if text and not DATE_RE.fullmatch(text):
                return text
    text = clean(" ".join(a.css("::text").getall()))
    return clean(DATE_RE.sub("", text)).strip("[]（）() ") or text


def _entries_in(sel: Selector, base_url: str, article_url_res: tuple[str, ...], into: dict[str, Entry]) -> None:
    for a in sel.css("a[href]"):
        url = absolute(base_url, a.attrib.get("href"))
        if not url or url in into or not any(is_article_url(url, r) for r in article_url_res):
            continue
        own = to_date(" ".join(a.css("::text").getall()))  # the <a> wraps the <li>: its own date
        into[url] = Entry(url, _title_of(a), own or _date_near(a))


def list_entries(sel: Selector, base_url: str, article_url_res: tuple[str, ...] | str | None = None) -> list[Entry]:
    """The report links of a list page, in page order, each once: DOM links, then links delivered
    in scripts (datastore records, InitData arrays, document.write). Article URLs of every CMS family
    count: a portal can mix platforms."""
    if isinstance(article_url_res, str):
        article_url_res = (article_url_res,)
    res = article_url_res or all_article_url_res()
    entries: dict[str, Entry] = {}
    _entries_in(sel, base_url, res, entries)
    scripted = fragment_selector(script_fragments(sel))
    if scripted is not None:
        _entries_in(scripted, base_url, res, entries)
    return list(entries.values())


@dataclass(frozen=True)
class DataProxy:
    """Classic Hanweb JCMS: the list's further pages come from ``dataproxy.jsp``."""

    url: str  # the <nextgroup> href (GET with page=N)
    total: int | None  # totalrecord, when the page says
    per_page: int

    def post_url(self, start: int, end: int) -> str:
        path = self.url.split("?", 1)[0]
        return f"{path}?startrecord={start}&endrecord={end}&perpage={self.per_page}"

    def form(self) -> dict[str, str]:
        """The POST form: the nextgroup href's fields (col, appid, webid, path, columnid, …)."""
        fields = dict(parse_qsl(urlsplit(self.url).query, keep_blank_values=True))
        fields.pop("page", None)
        fields.setdefault("col", "1")
        return fields

    def page_url(self, n: int) -> str:
        parts = urlsplit(self.url)
        query = [(k, str(n) if k == "page" else v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
        if not any(k == "page" for k, _ in query):
            query.insert(0, ("page", str(n)))
        return parts._replace(query="&".join(f"{k}={v}" for k, v in query)).geturl()


_TOTAL_RECORD_RE = re.compile(r"total[Rr]ecord\s*(?:>|[:=]\s*['\"]?)\s*(\d+)")
_PER_PAGE_RE = re.compile(r"per[Pp]age\s*(?:>|[:=]\s*['\"]?)\s*(\d+)")


def list_dataproxy(sel: Selector, base_url: str) -> DataProxy | None:
    """The dataproxy.jsp of a Hanweb ``<datastore>`` list (its ``<nextgroup>`` link), if any."""
    scripts = "\n".join(sel.xpath("//script/text()").getall())
    m = re.search(r"<nextgroup>\s*<!\[CDATA\[(.*?)\]\]>", scripts, re.S)
    href = None
    if m:
        found = Selector(text=m[1]).css("a::attr(href)").get()
        href = absolute(base_url, found)
    if href is None:
        m2 = re.search(r"['\"]([^'\"\s]*dataproxy\.jsp\?[^'\"\s]*)['\"]", scripts)
        href = absolute(base_url, m2[1]) if m2 else None
    if href is None:
        return None
    total = _TOTAL_RECORD_RE.search(scripts)
    per = _PER_PAGE_RE.search(scripts)
    return DataProxy(href, int(total[1]) if total else None, int(per[1]) if per else 15)


def dataproxy_answer(text: str, base_url: str) -> tuple[list[str], int | None]:
    """A dataproxy.jsp answer (XML): the record fragments and totalrecord."""
    records = [c for c in _CDATA_RE.findall(text)]
    total = _TOTAL_RECORD_RE.search(text)
    return records, int(total[1]) if total else None


@dataclass(frozen=True)
class UnitApi:
    """Hanweb JPaaS: the column page is a shell; ``unitbuild.js`` loads the list from this API."""

    url: str
    params: tuple[tuple[str, str], ...]

    def page_url(self, page: int, size: int) -> str:
        from urllib.parse import urlencode

        query = urlencode([*self.params, ("paramJson", json.dumps({"pageNo": page, "pageSize": size}))])
        return f"{self.url}?{query}"


def _loose_json(text: str) -> dict[str, str]:
    try:
        value = json.loads(text.replace("'", '"'))
        return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}
    except ValueError:
        return dict(re.findall(r"['\"]?(\w+)['\"]?\s*:\s*['\"]([^'\"]*)['\"]", text))


def list_unit_apis(sel: Selector, base_url: str) -> list[UnitApi]:
    """The JPaaS unit loaders on a column shell: ``<script src=…unitbuild.js url=… queryData=…>``."""
    found = []
    col_id = sel.css("meta[name=ColId]::attr(content), meta[name=colid]::attr(content)").get()
    for script in sel.xpath("//script[@querydata or @queryData or contains(@src, 'unitbuild')]"):
        attrs = {k.lower(): v for k, v in script.attrib.items()}
        api = absolute(base_url, attrs.get("url"))
        query = _loose_json(attrs.get("querydata", ""))
        if col_id and not query.get("pageId"):
            query["pageId"] = col_id
        if api and query:
            found.append(UnitApi(api, tuple(query.items())))
    return found


def unit_answer(text: str) -> tuple[str | None, int | None, int | None]:
    """A unit API answer (JSON): (the list's HTML, count, rows per page); html None when not one."""
    try:
        value = json.loads(text)
    except ValueError:
        return None, None, None
    data = value.get("data") if isinstance(value, dict) else None
    html = data.get("html") if isinstance(data, dict) else None
    if not isinstance(html, str):
        return None, None, None
    pager = Selector(text=html).css(".pagination, [count]")
    count = rows = None
    if pager:
        count = int(pager[0].attrib["count"]) if pager[0].attrib.get("count", "").isdigit() else None
        rows = int(pager[0].attrib["rows"]) if pager[0].attrib.get("rows", "").isdigit() else None
    return html, count, rows


_SUB_COLUMN_RE = re.compile(r"/(?:19|20)\d{2}n/(?:[a-z]+/)?(?:index\.s?html?)?$")


def list_sub_lists(sel: Selector, base_url: str) -> list[str]:
    """Further lists inside a column: year sub-columns (``…/2025n/index.html``, ``…/2025n/bmdw/``),
    更多 links, and same-host iframes a column page is a shell around."""
    here = urlsplit(base_url)
    folder = here.path.rsplit("/", 1)[0] + "/"
    found: dict[str, None] = {}
    for a in sel.css("a[href]"):
        url = absolute(base_url, a.attrib.get("href"))
        if not url:
            continue
        parts = urlsplit(url)
        if parts.netloc != here.netloc:
            continue
        text = clean(" ".join(a.css("::text").getall()))
        more = text.strip("»>+ ") in ("更多", "查看更多", "more", "MORE") or "more" in a.attrib.get("class", "")
        sub_column = parts.path.startswith(folder) and _SUB_COLUMN_RE.search(parts.path)
        if (sub_column or more) and not re.search(r"/index_\d+\.s?html?$", parts.path):
            found.setdefault(url, None)
    for src in sel.css("iframe::attr(src)").getall():
        url = absolute(base_url, src)
        if url and urlsplit(url).netloc == here.netloc:
            found.setdefault(url, None)
    found.pop(base_url, None)
    return list(found)


_CHALLENGE_RE = re.compile(
    r"__jsl_clearance|_waf_|acw_sc__|document\.cookie\s*=|location\.reload|window\.location\s*=|eval\(|安全验证|请开启JavaScript|访问验证",
    re.I,
)


def page_is_challenge(body: bytes, sel: Selector | None) -> bool:
    """A tiny 200 page that is a JavaScript challenge or stub, not a list."""
    if len(body) > 4096:
        return False
    text = body.decode("utf-8", "replace")
    visible = ""
    if sel is not None:
        visible = clean(" ".join(sel.xpath("//body//text()[not(ancestor::script)][not(ancestor::style)]").getall()))
    has_links = sel is not None and bool(sel.css("a[href]"))
    if has_links or (sel is not None and set(list_shape(sel)) - {"script_links"}):
        return False  # links, or a list loader (a small JPaaS shell is no challenge)
    return bool(_CHALLENGE_RE.search(text)) or (not visible and "<script" in text.lower())


def list_shape(sel: Selector) -> list[str]:
    """What kinds of list a page shows: dom, datastore, initdata, dataproxy, unitbuild, iframe,
    script_links — the names the crawl summary and ``nianbao probe`` use."""
    scripts = "\n".join(sel.xpath("//script/text()").getall())
    shapes = []
    if "<datastore" in scripts.lower() or "<recordset" in scripts.lower():
        shapes.append("datastore")
    if re.search(r"\bInitData\w*\s*=", scripts):
        shapes.append("initdata")
    if "dataproxy.jsp" in scripts:
        shapes.append("dataproxy")
    if sel.xpath("//script[@querydata or @queryData or contains(@src, 'unitbuild')]") or "queryData" in scripts:
        shapes.append("unitbuild")
    if sel.css("iframe[src]"):
        shapes.append("iframe")
    if re.search(r"document\.write\s*\(|hasFJ", scripts):
        shapes.append("script_links")
    return shapes


def detect_platform(sel: Selector, url: str = "") -> str | None:
    """The CMS the page shows: ``jpaas``, ``hanweb`` (classic JCMS), ``trs``, or None."""
    scripts = "\n".join(sel.xpath("//script/text()").getall())
    srcs = " ".join(sel.css("script::attr(src)").getall())
    html = sel.get() or ""
    if "unitbuild" in srcs or "jpaas" in html:
        return "jpaas"
    if "<datastore" in scripts.lower() or "dataproxy.jsp" in html or re.search(r"/col/col\d+/", url + html):
        return "hanweb"
    if "createPageHTML" in scripts or "TRS_" in html or re.search(r"/t\d{8}_\d+\.s?html", html):
        return "trs"
    if re.search(r"/art_(?:[0-9a-f]{32}|\d+_\d+)\.html", html):
        return "hanweb"
    return None
