"""Classify one sampling interval of one lane into state times (layer: probe; pure).

From the kernel: time on CPU and time runnable but waiting for a core. The rest of the
interval the thread was blocked, and the phase the worker declared says on what:
- cpu: it wants to run Python bytecode and is not runnable, so it waits for the GIL
  (there is nothing else a pure-Python loop can block on);
- io: sleeping, as blocking I/O does;
- lock: inside a loop that takes a ``threading.Lock`` for each update; blocked there
  means waiting for the lock or for the GIL the lock holder needs to release it. Both
  are futex waits and the kernel does not tell them apart; gilviz counts it as lock wait;
- queue-put / queue-get: waiting on the multiprocessing queue;
- join / starting: idle, waiting for others;
- done / failed: the worker has finished.
"""

from __future__ import annotations

from typing import NamedTuple

from gilviz.lab import protocol

STATES = ("running", "gil_wait", "core_wait", "io", "lock_wait", "queue_wait", "idle", "done", "failed")
RUNNING, GIL_WAIT, CORE_WAIT, IO, LOCK_WAIT, QUEUE_WAIT, IDLE, DONE, FAILED = range(len(STATES))

BLOCKED_AS = {
    protocol.CPU: GIL_WAIT,
    protocol.IO: IO,
    protocol.LOCK: LOCK_WAIT,
    protocol.QUEUE_PUT: QUEUE_WAIT,
    protocol.QUEUE_GET: QUEUE_WAIT,
    protocol.JOIN: IDLE,
    protocol.STARTING: IDLE,
    protocol.NONE: IDLE,
    protocol.DONE: DONE,
    protocol.FAILED: FAILED,
}


class Interval(NamedTuple):
    times: tuple[float, ...]  # seconds in each of STATES; they add up to the interval
    cpu_carry_s: float  # CPU time the kernel reported beyond the interval, for the next one
    runqueue_carry_s: float


def classify(phase: int, dt_s: float, cpu_s: float, runqueue_s: float) -> Interval:
    """Split an interval of ``dt_s`` into state times.

    The kernel adds a running thread's CPU time in scheduler-tick steps (4 ms at
    HZ=250), so one 10 ms interval can report 12 ms and the next 8 ms. What does not fit
    is returned as carry for the caller to add to the next interval's figures: capping
    without carrying would lose it (about 10 % of a busy thread's time at 100 Hz).
    """
    times = [0.0] * len(STATES)
    cpu_s = max(cpu_s, 0.0)
    runqueue_s = max(runqueue_s, 0.0)
    if dt_s <= 0:
        return Interval(tuple(times), cpu_s, runqueue_s)
    running = min(cpu_s, dt_s)
    core = min(runqueue_s, dt_s - running)
    times[RUNNING] = running
    times[CORE_WAIT] = core
    times[BLOCKED_AS.get(phase, IDLE)] += dt_s - running - core
    return Interval(tuple(times), cpu_s - running, runqueue_s - core)
