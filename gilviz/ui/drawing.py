"""What a lane row, a share label and a sparkline look like (pure, no textual).

A lane cell covers one column of time. Its bar height is the share of that column the
thread spent running (readable without colour); where it hardly ran, the cell shows the
glyph of what it waited on instead. A lane may be several rows tall (few lanes, a big
screen): the bar then rises through the rows, and the rows above it show the wait's
glyph, so a half-running, half-waiting column reads as a half bar under "▒▒" even with
no colour at all. Colours come from the Okabe-Ito palette, which stays distinct for the
common kinds of colour blindness; every state also has its own glyph.

Where a process's GIL is read from its memory, a column also carries the lane's GIL
seconds (held, held while blocked, read at all, then held and running smoothed over the
bins before; ``Bin.gil``) after its state times: a running bar is drawn in its own colour
when the thread ran without holding the GIL, smoothed so a column with one or two readings
is not judged on them alone (C
code that released it; a full column as "▓", so that it reads without colour), and a
column where the thread held the GIL while blocked in a system call is an alarm, "▲", a
glyph of its own so that it reads without colour too.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import repeat

from gilviz.report import shares_text
from gilviz.states import DONE, IDLE, N_STATES, NOT_STARTED, RUNNING, STATES, TABLE
from gilviz.timeline import Bin

BARS = " ▁▂▃▄▅▆▇█"
MARKS = (  # drawn over a state, not states of their own: (name, glyph, colour, label, short label)
    ("gil_blocked", "▲", "#D55E00", "blocked holding the GIL", "GIL held blocked"),  # held the GIL while blocked
    ("no_gil", "▓", "#F0E442", "running without the GIL (C code)", "no GIL"),  # a full column; a lower bar keeps its height
)
GLYPHS = {**{s.name: s.glyph for s in TABLE}, **{m[0]: m[1] for m in MARKS}}
COLOURS = {**{s.name: s.colour for s in TABLE}, **{m[0]: m[2] for m in MARKS}}
LEGEND = {s.name: s.label for s in TABLE if s.label}  # what the legend and the help call each state, in STATES order
LEGEND.update((m[0], m[3]) for m in reversed(MARKS))
SHORT_LEGEND = {s.name: s.short for s in TABLE if s.label}
SHORT_LEGEND.update((m[0], m[4]) for m in reversed(MARKS))
NO_GIL_BELOW = 0.5  # a bar is "without the GIL" when the thread held it less than half the time it ran (smoothed)
ALARM_FROM = 0.25  # a column is an alarm when the thread held the GIL blocked for this share of it
NO_GIL_TIMES = (0.0, 0.0, 0.0, 0.0, 0.0)  # a bin whose GIL was not read
GIL_VALUES = len(NO_GIL_TIMES)
QUIET = {"done", "not_started"}  # drawn blank: nothing to say


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


_LIVED_WAITS = tuple(i for i in range(len(STATES)) if i != RUNNING and STATES[i] not in QUIET)


def main_wait(times: Sequence[float]) -> str:
    """The state other than running that took the most of the time the thread lived in the column (ties go to the
    later state); "done" or "not started" only when it lived there without waiting. A column the thread lived in
    is drawn as what it did there: a MainThread idle in its join until the run's last bin, which straddles the
    thread's end, was drawn blank there while its workers, who ran a little in it, were drawn to the end."""
    best_t, best = 0.0, -1
    for i in _LIVED_WAITS:
        t = times[i]
        if t >= best_t and t > 0:
            best_t, best = t, i
    if best >= 0:
        return STATES[best]
    return STATES[NOT_STARTED] if times[NOT_STARTED] > times[DONE] else STATES[DONE]


