"""The gilviz dashboard: a Textual app that keeps the source and the run's lifecycle.

A source is a lab scenario run, a watched program or a replayed trace; the app asks it what
it can do (``gilviz.sources.base.Source``), never its type. A thread worker runs it; every
event it posts arrives as one ``SourceEvent`` message (``run_feed``: run tokens, snapshots
coalesced to the frame pace), which ``DashboardState.apply`` (no textual) turns into state;
the app then asks its ``DashboardScreen`` to redraw what the event changed, in one batch.
With ``at`` a replay is applied up to that moment at once, which makes the screen
deterministic (snapshot tests, headless screenshots).

The app is made of one idea a module: the screen lays out and draws the regions
(``dashboard_screen``) and owns the keys: one table with their gating (``keys``); the actions
that start runs (``run_keys``) and those that change the view (``view_keys``); ``s``'s
pictures (``pictures``); here, the run's start, its end on quit, the exit status and the
signals.
"""

from __future__ import annotations

import asyncio
import gc
import signal
import threading
from pathlib import Path

from textual import work
from textual.app import App
from textual.timer import Timer

from gilviz.measure import Session
from gilviz.model import RunConfig
from gilviz.sources.base import Source
from gilviz.sources.events import Event, RunStarted
from gilviz.sources.lab import LabSource
from gilviz.sources.replay import ReplaySource
from gilviz.trace import Trace, config_to_dict
from gilviz.ui.cursor_view import CursorKeys
from gilviz.ui.dashboard_screen import DashboardScreen
from gilviz.ui.keys import APP_BINDINGS, KeyPalette
from gilviz.ui.lanes import LanesView
from gilviz.ui.pacing import FramePacer
from gilviz.ui.pictures import Pictures
from gilviz.ui.run_feed import RunFeed, SourceEvent
from gilviz.ui.run_keys import RunKeys
from gilviz.ui.state import HEADER, LANES, PANEL, RESULTS, DashboardState
from gilviz.ui.toasts import OneLineToasts
from gilviz.ui.view_keys import THEMES, ViewKeys

__all__ = ["THEMES", "GilvizApp", "SourceEvent", "replay_app", "scenario_app"]


def settle_memory() -> None:
    """After the first frame: what start-up made (modules, Textual's and our widgets) lives on, so the
    collector is told never to look at it again. Its full passes over it cost 40–120 ms now and then."""
    gc.collect()  # what is garbage goes first: frozen, it would never be freed
    gc.freeze()


