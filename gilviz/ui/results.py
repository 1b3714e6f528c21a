"""The results list: each finished run compactly, with both numbers behind every ratio (pure text)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from gilviz import figures
from gilviz.departs import figure_why
from gilviz.explain import explain
from gilviz.gil_json import lesson_line
from gilviz.model import RunConfig, RunReport, WatchConfig
from gilviz.report import duration, machine_warning, speedup_impossible
from gilviz.ui.state import DashboardState, finished_status

RESULTS_KEPT = 6


def run_name(cfg: RunConfig) -> str:
    return cfg.scenario + "/" + cfg.variant if cfg.variant else cfg.scenario


def result_lines(report: RunReport) -> list[str]:
    """One finished run: what ran, how long, and its lesson's figure; a speed-up's baseline on the line below."""
    cfg = report.config
    if isinstance(cfg, WatchConfig):
        name = cfg.title if len(cfg.title) <= 24 else cfg.title[:23] + "…"
        return ["%-24s %6.2f s  %s · %d threads" % (name, report.wall_s, finished_status(report), len(report.lanes))]
    n = cfg.worker_count
    unit = cfg.info.workers_are.split()[-1] if cfg.info.tasks else ("worker" if n == 1 else "workers")
    line = "%-13s %s %6.2f s" % (run_name(cfg), ("%d %s" % (n, unit)).rjust(10), report.wall_s)
    note = cfg.info.results_note(report.result)
    below = []
    if note:
        line += "  " + note
    elif cfg.info.baseline == cfg.scenario:
        line += "  baseline"
    elif report.speedup is not None and report.theory is not None:
        line += "  %.2f× (theory %g×)" % (report.speedup, report.theory)
        spread = report.speedup_spread
        if spread is not None and spread.n > 1:
            below.append("  median of %d runs, %.2f–%.2f×" % (spread.n, spread.lo, spread.hi))
        base = report.baseline
        if base is not None and isinstance(base.config, RunConfig):
            below.append("  = %s %.2f s ÷ %.2f s" % (base.config.scenario, base.wall_s, report.wall_s))
        impossible = speedup_impossible(report)
        why = explain(report)
        if impossible:
            below.append("  impossible: " + impossible.split(": ", 1)[-1])
        elif why:
            below.append("  why: " + why.split(": ", 1)[-1])
    elif figures.measured(report).measured is not None:  # a lesson with a figure of its own
        line += "  " + figure_line(report)
        below.extend(cfg.info.results_lines(report.result))
    gil = lesson_line(report.snapshot, cfg.scenario, bool(cfg.switch_interval_ms), report.window_s)
    if gil:
        below.append("  " + gil)
    off = figure_why(report)  # a lesson's own figure off its theory: why, as explain says for a speed-up
    if off:
        below.append("  why: " + off)
    warning = machine_warning(report)
    if warning:
        below.append("  ! " + warning)
    if report.result.get("cancelled"):
        line += " cancelled"
    if report.result.get("failed"):
        line += " FAILED"
    return [line] + below


def run_title(report: RunReport) -> str:
    """Which run this is, for a compared pair: "race/lock off · 4 workers · 1.51 s"."""
    cfg = report.config
    if not isinstance(cfg, RunConfig):
        return "%s · %.2f s" % (cfg.title, report.wall_s)
    return "%s · %d worker%s · %.2f s" % (run_name(cfg), cfg.worker_count, "" if cfg.worker_count == 1 else "s", report.wall_s)


def figure_line(report: RunReport) -> str:
    """The lesson's one figure, measured beside its theory: "speed-up 0.96× · theory 1×"."""
    if not isinstance(report.config, RunConfig):
        return "%s: %s after %.2f s" % (report.config.title, finished_status(report), report.wall_s)
    figure = figures.measured(report)
    if figure.measured is None:
        return "%s: not measured" % figure.name
    unit = figure.unit
    if unit == "share":
        value, theory = (
            "%d%%" % round(figure.measured * 100),
            ("%d%%" % round(figure.theory * 100) if figure.theory is not None else ""),
        )
    elif unit == "":
        value, theory = f"{figure.measured:,.0f}", (f"{figure.theory:,.0f}" if figure.theory is not None else "")
    else:
        fmt = "%.2f×" if unit == "×" else "%.2f " + unit
        value, theory = fmt % figure.measured, ((fmt.replace(".2f", "g") % figure.theory) if figure.theory is not None else "")
    waits = report.run_config.info.figures_of(report.result)
    if unit == "waits" and waits and waits.get("wall_s") is not None:  # "1000 waits took 1.02 s: 1.02× one wait"
        return "%d waits took %s: %.2f× one wait · theory %s×" % (
            waits.get("tasks", 0),
            duration(waits["wall_s"]),
            figure.measured,
            theory.replace(" waits", ""),
        )
    line = "%s %s" % (figure.name, value)
    return line + (" · theory %s" % theory if theory else " · theory: %s" % figure.says)


def figure_text(state: DashboardState, detail: bool = True) -> Text:
    """The presenter's line: the current run's figure, or what it is waiting for; with ``detail``, the lines the
    results give beside it (why it is off its theory, a busy machine), else a busy machine said on the same line."""
    report = state.finished
    if report is None:
        return Text("the figure comes when the run ends", style="dim")
    text = Text(figure_line(report))
    for line in result_lines(report)[1:]:  # what the results say beside it: why it is off its theory, a busy machine
        if detail and line.startswith(("  why: ", "  impossible", "  ! ")):
            text.append("\n" + line.strip(), style="dim" if line.startswith("  why: ") else "bold")
        elif line.startswith("  ! "):  # a small screen: the warning stays, in a few words
            text.append("  ! busy machine: figures will be off", style="bold")
    return text


def results_text(reports: Sequence[RunReport], limit: int = RESULTS_KEPT, room: tuple[int, int] | None = None) -> Text:
    """The newest runs first; in ``room`` (lines, columns), as many whole runs as fit and a count of the others."""
    per_run = [result_lines(report) for report in reports[:limit]]
    if room is not None:
        lines_max, width = room
        kept, used = 0, 0
        for run_lines in per_run:
            height = sum(max(1, -(-len(line) // max(1, width - 6))) for line in run_lines)  # long lines wrap, at words
            last = kept + 1 == len(reports)
            if used + height + (0 if last else 1) > lines_max and kept:
                break
            kept, used = kept + 1, used + height
        older = len(reports) - kept
        per_run = per_run[:kept] + ([["  … and %d older run%s" % (older, "" if older == 1 else "s")]] if older else [])
    lines = [line for run_lines in per_run for line in run_lines]
    if not lines:
        return Text("no finished run yet", style="dim")
    text = Text()
    for i, line in enumerate(lines):
        style = (
            "dim"
            if line.startswith(("  = ", "  why: ", "  … and "))
            else ("bold" if line.startswith(("  ! ", "  impossible")) else "")
        )
        text.append(("\n" if i else "") + line, style=style)
    return text
