"""Speed-up and the theory figure it is shown beside (pure functions).

The theory is what the textbook predicts for the scenario on this interpreter and
machine: threads overlap sleeps (workers×); CPU-bound threads take turns on the GIL
(1×) unless the build has no GIL; processes run on separate cores (min(workers, cores)×).

The ceiling is the most any run of the scenario can reach on this machine, whatever the
GIL: CPU-bound work cannot go faster than one core per worker, min(workers, cores)×;
overlapping waits, no faster than all of them at once, workers×. A measured speed-up
above the ceiling by more than ``CEILING_TOLERANCE`` is not speed but noise (the
baseline was slowed by something else, or the run's clock was off), and is said so.
The tolerance is 5 %: identical work varies about ±5 % from run to run on a quiet
machine, so a speed-up up to 5 % above the ceiling may be that variation alone.
"""

from __future__ import annotations


def speedup(baseline_s: float | None, wall_s: float | None) -> float | None:
    """How many times faster than the sequential baseline; None without both figures."""
    if not baseline_s or not wall_s or wall_s <= 0:
        return None
    return baseline_s / wall_s


def theory(kind: str | None, *, workers: int, cores: int, gil_enabled: bool, executor: str = "thread") -> float | None:
    """The textbook's speed-up for a scenario's theory ``kind`` (see gilviz.lab.scenarios)."""
    if kind is None:
        return None
    if kind == "executor":
        kind = "cores" if executor == "process" else "gil"
    if kind == "gil":
        kind = "one" if gil_enabled else "cores"
    if kind == "one":
        return 1.0
    if kind == "workers":
        return float(workers)
    if kind == "cores":
        return float(min(workers, cores))
    raise ValueError("unknown theory kind %r" % kind)


CEILING_TOLERANCE = 0.05
CPU_KINDS = ("one", "gil", "cores", "executor")  # the work is CPU-bound: no faster than a core per worker


def ceiling(kind: str | None, *, workers: int, cores: int) -> float | None:
    """The most a scenario of this theory ``kind`` can speed up on ``cores`` (None where there is no speed-up).

    Overlapping waits ("workers"): workers×. CPU-bound work: min(workers, cores)×, with
    or without a GIL, with either executor (a GIL lowers the theory, not what the cores
    could do). The sequential baseline ("one") is 1× by definition.
    """
    if kind is None:
        return None
    if kind == "one":
        return 1.0
    if kind == "workers":
        return float(workers)
    if kind in CPU_KINDS:
        return float(min(workers, cores))
    raise ValueError("unknown theory kind %r" % kind)


def above_ceiling(measured: float | None, top: float | None, tolerance: float = CEILING_TOLERANCE) -> bool:
    """Whether a measured speed-up is more than ``tolerance`` above the ceiling: impossible, so noise."""
    if measured is None or top is None:
        return False
    return measured > top * (1 + tolerance)
