"""Per-thread readings from /proc or, coarsely, psutil.

``/proc/PID/task/TID/schedstat`` gives nanoseconds on CPU and nanoseconds runnable but
waiting for a core; ``/proc/PID/task/TID/syscall`` where a blocked thread sleeps (see
``syscalls``); ``stat`` when the thread started. Each thread's files are kept open and
re-read with ``pread``, which costs a few microseconds, so ~100 Hz over dozens of
threads stays cheap; at most a budget of them (``fdcache``: least recently read closed
first), so a thousand threads never run gilviz out of file descriptors. Reading another
process's ``syscall`` needs ptrace permission (``PermissionDenied`` says so). Where /proc
is missing (macOS), psutil gives per-thread CPU time with 10 ms ticks, no run-queue time and no syscall: such readings are coarse.
"""

from __future__ import annotations

import os
import time
from typing import NamedTuple

import psutil

from gilviz.probe import syscalls
from gilviz.probe.fdcache import FdCache, Gone, NotNow, budget_for, raise_fd_limit

TABLE_TTL_S = 0.002
CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


SCHEDSTAT, SYSCALL, STATUS = range(3)  # the kinds of kept-open file per thread
KINDS = 3


class PermissionDenied(OSError):
    """The kernel will not show this process's threads' system calls to us (ptrace rules)."""


def boot_to_monotonic_ns() -> int:
    """What to add to a CLOCK_BOOTTIME time to get CLOCK_MONOTONIC (they differ by time suspended)."""
    return time.monotonic_ns() - time.clock_gettime_ns(time.CLOCK_BOOTTIME)


class ThreadTimes(NamedTuple):
    cpu_ns: int
    runqueue_ns: int


NOT_NOW = ThreadTimes(-1, -1)  # ``read``'s answer when the file could not be read this time (no descriptor left,
# say): the thread is alive as far as anyone knows; the sampler tries again at its next tick (compare with ``is``)


class ProcfsThreadStats:
    """schedstat via kept-open file descriptors; voluntary switches from status."""

    coarse = False

    def __init__(self, budget: int | None = None) -> None:
        soft, _ = raise_fd_limit()
        self.files = FdCache(budget or budget_for(soft))  # schedstat, syscall and status files, kept open under a budget
        self._table = syscalls.syscall_table()
        self.boot_offset_ns = boot_to_monotonic_ns()

    @staticmethod
    def available() -> bool:
        return os.path.exists("/proc/self/task/%d/schedstat" % os.getpid())

    def read(self, pid: int, tid: int) -> ThreadTimes | None:
        """The thread's times, None once it has exited, ``NOT_NOW`` if it cannot be read this time."""
        try:
            fields = self.files.pread((pid, tid, SCHEDSTAT), "/proc/%d/task/%d/schedstat" % (pid, tid), 128).split()
            return ThreadTimes(int(fields[0]), int(fields[1]))
        except NotNow:
            return NOT_NOW
        except (Gone, OSError, IndexError, ValueError):
            self.forget(pid, tid)
            return None

    def syscall(self, pid: int, tid: int) -> syscalls.Blocked | str | None:
        """Where the thread is blocked (``syscalls.RUNNING`` if it is not); None once it has exited or
        cannot be read this time.

        PermissionDenied when the kernel refuses (another user's process, or ptrace_scope).
        """
        try:
            text = self.files.pread((pid, tid, SYSCALL), "/proc/%d/task/%d/syscall" % (pid, tid), 256)
        except PermissionError as exc:
            raise PermissionDenied(exc.errno, exc.strerror) from None
        except (Gone, NotNow, OSError):
            return None
        return syscalls.parse(text.decode("ascii", "replace"), self._table)

    def started_ns(self, pid: int, tid: int) -> int | None:
        """When the thread started, in CLOCK_MONOTONIC nanoseconds (to a clock tick); None if gone."""
        try:
            with open("/proc/%d/task/%d/stat" % (pid, tid), "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
            return int(fields[19]) * 1_000_000_000 // CLOCK_TICKS + self.boot_offset_ns
        except (OSError, IndexError, ValueError):
            return None

    def voluntary_switches(self, pid: int, tid: int) -> int | None:
        try:
            text = self.files.pread((pid, tid, STATUS), "/proc/%d/task/%d/status" % (pid, tid), 4096)
            at = text.index(b"\nvoluntary_ctxt_switches:") + 25
            return int(text[at : text.index(b"\n", at)])
        except (Gone, NotNow, OSError, ValueError):
            return None

    def forget(self, pid: int, tid: int) -> None:
        self.files.forget(pid, tid, KINDS)

    def close(self) -> None:
        self.files.close_all()


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

    def syscall(self, pid: int, tid: int) -> syscalls.Blocked | str | None:
        return None  # psutil cannot say where a thread is blocked

    def started_ns(self, pid: int, tid: int) -> int | None:
        return None

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
