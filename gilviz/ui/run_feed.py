"""A run's events into the app: run tokens and snapshot coalescing (``RunFeed``, a mixin of the app).

Each run has a token; an event of a run that was switched away from is dropped. A snapshot
is drawn when the frame pacer lets it: one that comes too soon is held, and a newer one
replaces it meanwhile (counted as coalesced); a run's start or end drops the held one.
Every other event is applied at once.
"""

from __future__ import annotations

import time

from textual.message import Message

from gilviz.sources.events import Event, RunFinished, RunStarted, SnapshotTaken
from gilviz.timeline import MANY_LANES
from gilviz.ui.host import Host


class SourceEvent(Message):
    """One event from the source, for the run with this token."""

    def __init__(self, token: int, event: Event) -> None:
        super().__init__()
        self.token, self.event = token, event


class RunFeed(Host):
    def on_source_event(self, message: SourceEvent) -> None:
        """A snapshot is drawn when the pacer lets it (a newer one replaces it meanwhile); other events at once."""
        if message.token != self.token:
            return
        event = message.event
        if isinstance(event, SnapshotTaken):
            shown = self.state.snapshot
            count = len(event.snapshot.lanes)  # new rows are drawn at once, but a big program's at the frame pace
            new_rows = shown is None or (count != len(shown.lanes) and count <= MANY_LANES)
            wait = self.pacer.wait(time.monotonic(), at_once=new_rows)
            if wait > 0:
                if self._pending is not None:
                    self.pacer.coalesced += 1
                self._pending = message
                if self._pending_timer is None:
                    self._pending_timer = self.set_timer(wait, self._draw_pending)
                return
        if isinstance(event, (SnapshotTaken, RunStarted, RunFinished)):
            self._drop_pending()  # a newer picture, or a run's start or end (which carries its own)
        self.apply(event)
        if isinstance(event, SnapshotTaken):
            self.pacer.drawn(time.monotonic())

    def _draw_pending(self) -> None:
        self._pending_timer = None
        message, self._pending = self._pending, None
        if message is not None:
            self.on_source_event(message)

    def _drop_pending(self) -> None:
        if self._pending is not None:
            self.pacer.coalesced += 1
        self._pending = None
        if self._pending_timer is not None:
            self._pending_timer.stop()
            self._pending_timer = None
