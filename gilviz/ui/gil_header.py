"""What the header says of the GIL read from memory: hand-offs per second, and a holder that blocked (pure).

Hand-offs are exact (the GIL's own counter); the alarm names the lane that held the GIL
while blocked in a system call for the longest share of the run, once that share is worth
saying (``ALARM_FROM``), in words that read with no colour at all.
"""

from __future__ import annotations

from gilviz.timeline import Snapshot

ALARM_FROM = 0.05  # share of the run a lane held the GIL blocked before the header names it


def handoffs_text(snapshot: Snapshot | None) -> tuple[str, str] | None:
    """("148 hand-offs/s", "148/s"), several processes' joined; None when no GIL is read."""
    if snapshot is None:
        return None
    rates = [g.handoffs_per_s for g in snapshot.gil_state if g.readable and g.handoffs_per_s is not None]
    if not rates:
        return None
    figures = " · ".join("%.0f" % r for r in rates)
    return "%s hand-offs/s" % figures, "%s/s" % figures


def alarm_text(snapshot: Snapshot | None) -> tuple[str, str] | None:
    """("thread 3 held the GIL while blocked in clock_nanosleep for 75 % of the run — the other threads waited", short)."""
    if snapshot is None or snapshot.gil_blocked is None:
        return None
    slot, call, share = snapshot.gil_blocked
    if share < ALARM_FROM:
        return None
    name = next((lane.name for lane in snapshot.lanes if lane.slot == slot), "a thread")
    whole = "the run" if snapshot.window[1] else "the run so far"
    long = "▲ %s held the GIL while blocked in %s for %.0f %% of %s — the other threads waited" % (name, call, share * 100, whole)
    return long, "▲ %s held the GIL blocked in %s %.0f %%" % (name, call, share * 100)


def gil_key(snapshot: Snapshot | None) -> tuple:
    """What the header shows of the GIL: a new snapshot redraws the header only when this changes."""
    return handoffs_text(snapshot), alarm_text(snapshot)
