"""What reading the GIL from memory costs the sampler: a ``gilviz bench`` row (no textual).

Two spinning threads run in a child interpreter (this one); a ``GilWatch`` finds their
GIL, then reads it at 100 Hz for a second, as the sampler does on every tick: one
32-byte ``pread`` of ``/proc/PID/mem``, and one of the holder's syscall file when it was
not on a CPU for most of the tick (the sampler's own counters say). The CPU
time those reads add, divided by the wall time, is the cost in cores (the issue's
limit: 0.005 of a core at 100 Hz): the same paced loop without the reads is timed in
turn and taken off, since waking 100 times a second costs the sampler its own CPU
whatever it reads. Finding the struct (once per process) is timed apart.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from types import SimpleNamespace

from gilviz.probe.gil_address import locate_gil
from gilviz.probe.gil_watch import RAN_FROM, GilWatch
from gilviz.probe.threadstats import thread_stats
from gilviz.timeline import Timeline

LIMIT = 0.005  # of a core, at 100 Hz
RATE_HZ = 100
ROUNDS = 4  # alternating loops with and without the reads (the machine's load drifts)
SPINNERS = "import threading, time\nend = time.monotonic() + %g\ndef spin():\n    while time.monotonic() < end: pass\n"
SPINNERS += "ts = [threading.Thread(target=spin) for _ in range(2)]\n[t.start() for t in ts]\n[t.join() for t in ts]\n"


class _Counted(Timeline):
    """A timeline that also counts what the watch hands it."""

    def __init__(self) -> None:
        super().__init__()
        self.readings = 0
        self.readable = False

    def add_gil(self, *args) -> None:
        self.readings += 1
        super().add_gil(*args)

    def set_gil_state(self, pid: int, readable: bool, detail: str) -> None:
        self.readable = readable
        super().set_gil_state(pid, readable, detail)


def _threads(pid: int, count: int, timeout_s: float) -> list[int]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            tids = sorted(int(t) for t in os.listdir("/proc/%d/task" % pid))
        except OSError:
            return []
        if len(tids) >= count:
            return tids
        time.sleep(0.01)
    return []


def _paced(work, seconds: float) -> tuple[float, float]:
    """Call ``work`` RATE_HZ times a second for ``seconds``, waking from a sleep each time as the sampler does:
    (CPU seconds, wall seconds). The sleeps pace the loop; they synchronise nothing."""
    cpu0, start = time.thread_time(), time.monotonic()
    next_tick = start
    for _ in range(max(1, int(seconds * RATE_HZ))):
        work()
        next_tick += 1 / RATE_HZ
        time.sleep(max(0.0, next_tick - time.monotonic()))
    return time.thread_time() - cpu0, time.monotonic() - start


def gil_read_cost(seconds: float = 1.0) -> dict:
    """{"cpu_share", "limit", "readings", "find_ms", "detail"}: cpu_share None when the GIL could not be read here."""
    child = subprocess.Popen([sys.executable, "-c", SPINNERS % (seconds + 5)])
    stats = thread_stats()
    watch = GilWatch(stats)
    sink = _Counted()
    sink.set_window(time.monotonic_ns(), 0)  # the readings count as inside a run, as they would
    try:
        tids = _threads(child.pid, 3, 5.0)
        lanes = {
            slot: SimpleNamespace(pid=child.pid, tid=tid, gone=False, cpu_ns=0, t=0, busy=False) for slot, tid in enumerate(tids)
        }

        def counters() -> None:  # the sampler's own reads, in both loops: the GIL's come on top of them
            now = time.monotonic_ns()
            for lane in lanes.values():
                times = stats.read(lane.pid, lane.tid)
                if times is not None:  # on a CPU for most of the interval: as the sampler tells its ``busy``
                    lane.busy = now > lane.t and times[0] - lane.cpu_ns >= RAN_FROM * (now - lane.t)
                    lane.cpu_ns, lane.t = times[0], now

        def tick() -> None:
            counters()
            watch.tick(time.monotonic_ns(), lanes, locations, sink)

        locations = {child.pid: locate_gil(child.pid)}
        cpu0, deadline = time.thread_time(), time.monotonic() + 3.0
        while not sink.readable and time.monotonic() < deadline:
            watch.tick(time.monotonic_ns(), lanes, locations, sink)
        find_s = time.thread_time() - cpu0
        if not sink.readable:
            return {"cpu_share": None, "limit": LIMIT, "readings": 0, "find_ms": None, "detail": locations[child.pid].detail}
        added = wall = 0.0
        for _ in range(ROUNDS):  # with the reads, then the same paced loop without: the difference is theirs
            with_s, wall_s = _paced(tick, seconds / ROUNDS)
            without_s, _ = _paced(counters, seconds / ROUNDS)
            added += with_s - without_s
            wall += wall_s
        share = max(0.0, added / wall)
        return {"cpu_share": share, "limit": LIMIT, "readings": sink.readings, "find_ms": find_s * 1000, "detail": ""}
    finally:
        watch.close()
        stats.close()
        child.kill()
        child.wait()
