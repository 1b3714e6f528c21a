"""A run's report as the JSON document tools script against, and as readable text.

The JSON keys are a contract (see README, "gilviz run --json"): add keys freely, never
rename or remove one.
"""

from __future__ import annotations

from gilviz import figures
from gilviz.explain import explain
from gilviz.gil_json import gil_lines, gil_state, lane_gil, lane_gil_text
from gilviz.lab.facts import implementation_name
from gilviz.lab.scenarios import BY_KEY
from gilviz.lab.wording import duration, figure_text, figure_value, rate, size_kb, times  # noqa: F401 (read from here too)
from gilviz.lane_fold import ended_entries, fold_lanes, short_lived_entries
from gilviz.machine_text import baseline_machine, load_text, machine_warning, run_machine
from gilviz.model import RunReport, WatchConfig
from gilviz.noise import MachineLoad, spread
from gilviz.probe.io_kinds import by_kind
from gilviz.speedup import CEILING_TOLERANCE, above_ceiling
from gilviz.states import RUNNING, STATES
from gilviz.thread_table import rows_json, thread_rows
from gilviz.timeline import LaneView, Snapshot

SHARE_LABELS = {
    "running": "run",
    "gil_wait": "GIL",
    "core_wait": "core",
    "io": "I/O",
    "lock_wait": "lock",
    "queue_wait": "queue",
    "blocked": "futex",
    "unseen": "unseen",
}


