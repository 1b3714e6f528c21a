"""The sampler: one thread in the UI-side process that watches the lab or a program.

About 100 times a second it asks its watch list which threads are lanes (the lab's
board, or a process tree from /proc), reads each thread's kernel counters (``schedstat``)
and where it is blocked (``syscall``), classifies the interval (``classify``) and feeds
the timeline; 10 times a second while nothing changes (every blocked thread in the same
wait as before; see ``Sampler._next_interval``). 25 times a second it also reads the
voluntary context switches of up to eight lanes (all of them when there are no more; a
lane's again when it declares itself done, just before a lab worker exits, so its last
count is exact), and once a second per-core CPU (``cpustat``). It never touches the
workload: the threads run as they would unobserved (``gilviz bench`` measures how true
that is, and what the sampler itself costs: every tick is kept small, since on a 2-core
machine the sampler's CPU is the lesson's CPU).

A thread first seen after the sampler started is classified from its start (its ``stat``
start time), with its whole CPU time so far; one running when watching began, from first sight.
"""

from __future__ import annotations

import random
import threading
import time

import psutil

from gilviz.lab import protocol
from gilviz.lab.board import Board
from gilviz.probe.classify import DONE, FAILED, Wait, declared, kernel_wait, name_wait, split
from gilviz.probe.cpustat import CoreMeter
from gilviz.probe.gil_address import GilLocation
from gilviz.probe.gil_watch import RAN_FROM, GilWatch
from gilviz.probe.parking import Rota, Waker, rest, rest_ended
from gilviz.probe.proc_cpu import PROC_CPU_EVERY_NS, ProcessCpu
from gilviz.probe.threadstats import CLOCK_TICKS, NOT_NOW, PermissionDenied, ThreadTimes, thread_stats
from gilviz.probe.watchlist import BoardWatchList, ProcessTreeWatchList, alive_until, listed_born
from gilviz.states import GIL_WAIT
from gilviz.timeline import MANY_LANES, SnapshotSink, Timeline

SLOW_EVERY_NS = 200_000_000  # between looks at each process's GIL (in case it exec'd)
SWITCH_EVERY_NS = 40_000_000  # between reads of switches (/proc/.../status, ~3× a schedstat; at 200 ms a short
# worker could end with a single reading in the run, and no count)
CORES_EVERY_NS = 1_000_000_000  # between per-core CPU reads: the meters show each core's last second, as htop does
FIRST_CORES_NS = 250_000_000  # the first read, so a new run's meters need not wait a whole second
CALM_INTERVAL_S = 0.1  # the tick while nothing changes: two 50 ms bins, each given its share of the interval
CALM_BINS = 2  # a calm tick spans at most this many bins (slow motion's 10 ms bins: never calm)
CALM_AFTER = 10  # ticks without a change before the sampler slows down
SWITCH_READS_PER_TICK = 8  # lanes whose status is read on such a tick
SAMPLER_THREAD = "gilviz-sampler"  # the thread's name (the dashboard's cost is told apart by it)
SNAPSHOT_EVERY_S = 0.5  # a snapshot this often, unless its taker says when it wants the next (the dashboard does)
NEW_LANE_GAP_S = 0.2  # a new lane's snapshot no sooner than this after the last (threads come every tick in a server)
JITTER = 0.2  # each tick comes 0.8–1.2 intervals after the last: a fixed beat could fall into step with the GIL's
# 5 ms hand-offs and find a thread running at every reading, its waits never named
BUSY_S = 0.0002  # blocked less than this in an interval: busy throughout, nothing to name
TICK_NS = 1_000_000_000 // CLOCK_TICKS  # the resolution of a thread's start time in /proc


