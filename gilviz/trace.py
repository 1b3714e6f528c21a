"""Recorded runs: the timeline's inputs as JSON lines, and their replay (no textual).

A trace is what is needed to redraw runs exactly as they ran, on any machine: every input
the sampler gave the timeline (lanes as the board described them, classified intervals,
switch counts, per-core CPU, the run's window) and every run's start and result. Replaying
feeds the same inputs into a fresh ``Timeline``, so a replayed screen is drawn by the same
code from the same numbers as the live one, and is the same every time.

The format (version 3), one JSON object a line, times in integer nanoseconds since the
recording began:

- line 1, the header: ``{"format": "gilviz-trace", "version": 3, "gilviz": "0.1.0",
  "recorded_at": "2026-11-25T10:00:00Z", "host": {...}}``
- ``{"ev": "run", "t": T, "config": {...}, "as_baseline": false, "python": {...}, "cores": 2,
  "bin_s": 0.05, "coarse": false}``: a run starts (after its lab said hello)
- ``{"ev": "window", "t": T, "start": NS, "end": NS}``: the run's start/finish marks (0: not yet)
- ``{"ev": "lane", "t": T, "slot": 1, "pid": .., "tid": .., "kind": 1, "role": 2, "phase": 3,
  "done": .., "total": .., "count": .., "name": "worker-1", "note": "", "born": NS}``: a lane
  appeared or changed (``born``: when its thread started, only when that was after the
  recording began)
- ``{"ev": "iv", "t": T, "slot": 1, "t0": NS, "t1": NS, "times": [12 floats], "wait": "futex",
  "dis": 0.001}``: one classified interval (seconds per state, in ``gilviz.probe.classify.STATES``
  order; the system call its blocked time was spent in, and the seconds of it that
  contradicted the declared phase, each only when there is one)
- ``{"ev": "sw", "t": T, "slot": 1, "at": NS, "n": 412}``: a lane's voluntary switch counter
- ``{"ev": "cpu", "t": T, "percents": [..]}``: per-core busy percent (psutil)
- ``{"ev": "gil", "t": T, "pid": .., "detail": "..", "known": true}``: where a process's GIL is
  (or why it cannot be told), when the sampler first looks
- ``{"ev": "denied", "t": T}``: the kernel refused to show where threads are blocked
- ``{"ev": "gilstate", "t": T, "pid": .., "readable": true, "detail": ".."}``: whether a
  process's GIL can be read from its memory (or why not), when that changes (version 3)
- ``{"ev": "gilread", "t": T, "pid": .., "at": NS, "locked": true, "n": 412, "interval_us": 5000,
  "holder": 1, "call": "clock_nanosleep"}``: one reading of a process's GIL: held or not, its
  switch_number, its switch interval; ``holder``, the holder's lane slot, only when it is a
  lane; ``call``, only when the holder was blocked in one (version 3)
- ``{"ev": "end", "t": T, "result": {...}, "core_busy": [..], "sampler_cpu_s": .., "sampler_ticks": ..,
  "sampler_calm_ticks": .., "sampler_interval_s": .., "sampler_calm_interval_s": .., "watched": true,
  "machine": {...}, "python": {...}}`` or ``{"ev": "end", "t": T, "error": "..."}``: the run's outcome
  (``python``: the interpreter's facts, when they changed after the start: a shim exec'd it)
  (``machine``, the rest of the machine's load as ``gilviz run --json`` gives it, only
  when it was measured: recordings made before it was have none; nor have they the
  sampler's intervals and calm ticks)

Versions 1 and 2 are read as version 3 (``gilviz.trace_migrate``, every migration in one function).

A recording is written to ``PATH.partial``, a line at a time and flushed, and renamed
to ``PATH`` when it closes: a file at ``PATH`` is always complete, and a recording cut
short (the machine lost power) is still there under its partial name. A ``PATH`` ending
in ``.gz`` is gzip-compressed when it closes (about ten times smaller); reading accepts
either (``gilviz.trace_writer``). Reading (``gilviz.trace_file``) checks every line against
``gilviz.trace_schema`` (a table per record kind, with bounds) and refuses, in one line naming
the file and the line, what does not fit. The names of ``trace_format`` and ``trace_writer``
are this module's too: a trace is read, written and replayed through ``gilviz.trace``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from gilviz import trace_file, trace_schema
from gilviz.lab.board import SlotView
from gilviz.lab.facts import implementation_name
from gilviz.model import RunConfig, RunReport, WatchConfig
from gilviz.noise import MachineLoad
from gilviz.outside import visible
from gilviz.pending_intervals import PendingIntervals
from gilviz.timeline import Snapshot, Timeline
from gilviz.trace_file import TraceError
from gilviz.trace_file import fail as _fail
from gilviz.trace_format import FORMAT, SLOT_FIELDS, VERSION, config_from_dict, config_to_dict
from gilviz.trace_migrate import migrate
from gilviz.trace_writer import RecordingTimeline, TraceWriter

__all__ = [
    "FORMAT",
    "VERSION",
    "Frame",
    "RecordingTimeline",
    "Trace",
    "TraceError",
    "TraceRun",
    "TraceWriter",
    "config_from_dict",
    "config_to_dict",
    "frames",
    "frames_until",
    "read_trace",
]

SNAPSHOT_EVERY_NS = 100_000_000  # replay draws a snapshot this often (live: sampler.SNAPSHOT_EVERY_S)


# -- reading ---------------------------------------------------------------------------


@dataclass
class TraceRun:
    """One recorded run: its start event, its timeline inputs in order, and its end (None if cut short)."""

    config: RunConfig | WatchConfig
    start: dict
    events: list[dict] = field(default_factory=list)
    end: dict | None = None

    @property
    def t_start(self) -> int:
        return int(self.start["t"])

    @property
    def t_end(self) -> int:
        if self.end is not None:
            return int(self.end["t"])
        return int(self.events[-1]["t"]) if self.events else self.t_start

    @property
    def python(self) -> dict:
        """The interpreter's facts: as the run ended, if they changed after its start (a pyenv shim or
        ``env`` started the program, then exec'd the interpreter); else as it started."""
        return (self.end or {}).get("python") or self.start.get("python", {})


