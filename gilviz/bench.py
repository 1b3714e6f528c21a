"""``gilviz bench``: the textbook's claims and the observer's cost, measured side by side (layer: engine).

Every figure comes from runs made in this one call, on this machine, so the ratios can
be compared with each other: speed-ups against the sequential baselines measured here,
GIL-wait shares from the sampler, lost updates from the race, and the observer's
overhead: the same CPU workload run watched and unwatched in alternation, so drift in
the machine's speed hits both alike.
"""

from __future__ import annotations

import statistics
from dataclasses import replace
from typing import Callable

from gilviz.measure import Session, watch_run
from gilviz.model import RunConfig, RunReport
from gilviz.report import interpreter_line, python_facts

OVERHEAD_SCENARIO = "threads-cpu"
MANY_THREADS = 64


def _mean_worker_share(report: RunReport, state: str) -> float:
    shares = [lane.shares(report.window_s)[state] for lane in report.lanes if lane.role == "worker"]
    return statistics.mean(shares) if shares else 0.0


def run_bench(config: RunConfig, *, repeats: int = 3, progress: Callable[[str], None] = lambda _: None) -> dict:
    """Measure every row; ``config`` gives the size, worker count and interpreter."""
    session = Session(baseline_runs=repeats)  # each speed-up against the median of `repeats` baselines
    rows: list[dict] = []
    reports: dict[str, RunReport] = {}

    def run(label: str, key: str, **changes) -> RunReport:
        progress(label)
        reports[label] = session.run(replace(config, scenario=key, **changes))
        return reports[label]

    def speedup_row(label: str, report: RunReport) -> None:
        rows.append({"name": label, "measured": report.speedup, "theory": report.theory, "unit": "×"})

    speedup_row("threads I/O speed-up", run("threads I/O", "threads-io"))
    speedup_row("processes I/O speed-up", run("processes I/O", "procs-io"))
    threads_cpu = run("threads CPU", "threads-cpu")
    speedup_row("threads CPU speed-up", threads_cpu)
    w = replace(config, scenario="threads-cpu").worker_count
    gil_theory = (w - 1) / w if threads_cpu.python["gil_enabled"] else 0.0
    rows.append(
        {
            "name": "threads CPU GIL-wait share",
            "measured": _mean_worker_share(threads_cpu, "gil_wait"),
            "theory": gil_theory,
            "unit": "",
        }
    )
    rows.append(
        {
            "name": "threads CPU running share",
            "measured": _mean_worker_share(threads_cpu, "running"),
            "theory": 1 - gil_theory,
            "unit": "",
        }
    )
    speedup_row("processes CPU speed-up", run("processes CPU", "procs-cpu"))
    speedup_row("thread pool speed-up", run("thread pool", "pools", executor="thread"))
    speedup_row("process pool speed-up", run("process pool", "pools", executor="process"))
    off = run("race, lock off", "race", workers=None, lock=False)
    on = run("race, lock on", "race", workers=None, lock=True)
    for label, report in (("race lost updates, lock off", off), ("race lost updates, lock on", on)):
        race = report.result["race"]
        rows.append({"name": label, "measured": race["lost"], "theory": None, "unit": " of %d" % race["expected"]})
    off_rate, on_rate = off.result["race"].get("updates_per_s"), on.result["race"].get("updates_per_s")
    cost = off_rate / on_rate if off_rate and on_rate else None
    rows.append({"name": "lock cost (updates/s off ÷ on)", "measured": cost, "theory": None, "unit": "×"})

    watched: list[float] = []
    unwatched: list[float] = []
    sampler_cpu: list[float] = []
    overhead_config = replace(config, scenario=OVERHEAD_SCENARIO)
    for i in range(repeats):
        progress("observer overhead %d/%d" % (i + 1, repeats))
        bare = watch_run(overhead_config, watched=False)
        seen = watch_run(overhead_config, watched=True)
        unwatched.append(bare.wall_s)
        watched.append(seen.wall_s)
        sampler_cpu.append(seen.sampler_cpu_s / seen.wall_s)
    progress("the sampler with %d threads" % MANY_THREADS)
    many = watch_run(
        replace(overhead_config, workers=MANY_THREADS, iterations=max(1, overhead_config.worker_iterations * 2 // MANY_THREADS))
    )
    overhead = {
        "scenario": OVERHEAD_SCENARIO,
        "repeats": repeats,
        "watched_s": [round(x, 4) for x in watched],
        "unwatched_s": [round(x, 4) for x in unwatched],
        "slowdown": statistics.median(watched) / statistics.median(unwatched),
        "sampler_cpu": statistics.mean(sampler_cpu),
        "sampler_cpu_many": many.sampler_cpu_s / many.wall_s,  # the same work in 64 threads: every one read each tick
        "many_threads": MANY_THREADS,
        "target_slowdown": 1.02,
        "target_sampler_cpu": 0.03,
    }
    return {
        "python": python_facts(threads_cpu),
        "cores": threads_cpu.cores,
        "size": config.size,
        "workers": w,
        "rows": rows,
        "baselines_s": {key: [round(x, 4) for x in walls] for key, walls in session.baseline_walls.items()},
        "overhead": overhead,
    }


def format_bench(doc: dict) -> str:
    lines = [
        "gilviz bench · %s · %s size · %d workers (race: its own default)"
        % (interpreter_line(doc["python"], doc["cores"]), doc["size"], doc["workers"]),
        "",
        "%-40s %20s %10s" % ("", "measured", "theory"),
    ]

    def fmt(value, unit: str) -> str:
        if value is None:
            return "—"
        if isinstance(value, int):
            return "%d%s" % (value, unit)
        return "%.2f%s" % (value, unit if unit == "×" else "")

    for row in doc["rows"]:
        unit = row["unit"]
        lines.append(
            "%-40s %20s %10s" % (row["name"], fmt(row["measured"], unit), fmt(row["theory"], "×" if unit == "×" else ""))
        )
    o = doc["overhead"]
    lines.append(
        "%-40s %20s %10s" % ("observer slowdown (watched ÷ unwatched)", "%.3f×" % o["slowdown"], "≤ %.2f×" % o["target_slowdown"])
    )
    lines.append(
        "%-40s %20s %10s" % ("sampler CPU (÷ wall, one core = 1)", "%.3f" % o["sampler_cpu"], "≤ %.2f" % o["target_sampler_cpu"])
    )
    if "sampler_cpu_many" in o:
        lines.append("%-40s %20s %10s" % ("sampler CPU with %d threads" % o["many_threads"], "%.3f" % o["sampler_cpu_many"], ""))
    lines.append("")
    for key, walls in doc.get("baselines_s", {}).items():
        lines.append("baseline %s: %s s (speed-ups use the median)" % (key, walls))
    lines.append(
        "overhead: %s, %d pairs, watched %s s, unwatched %s s" % (o["scenario"], o["repeats"], o["watched_s"], o["unwatched_s"])
    )
    return "\n".join(lines)
