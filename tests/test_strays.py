"""No stray process, however gilviz ends: the dashboard in a pseudo-terminal, and a headless run.

Each case starts gilviz, waits until its lab and the lab's workers are running, ends
gilviz one way (q, ctrl+c, SIGTERM, SIGHUP as when the terminal closes, SIGINT, SIGKILL)
and checks with psutil that none of its descendants is alive 3 s later.
"""

from __future__ import annotations

import fcntl
import os
import pty
import signal
import struct
import subprocess
import sys
import termios
import threading
import time

import psutil
import pytest

from conftest import ROOT, command_line, poll, wait_gone


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


def dashboard_in_a_pty(*args):
    """gilviz's dashboard on a 120×36 pseudo-terminal; its output is drained so it never blocks."""
    env = dict(os.environ, TERM="xterm-256color", PYTHONPATH=str(ROOT))
    pid, fd = pty.fork()
    if pid == 0:  # the child: become gilviz
        os.execve(sys.executable, [sys.executable, "-m", "gilviz", *args], env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 36, 120, 0, 0))

    def drain():
        try:
            while os.read(fd, 65536):
                pass
        except OSError:
            pass

    threading.Thread(target=drain, daemon=True).start()
    return pid, fd


ENDINGS = ["q", "ctrl+c", "SIGTERM", "SIGHUP", "SIGKILL"]


@pytest.mark.parametrize("ending", ENDINGS)
def test_the_dashboard_leaves_nothing_behind(ending, tmp_path):
    trace = tmp_path / "session.jsonl"
    pid, fd = dashboard_in_a_pty("--scenario", "procs-cpu", "--workers", "4", "--record", str(trace))
    try:
        procs = wait_for_workers(pid, 4)
        partial = tmp_path / "session.jsonl.partial"
        assert poll(lambda: partial.exists() and partial.stat().st_size > 0, 10)  # the recording has begun
        if ending in ("q", "ctrl+c"):
            os.write(fd, b"q" if ending == "q" else b"\x03")
        else:
            os.kill(pid, getattr(signal, ending))
        assert wait_gone([p.pid for p in procs], 3.0) == []
        _, status = os.waitpid(pid, 0)
    finally:
        os.close(fd)
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
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
