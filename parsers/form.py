"""The annual report form, declared once.

Everything that knows a row, a column, a label or a form version imports it
from here: the readers, the matcher, the renderer that builds fixtures, and
(later) the warehouse views and expectation suites. The keys are the contract
of ``../shared/FORM.md``; change them only together with that document.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum


class FormVersion(StrEnum):
    """Which version of the statistics form a report (or one table) uses."""

    V2019 = "2019"  # 国办公开办函〔2019〕60号, report years 2019-2020
    V2021 = "2021"  # 国办公开办函〔2021〕30号, report years 2021 and later
    PRE2019 = "pre2019"  # free narrative, no standard tables


FORM_REFERENCES: dict[FormVersion, str] = {
    FormVersion.V2019: "国办公开办函〔2019〕60号",
    FormVersion.V2021: "国办公开办函〔2021〕30号",
}

#: The first report year of the statistics form (pre2019 reports have none).
FIRST_YEAR_OF_2019_FORM = 2019
#: The first report year that must use the 2021 form (check ``outdated_form``).
FIRST_YEAR_OF_2021_FORM = 2021


class Table(StrEnum):
    """The three statistics tables, by their canonical JSON/warehouse name."""

    PROACTIVE = "proactive"  # part 二
    REQUESTS = "requests"  # part 三
    REVIEWS = "reviews"  # part 四


@dataclass(frozen=True)
class Label:
    """A key, its printed label, and the phrases that identify it in the wild.

    ``signatures`` are short phrases, already normalised with :func:`norm`,
    any one of which identifies the label even when the rest of the printed
    text is cut, misspelt or scrambled. Real typos go here too.
    """

    key: str
    label: str
    signatures: tuple[str, ...] = ()
    versions: frozenset[FormVersion] = field(default_factory=lambda: frozenset({FormVersion.V2019, FormVersion.V2021}))


ONLY_2019 = frozenset({FormVersion.V2019})
ONLY_2021 = frozenset({FormVersion.V2021})

# --- Part 三: requests ------------------------------------------------------

REQUEST_COLUMNS: tuple[Label, ...] = (
    Label("natural_person", "自然人", ("自然人",)),
    Label("commercial_enterprise", "法人或其他组织 / 商业企业", ("商业企业",)),
    Label("research_institution", "法人或其他组织 / 科研机构", ("科研机构",)),
    Label("social_welfare_org", "法人或其他组织 / 社会公益组织", ("社会公益组织", "公益组织")),
    Label("legal_service_agency", "法人或其他组织 / 法律服务机构", ("法律服务机构",)),
    Label("other_org", "法人或其他组织 / 其他", ("其他",)),
    Label("total", "总计", ("总计",)),
)
REQUEST_COLUMN_KEYS: tuple[str, ...] = tuple(c.key for c in REQUEST_COLUMNS)
APPLICANT_COLUMN_KEYS: tuple[str, ...] = REQUEST_COLUMN_KEYS[:-1]

REQUEST_ROWS: tuple[Label, ...] = (
    Label("new_requests", "一、本年新收政府信息公开申请数量", ("本年新收", "新收政府信息", "年新收")),
    Label("carried_over", "二、上年结转政府信息公开申请数量", ("上年结转", "年结转政")),
    Label("granted", "三、(一)予以公开", ("予以公开",)),
    Label(
        "partially_granted",
        "三、(二)部分公开(区分处理的,只计这一情形,不计其他情形)",
        ("部分公开", "区分处理"),
    ),
    Label("denied_state_secret", "三、(三)不予公开 1.属于国家秘密", ("国家秘密",)),
    Label(
        "denied_prohibited_by_law",
        "2.其他法律行政法规禁止公开",
        ("法律行政法规禁止", "其他法律行政止公开", "行政法规禁止", "法规禁止公开"),
    ),
    Label("denied_security_stability", "3.危及\u201c三安全一稳定\u201d", ("三安全一稳定", "危及")),
    Label("denied_third_party_rights", "4.保护第三方合法权益", ("第三方合法权益", "保护第三方")),
    Label("denied_internal_affairs", "5.属于三类内部事务信息", ("内部事务",)),
    Label("denied_process_info", "6.属于四类过程性信息", ("过程性信息", "过程性")),
    Label("denied_enforcement_file", "7.属于行政执法案卷", ("执法案卷",)),
    Label("denied_inquiry_matter", "8.属于行政查询事项", ("查询事项",)),
    Label("unavailable_not_held", "三、(四)无法提供 1.本机关不掌握相关政府信息", ("不掌握",)),
    Label("unavailable_needs_creation", "2.没有现成信息需要另行制作", ("另行制作", "没有现成信息")),
    Label("unavailable_unclear", "3.补正后申请内容仍不明确", ("仍不明确", "补正后申请")),
    Label("rejected_complaint", "三、(五)不予处理 1.信访举报投诉类申请", ("信访举报", "投诉类申请")),
    Label("rejected_duplicate", "2.重复申请", ("重复申请",)),
    Label("rejected_publication", "3.要求提供公开出版物", ("出版物",)),
    Label("rejected_excessive", "4.无正当理由大量反复申请", ("大量反复", "反复申请")),
    Label(
        "rejected_confirmation",
        "5.要求行政机关确认或重新出具已获取信息",
        ("重新出具", "确认或重新"),
    ),
    Label("other_handling", "三、(六)其他处理", ("其他处理",), ONLY_2019),
    Label(
        "other_no_correction",
        "三、(六)其他处理 1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        ("逾期不补正", "不补正"),
        ONLY_2021,
    ),
    Label(
        "other_unpaid_fee",
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        ("缴纳费用", "收费通知"),
        ONLY_2021,
    ),
    Label("other_misc", "3.其他", ("3其他",), ONLY_2021),
    Label("total_processed", "三、(七)总计", ("七总计", "总计")),
    Label("carried_forward", "四、结转下年度继续办理", ("结转下年度", "下年度继续", "继续办理")),
)
REQUEST_ROW_KEYS: tuple[str, ...] = tuple(r.key for r in REQUEST_ROWS)
REQUEST_ROW_BY_KEY: dict[str, Label] = {r.key: r for r in REQUEST_ROWS}

#: The rows ``outcome_sum`` adds up: every 办理结果 row between 予以公开 and 其他处理.
OUTCOME_ROW_KEYS: tuple[str, ...] = REQUEST_ROW_KEYS[
    REQUEST_ROW_KEYS.index("granted") : REQUEST_ROW_KEYS.index("total_processed")
]
OTHER_ROWS_2021: tuple[str, ...] = ("other_no_correction", "other_unpaid_fee", "other_misc")
#: The rows printed inside 三、本年度办理结果: every outcome row and (七)总计.
RESULT_ROW_KEYS: tuple[str, ...] = REQUEST_ROW_KEYS[
    REQUEST_ROW_KEYS.index("granted") : REQUEST_ROW_KEYS.index("carried_forward")
]
RESULT_GROUP_LABEL = "三、本年度办理结果"
BALANCE_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"

#: How the official form prints each part 三 row: (merged group label or None, the row's own label).
REQUEST_ROW_LAYOUT: dict[str, tuple[str | None, str]] = {
    "new_requests": (None, "一、本年新收政府信息公开申请数量"),
    "carried_over": (None, "二、上年结转政府信息公开申请数量"),
    "granted": (None, "（一）予以公开"),
    "partially_granted": (None, "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
    "denied_state_secret": ("（三）不予公开", "1.属于国家秘密"),
    "denied_prohibited_by_law": ("（三）不予公开", "2.其他法律行政法规禁止公开"),
    "denied_security_stability": ("（三）不予公开", "3.危及“三安全一稳定”"),
    "denied_third_party_rights": ("（三）不予公开", "4.保护第三方合法权益"),
    "denied_internal_affairs": ("（三）不予公开", "5.属于三类内部事务信息"),
    "denied_process_info": ("（三）不予公开", "6.属于四类过程性信息"),
    "denied_enforcement_file": ("（三）不予公开", "7.属于行政执法案卷"),
    "denied_inquiry_matter": ("（三）不予公开", "8.属于行政查询事项"),
    "unavailable_not_held": ("（四）无法提供", "1.本机关不掌握相关政府信息"),
    "unavailable_needs_creation": ("（四）无法提供", "2.没有现成信息需要另行制作"),
    "unavailable_unclear": ("（四）无法提供", "3.补正后申请内容仍不明确"),
    "rejected_complaint": ("（五）不予处理", "1.信访举报投诉类申请"),
    "rejected_duplicate": ("（五）不予处理", "2.重复申请"),
    "rejected_publication": ("（五）不予处理", "3.要求提供公开出版物"),
    "rejected_excessive": ("（五）不予处理", "4.无正当理由大量反复申请"),
    "rejected_confirmation": ("（五）不予处理", "5.要求行政机关确认或重新出具已获取信息"),
    "other_handling": (None, "（六）其他处理"),
    "other_no_correction": ("（六）其他处理", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
    "other_unpaid_fee": ("（六）其他处理", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
    "other_misc": ("（六）其他处理", "3.其他"),
    "total_processed": (None, "（七）总计"),
    "carried_forward": (None, "四、结转下年度继续办理"),
}
#: Short column headings for narrow displays.
REQUEST_COLUMN_SHORT: dict[str, str] = {
    "natural_person": "自然人",
    "commercial_enterprise": "商业",
    "research_institution": "科研",
    "social_welfare_org": "公益",
    "legal_service_agency": "法律",
    "other_org": "其他",
    "total": "总计",
}


def request_row_keys(version: FormVersion) -> tuple[str, ...]:
    """The part 三 rows of one form version, in printed order."""
    return tuple(r.key for r in REQUEST_ROWS if version in r.versions)


def outcome_row_keys(version: FormVersion) -> tuple[str, ...]:
    """The outcome rows (granted … other_*) of one form version."""
    return tuple(k for k in OUTCOME_ROW_KEYS if version in REQUEST_ROW_BY_KEY[k].versions)


# --- Part 四: reviews and litigation -----------------------------------------

REVIEW_GROUPS: tuple[tuple[str, str], ...] = (
    ("review", "行政复议"),
    ("suit_direct", "行政诉讼 未经复议直接起诉"),
    ("suit_after_review", "行政诉讼 复议后起诉"),
)
REVIEW_OUTCOMES: tuple[tuple[str, str], ...] = (
    ("upheld", "结果维持"),
    ("corrected", "结果纠正"),
    ("other", "其他结果"),
    ("pending", "尚未审结"),
    ("total", "总计"),
)
REVIEW_GROUP_SHORT: dict[str, str] = {
    "review": "行政复议",
    "suit_direct": "直接起诉",
    "suit_after_review": "复议后起诉",
}
REVIEW_KEYS: tuple[str, ...] = tuple(
    f"{group}_{outcome}" for group, _ in REVIEW_GROUPS for outcome, _ in REVIEW_OUTCOMES
)
REVIEW_LABELS: dict[str, str] = {
    f"{group}_{outcome}": f"{glabel} {olabel}" for group, glabel in REVIEW_GROUPS for outcome, olabel in REVIEW_OUTCOMES
}

# --- Part 二: proactive disclosure ------------------------------------------

#: metric key -> (printed header, signatures)
PROACTIVE_METRICS: tuple[Label, ...] = (
    Label("made", "本年新制作数量", ("新制作",), ONLY_2019),
    Label("published", "本年新公开数量", ("新公开",), ONLY_2019),
    Label("total_published", "对外公开总数量", ("公开总数",), ONLY_2019),
    Label("issued", "本年制发件数", ("制发",), ONLY_2021),
    Label("repealed", "本年废止件数", ("废止",), ONLY_2021),
    Label("in_force", "现行有效件数", ("现行有效",), ONLY_2021),
    Label("items_last_year", "上一年项目数量", ("上一年",), ONLY_2019),
    Label("items_change", "本年增/减", ("增/减", "增减"), ONLY_2019),
    Label("decisions", "处理决定数量", ("处理决定",)),
    Label("items", "采购项目数量", ("采购项目",), ONLY_2019),
    Label("amount", "采购总金额", ("采购总金额", "总金额"), ONLY_2019),
    Label("fee_amount", "本年收费金额（单位：万元）", ("收费金额",), ONLY_2021),
)
PROACTIVE_METRIC_BY_KEY: dict[str, Label] = {m.key: m for m in PROACTIVE_METRICS}

#: Metrics whose value is a signed change or a money amount rather than a count.
SIGNED_METRICS = frozenset({"items_change"})
AMOUNT_METRICS = frozenset({"amount", "fee_amount"})


@dataclass(frozen=True)
class ProactiveItem:
    key: str
    label: str
    signatures: tuple[str, ...]
    section: str  # 第二十条第（N）项
    metrics: dict[FormVersion, tuple[str, ...]]


PROACTIVE_ITEMS: tuple[ProactiveItem, ...] = (
    ProactiveItem(
        "rules",
        "规章",
        ("规章",),
        "第二十条第（一）项",
        {
            FormVersion.V2019: ("made", "published", "total_published"),
            FormVersion.V2021: ("issued", "repealed", "in_force"),
        },
    ),
    ProactiveItem(
        "normative_documents",
        "规范性文件",
        ("规范性文件",),
        "第二十条第（一）项",
        {
            FormVersion.V2019: ("made", "published", "total_published"),
            FormVersion.V2021: ("issued", "repealed", "in_force"),
        },
    ),
    ProactiveItem(
        "licensing",
        "行政许可",
        ("行政许可",),
        "第二十条第（五）项",
        {
            FormVersion.V2019: ("items_last_year", "items_change", "decisions"),
            FormVersion.V2021: ("decisions",),
        },
    ),
    ProactiveItem(
        "other_services",
        "其他对外管理服务事项",
        ("其他对外管理服务", "对外管理服务"),
        "第二十条第（五）项",
        {FormVersion.V2019: ("items_last_year", "items_change", "decisions")},
    ),
    ProactiveItem(
        "penalty",
        "行政处罚",
        ("行政处罚",),
        "第二十条第（六）项",
        {
            FormVersion.V2019: ("items_last_year", "items_change", "decisions"),
            FormVersion.V2021: ("decisions",),
        },
    ),
    ProactiveItem(
        "coercion",
        "行政强制",
        ("行政强制",),
        "第二十条第（六）项",
        {
            FormVersion.V2019: ("items_last_year", "items_change", "decisions"),
            FormVersion.V2021: ("decisions",),
        },
    ),
    ProactiveItem(
        "fees",
        "行政事业性收费",
        ("事业性收费",),
        "第二十条第（八）项",
        {FormVersion.V2019: ("items_last_year", "items_change"), FormVersion.V2021: ("fee_amount",)},
    ),
    ProactiveItem(
        "procurement",
        "政府集中采购",
        ("集中采购",),
        "第二十条第（九）项",
        {FormVersion.V2019: ("items", "amount")},
    ),
)
PROACTIVE_ITEM_BY_KEY: dict[str, ProactiveItem] = {i.key: i for i in PROACTIVE_ITEMS}


#: Items the 2021 form dropped: seeing one means the 2019 form.
PROACTIVE_ITEMS_ONLY_2019 = frozenset(i.key for i in PROACTIVE_ITEMS if FormVersion.V2021 not in i.metrics)


def proactive_items(version: FormVersion) -> tuple[ProactiveItem, ...]:
    return tuple(i for i in PROACTIVE_ITEMS if version in i.metrics)


def proactive_item_label(item: ProactiveItem, version: FormVersion) -> str:
    if item.key == "normative_documents" and version is FormVersion.V2021:
        return "行政规范性文件"
    return item.label


# --- Report sections --------------------------------------------------------


@dataclass(frozen=True)
class SectionDef:
    number: int
    key: str
    title: str
    signatures: tuple[str, ...]


SECTIONS: tuple[SectionDef, ...] = (
    SectionDef(1, "overview", "总体情况", ("总体情况", "基本情况", "工作开展情况", "概述")),
    SectionDef(2, "proactive", "主动公开政府信息情况", ("主动公开",)),
    SectionDef(3, "requests", "收到和处理政府信息公开申请情况", ("申请",)),
    SectionDef(4, "reviews", "政府信息公开行政复议、行政诉讼情况", ("复议", "诉讼")),
    SectionDef(5, "problems", "存在的主要问题及改进情况", ("问题", "改进")),
    SectionDef(6, "other", "其他需要报告的事项", ("其他需要报告", "其他事项")),
)
CHINESE_NUMERALS = "一二三四五六七八九十"

#: Phrases that tell which part a table belongs to (the matcher scores a table by how many it prints).
TABLE_HINTS: dict[Table, tuple[str, ...]] = {
    Table.REQUESTS: (
        "本年新收",
        "上年结转",
        "予以公开",
        "不予公开",
        "无法提供",
        "不予处理",
        "结转下年度",
        "申请人情况",
        "商业企业",
    ),
    Table.REVIEWS: ("行政复议", "行政诉讼", "复议后起诉", "未经复议", "结果维持", "尚未审结"),
    Table.PROACTIVE: ("第二十条", "信息内容", "规章", "行政许可", "行政处罚", "事业性收费", "集中采购", "规范性文件"),
}

#: Phrases only the official tables print: a table under part 一, 五 or 六 must show one to count.
TABLE_STRONG_HINTS: dict[Table, tuple[str, ...]] = {
    Table.REQUESTS: ("申请人情况", "本年新收", "结转下年度"),
    Table.REVIEWS: ("复议后起诉", "未经复议"),
    Table.PROACTIVE: ("第二十条", "信息内容"),
}

#: How check messages and displays name the part 三 rows an identity is about (the form's numbering).
REQUEST_ROW_REFERENCE: dict[str, str] = {
    "new_requests": "一、本年新收",
    "carried_over": "二、上年结转",
    "total_processed": "三、(七)总计",
    "carried_forward": "四、结转下年度",
}
#: The heading the printed part 三 table carries over its applicant columns.
REQUEST_HEADER = "申请人情况"
#: The heading of the item column of the printed part 二 tables.
PROACTIVE_HEADER = "信息内容"


def section_heading(key: str) -> str:
    """A report section's printed heading with its numeral: ``三、收到和处理政府信息公开申请情况``."""
    section = next(s for s in SECTIONS if s.key == key)
    return f"{CHINESE_NUMERALS[section.number - 1]}、{section.title}"