class _Watched:
    """What the sampler keeps of one lane between ticks."""

    __slots__ = (
        "pid", "tid", "t", "cpu_ns", "queue_ns", "cpu_carry", "queue_carry", "wait", "still_blocked", "gone", "phase",
        "rest_ns", "rest_until", "busy",
    )  # fmt: skip

    def __init__(self, pid: int, tid: int) -> None:
        self.pid, self.tid = pid, tid
        self.t = 0  # the end of its last interval (CLOCK_MONOTONIC ns)
        self.cpu_ns = self.queue_ns = 0  # the kernel's counters then
        self.cpu_carry = self.queue_carry = 0.0  # seconds reported beyond an interval, for the next
        self.wait: Wait | None = None  # the last wait the kernel showed
        self.still_blocked = False  # its latest syscall reading was a wait
        self.gone = False  # its thread has exited
        self.phase = protocol.NONE  # the phase its worker declared at the last tick
        self.rest_ns = 0  # parked: how long it is left unread (0: read every tick; see ``parking``)
        self.rest_until = 0  # not read again before this (CLOCK_MONOTONIC ns)
        self.busy = False  # on a CPU for most of its latest interval (``gil_watch``: a running holder is not asked)

    def seen(self, now: int, times: ThreadTimes | None) -> None:
        self.t = now
        if times is not None:
            self.cpu_ns, self.queue_ns = times
        else:
            self.gone = True


