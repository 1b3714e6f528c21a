"""Per-thread readings from /proc or, coarsely, psutil (layer: probe).

``/proc/PID/task/TID/schedstat`` gives nanoseconds on CPU and nanoseconds runnable but
waiting for a core; ``/proc/PID/task/TID/syscall`` where a blocked thread sleeps (see
``syscalls``); ``stat`` when the thread started. Each thread's files are opened once and
re-read with ``pread``, which costs a few microseconds, so ~100 Hz over dozens of
threads stays cheap. Reading another process's ``syscall`` needs ptrace permission
(``PermissionDenied`` says so). Where /proc is missing (macOS), psutil gives per-thread
CPU time with 10 ms ticks, no run-queue time and no syscall: such readings are coarse.
"""

from __future__ import annotations

import os
import time
from typing import NamedTuple

import psutil

from gilviz.probe import syscalls

TABLE_TTL_S = 0.002
CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


class PermissionDenied(OSError):
    """The kernel will not show this process's threads' system calls to us (ptrace rules)."""


def boot_to_monotonic_ns() -> int:
    """What to add to a CLOCK_BOOTTIME time to get CLOCK_MONOTONIC (they differ by time suspended)."""
    return time.monotonic_ns() - time.clock_gettime_ns(time.CLOCK_BOOTTIME)


class ThreadTimes(NamedTuple):
    cpu_ns: int
    runqueue_ns: int


class ProcfsThreadStats:
    """schedstat via kept-open file descriptors; voluntary switches from status."""

    coarse = False

    def __init__(self) -> None:
        self._fds: dict[tuple[int, int], int] = {}
        self._status_fds: dict[tuple[int, int], int] = {}
        self._syscall_fds: dict[tuple[int, int], int] = {}
        self._table = syscalls.syscall_table()
        self._boot_offset_ns = boot_to_monotonic_ns()

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

    def syscall(self, pid: int, tid: int) -> syscalls.Blocked | str | None:
        """Where the thread is blocked (``syscalls.RUNNING`` if it is not); None once it has exited.

        PermissionDenied when the kernel refuses (another user's process, or ptrace_scope).
        """
        key = (pid, tid)
        fd = self._syscall_fds.get(key)
        try:
            if fd is None:
                fd = self._syscall_fds[key] = os.open("/proc/%d/task/%d/syscall" % key, os.O_RDONLY)
            text = os.pread(fd, 256, 0)
        except PermissionError as exc:
            self._forget(self._syscall_fds, key)
            raise PermissionDenied(exc.errno, exc.strerror) from None
        except OSError:
            self._forget(self._syscall_fds, key)
            return None
        return syscalls.parse(text.decode("ascii", "replace"), self._table)

    def started_ns(self, pid: int, tid: int) -> int | None:
        """When the thread started, in CLOCK_MONOTONIC nanoseconds (to a clock tick); None if gone."""
        try:
            with open("/proc/%d/task/%d/stat" % (pid, tid), "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
            return int(fields[19]) * 1_000_000_000 // CLOCK_TICKS + self._boot_offset_ns
        except (OSError, IndexError, ValueError):
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
            self._forget(self._status_fds, key)
            return None

    @staticmethod
    def _forget(fds: dict[tuple[int, int], int], key: tuple[int, int]) -> None:
        fd = fds.pop(key, None)
        if fd is not None:
            os.close(fd)

    def forget(self, pid: int, tid: int) -> None:
        for fds in (self._fds, self._status_fds, self._syscall_fds):
            self._forget(fds, (pid, tid))

    def close(self) -> None:
        for key in list(self._fds) + list(self._status_fds) + list(self._syscall_fds):
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
