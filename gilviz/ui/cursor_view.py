"""The lanes with a time cursor, and the keys that move it.

``CursorLanes`` is the dashboard's main ``LanesView`` with three more things to know:
where the cursor is (a bin), where a view that looks back ends (a bin), and whether a
run that has not ended is held still (paused, or a replay at a moment), which lets it
be fitted like a finished one. At the cursor its column is drawn in reverse, the ruler
starts with "t = 1.35 s" and each row's figures are the states of that column.

``CursorKeys`` is mixed into the app: ←/→ (shift: ten columns), Home/End and Esc, and
``+``/``-`` zooming around the cursor from the finest bin to the whole run and back,
stopping at both ends. They apply when the picture holds still: paused, finished, or a
replay's moment; not while two runs are compared. The arithmetic is in ``ui/cursor``.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.reactive import reactive

from gilviz.ui.cursor import (
    FIT,
    Columns,
    Span,
    column_shares,
    cursor_label,
    ladder,
    moved,
    placed,
    race_at,
    snapped,
    span_of,
    until,
    visible,
)
from gilviz.ui.lane_rows import LABEL_WIDTH
from gilviz.ui.lanes import ZOOMS, LanesView

REVERSE = Style(reverse=True)


class CursorLanes(LanesView):
    cursor: reactive[int | None] = reactive(None)
    """The bin the cursor is on (None: no cursor)."""
    view_end: reactive[int | None] = reactive(None)
    """A view looking back: the last bin it shows (None: the run's newest, as without a cursor)."""
    frozen: reactive[bool] = reactive(False)
    """A run that has not ended, held still (paused, or a replay's moment): it can be fitted as it stands."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.fitted_before = True  # what ``fitted`` was before the picture was held still

    def _moved(self, _value: object) -> None:
        self._frame = None  # what every line shares depends on these
        self.refresh()

    watch_cursor = watch_view_end = watch_frozen = _moved

    @property
    def _finished_window(self) -> tuple[float, float] | None:
        snap = self.snapshot
        if self.frozen and self.fitted and snap is not None and snap.window[0] and not snap.window[1]:
            return snap.window[0], snap.t
        return super()._finished_window

    @property
    def last_index(self) -> int:
        if self.view_end is not None and not self.aligned and self._fit_span is None:
            span = self.span()  # kept over the run if the view has grown wider since it was placed
            per, count = self.bins_per_column, self.columns
            if span is None or count <= 0:
                return self.view_end
            high = span.last // per
            low = min(high, span.first // per + count - 1)
            return max(low, min(high, self.view_end // per)) * per + per - 1
        return super().last_index

    def _now(self):
        frame = super()._now()
        if self.cursor is not None or self.view_end is not None or self.frozen:
            frame.scrolling = False  # a still view: every cell drawn afresh, no kept segments
        return frame

    def geometry(self) -> Columns:
        """Which bins each column of the view shows now."""
        frame = self._now()
        if frame.fit is not None:
            return Columns(frame.fit[2], fit=frame.fit)
        return Columns(frame.columns // frame.stretch, per=frame.per, last=frame.last_index)

    def span(self) -> Span | None:
        return span_of(self.snapshot) if self.snapshot is not None else None

    def _line(self, y: int, frame=None) -> list[Segment]:
        frame = frame or self._now()
        segments = super()._line(y, frame)
        snap, index = frame.snapshot, self.cursor
        span = span_of(snap) if snap is not None and index is not None else None
        if index is None or snap is None or span is None:
            return segments
        column = self.geometry().column_of(index)
        if y == 0:
            label = ("figures at " if frame.below else "") + cursor_label(index, snap, span)  # figures under the names
            return [self._ruler(segments[0], label, column, frame.shares_width)]
        cells = len(segments) - 2
        if column is None or cells <= column or not self._rows:
            return segments
        cell = segments[1 + column]
        segments[1 + column] = Segment(cell.text, (cell.style or self._base) + REVERSE)
        return segments

    def _figures(self, row, frame) -> str:
        """At the cursor, a row's figures are the states of the cursor's column."""
        snap, index = frame.snapshot, self.cursor
        column = self.geometry().column_of(index) if index is not None and snap is not None and span_of(snap) else None
        columns = self._columns_in(row, frame)
        if column is None or column >= len(columns):
            return super()._figures(row, frame)
        return column_shares(columns[column], frame.most)

    def _ruler(self, line: Segment, label: str, column: int | None, shares_width: int) -> Segment:
        """The ruler at the cursor: its moment first, a ▼ over its column (the scale moved past it if it
        would cover it), "at the cursor" over the figures."""
        width = len(line.text)
        lead = LABEL_WIDTH + 1
        room = width - shares_width - 1 - lead
        if room <= 0:
            return line
        scale = line.text[lead : lead + room].rstrip() if not self.title else ""
        over = [" "] * room
        right = column is not None and column < room // 2  # the scale on the side of the ▼ with more room
        start = column + 2 if right and column is not None else 0
        fits = room - start if right or column is None else column - 1
        if len(scale) > fits:
            scale = scale.split(" · ")[0]  # the aside goes first
        for i, ch in enumerate(scale[: max(0, fits)]):
            over[start + i] = ch
        if column is not None and column < room:
            over[column] = "▼"
        head = (label if column is not None else label + " (off screen)").ljust(lead)
        text = head[:lead] + "".join(over) + " " + "at the cursor".rjust(shares_width)[:shares_width]
        return Segment(text[:width].ljust(width), line.style)


class CursorKeys:
    """The time cursor's actions, mixed into the app (which has ``state``, ``query_one``, ``draw``...)."""

    def cursor_lanes(self) -> CursorLanes:
        return self.query_one("#lanes", CursorLanes)  # type: ignore[attr-defined]

    def cursor_applies(self) -> bool:
        """The picture holds still (paused, finished, a replay's moment) and is not compared with another."""
        state = self.state  # type: ignore[attr-defined]
        snap = self.cursor_lanes().snapshot
        if snap is None or state.pinned is not None:
            return False
        return bool(state.paused or snap.window[1] or getattr(self, "at", None) is not None)

    def cursor_reset(self) -> None:
        """The picture moves again (a new run, or resumed): no cursor, no view looking back."""
        lanes = self.cursor_lanes()
        lanes.cursor = lanes.view_end = None
        if lanes.frozen:
            lanes.frozen, lanes.fitted = False, lanes.fitted_before

    def _hold(self, lanes: CursorLanes) -> Span | None:
        """Before the cursor first moves over a run that has not ended: hold it still, as drawn."""
        snap = lanes.snapshot
        if snap is not None and not snap.window[1] and not lanes.frozen:
            lanes.fitted_before, lanes.fitted = lanes.fitted, False
            lanes.frozen = True
        return lanes.span()

    def _show_cursor(self) -> None:
        self.refresh_bindings()  # type: ignore[attr-defined]
        self.draw({"lanes", "panel"})  # type: ignore[attr-defined]

    def action_cursor(self, delta: int) -> None:
        """Move the cursor ``delta`` columns (its first press puts it at the view's edge it moves from)."""
        lanes = self.cursor_lanes()
        span = self._hold(lanes) if self.cursor_applies() else None
        if span is None:
            return
        columns = lanes.geometry()
        if lanes.cursor is None:
            edge = columns.bins(columns.count - 1 if delta < 0 else 0)[0]
            index = max(span.first, min(span.last // columns.per * columns.per, edge))
        else:
            index = moved(columns, lanes.cursor, delta, span)
        self._put(lanes, columns, index, span)

    def action_cursor_edge(self, end: int) -> None:
        """Home: the run's start; End: its end."""
        lanes = self.cursor_lanes()
        span = self._hold(lanes) if self.cursor_applies() else None
        if span is None:
            return
        columns = lanes.geometry()
        index = span.last if end else span.first
        if columns.fit is None:
            index = snapped(index, columns.per, span)
        else:
            column = columns.column_of(index)
            index = columns.bins(column)[0] if column is not None else index
        self._put(lanes, columns, index, span)

    def _put(self, lanes: CursorLanes, columns: Columns, index: int, span: Span) -> None:
        if columns.fit is None:
            lanes.view_end = visible(columns, index, span)
        lanes.cursor = index
        self._show_cursor()

    def action_cursor_off(self) -> None:
        lanes = self.cursor_lanes()
        lanes.cursor = None
        self._show_cursor()

    def cursor_zoom(self, delta: int) -> None:
        """+ (delta -1) or - (delta 1): one level finer or coarser around the cursor (or the run's end),
        from the finest bin to the whole run, stopping at both."""
        lanes = self.cursor_lanes()
        span = self._hold(lanes)
        if span is None:
            return
        columns = lanes.geometry()
        snap = lanes.snapshot
        fits = snap is not None and bool(snap.window[0]) and (bool(snap.window[1]) or lanes.frozen)
        levels = ladder(ZOOMS, span, lanes.columns, fits)
        now = FIT if columns.fit is not None else columns.per
        here = levels.index(now) if now in levels else min(range(len(levels)), key=lambda i: abs(levels[i] - now))
        level = levels[max(0, min(len(levels) - 1, here + delta))]
        if level == now:
            self.notify("the whole run is shown" if delta > 0 else "the finest: one bin a column", timeout=2)  # type: ignore[attr-defined]
            return
        anchor = lanes.cursor if lanes.cursor is not None else span.last
        column = columns.column_of(anchor)
        at = column / max(1, columns.count - 1) if column is not None else 1.0
        if level == FIT:
            lanes.fitted, lanes.view_end = True, None
        else:
            count = lanes.columns
            lanes.fitted, lanes.zoom = False, ZOOMS.index(level)
            lanes.view_end = placed(anchor, level, count, span, at)
            if lanes.cursor is not None:
                lanes.cursor = snapped(lanes.cursor, level, span)
        if lanes.cursor is not None and level == FIT:
            fitted = lanes.geometry()
            column = fitted.column_of(lanes.cursor)
            lanes.cursor = fitted.bins(column)[0] if column is not None else lanes.cursor
        self._show_cursor()

    def panel_at_cursor(self) -> Text | None:
        """The race panel at the cursor's moment (None: no cursor, or another scenario)."""
        lanes = self.cursor_lanes()
        cfg = self.state.scenario  # type: ignore[attr-defined]
        if lanes.cursor is None or lanes.snapshot is None or cfg is None or cfg.info.panel != "race_panel":
            return None
        keys = self.keys_hinted and bool(self.dashboard.check_action("lock", ()))  # type: ignore[attr-defined]
        return race_at(cfg, lanes.snapshot, lanes.cursor, self.state.reports, keys)  # type: ignore[attr-defined]

    def snapshot_at_cursor(self):
        """The snapshot as far as the cursor (for the queue panel), or None."""
        lanes = self.cursor_lanes()
        if lanes.cursor is None or lanes.snapshot is None:
            return None
        return until(lanes.snapshot, lanes.cursor)