class Sampler:
    def __init__(
        self,
        watch: Board | BoardWatchList | ProcessTreeWatchList,
        timeline: Timeline,
        *,
        interval_s: float = 0.01,
        on_snapshot: SnapshotSink | None = None,
        snapshot_every_s: float = SNAPSHOT_EVERY_S,
        force_fallback: bool = False,
    ) -> None:
        self.watch = BoardWatchList(watch) if isinstance(watch, Board) else watch
        self.timeline = timeline
        self.interval_s = interval_s
        calm = CALM_INTERVAL_S if CALM_BINS * timeline.bin_s + 1e-9 >= CALM_INTERVAL_S else interval_s
        self.calm_interval_s = max(interval_s, calm)
        self.calm_ticks = 0  # ticks taken at the calm interval
        self._changed = False  # something changed during the last tick: a lane, a phase, a wait, the window
        self._unchanged = 0  # ticks in a row without a change
        self._window = (0, 0)
        self._next_slow_ns = self._next_switch_ns = 0
        self.on_snapshot = on_snapshot
        self.snapshot_every_s = snapshot_every_s
        self.stats = thread_stats(force_fallback)
        stats = self.stats  # each process's own CPU (every CPU second in a lane), where /proc has it:
        self.proc_cpu = None if stats.coarse else ProcessCpu(stats.files, CLOCK_TICKS, stats.boot_offset_ns)  # type: ignore[union-attr]
        self._next_proc_ns = 0
        timeline.coarse = self.stats.coarse
        self.cpu_s = 0.0  # the sampler thread's own CPU time
        self.ticks = 0
        self.cpu_times_at_start: list | None = None  # psutil per-core times at the run's start
        self.cpu_times_at_end: list | None = None
        self._lanes: dict[int, _Watched] = {}  # slot -> what the sampler keeps of it between ticks
        self.lanes_version = 0  # changes whenever a lane comes, goes or ends
        self._wake_all = False  # the next tick reads parked lanes too (a snapshot follows it)
        self.lane_reads = 0  # lanes read (what the sampler's cost follows)
        self._rota = Rota()  # which lanes a tick looks at (``parking``)
        self._waker = Waker(TICK_NS)
        self._pids: tuple[object, set[int]] = (None, set())  # the watch list's lanes, and their processes
        self._retires = isinstance(self.watch, ProcessTreeWatchList)  # a watch list that lets gone threads go
        self._final_read = False
        self._switch_turn = 0
        self.started_ns = time.monotonic_ns()
        self.syscalls_denied = False  # the kernel would not show where threads are blocked
        self._gil_told: dict[int, GilLocation] = {}
        self.gil_watch = GilWatch(self.stats)  # each process's GIL read from its memory: holder, hand-offs
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.error: str | None = None  # why sampling stopped early (an exception in a tick): one line, no traceback
        self._lock = threading.Lock()
        self.cores = CoreMeter()
        self._next_cores_ns = self.started_ns + FIRST_CORES_NS

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name=SAMPLER_THREAD, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread, after one last tick so the run's end is in the timeline (once)."""
        if self._stop.is_set():
            return
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if self.error is None:
            try:
                self.tick()
            except Exception as exc:  # the boundary: said in one line, the run still ends
                self._failed(exc)

    def _failed(self, exc: Exception) -> None:
        self.error = self.error or "sampling stopped: %s: %s" % (type(exc).__name__, exc)

    def _loop(self) -> None:
        cpu0 = time.thread_time()
        next_tick = time.monotonic()
        next_snapshot = taken = next_tick
        lanes_shown = 0
        jitter = random.Random().random
        try:
            while not self._stop.is_set():
                if self.on_snapshot is not None and time.monotonic() >= next_snapshot:
                    self._wake_all = True
                self.tick()
                now = time.monotonic()
                new_lane = lanes_shown != len(self._lanes) <= MANY_LANES and now - taken >= NEW_LANE_GAP_S  # a worker
                if self.on_snapshot is not None and (now >= next_snapshot or new_lane):  # registered: show it soon
                    lanes_shown, taken = len(self._lanes), now  # (a big program's waits for the next snapshot)
                    wanted = self.on_snapshot(self.timeline.snapshot())  # the dashboard says when it draws next
                    next_snapshot = now + (wanted or self.snapshot_every_s)
                interval = self._next_interval() * (1 - JITTER + 2 * JITTER * jitter())
                next_tick += interval
                if next_tick < now:  # fell behind (suspended, overloaded): do not catch up in a burst
                    next_tick = now + interval
                time.sleep(next_tick - now)  # half the CPU of Event.wait; stop() waits one tick at most
        except Exception as exc:  # the boundary: no traceback over the dashboard; the run sees ``error`` and ends
            self._failed(exc)
        finally:
            self.cpu_s += time.thread_time() - cpu0

    def _next_interval(self) -> float:
        """Every ``interval_s`` while anything changes; every ``calm_interval_s`` once nothing has for a while.

        Nothing changing means every blocked thread was seen in the same wait as before, and
        none ran between two waits other than the GIL's (a CPU thread's turns on the GIL, a
        sleeper's sleep): then naming its blocked time less often names it the same, and running
        and core-wait come from cumulative counters, exact at any rate. A thread that runs
        between two sleeps or lock waits could be in another wait between two slow ticks (a
        lock held across a 20 ms sleep), so it keeps the full rate; so does a thread that was
        blocked but has never been found blocked (its readings all came while it ran).
        A change (a new lane, a declared phase, another wait, the run's start or end) brings
        the full rate back at the next tick; the number of ticks is what the sampler's CPU follows.

        What a calm tick gives up: a bin's figures are its share of a 100 ms interval, not of
        its own 50 ms; a watched thread's last moments before it exits (up to a tick) are
        counted as "ended" (a lab worker writes its CPU time on the board as it finishes, so
        its are not); a watched thread that lives less than a tick can go unseen.
        """
        self._unchanged = 0 if self._changed else self._unchanged + 1
        self._changed = False
        if self._unchanged >= CALM_AFTER:
            self.calm_ticks += 1
            return self.calm_interval_s
        return self.interval_s

    def tick(self) -> None:
        """One sample of every registered lane (also callable directly, e.g. in tests)."""
        with self._lock:
            self._tick()

    def _tick(self) -> None:
        """Read and classify every lane. The loop is written for speed: on a 2-core machine the
        sampler's CPU is taken from the lesson, and each tick starts with cold caches."""
        watch, timeline, stats = self.watch, self.timeline, self.stats
        start, end = watch.window_ns()
        timeline.set_window(start, end)
        edge = (start, end) != self._window  # the window starts or ends at this tick
        if edge:
            self._window, self._changed = (start, end), True
        final = bool(end) and not self._final_read  # the first tick after the run's end
        self.ticks += 1
        now = time.monotonic_ns()
        slow = now >= self._next_slow_ns
        if slow:
            self._next_slow_ns = now + SLOW_EVERY_NS
            for retired in timeline.retire(now) if self._retires else ():  # threads long gone: one "ended
                self._lanes.pop(retired, None)  # threads" aggregate a process (the lab's board keeps its few lanes)
                self.lanes_version += 1
        alive = []
        ending = []  # lanes that declared themselves done or failed: their last switches are read now
        lanes = self._lanes
        named_by_kernel = not (stats.coarse or self.syscalls_denied)
        wake = final or self._wake_all or edge  # every parked lane is read before a snapshot, and as the
        # window starts and ends (its time must not spill over the window's edge)
        self._wake_all = False
        gil_pid = 0
        views = watch.lanes()
        looked_at = []
        ran_ns: dict[int, int] = {}  # pid -> CPU its lanes read in this tick used (see ``Waker``)
        # the rota leaves out parked lanes (``parking``), unless the watch list changed them or found them gone
        for view in self._rota.lanes(views, wake, now, lanes, watch.ended() if self._retires else ()):  # type: ignore[union-attr]
            slot = view.slot
            lane = lanes.get(slot)
            looked_at.append(view)
            if named_by_kernel and view.pid != gil_pid and (slow or view.pid not in self._gil_told):
                gil_pid = view.pid  # every process's GIL is named, even one whose threads never block
                self._gil(gil_pid)  # (and looked at again on slow ticks, in case it exec'd)
            same = lane is not None and lane.pid == view.pid and lane.tid == view.tid
            times = None if same and lane.gone else stats.read(view.pid, view.tid)  # type: ignore[union-attr]
            if times is NOT_NOW:
                continue  # alive, but not readable this time (no file descriptor to spare): its interval waits
            if first := lane is None or not same:
                self._changed = True
                self.lanes_version += 1
                lane = lanes[slot] = _Watched(view.pid, view.tid)
                born = listed_born(watch, view)  # as the watch list read it when it listed it (one read less a thread)
                born = born or (stats.started_ns(view.pid, view.tid) if times is not None else None)
                if born is not None and born >= now:
                    born = now - 1  # listed (or started, to a clock tick) after this tick began
                if born is None or born < self.started_ns - TICK_NS or born >= now:
                    lane.seen(now, times)
                    timeline.lane_seen(view)
                    continue  # already running when watching began: its interval starts now
                timeline.lane_seen(view, max(born, self.started_ns))  # (its start time is whole clock ticks)
                if born < self.started_ns:  # a tick before the sampler's
                    born = self.started_ns
                    self._read_switches([view], now, every=True)  # a first count at once: a short thread gets two
                else:  # a new thread's first count, known without a read (status costs 3 schedstats): none yet
                    timeline.add_switches(slot, born, 0)
                lane.t = born  # new: classify it from its start, with its counters from zero
            else:
                timeline.lane_seen(view)
            t0 = lane.t
            cpu_s, queue_s = lane.cpu_carry, lane.queue_carry
            phase_before = lane.phase
            if view.phase != lane.phase:
                lane.phase, self._changed = view.phase, True
                if view.phase in (protocol.DONE, protocol.FAILED):
                    ending.append(view)
            if times is None:
                first_gone = not lane.gone
                self._changed = self._changed or first_gone
                self.lanes_version += first_gone
                lane.gone = True
                ran = lane.busy = False
                if view.cpu_ns > lane.cpu_ns:  # a lab worker's CPU time, told on the board as it finished:
                    cpu_s += (view.cpu_ns - lane.cpu_ns) / 1e9  # its last moments count as running, not ended
                    lane.cpu_ns = view.cpu_ns
                if first_gone and view.phase in (protocol.DONE, protocol.FAILED) and t0 < view.t_phase < now:
                    t0 = self._until_finished(view, lane, t0, cpu_s, queue_s, phase_before, named_by_kernel)
                    cpu_s, queue_s = lane.cpu_carry, lane.queue_carry
                elif first_gone and lane.rest_ns and t0 < (listed_at := alive_until(watch, view)) < now:
                    t0 = self._until_finished(view, lane, t0, cpu_s, queue_s, phase_before, named_by_kernel, listed_at)
                    cpu_s, queue_s = lane.cpu_carry, lane.queue_carry  # parked until the watch list last listed it
                rest_ended(lane, now, first_gone)  # nothing more to read: "ended" is added when next looked at
            else:
                cpu_ns, queue_ns = times
                ran_ns[view.pid] = ran_ns.get(view.pid, 0) + cpu_ns - lane.cpu_ns
                ran = cpu_ns != lane.cpu_ns or queue_ns != lane.queue_ns
                cpu_s += (cpu_ns - lane.cpu_ns) / 1e9
                queue_s += (queue_ns - lane.queue_ns) / 1e9
                lane.cpu_ns, lane.queue_ns = cpu_ns, queue_ns
                alive.append(view)
                if view.phase != phase_before and view.phase in (protocol.DONE, protocol.FAILED) and t0 < view.t_phase < now:
                    # declared done and still alive (the lab's main thread, its workers joined): in its wait until then
                    t0 = self._until_finished(view, lane, t0, cpu_s, queue_s, phase_before, named_by_kernel)
                    cpu_s, queue_s = lane.cpu_carry, lane.queue_carry
            lane.t = now
            dt_s = (now - t0) / 1e9
            lane.busy = ran and cpu_s >= RAN_FROM * dt_s
            disagree = False  # and what the blocked part of the interval was spent on:
            if times is None:
                wait: Wait | None = Wait(FAILED if view.phase == protocol.FAILED else DONE, "")
            elif not named_by_kernel:
                wait = declared(view.phase)
            else:
                if dt_s - cpu_s - queue_s > BUSY_S and (ran or not lane.still_blocked):
                    self._read_wait(view, lane)  # the syscall file can say something new
                    if lane.wait is None:
                        self._changed = True  # blocked, but never seen so: look again soon, not at the calm rate
                    elif ran and lane.still_blocked and lane.wait.state != GIL_WAIT:
                        self._changed = True  # it ran between two waits: others may have come and gone between ticks
                elif ran:
                    lane.still_blocked = False  # busy all along: where it blocks next is not known yet
                wait = lane.wait
                if wait is not None:
                    wait, disagree = name_wait(wait, view.phase)
            running, core, state, blocked, lane.cpu_carry, lane.queue_carry = split(dt_s, cpu_s, queue_s, wait)
            name = wait.syscall if wait is not None and blocked > 0 else ""
            timeline.add_split(slot, t0, now, running, core, state, blocked, name, blocked if disagree else 0.0)
            if named_by_kernel and times is not None:
                rest(lane, now, ran and not first)  # a new thread found blocked: its start-up is its run
        self._rota.settle(looked_at, lanes)
        if self.proc_cpu is not None and self._rota.parked():
            self._waker.saw(ran_ns)
            if views is not self._pids[0]:
                self._pids = (views, {view.pid for view in views})
            for pid in self._pids[1] if self._waker.due(now) else ():  # a parked thread that runs: every lane is
                ticks = self.proc_cpu.ticks(pid)  # read at the next tick
                if ticks is not None and self._waker.moved(pid, ticks, self._waker.seen_since(pid)):
                    self._wake_all = True
        self.lane_reads += len(looked_at)
        if final or now >= self._next_switch_ns:
            self._next_switch_ns = now + SWITCH_EVERY_NS
            self._read_switches(alive, now, every=final)
        elif ending:
            self._read_switches(ending, now, every=True)
        if start and self.cpu_times_at_start is None:
            self.cpu_times_at_start = psutil.cpu_times(percpu=True)
        if end and self.cpu_times_at_end is None:
            self.cpu_times_at_end = psutil.cpu_times(percpu=True)
        self._final_read = self._final_read or final
        if self.proc_cpu is not None and (now >= self._next_proc_ns or final) and start:
            self._next_proc_ns = now + PROC_CPU_EVERY_NS
            for pid in {view.pid for view in views}:
                self.proc_cpu.read(pid, now, start, end)
            timeline.set_process_cpu(self.proc_cpu.seconds())
        if named_by_kernel:
            self.gil_watch.tick(now, lanes, self._gil_told, timeline, self.lanes_version)
        if now >= self._next_cores_ns:
            self._next_cores_ns = now + CORES_EVERY_NS
            timeline.add_cpu(self.cores.read())

    def _until_finished(
        self, view, lane: _Watched, t0: int, cpu_s: float, queue_s: float, phase: int, by_kernel: bool, finished: int = 0
    ) -> int:
        """A lab worker that exited between two ticks, up to the moment it declared itself done:
        running for its CPU time (told on the board), the rest in the last wait the kernel showed
        (or its declared phase's). Only what follows is "ended". Returns that moment. A parked
        thread that exited unread is in its wait until ``finished``: the watch list last listed it."""
        finished = finished or view.t_phase
        wait = lane.wait if by_kernel else declared(phase)
        if wait is not None and by_kernel:
            wait, _ = name_wait(wait, phase)
        running, core, state, blocked, lane.cpu_carry, lane.queue_carry = split((finished - t0) / 1e9, cpu_s, queue_s, wait)
        name = wait.syscall if wait is not None and blocked > 0 else ""
        self.timeline.add_split(view.slot, t0, finished, running, core, state, blocked, name, 0.0)
        return finished

    def _read_wait(self, view, lane: _Watched) -> None:
        """Read where the thread is blocked now; keep it as the lane's latest wait if it is blocked.

        The syscall file is read only when it can say something new: not when the thread
        has not run since it was last seen blocked (it is still in that same call), nor when
        it was busy the whole interval (there is no blocked time to name). Most threads of
        a real program sleep, so this halves the sampler's cost there.
        """
        try:
            reading = self.stats.syscall(view.pid, view.tid)
        except PermissionDenied:
            self.syscalls_denied = True  # said once in the report; the declared phases are all there is
            self.timeline.set_denied()
            lane.wait = declared(view.phase)
            return
        seen = kernel_wait(reading, self._gil(view.pid))
        lane.still_blocked = seen is not None
        if seen is not None:
            if seen != lane.wait:
                self._changed = True  # another wait than last time: name the blocked time at the full rate
            lane.wait = seen

    def _gil(self, pid: int) -> GilLocation:
        """The process's GIL location, told to the timeline whenever it changes."""
        gil = self.watch.gil(pid)
        if self._gil_told.get(pid) != gil:
            self._gil_told[pid] = gil
            self.timeline.set_gil(pid, gil.detail, gil.known)
            for lane in self._lanes.values() if gil.known else ():  # its futex waits were named without it: all
                lane.still_blocked = lane.still_blocked and lane.pid != pid  # its lanes' are read again at once
            self._wake_all = self._wake_all or gil.known
        return gil

    def _read_switches(self, alive: list, now: int, every: bool) -> None:
        """Voluntary switches of up to SWITCH_READS_PER_TICK lanes, taking turns (all on ``every``)."""
        if not alive:
            return
        if every or len(alive) <= SWITCH_READS_PER_TICK:
            chosen = alive
        else:
            start = self._switch_turn % len(alive)
            chosen = (alive[start:] + alive[:start])[:SWITCH_READS_PER_TICK]
            self._switch_turn += SWITCH_READS_PER_TICK
        for view in chosen:
            switches = self.stats.voluntary_switches(view.pid, view.tid)
            if switches is not None:
                self.timeline.add_switches(view.slot, now, switches)

    def core_busy(self) -> list[float] | None:
        """Per-core busy fraction between the run's start and end (None until both seen)."""
        if self.cpu_times_at_start is None or self.cpu_times_at_end is None:
            return None
        busy = []
        for a, b in zip(self.cpu_times_at_start, self.cpu_times_at_end):
            total = sum(b) - sum(a)
            idle = (b.idle - a.idle) + (getattr(b, "iowait", 0.0) - getattr(a, "iowait", 0.0))
            busy.append(round(1 - idle / total, 3) if total > 0 else 0.0)
        return busy

    def close(self) -> None:
        self.gil_watch.close()
        self.stats.close()
        self.cores.close()
