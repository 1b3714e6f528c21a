"""The GIL's figures as the JSON contract gives them (no textual).

Each lane gains ``"gil": {"held": share, "held_blocked": share}`` (shares of the run's
window; ``null`` where the process's GIL could not be read), and the report gains
``"gil_state"``: one entry per CPython process with ``pid``, ``readable``, ``detail``,
``handoffs`` (exact, from the GIL's ``switch_number``), ``handoffs_per_s``, ``held`` (the
share of the time the GIL was held at all, sampled each tick), ``interval_s`` (the switch
interval) and ``mean_hold_s`` (held time between two hand-offs).
"""

from __future__ import annotations

from gilviz.lab.scenarios import BY_KEY
from gilviz.timeline import LaneView, Snapshot


def _r(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


def lane_gil(lane: LaneView) -> dict | None:
    if lane.gil is None:
        return None
    held, blocked = lane.gil
    return {"held": round(held, 4), "held_blocked": round(blocked, 4)}


def gil_state(snapshot: Snapshot) -> list[dict]:
    return [
        {
            "pid": g.pid,
            "readable": g.readable,
            "detail": g.detail,
            "handoffs": g.handoffs,
            "handoffs_per_s": _r(g.handoffs_per_s, 1),
            "held": _r(g.held),
            "interval_s": _r(g.interval_s, 6),
            "mean_hold_s": _r(g.mean_hold_s, 6),
        }
        for g in snapshot.gil_state
    ]


def _ms(seconds: float) -> str:
    return "%.3g ms" % (seconds * 1000)


def rate_line(handoffs_per_s: float | None, interval_s: float | None) -> str:
    """ "switch interval 50 ms → ~20 hand-offs/s; measured 19": the exact count beside what the interval allows."""
    measured = "—" if handoffs_per_s is None else "%.0f" % handoffs_per_s
    if not interval_s:
        return "%s hand-offs/s" % measured
    return "switch interval %s → ~%.0f hand-offs/s; measured %s" % (_ms(interval_s), 1 / interval_s, measured)


def gil_lines(doc: dict) -> list[str]:
    """The report's GIL lines (``gilviz run`` and ``watch`` as text): one per CPython process."""
    lines = []
    for g in doc.get("gil_state") or []:
        if not g["readable"]:
            lines.append("GIL of pid %d not read: %s" % (g["pid"], g["detail"]))
            continue
        line = "GIL of pid %d: %s hand-offs · %s" % (g["pid"], g["handoffs"], rate_line(g["handoffs_per_s"], g["interval_s"]))
        if g["held"] is not None:
            line += " · held %d %% of the time" % round(g["held"] * 100)
        if g["mean_hold_s"] is not None:
            line += " · %s a hold" % _ms(g["mean_hold_s"])
        lines.append(line + " (hand-offs exact, holder sampled each tick)")
    return lines


def lane_gil_text(lane: dict) -> str:
    """ " · GIL held 49 %" (and how much of it blocked) for a lane whose GIL was read; "" otherwise."""
    gil = lane.get("gil")
    if not gil:
        return ""
    text = " · GIL held %d%%" % round(gil["held"] * 100)
    return text + (" (blocked %d%%)" % round(gil["held_blocked"] * 100) if gil["held_blocked"] >= 0.005 else "")


def lesson_line(snapshot: Snapshot, scenario: str, slow_motion: bool, window_s: float) -> str:
    """The GIL's exact figures for the lessons about it ("" for the others, or where it was not read)."""
    kind = BY_KEY[scenario].gil_figures if scenario in BY_KEY else None  # "handoffs", "held" (a lesson about the GIL)
    if kind is None and not slow_motion:
        return ""
    workers = [lane for lane in snapshot.lanes if lane.role == "worker" and lane.kind == "thread" and lane.gil is not None]
    read = [g for g in snapshot.gil_state if g.readable and any(lane.pid == g.pid for lane in workers)]
    if not read:
        return ""
    if kind == "held":
        held = sum(lane.gil[0] for lane in workers if lane.gil) / len(workers)
        running = sum(lane.shares(window_s)["running"] for lane in workers) / len(workers)
        return "GIL held %d %% while running %d %%: hashlib lets it go" % (round(held * 100), round(running * 100))
    return "GIL: " + rate_line(read[0].handoffs_per_s, read[0].interval_s)
