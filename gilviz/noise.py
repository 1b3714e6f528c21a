"""Honest figures on a noisy machine: the rest of the machine's load, and medians with their spread (pure).

Two kinds of arithmetic, both pure (no reading, no clock), so they are tested by exact
numbers:

- ``machine_load(start, end)``: what the rest of the machine did during a run. The
  reader (``gilviz.probe.machine``) takes a ``CpuReading`` at the run's start and end:
  every core's busy CPU-seconds so far (``/proc/stat``: user, nice, system, irq,
  softirq; steal apart), the seconds the hypervisor stole, and the CPU-seconds of our
  own processes (gilviz itself, the lab and everything it started). What the cores did
  beyond our own is other programs' work: ``other_cpu``, in cores (1.0 = one whole core
  busy with other work, on average over the run). Steal is given apart, in cores too.
- ``spread(values)``: the median of repeated measurements and their range (min, max).

A run is **noisy** when ``other_cpu + steal`` is above ``NOISY_CORES``, a quarter of a
core on average. Why a quarter: the lessons fill two to four cores (this 2-core VM, a
laptop), where a quarter of a core is 6-12 % of the machine, as much as the run-to-run
variation of identical work when the machine is quiet (about ±5 %, and the 10 % floor
``gilviz.explain`` allows before it calls a speed-up off). A calm run here measures
0.00-0.10 (system daemons, the terminal). On a machine with many idle cores the rule is
cautious: other work there may not have competed with the run at all.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

NOISY_CORES = 0.25  # other_cpu + steal above this (cores, on average over the run): the figures will be off


@dataclass(frozen=True)
class CpuReading:
    """One moment's counters: all cores' busy and stolen CPU-seconds so far, and our own processes' CPU-seconds."""

    t_s: float  # a monotonic clock, seconds
    busy_s: float  # every core's busy time so far (user, nice, system, irq, softirq), steal not included
    steal_s: float  # time the hypervisor ran something else on our virtual cores (0 where not reported)
    ours_s: float  # CPU time of gilviz and the processes it watches or started


@dataclass(frozen=True)
class MachineLoad:
    """What the rest of the machine did during a run, in cores (averages over ``wall_s``)."""

    other_cpu: float  # other programs' CPU, cores
    steal: float  # stolen by the hypervisor, cores
    ours: float  # our own processes' CPU, cores (the sampler, the lab, the workers)
    cores: int  # the machine's cores (all of them, not just the lab's)
    wall_s: float  # how long it was measured over
    threshold: float = NOISY_CORES

    @property
    def noisy(self) -> bool:
        return self.other_cpu + self.steal > self.threshold

    def to_json(self) -> dict:
        return {
            "other_cpu": round(self.other_cpu, 3),
            "steal": round(self.steal, 3),
            "noisy": self.noisy,
            "ours": round(self.ours, 3),
            "cores": self.cores,
            "wall_s": round(self.wall_s, 4),
            "threshold": self.threshold,
        }

    @classmethod
    def from_json(cls, doc: dict) -> MachineLoad:
        return cls(
            float(doc["other_cpu"]),
            float(doc["steal"]),
            float(doc.get("ours", 0.0)),
            int(doc["cores"]),
            float(doc.get("wall_s", 0.0)),
            float(doc.get("threshold", NOISY_CORES)),
        )


def machine_load(start: CpuReading, end: CpuReading, *, cores: int, threshold: float = NOISY_CORES) -> MachineLoad | None:
    """The rest of the machine's load between two readings; None when no time passed between them.

    ``other_cpu`` = (busy − ours) ÷ wall, never below 0: the kernel counts a process's time
    and the cores' time by different clocks, so a calm machine can read a hair below 0
    (and a process's CPU can include time the hypervisor stole, which ``/proc/stat``
    counts as steal instead).
    """
    wall = end.t_s - start.t_s
    if wall <= 0:
        return None
    busy = end.busy_s - start.busy_s
    ours = end.ours_s - start.ours_s
    steal = max(0.0, end.steal_s - start.steal_s)
    return MachineLoad(max(0.0, (busy - ours) / wall), steal / wall, max(0.0, ours / wall), cores, wall, threshold)


def combine(loads: Sequence[MachineLoad | None]) -> MachineLoad | None:
    """Several runs' loads as one: time-weighted averages (the load over all of their time); None if none measured."""
    measured = [load for load in loads if load is not None]
    if not measured:
        return None
    wall = sum(load.wall_s for load in measured)
    if wall <= 0:
        return measured[-1]

    def mean(name: str) -> float:
        return sum(getattr(load, name) * load.wall_s for load in measured) / wall

    return MachineLoad(mean("other_cpu"), mean("steal"), mean("ours"), measured[0].cores, wall, measured[0].threshold)


@dataclass(frozen=True)
class Spread:
    """Repeated measurements: their median, lowest and highest, and how many."""

    median: float
    lo: float
    hi: float
    n: int

    @property
    def range(self) -> list[float]:
        return [self.lo, self.hi]


def spread(values: Sequence[float | None]) -> Spread | None:
    """The median (of an even count: the mean of the middle two) and range of the values measured (None: none).

    Whole numbers (counts) stay whole where the median is one of them.
    """
    measured = [v for v in values if v is not None]
    if not measured:
        return None
    return Spread(statistics.median(measured), min(measured), max(measured), len(measured))


def median_index(values: Sequence[float]) -> int:
    """The index of the value at the median (of an even count, the lower middle one): the run that stands for the rest."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    return order[(len(values) - 1) // 2]
