"""Export a recorded trace as Chrome Trace Event JSON, for Perfetto and chrome://tracing.

One track per lane (the lab's pid and the thread's native id), named after the thread;
a slice per stretch of 50 ms bins in which the same state dominated, with every state's
share of that stretch in its args; a "runs" track with one slice per run; counters for
per-core CPU and for each lane's board counter (the race's counter, the queue's items);
and, where a process's GIL was read from its memory (trace version 3), a "GIL holder" track
with a slice per stretch one lane held it (named after the lane, and the call it was
blocked in while holding it, if any).
Timestamps are microseconds since the recording began. The format is the "JSON Object
Format" of the Trace Event Format (``{"traceEvents": [...]}``).
"""

from __future__ import annotations

from gilviz.lab import protocol
from gilviz.model import RunConfig
from gilviz.states import STATES
from gilviz.trace import Trace, frames

US = 1e6
RUNS_TID = 0  # the runs track sits in the lab's process, under a thread id no thread has
GIL_TID = 1  # each process's GIL holder track: a thread id no thread of a watched process has (1 is init's)


def _gil_slices(events: list[dict], names: dict[int, str]) -> list[dict]:
    """A slice per stretch of readings with the same holder (each reading stands for the time since the last)."""
    out: list[dict] = []
    last: dict[int, tuple[int, dict | None]] = {}  # pid -> (time of its last reading, its open slice)
    for event in events:
        if event["ev"] != "gilread":
            continue
        pid, at = event["pid"], event["at"]
        before, current = last.get(pid, (0, None))
        if not before:
            last[pid] = (at, None)
            continue
        name = ""
        if event["locked"]:
            name = names.get(event.get("holder", -1), "a thread that is not a lane")
            name += " (blocked in %s)" % event["call"] if event.get("call") else ""
        if current is not None and current["name"] == name and name:
            current["dur"] = (at - before) / 1e3 + current["dur"]
        elif name:
            current = {"name": name, "cat": "gil", "ph": "X", "ts": before / 1e3, "dur": (at - before) / 1e3, "pid": pid}
            current.update(tid=GIL_TID, args={"switch_number": event["n"]})
            out.append(current)
        else:
            current = None
        last[pid] = (at, current)
    return out


def _slices(lane, bin_s: float) -> list[dict]:
    """Merge consecutive bins whose dominant state is the same into one complete ("X") event."""
    out: list[dict] = []
    current: dict | None = None
    for b in sorted(lane.bins, key=lambda b: b.index):
        total = sum(b.times)
        if total <= 0:
            current = None
            continue
        state = STATES[b.times.index(max(b.times))]  # the first of the longest, as max(key=) would pick
        start, end = b.index * bin_s * US, (b.index + 1) * bin_s * US
        if current is not None and current["name"] == state and abs(current["ts"] + current["dur"] - start) < 1:
            current["dur"] = end - current["ts"]
            current["_times"].append(b.times)
            continue
        current = {"name": state, "cat": "state", "ph": "X", "ts": start, "dur": end - start, "pid": lane.pid, "tid": lane.tid}
        current["_times"] = [b.times]
        out.append(current)
    for event in out:
        times = dict(zip(STATES, map(sum, zip(*event.pop("_times")))))  # each state's sum, bin by bin, in C
        whole = sum(times.values())
        event["args"] = {s: round(t / whole, 3) for s, t in times.items() if t > 0}
    return out


def to_chrome_trace(trace: Trace) -> dict:
    events: list[dict] = []
    named: set[tuple[int, int]] = set()

    def meta(kind: str, pid: int, tid: int, name: str) -> None:
        if (pid, tid if kind == "thread_name" else -1) in named:
            return
        named.add((pid, tid if kind == "thread_name" else -1))
        events.append({"name": kind, "ph": "M", "ts": 0, "pid": pid, "tid": tid, "args": {"name": name}})

    for frame in frames(trace):
        if frame.kind != "finished" or frame.report is None:
            continue
        report, run = frame.report, frame.run
        snap = report.snapshot
        main = next((lane for lane in snap.lanes if lane.role == "main"), None)
        lab_pid = main.pid if main else 0
        cfg = report.config
        who = "gilviz lab" if isinstance(cfg, RunConfig) else main.name if main else "program"
        shown = cfg.info.sections if isinstance(cfg, RunConfig) and cfg.info.panel else ()  # its panel's figures (race, queue)
        meta("process_name", lab_pid, 0, "%s (pid %d)" % (who, lab_pid))
        meta("thread_name", lab_pid, RUNS_TID, "runs")
        events.append(
            {
                "name": "%s ×%d" % (cfg.scenario, cfg.worker_count) if isinstance(cfg, RunConfig) else cfg.title,
                "cat": "run",
                "ph": "X",
                "ts": run.t_start / 1e3,
                "dur": max(0.0, (run.t_end - run.t_start) / 1e3),
                "pid": lab_pid,
                "tid": RUNS_TID,
                "args": {
                    "wall_s": report.wall_s,
                    "speedup": report.speedup,
                    **{k: report.result[k] for k in shown if k in report.result},
                },
            }
        )
        gil = _gil_slices(run.events, {lane.slot: lane.name for lane in snap.lanes})
        for pid in sorted({event["pid"] for event in gil}):
            meta("thread_name", pid, GIL_TID, "GIL holder")
        events.extend(gil)
        for lane in snap.lanes:
            if lane.kind == "process":
                meta("process_name", lane.pid, lane.tid, "%s (pid %d)" % (lane.name, lane.pid))
            meta("thread_name", lane.pid, lane.tid, "%s %d" % (lane.name, lane.tid))
            events.extend(_slices(lane, snap.bin_s))
        for event in run.events:
            if event["ev"] == "cpu":
                args = {"core %d" % i: p for i, p in enumerate(event["percents"])}
                events.append({"name": "CPU %", "ph": "C", "ts": event["t"] / 1e3, "pid": lab_pid, "tid": 0, "args": args})
            elif event["ev"] == "lane" and event["role"] == protocol.WORKER:  # the workers' board counters
                name = "count · %s" % event["name"]
                events.append(
                    {
                        "name": name,
                        "ph": "C",
                        "ts": event["t"] / 1e3,
                        "pid": event["pid"],
                        "tid": event["tid"],
                        "args": {"count": event["count"]},
                    }
                )
    events.sort(key=lambda e: (e["ph"] != "M", e["ts"]))
    return {
        "traceEvents": events,
        "displayTimeUnit": "ms",
        "otherData": {"source": "gilviz", "recorded_on": trace.recorded_on(), "recorded_at": trace.header.get("recorded_at")},
    }
