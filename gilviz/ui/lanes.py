"""The lanes: one row per thread, grouped under its process, time scrolling right.

Rows come from ``lane_rows.arrange`` (grouping and folding); each is ``row_height``
screen lines tall, chosen by the app so that few lanes fill a big screen. The bars are
drawn with ``render_line`` → ``Strip``: no widget per cell, and only the visible lines.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region, Size
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from gilviz.timeline import Snapshot
from gilviz.ui.drawing import (
    BARS,
    COLOURS,
    GLYPHS,
    ColumnCache,
    bin_values,
    cell_for,
    life_shares,
    recent_shares,
    shares_label,
    states_in,
)
from gilviz.ui.kept_cells import KeptCells, joined
from gilviz.ui.lane_rows import LABEL_WIDTH, LaneRow, fitted_note, recent_bins, snapshot_rows

ZOOMS = (1, 2, 4, 10, 20)  # bins per column; a bin is 50 ms
SHARES_WIDE = 32  # the figures at a row's end: three states ("run 29% · GIL 34% · core 35%") ...
SHARES_NARROW = 22  # ... or two, when the lanes are under WIDE_FROM columns, so time keeps the room
WIDE_FROM = 130


@dataclass
class _Frame:
    """What every line of one repaint shares, worked out once (a widget's size alone takes a DOM walk)."""

    snapshot: Snapshot | None
    key: tuple  # the view it is for: width, zoom, fitted, aligned, aligned_stretch, row_height
    width: int
    columns: int
    shares_width: int
    most: int  # states named in a row's figures
    last_index: int  # the newest bin on screen
    per: int  # bins per column
    stretch: int  # columns per bin
    fit: tuple[int, int, int] | None  # a finished run fitted to the width
    scrolling: bool  # a live run going by: closed columns keep their segments
    row_height: int
    below: bool = False  # the figures under each row's name, not at its end (presenting, tall rows)
    row_columns: dict[object, list] = field(default_factory=dict)  # per row: its columns' state times


def column_label(ms: int) -> str:
    """ "1 column = 100 ms", or "= 1 s" from a second up."""
    return "1 column = %s" % ("%g s" % (ms / 1000) if ms >= 1000 else "%d ms" % ms)


class LanesView(Widget):
    DEFAULT_CSS = """
    LanesView { height: auto; }
    """

    snapshot: reactive[Snapshot | None] = reactive(None)
    """The latest snapshot drawn (a new one repaints; only a change in the rows lays the screen out again)."""
    zoom: reactive[int] = reactive(1)
    """Index into ZOOMS: how many 50 ms bins one column covers (while live, or once + or - was pressed)."""
    fitted: reactive[bool] = reactive(True)
    """Fit a finished run to the width: the whole run, from its start to its end, across the lanes."""
    row_height: reactive[int] = reactive(1, layout=True)
    """Screen lines per lane (taller bars when there are few lanes)."""
    fold: reactive[bool | None] = reactive(None, layout=True)
    """Fold each process's threads into one row: None folds big groups only."""
    waiting_text: reactive[str] = reactive("waiting for the lab's workers to register…")
    """What the panel says before the first lane."""
    title: reactive[str] = reactive("")
    """What the ruler line says first (when two runs are compared: which run this is)."""
    aligned: reactive[int] = reactive(0)
    """Comparing: every run starts at the left edge, at this many bins per column (0: not comparing)."""
    aligned_stretch: reactive[int] = reactive(1)
    """Comparing short runs: columns per bin, the same for both."""
    highlight: reactive[object] = reactive(None, layout=True)
    """The key of a lane the table jumped to: never folded away, its label drawn reversed (None: none)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._rows: list[LaneRow] = []
        self._columns = ColumnCache()
        self._styles: dict[tuple[str, str | None], Style] = {}
        self._fitted: dict[tuple, list] = {}  # a finished run's columns, per row and width
        self._kept_cells: dict[tuple, KeptCells] = {}  # per row, level and zoom: the cells that can no longer change
        self._base = Style()  # the widget's own background and text colour, under every cell
        self._no_color = False  # NO_COLOR: bars keep no background
        self._frame: _Frame | None = None  # what every line of the current repaint shares
        self._drawing: _Frame | None = None  # that frame, while render_lines draws it
        self.cells_apart = False  # every cell a segment of its own (an SVG screenshot is being made)
        self.fit_so_far = False  # a still of a moment mid-run: the run so far fitted to the width, from its start

    def watch_snapshot(self, snapshot: Snapshot | None) -> None:
        if snapshot is None:
            self._columns.clear()  # a new run: its lanes may reuse the old ones' keys
            self._fitted.clear()
            self._kept_cells.clear()
        rows = len(self._rows)
        self._arrange()
        if len(self._rows) != rows:
            self.refresh(layout=True)  # taller or shorter: the screen is laid out again (rarely)

    def watch_fold(self, fold: bool | None) -> None:
        self._arrange()

    def watch_highlight(self, key: object) -> None:
        self._arrange()

    def _arrange(self) -> None:
        snap = self.snapshot
        self._rows = snapshot_rows(snap, last_index=self.last_index, fold=self.fold, keep=self.highlight) if snap else []

    @property
    def rows(self) -> list[LaneRow]:
        return self._rows

    def _now(self) -> _Frame:
        """What the lines of this frame share, worked out once for the snapshot and view it is for."""
        snap, frame = self.snapshot, self._frame
        key = (self.size.width, self.zoom, self.fitted, self.aligned, self.aligned_stretch, self.row_height, self.figures_below)
        if frame is None or frame.snapshot is not snap or frame.key != key:
            fit = self._fit_span
            frame = self._frame = _Frame(
                snap,
                key,
                width=key[0],
                columns=self.columns,
                shares_width=self.shares_width,
                most=self._most,
                last_index=self.last_index,
                per=self.bins_per_column,
                stretch=self.stretch,
                fit=fit,
                scrolling=fit is None and not self.aligned,
                row_height=self.row_height,
                below=key[-1],
            )
        return frame

    def row_columns(self, row: LaneRow) -> list:
        """Times per drawn column; a short finished run's bins are each drawn ``stretch`` columns wide.

        Worked out once per frame and row: a row is several lines tall, and the legend asks too.
        """
        return self._columns_in(row, self._now())

    def _columns_in(self, row: LaneRow, frame: _Frame) -> list:
        times = frame.row_columns.get(row.key)
        if times is None:
            times = frame.row_columns[row.key] = self._row_columns(row, frame)
        return times

    def _row_columns(self, row: LaneRow, frame: _Frame) -> list:
        if frame.fit is not None:
            return self._fitted_columns(row, *frame.fit)
        stretch = frame.stretch
        times = self._columns.columns(
            row.key,
            row.sources,
            last_index=frame.last_index,
            columns=frame.columns // stretch,
            bins_per_column=frame.per,
            newest_index=math.floor(frame.snapshot.t / frame.snapshot.bin_s) if frame.snapshot is not None else None,
        )  # a run drawn from its start while it goes on: the columns it has not reached yet are not kept
        if stretch == 1:
            return times
        return [t for t in times for _ in range(stretch)]

    @property
    def _fit_span(self) -> tuple[int, int, int] | None:
        """A finished run fitted to the width: (first bin, bins, columns); None otherwise."""
        window = self._finished_window
        snap = self.snapshot
        if window is None or snap is None or self.aligned or self.columns < 4:
            return None
        first = math.floor(window[0] / snap.bin_s)
        return first, math.floor(window[1] / snap.bin_s) - first + 1, self.columns - 1

    def _fitted_columns(self, row: LaneRow, first: int, bins: int, columns: int) -> list:
        """The run's bins spread over the columns: column c holds bins [first + c·bins/columns, …), at least one.

        Resampled once per row and width (a finished run does not change), so it stays cheap.
        """
        key = (row.key, first, bins, columns)
        cached = self._fitted.get(key)
        if cached is not None:
            return cached
        by_index: dict[int, list[tuple[float, ...]]] = {}  # a bin's times from each source: summed per column, in C
        end, get = first + bins, by_index.get
        for source in row.sources:
            for b in source:
                index = b.index
                if first <= index < end:
                    same = get(index)
                    if same is None:
                        by_index[index] = [bin_values(b)]
                    else:
                        same.append(bin_values(b))
        out: list = []
        for c in range(columns):
            lo = (c * bins) // columns
            hi = max(lo + 1, ((c + 1) * bins) // columns)
            parts = [times for i in range(lo, hi) for times in by_index.get(first + i, ())]
            out.append(list(map(sum, zip(*parts))) if parts else None)
        if len(self._fitted) > 512:
            self._fitted.clear()
        self._fitted[key] = out
        return out

    @property
    def stretch(self) -> int:
        """Comparing short runs: columns per bin, the same for both (a fitted run is resampled instead)."""
        return self.aligned_stretch if self.aligned else 1

    def visible_states(self) -> list[str]:
        """The states drawn in the rows on screen now (for the legend)."""
        return states_in([times for row in self._rows for times in self.row_columns(row)])

    def _style(self, fg: str, bg: str | None) -> Style:
        """A cell's style. Without colour (NO_COLOR) a bar keeps no background: grey on grey cannot be read."""
        style = self._styles.get((fg, bg))
        if style is None:
            keep_bg = bg is not None and not self._no_color
            own = Style(color=COLOURS[fg], bgcolor=COLOURS[bg] if keep_bg and bg else None)
            style = self._styles[(fg, bg)] = self._base + own
        return style

    @property
    def _finished_window(self) -> tuple[float, float] | None:
        """The run's start and end, when it has ended and the view is fitted to it."""
        snap = self.snapshot
        if snap is None or not self.fitted or not snap.window[0]:
            return None
        if not snap.window[1]:  # mid-run: only a still fits what there is so far (live, the lanes scroll)
            return (snap.window[0], snap.t) if self.fit_so_far and snap.t > snap.window[0] else None
        return snap.window

    @property
    def last_index(self) -> int:
        snap = self.snapshot
        if snap is None:
            return 0
        if self.aligned and snap.window[0]:  # comparing: the run starts at the left edge
            return math.floor(snap.window[0] / snap.bin_s) + (self.columns // self.stretch) * self.aligned - 1
        window = self._finished_window
        if window is not None:
            return math.floor(window[1] / snap.bin_s) + self.bins_per_column * (1 if self.stretch == 1 else 0)
        return math.floor(snap.t / snap.bin_s)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return 1 + max(1, len(self._rows) * self.row_height)

    @property
    def bins_per_column(self) -> int:
        if self.aligned:
            return self.aligned
        fit = self._fit_span
        if fit is not None:
            return max(1, math.ceil(fit[1] / fit[2]))
        return ZOOMS[self.zoom]

    @property
    def columns(self) -> int:
        return max(0, self.size.width - LABEL_WIDTH - self.shares_width - 2)

    @property
    def shares_width(self) -> int:
        if self.figures_below:
            return 0
        return SHARES_WIDE if self.size.width >= WIDE_FROM else SHARES_NARROW

    @property
    def figures_below(self) -> bool:
        """Presenting with rows two lines tall or more: each row's figures go on its second line, under its
        name, and the time takes the width they had at the row's end (at 120 columns, 92 columns, not 70)."""
        return self.row_height >= 2 and bool(getattr(self.app, "present", False))

    def render_lines(self, crop: Region) -> list[Strip]:
        """Every line is drawn on the widget's own background and text colour (so both themes read
        right): worked out once per repaint, and built into each cell's style."""
        base, no_color = self.rich_style, self.app.no_color
        if base != self._base or no_color != self._no_color:
            self._base, self._no_color = base, no_color
            self._styles.clear()
            self._kept_cells.clear()
        self._drawing = self._now()
        try:
            return super().render_lines(crop)
        finally:
            self._drawing = None

    def render_line(self, y: int) -> Strip:
        """One line, exactly as wide as the widget, neighbouring cells of one style joined (a bar's
        often are: each segment costs the compositor and the terminal filter work). Not for an SVG
        screenshot: a run of bar glyphs would be one text, and viewers that ignore its textLength draw
        it short (``cells_apart``)."""
        frame = self._drawing or self._now()
        width = frame.width
        segments = self._line(y, frame)
        strip = Strip(segments if self.cells_apart else joined(segments))
        if strip.cell_length != width:  # a label of wide characters, or rows shorter than the widget
            strip = strip.crop(0, width).extend_cell_length(width, self._base)
        return strip

    def _line(self, y: int, frame: _Frame | None = None) -> list[Segment]:
        frame = frame or self._now()
        width = frame.width
        snap = frame.snapshot
        base = self._base
        dim = base + Style(color="#888888")
        if y == 0:
            ms = int(frame.per * (snap.bin_s if snap else 0.05) * 1000)
            fit = frame.fit
            if fit is not None and snap is not None:
                ms = max(1, round(fit[1] * snap.bin_s * 1000 / fit[2]))
            elif frame.stretch > 1:
                ms = 0  # said below: a bin over several columns
            hint = " (+/- zoom)" if not self.cells_apart and getattr(self.app, "keys_hinted", True) else ""
            whole = " · the whole run" if snap is not None and snap.window[1] else " · the run so far"
            fitted = whole + hint if self._finished_window is not None else ""
            coarse = "   (coarse: psutil ticks)" if snap and snap.coarse else ""
            scale = (
                column_label(ms) if ms else "1 bin (%d ms) = %d columns" % ((snap.bin_s if snap else 0.05) * 1000, frame.stretch)
            )
            if self.aligned:
                fitted = " · both runs from their start"
            live = snap is not None and snap.window[0] and not snap.window[1]
            figures = "last second" if live else ("its whole life" if snap is not None and snap.window[1] else "")
            room = width - (frame.shares_width + 3 if figures and not frame.below else 0)  # 3: a gap before the figures
            lead = "%s   " % self.title if self.title else " " * (LABEL_WIDTH + 1)
            if frame.below and not self.title:  # the figures are under the names: what they cover, over the names
                said = figures.replace("its whole life", "whole life")  # over a name: "its" would name nothing
                lead, figures = ("figures: " + said if said else "").ljust(LABEL_WIDTH + 1), ""
            text = lead + scale + fitted + coarse
            if len(text) > room:  # drop the asides before anything is cut
                text = lead + scale + coarse
            if len(text) > room:  # then the indent, so the scale keeps its value
                text = (lead.strip() + "   " if lead.strip() else " ") + scale
            if len(text) > room and figures:  # then what the figures cover
                room, figures = width, ""
            text = text[:room]
            if figures:  # what the figures at each row's end cover, right-aligned over them
                text = text.ljust(room) + "   " + figures
            return [Segment(text[:width].ljust(width), dim)]
        if snap is None or not self._rows:
            return [Segment(self.waiting_text[:width].ljust(width), dim)] if y == 1 else [Segment(" " * width, base)]
        height = frame.row_height
        index, sub = divmod(y - 1, height)
        if index >= len(self._rows):
            return [Segment(" " * width, base)]
        row = self._rows[index]
        if frame.below and sub == 1:  # presenting: the figures under the name, the call it waited in below them
            label = "  " + self._figures(row, frame)[: LABEL_WIDTH - 2]
        else:
            detail = sub == (2 if frame.below else 1)
            label = row.label if sub == 0 else (self._detail(row, bool(snap.window[1])) if detail else "")
        quiet = dim if sub and not (frame.below and sub == 1) else base  # a row's figures are never dim
        if self.highlight is not None and row.key == self.highlight:  # the lane the table jumped to
            segments = [Segment(label[:LABEL_WIDTH].ljust(LABEL_WIDTH), quiet + Style(reverse=True))]
            segments.append(Segment(" ", base))
        else:
            segments = [Segment(label[:LABEL_WIDTH].ljust(LABEL_WIDTH) + " ", quiet)]
        segments.extend(self._cells(row, height - 1 - sub, height, frame))
        shares_width = frame.shares_width
        figures = " " + self._figures(row, frame)[: shares_width - 1].ljust(shares_width) if sub == 0 and not frame.below else ""
        segments.append(Segment(figures, base))
        return segments

    def _figures(self, row: LaneRow, frame: _Frame) -> str:
        """What a row's figures say (the time cursor's lanes: that column's states)."""
        return self._shares(row, frame)

    def _cells(self, row: LaneRow, level: int, height: int, frame: _Frame) -> list[Segment]:
        """The row's cells as segments. While a run scrolls by, the columns that can no longer change
        (all but the newest two) are kept from one frame to the next as joined segments: a redraw
        drops the columns that scrolled out on the left and makes only those that closed since."""
        columns = self._columns_in(row, frame)
        if not frame.scrolling or self.cells_apart:
            return [self._segment(cell_for(times, level, height)) for times in columns]
        count = len(columns)
        first = frame.last_index // frame.per - count + 1
        closed = max(0, count - 2)
        key = (row.key, level, height, frame.per)
        kept = self._kept_cells.get(key)
        if kept is None or not kept.first <= first <= kept.end <= first + closed:
            if len(self._kept_cells) > 512:
                self._kept_cells.clear()
            kept = self._kept_cells[key] = KeptCells(first, first, [])
        kept.drop_to(first)
        kept.extend(self._segment(cell_for(times, level, height)) for times in columns[kept.end - first : closed])
        kept.end = first + closed
        return kept.segments + [self._segment(cell_for(times, level, height)) for times in columns[closed:]]

    def _segment(self, cell) -> Segment:
        if cell is None:
            return Segment(" ", self._base)
        if cell.bg is not None and self._no_color and cell.char in BARS[1:4]:
            return Segment(GLYPHS[cell.bg], self._style(cell.bg, None))  # no colour: a low bar says less than the wait's glyph
        return Segment(cell.char, self._style(cell.fg, cell.bg))

    @staticmethod
    def _detail(row: LaneRow, finished: bool = False) -> str:
        """A tall lane's second line: the system call it last waited in; once the run has ended, the one it
        waited in longest (a sleeper's last wait is often its join's futex, not its sleep)."""
        lane = row.lane
        if lane is None:
            return ""
        if finished and lane.waits:
            return "    in %s" % lane.waits[0][0]
        return "    in %s" % lane.wait_now if lane.wait_now else ""

    def _shares(self, row: LaneRow, frame: _Frame) -> str:
        """The row's figures: over the thread's whole life in a finished run, over the last second while live."""
        if row.lane is None:
            return fitted_note(row.note, LABEL_WIDTH - 2 if frame.below else frame.shares_width - 1)
        if row.lane.phase == "failed":
            return "failed: " + row.lane.note
        snap = frame.snapshot
        if snap is not None and snap.window[0] and snap.window[1]:
            return shares_label(life_shares(row.lane.run_times), most=frame.most)
        count = recent_bins(snap.bin_s) if snap is not None else 20
        # the last second up to the newest bin (comparing, the drawn columns reach past it to the pinned run's end)
        last = min(frame.last_index, math.floor(snap.t / snap.bin_s)) if snap is not None and snap.bin_s > 0 else frame.last_index
        return shares_label(recent_shares(row.lane.bins, last_index=last, count=count), most=frame.most)

    @property
    def _most(self) -> int:
        """How many states a row's figures name: three when there is room, else the two biggest."""
        return 3 if self.size.width >= WIDE_FROM and not self.figures_below else 2
