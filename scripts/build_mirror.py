"""Build the local portal mirror: tests/fixtures/portals/<host>/… and tests/fixtures/portals/index.json.

    python scripts/build_mirror.py

Reproduces each portal's structure as ../shared/portals.md describes it (URL
patterns, breadcrumbs, metadata blocks, list pages paged by script or by
下一页 links, departments and townships, inline-HTML reports and attachments,
a GBK page, a broken link, a soft-404, external links, a robots.txt rule),
filled with the seed reports and the fixture documents:

- report bodies are the fixture HTML documents (tests/fixtures/documents/*.html)
  or the seeds rendered by render;
- the newer reports the portals.md examples name (平川区人民政府办公室 2025,
  发展和改革局 2025 filed under 2024n, 种田乡 2025 …) are seeds *re-dated*: the
  seed's tables under that agency's name and year (``derived_from`` in index.json);
- attachments are the fixture PDF/DOCX/DOC files of the seed
  (tests/fixtures/documents/<seed>_*.pdf|docx|doc) when they exist, else a DOCX
  written here from the report's text. Add fixtures, rebuild, and they are used.

Deterministic: the same inputs give the same bytes. index.json is the truth
the end-to-end tests compare a crawl with.
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import re
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from render import report_to_body_html, report_to_text

from parsers import parse_file
from parsers.report import Report, Section
from spiders.mirror import LIST_END, LIST_START

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
OUT = FIXTURES / "portals"


# --- what the mirror holds -----------------------------------------------------------------


@dataclass
class Attachment:
    path: str  # URL path (with ?query for Hanweb's downfile.jsp)
    text: str  # the link text
    data: bytes = field(repr=False)


@dataclass
class Page:
    """A report page of a portal (or a broken link / soft-404 a list points to)."""

    path: str
    title: str
    published: str  # "2025-01-23 10:12"
    column: str  # the column folder it lives in
    agency: str | None = None
    year: int | None = None
    body: str | None = None  # HTML fragment; None: the report is only an attachment
    attachments: list[Attachment] = field(default_factory=list)
    external: list[tuple[str, str]] = field(default_factory=list)  # (url, text) links off the portal
    charset: str = "utf-8"
    index_no: str = ""
    derived_from: str | None = None
    kind: str = "report"  # report, broken, soft_404, robots, redirect (a 302 to ``redirect``)
    redirect: str | None = None

    @property
    def date(self) -> str:
        return self.published[:10]


@dataclass
class Column:
    path: str  # folder, ends with "/"
    name: str  # the column name in breadcrumbs
    crumbs: list[tuple[str, str]]  # breadcrumb links above it
    pages: list[Page]  # in list order
    list_charset: str = "utf-8"
    declare_charset: bool = True
    list_pages: int | None = None  # when the list is not made of index pages (API-delivered): how many


def seeds() -> dict[str, Report]:
    return {p.name[:3]: parse_file(p) for p in sorted((FIXTURES / "seeds").glob("*.txt"))}


def document_body(name: str) -> str:
    """The <body> of a fixture HTML document, decoded."""
    data = (FIXTURES / "documents" / name).read_bytes()
    encoding = "gb18030" if b"gb2312" in data[:400].lower() else "utf-8"
    text = data.decode(encoding)
    return re.search(r"<body>\s*(.*?)\s*</body>", text, re.S)[1]


def derive(report: Report, agency: str, year: int, title: str) -> Report:
    """A seed re-dated: its tables and narrative under another agency's name and year."""
    old = str(report.year)
    preamble = (
        "根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和国务院办公厅政府信息与政务公开办公室"
        f"关于政府信息公开工作年度报告的要求，由{agency}编制完成本报告。"
        f"本报告所列数据的统计期限自{year}年1月1日至{year}年12月31日。"
    )
    sections = [
        Section(number=s.number, key=s.key, title=s.title, text=s.text.replace(old, str(year))) for s in report.sections
    ]
    return report.model_copy(
        update={"title": title, "agency": agency, "year": year, "preamble": preamble, "sections": sections}
    )


