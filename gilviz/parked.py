"""A server-like program to measure the observer on: hundreds of parked threads, a few that work.

``gilviz bench`` watches it (the sampler with 256 and with 1,024 parked threads, and the
dashboard with 260 lanes): threads parked on a queue or an event, as a server's idle
handlers are, one thread that wakes every half second for 50 ms of CPU, and two that
compute all along. What the sampler costs there is what it costs on a real server.
"""

from __future__ import annotations

import sys
from typing import Callable

from gilviz.model import WatchConfig

PROGRAM = r"""
import queue, sys, threading, time
n, seconds = int(sys.argv[1]), float(sys.argv[2])
stop = threading.Event()
q = queue.Queue()

def parked(i):
    q.get() if i % 2 else stop.wait()

def bursty():
    while not stop.is_set():
        end = time.thread_time() + 0.05
        while time.thread_time() < end:
            pass
        stop.wait(0.5)

def cpu():
    while not stop.is_set():
        sum(range(10000))

threads = [threading.Thread(target=parked, args=(i,)) for i in range(n)]
threads += [threading.Thread(target=bursty)] + [threading.Thread(target=cpu) for _ in range(2)]
for t in threads:
    t.start()
time.sleep(seconds)
stop.set()
for _ in range(n):
    q.put(None)
for t in threads:
    t.join()
"""
PARKED_COUNTS = (256, 1024)
SECONDS = 6.0
TARGETS = {256: 0.03, 1024: 0.10}  # the sampler's CPU share (one core = 1) the issue asks for


def command(parked: int, seconds: float = SECONDS) -> list[str]:
    """The program with ``parked`` parked threads, running ``seconds``."""
    return [sys.executable, "-c", PROGRAM, str(parked), str(seconds)]


def sampler_rows(progress: Callable[[str], None] = lambda _: None) -> list[dict]:
    """The sampler's CPU share while watching the program with 256, then 1,024 parked threads."""
    from gilviz.watch import watch_program

    rows = []
    for parked in PARKED_COUNTS:
        progress("measuring the sampler with %d parked threads …" % parked)
        report = watch_program(WatchConfig(tuple(command(parked)), output="/dev/null"))
        rows.append(
            {
                "parked": parked,
                "sampler_cpu": report.sampler_cpu_s / report.wall_s,
                "calm": report.sampler_calm_ticks / max(1, report.sampler_ticks),
                "wall_s": report.wall_s,
                "target": TARGETS[parked],
            }
        )
    return rows
