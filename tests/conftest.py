"""Shared helpers for the tests."""

from __future__ import annotations

import asyncio
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
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil
import pytest

ROOT = Path(__file__).resolve().parent.parent


def gilviz(*args: str, timeout: float = 120, **kwargs) -> subprocess.CompletedProcess:
    """Run the gilviz command line in a fresh interpreter."""
    return subprocess.run(
        [sys.executable, "-m", "gilviz", *args], capture_output=True, text=True, timeout=timeout, cwd=ROOT, **kwargs
    )


@pytest.fixture
def board():
    from gilviz.lab.board import Board

    b = Board.create()
    yield b
    b.close()


def pyenv_python(version_prefix: str) -> str | None:
    """A pyenv-installed interpreter of that version, if this machine has one."""
    root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    if not root.is_dir():
        return None
    for candidate in sorted(root.glob(version_prefix + "*"), reverse=True):
        exe = candidate / "bin" / "python"
        if exe.exists():
            return str(exe)
    return None


def command_line(proc) -> str:
    try:
        return " ".join(proc.cmdline())
    except psutil.Error:  # gone, or a zombie, between listing and asking
        return ""


def lab_children() -> list:
    """This test process's gilviz labs that are still there."""
    return [p for p in psutil.Process().children(recursive=True) if "gilviz.lab" in command_line(p)]


def alive(pids) -> list[int]:
    """The pids still running (a zombie has ended; only its exit status waits to be read)."""
    left = []
    for pid in pids:
        try:
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                left.append(pid)
        except psutil.NoSuchProcess:  # ZombieProcess is one too
            pass
    return left


def wait_gone(pids, seconds=2.0) -> list[int]:
    """Wait up to ``seconds`` for every pid to end; the ones still running."""
    deadline = time.monotonic() + seconds
    while alive(pids) and time.monotonic() < deadline:
        time.sleep(0.02)
    return alive(pids)


POLL_S = 0.02


def poll(check, seconds: float):
    """Call ``check()`` until it returns something true or ``seconds`` have passed; its last value."""
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(POLL_S)


async def poll_async(check, seconds: float):
    """``poll`` for a test inside the app's event loop: it waits with ``asyncio.sleep``, so the app runs on."""
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value or time.monotonic() >= deadline:
            return value
        await asyncio.sleep(POLL_S)


def labs_gone(seconds: float) -> list:
    """Wait up to ``seconds`` for this test process's labs to end; the ones still there."""
    poll(lambda: not lab_children(), seconds)
    return lab_children()


@contextmanager
def dashboard_in_a_pty(*args: str) -> Iterator[tuple[int, int]]:
    """gilviz's dashboard on a 120×36 pseudo-terminal, its output drained so it never blocks: (pid, fd).

    Afterwards the terminal is closed and gilviz killed, whatever the block did to it."""
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
    try:
        yield pid, fd
    finally:
        os.close(fd)
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


TRACES = ROOT / "assets" / "traces"


def trace(name: str):
    """A recorded trace of assets/traces, by its name."""
    from gilviz.trace import read_trace

    return read_trace(str(TRACES / (name + ".jsonl.gz")))


async def until(pilot, condition, timeout: float = 30.0) -> None:
    """In a pilot: wait, frame by frame, until ``condition()`` holds (failing after ``timeout`` seconds)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await pilot.pause(0.05)


def lane_lines(app) -> list[str]:
    """The lanes panel's lines as text (one per screen line)."""
    lanes = app.query_one("#lanes")
    return [lanes.render_line(y).text for y in range(lanes.size.height)]


@pytest.fixture(scope="module")
def session():
    """One session for a module's scenario runs (it keeps each scenario's baseline for the next)."""
    from gilviz.measure import Session

    return Session()


def workers(report):
    """A run report's worker lanes."""
    return [lane for lane in report.lanes if lane.role == "worker"]
