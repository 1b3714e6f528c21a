"""The asyncio lesson: many waits in one thread, compared with a thread per wait.

The timed part is what a learner would time: ``asyncio.run`` of ``asyncio.gather`` over
``workers`` tasks, each awaiting ``asyncio.sleep(S)``, in the lab's main thread (the one
lane: the event loop). The loop also wakes every 20 ms to see whether the run was
stopped, and cancels the gather if so.

Then, in the same run but after the timed window, the same number of waits is done with
one thread each (these threads are not lanes: there can be thousands). Each waits S
seconds in one call, ``Event.wait(S)``, which the lab cuts short if the run is stopped:
``wait_io`` in 50 ms chunks, as threads-io has it, would wake a thousand threads twenty
times a second each and make the threads look slower than they are. Both are measured the same way: wall time, and at the
moment the most waits are under way, the threads the kernel counts for this process
(``/proc/self/status``) and its resident memory (``/proc/self/statm``), minus the same
before. For asyncio that moment is the loop's first wake-up, when every task waits; for
the threads, the most seen while starting them (read every SAMPLE_EVERY starts: a
thread whose wait ends before the last one starts has already gone).
"""

from __future__ import annotations

import asyncio
import os
import threading
import time

from gilviz.lab import protocol, textbook
from gilviz.lab.workers import MAIN_SLOT

POLL_S = 0.02
SAMPLE_EVERY = 10


def rss_kb() -> int | None:
    """This process's resident memory in KiB, or None without /proc."""
    try:
        with open("/proc/self/statm") as f:
            pages = int(f.read().split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE") // 1024


def thread_count() -> int:
    """Threads of this process as the kernel counts them (threading's count without /proc)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("Threads:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return threading.active_count()


def _delta(after: int | None, before: int | None) -> int | None:
    return None if after is None or before is None else after - before


async def _gather_watched(board, n: int, seconds: float, seen: dict) -> None:
    """``wait_many(n, seconds)``, cancelled if the run is stopped; notes memory and threads once all wait."""
    rss0, threads0 = rss_kb(), thread_count()
    task = asyncio.ensure_future(textbook.wait_many(n, seconds))
    while True:
        done, _ = await asyncio.wait({task}, timeout=POLL_S)
        if "rss_kb" not in seen:  # every task has started and is waiting by now
            seen["rss_kb"] = _delta(rss_kb(), rss0)
            seen["threads_peak"] = thread_count() - threads0
        if done:
            task.result()
            return
        if board.stop_requested():
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                pass
            return


def thread_per_wait(board, n: int, seconds: float) -> dict:
    """The same ``n`` waits with one thread each: wall time, threads started, memory."""
    rss0, threads0 = rss_kb(), thread_count()
    stop = threading.Event()
    threads = [threading.Thread(target=stop.wait, args=(seconds,), daemon=True) for _ in range(n)]
    figures: dict = {"waits": n}
    peak: tuple[int, int | None] = (0, 0)  # (threads, their memory) at the most threads seen

    def sample() -> None:
        nonlocal peak
        count = thread_count() - threads0
        if count >= peak[0]:
            peak = (count, _delta(rss_kb(), rss0))

    t0 = time.perf_counter()
    started = 0
    try:
        for t in threads:
            if board.stop_requested():  # starting thousands can take seconds on a busy machine
                break
            t.start()
            started += 1
            if started % SAMPLE_EVERY == 0:
                sample()
    except RuntimeError as exc:  # "can't start new thread": a limit on threads or memory
        figures["error"] = "started %d of %d threads: %s" % (started, n, exc)
    sample()
    for t in threads[:started]:
        while t.is_alive():
            t.join(POLL_S)
            if board.stop_requested():
                stop.set()
    figures["wall_s"] = time.perf_counter() - t0
    figures["threads"] = started
    figures["threads_peak"], figures["rss_kb"] = peak
    return figures


def run(r) -> float:
    """The asyncio scenario for a ``drivers.Run``; returns the gather's wall time."""
    board, n, seconds = r.board, r.workers, r.size.sleep_s
    seen: dict = {}
    board.set_progress(MAIN_SLOT, 0, total=n)
    board.set_phase(MAIN_SLOT, protocol.IO)  # the loop waits in epoll for the next timer
    wall = r.timed(lambda: asyncio.run(_gather_watched(board, n, seconds, seen)))
    if not board.stop_requested():
        board.set_progress(MAIN_SLOT, n)
    doc = {
        "tasks": n,
        "wait_s": seconds,
        "wall_s": wall,
        "waits": wall / seconds if seconds > 0 else None,
        "threads": 1,  # the event loop's
        "threads_peak": seen.get("threads_peak"),
        "rss_kb": seen.get("rss_kb"),
    }
    board.set_phase(MAIN_SLOT, protocol.JOIN)
    if not board.stop_requested():
        doc["with_threads"] = thread_per_wait(board, n, seconds)
    r.record("asyncio", doc)
    return wall
