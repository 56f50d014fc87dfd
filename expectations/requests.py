"""Part 三 identities: request_balance, outcome_sum, applicant_sum, complete."""

from __future__ import annotations

from expectations.checks import (
    Check,
    Finding,
    Operand,
    Outcome,
    Severity,
    number,
    only,
    sum_identity_expectations,
    uncertainty_notes,
)
from parsers.form import (
    OUTCOME_ROW_KEYS,
    REQUEST_COLUMN_KEYS,
    REQUEST_COLUMNS,
    REQUEST_ROW_BY_KEY,
    REQUEST_ROW_KEYS,
    REQUEST_ROW_REFERENCE,
    Table,
)
from warehouse.views import VALID_NUMBER

T = Table.REQUESTS.value
COLUMN_LABEL = {c.key: c.label.split("/")[-1].strip() for c in REQUEST_COLUMNS}
RECEIVED = REQUEST_ROW_KEYS[:2]  # 一、本年新收 + 二、上年结转
SETTLED = (REQUEST_ROW_KEYS[-2], REQUEST_ROW_KEYS[-1])  # 三、(七)总计 + 四、结转下年度
TOTAL_PROCESSED, CARRIED_FORWARD = SETTLED
TOTAL_COLUMN = REQUEST_COLUMN_KEYS[-1]
ROW = REQUEST_ROW_REFERENCE  # how messages name a row: 一、本年新收 …


def _column_operands(rows: tuple[str, ...]):
    def operands(scope: str | None) -> list[Operand]:
        return [(T, row, scope) for row in rows]

    return operands


def _balance_message(f: Finding, ctx: dict) -> tuple[str, str]:
    zh_note, en_note = uncertainty_notes(f)
    col = f.scope or ""
    diff = number((f.left_value or 0) - (f.right_value or 0))
    return (
        f"{COLUMN_LABEL.get(col, col)}列：{ROW[RECEIVED[0]]}与{ROW[RECEIVED[1]]}之和为{number(f.left_value)}，"
        f"但{ROW[TOTAL_PROCESSED]}与{ROW[CARRIED_FORWARD]}之和为{number(f.right_value)}，相差{diff}{zh_note}",
        f"column {col}: new requests + carried over = {number(f.left_value)}, but total processed + carried "
        f"forward = {number(f.right_value)} (difference {diff}){en_note}",
    )


REQUEST_BALANCE = Check(
    key="request_balance",
    subject="requests",
    severity=Severity.ERROR,
    name_zh="本列收支平衡：一、本年新收 + 二、上年结转 = 三、(七)总计 + 四、结转下年度",
    description="三: 一 + 二 = (七)总计 + 四, in each of the seven columns",
    expectations=sum_identity_expectations,
    operands=_column_operands(RECEIVED + SETTLED),
    message=_balance_message,
)


def _outcome_message(f: Finding, ctx: dict) -> tuple[str, str]:
    zh_note, en_note = uncertainty_notes(f)
    col = f.scope or ""
    return (
        f"{ROW[TOTAL_PROCESSED]} {COLUMN_LABEL.get(col, col)}列为{number(f.left_value)}，"
        f"但各办理结果之和为{number(f.right_value)}{zh_note}",
        f"(七) total processed is {number(f.left_value)} in column {col}, but the outcomes add up to "
        f"{number(f.right_value)}{en_note}",
    )


def _outcome_operands(scope: str | None) -> list[Operand]:
    return [(T, TOTAL_PROCESSED, scope)] + [(T, row, scope) for row in OUTCOME_ROW_KEYS]


OUTCOME_SUM = Check(
    key="outcome_sum",
    subject="requests",
    severity=Severity.ERROR,
    name_zh="三、(七)总计 = 各办理结果之和",
    description="三: (七)总计 = the sum of every outcome row (予以公开 … 其他处理), in each column",
    expectations=sum_identity_expectations,
    operands=_outcome_operands,
    message=_outcome_message,
)


def _applicant_message(f: Finding, ctx: dict) -> tuple[str, str]:
    zh_note, en_note = uncertainty_notes(f)
    row = f.scope or ""
    label = REQUEST_ROW_BY_KEY[row].label if row in REQUEST_ROW_BY_KEY else row
    return (
        f"{label}：总计为{number(f.left_value)}，但各类申请人之和为{number(f.right_value)}{zh_note}",
        f"row {row}: total is {number(f.left_value)}, but the six applicant columns add up to "
        f"{number(f.right_value)}{en_note}",
    )


APPLICANT_SUM = Check(
    key="applicant_sum",
    subject="requests",
    severity=Severity.ERROR,
    name_zh="各行总计 = 六类申请人之和",
    description="三: 总计 = the sum of the six applicant columns, in each row",
    expectations=sum_identity_expectations,
    operands=lambda scope: [(T, scope or "", col) for col in REQUEST_COLUMN_KEYS],
    message=_applicant_message,
)


def _complete_message(f: Finding, ctx: dict) -> tuple[str, str]:
    missing = number((f.right_value or 0) - (f.left_value or 0))
    return (
        f"二、三、四表应有{number(f.right_value)}个数字，其中{missing}个缺失、无法识别或不是有效数字",
        f"parts 二, 三 and 四 should hold {number(f.right_value)} numbers; {missing} are missing, unreadable or not "
        "valid (non-negative integers; in part 二 a change may be signed and an amount may have a fraction)",
    )


def _complete_expectations(check: Check) -> list:
    """As many valid numbers as the form's version has cells (left_value ≥ right_value), else FAIL."""
    import great_expectations.expectations as gxe

    return [
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="left_value", column_B="right_value", or_equal=True, row_condition=only(check),
            meta={"check": check.key, "outcome": Outcome.FAIL.value},
            description=f"{check.title()}: valid numbers (left) ≥ the cells the form has (right), else FAIL",
        )
    ]  # fmt: skip


def _complete_operands(scope: str | None) -> list[Operand]:
    return []  # the evidence of `complete` is the list of bad cells, gathered by the runner


COMPLETE = Check(
    key="complete",
    subject="requests",
    severity=Severity.ERROR,
    name_zh="二、三、四表齐全，每格为有效数字",
    description="二, 三 and 四: every row and column of the form's version present, each a valid number",
    expectations=_complete_expectations,
    operands=_complete_operands,
    message=_complete_message,
    bad_cell_sql=f"NOT ({VALID_NUMBER})",  # the evidence: the missing or unreadable cells themselves
)

CHECKS = (REQUEST_BALANCE, OUTCOME_SUM, APPLICANT_SUM, COMPLETE)
