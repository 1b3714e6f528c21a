"""One row per thread: what it does now and where its time went, to sort and filter (pure).

The dashboard's table view (``T``) and the JSON's ``"threads"`` are made here, from a
``Snapshot`` alone, so both say the same. A row holds the thread's name, what it is
doing now (the state of its newest bin, and the system call it last waited in) and the
shares of its life inside the window (from the window's start, or its birth, to now, or
its end) that it ran, waited for the GIL, waited on a lock and waited on I/O. Life
shares, not the last second's, so that a sorted table does not reshuffle with every
frame, and so that a row costs a few additions whatever the thread's history.

Threads gone for more than ``RETIRE_S`` retire into one "ended threads" row per process
(their count and their summed shares kept): a thread-per-request server starts thousands,
and the rows that matter are the ones still there. The lanes fold by the same rule
(``gilviz.ui.lane_rows``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from gilviz.outside import NAME_LIMIT, visible
from gilviz.retired import EndedThreads
from gilviz.states import DONE, FAILED, GIL_WAIT, IO, LOCK_WAIT, NOT_STARTED, QUEUE_WAIT, RUNNING, STATES
from gilviz.timeline import LaneView, Snapshot

RETIRE_S = 3.0  # a thread gone this long retires into its process's "ended threads" row
LONG_LIVED_S = 2.0  # a thread that has lived this long is never folded behind shorter-lived ones

STATE_WORDS = {
    "running": "running",
    "gil_wait": "GIL wait",
    "core_wait": "core wait",
    "io": "I/O",
    "lock_wait": "lock",
    "queue_wait": "queue",
    "blocked": "futex",
    "idle": "idle",
    "done": "ended",
    "failed": "failed",
    "not_started": "new",
    "unseen": "unseen",
}


@dataclass(frozen=True)
class Column:
    key: str  # ThreadRow's attribute
    title: str
    numeric: bool  # a share: sorted biggest first, shown as a percentage


COLUMNS = (
    Column("name", "name", False),
    Column("tid", "tid", False),
    Column("state", "state now", False),
    Column("syscall", "syscall now", False),
    Column("run", "run %", True),
    Column("gil", "GIL %", True),
    Column("lock", "lock %", True),
    Column("io", "I/O %", True),
)
BY_KEY = {column.key: column for column in COLUMNS}
DEFAULT_SORT = "gil"  # the question people bring: which thread waits for the GIL


@dataclass(frozen=True)
class ThreadRow:
    """One thread, or (``threads`` > 1, ``tid`` 0) the threads of one process that ended a while ago."""

    key: tuple  # the lane row's key for a thread, so the lanes can find it; (pid, "ended") for the ended row
    pid: int
    tid: int
    name: str  # shown as it is: made visible at construction
    state: str
    syscall: str
    run: float
    gil: float
    lock: float
    io: float
    threads: int = 1


def newest_index(snapshot: Snapshot) -> int:
    """The snapshot's newest bin."""
    return math.floor(snapshot.t / snapshot.bin_s) if snapshot.bin_s > 0 else 0


def is_main(lane: LaneView) -> bool:
    """A process's own row (its main thread, or a worker process), never folded or retired."""
    return lane.role == "main" or lane.kind == "process" or lane.tid == lane.pid


def retired(lane: LaneView, newest: int, bin_s: float) -> bool:
    """Gone for more than RETIRE_S: no reading since (the watch list lets go of an ended thread a second after its end)."""
    if is_main(lane) or not lane.bins:
        return False
    return (newest - lane.bins[-1].index) * bin_s > RETIRE_S


def lived_s(lane: LaneView, bin_s: float) -> float:
    """How long the lane has been read: from its first bin kept to its newest."""
    if not lane.bins:
        return 0.0
    return (lane.bins[-1].index - lane.bins[0].index + 1) * bin_s


def state_now(lane: LaneView) -> str:
    """What the thread did most in its newest bin, in words ("GIL wait", "I/O", "ended")."""
    if lane.phase == "failed":
        return "failed"
    if not lane.bins:
        return "unseen"
    times = lane.bins[-1].times
    if times[DONE] + times[FAILED] > 0 and times[DONE] + times[FAILED] >= max(times) * 0.999:
        return "ended"
    most = max(times)
    return STATE_WORDS[STATES[times.index(most)]] if most > 0 else "idle"


def _shares(times: Sequence[float]) -> tuple[float, float, float, float]:
    """Run, GIL, lock and I/O shares of the time these times say the thread lived."""
    lived = sum(times) - times[DONE] - times[NOT_STARTED]
    if lived <= 0:
        return 0.0, 0.0, 0.0, 0.0
    return times[RUNNING] / lived, times[GIL_WAIT] / lived, (times[LOCK_WAIT] + times[QUEUE_WAIT]) / lived, times[IO] / lived


