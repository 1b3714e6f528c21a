"""Parked threads are read less often: the sampler's cost follows the threads that do something.

A server has hundreds of threads parked on ``queue.get``, ``accept`` or a sleep, and a
few that work. Reading every one of them 100 times a second cost 0.2 of a core for 256
threads, to learn each time that nothing changed. So a lane *parks*: once a reading
finds its thread blocked in the same wait as the reading before, and not run in between
(its schedstat counters did not move), or a new thread blocked at its first reading (what
it ran since it started is its start-up), it is left unread for 20 ms, then longer after
each such reading (``PARK_RESTS_NS``), up to ``PARK_MAX_NS``. A reading that finds it
ran, or in another wait, or runnable, brings it back to every tick at once; so does a
phase a lab worker declares, the run's end, and every snapshot (each snapshot's lanes
are read up to its moment, so the dashboard never draws a column a parked lane has not
filled yet); and so does its process's CPU counter moving beyond what the lanes read
used (``Waker``). Threads waiting for the GIL never park: their waits are short and many.

What it gives up, stated as bounds: the CPU and run-queue time a parked thread used
between two readings is exact (cumulative kernel counters) but placed evenly over the
span between them, at most ``PARK_MAX_NS`` plus a tick; the wait it was in is the one
read at the span's end. A thread that exits while parked is read as ended from its last
reading on (at most ``PARK_MAX_NS`` early); lab workers tell their end on the board, so
theirs is exact.
"""

from __future__ import annotations

import heapq
from collections.abc import Container

from gilviz.states import GIL_WAIT

PARK_MAX_NS = 2_000_000_000  # the longest rest: what a parked lane's time may be spread over (at 0.5 s, 1,024
# parked lanes' readings alone, 2,048 a second at ~45 µs, were 0.09 of a core on a busy 2-core machine; at 1 s the
# sampler watching 1,024 parked threads used 0.120 of a core, at 2 s 0.095)
PARK_RESTS_NS = (20_000_000, 80_000_000, 1_280_000_000, PARK_MAX_NS)  # each rest after the last, then the longest.
# Short at first: a thread waiting its turn on a busy lock is often found in the same wait twice, then holds the
# lock and sleeps, and a long rest would name all of that the lock's wait (a second rest of 160 ms did). Found in
# one wait for 100 ms, it is parked for long at once: a third rest of 320 ms read a new thread once more in its
# first second (docs/measurements.md, "The sampler").


def rest(lane, now: int, ran: bool) -> None:
    """After a reading of ``lane`` (the sampler's ``_Watched``) at ``now``: how long to leave it unread."""
    wait = lane.wait
    if ran or not lane.still_blocked or wait is None or wait.state == GIL_WAIT:
        lane.rest_ns = lane.rest_until = 0
        return
    lane.rest_ns = next((ns for ns in PARK_RESTS_NS if ns > lane.rest_ns), PARK_MAX_NS)
    lane.rest_until = now + lane.rest_ns


def rest_ended(lane, now: int, just_gone: bool) -> None:
    """A lane whose thread has exited changes no more: looked at after the longest rest (or at a wake, a
    snapshot, the window's edges), its "ended" time added then, not at every tick (a thread-per-request
    server's ended lanes stay listed a second each). Once more at the next tick, just after it is found
    gone: that interval, all "ended", marks the lane ended (the one it was found in holds its last run)."""
    lane.rest_ns, lane.rest_until = 0, 0 if just_gone else now + PARK_MAX_NS


WAKE_LOOK_NS = 30_000_000  # between looks at the processes' counters (each reads /proc/PID/stat, which the kernel
# sums over every thread: ~80 µs for 259 threads, ~240 µs for 1,027, at every 10 ms tick)
WAKE_AFTER_NS = 100_000_000  # CPU a process used beyond what its lanes read showed: a parked one ran (at 30 ms,
# a server's one thread bursting 50 ms twice a second had all 256 lanes read each time: 0.055 of a core, not 0.047)


