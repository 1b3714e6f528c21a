"""Older trace versions read as the current one: every migration is in ``migrate`` (no textual).

- Version 2 (before the GIL was read from memory) has no ``gilstate`` or ``gilread``
  events: nothing to change; its replays show no holder and ``gil: null``.
- Version 1 (before the kernel named the waits) had 9 states: no "blocked", "not_started"
  or "unseen"; an interval's times are placed in the new order.

A new format version adds its step here and nowhere else (``trace_format.VERSION`` is what is written).
"""

from __future__ import annotations

from gilviz.states import N_STATES, STATES

V1_STATES = ("running", "gil_wait", "core_wait", "io", "lock_wait", "queue_wait", "idle", "done", "failed")
_V1_INDEX = [STATES.index(s) for s in V1_STATES]


def migrate(version: int, event: dict) -> str | None:
    """One checked record of a trace of ``version``, brought to the current format in place; what is wrong, if it cannot be."""
    if event.get("ev") == "iv":
        expected = N_STATES if version >= 2 else len(V1_STATES)
        if len(event["times"]) != expected:
            return "an interval needs %d state times" % expected
        if version == 1:
            event["times"] = _from_v1(event["times"])
    return None


def _from_v1(times: list) -> list:
    out = [0.0] * N_STATES
    for i, value in zip(_V1_INDEX, times):
        out[i] = value
    return out
