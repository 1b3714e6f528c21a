"""Which thread lanes a report lists one by one, and which it folds into a count (layer: engine).

A server can start a thread per request: thousands of lanes. ``watch --json`` lists at
most ``MAX_THREAD_LANES`` thread lanes per process; the rest of that process's threads
become one entry ``{"kind": "folded", "pid", "count", "shares", "cpu_s"}``: how many,
their mean shares of the window (so they still add up to 1) and their CPU seconds in
total. The long-lived are never folded away behind the short-lived: the threads that
lived longest inside the window are listed, the shortest folded first.
"""

from __future__ import annotations

from collections.abc import Sequence

from gilviz.states import DONE, FAILED, NOT_STARTED, RUNNING, STATES
from gilviz.timeline import LaneView

MAX_THREAD_LANES = 256  # per process, in a report


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
        by_life = sorted(group, key=lambda lane: (-lived_s(lane), lane.slot))
        rest = by_life[limit:]
        folded_slots.update(lane.slot for lane in rest)
        folded.append(folded_entry(pid, rest, window_s))
    return [lane for lane in lanes if lane.slot not in folded_slots], folded


def folded_entry(pid: int, group: Sequence[LaneView], window_s: float) -> dict:
    """Many thread lanes as one: their count, mean shares of the window and total CPU seconds."""
    count = len(group)
    totals = [sum(lane.run_times[i] for lane in group) for i in range(len(STATES))]
    scale = 1.0 / (count * window_s) if count and window_s > 0 else 0.0
    return {
        "kind": "folded",
        "name": "%d more threads" % count,
        "pid": pid,
        "count": count,
        "shares": {state: round(t * scale, 4) for state, t in zip(STATES, totals)},
        "cpu_s": round(totals[RUNNING], 4),
    }
