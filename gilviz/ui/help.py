"""The `?` help screen: the keys that apply here, what each does, and how to read the lanes.

The keys come from the app's own bindings (the one list the footer and the command
palette also read), so the help can never describe a key that does not exist.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from gilviz.timeline import MANY_LANES
from gilviz.ui.drawing import COLOURS, LEGEND, legend_glyph
from gilviz.ui.pacing import MANY_LANES_S

KEY_NAMES = {
    "space": "space",
    "question_mark": "?",
    "plus,equals_sign": "+",
    "minus": "-",
    "pagedown": "PgDn",
    "pageup": "PgUp",
    "down": "↓",
    "up": "↑",
    "left": "←",
    "shift+left": "shift+←",
    "home": "Home",
    "escape": "Esc",
}

READING = (
    "Each row is a thread, nested under its process (pid, thread name, native id). A cell is "
    "one column of time: its bar height is the share of that time the thread ran on a core; "
    "behind or instead of the bar, what it waited for. The shares at the row's end cover "
    "the last second while a run is live, and the thread's whole life once it has ended. "
    "Every figure is measured: thread times come from "
    "the kernel (/proc/PID/task/TID/schedstat), and what a blocked thread waits on from "
    "/proc/PID/task/TID/syscall: a futex in the interpreter's static data is the GIL, any "
    "other futex a lock, any other call I/O. CPU meters come from /proc/stat, wall times from the lab. "
    "A program of more than %d threads is drawn every %g s, as htop draws, so watching it costs it little."
) % (MANY_LANES, MANY_LANES_S)


def key_rows(bindings: Sequence[BindingType], applies: Callable[[str, tuple], bool | None]) -> list[tuple[str, str]]:
    """(key, what it does) for every binding with a description of its own that applies here."""
    rows: list[tuple[str, str]] = [("1-9", "switch scenario (the old run is ended cleanly)")] if applies("scenario", ()) else []
    row_of: dict[str, int] = {}  # one row per action: n and p (step), w and W (workers), + and - (zoom) share theirs
    for binding in bindings:
        if not isinstance(binding, Binding) or not binding.tooltip:
            continue
        name = binding.action.partition("(")[0]
        if not applies(name, ()):
            continue
        key = KEY_NAMES.get(binding.key, binding.key)
        if name not in row_of and any(key in keys.split(" / ") for keys, _ in rows):
            continue  # one key, two actions by turns (space: pause, resume): the first that applies says it
        if name in row_of:
            keys, what = rows[row_of[name]]
            rows[row_of[name]] = ("%s / %s" % (keys, key), "%s / %s" % (what, binding.tooltip))
            continue
        row_of[name] = len(rows)
        rows.append((key, binding.tooltip))
    rows.append(("ctrl+p", "command palette: every action by name"))
    return rows


def help_text(bindings: Sequence[BindingType], applies: Callable[[str, tuple], bool | None]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    for key, what in key_rows(bindings, applies):
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

    def __init__(self, bindings: Sequence[BindingType], applies: Callable[[str, tuple], bool | None]) -> None:
        super().__init__()
        self._table = help_text(bindings, applies)

    def compose(self) -> ComposeResult:
        with VerticalScroll() as box:
            box.border_title = "gilviz · keys"
            box.border_subtitle = "esc closes"
            yield Static(self._table)
