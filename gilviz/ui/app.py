"""The gilviz dashboard: a Textual app fed by a source (lifecycle and keys only).

A source is a lab scenario run (``LabSource``), a watched program (``WatchSource``) or a
replayed trace (``ReplaySource``). A thread worker runs it; every event it posts arrives
as one ``SourceEvent`` message, which ``DashboardState.apply`` (no textual) turns into
state; the app then redraws what the event changed, in one batch. With ``at`` a replay
is applied up to that moment at once, which makes the screen deterministic (snapshot
tests, headless screenshots). Each run has a token, so events from a run that was
switched away from are dropped.

The keys live in ``BINDINGS`` alone: the footer shows those that apply here
(``check_action``), the help screen and the command palette list them from there.
"""

from __future__ import annotations

import asyncio
import gc
import math
import os
import signal
import threading
import time
from collections.abc import Iterable
from pathlib import Path

import psutil
from rich.syntax import Syntax
from rich.text import Text
from textual import work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.events import Resize
from textual.geometry import Region
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Static

from gilviz.files import write_atomically
from gilviz.lab.scenarios import BY_KEY, SCENARIOS
from gilviz.measure import Session
from gilviz.model import RunConfig
from gilviz.outside import visible
from gilviz.sources.events import Event, RunFinished, RunStarted, SnapshotTaken
from gilviz.sources.lab import LabSource
from gilviz.sources.replay import ReplaySource
from gilviz.sources.watch import WatchSource
from gilviz.trace import Trace, config_to_dict
from gilviz.ui.cursor_view import CursorKeys, CursorLanes
from gilviz.ui.drawing import COLOURS, LEGEND, SHORT_LEGEND, legend_glyph
from gilviz.ui.footer_keys import keys_changed
from gilviz.ui.header import header_text
from gilviz.ui.help import HelpScreen
from gilviz.ui.lane_rows import row_index
from gilviz.ui.lanes import ZOOMS, LanesView
from gilviz.ui.lesson import code_text
from gilviz.ui.meters import CpuMeters
from gilviz.ui.pacing import FramePacer, frame_interval
from gilviz.ui.program_panel import output_text, waits_text
from gilviz.ui.queue_panel import queue_text
from gilviz.ui.race_panel import race_text
from gilviz.ui.results import figure_text, results_text, run_title
from gilviz.ui.state import HEADER, LANES, OUTPUT, PANEL, RESULTS, DashboardState
from gilviz.ui.table_screen import TableScreen

KEYS = [s.key for s in SCENARIOS]
SLOW_MOTION_MS = 50.0
REPEATS = 5  # R: runs for a median and a range
MENU_LABEL = 21  # characters of a scenario's title in the menu
MIN_SIZE = (60, 16)  # below this the screen asks for a bigger terminal
NARROW_BELOW = 104  # columns: the scenario menu goes, the header keeps n/N
SHORT_BELOW = 32  # rows: the lesson's code goes, the meters take one line
MAX_ROW_HEIGHT = 5  # screen lines per lane, when few lanes leave room
THEMES = {"dark": "textual-dark", "light": "textual-light"}
QUIT_WAIT_S = 3.0
LOCAL_CORES = psutil.cpu_count() or 0  # the lines the meters of a live run will need
QUIT_WAIT_WATCH_S = 10.0  # a watched program gets SIGINT, then SIGTERM, then SIGKILL, 2 s apart

Source = LabSource | WatchSource | ReplaySource


class SourceEvent(Message):
    """One event from the source, for the run with this token."""

    def __init__(self, token: int, event: Event) -> None:
        super().__init__()
        self.token, self.event = token, event


def settle_memory() -> None:
    """After the first frame: what start-up made (modules, Textual's and our widgets) lives on, so the
    collector is told never to look at it again. Its full passes over it cost 40–120 ms now and then."""
    gc.collect()  # what is garbage goes first: frozen, it would never be freed
    gc.freeze()


def legend(states: Iterable[str], short: bool = False) -> Text:
    names = SHORT_LEGEND if short else LEGEND
    text = Text()
    for state in states:
        text.append(legend_glyph(state), style=COLOURS[state])
        text.append(" %s  " % names[state])
    return text