class Waker:
    """A parked thread that runs is found at once: its process's own CPU counter moves more than its read lanes'.

    Each tick, per process, what ``/proc/PID/stat`` says it used since the last tick less what
    the lanes read in this tick used; the excess adds up (never below zero: a parked lane read
    after a long rest brings more than this tick's share), and past ``WAKE_AFTER_NS`` every
    parked lane is read at the next tick. So a thread that wakes for less than about 100 ms of
    CPU waits for its rest's end (or its exit: then its CPU is in the short-lived entry). The counters are
    looked at every ``WAKE_LOOK_NS`` at most (``due``), with what the lanes read used in between (``saw``).
    """

    def __init__(self, tick_ns: int) -> None:
        self.tick_ns = tick_ns
        self._last: dict[int, int] = {}  # pid -> its counter (clock ticks) at the last look
        self._excess: dict[int, int] = {}  # pid -> CPU ns not accounted for by the lanes read since
        self._seen: dict[int, int] = {}  # pid -> CPU ns the lanes read used since the last look
        self._next_ns = 0

    def saw(self, ran_ns: dict[int, int]) -> None:
        """What a tick's lanes used, by process (kept until the next look)."""
        seen = self._seen
        for pid, ns in ran_ns.items():
            seen[pid] = seen.get(pid, 0) + ns

    def due(self, now: int) -> bool:
        """Whether to look at the counters at this tick."""
        if now < self._next_ns:
            return False
        self._next_ns = now + WAKE_LOOK_NS
        return True

    def seen_since(self, pid: int) -> int:
        """What the lanes read used since the last look at ``pid`` (and start anew)."""
        return self._seen.pop(pid, 0)

    def moved(self, pid: int, ticks: int, seen_ns: int) -> bool:
        last = self._last.get(pid)
        self._last[pid] = ticks
        if last is None:
            return False
        excess = max(0, self._excess.get(pid, 0) + (ticks - last) * self.tick_ns - seen_ns)
        self._excess[pid] = 0 if excess > WAKE_AFTER_NS else excess
        return excess > WAKE_AFTER_NS


class Rota:
    """Which lanes a tick must look at, when the watch list's lanes are the same as at the last tick.

    Looking at a parked lane only to skip it still costs a few hundred nanoseconds, hundreds
    of times a tick. So after each tick the lanes it read are sorted: those still awake are
    looked at next tick, the parked ones wait in a heap until their rest ends. When the watch
    list changed, the lanes it changed are looked at too (a server that starts a thread per
    request changes it at every listing: looking at all of them then read every parked lane
    20 times a second). A tick that must read every lane (a snapshot, the window's edges, a
    parked thread found running) looks at all of them.
    """

    def __init__(self) -> None:
        self.views: object = None  # the watch list's lanes at the last tick (the same list object while unchanged)
        self.awake: list = []  # views read at the last tick and not parked
        self._listed: dict = {}  # slot -> view, of the watch list's lanes
        self._parked: list[tuple[int, int, object]] = []  # (rest_until, slot, view), a heap; stale entries skipped

    def lanes(self, views: list, everyone: bool, now: int, watched: dict, ended: Container = ()) -> list:
        """The views to look at this tick: all of them, or the awake ones, the parked ones whose rest has
        ended, and those the watch list changed (a thread came, or was renamed, or declared a phase) or
        found gone (``ended``: (pid, tid) pairs; its end is read before it leaves the list)."""
        fresh: list = []
        if views is not self.views:
            before = self._listed
            self.views, self._listed = views, {view.slot: view for view in views}
            for each in views:
                changed = before.get(each.slot) is not each
                if changed or ((each.pid, each.tid) in ended and not getattr(watched.get(each.slot), "gone", True)):
                    fresh.append(each)
        if everyone:
            return views
        listed = self._listed
        due: list = [view for view in self.awake if listed.get(view.slot) is view]
        if fresh:
            looked = {awake.slot for awake in due}
            due += [each for each in fresh if each.slot not in looked]  # (a gone lane may be awake still)
        parked = self._parked
        while parked and parked[0][0] <= now:
            until, slot, view = heapq.heappop(parked)
            lane = watched.get(slot)
            if lane is not None and lane.rest_until == until and listed.get(slot) is view:  # not stale, still listed
                due.append(view)
        return due

    def parked(self) -> bool:
        """Whether any lane may be parked now."""
        return bool(self._parked)

    def settle(self, looked_at: list, watched: dict) -> None:
        """After the tick: the lanes it looked at, sorted into awake and parked."""
        awake = []
        for view in looked_at:
            lane = watched.get(view.slot)
            if lane is not None and lane.rest_until:
                heapq.heappush(self._parked, (lane.rest_until, view.slot, view))
            else:
                awake.append(view)
        self.awake = awake
        if len(self._parked) > 4 * len(watched) + 64:  # stale entries pile up when every lane is read often
            self._parked = [(lane.rest_until, slot, lane_view) for slot, lane, lane_view in self._live(watched)]
            heapq.heapify(self._parked)

    def _live(self, watched: dict):
        seen = {}
        for until, slot, view in self._parked:
            lane = watched.get(slot)
            if lane is not None and lane.rest_until == until:
                seen[slot] = (slot, lane, view)
        return seen.values()
