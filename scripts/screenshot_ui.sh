#!/usr/bin/env bash
# Screenshot the Prefect UI's deployments page with headless Chromium.
#
#   bash scripts/screenshot_ui.sh [OUT.png] [PORT]
#
# Starts its own Prefect server on 127.0.0.1:PORT (default 4299) with a throwaway PREFECT_HOME,
# deploys prefect.yaml, takes the screenshot, stops the server. Installs Debian's chromium with
# apt-get when it is missing and we are root.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-docs/img/prefect-deployments.png}
port=${2:-4299}
if ! command -v chromium >/dev/null; then
  if [ "$(id -u)" -eq 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null
  else echo "install chromium (apt-get install chromium)" >&2; exit 1; fi
fi
.venv/bin/python - "$out" "$port" <<'PY'
import subprocess, sys, tempfile, time
from pathlib import Path
from nianbao import ui

out, port = Path(sys.argv[1]), int(sys.argv[2])
with tempfile.TemporaryDirectory() as home:
    env = ui.environment(port, home=Path(home) / "prefect")
    server = ui.start_server(env, Path(home) / "server.log")
    try:
        ui.wait_healthy(env["PREFECT_API_URL"], server)
        ui.deploy(env)
        out.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={home}/chromium", "--window-size=1400,900", "--virtual-time-budget=15000",
             f"--screenshot={out.resolve()}", f"http://127.0.0.1:{port}/deployments"],
            check=True, timeout=120, capture_output=True,
        )
        print(f"wrote {out}")
    finally:
        ui.stop(server)
PY
