"""``gilviz bench``: the textbook's claims and the observer's cost, measured side by side.

Every figure comes from runs made in this one call, on this machine, so the ratios can
be compared with each other: speed-ups against the sequential baselines measured here,
GIL-wait shares from the sampler, lost updates from the race, and the observer's
overhead. Each figure is the median of several runs, with their range:

- the rows run in rounds (``DEFAULT_ROUNDS``, or ``--repeats``): each round measures
  seq-io, threads-io, procs-io, seq-cpu, threads-cpu, procs-cpu, both pools, the race
  without and with the lock, and each speed-up is against its round's baseline run,
  measured moments before it (``Session.repeat_together``), so drift in the machine's
  speed hits both sides of every ratio;
- the observer's overhead is ``DEFAULT_PAIRS`` (or ``--repeats``) pairs of the same CPU
  workload run unwatched and watched, in alternating order (unwatched first in one pair,
  watched first in the next), each pair's ratio taken on its own: threads-cpu (two
  threads, one core's worth of work: the sampler has a core to itself) and procs-cpu
  with one process per core (the sampler competes with the workers for the cores, the
  case that matters to users). Both do ``OVERHEAD_WORK`` of the size's work per worker,
  to keep the bench within about three minutes at the demo size on two cores.
"""

from __future__ import annotations

import statistics
from dataclasses import replace
from typing import Callable

from gilviz import figures
from gilviz.gil_cost import gil_read_cost
from gilviz.lab.lessons import race
from gilviz.lab.scenarios import SCENARIOS
from gilviz.measure import Session, watch_run
from gilviz.model import RunConfig, RunReport
from gilviz.noise import NOISY_CORES, spread
from gilviz.report import interpreter_line, python_facts
from gilviz.speedup import above_ceiling

OVERHEAD_SCENARIO = next(s.key for s in SCENARIOS if s.bench_role == "overhead")  # the observer's cost is measured on it
ALL_CORES_SCENARIO = next(s.key for s in SCENARIOS if s.bench_role == "all cores")  # the machine's ceiling
MANY_THREADS = 64
DEFAULT_PAIRS = 9  # watched/unwatched pairs for the observer's overhead
DEFAULT_ROUNDS = 3  # runs of each row (each speed-up against its own round's baseline)
OVERHEAD_WORK = 0.5  # the overhead runs' share of the size's work per worker


def _runs(report: RunReport) -> list[RunReport]:
    return report.repeats.runs if report.repeats is not None else [report]


def _noisy(report: RunReport) -> bool:
    """Whether the machine was noisy during the run or its baseline run (other programs' CPU and steal, gilviz.noise)."""
    return any(r is not None and r.machine is not None and r.machine.noisy for r in (report, report.baseline))


def _row(name: str, values: list, theory: float | None, unit: str) -> dict:
    """A row: the median of its runs' values, their range, and each, in the order measured."""
    s = spread(values)
    median: float | None = None if s is None else s.median
    if median is not None and median == int(median) and all(isinstance(v, int) for v in values if v is not None):
        median = int(median)  # a count stays a count
    return {
        "name": name,
        "measured": median,
        "theory": theory,
        "unit": unit,
        "range": s.range if s is not None else None,
        "each": values,
        "repeats": len(values),
    }


def _pairs(config: RunConfig, pairs: int, progress: Callable[[str], None], label: str) -> dict:
    """``pairs`` unwatched/watched pairs of ``config``, in alternating order; the median ratio and its range."""
    watched: list[float] = []
    unwatched: list[float] = []
    sampler_cpu: list[float] = []
    calm: list[float] = []
    noisy = 0
    for i in range(pairs):
        progress("measuring %s %d/%d …" % (label, i + 1, pairs))
        order = (False, True) if i % 2 == 0 else (True, False)  # alternate, so neither side always runs first
        pair_noisy = False
        for seen in order:
            report = watch_run(config, watched=seen)
            pair_noisy = pair_noisy or _noisy(report)
            (watched if seen else unwatched).append(report.wall_s)
            if seen:
                sampler_cpu.append(report.sampler_cpu_s / report.wall_s)
                calm.append(report.sampler_calm_ticks / max(1, report.sampler_ticks))
        noisy += pair_noisy
    ratios = [w / u for w, u in zip(watched, unwatched)]
    s = spread(ratios)
    assert s is not None
    return {
        "scenario": config.scenario,
        "workers": config.worker_count,
        "iterations": config.worker_iterations,
        "repeats": pairs,
        "watched_s": [round(x, 4) for x in watched],
        "unwatched_s": [round(x, 4) for x in unwatched],
        "slowdowns": [round(x, 4) for x in ratios],
        "slowdown": s.median,
        "slowdown_range": s.range,
        "sampler_cpu": statistics.mean(sampler_cpu),
        "sampler_calm": round(statistics.mean(calm), 3),  # of its ticks, those at the calm rate (nothing changing)
        "noisy_pairs": noisy,  # pairs during which other programs took more than NOISY_CORES (either run)
    }


