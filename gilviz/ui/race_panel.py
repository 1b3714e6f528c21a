"""The race panel: expected vs actual counter, lost updates, lock on vs off side by side (pure text).

Each racing thread counts its own updates for the same time (the size's time box), so
a run with the lock and one without last about as long, and the lock's cost shows as
throughput: updates per second without it and with it. While a race runs, the figures
are the board's: the updates the threads have counted (each reports after every chunk)
and the shared counter as a thread last read it. When the run ends they are replaced
by the lab's exact final figures. Below, the last finished run with the lock off and
with it on (the same workers and size), both measured.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from gilviz.figures import updates_per_s
from gilviz.lab.lessons.race import LESSON as RACE
from gilviz.lab.lessons.race import RACE_SWITCH_INTERVAL
from gilviz.lab.scenarios import SIZES
from gilviz.model import RunConfig, RunReport
from gilviz.report import rate, times
from gilviz.timeline import Snapshot
from gilviz.ui.drawing import COLOURS

BAR_WIDTH = 48


def live_figures(snapshot: Snapshot | None) -> tuple[int, int, int] | None:
    """(updates counted, updates to do (0: time-boxed), the counter as a thread last saw it), or None before any report."""
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
        same = (c.scenario, c.lock, c.worker_count, c.size) == (RACE.key, lock, config.worker_count, config.size)
        if same and RACE.figures_of(report.result) and not report.result.get("cancelled"):
            return report
    return None


def bar(text: Text, part: int | float, whole: int | float, fill: str, rest: str, rest_char: str = "░") -> None:
    filled = max(0, min(BAR_WIDTH, round(BAR_WIDTH * part / whole))) if whole else 0
    text.append("█" * filled, style=fill)
    text.append(rest_char * (BAR_WIDTH - filled), style=rest)


def comparison(text: Text, config: RunConfig, reports: Sequence[RunReport], keys: bool = True) -> None:
    """The lock's cost as throughput, from the last measured run each way."""
    off, on = last_race(reports, config, False), last_race(reports, config, True)
    off_rate = updates_per_s(off) if off is not None else None
    on_rate = updates_per_s(on) if on is not None else None
    if off_rate and on_rate:
        text.append("%s updates/s without the lock, %s/s with it: " % (rate(off_rate), rate(on_rate)))
        text.append("%s fewer" % times(off_rate / on_rate), style="bold")
        text.append(" (both measured: %d threads, %s size)" % (config.worker_count, config.size), style="dim")
    else:
        text.append("without the lock: %s" % ("%s updates/s" % rate(off_rate) if off_rate else "not run yet"))
        text.append(" · with it: %s" % ("%s updates/s" % rate(on_rate) if on_rate else "not run yet"))
        if keys:
            text.append("   (l runs the other)", style="dim")
    text.append("\n")


def race_text(
    config: RunConfig,
    snapshot: Snapshot | None,
    finished: RunReport | None,
    reports: Sequence[RunReport],
    python: dict | None = None,
    keys: bool = True,
) -> Text:
    """The panel's lines. ``finished`` is the current run's report once it has ended. ``keys``: `l` works
    here and the screen is live (a replay or a still names no key)."""
    text = Text()
    text.append("%d threads update one global counter · " % config.worker_count)
    text.append("lock %s" % ("ON" if config.lock else "OFF"), style="bold")
    text.append("   l toggles it and re-runs\n" if keys else "\n", style="dim")
    seconds = SIZES[config.size].race_s

    interval = RACE_SWITCH_INTERVAL if config.switch_interval_ms is None else config.switch_interval_ms / 1000
    race = RACE.figures_of(finished.result) if finished is not None else None
    if finished is not None and race:
        expected, actual, lost = race["expected"], race["actual"], race["lost"]
        interval = race.get("switch_interval_s", interval)
        text.append("expected %s · actual %s · " % (f"{expected:,}", f"{actual:,}"))
        share = " (%.1f%%)" % (100 * lost / expected) if expected else ""
        text.append("lost %s%s" % (f"{lost:,}", share), style="bold %s" % COLOURS["core_wait"] if lost else "bold")
        text.append(" · final, in %.2f s\n" % finished.wall_s, style="dim")
        bar(text, actual, expected, COLOURS["running"], COLOURS["core_wait"])
        text.append(" █ counted  ░ lost\n", style="dim")
    else:
        figures = live_figures(snapshot)
        if figures is None or snapshot is None:
            text.append("waiting for the threads to start…\n\n", style="dim")
        else:
            done, _, counter = figures
            start = snapshot.window[0]
            elapsed = max(0.0, snapshot.t - start) if start else 0.0
            text.append("updates counted %s · counter %s" % (f"{done:,}", f"{counter:,}"))
            text.append(" · live (lost: at the end)\n", style="dim")
            bar(text, min(elapsed, seconds), seconds, COLOURS["io"], "dim", "·")
            text.append(" %.1f of %g s\n" % (min(elapsed, seconds), seconds), style="dim")

    comparison(text, config, reports, keys)
    default = (python or {}).get("switch_interval_s")
    text.append(
        "each thread counts its updates for %g s · switch interval %g ms (default %s) so the race shows in a short run"
        % (seconds, interval * 1000, ("%g ms" % (default * 1000)) if default else "unknown yet"),
        style="dim",
    )
    return text
