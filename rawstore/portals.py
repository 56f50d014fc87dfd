"""The portals nianbao crawls, declared once: host, district, CMS family, where the 年报 are.

The spiders (one file per portal) read their host, start pages and known
年报 columns from here; the warehouse reads the district of an agency from
here; docs/portals.md is generated from it (``portals_markdown``).

Columns are configuration *with discovery*: the spiders also follow links
named 政府信息公开年报 / 信息公开年报 from the portal's 政府信息公开 section
(and the department and township catalogues below it), so a column missing
here is still found, and a column listed here is crawled even when nothing
links to it any more.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    """A 年报 column: its folder (ends with "/") and whose reports it holds."""

    path: str
    holder: str  # who publishes there, for the docs; a report's agency is read from the report itself


@dataclass(frozen=True)
class Family:
    """What a CMS family looks like: article URLs, where the body and title are, how lists page."""

    key: str
    name: str
    article_url: str  # regex on the URL path of an article (report) page
    content_css: str  # the report body on an article page
    title_css: str  # the visible title on an article page
    pagination: str  # how list pages page, for the docs


FAMILIES: dict[str, Family] = {
    f.key: f
    for f in (
        Family(
            key="trs",
            name="TRS WCM (static pages; the Ningxia regional instance)",
            article_url=r"/t\d{8}_\d+\.s?html?$",
            content_css=".TRS_Editor, .view, .article-content, .content, #zoom",
            title_css="h1, .title, .article-title",
            pagination=(
                'index.html, index_1.html … (count in createPageHTML(n, 0, "index", "html") or '
                "createPageHTML('page_div', n, 0, 'index', 'shtml', total)), 下一页/尾页 links; "
                "attachments in the DOM, in var hasFJ='<a …>' or in document.write('<a …>')"
            ),
        ),
        Family(
            key="hanweb",
            name="Hanweb (JPaaS and classic JCMS)",
            article_url=r"/art_(?:[0-9a-f]{32}|\d+_\d+)\.html?$",
            content_css="#zoom, .bt-article, #barrierfree_container, .article-content",
            title_css=".article-title, h1, .title",
            pagination=(
                "JPaaS: a column shell whose unitbuild.js loads the list from the unit API "
                "(paramJson pageNo/pageSize, the column page as Referer, count/rows in the answer); classic JCMS: "
                'the first records in <script type="text/xml"><datastore>, the rest from dataproxy.jsp (POST '
                "startrecord/endrecord, else GET page=N), or var InitData…=[…]; index.html?pageNum=N in a script"
            ),
        ),
    )
}


@dataclass(frozen=True)
class Portal:
    key: str  # the spider's name
    host: str
    district: str  # full name, e.g. 银川市西夏区
    short: str  # how reports name it, e.g. 西夏区
    family: str  # CMS family: "trs" (static tYYYYMMDD_ pages) or "hanweb" (art_ pages)
    scheme: str = "http"
    sections: tuple[str, ...] = ()  # 政府信息公开 section pages (paths); also found from the home page
    columns: tuple[Column, ...] = ()  # known 年报 columns; more are discovered
    notes: str = ""
    url_patterns: tuple[str, ...] = field(default=())  # article URL patterns seen, for the docs

    @property
    def base_url(self) -> str:
        return f"{self.scheme}://{self.host}"

    @property
    def domain(self) -> str:
        """The registrable domain the spider stays inside (``ycxixia.gov.cn``)."""
        return self.host.removeprefix("www.")

    @property
    def allowed_domains(self) -> list[str]:
        return [self.domain]

    @property
    def start_urls(self) -> list[str]:
        """The home page, then the configured 政府信息公开 sections."""
        return [self.base_url + "/", *(self.base_url + s for s in self.sections)]

    @property
    def column_urls(self) -> list[str]:
        return [self.base_url + c.path for c in self.columns]

    @property
    def cms(self) -> Family:
        return FAMILIES[self.family]


PORTALS: tuple[Portal, ...] = (
    Portal(
        "ycxixia",
        "www.ycxixia.gov.cn",
        "银川市西夏区",
        "西夏区",
        "trs",
        sections=("/zwgk/index.html",),
        columns=(
            Column("/zwgk/zfxxgknb/", "政府信息公开年报 (all agencies)"),
            Column("/zwgk/bmxxgkmn/xxqzfbgs/xxgknb/", "西夏区政府办公室"),
            Column("/zwgk/bmxxgkml/xxqjyj/xxgknb_1918/", "西夏区教育局"),
        ),
        notes=(
            "部门信息公开目录 is spelled bmxxgkmn here and bmxxgkml on sibling sites; columns may carry a "
            "suffix (xxgknb_9490): neither is hard-coded. The month folder is the publication month."
        ),
        url_patterns=("/zwgk/<catalog>/<dept>/<column>/YYYYMM/tYYYYMMDD_<docid>.html",),
    ),
    Portal(
        "bypc",
        "www.bypc.gov.cn",
        "白银市平川区",
        "平川区",
        "hanweb",
        scheme="https",
        sections=("/zfxxgk/index.html",),
        columns=(
            Column("/zfxxgk/zfxxgknb/", "平川区人民政府办公室"),
            Column("/zfxxgk/bmdwxzjd/bmdw/qfgj/xxgknb/", "发展和改革局"),
        ),
        notes=(
            "Hanweb JPaaS (column pages are shells over the unit API); a department may still run classic JCMS "
            "(/col/col<N>/ with a datastore list). Departments call the column xxgknb, townships zfxxgknb; "
            "year sub-columns (<YYYY>n/, <YYYY>n/bmdw/) and 更多 links lead to further lists. "
            "The <YYYY>n folder is not the report year (2024n holds 2025 reports); "
            "所属机构 is 平川区政府办 and 发布机构 empty on every report, "
            "so the agency comes from the report body."
        ),
        url_patterns=(
            "/zfxxgk/zfxxgknb/<YYYY>n/bmdw/art/<pubYYYY>/art_<hex32>.html",
            "/zfxxgk/bmdwxzjd/bmdw/<dept>/xxgknb/<YYYY>n/art/<pubYYYY>/art_<hex32>.html",
            "/zfxxgk/bmdwxzjd/xzjd/<town>/zfxxgknb/<YYYY>n/art/<pubYYYY>/art_<hex32>.html",
        ),
    ),
    Portal(
        "hongsibu",
        "www.hongsibu.gov.cn",
        "吴忠市红寺堡区",
        "红寺堡区",
        "trs",
        notes=(
            "No stored page exists: assumed TRS-style like the other Ningxia site; no section or column is "
            "configured, everything is discovered from the home page's 政府信息公开 link."
        ),
    ),
)
PORTAL_BY_KEY: dict[str, Portal] = {p.key: p for p in PORTALS}


def portal_for_host(host: str) -> Portal | None:
    host = host.lower().split(":")[0]
    return next((p for p in PORTALS if host == p.host or host.endswith("." + p.host.removeprefix("www."))), None)


def portal_for_agency(agency: str) -> Portal | None:
    """The district portal whose district an agency's name mentions."""
    return next((p for p in PORTALS if p.short in agency), None)


