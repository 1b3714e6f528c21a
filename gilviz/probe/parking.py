"""Parked threads are read less often: the sampler's cost follows the threads that do something (layer: probe).

A server has hundreds of threads parked on ``queue.get``, ``accept`` or a sleep, and a
few that work. Reading every one of them 100 times a second cost 0.2 of a core for 256
threads, to learn each time that nothing changed. So a lane *parks*: once a reading
finds its thread blocked in the same wait as the reading before, and not run in between
(its schedstat counters did not move), it is left unread for ``PARK_FIRST_NS``, then
twice as long after each such reading, up to ``PARK_MAX_NS``. A reading that finds it
ran, or in another wait, or runnable, brings it back to every tick at once; so does a
phase a lab worker declares, the run's end, and every snapshot (each snapshot's lanes
are read up to its moment, so the dashboard never draws a column a parked lane has not
filled yet). Threads waiting for the GIL never park: their waits are short and many.

What it gives up, stated as bounds: the CPU and run-queue time a parked thread used
between two readings is exact (cumulative kernel counters) but placed evenly over the
span between them, at most ``PARK_MAX_NS`` plus a tick; the wait it was in is the one
read at the span's end. A thread that exits while parked is read as ended from its last
reading on (at most ``PARK_MAX_NS`` early); lab workers tell their end on the board, so
theirs is exact.
"""

from __future__ import annotations

from gilviz.states import GIL_WAIT

PARK_FIRST_NS = 20_000_000  # the first rest: two ticks
PARK_MAX_NS = 500_000_000  # the longest rest: what a parked lane's time may be spread over


def rest(lane, now: int, ran: bool) -> None:
    """After a reading of ``lane`` (the sampler's ``_Watched``) at ``now``: how long to leave it unread."""
    wait = lane.wait
    if ran or not lane.still_blocked or wait is None or wait.state == GIL_WAIT:
        lane.rest_ns = lane.rest_until = 0
        return
    lane.rest_ns = min(PARK_MAX_NS, lane.rest_ns * 2) if lane.rest_ns else PARK_FIRST_NS
    lane.rest_until = now + lane.rest_ns
