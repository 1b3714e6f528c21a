"""Each watched process's own CPU time, so that every CPU second lands in a lane.

A thread that starts and ends between two looks at a process's task list is never a
lane: a thread-per-request server's short requests, 1,500 threads of 1 ms. The kernel
still counts their time: ``/proc/PID/stat``'s ``utime + stime`` is the whole process's
CPU, its exited threads' included (not its children's: they are lanes of their own).
What the process used inside the window minus what its lanes used is the CPU of threads
too short to be seen, which reports show as the process's "short-lived threads".

The counters are in clock ticks (``SC_CLK_TCK``, 100 a second: 10 ms steps), so the
difference is good to about two ticks. A process born inside the window counts from
zero; one already running, from its first reading. Readings after the window's end are
not taken, and a process that has exited keeps its last reading (at most
``PROC_CPU_EVERY_NS`` before its end).
"""

from __future__ import annotations

from gilviz.probe.fdcache import FdCache, Gone, NotNow

PROC_CPU_EVERY_NS = 50_000_000  # between reads of each process's counters
STAT_KIND = 3  # the kind of kept-open file (after a thread's schedstat, syscall and status)


class ProcessCpu:
    """Per process: CPU seconds inside the window, from its own counters."""

    def __init__(self, files: FdCache, clock_ticks: int, boot_offset_ns: int) -> None:
        self.files = files
        self.tick_s = 1.0 / clock_ticks
        self._tick_ns = 1_000_000_000 // clock_ticks
        self._boot_offset_ns = boot_offset_ns
        self._first: dict[int, int] = {}  # pid -> ticks at the window's start (0 if born inside it)
        self._last: dict[int, int] = {}  # pid -> ticks at its latest reading inside the window

    def read(self, pid: int, now: int, start_ns: int, end_ns: int) -> None:
        """One reading of ``pid`` at ``now``; ignored before the window starts or after it ends."""
        if not start_ns or now < start_ns or (end_ns and now > end_ns + self._tick_ns):
            return
        try:
            text = self.files.pread((pid, pid, STAT_KIND), "/proc/%d/stat" % pid, 1024)
            fields = text.rsplit(b")", 1)[1].split()
            ticks = int(fields[11]) + int(fields[12])  # utime + stime: every thread's, the exited ones' too
            born_ns = int(fields[19]) * self._tick_ns + self._boot_offset_ns
        except (Gone, NotNow, OSError, IndexError, ValueError):
            return  # gone (its last reading stands) or not readable now
        if pid not in self._first:
            self._first[pid] = 0 if born_ns >= start_ns - self._tick_ns else ticks
        self._last[pid] = ticks

    def ticks(self, pid: int) -> int | None:
        """The process's CPU counter now (clock ticks), or None if it cannot be read."""
        try:
            fields = self.files.pread((pid, pid, STAT_KIND), "/proc/%d/stat" % pid, 1024).rsplit(b")", 1)[1].split()
            return int(fields[11]) + int(fields[12])
        except (Gone, NotNow, OSError, IndexError, ValueError):
            return None

    def forget(self, pid: int) -> None:
        self.files.close((pid, pid, STAT_KIND))

    def seconds(self) -> dict[int, float]:
        """pid -> CPU seconds inside the window (to about two clock ticks)."""
        return {pid: (self._last[pid] - first) * self.tick_s for pid, first in self._first.items()}
