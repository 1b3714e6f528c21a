"""A lesson: one object that owns its key, title, text, code, sizes, variant, driver and figure.

Standard library only. Each module of ``gilviz.lab.lessons`` defines one ``LESSON``, an
instance of a subclass of ``Lesson``; the registry (``gilviz.lab.lessons.LESSONS``) finds
them by walking the package, so adding a lesson is one new module (docs/adding-a-lesson.md).
The engine (figures, reports, CLI, dashboard) asks the lesson through the attributes and
hooks below instead of comparing keys.
"""

from __future__ import annotations

import inspect

from gilviz.lab import textbook
from gilviz.lab.sizes import MAX_WORKERS, SIZES


def source(*functions) -> str:
    """The textbook's own source of ``functions``, as the lesson shows it."""
    return "\n\n".join(inspect.getsource(f).rstrip() for f in functions)


CPU = source(textbook.count)
IO = "import time\n\n" + source(textbook.wait_io)
HASH = "import hashlib\n\n" + source(textbook.hash_data)


class Lesson:
    """One lesson: what it runs and what the user should see (a subclass per lesson module)."""

    order = 0  # its place in `gilviz list` and the dashboard's menu
    key = ""
    title = ""
    summary = ""  # one line, for `gilviz list`
    lesson = ""
    code = ""
    baseline: str | None = None  # key of the sequential lesson it is compared with
    theory: str | None = None  # speed-up theory: "workers", "one", "gil", "cores" or "executor" (see gilviz.speedup)
    workers = 2  # default worker count
    uses_processes = False
    max_workers = MAX_WORKERS
    # Runs threads side by side in the lab's own interpreter, so the switch interval
    # (`--switch-interval`) changes what happens (pools: with the thread executor).
    threads_side_by_side = False
    # The total work stays that of two workers: each of N workers runs count(2 * size / N).
    split_work = False
    workers_are = "workers"  # what `--workers` counts here, for messages
    times_start_methods = False  # it times every start method itself (no `--start-method`)
    tasks = False  # its workers are tasks (asyncio): the header and report count tasks
    n_is = "iterations"  # the Size field its code's N is
    main_name = "MainThread"  # the lane label of the lab's main thread in this lesson
    # Its variant, where it has one: the RunConfig field ("lock", "executor") and its CLI flag.
    variant_option: str | None = None
    variant_flag: str | None = None
    variant_misuse = ""  # the error when its variant's option is given to another lesson (%s: that lesson's key)
    sections: tuple[str, ...] = ()  # the result's keys that hold its own figures (copied into the JSON report)
    figure_on_timing_line = False  # the text report's timing line shows its own figure
    text_place = "with_gil"  # its own report lines: "before" the GIL's lines, "with_gil", or "after" them
    gil_figures: str | None = None  # the GIL line the report gives it: "handoffs" or "held" (None: none)
    why: str | None = None  # the reason `gilviz.departs` gives when its figure is off: "lost_updates", "round_trip", "waits"
    panel: str | None = None  # the dashboard's panel for it, by its module in gilviz/ui: "race_panel", "queue_panel"
    bench_rows: tuple[tuple[int, str, dict], ...] = ()  # `gilviz bench`: (place, label, config changes) of its rows
    bench_role: str | None = None  # "overhead" (the observer's cost), "all cores" (the machine's ceiling)

    def iterations(self, size: str, workers: int) -> int:
        """Each worker's `count(N)`: the size's N, or its share of two workers' N (split_work)."""
        n = SIZES[size].iterations
        return max(1, n * 2 // max(1, workers)) if self.split_work else n

    def run(self, ctx) -> float:
        """Run it in the lab with the run context ``ctx`` (``drivers.Run``); return the timed wall seconds."""
        raise NotImplementedError(self.key)

    def variant(self, config) -> str | None:
        """The run's variant (``config`` a RunConfig): "lock on" (race), the executor (pools); None: it has none."""
        return None

    def runs_threads_side_by_side(self, executor: str) -> bool:
        """Whether a run with this executor runs threads side by side (``--switch-interval`` matters)."""
        return self.threads_side_by_side

    def variant_label(self, config) -> tuple[str, str | None] | None:
        """How the dashboard's header shows its variant: (text, a shorter text or None); None: not at all."""
        variant = self.variant(config)
        return (variant, None) if variant else None

    def own_figure(self, *, workers: int, cores: int, gil_enabled: bool, lock: bool, interval_s: float) -> tuple | None:
        """(name, unit, theory, says) of its own figure as theory has it; None: a speed-up against its baseline."""
        return None

    def result_fields(self) -> dict[tuple[str, ...], dict[str, tuple[str, bool]]]:
        """What its sections of a run's result hold, for reading a trace (``gilviz.trace_schema`` checks them).

        A path of keys under the result -> {field: (kind, required)}; a kind is "count", "signed",
        "flag", "seconds", "amount", "object" or "text", or one of them + " or none".
        """
        return {}

    def figures_of(self, result: dict) -> dict | None:
        """Its own figures in a run's ``result`` (its first section), None if the run recorded none."""
        return result.get(self.sections[0]) if self.sections else None

    def has_own_figure(self) -> bool:
        """Whether its figure is its own (``own_figure``), not a speed-up against its baseline."""
        return type(self).own_figure is not Lesson.own_figure

    def measure(self, result: dict, theory: float | None, worker_share) -> tuple[float | None, float | None]:
        """(measured, theory) of its own figure from a run's ``result``; ``worker_share(state)`` is the workers' mean share."""
        return None, theory

    def json_extra(self, doc: dict, cores: int) -> None:
        """Add to the JSON report ``doc`` what its sections need from the whole run."""

    def results_note(self, result: dict) -> str | None:
        """Its own figures on the dashboard's results line, from a run's ``result`` (None: its figure or speed-up)."""
        return None

    def results_lines(self, result: dict) -> list[str]:
        """Its own lines below that results line (empty: none)."""
        return []

    def text_lines(self, doc: dict) -> list[str]:
        """Its own lines of the text report, from the JSON report ``doc`` (empty: none)."""
        return []
