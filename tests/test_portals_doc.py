"""docs/portals.md is generated from rawstore/portals.py and kept current."""

from __future__ import annotations

from conftest import ROOT

from rawstore.portals import PORTALS, portals_markdown
from spiders.state import FAULT_KINDS


def test_committed_portals_doc_is_current() -> None:
    committed = (ROOT / "docs" / "portals.md").read_text(encoding="utf-8")
    assert committed == portals_markdown(FAULT_KINDS), "run: python scripts/build_portals_doc.py"


def test_portals_doc_names_every_portal_family_and_column() -> None:
    text = portals_markdown(FAULT_KINDS)
    for portal in PORTALS:
        assert f"`{portal.key}`" in text and portal.base_url in text and portal.cms.name in text
        assert all(f"`{column.path}`" in text for column in portal.columns)
