"""Write docs/portals.md from rawstore/portals.py (the portals are declared once, there).

    python scripts/build_portals_doc.py

tests/test_portals_doc.py fails while the committed file differs from what this writes.
"""

from __future__ import annotations

from pathlib import Path

from rawstore.portals import portals_markdown
from spiders.state import FAULT_KINDS

DOC = Path(__file__).resolve().parent.parent / "docs" / "portals.md"


def main() -> None:
    text = portals_markdown(FAULT_KINDS)
    if not DOC.exists() or DOC.read_text(encoding="utf-8") != text:
        DOC.write_text(text, encoding="utf-8")
        print(f"wrote {DOC}")


if __name__ == "__main__":
    main()
