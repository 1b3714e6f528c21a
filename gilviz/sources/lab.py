"""The lab source: scenario runs, each after its baseline when missing (layer: engine, no textual)."""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import Callable

from gilviz.measure import Session
from gilviz.model import RunConfig
from gilviz.sources.events import Event, InterpreterKnown, RunFinished, RunStarted, SnapshotTaken
from gilviz.timeline import Snapshot


class LabSource:
    """Runs ``config`` in a fresh lab each time ``run`` is called; ``switch`` changes what runs next."""

    kind = "lab"
    live = True  # runs start from the keyboard

    def __init__(self, config: RunConfig, *, session: Session | None = None) -> None:
        self.config = config
        self.session = session or Session()

    def switch(self, **changes) -> RunConfig:
        self.config = replace(self.config, **changes)
        return self.config

    def run(self, post: Callable[[Event], None], cancel: threading.Event, paused: Callable[[], bool] = lambda: False) -> None:
        config = self.config

        def snapshot(snap: Snapshot) -> None:
            post(SnapshotTaken(snap))

        def hello(event: dict) -> None:
            post(InterpreterKnown(event["python"], int(event["cores"])))

        try:
            if not self.session.has_baseline(config) and config.info.baseline != config.scenario:
                post(RunStarted(config, baseline=True))
                self.session.baseline_for(config, on_snapshot=snapshot, cancel=cancel, on_hello=hello)
            if cancel.is_set():
                return
            post(RunStarted(config))
            report = self.session.run(config, on_snapshot=snapshot, cancel=cancel, on_hello=hello)
        except Exception as exc:  # shown in the UI; the next run starts clean
            post(RunFinished(None, "%s: %s" % (type(exc).__name__, exc)))
            return
        post(RunFinished(report))
