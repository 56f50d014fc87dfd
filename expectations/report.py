"""Report-level checks: outdated_form, and narrative_match (counts the text states vs the tables)."""

from __future__ import annotations

from expectations.checks import Check, Finding, Operand, Outcome, Severity, number, only, sum_identity_expectations
from parsers.form import FIRST_YEAR_OF_2021_FORM, FORM_REFERENCES, FormVersion
from warehouse.load import NARRATIVE

_NEW = FormVersion.V2021.value


def _outdated_message(f: Finding, ctx: dict) -> tuple[str, str]:
    year = number(f.left_value)
    return (
        f"{year}年度报告仍使用2019年版表格，应使用{FORM_REFERENCES[FormVersion.V2021]}规定的格式",
        f"a {year} report still uses the 2019 form; reports for {FIRST_YEAR_OF_2021_FORM} and later must use the "
        "2021 form",
    )


def _outdated_expectations(check: Check) -> list:
    """The form of every report for 2021 or later is the 2021 one, else FAIL."""
    import great_expectations.expectations as gxe
    from great_expectations.expectations.row_conditions import Column

    return [
        gxe.ExpectColumnValuesToBeInSet(
            column="form", value_set=[_NEW], row_condition=only(check) & (Column("year") >= FIRST_YEAR_OF_2021_FORM),
            meta={"check": check.key, "outcome": Outcome.FAIL.value},
            description=f"{check.title()}: form is {_NEW} where year ≥ {FIRST_YEAR_OF_2021_FORM} (else FAIL)",
        )
    ]  # fmt: skip


OUTDATED_FORM = Check(
    key="outdated_form",
    subject="report",
    severity=Severity.ERROR,
    name_zh=f"{FIRST_YEAR_OF_2021_FORM}年度起使用2021年版表格",
    description=f"a report for {FIRST_YEAR_OF_2021_FORM} or later uses the 2021 form",
    expectations=_outdated_expectations,
    operands=lambda scope: [],
    message=_outdated_message,
)


def _narrative_operands(scope: str | None) -> list[Operand]:
    return [(NARRATIVE, scope or "", None)]


def _narrative_message(f: Finding, ctx: dict) -> tuple[str, str]:
    sentence = ctx.get("sentence") or ""
    zh_extra = "（有单元格无法识别或缺失）" if f.n_unreadable or f.n_missing else ""
    en_extra = " (an operand is unreadable or missing)" if f.n_unreadable or f.n_missing else ""
    return (
        f"正文称“{sentence}”，即{number(f.left_value)}，但表格中为{number(f.right_value)}{zh_extra}",
        f"the text says {number(f.left_value)} (“{sentence}”), the table {number(f.right_value)}{en_extra}",
    )


NARRATIVE_MATCH = Check(
    key="narrative_match",
    subject="report",
    severity=Severity.WARNING,
    name_zh="正文所述数字与表格一致",
    description="counts the text states (共收到申请N件, 上年结转, 结转下年度, 行政复议N件) equal the tables",
    expectations=sum_identity_expectations,  # the two sides: the stated count, the table's
    operands=_narrative_operands,
    message=_narrative_message,
)

CHECKS = (OUTDATED_FORM, NARRATIVE_MATCH)
