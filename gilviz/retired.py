"""Threads that ended a while ago, kept as one "ended threads" aggregate per process.

A thread-per-request server starts thousands of threads; keeping a lane (and its bins)
for each one that has ended would grow memory without end, and every snapshot would
copy them all. So a thread lane whose thread ended more than ``RETIRE_AFTER_NS`` ago
leaves the timeline: its times of the window are added to its process's aggregate,
which keeps how many threads ended and their summed times, and goes on counting them
as ended until the window's end, so the shares still cover the window (their mean is
what one such thread did). ``Snapshot.ended`` lists the aggregates: a dashboard draws
each as one row, a report as one folded entry.
"""

from __future__ import annotations

from dataclasses import dataclass

from gilviz.states import DONE, N_STATES, RUNNING, STATES

RETIRE_AFTER_NS = 5_000_000_000  # a thread gone this long leaves its lane for its process's aggregate


@dataclass(frozen=True)
class EndedThreads:
    """The threads of one process that ended and were retired: how many, their summed window times."""

    pid: int
    count: int
    run_times: tuple[float, ...]  # seconds per state (STATES order), summed over the threads

    @property
    def cpu_s(self) -> float:
        return self.run_times[RUNNING]

    def shares(self, wall_s: float) -> dict[str, float]:
        """Their mean shares of a window of ``wall_s`` seconds (they add up to 1, as one lane's)."""
        scale = 1.0 / (self.count * wall_s) if self.count and wall_s > 0 else 0.0
        return {state: t * scale for state, t in zip(STATES, self.run_times)}


class Retired:
    """What the timeline keeps of one process's retired thread lanes."""

    __slots__ = ("count", "times", "retired_ns")

    def __init__(self) -> None:
        self.count = 0
        self.times = [0.0] * N_STATES  # their window times as they were when each retired
        self.retired_ns = 0  # the sum of their retirement moments: each counts as ended from then on

    def add(self, whole_window: tuple[float, ...], now_ns: int) -> None:
        self.count += 1
        for i, t in enumerate(whole_window):
            self.times[i] += t
        self.retired_ns += now_ns

    def view(self, pid: int, stop_ns: int) -> EndedThreads:
        """The aggregate as of ``stop_ns`` (the window's end, or now): each has been ended since it retired."""
        times = list(self.times)
        times[DONE] += max(0, self.count * stop_ns - self.retired_ns) / 1e9
        return EndedThreads(pid, self.count, tuple(times))
