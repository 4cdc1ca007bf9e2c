"""The benchmarks at a tiny size, so that bench/ cannot rot (the real runs: python -m bench.run)."""

from __future__ import annotations

from bench import commands, generate, public, rebuild, snapshots
from bench.stats import HEADER


def test_the_generator_writes_about_the_events_asked_for_and_the_views_catch_up(tmp_path):
    # given / when
    summary = generate.generate(f"sqlite:///{tmp_path}/bench.db", 1_500, seed=3)
    # then
    assert 1_500 <= summary["events"] < 1_600
    status = generate.on_store(f"sqlite:///{tmp_path}/bench.db", lambda app: app.projections.status())
    assert all(view["lag"] == 0 for view in status)


def test_the_rebuild_and_snapshot_benchmarks_report_figures_beside_baselines():
    # when
    figures = rebuild.measure("sqlite", 1_000) + snapshots.measure("sqlite", events=300, loads=1)
    # then
    assert all(figure.value > 0 and figure.baseline > 0 for figure in figures)
    assert all(figure.row().count("|") == HEADER.splitlines()[0].count("|") for figure in figures)


def test_the_commands_benchmark_runs_with_a_projection_worker_on_sqlite():
    # when
    figures = commands.measure("sqlite", commands.Settings(events=300, clients=2, requests_each=3, baseline_saves=20),
                               worker_on_sqlite=True)
    # then
    assert figures[0].benchmark == "HTTP commands, projection worker" and "not 2xx" not in figures[0].note
    assert all(figure.value > 0 and figure.baseline > 0 for figure in figures)


def test_the_public_benchmarks_report_the_hub_page_and_a_brute_force_that_finds_nothing():
    # when
    figures = public.measure("sqlite", (400, 800), samples=5) + public.brute_force("sqlite", codes=25, events=400)
    # then
    assert all(figure.value > 0 and figure.baseline > 0 for figure in figures[:-2])
    found, refused = figures[-2:]
    assert found.value == 0 and found.met and refused.value == 21 and refused.met


def test_the_priority_round_benchmarks_close_a_round_and_read_the_vote_page(tmp_path):
    from bench import rounds

    # when
    figures = rounds.closing("sqlite", voters=60, runs=1) + rounds.vote_page("sqlite", (1_500, 1_600), samples=3,
                                                                             keep=str(tmp_path))
    # then
    assert [f.benchmark for f in figures] == ["close and rank a round of 60 voters", "read p95: vote page (web)"]
    assert all(figure.value > 0 and figure.baseline > 0 for figure in figures)
