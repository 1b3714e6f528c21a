"""The table view's table: one line per thread, sorted and filtered, drawn line by line.

Rows come from ``gilviz.thread_table`` (no textual). Sorted the way htop sorts: ``<``
and ``>`` choose the column, ``I`` turns the order round, the header marks the column
(▼ biggest or Z first, ▲ the other way). The cursor stays on its thread when the rows
are re-sorted under it. Enter posts ``ThreadTable.Chosen`` with the thread's lane key.

Drawn with ``render_line`` → ``Strip``, only the lines on screen, rather than with
Textual's ``DataTable``, which with 1,000 rows costs more than the dashboard's whole
budget (docs/measurements.md, "The table view"); a screen whose lines did not change is
not repainted (``scripts/table_cost.py`` measures a whole frame).
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from gilviz.thread_table import BY_KEY, COLUMNS, DEFAULT_SORT, ThreadRow, matching, percent, sorted_rows

WIDTHS = {"tid": 8, "state": 10, "syscall": 16, "run": 7, "gil": 7, "lock": 7, "io": 7}  # the name takes the rest
NAME_AT_LEAST = 12


class ThreadTable(Widget, can_focus=True):
    BINDINGS = [
        Binding("less_than_sign", "sort_by(-1)", "sort ◀", tooltip="sort by the column to the left"),
        Binding("greater_than_sign", "sort_by(1)", "sort ▶", tooltip="sort by the column to the right"),
        Binding("I", "invert", "invert", tooltip="turn the sort order round"),
        Binding("enter", "choose", "its lane", tooltip="back to the lanes, scrolled to this thread's lane"),
        Binding("down", "move(1)", "down", show=False),
        Binding("up", "move(-1)", "up", show=False),
        Binding("pagedown", "page(1)", "page down", show=False),
        Binding("pageup", "page(-1)", "page up", show=False),
        Binding("home", "move(-1000000)", "first", show=False),
        Binding("end", "move(1000000)", "last", show=False),
    ]
    COMPONENT_CLASSES = {"thread-table--header", "thread-table--cursor", "thread-table--ended"}
    DEFAULT_CSS = """
    ThreadTable { height: 1fr; }
    ThreadTable > .thread-table--header { text-style: bold; background: $panel; }
    ThreadTable > .thread-table--cursor { background: $accent 40%; }
    ThreadTable > .thread-table--ended { color: $text-muted; }
    """

    sort_column: reactive[str] = reactive(DEFAULT_SORT)
    """The column the rows are sorted by (a ``ThreadRow`` attribute)."""
    reverse: reactive[bool] = reactive(False)
    """Turned round: smallest or A first."""
    filter_text: reactive[str] = reactive("")
    """Only the threads whose name holds this (any case), or whose tid or pid it is."""

    class Changed(Message):
        """The rows on screen, the cursor or the sort changed (the screen's status line follows)."""

    class Chosen(Message):
        """Enter on a row: the lane key of its thread (an "ended threads" row's: the process's key)."""

        def __init__(self, key: tuple) -> None:
            super().__init__()
            self.key = key

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._all: list[ThreadRow] = []
        self._shown: list[ThreadRow] = []
        self._cursor = 0
        self._top = 0
        self._drawn: tuple = ()  # what the lines on screen showed last: an unchanged screen is not repainted

    # -- data ------------------------------------------------------------------------

    def update_rows(self, rows: Sequence[ThreadRow]) -> None:
        """New rows (at the dashboard's frame pace): re-sorted and re-filtered, the cursor kept on its thread."""
        self._all = list(rows)
        self._reorder()

    @property
    def shown(self) -> list[ThreadRow]:
        """The rows as drawn: filtered, then sorted."""
        return self._shown

    @property
    def total(self) -> int:
        return len(self._all)

    @property
    def current(self) -> ThreadRow | None:
        return self._shown[self._cursor] if self._shown else None

    def _reorder(self) -> None:
        was = self.current
        self._shown = sorted_rows(matching(self._all, self.filter_text), self.sort_column, self.reverse)
        if was is not None:  # the cursor stays on its thread; filtered away, it goes to the first row
            self._cursor = next((i for i, row in enumerate(self._shown) if row.key == was.key), 0)
        self._place(self._cursor)

    def watch_sort_column(self) -> None:
        self._reorder()

    def watch_reverse(self) -> None:
        self._reorder()

    def watch_filter_text(self) -> None:
        self._reorder()

    # -- the cursor ---------------------------------------------------------------------

    @property
    def _page(self) -> int:
        return max(1, self.size.height - 1)

    def _place(self, cursor: int) -> None:
        """Put the cursor on row ``cursor`` (clamped), scroll so that it is on screen, and repaint if anything changed."""
        self._cursor = max(0, min(cursor, len(self._shown) - 1))
        page = self._page
        if self._cursor < self._top:
            self._top = self._cursor
        elif self._cursor >= self._top + page:
            self._top = self._cursor - page + 1
        self._top = max(0, min(self._top, max(0, len(self._shown) - page)))
        # what the lines on screen say (a share that moved by less than a percent repaints nothing)
        rows = tuple(tuple(self._cells(row).values()) for row in self._shown[self._top : self._top + page])
        drawn = (
            self.size,
            self.sort_column,
            self.reverse,
            self.filter_text,
            self._cursor,
            len(self._all),
            len(self._shown),
            rows,
        )
        if drawn != self._drawn:
            self._drawn = drawn
            self.refresh()
            self.post_message(self.Changed())

    def on_resize(self) -> None:
        self._place(self._cursor)

    def action_move(self, rows: int) -> None:
        self._place(self._cursor + rows)

    def action_page(self, pages: int) -> None:
        self._place(self._cursor + pages * self._page)

    def action_sort_by(self, step: int) -> None:
        keys = [column.key for column in COLUMNS]
        self.sort_column = keys[(keys.index(self.sort_column) + step) % len(keys)]

    def action_invert(self) -> None:
        self.reverse = not self.reverse

    def action_choose(self) -> None:
        row = self.current
        if row is not None:
            self.post_message(self.Chosen(row.key))

    # -- drawing -------------------------------------------------------------------------

    def sort_mark(self) -> str:
        """▼ when the first row holds the biggest share or the last word, ▲ the other way."""
        return "▼" if BY_KEY[self.sort_column].numeric != self.reverse else "▲"

    def _widths(self, width: int) -> list[tuple[str, int]]:
        fixed = sum(WIDTHS.values()) + len(WIDTHS)
        return [(column.key, WIDTHS.get(column.key, max(NAME_AT_LEAST, width - fixed))) for column in COLUMNS]

    def _cells(self, row: ThreadRow) -> dict[str, str]:
        return {
            "name": row.name,
            "tid": str(row.tid) if row.tid else "",
            "state": row.state,
            "syscall": row.syscall,
            "run": percent(row.run),
            "gil": percent(row.gil),
            "lock": percent(row.lock),
            "io": percent(row.io),
        }

    def _line(self, texts: dict[str, str], width: int) -> str:
        parts = []
        for key, size in self._widths(width):
            text = texts[key]
            if BY_KEY[key].numeric:
                parts.append(text[:size].rjust(size))
            elif cell_len(text) > size:
                parts.append(set_cell_size(text, size - 1) + "…")
            else:
                parts.append(set_cell_size(text, size))
        return " ".join(parts)

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.rich_style
        if y == 0:
            titles = {column.key: column.title for column in COLUMNS}
            titles[self.sort_column] = titles[self.sort_column] + self.sort_mark()
            header = self.get_component_rich_style("thread-table--header")
            text = self._line(titles, width)
            start = sum(size + 1 for key, size in self._widths(width)[: [c.key for c in COLUMNS].index(self.sort_column)])
            size = dict(self._widths(width))[self.sort_column]
            segments = [
                Segment(text[:start], header),
                Segment(text[start : start + size], header + Style(underline=True)),
                Segment(text[start + size :], header),
            ]
            return Strip(segments).crop(0, width).extend_cell_length(width, header)
        index = self._top + y - 1
        if index >= len(self._shown):
            if not self._shown and y == 1:
                said = "no thread's name holds %r" % self.filter_text if self.filter_text else "no thread yet"
                return Strip([Segment(said, base + Style(dim=True))]).extend_cell_length(width, base)
            return Strip.blank(width, base)
        row = self._shown[index]
        style = base
        if row.threads > 1 or not row.tid:
            style = style + self.get_component_rich_style("thread-table--ended")
        if index == self._cursor and self.has_focus:
            style = style + self.get_component_rich_style("thread-table--cursor")
        elif index == self._cursor:
            style = style + Style(underline=True)
        return Strip([Segment(self._line(self._cells(row), width), style)]).crop(0, width).extend_cell_length(width, style)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()
