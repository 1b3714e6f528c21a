"""No descendant of a watched program survives a stopped watch, in its process group or not (the lab is a subreaper)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import psutil
import pytest

from conftest import ROOT, dashboard_in_a_pty


def escaped(marker: str) -> list[int]:
    """The processes still running ``sleep MARKER`` (not zombies)."""
    found = []
    for proc in psutil.process_iter(["cmdline", "status"]):
        if proc.info["cmdline"] == ["sleep", marker] and proc.info["status"] != psutil.STATUS_ZOMBIE:
            found.append(proc.pid)
    return found


def wait_until(check, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


def marker() -> str:
    return "777.%d%d" % (os.getpid(), time.monotonic_ns() % 1000)  # a sleep no one else runs


@pytest.mark.parametrize("ending", ["SIGINT", "SIGTERM", "SIGHUP", "SIGKILL"])
def test_a_stopped_json_watch_leaves_no_descendant_and_still_reports(ending):
    mark = marker()
    proc = subprocess.Popen(
        [sys.executable, "-m", "gilviz", "watch", "--json", "--", "bash", "-c", "setsid sleep %s & sleep 60" % mark],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_until(lambda: escaped(mark), 30, "the program's setsid child never started")
        time.sleep(0.3)  # the watch is under way
        proc.send_signal(getattr(signal, ending))
        out, err = proc.communicate(timeout=30)
        assert wait_until(lambda: not escaped(mark), 5, "sleep %s survived %s" % (mark, ending))
        if ending != "SIGKILL":
            doc = json.loads(out)
            assert doc["stopped"] is True and doc["left_behind"] == [], err
    finally:
        proc.kill()
        proc.wait()
        for pid in escaped(mark):
            os.kill(pid, signal.SIGKILL)


def test_a_program_that_ends_leaving_descendants_is_told_and_they_end_with_the_watch():
    mark = marker()
    out = subprocess.run(
        [sys.executable, "-m", "gilviz", "watch", "--json", "--", "bash", "-c", "setsid sleep %s & sleep 0.5" % mark],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    try:
        doc = json.loads(out.stdout)
        assert out.returncode == 0 and not doc["stopped"], out.stderr
        left = [entry for entry in doc["left_behind"] if entry["command"] == ["sleep", mark]]
        assert len(left) == 1 and left[0]["name"] == "sleep"
        assert "left 1 processes running: %d (sleep)" % left[0]["pid"] in out.stderr
        assert wait_until(lambda: not escaped(mark), 5, "the left-behind sleep outlived the watch")
    finally:
        for pid in escaped(mark):
            os.kill(pid, signal.SIGKILL)


@pytest.mark.parametrize("ending", ["q", "SIGTERM", "SIGHUP", "SIGKILL"])
def test_ending_the_dashboard_ends_a_descendant_in_another_session(ending, tmp_path):
    mark = marker()
    log = tmp_path / "out.log"
    try:
        with dashboard_in_a_pty("watch", "--log", str(log), "--", "bash", "-c", "setsid sleep %s & sleep 60" % mark) as (pid, fd):
            wait_until(lambda: escaped(mark), 30, "the program's setsid child never started")
            if ending == "q":  # pressed until the dashboard (it may still be starting) reads it and ends
                gone = wait_until(lambda: os.write(fd, b"q") and not escaped(mark), 10, "sleep %s survived q" % mark)
            else:
                os.kill(pid, getattr(signal, ending))
                gone = wait_until(lambda: not escaped(mark), 10, "sleep %s survived %s" % (mark, ending))
            assert gone
            os.waitpid(pid, 0)
    finally:
        for found in escaped(mark):
            os.kill(found, signal.SIGKILL)
