"""Per-thread readings from /proc and from psutil, and the sampler on a real thread."""

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from gilviz.probe.sampler import Sampler
from gilviz.probe.threadstats import ProcfsThreadStats, PsutilThreadStats, thread_stats
from gilviz.states import STATES
from gilviz.timeline import Timeline

from conftest import ROOT, poll

needs_procfs = pytest.mark.skipif(not ProcfsThreadStats.available(), reason="no /proc on this system")


def spin(seconds):
    """``seconds`` of this thread's CPU time, however busy the machine is."""
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        pass


@needs_procfs
def test_procfs_counts_cpu_of_a_busy_thread():
    stats = ProcfsThreadStats()
    tid = threading.get_native_id()
    before = stats.read(os.getpid(), tid)
    spin(0.05)
    after = stats.read(os.getpid(), tid)
    assert before is not None and after is not None
    assert after.cpu_ns - before.cpu_ns >= 45_000_000  # the same kernel counter as thread_time's
    assert stats.voluntary_switches(os.getpid(), tid) is not None
    stats.close()


@needs_procfs
def test_a_vanished_thread_reads_as_none():
    stats = ProcfsThreadStats()
    box = {}
    t = threading.Thread(target=lambda: box.setdefault("tid", threading.get_native_id()))
    t.start()
    t.join()  # returns as the thread lets go of Python; the kernel's thread may take a moment longer to go
    deadline = time.monotonic() + 2
    while stats.read(os.getpid(), box["tid"]) is not None:
        assert time.monotonic() < deadline, "the thread is still in /proc 2 s after it was joined"
        time.sleep(0.001)
    assert stats.voluntary_switches(os.getpid(), box["tid"]) is None


def test_psutil_fallback_is_coarse_and_counts_cpu():
    stats = PsutilThreadStats()
    assert stats.coarse
    tid = threading.get_native_id()
    before = stats.read(os.getpid(), tid)
    spin(0.1)
    after = stats.read(os.getpid(), tid)
    assert after is not None and before is not None and after.runqueue_ns == 0
    assert after.cpu_ns - before.cpu_ns >= 50_000_000


def test_fallback_can_be_forced(monkeypatch):
    assert isinstance(thread_stats(force_fallback=True), PsutilThreadStats)
    monkeypatch.setenv("GILVIZ_NO_PROCFS", "1")
    assert isinstance(thread_stats(), PsutilThreadStats)


CHILD = """
import os, sys, threading, time
from gilviz.lab import protocol
from gilviz.lab.board import Board
board = Board.attach(sys.argv[1])
go = threading.Event()

def spin(seconds):
    # its CPU time: 0.4 s on a CPU however busy the machine is
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        pass

def worker(slot, phase, body):
    board.register(slot, os.getpid(), threading.get_native_id(), protocol.THREAD, protocol.WORKER, "w%d" % slot)
    board.set_phase(slot, phase)
    go.wait()
    body()
    board.set_phase(slot, protocol.DONE)

threads = [
    threading.Thread(target=worker, args=(1, protocol.CPU, lambda: spin(0.4))),
    threading.Thread(target=worker, args=(2, protocol.IO, lambda: time.sleep(0.4))),
]
for t in threads:
    t.start()
sys.stdin.readline()
go.set()  # they start, then the window does: a busy machine's delay in waking them is not in it
board.mark_started()
for t in threads:
    t.join()
board.mark_finished()
"""


@contextmanager
def sampling(board, child, workers: int, **options) -> Iterator[tuple[Sampler, Timeline]]:
    """Once the child's workers are on the board: a sampler started on it and the child told to go; after
    the block, the child must end well and the sampler is stopped (the child is killed however it ends)."""
    try:
        while len(board.slots()) < workers:
            time.sleep(0.001)
        timeline = Timeline()
        sampler = Sampler(board, timeline, **options)
        sampler.start()
        child.stdin.write("go\n")
        child.stdin.flush()
        yield sampler, timeline
        assert child.wait(timeout=20) == 0
        sampler.stop()
        sampler.close()
    finally:
        child.kill()
        child.wait()


@pytest.mark.parametrize("fallback", [False, True])
def test_sampler_sees_a_busy_and_a_sleeping_thread(board, fallback):
    """The workload in another process, as in gilviz: one thread spins, one sleeps."""
    if not fallback and not ProcfsThreadStats.available():
        pytest.skip("no /proc")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    child = subprocess.Popen([sys.executable, "-c", CHILD, board.path], stdin=subprocess.PIPE, env=env, text=True)
    with sampling(board, child, 2, force_fallback=fallback) as (sampler, timeline):
        pass
    snap = timeline.snapshot()
    assert snap.coarse is fallback
    busy, sleeper = snap.lanes
    window = snap.window[1] - snap.window[0]
    assert window > 0.35
    running, io = STATES.index("running"), STATES.index("io")
    # in seconds, what a busy machine keeps: the spinner ran 0.4 s of CPU and never slept; the sleeper slept
    # 0.4 s and hardly ran (psutil's fallback reads CPU time in 10 ms ticks)
    # (they start as they are told to go, a moment before the window does: on a busy machine, up to a few tenths)
    assert 0.2 <= busy.run_times[running] <= 0.45 and busy.run_times[io] < 0.02, busy.run_times
    assert 0.2 <= sleeper.run_times[io] <= 0.45 + 0.1 and sleeper.run_times[running] < 0.03, sleeper.run_times
    assert sampler.ticks > 10


