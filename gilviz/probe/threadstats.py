"""Per-thread CPU time and run-queue wait, from /proc or, coarsely, psutil (layer: probe).

``/proc/PID/task/TID/schedstat`` gives nanoseconds on CPU and nanoseconds runnable but
waiting for a core. Each thread's file is opened once and re-read with ``pread``, which
costs a few microseconds, so ~100 Hz over dozens of threads stays cheap. Where /proc is
missing (macOS), psutil gives per-thread CPU time with 10 ms ticks and no run-queue
time: such readings are marked coarse.
"""

from __future__ import annotations

import os
import time
from typing import NamedTuple

import psutil

TABLE_TTL_S = 0.002


class ThreadTimes(NamedTuple):
    cpu_ns: int
    runqueue_ns: int


class ProcfsThreadStats:
    """schedstat via kept-open file descriptors; voluntary switches from status."""

    coarse = False

    def __init__(self) -> None:
        self._fds: dict[tuple[int, int], int] = {}
        self._status_fds: dict[tuple[int, int], int] = {}

    @staticmethod
    def available() -> bool:
        return os.path.exists("/proc/self/task/%d/schedstat" % os.getpid())

    def read(self, pid: int, tid: int) -> ThreadTimes | None:
        """The thread's times, or None once it has exited."""
        key = (pid, tid)
        fd = self._fds.get(key)
        try:
            if fd is None:
                fd = self._fds[key] = os.open("/proc/%d/task/%d/schedstat" % key, os.O_RDONLY)
            fields = os.pread(fd, 128, 0).split()
            return ThreadTimes(int(fields[0]), int(fields[1]))
        except (OSError, IndexError, ValueError):
            self.forget(pid, tid)
            return None

    def voluntary_switches(self, pid: int, tid: int) -> int | None:
        key = (pid, tid)
        fd = self._status_fds.get(key)
        try:
            if fd is None:
                fd = self._status_fds[key] = os.open("/proc/%d/task/%d/status" % key, os.O_RDONLY)
            text = os.pread(fd, 4096, 0)
            at = text.index(b"\nvoluntary_ctxt_switches:") + 25
            return int(text[at : text.index(b"\n", at)])
        except (OSError, ValueError):
            self._forget_status(key)
            return None

    def _forget_status(self, key: tuple[int, int]) -> None:
        fd = self._status_fds.pop(key, None)
        if fd is not None:
            os.close(fd)

    def forget(self, pid: int, tid: int) -> None:
        fd = self._fds.pop((pid, tid), None)
        if fd is not None:
            os.close(fd)
        self._forget_status((pid, tid))

    def close(self) -> None:
        for key in list(self._fds) + list(self._status_fds):
            self.forget(*key)


class PsutilThreadStats:
    """The fallback: per-thread user+system time at the OS's tick resolution."""

    coarse = True

    def __init__(self) -> None:
        self._procs: dict[int, psutil.Process] = {}
        self._tables: dict[int, tuple[float, dict[int, ThreadTimes]]] = {}  # pid -> (read at, tid -> times)

    def read(self, pid: int, tid: int) -> ThreadTimes | None:
        now = time.monotonic()
        read_at, table = self._tables.get(pid, (0.0, {}))
        if now - read_at > TABLE_TTL_S:  # one threads() call per process per tick, not per lane
            try:
                proc = self._procs.get(pid) or self._procs.setdefault(pid, psutil.Process(pid))
                table = {t.id: ThreadTimes(int((t.user_time + t.system_time) * 1e9), 0) for t in proc.threads()}
            except (psutil.Error, OSError):
                self._procs.pop(pid, None)
                table = {}
            self._tables[pid] = (now, table)
        return table.get(tid)

    def voluntary_switches(self, pid: int, tid: int) -> int | None:
        if pid != tid:
            return None  # psutil counts per process; only a process's main thread maps to one
        try:
            return int(psutil.Process(pid).num_ctx_switches().voluntary)
        except (psutil.Error, OSError):
            return None

    def forget(self, pid: int, tid: int) -> None:
        pass

    def close(self) -> None:
        self._procs.clear()
        self._tables.clear()


def thread_stats(force_fallback: bool = False) -> ProcfsThreadStats | PsutilThreadStats:
    """The best reader this system has; GILVIZ_NO_PROCFS=1 forces the psutil fallback."""
    if force_fallback or os.environ.get("GILVIZ_NO_PROCFS") == "1" or not ProcfsThreadStats.available():
        return PsutilThreadStats()
    return ProcfsThreadStats()
