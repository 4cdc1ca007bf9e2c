"""Percentiles and the figures every benchmark prints."""

from __future__ import annotations

from dataclasses import dataclass


def percentile(samples: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) of `samples`."""
    ordered = sorted(samples)
    if not ordered:
        return float("nan")
    rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def latencies_ms(samples: list[float]) -> str:
    """`p50/p95/p99` of samples in seconds, as milliseconds."""
    return "/".join(f"{percentile(samples, p) * 1000:.1f}" for p in (50, 95, 99))


@dataclass
class Figure:
    """One measured figure beside its baseline from the same run, and the target for their ratio."""

    benchmark: str
    store: str
    value: float
    unit: str
    baseline: float
    baseline_name: str
    target: str = ""  # e.g. "≥ 1×" or "≤ 1.5×, < 20 ms"
    met: bool | None = None
    note: str = ""

    @property
    def ratio(self) -> float:
        return self.value / self.baseline if self.baseline else float("nan")

    def row(self) -> str:
        verdict = {True: " met", False: " **missed**", None: ""}[self.met]
        return (f"| {self.benchmark} | {self.store} | {self.value:,.1f} {self.unit} | "
                f"{self.baseline:,.1f} {self.unit} ({self.baseline_name}) | {self.ratio:.2f}× | "
                f"{self.target}{verdict} | {self.note} |")


HEADER = ("| benchmark | store | figure | baseline, same run | ratio | target | notes |\n"
          "| --- | --- | --- | --- | --- | --- | --- |")
