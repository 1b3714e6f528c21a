"""Speed-up and the theory figure it is shown beside (layer: engine; pure functions).

The theory is what the textbook predicts for the scenario on this interpreter and
machine: threads overlap sleeps (workers×); CPU-bound threads take turns on the GIL
(1×) unless the build has no GIL; processes run on separate cores (min(workers, cores)×).
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
