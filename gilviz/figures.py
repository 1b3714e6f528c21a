"""Each lesson's one figure: what theory says and what a run measured (pure).

Most lessons are about a speed-up against a sequential baseline (``gilviz.speedup``).
The others have a figure of their own: asyncio, the wall time in waits (theory: one);
the convoy, the mean round trip beside CPU-bound threads (theory: two switch intervals
with a GIL, one per blocking call the I/O thread makes); more processes than cores, their
mean share of time waiting for a core (theory: 1 − cores/workers); the start methods,
spawn's cost per start over fork's (theory: more than 1, no number); the race, lost
updates (theory with the lock: 0); the queue, the parent's copy of the global (0).
Each of those is its lesson's (``Lesson.own_figure`` and ``Lesson.measure``, in its module
of ``gilviz.lab.lessons``); this module keeps what they share.
"""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass

from gilviz import speedup
from gilviz.lab.lessons import race
from gilviz.lab.scenarios import BY_KEY
from gilviz.model import RunReport
from gilviz.noise import Spread, spread

DEFAULT_SWITCH_INTERVAL_S = 0.005  # CPython's default

SPEEDUP_SAYS = {
    "one": "the baseline itself: 1×",
    "workers": "the waits overlap: workers×",
    "gil": "one thread at a time runs Python bytecode: 1× (without a GIL: min(workers, cores)×)",
    "cores": "one core each: min(workers, cores)×",
    "executor": "threads: 1× (the GIL); processes: min(workers, cores)×",
}


@dataclass(frozen=True)
class Figure:
    name: str
    unit: str  # "×", "waits", "ms", "share" or "" (a count)
    theory: float | None  # None: theory gives no number, only ``says``
    says: str  # the theory in words
    measured: float | None = None

    def to_json(self) -> dict:
        return asdict(self)


def expected(
    scenario: str,
    *,
    workers: int,
    cores: int,
    gil_enabled: bool,
    executor: str = "thread",
    lock: bool = False,
    switch_interval_s: float | None = None,
) -> Figure:
    """The lesson's figure as theory has it, for these workers, cores and interpreter (nothing measured)."""
    info = BY_KEY[scenario]
    interval = switch_interval_s or DEFAULT_SWITCH_INTERVAL_S
    own = info.own_figure(workers=workers, cores=cores, gil_enabled=gil_enabled, lock=lock, interval_s=interval)
    if own is not None:
        return Figure(*own)
    value = speedup.theory(info.theory, workers=workers, cores=cores, gil_enabled=gil_enabled, executor=executor)
    return Figure("speed-up", "×", value, SPEEDUP_SAYS.get(info.theory or "", ""))


def mean_worker_share(report: RunReport, state: str) -> float | None:
    shares = [lane.shares(report.window_s)[state] for lane in report.lanes if lane.role == "worker"]
    return statistics.mean(shares) if shares else None


def measured(report: RunReport) -> Figure:
    """The lesson's figure for a finished run: theory for its interpreter and machine, and what it measured.

    A run that stands for repeated runs (``report.repeats``) gives the median of theirs.
    """
    figure = measured_once(report)
    each = figure_spread(report)
    if each is not None and report.repeats is not None and len(report.repeats.runs) > 1:
        figure = Figure(figure.name, figure.unit, figure.theory, figure.says, each.median)
    return figure


def figure_values(report: RunReport) -> list[float | None]:
    """The lesson's figure of each repeated run (one run: its own), in the order they ran."""
    runs = report.repeats.runs if report.repeats is not None else [report]
    return [measured_once(run).measured for run in runs]


def figure_spread(report: RunReport) -> Spread | None:
    """The median and range of the lesson's figure over the repeated runs (None: nothing measured)."""
    return spread(figure_values(report))


def measured_once(report: RunReport) -> Figure:
    """The lesson's figure of this one run (a speed-up: against its own baseline run)."""
    config, result = report.run_config, report.result
    theory = expected(
        config.scenario,
        workers=config.worker_count,
        cores=report.cores,
        gil_enabled=report.gil_enabled,
        executor=config.executor,
        lock=config.lock,
        switch_interval_s=result.get("switch_interval_s"),
    )
    lesson = BY_KEY[config.scenario]
    if not lesson.has_own_figure():  # a speed-up against its baseline
        return Figure(theory.name, theory.unit, theory.theory, theory.says, report.own_speedup)
    value, own_theory = lesson.measure(result, theory.theory, lambda state: mean_worker_share(report, state))
    return Figure(theory.name, theory.unit, own_theory, theory.says, value)


def updates_per_s(report: RunReport) -> float | None:
    """A race's throughput: updates counted per second of the run (None: not a race)."""
    return race.updates_per_s(report.result, report.wall_s)


def lock_cost(off: RunReport | None, on: RunReport | None) -> float | None:
    """What the lock costs, as throughput: updates per second without it ÷ with it (None unless both were measured).

    The one formula for the lock's cost everywhere (``gilviz bench``, the race panel): the
    two runs should have the same workers and size; each thread counts its updates for the
    size's time box, so the runs last about as long and their rates compare directly.
    """
    off_rate = updates_per_s(off) if off is not None else None
    on_rate = updates_per_s(on) if on is not None else None
    if not off_rate or not on_rate:
        return None
    return off_rate / on_rate