def _plan(config: RunConfig) -> list[tuple[str, RunConfig]]:
    """The rows' runs, each with its label: measured together, round after round."""
    rows = sorted((place, label, s.key, changes) for s in SCENARIOS for place, label, changes in s.bench_rows)
    return [(label, replace(config, scenario=key, **changes)) for _, label, key, changes in rows]


def _measure_rows(session: Session, config: RunConfig, rounds: int, progress: Callable[[str], None]) -> dict[str, RunReport]:
    """Every row's runs, ``rounds`` times, each against its round's baseline: the reports by label."""
    plan = _plan(config)
    done = [0]

    def each(report: RunReport) -> None:
        done[0] += 1
        cfg = report.run_config
        name = cfg.scenario + (" (%s)" % cfg.variant if cfg.variant else "")
        progress("measured %s: %.2f s (%d of about %d runs)" % (name, report.wall_s, done[0], rounds * (len(plan) + 2)))

    return dict(zip((label for label, _ in plan), session.repeat_together([c for _, c in plan], rounds, on_report=each)))


def _speedup_row(reports: dict[str, RunReport], label: str) -> dict:
    report = reports[label]
    row = _row(label + " speed-up", [r.own_speedup for r in _runs(report)], report.theory, "×")
    row["noisy"] = sum(_noisy(r) for r in _runs(report))
    row["ceiling"] = report.speedup_ceiling
    row["impossible"] = above_ceiling(row["measured"], report.speedup_ceiling)
    return row


def _share_rows(threads_cpu: RunReport) -> list[dict]:
    """threads-cpu's workers' GIL-wait and running shares, against (w - 1) / w and 1 / w with the GIL."""
    w = threads_cpu.run_config.worker_count
    gil_theory = (w - 1) / w if threads_cpu.python["gil_enabled"] else 0.0
    cpu_runs = _runs(threads_cpu)
    rows = []
    for state, theory in (("gil_wait", gil_theory), ("running", 1 - gil_theory)):
        name = "threads CPU %s share" % ("GIL-wait" if state == "gil_wait" else "running")
        row = _row(name, [figures.mean_worker_share(r, state) or 0.0 for r in cpu_runs], theory, "")
        row["noisy"] = sum(_noisy(r) for r in cpu_runs)
        rows.append(row)
    return rows


def _race_rows(off: list[RunReport], on: list[RunReport]) -> list[dict]:
    """The race's lost updates without and with the lock, and what the lock costs."""
    rows = []
    for label, runs in (("race lost updates, lock off", off), ("race lost updates, lock on", on)):
        counts = [race.LESSON.figures_of(r.result) or {} for r in runs]
        row = _row(label, [c["lost"] for c in counts], None, " of %d" % counts[0]["expected"])
        row["expected"] = [c["expected"] for c in counts]
        row["noisy"] = sum(_noisy(r) for r in runs)
        rows.append(row)
    row = _row("lock cost (updates/s off ÷ on)", [figures.lock_cost(a, b) for a, b in zip(off, on)], None, "×")
    row["noisy"] = sum(_noisy(a) or _noisy(b) for a, b in zip(off, on))
    rows.append(row)
    return rows


def _rows(reports: dict[str, RunReport]) -> list[dict]:
    """The table's rows, in its order, from the rows' reports."""
    rows = [_speedup_row(reports, "threads I/O"), _speedup_row(reports, "processes I/O")]
    rows += [_speedup_row(reports, "threads CPU"), *_share_rows(reports["threads CPU"])]
    rows += [_speedup_row(reports, label) for label in ("processes CPU", "thread pool", "process pool")]
    return rows + _race_rows(_runs(reports["race, lock off"]), _runs(reports["race, lock on"]))


