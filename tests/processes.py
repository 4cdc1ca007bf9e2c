"""Starting and stopping Coproduce's own processes (servers, projection workers) for tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

COPRODUCE = str(Path(sys.executable).with_name("coproduce"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def environment(database_url: str, **extra: str) -> dict[str, str]:
    return {**os.environ, "COPRODUCE_DATABASE_URL": database_url, **extra}


def start_server(env: dict[str, str], workers: int = 1) -> tuple[subprocess.Popen, str]:
    """`coproduce serve` on a free port; returns the process and the API's base URL once it answers."""
    port = free_port()
    process = subprocess.Popen([COPRODUCE, "serve", "--port", str(port), "--workers", str(workers)], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stdout.read()
        try:
            if requests.get(f"{base}/healthz", timeout=1).status_code == 200:
                return process, f"{base}/api/v1"
        except requests.ConnectionError:
            time.sleep(0.1)
    process.kill()
    raise TimeoutError("the server did not start")


def start_worker(env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen([COPRODUCE, "projections", "run", "--interval", "0.05"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def stop(process: subprocess.Popen) -> str:
    """Stop politely; returns what the process printed."""
    if process.poll() is None:
        process.terminate()
    output, _ = process.communicate(timeout=30)
    return output or ""


def kill(process: subprocess.Popen) -> None:
    """kill -9: no chance to finish anything."""
    if process.poll() is None:
        process.kill()
    process.communicate(timeout=30)
