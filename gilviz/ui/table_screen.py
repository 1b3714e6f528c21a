"""The table view (``T``): every thread on a line, to sort and filter, and Enter to go to its lane.

The app hands it each snapshot it draws (``show``), so the table moves at the lanes'
frame pace, not at the sampler's. ``/`` opens the filter (it narrows the rows as it is
typed; Enter keeps it, Esc clears it); Esc or ``T`` goes back to the lanes. The screen
is dismissed with the chosen thread's lane key, or None.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.events import Resize
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from gilviz.thread_table import BY_KEY, thread_rows
from gilviz.timeline import Snapshot
from gilviz.ui.thread_table import ThreadTable

PALETTE_FROM = 104  # columns: narrower, the keys need the whole footer ("^p palette" was drawn over them; ^p still works)


class TableScreen(Screen[object]):
    BINDINGS = [
        Binding("slash", "filter", "filter", tooltip="show only the threads whose name holds what you type"),
        Binding("escape", "back", "back", tooltip="clear the filter; with none, back to the lanes"),
        Binding("T", "close", "lanes", tooltip="back to the lanes"),
    ]
    DEFAULT_CSS = """
    TableScreen { layout: vertical; }
    TableScreen #table-title { height: 1; background: $panel; padding: 0 1; }
    TableScreen #table-filter { display: none; height: 1; border: none; padding: 0 1; }
    TableScreen.-filtering #table-filter { display: block; }
    TableScreen #table-status { height: 1; padding: 0 1; color: $text-muted; }
    """

    def __init__(self, snapshot: Snapshot | None, title: str = "") -> None:
        super().__init__()
        self._snapshot = snapshot
        self._title = title
        self._shown_status = ""

    def compose(self) -> ComposeResult:
        yield Static(id="table-title")
        yield Input(placeholder="filter: part of a thread's name, or its tid (Esc clears)", id="table-filter")
        yield ThreadTable(id="table")
        yield Static(id="table-status")
        yield Footer(compact=True)

    @property
    def table(self) -> ThreadTable:
        return self.query_one(ThreadTable)

    def on_mount(self) -> None:
        self.query_one("#table-title", Static).update(Text("gilviz · threads" + (" · " + self._title if self._title else "")))
        self.show(self._snapshot)
        self.table.focus()
        self._fit(self.app.size.width)

    def on_resize(self, event: Resize) -> None:
        self._fit(event.size.width)

    def _fit(self, width: int) -> None:
        self.query_one(Footer).show_command_palette = width >= PALETTE_FROM

    def show(self, snapshot: Snapshot | None) -> None:
        """The rows of this snapshot (the app calls it at its frame pace while the table is on screen)."""
        self._snapshot = snapshot
        table = self.table
        table.update_rows(thread_rows(snapshot) if snapshot is not None else [])
        self._status()  # the run may have ended (what the shares cover): updated only if its words changed

    def _status(self) -> None:
        table = self.table
        shown, total = len(table.shown), table.total
        column = BY_KEY[table.sort_column].title
        what = "%d rows" % total if shown == total else "%d of %d rows match %r" % (shown, total, table.filter_text)
        if table.current is not None:
            what = "row %d · %s" % (table.shown.index(table.current) + 1, what)
        figures = "the shares are of each thread's life so far" if self._snapshot and not self._snapshot.window[1] else ""
        if self._snapshot is not None and self._snapshot.window[1]:
            figures = "the shares are of each thread's life in the run"
        status = "%s · sorted by %s %s · %s" % (what, column, table.sort_mark(), figures)
        if status != self._shown_status:  # an update lays the screen out again
            self._shown_status = status
            self.query_one("#table-status", Static).update(Text(status))

    def on_thread_table_chosen(self, message: ThreadTable.Chosen) -> None:
        self.dismiss(message.key)

    def on_input_changed(self, event: Input.Changed) -> None:
        self.table.filter_text = event.value

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.set_class(bool(event.value), "-filtering")
        self.table.focus()

    def action_filter(self) -> None:
        self.add_class("-filtering")
        self.query_one("#table-filter", Input).focus()

    def action_back(self) -> None:
        """Esc: the filter goes first; then the table."""
        box = self.query_one("#table-filter", Input)
        if box.value or self.has_class("-filtering"):
            box.value = ""
            self.table.filter_text = ""
            self.remove_class("-filtering")
            self.table.focus()
            self._status()
            return
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)

    def on_thread_table_changed(self) -> None:
        self._status()  # the cursor or the sort moved: the row number and the sort column follow
