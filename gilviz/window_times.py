"""A lane's times over the run's window, every second of it accounted for.

The intervals the sampler read cover only part of a lane's window: the thread may have
begun after the run did ("not started"), ended before it ("done" or "failed" from its
last state on), or gone unread for a while ("unseen"). Filled in, a lane's times add up
to the window's span, so its shares add up to 1. And where the intervals themselves add
up to a little more than the span (a thread's CPU time and the interval's wall time are
read microseconds apart), they are trimmed back to it.
"""

from __future__ import annotations

from gilviz.states import NOT_STARTED, RUNNING, UNSEEN


def whole_window(
    run_times: list[float], start_ns: int, stop_ns: int, born_ns: int, first_ns: int, last_ns: int, last_state: int
) -> tuple[float, ...]:
    """The times of a lane over the window [start_ns, stop_ns], gaps filled in (see the module's docstring).

    ``born_ns``: when its thread began, if known; ``first_ns``/``last_ns``: its first and last readings;
    ``last_state``: what it was at its last reading (``UNSEEN`` while it is still watched)."""
    times = list(run_times)
    span = max(0, stop_ns - start_ns) / 1e9
    if born_ns or not first_ns:  # the thread began inside the window (or has not been seen)
        times[NOT_STARTED] += min(span, max(0, (born_ns or stop_ns) - start_ns) / 1e9)
    if last_ns and last_state != UNSEEN:  # it ended, and is no longer watched: ended since
        times[last_state] += min(max(0.0, span - sum(times)), max(0, stop_ns - last_ns) / 1e9)
    times[UNSEEN] += max(0.0, span - sum(times))
    return within(times, span)


def within(times: list[float], span: float) -> tuple[float, ...]:
    """Times trimmed to the window's span where they add up to more: the excess comes off the
    waiting states (the part inferred from wall time), in proportion; CPU time is only cut when
    it alone passes the span."""
    excess = sum(times) - span
    if excess <= 0 or span <= 0:
        return tuple(times)
    waiting = sum(times) - times[RUNNING]
    if waiting >= excess:
        keep = (waiting - excess) / waiting
        return tuple(t if i == RUNNING else t * keep for i, t in enumerate(times))
    return tuple(span if i == RUNNING else 0.0 for i in range(len(times)))
