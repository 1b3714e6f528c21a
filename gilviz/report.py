"""A run's report as the JSON document tools script against, and as readable text.

The JSON keys are a contract (see README, "gilviz run --json"): add keys freely, never
rename or remove one.
"""

from __future__ import annotations

from gilviz import figures
from gilviz.explain import explain
from gilviz.gil_json import gil_lines, gil_state, lane_gil, lane_gil_text
from gilviz.lab.facts import implementation_name
from gilviz.lab.scenarios import START_METHODS
from gilviz.lane_fold import ended_entries, fold_lanes, short_lived_entries
from gilviz.model import RunReport, WatchConfig
from gilviz.noise import MachineLoad, combine, spread
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
    return [lane_json(lane, report.window_s) for lane in kept] + folded + ended_entries(snap.ended, report.window_s) + unseen


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


def run_machine(report: RunReport) -> MachineLoad | None:
    """The rest of the machine's load over the run (over all the runs, when this one stands for repeated runs)."""
    if report.repeats is not None and len(report.repeats.runs) > 1:
        return combine([r.machine for r in report.repeats.runs])
    return report.machine


def baseline_machine(report: RunReport) -> MachineLoad | None:
    """The same over the sequential baseline run(s) the speed-up is measured against (None: no baseline)."""
    if report.repeats is not None and report.repeats.baselines:
        return combine([b.machine for b in report.repeats.baselines])
    return report.baseline.machine if report.baseline is not None else None


def cores_text(cores: float) -> str:
    return "%.1f" % cores if cores < 9.95 else "%.0f" % cores


def load_text(load: MachineLoad) -> str:
    """Who took the cores: "other programs used 1.3", "the hypervisor took 0.4 (steal)", or both."""
    took = []
    if load.other_cpu >= 0.05 or load.steal < 0.05:
        took.append("other programs used %s" % cores_text(load.other_cpu))
    if load.steal >= 0.05:
        took.append("the hypervisor took %s (steal)" % cores_text(load.steal))
    return " and ".join(took)


def machine_warning(report: RunReport) -> str | None:
    """One line when other programs (or the hypervisor) took enough CPU to put the figures off; None otherwise.

    For example "other programs used 1.3 of 2 cores during this run — figures will be off".
    The run and its baseline are both looked at: a speed-up is off if either was disturbed.
    """
    run, base = run_machine(report), baseline_machine(report)
    repeated = report.repeats is not None and len(report.repeats.runs) > 1
    noisy_run = run if run is not None and run.noisy else None
    noisy_base = base if base is not None and base.noisy else None
    during = "these runs" if repeated else "this run"
    bases = "baselines" if repeated else "baseline"
    if noisy_run is not None and noisy_base is not None:
        if noisy_run.steal < 0.05 and noisy_base.steal < 0.05:
            said = "other programs used %s of %d cores during %s, %s during the sequential %s" % (
                cores_text(noisy_run.other_cpu),
                noisy_run.cores,
                during,
                cores_text(noisy_base.other_cpu),
                bases,
            )
        else:
            said = "%s of %d cores during %s; %s during the sequential %s" % (
                load_text(noisy_run),
                noisy_run.cores,
                during,
                load_text(noisy_base),
                bases,
            )
    elif noisy_run is not None:
        said = "%s of %d cores during %s" % (load_text(noisy_run), noisy_run.cores, during)
    elif noisy_base is not None:
        said = "%s of %d cores during the sequential %s" % (load_text(noisy_base), noisy_base.cores, bases)
    else:
        return None
    return said + " — figures will be off"


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
    for key in ("race", "queue", "executor", "asyncio", "convoy", "start_methods", "oversubscribed", "parts_s", "error"):
        if key in report.result:
            doc[key] = report.result[key]
    doc["errors"] = report.result.get("errors", [])  # a part that failed during the run (the sampler, the recording)
    if "oversubscribed" in doc:
        doc["oversubscribed"] = dict(doc["oversubscribed"], cores=report.cores, mean_core_wait=doc["figure"]["measured"])
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

        def trip(phase: str) -> str:
            mean, median, n = c.get(phase + "_mean_ms"), c[phase + "_ms"], c[phase + "_round_trips"]
            if median is None:
                return "not measured"
            if mean is None:  # recorded before the mean was
                return "%s (median of %d)" % (duration(median / 1000), n)
            return "%s mean (median %s, %d trips)" % (duration(mean / 1000), duration(median / 1000), n)

        line = "convoy: round trip alone %s · beside %d CPU thread%s %s" % (
            trip("alone"),
            c["cpu_threads"],
            "" if c["cpu_threads"] == 1 else "s",
            trip("with_cpu"),
        )
        alone, beside = c.get("alone_mean_ms") or c["alone_ms"], c.get("with_cpu_mean_ms") or c["with_cpu_ms"]
        if alone and beside:
            ratio = beside / alone
            line += " · %s %s" % (times(ratio), "slower") if ratio >= 1 else " · %s faster" % times(1 / ratio)
        lines.append(line)
    m = doc.get("start_methods")
    if m:
        parts = []
        for method in START_METHODS:
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
        elif doc["scenario"] in ("asyncio", "convoy", "start-methods") and figure_text(doc["figure"]):
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
            text += " · median of %d, %s–%s" % (n, _figure_value(lo, figure["unit"]), _figure_value(hi, figure["unit"]))
        walls = spread(doc["runs_s"])
        assert walls is not None
        lines.append(text or "wall %.2f s (median of %d, %.2f–%.2f s)" % (walls.median, n, walls.lo, walls.hi))
    runs = "runs " + seconds_list(doc["runs_s"])
    if doc["baselines_s"]:
        runs += " · baselines " + seconds_list(doc["baselines_s"]) + " (each run right after its baseline)"
    lines.append(runs)
    return lines


def _figure_value(value: float, unit: str) -> str:
    if unit == "share":
        return "%d %%" % round(value * 100)
    if unit == "ms":
        return duration(value / 1000)
    if unit == "×":
        return "%.2f×" % value
    return "%.2f" % value if value != int(value) else "%d" % value


def to_text(report: RunReport) -> str:
    if isinstance(report.config, WatchConfig):
        return watch_text(report)
    doc = to_json(report)
    title = doc["title"] + (" (%s executor)" % doc["executor"] if "executor" in doc else "")
    unit = "task" if doc["scenario"] == "asyncio" else "worker"  # as the dashboard says: asyncio's workers are tasks
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
    lesson = lesson_lines(doc) + gil_lines(doc)
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
