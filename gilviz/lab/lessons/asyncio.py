"""A thousand waits in one thread: asyncio.gather."""

from __future__ import annotations

from gilviz.lab import textbook, waits
from gilviz.lab.lesson import Lesson, source
from gilviz.lab.sizes import MAX_TASKS
from gilviz.lab.wording import duration, size_kb


class Asyncio(Lesson):
    order = 120
    key = "asyncio"
    title = "asyncio · many waits"
    summary = "a thousand waits in one thread: asyncio.gather, ~one wait long"
    lesson = (
        "An event loop runs many waits in one thread: a thousand tasks awaiting "
        "asyncio.sleep(1) take about one second, with no thread per wait. The same number "
        "of waits, one thread each, is measured in the same run for comparison: about as "
        "fast, but a thousand threads and their memory."
    )
    code = (
        "import asyncio\n\n"
        + source(textbook.wait_async, textbook.wait_many)
        + "\n\nasyncio.run(wait_many(tasks, S))  # one thread\n\n"
        "# compared in the same run: one thread per wait\n"
        "threads = [Thread(target=wait_io, args=(S,)) for _ in range(tasks)]"
    )
    workers = 1000
    max_workers = MAX_TASKS
    workers_are = "tasks"
    tasks = True
    main_name = "event loop"  # the main thread runs it; short enough for a lane label
    sections = ("asyncio",)
    figure_on_timing_line = True
    why = "waits"

    def result_fields(self) -> dict[tuple[str, ...], dict[str, tuple[str, bool]]]:
        figures = {
            **{key: ("seconds", False) for key in ("wait_s", "wall_s", "waits")},
            **{key: ("count", False) for key in ("threads", "threads_peak")},
            "rss_kb": ("signed", False),
        }
        return {
            ("asyncio",): {**figures, "tasks": ("count", False), "with_threads": ("object", False)},
            ("asyncio", "with_threads"): figures,
        }

    def run(self, ctx) -> float:
        return waits.run(ctx)

    def own_figure(self, *, workers: int, cores: int, gil_enabled: bool, lock: bool, interval_s: float) -> tuple | None:
        return ("wall time in waits", "waits", 1.0, "all the waits at once, in one thread: about one wait")

    def measure(self, result: dict, theory: float | None, worker_share) -> tuple[float | None, float | None]:
        return (result.get("asyncio") or {}).get("waits"), theory

    def results_lines(self, result: dict) -> list[str]:
        """Its comparison, as it promises: its one thread beside a thread per wait, measured in the same run."""
        waits = result.get("asyncio")
        if not waits:
            return []
        lines = ["  in one thread: %s · %d threads started" % (size_kb(waits.get("rss_kb")), waits.get("threads_peak") or 0)]
        threaded = waits.get("with_threads")
        if threaded:
            lines.append(
                "  a thread per wait: %s · %d threads · %s"
                % (duration(threaded["wall_s"]), threaded.get("threads_peak") or 0, size_kb(threaded.get("rss_kb")))
            )
            if threaded.get("error"):
                lines.append("  ! " + threaded["error"])
        else:
            lines.append("  a thread per wait: not measured (the run was stopped)")
        return lines

    def text_lines(self, doc: dict) -> list[str]:
        a = doc.get("asyncio")
        if not a:
            return []
        lines = [
            "asyncio: %d tasks each awaiting asyncio.sleep(%g), in one thread: %s (%.2f waits) · %d more threads at once · %s"
            % (a["tasks"], a["wait_s"], duration(a["wall_s"]), a["waits"] or 0, a["threads_peak"] or 0, size_kb(a["rss_kb"]))
        ]
        t = a.get("with_threads")
        if t:
            lines.append(
                "threads: the same %d waits, one thread each: %s · %d more threads at once · %s"
                % (t["waits"], duration(t["wall_s"]), t["threads_peak"], size_kb(t["rss_kb"]))
            )
            if t.get("error"):
                lines.append("threads: " + t["error"])
        return lines


LESSON = Asyncio()
