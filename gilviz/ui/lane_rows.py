"""Which rows the lanes panel draws: threads grouped under their process, big groups folded (pure).

Lanes arrive in the order they were first seen. Rows put each process's main thread
first and its other threads under it. A process with many threads (a pool of 32, a web
server's workers) is folded into one summary row ("32 threads: 27 I/O · 4 GIL ·
1 run") until unfolded; unfolded, threads that never ran are gathered into one row at
its end, so the threads doing something stay on screen.

Short-lived threads fold first: in a big process, the threads that have lived
``LONG_LIVED_S`` keep their rows (while they are at most ``FOLD_OVER``) and the others
make one "N short-lived" row, so a thread-per-request server's few long-lived threads
are not hidden behind its requests' threads. Threads gone for more than ``RETIRE_S``
make one "N ended threads" row per process, with their lives' shares, whatever the
folding (``gilviz.thread_table`` has both rules; its table rows retire the same way).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from gilviz.report import SHARE_LABELS
from gilviz.retired import EndedThreads
from gilviz.states import DONE, NOT_STARTED, STATES
from gilviz.thread_table import LONG_LIVED_S, RETIRE_S, ended_times, is_main, lived_s, newest_index, retired
from gilviz.timeline import Bin, LaneView, Snapshot
from gilviz.ui.drawing import life_shares, shares_label

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
    """What the thread mostly did over the last second (``finished``: over its whole life): a share label's
    word ("I/O", "GIL", "run", "ended").

    The biggest of ``recent_shares``, found without dividing: a folded row asks it of every
    thread it stands for, every frame (a thousand threads: ~4x faster than through the shares).
    """
    if finished:
        state, share = max(life_shares(lane.run_times).items(), key=lambda kv: kv[1])
        return "idle" if share <= 0 else SHARE_LABELS.get(state, {"done": "ended", "not_started": "new"}.get(state, state))
    first = last_index - recent_bins(bin_s)
    recent = []
    for b in reversed(lane.bins):
        if b.index <= first:
            break
        if b.index <= last_index:
            recent.append(b.times)
    totals = list(recent[0]) if len(recent) == 1 else [sum(column) for column in zip(*recent)]
    if totals and sum(totals) - totals[DONE] - totals[NOT_STARTED] > 0:
        totals[DONE] = totals[NOT_STARTED] = 0.0  # of the time it lived, as recent_shares counts
    most = max(totals) if totals else 0.0
    if most <= 0:  # nothing in the last second: it ended before, or it has not run
        return "ended" if lane.bins and lane.bins[-1].times[DONE] > 0 else "idle"
    state = STATES[totals.index(most)]
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


def ended_note(lanes: Sequence[LaneView], earlier: EndedThreads | None = None) -> str:
    """ "run 3% · I/O 95%": the retired threads' lives added together (``thread_table.ended_times``)."""
    totals = ended_times(lanes, earlier)
    return shares_label(life_shares(totals), most=2) if totals else "ended"


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


def summary(pid: int, lanes: Sequence[LaneView], what: str, last_index: int, finished: bool = False) -> LaneRow:
    label = ("  └ %d %s" % (len(lanes), what))[:LABEL_WIDTH]
    return LaneRow(pid, label, threads=tuple(lanes), note=counts_note(lanes, last_index, finished))


def one_by_one(
    pid: int,
    lanes: Sequence[LaneView],
    last_index: int,
    kept: set[int] | frozenset[int] = frozenset(),
    finished: bool = False,
) -> list[LaneRow]:
    """Each thread on a row of its own, but those that never ran (and are not ``kept``: ids) gathered in one row at the end."""
    idle = [lane for lane in lanes if never_ran(lane) and id(lane) not in kept]
    if len(idle) < 2:
        idle = []
    quiet = {id(lane) for lane in idle}
    rows = [LaneRow(pid, lane_label(lane), lane) for lane in lanes if id(lane) not in quiet]
    if idle:
        rows.append(summary(pid, idle, "never ran", last_index, finished))
    return rows


def long_lived(lane: LaneView, bin_s: float, since: int | None) -> bool:
    """Lived LONG_LIVED_S, or was there when watching began (bin ``since``): its age is not known to be short."""
    if lived_s(lane, bin_s) >= LONG_LIVED_S:
        return True
    return since is not None and bool(lane.bins) and lane.bins[0].index <= since + 1


def by_process(lanes: Sequence[LaneView]) -> tuple[list[int], dict[int, LaneView], dict[int, list[LaneView]]]:
    """The processes in the order their first lanes come, each one's main thread, and its other lanes."""
    order: list[int] = []
    mains: dict[int, LaneView] = {}
    threads: dict[int, list[LaneView]] = {}
    for lane in lanes:
        if lane.pid not in threads:
            order.append(lane.pid)
            threads[lane.pid] = []
        if is_main(lane) and lane.pid not in mains:
            mains[lane.pid] = lane
        else:
            threads[lane.pid].append(lane)
    return order, mains, threads


