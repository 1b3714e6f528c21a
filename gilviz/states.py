"""The states a lane's time is split into, in the one order every figure uses: one table (pure).

Classification (``probe.classify``) produces them, the timeline adds them up, traces
record them in this order, reports and the UI name them. Kept apart so that none of
those needs another to know what the states are.

``TABLE`` is the one statement of each state: its name (also its key in the JSON
reports and a trace's order), the glyph and colour (Okabe-Ito) it is drawn in, what the
legend and the help call it (and a narrow legend), and what the kernel showed for it.
``ui/drawing.py`` builds its glyph, colour and legend maps from it; a new state is a row
here (and a trace version: ``trace_migrate``).
"""

from __future__ import annotations

from typing import NamedTuple


class State(NamedTuple):
    name: str  # also its JSON key
    glyph: str
    colour: str  # Okabe-Ito
    label: str  # the legend's and the help's; "" for a state drawn blank, which the legend leaves out
    short: str  # a narrow legend's
    what: str  # what the kernel (or the lab) showed


TABLE = (
    State("running", "█", "#009E73", "running", "running", "on a CPU (schedstat's run time)"),
    State("gil_wait", "▒", "#E69F00", "waiting for the GIL", "GIL", "a futex wait inside the interpreter's static data"),
    State("core_wait", "▚", "#D55E00", "waiting for a core", "core", "runnable, in the run queue (schedstat)"),
    State("io", "─", "#56B4E9", "I/O", "I/O", "in any other system call: read, poll, sleep, wait4, …"),
    State("lock_wait", "×", "#CC79A7", "lock", "lock", "any other futex wait: Lock, Condition, Event, join"),
    State("queue_wait", "=", "#0072B2", "queue", "queue", "a lock or I/O wait inside a queue's get or put"),
    State(
        "blocked", "≈", "#CC79A7", "futex (GIL or lock: not CPython)", "futex", "a futex wait where the GIL cannot be located"
    ),  # a futex wait that cannot be told apart (the GIL's address is unknown)
    State("idle", "·", "#999999", "idle", "idle", "joining, starting: waiting as the lesson means it to"),
    State("done", " ", "#999999", "", "", "the thread has ended (or declared itself done)"),
    State("failed", "!", "#D55E00", "failed", "failed", "the worker failed"),
    State("not_started", " ", "#999999", "", "", "inside the run's window, before the thread existed"),
    State("unseen", "?", "#999999", "unseen", "unseen", "blocked on something the sampler did not see"),
)
STATES = tuple(state.name for state in TABLE)

(
    RUNNING,
    GIL_WAIT,
    CORE_WAIT,
    IO,
    LOCK_WAIT,
    QUEUE_WAIT,
    BLOCKED,
    IDLE,
    DONE,
    FAILED,
    NOT_STARTED,
    UNSEEN,
) = range(len(STATES))
N_STATES = len(STATES)
WAITS = (GIL_WAIT, IO, LOCK_WAIT, QUEUE_WAIT, BLOCKED, IDLE)  # the states of a thread blocked in a system call
