"""What a source can do, as a Protocol (no textual): the dashboard asks, it never checks a source's type.

Every source (``lab``, ``watch``, ``replay``) says here whether it can switch to another
scenario or variant (and so repeat a run and pin one to compare), run again, show a
recorded moment; how long the app waits for it to end on quit and what the header says
meanwhile; the exit status it ends with; and what the lanes say before the first lane and
under their box. Adding a source is one module that fills these in.
"""

from __future__ import annotations

import threading
from typing import Callable, Protocol

from gilviz.model import RunConfig, WatchConfig
from gilviz.sources.events import Event


class Source(Protocol):
    @property
    def config(self) -> RunConfig | WatchConfig:
        """What it runs first (a scenario's config, a program's)."""
        ...

    can_switch: bool  # scenarios, variants, workers, slow motion, a series of runs, pinning a run: a new run each
    can_rerun: bool  # `r` runs (or replays) it again
    replays: bool  # a recording: its moments can be shown at once (``until``), its machine's cores drawn
    quit_wait_s: float  # how long quitting waits for the run to end cleanly
    stopping: str  # the header's status while it does ("stopping the program")
    waiting_text: str | None  # the lanes' text before the first lane (None: the lanes' own)
    caption: str  # under the lanes' box: where it was recorded, where a program's output goes ("": nothing)
    note: str  # a note for the header from the start ("": none)
    frame_s: float | None  # how often the dashboard draws: a live source takes its snapshots then
    repeats: int  # runs in the next ``run`` (a series: the median and the range)

    def run(self, post: Callable[[Event], None], cancel: threading.Event, paused: Callable[[], bool] = ...) -> None: ...

    def switch(self, **changes) -> RunConfig:
        """Change what runs next (only where ``can_switch``)."""
        ...

    def until(self, at: float) -> list[Event]:
        """Every event up to ``at`` seconds in (only where ``replays``)."""
        ...

    def exit_status(self) -> int:
        """What gilviz exits with once the run has ended: a watched program's status, else 0."""
        ...


class Defaults:
    """What a source does unless it says otherwise: runs one thing (no switching, no series), no recorded moments."""

    can_switch = False
    can_rerun = True
    replays = False
    quit_wait_s = 3.0
    stopping = "stopping"
    waiting_text: str | None = None
    caption = ""
    note = ""
    frame_s: float | None = None
    repeats = 1

    def switch(self, **changes) -> RunConfig:
        raise TypeError("%s runs one thing: nothing to switch to" % type(self).__name__)

    def until(self, at: float) -> list[Event]:
        raise TypeError("%s has no recorded moments" % type(self).__name__)

    def exit_status(self) -> int:
        return 0