@dataclass
class Trace:
    path: str
    header: dict
    runs: list[TraceRun]

    @property
    def incomplete(self) -> bool:
        """The recording stops inside a run (cut short): what it holds can be shown, but the run has no end."""
        return bool(self.runs) and self.runs[-1].end is None

    @property
    def duration_s(self) -> float:
        return self.runs[-1].t_end / 1e9 if self.runs else 0.0

    @property
    def after_end_s(self) -> float:
        """A moment just after the last run ended: its final picture, with its result."""
        return self.duration_s + 0.1

    def mid_run_s(self, share: float = 0.6) -> float:
        """A moment ``share`` of the way through the last run (the one that was asked for)."""
        run = self.runs[-1]
        return (run.t_start + share * (run.t_end - run.t_start)) / 1e9

    def recorded_on(self) -> str:
        """Where the runs ran, e.g. "CPython 3.11.7 · 2 cores · Linux x86_64"."""
        host = self.header.get("host", {})
        where = " ".join(str(host[k]) for k in ("system", "machine") if host.get(k))
        if not self.runs:
            return where
        first = self.runs[0]
        py = first.python
        name = implementation_name(py.get("implementation", "?"))
        return "%s %s · %s cores · %s" % (name, py.get("version", "?"), first.start.get("cores"), where)