def _life_times(lane: LaneView) -> Sequence[float]:
    """The lane's window times; before the window has started (a lab's warm-up), what its bins hold."""
    if sum(lane.run_times) > 0:
        return lane.run_times
    return [sum(col) for col in zip(*(b.times for b in lane.bins))] if lane.bins else lane.run_times


def thread_row(lane: LaneView) -> ThreadRow:
    run, gil, lock, io = _shares(_life_times(lane))
    return ThreadRow(
        key=(lane.pid, lane.tid, lane.slot),
        pid=lane.pid,
        tid=lane.tid,
        name=visible(lane.name, NAME_LIMIT),
        state=state_now(lane),
        syscall=visible(lane.wait_now, NAME_LIMIT),
        run=run,
        gil=gil,
        lock=lock,
        io=io,
    )


def ended_times(lanes: Sequence[LaneView], earlier: EndedThreads | None = None) -> list[float]:
    """The window times of a process's retired threads added together, with those the timeline has already
    let go of (``earlier``, from ``Snapshot.ended``); empty when there are none."""
    times = [lane.run_times for lane in lanes] + ([earlier.run_times] if earlier is not None else [])
    return [sum(col) for col in zip(*times)]


def ended_row(pid: int, lanes: Sequence[LaneView], earlier: EndedThreads | None = None) -> ThreadRow:
    """The threads of one process that retired: their count, and the shares of their lives added together."""
    totals = ended_times(lanes, earlier)
    run, gil, lock, io = _shares(totals) if totals else (0.0, 0.0, 0.0, 0.0)
    count = len(lanes) + (earlier.count if earlier is not None else 0)
    return ThreadRow((pid, "ended"), pid, 0, threads_label(count, "ended "), "ended", "", run, gil, lock, io, threads=count)


def threads_label(count: int, what: str = "") -> str:
    """ "1 ended thread", "76 ended threads" (``what`` before the noun)."""
    return "%d %sthread%s" % (count, what, "" if count == 1 else "s")


def thread_rows(snapshot: Snapshot) -> list[ThreadRow]:
    """A row per lane, in the lanes' order, but threads gone for more than RETIRE_S in one row per process."""
    newest, bin_s = newest_index(snapshot), snapshot.bin_s
    rows: list[ThreadRow] = []
    gone: dict[int, list[LaneView]] = {}
    for lane in snapshot.lanes:
        if retired(lane, newest, bin_s):
            gone.setdefault(lane.pid, []).append(lane)
        else:
            rows.append(thread_row(lane))
    earlier = {g.pid: g for g in snapshot.ended}
    for pid in [*gone, *(pid for pid in earlier if pid not in gone)]:
        rows.append(ended_row(pid, gone.get(pid, []), earlier.get(pid)))
    return rows


def ended(row: ThreadRow) -> bool:
    return row.state in ("ended", "failed") or not row.tid


def sorted_rows(rows: Sequence[ThreadRow], column: str, reverse: bool = False) -> list[ThreadRow]:
    """Sorted as htop sorts: shares biggest first, words A to Z; ``reverse`` turns either round. Ties keep their order.

    Threads that have ended come after those still there, either way: a thread-per-request
    server's last requests (a few milliseconds of GIL wait, all their life) would otherwise
    stand above the thread that waits now.
    """
    numeric = BY_KEY[column].numeric
    if column == "name":
        out = sorted(rows, key=lambda r: r.name.casefold(), reverse=reverse)
    else:
        out = sorted(rows, key=lambda r: getattr(r, column), reverse=numeric != reverse)  # stable either way
    return [r for r in out if not ended(r)] + [r for r in out if ended(r)]


def matching(rows: Sequence[ThreadRow], text: str) -> list[ThreadRow]:
    """The rows whose name holds ``text`` (any case), or whose tid or pid is it."""
    if not text:
        return list(rows)
    wanted = text.casefold()
    return [r for r in rows if wanted in r.name.casefold() or wanted in (str(r.tid), str(r.pid))]


def percent(share: float) -> str:
    return "%d%%" % round(share * 100)


def rows_json(rows: Sequence[ThreadRow]) -> list[dict]:
    """The ``"threads"`` of ``run --json`` and ``watch --json``."""
    out = []
    for r in rows:
        entry: dict = {"name": r.name, "pid": r.pid}
        if r.threads > 1 or not r.tid:
            entry.update(kind="ended", count=r.threads)
        else:
            entry.update(tid=r.tid, state=r.state, syscall=r.syscall or None)
        shares = {"running": r.run, "gil_wait": r.gil, "lock_wait": r.lock, "io": r.io}
        entry["shares"] = {state: round(share, 4) for state, share in shares.items()}
        out.append(entry)
    return out