def _r(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


def python_facts(report: RunReport) -> dict:
    p = report.python
    return {
        "implementation": p["implementation"],
        "version": p["version"],
        "gil_enabled": report.gil_enabled,  # as read after the run: an import can re-enable it
        "free_threaded_build": p["free_threaded_build"],
        "executable": p["executable"],
    }


def lane_json(lane: LaneView, window_s: float) -> dict:
    """One lane as ``run --json`` and ``watch --json`` give it: shares of the window add up to 1."""
    entry = {
        "name": lane.name,
        "pid": lane.pid,
        "tid": lane.tid,
        "kind": lane.kind,
        "role": lane.role,
        "shares": {state: round(share, 4) for state, share in lane.shares(window_s).items()},
        "waits": {name: round(t / window_s, 4) for name, t in lane.waits if window_s > 0 and t / window_s >= 0.0001},
        "switches": lane.switches,
        "gil": lane_gil(lane),
        "cpu_s": round(lane.run_times[RUNNING], 4),  # seconds on a CPU inside the window
        "io_kinds": {kind: round(t / window_s, 4) for kind, t in by_kind(lane.waits).items() if window_s > 0},
    }
    if lane.disagreements and window_s > 0:
        entry["disagreements"] = {what: round(t / window_s, 4) for what, t in lane.disagreements}
    if lane.note:
        entry["failure"] = lane.note
    return entry


def waits_json(snapshot: Snapshot) -> dict:
    """How blocked time was named: by the kernel, or (coarse, no permission) by declared phases; and per process, the GIL."""
    if snapshot.coarse:
        source = "declared phases (coarse: no /proc)"
    elif snapshot.denied:
        source = "declared phases (the kernel refused to show system calls)"
    else:
        source = "kernel: /proc/PID/task/TID/syscall"
    gil = [{"pid": pid, "found": known, "detail": detail} for pid, detail, known in snapshot.gil]
    return {"from": source, "gil": gil}


def watch_json(report: RunReport) -> dict:
    """A watched program's report: ``gilviz watch --json``."""
    config = report.config
    assert isinstance(config, WatchConfig)
    result = report.result
    return {
        "command": list(config.command) if config.command else None,
        "pid": result.get("pid"),
        "exit_code": result.get("exit_code"),
        "signal": result.get("signal"),
        "wall_s": _r(report.wall_s, 4),
        "cores": report.cores,
        "python": python_facts(report) if report.python else None,
        "lanes": watch_lanes_json(report),
        "threads": rows_json(thread_rows(report.snapshot)),
        "waits_named_by": waits_json(report.snapshot),
        "gil_state": gil_state(report.snapshot),
        "core_busy": report.core_busy,
        "machine": machine_json(report.machine),
        "stopped": result.get("cancelled", False),
        "left_behind": result.get("left_behind", []),  # running when the program ended on its own (then ended)
        "errors": result.get("errors", []),  # a part that failed while watching (the sampler, the recording)
        "output": config.output,
        "sampler": sampler_json(report),
    }


def watch_lanes_json(report: RunReport) -> list[dict]:
    """The lanes, at most MAX_THREAD_LANES thread lanes a process, the rest folded (``lane_fold``)."""
    kept, folded = fold_lanes(report.lanes, report.window_s)
    snap = report.snapshot
    unseen = short_lived_entries(report.lanes, snap.process_cpu, report.window_s, snap.ended)
    ended = ended_entries(snap.ended, report.window_s, {lane.pid for lane in report.lanes})
    return [lane_json(lane, report.window_s) for lane in kept] + folded + ended + unseen


def sampler_json(report: RunReport) -> dict:
    return {
        "watched": report.watched,
        "interval_s": report.sampler_interval_s or None,  # None: a replayed trace recorded before it was kept
        "calm_interval_s": report.sampler_calm_interval_s or None,
        "ticks": report.sampler_ticks,
        "calm_ticks": report.sampler_calm_ticks,
        "cpu_s": _r(report.sampler_cpu_s, 4),
        "coarse": report.snapshot.coarse,
    }


def machine_json(load: MachineLoad | None) -> dict | None:
    return load.to_json() if load is not None else None


def speedup_impossible(report: RunReport) -> str | None:
    """Why the speed-up cannot be real, when it is above the scenario's ceiling beyond tolerance; None otherwise.

    The ceiling (``gilviz.speedup.ceiling``): min(workers, cores)× for CPU-bound work,
    workers× for overlapping waits.
    """
    s, top = report.speedup, report.speedup_ceiling
    cfg = report.scenario_config
    if cfg is None or top is None or not above_ceiling(s, top) or report.result.get("cancelled"):
        return None
    if cfg.info.theory == "workers":
        limit = "%d workers waiting at once" % cfg.worker_count
    else:
        limit = "%d worker%s on %d core%s" % (
            cfg.worker_count,
            "" if cfg.worker_count == 1 else "s",
            report.cores,
            "" if report.cores == 1 else "s",
        )
    why = "impossible: above the %g× that %s can reach (+%d %% tolerance), so noise, not speed" % (
        top,
        limit,
        round(CEILING_TOLERANCE * 100),
    )
    base = baseline_machine(report)
    if base is not None and base.other_cpu + base.steal >= 0.05:
        why += " — %s of %d cores during the sequential baseline" % (load_text(base), base.cores)
    return why


def to_json(report: RunReport) -> dict:
    config = report.config
    if isinstance(config, WatchConfig):
        return watch_json(report)
    window = report.window_s
    lanes = []
    for lane in report.lanes:
        entry = lane_json(lane, window)
        entry["phase"] = lane.phase
        lanes.append(entry)
    doc: dict = {
        "scenario": config.scenario,
        "title": config.info.title,
        "python": python_facts(report),
        "cores": report.cores,
        "workers": config.worker_count,
        "size": config.size,
        "wall_s": _r(report.wall_s, 4),
        "baseline_s": _r(report.baseline_s, 4),
        "speedup": _r(report.speedup),
        "theory": report.theory,
        "speedup_ceiling": report.speedup_ceiling if report.speedup is not None else None,
        "speedup_impossible": speedup_impossible(report) is not None,
        "speedup_impossible_reason": speedup_impossible(report),
        "lanes": lanes,
        "threads": rows_json(thread_rows(report.snapshot)),
        "cancelled": report.result.get("cancelled", False),
        "failed": report.result.get("failed", []),
        "core_busy": report.core_busy,
        "waits_named_by": waits_json(report.snapshot),
        "gil_state": gil_state(report.snapshot),
        "sampler": sampler_json(report),
    }
    doc["switch_interval_s"] = report.result.get("switch_interval_s")
    doc.update(repeats_json(report))
    doc["machine"] = machine_json(run_machine(report))
    doc["baseline_machine"] = machine_json(baseline_machine(report))
    figure = figures.measured(report).to_json()
    for key in ("theory", "measured"):
        if isinstance(figure[key], float):
            figure[key] = round(figure[key], 4)
    each = figures.figure_spread(report)
    figure["range"] = [_r(each.lo, 4), _r(each.hi, 4)] if each is not None else None
    figure["repeats"] = doc["repeats"]
    doc["figure"] = figure
    doc["explanation"] = explain(report)
    lesson = BY_KEY[report.run_config.scenario]
    for key in lesson.sections + ("parts_s", "error"):
        if key in report.result:
            doc[key] = report.result[key]
    doc["errors"] = report.result.get("errors", [])  # a part that failed during the run (the sampler, the recording)
    lesson.json_extra(doc, report.cores)
    return doc


def repeats_json(report: RunReport) -> dict:
    """How many runs the figures stand for, and each run's and baseline run's wall time (in the order they ran)."""
    repeats = report.repeats
    if repeats is not None and len(repeats.runs) > 1:
        runs_s, baselines_s = repeats.runs_s, repeats.baselines_s or None
        speedups = repeats.speedups if repeats.baselines else None
    else:
        runs_s = [report.wall_s]
        baselines_s = [report.baseline.wall_s] if report.baseline is not None else None
        speedups = [report.own_speedup] if report.baseline is not None else None
    s = report.speedup_spread
    return {
        "repeats": len(runs_s),
        "runs_s": [_r(x, 4) for x in runs_s],
        "baselines_s": [_r(x, 4) for x in baselines_s] if baselines_s else None,
        "speedups": [_r(x) for x in speedups] if speedups else None,
        "speedup_range": [_r(s.lo), _r(s.hi)] if s is not None else None,
    }


def shares_text(shares: dict[str, float], *, at_least: float = 0.005) -> str:
    """The shares worth naming as "run 49% · GIL 50%", in STATES order ("" if none)."""
    named = [(SHARE_LABELS[s], shares.get(s, 0.0)) for s in STATES if s in SHARE_LABELS]
    return " · ".join("%s %d%%" % (label, round(share * 100)) for label, share in named if share >= at_least)


def interpreter_line(python: dict, cores: int) -> str:
    impl = implementation_name(python["implementation"])
    if python.get("free_threaded_build"):
        gil = "free-threaded, GIL " + ("enabled" if python["gil_enabled"] else "disabled")
    else:
        gil = "GIL enabled" if python["gil_enabled"] else "GIL disabled"
    return "%s %s · %s · %d core%s" % (impl, python["version"], gil, cores, "" if cores == 1 else "s")


def lanes_text(lanes: list[dict]) -> list[str]:
    """One line a lane: kind, pid, tid, name, its shares (and switches, failure)."""
    lines = []
    width = max((len(lane["name"]) for lane in lanes), default=4)
    for lane in lanes:
        if lane["kind"] in ("folded", "short-lived"):
            who = "%-7s %7d %7s  %-*s" % ("threads", lane["pid"], "", width, lane["name"])
            what = shares_text(lane["shares"]) if lane["count"] else "%.3f s of CPU, threads not seen" % lane["cpu_s"]
            lines.append("  %s  %s" % (who, what))
            continue
        who = "%-7s %7d %7d  %-*s" % (lane["kind"], lane["pid"], lane["tid"], width, lane["name"])
        extra = ""
        if lane["switches"] is not None and lane["kind"] == "thread" and lane["role"] == "worker":
            extra = " · %d voluntary switches" % lane["switches"]
        extra += lane_gil_text(lane)
        if "failure" in lane:
            extra += " · FAILED: " + lane["failure"]
        lines.append("  %s  %s%s" % (who, shares_text(lane["shares"]) or "idle", extra))
    return lines


def watch_text(report: RunReport) -> str:
    doc = watch_json(report)
    py = doc["python"]
    lines = [
        "%s · pid %s" % (report.config.title if isinstance(report.config, WatchConfig) else "?", doc["pid"]),
        interpreter_line(report.python, report.cores) if py else "not CPython (%d cores)" % report.cores,
    ]
    if doc["exit_code"] is None:
        ending = "let go (still running)" if doc["stopped"] else "ended"
    else:
        ending = "exit %d" % doc["exit_code"] + (" (signal %d)" % doc["signal"] if doc["signal"] else "")
        ending += ", stopped by gilviz" if doc["stopped"] else ""
    seen = sum(lane["count"] if lane["kind"] == "folded" else lane["kind"] != "short-lived" for lane in doc["lanes"])
    lines.append("wall %.2f s · %s · %d threads seen" % (doc["wall_s"], ending, seen))
    warning = machine_warning(report)
    if warning:
        lines.append(warning)
    lines.append("")
    lines.extend(lanes_text(doc["lanes"]))
    lines.append("")
    lines.append("waits named by the " + doc["waits_named_by"]["from"])
    for g in doc["waits_named_by"]["gil"]:
        lines.append("  pid %d: %s" % (g["pid"], g["detail"]))
    lines.extend(gil_lines(doc))
    return "\n".join(lines)


def seconds_list(values: list[float]) -> str:
    return " ".join("%.2f" % v for v in values) + " s"


def timing_lines(report: RunReport, doc: dict) -> list[str]:
    """The run's times and its figure: one line for one run; with --repeats, the median and range, and every run's time."""
    impossible = doc["speedup_impossible_reason"]
    s = report.speedup_spread
    n = doc["repeats"]
    if n == 1:
        timing = "wall %.2f s" % doc["wall_s"]
        if report.baseline_s is not None and report.speedup is not None:  # unrounded, as the explanation below has it
            timing += " · sequential %.2f s · speed-up %.2f× (theory %g×)" % (report.baseline_s, report.speedup, doc["theory"])
            if impossible:
                timing += " — " + impossible
        elif BY_KEY[doc["scenario"]].figure_on_timing_line and figure_text(doc["figure"]):
            timing += " · " + figure_text(doc["figure"])
        if doc["cancelled"]:
            timing += " · cancelled"
        return [timing]
    lines = []
    if doc["baselines_s"] and s is not None:
        line = "speed-up %.2f× (median of %d, %.2f–%.2f×; theory %g×)" % (s.median, s.n, s.lo, s.hi, doc["theory"])
        if impossible:
            line += " — " + impossible
        lines.append(line)
    else:
        figure = doc["figure"]
        text = figure_text(figure) if figure["unit"] != "×" or doc["speedup"] is None else ""  # not a sequential run's 1×
        if text and figure["range"] is not None and None not in figure["range"]:
            lo, hi = figure["range"]
            text += " · median of %d, %s–%s" % (n, figure_value(lo, figure["unit"]), figure_value(hi, figure["unit"]))
        walls = spread(doc["runs_s"])
        assert walls is not None
        lines.append(text or "wall %.2f s (median of %d, %.2f–%.2f s)" % (walls.median, n, walls.lo, walls.hi))
    runs = "runs " + seconds_list(doc["runs_s"])
    if doc["baselines_s"]:
        runs += " · baselines " + seconds_list(doc["baselines_s"]) + " (each run right after its baseline)"
    lines.append(runs)
    return lines


def to_text(report: RunReport) -> str:
    if isinstance(report.config, WatchConfig):
        return watch_text(report)
    doc = to_json(report)
    title = doc["title"] + (" (%s executor)" % doc["executor"] if "executor" in doc else "")
    lesson = BY_KEY[doc["scenario"]]
    unit = "task" if lesson.tasks else "worker"  # as the dashboard says: asyncio's workers are tasks
    lines = [
        "%s · %d %s%s · %s size" % (title, doc["workers"], unit, "" if doc["workers"] == 1 else "s", doc["size"]),
        interpreter_line(report.python, report.cores),
    ]
    lines.extend(timing_lines(report, doc))
    warning = machine_warning(report)
    if warning:
        lines.append(warning)
    if report.config.switch_interval_ms is not None and doc["switch_interval_s"] is not None:
        lines.append("switch interval %g ms (--switch-interval)" % (doc["switch_interval_s"] * 1000))
    if doc["explanation"]:
        lines.append(doc["explanation"])
    lines.append("")
    lines.extend(lanes_text(doc["lanes"]))
    own = lesson.text_lines(doc)
    if own and lesson.text_place == "before":
        lines.extend(["", *own])
    block = (own if lesson.text_place == "with_gil" else []) + gil_lines(doc)
    if block:
        lines.append("")
        lines.extend(block)
    if own and lesson.text_place == "after":
        lines.extend(["", *own])
    if doc["failed"]:
        lines.append("")
        for f in doc["failed"]:
            lines.append("failed: %s: %s" % (f["name"], f["reason"]))
    if doc.get("error"):
        lines.append("error: " + doc["error"])
    if report.snapshot.coarse:
        lines.append("(coarse: no /proc here, thread times from psutil at 10 ms ticks, no run-queue time)")
    return "\n".join(lines)