def read_trace(path: str) -> Trace:
    """Read and check a whole trace (``trace_file``, ``trace_schema``); TraceError (with the line number) when it is not one."""
    numbered = trace_file.lines(path)
    first = next(numbered, None)
    if first is None or not first[1].strip():
        raise TraceError("%s is empty, not a gilviz trace (record one with `gilviz record`)" % visible(path))
    header = trace_file.parse(path, 1, first[1])
    if header.get("format") != FORMAT:
        raise _fail(path, 1, "not a gilviz trace (no gilviz-trace header; record one with `gilviz record`)")
    version = header.get("version")
    if not isinstance(version, int) or version < 1:
        raise _fail(path, 1, "the header has no valid format version")
    if version > VERSION:
        raise _fail(
            path,
            1,
            "the trace is format version %d, made by a newer gilviz (this one reads up to %d): upgrade gilviz-tui"
            % (version, VERSION),
        )
    problem = trace_schema.check_fields(header, trace_schema.HEADER, "the header")
    if problem:
        raise _fail(path, 1, problem)
    runs: list[TraceRun] = []
    slots: set[int] = set()  # the slots the current run has declared (a lane event) before their first use
    last_t = 0
    for number, raw in numbered:
        event = trace_file.parse(path, number, raw)
        kind = event.get("ev")
        if not isinstance(kind, str) or kind not in trace_schema.RECORDS:
            raise _fail(path, number, "unknown event %s" % visible(repr(kind), 40))
        if isinstance(event.get("t"), int) and event["t"] < last_t:
            raise _fail(path, number, "time %r goes backwards" % (event["t"],))
        problem = trace_schema.check_record(event)
        if problem:
            raise _fail(path, number, problem)
        last_t = event["t"]
        if kind == "run":
            try:
                config = config_from_dict(event["config"])
            except (ValueError, TypeError, AttributeError) as exc:
                raise _fail(path, number, "a run with a bad config: %s" % exc) from None
            runs.append(TraceRun(config, event))
            slots.clear()
            continue
        if not runs or runs[-1].end is not None:
            raise _fail(path, number, "a %r event outside a run" % kind)
        if kind == "end":
            runs[-1].end = event
            continue
        if kind == "lane":
            slots.add(event["slot"])
        elif "slot" in event and event["slot"] not in slots:
            raise _fail(path, number, "a %r event for slot %d, which no lane event declared" % (kind, event["slot"]))
        problem = migrate(version, event)
        if problem:
            raise _fail(path, number, problem)
        runs[-1].events.append(event)
    return Trace(path, header, runs)


# -- replaying ---------------------------------------------------------------------------


def _slot_view(event: dict) -> SlotView:
    return SlotView(*(event[f] for f in SLOT_FIELDS))


@dataclass(frozen=True)
class Frame:
    """One thing that happened in a replay, at trace time ``t`` (ns): what the live app would receive."""

    t: int
    kind: str  # "started", "snapshot" or "finished"
    run: TraceRun
    as_baseline: bool = False
    config: RunConfig | WatchConfig | None = None  # started: the run the user asked for (a baseline's target)
    snapshot: Snapshot | None = None
    report: RunReport | None = None
    error: str | None = None


