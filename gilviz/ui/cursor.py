"""The time cursor: where it is, which column shows it, what the lanes and panels say there (pure).

A paused, finished or replayed run can be looked back through. The cursor sits on one
bin of the timeline (bin ``i`` covers ``i * bin_s`` seconds on), always at the start of
the drawn column it is in. A view's columns are either uniform groups of ``per`` bins
ending with a given bin, or a finished run's bins spread over the width (``fit``); the
zoom ladder goes from the finest bin up to that whole-run view and stops at both ends.
What the rows and panels show at the cursor is read from the same bins the lanes draw:
the states of the cursor's column, the race counter as a thread last read it by then.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

from rich.text import Text

from gilviz.lab.scenarios import SIZES
from gilviz.model import RunConfig, RunReport
from gilviz.states import DONE, NOT_STARTED
from gilviz.timeline import Snapshot
from gilviz.ui.drawing import COLOURS, life_shares, shares_label
from gilviz.ui.race_panel import bar, comparison

STEP = 10  # columns a shift+←/→ moves the cursor
FIT = 0  # the zoom ladder's widest level: the whole run across the width


@dataclass(frozen=True)
class Span:
    """The bins a run's view can show: from its first (its start, or the oldest kept) to its newest."""

    first: int
    last: int
    start_s: float  # the run's start (monotonic seconds): t = 0 on the ruler


def span_of(snap: Snapshot) -> Span | None:
    """The run's bins, from its start (the oldest bin kept, before it has one) to its end (or the snapshot's moment)."""
    kept = [lane.bins for lane in snap.lanes if lane.bins]
    if not kept:
        return None
    oldest = min(bins[0].index for bins in kept)
    start, end = snap.window
    # from the run's start, as the fitted lanes draw it, even when its threads' first bins come a bin later
    first = math.floor(start / snap.bin_s) if start else oldest
    last = math.floor((end or snap.t) / snap.bin_s)
    return Span(first, max(first, last), start or first * snap.bin_s)


