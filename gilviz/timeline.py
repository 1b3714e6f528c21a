"""The timeline model: bounded per-lane history and immutable snapshots (no textual).

The sampler feeds it one classified interval per lane per tick; it keeps
- per lane, the state times of the last ``history_bins`` bins of ``bin_s`` seconds
  (a ring buffer: memory stays flat however long gilviz runs);
- per lane, the state times inside the run's window (from the lab's start mark to its
  finish mark), from which a run's shares are computed, and the system calls its
  blocked time was spent in;
- per core, the CPU percentages psutil reported, also in a ring buffer.
``snapshot()`` returns an immutable ``Snapshot`` the UI draws from. A lane's window
times always cover the whole window: time before its first interval is "not started",
and any gap the sampler left is "unseen", so shares add up to 1.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass
from itertools import repeat
from typing import Callable, NamedTuple, Optional

from gilviz.gil_figures import GilTally, ProcessGilState
from gilviz.lab import protocol
from gilviz.retired import RETIRE_AFTER_NS, EndedThreads, Retired
from gilviz.states import CORE_WAIT, DONE, FAILED, N_STATES, RUNNING, STATES, UNSEEN, WAITS
from gilviz.window_times import whole_window


class Bin(NamedTuple):
    """State times (seconds, in STATES order) in one bin starting at ``index * bin_s``.

    ``count`` is the lane's board counter (items made or handled, the race counter) as
    last read in that bin, so panels can draw it over time. A named tuple, not a frozen
    dataclass: a parked lane's long interval makes many at once (1,024 lanes: 20,000 a
    second), and a tuple is made in a third of the time, in half the memory. (Its ``index``
    and ``count`` hide the tuple methods of those names, which nothing calls on a bin.)
    """

    index: int  # type: ignore[assignment]
    times: tuple[float, ...]
    count: int = 0  # type: ignore[assignment]
    gil: tuple[float, ...] | None = None  # seconds holding the GIL, of those blocked, its GIL read; then smoothed
    # held and running seconds (``GIL_DECAY`` a bin, so one column's verdict rests on more than its one or two readings)


_NEW, _BINS, _NONE = tuple.__new__, repeat(Bin), repeat(None)  # whole bins made in C: half the time of Bin(...)


@dataclass(frozen=True)
class LaneView:
    slot: int
    pid: int
    tid: int
    kind: str  # "thread" or "process"
    role: str  # "main" or "worker"
    name: str
    phase: str
    progress: float
    count: int
    note: str  # why it failed, if it did
    bins: tuple[Bin, ...]
    run_times: tuple[float, ...]  # seconds per state inside the run window
    switches: int | None  # voluntary context switches inside the run window (None: not read twice)
    done: int = 0  # units of work done (the board's progress numerator)
    total: int = 0  # units of work to do (0: not known)
    waits: tuple[tuple[str, float], ...] = ()  # (system call, seconds blocked in it) inside the window, longest first
    disagreements: tuple[tuple[str, float], ...] = ()  # ("declared cpu, kernel read", seconds) inside the window
    wait_now: str = ""  # the system call of the latest blocked interval
    gil: tuple[float, float] | None = None  # shares of the window holding the GIL, and of those blocked; None: not read

    def shares(self, wall_s: float) -> dict[str, float]:
        """Fractions of a run of ``wall_s`` seconds spent in each state."""
        if wall_s <= 0:
            return {state: 0.0 for state in STATES}
        return {state: t / wall_s for state, t in zip(STATES, self.run_times)}


@dataclass(frozen=True)
class Snapshot:
    t: float  # CLOCK_MONOTONIC seconds when it was taken
    bin_s: float
    lanes: tuple[LaneView, ...]
    cpu: tuple[float, ...]  # per-core busy percent, latest
    cpu_history: tuple[tuple[float, ...], ...]  # per core, oldest first
    window: tuple[float, float]  # run start and end in monotonic seconds; 0 where not reached
    coarse: bool  # True when thread times come from psutil ticks, not /proc
    gil: tuple[tuple[int, str, bool], ...] = ()  # per process: (pid, where its GIL is or why unknown, known)
    denied: bool = False  # the kernel refused to show where threads block: waits are the declared phases
    gil_state: tuple[ProcessGilState, ...] = ()  # per CPython process: its GIL read from memory, or why not
    gil_blocked: tuple[int, str, float] | None = None  # (slot, call, share of the window) held the GIL blocked longest
    ended: tuple[EndedThreads, ...] = ()  # per process, its thread lanes retired since they ended (``retired``)
    process_cpu: tuple[tuple[int, float], ...] = ()  # per process: (pid, CPU seconds inside the window, from its
    # own counters, exited threads' included); less its lanes' running time: its threads too short to be seen


MANY_LANES = 128  # more lanes than this: a program drawn every 1.5 s, a new lane waiting for the next snapshot
# (a snapshot costs in proportion to the lanes; a thread-per-request server brings a new one every tick)

SnapshotSink = Callable[[Snapshot], Optional[float]]
"""Given each snapshot as it is taken; may return the seconds until it wants the next (None: the taker's own pace)."""


class _Lane:
    def __init__(self, view, history_bins: int, gil_read: list[float]) -> None:
        self.view = view  # the board's latest SlotView
        self.bins: deque[Bin] = deque(maxlen=history_bins)
        self.open_index: int | None = None
        self.open_times = [0.0] * N_STATES
        self.run_times = [0.0] * N_STATES
        self.first_ns = 0  # start of the lane's first interval
        self.born_ns = 0  # when the thread started, if that was after watching began (0: before, or unknown)
        self.last_ns = 0  # end of the lane's latest interval
        self.last_state = UNSEEN  # DONE or FAILED once the latest interval found the thread ended
        self.waits: dict[str, float] = {}
        self.disagreements: dict[str, float] = {}
        self.wait_now = ""
        self.gil_open: list[float] | None = None  # the open bin's GIL seconds: held, held while blocked
        self.gil_read = gil_read  # [seconds its process's GIL was read for], shared by the process's lanes
        self.gil_base = 0.0  # ... when the open bin opened: the bin's read seconds are the difference
        self.gil_smooth = (0.0, 0.0)  # held and running seconds, each bin's added to GIL_DECAY × the last
        self.first_switches: int | None = None
        self.last_switches: int | None = None
        self.switch_readings = 0  # readings after the first inside the window
        self._closed: tuple[Bin, ...] = ()  # the closed bins as the last snapshot took them

    def closed_bins(self) -> tuple[Bin, ...]:
        """The closed bins as a tuple, made again only when one was added (a parked lane's stay the same
        from one snapshot to the next; 1,200 of them for each of hundreds of lanes, at every snapshot)."""
        bins, kept = self.bins, self._closed
        if len(kept) != len(bins) or (bins and kept[-1] is not bins[-1]):
            self._closed = tuple(bins)
        return self._closed


class Timeline:
    def __init__(self, *, bin_s: float = 0.05, history_bins: int = 1200, cpu_history: int = 600, coarse: bool = False) -> None:
        self.bin_s = bin_s
        self._bin_ns = round(bin_s * 1e9)
        self.coarse = coarse
        self._history_bins = history_bins
        self._lanes: dict[int, _Lane] = {}
        self._cpu: tuple[float, ...] = ()
        self._cpu_history: deque[tuple[float, ...]] = deque(maxlen=cpu_history)
        self._window = (0, 0)
        self._lock = threading.Lock()
        self._t = 0.0
        self._gil: dict[int, tuple[str, bool]] = {}
        self._gil_tally = GilTally()
        self.denied = False
        self._process_cpu: tuple[tuple[int, float], ...] = ()
        self._retired: dict[int, Retired] = {}  # pid -> its thread lanes that ended long ago, as one
        self._gil_read: dict[int, list[float]] = {}  # pid -> [seconds its GIL's readings stood for] (``add_gil``)

    # -- fed by the sampler ---------------------------------------------------------

    def set_window(self, start_ns: int, end_ns: int) -> None:
        self._window = (start_ns, end_ns)

    def lane_seen(self, view, born_ns: int = 0) -> None:
        """The latest reading of a slot (name, phase, progress...); ``born_ns``: when its thread started, if known."""
        lane = self._lanes.get(view.slot)
        if lane is not None and lane.view is view and not born_ns:
            return  # the same reading as last time (the board and watch lists hand out unchanged views again)
        with self._lock:
            if lane is None or (lane.view.pid, lane.view.tid) != (view.pid, view.tid):
                gil_read = self._gil_read.setdefault(view.pid, [0.0])
                lane = self._lanes[view.slot] = _Lane(view, self._history_bins, gil_read)
            lane.view = view
            if born_ns:
                lane.born_ns = born_ns

    def add_interval(
        self, slot: int, t0_ns: int, t1_ns: int, times: tuple[float, ...], wait: str = "", disagree_s: float = 0.0
    ) -> None:
        """One classified interval of one lane, as seconds per state (a replayed trace gives these)."""
        with self._lock:
            self._add(slot, t0_ns, t1_ns, [(i, t) for i, t in enumerate(times) if t], wait, disagree_s)

    def add_split(
        self,
        slot: int,
        t0_ns: int,
        t1_ns: int,
        running: float,
        core: float,
        state: int,
        blocked: float,
        wait: str,
        disagree_s: float,
    ) -> None:
        """The sampler's interval: running, waiting for a core, and blocked in one ``state``, in seconds.

        The same as ``add_interval`` with a vector that is zero elsewhere; the sampler calls
        it for every lane up to 100 times a second, so it touches three numbers, not twelve.
        """
        lane = self._lanes[slot]
        open_index = lane.open_index
        if lane.first_ns and open_index == t0_ns // self._bin_ns == (t1_ns - 1) // self._bin_ns and not disagree_s:
            start, end = self._window
            if not start or (t0_ns >= start and (not end or t1_ns <= end)):  # the common case, inside one bin and
                with self._lock:  # wholly inside (or before) the window: three additions, no scaling
                    lane.last_ns = t1_ns
                    lane.last_state = state if state in (DONE, FAILED) and not running and not core else UNSEEN
                    if wait:
                        lane.wait_now = wait
                    open_times = lane.open_times
                    open_times[RUNNING] += running
                    open_times[CORE_WAIT] += core
                    open_times[state] += blocked
                    if start:
                        run_times = lane.run_times
                        run_times[RUNNING] += running
                        run_times[CORE_WAIT] += core
                        run_times[state] += blocked
                        if wait and blocked > 0 and state in WAITS:
                            lane.waits[wait] = lane.waits.get(wait, 0.0) + blocked
                    self._t = t1_ns / 1e9
                return
        with self._lock:
            self._add(slot, t0_ns, t1_ns, ((RUNNING, running), (CORE_WAIT, core), (state, blocked)), wait, disagree_s)

    def _add(self, slot: int, t0_ns: int, t1_ns: int, parts, wait: str, disagree_s: float) -> None:
        lane = self._lanes[slot]
        if not lane.first_ns:
            lane.first_ns = t0_ns
        lane.last_ns = t1_ns
        total = ended = blocked = 0.0
        last_state = UNSEEN
        for i, t in parts:
            total += t
            if i in (DONE, FAILED):
                ended += t
                last_state = i
            elif i in WAITS:
                blocked += t
        lane.last_state = last_state if ended and ended >= total * 0.999 else UNSEEN
        if wait:
            lane.wait_now = wait
        # The interval's times go to the bins it overlaps, in proportion: a late tick (an interval
        # longer than a bin) no longer leaves a bin empty and doubles the next.
        bin_ns, dt = self._bin_ns, t1_ns - t0_ns
        index, last_index = t0_ns // bin_ns, (t1_ns - 1) // bin_ns
        if lane.open_index is not None and index < lane.open_index:
            index = last_index = lane.open_index  # never reach back into a closed bin (should not happen)
        if last_index - index > self._history_bins:  # bins the ring would drop at once are not made (a days-long interval)
            if lane.open_index is not None:
                _close_open_bin(lane, self.bin_s)
                lane.open_index = None
            index = last_index - self._history_bins
        whole: tuple[float, ...] | None = None  # the times of a new bin the interval covers whole: the same for each
        while index <= last_index:
            if lane.open_index != index:
                if lane.open_index is not None:
                    _close_open_bin(lane, self.bin_s)
                if index < last_index and index * bin_ns >= t0_ns:  # a new bin it covers whole: closed at once
                    if whole is None:
                        full, share = [0.0] * N_STATES, bin_ns / dt
                        for i, t in parts:
                            full[i] += t * share
                        whole = tuple(full)
                    covered = min(last_index, (t1_ns // bin_ns))  # the new bins it covers whole: [index, covered)
                    count = lane.view.count
                    lane.bins.extend(map(_NEW, _BINS, zip(range(index, covered), repeat(whole), repeat(count), _NONE)))
                    lane.open_index = None
                    index = covered
                    continue
                lane.open_index = index
                lane.open_times = [0.0] * N_STATES
                lane.gil_base = lane.gil_read[0]
            share = (min(t1_ns, (index + 1) * bin_ns) - max(t0_ns, index * bin_ns)) / dt if dt > 0 else 1.0
            open_times = lane.open_times
            for i, t in parts:
                open_times[i] += t * share
            index += 1
        start, end = self._window
        if start:
            overlap = min(t1_ns, end or t1_ns) - max(t0_ns, start)
            if overlap > 0:
                scale = overlap / (t1_ns - t0_ns)
                run_times = lane.run_times
                for i, t in parts:
                    run_times[i] += t * scale
                if wait and blocked > 0:
                    lane.waits[wait] = lane.waits.get(wait, 0.0) + blocked * scale
                if disagree_s > 0:
                    key = "declared %s, kernel %s" % (protocol.PHASE_NAMES.get(lane.view.phase, "?"), wait or "?")
                    lane.disagreements[key] = lane.disagreements.get(key, 0.0) + disagree_s * scale
        self._t = t1_ns / 1e9

    def add_switches(self, slot: int, t_ns: int, switches: int) -> None:
        start, end = self._window
        if not start or t_ns < start:
            return
        with self._lock:
            lane = self._lanes[slot]
            if lane.first_switches is None:
                lane.first_switches = switches
            elif not end or t_ns <= end + 100_000_000:
                lane.switch_readings += 1
            if not end or t_ns <= end + 100_000_000:  # the reading just after the end still counts
                lane.last_switches = switches

    def add_cpu(self, percents: tuple[float, ...]) -> None:
        with self._lock:
            self._cpu = percents
            self._cpu_history.append(percents)

    def set_gil(self, pid: int, detail: str, known: bool) -> None:
        """Where a process's GIL is (``known``) or why it cannot be told."""
        with self._lock:
            self._gil[pid] = (detail, known)

    def set_process_cpu(self, seconds: dict[int, float]) -> None:
        """Each process's CPU seconds inside the window, from its own counters (``probe.proc_cpu``)."""
        self._process_cpu = tuple(sorted(seconds.items()))

    def retire(self, now_ns: int) -> list[int]:
        """Thread lanes whose thread ended over RETIRE_AFTER_NS ago leave for their process's aggregate; their slots."""
        start, end = self._window
        if not start or end:  # only while the window is open: each then counts as ended up to its end
            return []
        gone = []
        with self._lock:
            for slot, lane in self._lanes.items():
                ended = lane.last_state in (DONE, FAILED) and 0 < lane.last_ns < now_ns - RETIRE_AFTER_NS
                if ended and lane.view.role == protocol.WORKER:  # a thread, or a child process (whose own lane goes too)
                    gone.append(slot)
                    self._retired.setdefault(lane.view.pid, Retired()).add(self._whole_window(lane, now_ns), now_ns)
            for slot in gone:
                del self._lanes[slot]
        return gone

    def set_denied(self) -> None:
        self.denied = True

    def set_gil_state(self, pid: int, readable: bool, detail: str) -> None:
        """Whether a process's GIL can be read from its memory, and what the header says of it."""
        with self._lock:
            self._gil_tally.set_state(pid, readable, detail)

    def add_gil(self, pid: int, t_ns: int, locked: bool, slot: int, call: str, switch_number: int, interval_us: int) -> None:
        """One reading of a process's GIL (``gil_figures.GilTally.add``)."""
        with self._lock:
            dt = self._gil_tally.add(pid, t_ns, locked, slot, call, switch_number, interval_us, self._window)
            if dt <= 0:
                return
            self._gil_read.setdefault(pid, [0.0])[0] += dt  # every lane's open bin: the reading stands for the time
            holder = self._lanes.get(slot) if locked else None  # since the last (each bin takes its part as it closes)
            if holder is not None and holder.view.pid == pid and holder.open_index is not None:
                gil = holder.gil_open = holder.gil_open or [0.0, 0.0]
                gil[0] += dt
                gil[1] += dt if call else 0.0

    # -- read by the UI and the reports -------------------------------------------------

    def _whole_window(self, lane: _Lane, now_ns: int = 0) -> tuple[float, ...]:
        """The lane's window times, with "not started" and "unseen" filling what intervals did not cover."""
        start, end = self._window
        if not start:
            return tuple(lane.run_times)
        stop = end or now_ns or int(self._t * 1e9)
        return whole_window(lane.run_times, start, stop, lane.born_ns, lane.first_ns, lane.last_ns, lane.last_state)

    def snapshot(self) -> Snapshot:
        with self._lock:
            start, end = self._window
            span_s = max(0, (end or int(self._t * 1e9)) - start) / 1e9 if start else 0.0
            tally = self._gil_tally
            lanes = []
            for slot in sorted(self._lanes):
                lane = self._lanes[slot]
                v = lane.view
                bins = lane.closed_bins()
                if lane.open_index is not None:
                    bins += (Bin(lane.open_index, tuple(lane.open_times), v.count, _gil(lane, self.bin_s)),)
                switches = None
                if lane.switch_readings and lane.first_switches is not None and lane.last_switches is not None:
                    switches = lane.last_switches - lane.first_switches
                lanes.append(
                    LaneView(
                        slot=v.slot,
                        pid=v.pid,
                        tid=v.tid,
                        kind=protocol.KIND_NAMES.get(v.kind, "?"),
                        role=protocol.ROLE_NAMES.get(v.role, "?"),
                        name=v.name,
                        phase=protocol.PHASE_NAMES.get(v.phase, "?"),
                        progress=v.progress,
                        count=v.count,
                        note=v.note,
                        bins=bins,
                        run_times=self._whole_window(lane),
                        switches=switches,
                        done=v.done,
                        total=v.total,
                        waits=tuple(sorted(lane.waits.items(), key=lambda kv: -kv[1])),
                        disagreements=tuple(sorted(lane.disagreements.items(), key=lambda kv: -kv[1])),
                        wait_now=lane.wait_now,
                        gil=tally.lane(v.slot, v.pid, span_s),
                    )
                )
            history = tuple(zip(*self._cpu_history)) if self._cpu_history else ()
            start, end = self._window
            return Snapshot(
                t=self._t,
                bin_s=self.bin_s,
                lanes=tuple(lanes),
                cpu=self._cpu,
                cpu_history=history,
                window=(start / 1e9, end / 1e9),
                coarse=self.coarse,
                gil=tuple((pid, detail, known) for pid, (detail, known) in sorted(self._gil.items())),
                denied=self.denied,
                gil_state=tally.processes(),
                gil_blocked=_share(tally.worst_blocked(), span_s),
                process_cpu=self._process_cpu,
                ended=tuple(r.view(pid, end or int(self._t * 1e9)) for pid, r in sorted(self._retired.items())),
            )


def _share(worst: tuple[int, str, float] | None, span_s: float) -> tuple[int, str, float] | None:
    return None if worst is None or span_s <= 0 else (worst[0], worst[1], worst[2] / span_s)


GIL_DECAY = 0.8  # per bin: the smoothed GIL figures remember ~5 bins (a quarter of a second at 50 ms)


def _close_open_bin(lane: _Lane, bin_s: float) -> None:
    """The lane's open bin joins its closed ones, with the GIL's seconds read in it."""
    assert lane.open_index is not None
    gil = _gil(lane, bin_s)
    if gil is not None:
        lane.gil_smooth = gil[3], gil[4]
    lane.bins.append(Bin(lane.open_index, tuple(lane.open_times), lane.view.count, gil))
    lane.gil_open = None


def _gil(lane: _Lane, bin_s: float) -> tuple[float, ...] | None:
    """The open bin's GIL seconds, and the smoothed held and running seconds up to it (None: not read)."""
    read = lane.gil_read[0] - lane.gil_base
    if read <= 0:
        return None
    g = lane.gil_open or (0.0, 0.0)
    held, running = lane.gil_smooth
    ran = lane.open_times[RUNNING] * min(1.0, read / bin_s)  # its running time while the GIL was being read
    return (g[0], g[1], read, GIL_DECAY * held + g[0], GIL_DECAY * running + ran)
