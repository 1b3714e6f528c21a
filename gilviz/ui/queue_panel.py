"""The queue panel: items put and got, the queue's fill over time, the unshared global (pure text).

The producer's board counter is its own ``items_made`` (the child's copy of the global);
each consumer's is the items it handled. "put − got" is what is in the queue or in a
consumer's hands; drawn per 50 ms bin it shows the bounded queue filling and draining.
The parent's ``items_made`` is read by the lab after the children have ended.
"""

from __future__ import annotations

from rich.text import Text

from gilviz.lab.lessons.queue import LESSON as QUEUE
from gilviz.lab.workers import QUEUE_MAX
from gilviz.model import RunReport
from gilviz.timeline import LaneView, Snapshot
from gilviz.ui.drawing import COLOURS, sparkline

HISTORY_WIDTH = 48


def _counts_by_bin(lane: LaneView) -> dict[int, int]:
    return {b.index: b.count for b in lane.bins}


def in_flight_history(snapshot: Snapshot, width: int) -> list[int]:
    """put − got at the end of each of the last ``width`` bins (a lane not seen yet counts 0)."""
    producers = [lane for lane in snapshot.lanes if lane.name == "producer"]
    consumers = [lane for lane in snapshot.lanes if lane.name.startswith("consumer")]
    if not producers:
        return []
    put = _counts_by_bin(producers[0])
    got = [_counts_by_bin(lane) for lane in consumers]
    if not put:
        return []  # registered, not yet sampled
    first = min(put)
    last = max([max(put)] + [max(g) for g in got if g])
    start = max(first, last - width + 1)
    history = []
    carried = [0] * (len(got) + 1)
    for index in range(first, last + 1):
        carried[0] = put.get(index, carried[0])
        for i, g in enumerate(got, 1):
            carried[i] = g.get(index, carried[i])
        if index >= start:
            history.append(max(0, carried[0] - sum(carried[1:])))
    return history


def queue_text(snapshot: Snapshot | None, finished: RunReport | None, consumers: int) -> Text:
    text = Text()
    text.append(
        "producer process → multiprocessing.Queue(maxsize=%d) → %d consumer process%s\n"
        % (QUEUE_MAX, consumers, "" if consumers == 1 else "es")
    )
    lanes = snapshot.lanes if snapshot is not None else ()
    put = sum(lane.count for lane in lanes if lane.name == "producer")
    got = sum(lane.count for lane in lanes if lane.name.startswith("consumer"))
    queue = QUEUE.figures_of(finished.result) if finished is not None else None
    if queue:
        put, got = queue["put"], queue["got"]
    text.append("put %d · got %d · " % (put, got))
    text.append("put − got %d" % max(0, put - got), style="bold")
    text.append(" (in the queue or being handled)\n", style="dim")
    history = in_flight_history(snapshot, HISTORY_WIDTH) if snapshot is not None else []
    text.append("put − got over time ")
    text.append(sparkline(history, HISTORY_WIDTH, top=QUEUE_MAX + consumers), style=COLOURS["queue_wait"])
    text.append(" top %d\n" % (QUEUE_MAX + consumers), style="dim")
    text.append("items_made: ")
    text.append("%d in the producer process" % put, style="bold")
    if queue:
        text.append(" · ")
        text.append("%d in the parent" % queue["parent_global"], style="bold")
        text.append(" (read after join: the child's changes never reached it)", style="dim")
    else:
        text.append(" · the parent's copy is read when the children have ended", style="dim")
    return text
