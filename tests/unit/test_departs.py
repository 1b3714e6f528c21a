"""A lesson never contradicts itself silently: a figure of its own off its theory gets a one-line why (issue 20)."""

from __future__ import annotations

from dataclasses import replace

from gilviz.departs import figure_why
from gilviz.noise import MachineLoad
from gilviz.states import STATES
from gilviz.trace import frames, read_trace
from gilviz.ui.results import figure_text, result_lines
from gilviz.ui.state import DashboardState

from conftest import ROOT


def recorded(name):
    """The last run of a recorded trace, as the dashboard got it."""
    reports = [f.report for f in frames(read_trace(str(ROOT / "assets" / "traces" / (name + ".jsonl.gz"))))]
    return [r for r in reports if r is not None][-1]


def busy(report, other_cpu=1.3):
    return replace(report, machine=MachineLoad(other_cpu=other_cpu, steal=0.0, ours=1.0, cores=2, wall_s=report.wall_s))


def with_shares(report, **shares):
    """The workers' lanes with these shares of the run (the rest running)."""
    window = report.window_s
    lanes = []
    for lane in report.lanes:
        if lane.role == "worker":
            times = [shares.get(state, 0.0) * window for state in STATES]
            times[STATES.index("running")] = (1 - sum(shares.values())) * window
            lane = replace(lane, run_times=tuple(times))
        lanes.append(lane)
    return replace(report, snapshot=replace(report.snapshot, lanes=tuple(lanes)))


def test_figures_within_their_noise_need_no_why():
    for name in ("convoy", "asyncio", "race-lock-on", "race-lock-off", "threads-io"):
        assert figure_why(recorded(name)) is None, name


def test_a_convoy_far_below_theory_on_a_busy_machine_says_why():
    report = recorded("convoy")
    convoy = dict(report.result["convoy"], with_cpu_mean_ms=0.17)
    fast = busy(replace(report, result=dict(report.result, convoy=convoy)))
    why = figure_why(fast)
    assert why is not None and why.startswith("below its theory") and "other programs used 1.3 of 2 cores" in why
    lines = result_lines(fast)
    assert "  why: " + why in lines  # in the results, under the figure
    state = DashboardState(fast.config)
    state.finished = fast
    assert why in figure_text(state).plain  # and on the presenter's figure line


def test_a_convoy_off_with_nothing_to_blame_says_so():
    report = recorded("convoy")
    slow = replace(report, result=dict(report.result, convoy=dict(report.result["convoy"], with_cpu_mean_ms=64.0)))
    why = figure_why(slow)
    assert why is not None and why.startswith("above its theory") and "nothing gilviz measured explains it" in why


def test_asyncio_far_over_one_wait_says_why():
    report = recorded("asyncio")
    slow = busy(replace(report, result=dict(report.result, asyncio=dict(report.result["asyncio"], waits=1.6))))
    why = figure_why(slow)
    assert why is not None and "above its theory" in why and "other programs used" in why


def test_the_lock_s_wait_hidden_behind_a_core_wait_is_said():
    report = with_shares(recorded("race-lock-on"), core_wait=0.70, lock_wait=0.0)
    why = figure_why(report)
    assert why is not None and "the lock's wait hid behind a core wait" in why, why
    assert "70 % for a core" in why and "0 % for the lock" in why and "2 busy cores" in why
    assert figure_why(with_shares(recorded("race-lock-off"), core_wait=0.70)) is None  # no lock, no lock wait to hide


def test_a_small_screen_keeps_the_figure_to_one_line_with_its_warning():
    report = busy(recorded("threads-cpu"))
    state = DashboardState(report.config)
    state.finished = report
    short = figure_text(state, detail=False).plain
    assert "\n" not in short and "busy machine" in short and short.startswith("speed-up")
    full = figure_text(state).plain
    assert "why: " in full and "other programs used 1.3 of 2 cores" in full
