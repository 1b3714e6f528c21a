"""What a run is and what it measured: ``RunConfig`` and ``RunReport`` (no textual).

Plain data shared by the engine (``measure``), recordings (``trace``), reports and the
UI. It imports neither ``measure`` nor ``trace``, so neither depends on the other.
"""

from __future__ import annotations

import shlex
import sys
from dataclasses import dataclass, field

from gilviz import speedup as figures
from gilviz.lab.scenarios import BY_KEY, Scenario
from gilviz.noise import MachineLoad, Spread, spread
from gilviz.outside import visible
from gilviz.timeline import LaneView, Snapshot


@dataclass(frozen=True)
class RunConfig:
    scenario: str
    workers: int | None = None  # None: the scenario's default
    size: str = "demo"
    lock: bool = False
    executor: str = "thread"
    python: str = sys.executable
    start_method: str | None = None
    switch_interval_ms: float | None = None  # sys.setswitchinterval for the run; None: the interpreter's (race: 0.1 ms)
    iterations: int | None = None  # each worker's count(N); None: the scenario's for this size and worker count

    @property
    def info(self) -> Scenario:
        return BY_KEY[self.scenario]

    @property
    def worker_count(self) -> int:
        return self.workers or self.info.workers

    @property
    def worker_iterations(self) -> int:
        """Each worker's count(N) (CPU scenarios): given, or the size's (split among the workers for split_work)."""
        return self.iterations or self.info.iterations(self.size, self.worker_count)

    @property
    def variant(self) -> str | None:
        """The run's variant, where its scenario has one: "lock on" or "lock off" (race), the executor (pools)."""
        return self.info.variant(self)

    def command(self) -> dict:
        return {
            "cmd": "run",
            "scenario": self.scenario,
            "workers": self.worker_count,
            "size": self.size,
            "lock": self.lock,
            "executor": self.executor,
            "start_method": self.start_method,
            "switch_interval_ms": self.switch_interval_ms,
            "iterations": self.worker_iterations,
        }

    def baseline(self) -> RunConfig | None:
        """The sequential run this one is compared with: the same work per worker, one worker after the other.

        The switch interval is left out: a sequential run has no threads to switch between.
        """
        key = self.info.baseline
        if key is None:
            return None
        iterations = self.worker_iterations if self.info.split_work else self.iterations
        return RunConfig(
            key, self.worker_count, self.size, python=self.python, start_method=self.start_method, iterations=iterations
        )


@dataclass(frozen=True)
class WatchConfig:
    """A program to watch: a command gilviz starts (``gilviz watch -- CMD``) or a running ``pid``."""

    command: tuple[str, ...] = ()
    pid: int | None = None
    output: str | None = None  # where a started program's stdout and stderr go (None: gilviz's stderr)
    interval_s: float = 0.01  # the sampler's tick while anything changes (watch --interval)

    @property
    def title(self) -> str:
        if self.pid is not None:
            return "pid %d" % self.pid
        return visible(" ".join(shlex.quote(a) for a in self.command))  # a command line is outside text


@dataclass
class RunReport:
    config: RunConfig | WatchConfig
    python: dict  # the lab's interpreter facts
    cores: int
    result: dict  # the lab's result event
    snapshot: Snapshot
    watched: bool
    sampler_cpu_s: float = 0.0
    sampler_ticks: int = 0
    sampler_calm_ticks: int = 0  # of which at the calm interval (nothing changing)
    sampler_interval_s: float = 0.0  # the sampler's tick, and its tick while nothing changes (0: not recorded)
    sampler_calm_interval_s: float = 0.0
    core_busy: list[float] | None = None
    baseline: RunReport | None = field(default=None, repr=False)
    machine: MachineLoad | None = None  # the rest of the machine's load during the run (None: not measured)
    repeats: Repeats | None = field(default=None, repr=False, compare=False)  # this run stands for several (--repeats)

    @property
    def wall_s(self) -> float:
        return float(self.result["wall_s"])

    @property
    def window_s(self) -> float:
        """The run's length as the board's start and finish marks say (for shares)."""
        return (self.result["t_end_ns"] - self.result["t_start_ns"]) / 1e9

    @property
    def lanes(self) -> tuple[LaneView, ...]:
        return self.snapshot.lanes

    @property
    def run_config(self) -> RunConfig:
        """The scenario run's config (for code that only ever sees scenario runs)."""
        if not isinstance(self.config, RunConfig):
            raise TypeError("a watched program's report has no scenario")
        return self.config

    @property
    def scenario_config(self) -> RunConfig | None:
        """The scenario run's config; None for a watched program."""
        return self.config if isinstance(self.config, RunConfig) else None

    @property
    def baseline_s(self) -> float | None:
        if self.baseline is not None:
            return self.baseline.wall_s
        cfg = self.scenario_config
        if cfg is not None and cfg.info.baseline == cfg.scenario:
            return self.wall_s  # a sequential run is its own baseline
        return None

    @property
    def own_speedup(self) -> float | None:
        """This run's speed-up against its own baseline run (the one measured just before it)."""
        return figures.speedup(self.baseline_s, self.wall_s)

    @property
    def speedup(self) -> float | None:
        """The speed-up: this run's own, or when it stands for repeated runs, the median of theirs."""
        s = self.speedup_spread
        return s.median if s is not None else None

    @property
    def speedup_spread(self) -> Spread | None:
        """The speed-up's median and range over the repeated runs (one run: its own, three times)."""
        if self.repeats is not None and len(self.repeats.runs) > 1:
            return spread(self.repeats.speedups)
        return spread([self.own_speedup])

    @property
    def speedup_ceiling(self) -> float | None:
        """The most the theory allows this scenario on this machine (see ``gilviz.speedup.ceiling``)."""
        cfg = self.scenario_config
        if cfg is None:
            return None
        return figures.ceiling(cfg.info.theory, workers=cfg.worker_count, cores=self.cores)

    @property
    def gil_enabled(self) -> bool:
        """Whether the lab ran with the GIL: as read after the run (an import can re-enable it), else at hello."""
        return bool(self.result.get("gil_enabled", self.python.get("gil_enabled", True)))

    @property
    def theory(self) -> float | None:
        cfg = self.scenario_config
        if cfg is None:
            return None
        return figures.theory(
            cfg.info.theory,
            workers=cfg.worker_count,
            cores=self.cores,
            gil_enabled=self.gil_enabled,
            executor=cfg.executor,
        )


@dataclass(eq=False)
class Repeats:
    """Runs of one scenario repeated, each right after its own baseline run (``gilviz run --repeats``).

    ``runs[i]`` was measured right after ``baselines[i]`` (baseline, run, baseline, run, ...),
    so drift in the machine's speed hits both sides of each ratio alike. ``baselines`` is
    empty for a scenario without a baseline.
    """

    runs: list[RunReport]
    baselines: list[RunReport] = field(default_factory=list)

    @property
    def runs_s(self) -> list[float]:
        return [r.wall_s for r in self.runs]

    @property
    def baselines_s(self) -> list[float]:
        return [b.wall_s for b in self.baselines]

    @property
    def speedups(self) -> list[float | None]:
        """Each run's speed-up against the baseline run just before it."""
        if not self.baselines:
            return [r.own_speedup for r in self.runs]
        return [figures.speedup(b.wall_s, r.wall_s) for b, r in zip(self.baselines, self.runs)]