def portals_markdown(fault_kinds: dict[str, str]) -> str:
    """docs/portals.md, generated from the declarations above (and the crawl's fault kinds)."""
    out = [
        "# Portals",
        "",
        "<!-- Generated from rawstore/portals.py by scripts/build_portals_doc.py; do not edit by hand. -->",
        "",
        "| spider | district | portal | CMS family | known 年报 columns |",
        "|---|---|---|---|---|",
    ]
    for p in PORTALS:
        out.append(f"| `{p.key}` | {p.district} | {p.base_url}/ | {p.cms.name} | {len(p.columns)} (more discovered) |")
    for p in PORTALS:
        out += ["", f"## {p.district} — `{p.key}`", "", f"- Portal: {p.base_url}/", f"- CMS family: {p.cms.name}"]
        out.append(
            f"- Article pages: URL path matching `{p.cms.article_url}`" + (", seen as:" if p.url_patterns else "")
        )
        out += [f"  - `{pattern}`" for pattern in p.url_patterns]
        out.append(f"- List pages: {p.cms.pagination}")
        sections = ", ".join(f"`{s}`" for s in p.sections) or "none configured (found from the home page)"
        out.append(f"- 政府信息公开 section: {sections}")
        if p.columns:
            out.append("- Known 年报 columns (more are discovered from the section):")
            out += [f"  - `{c.path}` — {c.holder}" for c in p.columns]
        else:
            out.append("- Known 年报 columns: none; all are discovered from the section")
        if p.notes:
            out.append(f"- Notes: {p.notes}")
    out += [
        "",
        "## Discovery",
        "",
        "From the home page and the configured sections, a spider follows links named 政府信息公开 (the",
        "section), then, inside the section's folder, links to catalogues (信息公开目录, 部门, 乡镇, 街道)",
        "and to agencies (names ending in 局, 委, 办, 室, 中心, 乡, 镇, 街道 …), up to three levels;",
        "every link whose text names 政府信息公开年报 or 信息公开年报 is a column. Columns found that",
        "are not configured above are listed in the crawl summary.",
        "",
        "## How lists are read",
        "",
        "The CMS family of each page is detected from the page itself (the declared family is a hint: a",
        "portal can mix platforms), and report links of every family are accepted. On a list page the",
        "spider reads, never executing anything:",
        "",
        "- DOM links, with each entry's own date and title also when the `<a>` wraps the `<li>`;",
        "- links inside scripts, parsed as HTML fragments: CDATA (`<datastore>` records, `<nextgroup>`),",
        "  JS string literals (`InitData` arrays, `var hasFJ='<a …>'`, `document.write('<a …>')`);",
        "- Hanweb JPaaS shells: `unitbuild.js`'s `url` and `queryData` (or `meta ColId`) give the unit API,",
        '  asked with `paramJson={"pageNo":N,"pageSize":M}` and the column page as Referer, page by page',
        "  until the answer's `count` (at `rows` a page) is reached;",
        "- classic Hanweb `dataproxy.jsp`: POST `startrecord/endrecord/perpage` with the `<nextgroup>` fields",
        "  until `totalrecord`, falling back to GET `page=N` when the POST is refused;",
        "- TRS pagers in both `createPageHTML` forms, 下一页/尾页 links, `pageNum=N` scripts;",
        "- year sub-columns (`…/2025n/index.html`, `…/2025n/bmdw/`), 更多 links and same-host iframes, each",
        "  crawled as a column of its own (listed under `sub_lists` of the column that links it).",
        "",
        "Attachments: pdf, doc, docx, wps, xls, xlsx, et, ofd, zip, rar, in the DOM or in script strings, the",
        "type taken from `fileName`/`showname`/`filename` query values when the path has none.",
        "",
        "## First contact with a live site: `nianbao probe`",
        "",
        "Before the first nightly run on a portal, check a few of its pages (a 年报 column, a list page, a",
        "report page):",
        "",
        "```sh",
        "nianbao probe https://www.bypc.gov.cn/zfxxgk/zfxxgknb/index.html            # one request (+ robots.txt)",
        "nianbao probe https://www.bypc.gov.cn/zfxxgk/zfxxgknb/index.html --follow   # + the list API's first page",
        "nianbao probe URL --json",
        "```",
        "",
        "It prints the platform and list shape it recognised, the entries (title, date, URL), the paging and",
        "sub-lists the crawl would follow, the attachments, and any fault (exit status 1): `challenge`,",
        "`blocked`, `redirect`, `soft_404`, `list_unfollowed`, `list_unrecognised`, `robots`. A page with 0",
        "entries and no fault is one whose list the spider should not expect anything from; a",
        "`list_unrecognised` or `list_unfollowed` means the crawl would find nothing there: report the page.",
        "",
        "**On 403, 412 or a JavaScript challenge** (`blocked`, `challenge`): the site refuses datacenter",
        "crawlers or the rate. Slow down for that portal (`-s DOWNLOAD_DELAY=10 -s AUTOTHROTTLE_START_DELAY=10",
        "-s CONCURRENT_REQUESTS_PER_DOMAIN=1` on `scrapy crawl`, or the same in spiders/settings.py), give a",
        "contact in `NIANBAO_USER_AGENT`, try again the next night, and if it persists ask the site's operator",
        "to allow the crawler; the crawl never counts these pages as empty lists.",
        "",
        "A redirect to another portal's host or any other host is refused and named (`offsite_redirect`):",
        "nothing is stored under the wrong portal.",
        "",
        "## Crawling",
        "",
        "```sh",
        "python -m spiders.crawl [PORTAL …] [--since YEAR] [--data-dir data]   # the real portals",
        "python -m spiders.crawl --mirror --since 2014 --data-dir /tmp/nb       # the local mirror",
        "python -m spiders.mirror --port 8765                                   # serve the mirror",
        'scrapy crawl bypc -s NIANBAO_HOST_MAP=\'{"www.bypc.gov.cn": "127.0.0.1:8765"}\' -a since=2014',
        "```",
        "",
        "Each portal is crawled in its own process. By default a crawl fetches the current and the previous",
        "report year (`--since` for backfills); the year is read from the title (else the body, else the",
        "publication date), never from a folder name. Report pages and attachments already stored are not",
        "downloaded again: they are asked for with If-None-Match / If-Modified-Since where the server sends",
        "ETag / Last-Modified, and skipped where it does not; list pages are read every time.",
        "",
        "Under the data dir: `raw/ab/<sha256>.bin` (the bytes, unedited), and per portal",
        "`crawl/<portal>/manifest.jsonl` (one line per document version: url, sha256, portal, fetched_at,",
        "headers, content_type, title, published_date, source_page_url, column, metadata with 索引号",
        "`index_no`, 所属机构 `owner`, 发布机构 `publisher`, 发布时间 `published`, 信息来源 `source`),",
        "`state.json` (what the next crawl knows) and `summary.json`; `crawl/summary.json` and",
        "`crawl/summary.txt` cover the whole run. The exit status is 1 when any portal recorded a fault:",
        "",
        "| fault | meaning |",
        "|---|---|",
        *(f"| `{kind}` | {meaning} |" for kind, meaning in fault_kinds.items()),
        "",
    ]
    return "\n".join(out)
