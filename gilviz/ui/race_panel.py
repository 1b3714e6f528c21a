"""The race panel: expected vs actual counter, lost updates, lock on vs off side by side (layer: UI; pure text).

While a race runs, the figures are the board's: the updates the threads have finished
(each thread reports after every chunk) and the shared counter as a thread last read
it. When the run ends they are replaced by the lab's exact final figures. Below, the
last finished run with the lock off and with it on, so the audience sees what the lock
fixed and what it cost.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from gilviz.lab.drivers import RACE_SWITCH_INTERVAL
from gilviz.model import RunConfig, RunReport
from gilviz.timeline import Snapshot
from gilviz.ui.drawing import COLOURS

BAR_WIDTH = 48


def live_figures(snapshot: Snapshot | None) -> tuple[int, int, int] | None:
    """(updates finished, updates to do, the counter as a thread last saw it), or None before any worker reports."""
    if snapshot is None:
        return None
    workers = [lane for lane in snapshot.lanes if lane.role == "worker"]
    if not workers:
        return None
    return sum(lane.done for lane in workers), sum(lane.total for lane in workers), max(lane.count for lane in workers)


def last_race(reports: Sequence[RunReport], config: RunConfig, lock: bool) -> RunReport | None:
    """The newest finished, uncancelled race with this lock state, worker count and size."""
    for report in reports:
        c = report.config
        if not isinstance(c, RunConfig):
            continue
        same = (c.scenario, c.lock, c.worker_count, c.size) == ("race", lock, config.worker_count, config.size)
        if same and "race" in report.result and not report.result.get("cancelled"):
            return report
    return None


def bar(text: Text, part: int, whole: int, fill: str, rest: str, rest_char: str = "░") -> None:
    filled = max(0, min(BAR_WIDTH, round(BAR_WIDTH * part / whole))) if whole else 0
    text.append("█" * filled, style=fill)
    text.append(rest_char * (BAR_WIDTH - filled), style=rest)


def race_text(
    config: RunConfig,
    snapshot: Snapshot | None,
    finished: RunReport | None,
    reports: Sequence[RunReport],
    python: dict | None = None,
) -> Text:
    """The panel's lines. ``finished`` is the current run's report once it has ended."""
    text = Text()
    text.append("%d threads update one global counter · " % config.worker_count)
    text.append("lock %s" % ("ON" if config.lock else "OFF"), style="bold")
    text.append("   l toggles it and re-runs\n", style="dim")

    if finished is not None and "race" in finished.result:
        race = finished.result["race"]
        expected, actual, lost = race["expected"], race["actual"], race["lost"]
        text.append("expected %s · actual %s · " % (f"{expected:,}", f"{actual:,}"))
        share = " (%.1f%%)" % (100 * lost / expected) if expected else ""
        text.append("lost %s%s" % (f"{lost:,}", share), style="bold %s" % COLOURS["core_wait"] if lost else "bold")
        text.append(" · final, in %.2f s\n" % finished.wall_s, style="dim")
        bar(text, actual, expected, COLOURS["running"], COLOURS["core_wait"])
        text.append(" █ counted  ░ lost\n", style="dim")
    else:
        figures = live_figures(snapshot)
        if figures is None:
            text.append("waiting for the threads to start…\n\n", style="dim")
        else:
            done, total, counter = figures
            text.append("updates done %s of %s · counter %s" % (f"{done:,}", f"{total:,}", f"{counter:,}"))
            text.append(" · live (lost: at the end)\n", style="dim")
            bar(text, done, total, COLOURS["io"], "dim", "·")
            text.append(" updates done\n", style="dim")

    off, on = last_race(reports, config, False), last_race(reports, config, True)
    for label, report in (("lock off", off), ("lock on", on)):
        if report is None:
            text.append("%s: not run yet" % label, style="dim")
        else:
            text.append("%s: %.2f s, lost %s" % (label, report.wall_s, f"{report.result['race']['lost']:,}"))
        text.append("   ")
    if off is not None and on is not None and off.wall_s > 0:
        text.append("→ exact, and %.1f× slower" % (on.wall_s / off.wall_s), style="bold")
    text.append("\n")

    default = (python or {}).get("switch_interval_s")
    text.append(
        "switch interval set to %g ms (default %s) so the race shows in a short run"
        % (RACE_SWITCH_INTERVAL * 1000, ("%g ms" % (default * 1000)) if default else "unknown yet"),
        style="dim",
    )
    return text
