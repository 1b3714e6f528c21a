"""Workers: what one worker does, in a thread, a process or a pool task.

Each worker registers its pid and native thread id on the board and declares its phase;
the work itself is the textbook's, called in chunks so that a stop request (a word on
the board) ends a run within a chunk: a few milliseconds of CPU work or 50 ms of sleep.
Shared by ``drivers`` (the textbook's scenarios) and the lessons past the textbook
(``convoy``, ``starts``, ``waits``), which import this module and never ``drivers``.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from typing import Callable

from gilviz.lab import protocol, textbook
from gilviz.lab.board import Board, attached

CPU_CHUNK = 250_000  # about 4 ms of `count` on a 2020s core
IO_CHUNK = 0.05
RACE_CHUNK = 1_000  # about 0.2 ms without the lock, ~20 ms with it (4 threads): the time box overshoots by as much
HASH_CHUNK = 4  # sha256 of 4 MiB: about 3 ms
QUEUE_MAX = 20  # a bounded queue, so a fast producer waits for its consumers
QUEUE_POLL = 0.1
MAIN_SLOT = 0


def describe(exc: BaseException) -> str:
    text = str(exc)
    return type(exc).__name__ + (": " + text if text else "")


# -- jobs: what one worker does, declaring its phases ----------------------------


def cpu_job(board: Board, slot: int, n: int, offset: int = 0) -> None:
    board.set_phase(slot, protocol.CPU)
    done = 0
    while done < n and not board.stop_requested():
        step = min(CPU_CHUNK, n - done)
        textbook.count(step)
        done += step
        board.set_progress(slot, offset + done)


def io_job(board: Board, slot: int, seconds: float, offset: int = 0) -> None:
    """Sleep ``seconds`` in chunks; progress is counted in milliseconds slept."""
    board.set_phase(slot, protocol.IO)
    deadline = time.monotonic() + seconds
    left = seconds
    while left > 0 and not board.stop_requested():
        textbook.wait_io(min(IO_CHUNK, left))
        left = deadline - time.monotonic()
        board.set_progress(slot, offset + int((seconds - max(left, 0.0)) * 1000))


def hash_job(board: Board, slot: int, data: bytes, n: int, offset: int = 0) -> None:
    """Hash ``data`` ``n`` times; in C, without the GIL, but declared cpu: it is CPU-bound work."""
    board.set_phase(slot, protocol.CPU)
    done = 0
    while done < n and not board.stop_requested():
        step = min(HASH_CHUNK, n - done)
        textbook.hash_data(data, step)
        done += step
        board.set_progress(slot, offset + done)


def spin_job(board: Board, slot: int, until: threading.Event) -> None:
    """``count`` in chunks until ``until`` is set (a CPU-bound thread beside something else)."""
    board.set_phase(slot, protocol.CPU)
    done = 0
    while not until.is_set() and not board.stop_requested():
        textbook.count(CPU_CHUNK)
        done += CPU_CHUNK
        board.set_progress(slot, done)


def race_job(board: Board, slot: int, seconds: float, locked: bool) -> None:
    """Update the shared counter for ``seconds``, counting this thread's own updates (its progress)."""
    add = textbook.add_locked if locked else textbook.add
    board.set_phase(slot, protocol.LOCK if locked else protocol.CPU)
    done = 0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline and not board.stop_requested():
        add(RACE_CHUNK)
        done += RACE_CHUNK
        board.set_count(slot, textbook.counter)  # the shared counter as this thread last saw it
        board.set_progress(slot, done)


def produce_job(board: Board, slot: int, q, n: int, consumers: int) -> None:
    import queue as queue_module

    def put(item) -> bool:
        board.set_phase(slot, protocol.QUEUE_PUT)
        while not board.stop_requested():
            try:
                q.put(item, timeout=QUEUE_POLL)
                return True
            except queue_module.Full:
                continue
        q.cancel_join_thread()  # stopped with items unread: do not wait to flush them
        return False

    for i in range(n):
        if board.stop_requested():
            break
        board.set_phase(slot, protocol.CPU)
        if not put(textbook.make_item(i)):
            return
        textbook.items_made += 1
        board.set_count(slot, textbook.items_made)
        board.set_progress(slot, i + 1)
    for _ in range(consumers):
        if not put(None):
            return


def consume_job(board: Board, slot: int, q, item_s: float) -> None:
    import queue as queue_module

    got = 0
    while not board.stop_requested():
        board.set_phase(slot, protocol.QUEUE_GET)
        try:
            item = q.get(timeout=QUEUE_POLL)
        except queue_module.Empty:
            continue
        if item is None:
            return
        board.set_phase(slot, protocol.IO)
        textbook.handle_item(item, item_s)
        got += 1
        board.set_count(slot, got)
        board.set_progress(slot, got)


JOBS: dict[str, Callable[..., None]] = {
    "cpu": cpu_job,
    "io": io_job,
    "hash": hash_job,
    "spin": spin_job,
    "race": race_job,
    "produce": produce_job,
    "consume": consume_job,
}


# -- workers: a job in a thread, a process or a pool task ----------------------


def _run_registered(board: Board, slot: int, kind: int, name: str, job, args: tuple, total: int) -> bool:
    """Register the calling thread, run the job, declare done or failed; True if it succeeded.

    ``job`` is a name in JOBS or a top-level function (which any start method can import).
    """
    board.register(slot, os.getpid(), threading.get_native_id(), kind, protocol.WORKER, name, total)
    try:
        (JOBS[job] if isinstance(job, str) else job)(board, slot, *args)
    except Exception as exc:
        board.fail(slot, describe(exc), own_thread=True)
        return False
    board.finish(slot)
    return True


def thread_worker(board: Board, slot: int, name: str, job, args: tuple, total: int) -> None:
    _run_registered(board, slot, protocol.THREAD, name, job, args, total)


def process_worker(board_path: str, slot: int, name: str, job, args: tuple, total: int) -> None:
    """The target of every worker process: top level, so any start method can import it."""
    if not _run_registered(attached(board_path), slot, protocol.PROCESS, name, job, args, total):
        sys.exit(1)


def pool_task(board_path: str, slot: int, n: int, kind: int) -> int:
    """One `count(N)` task of the pools scenario, on whichever pool worker picks it up."""
    board = attached(board_path)
    name = "pool-%d" % slot
    board.register(slot, os.getpid(), threading.get_native_id(), kind, protocol.WORKER, name, n)
    try:
        cpu_job(board, slot, n)
    except Exception as exc:
        board.fail(slot, describe(exc), own_thread=True)
        raise
    board.finish(slot)
    return n
