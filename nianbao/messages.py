"""Headlines for every stable code a person may meet, in Chinese and English, in one place.

A code (a ParseError's ``code``, a parser warning's ``code``, a crawl fault's ``kind``, a load status)
stays what machines read: JSON, CSV and the warehouse keep it as it is. What a person reads is the
headline in the chosen language (:mod:`nianbao.i18n`), then the detail the code came with (English,
with the numbers and places that matter). ``tests/test_messages.py`` enumerates the codes from the
code itself and fails when one has no entry here, so a new code cannot ship untranslated.
"""

from __future__ import annotations

from nianbao.i18n import current, pick

#: ``ParseError.code`` (parsers/errors.py): why a document could not be read as a report.
PARSE_ERRORS: dict[str, tuple[str, str]] = {
    "parse_error": ("无法读取为年度报告", "not readable as a report"),
    "empty": ("空文件", "empty file"),
    "not_text": ("不是文本文档", "not a text document"),
    "unsupported_format": ("不支持的文件格式", "unsupported format"),
    "not_a_report": ("不是年度报告", "not an annual report"),
    "missing_table": ("缺少统计表", "statistics table missing"),
    "truncated": ("文件不完整（被截断？）", "truncated document"),
    "report_in_attachment": ("报告在附件中", "the report is in an attachment"),
    "corrupt": ("文件已损坏", "damaged file"),
    "encrypted": ("文件已加密，需要密码", "encrypted (needs a password)"),
    "needs_ocr": ("需要文字识别（OCR）", "needs OCR"),
    "too_large": ("超出读取限制", "too large to read"),
    "unsafe": ("含不安全内容，未读取", "unsafe content, not read"),
    "time_limit": ("读取超时", "time limit exceeded"),
    "converter_missing": ("缺少转换程序（LibreOffice）", "converter missing (LibreOffice)"),
    "conversion_failed": ("格式转换失败", "conversion failed"),
    "reader_crashed": ("读取进程崩溃", "the reader crashed"),
    "reader_error": ("读取程序出错", "reader error"),
    "not_a_file": ("不是普通文件", "not a regular file"),
}

#: ``ParseWarning.code`` (parsers/match.py ``warn``, readers' notes): something read, but with a doubt.
PARSE_WARNINGS: dict[str, tuple[str, str]] = {
    "agency_from_body": ("机关名称取自正文", "agency taken from the text"),
    "agency_unknown": ("未找到机关名称", "agency unknown"),
    "cell_inferred": ("单元格数值为推算", "cell value inferred"),
    "cell_suspect": ("数字印刷可疑", "number printed oddly"),
    "cell_unreadable": ("单元格无法识别", "cell unreadable"),
    "cells_split": ("连写数字已拆分", "run-together digits split"),
    "duplicate_item": ("重复的项目行", "duplicate item"),
    "encoding_repaired": ("编码错误已替换", "encoding repaired"),
    "glyphs_unmapped": ("字形无法对应文字", "glyphs map to no characters"),
    "header_mismatch": ("表头与表式不符", "header differs from the form"),
    "matched_by_position": ("按位置对应表式行", "row matched by position"),
    "mixed_form": ("表式版本不一致", "mixed form versions"),
    "multiple_reports": ("一个文件含多份报告", "more than one report"),
    "no_tables": ("无统计表（2019年前报告）", "no statistics tables (pre-2019)"),
    "pages_unreadable": ("部分页面无法读取", "pages not read"),
    "row_missing": ("缺少表式行", "row missing"),
    "row_order": ("行序与表式不符", "rows out of order"),
    "row_unrecognised": ("无法识别的行", "row not recognised"),
    "row_width": ("列数与表式不符", "row width differs from the form"),
    "table_empty": ("表格无数字", "table without numbers"),
    "table_missing": ("缺少表格", "table missing"),
    "table_unrecognised": ("无法识别的表格", "table not recognised"),
    "tables_ignored": ("表格未按统计表读取", "tables not read as the form"),
    "text_restructured": ("文本换行丢失，已按内容重建", "text restructured"),
    "year_unknown": ("未找到报告年度", "year unknown"),
}

