"""The lanes: one row per thread, grouped under its process, time scrolling right (layer: UI).

Rows come from ``lane_rows.arrange`` (grouping and folding); each is ``row_height``
screen lines tall, chosen by the app so that few lanes fill a big screen. The bars are
drawn with ``render_line`` → ``Strip``: no widget per cell, and only the visible lines.
"""

from __future__ import annotations

import math

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Size
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from gilviz.timeline import Snapshot
from gilviz.ui.drawing import COLOURS, ColumnCache, cell_for, recent_shares, shares_label, states_in
from gilviz.ui.lane_rows import LABEL_WIDTH, RECENT_BINS, LaneRow, arrange

ZOOMS = (1, 2, 4, 10, 20)  # bins per column; a bin is 50 ms
SHARES_WIDTH = 30


def column_label(ms: int) -> str:
    """ "1 column = 100 ms", or "= 1 s" from a second up."""
    return "1 column = %s" % ("%g s" % (ms / 1000) if ms >= 1000 else "%d ms" % ms)


class LanesView(Widget):
    DEFAULT_CSS = """
    LanesView { height: auto; }
    """

    snapshot: reactive[Snapshot | None] = reactive(None, layout=True)
    """The latest snapshot drawn."""
    zoom: reactive[int] = reactive(1)
    """Index into ZOOMS: how many 50 ms bins one column covers."""
    row_height: reactive[int] = reactive(1, layout=True)
    """Screen lines per lane (taller bars when there are few lanes)."""
    fold: reactive[bool | None] = reactive(None, layout=True)
    """Fold each process's threads into one row: None folds big groups only."""
    waiting_text: reactive[str] = reactive("waiting for the lab's workers to register…")
    """What the panel says before the first lane."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._rows: list[LaneRow] = []
        self._columns = ColumnCache()
        self._styles: dict[tuple[str, str | None], Style] = {}

    def watch_snapshot(self, snapshot: Snapshot | None) -> None:
        if snapshot is None:
            self._columns.clear()  # a new run: its lanes may reuse the old ones' keys
        self._arrange()

    def watch_fold(self, fold: bool | None) -> None:
        self._arrange()

    def _arrange(self) -> None:
        snap = self.snapshot
        self._rows = arrange(snap.lanes, last_index=self.last_index, fold=self.fold) if snap else []

    @property
    def rows(self) -> list[LaneRow]:
        return self._rows

    def row_columns(self, row: LaneRow) -> list:
        return self._columns.columns(
            row.key, row.sources, last_index=self.last_index, columns=self.columns, bins_per_column=self.bins_per_column
        )

    def visible_states(self) -> list[str]:
        """The states drawn in the rows on screen now (for the legend)."""
        return states_in([times for row in self._rows for times in self.row_columns(row)])

    def _style(self, fg: str, bg: str | None) -> Style:
        style = self._styles.get((fg, bg))
        if style is None:
            style = self._styles[(fg, bg)] = Style(color=COLOURS[fg], bgcolor=COLOURS[bg] if bg else None)
        return style

    @property
    def last_index(self) -> int:
        snap = self.snapshot
        return math.floor(snap.t / snap.bin_s) if snap else 0

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return 1 + max(1, len(self._rows) * self.row_height)

    @property
    def bins_per_column(self) -> int:
        return ZOOMS[self.zoom]

    @property
    def columns(self) -> int:
        return max(0, self.size.width - LABEL_WIDTH - SHARES_WIDTH - 2)

    def render_line(self, y: int) -> Strip:
        """One line, on the widget's own background and text colour (so both themes read right)."""
        return self._line(y).apply_style(self.rich_style)

    def _line(self, y: int) -> Strip:
        width = self.size.width
        snap = self.snapshot
        dim = Style(color="#888888")
        if y == 0:
            ms = int(self.bins_per_column * (snap.bin_s if snap else 0.05) * 1000)
            text = "%-*s %s%s" % (LABEL_WIDTH, "", column_label(ms), "   (coarse: psutil ticks)" if snap and snap.coarse else "")
            return Strip([Segment(text[:width].ljust(width), dim)])
        if snap is None or not self._rows:
            return Strip([Segment(self.waiting_text[:width].ljust(width), dim)] if y == 1 else [Segment(" " * width)])
        index, sub = divmod(y - 1, self.row_height)
        if index >= len(self._rows):
            return Strip.blank(width)
        row = self._rows[index]
        height = self.row_height
        label = row.label if sub == 0 else (self._detail(row) if sub == 1 else "")
        segments = [Segment(label[:LABEL_WIDTH].ljust(LABEL_WIDTH) + " ", dim if sub else None)]
        last = self.last_index
        level = height - 1 - sub
        for times in self.row_columns(row):
            cell = cell_for(times, level, height)
            if cell is None:
                segments.append(Segment(" "))
            else:
                segments.append(Segment(cell.char, self._style(cell.fg, cell.bg)))
        segments.append(Segment(" " + self._shares(row, last)[: SHARES_WIDTH - 1].ljust(SHARES_WIDTH) if sub == 0 else ""))
        return Strip(segments).crop(0, width).extend_cell_length(width)

    @staticmethod
    def _detail(row: LaneRow) -> str:
        """A tall lane's second line: the system call it last waited in."""
        if row.lane is not None and row.lane.wait_now:
            return "    in %s" % row.lane.wait_now
        return ""

    @staticmethod
    def _shares(row: LaneRow, last: int) -> str:
        if row.lane is None:
            return row.note
        if row.lane.phase == "failed":
            return "failed: " + row.lane.note
        return shares_label(recent_shares(row.lane.bins, last_index=last, count=RECENT_BINS))
