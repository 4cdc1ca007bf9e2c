"""A server whose master was killed can be started again at once on the same port."""

from __future__ import annotations

import os
import signal
import socket
import time
from pathlib import Path

import requests

from tests.processes import COPRODUCE, _spawn, environment, output_of, start_server, stop


def _children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (a server's workers)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def test_a_server_starts_again_at_once_after_its_master_was_killed(tmp_path):
    env = environment(f"sqlite:///{tmp_path}/coproduce.db")
    first, base = start_server(env, workers=2)
    port = base.split(":")[2].split("/")[0]
    orphans = _children(first.pid)
    assert len(orphans) == 2
    unfinished = [socket.create_connection(("127.0.0.1", int(port))) for _ in range(8)]
    for each in unfinished:  # requests still arriving: the orphaned workers wait for them before they let go
        each.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
    first.send_signal(signal.SIGKILL)
    first.wait()

    second = _spawn([COPRODUCE, "serve", "--port", port, "--workers", "2"], env)  # while the orphans hold the port
    try:
        site, answered, deadline = f"http://127.0.0.1:{port}", 0, time.monotonic() + 20
        while answered < 20:  # twenty answers in a row from a server that stays up
            assert time.monotonic() < deadline, output_of(second)
            assert second.poll() is None, output_of(second)
            try:
                answered += requests.get(f"{site}/healthz", timeout=3).status_code == 200
            except requests.RequestException:
                answered = 0
                time.sleep(0.1)
        assert "Connection in use" not in output_of(second)
    finally:
        for each in unfinished:
            each.close()
        stop(second)
        for pid in orphans:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
