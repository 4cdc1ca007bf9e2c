"""docs/api.md's curl walk-through, run as written against a real server with the demo."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

DOC = Path(__file__).parents[2] / "docs" / "api.md"


def shell_blocks() -> list[str]:
    return re.findall(r"```sh\n(.*?)```", DOC.read_text(), re.S)


def test_the_curl_walk_through_works_as_written(server):
    script = "set -euo pipefail\n" + "\n".join(shell_blocks())
    run = subprocess.run(["bash", "-c", script], env={"API": server, "PATH": "/usr/bin:/bin"},
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr + run.stdout
    out = run.stdout
    assert "no framing statement yet" in out
    assert "1 contribution awaits feedback" in out
    assert out.count("closed") >= 2 and "explore" in out and "learn" in out
    assert re.search(r"^HTTP/1\.1 201 .*\nLocation: /api/v1/issues/[0-9a-f-]{36}$", out, re.M | re.I)
    assert re.search(r"^1 \d{4}-\d\d-\d\dT\d\d:\d\d Kim Hale \(expert\) raised the issue", out, re.M)
