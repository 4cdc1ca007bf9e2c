"""Peak resident memory and CPU time, from /proc: of a process tree (a server and its workers) or of
this process."""

from __future__ import annotations

import contextlib
import os
import resource
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        found += [int(child) for child in task.read_text().split()]
    return found


def _peak_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def _cpu_seconds(pid: int) -> float:
    """User and system time so far (fields 14 and 15 of /proc/<pid>/stat, after the command name)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def _each_in_tree(pid: int, measure) -> dict[int, float]:
    found, todo = {}, [pid]
    while todo:
        current = todo.pop()
        try:
            found[current] = measure(current)
            todo += _children(current)
        except FileNotFoundError:
            continue
    return found


def tree_peaks_mib(pid: int) -> dict[int, float]:
    """Each live process's peak RSS (MiB), for `pid` and all its descendants."""
    return _each_in_tree(pid, lambda current: _peak_kib(current) / 1024)


def tree_cpu_seconds(pid: int) -> float:
    """CPU time used so far by `pid` and its live descendants."""
    return sum(_each_in_tree(pid, _cpu_seconds).values())


def own_peak_mib() -> float:
    """This process's peak RSS so far (MiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def children_peak_mib() -> float:
    """The peak RSS of the largest child process this one has waited for (MiB): pages it shares
    with this process after a fork are counted in both."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def workers(pid: int) -> list[int]:
    """The processes a server's master `pid` forked to answer requests."""
    return _children(pid)


def accepted_by(pid: int, client_ports: set[int]) -> dict[int, int]:
    """For each loopback connection opened from one of `client_ports`, the process of the tree
    under `pid` that holds its accepted end, if one does yet."""
    ends: dict[str, int] = {}  # socket inode of the server's end -> the client's port
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            remote_port, established, inode = int(fields[2].rsplit(":", 1)[1], 16), fields[3] == "01", fields[9]
            if established and remote_port in client_ports:
                ends[inode] = remote_port
    holders: dict[int, int] = {}
    for process in _each_in_tree(pid, lambda _: 0):
        with contextlib.suppress(FileNotFoundError, PermissionError):
            for fd in Path(f"/proc/{process}/fd").iterdir():
                with contextlib.suppress(OSError):
                    target = os.readlink(fd)
                    if target.startswith("socket:[") and target[8:-1] in ends:
                        holders[ends[target[8:-1]]] = process
    return holders
