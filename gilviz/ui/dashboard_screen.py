"""The dashboard's screen: its layout and the drawing of its regions, from the app's state (``DashboardScreen``).

The app (``ui/app.py``) keeps the source and the run's lifecycle, applies each event to its
``DashboardState`` and asks this screen to draw what the event changed (``draw``), in one
batch. The screen lays out the regions (title, scenario menu, lanes, legend, meters, the
scenario's panel, the presenter's figure, the lesson and the results), fits them to the
terminal's size (``fit``: classes on the app, read by ``app.tcss``), and draws each one:
the panels are widgets that draw their own state (``panels``: the race, the queue, a watched
program's output, the results), handed it here; a region is updated only when what it shows
changed, since an update lays the screen out again. Its keys are its base's (``keys``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import psutil
from rich.syntax import Syntax
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.events import Resize
from textual.widgets import Footer, Static

from gilviz.lab.scenarios import SCENARIOS
from gilviz.outside import visible
from gilviz.ui.cursor_view import CursorLanes
from gilviz.ui.drawing import COLOURS, LEGEND, SHORT_LEGEND, legend_glyph
from gilviz.ui.footer_keys import keys_changed
from gilviz.ui.keys import DashboardKeys
from gilviz.ui.lanes import LanesView
from gilviz.ui.lesson import code_text
from gilviz.ui.meters import CpuMeters
from gilviz.ui.pacing import frame_interval
from gilviz.ui.panels import PANELS, HeaderLine, OutputPanel, PanelBox, QueuePanel, RacePanel, ResultsBox
from gilviz.ui.program_panel import waits_text
from gilviz.ui.results import figure_text, run_title
from gilviz.ui.state import HEADER, LANES, OUTPUT, PANEL, RESULTS
from gilviz.ui.table_screen import TableScreen

MENU_LABEL = 21  # characters of a scenario's title in the menu
MIN_SIZE = (60, 16)  # below this the screen asks for a bigger terminal
NARROW_BELOW = 104  # columns: the scenario menu goes, the header keeps n/N
SHORT_BELOW = 32  # rows: the lesson's code goes, the meters take one line
MAX_ROW_HEIGHT = 5  # screen lines per lane, when few lanes leave room
LOCAL_CORES = psutil.cpu_count() or 0  # the lines the meters of a live run will need


def legend(states: Iterable[str], short: bool = False) -> Text:
    names = SHORT_LEGEND if short else LEGEND
    text = Text()
    for state in states:
        text.append(legend_glyph(state), style=COLOURS[state])
        text.append(" %s  " % names[state])
    return text


class DashboardScreen(DashboardKeys):
    """The dashboard's regions and keys; what they show comes from the app (``dash``): its state, its source, its modes."""

    LISTED_FROM = NARROW_BELOW

    def __init__(self) -> None:
        super().__init__()
        self._drawn_by_lanes: tuple[LanesView, LanesView, CpuMeters, Static] | None = None
        self._rows_fitted: tuple = ()  # what fit_rows last fitted the lanes' height to

    def compose(self) -> ComposeResult:
        yield HeaderLine(id="title")
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
                    yield PanelBox(id="panel")
                    yield Static(id="figure")
                with Horizontal(id="lower"):
                    with VerticalScroll(id="lesson", can_focus=False):
                        yield Static(id="lesson-text")
                        yield Static(id="code")
                    yield ResultsBox(id="results")
        yield Static(id="too-small")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#pinned", LanesView).display = False
        self.query_one("#lanes", LanesView).fit_so_far = self.dash.still  # a still mid-run: the run so far, across the width
        self.query_one("#lanes-box").border_title = "lanes"
        self.query_one("#meters").border_title = "CPU (per core)"
        self.query_one("#scenarios").border_title = "scenarios"
        if self.dash.source.waiting_text is not None:
            self.query_one("#lanes", LanesView).waiting_text = self.dash.source.waiting_text
        self.dash.begin()

    def draw(self, changed: set[str]) -> None:
        if HEADER in changed and keys_changed(self):
            self.dash.refresh_bindings()  # the keys that apply follow the scenario and the run's state
        with self.app.batch_update():
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
        snap = self.dash.state.snapshot
        if snap is not None:
            age = snap.t - snap.window[0] if snap.window[0] and not snap.window[1] else None
            self.dash.pace(frame_interval(lanes.bins_per_column * snap.bin_s, age, len(snap.lanes)))
        if isinstance(self.app.screen, TableScreen):
            self.app.screen.show(snap)  # the table moves at the lanes' frame pace; the hidden lanes wait for it to close
            return
        lanes.snapshot = snap
        self.draw_compared(lanes)
        meters.snapshot = snap
        self.fit_rows()
        states = lanes.visible_states() if snap else []
        if self.dash.state.pinned is not None:
            states = [s for s in LEGEND if s in set(states) | set(pinned.visible_states())]
        states = states or ["running", "gil_wait", "core_wait", "io", "lock_wait"]
        line = legend(states, short=self.app.size.width < NARROW_BELOW)
        if line.cell_len > legend_line.content_size.width > 0:  # the long names do not fit beside the menu: short ones
            line = legend(states, short=True)
        self.show(legend_line, line)

    @staticmethod
    def show(widget: Static, content) -> None:
        """Update a panel only when what it shows changed: an update lays the screen out again."""
        if getattr(widget, "_gilviz_shown", None) != content:
            widget._gilviz_shown = content  # type: ignore[attr-defined]
            widget.update(content)

    def draw_header(self) -> None:
        self.query_one(HeaderLine).show(self.dash.state, self.app.size.width)
        # their lines are kept from the start: a live run's meters read this machine's /proc/stat
        self.query_one(CpuMeters).cores = self.dash.state.cores if self.dash.replaying else LOCAL_CORES
        box = self.query_one("#lanes-box")
        if self.dash.source.caption:
            box.border_subtitle = Text(visible(self.dash.source.caption))  # Text: no markup
        elif self.dash.state.watching and self.dash.state.output_path:
            box.border_subtitle = Text("its output: %s" % visible(self.dash.state.output_path))

    def draw_static(self) -> None:
        self.draw_header()
        cfg = self.dash.state.scenario
        menu = Text()
        for i, s in enumerate(SCENARIOS):
            style = "reverse" if cfg is not None and s.key == cfg.scenario else ""
            label = s.title if len(s.title) <= MENU_LABEL else s.title[: MENU_LABEL - 1] + "…"
            menu.append("%s %s\n" % (str(i + 1) if i < 9 else " ", label), style=style)
        self.query_one("#scenarios", Static).update(menu)
        lesson = self.query_one("#lesson")
        if cfg is not None:
            lesson.border_title = "lesson · the code that runs"
            theme = "ansi_dark" if self.app.current_theme.dark else "ansi_light"
            self.query_one("#lesson-text", Static).update(cfg.info.lesson)
            code = Syntax(code_text(cfg), "python", theme=theme, background_color="default", word_wrap=True)
            self.query_one("#code", Static).update(code)
        else:
            lesson.border_title = "how to read it"
            self.query_one("#lesson-text", Static).update(waits_text(self.dash.state.snapshot))
            self.query_one("#code", Static).update("")
        self.query_one(ResultsBox).show(self.dash.state.reports, narrow=self.app.size.width < NARROW_BELOW)
        detail = self.dash.present and self.app.size.height >= SHORT_BELOW  # a small screen keeps the figure to its line
        self.query_one("#figure", Static).update(figure_text(self.dash.state, detail))
        self.draw_panel()

    def draw_panel(self) -> None:
        box = self.query_one(PanelBox)
        cfg, state = self.dash.state.scenario, self.dash.state
        if state.watching:
            output = box.panel(OutputPanel)
            output.show(state.output, state.output_path, state.replaying)
            box.choose(output if getattr(state.config, "pid", None) is None else None)  # an attached pid's output is not ours
            if state.snapshot is not None and state.snapshot.gil:
                self.show(self.query_one("#lesson-text", Static), waits_text(state.snapshot))
            return
        kind = PANELS.get(cfg.info.panel or "") if cfg is not None else None  # the lesson names its panel
        panel = box.panel(kind) if kind is not None else None
        if isinstance(panel, RacePanel) and cfg is not None:
            keys = self.dash.keys_hinted and bool(self.check_action("lock", ()))
            panel.show(cfg, state, keys, self.dash.panel_at_cursor())  # the counter at the time cursor, if there is one
        elif isinstance(panel, QueuePanel) and cfg is not None:
            until = self.dash.snapshot_at_cursor()
            panel.show(until or state.snapshot, None if until else state.finished, cfg.worker_count)
        box.choose(panel)

    def draw_compared(self, lanes: LanesView) -> None:
        """With a pinned run: it above, the current run below, both from their start on one time scale."""
        pinned_view = self.query_one("#pinned", LanesView)
        pinned = self.dash.state.pinned
        pinned_view.display = pinned is not None
        if pinned is None:
            lanes.aligned, lanes.title = 0, ""
            return
        pinned_view.snapshot = pinned.snapshot
        pinned_view.title = "pinned: " + run_title(pinned)
        lanes.title = "now: " + (run_title(self.dash.state.finished) if self.dash.state.finished else "running…")
        longest = max(pinned.window_s, self.dash.state.finished.window_s if self.dash.state.finished else 0.0)
        if lanes.snapshot is not None and lanes.snapshot.window[0] and not self.dash.state.finished:
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
        key = (rows, len(views), self.app.size, box.content_size.height)
        if key == self._rows_fitted:
            return
        self._rows_fitted = key
        needed = min(rows + len(views) + 2, int(self.app.size.height * 0.55))  # every lane on screen, one line each
        if box.styles.min_height is None or box.styles.min_height.value != needed:
            box.styles.min_height = needed  # the panels below give way first
        room = self.query_one("#lanes-box").content_size.height - len(views)  # less each one's ruler line
        if room <= 0:  # not laid out yet: a guess from the screen, put right on the next draw
            room = int(self.app.size.height * 0.5) - 3
        height = max(1, min(MAX_ROW_HEIGHT, room // rows))
        for view in views:
            view.row_height = height

    def on_resize(self, event: Resize) -> None:
        """The terminal's new size (the app sends it to every screen, this one too while the table is on top)."""
        self.fit(event.size.width, event.size.height)
        self.draw({HEADER, LANES, RESULTS})

    def fit(self, width: int, height: int) -> None:
        """Drop what matters least as the terminal shrinks; below the minimum, ask for more room."""
        too_small = width < MIN_SIZE[0] or height < MIN_SIZE[1]
        self.dash.set_class(width < NARROW_BELOW, "-narrow")
        self.dash.set_class(height < SHORT_BELOW, "-short")
        self.dash.set_class(too_small, "-too-small")
        self.query_one(CpuMeters).compact = height < SHORT_BELOW
        # narrow: the keys that apply need the whole footer (^p still opens the palette; ? lists it)
        self.query_one(Footer).show_command_palette = width >= NARROW_BELOW
        self.dash.refresh_bindings()  # narrow, a scenario's footer leaves out T (the key still works)
        self.query_one("#too-small", Static).update(
            "gilviz needs a terminal of at least %d×%d; this one is %d×%d.\nEnlarge the terminal (or press q to quit)."
            % (MIN_SIZE[0], MIN_SIZE[1], width, height)
        )
