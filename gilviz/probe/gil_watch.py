"""Every watched CPython process's GIL, read once a sampler tick and handed to the timeline.

The sampler calls ``GilWatch.tick`` at the end of each tick. For each process whose GIL
lives in known static data it finds the struct (``gil_state``: from a waiter's futex, or
a shape scan a few times after the process is first seen), then reads it: held or not,
by which lane, ``switch_number``, the switch interval, and whether the holder was blocked
in a system call at that instant (its syscall file). A process whose GIL cannot be read
gets a reason, told to the timeline once.

Not here: the free-threaded rule "a thread in ``sched_yield`` spins on a lock". A
yielding thread stays runnable, and for a runnable thread the kernel's syscall file
says ``running`` (``task_current_syscall`` reads only a sleeping task), so it is never
seen in ``sched_yield`` there; telling a spin from a wait for a core needs another sign.
"""

from __future__ import annotations

from gilviz.probe.gil_address import GilLocation
from gilviz.probe.gil_state import SCAN_AT_S, ProcessGil, blocked_call
from gilviz.probe.syscalls import Blocked
from gilviz.states import GIL_WAIT

DISCOVERY_READS = 8  # syscall files read per process and tick while its GIL is still to be found
READ_EVERY_NS = 28_000_000  # at most ~33 reads a second (a cold read costs ~50–100 µs: gilviz bench), each tick's if slower
ONE_THREAD = "one thread watched: no hand-offs to read (its GIL not looked for)"
RAN_FROM = 0.5  # on a CPU this share of the interval: running, not blocked
NO_LANE = -1  # the holder is not a watched lane