def arrange(
    lanes: Sequence[LaneView],
    *,
    last_index: int,
    fold: bool | None = None,
    newest: int | None = None,
    bin_s: float = 0.05,
    keep: object = None,
    since: int | None = None,
    finished: bool = False,
    ended: Mapping[int, EndedThreads] | None = None,
) -> list[LaneRow]:
    """The rows for these lanes. ``fold``: None folds processes with more than FOLD_OVER threads; True all; False none.

    With ``newest`` (the snapshot's newest bin), threads gone for more than RETIRE_S make one
    "ended threads" row per process, whatever the folding; and a big process folds its
    short-lived threads first: those that lived LONG_LIVED_S or more keep their rows while they
    are at most FOLD_OVER (and so do those there when watching began, bin ``since``). ``keep``: a
    row key (a lane the table jumped to) that is never folded. ``finished``: the run has ended,
    and a summary counts what each thread did over its life. ``ended``: per process, the threads
    the timeline itself has retired (``Snapshot.ended``), counted in its "ended threads" row.
    """
    ended = ended or {}
    order, mains, threads = by_process(lanes)
    rows: list[LaneRow] = []
    dead: list[LaneView] = []  # child processes gone a while: their lanes, on one "ended processes" row
    dead_pids = [pid for pid in ended if pid not in threads]  # ... and those the timeline let go of already
    for pid in order:
        main, others = mains.get(pid), threads[pid]
        if pid != order[0] and main is not None and process_ended(main, others, newest, bin_s, keep):
            dead.extend([main, *others])
            dead_pids.append(pid)
            continue
        if main is not None:
            rows.append(LaneRow(pid, lane_label(main), main))
        kept = {id(lane) for lane in others if keep is not None and (lane.pid, lane.tid, lane.slot) == keep}
        gone = [lane for lane in others if newest is not None and id(lane) not in kept and retired(lane, newest, bin_s)]
        if gone:
            gone_ids = {id(lane) for lane in gone}
            others = [lane for lane in others if id(lane) not in gone_ids]
        present = [lane for lane in others if id(lane) not in kept] if kept else others
        alone = [LaneRow(pid, lane_label(lane), lane) for lane in others if id(lane) in kept]  # shown whatever folds
        folded = fold if fold is not None else len(present) > FOLD_OVER
        if not folded or len(present) < 2:
            rows.extend(one_by_one(pid, others, last_index, kept, finished))
        elif fold is None and newest is not None:  # the short-lived fold first
            long = {id(lane) for lane in present if long_lived(lane, bin_s, since)}
            short = [lane for lane in present if id(lane) not in long]
            if len(long) > FOLD_OVER:
                rows.extend(alone)
                rows.append(summary(pid, [lane for lane in present if id(lane) in long], "threads", last_index, finished))
            else:
                kept_or_long = [lane for lane in others if id(lane) in long or id(lane) in kept]
                rows.extend(one_by_one(pid, kept_or_long, last_index, kept, finished))
            if len(short) > 1:
                rows.append(summary(pid, short, "short-lived", last_index, finished))
            else:
                rows.extend(LaneRow(pid, lane_label(lane), lane) for lane in short)
        else:
            rows.extend(alone)
            rows.append(summary(pid, present, "threads", last_index, finished))
        earlier = ended.get(pid)
        count = len(gone) + (earlier.count if earlier is not None else 0)
        if count:
            label = ("  └ %d ended thread%s" % (count, "s" if count > 1 else ""))[:LABEL_WIDTH]
            rows.append(LaneRow(pid, label, threads=tuple(gone), note=ended_note(gone, earlier)))
    if dead_pids and order:
        label = ("  └ %d ended process%s" % (len(dead_pids), "es" if len(dead_pids) > 1 else ""))[:LABEL_WIDTH]
        earlier = merged([ended[pid] for pid in dead_pids if pid in ended])
        rows.append(LaneRow(order[0], label, threads=tuple(dead), note=ended_note(dead, earlier)))
    return rows


def lane_key(lane: LaneView) -> tuple[int, int, int]:
    return (lane.pid, lane.tid, lane.slot)


def process_ended(main: LaneView, others: Sequence[LaneView], newest: int | None, bin_s: float, keep: object) -> bool:
    """A child process gone for more than RETIRE_S (its last bin ended it, nothing read since), none of
    whose lanes is ``keep``: its rows go to the "ended processes" row."""
    if newest is None or main.kind != "process" or not main.bins or main.bins[-1].times[DONE] <= 0:
        return False
    if keep is not None and any(lane_key(lane) == keep for lane in (main, *others)):
        return False
    return (newest - main.bins[-1].index) * bin_s > RETIRE_S


def merged(groups: Sequence[EndedThreads]) -> EndedThreads | None:
    """Several processes' retired lanes as one group (None: none)."""
    if not groups:
        return None
    times = [sum(column) for column in zip(*(g.run_times for g in groups))]
    return EndedThreads(groups[0].pid, sum(g.count for g in groups), tuple(times))


def snapshot_rows(snapshot: Snapshot, *, last_index: int, fold: bool | None = None, keep: object = None) -> list[LaneRow]:
    """The rows for a snapshot's lanes, threads gone a while retired (``arrange`` with the snapshot's newest bin)."""
    newest, bin_s = newest_index(snapshot), snapshot.bin_s
    since = math.floor(snapshot.window[0] / bin_s) if snapshot.window[0] else None
    finished = bool(snapshot.window[0] and snapshot.window[1])
    return arrange(
        snapshot.lanes,
        last_index=last_index,
        fold=fold,
        newest=newest,
        bin_s=bin_s,
        keep=keep,
        since=since,
        finished=finished,
        ended={g.pid: g for g in snapshot.ended},
    )


def row_index(rows: Sequence[LaneRow], key: object) -> int | None:
    """The index of the row with this key (a lane's: None when it is not on a row of its own)."""
    return next((i for i, row in enumerate(rows) if row.key == key), None)