def cell_for(times: Sequence[float] | None, row: int = 0, height: int = 1) -> Cell | None:
    """The cell for one column's state times (STATES order), row ``row`` from the bottom of a lane ``height`` rows tall.

    None when nothing was seen in the column.
    """
    if times is None:
        return None
    total = sum(times[:N_STATES])
    if total <= 0:
        return None
    running = times[RUNNING] / total
    if len(times) > N_STATES and times[N_STATES + 2] > 0:  # the GIL was read: who held it tells more
        held, held_blocked, read, smooth_held, smooth_running = times[N_STATES : N_STATES + GIL_VALUES]
        if held_blocked >= ALARM_FROM * read:
            return Cell(GLYPHS["gil_blocked"], "gil_blocked")
        settled = smooth_running >= 2 * times[RUNNING]  # a few bins of history behind the verdict, not one reading
        if running > 0 and read >= 0.5 * total and settled and smooth_held < NO_GIL_BELOW * smooth_running:
            cell = _cell(running, times, row, height)
            if cell is None or cell.fg != "running":
                return cell
            return Cell(GLYPHS["no_gil"] if cell.char == BARS[8] else cell.char, "no_gil", cell.bg)
    return _cell(running, times, row, height)


def _cell(running: float, times: Sequence[float], row: int, height: int) -> Cell | None:
    wait = main_wait(times)
    eighths = round(running * 8 * height) - row * 8
    if eighths >= 8:
        return Cell(BARS[8], "running")
    if eighths > 0:
        return Cell(BARS[eighths], "running", wait)
    if wait == "unseen" and row > 0:
        return None  # not known is said once, on the lane's bottom line, not stacked "???" up a tall lane
    return Cell(GLYPHS[wait], wait)


def bin_values(b: Bin) -> tuple[float, ...]:
    """A bin's state times, then its GIL seconds (``Bin.gil``): what a column adds up."""
    return b.times + (b.gil or NO_GIL_TIMES)


def column_times(bins: Sequence[Bin], *, last_index: int, columns: int, bins_per_column: int) -> list[list[float]]:
    """State times per column; column boundaries are fixed in time (bin ``i`` is in column group
    ``i // bins_per_column``), and the last column is the group that holds bin ``last_index``."""
    last_group = last_index // bins_per_column
    first_group = last_group - columns + 1
    out = [[0.0] * (len(STATES) + GIL_VALUES) for _ in range(columns)]
    for b in reversed(bins):  # bins come oldest first; only the newest are on screen
        group = b.index // bins_per_column
        if group < first_group:
            break
        if group > last_group:
            continue
        col = out[group - first_group]
        for i, t in enumerate(bin_values(b)):
            col[i] += t
    return out


class ColumnCache:
    """Column times per row and column group, kept for columns that can no longer change.

    A redraw then adds up only the newest bins (the last two columns), not every bin on
    screen: with 33 lanes this takes a frame from ~25 ms to ~1 ms (``gilviz bench``
    measures the dashboard's CPU).
    """

    def __init__(self) -> None:
        self._rows: dict[object, dict[int, list[float] | None]] = {}
        self._bins_per_column = 0

    def clear(self) -> None:
        self._rows.clear()

    def columns(
        self,
        key: object,
        lanes: Sequence[Sequence[Bin]],
        *,
        last_index: int,
        columns: int,
        bins_per_column: int,
        newest_index: int | None = None,
    ) -> list[list[float] | None]:
        """Times per column (None: nothing seen) for the bins of ``lanes`` added together, like ``column_times``.

        ``newest_index``: the newest bin there is, when the columns reach past it (a run drawn from its
        start while it goes on): only columns before it are kept.
        """
        if bins_per_column != self._bins_per_column:
            self._rows.clear()
            self._bins_per_column = bins_per_column
        cache = self._rows.setdefault(key, {})
        last_group = last_index // bins_per_column
        first_group = last_group - columns + 1
        newest_group = (last_index if newest_index is None else min(last_index, newest_index)) // bins_per_column
        live_from = newest_group - 1  # the newest two columns may still change, and any after them
        missing = [g for g in range(first_group, live_from) if g not in cache]
        need_from = missing[0] if missing else live_from
        parts: dict[int, list[tuple[float, ...]]] = {}  # a group's bins' times, from every lane: summed in C below
        gils: dict[int, list[tuple[float, ...]]] = {}  # (a row of 259 folded threads adds ~3,000 bins a frame;
        get = parts.get  # one by one took 7 ms), and their GIL seconds apart: most bins have none, and joining
        for bins in lanes:  # each bin's two tuples took a third of a frame
            for b in reversed(bins):
                group = b.index // bins_per_column
                if group < need_from:
                    break
                if group > last_group:
                    continue
                same = get(group)
                if same is None:
                    same = parts[group] = []
                same.append(b.times)
                if b.gil is not None:
                    gils.setdefault(group, []).append(b.gil)
        fresh = {group: _summed(values, gils.get(group)) for group, values in parts.items()}
        for g in missing:
            cache[g] = fresh.get(g)
        if len(cache) > 3 * columns + 8:
            for g in [g for g in cache if g < first_group]:
                del cache[g]
        return [cache.get(g) if g < live_from else fresh.get(g) for g in range(first_group, last_group + 1)]


