"""The dashboard's panels as widgets: each holds its own look (``DEFAULT_CSS``) and draws its own state.

The screen hands each panel what it shows (``show``); the panel makes its text with its pure
module (``race_panel``, ``queue_panel``, ``program_panel``, ``results``) and updates only when
that text changed, since an update lays the screen out again. The header line is one too. The panel under the lanes is
one box (``PanelBox``, id ``panel``) holding a panel a kind: the lesson's own (a lesson names
it by its module, ``Lesson.panel``; ``PANELS``) or a watched program's output. The screen's
fitting to the terminal (``-narrow``, ``-short``, …) stays in ``app.tcss``, which wins over
these defaults.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from rich.console import RenderableType
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from gilviz.model import RunConfig, RunReport
from gilviz.outside import visible
from gilviz.timeline import Snapshot
from gilviz.ui.header import header_text
from gilviz.ui.program_panel import output_text
from gilviz.ui.queue_panel import queue_text
from gilviz.ui.race_panel import race_text
from gilviz.ui.results import results_text
from gilviz.ui.state import DashboardState


class Panel(Static):
    """A panel's text, updated only when it changed; ``box_title`` is what its box says above it."""

    box_title: str | Text = ""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._shown: RenderableType | None = None

    def show_text(self, content: RenderableType) -> None:
        if self._shown != content:
            self._shown = content
            self.update(content)


class HeaderLine(Panel):
    """The header line: state, what runs, on which interpreter, fitted to the width (``header``)."""

    DEFAULT_CSS = "HeaderLine { height: 1; background: $panel; padding: 0 1; }"

    def show(self, state: DashboardState, width: int) -> None:
        self.show_text(header_text(state, width))


class RacePanel(Panel):
    """The race: expected vs actual counter, lost updates, the lock on and off (``race_panel``)."""

    box_title = "race · threading.Lock"

    def show(self, config: RunConfig, state: DashboardState, keys: bool, at_cursor: Text | None = None) -> None:
        """``keys``: `l` works here and the screen is live; ``at_cursor``: the panel at the time cursor, if there is one."""
        self.show_text(at_cursor or race_text(config, state.snapshot, state.finished, state.reports, state.python, keys))


class QueuePanel(Panel):
    """The queue: items put and got, its fill over time, the unshared global (``queue_panel``)."""

    box_title = "queue · multiprocessing.Queue"

    def show(self, snapshot: Snapshot | None, finished: RunReport | None, consumers: int) -> None:
        self.show_text(queue_text(snapshot, finished, consumers))


class OutputPanel(Panel):
    """A watched program's output, its last lines (``program_panel``)."""

    def show(self, lines: tuple[str, ...], path: str | None, replaying: bool) -> None:
        self.box_title = Text("the program's output" + (" · " + visible(path) if path else ""))
        if replaying and not lines:
            self.show_text(Text("(a recording keeps no program output: see the log it was written to)", style="dim"))
        else:
            self.show_text(output_text(lines, path))


P = TypeVar("P", bound=Panel)
PANELS: dict[str, type[Panel]] = {"race_panel": RacePanel, "queue_panel": QueuePanel}  # by a lesson's ``panel``


class PanelBox(Vertical):
    """The box under the lanes: one panel of its kinds shown at a time, with its title."""

    DEFAULT_CSS = """
    PanelBox { border: round $accent 60%; height: auto; padding: 0 1; border-title-color: $text-accent; }
    PanelBox:light { border-title-color: #7a4a00; }  /* $text-accent reads 3.3:1 on the light grey */
    """

    def compose(self) -> ComposeResult:
        yield RacePanel(id="race-panel")
        yield QueuePanel(id="queue-panel")
        yield OutputPanel(id="output-panel")

    def panel(self, kind: type[P]) -> P:
        return self.query_one(kind)

    def choose(self, shown: Panel | None) -> None:
        """Show this panel (None: none, and the box goes), under its title."""
        self.display = shown is not None
        for child in self.query(Panel):
            if child.display != (child is shown):
                child.display = child is shown
        if shown is not None:
            self.border_title = shown.box_title


class ResultsBox(Static):
    """The results of the last runs, newest first, as many whole runs as fit (``results``)."""

    BORDER_TITLE = "results (measured)"
    DEFAULT_CSS = """
    ResultsBox {
        width: 58; border: round $primary 50%; padding: 0 1; height: auto;
        border-title-color: $text-primary; border-subtitle-color: $text-primary;
        /* many results (a busy machine adds a warning to each): the box stays inside the lower row */
        max-height: 100%;
    }
    """

    def show(self, reports: Sequence[RunReport], narrow: bool) -> None:
        """``narrow``: the screen's narrow layout, where the box is narrower (before it is laid out)."""
        lines = max(3, int((self.app.size.height - 2) * 0.35) - 2)  # #lower's max-height, less the box's border
        room = (lines, self.content_size.width or (42 if narrow else 54))
        self.update(results_text(reports, room=room))
