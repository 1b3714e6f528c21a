"""Drivers: start the textbook code in threads, processes or pools, and time it.

The workers and their jobs are in ``workers``. The wall time is measured here, around
exactly what a learner would time by hand: creating, starting and joining the workers.

The lessons past the textbook have drivers of their own (``waits`` for asyncio,
``convoy``, ``starts`` for the start methods), run by the same ``Run`` through its public
run-context API; they import ``workers``, never this module.
"""

from __future__ import annotations

import os
import sys
import threading
import time

from gilviz.lab import protocol, textbook
from gilviz.lab.board import Board
from gilviz.lab.scenarios import BY_KEY, HASH_BYTES, SIZES, Size
from gilviz.lab.workers import (
    MAIN_SLOT,
    QUEUE_MAX,
    cpu_job,
    describe,
    hash_job,
    io_job,
    pool_task,
    process_worker,
    thread_worker,
)

RACE_SWITCH_INTERVAL = 1e-4

# -- scenario runs ----------------------------------------------------------------


MAIN_NAMES = {"asyncio": "event loop"}  # the main thread runs it; short enough for a lane label


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
      and return the wall time of the window so far.
    """

    def __init__(self, board: Board, config: dict) -> None:
        self.board = board
        self.key = config["scenario"]
        if self.key not in BY_KEY:
            raise ValueError("unknown scenario %r" % self.key)
        info = BY_KEY[self.key]
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
        name = MAIN_NAMES.get(self.key, "MainThread")
        board.register(MAIN_SLOT, os.getpid(), threading.get_native_id(), protocol.THREAD, protocol.MAIN, name)
        board.set_phase(MAIN_SLOT, protocol.JOIN)
        method = getattr(self, "_" + self.key.replace("-", "_"))
        default_interval = sys.getswitchinterval()
        if self.switch_interval_s is not None:
            sys.setswitchinterval(self.switch_interval_s)
        try:
            wall = method()
        finally:
            sys.setswitchinterval(default_interval)
        if board.read_slot(MAIN_SLOT).phase != protocol.FAILED:  # type: ignore[union-attr]
            board.set_phase(MAIN_SLOT, protocol.DONE)
        t_start, t_end = board.run_window_ns()
        result = {"wall_s": wall, "t_start_ns": t_start, "t_end_ns": t_end, "cancelled": board.stop_requested()}
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

    # sequential --------------------------------------------------------------

    def _sequential(self, job, per_worker: int, *args) -> float:
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

    def _seq_io(self) -> float:
        return self._sequential(io_job, int(self.size.sleep_s * 1000), self.size.sleep_s)

    def _seq_cpu(self) -> float:
        return self._sequential(cpu_job, self.iterations, self.iterations)

    def _seq_hash(self) -> float:
        data = os.urandom(HASH_BYTES)
        return self._sequential(hash_job, self.size.hashes, data, self.size.hashes)

    # threads -----------------------------------------------------------------

    def _threads(self, job: str, args: tuple, total: int) -> float:
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

    def _threads_io(self) -> float:
        return self._threads("io", (self.size.sleep_s,), int(self.size.sleep_s * 1000))

    def _threads_cpu(self) -> float:
        return self._threads("cpu", (self.iterations,), self.iterations)

    def _c_threads(self) -> float:
        data = os.urandom(HASH_BYTES)  # one buffer, read by every thread
        return self._threads("hash", (data, self.size.hashes), self.size.hashes)

    # processes -----------------------------------------------------------------

    def _processes(self, job: str, args: tuple, total: int) -> float:
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

    def _procs_io(self) -> float:
        return self._processes("io", (self.size.sleep_s,), int(self.size.sleep_s * 1000))

    def _procs_cpu(self) -> float:
        return self._processes("cpu", (self.iterations,), self.iterations)

    def _oversubscribed(self) -> float:
        self.extra["oversubscribed"] = {"workers": self.workers, "iterations_per_worker": self.iterations}
        return self._processes("cpu", (self.iterations,), self.iterations)

    # pools -----------------------------------------------------------------------

    def _pools(self) -> float:
        from concurrent import futures

        n, w = self.iterations, self.workers
        if self.executor not in ("thread", "process"):
            raise ValueError("unknown executor %r (thread or process)" % self.executor)
        kind = protocol.PROCESS if self.executor == "process" else protocol.THREAD

        def pool_factory() -> futures.Executor:
            if self.executor == "process":
                return futures.ProcessPoolExecutor(max_workers=w, mp_context=self.context())
            return futures.ThreadPoolExecutor(max_workers=w)

        self.extra["executor"] = self.executor
        slots = list(range(1, w + 1))

        def body() -> None:
            with pool_factory() as pool:
                list(pool.map(pool_task, [self.board.path] * w, slots, [n] * w, [kind] * w))

        try:
            return self.timed(body)
        except Exception as exc:
            return self.failed(exc)

    # race ----------------------------------------------------------------------------

    def _race(self) -> float:
        """Every thread updates the counter for the same time; the lock's cost is in updates per second."""
        if self.switch_interval_s is None:  # shortened so the race shows; `--switch-interval` overrides it
            sys.setswitchinterval(RACE_SWITCH_INTERVAL)
        textbook.counter = 0
        seconds = self.size.race_s
        wall = self._threads("race", (seconds, self.lock), 0)
        done = sum(s.done for s in self.board.slots() if s.role == protocol.WORKER)
        self.extra["race"] = {
            "expected": done,
            "actual": textbook.counter,
            "lost": done - textbook.counter,
            "lock": self.lock,
            "switch_interval_s": round(self.in_effect_s, 9),
            "duration_s": seconds,
            "updates_per_s": done / wall if wall > 0 else None,
        }
        return wall

    # past the textbook ------------------------------------------------------------------

    def _asyncio(self) -> float:
        from gilviz.lab import waits

        return waits.run(self)

    def _convoy(self) -> float:
        from gilviz.lab import convoy

        return convoy.run(self)

    def _start_methods(self) -> float:
        from gilviz.lab import starts

        return starts.run(self)

    # queue ---------------------------------------------------------------------------

    def _queue(self) -> float:
        ctx = self.context()
        q = ctx.Queue(maxsize=QUEUE_MAX)
        consumers = self.workers
        path = self.board.path
        procs = [
            ctx.Process(
                target=process_worker,
                args=(path, 1, "producer", "produce", (q, self.size.items, consumers), self.size.items),
                name="producer",
            )
        ]
        for i in range(consumers):
            name = "consumer-%d" % (i + 1)
            procs.append(
                ctx.Process(
                    target=process_worker, args=(path, i + 2, name, "consume", (q, self.size.item_s), self.size.items), name=name
                )
            )

        def body() -> None:
            for p in procs:
                p.start()
            for p in procs:
                p.join()

        wall = self.timed(body)
        self.check_exits(procs, range(1, consumers + 2))
        views = {s.slot: s for s in self.board.slots()}
        put = views[1].count if 1 in views else 0
        got = sum(views[s].count for s in range(2, consumers + 2) if s in views)
        self.extra["queue"] = {
            "items": self.size.items,
            "put": put,
            "got": got,
            "child_global": put,  # the producer's own items_made, which it wrote on the board
            "parent_global": textbook.items_made,  # this process's copy: never changed
        }
        return wall
