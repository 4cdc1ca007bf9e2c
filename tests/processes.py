"""Starting and stopping Coproduce's own processes (servers, projection workers) for tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

COPRODUCE = str(Path(sys.executable).with_name("coproduce"))


def _spawn(arguments: list[str], env: dict[str, str]) -> subprocess.Popen:
    """Start a process with its output going to a file: a pipe nobody reads would fill up and stall it."""
    log = tempfile.NamedTemporaryFile("w+", prefix="coproduce-", suffix=".log", delete=False)
    process = subprocess.Popen(arguments, env=env, stdout=log, stderr=subprocess.STDOUT, text=True)
    process.log_path = log.name  # type: ignore[attr-defined]
    return process


def output_of(process: subprocess.Popen) -> str:
    with open(process.log_path, encoding="utf-8", errors="replace") as log:  # type: ignore[attr-defined]
        return log.read()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def environment(database_url: str, **extra: str) -> dict[str, str]:
    return {**os.environ, "COPRODUCE_DATABASE_URL": database_url, **extra}


def made_if_missing(env: dict[str, str]) -> None:
    """`coproduce upgrade` on an embedded store that is not there yet: `serve` refuses a missing one
    (a mistyped path), as an operator's `coproduce init` would have made it first."""
    url = env.get("COPRODUCE_DATABASE_URL", "")
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        made = subprocess.run([COPRODUCE, "upgrade"], env=env, capture_output=True, text=True, timeout=120)
        assert made.returncode == 0, made.stdout + made.stderr


def start_server(env: dict[str, str], workers: int = 1) -> tuple[subprocess.Popen, str]:
    """`coproduce serve` on a free port (the embedded store made first if it is not there); returns the
    process and the API's base URL once it answers."""
    made_if_missing(env)
    port = free_port()
    process = _spawn([COPRODUCE, "serve", "--port", str(port), "--workers", str(workers)], env)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, output_of(process)
        try:
            if requests.get(f"{base}/healthz", timeout=2).status_code == 200:
                return process, f"{base}/api/v1"
        except (requests.ConnectionError, requests.Timeout):  # not listening yet, or slow on a busy machine
            time.sleep(0.1)
    process.kill()
    raise TimeoutError("the server did not start")


def start_worker(env: dict[str, str], interval: float | None = 0.05) -> subprocess.Popen:
    """`coproduce projections run`, looking for new events every `interval` seconds (quicker than
    the command's default, so that tests wait less); None: the command's default, as operators run it."""
    return _spawn([COPRODUCE, "projections", "run", *(["--interval", str(interval)] if interval else [])], env)


def start_sender(env: dict[str, str]) -> subprocess.Popen:
    """`coproduce notifications run`, looking for messages due every 0.2 s."""
    return _spawn([COPRODUCE, "notifications", "run", "--interval", "0.2"], env)


def stop(process: subprocess.Popen) -> str:
    """Stop politely; returns what the process printed."""
    if process.poll() is None:
        process.terminate()
    process.wait(timeout=30)
    return output_of(process)


def kill(process: subprocess.Popen) -> None:
    """kill -9: no chance to finish anything."""
    if process.poll() is None:
        process.kill()
    process.wait(timeout=30)
