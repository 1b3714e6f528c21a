"""fork, spawn, forkserver: what starting a process costs."""

from __future__ import annotations

from gilviz.lab import starts, textbook
from gilviz.lab.lesson import Lesson, source
from gilviz.lab.sizes import START_METHODS
from gilviz.lab.wording import duration


class StartMethods(Lesson):
    order = 150
    key = "start-methods"
    title = "Start methods"
    summary = "fork, spawn, forkserver: what starting a process costs"
    lesson = (
        "fork copies the running process; spawn starts a fresh interpreter that imports "
        "your program's main module; forkserver forks from a small server process started "
        "on first use. Each is timed over several starts (median): spawn costs many times "
        "what fork does."
    )
    code = (
        "import multiprocessing\n\n"
        + source(textbook.nothing, textbook.start_and_join)
        + "\n\nfor method in (%s):\n" % ", ".join('"%s"' % m for m in START_METHODS)
        + (
            "    times = []\n    for _ in range(K):\n        t0 = time.perf_counter()\n"
            "        start_and_join(method)\n        times.append(time.perf_counter() - t0)\n"
            "    print(method, statistics.median(times))"
        )
    )
    workers = 1
    max_workers = 1
    uses_processes = True
    workers_are = "processes at a time"
    times_start_methods = True
    sections = ("start_methods",)
    figure_on_timing_line = True

    def result_fields(self) -> dict[tuple[str, ...], dict[str, tuple[str, bool]]]:
        seconds = {key: ("seconds or none", False) for key in START_METHODS}
        return {
            ("start_methods",): {
                **seconds,
                "starts": ("count", False),
                "first": ("object", False),
                "unavailable": ("object", False),
            },
            ("start_methods", "first"): seconds,
        }

    def run(self, ctx) -> float:
        return starts.run(ctx)

    def own_figure(self, *, workers: int, cores: int, gil_enabled: bool, lock: bool, interval_s: float) -> tuple | None:
        return ("spawn ÷ fork, per start", "×", None, "spawn starts a fresh interpreter, fork copies this one: > 1")

    def measure(self, result: dict, theory: float | None, worker_share) -> tuple[float | None, float | None]:
        m = result.get("start_methods") or {}
        return (m["spawn"] / m["fork"] if m.get("spawn") and m.get("fork") else None), theory

    def results_lines(self, result: dict) -> list[str]:
        starts = result.get("start_methods")
        if not starts:
            return []
        return ["  " + " · ".join("%s %s" % (m, "%.1f ms" % (starts[m] * 1000) if starts.get(m) else "—") for m in START_METHODS)]

    def text_lines(self, doc: dict) -> list[str]:
        m = doc.get("start_methods")
        if not m:
            return []
        parts = []
        for method in START_METHODS:
            if m.get(method) is None:
                parts.append("%s: %s" % (method, m.get("unavailable", {}).get(method, "not measured")))
            else:
                parts.append("%s %s" % (method, duration(m[method])))
        lines = ["start methods, seconds per start (median of %d): %s" % (m["starts"], " · ".join(parts))]
        first = (m.get("first") or {}).get("forkserver")
        if first is not None:
            lines.append("forkserver's first start, which starts its server: %s" % duration(first))
        return lines


LESSON = StartMethods()
