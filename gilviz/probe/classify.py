"""Classify one sampling interval of one thread into state times, from the kernel (pure).

Per interval the kernel gives, from ``schedstat``, the time the thread spent on a CPU
(*running*) and runnable but waiting for one (*waiting for a core*). The rest of the
interval it was blocked, and ``/proc/PID/task/TID/syscall`` says on what:

- a futex wait on an address in the interpreter's static data: *waiting for the GIL*;
- any other futex wait: *waiting on a lock* (Lock, Condition, Event, Queue, join);
- a futex wait in a process whose GIL cannot be located (not CPython): *blocked (futex)*;
- any other system call: *I/O*, keeping the call's name (clock_nanosleep, read, poll, …).
- blocked in the kernel outside a system call (a page fault, most often): *blocked*, not I/O.

The syscall file is a reading at one instant, the interval's end. When the thread is
running at that instant, its blocked time goes to the last wait the sampler saw it in
(``last_wait``); before any was seen, to *unseen*. A worker's declared phase never
overrides the kernel: it only names a wait the kernel found (a lock wait in a
queue-put phase is a queue wait; in a join, idle), and when the kernel's wait is one the
phase does not allow (a "cpu" phase blocked in ``read``), the time is flagged as a
disagreement, which reports count. Without the syscall file (no /proc: "coarse") the
declared phase is all there is, and it names the blocked time as before.
"""

from __future__ import annotations

from typing import NamedTuple

from gilviz.lab import protocol
from gilviz.probe.gil_address import GilLocation, in_ranges
from gilviz.probe.syscalls import KERNEL_WAIT, Blocked
from gilviz.probe.syscalls import RUNNING as SYSCALL_RUNNING
from gilviz.states import (
    BLOCKED,
    CORE_WAIT,
    DONE,
    FAILED,
    GIL_WAIT,
    IDLE,
    IO,
    LOCK_WAIT,
    N_STATES,
    QUEUE_WAIT,
    RUNNING,
    UNSEEN,
)


class Wait(NamedTuple):
    """What a blocked thread waits on: a state (index into STATES) and the system call's name."""

    state: int
    syscall: str


# Without the syscall file: the declared phase names the blocked time (the coarse fallback).
DECLARED = {
    protocol.CPU: Wait(GIL_WAIT, ""),
    protocol.IO: Wait(IO, ""),
    protocol.LOCK: Wait(LOCK_WAIT, ""),
    protocol.QUEUE_PUT: Wait(QUEUE_WAIT, ""),
    protocol.QUEUE_GET: Wait(QUEUE_WAIT, ""),
    protocol.JOIN: Wait(IDLE, ""),
    protocol.STARTING: Wait(IDLE, ""),
    protocol.NONE: Wait(BLOCKED, ""),
    protocol.DONE: Wait(DONE, ""),
    protocol.FAILED: Wait(FAILED, ""),
}


def declared(phase: int) -> Wait:
    """The wait a phase declares: all there is without the syscall file (coarse, or no permission)."""
    return DECLARED.get(phase, DECLARED[protocol.NONE])


# A declared phase may rename a wait the kernel found, never invent one.
_QUEUE_NAMES = {LOCK_WAIT: QUEUE_WAIT, IO: QUEUE_WAIT}
_IDLE_NAMES = {LOCK_WAIT: IDLE, IO: IDLE}  # joining a thread is a lock wait, a process a wait4
RENAMES = {
    protocol.QUEUE_PUT: _QUEUE_NAMES,
    protocol.QUEUE_GET: _QUEUE_NAMES,
    protocol.JOIN: _IDLE_NAMES,
    protocol.STARTING: _IDLE_NAMES,
}
# The waits each working phase allows; any other is a disagreement between phase and kernel.
ALLOWED = {
    protocol.CPU: {GIL_WAIT, BLOCKED},
    protocol.IO: {IO, GIL_WAIT, BLOCKED},
    protocol.LOCK: {LOCK_WAIT, GIL_WAIT, BLOCKED},
    protocol.QUEUE_PUT: {QUEUE_WAIT, GIL_WAIT, BLOCKED},
    protocol.QUEUE_GET: {QUEUE_WAIT, GIL_WAIT, BLOCKED},
}


