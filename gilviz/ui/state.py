"""What the dashboard shows, and how each source event changes it (but no textual).

``DashboardState.apply`` is the one place where events become state, for live runs,
watched programs and replays alike; the app then redraws the widgets that the event
touched. Being plain Python, it is tested by applying events and reading fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gilviz.model import RunConfig, RunReport, WatchConfig
from gilviz.outside import visible
from gilviz.sources.events import (
    Event,
    InterpreterKnown,
    Problem,
    ProgramOutput,
    ReplayEnded,
    RunFinished,
    RunStarted,
    SnapshotTaken,
)
from gilviz.timeline import Snapshot
from gilviz.ui.gil_header import gil_key

REPORTS_KEPT = 20

# What an event changed, so the app redraws only that.
LANES, HEADER, PANEL, RESULTS, OUTPUT = "lanes", "header", "panel", "results", "output"


@dataclass
class DashboardState:
    config: RunConfig | WatchConfig
    replaying: bool = False
    status: str = "starting"
    paused: bool = False
    snapshot: Snapshot | None = None
    finished: RunReport | None = None  # the current run's report, once it has ended
    reports: list[RunReport] = field(default_factory=list)  # finished runs, newest first
    python: dict | None = None
    cores: int = 0
    error: str | None = None  # why the current run failed
    output: tuple[str, ...] = ()  # a watched program's last lines
    output_path: str | None = None
    note: str = ""  # said in the header beside the status (e.g. a trace cut short)
    progress: str = ""  # a series of runs (R): "run 3 of 5 · so far 0.95–1.01×", until it ends
    pinned: RunReport | None = None  # a finished run kept above the current one, to compare
    notices: list[tuple[str, str]] = field(default_factory=list)  # (title, text) for the app to notify, then clear

    @property
    def watching(self) -> bool:
        return isinstance(self.config, WatchConfig)

    @property
    def scenario(self) -> RunConfig | None:
        return self.config if isinstance(self.config, RunConfig) else None

    def restart(self) -> None:
        """A new run is about to start: forget the current one's picture."""
        self.status = "starting"
        self.finished = None
        self.snapshot = None
        self.error = None
        if self.replaying:
            self.reports = []

    def apply(self, event: Event) -> set[str]:
        """Apply one event; what it changed (LANES, HEADER, PANEL, RESULTS, OUTPUT)."""
        if isinstance(event, SnapshotTaken):
            if self.paused:
                return set()
            coarse_changed = (self.snapshot is not None and self.snapshot.coarse) != event.snapshot.coarse
            coarse_changed = coarse_changed or gil_key(self.snapshot) != gil_key(event.snapshot)  # hand-offs, alarm
            self.snapshot = event.snapshot
            return {LANES, PANEL} | ({HEADER} if coarse_changed else set())
        if isinstance(event, RunStarted):
            self.config = event.config
            self.finished = None
            self.error = None
            if event.python:
                self.python, self.cores = event.python, event.cores
            self.status = "measuring the sequential baseline first" if event.baseline else "live"
            self.progress = event.progress
            return {HEADER, PANEL, RESULTS}
        if isinstance(event, InterpreterKnown):
            if event.python == self.python and event.cores == self.cores:
                return set()
            self.python, self.cores = event.python, event.cores
            return {HEADER}
        if isinstance(event, RunFinished):
            return self._finished(event)
        if isinstance(event, ReplayEnded):
            self.status = "replay ended (r replays again)"
            return {HEADER}
        if isinstance(event, Problem):
            self.notices.append(("gilviz", visible(event.text)))
            return {HEADER}
        if isinstance(event, ProgramOutput):
            self.output, self.output_path = event.lines, event.path
            return {OUTPUT}
        return set()

    def _finished(self, event: RunFinished) -> set[str]:
        self.progress = ""
        if event.error:
            self.status = "failed"
            self.error = visible(event.error)  # an error's text can carry a program's output or a path
            self.notices.append(("the run failed" + (" (r re-runs)" if not self.watching else ""), self.error))
            return {HEADER, PANEL}
        report = event.report
        if report is None:
            return set()
        if report.python:
            self.python, self.cores = report.python, report.cores
        self.status = finished_status(report)
        if report.config == self.config:
            self.finished = report
        if not report.result.get("cancelled") or self.watching:
            self.reports = ([report] + self.reports)[:REPORTS_KEPT]
        for error in report.result.get("errors", []):  # a part failed (the sampler, the recording): one line each
            self.error = visible(error)
            self.notices.append(("gilviz", self.error))
        if report.result.get("left_behind"):
            left = report.result["left_behind"]
            named = ", ".join("%s %s" % (p.get("pid"), p.get("name", "?")) for p in left[:10])
            self.notices.append(("the program left %d processes running (they end with gilviz)" % len(left), visible(named)))
        if report.result.get("failed"):
            failed = visible("; ".join("%s: %s" % (f["name"], f["reason"]) for f in report.result["failed"]))
            self.notices.append(("a worker failed (r re-runs)", failed))
        if not self.paused and report.config == self.config:
            self.snapshot = report.snapshot
        return {LANES, HEADER, PANEL, RESULTS}


def finished_status(report: RunReport) -> str:
    """ "finished", or for a watched program how it ended: "finished (exit 0)", "stopped (signal 2)", "detached"."""
    if not isinstance(report.config, WatchConfig):
        return "finished"
    result = report.result
    code, sig = result.get("exit_code"), result.get("signal")
    if code is None:
        return "detached (it goes on running)" if result.get("cancelled") else "ended"
    how = "signal %d" % sig if sig else "exit %d" % code
    return ("stopped (%s)" if result.get("cancelled") else "finished (%s)") % how
