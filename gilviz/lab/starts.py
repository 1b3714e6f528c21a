"""What starting a process costs with each start method.

For fork, spawn and forkserver in turn, ``textbook.start_and_join`` (a process whose
target does nothing, started and joined) is timed ``size.starts`` times; the figure is
the median seconds per start, so the forkserver's first start, which also starts the
server, does not decide it (it is reported apart, as ``first``). A method this platform
lacks (fork on Windows) is ``None`` with the reason. The started processes live a few
milliseconds and are not lanes; the lab's main thread is the one lane, waiting on them.
"""

from __future__ import annotations

import statistics
import time

from gilviz.lab import protocol, textbook
from gilviz.lab.sizes import START_METHODS
from gilviz.lab.workers import MAIN_SLOT, describe

METHODS = START_METHODS


def run(r) -> float:
    """The start-methods scenario for a ``drivers.Run``; returns the wall time of every start."""
    import multiprocessing  # here, as drivers does: importing it aliases __main__ as __mp_main__

    board, starts = r.board, r.size.starts
    available = multiprocessing.get_all_start_methods()
    medians: dict = {}
    first: dict = {}
    unavailable: dict = {}
    board.set_progress(MAIN_SLOT, 0, total=starts * len(METHODS))
    board.set_phase(MAIN_SLOT, protocol.JOIN)

    def body() -> None:
        done = 0
        for method in METHODS:
            if method not in available:
                medians[method] = None
                unavailable[method] = "not available on this platform (%s)" % ", ".join(available)
                continue
            times = []
            try:
                for _ in range(starts):
                    if board.stop_requested():
                        break
                    t0 = time.perf_counter()
                    textbook.start_and_join(method)
                    times.append(time.perf_counter() - t0)
                    done += 1
                    board.set_progress(MAIN_SLOT, done)
            except Exception as exc:  # a method that fails here is reported, the others still run
                unavailable[method] = "failed: %s" % describe(exc)
                times = []
            medians[method] = statistics.median(times) if times else None
            first[method] = times[0] if times else None

    wall = r.timed(body)
    for method in METHODS:
        medians.setdefault(method, None)  # not reached: the run was stopped
    r.record("start_methods", dict(medians, starts=starts, first=first, unavailable=unavailable))
    return wall
