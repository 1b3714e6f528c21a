"""Failures inside the lab: a worker that raises, a lab that writes garbage. gilviz says so and goes on.

Faults are injected from outside, through the interpreter the lab runs under (the same
door as ``--python``): a small wrapper script that breaks the textbook's ``count`` for
one worker, or that is not the lab at all.
"""

from __future__ import annotations

import os
import stat
import sys
import time

import pytest
from gilviz.measure import Session, watch_run
from gilviz.model import RunConfig
from gilviz.ui.app import scenario_app

from conftest import ROOT, labs_gone

BREAK_WORKER_2 = """#!/bin/sh
exec "{python}" -c '
import sys, runpy, threading
import gilviz.lab.scenarios  # takes the real source for display first
import gilviz.lab.textbook as textbook
real = textbook.count
def count(n):
    if threading.current_thread().name == "worker-2":
        raise ZeroDivisionError("injected by the test")
    return real(n)
textbook.count = count
sys.argv = ["gilviz.lab"] + sys.argv[sys.argv.index("gilviz.lab") + 1 :]  # drop what starts the lab (-I -c BOOT ...)
runpy.run_module("gilviz.lab", run_name="__main__", alter_sys=True)
' "$@"
"""

GARBAGE = """#!/bin/sh
echo "this is not JSON"
sleep 5
"""


def script(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text.format(python=sys.executable))
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


@pytest.fixture
def env_path(monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))


def test_a_worker_that_raises_is_a_failed_lane_with_its_reason(tmp_path, env_path):
    python = script(tmp_path, "python", BREAK_WORKER_2)
    report = watch_run(RunConfig("threads-cpu", size="tiny", python=python))
    failed = {f["name"]: f["reason"] for f in report.result["failed"]}
    assert "ZeroDivisionError: injected by the test" in failed["worker-2"]
    lanes = {lane.name: lane for lane in report.lanes}
    assert lanes["worker-2"].phase == "failed" and "injected" in lanes["worker-2"].note
    assert lanes["worker-1"].phase == "done"  # the other worker finished its work


def test_a_lab_that_writes_garbage_is_a_clear_error(tmp_path):
    python = script(tmp_path, "python", GARBAGE)
    started = time.monotonic()
    with pytest.raises(Exception, match="not an event"):
        Session().run(RunConfig("race", size="tiny", python=python))
    assert time.monotonic() - started < 5  # it did not wait for the garbage writer to finish


async def test_the_dashboard_reports_both_and_keeps_working(tmp_path, env_path):
    from test_app import until

    app = scenario_app(RunConfig("race", size="tiny", python=script(tmp_path, "garbage", GARBAGE)))
    async with app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: app.state.status == "failed", timeout=15)
        assert any("not an event" in str(n.message) for n in app._notifications)
        app.source.config = RunConfig("threads-cpu", size="tiny", python=script(tmp_path, "python", BREAK_WORKER_2))
        await pilot.press("r")
        await until(pilot, lambda: app.state.reports, timeout=30)
        assert "FAILED" in str(app.query_one("#results").render())
        assert any("injected by the test" in str(n.message) for n in app._notifications)
        lanes = app.query_one("#lanes").snapshot.lanes
        assert [lane.phase for lane in lanes if lane.name == "worker-2"] == ["failed"]
        await pilot.press("q")


HANG_WORKER_2 = BREAK_WORKER_2.replace('raise ZeroDivisionError("injected by the test")', "time.sleep(3600)").replace(
    "import sys, runpy, threading", "import sys, runpy, threading, time"
)


def test_a_hung_worker_does_not_hang_gilviz_and_leaves_nothing(tmp_path, env_path):
    """A worker that never checks the stop flag: cancelling gives up on it after the grace period and kills the lab."""
    import threading

    from gilviz.labproc import LabError

    python = script(tmp_path, "python", HANG_WORKER_2)
    cancel = threading.Event()
    timer = threading.Timer(1.0, cancel.set)
    timer.start()
    started = time.monotonic()
    with pytest.raises(LabError, match="did not stop"):
        watch_run(RunConfig("threads-cpu", size="tiny", python=python), cancel=cancel)
    assert time.monotonic() - started < 1.0 + 2.0 + 1.5  # asked at 1 s, gave up 2 s later, lab ended
    assert labs_gone(0.5) == []