class GilvizApp(CursorKeys, App):
    CSS_PATH = Path(__file__).with_name("app.tcss")  # absolute, so subclasses elsewhere find it
    TITLE = "gilviz"
    BINDINGS = [
        *[Binding(str(i + 1), "scenario(%d)" % i, SCENARIOS[i].title, show=False) for i in range(min(9, len(SCENARIOS)))],
        Binding("n", "step(1)", "next", show=False, tooltip="the next scenario"),
        Binding("p", "step(-1)", "prev", show=False, tooltip="the previous scenario"),
        Binding("r", "rerun", "re-run", tooltip="run the scenario again (in a replay: replay from the start)"),
        Binding("R", "repeat", "5 runs", show=False, tooltip="run it 5 times, each after a baseline run: the median and range"),
        Binding("space", "pause", "pause", tooltip="freeze the picture; a live run goes on, a replay waits"),
        Binding("space", "resume", "resume", tooltip="go on from the frozen picture"),
        Binding("l", "lock", "lock", tooltip="race: turn the threading.Lock on or off, and re-run"),
        Binding("e", "executor", "executor", tooltip="pools: ThreadPoolExecutor or ProcessPoolExecutor, and re-run"),
        Binding("w", "workers(-1)", "fewer", show=False, tooltip="one worker fewer, and re-run"),
        Binding("W", "workers(1)", "workers+", show=False, tooltip="one worker more, and re-run"),
        Binding("f", "fold", "fold", tooltip="fold each process's threads into one row, or unfold them"),
        Binding("T", "table", "table", tooltip="every thread in a table: sort (< >, I), filter (/), Enter: its lane"),
        Binding("T", "table_unlisted", "table", show=False),  # a narrow scenario's footer has no room: the key still works
        Binding("P", "present", "present", show=False, tooltip="presenter mode: header, lanes, meters and the one figure"),
        Binding("m", "slow_motion", "slow-mo", tooltip="a 50 ms switch interval (Python's: 5 ms): the turns become visible"),
        Binding("c", "compare", "pin", tooltip="pin this run: the next is drawn under it on one time scale (c again: unpin)"),
        Binding("plus,equals_sign", "zoom(-1)", "zoom in", show=False, tooltip="fewer milliseconds per column"),
        Binding("minus", "zoom(1)", "zoom out", show=False, tooltip="more milliseconds per column (still: to the whole run)"),
        Binding("left", "cursor(-1)", "time", key_display="←→", tooltip="paused or ended: the time cursor a column back (→: on)"),
        Binding("right", "cursor(1)", "later", show=False),
        Binding("shift+left", "cursor(-10)", "back 10", show=False, tooltip="the time cursor 10 columns back (shift+→: on)"),
        Binding("shift+right", "cursor(10)", "on 10", show=False),
        Binding("home", "cursor_edge(0)", "start", show=False, tooltip="the time cursor to the run's start (End: to its end)"),
        Binding("end", "cursor_edge(1)", "end", show=False),
        Binding("escape", "cursor_off", "no cursor", show=False, tooltip="take the time cursor away"),
        Binding("t", "toggle_theme", "theme", show=False, tooltip="light or dark (light reads better on a projector)"),
        Binding("down", "scroll_lanes(1)", "scroll", show=False, tooltip="scroll the lanes (also up, PgUp, PgDn)"),
        Binding("up", "scroll_lanes(-1)", "scroll up", show=False),
        Binding("pagedown", "scroll_lanes(10)", "page down", show=False),
        Binding("pageup", "scroll_lanes(-10)", "page up", show=False),
        Binding("s", "save_screenshot", "save", tooltip="save an SVG or PNG of the screen (pause first to keep a moment)"),
        Binding("question_mark", "help", "help", tooltip="this help"),
        Binding("q", "quit", "quit", tooltip="quit; a watched program is stopped (a --pid is let go); nothing is left behind"),
        Binding("ctrl+c", "quit", "quit", show=False, priority=True),
    ]
    LAB_ONLY = {"scenario", "step", "lock", "executor", "workers", "repeat"}

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
        self.state = DashboardState(source.config, replaying=isinstance(source, ReplaySource) and not live_still)
        self.token = 0
        self.cancel = threading.Event()
        self.theme = THEMES[theme]
        self._drawn_by_lanes: tuple[LanesView, LanesView, CpuMeters, Static] | None = None
        self._rows_fitted: tuple = ()  # what fit_rows last fitted the lanes' height to
        self.pacer = FramePacer()  # how often snapshots are drawn
        self._pending: SourceEvent | None = None  # the latest snapshot, held until the pacer lets it be drawn
        self._pending_timer: Timer | None = None
        self._picturing = False  # `s` is drawing the screen for a picture: no key hints, no footer

    @property
    def keys_hinted(self) -> bool:
        """Whether asides that name a key ("+/- zoom") are shown: on a live screen, not in a still or a saved picture."""
        return not self.still and not self._picturing

    @property
    def replaying(self) -> bool:
        return isinstance(self.source, ReplaySource)

    def compose(self) -> ComposeResult:
        yield Static(id="title")
        with Horizontal(id="body"):
            yield Static(id="scenarios")
            with Vertical(id="main"):
                with VerticalScroll(id="lanes-box", can_focus=False):
                    yield LanesView(id="pinned")
                    yield CursorLanes(id="lanes")
                # the panels under the lanes in boxes of their own, so a frame that changes only the lanes
                # leaves them out: the compositor draws every widget whose container overlaps what changed
                with Vertical(id="below"):
                    yield Static(id="legend")
                    yield CpuMeters(id="meters")
                    yield Static(id="panel")
                    yield Static(id="figure")
                with Horizontal(id="lower"):
                    with VerticalScroll(id="lesson", can_focus=False):
                        yield Static(id="lesson-text")
                        yield Static(id="code")
                    yield Static(id="results")
        yield Static(id="too-small")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#pinned", LanesView).display = False
        self.query_one("#lanes", LanesView).fit_so_far = self.still  # a still mid-run: the run so far, across the width
        self.query_one("#lanes-box").border_title = "lanes"
        self.query_one("#meters").border_title = "CPU (per core)"
        self.query_one("#results").border_title = "results (measured)"
        self.query_one("#scenarios").border_title = "scenarios"
        self.set_class(self.state.watching, "-watching")
        self.set_class(self.present, "-present")
        self.set_class(self.still, "-still")
        if self.state.watching:
            self.query_one("#lanes", LanesView).waiting_text = "starting the program…"
        if isinstance(self.source, ReplaySource):
            self.query_one("#lanes", LanesView).waiting_text = "replaying: no lane recorded yet…"
            if self.source.trace.incomplete:
                self.state.note = "incomplete trace (no end record)"
        self.fit(self.size.width, self.size.height)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGHUP) if not self.is_headless else ():  # a closed terminal or `kill`: end,
            loop.add_signal_handler(sig, self.exit)  # and let the run's end follow (headless: the caller's handlers)
        self.call_after_refresh(settle_memory)
        if isinstance(self.source, ReplaySource) and self.at is not None:
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

    def show_moment(self, source: ReplaySource, at: float) -> None:
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

    def on_source_event(self, message: SourceEvent) -> None:
        """A snapshot is drawn when the pacer lets it (a newer one replaces it meanwhile); other events at once."""
        if message.token != self.token:
            return
        event = message.event
        if isinstance(event, SnapshotTaken):
            shown = self.state.snapshot
            new_rows = shown is None or len(event.snapshot.lanes) != len(shown.lanes)
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

    # -- drawing -------------------------------------------------------------------

    def draw(self, changed: set[str]) -> None:
        if HEADER in changed and keys_changed(self):
            self.refresh_bindings()  # the keys that apply follow the scenario and the run's state
        with self.batch_update():
            if LANES in changed:
                self.draw_lanes()
            if HEADER in changed:
                self.draw_header()
            if RESULTS in changed:
                self.draw_static()
            if PANEL in changed or OUTPUT in changed:
                self.draw_panel()

    def draw_lanes(self) -> None:
        """Several times a second: the widgets it touches are looked up once (a query walks the DOM)."""
        lanes, pinned, meters, legend_line = self._lane_widgets()
        snap = self.state.snapshot
        if snap is not None:
            age = snap.t - snap.window[0] if snap.window[0] and not snap.window[1] else None
            self.pace(frame_interval(lanes.bins_per_column * snap.bin_s, age))
        if isinstance(self.screen, TableScreen):
            self.screen.show(snap)  # the table moves at the lanes' frame pace; the hidden lanes wait for it to close
            return
        lanes.snapshot = snap
        self.draw_compared(lanes)
        meters.snapshot = snap
        self.fit_rows()
        states = lanes.visible_states() if snap else []
        if self.state.pinned is not None:
            states = [s for s in LEGEND if s in set(states) | set(pinned.visible_states())]
        states = states or ["running", "gil_wait", "core_wait", "io", "lock_wait"]
        self.show(legend_line, legend(states, short=self.size.width < NARROW_BELOW))

    def pace(self, interval: float) -> None:
        """Frames this far apart; a live source takes its snapshots as often."""
        if interval != self.pacer.interval:
            self.pacer.interval = interval
            if isinstance(self.source, (LabSource, WatchSource)):
                self.source.frame_s = interval

    @staticmethod
    def show(widget: Static, content) -> None:
        """Update a panel only when what it shows changed: an update lays the screen out again."""
        if getattr(widget, "_gilviz_shown", None) != content:
            widget._gilviz_shown = content  # type: ignore[attr-defined]
            widget.update(content)

    def draw_header(self) -> None:
        self.show(self.query_one("#title", Static), header_text(self.state, self.size.width))
        # their lines are kept from the start: a live run's meters read this machine's /proc/stat
        self.query_one(CpuMeters).cores = self.state.cores if self.replaying else LOCAL_CORES
        box = self.query_one("#lanes-box")
        if isinstance(self.source, ReplaySource):
            trace = self.source.trace
            recorded = trace.header.get("recorded_at", "?").replace("T", " ").rstrip("Z")
            box.border_subtitle = Text(visible("recorded %s UTC on %s" % (recorded, trace.recorded_on())))  # Text: no markup
        elif self.state.watching and self.state.output_path:
            box.border_subtitle = Text("its output: %s" % visible(self.state.output_path))

    def draw_static(self) -> None:
        self.draw_header()
        cfg = self.state.scenario
        menu = Text()
        for i, s in enumerate(SCENARIOS):
            style = "reverse" if cfg is not None and s.key == cfg.scenario else ""
            label = s.title if len(s.title) <= MENU_LABEL else s.title[: MENU_LABEL - 1] + "…"
            menu.append("%s %s\n" % (str(i + 1) if i < 9 else " ", label), style=style)
        self.query_one("#scenarios", Static).update(menu)
        lesson = self.query_one("#lesson")
        if cfg is not None:
            lesson.border_title = "lesson · the code that runs"
            theme = "ansi_dark" if self.current_theme.dark else "ansi_light"
            self.query_one("#lesson-text", Static).update(cfg.info.lesson)
            code = Syntax(code_text(cfg), "python", theme=theme, background_color="default", word_wrap=True)
            self.query_one("#code", Static).update(code)
        else:
            lesson.border_title = "how to read it"
            self.query_one("#lesson-text", Static).update(waits_text(self.state.snapshot))
            self.query_one("#code", Static).update("")
        results = self.query_one("#results", Static)
        lines = max(3, int((self.size.height - 2) * 0.35) - 2)  # #lower's max-height, less the box's border
        room = (lines, results.content_size.width or (42 if self.size.width < NARROW_BELOW else 54))
        results.update(results_text(self.state.reports, room=room))
        detail = self.present and self.size.height >= SHORT_BELOW  # a small screen keeps the figure to its line
        self.query_one("#figure", Static).update(figure_text(self.state, detail))
        self.draw_panel()

    def draw_panel(self) -> None:
        panel = self.query_one("#panel", Static)
        cfg, state = self.state.scenario, self.state
        if state.watching:
            panel.display = getattr(state.config, "pid", None) is None  # an attached pid's output is not ours to show
            panel.border_title = Text("the program's output" + (" · " + visible(state.output_path) if state.output_path else ""))
            if state.replaying and not state.output:
                self.show(panel, Text("(a recording keeps no program output: see the log it was written to)", style="dim"))
            else:
                self.show(panel, output_text(state.output, state.output_path))
            if state.snapshot is not None and state.snapshot.gil:
                self.show(self.query_one("#lesson-text", Static), waits_text(state.snapshot))
            return
        panel.display = cfg is not None and cfg.scenario in ("race", "queue")
        if cfg is None:
            return
        if cfg.scenario == "race":
            panel.border_title = "race · threading.Lock"
            at = self.panel_at_cursor()  # the counter at the time cursor, if there is one
            keys = self.keys_hinted and bool(self.check_action("lock", ()))
            self.show(panel, at or race_text(cfg, state.snapshot, state.finished, state.reports, state.python, keys))
        elif cfg.scenario == "queue":
            panel.border_title = "queue · multiprocessing.Queue"
            until = self.snapshot_at_cursor()
            self.show(panel, queue_text(until or state.snapshot, None if until else state.finished, cfg.worker_count))

    def draw_compared(self, lanes: LanesView) -> None:
        """With a pinned run: it above, the current run below, both from their start on one time scale."""
        pinned_view = self.query_one("#pinned", LanesView)
        pinned = self.state.pinned
        pinned_view.display = pinned is not None
        if pinned is None:
            lanes.aligned, lanes.title = 0, ""
            return
        pinned_view.snapshot = pinned.snapshot
        pinned_view.title = "pinned: " + run_title(pinned)
        lanes.title = "now: " + (run_title(self.state.finished) if self.state.finished else "running…")
        longest = max(pinned.window_s, self.state.finished.window_s if self.state.finished else 0.0)
        if lanes.snapshot is not None and lanes.snapshot.window[0] and not self.state.finished:
            longest = max(longest, lanes.snapshot.t - lanes.snapshot.window[0])
        columns = max(3, lanes.columns - 2)
        bins = max(1.0, longest / pinned.snapshot.bin_s + 1)
        per = max(1, math.ceil(bins / columns))
        stretch = max(1, int(columns // bins)) if per == 1 else 1
        pinned_view.aligned = lanes.aligned = per
        pinned_view.aligned_stretch = lanes.aligned_stretch = stretch

    def _lane_widgets(self) -> tuple[LanesView, LanesView, CpuMeters, Static]:
        """The lanes, the pinned run's lanes, the meters and the legend, looked up once."""
        if self._drawn_by_lanes is None:
            self._drawn_by_lanes = (
                self.query_one("#lanes", LanesView),
                self.query_one("#pinned", LanesView),
                self.query_one(CpuMeters),
                self.query_one("#legend", Static),
            )
        return self._drawn_by_lanes

    def fit_rows(self) -> None:
        """Lanes a few lines tall when there are few of them and room to spare (a bar reads from the back of a room).

        Worked out again only when the rows, the views shown or the box's height changed.
        """
        views = [v for v in self._lane_widgets()[:2] if v.display]
        rows = max(1, sum(len(v.rows) for v in views))
        box = self.query_one("#lanes-box")
        key = (rows, len(views), self.size, box.content_size.height)
        if key == self._rows_fitted:
            return
        self._rows_fitted = key
        needed = min(rows + len(views) + 2, int(self.size.height * 0.55))  # every lane on screen, one line each
        if box.styles.min_height is None or box.styles.min_height.value != needed:
            box.styles.min_height = needed  # the panels below give way first
        room = self.query_one("#lanes-box").content_size.height - len(views)  # less each one's ruler line
        if room <= 0:  # not laid out yet: a guess from the screen, put right on the next draw
            room = int(self.size.height * 0.5) - 3
        height = max(1, min(MAX_ROW_HEIGHT, room // rows))
        for view in views:
            view.row_height = height

    def on_resize(self, event: Resize) -> None:
        self.fit(event.size.width, event.size.height)
        self.draw({HEADER, LANES, RESULTS})

    def fit(self, width: int, height: int) -> None:
        """Drop what matters least as the terminal shrinks; below the minimum, ask for more room."""
        too_small = width < MIN_SIZE[0] or height < MIN_SIZE[1]
        self.set_class(width < NARROW_BELOW, "-narrow")
        self.set_class(height < SHORT_BELOW, "-short")
        self.set_class(too_small, "-too-small")
        self.query_one(CpuMeters).compact = height < SHORT_BELOW
        # narrow: the keys that apply need the whole footer (^p still opens the palette; ? lists it)
        self.query_one(Footer).show_command_palette = width >= NARROW_BELOW
        self.refresh_bindings()  # narrow, a scenario's footer leaves out T (the key still works)
        self.query_one("#too-small", Static).update(
            "gilviz needs a terminal of at least %d×%d; this one is %d×%d.\nEnlarge the terminal (or press q to quit)."
            % (MIN_SIZE[0], MIN_SIZE[1], width, height)
        )

    # -- keys ------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Which keys apply here: the footer shows only those, and the others do nothing."""
        live = isinstance(self.source, LabSource)
        if action in self.LAB_ONLY and not live:
            return False
        cfg = self.state.scenario
        if action == "lock":
            return cfg is not None and cfg.scenario == "race"
        if action == "executor":
            return cfg is not None and cfg.scenario == "pools"
        if action == "rerun":
            return not isinstance(self.source, WatchSource)
        if action == "compare":
            return live
        if action == "slow_motion":
            return live and cfg is not None and cfg.info.threads_side_by_side
        if action == "fold":  # once folded, f stays to unfold
            lanes = self.query_one("#lanes", LanesView)
            return self.state.watching or len(lanes.rows) > 8 or bool(lanes.fold)
        if action in ("table", "table_unlisted"):
            applies = self.state.watching or len(self.query_one("#lanes", LanesView).rows) > 8
            listed = self.state.watching or self.size.width >= NARROW_BELOW
            return applies and listed == (action == "table")
        if action in ("cursor", "cursor_edge"):
            return self.cursor_applies()
        if action == "cursor_off":
            return self.cursor_lanes().cursor is not None
        if action in ("pause", "resume"):  # one space key: the footer says "resume" while paused
            return self.state.paused == (action == "resume")
        return True

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        ours = {"Theme", "Quit", "Screenshot"}  # gilviz's own below: its light/dark, its format, one quit
        yield from (command for command in super().get_system_commands(screen) if command.title not in ours)
        if isinstance(self.source, LabSource):
            for i, s in enumerate(SCENARIOS):
                yield SystemCommand("Scenario %d: %s" % (i + 1, s.title), s.summary, lambda i=i: self.action_scenario(i))
        seen = set()
        for binding in self.BINDINGS:
            assert isinstance(binding, Binding)
            name, _, args = binding.action.partition("(")
            if not binding.tooltip or binding.action in seen or name == "scenario" or not self.check_action(name, ()):
                continue
            seen.add(binding.action)
            title = "Screenshot" if name == "save_screenshot" else binding.description.capitalize()
            yield SystemCommand(title, binding.tooltip, self._command(binding.action))

    def _command(self, action: str):
        return lambda: self.run_action(action)

    def switch(self, **changes) -> None:
        if isinstance(self.source, LabSource):
            self.state.config = self.source.switch(**changes)
            self.start_run()

    def action_scenario(self, index: int) -> None:
        key = KEYS[index]
        cfg = self.state.scenario
        motion = cfg.switch_interval_ms if cfg is not None and BY_KEY[key].threads_side_by_side else None
        if cfg is None or key != cfg.scenario:
            self.query_one("#lanes", LanesView).fold = None  # a fold is for the scenario it was made in
        self.switch(scenario=key, workers=None, iterations=None, switch_interval_ms=motion)

    def action_step(self, delta: int) -> None:
        cfg = self.state.scenario
        current = KEYS.index(cfg.scenario) if cfg is not None else 0
        self.action_scenario((current + delta) % len(KEYS))

    def action_rerun(self) -> None:
        if not isinstance(self.source, WatchSource):
            self.start_run()

    def action_repeat(self) -> None:
        """Five runs, each after a baseline run of its own: the results show the median and the range."""
        if isinstance(self.source, LabSource):
            self.source.repeats = REPEATS
            self.notify("%d runs, each after a baseline run: the median and range come at the end" % REPEATS, timeout=4)
            self.start_run()

    def action_resume(self) -> None:
        self.action_pause()

    def action_pause(self) -> None:
        self.state.paused = not self.state.paused
        if not self.state.paused:
            self.cursor_reset()  # the picture moves again
        if not self.state.paused and self.state.finished is not None:
            self.state.snapshot = self.state.finished.snapshot  # the run ended while paused: show its end
            self.draw({LANES, PANEL})
        self.draw({HEADER})

    def action_lock(self) -> None:
        cfg = self.state.scenario
        if cfg is not None and cfg.scenario == "race":
            self.switch(lock=not cfg.lock)

    def action_executor(self) -> None:
        cfg = self.state.scenario
        if cfg is not None and cfg.scenario == "pools":
            self.switch(executor="process" if cfg.executor == "thread" else "thread")

    def action_workers(self, delta: int) -> None:
        cfg = self.state.scenario
        if cfg is None:
            return
        workers = max(1, min(cfg.info.max_workers, cfg.worker_count + delta))
        if workers == cfg.worker_count:
            self.notify("%s runs %s" % (cfg.scenario, "1 worker" if workers == 1 else "%d workers at most" % workers))
        if workers != cfg.worker_count:
            self.switch(workers=workers)

    def action_fold(self) -> None:
        lanes = self.query_one("#lanes", LanesView)
        if not any(row.lane is None for row in lanes.rows) and len(lanes.rows) <= 8:
            self.notify("nothing to fold: f folds a process's threads when it has many")
            return
        folded_now = any(row.lane is None and "threads" in row.label for row in lanes.rows)
        lanes.fold = not folded_now
        self.draw({LANES})

    def action_table_unlisted(self) -> None:
        self.action_table()

    def action_table(self) -> None:
        """The table view: every thread on a line, sorted and filtered; Enter comes back to its lane."""
        if not isinstance(self.screen, TableScreen):
            self.push_screen(TableScreen(self.state.snapshot, self.sub_title or ""), self.jump_to_lane)

    def jump_to_lane(self, key: object) -> None:
        """Back from the table: scroll the lanes to the chosen thread's lane and highlight it (unfolded)."""
        lanes = self.query_one("#lanes", LanesView)
        lanes.snapshot = self.state.snapshot  # the lanes were left alone while the table was on screen
        self.draw({LANES})
        lanes.highlight = key if isinstance(key, tuple) and len(key) == 3 else None
        if isinstance(key, tuple) and len(key) == 2:  # an "ended threads" row: the process's row for them
            index = next((i for i, row in enumerate(lanes.rows) if row.pid == key[0] and " ended thread" in row.label), None)
        else:
            index = row_index(lanes.rows, key)
        if index is not None:
            self.call_after_refresh(self.scroll_to_row, lanes, index)

    def scroll_to_row(self, lanes: LanesView, index: int) -> None:
        box = self.query_one("#lanes-box", VerticalScroll)
        y = lanes.virtual_region.y + 1 + index * lanes.row_height
        box.scroll_to_region(Region(0, y, 1, lanes.row_height), animate=False, center=True, immediate=True)

    def action_zoom(self, delta: int) -> None:
        if self.cursor_applies():  # a still picture: around the cursor, the whole run at most
            self.cursor_zoom(delta)
            return
        lanes = self.query_one("#lanes", LanesView)
        if lanes.fitted and lanes.snapshot is not None and lanes.snapshot.window[1]:  # leave the fit at the nearest zoom
            lanes.zoom = min(range(len(ZOOMS)), key=lambda i: abs(ZOOMS[i] - lanes.bins_per_column))
        finished = lanes.snapshot is not None and lanes.snapshot.window[1]
        if not lanes.fitted and finished and delta > 0 and lanes.zoom == len(ZOOMS) - 1:
            lanes.fitted = True  # zoomed out past the widest: the whole run again
        else:
            lanes.fitted = False
            lanes.zoom = max(0, min(len(ZOOMS) - 1, lanes.zoom + delta))
        self.draw({LANES})

    def action_slow_motion(self) -> None:
        """Toggle a 50 ms switch interval and re-run; the lanes zoom in to 10 ms columns to show the turns."""
        cfg = self.state.scenario
        if cfg is None or not cfg.info.threads_side_by_side:
            return
        slow = not cfg.switch_interval_ms
        self.query_one("#lanes", LanesView).zoom = 0 if slow else 1
        self.switch(switch_interval_ms=SLOW_MOTION_MS if slow else None)

    def action_compare(self) -> None:
        """Pin the finished run (the next run is drawn under it), or unpin."""
        if self.state.pinned is not None:
            self.state.pinned = None
        elif self.state.finished is not None:
            self.state.pinned = self.state.finished
            self.notify("pinned: run another to see both", timeout=3)
        else:
            self.notify("c pins a finished run: wait for this one to end")
            return
        self.draw({LANES})

    def action_present(self) -> None:
        self.present = not self.present
        self.set_class(self.present, "-present")
        self.draw_static()

    def action_scroll_lanes(self, rows: int) -> None:
        self.query_one("#lanes-box", VerticalScroll).scroll_relative(y=rows, animate=False)

    def action_toggle_theme(self) -> None:
        self.theme = THEMES["light"] if self.current_theme.dark else THEMES["dark"]
        self.draw_static()

    def screenshot_name(self) -> str:
        cfg = self.state.scenario
        if cfg is None:
            what = "watch"
        else:
            variant = "-" + cfg.variant.replace(" ", "-") if cfg.variant else ""
            what = cfg.scenario + variant
        return "gilviz-%s-%s.%s" % (what, time.strftime("%Y%m%d-%H%M%S"), self.screenshot_format)

    def export_screenshot(self, *, title: str | None = None, simplify: bool = False) -> str:
        """An SVG of the screen in which every lane cell is a text of its own (see ``LanesView.render_line``)."""
        views = list(self.query(LanesView))
        for view in views:
            view.cells_apart = True
            view.refresh()  # its lines are drawn again for the picture, cell by cell ...
        try:
            return super().export_screenshot(title=title, simplify=simplify)
        finally:
            for view in views:
                view.cells_apart = False
                view.refresh()  # ... and joined again on screen

    def action_save_screenshot(self) -> None:
        """Draw the screen as a still (no footer, no key hints, no toasts), then save it, then draw it live again."""
        self._picturing = True
        self.clear_notifications()
        self.add_class("-still")
        self.draw({LANES, PANEL})
        self.query_one("#lanes", LanesView).refresh()
        self.call_after_refresh(self.save_screenshot_now)

    def save_screenshot_now(self) -> None:
        """Save the screen as SVG or PNG, named after the scenario and the time, and say where."""
        try:
            self._save_screenshot()
        finally:
            self._picturing = False
            self.set_class(self.still, "-still")
            self.draw({LANES, PANEL})
            self.query_one("#lanes", LanesView).refresh()

    def _save_screenshot(self) -> None:
        path = os.path.join(self.screenshot_dir, self.screenshot_name())
        cfg = self.state.scenario
        try:
            if self.screenshot_format == "png":
                from gilviz.ui.png import screen_png

                data: str | bytes = screen_png(self)
            else:
                what = cfg.info.title if cfg is not None else getattr(self.state.config, "title", "")
                data = self.export_screenshot(title=visible("gilviz · " + what))
            write_atomically(path, data)
        except OSError as exc:
            message = visible("%s: %s" % (path, exc.strerror or exc))
            self.notify(message, title="screenshot not saved", severity="error", timeout=8, markup=False)
            return
        self.notify(visible(os.path.abspath(path)), title="screenshot saved", timeout=6, markup=False)

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.BINDINGS, self.check_action))

    async def action_quit(self) -> None:
        self.cancel.set()
        if self.state.watching and self.state.status == "live":
            self.state.status = "stopping the program" if isinstance(self.source, WatchSource) else "stopping"
            self.draw({HEADER})
        wait = QUIT_WAIT_WATCH_S if isinstance(self.source, WatchSource) else QUIT_WAIT_S
        try:  # let the run end cleanly, so its lab is gone and a recording gets the run's end
            await asyncio.wait_for(self.workers.wait_for_complete(), timeout=wait)
        except asyncio.TimeoutError:
            pass
        self.exit(self.exit_status())

    def exit_status(self) -> int:
        """A watched program's exit status once it has ended (what `gilviz watch` exits with), else 0."""
        report = self.source.report if isinstance(self.source, WatchSource) else None
        code = report.result.get("exit_code") if report is not None else None
        return code if isinstance(code, int) else 0

    def on_unmount(self) -> None:
        self.cancel.set()


def scenario_app(config: RunConfig, *, session: Session | None = None, **kwargs) -> GilvizApp:
    """The dashboard on the lab's scenarios, starting with ``config`` (``session`` may record them)."""
    return GilvizApp(LabSource(config, session=session), **kwargs)


def replay_app(trace: Trace, *, speed: float = 1.0, **kwargs) -> GilvizApp:
    """The dashboard replaying a trace (``at=SECONDS`` for the moment, frozen)."""
    return GilvizApp(ReplaySource(trace, speed=speed), **kwargs)