@dataclass(frozen=True)
class Columns:
    """Which bins each drawn column covers: ``count`` groups of ``per`` bins, the last holding bin ``last``;
    or, with ``fit`` = (first bin, bins, columns), a finished run's bins spread over the columns."""

    count: int
    per: int = 1
    last: int = 0
    fit: tuple[int, int, int] | None = None

    def bins(self, column: int) -> tuple[int, int]:
        """The bins [lo, hi) of a column (as ``LanesView`` draws them)."""
        if self.fit is not None:
            first, bins, columns = self.fit
            lo = (column * bins) // columns
            return first + lo, first + max(lo + 1, ((column + 1) * bins) // columns)
        group = self.last // self.per - self.count + 1 + column
        return group * self.per, (group + 1) * self.per

    def column_of(self, index: int) -> int | None:
        """The (first) column that shows bin ``index``; None when it is off screen."""
        if self.fit is not None:
            for column in range(self.count):
                lo, hi = self.bins(column)
                if lo <= index < hi:
                    return column
            return None
        column = index // self.per - (self.last // self.per - self.count + 1)
        return column if 0 <= column < self.count else None


def clamp(index: int, span: Span) -> int:
    return max(span.first, min(span.last, index))


def snapped(index: int, per: int, span: Span) -> int:
    """The start of the column group that holds ``index`` (not before the run's first bin)."""
    return max(span.first, index // per * per)


def moved(columns: Columns, index: int, delta: int, span: Span) -> int:
    """The cursor ``delta`` columns on: whole groups of bins, or the fitted columns' starts (skipping
    columns that show the same bin again: a short run's bins are each several columns wide)."""
    if columns.fit is None:
        return snapped(clamp(index // columns.per * columns.per + delta * columns.per, span), columns.per, span)
    column = columns.column_of(index)
    if column is None:
        column = 0 if index < columns.bins(0)[0] else columns.count - 1
    step = 1 if delta > 0 else -1
    target = max(0, min(columns.count - 1, column + delta))
    while 0 < target < columns.count - 1 and columns.bins(target)[0] == index:
        target += step
    return clamp(columns.bins(target)[0], span)


def placed(index: int, per: int, count: int, span: Span, at: float) -> int:
    """The last bin of a uniform view that shows ``index`` at the fraction ``at`` of its width, kept
    over the run: not past its newest bin, nor (when the run is wider than the view) before its first."""
    group = index // per + round((1 - at) * (count - 1))
    high = span.last // per
    low = min(high, span.first // per + count - 1)
    return max(low, min(high, group)) * per + per - 1


def visible(columns: Columns, index: int, span: Span) -> int:
    """The last bin of a uniform view moved as little as needed for ``index`` to be on screen."""
    column = columns.column_of(index)
    if column is not None:
        return columns.last
    at = 0.0 if index < columns.bins(0)[0] else 1.0
    return placed(index, columns.per, columns.count, span, at)


def ladder(zooms: Sequence[int], span: Span, columns: int, fits: bool) -> list[int]:
    """The zoom levels, finest first, as bins per column: those finer than the whole run, then FIT."""
    if not fits or columns < 4:
        return list(zooms)
    whole = (span.last - span.first + 1) / max(1, columns - 1)
    return [z for z in zooms if z < whole] + [FIT]


def seconds_at(index: int, snap: Snapshot, span: Span) -> float:
    """The cursor's moment, seconds from the run's start."""
    return max(0.0, index * snap.bin_s - span.start_s)


def cursor_label(index: int, snap: Snapshot, span: Span) -> str:
    return "t = %.2f s" % seconds_at(index, snap, span)


def column_shares(times: Sequence[float] | None, most: int) -> str:
    """A row's figures at the cursor: the states of that column ("run 48% · GIL 52%"), or why there are none."""
    if times is None or sum(times) <= 0:
        return "nothing seen"
    if sum(times) - times[DONE] - times[NOT_STARTED] <= 0:
        return "ended" if times[DONE] >= times[NOT_STARTED] else "not started"
    return shares_label(life_shares(times), most=most)


def count_at(bins, index: int) -> int | None:
    """The board counter as last read by bin ``index`` (None: not read yet)."""
    count = None
    for b in bins:
        if b.index > index:
            break
        count = b.count
    return count


def until(snap: Snapshot, index: int) -> Snapshot:
    """The snapshot as far as bin ``index``: each lane's bins up to it, its counter as read by then."""
    lanes = []
    for lane in snap.lanes:
        bins = tuple(b for b in lane.bins if b.index <= index)
        lanes.append(replace(lane, bins=bins, count=count_at(bins, index) or 0))
    t = (index + 1) * snap.bin_s
    end = snap.window[1] if snap.window[1] and snap.window[1] <= t else 0.0
    return replace(snap, t=t, lanes=tuple(lanes), window=(snap.window[0], end))


def race_at(config: RunConfig, snap: Snapshot, index: int, reports: Sequence[RunReport], keys: bool = False) -> Text:
    """The race panel at the cursor: the shared counter as a thread had last read it then. ``keys``: `l` works
    here and the screen is live (a replay or a still names no key)."""
    span = span_of(snap)
    text = Text()
    text.append("%d threads update one global counter · " % config.worker_count)
    text.append("lock %s\n" % ("ON" if config.lock else "OFF"), style="bold")
    if span is None:
        return text
    at = seconds_at(index, snap, span)
    counts = [count_at(lane.bins, index) for lane in snap.lanes if lane.role == "worker"]
    read = [c for c in counts if c is not None]
    text.append("at %s: " % cursor_label(index, snap, span), style="bold")
    text.append("counter %s" % (f"{max(read):,}" if read else "not read yet"))
    text.append(" (as a thread last read it then)\n", style="dim")
    seconds = SIZES[config.size].race_s
    bar(text, min(at, seconds), seconds, COLOURS["io"], "dim", "·")
    text.append(" %.2f of %g s\n" % (min(at, seconds), seconds), style="dim")
    comparison(text, config, reports, keys)
    return text
