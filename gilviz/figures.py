"""Each lesson's one figure: what theory says and what a run measured (pure).

Most lessons are about a speed-up against a sequential baseline (``gilviz.speedup``).
The others have a figure of their own: asyncio, the wall time in waits (theory: one);
the convoy, the mean round trip beside CPU-bound threads (theory: two switch intervals
with a GIL, one per blocking call the I/O thread makes); more processes than cores, their
mean share of time waiting for a core (theory: 1 − cores/workers); the start methods,
spawn's cost per start over fork's (theory: more than 1, no number); the race, lost
updates (theory with the lock: 0); the queue, the parent's copy of the global (0).
"""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass

from gilviz import speedup
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
    if scenario == "asyncio":
        return Figure("wall time in waits", "waits", 1.0, "all the waits at once, in one thread: about one wait")
    if scenario == "convoy":
        if gil_enabled:
            says = (
                "each blocking call (recv, sendall) takes the GIL back after a switch interval: two per round trip "
                "(with one CPU thread; with more, others may take their turn first)"
            )
            return Figure("round trip beside CPU threads", "ms", 2 * interval * 1000, says)
        return Figure("round trip beside CPU threads", "ms", None, "no GIL to take back: about the round trip alone")
    if scenario == "oversubscribed":
        says = "only min(workers, cores) run at a time: each waits 1 − cores/workers for a core"
        return Figure("mean core wait", "share", 1 - min(workers, cores) / workers, says)
    if scenario == "start-methods":
        return Figure("spawn ÷ fork, per start", "×", None, "spawn starts a fresh interpreter, fork copies this one: > 1")
    if scenario == "race":
        if lock:
            return Figure("lost updates", "", 0.0, "with the lock: none")
        return Figure("lost updates", "", None, "without the lock: some (how many depends on timing)")
    if scenario == "queue":
        return Figure("the parent's items_made", "", 0.0, "a child's globals are its own copy: the parent's stays 0")
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


def _either(figures: dict, key: str, older: str) -> float | None:
    return figures[key] if key in figures else figures.get(older)


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
    value: float | None = None
    if config.scenario == "asyncio":
        value = (result.get("asyncio") or {}).get("waits")
    elif config.scenario == "convoy":
        convoy = result.get("convoy") or {}
        value = _either(convoy, "with_cpu_mean_ms", "with_cpu_ms")  # the mean (a recording from before: the median)
        alone = _either(convoy, "alone_mean_ms", "alone_ms")
        if theory.theory is None and alone is not None:
            theory = Figure(theory.name, theory.unit, alone, theory.says)
    elif config.scenario == "oversubscribed":
        value = mean_worker_share(report, "core_wait")
    elif config.scenario == "start-methods":
        starts = result.get("start_methods") or {}
        if starts.get("spawn") and starts.get("fork"):
            value = starts["spawn"] / starts["fork"]
    elif config.scenario == "race":
        value = (result.get("race") or {}).get("lost")
    elif config.scenario == "queue":
        value = (result.get("queue") or {}).get("parent_global")
    else:
        value = report.own_speedup
    return Figure(theory.name, theory.unit, theory.theory, theory.says, value)


def updates_per_s(report: RunReport) -> float | None:
    """A race's throughput: updates counted per second of the run (from expected and wall time for old recordings)."""
    race = report.result.get("race")
    if not race:
        return None
    if race.get("updates_per_s") is not None:
        return float(race["updates_per_s"])
    return race["expected"] / report.wall_s if report.wall_s > 0 else None


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
