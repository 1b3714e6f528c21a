"""``gilviz bench``'s arithmetic on hand-made runs: the pairs' order, the median ratio and its range, each row's spread."""

from __future__ import annotations

import re

import pytest
from gilviz import bench
from gilviz.model import RunConfig, RunReport
from gilviz.noise import MachineLoad
from gilviz.timeline import Snapshot

PYTHON = {"implementation": "cpython", "version": "3.11.7", "gil_enabled": True, "free_threaded_build": False, "executable": "py"}
EMPTY = Snapshot(t=0.0, bin_s=0.05, lanes=(), cpu=(), cpu_history=(), window=(0.0, 0.0), coarse=False)


def test_overhead_pairs_alternate_their_order_and_give_the_median_ratio(monkeypatch):
    walls = iter([2.0, 2.2, 2.1, 2.0, 1.0, 1.5])  # pair 1: unwatched 2.0, watched 2.2; pair 2: watched 2.1, unwatched 2.0; ...
    order: list[bool] = []

    def fake_run(config, *, watched=True):
        order.append(watched)
        machine = MachineLoad(other_cpu=1.0 if len(order) == 6 else 0.0, steal=0.0, ours=1.0, cores=2, wall_s=1.0)
        result = {"wall_s": next(walls), "t_start_ns": 0, "t_end_ns": 1}
        report = RunReport(config, PYTHON, 2, result, EMPTY, watched, machine=machine)
        report.sampler_cpu_s = 0.02 * report.wall_s if watched else 0.0
        return report

    monkeypatch.setattr(bench, "watch_run", fake_run)
    doc = bench._pairs(RunConfig("threads-cpu", size="tiny"), 3, lambda _: None, "overhead")
    assert order == [False, True, True, False, False, True]
    assert doc["watched_s"] == [2.2, 2.1, 1.5] and doc["unwatched_s"] == [2.0, 2.0, 1.0]
    assert doc["slowdowns"] == [1.1, 1.05, 1.5]
    assert doc["slowdown"] == pytest.approx(1.1) and doc["slowdown_range"] == [pytest.approx(1.05), 1.5]
    assert doc["sampler_cpu"] == pytest.approx(0.02) and doc["repeats"] == 3
    assert doc["noisy_pairs"] == 1  # the last pair's watched run had other programs beside it


def test_a_row_is_the_median_of_its_runs_with_the_range():
    row = bench._row("race lost updates, lock off", [5, 9, 7], None, " of 100")
    assert row == {
        "name": "race lost updates, lock off",
        "measured": 7,
        "theory": None,
        "unit": " of 100",
        "range": [5.0, 9.0],
        "each": [5, 9, 7],
        "repeats": 3,
    }
    assert bench._row("x", [1.0, 3.0], 2.0, "×")["measured"] == 2.0
    assert bench._row("x", [None], None, "×")["measured"] is None


def test_the_table_shows_the_median_range_and_an_impossible_row():
    doc = {
        "python": PYTHON,
        "cores": 2,
        "size": "demo",
        "workers": 2,
        "rounds": 3,
        "rows": [
            dict(bench._row("processes CPU speed-up", [2.3, 2.46, 2.5], 2.0, "×"), ceiling=2.0, impossible=True, noisy=1),
            bench._row("race lost updates, lock off", [5, 9, 7, 8], None, " of 100"),
        ],
        "baselines_s": {"seq-cpu": [3.8, 3.9, 3.7]},
        "overhead": {
            "scenario": "threads-cpu",
            "repeats": 9,
            "slowdown": 1.01,
            "slowdown_range": [0.98, 1.04],
            "watched_s": [1.0],
            "unwatched_s": [1.0],
            "sampler_cpu": 0.02,
            "sampler_calm": 0.84,
            "target_slowdown": 1.02,
            "target_sampler_cpu": 0.03,
        },
        "noisy": {"threshold": 0.25, "runs": 2, "of_runs": 24, "pairs": 0, "of_pairs": 18},
    }
    board = {"scenario": "threads-cpu", "cpu_share": 0.052, "sampler_share": 0.018, "still_live": True, "target": 0.03}
    text = bench.format_bench(dict(doc, dashboard=dict(board, frames_per_s=1.96)))
    assert "dashboard CPU (UI + sampler, threads-cpu)" in text and "0.018 / 0.034" in text
    assert re.search(r"frames drawn a second +2\.0", text)
    ended = bench.format_bench(dict(doc, dashboard=dict(board, still_live=False)))
    assert "the run ended before the measurement did" in ended and "0.018 / 0.034" not in ended
    text = bench.format_bench(doc)
    assert "processes CPU speed-up (1 noisy)" in text
    assert "2.46×" in text and "2.30–2.50×" in text and "impossible: above 2×, noise" in text
    assert "8 of 100" in text and "5–9" in text  # a count: the median of four, 7.5, shown whole
    assert "1.010×" in text and "0.980–1.040×" in text
    assert "its ticks at the calm rate (nothing changed)" in text and "84 %" in text
    assert "during 2 of 24 runs and 0 of 18 overhead pairs" in text


def test_the_dashboards_cost_is_measured_live_and_the_samplers_share_told_apart():
    """The app draws a real run headless; its process's CPU is measured, the sampler thread's part of it too."""
    from gilviz.ui.cost import dashboard_cpu

    # each worker counts 150M (the demo size splits 160M between two): the run lasts ~4 s here, past the 1.5 s
    # of start-up the measurement skips and its 1 s window, so the window measures a running scenario
    figures = dashboard_cpu(RunConfig("threads-cpu", size="demo", iterations=150_000_000), seconds=1.0)
    assert figures["still_live"]  # the whole span measured a running scenario
    assert 0 < figures["sampler_share"] < figures["cpu_share"] < 1  # the UI drew something, the sampler sampled


def test_the_bench_measures_the_gil_reads_cost_against_its_limit():
    """Whether the reads stay within 0.005 of a core is the bench row's verdict (a second of CPU time on a
    shared 2-core machine varies more than that margin: 0.0052 once, quiet); the test checks that the row
    measures and says it, and that the cost is of that order, not a regression to reading at every tick."""
    from gilviz.gil_cost import gil_read_cost

    cost = gil_read_cost(seconds=1.0)
    assert cost["cpu_share"] is not None, cost["detail"]
    assert cost["readings"] >= 20  # it did read, about 33 times in the second
    assert cost["limit"] == 0.005 and cost["cpu_share"] <= 4 * cost["limit"], cost
    overhead = {"scenario": "threads-cpu", "repeats": 1, "slowdown": 1.0, "slowdown_range": [1.0, 1.0], "sampler_cpu": 0.02}
    overhead.update(watched_s=[1.0], unwatched_s=[1.0], target_slowdown=1.02, target_sampler_cpu=0.03, gil_reads=cost)
    doc = {"python": PYTHON, "cores": 2, "size": "demo", "workers": 2, "rounds": 1, "rows": [], "baselines_s": {}}
    noisy = {"threshold": 0.25, "runs": 0, "of_runs": 1, "pairs": 0, "of_pairs": 1}
    text = bench.format_bench(dict(doc, overhead=overhead, noisy=noisy))
    (line,) = [x for x in text.splitlines() if "GIL's reads" in x]
    assert "%.4f" % cost["cpu_share"] in line and "≤ 0.005" in line
