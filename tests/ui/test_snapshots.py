"""SVG snapshots of every screen, drawn from recorded traces, so each is the same on every run.

The traces in assets/traces are real runs (``python scripts/record_traces.py
assets/traces``). A replay ``at`` a moment applies the trace up to that moment at
once: no clock, no lab, no /proc is involved in the picture. After re-recording or a
change to the screen, update with ``pytest tests/ui/test_snapshots.py --snapshot-update``
and look at every changed SVG (rendered to PNG) before committing it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from gilviz.ui.app import replay_app

from conftest import trace

TRACES = Path(__file__).resolve().parents[2] / "assets" / "traces"
SIZE = (120, 36)


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
    "seq-hash",
    "c-threads",
    "asyncio",
    "convoy",
    "oversubscribed",
    "start-methods",
    "threads-cpu-slow",
    "watch-busy-server",
    "watch-pyenv-shim",  # started as `~/.pyenv/shims/python3`: the program's rows, none of the shim's shells
]


@pytest.mark.parametrize("name", SCREENS)
def test_each_scenario_after_its_run(name, snap_compare):
    t = trace(name)
    assert snap_compare(replay_app(t, at=t.after_end_s), terminal_size=SIZE)


@pytest.mark.parametrize("name", ["threads-cpu", "procs-cpu", "race-lock-on", "queue"])
def test_mid_run(name, snap_compare):
    t = trace(name)
    assert snap_compare(replay_app(t, at=t.mid_run_s()), terminal_size=SIZE)


@pytest.mark.parametrize("name", ["watch-busy-server", "c-threads", "convoy", "watch-pyenv-shim"])
def test_mid_run_new_screens(name, snap_compare):
    t = trace(name)
    assert snap_compare(replay_app(t, at=t.mid_run_s()), terminal_size=SIZE)


def test_compare_two_runs(snap_compare):
    t = trace("threads-then-procs")
    first = next(r.config for r in t.runs if not r.start.get("as_baseline"))
    assert snap_compare(replay_app(t, at=t.after_end_s, pin=first), terminal_size=(160, 45))


def test_presenter_mode(snap_compare):
    t = trace("race-off-then-on")
    assert snap_compare(replay_app(t, at=t.after_end_s, present=True), terminal_size=SIZE)


def test_200x50_fills_the_screen(snap_compare):
    t = trace("threads-cpu")
    assert snap_compare(replay_app(t, at=t.after_end_s), terminal_size=(200, 50))


def test_help_screen(snap_compare):
    t = trace("threads-cpu")
    assert snap_compare(replay_app(t, at=t.mid_run_s()), press=["question_mark"], terminal_size=SIZE)


def test_light_theme(snap_compare):
    t = trace("race-lock-off")
    assert snap_compare(replay_app(t, at=t.after_end_s, theme="light"), terminal_size=SIZE)


def test_80x24(snap_compare):
    t = trace("threads-cpu")
    assert snap_compare(replay_app(t, at=t.mid_run_s()), terminal_size=(80, 24))


def test_too_small_asks_for_a_bigger_terminal(snap_compare):
    t = trace("threads-cpu")
    assert snap_compare(replay_app(t, at=t.mid_run_s()), terminal_size=(50, 14))
