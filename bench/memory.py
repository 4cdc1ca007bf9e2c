"""Peak resident memory, from /proc: of a process tree (a server and its workers) or of this process."""

from __future__ import annotations

import resource
from pathlib import Path


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


def tree_peaks_mib(pid: int) -> dict[int, float]:
    """Each live process's peak RSS (MiB), for `pid` and all its descendants."""
    peaks, todo = {}, [pid]
    while todo:
        current = todo.pop()
        try:
            peaks[current] = _peak_kib(current) / 1024
            todo += _children(current)
        except FileNotFoundError:
            continue
    return peaks


def own_peak_mib() -> float:
    """This process's peak RSS so far (MiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