class GilWatch:
    """Every watched CPython process's GIL, read once a tick and handed to the timeline.

    The sampler calls ``tick`` once at the end of each of its ticks with its lanes
    (slot -> an object with ``pid``, ``tid``, ``gone``) and the GIL locations it knows.
    """

    def __init__(self, stats) -> None:
        self.stats = stats  # the sampler's thread stats: kept-open syscall files
        self._procs: dict[int, tuple[GilLocation, ProcessGil]] = {}
        self._told: dict[int, tuple[bool, str]] = {}
        self._first_seen: dict[int, int] = {}  # pid -> when (ns) its GIL was first looked for
        self._scans: dict[int, int] = {}  # pid -> scans of its static data so far
        self._turn = 0
        self.ticks = 0
        self._by_pid: tuple[object, dict[int, tuple[dict[int, int], frozenset[int]]]] = (None, {})  # pid -> tid -> slot
        self._next_ns = 0  # the next tick that reads
        self._scanned = False

    def tick(self, now: int, lanes: dict, locations: dict[int, GilLocation], timeline, version: object = None) -> None:
        """``version``: changes whenever a lane comes, goes or ends (None: look at every lane each time).
        A lane's ``busy``: it was on a CPU for ``RAN_FROM`` of its latest interval (the sampler's reading). A
        busy holder is not asked where it is blocked: it was running. The syscall file costs ~40 µs a read
        on a cold tick, and this keeps the GIL's reads within their budget (``gilviz bench``) while a
        blocked holder is still always asked."""
        if now < self._next_ns:
            return  # at most ~33 times a second: the count is exact at any rate, the holder a sample
        self._next_ns = now + READ_EVERY_NS
        self.ticks += 1
        if version is None or version != self._by_pid[0]:  # 1,024 lanes cost ~0.3 ms a look: only when they changed
            by_pid: dict[int, dict[int, int]] = {}
            for slot, lane in lanes.items():
                if not lane.gone:
                    by_pid.setdefault(lane.pid, {})[lane.tid] = slot
            self._by_pid = (version, {pid: (slots, frozenset(slots)) for pid, slots in by_pid.items()})
        self._scanned = False  # at most one scan a tick: each holds the sampler's thread for 20–200 ms
        for pid, (slots, tids) in self._by_pid[1].items():
            gil = locations.get(pid)
            if gil is None:
                continue
            seen = self._procs.get(pid)
            if seen is None or seen[0] != gil:  # new, or it exec'd another program
                if seen is not None:
                    seen[1].close()
                    self._first_seen.pop(pid, None)
                    self._scans.pop(pid, None)
                seen = self._procs[pid] = (gil, ProcessGil(pid))
            proc = seen[1]
            if not gil.ranges:
                self._tell(timeline, pid, False, gil.detail)  # not CPython, or no GIL (free-threaded)
                continue
            if len(slots) < 2 and not proc.readable:
                self._tell(timeline, pid, False, ONE_THREAD)  # no hand-offs to count: not looked for
                continue
            if not proc.readable and not proc.failed:
                self._discover(proc, gil, slots, tids, lanes)
                if not proc.readable:
                    self._scan(now, proc, gil, tids)
            elif proc.scanned and self.ticks % 10 == 0:
                self._discover(proc, gil, slots, tids)  # a waiter now and then: it confirms the scan
            self._tell(timeline, pid, proc.readable, proc.detail)
            if not proc.readable:
                continue
            reading = proc.read(tids)
            if reading is None:
                continue  # exiting, or gone: the figures so far stand
            call = ""
            holder = lanes.get(slots.get(reading.holder_tid, NO_LANE))
            if reading.holder_tid and not (holder is not None and holder.busy):  # a running holder is not asked
                try:
                    call = blocked_call(self.stats.syscall(pid, reading.holder_tid), gil)
                except OSError:
                    pass  # no permission: held, without saying whether blocked
            slot = slots.get(reading.holder_tid, NO_LANE)
            timeline.add_gil(pid, now, reading.locked, slot, call, reading.switch_number, reading.interval_us)

    def _discover(
        self, proc: ProcessGil, gil: GilLocation, slots: dict[int, int], tids: frozenset[int], lanes: dict | None = None
    ) -> None:
        """Read a few threads' syscall files: a GIL waiter's futex address leads to the struct. Lanes the
        sampler last saw waiting for the GIL are read first (among 259 threads, taking turns found none
        before the static data's scan at 0.3 s: 27 ms of the sampler's thread, 0.004 of a core over 6 s)."""
        order = _gil_waiters(slots, lanes)[:DISCOVERY_READS] or sorted(slots)
        if len(order) > DISCOVERY_READS:
            start = self._turn % len(order)
            order = (order[start:] + order[:start])[:DISCOVERY_READS]
            self._turn += DISCOVERY_READS
        for tid in order:
            try:
                reading = self.stats.syscall(proc.pid, tid)
            except OSError:
                return  # no permission: the sampler says so already
            if isinstance(reading, Blocked) and reading.futex_address and proc.offer(reading.futex_address, gil, tids):
                return

    def _scan(self, now: int, proc: ProcessGil, gil: GilLocation, tids: frozenset[int]) -> None:
        """Scan the static data a few times after the process is first seen (each costs tens of ms: docs/measurements.md)."""
        first = self._first_seen.setdefault(proc.pid, now)
        done = self._scans.get(proc.pid, 0)
        if done < len(SCAN_AT_S) and now - first >= SCAN_AT_S[done] * 1e9 and not self._scanned:
            self._scans[proc.pid] = done + 1
            self._scanned = True
            proc.scan(gil, tids)

    def _tell(self, timeline, pid: int, readable: bool, detail: str) -> None:
        if self._told.get(pid) != (readable, detail):
            self._told[pid] = (readable, detail)
            timeline.set_gil_state(pid, readable, detail)

    def close(self) -> None:
        for _, proc in self._procs.values():
            proc.close()
        self._procs.clear()


def _gil_waiters(slots: dict[int, int], lanes: dict | None) -> list[int]:
    """The threads (of ``slots``: tid -> slot) whose lane's latest wait was the GIL's."""
    if not lanes:
        return []
    waiting = []
    for tid, slot in slots.items():
        wait = getattr(lanes.get(slot), "wait", None)
        if wait is not None and wait.state == GIL_WAIT:
            waiting.append(tid)
    return waiting
