"""The replay source: a recorded trace's runs, at their recorded pace or at a moment (no textual)."""

from __future__ import annotations

import threading
import time
from typing import Callable

from gilviz.model import RunConfig, WatchConfig
from gilviz.sources.base import Defaults
from gilviz.sources.events import Event, ReplayEnded, RunFinished, RunStarted, SnapshotTaken
from gilviz.trace import Frame, Trace, frames, frames_until


def event_for(frame: Frame) -> Event:
    """The event a live source would have posted for this replayed frame."""
    if frame.kind == "started":
        assert frame.config is not None
        start = frame.run.start
        return RunStarted(frame.config, frame.as_baseline, frame.run.python, int(start.get("cores", 0)))
    if frame.kind == "snapshot":
        assert frame.snapshot is not None
        return SnapshotTaken(frame.snapshot)
    return RunFinished(frame.report, frame.error)


class ReplaySource(Defaults):
    """A recorded trace's runs again, at their pace (``run``: ``r`` plays it again) or up to a moment (``until``)."""

    replays = True
    waiting_text: str | None = "replaying: no lane recorded yet…"

    def __init__(self, trace: Trace, *, speed: float = 1.0) -> None:
        if not trace.runs:
            raise ValueError("a trace with at least one run")
        self.trace = trace
        self.speed = speed
        self.config: RunConfig | WatchConfig = trace.runs[0].config
        recorded = trace.header.get("recorded_at", "?").replace("T", " ").rstrip("Z")
        self.caption = "recorded %s UTC on %s" % (recorded, trace.recorded_on())  # outside text: made visible where drawn
        self.note = "incomplete trace (no end record)" if trace.incomplete else ""

    def run(self, post: Callable[[Event], None], cancel: threading.Event, paused: Callable[[], bool] = lambda: False) -> None:
        """Post the frames at their recorded times (times the speed); while ``paused()``, the replay's clock stops."""
        played = 0.0  # seconds of the recording played so far
        last = time.monotonic()
        for frame in frames(self.trace):
            while played < frame.t / 1e9:
                if cancel.wait(0.01):
                    return
                now = time.monotonic()
                if not paused():
                    played += (now - last) * self.speed
                last = now
            post(event_for(frame))
        post(ReplayEnded())

    def until(self, at: float) -> list[Event]:
        """Every event up to ``at`` seconds into the recording: what the screen at that moment shows."""
        return [event_for(frame) for frame in frames_until(self.trace, at)]
