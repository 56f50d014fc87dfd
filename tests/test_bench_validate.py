"""bench/validate.py's generated reports: each passes every check, except the deliberately broken cells,
which fail exactly the checks that cover them — else the benchmark times a different run than the real one."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from expectations.checks import Outcome
from expectations.run import validate_warehouse
from warehouse.db import make_engine

ROOT = Path(__file__).resolve().parent.parent


def _bench():
    spec = importlib.util.spec_from_file_location("bench_validate", ROOT / "bench" / "validate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_reports_fail_only_where_broken(tmp_path) -> None:
    bench = _bench()
    url = f"sqlite:///{tmp_path / 'warehouse.db'}"
    expected = bench.build(url, 50, 0.2)
    broken = {rid for rid, fails in expected.items() if fails}
    assert len(expected) == 50 and 3 <= len(broken) <= 25  # the seed breaks about a fifth of them
    engine = make_engine(url)
    summary = validate_warehouse(engine)
    engine.dispose()
    fails = [r for r in summary.results if r.outcome is Outcome.FAIL]
    assert len(fails) == sum(len(f) for f in expected.values())
    assert {r.report_id for r in fails} == broken
    assert bench.unexpected_outcomes(summary, expected) == []
    # every check is assessed on every report except those with nothing to check: no stated count, no
    # previous year, no other copy
    assessed = {r.check.key for r in summary.results if r.outcome is not Outcome.NOT_ASSESSABLE}
    assert assessed == {"request_balance", "outcome_sum", "applicant_sum", "complete", "review_sum", "outdated_form"}
