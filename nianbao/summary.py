"""The one line a command ends with: what it did, in counts (issue 17: summaries first, details on demand)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

#: check_status values of report_overview, in the order a summary names them
CHECK_STATES = ("clean", "flagged", "uncertain", "not_assessable", "unchecked")


def check_states(engine: Engine) -> dict[str, int]:
    """How many current reports are in each ``check_status`` (report_overview)."""
    from warehouse.query import select_rows

    sql = "SELECT check_status, COUNT(*) FROM report_overview WHERE status = 'parsed' GROUP BY check_status"
    rows = select_rows(engine, sql).rows
    return {state: int(n) for state, n in rows}


def checked_line(engine: Engine, verb: str = "checked") -> str:
    """One line: how many current reports are clean, flagged (by which checks), uncertain, unchecked."""
    from warehouse.query import select_rows

    states = check_states(engine)
    failing = select_rows(
        engine,
        "SELECT k.check_key, COUNT(DISTINCT k.report_id) AS n FROM check_results k "
        "JOIN report_overview o ON o.report_id = k.report_id AND o.check_status = 'flagged' "
        "WHERE k.outcome = 'FAIL' GROUP BY k.check_key ORDER BY n DESC, k.check_key",
    ).rows
    total = sum(states.values())
    parts = []
    for state in CHECK_STATES:
        n = states.get(state, 0)
        if not n and state not in ("clean", "flagged"):
            continue
        text = f"{n} {state.replace('_', ' ')}"
        if state == "flagged" and failing:
            text += " (" + ", ".join(f"{key} {count}" for key, count in failing) + ")"
        parts.append(text)
    return f"{verb} {total} current report(s): " + ", ".join(parts)


def checked_files_line(checked: list) -> str:
    """``checked 5 file(s): 3 pass, 1 flagged (request_balance, outcome_sum), 0 uncertain, 1 unreadable``
    (and ``N not assessable`` when no check applied to some)."""
    from expectations.checks import Outcome

    tally = {"pass": 0, "flagged": 0, "uncertain": 0, "not assessable": 0, "unreadable": 0}
    failing: dict[str, int] = {}
    for item in checked:
        outcomes = {r.outcome for r in item.results}
        if item.error:
            tally["unreadable"] += 1
        elif Outcome.FAIL in outcomes:
            tally["flagged"] += 1
            for key in dict.fromkeys(r.check.key for r in item.results if r.outcome is Outcome.FAIL):
                failing[key] = failing.get(key, 0) + 1
        elif Outcome.UNCERTAIN in outcomes:
            tally["uncertain"] += 1
        elif Outcome.PASS in outcomes:
            tally["pass"] += 1
        else:  # no check applies (a pre-2019 report has no tables to check)
            tally["not assessable"] += 1
    which = ", ".join(key + (f" ×{n}" if n > 1 else "") for key, n in failing.items())
    return (
        f"checked {len(checked)} file(s): {tally['pass']} pass, {tally['flagged']} flagged"
        + (f" ({which})" if which else "")
        + f", {tally['uncertain']} uncertain"
        + (f", {tally['not assessable']} not assessable" if tally["not assessable"] else "")
        + f", {tally['unreadable']} unreadable"
    )