def _overhead(config: RunConfig, pairs: int, cores: int, progress: Callable[[str], None]) -> dict:
    """The observer's cost: watched/unwatched pairs on one core's work and on every core, the sampler with many threads."""
    light = replace(config, scenario=OVERHEAD_SCENARIO)
    light = replace(light, iterations=max(1, int(light.worker_iterations * OVERHEAD_WORK)))
    overhead = _pairs(light, pairs, progress, "observer overhead")
    spread_out = replace(config, scenario=ALL_CORES_SCENARIO, workers=cores)
    spread_out = replace(spread_out, iterations=max(1, int(spread_out.worker_iterations * OVERHEAD_WORK)))
    overhead["all_cores"] = _pairs(spread_out, pairs, progress, "observer overhead, %d processes on %d cores" % (cores, cores))
    progress("measuring the sampler with %d threads …" % MANY_THREADS)
    many = watch_run(replace(light, workers=MANY_THREADS, iterations=max(1, light.worker_iterations * 2 // MANY_THREADS)))
    overhead.update(
        {
            "sampler_cpu_many": many.sampler_cpu_s / many.wall_s,  # the same work in 64 threads: every one read each tick
            "many_threads": MANY_THREADS,
            "target_slowdown": 1.02,
            "target_sampler_cpu": 0.03,
        }
    )
    progress("measuring the GIL's reads from memory …")
    overhead["gil_reads"] = gil_read_cost()
    return overhead


def run_bench(config: RunConfig, *, repeats: int | None = None, progress: Callable[[str], None] = lambda _: None) -> dict:
    """Measure every row; ``config`` gives the size, worker count and interpreter.

    ``repeats``: the rounds of the rows and the overhead's pairs (default 3 rounds, 9 pairs).
    """
    rounds = repeats or DEFAULT_ROUNDS
    pairs = repeats or DEFAULT_PAIRS
    session = Session()
    reports = _measure_rows(session, config, rounds, progress)
    rows = _rows(reports)
    every_run = [r for report in reports.values() for r in _runs(report)]
    threads_cpu = reports["threads CPU"]
    cores = threads_cpu.cores
    overhead = _overhead(config, pairs, cores, progress)
    return {
        "python": python_facts(threads_cpu),
        "cores": cores,
        "size": config.size,
        "workers": threads_cpu.run_config.worker_count,
        "rounds": rounds,
        "rows": rows,
        "baselines_s": {key: [round(x, 4) for x in walls] for key, walls in session.baseline_walls.items()},
        "overhead": overhead,
        "noisy": {
            "threshold": NOISY_CORES,
            "runs": sum(_noisy(r) for r in every_run),  # row runs disturbed (the run or its baseline run)
            "of_runs": len(every_run),
            "pairs": overhead["noisy_pairs"] + overhead["all_cores"]["noisy_pairs"],
            "of_pairs": 2 * pairs,
        },
    }


def _fmt(value, unit: str) -> str:
    if value is None:
        return "—"
    if isinstance(value, int) or unit.startswith(" of "):  # a count (the median of an even number may be n.5)
        return "%d%s" % (round(value), unit)
    return "%.2f%s" % (value, unit if unit == "×" else "")


def _fmt_range(row: dict) -> str:
    r = row.get("range")
    if not r or row.get("repeats", 1) < 2:
        return ""
    unit = row["unit"]
    if unit.startswith(" of "):  # counts
        return "%d–%d" % (round(r[0]), round(r[1]))
    return "%s–%s" % (_fmt(r[0], ""), _fmt(r[1], unit))


def _row_lines(doc: dict) -> list[str]:
    """The heading and a line per row: median, range and theory."""
    lines = [
        "gilviz bench · %s · %s size · %d workers (race: its own default)"
        % (interpreter_line(doc["python"], doc["cores"]), doc["size"], doc["workers"]),
        "",
        "%-44s %20s %20s %10s" % ("", "median", "range", "theory"),
    ]
    for row in doc["rows"]:
        unit = row["unit"]
        theory = _fmt(row["theory"], "×" if unit == "×" else "")
        if row.get("impossible"):
            theory += "  impossible: above %g×, noise" % row["ceiling"]
        name = row["name"] + (" (%d noisy)" % row["noisy"] if row.get("noisy") else "")
        lines.append("%-44s %20s %20s %10s" % (name, _fmt(row["measured"], unit), _fmt_range(row), theory))
    return lines


def _observer_lines(o: dict) -> list[str]:
    """The observer's slowdown (one core's work and every core's) and the sampler's CPU."""

    def slowdown_line(name: str, figures_: dict) -> str:
        lo, hi = figures_.get("slowdown_range") or (figures_["slowdown"], figures_["slowdown"])
        return "%-44s %20s %20s %10s" % (
            name,
            "%.3f×" % figures_["slowdown"],
            "%.3f–%.3f×" % (lo, hi),
            "≤ %.2f×" % o["target_slowdown"],
        )

    lines = [slowdown_line("observer slowdown (watched ÷ unwatched)", o)]
    if "all_cores" in o:
        a = o["all_cores"]
        lines.append(slowdown_line("  %s, %d processes (all cores)" % (a["scenario"], a["workers"]), a))
    lines.append(
        "%-44s %20s %20s %10s"
        % ("sampler CPU (÷ wall, one core = 1)", "%.3f" % o["sampler_cpu"], "", "≤ %.2f" % o["target_sampler_cpu"])
    )
    if "sampler_calm" in o:
        lines.append("%-44s %20s" % ("  its ticks at the calm rate (nothing changed)", "%d %%" % round(o["sampler_calm"] * 100)))
    if "sampler_cpu_many" in o:
        lines.append("%-44s %20s" % ("sampler CPU with %d threads" % o["many_threads"], "%.3f" % o["sampler_cpu_many"]))
    g = o.get("gil_reads")
    if g:
        value = "%.4f" % g["cpu_share"] if g["cpu_share"] is not None else "not read: " + g["detail"]
        lines.append("%-44s %20s %20s %10s" % ("  of which the GIL's reads (at 100 Hz)", value, "", "≤ %g" % g["limit"]))
    return lines


def _dashboard_lines(doc: dict) -> list[str]:
    """The dashboard's own CPU, and the sampler's beside parked threads."""
    lines = []
    board = doc.get("dashboard")
    if board and "cpu_share" in board:
        label = "dashboard CPU (UI + sampler, %s)" % board["scenario"]
        lines.append("%-44s %20s %20s %10s" % (label, "%.3f" % board["cpu_share"], "", "≤ %.2f" % board["target"]))
        if not board.get("still_live", True):
            lines.append("  (the run ended before the measurement did: the figure covers an idle dashboard too)")
        elif "sampler_share" in board:
            ui = board["cpu_share"] - board["sampler_share"]
            lines.append("%-44s %20s" % ("  of which the sampler / the UI drawing", "%.3f / %.3f" % (board["sampler_share"], ui)))
        if "frames_per_s" in board:
            lines.append("%-44s %20s" % ("  frames drawn a second", "%.1f" % board["frames_per_s"]))
    for row in doc.get("parked", []):
        label = "sampler CPU, %d parked threads (+3 busy)" % row["parked"]
        lines.append("%-44s %20s %20s %10s" % (label, "%.3f" % row["sampler_cpu"], "", "≤ %.2f" % row["target"]))
    many = doc.get("dashboard_many")
    if many and "cpu_share" in many:
        label = "dashboard CPU watching %d lanes" % many.get("lanes", 0)
        lines.append("%-44s %20s %20s %10s" % (label, "%.3f" % many["cpu_share"], "", "≤ %.2f" % many["target"]))
        lines.append("%-44s %20s" % ("  of which the sampler", "%.3f" % many.get("sampler_share", 0.0)))
    return lines


def _notes(doc: dict, o: dict) -> list[str]:
    """Below the table: how noisy the machine was, how each figure was taken, and every run's time."""
    lines = []
    noisy = doc.get("noisy")
    if noisy and (noisy["runs"] or noisy["pairs"]):
        counts = (noisy["threshold"], noisy["runs"], noisy["of_runs"], noisy["pairs"], noisy["of_pairs"])
        lines.append(
            "noisy: other programs (or the hypervisor) took more than %g of a core during %d of %d runs "
            "and %d of %d overhead pairs — those figures will be off" % counts
        )
    lines.append("")
    lines.append(
        "rows: median of %d rounds, each speed-up against its round's baseline run; overhead: median of %d pairs' ratios"
        % (doc.get("rounds", 1), o["repeats"])
    )
    for key, walls in doc.get("baselines_s", {}).items():
        lines.append("baseline %s: %s s" % (key, " ".join("%.2f" % x for x in walls)))
    for name, figures_ in (("overhead", o), ("all cores", o.get("all_cores"))):
        if figures_:
            lines.append(
                "%s: %s, %d pairs, watched %s s, unwatched %s s"
                % (
                    name,
                    figures_["scenario"],
                    figures_["repeats"],
                    " ".join("%.2f" % x for x in figures_["watched_s"]),
                    " ".join("%.2f" % x for x in figures_["unwatched_s"]),
                )
            )
    return lines


def format_many(doc: dict) -> str:
    """``bench --many-threads``: the rows of many threads (medians), and every run's figure."""
    lines = _dashboard_lines(doc)
    for row in doc.get("parked", []):
        lines.append("runs, %d parked threads: %s" % (row["parked"], " ".join("%.3f" % x for x in row.get("runs", []))))
    many = doc.get("dashboard_many") or {}
    if many.get("runs"):
        pairs = zip(many["runs"], many.get("sampler_runs", []))
        lines.append("runs, dashboard (of which the sampler): %s" % " ".join("%.3f (%.3f)" % pair for pair in pairs))
    rounds = doc.get("repeats", 1)
    lines.append("medians of %d round%s, each round one run of each row" % (rounds, "" if rounds == 1 else "s"))
    return "\n".join(lines)


def format_bench(doc: dict) -> str:
    o = doc["overhead"]
    return "\n".join(_row_lines(doc) + _observer_lines(o) + _dashboard_lines(doc) + _notes(doc, o))
