"""A free-threaded interpreter (no GIL): the theory changes, the race does not.

Needs the path of a free-threaded CPython (3.13t or later) in GILVIZ_FT_PYTHON, e.g.
``GILVIZ_FT_PYTHON=/opt/python3.13t/bin/python3.13t``; skipped without it.
"""

import os

import pytest
from gilviz.model import RunConfig

FT_PYTHON = os.environ.get("GILVIZ_FT_PYTHON")
pytestmark = pytest.mark.skipif(not FT_PYTHON, reason="set GILVIZ_FT_PYTHON to a free-threaded python to run these")
TINY = "tiny"


def run(session, scenario, **kwargs):
    assert FT_PYTHON is not None
    return session.run(RunConfig(scenario, size=TINY, python=FT_PYTHON, **kwargs))


def test_the_lab_says_the_gil_is_off_and_cpu_threads_are_held_to_the_cores(session):
    report = run(session, "threads-cpu")
    assert report.python["free_threaded_build"] is True and report.python["gil_enabled"] is False
    assert report.result["gil_enabled"] is False  # still off after the run's imports
    assert report.theory == float(min(2, report.cores))


def test_c_threads_theory_is_the_cores_too(session):
    report = run(session, "c-threads")
    assert report.result["gil_enabled"] is False
    assert report.theory == float(min(2, report.cores))
    assert report.baseline is not None and report.baseline.config.scenario == "seq-hash"


def test_the_race_still_loses_updates_without_the_lock_and_none_with_it(session):
    off = run(session, "race")
    assert off.python["gil_enabled"] is False and off.result["race"]["lost"] > 0
    on = run(session, "race", lock=True)
    assert on.result["race"]["lost"] == 0 and on.result["race"]["expected"] > 0


def test_convoy_without_a_gil_is_held_to_the_round_trip_alone(session):
    from gilviz.figures import measured

    report = run(session, "convoy")
    convoy = report.result["convoy"]
    figure = measured(report)
    assert figure.theory == convoy["alone_mean_ms"] and figure.measured == convoy["with_cpu_mean_ms"]


def test_no_gil_wait_is_ever_shown_without_a_gil(session):
    """The kernel still sees futex waits (locks, joins), but none is taken for the GIL."""
    report = run(session, "threads-cpu", workers=4)
    assert report.snapshot.gil and all(known and "GIL disabled" in detail for _, detail, known in report.snapshot.gil)
    assert all(lane.shares(report.window_s)["gil_wait"] == 0 for lane in report.lanes)


def test_a_watched_free_threaded_program_shows_no_gil_wait():
    import json
    import subprocess
    import sys

    from conftest import ROOT

    program = "import threading\ndef count(n):\n    for _ in range(n): x = 1 + 1\n"
    program += "ts = [threading.Thread(target=count, args=(10_000_000,)) for _ in range(3)]\n"
    program += "[t.start() for t in ts]\n[t.join() for t in ts]"
    out = subprocess.run(
        [sys.executable, "-m", "gilviz", "watch", "--json", "--", FT_PYTHON, "-c", program],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    doc = json.loads(out.stdout)
    assert doc["python"]["free_threaded_build"] and doc["python"]["gil_enabled"] is False
    assert "GIL disabled" in doc["waits_named_by"]["gil"][0]["detail"]
    assert len(doc["lanes"]) >= 2  # the main thread and at least one counting thread were seen
    assert all(lane["shares"]["gil_wait"] == 0 for lane in doc["lanes"])
