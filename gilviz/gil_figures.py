"""The GIL's figures inside a run's window: who held it, how often it changed hands.

The sampler reads each CPython process's GIL once a tick (``probe/gil_state.py``) and
gives the timeline what it saw: held or not, by which lane, whether that lane was
blocked in a system call at that instant (and which), the ``switch_number`` and the
switch interval. From these:

- **hand-offs** are exact: ``switch_number`` counts every change of holder, so the
  difference between the first and last reading inside the window is the count;
- **who held it** is sampled: each reading stands for the interval since the previous
  one (~10 ms, 100 ms while nothing changes, jittered ±20 %). A share ``p`` read from ``n``
  readings is off by about ``sqrt(p(1-p)/n)`` (0.05 for p = 0.5 over 100 readings), and
  a hold shorter than a tick is seen in proportion to how often it happens, not each time;
- **held while blocked**: the holder's syscall file read at the same instant said it was
  blocked (off-CPU) in a call, not on a CPU or runnable.

Shares are of the run's window, like every lane's state shares.
"""

from __future__ import annotations

from typing import NamedTuple

NO_LANE = -1  # the holder is not a watched lane (or its thread could not be told)
LATE_NS = 100_000_000  # a reading this soon after the window's end still counts for hand-offs


class ProcessGilState(NamedTuple):
    """One process's GIL over the run's window, as the JSON's ``gil_state`` gives it."""

    pid: int
    readable: bool
    detail: str
    handoffs: int | None  # exact, from switch_number; None when not readable
    handoffs_per_s: float | None
    held: float | None  # share of the read span the GIL was held at all (sampled)
    interval_s: float | None  # the switch interval the process runs with
    mean_hold_s: float | None  # held time between two hand-offs
    holder_slot: int = NO_LANE  # who held it at the latest reading


class _Process:
    __slots__ = (
        "readable",
        "detail",
        "prev_t",
        "first_t",
        "last_t",
        "first_n",
        "last_n",
        "held_s",
        "span_s",
        "interval_us",
        "holder",
    )

    def __init__(self) -> None:
        self.readable = False
        self.detail = ""
        self.prev_t = 0  # the latest reading (ns)
        self.first_t = self.last_t = 0  # the first and last reading inside the window
        self.first_n = self.last_n = 0  # switch_number then
        self.held_s = self.span_s = 0.0  # inside the window: held, and read at all
        self.interval_us = 0
        self.holder = NO_LANE


class GilTally:
    """Accumulates the sampler's GIL readings; the ``Timeline`` keeps one and guards it with its lock."""

    def __init__(self) -> None:
        self._procs: dict[int, _Process] = {}
        self.held: dict[int, float] = {}  # slot -> seconds holding the GIL inside the window
        self.held_blocked: dict[int, float] = {}  # slot -> of those, seconds blocked off-CPU
        self.blocked_calls: dict[int, dict[str, float]] = {}  # slot -> call -> seconds held while blocked in it

    def set_state(self, pid: int, readable: bool, detail: str) -> None:
        proc = self._procs.setdefault(pid, _Process())
        proc.readable, proc.detail = readable, detail

    def add(
        self,
        pid: int,
        t_ns: int,
        locked: bool,
        slot: int,
        call: str,
        switch_number: int,
        interval_us: int,
        window: tuple[int, int],
    ) -> float:
        """One reading. The interval since the process's previous reading is credited to this one.

        Returns that interval in seconds (0 for the first reading), inside the window or not."""
        proc = self._procs.setdefault(pid, _Process())
        start, end = window
        prev, proc.prev_t = proc.prev_t, t_ns
        proc.holder = slot if locked else NO_LANE
        since = (t_ns - prev) / 1e9 if prev else 0.0
        if not start or t_ns < start or (end and t_ns > end + LATE_NS):
            return since
        if not end or t_ns <= end:
            proc.interval_us = interval_us  # the run's own (a lab sets it back after the run)
        if not proc.first_t:
            proc.first_t, proc.first_n = t_ns, switch_number
        proc.last_t, proc.last_n = t_ns, switch_number
        if not prev:
            return since
        dt = (min(t_ns, end or t_ns) - max(prev, start)) / 1e9
        if dt <= 0:
            return since
        proc.span_s += dt
        if not locked:
            return since
        proc.held_s += dt
        if slot == NO_LANE:
            return since
        self.held[slot] = self.held.get(slot, 0.0) + dt
        if call:
            self.held_blocked[slot] = self.held_blocked.get(slot, 0.0) + dt
            calls = self.blocked_calls.setdefault(slot, {})
            calls[call] = calls.get(call, 0.0) + dt
        return since

    def readable(self, pid: int) -> bool:
        proc = self._procs.get(pid)
        return proc is not None and proc.readable

    def lane(self, slot: int, pid: int, span_s: float) -> tuple[float, float] | None:
        """(held, held while blocked) as shares of a window of ``span_s``; None where the GIL is not read."""
        if not self.readable(pid):
            return None
        if span_s <= 0:
            return (0.0, 0.0)
        return (self.held.get(slot, 0.0) / span_s, self.held_blocked.get(slot, 0.0) / span_s)

    def processes(self) -> tuple[ProcessGilState, ...]:
        out = []
        for pid in sorted(self._procs):
            p = self._procs[pid]
            if not p.readable:
                out.append(ProcessGilState(pid, False, p.detail, None, None, None, None, None))
                continue
            handoffs = p.last_n - p.first_n
            read_s = (p.last_t - p.first_t) / 1e9
            out.append(
                ProcessGilState(
                    pid,
                    True,
                    p.detail,
                    handoffs,
                    handoffs / read_s if read_s > 0 else None,
                    p.held_s / p.span_s if p.span_s > 0 else None,
                    p.interval_us / 1e6 if p.interval_us else None,
                    p.held_s / handoffs if handoffs > 0 else None,
                    p.holder,
                )
            )
        return tuple(out)

    def worst_blocked(self) -> tuple[int, str, float] | None:
        """(slot, call, seconds) of the longest time any lane held the GIL while blocked in one call."""
        best = None
        for slot, calls in self.blocked_calls.items():
            for call, seconds in calls.items():
                if best is None or seconds > best[2]:
                    best = (slot, call, seconds)
        return best
