"""Part 三 identities: request_balance, outcome_sum, applicant_sum, complete."""

from __future__ import annotations

from expectations.checks import (
    Check,
    Finding,
    Operand,
    Severity,
    assessed_with_table,
    in_list,
    number,
    outcome_sql,
    sum_identity_sql,
    uncertainty_notes,
)
from parsers.form import (
    AMOUNT_METRICS,
    APPLICANT_COLUMN_KEYS,
    OTHER_ROWS_2021,
    OUTCOME_ROW_KEYS,
    REQUEST_COLUMN_KEYS,
    REQUEST_COLUMNS,
    REQUEST_ROW_BY_KEY,
    REQUEST_ROW_KEYS,
    REQUEST_ROW_REFERENCE,
    REVIEW_KEYS,
    SIGNED_METRICS,
    FormVersion,
    Table,
    outcome_row_keys,
    proactive_items,
    request_row_keys,
)

T = Table.REQUESTS.value
COLUMN_LABEL = {c.key: c.label.split("/")[-1].strip() for c in REQUEST_COLUMNS}
RECEIVED = REQUEST_ROW_KEYS[:2]  # 一、本年新收 + 二、上年结转
SETTLED = (REQUEST_ROW_KEYS[-2], REQUEST_ROW_KEYS[-1])  # 三、(七)总计 + 四、结转下年度
TOTAL_PROCESSED, CARRIED_FORWARD = SETTLED
TOTAL_COLUMN = REQUEST_COLUMN_KEYS[-1]
ROW = REQUEST_ROW_REFERENCE  # how messages name a row: 一、本年新收 …

#: 1 when a report prints the 2021 (六) rows: how many outcome rows to expect depends on it.
_IS_2021 = f"MAX(CASE WHEN c.row_key IN {in_list(OTHER_ROWS_2021)} THEN 1 ELSE 0 END)"
_N_2019 = len(outcome_row_keys(FormVersion.V2019))
_N_2021 = len(outcome_row_keys(FormVersion.V2021))


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
    description="三: 一 + 二 = (七)总计 + 四, in each of the seven columns",
    sql=sum_identity_sql(tbl=T, scope="c.column_key", member="row_key", left=RECEIVED, right=SETTLED, expected="4"),
    assessed_sql=assessed_with_table(T),
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
    description="三: (七)总计 = the sum of every outcome row (予以公开 … 其他处理), in each column",
    sql=sum_identity_sql(
        tbl=T,
        scope="c.column_key",
        member="row_key",
        left=(TOTAL_PROCESSED,),
        right=OUTCOME_ROW_KEYS,
        expected=f"(1 + CASE WHEN {_IS_2021} = 1 THEN {_N_2021} ELSE {_N_2019} END)",
    ),
    assessed_sql=assessed_with_table(T),
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
    description="三: 总计 = the sum of the six applicant columns, in each row",
    sql=sum_identity_sql(
        tbl=T,
        scope="c.row_key",
        member="column_key",
        left=(TOTAL_COLUMN,),
        right=APPLICANT_COLUMN_KEYS,
        expected=str(len(REQUEST_COLUMN_KEYS)),
    ),
    assessed_sql=assessed_with_table(T),
    operands=lambda scope: [(T, scope or "", col) for col in REQUEST_COLUMN_KEYS],
    message=_applicant_message,
)

P = Table.PROACTIVE.value
_FORMS = (FormVersion.V2019, FormVersion.V2021)
#: The part 二 cells of each form version, as item.metric (the form of part 二 is the report's ``form``).
_PROACTIVE_PAIRS = {v: [f"{i.key}.{m}" for i in proactive_items(v) for m in i.metrics[v]] for v in _FORMS}
_PROACTIVE_CELLS = {v: len(pairs) for v, pairs in _PROACTIVE_PAIRS.items()}
_EXPECTED_CELLS = (
    f"(CASE WHEN {_IS_2021} = 1 THEN {len(request_row_keys(FormVersion.V2021))} "
    f"ELSE {len(request_row_keys(FormVersion.V2019))} END) * {len(REQUEST_COLUMN_KEYS)} + {len(REVIEW_KEYS)} + "
    f"(CASE WHEN r.form = '{FormVersion.V2021.value}' THEN {_PROACTIVE_CELLS[FormVersion.V2021]} "
    f"ELSE {_PROACTIVE_CELLS[FormVersion.V2019]} END)"
)
#: A valid number: present and non-negative integer; in part 二 a signed change (本年增/减) may be negative and
#: a money amount (万元) may have a fraction.
_VALID = (
    "c.value IS NOT NULL AND ("
    f"(c.tbl = '{P}' AND (c.value >= 0 OR c.column_key IN {in_list(sorted(SIGNED_METRICS))}) "
    f"AND (CAST(c.value AS INTEGER) = c.value OR c.column_key IN {in_list(sorted(AMOUNT_METRICS))})) "
    f"OR (c.tbl <> '{P}' AND c.value >= 0 AND CAST(c.value AS INTEGER) = c.value))"
)
_V2021 = FormVersion.V2021.value
_IN_FORM = (
    f"(c.tbl = '{P}' AND ((r.form = '{_V2021}' AND (c.row_key || '.' || c.column_key) IN "
    f"{in_list(_PROACTIVE_PAIRS[FormVersion.V2021])}) OR (r.form <> '{_V2021}' AND "
    f"(c.row_key || '.' || c.column_key) IN {in_list(_PROACTIVE_PAIRS[FormVersion.V2019])})))"
)


def _complete_message(f: Finding, ctx: dict) -> tuple[str, str]:
    missing = number((f.right_value or 0) - (f.left_value or 0))
    return (
        f"二、三、四表应有{number(f.right_value)}个数字，其中{missing}个缺失、无法识别或不是有效数字",
        f"parts 二, 三 and 四 should hold {number(f.right_value)} numbers; {missing} are missing, unreadable or not "
        "valid (non-negative integers; in part 二 a change may be signed and an amount may have a fraction)",
    )


def _complete_operands(scope: str | None) -> list[Operand]:
    return []  # the evidence of `complete` is the list of bad cells, gathered by the runner


COMPLETE = Check(
    key="complete",
    subject="requests",
    severity=Severity.ERROR,
    description="二, 三 and 四: every row and column of the form's version present, each a valid number",
    sql=outcome_sql(
        f"""    SELECT c.report_id AS report_id, NULL AS scope,
    SUM(CASE WHEN {_VALID} THEN 1 ELSE 0 END) AS left_value,
    {_EXPECTED_CELLS} AS right_value,
    0 AS n_unreadable, 0 AS n_missing, 0 AS n_blank, 0 AS n_inferred
    FROM {{batch}} c JOIN reports r ON r.id = c.report_id
    WHERE r.status = 'parsed' AND (
      (c.tbl = '{T}' AND c.row_key IN {in_list(REQUEST_ROW_KEYS)} AND c.column_key IN {in_list(REQUEST_COLUMN_KEYS)})
      OR (c.tbl = '{Table.REVIEWS.value}' AND c.row_key IN {in_list(REVIEW_KEYS)})
      OR {_IN_FORM})
    GROUP BY c.report_id, r.form""",
        compare="a.left_value < a.right_value",
    ),
    assessed_sql=assessed_with_table(T),
    operands=_complete_operands,
    message=_complete_message,
    bad_cell_sql=f"NOT ({_VALID})",  # the evidence: the missing or unreadable cells themselves
)

CHECKS = (REQUEST_BALANCE, OUTCOME_SUM, APPLICANT_SUM, COMPLETE)
