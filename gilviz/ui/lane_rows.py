"""Which rows the lanes panel draws: threads grouped under their process, big groups folded (layer: UI; pure).

Lanes arrive in the order they were first seen. Rows put each process's main thread
first and its other threads under it. A process with many threads (a pool of 32, a web
server's workers) is folded into one summary row ("32 threads: 27 I/O · 4 GIL ·
1 run") until unfolded; unfolded, threads that never ran are gathered into one row at
its end, so the threads doing something stay on screen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from gilviz.report import SHARE_LABELS
from gilviz.timeline import Bin, LaneView
from gilviz.ui.drawing import life_shares, recent_shares

FOLD_OVER = 16  # a process with more threads than this starts folded
LABEL_WIDTH = 24
RECENT_S = 1.0  # a live row's figures cover the last second


def recent_bins(bin_s: float) -> int:
    return max(1, round(RECENT_S / bin_s))


@dataclass(frozen=True)
class LaneRow:
    """One row: a lane, or a summary standing for several threads of one process."""

    pid: int
    label: str
    lane: LaneView | None = None
    threads: tuple[LaneView, ...] = ()  # what a summary row stands for
    note: str = ""  # a summary's counts by state

    @property
    def key(self) -> object:
        """What identifies the row from one snapshot to the next (its drawn columns are cached by it)."""
        if self.lane is not None:
            return (self.lane.pid, self.lane.tid, self.lane.slot)
        return (self.pid, self.label)

    @property
    def sources(self) -> list[Sequence[Bin]]:
        """The bins the row's bar adds up: its lane's, or every thread's it stands for."""
        return [self.lane.bins] if self.lane is not None else [lane.bins for lane in self.threads]


def lane_label(lane: LaneView) -> str:
    if lane.kind == "process" or lane.role == "main":
        return ("pid %d %s" % (lane.pid, lane.name))[:LABEL_WIDTH]
    return ("  └ %s %d" % (lane.name, lane.tid))[:LABEL_WIDTH]


def dominant(lane: LaneView, last_index: int, bin_s: float = 0.05, finished: bool = False) -> str:
    """What the thread mostly did over the last second (``finished``: over its whole life): a share label's word
    ("I/O", "GIL", "run", "ended")."""
    if finished:
        shares = life_shares(lane.run_times)
    else:
        shares = recent_shares(lane.bins, last_index=last_index, count=recent_bins(bin_s))
    state, share = max(shares.items(), key=lambda kv: kv[1])
    if share <= 0:
        return "idle"
    return SHARE_LABELS.get(state, {"done": "ended", "not_started": "new"}.get(state, state))


def counts_note(lanes: Sequence[LaneView], last_index: int, finished: bool = False) -> str:
    """ "27 I/O · 4 GIL · 1 run": threads by what each mostly did over the last second (a finished run: over
    each thread's life, so not "20 ended"), most first."""
    counts: dict[str, int] = {}
    for lane in lanes:
        word = dominant(lane, last_index, finished=finished)
        counts[word] = counts.get(word, 0) + 1
    return " · ".join("%d %s" % (n, word) for word, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def never_ran(lane: LaneView) -> bool:
    return lane.role != "main" and lane.kind == "thread" and not any(b.times[0] > 0 for b in lane.bins)


def fitted_note(note: str, width: int) -> str:
    """A summary's counts cut at a whole count, never mid-word: "27 I/O · 4 GIL · +2" (the rest counted)."""
    if len(note) <= width:
        return note
    parts = note.split(" · ")
    for keep in range(len(parts) - 1, 0, -1):
        rest = sum(int(p.split()[0]) for p in parts[keep:] if p.split()[0].isdigit())
        text = " · ".join(parts[:keep]) + " · +%d" % rest
        if len(text) <= width:
            return text
    return parts[0][:width]


def arrange(lanes: Sequence[LaneView], *, last_index: int, fold: bool | None = None, finished: bool = False) -> list[LaneRow]:
    """The rows for these lanes. ``fold``: None folds processes with more than FOLD_OVER threads; True all; False none.
    ``finished``: the run has ended, and a summary counts what each thread did over its life."""
    order: list[int] = []
    mains: dict[int, LaneView] = {}
    threads: dict[int, list[LaneView]] = {}
    for lane in lanes:
        if lane.pid not in threads:
            order.append(lane.pid)
            threads[lane.pid] = []
        if (lane.role == "main" or lane.kind == "process" or lane.tid == lane.pid) and lane.pid not in mains:
            mains[lane.pid] = lane
        else:
            threads[lane.pid].append(lane)
    rows: list[LaneRow] = []
    for pid in order:
        main, others = mains.get(pid), threads[pid]
        if main is not None:
            rows.append(LaneRow(pid, lane_label(main), main))
        folded = fold if fold is not None else len(others) > FOLD_OVER
        if folded and len(others) > 1:
            label = ("  └ %d threads" % len(others))[:LABEL_WIDTH]
            rows.append(LaneRow(pid, label, threads=tuple(others), note=counts_note(others, last_index, finished)))
            continue
        idle = [lane for lane in others if never_ran(lane)]
        if len(idle) < 2:
            idle = []
        quiet = {id(lane) for lane in idle}
        rows.extend(LaneRow(pid, lane_label(lane), lane) for lane in others if id(lane) not in quiet)
        if idle:
            label = ("  └ %d never ran" % len(idle))[:LABEL_WIDTH]
            rows.append(LaneRow(pid, label, threads=tuple(idle), note=counts_note(idle, last_index, finished)))
    return rows