class Interval(NamedTuple):
    times: tuple[float, ...]  # seconds in each of STATES; they add up to the interval
    cpu_carry_s: float  # CPU time the kernel reported beyond the interval, for the next one
    runqueue_carry_s: float
    wait: str = ""  # the system call the blocked time was spent in ("" when none or not known)
    disagree_s: float = 0.0  # blocked time whose kernel wait the declared phase does not allow


def kernel_wait(reading: Blocked | str | None, gil: GilLocation) -> Wait | None:
    """The wait a syscall reading shows; None when the thread is running (or the reading is empty)."""
    if reading is None or reading == SYSCALL_RUNNING or not isinstance(reading, Blocked):
        return None
    if reading.futex_address is None:
        return Wait(BLOCKED if reading.name == KERNEL_WAIT else IO, reading.name)  # a page fault is not I/O
    if gil.ranges is None:
        return Wait(BLOCKED, reading.name)
    if in_ranges(reading.futex_address, gil.ranges):
        return Wait(GIL_WAIT, reading.name)
    return Wait(LOCK_WAIT, reading.name)


def _named(phase: int, state: int) -> tuple[int, bool]:
    if phase in (protocol.DONE, protocol.FAILED):
        return (DONE if phase == protocol.DONE else FAILED), False
    named = RENAMES.get(phase, {}).get(state, state)
    allowed = ALLOWED.get(phase)
    return named, allowed is not None and named not in allowed


# (phase, kernel state) -> (named state, disagrees): worked out once, looked up every tick
_NAMED = {(phase, state): _named(phase, state) for phase in protocol.PHASE_NAMES for state in range(N_STATES)}


def name_wait(wait: Wait, phase: int) -> tuple[Wait, bool]:
    """The wait as the declared phase names it, and whether the phase disagrees with the kernel."""
    state, disagree = _NAMED.get((phase, wait.state)) or _named(phase, wait.state)
    return (wait if state == wait.state else Wait(state, wait.syscall)), disagree


def split(dt_s: float, cpu_s: float, runqueue_s: float, wait: Wait | None) -> tuple[float, float, int, float, float, float]:
    """Split an interval of ``dt_s``: (running, waiting for a core, blocked state, blocked, cpu carry, runqueue carry).

    The kernel adds a running thread's CPU time in scheduler-tick steps, so one 10 ms
    interval can report 12 ms and the next 8 ms. What does not fit is returned as carry
    for the caller to add to the next interval's figures: capping without carrying would
    lose it (about 10 % of a busy thread's time at 100 Hz). The blocked rest goes to
    ``wait``, or to "unseen" when no wait has been seen yet.
    """
    cpu_s = cpu_s if cpu_s > 0 else 0.0
    runqueue_s = runqueue_s if runqueue_s > 0 else 0.0
    if dt_s <= 0:
        return 0.0, 0.0, UNSEEN, 0.0, cpu_s, runqueue_s
    running = cpu_s if cpu_s < dt_s else dt_s
    core = min(runqueue_s, dt_s - running)
    blocked = dt_s - running - core
    return running, core, (UNSEEN if wait is None else wait.state), blocked, cpu_s - running, runqueue_s - core


def classify(dt_s: float, cpu_s: float, runqueue_s: float, wait: Wait | None, *, disagree: bool = False) -> Interval:
    """``split`` as an ``Interval``: seconds in every state (what a trace records)."""
    running, core, state, blocked, cpu_carry, runqueue_carry = split(dt_s, cpu_s, runqueue_s, wait)
    times = [0.0] * N_STATES
    times[RUNNING] = running
    times[CORE_WAIT] = core
    times[state] += blocked
    name = wait.syscall if wait is not None and blocked > 0 else ""
    return Interval(tuple(times), cpu_carry, runqueue_carry, name, blocked if disagree else 0.0)