def docx_bytes(report: Report) -> bytes:
    """A Word file of the report's text (tables as tab-separated rows), with fixed zip timestamps."""
    import docx

    document = docx.Document()
    rows: list[list[str]] = []

    def flush() -> None:
        if rows:
            width = max(len(r) for r in rows)
            table = document.add_table(rows=len(rows), cols=width)
            for i, row in enumerate(rows):
                for j, text in enumerate(row):
                    table.cell(i, j).text = text
            rows.clear()

    for line in report_to_text(report).decode("utf-8").splitlines():
        if "\t" in line:
            rows.append(line.split("\t"))
            continue
        flush()
        if line.strip():
            document.add_paragraph(line)
    flush()
    document.core_properties.title = report.title or ""
    raw = io.BytesIO()
    document.save(raw)
    fixed = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"<dcterms:(created|modified)[^>]*>[^<]*</dcterms:\1>", b"", data)
            dst.writestr(zipfile.ZipInfo(info.filename, date_time=(2021, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)
    return fixed.getvalue()


#: the fixture files a report page offers for download: 全真版 (PDF) and 文字版 (Word, WPS); the other
#: fixture variants (passwords, split tables, a PDF named .docx …) are the parsers' hazards, not the portals'
ATTACHMENT_FIXTURE = re.compile(r"^\d{3}_(pdf|word|legacy)\.(pdf|docx|doc|wps|xls|xlsx)$")


def attachment_files(seed: str | None, report: Report) -> list[tuple[str, bytes]]:
    """(extension, bytes) of a report's attachments: the seed's fixture files (none for a re-dated
    report, whose numbers the files would contradict), else a DOCX made here from its text."""
    found = [
        (p.suffix.lstrip(".").lower(), p.read_bytes())
        for p in sorted((FIXTURES / "documents").glob(f"{seed}_*") if seed else [])
        if ATTACHMENT_FIXTURE.match(p.name)
    ]
    return found or [("docx", docx_bytes(report))]


def digits(*parts: str, n: int = 12) -> str:
    return str(int(hashlib.sha256("/".join(parts).encode()).hexdigest(), 16))[:n]


def hex32(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:32]


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def crumbs_html(crumbs: list[tuple[str, str]], last: str) -> str:
    return " &gt; ".join([f'<a href="{href}">{esc(text)}</a>' for text, href in crumbs] + [esc(last)])


def encode(page: str, charset: str) -> bytes:
    return page.encode("gb18030" if charset in ("gbk", "gb2312") else charset, errors="xmlcharrefreplace")


# --- 银川市西夏区 (TRS) ----------------------------------------------------------------------------

YC = "www.ycxixia.gov.cn"
YC_TOP = (
    '<div class="top"><a href="/">首页</a> | <a href="/zwgk/index.html">政府信息公开</a> | '
    '<a href="/xwzx/index.html">新闻中心</a> | <a href="http://zwfw.nx.gov.cn/">一网通办</a></div>'
)
YC_FOOT = (
    '<div class="footer"><a href="http://www.gov.cn/">中国政府网</a> | '
    '<a href="http://www.nx.gov.cn/">宁夏回族自治区人民政府</a><br>'
    "主办：银川市西夏区人民政府办公室　网站标识码：6401050001　宁ICP备05001234号</div>"
)


def yc_page(title: str, body: str, charset: str = "utf-8", head: str = "", declare: bool = True) -> str:
    meta = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">\n' if declare else ""
    return (
        f"<!DOCTYPE html>\n<html>\n<head>\n{meta}{head}<title>{esc(title)}</title>\n"
        '<link rel="stylesheet" href="/images/style.css">\n</head>\n<body>\n'
        f"{YC_TOP}\n{body}\n{YC_FOOT}\n</body>\n</html>\n"
    )


def yc_article(page: Page, column: Column) -> str:
    # the Ningxia template lists attachments only inside a script string (var hasFJ='<a …>')
    has_fj = "<br/>".join(f'<a href="./{Path(a.path).name}">{esc(a.text)}</a>' for a in page.attachments)
    external = "".join(f'<p>相关文件：<a href="{url}">{esc(text)}</a></p>' for url, text in page.external)
    body = page.body if page.body is not None else f"<p>{esc(page.title)}，详见附件。</p>"
    head = (
        '<meta name="SiteName" content="银川市西夏区人民政府">\n'
        f'<meta name="ColumnName" content="{esc(column.name)}">\n'
        f'<meta name="ArticleTitle" content="{esc(page.title)}">\n'
        f'<meta name="PubDate" content="{page.published}">\n'
    )
    content = (
        f'<div class="position">当前位置：{crumbs_html(column.crumbs, column.name)}</div>\n'
        '<table class="xxgk_table">\n'
        f"<tr><td>索引号：</td><td>{page.index_no}</td><td>发布机构：</td><td>{esc(page.agency or '')}</td></tr>\n"
        f"<tr><td>生成日期：</td><td>{page.date}</td><td>文号：</td><td></td></tr>\n</table>\n"
        f'<div class="article">\n<h1 class="title">{esc(page.title)}</h1>\n'
        f'<div class="info">发布时间：{page.published}　来源：{esc(page.agency or "")}　【字号：大 中 小】</div>\n'
        f'<div class="TRS_Editor">\n{body}\n</div>\n'
        + '<div class="fj" id="fj"></div>\n'
        + f"<script>\nvar hasFJ='{has_fj}';\n"
        + "if (hasFJ != '') { document.getElementById('fj').innerHTML = '附件：' + hasFJ; }\n</script>\n"
        + external
        + "</div>"
    )
    return yc_page(f"{page.title}_{column.name}_银川市西夏区人民政府", content, page.charset, head)


def trs_list(column: Column, pages: list[list[Page]], n: int, wrap: object) -> str:
    """List page ``n`` (0-based) of a TRS column, paged by createPageHTML."""
    # the <a> wraps the <li>: each entry's date is inside its own link
    items = "\n".join(
        f'<a href="{rel(column.path, p.path)}" target="_blank"><li><p>{esc(p.title)}</p><span>{p.date}</span></li></a>'
        for p in pages[n]
    )
    content = (
        f'<div class="position">当前位置：{crumbs_html(column.crumbs, column.name)}</div>\n'
        f'<div class="list_box"><h2>{esc(column.name)}</h2>\n'
        f'<ul class="list">\n{LIST_START}\n{items}\n{LIST_END}\n</ul>\n'
        f'<div class="page" id="page_div"></div><script type="text/javascript">'
        f"createPageHTML('page_div', {len(pages)}, {n}, 'index', 'html', {sum(map(len, pages))});"
        "</script>\n</div>"
    )
    return wrap(f"{column.name}_银川市西夏区人民政府", content, column.list_charset, "", column.declare_charset)


def rel(folder: str, path: str) -> str:
    """A relative link from a page in ``folder`` to ``path``, as TRS writes them (./, ../)."""
    src = [p for p in folder.strip("/").split("/") if p]
    dst = path.strip("/").split("/")
    common = 0
    while common < min(len(src), len(dst) - 1) and src[common] == dst[common]:
        common += 1
    up = len(src) - common
    return ("./" if up == 0 else "../" * up) + "/".join(dst[common:])


def chunks(pages: list[Page], size: int) -> list[list[Page]]:
    return [pages[i : i + size] for i in range(0, len(pages), size)] or [[]]


def nav_page(title: str, crumbs: list[tuple[str, str]], links: list[tuple[str, str]], cls: str) -> str:
    items = "\n".join(f'<li><a href="{href}">{esc(text)}</a></li>' for text, href in links)
    crumb = f'<div class="position">当前位置：{crumbs_html(crumbs, title)}</div>'
    return f'{crumb}\n<div class="{cls}"><ul>\n{items}\n</ul></div>'


def build_ycxixia(s: dict[str, Report]) -> dict:
    home, xxgk = ("首页", "/"), ("政府信息公开", "/zwgk/index.html")
    bm = ("部门信息公开目录", "/zwgk/bmxxgkmn/index.html")
    jd = ("街道信息公开目录", "/zwgk/jdxxgkml/index.html")
    gov = derive(s["000"], "银川市西夏区人民政府办公室", 2024, "西夏区人民政府办公室2024年政府信息公开工作年度报告")
    edu = derive(s["000"], "银川市西夏区教育局", 2025, "西夏区教育局2025年政府信息公开工作年度报告")

    def att(page_path: str, seed: str | None, report: Report, title: str) -> list[Attachment]:
        folder, ymd = page_path.rsplit("/", 1)[0], re.search(r"t(\d{8})_", page_path)[1]
        return [
            Attachment(f"{folder}/P0{ymd}{digits(page_path, ext)}.{ext}", f"{title}.{ext}", data)
            for ext, data in attachment_files(seed, report)
        ]

    gov_office = "/zwgk/bmxxgkmn/xxqzfbgs/xxgknb/"
    r1_path = gov_office + "202501/t20250123_4800850.html"
    r1 = Page(
        r1_path,
        gov.title,
        "2025-01-23 10:12",
        gov_office,
        gov.agency,
        2024,
        report_to_body_html(gov),
        att(r1_path, None, gov, gov.title),
        index_no="640105001/2025-00013",
        derived_from="000",
    )
    r2 = Page(
        gov_office + "201502/t20150210_1352781.html",
        s["004"].title,
        "2015-02-10 09:30",
        gov_office,
        "西夏区人民政府",
        2014,
        report_to_body_html(s["004"]),
        index_no="640105001/2015-00021",
    )
    spj = "/zwgk/bmxxgkmn/xxqspj/xxgknb/"
    r3_path = spj + "202101/t20210125_2719850.html"
    r3 = Page(
        r3_path,
        s["000"].title,
        "2021-01-25 16:05",
        spj,
        "银川市西夏区审批服务管理局",
        2020,
        document_body("000_official.html"),
        att(r3_path, "000", s["000"], s["000"].title),
        external=[
            (
                "http://www.gov.cn/zhengce/zhengceku/2021-09/P020210915383642548755.pdf",
                "中华人民共和国政府信息公开工作年度报告格式.pdf",
            )
        ],
        index_no="640105012/2021-00004",
    )
    jdp = "/zwgk/jdxxgkml/xhylj/xxgknb/"
    r4_path = jdp + "202101/t20210128_2720417.html"
    r4 = Page(
        r4_path,
        s["001"].title,
        "2021-01-28 11:20",
        jdp,
        "银川市西夏区西花园路街道办事处",
        2020,
        document_body("001_gb2312.html"),
        att(r4_path, "001", s["001"], s["001"].title),
        charset="gb2312",
        index_no="640105101/2021-00002",
    )
    jyj = "/zwgk/bmxxgkml/xxqjyj/xxgknb_1918/"
    jyj_2025 = jyj + "2025n/"  # a year sub-column: the column page itself only links the years
    r5_path = jyj + "202601/t20260115_5123468.html"
    r5 = Page(
        r5_path,
        edu.title,
        "2026-01-15 09:00",
        jyj_2025,
        edu.agency,
        2025,
        None,
        [
            *att(r5_path, None, edu, edu.title),
            Attachment(f"{jyj}202601/P020260115{digits(r5_path, 'ofd')}.ofd", f"{edu.title}.ofd", ofd_bytes(edu)),
        ],
        index_no="640105015/2026-00001",
        derived_from="000",
    )
    czj = "/zwgk/bmxxgkmn/xxqczj/xxgknb_9490/"
    broken = Page(
        czj + "202401/t20240126_4410021.html",
        "西夏区财政局2023年政府信息公开工作年度报告",
        "2024-01-26 10:00",
        czj,
        kind="broken",
    )
    soft = Page(
        czj + "202501/t20250124_4801136.html",
        "西夏区财政局2024年政府信息公开工作年度报告",
        "2025-01-24 15:40",
        czj,
        kind="soft_404",
    )

    moved = Page(
        "/zwgk/zfxxgknb/202501/t20250127_4800901.html",
        "平川区人民政府办公室2024年政府信息公开工作年度报告（转载）",
        "2025-01-27 11:00",
        "/zwgk/zfxxgknb/",
        kind="redirect",
        redirect=f"https://{BY}/zfxxgk/zfxxgknb/2024n/bmdw/art/2025/art_{hex32('b2')}.html",
    )
    columns = [
        Column("/zwgk/zfxxgknb/", "政府信息公开年报", [home, xxgk], [r1, soft, moved, r4, r3, r2]),
        Column(gov_office, "信息公开年报", [home, xxgk, bm, ("西夏区政府办公室", "../index.html")], [r1, r2]),
        Column(spj, "信息公开年报", [home, xxgk, bm, ("西夏区审批服务管理局", "../index.html")], [r3]),
        Column(czj, "信息公开年报", [home, xxgk, bm, ("西夏区财政局", "../index.html")], [soft, broken]),
        Column(jdp, "信息公开年报", [home, xxgk, jd, ("西花园路街道办事处", "../index.html")], [r4], "gbk", False),
        Column(jyj, "信息公开年报", [home, xxgk, ("西夏区教育局", "../index.html")], []),
        Column(jyj_2025, "2025年", [home, xxgk, ("西夏区教育局", "../../index.html")], [r5]),
    ]
    yjglj, zjj = "/zwgk/bmxxgkmn/xxqyjglj/", "/zwgk/bmxxgkmn/xxqzjj/"
    files: dict[str, bytes] = {
        "/robots.txt": b"User-agent: *\nDisallow: /search/\n",
        "/_mirror.json": b'{"etag": true, "last_modified": true}\n',
        "/index.html": encode(
            yc_page(
                "银川市西夏区人民政府",
                '<div class="banner">银川市西夏区人民政府</div>\n'
                '<ul class="news"><li><a href="/xwzx/202611/t20261120_5301234.html">'
                "西夏区召开冬季安全生产工作会议</a></li></ul>",
            ),
            "utf-8",
        ),
        "/zwgk/index.html": encode(
            yc_page(
                "政府信息公开_银川市西夏区人民政府",
                nav_page(
                    "政府信息公开",
                    [home],
                    [
                        ("政府信息公开指南", "./zfxxgkzn/index.html"),
                        ("政府信息公开制度", "./zfxxgkzd/index.html"),
                        ("法定主动公开内容", "./fdzdgknr/index.html"),
                        ("部门信息公开目录", "./bmxxgkmn/index.html"),
                        ("街道信息公开目录", "./jdxxgkml/index.html"),
                        ("政府信息公开年报", "./zfxxgknb/index.html"),
                        ("依申请公开", "http://ysqgk.nx.gov.cn/"),
                    ],
                    "xxgk_nav",
                ),
            ),
            "utf-8",
        ),
        "/zwgk/bmxxgkmn/index.html": encode(
            yc_page(
                "部门信息公开目录",
                nav_page(
                    "部门信息公开目录",
                    [home, xxgk],
                    [
                        ("西夏区政府办公室", "./xxqzfbgs/index.html"),
                        ("西夏区审批服务管理局", "./xxqspj/index.html"),
                        ("西夏区财政局", "./xxqczj/index.html"),
                        ("西夏区应急管理局", "./xxqyjglj/index.html"),
                        ("西夏区住房和城乡建设局", "./xxqzjj/index.html"),
                    ],
                    "bm_list",
                ),
            ),
            "utf-8",
        ),
        "/zwgk/jdxxgkml/index.html": encode(
            yc_page(
                "街道信息公开目录",
                nav_page("街道信息公开目录", [home, xxgk], [("西花园路街道办事处", "./xhylj/index.html")], "bm_list"),
            ),
            "utf-8",
        ),
    }
    for dept, name, column in (
        ("/zwgk/bmxxgkmn/xxqzfbgs/", "西夏区政府办公室", "xxgknb"),
        ("/zwgk/bmxxgkmn/xxqspj/", "西夏区审批服务管理局", "xxgknb"),
        ("/zwgk/bmxxgkmn/xxqczj/", "西夏区财政局", "xxgknb_9490"),
        ("/zwgk/jdxxgkml/xhylj/", "西花园路街道办事处", "xxgknb"),
        ("/zwgk/bmxxgkml/xxqjyj/", "西夏区教育局", "xxgknb_1918"),
        (yjglj, "西夏区应急管理局", "xxgknb"),
        (zjj, "西夏区住房和城乡建设局", "xxgknb"),
    ):
        catalog = jd if "jdxxgkml" in dept else bm
        links = [
            ("机构职能", "./jgzn/index.html"),
            ("政策文件", "./zcwj/index.html"),
            ("信息公开年报", f"./{column}/index.html"),
        ]
        files[dept + "index.html"] = encode(
            yc_page(name, nav_page(name, [home, xxgk, catalog], links, "dept_nav")), "utf-8"
        )
    # the 教育局 column page links its year sub-column and a 更多 to it, no report
    files[jyj + "index.html"] = encode(
        yc_page(
            "信息公开年报_银川市西夏区人民政府",
            f'<div class="position">当前位置：{crumbs_html(columns[-1].crumbs[:3], "信息公开年报")}</div>\n'
            '<div class="year_nav"><a href="./2025n/index.html">2025年</a></div>\n'
            '<div class="list_box"><h2>信息公开年报<a class="more" href="./2025n/">更多</a></h2>\n'
            '<ul class="list"></ul></div>',
        ),
        "utf-8",
    )
    files[yjglj + "xxgknb/index.html"] = CHALLENGE  # a WAF's JavaScript challenge instead of the list
    statuses = {zjj + "xxgknb/index.html": 412}  # a WAF refusing the crawler
    faults = {
        "challenges": [f"http://{YC}{yjglj}xxgknb/index.html"],
        "blocked": [f"http://{YC}{p}" for p in statuses],
    }
    return finish(
        YC,
        columns,
        files,
        yc_article,
        lambda c, p, n: trs_list(c, p, n, yc_page),
        page_size=2,
        config={"statuses": statuses},
        faults=faults,
    )


# --- 白银市平川区 (Hanweb) --------------------------------------------------------------------------

BY = "www.bypc.gov.cn"


def by_page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="SiteName" content="白银市平川区人民政府">\n<title>{esc(title)}</title>\n</head>\n<body>\n'
        '<table width="100%" class="layout"><tr><td>\n'
        '<div class="top"><a href="/">网站首页</a> | <a href="/zfxxgk/index.html">政府信息公开</a> | '
        '<a href="/zwdt/index.html">政务动态</a> | <a href="https://www.gsbaiyin.gov.cn/">白银市人民政府</a></div>\n'
        f'<table width="1000" align="center" class="layout"><tr><td>\n{body}\n</td></tr></table>\n'
        '<div class="footer">主办单位：平川区人民政府办公室　<a href="http://www.gov.cn/">中国政府网</a>'
        "　网站标识码：6204030001　陇ICP备05000123号</div>\n</td></tr></table>\n</body>\n</html>\n"
    )


def by_article(page: Page, column: Column) -> str:
    attachments = "".join(f'<p><a href="{esc(a.path)}">{esc(a.text)}</a></p>' for a in page.attachments)
    body = page.body if page.body is not None else f"<p>{esc(page.title)}，请下载附件查看。</p>"
    head = (
        f'<meta name="ColumnName" content="{esc(column.name)}">\n'
        f'<meta name="ArticleTitle" content="{esc(page.title)}">\n'
        f'<meta name="PubDate" content="{page.published}">\n<meta name="ContentSource" content="平川区人民政府">\n'
    )
    content = (
        f'<div class="breadcrumb">当前位置：{crumbs_html(column.crumbs, column.name)}</div>\n'
        '<table class="xxgk-meta" width="100%">\n'
        f"  <tr><td>索引号：</td><td>{page.index_no}</td><td>生成日期：</td><td>{page.date}</td></tr>\n"
        "  <tr><td>文号：</td><td></td><td>关键字：</td><td></td></tr>\n"
        "  <tr><td>所属机构：</td><td>平川区政府办</td><td>发布机构：</td><td></td></tr>\n</table>\n"
        f'<div class="article-title">{esc(page.title)}</div>\n'
        f'<div class="info">信息来源：平川区人民政府　发布时间：{page.published}　'
        '浏览次数：<span id="count">128</span></div>\n'
        '<table width="100%" class="layout"><tr><td class="content">\n'
        f'<div id="zoom">\n{body}\n</div>\n</td></tr></table>\n'
        + (f'<div class="fujian">附件下载：{attachments}</div>\n' if attachments else "")
    )
    return by_page(f"{page.title} - 平川区人民政府", content).replace("<title>", head + "<title>", 1)


def by_li(page: Page) -> str:
    return (
        f'<li class="cf"><a href="{page.path}" target="_blank" title="{esc(page.title)}">{esc(page.title)}</a>'
        f'<span class="fr">{page.date}</span></li>'
    )


def by_shell(column: Column, page_id: str, extra: str = "") -> bytes:
    """A JPaaS column page: no list links, only the unitbuild.js loader (the list comes from the unit API)."""
    query = (
        "{'parseType':'bulidstatic','webId':'" + hex32("bypc-web") + "','tplSetId':'" + hex32("bypc-tpl") + "',"
        "'pageType':'column','tagId':'信息列表','editType':'null','pageId':'" + page_id + "'}"
    )
    content = (
        f'<div class="breadcrumb">当前位置：{crumbs_html(column.crumbs, column.name)}</div>\n{extra}'
        '<div class="xxgk-list" id="list-box">\n'
        '<script src="/cms_files/default/script/AuthorizedRead/unitbuild.js" '
        f'url="{UNIT_API}" queryData="{query}"></script>\n</div>'
    )
    return by_page(f"{column.name} - 平川区人民政府", content).encode("utf-8")


def by_jcms(column: Column, column_id: int, inline: list[Page], total: int, per_page: int) -> bytes:
    """A classic Hanweb JCMS column: the first records inside <script type="text/xml">, the rest from dataproxy.jsp."""
    records = "\n".join(f"<record><![CDATA[{by_li(p)}]]></record>" for p in inline)
    nextgroup = (
        f'<a href="/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=1&path=/&columnid={column_id}'
        '&unitid=212860&webname=%E5%B9%B3%E5%B7%9D%E5%8C%BA&permissiontype=0"></a>'
    )
    content = (
        f'<div class="breadcrumb">当前位置：{crumbs_html(column.crumbs, column.name)}</div>\n'
        '<div id="212860"><script type="text/xml">\n<datastore>\n'
        f"<nextgroup><![CDATA[{nextgroup}]]></nextgroup>\n<recordset>\n{records}\n</recordset>\n</datastore>\n"
        '</script>\n<script language="javascript">\n'
        f"$('#212860').jpage({{ dataStore: null, perPage: {per_page}, totalRecord: {total}, "
        "proxyUrl: '/module/web/jpage/dataproxy.jsp' });\n</script></div>"
    )
    return by_page(f"{column.name} - 平川区人民政府", content).encode("utf-8")


def by_dom_list(column: Column, pages: list[Page], extra: str = "") -> bytes:
    """A plain list (an iframe's inside, a 更多 page): the <a> wraps the <li>."""
    items = "\n".join(
        f'<a href="{p.path}" target="_blank"><li><p>{esc(p.title)}</p><span>{p.date}</span></li></a>' for p in pages
    )
    content = (
        f'<div class="breadcrumb">当前位置：{crumbs_html(column.crumbs, column.name)}</div>\n{extra}'
        f'<ul class="xxgk-list">\n{LIST_START}\n{items}\n{LIST_END}\n</ul>'
    )
    return by_page(f"{column.name} - 平川区人民政府", content).encode("utf-8")


UNIT_API = "/api-gateway/jpaas-publish-server/front/page/build/unit"


def build_bypc(s: dict[str, Report]) -> dict:
    home, xxgk = ("首页", "/"), ("政府信息公开", "/zfxxgk/index.html")
    bmdw, xzjd = ("部门单位", "/zfxxgk/bmdwxzjd/bmdw/index.html"), ("乡镇", "/zfxxgk/bmdwxzjd/xzjd/index.html")

    def d(agency: str, year: int, title: str) -> Report:
        return derive(s["002"], agency, year, title)

    def att(path: str, seed: str | None, report: Report, title: str, downfile: bool) -> list[Attachment]:
        out = []
        for ext, data in attachment_files(seed, report):
            name = f"{hex32(path, ext)}.{ext}"
            if downfile:  # classic Hanweb
                url = f"/module/download/downfile.jsp?classid=0&filename={name}"
            else:  # JPaaS: the type is only in fileName
                url = (
                    "/api-gateway/jpaas-web-server/front/document/download?fileUrl=%2Fjpaas%2Fupload%2F"
                    f"{hex32(path, ext, 'u')}&fileName=%E5%B9%B4%E6%8A%A5{hex32(path, ext)[:6]}.{ext}"
                )
            out.append(Attachment(url, f"{title}.{ext}", data))
        return out

    gov = "/zfxxgk/zfxxgknb/"
    b1r = d("白银市平川区人民政府办公室", 2025, "平川区人民政府办公室2025年政府信息公开工作年度报告")
    b1 = Page(
        gov + "2025n/bmdw/art/2026/art_3ceec784b6f543d0810d3acb2dd22159.html",
        b1r.title,
        "2026-01-28 15:34",
        gov,
        b1r.agency,
        2025,
        report_to_body_html(b1r),
        index_no="11620403013912770D/2026-206748",
        derived_from="002",
    )
    b2r = d("白银市平川区人民政府办公室", 2024, "平川区人民政府办公室2024年政府信息公开工作年度报告")
    b2_path = gov + f"2024n/bmdw/art/2025/art_{hex32('b2')}.html"
    b2 = Page(
        b2_path,
        b2r.title,
        "2025-01-27 10:05",
        gov,
        b2r.agency,
        2024,
        report_to_body_html(b2r),
        index_no="11620403013912770D/2025-118342",
        derived_from="002",
    )
    b3_path = gov + f"2020n/bmdw/art/2021/art_{hex32('b3')}.html"
    b3 = Page(
        b3_path,
        s["002"].title,
        "2021-01-29 17:20",
        gov,
        "白银市平川区",
        2020,
        document_body("002_zero_marks.html"),
        att(b3_path, "002", s["002"], s["002"].title, True),
        index_no="11620403013912770D/2021-012875",
    )
    qfgj = "/zfxxgk/bmdwxzjd/bmdw/qfgj/xxgknb/"
    qfgj_2024 = qfgj + "2024n/"
    b4r = d("白银市平川区发展和改革局", 2025, "2025年政府信息公开工作年度报告")
    b4 = Page(
        qfgj + "2024n/art/2026/art_4a25005ad4da4e0bbca9a04b98caea18.html",
        b4r.title,
        "2026-01-28 16:02",
        qfgj_2024,
        b4r.agency,
        2025,
        report_to_body_html(b4r),
        index_no="11620403013912770D/2026-206771",
        derived_from="002",
    )
    qwjj = "/zfxxgk/bmdwxzjd/bmdw/qwjj/xxgknb/"
    b5r = d("白银市平川区卫生健康局", 2024, "平川区卫生健康局2024年政府信息公开工作年度报告")
    b5_path = qwjj + f"2025n/art/2025/art_{hex32('b5')}.html"
    b5 = Page(
        b5_path,
        b5r.title,
        "2025-01-20 08:45",
        qwjj,
        b5r.agency,
        2024,
        None,
        att(b5_path, None, b5r, b5r.title, False),
        index_no="11620403013912770D/2025-117906",
        derived_from="002",
    )
    ztx = "/zfxxgk/bmdwxzjd/xzjd/ztx/zfxxgknb/"
    ztx_frame = ztx + "nblist/"  # the column page is a shell around this same-host iframe
    b6r = d("白银市平川区种田乡人民政府", 2025, "种田乡2025年政府信息公开工作年度报告")
    b6 = Page(
        ztx + "2024n/art/2026/art_a6862ce7a459475c8b91a53c003ea300.html",
        b6r.title,
        "2026-01-30 11:11",
        ztx_frame,
        b6r.agency,
        2025,
        report_to_body_html(b6r),
        index_no="11620403013912770D/2026-207013",
        derived_from="002",
    )
    # 教育局 still on classic Hanweb JCMS: /col/col33718/, a datastore list paged by dataproxy.jsp
    col = "/col/col33718/"
    jcms = []
    for i, (year, day) in enumerate(((2025, 20), (2024, 22), (2023, 18))):
        r = d("白银市平川区教育局", year, f"平川区教育局{year}年政府信息公开工作年度报告")
        jcms.append(
            Page(
                f"/art/{year + 1}/1/{day}/art_33718_{11828204 - 1000 * i}.html",
                r.title,
                f"{year + 1}-01-{day} 09:30",
                col,
                r.agency,
                year,
                report_to_body_html(r),
                index_no=f"11620403013912770D/{year + 1}-0{i}3718",
                derived_from="002",
            )
        )
    more = "/zfxxgk/nbhz/"  # reached only by the 更多 link of the 年报 column
    columns = [
        Column(gov, "政府信息公开年报", [home, xxgk], [b1, b2, b3], list_pages=1),
        Column(gov + "2025n/", "2025年", [home, xxgk, ("政府信息公开年报", gov)], [], list_pages=1),
        Column(gov + "2025n/bmdw/", "部门单位", [home, xxgk, ("政府信息公开年报", gov)], [b1], list_pages=1),
        Column(more, "年报汇总", [home, xxgk], [b1, b6], list_pages=1),
        Column(qfgj, "信息公开年报", [home, xxgk, bmdw, ("发展和改革局", "../index.html")], [], list_pages=1),
        Column(qfgj_2024, "2024年", [home, xxgk, bmdw, ("发展和改革局", "../../index.html")], [b4], list_pages=1),
        Column(qwjj, "信息公开年报", [home, xxgk, bmdw, ("卫生健康局", "../index.html")], [b5], list_pages=1),
        Column(ztx, "政府信息公开年报", [home, xxgk, xzjd, ("种田乡", "../index.html")], [], list_pages=1),
        Column(ztx_frame, "政府信息公开年报", [home, xxgk, xzjd, ("种田乡", "../../index.html")], [b6], list_pages=1),
        Column(
            col,
            "信息公开年报",
            [home, xxgk, bmdw, ("教育局", "/zfxxgk/bmdwxzjd/bmdw/qjyj/index.html")],
            jcms,
            list_pages=1,
        ),
    ]
    by_path = {c.path: c for c in columns}

    def nav(title: str, crumbs: list[tuple[str, str]], links: list[tuple[str, str]]) -> bytes:
        return by_page(f"{title} - 平川区人民政府", nav_page(title, crumbs, links, "xxgk-nav")).encode("utf-8")

    unit: dict[str, list[str]] = {}

    def shell(path: str, pages: list[Page], extra: str = "") -> bytes:
        page_id = hex32("bypc-column", path)
        unit[page_id] = [by_li(p) for p in pages]
        return by_shell(by_path[path], page_id, extra)

    year_nav = (
        '<div class="xxgk_nav"><a href="/zfxxgk/zfxxgknb/2025n/index.html">2025年</a> '
        f'<a class="xxgk_more" href="{more}index.html">更多&gt;&gt;</a></div>\n'
    )
    files = {
        "/robots.txt": b"User-agent: *\nDisallow: /module/search/\n",
        "/_mirror.json": b'{"etag": false, "last_modified": true}\n',
        gov + "index.html": shell(gov, [b1, b2, b3], year_nav),
        gov + "2025n/index.html": nav("2025年", [home, xxgk], [("部门单位", gov + "2025n/bmdw/")]),
        gov + "2025n/bmdw/index.html": shell(gov + "2025n/bmdw/", [b1]),
        qfgj + "index.html": nav(
            "信息公开年报", [home, xxgk, bmdw], [("2024年", qfgj_2024 + "index.html"), ("2025年", qfgj + "2025n/")]
        ),
        qfgj + "2025n/index.html": nav("2025年", [home, xxgk, bmdw], []).replace(
            b"</ul>", "<li>暂无信息</li></ul>".encode(), 1
        ),
        qfgj_2024 + "index.html": shell(qfgj_2024, [b4]),
        qwjj + "index.html": shell(qwjj, [b5]),
        ztx + "index.html": by_page(
            "政府信息公开年报 - 平川区人民政府",
            f'<iframe src="{ztx_frame}index.html" width="100%" height="800" frameborder="0"></iframe>',
        ).encode("utf-8"),
        ztx_frame + "index.html": by_dom_list(by_path[ztx_frame], [b6]),
        more + "index.html": by_dom_list(by_path[more], [b1, b6]),
        col + "index.html": by_jcms(by_path[col], 33718, jcms[:2], len(jcms), 2),
        "/_api/dataproxy/33718.json": json.dumps(
            {"perpage": 2, "records": [by_li(p) for p in jcms]}, ensure_ascii=False, indent=1
        ).encode("utf-8"),
        "/index.html": nav(
            "平川区人民政府", [], [("政府信息公开", "/zfxxgk/index.html"), ("政务动态", "/zwdt/index.html")]
        ),
        "/zfxxgk/index.html": nav(
            "政府信息公开",
            [home],
            [
                ("政府信息公开指南", "/zfxxgk/zfxxgkzn/index.html"),
                ("法定主动公开内容", "/zfxxgk/fdzdgknr/index.html"),
                ("政府信息公开年报", "/zfxxgk/zfxxgknb/index.html"),
                ("部门单位", "/zfxxgk/bmdwxzjd/bmdw/index.html"),
                ("乡镇", "/zfxxgk/bmdwxzjd/xzjd/index.html"),
            ],
        ),
        "/zfxxgk/bmdwxzjd/bmdw/index.html": nav(
            "部门单位",
            [home, xxgk],
            [
                ("发展和改革局", "/zfxxgk/bmdwxzjd/bmdw/qfgj/index.html"),
                ("卫生健康局", "/zfxxgk/bmdwxzjd/bmdw/qwjj/index.html"),
                ("教育局", "/zfxxgk/bmdwxzjd/bmdw/qjyj/index.html"),
            ],
        ),
        "/zfxxgk/bmdwxzjd/xzjd/index.html": nav(
            "乡镇", [home, xxgk], [("种田乡", "/zfxxgk/bmdwxzjd/xzjd/ztx/index.html")]
        ),
        "/zfxxgk/bmdwxzjd/bmdw/qfgj/index.html": nav(
            "发展和改革局",
            [home, xxgk, bmdw],
            [("机构信息", "/zfxxgk/bmdwxzjd/bmdw/qfgj/jgxx/index.html"), ("信息公开年报", qfgj + "index.html")],
        ),
        "/zfxxgk/bmdwxzjd/bmdw/qwjj/index.html": nav(
            "卫生健康局",
            [home, xxgk, bmdw],
            [("机构信息", "/zfxxgk/bmdwxzjd/bmdw/qwjj/jgxx/index.html"), ("信息公开年报", qwjj + "index.html")],
        ),
        "/zfxxgk/bmdwxzjd/bmdw/qjyj/index.html": nav(
            "教育局",
            [home, xxgk, bmdw],
            [("机构信息", "/zfxxgk/bmdwxzjd/bmdw/qjyj/jgxx/index.html"), ("信息公开年报", col + "index.html")],
        ),
        "/zfxxgk/bmdwxzjd/xzjd/ztx/index.html": nav(
            "种田乡",
            [home, xxgk, xzjd],
            [("机构信息", "/zfxxgk/bmdwxzjd/xzjd/ztx/jgxx/index.html"), ("政府信息公开年报", ztx + "index.html")],
        ),
    }
    for page_id, records in unit.items():
        files[f"/_api/unit/{page_id}.json"] = json.dumps(records, ensure_ascii=False, indent=1).encode("utf-8")
    config = {"unit_api": UNIT_API, "unit_max_rows": 2, "unit_needs_referer": True}
    columns.append(Column(qfgj + "2025n/", "2025年", [home, xxgk, bmdw], [], list_pages=1))
    return finish(BY, columns, files, by_article, None, page_size=2, config=config)


# --- 吴忠市红寺堡区 (TRS, assumed) -------------------------------------------------------------------

HS = "www.hongsibu.gov.cn"


def hs_page(title: str, body: str) -> str:
    return (
        '<html>\n<head>\n<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\n'
        f"<title>{esc(title)}-吴忠市红寺堡区人民政府</title>\n</head>\n<body>\n"
        '<div class="head"><a href="/">网站首页</a> | <a href="/xxgk/index.html">政府信息公开</a> | '
        '<a href="/hdjl/index.html">互动交流</a></div>\n'
        f"{body}\n"
        '<div class="foot">吴忠市红寺堡区人民政府办公室主办　<a href="http://www.nx.gov.cn/">宁夏回族自治区人民政府</a></div>\n'
        "</body>\n</html>\n"
    )


def hs_article(page: Page, column: Column) -> str:
    # TRS elsewhere: attachment links written by document.write, not in the DOM
    attachments = "".join(
        f"document.write('<li><a href=\"./{Path(a.path).name}\">{esc(a.text)}</a></li>');\n" for a in page.attachments
    )
    content = (
        f'<div class="crumb">您当前的位置：{crumbs_html(column.crumbs, column.name)}</div>\n<div class="detail">\n'
        f'<div class="title">{esc(page.title)}</div>\n'
        f'<div class="article-meta"><span>发布日期：{page.published}</span>　'
        f"<span>信息来源：{esc(page.agency or '')}</span>"
        "　<span>浏览量：<script>document.write(Math.round(Math.random()*100));</script></span></div>\n"
        f'<div class="view TRS_UEDITOR trs_paper_default">\n{page.body}\n</div>\n'
        + (f'<div class="xgfj">相关附件：<ul><script>\n{attachments}</script></ul></div>\n' if attachments else "")
        + "</div>"
    )
    return hs_page(page.title, content)


def hs_list(column: Column, pages: list[list[Page]], n: int) -> str:
    rows = "\n".join(
        f'<tr><td class="dot">·</td><td><a href="{rel(column.path, p.path)}" target="_blank">{esc(p.title)}</a></td>'
        f'<td class="date">[{p.date}]</td></tr>'
        for p in pages[n]
    )
    name = lambda i: "index.html" if i == 0 else f"index_{i}.html"  # noqa: E731
    last = len(pages) - 1
    pager = f'共{sum(map(len, pages))}条　<a href="index.html">首页</a>'
    if n > 0:
        pager += f' <a href="{name(n - 1)}">上一页</a>'
    if n < last:
        pager += f' <a href="{name(n + 1)}">下一页</a>'
    pager += f' <a href="{name(last)}">尾页</a>'
    content = (
        f'<div class="crumb">您当前的位置：{crumbs_html(column.crumbs, column.name)}</div>\n'
        f'<table class="list" width="100%">\n{LIST_START}\n{rows}\n{LIST_END}\n</table>\n'
        f'<div class="pager">{pager}</div>'
    )
    return hs_page(column.name, content)


def build_hongsibu(s: dict[str, Report]) -> dict:
    home, xxgk = ("首页", "/"), ("政府信息公开", "/xxgk/index.html")
    bm, xz = ("部门信息公开", "/xxgk/bmxxgk/index.html"), ("乡镇信息公开", "/xxgk/xzxxgk/index.html")
    spglj = "/xxgk/bmxxgk/spglj/xxgknb/"
    h1_path = spglj + "202301/t20230130_3856412.html"
    h1_att = [
        Attachment(f"{spglj}202301/P0{20230130}{digits(h1_path, ext)}.{ext}", f"{s['003'].title}.{ext}", data)
        for ext, data in attachment_files("003", s["003"])
    ]
    h1_files = b"".join(a.data for a in h1_att[:1])
    h1_att.append(
        Attachment(
            f"{spglj}202301/P0{20230130}{digits(h1_path, 'zip')}.zip",
            f"{s['003'].title}（打包下载）.zip",
            zip_bytes(Path(h1_att[0].path).name, h1_files),
        )
    )
    h1 = Page(
        h1_path,
        s["003"].title,
        "2023-01-30 09:41",
        spglj,
        "红寺堡区审批服务管理局",
        2022,
        document_body("003_mixed_form.html"),
        h1_att,
    )
    dhx = "/xxgk/xzxxgk/dhx/xxgknb/"
    h2r = derive(s["003"], "吴忠市红寺堡区大河乡人民政府", 2024, "红寺堡区大河乡人民政府2024年政府信息公开工作年度报告")
    h2 = Page(
        dhx + "202501/t20250122_4521307.html",
        h2r.title,
        "2025-01-22 16:30",
        dhx,
        h2r.agency,
        2024,
        report_to_body_html(h2r),
        derived_from="003",
    )
    agg = "/xxgk/zfxxgknb/"
    h3r = derive(s["003"], "吴忠市红寺堡区人民政府办公室", 2025, "红寺堡区人民政府办公室2025年政府信息公开工作年度报告")
    h3 = Page(
        agg + "202601/t20260126_5089123.html",
        h3r.title,
        "2026-01-26 10:20",
        agg,
        h3r.agency,
        2025,
        report_to_body_html(h3r),
        derived_from="003",
    )
    tjj = "/xxgk/bmxxgk/tjj/xxgknb/"
    h4r = derive(s["003"], "吴忠市红寺堡区统计局", 2025, "红寺堡区统计局2025年政府信息公开工作年度报告")
    h4 = Page(
        tjj + "202601/t20260120_5071234.html",
        h4r.title,
        "2026-01-20 11:00",
        tjj,
        h4r.agency,
        2025,
        report_to_body_html(h4r),
        derived_from="003",
        kind="robots",
    )
    columns = [
        Column(agg, "政府信息公开年报", [home, xxgk], [h3, h2, h1]),
        Column(spglj, "信息公开年报", [home, xxgk, bm, ("红寺堡区审批服务管理局", "../index.html")], [h1]),
        Column(dhx, "信息公开年报", [home, xxgk, xz, ("大河乡", "../index.html")], [h2]),
        Column(tjj, "信息公开年报", [home, xxgk, bm, ("红寺堡区统计局", "../index.html")], [h4]),
    ]

    def nav(title: str, crumbs: list[tuple[str, str]], links: list[tuple[str, str]]) -> bytes:
        return hs_page(title, nav_page(title, crumbs, links, "xxgk-nav")).encode("utf-8")

    files = {
        "/robots.txt": b"User-agent: *\nDisallow: /xxgk/bmxxgk/tjj/\n",
        "/_mirror.json": b'{"etag": false, "last_modified": false}\n',
        "/index.html": nav(
            "吴忠市红寺堡区人民政府", [], [("政府信息公开", "/xxgk/index.html"), ("互动交流", "/hdjl/index.html")]
        ),
        "/xxgk/index.html": nav(
            "政府信息公开",
            [home],
            [
                ("政府信息公开指南", "/xxgk/zfxxgkzn/index.html"),
                ("政府信息公开年报", "/xxgk/zfxxgknb/index.html"),
                ("部门信息公开", "/xxgk/bmxxgk/index.html"),
                ("乡镇信息公开", "/xxgk/xzxxgk/index.html"),
            ],
        ),
        "/xxgk/bmxxgk/index.html": nav(
            "部门信息公开",
            [home, xxgk],
            [
                ("红寺堡区审批服务管理局", "/xxgk/bmxxgk/spglj/index.html"),
                ("红寺堡区统计局", "/xxgk/bmxxgk/tjj/index.html"),
            ],
        ),
        "/xxgk/xzxxgk/index.html": nav("乡镇信息公开", [home, xxgk], [("大河乡", "/xxgk/xzxxgk/dhx/index.html")]),
        "/xxgk/bmxxgk/spglj/index.html": nav(
            "红寺堡区审批服务管理局", [home, xxgk, bm], [("信息公开年报", spglj + "index.html")]
        ),
        "/xxgk/bmxxgk/tjj/index.html": nav("红寺堡区统计局", [home, xxgk, bm], [("信息公开年报", tjj + "index.html")]),
        "/xxgk/xzxxgk/dhx/index.html": nav("大河乡", [home, xxgk, xz], [("信息公开年报", dhx + "index.html")]),
    }

    def page_name(n: int) -> str:
        return "index.html" if n == 0 else f"index_{n}.html"

    return finish(HS, columns, files, hs_article, hs_list, page_size=2, page_name=page_name)


# --- assembling a site ---------------------------------------------------------------------------

SOFT_404 = (
    '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n<title>页面不存在</title>\n</head>\n<body>\n'
    '<div class="error"><p>抱歉，您访问的页面不存在或已被删除！</p><p><a href="/">返回首页</a></p></div>\n'
    "</body>\n</html>\n"
).encode()


CHALLENGE = (
    b'<html><head><meta charset="utf-8"></head><body><script>var _0x1="d41d8c";'
    b'document.cookie="__jsl_clearance_s="+_0x1+";max-age=3600;path=/";'
    b"location.href=location.pathname+location.search;</script></body></html>\n"
)


def ofd_bytes(report: Report) -> bytes:
    """A small OFD package (a ZIP with OFD.xml), fixed timestamps: the portals' other 版式 format."""
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as z:
        info = zipfile.ZipInfo("OFD.xml", date_time=(2021, 1, 1, 0, 0, 0))
        body = (
            '<?xml version="1.0" encoding="UTF-8"?><ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016" Version="1.0">'
            f"<ofd:DocBody><ofd:DocInfo><ofd:Title>{esc(report.title or '')}</ofd:Title></ofd:DocInfo>"
            "</ofd:DocBody></ofd:OFD>"
        )
        z.writestr(info, body.encode("utf-8"))
    return raw.getvalue()


def zip_bytes(name: str, data: bytes) -> bytes:
    """A ZIP holding one file, fixed timestamps (an attachment 打包下载)."""
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo(name, date_time=(2021, 1, 1, 0, 0, 0)), data)
    return raw.getvalue()