class GilvizApp(OneLineToasts, CursorKeys, RunFeed, KeyPalette, RunKeys, ViewKeys, Pictures, App):
    CSS_PATH = Path(__file__).with_name("app.tcss")  # absolute, so subclasses elsewhere find it
    TITLE = "gilviz"
    BINDINGS = APP_BINDINGS  # the dashboard's own keys are its screen's (``keys.DashboardKeys``)

    def __init__(
        self,
        source: Source,
        *,
        at: float | None = None,
        theme: str = "dark",
        screenshot_dir: str = ".",
        screenshot_format: str = "svg",
        present: bool = False,
        still: bool = False,
        live_still: bool = False,
        pin: RunConfig | None = None,
    ) -> None:
        """``present``: start in presenter mode. ``still``: a picture, with no footer of keys. ``live_still``: a
        picture of a run recorded for it just now, so not titled "replay"."""
        super().__init__()
        self.present = present
        self.still = still
        self.live_still = live_still
        self.pin = pin  # at a moment of a replay: the run of this config is pinned above the last
        self.source = source
        self.at = at
        self.screenshot_dir = screenshot_dir
        self.screenshot_format = screenshot_format
        self.state = DashboardState(source.config, replaying=source.replays and not live_still)
        self.token = 0
        self.cancel = threading.Event()
        self.theme = THEMES[theme]
        self.pacer = FramePacer()  # how often snapshots are drawn
        self._pending: SourceEvent | None = None  # the latest snapshot, held until the pacer lets it be drawn
        self._pending_timer: Timer | None = None
        self._picturing = False  # `s` is drawing the screen for a picture: no key hints, no footer
        self.dashboard = DashboardScreen()

    @property
    def keys_hinted(self) -> bool:
        """Whether asides that name a key ("+/- zoom") are shown: on a live screen, not in a still or a saved picture."""
        return not self.still and not self._picturing

    @property
    def replaying(self) -> bool:
        return self.source.replays

    def begin(self) -> None:
        """The dashboard's regions are there (``DashboardScreen.on_mount``): fit them, and start the run or show its moment."""
        self.set_class(self.state.watching, "-watching")
        self.set_class(self.present, "-present")
        self.set_class(self.still, "-still")
        if self.source.note:
            self.state.note = self.source.note
        self.fit(self.size.width, self.size.height)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGHUP) if not self.is_headless else ():  # a closed terminal or `kill`: end,
            loop.add_signal_handler(sig, self.exit)  # and let the run's end follow (headless: the caller's handlers)
        self.call_after_refresh(settle_memory)
        if self.source.replays and self.at is not None:
            self.show_moment(self.source, self.at)
        else:
            self.start_run()
        self.call_after_refresh(self.draw, {LANES})  # laid out now: fit the lanes to their box

    # -- running ------------------------------------------------------------------

    def start_run(self) -> None:
        self.cancel.set()  # the previous run, if any, stops at its next chunk and its lab is ended
        self.cancel = threading.Event()
        self.token += 1
        self._drop_pending()
        self.pacer.restart()  # the new run's first picture comes at once
        self.state.restart()
        lanes = self.query_one("#lanes", LanesView)
        lanes.snapshot = None
        cfg = self.state.scenario
        self.cursor_reset()
        lanes.fitted = not (cfg is not None and cfg.switch_interval_ms)  # a new run: fit it when it ends (not slow motion)
        self.query_one("#pinned", LanesView).display = self.state.pinned is not None
        self.run_source(self.token, self.cancel)
        self.draw({HEADER, PANEL, RESULTS, LANES})

    @work(thread=True, exclusive=True, group="run", exit_on_error=False)
    def run_source(self, token: int, cancel: threading.Event) -> None:
        def post(event: Event) -> None:
            self.post_message(SourceEvent(token, event))

        self.source.run(post, cancel, lambda: self.state.paused)

    def show_moment(self, source: Source, at: float) -> None:
        """Apply a replay up to ``at`` seconds at once: the screen as it was at that moment."""
        self.token += 1
        for event in source.until(at):
            self.apply(event)
        if not self.live_still:  # a still of a live run keeps the run's own state ("live", "finished")
            self.state.status = "replay at %.1f s" % at
        if self.pin is not None:
            later = self.state.reports[1:]  # the newest is the one shown below
            pin = config_to_dict(self.pin)
            self.state.pinned = next((r for r in later if config_to_dict(r.config) == pin), None)
            self.draw({LANES})
        self.draw({HEADER})

    def apply(self, event: Event) -> None:
        if isinstance(event, RunStarted) and isinstance(event.config, RunConfig) and event.config.switch_interval_ms:
            lanes = self.query_one("#lanes", LanesView)
            lanes.fitted, lanes.zoom = False, 0  # slow motion: 10 ms columns, where the turns show (not refitted)
        changed = self.state.apply(event)
        for title, text in self.state.notices:
            self.notify(text, title=title, severity="error", timeout=8, markup=False)  # outside text: never markup
        self.state.notices.clear()
        if changed:
            self.draw(changed)

    # -- drawing: the screen's (these names stay for the callers that use them) ----------

    def get_default_screen(self) -> DashboardScreen:
        return self.dashboard

    def draw(self, changed: set[str]) -> None:
        self.dashboard.draw(changed)

    def draw_lanes(self) -> None:
        self.dashboard.draw_lanes()

    def draw_static(self) -> None:
        self.dashboard.draw_static()

    def draw_panel(self) -> None:
        self.dashboard.draw_panel()

    def fit(self, width: int, height: int) -> None:
        self.dashboard.fit(width, height)

    def pace(self, interval: float) -> None:
        """Frames this far apart; a live source takes its snapshots as often."""
        if interval != self.pacer.interval:
            self.pacer.interval = interval
            self.source.frame_s = interval  # a replay's pace is its recording's: it leaves this alone

    async def action_quit(self) -> None:
        self.cancel.set()
        if self.state.watching and self.state.status == "live":
            self.state.status = self.source.stopping
            self.draw({HEADER})
        wait = self.source.quit_wait_s
        try:  # let the run end cleanly, so its lab is gone and a recording gets the run's end
            await asyncio.wait_for(self.workers.wait_for_complete(), timeout=wait)
        except asyncio.TimeoutError:
            pass
        self.exit(self.exit_status())

    def exit_status(self) -> int:
        """A watched program's exit status once it has ended (what `gilviz watch` exits with), else 0."""
        return self.source.exit_status()

    def on_unmount(self) -> None:
        self.cancel.set()


def scenario_app(config: RunConfig, *, session: Session | None = None, **kwargs) -> GilvizApp:
    """The dashboard on the lab's scenarios, starting with ``config`` (``session`` may record them)."""
    return GilvizApp(LabSource(config, session=session), **kwargs)


def replay_app(trace: Trace, *, speed: float = 1.0, **kwargs) -> GilvizApp:
    """The dashboard replaying a trace (``at=SECONDS`` for the moment, frozen)."""
    return GilvizApp(ReplaySource(trace, speed=speed), **kwargs)
