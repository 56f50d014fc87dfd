"""Headless Chromium for the tests that render our HTML (Data Docs, the run report) with no network."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
NO_CHROMIUM = "chromium is not installed (scripts/system-deps installs it as root)"


def render_offline(page: Path, probe_js: str, profile: Path) -> dict:
    """What ``probe_js`` saw of ``page`` in headless Chromium with every network request refused.

    The probe runs on the page (appended before ``</body>`` in a copy beside it, so relative links
    still resolve) and reports by writing JSON into ``<pre id="nianbao-probe">``."""
    probe = page.with_name(f"probe-{page.name}")
    probe.write_text(page.read_text(encoding="utf-8").replace("</body>", f"<script>{probe_js}</script></body>"))
    try:
        done = subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions",
             f"--user-data-dir={profile}",
             "--proxy-server=127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND",  # no network at all
             "--virtual-time-budget=10000", "--dump-dom", probe.as_uri()],
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
    finally:
        probe.unlink()
    found = re.search(r'<pre id="nianbao-probe">([^<]*)</pre>', done.stdout)
    assert found, f"no probe result from chromium (exit {done.returncode}): {done.stderr[-2000:]}"
    return json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&"))
