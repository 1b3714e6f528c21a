"""The results list: each finished run compactly, with both numbers behind every ratio (layer: UI; pure text)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from gilviz.model import RunConfig, RunReport, WatchConfig
from gilviz.ui.state import finished_status

RESULTS_KEPT = 6


def run_name(cfg: RunConfig) -> str:
    variant = {"pools": "pools/" + cfg.executor, "race": "race/lock " + ("on" if cfg.lock else "off")}
    return variant.get(cfg.scenario, cfg.scenario)


def result_lines(report: RunReport) -> list[str]:
    """One finished run: what ran, how long, and its lesson's figure; a speed-up's baseline on the line below."""
    cfg = report.config
    if isinstance(cfg, WatchConfig):
        name = cfg.title if len(cfg.title) <= 24 else cfg.title[:23] + "…"
        return ["%-24s %6.2f s  %s · %d threads" % (name, report.wall_s, finished_status(report), len(report.lanes))]
    n = cfg.worker_count
    line = "%-13s %2d worker%s %6.2f s" % (run_name(cfg), n, " " if n == 1 else "s", report.wall_s)
    race = report.result.get("race")
    queue = report.result.get("queue")
    below = []
    if race:
        line += "  lost %s of %s" % (f"{race['lost']:,}", f"{race['expected']:,}")
    elif queue:
        line += "  %d/%d · parent %d" % (queue["got"], queue["put"], queue["parent_global"])
    elif cfg.info.baseline == cfg.scenario:
        line += "  a baseline"
    elif report.speedup is not None and report.theory is not None:
        line += "  %.2f× (theory %g×)" % (report.speedup, report.theory)
        base = report.baseline
        if base is not None and isinstance(base.config, RunConfig):
            below.append("  = %s %.2f s ÷ %.2f s" % (base.config.scenario, base.wall_s, report.wall_s))
    if report.result.get("cancelled"):
        line += " cancelled"
    if report.result.get("failed"):
        line += " FAILED"
    return [line] + below


def results_text(reports: Sequence[RunReport], limit: int = RESULTS_KEPT) -> Text:
    lines = [line for report in reports[:limit] for line in result_lines(report)]
    if not lines:
        return Text("no finished run yet", style="dim")
    text = Text()
    for i, line in enumerate(lines):
        text.append(("\n" if i else "") + line, style="dim" if line.startswith("  = ") else "")
    return text
