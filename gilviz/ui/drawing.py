"""What a lane row, a share label and a sparkline look like (layer: UI; pure, no textual).

A lane cell covers one column of time. Its bar height is the share of that column the
thread spent running (readable without colour); where it hardly ran, the cell shows the
glyph of what it waited on instead. Colours come from the Okabe-Ito palette, which stays
distinct for the common kinds of colour blindness.
"""

from __future__ import annotations

from collections.abc import Sequence

from gilviz.probe.classify import DONE, IDLE, RUNNING, STATES
from gilviz.report import SHARE_LABELS, shares_text
from gilviz.timeline import Bin

BARS = " ▁▂▃▄▅▆▇█"
GLYPHS = {
    "running": "█",
    "gil_wait": "▒",
    "core_wait": "▚",
    "io": "─",
    "lock_wait": "×",
    "queue_wait": "=",
    "idle": "·",
    "done": " ",
    "failed": "!",
}
COLOURS = {  # Okabe-Ito
    "running": "#009E73",
    "gil_wait": "#E69F00",
    "core_wait": "#D55E00",
    "io": "#56B4E9",
    "lock_wait": "#CC79A7",
    "queue_wait": "#0072B2",
    "idle": "#999999",
    "done": "#999999",
    "failed": "#D55E00",
}
LEGEND = {**SHARE_LABELS, "idle": "idle", "failed": "failed"}
MIN_RUNNING = 1 / 16  # below this a cell shows what the thread waited on


def legend_glyph(state: str) -> str:
    """How a state looks in a legend: running as a half bar (a lane's bar height is its share), the rest as their glyph."""
    return BARS[4] if state == "running" else GLYPHS[state]


class Cell:
    """One drawn cell: a character, the state its colour comes from, and a background state."""

    __slots__ = ("char", "fg", "bg")

    def __init__(self, char: str, fg: str, bg: str | None = None) -> None:
        self.char, self.fg, self.bg = char, fg, bg

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Cell) and (self.char, self.fg, self.bg) == (other.char, other.fg, other.bg)

    def __repr__(self) -> str:
        return "Cell(%r, %r, %r)" % (self.char, self.fg, self.bg)


def cell_for(times: Sequence[float]) -> Cell | None:
    """The cell for one column's state times (STATES order); None if nothing was seen."""
    total = sum(times)
    if total <= 0:
        return None
    running = times[RUNNING] / total
    waits = [(t, i) for i, t in enumerate(times) if i != RUNNING]
    wait_t, wait_i = max(waits)
    wait = STATES[wait_i] if wait_t > 0 else "done"
    if running >= MIN_RUNNING:
        height = max(1, round(running * 8))
        return Cell(BARS[height], "running", None if height == 8 else wait)
    return Cell(GLYPHS[wait], wait)


def column_times(bins: Sequence[Bin], *, last_index: int, columns: int, bins_per_column: int) -> list[list[float]]:
    """State times per column, the last column ending with bin ``last_index``."""
    first = last_index - columns * bins_per_column + 1
    out = [[0.0] * len(STATES) for _ in range(columns)]
    for b in reversed(bins):  # bins come oldest first; only the newest are on screen
        if b.index < first:
            break
        if b.index > last_index:
            continue
        col = out[(b.index - first) // bins_per_column]
        for i, t in enumerate(b.times):
            col[i] += t
    return out


def lane_cells(bins: Sequence[Bin], *, last_index: int, columns: int, bins_per_column: int) -> list[Cell | None]:
    return [cell_for(t) for t in column_times(bins, last_index=last_index, columns=columns, bins_per_column=bins_per_column)]


def recent_shares(bins: Sequence[Bin], *, last_index: int, count: int) -> dict[str, float]:
    """Shares of each state over the last ``count`` bins (what the row's label shows live)."""
    totals = [0.0] * len(STATES)
    for b in reversed(bins):  # oldest first: stop at the first bin before the window
        if b.index <= last_index - count:
            break
        if b.index <= last_index:
            for i, t in enumerate(b.times):
                totals[i] += t
    whole = sum(totals)
    return {s: (t / whole if whole else 0.0) for s, t in zip(STATES, totals)}


def shares_label(shares: dict[str, float]) -> str:
    """ "run 49% · GIL 50%": states of 2 % or more, in STATES order; "done"/"idle" otherwise."""
    text = shares_text(shares, at_least=0.02)
    if text:
        return text
    if shares.get("failed", 0) > 0:
        return "failed"
    return "done" if shares.get(STATES[DONE], 0) > shares.get(STATES[IDLE], 0) else "idle"


def sparkline(values: Sequence[float], width: int, top: float = 100.0) -> str:
    """The last ``width`` values as bar characters, right-aligned."""
    tail = list(values)[-width:]
    chars = [BARS[max(0, min(8, round(v / top * 8)))] for v in tail]
    return " " * (width - len(chars)) + "".join(chars)
