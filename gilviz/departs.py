"""Why a lesson's own figure departs from its theory, in one line (pure).

``gilviz.explain`` says why a speed-up is off; this module does the same for the lessons
with a figure of their own (``gilviz.figures``), so that a lesson never contradicts
itself silently: the convoy's round trip (theory: two switch intervals), asyncio's wall
time in waits (theory: one wait), and the race with the lock, whose picture is the lock's
wait (on two busy cores it can hide behind a wait for a core). More processes than cores
is a speed-up lesson: ``gilviz.explain`` says why its speed-up is off.

How far is noise: a round trip is a handful of scheduler decisions, so the convoy's may
be half to twice its theory before it is called off (``ROUND_TRIP_FACTOR``); asyncio's
waits may be 10 % over one wait (timer slack, the loop's start-up). Past that, the line
names what was measured: the rest of the machine's load, the threads' waits for a core;
when none of those reaches ``SHARE_MIN``, it says so rather than guess.
"""

from __future__ import annotations

import statistics

from gilviz import figures
from gilviz.explain import SHARE_MIN, WORDS, pct
from gilviz.model import RunConfig, RunReport
from gilviz.noise import MachineLoad

ROUND_TRIP_FACTOR = 2.0  # the convoy's round trip is off past half or twice its theory
WAITS_OVER = 0.10  # asyncio: more than 1.1 waits long
CORE_WAIT_HIDES = 0.30  # the race with the lock: a mean core wait this big can hide the lock's
BUSY_CORES = 0.25  # other programs' cores worth naming (as ``gilviz.noise``'s threshold)


def _mean_share(report: RunReport, lanes, state: str) -> float:
    shares = [lane.shares(report.window_s)[state] for lane in lanes]
    return statistics.mean(shares) if shares else 0.0


def _busy(report: RunReport) -> str | None:
    """ "other programs used 1.3 of 2 cores", when they used enough to matter."""
    machine: MachineLoad | None = report.machine
    if machine is None or not machine.cores:
        return None
    took = machine.other_cpu + machine.steal
    if took < BUSY_CORES:
        return None
    return "other programs used %.1f of %d cores" % (took, machine.cores)


def _workers(report: RunReport) -> list:
    return [lane for lane in report.lanes if lane.role == "worker"]


def _count(lanes, kind: str) -> str:
    n = len(lanes)
    noun = kind + ("es" if kind == "process" else "s") if n != 1 else kind
    return "the %s%s" % ("%s " % WORDS.get(n, str(n)) if n != 1 else "", noun)


def _race(report: RunReport) -> str | None:
    """With the lock on: the lock's wait, the lesson's picture, hidden behind a wait for a core."""
    workers = _workers(report)
    if not workers or report.window_s <= 0:
        return None
    lock, core = _mean_share(report, workers, "lock_wait"), _mean_share(report, workers, "core_wait")
    if lock >= SHARE_MIN or core < CORE_WAIT_HIDES:
        return None
    where = _busy(report) or ("%d busy cores" % report.cores if report.cores else "busy cores")
    return "the lock's wait hid behind a core wait (%s): %s waited %s for a core, %s for the lock" % (
        where,
        _count(workers, "thread"),
        pct(core),
        pct(lock),
    )


def _convoy(report: RunReport, measured: float, theory: float) -> list[str]:
    workers = [lane for lane in _workers(report) if lane.kind == "thread"]
    cpu = [lane for lane in workers if lane.name.startswith("cpu")]
    io = [lane for lane in workers if not lane.name.startswith("cpu")]
    reasons = []
    if measured < theory and cpu:
        waited = _mean_share(report, cpu, "core_wait")
        if waited >= SHARE_MIN:
            reasons.append(
                "the CPU thread%s waited %s for a core, and the replies slipped through meanwhile"
                % ("" if len(cpu) == 1 else "s", pct(waited))
            )
    if measured > theory and io:
        waited = _mean_share(report, io, "core_wait")
        if waited >= SHARE_MIN:
            reasons.append("the I/O thread waited %s for a core" % pct(waited))
    return reasons


def figure_why(report: RunReport) -> str | None:
    """One line on why this run's own figure is off its theory by more than noise; None when it is not (or has none)."""
    config = report.config
    if not isinstance(config, RunConfig) or report.result.get("cancelled"):
        return None
    why = config.info.why
    if why == "lost_updates":
        return _race(report) if config.lock else None
    if why not in ("round_trip", "waits"):
        return None  # a speed-up (oversubscribed's too): gilviz.explain; the others have no theory to be off
    figure = figures.measured(report)
    measured, theory = figure.measured, figure.theory
    if measured is None or not theory:
        return None
    reasons: list[str] = []
    if why == "round_trip":
        if theory / ROUND_TRIP_FACTOR <= measured <= theory * ROUND_TRIP_FACTOR:
            return None
        reasons = _convoy(report, measured, theory)
    else:
        if measured <= 1 + WAITS_OVER:
            return None
        loop = [lane for lane in report.lanes if lane.role == "main"]
        waited = _mean_share(report, loop, "core_wait")
        if waited >= SHARE_MIN:
            reasons.append("the event loop waited %s for a core" % pct(waited))
    busy = _busy(report)
    if busy:
        reasons.insert(0, busy)
    side = "below" if measured < theory else "above"
    said = "; ".join(reasons) if reasons else "nothing gilviz measured explains it (no other load, no wait for a core)"
    return "%s its theory — %s" % (side, said)


__all__ = ["figure_why"]