def _summed(times: list[tuple[float, ...]], gil: list[tuple[float, ...]] | None) -> list[float]:
    """Bins' state times added up, then their GIL seconds (what ``bin_values`` gives one bin)."""
    out = list(map(sum, zip(*times), repeat(0.0)))
    out += map(sum, zip(*gil), repeat(0.0)) if gil else NO_GIL_TIMES
    return out


def recent_shares(bins: Sequence[Bin], *, last_index: int, count: int) -> dict[str, float]:
    """Shares of each state over the last ``count`` bins, of the time the thread existed in them.

    Time before a thread started or after it ended is left out, so a thread that ended
    half a second ago reads "run 100%" for the half second it lived, not "run 50%".
    """
    totals = [0.0] * len(STATES)
    for b in reversed(bins):  # oldest first: stop at the first bin before the window
        if b.index <= last_index - count:
            break
        if b.index <= last_index:
            for i, t in enumerate(b.times):
                totals[i] += t
    lived = sum(totals) - totals[DONE] - totals[NOT_STARTED]
    whole = lived if lived > 0 else sum(totals)
    shares = {s: (t / whole if whole else 0.0) for s, t in zip(STATES, totals)}
    if lived > 0:
        shares["done"] = shares["not_started"] = 0.0
    return shares


def life_shares(run_times: Sequence[float]) -> dict[str, float]:
    """Shares of a finished run's window times over the part the thread lived (not before it started, not after it ended).

    ``run_times`` may be a drawn column's values, the GIL's seconds after the states (``bin_values``): only the states count.
    """
    run_times = run_times[: len(STATES)]
    lived = sum(run_times) - run_times[DONE] - run_times[NOT_STARTED]
    if lived <= 0:
        return {s: 0.0 for s in STATES}
    return {s: (0.0 if i in (DONE, NOT_STARTED) else t / lived) for i, (s, t) in enumerate(zip(STATES, run_times))}


def shares_label(shares: dict[str, float], most: int = 3) -> str:
    """ "run 49% · GIL 50%": the ``most`` biggest states of 2 % or more, in STATES order; "ended"/"idle" otherwise."""
    kept = sorted(shares, key=lambda s: -shares[s])[:most]
    text = shares_text({s: v for s, v in shares.items() if s in kept}, at_least=0.02)
    if text:
        return text
    if shares.get("failed", 0) > 0:
        return "failed"
    return "ended" if shares.get(STATES[DONE], 0) > shares.get(STATES[IDLE], 0) else "idle"


def states_in(columns: Sequence[Sequence[float] | None]) -> list[str]:
    """The states that took any time in these columns (for a legend of what is on screen), in STATES order."""
    seen = [times for times in columns if times is not None]
    if not seen:
        return []
    out = [s for s, times in zip(STATES, zip(*seen)) if s in LEGEND and max(times) > 0]  # zip(*): each state's times
    drawn = {cell.fg for cell in (cell_for(times) for times in seen) if cell is not None}
    return out + [s for s in ("no_gil", "gil_blocked") if s in drawn]


def sparkline(values: Sequence[float], width: int, top: float = 100.0) -> str:
    """The last ``width`` values as bar characters, right-aligned."""
    tail = list(values)[-width:]
    chars = [BARS[max(0, min(8, round(v / top * 8)))] for v in tail]
    return " " * (width - len(chars)) + "".join(chars)