#: Crawl and probe fault kinds (spiders/state.py ``FAULT_KINDS``, spiders/probe.py).
CRAWL_FAULTS: dict[str, tuple[str, str]] = {
    "http_error": ("HTTP 错误", "HTTP error"),
    "broken_link": ("链接失效", "broken link"),
    "timeout": ("下载超时", "timed out"),
    "download_error": ("下载失败", "download failed"),
    "soft_404": ("页面不存在", "page not found (soft 404)"),
    "selector_empty": ("页面结构不符，未找到内容", "page shape not recognised"),
    "column_emptied": ("栏目变为空", "column emptied"),
    "column_missing": ("栏目未访问到", "column not reached"),
    "no_reports": ("未找到任何报告", "no reports found"),
    "spider_error": ("爬虫程序出错", "spider error"),
    "crawl_failed": ("爬取进程失败", "crawl failed"),
    "challenge": ("网站返回验证页面", "JavaScript challenge page"),
    "blocked": ("网站拒绝访问", "blocked by the site"),
    "list_unfollowed": ("脚本加载的列表未读取", "script-delivered list not read"),
    "list_unrecognised": ("列表无法识别", "list not recognised"),
    "offsite_redirect": ("重定向到站外，已拒绝", "redirect off the portal, refused"),
    "robots": ("robots.txt 不允许访问", "disallowed by robots.txt"),
    "redirect": ("页面重定向", "redirected"),
}

#: ``LoadStatus`` (warehouse/load.py): what loading did with a document.
LOAD_STATUSES: dict[str, tuple[str, str]] = {
    "new": ("新报告", "new"),
    "new_version": ("新版本", "new version"),
    "unchanged": ("未变化", "unchanged"),
    "reparsed": ("已重新解析", "reparsed"),
    "new_url": ("新网址（内容已存）", "new URL (bytes already stored)"),
    "failed": ("读取失败", "failed"),
    "in_attachment": ("报告在附件中", "report in an attachment"),
}

#: Details that open by restating their code's headline (``no annual report here: …``): the headline
#: replaces that opening, so a line does not say it twice.
ECHOES: dict[str, tuple[str, ...]] = {
    "not_a_report": ("no annual report here",),
    "empty": ("empty file",),
}

#: The word before a one-line message on stderr.
LINE_KINDS: dict[str, tuple[str, str]] = {
    "error": ("错误", "error"),
    "note": ("提示", "note"),
}

CATALOGUES: dict[str, dict[str, tuple[str, str]]] = {
    "parse_error": PARSE_ERRORS,
    "parse_warning": PARSE_WARNINGS,
    "crawl_fault": CRAWL_FAULTS,
    "load_status": LOAD_STATUSES,
}


def headline(catalogue: dict[str, tuple[str, str]], code: str, lang: str | None = None) -> str | None:
    """The code's headline in the chosen language; None for a code the catalogue lacks."""
    entry = catalogue.get(code)
    return pick(*entry, lang) if entry else None


def labelled(catalogue: dict[str, tuple[str, str]], code: str, lang: str | None = None) -> str:
    """``headline (code)``: what a person reads, and the code to look up or grep; the code alone if unknown."""
    text = headline(catalogue, code, lang)
    return f"{text} ({code})" if text and text != code else code


def line_kind(kind: str, lang: str | None = None) -> str:
    """``error``/``错误``, ``note``/``提示``."""
    entry = LINE_KINDS.get(kind)
    return pick(*entry, lang) if entry else kind


def fault_label(kind: str, lang: str | None = None) -> str:
    return labelled(CRAWL_FAULTS, kind, lang)


def warning_label(code: str, lang: str | None = None) -> str:
    return labelled(PARSE_WARNINGS, code, lang)


def status_label(status: str, lang: str | None = None) -> str:
    return headline(LOAD_STATUSES, status, lang) or status.replace("_", " ")


def _without_echo(code: str, detail: str) -> str:
    """The detail without an opening that restates the headline (``no annual report here: …``)."""
    echoes = (*ECHOES.get(code, ()), PARSE_ERRORS[code][1])
    low = detail.lower()
    for echo in echoes:
        echo = echo.lower()
        if low == echo:
            return ""
        if low.startswith(echo + ":"):
            return detail[len(echo) + 1 :].strip()
    return detail


def coded_message(code: str, detail: str, lang: str | None = None) -> str:
    """A ParseError's line for people: ``headline: detail`` (en) or ``headline (detail)`` (zh).

    An unknown code leaves the detail as it was.
    """
    if code not in PARSE_ERRORS:
        return detail
    lang = lang or current()
    head = headline(PARSE_ERRORS, code, lang) or code
    rest = _without_echo(code, detail)
    if lang == "en" and rest == detail and detail.lower().startswith(head.lower()):
        return detail  # "not a regular file (FIFO); …" already opens with its headline
    if not rest:
        return head
    return f"{head} ({rest})" if lang == "zh" else f"{head}: {rest}"
