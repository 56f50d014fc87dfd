"""Part 四 identity: review_sum, in each of the three groups."""

from __future__ import annotations

from expectations.checks import (
    Check,
    Finding,
    Operand,
    Severity,
    number,
    sum_identity_expectations,
    uncertainty_notes,
)
from parsers.form import REVIEW_GROUP_SHORT, REVIEW_OUTCOMES, Table

T = Table.REVIEWS.value
_PARTS = [outcome for outcome, _ in REVIEW_OUTCOMES[:-1]]  # upheld, corrected, other, pending
_TOTAL = REVIEW_OUTCOMES[-1][0]


def _operands(scope: str | None) -> list[Operand]:
    return [(T, f"{scope}_{outcome}", None) for outcome, _ in REVIEW_OUTCOMES]


#: the outcomes that add up to the total, as the message names them: 结果维持、结果纠正、其他结果、尚未审结
_PART_LABELS = "、".join(label for _, label in REVIEW_OUTCOMES[:-1])


def _message(f: Finding, ctx: dict) -> tuple[str, str]:
    zh_note, en_note = uncertainty_notes(f)
    group = f.scope or ""
    return (
        f"{REVIEW_GROUP_SHORT.get(group, group)}：总计为{number(f.left_value)}，"
        f"但{_PART_LABELS}之和为{number(f.right_value)}{zh_note}",
        f"{group}: total is {number(f.left_value)}, but upheld + corrected + other + pending = "
        f"{number(f.right_value)}{en_note}",
    )


REVIEW_SUM = Check(
    key="review_sum",
    subject="reviews",
    severity=Severity.ERROR,
    name_zh="四、各组总计 = 结果维持 + 结果纠正 + 其他结果 + 尚未审结",
    description="四: each 总计 = 结果维持 + 结果纠正 + 其他结果 + 尚未审结 (行政复议, 直接起诉, 复议后起诉)",
    expectations=sum_identity_expectations,
    operands=_operands,
    message=_message,
)

CHECKS = (REVIEW_SUM,)
