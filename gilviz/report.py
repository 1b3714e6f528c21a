"""A run's report as the JSON document tools script against, and as readable text (layer: engine).

The JSON keys are a contract (see README, "gilviz run --json"): add keys freely, never
rename or remove one.
"""

from __future__ import annotations

from gilviz.model import RunReport, WatchConfig
from gilviz.probe.classify import STATES
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
        "gil_enabled": p["gil_enabled"],
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
        "lanes": [lane_json(lane, report.window_s) for lane in report.lanes],
        "waits_named_by": waits_json(report.snapshot),
        "core_busy": report.core_busy,
        "stopped": result.get("cancelled", False),
        "output": config.output,
        "sampler": sampler_json(report),
    }


def sampler_json(report: RunReport) -> dict:
    return {
        "watched": report.watched,
        "interval_s": 0.01,
        "ticks": report.sampler_ticks,
        "cpu_s": _r(report.sampler_cpu_s, 4),
        "coarse": report.snapshot.coarse,
    }


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
        "lanes": lanes,
        "cancelled": report.result.get("cancelled", False),
        "failed": report.result.get("failed", []),
        "core_busy": report.core_busy,
        "waits_named_by": waits_json(report.snapshot),
        "sampler": sampler_json(report),
    }
    for key in ("race", "queue", "executor", "error"):
        if key in report.result:
            doc[key] = report.result[key]
    return doc


def shares_text(shares: dict[str, float], *, at_least: float = 0.005) -> str:
    """The shares worth naming as "run 49% · GIL 50%", in STATES order ("" if none)."""
    named = [(SHARE_LABELS[s], shares.get(s, 0.0)) for s in STATES if s in SHARE_LABELS]
    return " · ".join("%s %d%%" % (label, round(share * 100)) for label, share in named if share >= at_least)


def interpreter_line(python: dict, cores: int) -> str:
    impl = {"cpython": "CPython", "pypy": "PyPy"}.get(python["implementation"], python["implementation"])
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
        who = "%-7s %7d %7d  %-*s" % (lane["kind"], lane["pid"], lane["tid"], width, lane["name"])
        extra = ""
        if lane["switches"] is not None and lane["kind"] == "thread" and lane["role"] == "worker":
            extra = " · %d voluntary switches" % lane["switches"]
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
    lines.append("wall %.2f s · %s · %d threads seen" % (doc["wall_s"], ending, len(doc["lanes"])))
    lines.append("")
    lines.extend(lanes_text(doc["lanes"]))
    lines.append("")
    lines.append("waits named by the " + doc["waits_named_by"]["from"])
    for g in doc["waits_named_by"]["gil"]:
        lines.append("  pid %d: %s" % (g["pid"], g["detail"]))
    return "\n".join(lines)


def to_text(report: RunReport) -> str:
    if isinstance(report.config, WatchConfig):
        return watch_text(report)
    doc = to_json(report)
    title = doc["title"] + (" (%s executor)" % doc["executor"] if "executor" in doc else "")
    lines = [
        "%s · %d worker%s · %s size" % (title, doc["workers"], "" if doc["workers"] == 1 else "s", doc["size"]),
        interpreter_line(report.python, report.cores),
    ]
    timing = "wall %.2f s" % doc["wall_s"]
    if doc["baseline_s"] is not None:
        timing += " · sequential %.2f s · speed-up %.2f× (theory %g×)" % (doc["baseline_s"], doc["speedup"], doc["theory"])
    if doc["cancelled"]:
        timing += " · cancelled"
    lines.append(timing)
    lines.append("")
    lines.extend(lanes_text(doc["lanes"]))
    race = doc.get("race")
    if race:
        lines.append("")
        lines.append(
            "race: expected %d · actual %d · lost %d · lock %s · switch interval shortened to %g ms"
            % (race["expected"], race["actual"], race["lost"], "on" if race["lock"] else "off", race["switch_interval_s"] * 1000)
        )
    q = doc.get("queue")
    if q:
        lines.append("")
        lines.append("queue: put %d · got %d of %d items" % (q["put"], q["got"], q["items"]))
        lines.append("global items_made: %d in the producer process, %d in the parent" % (q["child_global"], q["parent_global"]))
    if doc["failed"]:
        lines.append("")
        for f in doc["failed"]:
            lines.append("failed: %s: %s" % (f["name"], f["reason"]))
    if doc.get("error"):
        lines.append("error: " + doc["error"])
    if report.snapshot.coarse:
        lines.append("(coarse: no /proc here, thread times from psutil at 10 ms ticks, no run-queue time)")
    return "\n".join(lines)
