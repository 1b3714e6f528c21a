"""A run's report as the JSON document tools script against, and as readable text (layer: engine).

The JSON keys are a contract (see README, "gilviz run --json"): add keys freely, never
rename or remove one.
"""

from __future__ import annotations

from gilviz import figures
from gilviz.explain import explain
from gilviz.model import RunReport, WatchConfig
from gilviz.states import STATES
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
    doc["switch_interval_s"] = report.result.get("switch_interval_s")
    figure = figures.measured(report).to_json()
    for key in ("theory", "measured"):
        if isinstance(figure[key], float):
            figure[key] = round(figure[key], 4)
    doc["figure"] = figure
    doc["explanation"] = explain(report)
    for key in ("race", "queue", "executor", "asyncio", "convoy", "start_methods", "oversubscribed", "parts_s", "error"):
        if key in report.result:
            doc[key] = report.result[key]
    if "oversubscribed" in doc:
        doc["oversubscribed"] = dict(doc["oversubscribed"], cores=report.cores, mean_core_wait=doc["figure"]["measured"])
    return doc


def duration(seconds: float) -> str:
    """A duration readably: 24 µs, 3.4 ms, 121 ms, 1.20 s."""
    if seconds < 1e-3:
        return "%.0f µs" % (seconds * 1e6)
    if seconds < 0.01:
        return "%.1f ms" % (seconds * 1e3)
    if seconds < 1:
        return "%.0f ms" % (seconds * 1e3)
    return "%.2f s" % seconds


def size_kb(kb: int | None) -> str:
    if kb is None:
        return "memory not measured (no /proc)"
    return "%+.1f MB" % (kb / 1024) if abs(kb) >= 1024 else "%+d KB" % kb


def rate(per_s: float) -> str:
    """Updates per second as "1.2 M", "40 k", "950"."""
    if per_s >= 1e6:
        return "%.1f M" % (per_s / 1e6)
    if per_s >= 1e3:
        return "%.0f k" % (per_s / 1e3)
    return "%.0f" % per_s


def times(ratio: float) -> str:
    return "%.0f×" % ratio if ratio >= 10 else "%.1f×" % ratio


def lesson_lines(doc: dict) -> list[str]:
    """The lines of the past-the-textbook lessons' own figures (empty for the others)."""
    lines = []
    a = doc.get("asyncio")
    if a:
        lines.append(
            "asyncio: %d tasks each awaiting asyncio.sleep(%g), in one thread: %s (%.2f waits) · %d more threads at once · %s"
            % (a["tasks"], a["wait_s"], duration(a["wall_s"]), a["waits"] or 0, a["threads_peak"] or 0, size_kb(a["rss_kb"]))
        )
        t = a.get("with_threads")
        if t:
            lines.append(
                "threads: the same %d waits, one thread each: %s · %d more threads at once · %s"
                % (t["waits"], duration(t["wall_s"]), t["threads_peak"], size_kb(t["rss_kb"]))
            )
            if t.get("error"):
                lines.append("threads: " + t["error"])
    c = doc.get("convoy")
    if c:

        def trip(ms, n):
            return "not measured" if ms is None else "%s (median of %d)" % (duration(ms / 1000), n)

        line = "convoy: round trip alone %s · beside %d CPU thread%s %s" % (
            trip(c["alone_ms"], c["alone_round_trips"]),
            c["cpu_threads"],
            "" if c["cpu_threads"] == 1 else "s",
            trip(c["with_cpu_ms"], c["with_cpu_round_trips"]),
        )
        if c["alone_ms"] and c["with_cpu_ms"]:
            ratio = c["with_cpu_ms"] / c["alone_ms"]
            line += " · %s %s" % (times(ratio), "slower") if ratio >= 1 else " · %s faster" % times(1 / ratio)
        lines.append(line)
    m = doc.get("start_methods")
    if m:
        parts = []
        for method in ("fork", "spawn", "forkserver"):
            if m.get(method) is None:
                parts.append("%s: %s" % (method, m.get("unavailable", {}).get(method, "not measured")))
            else:
                parts.append("%s %s" % (method, duration(m[method])))
        lines.append("start methods, seconds per start (median of %d): %s" % (m["starts"], " · ".join(parts)))
        first = (m.get("first") or {}).get("forkserver")
        if first is not None:
            lines.append("forkserver's first start, which starts its server: %s" % duration(first))
    o = doc.get("oversubscribed")
    if o:
        lines.append(
            "%d processes on %d cores, count(%d) each: mean core wait %s"
            % (
                o["workers"],
                o["cores"],
                o["iterations_per_worker"],
                "—" if o["mean_core_wait"] is None else "%d %%" % round(o["mean_core_wait"] * 100),
            )
        )
    return lines


def figure_text(figure: dict) -> str:
    """ "1.02 waits (theory 1)", "10.5 ms (theory 10 ms)"; "" when nothing was measured."""
    value = figure["measured"]
    if value is None:
        return ""
    unit = figure["unit"]
    if unit == "share":
        text = "%d %%" % round(value * 100)
        theory = None if figure["theory"] is None else "%d %%" % round(figure["theory"] * 100)
    elif unit == "ms":
        text, theory = duration(value / 1000), None if figure["theory"] is None else duration(figure["theory"] / 1000)
    elif unit == "×":
        text, theory = "%.2f×" % value, None if figure["theory"] is None else "%g×" % figure["theory"]
    else:
        text = ("%.2f" % value if isinstance(value, float) else "%d" % value) + (" " + unit if unit else "")
        theory = None if figure["theory"] is None else "%g" % figure["theory"]
    return "%s %s (%s)" % (figure["name"], text, "theory " + theory if theory is not None else figure["says"])


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
    if report.baseline_s is not None and report.speedup is not None:  # unrounded, as the explanation below has it
        timing += " · sequential %.2f s · speed-up %.2f× (theory %g×)" % (report.baseline_s, report.speedup, doc["theory"])
    elif report.config.scenario in ("asyncio", "convoy", "start-methods") and figure_text(doc["figure"]):
        timing += " · " + figure_text(doc["figure"])
    if doc["cancelled"]:
        timing += " · cancelled"
    lines.append(timing)
    if report.config.switch_interval_ms is not None and doc["switch_interval_s"] is not None:
        lines.append("switch interval %g ms (--switch-interval)" % (doc["switch_interval_s"] * 1000))
    if doc["explanation"]:
        lines.append(doc["explanation"])
    lines.append("")
    lines.extend(lanes_text(doc["lanes"]))
    race = doc.get("race")
    if race:
        lines.append("")
        lines.append(
            "race: expected %d · actual %d · lost %d · lock %s · switch interval %g ms"
            % (race["expected"], race["actual"], race["lost"], "on" if race["lock"] else "off", race["switch_interval_s"] * 1000)
        )
        if race.get("updates_per_s"):
            lines.append(
                "%s updates/s: each thread counted its own updates for %g s" % (rate(race["updates_per_s"]), race["duration_s"])
            )
    lesson = lesson_lines(doc)
    if lesson:
        lines.append("")
        lines.extend(lesson)
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
