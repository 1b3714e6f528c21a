"""Which thread lanes a report lists one by one, and which it folds into a count.

A server can start a thread per request: thousands of lanes. ``watch --json`` lists at
most ``MAX_THREAD_LANES`` thread lanes per process; the rest of that process's threads
become one entry ``{"kind": "folded", "pid", "count", "shares", "cpu_s"}``: how many,
their mean shares of the window (so they still add up to 1) and their CPU seconds in
total. The long-lived are never folded away behind the short-lived: the threads that
lived longest inside the window are listed, the shortest folded first (among threads
that lived about as long, to a tenth of a second, those that ran least).

Every CPU second lands in an entry: a process's own CPU time inside the window (from the
kernel, exited threads' included: ``Snapshot.process_cpu``) less what its lanes ran is the
CPU of threads too short to be seen, one ``{"kind": "short-lived", "pid", "cpu_s",
"count": null}`` entry per process where that is more than the counters' resolution
(their number is not known: the kernel keeps no count of a process's thread creations).
"""

from __future__ import annotations

from collections.abc import Container, Sequence

from gilviz.retired import EndedThreads
from gilviz.states import DONE, FAILED, NOT_STARTED, RUNNING, STATES
from gilviz.thread_table import threads_label
from gilviz.timeline import LaneView

MAX_THREAD_LANES = 256  # per process, in a report
SHORT_LIVED_MIN_S = 0.03  # below this, the difference is the counters' resolution (10 ms ticks, two readings)


def lived_s(lane: LaneView) -> float:
    """Seconds of the window the lane's thread existed (not before it started, nor after it ended)."""
    times = lane.run_times
    return sum(times) - times[NOT_STARTED] - times[DONE] - times[FAILED]


def fold_lanes(lanes: Sequence[LaneView], window_s: float, limit: int = MAX_THREAD_LANES) -> tuple[list[LaneView], list[dict]]:
    """The lanes to list (in their order) and, per process with more than ``limit`` thread lanes, a folded entry."""
    threads: dict[int, list[LaneView]] = {}
    for lane in lanes:
        if lane.kind == "thread" and lane.role == "worker":
            threads.setdefault(lane.pid, []).append(lane)
    folded_slots: set[int] = set()
    folded: list[dict] = []
    for pid, group in threads.items():
        if len(group) <= limit:
            continue
        by_life = sorted(group, key=lambda lane: (-round(lived_s(lane), 1), -lane.run_times[RUNNING], lane.slot))
        rest = by_life[limit:]
        folded_slots.update(lane.slot for lane in rest)
        folded.append(folded_entry(pid, rest, window_s))
    return [lane for lane in lanes if lane.slot not in folded_slots], folded


def folded_entry(pid: int, group: Sequence[LaneView], window_s: float) -> dict:
    """Many thread lanes as one: their count, mean shares of the window and total CPU seconds."""
    count = len(group)
    totals = [sum(lane.run_times[i] for lane in group) for i in range(len(STATES))]
    scale = 1.0 / (count * window_s) if count and window_s > 0 else 0.0
    return entry(
        "folded", "%d more threads" % count, pid, count, {state: t * scale for state, t in zip(STATES, totals)}, totals[RUNNING]
    )


def entry(kind: str, name: str, pid: int, count: int | None, shares: dict[str, float], cpu_s: float) -> dict:
    """An entry that stands for several threads, with a lane's keys (``tid``, ``switches`` and ``gil`` null) and ``count``."""
    return {
        "name": name,
        "pid": pid,
        "tid": None,
        "kind": kind,
        "role": "worker",
        "shares": {state: round(share, 4) for state, share in shares.items()},
        "waits": {},
        "switches": None,
        "gil": None,  # the GIL's holder is read per thread: a group has no one share
        "cpu_s": round(cpu_s, 4),
        "io_kinds": {},
        "count": count,
    }


def ended_entries(ended: Sequence[EndedThreads], window_s: float, listed: Container[int] = ()) -> list[dict]:
    """Each process's retired thread lanes (``Snapshot.ended``) as one folded entry, ``"ended": true``; a child
    process none of whose lanes is ``listed`` any more (pids) retired whole: "ended process", ``"process": true``."""
    out = []
    for g in ended:
        whole = g.pid not in listed
        name = "ended process (%s)" % threads_label(g.count) if whole else threads_label(g.count, "ended ")
        out.append(dict(entry("folded", name, g.pid, g.count, g.shares(window_s), g.cpu_s), ended=True, process=whole))
    return out


def short_lived(
    lanes: Sequence[LaneView], process_cpu: Sequence[tuple[int, float]], ended: Sequence[EndedThreads] = ()
) -> list[tuple[int, float]]:
    """Per process, (pid, CPU seconds of its threads that were never lanes), where above the resolution."""
    ran: dict[int, float] = {group.pid: group.cpu_s for group in ended}
    for lane in lanes:
        if lane.kind == "thread" or lane.tid == lane.pid:  # a process lane is its main thread
            ran[lane.pid] = ran.get(lane.pid, 0.0) + lane.run_times[RUNNING]
    return [(pid, cpu - ran.get(pid, 0.0)) for pid, cpu in process_cpu if cpu - ran.get(pid, 0.0) > SHORT_LIVED_MIN_S]


def short_lived_entries(
    lanes: Sequence[LaneView], process_cpu: Sequence[tuple[int, float]], window_s: float, ended: Sequence[EndedThreads] = ()
) -> list[dict]:
    """The JSON entries of ``short_lived``: one row a process, "n unseen" threads (``count`` null). Its shares are
    those of one lane that ran their CPU time (at most the whole window) and was unseen the rest."""
    entries = []
    for pid, cpu in short_lived(lanes, process_cpu, ended):
        running = min(1.0, cpu / window_s) if window_s > 0 else 0.0
        shares = {state: 0.0 for state in STATES}
        shares["running"], shares["unseen"] = running, 1.0 - running
        entries.append(entry("short-lived", "short-lived threads", pid, None, shares, cpu))
    return entries
