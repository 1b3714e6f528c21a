"""The GIL's figures as the JSON contract gives them (layer: engine; no textual).

Each lane gains ``"gil": {"held": share, "held_blocked": share}`` (shares of the run's
window; ``null`` where the process's GIL could not be read), and the report gains
``"gil_state"``: one entry per CPython process with ``pid``, ``readable``, ``detail``,
``handoffs`` (exact, from the GIL's ``switch_number``), ``handoffs_per_s``, ``held`` (the
share of the time the GIL was held at all, sampled each tick), ``interval_s`` (the switch
interval) and ``mean_hold_s`` (held time between two hand-offs).
"""

from __future__ import annotations

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