def frames(trace: Trace, until_ns: int | None = None) -> Iterator[Frame]:
    """The replay of every run in order: started, a snapshot every 100 ms of trace time, finished.

    Speed-ups pair a run with the last sequential run of its baseline's config before
    it, the rule the live ``Session`` follows. A stretch with no event gets one snapshot,
    not one per 100 ms (they would all be the same). ``until_ns``: only what a screen at
    that moment shows is made: of a run's snapshots, the last one before it.
    """
    baselines: dict[RunConfig, RunReport] = {}
    for i, run in enumerate(trace.runs):
        as_baseline = bool(run.start.get("as_baseline"))
        target = trace.runs[i + 1].config if as_baseline and i + 1 < len(trace.runs) else run.config
        yield Frame(run.t_start, "started", run, as_baseline=as_baseline, config=target)
        timeline = Timeline(bin_s=float(run.start.get("bin_s", 0.05)), coarse=bool(run.start.get("coarse", False)))
        next_snapshot = run.t_start + SNAPSHOT_EVERY_NS
        last_t = run.events[-1]["t"] if run.events else 0
        pending = PendingIntervals(run.events)  # a parked lane's next reading, up to each snapshot's moment
        for index, event in enumerate(run.events):
            if event["t"] >= next_snapshot:
                at = next_snapshot
                next_snapshot += (event["t"] - next_snapshot) // SNAPSHOT_EVERY_NS * SNAPSHOT_EVERY_NS + SNAPSHOT_EVERY_NS
                if until_ns is None or not (next_snapshot <= until_ns and next_snapshot <= last_t):  # else not the last
                    pending.fill(timeline)
                    yield Frame(at, "snapshot", run, snapshot=timeline.snapshot())
            if event["ev"] == "iv":
                pending.applied(timeline, index, event)
                continue
            if event["ev"] == "lane":
                pending.declared(event["slot"])
            _apply(timeline, event)
        if run.end is None:
            return  # the recording stops here
        if "error" in run.end:
            yield Frame(run.t_end, "finished", run, error=str(run.end["error"]))
            continue
        report = RunReport(
            run.config,
            run.python,
            int(run.start["cores"]),
            run.end["result"],
            timeline.snapshot(),
            bool(run.end.get("watched", True)),
            sampler_cpu_s=float(run.end.get("sampler_cpu_s", 0.0)),
            sampler_ticks=int(run.end.get("sampler_ticks", 0)),
            sampler_calm_ticks=int(run.end.get("sampler_calm_ticks", 0)),
            sampler_interval_s=float(run.end.get("sampler_interval_s", 0.0)),  # not in traces recorded before them
            sampler_calm_interval_s=float(run.end.get("sampler_calm_interval_s", 0.0)),
            core_busy=run.end.get("core_busy"),
            machine=_machine(run.end.get("machine")),
        )
        base = run.config.baseline() if isinstance(run.config, RunConfig) else None
        if base is not None and isinstance(run.config, RunConfig) and base.scenario == run.config.scenario:
            if not report.result.get("cancelled"):
                baselines[_baseline_key(base)] = report
        elif base is not None:
            report.baseline = baselines.get(_baseline_key(base))
        yield Frame(run.t_end, "finished", run, report=report)


def _machine(doc: Any) -> MachineLoad | None:
    """A recorded machine load, or None (not recorded, or not readable: a replay goes on without it)."""
    if not isinstance(doc, dict):
        return None
    try:
        return MachineLoad.from_json(doc)
    except (KeyError, TypeError, ValueError):
        return None


def _baseline_key(config: RunConfig) -> RunConfig:
    return RunConfig(config.scenario, config.worker_count, config.size)  # the interpreter path may differ


def _apply(timeline: Timeline, event: dict) -> None:
    kind = event["ev"]
    if kind == "iv":
        timeline.add_interval(
            event["slot"], event["t0"], event["t1"], tuple(event["times"]), event.get("wait", ""), event.get("dis", 0.0)
        )
    elif kind == "lane":
        timeline.lane_seen(_slot_view(event), event.get("born", 0))
    elif kind == "window":
        timeline.set_window(event["start"], event["end"])
    elif kind == "sw":
        timeline.add_switches(event["slot"], event["at"], event["n"])
    elif kind == "cpu":
        timeline.add_cpu(tuple(event["percents"]))
    elif kind == "gil":
        timeline.set_gil(event["pid"], event["detail"], event["known"])
    elif kind == "denied":
        timeline.set_denied()
    elif kind == "gilstate":
        timeline.set_gil_state(event["pid"], event["readable"], event["detail"])
    elif kind == "gilread":
        slot, call = event.get("holder", -1), event.get("call", "")
        timeline.add_gil(event["pid"], event["at"], event["locked"], slot, call, event["n"], event["interval_us"])


def frames_until(trace: Trace, at_s: float) -> list[Frame]:
    """Every frame up to ``at_s`` seconds into the recording (what a screen at that moment shows)."""
    limit = int(at_s * 1e9)
    out = []
    for frame in frames(trace, limit):
        if frame.t > limit:
            break
        out.append(frame)
    return out
