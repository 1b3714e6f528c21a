"""No process is left behind: cancelled runs, a closed pipe, a SIGKILLed gilviz."""

import os
import signal
import subprocess
import sys
import threading
import time

import psutil
import pytest
from gilviz.lab.board import Board
from gilviz.labproc import LabProcess
from gilviz.measure import watch_run
from gilviz.model import RunConfig

from conftest import ROOT, wait_gone


def test_a_cancelled_run_stops_within_half_a_second():
    cancel = threading.Event()
    timer = threading.Timer(0.8, cancel.set)
    timer.start()
    started = time.monotonic()
    report = watch_run(RunConfig("threads-cpu", size="demo"), cancel=cancel)
    stopped = time.monotonic()
    timer.cancel()
    assert report.result["cancelled"] is True
    assert stopped - (started + 0.8) < 0.5 + 0.3  # the stop itself, plus ending the lab
    assert report.wall_s < 2.0  # the demo run alone takes over 2 s


def test_closing_the_pipe_ends_the_lab_and_its_workers():
    board = Board.create()
    lab = LabProcess(sys.executable, board.path)
    try:
        lab.expect("hello", 30)
        lab.send(RunConfig("procs-cpu", size="demo").command())
        deadline = time.monotonic() + 10
        while len([s for s in board.slots() if s.role == 2]) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        pids = [lab.pid] + [p.pid for p in psutil.Process(lab.pid).children(recursive=True)]
        assert len(pids) >= 3
        lab.proc.stdin.close()  # only the pipe: no killpg from this side
        assert wait_gone(pids) == []
    finally:
        lab.close()
        board.close()


@pytest.mark.parametrize("scenario", ["procs-cpu", "threads-cpu"])
def test_sigkill_of_gilviz_leaves_nothing_behind(scenario):
    proc = subprocess.Popen(
        [sys.executable, "-m", "gilviz", "run", scenario, "--size", "demo"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        want = 3 if scenario == "procs-cpu" else 1
        descendants = []
        while time.monotonic() < deadline:
            descendants = psutil.Process(proc.pid).children(recursive=True)
            if len(descendants) >= want:
                break
            time.sleep(0.02)
        assert len(descendants) >= want
        pids = [p.pid for p in descendants]
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert wait_gone(pids) == []
    finally:
        if proc.poll() is None:
            proc.kill()


def test_a_worker_process_killed_from_outside_is_reported_failed():
    killed = []

    def on_snapshot(snapshot):
        for lane in snapshot.lanes:
            if not killed and lane.kind == "process" and lane.phase == "cpu":
                os.kill(lane.pid, signal.SIGKILL)
                killed.append(lane.pid)

    report = watch_run(RunConfig("procs-cpu", size="demo"), on_snapshot=on_snapshot)
    assert killed
    (lane,) = [lane for lane in report.lanes if lane.pid == killed[0]]
    assert lane.phase == "failed" and lane.note == "killed by signal 9"
    assert [f["reason"] for f in report.result["failed"]] == ["killed by signal 9"]
