"""The `?` help screen: every key, what it does, and how to read the lanes (layer: UI)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from gilviz.ui.drawing import COLOURS, LEGEND, legend_glyph

KEYS_HELP = (
    ("1-9", "switch scenario (the old run is ended cleanly)"),
    ("n / p", "next / previous scenario"),
    ("r", "re-run the scenario (in a replay: replay from the start)"),
    ("space", "pause / resume the picture (a live run goes on; a replay waits)"),
    ("l", "race: turn the threading.Lock on or off, and re-run"),
    ("e", "pools: switch ThreadPoolExecutor / ProcessPoolExecutor, and re-run"),
    ("w / W", "fewer / more workers, and re-run"),
    ("+ / -", "zoom time in / out (1 column = 50 ms … 1 s)"),
    ("↑ ↓ PgUp PgDn", "scroll the lanes when there are more than fit"),
    ("t", "light / dark theme (light reads better on a projector)"),
    ("s", "save an SVG or PNG screenshot (pause first to catch a moment)"),
    ("ctrl+p", "command palette: every action by name"),
    ("?", "this help"),
    ("q, ctrl+c", "quit (no process is left behind)"),
)

READING = (
    "Each row is a thread, nested under its process (pid, thread name, native id). A cell is "
    "one column of time: its bar height is the share of that time the thread ran on a core; "
    "behind or instead of the bar, what it waited for. The shares at the row's end cover "
    "the last second. Every figure is measured: thread times come from the kernel "
    "(/proc/PID/task/TID/schedstat), CPU meters from psutil, wall times from the lab."
)


def help_text() -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    for key, what in KEYS_HELP:
        table.add_row(key, what)
    table.add_row("", "")
    for state, label in LEGEND.items():
        table.add_row(Text(legend_glyph(state) * 3, style=COLOURS[state]), label)
    table.add_row("", "")
    table.add_row("lanes", READING)
    return table


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 90%; max-width: 100; height: auto; max-height: 90%;
        border: round $primary; background: $surface; padding: 0 1;
    }
    """
    BINDINGS = [Binding("escape,question_mark,q", "dismiss", "close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll() as box:
            box.border_title = "gilviz · keys"
            box.border_subtitle = "esc closes"
            yield Static(help_text())
