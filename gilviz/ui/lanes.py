"""The lanes: one row per thread, grouped under its process, time scrolling right (layer: UI)."""

from __future__ import annotations

import math

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Size
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from gilviz.timeline import LaneView, Snapshot
from gilviz.ui.drawing import COLOURS, lane_cells, recent_shares, shares_label

ZOOMS = (1, 2, 4, 10, 20)  # bins per column; a bin is 50 ms
LABEL_WIDTH = 24
SHARES_WIDTH = 30


def lane_label(lane: LaneView) -> str:
    if lane.kind == "process" or lane.role == "main":
        return ("pid %d %s" % (lane.pid, lane.name))[:LABEL_WIDTH]
    return ("  └ %s %d" % (lane.name, lane.tid))[:LABEL_WIDTH]


class LanesView(Widget):
    DEFAULT_CSS = """
    LanesView { height: auto; }
    """

    snapshot: reactive[Snapshot | None] = reactive(None, layout=True)
    """The latest snapshot drawn."""
    zoom: reactive[int] = reactive(1)
    """Index into ZOOMS: how many 50 ms bins one column covers."""

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return 1 + (len(self.snapshot.lanes) if self.snapshot else 1)

    @property
    def bins_per_column(self) -> int:
        return ZOOMS[self.zoom]

    def render_line(self, y: int) -> Strip:
        """One row, on the widget's own background and text colour (so both themes read right)."""
        return self._row(y).apply_style(self.rich_style)

    def _row(self, y: int) -> Strip:
        width = self.size.width
        snap = self.snapshot
        dim = Style(color="#888888")
        if y == 0:
            ms = int(self.bins_per_column * (snap.bin_s if snap else 0.05) * 1000)
            text = "%-*s 1 column = %d ms%s" % (LABEL_WIDTH, "", ms, "   (coarse: psutil ticks)" if snap and snap.coarse else "")
            return Strip([Segment(text[:width].ljust(width), dim)])
        if snap is None or not snap.lanes:
            return Strip([Segment("waiting for the lab's workers to register…"[:width].ljust(width), dim)])
        if y - 1 >= len(snap.lanes):
            return Strip.blank(width)
        lane = snap.lanes[y - 1]
        columns = max(0, width - LABEL_WIDTH - SHARES_WIDTH - 2)
        last_index = math.floor(snap.t / snap.bin_s)
        segments = [Segment(lane_label(lane).ljust(LABEL_WIDTH) + " ")]
        for cell in lane_cells(lane.bins, last_index=last_index, columns=columns, bins_per_column=self.bins_per_column):
            if cell is None:
                segments.append(Segment(" "))
            else:
                bg = COLOURS[cell.bg] if cell.bg else None
                segments.append(Segment(cell.char, Style(color=COLOURS[cell.fg], bgcolor=bg)))
        shares = recent_shares(lane.bins, last_index=last_index, count=20)
        label = "failed: " + lane.note if lane.phase == "failed" else shares_label(shares)
        segments.append(Segment(" " + label[: SHARES_WIDTH - 1].ljust(SHARES_WIDTH)))
        return Strip(segments).crop(0, width).extend_cell_length(width)
