"""The command blocks of docs/api.md and README.md, run as written against a real server with a fresh demo."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).parents[2]
DOC = ROOT / "docs" / "api.md"
README = ROOT / "README.md"


def shell_blocks(doc: Path = DOC) -> list[str]:
    return re.findall(r"```sh\n(.*?)```", doc.read_text(), re.S)


def test_the_curl_walk_through_works_as_written_and_again_on_the_same_server(server):
    script = "set -euo pipefail\n" + "\n".join(shell_blocks())
    for _ in range(2):  # a second run, as a reader trying it again, finds no key already used
        run = subprocess.run(["bash", "-c", script], env={"API": server, "PATH": "/usr/bin:/bin"},
                             capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stderr + run.stdout
        out = run.stdout
        assert "Traceback" not in run.stderr + out
        assert "no framing statement yet" in out
        assert "1 contribution awaits feedback" in out
        assert out.count("closed") >= 2 and "explore" in out and "learn" in out
        assert re.search(r"^HTTP/1\.1 201 .*\nLocation: /api/v1/issues/[0-9a-f-]{36}$", out, re.M | re.I)
        assert re.search(r"^1 \d{4}-\d\d-\d\dT\d\d:\d\d Kim Hale \(expert\) raised the issue", out, re.M)


def test_the_readme_works_as_written(server, tmp_path):
    """Every `sh` block of the README, in one shell in the checkout; a line shown with its answer
    (`# Refused: …` below it) must be refused with that answer, and every other line must succeed."""
    blocks = shell_blocks(README)
    script = "trap 'echo \"failed: $BASH_COMMAND\" >&2' ERR\n" + "\n".join(blocks)
    run = subprocess.run(["bash", "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120,
                         env={"API": server, "PATH": "/usr/bin:/bin", "COPRODUCE_DATABASE_URL": f"sqlite:///{tmp_path}/served.db"})  # the server's store
    lines = "\n".join(blocks).splitlines()
    answers = [line[2:] for line in lines if line.startswith("# ")]
    refused = [line for line, following in zip(lines, lines[1:]) if following.startswith("# Refused")]
    failed = re.findall(r"^failed: (.*)$", run.stderr, re.M)
    assert [line.split("#")[0].strip() for line in refused] == failed, run.stderr
    assert all(answer in run.stdout + run.stderr for answer in answers), run.stdout + run.stderr
    assert '"token":"cp_' in run.stdout
    assert "2022-06-14 10:08  Alex Reid (expert) raised the issue" in run.stdout
    assert "Before closed: 1 contribution awaits feedback" in run.stdout
