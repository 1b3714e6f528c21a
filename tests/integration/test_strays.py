"""No stray process, however gilviz ends: the dashboard in a pseudo-terminal, and a headless run.

Each case starts gilviz, waits until its lab and the lab's workers are running, ends
gilviz one way (q, ctrl+c, SIGTERM, SIGHUP as when the terminal closes, SIGINT, SIGKILL)
and checks with psutil that none of its descendants is alive 3 s later.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import psutil
import pytest

from conftest import ROOT, command_line, dashboard_in_a_pty, poll, wait_gone


def descendants(pid):
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def wait_for_workers(pid, count, timeout=30.0):
    """The lab and at least ``count`` processes under it (its workers), as psutil sees them."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        procs = descendants(pid)
        labs = [p for p in procs if "gilviz.lab" in command_line(p)]
        if labs and len(descendants(labs[0].pid)) >= count:
            return procs + descendants(labs[0].pid)
        time.sleep(0.05)
    raise AssertionError("the lab's workers did not start")


ENDINGS = ["q", "ctrl+c", "SIGTERM", "SIGHUP", "SIGKILL"]


@pytest.mark.parametrize("ending", ENDINGS)
def test_the_dashboard_leaves_nothing_behind(ending, tmp_path):
    trace = tmp_path / "session.jsonl"
    with dashboard_in_a_pty("--scenario", "procs-cpu", "--workers", "4", "--record", str(trace)) as (pid, fd):
        procs = wait_for_workers(pid, 4)
        partial = tmp_path / "session.jsonl.partial"
        assert poll(lambda: partial.exists() and partial.stat().st_size > 0, 10)  # the recording has begun
        if ending in ("q", "ctrl+c"):
            os.write(fd, b"q" if ending == "q" else b"\x03")
        else:
            os.kill(pid, getattr(signal, ending))
        assert wait_gone([p.pid for p in procs], 3.0) == []
        _, status = os.waitpid(pid, 0)
    if ending != "SIGKILL":  # ended cleanly: the recording has its name, and whatever ran is in it
        assert trace.exists() and not (tmp_path / "session.jsonl.partial").exists()
    else:  # no chance to rename it, but nothing recorded is lost
        assert (tmp_path / "session.jsonl.partial").stat().st_size > 0


@pytest.mark.parametrize("sig", ["SIGINT", "SIGTERM", "SIGHUP", "SIGKILL"])
def test_a_headless_run_leaves_nothing_behind(sig):
    proc = subprocess.Popen(
        [sys.executable, "-m", "gilviz", "run", "procs-cpu", "--workers", "4"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        procs = wait_for_workers(proc.pid, 4)
        proc.send_signal(getattr(signal, sig))
        assert wait_gone([p.pid for p in procs], 3.0) == []
        proc.wait(10)
    finally:
        proc.kill()
