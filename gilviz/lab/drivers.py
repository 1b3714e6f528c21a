"""Drivers: the run context a lesson's driver runs against, and the common drivers.

``Run`` finds the lesson in the registry (``gilviz.lab.lessons``) and calls its
``run(ctx)`` with itself as the run context. The wall time is measured here, around
exactly what a learner would time by hand: creating, starting and joining the workers.
The workers and their jobs are in ``workers``; the lessons import ``workers``, never
this module.
"""

from __future__ import annotations

import os
import sys
import threading
import time

from gilviz.lab import protocol
from gilviz.lab.board import Board
from gilviz.lab.lessons.race import RACE_SWITCH_INTERVAL  # noqa: F401 (where the race panel reads it)
from gilviz.lab.scenarios import BY_KEY, SIZES, Size
from gilviz.lab.workers import (
    MAIN_SLOT,
    describe,
    process_worker,
    thread_worker,
)


def gil_enabled() -> bool:
    """Whether the GIL is on now: a free-threaded build re-enables it for an extension that needs it."""
    check = getattr(sys, "_is_gil_enabled", None)
    return bool(check()) if check else True


class Run:
    """One scenario run in this lab process; ``start()`` returns the result dict.

    The run context a scenario's driver uses (the lessons past the textbook get this object):

    - ``board``, ``workers``, ``size``, ``iterations``, ``lock``, ``executor``,
      ``start_method``, ``switch_interval_s``: the run as configured (read only);
    - ``timed(body)``: call ``body()`` as the timed part; returns its wall time in seconds;
    - ``context()``: the multiprocessing context of the run's start method;
    - ``check_exits(procs, slots)``: mark failed a process that died without saying why;
    - ``record(key, value)``: put a figure of the scenario's own in the result;
    - ``failed(exc)``: the run's main thread failed with ``exc``: mark it, record the error,
      and return the wall time of the window so far;
    - ``sequential(job, per_worker, *args)``, ``threads(job, args, total)``,
      ``processes(job, args, total)``: the common drivers: each worker's job one after the
      other in the main thread, or in a thread or a process each; return the wall time.
    """

    def __init__(self, board: Board, config: dict) -> None:
        self.board = board
        self.key = config["scenario"]
        if self.key not in BY_KEY:
            raise ValueError("unknown scenario %r" % self.key)
        info = self.lesson = BY_KEY[self.key]
        self.workers = min(int(config.get("workers") or info.workers), info.max_workers)
        self.size: Size = SIZES[config.get("size", "demo")]
        self.iterations = int(config.get("iterations") or info.iterations(self.size.name, self.workers))
        self.lock = bool(config.get("lock", False))
        self.executor = config.get("executor", "thread")
        self.start_method = config.get("start_method")
        ms = config.get("switch_interval_ms")
        self.switch_interval_s: float | None = float(ms) / 1000 if ms else None  # asked for; None: the default
        self.in_effect_s = sys.getswitchinterval()  # read back when the timed part starts
        self.extra: dict = {}

    def start(self) -> dict:
        board = self.board
        # the main thread, the workers, and room for a producer or the convoy's I/O thread and pingers
        board.reserve(self.workers + 4)
        name = self.lesson.main_name
        board.register(MAIN_SLOT, os.getpid(), threading.get_native_id(), protocol.THREAD, protocol.MAIN, name)
        board.set_phase(MAIN_SLOT, protocol.JOIN)
        default_interval = sys.getswitchinterval()
        if self.switch_interval_s is not None:
            sys.setswitchinterval(self.switch_interval_s)
        try:
            wall = self.lesson.run(self)
        finally:
            sys.setswitchinterval(default_interval)
        if board.read_slot(MAIN_SLOT).phase != protocol.FAILED:  # type: ignore[union-attr]
            board.set_phase(MAIN_SLOT, protocol.DONE)
        t_start, t_end = board.run_window_ns()
        result: dict = {"wall_s": wall, "t_start_ns": t_start, "t_end_ns": t_end, "cancelled": board.stop_requested()}
        result["failed"] = [
            {"slot": s.slot, "name": s.name, "reason": s.note} for s in board.slots() if s.phase == protocol.FAILED
        ]
        result["switch_interval_s"] = round(self.in_effect_s, 9)
        result["gil_enabled"] = gil_enabled()  # after the run's imports (hashlib, asyncio, socket...)
        result.update(self.extra)
        return result

    # timing ------------------------------------------------------------------

    def timed(self, body) -> float:
        self.in_effect_s = sys.getswitchinterval()
        self.board.mark_started()
        t0 = time.perf_counter()
        try:
            body()
        finally:
            wall = time.perf_counter() - t0
            self.board.mark_finished()
        return wall

    def context(self):
        import multiprocessing

        return multiprocessing.get_context(self.start_method)

    def record(self, key: str, value) -> None:
        self.extra[key] = value

    def failed(self, exc: BaseException) -> float:
        self.board.fail(MAIN_SLOT, describe(exc))
        self.record("error", describe(exc))
        t0, t1 = self.board.run_window_ns()
        return (t1 - t0) / 1e9

    # the common drivers, part of the run context -----------------------------------

    def sequential(self, job, per_worker: int, *args) -> float:
        board = self.board
        board.set_progress(MAIN_SLOT, 0, total=per_worker * self.workers)
        parts: list[float] = []  # each worker's part, timed: how much identical work varies here and now

        def body() -> None:
            for i in range(self.workers):
                if board.stop_requested():
                    break
                t0 = time.perf_counter()
                job(board, MAIN_SLOT, *args, offset=i * per_worker)
                parts.append(time.perf_counter() - t0)

        wall = self.timed(body)
        self.extra["parts_s"] = parts
        return wall

    def threads(self, job: str, args: tuple, total: int) -> float:
        def body() -> None:
            threads = [
                threading.Thread(
                    target=thread_worker,
                    args=(self.board, i + 1, "worker-%d" % (i + 1), job, args, total),
                    name="worker-%d" % (i + 1),
                )
                for i in range(self.workers)
            ]
            for t in threads:
                t.start()
            for t in threads:
                t.join()

        return self.timed(body)

    def processes(self, job: str, args: tuple, total: int) -> float:
        ctx = self.context()
        procs = []

        def body() -> None:
            for i in range(self.workers):
                name = "worker-%d" % (i + 1)
                procs.append(ctx.Process(target=process_worker, args=(self.board.path, i + 1, name, job, args, total), name=name))
            for p in procs:
                p.start()
            for p in procs:
                p.join()

        wall = self.timed(body)
        self.check_exits(procs, range(1, self.workers + 1))
        return wall

    def check_exits(self, procs, slots) -> None:
        """A process that died without saying why (killed from outside) is marked failed here."""
        for p, slot in zip(procs, slots):
            view = self.board.read_slot(slot)
            if p.exitcode and (view is None or view.phase != protocol.FAILED):
                reason = "killed by signal %d" % -p.exitcode if p.exitcode < 0 else "exited with code %d" % p.exitcode
                if view is None:
                    self.board.register(slot, p.pid or 0, p.pid or 0, protocol.PROCESS, protocol.WORKER, p.name)
                self.board.fail(slot, reason)
