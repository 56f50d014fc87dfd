"""The form declaration is the contract of ../shared/FORM.md: keys, order, versions."""

from __future__ import annotations

import re

import pytest
from conftest import SHARED

from parsers.form import (
    OUTCOME_ROW_KEYS,
    PROACTIVE_ITEMS,
    REQUEST_COLUMN_KEYS,
    REQUEST_ROW_KEYS,
    REQUEST_ROW_LAYOUT,
    REVIEW_KEYS,
    FormVersion,
    norm,
    outcome_row_keys,
    request_row_keys,
)

FORM_MD = SHARED / "FORM.md"


def _keys_in_table(section: str) -> list[str]:
    """Keys in the first column of the markdown tables of one FORM.md section."""
    keys = []
    for line in section.splitlines():
        m = re.match(r"^\|\s*`([a-z_]+)`", line)
        if m:
            keys.append(m.group(1))
    return keys


@pytest.fixture(scope="module")
def form_md() -> str:
    if not FORM_MD.exists():
        pytest.skip("../shared/FORM.md is not beside this checkout")
    return FORM_MD.read_text(encoding="utf-8")


def test_request_keys_are_formmd_keys_in_printed_order(form_md: str) -> None:
    part3 = form_md.split("### Part 三")[1].split("### Part 四")[0]
    columns_then_rows = _keys_in_table(part3)
    assert tuple(columns_then_rows[:7]) == REQUEST_COLUMN_KEYS
    assert tuple(columns_then_rows[7:]) == REQUEST_ROW_KEYS


def test_review_keys_are_formmd_keys(form_md: str) -> None:
    part4 = form_md.split("### Part 四")[1].split("### Part 二")[0]
    listed = re.findall(r"`([a-z_]+)`", part4)
    assert listed[0] == "reviews"  # the table name in the heading
    assert tuple(listed[1:]) == REVIEW_KEYS


def test_proactive_items_and_metrics_match_formmd(form_md: str) -> None:
    part2 = form_md.split("### Part 二")[1].split("## The identities")[0]
    rows = [line for line in part2.splitlines() if re.match(r"^\|\s*`", line)]
    assert [re.match(r"^\|\s*`([a-z_]+)`", r).group(1) for r in rows] == [i.key for i in PROACTIVE_ITEMS]
    for row, item in zip(rows, PROACTIVE_ITEMS, strict=True):
        cols = row.split("|")
        m2019 = tuple(re.findall(r"`([a-z_]+)`", cols[3]))
        m2021 = tuple(re.findall(r"`([a-z_]+)`", cols[4]))
        if "same as above" not in cols[3]:
            assert item.metrics.get(FormVersion.V2019, ()) == m2019, item.key
        if "same as above" not in cols[4]:
            assert item.metrics.get(FormVersion.V2021, ()) == m2021, item.key


def test_versions_differ_only_in_other_rows() -> None:
    v2019, v2021 = request_row_keys(FormVersion.V2019), request_row_keys(FormVersion.V2021)
    assert len(v2019) == 23 and len(v2021) == 25
    assert set(v2021) - set(v2019) == {"other_no_correction", "other_unpaid_fee", "other_misc"}
    assert set(v2019) - set(v2021) == {"other_handling"}
    assert outcome_row_keys(FormVersion.V2019)[0] == "granted"
    assert outcome_row_keys(FormVersion.V2021)[-1] == "other_misc"
    assert "total_processed" not in OUTCOME_ROW_KEYS


def test_every_request_row_has_a_printed_layout() -> None:
    assert tuple(REQUEST_ROW_LAYOUT) == REQUEST_ROW_KEYS


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        ("（三）不予公开", "三不予公开"),
        ("3. 危及“三安全一稳定”", "3危及三安全一稳定"),
        ("本年増/減", "本年增减"),
        ("结果 维持", "结果维持"),
        ("１.属于国家秘密", "1属于国家秘密"),
    ],
)
def test_norm_folds_spacing_punctuation_and_variants(printed: str, expected: str) -> None:
    assert norm(printed) == expected