# --- Cell values ------------------------------------------------------------

#: Printed marks that mean "none" and count as 0 (kind ``blank``).
ZERO_MARKS: frozenset[str] = frozenset({"", "-", "—", "——", "–", "―", "─", "/", "／", "\\", "无", "空"})

# Characters real reports print for the same thing: Japanese/traditional
# forms that PDF text layers produce, quotes, dashes.
_CHAR_VARIANTS = str.maketrans(
    {
        "増": "增",
        "減": "减",
        "処": "处",
        "関": "关",
        "\u201c": '"',
        "\u201d": '"',
        "\u2018": "'",
        "\u2019": "'",
        "「": '"',
        "」": '"',
        "、": ",",
        "，": ",",
        "；": ";",
        "〔": "[",
        "〕": "]",
        "【": "[",
        "】": "]",
    }
)
_VARIANT_RE = re.compile("[" + re.escape("".join(map(chr, _CHAR_VARIANTS))) + "]")
_LABEL_DROP_RE = re.compile(r"[\s\"'.,:;()\[\]<>*_\-—/、，。：；（）]+")


def nfkc(text: str) -> str:
    """Full-width digits, letters and punctuation to their ASCII forms."""
    if text.isascii():  # NFKC leaves ASCII as it is, and no variant is ASCII: most cells are plain numbers
        return text
    text = unicodedata.normalize("NFKC", text)
    return text.translate(_CHAR_VARIANTS) if _VARIANT_RE.search(text) else text  # translate: a lookup a char