STEADY = "import threading, time\nts = [threading.Thread(target=time.sleep, args=(1.0,)) for _ in range(2)]\n"
STEADY += "[t.start() for t in ts]\n[t.join() for t in ts]\n"
TURNS = "import threading, time\nlock = threading.Lock()\ndef turns():\n    end = time.monotonic() + 1.0\n"
TURNS += "    while time.monotonic() < end:\n        with lock:\n            time.sleep(0.01)\n"
TURNS += "ts = [threading.Thread(target=turns) for _ in range(2)]\n[t.start() for t in ts]\n[t.join() for t in ts]\n"


def sampled(program: str):
    from gilviz.probe.watchlist import ProcessTreeWatchList

    child = subprocess.Popen([sys.executable, "-c", program])
    try:
        timeline = Timeline()
        watch = ProcessTreeWatchList(child.pid)
        watch.mark_started(time.monotonic_ns())
        sampler = Sampler(watch, timeline)
        sampler.start()
        child.wait(timeout=20)
        watch.mark_finished()
        sampler.stop()
        sampler.close()
    finally:
        child.kill()
        child.wait()
    return sampler, timeline.snapshot()


@needs_procfs
def test_the_sampler_slows_down_while_every_wait_stays_the_same_and_names_it_the_same():
    sampler, snap = sampled(STEADY)
    assert sampler.calm_interval_s > sampler.interval_s
    window = snap.window[1] - snap.window[0]
    assert sampler.calm_ticks * sampler.calm_interval_s > window / 2  # two sleepers and a joining main thread: nothing changes
    sleepers = [lane for lane in snap.lanes if lane.waits and "sleep" in lane.waits[0][0]]
    assert len(sleepers) == 2 and all(lived_io(lane, window) > 0.9 for lane in sleepers)  # named as at the full rate


def lived_io(lane, window: float) -> float:
    """Its I/O share of the time it lived in the window (the program's start-up is before its threads')."""
    s = lane.shares(window)
    life = 1 - s["not_started"] - s["done"] - s["unseen"]
    return s["io"] / life if life > 0 else 0.0


@needs_procfs
def test_the_sampler_keeps_its_full_rate_while_waits_change():
    """Two threads taking turns with a lock held across a 10 ms sleep: each is in a lock wait, then asleep."""
    sampler, snap = sampled(TURNS)
    assert sampler.calm_ticks < sampler.ticks / 3


LAST_MOMENTS = """
import os, sys, threading, time
from gilviz.lab import protocol
from gilviz.lab.board import Board
board = Board.attach(sys.argv[1])
go = threading.Event()

def worker():
    board.register(1, os.getpid(), threading.get_native_id(), protocol.THREAD, protocol.WORKER, "w1")
    board.set_phase(1, protocol.CPU)
    go.wait()
    end = time.thread_time() + 0.3  # 0.3 s on a CPU, however busy the machine
    while time.thread_time() < end:
        pass
    print(time.thread_time(), flush=True)
    board.finish(1)

t = threading.Thread(target=worker)
t.start()
sys.stdin.readline()
board.mark_started()
go.set()
t.join()
sys.stdin.readline()
board.mark_finished()
"""


@needs_procfs
def test_a_lab_worker_that_exits_between_two_ticks_keeps_its_last_moments_as_running(board):
    """A tick every second; the worker spins 0.3 s and exits before the second tick. /proc cannot be
    read after it exits, so only the CPU time it wrote on the board as it finished says it ran."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    child = subprocess.Popen(
        [sys.executable, "-c", LAST_MOMENTS, board.path], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, text=True
    )
    with sampling(board, child, 1, interval_s=1.0) as (sampler, timeline):
        cpu_s = float(child.stdout.readline())  # the worker's own CPU time as it finished
        ticks = sampler.ticks
        assert poll(lambda: sampler.ticks > ticks, 5)  # a tick after it exited
        child.stdin.write("end\n")
        child.stdin.flush()
    (worker,) = timeline.snapshot().lanes
    running = worker.run_times[STATES.index("running")]
    assert cpu_s > 0.2 and abs(running - cpu_s) < 0.02, (running, cpu_s)
