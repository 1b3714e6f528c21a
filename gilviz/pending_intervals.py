"""A replayed moment shows a parked lane up to that moment, from the reading that followed it.

The sampler reads a parked thread (blocked, and not run since its last reading) less
often, up to every two seconds (``probe/parking``), so a recording holds one interval for
the whole rest, written as the rest ends. Live, the dashboard reads every parked lane
before each snapshot; a replay stopped mid-rest (a still at ``--at``, a paused replay)
would show that lane empty for up to two seconds. So before a replayed snapshot, the part
of each lane's next interval that lies before the moment is applied now, and the rest
when its own event comes. An interval's times are spread evenly over its span wherever
it is applied (``Timeline``), so the timeline ends exactly as if each were applied whole.
"""

from __future__ import annotations

from collections import deque

from gilviz.timeline import Timeline


class PendingIntervals:
    """A run's intervals by lane, in order: what of each is applied, and what waits for its event."""

    def __init__(self, events: list[dict]) -> None:
        self._events = events
        self._next: dict[int, deque[int]] = {}  # slot -> the indices of its intervals not yet applied whole
        for index, event in enumerate(events):
            if event["ev"] == "iv":
                self._next.setdefault(event["slot"], deque()).append(index)
        self._from: dict[int, int] = {}  # an interval's index -> the end of its part applied already (ns)
        self._declared: set[int] = set()  # slots whose lane event was applied
        self.reached = 0  # the latest reading applied: the moment a snapshot now shows

    def declared(self, slot: int) -> None:
        self._declared.add(slot)

    def applied(self, timeline: Timeline, index: int, event: dict) -> None:
        """The interval at ``index`` reached in order: what of it is not applied yet."""
        self._next[event["slot"]].popleft()
        _add_part(timeline, event, self._from.pop(index, event["t0"]), event["t1"])
        self.reached = max(self.reached, event["t1"])

    def fill(self, timeline: Timeline) -> None:
        """Before a snapshot: each lane's next interval, up to the latest reading applied."""
        upto = self.reached
        for slot, waiting in self._next.items():
            if not waiting or slot not in self._declared:
                continue
            index = waiting[0]
            event = self._events[index]
            start = self._from.get(index, event["t0"])
            if start < upto < event["t1"]:
                _add_part(timeline, event, start, upto)
                self._from[index] = upto


def _add_part(timeline: Timeline, event: dict, start: int, end: int) -> None:
    """The part [start, end] of an interval event: its times in proportion to the span."""
    t0, t1 = event["t0"], event["t1"]
    share = (end - start) / (t1 - t0) if t1 > t0 else 1.0
    times = tuple(event["times"]) if share == 1.0 else tuple(t * share for t in event["times"])
    timeline.add_interval(event["slot"], start, end, times, event.get("wait", ""), event.get("dis", 0.0) * share)