def norm(text: str) -> str:
    """Normalise a label for matching: NFKC, variants, no spaces or punctuation.

    Numbering such as ``1.`` or ``(三)`` keeps its digits and numerals, so
    ``3.其他`` normalises to ``3其他``.
    """
    return _LABEL_DROP_RE.sub("", nfkc(text))


# --- Counts the narrative states (check ``narrative_match``) ---------------------


@dataclass(frozen=True)
class StatedCountPattern:
    """A sentence shape that states a number the tables also print: ``共收到政府信息公开申请3件``.

    ``pattern`` captures the number in group ``n`` (Arabic or Chinese numerals);
    ``zero`` matches sentences that state none (``未收到政府信息公开申请``).
    Each (table, row, column) names the cell(s) the number must equal; several
    cells mean their sum.
    """

    table: Table
    cells: tuple[tuple[str, str | None], ...]  # (row or review key, column or None)
    pattern: str
    zero: str | None = None


_N = r"(?P<n>\d+|[一二两三四五六七八九十百]+)"
STATED_COUNTS: tuple[StatedCountPattern, ...] = (
    StatedCountPattern(
        Table.REQUESTS,
        (("new_requests", "total"),),
        rf"(?:收到|受理|接到|新收)[^，。；,;]{{0,14}}?申请(?:共|合计)?{_N}\s*(?:件|个|份|条)",
        r"(?:未|没有)(?:收到|受理|接到)[^，。；,;]{0,12}?(?:政府信息公开|依申请公开|信息公开)申请",
    ),
    StatedCountPattern(
        Table.REQUESTS,
        (("carried_over", "total"),),
        rf"上一?年度?结转[^，。；,;]{{0,10}}?{_N}\s*件",
    ),
    StatedCountPattern(
        Table.REQUESTS,
        (("carried_forward", "total"),),
        rf"结转(?:至|到)?下一?年度?(?:继续办理)?[^，。；,;]{{0,8}}?{_N}\s*件",
    ),
    StatedCountPattern(
        Table.REVIEWS,
        (("review_total", None),),
        rf"行政复议(?:案件|申请)?(?:共)?{_N}\s*(?:件|起|宗)",
        r"(?:无|未发生|未收到|没有)[^，。；,;]{0,24}?行政复议",
    ),
    StatedCountPattern(
        Table.REVIEWS,
        (("suit_direct_total", None), ("suit_after_review_total", None)),
        rf"行政诉讼(?:案件)?(?:共)?{_N}\s*(?:件|起|宗)",
        r"(?:无|未发生|未收到|没有)[^，。；,;]{0,24}?行政诉讼",
    ),
)
