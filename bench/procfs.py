"""Peak resident memory and CPU time, from /proc: of a process tree (a server and its workers) or of
this process."""

from __future__ import annotations

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
