"""SVG snapshots of every screen, drawn from recorded traces, so each is the same on every run.

The traces in assets/traces are real runs (``python scripts/record_traces.py
assets/traces``). A replay ``at`` a moment applies the trace up to that moment at
once: no clock, no lab, no /proc is involved in the picture. After re-recording or a
change to the screen, update with ``pytest tests/test_snapshots.py --snapshot-update``
and look at every changed SVG (rendered to PNG) before committing it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from gilviz.trace import read_trace
from gilviz.ui.app import GilvizApp

TRACES = Path(__file__).resolve().parent.parent / "assets" / "traces"
SIZE = (120, 36)


def trace(name):
    return read_trace(str(TRACES / (name + ".jsonl.gz")))


def after_the_end(t):
    return t.duration_s + 0.1


def mid_run(t, share=0.6):
    """A moment ``share`` of the way through the last run (the one the user asked for)."""
    run = t.runs[-1]
    return (run.t_start + share * (run.t_end - run.t_start)) / 1e9


SCREENS = [
    "seq-io",
    "threads-io",
    "seq-cpu",
    "threads-cpu",
    "procs-cpu",
    "procs-io",
    "pools-thread",
    "pools-process",
    "race-lock-off",
    "race-lock-on",
    "queue",
]


@pytest.mark.parametrize("name", SCREENS)
def test_each_scenario_after_its_run(name, snap_compare):
    t = trace(name)
    assert snap_compare(GilvizApp(trace=t, at=after_the_end(t)), terminal_size=SIZE)


@pytest.mark.parametrize("name", ["threads-cpu", "procs-cpu", "race-lock-on", "queue"])
def test_mid_run(name, snap_compare):
    t = trace(name)
    assert snap_compare(GilvizApp(trace=t, at=mid_run(t)), terminal_size=SIZE)


def test_help_screen(snap_compare):
    t = trace("threads-cpu")
    assert snap_compare(GilvizApp(trace=t, at=mid_run(t)), press=["question_mark"], terminal_size=SIZE)


def test_light_theme(snap_compare):
    t = trace("race-lock-off")
    assert snap_compare(GilvizApp(trace=t, at=after_the_end(t), theme="light"), terminal_size=SIZE)


def test_80x24(snap_compare):
    t = trace("threads-cpu")
    assert snap_compare(GilvizApp(trace=t, at=mid_run(t)), terminal_size=(80, 24))


def test_too_small_asks_for_a_bigger_terminal(snap_compare):
    t = trace("threads-cpu")
    assert snap_compare(GilvizApp(trace=t, at=mid_run(t)), terminal_size=(50, 14))