def finish(host, columns, files, article, listing, page_size: int, page_name=None, config=None, faults=None) -> dict:
    """Write a site's list and report pages; ``config`` joins ``/_mirror.json``; ``faults``
    (challenges, blocked …) go to index.json for the tests."""
    page_name = page_name or (lambda n: "index.html" if n == 0 else f"index_{n}.html")
    config = dict(config or {})
    pages: dict[str, Page] = {}
    column_of: dict[str, Column] = {}
    for column in columns:
        for page in column.pages:
            pages.setdefault(page.path, page)
            if page.column == column.path:
                column_of[page.path] = column
        if column.path + "index.html" in files:
            continue  # a list the site builder wrote itself (a shell, a datastore, a year nav)
        split = chunks(column.pages, page_size)
        for n in range(len(split)):
            files[column.path + page_name(n)] = encode(listing(column, split, n), column.list_charset)
    for page in pages.values():
        if page.kind == "soft_404":
            files[page.path] = SOFT_404
        elif page.kind == "redirect":
            config.setdefault("redirects", {})[page.path] = page.redirect
        elif page.kind in ("report", "robots"):
            files[page.path] = encode(article(page, column_of[page.path]), page.charset)
            for a in page.attachments:
                files[a.path.replace("?", "@", 1)] = a.data
    if config:
        files["/_mirror.json"] = (
            json.dumps({**json.loads(files["/_mirror.json"]), **config}, ensure_ascii=False, sort_keys=True) + "\n"
        ).encode("utf-8")
    scheme = "https" if host == BY else "http"
    base = f"{scheme}://{host}"
    external = sorted(
        {
            url
            for data in files.values()
            for url in re.findall(rb'href="(https?://[^"]+)"', data)
            if host.encode() not in url
        }
    )
    return {
        "host": host,
        "files": files,
        "index": {
            "base_url": base,
            "reports": [
                {
                    "url": base + p.path,
                    "title": p.title,
                    "agency": p.agency,
                    "year": p.year,
                    "published": p.published,
                    "inline": p.body is not None,
                    "encoding": p.charset,
                    "derived_from": p.derived_from,
                    "attachments": [base + a.path for a in p.attachments],
                    "external_links": [url for url, _ in p.external],
                }
                for p in sorted(pages.values(), key=lambda p: p.path)
                if p.kind == "report"
            ],
            "columns": [
                {
                    "url": base + c.path,
                    "listed": len(c.pages),
                    "list_pages": c.list_pages or len(chunks(c.pages, page_size)),
                }
                for c in columns
                if not c.pages or any(p.kind != "robots" for p in c.pages)
            ],
            "offsite_redirects": sorted(base + p.path for p in pages.values() if p.kind == "redirect"),
            "challenges": (faults or {}).get("challenges", []),
            "blocked": (faults or {}).get("blocked", []),
            "broken_links": [base + p.path for p in pages.values() if p.kind == "broken"],
            "soft_404": [base + p.path for p in pages.values() if p.kind == "soft_404"],
            "robots_blocked": [base + p.path for p in pages.values() if p.kind == "robots"],
            "external_links": [u.decode() for u in external],
        },
    }


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=OUT, help="where to build (default: tests/fixtures/portals)")
    out = parser.parse_args().out
    reports = seeds()
    sites = [build_ycxixia(reports), build_bypc(reports), build_hongsibu(reports)]
    if out.exists():
        shutil.rmtree(out)
    index = {"generated_by": "scripts/build_mirror.py", "portals": {}}
    for site in sites:
        for path, data in sorted(site["files"].items()):
            target = out / site["host"] / path.lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        index["portals"][site["host"]] = site["index"]
    (out / "index.json").write_text(
        json.dumps(index, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    count = sum(1 for p in out.rglob("*") if p.is_file())
    print(f"wrote {count} files, {size / 1024:.0f} KiB, under {out}")


if __name__ == "__main__":
    main()
